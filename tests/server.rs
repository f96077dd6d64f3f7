//! The appliance over real HTTP: health, tenant branding, the embedded UI, admission
//! rules and the network summary, on real SQLite/DuckDB files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use chrono::Duration;
use common::{end_date, spawn_app};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn healthz_reports_version_schemas_and_data_freshness() {
    let app = spawn_app(true).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["schema"]["app"], fluxion::appdb::SCHEMA_VERSION);
    assert_eq!(body["schema"]["warehouse"], fluxion::warehouse::SCHEMA_VERSION);
    let last = body["last_data_at"].as_str().expect("generated data has a last sale");
    assert!(last.starts_with(&end_date().to_string()), "last sale {last} is on the last generated day");
}

#[tokio::test]
async fn tenant_endpoint_is_public_and_carries_branding() {
    let app = spawn_app(false).await;
    let body: Value = app.client.get(app.url("/api/tenant")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["id"], "demo");
    assert_eq!(body["display_name"], "Supermercados Demo");
    assert!(body["primary_color"].as_str().unwrap().starts_with('#'));
    assert_eq!(body["timezone"], "America/Caracas");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["features"]["bi"], true);
    assert_eq!(body["features"]["xyz_analysis"], true, "the demo turns the XYZ analysis on (a client has it off unless configured)");
    assert_eq!(body["maintenance"]["active"], false);
}

#[tokio::test]
async fn static_files_have_mime_types_and_client_routes_fall_back_to_index() {
    let app = spawn_app(false).await;
    for (path, mime) in [("/js/app.js", "text/javascript"), ("/app.css", "text/css"), ("/", "text/html")] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with(mime), "{path}: {ct}");
        assert!(r.headers().contains_key("etag"));
    }
    let r = app.client.get(app.url("/inventarios/algo")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(r.text().await.unwrap().contains("<main"));
    let missing = app.client.get(app.url("/js/no-existe.js")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["detail"].as_str()), (Some("not_found"), Some("Recurso no encontrado")));
    // Revalidation: the same ETag answers 304.
    let first = app.client.get(app.url("/js/app.js")).send().await.unwrap();
    let tag = first.headers()["etag"].clone();
    let again = app.client.get(app.url("/js/app.js")).header("if-none-match", tag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = spawn_app(false).await;
    for path in ["/", "/api/tenant", "/api/nada"] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
        assert!(!h["content-security-policy"].to_str().unwrap().contains("script-src 'unsafe-inline'"));
        assert!(h.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn foreign_host_gets_421_and_wrong_tenant_header_400() {
    let app = spawn_app(false).await;
    let r = app.client.get(app.url("/api/tenant")).header("host", "otro.example.com").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "host_not_allowed");
    assert_eq!(body["detail"], "Host no permitido");

    let r = app.client.get(app.url("/api/tenant")).header("x-tenant-id", "cliente2").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "tenant_mismatch");
    let r = app.client.get(app.url("/api/tenant")).header("x-tenant-id", "demo").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_api_path_is_a_json_404() {
    let app = spawn_app(false).await;
    let r = app.client.get(app.url("/api/no-existe")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    assert!(body["detail"].is_string());
}

#[tokio::test]
async fn network_summary_equals_a_direct_sql_check() {
    let app = spawn_app(true).await;
    let hasta = end_date();
    let desde = hasta - Duration::days(29);
    let r = app.get_admin(&format!("/api/resumen-red?hasta={hasta}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["desde"], desde.to_string());
    assert_eq!(body["ventana_dias"], 30);
    let rows = body["ubicaciones"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "2 stores and 1 CEDI in the tiny chain");

    // Independent check from the raw sale lines (not the aggregates the endpoint reads).
    let reader = app.state.warehouse.reader().unwrap();
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let (ventas, tickets, unidades, dias): (f64, i64, f64, i64) = reader
            .query_row(
                "SELECT coalesce(sum(venta_total) FILTER (WHERE fecha BETWEEN ? AND ?), 0)::DOUBLE,
                        count(DISTINCT numero_factura) FILTER (WHERE fecha BETWEEN ? AND ?),
                        coalesce(sum(cantidad_vendida) FILTER (WHERE fecha BETWEEN ? AND ?), 0)::DOUBLE,
                        count(DISTINCT fecha)
                 FROM ventas WHERE ubicacion_id = ?",
                duckdb::params![desde, hasta, desde, hasta, desde, hasta, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        let stock: f64 = reader
            .query_row(
                "SELECT coalesce(sum(greatest(i.cantidad, 0) * coalesce(p.costo_unitario_usd, 0)), 0)::DOUBLE
                 FROM inventario_actual i LEFT JOIN productos p ON p.codigo = i.producto_codigo WHERE i.ubicacion_id = ?",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!((row["ventas_usd"].as_f64().unwrap() - ventas).abs() < 0.01, "{id} ventas");
        assert_eq!(row["tickets"].as_i64().unwrap(), tickets, "{id} tickets");
        assert!((row["unidades"].as_f64().unwrap() - unidades).abs() < 0.001, "{id} unidades");
        assert!((row["valor_stock_costo_usd"].as_f64().unwrap() - stock).abs() < 0.01, "{id} stock");
        if row["tipo"] == "tienda" {
            assert!(ventas > 0.0 && tickets > 0, "{id} sold something");
            assert_eq!(row["dias_con_datos"].as_i64().unwrap(), dias, "{id} days");
        } else {
            assert_eq!(tickets, 0, "a CEDI does not sell");
            assert!(stock > 0.0, "{id} holds stock");
        }
    }
    let total: f64 = rows.iter().map(|r| r["ventas_usd"].as_f64().unwrap()).sum();
    assert!((body["totales"]["ventas_usd"].as_f64().unwrap() - total).abs() < 0.01);
}

#[tokio::test]
async fn network_summary_of_an_empty_tenant_lists_locations_with_zeros() {
    let app = spawn_app(false).await;
    let body: Value = app.get_admin("/api/resumen-red").await.json().await.unwrap();
    let rows = body["ubicaciones"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["ventas_usd"] == 0.0 && r["dias_con_datos"] == 0));
    let bad = app.get_admin("/api/resumen-red?hasta=25-11-2026").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json::<Value>().await.unwrap()["errors"][0]["field"], "hasta");
}

#[tokio::test]
async fn cross_origin_requests_get_no_cors_unless_the_origin_is_configured() {
    let app = spawn_app(false).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/tenant"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let r = preflight("https://evil.example.com").await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.headers().contains_key("access-control-allow-origin"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!((body["code"].as_str(), body["detail"].as_str()), (Some("cors_forbidden"), Some("Origen no permitido")));
    let r = app.client.get(app.url("/api/tenant")).header("origin", "https://evil.example.com").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.headers().contains_key("access-control-allow-origin"), "same-origin only");

    let app = common::spawn_app_with(false, |t| {
        common::set_key(&t, "allowed_hosts", "[\"localhost\", \"127.0.0.1\"]\ncors_origins = [\"https://bi.example.com\"]")
    })
    .await;
    let r = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/tenant"))
        .header("origin", "https://bi.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(r.headers()["access-control-allow-origin"], "https://bi.example.com");
}

#[tokio::test]
async fn a_disabled_feature_answers_404_feature_disabled_and_the_tenant_says_so() {
    let app = common::spawn_app_with(false, |t| t.replace("[features]\n", "[features]\npedidos_inter_cedi = false\nbi = false\n")).await;
    let tenant: serde_json::Value = app.client.get(app.url("/api/tenant")).send().await.unwrap().json().await.unwrap();
    assert_eq!((tenant["features"]["pedidos_inter_cedi"].as_bool(), tenant["features"]["bi"].as_bool()), (Some(false), Some(false)));
    for path in
        ["/api/pedidos-inter-cedi", "/api/pedidos-inter-cedi/config/rutas", "/api/productos-excluidos-inter-cedi/cedi_seco", "/api/bi/red"]
    {
        let r = app.client.get(app.url(path)).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "feature_disabled", "{path}: {body}");
    }
    // Other features keep working.
    let r = app.client.get(app.url("/api/pedidos-multitienda/config-dpdu")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.client.get(app.url("/api/pedidos-inter-cedi-no-existe")).bearer_auth(&app.admin_token).send().await.unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "not_found", "a longer path is not the feature's");
}
