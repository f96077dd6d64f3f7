//! Shared by the `etl_*` tests: a fake KLK API (a real axum server on port 0 that behaves
//! like the vendor's, quirks included), realistic payload builders, a KLK tenant and
//! warehouse helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Value};

use fluxion::config::Tenant;
use fluxion::etl::{Etl, EtlJob, EtlOptions, RunKind, RunReport, RunRequest, Trigger};
use fluxion::http::AppState;

pub const JWT_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// What a KLK endpoint does for one branch (sales) or warehouse (articles).
#[derive(Debug, Clone)]
pub enum Fault {
    /// `{"error": msg}` with HTTP 200.
    ErrorKey(String),
    /// This HTTP status with an HTML body.
    Status(u16),
    /// Answer after this delay.
    Slow(Duration),
    /// A body that is not JSON.
    NotJson,
    /// Fail with 500 for the first `n` requests, then answer normally.
    FailTimes(usize),
}

#[derive(Default)]
pub struct FakeState {
    /// sucursal → sale items (full vendor JSON).
    pub sales: Mutex<HashMap<String, Vec<Value>>>,
    /// warehouse code → article rows.
    pub articles: Mutex<HashMap<String, Vec<Value>>>,
    pub pisoventa: Mutex<Vec<Value>>,
    /// sucursal → Reposicion listing.
    pub reposicion: Mutex<HashMap<String, Vec<Value>>>,
    /// sucursal or warehouse → fault.
    pub faults: Mutex<HashMap<String, Fault>>,
    /// sucursal or warehouse → answer with the legacy bare array.
    pub bare: Mutex<std::collections::HashSet<String>>,
    /// Every request: (path, body).
    pub requests: Mutex<Vec<(String, Value)>>,
    /// Requests that broke a vendor rule (two dates in one sales request, several
    /// warehouses in one articles request).
    pub violations: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    fail_counts: Mutex<HashMap<String, usize>>,
    /// Delay added to every response (concurrency tests).
    pub base_delay: Mutex<Duration>,
    /// `X-API-Key` of every sales request (None when absent).
    pub api_keys: Mutex<Vec<Option<String>>>,
    /// Woken at every request received and every response sent: tests wait on it
    /// instead of sleeping.
    arrived: tokio::sync::Notify,
    /// Responses sent (any path).
    served: AtomicUsize,
}

impl FakeState {
    pub fn set_sales(&self, sucursal: &str, items: Vec<Value>) {
        self.sales.lock().unwrap().insert(sucursal.into(), items);
    }
    pub fn add_sales(&self, sucursal: &str, items: Vec<Value>) {
        self.sales.lock().unwrap().entry(sucursal.into()).or_default().extend(items);
    }
    pub fn set_articles(&self, almacen: &str, rows: Vec<Value>) {
        self.articles.lock().unwrap().insert(almacen.into(), rows);
    }
    pub fn fault(&self, key: &str, f: Fault) {
        self.faults.lock().unwrap().insert(key.into(), f);
    }
    pub fn clear_fault(&self, key: &str) {
        self.faults.lock().unwrap().remove(key);
    }
    pub fn bare_array(&self, key: &str) {
        self.bare.lock().unwrap().insert(key.into());
    }
    pub fn requests_to(&self, path: &str) -> Vec<Value> {
        self.requests.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, b)| b.clone()).collect()
    }
    pub fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }
    fn record(&self, path: &str, body: Value) {
        self.requests.lock().unwrap().push((path.into(), body));
        self.arrived.notify_waiters();
    }
    /// Waits (at most 30 s) until `ready` holds, re-checking at every request and response.
    async fn wait_until(&self, what: &str, ready: impl Fn(&FakeState) -> bool) {
        let wait = async {
            loop {
                let notified = self.arrived.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if ready(self) {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait).await.unwrap_or_else(|_| panic!("the fake KLK never saw {what}"));
    }
    /// Waits until `n` requests to `path` have arrived (a run is then in progress).
    pub async fn wait_for_requests(&self, path: &str, n: usize) {
        self.wait_until(&format!("{n} request(s) to {path}"), |s| s.requests_to(path).len() >= n).await;
    }
    /// Waits until `n` responses have been sent, whatever the path.
    pub async fn wait_for_served(&self, n: usize) {
        self.wait_until(&format!("{n} response(s) sent"), |s| s.served.load(Ordering::SeqCst) >= n).await;
    }
}

pub struct FakeKlk {
    pub addr: SocketAddr,
    pub state: Arc<FakeState>,
}

impl FakeKlk {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Starts the fake KLK API on 127.0.0.1:0.
pub async fn spawn_klk() -> FakeKlk {
    let state = Arc::new(FakeState::default());
    let app = Router::new()
        .route("/ventas", post(ventas))
        .route("/maestra/articulos/almacen", post(articulos))
        .route("/maestra/almacenes/pisoventa", get(pisoventa))
        .route("/maestra/almacenes/Reposicion", get(reposicion))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeKlk { addr, state }
}

struct InFlight<'a>(&'a FakeState);
impl<'a> InFlight<'a> {
    fn new(s: &'a FakeState) -> Self {
        let n = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.max_in_flight.fetch_max(n, Ordering::SeqCst);
        InFlight(s)
    }
}
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.served.fetch_add(1, Ordering::SeqCst);
        self.0.arrived.notify_waiters();
    }
}

/// Applies the configured fault of `key`; `Some(response)` short-circuits the handler.
async fn apply_fault(s: &FakeState, key: &str) -> Option<Response> {
    let base = *s.base_delay.lock().unwrap();
    if !base.is_zero() {
        tokio::time::sleep(base).await;
    }
    let fault = s.faults.lock().unwrap().get(key).cloned();
    match fault {
        None => None,
        Some(Fault::ErrorKey(m)) => Some(axum::Json(json!({ "error": m })).into_response()),
        Some(Fault::Status(code)) => {
            Some((StatusCode::from_u16(code).unwrap(), "<html><body>Internal Server Error</body></html>").into_response())
        }
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        Some(Fault::NotJson) => Some((StatusCode::OK, "<html>mantenimiento</html>").into_response()),
        Some(Fault::FailTimes(n)) => {
            let mut counts = s.fail_counts.lock().unwrap();
            let c = counts.entry(key.to_string()).or_default();
            *c += 1;
            if *c <= n {
                Some((StatusCode::BAD_GATEWAY, "bad gateway").into_response())
            } else {
                None
            }
        }
    }
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

async fn ventas(State(s): State<Arc<FakeState>>, headers: axum::http::HeaderMap, body: String) -> Response {
    let _g = InFlight::new(&s);
    s.api_keys.lock().unwrap().push(headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::to_string));
    let body: Value = match serde_json::from_str(&body) {
        Ok(v) => v,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad json").into_response(),
    };
    s.record("/ventas", body.clone());
    let (Some(suc), Some(desde), Some(hasta)) = (text(&body, "sucursal"), text(&body, "fecha_desde"), text(&body, "fecha_hasta")) else {
        return axum::Json(json!({"error": "parámetros requeridos: sucursal, fecha_desde, fecha_hasta"})).into_response();
    };
    if desde != hasta {
        s.violations.lock().unwrap().push(format!("/ventas con dos fechas: {desde}..{hasta}"));
    }
    if let Some(r) = apply_fault(&s, &suc).await {
        return r;
    }
    let parse_t = |t: Option<String>| {
        t.and_then(|t| NaiveTime::parse_from_str(&t, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(&t, "%H:%M")).ok())
    };
    let (h1, h2) = (parse_t(text(&body, "hora_desde")), parse_t(text(&body, "hora_hasta")));
    let almacen = text(&body, "almacen");
    let items: Vec<Value> = s
        .sales
        .lock()
        .unwrap()
        .get(&suc)
        .map(|all| {
            all.iter()
                .filter(|it| {
                    let f = text(it, "fecha").unwrap_or_default();
                    if f < desde || f > hasta {
                        return false;
                    }
                    // Time-of-day filter on each date (the vendor's semantics, §3.2).
                    if let (Some(a), Some(b)) = (h1, h2) {
                        let hora = text(it, "hora").unwrap_or_default();
                        let Ok(t) = NaiveTime::parse_from_str(hora.split('.').next().unwrap_or(""), "%H:%M:%S") else { return true };
                        if t < a || t > b {
                            return false;
                        }
                    }
                    match &almacen {
                        Some(a) => it["cantidad"][0]["codigo_almacen"].as_str() == Some(a.as_str()),
                        None => true,
                    }
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if s.bare.lock().unwrap().contains(&suc) {
        return axum::Json(Value::Array(items)).into_response();
    }
    axum::Json(json!({
        "meta": {"sucursal_codigo": suc, "fecha_desde": desde, "fecha_hasta": hasta,
                 "hora_desde": text(&body, "hora_desde"), "hora_hasta": text(&body, "hora_hasta"),
                 "CodArticulo": null, "almacen": almacen, "total_registros": items.len(),
                 "fecha_generacion": Utc::now().to_rfc3339()},
        "ventas": items,
    }))
    .into_response()
}

async fn articulos(State(s): State<Arc<FakeState>>, body: String) -> Response {
    let _g = InFlight::new(&s);
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    s.record("/maestra/articulos/almacen", body.clone());
    let codes: Vec<String> = match &body["Codigoalmacen"] {
        Value::String(c) => vec![c.clone()],
        Value::Array(a) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => return axum::Json(json!({"error": "Codigoalmacen requerido"})).into_response(),
    };
    if codes.len() != 1 {
        s.violations.lock().unwrap().push(format!("artículos de {} almacenes en una solicitud", codes.len()));
    }
    let key = codes.first().cloned().unwrap_or_default();
    if let Some(r) = apply_fault(&s, &key).await {
        return r;
    }
    let rows: Vec<Value> = codes.iter().flat_map(|c| s.articles.lock().unwrap().get(c).cloned().unwrap_or_default()).collect();
    if s.bare.lock().unwrap().contains(&key) {
        return axum::Json(Value::Array(rows)).into_response();
    }
    axum::Json(json!({
        "meta": {"almacences_filtrados": serde_json::to_string(&codes).unwrap(), "total_articulos": rows.len(),
                 "fecha_generacion": "2025-11-17T14:30:02.118Z"},
        "articulos": rows,
    }))
    .into_response()
}

async fn pisoventa(State(s): State<Arc<FakeState>>) -> Response {
    s.record("/maestra/almacenes/pisoventa", Value::Null);
    if let Some(r) = apply_fault(&s, "pisoventa").await {
        return r;
    }
    axum::Json(Value::Array(s.pisoventa.lock().unwrap().clone())).into_response()
}

async fn reposicion(State(s): State<Arc<FakeState>>, Query(q): Query<HashMap<String, String>>) -> Response {
    s.record("/maestra/almacenes/Reposicion", json!(q));
    let suc = q.get("sucursal").cloned().unwrap_or_default();
    axum::Json(Value::Array(s.reposicion.lock().unwrap().get(&suc).cloned().unwrap_or_default())).into_response()
}

// ---------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------

/// One realistic sale item (every field of spec 20 §3.4).
#[allow(clippy::too_many_arguments)]
pub fn sale_item(factura: &str, linea: i64, fecha: &str, hora: &str, codigo: &str, cantidad: f64, precio_usd: f64, almacen: &str) -> Value {
    let tasa = 236.46;
    let venta = (cantidad * precio_usd * 100.0).round() / 100.0;
    let costo = (cantidad * precio_usd * 0.7 * 100.0).round() / 100.0;
    let venta_bs = (venta * tasa * 100.0).round() / 100.0;
    json!({
        "numero_factura": factura,
        "fecha": fecha,
        "hora": hora,
        "fecha_hora_completa": format!("{fecha}T{}", &hora[..8]),
        "linea": linea,
        "total_factura": (venta_bs * 1.16 * 100.0).round() / 100.0,
        "tasa_usd": tasa,
        "es_no_fiscal": false,
        "tiene_promocion": "N",
        "codigo_promocion": "",
        "producto": [{
            "codigo_producto": codigo, "descripcion_producto": format!("PRODUCTO {codigo}"), "marca_producto": "MARCA",
            "modelo_producto": "", "categoria_producto": "VIVERES", "grupo_articulo": "ALIMENTOS",
            "subgrupo_producto": "GENERAL", "categoria_nombre": "VIVERES", "codigo_barras": format!("759{codigo:0>10}"),
            "serial": "", "imei": "", "cuadrante_producto": "CUADRANTE I"
        }],
        "cantidad": [{
            "codigo_almacen": almacen, "nombre_almacen": "PISO DE VENTA", "cantidad_vendida": cantidad,
            "peso_unitario": 0, "peso_bruto": 0, "volumen_unitario": 0, "unidad_medida_venta": "UNIDAD",
            "factor_unidad_medida": 1, "total_cantidad_por_unidad_medida": cantidad, "peso_calculado": 0
        }],
        "financiero": [{
            "costo_unitario_bs": (precio_usd * 0.7 * tasa * 100.0).round() / 100.0, "costo_unitario_usd": precio_usd * 0.7,
            "precio_unitario_bs": (precio_usd * tasa * 100.0).round() / 100.0, "precio_unitario_usd": precio_usd,
            "impuesto_porcentaje": 16, "impuesto_monto": (venta_bs * 0.16 * 100.0).round() / 100.0,
            "porcentaje_descuento": 0, "monto_descuento": 0, "porcentaje_descuento_fidelizacion": 0,
            "monto_descuento_fidelizacion": 0, "porcentaje_descuento_forma_pago": 0, "monto_descuento_forma_pago": 0,
            "venta_total_bs": venta_bs, "venta_total_usd": venta, "costo_total_bs": (costo * tasa * 100.0).round() / 100.0,
            "costo_total_usd": costo, "utilidad_bruta_bs": ((venta - costo) * tasa * 100.0).round() / 100.0,
            "utilidad_bruta_usd": ((venta - costo) * 100.0).round() / 100.0
        }]
    })
}

/// `n` lines of one store-day spread between 07:00 and 21:00 (invoices of 1–5 lines).
pub fn day_of_sales(prefix: &str, fecha: &str, n: usize, almacen: &str) -> Vec<Value> {
    let mut out = Vec::with_capacity(n);
    let mut factura = 0;
    let mut linea = 0;
    for i in 0..n {
        if linea == 0 || linea > (factura % 5) {
            factura += 1;
            linea = 0;
        }
        linea += 1;
        let secs = 7 * 3600 + (i as u64 * 14 * 3600 / n.max(1) as u64);
        let hora = format!("{:02}:{:02}:{:02}.{:07}", secs / 3600, (secs / 60) % 60, secs % 60, (i * 7919) % 10_000_000);
        let codigo = format!("{:06}", 1 + (i * 37) % 4000);
        out.push(sale_item(
            &format!("{prefix}-{factura:08}"),
            linea as i64,
            fecha,
            &hora,
            &codigo,
            1.0 + (i % 3) as f64,
            1.25 + (i % 50) as f64 * 0.1,
            almacen,
        ));
    }
    out
}

/// One article row (spec 20 §3.3).
#[allow(clippy::too_many_arguments)] // one argument per field of the KLK article
pub fn article(
    nombre: &str,
    codigo: &str,
    barra: &str,
    cat: &str,
    desc: &str,
    sub: &str,
    desc_cat: &str,
    marca: &str,
    precio: f64,
    iva: f64,
    stock: f64,
) -> Value {
    json!({"NombreProducto": nombre, "Codigo": codigo, "Barra": barra, "Categoria": cat, "Descripcion": desc,
           "Subcategoria": sub, "Descripcion_categoria": desc_cat, "Marca": marca, "Precio": precio, "Iva": iva, "stock": stock})
}

/// A catalogue of `n` articles with stock.
pub fn catalogue(n: usize, stock_seed: i64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let codigo = format!("{:06}", i + 1);
            article(
                &format!("ARTICULO {i}"),
                &codigo,
                &format!("759{i:010}"),
                "12",
                "VIVERES",
                "3",
                "GENERAL",
                "N/A",
                1.0 + i as f64 * 0.01,
                16.0,
                ((i as i64 * 7 + stock_seed) % 50) as f64,
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tenant
// ---------------------------------------------------------------------------------------

/// (id, name, sucursal, almacén) of the KLK stores of the test tenant (appendix A codes).
pub const STORES: &[(&str, &str, &str, &str)] = &[
    ("tienda_01", "PERIFERICO", "SUC001", "APP-TPF"),
    ("tienda_02", "AV. BOLIVAR", "SUC007", "TAVBOL"),
    ("tienda_03", "MAÑONGO", "SUC008", "TTMAN"),
    ("tienda_04", "SAN DIEGO", "SUC014", "TSDGO"),
    ("tienda_05", "VIVIENDA", "SUC018", "TVDAS"),
];

/// tenant.toml of a KLK chain: `stores` first entries of [`STORES`] plus `cedi_caracas`
/// (KLK stock only) and `extra` appended verbatim.
pub fn klk_tenant_toml(base_url: &str, stores: usize, extra: &str) -> String {
    let mut t = format!(
        "schema_version = 1\n\n[tenant]\nid = \"etltest\"\ndisplay_name = \"ETL Test\"\ntimezone = \"America/Caracas\"\n\n\
         [server]\npublic_url = \"http://localhost:8080\"\nallowed_hosts = [\"localhost\", \"127.0.0.1\"]\n\n\
         [pos.klk]\nbase_url = \"{base_url}\"\ntimeout_seconds = 2\nmax_retries = 3\nretry_delay_seconds = 0\n\n\
         [[regions]]\nid = \"VALENCIA\"\nname = \"Valencia\"\n\n[[regions]]\nid = \"CARACAS\"\nname = \"Caracas\"\ncedi_reposicion = \"cedi_caracas\"\n"
    );
    for (id, name, suc, alm) in &STORES[..stores] {
        t.push_str(&format!(
            "\n[[stores]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"tienda\"\nregion = \"VALENCIA\"\npos = \"klk\"\n\n  \
             [stores.klk]\n  sucursal = \"{suc}\"\n  almacen_ventas = \"{alm}\"\n\n  \
             [[stores.klk.almacenes]]\n  codigo = \"{alm}\"\n  nombre = \"PISO DE VENTA\"\n  tipo = \"piso_venta\"\n"
        ));
    }
    t.push_str(
        "\n[[stores]]\nid = \"cedi_caracas\"\nname = \"CEDI Caracas\"\nkind = \"cedi\"\nregion = \"CARACAS\"\npos = \"klk\"\n\
         serves_regions = [\"CARACAS\"]\n\n  [stores.klk]\n\n  [[stores.klk.almacenes]]\n  codigo = \"PCDICS\"\n  nombre = \"PRINCIPAL\"\n  tipo = \"principal\"\n",
    );
    t.push_str(extra);
    t
}

pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Writes tenant.toml + secrets.toml into `dir`.
pub fn write_tenant_files(dir: &Path, toml_text: &str, secrets_extra: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("tenant.toml");
    std::fs::write(&path, toml_text).unwrap();
    write_private(&dir.join("secrets.toml"), &format!("[auth]\njwt_secret = \"{JWT_HEX}\"\n{secrets_extra}"));
    path
}

/// An opened tenant (both stores) and its ETL.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub etl: Arc<Etl>,
}

pub fn fast_options() -> EtlOptions {
    EtlOptions { stellar_retry_delay: Duration::from_millis(10), ..EtlOptions::default() }
}

pub async fn open_env(toml_text: &str, secrets_extra: &str, options: EtlOptions) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant_files(dir.path(), toml_text, secrets_extra);
    let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{e}"));
    let state = tokio::task::spawn_blocking(move || fluxion::app::open_with(tenant, options).unwrap()).await.unwrap();
    let etl = state.etl.clone();
    Env { dir, state, etl }
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

impl Env {
    pub async fn run(&self, job: EtlJob, kind: RunKind, f: impl FnOnce(&mut RunRequest)) -> RunReport {
        let mut req = RunRequest::new(job, kind, Trigger::Cli);
        f(&mut req);
        self.etl.run(req).await.unwrap()
    }

    /// Rows of a warehouse query as strings (for exact comparisons).
    pub fn dump(&self, sql: &str) -> Vec<Vec<String>> {
        let r = self.state.warehouse.reader().unwrap();
        let mut stmt = r.prepare(sql).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut out = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let n = row.as_ref().column_count();
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                let cell: duckdb::types::Value = row.get(i).unwrap();
                v.push(match cell {
                    duckdb::types::Value::Null => "NULL".to_string(),
                    duckdb::types::Value::Text(s) => s,
                    other => format!("{other:?}"),
                });
            }
            out.push(v);
        }
        out
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.state.warehouse.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    pub fn sqlite(&self) -> rusqlite::Connection {
        fluxion::appdb::connect(&self.state.app_db_path).unwrap()
    }

    pub fn sql_i64(&self, sql: &str) -> i64 {
        self.sqlite().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    pub fn set_watermark(&self, store: &str, value: &str) {
        let v = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S").unwrap();
        let conn = self.sqlite();
        let exec = fluxion::etl::history::start_execution(
            &conn,
            &fluxion::etl::history::NewExecution {
                etl_name: "ventas",
                etl_type: "manual",
                triggered_by: "cli",
                usuario: None,
                fecha_desde: None,
                fecha_hasta: None,
                tiendas: vec![],
                recovered_gap_id: None,
            },
        )
        .unwrap();
        conn.execute("UPDATE etl_executions SET status = 'success', finished_at = started_at WHERE id = ?1", [exec]).unwrap();
        fluxion::etl::history::set_watermark(&conn, "ventas", store, v, exec).unwrap();
    }

    pub fn watermark(&self, store: &str) -> Option<String> {
        fluxion::etl::history::watermark(&self.sqlite(), "ventas", store).unwrap().map(|t| t.to_string())
    }
}
