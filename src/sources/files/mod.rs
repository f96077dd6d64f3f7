//! File import (`fluxion import <dir>`, spec 15; user documentation in
//! `docs/import-format.md`): a folder holding any of `productos.csv`, `ventas.csv`,
//! `inventario.csv` and `inventario_historico.csv`.
//!
//! How an import runs:
//! 1. Every present file is read and every row parsed and checked against tenant.toml
//!    **before anything is written**. Other files in the folder are ignored (a warning
//!    names them); sub-folders (such as `rejected/`) are ignored silently.
//! 2. If there is any error, the import is refused ([`ImportError::Refused`], exit 65) and
//!    nothing is written. With `skip_bad_rows`, row errors do not refuse the import, but a
//!    header error (missing required column, unknown or duplicate column) still does: the
//!    file's layout is wrong, so none of its rows can be trusted.
//! 3. The files are loaded in the order productos → ventas → inventario →
//!    inventario_historico, one warehouse transaction per file.
//! 4. With `skip_bad_rows`, the rows refused in a file are written to
//!    `<dir>/rejected/<file>` (the `rejected/` folder inside the import folder, i.e. beside
//!    the input files): the original header and fields, plus a `motivo` column (every
//!    reason of the row, `column: reason`, joined by `; `) and a `linea_archivo` column
//!    (line in the original file; not `linea`, which `ventas.csv` already uses for the
//!    invoice line). A file imported without rejections removes its stale copy from an
//!    earlier run.
//!
//! Errors read `file:line:column: reason`. `line` is the physical line where the record
//! starts, as a text editor numbers it (header = line 1; a quoted field spanning lines
//! counts all of them). `column` is the column's header **name** (more useful than its
//! position); a field without a name (beyond the header, or an empty header cell) is
//! shown as `#N`, its 1-based position.
//!
//! Choices where spec 15 is silent (also in the user documentation):
//! * every cell is trimmed; `""`, `N/A`, `None`, `nan` are NULL (spec 10 §1);
//! * rows whose fields are all blank (`,,,,` left by spreadsheets) are skipped, not counted;
//! * decimals are rounded half away from zero to the 4 decimals the warehouse keeps;
//!   exponents (`1e3`) are refused; integers take no decimal point;
//! * a key repeated inside one file: the last row wins; counts are per distinct key;
//! * `inventario.csv`: one listing per (`ubicacion_id`, `almacen_codigo`); its instant is
//!   the latest `fecha_actualizacion` given in the group's rows, or the import time in the
//!   tenant's time zone when none is given. Re-importing an identical listing is a no-op.
//!   With `skip_bad_rows`, a refused row whose location and product are readable leaves
//!   that product's current stock as it was (it is not "absent from the listing"); a
//!   scope whose every row was refused is not touched;
//! * `inventario_historico.csv`: `almacen_codigo` defaults like in `inventario.csv`;
//! * `almacen_codigo` is not checked against the warehouses declared in tenant.toml;
//! * inactive locations still accept data (an old export of a closed store).

mod reader;
mod rows;
mod values;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{NaiveDateTime, TimeZone, Timelike};
use duckdb::{params, Connection, OptionalExt};

use crate::config::Tenant;
use crate::domain::records::{ProductRecord, SaleLine, StockListing};
use crate::warehouse::load::{self, LoadCounts, LoadError, PastStock};
use crate::warehouse::sales;
use crate::warehouse::Warehouse;

use reader::{read_file, ParsedFile, RejectedRow};
use rows::{Locations, StockKey, StockRow};

/// At most this many errors are kept in [`ImportError::Refused`] (the total is given).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Name of the folder, inside the import folder, that receives refused rows.
pub const REJECTED_DIR: &str = "rejected";

/// Value of `productos.fuente` and of the stock `origen` for imported rows.
const ORIGIN: &str = "archivo";

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Load the good rows and write the refused ones to `<dir>/rejected/`.
    pub skip_bad_rows: bool,
    /// Time of the import (UTC): `cargado_en`/`actualizado_en` of the written rows, and,
    /// converted to the tenant's time zone, the default `fecha_actualizacion` of stock.
    pub now_utc: NaiveDateTime,
}

/// What the import did with one file. `inserted`/`updated`/`unchanged` count distinct
/// keys (a key repeated in the file counts once); `read` counts data rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileSummary {
    pub file: String,
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// `inventario.csv` only: current-stock rows removed because their product is absent
    /// from the new listing of their (location, warehouse).
    pub removed: usize,
    pub seconds: f64,
}

impl fmt::Display for FileSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} read, {} inserted, {} updated, {} unchanged, {} rejected",
            self.file, self.read, self.inserted, self.updated, self.unchanged, self.rejected
        )?;
        if self.removed > 0 {
            write!(f, ", {} removed", self.removed)?;
        }
        write!(f, " ({:.2} s)", self.seconds)
    }
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    /// The files found, in load order.
    pub files: Vec<FileSummary>,
    /// Where refused rows were written (only with `skip_bad_rows` and some refused row).
    pub rejected_dir: Option<PathBuf>,
}

/// One problem of an import, displayed `file:line:column: reason`, e.g.
/// `ventas.csv:12:cantidad_vendida: not a decimal: "12,5"`.
///
/// `column` is the header **name** of the column (spec 15 only says "column"; a name is
/// more useful than a number), or `#N` (1-based position) for a field that has no name.
/// `line` is the physical line of the record in the file (header = 1); errors about the
/// header itself (missing, unknown, duplicate column) are on the header line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Data errors: the import was refused, nothing was written. `errors` holds the first
    /// [`MAX_REPORTED_ERRORS`] in load order (file, then line); `total` counts them all.
    #[error("import refused: {total} data error(s); nothing was written")]
    Refused { errors: Vec<RowError>, total: usize },
    /// The folder or a file cannot be read (or `rejected/` cannot be written). Unknown
    /// file names in the folder are not an error.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The warehouse failed; the file being loaded was rolled back (files loaded before
    /// it stay loaded: one transaction per file).
    #[error("warehouse error during the import: {0}")]
    Db(#[from] duckdb::Error),
    /// The warehouse did not hold what the file's load wrote (`warehouse::sales`); that
    /// file was rolled back.
    #[error("{file}: {message}")]
    Unaccounted { file: String, message: String },
}

impl ImportError {
    /// Process exit status (sysexits): 65 data error, 74 I/O error, 70 internal error.
    pub fn exit_code(&self) -> i32 {
        match self {
            ImportError::Refused { .. } | ImportError::Unaccounted { .. } => 65,
            ImportError::Io { .. } => 74,
            ImportError::Db(_) => 70,
        }
    }
}

/// The files of the format, in load order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Productos,
    Ventas,
    Inventario,
    InventarioHistorico,
}

const LOAD_ORDER: [FileKind; 4] = [FileKind::Productos, FileKind::Ventas, FileKind::Inventario, FileKind::InventarioHistorico];

impl FileKind {
    fn file_name(self) -> &'static str {
        match self {
            FileKind::Productos => "productos.csv",
            FileKind::Ventas => "ventas.csv",
            FileKind::Inventario => "inventario.csv",
            FileKind::InventarioHistorico => "inventario_historico.csv",
        }
    }
}

/// The good rows of one file, typed.
enum Records {
    Productos(Vec<ProductRecord>),
    /// In the reader's chunks: millions of lines are never copied into one vector.
    Ventas(Vec<Vec<SaleLine>>),
    /// `kept`: keys of refused rows whose current stock must stay as it is.
    Inventario {
        rows: Vec<StockRow>,
        kept: Vec<StockKey>,
    },
    InventarioHistorico(Vec<PastStock>),
}

/// One present file after reading and checking.
struct CheckedFile {
    name: &'static str,
    header: Vec<String>,
    header_errors: Vec<RowError>,
    rejected: Vec<RejectedRow>,
    read: usize,
    records: Records,
    seconds_reading: f64,
}

impl CheckedFile {
    /// `records` makes the file's records from the good rows (in chunks) and what the parser
    /// salvaged from refused rows.
    fn new<R>(name: &'static str, parsed: ParsedFile<R>, records: impl FnOnce(Vec<Vec<R>>, Vec<R>) -> Records, started: Instant) -> Self {
        let ParsedFile { header, header_errors, good, salvaged, rejected, read, .. } = parsed;
        CheckedFile {
            name,
            header,
            header_errors,
            rejected,
            read,
            records: records(good, salvaged),
            seconds_reading: started.elapsed().as_secs_f64(),
        }
    }

    fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.header_errors.iter().chain(self.rejected.iter().flat_map(|r| r.errors.iter()))
    }
}

/// Imports the spec-15 files found in `dir` into the warehouse. See the module
/// documentation for the exact behaviour.
pub fn import_dir(wh: &Warehouse, tenant: &Tenant, dir: &Path, opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    import_dir_reporting(wh, tenant, dir, opts, &|_| {})
}

/// [`import_dir`], telling `progress` each step as it starts ("leyendo ventas.csv", …):
/// a file of millions of lines takes seconds to read and to load.
pub fn import_dir_reporting(
    wh: &Warehouse,
    tenant: &Tenant,
    dir: &Path,
    opts: &ImportOptions,
    progress: &dyn Fn(&str),
) -> Result<ImportReport, ImportError> {
    let present = find_files(dir)?;
    if present.is_empty() {
        tracing::warn!(dir = %dir.display(), "no import file found (productos.csv, ventas.csv, inventario.csv, inventario_historico.csv)");
    }
    let locations = Locations::of(tenant);
    let mut checked = Vec::with_capacity(present.len());
    for (kind, path) in &present {
        progress(&format!("leyendo {}", kind.file_name()));
        let file = check_file(*kind, path, &locations)?;
        tracing::debug!(file = file.name, rows = file.read, seconds = file.seconds_reading, "file read and checked");
        checked.push(file);
    }

    let total: usize = checked.iter().map(|f| f.errors().count()).sum();
    let header_broken = checked.iter().any(|f| !f.header_errors.is_empty());
    if total > 0 && (!opts.skip_bad_rows || header_broken) {
        let errors = checked.iter().flat_map(|f| f.errors()).take(MAX_REPORTED_ERRORS).cloned().collect();
        tracing::warn!(total, "import refused: nothing was written");
        return Err(ImportError::Refused { errors, total });
    }

    let now_local = local_now(tenant, opts.now_utc);
    let rejected_dir = dir.join(REJECTED_DIR);
    let mut report = ImportReport::default();
    for file in checked {
        let started = Instant::now();
        progress(&format!("cargando {}", file.name));
        let counts = wh.write(|conn| load_records(conn, &file.records, opts.now_utc, now_local)).map_err(|e| match e {
            LoadError::Db(e) => ImportError::Db(e),
            unaccounted => ImportError::Unaccounted { file: file.name.to_string(), message: unaccounted.to_string() },
        })?;
        if opts.skip_bad_rows {
            write_rejected(&rejected_dir, &file)?;
            if !file.rejected.is_empty() {
                report.rejected_dir = Some(rejected_dir.clone());
            }
        }
        let summary = FileSummary {
            file: file.name.to_string(),
            read: file.read,
            inserted: counts.inserted,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected: file.rejected.len(),
            removed: counts.removed,
            seconds: file.seconds_reading + started.elapsed().as_secs_f64(),
        };
        tracing::info!(
            file = %summary.file,
            read = summary.read,
            inserted = summary.inserted,
            updated = summary.updated,
            unchanged = summary.unchanged,
            rejected = summary.rejected,
            removed = summary.removed,
            seconds = summary.seconds,
            "file imported"
        );
        report.files.push(summary);
    }
    Ok(report)
}

/// The format's files present in `dir`, in load order; other files are named in a warning.
fn find_files(dir: &Path) -> Result<Vec<(FileKind, PathBuf)>, ImportError> {
    let io = |source| ImportError::Io { path: dir.to_path_buf(), source };
    let mut names = HashSet::new();
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() || name.starts_with('.') {
            continue;
        }
        if LOAD_ORDER.iter().any(|k| k.file_name() == name) {
            names.insert(name);
        } else {
            ignored.push(name);
        }
    }
    if !ignored.is_empty() {
        ignored.sort();
        tracing::warn!(dir = %dir.display(), files = ?ignored, "files ignored by the import (not part of the import format)");
    }
    Ok(LOAD_ORDER.iter().filter(|k| names.contains(k.file_name())).map(|k| (*k, dir.join(k.file_name()))).collect())
}

fn check_file(kind: FileKind, path: &Path, locations: &Locations) -> Result<CheckedFile, ImportError> {
    let started = Instant::now();
    let name = kind.file_name();
    Ok(match kind {
        FileKind::Productos => {
            let parsed = read_file(path, name, rows::PRODUCTOS, |r| rows::product(r, locations))?;
            CheckedFile::new(name, parsed, |good, _| Records::Productos(flat(good)), started)
        }
        FileKind::Ventas => {
            let parsed = read_file(path, name, rows::VENTAS, |r| rows::sale(r, locations))?;
            CheckedFile::new(name, parsed, |good, _| Records::Ventas(good), started)
        }
        FileKind::Inventario => {
            // A refused row whose key is readable keeps that product's stock as it was.
            let parsed = read_file(path, name, rows::INVENTARIO, |r| match rows::stock(r, locations) {
                Ok(row) => Some(Ok(row)),
                Err(key) => key.map(Err),
            })?;
            CheckedFile::new(
                name,
                parsed,
                |good, salvaged| Records::Inventario {
                    rows: good.into_iter().flatten().filter_map(Result::ok).collect(),
                    kept: salvaged.into_iter().filter_map(Result::err).collect(),
                },
                started,
            )
        }
        FileKind::InventarioHistorico => {
            let parsed = read_file(path, name, rows::INVENTARIO_HISTORICO, |r| rows::past_stock(r, locations))?;
            CheckedFile::new(name, parsed, |good, _| Records::InventarioHistorico(flat(good)), started)
        }
    })
}

fn flat<R>(chunks: Vec<Vec<R>>) -> Vec<R> {
    chunks.into_iter().flatten().collect()
}

/// The import instant as wall-clock time of the tenant, whole seconds.
fn local_now(tenant: &Tenant, now_utc: NaiveDateTime) -> NaiveDateTime {
    let local = tenant.timezone.from_utc_datetime(&now_utc).naive_local();
    local.with_nanosecond(0).unwrap_or(local)
}

fn load_records(conn: &Connection, records: &Records, now_utc: NaiveDateTime, now_local: NaiveDateTime) -> Result<LoadCounts, LoadError> {
    Ok(match records {
        Records::Productos(rows) => load::upsert_products(conn, rows, ORIGIN, now_utc)?,
        Records::Ventas(chunks) => sales::load_sales(conn, chunks.iter().flatten(), None, now_utc)?,
        Records::Inventario { rows, kept } => load_stock(conn, rows, kept, now_local)?,
        Records::InventarioHistorico(rows) => load::merge_stock_history(conn, rows, ORIGIN)?,
    })
}

/// One listing per (location, warehouse) of the file, each replacing that scope.
fn load_stock(conn: &Connection, rows: &[StockRow], kept: &[StockKey], now_local: NaiveDateTime) -> Result<LoadCounts, LoadError> {
    #[derive(Default)]
    struct Scope {
        rows: Vec<(String, f64)>,
        codes: HashSet<String>,
        latest: Option<NaiveDateTime>,
    }
    let mut scopes: BTreeMap<(String, String), Scope> = BTreeMap::new();
    for r in rows {
        let scope = scopes.entry((r.ubicacion_id.clone(), r.almacen_codigo.clone())).or_default();
        scope.rows.push((r.producto_codigo.clone(), r.cantidad));
        scope.codes.insert(r.producto_codigo.clone());
        scope.latest = scope.latest.max(r.fecha_actualizacion);
    }
    // Refused rows (with --skip-bad-rows) keep their product's current stock.
    let mut preserved = 0;
    for (loc, wh, code) in kept {
        let Some(scope) = scopes.get_mut(&(loc.clone(), wh.clone())) else { continue };
        if !scope.codes.insert(code.clone()) {
            continue;
        }
        let current: Option<f64> = conn
            .query_row(
                "SELECT cantidad::DOUBLE FROM inventario_actual
                 WHERE ubicacion_id = ? AND almacen_codigo = ? AND producto_codigo = ?",
                params![loc, wh, code],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(q) = current {
            scope.rows.push((code.clone(), q));
            preserved += 1;
        }
    }
    let mut counts = LoadCounts::default();
    for ((ubicacion_id, almacen_codigo), scope) in scopes {
        let listing = StockListing { ubicacion_id, almacen_codigo, fecha_snapshot: scope.latest.unwrap_or(now_local), rows: scope.rows };
        counts += load::replace_stock(conn, &listing, ORIGIN, None, true)?;
    }
    counts.unchanged = counts.unchanged.saturating_sub(preserved);
    Ok(counts)
}

/// Writes `<rejected_dir>/<file>` with the refused rows of `file`, or removes a stale copy
/// when the file had none.
fn write_rejected(rejected_dir: &Path, file: &CheckedFile) -> Result<(), ImportError> {
    let path = rejected_dir.join(file.name);
    let io = |source| ImportError::Io { path: path.clone(), source };
    if file.rejected.is_empty() {
        match std::fs::remove_file(&path) {
            Ok(()) => {
                let _ = std::fs::remove_dir(rejected_dir); // only succeeds when left empty
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        return Ok(());
    }
    std::fs::create_dir_all(rejected_dir).map_err(|e| ImportError::Io { path: rejected_dir.to_path_buf(), source: e })?;
    let mut out = csv::Writer::from_path(&path).map_err(|e| io(csv_io(e)))?;
    let width = file.header.len();
    let mut header = file.header.clone();
    header.push("motivo".into());
    header.push("linea_archivo".into());
    out.write_record(&header).map_err(|e| io(csv_io(e)))?;
    for row in &file.rejected {
        // Same width as the header: short rows are padded; the extra fields of a long row
        // are quoted in its `motivo`.
        let mut fields: Vec<String> = row.fields.iter().take(width).cloned().collect();
        fields.resize(width, String::new());
        fields.push(row.errors.iter().map(|e| format!("{}: {}", e.column, e.reason)).collect::<Vec<_>>().join("; "));
        fields.push(row.line.to_string());
        out.write_record(&fields).map_err(|e| io(csv_io(e)))?;
    }
    out.flush().map_err(io)?;
    tracing::warn!(file = file.name, rows = file.rejected.len(), path = %path.display(), "refused rows written");
    Ok(())
}

fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
