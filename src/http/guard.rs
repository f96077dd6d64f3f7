//! Request admission (spec 50 §2.2): the Host allow-list, the loopback exception for health
//! probes, trusted proxy headers and the optional X-Tenant-ID check. Plus the security
//! headers every response carries (§13) and the request log line.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{error::ApiError, AppState};

/// Paths a loopback Host may reach even when it is not an allowed host (systemd, deploy).
const LOOPBACK_PATHS: &[&str] = &["/healthz", "/readyz", "/api/version", "/metrics"];

/// `Host` normalised: lower-case, without port, without one trailing dot.
pub fn normalize_host(raw: &str) -> String {
    let raw = raw.trim().to_ascii_lowercase();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        rest.split(']').next().unwrap_or("").to_string()
    } else if raw.matches(':').count() > 1 {
        raw // bare IPv6 without brackets
    } else {
        raw.split(':').next().unwrap_or("").to_string()
    };
    host.strip_suffix('.').map(str::to_string).unwrap_or(host)
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

/// Decides whether a request is for this tenant. Pure, so the worked examples test it.
pub fn admit(
    allowed_hosts: &[String],
    tenant_id: &str,
    host: Option<&str>,
    path: &str,
    tenant_header: Option<&str>,
) -> Result<(), ApiError> {
    let host = normalize_host(host.ok_or_else(|| ApiError::BadRequest("Falta el encabezado Host".into()))?);
    let allowed = allowed_hosts.contains(&host) || (is_loopback(&host) && LOOPBACK_PATHS.contains(&path));
    if !allowed {
        return Err(ApiError::HostNotAllowed);
    }
    match tenant_header {
        Some(t) if t != tenant_id => Err(ApiError::TenantMismatch),
        _ => Ok(()),
    }
}

pub async fn admission(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let server = &state.tenant.file.server;
    let trusted = peer.is_some_and(|ip| server.trust_proxy_from.iter().any(|t| t.parse::<IpAddr>().ok() == Some(ip)));
    let headers = req.headers();
    let header_str = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = if trusted { header_str("x-forwarded-host") } else { None };
    let host = forwarded.or_else(|| header_str("host")).or_else(|| req.uri().authority().map(|a| a.as_str()));
    let verdict = admit(&server.allowed_hosts, state.tenant.id(), host, req.uri().path(), header_str("x-tenant-id"));
    match verdict {
        Ok(()) => next.run(req).await,
        Err(e) => {
            tracing::warn!(host = host.unwrap_or("-"), path = req.uri().path(), "request refused: {e}");
            e.into_response()
        }
    }
}

/// The API paths each switchable feature owns (spec 50 §6.2).
const FEATURE_PATHS: &[(&str, &str)] = &[
    ("/api/bi", "bi"),
    ("/api/emergencias", "emergencias"),
    ("/api/pedidos-multitienda", "pedidos_multitienda"),
    ("/api/pedidos-inter-cedi", "pedidos_inter_cedi"),
    ("/api/productos-excluidos-inter-cedi", "pedidos_inter_cedi"),
];

/// The feature a request path belongs to, if any.
pub fn feature_of(path: &str) -> Option<&'static str> {
    FEATURE_PATHS
        .iter()
        .find(|(prefix, _)| path == *prefix || path.strip_prefix(prefix).is_some_and(|r| r.starts_with('/')))
        .map(|(_, f)| *f)
}

/// A disabled feature's endpoints answer 404 `feature_disabled`, whoever asks (the feature
/// list is public in `/api/tenant`, so this discloses nothing).
pub async fn features(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let f = &state.tenant.file.features;
    let off = feature_of(req.uri().path()).filter(|name| match *name {
        "bi" => !f.bi,
        "emergencias" => !f.emergencias,
        "pedidos_multitienda" => !f.pedidos_multitienda,
        "pedidos_inter_cedi" => !f.pedidos_inter_cedi,
        _ => false,
    });
    match off {
        Some(name) => ApiError::FeatureDisabled(name).into_response(),
        None => next.run(req).await,
    }
}

/// Cross-origin requests (spec 50 §2.2 rule 6): UI and API are same-origin, so no CORS
/// headers are sent and preflights are refused with 403 — unless the origin is listed in
/// `[server].cors_origins` for an integration, which then gets exactly that origin back.
pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
    let listed = origin.as_ref().filter(|o| state.tenant.file.server.cors_origins.iter().any(|c| c.trim_end_matches('/') == o.as_str()));
    let preflight = req.method() == axum::http::Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        return match listed {
            Some(o) => {
                let mut resp = axum::http::StatusCode::NO_CONTENT.into_response();
                let h = resp.headers_mut();
                if let Ok(v) = HeaderValue::from_str(o) {
                    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
                }
                h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"));
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("authorization, content-type"));
                h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
                h.insert(header::VARY, HeaderValue::from_static("Origin"));
                resp
            }
            None => ApiError::CorsForbidden.into_response(),
        };
    }
    let mut resp = next.run(req).await;
    if let Some(o) = listed {
        if let Ok(v) = HeaderValue::from_str(o) {
            resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            resp.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
        }
    }
    resp
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/// Security headers, request id and one structured log line per request.
pub async fn headers_and_log(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let matched_route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| req.uri().path().to_string());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("geolocation=(), microphone=(), camera=()"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    if state.tenant.file.server.tls.mode == "files" {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    let matched = resp.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).or_else(|| matched_route.clone());
    crate::metrics::http().observe(
        method.as_str(),
        matched.as_deref().unwrap_or(crate::metrics::FALLBACK_ROUTE),
        resp.status().as_u16(),
        started.elapsed(),
    );
    tracing::info!(
        method = %method,
        route = %route,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id = %request_id,
        "request"
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Host-check worked examples of spec 50 §2.3.
    #[test]
    fn host_check_worked_examples() {
        let allowed = vec!["fluxion.example.com".to_string(), "fluxion.lan".to_string()];
        let check = |host: &str, path: &str, tid: Option<&str>| admit(&allowed, "granja", Some(host), path, tid);
        assert!(check("fluxion.example.com", "/api/ubicaciones", None).is_ok());
        assert!(check("FLUXION.Example.COM:443", "/api/ubicaciones", None).is_ok());
        assert!(check("fluxion.example.com.", "/api/ubicaciones", None).is_ok());
        assert!(matches!(check("otro.example.com", "/api/ubicaciones", None), Err(ApiError::HostNotAllowed)));
        assert!(check("127.0.0.1:8443", "/readyz", None).is_ok());
        assert!(matches!(check("127.0.0.1:8443", "/api/ubicaciones", None), Err(ApiError::HostNotAllowed)));
        assert!(check("fluxion.lan", "/api/ubicaciones", Some("granja")).is_ok());
        assert!(matches!(check("fluxion.lan", "/api/ubicaciones", Some("cliente2")), Err(ApiError::TenantMismatch)));
        assert!(matches!(check("fluxion.lan", "/api/ubicaciones", Some("GRANJA")), Err(ApiError::TenantMismatch)));
        assert!(matches!(admit(&allowed, "granja", None, "/", None), Err(ApiError::BadRequest(_))));
    }

    #[test]
    fn ipv6_hosts_are_normalised() {
        assert_eq!(normalize_host("[::1]:8080"), "::1");
        assert_eq!(normalize_host("::1"), "::1");
    }
}
