//! The stores working with Fluxion (`tiendas_fluxion_activacion`, spec 40 §3.8): the
//! activation day and the baseline frozen then. A deactivated store keeps its row (and its
//! baseline) so that reactivating it on the same day measures against the same value.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{now_rfc3339, Result};
use crate::domain::bi_impact::Activation;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivationRow {
    pub ubicacion_id: String,
    pub fecha_activacion: NaiveDate,
    /// USD at cost, full precision.
    pub stock_baseline: f64,
    /// `historico` (end of the day before, from the stock history) or `actual`.
    pub baseline_origen: String,
    pub activo: bool,
    pub actualizado_por: String,
    pub actualizado_en: String,
}

impl ActivationRow {
    pub fn activation(&self) -> Activation {
        Activation {
            ubicacion_id: self.ubicacion_id.clone(),
            fecha_activacion: self.fecha_activacion,
            stock_baseline: self.stock_baseline,
            activo: self.activo,
        }
    }
}

const COLUMNS: &str = "ubicacion_id, fecha_activacion, stock_baseline, baseline_origen, activo, actualizado_por, actualizado_en";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActivationRow> {
    let fecha: String = r.get(1)?;
    Ok(ActivationRow {
        ubicacion_id: r.get(0)?,
        fecha_activacion: NaiveDate::parse_from_str(&fecha, "%Y-%m-%d")
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?,
        stock_baseline: r.get(2)?,
        baseline_origen: r.get(3)?,
        activo: r.get::<_, i64>(4)? == 1,
        actualizado_por: r.get(5)?,
        actualizado_en: r.get(6)?,
    })
}

/// Every store ever activated, by id.
pub fn list(conn: &Connection) -> Result<Vec<ActivationRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tiendas_fluxion_activacion ORDER BY ubicacion_id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, ubicacion_id: &str) -> Result<Option<ActivationRow>> {
    Ok(conn
        .query_row(&format!("SELECT {COLUMNS} FROM tiendas_fluxion_activacion WHERE ubicacion_id = ?1"), [ubicacion_id], row)
        .optional()?)
}

/// The active stores as the impact reads them.
pub fn active(conn: &Connection) -> Result<Vec<Activation>> {
    Ok(list(conn)?.iter().filter(|r| r.activo).map(ActivationRow::activation).collect())
}

/// Activates a store from `fecha` with a freshly frozen baseline (replacing an earlier,
/// inactive activation of the store).
pub fn activate(conn: &Connection, ubicacion_id: &str, fecha: NaiveDate, baseline: f64, origen: &str, by: &str) -> Result<ActivationRow> {
    conn.execute(
        "INSERT INTO tiendas_fluxion_activacion (ubicacion_id, fecha_activacion, stock_baseline, baseline_origen, activo, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)
         ON CONFLICT (ubicacion_id) DO UPDATE SET fecha_activacion = excluded.fecha_activacion, stock_baseline = excluded.stock_baseline,
             baseline_origen = excluded.baseline_origen, activo = 1, actualizado_por = excluded.actualizado_por,
             actualizado_en = excluded.actualizado_en",
        params![ubicacion_id, fecha.format("%Y-%m-%d").to_string(), baseline.max(0.0), origen, by, now_rfc3339()],
    )?;
    get(conn, ubicacion_id)?.ok_or(super::AppDbError::Db(rusqlite::Error::QueryReturnedNoRows))
}

/// Sets the store's `activo` flag, keeping its date and baseline; None without a row.
pub fn set_active(conn: &Connection, ubicacion_id: &str, activo: bool, by: &str) -> Result<Option<ActivationRow>> {
    conn.execute(
        "UPDATE tiendas_fluxion_activacion SET activo = ?2, actualizado_por = ?3, actualizado_en = ?4 WHERE ubicacion_id = ?1",
        params![ubicacion_id, i64::from(activo), by, now_rfc3339()],
    )?;
    get(conn, ubicacion_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_round_trip_keeps_the_baseline_when_deactivated() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::open(&dir.path().join("app.sqlite")).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let a = activate(&conn, "tienda_01", d, 1234.5678, "historico", "admin").unwrap();
        assert_eq!((a.fecha_activacion, a.stock_baseline, a.activo), (d, 1234.5678, true));
        let off = set_active(&conn, "tienda_01", false, "admin").unwrap().unwrap();
        assert_eq!((off.activo, off.stock_baseline, off.fecha_activacion), (false, 1234.5678, d));
        assert!(active(&conn).unwrap().is_empty());
        set_active(&conn, "tienda_01", true, "admin").unwrap();
        assert_eq!(active(&conn).unwrap()[0].stock_baseline, 1234.5678);
        assert_eq!(set_active(&conn, "tienda_99", false, "admin").unwrap(), None);
        assert!(conn.execute("UPDATE tiendas_fluxion_activacion SET stock_baseline = -1", []).is_err(), "no negative baseline");
    }
}
