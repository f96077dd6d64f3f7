//! Multi-store orders over HTTP (spec 31 §2.12): the CEDIs and the stores each supplies, the
//! DPD+U settings, the batch calculation and the batch save. Roles are checked by the route
//! table (`pedidos.multitienda`, D-17); store visibility here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::session::AuthUser;
use super::AppState;
use crate::distribution::inter_cedi;
use crate::distribution::multi_store::{self, ChosenLine, ChosenOrder, SaveRequest};
use crate::distribution::{active_cedis, stores_of_cedi, DistributionError};
use crate::domain::distribution::inter_cedi::RouteSettings;
use crate::domain::distribution::DpduSettings;

impl From<DistributionError> for ApiError {
    fn from(e: DistributionError) -> Self {
        match e {
            DistributionError::Validation { field, message } => ApiError::Validation { field: field.into(), message },
            DistributionError::NotFound(m) => ApiError::Missing(m),
            // Spec 31 §3.9: a wrong current state is a 400 naming both states.
            DistributionError::WrongState(m) => ApiError::BadRequest(m),
            DistributionError::Replenishment(e) => e.into(),
            DistributionError::AppDb(e) => e.into(),
        }
    }
}

#[derive(Serialize)]
pub struct LocationRef {
    id: String,
    nombre: String,
    region: String,
    ciudad: Option<String>,
    activo: bool,
}

fn location_ref(s: &crate::config::Store) -> LocationRef {
    LocationRef { id: s.id.clone(), nombre: s.name.clone(), region: s.region.clone(), ciudad: s.city.clone(), activo: s.active }
}

#[derive(Serialize)]
pub struct Cedis {
    total: usize,
    cedis: Vec<LocationRef>,
}

/// `GET /api/ubicaciones/cedis`: the active CEDIs, by region then name.
pub async fn cedis(State(state): State<AppState>) -> Json<Cedis> {
    let cedis: Vec<LocationRef> = active_cedis(&state.tenant).into_iter().map(location_ref).collect();
    Json(Cedis { total: cedis.len(), cedis })
}

#[derive(Serialize)]
pub struct CediStores {
    cedi_id: String,
    total: usize,
    tiendas: Vec<LocationRef>,
}

/// `GET /api/ubicaciones/tiendas-por-cedi/{cedi_id}`: the active stores it supplies that the
/// user may see; 404 when the id is not an active CEDI.
pub async fn stores_of(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(cedi_id): Path<String>,
) -> Result<Json<CediStores>, ApiError> {
    let stores = stores_of_cedi(&state.tenant, &cedi_id).ok_or_else(|| ApiError::Missing(format!("«{cedi_id}» no es un CEDI activo")))?;
    let tiendas: Vec<LocationRef> = stores.into_iter().filter(|s| user.check_location(&s.id, false).is_ok()).map(location_ref).collect();
    Ok(Json(CediStores { cedi_id, total: tiendas.len(), tiendas }))
}

/// `GET /api/pedidos-multitienda/config-dpdu`.
pub async fn dpdu_settings(State(state): State<AppState>) -> Result<Json<DpduSettings>, ApiError> {
    Ok(Json(state.with_app_db(|app| Ok(crate::appdb::inventory_settings::dpdu_settings(app)?)).await?))
}

/// `PUT /api/pedidos-multitienda/config-dpdu` (super-admin): validated, audited by user.
pub async fn set_dpdu_settings(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<DpduSettings>,
) -> Result<Json<DpduSettings>, ApiError> {
    let by = user.username.clone();
    state
        .with_app_db(move |app| {
            crate::appdb::inventory_settings::set_dpdu_settings(app, &b, &by)?
                .map_err(|i| ApiError::Validation { field: i.field, message: i.message })?;
            Ok(crate::appdb::inventory_settings::dpdu_settings(app)?)
        })
        .await
        .map(Json)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destination {
    tienda_id: String,
    #[allow(dead_code)] // sent by the wizard; the tenant's name is the one shown
    tienda_nombre: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalculateBody {
    cedi_origen: String,
    tiendas_destino: Vec<Destination>,
    /// Kept for the original's clients; coverage comes from each store's ABC settings.
    #[allow(dead_code)]
    dias_cobertura: Option<u32>,
    #[allow(dead_code)]
    incluir_solo_conflictos: Option<bool>,
    incluir_cedi_caracas: Option<bool>,
    fecha: Option<String>,
    /// Every candidate line (default: the suggested and the conflicted ones).
    #[serde(default)]
    todos: bool,
    /// `completo` (default: lines as objects) or `tabla` (lines as arrays under `columnas`).
    formato: Option<String>,
}

/// The batch with each store's lines as arrays (`formato: "tabla"`).
#[derive(Serialize)]
struct TableCalculation<'a> {
    #[serde(flatten)]
    head: TableHead<'a>,
    pedidos_por_tienda: Vec<TableOrder<'a>>,
}

#[derive(Serialize)]
struct TableHead<'a> {
    cedi_origen: &'a str,
    cedi_origen_nombre: &'a str,
    fecha: chrono::NaiveDate,
    calculado_en: &'a str,
    config_dpdu: &'a DpduSettings,
    resumen: &'a multi_store::Summary,
    conflictos: Vec<TableConflict<'a>>,
    /// The columns of each conflict's `reparto` rows.
    columnas_reparto: &'static [&'static str],
    productos_sin_conflicto: usize,
}

/// A conflict with its shares as arrays: the store's own figures for the product (ABC, P75,
/// stock, days, suggestion) are on that store's line, so a share carries only what DPD+U
/// decided (thousands of conflicts × 20 stores would otherwise repeat them all).
#[derive(Serialize)]
struct TableConflict<'a> {
    codigo_producto: &'a str,
    descripcion_producto: &'a str,
    categoria: &'a Option<String>,
    clasificacion_abc: &'a Option<String>,
    unidades_por_bulto: f64,
    stock_cedi_disponible: f64,
    stock_cedi_bultos: u64,
    necesidad_total_tiendas: f64,
    /// [store position in `pedidos_por_tienda`, packs, weight %, urgency].
    reparto: Vec<(usize, u64, f64, f64)>,
}

const SHARE_COLUMNS: &[&str] = &["tienda", "cantidad_asignada_bultos", "peso_final", "urgencia"];

#[derive(Serialize)]
struct TableOrder<'a> {
    tienda_id: &'a str,
    tienda_nombre: &'a str,
    es_cedi: bool,
    total_productos: usize,
    total_bultos: u64,
    total_unidades: f64,
    total_peso_kg: f64,
    productos_ajustados_dpdu: usize,
    columnas: &'static [&'static str],
    filas: Vec<multi_store::LineRow<'a>>,
}

/// `POST /api/pedidos-multitienda/calcular`.
pub async fn calculate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<CalculateBody>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    for d in &b.tiendas_destino {
        user.check_location(&d.tienda_id, false)?;
    }
    let req = multi_store::Request {
        fecha: match b.fecha.as_deref() {
            Some(s) => parse_date("fecha", s)?,
            None => state.tenant.today(),
        },
        cedi: b.cedi_origen,
        tiendas: b.tiendas_destino.into_iter().map(|d| d.tienda_id).collect(),
        todos: b.todos,
        // The original's name for "include the receiving CEDI(s) of this origin" (§2.12).
        incluir_cedis: b.incluir_cedi_caracas == Some(true),
    };
    let table = match b.formato.as_deref() {
        None | Some("completo") => false,
        Some("tabla") => true,
        Some(other) => {
            return Err(ApiError::Validation {
                field: "formato".into(),
                message: format!("Formato «{other}» desconocido (completo o tabla)"),
            })
        }
    };
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<multi_store::Calculation, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(multi_store::calculate(&st.tenant, &app, &st.warehouse, &st.calculations, &req)?)
    })
    .await??;
    if !table {
        return Ok(Json(out).into_response());
    }
    let c = &out;
    let position: std::collections::HashMap<&str, usize> =
        c.pedidos_por_tienda.iter().enumerate().map(|(i, p)| (p.tienda_id.as_str(), i)).collect();
    let body = TableCalculation {
        head: TableHead {
            cedi_origen: &c.cedi_origen,
            cedi_origen_nombre: &c.cedi_origen_nombre,
            fecha: c.fecha,
            calculado_en: &c.calculado_en,
            config_dpdu: &c.config_dpdu,
            resumen: &c.resumen,
            conflictos: c
                .conflictos
                .iter()
                .map(|k| TableConflict {
                    codigo_producto: &k.codigo_producto,
                    descripcion_producto: &k.descripcion_producto,
                    categoria: &k.categoria,
                    clasificacion_abc: &k.clasificacion_abc,
                    unidades_por_bulto: k.unidades_por_bulto,
                    stock_cedi_disponible: k.stock_cedi_disponible,
                    stock_cedi_bultos: k.stock_cedi_bultos,
                    necesidad_total_tiendas: k.necesidad_total_tiendas,
                    reparto: k
                        .distribucion_dpdu
                        .iter()
                        .map(|sh| {
                            let at = position.get(sh.tienda_id.as_str()).copied().unwrap_or(usize::MAX);
                            (at, sh.asignacion.cantidad_asignada_bultos, sh.asignacion.peso_final, sh.asignacion.urgencia)
                        })
                        .collect(),
                })
                .collect(),
            columnas_reparto: SHARE_COLUMNS,
            productos_sin_conflicto: c.productos_sin_conflicto,
        },
        pedidos_por_tienda: c
            .pedidos_por_tienda
            .iter()
            .map(|p| TableOrder {
                tienda_id: &p.tienda_id,
                tienda_nombre: &p.tienda_nombre,
                es_cedi: p.es_cedi,
                total_productos: p.total_productos,
                total_bultos: p.total_bultos,
                total_unidades: p.total_unidades,
                total_peso_kg: p.total_peso_kg,
                productos_ajustados_dpdu: p.productos_ajustados_dpdu,
                columnas: multi_store::LINE_COLUMNS,
                filas: p.productos.iter().map(multi_store::Line::row).collect(),
            })
            .collect(),
    };
    Ok(Json(body).into_response())
}

#[derive(Deserialize)]
pub struct BatchLine {
    codigo_producto: String,
    cantidad_pedida_bultos: i64,
    #[serde(default = "yes")]
    incluido: bool,
    observaciones: Option<String>,
    // What the original's client sends with each line; the server keeps its own snapshot.
    #[serde(flatten)]
    _snapshot: std::collections::HashMap<String, serde_json::Value>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchOrderBody {
    tienda_destino_id: String,
    #[allow(dead_code)]
    tienda_destino_nombre: Option<String>,
    productos: Vec<BatchLine>,
    observaciones: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    cedi_origen_id: String,
    #[allow(dead_code)]
    cedi_origen_nombre: Option<String>,
    pedidos: Vec<BatchOrderBody>,
    dias_cobertura: Option<i64>,
    fecha_pedido: Option<String>,
    fecha_entrega_solicitada: Option<String>,
    #[allow(dead_code)]
    tipo_pedido: Option<String>,
    prioridad: Option<String>,
    #[allow(dead_code)]
    requiere_aprobacion: Option<bool>,
    observaciones_globales: Option<String>,
    #[allow(dead_code)]
    usuario_creador: Option<String>,
}

/// `POST /api/pedidos-multitienda/guardar-lote`: the batch as drafts, one transaction.
pub async fn save(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<SaveBody>,
) -> Result<(StatusCode, Json<multi_store::Saved>), ApiError> {
    for p in &b.pedidos {
        user.check_location(&p.tienda_destino_id, false)?;
    }
    let req = SaveRequest {
        fecha: match b.fecha_pedido.as_deref() {
            Some(s) => parse_date("fecha_pedido", s)?,
            None => state.tenant.today(),
        },
        fecha_entrega_solicitada: b.fecha_entrega_solicitada.as_deref().map(|s| parse_date("fecha_entrega_solicitada", s)).transpose()?,
        cedi: b.cedi_origen_id,
        dias_cobertura: b.dias_cobertura.unwrap_or(3),
        prioridad: b.prioridad.unwrap_or_else(|| "normal".into()),
        observaciones_globales: b.observaciones_globales,
        pedidos: b
            .pedidos
            .into_iter()
            .map(|p| ChosenOrder {
                tienda_destino_id: p.tienda_destino_id,
                observaciones: p.observaciones,
                productos: p
                    .productos
                    .into_iter()
                    .map(|l| ChosenLine {
                        codigo_producto: l.codigo_producto.trim().to_string(),
                        cantidad_pedida_bultos: l.cantidad_pedida_bultos,
                        incluido: l.incluido,
                        cedi_origen_id: None,
                        observaciones: l.observaciones,
                    })
                    .collect(),
            })
            .collect(),
    };
    let st = state.clone();
    let username = user.username.clone();
    let saved = tokio::task::spawn_blocking(move || -> Result<multi_store::Saved, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(multi_store::save(&st.tenant, &app, &st.warehouse, &st.calculations, &req, &username)?)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[derive(Serialize)]
pub struct RouteView {
    cedi_origen_id: String,
    cedi_origen_nombre: String,
    cedi_destino_id: String,
    cedi_destino_nombre: String,
    frecuencia_viajes_dias: String,
    #[serde(flatten)]
    ajustes: RouteSettings,
    activo: bool,
}

/// `GET /api/pedidos-inter-cedi/config/rutas`: the tenant's active routes with their settings.
pub async fn routes(State(state): State<AppState>) -> Json<Vec<RouteView>> {
    let t = &state.tenant;
    Json(
        t.routes()
            .into_iter()
            .map(|r| RouteView {
                cedi_origen_nombre: t.location_name(&r.origin),
                cedi_destino_nombre: t.location_name(&r.destination),
                cedi_origen_id: r.origin,
                cedi_destino_id: r.destination,
                frecuencia_viajes_dias: r.frecuencia_viajes,
                ajustes: r.settings,
                activo: true,
            })
            .collect(),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterCediBody {
    cedi_destino_id: String,
    cedi_origen_id: String,
    dias_cobertura_a: Option<u32>,
    dias_cobertura_b: Option<u32>,
    dias_cobertura_c: Option<u32>,
    dias_cobertura_d: Option<u32>,
    dias_cobertura_congelados: Option<u32>,
    lead_time_dias: Option<f64>,
    /// Informational (the route's trips); not used by any formula.
    #[allow(dead_code)]
    frecuencia_viajes_dias: Option<String>,
    fecha: Option<String>,
}

/// `POST /api/pedidos-inter-cedi/calcular` (spec 31 §3.2–§3.7): the route's settings, each
/// one replaced by the body's value when given.
pub async fn inter_cedi_calculate(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<InterCediBody>,
) -> Result<Json<inter_cedi::Calculation>, ApiError> {
    let fecha = match b.fecha.as_deref() {
        Some(s) => parse_date("fecha", s)?,
        None => state.tenant.today(),
    };
    let dias = [b.dias_cobertura_a, b.dias_cobertura_b, b.dias_cobertura_c, b.dias_cobertura_d, b.dias_cobertura_congelados];
    let ajustes = state.tenant.route(&b.cedi_origen_id, &b.cedi_destino_id).map(|r| r.settings.overridden(dias, b.lead_time_dias));
    let req = inter_cedi::Request { origen: b.cedi_origen_id, destino: b.cedi_destino_id, fecha, ajustes };
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<inter_cedi::Calculation, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(inter_cedi::calculate(&st.tenant, &app, &st.warehouse, &req)?)
    })
    .await??;
    Ok(Json(out))
}

// ---------- inter-CEDI exclusions (spec 31 §4.2) ----------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionQuery {
    search: Option<String>,
    motivo: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

#[derive(Serialize)]
pub struct ExclusionPage {
    cedi_destino_id: String,
    total: i64,
    limit: u32,
    offset: u32,
    exclusiones: Vec<crate::appdb::inter_cedi::Exclusion>,
}

fn receiving_cedi(state: &AppState, id: &str) -> Result<(), ApiError> {
    match state.tenant.stores().iter().any(|s| s.id == id && s.active && s.is_cedi()) {
        true => Ok(()),
        false => Err(ApiError::Missing(format!("«{id}» no es un CEDI activo"))),
    }
}

/// `GET /api/productos-excluidos-inter-cedi/{cedi_destino_id}?search=&motivo=&limit=&offset=`.
pub async fn exclusions(
    State(state): State<AppState>,
    Path(cedi): Path<String>,
    super::body::QueryParams(q): super::body::QueryParams<ExclusionQuery>,
) -> Result<Json<ExclusionPage>, ApiError> {
    receiving_cedi(&state, &cedi)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Validation { field: "limit".into(), message: format!("limit debe estar entre 1 y 500 (recibido {limit})") });
    }
    let offset = q.offset.unwrap_or(0);
    let search = q.search.filter(|s| !s.trim().is_empty());
    let motivo = q.motivo.filter(|s| !s.trim().is_empty());
    let id = cedi.clone();
    let (exclusiones, total) = state
        .with_app_db(move |app| {
            Ok(crate::appdb::inter_cedi::list_exclusions(app, &id, search.as_deref(), motivo.as_deref(), limit, offset)?)
        })
        .await?;
    Ok(Json(ExclusionPage { cedi_destino_id: cedi, total, limit, offset, exclusiones }))
}

#[derive(Serialize)]
pub struct ExcludedCodes {
    cedi_destino_id: String,
    codigos_excluidos: Vec<String>,
    total: usize,
}

/// `GET /api/productos-excluidos-inter-cedi/codigos/{cedi_destino_id}`.
pub async fn excluded_codes(State(state): State<AppState>, Path(cedi): Path<String>) -> Result<Json<ExcludedCodes>, ApiError> {
    receiving_cedi(&state, &cedi)?;
    let id = cedi.clone();
    let codigos_excluidos = state.with_app_db(move |app| Ok(crate::appdb::inter_cedi::exclusions(app, &id)?)).await?;
    Ok(Json(ExcludedCodes { cedi_destino_id: cedi, total: codigos_excluidos.len(), codigos_excluidos }))
}

/// `GET /api/productos-excluidos-inter-cedi/estadisticas/{cedi_destino_id}`.
pub async fn exclusion_stats(
    State(state): State<AppState>,
    Path(cedi): Path<String>,
) -> Result<Json<crate::appdb::inter_cedi::ExclusionStats>, ApiError> {
    receiving_cedi(&state, &cedi)?;
    Ok(Json(state.with_app_db(move |app| Ok(crate::appdb::inter_cedi::exclusion_stats(app, &cedi)?)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionBody {
    cedi_destino_id: String,
    codigo_producto: String,
    motivo: Option<String>,
    observaciones: Option<String>,
}

/// `POST /api/productos-excluidos-inter-cedi`: one product (its code as typed).
pub async fn add_exclusion(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<ExclusionBody>,
) -> Result<(StatusCode, Json<crate::distribution::exclusions::AddedExclusion>), ApiError> {
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let motivo = b.motivo.unwrap_or_else(|| "MANUAL".into());
        Ok(crate::distribution::exclusions::add(
            &st.tenant,
            &app,
            &st.warehouse,
            &b.cedi_destino_id,
            &b.codigo_producto,
            &motivo,
            b.observaciones.as_deref(),
            &user.username,
        )?)
    })
    .await??;
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkExclusionBody {
    cedi_destino_id: String,
    codigos_productos: Vec<String>,
    motivo: Option<String>,
    observaciones: Option<String>,
}

/// `POST /api/productos-excluidos-inter-cedi/bulk`: pasted codes, each stored on its own.
pub async fn add_exclusions_bulk(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<BulkExclusionBody>,
) -> Result<Json<crate::distribution::exclusions::BulkResult>, ApiError> {
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let motivo = b.motivo.unwrap_or_else(|| "MANUAL".into());
        Ok(crate::distribution::exclusions::add_bulk(
            &st.tenant,
            &app,
            &st.warehouse,
            &b.cedi_destino_id,
            &b.codigos_productos,
            &motivo,
            b.observaciones.as_deref(),
            &user.username,
        )?)
    })
    .await??;
    Ok(Json(out))
}

/// `DELETE /api/productos-excluidos-inter-cedi/{id}` (soft; 404 when not active).
pub async fn remove_exclusion(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::Missing(format!("Exclusión {id} no encontrada")))?;
    let removed = state.with_app_db(move |app| Ok(crate::appdb::inter_cedi::remove_exclusion(app, id)?)).await?;
    match removed {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::Missing(format!("Exclusión {id} no encontrada o ya eliminada"))),
    }
}
