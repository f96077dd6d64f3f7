//! The multi-store wizard in a real headless Chromium (spec 31 §2.2, §2.8, §2.9): a buyer
//! picks a CEDI and three stores, overrides one conflicted product in the conflict step,
//! reviews a store's tab and saves the batch as one group of drafts. Screenshots go to
//! tests/artifacts/.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::browser::{artifacts_dir, Browser};
use common::{end_date, spawn_app_with};
use serde_json::{json, Value};

const PASSWORD: &str = "clave-de-prueba-9";

/// A third Valencia store beside the tiny chain's two (the generator fills every store).
fn with_third_store(toml: String) -> String {
    format!(
        "{toml}\n[[stores]]\nid = \"tienda_03\"\nname = \"Tienda Naguanagua\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\ncity = \"Naguanagua\"\n\
         pos = \"none\"\nopening = \"08:00\"\nclosing = \"21:00\"\nvisible_pedidos = true\n\n[[stores.almacenes]]\ncodigo = \"T03-PV\"\n\
         nombre = \"PISO DE VENTA\"\ntipo = \"piso_venta\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_shares_scarce_stock_among_three_stores_and_saves_the_batch() {
    let app = spawn_app_with(true, with_third_store).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let today = (end_date() + Duration::days(1)).to_string();

    // The CEDI keeps one pack of every product at least two stores need: conflicts.
    let calc: Value = app
        .client
        .post(app.url("/api/pedidos-multitienda/calcular"))
        .bearer_auth(&buyer)
        .json(&json!({"cedi_origen": "cedi_seco", "tiendas_destino": [{"tienda_id": "tienda_01"}, {"tienda_id": "tienda_02"}, {"tienda_id": "tienda_03"}], "fecha": today, "todos": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut needers: std::collections::HashMap<String, (usize, f64)> = Default::default();
    for p in calc["pedidos_por_tienda"].as_array().unwrap() {
        for l in p["productos"].as_array().unwrap() {
            if l["cantidad_necesaria_bultos"].as_u64().unwrap() > 0 {
                let e = needers.entry(l["codigo_producto"].as_str().unwrap().into()).or_insert((0, 1.0));
                e.0 += 1;
                e.1 = l["unidades_por_bulto"].as_f64().unwrap();
            }
        }
    }
    let rows: Vec<(String, f64)> = needers.into_iter().filter(|(_, (n, _))| *n >= 2).map(|(c, (_, u))| (c, u)).collect();
    assert!(rows.len() >= 20, "conflicts to show: {}", rows.len());
    let at = (end_date()).and_hms_opt(23, 0, 0).unwrap();
    app.state
        .warehouse
        .write(|c| {
            let listing = fluxion::domain::records::StockListing {
                ubicacion_id: "cedi_seco".into(),
                almacen_codigo: app
                    .state
                    .tenant
                    .stores()
                    .iter()
                    .find(|s| s.id == "cedi_seco")
                    .unwrap()
                    .warehouses()
                    .next()
                    .unwrap()
                    .codigo
                    .clone(),
                fecha_snapshot: at,
                rows,
            };
            fluxion::warehouse::load::replace_stock(c, &listing, "test", None, false)
        })
        .unwrap();

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/pedidos-sugeridos")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelector('[data-role=create-multi]') !== null").await;
    b.click("[data-role=create-multi]").await;
    b.wait_for("document.querySelectorAll('input[name=tienda]').length === 3").await;
    assert_eq!(b.eval("[...document.querySelectorAll('input[name=tienda]')].every(i => i.checked)").await, json!(true), "all pre-checked");
    b.screenshot(&artifacts_dir().join("multi-paso1.png")).await;
    b.click("[data-role=next]").await;

    // Step 2: the conflicts, with DPD+U shares and an editable final value per store.
    b.wait_for("document.querySelector('.conflict-grid') !== null").await;
    let conflicts = b.eval("document.querySelectorAll('.conflict-grid tbody tr').length").await.as_u64().unwrap();
    assert!(conflicts >= 20, "{conflicts}");
    let head = b.eval("document.querySelector('.card.pad').innerText").await;
    assert!(head.as_str().unwrap().contains("Demanda 60% + Urgencia 40%"), "{head}");
    b.screenshot(&artifacts_dir().join("multi-paso2-conflictos.png")).await;
    // Giving a pack to every store of the first row exceeds the CEDI: Continue is blocked.
    b.eval(
        "(() => { const tr = document.querySelector('.conflict-grid tbody tr'); window.__code = tr.dataset.code;
          for (const i of tr.querySelectorAll('input[data-store]')) { i.value = 1; i.dispatchEvent(new Event('change', {bubbles: true})); } })()",
    )
    .await;
    b.wait_for("document.querySelector('[data-role=over]') !== null").await;
    assert_eq!(b.eval("document.querySelector('[data-role=next]').disabled").await, json!(true));
    assert!(b.eval("document.querySelector('.row-error').innerText").await.as_str().unwrap().contains("Excede por"));
    b.screenshot(&artifacts_dir().join("multi-paso2-excede.png")).await;
    // Manual override: the pack goes to tienda_03 only.
    b.eval(
        "(() => { const tr = document.querySelector(`.conflict-grid tbody tr[data-code='${window.__code}']`);
          for (const i of tr.querySelectorAll('input[data-store]')) { i.value = i.dataset.store === 'tienda_03' ? 1 : 0; i.dispatchEvent(new Event('change', {bubbles: true})); } })()",
    )
    .await;
    b.wait_for("document.querySelector('[data-role=over]') === null && !document.querySelector('[data-role=next]').disabled").await;
    let code = b.eval("window.__code").await.as_str().unwrap().to_string();
    b.click("[data-role=next]").await;

    // Step 3: summary, then one store's tab.
    b.wait_for("document.querySelector('[data-role=summary]') !== null").await;
    assert_eq!(b.eval("document.querySelectorAll('[data-role=summary] tbody tr').length").await, json!(3));
    b.screenshot(&artifacts_dir().join("multi-paso3-resumen.png")).await;
    b.click("[data-tab=tienda_03]").await;
    b.wait_for("document.querySelector('[data-role=lines]') !== null").await;
    b.fill("[data-role=filters] input[name=q]", &code).await;
    b.wait_for(&format!("document.querySelectorAll('[data-role=lines] tbody tr').length === 1 && document.querySelector('[data-role=lines] tbody tr').dataset.code === '{code}'")).await;
    assert_eq!(b.eval("document.querySelector('[data-role=lines] input[data-role=qty]').value").await, json!("1"));
    b.screenshot(&artifacts_dir().join("multi-paso3-tienda.png")).await;
    b.click("[data-role=next]").await;

    // Step 4: confirm and save.
    b.wait_for("document.querySelector('[data-role=save]') !== null").await;
    b.fill("[data-role=obs]", "Camión del jueves").await;
    // One destination's Excel before saving (§2.11).
    b.click("[data-excel=tienda_01]").await;
    b.wait_for("(document.querySelector('[data-excel=tienda_01]').dataset.done || '').startsWith('Pedido_')").await;
    b.screenshot(&artifacts_dir().join("multi-paso4.png")).await;
    b.click("[data-role=save]").await;
    b.wait_for("document.querySelector('[data-role=done]') !== null").await;
    let done = b.eval("document.querySelector('[data-role=done]').innerText").await;
    let done = done.as_str().unwrap().to_string();
    assert!(done.contains("GRUPO-") && done.contains("-1") && done.contains("-3"), "{done}");
    b.screenshot(&artifacts_dir().join("multi-guardado.png")).await;

    // Saved as the buyer left it: one group, the override on tienda_03, the observations kept.
    let conn = app.state.app_db.lock().unwrap();
    let groups: i64 = conn.query_row("SELECT count(DISTINCT grupo_pedido_id) FROM pedidos_sugeridos", [], |r| r.get(0)).unwrap();
    assert_eq!(groups, 1);
    let packs: Vec<(String, i64)> = conn
        .prepare("SELECT p.tienda_destino_id, d.cantidad_pedida_bultos FROM pedidos_sugeridos_detalle d JOIN pedidos_sugeridos p ON p.id = d.pedido_id WHERE d.codigo_producto = ?1")
        .unwrap()
        .query_map([&code], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(packs, vec![("tienda_03".to_string(), 1)], "{code}");
    let obs: String = conn.query_row("SELECT observaciones FROM pedidos_sugeridos LIMIT 1", [], |r| r.get(0)).unwrap();
    assert!(obs.contains("Camión del jueves"));
    let logged: i64 =
        conn.query_row("SELECT count(*) FROM distribucion_dpdu_log WHERE codigo_producto = ?1", [&code], |r| r.get(0)).unwrap();
    assert_eq!(logged, 1, "the accepted share of the conflicted product is recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_includes_the_receiving_cedi_and_saves_its_inter_cedi_draft_with_the_batch() {
    let app = spawn_app_with(true, common::with_receiving_cedi).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/pedidos-sugeridos/nuevo-multi?cedi=cedi_seco")).await;
    b.wait_ready().await;
    b.wait_for(
        "document.querySelector('input[name=incluir_cedis]') !== null && document.querySelectorAll('input[name=tienda]').length === 1",
    )
    .await;
    let label = b.eval("document.querySelector('input[name=incluir_cedis]').closest('label').innerText").await;
    assert!(label.as_str().unwrap().contains("CEDI Caracas"), "{label}");
    b.click("input[name=incluir_cedis]").await;
    b.screenshot(&artifacts_dir().join("multi-cedi-paso1.png")).await;
    b.click("[data-role=next]").await;
    // CEDI Seco is short for tienda_01 and CEDI Caracas: the conflicts list both.
    b.wait_for("document.querySelector('.conflict-grid') !== null").await;
    let heads = b.eval("[...document.querySelectorAll('.conflict-grid th.group')].map(t => t.textContent)").await;
    assert!(heads.as_array().unwrap().iter().any(|h| h.as_str().unwrap().contains("CEDI Caracas")), "{heads}");
    b.screenshot(&artifacts_dir().join("multi-cedi-conflictos.png")).await;
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('[data-tab=cedi_caracas]') !== null").await;
    b.click("[data-tab=cedi_caracas]").await;
    b.wait_for("document.querySelector('[data-role=lines] tbody tr') !== null").await;
    b.screenshot(&artifacts_dir().join("multi-cedi-pestana.png")).await;
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('[data-role=save]') !== null").await;
    b.click("[data-role=save]").await;
    b.wait_for("document.querySelector('[data-role=done]') !== null").await;
    let created = b.eval("document.querySelector('[data-role=inter-cedi-created]').innerText").await;
    assert!(created.as_str().unwrap().contains("IC-00001"), "{created}");
    b.screenshot(&artifacts_dir().join("multi-cedi-guardado.png")).await;
    let order = app.get_json("/api/pedidos-inter-cedi/IC-00001", &buyer).await;
    assert!(order["grupo_pedido_id"].as_str().unwrap().starts_with("GRUPO-"));
    assert!(!order["productos"].as_array().unwrap().is_empty());
}

/// Step 3 «Todos» (§2.9): the buyer looks beyond the suggestion in one store's tab, finds a
/// product the engine suggested to no store, orders two packs of it by hand and saves the
/// batch: the line is in that store's draft.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_orders_a_product_from_todos_in_a_stores_tab_and_it_is_saved() {
    let app = common::spawn_app(true).await;
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let today = (end_date() + Duration::days(1)).to_string();
    let calc = |tiendas: Value, todos: bool| {
        let (app, buyer, today) = (&app, &buyer, &today);
        async move {
            let body = json!({"cedi_origen": "cedi_seco", "tiendas_destino": tiendas, "fecha": today, "todos": todos});
            let r = app.client.post(app.url("/api/pedidos-multitienda/calcular")).bearer_auth(buyer).json(&body).send().await.unwrap();
            r.json::<Value>().await.unwrap()
        }
    };
    // A product no store of the batch is suggested, with two whole packs in the CEDI.
    let batch = calc(json!([{"tienda_id": "tienda_01"}, {"tienda_id": "tienda_02"}]), false).await;
    let listed: std::collections::HashSet<String> = batch["pedidos_por_tienda"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["productos"].as_array().unwrap().iter().map(|l| l["codigo_producto"].as_str().unwrap().to_string()))
        .collect();
    let every = calc(json!([{"tienda_id": "tienda_01"}]), true).await;
    let code = every["pedidos_por_tienda"][0]["productos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !listed.contains(l["codigo_producto"].as_str().unwrap()) && l["cantidad_sugerida_bultos"] == 0)
        .filter(|l| l["stock_cedi_origen"].as_f64().unwrap() >= 2.0 * l["unidades_por_bulto"].as_f64().unwrap().max(1.0))
        .map(|l| l["codigo_producto"].as_str().unwrap().to_string())
        .min()
        .expect("a product suggested to no store, with CEDI stock");

    let mut b = Browser::launch().await;
    b.set_cookie(&app.url("/"), "fluxion_session", &buyer).await;
    b.goto(&app.url("/pedidos-sugeridos/nuevo-multi?cedi=cedi_seco")).await;
    b.wait_ready().await;
    b.wait_for("document.querySelectorAll('input[name=tienda]').length === 2").await;
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('.conflict-grid') !== null || document.querySelector('[data-role=summary]') !== null").await;
    if b.eval("document.querySelector('.conflict-grid') !== null").await == json!(true) {
        b.click("[data-role=next]").await;
    }
    b.wait_for("document.querySelector('[data-tab=tienda_01]') !== null").await;
    b.click("[data-tab=tienda_01]").await;
    b.wait_for("document.querySelector('[data-role=lines]') !== null").await;
    // Not in the batch's answer: the selected lines do not list it.
    b.fill("[data-role=filters] input[name=q]", &code).await;
    b.wait_for("document.querySelector('[data-role=lines] tbody tr[data-code]') === null").await;
    // «Vista: Todos» asks the server for every candidate of this store once.
    b.eval(
        "(() => { const s = document.querySelector('[data-role=filters] select[name=vista]'); s.value = 'todos';
          s.dispatchEvent(new Event('change', {bubbles: true})); })()",
    )
    .await;
    b.wait_for(&format!(
        "document.querySelectorAll('[data-role=lines] tbody tr[data-code]').length === 1 && document.querySelector('[data-role=lines] tbody tr').dataset.code === '{code}'"
    ))
    .await;
    assert_eq!(b.eval("document.querySelector('[data-role=lines] input[data-role=qty]').value").await, json!("0"), "not suggested");
    b.eval(
        "(() => { const i = document.querySelector('[data-role=lines] input[data-role=qty]'); i.value = 2;
          i.dispatchEvent(new Event('change', {bubbles: true})); })()",
    )
    .await;
    b.wait_for("document.querySelector('[data-role=lines] tbody tr').classList.contains('is-selected')").await;
    b.screenshot(&artifacts_dir().join("multi-paso3-todos.png")).await;
    b.click("[data-role=next]").await;
    b.wait_for("document.querySelector('[data-role=save]') !== null").await;
    b.click("[data-role=save]").await;
    b.wait_for("document.querySelector('[data-role=done]') !== null").await;

    let conn = app.state.app_db.lock().unwrap();
    let saved: Vec<(String, i64)> = conn
        .prepare(
            "SELECT p.tienda_destino_id, d.cantidad_pedida_bultos FROM pedidos_sugeridos_detalle d
             JOIN pedidos_sugeridos p ON p.id = d.pedido_id WHERE d.codigo_producto = ?1",
        )
        .unwrap()
        .query_map([&code], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(saved, vec![("tienda_01".to_string(), 2)], "{code}");
}
