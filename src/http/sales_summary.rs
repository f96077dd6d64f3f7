//! `GET /api/ventas/summary-regional?dias=30`: the *Ventas* landing (spec 40 §6.1), per
//! region and store. Store managers see only their stores, and their region totals are
//! computed over those stores only.

use axum::extract::State;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{invalid, visible_stores, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::sales::summary::{self, RegionalSummary, StoreSummary, DEFAULT_DAYS, MAX_DAYS};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionalQuery {
    dias: Option<i64>,
}

/// `GET /api/ventas/summary-regional`.
pub async fn regional(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<RegionalQuery>,
) -> Result<Json<RegionalSummary>, ApiError> {
    Ok(Json(compute(&state, &user, q).await?))
}

/// Per location, as the regional summary's rows with their region.
#[derive(Serialize)]
pub struct LocationRow {
    region: String,
    #[serde(flatten)]
    tienda: StoreSummary,
}

#[derive(Serialize)]
pub struct LocationSummary {
    desde: chrono::NaiveDate,
    hasta: chrono::NaiveDate,
    dias: i64,
    ubicaciones: Vec<LocationRow>,
}

/// `GET /api/ventas/summary`: the same figures per store, without the regions' totals.
pub async fn per_location(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<RegionalQuery>,
) -> Result<Json<LocationSummary>, ApiError> {
    let r = compute(&state, &user, q).await?;
    let ubicaciones = r
        .regiones
        .into_iter()
        .flat_map(|g| g.tiendas.into_iter().map(move |tienda| LocationRow { region: g.region.clone(), tienda }))
        .collect();
    Ok(Json(LocationSummary { desde: r.desde, hasta: r.hasta, dias: r.dias, ubicaciones }))
}

async fn compute(state: &AppState, user: &AuthUser, q: RegionalQuery) -> Result<RegionalSummary, ApiError> {
    let dias = q.dias.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&dias) {
        return Err(invalid("dias", format!("dias debe estar entre 1 y {MAX_DAYS}")));
    }
    let visible = visible_stores(state, user);
    let today = state.tenant.today();
    let st = state.clone();
    Ok(tokio::task::spawn_blocking(move || summary::compute(&st.tenant, &st.warehouse, &visible, today, dias)).await??)
}
