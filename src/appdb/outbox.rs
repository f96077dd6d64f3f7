//! The notification outbox (`notification_outbox`): every e-mail is written here first and
//! delivered by a worker, so a mail server that is down delays messages but loses none.

use rusqlite::{params, Connection, Row};

use super::Result;

/// A message waiting to be sent (or retried).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: i64,
    pub tipo: String,
    pub destinatarios: Vec<String>,
    pub asunto: String,
    pub cuerpo_html: String,
    pub cuerpo_texto: String,
    pub intentos: u32,
}

/// Queues a message; it is due at once. Returns its id.
pub fn enqueue(conn: &Connection, tipo: &str, recipients: &[String], subject: &str, html: &str, text: &str, now: &str) -> Result<i64> {
    let to = serde_json::to_string(recipients).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO notification_outbox (creado_en, tipo, destinatarios, asunto, cuerpo_html, cuerpo_texto, proximo_intento_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1)",
        params![now, tipo, to, subject, html, text],
    )?;
    Ok(conn.last_insert_rowid())
}

fn pending(r: &Row<'_>) -> rusqlite::Result<Pending> {
    let to: String = r.get("destinatarios")?;
    Ok(Pending {
        id: r.get("id")?,
        tipo: r.get("tipo")?,
        destinatarios: serde_json::from_str(&to).unwrap_or_default(),
        asunto: r.get("asunto")?,
        cuerpo_html: r.get("cuerpo_html")?,
        cuerpo_texto: r.get("cuerpo_texto")?,
        intentos: r.get("intentos")?,
    })
}

/// Messages due at `now` (UTC, RFC 3339), oldest first.
pub fn due(conn: &Connection, now: &str, limit: u32) -> Result<Vec<Pending>> {
    let mut stmt = conn
        .prepare_cached("SELECT * FROM notification_outbox WHERE estado = 'pendiente' AND proximo_intento_en <= ?1 ORDER BY id LIMIT ?2")?;
    let rows = stmt.query_map(params![now, limit], pending)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn mark_sent(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE notification_outbox SET estado = 'enviado', enviado_en = ?2, intentos = intentos + 1, proximo_intento_en = NULL,
             ultimo_error = NULL
         WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up (`error`) when `None`.
pub fn mark_failed(conn: &Connection, id: i64, error: &str, retry_at: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE notification_outbox SET intentos = intentos + 1, ultimo_error = ?2, proximo_intento_en = ?3,
             estado = CASE WHEN ?3 IS NULL THEN 'error' ELSE 'pendiente' END
         WHERE id = ?1",
        params![id, error, retry_at],
    )?;
    Ok(())
}
