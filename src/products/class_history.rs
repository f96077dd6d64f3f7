//! A product's class history per store (spec 50 §9.3, the 360° view's
//! `historico-clasificacion`): the ABC class (and XYZ when the tenant turned it on) that each
//! rebuild of the caches gave it, as periods of business dates.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::config::Tenant;
use crate::domain::class_history::{periods, ClassPeriod};
use crate::warehouse::{class_history as wh_history, Warehouse, WarehouseError};

#[derive(Debug, Serialize)]
pub struct StoreHistory {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    /// Oldest first; empty when the product was never classified in the store in the window.
    pub periodos: Vec<ClassPeriod>,
    /// Class changes inside the window (periods − 1).
    pub cambios: usize,
}

#[derive(Debug, Serialize)]
pub struct ClassHistory {
    pub codigo_producto: String,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// Whether `clase_xyz` is given (the tenant's `xyz_analysis`).
    pub xyz_activo: bool,
    /// First and last business dates the caches were rebuilt for (any product).
    pub primer_calculo: Option<NaiveDate>,
    pub ultimo_calculo: Option<NaiveDate>,
    pub tiendas: Vec<StoreHistory>,
    /// The whole chain's class; `None` for a caller limited to some stores, or a store filter.
    pub red: Option<Vec<ClassPeriod>>,
}

/// What to show: the stores (tenant order), whether the chain line goes too, the window.
pub struct Request<'a> {
    pub codigo: &'a str,
    pub stores: &'a [String],
    pub with_chain: bool,
    pub with_xyz: bool,
    pub today: NaiveDate,
    pub dias: u32,
}

/// The window is the `dias` business dates ending `today`; the last class computed is the one
/// in force today (the caches hold it until the next rebuild).
pub fn history(tenant: &Tenant, wh: &Warehouse, req: &Request<'_>) -> Result<ClassHistory, WarehouseError> {
    let reader = wh.reader()?;
    let changes = wh_history::product_changes(&reader, req.codigo)?;
    let (primer_calculo, ultimo_calculo) = wh_history::logged_range(&reader)?;
    drop(reader);
    let hasta = req.today;
    let desde = hasta - Duration::days(i64::from(req.dias.max(1)) - 1);
    let of = |loc: &str| changes.get(loc).map(|c| periods(c, desde, hasta, req.with_xyz)).unwrap_or_default();
    let tiendas = req
        .stores
        .iter()
        .filter_map(|id| tenant.stores().iter().find(|s| &s.id == id))
        .map(|s| {
            let periodos = of(&s.id);
            StoreHistory {
                ubicacion_id: s.id.clone(),
                nombre: s.name.clone(),
                region: s.region.clone(),
                cambios: periodos.len().saturating_sub(1),
                periodos,
            }
        })
        .collect();
    Ok(ClassHistory {
        codigo_producto: req.codigo.to_string(),
        desde,
        hasta,
        xyz_activo: req.with_xyz,
        primer_calculo,
        ultimo_calculo,
        tiendas,
        red: req.with_chain.then(|| of("*")),
    })
}
