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
    // "Exportar Excel" downloads the workbook with the browser's session.
    let excel = b
        .eval("fetch(document.querySelector('[data-role=excel]').href).then(r => r.status + ' ' + r.headers.get('content-disposition'))")
        .await;
    assert!(excel.as_str().unwrap().starts_with("200 attachment; filename=\"PS-00001.xlsx\""), "{excel}");

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

    // The goods arrive: a stock snapshot after the order with every line's ordered units.
    // The order is moved an hour back first (the snapshot must fall between it and now).
    let created = chrono::Utc::now().naive_utc() - Duration::hours(1);
    app.state
        .app_db
        .lock()
        .unwrap()
        .execute(
            "UPDATE pedidos_sugeridos SET fecha_creacion = ?2 WHERE id = ?1",
            rusqlite::params![id, created.format("%Y-%m-%dT%H:%M:%SZ").to_string()],
        )
        .unwrap();
    let arrived = chrono::Utc::now().with_timezone(&app.state.tenant.timezone).naive_local() - Duration::minutes(30);
    let order: Value = app.get_json(&format!("/api/pedidos-sugeridos/{id}"), &manager).await;
    for l in order["lineas"].as_array().unwrap() {
        let units = l["cantidad_pedida_unidades"].as_f64().unwrap();
        app.state
            .warehouse
            .write(|c| {
                c.execute(
                    "INSERT INTO inventario_historico (ubicacion_id, almacen_codigo, producto_codigo, fecha_snapshot, cantidad, cantidad_cambio, presente, origen)
                     SELECT ubicacion_id, almacen_codigo, producto_codigo, ?::TIMESTAMP, cantidad + ?::DECIMAL(18,4), ?::DECIMAL(18,4), true, 'etl'
                     FROM inventario_historico WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ? ORDER BY fecha_snapshot DESC LIMIT 1",
                    duckdb::params![arrived, units, units, l["codigo_producto"].as_str().unwrap()],
                )
            })
            .unwrap();
    }
    b.click("[data-act=verificar]").await;
    b.wait_for("document.querySelector('.verify-head') && document.querySelector('.verify-head').innerText.includes('100')").await;
    let states = b.eval("[...document.querySelectorAll('[data-role=order-lines] tbody .badge')].map(b => b.textContent)").await;
    let states: Vec<String> = serde_json::from_value(states).unwrap();
    assert!(!states.is_empty() && states.iter().all(|s| s == "Completo"), "{states:?}");
    b.screenshot(&artifacts_dir().join("pedido-llegada-completa.png")).await;

    // The list shows the new state.
    b.eval("window.fluxion.navigate('/pedidos-sugeridos')").await;
    b.wait_for("document.querySelectorAll('[data-role=orders] tbody tr').length === 2").await;
    let text = b.eval("document.querySelector('[data-role=orders]').innerText").await;
    assert!(text.as_str().unwrap().contains("Aprobado"), "{text}");

    // A manager of another store sees neither the order in his list nor its page.
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    let other = app.token("gerente.t2", PASSWORD).await;
    b.set_cookie(&app.url("/"), "fluxion_session", &other).await;
    b.goto(&app.url("/pedidos-sugeridos")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('[data-role=orders] tbody tr').length === 1").await;
    let ids = b.eval("[...document.querySelectorAll('[data-role=orders] tbody tr')].map(tr => tr.dataset.id)").await;
    assert!(!ids.as_array().unwrap().contains(&json!(id)), "{ids}");
    b.goto(&app.url(&format!("/pedidos-sugeridos/{id}"))).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('.state-empty') !== null").await;
    let h2 = b.eval("document.querySelector('.state-empty h2').textContent").await;
    assert_eq!(h2, json!("Pedido no encontrado"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_builds_an_order_in_the_wizard_and_sends_it() {
    let app = spawn_app(true).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/pedidos-sugeridos")).await;
    b.wait_ready().await;
    assert!(b.eval("document.querySelector('.state-empty') !== null").await.as_bool().unwrap(), "an empty list says so");
    b.click("[data-role=create]").await;
    b.wait_for("document.querySelector('[data-role=step1]') !== null").await;
    b.eval("window.confirm = () => true; window.alert = () => {};").await;

    // Step 1: the CEDI, then a store it supplies.
    b.eval("(() => { const f = document.querySelector('[data-role=step1]'); f.cedi.value = 'cedi_seco'; f.cedi.dispatchEvent(new Event('change')); })()").await;
    let stores = b.eval("[...document.querySelector('[data-role=step1]').tienda.options].map(o => o.value).filter(Boolean)").await;
    assert!(stores.as_array().unwrap().contains(&json!("tienda_01")), "{stores}");
    b.eval("(() => { const f = document.querySelector('[data-role=step1]'); f.tienda.value = 'tienda_01'; f.tienda.dispatchEvent(new Event('change')); })()").await;
    b.screenshot(&artifacts_dir().join("wizard-paso1.png")).await;
    b.click("[data-role=step1] button[type=submit]").await;

    // Step 2: the grid opens on the selected (suggested) lines, most critical first.
    b.wait_for("document.querySelector('[data-role=lines] tbody tr') !== null").await;
    let first_rows = b.eval("document.querySelectorAll('[data-role=lines] tbody tr').length").await.as_u64().unwrap();
    assert!(first_rows > 0 && first_rows <= 100, "one page of at most 100 rows: {first_rows}");
    let crit = b
        .eval("[...document.querySelectorAll('[data-role=lines] tbody tr')].map(tr => tr.querySelector('.badge') ? tr.querySelector('.badge').textContent : '')")
        .await;
    assert!(crit[0].as_str().unwrap().contains("Crítico"), "most critical first: {crit}");
    b.screenshot(&artifacts_dir().join("wizard-paso2.png")).await;
    let code = b.eval("document.querySelector('[data-role=lines] tbody tr').dataset.code").await;
    let code = code.as_str().unwrap().to_string();

    // Filter by code (leading zeros ignored), edit the quantity, open the explanation.
    let short = code.trim_start_matches('0').to_string();
    b.eval(&format!(
        "(() => {{ const q = document.querySelector('[data-role=filters] input[name=q]'); q.value = '{short},999999'; q.dispatchEvent(new Event('input', {{bubbles: true}})); }})()"
    ))
    .await;
    b.wait_for("document.querySelectorAll('[data-role=lines] tbody tr').length === 1").await;
    b.eval("(() => { const i = document.querySelector('[data-role=qty]'); i.value = '7'; i.dispatchEvent(new Event('input', {bubbles: true})); })()").await;
    b.click("[data-role=why]").await;
    b.wait_for("document.querySelector('.drawer-body') !== null").await;
    let drawer = b.eval("document.querySelector('[data-role=drawer]').innerText").await;
    let drawer = drawer.as_str().unwrap().to_string();
    assert!(drawer.contains("regla decisiva") && drawer.contains("Niveles"), "{drawer}");
    let bars = b.eval("document.querySelectorAll('[data-role=drawer] .sales-chart rect').length").await;
    assert!(bars.as_u64().unwrap() >= 7, "a bar per day of the window: {bars}");
    b.screenshot(&artifacts_dir().join("wizard-explicacion.png")).await;
    b.click("[data-role=drawer] [data-role=close]").await;

    // Clear the filter, go on: the confirmation lists the selected lines with the edit.
    b.eval("(() => { const q = document.querySelector('[data-role=filters] input[name=q]'); q.value = ''; q.dispatchEvent(new Event('input', {bubbles: true})); })()").await;
    // "Exportar Excel" downloads the server-built workbook of the included rows.
    b.click("[data-role=export]").await;
    b.wait_for("document.querySelector('[data-role=export]').dataset.file !== undefined").await;
    let file = b.eval("document.querySelector('[data-role=export]').dataset.file").await;
    assert!(file.as_str().unwrap().starts_with("Pedido_PERIFERICO_"), "{file}");
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('[data-role=confirm-lines]') !== null").await;
    let confirm_rows = b.eval("document.querySelectorAll('[data-role=confirm-lines] tbody tr').length").await.as_u64().unwrap();
    assert!(confirm_rows >= 1);
    b.fill("[data-role=obs]", "Pedido desde el asistente").await;
    b.screenshot(&artifacts_dir().join("wizard-paso3.png")).await;
    b.click("[data-save=true]").await;
    b.wait_for("document.querySelector('[data-role=order-lines]') !== null").await;
    assert_eq!(b.eval("document.querySelector('h1 .badge').textContent").await, json!("Pendiente de aprobación"));

    // What was saved is what the buyer chose.
    let list: Value = app.get_json("/api/pedidos-sugeridos", &buyer).await;
    let id = list["pedidos"][0]["id"].as_str().unwrap();
    let order: Value = app.get_json(&format!("/api/pedidos-sugeridos/{id}"), &buyer).await;
    assert_eq!(order["observaciones"], "Pedido desde el asistente");
    assert_eq!(order["lineas"].as_array().unwrap().len() as u64, confirm_rows);
    let line = order["lineas"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code.as_str()).unwrap();
    assert_eq!(line["cantidad_pedida_bultos"], 7);
    assert_eq!(order["historial"][0]["usuario"], "compras");
}

#[tokio::test]
async fn the_calculation_travels_compressed_and_can_leave_explanations_out() {
    let app = spawn_app(true).await;
    let body = json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": (end_date() + Duration::days(1)).to_string()});
    let full = app.client.post(app.url("/api/pedidos-sugeridos/calcular")).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    let full_text = full.text().await.unwrap();
    let mut lean_body = body.clone();
    lean_body["explicacion"] = json!(false);
    let lean: Value = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(&app.admin_token)
        .json(&lean_body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let full: Value = serde_json::from_str(&full_text).unwrap();
    assert_eq!(full["productos"].as_array().unwrap().len(), lean["productos"].as_array().unwrap().len());
    assert!(full["productos"][0]["explicacion"].is_object());
    assert!(lean["productos"][0].get("explicacion").is_none(), "the grid's payload has no explanation blocks");
    assert_eq!(full["productos"][0]["cantidad_sugerida_bultos"], lean["productos"][0]["cantidad_sugerida_bultos"]);
    // One line with its explanation for the drawer.
    let code = lean["productos"][3]["codigo_producto"].clone();
    let mut one = body.clone();
    one["codigos"] = json!([code]);
    let one: Value = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(&app.admin_token)
        .json(&one)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["productos"].as_array().unwrap().len(), 1);
    assert_eq!(one["productos"][0]["codigo_producto"], code);
    // The grid's table format: the same lines, the grid's columns only.
    let mut table_body = body.clone();
    table_body["formato"] = json!("tabla");
    table_body["explicacion"] = json!(false);
    let table: Value = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(&app.admin_token)
        .json(&table_body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cols: Vec<&str> = table["columnas"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let rows = table["filas"].as_array().unwrap();
    assert_eq!(rows.len(), lean["productos"].as_array().unwrap().len());
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    for (row, line) in rows.iter().zip(lean["productos"].as_array().unwrap()).take(50) {
        assert_eq!(row[at("codigo_producto")], line["codigo_producto"]);
        assert_eq!(row[at("cantidad_sugerida_bultos")], line["cantidad_sugerida_bultos"]);
        assert_eq!(row[at("estado_criticidad")], line["estado_criticidad"]);
        assert_eq!(row[at("v2_diferencia_bultos")], line["v2_diferencia_bultos"]);
        assert!((row[at("punto_reorden")].as_f64().unwrap() - line["punto_reorden"].as_f64().unwrap()).abs() <= 0.0005);
    }
    assert!(
        serde_json::to_string(&table).unwrap().len() * 4 < serde_json::to_string(&lean).unwrap().len(),
        "much smaller than the full lines"
    );
    // A browser asking for gzip gets it (reqwest here sends no Accept-Encoding: plain JSON above).
    let raw = app
        .client
        .post(app.url("/api/pedidos-sugeridos/calcular"))
        .bearer_auth(&app.admin_token)
        .header("accept-encoding", "gzip")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers()["content-encoding"], "gzip");
    let compressed = raw.bytes().await.unwrap().len();
    assert!(compressed * 4 < full_text.len(), "gzip shrinks the calculation: {compressed} of {} bytes", full_text.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_edits_the_replenishment_parameters_screen() {
    let app = spawn_app(true).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &app.admin_token).await;
    b.goto(&app.url("/administrador")).await;
    b.wait_ready().await;
    b.click("a[data-shortcut=parametros-abc]").await;
    b.wait_for("document.querySelector('[data-role=modelo]') !== null").await;
    b.screenshot(&artifacts_dir().join("parametros-modelo.png")).await;
    // Switch the active model.
    b.click("input[value=pareto_volumen]").await;
    b.click("[data-role=modelo] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-role=ok]').hidden").await;
    let model: Value = app.get_json("/api/config-inventario/parametros-abc/modelo-activo", &app.admin_token).await;
    assert_eq!(model["modelo_activo"], "pareto_volumen");

    // Globals: approval off, and a bad value refused with the server's message.
    b.click("[data-tab=globales]").await;
    b.wait_for("document.querySelector('[data-role=globales]') !== null").await;
    b.click("[data-role=globales] input[name=requiere_aprobacion]").await;
    b.click("[data-role=globales] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-role=ok]').hidden").await;
    let all: Value = app.get_json("/api/config-inventario/parametros-abc", &app.admin_token).await;
    assert_eq!(all["globales"]["requiere_aprobacion"], false);
    b.fill("[data-role=globales] input[name=transito_ventana_dias]", "500").await;
    b.click("[data-role=globales] button[type=submit]").await;
    b.wait_for("!document.querySelector('[data-role=message]').hidden").await;
    let msg = b.eval("document.querySelector('[data-role=message]').textContent").await;
    assert!(msg.as_str().unwrap().contains("transito_ventana_dias"), "{msg}");
    b.screenshot(&artifacts_dir().join("parametros-globales.png")).await;

    // A category override from the catalogue's categories.
    b.click("[data-tab=categorias]").await;
    b.wait_for("document.querySelector('[data-role=add-category]') !== null").await;
    b.eval("(() => { const s = document.querySelector('[data-role=add-category] select'); s.value = s.options[1].value; })()").await;
    b.fill("[data-role=add-category] input[name=a]", "4").await;
    b.click("[data-role=add-category] button[type=submit]").await;
    b.wait_for("document.querySelector('[data-role=categorias] tbody tr') !== null").await;
    b.screenshot(&artifacts_dir().join("parametros-categorias.png")).await;
    let rows: Value = app.get_json("/api/config-inventario/cobertura-categoria", &app.admin_token).await;
    assert_eq!(rows[0]["dias_cobertura_a"], 4);

    // Exclusions: two pasted codes, one unknown to nobody (codes are free text) — both listed.
    b.click("[data-tab=excluidos]").await;
    b.wait_for("document.querySelector('[data-role=add-exclusion]') !== null").await;
    b.fill("[data-role=add-exclusion] textarea", "000200, 000210").await;
    b.click("[data-role=add-exclusion] button[type=submit]").await;
    b.wait_for("document.querySelectorAll('[data-role=excluidos] tbody tr').length === 2").await;
    b.screenshot(&artifacts_dir().join("parametros-excluidos.png")).await;
}
