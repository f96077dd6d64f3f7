//! The embedded web UI: static files with their MIME types, an ETag for cheap
//! revalidation, and `index.html` for every client-side route (history API routing).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use include_dir::{include_dir, Dir};
use sha2::{Digest, Sha256};

use super::error::ApiError;

static WEB: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/web");

/// Files named like `name.<hex hash>.ext` never change content, so browsers may keep them.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && {
        let h = parts[parts.len() - 2];
        h.len() >= 8 && h.chars().all(|c| c.is_ascii_hexdigit())
    }
}

fn etag(bytes: &[u8]) -> String {
    format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..16])
}

/// Content type by file extension (`mime_guess`). Text types carry `charset=utf-8`: every
/// embedded text file is UTF-8 (and module scripts must be served as JavaScript).
pub fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT || mime.subtype() == mime_guess::mime::JAVASCRIPT;
    let value =
        if textual && mime.get_param(mime_guess::mime::CHARSET).is_none() { format!("{mime}; charset=utf-8") } else { mime.to_string() };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

pub fn file_response(path: &str, bytes: &'static [u8], req_headers: &HeaderMap, cache: &'static str) -> Response {
    let tag = etag(bytes);
    let not_modified = req_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(tag.as_str());
    let mut resp = if not_modified { StatusCode::NOT_MODIFIED.into_response() } else { Response::new(Body::from(bytes)) };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type(path));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    resp
}

/// Fallback handler for everything the router did not match.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::NotFound.into_response();
    }
    let rel = path.trim_start_matches('/');
    if !rel.is_empty() && !rel.ends_with(".md") {
        if let Some(file) = WEB.get_file(rel) {
            let cache = if is_hashed(rel) { "public, max-age=31536000, immutable" } else { "no-cache" };
            return file_response(rel, file.contents(), &headers, cache);
        }
        // A missing asset is a 404; a path without extension is a client route.
        if rel.rsplit('/').next().is_some_and(|last| last.contains('.')) {
            return ApiError::NotFound.into_response();
        }
    }
    #[allow(clippy::expect_used)] // web/index.html is embedded at build time (a test serves it)
    let index = WEB.get_file("index.html").expect("web/index.html is embedded");
    file_response("index.html", index.contents(), &headers, "no-cache")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_asset_names() {
        assert!(is_hashed("vendor/chart.3f2a9c1b.js"));
        assert!(!is_hashed("js/app.js"));
        assert!(!is_hashed("index.html"));
    }

    #[test]
    fn the_shell_is_embedded() {
        assert!(WEB.get_file("index.html").is_some());
        assert!(WEB.get_file("js/app.js").is_some());
    }
}
