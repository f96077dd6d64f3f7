//! What a store is losing: *Agotados visuales* (spec 40 §6.4) with its badge, and *Ventas
//! perdidas* V3 (§6.5). Store managers see only their stores.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, visible_store, QueryParams};
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::session::AuthUser;
use super::AppState;
use crate::domain::lost_sales::Thresholds;
use crate::sales::lost::{LostSales, PeriodError, Request};
use crate::sales::stockouts::VisualStockouts;

/// An active store the caller may see, and an almacén of it when one is named.
fn store_and_almacen(state: &AppState, user: &AuthUser, id: &str, almacen: Option<String>) -> Result<(String, Option<String>), ApiError> {
    let store = visible_store(state, user, id)?;
    let almacen = match non_empty(almacen) {
        None => None,
        Some(a) if store.warehouses().any(|w| w.codigo == a) => Some(a),
        Some(a) => return Err(invalid("almacen_codigo", format!("«{a}» no es un almacén de {}", store.name))),
    };
    Ok((store.id.clone(), almacen))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockoutQuery {
    almacen_codigo: Option<String>,
}

async fn stockouts(state: &AppState, user: &AuthUser, id: &str, q: StockoutQuery) -> Result<Arc<VisualStockouts>, ApiError> {
    let (store, almacen) = store_and_almacen(state, user, id, q.almacen_codigo)?;
    let st = state.clone();
    let now = state.tenant.now_local();
    tokio::task::spawn_blocking(move || Ok(st.stockouts.get(&st.tenant, &st.warehouse, &store, almacen.as_deref(), now)?)).await?
}

/// `GET /api/ventas/agotados-visuales/{ubicacion_id}`.
pub async fn visual_stockouts(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<StockoutQuery>,
) -> Result<axum::response::Response, ApiError> {
    Ok(Json(&*stockouts(&state, &user, &id, q).await?).into_response())
}

#[derive(Debug, Serialize)]
pub struct Count {
    ubicacion_id: String,
    total: usize,
    criticos: usize,
}

/// `GET /api/ventas/agotados-visuales/{ubicacion_id}/count`: every alert, not only the
/// 100 the list shows.
pub async fn visual_stockouts_count(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<StockoutQuery>,
) -> Result<Json<Count>, ApiError> {
    let s = stockouts(&state, &user, &id, q).await?;
    Ok(Json(Count { ubicacion_id: s.ubicacion_id.clone(), total: s.total_alertas, criticos: s.totales.critico }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LostQuery {
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
    dias_historico: Option<u32>,
    umbral_critico: Option<f64>,
    umbral_alto: Option<f64>,
    umbral_medio: Option<f64>,
}

impl LostQuery {
    /// Default period: the last 7 complete days.
    fn request(self, store: String, today: NaiveDate) -> Result<Request, ApiError> {
        let ayer = today - Duration::days(1);
        let fin = non_empty(self.fecha_fin).map(|s| parse_date("fecha_fin", &s)).transpose()?.unwrap_or(ayer);
        let inicio = non_empty(self.fecha_inicio).map(|s| parse_date("fecha_inicio", &s)).transpose()?.unwrap_or(fin - Duration::days(6));
        if (fin - inicio).num_days() + 1 > 92 {
            return Err(invalid("fecha_inicio", "El periodo no puede pasar de 92 días"));
        }
        let dias_historico = self.dias_historico.unwrap_or(30);
        if !(7..=180).contains(&dias_historico) {
            return Err(invalid("dias_historico", "dias_historico debe estar entre 7 y 180"));
        }
        let d = Thresholds::default();
        let umbrales = Thresholds {
            critico: self.umbral_critico.unwrap_or(d.critico),
            alto: self.umbral_alto.unwrap_or(d.alto),
            medio: self.umbral_medio.unwrap_or(d.medio),
        };
        umbrales.validate().map_err(|m| invalid("umbrales", m))?;
        Request::new(store, inicio, fin, dias_historico, umbrales, today).map_err(|e| match e {
            PeriodError::Reversed { .. } => invalid("fecha_fin", e.to_string()),
            PeriodError::Today { .. } => invalid("fecha_inicio", e.to_string()),
        })
    }
}

/// `GET /api/ventas/ventas-perdidas-v3/{ubicacion_id}`.
pub async fn lost_sales(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<LostQuery>,
) -> Result<axum::response::Response, ApiError> {
    let (store, _) = store_and_almacen(&state, &user, &id, None)?;
    let mut r = q.request(store.clone(), state.tenant.today())?;
    r.atipicos = state.with_app_db(move |c| Ok(crate::appdb::inventory_settings::atypical_days(c, &store)?)).await?;
    let st = state.clone();
    let lost: Arc<LostSales> = tokio::task::spawn_blocking(move || st.lost_sales.get(&st.tenant, &st.warehouse, &r)).await??;
    Ok(Json(&*lost).into_response())
}
