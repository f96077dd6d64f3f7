//! Reads of the inventory screens (spec 40 §7): a location's stock rows with their product,
//! and the per-product facts the table's figures come from.

use duckdb::arrow::array::{Array, Float64Array, Int32Array};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

use super::arrow::{column, optional_text_column, text_column};
use crate::domain::replenishment::AbcClass;
use crate::domain::text::Text;

/// One inventory row (product × almacén) of an active product, with what the table shows
/// of the product (its effective values: an administrator's corrections included).
#[derive(Debug, Clone)]
pub struct StockRow {
    pub almacen_codigo: Text,
    pub almacen_nombre: Text,
    pub codigo: String,
    /// `producto_ids` id (the key of the daily rows); `None` for a code never sold.
    pub producto_id: Option<i32>,
    pub cantidad: f64,
    /// Local time of the extraction, `YYYY-MM-DDTHH:MM:SS`.
    pub actualizado: String,
    pub descripcion: String,
    pub categoria: Option<Text>,
    pub marca: Option<Text>,
    pub cuadrante: Option<Text>,
    pub unidades_por_bulto: f64,
    pub peso_unitario: Option<f64>,
    pub volumen_unitario: Option<f64>,
}

/// Every inventory row of `location` whose product is active.
pub fn location_rows(conn: &Connection, location: &str) -> duckdb::Result<Vec<StockRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.almacen_codigo, coalesce(a.nombre, i.almacen_codigo), i.producto_codigo, pi.id,
                (i.cantidad * 10000)::BIGINT::DOUBLE / 10000, strftime(i.fecha_actualizacion, '%Y-%m-%dT%H:%M:%S'),
                p.descripcion, p.categoria, p.marca, p.cuadrante, p.unidades_por_bulto::DOUBLE,
                p.peso_unitario::DOUBLE, p.volumen_unitario::DOUBLE
         FROM inventario_actual i
         JOIN productos_v p ON p.codigo = i.producto_codigo AND p.activo
         LEFT JOIN producto_ids pi ON pi.codigo = i.producto_codigo
         LEFT JOIN app.almacenes a ON a.ubicacion_id = i.ubicacion_id AND a.codigo = i.almacen_codigo
         WHERE i.ubicacion_id = ?",
    )?;
    let mut out = Vec::new();
    // Almacén names, categories and brands repeat across thousands of rows: one allocation each.
    let mut shared: FxHashMap<String, Text> = FxHashMap::default();
    let mut intern = |s: &str| -> Text {
        match shared.get(s) {
            Some(t) => t.clone(),
            None => shared.entry(s.to_string()).or_insert_with(|| Text::from(s)).clone(),
        }
    };
    for batch in stmt.query_arrow(params![location])? {
        let (almacen, nombre, codigo) = (text_column(&batch, 0)?, text_column(&batch, 1)?, text_column(&batch, 2)?);
        let id = column::<Int32Array>(&batch, 3)?;
        let cantidad = column::<Float64Array>(&batch, 4)?;
        let (actualizado, descripcion) = (text_column(&batch, 5)?, text_column(&batch, 6)?);
        let (categoria, marca, cuadrante) =
            (optional_text_column(&batch, 7)?, optional_text_column(&batch, 8)?, optional_text_column(&batch, 9)?);
        let (upb, peso, volumen) =
            (column::<Float64Array>(&batch, 10)?, column::<Float64Array>(&batch, 11)?, column::<Float64Array>(&batch, 12)?);
        let value = |a: &Float64Array, row: usize| (!a.is_null(row)).then(|| a.value(row));
        out.reserve(batch.num_rows());
        for row in 0..batch.num_rows() {
            out.push(StockRow {
                almacen_codigo: intern(almacen(row)),
                almacen_nombre: intern(nombre(row)),
                codigo: codigo(row).to_string(),
                producto_id: (!id.is_null(row)).then(|| id.value(row)),
                cantidad: cantidad.value(row),
                actualizado: actualizado(row).to_string(),
                descripcion: descripcion(row).to_string(),
                categoria: categoria(row).map(&mut intern),
                marca: marca(row).map(&mut intern),
                cuadrante: cuadrante(row).map(&mut intern),
                unidades_por_bulto: value(upb, row).filter(|u| *u > 0.0).unwrap_or(1.0),
                peso_unitario: value(peso, row),
                volumen_unitario: value(volumen, row),
            });
        }
    }
    Ok(out)
}

/// A store's ABC class and rank by units per product code (the classification cache of the
/// active model, rebuilt after every sales load and nightly).
pub fn store_classes(conn: &Connection, store: &str) -> duckdb::Result<FxHashMap<String, (AbcClass, i32)>> {
    let mut stmt =
        conn.prepare_cached("SELECT producto_codigo, clase_abc, rank_cantidad FROM productos_abc_tienda WHERE ubicacion_id = ?")?;
    let mut out = FxHashMap::default();
    for batch in stmt.query_arrow(params![store])? {
        let (codes, classes) = (text_column(&batch, 0)?, text_column(&batch, 1)?);
        let ranks = column::<Int32Array>(&batch, 2)?;
        for row in 0..batch.num_rows() {
            if let Some(c) = AbcClass::parse(classes(row)) {
                out.insert(codes(row).to_string(), (c, ranks.value(row)));
            }
        }
    }
    Ok(out)
}

/// A location's current stock per product (optionally one almacén) for the products whose
/// total is ≤ 0, of active products.
pub fn non_positive(conn: &Connection, location: &str, almacen: Option<&str>) -> duckdb::Result<Vec<(String, String, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.producto_codigo, any_value(p.descripcion), sum(i.cantidad)::DOUBLE AS q
         FROM inventario_actual i JOIN productos_v p ON p.codigo = i.producto_codigo AND p.activo
         WHERE i.ubicacion_id = ? AND (? IS NULL OR i.almacen_codigo = ?)
         GROUP BY i.producto_codigo HAVING sum(i.cantidad) <= 0 ORDER BY q, i.producto_codigo",
    )?;
    let rows = stmt.query_map(params![location, almacen, almacen], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// One sale line as evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct SaleEvidence {
    pub codigo: String,
    pub numero_factura: String,
    pub fecha_venta: chrono::NaiveDateTime,
    pub cantidad: f64,
}

/// The sale lines of `codes` at `location` since `since` (local), newest first.
pub fn sales_since(conn: &Connection, location: &str, codes: &[String], since: chrono::NaiveDateTime) -> duckdb::Result<Vec<SaleEvidence>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, numero_factura, fecha_venta, cantidad_vendida::DOUBLE FROM ventas
         WHERE ubicacion_id = ? AND fecha >= ?::DATE AND fecha_venta >= ? AND list_contains((SELECT string_split(?, chr(31))), producto_codigo)
         ORDER BY fecha_venta DESC",
    )?;
    let joined = codes.join("\u{1f}");
    let rows = stmt.query_map(params![location, since, since, joined], |r| {
        Ok(SaleEvidence { codigo: r.get(0)?, numero_factura: r.get(1)?, fecha_venta: r.get(2)?, cantidad: r.get(3)? })
    })?;
    rows.collect()
}

/// The recorded stock of `codes` at `location` (each almacén's changes) since `since`,
/// oldest first: (code, almacén, instant, quantity).
pub fn history_since(
    conn: &Connection,
    location: &str,
    codes: &[String],
    since: chrono::NaiveDateTime,
) -> duckdb::Result<Vec<(String, String, chrono::NaiveDateTime, f64)>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    // A semi join on the codes, not list_contains per row: DuckDB turns the join into a
    // min/max filter that, with the store's filter, skips other row groups (the history is
    // stored by store, then product).
    let mut stmt = conn.prepare_cached(
        "WITH codes AS (SELECT unnest(string_split(?3, chr(31))) AS producto_codigo)
         SELECT producto_codigo, almacen_codigo, fecha_snapshot, cantidad::DOUBLE FROM inventario_historico SEMI JOIN codes USING (producto_codigo)
         WHERE ubicacion_id = ?1 AND fecha_snapshot >= ?2
         ORDER BY fecha_snapshot",
    )?;
    let joined = codes.join("\u{1f}");
    let rows = stmt.query_map(params![location, since, joined], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// Current stock of one product at a location (one almacén, or all of them); `None` when the
/// location holds no row for it.
pub fn current(conn: &Connection, location: &str, almacen: Option<&str>, code: &str) -> duckdb::Result<Option<f64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sum(cantidad)::DOUBLE, count(*) FROM inventario_actual
         WHERE ubicacion_id = ? AND producto_codigo = ? AND (? IS NULL OR almacen_codigo = ?)",
    )?;
    stmt.query_row(params![location, code, almacen, almacen], |r| {
        let n: i64 = r.get(1)?;
        Ok(if n == 0 { None } else { Some(r.get::<_, f64>(0)?) })
    })
}

/// A product's current stock rows at a location: (almacén, quantity, local update time).
pub fn product_rows(conn: &Connection, location: &str, code: &str) -> duckdb::Result<Vec<(String, f64, chrono::NaiveDateTime)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT almacen_codigo, cantidad::DOUBLE, fecha_actualizacion FROM inventario_actual
         WHERE ubicacion_id = ? AND producto_codigo = ? ORDER BY almacen_codigo",
    )?;
    let rows = stmt.query_map(params![location, code], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}
