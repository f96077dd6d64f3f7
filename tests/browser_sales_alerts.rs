//! The product drill-downs, *Agotados visuales* and *Ventas perdidas* in a real headless
//! Chromium: the badge, the drawer's tabs and charts, filters, sorting and the CSV files; a
//! store manager kept to his store. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::json;

const PASSWORD: &str = "clave-de-prueba-9";

/// Makes the next CSV download land in `window.__csv` (name and text) instead of a file.
const CAPTURE_CSV: &str = "(() => { window.__csv = null; const make = URL.createObjectURL; let text = null;
    URL.createObjectURL = (blob) => { blob.text().then((t) => { text = t; }); return make(blob); };
    HTMLAnchorElement.prototype.click = function () { const name = this.download;
      const done = () => { if (text === null) { setTimeout(done, 20); } else { window.__csv = { name, text }; } }; done(); }; })()";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_drills_into_a_product_and_reads_what_the_store_is_losing() {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, end_date() + Duration::days(1)).unwrap();
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    let buyer = app.token("compras", PASSWORD).await;
    let (desde, hasta) = (end_date() - Duration::days(27), end_date());

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url(&format!("/ventas/tienda_01?fecha_inicio={desde}&fecha_fin={hasta}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=sales] tbody tr').length > 0").await;
    // The Agotados badge shows the count of the API.
    b.wait_for("document.querySelector('[data-role=agotados-count]').textContent !== '…'").await;
    let badge = b.eval("document.querySelector('[data-role=agotados-count]').textContent").await;
    let count = b.eval("fetch('/api/ventas/agotados-visuales/tienda_01/count').then((r) => r.json()).then((c) => String(c.total))").await;
    assert_eq!(badge, count);

    // A row opens the product's drawer on its sales + stock history: a diagnosis and a chart
    // with one bar per day and the stock line.
    b.eval("document.querySelector('[data-role=sales] tbody tr td.desc').click()").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=diagnosis]')").await;
    let bars = b.eval("document.querySelectorAll('[data-role=drawer] svg.chart rect').length").await;
    assert_eq!(bars, json!(30), "one bar per day of the last 30");
    assert!(b.eval("!!document.querySelector('[data-role=drawer] svg.chart path.stock-line')").await.as_bool().unwrap());
    b.screenshot(&artifacts_dir().join("ventas-producto-historial.png")).await;
    // By store: a date × store grid; by hour: a day's bars; the lines with their totals.
    b.click("[data-role=drawer] [data-tab=tiendas]").await;
    b.wait_for("document.querySelector('[data-role=by-store] tbody tr')").await;
    let stores = b.eval("document.querySelectorAll('[data-role=by-store] thead th').length - 1").await;
    assert_eq!(stores, json!(2), "both stores of the tiny chain");
    b.screenshot(&artifacts_dir().join("ventas-producto-tiendas.png")).await;
    b.click("[data-role=drawer] [data-tab=horas]").await;
    b.wait_for("document.querySelector('[data-role=drawer] input[name=fecha]')").await;
    b.eval(&format!(
        "(() => {{ const i = document.querySelector('[data-role=drawer] input[name=fecha]'); i.value = '{}'; i.dispatchEvent(new Event('change', {{bubbles: true}})); }})()",
        end_date() - Duration::days(1)
    ))
    .await;
    b.wait_for("document.querySelectorAll('[data-role=drawer] svg.chart rect').length >= 17").await;
    b.screenshot(&artifacts_dir().join("ventas-producto-horas.png")).await;
    b.click("[data-role=drawer] [data-tab=lineas]").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=lines] tbody tr')").await;
    b.click("[data-role=drawer] [data-role=close]").await;
    b.wait_for("document.querySelector('[data-role=drawer]').hidden").await;

    // Ventas perdidas for the week after the data ends: everything with a pace is a loss.
    b.goto(&app.url("/ventas/tienda_01/perdidas")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('input[name=desde]')").await;
    let (d0, d1) = (end_date() + Duration::days(1), end_date() + Duration::days(7));
    b.eval(&format!(
        "(() => {{ const a = document.querySelector('input[name=hasta]'); a.value = '{d1}'; a.dispatchEvent(new Event('change', {{bubbles: true}}));
                   const b = document.querySelector('input[name=desde]'); b.value = '{d0}'; b.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
    ))
    .await;
    b.wait_for(&format!("document.querySelector('[data-role=subtitle]').textContent.includes('{d0}') && document.querySelector('[data-role=categories] tbody tr')")).await;
    b.screenshot(&artifacts_dir().join("ventas-perdidas-resumen.png")).await;
    b.click("[data-tab=detalle]").await;
    b.wait_for("document.querySelector('[data-role=losses] tbody tr')").await;
    let all = b.eval("document.querySelectorAll('[data-role=losses] tbody tr').length").await.as_u64().unwrap();
    b.eval("(() => { const s = document.querySelector('select[name=nivel]'); s.value = 'alto'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("[...document.querySelectorAll('[data-role=losses] tbody tr')].every((r) => r.textContent.includes('Alto'))").await;
    let alto = b.eval("document.querySelectorAll('[data-role=losses] tbody tr').length").await.as_u64().unwrap();
    assert!(alto < all, "the level filter narrows the list ({alto} of {all})");
    b.screenshot(&artifacts_dir().join("ventas-perdidas-detalle.png")).await;
    b.eval(CAPTURE_CSV).await;
    b.click("[data-role=csv]").await;
    b.wait_for("window.__csv").await;
    let csv = b.eval("window.__csv").await;
    assert_eq!(csv["name"], json!(format!("ventas-perdidas-tienda_01-{d0}-a-{d1}.csv")));
    let text = csv["text"].as_str().unwrap();
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert!(lines[0].contains("Venta perdida USD"), "{}", lines[0]);
    assert_eq!(lines.len() as u64 - 1, all, "every product of the list");

    // Agotados visuales: the table (or its empty state) and the same count as the badge.
    b.goto(&app.url("/ventas/tienda_01/agotados")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=stockouts]') || document.querySelector('.state-empty')").await;
    let shown = b.eval("document.querySelectorAll('[data-role=stockouts] tbody tr').length").await;
    let total: u64 = count.as_str().unwrap().parse().unwrap();
    assert_eq!(shown.as_u64().unwrap(), total.min(100), "the list shows every alert up to 100");
    b.screenshot(&artifacts_dir().join("ventas-agotados.png")).await;

    // A store manager of tienda_02 cannot open tienda_01's screens.
    let manager = app.token("gerente.t2", PASSWORD).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    for path in ["/ventas/tienda_01/agotados", "/ventas/tienda_01/perdidas"] {
        b.goto(&app.url(path)).await;
        b.wait_ready().await;
        b.wait_for("document.querySelector('.state-error')").await;
        let text = b.eval("document.querySelector('.state-error').textContent").await;
        assert!(text.as_str().unwrap().contains("No tiene acceso"), "{path}: {text}");
    }
}
