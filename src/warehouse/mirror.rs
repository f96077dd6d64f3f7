//! One-way mirrors of the tenant's locations into the warehouse (schema `app`), so that
//! analytic queries can join names, regions and warehouse roles. Replaced whole at start-up.

use duckdb::{params, Connection};

use crate::config::TenantFile;

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
