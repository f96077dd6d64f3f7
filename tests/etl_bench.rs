//! Throughput of the sales path at client scale (spec 20 §15; issue 4 benchmarks). Ignored
//! by default; run with
//! `cargo test --release --test etl_bench -- --ignored --nocapture`.
//!
//! * decoded sale lines → DuckDB (`load_sales_window`: key upsert, product side effects,
//!   daily aggregates), one transaction per store-day of 12 000 lines;
//! * KLK JSON bytes → decode → validate → dedupe → DuckDB, per store-day;
//! * the same over HTTP from the fake KLK server through the whole pipeline.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use std::time::Instant;

use chrono::NaiveDateTime;
use fluxion::etl::load::load_sales_window;
use fluxion::sources::klk::map::{map_sale, SaleContext};
use fluxion::warehouse::Warehouse;
use support::*;

const LINES_PER_DAY: usize = 12_000;

fn ts(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn day_bytes(store: usize, d: chrono::NaiveDate) -> Vec<u8> {
    let items = day_of_sales(&format!("S{store:02}-{}", d.format("%m%d")), &d.to_string(), LINES_PER_DAY, "ALM");
    serde_json::to_vec(&serde_json::json!({"meta": {"total_registros": items.len()}, "ventas": items})).unwrap()
}

fn decode_validate(
    bytes: &[u8],
    store: &str,
    d: chrono::NaiveDate,
) -> (Vec<fluxion::domain::records::SaleLine>, Vec<fluxion::sources::klk::map::SaleProductInfo>) {
    let listing = fluxion::sources::klk::decode_sales(bytes).unwrap();
    let ctx = SaleContext {
        ubicacion_id: store.to_string(),
        desde: d.and_hms_opt(0, 0, 0).unwrap(),
        hasta: d.and_hms_opt(23, 59, 59).unwrap(),
        now_local: ts("2030-01-01 00:00:00"),
    };
    let mut lines = Vec::with_capacity(listing.items.len());
    let mut infos = Vec::with_capacity(listing.items.len());
    for it in &listing.items {
        let (l, i) = map_sale(it, &ctx).unwrap();
        lines.push(l);
        infos.push(i);
    }
    (lines, infos)
}

#[test]
#[ignore]
fn bench_sales_loading() {
    // FLUXION_LOG=fluxion::etl::load=debug shows where each window's load time goes.
    if let Ok(filter) = std::env::var("FLUXION_LOG") {
        let _ = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).try_init();
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
    let now = ts("2026-01-01 00:00:00");
    // 8 × 13 × 12 000 ≈ 1.25 M lines; a store's 13 days (156 k lines) are about one backfill
    // load group (`EtlOptions::load_group_lines`).
    let stores: usize = std::env::var("BENCH_STORES").map_or(8, |v| v.parse().unwrap());
    let days: i64 = std::env::var("BENCH_DAYS").map_or(13, |v| v.parse().unwrap());
    let first = day("2025-11-01");

    // Pre-build everything so that only the measured step is timed.
    let mut payloads = Vec::new();
    let mut decoded = Vec::new();
    for k in 0..days {
        let d = first + chrono::Duration::days(k);
        for s in 0..stores {
            let bytes = day_bytes(s, d);
            let dec = decode_validate(&bytes, &format!("tienda_{s:02}"), d);
            payloads.push((s, d, bytes));
            decoded.push(dec);
        }
    }
    let total_bytes: usize = payloads.iter().map(|p| p.2.len()).sum();
    let total_lines: usize = decoded.iter().map(|d| d.0.len()).sum();

    // 1. Decoded lines → DuckDB (first load; table grows to ≈ 1.25 M lines).
    let t = Instant::now();
    for (i, (lines, infos)) in decoded.iter().enumerate() {
        wh.write(|c| load_sales_window(c, lines, infos, i as i64, now, &[])).unwrap();
    }
    let load_s = t.elapsed().as_secs_f64();
    println!(
        "decoded lines → DuckDB: {total_lines} lines in {load_s:.2} s = {:.0} lines/s ({} store-day transactions)",
        total_lines as f64 / load_s,
        decoded.len()
    );

    // 1b. The same lines as a backfill loads them: each store's days in one transaction
    //     (one batch per location and run of days; see `etl::pipeline`).
    let whb = Warehouse::open(&dir.path().join("wb.duckdb")).unwrap();
    let mut per_store: Vec<(Vec<_>, Vec<_>)> = (0..stores).map(|_| (Vec::new(), Vec::new())).collect();
    for (i, (lines, infos)) in decoded.iter().enumerate() {
        per_store[i % stores].0.extend(lines.iter().cloned());
        per_store[i % stores].1.extend(infos.iter().cloned());
    }
    let t = Instant::now();
    for (i, (lines, infos)) in per_store.iter().enumerate() {
        whb.write(|c| load_sales_window(c, lines, infos, i as i64, now, &[])).unwrap();
    }
    let grouped_s = t.elapsed().as_secs_f64();
    println!(
        "decoded lines → DuckDB, {days} days per transaction: {:.0} lines/s ({} transactions)",
        total_lines as f64 / grouped_s,
        per_store.len()
    );
    drop(per_store);

    // 2. Reloading the same windows (all unchanged) — the hourly/recovery steady state.
    let t = Instant::now();
    for (i, (lines, infos)) in decoded.iter().enumerate() {
        wh.write(|c| load_sales_window(c, lines, infos, i as i64, now, &[])).unwrap();
    }
    let reload_s = t.elapsed().as_secs_f64();
    println!("reload of the same windows: {:.0} lines/s", total_lines as f64 / reload_s);

    // 3. JSON bytes → decode → validate → DuckDB, into a fresh warehouse.
    let wh2 = Warehouse::open(&dir.path().join("w2.duckdb")).unwrap();
    let t = Instant::now();
    let mut decode_s = 0.0;
    for (i, (s, d, bytes)) in payloads.iter().enumerate() {
        let t0 = Instant::now();
        let (lines, infos) = decode_validate(bytes, &format!("tienda_{s:02}"), *d);
        decode_s += t0.elapsed().as_secs_f64();
        wh2.write(|c| load_sales_window(c, &lines, &infos, i as i64, now, &[])).unwrap();
    }
    let e2e_s = t.elapsed().as_secs_f64();
    println!(
        "KLK JSON → DuckDB: {total_lines} lines ({:.0} MB of JSON) in {e2e_s:.2} s = {:.0} lines/s (decode+validate {:.0} lines/s, {:.0} MB/s)",
        total_bytes as f64 / 1e6,
        total_lines as f64 / e2e_s,
        total_lines as f64 / decode_s,
        total_bytes as f64 / 1e6 / decode_s
    );
    let n: i64 = wh2.reader().unwrap().query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap();
    assert_eq!(n as usize, total_lines);

    // 4. The same, overlapped as the pipeline does across locations: one thread decodes and
    //    validates the next store-day while the loader writes the previous one.
    let s = decode_while_loading(&dir.path().join("w3.duckdb"), total_lines, now, |tx| {
        for (s, d, bytes) in &payloads {
            tx.send(decode_validate(bytes, &format!("tienda_{s:02}"), *d)).unwrap();
        }
    });
    println!("KLK JSON → DuckDB, decode overlapped with load: {:.0} lines/s", total_lines as f64 / s);

    // 5. As a backfill runs: decoding overlapped with the load, each store's days loaded
    //    in one transaction.
    let s = decode_while_loading(&dir.path().join("w4.duckdb"), total_lines, now, |tx| {
        for s in 0..stores {
            let (mut lines, mut infos) = (Vec::new(), Vec::new());
            for (_, d, bytes) in payloads.iter().filter(|p| p.0 == s) {
                let (l, i) = decode_validate(bytes, &format!("tienda_{s:02}"), *d);
                lines.extend(l);
                infos.extend(i);
            }
            tx.send((lines, infos)).unwrap();
        }
    });
    println!("KLK JSON → DuckDB, decode overlapped, {days} days per transaction: {:.0} lines/s", total_lines as f64 / s);
}

type Decoded = (Vec<fluxion::domain::records::SaleLine>, Vec<fluxion::sources::klk::map::SaleProductInfo>);

/// Seconds to load into a fresh warehouse at `path` what `decode` sends, decoding on one
/// thread while this one loads each batch in its own transaction; checks that all
/// `expected` lines landed.
fn decode_while_loading(
    path: &std::path::Path,
    expected: usize,
    now: NaiveDateTime,
    decode: impl FnOnce(std::sync::mpsc::SyncSender<Decoded>) + Send,
) -> f64 {
    let wh = Warehouse::open(path).unwrap();
    let t = Instant::now();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || decode(tx));
        for (i, (lines, infos)) in rx.iter().enumerate() {
            wh.write(|c| load_sales_window(c, &lines, &infos, i as i64, now, &[])).unwrap();
        }
    });
    let s = t.elapsed().as_secs_f64();
    let n: i64 = wh.reader().unwrap().query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap();
    assert_eq!(n as usize, expected);
    s
}

/// A KLK store of the HTTP benches, as tenant.toml text.
fn klk_store_toml(id: &str, name: &str, sucursal: &str, almacen: &str) -> String {
    format!(
        "\n[[stores]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"tienda\"\npos = \"klk\"\n\n  [stores.klk]\n  sucursal = \"{sucursal}\"\n  almacen_ventas = \"{almacen}\"\n\n  \
         [[stores.klk.almacenes]]\n  codigo = \"{almacen}\"\n  nombre = \"PISO DE VENTA\"\n  tipo = \"piso_venta\"\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_hourly_run_over_http() {
    // 19 stores, one whole day each, through HTTP, parallelism 3, full pipeline + history.
    let klk = spawn_klk().await;
    let stores: Vec<(String, String, String, String)> =
        (1..=19).map(|i| (format!("tienda_{i:02}"), format!("TIENDA {i}"), format!("SUC{i:03}"), format!("ALM{i:02}"))).collect();
    let mut extra = String::new();
    for (id, name, suc, alm) in &stores {
        klk.state.set_sales(suc, day_of_sales(suc, "2025-11-17", LINES_PER_DAY, alm));
        extra.push_str(&klk_store_toml(id, name, suc, alm));
    }
    let toml = klk_tenant_toml(&klk.base_url(), 0, &extra);
    let env = open_env(&toml, "", fast_options()).await;
    let t = Instant::now();
    let r = env
        .run(fluxion::etl::EtlJob::Ventas, fluxion::etl::RunKind::Manual, |q| q.range = Some((day("2025-11-17"), day("2025-11-17"))))
        .await;
    let s = t.elapsed().as_secs_f64();
    assert_eq!(r.status, "success");
    let n = env.count("SELECT count(*) FROM ventas");
    println!("19 store-days over HTTP (parallelism 3): {n} lines in {s:.2} s = {:.0} lines/s end to end", n as f64 / s);
    let (ext, tr, ld): (f64, f64, f64) =
        r.locations.iter().fold((0.0, 0.0, 0.0), |a, l| (a.0 + l.outcome.extract_s, a.1 + l.outcome.transform_s, a.2 + l.outcome.load_s));
    println!("  phase sums: extract {ext:.2} s, transform {tr:.2} s, load {ld:.2} s");
}

/// Loading one store-day into a warehouse that already holds a year of a 19-store chain
/// (~84 M lines would take long to build here; 20 M lines ≈ 3 months).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_backfill_over_http() {
    // A historical backfill: 4 stores × 12 whole days through HTTP and the whole pipeline
    // (parallelism 3); each store's days are loaded in groups (`EtlOptions::load_group_lines`).
    let klk = spawn_klk().await;
    let first = day("2025-11-01");
    let days = 12;
    let mut extra = String::new();
    for i in 1..=4 {
        let (id, suc, alm) = (format!("tienda_{i:02}"), format!("SUC{i:03}"), format!("ALM{i:02}"));
        for k in 0..days {
            let d = first + chrono::Duration::days(k);
            klk.state.add_sales(&suc, day_of_sales(&format!("{suc}-{}", d.format("%m%d")), &d.to_string(), LINES_PER_DAY, &alm));
        }
        extra.push_str(&klk_store_toml(&id, &format!("TIENDA {i}"), &suc, &alm));
    }
    let toml = klk_tenant_toml(&klk.base_url(), 0, &extra);
    let env = open_env(&toml, "", fast_options()).await;
    let last = first + chrono::Duration::days(days - 1);
    let t = Instant::now();
    let r = env.run(fluxion::etl::EtlJob::Ventas, fluxion::etl::RunKind::Backfill, |q| q.range = Some((first, last))).await;
    let s = t.elapsed().as_secs_f64();
    assert_eq!(r.status, "success");
    let n = env.count("SELECT count(*) FROM ventas");
    assert_eq!(n as usize, 4 * days as usize * LINES_PER_DAY);
    println!("backfill of 4 stores × {days} days over HTTP: {n} lines in {s:.2} s = {:.0} lines/s end to end", n as f64 / s);
    let (ext, tr, ld): (f64, f64, f64) =
        r.locations.iter().fold((0.0, 0.0, 0.0), |a, l| (a.0 + l.outcome.extract_s, a.1 + l.outcome.transform_s, a.2 + l.outcome.load_s));
    println!("  phase sums: extract {ext:.2} s, transform {tr:.2} s, load {ld:.2} s");
}

#[test]
#[ignore]
fn bench_store_day_into_a_large_warehouse() {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
    let rows: i64 = std::env::var("FLUXION_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000_000);
    let t = Instant::now();
    wh.write(|c| {
        c.execute(
            "INSERT INTO ventas SELECT 'tienda_' || lpad(((i % 19) + 1)::VARCHAR, 2, '0'), 'H-' || (i // 5)::VARCHAR, (i % 5)::INTEGER + 1,
                 TIMESTAMP '2025-08-01 07:00:00' + to_seconds((i // 230000) * 86400 + (i % 50000)),
                 (TIMESTAMP '2025-08-01' + to_days((i // 230000)::INTEGER))::DATE, 'ALM', 'PISO', lpad((i % 4000)::VARCHAR, 6, '0'), 'CUADRANTE I',
                 1, 0, 0, 'UNIDAD', 1, 1, 1.5, 1.0, 1.5, 1.0, 0.5, 33.33, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 236.46, false,
                 now()::TIMESTAMP, now()::TIMESTAMP, 0
             FROM range(?) t(i)",
            [rows],
        )?;
        fluxion::warehouse::sales::rebuild_daily_sales(c)
    })
    .unwrap();
    println!("built {rows} lines in {:.1} s", t.elapsed().as_secs_f64());
    let now = ts("2026-01-01 00:00:00");
    for k in 0..5 {
        let d = day("2025-11-10") + chrono::Duration::days(k);
        let items = day_of_sales(&format!("N{k}"), &d.to_string(), LINES_PER_DAY, "ALM");
        let bytes = serde_json::to_vec(&serde_json::json!({"ventas": items})).unwrap();
        let t = Instant::now();
        let (lines, infos) = decode_validate(&bytes, "tienda_05", d);
        let dec = t.elapsed().as_secs_f64();
        let t = Instant::now();
        wh.write(|c| load_sales_window(c, &lines, &infos, 1, now, &[])).unwrap();
        let load = t.elapsed().as_secs_f64();
        println!(
            "store-day {d}: decode+validate {:.1} ms, load {:.1} ms ({:.0} lines/s load, {:.0} lines/s end to end)",
            dec * 1e3,
            load * 1e3,
            lines.len() as f64 / load,
            lines.len() as f64 / (load + dec)
        );
    }
}

/// The ceiling under any merge strategy: 120 k lines staged as Arrow in Rust, appended to a
/// temp table, inserted into `ventas` and committed — and appended straight into `ventas`.
/// `lines` staged as Arrow batches of at most `CHUNK_LINES`, as the loaders stage them.
fn stage_batches(lines: &[fluxion::domain::records::SaleLine], now: NaiveDateTime) -> Vec<fluxion::warehouse::sale_batch::SaleBatch> {
    use fluxion::warehouse::sale_batch::{SaleBatch, CHUNK_LINES};
    let mut batches = vec![SaleBatch::new(false)];
    for l in lines {
        if batches.last().unwrap().len() == CHUNK_LINES {
            batches.push(SaleBatch::new(false));
        }
        batches.last_mut().unwrap().push(l, now, Some(1));
    }
    batches
}

#[test]
#[ignore]
fn bench_sales_append_parts() {
    use fluxion::warehouse::sale_batch::SaleBatch;
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
    let now = ts("2026-01-01 00:00:00");
    let first = day("2025-11-01");
    let mut lines = Vec::new();
    for k in 0..10 {
        let d = first + chrono::Duration::days(k);
        let bytes = day_bytes(1, d);
        lines.extend(decode_validate(&bytes, "tienda_01", d).0);
    }
    let n = lines.len() as f64;
    let stage = || stage_batches(&lines, now);
    // Appends every staged batch to `table` in one transaction; seconds taken.
    let append = |table: &str, mut batches: Vec<SaleBatch>| {
        let t = Instant::now();
        wh.write(|c| -> duckdb::Result<()> {
            let mut app = c.appender(table)?;
            for b in &mut batches {
                b.append_to(&mut app)?;
            }
            app.flush()
        })
        .unwrap();
        t.elapsed().as_secs_f64()
    };

    let t = Instant::now();
    let batches = stage();
    let build = t.elapsed().as_secs_f64();
    wh.write(|c| fluxion::warehouse::staging::create_like(c, "st", "ventas", &[])).unwrap();
    let to_temp = append("st", batches);
    let t = Instant::now();
    wh.write(|c| c.execute_batch("INSERT INTO ventas SELECT * FROM st")).unwrap();
    let insert = t.elapsed().as_secs_f64();
    println!("{n} lines: build {:.0}/s, append to temp {:.0}/s, insert temp→ventas+commit {:.0}/s", n / build, n / to_temp, n / insert);

    wh.write(|c| c.execute_batch("DELETE FROM ventas")).unwrap();
    let direct = append("ventas", stage());
    println!("direct append to ventas + commit {:.0}/s", n / direct);
}

/// The ceiling of the two cores for raw sale lines: Arrow staging, DuckDB's appender into
/// `ventas` and the commit, first with one connection, then with two connections appending
/// different stores at once (each in its own transaction). No key lookup, no aggregates.
#[test]
#[ignore]
fn bench_parallel_append() {
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
    let now = ts("2026-01-01 00:00:00");
    let first = day("2025-11-01");
    let per_store: Vec<Vec<fluxion::domain::records::SaleLine>> = (0..4)
        .map(|s| {
            (0..10)
                .flat_map(|k| {
                    let d = first + chrono::Duration::days(k);
                    decode_validate(&day_bytes(s, d), &format!("tienda_{s:02}"), d).0
                })
                .collect()
        })
        .collect();
    let n: usize = per_store.iter().map(Vec::len).sum();
    for workers in [1usize, 2] {
        wh.write(|c| c.execute_batch("DELETE FROM ventas")).unwrap();
        wh.checkpoint().unwrap();
        let t = Instant::now();
        std::thread::scope(|scope| {
            for w in 0..workers {
                let c = wh.reader().unwrap();
                let mine: Vec<&Vec<_>> = per_store.iter().skip(w).step_by(workers).collect();
                scope.spawn(move || {
                    for lines in mine {
                        let mut batches = stage_batches(lines, now);
                        c.execute_batch("BEGIN TRANSACTION").unwrap();
                        let mut app = c.appender("ventas").unwrap();
                        for b in &mut batches {
                            b.append_to(&mut app).unwrap();
                        }
                        app.flush().unwrap();
                        drop(app);
                        c.execute_batch("COMMIT").unwrap();
                    }
                });
            }
        });
        wh.checkpoint().unwrap();
        let s = t.elapsed().as_secs_f64();
        println!(
            "{workers} connection(s): {n} lines staged, appended, committed and checkpointed in {s:.2} s = {:.0} lines/s",
            n as f64 / s
        );
        let stored: i64 = wh.reader().unwrap().query_row("SELECT count(*) FROM ventas", [], |r| r.get(0)).unwrap();
        assert_eq!(stored as usize, n);
    }
}
