//! *Ventas* in a real headless Chromium: the stores, a store's products over a period, the
//! filters, the same-weekday drill-down and the export; a store manager kept to his store.
//! Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::json;

const PASSWORD: &str = "clave-de-prueba-9";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_reads_a_stores_sales_and_a_manager_only_his_own() {
    let app = spawn_app(true).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    let buyer = app.token("compras", PASSWORD).await;
    let (desde, hasta) = (end_date() - Duration::days(27), end_date());

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    // The landing's window (complete days to yesterday) must reach the generated data.
    let dias = (app.state.tenant.today() - end_date()).num_days() + 10;
    b.goto(&app.url(&format!("/ventas?dias={dias}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=store-list] a[href=\"/ventas/tienda_01\"]')").await;
    // Region tabs: the other region lists its own store.
    b.click("[data-role=regions] [data-region=CARACAS]").await;
    b.wait_for("document.querySelector('[data-role=store-list] a[href=\"/ventas/tienda_02\"]')").await;
    b.click("[data-role=regions] [data-region=VALENCIA]").await;
    b.screenshot(&artifacts_dir().join("ventas-tiendas.png")).await;

    b.goto(&app.url(&format!("/ventas/tienda_01?fecha_inicio={desde}&fecha_fin={hasta}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=sales] tbody tr').length === 50").await;
    let first = b.eval("document.querySelector('[data-role=sales] tbody tr td:nth-child(1)').textContent").await;
    assert_eq!(first, json!("1"), "ranked by units");
    b.screenshot(&artifacts_dir().join("ventas-tienda.png")).await;

    // The category filter keeps only that category, ranked within it.
    let cat = b.eval("document.querySelector('select[name=categoria] option:nth-child(2)').value").await;
    let cat = cat.as_str().unwrap().to_string();
    b.eval(&format!("(() => {{ const s = document.querySelector('select[name=categoria]'); s.value = {}; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()", json!(cat))).await;
    b.wait_for("location.search.includes('categoria=')").await;
    b.wait_for(&format!(
        "[...document.querySelectorAll('[data-role=sales] tbody td.desc .cat')].every((c) => c.textContent.includes({}))",
        json!(cat)
    ))
    .await;

    // A weekday cell opens the last same weekdays as bars.
    b.eval("document.querySelector('[data-role=sales] tbody tr td[data-wd=\"1\"]').click()").await;
    b.wait_for("!document.querySelector('[data-role=drawer]').hidden && document.querySelector('[data-role=drawer] svg.bars')").await;
    let bars = b.eval("document.querySelectorAll('[data-role=drawer] svg.bars rect').length").await;
    assert!(bars.as_u64().unwrap() >= 1 && bars.as_u64().unwrap() <= 8, "{bars}");
    b.screenshot(&artifacts_dir().join("ventas-dia-semana.png")).await;

    // The export keeps the period and the filter.
    let href = b.eval("document.querySelector('[data-role=export]').getAttribute('href')").await;
    let href = href.as_str().unwrap();
    assert!(href.contains(&format!("fecha_inicio={desde}")) && href.contains("categoria="), "{href}");
    let got =
        b.eval("fetch(document.querySelector('[data-role=export]').href).then((r) => [r.status, r.headers.get('content-type')])").await;
    assert_eq!(got[0], json!(200));
    assert!(got[1].as_str().unwrap().contains("spreadsheetml"));

    // A preset replaces the period.
    b.click("[data-preset=semana]").await;
    b.wait_for("document.querySelector('[data-preset=semana]').getAttribute('aria-pressed') === 'true'").await;

    let manager = app.token("gerente.t2", PASSWORD).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url(&format!("/ventas?dias={dias}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=store-list]')").await;
    let links = b.eval("[...document.querySelectorAll('[data-role=store-list] a')].map((a) => a.getAttribute('href'))").await;
    assert_eq!(links, json!(["/ventas/tienda_02"]), "only his store");
    b.goto(&app.url("/ventas/tienda_01")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('.state-error')").await;
}
