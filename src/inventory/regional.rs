//! The Inventarios landing's regional summary (spec 50 §7.2, 40 §7.1): per region, per
//! location and per almacén the health of the stock (`domain::inventory_health`), from the
//! kept stock tables (`serve` computes them after every load), so the P75 and classes are
//! those of the stock table and of replenishment.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{InventoryError, InventoryLine, Tables};
use crate::config::Tenant;
use crate::domain::inventory_health::{location_health, region_health, Health, ProductStock};
use crate::warehouse::Warehouse;

#[derive(Debug, Clone, Serialize)]
pub struct AlmacenHealth {
    pub almacen_codigo: String,
    pub almacen_nombre: String,
    #[serde(flatten)]
    pub salud: Health,
}

#[derive(Debug, Clone, Serialize)]
pub struct LocationSummary {
    pub ubicacion_id: String,
    pub nombre: String,
    pub tipo: &'static str,
    /// Newest stock update of the location's rows (local time, as loaded).
    pub ultima_actualizacion: Option<String>,
    #[serde(flatten)]
    pub salud: Health,
    pub almacenes: Vec<AlmacenHealth>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionSummary {
    pub region: String,
    pub nombre: String,
    pub total_ubicaciones: usize,
    #[serde(flatten)]
    pub salud: Health,
    pub ubicaciones: Vec<LocationSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionalSummary {
    pub fecha: NaiveDate,
    pub regiones: Vec<RegionSummary>,
}

/// One product per code (almacenes summed; P75 and class are the product's).
fn products(lines: &[&InventoryLine]) -> Vec<ProductStock> {
    let mut by_code: BTreeMap<&str, ProductStock> = BTreeMap::new();
    for l in lines {
        by_code.entry(l.codigo_producto.as_str()).and_modify(|p| p.stock += l.stock).or_insert(ProductStock {
            stock: l.stock,
            p75: l.p75,
            class: l.clase_abc,
        });
    }
    by_code.into_values().collect()
}

/// A location table's health, whole and per almacén, with its newest stock update.
#[derive(Debug, Clone)]
pub struct TableHealth {
    pub ultima_actualizacion: Option<String>,
    pub salud: Health,
    pub almacenes: Vec<AlmacenHealth>,
}

pub(crate) fn table_health(lines: &[InventoryLine]) -> TableHealth {
    let all: Vec<&InventoryLine> = lines.iter().collect();
    let mut almacenes: BTreeMap<&str, Vec<&InventoryLine>> = BTreeMap::new();
    for line in &all {
        almacenes.entry(&line.almacen_codigo).or_default().push(line);
    }
    TableHealth {
        ultima_actualizacion: all.iter().map(|x| x.actualizado.as_str()).max().map(str::to_string),
        salud: location_health(&products(&all)),
        almacenes: almacenes
            .into_iter()
            .map(|(code, lines)| AlmacenHealth {
                almacen_codigo: code.to_string(),
                almacen_nombre: lines.first().map(|x| x.almacen_nombre.to_string()).unwrap_or_default(),
                salud: location_health(&products(&lines)),
            })
            .collect(),
    }
}

/// Every active location in `visible`, grouped by region in the declared order (then name).
pub fn summary(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    tables: &Tables,
    visible: &dyn Fn(&str, bool) -> bool,
    today: NaiveDate,
) -> Result<RegionalSummary, InventoryError> {
    let mut regions: Vec<(String, Vec<LocationSummary>)> = Vec::new();
    for l in tenant.stores().iter().filter(|s| s.active && visible(&s.id, s.is_cedi())) {
        let t = tables.get(tenant, app, wh, &l.id, today)?;
        let h = t.health.get_or_init(|| table_health(&t.lines));
        let location = LocationSummary {
            ubicacion_id: l.id.clone(),
            nombre: l.name.clone(),
            tipo: if l.is_cedi() { "cedi" } else { "tienda" },
            ultima_actualizacion: h.ultima_actualizacion.clone(),
            salud: h.salud.clone(),
            almacenes: h.almacenes.clone(),
        };
        match regions.iter_mut().find(|(r, _)| *r == l.region) {
            Some((_, v)) => v.push(location),
            None => regions.push((l.region.clone(), vec![location])),
        }
    }
    let declared = |region: &str| tenant.file.regions.iter().position(|r| r.id == region).unwrap_or(usize::MAX);
    regions.sort_by(|(a, _), (b, _)| declared(a).cmp(&declared(b)).then_with(|| a.cmp(b)));
    let regiones = regions
        .into_iter()
        .map(|(region, ubicaciones)| RegionSummary {
            nombre: tenant.file.regions.iter().find(|r| r.id == region).map_or_else(|| region.clone(), |r| r.name.clone()),
            total_ubicaciones: ubicaciones.len(),
            salud: region_health(&ubicaciones.iter().map(|u| &u.salud).collect::<Vec<_>>()),
            region,
            ubicaciones,
        })
        .collect();
    Ok(RegionalSummary { fecha: today, regiones })
}
