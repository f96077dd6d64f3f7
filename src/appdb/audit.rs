//! Append-only audit log: who did what, when, from where.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::{now_rfc3339, Result};

pub struct Entry<'a> {
    pub usuario: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub accion: &'a str,
    pub entidad: Option<&'a str>,
    pub entidad_id: Option<&'a str>,
    pub detalle: Option<serde_json::Value>,
}

pub fn append(conn: &Connection, e: &Entry<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_log (at, usuario, ip, accion, entidad, entidad_id, detalle) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![now_rfc3339(), e.usuario, e.ip, e.accion, e.entidad, e.entidad_id, e.detalle.as_ref().map(|d| d.to_string())],
    )?;
    Ok(())
}

/// One row of the audit log (fields in alphabetical order: the order `GET /api/admin/audit`
/// has always answered them in).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRow {
    pub accion: String,
    pub at: String,
    /// What changed, as the action recorded it (free-form).
    #[schema(value_type = Option<Object>)]
    pub detalle: Option<serde_json::Value>,
    pub entidad: Option<String>,
    pub entidad_id: Option<String>,
    pub id: i64,
    pub ip: Option<String>,
    pub usuario: Option<String>,
}

/// Newest first.
pub fn list(conn: &Connection, limit: i64, offset: i64, accion: Option<&str>) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, usuario, ip, accion, entidad, entidad_id, detalle FROM audit_log
         WHERE (?3 IS NULL OR accion = ?3) ORDER BY id DESC LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt.query_map(params![limit, offset, accion], |r| {
        let detalle: Option<String> = r.get(7)?;
        Ok(AuditRow {
            id: r.get(0)?,
            at: r.get(1)?,
            usuario: r.get(2)?,
            ip: r.get(3)?,
            accion: r.get(4)?,
            entidad: r.get(5)?,
            entidad_id: r.get(6)?,
            detalle: detalle.and_then(|d| serde_json::from_str(&d).ok()),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
