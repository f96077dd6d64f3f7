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
    let mut stmt = conn.prepare_cached(
        "SELECT d.codigo_producto, sum(d.total_unidades) FROM pedidos_inter_cedi_detalle d
         JOIN pedidos_inter_cedi p ON p.id = d.pedido_id
         WHERE p.cedi_origen_id = ?1 AND p.cedi_destino_id = ?2 AND p.estado IN ('confirmado', 'despachado') AND d.incluido = 1
         GROUP BY 1",
    )?;
    let rows = stmt.query_map([origin, destination], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
}
