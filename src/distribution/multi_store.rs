//! A multi-store batch (spec 31 §2): one CEDI, several of the stores it supplies. Each
//! store's need is the single-store engine's proposal (called, never copied: D-4), the
//! products whose total need exceeds the CEDI's stock are shared with DPD+U, and the batch is
//! saved as one group of draft store orders.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::inter_cedi::{self, Line as CediLine};
use super::inter_cedi_orders::{self as cedi_orders, Choice};
use super::{invalid, stores_of_cedi, text, DistributionError};
use crate::appdb::inventory_settings as settings;
use crate::appdb::orders::{self as store, BatchOrder, Created, Discarded, DpduAdjustment, DpduLogRow, LineChoice, NewHeader};
use crate::config::{Store, Tenant};
use crate::domain::distribution::{
    dpdu::{whole_packs, NO_DEMAND_DAYS},
    dpdu_reason, manual_reason, resolve, Allocation, DpduSettings, Participant,
};
use crate::domain::replenishment::Suggestion;
use crate::replenishment::{Memo, Request as EngineRequest, StoreProposal};
use crate::warehouse::Warehouse;

/// What the wizard's first step sends.
#[derive(Debug, Clone)]
pub struct Request {
    pub cedi: String,
    /// Destination stores, in the order the user listed them (ties in DPD+U follow it).
    pub tiendas: Vec<String>,
    pub fecha: NaiveDate,
    /// Every candidate line, not only the suggested and conflicted ones (the CLI, the tests).
    pub todos: bool,
    /// Add the receiving CEDIs this CEDI supplies along a route as destinations (§2.3), each
    /// with its need from the inter-CEDI engine; they share the CEDI's stock with the stores.
    pub incluir_cedis: bool,
}

/// The result of a batch calculation (spec 31 §2.5, §2.7).
#[derive(Debug, Serialize)]
pub struct Calculation {
    pub cedi_origen: String,
    pub cedi_origen_nombre: String,
    pub fecha: NaiveDate,
    /// Local time of the tenant.
    pub calculado_en: String,
    pub config_dpdu: DpduSettings,
    pub resumen: Summary,
    /// Sorted by CEDI stock ascending.
    pub conflictos: Vec<Conflict>,
    pub pedidos_por_tienda: Vec<DestinationOrder>,
    /// Products some store needs that are not in conflict.
    pub productos_sin_conflicto: usize,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub total_tiendas: usize,
    pub total_productos_unicos: usize,
    pub total_conflictos: usize,
    pub total_bultos: u64,
    pub incluye_cedi_caracas: bool,
}

#[derive(Debug, Serialize)]
pub struct Conflict {
    pub codigo_producto: String,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub clasificacion_abc: Option<String>,
    pub unidades_por_bulto: f64,
    pub stock_cedi_disponible: f64,
    pub stock_cedi_bultos: u64,
    pub demanda_total_tiendas: f64,
    pub necesidad_total_tiendas: f64,
    pub es_conflicto: bool,
    pub distribucion_dpdu: Vec<Share>,
    pub distribucion_manual: Option<Vec<Share>>,
    pub resolucion_usuario: &'static str,
}

/// One destination's share of a conflicted product.
#[derive(Debug, Serialize)]
pub struct Share {
    pub tienda_id: String,
    pub tienda_nombre: String,
    pub clasificacion_abc: Option<String>,
    pub transito_bultos: f64,
    pub cantidad_sugerida_bultos: u64,
    #[serde(flatten)]
    pub asignacion: Allocation,
}

/// One destination's order as computed (spec 31 §2.7): totals over the suggested lines.
#[derive(Debug, Serialize)]
pub struct DestinationOrder {
    pub tienda_id: String,
    pub tienda_nombre: String,
    pub es_cedi: bool,
    pub total_productos: usize,
    pub total_bultos: u64,
    pub total_unidades: f64,
    pub total_peso_kg: f64,
    pub productos_ajustados_dpdu: usize,
    pub productos: Vec<Line>,
}

/// A line of the review grid: the engine's figures for this store and the packs after DPD+U.
#[derive(Debug, Serialize)]
pub struct Line {
    pub codigo_producto: String,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub cuadrante: Option<String>,
    pub clasificacion_abc: Option<String>,
    pub unidades_por_bulto: f64,
    pub bulto_sin_definir: bool,
    pub peso_unidad_kg: f64,
    /// Demand the engine used (units/day).
    pub prom_p75_unid: f64,
    pub stock_tienda: f64,
    pub transito_bultos: f64,
    pub stock_total: f64,
    /// Days of stock with transit; 999 without demand.
    pub dias_stock: f64,
    pub stock_cedi_origen: f64,
    pub stock_seguridad: f64,
    pub punto_reorden: f64,
    pub stock_maximo: f64,
    pub dias_ss: f64,
    pub dias_rop: f64,
    pub dias_max: f64,
    pub cantidad_necesaria_bultos: u64,
    pub cantidad_sugerida_bultos: u64,
    pub es_sugerido: bool,
    /// Packs after DPD+U (the engine's packs when not in conflict).
    pub cantidad_bultos: u64,
    pub es_conflicto: bool,
    pub ajustado_por_dpdu: bool,
    pub cantidad_original_bultos: Option<u64>,
    pub razon_pedido: String,
}

/// The columns of the compact form of [`Line`] (one array per line, `formato: "tabla"`):
/// a batch of 20 stores has tens of thousands of lines, and the names repeated on every one
/// are most of the bytes.
pub const LINE_COLUMNS: &[&str] = &[
    "codigo_producto",
    "descripcion_producto",
    "categoria",
    "cuadrante",
    "clasificacion_abc",
    "unidades_por_bulto",
    "bulto_sin_definir",
    "peso_unidad_kg",
    "prom_p75_unid",
    "stock_tienda",
    "transito_bultos",
    "stock_total",
    "dias_stock",
    "stock_cedi_origen",
    "stock_seguridad",
    "punto_reorden",
    "stock_maximo",
    "dias_ss",
    "dias_rop",
    "dias_max",
    "cantidad_necesaria_bultos",
    "cantidad_sugerida_bultos",
    "es_sugerido",
    "cantidad_bultos",
    "es_conflicto",
    "ajustado_por_dpdu",
    "cantidad_original_bultos",
    "razon_pedido",
];

/// A [`Line`] as an array in [`LINE_COLUMNS`] order.
#[derive(Serialize)]
pub struct LineRow<'a>(
    &'a str,
    &'a str,
    &'a Option<String>,
    &'a Option<String>,
    &'a Option<String>,
    f64,
    bool,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    u64,
    u64,
    bool,
    u64,
    bool,
    bool,
    Option<u64>,
    &'a str,
);

impl Line {
    pub fn row(&self) -> LineRow<'_> {
        LineRow(
            &self.codigo_producto,
            &self.descripcion_producto,
            &self.categoria,
            &self.cuadrante,
            &self.clasificacion_abc,
            self.unidades_por_bulto,
            self.bulto_sin_definir,
            self.peso_unidad_kg,
            self.prom_p75_unid,
            self.stock_tienda,
            self.transito_bultos,
            self.stock_total,
            self.dias_stock,
            self.stock_cedi_origen,
            self.stock_seguridad,
            self.punto_reorden,
            self.stock_maximo,
            self.dias_ss,
            self.dias_rop,
            self.dias_max,
            self.cantidad_necesaria_bultos,
            self.cantidad_sugerida_bultos,
            self.es_sugerido,
            self.cantidad_bultos,
            self.es_conflicto,
            self.ajustado_por_dpdu,
            self.cantidad_original_bultos,
            &self.razon_pedido,
        )
    }
}

/// A receiving CEDI as a destination of the batch: its inter-CEDI calculation along the route
/// from the batch's CEDI (its exclusions applied, D-16), lines by code.
struct CediDestination<'t> {
    store: &'t Store,
    calc: inter_cedi::Calculation,
    by_code: HashMap<String, usize>,
}

impl CediDestination<'_> {
    fn line(&self, code: &str) -> Option<&CediLine> {
        self.by_code.get(code).map(|i| &self.calc.productos[*i])
    }
}

/// The engine's proposals for a batch and the DPD+U shares of its conflicts. Destinations are
/// numbered stores first, in request order, then receiving CEDIs (§9: CEDIs last).
struct Batch<'t> {
    cedi: &'t Store,
    stores: Vec<&'t Store>,
    cedis: Vec<CediDestination<'t>>,
    proposals: Vec<StoreProposal>,
    settings: DpduSettings,
    /// Product code → (destination index, allocation) per participant.
    conflicts: HashMap<String, ConflictShares>,
}

struct ConflictShares {
    stock: f64,
    upb: f64,
    /// Whole packs the CEDI holds.
    packs: u64,
    shares: Vec<(usize, Allocation)>,
}

fn days(units: f64, demand: f64) -> f64 {
    if demand > 0.0 {
        units / demand
    } else {
        NO_DEMAND_DAYS
    }
}

/// The inputs DPD+U takes from one store's line: the local P75 (a trial store has none and
/// shares by urgency only, §2.6), stock without transit, days with transit, the need before
/// the engine's CEDI cap in whole packs.
fn participant(s: &Suggestion) -> Participant {
    let upb = s.cantidad_bultos.max(1.0);
    Participant {
        demanda: s.explicacion.entradas.demanda_local_p75,
        stock_actual: s.stock_tienda,
        dias_stock: days(s.stock_total, s.prom_p75_unid),
        necesidad_unid: s.cantidad_necesaria_bultos as f64 * upb,
    }
}

/// The DPD+U inputs of a receiving CEDI's line (§2.3): the regional P75, its stock with what
/// is already on the way, the days that gives, and the inter-CEDI ideal quantity as its need.
fn cedi_participant(l: &CediLine) -> Participant {
    let stock = l.stock_cedi_destino + l.transito_destino;
    Participant {
        demanda: l.demanda_regional_p75,
        stock_actual: stock,
        dias_stock: days(stock, l.demanda_regional_p75),
        necesidad_unid: l.cantidad_ideal_unid,
    }
}

/// The receiving CEDIs `origin` supplies along an active route, in route order.
fn receiving_cedis<'t>(tenant: &'t Tenant, origin: &Store) -> Result<Vec<&'t Store>, DistributionError> {
    let found: Vec<&Store> = tenant
        .routes()
        .iter()
        .filter(|r| r.origin == origin.id)
        .filter_map(|r| tenant.stores().iter().find(|s| s.id == r.destination && s.active && s.is_cedi()))
        .collect();
    if found.is_empty() {
        return Err(invalid(
            "incluir_cedi_caracas",
            format!("{} no abastece a ningún CEDI receptor: declare una ruta [[routes]] desde «{}» en tenant.toml", origin.name, origin.id),
        ));
    }
    Ok(found)
}

/// Checks the request against the tenant: a known CEDI, at least one store, each supplied
/// by that CEDI and named once. Returns the CEDI and the stores in request order.
fn destinations<'t>(tenant: &'t Tenant, cedi: &str, tiendas: &[String]) -> Result<(&'t Store, Vec<&'t Store>), DistributionError> {
    let Some(served) = stores_of_cedi(tenant, cedi) else {
        return Err(invalid("cedi_origen", format!("«{cedi}» no es un CEDI activo")));
    };
    #[allow(clippy::expect_used)] // stores_of_cedi answered, so the CEDI exists
    let origin = tenant.stores().iter().find(|s| s.id == cedi).expect("checked by stores_of_cedi");
    if tiendas.is_empty() {
        return Err(invalid("tiendas_destino", "Seleccione al menos una tienda de destino"));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in tiendas {
        if !seen.insert(id.as_str()) {
            return Err(invalid("tiendas_destino", format!("La tienda «{id}» aparece dos veces")));
        }
        match served.iter().find(|s| s.id == *id) {
            Some(s) => out.push(*s),
            None => {
                let known = tenant.stores().iter().find(|s| s.id == *id && s.active && !s.is_cedi());
                return Err(invalid(
                    "tiendas_destino",
                    match known {
                        Some(s) => format!("La tienda «{}» ({}) no la abastece {} ({})", s.name, s.region, origin.name, origin.region),
                        None => format!("«{id}» no es una tienda activa"),
                    },
                ));
            }
        }
    }
    Ok((origin, out))
}

#[allow(clippy::too_many_arguments)] // the batch's inputs, named at its two call sites
fn compute<'t>(
    tenant: &'t Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    memo: &Memo,
    cedi: &str,
    tiendas: &[String],
    fecha: NaiveDate,
    incluir_cedis: bool,
) -> Result<Batch<'t>, DistributionError> {
    let (cedi, stores) = destinations(tenant, cedi, tiendas)?;
    let reqs: Vec<EngineRequest> = stores
        .iter()
        .map(|s| EngineRequest { detalle_v2: false, tienda: s.id.clone(), cedi: Some(cedi.id.clone()), fecha, cuadrantes: None })
        .collect();
    let proposals = memo.propose_many(tenant, app, wh, &reqs)?;
    let mut cedis = Vec::new();
    if incluir_cedis {
        for rc in receiving_cedis(tenant, cedi)? {
            let req = inter_cedi::Request { origen: cedi.id.clone(), destino: rc.id.clone(), fecha, ajustes: None };
            let calc = inter_cedi::calculate(tenant, app, wh, &req)?;
            let by_code = calc.productos.iter().enumerate().map(|(i, l)| (l.codigo_producto.clone(), i)).collect();
            cedis.push(CediDestination { store: rc, calc, by_code });
        }
    }
    let settings = settings::dpdu_settings(app)?;
    // Only lines with a need can take part; a product is listed by every store's catalogue.
    // Per destination: its DPD+U inputs, and the CEDI's stock and pack as its line read them.
    let mut needy: HashMap<&str, Vec<(usize, Participant, f64, f64)>> = HashMap::new();
    for (d, p) in proposals.iter().enumerate() {
        for s in p.productos.iter().filter(|s| s.cantidad_necesaria_bultos > 0) {
            needy.entry(s.codigo_producto.as_str()).or_default().push((d, participant(s), s.stock_cedi_origen, s.cantidad_bultos.max(1.0)));
        }
    }
    for (k, c) in cedis.iter().enumerate() {
        for l in c.calc.productos.iter().filter(|l| l.cantidad_ideal_unid > 0.0) {
            let entry = needy.entry(l.codigo_producto.as_str()).or_default();
            entry.push((stores.len() + k, cedi_participant(l), l.stock_cedi_origen, l.unidades_por_bulto.max(1.0)));
        }
    }
    let destinations = stores.len() + cedis.len();
    let mut conflicts = HashMap::new();
    for (code, lines) in needy.into_iter().filter(|(_, l)| l.len() > 1) {
        let listed: Vec<Participant> = lines.iter().map(|(_, p, _, _)| *p).collect();
        let (stock, upb) = (lines[0].2, lines[0].3);
        if let Some(shares) = resolve(stock, upb, &listed, destinations, &settings) {
            let shares = shares.into_iter().map(|(i, a)| (lines[i].0, a)).collect();
            conflicts.insert(code.to_string(), ConflictShares { stock, upb, packs: whole_packs(stock.max(0.0), upb), shares });
        }
    }
    Ok(Batch { cedi, stores, cedis, proposals, settings, conflicts })
}

impl Batch<'_> {
    /// The packs DPD+U gives `dest` for a product, when it is a participant of a conflict.
    fn allocation(&self, code: &str, dest: usize) -> Option<&Allocation> {
        self.conflicts.get(code)?.shares.iter().find(|(d, _)| *d == dest).map(|(_, a)| a)
    }

    /// The store or receiving CEDI at position `d`.
    fn destination(&self, d: usize) -> &Store {
        match d < self.stores.len() {
            true => self.stores[d],
            false => self.cedis[d - self.stores.len()].store,
        }
    }
}

/// A receiving CEDI's line in the review grid, in the store lines' shape: its stock is the
/// CEDI's, its demand the regional P75, its need the inter-CEDI ideal quantity.
fn cedi_line(l: &CediLine, allocation: Option<&Allocation>) -> Line {
    let upb = l.unidades_por_bulto.max(1.0);
    let demand = l.demanda_regional_p75;
    let stock_total = l.stock_cedi_destino + l.transito_destino;
    let packs = allocation.map_or(l.cantidad_sugerida_bultos, |a| a.cantidad_asignada_bultos);
    let adjusted = allocation.is_some() && packs != l.cantidad_sugerida_bultos;
    Line {
        codigo_producto: l.codigo_producto.clone(),
        descripcion_producto: l.descripcion_producto.clone(),
        categoria: l.categoria.clone(),
        cuadrante: l.cuadrante.clone(),
        clasificacion_abc: Some(l.clasificacion_abc.as_str().to_string()),
        unidades_por_bulto: upb,
        bulto_sin_definir: false,
        peso_unidad_kg: l.peso_unidad_kg,
        prom_p75_unid: demand,
        stock_tienda: l.stock_cedi_destino,
        transito_bultos: l.transito_destino / upb,
        stock_total,
        dias_stock: days(stock_total, demand),
        stock_cedi_origen: l.stock_cedi_origen,
        stock_seguridad: l.stock_seguridad,
        punto_reorden: l.punto_reorden,
        stock_maximo: l.stock_maximo,
        dias_ss: days(l.stock_seguridad, demand),
        dias_rop: days(l.punto_reorden, demand),
        dias_max: days(l.stock_maximo, demand),
        cantidad_necesaria_bultos: (l.cantidad_ideal_unid.max(0.0) / upb).ceil() as u64,
        cantidad_sugerida_bultos: l.cantidad_sugerida_bultos,
        es_sugerido: l.cantidad_sugerida_bultos > 0,
        cantidad_bultos: packs,
        es_conflicto: allocation.is_some(),
        ajustado_por_dpdu: adjusted,
        cantidad_original_bultos: adjusted.then_some(l.cantidad_sugerida_bultos),
        razon_pedido: match adjusted {
            true => dpdu_reason(packs, l.cantidad_sugerida_bultos),
            false => l.razon_pedido.clone(),
        },
    }
}

fn destination_order(store: &Store, es_cedi: bool, lines: impl Iterator<Item = Line>, todos: bool) -> DestinationOrder {
    let mut productos = Vec::new();
    let (mut total_productos, mut total_bultos, mut total_unidades, mut peso, mut ajustados) = (0, 0, 0.0, 0.0, 0);
    for l in lines {
        if l.es_sugerido {
            total_productos += 1;
            total_bultos += l.cantidad_bultos;
            total_unidades += l.cantidad_bultos as f64 * l.unidades_por_bulto;
            peso += l.cantidad_bultos as f64 * l.unidades_por_bulto * l.peso_unidad_kg;
        }
        ajustados += usize::from(l.ajustado_por_dpdu);
        if todos || l.es_sugerido || l.es_conflicto {
            productos.push(l);
        }
    }
    DestinationOrder {
        tienda_id: store.id.clone(),
        tienda_nombre: store.name.clone(),
        es_cedi,
        total_productos,
        total_bultos,
        total_unidades,
        total_peso_kg: peso,
        productos_ajustados_dpdu: ajustados,
        productos,
    }
}

fn line(s: &Suggestion, allocation: Option<&Allocation>) -> Line {
    let demand = s.prom_p75_unid;
    let upb = s.cantidad_bultos.max(1.0);
    let packs = allocation.map_or(s.cantidad_sugerida_bultos, |a| a.cantidad_asignada_bultos);
    let adjusted = allocation.is_some() && packs != s.cantidad_sugerida_bultos;
    Line {
        codigo_producto: s.codigo_producto.to_string(),
        descripcion_producto: s.descripcion_producto.to_string(),
        categoria: text(&s.categoria),
        cuadrante: text(&s.cuadrante_producto),
        clasificacion_abc: s.clasificacion_abc.map(|c| c.as_str().to_string()),
        unidades_por_bulto: upb,
        bulto_sin_definir: s.bulto_sin_definir,
        peso_unidad_kg: s.peso_unidad / 1000.0,
        prom_p75_unid: demand,
        stock_tienda: s.stock_tienda,
        transito_bultos: s.stock_en_transito / upb,
        stock_total: s.stock_total,
        dias_stock: days(s.stock_total, demand),
        stock_cedi_origen: s.stock_cedi_origen,
        stock_seguridad: s.stock_seguridad,
        punto_reorden: s.punto_reorden,
        stock_maximo: s.stock_maximo,
        dias_ss: days(s.stock_seguridad, demand),
        dias_rop: days(s.punto_reorden, demand),
        dias_max: days(s.stock_maximo, demand),
        cantidad_necesaria_bultos: s.cantidad_necesaria_bultos,
        cantidad_sugerida_bultos: s.cantidad_sugerida_bultos,
        es_sugerido: s.cantidad_sugerida_bultos > 0,
        cantidad_bultos: packs,
        es_conflicto: allocation.is_some(),
        ajustado_por_dpdu: adjusted,
        cantidad_original_bultos: adjusted.then_some(s.cantidad_sugerida_bultos),
        razon_pedido: match adjusted {
            true => dpdu_reason(packs, s.cantidad_sugerida_bultos),
            false => s.razon_pedido.clone(),
        },
    }
}

/// Computes a batch: each store's proposal, the conflicts and their DPD+U shares, and each
/// store's order after them.
pub fn calculate(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    memo: &Memo,
    req: &Request,
) -> Result<Calculation, DistributionError> {
    let b = compute(tenant, app, wh, memo, &req.cedi, &req.tiendas, req.fecha, req.incluir_cedis)?;
    let mut pedidos = Vec::with_capacity(b.stores.len() + b.cedis.len());
    let mut needed: HashSet<&str> = HashSet::new();
    for (d, (store, p)) in b.stores.iter().zip(&b.proposals).enumerate() {
        needed.extend(p.productos.iter().filter(|s| s.cantidad_necesaria_bultos > 0).map(|s| s.codigo_producto.as_str()));
        let lines = p.productos.iter().map(|s| line(s, b.allocation(s.codigo_producto.as_str(), d)));
        pedidos.push(destination_order(store, false, lines, req.todos));
    }
    for (k, c) in b.cedis.iter().enumerate() {
        let d = b.stores.len() + k;
        needed.extend(c.calc.productos.iter().filter(|l| l.cantidad_ideal_unid > 0.0).map(|l| l.codigo_producto.as_str()));
        let lines = c.calc.productos.iter().map(|l| cedi_line(l, b.allocation(l.codigo_producto.as_str(), d)));
        pedidos.push(destination_order(c.store, true, lines, req.todos));
    }
    // Each store's lines by code, once: thousands of conflicts look up a line per store.
    let index: Vec<HashMap<&str, &Suggestion>> =
        b.proposals.iter().map(|p| p.productos.iter().map(|s| (s.codigo_producto.as_str(), s)).collect()).collect();
    let mut conflictos: Vec<Conflict> = b
        .conflicts
        .iter()
        .map(|(code, c)| {
            // A store's line names the product; a conflict among receiving CEDIs only, theirs.
            let store_line = c.shares.iter().find(|(d, _)| *d < b.stores.len()).and_then(|(d, _)| index[*d].get(code.as_str()).copied());
            let cedi_line = b.cedis.iter().find_map(|cd| cd.line(code));
            let distribucion_dpdu = c
                .shares
                .iter()
                .map(|(d, a)| {
                    let dest = b.destination(*d);
                    let (clase, transito, sugerido) = match *d < b.stores.len() {
                        true => index[*d].get(code.as_str()).map_or((None, 0.0, 0), |s| {
                            (s.clasificacion_abc.map(|c| c.as_str().to_string()), s.stock_en_transito / c.upb, s.cantidad_sugerida_bultos)
                        }),
                        false => b.cedis[*d - b.stores.len()].line(code).map_or((None, 0.0, 0), |l| {
                            (Some(l.clasificacion_abc.as_str().to_string()), l.transito_destino / c.upb, l.cantidad_sugerida_bultos)
                        }),
                    };
                    Share {
                        tienda_id: dest.id.clone(),
                        tienda_nombre: dest.name.clone(),
                        clasificacion_abc: clase,
                        transito_bultos: transito,
                        cantidad_sugerida_bultos: sugerido,
                        asignacion: a.clone(),
                    }
                })
                .collect::<Vec<_>>();
            Conflict {
                codigo_producto: code.clone(),
                descripcion_producto: store_line
                    .map(|s| s.descripcion_producto.to_string())
                    .or_else(|| cedi_line.map(|l| l.descripcion_producto.clone()))
                    .unwrap_or_default(),
                categoria: store_line.and_then(|s| text(&s.categoria)).or_else(|| cedi_line.and_then(|l| l.categoria.clone())),
                clasificacion_abc: store_line.and_then(|s| s.clasificacion_abc).map(|c| c.as_str().to_string()),
                unidades_por_bulto: c.upb,
                stock_cedi_disponible: c.stock,
                stock_cedi_bultos: c.packs,
                demanda_total_tiendas: c.shares.iter().map(|(_, a)| a.demanda_p75).sum(),
                necesidad_total_tiendas: c.shares.iter().map(|(_, a)| a.cantidad_necesaria).sum(),
                es_conflicto: true,
                distribucion_dpdu,
                distribucion_manual: None,
                resolucion_usuario: "dpdu",
            }
        })
        .collect();
    conflictos.sort_by(|a, b| {
        a.stock_cedi_disponible.total_cmp(&b.stock_cedi_disponible).then_with(|| a.codigo_producto.cmp(&b.codigo_producto))
    });
    let total_bultos = pedidos.iter().map(|p| p.total_bultos).sum();
    Ok(Calculation {
        cedi_origen: b.cedi.id.clone(),
        cedi_origen_nombre: b.cedi.name.clone(),
        fecha: req.fecha,
        calculado_en: tenant.local_at(chrono::Utc::now()).format("%Y-%m-%dT%H:%M:%S").to_string(),
        config_dpdu: b.settings,
        resumen: Summary {
            total_tiendas: b.stores.len(),
            total_productos_unicos: needed.len(),
            total_conflictos: conflictos.len(),
            total_bultos,
            incluye_cedi_caracas: !b.cedis.is_empty(),
        },
        productos_sin_conflicto: needed.len() - conflictos.len(),
        conflictos,
        pedidos_por_tienda: pedidos,
    })
}

/// One line of a destination's order in a batch save, as the user left it (the inter-CEDI
/// order's choice: a receiving CEDI's lines go to its draft unchanged). Negative packs are
/// refused with a clear error, not clamped.
pub type ChosenLine = Choice;

#[derive(Debug, Clone)]
pub struct ChosenOrder {
    pub tienda_destino_id: String,
    pub productos: Vec<ChosenLine>,
    pub observaciones: Option<String>,
}

/// What the wizard's last step sends (spec 31 §2.10).
#[derive(Debug, Clone)]
pub struct SaveRequest {
    pub cedi: String,
    pub fecha: NaiveDate,
    pub fecha_entrega_solicitada: Option<NaiveDate>,
    pub dias_cobertura: i64,
    pub prioridad: String,
    pub observaciones_globales: Option<String>,
    pub pedidos: Vec<ChosenOrder>,
}

#[derive(Debug, Serialize)]
pub struct CreatedInBatch {
    pub pedido_id: String,
    pub numero_pedido: String,
    pub tienda_id: String,
    pub tienda_nombre: String,
    pub total_productos: i64,
    pub total_bultos: f64,
    pub estado: crate::domain::orders::OrderState,
}

/// A receiving CEDI's inter-CEDI draft saved with the batch.
#[derive(Debug, Serialize)]
pub struct InterCediInBatch {
    pub pedido_id: String,
    pub numero_pedido: String,
    pub cedi_destino_id: String,
    pub cedi_destino_nombre: String,
    pub total_productos: usize,
    pub total_bultos: u64,
    pub estado: crate::domain::distribution::inter_cedi_order::InterCediState,
}

#[derive(Debug, Serialize)]
pub struct Saved {
    pub success: bool,
    pub grupo_pedido_id: String,
    pub pedidos_creados: Vec<CreatedInBatch>,
    pub pedidos_inter_cedi_creados: Vec<InterCediInBatch>,
    pub total_pedidos: usize,
    pub mensaje: String,
}

const PRIORITIES: &[&str] = &["baja", "normal", "alta", "urgente"];

fn joined(parts: &[Option<&str>]) -> Option<String> {
    let v: Vec<&str> = parts.iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    (!v.is_empty()).then(|| v.join("\n"))
}

/// Saves a batch (spec 31 §2.10) in one transaction. Every line's snapshot comes from the
/// server's own calculation of the same batch; the user's packs are checked against it: no
/// negative packs, no product the store's calculation does not hold, and for each conflicted
/// product no more packs in total than the CEDI holds. Refused requests save nothing.
pub fn save(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    memo: &Memo,
    req: &SaveRequest,
    user: &str,
) -> Result<Saved, DistributionError> {
    if req.pedidos.is_empty() {
        return Err(invalid("pedidos", "El lote no tiene ningún pedido"));
    }
    if !PRIORITIES.contains(&req.prioridad.as_str()) {
        return Err(invalid("prioridad", format!("Prioridad «{}» desconocida (baja, normal, alta o urgente)", req.prioridad)));
    }
    // A receiving CEDI's order is the batch's inter-CEDI draft (§2.3); the rest are stores.
    let is_cedi = |id: &str| tenant.stores().iter().any(|s| s.id == id && s.is_cedi());
    let (cedi_chosen, store_chosen): (Vec<&ChosenOrder>, Vec<&ChosenOrder>) =
        req.pedidos.iter().partition(|p| is_cedi(&p.tienda_destino_id));
    let tiendas: Vec<String> = store_chosen.iter().map(|p| p.tienda_destino_id.clone()).collect();
    let started = std::time::Instant::now();
    let b = compute(tenant, app, wh, memo, &req.cedi, &tiendas, req.fecha, !cedi_chosen.is_empty())?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch save: recomputed");
    let requiere_aprobacion = settings::order_settings(app)?.requiere_aprobacion;
    let mut packs_by_code: HashMap<&str, u64> = HashMap::new();
    // Product → (packs ordered, packs the engine suggested, whole packs the CEDI holds) over the
    // stores, for products DPD+U did not share.
    let mut unshared: HashMap<&str, (u64, u64, u64)> = HashMap::new();
    let mut orders: Vec<Option<BatchOrder<'_>>> = Vec::with_capacity(store_chosen.len());
    for (d, order) in store_chosen.iter().enumerate() {
        let computed: HashMap<&str, &Suggestion> = b.proposals[d].productos.iter().map(|s| (s.codigo_producto.as_str(), s)).collect();
        let store = b.stores[d];
        let mut seen = HashSet::new();
        let mut lines = Vec::new();
        for p in &order.productos {
            if p.cantidad_pedida_bultos < 0 {
                return Err(invalid(
                    "productos",
                    format!("{}: cantidad negativa ({}) para el producto {}", store.name, p.cantidad_pedida_bultos, p.codigo_producto),
                ));
            }
            if !seen.insert(p.codigo_producto.as_str()) {
                return Err(invalid("productos", format!("{}: el producto {} aparece dos veces", store.name, p.codigo_producto)));
            }
            let Some(s) = computed.get(p.codigo_producto.trim()) else {
                return Err(invalid(
                    "productos",
                    format!(
                        "{}: el producto {} no está en el cálculo de esta tienda desde {} (excluido, inactivo o desconocido)",
                        store.name, p.codigo_producto, b.cedi.name
                    ),
                ));
            };
            if !p.incluido || p.cantidad_pedida_bultos == 0 {
                continue;
            }
            let packs = p.cantidad_pedida_bultos as u64;
            let allocation = b.allocation(s.codigo_producto.as_str(), d);
            if allocation.is_some() {
                *packs_by_code.entry(s.codigo_producto.as_str()).or_default() += packs;
            } else {
                // Not shared by DPD+U: the engine's packs stand, but packs the buyer added (a
                // product the engine did not suggest, "Todos" in step 3) must be in the CEDI.
                let e = unshared.entry(s.codigo_producto.as_str()).or_insert((
                    0,
                    0,
                    whole_packs(s.stock_cedi_origen.max(0.0), s.cantidad_bultos.max(1.0)),
                ));
                e.0 += packs;
                e.1 += s.cantidad_sugerida_bultos;
            }
            let dpdu = allocation.filter(|_| packs != s.cantidad_sugerida_bultos).map(|a| DpduAdjustment {
                cantidad_original_bultos: s.cantidad_sugerida_bultos,
                razon: match packs == a.cantidad_asignada_bultos {
                    true => dpdu_reason(packs, s.cantidad_sugerida_bultos),
                    false => manual_reason(packs, s.cantidad_sugerida_bultos),
                },
            });
            lines.push((*s, LineChoice { packs, observaciones: p.observaciones.clone().filter(|o| !o.trim().is_empty()), dpdu }));
        }
        if lines.is_empty() {
            // Its position still counts: numbers of a batch may have gaps (§7.12).
            orders.push(None);
            continue;
        }
        let chosen: HashSet<&str> = lines.iter().map(|(s, _)| s.codigo_producto.as_str()).collect();
        let discarded = b.proposals[d]
            .productos
            .iter()
            .filter(|s| s.cantidad_sugerida_bultos > 0 && !chosen.contains(s.codigo_producto.as_str()))
            .map(|s| Discarded { codigo_producto: s.codigo_producto.to_string(), cantidad_sugerida_bultos: s.cantidad_sugerida_bultos })
            .collect();
        let header = NewHeader {
            cedi_origen_id: b.cedi.id.clone(),
            cedi_origen_nombre: b.cedi.name.clone(),
            tienda_destino_id: store.id.clone(),
            tienda_destino_nombre: store.name.clone(),
            fecha_pedido: req.fecha.to_string(),
            fecha_entrega_solicitada: req.fecha_entrega_solicitada.map(|d| d.to_string()),
            observaciones: joined(&[req.observaciones_globales.as_deref(), order.observaciones.as_deref()]),
            notas_picking: None,
            notas_entrega: None,
            prioridad: req.prioridad.clone(),
            tipo_pedido: "reposicion".into(),
            dias_cobertura: req.dias_cobertura.clamp(1, 30),
            requiere_aprobacion,
        };
        orders.push(Some(BatchOrder { header, lines, discarded }));
    }
    let mut cedi_drafts = Vec::new();
    let mut cedi_packs: Vec<HashMap<String, u64>> = vec![HashMap::new(); b.cedis.len()];
    let mut seen_cedis = HashSet::new();
    for order in &cedi_chosen {
        let Some(k) = b.cedis.iter().position(|c| c.store.id == order.tienda_destino_id) else {
            return Err(invalid(
                "pedidos",
                format!("«{}» no es un CEDI receptor de {}: no hay una ruta activa entre ambos", order.tienda_destino_id, b.cedi.name),
            ));
        };
        if !seen_cedis.insert(k) {
            return Err(invalid("pedidos", format!("El CEDI «{}» aparece dos veces", order.tienda_destino_id)));
        }
        let calc = &b.cedis[k].calc;
        let lines = cedi_orders::lines_of(calc, &order.productos)?;
        for l in &lines {
            let packs = l.cantidad_pedida_bultos.max(0) as u64;
            cedi_packs[k].insert(l.codigo_producto.clone(), packs);
            if b.allocation(&l.codigo_producto, b.stores.len() + k).is_some() {
                if let Some((code, _)) = b.conflicts.get_key_value(l.codigo_producto.as_str()) {
                    *packs_by_code.entry(code.as_str()).or_default() += packs;
                }
            }
        }
        if lines.is_empty() {
            continue;
        }
        let observaciones = joined(&[req.observaciones_globales.as_deref(), order.observaciones.as_deref()]);
        let frecuencia = tenant.route(&b.cedi.id, &calc.cedi_destino_id).map(|r| r.frecuencia_viajes).unwrap_or_default();
        let header = cedi_orders::header_of(calc, req.fecha, req.prioridad.clone(), frecuencia, observaciones, None);
        cedi_drafts.push((header, lines));
    }
    if orders.iter().all(Option::is_none) && cedi_drafts.is_empty() {
        return Err(invalid("pedidos", "Ningún pedido del lote tiene productos incluidos con cantidad mayor que 0"));
    }
    // A conflicted product may not leave the CEDI in more packs than it holds.
    let mut over: Vec<String> = Vec::new();
    for (code, packs) in &packs_by_code {
        let held = b.conflicts[*code].packs;
        if *packs > held {
            over.push(format!("{code} ({packs} bultos pedidos, {held} disponibles: excede por {})", packs - held));
        }
    }
    for (code, (packs, suggested, held)) in &unshared {
        if *packs > *suggested && *packs > *held {
            over.push(format!("{code} ({packs} bultos pedidos, {held} disponibles: excede por {})", packs - held));
        }
    }
    if !over.is_empty() {
        over.sort();
        return Err(invalid("productos", format!("Excede el stock del CEDI {}: {}", b.cedi.name, over.join("; "))));
    }
    let log = dpdu_log(&b, &req.pedidos, &orders, &cedi_packs);
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch save: lines checked");
    let saved = store::create_batch(app, &orders, &cedi_drafts, &log, user)?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch save: written");
    let pedidos_creados: Vec<CreatedInBatch> = saved
        .pedidos
        .into_iter()
        .zip(&b.stores)
        .filter_map(|(c, s)| c.map(|c: Created| (c, s)))
        .map(|(c, s)| CreatedInBatch {
            pedido_id: c.id,
            numero_pedido: c.numero_pedido,
            tienda_id: s.id.clone(),
            tienda_nombre: s.name.clone(),
            total_productos: c.total_productos,
            total_bultos: c.total_bultos,
            estado: c.estado,
        })
        .collect();
    let pedidos_inter_cedi_creados: Vec<InterCediInBatch> = saved
        .pedidos_inter_cedi
        .into_iter()
        .zip(&cedi_drafts)
        .map(|(c, (h, lines))| InterCediInBatch {
            pedido_id: c.id,
            numero_pedido: c.numero_pedido,
            cedi_destino_id: h.cedi_destino_id.clone(),
            cedi_destino_nombre: h.cedi_destino_nombre.clone(),
            total_productos: lines.len(),
            total_bultos: lines.iter().map(|l| l.cantidad_pedida_bultos.max(0) as u64).sum(),
            estado: c.estado,
        })
        .collect();
    let n = pedidos_creados.len() + pedidos_inter_cedi_creados.len();
    tracing::info!(grupo = %saved.grupo_pedido_id, pedidos = n, cedi = %b.cedi.id, "multi-store batch saved");
    let ic = match pedidos_inter_cedi_creados.len() {
        0 => String::new(),
        k => format!(", {k} de ellos Inter-CEDI"),
    };
    Ok(Saved {
        success: true,
        mensaje: format!("{n} pedido(s) creados en borrador{ic} (grupo {})", saved.grupo_pedido_id),
        grupo_pedido_id: saved.grupo_pedido_id,
        total_pedidos: n,
        pedidos_creados,
        pedidos_inter_cedi_creados,
    })
}

/// One log row per conflicted product that some saved order carries: each participant's
/// inputs, the DPD+U packs and the packs saved; `manual` when any saved packs differ.
fn dpdu_log(
    b: &Batch<'_>,
    chosen: &[ChosenOrder],
    orders: &[Option<BatchOrder<'_>>],
    cedi_packs: &[HashMap<String, u64>],
) -> Vec<DpduLogRow> {
    let by_order: Vec<HashMap<&str, u64>> = orders
        .iter()
        .map(|o| o.as_ref().map(|o| o.lines.iter().map(|(s, c)| (s.codigo_producto.as_str(), c.packs)).collect()).unwrap_or_default())
        .collect();
    let saved_packs = |d: usize, code: &str| -> u64 {
        match d < b.stores.len() {
            true => by_order[d].get(code).copied().unwrap_or(0),
            false => cedi_packs[d - b.stores.len()].get(code).copied().unwrap_or(0),
        }
    };
    let in_batch: HashSet<&str> = chosen.iter().flat_map(|o| o.productos.iter().map(|p| p.codigo_producto.as_str())).collect();
    let mut rows: Vec<DpduLogRow> = b
        .conflicts
        .iter()
        .filter(|(code, _)| in_batch.contains(code.as_str()))
        .map(|(code, c)| {
            let mut manual = false;
            let distribucion: Vec<serde_json::Value> = c
                .shares
                .iter()
                .map(|(d, a)| {
                    let saved = saved_packs(*d, code);
                    manual |= saved != a.cantidad_asignada_bultos;
                    serde_json::json!({
                        "tienda_id": b.destination(*d).id,
                        "demanda_p75": a.demanda_p75,
                        "stock_actual": a.stock_actual,
                        "dias_stock": a.dias_stock,
                        "cantidad_necesaria": a.cantidad_necesaria,
                        "urgencia": a.urgencia,
                        "peso_final": a.peso_final,
                        "cantidad_asignada_bultos": a.cantidad_asignada_bultos,
                        "cantidad_final_bultos": saved,
                    })
                })
                .collect();
            DpduLogRow {
                codigo_producto: code.clone(),
                stock_cedi_inicial: c.stock,
                unidades_por_bulto: c.upb,
                distribucion: serde_json::Value::Array(distribucion).to_string(),
                pesos: serde_json::to_string(&b.settings).unwrap_or_else(|_| "{}".into()),
                resolucion_usuario: if manual { "manual" } else { "dpdu" },
            }
        })
        .collect();
    rows.sort_by(|a, b| a.codigo_producto.cmp(&b.codigo_producto));
    rows
}
