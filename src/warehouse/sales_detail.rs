//! Reads of the sales screens (spec 40 §6): the products by their daily-row id, and the
//! days a store sold anything.

use chrono::{Duration, NaiveDate};
use duckdb::arrow::array::{Array, Date32Array, Float64Array, Int32Array};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

use super::arrow::{column, optional_text_column, text_column};
use crate::domain::text::Text;

/// What the sales table shows of a product (effective values).
#[derive(Debug, Clone)]
pub struct ProductFacts {
    pub codigo: String,
    pub descripcion: String,
    pub categoria: Option<Text>,
    pub marca: Option<Text>,
    pub unidades_por_bulto: f64,
}

/// Every product with a daily-row id, by that id.
pub fn products_by_id(conn: &Connection) -> duckdb::Result<FxHashMap<i32, ProductFacts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, p.codigo, p.descripcion, p.categoria, p.marca, p.unidades_por_bulto::DOUBLE
         FROM producto_ids i JOIN productos_v p ON p.codigo = i.codigo",
    )?;
    let mut out = FxHashMap::default();
    let mut shared: FxHashMap<String, Text> = FxHashMap::default();
    let mut intern = |s: &str| -> Text {
        match shared.get(s) {
            Some(t) => t.clone(),
            None => shared.entry(s.to_string()).or_insert_with(|| Text::from(s)).clone(),
        }
    };
    for batch in stmt.query_arrow([])? {
        let ids = column::<Int32Array>(&batch, 0)?;
        let (codes, names) = (text_column(&batch, 1)?, text_column(&batch, 2)?);
        let (cats, brands) = (optional_text_column(&batch, 3)?, optional_text_column(&batch, 4)?);
        let upb = column::<Float64Array>(&batch, 5)?;
        out.reserve(batch.num_rows());
        for row in 0..batch.num_rows() {
            let pack = if upb.is_null(row) || upb.value(row) <= 0.0 { 1.0 } else { upb.value(row) };
            out.insert(
                ids.value(row),
                ProductFacts {
                    codigo: codes(row).to_string(),
                    descripcion: names(row).to_string(),
                    categoria: cats(row).map(&mut intern),
                    marca: brands(row).map(&mut intern),
                    unidades_por_bulto: pack,
                },
            );
        }
    }
    Ok(out)
}

/// The days in [from, to] on which `store` sold anything, ascending.
pub fn store_days(conn: &Connection, store: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<NaiveDate>> {
    let mut stmt =
        conn.prepare_cached("SELECT fecha FROM ventas_diarias_ubicacion WHERE ubicacion_id = ? AND fecha BETWEEN ? AND ? ORDER BY fecha")?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut out = Vec::new();
    for batch in stmt.query_arrow(params![store, from, to])? {
        let dates = column::<Date32Array>(&batch, 0)?;
        out.extend((0..batch.num_rows()).map(|i| epoch + Duration::days(i64::from(dates.value(i)))));
    }
    Ok(out)
}

/// A product's units per selling day of `store` in [from, to].
pub fn product_days(conn: &Connection, store: &str, code: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<(NaiveDate, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT fecha, cantidad::DOUBLE FROM ventas_diarias WHERE ubicacion_id = ? AND producto_codigo = ? AND fecha BETWEEN ? AND ? ORDER BY fecha",
    )?;
    let rows = stmt.query_map(params![store, code, from, to], |r| Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, f64>(1)?)))?;
    rows.collect()
}
