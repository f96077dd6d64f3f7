//! Reads of a store's recent sale lines for the two "what are we losing" screens (spec 40
//! §6.4 visual stock-outs, §6.5 lost sales).
//!
//! Both read sale lines, not the daily aggregate: visual stock-outs need the instant of each
//! sale event in a rolling 14 × 24 h window, lost sales the unit price of each line. Each
//! read is bounded by one store and a few weeks of `fecha`, so DuckDB's min/max skipping
//! reads those weeks' row groups only (≈ 10–25 ms for a client-scale store).

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

/// A product's sale events (distinct tickets) at one store in a window.
#[derive(Debug, Clone)]
pub struct ProductEvents {
    pub codigo: String,
    pub events: usize,
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    /// The last ticket: invoice and units of the product in it.
    pub last_invoice: String,
    pub last_units: f64,
}

/// Per product, the tickets of `store` (one almacén or all) between `since` and `until`
/// (local), keeping products with at least `min_events` tickets.
pub fn product_events(
    conn: &Connection,
    store: &str,
    almacen: Option<&str>,
    since: NaiveDateTime,
    until: NaiveDateTime,
    min_events: usize,
) -> duckdb::Result<Vec<ProductEvents>> {
    let mut stmt = conn.prepare_cached(
        // One row per (product, ticket) first: a ticket with two lines of the product is one
        // event, at its first line's time, with both lines' units.
        "WITH tickets AS (
             SELECT producto_codigo, numero_factura, min(fecha_venta) AS t, sum(cantidad_vendida)::DOUBLE AS units
             FROM ventas
             WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2::DATE AND ?3::DATE AND fecha_venta >= ?2 AND fecha_venta <= ?3
               AND (?4 IS NULL OR almacen_codigo = ?4)
             GROUP BY producto_codigo, numero_factura)
         SELECT producto_codigo, count(*), min(t), max(t), arg_max(numero_factura, t), arg_max(units, t)
         FROM tickets GROUP BY producto_codigo HAVING count(*) >= ?5",
    )?;
    let rows = stmt.query_map(params![store, since, until, almacen, min_events as i64], |r| {
        Ok(ProductEvents {
            codigo: r.get(0)?,
            events: r.get::<_, i64>(1)? as usize,
            first: r.get(2)?,
            last: r.get(3)?,
            last_invoice: r.get(4)?,
            last_units: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// Tickets of `codes` at `stores` over the days `from..=to` (the daily aggregate's ticket
/// count: a ticket belongs to one store and one day).
pub fn tickets_by_product(
    conn: &Connection,
    stores: &[String],
    codes: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<FxHashMap<String, u32>> {
    if stores.is_empty() || codes.is_empty() {
        return Ok(FxHashMap::default());
    }
    let mut stmt = conn.prepare_cached(
        "WITH codes AS (SELECT unnest(string_split(?2, chr(31))) AS codigo)
         SELECT i.codigo, sum(d.tickets)::BIGINT FROM ventas_diarias d JOIN producto_ids i ON i.id = d.producto_id SEMI JOIN codes c ON c.codigo = i.codigo
         WHERE list_contains((SELECT string_split(?1, chr(31))), d.ubicacion_id) AND d.fecha BETWEEN ?3 AND ?4
         GROUP BY i.codigo",
    )?;
    let rows = stmt
        .query_map(params![stores.join("\u{1f}"), codes.join("\u{1f}"), from, to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    rows.map(|r| r.map(|(c, n)| (c, u32::try_from(n).unwrap_or(u32::MAX)))).collect()
}

/// Codes of the products switched off (their effective `activo`).
pub fn inactive_codes(conn: &Connection) -> duckdb::Result<rustc_hash::FxHashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT codigo FROM productos_v WHERE NOT activo")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// A product's priced sales at one store in a period and in the history window before it.
#[derive(Debug, Clone, Default)]
pub struct PeriodSales {
    pub codigo: String,
    pub units_period: f64,
    pub units_history: f64,
    /// Mean unit price of the lines of each window (`None` without lines).
    pub price_period: Option<f64>,
    pub price_history: Option<f64>,
}

/// Lines with a unit price above 0 at `store`, per product: units and mean unit price over
/// `history_from..period_from` (exclusive; the `skipped` days left out) and over
/// `period_from..=period_to`.
pub fn period_sales(
    conn: &Connection,
    store: &str,
    (history_from, skipped): (NaiveDate, &[NaiveDate]),
    period_from: NaiveDate,
    period_to: NaiveDate,
) -> duckdb::Result<Vec<PeriodSales>> {
    let mut stmt = conn.prepare_cached(
        "WITH lines AS (
             SELECT producto_codigo, fecha >= ?3 AS en_periodo, cantidad_vendida, precio_unitario FROM ventas
             WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?4 AND precio_unitario > 0
               AND (fecha >= ?3 OR NOT list_contains((SELECT string_split(?5, ',')), strftime(fecha, '%Y-%m-%d'))))
         SELECT producto_codigo,
                coalesce(sum(cantidad_vendida) FILTER (WHERE en_periodo), 0)::DOUBLE,
                coalesce(sum(cantidad_vendida) FILTER (WHERE NOT en_periodo), 0)::DOUBLE,
                avg(precio_unitario) FILTER (WHERE en_periodo)::DOUBLE,
                avg(precio_unitario) FILTER (WHERE NOT en_periodo)::DOUBLE
         FROM lines GROUP BY producto_codigo",
    )?;
    let skipped = skipped.iter().map(|d| d.format("%Y-%m-%d").to_string()).collect::<Vec<_>>().join(",");
    let rows = stmt.query_map(params![store, history_from, period_from, period_to, skipped], |r| {
        Ok(PeriodSales {
            codigo: r.get(0)?,
            units_period: r.get(1)?,
            units_history: r.get(2)?,
            price_period: r.get(3)?,
            price_history: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// What the two screens show of a product (effective values).
#[derive(Debug, Clone)]
pub struct ProductLabel {
    pub descripcion: String,
    pub categoria: Option<String>,
}

/// Description and merchandise category of the codes given.
pub fn product_labels(conn: &Connection, codes: &[&str]) -> duckdb::Result<FxHashMap<String, ProductLabel>> {
    if codes.is_empty() {
        return Ok(FxHashMap::default());
    }
    let mut stmt = conn.prepare_cached(
        "WITH codes AS (SELECT unnest(string_split(?, chr(31))) AS codigo)
         SELECT codigo, descripcion, categoria FROM productos_v SEMI JOIN codes USING (codigo)",
    )?;
    let rows = stmt.query_map(params![codes.join("\u{1f}")], |r| {
        Ok((r.get::<_, String>(0)?, ProductLabel { descripcion: r.get(1)?, categoria: r.get(2)? }))
    })?;
    rows.collect()
}

/// The store's stock of each product at its instant (`(code, local instant)`): per almacén the
/// last recorded quantity at or before it, summed over the almacenes not `excluded`. A code
/// with no record before its instant is absent.
pub fn stock_at(
    conn: &Connection,
    store: &str,
    at: &[(&str, NaiveDateTime)],
    excluded: &[String],
) -> duckdb::Result<FxHashMap<String, f64>> {
    if at.is_empty() {
        return Ok(FxHashMap::default());
    }
    let mut stmt = conn.prepare_cached(
        // Each almacén's last row at or before the product's instant, in one grouped join
        // (not every change since the oldest instant: a busy product changes at each of the
        // day's loads, for two weeks).
        "WITH w AS (SELECT unnest(string_split(?2, chr(31))) AS producto_codigo, unnest(string_split(?3, chr(31)))::TIMESTAMP AS t)
         SELECT producto_codigo, sum(q)::DOUBLE FROM (
             SELECT h.producto_codigo, h.almacen_codigo, arg_max(h.cantidad, h.fecha_snapshot) AS q
             FROM inventario_historico h JOIN w ON w.producto_codigo = h.producto_codigo AND h.fecha_snapshot <= w.t
             WHERE h.ubicacion_id = ?1 AND NOT list_contains((SELECT string_split(?4, chr(31))), h.almacen_codigo)
             GROUP BY ALL)
         GROUP BY producto_codigo",
    )?;
    let codes = at.iter().map(|(c, _)| *c).collect::<Vec<_>>().join("\u{1f}");
    let times = at.iter().map(|(_, t)| t.format("%Y-%m-%d %H:%M:%S").to_string()).collect::<Vec<_>>().join("\u{1f}");
    let rows =
        stmt.query_map(params![store, codes, times, excluded.join("\u{1f}")], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
    rows.collect()
}
