//! "Centro de Control ETL" in a real headless Chromium: run-now from the Ventas tab with the
//! live per-location view, the freshness table, connectivity, history with the detail
//! modal, and the coverage calendar. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;
#[path = "etl_support/mod.rs"]
mod support;

use common::browser::{artifacts_dir, Browser};
use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_center_runs_a_sync_and_shows_history_and_coverage() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", day_of_sales("A", "2025-11-17", 300, "APP-TPF"));
    klk.state.set_sales("SUC007", day_of_sales("B", "2025-11-17", 120, "TAVBOL"));
    klk.state.fault("SUC007", Fault::Status(500));
    *klk.state.pisoventa.lock().unwrap() = vec![
        json!({"NombreSucursal": "PERIFERICO", "CodigoSucursal": "SUC001", "CodigoAlmacen": "APP-TPF", "NombreAlmacen": "PISO DE VENTA"}),
    ];
    let toml = klk_tenant_toml(&klk.base_url(), 2, "");
    let app = common::spawn_app_with(false, move |_| toml).await;

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador/etl")).await;
    b.wait_ready().await;
    assert_eq!(b.eval("document.querySelector('h1').textContent.trim()").await, json!("Centro de Control ETL"));
    assert_eq!(b.eval("document.querySelector('[data-tab][aria-selected=\"true\"]').dataset.tab").await, json!("ventas"));

    // Manual re-sync of one day for every store.
    b.fill("[data-form=\"ventas\"] input[name=\"fecha_inicio\"]", "2025-11-17").await;
    b.fill("[data-form=\"ventas\"] input[name=\"fecha_fin\"]", "2025-11-17").await;
    b.click("[data-action=\"run-ventas\"]").await;
    b.wait_for("document.querySelector('[data-execution-status]') && document.querySelector('[data-execution-status]').dataset.executionStatus !== 'running'").await;
    assert_eq!(b.eval("document.querySelector('[data-execution-status]').dataset.executionStatus").await, json!("partial"));
    assert_eq!(b.eval("document.querySelector('tr[data-tienda=\"tienda_01\"] [data-status]').dataset.status").await, json!("success"));
    assert_eq!(b.eval("document.querySelector('tr[data-tienda=\"tienda_02\"] [data-status]').dataset.status").await, json!("failed"));
    assert!(b
        .eval("document.querySelector('tr[data-tienda=\"tienda_02\"]').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("api_http_error"));
    b.screenshot(&artifacts_dir().join("etl-ventas.png")).await;

    // Connectivity: tienda_01's warehouse is listed, tienda_02's is not.
    b.click("[data-action=\"check\"]").await;
    b.wait_for("document.querySelector('[data-summary=\"conectividad\"]') !== null").await;
    let summary = b.eval("document.querySelector('[data-summary=\"conectividad\"]').textContent").await;
    assert!(summary.as_str().unwrap().contains("1 de 3"), "{summary}");

    // Historial: the run is listed; its detail modal shows the locations.
    b.click("[data-tab=\"historial\"]").await;
    b.wait_for("document.querySelector('[data-table=\"historial\"] tbody tr') !== null").await;
    assert_eq!(b.eval("document.querySelectorAll('[data-table=\"historial\"] tbody tr').length").await, json!(1));
    b.click("[data-table=\"historial\"] [data-action=\"detail\"]").await;
    b.wait_for("document.querySelector('dialog[open] tr[data-tienda=\"tienda_01\"]') !== null").await;
    b.screenshot(&artifacts_dir().join("etl-historial-detalle.png")).await;
    b.eval("document.querySelector('dialog[open]').close()").await;

    // Cobertura: one day with 300 lines (light green) in November 2025.
    b.goto(&app.url("/administrador/ventas/cobertura")).await;
    b.wait_ready().await;
    b.eval("(() => { const s = document.querySelector('[data-form=\"cobertura\"] select[name=\"vista\"]'); s.value = 'historico'; s.dispatchEvent(new Event('change', { bubbles: true })); })()").await;
    b.wait_for("document.querySelector('[data-fecha=\"2025-11-17\"]') !== null").await;
    assert_eq!(b.eval("document.querySelector('[data-fecha=\"2025-11-17\"]').dataset.color").await, json!("verde_claro"));
    let days = b.eval("document.querySelector('[data-kpi=\"dias_con_datos\"]').textContent").await;
    assert!(days.as_str().unwrap().starts_with("1 /"), "{days}");
    let odd = b.eval("document.querySelector('[data-kpi=\"anomalos\"]').textContent").await;
    assert_eq!(odd, json!("0 bajos · 0 altos"), "one day of data has no μ ± 2σ band");
    // The failed window of tienda_02 is listed for recovery.
    b.wait_for("document.querySelector('[data-table=\"gaps\"] tr[data-tienda=\"tienda_02\"]') !== null").await;
    b.screenshot(&artifacts_dir().join("etl-cobertura.png")).await;

    // Recover it from the list once KLK answers again.
    klk.state.clear_fault("SUC007");
    b.click("[data-table=\"gaps\"] tr[data-tienda=\"tienda_02\"] [data-action=\"recuperar-gap\"]").await;
    b.wait_for("document.querySelector('[data-execution-status]') && document.querySelector('[data-execution-status]').dataset.executionStatus === 'success'").await;
    // The screen shows the run's status once it is recorded; the warehouse holds the lines.
    let n: i64 = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT count(*) FROM ventas WHERE ubicacion_id = 'tienda_02'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 120);
}
