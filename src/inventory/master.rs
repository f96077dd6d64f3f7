//! *Análisis Maestro* (spec 50 §9.3): a store's products by state (Activo, Agotándose,
//! Crítico, Dormido, Sin ventas, Anomalía, Fantasma) × ABC class, and a product's 360° view
//! (its master data, its stock, class, state and demand in every store, the CEDIs' stock and
//! twelve weeks of sales). Both are passes over the kept inventory tables: the states are
//! the same figures the *Inventario* screen shows (`domain::inventory::master_state`).

use chrono::{Duration, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{InventoryError, InventoryLine, Table, Tables};
use crate::config::Tenant;
use crate::domain::inventory::{coverage_days, master_state, stock_state, MasterState, StockState};
use crate::domain::sales::round_half_away;
use crate::domain::text::Text;
use crate::warehouse::product_sales as ps;
use crate::warehouse::products::{self as wp, ProductRow};
use crate::warehouse::Warehouse;

/// One product of a store (its almacenes summed).
#[derive(Debug, Clone, Serialize)]
pub struct MasterRow {
    pub codigo_producto: String,
    pub descripcion: String,
    pub categoria: Option<Text>,
    pub clase_abc: Option<&'static str>,
    pub estado: MasterState,
    pub estado_nombre: &'static str,
    pub estado_criticidad: StockState,
    pub stock: f64,
    pub p75: f64,
    pub dias_cobertura: Option<f64>,
    pub unidades_30d: f64,
    pub unidades_14d: f64,
}

/// A store's table as one row per product, in the table's order.
pub fn rows(t: &Table) -> Vec<MasterRow> {
    let mut groups: Vec<Vec<&InventoryLine>> = Vec::new();
    let mut at: FxHashMap<&str, usize> = FxHashMap::default();
    for l in &t.lines {
        match at.get(l.codigo_producto.as_str()) {
            Some(&i) => groups[i].push(l),
            None => {
                at.insert(&l.codigo_producto, groups.len());
                groups.push(vec![l]);
            }
        }
    }
    groups.iter().filter_map(|g| row_of(g)).collect()
}

/// One product's row of a store's table, if the store holds it.
pub fn product_row(t: &Table, code: &str) -> Option<MasterRow> {
    row_of(&t.lines.iter().filter(|l| l.codigo_producto == code).collect::<Vec<_>>())
}

/// The row of one product's lines (one per almacén): the state of their total stock
/// against the product's levels (the same on every line).
fn row_of(lines: &[&InventoryLine]) -> Option<MasterRow> {
    let l = lines.first()?;
    let stock: f64 = lines.iter().map(|x| x.stock).sum();
    let estado_criticidad = stock_state(stock, l.p75, &l.niveles);
    let estado = master_state(stock, l.unidades_30d, l.unidades_14d, estado_criticidad);
    Some(MasterRow {
        codigo_producto: l.codigo_producto.clone(),
        descripcion: l.descripcion.clone(),
        categoria: l.categoria.clone(),
        clase_abc: l.clase_abc.map(|c| c.as_str()),
        estado,
        estado_nombre: estado.label(),
        estado_criticidad,
        stock,
        p75: l.p75,
        dias_cobertura: coverage_days(stock, l.p75).map(|d| round_half_away(d, 1)),
        unidades_30d: l.unidades_30d,
        unidades_14d: l.unidades_14d,
    })
}

/// Products of one state by ABC class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassCounts {
    #[serde(rename = "A")]
    pub a: usize,
    #[serde(rename = "B")]
    pub b: usize,
    #[serde(rename = "C")]
    pub c: usize,
    #[serde(rename = "D")]
    pub d: usize,
    #[serde(rename = "SIN_CLASE")]
    pub sin_clase: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateSummary {
    pub estado: MasterState,
    pub nombre: &'static str,
    pub total: usize,
    pub por_clase: ClassCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub ubicacion_id: String,
    pub fecha: NaiveDate,
    pub total: usize,
    pub estados: Vec<StateSummary>,
}

/// Counts by state × class, every state listed (zeros included) in the screen's order.
pub fn summary(t: &Table, rows: &[MasterRow]) -> Summary {
    let estados = MasterState::ALL
        .into_iter()
        .map(|estado| {
            let mut por_clase = ClassCounts::default();
            let mut total = 0;
            for r in rows.iter().filter(|r| r.estado == estado) {
                total += 1;
                match r.clase_abc {
                    Some("A") => por_clase.a += 1,
                    Some("B") => por_clase.b += 1,
                    Some("C") => por_clase.c += 1,
                    Some("D") => por_clase.d += 1,
                    _ => por_clase.sin_clase += 1,
                }
            }
            StateSummary { estado, nombre: estado.label(), total, por_clase }
        })
        .collect();
    Summary { ubicacion_id: t.ubicacion_id.clone(), fecha: t.fecha, total: rows.len(), estados }
}

// ---------------------------------------------------------------- the 360° view

#[derive(Debug, Clone, Serialize)]
pub struct StoreView {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    /// `None` when the store holds no stock row for the product.
    pub presente: bool,
    #[serde(flatten)]
    pub fila: Option<MasterRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CediView {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    pub stock: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Week {
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    pub unidades: f64,
    pub venta_total: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    pub producto: ProductRow,
    pub tiendas: Vec<StoreView>,
    pub cedis: Vec<CediView>,
    /// Twelve 7-day weeks ending yesterday, oldest first, over the stores listed.
    pub semanas: Vec<Week>,
    pub stock_tiendas: f64,
    pub stock_cedis: f64,
    pub unidades_30d: f64,
}

/// The product in each active store of `stores` (its row of the store's stock table).
pub fn store_views(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    tables: &Tables,
    (code, stores): (&str, &[String]),
    today: NaiveDate,
) -> Result<Vec<StoreView>, InventoryError> {
    let mut tiendas = Vec::new();
    for s in tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && stores.contains(&s.id)) {
        let t = tables.get(tenant, app, wh, &s.id, today)?;
        let fila = product_row(&t, code);
        tiendas.push(StoreView {
            ubicacion_id: s.id.clone(),
            nombre: s.name.clone(),
            region: s.region.clone(),
            presente: fila.is_some(),
            fila,
        });
    }
    Ok(tiendas)
}

/// Twelve 7-day weeks ending yesterday, oldest first, of the product's sales at `stores`.
pub fn weeks(wh: &Warehouse, code: &str, stores: &[String], today: NaiveDate) -> Result<Vec<Week>, InventoryError> {
    let end = today - Duration::days(1);
    let start = end - Duration::days(12 * 7 - 1);
    let days = ps::daily_by_store(&*wh.reader()?, code, stores, start, end)?;
    Ok((0..12)
        .map(|w| {
            let (desde, hasta) = (start + Duration::days(w * 7), start + Duration::days(w * 7 + 6));
            let of_week = days.iter().filter(|d| d.fecha >= desde && d.fecha <= hasta);
            let (unidades, venta) = of_week.fold((0.0, 0.0), |(u, v), d| (u + d.cantidad, v + d.venta_total));
            Week { desde, hasta, unidades, venta_total: round_half_away(venta, 2) }
        })
        .collect())
}

/// The product seen from every location the caller may see (`stores`: his stores; every
/// active CEDI is shown, as in the rest of the product).
pub fn product_view(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    tables: &Tables,
    (code, stores): (&str, &[String]),
    today: NaiveDate,
) -> Result<Option<ProductView>, InventoryError> {
    let Some(producto) = wp::get(&*wh.reader()?, code)? else { return Ok(None) };
    let tiendas = store_views(tenant, app, wh, tables, (&producto.codigo, stores), today)?;
    let mut cedis = Vec::new();
    for c in tenant.stores().iter().filter(|s| s.active && s.is_cedi()) {
        let t = tables.get(tenant, app, wh, &c.id, today)?;
        let stock = t.lines.iter().filter(|l| l.codigo_producto == producto.codigo).map(|l| l.stock).sum();
        cedis.push(CediView { ubicacion_id: c.id.clone(), nombre: c.name.clone(), region: c.region.clone(), stock });
    }
    let semanas = weeks(wh, &producto.codigo, stores, today)?;
    Ok(Some(ProductView {
        stock_tiendas: tiendas.iter().filter_map(|t| t.fila.as_ref()).map(|r| r.stock.max(0.0)).sum(),
        stock_cedis: cedis.iter().map(|c| c.stock.max(0.0)).sum(),
        unidades_30d: tiendas.iter().filter_map(|t| t.fila.as_ref()).map(|r| r.unidades_30d).sum(),
        producto,
        tiendas,
        cedis,
        semanas,
    }))
}
