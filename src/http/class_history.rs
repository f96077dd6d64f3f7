//! `GET /api/productos/{codigo}/historico-clasificacion?dias&ubicacion_id` (spec 50 §9.3): a
//! product's ABC (and XYZ) class per store over time. A store manager sees his stores only.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;

use super::body::{invalid, non_empty, product_code, visible_store, visible_stores, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::products::class_history::{self, ClassHistory};

/// Up to three years of business dates.
const MAX_DIAS: i64 = 1095;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Business dates back from today, today included (default 90).
    dias: Option<i64>,
    /// One store only (default: every store the caller sees, and the chain).
    ubicacion_id: Option<String>,
}

pub async fn product_class_history(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> Result<Json<ClassHistory>, ApiError> {
    let code = product_code("codigo", &code)?;
    let dias = q.dias.unwrap_or(90);
    if !(1..=MAX_DIAS).contains(&dias) {
        return Err(invalid("dias", format!("dias debe estar entre 1 y {MAX_DIAS}")));
    }
    let (stores, with_chain) = match non_empty(q.ubicacion_id) {
        Some(id) => (vec![visible_store(&state, &user, &id)?.id.clone()], false),
        None => (visible_stores(&state, &user), user.store_scope().is_none()),
    };
    let (st, today, with_xyz) = (state.clone(), state.tenant.today(), state.tenant.file.features.xyz_analysis);
    tokio::task::spawn_blocking(move || -> Result<Json<ClassHistory>, ApiError> {
        let reader = st.warehouse.reader().map_err(ApiError::internal)?;
        if crate::warehouse::products::get(&reader, &code).map_err(ApiError::internal)?.is_none() {
            return Err(ApiError::Missing(format!("El producto {code} no existe")));
        }
        drop(reader);
        let req = class_history::Request { codigo: &code, stores: &stores, with_chain, with_xyz, today, dias: dias as u32 };
        Ok(Json(class_history::history(&st.tenant, &st.warehouse, &req)?))
    })
    .await?
}
