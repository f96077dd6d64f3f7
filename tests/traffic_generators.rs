//! *Generadores de Tráfico* (spec 40 §5) on the `tiny` chain through the API: the metrics
//! recomputed from the raw sale lines (distinct tickets, the bag left out, ranks with ties by
//! code), the suggestion run and the actions' state machine with its refusals, the settings,
//! and the effect of an approval on the replenishment engine — the same product computed as
//! class A in a single-store order and in a multi-store batch — and on *Candidatos a Eliminar*.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The business date of the rebuild and the calculations: the day after the last generated day.
fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.get_with_status(path, &app.admin_token).await
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
    let r = app.client.request(method, app.url(path)).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn mark(app: &TestApp, code: &str, accion: &str) -> (StatusCode, Value) {
    send(app, reqwest::Method::POST, "/api/generadores-trafico/marcar", json!({"producto_codigo": code, "accion": accion})).await
}

/// The nightly rebuild (classification caches and traffic-generator metrics).
async fn rebuild(app: &TestApp) {
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || {
        let db = fluxion::appdb::connect(&state.app_db_path).unwrap();
        fluxion::classification::rebuild(&state.tenant, &state.warehouse, &db, today()).unwrap()
    })
    .await
    .unwrap();
}

/// Per product (revenue, tickets, rank by revenue, rank by tickets, GAP) and the window's ticket
/// total, from the raw lines of the 30 days before `today()` in the active stores, the bag
/// `003760` left out. Tickets are distinct (store, invoice) pairs.
/// (revenue, tickets, rank by revenue, rank by tickets, GAP) of one product.
type Raw = (f64, i64, i64, i64, i64);

fn raw_metrics(app: &TestApp) -> (HashMap<String, Raw>, i64) {
    let r = app.state.warehouse.reader().unwrap();
    let (from, to) = ((today() - Duration::days(30)).to_string(), (today() - Duration::days(1)).to_string());
    let lines = "SELECT * FROM ventas WHERE fecha BETWEEN ?::DATE AND ?::DATE AND producto_codigo <> '003760'
                 AND ubicacion_id IN ('tienda_01', 'tienda_02')";
    let total: i64 = r
        .query_row(
            &format!("SELECT count(DISTINCT ubicacion_id || '|' || numero_factura) FROM ({lines})"),
            duckdb::params![from, to],
            |x| x.get(0),
        )
        .unwrap();
    let mut stmt = r
        .prepare(&format!(
            "WITH p AS (SELECT producto_codigo, sum(venta_total)::DOUBLE AS v, count(DISTINCT ubicacion_id || '|' || numero_factura) AS t
                        FROM ({lines}) GROUP BY 1),
                  r AS (SELECT *, row_number() OVER (ORDER BY v DESC, producto_codigo) AS rv,
                                  row_number() OVER (ORDER BY t DESC, producto_codigo) AS rt FROM p)
             SELECT producto_codigo, v, t, rv, rt, rv - rt FROM r"
        ))
        .unwrap();
    let rows = stmt
        .query_map(duckdb::params![from, to], |x| Ok((x.get::<_, String>(0)?, (x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?, x.get(5)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (rows, total)
}

fn active_generators(app: &TestApp) -> HashSet<String> {
    let r = app.state.warehouse.reader().unwrap();
    let mut stmt = r.prepare("SELECT codigo FROM productos_v WHERE es_generador_trafico").unwrap();
    stmt.query_map([], |x| x.get(0)).unwrap().map(Result::unwrap).collect()
}

#[tokio::test]
async fn metrics_are_the_raw_lines_distinct_tickets_without_the_bag() {
    let app = spawn_app(true).await;
    rebuild(&app).await;
    let (raw, total) = raw_metrics(&app);
    assert!(raw.len() > 100, "the chain sells hundreds of products: {}", raw.len());
    assert!(!raw.contains_key("003760"));

    let (s, list) = get(&app, "/api/generadores-trafico/productos?tab=todos&limit=2000").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["ventana"]["total_tickets"], total, "the window's tickets, the bag-only ones left out");
    assert_eq!(list["ventana"]["periodo_fin"], end_date().to_string());
    assert_eq!(list["datos_al"], end_date().to_string());
    let expected: Vec<&String> = raw.iter().filter(|(_, m)| m.4 > 200).map(|(c, _)| c).collect();
    let rows = list["productos"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "«Todos los productos» lists every GAP above 200");
    assert_eq!(list["total"], expected.len());
    assert!(rows.windows(2).all(|w| w[0]["gap"].as_i64() >= w[1]["gap"].as_i64()), "by GAP, highest first");
    for row in rows {
        let code = row["producto_codigo"].as_str().unwrap();
        let (v, t, rv, rt, gap) = raw[code];
        assert!((f(&row["venta_30d"]) - v).abs() < 0.006, "{code} revenue");
        assert_eq!(row["tickets_30d"], t, "{code} tickets");
        assert_eq!((row["rank_venta"].as_i64().unwrap(), row["rank_penetracion"].as_i64().unwrap()), (rv, rt), "{code} ranks");
        assert_eq!(row["gap"], gap, "{code}");
        let pen = t as f64 / total as f64 * 100.0;
        assert!((f(&row["penetracion_pct"]) - pen).abs() < 0.00006, "{code} penetration to 4 dp: {} vs {pen}", row["penetracion_pct"]);
    }

    // Every product, not only those above 200: through each product's detail.
    for (code, (v, t, rv, rt, gap)) in raw.iter().take(40) {
        let (s, d) = get(&app, &format!("/api/generadores-trafico/historial/{code}")).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let p = &d["producto"];
        assert!((f(&p["venta_30d"]) - v).abs() < 0.006, "{code}");
        assert_eq!((p["tickets_30d"].as_i64(), p["rank_venta"].as_i64(), p["rank_penetracion"].as_i64()), (Some(*t), Some(*rv), Some(*rt)));
        assert_eq!(p["gap"], *gap);
        let text = d["explicacion_gap"].as_str().unwrap();
        assert!(text.contains(&format!("{rv} − {rt} = {gap}")), "{text}");
    }
    // The bag has no metrics; an unknown code is not found.
    let (s, bag) = get(&app, "/api/generadores-trafico/historial/003760").await;
    assert_eq!(s, StatusCode::OK);
    assert!(bag["producto"]["gap"].is_null(), "{bag}");
    let (s, _) = get(&app, "/api/generadores-trafico/historial/NOEXISTE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Excluding a second product moves the ticket total and drops it from the ranking.
    let (code, _) = raw.iter().max_by_key(|(c, m)| (m.1, c.to_string())).unwrap();
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/generadores-trafico/config",
        json!({"clave": "producto_excluido_bolsas", "valor": format!("003760,{code}")}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    rebuild(&app).await;
    let (_, d) = get(&app, &format!("/api/generadores-trafico/historial/{code}")).await;
    assert!(d["producto"]["rank_venta"].is_null(), "{code} left the ranking");
    let (_, sum) = get(&app, "/api/generadores-trafico/resumen").await;
    assert!(sum["ventana"]["total_tickets"].as_i64().unwrap() <= total);
}

#[tokio::test]
async fn suggestions_and_actions_follow_the_state_machine() {
    let app = spawn_app(true).await;
    rebuild(&app).await;

    // Settings: one key at a time, unknown → 404, bad value → 422, others only for SA.
    let (s, cfg) = get(&app, "/api/generadores-trafico/config").await;
    assert_eq!(s, StatusCode::OK);
    let keys: Vec<&str> = cfg["configuracion"].as_array().unwrap().iter().map(|c| c["clave"].as_str().unwrap()).collect();
    assert!(keys.contains(&"gap_minimo") && keys.contains(&"producto_excluido_bolsas") && keys.contains(&"dias_analisis"));
    let put = |clave: &str, valor: Value| {
        let app = &app;
        let body = json!({"clave": clave, "valor": valor});
        async move { send(app, reqwest::Method::PUT, "/api/generadores-trafico/config", body).await }
    };
    assert_eq!(put("no_existe", json!(1)).await.0, StatusCode::NOT_FOUND);
    let (s, e) = put("gap_minimo", json!("muchos")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["errors"][0]["field"], "valor");
    let (s, e) = put("gap_minimo", json!(30)).await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["valor"], "30");
    assert_eq!(e["actualizado_por"], "admin");
    app.add_user("gg", "clave-de-prueba-2", "gerente_general", &[]);
    let gg = app.token("gg", "clave-de-prueba-2").await;
    assert_eq!(app.get_with_status("/api/generadores-trafico/resumen", &gg).await.0, StatusCode::FORBIDDEN);

    // The run suggests every product with GAP ≥ 30 that is not an active generator.
    let (raw, _) = raw_metrics(&app);
    let active = active_generators(&app);
    let qualifying: HashSet<&String> = raw.iter().filter(|(c, m)| m.4 >= 30 && !active.contains(*c)).map(|(c, _)| c).collect();
    assert!(qualifying.len() >= 3, "the fixture needs products with a GAP of 30: {}", qualifying.len());
    let (s, run) = send(&app, reqwest::Method::POST, "/api/generadores-trafico/calcular-sugerencias", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    assert_eq!(run["nuevas_sugerencias"], qualifying.len());
    assert_eq!(run["sugerencias_removidas"], 0);
    assert_eq!(run["gap_minimo"], 30);
    let (_, sum) = get(&app, "/api/generadores-trafico/resumen").await;
    assert_eq!(sum["sugeridos"], qualifying.len());
    assert_eq!(sum["activos"], active.len());
    assert_eq!(sum["candidatos_gap_alto"], raw.values().filter(|m| m.4 > 200).count());
    assert_eq!(sum["ultimo_calculo"]["usuario"], "admin");
    let mean = qualifying.iter().map(|c| raw[*c].4 as f64).sum::<f64>() / qualifying.len() as f64;
    assert!((f(&sum["gap_promedio_sugeridos"]) - mean).abs() < 0.051);

    let (_, tab) = get(&app, "/api/generadores-trafico/productos").await;
    assert_eq!(tab["tab"], "sugeridos", "the default tab");
    let listed: HashSet<String> =
        tab["productos"].as_array().unwrap().iter().map(|r| r["producto_codigo"].as_str().unwrap().into()).collect();
    assert_eq!(listed.len(), qualifying.len());
    assert!(tab["productos"].as_array().unwrap().iter().all(|r| r["estado"] == "sugerido"));
    let (_, page) = get(&app, "/api/generadores-trafico/productos?tab=sugeridos&limit=2&offset=1").await;
    assert_eq!(page["productos"].as_array().unwrap().len(), 2);
    assert_eq!(page["productos"][0], tab["productos"][1], "offset pages through the same order");

    // A second run changes nothing.
    let (_, again) = send(&app, reqwest::Method::POST, "/api/generadores-trafico/calcular-sugerencias", json!({})).await;
    assert_eq!((again["nuevas_sugerencias"].as_u64(), again["sugerencias_removidas"].as_u64()), (Some(0), Some(0)));

    let code = tab["productos"][0]["producto_codigo"].as_str().unwrap().to_string();
    // Bad requests: unknown action 400, unknown product 404.
    assert_eq!(mark(&app, &code, "marcar").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(mark(&app, "NOEXISTE", "aprobar").await.0, StatusCode::NOT_FOUND);

    let (s, d) = mark(&app, &code, "aprobar").await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["producto"]["estado"], "activo");
    assert!(d["producto"]["fecha_marcado"].is_string());
    assert!(active_generators(&app).contains(&code), "the product view (what the engines read) has it");
    let (s, e) = mark(&app, &code, "rechazar").await;
    assert_eq!(s, StatusCode::CONFLICT, "an active generator is not rejected: {e}");
    assert_eq!(e["code"], "generador_activo");
    let (_, act) = get(&app, "/api/generadores-trafico/productos?tab=activos").await;
    assert!(act["productos"].as_array().unwrap().iter().any(|r| r["producto_codigo"] == code.as_str()));

    // Removed → ninguno, and the next run suggests it again.
    let (_, d) = mark(&app, &code, "remover").await;
    assert_eq!(d["producto"]["estado"], "ninguno");
    assert!(!active_generators(&app).contains(&code));
    let (_, run) = send(&app, reqwest::Method::POST, "/api/generadores-trafico/calcular-sugerencias", json!({})).await;
    assert_eq!(run["nuevas_sugerencias"], 1, "{run}");
    let (_, d) = get(&app, &format!("/api/generadores-trafico/historial/{code}")).await;
    assert_eq!(d["producto"]["estado"], "sugerido");

    // Rejected → ignorado, and never suggested again.
    let (_, d) = mark(&app, &code, "rechazar").await;
    assert_eq!(d["producto"]["estado"], "ignorado");
    let (_, run) = send(&app, reqwest::Method::POST, "/api/generadores-trafico/calcular-sugerencias", json!({})).await;
    assert_eq!(run["nuevas_sugerencias"], 0);
    let (_, ign) = get(&app, "/api/generadores-trafico/productos?tab=ignorados").await;
    assert_eq!(ign["productos"].as_array().unwrap().iter().map(|r| r["producto_codigo"].clone()).collect::<Vec<_>>(), vec![json!(code)]);

    // The history, newest first, with the acting user and the product's figures.
    let (_, d) = get(&app, &format!("/api/generadores-trafico/historial/{code}")).await;
    let actions: Vec<&str> = d["historial"].as_array().unwrap().iter().map(|h| h["accion"].as_str().unwrap()).collect();
    assert_eq!(actions, ["rechazado", "sugerido", "removido", "aprobado", "sugerido"]);
    let h = &d["historial"][0];
    assert_eq!(h["usuario"], "admin");
    assert_eq!(h["gap"], raw[&code].4);
    assert_eq!(h["tickets_30d"], raw[&code].1);

    // Raising the minimum withdraws the suggestions that no longer qualify.
    put("gap_minimo", json!(100_000)).await;
    let (_, run) = send(&app, reqwest::Method::POST, "/api/generadores-trafico/calcular-sugerencias", json!({})).await;
    assert_eq!(run["sugerencias_removidas"], qualifying.len() - 1, "all but the ignored one");
    let (_, sum) = get(&app, "/api/generadores-trafico/resumen").await;
    assert_eq!((sum["sugeridos"].as_u64(), sum["ignorados"].as_u64()), (Some(0), Some(1)));
}

async fn single_store(app: &TestApp) -> Value {
    let body = json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string()});
    let (s, v) = send(app, reqwest::Method::POST, "/api/pedidos-sugeridos/calcular", body).await;
    assert_eq!(s, StatusCode::OK);
    v
}

async fn multi_store(app: &TestApp) -> Value {
    let body = json!({
        "cedi_origen": "cedi_seco",
        "tiendas_destino": [{"tienda_id": "tienda_01"}, {"tienda_id": "tienda_02"}],
        "fecha": today().to_string(),
        "todos": true,
    });
    let (s, v) = send(app, reqwest::Method::POST, "/api/pedidos-multitienda/calcular", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn line<'a>(single: &'a Value, code: &str) -> &'a Value {
    single["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code).unwrap()
}

fn multi_line<'a>(calc: &'a Value, store: &str, code: &str) -> &'a Value {
    let p = calc["pedidos_por_tienda"].as_array().unwrap().iter().find(|p| p["tienda_id"] == store).unwrap();
    p["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code).unwrap()
}

#[tokio::test]
async fn an_approved_generator_is_computed_as_class_a_in_single_and_multi_store_orders() {
    let app = spawn_app(true).await;
    rebuild(&app).await;
    let before = single_store(&app).await;
    let multi_before = multi_store(&app).await;
    // A class C product computed with the statistical method and some variability.
    let candidate = before["productos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            l["clasificacion_abc"] == "C"
                && l["clase_efectiva"] == "C"
                && !l["es_generador_trafico"].as_bool().unwrap()
                && l["metodo_calculo"] == "estadistico"
                && f(&l["explicacion"]["entradas"]["sigma_usada"]) > 0.0
        })
        .expect("a class C product with σ > 0");
    let code = candidate["codigo_producto"].as_str().unwrap().to_string();
    assert!(!candidate["warnings_calculo"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("Generador de tráfico")));
    let (ss_c, sigma) = (f(&candidate["stock_seguridad"]), f(&candidate["explicacion"]["entradas"]["sigma_usada"]));
    assert_eq!(f(&candidate["explicacion"]["parametros"]["z"]["valor"]), 1.28);
    let m_before = multi_line(&multi_before, "tienda_01", &code);
    assert!((f(&m_before["stock_seguridad"]) - ss_c).abs() < 1e-6, "the multi-store batch runs the same engine");

    let (s, d) = mark(&app, &code, "aprobar").await;
    assert_eq!(s, StatusCode::OK, "{d}");

    // The next calculation sees it (no memo reset: the approval itself must invalidate it).
    let after = single_store(&app).await;
    let l = line(&after, &code);
    assert_eq!(l["clasificacion_abc"], "C", "the ABC class is still reported");
    assert_eq!(l["clase_efectiva"], "A");
    assert_eq!(l["es_generador_trafico"], true);
    assert_eq!(l["explicacion"]["entradas"]["motivo_clase"], "generador_trafico");
    let z_a = f(&l["explicacion"]["parametros"]["z"]["valor"]);
    assert_eq!(z_a, 2.33);
    let lt = f(&l["explicacion"]["parametros"]["lead_time"]["valor"]);
    assert!((f(&l["stock_seguridad"]) - 2.33 * sigma * lt.sqrt()).abs() < 1e-6, "class A service level: {l}");
    assert!(f(&l["stock_seguridad"]) > ss_c);
    assert!(l["warnings_calculo"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("Generador de tráfico: calculado como clase A")));
    // Every other line is unchanged.
    for (a, b) in before["productos"].as_array().unwrap().iter().zip(after["productos"].as_array().unwrap()) {
        if a["codigo_producto"] != code.as_str() {
            assert_eq!(a, b, "{} changed", a["codigo_producto"]);
        }
    }

    let multi_after = multi_store(&app).await;
    let m = multi_line(&multi_after, "tienda_01", &code);
    assert!((f(&m["stock_seguridad"]) - f(&l["stock_seguridad"])).abs() < 1e-6, "class A in the multi-store batch too");
    assert!((f(&m["stock_maximo"]) - f(&l["stock_maximo"])).abs() < 1e-6);
    assert!(f(&m["stock_seguridad"]) > f(&m_before["stock_seguridad"]));

    // Removed: computed as class C again, byte for byte as before.
    mark(&app, &code, "remover").await;
    let again = single_store(&app).await;
    assert_eq!(line(&again, &code), candidate, "the line as before the approval");
}

#[tokio::test]
async fn an_active_generator_is_never_a_removal_candidate() {
    let app = spawn_app(true).await;
    rebuild(&app).await;
    let path = format!("/api/bi/products/eliminate?fecha_fin={}&limite=100", end_date());
    let (s, before) = get(&app, &path).await;
    assert_eq!(s, StatusCode::OK, "{before}");
    let rows = before["productos"].as_array().unwrap();
    let active = active_generators(&app);
    assert!(rows.iter().all(|r| !active.contains(r["producto_codigo"].as_str().unwrap())));
    let code = rows.first().expect("the chain has removal candidates")["producto_codigo"].as_str().unwrap().to_string();
    assert_eq!(mark(&app, &code, "aprobar").await.0, StatusCode::OK);
    let (_, after) = get(&app, &path).await;
    let codes: Vec<&str> = after["productos"].as_array().unwrap().iter().map(|r| r["producto_codigo"].as_str().unwrap()).collect();
    assert!(!codes.contains(&code.as_str()));
    let others: Vec<&str> = rows.iter().map(|r| r["producto_codigo"].as_str().unwrap()).filter(|c| *c != code).collect();
    assert_eq!(&codes[..others.len().min(codes.len())], &others[..others.len().min(codes.len())], "only the generator left the list");
}
