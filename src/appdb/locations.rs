//! tenant.toml → `ubicaciones`, `almacenes`, `regiones` (spec 50 §5.4). The file is the only
//! writer of these rows; a location or warehouse that disappears from it is deactivated,
//! never deleted, because history references it.

use rusqlite::{params, Connection};

use super::{now_rfc3339, Result};
use crate::config::TenantFile;

#[allow(clippy::expect_used)] // a list of strings always serialises
pub fn sync(conn: &mut Connection, file: &TenantFile) -> Result<()> {
    let now = now_rfc3339();
    let tx = conn.transaction()?;
    for r in &file.regions {
        tx.execute(
            "INSERT INTO regiones (codigo, nombre, cedi_reposicion_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (codigo) DO UPDATE SET nombre = excluded.nombre, cedi_reposicion_id = excluded.cedi_reposicion_id",
            params![r.id, r.name, r.cedi_reposicion],
        )?;
    }
    tx.execute("UPDATE ubicaciones SET activo = 0, updated_at = ?1 WHERE activo = 1", [&now])?;
    tx.execute("UPDATE almacenes SET activo = 0, updated_at = ?1 WHERE activo = 1", [&now])?;
    let default_credentials = file.pos.stellar.as_ref().and_then(|p| p.credentials.clone());
    for s in &file.stores {
        let (opening, closing) = s.hours();
        let st = s.stellar.as_ref();
        let klk = s.klk.as_ref();
        let stellar_port = st.map(|x| x.port.or(file.pos.stellar.as_ref().map(|p| p.default_port)).unwrap_or(1433));
        let stellar_db = st.map(|x| {
            x.database.clone().or(file.pos.stellar.as_ref().map(|p| p.default_database.clone())).unwrap_or_else(|| "VAD10".into())
        });
        let credential = st.and_then(|x| x.credentials.clone().or(default_credentials.clone()));
        tx.execute(
            "INSERT INTO ubicaciones (id, nombre, tipo, region, ciudad, activo, hora_apertura, hora_cierre,
                 visible_pedidos, visible_reportes, visible_dashboards, sistema_pos, klk_codigo_sucursal,
                 klk_almacen_ventas, stellar_host, stellar_port, stellar_database, stellar_codigo_deposito,
                 stellar_credential_ref, stellar_timeout_s, fecha_activacion_fluxion, cedi_sirve_regiones,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23)
             ON CONFLICT (id) DO UPDATE SET
                 nombre = excluded.nombre, tipo = excluded.tipo, region = excluded.region, ciudad = excluded.ciudad,
                 activo = excluded.activo, hora_apertura = excluded.hora_apertura, hora_cierre = excluded.hora_cierre,
                 visible_pedidos = excluded.visible_pedidos, visible_reportes = excluded.visible_reportes,
                 visible_dashboards = excluded.visible_dashboards, sistema_pos = excluded.sistema_pos,
                 klk_codigo_sucursal = excluded.klk_codigo_sucursal, klk_almacen_ventas = excluded.klk_almacen_ventas,
                 stellar_host = excluded.stellar_host, stellar_port = excluded.stellar_port,
                 stellar_database = excluded.stellar_database, stellar_codigo_deposito = excluded.stellar_codigo_deposito,
                 stellar_credential_ref = excluded.stellar_credential_ref, stellar_timeout_s = excluded.stellar_timeout_s,
                 fecha_activacion_fluxion = excluded.fecha_activacion_fluxion,
                 cedi_sirve_regiones = excluded.cedi_sirve_regiones, updated_at = excluded.updated_at",
            params![
                s.id,
                s.name,
                s.kind,
                s.region,
                s.city,
                s.active,
                opening,
                closing,
                s.visible_pedidos.unwrap_or(s.is_cedi()),
                s.visible_reportes,
                s.visible_dashboards,
                s.pos,
                klk.and_then(|k| k.sucursal.clone()),
                klk.and_then(|k| k.almacen_ventas.clone()),
                st.and_then(|x| x.host.clone()),
                stellar_port,
                stellar_db,
                st.and_then(|x| x.codigo_deposito.clone()),
                credential,
                st.map(|x| x.timeout_seconds).unwrap_or(90),
                s.go_live,
                serde_json::to_string(&s.serves_regions).expect("strings serialise"),
                now,
            ],
        )?;
        for a in s.warehouses() {
            tx.execute(
                "INSERT INTO almacenes (ubicacion_id, codigo, nombre, tipo, incluir_en_deficit, activo, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                 ON CONFLICT (ubicacion_id, codigo) DO UPDATE SET nombre = excluded.nombre, tipo = excluded.tipo,
                     incluir_en_deficit = excluded.incluir_en_deficit, activo = excluded.activo, updated_at = excluded.updated_at",
                params![s.id, a.codigo, a.nombre, a.tipo, a.incluir_en_deficit, a.activo, now],
            )?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(stores: &str) -> TenantFile {
        toml::from_str(&format!(
            "schema_version = 1\n[tenant]\nid = \"t\"\ndisplay_name = \"T\"\n[server]\npublic_url = \"http://x\"\n\
             allowed_hosts = [\"x\"]\n[[regions]]\nid = \"VALENCIA\"\nname = \"Valencia\"\n{stores}"
        ))
        .unwrap()
    }

    fn store(id: &str, name: &str) -> String {
        format!("[[stores]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"tienda\"\n[[stores.almacenes]]\ncodigo = \"{id}-PV\"\nnombre = \"PISO\"\ntipo = \"piso_venta\"\n")
    }

    /// Worked example of spec 50 §5.4: rename, disappearance, addition.
    #[test]
    fn renamed_removed_and_added_locations() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::appdb::open(&dir.path().join("app.sqlite")).unwrap();
        sync(&mut conn, &file(&(store("tienda_01", "TIENDA 01") + &store("tienda_02", "TIENDA 02")))).unwrap();
        sync(&mut conn, &file(&(store("tienda_01", "TIENDA NORTE") + &store("tienda_03", "TIENDA 03")))).unwrap();
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT id, nombre, activo FROM ubicaciones ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("tienda_01".into(), "TIENDA NORTE".into(), 1),
                ("tienda_02".into(), "TIENDA 02".into(), 0),
                ("tienda_03".into(), "TIENDA 03".into(), 1),
            ]
        );
        let wh_active: i64 = conn.query_row("SELECT activo FROM almacenes WHERE ubicacion_id = 'tienda_02'", [], |r| r.get(0)).unwrap();
        assert_eq!(wh_active, 0);
    }
}
