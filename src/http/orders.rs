//! `POST /api/pedidos-sugeridos/calcular`: the suggested order of one store from one CEDI,
//! every candidate line with its explanation (spec 30 §7).

use axum::extract::State;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::Deserialize;

use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::replenishment::{propose, ReplenishmentError, Request, StoreProposal};

#[derive(Deserialize)]
pub struct CalculateBody {
    #[serde(default)]
    cedi_origen: Option<String>,
    #[serde(default)]
    tienda_destino: String,
    #[serde(default)]
    cuadrantes: Option<Vec<String>>,
    /// Business date of the calculation (default: today in the tenant's time zone).
    #[serde(default)]
    fecha: Option<String>,
    /// Include the V2 day-by-day simulation and dated weekday sales on every line.
    #[serde(default)]
    detalle_v2: bool,
    /// `false`: lines without their `explicacion` block (the wizard's grid; about half the
    /// bytes). Default `true`, as the API always answered.
    #[serde(default)]
    explicacion: Option<bool>,
    /// Only these product codes (the wizard's explanation drawer asks for one line).
    #[serde(default)]
    codigos: Option<Vec<String>>,
    /// Accepted for compatibility and ignored, as in the original (spec 30 §7.1).
    #[serde(default)]
    #[allow(dead_code)]
    dias_cobertura: Option<serde_json::Value>,
}

impl From<ReplenishmentError> for ApiError {
    fn from(e: ReplenishmentError) -> Self {
        match e {
            ReplenishmentError::UnknownStore(_) => ApiError::Validation { field: "tienda_destino".into(), message: e.to_string() },
            ReplenishmentError::UnknownCedi(_) | ReplenishmentError::NoSupplier(_) => {
                ApiError::Validation { field: "cedi_origen".into(), message: e.to_string() }
            }
            ReplenishmentError::AppDb(e) => e.into(),
            ReplenishmentError::Warehouse(e) => e.into(),
            ReplenishmentError::Open(e) => e.into(),
        }
    }
}

pub async fn calculate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Json(b): Json<CalculateBody>,
) -> Result<Json<StoreProposal>, ApiError> {
    user.check_location(&b.tienda_destino, false)?;
    let fecha = match b.fecha.as_deref() {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::Validation {
            field: "fecha".into(),
            message: format!("La fecha «{s}» no tiene el formato AAAA-MM-DD"),
        })?,
        None => chrono::Utc::now().with_timezone(&state.tenant.timezone).date_naive(),
    };
    let req = Request {
        detalle_v2: b.detalle_v2,
        tienda: b.tienda_destino,
        cedi: b.cedi_origen.filter(|c| !c.is_empty()),
        fecha,
        cuadrantes: b.cuadrantes,
    };
    let explicacion = b.explicacion.unwrap_or(true);
    let codigos = b.codigos;
    let st = state.clone();
    let mut proposal = tokio::task::spawn_blocking(move || -> Result<StoreProposal, ApiError> {
        let reader = st.warehouse.reader()?;
        // A connection of its own: WAL readers never wait for, nor block, other requests.
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(propose(&st.tenant, &app, &reader, &req)?)
    })
    .await??;
    if let Some(codes) = codigos {
        proposal.productos.retain(|l| codes.iter().any(|c| c.trim() == l.codigo_producto.as_str()));
    }
    if !explicacion {
        proposal.productos.iter_mut().for_each(|l| l.explicacion.left_out = true);
    }
    Ok(Json(proposal))
}
