//! Every load path at the sizes clients have: more than three DuckDB row groups (122,880
//! rows each) in one batch. An import of 125,000 lines once stored nothing and exited 0;
//! these tests assert exact counts in `ventas`, both daily aggregates and the load report,
//! through the real binary where a user would use it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use common::write_tenant;
use fluxion::domain::records::{SaleLine, StockListing};
use fluxion::sources::synthetic::{demo_tenant_toml, Scale};
use fluxion::warehouse::Warehouse;

/// Lines per test batch: a little over three row groups.
const LINES: usize = 400_000;

fn fluxion(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxion")).args(args).env("FLUXION_LOG", "warn").output().expect("binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()
}

/// The i-th line of a deterministic chain: two stores, 60 days, 5 lines per invoice,
/// 400 products; quantity 1..=7 (a return every 97th line).
fn sale(i: usize) -> SaleLine {
    let store = if i.is_multiple_of(2) { "tienda_01" } else { "tienda_02" };
    let n = i / 2;
    let day = first_day() + Duration::days((n * 60 / (LINES / 2)) as i64);
    let qty = if i.is_multiple_of(97) { -1.0 } else { (i % 7 + 1) as f64 };
    SaleLine {
        ubicacion_id: store.into(),
        numero_factura: format!("F{:08}", n / 5),
        linea: (n % 5) as i32 + 1,
        fecha_venta: day.and_hms_opt(8 + (n % 12) as u32, (n % 60) as u32, 0).unwrap(),
        producto_codigo: format!("{:06}", i % 400),
        cantidad_vendida: qty,
        venta_total: qty * 2.5,
        costo_total: Some(qty * 1.5),
        ..SaleLine::default()
    }
}

fn csv_of(lines: impl Iterator<Item = SaleLine>) -> String {
    let mut out = String::from("ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total,costo_total\n");
    for l in lines {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{}",
            l.ubicacion_id,
            l.numero_factura,
            l.linea,
            l.fecha_venta.format("%Y-%m-%d %H:%M:%S"),
            l.producto_codigo,
            l.cantidad_vendida,
            l.venta_total,
            l.costo_total.unwrap_or_default()
        );
    }
    out
}

/// (lines in ventas, Σ lineas of ventas_diarias, Σ lineas of ventas_diarias_ubicacion, Σ units).
fn stored(warehouse: &Path) -> (i64, i64, i64, f64) {
    let wh = Warehouse::open(warehouse).unwrap();
    let r = wh.reader().unwrap();
    r.query_row(
        "SELECT (SELECT count(*) FROM ventas), (SELECT coalesce(sum(lineas), 0) FROM ventas_diarias),
                (SELECT coalesce(sum(lineas), 0) FROM ventas_diarias_ubicacion),
                (SELECT coalesce(sum(cantidad_vendida), 0)::DOUBLE FROM ventas)",
        [],
        |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
    )
    .unwrap()
}

/// The `ventas.csv` row of the import's table: (read, inserted, updated, unchanged).
fn report_row(out: &str, file: &str) -> (usize, usize, usize, usize) {
    let row = out.lines().find(|l| l.starts_with(file)).unwrap_or_else(|| panic!("no {file} row in: {out}"));
    let n: Vec<usize> = row.split_whitespace().skip(1).take(4).map(|x| x.parse().unwrap()).collect();
    (n[0], n[1], n[2], n[3])
}

#[test]
fn an_import_above_three_row_groups_stores_every_line_and_a_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Tiny, 8080));
    let config = config.to_str().unwrap();
    let warehouse = dir.path().join("t/data/warehouse.duckdb");
    let import = dir.path().join("import");
    std::fs::create_dir_all(&import).unwrap();

    // 400,000 distinct lines, plus 25 repeated keys whose later row wins (+1 unit each).
    let repeated = (0..25).map(|k| {
        let mut l = sale(k * 1000 + 1);
        l.cantidad_vendida += 1.0;
        l
    });
    let expected_units: f64 = (0..LINES).map(|i| sale(i).cantidad_vendida).sum::<f64>() + 25.0;
    std::fs::write(import.join("ventas.csv"), csv_of((0..LINES).map(sale).chain(repeated))).unwrap();

    let o = fluxion(&["import", import.to_str().unwrap(), "--config", config, "--date", "2026-11-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(report_row(&text(&o), "ventas.csv"), (LINES + 25, LINES, 0, 0), "{}", text(&o));
    let (lines, daily, by_location, units) = stored(&warehouse);
    assert_eq!((lines, daily, by_location), (LINES as i64, LINES as i64, LINES as i64));
    assert!((units - expected_units).abs() < 1e-6, "units {units} vs {expected_units}: the repeated keys' later rows won");

    // The same file again: every line is compared with the stored one (the merge path, all
    // 400,025 rows staged at once) and nothing changes.
    let o = fluxion(&["import", import.to_str().unwrap(), "--config", config, "--date", "2026-11-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(report_row(&text(&o), "ventas.csv"), (LINES + 25, 0, 0, LINES), "{}", text(&o));
    assert_eq!(stored(&warehouse).0, LINES as i64);

    // 1,000 corrected lines and 130,000 new ones in one file of 400,000 rows.
    let corrected = (0..LINES).map(|i| {
        let mut l = sale(i);
        if i % 400 == 3 {
            l.cantidad_vendida += 10.0;
        }
        l
    });
    let new = (0..130_000).map(|i| {
        let mut l = sale(i);
        l.numero_factura = l.numero_factura.replace('F', "N");
        l
    });
    std::fs::write(import.join("ventas.csv"), csv_of(corrected.take(LINES - 130_000).chain(new))).unwrap();
    let o = fluxion(&["import", import.to_str().unwrap(), "--config", config, "--date", "2026-11-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Changed: the corrected lines, and the 25 repeated keys back to their first values.
    let corrected_n = (0..LINES - 130_000).filter(|i| i % 400 == 3).count();
    let changed = corrected_n + 25;
    assert_eq!(report_row(&text(&o), "ventas.csv"), (LINES, 130_000, changed, LINES - 130_000 - changed), "{}", text(&o));
    let (lines, daily, by_location, units) = stored(&warehouse);
    let total = (LINES + 130_000) as i64;
    assert_eq!((lines, daily, by_location), (total, total, total));
    let new_units: f64 = (0..130_000).map(|i| sale(i).cantidad_vendida).sum();
    assert!((units - (expected_units - 25.0 + new_units + 10.0 * corrected_n as f64)).abs() < 1e-6);
}

#[test]
fn large_product_stock_and_history_files_load_whole() {
    const ROWS: usize = 130_000;
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Tiny, 8080));
    let import = dir.path().join("import");
    std::fs::create_dir_all(&import).unwrap();
    let mut productos = String::from("codigo,descripcion,unidades_por_bulto\n");
    let mut inventario = String::from("ubicacion_id,producto_codigo,cantidad,fecha_actualizacion\n");
    let mut historico = String::from("ubicacion_id,producto_codigo,cantidad,fecha\n");
    for i in 0..ROWS {
        let _ = writeln!(productos, "{i:07},PRODUCTO {i},{}", i % 24 + 1);
        let _ = writeln!(inventario, "tienda_01,{i:07},{},2026-11-01 06:00:00", i % 50);
        let _ = writeln!(historico, "tienda_02,{:07},{},2026-10-{:02} 06:00:00", i % 65_000, i % 9 + 1, i / 65_000 + 1);
    }
    for (name, body) in [("productos.csv", &productos), ("inventario.csv", &inventario), ("inventario_historico.csv", &historico)] {
        std::fs::write(import.join(name), body).unwrap();
    }
    let o = fluxion(&["import", import.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert_eq!(report_row(&out, "productos.csv"), (ROWS, ROWS, 0, 0), "{out}");
    assert_eq!(report_row(&out, "inventario.csv "), (ROWS, ROWS, 0, 0), "{out}");
    // Two snapshots per product; the second differs from the first for 8 of every 9 values.
    let changed_second = (65_000..ROWS).filter(|i| i % 9 != (i - 65_000) % 9).count();
    assert_eq!(report_row(&out, "inventario_historico.csv"), (ROWS, 65_000 + changed_second, 0, ROWS - 65_000 - changed_second), "{out}");

    let wh = Warehouse::open(&dir.path().join("t/data/warehouse.duckdb")).unwrap();
    let r = wh.reader().unwrap();
    let counts: (i64, i64, i64, i64) = r
        .query_row(
            "SELECT (SELECT count(*) FROM productos), (SELECT count(*) FROM inventario_actual WHERE ubicacion_id = 'tienda_01'),
                    (SELECT count(*) FROM inventario_historico WHERE ubicacion_id = 'tienda_01'),
                    (SELECT count(*) FROM inventario_historico WHERE ubicacion_id = 'tienda_02')",
            [],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
        )
        .unwrap();
    assert_eq!(counts, (ROWS as i64, ROWS as i64, ROWS as i64, (65_000 + changed_second) as i64));
}

/// The ETL's loader (hourly windows and backfill groups share it) with one batch of
/// 400,000 lines of one store: first all new, then the same batch with corrections, which
/// stages and compares every line.
#[test]
fn the_etl_loader_takes_a_batch_above_three_row_groups() {
    use fluxion::etl::load::{load_sales_window, load_stock_listing};
    let dir = tempfile::tempdir().unwrap();
    let wh = Warehouse::open(&dir.path().join("warehouse.duckdb")).unwrap();
    let now = NaiveDateTime::parse_from_str("2026-11-02 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let mut lines: Vec<SaleLine> = (0..LINES)
        .map(|i| {
            let mut l = sale(i);
            l.ubicacion_id = "tienda_01".into();
            l.numero_factura = format!("F{:08}", i / 5);
            l.linea = (i % 5) as i32 + 1;
            l
        })
        .collect();
    let loaded = wh.write(|c| load_sales_window(c, &lines, &[], 1, now, &[])).unwrap();
    assert_eq!((loaded.counts.inserted, loaded.counts.updated, loaded.counts.unchanged), (LINES, 0, 0));
    for l in lines.iter_mut().step_by(1000) {
        l.cantidad_vendida += 1.0;
    }
    let loaded = wh.write(|c| load_sales_window(c, &lines, &[], 2, now, &[])).unwrap();
    assert_eq!((loaded.counts.inserted, loaded.counts.updated, loaded.counts.unchanged), (0, LINES / 1000, LINES - LINES / 1000));
    let r = wh.reader().unwrap();
    let (n, daily, by_location, units): (i64, i64, i64, f64) = r
        .query_row(
            "SELECT (SELECT count(*) FROM ventas), (SELECT sum(lineas) FROM ventas_diarias),
                    (SELECT sum(lineas) FROM ventas_diarias_ubicacion), (SELECT sum(cantidad)::DOUBLE FROM ventas_diarias)",
            [],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
        )
        .unwrap();
    assert_eq!((n, daily, by_location), (LINES as i64, LINES as i64, LINES as i64));
    let expected: f64 = lines.iter().map(|l| l.cantidad_vendida).sum();
    assert!((units - expected).abs() < 1e-6);
    drop(r);

    // A warehouse listing of 400,000 rows, then the same listing with 1,000 changes.
    let mut listing = StockListing {
        ubicacion_id: "cedi_seco".into(),
        almacen_codigo: "SECO-PR".into(),
        fecha_snapshot: now,
        rows: (0..LINES).map(|i| (format!("{i:07}"), (i % 40) as f64)).collect(),
    };
    let (_, s) = wh.write(|c| load_stock_listing(c, &listing, &[], "klk", 3, now)).unwrap();
    assert_eq!((s.read, s.inserted), (LINES, LINES));
    listing.fecha_snapshot = now + Duration::minutes(30);
    for row in listing.rows.iter_mut().step_by(400) {
        row.1 += 1.0;
    }
    let (_, s) = wh.write(|c| load_stock_listing(c, &listing, &[], "klk", 4, now)).unwrap();
    assert_eq!((s.updated, s.unchanged), (LINES / 400, LINES - LINES / 400));
    let r = wh.reader().unwrap();
    let (current, history, listed): (i64, i64, i64) = r
        .query_row(
            "SELECT (SELECT count(*) FROM inventario_actual), (SELECT count(*) FROM inventario_historico),
                    (SELECT max(filas) FROM inventario_cargas)",
            [],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
        )
        .unwrap();
    assert_eq!((current, history, listed), (LINES as i64, (LINES + LINES / 400) as i64, LINES as i64));
}

/// `fluxion generate` writes millions of rows in one transaction: what it reports is what
/// the tables hold.
#[test]
fn generate_reports_exactly_what_the_warehouse_holds() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Small, 8080));
    let o = fluxion(&["generate", "--scale", "small", "--seed", "3", "--end-date", "2026-11-25", "--config", config.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    let reported: i64 = out
        .split("productos, ")
        .nth(1)
        .and_then(|rest| rest.split(" líneas de venta").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no line count in: {out}"));
    assert!(reported > 3 * 122_880, "the small chain is above three row groups: {reported}");
    let (lines, daily, by_location, _) = stored(&dir.path().join("t/data/warehouse.duckdb"));
    assert_eq!((lines, daily, by_location), (reported, reported, reported));
}

/// `make bench-import`: a client's onboarding export (20 stores, 180 days, 5,000 products,
/// 4.4 M sale lines in one `ventas.csv`) imported by the real binary into a fresh tenant.
/// The file is written once under `~/.cache/fluxion-bench/import` (`FLUXION_BENCH_DIR`
/// overrides the parent). Prints the import's own table (seconds and lines per second).
#[test]
#[ignore = "benchmark: make bench-import"]
fn bench_import_csv() {
    const STORES: usize = 20;
    const DAYS: usize = 180;
    const PER_STORE_DAY: usize = 1_222; // 20 × 180 × 1,222 ≈ 4.4 M
    let base = std::env::var_os("FLUXION_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/fluxion-bench"));
    let folder = base.join("import");
    let csv = folder.join("ventas.csv");
    if !csv.exists() {
        std::fs::create_dir_all(&folder).unwrap();
        let mut out = std::io::BufWriter::new(std::fs::File::create(folder.join("ventas.tmp")).unwrap());
        use std::io::Write;
        writeln!(
            out,
            "ubicacion_id,numero_factura,linea,fecha_venta,producto_codigo,cantidad_vendida,venta_total,costo_total,almacen_codigo"
        )
        .unwrap();
        let mut n = 0u64;
        for day in 0..DAYS {
            let date = first_day() + Duration::days(day as i64);
            for store in 1..=STORES {
                for k in 0..PER_STORE_DAY {
                    n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let product = (n >> 33) % 5_000;
                    let qty = ((n >> 20) % 7 + 1) as f64 * if (n >> 12).is_multiple_of(90) { -1.0 } else { 1.0 };
                    let seq = day * PER_STORE_DAY + k;
                    let invoice = seq / 4;
                    writeln!(
                        out,
                        "tienda_{store:02},{store:02}-{invoice:09},{},{} {:02}:{:02}:{:02},{product:06},{qty:.3},{:.4},{:.4},T{store:02}-PV",
                        seq % 4 + 1,
                        date,
                        7 + k * 14 / PER_STORE_DAY,
                        k % 60,
                        (k * 7) % 60,
                        qty * 1.85,
                        qty * 1.2
                    )
                    .unwrap();
                }
            }
        }
        out.flush().unwrap();
        drop(out);
        std::fs::rename(folder.join("ventas.tmp"), &csv).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_tenant(&dir.path().join("t"), &demo_tenant_toml(Scale::Client, 8080));
    let started = std::time::Instant::now();
    // `FLUXION_LOG=fluxion=debug make bench-import` shows each step of the load.
    let o = Command::new(env!("CARGO_BIN_EXE_fluxion"))
        .args(["import", folder.to_str().unwrap(), "--config", config.to_str().unwrap(), "--date", "2027-03-01"])
        .env("FLUXION_LOG", std::env::var("FLUXION_LOG").unwrap_or_else(|_| "warn".into()))
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("binary runs");
    let wall = started.elapsed().as_secs_f64();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    println!("{}", String::from_utf8_lossy(&o.stdout));
    let expected = (STORES * DAYS * PER_STORE_DAY) as i64;
    let (lines, daily, by_location, _) = stored(&dir.path().join("t/data/warehouse.duckdb"));
    assert_eq!((lines, daily, by_location), (expected, expected, expected));
    println!("fluxion import, whole process (open, read, load, caches for the date): {wall:.1} s for {expected} lines");
}
