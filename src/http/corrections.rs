//! *Centro de Comando de Corrección* (spec 40 §7.5): `GET /api/stock/anomalias/{id}` (+
//! `/count`), `POST /api/stock/ajustes` and `GET /api/stock/ajustes`. Store-scoped.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{invalid, visible_location as location, JsonBody, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::adjustments::{self, Adjustment};
use crate::inventory::corrections::{self, Anomaly, Count, Recorded};

fn almacen(state: &AppState, loc: &str, a: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(a) = a.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) else { return Ok(None) };
    let known = state.tenant.stores().iter().filter(|s| s.id == loc).flat_map(|s| s.warehouses()).any(|w| w.codigo == a);
    if !known {
        return Err(invalid("almacen", format!("El almacén «{a}» no es de {loc}")));
    }
    Ok(Some(a))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyQuery {
    almacen: Option<String>,
}

#[derive(Serialize)]
pub struct Anomalies<'a> {
    ubicacion_id: String,
    total: usize,
    negativos: usize,
    ventas_zombie: usize,
    items: &'a [Anomaly],
    nota: &'static str,
}

const POS_NOTE: &str =
    "Fluxion registra el conteo físico, pero no modifica el inventario del POS: la corrección también debe ingresarse en el POS.";

/// The location's anomalies (kept for the day while the data is unchanged).
async fn list_anomalies(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    q: AnomalyQuery,
) -> Result<(String, std::sync::Arc<Vec<Anomaly>>), ApiError> {
    let loc = location(state, user, id)?;
    let almacen = almacen(state, &loc, q.almacen)?;
    let st = state.clone();
    let now = state.tenant.now_local();
    let l = loc.clone();
    let items =
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(st.anomalies.get(&st.warehouse, &l, almacen.as_deref(), now)?) })
            .await??;
    Ok((loc, items))
}

fn negatives(items: &[Anomaly]) -> usize {
    items.iter().filter(|a| a.tipo == corrections::AnomalyKind::StockNegativo).count()
}

pub async fn anomalies(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<AnomalyQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let (loc, items) = list_anomalies(&state, &user, &id, q).await?;
    let n = negatives(&items);
    let body =
        Anomalies { ubicacion_id: loc, total: items.len(), negativos: n, ventas_zombie: items.len() - n, items: &items, nota: POS_NOTE };
    Ok(Json(body).into_response())
}

#[derive(Serialize)]
pub struct Badge {
    total: usize,
    negativos: usize,
    ventas_zombie: usize,
}

/// The badge: the same items as the list (the earlier system counted zombies it never listed).
pub async fn anomaly_count(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<AnomalyQuery>,
) -> Result<Json<Badge>, ApiError> {
    let (_, items) = list_anomalies(&state, &user, &id, q).await?;
    let n = negatives(&items);
    Ok(Json(Badge { total: items.len(), negativos: n, ventas_zombie: items.len() - n }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountBody {
    ubicacion_id: String,
    almacen: Option<String>,
    ajustes: Vec<Count>,
}

#[derive(Serialize)]
pub struct RecordedResponse {
    #[serde(flatten)]
    recorded: Recorded,
    mensaje: String,
    nota: &'static str,
}

pub async fn record(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<CountBody>,
) -> Result<Json<RecordedResponse>, ApiError> {
    let loc = location(&state, &user, &b.ubicacion_id)?;
    let almacen = almacen(&state, &loc, b.almacen)?;
    if b.ajustes.is_empty() {
        return Err(invalid("ajustes", "No hay conteos que registrar"));
    }
    if b.ajustes.len() > 5000 {
        return Err(invalid("ajustes", "Como máximo 5000 conteos por lote"));
    }
    for c in &b.ajustes {
        let code = c.producto_codigo.trim();
        if code.is_empty() || code.chars().count() > 50 {
            return Err(invalid("producto_codigo", format!("Código de producto inválido: «{}»", c.producto_codigo)));
        }
        if !c.conteo.is_finite() || c.conteo < 0.0 {
            return Err(invalid("conteo", format!("El conteo de {code} debe ser un número mayor o igual que 0")));
        }
    }
    let st = state.clone();
    let username = user.username.clone();
    let recorded = tokio::task::spawn_blocking(move || -> Result<Recorded, ApiError> {
        let mut app = crate::appdb::connect(&st.app_db_path)?;
        Ok(corrections::record(&st.tenant, &mut app, &st.warehouse, (&loc, almacen.as_deref()), &b.ajustes, &username)?)
    })
    .await??;
    let mensaje = match recorded.registrados {
        0 => "Ningún conteo difiere del sistema: no se registró nada".to_string(),
        1 => format!("1 diferencia registrada en el lote {}", recorded.lote),
        n => format!("{n} diferencias registradas en el lote {}", recorded.lote),
    };
    Ok(Json(RecordedResponse { recorded, mensaje, nota: POS_NOTE }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    ubicacion_id: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<ListQuery>,
) -> Result<Json<Vec<Adjustment>>, ApiError> {
    let loc = location(&state, &user, &q.ubicacion_id)?;
    let rows = state.with_app_db(move |conn| Ok(adjustments::list(conn, &loc, 500)?)).await?;
    Ok(Json(rows))
}
