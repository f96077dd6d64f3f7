//! Benchmarks at full client scale (20 stores + 3 CEDIs, ≥ 10 k products, ≈ 11 M sale
//! lines). The chain is generated once into $FLUXION_BENCH_DIR (default
//! ~/.cache/fluxion-bench/client) and reused; the generation time is printed the first time.
//!
//!     make bench            # or: cargo bench --bench network
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod support;

use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use support::{bench_dir, client_tenant, end_date};

fn network_summary(c: &mut Criterion) {
    let state = client_tenant();
    let hasta = end_date();
    let desde = hasta - chrono::Duration::days(29);
    c.bench_function("resumen_red_query_client_scale", |b| {
        b.iter(|| {
            let r = state.warehouse.reader().unwrap();
            fluxion::warehouse::summary::network_summary(&r, desde, hasta).unwrap()
        })
    });

    // The same through HTTP, as the browser calls it (router, guard, JSON).
    let server = support::Server::start(&state);
    let (rt, client, token, addr) = (&server.rt, &server.client, &server.token, server.addr);
    let url = format!("http://{addr}/api/resumen-red?hasta={hasta}");
    c.bench_function("resumen_red_http_client_scale", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = client.get(&url).header("host", "localhost").bearer_auth(token).send().await.unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap()
            })
        })
    });
}

/// One store's suggested order and the whole network's, warm (criterion) — the cold
/// first call of a process is printed once.
fn replenishment(c: &mut Criterion) {
    // FLUXION_LOG=fluxion::replenishment=debug shows each step's time, warm.
    if let Ok(filter) = std::env::var("FLUXION_LOG") {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).init();
    }
    let fecha = end_date() + chrono::Duration::days(1);
    {
        // The chain as the nightly job leaves it: the daily aggregate in store order, and the
        // classification and demand caches for the business date. Done once per chain (the
        // bench writes nothing else): right after those ~200 MB of writes, fresh processes
        // measured 20–30 ms slower while the host settled, and the job runs hours before
        // the first calculation of the day.
        let state = client_tenant(); // makes sure the chain exists
        let app = fluxion::appdb::connect(&state.app_db_path).unwrap();
        let current: bool =
            app.query_row("SELECT count(*) > 0 FROM demanda_p75_cache WHERE fecha_base = ?1", [fecha.to_string()], |r| r.get(0)).unwrap();
        if !current {
            let started = Instant::now();
            state.warehouse.write(fluxion::warehouse::sales::cluster_daily_sales).unwrap();
            fluxion::classification::rebuild(&state.tenant, &state.warehouse, &app, fecha).unwrap();
            state.warehouse.checkpoint().unwrap();
            println!("nightly upkeep (daily aggregate reordered, caches rebuilt): {:.1} s", started.elapsed().as_secs_f64());
            let _ = std::process::Command::new("sync").status();
        }
    } // DuckDB lets one process open the warehouse: closed before the CLI runs
    fresh_process_calculations(fecha, 15);
    let state = client_tenant();
    let app = fluxion::appdb::connect(&state.app_db_path).unwrap();
    let req = fluxion::replenishment::Request { tienda: "tienda_01".into(), cedi: None, fecha, cuadrantes: None, detalle_v2: false };
    let cold = Instant::now();
    let first = {
        let reader = state.warehouse.reader().unwrap();
        fluxion::replenishment::propose(&state.tenant, &app, &reader, &req).unwrap()
    };
    println!("cold first calculation: {:.1} ms, {} lines", cold.elapsed().as_secs_f64() * 1000.0, first.productos.len());
    c.bench_function("pedido_sugerido_una_tienda_client_scale", |b| {
        b.iter(|| {
            let reader = state.warehouse.reader().unwrap();
            fluxion::replenishment::propose(&state.tenant, &app, &reader, &req).unwrap()
        })
    });
    // The two halves of one calculation: the warehouse reads, and the pure engine.
    c.bench_function("pedido_sugerido_una_tienda_lecturas", |b| {
        b.iter(|| {
            let reader = state.warehouse.reader().unwrap();
            fluxion::replenishment::store_input(&state.tenant, &app, &reader, &req).unwrap()
        })
    });
    let input = {
        let reader = state.warehouse.reader().unwrap();
        fluxion::replenishment::store_input(&state.tenant, &app, &reader, &req).unwrap()
    };
    c.bench_function("pedido_sugerido_una_tienda_motor", |b| b.iter(|| fluxion::domain::replenishment::calculate_store(&input, 4)));
    let mut group = c.benchmark_group("red");
    group.sample_size(10);
    group.bench_function("pedido_sugerido_todas_las_tiendas_client_scale", |b| {
        b.iter(|| {
            let reader = state.warehouse.reader().unwrap();
            fluxion::replenishment::propose_all(&state.tenant, &app, &reader, fecha).unwrap()
        })
    });
    group.finish();
}

/// One store's calculation in `runs` fresh `fluxion` processes (nothing cached in the
/// process, DuckDB's buffers empty): the median and the range of the calculation's own
/// time, which the CLI reports on stderr ("…, 8537 líneas, 52 ms").
fn fresh_process_calculations(fecha: NaiveDate, runs: usize) {
    let config = bench_dir().join("tenant.toml");
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_fluxion"))
                .args(["order", "suggest", "--config", config.to_str().unwrap(), "--store", "tienda_01"])
                .args(["--date", &fecha.to_string(), "--format", "table"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().last().unwrap_or_default();
            last.rsplit(", ").next().and_then(|t| t.trim_end_matches(" ms").parse().ok()).expect("the CLI reports its time")
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "first calculation of a fresh process ({runs} processes): median {:.1} ms (min {:.1}, max {:.1})",
        ms[runs / 2],
        ms[0],
        ms[runs - 1]
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = network_summary, replenishment
}
criterion_main!(benches);
