//! Business intelligence over HTTP (spec 40 §3, `/api/bi/…`, capability `bi.ver`, feature `bi`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::body::QueryParams;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::AppState;
use crate::bi::{self, BiError, NetworkKpis};
use crate::domain::bi::Comparison;

impl From<BiError> for ApiError {
    fn from(e: BiError) -> Self {
        match e {
            BiError::Invalid { field, message } => ApiError::Validation { field: field.into(), message },
            BiError::Warehouse(e) => e.into(),
            BiError::WarehouseOpen(e) => e.into(),
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
