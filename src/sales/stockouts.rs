//! *Agotados visuales* (spec 40 §6.4): products a store has in stock that stopped selling,
//! probably not on the shelf. The rules (open hours, factor, score, priority, diagnosis)
//! are `domain::visual_stockouts`; this module reads their inputs at local now.
//!
//! The badge is the list's `total_alertas`: every alert, before the list's 100-row cap, so
//! the two never disagree on what an alert is (the original's badge and list did).

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::{active_store, SalesError};
use crate::config::{Store, Tenant};
use crate::domain::sales::round_half_away;
use crate::domain::store_hours::StoreHours;
use crate::domain::visual_stockouts::{evaluate, is_alert, order, Candidate, Diagnosis, Priority, Settings};
use crate::replenishment::excluded_warehouses;
use crate::warehouse::kept::Kept;
use crate::warehouse::replenishment as wq;
use crate::warehouse::sale_events::{self as se, ProductEvents};
use crate::warehouse::stock::store_classes;
use crate::warehouse::Warehouse;

/// The last sale event of an alert.
#[derive(Debug, Clone, Serialize)]
pub struct LastSale {
    pub numero_factura: String,
    pub fecha: chrono::NaiveDate,
    pub hora: String,
    pub cantidad: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StockoutItem {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub stock_actual: f64,
    /// Sale events (tickets) in the window, and per day (`eventos / 14`).
    pub eventos: usize,
    pub ventas_dia: f64,
    pub prom_h: f64,
    pub sin_vender_h: f64,
    pub factor_alerta: f64,
    pub ultima_venta: LastSale,
    pub clase_abc: Option<&'static str>,
    pub eventos_region: u32,
    pub score: u32,
    pub prioridad: Priority,
    pub prioridad_nombre: &'static str,
    pub stock_ultima_venta: Option<f64>,
    pub diagnostico: Diagnosis,
    pub detalle: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PriorityTotals {
    pub critico: usize,
    pub alto: usize,
    pub medio: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct VisualStockouts {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub almacen_codigo: Option<String>,
    pub fecha_analisis: NaiveDateTime,
    pub hora_apertura: String,
    pub hora_cierre: String,
    pub horas_operacion: f64,
    pub tienda_abierta: bool,
    pub ventana_dias: i64,
    /// Alerts found; `items` holds at most `limite` of them, by score.
    pub total_alertas: usize,
    pub limite: usize,
    pub totales: PriorityTotals,
    pub items: Vec<StockoutItem>,
}

fn hours_of(store: &Store) -> StoreHours {
    let (apertura, cierre) = store.hours();
    StoreHours::parse(&apertura, &cierre).unwrap_or_else(|| {
        // The configuration check rejects malformed hours; an older file falls back to the
        // data model's default rather than failing the screen.
        tracing::warn!(store = %store.id, apertura, cierre, "malformed store hours, using 07:00–21:00");
        StoreHours::parse("07:00", "21:00").unwrap_or_else(|| unreachable!("valid literal hours"))
    })
}

/// Warehouses left out of the stock: those not counted toward the store's stock, and all but
/// `almacen` when one is chosen.
fn left_out(tenant: &Tenant, store: &Store, almacen: Option<&str>) -> Vec<String> {
    match almacen {
        None => excluded_warehouses(tenant, &store.id),
        Some(a) => store.warehouses().filter(|w| w.codigo != a).map(|w| w.codigo.clone()).collect(),
    }
}

/// The alerts at `now`, scored and diagnosed, at most [`Settings::max_rows`].
///
/// The alert filter needs only each product's events, stock, class and active flag; the
/// other inputs (region tickets, stock at the last sale, names) are read for the alerts only.
pub fn list(
    tenant: &Tenant,
    wh: &Warehouse,
    store: &str,
    almacen: Option<&str>,
    now: NaiveDateTime,
) -> Result<VisualStockouts, SalesError> {
    let store = active_store(tenant, store)?.clone();
    let hours = hours_of(&store);
    let s = Settings::default();
    let conn = wh.reader()?;
    let t = std::time::Instant::now();
    let events = se::product_events(&conn, &store.id, almacen, now - Duration::days(s.window_days), now, s.min_events.max(2))?;
    let excluded = left_out(tenant, &store, almacen);
    let stock = wq::stock(&conn, &store.id, &excluded)?;
    let classes = store_classes(&conn, &store.id)?;
    let inactive = se::inactive_codes(&conn)?;
    tracing::debug!(products = events.len(), ms = t.elapsed().as_millis() as u64, "sale events, stock and classes read");
    let mut candidates: Vec<(&ProductEvents, Candidate)> = events
        .iter()
        .map(|e| {
            let c = Candidate {
                events: e.events,
                first_event: e.first,
                last_event: e.last,
                stock: stock.get(e.codigo.as_str()).copied().unwrap_or(0.0),
                active: !inactive.contains(&e.codigo),
                abc: classes.get(&e.codigo).map(|(c, _)| *c),
                region_events: 0,
                stock_at_last_sale: None,
            };
            (e, c)
        })
        .filter(|(_, c)| is_alert(c, &hours, now, &s))
        .collect();
    let codes: Vec<&str> = candidates.iter().map(|(e, _)| e.codigo.as_str()).collect();
    // The region signal, at the daily aggregate's grain: the 14 dates ending today.
    let region: Vec<String> = tenant
        .stores()
        .iter()
        .filter(|o| o.active && !o.is_cedi() && o.region == store.region && o.id != store.id)
        .map(|o| o.id.clone())
        .collect();
    let region_tickets = se::tickets_by_product(&conn, &region, &codes, now.date() - Duration::days(s.window_days - 1), now.date())?;
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "region tickets read");
    // Stock at each alert's last sale (its almacenes' values at tₙ).
    let last_sales: Vec<(&str, NaiveDateTime)> = candidates.iter().map(|(e, _)| (e.codigo.as_str(), e.last)).collect();
    let at_last_sale = se::stock_at(&conn, &store.id, &last_sales, &excluded)?;
    tracing::debug!(ms = t.elapsed().as_millis() as u64, "stock at the last sales read");
    let labels = se::product_labels(&conn, &codes)?;
    tracing::debug!(alerts = codes.len(), ms = t.elapsed().as_millis() as u64, "region, stock at the last sales and names read");
    let mut items: Vec<(StockoutItem, crate::domain::visual_stockouts::Alert)> = Vec::new();
    for (e, c) in candidates.iter_mut() {
        c.stock_at_last_sale = at_last_sale.get(&e.codigo).copied();
        c.region_events = region_tickets.get(&e.codigo).copied().unwrap_or(0);
        let Some(alert) = evaluate(c, &hours, now, &s) else { continue };
        let label = labels.get(&e.codigo);
        items.push((
            StockoutItem {
                codigo_producto: e.codigo.clone(),
                descripcion: label.map(|l| l.descripcion.clone()).unwrap_or_default(),
                categoria: label.and_then(|l| l.categoria.clone()),
                stock_actual: c.stock,
                eventos: e.events,
                ventas_dia: round_half_away(e.events as f64 / s.window_days as f64, 1),
                prom_h: round_half_away(alert.prom_h, 1),
                sin_vender_h: round_half_away(alert.sin_vender_h, 1),
                factor_alerta: round_half_away(alert.factor_alerta, 1),
                ultima_venta: LastSale {
                    numero_factura: e.last_invoice.clone(),
                    fecha: e.last.date(),
                    hora: e.last.format("%H:%M").to_string(),
                    cantidad: e.last_units,
                },
                clase_abc: c.abc.map(|a| a.as_str()),
                eventos_region: c.region_events,
                score: alert.score,
                prioridad: alert.prioridad,
                prioridad_nombre: alert.prioridad.label(),
                stock_ultima_venta: c.stock_at_last_sale,
                diagnostico: alert.diagnostico,
                detalle: alert.detalle,
            },
            alert,
        ));
    }
    items.sort_by(|a, b| order(&a.1, &b.1).then_with(|| a.0.codigo_producto.cmp(&b.0.codigo_producto)));
    let mut totales = PriorityTotals::default();
    for (_, a) in &items {
        match a.prioridad {
            Priority::Critico => totales.critico += 1,
            Priority::Alto => totales.alto += 1,
            Priority::Medio => totales.medio += 1,
        }
    }
    let total_alertas = items.len();
    items.truncate(s.max_rows);
    Ok(VisualStockouts {
        ubicacion_nombre: store.name.clone(),
        ubicacion_id: store.id.clone(),
        almacen_codigo: almacen.map(str::to_string),
        fecha_analisis: now,
        hora_apertura: hours.apertura(),
        hora_cierre: hours.cierre(),
        horas_operacion: hours.daily_hours(),
        tienda_abierta: hours.is_open(now.time()),
        ventana_dias: s.window_days,
        total_alertas,
        limite: s.max_rows,
        totales,
        items: items.into_iter().map(|(i, _)| i).collect(),
    })
}

/// Lists kept per (store, almacén, minute) until the next write: the badge and the list
/// of one visit share one scan.
pub struct KeptStockouts(Kept<(String, Option<String>, NaiveDateTime), VisualStockouts>);

impl Default for KeptStockouts {
    fn default() -> Self {
        KeptStockouts(Kept::new(32))
    }
}

impl KeptStockouts {
    pub fn get(
        &self,
        tenant: &Tenant,
        wh: &Warehouse,
        store: &str,
        almacen: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<std::sync::Arc<VisualStockouts>, SalesError> {
        use chrono::Timelike;
        let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
        self.0.get_or_compute(wh, (store.to_string(), almacen.map(str::to_string), minute), || list(tenant, wh, store, almacen, minute))
    }
}
