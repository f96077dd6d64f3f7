//! *Oportunidades CEDI* and *Expansión de Catálogo* (spec 40 §7.6), from the kept inventory
//! tables (stock and P75 per store) and the classification caches (30-day sales per store).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{InventoryError, Tables};
use crate::config::{Store, Tenant};
use crate::domain::opportunities::{expansion, is_cedi_opportunity, predominant_class, Expansion};
use crate::domain::replenishment::AbcClass;
use crate::warehouse::Warehouse;

/// Products shown per CEDI and per region.
const LIMIT: usize = 50;

#[derive(Debug, Serialize)]
pub struct StoreCell {
    pub ubicacion_id: String,
    pub nombre: String,
    /// 0 when the store holds no row of the product.
    pub stock: f64,
    pub p75: f64,
}

#[derive(Debug, Serialize)]
pub struct CediProduct {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub stock_cedi: f64,
    pub bultos_cedi: f64,
    pub clase_predominante: Option<AbcClass>,
    pub tiendas: Vec<StoreCell>,
}

#[derive(Debug, Serialize)]
pub struct CediGroup {
    pub cedi_id: String,
    pub cedi_nombre: String,
    pub region: String,
    pub oportunidades: usize,
    pub productos: Vec<CediProduct>,
}

/// Per product code of a location's table: (stock summed over almacenes, P75, class).
fn by_product(t: &super::Table) -> HashMap<&str, (f64, f64, Option<AbcClass>)> {
    let mut out: HashMap<&str, (f64, f64, Option<AbcClass>)> = HashMap::new();
    for l in &t.lines {
        let e = out.entry(l.codigo_producto.as_str()).or_insert((0.0, l.p75, l.clase_abc));
        e.0 += l.stock;
    }
    out
}

/// Each active CEDI (of `region`, or all) with the products it holds while a store of its
/// region (among `visible` stores) runs low; CEDIs with most opportunities first.
pub fn cedi_opportunities(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    tables: &Tables,
    region: Option<&str>,
    visible: &dyn Fn(&Store) -> bool,
    today: NaiveDate,
) -> Result<Vec<CediGroup>, InventoryError> {
    let mut groups = Vec::new();
    for cedi in tenant.stores().iter().filter(|s| s.active && s.is_cedi() && region.is_none_or(|r| s.region == r)) {
        let stores: Vec<&Store> =
            tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == cedi.region && visible(s)).collect();
        if stores.is_empty() {
            continue;
        }
        let cedi_table = tables.get(tenant, app, wh, &cedi.id, today)?;
        let store_tables = stores.iter().map(|s| tables.get(tenant, app, wh, &s.id, today)).collect::<Result<Vec<_>, _>>()?;
        let store_maps: Vec<_> = store_tables.iter().map(|t| by_product(t)).collect();
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut products = Vec::new();
        let cedi_map = by_product(&cedi_table);
        for l in &cedi_table.lines {
            if seen.insert(l.codigo_producto.as_str(), ()).is_some() {
                continue;
            }
            let stock_cedi = cedi_map[l.codigo_producto.as_str()].0;
            let cells: Vec<Option<(f64, f64, Option<AbcClass>)>> =
                store_maps.iter().map(|m| m.get(l.codigo_producto.as_str()).copied()).collect();
            let stocks: Vec<Option<f64>> = cells.iter().map(|c| c.map(|x| x.0)).collect();
            if !is_cedi_opportunity(stock_cedi, &stocks) {
                continue;
            }
            let classes: Vec<Option<AbcClass>> = cells.iter().map(|c| c.and_then(|x| x.2)).collect();
            products.push(CediProduct {
                codigo_producto: l.codigo_producto.clone(),
                descripcion: l.descripcion.clone(),
                categoria: l.categoria.as_ref().map(|c| c.to_string()),
                stock_cedi,
                bultos_cedi: crate::domain::sales::round_half_away(stock_cedi / l.unidades_por_bulto, 1),
                clase_predominante: predominant_class(&classes),
                tiendas: stores
                    .iter()
                    .zip(&cells)
                    .map(|(s, c)| StoreCell {
                        ubicacion_id: s.id.clone(),
                        nombre: s.name.clone(),
                        stock: c.map_or(0.0, |x| x.0),
                        p75: c.map_or(0.0, |x| x.1),
                    })
                    .collect(),
            });
        }
        // Largest CEDI stock first; the limit applies per CEDI, after grouping.
        products.sort_by(|a, b| b.stock_cedi.total_cmp(&a.stock_cedi).then_with(|| a.codigo_producto.cmp(&b.codigo_producto)));
        let oportunidades = products.len();
        products.truncate(LIMIT);
        groups.push(CediGroup {
            cedi_id: cedi.id.clone(),
            cedi_nombre: cedi.name.clone(),
            region: cedi.region.clone(),
            oportunidades,
            productos: products,
        });
    }
    groups.sort_by(|a, b| b.oportunidades.cmp(&a.oportunidades).then_with(|| a.cedi_id.cmp(&b.cedi_id)));
    Ok(groups)
}

#[derive(Debug, Serialize)]
pub struct ExpansionProduct {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    #[serde(flatten)]
    pub cifras: Expansion,
    pub clase_predominante: Option<AbcClass>,
    pub tiendas_sin_producto: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RegionExpansion {
    pub region: String,
    pub venta_potencial_total: f64,
    pub candidatos: usize,
    pub productos: Vec<ExpansionProduct>,
}

/// Per region (or one), the products sold in 10–50 % of its active (visible) stores at
/// 5 USD a week or more per store, by potential sales in the stores without them.
pub fn catalogue_expansion(
    tenant: &Tenant,
    wh: &Warehouse,
    region: Option<&str>,
    visible: &dyn Fn(&Store) -> bool,
) -> Result<Vec<RegionExpansion>, InventoryError> {
    let conn = wh.reader()?;
    let mut regions: Vec<&str> = tenant.file.regions.iter().map(|r| r.id.as_str()).filter(|r| region.is_none_or(|x| x == *r)).collect();
    regions.dedup();
    let mut out = Vec::new();
    for r in regions {
        let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == r && visible(s)).collect();
        if stores.is_empty() {
            continue;
        }
        let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
        let sales = crate::warehouse::products::sales_30d(&conn, &ids)?;
        let mut products = Vec::new();
        for (code, p) in &sales {
            let per_store: Vec<f64> = ids.iter().map(|id| p.ventas.get(id).copied().unwrap_or(0.0)).collect();
            let Some(cifras) = expansion(&per_store) else { continue };
            let classes: Vec<Option<AbcClass>> = ids.iter().map(|id| p.clases.get(id).copied()).collect();
            products.push(ExpansionProduct {
                codigo_producto: code.clone(),
                descripcion: p.descripcion.clone(),
                categoria: p.categoria.clone(),
                clase_predominante: predominant_class(&classes),
                tiendas_sin_producto: stores.iter().zip(&per_store).filter(|(_, v)| **v <= 0.0).map(|(s, _)| s.name.clone()).collect(),
                cifras,
            });
        }
        products.sort_by(|a, b| {
            b.cifras.venta_potencial.total_cmp(&a.cifras.venta_potencial).then_with(|| a.codigo_producto.cmp(&b.codigo_producto))
        });
        let candidatos = products.len();
        products.truncate(LIMIT);
        out.push(RegionExpansion {
            region: r.to_string(),
            venta_potencial_total: products.iter().map(|p| p.cifras.venta_potencial).sum(),
            candidatos,
            productos: products,
        });
    }
    Ok(out)
}

/// Both lists, kept per (region, visible stores) until the next warehouse write or day.
pub struct KeptOpportunities {
    cedi: crate::warehouse::kept::Kept<(Option<String>, Vec<String>, NaiveDate), Vec<CediGroup>>,
    expansion: crate::warehouse::kept::Kept<(Option<String>, Vec<String>), Vec<RegionExpansion>>,
}

impl Default for KeptOpportunities {
    fn default() -> Self {
        KeptOpportunities { cedi: crate::warehouse::kept::Kept::new(32), expansion: crate::warehouse::kept::Kept::new(32) }
    }
}

fn visible_ids(tenant: &Tenant, visible: &dyn Fn(&Store) -> bool) -> Vec<String> {
    tenant.stores().iter().filter(|s| visible(s)).map(|s| s.id.clone()).collect()
}

impl KeptOpportunities {
    pub fn cedi(
        &self,
        tenant: &Tenant,
        app: &rusqlite::Connection,
        wh: &Warehouse,
        tables: &Tables,
        (region, today): (Option<&str>, NaiveDate),
        visible: &dyn Fn(&Store) -> bool,
    ) -> Result<std::sync::Arc<Vec<CediGroup>>, InventoryError> {
        let key = (region.map(str::to_string), visible_ids(tenant, visible), today);
        self.cedi.get_or_compute(wh, key, || cedi_opportunities(tenant, app, wh, tables, region, visible, today))
    }

    pub fn expansion(
        &self,
        tenant: &Tenant,
        wh: &Warehouse,
        region: Option<&str>,
        visible: &dyn Fn(&Store) -> bool,
    ) -> Result<std::sync::Arc<Vec<RegionExpansion>>, InventoryError> {
        let key = (region.map(str::to_string), visible_ids(tenant, visible));
        self.expansion.get_or_compute(wh, key, || catalogue_expansion(tenant, wh, region, visible))
    }

    /// Computes both lists as a user who sees every store first opens them (every region),
    /// unless kept for the current data: `serve` runs it after the inventory tables once the
    /// warehouse is quiet after a load, so that nobody waits for a first computation.
    pub fn warm(&self, tenant: &Tenant, app: &rusqlite::Connection, wh: &Warehouse, tables: &Tables, today: NaiveDate) -> usize {
        let all = |_: &Store| true;
        let cedi = self
            .cedi(tenant, app, wh, tables, (None, today), &all)
            .map_err(|e| tracing::warn!(error = %e, "CEDI opportunities not computed"));
        let expansion = self.expansion(tenant, wh, None, &all).map_err(|e| tracing::warn!(error = %e, "catalogue expansion not computed"));
        usize::from(cedi.is_ok()) + usize::from(expansion.is_ok())
    }

    /// Whether both lists of [`warm`](Self::warm) are kept for the current data and `today`.
    pub fn is_warm(&self, tenant: &Tenant, wh: &Warehouse, today: NaiveDate) -> bool {
        let ids = visible_ids(tenant, &|_: &Store| true);
        self.cedi.is_current(wh, &(None, ids.clone(), today)) && self.expansion.is_current(wh, &(None, ids))
    }
}
