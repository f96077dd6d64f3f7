//! The analytics warehouse (DuckDB file `warehouse.duckdb`): POS facts, masters and the
//! caches derived from them. One writer at a time (a process-wide lock), many readers.

mod arrow;
pub mod bi;
pub mod bi_inventory;
pub mod catalog;
pub mod class_history;
pub mod emergencies;
pub mod kept;
pub mod load;
pub mod mirror;
pub mod product_sales;
pub mod products;
pub mod replenishment;
pub mod sale_batch;
pub mod sale_events;
pub mod sale_scan;
pub mod sales;
pub mod sales_detail;
pub mod sales_summary;
pub mod staging;
pub mod stock;
pub mod summary;
pub mod traffic_generators;

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::Connection;

/// Ordered, append-only list of schema migrations. Never edit a released entry.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "facts_and_masters", include_str!("schema.sql")),
    (2, "classification_caches", include_str!("classification.sql")),
    (3, "product_ids", include_str!("product_ids.sql")),
    (4, "demand_cache", include_str!("demand_cache.sql")),
    (5, "product_overrides", include_str!("product_overrides.sql")),
    (6, "hourly_sales", include_str!("hourly_sales.sql")),
    (7, "stock_history_order", include_str!("stock_history_order.sql")),
    (8, "class_history", include_str!("class_history.sql")),
    (9, "traffic_generators", include_str!("traffic_generators.sql")),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("warehouse database error: {0}")]
    Db(#[from] duckdb::Error),
    #[error(
        "{path} has warehouse schema version {found}, newer than this binary supports ({supported}); \
         run the newer Fluxion version or restore a backup taken before the upgrade"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("cannot open the warehouse {path}: {message}")]
    Open { path: PathBuf, message: String },
}

pub type Result<T, E = WarehouseError> = std::result::Result<T, E>;

pub struct Warehouse {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    /// Counts the write transactions of this process, bumped after each one ends. Every
    /// change goes through `write` and DuckDB lets one process open the file at a time, so
    /// an unchanged count read before a read means nothing changed since the count.
    generation: std::sync::atomic::AtomicU64,
}

impl Warehouse {
    /// Opens (creating if needed) the warehouse and applies pending migrations.
    pub fn open(path: &Path) -> Result<Warehouse> {
        let conn = Connection::open(path).map_err(|e| WarehouseError::Open { path: path.to_path_buf(), message: e.to_string() })?;
        migrate(&conn, path)?;
        sale_scan::register(&conn)?;
        Ok(Warehouse {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
            generation: Default::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` inside one write transaction; everything it wrote is rolled back on error.
    pub fn write<T, E>(&self, f: impl FnOnce(&Connection) -> std::result::Result<T, E>) -> std::result::Result<T, E>
    where
        E: From<duckdb::Error>,
    {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.execute_batch("BEGIN TRANSACTION")?;
        let out = match f(&conn) {
            Ok(v) => conn.execute_batch("COMMIT").map(|_| v).map_err(E::from),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e)
            }
        };
        // After the commit, never before: a reader that saw the old count may have read the
        // new rows (harmless), but none can see the new count with the old rows.
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        out
    }

    /// The number of write transactions ended so far in this process (see `generation`).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A read connection from a small pool (DuckDB connections are cheap clones of one
    /// database instance; reads see the last committed state).
    pub fn reader(&self) -> Result<Reader<'_>> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(c) => c,
            None => self.writer.lock().unwrap_or_else(|p| p.into_inner()).try_clone()?,
        };
        Ok(Reader { conn: Some(conn), pool: &self.readers })
    }

    /// Forces a checkpoint so the file on disk holds every committed change.
    pub fn checkpoint(&self) -> Result<()> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner()).execute_batch("CHECKPOINT")?;
        Ok(())
    }

    pub fn schema_version(&self) -> Result<i64> {
        let r = self.reader()?;
        Ok(current_version(&r)?)
    }
}

pub struct Reader<'a> {
    conn: Option<Connection>,
    pool: &'a Mutex<Vec<Connection>>,
}

impl Deref for Reader<'_> {
    type Target = Connection;
    #[allow(clippy::expect_used)] // the connection is taken only in `drop`
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("reader connection present until drop")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < 8 {
                pool.push(c);
            }
        }
    }
}

fn current_version(conn: &Connection) -> duckdb::Result<i64> {
    conn.query_row("SELECT coalesce(max(version), 0) FROM fluxion_schema", [], |r| r.get(0))
}

fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS fluxion_schema (
             version BIGINT NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
    )?;
    let found = current_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(WarehouseError::NewerSchema { path: path.to_path_buf(), found, supported: SCHEMA_VERSION });
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > found) {
        conn.execute_batch("BEGIN TRANSACTION")?;
        let applied = conn
            .execute_batch(sql)
            .and_then(|_| conn.execute("INSERT INTO fluxion_schema VALUES (?, ?, now()::TIMESTAMP)", duckdb::params![version, name]));
        match applied {
            Ok(_) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
        tracing::info!(version, name, "warehouse migration applied");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_a_newer_warehouse_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("warehouse.duckdb");
        {
            let w = Warehouse::open(&path).unwrap();
            assert_eq!(w.schema_version().unwrap(), SCHEMA_VERSION);
            w.write(|c| c.execute("INSERT INTO fluxion_schema VALUES (999, 'future', now()::TIMESTAMP)", [])).unwrap();
        }
        let err = Warehouse::open(&path).err().expect("newer schema must be refused");
        let msg = err.to_string();
        assert!(msg.contains("999") && msg.contains("newer than this binary"), "{msg}");
    }

    /// A warehouse of version 2 with sales keeps every daily row through migration 3, and
    /// each row's new integer id names its own code (sold codes and catalogue codes alike).
    #[test]
    fn product_ids_migration_keeps_daily_rows_and_names_each_code() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("warehouse.duckdb");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE fluxion_schema (version BIGINT NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
            )
            .unwrap();
            for (version, name, sql) in &MIGRATIONS[..2] {
                conn.execute_batch(sql).unwrap();
                conn.execute("INSERT INTO fluxion_schema VALUES (?, ?, now()::TIMESTAMP)", duckdb::params![version, name]).unwrap();
            }
            conn.execute_batch(
                "INSERT INTO productos (codigo, descripcion, fuente, primera_vez_visto, actualizado_en)
                     VALUES ('000200', 'Sin ventas', 'archivo', now()::TIMESTAMP, now()::TIMESTAMP);
                 INSERT INTO ventas_diarias VALUES
                     ('tienda_01', '000100', DATE '2026-01-02', 3, 30, 15, 2, 2),
                     ('tienda_02', '000100', DATE '2026-01-02', 1, 10, 5, 1, 1),
                     ('tienda_01', '000050', DATE '2026-01-03', 2, 20, 10, 1, 1);",
            )
            .unwrap();
        }
        let w = Warehouse::open(&path).unwrap();
        assert_eq!(w.schema_version().unwrap(), SCHEMA_VERSION);
        let r = w.reader().unwrap();
        let named: (i64, i64) = r
            .query_row(
                "SELECT count(*), count(*) FILTER (WHERE i.codigo = d.producto_codigo)
                 FROM ventas_diarias d LEFT JOIN producto_ids i ON i.id = d.producto_id",
                [],
                |x| Ok((x.get(0)?, x.get(1)?)),
            )
            .unwrap();
        assert_eq!(named, (3, 3));
        let ids: Vec<(String, i32)> = r
            .prepare("SELECT codigo, id FROM producto_ids ORDER BY codigo")
            .unwrap()
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(ids, vec![("000050".into(), 1), ("000100".into(), 2), ("000200".into(), 3)]);
    }

    #[test]
    fn reopening_keeps_data_and_does_not_reapply_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("warehouse.duckdb");
        Warehouse::open(&path).unwrap();
        let w = Warehouse::open(&path).unwrap();
        let n: i64 = w.reader().unwrap().query_row("SELECT count(*) FROM fluxion_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);
    }
}
