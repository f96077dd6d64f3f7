//! Inter-CEDI orders over HTTP (spec 31 §3.9–§3.11): list, save a draft (or save and
//! confirm), read, replace a draft (`PUT`, D-10), the transitions by the acting user, the
//! history, delete, the Excel, and the 24-hour note of §3.12. Roles come from the route
//! table (`pedidos.intercedi`, D-17).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{JsonBody, QueryParams};
use super::error::ApiError;
use super::saved_orders::{download, parse_date, XLSX};
use super::session::AuthUser;
use super::AppState;
use crate::appdb::inter_cedi_orders::{self as store, Created, HistoryRow, ListEntry, ListFilter, Order};
use crate::distribution::inter_cedi_orders::{self as orders, Choice, Draft, Received, RecentNote};
use crate::domain::distribution::inter_cedi_order::{Action, InterCediState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    estado: Option<String>,
    cedi_destino_id: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize)]
pub struct ListResponse {
    total: usize,
    pedidos: Vec<ListEntry>,
}

/// `GET /api/pedidos-inter-cedi?estado=&cedi_destino_id=&limit=50`: newest first.
pub async fn list(State(state): State<AppState>, QueryParams(q): QueryParams<ListQuery>) -> Result<Json<ListResponse>, ApiError> {
    let estado = match q.estado.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(InterCediState::parse(s).ok_or_else(|| ApiError::Validation {
            field: "estado".into(),
            message: format!("Estado «{s}» desconocido (borrador, confirmado, despachado, recibido o cancelado)"),
        })?),
        None => None,
    };
    let f = ListFilter { estado, cedi_destino_id: q.cedi_destino_id.filter(|s| !s.is_empty()), limit: q.limit.unwrap_or(50) };
    let pedidos = state.with_app_db(move |app| Ok(store::list(app, &f, chrono::Utc::now())?)).await?;
    Ok(Json(ListResponse { total: pedidos.len(), pedidos }))
}

/// A draft as the wizard sends it: the route, the settings the user kept or changed, the
/// header texts and the chosen lines; `confirmar` saves and confirms at once.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    cedi_origen_id: String,
    cedi_destino_id: String,
    fecha: Option<String>,
    dias_cobertura_a: Option<u32>,
    dias_cobertura_b: Option<u32>,
    dias_cobertura_c: Option<u32>,
    dias_cobertura_d: Option<u32>,
    dias_cobertura_congelados: Option<u32>,
    lead_time_dias: Option<f64>,
    frecuencia_viajes_dias: Option<String>,
    prioridad: Option<String>,
    observaciones: Option<String>,
    notas_logistica: Option<String>,
    productos: Vec<Choice>,
    #[serde(default)]
    confirmar: bool,
}

fn draft(state: &AppState, b: DraftBody) -> Result<(Draft, bool), ApiError> {
    let fecha = match b.fecha.as_deref() {
        Some(s) => parse_date("fecha", s)?,
        None => state.tenant.today(),
    };
    let dias = [b.dias_cobertura_a, b.dias_cobertura_b, b.dias_cobertura_c, b.dias_cobertura_d, b.dias_cobertura_congelados];
    let ajustes = state.tenant.route(&b.cedi_origen_id, &b.cedi_destino_id).map(|r| r.settings.overridden(dias, b.lead_time_dias));
    let d = Draft {
        origen: b.cedi_origen_id,
        destino: b.cedi_destino_id,
        fecha,
        ajustes,
        frecuencia_viajes_dias: b.frecuencia_viajes_dias,
        prioridad: b.prioridad,
        observaciones: b.observaciones,
        notas_logistica: b.notas_logistica,
        productos: b.productos,
    };
    Ok((d, b.confirmar))
}

/// `POST /api/pedidos-inter-cedi`: 201 with the id, number and state.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<DraftBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let (d, confirm) = draft(&state, b)?;
    let st = state.clone();
    // Its own connection: the calculation reads the warehouse for a while, and the shared
    // application connection serves every other request meanwhile.
    let created = tokio::task::spawn_blocking(move || -> Result<Created, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(orders::save(&st.tenant, &app, &st.warehouse, &d, &user.username, confirm)?)
    })
    .await??;
    tracing::info!(numero = %created.numero_pedido, estado = created.estado.id(), "inter-CEDI order saved");
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PUT /api/pedidos-inter-cedi/{id}`: replaces a draft (and confirms it with `confirmar`).
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DraftBody>,
) -> Result<Json<Created>, ApiError> {
    let (d, confirm) = draft(&state, b)?;
    let st = state.clone();
    let saved = tokio::task::spawn_blocking(move || -> Result<Created, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(orders::update(&st.tenant, &app, &st.warehouse, &id, &d, &user.username, confirm)?)
    })
    .await??;
    Ok(Json(saved))
}

fn not_found(id: &str) -> ApiError {
    ApiError::Missing(format!("Pedido Inter-CEDI {id} no encontrado"))
}

/// `GET /api/pedidos-inter-cedi/{id}` (id or number): header and lines.
pub async fn get_one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Order>, ApiError> {
    let order = state.with_app_db(move |app| store::get(app, &id)?.ok_or_else(|| not_found(&id))).await?;
    Ok(Json(order))
}

/// `DELETE /api/pedidos-inter-cedi/{id}`: a draft or a confirmed order.
pub async fn delete(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    state.with_app_db(move |app| Ok(orders::delete(app, &id)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/pedidos-inter-cedi/{id}/historial`: oldest first.
pub async fn history(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<HistoryRow>>, ApiError> {
    Ok(Json(
        state
            .with_app_db(move |app| {
                store::key(app, &id)?.ok_or_else(|| not_found(&id))?;
                Ok(store::history(app, &id)?)
            })
            .await?,
    ))
}

/// The optional body of a transition. `usuario` is accepted for the original's clients and
/// ignored: the history names the session's user (D-14).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ActBody {
    motivo: Option<String>,
    notas: Option<String>,
    #[allow(dead_code)]
    usuario: Option<String>,
    #[serde(default)]
    lineas_recibidas: Vec<Received>,
}

#[derive(Serialize)]
pub struct Acted {
    id: String,
    numero_pedido: String,
    estado: InterCediState,
    mensaje: String,
}

async fn act(
    state: AppState,
    user: AuthUser,
    id: String,
    action: Action,
    body: Option<JsonBody<ActBody>>,
) -> Result<Json<Acted>, ApiError> {
    let b = body.map(|JsonBody(b)| b).unwrap_or_default();
    let out = state
        .with_app_db(move |app| {
            let c = orders::act(app, &id, action, &user.username, b.motivo.as_deref(), b.notas.as_deref(), &b.lineas_recibidas)?;
            Ok(Acted {
                mensaje: format!("Pedido {} {}", c.numero_pedido, c.estado.id()),
                id: c.id,
                numero_pedido: c.numero_pedido,
                estado: c.estado,
            })
        })
        .await?;
    tracing::info!(numero = %out.numero_pedido, estado = out.estado.id(), "inter-CEDI order moved");
    Ok(Json(out))
}

pub async fn confirm(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: Option<JsonBody<ActBody>>,
) -> Result<Json<Acted>, ApiError> {
    act(state, user, id, Action::Confirmar, body).await
}

pub async fn dispatch(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: Option<JsonBody<ActBody>>,
) -> Result<Json<Acted>, ApiError> {
    act(state, user, id, Action::Despachar, body).await
}

pub async fn receive(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: Option<JsonBody<ActBody>>,
) -> Result<Json<Acted>, ApiError> {
    act(state, user, id, Action::Recibir, body).await
}

pub async fn cancel(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: Option<JsonBody<ActBody>>,
) -> Result<Json<Acted>, ApiError> {
    act(state, user, id, Action::Cancelar, body).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    cedi_origen: Option<String>,
}

/// `GET /api/pedidos-inter-cedi/{id}/exportar?cedi_origen=`: the order's workbook (§3.10).
pub async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<ExportQuery>,
) -> Result<axum::response::Response, ApiError> {
    let origin = q.cedi_origen.filter(|o| !o.is_empty());
    let (bytes, name) = state
        .with_app_db(move |app| {
            let order = store::get(app, &id)?.ok_or_else(|| not_found(&id))?;
            let bytes = crate::orders::export::inter_cedi_xlsx(&order, origin.as_deref())
                .map_err(ApiError::internal)?
                .ok_or_else(|| ApiError::Missing(format!("El pedido {} no tiene líneas de ese origen", order.header.numero_pedido)))?;
            Ok((bytes, crate::orders::export::inter_cedi_file_name(&order.header.numero_pedido, origin.as_deref())))
        })
        .await?;
    Ok(download(bytes, XLSX, &name))
}

/// One row of the wizard's step 2 as the user sees it: the product and *A pedir* as typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewLineBody {
    codigo_producto: String,
    cantidad_pedida_bultos: u64,
    #[serde(default)]
    observaciones: Option<String>,
}

/// The wizard's step 2 view: the route and settings of its calculation, the active filters in
/// words, and the visible rows in their order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewExportBody {
    cedi_origen_id: String,
    cedi_destino_id: String,
    fecha: String,
    dias_cobertura_a: Option<u32>,
    dias_cobertura_b: Option<u32>,
    dias_cobertura_c: Option<u32>,
    dias_cobertura_d: Option<u32>,
    dias_cobertura_congelados: Option<u32>,
    lead_time_dias: Option<f64>,
    #[serde(default)]
    filtro: Option<String>,
    productos: Vec<ViewLineBody>,
}

/// `POST /api/pedidos-inter-cedi/exportar-vista`: step 2 "Exportar vista (Excel)" (§3.8). The
/// server recomputes the route with the same settings and writes its figures beside the
/// user's packs, rows in the order sent; a product the calculation does not hold is refused.
pub async fn export_view(
    State(state): State<AppState>,
    JsonBody(b): JsonBody<ViewExportBody>,
) -> Result<axum::response::Response, ApiError> {
    let fecha = parse_date("fecha", &b.fecha)?;
    let dias = [b.dias_cobertura_a, b.dias_cobertura_b, b.dias_cobertura_c, b.dias_cobertura_d, b.dias_cobertura_congelados];
    let ajustes = state.tenant.route(&b.cedi_origen_id, &b.cedi_destino_id).map(|r| r.settings.overridden(dias, b.lead_time_dias));
    let req =
        crate::distribution::inter_cedi::Request { origen: b.cedi_origen_id.clone(), destino: b.cedi_destino_id.clone(), fecha, ajustes };
    let st = state.clone();
    let (bytes, name) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, String), ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let calc = crate::distribution::inter_cedi::calculate(&st.tenant, &app, &st.warehouse, &req)?;
        let by_code: std::collections::HashMap<&str, &crate::distribution::inter_cedi::Line> =
            calc.productos.iter().map(|l| (l.codigo_producto.as_str(), l)).collect();
        let unknown: Vec<&str> = b.productos.iter().map(|p| p.codigo_producto.as_str()).filter(|c| !by_code.contains_key(c)).collect();
        if !unknown.is_empty() {
            return Err(ApiError::Validation {
                field: "productos".into(),
                message: format!(
                    "Productos que no están en el cálculo de {} → {}: {}",
                    calc.cedi_origen_nombre,
                    calc.cedi_destino_nombre,
                    unknown.iter().take(20).copied().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let rows: Vec<crate::orders::export::InterCediViewRow<'_>> = b
            .productos
            .iter()
            .map(|p| {
                let l = by_code[p.codigo_producto.as_str()];
                crate::orders::export::InterCediViewRow {
                    codigo_producto: &l.codigo_producto,
                    descripcion_producto: &l.descripcion_producto,
                    marca: l.marca.as_deref(),
                    clasificacion_abc: l.clasificacion_abc.as_str(),
                    cuadrante: l.cuadrante.as_deref(),
                    prioridad: l.prioridad,
                    demanda_regional_p75: l.demanda_regional_p75,
                    unidades_por_bulto: l.unidades_por_bulto,
                    stock_cedi_destino: l.stock_cedi_destino,
                    stock_cedi_origen: l.stock_cedi_origen,
                    cantidad_sugerida_bultos: l.cantidad_sugerida_bultos,
                    cantidad_pedida_bultos: p.cantidad_pedida_bultos,
                    notas: p.observaciones.as_deref().filter(|n| !n.trim().is_empty()),
                }
            })
            .collect();
        let fecha = calc.fecha.to_string();
        let view = crate::orders::export::InterCediView {
            cedi_origen_nombre: &calc.cedi_origen_nombre,
            cedi_destino_nombre: &calc.cedi_destino_nombre,
            fecha: &fecha,
            filtro: b.filtro.as_deref(),
        };
        let bytes = crate::orders::export::inter_cedi_view_xlsx(&view, &rows).map_err(ApiError::internal)?;
        Ok((bytes, crate::orders::export::inter_cedi_view_file_name(&calc.cedi_origen_id, &calc.cedi_destino_id, &fecha)))
    })
    .await??;
    Ok(download(bytes, XLSX, &name))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentQuery {
    cedi_origen_id: String,
}

/// `GET /api/pedidos-inter-cedi/recientes?cedi_origen_id=`: the §3.12 note both wizards show.
pub async fn recent(State(state): State<AppState>, QueryParams(q): QueryParams<RecentQuery>) -> Result<Json<RecentNote>, ApiError> {
    let st = state.clone();
    Ok(Json(state.with_app_db(move |app| Ok(orders::recent_note(&st.tenant, app, &q.cedi_origen_id, chrono::Utc::now())?)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesHistoryQuery {
    cedi_destino_id: String,
    dias: Option<i64>,
    /// The calculation's date (default today): the window ends the day before.
    fecha: Option<String>,
}

/// `GET /api/pedidos-inter-cedi/historial-ventas/{codigo}?cedi_destino_id=&dias=30`: the
/// region's daily sales per store and the P75 the calculation used (§3.10, D-15).
pub async fn sales_history(
    State(state): State<AppState>,
    Path(codigo): Path<String>,
    QueryParams(q): QueryParams<SalesHistoryQuery>,
) -> Result<Json<crate::distribution::inter_cedi_history::SalesHistory>, ApiError> {
    let st = state.clone();
    let today = match q.fecha.as_deref() {
        Some(s) => parse_date("fecha", s)?,
        None => state.tenant.today(),
    };
    Ok(Json(
        state
            .with_app_db(move |app| {
                Ok(crate::distribution::inter_cedi_history::regional_sales(
                    &st.tenant,
                    app,
                    &st.warehouse,
                    &q.cedi_destino_id,
                    codigo.trim(),
                    today,
                    q.dias.unwrap_or(30),
                )?)
            })
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockHistoryQuery {
    ubicacion_id: String,
    dias: Option<i64>,
    fecha: Option<String>,
}

/// `GET /api/pedidos-inter-cedi/historial-inventario/{codigo}?ubicacion_id=&dias=30`: a
/// CEDI's end-of-day stock, today's live stock and their statistics (§3.10).
pub async fn stock_history(
    State(state): State<AppState>,
    Path(codigo): Path<String>,
    QueryParams(q): QueryParams<StockHistoryQuery>,
) -> Result<Json<crate::distribution::inter_cedi_history::StockHistory>, ApiError> {
    let st = state.clone();
    let today = match q.fecha.as_deref() {
        Some(s) => parse_date("fecha", s)?,
        None => state.tenant.today(),
    };
    let out = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        Ok(crate::distribution::inter_cedi_history::cedi_stock(
            &st.tenant,
            &st.warehouse,
            &q.ubicacion_id,
            codigo.trim(),
            today,
            q.dias.unwrap_or(30),
        )?)
    })
    .await??;
    Ok(Json(out))
}
