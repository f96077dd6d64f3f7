//! *Cobertura y distribución* over HTTP (spec 40 §3.7; `/api/bi/coverage/…`, capability
//! `bi.ver`, feature `bi`). `region` = one region or `Todas`; `umbral` = region store units
//! below which a CEDI's stock is trapped (default 20); `limite` 1–1000.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::bi_stores::region_param;
use super::body::{invalid, non_empty, QueryParams};
use super::error::ApiError;
use super::AppState;
use crate::bi::coverage::{self, CoverageSummary, LowCoverage, StoreGaps, Trapped};

fn threshold(s: Option<String>) -> Result<Option<f64>, ApiError> {
    match non_empty(s) {
        None => Ok(None),
        Some(s) => s
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| invalid("umbral", format!("umbral «{s}» no es un número de unidades"))),
    }
}

fn limit(s: Option<String>, default: usize) -> Result<usize, ApiError> {
    match non_empty(s) {
        None => Ok(default),
        Some(s) => s.parse::<usize>().map_err(|_| invalid("limite", format!("limite «{s}» no es un número entero entre 1 y 1000"))),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<Json<T>, ApiError> {
    Ok(Json(tokio::task::spawn_blocking(f).await??))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    region: Option<String>,
    umbral: Option<String>,
}

/// `GET /api/bi/coverage/summary?region&umbral=20`.
pub async fn summary(State(state): State<AppState>, QueryParams(q): QueryParams<SummaryParams>) -> Result<Json<CoverageSummary>, ApiError> {
    let (region, umbral) = (region_param(q.region), threshold(q.umbral)?);
    blocking(move || Ok(coverage::summary(&state.tenant, &state.warehouse, region.as_deref(), umbral)?)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    region: Option<String>,
    limite: Option<String>,
}

/// `GET /api/bi/coverage/low-coverage-products?region&limite=50`.
pub async fn low_coverage(State(state): State<AppState>, QueryParams(q): QueryParams<ListParams>) -> Result<Json<LowCoverage>, ApiError> {
    let (region, limite) = (region_param(q.region), limit(q.limite, 50)?);
    blocking(move || Ok(coverage::low_coverage(&state.tenant, &state.warehouse, region.as_deref(), limite)?)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrappedParams {
    region: Option<String>,
    umbral: Option<String>,
    limite: Option<String>,
}

/// `GET /api/bi/coverage/trapped-in-cedi?region&umbral=20&limite=50`.
pub async fn trapped(State(state): State<AppState>, QueryParams(q): QueryParams<TrappedParams>) -> Result<Json<Trapped>, ApiError> {
    let (region, umbral, limite) = (region_param(q.region), threshold(q.umbral)?, limit(q.limite, 50)?);
    blocking(move || Ok(coverage::trapped(&state.tenant, &state.warehouse, region.as_deref(), umbral, limite)?)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapParams {
    region: Option<String>,
    ubicacion_id: Option<String>,
    limite: Option<String>,
}

/// `GET /api/bi/coverage/store-gaps?region&ubicacion_id&limite=100`: the store gaps with their
/// opportunity and priority, and the *catálogo por tienda*.
pub async fn store_gaps(State(state): State<AppState>, QueryParams(q): QueryParams<GapParams>) -> Result<Json<StoreGaps>, ApiError> {
    let (region, store, limite) = (region_param(q.region), non_empty(q.ubicacion_id), limit(q.limite, 100)?);
    blocking(move || Ok(coverage::store_gaps(&state.tenant, &state.warehouse, region.as_deref(), store.as_deref(), limite)?)).await
}
