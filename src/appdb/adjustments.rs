//! `ajustes_auditoria`: physical counts recorded beside the POS's stock (spec 40 §7.5).

use rusqlite::{params, Connection};
use serde::Serialize;

use super::Result;

/// One recorded count that differed from the system's stock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub id: i64,
    pub lote: String,
    pub usuario: String,
    pub fecha: String,
    pub ubicacion_id: String,
    pub almacen_codigo: Option<String>,
    pub producto_codigo: String,
    pub stock_anterior: f64,
    pub conteo: f64,
    pub diferencia: f64,
    pub observaciones: Option<String>,
}

pub struct NewAdjustment<'a> {
    pub lote: &'a str,
    pub usuario: &'a str,
    pub ubicacion_id: &'a str,
    pub almacen_codigo: Option<&'a str>,
    pub producto_codigo: &'a str,
    pub stock_anterior: f64,
    pub conteo: f64,
    pub diferencia: f64,
    pub observaciones: Option<&'a str>,
}

pub fn insert(conn: &Connection, a: &NewAdjustment<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO ajustes_auditoria (lote, usuario, ubicacion_id, almacen_codigo, producto_codigo, stock_anterior, conteo, diferencia, observaciones)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![a.lote, a.usuario, a.ubicacion_id, a.almacen_codigo, a.producto_codigo, a.stock_anterior, a.conteo, a.diferencia, a.observaciones],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A location's recorded counts, newest first (at most `limit`).
pub fn list(conn: &Connection, location: &str, limit: i64) -> Result<Vec<Adjustment>> {
    let mut stmt = conn.prepare(
        "SELECT id, lote, usuario, fecha, ubicacion_id, almacen_codigo, producto_codigo, stock_anterior, conteo, diferencia, observaciones
         FROM ajustes_auditoria WHERE ubicacion_id = ?1 ORDER BY fecha DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![location, limit], |r| {
        Ok(Adjustment {
            id: r.get("id")?,
            lote: r.get("lote")?,
            usuario: r.get("usuario")?,
            fecha: r.get("fecha")?,
            ubicacion_id: r.get("ubicacion_id")?,
            almacen_codigo: r.get("almacen_codigo")?,
            producto_codigo: r.get("producto_codigo")?,
            stock_anterior: r.get("stock_anterior")?,
            conteo: r.get("conteo")?,
            diferencia: r.get("diferencia")?,
            observaciones: r.get("observaciones")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
