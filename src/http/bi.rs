//! Business intelligence over HTTP (spec 40 §3, `/api/bi/…`, capability `bi.ver`, feature `bi`).

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;

use super::body::QueryParams;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::AppState;
use crate::bi::{self, BiError, Evolution, HeatmapOfStore, NetworkKpis, TicketsOfStore};
use crate::domain::bi::Comparison;

impl From<BiError> for ApiError {
    fn from(e: BiError) -> Self {
        match e {
            BiError::Invalid { field, message } => ApiError::Validation { field: field.into(), message },
            BiError::Warehouse(e) => e.into(),
            BiError::WarehouseOpen(e) => e.into(),
            BiError::NotFound(m) => ApiError::Missing(m),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkQuery {
    fecha_inicio: String,
    fecha_fin: String,
    comparar_con: Option<String>,
    region: Option<String>,
}

/// `GET /api/bi/stores/network/kpis?fecha_inicio&fecha_fin&comparar_con=anterior|ano_anterior&region`.
pub async fn network_kpis(State(state): State<AppState>, QueryParams(q): QueryParams<NetworkQuery>) -> Result<Json<NetworkKpis>, ApiError> {
    let inicio = parse_date("fecha_inicio", &q.fecha_inicio)?;
    let fin = parse_date("fecha_fin", &q.fecha_fin)?;
    let comparar = match q.comparar_con.as_deref().filter(|s| !s.is_empty()) {
        None => Comparison::Anterior,
        Some(s) => Comparison::parse(s).ok_or_else(|| ApiError::Validation {
            field: "comparar_con".into(),
            message: format!("comparar_con «{s}» desconocido (anterior o ano_anterior)"),
        })?,
    };
    // Regions are ids in upper case; the original accepted any case.
    let region = q.region.map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty() && r != "TODAS");
    let st = state.clone();
    let out = tokio::task::spawn_blocking(move || -> Result<NetworkKpis, ApiError> {
        Ok(bi::network_kpis(&st.tenant, &st.warehouse, inicio, fin, comparar, region.as_deref())?)
    })
    .await??;
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
}

/// The range asked for, by default the last 30 complete days (§3.2).
fn range(state: &AppState, q: &RangeQuery) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let yesterday = state.tenant.today() - chrono::Duration::days(1);
    let fin = match q.fecha_fin.as_deref() {
        Some(s) => parse_date("fecha_fin", s)?,
        None => yesterday,
    };
    let inicio = match q.fecha_inicio.as_deref() {
        Some(s) => parse_date("fecha_inicio", s)?,
        None => fin - chrono::Duration::days(29),
    };
    Ok((inicio, fin))
}

/// `GET /api/bi/stores/{u}/evolution?fecha_inicio&fecha_fin`.
pub async fn evolution(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<RangeQuery>,
) -> Result<Json<Evolution>, ApiError> {
    let (inicio, fin) = range(&state, &q)?;
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(bi::evolution(&st.tenant, &st.warehouse, &id, inicio, fin)?) })
            .await??,
    ))
}

/// `GET /api/bi/stores/{u}/ticket-distribution?fecha_inicio&fecha_fin`.
pub async fn ticket_distribution(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<RangeQuery>,
) -> Result<Json<TicketsOfStore>, ApiError> {
    let (inicio, fin) = range(&state, &q)?;
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(bi::tickets(&st.tenant, &st.warehouse, &id, inicio, fin)?) })
            .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeatmapQuery {
    dias: Option<i64>,
}

/// `GET /api/bi/stores/{u}/hourly-heatmap?dias=30`.
pub async fn hourly_heatmap(
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<HeatmapQuery>,
) -> Result<Json<HeatmapOfStore>, ApiError> {
    let st = state.clone();
    let today = state.tenant.today();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(bi::hourly_heatmap(&st.tenant, &st.warehouse, &id, today, q.dias.unwrap_or(30))?)
        })
        .await??,
    ))
}
