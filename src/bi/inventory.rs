//! Stores by their inventory (spec 40 §3.3): the ranking by GMROI, sales, rotation or stock
//! value with fill rate and distance to the mean, and one store's KPI card against the
//! network's mean. GMROI and rotation of a store come from its totals (never a mean of SKU
//! ratios), over the 30 days ending yesterday; inputs from `products::store_facts`.

use chrono::NaiveDate;
use serde::Serialize;

use super::products::{store_facts, Window};
use super::stores::active_stores;
use super::BiError;
use crate::config::Tenant;
use crate::domain::bi_products::{gmroi, rotation};
use crate::domain::bi_stores::{fill_rate, inventory_days, margin_pct, mean, ranks_desc, vs_mean_pct};
use crate::domain::sales::round_half_away;
use crate::warehouse::bi_inventory::ProductStoreFacts;
use crate::warehouse::Warehouse;

/// A store's totals over the window (unrounded).
#[derive(Debug, Clone, Copy, Default)]
struct StoreInventory {
    ventas: f64,
    costo: f64,
    inv_prom: f64,
    stock_valorizado: f64,
    fill_rate: f64,
    productos_vendidos: usize,
    skus_con_stock: usize,
}

impl StoreInventory {
    fn of<'a>(rows: impl Iterator<Item = &'a ProductStoreFacts> + Clone) -> StoreInventory {
        let mut s = StoreInventory { fill_rate: fill_rate(rows.clone().map(|r| (r.stock_unidades, r.unidades))), ..Default::default() };
        for r in rows {
            s.ventas += r.ventas;
            s.costo += r.costo;
            s.productos_vendidos += usize::from(r.ventas > 0.0);
            s.skus_con_stock += usize::from(r.stock_unidades > 0.0);
            if let Some(c) = r.costo_unitario {
                s.inv_prom += r.stock_prom_unidades.unwrap_or(r.stock_unidades) * c;
                s.stock_valorizado += r.stock_unidades * c;
            }
        }
        s
    }

    fn gmroi(&self, w: &Window) -> f64 {
        gmroi(self.ventas - self.costo, w.dias, self.inv_prom)
    }

    fn rotation(&self, w: &Window) -> f64 {
        rotation(self.costo, w.dias, self.inv_prom)
    }
}

/// A store's stock at cost today and its fill rate (§2), from its rows of the window's facts,
/// as the ranking and the KPI card compute them.
pub fn stock_and_fill_rate<'a>(rows: impl Iterator<Item = &'a ProductStoreFacts> + Clone) -> (f64, f64) {
    let s = StoreInventory::of(rows);
    (s.stock_valorizado, s.fill_rate)
}

/// What stores are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Gmroi,
    Ventas,
    Rotacion,
    Stock,
}

impl Metric {
    pub fn parse(s: &str) -> Option<Metric> {
        match s {
            "gmroi" => Some(Metric::Gmroi),
            "ventas" => Some(Metric::Ventas),
            "rotacion" => Some(Metric::Rotacion),
            "stock" => Some(Metric::Stock),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryRank {
    pub posicion: usize,
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub valor: f64,
    pub fill_rate: f64,
    /// `(valor / promedio − 1) × 100`, 1 dp.
    pub vs_promedio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct InventoryRanking {
    #[serde(flatten)]
    pub ventana: Window,
    pub metrica: Metric,
    pub region: Option<String>,
    /// Mean of the stores' values.
    pub promedio: f64,
    pub tiendas: Vec<InventoryRank>,
    pub datos_al: Option<NaiveDate>,
}

/// The ranking of the active stores of the scope by `metrica` (§3.3).
pub fn ranking(
    tenant: &Tenant,
    wh: &Warehouse,
    fin: Option<NaiveDate>,
    metrica: Metric,
    region: Option<&str>,
) -> Result<InventoryRanking, BiError> {
    let stores = active_stores(tenant, region)?;
    let (w, facts, datos_al) = store_facts(tenant, wh, fin)?;
    let totals: Vec<StoreInventory> = stores.iter().map(|s| StoreInventory::of(facts.iter().filter(|r| r.ubicacion_id == s.id))).collect();
    let values: Vec<f64> = totals
        .iter()
        .map(|t| match metrica {
            Metric::Gmroi => t.gmroi(&w),
            Metric::Ventas => t.ventas,
            Metric::Rotacion => t.rotation(&w),
            Metric::Stock => t.stock_valorizado,
        })
        .collect();
    let promedio = mean(&values);
    let ranks = ranks_desc(&values);
    let mut tiendas: Vec<InventoryRank> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| InventoryRank {
            posicion: ranks[i],
            ubicacion_id: s.id.clone(),
            nombre: s.name.clone(),
            region: s.region.clone(),
            valor: round_half_away(values[i], 2),
            fill_rate: totals[i].fill_rate,
            vs_promedio: vs_mean_pct(values[i], promedio),
        })
        .collect();
    tiendas.sort_by_key(|t| t.posicion);
    Ok(InventoryRanking {
        ventana: w,
        metrica,
        region: region.map(str::to_string),
        promedio: round_half_away(promedio, 2),
        tiendas,
        datos_al,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct VsNetwork {
    pub ventas_pct: f64,
    pub stock_pct: f64,
    pub gmroi_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreKpis {
    #[serde(flatten)]
    pub ventana: Window,
    pub ubicacion_id: String,
    pub nombre: String,
    pub ventas_30d: f64,
    pub utilidad_30d: f64,
    pub margen_pct: f64,
    pub stock_valorizado: f64,
    pub inv_prom: f64,
    pub gmroi: f64,
    pub rotacion_anual: f64,
    pub fill_rate: f64,
    pub dias_inventario: f64,
    pub productos_vendidos: usize,
    pub skus_con_stock: usize,
    /// Against the mean of the network's active stores.
    pub vs_promedio_red: VsNetwork,
    pub datos_al: Option<NaiveDate>,
}

/// One store's KPI card (§3.3).
pub fn store_kpis(tenant: &Tenant, wh: &Warehouse, id: &str, fin: Option<NaiveDate>) -> Result<StoreKpis, BiError> {
    let stores = active_stores(tenant, None)?;
    let Some(store) = stores.iter().find(|s| s.id == id) else {
        return Err(BiError::NotFound(format!("Tienda «{id}» no encontrada")));
    };
    let (w, facts, datos_al) = store_facts(tenant, wh, fin)?;
    let all: Vec<StoreInventory> = stores.iter().map(|s| StoreInventory::of(facts.iter().filter(|r| r.ubicacion_id == s.id))).collect();
    let t = StoreInventory::of(facts.iter().filter(|r| r.ubicacion_id == store.id));
    let net = |f: &dyn Fn(&StoreInventory) -> f64| mean(&all.iter().map(f).collect::<Vec<_>>());
    let r2 = |v: f64| round_half_away(v, 2);
    Ok(StoreKpis {
        ventana: w,
        ubicacion_id: store.id.clone(),
        nombre: store.name.clone(),
        ventas_30d: r2(t.ventas),
        utilidad_30d: r2(t.ventas - t.costo),
        margen_pct: r2(margin_pct(t.ventas, t.costo)),
        stock_valorizado: r2(t.stock_valorizado),
        inv_prom: r2(t.inv_prom),
        gmroi: r2(t.gmroi(&w)),
        rotacion_anual: r2(t.rotation(&w)),
        fill_rate: t.fill_rate,
        dias_inventario: round_half_away(inventory_days(t.stock_valorizado, t.costo, w.dias), 1),
        productos_vendidos: t.productos_vendidos,
        skus_con_stock: t.skus_con_stock,
        vs_promedio_red: VsNetwork {
            ventas_pct: vs_mean_pct(t.ventas, net(&|s| s.ventas)),
            stock_pct: vs_mean_pct(t.stock_valorizado, net(&|s| s.stock_valorizado)),
            gmroi_pct: vs_mean_pct(t.gmroi(&w), net(&|s| s.gmroi(&w))),
        },
        datos_al,
    })
}
