//! The GMROI and rotation inputs of BI (spec 40 §1.6, §2, §3.4, §3.6) per product × store
//! over a window: sales and cost from the daily aggregate, the current stock, the unit cost
//! and the *average* stock of the window's days with a stock load, read from the change-only
//! history.
//!
//! The average stock of a day is its end-of-day value (each almacén's last quantity of the
//! day, negatives as 0), over the store's days with a load (`inventario_cargas`) in the
//! window. Only the history rows since the window's start are read: the quantity a product
//! had before its first change in the window is that change's previous value (`cantidad −
//! cantidad_cambio`, 0 on first sight), and a product without any change since then has had
//! its current quantity all along. The store's days are joined to those constant stretches.

use chrono::NaiveDate;
use duckdb::{params, Connection};

/// Separator of the lists passed as one text parameter (never inside an id).
const SEP: &str = "\u{1f}";

/// One product at one store over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductStoreFacts {
    pub ubicacion_id: String,
    pub producto_codigo: String,
    pub descripcion: Option<String>,
    pub categoria: Option<String>,
    /// `cedi_origen_id` as stored (the storage family).
    pub familia: Option<String>,
    pub ventas: f64,
    pub costo: f64,
    pub unidades: f64,
    /// Current stock, Σ over almacenes of max(quantity, 0).
    pub stock_unidades: f64,
    /// Mean end-of-day stock (units) over the store's days with a load in the window; None
    /// when the store had no load in the window.
    pub stock_prom_unidades: Option<f64>,
    /// Unit cost (§1.6): the product's POS cost when positive, else the store's weighted
    /// average sale cost of the 30 days ending with the window, else the network's.
    pub costo_unitario: Option<f64>,
}

const SQL: &str = "
WITH lista AS (SELECT unnest(string_split(?1, chr(31))) AS ubicacion_id),
ventas AS (
    SELECT d.ubicacion_id, d.producto_codigo, sum(d.venta_total)::DOUBLE AS ventas, sum(d.costo_total)::DOUBLE AS costo,
           sum(d.cantidad)::DOUBLE AS unidades
    FROM ventas_diarias d SEMI JOIN lista l ON l.ubicacion_id = d.ubicacion_id
    WHERE d.fecha BETWEEN ?2 AND ?3 GROUP BY ALL),
costo_tienda AS (
    SELECT ubicacion_id, producto_codigo, (sum(costo_total) / sum(cantidad))::DOUBLE AS c
    FROM ventas_diarias WHERE fecha BETWEEN ?3::DATE - 29 AND ?3 GROUP BY ALL HAVING sum(cantidad) > 0 AND sum(costo_total) > 0),
costo_red AS (
    SELECT producto_codigo, (sum(costo_total) / sum(cantidad))::DOUBLE AS c
    FROM ventas_diarias WHERE fecha BETWEEN ?3::DATE - 29 AND ?3 GROUP BY ALL HAVING sum(cantidad) > 0 AND sum(costo_total) > 0),
actual AS (
    SELECT a.ubicacion_id, a.producto_codigo, sum(greatest(a.cantidad, 0))::DOUBLE AS q
    FROM inventario_actual a SEMI JOIN lista l ON l.ubicacion_id = a.ubicacion_id GROUP BY ALL),
dias AS (
    SELECT DISTINCT c.ubicacion_id, c.fecha_snapshot::DATE AS dia
    FROM inventario_cargas c SEMI JOIN lista l ON l.ubicacion_id = c.ubicacion_id
    WHERE c.fecha_snapshot >= ?2::DATE AND c.fecha_snapshot < ?3::DATE + 1),
nd AS (SELECT ubicacion_id, count(*)::DOUBLE AS n FROM dias GROUP BY ALL),
cambios AS (
    SELECT h.ubicacion_id, h.almacen_codigo, h.producto_codigo, h.fecha_snapshot::DATE AS dia,
           arg_max(h.cantidad, h.fecha_snapshot)::DOUBLE AS q,
           arg_min(h.cantidad - coalesce(h.cantidad_cambio, h.cantidad), h.fecha_snapshot)::DOUBLE AS antes
    FROM inventario_historico h SEMI JOIN lista l ON l.ubicacion_id = h.ubicacion_id
    WHERE h.fecha_snapshot >= ?2::DATE GROUP BY ALL),
tramos AS (
    SELECT ubicacion_id, almacen_codigo, producto_codigo, dia AS desde,
           lead(dia) OVER (PARTITION BY ubicacion_id, almacen_codigo, producto_codigo ORDER BY dia) AS hasta, q
    FROM cambios
    UNION ALL
    SELECT ubicacion_id, almacen_codigo, producto_codigo, ?2::DATE AS desde, min(dia) AS hasta, arg_min(antes, dia) AS q
    FROM cambios GROUP BY ALL
    UNION ALL
    SELECT a.ubicacion_id, a.almacen_codigo, a.producto_codigo, ?2::DATE AS desde, NULL::DATE AS hasta, a.cantidad::DOUBLE AS q
    FROM inventario_actual a SEMI JOIN lista l ON l.ubicacion_id = a.ubicacion_id
    ANTI JOIN cambios c ON c.ubicacion_id = a.ubicacion_id AND c.almacen_codigo = a.almacen_codigo AND c.producto_codigo = a.producto_codigo),
promedio AS (
    SELECT t.ubicacion_id, t.producto_codigo, (sum(greatest(t.q, 0)) / any_value(nd.n))::DOUBLE AS q
    FROM tramos t
    JOIN dias d ON d.ubicacion_id = t.ubicacion_id AND d.dia >= t.desde AND (t.hasta IS NULL OR d.dia < t.hasta)
    JOIN nd ON nd.ubicacion_id = t.ubicacion_id
    WHERE t.q > 0 GROUP BY t.ubicacion_id, t.producto_codigo),
claves AS (
    SELECT ubicacion_id, producto_codigo FROM ventas
    UNION SELECT ubicacion_id, producto_codigo FROM actual WHERE q > 0
    UNION SELECT ubicacion_id, producto_codigo FROM promedio)
SELECT k.ubicacion_id AS ubicacion_id, k.producto_codigo AS producto_codigo, p.descripcion AS descripcion, p.categoria AS categoria,
       p.cedi_origen_id AS familia, coalesce(v.ventas, 0)::DOUBLE AS ventas, coalesce(v.costo, 0)::DOUBLE AS costo,
       coalesce(v.unidades, 0)::DOUBLE AS unidades, coalesce(a.q, 0)::DOUBLE AS stock_unidades,
       CASE WHEN nd.n IS NULL THEN NULL ELSE coalesce(pr.q, 0) END::DOUBLE AS stock_prom_unidades,
       coalesce(CASE WHEN p.costo_unitario_usd > 0 THEN p.costo_unitario_usd::DOUBLE END, ct.c, cr.c)::DOUBLE AS costo_unitario
FROM claves k
LEFT JOIN ventas v ON v.ubicacion_id = k.ubicacion_id AND v.producto_codigo = k.producto_codigo
LEFT JOIN actual a ON a.ubicacion_id = k.ubicacion_id AND a.producto_codigo = k.producto_codigo
LEFT JOIN promedio pr ON pr.ubicacion_id = k.ubicacion_id AND pr.producto_codigo = k.producto_codigo
LEFT JOIN nd ON nd.ubicacion_id = k.ubicacion_id
LEFT JOIN productos_v p ON p.codigo = k.producto_codigo
LEFT JOIN costo_tienda ct ON ct.ubicacion_id = k.ubicacion_id AND ct.producto_codigo = k.producto_codigo
LEFT JOIN costo_red cr ON cr.producto_codigo = k.producto_codigo";

/// Every product sold at, stocked at or stocked during the window at one of `stores`.
pub fn product_store_facts(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<ProductStoreFacts>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(SQL)?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| {
        Ok(ProductStoreFacts {
            ubicacion_id: r.get("ubicacion_id")?,
            producto_codigo: r.get("producto_codigo")?,
            descripcion: r.get("descripcion")?,
            categoria: r.get("categoria")?,
            familia: r.get("familia")?,
            ventas: r.get("ventas")?,
            costo: r.get("costo")?,
            unidades: r.get("unidades")?,
            stock_unidades: r.get("stock_unidades")?,
            stock_prom_unidades: r.get("stock_prom_unidades")?,
            costo_unitario: r.get("costo_unitario")?,
        })
    })?;
    rows.collect()
}
