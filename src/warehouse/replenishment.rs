//! The warehouse reads that feed the replenishment engine for one (CEDI → store) pair:
//! products the CEDI supplies, the store's daily sales, stock of both locations, the
//! regional reference demand and the inputs of the store's ABC. Everything comes from the
//! daily aggregate, never from raw lines, so a store's data loads in milliseconds.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use duckdb::{params, Connection};

use crate::domain::replenishment::{AbcInput, ProductInput, ReferenceDemand};

/// Active products supplied by `cedi`: all of them when the CEDI replenishes the store's whole
/// region (`cedi_reposicion`), else those whose `cedi_origen_id` is that CEDI (spec 10 §4.3).
pub fn products(conn: &Connection, cedi: &str, whole_catalogue: bool) -> duckdb::Result<Vec<ProductInput>> {
    let mut stmt = conn.prepare_cached(
        "SELECT codigo, codigo_barras, descripcion, categoria, grupo, subgrupo, marca, presentacion, cuadrante,
                unidades_por_bulto::DOUBLE, unidad_pedido, peso_unitario::DOUBLE, es_generador_trafico
         FROM productos WHERE activo AND (? OR cedi_origen_id = ?) ORDER BY codigo",
    )?;
    let rows = stmt.query_map(params![whole_catalogue, cedi], |r| {
        Ok(ProductInput {
            codigo: r.get(0)?,
            codigo_barras: r.get(1)?,
            descripcion: r.get(2)?,
            categoria: r.get(3)?,
            grupo: r.get(4)?,
            subgrupo: r.get(5)?,
            marca: r.get(6)?,
            presentacion: r.get(7)?,
            cuadrante: r.get(8)?,
            unidades_por_bulto: r.get(9)?,
            unidad_pedido: r.get(10)?,
            peso_unitario_kg: r.get(11)?,
            es_generador_trafico: r.get(12)?,
            ..Default::default()
        })
    })?;
    rows.collect()
}

/// Daily totals of a location for dates in [from, to] (selling days only).
pub fn daily_sales(
    conn: &Connection,
    location: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<HashMap<String, Vec<(NaiveDate, f64)>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, fecha, cantidad::DOUBLE FROM ventas_diarias
         WHERE ubicacion_id = ? AND fecha BETWEEN ? AND ? ORDER BY producto_codigo, fecha",
    )?;
    let mut out: HashMap<String, Vec<(NaiveDate, f64)>> = HashMap::new();
    let mut rows = stmt.query(params![location, from, to])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
    }
    Ok(out)
}

/// Stock of a location per product: the sum over its warehouses that count toward deficit
/// (a warehouse the tenant did not declare counts, since nothing says otherwise).
pub fn stock(conn: &Connection, location: &str) -> duckdb::Result<HashMap<String, f64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.producto_codigo, sum(i.cantidad)::DOUBLE FROM inventario_actual i
         LEFT JOIN app.almacenes a ON a.ubicacion_id = i.ubicacion_id AND a.codigo = i.almacen_codigo
         WHERE i.ubicacion_id = ? AND coalesce(a.incluir_en_deficit, true)
         GROUP BY i.producto_codigo",
    )?;
    let rows = stmt.query_map([location], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
    rows.collect()
}

/// A store of the region whose P75s feed the regional reference, with its atypical days.
pub struct RegionStore {
    pub id: String,
    pub dias_excluidos: Vec<NaiveDate>,
}

/// Per product, each region store's P75 of its daily totals on selling days in [from, to]
/// (linear interpolation — DuckDB's `quantile_cont`, the same rule as the domain's P75),
/// sorted by store id. One aggregate query serves every store of the region: the reference
/// of store S is these values without S (spec 30 §7.3 step 2).
pub fn region_p75(
    conn: &Connection,
    stores: &[RegionStore],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<HashMap<String, Vec<(String, f64)>>> {
    if stores.is_empty() {
        return Ok(HashMap::new());
    }
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS ref_tiendas (id VARCHAR);
         CREATE TEMP TABLE IF NOT EXISTS ref_excluidos (id VARCHAR, fecha DATE);
         DELETE FROM ref_tiendas; DELETE FROM ref_excluidos;",
    )?;
    {
        let mut app = conn.appender("ref_tiendas")?;
        for s in stores {
            app.append_row(params![s.id])?;
        }
        app.flush()?;
        let mut app = conn.appender("ref_excluidos")?;
        for s in stores {
            for d in &s.dias_excluidos {
                app.append_row(params![s.id, d])?;
            }
        }
        app.flush()?;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT v.producto_codigo, v.ubicacion_id, quantile_cont(v.cantidad::DOUBLE, 0.75)
         FROM ventas_diarias v SEMI JOIN ref_tiendas t ON t.id = v.ubicacion_id
         WHERE v.fecha BETWEEN ? AND ?
           AND NOT EXISTS (SELECT 1 FROM ref_excluidos e WHERE e.id = v.ubicacion_id AND e.fecha = v.fecha)
         GROUP BY v.producto_codigo, v.ubicacion_id
         ORDER BY v.producto_codigo, v.ubicacion_id",
    )?;
    let mut out: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    let mut rows = stmt.query(params![from, to])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push((r.get(1)?, r.get(2)?));
    }
    Ok(out)
}

/// The reference of one store: the region's P75s without the store itself.
pub fn reference_for(store: &str, p75s: &[(String, f64)], names: &HashMap<String, String>) -> ReferenceDemand {
    let others: Vec<&(String, f64)> = p75s.iter().filter(|(id, _)| id != store).collect();
    let n = others.len();
    ReferenceDemand {
        p75_ref: if n == 0 { 0.0 } else { others.iter().map(|(_, p)| p).sum::<f64>() / n as f64 },
        tienda_ref_id: others.first().map(|(id, _)| id.clone()),
        tienda_ref: others.first().and_then(|(id, _)| names.get(id).cloned()),
        tiendas_con_venta: n as u32,
    }
}

/// Inputs of a location's ABC over [today − days, today − 1]: quantity, value and tickets
/// (distinct invoices: an invoice belongs to one day, so daily counts add up).
pub fn abc_inputs(
    conn: &Connection,
    location: Option<&str>,
    today: NaiveDate,
    days: u32,
    excluded: &[String],
) -> duckdb::Result<Vec<AbcInput>> {
    let from = today - Duration::days(i64::from(days));
    let to = today - Duration::days(1);
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, sum(cantidad)::DOUBLE, sum(venta_total)::DOUBLE, sum(tickets)::BIGINT
         FROM ventas_diarias WHERE (? IS NULL OR ubicacion_id = ?) AND fecha BETWEEN ? AND ?
         GROUP BY producto_codigo",
    )?;
    let rows = stmt.query_map(params![location, location, from, to], |r| {
        Ok(AbcInput { codigo: r.get(0)?, cantidad_30d: r.get(1)?, venta_30d: r.get(2)?, tickets_30d: r.get::<_, i64>(3)? as u64 })
    })?;
    let mut out: Vec<AbcInput> = rows.collect::<duckdb::Result<_>>()?;
    out.retain(|i| !excluded.contains(&i.codigo));
    Ok(out)
}
