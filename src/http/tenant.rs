//! `GET /api/tenant` (public branding, locale, features, maintenance) and the branding files.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::ApiError;
use super::AppState;
use crate::domain::maintenance::active_window;

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthPolicy {
    pub password_min_length: u32,
}

/// The maintenance window of tenant.toml in force now (the manual switch is `/api/maintenance`).
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowNow {
    pub active: bool,
    pub ends_at: Option<String>,
    pub message: Option<String>,
}

/// `GET /api/tenant`: branding, locale, features and maintenance, for the login screen.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantInfo {
    pub app_title: String,
    pub auth: AuthPolicy,
    pub currency: String,
    pub display_name: String,
    pub favicon_url: Option<&'static str>,
    /// The `[features]` switches of tenant.toml, by name.
    #[serde(serialize_with = "super::reply::sorted_keys")]
    #[schema(value_type = std::collections::BTreeMap<String, bool>)]
    pub features: crate::config::Features,
    pub id: String,
    pub locale: String,
    pub logo_url: Option<&'static str>,
    pub maintenance: WindowNow,
    pub primary_color: String,
    pub secondary_color: String,
    pub secondary_currency: Option<String>,
    pub timezone: String,
}

pub async fn tenant_info(State(state): State<AppState>) -> Json<TenantInfo> {
    let f = &state.tenant.file;
    let now_local = state.tenant.now_local();
    let maintenance = active_window(&state.tenant.maintenance, now_local);
    Json(TenantInfo {
        app_title: f.branding.app_title.clone(),
        auth: AuthPolicy { password_min_length: f.auth.password_min_length },
        currency: f.tenant.currency.clone(),
        display_name: f.tenant.display_name.clone(),
        favicon_url: f.branding.favicon.as_ref().map(|_| "/branding/favicon"),
        features: f.features.clone(),
        id: f.tenant.id.clone(),
        locale: f.tenant.locale.clone(),
        logo_url: f.branding.logo.as_ref().map(|_| "/branding/logo"),
        maintenance: WindowNow {
            active: maintenance.is_some(),
            ends_at: maintenance.as_ref().and_then(|m| m.ends_at).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
            message: maintenance.as_ref().map(|m| m.message.clone()),
        },
        primary_color: f.branding.primary_color.clone(),
        secondary_color: f.branding.secondary_color.clone(),
        secondary_currency: f.tenant.secondary_currency.clone(),
        timezone: f.tenant.timezone.clone(),
    })
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
