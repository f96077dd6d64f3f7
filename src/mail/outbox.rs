//! The outbox worker: sends what is due, and on failure schedules the next attempt after 1,
//! 5, 15 and 60 minutes, then gives up (`error`, kept for the admin to see).

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use super::{Email, Mailer};
use crate::appdb::{self, outbox};

/// Minutes to wait after the n-th failed attempt (n = 1, 2, …); `None`: give up.
pub fn retry_delay_minutes(failed_attempts: u32) -> Option<i64> {
    match failed_attempts {
        1 => Some(1),
        2 => Some(5),
        3 => Some(15),
        4 => Some(60),
        _ => None,
    }
}

use crate::appdb::rfc3339 as stamp;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    AppDb(#[from] appdb::AppDbError),
    #[error("outbox task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: u32,
    pub failed: u32,
}

/// Queues a message (due at once).
pub fn enqueue(conn: &rusqlite::Connection, tipo: &str, recipients: &[String], email: &Email) -> Result<i64, appdb::AppDbError> {
    outbox::enqueue(conn, tipo, recipients, &email.subject, &email.html, &email.text, &stamp(Utc::now()))
}

/// Sends every message due at `now`. Each outcome is stored before the next message is tried,
/// so a crash never sends a message twice that was recorded as sent.
pub async fn deliver_due(app_db: &Path, mailer: &Mailer, now: DateTime<Utc>) -> Result<Delivered, OutboxError> {
    let path = app_db.to_path_buf();
    let due = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || outbox::due(&appdb::connect(&path)?, &stamp(now), 50)).await??
    };
    let mut done = Delivered::default();
    for m in due {
        let email = Email { subject: m.asunto.clone(), text: m.cuerpo_texto.clone(), html: m.cuerpo_html.clone() };
        let outcome = mailer.send(&email, &m.destinatarios).await;
        let path = path.clone();
        let attempts = m.intentos + 1;
        let result = match &outcome {
            Ok(()) => {
                done.sent += 1;
                tracing::info!(id = m.id, tipo = %m.tipo, "notification sent");
                None
            }
            Err(e) => {
                done.failed += 1;
                tracing::warn!(id = m.id, tipo = %m.tipo, attempts, "notification not sent: {e}");
                Some(e.to_string())
            }
        };
        tokio::task::spawn_blocking(move || -> Result<(), appdb::AppDbError> {
            let conn = appdb::connect(&path)?;
            match result {
                None => outbox::mark_sent(&conn, m.id, &stamp(Utc::now())),
                Some(error) => {
                    let retry = retry_delay_minutes(attempts).map(|min| stamp(now + Duration::minutes(min)));
                    outbox::mark_failed(&conn, m.id, &error, retry.as_deref())
                }
            }
        })
        .await??;
    }
    Ok(done)
}

/// Runs [`deliver_due`] every `every` until the process ends (started by `serve`).
pub async fn run_worker(app_db: std::path::PathBuf, mailer: Mailer, every: std::time::Duration) {
    if mailer.settings().is_none() {
        return;
    }
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&app_db, &mailer, Utc::now()).await {
            tracing::error!("notification outbox: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_after_1_5_15_and_60_minutes_then_gives_up() {
        let delays: Vec<Option<i64>> = (1..=5).map(retry_delay_minutes).collect();
        assert_eq!(delays, vec![Some(1), Some(5), Some(15), Some(60), None]);
    }
}
