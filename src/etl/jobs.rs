//! The ETL's scheduled jobs inside `fluxion serve` (spec 20 §8.1): `inventario`, `ventas`
//! and `ventas_recovery` under their `[schedules]` keys, plus the start-up work: executions
//! of a previous process marked `killed`, the 03:00 recovery run once if its slot was
//! missed today, missed slots recorded as notices, and pending backfill tasks resumed.
//! Missed inventory/sales slots are not replayed: the next slot and the watermarks cover
//! them.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::history;
use super::{Etl, EtlJob, RunError, RunKind, RunReport, RunRequest, Trigger};
use crate::scheduler::{next_tick, Registry};

/// Registers the ETL jobs of `etl` and starts the start-up work (when inside a runtime).
pub fn register(registry: &mut Registry, etl: &Arc<Etl>) {
    if !etl.tenant.stores().iter().any(|s| s.is_extracted()) {
        tracing::info!("no location is fed by a POS connector: ETL jobs not scheduled");
        return;
    }
    let jobs = [
        ("inventario", EtlJob::Inventario, RunKind::Scheduled),
        ("ventas", EtlJob::Ventas, RunKind::Scheduled),
        ("ventas_recovery", EtlJob::Ventas, RunKind::Recovery),
    ];
    for (key, job, kind) in jobs {
        let etl = etl.clone();
        registry.register(key, move || {
            let etl = etl.clone();
            async move {
                scheduled_run(&etl, job, kind).await;
            }
        });
    }
    {
        let etl = etl.clone();
        let app_db = etl.app_db_path.clone();
        registry.register("notification_digest", move || {
            let (etl, app_db) = (etl.clone(), app_db.clone());
            async move {
                if let Err(e) = etl.notifier.daily_digest(&app_db, Utc::now()).await {
                    tracing::error!(job = "notification_digest", "daily digest not sent: {e}");
                }
            }
        });
    }
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        rt.spawn(startup(etl.clone()));
    }
}

/// One scheduled slot. A slot that finds the same job running is omitted (no execution
/// row; counted and recorded as a notice).
pub async fn scheduled_run(etl: &Arc<Etl>, job: EtlJob, kind: RunKind) -> Option<RunReport> {
    let req = RunRequest::new(job, kind, Trigger::Scheduler);
    let started = Utc::now();
    match etl.run(req).await {
        Ok(report) => {
            tracing::info!(
                job = job.as_str(),
                kind = kind.as_str(),
                status = report.status.as_str(),
                execution_id = report.execution_id,
                "scheduled ETL run finished"
            );
            etl.notifier.after_run(&report, started).await;
            if job == EtlJob::Ventas {
                let etl = etl.clone();
                tokio::spawn(async move {
                    run_pending_backfill(&etl, Trigger::Scheduler).await;
                });
            }
            Some(report)
        }
        Err(RunError::AlreadyRunning(key)) => {
            etl.note_overlap();
            tracing::warn!(job = key, "slot omitted: the previous run is still in progress");
            let _ = etl
                .with_db(move |c| {
                    history::add_notice(
                        c,
                        job.as_str(),
                        "omitida_por_solape",
                        &format!("{key}: ejecución omitida porque la anterior sigue en curso"),
                    )
                })
                .await;
            None
        }
        Err(e) => {
            tracing::error!(job = job.as_str(), "scheduled ETL run could not start: {e}");
            None
        }
    }
}

/// Runs the pending backfill tasks (whole days, resumable) as one `backfill` execution.
pub async fn run_pending_backfill(etl: &Arc<Etl>, trigger: Trigger) -> Option<RunReport> {
    let tasks = etl.with_db(|c| history::pending_backfill(c, 2000)).await.ok()?;
    if tasks.is_empty() {
        return None;
    }
    let grouped = super::pipeline::group_tasks(&tasks);
    let mut req = RunRequest::new(EtlJob::Ventas, RunKind::Backfill, trigger);
    req.stores = grouped.keys().cloned().collect();
    req.task_days = Some(grouped);
    let started = Utc::now();
    match etl.run(req).await {
        Ok(r) => {
            etl.notifier.after_run(&r, started).await;
            Some(r)
        }
        Err(RunError::AlreadyRunning(_)) => None,
        Err(RunError::UnknownStore(id)) => {
            tracing::warn!(store = %id, "backfill tasks of a location no longer configured are left pending");
            None
        }
        Err(e) => {
            tracing::error!("backfill could not start: {e}");
            None
        }
    }
}

/// The last tick of `cron` at or before `now` within the previous 25 hours.
fn last_tick(cron: &croner::Cron, now: DateTime<Utc>, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    let mut t = now - Duration::hours(25);
    let mut last = None;
    while let Some(n) = next_tick(cron, t, tz) {
        if n > now {
            break;
        }
        last = Some(n);
        t = n;
    }
    last
}

fn schedule_cron(etl: &Etl, key: &str) -> Option<croner::Cron> {
    let entry = etl.tenant.file.schedules.0.get(key)?;
    if !entry.enabled {
        return None;
    }
    crate::config::parse_cron(&entry.cron).ok()
}

fn started_before(last: &Option<String>, slot: DateTime<Utc>) -> bool {
    match last.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok()) {
        None => true,
        Some(t) => t.with_timezone(&Utc) < slot,
    }
}

/// Start-up work of `serve`.
pub async fn startup(etl: Arc<Etl>) {
    let now = Utc::now();
    let tz = etl.tenant.timezone;
    // Missed slots while the process was down (§8.1): recorded, not replayed.
    for (key, name, kind) in [("inventario", "inventario", "scheduled"), ("ventas", "ventas", "scheduled")] {
        let Some(cron) = schedule_cron(&etl, key) else { continue };
        let last = etl.with_db(move |c| history::last_started(c, name, kind)).await.ok().flatten();
        let Some(last_dt) = last.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&Utc)) else {
            continue;
        };
        let mut t = last_dt.max(now - Duration::hours(24));
        let mut missed = 0;
        while let Some(n) = next_tick(&cron, t, tz) {
            if n > now - Duration::minutes(10) {
                break;
            }
            missed += 1;
            t = n;
        }
        if missed > 0 {
            let msg = format!("{missed} ejecución(es) programadas de «{key}» no se iniciaron mientras el servicio estaba detenido");
            tracing::warn!(job = key, missed, "missed scheduled slots");
            let _ = etl.with_db(move |c| history::add_notice(c, name, "ejecucion_perdida", &msg)).await;
        }
    }
    // Today's recovery slot missed ⇒ run it once now.
    if let Some(cron) = schedule_cron(&etl, "ventas_recovery") {
        if let Some(slot) = last_tick(&cron, now, tz) {
            let today = slot.with_timezone(&tz).date_naive() == now.with_timezone(&tz).date_naive();
            let last = etl.with_db(|c| history::last_started(c, "ventas", "recovery")).await.ok().flatten();
            if today && started_before(&last, slot) {
                tracing::info!("today's recovery slot was missed; running the recovery now");
                let _ = etl
                    .with_db(|c| {
                        history::add_notice(
                            c,
                            "ventas",
                            "recuperacion_al_iniciar",
                            "recuperación nocturna ejecutada al iniciar el servicio",
                        )
                    })
                    .await;
                scheduled_run(&etl, EtlJob::Ventas, RunKind::Recovery).await;
            }
        }
    }
    run_pending_backfill(&etl, Trigger::Scheduler).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_tick_is_the_latest_slot_not_after_now() {
        let cron = crate::config::parse_cron("0 3 * * *").unwrap();
        let tz: chrono_tz::Tz = "America/Caracas".parse().unwrap();
        let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
        assert_eq!(last_tick(&cron, now, tz), Some("2026-11-26T07:00:00Z".parse().unwrap()));
        let early: DateTime<Utc> = "2026-11-26T06:00:00Z".parse().unwrap();
        assert_eq!(last_tick(&cron, early, tz), Some("2026-11-25T07:00:00Z".parse().unwrap()));
    }
}
