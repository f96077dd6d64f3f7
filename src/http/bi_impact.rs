//! *Impacto Fluxion* over HTTP (spec 40 §3.8; `/api/bi/impact/…`, feature `bi`). Reading is
//! `bi.ver`; activating or deactivating a store is `admin.sistema`: it records the store's
//! go-live with Fluxion (a fact of the rollout, like the stores view of the same capability),
//! not an inventory parameter that changes a calculation (`admin.parametros`). Every change
//! is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::{non_empty, JsonBody};
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::{activation, audit};
use crate::bi::impact::{self, ImpactByStore, ImpactSummary};

/// `GET /api/bi/impact/summary`: totals of the active stores and per region.
pub async fn summary(State(state): State<AppState>) -> Result<Json<ImpactSummary>, ApiError> {
    let st = state.clone();
    let rows = state.with_app_db(|c| Ok(activation::active(c)?)).await?;
    Ok(Json(tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(impact::summary(&st.tenant, &st.warehouse, &rows)?) }).await??))
}

/// `GET /api/bi/impact/by-store`: each active store, most capital freed first.
pub async fn by_store(State(state): State<AppState>) -> Result<Json<ImpactByStore>, ApiError> {
    let st = state.clone();
    let rows = state.with_app_db(|c| Ok(activation::active(c)?)).await?;
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(impact::by_store(&st.tenant, &st.warehouse, &rows)?) }).await??,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivationView {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub fecha_activacion: NaiveDate,
    /// USD at cost, 2 dp.
    pub stock_baseline: f64,
    pub baseline_origen: String,
    pub activo: bool,
    pub actualizado_por: String,
    pub actualizado_en: String,
}

fn view(state: &AppState, r: &activation::ActivationRow) -> ActivationView {
    let store = state.tenant.stores().iter().find(|s| s.id == r.ubicacion_id);
    ActivationView {
        ubicacion_id: r.ubicacion_id.clone(),
        nombre: store.map_or_else(|| r.ubicacion_id.clone(), |s| s.name.clone()),
        region: store.map_or_else(String::new, |s| s.region.clone()),
        fecha_activacion: r.fecha_activacion,
        stock_baseline: crate::domain::sales::round_half_away(r.stock_baseline, 2),
        baseline_origen: r.baseline_origen.clone(),
        activo: r.activo,
        actualizado_por: r.actualizado_por.clone(),
        actualizado_en: r.actualizado_en.clone(),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Activations {
    pub activaciones: Vec<ActivationView>,
}

/// `GET /api/bi/impact/activaciones`: every store ever activated (active or not).
pub async fn list(State(state): State<AppState>) -> Result<Json<Activations>, ApiError> {
    let st = state.clone();
    let rows = state.with_app_db(|c| Ok(activation::list(c)?)).await?;
    Ok(Json(Activations { activaciones: rows.iter().map(|r| view(&st, r)).collect() }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    ubicacion_id: String,
    /// YYYY-MM-DD, not after today; default today (tenant's local date).
    fecha_activacion: Option<String>,
}

fn record(conn: &rusqlite::Connection, user: &AuthUser, accion: &str, r: &activation::ActivationRow) -> Result<(), ApiError> {
    audit::append(
        conn,
        &audit::Entry {
            usuario: Some(&user.username),
            ip: user.ip.as_deref(),
            accion,
            entidad: Some("tienda_fluxion"),
            entidad_id: Some(&r.ubicacion_id),
            detalle: serde_json::to_value(r).ok(),
        },
    )?;
    Ok(())
}

/// `POST /api/bi/impact/activaciones {ubicacion_id, fecha_activacion?}`: 201 with the store's
/// activation and its frozen baseline. A store deactivated earlier and activated again without
/// a new date (or with the same one) keeps its baseline (200); another date freezes a new one.
/// An already active store → 409 `ya_activa`.
pub async fn activate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<ActivateBody>,
) -> Result<(StatusCode, Json<ActivationView>), ApiError> {
    let id = b.ubicacion_id.trim().to_string();
    let fecha = match non_empty(b.fecha_activacion) {
        Some(s) => Some(parse_date("fecha_activacion", &s)?),
        None => None,
    };
    let st = state.clone();
    let (status, row) = state
        .with_app_db(move |conn| {
            let existing = activation::get(conn, &id)?;
            if let Some(e) = &existing {
                if e.activo {
                    return Err(ApiError::Conflict {
                        code: "ya_activa",
                        detail: format!("La tienda «{id}» ya está activa con Fluxion desde el {}", e.fecha_activacion.format("%d/%m/%Y")),
                    });
                }
                if fecha.is_none_or(|f| f == e.fecha_activacion) {
                    let row = activation::set_active(conn, &id, true, &user.username)?.ok_or(ApiError::NotFound)?;
                    record(conn, &user, "fluxion_reactivar", &row)?;
                    return Ok((StatusCode::OK, row));
                }
            }
            let fecha = fecha.unwrap_or_else(|| st.tenant.today());
            let b = impact::baseline(&st.tenant, &st.warehouse, &id, fecha)?;
            let row = activation::activate(conn, &b.ubicacion_id, b.fecha_activacion, b.stock_baseline, b.origen.as_str(), &user.username)?;
            record(conn, &user, "fluxion_activar", &row)?;
            Ok((StatusCode::CREATED, row))
        })
        .await?;
    tracing::info!(store = %row.ubicacion_id, baseline = row.stock_baseline, origen = %row.baseline_origen, "store activated with Fluxion");
    Ok((status, Json(view(&state, &row))))
}

/// `DELETE /api/bi/impact/activaciones/{ubicacion_id}`: the store leaves the impact (its row
/// and baseline are kept). 404 for a store never activated.
pub async fn deactivate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<ActivationView>, ApiError> {
    let row = state
        .with_app_db(move |conn| {
            let row = activation::set_active(conn, id.trim(), false, &user.username)?
                .ok_or_else(|| ApiError::Missing(format!("La tienda «{}» no está activada con Fluxion", id.trim())))?;
            record(conn, &user, "fluxion_desactivar", &row)?;
            Ok(row)
        })
        .await?;
    Ok(Json(view(&state, &row)))
}
