//! The inter-CEDI wizard's analysis views of one product (spec 31 §3.10): the region's daily
//! sales per store with the P75 the calculation used (one definition, D-15: each store's P75
//! over its days with sales, atypical days left out; the regional P75 is their sum), and a
//! CEDI's stock at the end of each day with today's live stock.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

use super::{invalid, DistributionError};
use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::domain::distribution::inter_cedi::{regional_demand, StoreDays};
use crate::replenishment::{end_of_day_stock, excluded_warehouses, ReplenishmentError};
use crate::warehouse::product_sales as ps;
use crate::warehouse::replenishment as wq;
use crate::warehouse::Warehouse;

/// Longest window either view accepts.
pub const MAX_DAYS: i64 = 180;

const WEEKDAYS: [&str; 7] = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"];

fn weekday(d: NaiveDate) -> &'static str {
    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
}

fn check_days(dias: i64) -> Result<(), DistributionError> {
    match (1..=MAX_DAYS).contains(&dias) {
        true => Ok(()),
        false => Err(invalid("dias", format!("dias debe estar entre 1 y {MAX_DAYS}"))),
    }
}

fn read(e: duckdb::Error) -> DistributionError {
    DistributionError::Replenishment(ReplenishmentError::from(e))
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreRef {
    pub id: String,
    pub nombre: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesDay {
    pub fecha: NaiveDate,
    pub dia_semana: &'static str,
    /// Units per store id (0 when it did not sell).
    pub por_tienda: BTreeMap<String, f64>,
    pub total: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesTotals {
    pub total: f64,
    pub dias_con_venta: usize,
    /// Total ÷ days of the window.
    pub promedio_diario: f64,
    pub p75_por_tienda: BTreeMap<String, f64>,
    pub p75_regional: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesHistory {
    pub codigo_producto: String,
    pub cedi_destino_id: String,
    pub region: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub tiendas: Vec<StoreRef>,
    pub dias: Vec<SalesDay>,
    pub totales: SalesTotals,
}

/// The destination region's sales of `code` over the `dias` days before `today`.
pub fn regional_sales(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    destino: &str,
    code: &str,
    today: NaiveDate,
    dias: i64,
) -> Result<SalesHistory, DistributionError> {
    check_days(dias)?;
    let dest = tenant
        .stores()
        .iter()
        .find(|s| s.id == destino && s.active && s.is_cedi())
        .ok_or_else(|| invalid("cedi_destino_id", format!("«{destino}» no es un CEDI activo")))?;
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == dest.region).collect();
    let (from, to) = (today - Duration::days(dias), today - Duration::days(1));
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let reader = wh.reader().map_err(ReplenishmentError::from)?;
    let rows = ps::daily_by_store(&reader, code, &ids, from, to).map_err(read)?;
    let mut per_store: BTreeMap<&str, Vec<wq::DaySales>> = BTreeMap::new();
    for r in &rows {
        per_store.entry(r.ubicacion_id.as_str()).or_default().push(wq::DaySales {
            fecha: r.fecha,
            cantidad: r.cantidad,
            venta_total: r.venta_total,
            tickets: r.tickets,
        });
    }
    // The same series the calculation reads: days with sales, atypical days left out.
    let mut store_days = Vec::with_capacity(stores.len());
    for s in &stores {
        let skipped = settings::atypical_days(app, &s.id)?;
        let days = per_store.get(s.id.as_str()).map(|d| wq::window_days(d, from, to, &skipped).collect()).unwrap_or_default();
        store_days.push(StoreDays { tienda_id: s.id.clone(), dias: days });
    }
    let demand = regional_demand(&store_days);
    let mut units: std::collections::HashMap<(&str, NaiveDate), f64> = std::collections::HashMap::new();
    for r in &rows {
        *units.entry((r.ubicacion_id.as_str(), r.fecha)).or_default() += r.cantidad;
    }
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let por_tienda: BTreeMap<String, f64> =
            stores.iter().map(|s| (s.id.clone(), units.get(&(s.id.as_str(), d)).copied().unwrap_or(0.0))).collect();
        let total = por_tienda.values().sum();
        days.push(SalesDay { fecha: d, dia_semana: weekday(d), por_tienda, total });
        d += Duration::days(1);
    }
    let total: f64 = days.iter().map(|d| d.total).sum();
    let totales = SalesTotals {
        total,
        dias_con_venta: days.iter().filter(|d| d.total > 0.0).count(),
        promedio_diario: total / dias as f64,
        p75_por_tienda: demand.p75_por_tienda.into_iter().collect(),
        p75_regional: demand.p75_regional,
    };
    Ok(SalesHistory {
        codigo_producto: code.to_string(),
        cedi_destino_id: dest.id.clone(),
        region: dest.region.clone(),
        desde: from,
        hasta: to,
        tiendas: stores.iter().map(|s| StoreRef { id: s.id.clone(), nombre: s.name.clone() }).collect(),
        dias: days,
        totales,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct StockDay {
    pub fecha: NaiveDate,
    pub cantidad: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockStats {
    pub maximo: f64,
    pub minimo: f64,
    pub promedio: f64,
    pub actual: f64,
    pub dias: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockHistory {
    pub codigo_producto: String,
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// End-of-day stock of each day with a known value; today is the live stock.
    pub dias: Vec<StockDay>,
    pub estadisticas: Option<StockStats>,
}

/// A CEDI's stock of `code` at the end of each of the `dias` days before `today`, then today.
pub fn cedi_stock(
    tenant: &Tenant,
    wh: &Warehouse,
    ubicacion: &str,
    code: &str,
    today: NaiveDate,
    dias: i64,
) -> Result<StockHistory, DistributionError> {
    check_days(dias)?;
    let loc = tenant
        .stores()
        .iter()
        .find(|s| s.id == ubicacion && s.active && s.is_cedi())
        .ok_or_else(|| invalid("ubicacion_id", format!("«{ubicacion}» no es un CEDI activo")))?;
    let from = today - Duration::days(dias);
    let reader = wh.reader().map_err(ReplenishmentError::from)?;
    let ids = vec![loc.id.clone()];
    let mut series = end_of_day_stock(tenant, &reader, code, &ids, from, today - Duration::days(1)).map_err(read)?;
    let mut days: Vec<StockDay> =
        series.remove(&loc.id).unwrap_or_default().into_iter().map(|(fecha, cantidad)| StockDay { fecha, cantidad }).collect();
    // Today's point is the live stock (what the calculation read), when there is any.
    let live = wq::stock(&reader, &loc.id, &excluded_warehouses(tenant, &loc.id)).map_err(read)?;
    if let Some(q) = live.get(code) {
        days.push(StockDay { fecha: today, cantidad: *q });
    }
    let estadisticas = (!days.is_empty()).then(|| {
        let q: Vec<f64> = days.iter().map(|d| d.cantidad).collect();
        StockStats {
            maximo: q.iter().copied().fold(f64::MIN, f64::max),
            minimo: q.iter().copied().fold(f64::MAX, f64::min),
            promedio: q.iter().sum::<f64>() / q.len() as f64,
            actual: *q.last().unwrap_or(&0.0),
            dias: q.len(),
        }
    });
    Ok(StockHistory {
        codigo_producto: code.to_string(),
        ubicacion_id: loc.id.clone(),
        ubicacion_nombre: loc.name.clone(),
        desde: from,
        hasta: today,
        dias: days,
        estadisticas,
    })
}
