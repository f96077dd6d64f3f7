//! User accounts (the full account management arrives with the auth issue).

use rusqlite::{params, Connection, OptionalExtension};

use super::{now_rfc3339, Result};

/// Creates a user with an already hashed password; returns its id.
pub fn create(conn: &Connection, username: &str, password_hash: &str, nombre: &str, rol: &str) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO usuarios (id, username, password_hash, nombre_completo, rol_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![id, username.to_lowercase(), password_hash, nombre, rol, now],
    )?;
    Ok(id)
}

pub fn exists(conn: &Connection, username: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM usuarios WHERE username = ?1", [username.to_lowercase()], |_| Ok(()))
        .optional()?
        .is_some())
}
