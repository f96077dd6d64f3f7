//! extract → validate → load, per location, with isolation (spec 20 §8.3): each location
//! has its own detail row, error handling and transactions; KLK locations run 3 at a time,
//! Stellar locations one after another once KLK is done. What differs between the POS
//! systems (the requests, the mapping of their rows) is their `connector::PosConnector`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use tokio::time::Instant as TokioInstant;

use super::connector::{route_for, Mapped, PosConnector, Route};
use super::error::{Category, EtlError, Phase};
use super::history::{self, DetailOutcome, ExecutionOutcome, NewExecution, QuarantineRow};
use super::window::{self, Piece};
use super::{
    Etl, EtlJob, LocationReport, LocationStatus, Progress, RunError, RunGuard, RunKind, RunReport, RunRequest, RunStatus, Trigger,
};
use crate::config::Store;
use crate::domain::records::{SaleLine, StockListing};
use crate::sources::klk::map::{SaleContext, SaleProductInfo};
use crate::sources::klk::CallStats;
use crate::sources::pos::SourceProduct;

/// A location of the run and how it takes part.
pub(super) struct Entry {
    store: Store,
    route: Route,
}

/// A location extracted through its connector.
#[derive(Clone)]
struct Target {
    store: Store,
    connector: Arc<dyn PosConnector>,
}

/// A run recorded and ready to execute.
pub(super) struct Prepared {
    pub execution_id: i64,
    req: RunRequest,
    entries: Vec<Entry>,
    now_utc: DateTime<Utc>,
    now_local: NaiveDateTime,
    started: Instant,
    _guard: RunGuard,
}

/// Claims the job, picks the locations and records the execution (`running`).
pub(super) async fn prepare(etl: &Arc<Etl>, req: RunRequest) -> Result<Prepared, RunError> {
    if let Some((a, b)) = req.range {
        if b < a {
            return Err(RunError::Invalid("fecha fin anterior a fecha inicio".into()));
        }
        if req.job != EtlJob::Ventas {
            return Err(RunError::Invalid("un rango de fechas solo aplica a ventas".into()));
        }
        if (b - a).num_days() > 800 {
            return Err(RunError::Invalid("rango de más de 800 días".into()));
        }
    }
    let guard = etl.claim(&req)?;
    let stores = etl.tenant.stores();
    let mut entries = Vec::new();
    if req.stores.is_empty() {
        for s in stores {
            let route = route_for(etl, s, req.job);
            // Implicit selection: locations without a connector are not part of the run.
            if matches!(route, Route::Skip(_)) && (!s.active || s.pos == "none" || (req.job == EtlJob::Ventas && s.is_cedi())) {
                continue;
            }
            entries.push(Entry { store: s.clone(), route });
        }
    } else {
        for id in &req.stores {
            let s = stores.iter().find(|s| &s.id == id).ok_or_else(|| RunError::UnknownStore(id.clone()))?;
            if !entries.iter().any(|e: &Entry| &e.store.id == id) {
                entries.push(Entry { store: s.clone(), route: route_for(etl, s, req.job) });
            }
        }
    }
    if let Some(tasks) = &req.task_days {
        entries.retain(|e| tasks.contains_key(&e.store.id));
    }
    let now_utc = req.now.unwrap_or_else(Utc::now);
    let now_local = window::local_now(now_utc, &etl.tenant.timezone);
    let (desde, hasta) = match (req.job, req.range) {
        (EtlJob::Inventario, _) => (Some(now_local), Some(now_local)),
        (EtlJob::Ventas, Some((a, b))) => (Some(crate::domain::sales::start_of_day(a)), Some(crate::domain::sales::end_of_day(b))),
        _ => (None, None),
    };
    let new = NewExecution {
        etl_name: req.job.as_str(),
        etl_type: req.kind.as_str(),
        triggered_by: req.trigger.as_str(),
        usuario: match &req.trigger {
            Trigger::Admin(u) => Some(u.clone()),
            _ => None,
        },
        fecha_desde: desde,
        fecha_hasta: hasta,
        tiendas: entries.iter().map(|e| e.store.id.clone()).collect(),
        recovered_gap_id: req.recovered_gap_id,
    };
    let execution_id = etl.with_db(move |c| history::start_execution(c, &new)).await.map_err(|e| RunError::History(e.to_string()))?;
    etl.set_running_execution(req.job_key(), execution_id);
    // Manual ranges are backfill tasks too: visible progress, resumable.
    if req.job == EtlJob::Ventas && req.task_days.is_none() {
        if let Some((a, b)) = req.range {
            let days = window::days(a, b);
            let ids: Vec<String> = entries.iter().filter(|e| matches!(e.route, Route::Pos(_))).map(|e| e.store.id.clone()).collect();
            let _ = etl
                .with_db(move |c| {
                    for id in &ids {
                        history::enqueue_backfill(c, id, &days, "manual")?;
                    }
                    Ok(())
                })
                .await;
        }
    }
    Ok(Prepared { execution_id, req, entries, now_utc, now_local, started: Instant::now(), _guard: guard })
}

/// Shared, read-only context of one run.
struct RunCtx {
    execution_id: i64,
    req: RunRequest,
    now_utc: DateTime<Utc>,
    now_local: NaiveDateTime,
    run_deadline: TokioInstant,
}

impl RunCtx {
    fn progress(&self, p: Progress) {
        if let Some(f) = &self.req.progress {
            f(p);
        }
    }
}

/// Runs every location and finishes the execution.
pub(super) async fn execute(etl: Arc<Etl>, p: Prepared) -> RunReport {
    let Prepared { execution_id, req, entries, now_utc, now_local, started, _guard: guard } = p;
    let ctx = Arc::new(RunCtx { execution_id, req, now_utc, now_local, run_deadline: TokioInstant::now() + etl.options.run_budget });
    let (mut reports, order) = run_locations(&etl, &ctx, entries).await;
    // One more attempt for transient extract failures, if the run budget allows (§8.3).
    if etl.options.retry_transient {
        retry_transient(&etl, &ctx, &order, &mut reports).await;
    }
    let locations: Vec<LocationReport> = reports.into_values().collect();
    let processed: Vec<&LocationReport> = locations.iter().filter(|l| l.status != LocationStatus::Skipped).collect();
    let duration_s = started.elapsed().as_secs_f64();
    let outcome = execution_outcome(&ctx, &processed, duration_s);
    let status = outcome.status;
    // The post-load work runs before the end is recorded: a client that sees the run
    // finished may start the next one at once, and the job is busy until this is done.
    after_load(&etl, &ctx, &processed).await;
    // The job is free before its end is recorded: whoever sees the run finished may start
    // the next one at once.
    drop(guard);
    let exec = ctx.execution_id;
    if let Err(e) = etl.with_db(move |c| history::finish_execution(c, exec, &outcome)).await {
        tracing::error!(execution_id = exec, "cannot record the end of the ETL run: {e}");
    }
    RunReport { execution_id, job: ctx.req.job, kind: ctx.req.kind, status, duration_s, locations }
}

/// Every location of the run: skipped ones first (no work), then those whose connector runs
/// in parallel (KLK), then the others in sequence (Stellar). Returns the reports by location
/// and the extracted locations in the order they ran.
async fn run_locations(etl: &Arc<Etl>, ctx: &Arc<RunCtx>, entries: Vec<Entry>) -> (BTreeMap<String, LocationReport>, Vec<Target>) {
    let mut reports: BTreeMap<String, LocationReport> = BTreeMap::new();
    let mut targets: Vec<Target> = Vec::new();
    for Entry { store, route } in entries {
        match route {
            Route::Skip(reason) => {
                reports.insert(store.id.clone(), skip_location(etl, ctx, &store, reason).await);
            }
            Route::Pos(connector) => targets.push(Target { store, connector }),
        }
    }
    let (parallel, sequential): (Vec<Target>, Vec<Target>) = targets.into_iter().partition(|t| t.connector.in_parallel());
    let mut order: Vec<Target> = Vec::new();
    for r in run_parallel(etl, ctx, parallel.clone()).await {
        reports.insert(r.tienda_id.clone(), r);
    }
    order.extend(parallel);
    for t in &sequential {
        reports.insert(t.store.id.clone(), run_location(etl, ctx, t).await);
    }
    order.extend(sequential);
    (reports, order)
}

/// Runs once more, at the end, the locations that failed extracting with a transient error,
/// while the run's budget leaves a minute; the retry's report replaces the first one (its
/// request counts added, its detail row rewritten).
async fn retry_transient(etl: &Arc<Etl>, ctx: &RunCtx, order: &[Target], reports: &mut BTreeMap<String, LocationReport>) {
    let retry: Vec<&Target> = order
        .iter()
        .filter(|t| {
            reports
                .get(&t.store.id)
                .and_then(|r| r.error_kind.as_ref())
                .is_some_and(|e| e.phase == Phase::Extract && e.category.is_transient())
        })
        .collect();
    for t in retry {
        if TokioInstant::now() + std::time::Duration::from_secs(60) > ctx.run_deadline {
            break;
        }
        tracing::info!(tienda = %t.store.id, "retrying a location that failed with a transient error");
        let mut r = run_location(etl, ctx, t).await;
        if let Some(first) = reports.get(&t.store.id) {
            r.outcome.requests += first.outcome.requests;
            r.outcome.failed_requests += first.outcome.failed_requests;
            r.outcome.advertencias.insert(0, "segundo intento al final de la ejecución".into());
            let o = r.outcome.clone();
            let (id, nombre, src, exec) = (t.store.id.clone(), t.store.name.clone(), Some(t.connector.kind().id()), ctx.execution_id);
            let _ = etl
                .with_db(move |c| {
                    let d = history::start_detail(c, exec, &id, &nombre, src)?;
                    history::finish_detail(c, d, &o)
                })
                .await;
        }
        reports.insert(t.store.id.clone(), r);
    }
}

/// The execution's totals from its processed locations: status, counts, the span of the
/// windows read, the source system and the first error of a failed run.
fn execution_outcome(ctx: &RunCtx, processed: &[&LocationReport], duration_s: f64) -> ExecutionOutcome {
    let status = RunStatus::of_locations(processed.iter().map(|l| l.status));
    let mut totals = DetailOutcome::default();
    let (mut wmin, mut wmax): (Option<NaiveDateTime>, Option<NaiveDateTime>) = (None, None);
    for l in processed {
        let o = &l.outcome;
        totals.records_extracted += o.records_extracted;
        totals.records_inserted += o.records_inserted;
        totals.records_updated += o.records_updated;
        totals.records_unchanged += o.records_unchanged;
        totals.records_failed += o.records_failed;
        totals.duplicates_skipped += o.duplicates_skipped;
        totals.extract_s += o.extract_s;
        totals.transform_s += o.transform_s;
        totals.load_s += o.load_s;
        totals.requests += o.requests;
        totals.failed_requests += o.failed_requests;
        if let Some(d) = o.ventana_desde {
            wmin = Some(wmin.map_or(d, |m| m.min(d)));
        }
        if let Some(h) = o.ventana_hasta {
            wmax = Some(wmax.map_or(h, |m| m.max(h)));
        }
    }
    let sources: std::collections::BTreeSet<&str> = processed.iter().filter_map(|l| l.source).collect();
    let source_system = match sources.len() {
        0 => None,
        1 => sources.into_iter().next(),
        _ => Some("mixed"),
    };
    let error = if processed.is_empty() {
        Some(EtlError::new(Phase::Extract, Category::ConfigError, "ninguna ubicación procesable en esta ejecución"))
    } else if status == RunStatus::Failed {
        processed.iter().find_map(|l| l.error_kind.clone())
    } else {
        None
    };
    ExecutionOutcome {
        status,
        duration_s,
        fecha_desde: wmin,
        fecha_hasta: wmax,
        api_requests: totals.requests,
        api_errors: totals.failed_requests,
        totals,
        source_system,
        gaps_recovered: u64::from(ctx.req.recovered_gap_id.is_some() && status == RunStatus::Success),
        error_source: error
            .as_ref()
            .and_then(|_| processed.iter().find(|l| l.status == LocationStatus::Failed).map(|l| l.tienda_id.clone())),
        error,
    }
}

/// The work after a load: products' supplying CEDI after an inventory load (when origin
/// rules exist), the classification and demand caches after a sales load that read lines.
async fn after_load(etl: &Arc<Etl>, ctx: &RunCtx, processed: &[&LocationReport]) {
    let ok = processed.iter().filter(|l| l.status == LocationStatus::Success).count();
    let origins = &etl.tenant.file.distribution;
    if ctx.req.job == EtlJob::Inventario && ok > 0 && origins.has_origin_rules() {
        let wh = etl.warehouse.clone();
        let rules = origins.clone();
        let r = tokio::task::spawn_blocking(move || wh.write(|c| super::load::recompute_cedi_origen(c, &rules))).await;
        match r {
            Ok(Ok(n)) if n > 0 => tracing::info!(products = n, "cedi_origen_id recomputed"),
            Ok(Err(e)) => tracing::error!("cedi_origen_id recompute failed: {e}"),
            _ => {}
        }
    }
    if ctx.req.job == EtlJob::Ventas && processed.iter().any(|l| l.status == LocationStatus::Success && l.outcome.records_extracted > 0) {
        rebuild_caches_after_sales(etl, ctx.now_local.date()).await;
    }
}

/// The classification and demand caches after a sales load (spec 30: "rebuilt after each
/// sales load and nightly"), for the run's business date. A failure is logged, never the
/// run's: the calculation does not depend on these caches being current.
async fn rebuild_caches_after_sales(etl: &Arc<Etl>, today: NaiveDate) {
    let (tenant, warehouse, path) = (etl.tenant.clone(), etl.warehouse.clone(), etl.app_db_path.clone());
    let rebuilt = tokio::task::spawn_blocking(move || crate::classification::rebuild_at(&tenant, &warehouse, &path, today)).await;
    match rebuilt {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::error!("caches not rebuilt after the sales load: {e}"),
        Err(e) => tracing::error!("cache rebuild task failed: {e}"),
    }
}

async fn run_parallel(etl: &Arc<Etl>, ctx: &Arc<RunCtx>, targets: Vec<Target>) -> Vec<LocationReport> {
    let sem = Arc::new(tokio::sync::Semaphore::new(etl.options.klk_parallelism.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, t) in targets.into_iter().enumerate() {
        let (etl, ctx, sem) = (etl.clone(), ctx.clone(), sem.clone());
        set.spawn(async move {
            #[allow(clippy::expect_used)] // the semaphore lives in this function and is never closed
            let _permit = sem.acquire_owned().await.expect("semaphore open");
            (i, run_location(&etl, &ctx, &t).await)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(x) => out.push(x),
            Err(e) => tracing::error!("a location task panicked: {e}"),
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Per-location state while it runs.
struct Loc<'a> {
    etl: &'a Arc<Etl>,
    ctx: &'a RunCtx,
    target: &'a Target,
    out: DetailOutcome,
    deadline: TokioInstant,
    done_steps: u64,
}

impl Loc<'_> {
    fn id(&self) -> &str {
        &self.target.store.id
    }

    fn remaining(&self) -> std::time::Duration {
        self.deadline.saturating_duration_since(TokioInstant::now())
    }

    fn check_budget(&self, phase: Phase) -> Result<(), EtlError> {
        if TokioInstant::now() >= self.deadline {
            Err(budget_error(phase))
        } else {
            Ok(())
        }
    }

    fn step(&mut self, label: String) {
        self.done_steps += 1;
        self.ctx.progress(Progress::Step { tienda_id: self.id().to_string(), done: self.done_steps, label });
    }

    fn add_stats(&mut self, s: &CallStats) {
        self.out.requests += u64::from(s.requests);
        self.out.failed_requests += u64::from(s.failed);
        self.out.latency_ms = Some(self.out.latency_ms.unwrap_or(0).max(s.latency_ms));
    }

    async fn quarantine(&self, ventana: String, rows: Vec<QuarantineRow>) {
        if rows.is_empty() {
            return;
        }
        let (exec, job, id) = (self.ctx.execution_id, self.ctx.req.job.as_str(), self.id().to_string());
        let fuente = self.target.connector.kind().id();
        if let Err(e) = self.etl.with_db(move |c| history::quarantine(c, exec, job, &id, fuente, &ventana, &rows)).await {
            tracing::error!("cannot record quarantined rows: {e}");
        }
    }
}

fn budget_error(phase: Phase) -> EtlError {
    let category = match phase {
        Phase::Load => Category::StoreTimeout,
        _ => Category::ApiTimeout,
    };
    EtlError::new(phase, category, "presupuesto de tiempo de la ubicación agotado")
}

/// Records the start of a location's detail row.
async fn start_detail(etl: &Arc<Etl>, ctx: &RunCtx, store: &Store, src: Option<&'static str>) -> rusqlite::Result<i64> {
    let (exec, id, nombre) = (ctx.execution_id, store.id.clone(), store.name.clone());
    etl.with_db(move |c| history::start_detail(c, exec, &id, &nombre, src)).await
}

/// A location that is not extracted: its detail row says why.
async fn skip_location(etl: &Arc<Etl>, ctx: &RunCtx, store: &Store, reason: String) -> LocationReport {
    let started = Instant::now();
    let detail_id = start_detail(etl, ctx, store, None).await;
    let out = DetailOutcome { status: LocationStatus::Skipped, advertencias: vec![reason], ..DetailOutcome::default() };
    finish_location(etl, ctx, store, None, detail_id, out, Ok(()), started).await
}

async fn run_location(etl: &Arc<Etl>, ctx: &RunCtx, t: &Target) -> LocationReport {
    let started = Instant::now();
    let src = Some(t.connector.kind().id());
    let detail_id = start_detail(etl, ctx, &t.store, src).await;
    let deadline = (TokioInstant::now() + etl.options.location_budget).min(ctx.run_deadline);
    let mut loc = Loc { etl, ctx, target: t, out: DetailOutcome::default(), deadline, done_steps: 0 };
    loc.out.endpoint = Some(t.connector.endpoint());
    let result: Result<(), EtlError> = if TokioInstant::now() >= ctx.run_deadline {
        Err(EtlError::timeout(Phase::Extract, "presupuesto de la ejecución agotado"))
    } else {
        match ctx.req.job {
            EtlJob::Ventas => sales_location(&mut loc).await,
            EtlJob::Inventario => inventory_location(&mut loc).await,
        }
    };
    let mut out = loc.out;
    out.status = if result.is_ok() { LocationStatus::Success } else { LocationStatus::Failed };
    finish_location(etl, ctx, &t.store, src, detail_id, out, result, started).await
}

/// Records the end of a location (detail row, progress, log) and makes its report.
#[allow(clippy::too_many_arguments)] // the pieces of one location's end, each from a different step
async fn finish_location(
    etl: &Arc<Etl>,
    ctx: &RunCtx,
    store: &Store,
    src: Option<&'static str>,
    detail_id: rusqlite::Result<i64>,
    mut outcome: DetailOutcome,
    result: Result<(), EtlError>,
    started: Instant,
) -> LocationReport {
    let (id, nombre) = (store.id.clone(), store.name.clone());
    outcome.error = result.as_ref().err().cloned();
    outcome.duration_s = started.elapsed().as_secs_f64();
    match detail_id {
        Ok(d) => {
            let o = outcome.clone();
            if let Err(e) = etl.with_db(move |c| history::finish_detail(c, d, &o)).await {
                tracing::error!("cannot record the ETL detail of {id}: {e}");
            }
        }
        Err(e) => tracing::error!("cannot record the ETL detail of {id}: {e}"),
    }
    let message = match &result {
        Ok(()) if outcome.status == LocationStatus::Skipped => outcome.advertencias.join("; "),
        Ok(()) => format!("{} nuevas, {} actualizadas", outcome.records_inserted, outcome.records_updated),
        Err(e) => e.message.clone(),
    };
    ctx.progress(Progress::Finished { tienda_id: id.clone(), status: outcome.status, message });
    if let Err(e) = &result {
        tracing::warn!(tienda = %id, job = ctx.req.job.as_str(), error = %e, "location failed");
    }
    LocationReport {
        tienda_id: id,
        tienda_nombre: nombre,
        source: src,
        status: outcome.status,
        error: result.as_ref().err().map(|e| e.to_string()),
        error_kind: result.err(),
        outcome,
    }
}

// ---------------------------------------------------------------------------------------
// Sales
// ---------------------------------------------------------------------------------------

/// Validated lines of one window: last duplicate wins.
struct Batch {
    lines: Vec<SaleLine>,
    infos: Vec<SaleProductInfo>,
    extracted: usize,
    duplicates: usize,
    rejected: Vec<QuarantineRow>,
    warnings: Vec<String>,
}

/// Keeps the last occurrence of each (factura, línea), in first-seen order. The product
/// attributes of every line are kept (an earlier duplicate may carry the description).
fn dedupe(lines: Vec<(SaleLine, SaleProductInfo)>) -> (Vec<SaleLine>, Vec<SaleProductInfo>, usize) {
    let mut index: HashMap<(String, i32), usize> = HashMap::with_capacity(lines.len());
    let mut out: Vec<SaleLine> = Vec::with_capacity(lines.len());
    let mut infos = Vec::with_capacity(lines.len());
    let mut dups = 0;
    for (l, i) in lines {
        infos.push(i);
        let key = (l.numero_factura.clone(), l.linea);
        match index.get(&key) {
            Some(&pos) => {
                dups += 1;
                out[pos] = l;
            }
            None => {
                index.insert(key, out.len());
                out.push(l);
            }
        }
    }
    (out, infos, dups)
}

/// The request windows of a store for this run.
async fn sales_pieces(loc: &mut Loc<'_>) -> Result<(Vec<Piece>, bool), EtlError> {
    let ctx = loc.ctx;
    let id = loc.id().to_string();
    if let Some(days) = ctx.req.task_days.as_ref().and_then(|m| m.get(&id)) {
        return Ok((days.iter().map(|d| Piece::whole_day(*d)).collect(), false));
    }
    match (ctx.req.kind, ctx.req.range) {
        (_, Some((a, b))) => Ok((window::days(a, b).into_iter().map(Piece::whole_day).collect(), false)),
        (RunKind::Recovery, None) => {
            let n = loc.etl.options.recovery_days;
            Ok((window::recovery_days(ctx.now_local.date(), n).into_iter().map(Piece::whole_day).collect(), false))
        }
        (RunKind::Backfill, None) => Err(EtlError::new(Phase::Extract, Category::ConfigError, "backfill sin rango de fechas")),
        _ => {
            let wm = {
                let id = id.clone();
                loc.etl
                    .with_db(move |c| history::watermark(c, "ventas", &id))
                    .await
                    .map_err(|e| EtlError::new(Phase::Extract, Category::StoreUnavailable, format!("marca de agua no disponible: {e}")))?
            };
            let plan = window::hourly_window(ctx.now_local, wm);
            if plan.clamped {
                let days = plan.backfill_days.clone();
                loc.out.advertencias.push(format!(
                    "ventana limitada a 48 h; {} día(s) encolados para backfill: {}",
                    days.len(),
                    days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
                ));
                let _ = loc.etl.with_db(move |c| history::enqueue_backfill(c, &id, &days, "catchup")).await;
            }
            Ok((plan.pieces, true))
        }
    }
}

async fn sales_location(loc: &mut Loc<'_>) -> Result<(), EtlError> {
    let (pieces, hourly) = sales_pieces(loc).await?;
    let ctx = loc.ctx;
    ctx.progress(Progress::Planned { tienda_id: loc.id().to_string(), nombre: loc.target.store.name.clone(), steps: pieces.len() as u64 });
    loc.out.ventana_desde = pieces.first().map(|p| p.desde);
    loc.out.ventana_hasta = pieces.last().map(|p| p.hasta);
    let mut first_error: Option<EtlError> = None;
    if hourly {
        for piece in &pieces {
            let r = sales_piece(loc, piece).await;
            if r.is_ok() && piece.is_full_day() {
                day_done(loc, &[piece.fecha], Ok(())).await;
            }
            loc.step(piece.to_string());
            // Hourly windows stop at the first failure: the watermark does not move and the
            // next run re-covers everything.
            if let Err(e) = r {
                first_error = Some(e);
                break;
            }
        }
    } else {
        // Day tasks (backfill, recovery, range): each day is extracted and validated on its
        // own (its failure is its own), and the validated days are loaded in groups.
        let mut group: Vec<Validated> = Vec::new();
        for piece in &pieces {
            match extract_validate(loc, piece).await {
                Ok(v) => group.push(v),
                Err(e) => {
                    day_done(loc, &[piece.fecha], Err(&e)).await;
                    first_error.get_or_insert(e);
                }
            }
            loc.step(piece.to_string());
            if group.iter().map(|v| v.lines.len()).sum::<usize>() >= loc.etl.options.load_group_lines {
                load_days(loc, std::mem::take(&mut group), &mut first_error).await;
            }
            if first_error.is_some() && TokioInstant::now() >= loc.deadline {
                break;
            }
        }
        // Past the location's time budget this load is refused like any other, and the
        // group's days are marked `error` for the next backfill (not loaded late).
        load_days(loc, group, &mut first_error).await;
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    if hourly {
        let (id, fin, exec) = (loc.id().to_string(), ctx.now_local, ctx.execution_id);
        loc.etl
            .with_db(move |c| history::set_watermark(c, "ventas", &id, fin, exec))
            .await
            .map_err(|e| EtlError::new(Phase::Load, Category::StoreUnavailable, format!("no se pudo guardar la marca de agua: {e}")))?;
        if ctx.req.kind == RunKind::Scheduled {
            recover_hour_gaps(loc).await;
        }
    }
    Ok(())
}

/// Loads validated whole days in one transaction and records each day's outcome.
async fn load_days(loc: &mut Loc<'_>, group: Vec<Validated>, first_error: &mut Option<EtlError>) {
    if group.is_empty() {
        return;
    }
    let days: Vec<NaiveDate> = group.iter().map(|v| v.piece.fecha).collect();
    let r = load_validated(loc, group).await;
    day_done(loc, &days, r.as_ref().map(|_| ())).await;
    if let Err(e) = r {
        first_error.get_or_insert(e);
    }
}

/// Bookkeeping after whole days were loaded (or failed): the day watermark and, for day
/// tasks, each day's backfill state. A bookkeeping failure never fails the load.
async fn day_done(loc: &Loc<'_>, days: &[NaiveDate], r: Result<(), &EtlError>) {
    let ctx = loc.ctx;
    let is_task = ctx.req.task_days.is_some() || ctx.req.range.is_some();
    let (id, exec, days) = (loc.id().to_string(), ctx.execution_id, days.to_vec());
    let msg = r.err().map(|e| e.to_string());
    if msg.is_some() && !is_task {
        return;
    }
    let _ = loc
        .etl
        .with_db(move |c| {
            for day in days {
                match &msg {
                    None => {
                        history::advance_after_full_day(c, "ventas", &id, day, exec)?;
                        if is_task {
                            history::set_backfill_state(c, &id, day, "ok", None, Some(exec))?;
                        }
                    }
                    Some(m) => history::set_backfill_state(c, &id, day, "error", Some(m), Some(exec))?,
                }
            }
            Ok(())
        })
        .await;
}

/// Data-level gaps (§7.2): hours of today, ended at least 90 min ago and within the last
/// 6 hours, with no lines while the same weekday-hour usually has ≥ 5 are re-extracted
/// once (per store and hour). A failure here never fails the location.
async fn recover_hour_gaps(loc: &mut Loc<'_>) {
    let now = loc.ctx.now_local;
    let fecha = now.date();
    let id = loc.id().to_string();
    let (apertura, cierre) = loc.target.store.hours();
    let (apertura, cierre) = (super::coverage::hour_of(&apertura), super::coverage::hour_of(&cierre));
    let excluded = {
        let id = id.clone();
        loc.etl
            .with_db(move |c| {
                let mut stmt = c.prepare("SELECT fecha FROM dias_excluidos_ventas WHERE ubicacion_id IS NULL OR ubicacion_id = ?1")?;
                let rows = stmt.query_map([&id], |r| r.get::<_, String>(0))?;
                Ok(rows.filter_map(|r| r.ok()).filter_map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).collect::<Vec<_>>())
            })
            .await
            .unwrap_or_default()
    };
    let checks = {
        let (wh, id) = (loc.etl.warehouse.clone(), id.clone());
        tokio::task::spawn_blocking(move || {
            let r = wh.reader().ok()?;
            super::coverage::hour_gaps(&r, &id, fecha, now, apertura, cierre, &excluded).ok()
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
    };
    let current = chrono::Timelike::hour(&now);
    for gap in checks.into_iter().filter(|c| c.es_gap && c.hora + 6 >= current) {
        let fresh = loc.etl.gap_attempts.lock().unwrap_or_else(|p| p.into_inner()).insert((id.clone(), fecha, gap.hora));
        if !fresh {
            continue;
        }
        // Coverage hours are 0..=23 (they come from `hour()` of stored sale times).
        let Some(desde) = fecha.and_hms_opt(gap.hora, 0, 0) else { continue };
        let piece = Piece { fecha, desde, hasta: desde + chrono::Duration::seconds(3599) };
        let before = loc.out.records_inserted;
        let note = match sales_piece(loc, &piece).await {
            Ok(()) => format!(
                "hora {:02}h sin ventas (esperadas ≈ {}): re-extraída, {} línea(s) nuevas",
                gap.hora,
                gap.esperado.map(|e| format!("{e:.0}")).unwrap_or_else(|| "?".into()),
                loc.out.records_inserted - before
            ),
            Err(e) => format!("hora {:02}h sin ventas: la re-extracción falló ({e})", gap.hora),
        };
        loc.out.advertencias.push(note);
    }
}

/// Extract, validate and load one window of one store.
async fn sales_piece(loc: &mut Loc<'_>, piece: &Piece) -> Result<(), EtlError> {
    let v = extract_validate(loc, piece).await?;
    load_validated(loc, vec![v]).await
}

/// One window, extracted and validated, waiting for its load.
struct Validated {
    piece: Piece,
    lines: Vec<SaleLine>,
    infos: Vec<SaleProductInfo>,
    /// Nothing was rejected: a whole-day window may reconcile voided lines.
    complete: bool,
}

/// Extracts and validates one window of one store (rejected rows are quarantined here).
async fn extract_validate(loc: &mut Loc<'_>, piece: &Piece) -> Result<Validated, EtlError> {
    loc.check_budget(Phase::Extract)?;
    let ctx = loc.ctx;
    let sctx = SaleContext { ubicacion_id: loc.id().to_string(), desde: piece.desde, hasta: piece.hasta, now_local: ctx.now_local };
    let t0 = Instant::now();
    let mut stats = CallStats::default();
    let remaining = loc.remaining();
    let connector = loc.target.connector.clone();
    let extracted = match tokio::time::timeout(remaining, connector.read_sales(piece, &mut stats)).await {
        Err(_) => Err(budget_error(Phase::Extract)),
        Ok(r) => r,
    };
    loc.add_stats(&stats);
    loc.out.extract_s += t0.elapsed().as_secs_f64();
    let raw = extracted?;

    let t1 = Instant::now();
    let batch = tokio::task::spawn_blocking(move || validate_sales(raw(&sctx)))
        .await
        .map_err(|e| EtlError::new(Phase::Transform, Category::DataFormat, e.to_string()))?;
    loc.out.transform_s += t1.elapsed().as_secs_f64();
    loc.out.records_extracted += batch.extracted as u64;
    loc.out.duplicates_skipped += batch.duplicates as u64;
    loc.out.records_failed += batch.rejected.len() as u64;
    loc.out.advertencias.extend(batch.warnings.iter().cloned());
    let rejected_n = batch.rejected.len();
    loc.quarantine(piece.to_string(), batch.rejected).await;
    let limit = 100usize.max(batch.extracted / 100);
    if rejected_n > limit {
        return Err(EtlError::validation(format!(
            "{rejected_n} filas rechazadas en {piece} (límite {limit}); no se cargó nada de esta ventana"
        )));
    }

    let Batch { lines, infos, .. } = batch;
    Ok(Validated { piece: *piece, lines, infos, complete: rejected_n == 0 })
}

/// Loads windows of one location in one transaction: whole days of a day task, or a
/// single window. Whole days without rejected rows reconcile voided lines.
async fn load_validated(loc: &mut Loc<'_>, group: Vec<Validated>) -> Result<(), EtlError> {
    loc.check_budget(Phase::Load)?;
    let ctx = loc.ctx;
    let t2 = Instant::now();
    let reconcile: Vec<super::load::Reconcile> = group
        .iter()
        .filter(|v| v.piece.is_full_day() && v.complete)
        .map(|v| super::load::Reconcile { ubicacion_id: loc.id().to_string(), fecha: v.piece.fecha })
        .collect();
    let (lines, infos, duplicates) = join_windows(group);
    loc.out.duplicates_skipped += duplicates as u64;
    let (wh, exec, now) = (loc.etl.warehouse.clone(), ctx.execution_id, ctx.now_utc.naive_utc());
    let loaded = tokio::task::spawn_blocking(move || {
        wh.write(|c| super::load::load_sales_window(c, &lines, &infos, exec, now, &reconcile).map_err(EtlError::from))
    })
    .await
    .map_err(|e| EtlError::new(Phase::Load, Category::StoreUnavailable, e.to_string()))??;
    loc.out.load_s += t2.elapsed().as_secs_f64();
    loc.out.records_inserted += loaded.counts.inserted as u64;
    loc.out.records_updated += loaded.counts.updated as u64;
    loc.out.records_unchanged += loaded.counts.unchanged as u64;
    loc.out.advertencias.extend(loaded.warnings);
    Ok(())
}

/// The lines of several windows as one batch. Each window is already free of repeated keys;
/// a key repeated across windows keeps its last occurrence, as loading the windows one
/// after another would (the later line replaces the stored one).
fn join_windows(group: Vec<Validated>) -> (Vec<SaleLine>, Vec<SaleProductInfo>, usize) {
    if group.len() == 1 {
        #[allow(clippy::expect_used)] // groups are built non-empty
        let v = group.into_iter().next().expect("one window");
        return (v.lines, v.infos, 0);
    }
    let n: usize = group.iter().map(|v| v.lines.len()).sum();
    let (mut lines, mut infos) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for v in group {
        lines.extend(v.lines);
        infos.extend(v.infos);
    }
    let mut seen: std::collections::HashSet<(&str, i32)> = std::collections::HashSet::with_capacity(n);
    let repeated = lines.iter().any(|l| !seen.insert((l.numero_factura.as_str(), l.linea)));
    drop(seen);
    if !repeated {
        return (lines, infos, 0);
    }
    let (lines, _, duplicates) = dedupe(lines.into_iter().map(|l| (l, SaleProductInfo::default())).collect());
    (lines, infos, duplicates)
}

/// The generic checks of one window's mapped lines: non-positive lines noted, the last of
/// repeated keys kept.
fn validate_sales(mapped: Mapped<(SaleLine, SaleProductInfo)>) -> Batch {
    let Mapped { good, rejected, extracted, mut warnings } = mapped;
    let warn_nonpositive = good.iter().filter(|(l, _)| l.cantidad_vendida <= 0.0 || l.precio_unitario.is_some_and(|p| p <= 0.0)).count();
    if warn_nonpositive > 0 {
        warnings.push(format!("{warn_nonpositive} línea(s) con cantidad o precio ≤ 0 (se cargan)"));
    }
    let (lines, infos, duplicates) = dedupe(good);
    Batch { lines, infos, extracted, duplicates, rejected, warnings }
}

// ---------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------

async fn inventory_location(loc: &mut Loc<'_>) -> Result<(), EtlError> {
    let scopes = loc.target.connector.stock_scopes();
    loc.ctx.progress(Progress::Planned {
        tienda_id: loc.id().to_string(),
        nombre: loc.target.store.name.clone(),
        steps: scopes.len() as u64,
    });
    loc.out.ventana_desde = Some(loc.ctx.now_local);
    loc.out.ventana_hasta = Some(loc.ctx.now_local);
    let mut first_error = None;
    for almacen in &scopes {
        let r = inventory_scope(loc, almacen).await;
        loc.step(almacen.clone());
        if let Err(e) = r {
            loc.out.advertencias.push(format!("almacén {almacen}: {e}"));
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Extract, validate and load the stock listing of one warehouse/depot.
async fn inventory_scope(loc: &mut Loc<'_>, almacen: &str) -> Result<(), EtlError> {
    loc.check_budget(Phase::Extract)?;
    let ctx = loc.ctx;
    let t0 = Instant::now();
    let mut stats = CallStats::default();
    let remaining = loc.remaining();
    let connector = loc.target.connector.clone();
    let raw = match tokio::time::timeout(remaining, connector.read_stock(almacen, &mut stats)).await {
        Err(_) => Err(budget_error(Phase::Extract)),
        Ok(r) => r,
    };
    loc.add_stats(&stats);
    loc.out.extract_s += t0.elapsed().as_secs_f64();
    let raw = raw?;
    // Time the listing was received (the injected clock in tests).
    let snapshot = if ctx.req.now.is_some() { ctx.now_local } else { window::local_now(Utc::now(), &loc.etl.tenant.timezone) };

    let t1 = Instant::now();
    let almacen_owned = almacen.to_string();
    let id = loc.id().to_string();
    let v = tokio::task::spawn_blocking(move || validate_stock(raw(&almacen_owned), &almacen_owned))
        .await
        .map_err(|e| EtlError::new(Phase::Transform, Category::DataFormat, e.to_string()))?;
    loc.out.transform_s += t1.elapsed().as_secs_f64();
    loc.out.records_extracted += v.extracted as u64;
    loc.out.duplicates_skipped += v.duplicates as u64;
    loc.out.records_failed += v.rejected.len() as u64;
    loc.out.advertencias.extend(v.warnings.iter().cloned());
    loc.quarantine(format!("almacén {almacen}"), v.rejected.clone()).await;
    if v.rows.is_empty() {
        return Err(EtlError::validation(format!("listado vacío del almacén {almacen}: el stock actual no se modifica")));
    }
    let previous = {
        let wh = loc.etl.warehouse.clone();
        let (id, almacen) = (id.clone(), almacen.to_string());
        tokio::task::spawn_blocking(move || {
            let r = wh.reader()?;
            super::load::previous_listing_rows(&r, &id, &almacen).map_err(crate::warehouse::WarehouseError::from)
        })
        .await
        .map_err(|e| EtlError::new(Phase::Load, Category::StoreUnavailable, e.to_string()))?
        .map_err(|e| EtlError::new(Phase::Load, Category::StoreUnavailable, e.to_string()))?
    };
    if let Some(prev) = previous {
        if (v.rows.len() as i64) * 2 < prev {
            if ctx.req.force {
                loc.out.advertencias.push(format!(
                    "listado de {almacen} con {} filas (< 50 % de {prev}); cargado por orden de un administrador",
                    v.rows.len()
                ));
            } else {
                return Err(EtlError::validation(format!(
                    "listado truncado del almacén {almacen}: {} filas frente a {prev} de la carga anterior (< 50 %)",
                    v.rows.len()
                )));
            }
        }
    }

    loc.check_budget(Phase::Load)?;
    let t2 = Instant::now();
    let fuente = loc.target.connector.kind().id();
    let listing = StockListing { ubicacion_id: id, almacen_codigo: almacen.to_string(), fecha_snapshot: snapshot, rows: v.rows };
    let (wh, exec, now, products) = (loc.etl.warehouse.clone(), ctx.execution_id, ctx.now_utc.naive_utc(), v.products);
    let (_p, s) = tokio::task::spawn_blocking(move || {
        wh.write(|c| super::load::load_stock_listing(c, &listing, &products, fuente, exec, now).map_err(EtlError::from))
    })
    .await
    .map_err(|e| EtlError::new(Phase::Load, Category::StoreUnavailable, e.to_string()))??;
    loc.out.load_s += t2.elapsed().as_secs_f64();
    loc.out.records_inserted += s.inserted as u64;
    loc.out.records_updated += (s.updated + s.removed) as u64;
    loc.out.records_unchanged += s.unchanged as u64;
    Ok(())
}

struct StockBatch {
    rows: Vec<(String, f64)>,
    products: Vec<SourceProduct>,
    extracted: usize,
    duplicates: usize,
    rejected: Vec<QuarantineRow>,
    warnings: Vec<String>,
}

/// The generic checks of one mapped stock listing: the last of repeated codes kept,
/// repeated codes and negative stock noted.
fn validate_stock(mapped: Mapped<(SourceProduct, f64)>, almacen: &str) -> StockBatch {
    let Mapped { good, rejected, extracted, mut warnings } = mapped;
    let mut index: HashMap<String, usize> = HashMap::with_capacity(good.len());
    let mut rows: Vec<(String, f64)> = Vec::with_capacity(good.len());
    let mut products = Vec::with_capacity(good.len());
    let mut duplicates = 0;
    for (p, q) in good {
        match index.get(&p.codigo) {
            Some(&i) => {
                duplicates += 1;
                rows[i].1 = q;
                products[i] = p;
            }
            None => {
                index.insert(p.codigo.clone(), rows.len());
                rows.push((p.codigo.clone(), q));
                products.push(p);
            }
        }
    }
    if duplicates > 0 {
        warnings.push(format!("{duplicates} código(s) repetidos en el listado de {almacen}: se conserva el último"));
    }
    let negatives = rows.iter().filter(|(_, q)| *q < 0.0).count();
    if negatives > 0 {
        warnings.push(format!("{negatives} artículo(s) con stock negativo en {almacen}"));
    }
    StockBatch { rows, products, extracted, duplicates, rejected, warnings }
}

/// Days of pending backfill tasks grouped by location.
pub(super) fn group_tasks(tasks: &[history::BackfillTask]) -> BTreeMap<String, Vec<NaiveDate>> {
    let mut m: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for t in tasks {
        m.entry(t.ubicacion_id.clone()).or_default().push(t.fecha);
    }
    m
}
