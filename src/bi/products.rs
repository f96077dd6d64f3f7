//! Product profitability in BI (spec 40 §3.4, §3.6): *Por Producto* — the GMROI × rotation
//! matrix with the tenant's per-family thresholds, its stars and removal candidates — and
//! *Rentabilidad* — storage families and top products. Inputs per product × store over the
//! 30 days ending `fin` (`warehouse::bi_inventory`), kept in memory until the warehouse's
//! next write; the rules are in `domain::bi_products`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::stores::active_stores;
use super::BiError;
use crate::config::Tenant;
use crate::domain::bi_products::{family_of, gmroi, quadrant, rotation, Quadrant, Thresholds};
use crate::domain::bi_stores::margin_pct;
use crate::domain::sales::round_half_away;
use crate::warehouse::bi_inventory::{product_store_facts, ProductStoreFacts};
use crate::warehouse::kept::Kept;
use crate::warehouse::sales_summary as ws;
use crate::warehouse::Warehouse;

/// W of §3.4 and §3.6.
pub const WINDOW_DAYS: i64 = 30;

type FactsKey = (PathBuf, NaiveDate, NaiveDate);

/// A window, its facts and the `datos_al` of the network.
pub type WindowFacts = (Window, Arc<Vec<ProductStoreFacts>>, Option<NaiveDate>);

/// The window's facts of every active store, per warehouse file and window (≈ 150 k rows a
/// window at client scale, so only the last two windows asked for are kept).
static KEPT: LazyLock<Kept<FactsKey, Vec<ProductStoreFacts>>> = LazyLock::new(|| Kept::new(2));

fn facts(tenant: &Tenant, wh: &Warehouse, from: NaiveDate, to: NaiveDate) -> Result<Arc<Vec<ProductStoreFacts>>, BiError> {
    let ids: Vec<String> = active_stores(tenant, None)?.iter().map(|s| s.id.clone()).collect();
    KEPT.get_or_compute(wh, (wh.path().to_path_buf(), from, to), || -> Result<_, BiError> {
        let reader = wh.reader()?;
        Ok(product_store_facts(&reader, &ids, from, to)?)
    })
}

/// A product's sums over the stores of the scope.
#[derive(Debug, Clone, Default)]
struct Sums {
    descripcion: String,
    familia: String,
    ventas: f64,
    costo: f64,
    unidades: f64,
    /// Average stock at cost of the rows with a unit cost.
    inv_prom: f64,
    stock_valorizado: f64,
    con_costo: bool,
    stock_unidades: f64,
}

/// Per product over `rows`: valued with each row's unit cost (rows without one are not valued).
fn by_product<'a>(tenant: &Tenant, rows: impl Iterator<Item = &'a ProductStoreFacts>) -> BTreeMap<String, Sums> {
    let known = tenant.file.bi.families();
    let mut out: BTreeMap<String, Sums> = BTreeMap::new();
    for r in rows {
        let s = out.entry(r.producto_codigo.clone()).or_insert_with(|| Sums {
            descripcion: r.descripcion.clone().unwrap_or_default(),
            familia: family_of(r.familia.as_deref(), &known).to_string(),
            ..Sums::default()
        });
        s.ventas += r.ventas;
        s.costo += r.costo;
        s.unidades += r.unidades;
        s.stock_unidades += r.stock_unidades;
        if let Some(c) = r.costo_unitario {
            s.con_costo = true;
            s.inv_prom += r.stock_prom_unidades.unwrap_or(r.stock_unidades) * c;
            s.stock_valorizado += r.stock_unidades * c;
        }
    }
    out
}

/// Per product over `facts` (every active store's, network-wide): sales, GMROI, rotation and
/// family as *Por Producto* computes them (unrounded). Coverage's priorities read the GMROI.
pub fn network_products(tenant: &Tenant, facts: &[ProductStoreFacts], w: &Window) -> BTreeMap<String, ProductRow> {
    by_product(tenant, facts.iter())
        .iter()
        .map(|(code, s)| (code.clone(), ProductRow::of(code, s, w, &tenant.file.bi.thresholds(&s.familia))))
        .collect()
}

/// The window: the 30 days ending `fin`.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Window {
    pub fecha_inicio: NaiveDate,
    pub fecha_fin: NaiveDate,
    pub dias: i64,
}

impl Window {
    pub fn ending(fin: NaiveDate) -> Window {
        Window { fecha_inicio: fin - Duration::days(WINDOW_DAYS - 1), fecha_fin: fin, dias: WINDOW_DAYS }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductRow {
    pub producto_codigo: String,
    pub descripcion: String,
    pub familia: String,
    pub ventas_30d: f64,
    pub costo_30d: f64,
    pub margen_bruto_30d: f64,
    pub margen_pct: f64,
    pub unidades_30d: f64,
    pub inv_prom: f64,
    pub stock_valorizado: f64,
    pub gmroi: f64,
    pub rotacion_anual: f64,
    pub velocidad_diaria: f64,
    pub cuadrante: Quadrant,
}

impl ProductRow {
    fn of(code: &str, s: &Sums, w: &Window, t: &Thresholds) -> ProductRow {
        let utilidad = s.ventas - s.costo;
        let g = gmroi(utilidad, w.dias, s.inv_prom);
        let r = rotation(s.costo, w.dias, s.inv_prom);
        ProductRow {
            producto_codigo: code.to_string(),
            descripcion: s.descripcion.clone(),
            familia: s.familia.clone(),
            ventas_30d: s.ventas,
            costo_30d: s.costo,
            margen_bruto_30d: utilidad,
            margen_pct: margin_pct(s.ventas, s.costo),
            unidades_30d: s.unidades,
            inv_prom: s.inv_prom,
            stock_valorizado: s.stock_valorizado,
            gmroi: g,
            rotacion_anual: r,
            velocidad_diaria: s.unidades / w.dias as f64,
            cuadrante: quadrant(g, r, t),
        }
    }

    /// Money and percentages 2 dp, ratios 2 dp (§1.7).
    fn rounded(mut self) -> ProductRow {
        for v in [
            &mut self.ventas_30d,
            &mut self.costo_30d,
            &mut self.margen_bruto_30d,
            &mut self.margen_pct,
            &mut self.unidades_30d,
            &mut self.inv_prom,
            &mut self.stock_valorizado,
            &mut self.gmroi,
            &mut self.rotacion_anual,
            &mut self.velocidad_diaria,
        ] {
            *v = round_half_away(*v, 2);
        }
        self
    }
}

/// A family's thresholds and cuts as the screen shows them.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyCuts {
    pub familia: String,
    #[serde(flatten)]
    pub umbrales: Thresholds,
    pub corte_gmroi: f64,
    pub corte_rotacion: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuadrantCount {
    pub cuadrante: Quadrant,
    pub productos: usize,
    pub ventas_30d: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    #[serde(flatten)]
    pub ventana: Window,
    pub ubicacion_id: Option<String>,
    pub familia: Option<String>,
    pub cuadrante: Option<Quadrant>,
    pub umbrales: Vec<FamilyCuts>,
    /// The four quadrants (family and store filters applied, not the quadrant's).
    pub cuadrantes: Vec<QuadrantCount>,
    /// Products with sales and a unit cost in the scope.
    pub total_productos: usize,
    /// Products with sales but no unit cost anywhere (not valued, not in the matrix).
    pub sin_costo: usize,
    /// By sales, highest first, at most `limite`.
    pub productos: Vec<ProductRow>,
    pub datos_al: Option<NaiveDate>,
}

/// What the matrix is asked for.
#[derive(Debug, Clone, Default)]
pub struct MatrixQuery {
    pub fin: Option<NaiveDate>,
    pub ubicacion_id: Option<String>,
    pub familia: Option<String>,
    pub cuadrante: Option<Quadrant>,
    pub limite: usize,
}

/// The matrix rows of the scope (unrounded, sales > 0, valued), and the count without cost.
fn matrix_rows(
    tenant: &Tenant,
    wh: &Warehouse,
    w: &Window,
    store: Option<&str>,
    familia: Option<&str>,
) -> Result<(Vec<ProductRow>, usize), BiError> {
    if let Some(f) = familia {
        if !tenant.file.bi.families().contains(&f) {
            return Err(BiError::Invalid {
                field: "familia",
                message: format!("Familia «{f}» desconocida (cedi_seco, cedi_frio o cedi_verde)"),
            });
        }
    }
    if let Some(id) = store {
        if !active_stores(tenant, None)?.iter().any(|s| s.id == id) {
            return Err(BiError::NotFound(format!("Tienda «{id}» no encontrada")));
        }
    }
    let all = facts(tenant, wh, w.fecha_inicio, w.fecha_fin)?;
    let sums = by_product(tenant, all.iter().filter(|r| store.is_none_or(|s| r.ubicacion_id == s)));
    let mut sin_costo = 0;
    let mut rows = Vec::new();
    for (code, s) in &sums {
        if s.ventas <= 0.0 || familia.is_some_and(|f| s.familia != f) {
            continue;
        }
        if !s.con_costo {
            sin_costo += 1;
            continue;
        }
        rows.push(ProductRow::of(code, s, w, &tenant.file.bi.thresholds(&s.familia)));
    }
    rows.sort_by(|a, b| b.ventas_30d.total_cmp(&a.ventas_30d).then_with(|| a.producto_codigo.cmp(&b.producto_codigo)));
    Ok((rows, sin_costo))
}

/// The window ending `fin` (default yesterday), its facts for every active store and `datos_al`.
pub fn store_facts(tenant: &Tenant, wh: &Warehouse, fin: Option<NaiveDate>) -> Result<WindowFacts, BiError> {
    let w = Window::ending(fin.unwrap_or_else(|| yesterday(tenant)));
    let all = facts(tenant, wh, w.fecha_inicio, w.fecha_fin)?;
    Ok((w, all, datos_al(tenant, wh)?))
}

/// Computes the default window's facts (ending yesterday) ahead of the first request, as
/// `serve`'s warmer does after each load: at client scale they take ≈ 0.9 s to read, the
/// screens answer in ≈ 35 ms from them.
pub fn warm(tenant: &Tenant, wh: &Warehouse) -> Result<(), BiError> {
    let w = Window::ending(yesterday(tenant));
    facts(tenant, wh, w.fecha_inicio, w.fecha_fin).map(|_| ())
}

/// Whether [`warm`]'s facts are kept for the current data.
pub fn is_warm(tenant: &Tenant, wh: &Warehouse) -> bool {
    let w = Window::ending(yesterday(tenant));
    KEPT.is_current(wh, &(wh.path().to_path_buf(), w.fecha_inicio, w.fecha_fin))
}

fn yesterday(tenant: &Tenant) -> NaiveDate {
    tenant.today() - Duration::days(1)
}

fn datos_al(tenant: &Tenant, wh: &Warehouse) -> Result<Option<NaiveDate>, BiError> {
    let ids: Vec<String> = active_stores(tenant, None)?.iter().map(|s| s.id.clone()).collect();
    let reader = wh.reader()?;
    Ok(ws::last_sale_day(&reader, &ids)?)
}

/// *Por Producto* (§3.4): the quadrants, the cuts and the products of the scope.
pub fn matrix(tenant: &Tenant, wh: &Warehouse, q: &MatrixQuery) -> Result<Matrix, BiError> {
    if !(1..=2000).contains(&q.limite) {
        return Err(BiError::Invalid { field: "limite", message: "limite debe estar entre 1 y 2000".into() });
    }
    let w = Window::ending(q.fin.unwrap_or_else(|| yesterday(tenant)));
    let (rows, sin_costo) = matrix_rows(tenant, wh, &w, q.ubicacion_id.as_deref(), q.familia.as_deref())?;
    let cuadrantes = Quadrant::ALL
        .iter()
        .map(|c| {
            let of: Vec<&ProductRow> = rows.iter().filter(|r| r.cuadrante == *c).collect();
            QuadrantCount { cuadrante: *c, productos: of.len(), ventas_30d: round_half_away(of.iter().map(|r| r.ventas_30d).sum(), 2) }
        })
        .collect();
    let umbrales = tenant
        .file
        .bi
        .families()
        .into_iter()
        .map(|f| {
            let t = tenant.file.bi.thresholds(f);
            FamilyCuts { familia: f.to_string(), umbrales: t, corte_gmroi: t.cut_gmroi(), corte_rotacion: t.cut_rotation() }
        })
        .collect();
    let total_productos = rows.len();
    let productos =
        rows.into_iter().filter(|r| q.cuadrante.is_none_or(|c| r.cuadrante == c)).take(q.limite).map(ProductRow::rounded).collect();
    Ok(Matrix {
        ventana: w,
        ubicacion_id: q.ubicacion_id.clone(),
        familia: q.familia.clone(),
        cuadrante: q.cuadrante,
        umbrales,
        cuadrantes,
        total_productos,
        sin_costo,
        productos,
        datos_al: datos_al(tenant, wh)?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductList {
    #[serde(flatten)]
    pub ventana: Window,
    pub ubicacion_id: Option<String>,
    pub productos: Vec<ProductRow>,
    pub datos_al: Option<NaiveDate>,
}

/// *Productos Estrella*: the ESTRELLA quadrant by GMROI × rotation, highest first.
pub fn stars(tenant: &Tenant, wh: &Warehouse, fin: Option<NaiveDate>, store: Option<&str>, limite: usize) -> Result<ProductList, BiError> {
    list(tenant, wh, fin, store, limite, |rows| {
        rows.retain(|r| r.cuadrante == Quadrant::Estrella);
        rows.sort_by(|a, b| (b.gmroi * b.rotacion_anual).total_cmp(&(a.gmroi * a.rotacion_anual)));
    })
}

/// *Candidatos a Eliminar*: the PERRO quadrant with stock, by stock value, highest first.
/// Active traffic generators are never candidates (spec 40 §5.3): they sell little by design.
pub fn removal_candidates(
    tenant: &Tenant,
    wh: &Warehouse,
    fin: Option<NaiveDate>,
    store: Option<&str>,
    limite: usize,
) -> Result<ProductList, BiError> {
    let generators = crate::warehouse::traffic_generators::active_codes(&*wh.reader()?)?;
    list(tenant, wh, fin, store, limite, |rows| {
        rows.retain(|r| r.cuadrante == Quadrant::Perro && r.stock_valorizado > 0.0 && !generators.contains(&r.producto_codigo));
        rows.sort_by(|a, b| b.stock_valorizado.total_cmp(&a.stock_valorizado));
    })
}

fn list(
    tenant: &Tenant,
    wh: &Warehouse,
    fin: Option<NaiveDate>,
    store: Option<&str>,
    limite: usize,
    pick: impl FnOnce(&mut Vec<ProductRow>),
) -> Result<ProductList, BiError> {
    if !(1..=100).contains(&limite) {
        return Err(BiError::Invalid { field: "limite", message: "limite debe estar entre 1 y 100".into() });
    }
    let w = Window::ending(fin.unwrap_or_else(|| yesterday(tenant)));
    let (mut rows, _) = matrix_rows(tenant, wh, &w, store, None)?;
    pick(&mut rows);
    Ok(ProductList {
        ventana: w,
        ubicacion_id: store.map(str::to_string),
        productos: rows.into_iter().take(limite).map(ProductRow::rounded).collect(),
        datos_al: datos_al(tenant, wh)?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyProfit {
    pub familia: String,
    pub ventas_30d: f64,
    pub margen_bruto_30d: f64,
    pub margen_pct: f64,
    pub stock_valorizado: f64,
    pub inv_prom: f64,
    pub gmroi: f64,
    pub rotacion_anual: f64,
    pub productos_vendidos: usize,
    pub skus_con_stock: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfitSummary {
    pub ventas_30d: f64,
    pub margen_bruto_30d: f64,
    pub margen_pct: f64,
    /// Σutilidad annualised / Σinv_prom.
    pub gmroi: f64,
    pub rotacion_anual: f64,
    pub stock_valorizado: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profitability {
    #[serde(flatten)]
    pub ventana: Window,
    pub region: Option<String>,
    pub familias: Vec<FamilyProfit>,
    pub resumen: ProfitSummary,
    pub datos_al: Option<NaiveDate>,
}

#[derive(Default)]
struct FamilySums {
    ventas: f64,
    costo: f64,
    inv: f64,
    stock: f64,
    vendidos: usize,
    con_stock: usize,
}

/// *Rentabilidad* by storage family (§3.6): ratios from the family's totals.
pub fn profitability(tenant: &Tenant, wh: &Warehouse, fin: Option<NaiveDate>, region: Option<&str>) -> Result<Profitability, BiError> {
    let stores: Vec<String> = active_stores(tenant, region)?.iter().map(|s| s.id.clone()).collect();
    let w = Window::ending(fin.unwrap_or_else(|| yesterday(tenant)));
    let all = facts(tenant, wh, w.fecha_inicio, w.fecha_fin)?;
    let sums = by_product(tenant, all.iter().filter(|r| stores.contains(&r.ubicacion_id)));
    let mut families: BTreeMap<String, FamilySums> = BTreeMap::new();
    for s in sums.values() {
        let f = families.entry(s.familia.clone()).or_default();
        f.ventas += s.ventas;
        f.costo += s.costo;
        f.inv += s.inv_prom;
        f.stock += s.stock_valorizado;
        f.vendidos += usize::from(s.ventas > 0.0);
        f.con_stock += usize::from(s.stock_unidades > 0.0);
    }
    let r2 = |v: f64| round_half_away(v, 2);
    let mut familias: Vec<FamilyProfit> = families
        .iter()
        .map(|(name, f)| FamilyProfit {
            familia: name.clone(),
            ventas_30d: r2(f.ventas),
            margen_bruto_30d: r2(f.ventas - f.costo),
            margen_pct: r2(margin_pct(f.ventas, f.costo)),
            stock_valorizado: r2(f.stock),
            inv_prom: r2(f.inv),
            gmroi: r2(gmroi(f.ventas - f.costo, w.dias, f.inv)),
            rotacion_anual: r2(rotation(f.costo, w.dias, f.inv)),
            productos_vendidos: f.vendidos,
            skus_con_stock: f.con_stock,
        })
        .collect();
    familias.sort_by(|a, b| b.ventas_30d.total_cmp(&a.ventas_30d));
    let (v, c, inv, st) =
        families.values().fold((0.0, 0.0, 0.0, 0.0), |acc, f| (acc.0 + f.ventas, acc.1 + f.costo, acc.2 + f.inv, acc.3 + f.stock));
    Ok(Profitability {
        ventana: w,
        region: region.map(str::to_string),
        familias,
        resumen: ProfitSummary {
            ventas_30d: r2(v),
            margen_bruto_30d: r2(v - c),
            margen_pct: r2(margin_pct(v, c)),
            gmroi: r2(gmroi(v - c, w.dias, inv)),
            rotacion_anual: r2(rotation(c, w.dias, inv)),
            stock_valorizado: r2(st),
        },
        datos_al: datos_al(tenant, wh)?,
    })
}

/// How the top products are ordered (§3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopOrder {
    UtilidadTotal,
    MargenPct,
    Gmroi,
}

impl TopOrder {
    pub fn parse(s: &str) -> Option<TopOrder> {
        match s {
            "utilidad_total" => Some(TopOrder::UtilidadTotal),
            "margen_pct" => Some(TopOrder::MargenPct),
            "gmroi" => Some(TopOrder::Gmroi),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TopProducts {
    #[serde(flatten)]
    pub ventana: Window,
    pub region: Option<String>,
    pub orden: TopOrder,
    pub productos: Vec<ProductRow>,
    pub datos_al: Option<NaiveDate>,
}

/// *Rentabilidad* top products (§3.6): network-wide (or one region's) per product with sales.
pub fn top_products(
    tenant: &Tenant,
    wh: &Warehouse,
    fin: Option<NaiveDate>,
    region: Option<&str>,
    orden: TopOrder,
    limite: usize,
) -> Result<TopProducts, BiError> {
    if !(1..=100).contains(&limite) {
        return Err(BiError::Invalid { field: "limite", message: "limite debe estar entre 1 y 100".into() });
    }
    let stores: Vec<String> = active_stores(tenant, region)?.iter().map(|s| s.id.clone()).collect();
    let w = Window::ending(fin.unwrap_or_else(|| yesterday(tenant)));
    let all = facts(tenant, wh, w.fecha_inicio, w.fecha_fin)?;
    let sums = by_product(tenant, all.iter().filter(|r| stores.contains(&r.ubicacion_id)));
    let mut rows: Vec<ProductRow> = sums
        .iter()
        .filter(|(_, s)| s.ventas > 0.0)
        .map(|(code, s)| ProductRow::of(code, s, &w, &tenant.file.bi.thresholds(&s.familia)))
        .collect();
    let key = |r: &ProductRow| match orden {
        TopOrder::UtilidadTotal => r.margen_bruto_30d,
        TopOrder::MargenPct => r.margen_pct,
        TopOrder::Gmroi => r.gmroi,
    };
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)).then_with(|| a.producto_codigo.cmp(&b.producto_codigo)));
    Ok(TopProducts {
        ventana: w,
        region: region.map(str::to_string),
        orden,
        productos: rows.into_iter().take(limite).map(ProductRow::rounded).collect(),
        datos_al: datos_al(tenant, wh)?,
    })
}
