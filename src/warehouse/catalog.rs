//! Reads of the product master for configuration screens: the categories with their product
//! counts, and the product search of the limit editors (spec 30 §15).

use duckdb::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCount {
    pub categoria: String,
    pub productos: i64,
}

/// Distinct categories of the active products, with how many products each has.
pub fn categories(conn: &Connection) -> duckdb::Result<Vec<CategoryCount>> {
    let mut stmt = conn.prepare_cached(
        "SELECT categoria, count(*) AS productos FROM productos_v
         WHERE activo AND categoria IS NOT NULL AND trim(categoria) <> '' GROUP BY categoria ORDER BY categoria",
    )?;
    let rows = stmt.query_map([], |r| Ok(CategoryCount { categoria: r.get("categoria")?, productos: r.get("productos")? }))?;
    rows.collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductHit {
    pub codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub unidades_por_bulto: i64,
}

/// Active products whose code or description contains `q` (case-insensitive): codes that
/// start with `q` first, then other code matches, then description matches; at most `limit`.
pub fn search_products(conn: &Connection, q: &str, limit: u32) -> duckdb::Result<Vec<ProductHit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT codigo, descripcion, categoria, unidades_por_bulto,
                CASE WHEN starts_with(lower(codigo), lower(?1)) THEN 0 WHEN contains(lower(codigo), lower(?1)) THEN 1 ELSE 2 END AS rango
         FROM productos_v
         WHERE activo AND (contains(lower(codigo), lower(?1)) OR contains(lower(descripcion), lower(?1)))
         ORDER BY rango, codigo LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![q, limit], |r| {
        Ok(ProductHit {
            codigo: r.get("codigo")?,
            descripcion: r.get("descripcion")?,
            categoria: r.get("categoria")?,
            unidades_por_bulto: r.get("unidades_por_bulto")?,
        })
    })?;
    rows.collect()
}
