//! BI store comparisons over HTTP (spec 40 §3.2 panel 2, §3.3; `/api/bi/…`, capability
//! `bi.ver`, feature `bi`).

use axum::extract::{Path, State};
use axum::Json;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::body::QueryParams;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::AppState;
use crate::bi::stores::{self, SalesRanking, StoreCategories, StoreComparison};

/// `fecha_inicio..=fecha_fin`, by default the 30 days ending `lag` days before today.
fn range(state: &AppState, inicio: Option<&str>, fin: Option<&str>, lag: i64) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let fin = match fin.filter(|s| !s.is_empty()) {
        Some(s) => parse_date("fecha_fin", s)?,
        None => state.tenant.today() - Duration::days(lag),
    };
    let inicio = match inicio.filter(|s| !s.is_empty()) {
        Some(s) => parse_date("fecha_inicio", s)?,
        None => fin - Duration::days(29),
    };
    Ok((inicio, fin))
}

/// Regions are upper-case ids; `Todas` or empty is the whole network.
pub(super) fn region_param(r: Option<String>) -> Option<String> {
    r.map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty() && r != "TODAS")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Comma-separated store ids, 1–20.
    ubicacion_ids: Option<String>,
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
}

/// `GET /api/bi/stores/compare-multi?ubicacion_ids=a,b&fecha_inicio&fecha_fin` (default: the
/// 30 days ending two days ago).
pub async fn compare(State(state): State<AppState>, QueryParams(q): QueryParams<CompareQuery>) -> Result<Json<StoreComparison>, ApiError> {
    let (inicio, fin) = range(&state, q.fecha_inicio.as_deref(), q.fecha_fin.as_deref(), 2)?;
    let ids: Vec<String> =
        q.ubicacion_ids.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(stores::compare(&st.tenant, &st.warehouse, &ids, inicio, fin)?) })
            .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankingQuery {
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
    region: Option<String>,
}

/// `GET /api/bi/stores/sales-ranking?fecha_inicio&fecha_fin&region` — every active store.
pub async fn sales_ranking(
    State(state): State<AppState>,
    QueryParams(q): QueryParams<RankingQuery>,
) -> Result<Json<SalesRanking>, ApiError> {
    let (inicio, fin) = range(&state, q.fecha_inicio.as_deref(), q.fecha_fin.as_deref(), 2)?;
    let region = region_param(q.region);
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(stores::sales_ranking(&st.tenant, &st.warehouse, inicio, fin, region.as_deref())?)
        })
        .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoriesQuery {
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
    limite: Option<usize>,
}

/// `GET /api/bi/stores/{u}/categories?fecha_inicio&fecha_fin&limite=10` (default: the last
/// 30 complete days).
pub async fn categories(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<CategoriesQuery>,
) -> Result<Json<StoreCategories>, ApiError> {
    let (inicio, fin) = range(&state, q.fecha_inicio.as_deref(), q.fecha_fin.as_deref(), 1)?;
    let limite = q.limite.unwrap_or(10);
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(stores::store_categories(&st.tenant, &st.warehouse, &id, inicio, fin, limite)?)
        })
        .await??,
    ))
}
