//! Reads of one product's sales drill-downs (spec 40 §6.3): per store and day (daily
//! aggregate), per store and hour of one day, and its individual lines.
//!
//! The hourly and line reads go to `ventas` bounded by one product and a day range: DuckDB
//! skips every row group outside those days by their min/max (a day is one or two row
//! groups), so they read a day's or a month's lines, never the history.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};

fn list(items: &[String]) -> String {
    items.join("\u{1f}")
}

/// One store's sales of the product on one day.
#[derive(Debug, Clone)]
pub struct StoreDay {
    pub ubicacion_id: String,
    pub fecha: NaiveDate,
    pub cantidad: f64,
    pub venta_total: f64,
    pub tickets: i64,
}

/// The product's days with sales at `stores` in `from..=to`, by store then date.
pub fn daily_by_store(conn: &Connection, code: &str, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<StoreDay>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        // The integer id, not the code: the aggregate is ordered by (store, date, id).
        "SELECT ubicacion_id, fecha, cantidad::DOUBLE, venta_total::DOUBLE, tickets FROM ventas_diarias
         WHERE producto_id = (SELECT id FROM producto_ids WHERE codigo = ?1)
           AND list_contains((SELECT string_split(?2, chr(31))), ubicacion_id) AND fecha BETWEEN ?3 AND ?4
         ORDER BY ubicacion_id, fecha",
    )?;
    let rows = stmt.query_map(params![code, list(stores), from, to], |r| {
        Ok(StoreDay { ubicacion_id: r.get(0)?, fecha: r.get(1)?, cantidad: r.get(2)?, venta_total: r.get(3)?, tickets: r.get(4)? })
    })?;
    rows.collect()
}

/// One store's sales of the product in one local hour.
#[derive(Debug, Clone)]
pub struct StoreHour {
    pub ubicacion_id: String,
    pub hora: u32,
    pub cantidad: f64,
    pub venta_total: f64,
    pub tickets: i64,
}

/// The product's sales per store and local hour of `date`.
pub fn hourly_by_store(conn: &Connection, code: &str, stores: &[String], date: NaiveDate) -> duckdb::Result<Vec<StoreHour>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, hour(fecha_venta)::INTEGER, sum(cantidad_vendida)::DOUBLE, sum(venta_total)::DOUBLE,
                count(DISTINCT numero_factura)
         FROM ventas
         WHERE fecha = ?3 AND producto_codigo = ?1 AND list_contains((SELECT string_split(?2, chr(31))), ubicacion_id)
         GROUP BY ALL ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(params![code, list(stores), date], |r| {
        Ok(StoreHour {
            ubicacion_id: r.get(0)?,
            hora: r.get::<_, i32>(1)?.max(0) as u32,
            cantidad: r.get(2)?,
            venta_total: r.get(3)?,
            tickets: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// One sale line, as the transactions view lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Transaction {
    pub numero_factura: String,
    pub linea: i32,
    pub fecha_venta: NaiveDateTime,
    pub almacen: Option<String>,
    pub cantidad: f64,
    pub unidad_medida: String,
    pub precio_unitario: Option<f64>,
    pub costo_unitario: Option<f64>,
    pub venta_total: f64,
    pub costo_total: Option<f64>,
    pub utilidad: Option<f64>,
}

/// Totals of the product's lines in the range.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TransactionTotals {
    pub lineas: i64,
    pub facturas: i64,
    pub cantidad: f64,
    pub venta_total: f64,
    pub costo_total: f64,
    pub utilidad: f64,
}

/// A page of the product's lines at `store` in `from..=to`, newest first, and the totals of
/// the whole range.
pub fn transactions(
    conn: &Connection,
    store: &str,
    code: &str,
    (from, to): (NaiveDate, NaiveDate),
    offset: usize,
    limit: usize,
) -> duckdb::Result<(Vec<Transaction>, TransactionTotals)> {
    let mut stmt = conn.prepare_cached(
        "SELECT numero_factura, linea, fecha_venta, coalesce(almacen_nombre, almacen_codigo), cantidad_vendida::DOUBLE,
                unidad_medida_venta, precio_unitario::DOUBLE, costo_unitario::DOUBLE, venta_total::DOUBLE,
                costo_total::DOUBLE, utilidad_bruta::DOUBLE
         FROM ventas WHERE ubicacion_id = ? AND producto_codigo = ? AND fecha BETWEEN ? AND ?
         ORDER BY fecha_venta DESC, numero_factura DESC, linea LIMIT ? OFFSET ?",
    )?;
    let rows = stmt.query_map(params![store, code, from, to, limit as i64, offset as i64], |r| {
        Ok(Transaction {
            numero_factura: r.get(0)?,
            linea: r.get(1)?,
            fecha_venta: r.get(2)?,
            almacen: r.get(3)?,
            cantidad: r.get(4)?,
            unidad_medida: r.get(5)?,
            precio_unitario: r.get(6)?,
            costo_unitario: r.get(7)?,
            venta_total: r.get(8)?,
            costo_total: r.get(9)?,
            utilidad: r.get(10)?,
        })
    })?;
    let lines = rows.collect::<duckdb::Result<Vec<_>>>()?;
    let totals = conn
        .prepare_cached(
            "SELECT count(*), count(DISTINCT numero_factura), coalesce(sum(cantidad_vendida), 0)::DOUBLE,
                coalesce(sum(venta_total), 0)::DOUBLE, coalesce(sum(costo_total), 0)::DOUBLE,
                coalesce(sum(venta_total) - sum(coalesce(costo_total, 0)), 0)::DOUBLE
         FROM ventas WHERE ubicacion_id = ? AND producto_codigo = ? AND fecha BETWEEN ? AND ?",
        )?
        .query_row(params![store, code, from, to], |r| {
            Ok(TransactionTotals {
                lineas: r.get(0)?,
                facturas: r.get(1)?,
                cantidad: r.get(2)?,
                venta_total: r.get(3)?,
                costo_total: r.get(4)?,
                utilidad: r.get(5)?,
            })
        })?;
    Ok((lines, totals))
}

/// The product's units per local (date, hour) at `store` in `from..=to`.
pub fn units_by_hour(
    conn: &Connection,
    store: &str,
    code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<(NaiveDate, u32, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT fecha, hour(fecha_venta)::INTEGER, sum(cantidad_vendida)::DOUBLE FROM ventas
         WHERE ubicacion_id = ? AND producto_codigo = ? AND fecha BETWEEN ? AND ?
         GROUP BY ALL ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(params![store, code, from, to], |r| Ok((r.get(0)?, r.get::<_, i32>(1)?.max(0) as u32, r.get(2)?)))?;
    rows.collect()
}

/// One product's stock rows at `stores` from `since` (local): per (store, almacén) the last
/// row at or before `since` (the baseline), then every later row; (store, almacén, instant,
/// quantity), oldest first.
pub fn stock_changes(
    conn: &Connection,
    code: &str,
    stores: &[String],
    since: NaiveDateTime,
) -> duckdb::Result<Vec<(String, String, NaiveDateTime, f64)>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "WITH h AS (
             SELECT ubicacion_id, almacen_codigo, fecha_snapshot, cantidad::DOUBLE AS cantidad FROM inventario_historico
             WHERE producto_codigo = ?1 AND list_contains((SELECT string_split(?2, chr(31))), ubicacion_id))
         SELECT ubicacion_id, almacen_codigo, fecha_snapshot, cantidad FROM h WHERE fecha_snapshot > ?3
         UNION ALL
         SELECT ubicacion_id, almacen_codigo, max(fecha_snapshot), arg_max(cantidad, fecha_snapshot)
         FROM h WHERE fecha_snapshot <= ?3 GROUP BY ubicacion_id, almacen_codigo
         ORDER BY 3",
    )?;
    let rows = stmt.query_map(params![code, list(stores), since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// One product's stock at the end of each day at `stores`: per (store, almacén, day with a
/// change) the day's last quantity, over the whole history (the days before the caller's
/// range give the value carried into it). A busy product changes at every load (≈ 30 k rows
/// in two months at client scale); its days are a few thousand (the history is stored by
/// store then product, so each store's part of it is one row group).
pub fn end_of_day_stock(conn: &Connection, code: &str, stores: &[String]) -> duckdb::Result<Vec<(String, String, NaiveDate, f64)>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, almacen_codigo, fecha_snapshot::DATE AS dia, arg_max(cantidad, fecha_snapshot)::DOUBLE
         FROM inventario_historico WHERE producto_codigo = ? GROUP BY ALL ORDER BY dia",
    )?;
    let rows = stmt.query_map(params![code], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let r = r?;
        if stores.contains(&r.0) {
            out.push(r);
        }
    }
    Ok(out)
}
