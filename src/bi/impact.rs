//! *Impacto Fluxion* (spec 40 §3.8): the capital each store working with Fluxion freed since
//! its activation, against the stock value frozen at the end of the day before.
//!
//! The baseline is read once, at activation, from the change-only stock history: each
//! almacén's last quantity before the activation day (a key whose first change came later had
//! that change's previous value; a key never changed has its current quantity), negatives as
//! 0, valued with the unit cost of §1.6 over the 30 days before activation. Without any stock
//! load of the store before that day the current stock at cost is frozen instead. Today's
//! stock and fill rate come from the BI facts (`products::store_facts`), as the store's KPI
//! card shows them. The activations themselves live in the application database; they are
//! handed in as plain values. The rules are in `domain::bi_impact`.

use chrono::NaiveDate;
use duckdb::params;
use serde::Serialize;

use super::inventory::stock_and_fill_rate;
use super::products::store_facts;
use super::BiError;
use crate::config::{Store, Tenant};
use crate::domain::bi_impact::{fill_rate_band, freed_capital, reduction_band, reduction_pct, Activation, Band};
use crate::domain::bi_stores::mean;
use crate::domain::sales::round_half_away;
use crate::warehouse::Warehouse;

/// Output rounding (2 dp); an empty sum (−0.0) reads 0.
fn r2(v: f64) -> f64 {
    round_half_away(v, 2) + 0.0
}

/// The message of a summary without active stores.
pub const NO_ACTIVE_STORES: &str = "No hay tiendas activas con Fluxion aún";

/// Where a frozen baseline came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BaselineSource {
    /// End of the day before activation, from the stock history.
    Historico,
    /// No stock load before that day: the stock at activation time.
    Actual,
}

impl BaselineSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineSource::Historico => "historico",
            BaselineSource::Actual => "actual",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Baseline {
    pub ubicacion_id: String,
    pub fecha_activacion: NaiveDate,
    /// USD at cost (full precision; rounded only for output).
    pub stock_baseline: f64,
    pub origen: BaselineSource,
}

const BASELINE_SQL: &str = "
WITH h AS (
    SELECT almacen_codigo, producto_codigo, fecha_snapshot, cantidad::DOUBLE AS q,
           (cantidad - coalesce(cantidad_cambio, cantidad))::DOUBLE AS antes
    FROM inventario_historico WHERE ubicacion_id = ?1),
previo AS (
    SELECT almacen_codigo, producto_codigo, arg_max(q, fecha_snapshot) AS q FROM h WHERE fecha_snapshot < ?2::DATE GROUP BY ALL),
despues AS (
    SELECT almacen_codigo, producto_codigo, arg_min(antes, fecha_snapshot) AS q FROM h WHERE fecha_snapshot >= ?2::DATE GROUP BY ALL),
actual AS (
    SELECT almacen_codigo, producto_codigo, sum(cantidad)::DOUBLE AS q FROM inventario_actual WHERE ubicacion_id = ?1 GROUP BY ALL),
claves AS (SELECT almacen_codigo, producto_codigo FROM h UNION SELECT almacen_codigo, producto_codigo FROM actual),
cantidades AS (
    SELECT k.producto_codigo, sum(greatest(coalesce(p.q, d.q, a.q, 0), 0)) AS q
    FROM claves k
    LEFT JOIN previo p ON p.almacen_codigo = k.almacen_codigo AND p.producto_codigo = k.producto_codigo
    LEFT JOIN despues d ON d.almacen_codigo = k.almacen_codigo AND d.producto_codigo = k.producto_codigo
    LEFT JOIN actual a ON a.almacen_codigo = k.almacen_codigo AND a.producto_codigo = k.producto_codigo
    GROUP BY ALL),
costo_tienda AS (
    SELECT producto_codigo, (sum(costo_total) / sum(cantidad))::DOUBLE AS c
    FROM ventas_diarias WHERE ubicacion_id = ?1 AND fecha BETWEEN ?2::DATE - 30 AND ?2::DATE - 1
    GROUP BY ALL HAVING sum(cantidad) > 0 AND sum(costo_total) > 0),
costo_red AS (
    SELECT producto_codigo, (sum(costo_total) / sum(cantidad))::DOUBLE AS c
    FROM ventas_diarias WHERE fecha BETWEEN ?2::DATE - 30 AND ?2::DATE - 1
    GROUP BY ALL HAVING sum(cantidad) > 0 AND sum(costo_total) > 0)
SELECT coalesce(sum(c.q * coalesce(CASE WHEN p.costo_unitario_usd > 0 THEN p.costo_unitario_usd::DOUBLE END, ct.c, cr.c)), 0)::DOUBLE
FROM cantidades c
LEFT JOIN productos_v p ON p.codigo = c.producto_codigo
LEFT JOIN costo_tienda ct ON ct.producto_codigo = c.producto_codigo
LEFT JOIN costo_red cr ON cr.producto_codigo = c.producto_codigo
WHERE c.q > 0";

fn store<'t>(tenant: &'t Tenant, id: &str) -> Result<&'t Store, BiError> {
    tenant
        .stores()
        .iter()
        .find(|s| s.id == id && !s.is_cedi() && s.active)
        .ok_or_else(|| BiError::NotFound(format!("Tienda «{id}» no encontrada o inactiva")))
}

/// The stock value at cost of `ubicacion_id` at the end of the day before `fecha` (the
/// activation day, not after today), or its current one without history before that day.
pub fn baseline(tenant: &Tenant, wh: &Warehouse, ubicacion_id: &str, fecha: NaiveDate) -> Result<Baseline, BiError> {
    let s = store(tenant, ubicacion_id)?;
    if fecha > tenant.today() {
        return Err(BiError::Invalid { field: "fecha_activacion", message: "La fecha de activación no puede ser futura".into() });
    }
    let reader = wh.reader()?;
    let loads_before: i64 = reader.query_row(
        "SELECT count(*) FROM inventario_cargas WHERE ubicacion_id = ? AND fecha_snapshot < ?::DATE",
        params![s.id, fecha],
        |r| r.get(0),
    )?;
    if loads_before > 0 {
        let valor: f64 = reader.prepare_cached(BASELINE_SQL)?.query_row(params![s.id, fecha], |r| r.get(0))?;
        return Ok(Baseline {
            ubicacion_id: s.id.clone(),
            fecha_activacion: fecha,
            stock_baseline: valor,
            origen: BaselineSource::Historico,
        });
    }
    drop(reader);
    let (_, facts, _) = store_facts(tenant, wh, None)?;
    let (valor, _) = stock_and_fill_rate(facts.iter().filter(|r| r.ubicacion_id == s.id));
    Ok(Baseline { ubicacion_id: s.id.clone(), fecha_activacion: fecha, stock_baseline: valor, origen: BaselineSource::Actual })
}

/// Totals of a set of active stores.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImpactTotals {
    pub tiendas_activas_fluxion: usize,
    pub stock_actual: f64,
    pub stock_baseline: f64,
    /// Σ of the stores' freed capital.
    pub capital_liberado: f64,
    /// capital liberado ÷ baseline total × 100, 2 dp.
    pub reduccion_pct: f64,
    /// Mean of the stores' fill rates, 2 dp.
    pub fill_rate: f64,
    /// None without active stores.
    pub banda_reduccion: Option<Band>,
    pub banda_fill_rate: Option<Band>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionImpact {
    pub region: String,
    #[serde(flatten)]
    pub totales: ImpactTotals,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoreImpact {
    pub posicion: usize,
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub fecha_activacion: NaiveDate,
    /// Today (tenant's local date) − activation day.
    pub dias_activo: i64,
    pub stock_baseline: f64,
    pub stock_actual: f64,
    pub capital_liberado: f64,
    pub reduccion_pct: f64,
    pub fill_rate: f64,
    pub banda_reduccion: Band,
    pub banda_fill_rate: Band,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImpactSummary {
    #[serde(flatten)]
    pub totales: ImpactTotals,
    pub regiones: Vec<RegionImpact>,
    /// "No hay tiendas activas con Fluxion aún" without active stores.
    pub mensaje: Option<String>,
    pub datos_al: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImpactByStore {
    /// Most capital freed first (ties: largest reduction).
    pub tiendas: Vec<StoreImpact>,
    pub mensaje: Option<String>,
    pub datos_al: Option<NaiveDate>,
}

/// A store's figures, unrounded.
struct Row<'t> {
    store: &'t Store,
    a: &'t Activation,
    actual: f64,
    fill: f64,
}

fn rows<'t>(tenant: &'t Tenant, wh: &Warehouse, activations: &'t [Activation]) -> Result<(Vec<Row<'t>>, Option<NaiveDate>), BiError> {
    let (_, facts, datos_al) = store_facts(tenant, wh, None)?;
    let mut out = Vec::new();
    for a in activations.iter().filter(|a| a.activo) {
        // A store no longer active in tenant.toml leaves the impact.
        let Some(store) = tenant.stores().iter().find(|s| s.id == a.ubicacion_id && !s.is_cedi() && s.active) else { continue };
        let (actual, fill) = stock_and_fill_rate(facts.iter().filter(|r| r.ubicacion_id == store.id));
        out.push(Row { store, a, actual, fill });
    }
    Ok((out, datos_al))
}

fn totals(rows: &[&Row<'_>]) -> ImpactTotals {
    let base: f64 = rows.iter().map(|r| r.a.stock_baseline).sum();
    let actual: f64 = rows.iter().map(|r| r.actual).sum();
    let freed: f64 = rows.iter().map(|r| freed_capital(r.a.stock_baseline, r.actual)).sum();
    let reduction = if base > 0.0 { freed / base * 100.0 } else { 0.0 };
    let fill = mean(&rows.iter().map(|r| r.fill).collect::<Vec<_>>());
    ImpactTotals {
        tiendas_activas_fluxion: rows.len(),
        stock_actual: r2(actual),
        stock_baseline: r2(base),
        capital_liberado: r2(freed),
        reduccion_pct: r2(reduction),
        fill_rate: r2(fill),
        banda_reduccion: (!rows.is_empty()).then(|| reduction_band(reduction)),
        banda_fill_rate: (!rows.is_empty()).then(|| fill_rate_band(fill)),
    }
}

/// The summary of the active stores and of each region with one (§3.8).
pub fn summary(tenant: &Tenant, wh: &Warehouse, activations: &[Activation]) -> Result<ImpactSummary, BiError> {
    let (rows, datos_al) = rows(tenant, wh, activations)?;
    let all: Vec<&Row<'_>> = rows.iter().collect();
    let regiones = tenant
        .file
        .regions
        .iter()
        .filter_map(|region| {
            let of: Vec<&Row<'_>> = rows.iter().filter(|r| r.store.region == region.id).collect();
            (!of.is_empty()).then(|| RegionImpact { region: region.id.clone(), totales: totals(&of) })
        })
        .collect();
    Ok(ImpactSummary { totales: totals(&all), regiones, mensaje: rows.is_empty().then(|| NO_ACTIVE_STORES.to_string()), datos_al })
}

/// Each active store, most capital freed first (ties: largest reduction, then name).
pub fn by_store(tenant: &Tenant, wh: &Warehouse, activations: &[Activation]) -> Result<ImpactByStore, BiError> {
    let (rows, datos_al) = rows(tenant, wh, activations)?;
    let today = tenant.today();
    let mut tiendas: Vec<(f64, f64, StoreImpact)> = rows
        .iter()
        .map(|r| {
            let (b, freed, red) =
                (r.a.stock_baseline, freed_capital(r.a.stock_baseline, r.actual), reduction_pct(r.a.stock_baseline, r.actual));
            (
                freed,
                red,
                StoreImpact {
                    posicion: 0,
                    ubicacion_id: r.store.id.clone(),
                    nombre: r.store.name.clone(),
                    region: r.store.region.clone(),
                    fecha_activacion: r.a.fecha_activacion,
                    dias_activo: (today - r.a.fecha_activacion).num_days(),
                    stock_baseline: r2(b),
                    stock_actual: r2(r.actual),
                    capital_liberado: r2(freed),
                    reduccion_pct: r2(red),
                    fill_rate: r.fill,
                    banda_reduccion: reduction_band(red),
                    banda_fill_rate: fill_rate_band(r.fill),
                },
            )
        })
        .collect();
    tiendas.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.total_cmp(&a.1)).then_with(|| a.2.nombre.cmp(&b.2.nombre)));
    let tiendas: Vec<StoreImpact> = tiendas.into_iter().enumerate().map(|(i, (_, _, s))| StoreImpact { posicion: i + 1, ..s }).collect();
    Ok(ImpactByStore { mensaje: tiendas.is_empty().then(|| NO_ACTIVE_STORES.to_string()), tiendas, datos_al })
}
