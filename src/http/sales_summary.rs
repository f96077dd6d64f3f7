//! `GET /api/ventas/summary-regional?dias=30`: the *Ventas* landing (spec 40 §6.1), per
//! region and store. Store managers see only their stores, and their region totals are
//! computed over those stores only.

use axum::extract::State;
use axum::{Extension, Json};
use serde::Deserialize;

use super::body::{invalid, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::sales::summary::{self, RegionalSummary, DEFAULT_DAYS, MAX_DAYS};

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
    let dias = q.dias.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&dias) {
        return Err(invalid("dias", format!("dias debe estar entre 1 y {MAX_DAYS}")));
    }
    let visible: Vec<String> = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.active && !s.is_cedi() && user.sees_location(&s.id, false))
        .map(|s| s.id.clone())
        .collect();
    let today = state.tenant.today();
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || summary::compute(&st.tenant, &st.warehouse, &visible, today, dias)).await??;
    Ok(Json(out))
}
