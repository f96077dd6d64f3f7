//! The Inter-CEDI calculation screen in a real headless Chromium: a buyer opens it from the
//! orders list, the route's coverage days are prefilled, the calculation lists the products
//! to send with their priority, and the filters change the rows. Screenshots go to
//! tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use common::browser::{artifacts_dir, Browser};
use common::spawn_app_with;
use serde_json::json;

const PASSWORD: &str = "clave-de-prueba-9";

fn with_receiving_cedi(toml: String) -> String {
    let toml = toml.replace("cedi_reposicion = \"cedi_seco\"", "cedi_reposicion = \"cedi_caracas\"");
    format!(
        "{toml}\n[[stores]]\nid = \"cedi_caracas\"\nname = \"CEDI Caracas\"\nkind = \"cedi\"\nregion = \"CARACAS\"\ncity = \"Caracas\"\npos = \"none\"\n\
         visible_pedidos = true\n\n[[stores.almacenes]]\ncodigo = \"CCS-01\"\nnombre = \"PRINCIPAL\"\ntipo = \"principal\"\n\n\
         [[routes]]\norigin = \"cedi_seco\"\ndestination = \"cedi_caracas\"\ndias_cobertura_a = 10\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_computes_an_inter_cedi_order() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/pedidos-sugeridos")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=inter-cedi]') !== null").await;
    b.click("[data-role=inter-cedi]").await;
    b.wait_for("document.querySelector('[data-role=config]') !== null").await;
    assert_eq!(b.eval("document.querySelector('input[name=dias_cobertura_a]').value").await, json!("10"), "from the route");
    assert_eq!(b.eval("document.querySelector('[data-origin][aria-selected=true]').textContent").await, json!("CEDI Seco"));
    b.click("[data-role=config] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-role=lines]') !== null").await;
    let rows = b.eval("document.querySelectorAll('[data-role=lines] tbody tr').length").await.as_u64().unwrap();
    assert!(rows > 5, "{rows}");
    let kpi = b.eval("document.querySelector('.kpis').innerText").await;
    assert!(kpi.as_str().unwrap().contains("Productos con pedido"), "{kpi}");
    b.screenshot(&artifacts_dir().join("inter-cedi-calculo.png")).await;
    // Pasted codes (with or without leading zeros) narrow the rows to those products.
    let first = b.eval("document.querySelector('[data-role=lines] tbody tr').dataset.code").await.as_str().unwrap().to_string();
    let stripped = first.trim_start_matches('0').to_string();
    b.fill("[data-role=filters] input[name=q]", &format!("{stripped}, NOEXISTE")).await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=lines] tbody tr').length === 1 && document.querySelector('[data-role=lines] tbody tr').dataset.code === '{first}'")).await;
    // A manager of a store does not see the screen (capability pedidos.intercedi).
    app.add_user("gerente", PASSWORD, "gerente_tienda", &["tienda_01"]);
    let r = app
        .client
        .get(app.url("/api/pedidos-inter-cedi/config/rutas"))
        .bearer_auth(app.token("gerente", PASSWORD).await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_excludes_products_one_by_one_and_in_bulk() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('a[data-shortcut=exclusiones-inter-cedi]') !== null").await;
    b.click("a[data-shortcut=exclusiones-inter-cedi]").await;
    b.wait_for("document.querySelector('[data-role=add]') !== null && document.querySelector('.state') !== null").await;
    // One product by its code without leading zeros.
    b.fill("[data-role=add] input[name=codigo]", "132").await;
    b.click("[data-role=add] button[type=submit]").await;
    b.wait_for("document.querySelectorAll('[data-role=exclusions] tbody tr').length === 1").await;
    assert!(b.eval("document.querySelector('[data-role=add-msg]').innerText").await.as_str().unwrap().contains("000132"));
    // Pasted codes: one new, one already excluded, one unknown.
    b.fill("[data-role=bulk] textarea[name=codigos]", "000234\n132; NOEXISTE").await;
    b.click("[data-role=bulk] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-role=bulk-result]') !== null && document.querySelectorAll('[data-role=exclusions] tbody tr').length === 2").await;
    let result = b.eval("document.querySelector('[data-role=bulk-result]').innerText").await;
    let result = result.as_str().unwrap();
    assert!(result.contains("excluidos 1") && result.contains("ya excluidos 1") && result.contains("NOEXISTE"), "{result}");
    b.screenshot(&artifacts_dir().join("exclusiones-inter-cedi.png")).await;
    // Removed after confirming.
    b.eval("window.confirm = () => true").await;
    b.click("[data-role=exclusions] [data-delete]").await;
    b.wait_for("document.querySelectorAll('[data-role=exclusions] tbody tr').length === 1").await;
    let codes = app.get_json("/api/productos-excluidos-inter-cedi/codigos/cedi_caracas", &app.admin_token).await;
    assert_eq!(codes["total"], 1);
}
