//! Substitutable product sets (spec 31 §5) through the API on the `tiny` chain: the
//! administrator's CRUD with its refusals, and the store-need engine using the redistributed
//! demand — a member without CEDI stock passes its share to the member that has stock, the
//! line says why, and a set whose members all have stock changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::{end_date, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "clave-de-prueba-9";

async fn proposal(app: &TestApp) -> Vec<Value> {
    let body = json!({"cedi_origen": "cedi_seco", "tienda_destino": "tienda_01", "fecha": (end_date() + Duration::days(1)).to_string()});
    let r = app.client.post(app.url("/api/pedidos-sugeridos/calcular")).bearer_auth(&app.admin_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    v["productos"].as_array().unwrap().clone()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn line<'a>(lines: &'a [Value], code: &str) -> &'a Value {
    lines.iter().find(|l| l["codigo_producto"] == code).unwrap_or_else(|| panic!("no line for {code}"))
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

#[tokio::test]
async fn a_member_without_cedi_stock_passes_its_share_to_the_member_that_has_stock() {
    let app = spawn_app(true).await;
    let before = proposal(&app).await;
    let sells = |l: &&Value| f(&l["prom_p75_unid"]) > 0.0;
    let out = before.iter().filter(sells).find(|l| f(&l["stock_cedi_origen"]) == 0.0).expect("a selling product the CEDI has run out of");
    let (a, b) = {
        let stocked: Vec<&Value> = before.iter().filter(sells).filter(|l| f(&l["stock_cedi_origen"]) > 0.0).collect();
        (stocked[0], stocked[1])
    };
    let code = |l: &Value| l["codigo_producto"].as_str().unwrap().to_string();
    let (out_code, a_code, b_code) = (code(out), code(a), code(b));

    // The out-of-stock product and `a`, 60 / 40, typed without leading zeros.
    let typed = out_code.trim_start_matches('0').to_string();
    let body = json!({"nombre": "Sustitutos de prueba", "categoria": "VIVERES",
                      "productos": [{"codigo_producto": typed, "share_manual": 60}, {"codigo_producto": a_code, "share_manual": 40}]});
    let (s, set) = send(&app, reqwest::Method::POST, "/api/conjuntos-sustituibles", &app.admin_token, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{set}");
    assert_eq!(
        set["miembros"][0]["codigo_producto"].as_str().unwrap().len(),
        out_code.len(),
        "the typed code resolved to the product's own"
    );
    assert!(set["miembros"].as_array().unwrap().iter().all(|m| m["descripcion_producto"].is_string()));

    let after = proposal(&app).await;
    let set_demand = f(&out["prom_p75_unid"]) + f(&a["prom_p75_unid"]);
    let (out_after, a_after) = (line(&after, &out_code), line(&after, &a_code));
    assert_eq!(f(&out_after["prom_p75_unid"]), 0.0, "no CEDI stock: its demand went to the other member");
    assert!(
        (f(&a_after["prom_p75_unid"]) - set_demand).abs() < 1e-9,
        "the whole set's demand: {} vs {set_demand}",
        a_after["prom_p75_unid"]
    );
    let reason = a_after["razon_pedido"].as_str().unwrap();
    assert!(reason.contains("Conjunto «Sustitutos de prueba»") && reason.contains(&out_code), "{reason}");
    assert!(f(&a_after["stock_maximo"]) >= f(&a["stock_maximo"]), "more demand never lowers the maximum");
    assert_eq!(line(&after, &b_code), b, "a product outside the set is untouched");

    // Both members in stock: nothing changes.
    let id = set["id"].as_i64().unwrap();
    let body = json!({"nombre": "Sustitutos de prueba", "productos": [{"codigo_producto": a_code}, {"codigo_producto": b_code}]});
    let (s, _) = send(&app, reqwest::Method::PUT, &format!("/api/conjuntos-sustituibles/{id}"), &app.admin_token, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    let again = proposal(&app).await;
    assert_eq!(line(&again, &a_code), a);
    assert_eq!(line(&again, &out_code), out);

    // Deleted: the engine is back to each product's own demand.
    let (s, _) = send(&app, reqwest::Method::DELETE, &format!("/api/conjuntos-sustituibles/{id}"), &app.admin_token, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = send(&app, reqwest::Method::GET, &format!("/api/conjuntos-sustituibles/{id}"), &app.admin_token, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sets_are_refused_by_name_when_they_break_a_rule() {
    let app = spawn_app(true).await;
    let lines = proposal(&app).await;
    let codes: Vec<String> = lines.iter().take(4).map(|l| l["codigo_producto"].as_str().unwrap().to_string()).collect();
    let t = app.admin_token.clone();
    let post = |body: Value| {
        let (app, t) = (&app, t.clone());
        async move { send(app, reqwest::Method::POST, "/api/conjuntos-sustituibles", &t, Some(body)).await }
    };
    let (s, _) = post(json!({"nombre": "Azúcar", "productos": [{"codigo_producto": codes[0]}, {"codigo_producto": codes[1]}]})).await;
    assert_eq!(s, StatusCode::CREATED);
    let cases = [
        (json!({"nombre": "azúcar ", "productos": [{"codigo_producto": codes[2]}, {"codigo_producto": codes[3]}]}), "nombre"),
        (json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[1]}, {"codigo_producto": codes[2]}]}), "«Azúcar»"),
        (json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[2]}]}), "al menos dos"),
        (json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[2]}, {"codigo_producto": "NOEXISTE"}]}), "NOEXISTE"),
        (
            json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[2], "share_manual": 70}, {"codigo_producto": codes[3], "share_manual": 40}]}),
            "100",
        ),
        (
            json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[2], "share_manual": -5}, {"codigo_producto": codes[3]}]}),
            "entre 0 y 100",
        ),
        (json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[2]}, {"codigo_producto": codes[2]}]}), "dos veces"),
    ];
    for (body, needle) in cases {
        let (s, e) = post(body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        let msg = e["detail"].as_str().unwrap().to_string();
        assert!(msg.contains(needle) || e["field"] == needle, "{body}: {msg}");
    }
    // An inactive set does not hold its products: they may join an active one.
    let (_, list) = send(&app, reqwest::Method::GET, "/api/conjuntos-sustituibles", &t, None).await;
    let id = list[0]["id"].as_i64().unwrap();
    let body = json!({"nombre": "Azúcar", "activo": false, "productos": [{"codigo_producto": codes[0]}, {"codigo_producto": codes[1]}]});
    let (s, _) = send(&app, reqwest::Method::PUT, &format!("/api/conjuntos-sustituibles/{id}"), &t, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(json!({"nombre": "Arroz", "productos": [{"codigo_producto": codes[1]}, {"codigo_producto": codes[2]}]})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, list) = send(&app, reqwest::Method::GET, "/api/conjuntos-sustituibles", &t, None).await;
    assert_eq!(
        list.as_array().unwrap().iter().map(|s| s["nombre"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["Arroz", "Azúcar"],
        "active first"
    );
    // Reactivating "Azúcar" would put codes[1] in two active sets.
    let body = json!({"nombre": "Azúcar", "activo": true, "productos": [{"codigo_producto": codes[0]}, {"codigo_producto": codes[1]}]});
    let (s, e) = send(&app, reqwest::Method::PUT, &format!("/api/conjuntos-sustituibles/{id}"), &t, Some(body)).await;
    assert!(s == StatusCode::UNPROCESSABLE_ENTITY && e["detail"].as_str().unwrap().contains("«Arroz»"), "{e}");

    // Buyers read; only administrators write.
    app.add_user("compras", PASSWORD, "gestor_abastecimiento", &[]);
    let buyer = app.token("compras", PASSWORD).await;
    let (s, _) = send(&app, reqwest::Method::GET, "/api/conjuntos-sustituibles", &buyer, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&app, reqwest::Method::DELETE, &format!("/api/conjuntos-sustituibles/{id}"), &buyer, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
