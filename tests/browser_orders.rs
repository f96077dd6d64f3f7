//! The *Pedidos Sugeridos* list and the order detail / approval view in a real headless
//! Chromium: a store manager lands on his stores' orders, opens one, approves it with a
//! comment and verifies its arrival. Screenshots go to tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app};
use serde_json::{json, Value};

const PASSWORD: &str = "clave-de-prueba-9";

async fn create_order(app: &common::TestApp, token: &str, store: &str, cedi: &str, enviar: bool) -> Value {
    let fecha = (end_date() + Duration::days(1)).to_string();
    let calc: Value = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(token)
        .json(&json!({"cedi_origen": cedi, "tienda_destino": store, "fecha": fecha}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lines: Vec<Value> = calc["productos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0)
        .take(12)
        .map(
            |l| json!({"codigo_producto": l["codigo_producto"], "cantidad_pedida_bultos": l["cantidad_sugerida_bultos"], "incluido": true}),
        )
        .collect();
    let r = app
        .client
        .post(app.url("/api/pedidos-sugeridos"))
        .bearer_auth(token)
        .json(&json!({"cedi_origen_id": cedi, "tienda_destino_id": store, "fecha_pedido": fecha, "enviar": enviar,
                      "observaciones": "Reposición de la semana", "productos": lines}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_manager_lists_opens_approves_and_verifies_an_order() {
    let app = spawn_app(true).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t1", PASSWORD, "gerente_tienda", &["tienda_01"]);
    let buyer = app.token("compras", PASSWORD).await;
    let manager = app.token("gerente.t1", PASSWORD).await;
    let mine = create_order(&app, &buyer, "tienda_01", "cedi_seco", true).await;
    create_order(&app, &buyer, "tienda_01", "cedi_seco", false).await;
    create_order(&app, &buyer, "tienda_02", "cedi_seco", false).await;

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &manager).await;
    b.goto(&app.url("/")).await;
    b.wait_ready().await;
    assert_eq!(b.eval("location.pathname").await, json!("/pedidos-sugeridos"), "the orders list is the manager's landing page");
    b.wait_for("document.querySelectorAll('[data-role=orders] tbody tr').length > 0").await;
    let rows = b.eval("document.querySelectorAll('[data-role=orders] tbody tr').length").await;
    assert_eq!(rows, json!(2), "only tienda_01's orders");
    let text = b.eval("document.querySelector('[data-role=orders]').innerText").await;
    let text = text.as_str().unwrap();
    assert!(text.contains("Pendiente de aprobación") && text.contains("Borrador"), "{text}");
    assert!(text.contains("Sin verificar"), "{text}");
    b.screenshot(&artifacts_dir().join("pedidos-lista.png")).await;

    // Filter by state: only the pending one.
    b.eval("(() => { const s = document.querySelector('select[name=estado]'); s.value = 'pendiente_aprobacion'; s.dispatchEvent(new Event('change', {bubbles: true})); })()").await;
    b.wait_for("document.querySelectorAll('[data-role=orders] tbody tr').length === 1").await;
    assert_eq!(b.eval("location.search").await, json!("?estado=pendiente_aprobacion"));

    let id = mine["id"].as_str().unwrap();
    b.click(&format!("tr[data-id='{id}'] a.btn")).await;
    b.wait_for("document.querySelector('[data-role=order-lines]') !== null").await;
    let buttons = b.eval("[...document.querySelectorAll('[data-act]')].map(b => b.dataset.act)").await;
    let buttons: Vec<String> = serde_json::from_value(buttons).unwrap();
    assert!(buttons.contains(&"aprobar".to_string()) && buttons.contains(&"rechazar".to_string()), "{buttons:?}");
    assert!(!buttons.contains(&"marcar-enviado".to_string()), "not in this state: {buttons:?}");
    assert_eq!(b.eval("document.querySelectorAll('[data-role=order-lines] tbody tr').length").await, mine["total_productos"]);
    b.screenshot(&artifacts_dir().join("pedido-detalle.png")).await;

    b.eval("window.prompt = () => 'Conforme, despachar el jueves'").await;
    b.click("[data-act=aprobar]").await;
    b.wait_for("document.querySelector('h1 .badge') && document.querySelector('h1 .badge').textContent === 'Aprobado'").await;
    let comments = b.eval("document.querySelector('[data-role=comments]').innerText").await;
    assert!(comments.as_str().unwrap().contains("Conforme, despachar el jueves"), "{comments}");
    let history = b.eval("document.querySelector('[data-role=history]').innerText").await;
    assert!(history.as_str().unwrap().contains("gerente.t1"), "{history}");

    b.click("[data-act=verificar]").await;
    b.wait_for("document.querySelector('.verify-head') !== null").await;
    let head = b.eval("document.querySelector('.verify-head').innerText").await;
    assert!(head.as_str().unwrap().contains("Cumplimiento"), "{head}");
    b.screenshot(&artifacts_dir().join("pedido-verificacion.png")).await;

    // The list shows the new state.
    b.eval("window.fluxion.navigate('/pedidos-sugeridos')").await;
    b.wait_for("document.querySelectorAll('[data-role=orders] tbody tr').length === 2").await;
    let text = b.eval("document.querySelector('[data-role=orders]').innerText").await;
    assert!(text.as_str().unwrap().contains("Aprobado"), "{text}");
}
