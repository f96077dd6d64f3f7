//! Traffic-generator metrics (spec 40 §5.1): computed from the sale lines of the analysis
//! window when the classification caches are rebuilt, kept in `generadores_trafico_metricas`,
//! and read by the screen joined with the product view and the chain's ABC class.

use chrono::NaiveDate;
use duckdb::{params, Connection};

use crate::domain::traffic_generators::{ProductTraffic, TrafficMetrics};

fn code_list<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join("\u{1f}")
}

/// Per product: revenue and distinct (store, invoice) tickets over `[from, to]` in `stores`,
/// leaving out the `excluded` codes; and the window's distinct tickets with at least one line
/// of a product not excluded. Reads the lines bounded by `fecha`, so DuckDB skips every row
/// group outside the window.
pub fn window_traffic(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    stores: &[&str],
    excluded: &[String],
) -> duckdb::Result<(Vec<ProductTraffic>, u64)> {
    // One pass over the lines to (product, ticket) pairs; both counts come from those.
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE gt_pares AS
             SELECT producto_codigo, ubicacion_id, numero_factura, sum(venta_total)::DOUBLE AS venta
             FROM ventas
             WHERE fecha BETWEEN ?1 AND ?2
               AND list_contains((SELECT string_split(?3, chr(31))), ubicacion_id)
               AND NOT list_contains((SELECT string_split(?4, chr(31))), producto_codigo)
             GROUP BY ALL",
        params![from, to, code_list(stores.iter().copied()), code_list(excluded.iter().map(String::as_str))],
    )?;
    let total: i64 =
        conn.query_row("SELECT count(*) FROM (SELECT DISTINCT ubicacion_id, numero_factura FROM gt_pares)", [], |r| r.get(0))?;
    let mut stmt = conn.prepare("SELECT producto_codigo, sum(venta), count(*) FROM gt_pares GROUP BY producto_codigo")?;
    let rows = stmt
        .query_map([], |r| Ok(ProductTraffic { codigo: r.get(0)?, venta: r.get(1)?, tickets: r.get::<_, i64>(2)?.max(0) as u64 }))?
        .collect::<duckdb::Result<Vec<_>>>()?;
    conn.execute_batch("DROP TABLE gt_pares")?;
    Ok((rows, total.max(0) as u64))
}

/// Replaces the stored metrics (inside the caller's write transaction).
pub fn replace(
    conn: &Connection,
    metrics: &[TrafficMetrics],
    total_tickets: u64,
    today: NaiveDate,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<()> {
    conn.execute_batch("DELETE FROM generadores_trafico_metricas")?;
    let mut app = conn.appender("generadores_trafico_metricas")?;
    for m in metrics {
        app.append_row(params![
            m.codigo,
            m.venta,
            m.tickets as i64,
            total_tickets as i64,
            m.penetracion_pct,
            m.rank_valor,
            m.rank_penetracion,
            m.gap,
            today,
            from,
            to
        ])?;
    }
    app.flush()
}

/// One product of a list, as stored and joined (unrounded).
#[derive(Debug, Clone)]
pub struct Row {
    pub codigo: String,
    pub descripcion: Option<String>,
    pub categoria: Option<String>,
    pub venta: Option<f64>,
    pub tickets: Option<i64>,
    pub penetracion_pct: Option<f64>,
    pub rank_valor: Option<i32>,
    pub rank_penetracion: Option<i32>,
    pub gap: Option<i64>,
    pub clase_abc: Option<String>,
    /// The effective `es_generador_trafico` of the product view.
    pub activo: bool,
}

/// Which products a list holds.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// These codes, those that are not active generators.
    Codes(&'a [String]),
    /// The active generators (effective flag).
    Active,
    /// Every product with a GAP above this.
    GapAbove(i64),
}

const SELECT: &str = "SELECT b.codigo, p.descripcion, p.categoria, m.venta, m.tickets, m.penetracion_pct, m.rank_valor,
                             m.rank_penetracion, m.gap, a.clase_abc, coalesce(p.es_generador_trafico, false) AS activo";
const JOINS: &str = "LEFT JOIN generadores_trafico_metricas m ON m.producto_codigo = b.codigo
                     LEFT JOIN productos_v p ON p.codigo = b.codigo
                     LEFT JOIN productos_abc_cache a ON a.producto_codigo = b.codigo";

fn base_sql(base: Base<'_>) -> (&'static str, &'static str) {
    match base {
        Base::Codes(_) => ("(SELECT unnest(string_split(?1, chr(31))) AS codigo) b", "WHERE NOT coalesce(p.es_generador_trafico, false)"),
        Base::Active => ("(SELECT codigo FROM productos_v WHERE es_generador_trafico AND ?1::VARCHAR IS NULL) b", ""),
        Base::GapAbove(_) => ("(SELECT producto_codigo AS codigo FROM generadores_trafico_metricas WHERE gap > ?1) b", ""),
    }
}

fn base_param(base: Base<'_>) -> duckdb::types::Value {
    match base {
        Base::Codes(c) => duckdb::types::Value::Text(code_list(c.iter().map(String::as_str))),
        Base::Active => duckdb::types::Value::Null,
        Base::GapAbove(g) => duckdb::types::Value::BigInt(g),
    }
}

/// A page of a list, ordered by GAP descending (products without metrics last), then code;
/// and the list's length.
pub fn list(conn: &Connection, base: Base<'_>, limit: usize, offset: usize) -> duckdb::Result<(Vec<Row>, usize)> {
    if matches!(base, Base::Codes(c) if c.is_empty()) {
        return Ok((Vec::new(), 0));
    }
    let (from, filter) = base_sql(base);
    let mut stmt =
        conn.prepare_cached(&format!("{SELECT} FROM {from} {JOINS} {filter} ORDER BY m.gap DESC NULLS LAST, b.codigo LIMIT ?2 OFFSET ?3"))?;
    let rows = stmt.query_map(params![base_param(base), limit as i64, offset as i64], read)?.collect::<duckdb::Result<Vec<_>>>()?;
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM {from} {JOINS} {filter}"))?
        .query_row(params![base_param(base)], |r| r.get(0))?;
    Ok((rows, total.max(0) as usize))
}

fn read(r: &duckdb::Row<'_>) -> duckdb::Result<Row> {
    Ok(Row {
        codigo: r.get(0)?,
        descripcion: r.get(1)?,
        categoria: r.get(2)?,
        venta: r.get(3)?,
        tickets: r.get(4)?,
        penetracion_pct: r.get(5)?,
        rank_valor: r.get(6)?,
        rank_penetracion: r.get(7)?,
        gap: r.get(8)?,
        clase_abc: r.get(9)?,
        activo: r.get(10)?,
    })
}

/// One product (also when it has no metrics); `None` for an unknown code.
pub fn one(conn: &Connection, codigo: &str) -> duckdb::Result<Option<Row>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} FROM (SELECT codigo FROM productos WHERE codigo = ?1) b {JOINS}"))?;
    let mut rows = stmt.query_map(params![codigo], read)?;
    rows.next().transpose()
}

/// The stored window: (total tickets, first day, last day, business date of the rebuild).
pub fn window(conn: &Connection) -> duckdb::Result<Option<(i64, NaiveDate, NaiveDate, NaiveDate)>> {
    let mut stmt =
        conn.prepare_cached("SELECT total_tickets, periodo_inicio, periodo_fin, fecha_calculo FROM generadores_trafico_metricas LIMIT 1")?;
    let mut rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.next().transpose()
}

/// Every stored (code, GAP).
pub fn gaps(conn: &Connection) -> duckdb::Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT producto_codigo, gap FROM generadores_trafico_metricas")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// The codes of the active generators (effective flag of the product view).
pub fn active_codes(conn: &Connection) -> duckdb::Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT codigo FROM productos_v WHERE es_generador_trafico")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Counts of the summary that live in the warehouse: active generators, products with a GAP
/// above `gap_alto`, and the mean GAP of `pending` (suggested codes that are not active).
pub fn summary_counts(conn: &Connection, gap_alto: i64, pending: &[String]) -> duckdb::Result<(i64, i64, Option<f64>)> {
    conn.prepare_cached(
        "SELECT (SELECT count(*) FROM productos_v WHERE es_generador_trafico),
                (SELECT count(*) FROM generadores_trafico_metricas WHERE gap > ?1),
                (SELECT avg(m.gap)::DOUBLE FROM generadores_trafico_metricas m
                 WHERE m.producto_codigo IN (SELECT unnest(string_split(?2, chr(31)))))",
    )?
    .query_row(params![gap_alto, code_list(pending.iter().map(String::as_str))], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
}
