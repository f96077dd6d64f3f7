//! `GET /api/resumen-red[?hasta=YYYY-MM-DD]`: the network summary screen's data.

use axum::extract::{Query, State};
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::session::AuthUser;
use super::{error::ApiError, AppState};
use crate::warehouse::summary::{network_summary, LocationSummary};

pub const WINDOW_DAYS: i64 = 30;

#[derive(Deserialize)]
pub struct Params {
    hasta: Option<String>,
}

#[derive(Serialize)]
pub struct Totals {
    ventas_usd: f64,
    tickets: i64,
    unidades: f64,
    valor_stock_costo_usd: f64,
}

#[derive(Serialize)]
pub struct NetworkSummary {
    desde: NaiveDate,
    hasta: NaiveDate,
    ventana_dias: i64,
    moneda: String,
    ubicaciones: Vec<LocationSummary>,
    totales: Totals,
}

/// The window is the 30 days ending `hasta` (default: today in the tenant's time zone).
/// Store managers see only their stores (and every CEDI); totals are computed after that
/// filter, so they never include a store the caller may not see.
pub async fn network(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Query(p): Query<Params>,
) -> Result<Json<NetworkSummary>, ApiError> {
    let hasta = match p.hasta.as_deref() {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::Validation {
            field: "hasta".into(),
            message: format!("La fecha «{s}» no tiene el formato AAAA-MM-DD"),
        })?,
        None => state.tenant.today(),
    };
    let desde = hasta - Duration::days(WINDOW_DAYS - 1);
    let wh = state.warehouse.clone();
    let ubicaciones = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let reader = wh.reader()?;
        Ok(network_summary(&reader, desde, hasta)?)
    })
    .await??
    .into_iter()
    .filter(|u| user.sees_location(&u.id, u.tipo == "cedi"))
    .collect::<Vec<_>>();
    let totales = Totals {
        ventas_usd: ubicaciones.iter().map(|u| u.ventas_usd).sum(),
        tickets: ubicaciones.iter().map(|u| u.tickets).sum(),
        unidades: ubicaciones.iter().map(|u| u.unidades).sum(),
        valor_stock_costo_usd: ubicaciones.iter().map(|u| u.valor_stock_costo_usd).sum(),
    };
    Ok(Json(NetworkSummary {
        desde,
        hasta,
        ventana_dias: WINDOW_DAYS,
        moneda: state.tenant.file.tenant.currency.clone(),
        ubicaciones,
        totales,
    }))
}
