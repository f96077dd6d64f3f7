//! The store comparisons of BI (spec 40 §3.2 panel 2, §3.3): *Comparar Tiendas* (1–20 stores
//! side by side, the best of each metric, the radar's scale), *Ranking Tiendas* (every active
//! store by sales, uncapped, with the network's summary and podium) and a store's *Top
//! categorías*. Sums from the daily aggregates; the rules are in `domain::bi_stores`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::BiError;
use crate::config::{Store, Tenant};
use crate::domain::bi::{Kpis, Totals};
use crate::domain::bi_stores::{best_index, is_categorised, margin_pct, min_max_scale, share_pct, vs_mean_pct};
use crate::domain::sales::round_half_away;
use crate::warehouse::bi as wb;
use crate::warehouse::sales_summary as ws;
use crate::warehouse::Warehouse;

/// Most stores in one comparison (§3.3).
pub const MAX_COMPARED: usize = 20;

/// The active stores of the tenant (CEDIs never), of one region when given; an unknown
/// region is refused by name.
pub fn active_stores<'t>(tenant: &'t Tenant, region: Option<&str>) -> Result<Vec<&'t Store>, BiError> {
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| !s.is_cedi() && s.active && region.is_none_or(|r| s.region == r)).collect();
    match (region, stores.is_empty()) {
        (Some(r), true) => {
            Err(BiError::Invalid { field: "region", message: format!("La región «{r}» no existe o no tiene tiendas activas") })
        }
        _ => Ok(stores),
    }
}

/// A range whose start is after its end is refused.
pub fn check_range(inicio: NaiveDate, fin: NaiveDate) -> Result<(), BiError> {
    match inicio <= fin {
        true => Ok(()),
        false => Err(BiError::Invalid { field: "fecha_inicio", message: "La fecha de inicio es posterior a la fecha de fin".into() }),
    }
}

fn store_of<'t>(tenant: &'t Tenant, id: &str) -> Result<&'t Store, BiError> {
    tenant.stores().iter().find(|s| s.id == id && !s.is_cedi()).ok_or_else(|| BiError::NotFound(format!("Tienda «{id}» no encontrada")))
}

fn totals_of(r: &ws::StoreTotals) -> Totals {
    Totals { ventas: r.venta_total, costo: r.costo_total, items: r.unidades, tickets: r.tickets }
}

/// Totals of each store asked for (zeros for a store without sales).
fn totals_by_store(rows: &[ws::StoreTotals], stores: &[&Store]) -> Vec<Totals> {
    let by_id: HashMap<&str, &ws::StoreTotals> = rows.iter().map(|r| (r.ubicacion_id.as_str(), r)).collect();
    stores.iter().map(|s| by_id.get(s.id.as_str()).map_or(Totals::default(), |r| totals_of(r))).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct TopCategory {
    pub nombre: String,
    pub ventas: f64,
}

/// The radar's six axes, each 0–100 between the stores compared (all equal → 50).
#[derive(Debug, Clone, Serialize)]
pub struct RadarPoint {
    pub ventas_total: f64,
    pub tickets: f64,
    pub ticket_promedio: f64,
    pub items_totales: f64,
    pub items_por_ticket: f64,
    pub margen_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparedStore {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    #[serde(flatten)]
    pub kpis: Kpis,
    /// The highest-selling categorised merchandise category (None without any).
    pub top_categoria: Option<TopCategory>,
    pub radar: RadarPoint,
}

/// The ids of the best store of each headline metric (ties → first in the request).
#[derive(Debug, Clone, Serialize)]
pub struct Best {
    pub mejor_ventas: Option<String>,
    pub mejor_margen: Option<String>,
    pub mejor_ticket_promedio: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreComparison {
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    /// In the request's order.
    pub tiendas: Vec<ComparedStore>,
    pub comparacion: Best,
    /// Ids asked for that are not stores (skipped, as the original).
    pub omitidas: Vec<String>,
    pub datos_al: Option<NaiveDate>,
}

/// The highest-selling category of each store (ties to the name first alphabetically).
fn top_categories(rows: Vec<wb::CategorySales>) -> HashMap<String, TopCategory> {
    let mut top: HashMap<String, TopCategory> = HashMap::new();
    for r in rows {
        let better =
            top.get(&r.ubicacion_id).is_none_or(|t| r.venta_total > t.ventas || (r.venta_total == t.ventas && r.categoria < t.nombre));
        if better {
            top.insert(r.ubicacion_id, TopCategory { nombre: r.categoria, ventas: r.venta_total });
        }
    }
    top
}

/// *Comparar Tiendas* (§3.3 `compare-multi`): 1–20 ids; ids that are not stores are skipped.
pub fn compare(tenant: &Tenant, wh: &Warehouse, ids: &[String], inicio: NaiveDate, fin: NaiveDate) -> Result<StoreComparison, BiError> {
    check_range(inicio, fin)?;
    if ids.is_empty() {
        return Err(BiError::Invalid { field: "ubicacion_ids", message: "Indique al menos una tienda para comparar".into() });
    }
    if ids.len() > MAX_COMPARED {
        return Err(BiError::Invalid {
            field: "ubicacion_ids",
            message: format!("Se pueden comparar hasta {MAX_COMPARED} tiendas a la vez ({} indicadas)", ids.len()),
        });
    }
    let mut stores: Vec<&Store> = Vec::new();
    let mut omitidas = Vec::new();
    for id in ids {
        match tenant.stores().iter().find(|s| &s.id == id && !s.is_cedi()) {
            Some(s) if !stores.iter().any(|x| x.id == s.id) => stores.push(s),
            Some(_) => {}
            None => omitidas.push(id.clone()),
        }
    }
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let reader = wh.reader()?;
    let totals = totals_by_store(&ws::store_totals(&reader, &ids, inicio, fin)?, &stores);
    let mut sold = wb::category_sales(&reader, &ids, inicio, fin)?;
    sold.retain(|r| is_categorised(Some(&r.categoria)));
    let mut top = top_categories(sold);
    let kpis: Vec<Kpis> = totals.iter().map(Kpis::of).collect();
    let axis = |f: fn(&Kpis) -> f64| min_max_scale(&kpis.iter().map(f).collect::<Vec<_>>());
    let radar = [
        axis(|k| k.ventas_total),
        axis(|k| k.tickets as f64),
        axis(|k| k.ticket_promedio),
        axis(|k| k.items_totales),
        axis(|k| k.items_por_ticket),
        axis(|k| k.margen_pct),
    ];
    let best = |f: fn(&Kpis) -> f64| best_index(&kpis.iter().map(f).collect::<Vec<_>>()).map(|i| stores[i].id.clone());
    let comparacion = Best {
        mejor_ventas: best(|k| k.ventas_total),
        mejor_margen: best(|k| k.margen_pct),
        mejor_ticket_promedio: best(|k| k.ticket_promedio),
    };
    let tiendas = stores
        .iter()
        .enumerate()
        .map(|(i, s)| ComparedStore {
            ubicacion_id: s.id.clone(),
            nombre: s.name.clone(),
            region: s.region.clone(),
            kpis: kpis[i].rounded(),
            top_categoria: top.remove(&s.id).map(|t| TopCategory { ventas: round_half_away(t.ventas, 2), ..t }),
            radar: RadarPoint {
                ventas_total: radar[0][i],
                tickets: radar[1][i],
                ticket_promedio: radar[2][i],
                items_totales: radar[3][i],
                items_por_ticket: radar[4][i],
                margen_pct: radar[5][i],
            },
        })
        .collect();
    let datos_al = ws::last_sale_day(&reader, &ids)?;
    Ok(StoreComparison { fecha_inicio: inicio, fecha_fin: fin, tiendas, comparacion, omitidas, datos_al })
}

#[derive(Debug, Clone, Serialize)]
pub struct RankedStore {
    pub posicion: usize,
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub ventas_total: f64,
    /// Share of the scope's sales.
    pub pct_red: f64,
    pub tickets: i64,
    pub ticket_promedio: f64,
    /// Against the scope's average ticket (Σventas / Σtickets), 1 dp.
    pub ticket_vs_red_pct: f64,
    pub margen_pct: f64,
    /// Against the scope's weighted margin, in percentage points, 1 dp.
    pub margen_vs_red_pp: f64,
    pub items_por_ticket: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingSummary {
    pub tiendas: usize,
    pub ventas_total: f64,
    pub tickets: i64,
    /// Σventas / Σtickets.
    pub ticket_promedio: f64,
    /// Weighted: Σutilidad / Σventas × 100 (the original averaged the stores' margins).
    pub margen_pct: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SalesRanking {
    pub region: Option<String>,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    pub resumen: RankingSummary,
    /// By sales, highest first.
    pub tiendas: Vec<RankedStore>,
    pub podio: Best,
    pub datos_al: Option<NaiveDate>,
}

/// *Ranking Tiendas* (§3.3): every active store of the scope by sales, uncapped.
pub fn sales_ranking(
    tenant: &Tenant,
    wh: &Warehouse,
    inicio: NaiveDate,
    fin: NaiveDate,
    region: Option<&str>,
) -> Result<SalesRanking, BiError> {
    check_range(inicio, fin)?;
    let stores = active_stores(tenant, region)?;
    let ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let reader = wh.reader()?;
    let totals = totals_by_store(&ws::store_totals(&reader, &ids, inicio, fin)?, &stores);
    let mut all = Totals::default();
    for t in &totals {
        all += *t;
    }
    let red = Kpis::of(&all);
    let kpis: Vec<Kpis> = totals.iter().map(Kpis::of).collect();
    let mut order: Vec<usize> = (0..stores.len()).collect();
    order.sort_by(|a, b| kpis[*b].ventas_total.total_cmp(&kpis[*a].ventas_total).then_with(|| stores[*a].name.cmp(&stores[*b].name)));
    let tiendas = order
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let k = &kpis[i];
            RankedStore {
                posicion: pos + 1,
                ubicacion_id: stores[i].id.clone(),
                nombre: stores[i].name.clone(),
                region: stores[i].region.clone(),
                ventas_total: round_half_away(k.ventas_total, 2),
                pct_red: share_pct(k.ventas_total, red.ventas_total),
                tickets: k.tickets,
                ticket_promedio: round_half_away(k.ticket_promedio, 2),
                ticket_vs_red_pct: vs_mean_pct(k.ticket_promedio, red.ticket_promedio),
                margen_pct: round_half_away(k.margen_pct, 2),
                margen_vs_red_pp: round_half_away(k.margen_pct - red.margen_pct, 1),
                items_por_ticket: round_half_away(k.items_por_ticket, 2),
            }
        })
        .collect();
    let best = |f: fn(&Kpis) -> f64| {
        let values: Vec<f64> = order.iter().map(|&i| f(&kpis[i])).collect();
        best_index(&values).map(|p| stores[order[p]].id.clone())
    };
    let podio = Best {
        mejor_ventas: best(|k| k.ventas_total),
        mejor_margen: best(|k| k.margen_pct),
        mejor_ticket_promedio: best(|k| k.ticket_promedio),
    };
    let datos_al = ws::last_sale_day(&reader, &ids)?;
    Ok(SalesRanking {
        region: region.map(str::to_string),
        fecha_inicio: inicio,
        fecha_fin: fin,
        resumen: RankingSummary {
            tiendas: stores.len(),
            ventas_total: round_half_away(red.ventas_total, 2),
            tickets: red.tickets,
            ticket_promedio: round_half_away(red.ticket_promedio, 2),
            margen_pct: round_half_away(red.margen_pct, 2),
        },
        tiendas,
        podio,
        datos_al,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryRow {
    pub categoria: String,
    pub ventas_total: f64,
    /// Share of the store's categorised sales.
    pub pct_ventas: f64,
    pub margen_pct: f64,
    pub productos: i64,
    pub tickets: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryTotals {
    /// All categorised sales of the store in the range ("Ventas categorizadas").
    pub ventas_total: f64,
    pub categorias_activas: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoreCategories {
    pub ubicacion_id: String,
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    /// The top `limite`, by sales.
    pub categorias: Vec<CategoryRow>,
    pub totales: CategoryTotals,
    pub datos_al: Option<NaiveDate>,
}

/// *Top categorías* of one store (§3.2 panel 2): `limite` 1–50 categories by sales.
pub fn store_categories(
    tenant: &Tenant,
    wh: &Warehouse,
    id: &str,
    inicio: NaiveDate,
    fin: NaiveDate,
    limite: usize,
) -> Result<StoreCategories, BiError> {
    check_range(inicio, fin)?;
    if !(1..=50).contains(&limite) {
        return Err(BiError::Invalid { field: "limite", message: "limite debe estar entre 1 y 50".into() });
    }
    let s = store_of(tenant, id)?;
    let reader = wh.reader()?;
    let mut rows = wb::store_categories(&reader, &s.id, inicio, fin)?;
    rows.retain(|r| is_categorised(Some(&r.categoria)));
    rows.sort_by(|a, b| b.venta_total.total_cmp(&a.venta_total).then_with(|| a.categoria.cmp(&b.categoria)));
    let total: f64 = rows.iter().map(|r| r.venta_total).sum();
    let activas = rows.len();
    let categorias = rows
        .into_iter()
        .take(limite)
        .map(|r| CategoryRow {
            pct_ventas: share_pct(r.venta_total, total),
            margen_pct: round_half_away(margin_pct(r.venta_total, r.costo_total), 2),
            ventas_total: round_half_away(r.venta_total, 2),
            productos: r.productos,
            tickets: r.tickets,
            categoria: r.categoria,
        })
        .collect();
    let datos_al = ws::last_sale_day(&reader, std::slice::from_ref(&s.id))?;
    Ok(StoreCategories {
        ubicacion_id: s.id.clone(),
        fecha_inicio: inicio,
        fecha_fin: fin,
        categorias,
        totales: CategoryTotals { ventas_total: round_half_away(total, 2), categorias_activas: activas },
        datos_al,
    })
}
