//! Multi-store distribution at full client scale, over HTTP as the wizard calls it: the
//! batch calculation of one CEDI and every store it supplies (first request, then warm), and
//! the batch save of one draft per store with every suggested line.
//!
//!     cargo bench --bench distribution
//!
//! `FLUXION_BENCH_DIR` may point at any client-scale tenant folder (see benches/support).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench stops at the line that failed

mod support;

use std::time::Instant;

use serde_json::{json, Value};
use support::{client_tenant, end_date, Server};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One draft per store of a `tabla` answer: each row ordered at `packs_of(row)` packs (rows at
/// 0 left out), and how many lines that makes.
fn drafts(calc: &Value, code: usize, mut packs_of: impl FnMut(&Value) -> u64) -> (Vec<Value>, usize) {
    let pedidos: Vec<Value> = calc["pedidos_por_tienda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let productos: Vec<Value> = p["filas"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| {
                    let n = packs_of(r);
                    (n > 0).then(|| json!({"codigo_producto": r[code], "cantidad_pedida_bultos": n, "incluido": true}))
                })
                .collect();
            json!({"tienda_destino_id": p["tienda_id"], "productos": productos})
        })
        .collect();
    let lines = pedidos.iter().map(|p| p["productos"].as_array().unwrap().len()).sum();
    (pedidos, lines)
}

/// The 2 s target is for a batch of ≈ 8,000 lines per store. The client chain's CEDIs
/// hold few packs of most products, so the server (rightly) refuses most packs beyond the
/// engine's suggestion; here a copy of the chain whose CEDI holds 1,000 packs of every active
/// product saves every candidate line of every store at one pack or more.
fn every_candidate_from_a_stocked_cedi(state: &fluxion::http::AppState, cedi: &str, calc_body: &Value) {
    let dir = support::bench_dir().with_file_name("client-stocked-cedi");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let source = support::bench_dir();
    for f in ["tenant.toml", "secrets.toml"] {
        std::fs::copy(source.join(f), dir.join(f)).unwrap();
    }
    state.warehouse.checkpoint().unwrap();
    std::fs::copy(state.warehouse.path(), dir.join("data/warehouse.duckdb")).unwrap();
    let stocked = fluxion::app::open(fluxion::config::Tenant::load(&dir.join("tenant.toml")).unwrap()).unwrap();
    stocked
        .warehouse
        .write(|w| {
            w.execute(
                "CREATE TEMP TABLE almacen AS SELECT coalesce(min(almacen_codigo), 'PRINCIPAL') a FROM inventario_actual WHERE ubicacion_id = ?",
                [cedi],
            )?;
            w.execute("DELETE FROM inventario_actual WHERE ubicacion_id = ?", [cedi])?;
            w.execute(
                "INSERT INTO inventario_actual SELECT ?, (SELECT a FROM almacen), codigo, 1000 * greatest(unidades_por_bulto, 1),
                        now()::TIMESTAMP, 'archivo' FROM productos_v WHERE activo",
                [cedi],
            )?;
            w.execute_batch("DROP TABLE almacen")
        })
        .unwrap();
    let server = Server::start(&stocked);
    let (_, every) = server.post("/api/pedidos-multitienda/calcular", calc_body, false);
    let cols: Vec<String> = serde_json::from_value(every["pedidos_por_tienda"][0]["columnas"].clone()).unwrap();
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let (code, packs) = (at("codigo_producto"), at("cantidad_bultos"));
    let (pedidos, lines) = drafts(&every, code, |r| r[packs].as_u64().unwrap().max(1));
    let save = json!({"cedi_origen_id": cedi, "fecha_pedido": calc_body["fecha"], "pedidos": pedidos});
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let (_, answer) = server.post("/api/pedidos-multitienda/guardar-lote", &save, false);
            assert_eq!(answer["success"], true, "the stocked batch must save: {answer}");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "batch save of {} orders, {lines} lines (every candidate, CEDI stocked with 1,000 packs of each product): median {:.0} ms",
        pedidos.len(),
        median(runs)
    );
    drop(server);
    drop(stocked);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // `FLUXION_LOG=fluxion::replenishment=debug` shows where a calculation spends its time.
    if let Ok(filter) = std::env::var("FLUXION_LOG") {
        tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_writer(std::io::stderr).compact().init();
    }
    let state = client_tenant();
    let server = Server::start(&state);
    let cedi = "cedi_seco";
    let stores = fluxion::distribution::stores_of_cedi(&state.tenant, cedi).unwrap();
    let fecha = (end_date() + chrono::Duration::days(1)).to_string();
    let destinos: Vec<Value> = stores.iter().map(|s| json!({"tienda_id": s.id})).collect();
    let body = json!({"cedi_origen": cedi, "tiendas_destino": destinos, "fecha": fecha, "formato": "tabla"});

    let t = Instant::now();
    let (wire, _) = server.post("/api/pedidos-multitienda/calcular", &body, true);
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let warm: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            server.post("/api/pedidos-multitienda/calcular", &body, true);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let (_, calc) = server.post("/api/pedidos-multitienda/calcular", &body, false);
    let lines: usize = calc["pedidos_por_tienda"].as_array().unwrap().iter().map(|p| p["filas"].as_array().unwrap().len()).sum();
    println!(
        "multi-store calculation, {} stores: first {first:.0} ms, warm median {:.0} ms; {} conflicts, {lines} lines, {:.0} kB on the wire",
        stores.len(),
        median(warm),
        calc["resumen"]["total_conflictos"],
        wire as f64 / 1024.0
    );

    // One draft per store with every suggested line, at the DPD+U packs.
    let cols: Vec<String> = serde_json::from_value(calc["pedidos_por_tienda"][0]["columnas"].clone()).unwrap();
    let at = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let (code, packs, suggested) = (at("codigo_producto"), at("cantidad_bultos"), at("es_sugerido"));
    let (pedidos, saved_lines) = drafts(&calc, code, |r| if r[suggested].as_bool().unwrap() { r[packs].as_u64().unwrap() } else { 0 });
    let save = json!({"cedi_origen_id": cedi, "fecha_pedido": fecha, "pedidos": pedidos});
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            server.post("/api/pedidos-multitienda/guardar-lote", &save, true);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "batch save of {} orders, {saved_lines} lines (recomputed and checked by the server): median {:.0} ms",
        stores.len(),
        median(runs)
    );
    // The worst case: every candidate line of every store ordered (≈ 8–10 k per store):
    // at least one pack of each, as long as the CEDI holds the packs added beyond the engine's
    // (the server refuses more, §2.9).
    let mut all = body.clone();
    all["todos"] = json!(true);
    let (_, every) = server.post("/api/pedidos-multitienda/calcular", &all, false);
    let (stock, upb) = (at("stock_cedi_origen"), at("unidades_por_bulto"));
    let mut spare: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    for p in every["pedidos_por_tienda"].as_array().unwrap() {
        for r in p["filas"].as_array().unwrap() {
            let held = (r[stock].as_f64().unwrap().max(0.0) / r[upb].as_f64().unwrap().max(1.0) + 1e-9).floor() as u64;
            let e = spare.entry(r[code].as_str().unwrap().to_string()).or_insert(held);
            *e = e.saturating_sub(r[packs].as_u64().unwrap());
        }
    }
    let (pedidos, big_lines) = drafts(&every, code, |r| {
        let engine = r[packs].as_u64().unwrap();
        let left = spare.get_mut(r[code].as_str().unwrap()).unwrap();
        if engine == 0 && !r[at("es_conflicto")].as_bool().unwrap() && *left > 0 {
            *left -= 1;
            1
        } else {
            engine
        }
    });
    let big = json!({"cedi_origen_id": cedi, "fecha_pedido": fecha, "pedidos": pedidos});
    let runs: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            server.post("/api/pedidos-multitienda/guardar-lote", &big, true);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!("batch save of {} orders, {big_lines} lines (every candidate): median {:.0} ms", stores.len(), median(runs));
    every_candidate_from_a_stocked_cedi(&state, cedi, &all);

    // Inter-CEDI: the demo chain has no receiving CEDI, so the worst case is measured on a
    // route declared here, into CEDI Seco from CEDI Frío: its region's 18 stores' demand.
    let mut tenant = (*state.tenant).clone();
    tenant.file.routes.push(fluxion::config::RouteFile {
        origin: "cedi_frio".into(),
        destination: "cedi_seco".into(),
        active: true,
        lead_time_dias: None,
        frecuencia_viajes: None,
        dias_cobertura_a: None,
        dias_cobertura_b: None,
        dias_cobertura_c: None,
        dias_cobertura_d: None,
        dias_cobertura_congelados: None,
    });
    let req = fluxion::distribution::inter_cedi::Request {
        origen: "cedi_frio".into(),
        destino: "cedi_seco".into(),
        fecha: end_date() + chrono::Duration::days(1),
        ajustes: None,
    };
    let app = fluxion::appdb::connect(&state.app_db_path).unwrap();
    let runs: Vec<(f64, usize, usize)> = (0..6)
        .map(|_| {
            let t = Instant::now();
            let c = fluxion::distribution::inter_cedi::calculate(&tenant, &app, &state.warehouse, &req).unwrap();
            let bytes = serde_json::to_vec(&c).unwrap().len();
            (t.elapsed().as_secs_f64() * 1000.0, c.total_productos, bytes)
        })
        .collect();
    println!(
        "inter-CEDI calculation, {} products from 18 stores' demand (with its JSON, {} kB): first {:.0} ms, median {:.0} ms",
        runs[0].1,
        runs[0].2 / 1024,
        runs[0].0,
        median(runs.iter().map(|r| r.0).collect())
    );

    // Saving that inter-CEDI order as a draft (the server recomputes the route and snapshots
    // every suggested line), then reading it back and listing the orders.
    let calc = fluxion::distribution::inter_cedi::calculate(&tenant, &app, &state.warehouse, &req).unwrap();
    let productos: Vec<fluxion::distribution::inter_cedi_orders::Choice> = calc
        .productos
        .iter()
        .filter(|l| l.cantidad_sugerida_bultos > 0)
        .map(|l| {
            serde_json::from_value(json!({"codigo_producto": l.codigo_producto, "cantidad_pedida_bultos": l.cantidad_sugerida_bultos}))
                .unwrap()
        })
        .collect();
    let draft = fluxion::distribution::inter_cedi_orders::Draft {
        origen: req.origen.clone(),
        destino: req.destino.clone(),
        fecha: req.fecha,
        ajustes: None,
        frecuencia_viajes_dias: None,
        prioridad: None,
        observaciones: None,
        notas_logistica: None,
        productos,
    };
    let mut ids = Vec::new();
    let saves: Vec<f64> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let c = fluxion::distribution::inter_cedi_orders::save(&tenant, &app, &state.warehouse, &draft, "bench", false).unwrap();
            ids.push(c.id);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let reads: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            let o = fluxion::appdb::inter_cedi_orders::get(&app, &ids[0]).unwrap().unwrap();
            let _ = serde_json::to_vec(&o).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let lists: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            let f = fluxion::appdb::inter_cedi_orders::ListFilter { limit: 50, ..Default::default() };
            fluxion::appdb::inter_cedi_orders::list(&app, &f, chrono::Utc::now()).unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "inter-CEDI draft of {} lines: save median {:.0} ms (calculation included); read back median {:.1} ms; list median {:.1} ms",
        draft.productos.len(),
        median(saves),
        median(reads),
        median(lists)
    );

    // The benchmark's orders are not kept in the bench tenant.
    let conn = state.app_db.lock().unwrap();
    conn.execute_batch(
        "DELETE FROM distribucion_dpdu_log; DELETE FROM pedidos_sugeridos WHERE grupo_pedido_id IS NOT NULL; DELETE FROM pedidos_inter_cedi;",
    )
    .unwrap();
}
