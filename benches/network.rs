//! Benchmarks at full client scale (20 stores + 3 CEDIs, ≥ 10 k products, ≈ 11 M sale
//! lines). The chain is generated once into $FLUXION_BENCH_DIR (default
//! ~/.cache/fluxion-bench/client) and reused; the generation time is printed the first time.
//!
//!     make bench            # or: cargo bench --bench network
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use fluxion::config::Tenant;
use fluxion::sources::synthetic::{self, GenerateOptions, Scale};

fn end_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn bench_dir() -> PathBuf {
    std::env::var_os("FLUXION_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/fluxion-bench/client"))
}

fn client_tenant() -> fluxion::http::AppState {
    let dir = bench_dir();
    let config = dir.join("tenant.toml");
    let fresh = !config.exists();
    if fresh {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&config, synthetic::demo_tenant_toml(Scale::Client, 0)).unwrap();
        let secrets = dir.join("secrets.toml");
        std::fs::write(&secrets, "[auth]\njwt_secret = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    let state = fluxion::app::open(Tenant::load(&config).unwrap()).unwrap();
    let has_data: bool =
        state.warehouse.reader().unwrap().query_row("SELECT count(*) > 0 FROM ventas_diarias_ubicacion", [], |r| r.get(0)).unwrap();
    if !has_data {
        let started = Instant::now();
        let opts = GenerateOptions { scale: Scale::Client, seed: 42, end_date: end_date() };
        let report = synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|_, _, _| {}).unwrap();
        println!(
            "generated client scale in {:.1} s: {} products, {} sale lines, {} tickets, {} history rows, {} stock loads",
            started.elapsed().as_secs_f64(),
            report.products,
            report.sale_lines,
            report.tickets,
            report.history_rows,
            report.stock_loads
        );
        state.warehouse.checkpoint().unwrap();
    }
    state
}

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
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (addr, client) = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let served = state.clone();
        tokio::spawn(async move { fluxion::http::serve(served, listener).await.unwrap() });
        (addr, reqwest::Client::new())
    });
    // A session of our own (the endpoint needs inventario.ver).
    {
        let conn = state.app_db.lock().unwrap();
        if !fluxion::appdb::users::exists(&conn, "bench").unwrap() {
            let hash = fluxion::auth::password::hash("clave-del-banco-1");
            fluxion::appdb::users::create(
                &conn,
                &fluxion::appdb::users::NewUser {
                    username: "bench",
                    password_hash: &hash,
                    nombre_completo: None,
                    email: None,
                    rol_id: "super_admin",
                    must_change_password: false,
                },
            )
            .unwrap();
        }
    }
    let token: String = rt.block_on(async {
        let r = client
            .post(format!("http://{addr}/api/auth/login"))
            .header("host", "localhost")
            .json(&serde_json::json!({"username": "bench", "password": "clave-del-banco-1"}))
            .send()
            .await
            .unwrap();
        r.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
    });
    let url = format!("http://{addr}/api/resumen-red?hasta={hasta}");
    c.bench_function("resumen_red_http_client_scale", |b| {
        b.iter(|| {
            rt.block_on(async {
                let r = client.get(&url).header("host", "localhost").bearer_auth(&token).send().await.unwrap();
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
