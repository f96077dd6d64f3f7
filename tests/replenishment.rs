//! The replenishment engine on the `tiny` synthetic chain, through the API and the CLI,
//! with a handful of lines recomputed independently from the raw sale lines and stock.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::process::Command;

use chrono::{Duration, NaiveDate};
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The business date of the calculation: the day after the last generated day.
fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

async fn calculate(app: &common::TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url("/api/pedidos-sugeridos/calcular")).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn proposal(app: &common::TestApp) -> Value {
    let r =
        calculate(app, &app.admin_token, json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string()}))
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test]
async fn suggested_lines_match_an_independent_recomputation_from_raw_sql() {
    let app = spawn_app(true).await;
    let body = proposal(&app).await;
    assert_eq!(body["tienda_destino"], "tienda_01");
    assert_eq!(body["cedi_origen"], "cedi_seco");
    assert_eq!(body["fecha"], today().to_string());
    let lines = body["productos"].as_array().unwrap();
    assert!(lines.len() > 100, "every candidate is returned, ordered or not");
    assert!(lines.iter().any(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0));

    let wh = app.state.warehouse.reader().unwrap();
    let d20 = today() - Duration::days(20);
    let d30 = today() - Duration::days(30);
    let yesterday = today() - Duration::days(1);
    // Independent ABC: rank by 30-day quantity (ties by code), bag product excluded.
    let abc_rank = |code: &str| -> Option<i64> {
        wh.query_row(
            "SELECT r FROM (SELECT producto_codigo, row_number() OVER (ORDER BY sum(cantidad_vendida) DESC, producto_codigo) r
                            FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha BETWEEN ? AND ? AND producto_codigo <> '003760'
                            GROUP BY producto_codigo) WHERE producto_codigo = ?",
            duckdb::params![d30, yesterday, code],
            |r| r.get(0),
        )
        .ok()
    };
    // Checked lines: the five biggest sellers and five ordered lines further down.
    let ordered: Vec<&Value> = lines.iter().filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).collect();
    let checked: Vec<&Value> = lines.iter().take(5).chain(ordered.iter().rev().take(5).copied()).collect();
    let mut statistical_checked = 0;
    for l in checked {
        let code = l["codigo_producto"].as_str().unwrap();
        let (p75, mean): (Option<f64>, Option<f64>) = wh
            .query_row(
                "SELECT quantile_cont(q, 0.75), avg(q) FROM (
                     SELECT fecha, sum(cantidad_vendida)::DOUBLE q FROM ventas
                     WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ? AND fecha BETWEEN ? AND ? GROUP BY fecha)",
                duckdb::params![code, d20, yesterday],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let sigma: Option<f64> = wh
            .query_row(
                "SELECT stddev_samp(q) FROM (SELECT fecha, sum(cantidad_vendida)::DOUBLE q FROM ventas
                     WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ? AND fecha BETWEEN ? AND ? GROUP BY fecha)",
                duckdb::params![code, d30, yesterday],
                |r| r.get(0),
            )
            .unwrap();
        let stock = |loc: &str| -> f64 {
            wh.query_row(
                "SELECT coalesce(sum(cantidad), 0)::DOUBLE FROM inventario_actual WHERE ubicacion_id = ? AND producto_codigo = ?",
                duckdb::params![loc, code],
                |r| r.get(0),
            )
            .unwrap()
        };
        let metodo = l["metodo_calculo"].as_str().unwrap_or("");
        if metodo == "estadistico" || metodo == "padre_prudente" {
            assert!((f(&l["prom_p75_unid"]) - p75.unwrap()).abs() < 1e-3, "{code} P75");
            assert!((f(&l["prom_ventas_20dias_unid"]) - mean.unwrap()).abs() < 1e-3, "{code} 20-day mean");
        }
        assert!((f(&l["stock_tienda"]) - stock("tienda_01")).abs() < 1e-3, "{code} store stock");
        assert!((f(&l["stock_cedi_origen"]) - stock("cedi_seco")).abs() < 1e-3, "{code} CEDI stock");
        let rank = abc_rank(code);
        let expected_class = rank.map(|r| {
            if r <= 50 {
                "A"
            } else if r <= 200 {
                "B"
            } else if r <= 800 {
                "C"
            } else {
                "D"
            }
        });
        assert_eq!(l["clasificacion_abc"].as_str(), expected_class, "{code} ABC (rank {rank:?})");

        // Units are whole packs; the CEDI cap holds.
        let upb = f(&l["cantidad_bultos"]);
        let packs = l["cantidad_sugerida_bultos"].as_u64().unwrap() as f64;
        assert!((f(&l["cantidad_sugerida_unid"]) - packs * upb).abs() < 1e-6, "{code} whole packs");
        assert!(packs <= (stock("cedi_seco").max(0.0) / upb + 1e-9).floor(), "{code} within CEDI stock");

        // SS / ROP / MAX of a statistical line, from the SQL figures and the default parameters.
        if metodo == "estadistico" && !l["es_generador_trafico"].as_bool().unwrap() && sigma.is_some_and(|s| s > 0.0) {
            let class = l["clase_efectiva"].as_str().unwrap();
            let (z, cov) = match class {
                "A" => (2.33, 7.0),
                "B" => (1.88, 14.0),
                _ => (1.28, 21.0),
            };
            let (d, lt) = (p75.unwrap(), 1.5_f64);
            let ss = z * sigma.unwrap() * lt.sqrt();
            let rop = d * lt + ss;
            let max = rop + d * cov;
            assert!((f(&l["stock_seguridad"]) - ss).abs() < 1e-3, "{code} SS");
            assert!((f(&l["punto_reorden"]) - rop).abs() < 1e-3, "{code} ROP");
            assert!((f(&l["stock_maximo"]) - max).abs() < 1e-3, "{code} MAX");
            let e = stock("tienda_01");
            let need = if e <= rop { (max - e).max(0.0) } else { 0.0 };
            let expected_packs = ((need / upb) - 1e-9).ceil().max(0.0).min((stock("cedi_seco").max(0.0) / upb + 1e-9).floor());
            assert_eq!(packs, expected_packs, "{code} packs");
            statistical_checked += 1;
        }
        // Every line says which rule decided its quantity.
        assert!(l["explicacion"]["regla_decisiva"].is_string(), "{code} explained");
    }
    assert!(statistical_checked >= 3, "enough statistical lines checked: {statistical_checked}");
}

#[tokio::test]
async fn the_cli_gives_the_same_answer_as_the_api_every_time() {
    let app = spawn_app(true).await;
    let api = proposal(&app).await;
    let (_copy, config) = app.snapshot_tenant();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_fluxion"))
            .args(["order", "suggest", "--config", config.to_str().unwrap(), "--store", "tienda_01", "--cedi", "cedi_seco"])
            .args(["--date", &today().to_string(), "--format", "json"])
            .env("FLUXION_LOG", "warn")
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let second = run();
    assert_eq!(first.stdout, second.stdout, "a pure function of data, configuration and date");
    let cli: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(cli, api);

    // Default CEDI: the tiny chain has one, which supplies both stores.
    let default = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args(["order", "suggest", "--config", config.to_str().unwrap(), "--store", "tienda_01"])
        .args(["--date", &today().to_string(), "--format", "csv"])
        .output()
        .unwrap();
    assert!(default.status.success());
    let csv = String::from_utf8(default.stdout).unwrap();
    assert!(csv.starts_with("tienda_destino,cedi_origen,fecha,codigo_producto"));
    assert_eq!(csv.lines().count() - 1, api["productos"].as_array().unwrap().len());

    let all = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args(["order", "suggest", "--config", config.to_str().unwrap(), "--all-stores"])
        .args(["--date", &today().to_string(), "--format", "json"])
        .output()
        .unwrap();
    assert!(all.status.success());
    let all: Value = serde_json::from_slice(&all.stdout).unwrap();
    let stores: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["tienda_destino"].as_str().unwrap()).collect();
    assert_eq!(stores, ["tienda_01", "tienda_02"]);
    assert_eq!(all[0], api, "the network run gives the same per-store answer");
}

#[tokio::test]
async fn configuration_changes_take_effect_on_the_next_calculation() {
    let app = spawn_app(true).await;
    let before = proposal(&app).await;
    let line = |body: &Value, code: &str| -> Value {
        body["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code).cloned().unwrap_or(Value::Null)
    };
    let admin = |method: reqwest::Method, path: &str, body: Value| {
        let req = app.client.request(method, app.url(path)).bearer_auth(app.admin_token.clone()).json(&body);
        async move { req.send().await.unwrap() }
    };
    // The product with the biggest order.
    let target =
        before["productos"].as_array().unwrap().iter().max_by_key(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap()).unwrap().clone();
    let code = target["codigo_producto"].as_str().unwrap().to_string();

    // A storage capacity caps the order with floor, keeping the stock within the capacity.
    let stock = f(&target["stock_total"]);
    let upb = f(&target["cantidad_bultos"]);
    let capacity = stock.max(0.0) + 2.5 * upb;
    let r = admin(
        reqwest::Method::POST,
        "/api/config-inventario/capacidad-almacenamiento",
        json!({"tienda_id": "tienda_01", "producto_codigo": code, "capacidad_maxima_unidades": capacity, "tipo_restriccion": "anaquel"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let capped = line(&proposal(&app).await, &code);
    assert_eq!(capped["ajustado_por_capacidad"], true);
    assert_eq!(capped["cantidad_sugerida_bultos"], 2, "floor(2.5 packs of free space)");
    assert!(stock + f(&capped["cantidad_sugerida_unid"]) <= capacity + 1e-9);
    assert_eq!(capped["explicacion"]["regla_decisiva"], "capacidad");

    // An exclusion removes the product from the store's proposal.
    let r = admin(
        reqwest::Method::POST,
        "/api/productos-excluidos",
        json!({"tienda_id": "tienda_01", "codigo_producto": code, "motivo": "DESCONTINUADO"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(line(&proposal(&app).await, &code).is_null());
    let r = admin(reqwest::Method::DELETE, &format!("/api/productos-excluidos/tienda_01/{code}"), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!line(&proposal(&app).await, &code).is_null());

    // A store override of 0 coverage days is a real 0: MAX falls to ROP.
    let r = admin(
        reqwest::Method::PUT,
        "/api/config-inventario/parametros-abc/tienda/tienda_01",
        json!({"dias_cobertura_a": 0, "dias_cobertura_b": 0, "dias_cobertura_c": 0, "dias_cobertura_d": 0}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let zero = proposal(&app).await;
    for l in zero["productos"].as_array().unwrap().iter().filter(|l| l["metodo_calculo"] == "estadistico").take(20) {
        assert!((f(&l["stock_maximo"]) - f(&l["punto_reorden"])).abs() < 1e-9, "MAX = ROP with 0 coverage");
        assert_eq!(l["explicacion"]["parametros"]["cobertura_dias"]["fuente"], "tienda");
    }

    // Switching the ABC model is instant.
    let r = admin(reqwest::Method::PUT, "/api/config-inventario/parametros-abc/modelo-activo", json!({"modelo": "pareto_valor"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let pareto = proposal(&app).await;
    let classes = |b: &Value| -> Vec<Option<String>> {
        b["productos"].as_array().unwrap().iter().map(|l| l["clasificacion_abc"].as_str().map(String::from)).collect()
    };
    assert_ne!(classes(&pareto), classes(&zero), "classes follow the active model at once");

    // Invalid values are refused with the field named, and nothing changes.
    let r = admin(
        reqwest::Method::PUT,
        "/api/config-inventario/parametros-abc/umbrales",
        json!({"umbral_a": 300, "umbral_b": 200, "umbral_c": 800}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "umbral_a");
    let r = admin(reqwest::Method::PUT, "/api/config-inventario/parametros-abc/modelo-activo", json!({"modelo": "magia"})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let audit: Value = app.get_admin("/api/admin/audit?accion=cambiar_modelo_abc").await.json().await.unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn store_managers_calculate_only_for_their_store_and_bad_requests_are_named() {
    let app = spawn_app(true).await;
    app.add_user("gerente.uno", "clave-gerente-1", "gerente_tienda", &["tienda_01"]);
    let t = app.token("gerente.uno", "clave-gerente-1").await;
    let body = |store: &str| json!({"cedi_origen": "cedi_seco", "tienda_destino": store, "fecha": today().to_string()});
    assert_eq!(calculate(&app, &t, body("tienda_01")).await.status(), StatusCode::OK);
    let r = calculate(&app, &t, body("tienda_02")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "store_forbidden");

    let r = calculate(&app, &app.admin_token, body("tienda_99")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "tienda_destino");
    let r = calculate(&app, &app.admin_token, json!({"cedi_origen": "tienda_02", "tienda_destino": "tienda_01"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "cedi_origen");
    let r = calculate(&app, &app.admin_token, json!({"tienda_destino": "tienda_01", "fecha": "26/11/2026"})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], "fecha");
}

#[tokio::test]
async fn classification_caches_agree_with_the_engine_and_follow_the_active_model() {
    let app = spawn_app(true).await;
    let report = {
        let app_db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
        fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &app_db, today()).unwrap()
    };
    assert_eq!(report.stores, 2);
    assert!(report.rows > 200);
    let body = proposal(&app).await;
    let cached: std::collections::HashMap<String, (String, Option<String>)> = {
        let r = app.state.warehouse.reader().unwrap();
        let mut stmt =
            r.prepare("SELECT producto_codigo, clase_abc, clase_xyz FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01'").unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))).unwrap();
        rows.map(Result::unwrap).collect()
    };
    let mut compared = 0;
    for l in body["productos"].as_array().unwrap() {
        let code = l["codigo_producto"].as_str().unwrap();
        if let Some((class, _)) = cached.get(code) {
            assert_eq!(l["clasificacion_abc"].as_str(), Some(class.as_str()), "{code}");
            compared += 1;
        }
    }
    assert!(compared > 100);
    assert!(cached.values().any(|(_, x)| x.is_some()), "fast movers have an XYZ class");
    assert!(cached.values().any(|(_, x)| x.is_none()), "slow movers lack the 15 selling days");

    let r = app
        .client
        .put(app.url("/api/config-inventario/parametros-abc/modelo-activo"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"modelo": "ranking_valor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mismatched: i64 = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT count(*) FROM productos_abc_tienda WHERE clase_abc <> clase_ranking_val", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mismatched, 0, "the cache switched to the value ranking at once");
    let runs: i64 = app
        .state
        .app_db
        .lock()
        .unwrap()
        .query_row("SELECT count(*) FROM abc_cache_control WHERE estado = 'completado'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 1);
}

#[tokio::test]
async fn the_v2_day_by_day_detail_is_sent_only_when_asked_for() {
    let app = spawn_app(true).await;
    let plain = proposal(&app).await;
    let has_simulation =
        |b: &Value| b["productos"].as_array().unwrap().iter().any(|l| l["v2_simulacion"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(!has_simulation(&plain), "lists stay small");
    assert!(plain["productos"][0]["v2_dias_cobertura_real"].is_number(), "the V2 summary is always there");
    let r = calculate(
        &app,
        &app.admin_token,
        json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01",
        "fecha": today().to_string(), "detalle_v2": true}),
    )
    .await;
    let full: Value = r.json().await.unwrap();
    assert!(has_simulation(&full));
    assert!(full["productos"].as_array().unwrap().iter().any(|l| l["v2_historico_dow"].as_array().is_some_and(|h| !h.is_empty())));
}

/// The tiny chain with both stores in one region, so that each is the other's regional
/// reference (the demo puts the second store in Caracas).
async fn one_region_app() -> common::TestApp {
    common::spawn_app_with(true, |toml| {
        toml.lines()
            .map(|l| if l.trim_start().starts_with("region ") { l.replace("CARACAS", "VALENCIA") } else { l.to_string() })
            .collect::<Vec<_>>()
            .join("\n")
    })
    .await
}

/// Each line's regional reference P75 (an input of its explanation).
fn references(body: &Value) -> Vec<f64> {
    body["productos"].as_array().unwrap().iter().map(|l| f(&l["explicacion"]["entradas"]["p75_referencia"])).collect()
}

/// Two proposals are identical; on failure, names the first line that differs (a whole
/// proposal is too long to print).
fn assert_same(got: &Value, expected: &Value, what: &str) {
    if got == expected {
        return;
    }
    let (a, b) = (got["productos"].as_array().unwrap(), expected["productos"].as_array().unwrap());
    let first = a.iter().zip(b).find(|(x, y)| x != y).map(|(x, _)| x["codigo_producto"].to_string());
    panic!("{what}: {} lines against {}, first different line: {first:?}", a.len(), b.len());
}

/// Overwrites every cached P75 of `store` with 1,000 units: a value no calculation computes.
fn corrupt_cached_p75s(app: &rusqlite::Connection, store: &str) {
    let packed: Vec<u8> = app.query_row("SELECT p75s FROM demanda_p75_cache WHERE ubicacion_id = ?1", [store], |r| r.get(0)).unwrap();
    let corrupted: Vec<u8> = packed.chunks(12).flat_map(|pair| [&pair[..4], &1000f64.to_le_bytes()[..]].concat()).collect();
    app.execute("UPDATE demanda_p75_cache SET p75s = ?2 WHERE ubicacion_id = ?1", rusqlite::params![store, corrupted]).unwrap();
}

/// A proposal computed from the stores, not from reads the server kept from the last
/// calculation (which would hide a change made behind its back, as the corruption below).
async fn proposal_read_afresh(app: &common::TestApp) -> Value {
    app.state.calculations.forget();
    proposal(app).await
}

#[tokio::test]
async fn the_demand_cache_changes_no_answer_and_is_not_trusted_once_its_inputs_change() {
    let app = one_region_app().await;
    let (state, db) = (&app.state, fluxion::appdb::connect(&app.state.app_db_path).unwrap());
    let rebuild_caches = || fluxion::classification::rebuild(&state.tenant, &state.warehouse, &db, today()).unwrap();
    let without_cache = || db.execute("DELETE FROM demanda_p75_cache", []).unwrap();

    without_cache();
    let direct = proposal_read_afresh(&app).await;
    assert!(references(&direct).iter().any(|p| *p > 0.0), "some slow sellers of tienda_01 take tienda_02's P75");

    // Built as after a sales load or at night: the same answer, byte for byte.
    rebuild_caches();
    let cached: i64 = db.query_row("SELECT count(*) FROM demanda_p75_cache", [], |r| r.get(0)).unwrap();
    assert_eq!(cached, 2, "one row per store");
    assert_same(&proposal_read_afresh(&app).await, &direct, "with the cache");

    // It is really what the calculation reads: a wrong cached value shows in the answer.
    corrupt_cached_p75s(&db, "tienda_02");
    let corrupted = proposal_read_afresh(&app).await;
    assert!(references(&corrupted).contains(&1000.0), "the corrupted cache was read");

    // A load that touches one day of tienda_02 makes its cached values stale: they are no
    // longer used, and the answer is again the one computed from the daily rows.
    let day = today() - Duration::days(3);
    state
        .warehouse
        .write(|c| -> Result<(), fluxion::warehouse::load::LoadError> {
            c.execute(&format!("CREATE OR REPLACE TEMP TABLE touched AS SELECT 'tienda_02' AS ubicacion_id, DATE '{day}' AS fecha"), [])?;
            fluxion::warehouse::sales::refresh_daily_sales(c, "touched")?;
            Ok(c.execute_batch("DROP TABLE touched")?)
        })
        .unwrap();
    assert_same(&proposal_read_afresh(&app).await, &direct, "the day's content did not change, only its version");

    // An atypical day of tienda_02 inside the demand window changes its P75s: a cache built
    // before it is not used; the answer equals the one computed without any cache.
    rebuild_caches();
    corrupt_cached_p75s(&db, "tienda_02");
    db.execute("INSERT INTO dias_excluidos_ventas (ubicacion_id, fecha, motivo) VALUES ('tienda_02', ?1, 'inventario')", [day.to_string()])
        .unwrap();
    let after_atypical = proposal_read_afresh(&app).await;
    without_cache();
    assert_same(&after_atypical, &proposal_read_afresh(&app).await, "after an atypical day");

    // A cache of another business date is not used either.
    fluxion::classification::rebuild(&state.tenant, &state.warehouse, &db, today() - Duration::days(1)).unwrap();
    corrupt_cached_p75s(&db, "tienda_02");
    assert_same(&proposal_read_afresh(&app).await, &after_atypical, "with a cache of the day before");

    // Nor one built before a full rebuild of the daily aggregate (a bulk import).
    rebuild_caches();
    corrupt_cached_p75s(&db, "tienda_02");
    state.warehouse.write(fluxion::warehouse::sales::rebuild_daily_sales).unwrap();
    assert_same(&proposal_read_afresh(&app).await, &after_atypical, "after a full rebuild of the daily aggregate");
}

#[tokio::test]
async fn reordering_the_daily_aggregate_by_store_keeps_every_row_and_every_answer() {
    let app = one_region_app().await;
    let before = proposal(&app).await;
    let dump = |wh: &fluxion::warehouse::Warehouse| -> Vec<(String, String, String, String)> {
        let r = wh.reader().unwrap();
        let mut s = r
            .prepare("SELECT ubicacion_id, producto_codigo, fecha::VARCHAR, (cantidad, venta_total, costo_total, lineas, tickets, producto_id)::VARCHAR FROM ventas_diarias ORDER BY ALL")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(|r| r.unwrap()).collect()
    };
    let rows = dump(&app.state.warehouse);
    let moved = app.state.warehouse.write(fluxion::warehouse::sales::cluster_daily_sales).unwrap();
    assert_eq!(moved, rows.len());
    assert!(dump(&app.state.warehouse) == rows, "the same rows, in another order");
    assert_same(&proposal(&app).await, &before, "after reordering");
}

#[tokio::test]
async fn configuration_routes_list_search_and_edit_categories_and_limits() {
    let app = spawn_app(true).await;
    let send = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = app.client.request(method, app.url(path)).bearer_auth(&app.admin_token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    // Categories of the catalogue, with counts that match the warehouse.
    let cats: Value =
        send(reqwest::Method::GET, "/api/config-inventario/categorias-disponibles", None).await.unwrap().json().await.unwrap();
    let cats = cats.as_array().unwrap();
    assert!(cats.len() > 3, "{cats:?}");
    let wh = app.state.warehouse.reader().unwrap();
    let first = cats[0]["categoria"].as_str().unwrap();
    let n: i64 = wh.query_row("SELECT count(*) FROM productos WHERE activo AND categoria = ?", [first], |r| r.get(0)).unwrap();
    assert_eq!(cats[0]["productos"], n);

    // A category override: created, listed, edited through PUT by id, refused under a wrong id.
    let r =
        send(reqwest::Method::POST, "/api/config-inventario/cobertura-categoria", Some(json!({"categoria": first, "dias_cobertura_a": 3})))
            .await
            .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let put = send(
        reqwest::Method::PUT,
        &format!("/api/config-inventario/cobertura-categoria/{id}"),
        Some(json!({"categoria": first, "dias_cobertura_a": 4})),
    )
    .await
    .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let wrong = send(
        reqwest::Method::PUT,
        "/api/config-inventario/cobertura-categoria/otra",
        Some(json!({"categoria": first, "dias_cobertura_a": 4})),
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let list: Value = send(reqwest::Method::GET, "/api/config-inventario/cobertura-categoria", None).await.unwrap().json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["dias_cobertura_a"], 4);

    // Product search: at least 2 characters; codes starting with the text come first.
    let short = send(reqwest::Method::GET, "/api/config-inventario/productos/buscar?q=0", None).await.unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let hits: Value =
        send(reqwest::Method::GET, "/api/config-inventario/productos/buscar?q=0002&limite=5", None).await.unwrap().json().await.unwrap();
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert!(hits[0]["codigo"].as_str().unwrap().starts_with("0002"), "{hits:?}");
    let by_name: Value =
        send(reqwest::Method::GET, "/api/config-inventario/productos/buscar?q=harina", None).await.unwrap().json().await.unwrap();
    assert!(by_name.as_array().unwrap().iter().all(|h| h["descripcion"].as_str().unwrap().to_lowercase().contains("harina")));

    // Limits by store and by product; PUT by id.
    let code = hits[0]["codigo"].as_str().unwrap();
    let limit = json!({"tienda_id": "tienda_01", "producto_codigo": code, "capacidad_maxima_unidades": 40});
    let r = send(reqwest::Method::PUT, &format!("/api/config-inventario/capacidad-almacenamiento/tienda_01_{code}"), Some(limit))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let of_store: Value = send(reqwest::Method::GET, "/api/config-inventario/capacidad-almacenamiento/tienda/tienda_01", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(of_store.as_array().unwrap().len(), 1);
    let of_product: Value = send(reqwest::Method::GET, &format!("/api/config-inventario/capacidad-almacenamiento/producto/{code}"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(of_product[0]["capacidad_maxima_unidades"], 40.0);
    let other: Value = send(reqwest::Method::GET, "/api/config-inventario/capacidad-almacenamiento/tienda/tienda_02", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other.as_array().unwrap().len(), 0);
}

/// The same proposal computed without anything kept between calculations.
fn fresh_proposal(app: &common::TestApp) -> Value {
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    let reader = app.state.warehouse.reader().unwrap();
    let req = fluxion::replenishment::Request {
        detalle_v2: false,
        tienda: "tienda_01".into(),
        cedi: Some("cedi_seco".into()),
        fecha: today(),
        cuadrantes: None,
    };
    let proposal = fluxion::replenishment::propose(&app.state.tenant, &db, &reader, &req).unwrap();
    // Through JSON text, as the API's answer (the default float parser can differ in the
    // last digit from a value never printed).
    serde_json::from_str(&serde_json::to_string(&proposal).unwrap()).unwrap()
}

fn line<'a>(body: &'a Value, code: &str) -> &'a Value {
    body["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code).unwrap()
}

#[tokio::test]
async fn reads_kept_between_calculations_never_outlive_a_load_or_a_setting() {
    let app = spawn_app(true).await;
    let first = proposal(&app).await;
    assert_same(&first, &fresh_proposal(&app), "kept reads against none");
    assert_same(&proposal(&app).await, &first, "the second calculation, from kept reads");

    // A sales load: tienda_01 sold ten times its usual of its best seller every day of the
    // last two weeks. The next calculation sees it, as one that keeps nothing would.
    let since = today() - Duration::days(14);
    let best: String = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row(
            "SELECT producto_codigo FROM ventas WHERE ubicacion_id = 'tienda_01' AND fecha >= ? GROUP BY 1 ORDER BY sum(cantidad_vendida) DESC, 1 LIMIT 1",
            [since.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    app.state
        .warehouse
        .write(|c| -> Result<(), fluxion::warehouse::load::LoadError> {
            let filter = format!("ubicacion_id = 'tienda_01' AND producto_codigo = '{best}' AND fecha >= DATE '{since}'");
            c.execute_batch(&format!(
                "UPDATE ventas SET cantidad_vendida = cantidad_vendida * 10,
                     total_cantidad_por_unidad_medida = total_cantidad_por_unidad_medida * 10 WHERE {filter};
                 CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT ubicacion_id, fecha FROM ventas WHERE {filter};"
            ))?;
            fluxion::warehouse::sales::refresh_daily_sales(c, "touched")?;
            Ok(c.execute_batch("DROP TABLE touched")?)
        })
        .unwrap();
    let after_load = proposal(&app).await;
    assert!(
        f(&line(&after_load, &best)["prom_p75_unid"]) > f(&line(&first, &best)["prom_p75_unid"]),
        "{best}: the load raised its P75 ({} → {})",
        line(&first, &best)["prom_p75_unid"],
        line(&after_load, &best)["prom_p75_unid"]
    );
    assert_same(&after_load, &fresh_proposal(&app), "after a load");

    // A setting the kept reads came from: the inflated days declared atypical.
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    for back in 1..=14 {
        db.execute(
            "INSERT INTO dias_excluidos_ventas (ubicacion_id, fecha, motivo) VALUES ('tienda_01', ?1, 'inventario')",
            [(today() - Duration::days(back)).to_string()],
        )
        .unwrap();
    }
    let after_setting = proposal(&app).await;
    assert!(
        f(&line(&after_setting, &best)["prom_p75_unid"]) < f(&line(&after_load, &best)["prom_p75_unid"]),
        "the atypical days are left out of the P75"
    );
    assert_same(&after_setting, &fresh_proposal(&app), "after an atypical day");
}
