//! KLK POS connector over HTTP (spec 20 §3): sales lines (`POST /ventas`), article
//! listings with stock per warehouse (`POST /maestra/articulos/almacen`) and the warehouse
//! directories (`GET /maestra/almacenes/*`).
//!
//! Transport rules kept from the original (§3.1, §10): JSON bodies; a non-200 status, a
//! timeout, a connection error or an unparseable body is retried (3 attempts by default;
//! pauses `d` then `3·d` for sales, `d` then `d` for articles, `d` = `retry_delay_seconds`);
//! a JSON object with an `error` key fails at once. Both response shapes are accepted: the
//! object with `meta` and the legacy bare array.
//!
//! Choices where the spec is silent: an API key from the secrets file
//! (`[pos.klk] api_key`) is sent as `X-API-Key`; the articles request uses
//! `timeout_seconds` of `[pos.klk]` and the sales request ten times that (60 s → 600 s, the
//! defaults of §10).

pub mod map;
pub mod model;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

pub use model::{KlkArticle, KlkSale, KlkWarehouse};

/// Connection settings of the tenant's KLK API.
#[derive(Debug, Clone)]
pub struct KlkSettings {
    pub base_url: String,
    pub timeout_ventas: Duration,
    pub timeout_articulos: Duration,
    pub max_attempts: u32,
    pub retry_delay: Duration,
    pub api_key: Option<String>,
}

impl KlkSettings {
    pub fn from_config(pos: &crate::config::KlkPos, secrets: &crate::config::Secrets) -> Self {
        let t = u64::from(pos.timeout_seconds.max(1));
        KlkSettings {
            base_url: pos.base_url.trim_end_matches('/').to_string(),
            timeout_ventas: Duration::from_secs(t * 10),
            timeout_articulos: Duration::from_secs(t),
            max_attempts: pos.max_retries.max(1),
            retry_delay: Duration::from_secs(u64::from(pos.retry_delay_seconds)),
            api_key: secrets.pos.klk.as_ref().and_then(|k| k.api_key.clone()),
        }
    }
}

/// Why a KLK call failed, by kind (classified into the spec 20 §9.4 taxonomy by the ETL).
#[derive(Debug, Clone, thiserror::Error)]
pub enum KlkError {
    #[error("la solicitud a KLK excedió {0:?}")]
    Timeout(Duration),
    #[error("no se pudo conectar con KLK: {0}")]
    Unreachable(String),
    #[error("tiempo de conexión agotado con KLK: {0}")]
    ConnectTimeout(String),
    #[error("KLK respondió HTTP {status}: {snippet}")]
    Http { status: u16, snippet: String },
    #[error("respuesta de KLK no válida: {0}")]
    BadPayload(String),
    #[error("KLK devolvió un error: {0}")]
    Api(String),
}

impl KlkError {
    /// `error` key and nothing else is final; everything else is retried.
    pub fn retriable(&self) -> bool {
        !matches!(self, KlkError::Api(_))
    }
}

/// What a call cost: HTTP requests made (attempts), failed attempts, last latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallStats {
    pub requests: u32,
    pub failed: u32,
    pub latency_ms: u64,
    pub bytes: u64,
}

impl std::ops::AddAssign for CallStats {
    fn add_assign(&mut self, o: Self) {
        self.requests += o.requests;
        self.failed += o.failed;
        self.latency_ms = self.latency_ms.max(o.latency_ms);
        self.bytes += o.bytes;
    }
}

/// A `POST /ventas` request for one local date (never two: §3.2). `horas = None` asks for
/// the whole day (no hour fields are sent).
#[derive(Debug, Clone, PartialEq)]
pub struct SalesRequest {
    pub sucursal: String,
    pub almacen: Option<String>,
    pub fecha: NaiveDate,
    pub horas: Option<(NaiveTime, NaiveTime)>,
}

impl SalesRequest {
    /// The JSON body as the vendor expects it.
    pub fn body(&self) -> serde_json::Value {
        let d = self.fecha.format("%Y-%m-%d").to_string();
        let mut m = serde_json::Map::new();
        m.insert("sucursal".into(), self.sucursal.clone().into());
        m.insert("fecha_desde".into(), d.clone().into());
        m.insert("fecha_hasta".into(), d.into());
        if let Some((a, b)) = self.horas {
            m.insert("hora_desde".into(), a.format("%H:%M:%S").to_string().into());
            m.insert("hora_hasta".into(), b.format("%H:%M:%S").to_string().into());
        }
        if let Some(a) = &self.almacen {
            m.insert("almacen".into(), a.clone().into());
        }
        serde_json::Value::Object(m)
    }
}

/// A decoded list response.
#[derive(Debug, Clone, Default)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// `meta.total_registros` / `meta.total_articulos`, when the object shape was used.
    pub meta_total: Option<i64>,
    /// Warehouses echoed in `meta.almacences_filtrados` (a JSON list inside a string).
    pub meta_almacenes: Option<Vec<String>>,
    /// `false` for the legacy bare-array shape.
    pub with_meta: bool,
}

/// The KLK API of one tenant. Cheap to clone; counts requests and errors.
#[derive(Clone)]
pub struct KlkClient {
    http: reqwest::Client,
    settings: Arc<KlkSettings>,
    requests: Arc<AtomicU64>,
    errors: Arc<AtomicU64>,
}

impl KlkClient {
    pub fn new(settings: KlkSettings) -> Result<Self, KlkError> {
        let connect = settings.timeout_articulos.min(Duration::from_secs(10));
        let http = reqwest::Client::builder()
            .connect_timeout(connect)
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("fluxion/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| KlkError::Unreachable(format!("cliente HTTP: {e}")))?;
        Ok(KlkClient { http, settings: Arc::new(settings), requests: Arc::new(AtomicU64::new(0)), errors: Arc::new(AtomicU64::new(0)) })
    }

    pub fn settings(&self) -> &KlkSettings {
        &self.settings
    }

    /// (requests, failed requests) made by this client so far.
    pub fn totals(&self) -> (u64, u64) {
        (self.requests.load(Ordering::Relaxed), self.errors.load(Ordering::Relaxed))
    }

    /// Sale lines of one branch × warehouse × local date (optionally an hour range).
    pub async fn ventas(&self, req: &SalesRequest, stats: &mut CallStats) -> Result<Listing<KlkSale>, KlkError> {
        let body = req.body();
        let d = self.settings.retry_delay;
        let pauses = [d, d * 3];
        let bytes = self.post_with_retries("/ventas", &body, self.settings.timeout_ventas, &pauses, stats).await?;
        decode_listing(bytes, ListKey::Ventas).await
    }

    /// Full article listing (catalogue + stock) of one warehouse.
    pub async fn articulos(&self, almacen: &str, stats: &mut CallStats) -> Result<Listing<KlkArticle>, KlkError> {
        let body = serde_json::json!({ "Codigoalmacen": almacen });
        let d = self.settings.retry_delay;
        let bytes = self.post_with_retries("/maestra/articulos/almacen", &body, self.settings.timeout_articulos, &[d, d], stats).await?;
        decode_listing(bytes, ListKey::Articulos).await
    }

    /// `GET /maestra/almacenes/pisoventa` (sales-floor warehouse of every branch).
    pub async fn almacenes_pisoventa(&self, timeout: Duration, stats: &mut CallStats) -> Result<Vec<KlkWarehouse>, KlkError> {
        self.get_warehouses("/maestra/almacenes/pisoventa", timeout, stats).await
    }

    /// `GET /maestra/almacenes/Reposicion?sucursal=…`.
    pub async fn almacenes_reposicion(
        &self,
        sucursal: Option<&str>,
        timeout: Duration,
        stats: &mut CallStats,
    ) -> Result<Vec<KlkWarehouse>, KlkError> {
        let path = match sucursal {
            Some(s) => format!("/maestra/almacenes/Reposicion?sucursal={}", url_component(s)),
            None => "/maestra/almacenes/Reposicion".to_string(),
        };
        self.get_warehouses(&path, timeout, stats).await
    }

    async fn get_warehouses(&self, path: &str, timeout: Duration, stats: &mut CallStats) -> Result<Vec<KlkWarehouse>, KlkError> {
        let url = format!("{}{}", self.settings.base_url, path);
        let started = Instant::now();
        stats.requests += 1;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let result = async {
            let resp = self.with_auth(self.http.get(&url)).timeout(timeout).send().await.map_err(|e| classify(e, timeout))?;
            let status = resp.status();
            let bytes = resp.bytes().await.map_err(|e| classify(e, timeout))?;
            if !status.is_success() {
                return Err(KlkError::Http { status: status.as_u16(), snippet: snippet(&bytes) });
            }
            let value: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| KlkError::BadPayload(format!("JSON inválido: {e}")))?;
            if let Some(err) = value.as_object().and_then(|o| o.get("error")).filter(|v| !v.is_null()) {
                return Err(KlkError::Api(err.as_str().map(str::to_string).unwrap_or_else(|| err.to_string())));
            }
            let list = match value {
                serde_json::Value::Array(a) => a,
                serde_json::Value::Object(mut o) => match o.remove("almacenes").or_else(|| o.remove("data")) {
                    Some(serde_json::Value::Array(a)) => a,
                    _ => return Err(KlkError::BadPayload("se esperaba una lista de almacenes".into())),
                },
                _ => return Err(KlkError::BadPayload("se esperaba una lista de almacenes".into())),
            };
            Ok(list.into_iter().filter_map(|v| serde_json::from_value::<KlkWarehouse>(v).ok()).collect())
        }
        .await;
        stats.latency_ms = started.elapsed().as_millis() as u64;
        if result.is_err() {
            stats.failed += 1;
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    fn with_auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = rb.header(reqwest::header::ACCEPT, "application/json");
        match &self.settings.api_key {
            Some(k) => rb.header("X-API-Key", k),
            None => rb,
        }
    }

    /// POSTs `body`, retrying retriable failures after the given pauses; returns the body
    /// bytes of the first successful response whose JSON is well formed and has no `error`.
    async fn post_with_retries(
        &self,
        path: &str,
        body: &serde_json::Value,
        timeout: Duration,
        pauses: &[Duration],
        stats: &mut CallStats,
    ) -> Result<bytes_like::Body, KlkError> {
        let url = format!("{}{}", self.settings.base_url, path);
        let attempts = self.settings.max_attempts.max(1);
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                let pause = pauses.get(attempt as usize - 1).or(pauses.last()).copied().unwrap_or_default();
                tokio::time::sleep(pause).await;
            }
            stats.requests += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
            let outcome = async {
                let resp =
                    self.with_auth(self.http.post(&url)).json(body).timeout(timeout).send().await.map_err(|e| classify(e, timeout))?;
                let status = resp.status();
                let bytes = resp.bytes().await.map_err(|e| classify(e, timeout))?;
                if !status.is_success() {
                    return Err(KlkError::Http { status: status.as_u16(), snippet: snippet(&bytes) });
                }
                check_body(&bytes)?;
                Ok(bytes)
            }
            .await;
            stats.latency_ms = started.elapsed().as_millis() as u64;
            match outcome {
                Ok(bytes) => {
                    stats.bytes += bytes.len() as u64;
                    return Ok(bytes_like::Body(bytes));
                }
                Err(e) => {
                    stats.failed += 1;
                    self.errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(path, attempt = attempt + 1, error = %e, "KLK request failed");
                    if !e.retriable() {
                        return Err(e);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| KlkError::Unreachable("sin intentos".into())))
    }
}

mod bytes_like {
    /// Raw body of a successful response (already checked to be JSON without `error`).
    pub struct Body(pub axum::body::Bytes);
}

/// Cheap structural check of a response body so that a malformed or error body is retried
/// (or failed) inside the retry loop: valid JSON, and an object has no non-null `error`.
fn check_body(bytes: &[u8]) -> Result<(), KlkError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        Some(b'[') => {
            serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| KlkError::BadPayload(format!("JSON inválido: {e}")))?;
            Ok(())
        }
        Some(b'{') => {
            #[derive(serde::Deserialize)]
            struct ErrOnly {
                #[serde(default)]
                error: Option<serde_json::Value>,
            }
            let e: ErrOnly = serde_json::from_slice(bytes).map_err(|e| KlkError::BadPayload(format!("JSON inválido: {e}")))?;
            match e.error {
                Some(v) if !v.is_null() => Err(KlkError::Api(v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))),
                _ => Ok(()),
            }
        }
        _ => Err(KlkError::BadPayload(format!("no es JSON: {}", snippet(bytes)))),
    }
}

#[derive(Clone, Copy)]
enum ListKey {
    Ventas,
    Articulos,
}

/// Decodes a list response on the blocking pool (a store-day of sales is tens of MB).
async fn decode_listing<T>(body: bytes_like::Body, key: ListKey) -> Result<Listing<T>, KlkError>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    let bytes = body.0;
    tokio::task::spawn_blocking(move || decode_listing_sync::<T>(&bytes, key))
        .await
        .map_err(|e| KlkError::BadPayload(format!("decodificación interrumpida: {e}")))?
}

/// Decodes either shape of a list response.
pub fn decode_sales(bytes: &[u8]) -> Result<Listing<KlkSale>, KlkError> {
    decode_listing_sync(bytes, ListKey::Ventas)
}

pub fn decode_articles(bytes: &[u8]) -> Result<Listing<KlkArticle>, KlkError> {
    decode_listing_sync(bytes, ListKey::Articulos)
}

fn decode_listing_sync<T: serde::de::DeserializeOwned>(bytes: &[u8], key: ListKey) -> Result<Listing<T>, KlkError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'[') {
        let items: Vec<T> = serde_json::from_slice(bytes).map_err(|e| KlkError::BadPayload(format!("lista no válida: {e}")))?;
        return Ok(Listing { items, meta_total: None, meta_almacenes: None, with_meta: false });
    }
    let env: model::Envelope<T> = serde_json::from_slice(bytes).map_err(|e| KlkError::BadPayload(format!("JSON inválido: {e}")))?;
    if let Some(err) = env.error.filter(|v| !v.is_null()) {
        return Err(KlkError::Api(err.as_str().map(str::to_string).unwrap_or_else(|| err.to_string())));
    }
    let (items, name, total_key) = match key {
        ListKey::Ventas => (env.ventas, "ventas", "total_registros"),
        ListKey::Articulos => (env.articulos, "articulos", "total_articulos"),
    };
    let items = items.ok_or_else(|| KlkError::BadPayload(format!("falta la lista «{name}»")))?;
    let meta = env.meta.unwrap_or_default();
    let meta_total = meta.get(total_key).and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())));
    // The vendor misspells the key and sends a JSON list inside a string.
    let meta_almacenes = meta.get("almacences_filtrados").and_then(|v| match v {
        serde_json::Value::String(s) => serde_json::from_str::<Vec<String>>(s).ok().or_else(|| Some(vec![s.clone()])),
        serde_json::Value::Array(a) => Some(a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()),
        _ => None,
    });
    Ok(Listing { items, meta_total, meta_almacenes, with_meta: true })
}

fn classify(e: reqwest::Error, timeout: Duration) -> KlkError {
    let text = root_cause(&e);
    if e.is_connect() {
        if e.is_timeout() {
            KlkError::ConnectTimeout(text)
        } else {
            KlkError::Unreachable(text)
        }
    } else if e.is_timeout() {
        KlkError::Timeout(timeout)
    } else if e.is_body() || e.is_decode() {
        KlkError::BadPayload(text)
    } else {
        KlkError::Unreachable(text)
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    msg
}

fn snippet(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    s.chars().filter(|c| !c.is_control()).collect()
}

fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_of_the_worked_example() {
        let r = SalesRequest {
            sucursal: "SUC001".into(),
            almacen: Some("APP-TPF".into()),
            fecha: NaiveDate::from_ymd_opt(2025, 11, 17).unwrap(),
            horas: Some((NaiveTime::from_hms_opt(12, 30, 4).unwrap(), NaiveTime::from_hms_opt(14, 0, 5).unwrap())),
        };
        assert_eq!(
            r.body(),
            serde_json::json!({"sucursal": "SUC001", "fecha_desde": "2025-11-17", "fecha_hasta": "2025-11-17",
                "hora_desde": "12:30:04", "hora_hasta": "14:00:05", "almacen": "APP-TPF"})
        );
        let full = SalesRequest { horas: None, ..r };
        assert!(full.body().get("hora_desde").is_none() && full.body().get("hora_hasta").is_none());
    }

    #[test]
    fn both_shapes_and_the_error_key() {
        let obj = br#"{"meta": {"total_registros": 1}, "ventas": [{"numero_factura": "A", "linea": 1}]}"#;
        let l = decode_sales(obj).unwrap();
        assert_eq!((l.items.len(), l.meta_total, l.with_meta), (1, Some(1), true));
        let bare = br#"[{"numero_factura": "A", "linea": 1}, {"numero_factura": "B"}]"#;
        let l = decode_sales(bare).unwrap();
        assert_eq!((l.items.len(), l.with_meta), (2, false));
        assert!(matches!(decode_sales(br#"{"error": "sucursal invalida"}"#), Err(KlkError::Api(m)) if m == "sucursal invalida"));
        assert!(matches!(decode_sales(br#"{"meta": {}}"#), Err(KlkError::BadPayload(_))));
        assert!(matches!(decode_sales(b"<html>"), Err(KlkError::BadPayload(_))));
        let arts = br#"{"meta": {"almacences_filtrados": "[\"APP-TPF\"]", "total_articulos": 0}, "articulos": []}"#;
        let l = decode_articles(arts).unwrap();
        assert_eq!(l.meta_almacenes, Some(vec!["APP-TPF".to_string()]));
        assert!(check_body(br#"{"error": "x"}"#).is_err_and(|e| !e.retriable()));
        assert!(check_body(b"{oops").is_err_and(|e| e.retriable()));
    }
}
