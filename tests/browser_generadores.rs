//! *Generadores de Tráfico* in a real headless Chromium (spec 40 §5): reached from the
//! administrator's panel; a setting saved from the screen, «Calcular sugerencias» filling the
//! suggested tab as the API lists it, a product's detail with its GAP explained, approval moving
//! it to the active tab with its history. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_computed_reviewed_and_approved_from_the_screen() {
    let app = spawn_app(true).await;
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || {
        let db = fluxion::appdb::connect(&state.app_db_path).unwrap();
        fluxion::classification::rebuild(&state.tenant, &state.warehouse, &db, end_date() + Duration::days(1)).unwrap()
    })
    .await
    .unwrap();

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-shortcut=generadores-trafico]') !== null").await;
    b.click("[data-shortcut=generadores-trafico]").await;
    b.wait_for("document.querySelector('[data-kpi=activos]') !== null && document.querySelector('[data-role=table] .state-empty, [data-role=products]') !== null").await;
    assert_eq!(b.eval("location.pathname").await, json!("/administrador/generadores-trafico"));
    let effect = b.eval("document.querySelector('[data-role=effect]').textContent").await;
    assert!(effect.as_str().unwrap().contains("clase A") && !effect.as_str().unwrap().contains("50 %"), "{effect}");
    let sum = app.get_json("/api/generadores-trafico/resumen", &app.admin_token).await;
    let shown = b.eval("document.querySelector('[data-kpi=activos] .kpi-value').textContent").await;
    assert_eq!(shown, json!(sum["activos"].to_string()), "the POS-flagged generators are active");
    b.screenshot(&artifacts_dir().join("generadores-inicio.png")).await;

    // The minimum GAP from the settings panel, then «Calcular sugerencias».
    b.eval("document.querySelector('[data-role=config]').open = true").await;
    b.wait_for("document.querySelector('[data-key=gap_minimo] input') !== null").await;
    b.fill("[data-key=gap_minimo] input", "30").await;
    b.click("[data-save=gap_minimo]").await;
    b.wait_for("!document.querySelector('[data-role=ok]').hidden").await;
    assert!(b.eval("document.querySelector('[data-role=ok]').textContent").await.as_str().unwrap().contains("gap_minimo = 30"));
    b.eval("document.querySelector('[data-role=config]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("generadores-configuracion.png")).await;
    b.eval("window.scrollTo(0, 0)").await;
    b.click("[data-role=calcular]").await;
    b.wait_for("document.querySelectorAll('[data-role=products] tbody tr').length > 0").await;
    let list = app.get_json("/api/generadores-trafico/productos?tab=sugeridos", &app.admin_token).await;
    let n = list["productos"].as_array().unwrap().len();
    assert!(n > 0);
    assert_eq!(b.eval("document.querySelectorAll('[data-role=products] tbody tr').length").await, json!(n));
    let first = list["productos"][0]["producto_codigo"].as_str().unwrap().to_string();
    assert_eq!(b.eval("document.querySelector('[data-role=products] tbody tr').dataset.code").await, json!(first), "by GAP");
    assert!(b.eval("document.querySelector('[data-role=ok]').textContent").await.as_str().unwrap().contains("nuevas"));
    b.screenshot(&artifacts_dir().join("generadores-sugeridos.png")).await;

    // The detail: GAP explained, history, approve.
    b.eval("document.querySelector('[data-role=products] tbody tr').focus()").await;
    b.eval("document.querySelector('[data-role=products] tbody tr').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))").await;
    b.wait_for("document.querySelector('[data-role=gap-explanation]') !== null").await;
    let text = b.eval("document.querySelector('[data-role=gap-explanation]').textContent").await;
    let gap = list["productos"][0]["gap"].as_i64().unwrap();
    assert!(text.as_str().unwrap().contains(&format!("= {gap}")), "{text}");
    assert!(b.eval("document.querySelector('.gt-history').textContent").await.as_str().unwrap().contains("Sugerido"));
    b.screenshot(&artifacts_dir().join("generadores-detalle.png")).await;
    b.click("[data-action=aprobar]").await;
    b.wait_for("document.querySelector('[data-role=detail] [data-action=remover]') !== null").await;
    let d = app.get_json(&format!("/api/generadores-trafico/historial/{first}"), &app.admin_token).await;
    assert_eq!(d["producto"]["estado"], "activo");
    assert_eq!(d["historial"][0]["usuario"], "admin");
    assert!(b.eval("document.querySelector('[data-role=detail]').textContent").await.as_str().unwrap().contains("se calcula como clase A"));
    b.screenshot(&artifacts_dir().join("generadores-aprobado.png")).await;

    // The active tab lists it.
    b.click("[data-tab=activos]").await;
    b.wait_for(&format!("document.querySelector('[data-role=products] [data-code=\"{first}\"]') !== null")).await;
    assert!(b.eval("location.search").await.as_str().unwrap().contains("tab=activos"));
    b.screenshot(&artifacts_dir().join("generadores-activos.png")).await;
}
