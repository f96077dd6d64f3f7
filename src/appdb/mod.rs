//! Application state (SQLite file `app.sqlite`): users, orders, settings, audit, ETL runs.
//! Embedded, numbered migrations with SHA-256 checksums; WAL; foreign keys on.

pub mod activation;
pub mod adjustments;
pub mod audit;
pub mod emergencies;
pub mod inter_cedi;
pub mod inter_cedi_orders;
pub mod inventory_settings;
pub mod locations;
pub mod orders;
pub mod outbox;
pub mod product_overrides;
pub mod substitutable_sets;
pub mod traffic_generators;
pub mod users;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// (version, name, sql). Append only; never edit a released migration (its checksum is stored).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "app_state", include_str!("migrations/0001_app_state.sql")),
    (2, "etl_connectors", include_str!("migrations/0002_etl_connectors.sql")),
    (3, "demand_cache", include_str!("migrations/0003_demand_cache.sql")),
    (4, "order_discards", include_str!("migrations/0004_order_discards.sql")),
    (5, "transit_index", include_str!("migrations/0005_transit_index.sql")),
    (6, "product_override_fields", include_str!("migrations/0006_product_override_fields.sql")),
    (7, "substitutable_sets", include_str!("migrations/0007_substitutable_sets.sql")),
    (8, "emergency_scans", include_str!("migrations/0008_emergency_scans.sql")),
    (9, "order_lines_write_path", include_str!("migrations/0009_order_lines_write_path.sql")),
    (10, "fluxion_activation", include_str!("migrations/0010_fluxion_activation.sql")),
    (11, "traffic_generators", include_str!("migrations/0011_traffic_generators.sql")),
    (12, "order_lines_without_line_index", include_str!("migrations/0012_order_lines_without_line_index.sql")),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

#[derive(Debug, thiserror::Error)]
pub enum AppDbError {
    #[error("application database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error(
        "{path} has application schema version {found}, newer than this binary supports ({supported}); \
         run the newer Fluxion version or restore the pre-deploy backup"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("migration {version} ({name}) was changed after it was applied (checksum differs); refusing to start")]
    ChecksumMismatch { version: i64, name: String },
}

pub type Result<T, E = AppDbError> = std::result::Result<T, E>;

/// Opens the database file, sets the pragmas every connection needs and migrates it.
pub fn open(path: &Path) -> Result<Connection> {
    let mut conn = connect(path)?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// A further connection to an already migrated database.
pub fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")?;
    Ok(conn)
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT NOT NULL)",
    )?;
    let found: i64 = conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(AppDbError::NewerSchema { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
    }
    for &(version, name, sql) in MIGRATIONS {
        let stored: Option<String> =
            conn.query_row("SELECT checksum FROM schema_migrations WHERE version = ?", [version], |r| r.get(0)).optional()?;
        match stored {
            Some(sum) if sum != checksum(sql) => return Err(AppDbError::ChecksumMismatch { version, name: name.to_string() }),
            Some(_) => continue,
            None => {
                let tx = conn.transaction()?;
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                    params![version, name, now_rfc3339(), checksum(sql)],
                )?;
                tx.commit()?;
                tracing::info!(version, name, "application migration applied");
            }
        }
    }
    Ok(())
}

/// Current UTC instant as stored in SQLite (RFC 3339, seconds).
pub fn now_rfc3339() -> String {
    rfc3339(chrono::Utc::now())
}

/// A UTC instant as stored in SQLite (RFC 3339, seconds): the form the CHECKs accept and
/// that sorts as text.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("app.sqlite")).unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        let roles: i64 = conn.query_row("SELECT count(*) FROM roles", [], |r| r.get(0)).unwrap();
        assert_eq!(roles, 5);
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        open(&path).unwrap().execute("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01T00:00:00Z', 'x')", []).unwrap();
        let msg = open(&path).unwrap_err().to_string();
        assert!(msg.contains("99") && msg.contains("newer than this binary"), "{msg}");
    }

    #[test]
    fn edited_migration_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite");
        open(&path).unwrap().execute("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1", []).unwrap();
        assert!(matches!(open(&path), Err(AppDbError::ChecksumMismatch { version: 1, .. })));
    }
}
