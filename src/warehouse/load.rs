//! Loaders: the only code that writes facts. Each function runs on a connection inside
//! the caller's transaction (`Warehouse::write`), so a batch lands whole or not at all.
//! Loads are idempotent by the keys of spec 10: loading the same batch twice changes nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};

use crate::domain::records::{ProductRecord, SaleLine, StockListing};
use crate::domain::stock_history::diff_listing;
use crate::warehouse::sale_batch::append_sales;

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

impl std::ops::AddAssign for LoadCounts {
    fn add_assign(&mut self, o: Self) {
        self.read += o.read;
        self.inserted += o.inserted;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.removed += o.removed;
    }
}

/// Business columns of `ventas` compared to decide "unchanged" (load bookkeeping excluded).
const SALE_VALUE_COLUMNS: &[&str] = &[
    "fecha_venta", "almacen_codigo", "almacen_nombre", "producto_codigo", "cuadrante_producto",
    "cantidad_vendida", "peso_unitario", "unidad_medida_venta", "factor_unidad_medida", "precio_unitario",
    "costo_unitario", "venta_total", "costo_total", "utilidad_bruta", "tasa_usd", "es_no_fiscal",
    "venta_total_bs", "costo_total_bs", "utilidad_bruta_bs", "precio_unitario_bs", "costo_unitario_bs",
    "impuesto_pct", "impuesto_monto_bs", "descuento_pct", "descuento_monto_bs",
];

fn count(conn: &Connection, sql: &str) -> duckdb::Result<usize> {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as usize)
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

/// Upserts sale lines by (ubicacion_id, numero_factura, linea); the last of repeated keys
/// in the batch wins. Refreshes the daily aggregates of every (location, date) touched and
/// creates placeholder products for unknown codes.
pub fn upsert_sales(
    conn: &Connection,
    lines: &[SaleLine],
    execution_id: Option<i64>,
    now_utc: NaiveDateTime,
) -> duckdb::Result<LoadCounts> {
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE stage_ventas AS SELECT *, 0::BIGINT AS seq FROM ventas LIMIT 0")?;
    append_sales(&mut conn.appender("stage_ventas")?, lines, now_utc, execution_id, true)?;
    let same = SALE_VALUE_COLUMNS
        .iter()
        .map(|c| format!("v.{c} IS NOT DISTINCT FROM s.{c}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_last AS
             SELECT * EXCLUDE (seq) FROM stage_ventas
             QUALIFY row_number() OVER (PARTITION BY ubicacion_id, numero_factura, linea ORDER BY seq DESC) = 1;
         CREATE OR REPLACE TEMP TABLE stage_cmp AS
             SELECT s.ubicacion_id, s.numero_factura, s.linea, s.fecha,
                    v.fecha AS fecha_anterior, v.cargado_en AS cargado_anterior,
                    CASE WHEN v.ubicacion_id IS NULL THEN 'nuevo' WHEN {same} THEN 'igual' ELSE 'cambio' END AS estado
             FROM stage_last s
             LEFT JOIN (SELECT * FROM ventas WHERE ubicacion_id IN (SELECT DISTINCT ubicacion_id FROM stage_last)) v
               ON v.ubicacion_id = s.ubicacion_id AND v.numero_factura = s.numero_factura AND v.linea = s.linea;
         DELETE FROM ventas v USING stage_cmp c
             WHERE c.estado = 'cambio' AND v.ubicacion_id = c.ubicacion_id
               AND v.numero_factura = c.numero_factura AND v.linea = c.linea;
         INSERT INTO ventas
             SELECT s.* REPLACE (coalesce(c.cargado_anterior, s.cargado_en) AS cargado_en)
             FROM stage_last s JOIN stage_cmp c USING (ubicacion_id, numero_factura, linea)
             WHERE c.estado <> 'igual';
         CREATE OR REPLACE TEMP TABLE touched_days AS
             SELECT DISTINCT ubicacion_id, fecha FROM (
                 SELECT ubicacion_id, fecha FROM stage_cmp WHERE estado <> 'igual'
                 UNION ALL
                 SELECT ubicacion_id, fecha_anterior FROM stage_cmp WHERE estado = 'cambio');"
    ))?;
    let counts = merge_counts(conn, lines.len())?;
    add_placeholder_products(conn, "stage_last", now_utc)?;
    refresh_daily_sales(conn, "touched_days")?;
    conn.execute_batch("DROP TABLE stage_ventas; DROP TABLE stage_last; DROP TABLE stage_cmp; DROP TABLE touched_days;")?;
    Ok(counts)
}

/// A placeholder product for every `producto_codigo` of `source` (a table or a parenthesised
/// subquery) that `productos` lacks, so that no sale points at an unknown product.
pub fn add_placeholder_products(conn: &Connection, source: &str, now_utc: NaiveDateTime) -> duckdb::Result<usize> {
    conn.execute(
        &format!(
            "INSERT INTO productos (codigo, descripcion, fuente, primera_vez_visto, actualizado_en)
             SELECT DISTINCT producto_codigo, 'Producto ' || producto_codigo, 'placeholder', ?, ?
             FROM {source} WHERE producto_codigo NOT IN (SELECT codigo FROM productos)"
        ),
        params![now_utc, now_utc],
    )
}

/// Recomputes `ventas_diarias` and `ventas_diarias_ubicacion` for the (ubicacion_id, fecha)
/// pairs listed in `touched_table`, and records the change of each store's daily rows
/// (what the demand cache is checked against).
pub fn refresh_daily_sales(conn: &Connection, touched_table: &str) -> duckdb::Result<()> {
    conn.execute_batch(&format!(
        "DELETE FROM ventas_diarias d USING {t} t WHERE d.ubicacion_id = t.ubicacion_id AND d.fecha = t.fecha;
         DELETE FROM ventas_diarias_ubicacion d USING {t} t WHERE d.ubicacion_id = t.ubicacion_id AND d.fecha = t.fecha;
         CREATE OR REPLACE TEMP TABLE daily_new AS {DAILY_BY_PRODUCT}
             FROM ventas v SEMI JOIN {t} t ON v.ubicacion_id = t.ubicacion_id AND v.fecha = t.fecha
             GROUP BY v.ubicacion_id, v.producto_codigo, v.fecha;
         {ids}
         INSERT INTO ventas_diarias SELECT d.*, i.id FROM daily_new d JOIN producto_ids i ON i.codigo = d.producto_codigo;
         DROP TABLE daily_new;
         INSERT INTO ventas_diarias_ubicacion {DAILY_BY_LOCATION}
             FROM ventas v SEMI JOIN {t} t ON v.ubicacion_id = t.ubicacion_id AND v.fecha = t.fecha
             GROUP BY v.ubicacion_id, v.fecha;
         INSERT INTO ventas_diarias_cambios
             SELECT ubicacion_id, nextval('ventas_diarias_cambio_seq'), gen_random_uuid()::VARCHAR
             FROM (SELECT DISTINCT ubicacion_id FROM {t});",
        t = touched_table,
        ids = assign_product_ids("SELECT producto_codigo AS codigo FROM daily_new"),
    ))
}

/// Product totals per (location, product, day), in `ventas_diarias` column order (without
/// the product id, which is joined on).
const DAILY_BY_PRODUCT: &str = "SELECT v.ubicacion_id, v.producto_codigo, v.fecha, sum(v.cantidad_vendida) AS cantidad,
    sum(v.venta_total) AS venta_total, coalesce(sum(v.costo_total), 0) AS costo_total, count(*) AS lineas,
    count(DISTINCT v.numero_factura) AS tickets";
const DAILY_BY_LOCATION: &str = "SELECT v.ubicacion_id, v.fecha, sum(v.cantidad_vendida), sum(v.venta_total),
    coalesce(sum(v.costo_total), 0), count(*), count(DISTINCT v.numero_factura), count(DISTINCT v.producto_codigo)";

/// SQL giving every code of `codes` (a query with a `codigo` column) that has no integer id
/// the next ones, in code order. Ids are never reused or changed.
fn assign_product_ids(codes: &str) -> String {
    format!(
        "INSERT INTO producto_ids
             SELECT codigo, ((SELECT coalesce(max(id), 0) FROM producto_ids) + row_number() OVER (ORDER BY codigo))::INTEGER
             FROM (SELECT DISTINCT codigo FROM ({codes}) WHERE codigo NOT IN (SELECT codigo FROM producto_ids));"
    )
}

/// Rebuilds both daily aggregates from every sale line (after a bulk load).
pub fn rebuild_daily_sales(conn: &Connection) -> duckdb::Result<()> {
    conn.execute_batch(&format!(
        "DELETE FROM ventas_diarias; DELETE FROM ventas_diarias_ubicacion;
         {ids}
         INSERT INTO ventas_diarias SELECT d.*, i.id FROM ({DAILY_BY_PRODUCT} FROM ventas v
             GROUP BY v.ubicacion_id, v.producto_codigo, v.fecha) d JOIN producto_ids i ON i.codigo = d.producto_codigo
             ORDER BY d.ubicacion_id, d.fecha, i.id; -- DAILY_ORDER
         INSERT INTO ventas_diarias_ubicacion {DAILY_BY_LOCATION} FROM ventas v GROUP BY v.ubicacion_id, v.fecha
             ORDER BY v.fecha, v.ubicacion_id;
         INSERT INTO ventas_diarias_cambios VALUES ('*', nextval('ventas_diarias_cambio_seq'), gen_random_uuid()::VARCHAR);",
        ids = assign_product_ids("SELECT producto_codigo AS codigo FROM ventas"),
    ))
}

/// Physical order of `ventas_diarias`: by store, then date. A calculation reads one store's
/// recent weeks; in this order they are one or two row groups instead of a slice of every
/// row group of those weeks (DuckDB skips row groups by their min/max), and a date range
/// over all stores still skips the older row groups of each store.
const DAILY_ORDER: &str = "ubicacion_id, fecha, producto_id";

/// Rewrites `ventas_diarias` in [`DAILY_ORDER`] (the nightly job). Loads append each
/// store-day's rows at the end, so the order decays during the day; the content does not
/// change, so no version is bumped and the demand cache stays valid.
pub fn cluster_daily_sales(conn: &Connection) -> duckdb::Result<usize> {
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE daily_sorted AS SELECT * FROM ventas_diarias ORDER BY {DAILY_ORDER};
         DELETE FROM ventas_diarias;"
    ))?;
    let n = conn.execute("INSERT INTO ventas_diarias SELECT * FROM daily_sorted", [])?;
    conn.execute_batch("DROP TABLE daily_sorted;")?;
    Ok(n)
}

/// Upserts product master rows by `codigo` (defaults of spec 15 applied to missing values).
pub fn upsert_products(
    conn: &Connection,
    rows: &[ProductRecord],
    fuente: &str,
    now_utc: NaiveDateTime,
) -> duckdb::Result<LoadCounts> {
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE stage_productos AS SELECT *, 0::BIGINT AS seq FROM productos LIMIT 0")?;
    {
        let mut app = conn.appender("stage_productos")?;
        for (seq, p) in rows.iter().enumerate() {
            append_product(&mut app, p, fuente, now_utc, Some(seq as i64))?;
        }
        app.flush()?;
    }
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
    conn.execute_batch("DROP TABLE stage_productos; DROP TABLE stage_last; DROP TABLE stage_cmp;")?;
    Ok(counts)
}

const PRODUCT_VALUE_COLUMNS: &[&str] = &[
    "descripcion", "codigo_barras", "categoria", "grupo", "subgrupo", "marca", "cuadrante", "unidades_por_bulto",
    "unidad_pedido", "peso_unitario", "es_pesable", "precio_venta_usd", "costo_unitario_usd", "cedi_origen_id",
    "activo", "es_generador_trafico", "fecha_lanzamiento", "fuente",
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
) -> duckdb::Result<LoadCounts> {
    let mut previous: HashMap<String, f64> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT producto_codigo, cantidad::DOUBLE FROM inventario_actual WHERE ubicacion_id = ? AND almacen_codigo = ?",
        )?;
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
    conn.execute(
        "INSERT INTO inventario_cargas VALUES (?, ?, ?, ?, ?)",
        params![loc, wh, at, listing.rows.len() as i64, execution_id],
    )?;
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
/// of its key (in time order, including rows already stored) is not stored again.
pub fn merge_stock_history(conn: &Connection, rows: &[PastStock], origen: &str) -> duckdb::Result<LoadCounts> {
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
    let inserted = count(
        conn,
        "SELECT count(*) FROM stage_keep WHERE nuevo AND (anterior IS NULL OR anterior <> cantidad OR NOT anterior_presente)",
    )?;
    let counts = LoadCounts { read: rows.len(), inserted, updated: 0, unchanged: rows.len() - inserted, removed: 0 };
    conn.execute_batch("DROP TABLE stage_hist; DROP TABLE stage_new; DROP TABLE stage_timeline; DROP TABLE stage_keep;")?;
    Ok(counts)
}

/// Latest business date with sales, if any.
pub fn last_sale_date(conn: &Connection) -> duckdb::Result<Option<NaiveDate>> {
    conn.query_row("SELECT max(fecha) FROM ventas_diarias_ubicacion", [], |r| r.get(0))
}
