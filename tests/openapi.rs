//! `GET /api/openapi.json`: the OpenAPI 3.1 document generated from the route table. Every
//! route of `http::api_routes` is in it with its access; a new route says what it answers
//! (only the routes older than the document may stay undescribed, and that list only
//! shrinks); and what the typed handlers send is what the document describes, with their
//! keys in the alphabetical order the API has always answered them in.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::collections::BTreeSet;

use common::spawn_app;
use fluxion::http::api_routes;
use fluxion::http::session::Access;
use reqwest::StatusCode;
use serde_json::Value;

/// Routes registered before the API was described, whose answers are not typed yet.
/// Remove a line when its route gets `.json::<T>()`; never add one.
const UNDESCRIBED: &[(&str, &str)] = &[
    ("GET", "/api/ubicaciones/{id}/stock-params"),
    ("GET", "/api/ubicaciones/cedis"),
    ("GET", "/api/ubicaciones/tiendas-por-cedi/{cedi_id}"),
    ("GET", "/api/pedidos-multitienda/config-dpdu"),
    ("PUT", "/api/pedidos-multitienda/config-dpdu"),
    ("POST", "/api/pedidos-multitienda/calcular"),
    ("POST", "/api/pedidos-multitienda/guardar-lote"),
    ("GET", "/api/pedidos-inter-cedi/config/rutas"),
    ("GET", "/api/productos-excluidos-inter-cedi/{id}"),
    ("DELETE", "/api/productos-excluidos-inter-cedi/{id}"),
    ("POST", "/api/productos-excluidos-inter-cedi"),
    ("POST", "/api/productos-excluidos-inter-cedi/bulk"),
    ("GET", "/api/productos-excluidos-inter-cedi/codigos/{id}"),
    ("GET", "/api/productos-excluidos-inter-cedi/estadisticas/{id}"),
    ("POST", "/api/pedidos-inter-cedi/calcular"),
    ("GET", "/api/conjuntos-sustituibles"),
    ("POST", "/api/conjuntos-sustituibles"),
    ("GET", "/api/conjuntos-sustituibles/{id}"),
    ("PUT", "/api/conjuntos-sustituibles/{id}"),
    ("DELETE", "/api/conjuntos-sustituibles/{id}"),
    ("GET", "/api/pedidos-inter-cedi"),
    ("POST", "/api/pedidos-inter-cedi"),
    ("GET", "/api/pedidos-inter-cedi/recientes"),
    ("GET", "/api/pedidos-inter-cedi/historial-ventas/{codigo}"),
    ("GET", "/api/pedidos-inter-cedi/historial-inventario/{codigo}"),
    ("GET", "/api/pedidos-inter-cedi/{id}"),
    ("PUT", "/api/pedidos-inter-cedi/{id}"),
    ("DELETE", "/api/pedidos-inter-cedi/{id}"),
    ("GET", "/api/pedidos-inter-cedi/{id}/historial"),
    ("POST", "/api/pedidos-inter-cedi/{id}/confirmar"),
    ("POST", "/api/pedidos-inter-cedi/{id}/despachar"),
    ("POST", "/api/pedidos-inter-cedi/{id}/recibir"),
    ("POST", "/api/pedidos-inter-cedi/{id}/cancelar"),
    ("GET", "/api/admin/tiendas"),
    ("POST", "/api/admin/tiendas/{id}/probar"),
    ("GET", "/api/bi/stores/network/kpis"),
    ("GET", "/api/bi/stores/{id}/evolution"),
    ("GET", "/api/bi/stores/{id}/ticket-distribution"),
    ("GET", "/api/bi/stores/{id}/hourly-heatmap"),
    ("GET", "/api/bi/stores/{id}/categories"),
    ("GET", "/api/bi/stores/compare-multi"),
    ("GET", "/api/bi/stores/sales-ranking"),
    ("GET", "/api/bi/products/matrix"),
    ("GET", "/api/bi/products/stars"),
    ("GET", "/api/bi/products/eliminate"),
    ("GET", "/api/bi/profitability/by-category"),
    ("GET", "/api/bi/profitability/top-products"),
    ("GET", "/api/bi/stores/ranking"),
    ("GET", "/api/bi/store/{id}/kpis"),
    ("GET", "/api/resumen-red"),
    ("GET", "/api/stock"),
    ("GET", "/api/inventario/oportunidades-cedi"),
    ("GET", "/api/inventario/expansion-catalogo"),
    ("GET", "/api/stock/health/{ubicacion_id}"),
    ("GET", "/api/stock/anomalias/{ubicacion_id}"),
    ("GET", "/api/stock/anomalias/{ubicacion_id}/count"),
    ("POST", "/api/stock/ajustes"),
    ("GET", "/api/stock/ajustes"),
    ("GET", "/api/ventas/detail"),
    ("GET", "/api/ventas/categorias"),
    ("GET", "/api/ventas/producto/{codigo}/historico-dia"),
    ("GET", "/api/ventas/producto/diario"),
    ("GET", "/api/ventas/producto/horario"),
    ("GET", "/api/ventas/producto/{codigo}/ultimos-20-dias"),
    ("GET", "/api/ventas/producto/{codigo}/transacciones"),
    ("GET", "/api/productos/{codigo}/historial-ventas-inventario"),
    ("GET", "/api/ventas/agotados-visuales/{ubicacion_id}"),
    ("GET", "/api/ventas/agotados-visuales/{ubicacion_id}/count"),
    ("GET", "/api/ventas/ventas-perdidas-v3/{ubicacion_id}"),
    ("GET", "/api/ventas/summary-regional"),
    ("GET", "/api/ventas/summary"),
    ("POST", "/api/pedidos-sugeridos/calcular"),
    ("GET", "/api/pedidos-sugeridos"),
    ("POST", "/api/pedidos-sugeridos"),
    ("POST", "/api/pedidos-sugeridos/guardar"),
    ("GET", "/api/pedidos-sugeridos/ajustes"),
    ("GET", "/api/pedidos-sugeridos/{id}"),
    ("DELETE", "/api/pedidos-sugeridos/{id}"),
    ("PATCH", "/api/pedidos-sugeridos/{id}/lineas"),
    ("POST", "/api/pedidos-sugeridos/{id}/enviar-aprobacion"),
    ("POST", "/api/pedidos-sugeridos/{id}/aprobar"),
    ("POST", "/api/pedidos-sugeridos/{id}/rechazar"),
    ("POST", "/api/pedidos-sugeridos/{id}/reabrir"),
    ("POST", "/api/pedidos-sugeridos/{id}/marcar-enviado"),
    ("POST", "/api/pedidos-sugeridos/{id}/cerrar"),
    ("POST", "/api/pedidos-sugeridos/{id}/cancelar"),
    ("GET", "/api/pedidos-sugeridos/{id}/comentarios"),
    ("POST", "/api/pedidos-sugeridos/{id}/comentarios"),
    ("PUT", "/api/pedidos-sugeridos/{id}/lineas/{codigo}/comentario"),
    ("GET", "/api/pedidos-sugeridos/{id}/verificar-llegada"),
    ("POST", "/api/pedidos-sugeridos/{id}/registrar-llegada"),
    ("GET", "/api/config-inventario/cobertura-categoria"),
    ("GET", "/api/config-inventario/categorias-disponibles"),
    ("GET", "/api/config-inventario/capacidad-almacenamiento/tienda/{id}"),
    ("GET", "/api/config-inventario/capacidad-almacenamiento/producto/{codigo}"),
    ("GET", "/api/config-inventario/productos/buscar"),
    ("GET", "/api/productos/matriz-abc-xyz"),
    ("GET", "/api/productos/{codigo}/historico-inventario"),
    ("GET", "/api/productos/{codigo}/reconciliacion-inventario"),
    ("GET", "/api/productos/lista-por-matriz"),
    ("GET", "/api/productos/analisis-maestro"),
    ("GET", "/api/productos/analisis-maestro/resumen"),
    ("GET", "/api/productos/{codigo}/detalle-completo"),
    ("GET", "/api/productos/{codigo}/detalle-tiendas"),
    ("GET", "/api/productos/{codigo}/ventas-semanales"),
    ("GET", "/api/productos/{codigo}/historico-clasificacion"),
    ("GET", "/api/productos/{codigo}/ventas-por-tienda"),
    ("GET", "/api/ubicaciones/summary-regional"),
    ("GET", "/api/ubicaciones/summary"),
    ("GET", "/api/admin/productos"),
    ("GET", "/api/admin/productos/opciones/{tipo}"),
    ("GET", "/api/admin/productos/{codigo}"),
    ("PUT", "/api/admin/productos/{codigo}"),
    ("POST", "/api/emergencias/scan"),
    ("GET", "/api/emergencias"),
    ("GET", "/api/emergencias/"),
    ("GET", "/api/emergencias/anomalias"),
    ("PUT", "/api/emergencias/anomalias/{id}"),
    ("GET", "/api/emergencias/factor-intensidad"),
    ("GET", "/api/emergencias/config/tiendas"),
    ("GET", "/api/emergencias/config/tiendas/{id}"),
    ("POST", "/api/emergencias/config/tiendas/{id}/habilitar"),
    ("POST", "/api/emergencias/config/tiendas/{id}/deshabilitar"),
    ("PUT", "/api/emergencias/config/tiendas/{id}"),
    ("GET", "/api/emergencias/detalle/{id}/{producto_id}"),
];

fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

#[tokio::test]
async fn the_document_lists_every_route_of_the_table_with_its_access() {
    let app = spawn_app(false).await;
    let anonymous = app.client.get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "signed-in users only");

    let doc = app.get_json("/api/openapi.json", &app.admin_token).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let routes = api_routes();
    let mut operations = 0;
    for r in &routes {
        let method = r.method.as_str().to_lowercase();
        let op = &doc["paths"][r.path][&method];
        assert!(op.is_object(), "{} {} is in the route table but not in /api/openapi.json", r.method, r.path);
        operations += 1;
        let bearer = &op["security"][0]["bearer"];
        match r.access {
            Access::Public => assert!(op.get("security").is_none(), "{} {} is public", r.method, r.path),
            Access::Capability(c) => assert_eq!(bearer, &serde_json::json!([c.name()]), "{} {}", r.method, r.path),
            Access::Session | Access::Authenticated => assert_eq!(bearer, &serde_json::json!([]), "{} {}", r.method, r.path),
        }
        let declared: BTreeSet<&str> =
            op["parameters"].as_array().map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect()).unwrap_or_default();
        assert_eq!(declared, path_params(r.path).into_iter().collect(), "{} {}", r.method, r.path);
        assert!(op["responses"]["default"].is_object(), "the error body of {} {}", r.method, r.path);
    }
    let in_doc: usize = doc["paths"].as_object().unwrap().values().map(|item| item.as_object().unwrap().len()).sum();
    assert_eq!(in_doc, operations, "the document describes exactly the routes of the table");
    assert_eq!(
        doc["paths"]["/api/etl/sync"]["post"]["responses"]["202"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/RunStarted"
    );
    assert!(doc["paths"]["/api/stock/exportar"]["get"]["responses"]["200"]["content"]
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
        .is_object());
}

#[test]
fn a_new_route_says_what_it_answers() {
    let routes = api_routes();
    for r in &routes {
        if !r.is_described() {
            assert!(
                UNDESCRIBED.contains(&(r.method.as_str(), r.path)),
                "{} {} does not say what it answers: register it with .json::<T>() (a #[derive(Serialize, ToSchema)] struct), \
                 .json_list::<T>(), .accepted::<T>() or .file(mime) — see docs/architecture.md",
                r.method,
                r.path
            );
        }
    }
    for (method, path) in UNDESCRIBED {
        assert!(
            routes.iter().any(|r| r.method.as_str() == *method && r.path == *path && !r.is_described()),
            "{method} {path} is described now (or gone): remove it from UNDESCRIBED"
        );
    }
}

/// The schema an answer refers to, with `$ref` and `allOf` resolved to its properties and
/// required fields.
fn properties(doc: &Value, schema: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.trim_start_matches("#/components/schemas/");
        return properties(doc, &doc["components"]["schemas"][name]);
    }
    let mut props: BTreeSet<String> = schema["properties"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    let mut required: BTreeSet<String> =
        schema["required"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (p, r) = properties(doc, part);
        props.extend(p);
        required.extend(r);
    }
    (props, required)
}

/// Seeds the ETL history with a partial sales run: one location loaded, one failed, one
/// quarantined row (what a real run through a KLK connector leaves).
fn seed_etl_history(app: &common::TestApp) {
    let conn = app.state.app_db.lock().unwrap();
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    conn.execute(
        "INSERT INTO etl_executions (id, etl_name, etl_type, triggered_by, usuario, started_at, finished_at, duration_seconds,
                                     tiendas_procesadas, status, records_extracted, records_loaded, records_inserted, source_system)
         VALUES (7, 'ventas', 'manual', 'admin', 'admin', ?1, ?1, 12.5, '[\"tienda_01\",\"tienda_02\"]', 'partial', 120, 100, 100, 'klk')",
        [&now],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO etl_execution_details (execution_id, tienda_id, tienda_nombre, source_system, status, started_at, finished_at,
                                            ventana_desde, ventana_hasta, requests, records_extracted, records_loaded)
         VALUES (7, 'tienda_01', 'PERIFERICO', 'klk', 'success', ?1, ?1, '2026-11-25T00:00:00', '2026-11-25T23:59:59', 3, 100, 100)",
        [&now],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO etl_execution_details (execution_id, tienda_id, tienda_nombre, source_system, status, started_at, finished_at,
                                            ventana_desde, ventana_hasta, error_phase, error_category, error_message)
         VALUES (7, 'tienda_02', 'LA CANDELARIA', 'klk', 'failed', ?1, ?1, '2026-11-25T00:00:00', '2026-11-25T23:59:59',
                 'extract', 'api_timeout', 'La solicitud a KLK excedió su tiempo límite')",
        [&now],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO etl_cuarentena (execution_id, etl_name, tienda_id, fuente, ventana, categoria, motivo, clave, registro)
         VALUES (7, 'ventas', 'tienda_01', 'klk', '2026-11-25', 'dato_invalido', 'cantidad negativa', 'T1-99', '{\"cantidad\":-1}')",
        [],
    )
    .unwrap();
}

#[tokio::test]
async fn typed_answers_are_what_the_document_describes_with_their_keys_in_alphabetical_order() {
    let app = spawn_app(true).await;
    seed_etl_history(&app);
    let doc = app.get_json("/api/openapi.json", &app.admin_token).await;
    let end = common::end_date();
    // (route of the table, request): the typed GET routes, on the tiny chain.
    let cases: Vec<(&str, String)> = vec![
        ("/healthz", "/healthz".into()),
        ("/readyz", "/readyz".into()),
        ("/api/version", "/api/version".into()),
        ("/api/maintenance", "/api/maintenance".into()),
        ("/api/tenant", "/api/tenant".into()),
        ("/api/auth/me", "/api/auth/me".into()),
        ("/api/auth/users", "/api/auth/users".into()),
        ("/api/admin/audit", "/api/admin/audit".into()),
        ("/api/admin/backups", "/api/admin/backups".into()),
        ("/api/ubicaciones", "/api/ubicaciones".into()),
        ("/api/config-inventario/parametros-abc", "/api/config-inventario/parametros-abc".into()),
        ("/api/config-inventario/parametros-abc/modelo-activo", "/api/config-inventario/parametros-abc/modelo-activo".into()),
        ("/api/config-inventario/capacidad-almacenamiento", "/api/config-inventario/capacidad-almacenamiento".into()),
        ("/api/productos-excluidos/{id}", "/api/productos-excluidos/tienda_01".into()),
        ("/api/etl/status", "/api/etl/status".into()),
        ("/api/etl/history", "/api/etl/history".into()),
        ("/api/etl/history/{id}", "/api/etl/history/7".into()),
        ("/api/etl/history/{id}/cuarentena", "/api/etl/history/7/cuarentena".into()),
        ("/api/etl/stats", "/api/etl/stats".into()),
        ("/api/etl/error-categories", "/api/etl/error-categories".into()),
        ("/api/etl/frescura", "/api/etl/frescura".into()),
        ("/api/etl/cobertura", "/api/etl/cobertura?ubicacion_id=tienda_01".into()),
        ("/api/etl/gaps", "/api/etl/gaps".into()),
        ("/api/etl/gaps/horas", format!("/api/etl/gaps/horas?ubicacion_id=tienda_01&fecha={end}")),
        ("/api/etl/check-connectivity", "/api/etl/check-connectivity".into()),
        ("/api/etl/backfill", "/api/etl/backfill".into()),
    ];
    for (route, request) in cases {
        let resp = app.client.get(app.url(&request)).bearer_auth(&app.admin_token).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{request}");
        let text = resp.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap();
        // A `serde_json::Value` keeps its keys sorted: equal text means every object of the
        // answer, nested ones included, has its keys in alphabetical order.
        assert_eq!(text, serde_json::to_string(&body).unwrap(), "{request}: keys out of alphabetical order");
        let schema = &doc["paths"][route]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{route} has no described answer");
        let (schema, objects): (&Value, Vec<&Value>) = match body.as_array() {
            Some(items) => (&schema["items"], items.iter().collect()),
            None => (schema, vec![&body]),
        };
        let (props, required) = properties(&doc, schema);
        assert!(!props.is_empty(), "{route}: the schema names no field");
        for o in objects {
            let keys: BTreeSet<String> = o.as_object().unwrap().keys().cloned().collect();
            assert!(keys.is_subset(&props), "{request}: fields not in the document: {:?}", keys.difference(&props).collect::<Vec<_>>());
            assert!(
                required.is_subset(&keys),
                "{request}: described fields not sent: {:?}",
                required.difference(&keys).collect::<Vec<_>>()
            );
        }
    }

    // The seeded run is what the history and the gaps show.
    let detail = app.get_json("/api/etl/history/7", &app.admin_token).await;
    assert_eq!(detail["detalles"].as_array().unwrap().len(), 2);
    assert_eq!(detail["filas_en_cuarentena"], 1);
    let gaps = app.get_json("/api/etl/gaps", &app.admin_token).await;
    let failed = gaps["ventanas_fallidas"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{gaps}");
    assert_eq!(failed[0]["tienda_id"], "tienda_02");
    assert_eq!(failed[0]["urgencia"], "Reciente");
}
