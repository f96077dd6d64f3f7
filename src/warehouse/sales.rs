//! Sale lines into `ventas` and its daily aggregates: the one loader every sales writer
//! shares (the ETL's windows and backfill groups, `fluxion import`), plus the full rebuild
//! and the nightly reorder of the aggregates.
//!
//! Every function runs on a connection inside the caller's transaction
//! (`Warehouse::write`), so a batch lands whole or not at all, and is idempotent by the key
//! of spec 10 (`ubicacion_id, numero_factura, linea`).
//!
//! **A load can never report more than it stored.** Before returning, each load counts
//! what the tables hold for its batch: the lines of the batch's invoice range, the staged
//! copy of a merge, and the daily aggregates of every touched day against the lines of
//! those days. Any difference is a [`LoadError::Unaccounted`], and the caller's transaction
//! rolls everything back. (An import of more than one DuckDB row group, 122,880 lines, once
//! stored nothing while reporting success; this check is what turns any such defect into a
//! loud failure instead of a silent loss.)

use std::borrow::Borrow;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

use super::load::{count, count_with, expect_stored, merge_counts, LoadCounts, LoadError};
use super::sale_batch::append_sales;
use super::sale_scan;
use super::staging;
use crate::domain::records::SaleLine;

/// Loads sale lines of any locations; the last of repeated keys in the batch wins.
/// `read` counts the lines given; inserted + updated + unchanged count distinct keys.
pub fn load_sales<'a>(
    conn: &Connection,
    lines: impl IntoIterator<Item = &'a SaleLine>,
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> Result<LoadCounts, LoadError> {
    let started = std::time::Instant::now();
    let (locations, read) = distinct_by_location(lines);
    let mut total = LoadCounts { read, ..LoadCounts::default() };
    tracing::debug!(lines = read, locations = locations.len(), ms = started.elapsed().as_millis() as u64, "sale lines grouped by location");
    start_touched_days(conn)?;
    for location in locations {
        let started = std::time::Instant::now();
        let c = load_location_lines(conn, &location, execution_id, now_utc)?;
        tracing::debug!(lines = location.len(), ms = started.elapsed().as_millis() as u64, "location's sale lines loaded");
        total.inserted += c.inserted;
        total.updated += c.updated;
        total.unchanged += c.unchanged;
    }
    // One refresh of the daily aggregates for every location: a history of many stores
    // is grouped once, not once per store.
    refresh_touched_days(conn)?;
    Ok(total)
}

/// Starts the list of (location, day) pairs the lines of a load touch.
fn start_touched_days(conn: &Connection) -> duckdb::Result<()> {
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE touched_days (ubicacion_id VARCHAR, fecha DATE)")
}

/// Refreshes (and checks) the daily aggregates of the touched days, and drops the list.
fn refresh_touched_days(conn: &Connection) -> Result<(), LoadError> {
    let started = std::time::Instant::now();
    refresh_daily_sales(conn, "touched_days")?;
    conn.execute_batch("DROP TABLE touched_days;")?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "daily aggregates refreshed and checked");
    Ok(())
}

/// The lines grouped by location, one per key: each key keeps the position of its first
/// occurrence and the values of its last, as loading the lines one by one would leave them.
/// Also returns how many lines were given.
fn distinct_by_location<'a>(lines: impl IntoIterator<Item = &'a SaleLine>) -> (Vec<Vec<&'a SaleLine>>, usize) {
    struct Group<'a> {
        id: &'a str,
        lines: Vec<&'a SaleLine>,
        position: FxHashMap<(&'a str, i32), usize>,
    }
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut current = 0;
    let mut read = 0;
    for line in lines {
        read += 1;
        // Exports are usually sorted by store: the previous line's group is the likely one.
        if groups.get(current).is_none_or(|g| g.id != line.ubicacion_id) {
            current = match groups.iter().position(|g| g.id == line.ubicacion_id) {
                Some(i) => i,
                None => {
                    groups.push(Group { id: &line.ubicacion_id, lines: Vec::new(), position: FxHashMap::default() });
                    groups.len() - 1
                }
            };
        }
        let g = &mut groups[current];
        match g.position.entry((line.numero_factura.as_str(), line.linea)) {
            std::collections::hash_map::Entry::Occupied(at) => g.lines[*at.get()] = line,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(g.lines.len());
                g.lines.push(line);
            }
        }
    }
    (groups.into_iter().map(|g| g.lines).collect(), read)
}

/// Loads the lines of **one location** whose keys are unique in the batch (the ETL keeps the
/// last occurrence; [`load_sales`] de-duplicates). Unchanged lines are left untouched
/// (`cargado_en`, `actualizado_en` and `etl_execution_id` kept); changed lines keep
/// `cargado_en`. Refreshes the daily aggregates of every day touched and creates
/// placeholder products for unknown codes.
pub fn load_location_sales<L: Borrow<SaleLine> + Sync>(
    conn: &Connection,
    lines: &[L],
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> Result<LoadCounts, LoadError> {
    start_touched_days(conn)?;
    let counts = load_location_lines(conn, lines, execution_id, now_utc)?;
    refresh_touched_days(conn)?;
    Ok(counts)
}

/// [`load_location_sales`] without the daily aggregates: the (location, day) pairs it
/// touches are added to `touched_days` for the caller to refresh.
fn load_location_lines<L: Borrow<SaleLine> + Sync>(
    conn: &Connection,
    lines: &[L],
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> Result<LoadCounts, LoadError> {
    let Some(first) = lines.first() else { return Ok(LoadCounts::default()) };
    let ubicacion = first.borrow().ubicacion_id.as_str();
    debug_assert!(lines.iter().all(|l| l.borrow().ubicacion_id == ubicacion));
    // Invoice numbers of a batch are close together, and DuckDB prunes row groups on the
    // min/max of `numero_factura`: the key lookup reads a few row groups, not the store's
    // whole history. (Exact, not a heuristic: an equal key lies within the batch's range.)
    let (lo, hi) = invoice_range(lines);
    let in_range = |conn: &Connection| {
        count_with(
            conn,
            "SELECT count(*) FROM ventas WHERE ubicacion_id = ? AND numero_factura BETWEEN ? AND ?",
            params![ubicacion, lo, hi],
        )
    };
    let stored_before = in_range(conn)?;
    let counts = if stored_before == 0 {
        insert_new(conn, lines, ubicacion, execution_id, now_utc)?
    } else {
        merge(conn, lines, ubicacion, (lo, hi), execution_id, now_utc)?
    };
    expect_stored(
        &format!("distinct sale lines of {ubicacion} (inserted + updated + unchanged)"),
        lines.len(),
        counts.inserted + counts.updated + counts.unchanged,
    )?;
    expect_stored(
        &format!("sale lines of {ubicacion} in invoices {lo}..{hi} after the load"),
        stored_before + counts.inserted,
        in_range(conn)?,
    )?;
    Ok(counts)
}

/// From this many lines a batch is inserted by every DuckDB thread ([`sale_scan`]); below
/// it the appender's single thread is as fast and sets nothing up.
const PARALLEL_INSERT_LINES: usize = 50_000;

fn invoice_range<L: Borrow<SaleLine>>(lines: &[L]) -> (&str, &str) {
    let mut invoices = lines.iter().map(|l| l.borrow().numero_factura.as_str());
    let first = invoices.next().unwrap_or_default();
    invoices.fold((first, first), |(lo, hi), f| (lo.min(f), hi.max(f)))
}

/// The usual case (new hours, backfill of days never loaded, onboarding): no stored line
/// shares the batch's invoice range, so every line is new and goes straight into `ventas`:
/// no staging table, no comparison. Adds its days to `touched_days`.
fn insert_new<L: Borrow<SaleLine> + Sync>(
    conn: &Connection,
    lines: &[L],
    ubicacion: &str,
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> Result<LoadCounts, LoadError> {
    let t0 = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(lines = lines.len(), ms = t0.elapsed().as_secs_f64() * 1000.0, "new sale lines: {what}");
    if lines.len() >= PARALLEL_INSERT_LINES {
        sale_scan::insert_sale_lines(conn, "ventas", lines, now_utc, execution_id)?;
    } else {
        append_sales(&mut conn.appender("ventas")?, lines, now_utc, execution_id, false)?;
    }
    lap("appended");
    let mut days: Vec<NaiveDate> = lines.iter().map(|l| l.borrow().fecha_venta.date()).collect();
    days.sort_unstable();
    days.dedup();
    {
        let mut app = conn.appender("touched_days")?;
        for d in &days {
            app.append_row(params![ubicacion, d])?;
        }
        app.flush()?;
    }
    // The batch's own codes, known here: no need to read them back from `ventas`.
    let mut codes: Vec<&str> = lines.iter().map(|l| l.borrow().producto_codigo.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE batch_codes (producto_codigo VARCHAR)")?;
    {
        let mut app = conn.appender("batch_codes")?;
        for c in &codes {
            app.append_row(params![c])?;
        }
        app.flush()?;
    }
    add_placeholder_products(conn, "batch_codes", now_utc)?;
    conn.execute_batch("DROP TABLE batch_codes;")?;
    lap("staged days, codes and placeholders");
    Ok(LoadCounts { read: lines.len(), inserted: lines.len(), ..LoadCounts::default() })
}

/// Some stored lines share the batch's invoice range: stage the batch, compare it key by
/// key with the stored lines of that range, replace the changed ones and add the new ones.
/// Adds to `touched_days` the days of new and changed lines, and the old day of a changed
/// line.
fn merge<L: Borrow<SaleLine> + Sync>(
    conn: &Connection,
    lines: &[L],
    ubicacion: &str,
    (lo, hi): (&str, &str),
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> Result<LoadCounts, LoadError> {
    staging::create_like(conn, "stage_sales", "ventas", &[])?;
    append_sales(&mut conn.appender("stage_sales")?, lines, now_utc, execution_id, false)?;
    expect_stored("staged sale lines", lines.len(), count(conn, "SELECT count(*) FROM stage_sales")?)?;
    let same = compared_sale_columns(conn)?.iter().map(|c| format!("v.{c} IS NOT DISTINCT FROM s.{c}")).collect::<Vec<_>>().join(" AND ");
    conn.execute(
        &format!(
            "CREATE OR REPLACE TEMP TABLE stage_cmp AS
             SELECT s.numero_factura, s.linea, s.fecha, v.fecha AS fecha_anterior, v.cargado_en AS cargado_anterior,
                    CASE WHEN v.numero_factura IS NULL THEN 'nuevo' WHEN {same} THEN 'igual' ELSE 'cambio' END AS estado
             FROM stage_sales s
             LEFT JOIN (SELECT * FROM ventas WHERE ubicacion_id = ? AND numero_factura BETWEEN ? AND ?) v
                    ON v.numero_factura = s.numero_factura AND v.linea = s.linea"
        ),
        params![ubicacion, lo, hi],
    )?;
    conn.execute(
        "DELETE FROM ventas v USING stage_cmp c
         WHERE c.estado = 'cambio' AND v.ubicacion_id = ? AND v.numero_factura = c.numero_factura AND v.linea = c.linea",
        params![ubicacion],
    )?;
    conn.execute_batch(
        "INSERT INTO ventas
             SELECT s.* REPLACE (coalesce(c.cargado_anterior, s.cargado_en) AS cargado_en)
             FROM stage_sales s JOIN stage_cmp c ON c.numero_factura = s.numero_factura AND c.linea = s.linea
             WHERE c.estado <> 'igual';",
    )?;
    conn.execute(
        "INSERT INTO touched_days
             SELECT DISTINCT ?::VARCHAR AS ubicacion_id, fecha FROM (
                 SELECT fecha FROM stage_cmp WHERE estado <> 'igual'
                 UNION ALL SELECT fecha_anterior FROM stage_cmp WHERE estado = 'cambio')",
        params![ubicacion],
    )?;
    let counts = merge_counts(conn, lines.len())?;
    add_placeholder_products(conn, "stage_sales", now_utc)?;
    conn.execute_batch("DROP TABLE stage_sales; DROP TABLE stage_cmp;")?;
    Ok(counts)
}

/// Columns of `ventas` compared to tell an unchanged line: every column but the key and the
/// load bookkeeping (read from the schema, so a new column is compared too).
fn compared_sale_columns(conn: &Connection) -> duckdb::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'ventas' AND schema_name = 'main'
           AND column_name NOT IN ('ubicacion_id', 'numero_factura', 'linea', 'cargado_en', 'actualizado_en', 'etl_execution_id')
         ORDER BY column_index",
    )?;
    let cols = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<duckdb::Result<Vec<_>>>()?;
    Ok(cols)
}

/// A placeholder product for every `producto_codigo` of `source` (a table or a parenthesised
/// subquery) that `productos` lacks, so that no sale points at an unknown product.
pub fn add_placeholder_products(conn: &Connection, source: &str, now_utc: NaiveDateTime) -> duckdb::Result<usize> {
    conn.execute(
        &format!(
            "INSERT INTO productos (codigo, descripcion, fuente, primera_vez_visto, actualizado_en)
             SELECT DISTINCT producto_codigo, 'Producto ' || producto_codigo, 'placeholder', ?, ?
             FROM {source} WHERE producto_codigo NOT IN (SELECT codigo FROM productos)"
        ),
        params![now_utc, now_utc],
    )
}

/// Recomputes `ventas_diarias` and `ventas_diarias_ubicacion` for the (ubicacion_id, fecha)
/// pairs listed in `touched_table`, records the change of each store's daily rows (what the
/// demand cache is checked against), and checks that both aggregates count every line of
/// those days.
pub fn refresh_daily_sales(conn: &Connection, touched_table: &str) -> Result<(), LoadError> {
    conn.execute_batch(&format!(
        "DELETE FROM ventas_diarias d USING {t} t WHERE d.ubicacion_id = t.ubicacion_id AND d.fecha = t.fecha;
         DELETE FROM ventas_diarias_ubicacion d USING {t} t WHERE d.ubicacion_id = t.ubicacion_id AND d.fecha = t.fecha;
         DELETE FROM ventas_horarias_ubicacion d USING {t} t WHERE d.ubicacion_id = t.ubicacion_id AND d.fecha = t.fecha;
         CREATE OR REPLACE TEMP TABLE daily_new AS {DAILY_BY_PRODUCT}
             FROM ventas v SEMI JOIN {t} t ON v.ubicacion_id = t.ubicacion_id AND v.fecha = t.fecha
             GROUP BY v.ubicacion_id, v.producto_codigo, v.fecha;
         {ids}
         INSERT INTO ventas_diarias SELECT d.*, i.id FROM daily_new d JOIN producto_ids i ON i.codigo = d.producto_codigo;
         DROP TABLE daily_new;
         INSERT INTO ventas_diarias_ubicacion {DAILY_BY_LOCATION}
             FROM ventas v SEMI JOIN {t} t ON v.ubicacion_id = t.ubicacion_id AND v.fecha = t.fecha
             GROUP BY v.ubicacion_id, v.fecha;
         INSERT INTO ventas_horarias_ubicacion {HOURLY_BY_LOCATION}
             FROM ventas v SEMI JOIN {t} t ON v.ubicacion_id = t.ubicacion_id AND v.fecha = t.fecha
             GROUP BY v.ubicacion_id, v.fecha, hour(v.fecha_venta);
         INSERT INTO ventas_diarias_cambios
             SELECT ubicacion_id, nextval('ventas_diarias_cambio_seq'), gen_random_uuid()::VARCHAR
             FROM (SELECT DISTINCT ubicacion_id FROM {t});",
        t = touched_table,
        ids = assign_product_ids("SELECT producto_codigo AS codigo FROM daily_new"),
    ))?;
    let on_touched = |table: &str, what: &str| {
        format!("(SELECT {what} FROM {table} x SEMI JOIN {touched_table} t ON x.ubicacion_id = t.ubicacion_id AND x.fecha = t.fecha)")
    };
    check_daily_counts(
        conn,
        &format!(
            "SELECT {}, {}, {}, {}",
            on_touched("ventas", "count(*)"),
            on_touched("ventas_diarias", "coalesce(sum(lineas), 0)"),
            on_touched("ventas_diarias_ubicacion", "coalesce(sum(lineas), 0)"),
            on_touched("ventas_horarias_ubicacion", "coalesce(sum(lineas), 0)"),
        ),
        "the days touched",
    )
}

/// Every aggregate must count exactly the lines of `ventas` it summarises.
fn check_daily_counts(conn: &Connection, sql: &str, scope: &str) -> Result<(), LoadError> {
    let (lines, by_product, by_location, by_hour): (i64, i64, i64, i64) =
        conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let lines = lines as usize;
    expect_stored(&format!("sale lines in ventas_diarias for {scope}"), lines, by_product as usize)?;
    expect_stored(&format!("sale lines in ventas_diarias_ubicacion for {scope}"), lines, by_location as usize)?;
    expect_stored(&format!("sale lines in ventas_horarias_ubicacion for {scope}"), lines, by_hour as usize)
}

/// Product totals per (location, product, day), in `ventas_diarias` column order (without
/// the product id, which is joined on).
const DAILY_BY_PRODUCT: &str = "SELECT v.ubicacion_id, v.producto_codigo, v.fecha, sum(v.cantidad_vendida) AS cantidad,
    sum(v.venta_total) AS venta_total, coalesce(sum(v.costo_total), 0) AS costo_total, count(*) AS lineas,
    count(DISTINCT v.numero_factura) AS tickets";
const DAILY_BY_LOCATION: &str = "SELECT v.ubicacion_id, v.fecha, sum(v.cantidad_vendida), sum(v.venta_total),
    coalesce(sum(v.costo_total), 0), count(*), count(DISTINCT v.numero_factura), count(DISTINCT v.producto_codigo)";
/// Location totals per (location, day, local hour), in `ventas_horarias_ubicacion` column order.
const HOURLY_BY_LOCATION: &str = "SELECT v.ubicacion_id, v.fecha, hour(v.fecha_venta)::TINYINT, sum(v.cantidad_vendida),
    sum(v.venta_total), coalesce(sum(v.costo_total), 0), count(*), count(DISTINCT v.numero_factura)";

/// SQL giving every code of `codes` (a query with a `codigo` column) that has no integer id
/// the next ones, in code order. Ids are never reused or changed.
fn assign_product_ids(codes: &str) -> String {
    format!(
        "INSERT INTO producto_ids
             SELECT codigo, ((SELECT coalesce(max(id), 0) FROM producto_ids) + row_number() OVER (ORDER BY codigo))::INTEGER
             FROM (SELECT DISTINCT codigo FROM ({codes}) WHERE codigo NOT IN (SELECT codigo FROM producto_ids));"
    )
}

/// Rebuilds both daily aggregates from every sale line (after a bulk load), and checks that
/// they count every line.
pub fn rebuild_daily_sales(conn: &Connection) -> Result<(), LoadError> {
    conn.execute_batch(&format!(
        "DELETE FROM ventas_diarias; DELETE FROM ventas_diarias_ubicacion; DELETE FROM ventas_horarias_ubicacion;
         {ids}
         INSERT INTO ventas_diarias SELECT d.*, i.id FROM ({DAILY_BY_PRODUCT} FROM ventas v
             GROUP BY v.ubicacion_id, v.producto_codigo, v.fecha) d JOIN producto_ids i ON i.codigo = d.producto_codigo
             ORDER BY d.ubicacion_id, d.fecha, i.id; -- DAILY_ORDER
         INSERT INTO ventas_diarias_ubicacion {DAILY_BY_LOCATION} FROM ventas v GROUP BY v.ubicacion_id, v.fecha
             ORDER BY v.fecha, v.ubicacion_id;
         INSERT INTO ventas_horarias_ubicacion {HOURLY_BY_LOCATION} FROM ventas v GROUP BY v.ubicacion_id, v.fecha, hour(v.fecha_venta)
             ORDER BY v.fecha, v.ubicacion_id;
         INSERT INTO ventas_diarias_cambios VALUES ('*', nextval('ventas_diarias_cambio_seq'), gen_random_uuid()::VARCHAR);",
        ids = assign_product_ids("SELECT producto_codigo AS codigo FROM ventas"),
    ))?;
    check_daily_counts(
        conn,
        "SELECT (SELECT count(*) FROM ventas), (SELECT coalesce(sum(lineas), 0) FROM ventas_diarias),
                (SELECT coalesce(sum(lineas), 0) FROM ventas_diarias_ubicacion),
                (SELECT coalesce(sum(lineas), 0) FROM ventas_horarias_ubicacion)",
        "every day",
    )
}

/// Physical order of `ventas_diarias`: by store, then date. A calculation reads one store's
/// recent weeks; in this order they are one or two row groups instead of a slice of every
/// row group of those weeks (DuckDB skips row groups by their min/max), and a date range
/// over all stores still skips the older row groups of each store.
const DAILY_ORDER: &str = "ubicacion_id, fecha, producto_id";

/// Rewrites `ventas_diarias` in [`DAILY_ORDER`] (the nightly job). Loads append each
/// store-day's rows at the end, so the order decays during the day; the content does not
/// change, so no version is bumped and the demand cache stays valid.
pub fn cluster_daily_sales(conn: &Connection) -> Result<usize, LoadError> {
    let before = count(conn, "SELECT count(*) FROM ventas_diarias")?;
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE daily_sorted AS SELECT * FROM ventas_diarias ORDER BY {DAILY_ORDER};
         DELETE FROM ventas_diarias;"
    ))?;
    let n = conn.execute("INSERT INTO ventas_diarias SELECT * FROM daily_sorted", [])?;
    conn.execute_batch("DROP TABLE daily_sorted;")?;
    expect_stored("daily rows rewritten in store order", before, count(conn, "SELECT count(*) FROM ventas_diarias")?)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(store: &str, invoice: &str, linea: i32, qty: f64) -> SaleLine {
        SaleLine { ubicacion_id: store.into(), numero_factura: invoice.into(), linea, cantidad_vendida: qty, ..SaleLine::default() }
    }

    #[test]
    fn repeated_keys_keep_the_first_position_and_the_last_values_per_location() {
        let lines = vec![
            line("t1", "F1", 1, 1.0),
            line("t2", "F1", 1, 2.0),
            line("t1", "F1", 2, 3.0),
            line("t1", "F1", 1, 4.0),
            line("t2", "F1", 1, 5.0),
            line("t3", "F9", 1, 6.0),
        ];
        let (groups, read) = distinct_by_location(&lines);
        assert_eq!(read, 6);
        let shown: Vec<Vec<(&str, i32, f64)>> =
            groups.iter().map(|g| g.iter().map(|l| (l.ubicacion_id.as_str(), l.linea, l.cantidad_vendida)).collect()).collect();
        assert_eq!(shown, vec![vec![("t1", 1, 4.0), ("t1", 2, 3.0)], vec![("t2", 1, 5.0)], vec![("t3", 1, 6.0)]]);
    }
}
