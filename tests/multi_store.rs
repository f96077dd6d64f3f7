//! Multi-store orders (spec 31 §2) on the `tiny` chain with its CEDI made short of stock:
//! conflicts and DPD+U shares through the API and the CLI, the batch saved as one group of
//! drafts, and every refusal saving nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::{HashMap, HashSet};
use std::process::Command;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, spawn_app_with, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

const STORES: [&str; 2] = ["tienda_01", "tienda_02"];

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    let r = app.client.post(app.url(path)).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn calc_body(todos: bool) -> Value {
    json!({
        "cedi_origen": "cedi_seco",
        "tiendas_destino": STORES.iter().map(|s| json!({"tienda_id": s})).collect::<Vec<_>>(),
        "dias_cobertura": 3,
        "fecha": today().to_string(),
        "todos": todos,
    })
}

/// Leaves the CEDI one pack of every product both stores need (so each is a conflict) and
/// returns how many such products there are.
async fn make_cedi_short(app: &TestApp) -> usize {
    let (status, all) = post(app, "/api/pedidos-multitienda/calcular", calc_body(true)).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let mut needed: HashMap<String, (usize, f64)> = HashMap::new();
    for p in all["pedidos_por_tienda"].as_array().unwrap() {
        for l in p["productos"].as_array().unwrap() {
            if l["cantidad_necesaria_bultos"].as_u64().unwrap() > 0 {
                let e = needed.entry(l["codigo_producto"].as_str().unwrap().to_string()).or_insert((0, 0.0));
                e.0 += 1;
                e.1 = l["unidades_por_bulto"].as_f64().unwrap();
            }
        }
    }
    let scarce: Vec<(String, f64)> = needed.into_iter().filter(|(_, (n, _))| *n == 2).map(|(c, (_, upb))| (c, upb)).collect();
    let warehouses: Vec<String> =
        app.state.tenant.stores().iter().find(|s| s.id == "cedi_seco").unwrap().warehouses().map(|a| a.codigo.clone()).collect();
    let at = (today() - Duration::days(1)).and_hms_opt(23, 0, 0).unwrap();
    app.state
        .warehouse
        .write(|c| {
            for (i, wh) in warehouses.iter().enumerate() {
                let rows = if i == 0 { scarce.iter().map(|(code, upb)| (code.clone(), *upb)).collect() } else { Vec::new() };
                let listing = fluxion::domain::records::StockListing {
                    ubicacion_id: "cedi_seco".into(),
                    almacen_codigo: wh.clone(),
                    fecha_snapshot: at,
                    rows,
                };
                fluxion::warehouse::load::replace_stock(c, &listing, "test", None, false).unwrap();
            }
            Ok::<_, fluxion::warehouse::load::LoadError>(())
        })
        .unwrap();
    scarce.len()
}

fn lines_of<'a>(calc: &'a Value, store: &str) -> HashMap<&'a str, &'a Value> {
    let p = calc["pedidos_por_tienda"].as_array().unwrap().iter().find(|p| p["tienda_id"] == store).unwrap();
    p["productos"].as_array().unwrap().iter().map(|l| (l["codigo_producto"].as_str().unwrap(), l)).collect()
}

#[tokio::test]
async fn scarce_cedi_stock_is_shared_with_dpdu_and_the_cli_gives_the_api_numbers() {
    let app = spawn_app(true).await;
    let scarce = make_cedi_short(&app).await;
    assert!(scarce >= 50, "the fixture needs a CEDI short of stock for ≥ 50 products, got {scarce}");

    let (status, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    assert_eq!(status, StatusCode::OK, "{calc}");
    assert_eq!(calc["config_dpdu"], json!({"peso_demanda": 0.6, "peso_urgencia": 0.4, "dias_minimo_urgencia": 0.5}));
    let conflicts = calc["conflictos"].as_array().unwrap();
    assert_eq!(calc["resumen"]["total_conflictos"].as_u64().unwrap() as usize, conflicts.len());
    assert_eq!(conflicts.len(), scarce, "every product both stores need and the CEDI holds one pack of");
    let stocks: Vec<f64> = conflicts.iter().map(|c| c["stock_cedi_disponible"].as_f64().unwrap()).collect();
    assert!(stocks.windows(2).all(|w| w[0] <= w[1]), "sorted by CEDI stock");
    let (l1, l2) = (lines_of(&calc, "tienda_01"), lines_of(&calc, "tienda_02"));
    for c in conflicts {
        let code = c["codigo_producto"].as_str().unwrap();
        let shares = c["distribucion_dpdu"].as_array().unwrap();
        assert_eq!(shares.len(), 2, "{code}: both stores take part");
        assert_eq!(c["stock_cedi_bultos"], 1);
        let given: u64 = shares.iter().map(|s| s["cantidad_asignada_bultos"].as_u64().unwrap()).sum();
        assert_eq!(given, 1, "{code}: the one pack goes to one store");
        for s in shares {
            let line = if s["tienda_id"] == "tienda_01" { l1[code] } else { l2[code] };
            assert_eq!(line["cantidad_bultos"], s["cantidad_asignada_bultos"], "{code}: the store's line carries its share");
            assert!(line["es_conflicto"].as_bool().unwrap());
            let weight: f64 = s["peso_final"].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&weight));
        }
        // The more urgent store (fewer days of stock) gets the pack when urgency decides.
        let (a, b) = (&shares[0], &shares[1]);
        if a["urgencia"] == 100.0 && b["urgencia"] != 100.0 && a["pct_demanda"].as_f64() >= b["pct_demanda"].as_f64() {
            assert_eq!(a["cantidad_asignada_bultos"], 1, "{code}: {c}");
        }
    }

    // The CLI, on a copy of the same tenant, prints the same numbers.
    let (_copy, config) = app.snapshot_tenant();
    let out = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args([
            "order",
            "multi",
            "--config",
            config.to_str().unwrap(),
            "--cedi",
            "cedi_seco",
            "--store",
            "tienda_01",
            "--store",
            "tienda_02",
        ])
        .args(["--date", &today().to_string(), "--format", "json"])
        .env("FLUXION_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut api = calc.clone();
    cli.as_object_mut().unwrap().remove("calculado_en");
    api.as_object_mut().unwrap().remove("calculado_en");
    assert_eq!(cli, api);
    let csv = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args([
            "order",
            "multi",
            "--config",
            config.to_str().unwrap(),
            "--cedi",
            "cedi_seco",
            "--store",
            "tienda_01",
            "--store",
            "tienda_02",
        ])
        .args(["--date", &today().to_string(), "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("codigo_producto,descripcion_producto,unidades_por_bulto"));
    assert_eq!(csv.lines().count() - 1, 2 * scarce, "one row per conflicted product and store");
}

fn save_body(calc: &Value, override_code: Option<(&str, u64)>) -> Value {
    let pedidos: Vec<Value> = calc["pedidos_por_tienda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let productos: Vec<Value> = p["productos"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["es_sugerido"].as_bool().unwrap() || l["es_conflicto"].as_bool().unwrap())
                .map(|l| {
                    let code = l["codigo_producto"].as_str().unwrap();
                    let packs = match override_code {
                        Some((c, n)) if c == code => n,
                        _ => l["cantidad_bultos"].as_u64().unwrap(),
                    };
                    json!({"codigo_producto": code, "cantidad_pedida_bultos": packs, "incluido": true, "cuadrante": l["cuadrante"]})
                })
                .collect();
            json!({"tienda_destino_id": p["tienda_id"], "tienda_destino_nombre": p["tienda_nombre"], "productos": productos})
        })
        .collect();
    json!({
        "cedi_origen_id": "cedi_seco",
        "fecha_pedido": today().to_string(),
        "observaciones_globales": "Camión del martes",
        "pedidos": pedidos,
    })
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.state.app_db.lock().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn a_batch_is_saved_as_one_group_of_drafts_with_its_dpdu_record() {
    let app = spawn_app(true).await;
    make_cedi_short(&app).await;
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    let conflict = calc["conflictos"][0].clone();
    let code = conflict["codigo_producto"].as_str().unwrap().to_string();
    // The user gives the pack to the other store than DPD+U did (a manual override).
    let shares = conflict["distribucion_dpdu"].as_array().unwrap();
    let loser = shares.iter().find(|s| s["cantidad_asignada_bultos"] == 0).unwrap()["tienda_id"].as_str().unwrap().to_string();
    let mut body = save_body(&calc, None);
    for p in body["pedidos"].as_array_mut().unwrap() {
        let mine = p["tienda_destino_id"] == loser.as_str();
        for l in p["productos"].as_array_mut().unwrap() {
            if l["codigo_producto"] == code.as_str() {
                l["cantidad_pedida_bultos"] = json!(if mine { 1 } else { 0 });
            }
        }
    }
    let (status, saved) = post(&app, "/api/pedidos-multitienda/guardar-lote", body).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let group = saved["grupo_pedido_id"].as_str().unwrap();
    assert!(group.starts_with("GRUPO-") && group.len() == 14, "{group}");
    let created = saved["pedidos_creados"].as_array().unwrap();
    assert_eq!(created.len(), 2);
    let numbers: Vec<&str> = created.iter().map(|c| c["numero_pedido"].as_str().unwrap()).collect();
    let base = &numbers[0][..8];
    assert_eq!(numbers, vec![format!("{base}-1"), format!("{base}-2")]);
    assert!(created.iter().all(|c| c["estado"] == "borrador"));

    // Every selected line saved, the observations kept, the override recorded as manual.
    let id_of = |store: &str| created.iter().find(|c| c["tienda_id"] == store).unwrap()["pedido_id"].as_str().unwrap().to_string();
    let loser_id = id_of(&loser);
    let order = app.get_json(&format!("/api/pedidos-sugeridos/{loser_id}"), &app.admin_token).await;
    assert!(order["observaciones"].as_str().unwrap().contains("Camión del martes"), "{}", order["observaciones"]);
    let line = order["lineas"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code.as_str()).unwrap().clone();
    assert_eq!(line["cantidad_pedida_bultos"], 1);
    let reason: String = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row(
            "SELECT razon_ajuste_dpdu FROM pedidos_sugeridos_detalle WHERE pedido_id = ?1 AND codigo_producto = ?2",
            [&loser_id, &code],
            |r| r.get::<_, Option<String>>(0),
        )
        .unwrap()
        .unwrap_or_default();
    let suggested = shares.iter().find(|s| s["tienda_id"] == loser.as_str()).unwrap()["cantidad_sugerida_bultos"].as_u64().unwrap();
    if suggested != 1 {
        assert!(reason.contains("DPD+U"), "{reason}");
    }
    assert_eq!(count(&app, &format!("SELECT count(*) FROM pedidos_sugeridos WHERE grupo_pedido_id = '{group}'")), 2);
    let expected_log = calc["conflictos"].as_array().unwrap().len() as i64;
    assert_eq!(count(&app, &format!("SELECT count(*) FROM distribucion_dpdu_log WHERE grupo_pedido_id = '{group}'")), expected_log);
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM distribucion_dpdu_log WHERE grupo_pedido_id = '{group}' AND resolucion_usuario = 'manual'")
        ),
        1,
        "only the product the user changed"
    );
    let saved_lines = count(&app, &format!("SELECT count(*) FROM pedidos_sugeridos_detalle d JOIN pedidos_sugeridos p ON p.id = d.pedido_id WHERE p.grupo_pedido_id = '{group}'"));
    let sent: i64 = save_body(&calc, None)["pedidos"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["productos"].as_array().unwrap().iter())
        .filter(|l| l["cantidad_pedida_bultos"].as_u64().unwrap() > 0)
        .count() as i64;
    assert_eq!(saved_lines, sent, "every included line with packs is saved (D-8, D-9)");
    // Each line's explanation (rule, demand source, parameters) is kept once per order and
    // every line reaches its own: fewer stored explanations than lines, none lost.
    let explained = count(
        &app,
        &format!(
            "SELECT count(*) FROM pedidos_sugeridos_detalle d JOIN pedidos_sugeridos p ON p.id = d.pedido_id
             JOIN pedidos_sugeridos_calculos c ON c.pedido_id = d.pedido_id AND c.numero = d.calculo_numero
             WHERE p.grupo_pedido_id = '{group}' AND json_extract(c.datos_calculo, '$.regla_decisiva') IS NOT NULL"
        ),
    );
    assert_eq!(explained, saved_lines, "every saved line keeps its explanation");
    let stored = count(
        &app,
        &format!("SELECT count(*) FROM pedidos_sugeridos_calculos c JOIN pedidos_sugeridos p ON p.id = c.pedido_id WHERE p.grupo_pedido_id = '{group}'"),
    );
    assert!(stored < saved_lines, "{stored} explanations stored for {saved_lines} lines");

    // The server's workbook of a batch order: title with the group, cuadrante kept, the
    // adjusted line marked (D-6).
    let r = app
        .client
        .get(app.url(&format!("/api/pedidos-multitienda/{loser_id}/exportar-excel")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let name = r.headers()["content-disposition"].to_str().unwrap().to_string();
    let loser_number = created.iter().find(|c| c["tienda_id"] == loser.as_str()).unwrap()["numero_pedido"].as_str().unwrap().to_string();
    assert!(name.contains(&format!("{loser_number}_multitienda.xlsx")), "{name}");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains(&format!("Pedido Multi-Tienda: {loser_number} (Grupo: {group})")), "{strings}");
    if suggested != 1 {
        assert!(strings.contains("Ajustado DPD+U"));
    }
    let (s, _) = app.get_with_status("/api/pedidos-multitienda/no-existe/exportar-excel", &app.admin_token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The next batch takes the next base number (the counter single-store orders use).
    let (status, next) = post(&app, "/api/pedidos-multitienda/guardar-lote", save_body(&calc, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    let next_base: u32 = next["pedidos_creados"][0]["numero_pedido"].as_str().unwrap()[3..8].parse().unwrap();
    assert_eq!(next_base, base[3..].parse::<u32>().unwrap() + 1);
}

#[tokio::test]
async fn concurrent_batches_get_distinct_numbers() {
    let app = spawn_app(true).await;
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    let body = save_body(&calc, None);
    let (a, b) = tokio::join!(
        post(&app, "/api/pedidos-multitienda/guardar-lote", body.clone()),
        post(&app, "/api/pedidos-multitienda/guardar-lote", body)
    );
    assert_eq!(a.0, StatusCode::CREATED, "{}", a.1);
    assert_eq!(b.0, StatusCode::CREATED, "{}", b.1);
    let numbers: HashSet<String> = [&a.1, &b.1]
        .iter()
        .flat_map(|s| {
            s["pedidos_creados"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["numero_pedido"].as_str().unwrap()[..8].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(numbers.len(), 2, "two batches, two base numbers: {numbers:?}");
    assert_ne!(a.1["grupo_pedido_id"], b.1["grupo_pedido_id"]);
}

#[tokio::test]
async fn refused_batches_save_nothing_and_say_why() {
    let app = spawn_app(true).await;
    make_cedi_short(&app).await;
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    let orders_before = count(&app, "SELECT count(*) FROM pedidos_sugeridos");

    let expect = |status: StatusCode, body: &Value, needle: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(needle), "«{detail}» should mention «{needle}»");
    };
    // Calculation: an empty store list, an unknown CEDI, a CEDI given as a store.
    let (s, b) = post(&app, "/api/pedidos-multitienda/calcular", json!({"cedi_origen": "cedi_seco", "tiendas_destino": []})).await;
    expect(s, &b, "al menos una tienda");
    let (s, b) = post(
        &app,
        "/api/pedidos-multitienda/calcular",
        json!({"cedi_origen": "cedi_luna", "tiendas_destino": [{"tienda_id": "tienda_01"}]}),
    )
    .await;
    expect(s, &b, "cedi_luna");
    let (s, b) = post(
        &app,
        "/api/pedidos-multitienda/calcular",
        json!({"cedi_origen": "cedi_seco", "tiendas_destino": [{"tienda_id": "tienda_99"}]}),
    )
    .await;
    expect(s, &b, "tienda_99");

    // Save: an override above the CEDI's stock, a negative quantity, an unknown product.
    let code = calc["conflictos"][0]["codigo_producto"].as_str().unwrap().to_string();
    let (s, b) = post(&app, "/api/pedidos-multitienda/guardar-lote", save_body(&calc, Some((&code, 1)))).await;
    expect(s, &b, "Excede el stock del CEDI");
    assert!(b["detail"].as_str().unwrap().contains(&code));
    let (s, b) = post(&app, "/api/pedidos-multitienda/guardar-lote", save_body(&calc, Some((&code, u64::MAX)))).await;
    assert!(s.is_client_error(), "{b}");
    let mut negative = save_body(&calc, None);
    negative["pedidos"][0]["productos"][0]["cantidad_pedida_bultos"] = json!(-2);
    let (s, b) = post(&app, "/api/pedidos-multitienda/guardar-lote", negative).await;
    expect(s, &b, "negativa");
    let mut unknown = save_body(&calc, None);
    unknown["pedidos"][1]["productos"].as_array_mut().unwrap().push(json!({"codigo_producto": "NO-EXISTE", "cantidad_pedida_bultos": 1}));
    let (s, b) = post(&app, "/api/pedidos-multitienda/guardar-lote", unknown).await;
    expect(s, &b, "NO-EXISTE");
    let (s, b) = post(&app, "/api/pedidos-multitienda/guardar-lote", json!({"cedi_origen_id": "cedi_seco", "pedidos": []})).await;
    expect(s, &b, "ningún pedido");
    assert_eq!(count(&app, "SELECT count(*) FROM pedidos_sugeridos"), orders_before, "nothing saved by any refusal");

    // A failure while writing the last order of the batch leaves nothing, not even the first.
    app.state
        .app_db
        .lock()
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER fail_second BEFORE INSERT ON pedidos_sugeridos WHEN NEW.orden_en_grupo = 2
             BEGIN SELECT RAISE(ABORT, 'disco lleno'); END;",
        )
        .unwrap();
    let (s, _) = post(&app, "/api/pedidos-multitienda/guardar-lote", save_body(&calc, None)).await;
    assert!(s.is_server_error(), "{s}");
    assert_eq!(count(&app, "SELECT count(*) FROM pedidos_sugeridos"), orders_before);
    assert_eq!(count(&app, "SELECT count(*) FROM pedidos_sugeridos_detalle"), 0);
    assert_eq!(count(&app, "SELECT count(*) FROM distribucion_dpdu_log"), 0);
}

#[tokio::test]
async fn the_wizard_lists_cedis_and_the_stores_each_supplies_and_only_buyers_may_compute() {
    let app = spawn_app(true).await;
    let cedis = app.get_json("/api/ubicaciones/cedis", &app.admin_token).await;
    assert_eq!(cedis["cedis"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect::<Vec<_>>(), ["cedi_seco"]);
    let stores = app.get_json("/api/ubicaciones/tiendas-por-cedi/cedi_seco", &app.admin_token).await;
    let ids: Vec<&str> = stores["tiendas"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    let (s, _) = app.get_with_status("/api/ubicaciones/tiendas-por-cedi/tienda_01", &app.admin_token).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A store manager cannot run a multi-store batch (server-side, D-17).
    app.add_user("gerente1", "clave-larga-gerente-1", "gerente_tienda", &["tienda_01"]);
    let token = app.token("gerente1", "clave-larga-gerente-1").await;
    let r = app.client.post(app.url("/api/pedidos-multitienda/calcular")).bearer_auth(&token).json(&calc_body(false)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // DPD+U settings: read by buyers, changed by the super admin, validated.
    let put =
        |body: Value| app.client.put(app.url("/api/pedidos-multitienda/config-dpdu")).bearer_auth(&app.admin_token).json(&body).send();
    let r = put(json!({"peso_demanda": 0.0, "peso_urgencia": 0.0, "dias_minimo_urgencia": 0.5})).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = put(json!({"peso_demanda": 0.5, "peso_urgencia": 0.5, "dias_minimo_urgencia": 1.0})).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    assert_eq!(calc["config_dpdu"]["peso_demanda"], 0.5, "the next calculation uses the new settings");
}

#[tokio::test]
async fn each_stores_need_is_the_single_store_calculation() {
    // One engine (D-4): the batch's lines are the single-store wizard's, number for number.
    let app = spawn_app(true).await;
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(true)).await;
    for store in STORES {
        let (status, single) = post(
            &app,
            "/api/pedidos-sugeridos/calcular",
            json!({"cedi_origen": "cedi_seco", "tienda_destino": store, "fecha": today().to_string(), "explicacion": false}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let multi = lines_of(&calc, store);
        let single = single["productos"].as_array().unwrap();
        assert_eq!(multi.len(), single.len(), "{store}: every candidate");
        for s in single {
            let code = s["codigo_producto"].as_str().unwrap();
            let m = multi[code];
            for (a, b) in [
                ("cantidad_sugerida_bultos", "cantidad_sugerida_bultos"),
                ("cantidad_necesaria_bultos", "cantidad_necesaria_bultos"),
                ("prom_p75_unid", "prom_p75_unid"),
                ("stock_seguridad", "stock_seguridad"),
                ("punto_reorden", "punto_reorden"),
                ("stock_maximo", "stock_maximo"),
                ("stock_total", "stock_total"),
            ] {
                assert_eq!(m[a], s[b], "{store} {code} {a}");
            }
            if m["es_conflicto"] == false {
                assert_eq!(m["cantidad_bultos"], s["cantidad_sugerida_bultos"], "{store} {code}: outside a conflict, the engine's packs");
            }
        }
    }
}

/// A third Valencia store beside the tiny chain's two (the generator fills every store).
fn with_third_store(toml: String) -> String {
    format!(
        "{toml}\n[[stores]]\nid = \"tienda_03\"\nname = \"Tienda Naguanagua\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\ncity = \"Naguanagua\"\n\
         pos = \"none\"\nopening = \"08:00\"\nclosing = \"21:00\"\nvisible_pedidos = true\n\n[[stores.almacenes]]\ncodigo = \"T03-PV\"\n\
         nombre = \"PISO DE VENTA\"\ntipo = \"piso_venta\"\n"
    )
}

#[tokio::test]
async fn e7_12_a_store_without_included_lines_leaves_a_gap_in_the_batch_numbers() {
    let app = spawn_app_with(true, with_third_store).await;
    // The highest number in use is PS-00041-…: the counter stands at 41.
    app.state.app_db.lock().unwrap().execute("UPDATE contadores SET ultimo_valor = 41 WHERE nombre = 'pedido_sugerido'", []).unwrap();
    let mut body = calc_body(false);
    body["tiendas_destino"] = json!([{"tienda_id": "tienda_01"}, {"tienda_id": "tienda_02"}, {"tienda_id": "tienda_03"}]);
    let (s, calc) = post(&app, "/api/pedidos-multitienda/calcular", body).await;
    assert_eq!(s, StatusCode::OK, "{calc}");
    let mut save = save_body(&calc, None);
    for l in save["pedidos"][1]["productos"].as_array_mut().unwrap() {
        l["incluido"] = json!(false);
    }
    let (s, saved) = post(&app, "/api/pedidos-multitienda/guardar-lote", save).await;
    assert_eq!(s, StatusCode::CREATED, "{saved}");
    let created: Vec<(String, String)> = saved["pedidos_creados"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["tienda_id"].as_str().unwrap().to_string(), c["numero_pedido"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(created, vec![("tienda_01".to_string(), "PS-00042-1".to_string()), ("tienda_03".to_string(), "PS-00042-3".to_string())]);
    let order_in_group: Vec<i64> = {
        let db = app.state.app_db.lock().unwrap();
        let mut stmt = db.prepare("SELECT orden_en_grupo FROM pedidos_sugeridos WHERE grupo_pedido_id = ?1 ORDER BY 1").unwrap();
        stmt.query_map([saved["grupo_pedido_id"].as_str().unwrap()], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(order_in_group, vec![1, 3]);
}

#[tokio::test]
async fn a_destinations_step_4_excel_marks_the_lines_dpdu_changed() {
    let app = spawn_app(true).await;
    make_cedi_short(&app).await;
    let (_, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    let lines = calc["pedidos_por_tienda"][0]["productos"].as_array().unwrap();
    let adjusted = lines.iter().find(|l| l["ajustado_por_dpdu"] == true).unwrap();
    let plain = lines.iter().find(|l| l["ajustado_por_dpdu"] == false && l["cantidad_bultos"].as_u64().unwrap() > 0).unwrap();
    let body = json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string(), "vista": "multitienda", "productos": [
        {"codigo_producto": adjusted["codigo_producto"], "cantidad_pedida_bultos": adjusted["cantidad_bultos"], "ajustado_dpdu": true},
        {"codigo_producto": plain["codigo_producto"], "cantidad_pedida_bultos": plain["cantidad_bultos"]},
    ]});
    let r =
        app.client.post(app.url("/api/pedidos-sugeridos/exportar-excel")).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("_{}.xlsx", today())));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
    for needle in ["Ajustado DPD+U", "P75 Unid/día", "Sí", "No", adjusted["codigo_producto"].as_str().unwrap()] {
        assert!(strings.contains(needle), "{needle} missing");
    }
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    assert_eq!(sheet.matches("<row ").count(), 3, "header and the two lines");
}

/// Step 3 «Todos» (§2.9): a product the engine did not suggest to a store, fetched with
/// `todos: true` for that store only, ordered by hand and saved with the batch; more packs of
/// it than the CEDI holds are refused like a manual override.
#[tokio::test]
async fn a_product_added_from_todos_is_saved_in_the_batch_and_checked_against_cedi_stock() {
    let app = spawn_app(true).await;
    let (s, calc) = post(&app, "/api/pedidos-multitienda/calcular", calc_body(false)).await;
    assert_eq!(s, StatusCode::OK, "{calc}");
    // Codes any store of the batch already orders: the CEDI's packs are checked summed over
    // the stores, so the added product must be one no other store takes either.
    let listed: std::collections::HashSet<&str> = calc["pedidos_por_tienda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["productos"].as_array().unwrap().iter().map(|l| l["codigo_producto"].as_str().unwrap()))
        .collect();
    let mut one = calc_body(true);
    one["tiendas_destino"] = json!([{"tienda_id": "tienda_01"}]);
    let (s, every) = post(&app, "/api/pedidos-multitienda/calcular", one).await;
    assert_eq!(s, StatusCode::OK, "{every}");
    let mut candidates: Vec<&Value> = lines_of(&every, "tienda_01")
        .into_values()
        .filter(|l| !listed.contains(l["codigo_producto"].as_str().unwrap()))
        .filter(|l| l["cantidad_sugerida_bultos"] == 0)
        .filter(|l| f64_of(&l["stock_cedi_origen"]) >= 2.0 * f64_of(&l["unidades_por_bulto"]).max(1.0))
        .collect();
    candidates.sort_by_key(|l| l["codigo_producto"].as_str().unwrap());
    let extra = *candidates.first().expect("a product the engine suggested to no store, with CEDI stock");
    let code = extra["codigo_producto"].as_str().unwrap().to_string();
    assert!(!extra["es_sugerido"].as_bool().unwrap());
    let held = (f64_of(&extra["stock_cedi_origen"]) / f64_of(&extra["unidades_por_bulto"]).max(1.0)).floor() as u64;

    let with_extra = |packs: u64| {
        let mut body = save_body(&calc, None);
        let p = body["pedidos"].as_array_mut().unwrap().iter_mut().find(|p| p["tienda_destino_id"] == "tienda_01").unwrap();
        p["productos"].as_array_mut().unwrap().push(json!({"codigo_producto": code, "cantidad_pedida_bultos": packs, "incluido": true}));
        body
    };
    let (s, e) = post(&app, "/api/pedidos-multitienda/guardar-lote", with_extra(held + 1)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["detail"].as_str().unwrap().contains(&code), "{e}");
    assert_eq!(count(&app, "SELECT count(*) FROM pedidos_sugeridos"), 0, "nothing saved");

    let (s, saved) = post(&app, "/api/pedidos-multitienda/guardar-lote", with_extra(2)).await;
    assert_eq!(s, StatusCode::CREATED, "{saved}");
    let id = saved["pedidos_creados"].as_array().unwrap().iter().find(|p| p["tienda_id"] == "tienda_01").unwrap()["pedido_id"].clone();
    let r = app
        .client
        .get(app.url(&format!("/api/pedidos-sugeridos/{}", id.as_str().unwrap())))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    let order: Value = r.json().await.unwrap();
    let line =
        order["lineas"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code.as_str()).expect("the added product is a line");
    assert_eq!(line["cantidad_pedida_bultos"], 2);
    assert_eq!(line["cantidad_sugerida_bultos"].as_f64().unwrap(), extra["cantidad_sugerida_bultos"].as_f64().unwrap());
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}
