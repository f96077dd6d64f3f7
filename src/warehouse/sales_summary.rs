//! Reads of *Ventas — resumen regional* (spec 40 §6.1): per store over a window of days, the
//! daily aggregate's totals, the distinct products sold (per store and per group of stores,
//! a region's being the union, not the sum) and the first and last sale instants.
//!
//! The totals come from `ventas_diarias_ubicacion` (one row per store and day), the products
//! from `ventas_diarias` by integer `producto_id` (which stores sold each one). Only the
//! instants need the sale lines, and each read of `ventas` is bounded to one `fecha` (a
//! store's first or last day with sales), so DuckDB's min/max skipping reads that day's row
//! groups only. At client scale (20 stores, 30 days) the three reads take ≈ 1.5, 14 and 5 ms.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

/// Separator of the lists passed as one text parameter (never inside an id).
const SEP: &str = "\u{1f}";

/// One store's sales over the window, from the daily aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreTotals {
    pub ubicacion_id: String,
    /// Distinct invoices: a ticket belongs to one store and one day, so days add up.
    pub tickets: i64,
    pub unidades: f64,
    pub venta_total: f64,
    /// Cost of the lines that carry one (the aggregate counts a missing cost as 0).
    pub costo_total: f64,
    pub dias_con_venta: i64,
    pub primer_dia: NaiveDate,
    pub ultimo_dia: NaiveDate,
}

/// Totals of each of `stores` with sales on the days `from..=to` (stores without any are
/// absent).
pub fn store_totals(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<StoreTotals>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, sum(tickets)::BIGINT, sum(cantidad)::DOUBLE, sum(venta_total)::DOUBLE, count(*), min(fecha), max(fecha),
                sum(costo_total)::DOUBLE
         FROM ventas_diarias_ubicacion
         WHERE list_contains((SELECT string_split(?1, chr(31))), ubicacion_id) AND fecha BETWEEN ?2 AND ?3
         GROUP BY ubicacion_id",
    )?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| {
        Ok(StoreTotals {
            ubicacion_id: r.get(0)?,
            tickets: r.get(1)?,
            unidades: r.get(2)?,
            venta_total: r.get(3)?,
            costo_total: r.get(7)?,
            dias_con_venta: r.get(4)?,
            primer_dia: r.get(5)?,
            ultimo_dia: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Which stores sold each product over a window: per product sold, a set of positions in
/// the store list asked for. A store's distinct products and a group's (the union of its
/// stores') are both counts over these sets, whatever the caller's scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductStores {
    /// 64-bit words per product (one per 64 stores).
    words: usize,
    /// Product k's stores: bits of `sets[k * words..(k + 1) * words]`.
    sets: Vec<u64>,
}

impl ProductStores {
    /// Products sold by at least one of the stores at `positions`.
    pub fn sold_by_any(&self, positions: &[usize]) -> i64 {
        if self.words == 0 {
            return 0;
        }
        let mut mask = vec![0u64; self.words];
        for &p in positions.iter().filter(|p| **p < self.words * 64) {
            mask[p / 64] |= 1 << (p % 64);
        }
        self.sets.chunks_exact(self.words).filter(|set| set.iter().zip(&mask).any(|(s, m)| s & m != 0)).count() as i64
    }
}

/// The stores of `stores` (by position) that sold each product on the days `from..=to`.
///
/// One pass over the window's daily rows grouped by product (a few thousand groups): a store's
/// bit is joined on, not grouped by, about half the cost of counting distinct (store,
/// product) pairs per store and then again per region. Stores are asked 64 at a time (one
/// bit each in a UBIGINT).
pub fn product_stores(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<ProductStores> {
    let words = stores.len().div_ceil(64);
    let mut out = ProductStores { words, sets: Vec::new() };
    if stores.is_empty() {
        return Ok(out);
    }
    let mut stmt = conn.prepare_cached(
        "WITH lista AS (SELECT string_split(?1, chr(31)) AS l),
              tiendas AS (SELECT unnest(l) AS ubicacion_id, 1::UBIGINT << (generate_subscripts(l, 1) - 1)::UBIGINT AS bit FROM lista)
         SELECT d.producto_id, bit_or(t.bit)
         FROM ventas_diarias d JOIN tiendas t USING (ubicacion_id)
         WHERE d.fecha BETWEEN ?2 AND ?3
         GROUP BY d.producto_id",
    )?;
    let mut index: FxHashMap<i32, usize> = FxHashMap::default();
    for (w, chunk) in stores.chunks(64).enumerate() {
        let rows = stmt.query_map(params![chunk.join(SEP), from, to], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, u64>(1)?)))?;
        for row in rows {
            let (product, bits) = row?;
            let k = *index.entry(product).or_insert_with(|| {
                out.sets.resize(out.sets.len() + words, 0);
                out.sets.len() / words - 1
            });
            out.sets[k * words + w] |= bits;
        }
    }
    Ok(out)
}

/// A store's first and last sale instants (local) over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaleSpan {
    pub primera: NaiveDateTime,
    pub ultima: NaiveDateTime,
}

/// The first sale of each store on its first day and the last on its last day, from the
/// sale lines of those days only: (store, first day, last day) → span. A store whose lines
/// of those days are gone (a concurrent correction) is absent.
pub fn sale_spans(conn: &Connection, days: &[(String, NaiveDate, NaiveDate)]) -> duckdb::Result<FxHashMap<String, SaleSpan>> {
    let mut wanted: Vec<NaiveDate> = days.iter().flat_map(|(_, first, last)| [*first, *last]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // Every store of a day at once (grouping a day's lines is cheaper than filtering them by
    // a list of stores); usually two days: the window's first and last.
    let mut stmt =
        conn.prepare_cached("SELECT ubicacion_id, min(fecha_venta), max(fecha_venta) FROM ventas WHERE fecha = ?1 GROUP BY ubicacion_id")?;
    let mut seen: FxHashMap<(String, NaiveDate), (NaiveDateTime, NaiveDateTime)> = FxHashMap::default();
    for day in wanted {
        let rows =
            stmt.query_map(params![day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, NaiveDateTime>(1)?, r.get::<_, NaiveDateTime>(2)?)))?;
        for row in rows {
            let (store, min, max) = row?;
            seen.insert((store, day), (min, max));
        }
    }
    let mut out = FxHashMap::default();
    for (store, first, last) in days {
        let (Some((primera, _)), Some((_, ultima))) = (seen.get(&(store.clone(), *first)), seen.get(&(store.clone(), *last))) else {
            continue;
        };
        out.insert(store.clone(), SaleSpan { primera: *primera, ultima: *ultima });
    }
    Ok(out)
}

/// The last day with sales at any of `stores` (the `datos_al` of the BI screens).
pub fn last_sale_day(conn: &Connection, stores: &[String]) -> duckdb::Result<Option<NaiveDate>> {
    if stores.is_empty() {
        return Ok(None);
    }
    conn.query_row(
        "SELECT max(fecha) FROM ventas_diarias_ubicacion WHERE list_contains((SELECT string_split(?1, chr(31))), ubicacion_id)",
        params![stores.join(SEP)],
        |r| r.get(0),
    )
}

/// A store's day: (day, ventas, costo, items, tickets).
pub type StoreDayTotals = (NaiveDate, f64, f64, f64, i64);

/// One store's totals per day with sales in `from..=to`.
pub fn store_days_totals(conn: &Connection, store: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<StoreDayTotals>> {
    let mut stmt = conn.prepare_cached(
        "SELECT fecha, venta_total::DOUBLE, costo_total::DOUBLE, cantidad::DOUBLE, tickets::BIGINT FROM ventas_diarias_ubicacion
         WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?3 ORDER BY fecha",
    )?;
    let rows = stmt.query_map(params![store, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    rows.collect()
}

/// Per day, the mean of the daily sales of the `stores` that sold that day (a store without
/// sales that day is not in the denominator, as the original).
pub fn network_daily_mean(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<(NaiveDate, f64)>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT fecha, avg(venta_total)::DOUBLE FROM ventas_diarias_ubicacion
         WHERE list_contains((SELECT string_split(?1, chr(31))), ubicacion_id) AND fecha BETWEEN ?2 AND ?3 AND venta_total <> 0
         GROUP BY fecha ORDER BY fecha",
    )?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// The total of each ticket (invoice) of a store in `from..=to`, from the sale lines.
pub fn ticket_totals(conn: &Connection, store: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<f64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sum(venta_total)::DOUBLE FROM ventas WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?3 GROUP BY numero_factura",
    )?;
    let rows = stmt.query_map(params![store, from, to], |r| r.get(0))?;
    rows.collect()
}

/// A store's sales per (weekday 0 = Sunday, local hour) over `from..=to`: (weekday, hour,
/// ventas, tickets).
pub fn weekday_hour_sales(conn: &Connection, store: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<(u8, u8, f64, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT dayofweek(fecha)::UTINYINT, hora::UTINYINT, sum(venta_total)::DOUBLE, sum(tickets)::BIGINT FROM ventas_horarias_ubicacion
         WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2 AND ?3 GROUP BY 1, 2",
    )?;
    let rows = stmt.query_map(params![store, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::SaleLine;
    use crate::warehouse::Warehouse;

    fn at(d: &str, hm: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{d} {hm}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    fn sale(store: &str, invoice: &str, t: NaiveDateTime, code: &str) -> SaleLine {
        SaleLine {
            ubicacion_id: store.into(),
            numero_factura: invoice.into(),
            linea: 1,
            fecha_venta: t,
            producto_codigo: code.into(),
            cantidad_vendida: 1.0,
            venta_total: 2.0,
            factor_unidad_medida: 1.0,
            ..SaleLine::default()
        }
    }

    /// 70 stores (two words of store bits): a product's stores across both words, a region
    /// union counting each product once, a day outside the window left out, and the first
    /// and last sale of stores whose first and last days differ.
    #[test]
    fn products_are_counted_per_store_and_per_union_across_more_than_64_stores() {
        let dir = tempfile::tempdir().unwrap();
        let wh = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
        let stores: Vec<String> = (0..70).map(|i| format!("s{i:02}")).collect();
        let lines = [
            sale("s00", "1", at("2026-03-02", "08:15"), "A"),
            sale("s00", "2", at("2026-03-04", "19:40"), "A"),
            sale("s69", "1", at("2026-03-03", "10:00"), "A"),
            sale("s69", "2", at("2026-03-03", "12:30"), "B"),
            sale("s65", "1", at("2026-03-02", "09:00"), "B"),
            sale("s01", "1", at("2026-02-27", "09:00"), "C"),
            sale("s01", "2", at("2026-03-05", "09:00"), "C"),
        ];
        let now = chrono::Utc::now().naive_utc();
        wh.write(|c| crate::warehouse::sales::load_sales(c, lines.iter(), None, now)).unwrap();
        let conn = wh.reader().unwrap();
        let (from, to) = (day("2026-03-01"), day("2026-03-04"));

        let p = product_stores(&conn, &stores, from, to).unwrap();
        assert_eq!([0, 1, 65, 69].map(|i| p.sold_by_any(&[i])), [1, 0, 1, 2]);
        assert_eq!(p.sold_by_any(&[0, 69]), 2, "A once, B once");
        assert_eq!(p.sold_by_any(&[0, 65]), 2);
        assert_eq!(p.sold_by_any(&[0, 1, 65, 69]), 2);
        assert_eq!(p.sold_by_any(&[]), 0);
        // Positions are those of the list asked for.
        let two = product_stores(&conn, &["s65".to_string(), "s00".to_string()], from, to).unwrap();
        assert_eq!((two.sold_by_any(&[0]), two.sold_by_any(&[1]), two.sold_by_any(&[0, 1])), (1, 1, 2));
        assert_eq!(product_stores(&conn, &[], from, to).unwrap().sold_by_any(&[0]), 0);

        let totals = store_totals(&conn, &stores, from, to).unwrap();
        let mut got: Vec<(String, i64, i64, NaiveDate, NaiveDate)> =
            totals.iter().map(|t| (t.ubicacion_id.clone(), t.tickets, t.dias_con_venta, t.primer_dia, t.ultimo_dia)).collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("s00".into(), 2, 2, day("2026-03-02"), day("2026-03-04")),
                ("s65".into(), 1, 1, day("2026-03-02"), day("2026-03-02")),
                ("s69".into(), 2, 1, day("2026-03-03"), day("2026-03-03")),
            ]
        );
        let days: Vec<(String, NaiveDate, NaiveDate)> =
            totals.iter().map(|t| (t.ubicacion_id.clone(), t.primer_dia, t.ultimo_dia)).collect();
        let spans = sale_spans(&conn, &days).unwrap();
        assert_eq!(spans["s00"], SaleSpan { primera: at("2026-03-02", "08:15"), ultima: at("2026-03-04", "19:40") });
        assert_eq!(spans["s69"], SaleSpan { primera: at("2026-03-03", "10:00"), ultima: at("2026-03-03", "12:30") });
        assert_eq!(spans.len(), 3);
    }
}
