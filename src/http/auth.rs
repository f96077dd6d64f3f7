//! Login, logout, the caller's profile and own password (spec 50 §3).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use governor::clock::{Clock, DefaultClock};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::ApiError;
use super::reply::Detail;
use super::session::{AuthUser, COOKIE};
use super::AppState;
use crate::appdb::{audit, users};
use crate::auth::password::{self, Verified};
use crate::domain::access::{capabilities, Role};
use crate::domain::lockout::locked_until;

pub use crate::auth::{AuthState, LOGIN_ATTEMPTS_PER_MINUTE_PER_IP};

/// A response that sets (or clears) the session cookie.
type WithCookie<T> = ([(HeaderName, HeaderValue); 1], Json<T>);

/// `POST /api/auth/login`: the token (also set as the session cookie) and who signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginReply {
    pub access_token: String,
    /// UTC, RFC 3339.
    pub expires_at: String,
    pub must_change_password: bool,
    pub nombre_completo: Option<String>,
    pub rol_id: &'static str,
    pub rol_nombre: &'static str,
    pub tiendas_asignadas: Vec<String>,
    /// Always `bearer`.
    pub token_type: &'static str,
    pub username: String,
}

/// A store assigned to the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignedStore {
    pub id: String,
    pub nombre: Option<String>,
}

/// `GET /api/auth/me`: the caller, his role's capabilities and assigned stores.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    /// The capabilities of the role (`inventario.ver`, `bi.ver`, …): what the UI shows.
    pub capabilities: Vec<&'static str>,
    pub email: Option<String>,
    pub id: String,
    pub must_change_password: bool,
    pub nombre_completo: Option<String>,
    pub rol: &'static str,
    pub rol_id: &'static str,
    pub rol_nombre: &'static str,
    pub tiendas: Vec<AssignedStore>,
    pub tiendas_asignadas: Vec<String>,
    pub ultimo_login: Option<String>,
    pub username: String,
}

/// `PUT /api/auth/me/password`: the fresh token (other sessions end).
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    pub access_token: String,
    pub detail: &'static str,
    pub expires_at: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn from_unix(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

#[allow(clippy::expect_used)] // a token and numbers: visible ASCII only
fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.tenant.file.server.tls.mode == "files" || state.tenant.file.server.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"))
        .expect("token is header-safe")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<LoginRequest>,
) -> Result<WithCookie<LoginReply>, ApiError> {
    let username = body.username.trim().to_lowercase();
    if username.is_empty() || username.len() > 50 {
        return Err(ApiError::Validation { field: "username".into(), message: "Indique un usuario válido".into() });
    }
    if body.password.is_empty() || body.password.chars().count() > password::MAX_LENGTH {
        return Err(ApiError::Validation { field: "password".into(), message: "Indique su contraseña".into() });
    }
    let ip = super::session::client_ip_from(&state, peer.ip(), &headers);
    if let Err(not_until) = state.auth.login_limiter.check_key(&ip) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        return Err(ApiError::TooManyAttempts { retry_after: wait.as_secs().max(1) });
    }
    let st = state.clone();
    let ip_text = ip.to_string();
    let outcome = tokio::task::spawn_blocking(move || check_credentials(&st, &username, &body.password, &ip_text)).await??;
    let (token, claims, profile) = outcome;
    let max_age = claims.exp - claims.iat;
    let cookie = session_cookie(&state, &token, max_age);
    let reply = LoginReply {
        access_token: token,
        expires_at: rfc3339(from_unix(claims.exp)),
        must_change_password: profile.must_change_password,
        nombre_completo: profile.nombre_completo,
        rol_id: profile.rol_id,
        rol_nombre: profile.rol_nombre,
        tiendas_asignadas: profile.tiendas_asignadas,
        token_type: "bearer",
        username: profile.username,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(reply)))
}

/// Lockout, password check, bookkeeping and token minting, on the blocking pool.
fn check_credentials(
    state: &AppState,
    username: &str,
    password_text: &str,
    ip: &str,
) -> Result<(String, crate::auth::token::Claims, Profile), ApiError> {
    let auth_cfg = &state.tenant.file.auth;
    let window = Duration::minutes(i64::from(auth_cfg.lockout_minutes));
    let now = Utc::now();
    let conn = state.app_db.lock().unwrap_or_else(|p| p.into_inner());
    // A lock that started within the last window may rest on failures one window earlier.
    let failures: Vec<DateTime<Utc>> = users::recent_failures(&conn, username, &rfc3339(now - window - window))?
        .iter()
        .filter_map(|s| DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc)))
        .collect();
    if let Some(until) = locked_until(&failures, now, auth_cfg.login_max_failures, window) {
        let retry_after = (until - now).num_seconds().max(1) as u64;
        return Err(ApiError::TooManyAttempts { retry_after });
    }
    let user = users::by_username(&conn, username)?.filter(|u| u.activo);
    let verified = match &user {
        Some(u) => password::verify_stored(password_text, &u.password_hash),
        None => {
            password::verify_dummy(password_text);
            Verified::No
        }
    };
    let entry = |accion: &'static str, detalle: Option<Value>| audit::Entry {
        usuario: Some(username),
        ip: Some(ip),
        accion,
        entidad: Some("usuario"),
        entidad_id: None,
        detalle,
    };
    let user = match (user, verified) {
        (Some(u), Verified::Yes | Verified::YesNeedsRehash) => {
            if verified == Verified::YesNeedsRehash {
                users::upgrade_hash(&conn, &u.id, &password::hash(password_text))?;
            }
            u
        }
        _ => {
            users::record_attempt(&conn, username, Some(ip), false, &rfc3339(now))?;
            audit::append(&conn, &entry("login_fallido", None))?;
            let mut all = failures;
            all.push(now);
            if locked_until(&all, now, auth_cfg.login_max_failures, window).is_some() {
                audit::append(&conn, &entry("bloqueo", Some(json!({"minutos": auth_cfg.lockout_minutes}))))?;
            }
            return Err(ApiError::InvalidCredentials);
        }
    };
    users::record_attempt(&conn, username, Some(ip), true, &rfc3339(now))?;
    users::touch_login(&conn, &user.id)?;
    audit::append(&conn, &audit::Entry { entidad_id: Some(&user.id), ..entry("login", None) })?;
    let (token, claims) =
        state.auth.keys.mint(&user.id, &user.username, &user.rol_id, user.token_version, now.timestamp(), auth_cfg.token_ttl_minutes);
    let profile = profile_of(state, &conn, &user)?;
    Ok((token, claims, profile))
}

fn profile_of(state: &AppState, conn: &rusqlite::Connection, u: &users::User) -> Result<Profile, ApiError> {
    let role = Role::parse(&u.rol_id).ok_or_else(|| ApiError::internal(format!("unknown role {}", u.rol_id)))?;
    let stores = if role.is_store_scoped() { users::assigned_stores(conn, &u.id)? } else { Vec::new() };
    let caps: Vec<&'static str> = capabilities(role, &state.auth.grants_for(role)).iter().map(|c| c.name()).collect();
    Ok(Profile {
        capabilities: caps,
        email: u.email.clone(),
        id: u.id.clone(),
        must_change_password: u.must_change_password,
        nombre_completo: u.nombre_completo.clone(),
        rol: role.id(),
        rol_id: role.id(),
        rol_nombre: role.display_name(),
        tiendas: stores
            .iter()
            .map(|id| AssignedStore { id: id.clone(), nombre: state.tenant.stores().iter().find(|s| s.id == *id).map(|s| s.name.clone()) })
            .collect(),
        tiendas_asignadas: stores,
        ultimo_login: u.ultimo_login.clone(),
        username: u.username.clone(),
    })
}

pub async fn me(State(state): State<AppState>, Extension(user): Extension<AuthUser>) -> Result<Json<Profile>, ApiError> {
    let st = state.clone();
    state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &user.id)?.ok_or(ApiError::Unauthorized)?;
            Ok(Json(profile_of(&st, conn, &u)?))
        })
        .await
}

pub async fn logout(State(state): State<AppState>, Extension(user): Extension<AuthUser>) -> Result<WithCookie<Detail>, ApiError> {
    let exp = rfc3339(from_unix(user.exp) + Duration::seconds(crate::auth::token::LEEWAY_SECONDS));
    state
        .with_app_db(move |conn| {
            users::revoke_token(conn, &user.jti, &exp)?;
            audit::append(
                conn,
                &audit::Entry {
                    usuario: Some(&user.username),
                    ip: user.ip.as_deref(),
                    accion: "logout",
                    entidad: Some("usuario"),
                    entidad_id: Some(&user.id),
                    detalle: None,
                },
            )?;
            Ok(())
        })
        .await?;
    Ok(([(header::SET_COOKIE, session_cookie(&state, "", 0))], Json(Detail::new("Logout exitoso"))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeOwnPassword {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changing the password ends every other session (token version) and returns a fresh one.
pub async fn change_own_password(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody<ChangeOwnPassword>,
) -> Result<WithCookie<PasswordChanged>, ApiError> {
    let min = state.tenant.file.auth.password_min_length as usize;
    password::check_policy(&body.new_password, min).map_err(|message| ApiError::Validation { field: "new_password".into(), message })?;
    let st = state.clone();
    let (token, claims) = state
        .with_app_db(move |conn| {
            let u = users::by_id(conn, &user.id)?.ok_or(ApiError::Unauthorized)?;
            if password::verify_stored(&body.current_password, &u.password_hash) == Verified::No {
                return Err(ApiError::Validation {
                    field: "current_password".into(),
                    message: "La contraseña actual no es correcta".into(),
                });
            }
            if body.current_password == body.new_password {
                return Err(ApiError::Validation {
                    field: "new_password".into(),
                    message: "La nueva contraseña debe ser distinta de la actual".into(),
                });
            }
            users::set_password(conn, &u.id, &password::hash(&body.new_password), false)?;
            audit::append(
                conn,
                &audit::Entry {
                    usuario: Some(&u.username),
                    ip: user.ip.as_deref(),
                    accion: "cambiar_contrasena_propia",
                    entidad: Some("usuario"),
                    entidad_id: Some(&u.id),
                    detalle: None,
                },
            )?;
            let u = users::by_id(conn, &u.id)?.ok_or(ApiError::Unauthorized)?;
            let ttl = st.tenant.file.auth.token_ttl_minutes;
            Ok(st.auth.keys.mint(&u.id, &u.username, &u.rol_id, u.token_version, Utc::now().timestamp(), ttl))
        })
        .await?;
    let cookie = session_cookie(&state, &token, claims.exp - claims.iat);
    let reply = PasswordChanged { access_token: token, detail: "Contraseña actualizada", expires_at: rfc3339(from_unix(claims.exp)) };
    Ok(([(header::SET_COOKIE, cookie)], Json(reply)))
}
