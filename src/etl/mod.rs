//! The ETL from the client's POS systems into the warehouse (spec 20): jobs `ventas`
//! (hourly with watermark catch-up, nightly recovery, manual re-sync and backfill) and
//! `inventario` (30-minute snapshots), per-location isolation, bounded parallelism, and
//! the execution history in SQLite.
//!
//! Entry points: [`Etl::run`] (wait for the report: CLI, scheduler) and [`Etl::start`]
//! (return the execution id at once: HTTP). One run per job at a time inside the process
//! (the warehouse file lock keeps a second process out); a second request for a running job
//! is refused with [`RunError::AlreadyRunning`].

pub mod check;
mod connector;
pub mod coverage;
pub mod error;
pub mod history;
pub mod jobs;
pub mod load;
pub mod notify;
mod pipeline;
pub mod status;
pub mod window;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::config::Tenant;
use crate::sources::klk::{KlkClient, KlkSettings};
use crate::warehouse::Warehouse;

pub use error::{Category, EtlError, Phase};
pub use history::DetailOutcome;
pub use status::{LocationStatus, RunStatus};

/// `etl_name` of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EtlJob {
    Ventas,
    Inventario,
}

impl EtlJob {
    pub fn as_str(self) -> &'static str {
        match self {
            EtlJob::Ventas => "ventas",
            EtlJob::Inventario => "inventario",
        }
    }
}

/// `etl_type` of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Scheduled,
    Manual,
    Recovery,
    Backfill,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Scheduled => "scheduled",
            RunKind::Manual => "manual",
            RunKind::Recovery => "recovery",
            RunKind::Backfill => "backfill",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    Scheduler,
    Admin(String),
    Cli,
}

impl Trigger {
    pub fn as_str(&self) -> &'static str {
        match self {
            Trigger::Scheduler => "scheduler",
            Trigger::Admin(_) => "admin",
            Trigger::Cli => "cli",
        }
    }
}

/// Tunables of the pipeline (spec 20 §8.3, §10). Defaults are the spec's.
#[derive(Debug, Clone)]
pub struct EtlOptions {
    /// KLK locations processed at once.
    pub klk_parallelism: usize,
    pub location_budget: Duration,
    pub run_budget: Duration,
    /// Rows per Stellar keyset page.
    pub stellar_page_size: u32,
    pub stellar_attempts: u32,
    pub stellar_retry_delay: Duration,
    /// Days re-extracted by the nightly recovery (D−1 … D−n).
    pub recovery_days: u32,
    /// Retry, at the end of a run, the locations that failed with a transient extract error.
    pub retry_transient: bool,
    /// Replaces both KLK request timeouts (tests, slow links).
    pub klk_timeout_override: Option<Duration>,
    /// Lines of consecutive whole days of one location loaded in one transaction by the day
    /// tasks (backfill, range, recovery). Above DuckDB's row-group size (122,880 rows) the
    /// appended rows are compressed straight into the file instead of the WAL, and the
    /// per-transaction work (product side effects, daily aggregates, commit) is paid once
    /// per group: about 2.5× faster than one transaction per day.
    pub load_group_lines: usize,
}

impl Default for EtlOptions {
    fn default() -> Self {
        EtlOptions {
            klk_parallelism: 3,
            location_budget: Duration::from_secs(15 * 60),
            run_budget: Duration::from_secs(2 * 3600),
            stellar_page_size: 1000,
            stellar_attempts: 3,
            stellar_retry_delay: Duration::from_secs(5),
            recovery_days: 2,
            retry_transient: true,
            klk_timeout_override: None,
            load_group_lines: 150_000,
        }
    }
}

/// Progress of a run, for the CLI's bars and the UI's live view.
#[derive(Debug, Clone)]
pub enum Progress {
    /// A location will do `steps` windows/warehouses.
    Planned {
        tienda_id: String,
        nombre: String,
        steps: u64,
    },
    Step {
        tienda_id: String,
        done: u64,
        label: String,
    },
    Finished {
        tienda_id: String,
        status: LocationStatus,
        message: String,
    },
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// What to run.
#[derive(Clone)]
pub struct RunRequest {
    pub job: EtlJob,
    pub kind: RunKind,
    pub trigger: Trigger,
    /// Location ids; empty = every eligible active location.
    pub stores: Vec<String>,
    /// Whole local days (sales only): re-sync / backfill of this range.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// Clock override (tests, replays); default the real UTC time.
    pub now: Option<DateTime<Utc>>,
    /// Load an inventory listing even when it is < 50 % of the previous one.
    pub force: bool,
    /// Execution whose gap this run fills (§7.1).
    pub recovered_gap_id: Option<i64>,
    pub progress: Option<ProgressFn>,
    /// Backfill tasks to execute: location → days (internal; filled by the task worker).
    pub task_days: Option<BTreeMap<String, Vec<NaiveDate>>>,
}

impl RunRequest {
    pub fn new(job: EtlJob, kind: RunKind, trigger: Trigger) -> Self {
        RunRequest {
            job,
            kind,
            trigger,
            stores: Vec::new(),
            range: None,
            now: None,
            force: false,
            recovered_gap_id: None,
            progress: None,
            task_days: None,
        }
    }

    /// The one-run-per-job key: inventory; sales (hourly, manual and admin/CLI re-syncs);
    /// the nightly recovery; the background backfill task worker.
    pub fn job_key(&self) -> &'static str {
        match (self.job, self.kind) {
            (EtlJob::Inventario, _) => "inventario",
            (EtlJob::Ventas, RunKind::Recovery) => "ventas_recovery",
            (EtlJob::Ventas, RunKind::Backfill) if self.task_days.is_some() => "ventas_backfill",
            (EtlJob::Ventas, _) => "ventas",
        }
    }
}

/// The outcome of one location.
#[derive(Debug, Clone, Serialize)]
pub struct LocationReport {
    pub tienda_id: String,
    pub tienda_nombre: String,
    pub source: Option<&'static str>,
    pub status: LocationStatus,
    pub outcome: DetailOutcome,
    pub error: Option<String>,
    #[serde(skip)]
    pub error_kind: Option<EtlError>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub execution_id: i64,
    pub job: EtlJob,
    pub kind: RunKind,
    pub status: RunStatus,
    pub duration_s: f64,
    pub locations: Vec<LocationReport>,
}

impl RunReport {
    pub fn location(&self, id: &str) -> Option<&LocationReport> {
        self.locations.iter().find(|l| l.tienda_id == id)
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    #[error("el job «{0}» ya está en ejecución")]
    AlreadyRunning(&'static str),
    #[error("ubicación desconocida: {0}")]
    UnknownStore(String),
    #[error("solicitud no válida: {0}")]
    Invalid(String),
    #[error("historial ETL no disponible: {0}")]
    History(String),
}

/// A run in progress (for the status endpoint; fields in alphabetical order, the order it
/// has always answered them in).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunningInfo {
    pub execution_id: Option<i64>,
    pub job_key: &'static str,
    pub started_at: DateTime<Utc>,
    pub triggered_by: &'static str,
}

/// The ETL of one tenant: shared by the scheduler, the HTTP API and the CLI of a process.
pub struct Etl {
    pub(crate) tenant: Arc<Tenant>,
    pub(crate) warehouse: Arc<Warehouse>,
    pub(crate) db: Arc<Mutex<rusqlite::Connection>>,
    /// The application database, for work that opens its own connection (the caches
    /// rebuilt after a sales load) rather than holding `db` for seconds.
    pub(crate) app_db_path: std::path::PathBuf,
    pub(crate) options: EtlOptions,
    pub(crate) klk: Option<KlkClient>,
    running: Mutex<BTreeMap<&'static str, RunningInfo>>,
    overlap_skips: AtomicU64,
    /// E-mails runs made by the appliance (spec 20 §12); the CLI's runs are not e-mailed.
    pub(crate) notifier: Arc<notify::Notifier>,
    /// (store, date, hour) already re-extracted as an hour gap: at most once each (§7.2).
    pub(crate) gap_attempts: Mutex<std::collections::HashSet<(String, NaiveDate, u32)>>,
}

impl Etl {
    /// Builds the ETL of a tenant whose stores are open (the composition root, `app::open`,
    /// makes the one a process uses). Executions left `running` by a previous process are
    /// marked `killed` (this process owns the warehouse now).
    pub fn new(
        tenant: Arc<Tenant>,
        warehouse: Arc<Warehouse>,
        app_db_path: &Path,
        notifier: Arc<notify::Notifier>,
        mut options: EtlOptions,
    ) -> Result<Arc<Etl>, RunError> {
        // `[schedules].ventas_recovery.lookback_days` may widen the nightly recovery, never
        // narrow it below the two days of spec 20 §6.2 (spec 50's example says 1).
        if let Some(n) = tenant.file.schedules.0.get("ventas_recovery").and_then(|s| s.lookback_days) {
            options.recovery_days = options.recovery_days.max(n.clamp(1, 31) as u32);
        }
        let conn = crate::appdb::connect(app_db_path).map_err(|e| RunError::History(e.to_string()))?;
        match history::kill_orphans(&conn, "huérfana: el proceso que la ejecutaba terminó") {
            Ok(n) if n > 0 => tracing::warn!(executions = n, "orphaned ETL executions marked killed"),
            Ok(_) => {}
            Err(e) => return Err(RunError::History(e.to_string())),
        }
        let klk = match tenant.file.pos.klk.as_ref().filter(|_| tenant.uses_pos(crate::config::PosKind::Klk)) {
            Some(pos) => {
                let mut settings = KlkSettings::from_config(pos, &tenant.secrets);
                if let Some(t) = options.klk_timeout_override {
                    settings.timeout_ventas = t;
                    settings.timeout_articulos = t;
                }
                Some(KlkClient::new(settings).map_err(|e| RunError::Invalid(e.to_string()))?)
            }
            None => None,
        };
        Ok(Arc::new(Etl {
            notifier,
            tenant,
            warehouse,
            db: Arc::new(Mutex::new(conn)),
            app_db_path: app_db_path.to_path_buf(),
            options,
            klk,
            running: Mutex::new(BTreeMap::new()),
            overlap_skips: AtomicU64::new(0),
            gap_attempts: Mutex::new(std::collections::HashSet::new()),
        }))
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    /// The application database's file (work that opens its own connection).
    pub fn app_db_path(&self) -> &Path {
        &self.app_db_path
    }

    pub fn options(&self) -> &EtlOptions {
        &self.options
    }

    pub fn notifier(&self) -> &notify::Notifier {
        &self.notifier
    }

    /// Runs on the ETL's own SQLite connection, off the async workers.
    pub async fn with_db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> rusqlite::Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = db.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(e.to_string()))))?
    }

    /// The runs in progress.
    pub fn running(&self) -> Vec<RunningInfo> {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }

    pub fn is_running(&self, job_key: &str) -> bool {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).contains_key(job_key)
    }

    /// Scheduled slots omitted because the same job was still running (§8.2).
    pub fn overlap_skips(&self) -> u64 {
        self.overlap_skips.load(Ordering::Relaxed)
    }

    pub(crate) fn note_overlap(&self) {
        self.overlap_skips.fetch_add(1, Ordering::Relaxed);
    }

    fn claim(self: &Arc<Self>, req: &RunRequest) -> Result<RunGuard, RunError> {
        let key = req.job_key();
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.contains_key(key) {
            return Err(RunError::AlreadyRunning(key));
        }
        running.insert(key, RunningInfo { job_key: key, execution_id: None, started_at: Utc::now(), triggered_by: req.trigger.as_str() });
        Ok(RunGuard { etl: self.clone(), key })
    }

    fn set_running_execution(&self, key: &'static str, id: i64) {
        if let Some(r) = self.running.lock().unwrap_or_else(|p| p.into_inner()).get_mut(key) {
            r.execution_id = Some(id);
        }
    }

    /// Runs a job and waits for its report.
    pub async fn run(self: &Arc<Self>, req: RunRequest) -> Result<RunReport, RunError> {
        let prepared = pipeline::prepare(self, req).await?;
        Ok(pipeline::execute(self.clone(), prepared).await)
    }

    /// Starts a job in the background; returns its execution id once the run is recorded.
    pub async fn start(self: &Arc<Self>, req: RunRequest) -> Result<i64, RunError> {
        let prepared = pipeline::prepare(self, req).await?;
        let id = prepared.execution_id;
        let etl = self.clone();
        tokio::spawn(async move {
            let started = chrono::Utc::now();
            let report = pipeline::execute(etl.clone(), prepared).await;
            tracing::info!(execution_id = report.execution_id, status = report.status.as_str(), "ETL run finished");
            etl.notifier.after_run(&report, started).await;
        });
        Ok(id)
    }
}

/// Releases the job when the run ends (also on panic or cancellation).
pub(crate) struct RunGuard {
    etl: Arc<Etl>,
    key: &'static str,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.etl.running.lock().unwrap_or_else(|p| p.into_inner()).remove(self.key);
    }
}
