//! *Ventas — resumen regional* (spec 40 §6.1), the sales landing: per store with sales in the
//! last `dias` complete days, tickets, distinct products, units, sales, days with sales, the
//! daily average over those days and the first and last sale; per region, the same summed
//! over its stores, except the distinct products (the union of its stores') and the daily
//! units (the sum of its stores' daily averages).
//!
//! Only the stores the caller sees count: a store manager's region totals are those of his
//! stores. Regions come in the order `[[regions]]` declares them, stores in tenant.toml order.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::SalesError;
use crate::config::{Store, Tenant};
use crate::domain::sales::round_half_away;
use crate::warehouse::sales_summary as wq;
use crate::warehouse::Warehouse;

/// The window when the screen does not say.
pub const DEFAULT_DAYS: i64 = 30;
/// Longest window (a year and a month of days).
pub const MAX_DAYS: i64 = 400;

/// The `dias` complete local days ending yesterday (spec 40 §1.1): today is partial.
pub fn window(today: NaiveDate, dias: i64) -> (NaiveDate, NaiveDate) {
    let hasta = today - Duration::days(1);
    (hasta - Duration::days(dias - 1), hasta)
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreSummary {
    pub ubicacion_id: String,
    pub nombre: String,
    /// Distinct (store, invoice).
    pub tickets: i64,
    pub productos_distintos: i64,
    pub unidades: f64,
    pub venta_total: f64,
    pub dias_con_venta: i64,
    /// Units / days with sales.
    pub promedio_unidades_diarias: f64,
    /// "YYYY-MM-DD HH:MM", local (null only if the day's lines went away during the read).
    pub primera_venta: Option<String>,
    pub ultima_venta: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionSummary {
    pub region: String,
    /// Stores listed (with sales in the window).
    pub ubicaciones: usize,
    pub tickets: i64,
    /// Distinct across the region's stores (not the sum of theirs).
    pub productos_distintos: i64,
    pub unidades: f64,
    /// Σ of its stores' `promedio_unidades_diarias`.
    pub unidades_diarias: f64,
    pub venta_total: f64,
    pub tiendas: Vec<StoreSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionalSummary {
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub dias: i64,
    pub regiones: Vec<RegionSummary>,
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// The active stores among `visible`, in tenant.toml order.
fn stores<'a>(tenant: &'a Tenant, visible: &[String]) -> Vec<&'a Store> {
    tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && visible.contains(&s.id)).collect()
}

/// A region being summed, in full precision until the output (spec 40 §1.7).
#[derive(Default)]
struct RegionSums {
    /// Positions of its stores in the list whose products were read.
    positions: Vec<usize>,
    tickets: i64,
    unidades: f64,
    unidades_diarias: f64,
    venta_total: f64,
    tiendas: Vec<StoreSummary>,
}

/// The summary of the `dias` days ending yesterday over the `visible` stores (ids; the
/// caller's scope).
pub fn compute(tenant: &Tenant, wh: &Warehouse, visible: &[String], today: NaiveDate, dias: i64) -> Result<RegionalSummary, SalesError> {
    let (desde, hasta) = window(today, dias);
    let stores = stores(tenant, visible);
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let conn = wh.reader()?;
    let totals = wq::store_totals(&conn, &ids, desde, hasta)?;
    // Only the stores that sold (in tenant.toml order): their products, first and last sale.
    let selling: Vec<(&Store, &wq::StoreTotals)> =
        stores.iter().filter_map(|s| totals.iter().find(|t| t.ubicacion_id == s.id).map(|t| (*s, t))).collect();
    let selling_ids: Vec<String> = selling.iter().map(|(s, _)| s.id.clone()).collect();
    let products = wq::product_stores(&conn, &selling_ids, desde, hasta)?;
    let days: Vec<(String, NaiveDate, NaiveDate)> = selling.iter().map(|(s, t)| (s.id.clone(), t.primer_dia, t.ultimo_dia)).collect();
    let spans = wq::sale_spans(&conn, &days)?;
    drop(conn);

    let mut regions: Vec<(&str, RegionSums)> = Vec::new();
    for (i, (s, t)) in selling.iter().enumerate() {
        let promedio = if t.dias_con_venta > 0 { t.unidades / t.dias_con_venta as f64 } else { 0.0 };
        let span = spans.get(&s.id);
        let tienda = StoreSummary {
            ubicacion_id: s.id.clone(),
            nombre: s.name.clone(),
            tickets: t.tickets,
            productos_distintos: products.sold_by_any(&[i]),
            unidades: round_half_away(t.unidades, 2),
            venta_total: round_half_away(t.venta_total, 2),
            dias_con_venta: t.dias_con_venta,
            promedio_unidades_diarias: round_half_away(promedio, 2),
            primera_venta: span.map(|x| minute(x.primera)),
            ultima_venta: span.map(|x| minute(x.ultima)),
        };
        let k = match regions.iter().position(|(r, _)| *r == s.region) {
            Some(k) => k,
            None => {
                regions.push((&s.region, RegionSums::default()));
                regions.len() - 1
            }
        };
        let r = &mut regions[k].1;
        r.positions.push(i);
        r.tickets += t.tickets;
        r.unidades += t.unidades;
        r.unidades_diarias += promedio;
        r.venta_total += t.venta_total;
        r.tiendas.push(tienda);
    }
    // Declared order ([[regions]]), then name for a region not declared.
    let declared = |region: &str| tenant.file.regions.iter().position(|r| r.id == region).unwrap_or(usize::MAX);
    regions.sort_by(|(a, _), (b, _)| declared(a).cmp(&declared(b)).then_with(|| a.cmp(b)));
    let regiones = regions
        .into_iter()
        .map(|(region, r)| RegionSummary {
            region: region.to_string(),
            ubicaciones: r.tiendas.len(),
            tickets: r.tickets,
            productos_distintos: products.sold_by_any(&r.positions),
            unidades: round_half_away(r.unidades, 2),
            unidades_diarias: round_half_away(r.unidades_diarias, 2),
            venta_total: round_half_away(r.venta_total, 2),
            tiendas: r.tiendas,
        })
        .collect();
    Ok(RegionalSummary { desde, hasta, dias, regiones })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_complete_days_ending_yesterday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(window(d("2025-03-31"), 30), (d("2025-03-01"), d("2025-03-30")));
        assert_eq!(window(d("2025-03-01"), 1), (d("2025-02-28"), d("2025-02-28")));
    }
}
