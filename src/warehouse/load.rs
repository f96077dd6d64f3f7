//! Loaders of products and stock (sale lines: [`super::sales`]). Each function runs on a
//! connection inside the caller's transaction (`Warehouse::write`), so a batch lands whole
//! or not at all. Loads are idempotent by the keys of spec 10: loading the same batch twice
//! changes nothing.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use duckdb::{params, Connection};

use crate::domain::records::{ProductRecord, StockListing};
use crate::domain::stock_history::diff_listing;

/// What one load did, per key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadCounts {
    pub read: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Stock keys that disappeared from a warehouse listing.
    pub removed: usize,
}

/// Why a load failed; the caller's transaction rolls the whole batch back.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Db(#[from] duckdb::Error),
    /// The tables do not hold what the load says it wrote (see `warehouse::sales`).
    #[error("load check failed, nothing was written: {0}")]
    Unaccounted(String),
}

impl std::ops::AddAssign for LoadCounts {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.removed += o.removed;
    }
}

/// `SELECT count(*) …` as a length.
pub(crate) fn count(conn: &Connection, sql: &str) -> duckdb::Result<usize> {
    count_with(conn, sql, [])
}

/// [`count`] with bound parameters.
pub(crate) fn count_with(conn: &Connection, sql: &str, p: impl duckdb::Params) -> duckdb::Result<usize> {
    conn.query_row(sql, p, |r| r.get::<_, i64>(0)).map(|n| n as usize)
}

/// Fails the load when the table holds `found` rows where the load accounts for `expected`
/// (the caller's transaction then rolls the batch back).
pub(crate) fn expect_stored(what: &str, expected: usize, found: usize) -> Result<(), LoadError> {
    if expected == found {
        Ok(())
    } else {
        Err(LoadError::Unaccounted(format!("{what}: {expected} expected, {found} found")))
    }
}

/// Counts of a merge staged in `stage_cmp` (one row per key with `estado` nuevo, cambio or igual).
pub fn merge_counts(conn: &Connection, read: usize) -> duckdb::Result<LoadCounts> {
    conn.query_row(
        "SELECT count(*) FILTER (WHERE estado = 'nuevo'), count(*) FILTER (WHERE estado = 'cambio'),
                count(*) FILTER (WHERE estado = 'igual') FROM stage_cmp",
        [],
        |r| {
            Ok(LoadCounts {
                read,
                inserted: r.get::<_, i64>(0)? as usize,
                updated: r.get::<_, i64>(1)? as usize,
                unchanged: r.get::<_, i64>(2)? as usize,
                removed: 0,
            })
        },
    )
}

/// Upserts product master rows by `codigo` (defaults of spec 15 applied to missing values).
pub fn upsert_products(conn: &Connection, rows: &[ProductRecord], fuente: &str, now_utc: NaiveDateTime) -> Result<LoadCounts, LoadError> {
    super::staging::create_like(conn, "stage_productos", "productos", &["seq BIGINT"])?;
    {
        let mut app = conn.appender("stage_productos")?;
        for (seq, p) in rows.iter().enumerate() {
            append_product(&mut app, p, fuente, now_utc, Some(seq as i64))?;
        }
        app.flush()?;
    }
    expect_stored("staged product rows", rows.len(), count(conn, "SELECT count(*) FROM stage_productos")?)?;
    let compared: Vec<&str> = PRODUCT_VALUE_COLUMNS.to_vec();
    let same = compared.iter().map(|c| format!("p.{c} IS NOT DISTINCT FROM s.{c}")).collect::<Vec<_>>().join(" AND ");
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_last AS
             SELECT * EXCLUDE (seq) FROM stage_productos
             QUALIFY row_number() OVER (PARTITION BY codigo ORDER BY seq DESC) = 1;
         CREATE OR REPLACE TEMP TABLE stage_cmp AS
             SELECT s.codigo, p.primera_vez_visto AS visto,
                    CASE WHEN p.codigo IS NULL THEN 'nuevo' WHEN {same} THEN 'igual' ELSE 'cambio' END AS estado
             FROM stage_last s LEFT JOIN productos p ON p.codigo = s.codigo;
         DELETE FROM productos p USING stage_cmp c WHERE c.estado = 'cambio' AND p.codigo = c.codigo;
         INSERT INTO productos
             SELECT s.* REPLACE (coalesce(c.visto, s.primera_vez_visto) AS primera_vez_visto)
             FROM stage_last s JOIN stage_cmp c USING (codigo) WHERE c.estado <> 'igual';"
    ))?;
    let counts = merge_counts(conn, rows.len())?;
    let distinct = count(conn, "SELECT count(*) FROM stage_last")?;
    expect_stored(
        "distinct product codes (inserted + updated + unchanged)",
        distinct,
        counts.inserted + counts.updated + counts.unchanged,
    )?;
    expect_stored(
        "products of the file in productos after the load",
        distinct,
        count(conn, "SELECT count(*) FROM productos p SEMI JOIN stage_last s ON p.codigo = s.codigo")?,
    )?;
    conn.execute_batch("DROP TABLE stage_productos; DROP TABLE stage_last; DROP TABLE stage_cmp;")?;
    Ok(counts)
}

const PRODUCT_VALUE_COLUMNS: &[&str] = &[
    "descripcion",
    "codigo_barras",
    "categoria",
    "grupo",
    "subgrupo",
    "marca",
    "cuadrante",
    "unidades_por_bulto",
    "unidad_pedido",
    "peso_unitario",
    "es_pesable",
    "precio_venta_usd",
    "costo_unitario_usd",
    "cedi_origen_id",
    "activo",
    "es_generador_trafico",
    "fecha_lanzamiento",
    "fuente",
];

/// Appends one product row (all 25 columns of `productos`, plus `seq` when staging).
pub fn append_product(
    app: &mut duckdb::Appender<'_>,
    p: &ProductRecord,
    fuente: &str,
    now_utc: NaiveDateTime,
    seq: Option<i64>,
) -> duckdb::Result<()> {
    let none_s: Option<String> = None;
    let none_f: Option<f64> = None;
    let cuadrante = p.cuadrante.clone().unwrap_or_else(|| "NO ESPECIFICADO".into());
    let pack = p.unidades_por_bulto.unwrap_or(1).max(1);
    let unidad = p.unidad_pedido.clone().unwrap_or_else(|| "Bulto".into());
    let pesable = p.es_pesable.unwrap_or(false);
    let activo = p.activo.unwrap_or(true);
    let generador = p.es_generador_trafico.unwrap_or(false);
    let mut row: Vec<&dyn duckdb::ToSql> = vec![
        &p.codigo,
        &p.descripcion,
        &p.codigo_barras,
        &p.categoria,
        &p.grupo,
        &p.subgrupo,
        &p.marca,
        &none_s,
        &none_s,
        &cuadrante,
        &pack,
        &unidad,
        &p.peso_unitario,
        &none_f,
        &pesable,
        &p.precio_venta_usd,
        &p.costo_unitario_usd,
        &none_f,
        &p.cedi_origen_id,
        &activo,
        &generador,
        &p.fecha_lanzamiento,
        &fuente,
        &now_utc,
        &now_utc,
    ];
    if let Some(seq) = seq.as_ref() {
        row.push(seq);
    }
    app.append_row(row.as_slice())
}

/// Replaces the current stock of one (location, warehouse) with a full listing and appends
/// the change-only history rows and the load record. With `skip_if_identical`, a listing
/// equal to the current stock records nothing (a re-imported file stays a no-op).
pub fn replace_stock(
    conn: &Connection,
    listing: &StockListing,
    origen: &str,
    execution_id: Option<i64>,
    skip_if_identical: bool,
) -> Result<LoadCounts, LoadError> {
    let mut previous: HashMap<String, f64> = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT producto_codigo, cantidad::DOUBLE FROM inventario_actual WHERE ubicacion_id = ? AND almacen_codigo = ?")?;
        let mut rows = stmt.query(params![listing.ubicacion_id, listing.almacen_codigo])?;
        while let Some(r) = rows.next()? {
            previous.insert(r.get(0)?, r.get(1)?);
        }
    }
    let diff = diff_listing(&previous, &listing.rows);
    let counts = LoadCounts {
        read: listing.rows.len(),
        inserted: diff.inserted,
        updated: diff.updated,
        unchanged: diff.unchanged,
        removed: diff.removed,
    };
    if skip_if_identical && diff.changes.is_empty() {
        return Ok(counts);
    }
    let (loc, wh, at) = (&listing.ubicacion_id, &listing.almacen_codigo, listing.fecha_snapshot);
    conn.execute("DELETE FROM inventario_actual WHERE ubicacion_id = ? AND almacen_codigo = ?", params![loc, wh])?;
    let distinct;
    // Same snapshot instant loaded again: its history rows and load record are replaced.
    conn.execute(
        "DELETE FROM inventario_historico WHERE ubicacion_id = ? AND almacen_codigo = ? AND fecha_snapshot = ?",
        params![loc, wh, at],
    )?;
    conn.execute(
        "DELETE FROM inventario_cargas WHERE ubicacion_id = ? AND almacen_codigo = ? AND fecha_snapshot = ?",
        params![loc, wh, at],
    )?;
    {
        let mut latest: HashMap<&str, f64> = HashMap::new();
        for (code, q) in &listing.rows {
            latest.insert(code, *q);
        }
        let mut codes: Vec<(&str, f64)> = latest.into_iter().collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        distinct = codes.len();
        let mut app = conn.appender("inventario_actual")?;
        for (code, q) in codes {
            app.append_row(params![loc, wh, code, q, at, origen])?;
        }
        app.flush()?;
        let mut hist = conn.appender("inventario_historico")?;
        for c in &diff.changes {
            hist.append_row(params![loc, wh, c.producto_codigo, at, c.cantidad, c.cantidad_cambio, c.presente, origen, execution_id])?;
        }
        hist.flush()?;
    }
    conn.execute("INSERT INTO inventario_cargas VALUES (?, ?, ?, ?, ?)", params![loc, wh, at, listing.rows.len() as i64, execution_id])?;
    let scope = format!("{loc}/{wh}");
    let (current, history): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM inventario_actual WHERE ubicacion_id = ? AND almacen_codigo = ?),
                (SELECT count(*) FROM inventario_historico WHERE ubicacion_id = ? AND almacen_codigo = ? AND fecha_snapshot = ?)",
        params![loc, wh, loc, wh, at],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    expect_stored(&format!("current stock rows of {scope}"), distinct, current as usize)?;
    expect_stored(&format!("stock history rows of {scope} at {at}"), diff.changes.len(), history as usize)?;
    Ok(counts)
}

/// One past stock observation (spec 15 `inventario_historico.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct PastStock {
    pub ubicacion_id: String,
    pub almacen_codigo: String,
    pub producto_codigo: String,
    pub fecha: NaiveDateTime,
    pub cantidad: f64,
}

/// Merges past snapshots into the change-only history: a row equal to the previous value
/// Physical order of `inventario_historico`: readers ask for a store's products, or one
/// product across the stores (see `stock_history_order.sql`).
const HISTORY_ORDER: &str = "ubicacion_id, producto_codigo, fecha_snapshot";

/// Rewrites the stock history in [`HISTORY_ORDER`] (the nightly job): loads append in time
/// order, so the rows of the day sit unordered at the end. Content unchanged, checked by count.
pub fn cluster_stock_history(conn: &Connection) -> Result<usize, LoadError> {
    let before = count(conn, "SELECT count(*) FROM inventario_historico")?;
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE historico_ordenado AS SELECT * FROM inventario_historico ORDER BY {HISTORY_ORDER};
         DELETE FROM inventario_historico;"
    ))?;
    let n = conn.execute("INSERT INTO inventario_historico SELECT * FROM historico_ordenado", [])?;
    conn.execute_batch("DROP TABLE historico_ordenado;")?;
    expect_stored(
        "stock history rows rewritten in store and product order",
        before,
        count(conn, "SELECT count(*) FROM inventario_historico")?,
    )?;
    Ok(n)
}

/// of its key (in time order, including rows already stored) is not stored again.
pub fn merge_stock_history(conn: &Connection, rows: &[PastStock], origen: &str) -> Result<LoadCounts, LoadError> {
    let stored_before = count(conn, "SELECT count(*) FROM inventario_historico")?;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE stage_hist (ubicacion_id VARCHAR, almacen_codigo VARCHAR,
             producto_codigo VARCHAR, fecha_snapshot TIMESTAMP, cantidad DECIMAL(18,4), seq BIGINT)",
    )?;
    {
        let mut app = conn.appender("stage_hist")?;
        for (seq, r) in rows.iter().enumerate() {
            app.append_row(params![r.ubicacion_id, r.almacen_codigo, r.producto_codigo, r.fecha, r.cantidad, seq as i64])?;
        }
        app.flush()?;
    }
    expect_stored("staged stock history rows", rows.len(), count(conn, "SELECT count(*) FROM stage_hist")?)?;
    // Candidates = staged rows not already stored at the same instant; then keep only those
    // whose value differs from the previous row of the key in the combined timeline.
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_new AS
             SELECT * EXCLUDE (seq) FROM stage_hist
             QUALIFY row_number() OVER (PARTITION BY ubicacion_id, almacen_codigo, producto_codigo, fecha_snapshot ORDER BY seq DESC) = 1;
         CREATE OR REPLACE TEMP TABLE stage_timeline AS
             SELECT h.ubicacion_id, h.almacen_codigo, h.producto_codigo, h.fecha_snapshot, h.cantidad, h.presente, false AS nuevo
               FROM inventario_historico h
               SEMI JOIN (SELECT DISTINCT ubicacion_id, almacen_codigo, producto_codigo FROM stage_new) k
                 ON h.ubicacion_id = k.ubicacion_id AND h.almacen_codigo = k.almacen_codigo
                AND h.producto_codigo = k.producto_codigo
             UNION ALL
             SELECT n.ubicacion_id, n.almacen_codigo, n.producto_codigo, n.fecha_snapshot, n.cantidad, true, true
               FROM stage_new n ANTI JOIN inventario_historico h
               ON h.ubicacion_id = n.ubicacion_id AND h.almacen_codigo = n.almacen_codigo
              AND h.producto_codigo = n.producto_codigo AND h.fecha_snapshot = n.fecha_snapshot;
         CREATE OR REPLACE TEMP TABLE stage_keep AS
             SELECT *, lag(cantidad) OVER w AS anterior, lag(presente) OVER w AS anterior_presente
             FROM stage_timeline
             WINDOW w AS (PARTITION BY ubicacion_id, almacen_codigo, producto_codigo ORDER BY fecha_snapshot);
         INSERT INTO inventario_historico
             SELECT ubicacion_id, almacen_codigo, producto_codigo, fecha_snapshot, cantidad,
                    cantidad - anterior, true, '{origen}', NULL
             FROM stage_keep
             WHERE nuevo AND (anterior IS NULL OR anterior <> cantidad OR NOT anterior_presente);"
    ))?;
    let inserted =
        count(conn, "SELECT count(*) FROM stage_keep WHERE nuevo AND (anterior IS NULL OR anterior <> cantidad OR NOT anterior_presente)")?;
    expect_stored(
        "stock history rows after the load",
        stored_before + inserted,
        count(conn, "SELECT count(*) FROM inventario_historico")?,
    )?;
    let counts = LoadCounts { read: rows.len(), inserted, updated: 0, unchanged: rows.len() - inserted, removed: 0 };
    conn.execute_batch("DROP TABLE stage_hist; DROP TABLE stage_new; DROP TABLE stage_timeline; DROP TABLE stage_keep;")?;
    Ok(counts)
}
