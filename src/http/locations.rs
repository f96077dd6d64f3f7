//! `GET /api/ubicaciones`: the tenant's active locations, as the caller may see them;
//! `GET /api/ubicaciones/{id}/stock-params`: a location's stock parameters in days.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::{invalid, visible_location};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::inventory_settings as settings;
use crate::config::Store;
use crate::domain::replenishment::ParamConfig;
use crate::domain::stock_params::{self, ResolvedStockParams, StockParams};

/// One location of `GET /api/ubicaciones`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationItem {
    /// The CEDIs that replenish a store (the order wizard offers these pairs); empty for a CEDI.
    pub abastecida_por: Vec<String>,
    pub ciudad: Option<String>,
    pub hora_apertura: String,
    pub hora_cierre: String,
    pub id: String,
    pub nombre: String,
    pub region: String,
    pub sistema_pos: String,
    /// `tienda` or `cedi`.
    pub tipo: String,
    pub visible_dashboards: bool,
    pub visible_pedidos: bool,
    pub visible_reportes: bool,
}

pub async fn list(State(state): State<AppState>, Extension(user): Extension<AuthUser>) -> Result<Json<Vec<LocationItem>>, ApiError> {
    let rows = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.active && user.sees_location(&s.id, s.is_cedi()))
        .map(|s| {
            let (apertura, cierre) = s.hours();
            LocationItem {
                abastecida_por: if s.is_cedi() { Vec::new() } else { crate::replenishment::supplying_cedis(&state.tenant, s) },
                ciudad: s.city.clone(),
                hora_apertura: apertura,
                hora_cierre: cierre,
                id: s.id.clone(),
                nombre: s.name.clone(),
                region: s.region.clone(),
                sistema_pos: s.pos.clone(),
                tipo: s.kind.clone(),
                visible_dashboards: s.visible_dashboards,
                visible_pedidos: s.visible_pedidos.unwrap_or(s.is_cedi()),
                visible_reportes: s.visible_reportes,
            }
        })
        .collect();
    Ok(Json(rows))
}

// ---------------------------------------------------------------------------------------
// Stock parameters in days (spec 50 §7.3)
// ---------------------------------------------------------------------------------------

/// The 15 values of `stock-params`: `stock_{min|seg|max}_mult_{a|ab|b|bc|c}`, in days.
#[derive(Debug, Clone, Serialize)]
pub struct StockMultipliers {
    stock_min_mult_a: f64,
    stock_seg_mult_a: f64,
    stock_max_mult_a: f64,
    stock_min_mult_ab: f64,
    stock_seg_mult_ab: f64,
    stock_max_mult_ab: f64,
    stock_min_mult_b: f64,
    stock_seg_mult_b: f64,
    stock_max_mult_b: f64,
    stock_min_mult_bc: f64,
    stock_seg_mult_bc: f64,
    stock_max_mult_bc: f64,
    stock_min_mult_c: f64,
    stock_seg_mult_c: f64,
    stock_max_mult_c: f64,
}

impl From<&StockParams> for StockMultipliers {
    fn from(p: &StockParams) -> Self {
        StockMultipliers {
            stock_min_mult_a: p.a.min,
            stock_seg_mult_a: p.a.seg,
            stock_max_mult_a: p.a.max,
            stock_min_mult_ab: p.ab.min,
            stock_seg_mult_ab: p.ab.seg,
            stock_max_mult_ab: p.ab.max,
            stock_min_mult_b: p.b.min,
            stock_seg_mult_b: p.b.seg,
            stock_max_mult_b: p.b.max,
            stock_min_mult_bc: p.bc.min,
            stock_seg_mult_bc: p.bc.seg,
            stock_max_mult_bc: p.bc.max,
            stock_min_mult_c: p.c.min,
            stock_seg_mult_c: p.c.seg,
            stock_max_mult_c: p.c.max,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct StockParamsResponse {
    ubicacion_id: String,
    #[serde(flatten)]
    valores: StockMultipliers,
}

/// Where a location's stock parameters come from (spec 50 §7.4: UI override > tenant.toml
/// seed > global default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamsOrigin {
    /// An override saved in the inventory-parameter screens.
    #[serde(rename = "ajuste")]
    Ajuste,
    /// The `[stores.params]` seed of tenant.toml.
    #[serde(rename = "tenant.toml")]
    TenantToml,
    /// The network's global values (or the built-in ones).
    #[serde(rename = "por defecto")]
    PorDefecto,
}

/// A location's stock parameters and their origin, resolved as the order calculation
/// resolves them. Never fails: when the override lookup fails it is logged and the
/// tenant.toml seed (else the defaults) is used instead.
pub fn resolve_stock_params(conn: &rusqlite::Connection, store: &Store) -> (ResolvedStockParams, ParamsOrigin) {
    let looked_up = settings::param_config(conn, &store.id).and_then(|cfg| Ok((cfg, settings::store_params_author(conn, &store.id)?)));
    match looked_up {
        Ok((cfg, author)) => {
            let r = stock_params::resolve_stock_params(&cfg);
            let origin = match (r.de_la_ubicacion, author.as_deref()) {
                (false, _) => ParamsOrigin::PorDefecto,
                (true, Some(settings::SEED_AUTHOR)) => ParamsOrigin::TenantToml,
                (true, _) => ParamsOrigin::Ajuste,
            };
            (r, origin)
        }
        Err(e) => {
            tracing::warn!(ubicacion = %store.id, error = %e, "stock-params: override lookup failed; using the tenant.toml seed or the defaults");
            let cfg = ParamConfig { tienda: store.params.as_ref().map(settings::seed_override), ..ParamConfig::default() };
            let r = stock_params::resolve_stock_params(&cfg);
            let origin = if r.de_la_ubicacion { ParamsOrigin::TenantToml } else { ParamsOrigin::PorDefecto };
            (r, origin)
        }
    }
}

/// `GET /api/ubicaciones/{id}/stock-params`: safety, reorder point and maximum in days per
/// class (A, AB, B, BC, C). Any signed-in user; a store manager only for his stores (CEDIs
/// are visible to everybody).
pub async fn stock_params(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<StockParamsResponse>, ApiError> {
    let id = visible_location(&state, &user, &id)?;
    let store = state
        .tenant
        .stores()
        .iter()
        .find(|s| s.id == id)
        .cloned()
        .ok_or_else(|| invalid("ubicacion_id", format!("«{id}» no es una ubicación activa")))?;
    let (resolved, _) = state.with_app_db(move |conn| Ok(resolve_stock_params(conn, &store))).await?;
    Ok(Json(StockParamsResponse { ubicacion_id: id, valores: StockMultipliers::from(&resolved.dias) }))
}
