//! *Análisis ABC* and *Productos entre tiendas* in a real headless Chromium (spec 40 §3.5,
//! §3.9): the API's figures on the class cards, the two donuts, the detail table with its
//! tooltip on % productos, each class's categories, the region and store filters (one or the
//! other); the three product lists for the stores picked. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::json;

fn digits(v: &serde_json::Value) -> String {
    v.as_str().unwrap().chars().filter(char::is_ascii_digit).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_abc_analysis_and_the_products_between_stores_on_screen() {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    // Three products stop selling at tienda_01 so the comparison has products of its own.
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch(
                "DELETE FROM ventas_diarias WHERE ubicacion_id = 'tienda_01'
                   AND producto_codigo IN (SELECT codigo FROM productos ORDER BY codigo LIMIT 3)",
            )
        })
        .unwrap();
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/bi?tab=abc")).await;
    b.wait_ready().await;
    // The first analysis reads the window's lines; on a busy machine that can pass wait_for's 10 s.
    let started = std::time::Instant::now();
    while b.eval("document.querySelector('[data-role=abc-table]') === null").await == json!(true) {
        assert!(started.elapsed().as_secs() < 60, "the analysis never appeared: {}", b.eval("document.body.innerText").await);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let a = app.get_json("/api/bi/products/abc-consolidated", &app.admin_token).await;
    assert!(a["totales"]["productos"].as_i64().unwrap() > 0, "the default window holds sales of the tiny chain");
    assert_eq!(b.eval("document.querySelectorAll('[data-role=abc-cards] [data-class]').length").await, json!(4));
    assert_eq!(
        digits(&b.eval("document.querySelector('[data-kpi=ventas-A]').textContent").await),
        digits(&json!(format!("{:.2}", a["clases"][0]["ventas"].as_f64().unwrap()))),
        "class A's sales as the API gives them"
    );
    assert_eq!(
        digits(&b.eval("document.querySelector('[data-role=abc-total] td:nth-child(9)').textContent").await),
        a["totales"]["tickets"].as_i64().unwrap().to_string()
    );
    assert_eq!(b.eval("document.querySelectorAll('[data-role=abc-table] tbody tr').length").await, json!(4));
    assert!(b.eval("document.querySelectorAll('[data-role=abc-pie-ventas] svg.donut path').length").await.as_i64().unwrap() >= 3);
    assert!(b.eval("document.querySelectorAll('[data-role=abc-pie-productos] svg.donut path').length").await.as_i64().unwrap() >= 3);
    let tip = b.eval("document.querySelector('[data-role=abc-tip]').getAttribute('title')").await;
    assert!(tip.as_str().unwrap().contains("más de 100") || tip.as_str().unwrap().contains("pasar de 100"), "{tip}");
    // Network scope: products with different classes in the two stores push the sum past 100 %.
    let sum: f64 = a["clases"].as_array().unwrap().iter().map(|c| c["pct_productos"].as_f64().unwrap()).sum();
    assert_eq!(b.eval("document.querySelector('[data-role=abc-over-100]') !== null").await, json!(sum > 100.05));
    let lists = b.eval("document.querySelectorAll('[data-role=abc-categories] [data-class-categories] tbody tr').length").await;
    assert!(lists.as_i64().unwrap() > 0, "each class's categories");
    b.screenshot(&artifacts_dir().join("bi-abc.png")).await;
    b.eval("document.querySelector('[data-role=abc-categories]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-abc-categorias.png")).await;

    // One region, then one store (which clears the region): the API's totals for each.
    b.eval("(() => { const s = document.querySelector('select[name=region]'); s.value = 'CARACAS'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("(document.querySelector('[data-role=abc-period]') || {textContent: ''}).textContent.includes('CARACAS')").await;
    let r = app.get_json("/api/bi/products/abc-consolidated?region=CARACAS", &app.admin_token).await;
    assert_eq!(
        digits(&b.eval("document.querySelector('[data-role=abc-total] td:nth-child(9)').textContent").await),
        r["totales"]["tickets"].as_i64().unwrap().to_string()
    );
    b.eval("(() => { const s = document.querySelector('select[name=tienda]'); s.value = 'tienda_01'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("(document.querySelector('[data-role=abc-period]') || {textContent: ''}).textContent.includes('1 tienda)')").await;
    assert_eq!(b.eval("document.querySelector('select[name=region]').value").await, json!(""));
    assert_eq!(b.eval("document.querySelector('[data-role=abc-over-100]')").await, json!(null), "one store: each product one class");
    let s = app.get_json("/api/bi/products/abc-consolidated?ubicacion_id=tienda_01", &app.admin_token).await;
    assert_eq!(
        digits(&b.eval("document.querySelector('[data-role=abc-total] td:nth-child(2)').textContent").await),
        s["totales"]["productos"].as_i64().unwrap().to_string()
    );
    b.screenshot(&artifacts_dir().join("bi-abc-tienda.png")).await;
    b.eval("document.querySelector('[data-role=abc-table]').scrollIntoView()").await;
    b.screenshot(&artifacts_dir().join("bi-abc-tabla.png")).await;

    // Productos entre tiendas: the two stores picked by default, the API's counts and lists.
    b.click("[data-tab=productos-tiendas]").await;
    b.wait_for("document.querySelector('[data-kpi=unicos]') !== null").await;
    let c = app.get_json("/api/bi/stores/compare?ubicacion_ids=tienda_01,tienda_02", &app.admin_token).await;
    let unicos = c["totales"]["unicos"].as_i64().unwrap();
    assert!(unicos >= 3, "the three products tienda_01 stopped selling are tienda_02's own");
    assert_eq!(digits(&b.eval("document.querySelector('[data-kpi=unicos]').textContent").await), unicos.to_string());
    assert_eq!(
        digits(&b.eval("document.querySelector('[data-kpi=comunes]').textContent").await),
        c["totales"]["comunes"].as_i64().unwrap().to_string()
    );
    assert_eq!(
        b.eval("document.querySelectorAll('[data-role=pc-unicos] tbody tr').length").await,
        json!(c["unicos"].as_array().unwrap().len())
    );
    assert_eq!(
        b.eval("document.querySelectorAll('[data-role=pc-comunes] tbody tr').length").await,
        json!(c["comunes"].as_array().unwrap().len())
    );
    let first = c["comunes"][0]["producto_codigo"].as_str().unwrap();
    assert_eq!(
        b.eval("document.querySelector('[data-role=pc-comunes] tbody tr').dataset.product").await,
        json!(first),
        "largest spread first"
    );
    assert!(b.eval("document.querySelector('[data-role=pc-parciales]').textContent").await.as_str().unwrap().contains("tercera tienda"));
    b.screenshot(&artifacts_dir().join("bi-productos-entre-tiendas.png")).await;
    // Unpicking one store leaves fewer than two: a note, no lists.
    b.click("input[name=tienda][value=tienda_02]").await;
    b.wait_for("document.querySelector('[data-role=pc-unicos]') === null").await;
    assert!(b.eval("document.querySelector('[data-role=pc-note]').textContent").await.as_str().unwrap().contains("al menos dos"));
}
