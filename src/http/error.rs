//! The one place where errors become HTTP responses: `{"detail": <Spanish>, "code": <snake_case>}`.
//! Internal causes are logged, never sent to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("host not allowed")]
    HostNotAllowed,
    #[error("tenant mismatch")]
    TenantMismatch,
    #[error("validation: {field}: {message}")]
    Validation { field: String, message: String },
    #[error("internal: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::Internal(e.to_string())
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "Recurso no encontrado".into()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::HostNotAllowed => (StatusCode::MISDIRECTED_REQUEST, "host_not_allowed", "Host no permitido".into()),
            ApiError::TenantMismatch => {
                (StatusCode::BAD_REQUEST, "tenant_mismatch", "El encabezado X-Tenant-ID no corresponde a esta instalación".into())
            }
            ApiError::Validation { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, "validation_error", message.clone()),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Error interno del servidor".into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = self.parts();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = match &self {
            ApiError::Validation { field, message } => json!({
                "detail": detail, "code": code, "errors": [{"field": field, "message": message}]
            }),
            _ => json!({"detail": detail, "code": code}),
        };
        (status, Json(body)).into_response()
    }
}

impl From<crate::warehouse::WarehouseError> for ApiError {
    fn from(e: crate::warehouse::WarehouseError) -> Self {
        ApiError::internal(e)
    }
}

impl From<duckdb::Error> for ApiError {
    fn from(e: duckdb::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<crate::appdb::AppDbError> for ApiError {
    fn from(e: crate::appdb::AppDbError) -> Self {
        ApiError::internal(e)
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(e)
    }
}
