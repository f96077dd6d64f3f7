//! Fault injection: `fluxion etl run` killed with SIGKILL at many points while it loads
//! large sales batches. After each kill no partial batch is visible (every store-day is
//! either absent or complete, and the daily aggregates match the lines), the killed run is
//! marked `killed` at the next start, and a rerun completes exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed
#![cfg(unix)]

#[path = "etl_support/mod.rs"]
mod support;

use std::process::{Command, Stdio};

use support::*;

const DAYS: &[&str] = &["2025-11-10", "2025-11-11", "2025-11-12", "2025-11-13", "2025-11-14", "2025-11-15"];
const LINES_PER_DAY: usize = 12_000;

fn check_no_partial_batch(data_dir: &std::path::Path) -> usize {
    let wh = fluxion::warehouse::Warehouse::open(&data_dir.join(fluxion::config::WAREHOUSE_FILE)).unwrap();
    let r = wh.reader().unwrap();
    let mut complete = 0;
    for d in DAYS {
        let lines: i64 = r.query_row("SELECT count(*) FROM ventas WHERE fecha = ?::DATE", [d], |x| x.get(0)).unwrap();
        assert!(lines == 0 || lines == LINES_PER_DAY as i64, "day {d} has a partial batch: {lines} lines");
        let agg: Option<i64> =
            r.query_row("SELECT sum(lineas) FROM ventas_diarias_ubicacion WHERE fecha = ?::DATE", [d], |x| x.get(0)).unwrap();
        assert_eq!(agg.unwrap_or(0), lines, "daily aggregate of {d} out of step with its lines");
        let by_product: Option<i64> =
            r.query_row("SELECT sum(lineas) FROM ventas_diarias WHERE fecha = ?::DATE", [d], |x| x.get(0)).unwrap();
        assert_eq!(by_product.unwrap_or(0), lines);
        if lines > 0 {
            complete += 1;
        }
    }
    complete
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_many_points_leaves_no_partial_batch_and_a_rerun_completes() {
    let klk = spawn_klk().await;
    let mut items = Vec::new();
    for d in DAYS {
        items.extend(day_of_sales(&format!("F{}", &d[8..]), d, LINES_PER_DAY, "APP-TPF"));
    }
    klk.state.set_sales("SUC001", items);
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant_files(dir.path(), &klk_tenant_toml(&klk.base_url(), 1, ""), "");
    let data_dir = dir.path().join("data");
    let bin = env!("CARGO_BIN_EXE_fluxion");
    let args = |cfg: &std::path::Path| {
        vec![
            "etl".to_string(),
            "run".into(),
            "ventas".into(),
            "--store".into(),
            "tienda_01".into(),
            "--from".into(),
            DAYS[0].into(),
            "--to".into(),
            DAYS[DAYS.len() - 1].into(),
            "--config".into(),
            cfg.display().to_string(),
        ]
    };

    // Kill points follow the run itself, not the clock: after the fake KLK has answered
    // 1, 2, … of the run's day requests; after the last answer the run validates and loads
    // the days in one transaction, so the last kill lands during or just after the load.
    let mut kills = 0;
    let mut served = 0;
    for answered in 1..=DAYS.len() {
        let mut child = Command::new(bin).args(args(&config)).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        klk.state.wait_for_served(served + answered).await;
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let _ = child.wait();
        served = klk.state.requests_to("/ventas").len();
        if data_dir.join(fluxion::config::WAREHOUSE_FILE).exists() {
            let complete = tokio::task::spawn_blocking({
                let d = data_dir.clone();
                move || check_no_partial_batch(&d)
            })
            .await
            .unwrap();
            if finished {
                assert_eq!(complete, DAYS.len());
            }
        }
    }
    assert!(kills >= 3, "the run finished too fast to be interrupted ({kills} kills)");

    // A clean rerun loads everything exactly once.
    let out = Command::new(bin).args(args(&config)).output().unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let complete = tokio::task::spawn_blocking({
        let d = data_dir.clone();
        move || check_no_partial_batch(&d)
    })
    .await
    .unwrap();
    assert_eq!(complete, DAYS.len());
    let conn = fluxion::appdb::connect(&data_dir.join(fluxion::config::APP_DB_FILE)).unwrap();
    let killed: i64 = conn.query_row("SELECT count(*) FROM etl_executions WHERE status = 'killed'", [], |r| r.get(0)).unwrap();
    let running: i64 = conn.query_row("SELECT count(*) FROM etl_executions WHERE status = 'running'", [], |r| r.get(0)).unwrap();
    assert_eq!(running, 0);
    assert!(killed >= 1, "interrupted runs are marked killed at the next start");
    let ok: i64 = conn.query_row("SELECT count(*) FROM etl_backfill_tareas WHERE estado = 'ok'", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, DAYS.len() as i64);
}
