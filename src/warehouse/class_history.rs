//! The change-only log of the classification caches (`productos_abc_historico`, schema 8):
//! written by each rebuild in its own write transaction, read by a product's class history.

use chrono::NaiveDate;
use duckdb::{params, Connection};

use crate::domain::class_history::{ClassChange, SIN_VENTAS};

/// The class of every (location, product) in force on a date: its last logged row on or
/// before it (`<=`) or strictly before it (`<`).
fn state_sql(op: &str) -> String {
    format!(
        "SELECT ubicacion_id, producto_codigo, arg_max({{'abc': clase_abc, 'xyz': clase_xyz}}, desde) AS s
         FROM productos_abc_historico WHERE desde {op} ? GROUP BY ubicacion_id, producto_codigo"
    )
}

/// Logs the caches just written for business date `fecha` (call inside the rebuild's write
/// transaction, after the caches are replaced). Returns how many rows were logged.
///
/// Rows already logged for `fecha` (an earlier rebuild of the same day) are replaced. When a
/// later date was logged before (a rebuild for an earlier date, e.g. `fluxion classify
/// --date`), the classes of that later date are written back where the new rows would
/// otherwise change them, so every logged date keeps the classes computed for it.
pub fn record(conn: &Connection, fecha: NaiveDate) -> duckdb::Result<usize> {
    let next: Option<NaiveDate> =
        conn.query_row("SELECT min(fecha) FROM productos_abc_historico_fechas WHERE fecha > ?", params![fecha], |r| r.get(0))?;
    if let Some(next) = next {
        // A literal date: a prepared parameter is not allowed in CREATE TABLE … AS.
        let at_next = state_sql("<=").replace('?', &format!("DATE '{next}'"));
        conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE abc_hist_siguiente AS {at_next}"))?;
    }
    conn.execute("DELETE FROM productos_abc_historico WHERE desde = ?", params![fecha])?;
    let mut logged = conn.execute(
        &format!(
            "INSERT INTO productos_abc_historico
             SELECT coalesce(c.ubicacion_id, p.ubicacion_id), coalesce(c.producto_codigo, p.producto_codigo), ?::DATE,
                    coalesce(c.clase_abc, '{SIN_VENTAS}'), c.clase_xyz
             FROM (SELECT ubicacion_id, producto_codigo, clase_abc, clase_xyz FROM productos_abc_tienda
                   UNION ALL SELECT ubicacion_id, producto_codigo, clase_abc, clase_xyz FROM productos_abc_cache) c
             FULL OUTER JOIN ({prev}) p ON c.ubicacion_id = p.ubicacion_id AND c.producto_codigo = p.producto_codigo
             WHERE (c.producto_codigo IS NULL AND struct_extract(p.s, 'abc') <> '{SIN_VENTAS}')
                OR (c.producto_codigo IS NOT NULL AND (p.producto_codigo IS NULL
                    OR c.clase_abc <> struct_extract(p.s, 'abc')
                    OR c.clase_xyz IS DISTINCT FROM struct_extract(p.s, 'xyz')))",
            prev = state_sql("<")
        ),
        params![fecha, fecha],
    )?;
    if let Some(next) = next {
        logged += conn.execute(
            &format!(
                "INSERT INTO productos_abc_historico
                 SELECT coalesce(o.ubicacion_id, n.ubicacion_id), coalesce(o.producto_codigo, n.producto_codigo), ?::DATE,
                        coalesce(struct_extract(o.s, 'abc'), '{SIN_VENTAS}'), struct_extract(o.s, 'xyz')
                 FROM abc_hist_siguiente o FULL OUTER JOIN ({now}) n
                   ON o.ubicacion_id = n.ubicacion_id AND o.producto_codigo = n.producto_codigo
                 WHERE o.s IS DISTINCT FROM n.s",
                now = state_sql("<=")
            ),
            params![next, next],
        )?;
        conn.execute_batch("DROP TABLE abc_hist_siguiente")?;
    }
    conn.execute("DELETE FROM productos_abc_historico_fechas WHERE fecha = ?", params![fecha])?;
    conn.execute("INSERT INTO productos_abc_historico_fechas VALUES (?, now()::TIMESTAMP, ?)", params![fecha, logged as i64])?;
    Ok(logged)
}

/// A product's logged changes per location (`'*'` = the whole chain).
pub type ChangesByLocation = std::collections::BTreeMap<String, Vec<ClassChange>>;

/// Every logged change of one product (a product has a handful per location).
pub fn product_changes(conn: &Connection, codigo: &str) -> duckdb::Result<ChangesByLocation> {
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, desde, clase_abc, clase_xyz FROM productos_abc_historico WHERE producto_codigo = ? ORDER BY ubicacion_id, desde",
    )?;
    let mut rows = stmt.query(params![codigo])?;
    let mut out = ChangesByLocation::new();
    while let Some(r) = rows.next()? {
        let loc: String = r.get("ubicacion_id")?;
        out.entry(loc).or_default().push(ClassChange {
            desde: r.get("desde")?,
            clase_abc: r.get("clase_abc")?,
            clase_xyz: r.get("clase_xyz")?,
        });
    }
    Ok(out)
}

/// The first and last business dates the caches were logged for.
pub fn logged_range(conn: &Connection) -> duckdb::Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    conn.query_row("SELECT min(fecha), max(fecha) FROM productos_abc_historico_fechas", [], |r| Ok((r.get(0)?, r.get(1)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warehouse::Warehouse;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    /// Replaces the store cache with `classes` (product → ABC) and logs it for `fecha`.
    fn rebuild(w: &Warehouse, fecha: NaiveDate, classes: &[(&str, &str)]) -> usize {
        w.write(|c| -> duckdb::Result<usize> {
            c.execute_batch("DELETE FROM productos_abc_tienda")?;
            for (code, class) in classes {
                c.execute(
                    "INSERT INTO productos_abc_tienda VALUES ('t1', ?, 1, 1, 1, 1, 1, 1, 0, 1, 1, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, ?, ?)",
                    params![code, class, class, class, class, class, fecha, fecha, fecha],
                )?;
            }
            record(c, fecha)
        })
        .unwrap()
    }

    fn log(w: &Warehouse, code: &str) -> Vec<(NaiveDate, String)> {
        product_changes(&w.reader().unwrap(), code)
            .unwrap()
            .remove("t1")
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.desde, c.clase_abc))
            .collect()
    }

    #[test]
    fn only_changes_are_logged_a_day_rebuilt_twice_replaces_its_rows_and_an_earlier_day_keeps_later_ones() {
        let dir = tempfile::tempdir().unwrap();
        let w = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
        assert_eq!(rebuild(&w, d(10), &[("P1", "A"), ("P2", "C")]), 2, "the first snapshot is complete");
        assert_eq!(rebuild(&w, d(11), &[("P1", "A"), ("P2", "C")]), 0, "nothing changed");
        assert_eq!(rebuild(&w, d(12), &[("P1", "B")]), 2, "P1 moved, P2 left the cache");
        assert_eq!(log(&w, "P2"), vec![(d(10), "C".to_string()), (d(12), SIN_VENTAS.to_string())]);
        assert_eq!(rebuild(&w, d(12), &[("P1", "A"), ("P2", "C")]), 0, "the day's second rebuild replaces its rows");
        assert_eq!(log(&w, "P1"), vec![(d(10), "A".to_string())]);
        assert_eq!(rebuild(&w, d(14), &[("P1", "B"), ("P2", "C")]), 1);
        // A rebuild for 13 (after 14): its change is logged, and 14 keeps its own class.
        assert_eq!(rebuild(&w, d(13), &[("P1", "D"), ("P2", "C")]), 1);
        assert_eq!(log(&w, "P1"), vec![(d(10), "A".to_string()), (d(13), "D".to_string()), (d(14), "B".to_string())]);
        assert_eq!(rebuild(&w, d(11), &[("P1", "C"), ("P2", "C")]), 2, "11 changes P1; 13 keeps D by its own row");
        assert_eq!(
            log(&w, "P1").iter().map(|(d, c)| format!("{}{c}", d.format("%d"))).collect::<Vec<_>>(),
            ["10A", "11C", "12A", "13D", "14B"]
        );
    }
}
