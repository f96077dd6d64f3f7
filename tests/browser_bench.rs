//! The order wizard at full client scale in a real headless Chromium, timed as a buyer feels
//! it: from "Calcular pedido" to the grid on screen, and a filter change. A benchmark, not a
//! test (ignored by default):
//!
//!     make bench-wizard
//!
//! It reuses the client-scale chain of `make bench` ($FLUXION_BENCH_DIR, default
//! ~/.cache/fluxion-bench/client), generating it the first time (≈ 2 minutes).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark stops at the line that failed

mod common;

use std::path::PathBuf;

use common::browser::Browser;
use fluxion::config::Tenant;
use fluxion::sources::synthetic::{self, GenerateOptions, Scale};

fn bench_dir() -> PathBuf {
    std::env::var_os("FLUXION_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/fluxion-bench/client"))
}

/// The client-scale tenant of the benchmarks, generated once.
fn client_state() -> fluxion::http::AppState {
    let dir = bench_dir();
    let config = dir.join("tenant.toml");
    if !config.exists() {
        common::write_tenant(&dir, &synthetic::demo_tenant_toml(Scale::Client, 0));
    }
    let state = fluxion::app::open(Tenant::load(&config).unwrap()).unwrap();
    let has_data: bool =
        state.warehouse.reader().unwrap().query_row("SELECT count(*) > 0 FROM ventas_diarias_ubicacion", [], |r| r.get(0)).unwrap();
    if !has_data {
        let opts = GenerateOptions { scale: Scale::Client, seed: 42, end_date: common::end_date() };
        synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|_, _, _| {}).unwrap();
        state.warehouse.checkpoint().unwrap();
    }
    state
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark at client scale: make bench-wizard"]
async fn wizard_first_paint_and_filter_at_client_scale() {
    let state = tokio::task::spawn_blocking(client_state).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = state.clone();
    tokio::spawn(async move { fluxion::http::serve(served, listener).await.unwrap() });
    let user = format!("bench.{}", std::process::id());
    {
        let conn = state.app_db.lock().unwrap();
        common::add_user_to(&conn, &user, "clave-de-bench-1", "gestor_abastecimiento", &[]);
    }
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("http://{addr}/api/auth/login"))
        .json(&serde_json::json!({"username": user, "password": "clave-de-bench-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut b = Browser::launch().await;
    b.set_cookie(&format!("http://{addr}/"), "fluxion_session", token["access_token"].as_str().unwrap()).await;
    let (mut paint, mut filter) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        b.goto(&format!("http://{addr}/pedidos-sugeridos/nuevo?cedi=cedi_seco&tienda=tienda_01")).await;
        b.wait_for("document.querySelector('[data-role=step1]') !== null && document.querySelector('[data-role=step1]').tienda.value === 'tienda_01'")
            .await;
        // From the click to the grid painted (the next animation frame after the rows exist).
        let ms = b
            .eval(
                "new Promise(res => { const t0 = performance.now();
                   document.querySelector('[data-role=step1] button[type=submit]').click();
                   const tick = () => document.querySelector('[data-role=lines] tbody tr')
                     ? requestAnimationFrame(() => res(performance.now() - t0)) : setTimeout(tick, 2);
                   tick(); })",
            )
            .await;
        paint.push(ms.as_f64().unwrap());
        let marks = b
            .eval(
                "(() => { const m = Object.fromEntries(performance.getEntriesByType('mark').map(e => [e.name, e.startTime]));
                   performance.clearMarks(); return [m['pedido:datos'] - m['pedido:respuesta'], m['pedido:grilla'] - m['pedido:datos']]; })()",
            )
            .await;
        println!(
            "  response → lines ready {:.0} ms, lines → grid built {:.0} ms",
            marks[0].as_f64().unwrap_or(-1.0),
            marks[1].as_f64().unwrap_or(-1.0)
        );
        // A filter change over every candidate line: view "Todos", then class A.
        let ms = b
            .eval(
                "new Promise(res => { const f = document.querySelector('[data-role=filters]'); const t0 = performance.now();
                   f.vista.value = 'todos'; f.vista.dispatchEvent(new Event('change', {bubbles: true}));
                   f.abc.value = 'A'; f.abc.dispatchEvent(new Event('change', {bubbles: true}));
                   requestAnimationFrame(() => res(performance.now() - t0)); })",
            )
            .await;
        filter.push(ms.as_f64().unwrap());
    }
    let candidates = b.eval("document.querySelector('[data-role=calc-info]').textContent").await;
    // The request alone, as the page makes it (gzip, table format), for the split.
    let mut fetch_ms = Vec::new();
    for _ in 0..5 {
        let ms = b
            .eval(
                "(async () => { const t0 = performance.now();
                   const r = await fetch('/api/pedidos-sugeridos/calcular', {method: 'POST', headers: {'Content-Type': 'application/json'},
                     body: JSON.stringify({cedi_origen: 'cedi_seco', tienda_destino: 'tienda_01', explicacion: false, formato: 'tabla'})});
                   const t1 = performance.now(); await r.json(); return [t1 - t0, performance.now() - t1]; })()",
            )
            .await;
        fetch_ms.push((ms[0].as_f64().unwrap(), ms[1].as_f64().unwrap()));
    }
    println!("of which the request (response received / JSON parsed): {fetch_ms:.0?}");
    println!(
        "wizard at client scale ({candidates}): first paint median {:.0} ms (runs {paint:.0?}), filter change median {:.1} ms (runs {filter:.1?})",
        median(paint.clone()),
        median(filter.clone()),
    );
    assert!(candidates.as_str().unwrap().contains("productos candidatos"), "{candidates}");
}
