//! *Inventario de una ubicación* in a real headless Chromium: from the network summary to a
//! store's table, the cards and filters change the rows, the detail drawer, the Excel
//! download, and a store manager kept to his store. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::json;

const PASSWORD: &str = "clave-de-prueba-9";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_reads_a_stores_stock_and_a_manager_only_his_own() {
    let app = spawn_app(true).await;
    {
        let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
        fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    }
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    let buyer = app.token("compras", PASSWORD).await;
    let fecha = (end_date() + Duration::days(1)).to_string();

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/inventarios")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('a[href=\"/dashboard/tienda_01\"]')").await;
    // The landing's CEDI opportunities open in a drawer.
    b.click("[data-opportunities=cedi]").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=cedi-opportunities] tbody tr')").await;
    b.screenshot(&artifacts_dir().join("inventarios-oportunidades-cedi.png")).await;
    b.goto(&app.url(&format!("/dashboard/tienda_01?fecha={fecha}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=stock] tbody tr').length === 50").await;
    let title = b.eval("document.querySelector('[data-role=title]').textContent").await;
    assert_eq!(title, json!(app.state.tenant.location_name("tienda_01")));
    b.screenshot(&artifacts_dir().join("inventario-tienda.png")).await;

    // The "Críticos" card keeps only critical rows and says how many.
    let critical = b.eval("Number(document.querySelector('[data-card=CRITICO] .kpi-value').textContent.replace(/\\D/g, ''))").await;
    let critical = critical.as_u64().unwrap();
    assert!(critical > 0, "the tiny chain has critical rows");
    b.click("[data-card=CRITICO]").await;
    b.wait_for("document.querySelector('[data-card=CRITICO]').getAttribute('aria-pressed') === 'true'").await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=stock] tbody tr').length === {}", critical.min(50))).await;
    let badges = b.eval("[...document.querySelectorAll('[data-role=stock] tbody tr td .badge')].map((e) => e.textContent)").await;
    assert!(badges.as_array().unwrap().iter().all(|t| t == "Crítico"), "{badges}");
    assert!(b.eval("location.search").await.as_str().unwrap().contains("estado=CRITICO"));

    // A row opens its figures; Escape closes them.
    b.eval("(() => { const r = document.querySelector('[data-role=stock] tbody tr'); r.focus(); r.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); })()").await;
    b.wait_for("!document.querySelector('[data-role=drawer]').hidden").await;
    let facts = b.eval("document.querySelector('[data-role=drawer]').innerText").await;
    assert!(facts.as_str().unwrap().contains("Punto de reorden"), "{facts}");
    b.wait_for("!document.querySelector('[data-role=drawer] [data-role=history] .spinner')").await;
    b.screenshot(&artifacts_dir().join("inventario-detalle.png")).await;

    // The export carries the filters and downloads a workbook.
    let href = b.eval("document.querySelector('[data-role=export]').getAttribute('href')").await;
    assert!(href.as_str().unwrap().contains("estado=CRITICO"), "{href}");
    let got = b
        .eval("fetch(document.querySelector('[data-role=export]').href).then(async (r) => [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength])")
        .await;
    assert_eq!(got[0], json!(200));
    assert!(got[1].as_str().unwrap().contains("spreadsheetml"));
    assert!(got[2].as_u64().unwrap() > 1000);

    // The health view: a score for A+B and the charts.
    b.click("[data-view=salud]").await;
    b.wait_for("document.querySelector('[data-role=score]') && document.querySelector('svg.donut circle')").await;
    let score = b.eval("Number(document.querySelector('[data-role=score]').textContent.replace(',', '.'))").await;
    assert!((0.0..=100.0).contains(&score.as_f64().unwrap()), "{score}");
    assert_eq!(b.eval("document.querySelectorAll('.class-bar-row').length").await, json!(4), "classes A to D");
    b.screenshot(&artifacts_dir().join("inventario-salud.png")).await;
    b.click("[data-view=tabla]").await;

    // A text search narrows the rows.
    b.click("[data-card='']").await;
    b.fill("input[name=search]", "bolsa").await;
    b.wait_for("document.querySelectorAll('[data-role=stock] tbody tr').length >= 1 && [...document.querySelectorAll('[data-role=stock] tbody tr')].every((r) => r.innerText.toLowerCase().includes('bolsa'))").await;

    // A store manager of tienda_02 cannot open tienda_01's stock.
    let manager = app.token("gerente.t2", PASSWORD).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url(&format!("/dashboard/tienda_01?fecha={fecha}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('.state-error')").await;
    b.screenshot(&artifacts_dir().join("inventario-sin-permiso.png")).await;
    b.goto(&app.url(&format!("/dashboard/tienda_02?fecha={fecha}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=stock] tbody tr').length > 0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_manager_records_a_physical_count_of_a_negative_stock() {
    let app = spawn_app(true).await;
    app.state
        .warehouse
        .write(|c| {
            c.execute_batch("UPDATE inventario_actual SET cantidad = -7 WHERE ubicacion_id = 'tienda_01' AND producto_codigo = '000101'")
        })
        .unwrap();
    app.add_user("gerente.t1", PASSWORD, "gerente_tienda", &["tienda_01"]);
    let manager = app.token("gerente.t1", PASSWORD).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url("/dashboard/tienda_01")).await;
    b.wait_ready().await;
    b.wait_for("!document.querySelector('[data-role=anomaly-badge]').hidden").await;
    b.click("[data-view=correccion]").await;
    b.wait_for("document.querySelector('[data-role=anomalies] tr[data-code=\"000101\"]')").await;
    let note = b.eval("document.querySelector('[data-role=corrections] .banner-info').textContent").await;
    assert!(note.as_str().unwrap().contains("debe ingresarse en el POS"), "{note}");
    b.fill("input[name=conteo][data-code=\"000101\"]", "3").await;
    b.click("[data-role=counts] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-role=recorded] tbody tr')").await;
    let row = b.eval("document.querySelector('[data-role=recorded] tbody tr').innerText").await;
    let row = row.as_str().unwrap();
    assert!(row.contains("gerente.t1") && row.contains("000101") && row.contains("+10"), "{row}");
    b.screenshot(&artifacts_dir().join("inventario-correccion.png")).await;
}
