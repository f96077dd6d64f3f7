//! Substitutable product sets in the application database (spec 31 §5): the sets, their
//! members with an optional manual share, and the active sets the store-need engine reads.
//! "A product belongs to at most one active set" is checked here, inside the transaction
//! that adds the member or reactivates the set.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{now_rfc3339, Result};
use crate::domain::replenishment::substitutes::SubstituteSet;

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub codigo_producto: String,
    /// Percent of the set's demand; None = from units over 12 weeks.
    pub share_manual: Option<f64>,
    pub activo: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Set {
    pub id: i64,
    pub nombre: String,
    pub descripcion: Option<String>,
    pub categoria: Option<String>,
    pub activo: bool,
    pub creado_por: String,
    pub created_at: String,
    pub updated_at: String,
    /// Shown through the use case's view (with product names).
    #[serde(skip)]
    pub productos: Vec<Member>,
}

/// The header values of a set as the administrator types them.
#[derive(Debug, Clone)]
pub struct SetFields<'a> {
    pub nombre: &'a str,
    pub descripcion: Option<&'a str>,
    pub categoria: Option<&'a str>,
    pub activo: bool,
}

/// Why a change was refused, for the caller to name.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Missing,
    DuplicateName,
    /// `(product code, name of the other active set)`.
    InAnotherSet(String, String),
}

fn members(conn: &Connection, id: i64) -> Result<Vec<Member>> {
    let mut stmt = conn.prepare_cached(
        "SELECT codigo_producto, share_manual, activo FROM conjunto_productos WHERE conjunto_id = ?1 ORDER BY codigo_producto",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Member { codigo_producto: r.get("codigo_producto")?, share_manual: r.get("share_manual")?, activo: r.get("activo")? })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn set_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Set> {
    Ok(Set {
        id: r.get("id")?,
        nombre: r.get("nombre")?,
        descripcion: r.get("descripcion")?,
        categoria: r.get("categoria")?,
        activo: r.get("activo")?,
        creado_por: r.get("creado_por")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
        productos: Vec::new(),
    })
}

/// Every set (active first, then by name) with its members.
pub fn list(conn: &Connection) -> Result<Vec<Set>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM conjuntos_sustituibles ORDER BY activo DESC, nombre")?;
    let mut sets = stmt.query_map([], set_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    for s in &mut sets {
        s.productos = members(conn, s.id)?;
    }
    Ok(sets)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Set>> {
    let set = conn.query_row("SELECT * FROM conjuntos_sustituibles WHERE id = ?1", [id], set_row).optional()?;
    match set {
        Some(mut s) => {
            s.productos = members(conn, id)?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

fn name_taken(conn: &Connection, nombre: &str, except: Option<i64>) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM conjuntos_sustituibles WHERE lower(trim(nombre)) = lower(trim(?1)) AND id IS NOT ?2",
            params![nombre, except],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The other active set an active member `code` already belongs to, if any.
fn other_active_set(conn: &Connection, code: &str, this: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT c.nombre FROM conjunto_productos m JOIN conjuntos_sustituibles c ON c.id = m.conjunto_id
             WHERE m.codigo_producto = ?1 AND m.activo = 1 AND c.activo = 1 AND c.id <> ?2 LIMIT 1",
            params![code, this],
            |r| r.get(0),
        )
        .optional()?)
}

/// A new set with its members (codes already canonical); its id.
pub fn create(
    conn: &Connection,
    f: &SetFields<'_>,
    productos: &[(String, Option<f64>)],
    user: &str,
) -> Result<std::result::Result<i64, Refusal>> {
    let tx = conn.unchecked_transaction()?;
    if name_taken(&tx, f.nombre, None)? {
        return Ok(Err(Refusal::DuplicateName));
    }
    let now = now_rfc3339();
    tx.execute(
        "INSERT INTO conjuntos_sustituibles (nombre, descripcion, categoria, activo, creado_por, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![f.nombre.trim(), f.descripcion, f.categoria, f.activo, user, now],
    )?;
    let id = tx.last_insert_rowid();
    if let Err(r) = write_members(&tx, id, f.activo, productos)? {
        return Ok(Err(r));
    }
    tx.commit()?;
    Ok(Ok(id))
}

/// Replaces a set's header values and members in one transaction.
pub fn update(
    conn: &Connection,
    id: i64,
    f: &SetFields<'_>,
    productos: &[(String, Option<f64>)],
) -> Result<std::result::Result<(), Refusal>> {
    let tx = conn.unchecked_transaction()?;
    let exists: Option<i64> = tx.query_row("SELECT id FROM conjuntos_sustituibles WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    if exists.is_none() {
        return Ok(Err(Refusal::Missing));
    }
    if name_taken(&tx, f.nombre, Some(id))? {
        return Ok(Err(Refusal::DuplicateName));
    }
    tx.execute(
        "UPDATE conjuntos_sustituibles SET nombre = ?2, descripcion = ?3, categoria = ?4, activo = ?5, updated_at = ?6 WHERE id = ?1",
        params![id, f.nombre.trim(), f.descripcion, f.categoria, f.activo, now_rfc3339()],
    )?;
    tx.execute("DELETE FROM conjunto_productos WHERE conjunto_id = ?1", [id])?;
    if let Err(r) = write_members(&tx, id, f.activo, productos)? {
        return Ok(Err(r));
    }
    tx.commit()?;
    Ok(Ok(()))
}

fn write_members(tx: &Connection, id: i64, active: bool, productos: &[(String, Option<f64>)]) -> Result<std::result::Result<(), Refusal>> {
    let mut insert =
        tx.prepare_cached("INSERT INTO conjunto_productos (conjunto_id, codigo_producto, share_manual, activo) VALUES (?1, ?2, ?3, 1)")?;
    for (code, share) in productos {
        if active {
            if let Some(other) = other_active_set(tx, code, id)? {
                return Ok(Err(Refusal::InAnotherSet(code.clone(), other)));
            }
        }
        insert.execute(params![id, code, share])?;
    }
    Ok(Ok(()))
}

/// Hard delete (members cascade). `false` when no such set.
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.execute("DELETE FROM conjuntos_sustituibles WHERE id = ?1", [id])? == 1)
}

/// The active sets with their active members, for the engine. A set of fewer than two
/// members changes nothing and is left out.
pub fn active(conn: &Connection) -> Result<Vec<SubstituteSet>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.nombre, m.codigo_producto, m.share_manual FROM conjuntos_sustituibles c
         JOIN conjunto_productos m ON m.conjunto_id = c.id AND m.activo = 1
         WHERE c.activo = 1 ORDER BY c.id, m.codigo_producto",
    )?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<f64>>(3)?)))?;
    let mut sets: Vec<SubstituteSet> = Vec::new();
    for row in rows {
        let (id, nombre, code, share) = row?;
        match sets.last_mut() {
            Some(s) if s.id == id => s.miembros.push((code, share)),
            _ => sets.push(SubstituteSet { id, nombre, miembros: vec![(code, share)] }),
        }
    }
    sets.retain(|s| s.miembros.len() >= 2);
    Ok(sets)
}
