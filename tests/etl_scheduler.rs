//! The ETL jobs inside `serve` (spec 20 §8.1, §8.2): registration under the `[schedules]`
//! keys, slots omitted while the same job runs, the start-up recovery when today's slot
//! was missed, missed slots recorded as notices, orphans marked killed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use std::time::Duration;

use fluxion::etl::{jobs, EtlJob, RunKind, RunRequest, Trigger};
use support::*;

const SCHEDULES: &str = "\n[schedules]\n\
    inventario      = { cron = \"*/30 * * * *\", enabled = true }\n\
    ventas          = { cron = \"0 * * * *\", enabled = true }\n\
    ventas_recovery = { cron = \"0 0 * * *\", enabled = true }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_are_registered_and_an_overlapping_slot_is_omitted() {
    let klk = spawn_klk().await;
    klk.state.set_sales("SUC001", day_of_sales("A", "2025-11-17", 10, "APP-TPF"));
    *klk.state.base_delay.lock().unwrap() = Duration::from_millis(400);
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, SCHEDULES), "", fast_options()).await;
    // Outside the runtime, so that the start-up work is not spawned in the background.
    let state = env.state.clone();
    let names: Vec<String> = std::thread::spawn(move || {
        fluxion::jobs::registry(&state).into_jobs(&state.tenant.file.schedules).into_iter().map(|j| j.name).collect()
    })
    .join()
    .unwrap();
    for key in ["inventario", "ventas", "ventas_recovery"] {
        assert!(names.iter().any(|n| n == key), "{key} registered: {names:?}");
    }
    let etl = env.etl.clone();
    let mut req = RunRequest::new(EtlJob::Ventas, RunKind::Manual, Trigger::Cli);
    req.range = Some((day("2025-11-17"), day("2025-11-17")));
    let running = tokio::spawn(async move { etl.run(req).await });
    // The fake answers after 400 ms: once it has the request, the run is in progress.
    klk.state.wait_for_requests("/ventas", 1).await;
    // The hourly slot arrives while a sales run is still in progress: omitted, no execution row.
    let before = env.sql_i64("SELECT count(*) FROM etl_executions");
    assert!(jobs::scheduled_run(&env.etl, EtlJob::Ventas, RunKind::Scheduled).await.is_none());
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_executions"), before);
    assert_eq!(env.etl.overlap_skips(), 1);
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_avisos WHERE tipo = 'omitida_por_solape'"), 1);
    // Inventory is another job: it may run meanwhile.
    klk.state.set_articles("APP-TPF", catalogue(5, 1));
    klk.state.set_articles("PCDICS", catalogue(5, 1));
    let inv = jobs::scheduled_run(&env.etl, EtlJob::Inventario, RunKind::Scheduled).await.unwrap();
    assert_eq!(inv.status, "success");
    assert_eq!(running.await.unwrap().unwrap().status, "success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_runs_a_missed_recovery_once_and_records_missed_slots() {
    let klk = spawn_klk().await;
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, SCHEDULES), "", fast_options()).await;
    {
        // A scheduled inventory run three hours ago, nothing since: ~5 slots missed.
        let conn = env.sqlite();
        conn.execute(
            "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, started_at, finished_at, status)
             VALUES ('inventario', 'scheduled', 'scheduler', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 hours'),
                     strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 hours'), 'success')",
            [],
        )
        .unwrap();
        // A run left `running` by a dead process.
        conn.execute(
            "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, status) VALUES ('ventas', 'scheduled', 'scheduler', 'running')",
            [],
        )
        .unwrap();
    }
    // A new process start: orphans are killed when the ETL is built.
    let s = &env.state;
    let etl = fluxion::etl::Etl::new(s.tenant.clone(), s.warehouse.clone(), &s.app_db_path, s.notifier.clone(), fast_options()).unwrap();
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_executions WHERE status = 'killed'"), 1);
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_executions WHERE status = 'running'"), 0);

    jobs::startup(etl.clone()).await;
    // Today's 00:00 recovery slot was missed: it ran once, as a recovery of D−2 and D−1.
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_executions WHERE etl_type = 'recovery' AND is_recovery = 1"), 1);
    assert_eq!(klk.state.requests_to("/ventas").len(), 2);
    assert!(klk.state.requests_to("/ventas").iter().all(|b| b.get("hora_desde").is_none()));
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_avisos WHERE tipo = 'recuperacion_al_iniciar'"), 1);
    let missed: String = env
        .sqlite()
        .query_row("SELECT mensaje FROM etl_avisos WHERE tipo = 'ejecucion_perdida' AND etl_name = 'inventario'", [], |r| r.get(0))
        .unwrap();
    assert!(missed.contains("inventario"), "{missed}");
    // A second start the same day does not run it again.
    jobs::startup(etl).await;
    assert_eq!(env.sql_i64("SELECT count(*) FROM etl_executions WHERE etl_type = 'recovery'"), 1);
}
