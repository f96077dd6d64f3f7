//! Inventory levels of one product (spec 30 §6.2–§6.7): effective class, SS / ROP / MAX,
//! the reorder rule, pack rounding and the sanity warnings.

use serde::Serialize;

use super::classification::AbcClass;

/// Tolerance of the pack roundings: ⌈x − 1e-9⌉ and ⌊x + 1e-9⌋, so that floating error never
/// adds a pack (ceil) nor drops one (floor; e.g. 0.3 / 0.1 = 2.9999999999999996).
pub const PACK_TOLERANCE: f64 = 1e-9;
/// "Days" shown when there is no demand (days of cover, days of excess).
pub const NO_DEMAND_DAYS: f64 = 999.0;
/// σ = 0 fallback of the statistical method: SS = 0.30 · D · L.
pub const SS_FALLBACK_STATISTICAL: f64 = 0.30;
/// Padre-prudente fallback when D_max · L ≤ DC: SS = 0.20 · DC.
pub const SS_FALLBACK_PRUDENT: f64 = 0.20;

/// Units per pack (UPB), always finite and > 0.
///
/// *Why a newtype:* the original truncated UPB to an integer, so 2.5 became 2 and a UPB
/// below 1 became 0 and crashed the whole calculation with a division by zero. Missing,
/// ≤ 0 or non-finite → 1; decimals are kept.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct PackSize(f64);

impl PackSize {
    pub fn new(raw: Option<f64>) -> PackSize {
        match raw {
            Some(x) if x.is_finite() && x > 0.0 => PackSize(x),
            _ => PackSize(1.0),
        }
    }

    pub fn units(self) -> f64 {
        self.0
    }
}

impl Default for PackSize {
    fn default() -> Self {
        PackSize(1.0)
    }
}

/// Packs to cover `units`: ⌈units / UPB − 1e-9⌉, never negative.
pub fn packs_ceil(units: f64, pack: PackSize) -> u64 {
    if !units.is_finite() || units <= 0.0 {
        return 0;
    }
    (units / pack.units() - PACK_TOLERANCE).ceil().max(0.0) as u64
}

/// Whole packs that fit in `units`: ⌊units / UPB + 1e-9⌋, never negative (caps).
pub fn packs_floor(units: f64, pack: PackSize) -> u64 {
    if !units.is_finite() || units <= 0.0 {
        return 0;
    }
    (units / pack.units() + PACK_TOLERANCE).floor().max(0.0) as u64
}

/// Units of a whole number of packs.
pub fn packs_to_units(packs: u64, pack: PackSize) -> f64 {
    packs as f64 * pack.units()
}

/// Why a product has the class it is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassReason {
    /// The destination store's ABC class (active model).
    Abc,
    /// `es_generador_trafico` → A, whatever the ABC.
    GeneradorTrafico,
    /// Trial shipment → D.
    EnvioPrueba,
    /// No ABC row but some sales in the demand window → D.
    SinClasificacion,
}

/// Effective class (§6.4): trial → D; traffic generator → A; ABC class; no class but sales → D;
/// otherwise `None` ("–", no calculation).
///
/// The spec lists both the generator rule and the trial rule without ranking them; a trial is
/// decided per calculation (§7.3 "class forced to D"), so it is applied first.
pub fn effective_class(
    clase_abc: Option<AbcClass>,
    es_generador_trafico: bool,
    es_envio_prueba: bool,
    tiene_ventas: bool,
) -> Option<(AbcClass, ClassReason)> {
    if es_envio_prueba {
        Some((AbcClass::D, ClassReason::EnvioPrueba))
    } else if es_generador_trafico {
        Some((AbcClass::A, ClassReason::GeneradorTrafico))
    } else if let Some(c) = clase_abc {
        Some((c, ClassReason::Abc))
    } else if tiene_ventas {
        Some((AbcClass::D, ClassReason::SinClasificacion))
    } else {
        None
    }
}

/// Level method: fixed by class (A, B, C statistical; D padre prudente).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelMethod {
    Estadistico,
    PadrePrudente,
}

impl LevelMethod {
    pub fn for_class(c: AbcClass) -> LevelMethod {
        if c == AbcClass::D {
            LevelMethod::PadrePrudente
        } else {
            LevelMethod::Estadistico
        }
    }
}

/// Inputs of the level formulas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelInputs {
    pub clase: AbcClass,
    /// D (P75, or the reference demand).
    pub demanda: f64,
    pub sigma: f64,
    /// Max of the σ window; ≤ 0 → 2 · D.
    pub demanda_maxima: f64,
    pub lead_time: f64,
    pub z: f64,
    pub cobertura_dias: f64,
}

/// SS / ROP / MAX in units, with the intermediate values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Levels {
    pub metodo: LevelMethod,
    /// DC = D · L.
    pub demanda_ciclo: f64,
    pub stock_seguridad: f64,
    /// True when a fallback formula gave SS (σ = 0, or D_max · L ≤ DC for class D).
    pub ss_por_respaldo: bool,
    /// D_max actually used (class D only).
    pub demanda_maxima_usada: Option<f64>,
    pub punto_reorden: f64,
    pub stock_maximo: f64,
}

fn nonneg(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

/// SS, ROP and MAX (§6.2 statistical for A/B/C, §6.3 padre prudente for D).
pub fn compute_levels(i: &LevelInputs) -> Levels {
    let d = nonneg(i.demanda);
    let l = nonneg(i.lead_time);
    let cov = nonneg(i.cobertura_dias);
    let dc = d * l;
    let metodo = LevelMethod::for_class(i.clase);
    let (ss, respaldo, dmax_usada) = match metodo {
        LevelMethod::Estadistico => {
            let sigma = nonneg(i.sigma);
            if sigma > 0.0 {
                (nonneg(i.z) * sigma * l.sqrt(), false, None)
            } else {
                (SS_FALLBACK_STATISTICAL * d * l, true, None)
            }
        }
        LevelMethod::PadrePrudente => {
            let dmax = if i.demanda_maxima.is_finite() && i.demanda_maxima > 0.0 { i.demanda_maxima } else { 2.0 * d };
            let ss = (dmax * l - dc).max(0.0);
            if ss > 0.0 {
                (ss, false, Some(dmax))
            } else {
                (SS_FALLBACK_PRUDENT * dc, true, Some(dmax))
            }
        }
    };
    let rop = dc + ss;
    Levels {
        metodo,
        demanda_ciclo: dc,
        stock_seguridad: ss,
        ss_por_respaldo: respaldo,
        demanda_maxima_usada: dmax_usada,
        punto_reorden: rop,
        stock_maximo: rop + d * cov,
    }
}

/// Excess over MAX (§6.5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overstock {
    pub exceso_unidades: f64,
    pub exceso_bultos: u64,
    /// exceso / D; 999 when D = 0.
    pub dias_exceso: f64,
}

/// Outcome of the reorder rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReorderDecision {
    /// E = store stock + in transit.
    pub stock_efectivo: f64,
    /// E ≤ ROP (inclusive).
    pub reordenar: bool,
    /// max(0, MAX − E) when reordering, else 0.
    pub necesidad_unidades: f64,
    pub bultos: u64,
    /// Some when E > MAX (strict).
    pub sobrestock: Option<Overstock>,
}

/// Reorder rule and base quantity (§6.5): order up to MAX only when E ≤ ROP.
pub fn reorder(stock_efectivo: f64, levels: &Levels, demanda: f64, pack: PackSize) -> ReorderDecision {
    let e = stock_efectivo;
    let reordenar = e <= levels.punto_reorden;
    let necesidad = if reordenar { (levels.stock_maximo - e).max(0.0) } else { 0.0 };
    let sobrestock = (e > levels.stock_maximo).then(|| {
        let exceso = e - levels.stock_maximo;
        Overstock {
            exceso_unidades: exceso,
            exceso_bultos: packs_ceil(exceso, pack),
            dias_exceso: if demanda > 0.0 { exceso / demanda } else { NO_DEMAND_DAYS },
        }
    });
    ReorderDecision { stock_efectivo: e, reordenar, necesidad_unidades: necesidad, bultos: packs_ceil(necesidad, pack), sobrestock }
}

/// Days above which MAX is suspicious, by effective class (A 15, B 30, C 45, D 60).
pub fn class_day_limit(c: AbcClass) -> f64 {
    match c {
        AbcClass::A => 15.0,
        AbcClass::B => 30.0,
        AbcClass::C => 45.0,
        AbcClass::D => 60.0,
    }
}

/// Formats a quantity for messages: integers without decimals, others with 2.
pub(super) fn fmt_qty(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{:.0}", x.round())
    } else {
        format!("{x:.2}")
    }
}

/// Sanity warnings of §6.7 (informational, `warnings_calculo`), each `"<codigo>: <mensaje>"`.
pub fn sanity_warnings(clase: AbcClass, demanda: f64, sigma: f64, lv: &Levels) -> Vec<String> {
    let mut w = Vec::new();
    if lv.punto_reorden < demanda {
        w.push(format!(
            "stock_minimo_bajo: el stock mínimo ({}) es menor que un día de venta ({})",
            fmt_qty(lv.punto_reorden),
            fmt_qty(demanda)
        ));
    }
    if lv.stock_maximo <= lv.punto_reorden {
        w.push(format!(
            "error_maximo_no_supera_minimo: ERROR: el stock máximo ({}) no supera el stock mínimo ({})",
            fmt_qty(lv.stock_maximo),
            fmt_qty(lv.punto_reorden)
        ));
    }
    if lv.stock_seguridad < 0.0 {
        w.push(format!("stock_seguridad_negativo: stock de seguridad negativo ({})", fmt_qty(lv.stock_seguridad)));
    }
    if demanda > 0.0 {
        let dias = lv.stock_maximo / demanda;
        let limite = class_day_limit(clase);
        if dias > limite {
            w.push(format!(
                "cobertura_excesiva: el stock máximo equivale a {dias:.1} días, por encima del límite de {limite:.0} días de la clase {}",
                clase.as_str()
            ));
        }
    }
    if sigma > 2.0 * demanda {
        w.push(format!("variabilidad_muy_alta: σ ({}) supera el doble de la demanda ({})", fmt_qty(sigma), fmt_qty(demanda)));
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use AbcClass::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    fn inputs(clase: AbcClass, d: f64, sigma: f64, dmax: f64, z: f64, cov: f64) -> LevelInputs {
        LevelInputs { clase, demanda: d, sigma, demanda_maxima: dmax, lead_time: 1.5, z, cobertura_dias: cov }
    }

    #[test]
    fn e4_sigma_zero_fallback() {
        let lv = compute_levels(&inputs(B, 10.0, 0.0, 0.0, 1.88, 14.0));
        assert!(lv.ss_por_respaldo);
        assert!(close(lv.stock_seguridad, 4.5));
        assert!(close(lv.punto_reorden, 19.5));
        assert!(close(lv.stock_maximo, 159.5));
        let r = reorder(0.0, &lv, 10.0, PackSize::new(Some(6.0)));
        assert_eq!(r.bultos, 27);
        assert_eq!(packs_to_units(r.bultos, PackSize::new(Some(6.0))), 162.0);
    }

    #[test]
    fn e5_padre_prudente() {
        let lv = compute_levels(&inputs(D, 2.0, 0.0, 6.0, 0.0, 30.0));
        assert_eq!(lv.metodo, LevelMethod::PadrePrudente);
        assert!(close(lv.demanda_ciclo, 3.0));
        assert!(close(lv.stock_seguridad, 6.0));
        assert!(close(lv.punto_reorden, 9.0));
        assert!(close(lv.stock_maximo, 69.0));
        let r = reorder(1.0, &lv, 2.0, PackSize::new(Some(24.0)));
        assert!(close(r.necesidad_unidades, 68.0));
        assert_eq!(r.bultos, 3);
    }

    #[test]
    fn e6_class_d_single_data_point() {
        let lv = compute_levels(&inputs(D, 5.0, 0.0, 5.0, 0.0, 30.0));
        assert!(lv.ss_por_respaldo);
        assert!(close(lv.stock_seguridad, 1.5));
        assert!(close(lv.punto_reorden, 9.0));
        assert!(close(lv.stock_maximo, 159.0));
    }

    #[test]
    fn class_d_without_d_max_uses_twice_the_demand() {
        let lv = compute_levels(&inputs(D, 6.0, 0.0, 0.0, 0.0, 30.0));
        assert_eq!(lv.demanda_maxima_usada, Some(12.0));
        assert!(close(lv.stock_seguridad, 9.0));
        assert!(close(lv.punto_reorden, 18.0));
        assert!(close(lv.stock_maximo, 198.0));
    }

    #[test]
    fn pack_size_normalisation_and_rounding_tolerance() {
        assert_eq!(PackSize::new(None).units(), 1.0);
        assert_eq!(PackSize::new(Some(0.0)).units(), 1.0);
        assert_eq!(PackSize::new(Some(-3.0)).units(), 1.0);
        assert_eq!(PackSize::new(Some(f64::NAN)).units(), 1.0);
        assert_eq!(PackSize::new(Some(2.5)).units(), 2.5);
        assert_eq!(PackSize::new(Some(0.5)).units(), 0.5);
        // 0.1 + 0.2 = 0.30000000000000004: one pack of 0.3, not two.
        assert_eq!(packs_ceil(0.1 + 0.2, PackSize::new(Some(0.3))), 1);
        assert_eq!(packs_floor(0.3, PackSize::new(Some(0.1))), 3);
        assert_eq!(packs_ceil(-4.0, PackSize::default()), 0);
        assert_eq!(packs_floor(f64::NAN, PackSize::default()), 0);
        assert_eq!(packs_ceil(5.0, PackSize::new(Some(2.5))), 2);
        assert_eq!(packs_ceil(5.1, PackSize::new(Some(2.5))), 3);
    }

    #[test]
    fn reorder_is_inclusive_at_rop_and_overstock_strict_at_max() {
        let lv = compute_levels(&inputs(A, 40.0, 12.0, 0.0, 2.33, 7.0));
        let at_rop = reorder(lv.punto_reorden, &lv, 40.0, PackSize::new(Some(12.0)));
        assert!(at_rop.reordenar);
        assert!(close(at_rop.necesidad_unidades, 280.0));
        assert_eq!(at_rop.bultos, 24);
        let at_max = reorder(lv.stock_maximo, &lv, 40.0, PackSize::default());
        assert!(!at_max.reordenar);
        assert!(at_max.sobrestock.is_none());
        let zero_demand = reorder(10.0, &compute_levels(&inputs(A, 0.0, 0.0, 0.0, 2.33, 7.0)), 0.0, PackSize::default());
        assert_eq!(zero_demand.sobrestock.map(|o| o.dias_exceso), Some(NO_DEMAND_DAYS));
    }

    #[test]
    fn effective_class_rules() {
        assert_eq!(effective_class(Some(C), true, false, true), Some((A, ClassReason::GeneradorTrafico)));
        assert_eq!(effective_class(Some(A), false, true, false), Some((D, ClassReason::EnvioPrueba)));
        assert_eq!(effective_class(Some(B), false, false, false), Some((B, ClassReason::Abc)));
        assert_eq!(effective_class(None, false, false, true), Some((D, ClassReason::SinClasificacion)));
        assert_eq!(effective_class(None, false, false, false), None);
    }

    #[test]
    fn sanity_warnings_fire() {
        // σ huge, coverage 0 → MAX = ROP; ROP < D when L is tiny.
        let lv = compute_levels(&LevelInputs {
            clase: A,
            demanda: 10.0,
            sigma: 30.0,
            demanda_maxima: 0.0,
            lead_time: 0.01,
            z: 2.33,
            cobertura_dias: 0.0,
        });
        let w = sanity_warnings(A, 10.0, 30.0, &lv);
        assert!(w.iter().any(|m| m.starts_with("stock_minimo_bajo")));
        assert!(w.iter().any(|m| m.starts_with("error_maximo_no_supera_minimo")));
        assert!(w.iter().any(|m| m.starts_with("variabilidad_muy_alta")));
        let lv = compute_levels(&inputs(A, 10.0, 1.0, 0.0, 2.33, 20.0));
        let w = sanity_warnings(A, 10.0, 1.0, &lv);
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with("cobertura_excesiva"));
        let lv = compute_levels(&inputs(B, 10.0, 1.0, 0.0, 1.88, 14.0));
        assert!(sanity_warnings(B, 10.0, 1.0, &lv).is_empty());
    }
}
