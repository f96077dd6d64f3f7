use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::config::{parse_hhmm, Tenant};

fn end_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn tenant_file(scale: Scale) -> TenantFile {
    toml::from_str(&demo_tenant_toml(scale, 8080)).expect("demo tenant.toml parses")
}

fn generate_into(dir: &Path, scale: Scale, seed: u64) -> (Warehouse, GenerateReport) {
    let wh = Warehouse::open(&dir.join("warehouse.duckdb")).unwrap();
    let opts = GenerateOptions { scale, seed, end_date: end_date() };
    let report = generate(&wh, &tenant_file(scale), &opts, &|_, _, _| {}).unwrap();
    (wh, report)
}

fn int(wh: &Warehouse, sql: &str) -> i64 {
    wh.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn float(wh: &Warehouse, sql: &str) -> f64 {
    wh.reader().unwrap().query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn same_seed_same_tables_other_seed_other_tables() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (wa, ra) = generate_into(a.path(), Scale::Tiny, 42);
    let (wb, rb) = generate_into(b.path(), Scale::Tiny, 42);
    let (wc, _) = generate_into(c.path(), Scale::Tiny, 7);
    let (sa, sb, sc) = (checksum(&wa).unwrap(), checksum(&wb).unwrap(), checksum(&wc).unwrap());
    assert_eq!(sa, sb);
    assert_eq!(GenerateReport { seconds: 0.0, ..ra }, GenerateReport { seconds: 0.0, ..rb });
    assert_eq!(sa.len(), FACT_TABLES.len());
    for table in ["productos", "ventas", "inventario_historico"] {
        assert_ne!(sa[table], sc[table], "{table} must change with the seed");
    }
    // Generating again into the same warehouse replaces the facts instead of adding to them.
    generate(&wa, &tenant_file(Scale::Tiny), &GenerateOptions { scale: Scale::Tiny, seed: 42, end_date: end_date() }, &|_, _, _| {})
        .unwrap();
    assert_eq!(checksum(&wa).unwrap(), sa);
}

#[test]
fn tiny_chain_looks_like_a_real_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (wh, report) = generate_into(dir.path(), Scale::Tiny, 42);
    assert!(report.seconds < 30.0, "tiny must be quick: {report:?}");
    assert_eq!(report.sale_lines as i64, int(&wh, "SELECT count(*) FROM ventas"));
    assert_eq!(report.history_rows as i64, int(&wh, "SELECT count(*) FROM inventario_historico"));
    // 2 stores + 1 CEDI, 60 days, 34 loads a day.
    assert_eq!(report.stock_loads, 3 * 60 * 34);
    assert_eq!(report.stock_loads as i64, int(&wh, "SELECT count(*) FROM inventario_cargas"));

    catalogue_is_realistic(&wh);
    weekly_and_payday_profile(&wh);
    tickets_have_several_lines_in_time_order(&wh);
    sales_happen_inside_opening_hours(&wh, &tenant_file(Scale::Tiny));
    stock_outs_have_no_sales(&wh);
    history_is_change_only_with_negatives(&wh);
    current_stock_is_the_last_snapshot(&wh);
    aggregates_match_the_lines(&wh);
}

fn catalogue_is_realistic(wh: &Warehouse) {
    assert_eq!(int(wh, "SELECT count(*) FROM productos"), 300);
    assert_eq!(int(wh, "SELECT count(*) FROM productos WHERE NOT (precio_venta_usd > costo_unitario_usd)"), 0);
    assert_eq!(int(wh, "SELECT count(*) FROM productos WHERE NOT regexp_full_match(codigo, '[0-9]{6}')"), 0);
    assert_eq!(int(wh, "SELECT count(*) FROM productos WHERE codigo = '003760' AND descripcion = 'BOLSA PLASTICA'"), 1);
    let traffic = int(wh, "SELECT count(*) FROM productos WHERE es_generador_trafico");
    assert!((10..=20).contains(&traffic), "traffic generators: {traffic}");
    assert!(int(wh, "SELECT count(DISTINCT categoria) FROM productos") >= 10);
    assert!(int(wh, "SELECT count(*) FROM productos WHERE es_pesable AND unidad_pedido = 'KG'") > 0);
    assert!(int(wh, "SELECT count(*) FROM productos WHERE NOT activo") > 0);
    assert_eq!(int(wh, "SELECT count(*) FROM productos WHERE cedi_origen_id IS DISTINCT FROM 'cedi_seco'"), 0);
    assert_eq!(int(wh, "SELECT count(*) FROM ventas WHERE producto_codigo NOT IN (SELECT codigo FROM productos)"), 0);
    // New products: launched inside the period, sold only from their launch on.
    let new = int(wh, "SELECT count(*) FROM productos WHERE fecha_lanzamiento > DATE '2025-05-01'");
    assert!(new >= 3, "new products: {new}");
    assert!(int(wh, "SELECT count(DISTINCT v.producto_codigo) FROM ventas v JOIN productos p ON p.codigo = v.producto_codigo WHERE p.fecha_lanzamiento IS NOT NULL") > 0);
    assert_eq!(
        int(wh, "SELECT count(*) FROM ventas v JOIN productos p ON p.codigo = v.producto_codigo WHERE v.fecha < p.fecha_lanzamiento"),
        0
    );
    assert_eq!(int(wh, "SELECT count(*) FROM ventas v JOIN productos p ON p.codigo = v.producto_codigo WHERE NOT p.activo"), 0);
    // Weighed goods sell fractional kilograms.
    assert!(int(wh, "SELECT count(*) FROM ventas WHERE unidad_medida_venta = 'KG' AND cantidad_vendida <> round(cantidad_vendida)") > 0);
}

fn weekly_and_payday_profile(wh: &Warehouse) {
    let by_dow = |dow: i32| {
        float(wh, &format!("SELECT avg(u)::DOUBLE FROM (SELECT fecha, sum(cantidad) u FROM ventas_diarias_ubicacion GROUP BY fecha) WHERE dayofweek(fecha) = {dow}"))
    };
    let (saturday, tuesday) = (by_dow(6), by_dow(2));
    assert!(saturday > tuesday * 1.15, "saturday {saturday} vs tuesday {tuesday}");
    let payday = "(day(fecha) IN (1, 15, 16) OR fecha = last_day(fecha))";
    let avg = |cond: &str| {
        float(
            wh,
            &format!(
                "SELECT avg(u)::DOUBLE FROM (SELECT fecha, sum(cantidad) u FROM ventas_diarias_ubicacion GROUP BY fecha) WHERE {cond}"
            ),
        )
    };
    let (paid, other) = (avg(payday), avg(&format!("NOT {payday}")));
    assert!(paid > other * 1.08, "payday {paid} vs other {other}");
}

fn tickets_have_several_lines_in_time_order(wh: &Warehouse) {
    let lines = float(wh, "SELECT avg(n)::DOUBLE FROM (SELECT count(*) n FROM ventas GROUP BY ubicacion_id, numero_factura)");
    assert!((2.5..6.0).contains(&lines), "lines per ticket {lines}");
    assert_eq!(int(wh, "SELECT count(*) FROM ventas WHERE NOT regexp_full_match(numero_factura, 'F[0-9]{2}-[0-9]{9}')"), 0);
    // Lines 1..n, one instant per invoice, invoice numbers increasing with time.
    assert_eq!(int(wh, "SELECT count(*) FROM (SELECT ubicacion_id, numero_factura FROM ventas GROUP BY ALL HAVING max(linea) <> count(*) OR min(linea) <> 1 OR count(DISTINCT fecha_venta) <> 1)"), 0);
    assert_eq!(
        int(wh, "SELECT count(*) FROM (SELECT ubicacion_id, numero_factura, linea FROM ventas GROUP BY ALL HAVING count(*) > 1)"),
        0
    );
    assert_eq!(
        int(
            wh,
            "SELECT count(*) FROM (SELECT fecha_venta < lag(fecha_venta) OVER (PARTITION BY ubicacion_id ORDER BY numero_factura) AS back
                 FROM (SELECT DISTINCT ubicacion_id, numero_factura, fecha_venta FROM ventas)) WHERE back"
        ),
        0
    );
    // Money: totals consistent with quantities, loaded after the sale.
    assert_eq!(int(wh, "SELECT count(*) FROM ventas WHERE abs(costo_total - cantidad_vendida * costo_unitario) > 0.0001"), 0);
    assert_eq!(int(wh, "SELECT count(*) FROM ventas WHERE venta_total > cantidad_vendida * precio_unitario + 0.0001"), 0);
    assert_eq!(
        int(wh, "SELECT count(*) FROM ventas WHERE tasa_usd NOT BETWEEN 35 AND 41 OR cargado_en <= fecha_venta + INTERVAL 4 HOUR"),
        0
    );
}

fn sales_happen_inside_opening_hours(wh: &Warehouse, file: &TenantFile) {
    let mut midnight_store = false;
    for s in file.stores.iter().filter(|s| !s.is_cedi()) {
        let (open, close) = s.hours();
        let (open, close) = (parse_hhmm(&open).unwrap(), parse_hhmm(&close).unwrap());
        let after_close = if close == chrono::NaiveTime::MIN {
            midnight_store = true;
            String::new()
        } else {
            format!(" OR fecha_venta::TIME >= TIME '{close}'")
        };
        let sql =
            format!("SELECT count(*) FROM ventas WHERE ubicacion_id = '{}' AND (fecha_venta::TIME < TIME '{open}'{after_close})", s.id);
        assert_eq!(int(wh, &sql), 0, "{}", s.id);
        assert!(int(wh, &format!("SELECT count(*) FROM ventas WHERE ubicacion_id = '{}'", s.id)) > 1000);
    }
    assert!(midnight_store);
    assert!(int(wh, "SELECT count(*) FROM ventas WHERE hour(fecha_venta) = 23") > 0);
    // Midday and after-work peaks over the early morning.
    let hour = |h: i32| int(wh, &format!("SELECT count(*) FROM ventas WHERE hour(fecha_venta) = {h}"));
    assert!(hour(12) > hour(8) && hour(18) > hour(15), "hourly curve");
}

/// A store × product × day whose stock was ≤ 0 at the 06:00 snapshot and did not change
/// until the next morning was out of stock all day: it has no sale lines that day.
fn stock_outs_have_no_sales(wh: &Warehouse) {
    let sql = "
        WITH days AS (SELECT DISTINCT fecha_snapshot::DATE AS d FROM inventario_cargas),
        keys AS (SELECT DISTINCT ubicacion_id, almacen_codigo, producto_codigo FROM inventario_historico
                 WHERE ubicacion_id LIKE 'tienda%'),
        grid AS (SELECT k.*, days.d, days.d + INTERVAL 6 HOUR AS t0 FROM keys k CROSS JOIN days
                 WHERE days.d < (SELECT max(d) FROM days)),
        at_open AS (SELECT g.*, h.cantidad FROM grid g ASOF JOIN inventario_historico h
                    ON g.ubicacion_id = h.ubicacion_id AND g.almacen_codigo = h.almacen_codigo
                   AND g.producto_codigo = h.producto_codigo AND g.t0 >= h.fecha_snapshot),
        out_all_day AS (SELECT * FROM at_open a WHERE cantidad <= 0 AND NOT EXISTS (
                    SELECT 1 FROM inventario_historico h WHERE h.ubicacion_id = a.ubicacion_id
                       AND h.almacen_codigo = a.almacen_codigo AND h.producto_codigo = a.producto_codigo
                       AND h.fecha_snapshot > a.t0 AND h.fecha_snapshot <= a.t0 + INTERVAL 1 DAY))
        SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ventas v WHERE v.ubicacion_id = o.ubicacion_id
                       AND v.producto_codigo = o.producto_codigo AND v.fecha = o.d))
        FROM out_all_day o";
    let (days_out, with_sales): (i64, i64) = wh.reader().unwrap().query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(days_out >= 50, "stock-out days: {days_out}");
    assert_eq!(with_sales, 0);
}

fn history_is_change_only_with_negatives(wh: &Warehouse) {
    let consecutive_equal = "
        SELECT count(*) FROM (SELECT cantidad, presente, cantidad_cambio,
               lag(cantidad) OVER w AS prev, lag(presente) OVER w AS prev_presente
               FROM inventario_historico
               WINDOW w AS (PARTITION BY ubicacion_id, almacen_codigo, producto_codigo ORDER BY fecha_snapshot))
        WHERE (prev = cantidad AND prev_presente = presente)
           OR (prev IS NULL) <> (cantidad_cambio IS NULL)
           OR cantidad_cambio <> cantidad - prev";
    assert_eq!(int(wh, consecutive_equal), 0);
    assert_eq!(
        int(wh, "SELECT count(*) FROM inventario_historico WHERE NOT presente OR origen <> 'etl' OR etl_execution_id IS NOT NULL"),
        0
    );
    assert!(int(wh, "SELECT count(*) FROM inventario_historico WHERE cantidad < 0") > 0);
    // Snapshots only on the half hours from 06:00 to 22:30.
    assert_eq!(
        int(
            wh,
            "SELECT count(*) FROM inventario_historico WHERE minute(fecha_snapshot) NOT IN (0, 30) OR second(fecha_snapshot) <> 0
                 OR fecha_snapshot::TIME NOT BETWEEN TIME '06:00' AND TIME '22:30'"
        ),
        0
    );
    // Deliveries raise store stock; the CEDI goes down with dispatches and up with receipts.
    assert!(int(wh, "SELECT count(*) FROM inventario_historico WHERE ubicacion_id LIKE 'tienda%' AND cantidad_cambio > 0") > 100);
    assert!(int(wh, "SELECT count(*) FROM inventario_historico WHERE ubicacion_id = 'cedi_seco' AND cantidad_cambio < 0") > 100);
    assert!(int(wh, "SELECT count(*) FROM inventario_historico WHERE ubicacion_id = 'cedi_seco' AND cantidad_cambio > 0") > 10);
}

fn current_stock_is_the_last_snapshot(wh: &Warehouse) {
    assert_eq!(
        int(
            wh,
            "SELECT count(*) FROM inventario_actual a FULL JOIN (
                     SELECT ubicacion_id, almacen_codigo, producto_codigo, arg_max(cantidad, fecha_snapshot) AS c
                     FROM inventario_historico GROUP BY ALL) h USING (ubicacion_id, almacen_codigo, producto_codigo)
                 WHERE a.cantidad IS DISTINCT FROM h.c"
        ),
        0
    );
    assert_eq!(int(wh, "SELECT count(DISTINCT fecha_actualizacion) FROM inventario_actual"), 1);
    assert_eq!(
        int(wh, "SELECT count(*) FROM inventario_actual WHERE fecha_actualizacion <> TIMESTAMP '2025-06-30 22:30:00' OR origen <> 'etl'"),
        0
    );
    assert_eq!(
        int(
            wh,
            "SELECT count(*) FROM inventario_cargas c WHERE c.fecha_snapshot = TIMESTAMP '2025-06-30 22:30:00' AND c.filas <>
                 (SELECT count(*) FROM inventario_actual a WHERE a.ubicacion_id = c.ubicacion_id AND a.almacen_codigo = c.almacen_codigo)"
        ),
        0
    );
}

fn aggregates_match_the_lines(wh: &Warehouse) {
    let raw = "SELECT sum(cantidad_vendida)::VARCHAR || '/' || sum(venta_total)::VARCHAR || '/' || count(*)::VARCHAR FROM ventas";
    let daily = "SELECT sum(cantidad)::VARCHAR || '/' || sum(venta_total)::VARCHAR || '/' || sum(lineas)::VARCHAR FROM ventas_diarias";
    let by_store =
        "SELECT sum(cantidad)::VARCHAR || '/' || sum(venta_total)::VARCHAR || '/' || sum(lineas)::VARCHAR FROM ventas_diarias_ubicacion";
    let get = |sql: &str| wh.reader().unwrap().query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(get(raw), get(daily));
    assert_eq!(get(raw), get(by_store));
}

#[test]
fn demo_tenants_pass_validation() {
    for scale in [Scale::Tiny, Scale::Small, Scale::Client] {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tenant.toml");
        std::fs::write(&config, demo_tenant_toml(scale, 8123)).unwrap();
        let secrets = dir.path().join("secrets.toml");
        std::fs::write(&secrets, format!("[auth]\njwt_secret = \"{}\"\n", "ab".repeat(32))).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let tenant = Tenant::load(&config).unwrap_or_else(|e| panic!("{scale:?}: {e}"));
        let stores = tenant.stores().iter().filter(|s| !s.is_cedi()).count();
        let cedis = tenant.stores().iter().filter(|s| s.is_cedi()).count();
        assert_eq!((stores, cedis), (scale.stores(), scale.cedis()), "{scale:?}");
        assert_eq!(tenant.id(), "demo");
        assert_eq!(tenant.file.server.listen, "127.0.0.1:8123");
        assert!(tenant.stores().iter().any(|s| s.hours() == ("08:00".to_string(), "00:00".to_string())));
        assert!(tenant.stores().iter().any(|s| s.region == "CARACAS"));
        assert_eq!(tenant.stores()[0].default_warehouse(), "T01-PV");
        // With family CEDIs, Caracas is restocked through its own CEDI (inter-CEDI routes).
        let caracas_supplier = tenant.file.regions.iter().find(|r| r.id == "CARACAS").and_then(|r| r.cedi_reposicion.clone());
        let routes: Vec<(String, String)> = tenant.file.routes.iter().map(|r| (r.origin.clone(), r.destination.clone())).collect();
        if scale.family_cedis() > 1 {
            assert_eq!(caracas_supplier.as_deref(), Some("cedi_caracas"), "{scale:?}");
            assert_eq!(routes.len(), scale.family_cedis(), "{scale:?}: one route per family CEDI");
            assert!(routes.iter().all(|(_, d)| d == "cedi_caracas"), "{scale:?}: {routes:?}");
        } else {
            assert_eq!(caracas_supplier.as_deref(), Some("cedi_seco"));
            assert!(routes.is_empty());
        }
    }
}

/// Generates a scale into a temporary warehouse and prints the timing and table sizes.
fn time_scale(scale: Scale) {
    let dir = tempfile::tempdir().unwrap();
    let (wh, report) = generate_into(dir.path(), scale, 42);
    println!("{scale:?}: {report:?}");
    for t in FACT_TABLES {
        println!("  {t:<26} {:>12}", int(&wh, &format!("SELECT count(*) FROM {t}")));
    }
    println!("  active products            {:>12}", int(&wh, "SELECT count(*) FROM productos WHERE activo"));
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn tiny_scale_timing() {
    time_scale(Scale::Tiny);
}

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn small_scale_timing() {
    time_scale(Scale::Small);
}

#[test]
#[ignore = "benchmark (~2 min, several GB of disk): run with --ignored --nocapture"]
fn client_scale_timing() {
    time_scale(Scale::Client);
}
