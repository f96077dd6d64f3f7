//! Staging tables of the loaders: every one is created here, with explicit column
//! definitions read from the catalogue.
//!
//! Why not `CREATE TEMP TABLE stage AS SELECT * FROM ventas LIMIT 0`: with the DuckDB this
//! binary bundles, rows appended through the appender (row by row or Arrow) into a table
//! that an *empty* `CREATE TABLE … AS SELECT` made in the same transaction are counted but
//! not scanned once they exceed one row group (122,880 rows): `max()` reads NULL and
//! `INSERT … SELECT` copies nothing. A table created with its columns spelled out does not
//! have the defect. That is how `fluxion import` of 125,000 sale lines once stored nothing
//! and reported success; `warehouse::sales` now also counts what every load stored.

use duckdb::Connection;

/// Creates (or replaces) the temporary table `name` with the columns of `main.source`, in
/// order and with the same types (no constraints), followed by `extra` column definitions
/// (e.g. `"seq BIGINT"`).
pub fn create_like(conn: &Connection, name: &str, source: &str, extra: &[&str]) -> duckdb::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT column_name, data_type FROM duckdb_columns()
         WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
    )?;
    let mut columns = stmt
        .query_map([source], |r| Ok(format!("\"{}\" {}", r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<duckdb::Result<Vec<String>>>()?;
    if columns.is_empty() {
        return Err(duckdb::Error::InvalidParameterName(format!("no table main.{source} to stage like")));
    }
    columns.extend(extra.iter().map(|c| c.to_string()));
    conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {name} ({})", columns.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::SaleLine;
    use crate::warehouse::sale_batch::append_sales;

    /// Three and a bit row groups appended into a staging table created in the same
    /// transaction are all there for the next statement.
    #[test]
    fn a_staging_table_made_in_the_load_transaction_shows_every_appended_row_group() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.duckdb")).unwrap();
        conn.execute_batch(include_str!("schema.sql")).unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(10, 0, 0).unwrap();
        let n = 3 * 122_880 + 17;
        let lines: Vec<SaleLine> = (0..n)
            .map(|i| SaleLine {
                ubicacion_id: "tienda_01".into(),
                numero_factura: format!("F{i:08}"),
                linea: 1,
                fecha_venta: at,
                producto_codigo: "P".into(),
                cantidad_vendida: 1.0,
                ..SaleLine::default()
            })
            .collect();
        conn.execute_batch("BEGIN TRANSACTION").unwrap();
        create_like(&conn, "stage_x", "ventas", &["seq BIGINT"]).unwrap();
        append_sales(&mut conn.appender("stage_x").unwrap(), &lines, at, None, true).unwrap();
        let (max_seq, units): (i64, f64) =
            conn.query_row("SELECT max(seq), sum(cantidad_vendida)::DOUBLE FROM stage_x", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        assert_eq!((max_seq, units), (n as i64 - 1, n as f64));
        conn.execute_batch("INSERT INTO ventas SELECT * EXCLUDE (seq) FROM stage_x").unwrap();
        let copied: i64 = conn.query_row("SELECT count(numero_factura) FROM ventas", [], |r| r.get(0)).unwrap();
        assert_eq!(copied, n as i64);
        conn.execute_batch("COMMIT").unwrap();
    }

    #[test]
    fn staging_an_unknown_table_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(create_like(&conn, "s", "no_such_table", &[]).is_err());
    }
}
