//! The suggested-quantity pipeline for one store (spec 30 §7): per product, in the spec's
//! order — reference demand / trial shipment, base quantity, overstock short-circuit, trial
//! minimum, display minimum, storage capacity, CEDI cap — returning the §7.4 fields plus an
//! [`Explanation`] of every input, parameter source, intermediate value and the rule that
//! decided the final quantity (the explanation modals render it instead of re-implementing
//! the formulas, which in the original drifted from the backend).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::classification::AbcClass;
use super::coverage::{weekday_coverage, CoverageInput, WeekdayCoverage};
use super::criticality::{criticality, Criticality};
use super::demand::{demand_stats, demand_stats_with, median, DemandStats, DemandWindows, P75Detail, WeekdayHistory};
use super::levels::{
    compute_levels, effective_class, fmt_qty, packs_ceil, packs_floor, packs_to_units, reorder, sanity_warnings, ClassReason, LevelInputs,
    LevelMethod, Levels, PackSize, ReorderDecision, NO_DEMAND_DAYS,
};
use super::parameters::{normalize_category, resolve_params, resolve_windows, ParamConfig, ResolvedParams, ResolvedWindows};
use super::substitutes::{apply as apply_set, units_in_window, MemberDemand, SubstituteSet, SHARE_WINDOW_DAYS};
use crate::domain::text::Text;

/// Trial / regional-reference σ when the local σ is 0: 0.3 · demand.
pub const REFERENCE_SIGMA_FACTOR: f64 = 0.3;
/// Regional reference applies when 0 < local P75 < this…
pub const REGIONAL_LOCAL_P75_LIMIT: f64 = 1.0;
/// …and the reference P75 exceeds this multiple of the local P75.
pub const REGIONAL_REFERENCE_RATIO: f64 = 3.0;
/// Trial demand when neither a reference nor any median exists.
pub const DEFAULT_TRIAL_DEMAND: f64 = 1.0;
/// Assumed unit weight (grams) when unknown — kept from the original, flagged `peso_desconocido`.
pub const DEFAULT_UNIT_WEIGHT_G: f64 = 1000.0;
pub const REASON_OVERSTOCK: &str = "Sobrestock - No pedir";
pub const REASON_NO_DEMAND: &str = "Sin demanda histórica";
pub const DEFAULT_RESTRICTION_TYPE: &str = "espacio_fisico";
pub const DEFAULT_ORDER_UNIT: &str = "Bulto";

/// Engine settings of §14 that are not parameters of the level formulas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineSettings {
    /// `limitar_por_stock_cedi` (default on, §7.3 step 8).
    pub limitar_por_stock_cedi: bool,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings { limitar_por_stock_cedi: true }
    }
}

/// Storage limits of (store, product); a limit ≤ 0 or non-finite counts as not configured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StorageLimits {
    pub capacidad_maxima: Option<f64>,
    pub minimo_exhibicion: Option<f64>,
    /// `congelador`, `refrigerador`, …; default `espacio_fisico`.
    pub tipo_restriccion: Option<String>,
    pub notas: Option<String>,
}

fn positive(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0)
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Sales of the product in one reference store (active store of the destination's region,
/// destination excluded).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceStoreSales {
    pub tienda_id: String,
    pub nombre: String,
    pub ventas_diarias: Vec<(NaiveDate, f64)>,
    /// That store's atypical days.
    pub dias_excluidos: Vec<NaiveDate>,
}

/// Regional reference demand of a product.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ReferenceDemand {
    /// Mean of the P75 of the reference stores that sold the product (0 if none).
    pub p75_ref: f64,
    /// First such store by id, for messages.
    pub tienda_ref_id: Option<Text>,
    pub tienda_ref: Option<Text>,
    pub tiendas_con_venta: u32,
}

/// `P75_ref` over the **same demand window** as the local P75 (the original used 30 days here
/// and 20 locally). A store "sold the product" when it has a selling day in the window.
pub fn reference_demand(stores: &[ReferenceStoreSales], today: NaiveDate, windows: DemandWindows) -> ReferenceDemand {
    let mut sold: Vec<(&ReferenceStoreSales, f64)> = stores
        .iter()
        .filter_map(|s| {
            let st = demand_stats(&s.ventas_diarias, today, windows, &s.dias_excluidos);
            (st.dias_venta_ventana > 0).then_some((s, st.p75))
        })
        .collect();
    sold.sort_by(|a, b| a.0.tienda_id.cmp(&b.0.tienda_id));
    let n = sold.len();
    ReferenceDemand {
        p75_ref: if n > 0 { sold.iter().map(|(_, p)| *p).sum::<f64>() / n as f64 } else { 0.0 },
        tienda_ref_id: sold.first().map(|(s, _)| Text::from(&s.tienda_id)),
        tienda_ref: sold.first().map(|(s, _)| Text::from(&s.nombre)),
        tiendas_con_venta: n as u32,
    }
}

/// Where the demand used by the formulas came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandSource {
    /// Local P75.
    Local,
    /// Regional reference (0 < local P75 < 1, reference > 3 × local, CEDI stock > 0).
    ReferenciaRegional,
    /// Trial shipment with reference sales.
    PruebaReferencia,
    /// Trial: median of the positive local P75s of the candidates of the same category.
    PruebaMedianaCategoria,
    /// Trial: median of all positive local P75s of the candidates.
    PruebaMedianaGlobal,
    /// Trial: nothing to go by → 1 unit/day.
    PruebaPredeterminada,
}

/// Trial demand when there are no reference sales.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrialFallback {
    pub valor: f64,
    pub fuente: DemandSource,
}

impl Default for TrialFallback {
    fn default() -> Self {
        TrialFallback { valor: DEFAULT_TRIAL_DEMAND, fuente: DemandSource::PruebaPredeterminada }
    }
}

/// Medians of the candidates' positive local P75s, per normalised category and overall.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrialFallbacks {
    pub por_categoria: BTreeMap<String, f64>,
    pub global: Option<f64>,
}

impl TrialFallbacks {
    /// From `(categoria, local P75)` of every candidate. Uncategorised products are skipped for
    /// the category medians but count for the overall one (the original skipped them there too).
    pub fn from_candidates<'a, I: IntoIterator<Item = (Option<&'a str>, f64)>>(candidates: I) -> TrialFallbacks {
        let mut by_cat: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut all = Vec::new();
        for (cat, p75) in candidates {
            if !(p75.is_finite() && p75 > 0.0) {
                continue;
            }
            all.push(p75);
            if let Some(c) = cat.map(normalize_category).filter(|c| !c.is_empty()) {
                by_cat.entry(c).or_default().push(p75);
            }
        }
        TrialFallbacks { por_categoria: by_cat.into_iter().filter_map(|(k, v)| median(&v).map(|m| (k, m))).collect(), global: median(&all) }
    }

    pub fn for_category(&self, categoria: Option<&str>) -> TrialFallback {
        let cat = categoria.map(normalize_category).filter(|c| !c.is_empty());
        if let Some(v) = cat.and_then(|c| self.por_categoria.get(&c).copied()) {
            TrialFallback { valor: v, fuente: DemandSource::PruebaMedianaCategoria }
        } else if let Some(v) = self.global {
            TrialFallback { valor: v, fuente: DemandSource::PruebaMedianaGlobal }
        } else {
            TrialFallback::default()
        }
    }
}

/// One product of the calculation. Pass active products only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductInput {
    pub codigo: Text,
    pub codigo_barras: Option<Text>,
    pub descripcion: Text,
    pub categoria: Option<Text>,
    pub grupo: Option<Text>,
    pub subgrupo: Option<Text>,
    pub marca: Option<Text>,
    pub presentacion: Option<Text>,
    pub cuadrante: Option<Text>,
    /// UPB as stored (may be missing, 0 or decimal; see [`PackSize`]).
    pub unidades_por_bulto: Option<f64>,
    pub unidad_pedido: Option<Text>,
    pub peso_unitario_kg: Option<f64>,
    pub es_generador_trafico: bool,
    /// The pack size is a default nobody set (KLK sends none; see `domain::products`).
    pub bulto_sin_definir: bool,
    /// Destination store's class under the active model; `None` = no ABC row.
    pub clase_abc: Option<AbcClass>,
    /// Sum over the store's warehouses; may be negative.
    pub stock_tienda: f64,
    pub stock_en_transito: f64,
    /// The open orders behind `stock_en_transito` (spec 30 §8), oldest first.
    pub transito_detalle: Vec<super::transit::TransitLine>,
    pub stock_cedi: f64,
    /// Daily totals at the destination store (selling days only).
    pub ventas_diarias: Vec<(NaiveDate, f64)>,
    pub limites: StorageLimits,
    /// Sales in the reference stores of the region.
    pub referencia: Vec<ReferenceStoreSales>,
    /// The same reference figure already computed by the storage layer (one aggregate query
    /// for the whole region instead of every store's daily series); wins over `referencia`.
    pub referencia_calculada: Option<ReferenceDemand>,
}

/// Demand figures of one line, already summarised (what [`suggest`] needs besides the product).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineDemand {
    pub local: DemandStats,
    pub referencia: ReferenceDemand,
    pub respaldo_prueba: TrialFallback,
}

/// `metodo_calculo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CalculationMethod {
    Estadistico,
    PadrePrudente,
    EnvioPrueba,
    ReferenciaRegional,
}

/// The rule that decided the final quantity (the last step that set or changed it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionRule {
    /// D = 0, or no class and no sales: no calculation.
    SinDemanda,
    /// E > MAX: 0, later steps skipped.
    Sobrestock,
    /// Order up to MAX when E ≤ ROP, 0 when ROP < E ≤ MAX.
    ReglaReorden,
    /// Trial with nothing in the store (E ≤ 0) and a 0 calculation → 1 pack.
    MinimoPrueba,
    MinimoExhibicion,
    Capacidad,
    TopeCedi,
}

/// Inputs actually used, for the explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplanationInputs {
    pub demanda_local_p75: f64,
    pub demanda_usada: f64,
    pub fuente_demanda: DemandSource,
    pub p75_referencia: f64,
    pub tienda_referencia: Option<Text>,
    pub sigma_local: f64,
    pub sigma_usada: f64,
    pub demanda_maxima_local: f64,
    pub stock_tienda: f64,
    pub stock_en_transito: f64,
    pub stock_efectivo: f64,
    pub stock_cedi: f64,
    pub unidades_por_bulto: f64,
    pub clase_abc: Option<AbcClass>,
    pub clase_efectiva: Option<AbcClass>,
    pub motivo_clase: Option<ClassReason>,
    pub capacidad_maxima: Option<f64>,
    pub minimo_exhibicion: Option<f64>,
    pub limitar_por_stock_cedi: bool,
}

/// Packs after each step of §7.3.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct QuantitySteps {
    pub bultos_base: u64,
    /// True when E > MAX skipped steps 5–8.
    pub omitidos_por_sobrestock: bool,
    pub bultos_tras_minimo_prueba: u64,
    /// max(0, min_exhib − E) when a display minimum is configured.
    pub requerido_minimo_exhibicion_unidades: Option<f64>,
    pub bultos_tras_minimo_exhibicion: u64,
    /// max(0, capacity − E) when a capacity is configured.
    pub espacio_libre_unidades: Option<f64>,
    pub bultos_tras_capacidad: u64,
    /// ⌊max(0, CEDI stock) / UPB⌋ when the cap is on.
    pub bultos_disponibles_cedi: Option<u64>,
    pub bultos_finales: u64,
}

/// Everything the explanation modal shows for a line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub regla_decisiva: DecisionRule,
    pub entradas: ExplanationInputs,
    /// Windows resolved from the same [`ParamConfig`] (the ones [`calculate_store`] uses).
    pub ventanas: ResolvedWindows,
    /// Local P75 with the sorted values and the interpolation.
    pub p75: P75Detail,
    pub parametros: Option<ResolvedParams>,
    pub niveles: Option<Levels>,
    pub reorden: Option<ReorderDecision>,
    pub pasos: QuantitySteps,
    /// Left out of a serialised line: a grid of thousands of lines asks for each line's
    /// explanation only when a person opens it.
    #[serde(skip)]
    pub left_out: bool,
}

impl Explanation {
    pub fn is_left_out(&self) -> bool {
        self.left_out
    }
}

/// One line of the `/calcular` response (§7.4; JSON names kept from the original).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    // Identification
    pub codigo_producto: Text,
    pub codigo_barras: Option<Text>,
    pub descripcion_producto: Text,
    pub categoria: Option<Text>,
    pub grupo: Option<Text>,
    pub subgrupo: Option<Text>,
    pub marca: Option<Text>,
    pub presentacion: Option<Text>,
    pub cuadrante_producto: Option<Text>,
    /// UPB (units per pack).
    pub cantidad_bultos: f64,
    pub unidad_pedido: Text,
    /// Grams per unit; 1000 when unknown.
    pub peso_unidad: f64,
    pub peso_desconocido: bool,
    // Sales
    pub prom_ventas_5dias_unid: f64,
    pub prom_ventas_20dias_unid: f64,
    pub prom_top3_unid: f64,
    /// The demand actually used (local P75, or the reference / trial demand).
    pub prom_p75_unid: f64,
    /// Legacy name: the 20-day mean.
    pub prom_ventas_8sem_unid: f64,
    /// Legacy name: the 20-day mean in packs.
    pub prom_ventas_8sem_bultos: f64,
    // Stock
    pub stock_tienda: f64,
    pub stock_en_transito: f64,
    /// The open orders behind `stock_en_transito`: number, date, state, ordered, arrived and
    /// pending packs (absent when nothing is in transit).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transito_detalle: Vec<super::transit::TransitLine>,
    /// E = store stock + in transit.
    pub stock_total: f64,
    pub stock_total_bultos: f64,
    /// Store stock / demand; 999 without demand.
    pub stock_dias_cobertura: f64,
    pub stock_cedi_origen: f64,
    // Classification and levels (units)
    pub clasificacion_abc: Option<AbcClass>,
    pub clase_efectiva: Option<AbcClass>,
    pub es_generador_trafico: bool,
    /// Packs are counted with a pack size nobody set (1 unit): the buyer should correct it.
    pub bulto_sin_definir: bool,
    pub stock_seguridad: f64,
    pub punto_reorden: f64,
    /// Same as `punto_reorden`.
    pub stock_minimo: f64,
    pub stock_maximo: f64,
    // Result
    pub cantidad_sugerida_unid: f64,
    pub cantidad_sugerida_bultos: u64,
    /// Same value as `cantidad_sugerida_bultos` (the grid's "Sug").
    pub cantidad_ajustada_bultos: u64,
    /// Packs before the CEDI cap.
    pub cantidad_necesaria_bultos: u64,
    pub limitado_por_cedi: bool,
    pub razon_pedido: String,
    pub metodo_calculo: Option<CalculationMethod>,
    pub tiene_sobrestock: bool,
    pub exceso_unidades: f64,
    pub exceso_bultos: u64,
    pub dias_exceso: f64,
    pub capacidad_maxima_configurada: Option<f64>,
    /// Units before the capacity adjustment, when it applied.
    pub cantidad_antes_ajuste_capacidad: Option<f64>,
    pub ajustado_por_capacidad: bool,
    pub tipo_restriccion_capacidad: Option<String>,
    pub notas_capacidad: Option<String>,
    pub minimo_exhibicion_configurado: Option<f64>,
    pub ajustado_por_minimo_exhibicion: bool,
    pub warnings_calculo: Vec<String>,
    #[serde(flatten)]
    pub criticidad: Criticality,
    pub v2_prom_dow: [f64; 7],
    /// Dated sales behind each weekday mean (the V2 modal); left empty in list responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub v2_historico_dow: Vec<WeekdayHistory>,
    /// Absent when there is no calculation.
    #[serde(flatten)]
    pub v2: Option<WeekdayCoverage>,
    #[serde(skip_serializing_if = "Explanation::is_left_out")]
    pub explicacion: Explanation,
}

/// Computes one line (§7.3 steps 2–9).
///
/// Rebuild behaviour where the original was defective (spec 30 §7.3, §18):
/// * an overstocked trial / regional line keeps its `metodo_calculo` (the original relabelled
///   it `padre_prudente`, hiding why the product was there);
/// * the trial minimum of 1 pack applies only when the store holds nothing (E ≤ 0); the
///   original forced it whenever the calculation gave 0, i.e. when stock was already above ROP;
/// * the display minimum is compared with the effective stock (store + transit) and rounded to
///   whole packs (the original used store stock and left the units unaligned);
/// * capacity rounds **down** (⌊space / UPB⌋); the original rounded up, so the stock after
///   receipt could exceed the capacity (E9);
/// * the CEDI cap is applied by the backend when `limitar_por_stock_cedi` is on (default); the
///   original disabled it in the backend while its modal and multi-store flow applied it.
pub fn suggest(p: &ProductInput, demanda: &LineDemand, params: &ParamConfig, ajustes: &EngineSettings, today: NaiveDate) -> Suggestion {
    suggest_line(p, demanda, params, ajustes, today, true)
}

/// Step 2 (§7.3): the demand a line is computed with (the local P75, a regional reference or
/// a trial shipment's reference) and its σ, with the local figures they were chosen from.
#[derive(Debug, Clone, Copy)]
struct DemandChoice {
    /// Local P75 clamped to 0 (a negative P75 is "no demand").
    local_p75: f64,
    local_sigma: f64,
    p75_ref: f64,
    es_prueba: bool,
    es_regional: bool,
    demanda_usada: f64,
    fuente: DemandSource,
    sigma_usada: f64,
}

fn choose_demand(demanda: &LineDemand, stock_cedi: f64) -> DemandChoice {
    let local = &demanda.local;
    // A negative P75 (returns only in the window) is "no demand", not "never sold": only an
    // exact 0 makes a trial shipment (§7.3). It is clamped to 0 for every formula below.
    let raw_local_p75 = finite(local.p75);
    let local_p75 = raw_local_p75.max(0.0);
    let local_sigma = finite(local.sigma).max(0.0);
    let p75_ref = finite(demanda.referencia.p75_ref).max(0.0);
    let es_prueba = raw_local_p75 == 0.0 && stock_cedi > 0.0;
    let es_regional = !es_prueba
        && local_p75 > 0.0
        && local_p75 < REGIONAL_LOCAL_P75_LIMIT
        && p75_ref > REGIONAL_REFERENCE_RATIO * local_p75
        && stock_cedi > 0.0;
    let (demanda_usada, fuente) = if es_prueba {
        if p75_ref > 0.0 {
            (p75_ref, DemandSource::PruebaReferencia)
        } else {
            let f = demanda.respaldo_prueba;
            let v = finite(f.valor);
            if v > 0.0 {
                (v, f.fuente)
            } else {
                (DEFAULT_TRIAL_DEMAND, DemandSource::PruebaPredeterminada)
            }
        }
    } else if es_regional {
        (p75_ref, DemandSource::ReferenciaRegional)
    } else {
        (local_p75, DemandSource::Local)
    };
    let sigma_usada = if (es_prueba || es_regional) && local_sigma <= 0.0 { REFERENCE_SIGMA_FACTOR * demanda_usada } else { local_sigma };
    DemandChoice { local_p75, local_sigma, p75_ref, es_prueba, es_regional, demanda_usada, fuente, sigma_usada }
}

/// `metodo_calculo`: the trial and the regional reference name themselves; otherwise the
/// level method of the effective class.
fn calculation_method(d: &DemandChoice, clase_efectiva: Option<AbcClass>) -> Option<CalculationMethod> {
    if d.es_prueba {
        Some(CalculationMethod::EnvioPrueba)
    } else if d.es_regional {
        Some(CalculationMethod::ReferenciaRegional)
    } else {
        clase_efectiva.map(|c| match LevelMethod::for_class(c) {
            LevelMethod::Estadistico => CalculationMethod::Estadistico,
            LevelMethod::PadrePrudente => CalculationMethod::PadrePrudente,
        })
    }
}

/// The reason of a trial or regional line (the quantity steps may replace it).
fn demand_reason(d: &DemandChoice, tienda_ref: Option<&Text>) -> String {
    if d.es_prueba {
        match (tienda_ref, d.fuente) {
            (Some(t), DemandSource::PruebaReferencia) => format!("Envío prueba (ref: {t})"),
            _ => "Envío prueba".to_string(),
        }
    } else if d.es_regional {
        format!("P75 ref: {}", tienda_ref.map_or("-", |t| &**t))
    } else {
        String::new()
    }
}

/// Warnings about the line's inputs: undefined pack, negative stock, trial, regional reference.
fn input_warnings(p: &ProductInput, stock_tienda: f64, d: &DemandChoice, tienda_ref: Option<&Text>) -> Vec<String> {
    let tienda_ref = tienda_ref.map_or("-", |t| &**t);
    let mut warnings = Vec::new();
    if p.bulto_sin_definir {
        warnings
            .push("bulto_sin_definir: el POS no informa unidades por bulto; se calcula con 1 hasta corregirlo en Productos".to_string());
    }
    if stock_tienda < 0.0 {
        warnings.push(format!("stock_negativo: el stock en tienda es negativo ({})", fmt_qty(stock_tienda)));
    }
    if d.es_prueba {
        warnings.push(format!(
            "envio_prueba: sin ventas locales y con stock en CEDI; demanda de referencia {} u/día ({})",
            fmt_qty(d.demanda_usada),
            match d.fuente {
                DemandSource::PruebaReferencia => format!("P75 regional, ref: {tienda_ref}"),
                DemandSource::PruebaMedianaCategoria => "mediana de la categoría".to_string(),
                DemandSource::PruebaMedianaGlobal => "mediana de todos los productos".to_string(),
                _ => "valor predeterminado".to_string(),
            }
        ));
    }
    if d.es_regional {
        warnings.push(format!(
            "referencia_regional: P75 local {} < {} y P75 regional {} > {}× el local; se usa el regional (ref: {})",
            fmt_qty(d.local_p75),
            fmt_qty(REGIONAL_LOCAL_P75_LIMIT),
            fmt_qty(d.p75_ref),
            fmt_qty(REGIONAL_REFERENCE_RATIO),
            tienda_ref
        ));
    }
    warnings
}

/// What steps 3–8 decided for a line.
#[derive(Debug, Clone)]
struct QuantityOutcome {
    steps: QuantitySteps,
    regla: DecisionRule,
    packs: u64,
    /// Packs before the CEDI cap.
    necesaria: u64,
    limitado: bool,
    antes_capacidad: Option<f64>,
    ajustado_cap: bool,
    ajustado_min: bool,
    levels: Option<Levels>,
    reorder: Option<ReorderDecision>,
    /// Replaces the demand reason (overstock, no demand).
    razon: Option<&'static str>,
}

impl QuantityOutcome {
    /// No calculation: no class or no demand.
    fn no_demand() -> QuantityOutcome {
        QuantityOutcome {
            steps: QuantitySteps::default(),
            regla: DecisionRule::SinDemanda,
            packs: 0,
            necesaria: 0,
            limitado: false,
            antes_capacidad: None,
            ajustado_cap: false,
            ajustado_min: false,
            levels: None,
            reorder: None,
            razon: Some(REASON_NO_DEMAND),
        }
    }
}

/// The stocks and limits the quantity steps read.
struct StockPosition<'a> {
    /// Effective stock: store + in transit.
    e: f64,
    stock_cedi: f64,
    pack: PackSize,
    minimo: Option<f64>,
    capacidad: Option<f64>,
    limits: &'a StorageLimits,
}

/// Steps 3–8 (§7.3): levels and base quantity, overstock, trial minimum, display minimum,
/// storage capacity and the CEDI cap, in that order; each later step sees the earlier ones.
fn quantity(
    c: AbcClass,
    rp: &ResolvedParams,
    d: &DemandChoice,
    local: &DemandStats,
    s: &StockPosition<'_>,
    ajustes: &EngineSettings,
    warnings: &mut Vec<String>,
) -> QuantityOutcome {
    // Step 3: levels and base quantity.
    let lv = compute_levels(&LevelInputs {
        clase: c,
        demanda: d.demanda_usada,
        sigma: d.sigma_usada,
        demanda_maxima: finite(local.demanda_maxima),
        lead_time: rp.lead_time.valor,
        z: rp.z.valor,
        cobertura_dias: rp.cobertura_dias.valor,
    });
    let ro = reorder(s.e, &lv, d.demanda_usada, s.pack);
    warnings.extend(sanity_warnings(c, d.demanda_usada, d.sigma_usada, &lv));
    let mut q = QuantityOutcome {
        steps: QuantitySteps { bultos_base: ro.bultos, ..QuantitySteps::default() },
        regla: DecisionRule::ReglaReorden,
        packs: ro.bultos,
        necesaria: 0,
        limitado: false,
        antes_capacidad: None,
        ajustado_cap: false,
        ajustado_min: false,
        levels: Some(lv),
        reorder: Some(ro),
        razon: None,
    };
    if ro.sobrestock.is_some() {
        // Step 4: overstock short-circuit (a trial / regional line keeps its method).
        q.packs = 0;
        q.regla = DecisionRule::Sobrestock;
        q.razon = Some(REASON_OVERSTOCK);
        q.steps.omitidos_por_sobrestock = true;
        return q;
    }
    // Step 5: trial minimum, only when the store holds nothing.
    if d.es_prueba && q.packs == 0 && s.e <= 0.0 {
        q.packs = 1;
        q.regla = DecisionRule::MinimoPrueba;
    }
    q.steps.bultos_tras_minimo_prueba = q.packs;
    apply_display_minimum(&mut q, s, warnings);
    q.steps.bultos_tras_minimo_exhibicion = q.packs;
    apply_capacity(&mut q, s, warnings);
    q.steps.bultos_tras_capacidad = q.packs;
    apply_cedi_cap(&mut q, s, ajustes, warnings);
    q
}

/// Step 6: the display minimum, against effective stock.
fn apply_display_minimum(q: &mut QuantityOutcome, s: &StockPosition<'_>, warnings: &mut Vec<String>) {
    let Some(min) = s.minimo else { return };
    let req = (min - s.e).max(0.0);
    q.steps.requerido_minimo_exhibicion_unidades = Some(req);
    let req_packs = packs_ceil(req, s.pack);
    if req_packs > q.packs {
        q.packs = req_packs;
        q.regla = DecisionRule::MinimoExhibicion;
        q.ajustado_min = true;
        warnings.push(format!(
            "MÍNIMO EXHIBICIÓN: elevado a {} unidades ({} bultos) para alcanzar {} unidades en exhibición (stock efectivo {})",
            fmt_qty(packs_to_units(q.packs, s.pack)),
            q.packs,
            fmt_qty(min),
            fmt_qty(s.e)
        ));
    }
}

/// Step 7: the storage capacity, rounded down; wins over the display minimum.
fn apply_capacity(q: &mut QuantityOutcome, s: &StockPosition<'_>, warnings: &mut Vec<String>) {
    let Some(cap) = s.capacidad else { return };
    let libre = (cap - s.e).max(0.0);
    q.steps.espacio_libre_unidades = Some(libre);
    let cabe = packs_floor(libre, s.pack);
    if q.packs > cabe {
        let antes = packs_to_units(q.packs, s.pack);
        q.antes_capacidad = Some(antes);
        q.packs = cabe;
        q.regla = DecisionRule::Capacidad;
        q.ajustado_cap = true;
        warnings.push(format!(
            "CAPACIDAD LIMITADA: ajustado de {} a {} unidades por capacidad de {} ({} unidades). Stock {} | espacio libre {}",
            fmt_qty(antes),
            fmt_qty(packs_to_units(q.packs, s.pack)),
            s.limits.tipo_restriccion.as_deref().unwrap_or(DEFAULT_RESTRICTION_TYPE),
            fmt_qty(cap),
            fmt_qty(s.e),
            fmt_qty(libre)
        ));
    }
}

/// Step 8: the CEDI availability cap (when `limitar_por_stock_cedi`).
fn apply_cedi_cap(q: &mut QuantityOutcome, s: &StockPosition<'_>, ajustes: &EngineSettings, warnings: &mut Vec<String>) {
    q.necesaria = q.packs;
    if !ajustes.limitar_por_stock_cedi {
        return;
    }
    let disponibles = packs_floor(s.stock_cedi.max(0.0), s.pack);
    q.steps.bultos_disponibles_cedi = Some(disponibles);
    if q.packs > disponibles {
        q.packs = disponibles;
        q.regla = DecisionRule::TopeCedi;
        q.limitado = true;
        warnings.push(format!(
            "limitado_por_cedi: limitado por stock en CEDI de {} a {} bultos (stock CEDI {})",
            q.necesaria,
            q.packs,
            fmt_qty(s.stock_cedi)
        ));
    }
}

/// [`suggest`], keeping the day-by-day V2 detail (dated weekday sales, coverage simulation)
/// only when `detalle_v2`: the per-product modal shows it, a store's list does not, and it
/// is most of a line's size and work. Every other field is identical either way.
///
/// Steps: the demand used ([`choose_demand`]), the effective class and method, the input
/// warnings, the quantity ([`quantity`]: steps 3–8), then criticality and the V2 coverage.
fn suggest_line(
    p: &ProductInput,
    demanda: &LineDemand,
    params: &ParamConfig,
    ajustes: &EngineSettings,
    today: NaiveDate,
    detalle_v2: bool,
) -> Suggestion {
    let pack = PackSize::new(p.unidades_por_bulto);
    let upb = pack.units();
    let stock_tienda = finite(p.stock_tienda);
    let en_transito = finite(p.stock_en_transito);
    let stock_cedi = finite(p.stock_cedi);
    let e = stock_tienda + en_transito;
    let local = &demanda.local;
    let limits = &p.limites;
    let capacidad = positive(limits.capacidad_maxima);
    let minimo = positive(limits.minimo_exhibicion);

    // Step 2: reference demand, trial shipment.
    let d = choose_demand(demanda, stock_cedi);
    let demanda_usada = d.demanda_usada;
    let tiene_ventas = local.dias_venta_ventana > 0 || local.total_ventana > 0.0;
    let clase = effective_class(p.clase_abc, p.es_generador_trafico, d.es_prueba, tiene_ventas);
    let clase_efectiva = clase.map(|(c, _)| c);
    let metodo_calculo = calculation_method(&d, clase_efectiva);
    let tienda_ref = demanda.referencia.tienda_ref.clone();
    let mut warnings = input_warnings(p, stock_tienda, &d, tienda_ref.as_ref());
    // Spec 40 §5.3: an active traffic generator is computed as class A (class A service level
    // and coverage days), whatever its ABC class — in every path that runs this engine (the
    // single-store wizard and each store of a multi-store batch). Said on the line, so the
    // buyer sees why a class C product got class A levels.
    if matches!(clase, Some((_, ClassReason::GeneradorTrafico))) {
        warnings.push(format!(
            "generador_trafico: Generador de tráfico: calculado como clase A (nivel de servicio y días de cobertura de la clase A; \
             clase ABC {})",
            p.clase_abc.map(|c| c.as_str()).unwrap_or("sin clasificar")
        ));
    }

    let windows = resolve_windows(&params.global);
    let parametros = clase_efectiva.map(|c| resolve_params(params, p.categoria.as_deref(), c));
    let position = StockPosition { e, stock_cedi, pack, minimo, capacidad, limits };
    let q = match (clase_efectiva, &parametros) {
        (Some(c), Some(rp)) if demanda_usada > 0.0 => quantity(c, rp, &d, local, &position, ajustes, &mut warnings),
        _ => QuantityOutcome::no_demand(),
    };
    let razon = q.razon.map_or_else(|| demand_reason(&d, tienda_ref.as_ref()), str::to_string);
    let packs = q.packs;
    let mut steps = q.steps;
    steps.bultos_finales = packs;
    let levels_out = q.levels;
    let reorder_out = q.reorder;
    let unidades = packs_to_units(packs, pack);

    let (ss, rop, max) = levels_out.map_or((0.0, 0.0, 0.0), |l| (l.stock_seguridad, l.punto_reorden, l.stock_maximo));
    let crit = if levels_out.is_some() { criticality(demanda_usada, e, ss, rop, max, clase_efectiva) } else { Criticality::none() };
    let v2 = match (&levels_out, &parametros) {
        (Some(l), Some(rp)) => Some(weekday_coverage(&CoverageInput {
            today,
            lead_time: rp.lead_time.valor,
            cobertura_dias: rp.cobertura_dias.valor,
            prom_dow: local.prom_dow,
            media_ventana: finite(local.media_ventana),
            stock_seguridad: l.stock_seguridad,
            stock_tienda,
            stock_efectivo: e,
            pack,
            unidades_sugeridas: unidades,
            bultos_sugeridos: packs,
            con_simulacion: detalle_v2,
        })),
        _ => None,
    };
    let sobrestock = reorder_out.and_then(|r| r.sobrestock);
    let peso_kg = positive(p.peso_unitario_kg);
    let media = finite(local.media_ventana);

    Suggestion {
        codigo_producto: p.codigo.clone(),
        codigo_barras: p.codigo_barras.clone(),
        descripcion_producto: p.descripcion.clone(),
        categoria: p.categoria.clone(),
        grupo: p.grupo.clone(),
        subgrupo: p.subgrupo.clone(),
        marca: p.marca.clone(),
        presentacion: p.presentacion.clone(),
        cuadrante_producto: p.cuadrante.clone(),
        cantidad_bultos: upb,
        unidad_pedido: p.unidad_pedido.clone().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| DEFAULT_ORDER_UNIT.into()),
        peso_unidad: peso_kg.map_or(DEFAULT_UNIT_WEIGHT_G, |kg| kg * 1000.0),
        peso_desconocido: peso_kg.is_none(),
        prom_ventas_5dias_unid: finite(local.media_5dias),
        prom_ventas_20dias_unid: media,
        prom_top3_unid: finite(local.media_top3),
        prom_p75_unid: demanda_usada,
        prom_ventas_8sem_unid: media,
        prom_ventas_8sem_bultos: media / upb,
        stock_tienda,
        stock_en_transito: en_transito,
        transito_detalle: p.transito_detalle.clone(),
        stock_total: e,
        stock_total_bultos: e / upb,
        stock_dias_cobertura: if demanda_usada > 0.0 { stock_tienda / demanda_usada } else { NO_DEMAND_DAYS },
        stock_cedi_origen: stock_cedi,
        clasificacion_abc: p.clase_abc,
        clase_efectiva,
        es_generador_trafico: p.es_generador_trafico,
        bulto_sin_definir: p.bulto_sin_definir,
        stock_seguridad: ss,
        punto_reorden: rop,
        stock_minimo: rop,
        stock_maximo: max,
        cantidad_sugerida_unid: unidades,
        cantidad_sugerida_bultos: packs,
        cantidad_ajustada_bultos: packs,
        cantidad_necesaria_bultos: q.necesaria,
        limitado_por_cedi: q.limitado,
        razon_pedido: razon,
        metodo_calculo,
        tiene_sobrestock: sobrestock.is_some(),
        exceso_unidades: sobrestock.map_or(0.0, |o| o.exceso_unidades),
        exceso_bultos: sobrestock.map_or(0, |o| o.exceso_bultos),
        dias_exceso: sobrestock.map_or(0.0, |o| o.dias_exceso),
        capacidad_maxima_configurada: capacidad,
        cantidad_antes_ajuste_capacidad: q.antes_capacidad,
        ajustado_por_capacidad: q.ajustado_cap,
        tipo_restriccion_capacidad: capacidad
            .map(|_| limits.tipo_restriccion.clone().unwrap_or_else(|| DEFAULT_RESTRICTION_TYPE.to_string())),
        notas_capacidad: limits.notas.clone(),
        minimo_exhibicion_configurado: minimo,
        ajustado_por_minimo_exhibicion: q.ajustado_min,
        warnings_calculo: warnings,
        criticidad: crit,
        v2_prom_dow: local.prom_dow,
        v2_historico_dow: if detalle_v2 { local.historico_dow.clone() } else { Vec::new() },
        v2,
        explicacion: Explanation {
            regla_decisiva: q.regla,
            entradas: ExplanationInputs {
                demanda_local_p75: d.local_p75,
                demanda_usada,
                fuente_demanda: d.fuente,
                p75_referencia: d.p75_ref,
                tienda_referencia: tienda_ref,
                sigma_local: d.local_sigma,
                sigma_usada: d.sigma_usada,
                demanda_maxima_local: finite(local.demanda_maxima),
                stock_tienda,
                stock_en_transito: en_transito,
                stock_efectivo: e,
                stock_cedi,
                unidades_por_bulto: upb,
                clase_abc: p.clase_abc,
                clase_efectiva,
                motivo_clase: clase.map(|(_, r)| r),
                capacidad_maxima: capacidad,
                minimo_exhibicion: minimo,
                limitar_por_stock_cedi: ajustes.limitar_por_stock_cedi,
            },
            ventanas: windows,
            p75: local.p75_detalle.clone(),
            parametros,
            niveles: levels_out,
            reorden: reorder_out,
            pasos: steps,
            left_out: false,
        },
    }
}

/// One store calculation request (§7.1–§7.2), data already loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreInput {
    /// Business date in the tenant time zone.
    pub today: NaiveDate,
    /// Active products of the origin CEDI's catalogue with their data at the destination.
    pub productos: Vec<ProductInput>,
    /// Codes excluded for the destination store (active rows).
    pub productos_excluidos: Vec<String>,
    /// Atypical days of the destination store.
    pub dias_atipicos: Vec<NaiveDate>,
    /// Optional `cuadrantes` filter; empty cuadrante matches `NO ESPECIFICADO`.
    pub cuadrantes: Option<Vec<String>>,
    pub parametros: ParamConfig,
    pub ajustes: EngineSettings,
    /// Keep the day-by-day V2 detail on every line (see [`suggest`]).
    pub detalle_v2: bool,
    /// Active substitutable sets (spec 31 §5); empty changes nothing.
    pub conjuntos: Vec<SubstituteSet>,
}

/// Replaces the demand of the members of each set by their redistributed demand (spec 31 §5)
/// before any line is computed; returns the note each changed line carries, by code.
fn apply_sets(candidates: &mut [(&ProductInput, DemandStats)], sets: &[SubstituteSet], today: NaiveDate) -> HashMap<String, String> {
    let mut notes = HashMap::new();
    if sets.is_empty() {
        return notes;
    }
    let index: HashMap<String, usize> =
        candidates.iter().enumerate().map(|(i, (p, _))| (p.codigo.as_str().trim().to_string(), i)).collect();
    for set in sets {
        let members: Vec<MemberDemand> = set
            .miembros
            .iter()
            .map(|(code, _)| match index.get(code.as_str()) {
                Some(&i) => {
                    let (p, s) = &candidates[i];
                    MemberDemand {
                        p75: s.p75,
                        sigma: s.sigma,
                        unidades_ventana: units_in_window(&p.ventas_diarias, today, SHARE_WINDOW_DAYS),
                        stock_cedi: p.stock_cedi,
                    }
                }
                // Neither sold nor stocked anywhere it matters: no demand, no origin stock.
                None => MemberDemand { p75: 0.0, sigma: 0.0, unidades_ventana: 0.0, stock_cedi: 0.0 },
            })
            .collect();
        for ((code, _), r) in set.miembros.iter().zip(apply_set(set, &members)) {
            if let (Some(r), Some(&i)) = (r, index.get(code.as_str())) {
                candidates[i].1.p75 = r.p75;
                candidates[i].1.sigma = r.sigma;
                notes.insert(code.clone(), r.nota);
            }
        }
    }
    notes
}

fn cuadrante_key(c: Option<&str>) -> String {
    let k = c.map(|s| s.trim().to_uppercase()).unwrap_or_default();
    if k.is_empty() {
        "NO ESPECIFICADO".to_string()
    } else {
        k
    }
}

/// The whole store calculation: candidates (20-day sales > 0, or store stock > 0, or CEDI stock
/// > 0; excluded codes removed), trial fallbacks over those candidates, one line each, the
/// > `cuadrantes` filter, sorted by 20-day sales total descending then code.
///
/// The trial medians are taken over all candidates before the `cuadrantes` filter, so a display
/// filter never changes a quantity.
///
/// `workers` is how many threads may share the lines (the caller knows the machine and what
/// else runs; 1 computes them on the calling thread). The result does not depend on it.
pub fn calculate_store(input: &StoreInput, workers: usize) -> Vec<Suggestion> {
    let windows = resolve_windows(&input.parametros.global).windows();
    let mut candidates: Vec<(&ProductInput, DemandStats)> = input
        .productos
        .iter()
        .filter(|p| !input.productos_excluidos.iter().any(|c| c.trim() == p.codigo.trim()))
        .map(|p| (p, demand_stats_with(&p.ventas_diarias, input.today, windows, &input.dias_atipicos, input.detalle_v2)))
        .filter(|(p, s)| s.total_ventana > 0.0 || p.stock_tienda > 0.0 || p.stock_cedi > 0.0)
        .collect();
    let set_notes = apply_sets(&mut candidates, &input.conjuntos, input.today);
    let fallbacks = TrialFallbacks::from_candidates(candidates.iter().map(|(p, s)| (p.categoria.as_deref(), s.p75)));
    let filtro: Option<Vec<String>> = input.cuadrantes.as_ref().map(|v| v.iter().map(|c| cuadrante_key(Some(c))).collect());
    let mut kept: Vec<(&ProductInput, DemandStats)> = candidates
        .into_iter()
        .filter(|(p, _)| filtro.as_ref().is_none_or(|f| f.contains(&cuadrante_key(p.cuadrante.as_deref()))))
        .collect();
    // The order is known before any line is computed (window total descending, then code),
    // so the inputs are sorted, not the results: a Suggestion is a few KB, and every move of
    // thousands of them showed in the profile.
    kept.sort_by(|(pa, a), (pb, b)| b.total_ventana.total_cmp(&a.total_ventana).then_with(|| pa.codigo.cmp(&pb.codigo)));
    let line = |(p, s): &mut (&ProductInput, DemandStats)| -> Suggestion {
        let line = LineDemand {
            referencia: p.referencia_calculada.clone().unwrap_or_else(|| reference_demand(&p.referencia, input.today, windows)),
            respaldo_prueba: fallbacks.for_category(p.categoria.as_deref()),
            local: std::mem::take(s),
        };
        let mut s = suggest_line(p, &line, &input.parametros, &input.ajustes, input.today, input.detalle_v2);
        if let Some(note) = set_notes.get(p.codigo.as_str().trim()) {
            s.razon_pedido = format!("{} · {note}", s.razon_pedido);
        }
        s
    };
    // Lines are independent: split them over the workers; chunks are contiguous, so joining
    // them in order keeps the sorted order.
    let threads = workers.max(1);
    let (lines, chunk) = (kept.len(), kept.len().div_ceil(threads).max(1));
    if threads > 1 && lines > 256 {
        std::thread::scope(|scope| {
            let handles: Vec<_> =
                kept.chunks_mut(chunk).map(|part| scope.spawn(move || part.iter_mut().map(line).collect::<Vec<_>>())).collect();
            let mut out = Vec::with_capacity(lines);
            for h in handles {
                out.extend(h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            out
        })
    } else {
        kept.iter_mut().map(line).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::replenishment::criticality::CriticalityLevel;
    use crate::domain::replenishment::parameters::{CategoryOverride, GlobalParams, ParamSource, PerClass};
    use proptest::prelude::*;
    use AbcClass::*;

    const TOL: f64 = 1e-3;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < TOL
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 14).expect("valid date")
    }

    fn no_cap() -> EngineSettings {
        EngineSettings { limitar_por_stock_cedi: false }
    }

    fn product(clase: Option<AbcClass>, upb: f64, stock: f64) -> ProductInput {
        ProductInput {
            codigo: "000001".into(),
            descripcion: "Producto".into(),
            unidades_por_bulto: Some(upb),
            clase_abc: clase,
            stock_tienda: stock,
            ..Default::default()
        }
    }

    fn demand(p75: f64, sigma: f64, dmax: f64) -> LineDemand {
        LineDemand {
            local: DemandStats {
                p75,
                sigma,
                demanda_maxima: dmax,
                dias_venta_ventana: if p75 > 0.0 { 10 } else { 0 },
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn run(p: &ProductInput, d: &LineDemand) -> Suggestion {
        suggest(p, d, &ParamConfig::default(), &no_cap(), today())
    }

    fn e1() -> (ProductInput, LineDemand) {
        (product(Some(A), 12.0, 30.0), demand(40.0, 12.0, 60.0))
    }

    #[test]
    fn e1_class_a_statistical_critical() {
        let (p, d) = e1();
        let s = run(&p, &d);
        let lv = s.explicacion.niveles.expect("levels computed");
        assert!(close(s.stock_seguridad, 34.2439));
        assert!(close(lv.demanda_ciclo, 60.0));
        assert!(close(s.punto_reorden, 94.2439));
        assert!(close(s.stock_minimo, 94.2439));
        assert!(close(s.stock_maximo, 374.2439));
        let ro = s.explicacion.reorden.expect("reorder computed");
        assert!(ro.reordenar);
        assert!(close(ro.necesidad_unidades, 344.2439));
        assert_eq!(s.cantidad_sugerida_bultos, 29);
        assert_eq!(s.cantidad_ajustada_bultos, 29);
        assert_eq!(s.cantidad_sugerida_unid, 348.0);
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::Estadistico));
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::ReglaReorden);
        assert_eq!(s.criticidad.nivel_criticidad, Some(1));
        assert_eq!(s.criticidad.estado_criticidad, Some(CriticalityLevel::Critico));
        assert_eq!(s.criticidad.criticidad, 11);
        assert!(close(s.criticidad.dias_stock.unwrap_or(-1.0), 0.75));
        assert!(close(s.criticidad.dias_stock_seguridad.unwrap_or(-1.0), 0.856));
        let rp = s.explicacion.parametros.expect("params resolved");
        assert_eq!(rp.lead_time.fuente, ParamSource::Predeterminado);
        assert_eq!(rp.z.valor, 2.33);
    }

    #[test]
    fn e2_between_rop_and_max() {
        let (mut p, d) = e1();
        p.stock_tienda = 100.0;
        let s = run(&p, &d);
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert!(!s.tiene_sobrestock);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::ReglaReorden);
        assert_eq!(s.criticidad.estado_criticidad, Some(CriticalityLevel::Optimo));
        assert_eq!(s.criticidad.criticidad, 31);
        // Exactly at ROP → reorder (inclusive): 280 units → 24 packs.
        let rop = s.punto_reorden;
        p.stock_tienda = rop;
        let s = run(&p, &d);
        assert!(close(s.explicacion.reorden.map_or(0.0, |r| r.necesidad_unidades), 280.0));
        assert_eq!(s.cantidad_sugerida_bultos, 24);
    }

    #[test]
    fn e3_in_transit() {
        let (mut p, d) = e1();
        p.stock_en_transito = 60.0;
        let s = run(&p, &d);
        assert!(close(s.stock_total, 90.0));
        assert!(close(s.explicacion.reorden.map_or(0.0, |r| r.necesidad_unidades), 284.2439));
        assert_eq!(s.cantidad_sugerida_bultos, 24);
    }

    #[test]
    fn e4_sigma_zero_fallback_class_b() {
        let s = run(&product(Some(B), 6.0, 0.0), &demand(10.0, 0.0, 10.0));
        assert!(close(s.stock_seguridad, 4.5));
        assert!(close(s.punto_reorden, 19.5));
        assert!(close(s.stock_maximo, 159.5));
        assert_eq!(s.cantidad_sugerida_bultos, 27);
        assert_eq!(s.cantidad_sugerida_unid, 162.0);
    }

    #[test]
    fn e5_padre_prudente_class_d() {
        let s = run(&product(Some(D), 24.0, 1.0), &demand(2.0, 1.5, 6.0));
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::PadrePrudente));
        assert!(close(s.explicacion.niveles.map_or(0.0, |l| l.demanda_ciclo), 3.0));
        assert!(close(s.stock_seguridad, 6.0));
        assert!(close(s.punto_reorden, 9.0));
        assert!(close(s.stock_maximo, 69.0));
        assert!(close(s.explicacion.reorden.map_or(0.0, |r| r.necesidad_unidades), 68.0));
        assert_eq!(s.cantidad_sugerida_bultos, 3);
        assert_eq!(s.cantidad_sugerida_unid, 72.0);
    }

    #[test]
    fn e6_class_d_single_data_point() {
        let s = run(&product(Some(D), 1.0, 0.0), &demand(5.0, 0.0, 5.0));
        assert!(close(s.stock_seguridad, 1.5));
        assert!(close(s.punto_reorden, 9.0));
        assert!(close(s.stock_maximo, 159.0));
        assert_eq!(s.explicacion.niveles.map(|l| l.ss_por_respaldo), Some(true));
    }

    #[test]
    fn e7_overstock_beats_display_minimum() {
        let mut p = product(Some(C), 6.0, 120.0);
        p.limites.minimo_exhibicion = Some(150.0);
        let s = run(&p, &demand(4.0, 2.0, 8.0));
        assert!(close(s.stock_seguridad, 3.1353));
        assert!(close(s.punto_reorden, 9.1353));
        assert!(close(s.stock_maximo, 93.1353));
        assert!(s.tiene_sobrestock);
        assert!(close(s.exceso_unidades, 26.8647));
        assert_eq!(s.exceso_bultos, 5);
        assert!(close(s.dias_exceso, 6.716));
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert_eq!(s.razon_pedido, REASON_OVERSTOCK);
        assert!(!s.ajustado_por_minimo_exhibicion);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::Sobrestock);
        assert!(s.explicacion.pasos.omitidos_por_sobrestock);
        assert_eq!(s.criticidad.estado_criticidad, Some(CriticalityLevel::Exceso));
        assert_eq!(s.criticidad.criticidad, 43);
    }

    #[test]
    fn e8_display_minimum_raises() {
        let mut p = product(Some(D), 10.0, 8.0);
        p.limites.minimo_exhibicion = Some(50.0);
        let s = run(&p, &demand(1.0, 0.5, 3.0));
        assert!(close(s.stock_seguridad, 3.0));
        assert!(close(s.punto_reorden, 4.5));
        assert!(close(s.stock_maximo, 34.5));
        assert_eq!(s.explicacion.pasos.bultos_base, 0);
        assert_eq!(s.explicacion.pasos.requerido_minimo_exhibicion_unidades, Some(42.0));
        assert_eq!(s.cantidad_sugerida_bultos, 5);
        assert_eq!(s.cantidad_sugerida_unid, 50.0);
        assert!(s.ajustado_por_minimo_exhibicion);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::MinimoExhibicion);
        assert!(s.warnings_calculo.iter().any(|w| w.starts_with("MÍNIMO EXHIBICIÓN:")));
    }

    #[test]
    fn e9_capacity_caps_with_floor() {
        let (mut p, d) = e1();
        p.limites.capacidad_maxima = Some(200.0);
        let s = run(&p, &d);
        assert_eq!(s.explicacion.pasos.espacio_libre_unidades, Some(170.0));
        assert_eq!(s.cantidad_sugerida_bultos, 14);
        assert_eq!(s.cantidad_sugerida_unid, 168.0);
        assert!(s.stock_tienda + s.cantidad_sugerida_unid <= 200.0);
        assert_eq!(s.cantidad_antes_ajuste_capacidad, Some(348.0));
        assert!(s.ajustado_por_capacidad);
        assert_eq!(s.tipo_restriccion_capacidad.as_deref(), Some("espacio_fisico"));
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::Capacidad);
        p.limites.capacidad_maxima = Some(35.0);
        let s = run(&p, &d);
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert!(s.ajustado_por_capacidad);
        assert!(s.warnings_calculo.iter().any(|w| w.starts_with("CAPACIDAD LIMITADA:")));
    }

    #[test]
    fn e10_both_limits() {
        // Class D, D = 1, D_max = 10, coverage 20: ROP = 15, MAX = 35 → proposal 25 with stock 10.
        let cfg = ParamConfig {
            global: GlobalParams { cobertura_dias: PerClass { d: Some(20.0), ..Default::default() }, ..Default::default() },
            ..Default::default()
        };
        let mut p = product(Some(D), 1.0, 10.0);
        p.limites.minimo_exhibicion = Some(40.0);
        p.limites.capacidad_maxima = Some(100.0);
        let d = demand(1.0, 0.0, 10.0);
        let s = suggest(&p, &d, &cfg, &no_cap(), today());
        assert_eq!(s.explicacion.pasos.bultos_base, 25);
        assert_eq!(s.cantidad_sugerida_unid, 30.0);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::MinimoExhibicion);
        p.limites.capacidad_maxima = Some(35.0);
        let s = suggest(&p, &d, &cfg, &no_cap(), today());
        assert_eq!(s.explicacion.pasos.bultos_tras_minimo_exhibicion, 30);
        assert_eq!(s.cantidad_sugerida_unid, 25.0);
        assert!(s.ajustado_por_minimo_exhibicion && s.ajustado_por_capacidad);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::Capacidad);
    }

    fn trial_product(stock: f64) -> ProductInput {
        let mut p = product(None, 12.0, stock);
        p.stock_cedi = 500.0;
        p.categoria = Some("VIVERES".into());
        p
    }

    #[test]
    fn e11_trial_shipment() {
        let mut d = demand(0.0, 0.0, 0.0);
        d.referencia = ReferenceDemand {
            p75_ref: 6.0,
            tienda_ref_id: Some("tienda_02".into()),
            tienda_ref: Some("Tienda 02".into()),
            tiendas_con_venta: 1,
        };
        let s = run(&trial_product(0.0), &d);
        assert_eq!(s.clase_efectiva, Some(D));
        assert_eq!(s.explicacion.entradas.motivo_clase, Some(ClassReason::EnvioPrueba));
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::EnvioPrueba));
        assert_eq!(s.prom_p75_unid, 6.0);
        assert_eq!(s.explicacion.niveles.and_then(|l| l.demanda_maxima_usada), Some(12.0));
        assert!(close(s.explicacion.niveles.map_or(0.0, |l| l.demanda_ciclo), 9.0));
        assert!(close(s.stock_seguridad, 9.0));
        assert!(close(s.punto_reorden, 18.0));
        assert!(close(s.stock_maximo, 198.0));
        assert_eq!(s.cantidad_sugerida_bultos, 17);
        assert_eq!(s.cantidad_sugerida_unid, 204.0);
        assert_eq!(s.razon_pedido, "Envío prueba (ref: Tienda 02)");
        assert!(close(s.explicacion.entradas.sigma_usada, 1.8)); // 0.3 · demand, reported only

        // Stock 30 (> ROP, ≤ MAX): the calculation gives 0 and stays 0 (the original forced 1 pack).
        let s = run(&trial_product(30.0), &d);
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::ReglaReorden);
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::EnvioPrueba));

        // No reference sales; category local P75s {2, 5, 9, 14} → median 7.
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 1, n).expect("valid date");
        let mut productos = vec![trial_product(0.0)];
        for (i, v) in [2.0, 5.0, 9.0, 14.0].iter().enumerate() {
            let mut q = product(Some(B), 1.0, 0.0);
            q.codigo = format!("00010{i}").into();
            q.categoria = Some(" viveres ".into());
            q.ventas_diarias = vec![(day(10), *v)];
            productos.push(q);
        }
        let mut other = product(Some(A), 1.0, 0.0);
        other.codigo = "000200".into();
        other.categoria = Some("CARNES".into());
        other.ventas_diarias = vec![(day(10), 100.0)];
        productos.push(other);
        let out = calculate_store(
            &StoreInput {
                today: today(),
                productos,
                productos_excluidos: vec![],
                dias_atipicos: vec![],
                cuadrantes: None,
                parametros: ParamConfig::default(),
                ajustes: no_cap(),
                detalle_v2: true,
                conjuntos: Vec::new(),
            },
            2,
        );
        let s = out.iter().find(|s| s.codigo_producto == "000001").expect("trial line");
        assert_eq!(s.prom_p75_unid, 7.0);
        assert_eq!(s.explicacion.entradas.fuente_demanda, DemandSource::PruebaMedianaCategoria);
        assert_eq!(s.razon_pedido, "Envío prueba");
    }

    /// A product whose only movement in the demand window is a return has a negative P75:
    /// that is "no demand" (no calculation), not a trial shipment, even with CEDI stock and
    /// a regional reference. The earlier system did the same; a trial is for P75 = 0 only.
    #[test]
    fn a_return_only_product_is_not_a_trial_shipment() {
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 1, n).expect("valid date");
        let mut returned = trial_product(0.0);
        returned.ventas_diarias = vec![(day(10), -2.0)];
        let mut never_sold = trial_product(0.0);
        never_sold.codigo = "000002".into();
        let out = calculate_store(
            &StoreInput {
                today: today(),
                productos: vec![returned, never_sold],
                productos_excluidos: vec![],
                dias_atipicos: vec![],
                cuadrantes: None,
                parametros: ParamConfig::default(),
                ajustes: no_cap(),
                detalle_v2: false,
                conjuntos: Vec::new(),
            },
            2,
        );
        let line = |code: &str| out.iter().find(|s| s.codigo_producto == code).expect("candidate line");
        let s = line("000001");
        assert_eq!(s.prom_ventas_20dias_unid, -2.0, "the window holds one return of 2 units");
        assert_ne!(s.metodo_calculo, Some(CalculationMethod::EnvioPrueba));
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::SinDemanda);
        assert_eq!(s.prom_p75_unid, 0.0);
        // The same product with no movement at all is a trial (P75 exactly 0).
        let t = line("000002");
        assert_eq!(t.metodo_calculo, Some(CalculationMethod::EnvioPrueba));
        assert!(t.cantidad_sugerida_bultos > 0);
    }

    #[test]
    fn e12_regional_reference_keeps_class() {
        let mut p = product(Some(C), 12.0, 3.0);
        p.stock_cedi = 100.0;
        let mut d = demand(0.5, 0.7, 1.0);
        d.referencia = ReferenceDemand { p75_ref: 4.0, tienda_ref: Some("Tienda 05".into()), ..Default::default() };
        let s = run(&p, &d);
        assert_eq!(s.clase_efectiva, Some(C));
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::ReferenciaRegional));
        assert_eq!(s.prom_p75_unid, 4.0);
        assert!(close(s.stock_seguridad, 1.0974));
        assert!(close(s.punto_reorden, 7.0974));
        assert!(close(s.stock_maximo, 91.0974));
        assert!(close(s.explicacion.reorden.map_or(0.0, |r| r.necesidad_unidades), 88.0974));
        assert_eq!(s.cantidad_sugerida_bultos, 8);
        assert_eq!(s.razon_pedido, "P75 ref: Tienda 05");
        // Reference not above 3 × local → local demand.
        d.referencia.p75_ref = 1.5;
        assert_eq!(run(&p, &d).metodo_calculo, Some(CalculationMethod::Estadistico));
    }

    #[test]
    fn e13_category_override() {
        let cfg = ParamConfig {
            categorias: vec![CategoryOverride {
                categoria: "FRUVER".into(),
                cobertura_dias: PerClass { a: Some(2.0), b: Some(3.0), c: Some(4.0), d: Some(5.0) },
            }],
            ..Default::default()
        };
        let mut p = product(Some(A), 1.0, 20.0);
        p.categoria = Some("FRUVER Y VERDURAS".into());
        let s = suggest(&p, &demand(30.0, 10.0, 40.0), &cfg, &no_cap(), today());
        assert!(close(s.stock_seguridad, 28.5366));
        assert!(close(s.punto_reorden, 73.5366));
        assert!(close(s.stock_maximo, 133.5366));
        assert_eq!(s.cantidad_sugerida_bultos, 114);
        let rp = s.explicacion.parametros.expect("params");
        assert_eq!(rp.cobertura_dias.fuente, ParamSource::Categoria);
        assert_eq!(rp.categoria_override.as_deref(), Some("FRUVER"));
    }

    #[test]
    fn e14_traffic_generator() {
        let mut p = product(Some(C), 1.0, 0.0);
        p.es_generador_trafico = true;
        p.categoria = Some("FRUVER Y VERDURAS".into());
        let d = demand(10.0, 4.0, 20.0);
        let s = run(&p, &d);
        assert_eq!(s.clasificacion_abc, Some(C));
        assert_eq!(s.clase_efectiva, Some(A));
        assert!(
            s.warnings_calculo.iter().any(|w| w.contains("Generador de tráfico: calculado como clase A") && w.contains("clase ABC C")),
            "{:?}",
            s.warnings_calculo
        );
        let rp = s.explicacion.parametros.clone().expect("params");
        assert_eq!((rp.z.valor, rp.cobertura_dias.valor), (2.33, 7.0));
        assert!(close(s.stock_seguridad, 2.33 * 4.0 * 1.5f64.sqrt()));
        assert_eq!(s.criticidad.criticidad, 11);
        // The category override is looked up with the effective class (A).
        let cfg = ParamConfig {
            categorias: vec![CategoryOverride {
                categoria: "FRUVER".into(),
                cobertura_dias: PerClass { a: Some(3.0), b: None, c: Some(9.0), d: None },
            }],
            ..Default::default()
        };
        let s = suggest(&p, &d, &cfg, &no_cap(), today());
        assert_eq!(s.explicacion.parametros.map(|r| r.cobertura_dias.valor), Some(3.0));
    }

    #[test]
    fn e15_cedi_cap() {
        let (mut p, d) = e1();
        p.stock_cedi = 250.0;
        let on = EngineSettings::default();
        assert!(on.limitar_por_stock_cedi);
        let s = suggest(&p, &d, &ParamConfig::default(), &on, today());
        assert_eq!(s.cantidad_sugerida_bultos, 20);
        assert!(s.limitado_por_cedi);
        assert_eq!(s.cantidad_necesaria_bultos, 29);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::TopeCedi);
        assert_eq!(s.explicacion.pasos.bultos_disponibles_cedi, Some(20));
        p.stock_cedi = -5.0;
        let s = suggest(&p, &d, &ParamConfig::default(), &on, today());
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert!(s.limitado_por_cedi);
        // Off: the uncapped behaviour.
        let s = run(&p, &d);
        assert_eq!(s.cantidad_sugerida_bultos, 29);
        assert!(!s.limitado_por_cedi);
        assert_eq!(s.cantidad_necesaria_bultos, 29);
    }

    #[test]
    fn trial_minimum_only_when_store_holds_nothing() {
        // Coverage 0 and lead time 0 → MAX = 0: the calculation gives 0, the store holds 0 → 1 pack.
        let cfg = ParamConfig {
            global: GlobalParams {
                lead_time: Some(0.0),
                cobertura_dias: PerClass { d: Some(0.0), ..Default::default() },
                ..Default::default()
            },
            ..Default::default()
        };
        let d = demand(0.0, 0.0, 0.0);
        let s = suggest(&trial_product(0.0), &d, &cfg, &no_cap(), today());
        assert_eq!(s.cantidad_sugerida_bultos, 1);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::MinimoPrueba);
        assert_eq!(s.explicacion.entradas.fuente_demanda, DemandSource::PruebaPredeterminada);
        let mut p = trial_product(0.0);
        p.stock_en_transito = 0.5;
        // E > MAX = 0 → overstock, no forced pack.
        let s = suggest(&p, &d, &cfg, &no_cap(), today());
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::Sobrestock);
        assert_eq!(s.metodo_calculo, Some(CalculationMethod::EnvioPrueba));
    }

    #[test]
    fn no_demand_and_no_class() {
        let s = run(&product(Some(A), 12.0, 5.0), &demand(0.0, 0.0, 0.0));
        assert_eq!(s.cantidad_sugerida_bultos, 0);
        assert_eq!(s.razon_pedido, REASON_NO_DEMAND);
        assert_eq!(s.explicacion.regla_decisiva, DecisionRule::SinDemanda);
        assert_eq!(s.criticidad.criticidad, 999);
        assert_eq!(s.stock_dias_cobertura, 999.0);
        assert!(s.v2.is_none());
        let s = run(&product(None, 12.0, 5.0), &demand(0.0, 0.0, 0.0));
        assert_eq!(s.clase_efectiva, None);
        assert_eq!(s.metodo_calculo, None);
        // No ABC row but sales → class D.
        let s = run(&product(None, 1.0, 0.0), &demand(2.0, 0.0, 6.0));
        assert_eq!(s.clase_efectiva, Some(D));
        assert_eq!(s.explicacion.entradas.motivo_clase, Some(ClassReason::SinClasificacion));
    }

    #[test]
    fn negative_stock_and_bad_pack_size() {
        let mut p = product(Some(B), 0.0, -5.0); // UPB 0 → 1
        p.unidades_por_bulto = Some(0.0);
        let s = run(&p, &demand(10.0, 0.0, 10.0));
        assert_eq!(s.cantidad_bultos, 1.0);
        assert!(close(s.cantidad_sugerida_unid, 165.0)); // 159.5 + 5 → 164.5 → 165
        assert!(s.warnings_calculo.iter().any(|w| w.starts_with("stock_negativo")));
        p.unidades_por_bulto = Some(2.5);
        let s = run(&p, &demand(10.0, 0.0, 10.0));
        assert_eq!(s.cantidad_bultos, 2.5);
        assert_eq!(s.cantidad_sugerida_bultos, 66); // 164.5 / 2.5 = 65.8
        assert!(s.peso_desconocido);
        assert_eq!(s.peso_unidad, 1000.0);
        assert_eq!(s.unidad_pedido, "Bulto");
    }

    #[test]
    fn the_number_of_workers_never_changes_a_store_calculation() {
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 1, n).expect("valid date");
        // 900 lines (above the size that is split) with varied sales, stock and pack sizes.
        let productos = (0..900)
            .map(|i| {
                let mut p = product(Some([A, B, C][i % 3]), 1.0 + (i % 7) as f64, (i % 11) as f64);
                p.codigo = format!("{i:04}").as_str().into();
                p.unidades_por_bulto = Some(1.0 + (i % 5) as f64);
                p.stock_cedi = 500.0;
                p.ventas_diarias =
                    (1..=12).filter(|d| !(i + *d as usize).is_multiple_of(3)).map(|d| (day(d), ((i * d as usize) % 9) as f64)).collect();
                p
            })
            .collect();
        let input = StoreInput {
            today: today(),
            productos,
            productos_excluidos: vec![],
            dias_atipicos: vec![],
            cuadrantes: None,
            parametros: ParamConfig::default(),
            ajustes: EngineSettings::default(),
            detalle_v2: false,
            conjuntos: Vec::new(),
        };
        let alone = calculate_store(&input, 1);
        assert!(alone.len() > 800, "{} lines", alone.len());
        assert!(alone.iter().any(|s| s.cantidad_sugerida_bultos > 0), "some line orders something");
        assert_eq!(calculate_store(&input, 3), alone);
    }

    #[test]
    fn store_calculation_candidates_exclusions_filter_and_order() {
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 1, n).expect("valid date");
        let mk = |codigo: &str, ventas: f64, stock: f64, cuadrante: Option<&str>| {
            let mut p = product(Some(B), 1.0, stock);
            p.codigo = codigo.into();
            p.cuadrante = cuadrante.map(Text::from);
            if ventas > 0.0 {
                p.ventas_diarias = vec![(day(10), ventas), (day(14), 1000.0)]; // today never counts
            }
            p
        };
        let input = StoreInput {
            today: today(),
            productos: vec![
                mk("003", 5.0, 0.0, Some("CUADRANTE I")),
                mk("001", 5.0, 0.0, None),
                mk("002", 9.0, 0.0, Some("CUADRANTE II")),
                mk("004", 0.0, 0.0, None),  // no sales, no stock → not a candidate
                mk("005", 0.0, 3.0, None),  // stock only → candidate
                mk("006", 50.0, 0.0, None), // excluded
            ],
            productos_excluidos: vec!["006".into()],
            dias_atipicos: vec![],
            cuadrantes: None,
            parametros: ParamConfig::default(),
            ajustes: EngineSettings::default(),
            detalle_v2: true,
            conjuntos: Vec::new(),
        };
        let out = calculate_store(&input, 2);
        let codes: Vec<&str> = out.iter().map(|s| s.codigo_producto.as_str()).collect();
        assert_eq!(codes, vec!["002", "001", "003", "005"]);
        // A list without the V2 day-by-day detail differs from the full one only there.
        let list = calculate_store(&StoreInput { detalle_v2: false, ..input.clone() }, 2);
        assert!(out.iter().any(|s| !s.v2_historico_dow.is_empty()), "the full result carries the detail");
        for (full, short) in out.iter().zip(&list) {
            assert!(short.v2_historico_dow.is_empty());
            assert!(short.v2.as_ref().is_none_or(|v| v.v2_simulacion.is_empty()));
            let mut stripped = full.clone();
            stripped.v2_historico_dow.clear();
            if let Some(v) = stripped.v2.as_mut() {
                v.v2_simulacion.clear();
            }
            assert_eq!(&stripped, short);
        }
        let mut filtered = input.clone();
        filtered.cuadrantes = Some(vec!["no especificado".into(), "CUADRANTE I".into()]);
        let codes: Vec<Text> = calculate_store(&filtered, 2).into_iter().map(|s| s.codigo_producto).collect();
        assert_eq!(codes, vec!["001", "003", "005"]);
    }

    #[test]
    fn reference_demand_averages_selling_stores_and_names_first_by_id() {
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 1, n).expect("valid date");
        let stores = vec![
            ReferenceStoreSales {
                tienda_id: "tienda_09".into(),
                nombre: "Nueve".into(),
                ventas_diarias: vec![(day(10), 8.0)],
                dias_excluidos: vec![],
            },
            ReferenceStoreSales {
                tienda_id: "tienda_03".into(),
                nombre: "Tres".into(),
                ventas_diarias: vec![(day(11), 4.0)],
                dias_excluidos: vec![],
            },
            ReferenceStoreSales { tienda_id: "tienda_01".into(), nombre: "Uno".into(), ventas_diarias: vec![], dias_excluidos: vec![] },
            ReferenceStoreSales {
                tienda_id: "tienda_02".into(),
                nombre: "Dos".into(),
                ventas_diarias: vec![(day(12), 50.0)],
                dias_excluidos: vec![day(12)],
            },
        ];
        let r = reference_demand(&stores, today(), DemandWindows::default());
        assert_eq!(r.p75_ref, 6.0);
        assert_eq!(r.tiendas_con_venta, 2);
        assert_eq!(r.tienda_ref.as_deref(), Some("Tres"));
    }

    #[test]
    fn output_serialises_with_spec_names() {
        let (p, d) = e1();
        let v = serde_json::to_value(run(&p, &d)).expect("serialises");
        for k in [
            "codigo_producto",
            "cantidad_bultos",
            "prom_p75_unid",
            "prom_ventas_8sem_bultos",
            "stock_total",
            "stock_minimo",
            "cantidad_sugerida_bultos",
            "cantidad_ajustada_bultos",
            "cantidad_necesaria_bultos",
            "limitado_por_cedi",
            "razon_pedido",
            "metodo_calculo",
            "warnings_calculo",
            "criticidad",
            "v2_cantidad_sugerida_bultos",
            "v2_prom_dow",
            "explicacion",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["metodo_calculo"], "estadistico");
        assert_eq!(v["clasificacion_abc"], "A");
        assert_eq!(v["explicacion"]["regla_decisiva"], "regla_reorden");
        assert_eq!(v["explicacion"]["parametros"]["lead_time"]["fuente"], "predeterminado");
        assert_eq!(v["estado_criticidad"], "critico");
    }

    // ------------------------------------------------------------------------------------------
    // Properties

    #[derive(Debug, Clone)]
    struct Case {
        clase: Option<AbcClass>,
        generador: bool,
        upb: f64,
        stock: f64,
        transito: f64,
        cedi: f64,
        p75: f64,
        sigma: f64,
        dmax: f64,
        p75_ref: f64,
        capacidad: Option<f64>,
        minimo: Option<f64>,
        tope: bool,
    }

    fn case() -> impl Strategy<Value = Case> {
        (
            (
                proptest::option::of(prop_oneof![Just(A), Just(B), Just(C), Just(D)]),
                any::<bool>(),
                prop_oneof![Just(1.0), Just(6.0), Just(12.0), Just(24.0), Just(0.5), Just(2.5), Just(0.0)],
                -50.0..500.0f64,
                prop_oneof![Just(0.0), 0.0..100.0f64],
                prop_oneof![Just(0.0), Just(-5.0), -10.0..1000.0f64],
            ),
            (
                prop_oneof![Just(0.0), 0.0..1.0f64, 0.0..60.0f64],
                prop_oneof![Just(0.0), 0.0..30.0f64],
                0.0..100.0f64,
                prop_oneof![Just(0.0), 0.0..20.0f64],
                proptest::option::of(0.0..600.0f64),
                proptest::option::of(0.0..300.0f64),
                any::<bool>(),
            ),
        )
            .prop_map(|((clase, generador, upb, stock, transito, cedi), (p75, sigma, dmax, p75_ref, capacidad, minimo, tope))| {
                Case { clase, generador, upb, stock, transito, cedi, p75, sigma, dmax, p75_ref, capacidad, minimo, tope }
            })
    }

    fn eval(c: &Case) -> Suggestion {
        let mut p = product(c.clase, c.upb, c.stock);
        p.es_generador_trafico = c.generador;
        p.stock_en_transito = c.transito;
        p.stock_cedi = c.cedi;
        p.limites.capacidad_maxima = c.capacidad;
        p.limites.minimo_exhibicion = c.minimo;
        let mut d = demand(c.p75, c.sigma, c.dmax.max(c.p75));
        d.referencia.p75_ref = c.p75_ref;
        d.respaldo_prueba = TrialFallback { valor: 3.0, fuente: DemandSource::PruebaMedianaGlobal };
        suggest(&p, &d, &ParamConfig::default(), &EngineSettings { limitar_por_stock_cedi: c.tope }, today())
    }

    proptest! {
        #[test]
        fn units_are_a_non_negative_multiple_of_the_pack(c in case()) {
            let s = eval(&c);
            let upb = PackSize::new(Some(c.upb)).units();
            prop_assert!(s.cantidad_sugerida_unid >= 0.0);
            prop_assert!((s.cantidad_sugerida_unid - s.cantidad_sugerida_bultos as f64 * upb).abs() < 1e-9);
            prop_assert_eq!(s.cantidad_sugerida_bultos, s.cantidad_ajustada_bultos);
            prop_assert!(s.cantidad_necesaria_bultos >= s.cantidad_sugerida_bultos);
        }

        #[test]
        fn never_exceeds_free_capacity(c in case()) {
            let s = eval(&c);
            if let Some(cap) = c.capacidad.filter(|x| *x > 0.0) {
                let libre = (cap - (c.stock + c.transito)).max(0.0);
                prop_assert!(s.cantidad_sugerida_unid <= libre + 1e-6, "{} > {}", s.cantidad_sugerida_unid, libre);
            }
        }

        #[test]
        fn never_exceeds_cedi_packs_when_capped(c in case()) {
            let s = eval(&c);
            if c.tope {
                let upb = PackSize::new(Some(c.upb)).units();
                let disponibles = (c.cedi.max(0.0) / upb + 1e-9).floor();
                prop_assert!(s.cantidad_sugerida_bultos as f64 <= disponibles);
            }
        }

        #[test]
        fn more_stock_never_increases_the_order(c in case(), extra in 0.0..300.0f64, in_transit in any::<bool>()) {
            let base = eval(&c);
            let mut more = c.clone();
            if in_transit { more.transito += extra } else { more.stock += extra }
            let s = eval(&more);
            prop_assert!(s.cantidad_sugerida_bultos <= base.cantidad_sugerida_bultos,
                "{} > {} (extra {})", s.cantidad_sugerida_bultos, base.cantidad_sugerida_bultos, extra);
        }

        #[test]
        fn zero_demand_without_trial_orders_nothing(c in case()) {
            let mut c = c;
            c.p75 = 0.0;
            c.cedi = c.cedi.min(0.0); // no CEDI stock → no trial shipment
            let s = eval(&c);
            prop_assert_eq!(s.cantidad_sugerida_bultos, 0);
            prop_assert_eq!(s.explicacion.regla_decisiva, DecisionRule::SinDemanda);
        }
    }
}
