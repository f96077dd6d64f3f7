//! `producto_ajustes`: an administrator's corrections of the product master (spec 10 §3.4,
//! 50 §8). The authoritative copy; the warehouse keeps a mirror that its product view joins.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{now_rfc3339, Result};
use crate::domain::products::ProductOverride;

const COLUMNS: &str = "codigo, unidades_por_bulto, unidad_pedido, cuadrante, peso_unitario, volumen_unitario, marca, presentacion, \
                       categoria, cedi_origen_id, es_generador_trafico, activo";

fn read(r: &Row<'_>) -> rusqlite::Result<ProductOverride> {
    Ok(ProductOverride {
        codigo: r.get("codigo")?,
        unidades_por_bulto: r.get("unidades_por_bulto")?,
        unidad_pedido: r.get("unidad_pedido")?,
        cuadrante: r.get("cuadrante")?,
        peso_unitario: r.get("peso_unitario")?,
        volumen_unitario: r.get("volumen_unitario")?,
        marca: r.get("marca")?,
        presentacion: r.get("presentacion")?,
        categoria: r.get("categoria")?,
        cedi_origen_id: r.get("cedi_origen_id")?,
        es_generador_trafico: r.get("es_generador_trafico")?,
        activo: r.get("activo")?,
    })
}

/// The overrides of one product (every field `None` when it has none).
pub fn get(conn: &Connection, codigo: &str) -> Result<ProductOverride> {
    let found = conn.query_row(&format!("SELECT {COLUMNS} FROM producto_ajustes WHERE codigo = ?1"), [codigo], read).optional()?;
    Ok(found.unwrap_or_else(|| ProductOverride { codigo: codigo.to_string(), ..Default::default() }))
}

/// Every product's overrides, by code.
pub fn all(conn: &Connection) -> Result<Vec<ProductOverride>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM producto_ajustes ORDER BY codigo"))?;
    let rows = stmt.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Stores `o` as the product's overrides (removes the row when nothing is overridden). The
/// traffic-generator suggestion columns, which only the traffic-generator job writes, are kept.
pub fn save(conn: &Connection, o: &ProductOverride, user: &str) -> Result<()> {
    let kept_by_job: bool = conn
        .query_row(
            "SELECT generador_trafico_sugerido IS NOT NULL OR generador_trafico_ignorado IS NOT NULL FROM producto_ajustes WHERE codigo = ?1",
            [&o.codigo],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if o.is_empty() && !kept_by_job {
        conn.execute("DELETE FROM producto_ajustes WHERE codigo = ?1", [&o.codigo])?;
        return Ok(());
    }
    conn.execute(
        "INSERT INTO producto_ajustes (codigo, unidades_por_bulto, unidad_pedido, cuadrante, peso_unitario, volumen_unitario, marca,
             presentacion, categoria, cedi_origen_id, es_generador_trafico, activo, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (codigo) DO UPDATE SET unidades_por_bulto = excluded.unidades_por_bulto, unidad_pedido = excluded.unidad_pedido,
             cuadrante = excluded.cuadrante, peso_unitario = excluded.peso_unitario, volumen_unitario = excluded.volumen_unitario,
             marca = excluded.marca, presentacion = excluded.presentacion, categoria = excluded.categoria,
             cedi_origen_id = excluded.cedi_origen_id, es_generador_trafico = excluded.es_generador_trafico, activo = excluded.activo,
             actualizado_por = excluded.actualizado_por, actualizado_en = excluded.actualizado_en",
        params![
            o.codigo,
            o.unidades_por_bulto,
            o.unidad_pedido,
            o.cuadrante,
            o.peso_unitario,
            o.volumen_unitario,
            o.marca,
            o.presentacion,
            o.categoria,
            o.cedi_origen_id,
            o.es_generador_trafico,
            o.activo,
            user,
            now_rfc3339()
        ],
    )?;
    Ok(())
}
