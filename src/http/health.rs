//! Liveness, readiness and version (spec 50 §13).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{error::ApiError, AppState};
use crate::{appdb, warehouse};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `GET /healthz`: the process serves HTTP; also reports version, schema versions and the
/// timestamp of the newest sale line, so ops can see freshness at a glance.
pub async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let wh = state.warehouse.clone();
    let (wh_version, last_sale) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let r = wh.reader()?;
        let v: i64 = r.query_row("SELECT max(version) FROM fluxion_schema", [], |row| row.get(0))?;
        Ok((v, warehouse::summary::last_sale_at(&r)?))
    })
    .await??;
    let app_version = state.with_app_db(|c| Ok(appdb::schema_version(c)?)).await?;
    Ok(Json(json!({
        "status": "ok",
        "version": VERSION,
        "release": crate::ops::release::release(),
        "tenant": state.tenant.id(),
        "schema": {"app": app_version, "warehouse": wh_version},
        "last_data_at": last_sale.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
    })))
}

/// `GET /readyz`: 200 only when both stores answer a trivial query and carry the schema
/// this binary migrates to. Also reports the release (what `make deploy` waits for) and the
/// age of the last successful ETL load per job against `[health].etl_max_age_minutes`;
/// staleness is reported, it does not fail readiness (spec 50 §13).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let wh = state.warehouse.clone();
    let duck = tokio::task::spawn_blocking(move || {
        let r = wh.reader().ok()?;
        r.execute_batch("SELECT 1").ok()?;
        r.query_row("SELECT coalesce(max(version), 0) FROM fluxion_schema", [], |row| row.get::<_, i64>(0)).ok()
    })
    .await
    .ok()
    .flatten();
    let sqlite = state
        .with_app_db(|c| {
            c.execute_batch("SELECT 1").map_err(ApiError::internal)?;
            let v = appdb::schema_version(c)?;
            let etl = super::metrics::etl_last_success(c).map_err(ApiError::internal)?;
            Ok((v, etl))
        })
        .await
        .ok();
    let migrated = sqlite.as_ref().is_some_and(|(v, _)| *v == appdb::SCHEMA_VERSION) && duck == Some(warehouse::SCHEMA_VERSION);
    let ok = sqlite.is_some() && duck.is_some() && migrated;
    let max_age = state.tenant.file.health.etl_max_age_minutes as i64;
    let now = chrono::Utc::now();
    let etl_last = sqlite.as_ref().map(|(_, e)| e.clone()).unwrap_or_default();
    let job = |name: &str| {
        let last = etl_last.get(name);
        let age = last.map(|t| (now - *t).num_minutes());
        json!({
            "last_success": last.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "age_minutes": age,
            "stale": age.map(|a| a > max_age),
        })
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "version": VERSION,
        "release": crate::ops::release::release(),
        "tenant": state.tenant.id(),
        "db": {"sqlite": sqlite.is_some(), "duckdb": duck.is_some(), "migrated": migrated},
        "last_success": {
            "inventario": etl_last.get("inventario").map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            "ventas": etl_last.get("ventas").map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        },
        "etl": {"max_age_minutes": max_age, "inventario": job("inventario"), "ventas": job("ventas")},
    });
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

pub async fn version() -> Json<serde_json::Value> {
    Json(json!({
        "version": VERSION,
        "git_sha": option_env!("FLUXION_GIT_SHA").unwrap_or("unknown"),
        "schema_version": {"app": appdb::SCHEMA_VERSION, "warehouse": warehouse::SCHEMA_VERSION},
    }))
}
