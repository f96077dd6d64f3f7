//! Idempotency of the ETL loads (spec 20 §6.6): the same window loaded twice leaves
//! identical tables; overlapping windows never double a line; inventory reloads of the same
//! snapshot are no-ops.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test stops at the line that failed

#[path = "etl_support/mod.rs"]
mod support;

use fluxion::etl::{EtlJob, RunKind};
use support::*;

const TABLES: &[&str] = &[
    "SELECT * FROM ventas ORDER BY ubicacion_id, numero_factura, linea",
    // The integer id is a surrogate whose value depends on load history; what must hold is
    // that it names the row's own code.
    "SELECT d.* EXCLUDE (producto_id), i.codigo = d.producto_codigo AS id_names_the_code
     FROM ventas_diarias d LEFT JOIN producto_ids i ON i.id = d.producto_id
     ORDER BY d.ubicacion_id, d.producto_codigo, d.fecha",
    "SELECT * FROM ventas_diarias_ubicacion ORDER BY ubicacion_id, fecha",
    "SELECT * FROM productos ORDER BY codigo",
    "SELECT * FROM inventario_actual ORDER BY ubicacion_id, almacen_codigo, producto_codigo",
    "SELECT * FROM inventario_historico ORDER BY ubicacion_id, almacen_codigo, producto_codigo, fecha_snapshot",
    "SELECT * FROM inventario_cargas ORDER BY ubicacion_id, almacen_codigo, fecha_snapshot",
];

async fn sales(env: &Env) -> fluxion::etl::RunReport {
    env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((day("2025-11-17"), day("2025-11-17")))).await
}

async fn inv(env: &Env) -> fluxion::etl::RunReport {
    env.run(EtlJob::Inventario, RunKind::Manual, |q| q.now = Some(utc("2025-11-17T14:30:02Z"))).await
}

fn snapshot(env: &Env) -> Vec<Vec<Vec<String>>> {
    TABLES.iter().map(|q| env.dump(q)).collect()
}

#[tokio::test]
async fn the_same_window_loaded_twice_leaves_identical_tables() {
    let klk = spawn_klk().await;
    let mut items = day_of_sales("A", "2025-11-17", 3000, "APP-TPF");
    // The API repeats some lines inside one response.
    let repeated: Vec<_> = items.iter().step_by(97).cloned().collect();
    items.extend(repeated);
    klk.state.set_sales("SUC001", items);
    klk.state.set_sales("SUC007", day_of_sales("B", "2025-11-17", 1500, "TAVBOL"));
    klk.state.set_articles("APP-TPF", catalogue(800, 1));
    klk.state.set_articles("TAVBOL", catalogue(700, 2));
    klk.state.set_articles("PCDICS", catalogue(900, 3));
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 2, ""), "", fast_options()).await;

    let r1 = sales(&env).await;
    assert_eq!(r1.status, "success");
    let i1 = inv(&env).await;
    assert_eq!(i1.status, "success");
    let first = snapshot(&env);
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 4500);
    assert_eq!(r1.location("tienda_01").unwrap().outcome.duplicates_skipped, 31);

    let r2 = sales(&env).await;
    let i2 = inv(&env).await;
    assert_eq!((r2.status.as_str(), i2.status.as_str()), ("success", "success"));
    let o = &r2.location("tienda_01").unwrap().outcome;
    assert_eq!((o.records_inserted, o.records_updated, o.records_unchanged), (0, 0, 3000));
    for (i, (a, b)) in snapshot(&env).iter().zip(first.iter()).enumerate() {
        assert!(a == b, "a second load of the same window and snapshot changed: {}", TABLES[i]);
    }
}

#[tokio::test]
async fn overlapping_windows_never_double_a_line() {
    let klk = spawn_klk().await;
    let items = day_of_sales("A", "2025-11-17", 1400, "APP-TPF");
    klk.state.set_sales("SUC001", items.clone());
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    // Hourly runs 09:00 … 22:00 local (each window overlaps the previous by 30–90 min).
    for h in 9..=22 {
        let now = if h + 4 >= 24 {
            utc(&format!("2025-11-18T{:02}:00:05Z", h + 4 - 24))
        } else {
            utc(&format!("2025-11-17T{:02}:00:05Z", h + 4))
        };
        let r = env.run(EtlJob::Ventas, RunKind::Scheduled, |q| q.now = Some(now)).await;
        assert_eq!(r.status, "success", "{h}h {:?}", r.locations);
    }
    // Lines sold 07:00–08:59 precede the first window: the nightly recovery brings them.
    let before_recovery = env.count("SELECT count(*) FROM ventas");
    assert!(before_recovery < 1400);
    let r = env.run(EtlJob::Ventas, RunKind::Recovery, |q| q.now = Some(utc("2025-11-18T07:00:00Z"))).await;
    assert_eq!(r.status, "success");
    assert_eq!(env.count("SELECT count(*) FROM ventas"), 1400);
    assert_eq!(env.count("SELECT count(*) FROM (SELECT DISTINCT ubicacion_id, numero_factura, linea FROM ventas)"), 1400);
    assert_eq!(env.count("SELECT sum(lineas) FROM ventas_diarias_ubicacion"), 1400);
    assert_eq!(env.count("SELECT sum(lineas) FROM ventas_diarias"), 1400);
    let expected: f64 = items.iter().map(|i| i["financiero"][0]["venta_total_usd"].as_f64().unwrap()).sum();
    let stored: f64 = env
        .state
        .warehouse
        .reader()
        .unwrap()
        .query_row("SELECT sum(venta_total)::DOUBLE FROM ventas_diarias_ubicacion", [], |r| r.get(0))
        .unwrap();
    assert!((stored - expected).abs() < 0.01, "{stored} vs {expected}");
    // Another recovery of the same days: nothing changes.
    let before = snapshot(&env);
    env.run(EtlJob::Ventas, RunKind::Recovery, |q| q.now = Some(utc("2025-11-18T07:10:00Z"))).await;
    for (i, (a, b)) in snapshot(&env).iter().zip(before.iter()).enumerate() {
        assert!(a == b, "a second recovery changed {}", TABLES[i]);
    }
}

/// A window whose invoice range is empty goes straight into `ventas`; one that overlaps
/// stored lines is merged. Both paths must leave the same tables.
#[test]
fn a_new_window_appended_directly_equals_the_same_window_merged() {
    use fluxion::domain::records::SaleLine;
    use fluxion::etl::load::load_sales_window;
    use fluxion::warehouse::Warehouse;
    let now = chrono::NaiveDateTime::parse_from_str("2025-11-18 04:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let lines: Vec<SaleLine> = (0..500)
        .map(|i| SaleLine {
            ubicacion_id: "tienda_01".into(),
            numero_factura: format!("F-{:06}", i / 3),
            linea: (i % 3) + 1,
            fecha_venta: day("2025-11-17").and_hms_opt(8 + (i as u32 % 12), (i as u32 * 7) % 60, 0).unwrap(),
            producto_codigo: format!("P{:03}", i % 40),
            cantidad_vendida: 1.0 + f64::from(i % 4),
            venta_total: 2.5 * f64::from(i % 9 + 1),
            costo_total: Some(1.25 * f64::from(i % 9 + 1)),
            ..SaleLine::default()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let direct = Warehouse::open(&dir.path().join("a.duckdb")).unwrap();
    let merged = Warehouse::open(&dir.path().join("b.duckdb")).unwrap();
    let all = direct.write(|c| load_sales_window(c, &lines, &[], 7, now, &[])).unwrap();
    assert_eq!((all.counts.inserted, all.counts.unchanged), (500, 0));
    // The second warehouse first holds one line of the range, so the full window is merged.
    merged.write(|c| load_sales_window(c, &lines[250..251], &[], 7, now, &[])).unwrap();
    let rest = merged.write(|c| load_sales_window(c, &lines, &[], 7, now, &[])).unwrap();
    assert_eq!((rest.counts.inserted, rest.counts.unchanged), (499, 1));
    for q in &TABLES[..4] {
        let dump = |wh: &Warehouse| -> Vec<String> {
            let r = wh.reader().unwrap();
            let mut stmt = r.prepare(q).unwrap();
            let rows = stmt
                .query_map([], |row| {
                    let cols = row.as_ref().column_count();
                    Ok((0..cols).map(|i| format!("{:?}", row.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap();
            rows.map(Result::unwrap).collect()
        };
        assert_eq!(dump(&direct), dump(&merged), "{q}");
    }
}

/// Tables compared between two load histories: everything but the bookkeeping of when and
/// by which run a row was written.
const CONTENT: &[&str] = &[
    "SELECT * EXCLUDE (cargado_en, actualizado_en, etl_execution_id) FROM ventas ORDER BY ubicacion_id, numero_factura, linea",
    "SELECT * EXCLUDE (producto_id) FROM ventas_diarias ORDER BY ubicacion_id, producto_codigo, fecha",
    "SELECT * FROM ventas_diarias_ubicacion ORDER BY ubicacion_id, fecha",
    "SELECT * EXCLUDE (primera_vez_visto, actualizado_en) FROM productos ORDER BY codigo",
];

#[tokio::test]
async fn a_backfill_loading_days_together_matches_loading_them_one_by_one() {
    // A backfill loads consecutive whole days of a store in one transaction. The result must
    // be the one of loading each day on its own: a key repeated on a later day replaces the
    // earlier line, and a line voided since its first load is reconciled away.
    days_together_match_days_one_by_one(fast_options(), 1).await;
}

#[tokio::test]
async fn a_backfill_split_into_several_groups_matches_loading_days_one_by_one() {
    // Groups of at most two 700-line days: the 15th and 16th load together, the 17th alone
    // (its re-issued line then replaces the stored one instead of being a duplicate).
    let options = fluxion::etl::EtlOptions { load_group_lines: 1_000, ..fast_options() };
    days_together_match_days_one_by_one(options, 0).await;
}

async fn days_together_match_days_one_by_one(options: fluxion::etl::EtlOptions, duplicates: u64) {
    let klk = spawn_klk().await;
    let days = ["2025-11-15", "2025-11-16", "2025-11-17"];
    let mut items: Vec<_> = days.iter().flat_map(|d| day_of_sales(&format!("A{}", &d[8..]), d, 700, "APP-TPF")).collect();
    let voided = sale_item("V-00000001", 1, "2025-11-16", "12:00:00.0000000", "000042", 2.0, 3.5, "APP-TPF");
    items.push(voided);
    klk.state.set_sales("SUC001", items.clone());
    let together = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", options).await;
    let one_by_one = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    for env in [&together, &one_by_one] {
        assert_eq!(backfill(env, "2025-11-16", "2025-11-16").await.status, "success");
        assert_eq!(env.count("SELECT count(*) FROM ventas WHERE numero_factura = 'V-00000001'"), 1);
    }

    // Since then: the line was voided, and an invoice line of the 15th was re-issued on the 17th.
    items.pop();
    let mut reissued = items[10].clone();
    reissued["fecha"] = "2025-11-17".into();
    reissued["fecha_hora_completa"] = "2025-11-17T20:00:00".into();
    reissued["hora"] = "20:00:00.0000000".into();
    items.push(reissued);
    klk.state.set_sales("SUC001", items);

    let r = backfill(&together, days[0], days[2]).await;
    assert_eq!(r.status, "success", "{:?}", r.locations);
    let o = &r.location("tienda_01").unwrap().outcome;
    assert_eq!(o.duplicates_skipped, duplicates, "a line re-issued within one group is counted once");
    for d in days {
        assert_eq!(backfill(&one_by_one, d, d).await.status, "success");
    }

    assert_eq!(together.count("SELECT count(*) FROM ventas WHERE numero_factura = 'V-00000001'"), 0, "voided line reconciled");
    assert_eq!(together.count("SELECT count(*) FROM ventas"), 3 * 700);
    let key = items_key(&together);
    assert_eq!(key, "2025-11-17", "the later occurrence of a repeated key wins");
    for q in CONTENT {
        assert_eq!(together.dump(q), one_by_one.dump(q), "loading the days together differs from one by one: {q}");
    }
}

/// Day of the re-issued line (the 11th line of the 15th).
fn items_key(env: &Env) -> String {
    env.dump("SELECT fecha::VARCHAR FROM ventas WHERE numero_factura = 'A15-00000004' AND linea = 2")[0][0].clone()
}

async fn backfill(env: &Env, from: &str, to: &str) -> fluxion::etl::RunReport {
    let (from, to) = (day(from), day(to));
    env.run(EtlJob::Ventas, RunKind::Backfill, |q| {
        q.range = Some((from, to));
        q.now = Some(utc("2025-11-18T12:00:00Z"));
    })
    .await
}

/// A backfill group above one DuckDB row group (122,880 lines) through the whole pipeline
/// and HTTP (a `--from/--to` range loads consecutive days as a backfill does): 3 days × 45,000 lines of one store land in one transaction; the same range
/// again (a re-sync) stages and compares all 135,000 lines and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_group_above_a_row_group_loads_every_line_and_resyncs_to_no_change() {
    const PER_DAY: usize = 45_000;
    let klk = spawn_klk().await;
    let first = day("2025-11-01");
    for k in 0..3 {
        let d = first + chrono::Duration::days(k);
        klk.state.add_sales("SUC001", day_of_sales(&format!("B{k}"), &d.to_string(), PER_DAY, "APP-TPF"));
    }
    let env = open_env(&klk_tenant_toml(&klk.base_url(), 1, ""), "", fast_options()).await;
    let last = first + chrono::Duration::days(2);
    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((first, last))).await;
    assert_eq!(r.status, "success");
    let loaded = r.location("tienda_01").expect("tienda_01 ran");
    assert_eq!(loaded.outcome.records_inserted as usize, 3 * PER_DAY);
    let expected = (3 * PER_DAY) as i64;
    assert_eq!(env.count("SELECT count(*) FROM ventas"), expected);
    assert_eq!(env.count("SELECT sum(lineas) FROM ventas_diarias"), expected);
    assert_eq!(env.count("SELECT sum(lineas) FROM ventas_diarias_ubicacion"), expected);
    let before = env.dump(TABLES[0]);

    let r = env.run(EtlJob::Ventas, RunKind::Manual, |q| q.range = Some((first, last))).await;
    assert_eq!(r.status, "success");
    let again = r.location("tienda_01").expect("tienda_01 ran");
    assert_eq!((again.outcome.records_inserted, again.outcome.records_unchanged as usize), (0, 3 * PER_DAY));
    assert_eq!(env.dump(TABLES[0]), before);
}
