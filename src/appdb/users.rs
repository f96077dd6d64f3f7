//! Accounts, store assignments, login attempts and revoked tokens (SQLite).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::{now_rfc3339, Result};

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub nombre_completo: Option<String>,
    pub email: Option<String>,
    pub activo: bool,
    pub rol_id: String,
    #[serde(skip)]
    pub token_version: i64,
    pub must_change_password: bool,
    pub created_at: String,
    pub ultimo_login: Option<String>,
}

const COLUMNS: &str = "id, username, password_hash, nombre_completo, email, activo, rol_id, token_version, \
                       must_change_password, created_at, ultimo_login";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get(2)?,
        nombre_completo: r.get(3)?,
        email: r.get(4)?,
        activo: r.get(5)?,
        rol_id: r.get(6)?,
        token_version: r.get(7)?,
        must_change_password: r.get(8)?,
        created_at: r.get(9)?,
        ultimo_login: r.get(10)?,
    })
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub password_hash: &'a str,
    pub nombre_completo: Option<&'a str>,
    pub email: Option<&'a str>,
    pub rol_id: &'a str,
    pub must_change_password: bool,
}

/// Creates a user; returns its id. The username is stored lower-case.
pub fn create(conn: &Connection, u: &NewUser<'_>) -> Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_rfc3339();
    conn.execute(
        "INSERT INTO usuarios (id, username, password_hash, nombre_completo, email, rol_id, must_change_password,
                               created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![id, u.username.trim().to_lowercase(), u.password_hash, u.nombre_completo, u.email, u.rol_id, u.must_change_password, now],
    )?;
    Ok(id)
}

pub fn exists(conn: &Connection, username: &str) -> Result<bool> {
    Ok(by_username(conn, username)?.is_some())
}

pub fn by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(conn
        .query_row(&format!("SELECT {COLUMNS} FROM usuarios WHERE username = ?1"), [username.trim().to_lowercase()], from_row)
        .optional()?)
}

pub fn by_id(conn: &Connection, id: &str) -> Result<Option<User>> {
    Ok(conn.query_row(&format!("SELECT {COLUMNS} FROM usuarios WHERE id = ?1"), [id], from_row).optional()?)
}

/// Newest first.
pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM usuarios ORDER BY created_at DESC, rowid DESC"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM usuarios", [], |r| r.get(0))?)
}

/// Active assignments of a user to active stores (kind tienda).
pub fn assigned_stores(conn: &Connection, user_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT ut.ubicacion_id FROM usuarios_tiendas ut JOIN ubicaciones u ON u.id = ut.ubicacion_id
         WHERE ut.usuario_id = ?1 AND ut.activo = 1 AND u.activo = 1 AND u.tipo = 'tienda' ORDER BY ut.ubicacion_id",
    )?;
    let rows = stmt.query_map([user_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces a user's store assignments (deletes them all when `stores` is empty).
pub fn set_stores(conn: &Connection, user_id: &str, stores: &[String], by: &str) -> Result<()> {
    conn.execute("DELETE FROM usuarios_tiendas WHERE usuario_id = ?1", [user_id])?;
    let now = now_rfc3339();
    for s in stores {
        conn.execute(
            "INSERT INTO usuarios_tiendas (usuario_id, ubicacion_id, asignado_por, asignado_at) VALUES (?1, ?2, ?3, ?4)",
            params![user_id, s, by, now],
        )?;
    }
    Ok(())
}

/// Invalidates every token of the user (password, role, stores or state changed).
fn bump_version(conn: &Connection, user_id: &str) -> Result<()> {
    conn.execute("UPDATE usuarios SET token_version = token_version + 1, updated_at = ?2 WHERE id = ?1", params![user_id, now_rfc3339()])?;
    Ok(())
}

pub fn set_password(conn: &Connection, user_id: &str, password_hash: &str, must_change: bool) -> Result<()> {
    conn.execute(
        "UPDATE usuarios SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
        params![user_id, password_hash, must_change],
    )?;
    bump_version(conn, user_id)
}

/// Re-hash on login (bcrypt → argon2id): same password, sessions stay valid.
pub fn upgrade_hash(conn: &Connection, user_id: &str, password_hash: &str) -> Result<()> {
    conn.execute("UPDATE usuarios SET password_hash = ?2 WHERE id = ?1", params![user_id, password_hash])?;
    Ok(())
}

pub fn set_role(conn: &Connection, user_id: &str, rol_id: &str) -> Result<()> {
    conn.execute("UPDATE usuarios SET rol_id = ?2 WHERE id = ?1", params![user_id, rol_id])?;
    bump_version(conn, user_id)
}

pub fn set_active(conn: &Connection, user_id: &str, activo: bool) -> Result<()> {
    conn.execute("UPDATE usuarios SET activo = ?2 WHERE id = ?1", params![user_id, activo])?;
    bump_version(conn, user_id)
}

/// Profile fields that do not affect sessions.
pub fn set_profile(conn: &Connection, user_id: &str, nombre: Option<&str>, email: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE usuarios SET nombre_completo = ?2, email = ?3, updated_at = ?4 WHERE id = ?1",
        params![user_id, nombre, email, now_rfc3339()],
    )?;
    Ok(())
}

/// Ends every session of a user (logout everywhere).
pub fn revoke_all(conn: &Connection, user_id: &str) -> Result<()> {
    bump_version(conn, user_id)
}

pub fn touch_login(conn: &Connection, user_id: &str) -> Result<()> {
    conn.execute("UPDATE usuarios SET ultimo_login = ?2 WHERE id = ?1", params![user_id, now_rfc3339()])?;
    Ok(())
}

pub fn active_admins(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM usuarios WHERE activo = 1 AND rol_id = 'super_admin'", [], |r| r.get(0))?)
}

// ---- login attempts and revocation -------------------------------------------------

pub fn record_attempt(conn: &Connection, username: &str, ip: Option<&str>, success: bool, at: &str) -> Result<()> {
    conn.execute("INSERT INTO login_attempts (username, ip, at, success) VALUES (?1, ?2, ?3, ?4)", params![username, ip, at, success])?;
    Ok(())
}

/// Failed attempts of a username after its last success and not before `since`.
pub fn recent_failures(conn: &Connection, username: &str, since: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT at FROM login_attempts
         WHERE username = ?1 AND success = 0 AND at >= ?2
           AND at > coalesce((SELECT max(at) FROM login_attempts WHERE username = ?1 AND success = 1), '')
         ORDER BY at",
    )?;
    let rows = stmt.query_map(params![username, since], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn revoke_token(conn: &Connection, jti: &str, expires_at: &str) -> Result<()> {
    conn.execute("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2)", params![jti, expires_at])?;
    Ok(())
}

pub fn is_revoked(conn: &Connection, jti: &str) -> Result<bool> {
    Ok(conn.query_row("SELECT 1 FROM revoked_tokens WHERE jti = ?1", [jti], |_| Ok(())).optional()?.is_some())
}
