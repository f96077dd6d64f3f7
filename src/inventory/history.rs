//! A product's stock history at a location and its 2-hour reconciliation with the sales
//! (spec 40 §7.4). Windows are true rolling hours before local now.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::InventoryError;
use crate::domain::reconciliation::{blocks, Block};
use crate::warehouse::stock as ws;
use crate::warehouse::Warehouse;

#[derive(Debug, Serialize)]
pub struct Point {
    pub almacen_codigo: String,
    pub fecha: NaiveDateTime,
    pub cantidad: f64,
    /// The current stock (the last point of each almacén).
    pub es_actual: bool,
}

#[derive(Debug, Serialize)]
pub struct History {
    pub codigo_producto: String,
    pub desde: NaiveDateTime,
    pub puntos: Vec<Point>,
}

pub fn history(wh: &Warehouse, location: &str, code: &str, hours: i64, now: NaiveDateTime) -> Result<History, InventoryError> {
    let conn = wh.reader()?;
    let desde = now - Duration::hours(hours);
    let codes = [code.to_string()];
    let mut puntos: Vec<Point> = ws::history_since(&conn, location, &codes, desde)?
        .into_iter()
        .map(|(_, almacen_codigo, fecha, cantidad)| Point { almacen_codigo, fecha, cantidad, es_actual: false })
        .collect();
    for (almacen_codigo, cantidad, fecha) in ws::product_rows(&conn, location, code)? {
        puntos.push(Point { almacen_codigo, fecha: fecha.max(puntos.last().map_or(fecha, |p| p.fecha)), cantidad, es_actual: true });
    }
    Ok(History { codigo_producto: code.to_string(), desde, puntos })
}

#[derive(Debug, Serialize, Default)]
pub struct Totals {
    pub cambio: f64,
    pub ventas: f64,
    pub diferencia: f64,
}

#[derive(Debug, Serialize)]
pub struct Reconciliation {
    pub codigo_producto: String,
    pub desde: NaiveDateTime,
    pub bloques: Vec<Block>,
    pub totales: Totals,
}

pub fn reconciliation(
    wh: &Warehouse,
    location: &str,
    code: &str,
    hours: i64,
    now: NaiveDateTime,
) -> Result<Reconciliation, InventoryError> {
    let conn = wh.reader()?;
    let desde = now - Duration::hours(hours);
    let codes = [code.to_string()];
    let snaps: Vec<(String, NaiveDateTime, f64)> =
        ws::history_since(&conn, location, &codes, desde)?.into_iter().map(|(_, a, t, q)| (a, t, q)).collect();
    let sales: Vec<(NaiveDateTime, f64)> =
        ws::sales_since(&conn, location, &codes, desde)?.into_iter().map(|s| (s.fecha_venta, s.cantidad)).collect();
    let bloques = blocks(&snaps, &sales);
    let totales = bloques.iter().fold(Totals::default(), |t, b| Totals {
        cambio: t.cambio + b.cambio,
        ventas: t.ventas + b.ventas,
        diferencia: t.diferencia + b.diferencia,
    });
    Ok(Reconciliation { codigo_producto: code.to_string(), desde, bloques, totales })
}
