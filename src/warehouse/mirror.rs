//! One-way mirrors of the tenant's locations into the warehouse (schema `app`), so that
//! analytic queries can join names, regions and warehouse roles. Replaced whole at start-up.

use duckdb::{params, Connection};

use crate::config::TenantFile;
use crate::domain::products::ProductOverride;

pub fn sync_locations(conn: &Connection, file: &TenantFile) -> duckdb::Result<()> {
    conn.execute_batch("DELETE FROM app.ubicaciones; DELETE FROM app.almacenes; DELETE FROM app.regiones;")?;
    for r in &file.regions {
        conn.execute("INSERT INTO app.regiones VALUES (?, ?, ?)", params![r.id, r.name, r.cedi_reposicion])?;
    }
    for (orden, s) in file.stores.iter().enumerate() {
        let (opening, closing) = s.hours();
        conn.execute(
            "INSERT INTO app.ubicaciones VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                s.id,
                s.name,
                s.kind,
                s.region,
                s.city,
                s.active,
                opening,
                closing,
                s.pos,
                s.visible_pedidos.unwrap_or(s.is_cedi()),
                s.visible_reportes,
                s.visible_dashboards,
                orden as i64
            ],
        )?;
        for a in s.warehouses() {
            conn.execute(
                "INSERT INTO app.almacenes VALUES (?, ?, ?, ?, ?, ?)",
                params![s.id, a.codigo, a.nombre, a.tipo, a.incluir_en_deficit, a.activo],
            )?;
        }
    }
    Ok(())
}

/// Replaces the mirror of the product overrides (a few hundred rows at most) with `all`:
/// run at start-up and after every committed edit, in one warehouse transaction.
pub fn sync_product_overrides(conn: &Connection, all: &[ProductOverride]) -> duckdb::Result<()> {
    conn.execute_batch("DELETE FROM app.producto_ajustes")?;
    let mut insert = conn.prepare("INSERT INTO app.producto_ajustes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")?;
    for o in all {
        insert.execute(params![
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
            o.activo
        ])?;
    }
    Ok(())
}
