//! Inter-CEDI orders through the API (spec 31 §3.8–§3.12) on the `tiny` chain with a
//! receiving CEDI: a draft saved with the calculation's figures, replaced with `PUT` (D-10),
//! saved-and-confirmed at once, dispatched and received with the acting user in the history
//! (D-14), goods on the way counted by the next calculation (D-13), the delete rules, the
//! Excel, the list, the 24-hour note and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::Duration;
use common::{end_date, spawn_app_with, with_receiving_cedi, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "clave-de-prueba-9";

fn today() -> String {
    (end_date() + Duration::days(1)).to_string()
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn calculation(app: &TestApp) -> Value {
    let body = json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "fecha": today()});
    let (s, calc) = send(app, reqwest::Method::POST, "/api/pedidos-inter-cedi/calcular", &app.admin_token, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{calc}");
    calc
}

fn draft(productos: Value) -> Value {
    json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "fecha": today(), "prioridad": "alta",
           "observaciones": "Reposición semanal", "productos": productos})
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_is_saved_edited_confirmed_dispatched_and_received_with_who_did_each_step() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    app.add_user("comprador.ccs", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("comprador.ccs", PASSWORD).await;
    let calc = calculation(&app).await;
    let ordered: Vec<&Value> =
        calc["productos"].as_array().unwrap().iter().filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).collect();
    assert!(ordered.len() >= 4, "the tiny chain's Caracas CEDI needs several products: {}", ordered.len());
    let code = |i: usize| ordered[i]["codigo_producto"].as_str().unwrap().to_string();
    // The buyer keeps two suggestions, raises a third, unticks a fourth and zeroes a fifth.
    let choices = json!([
        {"codigo_producto": code(0), "cantidad_pedida_bultos": ordered[0]["cantidad_sugerida_bultos"]},
        {"codigo_producto": code(1), "cantidad_pedida_bultos": ordered[1]["cantidad_sugerida_bultos"], "cedi_origen_id": "cedi_seco"},
        {"codigo_producto": code(2), "cantidad_pedida_bultos": 7, "observaciones": "promoción"},
        {"codigo_producto": code(3), "cantidad_pedida_bultos": 3, "incluido": false},
    ]);
    let (s, created) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi", &buyer, Some(draft(choices))).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["estado"], "borrador");
    let numero = created["numero_pedido"].as_str().unwrap().to_string();
    assert_eq!(numero, "IC-00001");
    let id = created["id"].as_str().unwrap().to_string();

    // Only included lines with packs are saved, each with the calculation's figures.
    let (_, order) = send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/{numero}"), &buyer, None).await;
    assert_eq!(order["id"], id.as_str(), "found by number as by id");
    assert_eq!(order["region"], "CARACAS", "D-22: the region under its API name");
    assert_eq!(order["cedi_origen_nombre"], "CEDI Seco");
    assert_eq!(order["prioridad"], "alta");
    assert_eq!(order["usuario_creador"], "comprador.ccs");
    let lines = order["productos"].as_array().unwrap();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let by_code: HashMap<&str, &Value> =
        calc["productos"].as_array().unwrap().iter().map(|l| (l["codigo_producto"].as_str().unwrap(), l)).collect();
    let mut packs = 0.0;
    let mut units = 0.0;
    let mut kg = 0.0;
    for l in lines {
        let c = by_code[l["codigo_producto"].as_str().unwrap()];
        assert_eq!(l["cedi_origen_id"], "cedi_seco");
        assert_eq!(f(&l["demanda_regional_p75"]), f(&c["demanda_regional_p75"]));
        assert_eq!(f(&l["stock_cedi_destino"]), f(&c["stock_cedi_destino"]));
        assert_eq!(f(&l["stock_cedi_origen"]), f(&c["stock_cedi_origen"]));
        assert_eq!(f(&l["punto_reorden_cedi"]), f(&c["punto_reorden"]));
        assert_eq!(f(&l["cantidad_sugerida_bultos"]), f(&c["cantidad_sugerida_bultos"]));
        assert_eq!(l["clasificacion_abc"], c["clasificacion_abc"]);
        assert_eq!(l["razon_pedido"], c["razon_pedido"]);
        let upb = f(&l["unidades_por_bulto"]);
        let p = f(&l["cantidad_pedida_bultos"]);
        assert_eq!(f(&l["total_unidades"]), p * upb, "units = ordered packs × UPB");
        packs += p;
        units += p * upb;
        kg += p * upb * f(&c["peso_unidad_kg"]);
    }
    let promo = lines.iter().find(|l| l["codigo_producto"] == code(2).as_str()).unwrap();
    assert_eq!(promo["cantidad_pedida_bultos"], 7);
    assert_eq!(promo["observaciones"], "promoción");
    assert_eq!((f(&order["total_bultos"]), f(&order["total_unidades"]), order["total_productos"].as_i64().unwrap()), (packs, units, 3));
    assert!((f(&order["total_peso_kg"]) - kg).abs() < 1e-6);

    // PUT replaces the draft's lines (D-10): the same order, not a second one.
    let edited =
        json!([{"codigo_producto": code(0), "cantidad_pedida_bultos": 2}, {"codigo_producto": code(3), "cantidad_pedida_bultos": 4}]);
    let (s, put) = send(&app, reqwest::Method::PUT, &format!("/api/pedidos-inter-cedi/{id}"), &buyer, Some(draft(edited))).await;
    assert_eq!(s, StatusCode::OK, "{put}");
    assert_eq!(put["numero_pedido"], numero.as_str());
    let (_, order) = send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/{id}"), &buyer, None).await;
    let saved: Vec<(String, i64)> = order["productos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["codigo_producto"].as_str().unwrap().to_string(), l["cantidad_pedida_bultos"].as_i64().unwrap()))
        .collect();
    assert_eq!(saved, vec![(code(0), 2), (code(3), 4)]);
    assert_eq!(order["version"], 2);
    let (_, list) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi", &buyer, None).await;
    assert_eq!(list["total"], 1, "editing never creates a second order");

    // Confirmed by another user: the history names who did each step (D-14).
    let (s, moved) = send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{id}/confirmar"), &app.admin_token, None).await;
    assert_eq!((s, moved["estado"].as_str()), (StatusCode::OK, Some("confirmado")), "{moved}");
    let (s, again) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/pedidos-inter-cedi/{id}"),
        &buyer,
        Some(draft(json!([{"codigo_producto": code(0), "cantidad_pedida_bultos": 9}]))),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "only a draft is edited: {again}");
    assert!(again["detail"].as_str().unwrap().contains("estado actual: «confirmado»"), "{again}");

    // Goods on the way are counted by the next calculation (D-13).
    let calc2 = calculation(&app).await;
    let line = calc2["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code(0).as_str()).unwrap();
    assert_eq!(f(&line["transito_destino"]), 2.0 * f(&line["unidades_por_bulto"]), "2 confirmed packs on the way");

    // A wrong step is refused with both states named; dispatch and reception with notes.
    let (s, e) = send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{id}/recibir"), &buyer, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["detail"], "El pedido debe estar en estado «despachado»; estado actual: «confirmado»");
    let body = json!({"notas": "Camión 12", "usuario": "alguien.mas"});
    let (s, _) = send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{id}/despachar"), &buyer, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = send(&app, reqwest::Method::DELETE, &format!("/api/pedidos-inter-cedi/{id}"), &buyer, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a dispatched order stays on record: {e}");
    let received =
        json!({"notas": "Llegó un bulto roto", "lineas_recibidas": [{"codigo_producto": code(3), "cantidad_recibida_bultos": 3.0}]});
    let (s, r) = send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{id}/recibir"), &buyer, Some(received)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, order) = send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/{id}"), &buyer, None).await;
    assert_eq!(order["estado"], "recibido");
    assert_eq!(order["observaciones"], "Reposición semanal\n[despachado] Camión 12\n[recibido] Llegó un bulto roto");
    assert_eq!(order["notas_recepcion"], "Llegó un bulto roto");
    assert_eq!((order["usuario_confirmador"].as_str(), order["usuario_despachador"].as_str()), (Some("admin"), Some("comprador.ccs")));
    assert!(order["fecha_confirmacion"].is_string() && order["fecha_despacho"].is_string() && order["fecha_recepcion"].is_string());
    let broken = order["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code(3).as_str()).unwrap();
    assert_eq!(f(&broken["cantidad_recibida_bultos"]), 3.0);
    assert_eq!(f(&broken["cantidad_recibida_unidades"]), 3.0 * f(&broken["unidades_por_bulto"]));
    let complete = order["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code(0).as_str()).unwrap();
    assert_eq!(f(&complete["cantidad_recibida_bultos"]), 2.0, "a line not mentioned arrived as ordered");
    let (_, history) = send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/{id}/historial"), &buyer, None).await;
    let steps: Vec<(Value, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["estado_anterior"].clone(), h["estado_nuevo"].clone(), h["usuario"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("borrador"), json!("comprador.ccs")),
            (json!("borrador"), json!("confirmado"), json!("admin")),
            (json!("confirmado"), json!("despachado"), json!("comprador.ccs")),
            (json!("despachado"), json!("recibido"), json!("comprador.ccs")),
        ],
        "the acting user, never the creator or the body's `usuario`"
    );
    // Received: no longer on the way.
    let calc3 = calculation(&app).await;
    let line = calc3["productos"].as_array().unwrap().iter().find(|l| l["codigo_producto"] == code(0).as_str()).unwrap();
    assert_eq!(f(&line["transito_destino"]), 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_on_an_unsaved_order_saves_and_confirms_at_once_and_drafts_follow_the_delete_rules() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let t = app.admin_token.clone();
    let calc = calculation(&app).await;
    let first = calc["productos"].as_array().unwrap().iter().find(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).unwrap();
    let code = first["codigo_producto"].as_str().unwrap();
    let mut body = draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 5}]));
    body["confirmar"] = json!(true);
    let (s, c) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi", &t, Some(body)).await;
    assert_eq!((s, c["estado"].as_str(), c["numero_pedido"].as_str()), (StatusCode::CREATED, Some("confirmado"), Some("IC-00001")), "{c}");
    let (_, history) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/IC-00001/historial", &t, None).await;
    assert_eq!(history.as_array().unwrap().len(), 2, "created and confirmed: {history}");

    // The 24-hour note names the confirmed order, from that origin only.
    let (_, note) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/recientes?cedi_origen_id=cedi_seco", &t, None).await;
    assert_eq!(note["pedidos"][0]["numero_pedido"], "IC-00001");
    assert!(note["mensaje"].as_str().unwrap().contains("compiten por las mismas existencias"), "{note}");
    let (_, none) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/recientes?cedi_origen_id=cedi_caracas", &t, None).await;
    assert_eq!((none["pedidos"].as_array().unwrap().len(), &none["mensaje"]), (0, &Value::Null));

    // A draft: cancelled, then it cannot be deleted; another draft is deleted with its lines.
    let body = draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 1}]));
    let (_, d2) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi", &t, Some(body.clone())).await;
    assert_eq!(d2["numero_pedido"], "IC-00002", "one counter, no reuse");
    let (s, _) =
        send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/IC-00002/cancelar", &t, Some(json!({"motivo": "Duplicado"}))).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&app, reqwest::Method::DELETE, "/api/pedidos-inter-cedi/IC-00002", &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a cancelled order stays on record");
    let (_, h) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/IC-00002/historial", &t, None).await;
    assert_eq!(h[1]["motivo_cambio"], "Duplicado");
    let (s, e) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/IC-00001/cancelar", &t, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "only a draft is cancelled: {e}");
    let (_, d3) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi", &t, Some(body)).await;
    let (s, _) = send(&app, reqwest::Method::DELETE, &format!("/api/pedidos-inter-cedi/{}", d3["id"].as_str().unwrap()), &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/IC-00003", &t, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let db = rusqlite::Connection::open(&app.state.app_db_path).unwrap();
    let lines: i64 = db.query_row("SELECT count(*) FROM pedidos_inter_cedi_detalle", [], |r| r.get(0)).unwrap();
    assert_eq!(lines, 2, "the deleted draft's line went with it");
    // The confirmed order may still be deleted (§3.9).
    let (s, _) = send(&app, reqwest::Method::DELETE, "/api/pedidos-inter-cedi/IC-00001", &t, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // The list: newest first, by state, with origin counts, age and weight.
    let (_, list) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi?estado=cancelado", &t, None).await;
    assert_eq!(list["total"], 1);
    let e = &list["pedidos"][0];
    assert_eq!(
        (e["numero_pedido"].as_str(), e["num_cedis_origen"].as_u64(), e["dias_desde_creacion"].as_i64()),
        (Some("IC-00002"), Some(1), Some(0))
    );
    assert_eq!(e["por_origen"][0]["cedi_origen_id"], "cedi_seco");
    let w = f(&first["unidades_por_bulto"]) * f(&first["peso_unidad_kg"]);
    assert!((f(&e["peso_total_kg"]) - w).abs() < 1e-6, "1 pack × UPB × kg/unit");
    let (s, _) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi?estado=perdido", &t, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_excel_lists_the_order_lines_and_bad_drafts_are_refused_by_name() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let t = app.admin_token.clone();
    let calc = calculation(&app).await;
    let code = calc["productos"][0]["codigo_producto"].as_str().unwrap().to_string();
    let (_, c) = send(
        &app,
        reqwest::Method::POST,
        "/api/pedidos-inter-cedi",
        &t,
        Some(draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 2}]))),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    let r = app.client.get(app.url(&format!("/api/pedidos-inter-cedi/{id}/exportar"))).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"IC-00001.xlsx\"");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a real xlsx (zip) file");
    let r = app
        .client
        .get(app.url(&format!("/api/pedidos-inter-cedi/{id}/exportar?cedi_origen=cedi_seco")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-disposition"], "attachment; filename=\"IC-00001_CEDI_SECO.xlsx\"");
    let r = app
        .client
        .get(app.url(&format!("/api/pedidos-inter-cedi/{id}/exportar?cedi_origen=cedi_caracas")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no lines of that origin");

    let refused = |body: Value| {
        let app = &app;
        let t = t.clone();
        async move { send(app, reqwest::Method::POST, "/api/pedidos-inter-cedi", &t, Some(body)).await }
    };
    let (s, e) = refused(draft(json!([{"codigo_producto": "NO-EXISTE", "cantidad_pedida_bultos": 1}]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("NO-EXISTE"), "{e}");
    let (s, e) = refused(draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 1, "cedi_origen_id": "cedi_caracas"}]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("un solo CEDI de origen"), "D-12: {e}");
    let (s, e) = refused(draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": -1}]))).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && e["detail"].as_str().unwrap().contains("negativa"), "{e}");
    let (s, e) = refused(draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 0}]))).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && e["detail"].as_str().unwrap().contains("ninguna línea"), "{e}");
    let (s, _) = refused(draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 1, "precio": 3}]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
    let mut bad = draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 1}]));
    bad["prioridad"] = json!("inmediata");
    let (s, e) = refused(bad).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && e["detail"].as_str().unwrap().contains("inmediata"), "{e}");
    let mut other = draft(json!([{"codigo_producto": code, "cantidad_pedida_bultos": 1}]));
    other["cedi_origen_id"] = json!("cedi_caracas");
    other["cedi_destino_id"] = json!("cedi_seco");
    let (s, e) = refused(other).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no route that way: {e}");
    // A product excluded for that route is not in the calculation, so it cannot be ordered.
    let other = calc["productos"][1]["codigo_producto"].as_str().unwrap().to_string();
    let (s, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/productos-excluidos-inter-cedi",
        &t,
        Some(json!({"cedi_destino_id": "cedi_caracas", "codigo_producto": other, "motivo": "MANUAL"})),
    )
    .await;
    assert!(s.is_success());
    let (s, e) = refused(draft(json!([{"codigo_producto": other, "cantidad_pedida_bultos": 1}]))).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && e["detail"].as_str().unwrap().contains("excluido"), "{e}");
    let (_, list) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi", &t, None).await;
    assert_eq!(list["total"], 1, "nothing refused was stored");

    // D-17: a viewer can neither list nor save inter-CEDI orders.
    app.add_user("miron", PASSWORD, "visualizador", &[]);
    let viewer = app.token("miron", PASSWORD).await;
    let (s, _) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi", &viewer, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{id}/confirmar"), &viewer, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_analysis_views_use_the_calculations_p75_and_the_cedis_end_of_day_stock() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let t = app.admin_token.clone();
    let calc = calculation(&app).await;
    let line = calc["productos"].as_array().unwrap().iter().find(|l| f(&l["demanda_regional_p75"]) > 0.0).unwrap();
    let code = line["codigo_producto"].as_str().unwrap();

    // Regional sales: the same P75 as the calculation (D-15), every day of the window.
    let (s, h) = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/pedidos-inter-cedi/historial-ventas/{code}?cedi_destino_id=cedi_caracas&fecha={}", today()),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert!(
        (f(&h["totales"]["p75_regional"]) - f(&line["demanda_regional_p75"])).abs() < 1e-9,
        "{} vs {}",
        h["totales"],
        line["demanda_regional_p75"]
    );
    assert_eq!(h["dias"].as_array().unwrap().len(), 30);
    assert_eq!(h["tiendas"][0]["id"], "tienda_02", "the Caracas region's store");
    let r = app.state.warehouse.reader().unwrap();
    let today = end_date() + Duration::days(1);
    let sum: f64 = r
        .query_row(
            "SELECT coalesce(sum(cantidad), 0)::DOUBLE FROM ventas_diarias WHERE ubicacion_id = 'tienda_02' AND producto_codigo = ? AND fecha BETWEEN ?::DATE AND ?::DATE",
            duckdb::params![code, (today - Duration::days(30)).to_string(), (today - Duration::days(1)).to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert!((f(&h["totales"]["total"]) - sum).abs() < 1e-6);
    assert!((f(&h["totales"]["promedio_diario"]) - sum / 30.0).abs() < 1e-6);

    // CEDI stock: today's point is the live stock the calculation used; past days are the
    // last snapshot of each day.
    let (s, inv) = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/pedidos-inter-cedi/historial-inventario/{code}?ubicacion_id=cedi_seco&fecha={today}"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{inv}");
    let days = inv["dias"].as_array().unwrap();
    let last = days.last().unwrap();
    assert_eq!(last["fecha"], today.to_string());
    assert!((f(&last["cantidad"]) - f(&line["stock_cedi_origen"])).abs() < 1e-9);
    assert_eq!(f(&inv["estadisticas"]["actual"]), f(&last["cantidad"]));
    let max = days.iter().map(|d| f(&d["cantidad"])).fold(f64::MIN, f64::max);
    assert_eq!(f(&inv["estadisticas"]["maximo"]), max);
    for d in days.iter().filter(|d| d["fecha"] != today.to_string()).take(5) {
        let day = d["fecha"].as_str().unwrap();
        let expected: f64 = r
            .query_row(
                "SELECT coalesce(sum(q), 0)::DOUBLE FROM (SELECT arg_max(cantidad, fecha_snapshot) AS q FROM inventario_historico
                 WHERE ubicacion_id = 'cedi_seco' AND producto_codigo = ? AND fecha_snapshot < ?::DATE + 1 GROUP BY almacen_codigo)",
                duckdb::params![code, day],
                |row| row.get(0),
            )
            .unwrap();
        assert!((f(&d["cantidad"]) - expected).abs() < 1e-6, "{day}: {} vs {expected}", d["cantidad"]);
    }
    let (s, _) =
        send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/historial-inventario/{code}?ubicacion_id=tienda_01"), &t, None)
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a store is not a CEDI");
    let (s, _) = send(
        &app,
        reqwest::Method::GET,
        &format!("/api/pedidos-inter-cedi/historial-ventas/{code}?cedi_destino_id=cedi_caracas&dias=0"),
        &t,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The cells of a workbook's first sheet by reference ("M5"), shared strings resolved.
fn sheet_cells(bytes: &[u8]) -> HashMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a real .xlsx is a zip file");
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let (strings_xml, sheet) = (read("xl/sharedStrings.xml"), read("xl/worksheets/sheet1.xml"));
    let unescape = |s: &str| s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    let strings: Vec<String> = strings_xml
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = si.split_once("<t").unwrap().1;
            unescape(&t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()])
        })
        .collect();
    let mut cells = HashMap::new();
    for c in sheet.split("<c r=\"").skip(1) {
        let reference = c[..c.find('"').unwrap()].to_string();
        let head = &c[..c.find('>').unwrap()];
        let Some(v) = c.split_once("<v>").map(|(_, rest)| &rest[..rest.find("</v>").unwrap()]) else { continue };
        let value = if head.contains("t=\"s\"") { strings[v.parse::<usize>().unwrap()].clone() } else { v.to_string() };
        cells.insert(reference, value);
    }
    cells
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_two_exports_the_rows_the_user_sees_with_the_packs_they_typed_as_a_real_xlsx() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let calc = calculation(&app).await;
    let lines = calc["productos"].as_array().unwrap();
    let suggested: Vec<&Value> = lines.iter().filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).take(2).collect();
    let unsuggested = lines.iter().find(|l| l["cantidad_sugerida_bultos"] == 0).expect("a product without suggestion");
    assert_eq!(suggested.len(), 2, "two suggested products on the tiny chain");
    let edited = suggested[0]["cantidad_sugerida_bultos"].as_u64().unwrap() + 7;
    let kept = suggested[1]["cantidad_sugerida_bultos"].as_u64().unwrap();
    // The order the user sees (here: the unsuggested product first), as the wizard sends it.
    let body = json!({
        "cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "fecha": calc["fecha"],
        "dias_cobertura_a": calc["configuracion"]["dias_cobertura_a"], "lead_time_dias": calc["configuracion"]["lead_time_dias"],
        "filtro": "Vista: Todos · ABC: A",
        "productos": [
            {"codigo_producto": unsuggested["codigo_producto"], "cantidad_pedida_bultos": 0},
            {"codigo_producto": suggested[0]["codigo_producto"], "cantidad_pedida_bultos": edited, "observaciones": "Promoción de diciembre"},
            {"codigo_producto": suggested[1]["codigo_producto"], "cantidad_pedida_bultos": kept},
        ]
    });
    let r =
        app.client.post(app.url("/api/pedidos-inter-cedi/exportar-vista")).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_eq!(r.headers()["content-disposition"], format!("attachment; filename=\"inter-cedi_cedi_seco_cedi_caracas_{}.xlsx\"", today()));
    let cells = sheet_cells(&r.bytes().await.unwrap());
    assert_eq!(cells["A1"], "Pedido Inter-CEDI (vista): CEDI Seco → CEDI Caracas", "{cells:?}");
    assert!(cells["A2"].contains("Filtro: Vista: Todos · ABC: A"), "{}", cells["A2"]);
    for (col, name) in [("A", "Incluido"), ("C", "Código"), ("L", "Sugerido (bultos)"), ("M", "A pedir (bultos)"), ("N", "Unidades")] {
        assert_eq!(cells[&format!("{col}4")], name);
    }
    // Row 5 on: the rows in the order sent, A pedir as typed, units = packs × the pack size.
    assert_eq!(cells["C5"], unsuggested["codigo_producto"].as_str().unwrap());
    assert_eq!((cells["A5"].as_str(), cells["M5"].as_str()), ("No", "0"));
    assert_eq!(cells["C6"], suggested[0]["codigo_producto"].as_str().unwrap());
    assert_eq!((cells["A6"].as_str(), cells["M6"].parse::<u64>().unwrap()), ("Sí", edited), "the edited packs, not the suggestion");
    assert_eq!(cells["L6"].parse::<u64>().unwrap(), edited - 7, "the server's suggestion beside them");
    let upb = f(&suggested[0]["unidades_por_bulto"]);
    assert!((cells["N6"].parse::<f64>().unwrap() - edited as f64 * upb).abs() < 1e-9);
    assert_eq!(cells["O6"], "Promoción de diciembre");
    assert_eq!(cells["M7"].parse::<u64>().unwrap(), kept);
    assert!(!cells.contains_key("C8"), "only the rows sent");

    // A product the calculation does not hold, or a field the server does not know: refused.
    let mut bad = body.clone();
    bad["productos"][1]["codigo_producto"] = json!("NO-EXISTE");
    let (s, e) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/exportar-vista", &app.admin_token, Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("NO-EXISTE"), "{e}");
    let mut bad = body.clone();
    bad["vista"] = json!("todos");
    let (s, _) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/exportar-vista", &app.admin_token, Some(bad)).await;
    assert!(s.is_client_error(), "unknown field: {s}");
}
