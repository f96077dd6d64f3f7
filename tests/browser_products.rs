//! The administrator's *Productos* screen in a real headless Chromium: the flagged KLK
//! products, the filters, and correcting a pack size in the edit form. Screenshots go to
//! tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_finds_a_klk_product_without_pack_size_and_corrects_it() {
    let app = spawn_app(true).await;
    // Two products only KLK described (no pack size from the POS).
    app.state
        .warehouse
        .write(|c| c.execute_batch("UPDATE productos SET unidades_por_bulto = 1, fuente = 'klk' WHERE codigo IN ('003760', '000101')"))
        .unwrap();

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.click("a[data-shortcut=productos]").await;
    b.wait_for("document.querySelectorAll('[data-role=products] tbody tr').length === 50").await;
    b.wait_for("document.querySelector('[data-count=solo_sin_bulto]').textContent === '2'").await;
    b.screenshot(&artifacts_dir().join("productos-admin.png")).await;

    // The card of products without pack size filters the table to them.
    b.click("[data-flag=solo_sin_bulto]").await;
    b.wait_for("document.querySelectorAll('[data-role=products] tbody tr').length === 2").await;
    assert_eq!(b.eval("location.search").await, json!("?solo_sin_bulto=true"));
    let text = b.eval("document.querySelector('[data-role=products]').innerText").await;
    assert!(text.as_str().unwrap().contains("1?"), "flagged: {text}");

    // A search narrows it to one; Enter on the row opens its form.
    b.fill("input[name=search]", "bolsa").await;
    b.wait_for("document.querySelectorAll('[data-role=products] tbody tr').length === 1").await;
    b.eval("(() => { const r = document.querySelector('tr[data-code=\"003760\"]'); r.focus(); r.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); })()").await;
    b.wait_for("document.querySelector('dialog.modal[open]')").await;
    let intro = b.eval("document.querySelector('dialog.modal .modal-intro').textContent").await;
    assert!(intro.as_str().unwrap().contains("no informa las unidades por bulto"), "{intro}");

    // A pack size of 0 is refused next to the field; 50 is saved.
    b.fill("dialog.modal input[name=unidades_por_bulto]", "0").await;
    b.click("dialog.modal button[type=submit]").await;
    b.wait_for("!document.querySelector('dialog.modal [data-error-for=unidades_por_bulto]').hidden").await;
    b.screenshot(&artifacts_dir().join("productos-admin-error.png")).await;
    b.fill("dialog.modal input[name=unidades_por_bulto]", "50").await;
    b.fill("dialog.modal input[name=peso_unitario]", "0.012").await;
    b.click("dialog.modal button[type=submit]").await;
    b.wait_for("!document.querySelector('dialog.modal[open]')").await;
    b.wait_for("document.querySelector('[data-role=ok]').textContent.includes('actualizado correctamente')").await;
    // No longer without pack size: the filtered table is empty and says so in Spanish.
    b.wait_for("document.querySelector('[data-role=table]').innerText.includes('Ningún producto con estos filtros')").await;
    b.wait_for("document.querySelector('[data-count=solo_sin_bulto]').textContent === '1'").await;
    b.screenshot(&artifacts_dir().join("productos-admin-guardado.png")).await;

    let (upb, peso): (i64, f64) = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT unidades_por_bulto, peso_unitario::DOUBLE FROM productos_v WHERE codigo = '003760'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((upb, peso), (50, 0.012));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_reads_the_abc_xyz_matrix_and_opens_a_cell() {
    let app = spawn_app(true).await;
    {
        let db = fluxion::appdb::connect(&app.state.app_db_path).unwrap();
        fluxion::classification::rebuild(&app.state.tenant, &app.state.warehouse, &db, common::end_date() + chrono::Duration::days(1))
            .unwrap();
    }
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/productos/abc?ubicacion_id=tienda_01")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=matrix] [data-cell]').length === 12").await;
    let ay: i64 = app
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT count(*) FROM productos_abc_tienda WHERE ubicacion_id = 'tienda_01' AND clase_abc = 'A' AND coalesce(clase_xyz, 'Y') = 'Y'", [], |r| r.get(0))
        .unwrap();
    b.click("[data-role=matrix] [data-cell=AY]").await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=cell-products] tbody tr').length === {}", ay.min(200))).await;
    assert!(b.eval("location.search").await.as_str().unwrap().contains("celda=AY"));
    b.screenshot(&artifacts_dir().join("productos-abc-xyz.png")).await;
}
