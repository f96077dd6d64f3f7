//! The Inter-CEDI screens in a real headless Chromium: a buyer opens them from the orders
//! list, the route's coverage days are prefilled, the calculation lists the products to send
//! with their priority, the filters change the rows, the quantities are edited, the order is
//! saved as a draft, confirmed, dispatched and received. Screenshots go to tests/artifacts/.
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
    b.wait_for(
        "document.querySelector('[data-role=create]') !== null && document.querySelector('.state-empty, [data-role=orders]') !== null",
    )
    .await;
    b.screenshot(&artifacts_dir().join("inter-cedi-lista-vacia.png")).await;
    b.click("[data-role=create]").await;
    b.wait_for("document.querySelector('[data-role=config]') !== null").await;
    assert_eq!(b.eval("document.querySelector('input[name=dias_cobertura_a]').value").await, json!("10"), "from the route");
    assert_eq!(b.eval("document.querySelector('[data-origin][aria-selected=true]').textContent").await, json!("CEDI Seco"));
    b.click("[data-role=config] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-role=lines]') !== null").await;
    let rows = b.eval("document.querySelectorAll('[data-role=lines] tbody tr').length").await.as_u64().unwrap();
    assert!(rows > 5, "{rows}");
    let kpi = b.eval("document.querySelector('[data-role=totals]').innerText").await;
    assert!(kpi.as_str().unwrap().contains("Productos en el pedido"), "{kpi}");
    b.screenshot(&artifacts_dir().join("inter-cedi-calculo.png")).await;
    // Pasted codes (with or without leading zeros) narrow the rows to those products.
    let first = b.eval("document.querySelector('[data-role=lines] tbody tr').dataset.code").await.as_str().unwrap().to_string();
    let stripped = first.trim_start_matches('0').to_string();
    b.fill("[data-role=filters] input[name=q]", &format!("{stripped}, NOEXISTE")).await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=lines] tbody tr').length === 1 && document.querySelector('[data-role=lines] tbody tr').dataset.code === '{first}'")).await;
    b.fill("[data-role=filters] input[name=q]", "").await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=lines] tbody tr').length === {rows}")).await;

    // The regional sales behind a line's P75, as a chart and a table, with the same P75.
    b.click("[data-role=lines] tr:first-child [data-detail=ventas]").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=p75-regional]') !== null").await;
    let p75 = b.eval("document.querySelector('[data-role=drawer] [data-role=p75-regional]').textContent").await;
    let title = b.eval("document.querySelector('[data-role=lines] tr:first-child [data-detail=ventas]').title").await;
    assert!(title.as_str().unwrap().starts_with(&format!("{} unidades/día", p75.as_str().unwrap())), "{title} vs {p75}");
    assert!(b.eval("document.querySelector('[data-role=drawer] svg.chart') !== null").await.as_bool().unwrap());
    b.screenshot(&artifacts_dir().join("inter-cedi-ventas-region.png")).await;
    b.click("[data-role=drawer] [data-role=close]").await;
    b.click("[data-role=lines] tr:first-child [data-detail=origen]").await;
    b.wait_for("document.querySelector('[data-role=drawer] [data-role=stock-actual]') !== null").await;
    b.screenshot(&artifacts_dir().join("inter-cedi-stock-origen.png")).await;
    b.click("[data-role=drawer] [data-role=close]").await;

    // The buyer raises the first line to 9 packs and unticks the second: the totals follow.
    let packs_before =
        b.eval("Number(document.querySelector('[data-role=total-bultos]').textContent.replace(/\\D/g, ''))").await.as_u64().unwrap();
    let second = b.eval("document.querySelectorAll('[data-role=lines] tbody tr')[1].dataset.code").await.as_str().unwrap().to_string();
    let (q1, q2) = (
        b.eval("Number(document.querySelectorAll('[data-role=lines] input[name=qty]')[0].value)").await.as_u64().unwrap(),
        b.eval("Number(document.querySelectorAll('[data-role=lines] input[name=qty]')[1].value)").await.as_u64().unwrap(),
    );
    b.fill("[data-role=lines] tr:first-child input[name=qty]", "9").await;
    b.eval(
        "document.querySelector('[data-role=lines] tr:first-child input[name=qty]').dispatchEvent(new Event('change', {bubbles: true}))",
    )
    .await;
    b.click(&format!("[data-role=lines] tr[data-code='{second}'] input[name=sel]")).await;
    let expected = packs_before + 9 - q1 - q2;
    b.wait_for(&format!("Number(document.querySelector('[data-role=total-bultos]').textContent.replace(/\\D/g, '')) === {expected}")).await;
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('[data-role=confirm]') !== null").await;
    b.eval("document.querySelector('[data-role=confirm] select[name=prioridad]').value = 'alta'").await;
    b.fill("[data-role=confirm] textarea[name=observaciones]", "Semana de promoción").await;
    b.click("[data-role=save]").await;
    b.wait_for("document.querySelector('[data-role=flash]') !== null").await;
    assert!(b.eval("document.querySelector('[data-role=flash]').textContent").await.as_str().unwrap().contains("IC-00001"));
    b.screenshot(&artifacts_dir().join("inter-cedi-confirmacion.png")).await;
    let saved = app.get_json("/api/pedidos-inter-cedi/IC-00001", &buyer).await;
    assert_eq!(
        (saved["estado"].as_str(), saved["prioridad"].as_str(), saved["observaciones"].as_str()),
        (Some("borrador"), Some("alta"), Some("Semana de promoción"))
    );
    let lines = saved["productos"].as_array().unwrap();
    assert!(lines.iter().any(|l| l["codigo_producto"] == first.as_str() && l["cantidad_pedida_bultos"] == 9), "{lines:?}");
    assert!(!lines.iter().any(|l| l["codigo_producto"] == second.as_str()), "the unticked line is not saved");
    let total: u64 = lines.iter().map(|l| l["cantidad_pedida_bultos"].as_u64().unwrap()).sum();
    assert_eq!(total, expected, "what the screen totalled is what was saved");

    // Confirm: the same draft is saved and confirmed, then the list shows it.
    b.click("[data-role=confirm-btn]").await;
    b.wait_for("document.querySelector('[data-role=orders] tr[data-numero=\"IC-00001\"] [data-estado=confirmado]') !== null").await;
    assert!(b.eval("document.querySelector('[data-role=flash]').textContent").await.as_str().unwrap().contains("confirmado"));
    b.screenshot(&artifacts_dir().join("inter-cedi-lista.png")).await;
    let list = app.get_json("/api/pedidos-inter-cedi", &buyer).await;
    assert_eq!(list["total"], 1, "confirming a saved draft does not create a second order");

    // The order, read-only: dispatched, then received with one line short.
    b.click("[data-role=orders] tr[data-numero=\"IC-00001\"] td:nth-child(3)").await;
    b.wait_for("document.querySelector('[data-act=despachar]') !== null").await;
    assert_eq!(b.eval("document.querySelectorAll('[data-role=lines] input').length").await, json!(0), "a confirmed order is read-only");
    b.click("[data-act=despachar]").await;
    b.wait_for("document.querySelector('dialog[open] textarea[name=notas]') !== null").await;
    b.fill("dialog[open] textarea[name=notas]", "Camión 7").await;
    b.click("dialog[open] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-act=recibir]') !== null").await;
    b.click("[data-act=recibir]").await;
    b.wait_for("document.querySelector('dialog[open] input[name=rec]') !== null").await;
    b.fill(&format!("dialog[open] input[data-code='{first}']"), "8").await;
    b.click("dialog[open] button[type=submit]").await;
    b.wait_for("document.querySelector('h1 [data-estado=recibido]') !== null").await;
    let history = b.eval("[...document.querySelectorAll('[data-role=history] tbody tr')].map(r => r.cells[3].textContent)").await;
    assert_eq!(history, json!(["compras", "compras", "compras", "compras"]));
    let received = b.eval(&format!("document.querySelector('[data-role=lines] tr[data-code=\"{first}\"]').cells[10].textContent")).await;
    assert_eq!(received, json!("8"));
    b.screenshot(&artifacts_dir().join("inter-cedi-recibido.png")).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_groups_substitute_products_into_a_set() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('a[data-shortcut=conjuntos-sustituibles]') !== null").await;
    b.click("a[data-shortcut=conjuntos-sustituibles]").await;
    b.wait_for("document.querySelector('[data-role=create]') !== null && document.querySelector('.state-empty') !== null").await;
    b.click("[data-role=create]").await;
    b.wait_for("document.querySelector('dialog[open] textarea[name=productos]') !== null").await;
    b.fill("dialog[open] input[name=nombre]", "Azúcar 1 kg").await;
    b.fill("dialog[open] textarea[name=productos]", "132, 60\n000234").await;
    b.click("dialog[open] button[type=submit]").await;
    b.wait_for("document.querySelectorAll('[data-role=sets] tbody tr').length === 1").await;
    let row = b.eval("document.querySelector('[data-role=sets] tbody tr').innerText").await;
    let row = row.as_str().unwrap();
    assert!(row.contains("Azúcar 1 kg") && row.contains("000132") && row.contains("60,0 %") && row.contains("por ventas"), "{row}");
    assert!(b.eval("document.querySelector('[data-role=flash]').textContent").await.as_str().unwrap().contains("creado con 2 productos"));
    b.screenshot(&artifacts_dir().join("conjuntos-sustituibles.png")).await;
    // A refused set keeps the dialog open with the server's message.
    b.click("[data-role=create]").await;
    b.wait_for("document.querySelector('dialog[open] textarea[name=productos]') !== null").await;
    b.fill("dialog[open] input[name=nombre]", "Otro").await;
    b.fill("dialog[open] textarea[name=productos]", "132").await;
    b.click("dialog[open] button[type=submit]").await;
    b.wait_for("!document.querySelector('dialog[open] [data-role=dialog-error]').hidden").await;
    let msg = b.eval("document.querySelector('dialog[open] [data-role=dialog-error]').textContent").await;
    assert!(msg.as_str().unwrap().contains("al menos dos"), "{msg}");
}
