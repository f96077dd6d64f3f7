//! `GET /api/ubicaciones`: the tenant's active locations, as the caller may see them.

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;

pub async fn list(State(state): State<AppState>, Extension(user): Extension<AuthUser>) -> Result<Json<Value>, ApiError> {
    let rows: Vec<Value> = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.active && user.sees_location(&s.id, s.is_cedi()))
        .map(|s| {
            let (apertura, cierre) = s.hours();
            json!({
                "id": s.id, "nombre": s.name, "tipo": s.kind, "region": s.region, "ciudad": s.city,
                "hora_apertura": apertura, "hora_cierre": cierre, "sistema_pos": s.pos,
                "visible_pedidos": s.visible_pedidos.unwrap_or(s.is_cedi()),
                "visible_reportes": s.visible_reportes, "visible_dashboards": s.visible_dashboards,
                // The CEDIs that replenish a store (the order wizard offers these pairs).
                "abastecida_por": if s.is_cedi() { Vec::new() } else { crate::replenishment::supplying_cedis(&state.tenant, s) },
            })
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}
