//! One product's sales drill-downs (spec 40 §6.3): daily by store with outlier flags and
//! end-of-day stock, hourly on one day, the last 20 complete days, the individual lines,
//! and the sales + stock history with its diagnosis. Rules are in
//! `domain::sales_drilldown`; this module reads and shapes.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::SalesError;
use crate::config::Tenant;
use crate::domain::replenishment::transit::store_series;
use crate::domain::sales::round_half_away;
use crate::domain::sales_analysis::weekday_sunday0;
use crate::domain::sales_drilldown::{diagnose, outlier_flags, Day, Diagnosis};
use crate::replenishment::{end_of_day_stock, excluded_warehouses};
use crate::warehouse::product_sales as ps;
use crate::warehouse::products::{self as wp, ProductRow};
use crate::warehouse::Warehouse;

/// Hours the hourly views always show (stores open inside them by default).
pub const SHOWN_HOURS: std::ops::RangeInclusive<u32> = 6..=22;

const WEEKDAYS: [&str; 7] = ["Domingo", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"];

/// What every drill-down says of the product.
#[derive(Debug, Clone, Serialize)]
pub struct ProductHeader {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub unidades_por_bulto: f64,
}

fn product(wh: &Warehouse, code: &str) -> Result<(ProductRow, ProductHeader), SalesError> {
    let conn = wh.reader()?;
    let row = wp::get(&conn, code)?.ok_or_else(|| SalesError::UnknownProduct(code.to_string()))?;
    let header = ProductHeader {
        codigo_producto: row.codigo.clone(),
        descripcion: row.descripcion.clone(),
        categoria: row.categoria.clone(),
        unidades_por_bulto: row.unidades_por_bulto.max(1) as f64,
    };
    Ok((row, header))
}

// ---------------------------------------------------------------- daily by store

#[derive(Debug, Serialize)]
pub struct DailyPoint {
    pub fecha: NaiveDate,
    pub bultos: f64,
    pub unidades: f64,
    pub ventas: f64,
    pub tickets: i64,
    /// Stock at the end of the day, when known.
    pub inventario: Option<f64>,
    /// Unusually low for this store (probable stock-out or data gap); never today.
    pub atipico: bool,
}

#[derive(Debug, Serialize)]
pub struct StoreDaily {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub unidades: f64,
    pub ventas: f64,
    pub dias: Vec<DailyPoint>,
}

#[derive(Debug, Serialize)]
pub struct ProductDaily {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub tiendas: Vec<StoreDaily>,
}

/// Days with sales of the product at each of `stores` (in the order given) in `from..=to`.
pub fn daily(
    tenant: &Tenant,
    wh: &Warehouse,
    code: &str,
    stores: &[String],
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Result<ProductDaily, SalesError> {
    let (_, producto) = product(wh, code)?;
    let conn = wh.reader()?;
    let rows = ps::daily_by_store(&conn, &producto.codigo_producto, stores, from, to)?;
    let stock = end_of_day_stock(tenant, &conn, &producto.codigo_producto, stores, from, to)?;
    let mut by_store: FxHashMap<&str, Vec<&ps::StoreDay>> = FxHashMap::default();
    for r in &rows {
        by_store.entry(r.ubicacion_id.as_str()).or_default().push(r);
    }
    let pack = producto.unidades_por_bulto;
    let tiendas = stores
        .iter()
        .map(|s| {
            let days = by_store.remove(s.as_str()).unwrap_or_default();
            let values: Vec<f64> = days.iter().map(|d| d.cantidad).collect();
            let flags = outlier_flags(&values, days.iter().position(|d| d.fecha == today));
            let eod = stock.get(s);
            StoreDaily {
                ubicacion_id: s.clone(),
                ubicacion_nombre: tenant.location_name(s),
                unidades: values.iter().sum(),
                ventas: round_half_away(days.iter().map(|d| d.venta_total).sum(), 2),
                dias: days
                    .iter()
                    .zip(flags)
                    .map(|(d, atipico)| DailyPoint {
                        fecha: d.fecha,
                        bultos: round_half_away(d.cantidad / pack, 2),
                        unidades: d.cantidad,
                        ventas: round_half_away(d.venta_total, 2),
                        tickets: d.tickets,
                        inventario: eod.and_then(|m| m.get(&d.fecha).copied()),
                        atipico,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(ProductDaily { producto, desde: from, hasta: to, tiendas })
}

/// One store's totals of the product over a period.
#[derive(Debug, Serialize)]
pub struct StoreTotals {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub unidades: f64,
    pub bultos: f64,
    pub venta_total: f64,
    pub tickets: i64,
    pub dias_con_venta: usize,
}

#[derive(Debug, Serialize)]
pub struct ProductByStore {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// Every store asked for, best seller first (stores without sales at 0).
    pub tiendas: Vec<StoreTotals>,
}

/// The product's sales per store over `from..=to` (`GET …/ventas-por-tienda`).
pub fn by_store(
    tenant: &Tenant,
    wh: &Warehouse,
    code: &str,
    stores: &[String],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<ProductByStore, SalesError> {
    let (_, producto) = product(wh, code)?;
    let conn = wh.reader()?;
    let days = ps::daily_by_store(&conn, &producto.codigo_producto, stores, from, to)?;
    let mut tiendas: Vec<StoreTotals> = stores
        .iter()
        .map(|s| {
            let of: Vec<&ps::StoreDay> = days.iter().filter(|d| &d.ubicacion_id == s).collect();
            let unidades: f64 = of.iter().map(|d| d.cantidad).sum();
            StoreTotals {
                ubicacion_id: s.clone(),
                ubicacion_nombre: tenant.location_name(s),
                bultos: round_half_away(unidades / producto.unidades_por_bulto, 2),
                unidades,
                venta_total: round_half_away(of.iter().map(|d| d.venta_total).sum(), 2),
                tickets: of.iter().map(|d| d.tickets).sum(),
                dias_con_venta: of.len(),
            }
        })
        .collect();
    tiendas.sort_by(|a, b| b.unidades.total_cmp(&a.unidades).then_with(|| a.ubicacion_id.cmp(&b.ubicacion_id)));
    Ok(ProductByStore { producto, desde: from, hasta: to, tiendas })
}

// ---------------------------------------------------------------- hourly on one day

#[derive(Debug, Serialize, Default, Clone)]
pub struct HourPoint {
    pub hora: u32,
    pub bultos: f64,
    pub unidades: f64,
    pub ventas: f64,
    pub tickets: i64,
}

#[derive(Debug, Serialize)]
pub struct StoreHourly {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub horas: Vec<HourPoint>,
    pub total: HourTotals,
}

#[derive(Debug, Serialize, Default)]
pub struct HourTotals {
    pub bultos: f64,
    pub unidades: f64,
    pub ventas: f64,
    pub tickets: i64,
}

#[derive(Debug, Serialize)]
pub struct ProductHourly {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub fecha: NaiveDate,
    pub tiendas: Vec<StoreHourly>,
}

/// The product's sales per hour of `date` at each store: 06:00–22:00 always, other hours
/// when something sold in them.
pub fn hourly(tenant: &Tenant, wh: &Warehouse, code: &str, stores: &[String], date: NaiveDate) -> Result<ProductHourly, SalesError> {
    let (_, producto) = product(wh, code)?;
    let conn = wh.reader()?;
    let rows = ps::hourly_by_store(&conn, &producto.codigo_producto, stores, date)?;
    let pack = producto.unidades_por_bulto;
    let tiendas = stores
        .iter()
        .map(|s| {
            let mut hours: BTreeMap<u32, HourPoint> = SHOWN_HOURS.map(|h| (h, HourPoint { hora: h, ..HourPoint::default() })).collect();
            for r in rows.iter().filter(|r| &r.ubicacion_id == s) {
                let p = hours.entry(r.hora).or_insert_with(|| HourPoint { hora: r.hora, ..HourPoint::default() });
                p.unidades += r.cantidad;
                p.ventas += r.venta_total;
                p.tickets += r.tickets;
            }
            let mut total = HourTotals::default();
            let horas = hours
                .into_values()
                .map(|mut p| {
                    total.unidades += p.unidades;
                    total.ventas += p.ventas;
                    total.tickets += p.tickets;
                    p.bultos = round_half_away(p.unidades / pack, 2);
                    p.ventas = round_half_away(p.ventas, 2);
                    p
                })
                .collect();
            total.bultos = round_half_away(total.unidades / pack, 2);
            total.ventas = round_half_away(total.ventas, 2);
            StoreHourly { ubicacion_id: s.clone(), ubicacion_nombre: tenant.location_name(s), horas, total }
        })
        .collect();
    Ok(ProductHourly { producto, fecha: date, tiendas })
}

// ---------------------------------------------------------------- last 20 days

#[derive(Debug, Serialize)]
pub struct RecentDay {
    pub fecha: NaiveDate,
    pub dia_semana: &'static str,
    pub unidades: f64,
}

#[derive(Debug, Serialize)]
pub struct Last20Days {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub ubicacion_id: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// Days with sales only; atypical days left out.
    pub dias: Vec<RecentDay>,
}

/// The product's units on each of the 20 complete days before today with sales, without
/// the store's atypical days.
pub fn last_20_days(wh: &Warehouse, store: &str, code: &str, atypical: &[NaiveDate], today: NaiveDate) -> Result<Last20Days, SalesError> {
    let (_, producto) = product(wh, code)?;
    let conn = wh.reader()?;
    let (from, to) = (today - Duration::days(20), today - Duration::days(1));
    let rows = ps::daily_by_store(&conn, &producto.codigo_producto, &[store.to_string()], from, to)?;
    let dias = rows
        .into_iter()
        .filter(|r| r.cantidad != 0.0 && !atypical.contains(&r.fecha))
        .map(|r| RecentDay { fecha: r.fecha, dia_semana: WEEKDAYS[weekday_sunday0(r.fecha)], unidades: r.cantidad })
        .collect();
    Ok(Last20Days { producto, ubicacion_id: store.to_string(), desde: from, hasta: to, dias })
}

// ---------------------------------------------------------------- transactions

#[derive(Debug, Serialize)]
pub struct TransactionLine {
    /// The invoice (ticket) and the invoice with its line number.
    pub factura: String,
    pub factura_linea: String,
    #[serde(flatten)]
    pub linea: ps::Transaction,
    pub margen_pct: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Transactions {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub ubicacion_id: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub page: usize,
    pub page_size: usize,
    pub total_pages: usize,
    pub totales: ps::TransactionTotals,
    pub items: Vec<TransactionLine>,
}

pub fn transactions(
    wh: &Warehouse,
    store: &str,
    code: &str,
    (from, to): (NaiveDate, NaiveDate),
    page: usize,
    page_size: usize,
) -> Result<Transactions, SalesError> {
    let (_, producto) = product(wh, code)?;
    let conn = wh.reader()?;
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    let (lines, mut totales) = ps::transactions(&conn, store, &producto.codigo_producto, (from, to), offset, page_size)?;
    totales.venta_total = round_half_away(totales.venta_total, 2);
    totales.costo_total = round_half_away(totales.costo_total, 2);
    totales.utilidad = round_half_away(totales.utilidad, 2);
    let items = lines
        .into_iter()
        .map(|l| {
            let margen_pct = l.utilidad.filter(|_| l.venta_total != 0.0).map(|u| round_half_away(u / l.venta_total * 100.0, 2));
            TransactionLine {
                factura: l.numero_factura.clone(),
                factura_linea: format!("{}-{}", l.numero_factura, l.linea),
                linea: l,
                margen_pct,
            }
        })
        .collect();
    Ok(Transactions {
        producto,
        ubicacion_id: store.to_string(),
        desde: from,
        hasta: to,
        page,
        page_size,
        total_pages: (totales.lineas.max(0) as usize).div_ceil(page_size.max(1)),
        totales,
        items,
    })
}

// ---------------------------------------------------------------- sales + stock history

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Diario,
    Horario,
}

impl Granularity {
    pub fn parse(s: &str) -> Option<Granularity> {
        match s {
            "diario" => Some(Granularity::Diario),
            "horario" => Some(Granularity::Horario),
            _ => None,
        }
    }

    pub fn default_days(self) -> i64 {
        match self {
            Granularity::Diario => 30,
            Granularity::Horario => 7,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct HistoryPoint {
    /// The day (`YYYY-MM-DD`) or hour (`YYYY-MM-DD HH:00`).
    pub periodo: String,
    pub unidades: f64,
    pub stock: Option<f64>,
    pub stock_bultos: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct HistoryTotals {
    pub unidades: f64,
    /// Units / every calendar day of the range.
    pub promedio_diario: f64,
    pub stock_promedio: Option<f64>,
    pub stock_actual: Option<f64>,
    pub dias_stock_cero: usize,
}

#[derive(Debug, Serialize)]
pub struct SalesStockHistory {
    #[serde(flatten)]
    pub producto: ProductHeader,
    pub ubicacion_id: String,
    pub granularidad: Granularity,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub puntos: Vec<HistoryPoint>,
    pub totales: HistoryTotals,
    pub diagnostico: Diagnosis,
}

/// The stock value of a sorted series at instant `t` (last value at or before it).
fn value_at(series: &[(NaiveDateTime, f64)], t: NaiveDateTime) -> Option<f64> {
    series.iter().take_while(|(s, _)| *s <= t).last().map(|(_, q)| *q)
}

/// Units sold and stock per day (stock at the end of the day) or per shown hour (mean of the
/// stock at the hour's start and end) over the `days` days ending today, and the diagnosis.
pub fn history(
    tenant: &Tenant,
    wh: &Warehouse,
    store: &str,
    code: &str,
    (granularity, days): (Granularity, i64),
    now: NaiveDateTime,
) -> Result<SalesStockHistory, SalesError> {
    let (_, producto) = product(wh, code)?;
    let code = producto.codigo_producto.clone();
    let conn = wh.reader()?;
    let today = now.date();
    let from = today - Duration::days(days - 1);
    let stores = [store.to_string()];
    // Every change only for the hourly view (a week of one store); days need each day's last.
    let series = match granularity {
        Granularity::Horario => {
            let excluded = excluded_warehouses(tenant, store);
            let rows: Vec<(String, NaiveDateTime, f64)> = ps::stock_changes(&conn, &code, &stores, from.and_time(NaiveTime::MIN))?
                .into_iter()
                .filter(|(_, a, _, _)| !excluded.contains(a))
                .map(|(_, a, t, q)| (a, t, q))
                .collect();
            store_series(&rows)
        }
        Granularity::Diario => Vec::new(),
    };
    let end_of_day = match granularity {
        Granularity::Diario => end_of_day_stock(tenant, &conn, &code, &stores, from, today)?.remove(store).unwrap_or_default(),
        Granularity::Horario => BTreeMap::new(),
    };
    let pack = producto.unidades_por_bulto;
    let mut daily_units: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for r in ps::daily_by_store(&conn, &code, &stores, from, today)? {
        daily_units.insert(r.fecha, r.cantidad);
    }
    // Per calendar day: units and end-of-day stock (now for today).
    let mut day_facts: Vec<Day> = Vec::new();
    let mut d = from;
    while d <= today {
        let stock = match granularity {
            Granularity::Diario => end_of_day.get(&d).copied(),
            Granularity::Horario => {
                let end = if d == today { now } else { (d + Duration::days(1)).and_time(NaiveTime::MIN) - Duration::seconds(1) };
                value_at(&series, end)
            }
        };
        day_facts.push(Day { units: daily_units.get(&d).copied().unwrap_or(0.0), stock });
        d += Duration::days(1);
    }
    let puntos = match granularity {
        Granularity::Diario => day_facts
            .iter()
            .enumerate()
            .map(|(i, f)| HistoryPoint {
                periodo: (from + Duration::days(i as i64)).format("%Y-%m-%d").to_string(),
                unidades: f.units,
                stock: f.stock,
                stock_bultos: f.stock.map(|s| round_half_away(s / pack, 2)),
            })
            .collect(),
        Granularity::Horario => {
            let mut by_hour: BTreeMap<(NaiveDate, u32), f64> = BTreeMap::new();
            for (fecha, hora, units) in ps::units_by_hour(&conn, store, &code, from, today)? {
                by_hour.insert((fecha, hora), units);
            }
            let mut out = Vec::new();
            let mut d = from;
            while d <= today {
                for h in SHOWN_HOURS {
                    let start = d.and_time(NaiveTime::MIN) + Duration::hours(i64::from(h));
                    if start > now {
                        break;
                    }
                    let end = (start + Duration::hours(1)).min(now);
                    let stock = match (value_at(&series, start), value_at(&series, end)) {
                        (Some(a), Some(b)) => Some((a + b) / 2.0),
                        (a, b) => a.or(b),
                    };
                    out.push(HistoryPoint {
                        periodo: format!("{} {:02}:00", d.format("%Y-%m-%d"), start.hour()),
                        unidades: by_hour.get(&(d, h)).copied().unwrap_or(0.0),
                        stock,
                        stock_bultos: stock.map(|s| round_half_away(s / pack, 2)),
                    });
                }
                d += Duration::days(1);
            }
            out
        }
    };
    let unidades: f64 = day_facts.iter().map(|f| f.units).sum();
    let promedio_diario = unidades / day_facts.len().max(1) as f64;
    let known: Vec<f64> = day_facts.iter().filter_map(|f| f.stock).collect();
    let stock_actual = day_facts.last().and_then(|f| f.stock);
    let totales = HistoryTotals {
        unidades,
        promedio_diario: round_half_away(promedio_diario, 2),
        stock_promedio: (!known.is_empty()).then(|| round_half_away(known.iter().sum::<f64>() / known.len() as f64, 2)),
        stock_actual,
        dias_stock_cero: day_facts.iter().filter(|f| f.stock.is_some_and(|s| s <= 0.0)).count(),
    };
    let diagnostico = diagnose(&day_facts, stock_actual);
    Ok(SalesStockHistory {
        producto,
        ubicacion_id: store.to_string(),
        granularidad: granularity,
        desde: from,
        hasta: today,
        puntos,
        totales,
        diagnostico,
    })
}
