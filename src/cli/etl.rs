//! `fluxion etl run [ventas|inventario|all] [--store ID]... [--from D --to D]`,
//! `fluxion etl status` and `fluxion etl check` (spec 20 §9, §14).
//!
//! `run` needs the warehouse, so it cannot run while `fluxion serve` holds it (the service
//! runs the same jobs on its schedule and from the admin panel). `status` and `check` only
//! read tenant.toml and the application database, so they work next to a running service.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use crate::etl::{history, EtlJob, LocationStatus, Progress, RunKind, RunReport, RunRequest, RunStatus, Trigger};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobArg {
    Ventas,
    Inventario,
    All,
}

#[derive(Subcommand)]
pub enum EtlCommand {
    /// Run a job now: progress per location, then a summary table. Exit 0 when every
    /// location succeeded, 1 otherwise.
    Run {
        #[arg(value_enum, default_value = "all")]
        job: JobArg,
        /// Only these locations (repeatable).
        #[arg(long = "store")]
        stores: Vec<String>,
        /// First local day to re-sync (sales; whole days).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last local day to re-sync (default: --from).
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Re-extract the previous days like the nightly recovery.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        recovery: bool,
        /// Load a stock listing even if it is < 50 % of the previous one.
        #[arg(long)]
        force: bool,
    },
    /// Recent runs, watermarks, backfill progress and notices.
    Status,
    /// Reachability of every configured source (KLK API, Stellar servers).
    Check,
}

pub fn run(config: &Path, command: EtlCommand) -> i32 {
    match command {
        EtlCommand::Run { job, stores, from, to, recovery, force } => run_jobs(config, job, stores, from, to, recovery, force),
        EtlCommand::Status => status(config),
        EtlCommand::Check => check(config),
    }
}

#[allow(clippy::expect_used)] // without a runtime the command cannot run at all; failing at start is the only outcome
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

fn run_jobs(
    config: &Path,
    job: JobArg,
    stores: Vec<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    recovery: bool,
    force: bool,
) -> i32 {
    let range = match (from, to) {
        (Some(a), b) => Some((a, b.unwrap_or(a))),
        (None, Some(_)) => {
            eprintln!("error: --to needs --from");
            return 2;
        }
        (None, None) => None,
    };
    if range.is_some() && job == JobArg::Inventario {
        eprintln!("error: --from/--to only apply to sales (stock cannot be re-read from the POS)");
        return 2;
    }
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let rt = runtime();
    rt.block_on(async move {
        let etl = state.etl.clone();
        let jobs: Vec<EtlJob> = match job {
            JobArg::Ventas => vec![EtlJob::Ventas],
            JobArg::Inventario => vec![EtlJob::Inventario],
            JobArg::All => vec![EtlJob::Inventario, EtlJob::Ventas],
        };
        let mut any_failed = false;
        for j in jobs {
            let kind = match (j, range.is_some(), recovery) {
                (EtlJob::Ventas, true, _) => RunKind::Backfill,
                (EtlJob::Ventas, false, true) => RunKind::Recovery,
                _ => RunKind::Manual,
            };
            let mut req = RunRequest::new(j, kind, Trigger::Cli);
            req.stores = stores.clone();
            req.range = if j == EtlJob::Ventas { range } else { None };
            req.force = force;
            let bars = Bars::new();
            req.progress = Some(bars.callback());
            println!("== ETL {} ({}) ==", j.as_str(), kind.as_str());
            match etl.run(req).await {
                Ok(report) => {
                    bars.clear();
                    print_report(&report);
                    any_failed |= report.locations.iter().any(|l| l.status == LocationStatus::Failed) || report.status == RunStatus::Failed;
                }
                Err(e) => {
                    bars.clear();
                    eprintln!("error: {e}");
                    any_failed = true;
                }
            }
        }
        i32::from(any_failed)
    })
}

/// One progress bar per location (hidden when stderr is not a terminal).
struct Bars {
    multi: indicatif::MultiProgress,
    bars: Arc<Mutex<HashMap<String, indicatif::ProgressBar>>>,
}

impl Bars {
    fn new() -> Self {
        Bars { multi: indicatif::MultiProgress::new(), bars: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn callback(&self) -> crate::etl::ProgressFn {
        let multi = self.multi.clone();
        let bars = self.bars.clone();
        #[allow(clippy::expect_used)] // a constant template, checked by every CLI test that runs an ETL
        let style = indicatif::ProgressStyle::with_template("{prefix:>14} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> ");
        Arc::new(move |p: Progress| {
            let mut bars = bars.lock().unwrap_or_else(|e| e.into_inner());
            match p {
                Progress::Planned { tienda_id, steps, .. } => {
                    let bar = multi.add(indicatif::ProgressBar::new(steps.max(1)));
                    bar.set_style(style.clone());
                    bar.set_prefix(tienda_id.clone());
                    bars.insert(tienda_id, bar);
                }
                Progress::Step { tienda_id, done, label } => {
                    if let Some(b) = bars.get(&tienda_id) {
                        b.set_position(done);
                        b.set_message(label);
                    }
                }
                Progress::Finished { tienda_id, status, message } => {
                    if let Some(b) = bars.get(&tienda_id) {
                        b.finish_with_message(format!("{status}: {message}"));
                    }
                }
            }
        })
    }

    fn clear(&self) {
        let _ = self.multi.clear();
    }
}

fn print_report(r: &RunReport) {
    println!(
        "{:<14} {:<8} {:>8} {:>8} {:>12} {:>8} {:>11} {:>8}  mensaje",
        "ubicación", "estado", "leídas", "nuevas", "actualizadas", "iguales", "cuarentena", "seg"
    );
    for l in &r.locations {
        let o = &l.outcome;
        let msg = match (&l.error, l.status) {
            (Some(e), _) => e.clone(),
            (None, LocationStatus::Skipped) => o.advertencias.join("; "),
            _ => o.advertencias.first().cloned().unwrap_or_default(),
        };
        println!(
            "{:<14} {:<8} {:>8} {:>8} {:>12} {:>8} {:>11} {:>8.2}  {}",
            l.tienda_id,
            l.status,
            o.records_extracted,
            o.records_inserted,
            o.records_updated,
            o.records_unchanged,
            o.records_failed,
            o.duration_s,
            msg
        );
    }
    println!("ejecución #{} — estado {} — {:.2} s", r.execution_id, r.status, r.duration_s);
}

fn status(config: &Path) -> i32 {
    let tenant = match super::load_tenant(config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let path = tenant.data_dir.join(crate::config::APP_DB_FILE);
    if !path.exists() {
        println!("sin historial ETL todavía ({} no existe)", path.display());
        return 0;
    }
    let conn = match crate::appdb::connect(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let result = (|| -> rusqlite::Result<()> {
        println!("Últimas ejecuciones:");
        println!(
            "{:>6}  {:<10} {:<9} {:<9} {:<8} {:<20} {:>8} {:>9} {:>8}",
            "id", "job", "tipo", "origen", "estado", "inicio (UTC)", "seg", "cargadas", "fallidas"
        );
        let f = history::HistoryFilter { limit: 10, ..Default::default() };
        let (rows, _) = history::list_executions(&conn, &f)?;
        for e in rows.iter().rev() {
            println!(
                "{:>6}  {:<10} {:<9} {:<9} {:<8} {:<20} {:>8.1} {:>9} {:>8}",
                e.id,
                e.etl_name,
                e.etl_type,
                e.triggered_by,
                e.status.as_str(),
                e.started_at,
                e.duration_seconds.unwrap_or(0.0),
                e.records_loaded,
                e.tiendas_fallidas.unwrap_or(0),
            );
        }
        println!("\nMarcas de agua de ventas (último fin exitoso, hora local):");
        let wms: HashMap<String, chrono::NaiveDateTime> = history::all_watermarks(&conn, "ventas")?.into_iter().collect();
        for s in tenant.stores().iter().filter(|s| s.is_extracted() && !s.is_cedi()) {
            println!("  {:<14} {}", s.id, wms.get(&s.id).map(|t| t.to_string()).unwrap_or_else(|| "—".into()));
        }
        let bf = history::backfill_progress(&conn)?;
        println!("\nBackfill: {} de {} días hechos {}", bf.hechas, bf.total, serde_json::to_string(&bf.por_estado).unwrap_or_default());
        let notices = history::recent_notices(&conn, 5)?;
        if !notices.is_empty() {
            println!("\nAvisos recientes:");
            for n in notices {
                println!("  {} [{}] {}", n.creado_en, n.tipo, n.mensaje);
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn check(config: &Path) -> i32 {
    let tenant = match super::load_tenant(config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let report = runtime().block_on(crate::etl::check::check_all(&tenant));
    println!("{:<14} {:<8} {:<10} {:>10}  error", "ubicación", "sistema", "conectada", "latencia");
    for p in &report.ubicaciones {
        println!(
            "{:<14} {:<8} {:<10} {:>10}  {}",
            p.ubicacion_id,
            p.sistema,
            if p.conectada { "sí" } else { "NO" },
            p.latencia_ms.map(|l| format!("{l} ms")).unwrap_or_else(|| "—".into()),
            p.error.clone().unwrap_or_default()
        );
    }
    println!("{} de {} conectadas ({:.1} %)", report.conectadas, report.total, report.porcentaje);
    i32::from(report.conectadas < report.total)
}
