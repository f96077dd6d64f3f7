//! *Análisis ABC consolidado* (spec 40 §3.5): each product-store pair sold in the 30-day
//! window, with its active ABC class at that store (`productos_abc_tienda.clase_abc` as it is
//! now; none → D), summed per class over the scope (one region, one store or the network),
//! and per merchandise category × class. The rules are in `domain::bi_abc`.
//!
//! Tickets (§1.3, §2): a ticket is a distinct (store, invoice), and a class's tickets are the
//! tickets with at least one line of that class. Summing `ventas_diarias.tickets` (distinct
//! invoices per product-day) over a class's products would count a ticket once per product of
//! the class it holds — a basket of five class-A products would be five A tickets — so the
//! class's tickets are counted exactly from the window's raw lines instead: one read of the
//! lines bounded by `fecha` (DuckDB skips every other row group), grouped per store × class.
//! A ticket belongs to one store, so a scope's count is the sum of its stores'. That read,
//! with the per-pair sums of the daily aggregate, is done once for every active store and
//! kept (`warehouse::kept::Kept`) until the next warehouse write; every scope and filter is
//! then answered from memory. The same ticket may hold lines of several classes, so the
//! classes' tickets add up to more than the scope's total, which comes from the store × day
//! aggregate.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::NaiveDate;
use duckdb::{params, Connection};
use serde::Serialize;

use super::products::Window;
use super::stores::active_stores;
use super::BiError;
use crate::config::{Store, Tenant};
use crate::domain::bi_abc::{class_summary, per_item, AbcClass, ClassFigures, PairSales, ScopeTotals};
use crate::domain::bi_stores::{is_categorised, margin_pct, share_pct};
use crate::domain::sales::round_half_away;
use crate::warehouse::kept::Kept;
use crate::warehouse::sales_summary as ws;
use crate::warehouse::Warehouse;

/// Separator of the lists passed as one text parameter (never inside an id).
const SEP: &str = "\u{1f}";

/// The class of `c.clase` as the analysis counts it (the same rule as `AbcClass::of`, so a
/// ticket is never split between two spellings of one class).
const CLASS: &str = "CASE WHEN upper(trim(c.clase)) IN ('A', 'B', 'C') THEN upper(trim(c.clase)) ELSE 'D' END";

/// One product at one store over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct AbcPair {
    pub ubicacion_id: String,
    pub producto_codigo: String,
    pub categoria: Option<String>,
    pub clase: AbcClass,
    pub ventas: f64,
    pub costo: f64,
    pub unidades: f64,
}

/// What the analysis reads once per window for every active store.
#[derive(Debug, Default)]
pub struct AbcFacts {
    pub pairs: Vec<AbcPair>,
    /// Distinct invoices per store and class.
    pub tickets: HashMap<(String, AbcClass), i64>,
    /// Distinct invoices per store (all classes).
    pub tickets_tienda: HashMap<String, i64>,
}

/// Every product-store pair of `stores` with a daily row in `from..=to`, with its class.
fn read_pairs(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<AbcPair>> {
    let sql = format!(
        "WITH lista AS (SELECT unnest(string_split(?1, chr(31))) AS ubicacion_id),
         v AS (SELECT d.ubicacion_id, d.producto_codigo, sum(d.venta_total)::DOUBLE AS ventas, sum(d.costo_total)::DOUBLE AS costo,
                      sum(d.cantidad)::DOUBLE AS unidades
               FROM ventas_diarias d SEMI JOIN lista l ON l.ubicacion_id = d.ubicacion_id
               WHERE d.fecha BETWEEN ?2 AND ?3 GROUP BY ALL),
         c AS (SELECT t.ubicacion_id, t.producto_codigo, any_value(t.clase_abc) AS clase
               FROM productos_abc_tienda t SEMI JOIN lista l ON l.ubicacion_id = t.ubicacion_id GROUP BY ALL)
         SELECT v.ubicacion_id AS ubicacion_id, v.producto_codigo AS producto_codigo, p.categoria AS categoria, {CLASS} AS clase,
                v.ventas AS ventas, v.costo AS costo, v.unidades AS unidades
         FROM v LEFT JOIN c ON c.ubicacion_id = v.ubicacion_id AND c.producto_codigo = v.producto_codigo
         LEFT JOIN productos_v p ON p.codigo = v.producto_codigo"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| {
        let clase: String = r.get("clase")?;
        Ok(AbcPair {
            ubicacion_id: r.get("ubicacion_id")?,
            producto_codigo: r.get("producto_codigo")?,
            categoria: r.get("categoria")?,
            clase: AbcClass::of(Some(&clase)),
            ventas: r.get("ventas")?,
            costo: r.get("costo")?,
            unidades: r.get("unidades")?,
        })
    })?;
    rows.collect()
}

/// Distinct invoices per store × class of `stores` over `from..=to`, from the raw lines.
fn read_tickets(conn: &Connection, stores: &[String], from: NaiveDate, to: NaiveDate) -> duckdb::Result<HashMap<(String, AbcClass), i64>> {
    let sql = format!(
        "WITH lista AS (SELECT unnest(string_split(?1, chr(31))) AS ubicacion_id),
         c AS (SELECT t.ubicacion_id, t.producto_codigo, any_value(t.clase_abc) AS clase
               FROM productos_abc_tienda t SEMI JOIN lista l ON l.ubicacion_id = t.ubicacion_id GROUP BY ALL)
         SELECT v.ubicacion_id, {CLASS} AS clase, count(DISTINCT v.numero_factura)::BIGINT
         FROM ventas v SEMI JOIN lista l ON l.ubicacion_id = v.ubicacion_id
         LEFT JOIN c ON c.ubicacion_id = v.ubicacion_id AND c.producto_codigo = v.producto_codigo
         WHERE v.fecha BETWEEN ?2 AND ?3
         GROUP BY ALL"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![stores.join(SEP), from, to], |r| {
        let clase: String = r.get(1)?;
        Ok(((r.get::<_, String>(0)?, AbcClass::of(Some(&clase))), r.get::<_, i64>(2)?))
    })?;
    rows.collect()
}

type FactsKey = (PathBuf, NaiveDate, NaiveDate);

/// The facts of the last two windows asked for (≈ 100 k pairs a window at client scale).
static KEPT: LazyLock<Kept<FactsKey, AbcFacts>> = LazyLock::new(|| Kept::new(2));

fn facts(tenant: &Tenant, wh: &Warehouse, w: &Window) -> Result<std::sync::Arc<AbcFacts>, BiError> {
    let ids: Vec<String> = active_stores(tenant, None)?.iter().map(|s| s.id.clone()).collect();
    KEPT.get_or_compute(wh, (wh.path().to_path_buf(), w.fecha_inicio, w.fecha_fin), || -> Result<_, BiError> {
        let reader = wh.reader()?;
        let pairs = read_pairs(&reader, &ids, w.fecha_inicio, w.fecha_fin)?;
        let tickets = read_tickets(&reader, &ids, w.fecha_inicio, w.fecha_fin)?;
        let tickets_tienda =
            ws::store_totals(&reader, &ids, w.fecha_inicio, w.fecha_fin)?.into_iter().map(|t| (t.ubicacion_id, t.tickets)).collect();
        Ok(AbcFacts { pairs, tickets, tickets_tienda })
    })
}

/// Computes the default window's facts (ending yesterday) ahead of the first request.
pub fn warm(tenant: &Tenant, wh: &Warehouse) -> Result<(), BiError> {
    facts(tenant, wh, &Window::ending(tenant.today() - chrono::Duration::days(1))).map(|_| ())
}

/// One merchandise category within one class.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryOfClass {
    pub clase: AbcClass,
    pub categoria: String,
    pub productos: usize,
    pub ventas: f64,
    pub utilidad: f64,
    pub unidades: f64,
    pub margen_pct: f64,
    /// Share of the class's categorised sales.
    pub pct_ventas_clase: f64,
    pub ventas_por_producto: f64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AbcAnalysis {
    #[serde(flatten)]
    pub ventana: Window,
    pub region: Option<String>,
    pub ubicacion_id: Option<String>,
    /// Stores of the scope.
    pub tiendas: usize,
    /// A, B, C and D, always the four.
    pub clases: Vec<ClassFigures>,
    pub totales: ScopeTotals,
    /// Per class (A first) and, within it, by sales, highest first; uncategorised excluded.
    pub categorias: Vec<CategoryOfClass>,
    pub datos_al: Option<NaiveDate>,
}

/// What the analysis is asked for: one region or one store (or neither: the network).
#[derive(Debug, Clone, Default)]
pub struct AbcQuery {
    pub fin: Option<NaiveDate>,
    pub region: Option<String>,
    pub ubicacion_id: Option<String>,
}

fn scope<'t>(tenant: &'t Tenant, q: &AbcQuery) -> Result<Vec<&'t Store>, BiError> {
    match (&q.region, &q.ubicacion_id) {
        (Some(_), Some(_)) => Err(BiError::Invalid { field: "ubicacion_id", message: "Elija una región o una tienda, no ambas".into() }),
        (None, Some(id)) => match active_stores(tenant, None)?.into_iter().find(|s| &s.id == id) {
            Some(s) => Ok(vec![s]),
            None => Err(BiError::NotFound(format!("Tienda «{id}» no encontrada"))),
        },
        (region, None) => active_stores(tenant, region.as_deref()),
    }
}

#[derive(Default)]
struct CategorySums<'a> {
    productos: HashSet<&'a str>,
    ventas: f64,
    costo: f64,
    unidades: f64,
}

/// *Análisis ABC consolidado* of the scope over the 30 days ending `fin` (default yesterday).
pub fn consolidated(tenant: &Tenant, wh: &Warehouse, q: &AbcQuery) -> Result<AbcAnalysis, BiError> {
    let stores = scope(tenant, q)?;
    let ids: HashSet<&str> = stores.iter().map(|s| s.id.as_str()).collect();
    let w = Window::ending(q.fin.unwrap_or_else(|| tenant.today() - chrono::Duration::days(1)));
    let all = facts(tenant, wh, &w)?;
    let pairs: Vec<&AbcPair> = all.pairs.iter().filter(|p| ids.contains(p.ubicacion_id.as_str())).collect();
    let sales: Vec<PairSales<'_>> = pairs
        .iter()
        .map(|p| PairSales { producto: &p.producto_codigo, clase: p.clase, ventas: p.ventas, costo: p.costo, unidades: p.unidades })
        .collect();
    let mut tickets = [0i64; 4];
    for ((store, clase), n) in &all.tickets {
        if ids.contains(store.as_str()) {
            tickets[clase.index()] += n;
        }
    }
    let total_tickets: i64 = all.tickets_tienda.iter().filter(|(s, _)| ids.contains(s.as_str())).map(|(_, n)| n).sum();
    let (clases, totales) = class_summary(&sales, tickets, total_tickets);

    let mut by_category: BTreeMap<(AbcClass, String), CategorySums<'_>> = BTreeMap::new();
    for p in &pairs {
        if !is_categorised(p.categoria.as_deref()) {
            continue;
        }
        let name = p.categoria.as_deref().unwrap_or_default().trim().to_string();
        let s = by_category.entry((p.clase, name)).or_default();
        s.productos.insert(&p.producto_codigo);
        s.ventas += p.ventas;
        s.costo += p.costo;
        s.unidades += p.unidades;
    }
    let mut class_sales = [0.0f64; 4];
    for ((clase, _), s) in &by_category {
        class_sales[clase.index()] += s.ventas;
    }
    let r2 = |v: f64| round_half_away(v, 2);
    let mut categorias: Vec<CategoryOfClass> = by_category
        .into_iter()
        .map(|((clase, categoria), s)| CategoryOfClass {
            clase,
            categoria,
            productos: s.productos.len(),
            ventas: r2(s.ventas),
            utilidad: r2(s.ventas - s.costo),
            unidades: r2(s.unidades),
            margen_pct: r2(margin_pct(s.ventas, s.costo)),
            pct_ventas_clase: share_pct(s.ventas, class_sales[clase.index()]),
            ventas_por_producto: r2(per_item(s.ventas, s.productos.len())),
        })
        .collect();
    categorias.sort_by(|a, b| a.clase.cmp(&b.clase).then(b.ventas.total_cmp(&a.ventas)).then_with(|| a.categoria.cmp(&b.categoria)));

    let reader = wh.reader()?;
    let scope_ids: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    Ok(AbcAnalysis {
        ventana: w,
        region: q.region.clone(),
        ubicacion_id: q.ubicacion_id.clone(),
        tiendas: stores.len(),
        clases,
        totales,
        categorias,
        datos_al: ws::last_sale_day(&reader, &scope_ids)?,
    })
}
