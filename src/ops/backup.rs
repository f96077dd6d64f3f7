//! Backups and restore of a tenant's data (spec 50 §14.2).
//!
//! A backup is a folder `<backup_dir>/<YYYYMMDD-HHMMSS>-<kind>/` (tenant-local time) with
//! `app.sqlite.zst` (online backup API: consistent while serving), optionally
//! `warehouse.duckdb.zst` (`CHECKPOINT`, then the file compressed while the warehouse
//! writer is held, so no write or checkpoint can change it under the copy), a copy of
//! `tenant.toml` for the record, and `MANIFEST.json` (tenant id, kind, schema versions,
//! SHA-256 and size of every file, compressed and not). Secrets are never copied. A
//! backup is written into `.partial-<id>/` and renamed into place when complete, so a
//! crash never leaves a half backup that looks whole.
//!
//! Restore refuses another tenant's backup, a schema newer than this binary, a damaged
//! file, or a warehouse in use by a running server. It decompresses next to the live files
//! (same file system), checks them (`PRAGMA integrity_check`, DuckDB open), then moves the
//! live files aside as `*.replaced-<timestamp>` and renames the restored ones into place.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{BackupSection, Tenant};
use crate::config::{APP_DB_FILE, WAREHOUSE_FILE};
use crate::warehouse::Warehouse;

pub const MANIFEST: &str = "MANIFEST.json";
/// Format of the backup folder; a binary refuses to restore a newer one.
pub const FORMAT: u32 = 1;
const APP_ARCHIVE: &str = "app.sqlite.zst";
const WAREHOUSE_ARCHIVE: &str = "warehouse.duckdb.zst";
const CONFIG_COPY: &str = "tenant.toml";
const ZSTD_LEVEL: i32 = 3;

/// Why a backup was taken; retention keeps each kind separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The nightly `[schedules].backup` run.
    Daily,
    /// Taken by `make deploy` before switching releases.
    Predeploy,
    /// On demand; never pruned automatically.
    Manual,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Daily => "daily",
            Kind::Predeploy => "predeploy",
            Kind::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    /// Name inside the backup folder.
    pub name: String,
    /// The data-folder file it restores (`app.sqlite`), or null for reference copies.
    pub restores: Option<String>,
    pub size: u64,
    pub sha256: String,
    /// Size and SHA-256 of the decompressed content.
    pub content_size: u64,
    pub content_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SchemaVersions {
    pub app: i64,
    /// Null when the backup holds no warehouse.
    pub warehouse: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub id: String,
    pub tenant: String,
    pub kind: Kind,
    /// UTC, RFC 3339.
    pub created_at: DateTime<Utc>,
    /// Tenant-local calendar day of `created_at` (retention counts weekly backups by it).
    pub local_date: NaiveDate,
    pub fluxion_version: String,
    pub release: String,
    pub schema: SchemaVersions,
    pub duration_ms: u64,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn has_warehouse(&self) -> bool {
        self.files.iter().any(|f| f.restores.as_deref() == Some(WAREHOUSE_FILE))
    }

    /// Bytes of the backup on disk.
    pub fn size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error("application database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("warehouse: {0}")]
    Duck(#[from] duckdb::Error),
    #[error(
        "the warehouse {0} is in use by another process (is `fluxion serve` running?); stop the service \
         first, or take the backup without the warehouse (--without-analytics)"
    )]
    InUse(PathBuf),
    #[error("backup {0:?} not found (neither a folder nor an id in the backup folder)")]
    NotFound(String),
    #[error("{0}: not a Fluxion backup ({1})")]
    BadManifest(PathBuf, String),
    #[error("backup {id} belongs to tenant «{found}», not «{expected}»; refusing to restore it")]
    OtherTenant { id: String, found: String, expected: String },
    #[error(
        "backup {id} has {db} schema version {found}, newer than this binary supports ({supported}); \
         restore it with the Fluxion release that made it"
    )]
    NewerSchema { id: String, db: &'static str, found: i64, supported: i64 },
    #[error("backup {id}: {file} is damaged ({what} differs from the manifest); refusing to restore it")]
    Checksum { id: String, file: String, what: &'static str },
    #[error("restored {file} failed its check: {message}")]
    Verify { file: String, message: String },
}

impl BackupError {
    /// Process exit status for the CLI (sysexits): 65 refused data, 75 retry later, 74 I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            BackupError::InUse(_) => 75,
            BackupError::NotFound(_) => 66,
            BackupError::BadManifest(..)
            | BackupError::OtherTenant { .. }
            | BackupError::NewerSchema { .. }
            | BackupError::Checksum { .. }
            | BackupError::Verify { .. } => 65,
            BackupError::Io { .. } | BackupError::Sqlite(_) | BackupError::Duck(_) => 74,
        }
    }
}

pub type Result<T, E = BackupError> = std::result::Result<T, E>;

trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| BackupError::Io { context: what(), source })
    }
}

// ---------------------------------------------------------------------------------------
// Hashing streams
// ---------------------------------------------------------------------------------------

struct HashingReader<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn hex_digest(h: Sha256) -> String {
    hex::encode(h.finalize())
}

/// Compresses `input` into `dir/name`, hashing both sides.
fn compress_into(input: impl Read, dir: &Path, name: &str, restores: &str) -> Result<FileEntry> {
    let out_path = dir.join(name);
    let ctx = || format!("writing {}", out_path.display());
    let out = File::create(&out_path).context(ctx)?;
    let writer = HashingWriter { inner: BufWriter::with_capacity(1 << 20, out), hash: Sha256::new(), bytes: 0 };
    let mut encoder = zstd::Encoder::new(writer, ZSTD_LEVEL).context(ctx)?;
    let mut reader = HashingReader { inner: BufReader::with_capacity(1 << 20, input), hash: Sha256::new(), bytes: 0 };
    io::copy(&mut reader, &mut encoder).context(ctx)?;
    let writer = encoder.finish().context(ctx)?;
    let file = writer.inner.into_inner().map_err(|e| e.into_error()).context(ctx)?;
    file.sync_all().context(ctx)?;
    Ok(FileEntry {
        name: name.to_string(),
        restores: Some(restores.to_string()),
        size: writer.bytes,
        sha256: hex_digest(writer.hash),
        content_size: reader.bytes,
        content_sha256: hex_digest(reader.hash),
    })
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let f = File::open(path).context(|| format!("reading {}", path.display()))?;
    let mut r = HashingReader { inner: BufReader::with_capacity(1 << 20, f), hash: Sha256::new(), bytes: 0 };
    io::copy(&mut r, &mut io::sink()).context(|| format!("reading {}", path.display()))?;
    Ok((r.bytes, hex_digest(r.hash)))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

// ---------------------------------------------------------------------------------------
// Creating a backup
// ---------------------------------------------------------------------------------------

/// Where the warehouse is read from.
pub enum WarehouseSource<'a> {
    /// The server's open warehouse (scheduled backups inside `serve`).
    Live(&'a Warehouse),
    /// The file in the data folder, opened by this process (CLI with the service stopped).
    Offline,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub kind: Kind,
    pub with_analytics: bool,
}

impl Options {
    /// The nightly rule: the application database every day, the warehouse only on
    /// `[backup].analytics_weekday`.
    pub fn scheduled(tenant: &Tenant, today: NaiveDate) -> Options {
        Options { kind: Kind::Daily, with_analytics: weekday_code(today) == tenant.file.backup.analytics_weekday }
    }
}

fn weekday_code(d: NaiveDate) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][d.weekday().num_days_from_monday() as usize]
}

/// Takes a backup and returns its manifest. Nothing is left behind on failure.
pub fn create(tenant: &Tenant, warehouse: WarehouseSource<'_>, opts: Options) -> Result<Manifest> {
    let started = Instant::now();
    let now = Utc::now();
    let local = now.with_timezone(&tenant.timezone);
    let root = &tenant.backup_dir;
    fs::create_dir_all(root).context(|| format!("creating the backup folder {}", root.display()))?;
    let base = format!("{}-{}", local.format("%Y%m%d-%H%M%S"), opts.kind.as_str());
    let mut id = base.clone();
    let mut n = 1;
    while root.join(&id).exists() {
        n += 1;
        id = format!("{base}-{n}");
    }
    let partial = root.join(format!(".partial-{id}"));
    let _ = fs::remove_dir_all(&partial);
    fs::create_dir(&partial).context(|| format!("creating {}", partial.display()))?;

    let result = (|| -> Result<Manifest> {
        let mut files = Vec::new();
        // 1. Application database: online backup into a plain file, then compressed.
        let plain = partial.join("app.sqlite.snapshot");
        snapshot_sqlite(&tenant.data_dir.join(APP_DB_FILE), &plain)?;
        let app_schema = sqlite_schema_version(&plain)?;
        let f = File::open(&plain).context(|| format!("reading {}", plain.display()))?;
        files.push(compress_into(f, &partial, APP_ARCHIVE, APP_DB_FILE)?);
        fs::remove_file(&plain).context(|| format!("removing {}", plain.display()))?;

        // 2. Warehouse.
        let mut wh_schema = None;
        if opts.with_analytics {
            let entry = match warehouse {
                WarehouseSource::Live(w) => {
                    let version =
                        w.schema_version().map_err(|e| BackupError::Verify { file: WAREHOUSE_FILE.into(), message: e.to_string() })?;
                    Some((backup_live_warehouse(w, &partial)?, version))
                }
                WarehouseSource::Offline => backup_offline_warehouse(&tenant.data_dir.join(WAREHOUSE_FILE), &partial)?,
            };
            if let Some((e, v)) = entry {
                files.push(e);
                wh_schema = Some(v);
            }
        }

        // 3. The configuration, for the record (never the secrets file).
        let cfg = partial.join(CONFIG_COPY);
        fs::copy(&tenant.config_path, &cfg).context(|| format!("copying {}", tenant.config_path.display()))?;
        let (size, sha) = sha256_file(&cfg)?;
        files.push(FileEntry {
            name: CONFIG_COPY.into(),
            restores: None,
            size,
            sha256: sha.clone(),
            content_size: size,
            content_sha256: sha,
        });

        let manifest = Manifest {
            format: FORMAT,
            id: id.clone(),
            tenant: tenant.id().to_string(),
            kind: opts.kind,
            created_at: now,
            local_date: local.date_naive(),
            fluxion_version: env!("CARGO_PKG_VERSION").to_string(),
            release: super::release::release().to_string(),
            schema: SchemaVersions { app: app_schema, warehouse: wh_schema },
            duration_ms: started.elapsed().as_millis() as u64,
            files,
        };
        let path = partial.join(MANIFEST);
        #[allow(clippy::expect_used)] // a struct of numbers and strings always serialises
        let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
        let mut f = File::create(&path).context(|| format!("writing {}", path.display()))?;
        f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).context(|| format!("writing {}", path.display()))?;
        sync_dir(&partial);
        fs::rename(&partial, root.join(&id)).context(|| format!("renaming {} into place", partial.display()))?;
        sync_dir(root);
        Ok(manifest)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&partial);
    }
    result
}

fn open_existing_sqlite(path: &Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// SQLite online backup in one step: a consistent snapshot taken inside one read
/// transaction (in WAL mode writers are not blocked meanwhile).
fn snapshot_sqlite(src: &Path, dst: &Path) -> Result<()> {
    if !src.is_file() {
        return Err(BackupError::Io {
            context: format!("reading {}", src.display()),
            source: io::Error::new(io::ErrorKind::NotFound, "the application database does not exist"),
        });
    }
    let source = open_existing_sqlite(src)?;
    let mut target = rusqlite::Connection::open(dst)?;
    {
        let backup = rusqlite::backup::Backup::new(&source, &mut target)?;
        let mut attempts = 0;
        loop {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                _ if attempts < 100 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                other => {
                    return Err(BackupError::Verify {
                        file: APP_DB_FILE.into(),
                        message: format!("online backup did not complete ({other:?})"),
                    })
                }
            }
        }
    }
    // A standalone file: no WAL side files to carry around.
    target.execute_batch("PRAGMA journal_mode = DELETE;")?;
    Ok(())
}

fn sqlite_schema_version(path: &Path) -> Result<i64> {
    let conn = open_existing_sqlite(path)?;
    let has_table: bool =
        conn.query_row("SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", [], |r| r.get(0))?;
    if !has_table {
        return Ok(0);
    }
    Ok(conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?)
}

fn backup_live_warehouse(w: &Warehouse, dir: &Path) -> Result<FileEntry> {
    w.checkpoint().map_err(|e| BackupError::Verify { file: WAREHOUSE_FILE.into(), message: e.to_string() })?;
    // Holding the writer: no commit, hence no automatic checkpoint, can touch the file.
    w.write(|_conn| -> Result<FileEntry> {
        let f = File::open(w.path()).context(|| format!("reading {}", w.path().display()))?;
        compress_into(f, dir, WAREHOUSE_ARCHIVE, WAREHOUSE_FILE)
    })
}

fn is_lock_error(e: &duckdb::Error) -> bool {
    let m = e.to_string().to_ascii_lowercase();
    m.contains("lock") || m.contains("resource temporarily unavailable")
}

fn open_duck(path: &Path, read_only: bool) -> Result<duckdb::Connection> {
    let config = if read_only { duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)? } else { duckdb::Config::default() };
    duckdb::Connection::open_with_flags(path, config).map_err(|e| {
        if is_lock_error(&e) {
            BackupError::InUse(path.to_path_buf())
        } else {
            BackupError::Duck(e)
        }
    })
}

fn duck_schema_version(conn: &duckdb::Connection) -> Result<i64> {
    let has: bool =
        conn.query_row("SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = 'fluxion_schema'", [], |r| r.get(0))?;
    if !has {
        return Ok(0);
    }
    Ok(conn.query_row("SELECT coalesce(max(version), 0) FROM fluxion_schema", [], |r| r.get(0))?)
}

/// With the service stopped: open the file (taking DuckDB's process lock), checkpoint,
/// compress it while the connection keeps every other process out.
fn backup_offline_warehouse(path: &Path, dir: &Path) -> Result<Option<(FileEntry, i64)>> {
    if !path.is_file() {
        tracing::warn!(path = %path.display(), "no warehouse file: backing up the application database only");
        return Ok(None);
    }
    let conn = open_duck(path, false)?;
    conn.execute_batch("CHECKPOINT")?;
    let version = duck_schema_version(&conn)?;
    let f = File::open(path).context(|| format!("reading {}", path.display()))?;
    let entry = compress_into(f, dir, WAREHOUSE_ARCHIVE, WAREHOUSE_FILE)?;
    drop(conn);
    Ok(Some((entry, version)))
}

// ---------------------------------------------------------------------------------------
// Listing, verifying, retention
// ---------------------------------------------------------------------------------------

pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| BackupError::BadManifest(dir.to_path_buf(), e.to_string()))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| BackupError::BadManifest(dir.to_path_buf(), e.to_string()))?;
    if m.format > FORMAT {
        return Err(BackupError::BadManifest(
            dir.to_path_buf(),
            format!("backup format {} is newer than this binary reads ({FORMAT})", m.format),
        ));
    }
    for f in &m.files {
        let plain = Path::new(&f.name).file_name().map(|n| n == f.name.as_str()).unwrap_or(false);
        if !plain {
            return Err(BackupError::BadManifest(dir.to_path_buf(), format!("file name {:?} is not a plain name", f.name)));
        }
    }
    Ok(m)
}

/// Backups of the folder with a readable manifest, oldest first.
pub fn list(backup_dir: &Path) -> Vec<(PathBuf, Manifest)> {
    let Ok(entries) = fs::read_dir(backup_dir) else { return Vec::new() };
    let mut out: Vec<(PathBuf, Manifest)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.file_name().and_then(|n| n.to_str()).unwrap_or(".").starts_with('.'))
        .filter_map(|p| read_manifest(&p).ok().map(|m| (p, m)))
        .collect();
    out.sort_by(|a, b| (a.1.created_at, &a.1.id).cmp(&(b.1.created_at, &b.1.id)));
    out
}

/// Checks every file of a backup against its manifest.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let m = read_manifest(dir)?;
    for f in &m.files {
        let (size, sha) = sha256_file(&dir.join(&f.name)).map_err(|_| BackupError::Checksum {
            id: m.id.clone(),
            file: f.name.clone(),
            what: "presence",
        })?;
        if size != f.size || sha != f.sha256 {
            return Err(BackupError::Checksum { id: m.id.clone(), file: f.name.clone(), what: "SHA-256" });
        }
    }
    Ok(m)
}

/// Ids to keep (spec 50 §14.2): the newest `keep_daily` daily backups, the newest
/// `keep_weekly` daily backups taken on `analytics_weekday` (they carry the warehouse),
/// the newest `keep_predeploy` pre-deploy backups, and every manual one.
pub fn retained(backups: &[Manifest], policy: &BackupSection) -> BTreeSet<String> {
    let mut newest_first: Vec<&Manifest> = backups.iter().collect();
    newest_first.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let mut keep = BTreeSet::new();
    let take = |keep: &mut BTreeSet<String>, pred: &dyn Fn(&Manifest) -> bool, n: u32| {
        for m in newest_first.iter().filter(|m| pred(m)).take(n as usize) {
            keep.insert(m.id.clone());
        }
    };
    take(&mut keep, &|m| m.kind == Kind::Daily, policy.keep_daily);
    take(&mut keep, &|m| m.kind == Kind::Daily && weekday_code(m.local_date) == policy.analytics_weekday, policy.keep_weekly);
    take(&mut keep, &|m| m.kind == Kind::Predeploy, policy.keep_predeploy);
    take(&mut keep, &|m| m.kind == Kind::Manual, u32::MAX);
    keep
}

/// Deletes the backups retention does not keep, and partial folders left by a crash.
/// Returns the deleted ids.
pub fn prune(tenant: &Tenant) -> Result<Vec<String>> {
    let all = list(&tenant.backup_dir);
    let manifests: Vec<Manifest> = all.iter().map(|(_, m)| m.clone()).collect();
    let keep = retained(&manifests, &tenant.file.backup);
    let mut removed = Vec::new();
    for (path, m) in all {
        if m.tenant == tenant.id() && !keep.contains(&m.id) {
            fs::remove_dir_all(&path).context(|| format!("removing {}", path.display()))?;
            removed.push(m.id);
        }
    }
    if let Ok(entries) = fs::read_dir(&tenant.backup_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let old = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|a| a.as_secs() > 86_400);
            if name.starts_with(".partial-") && old {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(removed)
}

// ---------------------------------------------------------------------------------------
// Restore
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default)]
pub struct RestoreOptions {
    /// Only restore when the live data has a schema newer than this binary supports
    /// (the deploy rollback: the old binary cannot open what the new one migrated).
    pub only_if_schema_newer: bool,
}

#[derive(Debug)]
pub enum RestoreOutcome {
    Restored { manifest: Manifest, files: Vec<String>, replaced_suffix: String },
    NotNeeded { reason: String },
}

/// Finds a backup by folder path or by id inside the tenant's backup folder.
pub fn locate(tenant: &Tenant, backup: &str) -> Result<PathBuf> {
    let as_path = PathBuf::from(backup);
    if as_path.join(MANIFEST).is_file() {
        return Ok(as_path);
    }
    let valid_id = !backup.is_empty() && !backup.starts_with('.') && !backup.contains(['/', '\\']);
    let by_id = tenant.backup_dir.join(backup);
    if valid_id && by_id.join(MANIFEST).is_file() {
        return Ok(by_id);
    }
    Err(BackupError::NotFound(backup.to_string()))
}

/// Schema versions of the live data files (0 when a file does not exist).
pub fn live_schema(tenant: &Tenant) -> Result<SchemaVersions> {
    let app_path = tenant.data_dir.join(APP_DB_FILE);
    let app = if app_path.is_file() { sqlite_schema_version(&app_path)? } else { 0 };
    let wh_path = tenant.data_dir.join(WAREHOUSE_FILE);
    let warehouse = if wh_path.is_file() {
        let conn = open_duck(&wh_path, true)?;
        Some(duck_schema_version(&conn)?)
    } else {
        None
    };
    Ok(SchemaVersions { app, warehouse })
}

pub fn restore(tenant: &Tenant, backup: &str, opts: RestoreOptions) -> Result<RestoreOutcome> {
    let dir = locate(tenant, backup)?;
    let manifest = read_manifest(&dir)?;
    if manifest.tenant != tenant.id() {
        return Err(BackupError::OtherTenant { id: manifest.id, found: manifest.tenant, expected: tenant.id().to_string() });
    }
    let app_supported = crate::appdb::SCHEMA_VERSION;
    let wh_supported = crate::warehouse::SCHEMA_VERSION;
    if manifest.schema.app > app_supported {
        return Err(BackupError::NewerSchema { id: manifest.id, db: "application", found: manifest.schema.app, supported: app_supported });
    }
    if let Some(v) = manifest.schema.warehouse.filter(|v| *v > wh_supported) {
        return Err(BackupError::NewerSchema { id: manifest.id, db: "warehouse", found: v, supported: wh_supported });
    }
    if opts.only_if_schema_newer {
        let live = live_schema(tenant)?;
        let newer = live.app > app_supported || live.warehouse.is_some_and(|v| v > wh_supported);
        if !newer {
            return Ok(RestoreOutcome::NotNeeded {
                reason: format!(
                    "live data schema (app {}, warehouse {}) is supported by this binary (app {app_supported}, warehouse {wh_supported})",
                    live.app,
                    live.warehouse.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
                ),
            });
        }
    }
    verify(&dir)?;

    // The server must not be running: DuckDB's process lock tells.
    let data = &tenant.data_dir;
    fs::create_dir_all(data).context(|| format!("creating {}", data.display()))?;
    let live_wh = data.join(WAREHOUSE_FILE);
    if live_wh.is_file() {
        drop(open_duck(&live_wh, false)?);
    }

    let stage = data.join(format!(".restore-{}", manifest.id));
    let _ = fs::remove_dir_all(&stage);
    fs::create_dir(&stage).context(|| format!("creating {}", stage.display()))?;
    let staged = (|| -> Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        for f in manifest.files.iter().filter(|f| f.restores.is_some()) {
            #[allow(clippy::expect_used)] // the list was filtered on `restores.is_some()`
            let target = f.restores.clone().expect("filtered");
            if target != APP_DB_FILE && target != WAREHOUSE_FILE {
                return Err(BackupError::BadManifest(dir.clone(), format!("unknown restore target {target:?}")));
            }
            let src = dir.join(&f.name);
            let dst = stage.join(&target);
            let input = File::open(&src).context(|| format!("reading {}", src.display()))?;
            let decoder = zstd::Decoder::new(input).context(|| format!("reading {}", src.display()))?;
            let mut reader = HashingReader { inner: decoder, hash: Sha256::new(), bytes: 0 };
            let mut out_file = BufWriter::with_capacity(1 << 20, File::create(&dst).context(|| format!("writing {}", dst.display()))?);
            io::copy(&mut reader, &mut out_file).context(|| format!("decompressing {}", src.display()))?;
            let file = out_file.into_inner().map_err(|e| e.into_error()).context(|| format!("writing {}", dst.display()))?;
            file.sync_all().context(|| format!("writing {}", dst.display()))?;
            if reader.bytes != f.content_size || hex_digest(reader.hash) != f.content_sha256 {
                return Err(BackupError::Checksum { id: manifest.id.clone(), file: f.name.clone(), what: "decompressed content" });
            }
            check_restored(&target, &dst)?;
            out.push((target, dst));
        }
        Ok(out)
    })();
    let staged = match staged {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&stage);
            return Err(e);
        }
    };

    // Swap: live files (and their journals) aside, restored files in. Renames inside one
    // folder; undone in reverse order if one fails.
    let suffix = format!("replaced-{}", Utc::now().format("%Y%m%dT%H%M%SZ"));
    let mut done: Vec<(PathBuf, PathBuf)> = Vec::new();
    let swap = (|| -> Result<()> {
        for (target, src) in &staged {
            let live = data.join(target);
            let sides: &[&str] = if target == APP_DB_FILE { &["", "-wal", "-shm", "-journal"] } else { &["", ".wal"] };
            for side in sides {
                let p = PathBuf::from(format!("{}{side}", live.display()));
                if p.exists() {
                    let aside = PathBuf::from(format!("{}.{suffix}", p.display()));
                    fs::rename(&p, &aside).context(|| format!("moving {} aside", p.display()))?;
                    done.push((aside, p));
                }
            }
            fs::rename(src, &live).context(|| format!("moving the restored {target} into place"))?;
            done.push((live.clone(), src.clone()));
        }
        Ok(())
    })();
    if let Err(e) = swap {
        for (from, to) in done.iter().rev() {
            let _ = fs::rename(from, to);
        }
        let _ = fs::remove_dir_all(&stage);
        return Err(e);
    }
    sync_dir(data);
    let _ = fs::remove_dir_all(&stage);
    Ok(RestoreOutcome::Restored { files: staged.into_iter().map(|(t, _)| t).collect(), manifest, replaced_suffix: suffix })
}

fn check_restored(target: &str, path: &Path) -> Result<()> {
    let fail = |message: String| BackupError::Verify { file: target.to_string(), message };
    if target == APP_DB_FILE {
        let conn = open_existing_sqlite(path)?;
        let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| fail(e.to_string()))?;
        if verdict != "ok" {
            return Err(fail(format!("integrity_check: {verdict}")));
        }
    } else {
        let conn = open_duck(path, true).map_err(|e| fail(e.to_string()))?;
        duck_schema_version(&conn).map_err(|e| fail(e.to_string()))?;
    }
    Ok(())
}

/// The `[schedules].backup` job inside `serve`: nightly backup, then retention. Failures
/// are logged (and visible in `/metrics` as an old last-success time), never fatal.
pub fn run_scheduled(tenant: &Tenant, warehouse: &Warehouse) {
    let today = tenant.today();
    let opts = Options::scheduled(tenant, today);
    match create(tenant, WarehouseSource::Live(warehouse), opts) {
        Ok(m) => {
            tracing::info!(
                job = "backup",
                id = %m.id,
                bytes = m.size(),
                warehouse = m.has_warehouse(),
                ms = m.duration_ms,
                "backup written"
            );
            match prune(tenant) {
                Ok(removed) if !removed.is_empty() => tracing::info!(job = "backup", removed = ?removed, "retention applied"),
                Ok(_) => {}
                Err(e) => tracing::error!(job = "backup", "retention failed: {e}"),
            }
        }
        Err(e) => tracing::error!(job = "backup", "backup failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(id: &str, kind: Kind, date: &str) -> Manifest {
        let local_date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        Manifest {
            format: FORMAT,
            id: id.into(),
            tenant: "t".into(),
            kind,
            created_at: local_date.and_hms_opt(6, 30, 0).unwrap().and_utc(),
            local_date,
            fluxion_version: "0".into(),
            release: "0".into(),
            schema: SchemaVersions { app: 1, warehouse: None },
            duration_ms: 0,
            files: vec![],
        }
    }

    /// Worked example of spec 50 §14.2: nightly backups 2026-01-01 … 2026-02-01, 7 daily
    /// + 4 weekly (Sunday) → 10 kept.
    #[test]
    fn retention_worked_example() {
        let mut all = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        while d <= NaiveDate::from_ymd_opt(2026, 2, 1).unwrap() {
            all.push(manifest(&d.to_string(), Kind::Daily, &d.to_string()));
            d = d.succ_opt().unwrap();
        }
        all.push(manifest("p1", Kind::Predeploy, "2025-12-01"));
        all.push(manifest("m1", Kind::Manual, "2025-11-01"));
        let keep = retained(&all, &BackupSection::default());
        let dailies: Vec<&str> = keep.iter().map(String::as_str).filter(|s| s.starts_with("2026")).collect();
        assert_eq!(
            dailies,
            [
                "2026-01-11",
                "2026-01-18",
                "2026-01-25",
                "2026-01-26",
                "2026-01-27",
                "2026-01-28",
                "2026-01-29",
                "2026-01-30",
                "2026-01-31",
                "2026-02-01"
            ]
        );
        assert!(keep.contains("p1") && keep.contains("m1"));
    }

    #[test]
    fn predeploy_retention_keeps_the_newest() {
        let all: Vec<Manifest> = (1..=7).map(|i| manifest(&format!("p{i}"), Kind::Predeploy, &format!("2026-03-0{i}"))).collect();
        let keep = retained(&all, &BackupSection::default());
        assert_eq!(keep.into_iter().collect::<Vec<_>>(), ["p3", "p4", "p5", "p6", "p7"]);
    }

    #[test]
    fn nightly_rule_takes_the_warehouse_on_its_weekday_only() {
        assert_eq!(weekday_code(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()), "sun");
        assert_eq!(weekday_code(NaiveDate::from_ymd_opt(2026, 1, 26).unwrap()), "mon");
    }
}
