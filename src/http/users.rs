//! User administration for super admins (spec 50 §4.5) and the audit log.

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::ApiError;
use super::reply::Detail;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::users;
use crate::auth::password;
use crate::domain::access::{is_valid_username, Role};

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable { code, field: field.into(), message: message.into() }
}

fn valid_email(e: &str) -> bool {
    e.len() <= 100
        && e.matches('@').count() == 1
        && e.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.ends_with('.'))
}

fn parse_role(id: &str) -> Result<Role, ApiError> {
    Role::parse(id).ok_or_else(|| invalid("unknown_role", "rol_id", format!("El rol «{id}» no existe")))
}

/// Stores for a role: required (and each an active store of the tenant) for store managers,
/// ignored for every other role.
fn stores_for(state: &AppState, role: Role, requested: &[String]) -> Result<Vec<String>, ApiError> {
    if !role.is_store_scoped() {
        return Ok(Vec::new());
    }
    if requested.is_empty() {
        return Err(invalid("stores_required", "tiendas_asignadas", "Un gerente de tienda necesita al menos una tienda"));
    }
    for id in requested {
        let known = state.tenant.stores().iter().any(|s| s.id == *id && s.active && !s.is_cedi());
        if !known {
            return Err(invalid("unknown_store", "tiendas_asignadas", format!("«{id}» no es una tienda activa")));
        }
    }
    let mut stores = requested.to_vec();
    stores.sort();
    stores.dedup();
    Ok(stores)
}

/// A user account as the administration screen lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserItem {
    pub activo: bool,
    pub created_at: String,
    pub email: Option<String>,
    pub id: String,
    pub must_change_password: bool,
    pub nombre_completo: Option<String>,
    pub rol_id: String,
    /// Null for a role this binary does not know.
    pub rol_nombre: Option<&'static str>,
    /// Only for store-scoped roles (store manager).
    pub tiendas_asignadas: Vec<String>,
    pub ultimo_login: Option<String>,
    pub username: String,
}

fn user_item(conn: &rusqlite::Connection, u: &users::User) -> Result<UserItem, ApiError> {
    let role = Role::parse(&u.rol_id);
    Ok(UserItem {
        activo: u.activo,
        created_at: u.created_at.clone(),
        email: u.email.clone(),
        id: u.id.clone(),
        must_change_password: u.must_change_password,
        nombre_completo: u.nombre_completo.clone(),
        rol_id: u.rol_id.clone(),
        rol_nombre: role.map(|r| r.display_name()),
        tiendas_asignadas: if role.is_some_and(|r| r.is_store_scoped()) { users::assigned_stores(conn, &u.id)? } else { vec![] },
        ultimo_login: u.ultimo_login.clone(),
        username: u.username.clone(),
    })
}

pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserItem>>, ApiError> {
    state
        .with_app_db(|conn| {
            let rows = users::list(conn)?.iter().map(|u| user_item(conn, u)).collect::<Result<Vec<_>, _>>()?;
            Ok(Json(rows))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    nombre_completo: Option<String>,
    email: Option<String>,
    #[serde(default = "default_role")]
    rol_id: String,
    #[serde(default)]
    tiendas_asignadas: Vec<String>,
}

fn default_role() -> String {
    "visualizador".into()
}

/// `POST /api/auth/register`: the admin chose the password, so the user must change it.
pub async fn create(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<NewUserBody>,
) -> Result<Json<UserItem>, ApiError> {
    let username = b.username.trim().to_lowercase();
    if !is_valid_username(&username) {
        return Err(ApiError::Validation {
            field: "username".into(),
            message: "El usuario debe tener 3 a 50 caracteres: letras minúsculas, dígitos, '.', '_' o '-'".into(),
        });
    }
    if let Some(e) = b.email.as_deref().filter(|e| !e.is_empty()) {
        if !valid_email(e) {
            return Err(ApiError::Validation { field: "email".into(), message: "Correo electrónico no válido".into() });
        }
    }
    password::check_policy(&b.password, state.tenant.file.auth.password_min_length as usize)
        .map_err(|message| ApiError::Validation { field: "password".into(), message })?;
    let role = parse_role(&b.rol_id)?;
    let stores = stores_for(&state, role, &b.tiendas_asignadas)?;
    let hash = password::hash(&b.password);
    state
        .with_app_db(move |conn| {
            if users::exists(conn, &username)? {
                return Err(ApiError::Conflict { code: "username_taken", detail: format!("El usuario '{username}' ya existe") });
            }
            let id = users::create(
                conn,
                &users::NewUser {
                    username: &username,
                    password_hash: &hash,
                    nombre_completo: b.nombre_completo.as_deref(),
                    email: b.email.as_deref().filter(|e| !e.is_empty()),
                    rol_id: role.id(),
                    must_change_password: true,
                },
            )?;
            users::set_stores(conn, &id, &stores, &by.username)?;
            by.audit(conn, "crear_usuario", "usuario", &id, json!({"username": username, "rol_id": role.id(), "tiendas": stores}))?;
            let u = users::by_id(conn, &id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(user_item(conn, &u)?))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    nombre_completo: Option<String>,
    email: Option<String>,
    activo: Option<bool>,
}

/// `PUT /api/auth/users/{id}`: profile fields and (re)activation.
pub async fn update(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<UpdateUserBody>,
) -> Result<Json<UserItem>, ApiError> {
    if let Some(e) = b.email.as_deref().filter(|e| !e.is_empty()) {
        if !valid_email(e) {
            return Err(ApiError::Validation { field: "email".into(), message: "Correo electrónico no válido".into() });
        }
    }
    state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &id)?.ok_or(ApiError::NotFound)?;
            let nombre = b.nombre_completo.as_deref().or(u.nombre_completo.as_deref());
            let email = match b.email.as_deref() {
                Some("") => None,
                Some(e) => Some(e),
                None => u.email.as_deref(),
            };
            users::set_profile(conn, &u.id, nombre, email)?;
            if let Some(active) = b.activo {
                if active != u.activo {
                    if !active {
                        guard_deactivation(conn, &by, &u)?;
                    }
                    users::set_active(conn, &u.id, active)?;
                    by.audit(conn, if active { "reactivar_usuario" } else { "desactivar_usuario" }, "usuario", &u.id, json!({}))?;
                }
            }
            if b.nombre_completo.is_some() || b.email.is_some() {
                by.audit(conn, "editar_usuario", "usuario", &u.id, json!({"nombre_completo": nombre, "email": email}))?;
            }
            let u = users::by_id(conn, &u.id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(user_item(conn, &u)?))
        })
        .await
}

/// Nobody deactivates themselves, and the last active super admin stays.
fn guard_deactivation(conn: &rusqlite::Connection, by: &AuthUser, u: &users::User) -> Result<(), ApiError> {
    if u.id == by.id {
        return Err(ApiError::BadRequest("No puedes eliminarte a ti mismo".into()));
    }
    if u.rol_id == "super_admin" && u.activo && users::active_admins(conn)? <= 1 {
        return Err(ApiError::Conflict { code: "last_admin", detail: "No se puede desactivar al último super administrador".into() });
    }
    Ok(())
}

pub async fn deactivate(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &id)?.ok_or(ApiError::NotFound)?;
            guard_deactivation(conn, &by, &u)?;
            users::set_active(conn, &u.id, false)?;
            by.audit(conn, "desactivar_usuario", "usuario", &u.id, json!({}))?;
            Ok(Json(Detail::new("Usuario desactivado")))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordBody {
    #[serde(default)]
    new_password: String,
}

/// Admin reset: the user must choose a new password at next login; sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ResetPasswordBody>,
) -> Result<Json<Detail>, ApiError> {
    password::check_policy(&b.new_password, state.tenant.file.auth.password_min_length as usize)
        .map_err(|message| ApiError::Validation { field: "new_password".into(), message })?;
    let hash = password::hash(&b.new_password);
    state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &id)?.ok_or(ApiError::NotFound)?;
            users::set_password(conn, &u.id, &hash, true)?;
            by.audit(conn, "restablecer_contrasena", "usuario", &u.id, json!({}))?;
            Ok(Json(Detail::new("Contraseña restablecida")))
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    #[serde(default)]
    rol_id: String,
    #[serde(default)]
    tiendas_asignadas: Vec<String>,
}

/// Role and store assignments change together; every session of the user ends.
pub async fn change_role(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RoleBody>,
) -> Result<Json<UserItem>, ApiError> {
    let role = parse_role(&b.rol_id)?;
    let stores = stores_for(&state, role, &b.tiendas_asignadas)?;
    state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &id)?.ok_or(ApiError::NotFound)?;
            if u.rol_id == "super_admin" && role != Role::SuperAdmin && u.activo && users::active_admins(conn)? <= 1 {
                return Err(ApiError::Conflict {
                    code: "last_admin",
                    detail: "No se puede cambiar el rol del último super administrador".into(),
                });
            }
            let before = users::assigned_stores(conn, &u.id)?;
            users::set_role(conn, &u.id, role.id())?;
            users::set_stores(conn, &u.id, &stores, &by.username)?;
            let change = json!({"de": u.rol_id, "a": role.id(), "tiendas_antes": before, "tiendas": stores});
            by.audit(conn, "cambiar_rol", "usuario", &u.id, change)?;
            let u = users::by_id(conn, &u.id)?.ok_or(ApiError::NotFound)?;
            Ok(Json(user_item(conn, &u)?))
        })
        .await
}

#[derive(Deserialize)]
pub struct AuditQuery {
    limit: Option<i64>,
    offset: Option<i64>,
    accion: Option<String>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<crate::appdb::audit::AuditRow>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).max(0);
    state.with_app_db(move |conn| Ok(Json(crate::appdb::audit::list(conn, limit, offset, q.accion.as_deref())?))).await
}
