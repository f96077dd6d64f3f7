//! A product's sales drill-downs (spec 40 §6.3): daily by store, hourly on a day, the last
//! 20 days, its lines, and its sales + stock history. Store managers see only their stores:
//! a list defaults to the caller's stores and a store outside them is refused.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::body::{invalid, non_empty, product_code, visible_store, visible_stores, QueryParams};
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::session::AuthUser;
use super::AppState;
use crate::sales::drilldown::{self, Granularity, Last20Days, ProductDaily, ProductHourly, SalesStockHistory, Transactions};

/// The stores of a comma-separated list, or every active store the caller sees.
fn store_list(state: &AppState, user: &AuthUser, raw: Option<String>) -> Result<Vec<String>, ApiError> {
    match non_empty(raw) {
        Some(list) => list.split(',').filter(|s| !s.trim().is_empty()).map(|s| Ok(visible_store(state, user, s)?.id.clone())).collect(),
        None => Ok(visible_stores(state, user)),
    }
}

/// `fecha_inicio..=fecha_fin`, defaulting to the `default_days` days ending today; never past
/// today, never reversed, at most `max_days` long.
fn date_range(
    inicio: Option<String>,
    fin: Option<String>,
    today: NaiveDate,
    default_days: i64,
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = non_empty(fin).map(|s| parse_date("fecha_fin", &s)).transpose()?.unwrap_or(today);
    let from = non_empty(inicio).map(|s| parse_date("fecha_inicio", &s)).transpose()?.unwrap_or(to - Duration::days(default_days - 1));
    if to < from {
        return Err(invalid("fecha_fin", format!("La fecha final {to} es anterior a la inicial {from}")));
    }
    if to > today {
        return Err(invalid("fecha_fin", format!("La fecha final {to} es posterior a hoy ({today})")));
    }
    if (to - from).num_days() + 1 > max_days {
        return Err(invalid("fecha_inicio", format!("El periodo no puede pasar de {max_days} días")));
    }
    Ok((from, to))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await?
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DailyQuery {
    codigo_producto: String,
    ubicaciones: Option<String>,
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
}

/// `GET /api/ventas/producto/diario`: default the last 56 days.
pub async fn daily(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<DailyQuery>,
) -> Result<Json<ProductDaily>, ApiError> {
    let code = product_code("codigo_producto", &q.codigo_producto)?;
    let stores = store_list(&state, &user, q.ubicaciones)?;
    let today = state.tenant.today();
    let range = date_range(q.fecha_inicio, q.fecha_fin, today, 56, 400)?;
    let st = state.clone();
    Ok(Json(blocking(move || Ok(drilldown::daily(&st.tenant, &st.warehouse, &code, &stores, range, today)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourlyQuery {
    codigo_producto: String,
    fecha: Option<String>,
    ubicaciones: Option<String>,
}

/// `GET /api/ventas/producto/horario`: one day (default today).
pub async fn hourly(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<HourlyQuery>,
) -> Result<Json<ProductHourly>, ApiError> {
    let code = product_code("codigo_producto", &q.codigo_producto)?;
    let stores = store_list(&state, &user, q.ubicaciones)?;
    let today = state.tenant.today();
    let date = non_empty(q.fecha).map(|s| parse_date("fecha", &s)).transpose()?.unwrap_or(today);
    if date > today {
        return Err(invalid("fecha", format!("La fecha {date} es posterior a hoy ({today})")));
    }
    let st = state.clone();
    Ok(Json(blocking(move || Ok(drilldown::hourly(&st.tenant, &st.warehouse, &code, &stores, date)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreQuery {
    ubicacion_id: String,
}

/// `GET /api/ventas/producto/{codigo}/ultimos-20-dias`.
pub async fn last_20_days(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<StoreQuery>,
) -> Result<Json<Last20Days>, ApiError> {
    let code = product_code("codigo_producto", &code)?;
    let store = visible_store(&state, &user, &q.ubicacion_id)?.id.clone();
    let s = store.clone();
    let atypical = state.with_app_db(move |c| Ok(crate::appdb::inventory_settings::atypical_days(c, &s)?)).await?;
    let st = state.clone();
    let today = state.tenant.today();
    Ok(Json(blocking(move || Ok(drilldown::last_20_days(&st.warehouse, &store, &code, &atypical, today)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionsQuery {
    ubicacion_id: String,
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

/// `GET /api/ventas/producto/{codigo}/transacciones`: default the last 30 days, 50 a page
/// (at most 100).
pub async fn transactions(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<TransactionsQuery>,
) -> Result<Json<Transactions>, ApiError> {
    let code = product_code("codigo_producto", &code)?;
    let store = visible_store(&state, &user, &q.ubicacion_id)?.id.clone();
    let range = date_range(q.fecha_inicio, q.fecha_fin, state.tenant.today(), 30, 400)?;
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(invalid("page", "page empieza en 1"));
    }
    let page_size = q.page_size.unwrap_or(50);
    if !(1..=100).contains(&page_size) {
        return Err(invalid("page_size", "page_size debe estar entre 1 y 100"));
    }
    let st = state.clone();
    Ok(Json(blocking(move || Ok(drilldown::transactions(&st.warehouse, &store, &code, range, page as usize, page_size as usize)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    ubicacion_id: String,
    granularidad: Option<String>,
    dias: Option<i64>,
}

/// `GET /api/productos/{codigo}/historial-ventas-inventario`: daily (30 days, up to 180) or
/// hourly (7 days, up to 31).
pub async fn sales_stock_history(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> Result<Json<SalesStockHistory>, ApiError> {
    let code = product_code("codigo_producto", &code)?;
    let store = visible_store(&state, &user, &q.ubicacion_id)?.id.clone();
    let granularity = match non_empty(q.granularidad) {
        None => Granularity::Diario,
        Some(g) => {
            Granularity::parse(&g).ok_or_else(|| invalid("granularidad", format!("Granularidad «{g}» desconocida (diario u horario)")))?
        }
    };
    let max = if granularity == Granularity::Horario { 31 } else { 180 };
    let days = q.dias.unwrap_or(granularity.default_days());
    if !(1..=max).contains(&days) {
        return Err(invalid("dias", format!("dias debe estar entre 1 y {max}")));
    }
    let st = state.clone();
    let now = state.tenant.now_local();
    Ok(Json(blocking(move || Ok(drilldown::history(&st.tenant, &st.warehouse, &store, &code, (granularity, days), now)?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByStoreQuery {
    ubicaciones: Option<String>,
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
}

/// `GET /api/productos/{codigo}/ventas-por-tienda`: the product's totals per store the
/// caller sees (default the last 30 days).
pub async fn by_store(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<ByStoreQuery>,
) -> Result<Json<drilldown::ProductByStore>, ApiError> {
    let code = product_code("codigo_producto", &code)?;
    let stores = store_list(&state, &user, q.ubicaciones)?;
    let range = date_range(q.fecha_inicio, q.fecha_fin, state.tenant.today(), 30, 400)?;
    let st = state.clone();
    Ok(Json(blocking(move || Ok(drilldown::by_store(&st.tenant, &st.warehouse, &code, &stores, range)?)).await?))
}
