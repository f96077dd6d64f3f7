//! `GET /api/admin/backups` (spec 50 §14.2): the tenant's backups with kind, size, age,
//! schema versions and whether they hold the warehouse. Verification (SHA-256 of every
//! file) is `fluxion backup verify <id>` on the host: too slow for a page load.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::AppState;

/// One backup of the tenant.
#[derive(Debug, Serialize, ToSchema)]
pub struct BackupItem {
    pub age_hours: f64,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub id: String,
    /// Why it was taken (retention keeps each kind separately).
    #[schema(value_type = String)]
    pub kind: crate::ops::backup::Kind,
    pub release: String,
    #[schema(value_type = Object)]
    pub schema: crate::ops::backup::SchemaVersions,
    pub size_bytes: u64,
    /// Whether it holds the warehouse.
    pub warehouse: bool,
}

/// `GET /api/admin/backups`: newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Backups {
    pub backup_dir: String,
    pub items: Vec<BackupItem>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Backups>, ApiError> {
    let dir = state.tenant.backup_dir.clone();
    let all = tokio::task::spawn_blocking(move || crate::ops::backup::list(&dir)).await?;
    let now = chrono::Utc::now();
    let items = all
        .iter()
        .rev()
        .map(|(_, m)| BackupItem {
            age_hours: (now - m.created_at).num_minutes() as f64 / 60.0,
            created_at: m.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            id: m.id.clone(),
            kind: m.kind,
            release: m.release.clone(),
            schema: m.schema.clone(),
            size_bytes: m.size(),
            warehouse: m.has_warehouse(),
        })
        .collect();
    Ok(Json(Backups { backup_dir: state.tenant.backup_dir.display().to_string(), items }))
}
