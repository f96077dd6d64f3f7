//! *Ventas de una ubicación* (spec 40 §6.2): per product of a store over a period, units,
//! sales, average per selling day, the P75 without probable stock-out days (overall and per
//! weekday), the payday effect, the period's ABC and velocity, and the current stock; the
//! same-weekday drill-down; the two-sheet Excel export.
//!
//! A (store, period) table is computed from the daily aggregate (never the raw lines) and
//! kept while the warehouse has had no write; filters, ranks and pages are passes over it.

pub mod drilldown;
mod export;
pub mod lost;
pub mod stockouts;
pub mod summary;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

pub use export::{file_name, sales_xlsx};

use crate::config::{Store, Tenant};
use crate::domain::inventory::{velocity, Velocity};
use crate::domain::sales_analysis::{p75_without_stockouts, period_class, q15_pct, same_weekday_history, weekday_sunday0, SameWeekday};
use crate::domain::text::Text;
use crate::replenishment::excluded_warehouses;
use crate::warehouse::kept::Kept;
use crate::warehouse::replenishment as wq;
use crate::warehouse::sales_detail as ws;
use crate::warehouse::Warehouse;

/// The screen's default period starts the same day of the previous month.
pub fn default_start(today: NaiveDate) -> NaiveDate {
    today.checked_sub_months(chrono::Months::new(1)).unwrap_or(today)
}

/// Longest period a table covers (a year and a month of daily rows).
pub const MAX_PERIOD_DAYS: i64 = 400;

#[derive(Debug, thiserror::Error)]
pub enum SalesError {
    #[error("«{0}» no es una tienda activa")]
    UnknownStore(String),
    #[error("El producto «{0}» no existe")]
    UnknownProduct(String),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    WarehouseOpen(#[from] crate::warehouse::WarehouseError),
}

/// One product's figures over the period (those that do not depend on the filters).
#[derive(Debug, Clone, Serialize)]
pub struct ProductSales {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<Text>,
    pub marca: Option<Text>,
    pub unidades_por_bulto: f64,
    pub cantidad_total: f64,
    pub venta_total: f64,
    /// Units / days on which the store sold anything in the period.
    pub promedio_diario: f64,
    pub velocidad_venta: Velocity,
    /// P75 of the selling days without probable stock-outs; `None` without selling days.
    pub p75: Option<f64>,
    /// The same per weekday, 0 = Sunday … 6 = Saturday.
    pub p75_dia_semana: [Option<f64>; 7],
    pub promedio_bultos_diario: f64,
    pub q15_pct: f64,
    pub stock_actual: f64,
    /// The product's selling days (for the daily sheet of the export).
    #[serde(skip)]
    pub dias: Vec<(NaiveDate, f64)>,
}

pub struct SalesTable {
    pub ubicacion_id: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub dias_con_venta: usize,
    pub products: Vec<ProductSales>,
    pub categorias: BTreeSet<String>,
    pub marcas: BTreeSet<String>,
}

fn active_store<'a>(tenant: &'a Tenant, id: &str) -> Result<&'a Store, SalesError> {
    tenant.stores().iter().find(|s| s.id == id && s.active && !s.is_cedi()).ok_or_else(|| SalesError::UnknownStore(id.to_string()))
}

pub fn compute(tenant: &Tenant, wh: &Warehouse, store: &str, desde: NaiveDate, hasta: NaiveDate) -> Result<SalesTable, SalesError> {
    let store = active_store(tenant, store)?;
    let conn = wh.reader()?;
    let daily = wq::daily_sales(&conn, &store.id, desde, hasta)?;
    let facts = ws::products_by_id(&conn)?;
    let store_days = ws::store_days(&conn, &store.id, desde, hasta)?;
    let stock = wq::stock(&conn, &store.id, &excluded_warehouses(tenant, &store.id))?;
    let n_days = store_days.len().max(1) as f64;
    let (mut categorias, mut marcas) = (BTreeSet::new(), BTreeSet::new());
    let mut products = Vec::new();
    for (id, days) in daily.iter() {
        let Some(p) = facts.get(id) else { continue };
        let dias: Vec<(NaiveDate, f64)> = days.iter().map(|d| (d.fecha, d.cantidad)).collect();
        let units: Vec<f64> = dias.iter().map(|(_, u)| *u).collect();
        let cantidad_total: f64 = units.iter().sum();
        let p75 = p75_without_stockouts(&units);
        let mut p75_dia_semana = [None; 7];
        for (wd, slot) in p75_dia_semana.iter_mut().enumerate() {
            let of_day: Vec<f64> = dias.iter().filter(|(d, _)| weekday_sunday0(*d) == wd).map(|(_, u)| *u).collect();
            *slot = p75_without_stockouts(&of_day);
        }
        let promedio_diario = cantidad_total / n_days;
        if let Some(c) = &p.categoria {
            categorias.insert(c.to_string());
        }
        if let Some(m) = &p.marca {
            marcas.insert(m.to_string());
        }
        products.push(ProductSales {
            codigo_producto: p.codigo.clone(),
            descripcion: p.descripcion.clone(),
            categoria: p.categoria.clone(),
            marca: p.marca.clone(),
            unidades_por_bulto: p.unidades_por_bulto,
            cantidad_total,
            venta_total: days.iter().map(|d| d.venta_total).sum(),
            promedio_diario,
            velocidad_venta: velocity(promedio_diario * 30.0),
            promedio_bultos_diario: p75.unwrap_or(promedio_diario) / p.unidades_por_bulto,
            p75,
            p75_dia_semana,
            q15_pct: q15_pct(&dias),
            stock_actual: stock.get(p.codigo.as_str()).copied().unwrap_or(0.0),
            dias,
        });
    }
    Ok(SalesTable { ubicacion_id: store.id.clone(), desde, hasta, dias_con_venta: store_days.len(), products, categorias, marcas })
}

/// Kept tables by (store, period), valid while the warehouse had no write.
pub struct Tables {
    kept: Kept<(String, NaiveDate, NaiveDate), SalesTable>,
}

impl Default for Tables {
    fn default() -> Self {
        Tables { kept: Kept::new(48) }
    }
}

impl Tables {
    /// Computes every active store's table for the screen's default period (*Último mes*
    /// through `today`), as `serve` does once the warehouse is quiet after a load.
    pub fn warm(&self, tenant: &Tenant, wh: &Warehouse, today: NaiveDate) -> usize {
        let desde = default_start(today);
        let stores = tenant.stores().iter().filter(|s| s.active && !s.is_cedi());
        stores
            .filter(|s| {
                self.get(tenant, wh, &s.id, desde, today)
                    .inspect_err(|e| tracing::warn!(store = %s.id, error = %e, "sales table not computed"))
                    .is_ok()
            })
            .count()
    }

    pub fn get(
        &self,
        tenant: &Tenant,
        wh: &Warehouse,
        store: &str,
        desde: NaiveDate,
        hasta: NaiveDate,
    ) -> Result<Arc<SalesTable>, SalesError> {
        self.kept.get_or_compute(wh, (store.to_string(), desde, hasta), || compute(tenant, wh, store, desde, hasta))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SortBy {
    #[default]
    CantidadTotal,
    PromedioDiario,
    PorcentajeTotal,
    VentaTotal,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub categoria: Option<String>,
    pub marca: Option<String>,
    pub search: Option<String>,
    /// A, B or C of the period.
    pub abc: Option<&'static str>,
    pub velocidad: Option<Velocity>,
    pub sort_by: SortBy,
    pub page: usize,
    pub page_size: usize,
}

/// A product's row as shown: its figures, and those that depend on the filtered set.
#[derive(Debug, Serialize)]
pub struct SalesLine<'a> {
    #[serde(flatten)]
    pub producto: &'a ProductSales,
    /// Share of the filtered set's units.
    pub porcentaje_total: f64,
    pub rank: usize,
    pub clase_abc_periodo: &'static str,
}

#[derive(Debug, Serialize, Default)]
pub struct Totals {
    pub productos: usize,
    pub unidades: f64,
    pub ventas: f64,
}

/// Every row `f` keeps, ranked by units within the categories, brands and search (the
/// period's ABC is by that rank), then kept by ABC and velocity and sorted.
pub fn lines<'a>(t: &'a SalesTable, f: &Filter) -> (Vec<SalesLine<'a>>, Totals) {
    let needle = f.search.as_ref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let mut set: Vec<&ProductSales> = t
        .products
        .iter()
        .filter(|p| f.categoria.as_deref().is_none_or(|c| p.categoria.as_deref() == Some(c)))
        .filter(|p| f.marca.as_deref().is_none_or(|m| p.marca.as_deref() == Some(m)))
        .filter(|p| {
            needle.as_ref().is_none_or(|n| p.codigo_producto.to_lowercase().contains(n) || p.descripcion.to_lowercase().contains(n))
        })
        .collect();
    set.sort_by(|a, b| b.cantidad_total.total_cmp(&a.cantidad_total).then_with(|| a.codigo_producto.cmp(&b.codigo_producto)));
    let all_units: f64 = set.iter().map(|p| p.cantidad_total).sum();
    let mut out: Vec<SalesLine<'a>> = set
        .into_iter()
        .enumerate()
        .map(|(i, p)| SalesLine {
            producto: p,
            porcentaje_total: if all_units > 0.0 { p.cantidad_total / all_units * 100.0 } else { 0.0 },
            rank: i + 1,
            clase_abc_periodo: period_class(i + 1),
        })
        .filter(|l| f.abc.is_none_or(|c| l.clase_abc_periodo == c))
        .filter(|l| f.velocidad.is_none_or(|v| l.producto.velocidad_venta == v))
        .collect();
    let key = |l: &SalesLine| match f.sort_by {
        SortBy::CantidadTotal | SortBy::PorcentajeTotal => l.producto.cantidad_total,
        SortBy::PromedioDiario => l.producto.promedio_diario,
        SortBy::VentaTotal => l.producto.venta_total,
    };
    out.sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| a.rank.cmp(&b.rank)));
    let totals = Totals {
        productos: out.len(),
        unidades: out.iter().map(|l| l.producto.cantidad_total).sum(),
        ventas: out.iter().map(|l| l.producto.venta_total).sum(),
    };
    (out, totals)
}

/// The last 8 same weekdays (within 60 days before `today`, only days the store sold
/// anything) of a product: units per date, the mean of the dates it sold, stock-out flags.
#[derive(Debug, Serialize)]
pub struct WeekdayHistory {
    pub codigo_producto: String,
    pub dia_semana: usize,
    pub fechas: Vec<SameWeekday>,
    pub promedio: f64,
}

pub fn weekday_history(
    tenant: &Tenant,
    wh: &Warehouse,
    store: &str,
    code: &str,
    weekday: usize,
    today: NaiveDate,
) -> Result<WeekdayHistory, SalesError> {
    let store = active_store(tenant, store)?;
    let conn = wh.reader()?;
    let (from, to) = (today - Duration::days(60), today - Duration::days(1));
    let days = ws::store_days(&conn, &store.id, from, to)?;
    let units = ws::product_days(&conn, &store.id, code, from, to)?;
    let (fechas, promedio) = same_weekday_history(&days, &units, weekday, 8);
    Ok(WeekdayHistory { codigo_producto: code.to_string(), dia_semana: weekday, fechas, promedio })
}
