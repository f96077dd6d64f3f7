//! The ETL's warehouse writes. Each public function runs inside the caller's transaction
//! (`Warehouse::write`): one sales window or one warehouse listing lands whole or not at all.
//!
//! * Products merge with the precedence of spec 10 §3.4: a non-NULL KLK value beats
//!   Stellar; Stellar only fills NULLs of a product KLK owns (and is authoritative for the
//!   products only it reports); admin overrides live in SQLite and beat both.
//! * Sales go through `warehouse::sales::load_location_sales` (key upsert, daily aggregates
//!   and the check that the tables hold what was loaded), then the product side effects of
//!   spec 20 §5.1 and, for whole-day extractions, the reconciliation of voided lines (§6.2).

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};

use crate::domain::records::{SaleLine, StockListing};
use crate::sources::klk::map::SaleProductInfo;
use crate::sources::pos::SourceProduct;
use crate::warehouse::load::{self, count, LoadCounts, LoadError};
use crate::warehouse::sales;

/// Product columns compared to decide whether a merged row changed.
const COMPARED: &[&str] = &[
    "descripcion",
    "codigo_barras",
    "categoria",
    "grupo",
    "subgrupo",
    "marca",
    "modelo",
    "presentacion",
    "cuadrante",
    "unidades_por_bulto",
    "peso_unitario",
    "volumen_unitario",
    "es_pesable",
    "precio_venta_usd",
    "costo_unitario_usd",
    "iva_pct",
    "fuente",
];

/// Merges source product rows into `productos` (last row of a repeated code wins).
/// `fuente` is `klk` or `stellar`.
pub fn merge_products(conn: &Connection, rows: &[SourceProduct], fuente: &str, now_utc: NaiveDateTime) -> Result<LoadCounts, LoadError> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE stage_src_productos (
             codigo VARCHAR, descripcion VARCHAR, codigo_barras VARCHAR, categoria VARCHAR, grupo VARCHAR,
             subgrupo VARCHAR, marca VARCHAR, modelo VARCHAR, presentacion VARCHAR, cuadrante VARCHAR,
             unidades_por_bulto INTEGER, peso_unitario DECIMAL(18,4), volumen_unitario DECIMAL(18,4), es_pesable BOOLEAN,
             precio_venta_usd DECIMAL(18,4), costo_unitario_usd DECIMAL(18,4), iva_pct DECIMAL(8,2), seq BIGINT)",
    )?;
    {
        let mut app = conn.appender("stage_src_productos")?;
        for (seq, p) in rows.iter().enumerate() {
            app.append_row(params![
                p.codigo,
                p.descripcion,
                p.codigo_barras,
                p.categoria,
                p.grupo,
                p.subgrupo,
                p.marca,
                p.modelo,
                p.presentacion,
                p.cuadrante,
                p.unidades_por_bulto,
                p.peso_unitario,
                p.volumen_unitario,
                p.es_pesable,
                p.precio_venta_usd,
                p.costo_unitario_usd,
                p.iva_pct,
                seq as i64,
            ])?;
        }
        app.flush()?;
    }
    load::expect_stored("staged source product rows", rows.len(), count(conn, "SELECT count(*) FROM stage_src_productos")?)?;
    // `wins`: the source's non-NULL values replace the stored ones.
    let wins = if fuente == "klk" { "true".to_string() } else { "(p.fuente <> 'klk')".to_string() };
    let pick = |c: &str| format!("CASE WHEN p.codigo IS NULL OR {wins} THEN coalesce(s.{c}, p.{c}) ELSE coalesce(p.{c}, s.{c}) END AS {c}");
    let plain = [
        "codigo_barras",
        "categoria",
        "grupo",
        "subgrupo",
        "marca",
        "modelo",
        "presentacion",
        "peso_unitario",
        "volumen_unitario",
        "precio_venta_usd",
        "costo_unitario_usd",
        "iva_pct",
    ]
    .iter()
    .map(|c| pick(c))
    .collect::<Vec<_>>()
    .join(",\n             ");
    let same = COMPARED.iter().map(|c| format!("p.{c} IS NOT DISTINCT FROM m.{c}")).collect::<Vec<_>>().join(" AND ");
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE stage_src_last AS
             SELECT * EXCLUDE (seq) FROM stage_src_productos
             QUALIFY row_number() OVER (PARTITION BY codigo ORDER BY seq DESC) = 1;",
    )?;
    conn.execute(
        &format!(
            "CREATE OR REPLACE TEMP TABLE stage_merged AS
             SELECT s.codigo,
                 CASE WHEN p.codigo IS NULL THEN coalesce(s.descripcion, 'Producto ' || s.codigo)
                      WHEN p.descripcion = 'Producto ' || p.codigo OR {wins} THEN coalesce(s.descripcion, p.descripcion)
                      ELSE p.descripcion END AS descripcion,
                 {plain},
                 CASE WHEN s.cuadrante IS NOT NULL AND (p.codigo IS NULL OR {wins} OR p.cuadrante = 'NO ESPECIFICADO')
                      THEN s.cuadrante ELSE coalesce(p.cuadrante, 'NO ESPECIFICADO') END AS cuadrante,
                 coalesce(s.unidades_por_bulto, p.unidades_por_bulto, 1) AS unidades_por_bulto,
                 coalesce(p.unidad_pedido, 'Bulto') AS unidad_pedido,
                 CASE WHEN p.codigo IS NULL OR {wins} THEN coalesce(s.es_pesable, p.es_pesable, false) ELSE p.es_pesable END AS es_pesable,
                 p.cedi_origen_id,
                 coalesce(p.activo, true) AS activo,
                 coalesce(p.es_generador_trafico, false) AS es_generador_trafico,
                 p.fecha_lanzamiento,
                 CASE WHEN p.codigo IS NULL OR {wins} OR p.fuente = 'placeholder' THEN '{fuente}' ELSE p.fuente END AS fuente,
                 coalesce(p.primera_vez_visto, ?::TIMESTAMP) AS primera_vez_visto,
                 ?::TIMESTAMP AS actualizado_en,
                 CASE WHEN p.codigo IS NULL THEN 'nuevo' ELSE 'existe' END AS estado0
             FROM stage_src_last s LEFT JOIN productos p ON p.codigo = s.codigo"
        ),
        params![now_utc, now_utc],
    )?;
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_cmp AS
             SELECT m.codigo, CASE WHEN m.estado0 = 'nuevo' THEN 'nuevo' WHEN {same} THEN 'igual' ELSE 'cambio' END AS estado
             FROM stage_merged m LEFT JOIN productos p ON p.codigo = m.codigo;
         DELETE FROM productos p USING stage_cmp c WHERE c.estado = 'cambio' AND p.codigo = c.codigo;
         INSERT INTO productos (codigo, descripcion, codigo_barras, categoria, grupo, subgrupo, marca, modelo, presentacion,
                 cuadrante, unidades_por_bulto, unidad_pedido, peso_unitario, volumen_unitario, es_pesable,
                 precio_venta_usd, costo_unitario_usd, iva_pct, cedi_origen_id, activo, es_generador_trafico,
                 fecha_lanzamiento, fuente, primera_vez_visto, actualizado_en)
             SELECT m.codigo, m.descripcion, m.codigo_barras, m.categoria, m.grupo, m.subgrupo, m.marca, m.modelo, m.presentacion,
                 m.cuadrante, m.unidades_por_bulto, m.unidad_pedido, m.peso_unitario, m.volumen_unitario, m.es_pesable,
                 m.precio_venta_usd, m.costo_unitario_usd, m.iva_pct, m.cedi_origen_id, m.activo, m.es_generador_trafico,
                 m.fecha_lanzamiento, m.fuente, m.primera_vez_visto, m.actualizado_en
             FROM stage_merged m JOIN stage_cmp c USING (codigo) WHERE c.estado <> 'igual';"
    ))?;
    let counts = LoadCounts {
        read: rows.len(),
        inserted: count(conn, "SELECT count(*) FROM stage_cmp WHERE estado = 'nuevo'")?,
        updated: count(conn, "SELECT count(*) FROM stage_cmp WHERE estado = 'cambio'")?,
        unchanged: count(conn, "SELECT count(*) FROM stage_cmp WHERE estado = 'igual'")?,
        removed: 0,
    };
    // Every code of the listing is in `productos` now, once each, as the counts say.
    let distinct = count(conn, "SELECT count(*) FROM stage_src_last")?;
    load::expect_stored(
        "distinct source product codes (inserted + updated + unchanged)",
        distinct,
        counts.inserted + counts.updated + counts.unchanged,
    )?;
    load::expect_stored(
        "source products in productos after the load",
        distinct,
        count(conn, "SELECT count(*) FROM productos p SEMI JOIN stage_src_last s ON p.codigo = s.codigo")?,
    )?;
    conn.execute_batch("DROP TABLE stage_src_productos; DROP TABLE stage_src_last; DROP TABLE stage_merged; DROP TABLE stage_cmp;")?;
    Ok(counts)
}

/// Product side effects of sale lines (§5.1): placeholders get the line's description;
/// NULL barcode, brand and model are filled; `KG` lines mark the product as weighed;
/// the `cuadrante` becomes the mode of the product's lines of the last 30 days.
pub fn apply_sale_products(conn: &Connection, infos: &[SaleProductInfo], latest_day: NaiveDate) -> duckdb::Result<()> {
    if infos.is_empty() {
        return Ok(());
    }
    // One row per product: the last non-NULL value of each attribute in the batch.
    let mut by_code: std::collections::HashMap<&str, SaleProductInfo> = std::collections::HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for i in infos {
        let e = by_code.entry(i.codigo.as_str()).or_insert_with(|| {
            order.push(i.codigo.as_str());
            SaleProductInfo { codigo: i.codigo.clone(), ..SaleProductInfo::default() }
        });
        let keep = |dst: &mut Option<String>, src: &Option<String>| {
            if src.is_some() {
                dst.clone_from(src);
            }
        };
        keep(&mut e.descripcion, &i.descripcion);
        keep(&mut e.marca, &i.marca);
        keep(&mut e.modelo, &i.modelo);
        keep(&mut e.codigo_barras, &i.codigo_barras);
        keep(&mut e.cuadrante, &i.cuadrante);
        e.es_kg |= i.es_kg;
    }
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE stage_sale_prod (codigo VARCHAR, descripcion VARCHAR, marca VARCHAR,
             modelo VARCHAR, codigo_barras VARCHAR, es_kg BOOLEAN, cuadrante VARCHAR)",
    )?;
    {
        let mut app = conn.appender("stage_sale_prod")?;
        for code in &order {
            let i = &by_code[code];
            app.append_row(params![i.codigo, i.descripcion, i.marca, i.modelo, i.codigo_barras, i.es_kg, i.cuadrante])?;
        }
        app.flush()?;
    }
    conn.execute_batch(
        "UPDATE productos p SET
             descripcion = CASE WHEN p.descripcion = 'Producto ' || p.codigo AND s.descripcion IS NOT NULL
                                THEN s.descripcion ELSE p.descripcion END,
             codigo_barras = coalesce(p.codigo_barras, s.codigo_barras),
             marca = coalesce(p.marca, s.marca),
             modelo = coalesce(p.modelo, s.modelo),
             es_pesable = p.es_pesable OR coalesce(s.es_kg, false)
         FROM stage_sale_prod s
         WHERE p.codigo = s.codigo AND (
             (p.descripcion = 'Producto ' || p.codigo AND s.descripcion IS NOT NULL)
             OR (p.codigo_barras IS NULL AND s.codigo_barras IS NOT NULL)
             OR (p.marca IS NULL AND s.marca IS NOT NULL)
             OR (p.modelo IS NULL AND s.modelo IS NOT NULL)
             OR (NOT p.es_pesable AND coalesce(s.es_kg, false)));",
    )?;
    // The cuadrante is the mode of the product's lines of the last 30 days; recomputed only
    // for products whose lines in this batch disagree with the stored value.
    // Usually no product disagrees, and then the 30 days of lines are not read at all.
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE stage_cuadrante AS
             SELECT s.codigo FROM stage_sale_prod s JOIN productos q ON q.codigo = s.codigo
             WHERE s.cuadrante IS NOT NULL AND trim(s.cuadrante) <> '' AND s.cuadrante <> q.cuadrante",
    )?;
    if count(conn, "SELECT count(*) FROM stage_cuadrante")? > 0 {
        conn.execute(
            "UPDATE productos p SET cuadrante = m.moda
             FROM (SELECT producto_codigo, mode(cuadrante_producto) AS moda FROM ventas
                   WHERE fecha >= ?::DATE - INTERVAL 30 DAY
                     AND producto_codigo IN (SELECT codigo FROM stage_cuadrante)
                     AND cuadrante_producto IS NOT NULL AND trim(cuadrante_producto) <> ''
                   GROUP BY producto_codigo) m
             WHERE p.codigo = m.producto_codigo AND p.cuadrante IS DISTINCT FROM m.moda",
            params![latest_day],
        )?;
    }
    conn.execute_batch("DROP TABLE stage_cuadrante;")?;
    conn.execute_batch("DROP TABLE stage_sale_prod;")?;
    Ok(())
}

/// What one sales window did to the warehouse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesLoad {
    pub counts: LoadCounts,
    /// Stored lines of the day deleted by reconciliation (voided after loading).
    pub deleted: usize,
    pub warnings: Vec<String>,
}

/// Whole-day reconciliation request: the extraction covered all of (location, day).
#[derive(Debug, Clone)]
pub struct Reconcile {
    pub ubicacion_id: String,
    pub fecha: NaiveDate,
}

/// Loads one sales batch of one location (a window, or several whole days of a backfill
/// whose keys are unique across the batch): upsert by key, product side effects and, for
/// each whole day extracted, reconciliation. Everything inside the caller's transaction.
pub fn load_sales_window(
    conn: &Connection,
    lines: &[SaleLine],
    infos: &[SaleProductInfo],
    execution_id: i64,
    now_utc: NaiveDateTime,
    reconcile: &[Reconcile],
) -> Result<SalesLoad, LoadError> {
    let mut out = SalesLoad::default();
    if !lines.is_empty() {
        let t0 = std::time::Instant::now();
        out.counts = sales::load_location_sales(conn, lines, Some(execution_id), now_utc)?;
        #[allow(clippy::expect_used)] // the caller returns early on an empty batch
        let latest = lines.iter().map(|l| l.fecha_venta.date()).max().expect("non-empty");
        let t1 = std::time::Instant::now();
        apply_sale_products(conn, infos, latest)?;
        tracing::debug!(
            lines = lines.len(),
            upsert_ms = (t1 - t0).as_secs_f64() * 1000.0,
            products_ms = t1.elapsed().as_secs_f64() * 1000.0,
            "sales window"
        );
    }
    for r in reconcile {
        reconcile_day(conn, lines, r, &mut out)?;
    }
    Ok(out)
}

/// Deletes stored lines of (location, day) absent from a whole-day extraction, unless the
/// extraction has fewer than 50 % of the stored lines (then nothing is deleted and a
/// warning is recorded).
fn reconcile_day(conn: &Connection, lines: &[SaleLine], r: &Reconcile, out: &mut SalesLoad) -> Result<(), LoadError> {
    let extracted: Vec<&SaleLine> = lines.iter().filter(|l| l.ubicacion_id == r.ubicacion_id && l.fecha_venta.date() == r.fecha).collect();
    let stored: i64 =
        conn.query_row("SELECT count(*) FROM ventas WHERE ubicacion_id = ? AND fecha = ?", params![r.ubicacion_id, r.fecha], |row| {
            row.get(0)
        })?;
    if stored == 0 {
        return Ok(());
    }
    let mut keys: std::collections::HashSet<(&str, i32)> = std::collections::HashSet::new();
    for l in &extracted {
        keys.insert((l.numero_factura.as_str(), l.linea));
    }
    // Every extracted line of the day was just upserted, so the day holds at least these
    // keys: equal counts mean nothing was voided (the usual case, and every new day).
    if keys.len() as i64 == stored {
        return Ok(());
    }
    if (keys.len() as i64) * 2 < stored {
        out.warnings.push(format!(
            "conciliación omitida para {} {}: la extracción trae {} líneas y hay {} guardadas (< 50 %)",
            r.ubicacion_id,
            r.fecha,
            keys.len(),
            stored
        ));
        return Ok(());
    }
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE stage_keep (numero_factura VARCHAR, linea INTEGER)")?;
    {
        let mut app = conn.appender("stage_keep")?;
        for (f, l) in &keys {
            app.append_row(params![f, l])?;
        }
        app.flush()?;
    }
    let deleted = conn.execute(
        "DELETE FROM ventas v WHERE v.ubicacion_id = ? AND v.fecha = ?
           AND NOT EXISTS (SELECT 1 FROM stage_keep k WHERE k.numero_factura = v.numero_factura AND k.linea = v.linea)",
        params![r.ubicacion_id, r.fecha],
    )?;
    if deleted > 0 {
        conn.execute_batch("CREATE OR REPLACE TEMP TABLE stage_touched (ubicacion_id VARCHAR, fecha DATE)")?;
        conn.execute("INSERT INTO stage_touched VALUES (?, ?)", params![r.ubicacion_id, r.fecha])?;
        sales::refresh_daily_sales(conn, "stage_touched")?;
        conn.execute_batch("DROP TABLE stage_touched;")?;
        out.warnings.push(format!("{deleted} línea(s) anuladas eliminadas de {} {}", r.ubicacion_id, r.fecha));
    }
    conn.execute_batch("DROP TABLE stage_keep;")?;
    out.deleted = deleted;
    Ok(())
}

/// Rows of the last successful load of a warehouse (for the truncated-listing check).
pub fn previous_listing_rows(conn: &Connection, ubicacion_id: &str, almacen: &str) -> duckdb::Result<Option<i64>> {
    use duckdb::OptionalExt;
    conn.query_row(
        "SELECT filas FROM inventario_cargas WHERE ubicacion_id = ? AND almacen_codigo = ? ORDER BY fecha_snapshot DESC LIMIT 1",
        params![ubicacion_id, almacen],
        |r| r.get::<_, i64>(0),
    )
    .optional()
}

/// Loads one warehouse listing: products first, then the stock replace with change-only
/// history and the load record.
pub fn load_stock_listing(
    conn: &Connection,
    listing: &StockListing,
    products: &[SourceProduct],
    fuente: &str,
    execution_id: i64,
    now_utc: NaiveDateTime,
) -> Result<(LoadCounts, LoadCounts), LoadError> {
    let p = merge_products(conn, products, fuente, now_utc)?;
    // The same snapshot loaded again (a replayed run) is a no-op: its history rows and load
    // record already exist.
    let already: i64 = conn.query_row(
        "SELECT count(*) FROM inventario_cargas WHERE ubicacion_id = ? AND almacen_codigo = ? AND fecha_snapshot = ?",
        params![listing.ubicacion_id, listing.almacen_codigo, listing.fecha_snapshot],
        |r| r.get(0),
    )?;
    let s = load::replace_stock(conn, listing, "etl", Some(execution_id), already > 0)?;
    Ok((p, s))
}

/// `cedi_origen_id` after an inventory run (spec 10 §7.2, spec 31 §1.2): the first of the
/// tenant's `[distribution].origin_by_attribute` rules the product's cuadrante (exact, any
/// case) or category (contains, any case) matches, else the first `origin_by_stock` rule
/// whose CEDI holds the product (`present`: any row there; `positive`: stock above 0), else
/// the previous value, else the default origin. A hand-set origin in the product
/// administration overrides all of this in the effective product view. The CEDI ids are the
/// tenant's (D-18). Returns the products changed.
pub fn recompute_cedi_origen(conn: &Connection, d: &crate::config::DistributionSection) -> duckdb::Result<usize> {
    if !d.has_origin_rules() {
        return Ok(0);
    }
    let mut whens = String::new();
    let mut joins = String::new();
    let mut args: Vec<String> = Vec::new();
    for r in &d.origin_by_attribute {
        match (&r.cuadrante, &r.categoria) {
            (Some(q), _) if !q.trim().is_empty() => {
                whens.push_str("WHEN upper(trim(pr.cuadrante)) = ?::VARCHAR THEN ?::VARCHAR ");
                args.push(q.trim().to_uppercase());
            }
            (_, Some(c)) => {
                whens.push_str("WHEN strpos(upper(coalesce(pr.categoria, '')), ?::VARCHAR) > 0 THEN ?::VARCHAR ");
                args.push(c.trim().to_uppercase());
            }
            _ => continue,
        }
        args.push(r.cedi.clone());
    }
    for (i, r) in d.origin_by_stock.iter().enumerate() {
        whens.push_str(&format!("WHEN r{i}.producto_codigo IS NOT NULL THEN ?::VARCHAR "));
        args.push(r.cedi.clone());
    }
    args.push(d.default_origin.clone().unwrap_or_default());
    for (i, r) in d.origin_by_stock.iter().enumerate() {
        let positive = if r.when == "positive" { " AND cantidad > 0" } else { "" };
        joins.push_str(&format!(
            "LEFT JOIN (SELECT DISTINCT producto_codigo FROM inventario_actual WHERE ubicacion_id = ?{positive}) r{i}
                    ON r{i}.producto_codigo = pr.codigo "
        ));
        args.push(r.cedi.clone());
    }
    conn.execute(
        &format!(
            "UPDATE productos p SET cedi_origen_id = x.nuevo
             FROM (SELECT pr.codigo, CASE {whens} ELSE coalesce(pr.cedi_origen_id, ?::VARCHAR) END AS nuevo
                   FROM productos pr {joins}) x
             WHERE p.codigo = x.codigo AND p.cedi_origen_id IS DISTINCT FROM x.nuevo"
        ),
        duckdb::params_from_iter(args),
    )
}
