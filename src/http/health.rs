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
        "tenant": state.tenant.id(),
        "schema": {"app": app_version, "warehouse": wh_version},
        "last_data_at": last_sale.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
    })))
}

/// `GET /readyz`: 200 only when both stores answer a trivial query.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let wh = state.warehouse.clone();
    let duck = tokio::task::spawn_blocking(move || wh.reader().map(|r| r.execute_batch("SELECT 1").is_ok()).unwrap_or(false))
        .await
        .unwrap_or(false);
    let sqlite = state.with_app_db(|c| Ok(c.execute_batch("SELECT 1").is_ok())).await.unwrap_or(false);
    let ok = duck && sqlite;
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "version": VERSION,
        "tenant": state.tenant.id(),
        "db": {"sqlite": sqlite, "duckdb": duck},
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
