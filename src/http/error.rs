//! The one place where errors become HTTP responses: `{"detail": <Spanish>, "code": <snake_case>}`.
//! Internal causes are logged, never sent to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::maintenance::MaintenanceStatus;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    /// A 404 that names what was not found ("Producto 000123 no encontrado").
    #[error("not found: {0}")]
    Missing(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("host not allowed")]
    HostNotAllowed,
    #[error("tenant mismatch")]
    TenantMismatch,
    #[error("validation: {field}: {message}")]
    Validation { field: String, message: String },
    /// A 422 with a specific code (`unknown_role`, `stores_required`…).
    #[error("unprocessable: {code}: {message}")]
    Unprocessable { code: &'static str, field: String, message: String },
    #[error("unauthorized")]
    Unauthorized,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts, retry after {retry_after}s")]
    TooManyAttempts { retry_after: u64 },
    #[error("forbidden")]
    Forbidden,
    #[error("store forbidden")]
    StoreForbidden,
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("cross-site request refused")]
    Csrf,
    /// A CORS preflight from an origin that `[server].allowed_origins` does not list.
    #[error("origin not allowed")]
    CorsForbidden,
    /// A write refused during maintenance (spec 50 §12): the body is the public maintenance
    /// status (`status`, an object) plus `detail` and `code`.
    #[error("maintenance: {message}")]
    Maintenance { message: String, retry_after: u64, status: Box<MaintenanceStatus> },
    /// A 403 for an action the caller's role allows but this case does not (his own order).
    #[error("forbidden: {code}")]
    ForbiddenAction { code: &'static str, detail: String },
    #[error("payload too large")]
    PayloadTooLarge,
    /// A feature the tenant switched off in `[features]` (spec 50 §6.2): its endpoints do not exist.
    #[error("feature disabled: {0}")]
    FeatureDisabled(&'static str),
    #[error("conflict: {code}")]
    Conflict { code: &'static str, detail: String },
    #[error("service unavailable: {0}")]
    Unavailable(String),
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
            ApiError::Missing(m) => (StatusCode::NOT_FOUND, "not_found", m.clone()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "bad_request", m.clone()),
            ApiError::HostNotAllowed => (StatusCode::MISDIRECTED_REQUEST, "host_not_allowed", "Host no permitido".into()),
            ApiError::TenantMismatch => {
                (StatusCode::BAD_REQUEST, "tenant_mismatch", "El encabezado X-Tenant-ID no corresponde a esta instalación".into())
            }
            ApiError::Validation { message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, "validation_error", message.clone()),
            ApiError::Unprocessable { code, message, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code, message.clone()),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "No se pudo validar las credenciales".into()),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials", "Usuario o contraseña incorrectos".into()),
            ApiError::TooManyAttempts { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("Demasiados intentos. Intente de nuevo en {} minuto(s)", retry_after.div_ceil(60).max(1)),
            ),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", "Acceso denegado".into()),
            ApiError::StoreForbidden => (StatusCode::FORBIDDEN, "store_forbidden", "No tiene acceso a esta tienda".into()),
            ApiError::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, "password_change_required", "Debe cambiar su contraseña antes de continuar".into())
            }
            ApiError::Csrf => (StatusCode::FORBIDDEN, "csrf", "Solicitud de otro origen rechazada".into()),
            ApiError::CorsForbidden => (StatusCode::FORBIDDEN, "cors_forbidden", "Origen no permitido".into()),
            ApiError::Maintenance { message, .. } => (StatusCode::SERVICE_UNAVAILABLE, "maintenance", message.clone()),
            ApiError::ForbiddenAction { code, detail } => (StatusCode::FORBIDDEN, code, detail.clone()),
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "El cuerpo de la solicitud es demasiado grande".into())
            }
            ApiError::Conflict { code, detail } => (StatusCode::CONFLICT, code, detail.clone()),
            ApiError::FeatureDisabled(_) => {
                (StatusCode::NOT_FOUND, "feature_disabled", "Esta función no está habilitada para este cliente".into())
            }
            ApiError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", "Servicio no disponible, intente más tarde".into())
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "Error interno del servidor".into()),
        }
    }
}

/// The body of every error: `{code, detail}`, plus `errors` on a validation refusal (422).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `snake_case` code a client can branch on (`validation_error`, `not_found`, …).
    pub code: &'static str,
    /// What went wrong, in Spanish, for the user.
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// The field a validation refused and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// A write refused during maintenance (503): the public maintenance status with `code`
/// and `detail` (fields in alphabetical order, as the API always answered them).
#[derive(Debug, Serialize)]
struct MaintenanceRefusal {
    active: bool,
    code: &'static str,
    detail: String,
    ends_at: Option<String>,
    message: Option<String>,
    minutes_remaining: Option<i64>,
    source: Option<&'static str>,
    started_at: Option<String>,
    timezone: String,
}

impl MaintenanceRefusal {
    fn new(code: &'static str, detail: String, m: &MaintenanceStatus) -> MaintenanceRefusal {
        MaintenanceRefusal {
            active: m.active,
            code,
            detail,
            ends_at: m.ends_at.clone(),
            message: m.message.clone(),
            minutes_remaining: m.minutes_remaining,
            source: m.source,
            started_at: m.started_at.clone(),
            timezone: m.timezone.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, detail) = self.parts();
        if let ApiError::Internal(cause) | ApiError::Unavailable(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let mut resp = match &self {
            ApiError::Validation { field, message } | ApiError::Unprocessable { field, message, .. } => {
                let errors = Some(vec![FieldError { field: field.clone(), message: message.clone() }]);
                (status, Json(ErrorBody { code, detail, errors })).into_response()
            }
            ApiError::Maintenance { status: m, .. } => (status, Json(MaintenanceRefusal::new(code, detail, m))).into_response(),
            _ => (status, Json(ErrorBody { code, detail, errors: None })).into_response(),
        };
        match &self {
            ApiError::Unauthorized | ApiError::InvalidCredentials => {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyAttempts { retry_after } | ApiError::Maintenance { retry_after, .. } => {
                resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        resp
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
        // A locked or unreadable application database is an outage, not a bad request.
        match &e {
            crate::appdb::AppDbError::Db(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy
                        | rusqlite::ErrorCode::DatabaseLocked
                        | rusqlite::ErrorCode::CannotOpen
                        | rusqlite::ErrorCode::SystemIoFailure
                ) =>
            {
                ApiError::Unavailable(e.to_string())
            }
            _ => ApiError::internal(e),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(e)
    }
}
