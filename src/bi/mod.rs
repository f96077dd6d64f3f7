//! Business intelligence over the warehouse (spec 40 §3): the *Dashboard de Red* — the
//! network's KPIs for a period against its comparison period, and sales per store. Sums come
//! from the store × day aggregate (tickets cannot be summed over products); the rules are in
//! `domain::bi`.

pub mod abc;
pub mod coverage;
pub mod impact;
pub mod inventory;
pub mod product_compare;
pub mod products;
pub mod stores;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::{Store, Tenant};
use crate::domain::bi::{
    comparison_range, heatmap, period_days, ticket_distribution, variations, Comparison, Heatmap, Kpis, TicketDistribution, Totals,
    Variations,
};
use crate::domain::sales::round_half_away;
use crate::warehouse::sales_summary as ws;
use crate::warehouse::Warehouse;

#[derive(Debug, thiserror::Error)]
pub enum BiError {
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    WarehouseOpen(#[from] crate::warehouse::WarehouseError),
    #[error("{0}")]
    NotFound(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    #[serde(flatten)]
    pub kpis: Kpis,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreSales {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub ventas_total: f64,
    pub tickets: i64,
    pub margen_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkKpis {
    pub region: Option<String>,
    pub comparar_con: Comparison,
    pub dias_periodo: i64,
    pub periodo_actual: Period,
    pub periodo_comparacion: Period,
    pub variaciones: Variations,
    /// Per store of the scope, sales first.
    pub ventas_por_tienda: Vec<StoreSales>,
    /// Last day with sales in the warehouse for the scope (None without any).
    pub datos_al: Option<NaiveDate>,
}

fn totals_of(r: &ws::StoreTotals) -> Totals {
    Totals { ventas: r.venta_total, costo: r.costo_total, items: r.unidades, tickets: r.tickets }
}

fn scope<'t>(tenant: &'t Tenant, region: Option<&str>) -> Result<Vec<&'t Store>, BiError> {
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| !s.is_cedi() && region.is_none_or(|r| s.region == r)).collect();
    if let (Some(r), true) = (region, stores.is_empty()) {
        return Err(BiError::Invalid { field: "region", message: format!("La región «{r}» no tiene tiendas") });
    }
    Ok(stores)
}

/// The network KPIs of `inicio..=fin` against the comparison period (§3.1), stores only.
pub fn network_kpis(
    tenant: &Tenant,
    wh: &Warehouse,
    inicio: NaiveDate,
    fin: NaiveDate,
    comparar_con: Comparison,
    region: Option<&str>,
) -> Result<NetworkKpis, BiError> {
    if inicio > fin {
        return Err(BiError::Invalid { field: "fecha_inicio", message: "La fecha de inicio es posterior a la fecha de fin".into() });
    }
    let stores = scope(tenant, region)?;
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let (c_from, c_to) = comparison_range(inicio, fin, comparar_con);
    let reader = wh.reader()?;
    let now = ws::store_totals(&reader, &ids, inicio, fin)?;
    let before = ws::store_totals(&reader, &ids, c_from, c_to)?;
    let sum = |rows: &[ws::StoreTotals]| {
        let mut t = Totals::default();
        for r in rows {
            t += totals_of(r);
        }
        t
    };
    let (a, c) = (Kpis::of(&sum(&now)), Kpis::of(&sum(&before)));
    let mut ventas_por_tienda: Vec<StoreSales> = stores
        .iter()
        .map(|s| {
            let row = now.iter().find(|r| r.ubicacion_id == s.id);
            let k = Kpis::of(&row.map_or(Totals::default(), totals_of));
            StoreSales {
                ubicacion_id: s.id.clone(),
                nombre: s.name.clone(),
                region: s.region.clone(),
                ventas_total: round_half_away(k.ventas_total, 2),
                tickets: k.tickets,
                margen_pct: round_half_away(k.margen_pct, 2),
            }
        })
        .collect();
    ventas_por_tienda.sort_by(|x, y| y.ventas_total.total_cmp(&x.ventas_total).then_with(|| x.nombre.cmp(&y.nombre)));
    let datos_al = ws::last_sale_day(&reader, &ids)?;
    Ok(NetworkKpis {
        region: region.map(str::to_string),
        comparar_con,
        dias_periodo: period_days(inicio, fin),
        variaciones: variations(&a, &c),
        periodo_actual: Period { fecha_inicio: inicio, fecha_fin: fin, kpis: a.rounded() },
        periodo_comparacion: Period { fecha_inicio: c_from, fecha_fin: c_to, kpis: c.rounded() },
        ventas_por_tienda,
        datos_al,
    })
}

fn store<'t>(tenant: &'t Tenant, id: &str) -> Result<&'t Store, BiError> {
    tenant.stores().iter().find(|s| s.id == id && !s.is_cedi()).ok_or_else(|| BiError::NotFound(format!("Tienda «{id}» no encontrada")))
}

fn check_range(inicio: NaiveDate, fin: NaiveDate) -> Result<(), BiError> {
    match inicio <= fin {
        true => Ok(()),
        false => Err(BiError::Invalid { field: "fecha_inicio", message: "La fecha de inicio es posterior a la fecha de fin".into() }),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EvolutionDay {
    pub fecha: NaiveDate,
    #[serde(flatten)]
    pub kpis: Kpis,
    /// Mean daily sales of the stores that sold that day (*Promedio Red*).
    pub promedio_red: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evolution {
    pub ubicacion_id: String,
    pub nombre: String,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    /// The store's last day with sales (a period past it is partly empty).
    pub datos_al: Option<NaiveDate>,
    /// Days with sales of the store.
    pub dias: Vec<EvolutionDay>,
    pub totales: Kpis,
}

/// *Evolución de ventas* of one store (§3.2 panel 1).
pub fn evolution(tenant: &Tenant, wh: &Warehouse, id: &str, inicio: NaiveDate, fin: NaiveDate) -> Result<Evolution, BiError> {
    check_range(inicio, fin)?;
    let s = store(tenant, id)?;
    let reader = wh.reader()?;
    let rows = ws::store_days_totals(&reader, &s.id, inicio, fin)?;
    let network: Vec<String> = tenant.stores().iter().filter(|s| !s.is_cedi()).map(|s| s.id.clone()).collect();
    let mean: std::collections::HashMap<NaiveDate, f64> = ws::network_daily_mean(&reader, &network, inicio, fin)?.into_iter().collect();
    let mut total = Totals::default();
    let dias = rows
        .iter()
        .map(|(fecha, ventas, costo, items, tickets)| {
            let t = Totals { ventas: *ventas, costo: *costo, items: *items, tickets: *tickets };
            total += t;
            EvolutionDay { fecha: *fecha, kpis: Kpis::of(&t).rounded(), promedio_red: mean.get(fecha).map(|m| round_half_away(*m, 2)) }
        })
        .collect();
    Ok(Evolution {
        ubicacion_id: s.id.clone(),
        nombre: s.name.clone(),
        fecha_inicio: inicio,
        fecha_fin: fin,
        datos_al: ws::last_sale_day(&reader, std::slice::from_ref(&s.id))?,
        dias,
        totales: Kpis::of(&total).rounded(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct TicketsOfStore {
    pub ubicacion_id: String,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    /// The store's last day with sales (a period past it is partly empty).
    pub datos_al: Option<NaiveDate>,
    #[serde(flatten)]
    pub distribucion: TicketDistribution,
}

/// *Distribución de tickets* of one store (§3.2 panel 3).
pub fn tickets(tenant: &Tenant, wh: &Warehouse, id: &str, inicio: NaiveDate, fin: NaiveDate) -> Result<TicketsOfStore, BiError> {
    check_range(inicio, fin)?;
    let s = store(tenant, id)?;
    let reader = wh.reader()?;
    let totals = ws::ticket_totals(&reader, &s.id, inicio, fin)?;
    Ok(TicketsOfStore {
        ubicacion_id: s.id.clone(),
        fecha_inicio: inicio,
        fecha_fin: fin,
        datos_al: ws::last_sale_day(&reader, std::slice::from_ref(&s.id))?,
        distribucion: ticket_distribution(&totals),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct HeatmapOfStore {
    pub ubicacion_id: String,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    /// The store's last day with sales (a period past it is partly empty).
    pub datos_al: Option<NaiveDate>,
    #[serde(flatten)]
    pub mapa: Heatmap,
}

/// *Heatmap por hora* of one store over the `dias` complete days before `today` (§3.2 panel 4).
pub fn hourly_heatmap(tenant: &Tenant, wh: &Warehouse, id: &str, today: NaiveDate, dias: i64) -> Result<HeatmapOfStore, BiError> {
    if !(1..=365).contains(&dias) {
        return Err(BiError::Invalid { field: "dias", message: "dias debe estar entre 1 y 365".into() });
    }
    let s = store(tenant, id)?;
    let (from, to) = (today - chrono::Duration::days(dias), today - chrono::Duration::days(1));
    let reader = wh.reader()?;
    let rows = ws::weekday_hour_sales(&reader, &s.id, from, to)?;
    Ok(HeatmapOfStore {
        ubicacion_id: s.id.clone(),
        fecha_inicio: from,
        fecha_fin: to,
        datos_al: ws::last_sale_day(&reader, std::slice::from_ref(&s.id))?,
        mapa: heatmap(&rows),
    })
}
