//! *Cobertura y distribución* (spec 40 §3.7): per region, which share of its active stores
//! hold each product in depth (> 20 units) or at all, stock its CEDIs keep while the region's
//! stores run dry, and the stores that do not carry what sells in their neighbours (with the
//! opportunity and its priority), plus the catalogue size of each store against the region's
//! mean.
//!
//! Stores: the BI facts of the 30 days ending yesterday (`products::store_facts`: current
//! stock, units, sales and cost per product × active store, kept until the next warehouse
//! write). CEDIs: their current stock (`inventario_actual`), valued with the product's POS cost
//! or the network's average sale cost of the window. Classes: the ABC cache of each store.
//! Network GMROI and the family's cut: `products::network_products` and `[bi.umbrales]`.
//! Everything per region is computed once per warehouse generation and kept; a request only
//! filters, sorts and rounds. The rules are in `domain::bi_coverage`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use serde::Serialize;

use super::products::{network_products, store_facts, Window};
use super::stores::active_stores;
use super::BiError;
use crate::config::{Store, Tenant};
use crate::domain::bi_coverage::{
    coverage, gap_opportunity, gap_skus, is_gap, is_low_coverage, is_trapped, level, light, priority, stock_days, Coverage, Level, Light,
    Priority, COVERED_UNITS, TRAPPED_STORE_UNITS,
};
use crate::domain::opportunities::predominant_class;
use crate::domain::replenishment::AbcClass;
use crate::domain::sales::round_half_away;
use crate::warehouse::kept::Kept;
use crate::warehouse::Warehouse;

/// Most rows of a list.
pub const MAX_LIMIT: usize = 1000;

/// A product's place in one region (unrounded).
#[derive(Debug, Clone)]
struct ProductInRegion {
    codigo: String,
    descripcion: String,
    familia: Option<String>,
    cobertura: Coverage,
    stock_tiendas: f64,
    stock_cedi: f64,
    ventas_30d: f64,
    unidades_30d: f64,
    /// Mean 30-day sales of the region's stores that sold it.
    venta_mensual_por_tienda: f64,
    oportunidad: f64,
    tiendas_sin_producto: usize,
}

/// A CEDI's product with stock (the threshold applies per request).
#[derive(Debug, Clone)]
struct CediStock {
    cedi_id: String,
    cedi_nombre: String,
    codigo: String,
    descripcion: String,
    unidades: f64,
    /// None without a unit cost (not valued).
    valor: Option<f64>,
    stock_tiendas: f64,
    tiendas_cubiertas: usize,
    ventas_region_30d: f64,
    unidades_region_30d: f64,
}

#[derive(Debug, Clone)]
struct Gap {
    ubicacion_id: String,
    tienda: String,
    codigo: String,
    descripcion: String,
    tiendas_con_venta: usize,
    venta_otras: f64,
    margen_pct: f64,
    oportunidad: f64,
    clase: Option<AbcClass>,
    gmroi_red: f64,
    corte_gmroi: f64,
    prioridad: Priority,
}

#[derive(Debug, Clone)]
struct StoreCatalogue {
    ubicacion_id: String,
    nombre: String,
    skus_activos: usize,
    skus_con_stock: usize,
    huecos: usize,
    oportunidad: f64,
}

#[derive(Debug, Clone)]
struct RegionCoverage {
    region: String,
    tiendas: usize,
    productos: Vec<ProductInRegion>,
    cedi: Vec<CediStock>,
    huecos: Vec<Gap>,
    catalogo: Vec<StoreCatalogue>,
}

/// Everything of the window, per region (in the tenant's order).
#[derive(Debug)]
pub struct CoverageData {
    ventana: Window,
    datos_al: Option<NaiveDate>,
    stock_al: Option<NaiveDateTime>,
    regions: Vec<RegionCoverage>,
}

static KEPT: LazyLock<Kept<(PathBuf, NaiveDate), CoverageData>> = LazyLock::new(|| Kept::new(2));

/// Per store × product of a region: (stock, units, sales, cost).
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    stock: f64,
    unidades: f64,
    ventas: f64,
    costo: f64,
}

#[derive(Default)]
struct Acc {
    descripcion: String,
    familia: Option<String>,
    cells: Vec<Cell>,
    cedi: Vec<(usize, f64, Option<f64>)>,
}

const CEDI_SQL: &str = "
WITH lista AS (SELECT unnest(string_split(?1, chr(31))) AS ubicacion_id),
a AS (
    SELECT a.ubicacion_id, a.producto_codigo, sum(greatest(a.cantidad, 0))::DOUBLE AS q
    FROM inventario_actual a SEMI JOIN lista l ON l.ubicacion_id = a.ubicacion_id
    GROUP BY ALL HAVING sum(greatest(a.cantidad, 0)) > 0),
costo_red AS (
    SELECT producto_codigo, (sum(costo_total) / sum(cantidad))::DOUBLE AS c
    FROM ventas_diarias WHERE fecha BETWEEN ?2::DATE - 29 AND ?2 GROUP BY ALL HAVING sum(cantidad) > 0 AND sum(costo_total) > 0)
SELECT a.ubicacion_id, a.producto_codigo, coalesce(p.descripcion, 'Producto ' || a.producto_codigo), p.cedi_origen_id,
       coalesce(p.activo, true), a.q,
       coalesce(CASE WHEN p.costo_unitario_usd > 0 THEN p.costo_unitario_usd::DOUBLE END, cr.c)::DOUBLE
FROM a LEFT JOIN productos_v p ON p.codigo = a.producto_codigo LEFT JOIN costo_red cr ON cr.producto_codigo = a.producto_codigo";

type CediRow = (String, String, String, Option<String>, bool, f64, Option<f64>);

fn compute(tenant: &Tenant, wh: &Warehouse) -> Result<CoverageData, BiError> {
    let (w, facts, datos_al) = store_facts(tenant, wh, None)?;
    let network = network_products(tenant, &facts, &w);
    let cedis: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && s.is_cedi()).collect();
    let all_stores: Vec<String> = active_stores(tenant, None)?.iter().map(|s| s.id.clone()).collect();
    let reader = wh.reader()?;
    let mut cedi_rows: Vec<CediRow> = Vec::new();
    if !cedis.is_empty() {
        let ids: Vec<String> = cedis.iter().map(|c| c.id.clone()).collect();
        let mut stmt = reader.prepare_cached(CEDI_SQL)?;
        let rows = stmt.query_map(params![ids.join("\u{1f}"), w.fecha_fin], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?;
        for r in rows {
            cedi_rows.push(r?);
        }
    }
    let inactive: HashSet<String> = {
        let mut stmt = reader.prepare_cached("SELECT codigo FROM productos_v WHERE NOT coalesce(activo, true)")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut classes: HashMap<(String, String), AbcClass> = HashMap::new();
    {
        let mut stmt = reader.prepare_cached(
            "SELECT ubicacion_id, producto_codigo, clase_abc FROM productos_abc_tienda
             WHERE list_contains((SELECT string_split(?, chr(31))), ubicacion_id)",
        )?;
        let mut rows = stmt.query([all_stores.join("\u{1f}")])?;
        while let Some(r) = rows.next()? {
            if let Some(c) = r.get::<_, Option<String>>(2)?.as_deref().and_then(AbcClass::parse) {
                classes.insert((r.get(0)?, r.get(1)?), c);
            }
        }
    }
    let stock_al: Option<NaiveDateTime> = reader.query_row("SELECT max(fecha_snapshot) FROM inventario_cargas", [], |r| r.get(0))?;
    drop(reader);

    let mut regions = Vec::new();
    for region in &tenant.file.regions {
        let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == region.id).collect();
        if stores.is_empty() {
            continue;
        }
        let region_cedis: Vec<&Store> = cedis.iter().copied().filter(|c| c.region == region.id).collect();
        let index: HashMap<&str, usize> = stores.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let cedi_index: HashMap<&str, usize> = region_cedis.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
        let blank = || Acc { cells: vec![Cell::default(); stores.len()], ..Acc::default() };
        for f in facts.iter() {
            let Some(&i) = index.get(f.ubicacion_id.as_str()) else { continue };
            let a = acc.entry(f.producto_codigo.as_str()).or_insert_with(blank);
            if a.descripcion.is_empty() {
                a.descripcion = f.descripcion.clone().unwrap_or_else(|| format!("Producto {}", f.producto_codigo));
                a.familia = f.familia.clone();
            }
            a.cells[i] = Cell { stock: f.stock_unidades, unidades: f.unidades, ventas: f.ventas, costo: f.costo };
        }
        for (cedi, code, desc, familia, _, q, cost) in cedi_rows.iter().filter(|r| r.4) {
            let Some(&i) = cedi_index.get(cedi.as_str()) else { continue };
            let a = acc.entry(code.as_str()).or_insert_with(blank);
            if a.descripcion.is_empty() {
                a.descripcion = desc.clone();
                a.familia = familia.clone();
            }
            a.cedi.push((i, *q, *cost));
        }
        let mut productos = Vec::new();
        let mut cedi = Vec::new();
        let mut huecos = Vec::new();
        for (code, a) in &acc {
            if inactive.contains(*code) {
                continue;
            }
            let stocks: Vec<f64> = a.cells.iter().map(|c| c.stock).collect();
            let stock_tiendas: f64 = stocks.iter().sum();
            let stock_cedi: f64 = a.cedi.iter().map(|c| c.1).sum();
            let unidades: f64 = a.cells.iter().map(|c| c.unidades).sum();
            let ventas: f64 = a.cells.iter().map(|c| c.ventas).sum();
            // The universe: stock anywhere in the region, or sold in its stores in 30 days.
            if stock_tiendas <= 0.0 && stock_cedi <= 0.0 && unidades <= 0.0 {
                continue;
            }
            let cob = coverage(&stocks);
            let selling: Vec<&Cell> = a.cells.iter().filter(|c| c.ventas > 0.0).collect();
            let (sel_ventas, sel_costo) = selling.iter().fold((0.0, 0.0), |t, c| (t.0 + c.ventas, t.1 + c.costo));
            let venta_media = if selling.is_empty() { 0.0 } else { sel_ventas / selling.len() as f64 };
            let margen = if sel_ventas > 0.0 { (sel_ventas - sel_costo) / sel_ventas } else { 0.0 };
            let mut oportunidad = 0.0;
            let mut sin_producto = 0;
            if !selling.is_empty() {
                let row = network.get(*code);
                let gmroi_red = row.map_or(0.0, |r| r.gmroi);
                let familia = row.map_or_else(|| "cedi_seco".to_string(), |r| r.familia.clone());
                let corte = tenant.file.bi.thresholds(&familia).cut_gmroi();
                let clase =
                    predominant_class(&stores.iter().map(|s| classes.get(&(s.id.clone(), code.to_string())).copied()).collect::<Vec<_>>());
                for (i, c) in a.cells.iter().enumerate() {
                    let others = selling.len() - usize::from(c.ventas > 0.0);
                    if !is_gap(c.stock, c.unidades, c.ventas, others) {
                        continue;
                    }
                    let opp = gap_opportunity(venta_media, margen);
                    oportunidad += opp;
                    sin_producto += 1;
                    huecos.push(Gap {
                        ubicacion_id: stores[i].id.clone(),
                        tienda: stores[i].name.clone(),
                        codigo: code.to_string(),
                        descripcion: a.descripcion.clone(),
                        tiendas_con_venta: selling.len(),
                        venta_otras: venta_media,
                        margen_pct: margen * 100.0,
                        oportunidad: opp,
                        clase,
                        gmroi_red,
                        corte_gmroi: corte,
                        prioridad: priority(clase, gmroi_red, corte),
                    });
                }
            }
            for (i, q, cost) in &a.cedi {
                cedi.push(CediStock {
                    cedi_id: region_cedis[*i].id.clone(),
                    cedi_nombre: region_cedis[*i].name.clone(),
                    codigo: code.to_string(),
                    descripcion: a.descripcion.clone(),
                    unidades: *q,
                    valor: cost.map(|c| c * q),
                    stock_tiendas,
                    tiendas_cubiertas: cob.tiendas_cubiertas,
                    ventas_region_30d: ventas,
                    unidades_region_30d: unidades,
                });
            }
            productos.push(ProductInRegion {
                codigo: code.to_string(),
                descripcion: a.descripcion.clone(),
                familia: a.familia.clone(),
                cobertura: cob,
                stock_tiendas,
                stock_cedi,
                ventas_30d: ventas,
                unidades_30d: unidades,
                venta_mensual_por_tienda: venta_media,
                oportunidad,
                tiendas_sin_producto: sin_producto,
            });
        }
        // Catalogue per store: active SKUs = with stock or sold in the window (as the fill rate).
        let mut catalogo: Vec<StoreCatalogue> = stores
            .iter()
            .map(|s| StoreCatalogue {
                ubicacion_id: s.id.clone(),
                nombre: s.name.clone(),
                skus_activos: 0,
                skus_con_stock: 0,
                huecos: 0,
                oportunidad: 0.0,
            })
            .collect();
        for a in acc.values() {
            for (i, c) in a.cells.iter().enumerate() {
                catalogo[i].skus_activos += usize::from(c.stock > 0.0 || c.unidades > 0.0);
                catalogo[i].skus_con_stock += usize::from(c.stock > 0.0);
            }
        }
        for g in &huecos {
            if let Some(&i) = index.get(g.ubicacion_id.as_str()) {
                catalogo[i].huecos += 1;
                catalogo[i].oportunidad += g.oportunidad;
            }
        }
        regions.push(RegionCoverage { region: region.id.clone(), tiendas: stores.len(), productos, cedi, huecos, catalogo });
    }
    Ok(CoverageData { ventana: w, datos_al, stock_al, regions })
}

fn data(tenant: &Tenant, wh: &Warehouse) -> Result<Arc<CoverageData>, BiError> {
    let w = Window::ending(tenant.today() - chrono::Duration::days(1));
    KEPT.get_or_compute(wh, (wh.path().to_path_buf(), w.fecha_fin), || compute(tenant, wh))
}

/// Computes the coverage of the default window ahead of the first request (after a load).
pub fn warm(tenant: &Tenant, wh: &Warehouse) -> Result<(), BiError> {
    data(tenant, wh).map(|_| ())
}

/// The regions asked for: one (validated: it must have active stores) or all.
fn selected<'d>(tenant: &Tenant, d: &'d CoverageData, region: Option<&str>) -> Result<Vec<&'d RegionCoverage>, BiError> {
    if let Some(r) = region {
        active_stores(tenant, Some(r))?;
    }
    Ok(d.regions.iter().filter(|x| region.is_none_or(|r| x.region == r)).collect())
}

fn check_limit(limite: usize, max: usize) -> Result<(), BiError> {
    match (1..=max).contains(&limite) {
        true => Ok(()),
        false => Err(BiError::Invalid { field: "limite", message: format!("limite debe estar entre 1 y {max}") }),
    }
}

fn check_threshold(umbral: f64) -> Result<(), BiError> {
    match umbral.is_finite() && umbral > 0.0 && umbral <= 1_000_000.0 {
        true => Ok(()),
        false => Err(BiError::Invalid { field: "umbral", message: "umbral debe ser un número de unidades mayor que 0".into() }),
    }
}

/// Output rounding; an empty sum (−0.0) reads 0.
fn r2(v: f64) -> f64 {
    round_half_away(v, 2) + 0.0
}

fn r1(v: f64) -> f64 {
    round_half_away(v, 1) + 0.0
}

/// What every coverage answer carries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scope {
    #[serde(flatten)]
    pub ventana: Window,
    pub region: Option<String>,
    /// Last day with sales of the network.
    pub datos_al: Option<NaiveDate>,
    /// Newest stock load of the warehouse.
    pub stock_al: Option<NaiveDateTime>,
    /// Units above which a store covers a product.
    pub umbral_cobertura: f64,
}

fn scope(d: &CoverageData, region: Option<&str>) -> Scope {
    Scope {
        ventana: d.ventana,
        region: region.map(str::to_string),
        datos_al: d.datos_al,
        stock_al: d.stock_al,
        umbral_cobertura: COVERED_UNITS,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionSummary {
    pub region: String,
    pub tiendas: usize,
    /// Products of the region's universe.
    pub total_skus: usize,
    /// Mean coverage of those products, 1 dp.
    pub cobertura_promedio: f64,
    pub alta: usize,
    pub media: usize,
    pub baja: usize,
    /// Value at cost of the CEDI stock trapped at the threshold asked for.
    pub stock_atrapado_cedi: f64,
    pub productos_atrapados: usize,
    /// Σ of the store gaps' opportunities (USD a month).
    pub oportunidad_estimada: f64,
    pub huecos: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageSummary {
    #[serde(flatten)]
    pub alcance: Scope,
    pub umbral_cedi: f64,
    /// The regions asked for together (with `Todas`: every product × region pair).
    #[serde(flatten)]
    pub total: RegionSummary,
    pub regiones: Vec<RegionSummary>,
}

fn summarise(name: &str, regions: &[&RegionCoverage], umbral: f64) -> RegionSummary {
    let productos: Vec<&ProductInRegion> = regions.iter().flat_map(|r| &r.productos).collect();
    let count = |l: Level| productos.iter().filter(|p| level(p.cobertura.cobertura_pct) == l).count();
    let trapped: Vec<&CediStock> =
        regions.iter().flat_map(|r| &r.cedi).filter(|c| is_trapped(c.unidades, c.stock_tiendas, umbral)).collect();
    let mean =
        if productos.is_empty() { 0.0 } else { productos.iter().map(|p| p.cobertura.cobertura_pct).sum::<f64>() / productos.len() as f64 };
    RegionSummary {
        region: name.to_string(),
        tiendas: regions.iter().map(|r| r.tiendas).sum(),
        total_skus: productos.len(),
        cobertura_promedio: r1(mean),
        alta: count(Level::Alta),
        media: count(Level::Media),
        baja: count(Level::Baja),
        stock_atrapado_cedi: r2(trapped.iter().filter_map(|c| c.valor).sum()),
        productos_atrapados: trapped.len(),
        oportunidad_estimada: r2(regions.iter().flat_map(|r| &r.huecos).map(|g| g.oportunidad).sum()),
        huecos: regions.iter().map(|r| r.huecos.len()).sum(),
    }
}

/// `GET /api/bi/coverage/summary`: totals of the scope and of each of its regions.
pub fn summary(tenant: &Tenant, wh: &Warehouse, region: Option<&str>, umbral: Option<f64>) -> Result<CoverageSummary, BiError> {
    let umbral = umbral.unwrap_or(TRAPPED_STORE_UNITS);
    check_threshold(umbral)?;
    let d = data(tenant, wh)?;
    let regions = selected(tenant, &d, region)?;
    Ok(CoverageSummary {
        alcance: scope(&d, region),
        umbral_cedi: umbral,
        total: summarise(region.unwrap_or("Todas"), &regions, umbral),
        regiones: regions.iter().map(|r| summarise(&r.region, std::slice::from_ref(r), umbral)).collect(),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LowCoverageRow {
    pub producto_codigo: String,
    pub descripcion: String,
    pub familia: Option<String>,
    pub region: String,
    pub tiendas_region: usize,
    pub tiendas_cubiertas: usize,
    pub tiendas_con_stock: usize,
    pub tiendas_stock_bajo: usize,
    /// 1 dp.
    pub cobertura_pct: f64,
    pub cobertura_parcial_pct: f64,
    pub stock_tiendas: f64,
    pub stock_cedi: f64,
    pub ventas_30d: f64,
    pub unidades_30d: f64,
    /// Mean 30-day sales (USD) of the region's stores that sold it.
    pub venta_mensual_por_tienda: f64,
    /// Σ of its store gaps' opportunities in the region.
    pub oportunidad: f64,
    pub tiendas_sin_producto: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LowCoverage {
    #[serde(flatten)]
    pub alcance: Scope,
    /// Rows matching (before the limit).
    pub total: usize,
    pub productos: Vec<LowCoverageRow>,
}

/// `GET /api/bi/coverage/low-coverage-products`: 0 < coverage < 50, lowest first (ties: most
/// sales per store first).
pub fn low_coverage(tenant: &Tenant, wh: &Warehouse, region: Option<&str>, limite: usize) -> Result<LowCoverage, BiError> {
    check_limit(limite, MAX_LIMIT)?;
    let d = data(tenant, wh)?;
    let regions = selected(tenant, &d, region)?;
    let mut rows: Vec<(&str, &ProductInRegion)> = regions
        .iter()
        .flat_map(|r| r.productos.iter().map(move |p| (r.region.as_str(), p)))
        .filter(|(_, p)| is_low_coverage(p.cobertura.cobertura_pct))
        .collect();
    rows.sort_by(|a, b| {
        a.1.cobertura
            .cobertura_pct
            .total_cmp(&b.1.cobertura.cobertura_pct)
            .then_with(|| b.1.venta_mensual_por_tienda.total_cmp(&a.1.venta_mensual_por_tienda))
            .then_with(|| a.1.codigo.cmp(&b.1.codigo))
            .then_with(|| a.0.cmp(b.0))
    });
    Ok(LowCoverage {
        alcance: scope(&d, region),
        total: rows.len(),
        productos: rows
            .into_iter()
            .take(limite)
            .map(|(r, p)| LowCoverageRow {
                producto_codigo: p.codigo.clone(),
                descripcion: p.descripcion.clone(),
                familia: p.familia.clone(),
                region: r.to_string(),
                tiendas_region: p.cobertura.tiendas_region,
                tiendas_cubiertas: p.cobertura.tiendas_cubiertas,
                tiendas_con_stock: p.cobertura.tiendas_con_stock,
                tiendas_stock_bajo: p.cobertura.tiendas_stock_bajo,
                cobertura_pct: r1(p.cobertura.cobertura_pct),
                cobertura_parcial_pct: r1(p.cobertura.cobertura_parcial_pct),
                stock_tiendas: r2(p.stock_tiendas),
                stock_cedi: r2(p.stock_cedi),
                ventas_30d: r2(p.ventas_30d),
                unidades_30d: r2(p.unidades_30d),
                venta_mensual_por_tienda: r2(p.venta_mensual_por_tienda),
                oportunidad: r2(p.oportunidad),
                tiendas_sin_producto: p.tiendas_sin_producto,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrappedRow {
    pub cedi_id: String,
    pub cedi_nombre: String,
    pub region: String,
    pub producto_codigo: String,
    pub descripcion: String,
    pub stock_cedi: f64,
    /// At cost; null without a unit cost.
    pub valor_cedi: Option<f64>,
    pub stock_tiendas_region: f64,
    /// Stores of the region with more than 20 units.
    pub tiendas_con_stock_suficiente: usize,
    pub ventas_region_30d: f64,
    pub unidades_region_30d: f64,
    /// Units ÷ the region's units a day (1 dp); 999 without sales.
    pub dias_stock: f64,
    pub semaforo: Light,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trapped {
    #[serde(flatten)]
    pub alcance: Scope,
    /// Region store stock below which the CEDI's stock is trapped.
    pub umbral: f64,
    pub total: usize,
    pub valor_total: f64,
    /// Trapped products without a unit cost (not in `valor_total`).
    pub sin_costo: usize,
    pub productos: Vec<TrappedRow>,
}

/// `GET /api/bi/coverage/trapped-in-cedi?umbral=20`: CEDI stock while the region's stores hold
/// less than `umbral` units together; most valuable first.
pub fn trapped(tenant: &Tenant, wh: &Warehouse, region: Option<&str>, umbral: Option<f64>, limite: usize) -> Result<Trapped, BiError> {
    let umbral = umbral.unwrap_or(TRAPPED_STORE_UNITS);
    check_threshold(umbral)?;
    check_limit(limite, MAX_LIMIT)?;
    let d = data(tenant, wh)?;
    let regions = selected(tenant, &d, region)?;
    let mut rows: Vec<(&str, &CediStock)> = regions
        .iter()
        .flat_map(|r| r.cedi.iter().map(move |c| (r.region.as_str(), c)))
        .filter(|(_, c)| is_trapped(c.unidades, c.stock_tiendas, umbral))
        .collect();
    rows.sort_by(|a, b| {
        b.1.valor
            .unwrap_or(0.0)
            .total_cmp(&a.1.valor.unwrap_or(0.0))
            .then_with(|| b.1.unidades.total_cmp(&a.1.unidades))
            .then_with(|| a.1.codigo.cmp(&b.1.codigo))
            .then_with(|| a.1.cedi_id.cmp(&b.1.cedi_id))
    });
    let valor_total = r2(rows.iter().filter_map(|(_, c)| c.valor).sum());
    let sin_costo = rows.iter().filter(|(_, c)| c.valor.is_none()).count();
    Ok(Trapped {
        alcance: scope(&d, region),
        umbral,
        total: rows.len(),
        valor_total,
        sin_costo,
        productos: rows
            .into_iter()
            .take(limite)
            .map(|(r, c)| {
                let dias = stock_days(c.unidades, c.unidades_region_30d);
                TrappedRow {
                    cedi_id: c.cedi_id.clone(),
                    cedi_nombre: c.cedi_nombre.clone(),
                    region: r.to_string(),
                    producto_codigo: c.codigo.clone(),
                    descripcion: c.descripcion.clone(),
                    stock_cedi: r2(c.unidades),
                    valor_cedi: c.valor.map(r2),
                    stock_tiendas_region: r2(c.stock_tiendas),
                    tiendas_con_stock_suficiente: c.tiendas_cubiertas,
                    ventas_region_30d: r2(c.ventas_region_30d),
                    unidades_region_30d: r2(c.unidades_region_30d),
                    dias_stock: r1(dias),
                    semaforo: light(dias),
                }
            })
            .collect(),
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GapRow {
    pub ubicacion_id: String,
    pub tienda: String,
    pub region: String,
    pub producto_codigo: String,
    pub descripcion: String,
    /// Stores of the region that sold it in the window.
    pub tiendas_con_venta: usize,
    /// Mean monthly sales (USD) where it sells.
    pub venta_otras: f64,
    /// Revenue-weighted margin where it sells, %.
    pub margen_pct: f64,
    /// `venta_otras × 0.5 × margen` (USD a month).
    pub oportunidad: f64,
    pub clase_predominante: Option<AbcClass>,
    pub gmroi_red: f64,
    pub corte_gmroi: f64,
    pub prioridad: Priority,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogueRow {
    pub ubicacion_id: String,
    pub nombre: String,
    pub region: String,
    /// SKUs with stock or sold in the window.
    pub skus_activos: usize,
    pub skus_con_stock: usize,
    /// The region's mean active SKUs per store, 1 dp.
    pub promedio_region: f64,
    /// Mean − the store's (positive: the store carries fewer), 1 dp.
    pub gap_skus: f64,
    pub huecos: usize,
    pub oportunidad: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoreGaps {
    #[serde(flatten)]
    pub alcance: Scope,
    pub total: usize,
    pub oportunidad_total: f64,
    /// ALTA first, then the largest opportunity.
    pub oportunidades: Vec<GapRow>,
    /// *Catálogo por tienda*: largest gap first.
    pub catalogo: Vec<CatalogueRow>,
}

/// `GET /api/bi/coverage/store-gaps`: each store's missing products that sell in its region,
/// and each store's catalogue against its region's mean.
pub fn store_gaps(
    tenant: &Tenant,
    wh: &Warehouse,
    region: Option<&str>,
    ubicacion_id: Option<&str>,
    limite: usize,
) -> Result<StoreGaps, BiError> {
    check_limit(limite, MAX_LIMIT)?;
    let d = data(tenant, wh)?;
    let regions = selected(tenant, &d, region)?;
    if let Some(id) = ubicacion_id {
        if !regions.iter().any(|r| r.catalogo.iter().any(|c| c.ubicacion_id == id)) {
            return Err(BiError::NotFound(format!("Tienda «{id}» no encontrada en el alcance")));
        }
    }
    let mut rows: Vec<(&str, &Gap)> = regions
        .iter()
        .flat_map(|r| r.huecos.iter().map(move |g| (r.region.as_str(), g)))
        .filter(|(_, g)| ubicacion_id.is_none_or(|id| g.ubicacion_id == id))
        .collect();
    rows.sort_by(|a, b| {
        a.1.prioridad
            .cmp(&b.1.prioridad)
            .then_with(|| b.1.oportunidad.total_cmp(&a.1.oportunidad))
            .then_with(|| a.1.codigo.cmp(&b.1.codigo))
            .then_with(|| a.1.ubicacion_id.cmp(&b.1.ubicacion_id))
    });
    let oportunidad_total = r2(rows.iter().map(|(_, g)| g.oportunidad).sum());
    let mut catalogo: Vec<CatalogueRow> = regions
        .iter()
        .flat_map(|r| {
            let active: Vec<usize> = r.catalogo.iter().map(|c| c.skus_activos).collect();
            let mean = active.iter().sum::<usize>() as f64 / active.len().max(1) as f64;
            r.catalogo.iter().map(move |c| CatalogueRow {
                ubicacion_id: c.ubicacion_id.clone(),
                nombre: c.nombre.clone(),
                region: r.region.clone(),
                skus_activos: c.skus_activos,
                skus_con_stock: c.skus_con_stock,
                promedio_region: r1(mean),
                gap_skus: r1(gap_skus(c.skus_activos, &active)),
                huecos: c.huecos,
                oportunidad: r2(c.oportunidad),
            })
        })
        .filter(|c| ubicacion_id.is_none_or(|id| c.ubicacion_id == id))
        .collect();
    catalogo.sort_by(|a, b| b.gap_skus.total_cmp(&a.gap_skus).then_with(|| a.nombre.cmp(&b.nombre)));
    Ok(StoreGaps {
        alcance: scope(&d, region),
        total: rows.len(),
        oportunidad_total,
        oportunidades: rows
            .into_iter()
            .take(limite)
            .map(|(r, g)| GapRow {
                ubicacion_id: g.ubicacion_id.clone(),
                tienda: g.tienda.clone(),
                region: r.to_string(),
                producto_codigo: g.codigo.clone(),
                descripcion: g.descripcion.clone(),
                tiendas_con_venta: g.tiendas_con_venta,
                venta_otras: r2(g.venta_otras),
                margen_pct: r2(g.margen_pct),
                oportunidad: r2(g.oportunidad),
                clase_predominante: g.clase,
                gmroi_red: r2(g.gmroi_red),
                corte_gmroi: g.corte_gmroi,
                prioridad: g.prioridad,
            })
            .collect(),
        catalogo,
    })
}
