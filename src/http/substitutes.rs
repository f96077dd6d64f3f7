//! Substitutable product sets over HTTP (spec 31 §5): the administrator's CRUD; buyers read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

use super::body::JsonBody;
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::distribution::substitutes::{self, SetRequest, SetView};

/// `GET /api/conjuntos-sustituibles`: every set, active first, with its members' names.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<SetView>>, ApiError> {
    let st = state.clone();
    Ok(Json(state.with_app_db(move |app| Ok(substitutes::list(app, &st.warehouse)?)).await?))
}

/// `GET /api/conjuntos-sustituibles/{id}`.
pub async fn get_one(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<SetView>, ApiError> {
    let st = state.clone();
    Ok(Json(state.with_app_db(move |app| Ok(substitutes::get(app, &st.warehouse, id)?)).await?))
}

/// `POST /api/conjuntos-sustituibles`: 201 with the set.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<SetRequest>,
) -> Result<(StatusCode, Json<SetView>), ApiError> {
    let st = state.clone();
    let set = state.with_app_db(move |app| Ok(substitutes::create(app, &st.warehouse, &b, &user.username)?)).await?;
    tracing::info!(set = %set.set.nombre, members = set.miembros.len(), "substitutable set created");
    Ok((StatusCode::CREATED, Json(set)))
}

/// `PUT /api/conjuntos-sustituibles/{id}`: replaces the name, texts, active flag and members.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<SetRequest>,
) -> Result<Json<SetView>, ApiError> {
    let st = state.clone();
    Ok(Json(state.with_app_db(move |app| Ok(substitutes::update(app, &st.warehouse, id, &b)?)).await?))
}

/// `DELETE /api/conjuntos-sustituibles/{id}`.
pub async fn delete(State(state): State<AppState>, Path(id): Path<i64>) -> Result<StatusCode, ApiError> {
    state.with_app_db(move |app| Ok(substitutes::delete(app, id)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}
