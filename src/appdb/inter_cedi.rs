//! What the inter-CEDI calculation reads from the application database (spec 31 §3–§4): the
//! receiving CEDI's exclusions, the regional class thresholds, and the goods already on the
//! way to it (confirmed or dispatched inter-CEDI orders from the same origin, D-13).

use std::collections::HashMap;

use rusqlite::Connection;

use super::Result;
use crate::domain::distribution::inter_cedi::RankThresholds;

/// The active exclusions of a receiving CEDI (§4.2; all origins), by product code.
pub fn exclusions(conn: &Connection, cedi_destino: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT codigo_producto FROM productos_excluidos_inter_cedi WHERE cedi_destino_id = ?1 AND activo = 1 ORDER BY 1",
    )?;
    let rows = stmt.query_map([cedi_destino], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Ranks of the regional ABC (`inter_cedi_umbral_a/b/c`; 50 / 200 / 800 when unset).
pub fn thresholds(conn: &Connection) -> Result<RankThresholds> {
    let d = RankThresholds::default();
    let get = |name: &str| -> Result<Option<usize>> {
        let v: Option<f64> = conn
            .query_row(
                "SELECT valor_numerico FROM config_inventario_global WHERE categoria = 'inter_cedi' AND parametro = ?1",
                [name],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
        Ok(v.filter(|v| v.is_finite() && *v >= 1.0).map(|v| v as usize))
    };
    Ok(RankThresholds {
        a: get("inter_cedi_umbral_a")?.unwrap_or(d.a),
        b: get("inter_cedi_umbral_b")?.unwrap_or(d.b),
        c: get("inter_cedi_umbral_c")?.unwrap_or(d.c),
    })
}

/// Units on the way from `origin` to `destination` per product: the ordered units of
/// included lines of confirmed or dispatched inter-CEDI orders.
pub fn in_transit(conn: &Connection, origin: &str, destination: &str) -> Result<HashMap<String, f64>> {
    use crate::domain::distribution::inter_cedi_order::ALL_STATES;
    // The states that mean "on the way" come from the state machine, never a second list.
    let states: Vec<&str> = ALL_STATES.iter().filter(|s| s.is_in_transit()).map(|s| s.id()).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT d.codigo_producto, sum(d.total_unidades) FROM pedidos_inter_cedi_detalle d
         JOIN pedidos_inter_cedi p ON p.id = d.pedido_id
         WHERE p.cedi_origen_id = ?1 AND p.cedi_destino_id = ?2 AND d.incluido = 1
           AND p.estado IN (SELECT value FROM json_each(?3))
         GROUP BY 1",
    )?;
    let states = serde_json::to_string(&states).unwrap_or_else(|_| "[]".into());
    let rows = stmt.query_map([origin, destination, &states], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
}

/// Motives an inter-CEDI exclusion may give (§4.2).
pub const EXCLUSION_MOTIVES: &[&str] = &["MANUAL", "SOLO_TIENDA", "PROVEEDOR_LOCAL", "DESCONTINUADO", "OTRO"];

/// One product excluded from the inter-CEDI orders towards a receiving CEDI.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exclusion {
    pub id: i64,
    pub cedi_destino_id: String,
    pub codigo_producto: String,
    pub cedi_origen_id: Option<String>,
    pub descripcion_producto: Option<String>,
    pub categoria: Option<String>,
    pub motivo: String,
    pub observaciones: Option<String>,
    pub creado_por: Option<String>,
    pub fecha_creacion: String,
}

/// A new exclusion, its product already resolved to its canonical code.
pub struct NewExclusion<'a> {
    pub cedi_destino_id: &'a str,
    pub codigo_producto: &'a str,
    pub cedi_origen_id: Option<&'a str>,
    pub descripcion_producto: Option<&'a str>,
    pub categoria: Option<&'a str>,
    pub motivo: &'a str,
    pub observaciones: Option<&'a str>,
    pub user: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    New(i64),
    /// A removed exclusion of the same product, active again with the new motive (D-3: the
    /// original's unique key made this a 500).
    Reactivated(i64),
    AlreadyExcluded,
}

/// Adds (or reactivates) an exclusion; each call is its own statement, so a bulk add keeps
/// every item that succeeded whatever happens to the next one.
pub fn add_exclusion(conn: &Connection, e: &NewExclusion<'_>) -> Result<Added> {
    let existing: Option<(i64, i64)> = conn
        .query_row(
            "SELECT id, activo FROM productos_excluidos_inter_cedi WHERE cedi_destino_id = ?1 AND codigo_producto = ?2",
            [e.cedi_destino_id, e.codigo_producto],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map(Some)
        .or_else(|err| if matches!(err, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(err) })?;
    let now = super::now_rfc3339();
    match existing {
        Some((_, 1)) => Ok(Added::AlreadyExcluded),
        Some((id, _)) => {
            conn.execute(
                "UPDATE productos_excluidos_inter_cedi SET activo = 1, motivo = ?2, observaciones = ?3, creado_por = ?4, fecha_creacion = ?5,
                     cedi_origen_id = ?6, descripcion_producto = ?7, categoria = ?8 WHERE id = ?1",
                rusqlite::params![id, e.motivo, e.observaciones, e.user, now, e.cedi_origen_id, e.descripcion_producto, e.categoria],
            )?;
            Ok(Added::Reactivated(id))
        }
        None => {
            conn.execute(
                "INSERT INTO productos_excluidos_inter_cedi (cedi_destino_id, codigo_producto, cedi_origen_id, descripcion_producto, categoria,
                     motivo, observaciones, creado_por, fecha_creacion) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    e.cedi_destino_id,
                    e.codigo_producto,
                    e.cedi_origen_id,
                    e.descripcion_producto,
                    e.categoria,
                    e.motivo,
                    e.observaciones,
                    e.user,
                    now
                ],
            )?;
            Ok(Added::New(conn.last_insert_rowid()))
        }
    }
}

/// Removes an active exclusion (soft: the row stays, inactive). False when there is none.
pub fn remove_exclusion(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("UPDATE productos_excluidos_inter_cedi SET activo = 0 WHERE id = ?1 AND activo = 1", [id])? > 0)
}

/// The active exclusions of a destination, newest first, filtered by text (code, description,
/// category) and motive; with the total before paging.
pub fn list_exclusions(
    conn: &Connection,
    cedi_destino: &str,
    search: Option<&str>,
    motivo: Option<&str>,
    limit: u32,
    offset: u32,
) -> Result<(Vec<Exclusion>, i64)> {
    let filter = "cedi_destino_id = ?1 AND activo = 1
         AND (?2 IS NULL OR instr(lower(codigo_producto || ' ' || coalesce(descripcion_producto, '') || ' ' || coalesce(categoria, '')), lower(?2)) > 0)
         AND (?3 IS NULL OR motivo = ?3)";
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM productos_excluidos_inter_cedi WHERE {filter}"),
        rusqlite::params![cedi_destino, search, motivo],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT id, cedi_destino_id, codigo_producto, cedi_origen_id, descripcion_producto, categoria, motivo, observaciones, creado_por,
                fecha_creacion FROM productos_excluidos_inter_cedi WHERE {filter} ORDER BY fecha_creacion DESC, id DESC LIMIT ?4 OFFSET ?5"
    ))?;
    let rows = stmt.query_map(rusqlite::params![cedi_destino, search, motivo, limit, offset], |r| {
        Ok(Exclusion {
            id: r.get(0)?,
            cedi_destino_id: r.get(1)?,
            codigo_producto: r.get(2)?,
            cedi_origen_id: r.get(3)?,
            descripcion_producto: r.get(4)?,
            categoria: r.get(5)?,
            motivo: r.get(6)?,
            observaciones: r.get(7)?,
            creado_por: r.get(8)?,
            fecha_creacion: r.get(9)?,
        })
    })?;
    Ok((rows.collect::<rusqlite::Result<Vec<_>>>()?, total))
}

/// Counts of a destination's active exclusions: total, per motive, per origin (`sin_asignar`
/// when the product had none).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExclusionStats {
    pub total_excluidos: i64,
    pub por_motivo: std::collections::BTreeMap<String, i64>,
    pub por_cedi_origen: std::collections::BTreeMap<String, i64>,
}

pub fn exclusion_stats(conn: &Connection, cedi_destino: &str) -> Result<ExclusionStats> {
    let count_by = |column: &str| -> Result<std::collections::BTreeMap<String, i64>> {
        let mut stmt = conn.prepare(&format!(
            "SELECT coalesce({column}, 'sin_asignar'), count(*) FROM productos_excluidos_inter_cedi
             WHERE cedi_destino_id = ?1 AND activo = 1 GROUP BY 1"
        ))?;
        let rows = stmt.query_map([cedi_destino], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let por_motivo = count_by("motivo")?;
    Ok(ExclusionStats { total_excluidos: por_motivo.values().sum(), por_motivo, por_cedi_origen: count_by("cedi_origen_id")? })
}
