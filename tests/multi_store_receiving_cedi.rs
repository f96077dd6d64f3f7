//! A receiving CEDI as one more destination of a multi-store batch (spec 31 §2.3, D-5, D-16):
//! its need is the inter-CEDI engine's (the same numbers as the inter-CEDI calculation), its
//! exclusions apply, it shares the origin's stock with the stores in DPD+U, and the batch
//! saves its line as an inter-CEDI draft carrying the batch's group id.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::HashMap;

use chrono::Duration;
use common::{end_date, spawn_app, spawn_app_with, with_receiving_cedi, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn fecha() -> String {
    (end_date() + Duration::days(1)).to_string()
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(&app.admin_token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn batch(app: &TestApp) -> Value {
    let body = json!({"cedi_origen": "cedi_seco", "tiendas_destino": [{"tienda_id": "tienda_01"}], "fecha": fecha(), "incluir_cedi_caracas": true});
    let (s, b) = send(app, reqwest::Method::POST, "/api/pedidos-multitienda/calcular", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiving_cedi_takes_part_with_the_inter_cedi_engines_need_and_is_saved_as_an_inter_cedi_draft() {
    let app = spawn_app_with(true, with_receiving_cedi).await;
    let b = batch(&app).await;
    assert_eq!(b["resumen"]["incluye_cedi_caracas"], true);
    assert_eq!(b["resumen"]["total_tiendas"], 1, "stores only");
    let dests: Vec<(&str, bool)> = b["pedidos_por_tienda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["tienda_id"].as_str().unwrap(), p["es_cedi"].as_bool().unwrap()))
        .collect();
    assert_eq!(dests, vec![("tienda_01", false), ("cedi_caracas", true)], "CEDI destinations last");

    // D-5: one formula — its lines are the inter-CEDI calculation's.
    let body = json!({"cedi_origen_id": "cedi_seco", "cedi_destino_id": "cedi_caracas", "fecha": fecha()});
    let (_, ic) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/calcular", Some(body)).await;
    let ic_lines: HashMap<&str, &Value> =
        ic["productos"].as_array().unwrap().iter().map(|l| (l["codigo_producto"].as_str().unwrap(), l)).collect();
    let cedi_lines = b["pedidos_por_tienda"][1]["productos"].as_array().unwrap();
    assert!(cedi_lines.len() >= 5, "{}", cedi_lines.len());
    for l in cedi_lines {
        let i = ic_lines[l["codigo_producto"].as_str().unwrap()];
        assert_eq!(l["cantidad_sugerida_bultos"], i["cantidad_sugerida_bultos"]);
        assert_eq!(f(&l["prom_p75_unid"]), f(&i["demanda_regional_p75"]));
        assert_eq!(f(&l["stock_tienda"]), f(&i["stock_cedi_destino"]));
        if l["es_conflicto"] == false {
            assert_eq!(l["cantidad_bultos"], i["cantidad_sugerida_bultos"], "outside conflicts the engine's packs stand");
        }
    }

    // Conflicts the CEDI takes part in: shares within the origin's whole packs and each need.
    for c in b["conflictos"].as_array().unwrap() {
        let shares = c["distribucion_dpdu"].as_array().unwrap();
        let total: u64 = shares.iter().map(|s| s["cantidad_asignada_bultos"].as_u64().unwrap()).sum();
        assert!(total <= c["stock_cedi_bultos"].as_u64().unwrap(), "{c}");
    }
    let with_cedi = b["conflictos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["distribucion_dpdu"].as_array().unwrap().iter().any(|s| s["tienda_id"] == "cedi_caracas"))
        .count();
    assert!(with_cedi > 0, "the tiny chain's CEDI Seco is short for both tienda_01 and CEDI Caracas");

    // D-16: an inter-CEDI exclusion of the receiving CEDI applies to the batch as well.
    let excluded = cedi_lines.iter().find(|l| l["es_conflicto"] == false).unwrap()["codigo_producto"].as_str().unwrap().to_string();
    let (s, e) = send(
        &app,
        reqwest::Method::POST,
        "/api/productos-excluidos-inter-cedi",
        Some(json!({"cedi_destino_id": "cedi_caracas", "codigo_producto": excluded, "motivo": "SOLO_TIENDA"})),
    )
    .await;
    assert!(s.is_success(), "{e}");
    let b = batch(&app).await;
    assert!(!b["pedidos_por_tienda"][1]["productos"].as_array().unwrap().iter().any(|l| l["codigo_producto"] == excluded.as_str()));

    // Saved together: a store order PS-…-1 and an inter-CEDI draft with the same group.
    let pick = |d: usize, n: usize| -> Vec<Value> {
        b["pedidos_por_tienda"][d]["productos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["cantidad_bultos"].as_u64().unwrap() > 0)
            .take(n)
            .map(|l| json!({"codigo_producto": l["codigo_producto"], "cantidad_pedida_bultos": l["cantidad_bultos"], "incluido": true}))
            .collect()
    };
    let cedi_pick = pick(1, 4);
    let save = json!({"cedi_origen_id": "cedi_seco", "fecha_pedido": fecha(), "observaciones_globales": "Lote con Caracas", "pedidos": [
        {"tienda_destino_id": "tienda_01", "productos": pick(0, 3)},
        {"tienda_destino_id": "cedi_caracas", "productos": cedi_pick},
    ]});
    let (s, saved) = send(&app, reqwest::Method::POST, "/api/pedidos-multitienda/guardar-lote", Some(save)).await;
    assert!(s.is_success(), "{saved}");
    assert_eq!(saved["total_pedidos"], 2);
    assert!(saved["pedidos_creados"][0]["numero_pedido"].as_str().unwrap().ends_with("-1"));
    let ic = &saved["pedidos_inter_cedi_creados"][0];
    assert_eq!(
        (ic["numero_pedido"].as_str(), ic["cedi_destino_id"].as_str(), ic["estado"].as_str()),
        (Some("IC-00001"), Some("cedi_caracas"), Some("borrador"))
    );
    let (_, order) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/IC-00001", None).await;
    assert_eq!(order["grupo_pedido_id"], saved["grupo_pedido_id"]);
    assert_eq!(order["observaciones"], "Lote con Caracas");
    assert_eq!(order["productos"].as_array().unwrap().len(), 4);
    let (_, history) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/IC-00001/historial", None).await;
    assert_eq!(history[0]["motivo_cambio"], "Pedido creado (multi-tienda)");
    // A CEDI that is not a receiving CEDI of this origin is refused by name.
    let bad = json!({"cedi_origen_id": "cedi_seco", "fecha_pedido": fecha(), "pedidos": [
        {"tienda_destino_id": "tienda_01", "productos": pick(0, 1)},
        {"tienda_destino_id": "cedi_frio", "productos": []},
    ]});
    let (s, e) = send(&app, reqwest::Method::POST, "/api/pedidos-multitienda/guardar-lote", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("cedi_frio"), "{e}");
}

#[tokio::test]
async fn including_a_receiving_cedi_without_a_route_is_refused_by_name() {
    let app = spawn_app(true).await;
    let body = json!({"cedi_origen": "cedi_seco", "tiendas_destino": [{"tienda_id": "tienda_01"}], "fecha": fecha(), "incluir_cedi_caracas": true});
    let (s, e) = send(&app, reqwest::Method::POST, "/api/pedidos-multitienda/calcular", Some(body)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("[[routes]]"), "{e}");
}
