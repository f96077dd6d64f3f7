//! Liveness, readiness and version (spec 50 §13).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{error::ApiError, AppState};
use crate::{appdb, warehouse};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Schema versions of the two stores.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaVersions {
    pub app: i64,
    pub warehouse: i64,
}

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Local instant of the newest sale line (`YYYY-MM-DDTHH:MM:SS`).
    pub last_data_at: Option<String>,
    pub release: &'static str,
    pub schema: SchemaVersions,
    pub status: &'static str,
    pub tenant: String,
    pub version: &'static str,
}

/// Which store answered at `/readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoresReady {
    pub duckdb: bool,
    pub migrated: bool,
    pub sqlite: bool,
}

/// The last successful load of one ETL job against `[health].etl_max_age_minutes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobAge {
    pub age_minutes: Option<i64>,
    /// UTC, RFC 3339.
    pub last_success: Option<String>,
    pub stale: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EtlAges {
    pub inventario: JobAge,
    pub max_age_minutes: i64,
    pub ventas: JobAge,
}

/// UTC instants (RFC 3339) of the last successful load per job.
#[derive(Debug, Serialize, ToSchema)]
pub struct LastSuccess {
    pub inventario: Option<String>,
    pub ventas: Option<String>,
}

/// `GET /readyz` (200 ready, 503 not).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub db: StoresReady,
    pub etl: EtlAges,
    pub last_success: LastSuccess,
    pub release: &'static str,
    /// `ok` or `unavailable`.
    pub status: &'static str,
    pub tenant: String,
    pub version: &'static str,
}

/// `GET /api/version`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    pub git_sha: &'static str,
    pub schema_version: SchemaVersions,
    pub version: &'static str,
}

/// `GET /healthz`: the process serves HTTP; also reports version, schema versions and the
/// timestamp of the newest sale line, so ops can see freshness at a glance.
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let wh = state.warehouse.clone();
    let (wh_version, last_sale) = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let r = wh.reader()?;
        let v: i64 = r.query_row("SELECT max(version) FROM fluxion_schema", [], |row| row.get(0))?;
        Ok((v, warehouse::summary::last_sale_at(&r)?))
    })
    .await??;
    let app_version = state.with_app_db(|c| Ok(appdb::schema_version(c)?)).await?;
    Ok(Json(Health {
        last_data_at: last_sale.map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        release: crate::ops::release::release(),
        schema: SchemaVersions { app: app_version, warehouse: wh_version },
        status: "ok",
        tenant: state.tenant.id().to_string(),
        version: VERSION,
    }))
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
        JobAge {
            age_minutes: age,
            last_success: last.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            stale: age.map(|a| a > max_age),
        }
    };
    let body = Readiness {
        db: StoresReady { duckdb: duck.is_some(), migrated, sqlite: sqlite.is_some() },
        etl: EtlAges { inventario: job("inventario"), max_age_minutes: max_age, ventas: job("ventas") },
        last_success: LastSuccess {
            inventario: etl_last.get("inventario").map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            ventas: etl_last.get("ventas").map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        },
        release: crate::ops::release::release(),
        status: if ok { "ok" } else { "unavailable" },
        tenant: state.tenant.id().to_string(),
        version: VERSION,
    };
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

pub async fn version() -> Json<Version> {
    Json(Version {
        git_sha: option_env!("FLUXION_GIT_SHA").unwrap_or("unknown"),
        schema_version: SchemaVersions { app: appdb::SCHEMA_VERSION, warehouse: warehouse::SCHEMA_VERSION },
        version: VERSION,
    })
}
