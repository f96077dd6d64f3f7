//! The reads behind an emergencies scan (spec 40 §4) and its product detail (§4.8).
//!
//! A scan of every store reads: the same weekday's hourly revenue of the last four weeks
//! (`ventas_horarias_ubicacion`, ≈ 17 rows per store-day), the stores' trading days of the
//! last 30 (`ventas_diarias_ubicacion`), today's sale lines up to now (`ventas`, bounded by
//! `fecha` = today so DuckDB reads that day's row groups only), the 30-day units per
//! product (`ventas_diarias`, bounded by `fecha`) and the current stock. The candidate query
//! keeps only products whose remaining demand matters and whose stock is below the store's
//! alert threshold of it — the final classification is the domain's — and counts the
//! products analysed per store, so a client-scale scan returns hundreds of rows, not 100 k.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

const SEP: &str = "\u{1f}";

fn joined<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(SEP)
}

/// Revenue of one store in one local hour of one day.
#[derive(Debug, Clone, PartialEq)]
pub struct HourRevenue {
    pub ubicacion_id: String,
    pub fecha: NaiveDate,
    pub hora: u32,
    pub venta: f64,
}

/// The hourly revenue of `stores` on the days `from..=to` that fall on `weekday`
/// (DuckDB's `dayofweek`: 0 = Sunday … 6 = Saturday).
pub fn weekday_hours(
    conn: &Connection,
    stores: &[String],
    from: NaiveDate,
    to: NaiveDate,
    weekday: u32,
) -> duckdb::Result<Vec<HourRevenue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, fecha, hora::INTEGER AS hora, venta_total::DOUBLE AS venta
         FROM ventas_horarias_ubicacion
         WHERE fecha BETWEEN ?2 AND ?3 AND dayofweek(fecha) = ?4 AND list_contains(string_split(?1, chr(31)), ubicacion_id)",
    )?;
    let rows = stmt.query_map(params![joined(stores), from, to, weekday], |r| {
        Ok(HourRevenue {
            ubicacion_id: r.get("ubicacion_id")?,
            fecha: r.get("fecha")?,
            hora: u32::try_from(r.get::<_, i32>("hora")?).unwrap_or(0).min(23),
            venta: r.get("venta")?,
        })
    })?;
    rows.collect()
}

/// The days `from..=to` on which each of `stores` had any sale.
pub fn trading_days(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<(String, NaiveDate)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, fecha FROM ventas_diarias_ubicacion
         WHERE fecha BETWEEN ?2 AND ?3 AND lineas > 0 AND list_contains(string_split(?1, chr(31)), ubicacion_id)",
    )?;
    let rows = stmt.query_map(params![joined(stores), from, to], |r| Ok((r.get("ubicacion_id")?, r.get("fecha")?)))?;
    rows.collect()
}

/// Each store's revenue on `day` up to `until` (local), from the day's sale lines.
pub fn revenue_until(conn: &Connection, stores: &[String], day: NaiveDate, until: NaiveDateTime) -> duckdb::Result<FxHashMap<String, f64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ubicacion_id, sum(venta_total)::DOUBLE AS venta FROM ventas
         WHERE fecha = ?2 AND fecha_venta <= ?3 AND list_contains(string_split(?1, chr(31)), ubicacion_id)
         GROUP BY ubicacion_id",
    )?;
    let rows = stmt.query_map(params![joined(stores), day, until], |r| Ok((r.get("ubicacion_id")?, r.get("venta")?)))?;
    rows.collect()
}

/// What the candidate query needs of one store: `k` turns 30-day units into remaining
/// demand (`factor × (1 − F) / trading days`), `alerta` is its alert threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreScan {
    pub ubicacion_id: String,
    pub k: f64,
    pub alerta: f64,
}

/// A product of a store whose stock may not cover the rest of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub ubicacion_id: String,
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub clase_abc: Option<String>,
    /// Units sold in the demand window (atypical days left out).
    pub unidades: f64,
    /// Σ over the store's almacenes; 0 for a product without inventory row sold today.
    pub stock: f64,
    /// The almacén holding most of it.
    pub almacen_codigo: Option<String>,
    pub vendidas_hoy: f64,
}

/// Candidates and, per store, how many products were analysed (active, with stock or a sale
/// today, remaining demand above `min_remaining`).
pub type Candidates = (Vec<Candidate>, FxHashMap<String, usize>);

/// See the module's text. `atypical` = (store, day) pairs left out of the units.
#[allow(clippy::too_many_arguments)]
pub fn candidates(
    conn: &Connection,
    stores: &[StoreScan],
    atypical: &[(String, NaiveDate)],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    now: NaiveDateTime,
    min_remaining: f64,
) -> duckdb::Result<Candidates> {
    if stores.is_empty() {
        return Ok(Default::default());
    }
    let ids: Vec<&str> = stores.iter().map(|s| s.ubicacion_id.as_str()).collect();
    let ks: Vec<String> = stores.iter().map(|s| format!("{:e}", s.k)).collect();
    let alerts: Vec<String> = stores.iter().map(|s| format!("{:e}", s.alerta)).collect();
    let atip: Vec<String> = atypical.iter().map(|(s, d)| format!("{s}|{d}")).collect();
    let mut stmt = conn.prepare_cached(
        "WITH params AS (
             SELECT unnest(string_split(?1, chr(31))) AS ubicacion_id, unnest(string_split(?2, chr(31)))::DOUBLE AS k,
                    unnest(string_split(?3, chr(31)))::DOUBLE AS alerta),
         atipicos AS (
             SELECT split_part(x, '|', 1) AS ubicacion_id, split_part(x, '|', 2)::DATE AS fecha
             FROM (SELECT unnest(string_split(?4, chr(31))) AS x) WHERE x <> ''),
         demanda AS (
             SELECT d.ubicacion_id, d.producto_id, sum(d.cantidad)::DOUBLE AS unidades
             FROM ventas_diarias d SEMI JOIN params p ON p.ubicacion_id = d.ubicacion_id
             ANTI JOIN atipicos a ON a.ubicacion_id = d.ubicacion_id AND a.fecha = d.fecha
             WHERE d.fecha BETWEEN ?5 AND ?6
             GROUP BY d.ubicacion_id, d.producto_id),
         existencias AS (
             SELECT i.ubicacion_id, i.producto_codigo, sum(i.cantidad)::DOUBLE AS stock, arg_max(i.almacen_codigo, i.cantidad) AS almacen
             FROM inventario_actual i SEMI JOIN params p ON p.ubicacion_id = i.ubicacion_id
             GROUP BY i.ubicacion_id, i.producto_codigo),
         hoy AS (
             SELECT v.ubicacion_id, v.producto_codigo, sum(v.cantidad_vendida)::DOUBLE AS vendidas
             FROM ventas v SEMI JOIN params p ON p.ubicacion_id = v.ubicacion_id
             WHERE v.fecha = ?7 AND v.fecha_venta <= ?8
             GROUP BY v.ubicacion_id, v.producto_codigo),
         analizados AS MATERIALIZED (
             SELECT d.ubicacion_id, i.codigo AS producto_codigo, pr.descripcion, pr.categoria, d.unidades,
                    coalesce(s.stock, 0) AS stock, s.almacen, coalesce(h.vendidas, 0) AS vendidas, d.unidades * p.k AS restante, p.alerta
             FROM demanda d JOIN params p ON p.ubicacion_id = d.ubicacion_id
             JOIN producto_ids i ON i.id = d.producto_id
             JOIN productos_v pr ON pr.codigo = i.codigo AND pr.activo
             LEFT JOIN existencias s ON s.ubicacion_id = d.ubicacion_id AND s.producto_codigo = i.codigo
             LEFT JOIN hoy h ON h.ubicacion_id = d.ubicacion_id AND h.producto_codigo = i.codigo
             WHERE (s.producto_codigo IS NOT NULL OR h.producto_codigo IS NOT NULL) AND d.unidades * p.k > ?9 * (1 - 1e-9))
         SELECT a.ubicacion_id, a.producto_codigo, a.descripcion, a.categoria, c.clase_abc, a.unidades, a.stock, a.almacen,
                a.vendidas, NULL::BIGINT AS analizados
         FROM analizados a LEFT JOIN productos_abc_tienda c ON c.ubicacion_id = a.ubicacion_id AND c.producto_codigo = a.producto_codigo
         WHERE a.stock < a.alerta * a.restante * (1 + 1e-9)
         UNION ALL
         SELECT ubicacion_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(*) FROM analizados GROUP BY ubicacion_id",
    )?;
    let mut rows = stmt.query(params![joined(&ids), joined(&ks), joined(&alerts), joined(&atip), from, to, today, now, min_remaining])?;
    let (mut out, mut counts) = (Vec::new(), FxHashMap::default());
    while let Some(r) = rows.next()? {
        let store: String = r.get("ubicacion_id")?;
        if let Some(n) = r.get::<_, Option<i64>>("analizados")? {
            counts.insert(store, usize::try_from(n).unwrap_or(0));
            continue;
        }
        out.push(Candidate {
            ubicacion_id: store,
            producto_codigo: r.get("producto_codigo")?,
            descripcion: r.get("descripcion")?,
            categoria: r.get("categoria")?,
            clase_abc: r.get("clase_abc")?,
            unidades: r.get("unidades")?,
            stock: r.get("stock")?,
            almacen_codigo: r.get("almacen")?,
            vendidas_hoy: r.get("vendidas")?,
        });
    }
    Ok((out, counts))
}

/// An inventory row below zero of an active product.
#[derive(Debug, Clone, PartialEq)]
pub struct NegativeRow {
    pub ubicacion_id: String,
    pub almacen_codigo: String,
    pub producto_codigo: String,
    pub descripcion: String,
    pub cantidad: f64,
}

pub fn negative_rows(conn: &Connection, stores: &[String]) -> duckdb::Result<Vec<NegativeRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.ubicacion_id, i.almacen_codigo, i.producto_codigo, p.descripcion, i.cantidad::DOUBLE AS cantidad
         FROM inventario_actual i JOIN productos_v p ON p.codigo = i.producto_codigo AND p.activo
         WHERE i.cantidad < 0 AND list_contains(string_split(?1, chr(31)), i.ubicacion_id)
         ORDER BY i.ubicacion_id, i.producto_codigo, i.almacen_codigo",
    )?;
    let rows = stmt.query_map(params![joined(stores)], |r| {
        Ok(NegativeRow {
            ubicacion_id: r.get("ubicacion_id")?,
            almacen_codigo: r.get("almacen_codigo")?,
            producto_codigo: r.get("producto_codigo")?,
            descripcion: r.get("descripcion")?,
            cantidad: r.get("cantidad")?,
        })
    })?;
    rows.collect()
}

/// One product of one store as the detail modal shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductHead {
    pub descripcion: String,
    pub categoria: Option<String>,
    pub clase_abc: Option<String>,
    pub stock: f64,
    pub almacen_codigo: Option<String>,
}

pub fn product_head(conn: &Connection, store: &str, code: &str) -> duckdb::Result<Option<ProductHead>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.descripcion, p.categoria,
                (SELECT c.clase_abc FROM productos_abc_tienda c WHERE c.ubicacion_id = ?1 AND c.producto_codigo = p.codigo) AS clase_abc,
                (SELECT coalesce(sum(i.cantidad), 0)::DOUBLE FROM inventario_actual i WHERE i.ubicacion_id = ?1 AND i.producto_codigo = p.codigo) AS stock,
                (SELECT arg_max(i.almacen_codigo, i.cantidad) FROM inventario_actual i WHERE i.ubicacion_id = ?1 AND i.producto_codigo = p.codigo) AS almacen
         FROM productos_v p WHERE p.codigo = ?2",
    )?;
    let mut rows = stmt.query_map(params![store, code], |r| {
        Ok(ProductHead {
            descripcion: r.get("descripcion")?,
            categoria: r.get("categoria")?,
            clase_abc: r.get("clase_abc")?,
            stock: r.get("stock")?,
            almacen_codigo: r.get("almacen")?,
        })
    })?;
    rows.next().transpose()
}

/// A product's units per day at one store over `from..=to` (days with sales only).
pub fn product_days(conn: &Connection, store: &str, code: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<(NaiveDate, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.fecha, sum(d.cantidad)::DOUBLE AS unidades
         FROM ventas_diarias d JOIN producto_ids i ON i.id = d.producto_id
         WHERE d.ubicacion_id = ?1 AND i.codigo = ?2 AND d.fecha BETWEEN ?3 AND ?4
         GROUP BY d.fecha ORDER BY d.fecha",
    )?;
    let rows = stmt.query_map(params![store, code, from, to], |r| Ok((r.get("fecha")?, r.get("unidades")?)))?;
    rows.collect()
}

/// A product's units per day and local hour at one store from `from` up to `until`, from its
/// sale lines (one store, one product, a few weeks of `fecha`).
pub fn product_hours(
    conn: &Connection,
    store: &str,
    code: &str,
    from: NaiveDate,
    until: NaiveDateTime,
) -> duckdb::Result<Vec<(NaiveDate, u32, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT fecha, hour(fecha_venta)::INTEGER AS hora, sum(cantidad_vendida)::DOUBLE AS unidades
         FROM ventas
         WHERE ubicacion_id = ?1 AND producto_codigo = ?2 AND fecha BETWEEN ?3 AND ?4::DATE AND fecha_venta <= ?4
         GROUP BY ALL ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(params![store, code, from, until], |r| {
        Ok((r.get("fecha")?, u32::try_from(r.get::<_, i32>("hora")?).unwrap_or(0).min(23), r.get("unidades")?))
    })?;
    rows.collect()
}
