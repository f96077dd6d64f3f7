//! Saved store orders through the HTTP API on real SQLite and DuckDB files (spec 30 §8,
//! §11–§12): creation from the server's own calculation, the state machine with its history,
//! who may do what, numbering under concurrency, in-transit fed by saved orders (E19),
//! arrival verification (E18), override tracking and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "clave-de-prueba-9";

fn today() -> NaiveDate {
    end_date() + Duration::days(1)
}

struct Users {
    buyer: String,
    manager_01: String,
    manager_02: String,
    general: String,
}

async fn users(app: &TestApp) -> Users {
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    app.add_user("gerente.t1", PASSWORD, "gerente_tienda", &["tienda_01"]);
    app.add_user("gerente.t2", PASSWORD, "gerente_tienda", &["tienda_02"]);
    app.add_user("general", PASSWORD, "gerente_general", &[]);
    Users {
        buyer: app.token("compras", PASSWORD).await,
        manager_01: app.token("gerente.t1", PASSWORD).await,
        manager_02: app.token("gerente.t2", PASSWORD).await,
        general: app.token("general", PASSWORD).await,
    }
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::POST, path, token, Some(body)).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    send(app, reqwest::Method::GET, path, token, None).await
}

/// The calculation of tienda_01 from cedi_seco for the test's business date.
async fn calculation(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, body) = post(
        app,
        "/api/pedidos-sugeridos/calcular",
        token,
        json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string()}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["productos"].as_array().unwrap().clone()
}

fn order_body(lines: &[(&str, u64)], enviar: bool) -> Value {
    json!({
        "cedi_origen_id": "cedi_seco",
        "tienda_destino_id": "tienda_01",
        "fecha_pedido": today().to_string(),
        "observaciones": "Reposición semanal",
        "enviar": enviar,
        "productos": lines.iter().map(|(c, p)| json!({"codigo_producto": c, "cantidad_pedida_bultos": p, "incluido": true})).collect::<Vec<_>>(),
    })
}

fn code(l: &Value) -> &str {
    l["codigo_producto"].as_str().unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn suggested(calc: &[Value]) -> Vec<&Value> {
    calc.iter().filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).collect()
}

async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    get(app, &format!("/api/pedidos-sugeridos/{id}"), &app.admin_token).await.1["historial"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_order_lives_from_draft_to_received_with_its_history_and_snapshot() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let sug = suggested(&calc);
    assert!(sug.len() >= 4, "the tiny chain suggests several products");
    let (a, b, c, removed) = (sug[0], sug[1], sug[2], sug[3]);
    let raised = a["cantidad_sugerida_bultos"].as_u64().unwrap() + 2;
    let body = json!({
        "cedi_origen_id": "cedi_seco", "tienda_destino_id": "tienda_01", "fecha_pedido": today().to_string(),
        "prioridad": "alta", "observaciones": "Para el fin de semana",
        "productos": [
            {"codigo_producto": code(a), "cantidad_pedida_bultos": raised, "incluido": true, "observaciones": "Promoción"},
            {"codigo_producto": code(b), "cantidad_pedida_bultos": b["cantidad_sugerida_bultos"], "incluido": true},
            {"codigo_producto": code(c), "cantidad_pedida_bultos": 1, "incluido": true},
            {"codigo_producto": code(removed), "cantidad_pedida_bultos": 0, "incluido": true},
        ]
    });
    let (s, created) = post(&app, "/api/pedidos-sugeridos", &u.buyer, body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["numero_pedido"], "PS-00001");
    assert_eq!(created["estado"], "borrador");
    assert_eq!(created["total_productos"], 3, "the line with 0 packs is not saved");
    assert!(created["mensaje"].as_str().unwrap().contains("PS-00001"));
    let id = created["id"].as_str().unwrap().to_string();

    let (s, order) = get(&app, &format!("/api/pedidos-sugeridos/{id}"), &u.buyer).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(order["prioridad"], "alta");
    assert!(!order["tienda_destino_nombre"].as_str().unwrap().is_empty(), "the name comes from the configuration");
    let lines = order["lineas"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    let first = &lines[0];
    assert_eq!(first["codigo_producto"], code(a));
    assert_eq!(first["cantidad_pedida_bultos"].as_u64().unwrap(), raised);
    // The snapshot is the server's calculation: class, P75, levels, suggested packs, method.
    assert_eq!(first["clasificacion_abc"], a["clasificacion_abc"]);
    assert_eq!(first["clase_efectiva"], a["clase_efectiva"]);
    assert_eq!(first["cantidad_sugerida_bultos"].as_f64(), a["cantidad_sugerida_bultos"].as_f64());
    assert!((f(&first["prom_p75_unid"]) - f(&a["prom_p75_unid"])).abs() < 1e-9);
    assert!((f(&first["punto_reorden"]) - f(&a["punto_reorden"])).abs() < 1e-9);
    assert_eq!(first["metodo_calculo"], a["metodo_calculo"]);
    assert_eq!(first["observaciones"], "Promoción");
    // Ordered units = packs × UPB (the original saved 0).
    assert!((f(&first["cantidad_pedida_unidades"]) - raised as f64 * f(&a["cantidad_bultos"])).abs() < 1e-9);
    let expected_units: f64 =
        [(a, raised as f64), (b, f(&b["cantidad_sugerida_bultos"])), (c, 1.0)].iter().map(|(l, p)| p * f(&l["cantidad_bultos"])).sum();
    assert!((f(&order["total_unidades"]) - expected_units).abs() < 1e-6);
    let h = order["historial"].as_array().unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["estado_anterior"], Value::Null);
    assert_eq!(h[0]["estado_nuevo"], "borrador");
    assert_eq!(h[0]["usuario"], "compras");
    assert_eq!(h[0]["motivo_cambio"], "Pedido creado");

    let path = |action: &str| format!("/api/pedidos-sugeridos/{id}/{action}");
    // Approving a draft is an invalid transition that names the current state.
    let (s, e) = post(&app, &path("aprobar"), &u.manager_01, json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["detail"].as_str().unwrap().contains("borrador"), "{e}");
    // Lines are editable while a draft; the edit is recorded.
    let (s, edited) = send(
        &app,
        reqwest::Method::PATCH,
        &path("lineas"),
        &u.buyer,
        Some(json!({"lineas": [{"codigo_producto": code(c), "cantidad_pedida_bultos": 3}]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert!((f(&edited["pedido"]["total_unidades"]) - (expected_units + 2.0 * f(&c["cantidad_bultos"]))).abs() < 1e-6);

    let (s, t) = post(&app, &path("enviar-aprobacion"), &u.buyer, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!((t["estado_anterior"].as_str(), t["estado"].as_str()), (Some("borrador"), Some("pendiente_aprobacion")));
    // A supply planner may not approve (capability); a manager of another store does not see it.
    assert_eq!(post(&app, &path("aprobar"), &u.buyer, json!({})).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(&app, &path("aprobar"), &u.manager_02, json!({})).await.0, StatusCode::NOT_FOUND);
    // Rejecting needs a reason.
    let (s, e) = post(&app, &path("rechazar"), &u.manager_01, json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, t) = post(&app, &path("aprobar"), &u.manager_01, json!({"comentario": "Aprobado, revisar el fin de semana"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["estado"], "aprobado");
    // Edits are closed after approval.
    let (s, e) = send(
        &app,
        reqwest::Method::PATCH,
        &path("lineas"),
        &u.buyer,
        Some(json!({"lineas": [{"codigo_producto": code(c), "cantidad_pedida_bultos": 5}]})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    // Deleting is for drafts only.
    let (s, e) = send(&app, reqwest::Method::DELETE, &format!("/api/pedidos-sugeridos/{id}"), &u.buyer, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["detail"].as_str().unwrap().contains("estado actual: aprobado"), "{e}");
    assert_eq!(post(&app, &path("cerrar"), &u.buyer, json!({})).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(post(&app, &path("marcar-enviado"), &u.buyer, json!({})).await.0, StatusCode::OK);
    let (s, e) = post(&app, &path("cancelar"), &u.buyer, json!({"motivo": "ya no"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a dispatched order cannot be cancelled: {e}");
    assert_eq!(post(&app, &path("cerrar"), &u.manager_01, json!({})).await.0, StatusCode::OK);

    let (_, order) = get(&app, &format!("/api/pedidos-sugeridos/{id}"), &u.manager_01).await;
    assert_eq!(order["estado"], "recibido");
    assert_eq!(order["porcentaje_avance"], 100);
    assert_eq!(order["usuario_aprobador"], "gerente.t1");
    assert_eq!(order["comentarios"][0]["comentario"], "Aprobado, revisar el fin de semana");
    let steps: Vec<(Value, Value, Value)> = order["historial"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["estado_anterior"].clone(), h["estado_nuevo"].clone(), h["usuario"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("borrador"), json!("compras")),
            (json!("borrador"), json!("borrador"), json!("compras")),
            (json!("borrador"), json!("pendiente_aprobacion"), json!("compras")),
            (json!("pendiente_aprobacion"), json!("aprobado"), json!("gerente.t1")),
            (json!("aprobado"), json!("enviado"), json!("compras")),
            (json!("enviado"), json!("recibido"), json!("gerente.t1")),
        ]
    );
    assert_eq!(get(&app, "/api/pedidos-sugeridos/no-existe", &u.buyer).await.0, StatusCode::NOT_FOUND);
    assert_eq!(post(&app, "/api/pedidos-sugeridos/no-existe/aprobar", &u.general, json!({})).await.0, StatusCode::NOT_FOUND);

    // Override tracking: raised a, kept b, c at 3 packs, `removed` and the rest not ordered.
    let (s, adj) = get(&app, &format!("/api/pedidos-sugeridos/ajustes?desde={}&hasta={}", today(), today()), &u.general).await;
    assert_eq!(s, StatusCode::OK, "{adj}");
    let row = &adj["por_tienda_usuario"][0];
    assert_eq!(row["tienda_id"], "tienda_01");
    assert_eq!(row["usuario"], "compras");
    // Every suggestion not ordered counts as removed (the wizard sent 4 of them, one at 0).
    assert_eq!(row["eliminadas"].as_u64().unwrap(), sug.len() as u64 - 3);
    assert_eq!(row["sin_cambio"], 1);
    let c_sug = c["cantidad_sugerida_bultos"].as_u64().unwrap();
    let (raised_n, lowered_n) = match 3.cmp(&c_sug) {
        std::cmp::Ordering::Greater => (2, 0),
        std::cmp::Ordering::Less => (1, 1),
        std::cmp::Ordering::Equal => (1, 0),
    };
    assert_eq!(row["aumentadas"], raised_n);
    assert_eq!(row["reducidas"], lowered_n);
}

#[tokio::test]
async fn submit_without_approval_and_rejection_and_reopen() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let sug = suggested(&calc);
    let lines = [(code(sug[0]), 2)];
    // "Enviar Pedido" creates and submits atomically.
    let (s, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&lines, true)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(o["estado"], "pendiente_aprobacion");
    let id = o["id"].as_str().unwrap().to_string();
    let (s, _) = post(&app, &format!("/api/pedidos-sugeridos/{id}/rechazar"), &u.general, json!({"motivo": "Sobra stock"})).await;
    assert_eq!(s, StatusCode::OK);
    let h = history(&app, &id).await;
    assert_eq!(h.last().unwrap()["motivo_cambio"], "Sobra stock");
    assert_eq!(h.last().unwrap()["usuario"], "general");
    let (s, t) = post(&app, &format!("/api/pedidos-sugeridos/{id}/reabrir"), &u.buyer, json!({})).await;
    assert_eq!((s, t["estado"].as_str()), (StatusCode::OK, Some("borrador")));
    assert_eq!(send(&app, reqwest::Method::DELETE, &format!("/api/pedidos-sugeridos/{id}"), &u.buyer, None).await.0, StatusCode::OK);
    assert_eq!(get(&app, &format!("/api/pedidos-sugeridos/{id}"), &u.buyer).await.0, StatusCode::NOT_FOUND);

    // requiere_aprobacion = false: a submit lands on approved.
    let (s, e) = send(
        &app,
        reqwest::Method::PUT,
        "/api/config-inventario/parametros-abc/globales",
        &app.admin_token,
        Some(json!({"requiere_aprobacion": false})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&lines, true)).await;
    assert_eq!(o["estado"], "aprobado");
    assert_eq!(o["numero_pedido"], "PS-00002", "a deleted draft's number is not reused");

    // A store manager creates for his store, but may not approve his own order.
    let (s, mine) = post(&app, "/api/pedidos-sugeridos", &u.manager_01, order_body(&lines, false)).await;
    assert_eq!(s, StatusCode::CREATED);
    let mine = mine["id"].as_str().unwrap().to_string();
    let (s, _) = send(
        &app,
        reqwest::Method::PUT,
        "/api/config-inventario/parametros-abc/globales",
        &app.admin_token,
        Some(json!({"requiere_aprobacion": true})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(post(&app, &format!("/api/pedidos-sugeridos/{mine}/enviar-aprobacion"), &u.manager_01, json!({})).await.0, StatusCode::OK);
    let (s, e) = post(&app, &format!("/api/pedidos-sugeridos/{mine}/aprobar"), &u.manager_01, json!({})).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_order")));
    // The other store's manager sees none of tienda_01's orders.
    let (s, list) = get(&app, "/api/pedidos-sugeridos", &u.manager_02).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["total"], 0);
    let (_, list) = get(&app, "/api/pedidos-sugeridos?estado=pendiente_aprobacion", &u.manager_01).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["pedidos"][0]["id"], mine);
    assert_eq!(list["pedidos"][0]["porcentaje_avance"], 30);
    // A manager cannot create for a store he does not manage.
    let mut other = order_body(&lines, false);
    other["tienda_destino_id"] = json!("tienda_02");
    assert_eq!(post(&app, "/api/pedidos-sugeridos", &u.manager_01, other).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fifty_concurrent_creates_get_fifty_consecutive_numbers_and_one_approver_wins() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let c = code(suggested(&calc)[0]).to_string();
    let creates = (0..50).map(|_| post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 1)], true)));
    let results = futures_util::future::join_all(creates).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, StatusCode::CREATED, "{b}");
            b["numero_pedido"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=50).map(|n| format!("PS-{n:05}")).collect();
    assert_eq!(numbers, expected);

    let id = results[0].1["id"].as_str().unwrap().to_string();
    let path = format!("/api/pedidos-sugeridos/{id}/aprobar");
    let (r1, r2) = tokio::join!(post(&app, &path, &u.manager_01, json!({})), post(&app, &path, &u.general, json!({})));
    let mut statuses = [r1.0, r2.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{r1:?} {r2:?}");
    let loser = if r1.0 == StatusCode::CONFLICT { r1.1 } else { r2.1 };
    assert!(loser["detail"].as_str().unwrap().contains("aprobado"), "the loser learns the current state: {loser}");
    let approvals = history(&app, &id).await.iter().filter(|h| h["estado_nuevo"] == "aprobado").count();
    assert_eq!(approvals, 1);
}

#[tokio::test]
async fn bad_input_is_refused_and_saves_nothing() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let c = code(suggested(&calc)[0]).to_string();
    let cases = [
        ("unknown code", order_body(&[(&c, 1), ("NO-EXISTE-1", 2)], false), "NO-EXISTE-1"),
        ("duplicate code", order_body(&[(&c, 1), (&c, 2)], false), &c),
        ("nothing ordered", order_body(&[(&c, 0)], false), "ningún producto"),
    ];
    for (what, body, named) in cases {
        let (s, e) = post(&app, "/api/pedidos-sugeridos", &u.buyer, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {e}");
        assert!(e["detail"].as_str().unwrap().contains(named), "{what}: {e}");
    }
    let mut as_text = order_body(&[(&c, 1)], false);
    as_text["productos"][0]["cantidad_pedida_bultos"] = json!("tres");
    let mut negative = order_body(&[(&c, 1)], false);
    negative["productos"][0]["cantidad_pedida_bultos"] = json!(-2);
    let mut unknown_field = order_body(&[(&c, 1)], false);
    unknown_field["descuento"] = json!(10);
    for (what, body) in [("packs as text", as_text), ("negative packs", negative), ("unknown field", unknown_field)] {
        let (s, e) = post(&app, "/api/pedidos-sugeridos", &u.buyer, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {e}");
        assert_eq!(e["code"], "invalid_body", "{what}: {e}");
    }
    let huge = format!("{{\"observaciones\": \"{}\"}}", "x".repeat(11 * 1024 * 1024));
    let r = app
        .client
        .post(app.url("/api/pedidos-sugeridos"))
        .bearer_auth(&u.buyer)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let mut elsewhere = order_body(&[(&c, 1)], false);
    elsewhere["tienda_destino_id"] = json!("tienda_02");
    assert_eq!(post(&app, "/api/pedidos-sugeridos", &u.manager_01, elsewhere).await.0, StatusCode::FORBIDDEN);
    let (_, list) = get(&app, "/api/pedidos-sugeridos", &app.admin_token).await;
    assert_eq!(list["total"], 0, "nothing was saved");
    // The next good order still gets the first number.
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 1)], false)).await;
    assert_eq!(o["numero_pedido"], "PS-00001");
}

/// Moves an order's creation time back (the test's way of having created it days ago).
fn backdate(app: &TestApp, id: &str, created_utc: NaiveDateTime) {
    let conn = app.state.app_db.lock().unwrap();
    let n = conn
        .execute(
            "UPDATE pedidos_sugeridos SET fecha_creacion = ?2 WHERE id = ?1",
            rusqlite::params![id, created_utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()],
        )
        .unwrap();
    assert_eq!(n, 1);
}

/// Appends a stock snapshot of `product` at tienda_01 in the warehouse that holds it, `delta`
/// units from its latest quantity, at local time `at`.
fn snapshot(app: &TestApp, product: &str, at: NaiveDateTime, value: Option<f64>, delta: f64) {
    app.state
        .warehouse
        .write(|c| {
            c.execute(
                "INSERT INTO inventario_historico (ubicacion_id, almacen_codigo, producto_codigo, fecha_snapshot, cantidad, cantidad_cambio, presente, origen)
                 SELECT ubicacion_id, almacen_codigo, producto_codigo, ?::TIMESTAMP, coalesce(?::DECIMAL(18,4), cantidad + ?::DECIMAL(18,4)), NULL, true, 'etl'
                 FROM inventario_historico WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?
                 ORDER BY fecha_snapshot DESC LIMIT 1",
                duckdb::params![at, value, delta, product],
            )
        })
        .unwrap();
}

fn local_now(app: &TestApp) -> NaiveDateTime {
    chrono::Utc::now().with_timezone(&app.state.tenant.timezone).naive_local()
}

fn line_of<'a>(calc: &'a [Value], c: &str) -> &'a Value {
    calc.iter().find(|l| code(l) == c).unwrap()
}

#[tokio::test]
async fn e19_in_transit_comes_from_saved_orders_fifo_and_lowers_the_next_suggestion() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    // A product with a suggestion and stock history at the store.
    let target = suggested(&calc)
        .into_iter()
        .find(|l| {
            let wh = app.state.warehouse.reader().unwrap();
            let n: i64 = wh
                .query_row(
                    "SELECT count(*) FROM inventario_historico WHERE ubicacion_id = 'tienda_01' AND producto_codigo = ?",
                    [code(l)],
                    |r| r.get(0),
                )
                .unwrap();
            n > 0
        })
        .unwrap()
        .clone();
    let c = code(&target).to_string();
    let upb = f(&target["cantidad_bultos"]);
    let before = target["cantidad_sugerida_bultos"].as_u64().unwrap();
    assert_eq!(f(&target["stock_en_transito"]), 0.0);

    // O1 (5 days ago) and O2 (3 days ago), both approved, 10 packs each.
    let mut ids = Vec::new();
    for days in [5, 3] {
        let (s, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 10)], true)).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let id = o["id"].as_str().unwrap().to_string();
        assert_eq!(post(&app, &format!("/api/pedidos-sugeridos/{id}/aprobar"), &u.general, json!({})).await.0, StatusCode::OK);
        backdate(&app, &id, chrono::Utc::now().naive_utc() - Duration::days(days));
        ids.push(id);
    }
    // Draft orders are never in transit.
    post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 7)], false)).await;

    let calc = calculation(&app, &u.buyer).await;
    let l = line_of(&calc, &c);
    assert!((f(&l["stock_en_transito"]) - 20.0 * upb).abs() < 1e-6, "nothing arrived yet: {l}");
    assert_eq!(l["transito_detalle"].as_array().unwrap().len(), 2);
    let after = l["cantidad_sugerida_bultos"].as_u64().unwrap();
    assert!(after < before || before == 0, "in transit lowers the order: {before} → {after}");
    assert!(after + 20 >= before, "by no more than what is on its way: {before} → {after}");

    // One receipt of 10 packs yesterday: O1 absorbs it, O2 stays pending (E19).
    snapshot(&app, &c, local_now(&app) - Duration::days(1), None, 10.0 * upb);
    let calc = calculation(&app, &u.buyer).await;
    let l = line_of(&calc, &c);
    assert!((f(&l["stock_en_transito"]) - 10.0 * upb).abs() < 1e-6, "{l}");
    let detail = l["transito_detalle"].as_array().unwrap();
    assert_eq!(detail[0]["pendiente_bultos"], 0.0);
    assert_eq!(detail[1]["pendiente_bultos"], 10.0);

    // The second order received (closed): nothing left in transit.
    for id in &ids {
        post(&app, &format!("/api/pedidos-sugeridos/{id}/marcar-enviado"), &u.buyer, json!({})).await;
    }
    assert_eq!(post(&app, &format!("/api/pedidos-sugeridos/{}/cerrar", ids[1]), &u.buyer, json!({})).await.0, StatusCode::OK);
    let calc = calculation(&app, &u.buyer).await;
    assert_eq!(f(&line_of(&calc, &c)["stock_en_transito"]), 0.0);
}

#[tokio::test]
async fn e18_arrival_verification_and_registration_through_the_api() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let target = suggested(&calc)[0].clone();
    let c = code(&target).to_string();
    let upb = f(&target["cantidad_bultos"]);
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 10)], true)).await;
    let id = o["id"].as_str().unwrap().to_string();
    let created_local = local_now(&app) - Duration::hours(6);
    let offset = local_now(&app) - chrono::Utc::now().naive_utc();
    backdate(&app, &id, created_local - offset);
    // Baseline 50 just before the order, then 45, 50 + 5 packs, a sale: 60 units arrive for UPB 12.
    snapshot(&app, &c, created_local - Duration::minutes(10), Some(50.0), 0.0);
    snapshot(&app, &c, created_local + Duration::hours(1), Some(45.0), 0.0);
    snapshot(&app, &c, created_local + Duration::hours(2), Some(45.0 + 5.0 * upb), 0.0);
    snapshot(&app, &c, created_local + Duration::hours(3), Some(40.0 + 5.0 * upb), 0.0);

    let verify = format!("/api/pedidos-sugeridos/{id}/verificar-llegada");
    let (s, v) = get(&app, &verify, &u.manager_01).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let line = &v["lineas"][0];
    assert_eq!(line["total_llegadas_detectadas"], 5.0);
    assert_eq!(line["porcentaje_llegada"], 50.0);
    assert_eq!(line["estado_llegada"], "parcial");
    assert_eq!(line["mensaje"], "Llegada parcial (50%)");
    assert_eq!(v["parciales"], 1);

    let register = format!("/api/pedidos-sugeridos/{id}/registrar-llegada");
    let (s, r) = post(&app, &register, &u.manager_01, json!({"productos": [{"codigo_producto": c, "cantidad_llegada": 2}]})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, v) = get(&app, &verify, &u.manager_01).await;
    assert_eq!(v["lineas"][0]["cantidad_ya_guardada"], 2.0);
    assert_eq!(v["lineas"][0]["nuevo_incremento"], 3.0);
    post(&app, &register, &u.manager_01, json!({"productos": [{"codigo_producto": c, "cantidad_llegada": 3}]})).await;
    let (_, order) = get(&app, &format!("/api/pedidos-sugeridos/{id}"), &u.manager_01).await;
    assert_eq!(order["lineas"][0]["cantidad_recibida_bultos"], 5.0);
    assert!((f(&order["lineas"][0]["cantidad_recibida_unidades"]) - 5.0 * upb).abs() < 1e-9, "units = packs × UPB");
    let (_, list) = get(&app, "/api/pedidos-sugeridos", &u.manager_01).await;
    assert_eq!(list["pedidos"][0]["llegada"]["parciales"], 1);
    assert_eq!(list["pedidos"][0]["llegada"]["tiene_verificacion"], true);

    // Unknown codes and negative quantities register nothing.
    let (s, _) = post(&app, &register, &u.manager_01, json!({"productos": [{"codigo_producto": "X-1", "cantidad_llegada": 1}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = post(&app, &register, &u.manager_01, json!({"productos": [{"codigo_producto": c, "cantidad_llegada": -1}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A dispatched order whose every line arrived complete closes itself.
    post(&app, &format!("/api/pedidos-sugeridos/{id}/aprobar"), &u.general, json!({})).await;
    post(&app, &format!("/api/pedidos-sugeridos/{id}/marcar-enviado"), &u.buyer, json!({})).await;
    let (s, r) = post(&app, &register, &u.manager_01, json!({"productos": [{"codigo_producto": c, "cantidad_llegada": 4.7}]})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["pedido_cerrado"], true, "9.7 of 10 packs is complete: {r}");
    let h = history(&app, &id).await;
    assert_eq!(h.last().unwrap()["estado_nuevo"], "recibido");
    assert_eq!(h.last().unwrap()["usuario"], "gerente.t1");
}

/// Every XML part of an .xlsx, by name.
fn xlsx_parts(bytes: &[u8]) -> std::collections::HashMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a real .xlsx is a zip file");
    let mut parts = std::collections::HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut f, &mut text).is_ok() {
            parts.insert(name, text);
        }
    }
    parts
}

#[tokio::test]
async fn the_saved_order_exports_to_excel_with_the_users_quantities_and_verification_to_csv() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let sug = suggested(&calc);
    let a = sug[0];
    let changed = a["cantidad_sugerida_bultos"].as_u64().unwrap() + 5;
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(code(a), changed), (code(sug[1]), 1)], false)).await;
    let id = o["id"].as_str().unwrap().to_string();

    let r = app.client.get(app.url(&format!("/api/pedidos-sugeridos/{id}/exportar-excel"))).bearer_auth(&u.buyer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("PS-00001.xlsx"));
    let parts = xlsx_parts(&r.bytes().await.unwrap());
    let strings = parts.get("xl/sharedStrings.xml").cloned().unwrap_or_default();
    let sheet = &parts["xl/worksheets/sheet1.xml"];
    for text in ["Pedido: PS-00001", "Código", "Descripción", "Cuadrante", "Total Unid", "Tienda: ", "Cobertura: 3d", code(a)] {
        assert!(strings.contains(text) || sheet.contains(text), "{text} is in the workbook");
    }
    assert!(sheet.contains("<mergeCell ref=\"A1:J1\""), "the title spans the columns");
    let styles = &parts["xl/styles.xml"];
    assert!(styles.contains("FF4472C4"), "blue header fill");
    let class_fill = match a["clasificacion_abc"].as_str() {
        Some("A") => "FFE8F5E9",
        Some("B") => "FFFFF9C4",
        Some("C") => "FFFFE0B2",
        _ => "FFF5F5F5",
    };
    assert!(styles.contains(class_fill), "row fill of class {}", a["clasificacion_abc"]);
    // The user's packs and units, not the suggestion.
    let units = changed as f64 * f(&a["cantidad_bultos"]);
    assert!(sheet.contains(&format!("<v>{changed}</v>")), "ordered packs {changed} in the sheet");
    assert!(sheet.contains(&format!("<v>{units}</v>")), "ordered units {units} in the sheet");

    let r = app
        .client
        .get(app.url(&format!("/api/pedidos-sugeridos/{id}/verificar-llegada/exportar")))
        .bearer_auth(&u.buyer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("verificacion_PS-00001_"));
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    let mut rows = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(rows.next().unwrap(), "Código,Descripción,ABC,Und/Bulto,Pedido,Stock Tienda,Stock CEDI Seco,Llegada,Diferencia,Estado");
    let first: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(first[0], code(a));
    assert_eq!(first[4], changed.to_string());
    assert_eq!(first[9], "No llegó");
    // A manager of another store cannot download it.
    let r =
        app.client.get(app.url(&format!("/api/pedidos-sugeridos/{id}/exportar-excel"))).bearer_auth(&u.manager_02).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The demo tenant with e-mail on (plain SMTP to 127.0.0.1:`port`) and tienda_01's approvers.
fn with_order_mail(text: String, port: u16) -> String {
    let mut t: toml::Table = text.parse().unwrap();
    let email = toml::toml! {
        enabled = true
        transport = "smtp"
        smtp_host = "127.0.0.1"
        starttls = false
        from = "Fluxion <fluxion@example.com>"
        recipients = ["operaciones@example.com"]
    };
    let mut email = email;
    email.insert("smtp_port".into(), toml::Value::Integer(i64::from(port)));
    t.entry("notifications")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
        .unwrap()
        .insert("email".into(), email.into());
    for s in t["stores"].as_array_mut().unwrap() {
        if s["id"].as_str() == Some("tienda_01") {
            s.as_table_mut().unwrap().insert("order_recipients".into(), toml::Value::Array(vec!["gerente.t1@example.com".into()]));
        }
    }
    toml::to_string(&t).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_mail_goes_through_the_outbox_and_survives_a_mail_server_that_is_down() {
    // A port with nobody listening yet: the mail server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = common::spawn_app_with(true, |t| with_order_mail(t, port)).await;
    let u = users(&app).await;
    app.state.app_db.lock().unwrap().execute("UPDATE usuarios SET email = 'compras@example.com' WHERE username = 'compras'", []).unwrap();
    let calc = calculation(&app, &u.buyer).await;
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(code(suggested(&calc)[0]), 2)], true)).await;
    let numero = o["numero_pedido"].as_str().unwrap().to_string();
    let outbox = |app: &TestApp| -> Vec<(String, String, i64)> {
        let conn = app.state.app_db.lock().unwrap();
        let mut stmt = conn.prepare("SELECT tipo, estado, intentos FROM notification_outbox ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(outbox(&app), vec![("pedido_pendiente".to_string(), "pendiente".to_string(), 0)]);

    let mailer = fluxion::mail::Mailer::new(&app.state.tenant);
    let now = chrono::Utc::now();
    let path = app.state.app_db_path.clone();
    let pass = fluxion::mail::outbox::deliver_due(&path, &mailer, now).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (0, 1), "the server is down");
    assert_eq!(outbox(&app), vec![("pedido_pendiente".to_string(), "pendiente".to_string(), 1)], "kept for a retry");

    let (_, mails) = common::smtp::spawn_smtp_sink_on(port).await;
    let early = fluxion::mail::outbox::deliver_due(&path, &mailer, now + chrono::Duration::seconds(30)).await.unwrap();
    assert_eq!(early.sent, 0, "the retry waits one minute");
    let retry = fluxion::mail::outbox::deliver_due(&path, &mailer, now + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(retry.sent, 1);
    let again = fluxion::mail::outbox::deliver_due(&path, &mailer, now + chrono::Duration::minutes(30)).await.unwrap();
    assert_eq!(again.sent, 0, "delivered once");
    {
        let mails = mails.lock().unwrap();
        assert_eq!(mails.len(), 1);
        let m = mail_parser::MessageParser::default().parse(mails[0].as_bytes()).unwrap();
        assert!(m.subject().unwrap().contains(&format!("Pedido {numero} pendiente de aprobación")), "{:?}", m.subject());
        assert!(m.to().unwrap().first().unwrap().address().unwrap().contains("gerente.t1@example.com"));
        assert!(m.body_text(0).unwrap().contains("espera su aprobación"));
        assert!(m.body_html(0).is_some(), "an HTML part beside the text");
    }

    // Approval mails the creator, with the approver's comment.
    let id = o["id"].as_str().unwrap();
    post(&app, &format!("/api/pedidos-sugeridos/{id}/aprobar"), &u.manager_01, json!({"comentario": "Conforme"})).await;
    let pass = fluxion::mail::outbox::deliver_due(&path, &mailer, chrono::Utc::now()).await.unwrap();
    assert_eq!(pass.sent, 1);
    let mails = mails.lock().unwrap();
    let m = mail_parser::MessageParser::default().parse(mails[1].as_bytes()).unwrap();
    assert!(m.subject().unwrap().contains("aprobado"), "{:?}", m.subject());
    assert!(m.to().unwrap().first().unwrap().address().unwrap().contains("compras@example.com"));
    assert!(m.body_text(0).unwrap().contains("Comentario: Conforme"));
}

#[tokio::test]
async fn the_wizard_tables_export_to_excel_with_the_users_quantities() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let sug = suggested(&calc);
    let lines = json!([
        {"codigo_producto": code(sug[1]), "cantidad_pedida_bultos": 0, "observaciones": null},
        {"codigo_producto": code(sug[0]), "cantidad_pedida_bultos": 9, "observaciones": "Oferta"},
    ]);
    for (vista, header) in [("pedido", "Pedido Bultos"), ("planificacion", "Pedir (bultos)")] {
        let body = json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string(), "vista": vista, "productos": lines});
        let r = app.client.post(app.url("/api/pedidos-sugeridos/exportar-excel")).bearer_auth(&u.buyer).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{vista}");
        let name = r.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(name.contains(&format!("Pedido_PERIFERICO_{}.xlsx", today())), "{name}");
        let parts = xlsx_parts(&r.bytes().await.unwrap());
        let strings = parts.get("xl/sharedStrings.xml").cloned().unwrap_or_default();
        let sheet = &parts["xl/worksheets/sheet1.xml"];
        assert!(strings.contains(header), "{vista}: {header}");
        assert!(strings.contains(code(sug[0])) && strings.contains(code(sug[1])));
        // The user's 0 stays 0 (the original exported the suggestion instead) and 9 is 9.
        assert!(sheet.contains("<v>9</v>"), "{vista}");
        assert!(sheet.contains("<v>0</v>"), "{vista}");
    }
    let bad =
        json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": today().to_string(), "vista": "otra", "productos": []});
    let r = app.client.post(app.url("/api/pedidos-sugeridos/exportar-excel")).bearer_auth(&u.buyer).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn e21_numbering_continues_after_numbers_already_in_use() {
    let app = spawn_app(true).await;
    let u = users(&app).await;
    let calc = calculation(&app, &u.buyer).await;
    let c = code(suggested(&calc)[0]).to_string();
    // Orders carried over from the earlier system: PS-00009 and a batch order PS-00012-3.
    {
        let conn = app.state.app_db.lock().unwrap();
        for (id, numero, grupo) in [("hist-1", "PS-00009", None), ("hist-2", "PS-00012-3", Some("GRUPO-HIST"))] {
            conn.execute(
                "INSERT INTO pedidos_sugeridos (id, numero_pedido, grupo_pedido_id, orden_en_grupo, cedi_origen_id, cedi_origen_nombre,
                     tienda_destino_id, tienda_destino_nombre, fecha_pedido, estado, usuario_creador)
                 VALUES (?1, ?2, ?3, ?4, 'cedi_seco', 'CEDI Seco', 'tienda_01', 'PERIFERICO', '2026-01-05', 'recibido', 'historico')",
                rusqlite::params![id, numero, grupo, grupo.map(|_| 3)],
            )
            .unwrap();
        }
    }
    let (s, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 1)], false)).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["numero_pedido"], "PS-00013");
    let (_, o) = post(&app, "/api/pedidos-sugeridos", &u.buyer, order_body(&[(&c, 1)], false)).await;
    assert_eq!(o["numero_pedido"], "PS-00014");
}
