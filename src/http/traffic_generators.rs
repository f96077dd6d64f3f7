//! *Generadores de Tráfico* over HTTP (spec 40 §5, 50 §10.2: `/api/generadores-trafico/…`,
//! capability `admin.parametros`).

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, product_code, JsonBody, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::traffic_generators::Setting;
use crate::domain::traffic_generators::Action;
use crate::products::traffic_generators::{self as tg, Origin, ProductHistory, ProductList, SuggestionReport, Summary, Tab, TrafficError};

impl From<TrafficError> for ApiError {
    fn from(e: TrafficError) -> Self {
        match e {
            TrafficError::NotFound(_) | TrafficError::UnknownSetting(_) => ApiError::Missing(e.to_string()),
            TrafficError::Invalid { field, message } => ApiError::Validation { field: field.into(), message },
            TrafficError::Conflict(detail) => ApiError::Conflict { code: "generador_activo", detail },
            TrafficError::Product(e) => e.into(),
            TrafficError::AppDb(e) => e.into(),
            TrafficError::Warehouse(e) => e.into(),
            TrafficError::WarehouseOpen(e) => e.into(),
        }
    }
}

/// `GET /api/generadores-trafico/resumen`.
pub async fn summary(State(state): State<AppState>) -> Result<Json<Summary>, ApiError> {
    let st = state.clone();
    Ok(Json(state.with_app_db(move |conn| Ok(tg::summary(conn, &st.warehouse)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// sugeridos (default), activos, todos, ignorados.
    tab: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/generadores-trafico/productos?tab=&limit=&offset=`.
pub async fn list(State(state): State<AppState>, QueryParams(q): QueryParams<ListQuery>) -> Result<Json<ProductList>, ApiError> {
    let tab = match non_empty(q.tab).as_deref() {
        None => Tab::Sugeridos,
        Some(t) => {
            Tab::parse(t).ok_or_else(|| invalid("tab", format!("Pestaña «{t}» desconocida (sugeridos, activos, todos o ignorados)")))?
        }
    };
    let limit = q.limit.unwrap_or(if tab == Tab::Todos { 100 } else { 500 });
    let st = state.clone();
    Ok(Json(state.with_app_db(move |conn| Ok(tg::list(conn, &st.warehouse, tab, limit, q.offset.unwrap_or(0))?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkBody {
    producto_codigo: String,
    /// aprobar, rechazar or remover.
    accion: String,
    comentario: Option<String>,
}

/// `POST /api/generadores-trafico/marcar`: approve, reject or remove one product.
pub async fn mark(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<MarkBody>,
) -> Result<Json<ProductHistory>, ApiError> {
    let codigo = product_code("producto_codigo", &b.producto_codigo)?;
    let accion = Action::parse(b.accion.trim())
        .ok_or_else(|| ApiError::BadRequest(format!("Acción «{}» desconocida (aprobar, rechazar o remover)", b.accion.trim())))?;
    let comentario = non_empty(b.comentario);
    if comentario.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(invalid("comentario", "El comentario admite hasta 500 caracteres"));
    }
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<ProductHistory, ApiError> {
        // Its own connection: one SQLite transaction, then the warehouse mirror.
        let mut app = crate::appdb::connect(&st.app_db_path)?;
        Ok(tg::mark(&mut app, &st.warehouse, &codigo, accion, comentario.as_deref(), (&user.username, user.ip.as_deref()))?)
    })
    .await??;
    Ok(Json(out))
}

/// `POST /api/generadores-trafico/calcular-sugerencias`.
pub async fn suggest(State(state): State<AppState>, Extension(user): Extension<AuthUser>) -> Result<Json<SuggestionReport>, ApiError> {
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<SuggestionReport, ApiError> {
        let mut app = crate::appdb::connect(&st.app_db_path)?;
        Ok(tg::suggest(&mut app, &st.warehouse, Some(&user.username), Origin::Manual)?)
    })
    .await??;
    Ok(Json(out))
}

/// `GET /api/generadores-trafico/historial/{producto_id}`: the product and its last 20 changes.
pub async fn history(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Json<ProductHistory>, ApiError> {
    let codigo = product_code("producto_id", &raw)?;
    let st = state.clone();
    Ok(Json(state.with_app_db(move |conn| Ok(tg::history(conn, &st.warehouse, &codigo)?)).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Settings {
    configuracion: Vec<Setting>,
}

/// `GET /api/generadores-trafico/config`.
pub async fn settings(State(state): State<AppState>) -> Result<Json<Settings>, ApiError> {
    Ok(Json(Settings { configuracion: state.with_app_db(|conn| Ok(tg::settings(conn)?)).await? }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingBody {
    clave: String,
    valor: serde_json::Value,
}

/// `PUT /api/generadores-trafico/config`: one key at a time (unknown key → 404).
pub async fn set_setting(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<SettingBody>,
) -> Result<Json<Setting>, ApiError> {
    let valor = match b.valor {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err(invalid("valor", "El valor debe ser un texto o un número")),
    };
    let clave = b.clave.trim().to_string();
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<Setting, ApiError> {
        let mut app = crate::appdb::connect(&st.app_db_path)?;
        Ok(tg::set_setting(&mut app, &clave, &valor, (&user.username, user.ip.as_deref()))?)
    })
    .await??;
    Ok(Json(out))
}
