//! Stellar POS connector over TDS (SQL Server), spec 20 §4: stock per depot and sale lines
//! of Stellar stores.
//!
//! * Every extraction query returns only text (`NVARCHAR`) and integer columns: decimals and
//!   dates are converted to text in SQL and parsed in Rust, which also moves money values
//!   exactly.
//! * Queries are plain SQL batches. The only literals in their text are validated
//!   configuration (depot code, database names), dates/times this code formats, and the
//!   keyset of the previous page, written as an escaped `N'…'` literal.
//! * Results are read in keyset pages (`TOP (n) … WHERE key > last ORDER BY key`): bounded
//!   memory, and a failed page is retried on a fresh connection from where it stopped.
//! * TLS is negotiated as the server allows: encryption is requested first (trusting the
//!   server certificate, like the original's ODBC setting); a server that does not support
//!   encryption is then reached in clear text.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use tiberius::{AuthMethod, Client, ColumnData, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::domain::records::SaleLine;
use crate::domain::sales::round_half_away;
use crate::sources::klk::map::{SaleContext, SaleProductInfo};
use crate::sources::klk::CallStats;
use crate::sources::pos::{clean_text, combine, parse_decimal, Rejection, SourceProduct};

/// Connection and extraction settings of one Stellar location.
#[derive(Clone)]
pub struct StellarSettings {
    pub host: String,
    pub port: u16,
    /// Database of the depot stock / sales tables (`VAD10`, `VAD20`…).
    pub database: String,
    /// Database holding department/group/subgroup names for the sales query.
    pub master_database: String,
    pub username: String,
    pub password: String,
    pub timeout: Duration,
    pub max_attempts: u32,
    pub retry_delay: Duration,
    /// Rows per keyset page.
    pub page_size: u32,
    /// Include weighed articles (`n_TipoPeso <> 0`); the original excluded them.
    pub incluir_pesables: bool,
}

impl std::fmt::Debug for StellarSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StellarSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl StellarSettings {
    /// Settings of a configured Stellar location (`None` when its section or credentials
    /// are missing: the location is skipped).
    pub fn for_store(tenant: &crate::config::Tenant, store: &crate::config::Store) -> Option<StellarSettings> {
        let st = store.stellar.as_ref()?;
        let pos = tenant.file.pos.stellar.as_ref();
        let cred_name = st.credentials.clone().or_else(|| pos.and_then(|p| p.credentials.clone()))?;
        let cred = tenant.secrets.stellar_credentials.get(&cred_name)?;
        let default_db = pos.map(|p| p.default_database.clone()).unwrap_or_else(|| "VAD10".into());
        Some(StellarSettings {
            host: st.host.clone()?,
            port: st.port.or(pos.map(|p| p.default_port)).unwrap_or(1433),
            database: st.database.clone().unwrap_or_else(|| default_db.clone()),
            master_database: default_db,
            username: cred.username.clone(),
            password: cred.password.clone(),
            timeout: Duration::from_secs(u64::from(st.timeout_seconds.max(1))),
            max_attempts: 3,
            retry_delay: Duration::from_secs(5),
            page_size: 1000,
            incluir_pesables: false,
        })
    }

    pub fn endpoint_label(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.database)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StellarError {
    #[error("no se pudo conectar con SQL Server: {0}")]
    Connection(String),
    #[error("tiempo agotado con SQL Server ({0:?})")]
    Timeout(Duration),
    #[error("error SQL: {0}")]
    Sql(String),
    #[error("configuración Stellar no válida: {0}")]
    Config(String),
}

type TdsClient = Client<Compat<TcpStream>>;

/// A SQL Server identifier (database name) safe to place in query text.
fn identifier(name: &str) -> Result<&str, StellarError> {
    let ok = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(StellarError::Config(format!("nombre de base de datos no permitido: {name:?}")))
    }
}

/// A configured code (depot) safe to place in query text.
fn code_literal(code: &str) -> Result<String, StellarError> {
    if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(format!("'{code}'"))
    } else {
        Err(StellarError::Config(format!("código no permitido: {code:?}")))
    }
}

/// A value read from the POS (keyset of the previous page) as an escaped literal.
fn text_literal(v: &str) -> String {
    let clean: String = v.chars().filter(|c| !c.is_control()).collect();
    format!("N'{}'", clean.replace('\'', "''"))
}

fn base_config(s: &StellarSettings) -> Config {
    let mut c = Config::new();
    c.host(&s.host);
    c.port(s.port);
    c.database(&s.database);
    c.application_name("fluxion-etl");
    c.authentication(AuthMethod::sql_server(&s.username, &s.password));
    c.trust_cert();
    c.handshake_timeout(Some(s.timeout));
    c.command_timeout(Some(s.timeout));
    c
}

async fn tcp(s: &StellarSettings) -> Result<TcpStream, StellarError> {
    let addr = format!("{}:{}", s.host, s.port);
    let stream = tokio::time::timeout(s.timeout, TcpStream::connect(&addr))
        .await
        .map_err(|_| StellarError::Timeout(s.timeout))?
        .map_err(|e| StellarError::Connection(format!("{addr}: {e}")))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Opens a logged-in connection, encrypted when the server supports it.
pub async fn connect(s: &StellarSettings) -> Result<TdsClient, StellarError> {
    let attempt = |level: EncryptionLevel| async move {
        let mut config = base_config(s);
        config.encryption(level);
        let stream = tcp(s).await?;
        tokio::time::timeout(s.timeout, Client::connect(config, stream.compat_write()))
            .await
            .map_err(|_| StellarError::Timeout(s.timeout))?
            .map_err(connection_error)
    };
    match attempt(EncryptionLevel::On).await {
        Err(StellarError::Connection(msg)) if msg.contains("encryption level") => {
            tracing::info!(host = %s.host, "SQL Server does not offer TLS; connecting without encryption");
            attempt(EncryptionLevel::NotSupported).await
        }
        other => other,
    }
}

fn connection_error(e: tiberius::error::Error) -> StellarError {
    match &e {
        tiberius::error::Error::Io { kind, .. } if *kind == std::io::ErrorKind::TimedOut => StellarError::Timeout(Duration::default()),
        _ => StellarError::Connection(e.to_string()),
    }
}

fn query_error(e: tiberius::error::Error, timeout: Duration) -> StellarError {
    match &e {
        tiberius::error::Error::Io { kind, .. } if *kind == std::io::ErrorKind::TimedOut => StellarError::Timeout(timeout),
        tiberius::error::Error::Server(t) => StellarError::Sql(format!("{} ({})", t.message(), t.code())),
        tiberius::error::Error::Io { .. } => StellarError::Connection(e.to_string()),
        _ => StellarError::Sql(e.to_string()),
    }
}

/// One result row as text cells (NULL = `None`; integers written in decimal).
pub type TextRow = Vec<Option<String>>;

fn row_text(row: &tiberius::Row) -> TextRow {
    row.cells()
        .map(|(_, data)| match data {
            ColumnData::String(s) => s.as_ref().map(|c: &Cow<str>| c.to_string()),
            ColumnData::U8(v) => v.map(|x| x.to_string()),
            ColumnData::I16(v) => v.map(|x| x.to_string()),
            ColumnData::I32(v) => v.map(|x| x.to_string()),
            ColumnData::I64(v) => v.map(|x| x.to_string()),
            ColumnData::F32(v) => v.map(|x| x.to_string()),
            ColumnData::F64(v) => v.map(|x| x.to_string()),
            ColumnData::Bit(v) => v.map(|x| if x { "1".into() } else { "0".into() }),
            ColumnData::Numeric(v) => v.map(|x| x.to_string()),
            _ => None,
        })
        .collect()
}

/// Runs `query` (one keyset page) with a timeout.
async fn run_page(client: &mut TdsClient, query: &str, timeout: Duration) -> Result<Vec<TextRow>, StellarError> {
    let fut = async {
        let stream = client.simple_query(query).await.map_err(|e| query_error(e, timeout))?;
        let rows = stream.into_first_result().await.map_err(|e| query_error(e, timeout))?;
        Ok::<_, StellarError>(rows.iter().map(row_text).collect())
    };
    tokio::time::timeout(timeout, fut).await.map_err(|_| StellarError::Timeout(timeout))?
}

/// Reads every page of a keyset-paginated query. `page(after)` builds the text of the page
/// following `after`; `key(row)` reads a row's keyset. A failed page is retried on a fresh
/// connection (`max_attempts`, `retry_delay`).
#[allow(clippy::expect_used)] // connected a few lines above
async fn read_paged<K: Clone>(
    s: &StellarSettings,
    stats: &mut CallStats,
    page: impl Fn(Option<&K>) -> Result<String, StellarError>,
    key: impl Fn(&TextRow) -> Option<K>,
) -> Result<Vec<TextRow>, StellarError> {
    let mut out = Vec::new();
    let mut after: Option<K> = None;
    let mut client: Option<TdsClient> = None;
    loop {
        let sql = page(after.as_ref())?;
        let mut attempt = 0;
        let rows = loop {
            attempt += 1;
            stats.requests += 1;
            let started = Instant::now();
            let result = async {
                if client.is_none() {
                    client = Some(connect(s).await?);
                }
                run_page(client.as_mut().expect("connected above"), &sql, s.timeout).await
            }
            .await;
            stats.latency_ms = started.elapsed().as_millis() as u64;
            match result {
                Ok(rows) => break rows,
                Err(e) => {
                    stats.failed += 1;
                    client = None;
                    tracing::warn!(host = %s.host, attempt, error = %e, "Stellar query failed");
                    if attempt >= s.max_attempts.max(1) || matches!(e, StellarError::Config(_)) {
                        return Err(e);
                    }
                    tokio::time::sleep(s.retry_delay).await;
                }
            }
        };
        let n = rows.len();
        let last_key = rows.last().and_then(&key);
        out.extend(rows);
        if n < s.page_size as usize || last_key.is_none() {
            break;
        }
        after = last_key;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Inventory per depot (§4.2)
// ---------------------------------------------------------------------------------------

/// Output columns of the inventory query, in order.
pub const INVENTORY_COLUMNS: &[&str] = &[
    "codigo_deposito",
    "descripcion_deposito",
    "codigo_producto",
    "descripcion_producto",
    "categoria_producto",
    "grupo_producto",
    "subgrupo_producto",
    "marca_producto",
    "cuadrante_producto",
    "costo_producto",
    "precio_producto",
    "impuesto_producto",
    "presentacion_producto",
    "peso_producto",
    "volumen_producto",
    "tipo_peso",
    "cantidad_bultos",
    "stock",
];

fn dec(expr: &str) -> String {
    format!("CONVERT(NVARCHAR(40), CAST({expr} AS DECIMAL(28,6)))")
}

/// Text of one page of the depot stock query (keyset: article code).
pub fn inventory_query(depot: &str, page_size: u32, after: Option<&str>, incluir_pesables: bool) -> Result<String, StellarError> {
    let depot = code_literal(depot)?;
    let keyset = after.map(|k| format!("\n  AND dp.c_codarticulo > {}", text_literal(k))).unwrap_or_default();
    let pesables = if incluir_pesables { "" } else { "\n  AND p.n_TipoPeso = 0" };
    Ok(format!(
        "SELECT TOP ({page_size})
  CONVERT(NVARCHAR(20), dp.c_coddeposito) AS codigo_deposito,
  CONVERT(NVARCHAR(100), d.c_descripcion) AS descripcion_deposito,
  CONVERT(NVARCHAR(50), dp.c_codarticulo) AS codigo_producto,
  CONVERT(NVARCHAR(200), p.c_Descri) AS descripcion_producto,
  CONVERT(NVARCHAR(100), dep.C_DESCRIPCIO) AS categoria_producto,
  CONVERT(NVARCHAR(100), g.C_DESCRIPCIO) AS grupo_producto,
  CONVERT(NVARCHAR(100), sg.C_DESCRIPCIO) AS subgrupo_producto,
  CONVERT(NVARCHAR(100), p.c_Marca) AS marca_producto,
  CONVERT(NVARCHAR(50), p.Text2) AS cuadrante_producto,
  {costo} AS costo_producto,
  {precio} AS precio_producto,
  {impuesto} AS impuesto_producto,
  CONVERT(NVARCHAR(50), p.c_Presenta) AS presentacion_producto,
  {peso} AS peso_producto,
  {volumen} AS volumen_producto,
  CAST(p.n_TipoPeso AS INT) AS tipo_peso,
  {bultos} AS cantidad_bultos,
  {stock} AS stock
FROM dbo.MA_DEPOPROD dp
LEFT JOIN dbo.MA_PRODUCTOS p ON p.c_Codigo = dp.c_codarticulo
LEFT JOIN dbo.MA_CODIGOS c ON c.c_CodNasa = p.c_Codigo
LEFT JOIN dbo.MA_DEPARTAMENTOS dep ON dep.C_CODIGO = p.c_Departamento
LEFT JOIN dbo.MA_GRUPOS g ON g.c_CODIGO = p.c_Grupo
LEFT JOIN dbo.MA_SUBGRUPOS sg ON sg.c_CODIGO = p.c_Subgrupo
LEFT JOIN dbo.MA_DEPOSITO d ON d.c_coddeposito = dp.c_coddeposito
WHERE dp.c_coddeposito = {depot}
  AND p.c_Departamento <> '000017'
  AND c.c_Descripcion = 'BARRA' AND c.nu_Intercambio = 1{pesables}
  AND p.n_Activo = 1{keyset}
ORDER BY dp.c_codarticulo",
        costo = dec("p.n_CostoAct"),
        precio = dec("p.n_Precio1"),
        impuesto = dec("p.n_Impuesto1"),
        peso = dec("p.n_Peso"),
        volumen = dec("p.n_Volumen"),
        bultos = dec("p.n_CantiBul"),
        stock = dec("dp.n_cantidad"),
    ))
}

/// All stock rows of one depot.
pub async fn fetch_inventory(s: &StellarSettings, depot: &str, stats: &mut CallStats) -> Result<Vec<TextRow>, StellarError> {
    identifier(&s.database)?;
    let page_size = s.page_size.max(1);
    read_paged(
        s,
        stats,
        |after: Option<&String>| inventory_query(depot, page_size, after.map(String::as_str), s.incluir_pesables),
        |row| row.get(2).cloned().flatten(),
    )
    .await
}

fn cell(row: &TextRow, i: usize) -> Option<&str> {
    row.get(i).and_then(|c| c.as_deref()).and_then(clean_text)
}

fn dec_cell(row: &TextRow, i: usize, name: &str, key: &str) -> Result<Option<f64>, Rejection> {
    match cell(row, i) {
        None => Ok(None),
        Some(t) => parse_decimal(t).map_err(|e| Rejection::format(name, e, key)),
    }
}

/// `CB` is the department abbreviation of *canasta básica* (§4.2).
fn category(name: Option<&str>) -> Option<String> {
    name.map(|n| if n.eq_ignore_ascii_case("CB") { "CANASTA BASICA".to_string() } else { n.to_string() })
}

/// One inventory row → product attributes (§5.3) and stock (negatives kept).
pub fn map_inventory_row(row: &TextRow) -> Result<(SourceProduct, f64), Rejection> {
    let Some(codigo) = cell(row, 2).map(str::to_string) else {
        return Err(Rejection::missing("codigo_producto", cell(row, 3).unwrap_or("?")));
    };
    let key = codigo.as_str();
    let stock = match dec_cell(row, 17, "stock", key)? {
        Some(v) => v,
        None => return Err(Rejection::missing("stock", key)),
    };
    let tipo_peso = dec_cell(row, 15, "tipo_peso", key)?;
    let bultos = dec_cell(row, 16, "cantidad_bultos", key)?;
    let product = SourceProduct {
        descripcion: cell(row, 3).map(str::to_string).or_else(|| Some(format!("Producto {codigo}"))),
        categoria: category(cell(row, 4)),
        grupo: cell(row, 5).map(str::to_string),
        subgrupo: cell(row, 6).map(str::to_string),
        marca: cell(row, 7).map(str::to_string),
        cuadrante: cell(row, 8).map(str::to_string),
        costo_unitario_usd: dec_cell(row, 9, "costo_producto", key)?,
        precio_venta_usd: dec_cell(row, 10, "precio_producto", key)?,
        iva_pct: dec_cell(row, 11, "impuesto_producto", key)?,
        presentacion: cell(row, 12).map(str::to_string),
        peso_unitario: dec_cell(row, 13, "peso_producto", key)?,
        volumen_unitario: dec_cell(row, 14, "volumen_producto", key)?,
        es_pesable: tipo_peso.map(|t| t != 0.0),
        unidades_por_bulto: bultos.filter(|b| *b >= 1.0 && *b < 1.0e6).map(|b| b.round() as i32),
        codigo: codigo.clone(),
        ..SourceProduct::default()
    };
    Ok((product, stock))
}

// ---------------------------------------------------------------------------------------
// Sales (§4.3)
// ---------------------------------------------------------------------------------------

pub const SALES_COLUMNS: &[&str] = &[
    "numero_factura",
    "fecha",
    "hora",
    "linea",
    "codigo_producto",
    "descripcion_producto",
    "marca_producto",
    "modelo_producto",
    "departamento",
    "cantidad",
    "precio",
    "costo",
    "impuesto",
    "peso",
    "codigo_barras",
];

/// Text of one page of the sales query for the local window [desde, hasta] (inclusive),
/// keyset (invoice, line). The combined timestamp is built from the date-only and the
/// time-only parts (adding full datetimes shifted the original's results by two days).
pub fn sales_query(
    s: &StellarSettings,
    desde: NaiveDateTime,
    hasta: NaiveDateTime,
    page_size: u32,
    after: Option<&(String, i64)>,
) -> Result<String, StellarError> {
    let db = identifier(&s.database)?;
    let master = identifier(&s.master_database)?;
    let keyset = after
        .map(|(f, l)| {
            let f = text_literal(f);
            format!("\n  AND (t.c_Numero > {f} OR (t.c_Numero = {f} AND t.n_Linea > {l}))")
        })
        .unwrap_or_default();
    let ts = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    Ok(format!(
        "SELECT TOP ({page_size})
  CONVERT(NVARCHAR(50), t.c_Numero) AS numero_factura,
  CONVERT(NVARCHAR(10), t.f_Fecha, 23) AS fecha,
  CONVERT(NVARCHAR(8), t.h_Hora, 108) AS hora,
  CAST(t.n_Linea AS INT) AS linea,
  CONVERT(NVARCHAR(50), c.c_CodNasa) AS codigo_producto,
  CONVERT(NVARCHAR(200), p.c_Descri) AS descripcion_producto,
  CONVERT(NVARCHAR(100), p.c_Marca) AS marca_producto,
  CONVERT(NVARCHAR(100), p.c_Modelo) AS modelo_producto,
  CONVERT(NVARCHAR(100), dep.C_DESCRIPCIO) AS departamento,
  {cantidad} AS cantidad,
  {precio} AS precio,
  {costo} AS costo,
  {impuesto} AS impuesto,
  {peso} AS peso,
  CONVERT(NVARCHAR(50), t.Codigo) AS codigo_barras
FROM [{db}].dbo.MA_TRANSACCION t
LEFT JOIN [{db}].dbo.MA_CODIGOS c ON c.c_Codigo = t.Codigo
LEFT JOIN [{db}].dbo.MA_PRODUCTOS p ON p.c_Codigo = c.c_CodNasa
LEFT JOIN [{master}].dbo.MA_DEPARTAMENTOS dep ON dep.C_CODIGO = p.c_Departamento
WHERE CONVERT(DATETIME, CONVERT(DATE, t.f_Fecha)) + CONVERT(DATETIME, CONVERT(TIME(0), t.h_Hora))
      BETWEEN '{desde}' AND '{hasta}'
  AND c.c_CodNasa IS NOT NULL{keyset}
ORDER BY t.c_Numero, t.n_Linea",
        cantidad = dec("t.Cantidad"),
        precio = dec("p.n_Precio1"),
        costo = dec("p.n_CostoAct"),
        impuesto = dec("p.n_Impuesto1"),
        peso = dec("p.n_Peso"),
        desde = ts(desde),
        hasta = ts(hasta),
    ))
}

/// Sale rows of a Stellar store in [desde, hasta].
pub async fn fetch_sales(
    s: &StellarSettings,
    desde: NaiveDateTime,
    hasta: NaiveDateTime,
    stats: &mut CallStats,
) -> Result<Vec<TextRow>, StellarError> {
    let page_size = s.page_size.max(1);
    read_paged(
        s,
        stats,
        |after: Option<&(String, i64)>| sales_query(s, desde, hasta, page_size, after),
        |row| Some((row.first().cloned().flatten()?, row.get(3).cloned().flatten()?.trim().parse::<i64>().ok()?)),
    )
    .await
}

/// One Stellar sale row → sale line, valued at the product's **current** price and cost
/// (a known accuracy limit of Stellar data, §4.3).
pub fn map_sale_row(row: &TextRow, ctx: &SaleContext) -> Result<(SaleLine, SaleProductInfo), Rejection> {
    let factura = cell(row, 0).map(str::to_string);
    let key = format!("{}/{}", factura.as_deref().unwrap_or("?"), cell(row, 3).unwrap_or("?"));
    let Some(numero_factura) = factura else { return Err(Rejection::missing("numero_factura", &key)) };
    let linea = match cell(row, 3).map(|t| t.parse::<i32>()) {
        Some(Ok(l)) if l >= 0 => l,
        Some(_) => return Err(Rejection::format("linea", "no es un entero válido", &key)),
        None => return Err(Rejection::missing("linea", &key)),
    };
    let (Some(fecha), Some(hora)) = (cell(row, 1), cell(row, 2)) else {
        return Err(Rejection::missing("fecha/hora", &key));
    };
    let fecha_venta = combine(fecha, hora).map_err(|e| Rejection::format("fecha/hora", e, &key))?;
    if fecha_venta < ctx.desde - chrono::Duration::days(1) || fecha_venta > ctx.hasta + chrono::Duration::days(1) {
        return Err(Rejection::validation(format!("fecha_venta {fecha_venta} fuera de la ventana solicitada"), &key));
    }
    let Some(codigo) = cell(row, 4).map(str::to_string) else { return Err(Rejection::missing("codigo_producto", &key)) };
    let cantidad = dec_cell(row, 9, "cantidad", &key)?.unwrap_or(0.0);
    let precio = dec_cell(row, 10, "precio", &key)?;
    let costo = dec_cell(row, 11, "costo", &key)?;
    let impuesto = dec_cell(row, 12, "impuesto", &key)?;
    let peso = dec_cell(row, 13, "peso", &key)?.unwrap_or(0.0);
    let departamento = cell(row, 8).map(str::to_string);
    let by_weight = departamento.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("CHARCUTERIA") || d.eq_ignore_ascii_case("FRUVER"));
    let p = precio.unwrap_or(0.0);
    let c = costo.unwrap_or(0.0);
    let venta_total = round_half_away(cantidad * p, 2);
    let line = SaleLine {
        ubicacion_id: ctx.ubicacion_id.clone(),
        numero_factura,
        linea,
        fecha_venta,
        producto_codigo: codigo.clone(),
        cantidad_vendida: cantidad,
        venta_total,
        costo_total: Some(round_half_away(cantidad * c, 2)),
        precio_unitario: precio,
        costo_unitario: costo,
        utilidad_bruta: Some(round_half_away(cantidad * (p - c), 2)),
        // peso_calculado = cantidad for weighed departments, else n_Peso: expressed through
        // the unit weight (peso_calculado = peso_unitario × cantidad).
        peso_unitario: if by_weight { 1.0 } else { peso },
        unidad_medida_venta: Some(if by_weight { "KG".into() } else { "UNIDAD".into() }),
        factor_unidad_medida: 1.0,
        bs: Some(Box::new(crate::domain::records::SaleAuditBs { impuesto_pct: impuesto, ..Default::default() })),
        ..SaleLine::default()
    };
    let info = SaleProductInfo {
        codigo,
        descripcion: cell(row, 5).map(str::to_string),
        marca: cell(row, 6).map(str::to_string),
        modelo: cell(row, 7).map(str::to_string),
        codigo_barras: cell(row, 14).map(str::to_string),
        cuadrante: None,
        es_kg: by_weight,
    };
    Ok((line, info))
}

/// Connects, logs in and runs a trivial query (connectivity check, §14).
pub async fn ping(s: &StellarSettings) -> Result<Duration, StellarError> {
    let started = Instant::now();
    let mut client = connect(s).await?;
    run_page(&mut client, "SELECT 1", s.timeout).await?;
    Ok(started.elapsed())
}

/// A date's whole local day as the inclusive window of the sales query.
pub fn whole_day(d: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    (crate::domain::sales::start_of_day(d), crate::domain::sales::end_of_day(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_validated_or_escaped() {
        assert!(inventory_query("1413", 10, None, false).unwrap().contains("dp.c_coddeposito = '1413'"));
        assert!(inventory_query("14'13", 10, None, false).is_err());
        let q = inventory_query("1413", 10, Some("00'1"), false).unwrap();
        assert!(q.contains("dp.c_codarticulo > N'00''1'"), "{q}");
        assert!(identifier("VAD10").is_ok() && identifier("VAD10; DROP").is_err());
    }

    #[test]
    fn worked_example_5_6() {
        let row: TextRow = [
            "1413",
            "DEPOSITO SECO",
            "004512",
            "HARINA DE MAIZ 1KG",
            "VIVERES",
            "HARINAS",
            "MAIZ",
            "MARCA Y",
            "CUADRANTE III",
            "0.850000",
            "1.100000",
            "0.000000",
            "1KG",
            "1.000000",
            "0.002000",
            "0",
            "20.000000",
            "-3.000000",
        ]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
        let (p, stock) = map_inventory_row(&row).unwrap();
        assert_eq!(stock, -3.0);
        assert_eq!(p.categoria.as_deref(), Some("VIVERES"));
        assert_eq!((p.costo_unitario_usd, p.precio_venta_usd, p.unidades_por_bulto), (Some(0.85), Some(1.1), Some(20)));
        assert_eq!((p.peso_unitario, p.volumen_unitario, p.es_pesable), (Some(1.0), Some(0.002), Some(false)));
        let mut cb = row.clone();
        cb[4] = Some("CB".into());
        assert_eq!(map_inventory_row(&cb).unwrap().0.categoria.as_deref(), Some("CANASTA BASICA"));
    }
}
