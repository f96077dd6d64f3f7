//! `GET /api/admin/backups` (spec 50 §14.2): the tenant's backups with kind, size, age,
//! schema versions and whether they hold the warehouse. Verification (SHA-256 of every
//! file) is `fluxion backup verify <id>` on the host: too slow for a page load.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::error::ApiError;
use super::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let dir = state.tenant.backup_dir.clone();
    let all = tokio::task::spawn_blocking(move || crate::ops::backup::list(&dir)).await?;
    let now = chrono::Utc::now();
    let items: Vec<Value> = all
        .iter()
        .rev()
        .map(|(_, m)| {
            json!({
                "id": m.id,
                "kind": m.kind,
                "created_at": m.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "age_hours": (now - m.created_at).num_minutes() as f64 / 60.0,
                "size_bytes": m.size(),
                "warehouse": m.has_warehouse(),
                "schema": m.schema,
                "release": m.release,
            })
        })
        .collect();
    Ok(Json(json!({"backup_dir": state.tenant.backup_dir.display().to_string(), "items": items})))
}
