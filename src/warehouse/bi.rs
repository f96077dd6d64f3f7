//! Reads of the BI store comparisons (spec 40 §3.2 panel 2, §3.3): sales per merchandise
//! category from the store × product × day aggregate (`ventas_diarias`), tickets per category
//! from one store's sale lines of the range (a ticket spans products, so it cannot be summed
//! from the aggregate).

use chrono::NaiveDate;
use duckdb::{params, Connection};

/// Separator of the lists passed as one text parameter (never inside an id).
const SEP: &str = "\u{1f}";

/// The merchandise category of `p` when it counts in rankings (§1.5: NULL, blank and
/// `SIN CATEGORIA` do not).
const CATEGORISED: &str = "coalesce(trim(p.categoria), '') <> '' AND upper(trim(p.categoria)) NOT IN ('SIN CATEGORIA', 'SIN CATEGORÍA')";

/// One store's sales of one categorised merchandise category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategorySales {
    pub ubicacion_id: String,
    pub categoria: String,
    pub venta_total: f64,
    pub costo_total: f64,
}

/// Per store of `stores` and categorised merchandise category, the sales of `from..=to`.
pub fn category_sales(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<CategorySales>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT d.ubicacion_id AS ubicacion_id, trim(p.categoria) AS categoria, sum(d.venta_total)::DOUBLE AS venta_total,
                sum(d.costo_total)::DOUBLE AS costo_total
         FROM ventas_diarias d JOIN productos_v p ON p.codigo = d.producto_codigo
         WHERE list_contains((SELECT string_split(?1, chr(31))), d.ubicacion_id) AND d.fecha BETWEEN ?2 AND ?3 AND {CATEGORISED}
         GROUP BY ALL"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| {
        Ok(CategorySales {
            ubicacion_id: r.get("ubicacion_id")?,
            categoria: r.get("categoria")?,
            venta_total: r.get("venta_total")?,
            costo_total: r.get("costo_total")?,
        })
    })?;
    rows.collect()
}

/// One categorised merchandise category of a store over a range.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreCategory {
    pub categoria: String,
    pub venta_total: f64,
    pub costo_total: f64,
    /// Distinct products sold.
    pub productos: i64,
    /// Distinct invoices with a line of the category.
    pub tickets: i64,
}

/// A store's categorised merchandise categories over `from..=to`: sums and products from
/// the daily aggregate, tickets from the store's lines of the range.
pub fn store_categories(conn: &Connection, store: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<StoreCategory>> {
    let sql = format!(
        "WITH s AS (
             SELECT trim(p.categoria) AS categoria, sum(d.venta_total)::DOUBLE AS venta_total, sum(d.costo_total)::DOUBLE AS costo_total,
                    count(DISTINCT d.producto_codigo) AS productos
             FROM ventas_diarias d JOIN productos_v p ON p.codigo = d.producto_codigo
             WHERE d.ubicacion_id = ?1 AND d.fecha BETWEEN ?2 AND ?3 AND {CATEGORISED}
             GROUP BY 1),
         t AS (
             SELECT trim(p.categoria) AS categoria, count(DISTINCT v.numero_factura) AS tickets
             FROM ventas v JOIN productos_v p ON p.codigo = v.producto_codigo
             WHERE v.ubicacion_id = ?1 AND v.fecha BETWEEN ?2 AND ?3 AND {CATEGORISED}
             GROUP BY 1)
         SELECT s.categoria AS categoria, s.venta_total AS venta_total, s.costo_total AS costo_total, s.productos::BIGINT AS productos,
                coalesce(t.tickets, 0)::BIGINT AS tickets
         FROM s LEFT JOIN t USING (categoria)"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![store, from, to], |r| {
        Ok(StoreCategory {
            categoria: r.get("categoria")?,
            venta_total: r.get("venta_total")?,
            costo_total: r.get("costo_total")?,
            productos: r.get("productos")?,
            tickets: r.get("tickets")?,
        })
    })?;
    rows.collect()
}
