//! *Análisis Maestro* in a real headless Chromium: the state × class grid, a cell's products,
//! the search, and a product's 360° view; a store manager limited to his store. Screenshots
//! go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::spawn_app;
use serde_json::json;

const PASSWORD: &str = "clave-de-prueba-9";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_reads_the_states_grid_and_a_products_360_view() {
    let app = spawn_app(true).await;
    let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
    fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, app.state.tenant.today()).unwrap();
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    let buyer = app.token("compras", PASSWORD).await;

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/productos/analisis-maestro")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=master-grid]') && document.querySelector('[data-role=master-list] tbody tr')").await;
    let rows = b.eval("document.querySelectorAll('[data-role=master-grid] tbody tr').length").await;
    assert_eq!(rows, json!(7), "seven states");
    b.screenshot(&artifacts_dir().join("productos-analisis-maestro.png")).await;

    // A cell lists its products only.
    let cell = b.eval("(() => { const c = [...document.querySelectorAll('[data-role=master-grid] tbody button[data-abc=A]')].find((x) => !x.disabled); c.click(); return [c.dataset.estado, Number(c.textContent.replace(/\\./g, ''))]; })()").await;
    let (estado, n) = (cell[0].as_str().unwrap().to_string(), cell[1].as_u64().unwrap());
    b.wait_for(&format!("location.search.includes('estado={estado}')")).await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=master-list] tbody tr').length === {}", n.min(50))).await;
    let abc = b
        .eval("[...document.querySelectorAll('[data-role=master-list] tbody tr td:nth-child(3)')].every((t) => t.textContent === 'A')")
        .await;
    assert_eq!(abc, json!(true));

    // A product opens its 360° view: both stores, the CEDIs and twelve weekly bars.
    b.eval("document.querySelector('[data-role=master-list] tbody tr').click()").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=stores] tbody tr')").await;
    assert_eq!(b.eval("document.querySelectorAll('[data-role=drawer] [data-role=stores] tbody tr').length").await, json!(2));
    assert_eq!(b.eval("document.querySelectorAll('[data-role=drawer] svg.chart rect').length").await, json!(12));
    b.screenshot(&artifacts_dir().join("productos-360.png")).await;
    b.click("[data-role=drawer] [data-role=close]").await;

    // The search narrows the list.
    b.click("[data-action=clear]").await;
    let code = b.eval("document.querySelector('[data-role=master-list] tbody tr td.code').textContent").await;
    b.fill("input[name=search]", code.as_str().unwrap()).await;
    b.wait_for("document.querySelectorAll('[data-role=master-list] tbody tr').length === 1").await;

    // A store manager sees only his store in the selector.
    let manager = app.token("gerente.t2", PASSWORD).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url("/productos/analisis-maestro")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=master-grid]')").await;
    let options = b.eval("[...document.querySelectorAll('[data-role=store] option')].map((o) => o.value)").await;
    assert_eq!(options, json!(["tienda_02"]));
}
