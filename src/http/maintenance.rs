//! Maintenance mode (spec 50 §12.2): `GET /api/maintenance` (public), `PUT
//! /api/admin/maintenance` (super admin switch, stored in `configuraciones`, auto-expiring),
//! and the write guard: while active, non-GET requests of anyone but a super admin get
//! **503** `maintenance` with `Retry-After`. GETs keep working; scheduled jobs are not
//! affected (maintenance exists for them).

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::domain::access::Role;
use crate::domain::maintenance::active_window;

const TIPO: &str = "mantenimiento";
const CLAVE: &str = "manual";
/// Retry-After for a manual switch without an end.
const DEFAULT_RETRY_SECONDS: i64 = 300;
/// Writes that stay open during maintenance (a super admin must be able to sign in).
const EXEMPT: &[&str] = &["/api/auth/login", "/api/auth/logout"];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManualSwitch {
    active: bool,
    message: Option<String>,
    until: Option<DateTime<Utc>>,
    started_at: DateTime<Utc>,
    by: String,
}

/// The maintenance in force right now, if any.
#[derive(Debug, Clone)]
pub struct Current {
    pub source: &'static str,
    pub message: String,
    pub started_at: Option<String>,
    /// Local wall-clock end, when known.
    pub ends_at: Option<NaiveDateTime>,
    /// Seconds until the end, when known.
    pub remaining_seconds: Option<i64>,
}

fn read_switch(conn: &rusqlite::Connection) -> rusqlite::Result<Option<ManualSwitch>> {
    let text: Option<String> = conn
        .query_row("SELECT config FROM configuraciones WHERE tipo = ?1 AND clave = ?2 AND activo = 1", [TIPO, CLAVE], |r| r.get(0))
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// Manual switch (if on and not expired) wins over the windows of tenant.toml.
pub fn current(state: &AppState, conn: &rusqlite::Connection, now: DateTime<Utc>) -> rusqlite::Result<Option<Current>> {
    let tz = state.tenant.timezone;
    if let Some(sw) = read_switch(conn)?.filter(|s| s.active && s.until.is_none_or(|u| u > now)) {
        return Ok(Some(Current {
            source: "manual",
            message: sw.message.unwrap_or_else(|| "Sistema en mantenimiento, vuelva más tarde.".into()),
            started_at: Some(sw.started_at.with_timezone(&tz).naive_local().format("%Y-%m-%dT%H:%M:%S").to_string()),
            ends_at: sw.until.map(|u| u.with_timezone(&tz).naive_local()),
            remaining_seconds: sw.until.map(|u| (u - now).num_seconds().max(1)),
        }));
    }
    let now_local = now.with_timezone(&tz).naive_local();
    Ok(active_window(&state.tenant.maintenance, now_local).map(|w| Current {
        source: "window",
        message: w.message,
        started_at: None,
        remaining_seconds: w.ends_at.map(|e| (e - now_local).num_seconds().max(1)),
        ends_at: w.ends_at,
    }))
}

/// What `GET /api/maintenance` answers (and a write refused during maintenance carries).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaintenanceStatus {
    pub active: bool,
    /// Local wall-clock end (`YYYY-MM-DDTHH:MM:SS`), when known.
    pub ends_at: Option<String>,
    pub message: Option<String>,
    pub minutes_remaining: Option<i64>,
    /// `manual` (the switch) or `window` (a window of tenant.toml).
    pub source: Option<&'static str>,
    pub started_at: Option<String>,
    pub timezone: String,
}

fn status_of(state: &AppState, m: Option<&Current>) -> MaintenanceStatus {
    MaintenanceStatus {
        active: m.is_some(),
        ends_at: m.and_then(|m| m.ends_at).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        message: m.map(|m| m.message.clone()),
        minutes_remaining: m.and_then(|m| m.remaining_seconds).map(|s| (s + 59) / 60),
        source: m.map(|m| m.source),
        started_at: m.and_then(|m| m.started_at.clone()),
        timezone: state.tenant.file.tenant.timezone.clone(),
    }
}

/// `GET /api/maintenance` (public): what the UI polls every 2 minutes.
pub async fn status(State(state): State<AppState>) -> Result<Json<MaintenanceStatus>, ApiError> {
    let st = state.clone();
    let m = state.with_app_db(move |c| current(&st, c, Utc::now()).map_err(ApiError::internal)).await?;
    Ok(Json(status_of(&state, m.as_ref())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    active: bool,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    until: Option<DateTime<Utc>>,
}

/// `PUT /api/admin/maintenance {active, message, until}` (super admin).
#[allow(clippy::expect_used)] // a struct of booleans and strings always serialises
pub async fn switch(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<SwitchBody>,
) -> Result<Json<MaintenanceStatus>, ApiError> {
    let now = Utc::now();
    if let Some(m) = &b.message {
        if m.trim().is_empty() || m.chars().count() > 500 {
            return Err(ApiError::Validation { field: "message".into(), message: "El mensaje debe tener entre 1 y 500 caracteres".into() });
        }
    }
    if b.until.is_some_and(|u| u <= now) {
        return Err(ApiError::Validation { field: "until".into(), message: "La hora de fin debe ser futura".into() });
    }
    let sw = ManualSwitch { active: b.active, message: b.message, until: b.until, started_at: now, by: by.username.clone() };
    let st = state.clone();
    let m = state
        .with_app_db(move |conn| {
            conn.execute(
                "INSERT INTO configuraciones (tipo, clave, nombre, config, activo, updated_at)
                 VALUES (?1, ?2, 'Mantenimiento manual', ?3, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                 ON CONFLICT (tipo, clave) DO UPDATE SET config = excluded.config, activo = 1, updated_at = excluded.updated_at",
                rusqlite::params![TIPO, CLAVE, serde_json::to_string(&sw).expect("serialisable")],
            )
            .map_err(ApiError::internal)?;
            crate::appdb::audit::append(
                conn,
                &crate::appdb::audit::Entry {
                    usuario: Some(&by.username),
                    ip: by.ip.as_deref(),
                    accion: if sw.active { "mantenimiento_activar" } else { "mantenimiento_desactivar" },
                    entidad: Some("mantenimiento"),
                    entidad_id: None,
                    detalle: Some(json!({"message": sw.message, "until": sw.until})),
                },
            )?;
            current(&st, conn, Utc::now()).map_err(ApiError::internal)
        })
        .await?;
    Ok(Json(status_of(&state, m.as_ref())))
}

/// Route layer: runs after `authorize`, so the caller (if any) is known.
pub async fn guard(State((state, path)): State<(AppState, &'static str)>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || EXEMPT.contains(&path) {
        return next.run(req).await;
    }
    if req.extensions().get::<AuthUser>().is_some_and(|u| u.role == Role::SuperAdmin) {
        return next.run(req).await;
    }
    let st = state.clone();
    let m = match state.with_app_db(move |c| current(&st, c, Utc::now()).map_err(ApiError::internal)).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let Some(m) = m else { return next.run(req).await };
    let retry_after = m.remaining_seconds.unwrap_or(DEFAULT_RETRY_SECONDS).max(1).unsigned_abs();
    ApiError::Maintenance { message: m.message.clone(), retry_after, status: Box::new(status_of(&state, Some(&m))) }.into_response()
}
