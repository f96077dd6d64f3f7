//! `GET /api/tenant` (public branding, locale, features, maintenance) and the branding files.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::error::ApiError;
use super::AppState;
use crate::domain::maintenance::active_window;

pub async fn tenant_info(State(state): State<AppState>) -> Json<Value> {
    let f = &state.tenant.file;
    let now_local = state.tenant.now_local();
    let maintenance = active_window(&state.tenant.maintenance, now_local);
    Json(json!({
        "id": f.tenant.id,
        "display_name": f.tenant.display_name,
        "app_title": f.branding.app_title,
        "logo_url": f.branding.logo.as_ref().map(|_| "/branding/logo"),
        "favicon_url": f.branding.favicon.as_ref().map(|_| "/branding/favicon"),
        "primary_color": f.branding.primary_color,
        "secondary_color": f.branding.secondary_color,
        "locale": f.tenant.locale,
        "timezone": f.tenant.timezone,
        "currency": f.tenant.currency,
        "secondary_currency": f.tenant.secondary_currency,
        "features": f.features,
        "auth": {"password_min_length": f.auth.password_min_length},
        "maintenance": {
            "active": maintenance.is_some(),
            "message": maintenance.as_ref().map(|m| m.message.clone()),
            "ends_at": maintenance.as_ref().and_then(|m| m.ends_at).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        },
    }))
}

async fn branding_file(state: &AppState, rel: &Option<String>) -> Response {
    let Some(path) = state.tenant.branding_path(rel) else {
        return ApiError::NotFound.into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut resp = bytes.into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, super::assets::content_type(&path.to_string_lossy()));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
            resp
        }
        Err(_) => ApiError::NotFound.into_response(),
    }
}

pub async fn logo(State(state): State<AppState>) -> Response {
    let rel = state.tenant.file.branding.logo.clone();
    branding_file(&state, &rel).await
}

pub async fn favicon(State(state): State<AppState>) -> Response {
    let rel = state.tenant.file.branding.favicon.clone();
    branding_file(&state, &rel).await
}
