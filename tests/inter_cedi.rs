//! Inter-CEDI calculation (spec 31 §3) on the `tiny` chain with a receiving CEDI for the
//! Caracas region and a route from CEDI Seco: every line recomputed independently from the
//! raw daily sales and stock in SQL, the CLI equal to the API, exclusions and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;
use std::process::Command;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app_with, with_receiving_cedi, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

async fn calculate(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let r = app.client.post(app.url("/api/pedidos-inter-cedi/calcular")).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

fn body() -> Value {
    json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "fecha": today().to_string()})
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test]
async fn every_line_matches_a_recomputation_from_raw_sql_and_the_cli_agrees() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let (status, calc) = calculate(&app, body()).await;
    assert_eq!(status, StatusCode::OK, "{calc}");
    assert_eq!(calc["region"], "CARACAS");
    assert_eq!(calc["num_tiendas_region"], 1);
    assert_eq!(calc["configuracion"]["dias_cobertura_congelados"], 5, "from the route in tenant.toml");
    assert_eq!(calc["configuracion"]["dias_cobertura_a"], 12, "the spec's default");

    // Independent figures: per product, the Caracas store's P75 (PERCENTILE_CONT over the
    // days with sales of the 30 days before today), sample σ, units for the rank, stocks.
    let (from, to) = ((today() - Duration::days(30)).to_string(), (today() - Duration::days(1)).to_string());
    let r = app.state.warehouse.reader().unwrap();
    let mut sql = r
        .prepare(
            "SELECT producto_codigo, quantile_cont(q, 0.75), coalesce(stddev_samp(q), 0), sum(q) FROM
               (SELECT producto_codigo, fecha, sum(cantidad)::DOUBLE AS q FROM ventas_diarias
                WHERE ubicacion_id = 'tienda_02' AND fecha BETWEEN ?::DATE AND ?::DATE GROUP BY 1, 2)
             GROUP BY 1",
        )
        .unwrap();
    let demand: HashMap<String, (f64, f64, f64)> = sql
        .query_map(duckdb::params![from, to], |row| Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?, row.get(3)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let stock = |loc: &str| -> HashMap<String, f64> {
        let mut s =
            r.prepare("SELECT producto_codigo, sum(cantidad)::DOUBLE FROM inventario_actual WHERE ubicacion_id = ? GROUP BY 1").unwrap();
        s.query_map([loc], |row| Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let (dest, origin) = (stock("cedi_caracas"), stock("cedi_seco"));
    let generators: std::collections::HashSet<String> = r
        .prepare("SELECT codigo FROM productos_v WHERE es_generador_trafico")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut ranked: Vec<(&String, f64)> = demand.iter().filter(|(_, d)| d.2 > 0.0).map(|(c, d)| (c, d.2)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let class_of = |code: &str| match ranked.iter().position(|(c, _)| c.as_str() == code).map(|i| i + 1) {
        Some(r) if r <= 50 => "A",
        Some(r) if r <= 200 => "B",
        Some(r) if r <= 800 => "C",
        _ => "D",
    };

    let lines = calc["productos"].as_array().unwrap();
    assert!(lines.len() > 100, "every product of the origin: {}", lines.len());
    let mut ordered = 0;
    for l in lines {
        let code = l["codigo_producto"].as_str().unwrap();
        let (p, sigma_s, _) = demand.get(code).copied().unwrap_or((0.0, 0.0, 0.0));
        assert!((f(&l["demanda_regional_p75"]) - p).abs() < 1e-6, "{code} P75");
        assert_eq!(l["clasificacion_abc"], class_of(code), "{code} regional class");
        // Spec 40 §5.3: an active traffic generator is computed as class A (z, coverage days).
        let generator = generators.contains(code);
        assert_eq!(l["es_generador_trafico"], generator, "{code} traffic generator");
        let class = if generator { "A" } else { class_of(code) };
        assert_eq!(l["clase_efectiva"], class, "{code} class used");
        let u = f(&l["unidades_por_bulto"]);
        let (xd, xo) = (dest.get(code).copied().unwrap_or(0.0), origin.get(code).copied().unwrap_or(0.0));
        assert_eq!(f(&l["stock_cedi_destino"]), xd, "{code}");
        let days = f(&l["dias_cobertura"]);
        let category = l["categoria"].as_str().unwrap_or("").to_uppercase();
        let frozen = l["cuadrante"] == "CUADRANTE VI" || ["CONGEL", "HELAD", "REFRIG"].iter().any(|w| category.contains(w));
        assert_eq!(l["es_congelado"], frozen, "{code} frozen goods");
        let expected_days = match (frozen, class) {
            (true, _) => 5.0,
            (_, "A") => 12.0,
            (_, "B") => 15.0,
            _ => 18.0,
        };
        assert_eq!(days, expected_days, "{code} coverage days");
        let origin_packs = (xo.max(0.0) / u + 1e-9).floor();
        let packs = if p <= 0.0 {
            let m: f64 = match class {
                "A" => 10.0,
                "B" => 5.0,
                "C" => 3.0,
                _ => 2.0,
            };
            if xd > 0.0 {
                0.0
            } else {
                m.min(origin_packs)
            }
        } else {
            let sigma = if sigma_s > 0.0 { sigma_s } else { 0.3 * p };
            let z = match class {
                "A" => 2.33,
                "B" => 1.88,
                "C" => 1.28,
                _ => 0.0,
            };
            let lt = 2.0_f64;
            let ss = if class == "D" { (0.3 * p * lt).max(z * sigma * lt.sqrt()) } else { z * sigma * lt.sqrt() };
            let rop = p * lt + ss;
            let max = rop + p * days;
            assert!((f(&l["punto_reorden"]) - rop).abs() < 1e-6, "{code} ROP");
            let ideal = if xd <= rop { (max - xd).max(0.0) } else { 0.0 };
            ((ideal / u) - 1e-9).ceil().max(0.0).min(origin_packs)
        };
        assert_eq!(f(&l["cantidad_sugerida_bultos"]), packs, "{code} packs ({class}, P {p}, dest {xd}, origin {xo})");
        ordered += usize::from(packs > 0.0);
    }
    assert!(ordered > 10, "a route with something to order: {ordered}");
    assert_eq!(calc["total_productos_con_sugerido"], ordered);
    let priorities: Vec<u64> = lines.iter().map(|l| l["prioridad"].as_u64().unwrap()).collect();
    assert!(priorities.windows(2).all(|w| w[0] <= w[1]), "sorted by priority");

    // The CLI prints the same numbers.
    let (_copy, config) = app.snapshot_tenant();
    let out = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args(["order", "inter-cedi", "--config", config.to_str().unwrap(), "--origin", "cedi_seco", "--dest", "cedi_caracas"])
        .args(["--date", &today().to_string(), "--format", "json"])
        .env("FLUXION_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli, calc);
}

#[tokio::test]
async fn excluded_products_and_bad_input() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let (_, calc) = calculate(&app, body()).await;
    let code = calc["productos"][0]["codigo_producto"].as_str().unwrap().to_string();
    app.state
        .app_db
        .lock()
        .unwrap()
        .execute(
            "INSERT INTO productos_excluidos_inter_cedi (cedi_destino_id, codigo_producto, motivo, creado_por) VALUES ('cedi_caracas', ?1, 'SOLO_TIENDA', 'test')",
            [&code],
        )
        .unwrap();
    let (_, after) = calculate(&app, body()).await;
    assert_eq!(after["codigos_excluidos_inter_cedi"], json!([code]));
    assert!(after["productos"].as_array().unwrap().iter().all(|l| l["codigo_producto"] != code.as_str()));
    assert_eq!(after["total_productos"].as_u64().unwrap() + 1, calc["total_productos"].as_u64().unwrap());

    let expect = |(status, body): (StatusCode, Value), needle: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(needle), "{body} should mention {needle}");
    };
    expect(calculate(&app, json!({"cedi_origen_id": "cedi_luna", "cedi_destino_id": "cedi_caracas"})).await, "cedi_luna");
    expect(calculate(&app, json!({"cedi_origen_id": "cedi_caracas", "cedi_destino_id": "cedi_seco"})).await, "No hay una ruta");
    expect(calculate(&app, json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_seco"})).await, "distintos");
    expect(
        calculate(&app, json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "dias_cobertura_a": 0})).await,
        "entre 1 y 60",
    );
    expect(calculate(&app, json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "lead_time_dias": 1.3})).await, "0,5");

    let routes = app.get_json("/api/pedidos-inter-cedi/config/rutas", &app.admin_token).await;
    assert_eq!(routes[0]["cedi_destino_id"], "cedi_caracas");
    assert_eq!(routes[0]["frecuencia_viajes_dias"], "Mar,Jue,Sab");
    assert_eq!(routes[0]["lead_time_dias"], 2.0);
}

#[tokio::test]
async fn exclusions_are_added_by_typed_code_removed_readded_and_pasted_in_bulk() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = app.client.request(method, app.url(path)).bearer_auth(&app.admin_token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move {
            let r = r.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let base = "/api/productos-excluidos-inter-cedi";
    let one = |code: &str, motivo: &str| json!({"cedi_destino_id": "cedi_caracas", "codigo_producto": code, "motivo": motivo});

    // The code as typed, without its leading zeros, finds the product (§7.11).
    let (s, added) = send(reqwest::Method::POST, base, Some(one(" 132 ", "SOLO_TIENDA"))).await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    assert_eq!(added["codigo_producto"], "000132");
    assert_eq!(added["reactivada"], false);
    let (s, b) = send(reqwest::Method::POST, base, Some(one("000132", "MANUAL"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["detail"].as_str().unwrap().contains("ya está excluido"), "{b}");
    let (s, _) = send(reqwest::Method::POST, base, Some(one("999999999", "MANUAL"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = send(reqwest::Method::POST, base, Some(one("000234", "CAPRICHO"))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b["detail"].as_str().unwrap().contains("CAPRICHO"));

    let list = app.get_json(&format!("{base}/cedi_caracas"), &app.admin_token).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["exclusiones"][0]["motivo"], "SOLO_TIENDA");
    assert_eq!(list["exclusiones"][0]["creado_por"], "admin");
    let id = list["exclusiones"][0]["id"].as_i64().unwrap();

    // Removed, then added again: the same row comes back (D-3: the original answered 500).
    let (s, _) = send(reqwest::Method::DELETE, &format!("{base}/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = send(reqwest::Method::DELETE, &format!("{base}/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.get_json(&format!("{base}/codigos/cedi_caracas"), &app.admin_token).await["total"], 0);
    let (s, again) = send(reqwest::Method::POST, base, Some(one("132", "DESCONTINUADO"))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!((again["id"].as_i64().unwrap(), again["reactivada"].as_bool().unwrap()), (id, true));

    // Pasted codes: blanks dropped, each item on its own.
    let (s, bulk) = send(
        reqwest::Method::POST,
        &format!("{base}/bulk"),
        Some(json!({"cedi_destino_id": "cedi_caracas", "codigos_productos": ["000234", " 346", "NOEXISTE", "000132", "", "  "]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{bulk}");
    assert_eq!(
        (&bulk["total_recibidos"], &bulk["exitosos"], &bulk["duplicados"], &bulk["no_encontrados"]),
        (&json!(4), &json!(2), &json!(1), &json!(1)),
        "{bulk}"
    );
    assert_eq!(bulk["codigos_no_encontrados"], json!(["NOEXISTE"]));
    let (s, _) =
        send(reqwest::Method::POST, &format!("{base}/bulk"), Some(json!({"cedi_destino_id": "cedi_caracas", "codigos_productos": [" "]})))
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no codes at all");

    let stats = app.get_json(&format!("{base}/estadisticas/cedi_caracas"), &app.admin_token).await;
    assert_eq!(stats["total_excluidos"], 3);
    assert_eq!(stats["por_motivo"], json!({"DESCONTINUADO": 1, "MANUAL": 2}));
    let (_, calc) = calculate(&app, body()).await;
    assert_eq!(calc["codigos_excluidos_inter_cedi"], json!(["000132", "000234", "000346"]), "the calculation leaves them out");

    // Only administrators change exclusions; buyers read them.
    app.add_user("compras", "clave-de-prueba-9", "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", "clave-de-prueba-9").await;
    let r = app.client.post(app.url(base)).bearer_auth(&buyer).json(&one("000309", "MANUAL")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.client.get(app.url(&format!("{base}/cedi_caracas"))).bearer_auth(&buyer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
