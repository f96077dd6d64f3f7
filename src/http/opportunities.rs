//! `GET /api/inventario/oportunidades-cedi` and `GET /api/inventario/expansion-catalogo`
//! (spec 40 §7.6). A store manager sees only his stores in them.

use axum::extract::State;
use axum::{Extension, Json};
use serde::Deserialize;

use super::body::QueryParams;
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::config::Store;
use axum::response::IntoResponse;

use crate::inventory::opportunities::{CediGroup, RegionExpansion};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionQuery {
    region: Option<String>,
}

fn region(state: &AppState, r: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(r) = r.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else { return Ok(None) };
    if !state.tenant.file.regions.iter().any(|x| x.id == r) {
        return Err(ApiError::Validation { field: "region".into(), message: format!("La región «{r}» no existe") });
    }
    Ok(Some(r))
}

pub async fn cedi(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<RegionQuery>,
) -> Result<axum::response::Response, ApiError> {
    let region = region(&state, q.region)?;
    let st = state.clone();
    let groups = tokio::task::spawn_blocking(move || -> Result<std::sync::Arc<Vec<CediGroup>>, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let visible = |s: &Store| user.sees_location(&s.id, false);
        Ok(st.opportunities.cedi(
            &st.tenant,
            &app,
            &st.warehouse,
            &st.inventory_tables,
            (region.as_deref(), st.tenant.today()),
            &visible,
        )?)
    })
    .await??;
    Ok(Json(groups.as_slice()).into_response())
}

pub async fn expansion(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<RegionQuery>,
) -> Result<axum::response::Response, ApiError> {
    let region = region(&state, q.region)?;
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<std::sync::Arc<Vec<RegionExpansion>>, ApiError> {
        let visible = |s: &Store| user.sees_location(&s.id, false);
        Ok(st.opportunities.expansion(&st.tenant, &st.warehouse, region.as_deref(), &visible)?)
    })
    .await??;
    Ok(Json(out.as_slice()).into_response())
}
