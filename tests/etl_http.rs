//! `/api/etl/*` over HTTP: run-now (202/409), history list/detail/stats, error catalogue,
//! freshness, coverage calendar, gaps, connectivity, and the admin-only access rule.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;
#[path = "etl_support/mod.rs"]
mod support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::*;

async fn app_with_klk(klk: &FakeKlk, stores: usize) -> common::TestApp {
    let toml = klk_tenant_toml(&klk.base_url(), stores, "");
    common::spawn_app_with(false, move |_| toml).await
}

async fn wait_finished(app: &common::TestApp, id: i64) -> Value {
    for _ in 0..200 {
        let v: Value = app.get_admin(&format!("/api/etl/history/{id}")).await.json().await.unwrap();
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("execution {id} did not finish");
}

async fn post_admin(app: &common::TestApp, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(&app.admin_token).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn run_now_conflict_history_and_detail() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", day_of_sales("A", "2025-11-17", 200, "APP-TPF"));
    klk.state.set_sales("SUC007", day_of_sales("B", "2025-11-17", 100, "TAVBOL"));
    klk.state.fault("SUC007", Fault::Status(500));
    *klk.state.base_delay.lock().unwrap() = Duration::from_millis(300);
    let app = app_with_klk(&klk, 2).await;

    let r = post_admin(&app, "/api/etl/sync/ventas", json!({"fecha_inicio": "2025-11-17", "fecha_fin": "2025-11-17"})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Value>().await.unwrap()["execution_id"].as_i64().unwrap();
    // The same job while it runs: 409.
    let again = post_admin(&app, "/api/etl/sync/ventas", json!({})).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(again.json::<Value>().await.unwrap()["code"], "etl_en_ejecucion");
    let status: Value = app.get_admin("/api/etl/status").await.json().await.unwrap();
    assert_eq!(status["en_ejecucion"][0]["job_key"], "ventas", "{status}");

    let done = wait_finished(&app, id).await;
    assert_eq!(done["status"], "partial", "{done}");
    assert_eq!(done["etl_type"], "backfill");
    assert_eq!(done["triggered_by"], "admin");
    assert_eq!(done["usuario"], common::ADMIN);
    assert_eq!(done["source_system"], "klk");
    let det = done["detalles"].as_array().unwrap();
    assert_eq!(det.len(), 2);
    assert_eq!(
        (det[0]["tienda_id"].as_str(), det[0]["status"].as_str(), det[0]["records_loaded"].as_i64()),
        (Some("tienda_01"), Some("success"), Some(200))
    );
    assert_eq!((det[1]["tienda_id"].as_str(), det[1]["status"].as_str()), (Some("tienda_02"), Some("failed")));
    assert_eq!(det[1]["error_category"], "api_http_error");
    assert_eq!(det[1]["error_phase"], "extract");

    let list: Value = app.get_admin("/api/etl/history?etl_name=ventas&limit=10").await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["tiendas_exitosas"], 1);
    assert_eq!(list["items"][0]["tiendas_fallidas"], 1);
    let none: Value = app.get_admin("/api/etl/history?etl_name=inventario").await.json().await.unwrap();
    assert_eq!(none["total"], 0);
    assert_eq!(app.get_admin("/api/etl/history/99999").await.status(), StatusCode::NOT_FOUND);

    // Inventory run for one unknown location: 422.
    let bad = post_admin(&app, "/api/etl/sync", json!({"ubicacion_id": "tienda_99"})).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Dates in the wrong order: 422.
    let bad = post_admin(&app, "/api/etl/sync/ventas", json!({"fecha_inicio": "2025-11-18", "fecha_fin": "2025-11-17"})).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Freshness and coverage read the loaded day.
    let fresh: Value = app.get_admin("/api/etl/frescura").await.json().await.unwrap();
    let t1 = fresh["items"].as_array().unwrap().iter().find(|x| x["ubicacion_id"] == "tienda_01").unwrap().clone();
    assert_eq!(t1["total_lineas"], 200);
    assert_eq!(t1["ultima_fecha"], "2025-11-17");
    assert_eq!(t1["badge"], "rojo");
    let cal: Value =
        app.get_admin("/api/etl/cobertura?ubicacion_id=tienda_01&desde=2025-11-01&hasta=2025-11-30").await.json().await.unwrap();
    assert_eq!(cal["resumen"]["total_dias"], 30);
    assert_eq!(cal["resumen"]["dias_con_datos"], 1);
    assert_eq!(cal["resumen"]["cobertura_pct"], 3.3);
    let d17 = cal["dias"].as_array().unwrap().iter().find(|d| d["fecha"] == "2025-11-17").unwrap().clone();
    assert_eq!((d17["lineas"].as_i64(), d17["color"].as_str()), (Some(200), Some("verde_claro")));
    assert_eq!(cal["meses"][0]["porcentaje"], 3.3);
    // Volume anomalies (§7.5): one day with data gives no μ ± 2σ band; empty days are SIN DATOS.
    assert_eq!(d17["anomalia"], Value::Null);
    assert_eq!(cal["dias"][0]["anomalia"], "SIN DATOS");
    assert_eq!((cal["resumen"]["dias_bajo"].as_i64(), cal["resumen"]["umbral_bajo"].clone()), (Some(0), Value::Null));

    // The failed window of tienda_02 is a gap until a later success covers it.
    let gaps: Value = app.get_admin("/api/etl/gaps").await.json().await.unwrap();
    let g = gaps["ventanas_fallidas"].as_array().unwrap();
    assert_eq!(g.len(), 1, "{gaps}");
    assert_eq!(g[0]["tienda_id"], "tienda_02");
    assert_eq!(g[0]["urgencia"], "Reciente");
    klk.state.clear_fault("SUC007");
    let r = post_admin(
        &app,
        "/api/etl/sync/ventas",
        json!({"ubicacion_id": "tienda_02", "fecha_inicio": "2025-11-17", "recuperar_gap_id": id}),
    )
    .await;
    let id2 = r.json::<Value>().await.unwrap()["execution_id"].as_i64().unwrap();
    let done2 = wait_finished(&app, id2).await;
    assert_eq!(done2["status"], "success");
    assert_eq!(done2["recovered_gap_id"], id);
    assert_eq!(done2["gaps_recovered"], 1);
    let gaps: Value = app.get_admin("/api/etl/gaps").await.json().await.unwrap();
    assert_eq!(gaps["ventanas_fallidas"].as_array().unwrap().len(), 0, "{gaps}");

    // Hour checks of a past day: every opening hour is evaluable (07–21 by default).
    let h: Value = app.get_admin("/api/etl/gaps/horas?ubicacion_id=tienda_01&fecha=2025-11-17").await.json().await.unwrap();
    let horas = h["horas"].as_array().unwrap();
    assert_eq!(horas.len(), 14, "{h}");
    assert_eq!(horas[0]["hora"], 7);
    assert_eq!(horas.iter().map(|x| x["lineas"].as_i64().unwrap()).sum::<i64>(), 200);
    assert!(horas.iter().all(|x| x["es_gap"] == false), "every hour has lines: {h}");
}

#[tokio::test]
async fn stats_error_catalogue_and_connectivity() {
    let klk = spawn_klk().await;
    *klk.state.pisoventa.lock().unwrap() = vec![
        json!({"NombreSucursal": "PERIFERICO", "CodigoSucursal": "SUC001", "CodigoAlmacen": "APP-TPF", "NombreAlmacen": "PISO DE VENTA"}),
        json!({"NombreSucursal": "CONSOLIDADO", "CodigoSucursal": "CONS", "CodigoAlmacen": "CONS", "NombreAlmacen": "CONSOLIDADO"}),
    ];
    klk.state.reposicion.lock().unwrap().insert(
        "SUC007".into(),
        vec![json!({"NombreSucursal": "AV. BOLIVAR", "CodigoSucursal": "SUC007", "CodigoAlmacen": "TAVBOL-DEV", "NombreAlmacen": "DEVOLUCIONES"})],
    );
    klk.state.reposicion.lock().unwrap().insert(
        "SUC001".into(),
        vec![json!({"NombreSucursal": "PERIFERICO", "CodigoSucursal": "SUC001", "CodigoAlmacen": "PCDICS", "NombreAlmacen": "PRINCIPAL"})],
    );
    let app = app_with_klk(&klk, 2).await;

    // 10 runs = 7 success + 2 partial + 1 failed ⇒ success_rate 70.00 (§9.5).
    {
        let conn = app.state.app_db.lock().unwrap();
        for (i, st) in
            ["success", "success", "partial", "success", "failed", "success", "success", "partial", "success", "success"].iter().enumerate()
        {
            conn.execute(
                "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, started_at, finished_at, status, duration_seconds, records_loaded)
                 VALUES ('ventas', 'scheduled', 'scheduler', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, 10, 100)",
                rusqlite::params![format!("-{} minutes", i * 60 + 5), st],
            )
            .unwrap();
        }
        let failed_id: i64 = conn.query_row("SELECT id FROM etl_executions WHERE status = 'failed'", [], |r| r.get(0)).unwrap();
        conn.execute(
            "INSERT INTO etl_execution_details (execution_id, tienda_id, status, error_phase, error_category) VALUES (?1, 'tienda_02', 'failed', 'extract', 'api_timeout')",
            [failed_id],
        )
        .unwrap();
    }
    let stats: Value = app.get_admin("/api/etl/stats?dias=7").await.json().await.unwrap();
    assert_eq!(
        (stats["total"].as_i64(), stats["exitosas"].as_i64(), stats["parciales"].as_i64(), stats["fallidas"].as_i64()),
        (Some(10), Some(7), Some(2), Some(1))
    );
    assert_eq!(stats["success_rate"], 70.0);
    assert_eq!(stats["total_cargados"], 1000);
    assert_eq!(stats["errores_por_fase"]["extract"], 1);
    assert_eq!(stats["top_ubicaciones_fallidas"][0], json!({"tienda_id": "tienda_02", "fallos": 1, "categoria_frecuente": "api_timeout"}));

    let cats: Value = app.get_admin("/api/etl/error-categories").await.json().await.unwrap();
    assert_eq!(cats["items"].as_array().unwrap().len(), 18);
    assert!(cats["items"].as_array().unwrap().iter().any(|c| c["categoria"] == "network_unreachable" && c["fase"] == "extract"));

    // tienda_01's warehouse is in pisoventa; tienda_02's is in neither listing; the CEDI's
    // PCDICS appears in a Reposicion listing.
    let check: Value = app.get_admin("/api/etl/check-connectivity").await.json().await.unwrap();
    let by_id = |id: &str| check["ubicaciones"].as_array().unwrap().iter().find(|p| p["ubicacion_id"] == id).unwrap().clone();
    assert_eq!(by_id("tienda_01")["conectada"], true);
    assert_eq!(by_id("cedi_caracas")["conectada"], true);
    assert_eq!(by_id("tienda_02")["conectada"], false);
    assert!(by_id("tienda_02")["error"].as_str().unwrap().contains("TAVBOL"));
    assert_eq!((check["conectadas"].as_i64(), check["total"].as_i64(), check["porcentaje"].as_f64()), (Some(2), Some(3), Some(66.7)));
    // KLK down: nobody is connected (the original's panel stayed green).
    klk.state.fault("pisoventa", Fault::Status(503));
    let check: Value = app.get_admin("/api/etl/check-connectivity").await.json().await.unwrap();
    assert_eq!(check["conectadas"], 0);
}

#[tokio::test]
async fn only_etl_administrators_reach_the_etl_api() {
    let klk = spawn_klk().await;
    let app = app_with_klk(&klk, 1).await;
    app.add_user("gerente", "clave-de-prueba-2", "gerente_general", &[]);
    let token = app.token("gerente", "clave-de-prueba-2").await;
    for path in ["/api/etl/status", "/api/etl/history", "/api/etl/stats", "/api/etl/frescura", "/api/etl/gaps"] {
        let r = app.client.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let anon = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let r = app.client.post(app.url("/api/etl/sync")).bearer_auth(&token).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_admin("/api/etl/status").await.status(), StatusCode::OK);
}
