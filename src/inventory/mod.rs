//! *Inventario de una ubicación* (spec 40 §7.2): one row per stock row (product × almacén)
//! of a store or CEDI with its demand, levels, state, activity and velocity; the filters,
//! sort, page and page statistics of the screen; its Excel export.
//!
//! A location's whole table is computed once from the warehouse (its stock rows, 30 days of
//! daily rows, the ABC cache) and kept by `Tables` while nothing it came from changed, so a
//! filter, a sort or a page is a pass over rows in memory.

pub mod corrections;
mod export;
pub mod history;
pub mod master;
pub mod opportunities;
mod query;
pub mod regional;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;

pub use export::{file_name, table_xlsx};
pub use query::{filtered, page, Filter, Page, PageStats, Sort, StockPresence};

use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::domain::inventory::{
    activity, coverage_days, demand, levels, regional_class, stock_state, velocity, Activity, Levels, StockState, Velocity,
};
use crate::domain::replenishment::parameters::{default_coverage_days, resolve_params};
use crate::domain::replenishment::AbcClass;
use crate::domain::text::Text;
use crate::replenishment::excluded_warehouses;
use crate::warehouse::kept::Kept;
use crate::warehouse::replenishment::{self as wq, DailyByProduct};
use crate::warehouse::stock::{self as ws, StockRow};
use crate::warehouse::Warehouse;

/// Demand window of a store's row (complete days ending yesterday, selling days only).
const STORE_P75_DAYS: i64 = 20;
/// Demand window of each store in a CEDI's regional demand.
const CEDI_P75_DAYS: i64 = 30;
/// A CEDI's lead time (spec 40 §7.2).
const CEDI_LEAD_TIME: f64 = 2.0;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("«{0}» no es una ubicación activa")]
    UnknownLocation(String),
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    WarehouseOpen(#[from] crate::warehouse::WarehouseError),
}

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryLine {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<Text>,
    pub marca: Option<Text>,
    pub cuadrante: Option<Text>,
    pub almacen_codigo: Text,
    pub almacen_nombre: Text,
    pub stock: f64,
    pub unidades_por_bulto: f64,
    pub bultos: f64,
    pub peso_total_kg: Option<f64>,
    pub volumen_total_m3: Option<f64>,
    /// Daily units (a store's P75 over 20 days; a CEDI's sum of its stores' 30-day P75s).
    pub p75: f64,
    pub sigma: f64,
    /// The store's class (the CEDI's regional class); `None` = SIN_VENTAS.
    pub clase_abc: Option<AbcClass>,
    pub rank_ventas: Option<i32>,
    pub lead_time: f64,
    pub dias_objetivo: f64,
    #[serde(flatten)]
    pub niveles: Levels,
    pub dias_cobertura_actual: Option<f64>,
    pub estado_criticidad: StockState,
    /// Stores only.
    pub clasificacion_producto: Option<Activity>,
    pub velocidad_venta: Option<Velocity>,
    pub unidades_30d: f64,
    pub unidades_14d: f64,
    /// A store: stock in its region's CEDIs; a CEDI: stock in its region's stores.
    pub stock_cedi: f64,
    pub capacidad_maxima: Option<f64>,
    pub minimo_exhibicion: Option<f64>,
    pub actualizado: String,
}

/// A location's computed table.
pub struct Table {
    pub ubicacion_id: String,
    pub es_cedi: bool,
    pub fecha: NaiveDate,
    pub lines: Vec<InventoryLine>,
    /// The location's health for the regional summary, computed on first use: the table
    /// never changes once built, and the summary walks 20+ tables of 10 k rows per request.
    pub health: std::sync::OnceLock<regional::TableHealth>,
}

/// Units sold per product id over [from, to] from selling days in date order.
fn units_between(days: &[wq::DaySales], from: NaiveDate, to: NaiveDate) -> f64 {
    days.iter().filter(|d| d.fecha >= from && d.fecha <= to).map(|d| d.cantidad).sum()
}

/// P75 and σ of the selling days in [from, to] that are not atypical.
fn window_demand(days: &[wq::DaySales], from: NaiveDate, to: NaiveDate, atypical: &[NaiveDate]) -> (f64, f64) {
    let values: Vec<f64> =
        days.iter().filter(|d| d.fecha >= from && d.fecha <= to && !atypical.contains(&d.fecha)).map(|d| d.cantidad).collect();
    demand(&values)
}

fn active_location<'a>(tenant: &'a Tenant, id: &str) -> Result<&'a Store, InventoryError> {
    tenant.stores().iter().find(|s| s.id == id && s.active).ok_or_else(|| InventoryError::UnknownLocation(id.to_string()))
}

/// Sum of the stock per product code of `locations`.
fn stock_of(tenant: &Tenant, conn: &duckdb::Connection, locations: &[&Store]) -> Result<FxHashMap<String, f64>, InventoryError> {
    let mut out: FxHashMap<String, f64> = FxHashMap::default();
    for l in locations {
        for (code, units) in wq::stock(conn, &l.id, &excluded_warehouses(tenant, &l.id))? {
            *out.entry(code).or_default() += units;
        }
    }
    Ok(out)
}

/// Computes the whole table of `location` for business date `today`.
pub fn compute(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    location: &str,
    today: NaiveDate,
) -> Result<Table, InventoryError> {
    let loc = active_location(tenant, location)?;
    let conn = wh.reader()?;
    let started = std::time::Instant::now();
    let rows = ws::location_rows(&conn, &loc.id)?;
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, rows = rows.len(), "stock rows");
    let yesterday = today - Duration::days(1);
    let region: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && s.region == loc.region).collect();
    let lines = if loc.is_cedi() {
        let stores: Vec<&Store> = region.iter().copied().filter(|s| !s.is_cedi()).collect();
        cedi_lines(tenant, app, &conn, rows, &stores, today)?
    } else {
        let cedis: Vec<&Store> = region.iter().copied().filter(|s| s.is_cedi()).collect();
        let from = today - Duration::days(CEDI_P75_DAYS);
        let daily = wq::daily_sales(&conn, &loc.id, from, yesterday)?;
        let classes = ws::store_classes(&conn, &loc.id)?;
        let stock_cedi = stock_of(tenant, &conn, &cedis)?;
        store_lines(app, &loc.id, rows, &daily, &classes, &stock_cedi, today)?
    };
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, "inventory table");
    Ok(Table { ubicacion_id: loc.id.clone(), es_cedi: loc.is_cedi(), fecha: today, lines, health: Default::default() })
}

fn base_line(r: StockRow) -> InventoryLine {
    let upb = r.unidades_por_bulto;
    InventoryLine {
        bultos: r.cantidad / upb,
        peso_total_kg: r.peso_unitario.map(|p| p * r.cantidad.max(0.0)),
        volumen_total_m3: r.volumen_unitario.map(|v| v * r.cantidad.max(0.0)),
        codigo_producto: r.codigo,
        descripcion: r.descripcion,
        categoria: r.categoria,
        marca: r.marca,
        cuadrante: r.cuadrante,
        almacen_codigo: r.almacen_codigo,
        almacen_nombre: r.almacen_nombre,
        stock: r.cantidad,
        unidades_por_bulto: upb,
        p75: 0.0,
        sigma: 0.0,
        clase_abc: None,
        rank_ventas: None,
        lead_time: 0.0,
        dias_objetivo: 0.0,
        niveles: Levels::default(),
        dias_cobertura_actual: None,
        estado_criticidad: StockState::SinDemanda,
        clasificacion_producto: None,
        velocidad_venta: None,
        unidades_30d: 0.0,
        unidades_14d: 0.0,
        stock_cedi: 0.0,
        capacidad_maxima: None,
        minimo_exhibicion: None,
        actualizado: r.actualizado,
    }
}

fn store_lines(
    app: &rusqlite::Connection,
    store: &str,
    rows: Vec<StockRow>,
    daily: &DailyByProduct,
    classes: &FxHashMap<String, (AbcClass, i32)>,
    stock_cedi: &FxHashMap<String, f64>,
    today: NaiveDate,
) -> Result<Vec<InventoryLine>, InventoryError> {
    let cfg = settings::param_config(app, store)?;
    let atypical = settings::atypical_days(app, store)?;
    let limits = settings::storage_limits(app, store)?;
    let yesterday = today - Duration::days(1);
    let (from20, from14, from30) =
        (today - Duration::days(STORE_P75_DAYS), today - Duration::days(14), today - Duration::days(CEDI_P75_DAYS));
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let days = r.producto_id.and_then(|id| daily.get(&id)).unwrap_or(&[]);
        let class = classes.get(&r.codigo).copied();
        let mut l = base_line(r);
        let (p75, sigma) = window_demand(days, from20, yesterday, &atypical);
        // Products without a class are held to class C's coverage (spec 40 §7.2).
        let params = resolve_params(&cfg, l.categoria.as_deref(), class.map_or(AbcClass::C, |c| c.0));
        let niveles = levels(p75, params.lead_time.valor, params.cobertura_dias.valor);
        l.unidades_30d = units_between(days, from30, yesterday);
        l.unidades_14d = units_between(days, from14, yesterday);
        l.p75 = p75;
        l.sigma = sigma;
        l.clase_abc = class.map(|c| c.0);
        l.rank_ventas = class.map(|c| c.1);
        l.lead_time = params.lead_time.valor;
        l.dias_objetivo = params.cobertura_dias.valor;
        l.estado_criticidad = stock_state(l.stock, p75, &niveles);
        l.niveles = niveles;
        l.dias_cobertura_actual = coverage_days(l.stock, p75);
        l.clasificacion_producto = Some(activity(l.stock, l.unidades_30d, l.unidades_14d));
        l.velocidad_venta = Some(velocity(l.unidades_30d));
        l.stock_cedi = stock_cedi.get(&l.codigo_producto).copied().unwrap_or(0.0);
        if let Some(lim) = limits.get(l.codigo_producto.as_str()) {
            l.capacidad_maxima = lim.capacidad_maxima;
            l.minimo_exhibicion = lim.minimo_exhibicion;
        }
        out.push(l);
    }
    Ok(out)
}

/// A CEDI's rows: demand is its region's (Σ of each store's 30-day P75, σ = √Σσ²), the class
/// the region's rank by units, and "stock CEDI" the stock held by the region's stores.
fn cedi_lines(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    conn: &duckdb::Connection,
    rows: Vec<StockRow>,
    stores: &[&Store],
    today: NaiveDate,
) -> Result<Vec<InventoryLine>, InventoryError> {
    let yesterday = today - Duration::days(1);
    let from30 = today - Duration::days(CEDI_P75_DAYS);
    let started = std::time::Instant::now();
    // Each store's demand and stock, on one thread per core (twenty stores' 30 days of
    // daily rows are most of a CEDI table's cost).
    let atypical: Vec<Vec<NaiveDate>> = stores.iter().map(|s| settings::atypical_days(app, &s.id)).collect::<Result<_, _>>()?;
    let work: Vec<(&Store, &Vec<NaiveDate>)> = stores.iter().copied().zip(&atypical).collect();
    let per_store = in_parallel(conn, &work, |c, (s, atypical)| -> Result<_, InventoryError> {
        let daily = wq::daily_sales(c, &s.id, from30, yesterday)?;
        let demand: Vec<(i32, f64, f64, f64)> = daily
            .iter()
            .map(|(id, days)| {
                let (p75, sigma) = window_demand(days, from30, yesterday, atypical);
                (*id, p75, sigma, units_between(days, from30, yesterday))
            })
            .collect();
        Ok((demand, wq::stock(c, &s.id, &excluded_warehouses(tenant, &s.id))?))
    })?;
    // Per product id: (Σ P75, Σ σ², Σ units); per code, the region's store stock.
    let mut regional: FxHashMap<i32, (f64, f64, f64)> = FxHashMap::default();
    let mut region_stock: FxHashMap<String, f64> = FxHashMap::default();
    for (demand, stock) in per_store {
        for (id, p75, sigma, units) in demand {
            let e = regional.entry(id).or_default();
            e.0 += p75;
            e.1 += sigma * sigma;
            e.2 += units;
        }
        for (code, units) in stock {
            *region_stock.entry(code).or_default() += units;
        }
    }
    tracing::debug!(ms = started.elapsed().as_secs_f64() * 1000.0, "regional daily rows and stock");
    let mut by_units: Vec<(i32, f64)> = regional.iter().filter(|(_, v)| v.2 > 0.0).map(|(id, v)| (*id, v.2)).collect();
    by_units.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let rank: HashMap<i32, usize> = by_units.iter().enumerate().map(|(i, (id, _))| (*id, i + 1)).collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.producto_id;
        let mut l = base_line(r);
        let (p75, var, units) = id.and_then(|id| regional.get(&id)).copied().unwrap_or_default();
        let r = id.and_then(|id| rank.get(&id)).copied();
        let class = regional_class(r);
        let target = class.map_or(30.0, default_coverage_days);
        let niveles = levels(p75, CEDI_LEAD_TIME, target);
        l.p75 = p75;
        l.sigma = var.sqrt();
        l.unidades_30d = units;
        l.clase_abc = class;
        l.rank_ventas = r.map(|r| r as i32);
        l.lead_time = CEDI_LEAD_TIME;
        l.dias_objetivo = target;
        l.estado_criticidad = stock_state(l.stock, p75, &niveles);
        l.niveles = niveles;
        l.dias_cobertura_actual = coverage_days(l.stock, p75);
        l.stock_cedi = region_stock.get(&l.codigo_producto).copied().unwrap_or(0.0);
        out.push(l);
    }
    Ok(out)
}

/// `f` over `items` on (at most) one thread per core, each with its own connection; the
/// results in the order of `items`.
fn in_parallel<T: Sync, R: Send>(
    conn: &duckdb::Connection,
    items: &[T],
    f: impl Fn(&duckdb::Connection, &T) -> Result<R, InventoryError> + Sync,
) -> Result<Vec<R>, InventoryError> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4).min(items.len().max(1));
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let c = conn.try_clone();
                let f = &f;
                scope.spawn(move || -> Result<Vec<R>, InventoryError> {
                    let c = c?;
                    part.iter().map(|item| f(&c, item)).collect()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            out.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok(out)
    })
}

/// Kept tables, by location, date and the settings they used, valid while the warehouse
/// had no write (owned by the process state).
pub struct Tables {
    kept: Kept<(String, NaiveDate, String), Table>,
}

impl Default for Tables {
    fn default() -> Self {
        // Every location for today and a few earlier dates someone looked at.
        Tables { kept: Kept::new(96) }
    }
}

impl Tables {
    /// The table of `location` for `today`, computed or kept.
    pub fn get(
        &self,
        tenant: &Tenant,
        app: &rusqlite::Connection,
        wh: &Warehouse,
        location: &str,
        today: NaiveDate,
    ) -> Result<Arc<Table>, InventoryError> {
        let key = (location.to_string(), today, settings_key(app, location)?);
        self.kept.get_or_compute(wh, key, || compute(tenant, app, wh, location, today))
    }
}

impl Tables {
    /// Computes the table of every active location that is not kept for the current data
    /// (`serve` runs it once the warehouse is quiet after a load, so that nobody waits for
    /// a first computation). CEDIs first: theirs cost the most.
    pub fn warm(&self, tenant: &Tenant, app: &rusqlite::Connection, wh: &Warehouse, today: NaiveDate) -> usize {
        let mut locations: Vec<&Store> = tenant.stores().iter().filter(|s| s.active).collect();
        locations.sort_by_key(|s| !s.is_cedi());
        let mut computed = 0;
        for l in locations {
            match self.get(tenant, app, wh, &l.id, today) {
                Ok(t) => {
                    // The *Inventarios* landing reads each location's health from its table.
                    t.health.get_or_init(|| regional::table_health(&t.lines));
                    computed += 1
                }
                Err(e) => tracing::warn!(location = %l.id, error = %e, "inventory table not computed"),
            }
        }
        computed
    }

    /// Whether the table kept for `location` is the one a request would get now.
    pub fn is_current(&self, app: &rusqlite::Connection, wh: &Warehouse, location: &str, today: NaiveDate) -> Result<bool, InventoryError> {
        Ok(self.kept.is_current(wh, &(location.to_string(), today, settings_key(app, location)?)))
    }
}

/// What a table depends on in the application database: parameters, atypical days, limits.
fn settings_key(app: &rusqlite::Connection, location: &str) -> Result<String, InventoryError> {
    Ok(format!(
        "{:?}|{}|{:?}",
        settings::param_config(app, location)?,
        settings::atypical_days_key(app)?,
        settings::storage_limits(app, location)?.into_iter().collect::<std::collections::BTreeMap<_, _>>()
    ))
}

/// One class's block of the health chart (spec 40 §7.3).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HealthBlock {
    /// A, B, C, D, SIN_VENTAS, A+B or TOTAL.
    pub clase: &'static str,
    #[serde(flatten)]
    pub estados: crate::domain::inventory::StateCounts,
    pub peso_kg: f64,
    pub volumen_m3: f64,
    /// Score counting SIN_DEMANDA rows in the denominator, and without them.
    pub salud: f64,
    pub salud_sin_demanda_excluida: f64,
}

/// The health chart's blocks: one per class, A+B, and the whole location, over the rows
/// whose CEDI stock matches `cedi_stock` (all rows when `None`).
pub fn health(lines: &[InventoryLine], cedi_stock: Option<StockPresence>) -> Vec<HealthBlock> {
    const CLASSES: [&str; 5] = ["A", "B", "C", "D", "SIN_VENTAS"];
    let mut blocks: Vec<HealthBlock> = CLASSES.iter().map(|c| HealthBlock { clase: c, ..Default::default() }).collect();
    let wanted = Filter { stock_cedi: cedi_stock, ..Default::default() };
    let (rows, _) = filtered(lines, &wanted);
    for l in rows {
        let i = l.clase_abc.map_or(4, |c| c as usize);
        let b = &mut blocks[i];
        b.estados.add(l.estado_criticidad);
        b.peso_kg += l.peso_total_kg.unwrap_or(0.0);
        b.volumen_m3 += l.volumen_total_m3.unwrap_or(0.0);
    }
    let combine = |name: &'static str, parts: &[usize], blocks: &[HealthBlock]| {
        let mut out = HealthBlock { clase: name, ..Default::default() };
        for &i in parts {
            out.estados.merge(&blocks[i].estados);
            out.peso_kg += blocks[i].peso_kg;
            out.volumen_m3 += blocks[i].volumen_m3;
        }
        out
    };
    let ab = combine("A+B", &[0, 1], &blocks);
    let total = combine("TOTAL", &[0, 1, 2, 3, 4], &blocks);
    blocks.push(ab);
    blocks.push(total);
    for b in &mut blocks {
        b.salud = b.estados.health_score(true);
        b.salud_sin_demanda_excluida = b.estados.health_score(false);
    }
    blocks
}
