//! A JSON body whose refusals speak the API's error format: a malformed body, a wrong type
//! (packs as text, negative packs) or an unknown field is a 422 `invalid_body` naming the
//! problem, like every other error, instead of axum's plain-text rejection.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, OptionalFromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match <axum::Json<T> as FromRequest<S>>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(refusal(&rejection)),
        }
    }
}

/// Optional body (`Option<JsonBody<T>>`): a request without a Content-Type has none.
impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        if !req.headers().contains_key(axum::http::header::CONTENT_TYPE) {
            return Ok(None);
        }
        <JsonBody<T> as FromRequest<S>>::from_request(req, state).await.map(Some)
    }
}

fn refusal(r: &JsonRejection) -> ApiError {
    let message = match r {
        JsonRejection::MissingJsonContentType(_) => "La solicitud debe enviar JSON (Content-Type: application/json)".to_string(),
        JsonRejection::JsonSyntaxError(_) => format!("El cuerpo no es JSON válido: {}", r.body_text()),
        JsonRejection::JsonDataError(_) => format!("El cuerpo no tiene la forma esperada: {}", r.body_text()),
        _ => format!("Cuerpo de la solicitud inválido: {}", r.body_text()),
    };
    if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    ApiError::Unprocessable { code: "invalid_body", field: "body".into(), message }
}

/// Query parameters whose refusals speak the API's error format: `page=abc` or an unknown
/// value is a 422 `invalid_query` naming the problem, not axum's plain-text 400.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match <axum::extract::Query<T> as axum::extract::FromRequestParts<S>>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(QueryParams(v)),
            Err(r) => Err(ApiError::Unprocessable {
                code: "invalid_query",
                field: "query".into(),
                message: format!("Parámetros de consulta inválidos: {}", r.body_text()),
            }),
        }
    }
}

/// A 422 naming the field, with a message for the user.
pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation { field: field.into(), message: message.into() }
}

/// A trimmed text parameter; empty counts as absent.
pub fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// An active location the caller may see (a store manager: his stores and the CEDIs).
pub fn visible_location(state: &super::AppState, user: &super::session::AuthUser, id: &str) -> Result<String, ApiError> {
    let id = id.trim();
    let Some(loc) = state.tenant.stores().iter().find(|s| s.id == id && s.active) else {
        return Err(invalid("ubicacion_id", format!("«{id}» no es una ubicación activa")));
    };
    user.check_location(&loc.id, loc.is_cedi())?;
    Ok(loc.id.clone())
}

/// A product code from the path or the query: trimmed, printable, at most 50 characters.
pub fn product_code(field: &str, raw: &str) -> Result<String, ApiError> {
    let code = raw.trim();
    if code.is_empty() || code.chars().count() > 50 || code.chars().any(char::is_control) {
        return Err(invalid(field, format!("Código de producto «{}» inválido", code.chars().take(50).collect::<String>())));
    }
    Ok(code.to_string())
}

/// An active store (not a CEDI) the caller may see.
pub fn visible_store<'a>(
    state: &'a super::AppState,
    user: &super::session::AuthUser,
    id: &str,
) -> Result<&'a crate::config::Store, ApiError> {
    let id = id.trim();
    let Some(store) = state.tenant.stores().iter().find(|s| s.id == id && s.active && !s.is_cedi()) else {
        return Err(invalid("ubicacion_id", format!("«{id}» no es una tienda activa")));
    };
    user.check_location(&store.id, false)?;
    Ok(store)
}

/// Every active store the caller sees (a store manager: his own), in tenant.toml order.
pub fn visible_stores(state: &super::AppState, user: &super::session::AuthUser) -> Vec<String> {
    state.tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && user.sees_location(&s.id, false)).map(|s| s.id.clone()).collect()
}
