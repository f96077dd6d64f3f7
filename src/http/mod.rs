//! The HTTP edge: axum router, admission guard, JSON errors, embedded UI.
//! Handlers stay thin: they parse, call storage/domain off the async workers, and answer.

mod assets;
pub mod auth;
mod backups;
mod bi;
mod bi_abc;
mod bi_coverage;
mod bi_impact;
mod bi_products;
mod bi_stores;
mod body;
mod class_history;
mod corrections;
mod distribution;
mod emergencies;
pub mod error;
mod etl;
pub mod guard;
mod health;
mod inter_cedi_orders;
mod inventory_config;
mod locations;
mod maintenance;
mod metrics;
pub mod openapi;
mod opportunities;
mod orders;
mod products_admin;
mod products_master;
pub mod reply;
mod sales;
mod sales_alerts;
mod sales_product;
mod sales_summary;
mod saved_orders;
pub mod session;
mod stock;
mod stores_admin;
mod substitutes;
mod summary;
mod tenant;
mod traffic_generators;
mod users;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::timeout::TimeoutLayer;

use error::ApiError;
use session::Access;

pub use health::VERSION;

/// The state every handler shares, built by the composition root (`crate::app`).
pub use crate::app::AppState;

/// HTTP's own helper on the shared state (an inherent impl may live in any module of the crate).
impl AppState {
    /// Runs a closure on the SQLite connection on the blocking pool.
    pub async fn with_app_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.app_db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = db.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await?
    }
}

const BODY_LIMIT: usize = 10 * 1024 * 1024;
/// A multi-store batch save (every line of every store of a CEDI).
const BATCH_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// One declared route: every `/api` route states who may call it, and is only reachable
/// through this table (so a route without a declared access cannot exist). What it
/// answers is declared on the same line (`.json::<T>()`, see `http::openapi`) and becomes
/// its part of `GET /api/openapi.json`.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub reply: openapi::Reply,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> RouteSpec {
    RouteSpec { method, path, access, reply: openapi::Reply::Undescribed, handler }
}

/// Media type of the Excel exports.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The API surface. Public: health, tenant branding and login (spec 50 §2, §13).
/// Adding a route: one line here with its access and what it answers, e.g.
/// `route(Method::GET, "/api/x", Capability(BiVer), get(x::list)).json::<x::XList>()`
/// (see `http::openapi` and docs/architecture.md).
pub fn api_routes() -> Vec<RouteSpec> {
    use crate::domain::access::Capability as Cap;
    use Access::*;
    use Cap::*;
    vec![
        route(Method::GET, "/healthz", Public, get(health::healthz)).json::<health::Health>(),
        route(Method::GET, "/readyz", Public, get(health::readyz)).json::<health::Readiness>(),
        route(Method::GET, "/api/version", Public, get(health::version)).json::<health::Version>(),
        // No session: its own gate ([metrics].allow_from or the secrets' bearer token), see http::metrics.
        route(Method::GET, "/metrics", Public, get(metrics::metrics)).file("text/plain"),
        route(Method::GET, "/api/maintenance", Public, get(maintenance::status)).json::<maintenance::MaintenanceStatus>(),
        route(Method::GET, "/api/tenant", Public, get(tenant::tenant_info)).json::<tenant::TenantInfo>(),
        route(Method::GET, "/branding/logo", Public, get(tenant::logo)).file("image/*"),
        route(Method::GET, "/branding/favicon", Public, get(tenant::favicon)).file("image/*"),
        route(Method::POST, "/api/auth/login", Public, post(auth::login)).json::<auth::LoginReply>(),
        route(Method::POST, "/api/auth/logout", Session, post(auth::logout)).json::<reply::Detail>(),
        route(Method::GET, "/api/openapi.json", Authenticated, get(openapi::serve)).openapi_document(),
        route(Method::GET, "/api/auth/me", Session, get(auth::me)).json::<auth::Profile>(),
        route(Method::PUT, "/api/auth/me/password", Session, put(auth::change_own_password)).json::<auth::PasswordChanged>(),
        route(Method::GET, "/api/auth/users", Capability(AdminUsuarios), get(users::list)).json_list::<users::UserItem>(),
        route(Method::POST, "/api/auth/register", Capability(AdminUsuarios), post(users::create)).json::<users::UserItem>(),
        route(Method::PUT, "/api/auth/users/{id}", Capability(AdminUsuarios), put(users::update)).json::<users::UserItem>(),
        route(Method::DELETE, "/api/auth/users/{id}", Capability(AdminUsuarios), delete(users::deactivate)).json::<reply::Detail>(),
        route(Method::PUT, "/api/auth/users/{id}/password", Capability(AdminUsuarios), put(users::reset_password)).json::<reply::Detail>(),
        route(Method::PUT, "/api/auth/users/{id}/role", Capability(AdminUsuarios), put(users::change_role)).json::<users::UserItem>(),
        route(Method::GET, "/api/admin/audit", Capability(AdminSistema), get(users::audit_log))
            .json_list::<crate::appdb::audit::AuditRow>(),
        route(Method::PUT, "/api/admin/maintenance", Capability(AdminSistema), put(maintenance::switch))
            .json::<maintenance::MaintenanceStatus>(),
        route(Method::GET, "/api/admin/backups", Capability(AdminSistema), get(backups::list)).json::<backups::Backups>(),
        route(Method::GET, "/api/ubicaciones", Authenticated, get(locations::list)).json_list::<locations::LocationItem>(),
        route(Method::GET, "/api/ubicaciones/{id}/stock-params", Authenticated, get(locations::stock_params)),
        route(Method::GET, "/api/ubicaciones/cedis", Authenticated, get(distribution::cedis)),
        route(Method::GET, "/api/ubicaciones/tiendas-por-cedi/{cedi_id}", Authenticated, get(distribution::stores_of)),
        route(Method::GET, "/api/pedidos-multitienda/config-dpdu", Capability(PedidosMultitienda), get(distribution::dpdu_settings)),
        route(Method::PUT, "/api/pedidos-multitienda/config-dpdu", Capability(AdminSistema), put(distribution::set_dpdu_settings)),
        route(Method::POST, "/api/pedidos-multitienda/calcular", Capability(PedidosMultitienda), post(distribution::calculate)),
        // A batch of 20 stores × 8,000 lines is ~16 MB of JSON: this route alone takes more.
        route(
            Method::POST,
            "/api/pedidos-multitienda/guardar-lote",
            Capability(PedidosMultitienda),
            post(distribution::save).layer(DefaultBodyLimit::max(BATCH_BODY_LIMIT)),
        ),
        route(Method::GET, "/api/pedidos-inter-cedi/config/rutas", Capability(PedidosIntercedi), get(distribution::routes)),
        route(Method::GET, "/api/productos-excluidos-inter-cedi/{id}", Capability(PedidosIntercedi), get(distribution::exclusions)),
        route(
            Method::DELETE,
            "/api/productos-excluidos-inter-cedi/{id}",
            Capability(AdminParametros),
            delete(distribution::remove_exclusion),
        ),
        route(Method::POST, "/api/productos-excluidos-inter-cedi", Capability(AdminParametros), post(distribution::add_exclusion)),
        route(
            Method::POST,
            "/api/productos-excluidos-inter-cedi/bulk",
            Capability(AdminParametros),
            post(distribution::add_exclusions_bulk),
        ),
        route(
            Method::GET,
            "/api/productos-excluidos-inter-cedi/codigos/{id}",
            Capability(PedidosIntercedi),
            get(distribution::excluded_codes),
        ),
        route(
            Method::GET,
            "/api/productos-excluidos-inter-cedi/estadisticas/{id}",
            Capability(PedidosIntercedi),
            get(distribution::exclusion_stats),
        ),
        route(Method::POST, "/api/pedidos-inter-cedi/calcular", Capability(PedidosIntercedi), post(distribution::inter_cedi_calculate)),
        route(Method::GET, "/api/conjuntos-sustituibles", Capability(PedidosVer), get(substitutes::list)),
        route(Method::POST, "/api/conjuntos-sustituibles", Capability(AdminParametros), post(substitutes::create)),
        route(Method::GET, "/api/conjuntos-sustituibles/{id}", Capability(PedidosVer), get(substitutes::get_one)),
        route(Method::PUT, "/api/conjuntos-sustituibles/{id}", Capability(AdminParametros), put(substitutes::update)),
        route(Method::DELETE, "/api/conjuntos-sustituibles/{id}", Capability(AdminParametros), delete(substitutes::delete)),
        route(Method::GET, "/api/pedidos-inter-cedi", Capability(PedidosIntercedi), get(inter_cedi_orders::list)),
        route(Method::POST, "/api/pedidos-inter-cedi", Capability(PedidosIntercedi), post(inter_cedi_orders::create)),
        route(Method::GET, "/api/pedidos-inter-cedi/recientes", Capability(PedidosIntercedi), get(inter_cedi_orders::recent)),
        route(Method::POST, "/api/pedidos-inter-cedi/exportar-vista", Capability(PedidosIntercedi), post(inter_cedi_orders::export_view))
            .file(XLSX),
        route(
            Method::GET,
            "/api/pedidos-inter-cedi/historial-ventas/{codigo}",
            Capability(PedidosIntercedi),
            get(inter_cedi_orders::sales_history),
        ),
        route(
            Method::GET,
            "/api/pedidos-inter-cedi/historial-inventario/{codigo}",
            Capability(PedidosIntercedi),
            get(inter_cedi_orders::stock_history),
        ),
        route(Method::GET, "/api/pedidos-inter-cedi/{id}", Capability(PedidosIntercedi), get(inter_cedi_orders::get_one)),
        route(Method::PUT, "/api/pedidos-inter-cedi/{id}", Capability(PedidosIntercedi), put(inter_cedi_orders::update)),
        route(Method::DELETE, "/api/pedidos-inter-cedi/{id}", Capability(PedidosIntercedi), delete(inter_cedi_orders::delete)),
        route(Method::GET, "/api/pedidos-inter-cedi/{id}/historial", Capability(PedidosIntercedi), get(inter_cedi_orders::history)),
        route(Method::GET, "/api/pedidos-inter-cedi/{id}/exportar", Capability(PedidosIntercedi), get(inter_cedi_orders::export))
            .file(XLSX),
        route(Method::POST, "/api/pedidos-inter-cedi/{id}/confirmar", Capability(PedidosIntercedi), post(inter_cedi_orders::confirm)),
        route(Method::POST, "/api/pedidos-inter-cedi/{id}/despachar", Capability(PedidosIntercedi), post(inter_cedi_orders::dispatch)),
        route(Method::POST, "/api/pedidos-inter-cedi/{id}/recibir", Capability(PedidosIntercedi), post(inter_cedi_orders::receive)),
        route(Method::POST, "/api/pedidos-inter-cedi/{id}/cancelar", Capability(PedidosIntercedi), post(inter_cedi_orders::cancel)),
        route(
            Method::GET,
            "/api/pedidos-multitienda/{id}/exportar-excel",
            Capability(PedidosVer),
            get(saved_orders::export_multi_store_excel),
        )
        .file(XLSX),
        route(Method::GET, "/api/admin/tiendas", Capability(AdminSistema), get(stores_admin::list)),
        route(Method::POST, "/api/admin/tiendas/{id}/probar", Capability(AdminSistema), post(stores_admin::probe)),
        route(Method::GET, "/api/bi/stores/network/kpis", Capability(BiVer), get(bi::network_kpis)),
        route(Method::GET, "/api/bi/stores/{id}/evolution", Capability(BiVer), get(bi::evolution)),
        route(Method::GET, "/api/bi/stores/{id}/ticket-distribution", Capability(BiVer), get(bi::ticket_distribution)),
        route(Method::GET, "/api/bi/stores/{id}/hourly-heatmap", Capability(BiVer), get(bi::hourly_heatmap)),
        route(Method::GET, "/api/bi/stores/{id}/categories", Capability(BiVer), get(bi_stores::categories)),
        route(Method::GET, "/api/bi/stores/compare-multi", Capability(BiVer), get(bi_stores::compare)),
        route(Method::GET, "/api/bi/stores/sales-ranking", Capability(BiVer), get(bi_stores::sales_ranking)),
        route(Method::GET, "/api/bi/products/matrix", Capability(BiVer), get(bi_products::matrix)),
        route(Method::GET, "/api/bi/products/stars", Capability(BiVer), get(bi_products::stars)),
        route(Method::GET, "/api/bi/products/eliminate", Capability(BiVer), get(bi_products::eliminate)),
        route(Method::GET, "/api/bi/profitability/by-category", Capability(BiVer), get(bi_products::by_family)),
        route(Method::GET, "/api/bi/profitability/top-products", Capability(BiVer), get(bi_products::top_products)),
        route(Method::GET, "/api/bi/stores/ranking", Capability(BiVer), get(bi_products::store_ranking)),
        route(Method::GET, "/api/bi/store/{id}/kpis", Capability(BiVer), get(bi_products::store_kpis)),
        route(Method::GET, "/api/bi/products/abc-consolidated", Capability(BiVer), get(bi_abc::consolidated))
            .json::<crate::bi::abc::AbcAnalysis>(),
        route(Method::GET, "/api/bi/stores/compare", Capability(BiVer), get(bi_abc::compare_products))
            .json::<crate::bi::product_compare::ProductComparison>(),
        route(Method::GET, "/api/bi/coverage/summary", Capability(BiVer), get(bi_coverage::summary))
            .json::<crate::bi::coverage::CoverageSummary>(),
        route(Method::GET, "/api/bi/coverage/low-coverage-products", Capability(BiVer), get(bi_coverage::low_coverage))
            .json::<crate::bi::coverage::LowCoverage>(),
        route(Method::GET, "/api/bi/coverage/trapped-in-cedi", Capability(BiVer), get(bi_coverage::trapped))
            .json::<crate::bi::coverage::Trapped>(),
        route(Method::GET, "/api/bi/coverage/store-gaps", Capability(BiVer), get(bi_coverage::store_gaps))
            .json::<crate::bi::coverage::StoreGaps>(),
        route(Method::GET, "/api/bi/impact/summary", Capability(BiVer), get(bi_impact::summary)).json::<crate::bi::impact::ImpactSummary>(),
        route(Method::GET, "/api/bi/impact/by-store", Capability(BiVer), get(bi_impact::by_store))
            .json::<crate::bi::impact::ImpactByStore>(),
        route(Method::GET, "/api/bi/impact/activaciones", Capability(BiVer), get(bi_impact::list)).json::<bi_impact::Activations>(),
        route(Method::POST, "/api/bi/impact/activaciones", Capability(AdminSistema), post(bi_impact::activate))
            .created::<bi_impact::ActivationView>(),
        route(Method::DELETE, "/api/bi/impact/activaciones/{id}", Capability(AdminSistema), delete(bi_impact::deactivate))
            .json::<bi_impact::ActivationView>(),
        route(Method::GET, "/api/resumen-red", Capability(InventarioVer), get(summary::network)),
        route(Method::GET, "/api/stock", Capability(InventarioVer), get(stock::list)),
        route(Method::GET, "/api/inventario/oportunidades-cedi", Capability(InventarioVer), get(opportunities::cedi)),
        route(Method::GET, "/api/inventario/expansion-catalogo", Capability(InventarioVer), get(opportunities::expansion)),
        route(Method::GET, "/api/stock/exportar", Capability(InventarioVer), get(stock::export)).file(XLSX),
        route(Method::GET, "/api/stock/health/{ubicacion_id}", Capability(InventarioVer), get(stock::health)),
        route(Method::GET, "/api/stock/anomalias/{ubicacion_id}", Capability(InventarioVer), get(corrections::anomalies)),
        route(Method::GET, "/api/stock/anomalias/{ubicacion_id}/count", Capability(InventarioVer), get(corrections::anomaly_count)),
        route(Method::POST, "/api/stock/ajustes", Capability(InventarioAjustar), post(corrections::record)),
        route(Method::GET, "/api/stock/ajustes", Capability(InventarioVer), get(corrections::list)),
        route(Method::GET, "/api/ventas/detail", Capability(VentasVer), get(sales::detail)),
        route(Method::GET, "/api/ventas/export-resumen", Capability(VentasVer), get(sales::export)).file(XLSX),
        // The original's two exports (summary, daily) are the two sheets of one workbook here.
        route(Method::GET, "/api/ventas/export-diario", Capability(VentasVer), get(sales::export)).file(XLSX),
        route(Method::GET, "/api/ventas/categorias", Capability(VentasVer), get(sales::categories)),
        route(Method::GET, "/api/ventas/producto/{codigo}/historico-dia", Capability(VentasVer), get(sales::weekday_history)),
        route(Method::GET, "/api/ventas/producto/diario", Capability(VentasVer), get(sales_product::daily)),
        route(Method::GET, "/api/ventas/producto/horario", Capability(VentasVer), get(sales_product::hourly)),
        route(Method::GET, "/api/ventas/producto/{codigo}/ultimos-20-dias", Capability(VentasVer), get(sales_product::last_20_days)),
        route(Method::GET, "/api/ventas/producto/{codigo}/transacciones", Capability(VentasVer), get(sales_product::transactions)),
        route(
            Method::GET,
            "/api/productos/{codigo}/historial-ventas-inventario",
            Capability(VentasVer),
            get(sales_product::sales_stock_history),
        ),
        route(Method::GET, "/api/ventas/agotados-visuales/{ubicacion_id}", Capability(VentasVer), get(sales_alerts::visual_stockouts)),
        route(
            Method::GET,
            "/api/ventas/agotados-visuales/{ubicacion_id}/count",
            Capability(VentasVer),
            get(sales_alerts::visual_stockouts_count),
        ),
        route(Method::GET, "/api/ventas/ventas-perdidas-v3/{ubicacion_id}", Capability(VentasVer), get(sales_alerts::lost_sales)),
        route(Method::GET, "/api/ventas/summary-regional", Capability(VentasVer), get(sales_summary::regional)),
        route(Method::GET, "/api/ventas/summary", Capability(VentasVer), get(sales_summary::per_location)),
        route(Method::POST, "/api/pedidos-sugeridos/calcular", Capability(PedidosCrear), post(orders::calculate)),
        route(Method::GET, "/api/pedidos-sugeridos", Capability(PedidosVer), get(saved_orders::list)),
        route(Method::POST, "/api/pedidos-sugeridos", Capability(PedidosCrear), post(saved_orders::create)),
        route(Method::POST, "/api/pedidos-sugeridos/guardar", Capability(PedidosCrear), post(saved_orders::create)),
        route(Method::GET, "/api/pedidos-sugeridos/ajustes", Capability(PedidosVer), get(saved_orders::adjustments)),
        route(Method::POST, "/api/pedidos-sugeridos/exportar-excel", Capability(PedidosCrear), post(saved_orders::export_wizard))
            .file(XLSX),
        route(Method::GET, "/api/pedidos-sugeridos/{id}", Capability(PedidosVer), get(saved_orders::detail)),
        route(Method::DELETE, "/api/pedidos-sugeridos/{id}", Capability(PedidosCrear), delete(saved_orders::delete)),
        route(Method::PATCH, "/api/pedidos-sugeridos/{id}/lineas", Capability(PedidosCrear), patch(saved_orders::edit_lines)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/enviar-aprobacion", Capability(PedidosCrear), post(saved_orders::submit)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/aprobar", Capability(PedidosAprobar), post(saved_orders::approve)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/rechazar", Capability(PedidosAprobar), post(saved_orders::reject)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/reabrir", Capability(PedidosCrear), post(saved_orders::reopen)),
        // Dispatch is the supplying side's step; whoever may create the store's orders records it.
        route(Method::POST, "/api/pedidos-sugeridos/{id}/marcar-enviado", Capability(PedidosCrear), post(saved_orders::mark_sent)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/cerrar", Capability(PedidosLlegada), post(saved_orders::close)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/cancelar", Capability(PedidosCrear), post(saved_orders::cancel)),
        route(Method::GET, "/api/pedidos-sugeridos/{id}/comentarios", Capability(PedidosVer), get(saved_orders::list_comments)),
        route(Method::POST, "/api/pedidos-sugeridos/{id}/comentarios", Capability(PedidosVer), post(saved_orders::add_comment)),
        route(
            Method::PUT,
            "/api/pedidos-sugeridos/{id}/lineas/{codigo}/comentario",
            Capability(PedidosAprobar),
            put(saved_orders::line_comment),
        ),
        route(Method::GET, "/api/pedidos-sugeridos/{id}/verificar-llegada", Capability(PedidosVer), get(saved_orders::verify_arrival)),
        route(
            Method::GET,
            "/api/pedidos-sugeridos/{id}/verificar-llegada/exportar",
            Capability(PedidosVer),
            get(saved_orders::export_verification),
        )
        .file("text/csv"),
        route(Method::GET, "/api/pedidos-sugeridos/{id}/exportar-excel", Capability(PedidosVer), get(saved_orders::export_excel))
            .file(XLSX),
        route(
            Method::POST,
            "/api/pedidos-sugeridos/{id}/registrar-llegada",
            Capability(PedidosLlegada),
            post(saved_orders::register_arrival),
        ),
        route(Method::GET, "/api/config-inventario/parametros-abc", Capability(AdminParametros), get(inventory_config::get_all))
            .json::<inventory_config::InventorySettings>(),
        route(
            Method::PUT,
            "/api/config-inventario/parametros-abc/globales",
            Capability(AdminParametros),
            put(inventory_config::put_globals),
        )
        .json::<reply::Detail>(),
        route(Method::PUT, "/api/config-inventario/parametros-abc/niveles", Capability(AdminParametros), put(inventory_config::put_levels))
            .json::<reply::Detail>(),
        route(
            Method::PUT,
            "/api/config-inventario/parametros-abc/umbrales",
            Capability(AdminParametros),
            put(inventory_config::put_thresholds),
        )
        .json::<reply::Detail>(),
        route(
            Method::PUT,
            "/api/config-inventario/parametros-abc/umbrales-pareto",
            Capability(AdminParametros),
            put(inventory_config::put_pareto),
        )
        .json::<reply::Detail>(),
        route(
            Method::GET,
            "/api/config-inventario/parametros-abc/modelo-activo",
            Capability(AdminParametros),
            get(inventory_config::get_model),
        )
        .json::<inventory_config::ActiveModel>(),
        route(
            Method::PUT,
            "/api/config-inventario/parametros-abc/modelo-activo",
            Capability(AdminParametros),
            put(inventory_config::put_model),
        )
        .json::<inventory_config::ActiveModel>(),
        route(
            Method::PUT,
            "/api/config-inventario/parametros-abc/tienda/{id}",
            Capability(AdminParametros),
            put(inventory_config::put_store),
        )
        .json::<reply::Detail>(),
        route(
            Method::DELETE,
            "/api/config-inventario/parametros-abc/tienda/{id}",
            Capability(AdminParametros),
            delete(inventory_config::delete_store),
        )
        .json::<reply::Detail>(),
        route(
            Method::POST,
            "/api/config-inventario/cobertura-categoria",
            Capability(AdminParametros),
            post(inventory_config::post_category),
        )
        .json::<reply::CreatedId>(),
        route(
            Method::GET,
            "/api/config-inventario/cobertura-categoria",
            Capability(AdminParametros),
            get(inventory_config::list_categories),
        ),
        route(
            Method::PUT,
            "/api/config-inventario/cobertura-categoria/{id}",
            Capability(AdminParametros),
            put(inventory_config::put_category),
        )
        .json::<reply::CreatedId>(),
        route(
            Method::GET,
            "/api/config-inventario/categorias-disponibles",
            Capability(AdminParametros),
            get(inventory_config::available_categories),
        ),
        route(
            Method::GET,
            "/api/config-inventario/capacidad-almacenamiento/tienda/{id}",
            Capability(AdminParametros),
            get(inventory_config::capacity_of_store),
        ),
        route(
            Method::GET,
            "/api/config-inventario/capacidad-almacenamiento/producto/{codigo}",
            Capability(AdminParametros),
            get(inventory_config::capacity_of_product),
        ),
        route(
            Method::PUT,
            "/api/config-inventario/capacidad-almacenamiento/{id}",
            Capability(AdminParametros),
            put(inventory_config::put_capacity),
        )
        .json::<reply::CreatedId>(),
        route(Method::GET, "/api/config-inventario/productos/buscar", Capability(AdminParametros), get(inventory_config::search_products)),
        route(Method::GET, "/api/productos/matriz-abc-xyz", Capability(ProductosVer), get(products_admin::abc_xyz)),
        route(Method::GET, "/api/productos/{codigo}/historico-inventario", Capability(InventarioVer), get(stock::product_history)),
        route(
            Method::GET,
            "/api/productos/{codigo}/reconciliacion-inventario",
            Capability(InventarioVer),
            get(stock::product_reconciliation),
        ),
        route(Method::GET, "/api/productos/lista-por-matriz", Capability(ProductosVer), get(products_admin::cell)),
        route(Method::GET, "/api/productos/analisis-maestro", Capability(ProductosVer), get(products_master::list)),
        route(Method::GET, "/api/productos/analisis-maestro/resumen", Capability(ProductosVer), get(products_master::summary)),
        route(Method::GET, "/api/productos/{codigo}/detalle-completo", Capability(ProductosVer), get(products_master::product_view)),
        route(Method::GET, "/api/productos/{codigo}/detalle-tiendas", Capability(ProductosVer), get(products_master::product_stores)),
        route(Method::GET, "/api/productos/{codigo}/ventas-semanales", Capability(ProductosVer), get(products_master::product_weeks)),
        route(
            Method::GET,
            "/api/productos/{codigo}/historico-clasificacion",
            Capability(ProductosVer),
            get(class_history::product_class_history),
        ),
        route(Method::GET, "/api/productos/{codigo}/ventas-por-tienda", Capability(VentasVer), get(sales_product::by_store)),
        route(Method::GET, "/api/ubicaciones/summary-regional", Capability(InventarioVer), get(stock::inventory_regional)),
        route(Method::GET, "/api/ubicaciones/summary", Capability(InventarioVer), get(stock::inventory_per_location)),
        route(Method::GET, "/api/admin/productos", Capability(AdminProductos), get(products_admin::list)),
        route(Method::GET, "/api/admin/productos/opciones/{tipo}", Capability(AdminProductos), get(products_admin::options)),
        route(Method::GET, "/api/admin/productos/{codigo}", Capability(AdminProductos), get(products_admin::detail)),
        route(Method::PUT, "/api/admin/productos/{codigo}", Capability(AdminProductos), put(products_admin::edit)),
        route(
            Method::DELETE,
            "/api/config-inventario/cobertura-categoria/{id}",
            Capability(AdminParametros),
            delete(inventory_config::delete_category),
        )
        .json::<reply::Detail>(),
        route(
            Method::GET,
            "/api/config-inventario/capacidad-almacenamiento",
            Capability(AdminParametros),
            get(inventory_config::list_capacity),
        )
        .json_list::<inventory_config::CapacityRow>(),
        route(
            Method::POST,
            "/api/config-inventario/capacidad-almacenamiento",
            Capability(AdminParametros),
            post(inventory_config::post_capacity),
        )
        .json::<reply::CreatedId>(),
        route(
            Method::DELETE,
            "/api/config-inventario/capacidad-almacenamiento/{id}",
            Capability(AdminParametros),
            delete(inventory_config::delete_capacity),
        )
        .json::<reply::Detail>(),
        route(Method::GET, "/api/productos-excluidos/{id}", Capability(PedidosVer), get(inventory_config::list_exclusions))
            .json_list::<crate::appdb::inventory_settings::Exclusion>(),
        route(Method::POST, "/api/productos-excluidos", Capability(AdminParametros), post(inventory_config::post_exclusion))
            .json::<reply::Detail>(),
        route(
            Method::DELETE,
            "/api/productos-excluidos/{id}/{codigo}",
            Capability(AdminParametros),
            delete(inventory_config::delete_exclusion),
        )
        .json::<reply::Detail>(),
        route(Method::POST, "/api/emergencias/scan", Capability(EmergenciasScan), post(emergencies::scan)),
        route(Method::GET, "/api/emergencias", Capability(EmergenciasVer), get(emergencies::latest)),
        route(Method::GET, "/api/emergencias/", Capability(EmergenciasVer), get(emergencies::latest)),
        route(Method::GET, "/api/emergencias/anomalias", Capability(EmergenciasVer), get(emergencies::anomalies)),
        route(Method::PUT, "/api/emergencias/anomalias/{id}", Capability(EmergenciasScan), put(emergencies::review)),
        route(Method::GET, "/api/emergencias/factor-intensidad", Capability(EmergenciasVer), get(emergencies::factor)),
        route(Method::GET, "/api/emergencias/config/tiendas", Capability(EmergenciasVer), get(emergencies::config_list)),
        route(Method::GET, "/api/emergencias/config/tiendas/{id}", Capability(EmergenciasVer), get(emergencies::config_one)),
        route(Method::POST, "/api/emergencias/config/tiendas/{id}/habilitar", Capability(EmergenciasConfig), post(emergencies::enable)),
        route(Method::POST, "/api/emergencias/config/tiendas/{id}/deshabilitar", Capability(EmergenciasConfig), post(emergencies::disable)),
        route(Method::PUT, "/api/emergencias/config/tiendas/{id}", Capability(EmergenciasConfig), put(emergencies::update)),
        route(Method::GET, "/api/emergencias/detalle/{id}/{producto_id}", Capability(EmergenciasVer), get(emergencies::detail)),
        route(Method::GET, "/api/generadores-trafico/resumen", Capability(AdminParametros), get(traffic_generators::summary))
            .json::<crate::products::traffic_generators::Summary>(),
        route(Method::GET, "/api/generadores-trafico/productos", Capability(AdminParametros), get(traffic_generators::list))
            .json::<crate::products::traffic_generators::ProductList>(),
        route(Method::POST, "/api/generadores-trafico/marcar", Capability(AdminParametros), post(traffic_generators::mark))
            .json::<crate::products::traffic_generators::ProductHistory>(),
        route(
            Method::POST,
            "/api/generadores-trafico/calcular-sugerencias",
            Capability(AdminParametros),
            post(traffic_generators::suggest),
        )
        .json::<crate::products::traffic_generators::SuggestionReport>(),
        route(Method::GET, "/api/generadores-trafico/config", Capability(AdminParametros), get(traffic_generators::settings))
            .json::<traffic_generators::Settings>(),
        route(Method::PUT, "/api/generadores-trafico/config", Capability(AdminParametros), put(traffic_generators::set_setting))
            .json::<crate::appdb::traffic_generators::Setting>(),
        route(
            Method::GET,
            "/api/generadores-trafico/historial/{producto_id}",
            Capability(AdminParametros),
            get(traffic_generators::history),
        )
        .json::<crate::products::traffic_generators::ProductHistory>(),
        route(Method::GET, "/api/etl/status", Capability(AdminEtl), get(etl::status)).json::<etl::EtlStatus>(),
        route(Method::GET, "/api/etl/history", Capability(AdminEtl), get(etl::history_list)).json::<etl::HistoryPage>(),
        route(Method::GET, "/api/etl/history/{id}", Capability(AdminEtl), get(etl::history_detail))
            .json::<crate::etl::history::Execution>(),
        route(Method::GET, "/api/etl/history/{id}/cuarentena", Capability(AdminEtl), get(etl::history_quarantine))
            .json::<etl::QuarantinePage>(),
        route(Method::GET, "/api/etl/stats", Capability(AdminEtl), get(etl::stats)).json::<etl::EtlStats>(),
        route(Method::GET, "/api/etl/error-categories", Capability(AdminEtl), get(etl::error_categories)).json::<etl::ErrorCatalogue>(),
        route(Method::POST, "/api/etl/sync", Capability(AdminEtl), post(etl::sync_inventory)).accepted::<etl::RunStarted>(),
        route(Method::POST, "/api/etl/sync/ventas", Capability(AdminEtl), post(etl::sync_sales)).accepted::<etl::RunStarted>(),
        route(Method::GET, "/api/etl/frescura", Capability(AdminEtl), get(etl::freshness)).json::<etl::FreshnessTable>(),
        route(Method::GET, "/api/etl/cobertura", Capability(AdminEtl), get(etl::coverage_calendar))
            .json::<crate::etl::coverage::Calendar>(),
        route(Method::GET, "/api/etl/gaps", Capability(AdminEtl), get(etl::gaps)).json::<etl::Gaps>(),
        route(Method::GET, "/api/etl/gaps/horas", Capability(AdminEtl), get(etl::hour_gaps)).json::<etl::HourGaps>(),
        route(Method::GET, "/api/etl/check-connectivity", Capability(AdminEtl), get(etl::connectivity)).json::<etl::Connectivity>(),
        route(Method::GET, "/api/etl/backfill", Capability(AdminEtl), get(etl::backfill)).json::<crate::etl::history::BackfillProgress>(),
    ]
}

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for spec in api_routes() {
        // Inner: the maintenance write guard needs the caller that `authorize` (outer) resolves.
        let guarded = spec
            .handler
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), spec.path), maintenance::guard))
            .route_layer(axum::middleware::from_fn_with_state((state.clone(), spec.access), session::authorize));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::features))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::cors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::admission))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard::headers_and_log))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        // A store's calculation is megabytes of repetitive JSON: gzip at the fastest level
        // shrinks it ~9× for a few ms (the appliance is often reached over a thin WAN link).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(state: AppState, listener: TcpListener) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
