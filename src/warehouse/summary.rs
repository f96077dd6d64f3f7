//! "Resumen de red": per location, sales of a date window, tickets, units, stock value at
//! cost and days of data. Reads the daily aggregates, never the raw lines, so it stays in
//! milliseconds at full client scale.

use chrono::NaiveDate;
use duckdb::{params, Connection};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocationSummary {
    pub id: String,
    pub nombre: String,
    pub tipo: String,
    pub region: String,
    pub ventas_usd: f64,
    /// Distinct invoices (ubicacion_id, numero_factura) in the window.
    pub tickets: i64,
    pub unidades: f64,
    /// Σ max(stock, 0) × current unit cost, over every warehouse of the location.
    pub valor_stock_costo_usd: f64,
    /// Stores: days with sales (all time). CEDIs: days with at least one stock load.
    pub dias_con_datos: i64,
    pub primera_fecha: Option<NaiveDate>,
    pub ultima_fecha: Option<NaiveDate>,
}

const SQL: &str = "
WITH ventas AS (
    SELECT ubicacion_id, sum(venta_total)::DOUBLE AS ventas, sum(tickets)::BIGINT AS tickets,
           sum(cantidad)::DOUBLE AS unidades
    FROM ventas_diarias_ubicacion WHERE fecha BETWEEN ? AND ? GROUP BY ubicacion_id),
dias_venta AS (
    SELECT ubicacion_id, count(*) AS dias, min(fecha) AS primera, max(fecha) AS ultima
    FROM ventas_diarias_ubicacion GROUP BY ubicacion_id),
dias_stock AS (
    SELECT ubicacion_id, count(DISTINCT fecha_snapshot::DATE) AS dias,
           min(fecha_snapshot)::DATE AS primera, max(fecha_snapshot)::DATE AS ultima
    FROM inventario_cargas GROUP BY ubicacion_id),
stock AS (
    SELECT i.ubicacion_id, sum(greatest(i.cantidad, 0) * coalesce(p.costo_unitario_usd, 0))::DOUBLE AS valor
    FROM inventario_actual i LEFT JOIN productos p ON p.codigo = i.producto_codigo
    GROUP BY i.ubicacion_id)
SELECT u.id, u.nombre, u.tipo, u.region,
       coalesce(v.ventas, 0), coalesce(v.tickets, 0), coalesce(v.unidades, 0), coalesce(s.valor, 0),
       CASE WHEN u.tipo = 'cedi' THEN coalesce(ds.dias, 0) ELSE coalesce(dv.dias, 0) END,
       CASE WHEN u.tipo = 'cedi' THEN ds.primera ELSE dv.primera END,
       CASE WHEN u.tipo = 'cedi' THEN ds.ultima ELSE dv.ultima END
FROM app.ubicaciones u
LEFT JOIN ventas v ON v.ubicacion_id = u.id
LEFT JOIN dias_venta dv ON dv.ubicacion_id = u.id
LEFT JOIN dias_stock ds ON ds.ubicacion_id = u.id
LEFT JOIN stock s ON s.ubicacion_id = u.id
WHERE u.activo AND u.visible_reportes
ORDER BY u.orden";

/// Summary of every active, reportable location for sales dated in [desde, hasta].
pub fn network_summary(conn: &Connection, desde: NaiveDate, hasta: NaiveDate) -> duckdb::Result<Vec<LocationSummary>> {
    let mut stmt = conn.prepare_cached(SQL)?;
    let rows = stmt.query_map(params![desde, hasta], |r| {
        Ok(LocationSummary {
            id: r.get(0)?,
            nombre: r.get(1)?,
            tipo: r.get(2)?,
            region: r.get(3)?,
            ventas_usd: r.get(4)?,
            tickets: r.get(5)?,
            unidades: r.get(6)?,
            valor_stock_costo_usd: r.get(7)?,
            dias_con_datos: r.get(8)?,
            primera_fecha: r.get(9)?,
            ultima_fecha: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// Latest sale timestamp in the warehouse (local time), for health reporting.
pub fn last_sale_at(conn: &Connection) -> duckdb::Result<Option<chrono::NaiveDateTime>> {
    conn.query_row("SELECT max(fecha_venta) FROM ventas WHERE fecha = (SELECT max(fecha) FROM ventas_diarias_ubicacion)", [], |r| r.get(0))
}
