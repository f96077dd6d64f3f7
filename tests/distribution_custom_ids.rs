//! Spec 31 D-18: no CEDI id, region or store of the first client is named in the code. The
//! tiny chain is renamed throughout its tenant.toml (CEDIs, stores, regions), and the whole
//! distribution flow runs on it: an inter-CEDI order computed, saved, confirmed and
//! dispatched, an exclusion of the receiving CEDI applied, and a multi-store batch saved.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::{end_date, spawn_app_with, with_receiving_cedi, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn renamed(toml: String) -> String {
    let toml = with_receiving_cedi(toml);
    let mut out = toml;
    for (from, to) in [
        ("cedi_caracas", "deposito_oriente"),
        ("cedi_seco", "almacen_central"),
        ("cedi_frio", "almacen_frescos"),
        ("tienda_01", "sucursal_norte"),
        ("tienda_02", "sucursal_playa"),
        ("\"VALENCIA\"", "\"CENTRO\""),
        ("\"CARACAS\"", "\"ORIENTE\""),
    ] {
        out = out.replace(from, to);
    }
    for gone in ["cedi_seco", "cedi_caracas", "tienda_01", "tienda_02", "\"VALENCIA\"", "\"CARACAS\""] {
        assert!(!out.contains(gone), "{gone} is still in the tenant:\n{out}");
    }
    out
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_distribution_flow_runs_on_a_chain_with_other_names() {
    let app = spawn_app_with(true, renamed).await;
    let fecha = (end_date() + Duration::days(1)).to_string();

    let (s, routes) = send(&app, reqwest::Method::GET, "/api/pedidos-inter-cedi/config/rutas", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (routes[0]["cedi_origen_id"].as_str(), routes[0]["cedi_destino_id"].as_str()),
        (Some("almacen_central"), Some("deposito_oriente"))
    );

    // Inter-CEDI: the receiving CEDI's region is ORIENTE, its one store sucursal_playa.
    let body = json!({"cedi_origen_id": "almacen_central", "cedi_destino_id": "deposito_oriente", "fecha": fecha});
    let (s, calc) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/calcular", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{calc}");
    assert_eq!((calc["region"].as_str(), calc["num_tiendas_region"].as_u64()), (Some("ORIENTE"), Some(1)));
    let ordered: Vec<&Value> =
        calc["productos"].as_array().unwrap().iter().filter(|l| l["cantidad_sugerida_bultos"].as_u64().unwrap() > 0).collect();
    assert!(ordered.len() > 5, "the renamed chain's receiving CEDI needs products: {}", ordered.len());

    // An exclusion of the receiving CEDI leaves that product out of the next calculation.
    let excluded = ordered[0]["codigo_producto"].as_str().unwrap().to_string();
    let (s, e) = send(
        &app,
        reqwest::Method::POST,
        "/api/productos-excluidos-inter-cedi",
        Some(json!({"cedi_destino_id": "deposito_oriente", "codigo_producto": excluded, "motivo": "PROVEEDOR_LOCAL"})),
    )
    .await;
    assert!(s.is_success(), "{e}");
    let body = json!({"cedi_origen_id": "almacen_central", "cedi_destino_id": "deposito_oriente", "fecha": fecha});
    let (_, calc) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi/calcular", Some(body)).await;
    assert_eq!(calc["codigos_excluidos_inter_cedi"], json!([excluded]));
    let productos: Vec<Value> = ordered[1..4]
        .iter()
        .map(|l| json!({"codigo_producto": l["codigo_producto"], "cantidad_pedida_bultos": l["cantidad_sugerida_bultos"]}))
        .collect();
    let draft = json!({"cedi_origen_id": "almacen_central", "cedi_destino_id": "deposito_oriente", "fecha": fecha,
                       "productos": productos, "confirmar": true});
    let (s, saved) = send(&app, reqwest::Method::POST, "/api/pedidos-inter-cedi", Some(draft)).await;
    assert_eq!((s, saved["estado"].as_str()), (StatusCode::CREATED, Some("confirmado")), "{saved}");
    let (s, _) =
        send(&app, reqwest::Method::POST, &format!("/api/pedidos-inter-cedi/{}/despachar", saved["id"].as_str().unwrap()), None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, order) =
        send(&app, reqwest::Method::GET, &format!("/api/pedidos-inter-cedi/{}", saved["numero_pedido"].as_str().unwrap()), None).await;
    assert_eq!((order["region"].as_str(), order["cedi_destino_nombre"].as_str()), (Some("ORIENTE"), Some("CEDI Caracas")));

    // Multi-store from the renamed supplying CEDI to the stores it supplies.
    let (s, tiendas) = send(&app, reqwest::Method::GET, "/api/ubicaciones/tiendas-por-cedi/almacen_central", None).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = tiendas["tiendas"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["sucursal_norte"], "the CENTRO region's store; ORIENTE is supplied by its own CEDI");
    let body = json!({"cedi_origen": "almacen_central", "tiendas_destino": [{"tienda_id": "sucursal_norte"}], "fecha": fecha});
    let (s, batch) = send(&app, reqwest::Method::POST, "/api/pedidos-multitienda/calcular", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{batch}");
    let lines: Vec<Value> = batch["pedidos_por_tienda"][0]["productos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["cantidad_bultos"].as_u64().unwrap() > 0)
        .take(3)
        .map(|l| json!({"codigo_producto": l["codigo_producto"], "cantidad_pedida_bultos": l["cantidad_bultos"], "incluido": true}))
        .collect();
    assert!(!lines.is_empty());
    let save = json!({"cedi_origen_id": "almacen_central", "fecha_pedido": fecha, "pedidos": [{"tienda_destino_id": "sucursal_norte", "productos": lines}]});
    let (s, out) = send(&app, reqwest::Method::POST, "/api/pedidos-multitienda/guardar-lote", Some(save)).await;
    assert!(s.is_success(), "{out}");
    assert_eq!(out["pedidos_creados"][0]["tienda_id"], "sucursal_norte");
}
