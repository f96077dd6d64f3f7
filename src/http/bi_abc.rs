//! BI *Análisis ABC consolidado* and the product comparison between stores over HTTP (spec 40
//! §3.5, §3.9; `/api/bi/…`, capability `bi.ver`, feature `bi`). `fecha_fin` (default
//! yesterday) is the last day of the 30-day window.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::bi_stores::region_param;
use super::body::QueryParams;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::AppState;
use crate::bi::abc::{self, AbcAnalysis, AbcQuery};
use crate::bi::product_compare::{self, ProductComparison};

fn fin(s: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    s.filter(|s| !s.is_empty()).map(|s| parse_date("fecha_fin", s)).transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbcParams {
    fecha_fin: Option<String>,
    region: Option<String>,
    ubicacion_id: Option<String>,
}

/// `GET /api/bi/products/abc-consolidated?region|ubicacion_id&fecha_fin` — one region or one store, not both.
pub async fn consolidated(State(state): State<AppState>, QueryParams(q): QueryParams<AbcParams>) -> Result<Json<AbcAnalysis>, ApiError> {
    let query = AbcQuery {
        fin: fin(q.fecha_fin.as_deref())?,
        region: region_param(q.region),
        ubicacion_id: q.ubicacion_id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
    };
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(abc::consolidated(&st.tenant, &st.warehouse, &query)?) }).await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareParams {
    /// Comma-separated store ids, 2–5.
    ubicacion_ids: Option<String>,
    fecha_fin: Option<String>,
}

/// `GET /api/bi/stores/compare?ubicacion_ids=a,b[,c…]&fecha_fin` — products unique to one
/// store, common to all and partial.
pub async fn compare_products(
    State(state): State<AppState>,
    QueryParams(q): QueryParams<CompareParams>,
) -> Result<Json<ProductComparison>, ApiError> {
    let f = fin(q.fecha_fin.as_deref())?;
    let ids: Vec<String> =
        q.ubicacion_ids.as_deref().unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(product_compare::compare_products(&st.tenant, &st.warehouse, &ids, f)?)
        })
        .await??,
    ))
}
