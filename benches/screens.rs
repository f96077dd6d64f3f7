//! The sales, inventory and product screens at full client scale, over HTTP as the browser
//! calls them (router, session, JSON, gzip): for each endpoint the first request of the
//! process (nothing kept yet), then the median and p95 of 40 warm requests, then criterion.
//!
//!     make bench-screens     # or: cargo bench --bench screens
//!
//! `FLUXION_BENCH_DIR` may point at any client-scale tenant folder (e.g. a `fluxion demo
//! --scale client` one) instead of generating the chain.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench stops at the line that failed

mod support;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use support::{client_tenant, Server};

/// The busiest product of the first store (the drill-downs' worst case).
fn busiest_product(state: &fluxion::http::AppState) -> String {
    let r = state.warehouse.reader().unwrap();
    r.query_row(
        "SELECT producto_codigo FROM ventas_diarias WHERE ubicacion_id = 'tienda_01' AND fecha >= (SELECT max(fecha) - 30 FROM ventas_diarias) GROUP BY 1 ORDER BY sum(cantidad) DESC LIMIT 1",
        [],
        |x| x.get(0),
    )
    .unwrap()
}

/// The *Dashboard de Red* over the chain's last 30 days of sales (against the 30 before).
fn bi_last_30_days(state: &fluxion::http::AppState) -> String {
    let r = state.warehouse.reader().unwrap();
    let last: chrono::NaiveDate = r.query_row("SELECT max(fecha) FROM ventas_diarias_ubicacion", [], |x| x.get(0)).unwrap();
    format!("/api/bi/stores/network/kpis?fecha_inicio={}&fecha_fin={last}", last - chrono::Duration::days(29))
}

/// What the nightly rebuild adds for the traffic generators (spec 40 §5.1): the last 30 days'
/// distinct tickets per product from the sale lines, ranked and stored, timed; then a
/// suggestion run so the screen's lists have rows.
fn traffic_generator_metrics(state: &fluxion::http::AppState) {
    use fluxion::warehouse::traffic_generators as wt;
    let today = support::end_date() + chrono::Duration::days(1);
    let (from, to) = (today - chrono::Duration::days(30), today - chrono::Duration::days(1));
    let stores: Vec<&str> = state.tenant.stores().iter().filter(|s| s.active && !s.is_cedi()).map(|s| s.id.as_str()).collect();
    let t = Instant::now();
    let (traffic, total) = wt::window_traffic(&state.warehouse.reader().unwrap(), from, to, &stores, &["003760".to_string()]).unwrap();
    let read = t.elapsed().as_secs_f64() * 1000.0;
    let metrics = fluxion::domain::traffic_generators::rank(&traffic, total);
    state.warehouse.write(|c| wt::replace(c, &metrics, total, today, from, to)).unwrap();
    println!(
        "traffic-generator metrics: {} products, {total} tickets; lines read and counted in {read:.0} ms, ranked and stored in {:.0} ms",
        metrics.len(),
        t.elapsed().as_secs_f64() * 1000.0 - read
    );
    let mut app = fluxion::appdb::connect(&state.app_db_path).unwrap();
    use fluxion::products::traffic_generators::{suggest, Origin};
    let run = suggest(&mut app, &state.warehouse, Some("bench"), Origin::Manual).unwrap();
    println!("suggestion run: {} new suggestions in {} ms", run.nuevas_sugerencias, run.ms);
}

fn screens(c: &mut Criterion) {
    let state = client_tenant();
    traffic_generator_metrics(&state);
    let code = busiest_product(&state);
    // `FLUXION_BENCH_WARM=1`: first run serve's start-up warm pass, so the "first" column is
    // what the first person to open each screen after start-up waits for.
    if std::env::var_os("FLUXION_BENCH_WARM").is_some() {
        let t = Instant::now();
        let n = fluxion::jobs::warm_tables(&state, state.tenant.today()).unwrap();
        println!("serve's start-up warm pass: {n} tables in {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    }
    let server = Server::start(&state);
    let endpoints: Vec<(&str, String)> = vec![
        ("ventas_resumen_regional", "/api/ventas/summary-regional".into()),
        ("ventas_detalle", "/api/ventas/detail?ubicacion_id=tienda_01".into()),
        ("ventas_producto_diario", format!("/api/ventas/producto/diario?codigo_producto={code}")),
        ("ventas_producto_horario", format!("/api/ventas/producto/horario?codigo_producto={code}")),
        ("ventas_producto_ultimos_20", format!("/api/ventas/producto/{code}/ultimos-20-dias?ubicacion_id=tienda_01")),
        ("ventas_producto_transacciones", format!("/api/ventas/producto/{code}/transacciones?ubicacion_id=tienda_01")),
        ("ventas_producto_historial", format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01")),
        (
            "ventas_producto_historial_horario",
            format!("/api/productos/{code}/historial-ventas-inventario?ubicacion_id=tienda_01&granularidad=horario"),
        ),
        ("agotados_visuales", "/api/ventas/agotados-visuales/tienda_01".into()),
        ("ventas_perdidas", "/api/ventas/ventas-perdidas-v3/tienda_01".into()),
        ("inventario_salud_regional", "/api/ubicaciones/summary-regional".into()),
        ("stock_tienda", "/api/stock?ubicacion_id=tienda_01".into()),
        ("stock_salud", "/api/stock/health/tienda_01".into()),
        ("analisis_maestro_resumen", "/api/productos/analisis-maestro/resumen?ubicacion_id=tienda_01".into()),
        ("analisis_maestro_lista", "/api/productos/analisis-maestro?ubicacion_id=tienda_01".into()),
        ("producto_360", format!("/api/productos/{code}/detalle-completo")),
        ("stock_excel", "/api/stock/exportar?ubicacion_id=tienda_01&page_size=100000".into()),
        ("bi_dashboard_red", bi_last_30_days(&state)),
        ("bi_tienda_evolucion", "/api/bi/stores/tienda_01/evolution".into()),
        ("bi_tienda_tickets", "/api/bi/stores/tienda_01/ticket-distribution".into()),
        ("bi_tienda_horas", "/api/bi/stores/tienda_01/hourly-heatmap?dias=30".into()),
        ("bi_tienda_categorias", "/api/bi/stores/tienda_01/categories".into()),
        ("bi_comparar_tiendas", "/api/bi/stores/compare-multi?ubicacion_ids=tienda_01,tienda_02,tienda_03,tienda_04,tienda_05".into()),
        ("bi_ranking_tiendas", "/api/bi/stores/sales-ranking".into()),
        ("bi_productos_matriz", "/api/bi/products/matrix".into()),
        ("bi_productos_estrella", "/api/bi/products/stars".into()),
        ("bi_productos_eliminar", "/api/bi/products/eliminate".into()),
        ("bi_rentabilidad_familias", "/api/bi/profitability/by-category".into()),
        ("bi_rentabilidad_top", "/api/bi/profitability/top-products".into()),
        ("bi_ranking_inventario", "/api/bi/stores/ranking?metrica=gmroi".into()),
        ("bi_tienda_kpis", "/api/bi/store/tienda_01/kpis".into()),
        ("producto_historico_clasificacion", format!("/api/productos/{code}/historico-clasificacion")),
        ("stock_cedi", "/api/stock?ubicacion_id=cedi_seco".into()),
        ("bi_abc_red", "/api/bi/products/abc-consolidated".into()),
        ("bi_abc_tienda", "/api/bi/products/abc-consolidated?ubicacion_id=tienda_01".into()),
        ("bi_productos_entre_tiendas", "/api/bi/stores/compare?ubicacion_ids=tienda_01,tienda_02,tienda_03,tienda_04,tienda_05".into()),
        ("bi_cobertura_resumen", "/api/bi/coverage/summary".into()),
        ("bi_cobertura_baja", "/api/bi/coverage/low-coverage-products".into()),
        ("bi_cobertura_atrapado_cedi", "/api/bi/coverage/trapped-in-cedi?umbral=20".into()),
        ("bi_cobertura_huecos", "/api/bi/coverage/store-gaps".into()),
        ("bi_impacto_resumen", "/api/bi/impact/summary".into()),
        ("bi_impacto_tiendas", "/api/bi/impact/by-store".into()),
        ("generadores_resumen", "/api/generadores-trafico/resumen".into()),
        ("generadores_sugeridos", "/api/generadores-trafico/productos".into()),
        ("generadores_todos", "/api/generadores-trafico/productos?tab=todos".into()),
        ("generadores_activos", "/api/generadores-trafico/productos?tab=activos".into()),
        ("generadores_historial", format!("/api/generadores-trafico/historial/{code}")),
    ];
    println!("{:<36} {:>10} {:>10} {:>10} {:>10}", "endpoint", "first ms", "median ms", "p95 ms", "wire kB");
    for (name, path) in &endpoints {
        let t = Instant::now();
        let size = server.get(path);
        let first = t.elapsed().as_secs_f64() * 1000.0;
        let mut ms: Vec<f64> = (0..40)
            .map(|_| {
                let t = Instant::now();
                server.get(path);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        println!("{name:<36} {first:>10.1} {:>10.1} {:>10.1} {:>10.1}", ms[20], ms[37], size as f64 / 1024.0);
    }
    let mut group = c.benchmark_group("pantallas");
    group.sample_size(20);
    for (name, path) in &endpoints {
        group.bench_function(*name, |b| b.iter(|| server.get(path)));
    }
    group.finish();
}

criterion_group!(benches, screens);
criterion_main!(benches);
