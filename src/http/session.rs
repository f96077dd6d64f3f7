//! Who is calling: the token from `Authorization: Bearer` (wins) or the `fluxion_session`
//! cookie, checked against the tenant key and the database on every request (revocation,
//! active flag, token version), then the route's declared access.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::AppState;
use crate::appdb::users;
use crate::domain::access::{capabilities, Capability, Role};

pub const COOKIE: &str = "fluxion_session";

/// What a route requires. Every `/api` route declares one (see `routes::api_routes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No session needed.
    Public,
    /// Any valid session, even one that must change its password first.
    Session,
    /// A valid session that has no pending password change.
    Authenticated,
    /// An authenticated session whose role has the capability.
    Capability(Capability),
}

/// The authenticated caller, available to handlers as `Extension<AuthUser>`.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub capabilities: BTreeSet<Capability>,
    /// Assigned active stores; meaningful only for store-scoped roles.
    pub stores: Vec<String>,
    pub must_change_password: bool,
    pub jti: String,
    pub exp: i64,
    pub ip: Option<String>,
}

impl AuthUser {
    pub fn can(&self, cap: Capability) -> bool {
        self.capabilities.contains(&cap)
    }

    /// `Some(stores)` when the caller only sees its assigned stores (store manager).
    pub fn store_scope(&self) -> Option<&[String]> {
        self.role.is_store_scoped().then_some(self.stores.as_slice())
    }

    /// Whether a location row is visible: CEDIs are never scoped (a store manager needs
    /// the stock of the CEDI that supplies him); stores only when assigned.
    pub fn sees_location(&self, id: &str, is_cedi: bool) -> bool {
        is_cedi || self.store_scope().is_none_or(|s| s.iter().any(|x| x == id))
    }

    /// Appends an audit row for an action of this user (who, from where, what, on what).
    pub fn audit(
        &self,
        conn: &rusqlite::Connection,
        accion: &str,
        entidad: &str,
        entidad_id: &str,
        detalle: serde_json::Value,
    ) -> Result<(), ApiError> {
        crate::appdb::audit::append(
            conn,
            &crate::appdb::audit::Entry {
                usuario: Some(&self.username),
                ip: self.ip.as_deref(),
                accion,
                entidad: Some(entidad),
                entidad_id: Some(entidad_id),
                detalle: Some(detalle),
            },
        )?;
        Ok(())
    }

    /// 403 `store_forbidden` for a specific store outside the caller's scope.
    pub fn check_location(&self, id: &str, is_cedi: bool) -> Result<(), ApiError> {
        if self.sees_location(id, is_cedi) {
            Ok(())
        } else {
            Err(ApiError::StoreForbidden)
        }
    }
}

/// The client address: the TCP peer, or the first X-Forwarded-For hop when the peer is a
/// trusted proxy.
pub fn client_ip(state: &AppState, req: &Request) -> Option<IpAddr> {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
    Some(client_ip_from(state, peer, req.headers()))
}

/// Same rule from a peer address and headers (for handlers that extract them).
pub fn client_ip_from(state: &AppState, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let trusted = state.tenant.file.server.trust_proxy_from.iter().any(|t| t.parse::<IpAddr>().ok() == Some(peer));
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    match forwarded.and_then(|v| v.split(',').next()).and_then(|v| v.trim().parse().ok()) {
        Some(ip) if trusted => ip,
        _ => peer,
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// Unsafe methods authenticated by cookie must come from one of the tenant's own hosts.
fn check_origin(state: &AppState, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(()) };
    let host = origin.split("://").nth(1).map(super::guard::normalize_host).unwrap_or_default();
    if state.tenant.file.server.allowed_hosts.contains(&host) {
        Ok(())
    } else {
        Err(ApiError::Csrf)
    }
}

/// Resolves the caller from the request, or 401.
pub fn authenticate(state: &AppState, req: &Request) -> Result<AuthUser, ApiError> {
    let headers = req.headers();
    let (token, via_cookie) = match bearer_token(headers) {
        Some(t) => (t, false),
        None => (cookie_token(headers).ok_or(ApiError::Unauthorized)?, true),
    };
    if via_cookie {
        check_origin(state, req.method(), headers)?;
    }
    let now = chrono::Utc::now().timestamp();
    let claims = state.auth.keys.verify(&token, now).map_err(|e| {
        tracing::info!(reason = %e, "token refused");
        ApiError::Unauthorized
    })?;
    let ip = client_ip(state, req).map(|i| i.to_string());
    let conn = state.app_db.lock().unwrap_or_else(|p| p.into_inner());
    if users::is_revoked(&conn, &claims.jti)? {
        return Err(ApiError::Unauthorized);
    }
    let user = users::by_id(&conn, &claims.sub)?.ok_or(ApiError::Unauthorized)?;
    if !user.activo || user.token_version != claims.ver {
        return Err(ApiError::Unauthorized);
    }
    let role = Role::parse(&user.rol_id).ok_or(ApiError::Unauthorized)?;
    let stores = if role.is_store_scoped() { users::assigned_stores(&conn, &user.id)? } else { Vec::new() };
    Ok(AuthUser {
        capabilities: capabilities(role, &state.auth.grants_for(role)),
        id: user.id,
        username: user.username,
        role,
        stores,
        must_change_password: user.must_change_password,
        jti: claims.jti,
        exp: claims.exp,
        ip,
    })
}

/// Enforces a route's declared access; puts the `AuthUser` into the request extensions.
pub async fn authorize(State((state, access)): State<(AppState, Access)>, mut req: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    // SQLite work (a few indexed lookups) off the async workers.
    let checked = {
        let state = state.clone();
        let (parts, body) = req.into_parts();
        let probe = Request::from_parts(parts, axum::body::Body::empty());
        let result = tokio::task::spawn_blocking(move || (authenticate(&state, &probe), probe)).await;
        match result {
            Ok((outcome, probe)) => {
                let (parts, _) = probe.into_parts();
                req = Request::from_parts(parts, body);
                outcome
            }
            Err(e) => return ApiError::internal(e).into_response(),
        }
    };
    let user = match checked {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let verdict = match access {
        Access::Session => Ok(()),
        _ if user.must_change_password => Err(ApiError::PasswordChangeRequired),
        Access::Capability(cap) if !user.can(cap) => Err(ApiError::Forbidden),
        _ => Ok(()),
    };
    if let Err(e) = verdict {
        return e.into_response();
    }
    req.extensions_mut().insert(user);
    next.run(req).await
}
