//! Inter-CEDI replenishment (spec 31 §3): how much a receiving CEDI orders from one supplying
//! CEDI, from the demand of the stores it serves. Also the exclusion code variants (§4.2) and
//! the substitutable-set redistribution (§5), which are rules of the same area.
//!
//! Rebuild behaviour where the original was defective: the origin cap floors whole packs
//! (D-11: the original's ceil could ship a pack the origin did not hold), goods already on
//! the way to the destination count (D-13), and the regional P75 is the one definition of
//! spec 31 §9 everywhere (D-15).

use serde::{Deserialize, Serialize};

use crate::domain::replenishment::demand::{p75, std_sample};
use crate::domain::replenishment::AbcClass;

/// σ used when the regional σ is 0 or unknown, as a share of the regional P75.
pub const DEFAULT_SIGMA_RATIO: f64 = 0.30;
/// Class D's minimum safety stock, as a share of P·L.
pub const CLASS_D_SAFETY_RATIO: f64 = 0.30;
/// Days of stock reported without regional demand.
pub const NO_DEMAND_DAYS: f64 = 999.0;
const EPS: f64 = 1e-9;

/// One store's daily units over the window, only days that have sales (absent, not zero).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreDays {
    pub tienda_id: String,
    pub dias: Vec<f64>,
}

/// The region's demand for one product (§3.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionalDemand {
    /// P = Σ of the stores' P75 (the CEDI supplies every store).
    pub p75_regional: f64,
    /// √(Σ σ_s²), missing σ counted as 0.
    pub sigma_regional: f64,
    /// σ_R, or 0.30·P when σ_R is 0.
    pub sigma_efectiva: f64,
    /// Mean of the store P75s, for display.
    pub demanda_regional_promedio: f64,
    /// Stores that sold the product in the window.
    pub num_tiendas_region: usize,
    pub p75_por_tienda: Vec<(String, f64)>,
}

pub fn regional_demand(stores: &[StoreDays]) -> RegionalDemand {
    let selling: Vec<&StoreDays> = stores.iter().filter(|s| !s.dias.is_empty()).collect();
    let p75_por_tienda: Vec<(String, f64)> = selling.iter().map(|s| (s.tienda_id.clone(), p75(&s.dias))).collect();
    let p: f64 = p75_por_tienda.iter().map(|(_, v)| v).sum();
    let sigma_regional = selling.iter().map(|s| std_sample(&s.dias).powi(2)).sum::<f64>().sqrt();
    let sigma_efectiva = if sigma_regional > 0.0 { sigma_regional } else { DEFAULT_SIGMA_RATIO * p };
    let n = p75_por_tienda.len();
    RegionalDemand {
        p75_regional: p,
        sigma_regional,
        sigma_efectiva,
        demanda_regional_promedio: if n > 0 { p / n as f64 } else { 0.0 },
        num_tiendas_region: n,
        p75_por_tienda,
    }
}

/// Rank limits of the regional ABC (§3.4), a tenant setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankThresholds {
    pub a: usize,
    pub b: usize,
    pub c: usize,
}

impl Default for RankThresholds {
    fn default() -> Self {
        RankThresholds { a: 50, b: 200, c: 800 }
    }
}

/// The regional class of each product sold in the region, by rank of units sold (1 = best;
/// ties by code ascending). Products absent from `units` are class D.
pub fn regional_classes(units: &[(String, f64)], t: &RankThresholds) -> Vec<(String, AbcClass)> {
    let mut sold: Vec<&(String, f64)> = units.iter().filter(|(_, u)| *u > 0.0).collect();
    sold.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    sold.into_iter()
        .enumerate()
        .map(|(i, (code, _))| {
            let rank = i + 1;
            let class = match rank {
                r if r <= t.a => AbcClass::A,
                r if r <= t.b => AbcClass::B,
                r if r <= t.c => AbcClass::C,
                _ => AbcClass::D,
            };
            (code.clone(), class)
        })
        .collect()
}

/// Which products use the frozen-goods coverage (§3.5): their cuadrante, or a keyword in
/// the upper-cased category. Tenant configuration; these are the first tenant's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenGoods {
    pub cuadrantes: Vec<String>,
    pub palabras_categoria: Vec<String>,
}

impl Default for FrozenGoods {
    fn default() -> Self {
        FrozenGoods { cuadrantes: vec!["CUADRANTE VI".into()], palabras_categoria: vec!["CONGEL".into(), "HELAD".into(), "REFRIG".into()] }
    }
}

impl FrozenGoods {
    pub fn matches(&self, cuadrante: Option<&str>, categoria: Option<&str>) -> bool {
        let cuadrante = cuadrante.map(|c| c.trim().to_uppercase());
        if cuadrante.is_some_and(|c| self.cuadrantes.iter().any(|x| x.trim().to_uppercase() == c)) {
            return true;
        }
        let categoria = categoria.unwrap_or("").to_uppercase();
        self.palabras_categoria.iter().any(|k| !k.is_empty() && categoria.contains(&k.to_uppercase()))
    }
}

/// A route's settings as used by one calculation (§3.5), saved on the order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RouteSettings {
    pub dias_cobertura_a: u32,
    pub dias_cobertura_b: u32,
    pub dias_cobertura_c: u32,
    pub dias_cobertura_d: u32,
    pub dias_cobertura_congelados: u32,
    pub lead_time_dias: f64,
}

impl RouteSettings {
    /// These settings with each given value in place of the route's: coverage days A, B, C, D
    /// and frozen goods, then the lead time.
    pub fn overridden(self, dias: [Option<u32>; 5], lead_time_dias: Option<f64>) -> RouteSettings {
        let [a, b, c, d, congelados] = dias;
        RouteSettings {
            dias_cobertura_a: a.unwrap_or(self.dias_cobertura_a),
            dias_cobertura_b: b.unwrap_or(self.dias_cobertura_b),
            dias_cobertura_c: c.unwrap_or(self.dias_cobertura_c),
            dias_cobertura_d: d.unwrap_or(self.dias_cobertura_d),
            dias_cobertura_congelados: congelados.unwrap_or(self.dias_cobertura_congelados),
            lead_time_dias: lead_time_dias.unwrap_or(self.lead_time_dias),
        }
    }
}

impl Default for RouteSettings {
    fn default() -> Self {
        RouteSettings {
            dias_cobertura_a: 12,
            dias_cobertura_b: 15,
            dias_cobertura_c: 18,
            dias_cobertura_d: 18,
            dias_cobertura_congelados: 7,
            lead_time_dias: 2.0,
        }
    }
}

impl RouteSettings {
    /// One range everywhere (§3.5): A 1–60, B 1–90, C 1–120, D 1–180, frozen 1–30, lead time
    /// 0.5–7 in steps of 0.5.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let check = |field: &'static str, v: u32, max: u32| match (1..=max).contains(&v) {
            true => Ok(()),
            false => Err((field, format!("Los días de cobertura deben estar entre 1 y {max} (recibido {v})"))),
        };
        check("dias_cobertura_a", self.dias_cobertura_a, 60)?;
        check("dias_cobertura_b", self.dias_cobertura_b, 90)?;
        check("dias_cobertura_c", self.dias_cobertura_c, 120)?;
        check("dias_cobertura_d", self.dias_cobertura_d, 180)?;
        check("dias_cobertura_congelados", self.dias_cobertura_congelados, 30)?;
        let lt = self.lead_time_dias;
        if !(0.5..=7.0).contains(&lt) || (lt * 2.0).fract() != 0.0 {
            return Err(("lead_time_dias", format!("El lead time debe estar entre 0,5 y 7 días en pasos de 0,5 (recibido {lt})")));
        }
        Ok(())
    }

    pub fn coverage_days(&self, class: AbcClass, frozen: bool) -> u32 {
        if frozen {
            return self.dias_cobertura_congelados;
        }
        match class {
            AbcClass::A => self.dias_cobertura_a,
            AbcClass::B => self.dias_cobertura_b,
            AbcClass::C => self.dias_cobertura_c,
            AbcClass::D => self.dias_cobertura_d,
        }
    }
}

/// Service factor z by regional class (§3.6).
pub fn z_for(class: AbcClass) -> f64 {
    match class {
        AbcClass::A => 2.33,
        AbcClass::B => 1.88,
        AbcClass::C => 1.28,
        AbcClass::D => 0.0,
    }
}

/// Packs ordered for catalogue presence when the region sold nothing and the destination
/// holds nothing (§3.6 case 1).
pub fn presence_packs(class: AbcClass) -> u64 {
    match class {
        AbcClass::A => 10,
        AbcClass::B => 5,
        AbcClass::C => 3,
        AbcClass::D => 2,
    }
}

/// What the quantity of one product depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantityInput {
    pub clase: AbcClass,
    pub demanda: f64,
    pub sigma: f64,
    /// X_dest: the receiving CEDI's stock, units.
    pub stock_destino: f64,
    /// T_dest: units on confirmed or dispatched orders from this origin to the destination.
    pub transito_destino: f64,
    /// X_orig: the supplying CEDI's stock, units.
    pub stock_origen: f64,
    pub unidades_por_bulto: f64,
    pub dias_cobertura: u32,
    pub lead_time_dias: f64,
}

/// The §3.6 result for one product (units unless named packs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantity {
    pub stock_seguridad: f64,
    /// ROP (also `stock_minimo_cedi`).
    pub punto_reorden: f64,
    pub stock_maximo: f64,
    pub cantidad_ideal_unid: f64,
    pub cantidad_sugerida_bultos: u64,
    pub cantidad_sugerida_unid: f64,
    /// The origin holds fewer whole packs than the ideal ("Stock limitado").
    pub limitado_por_origen: bool,
}

pub fn quantity(i: &QuantityInput) -> Quantity {
    let u = if i.unidades_por_bulto.is_finite() && i.unidades_por_bulto >= 1.0 { i.unidades_por_bulto } else { 1.0 };
    let origin_packs = super::dpdu::whole_packs(i.stock_origen.max(0.0), u);
    let held = i.stock_destino + i.transito_destino.max(0.0);
    if i.demanda <= 0.0 {
        let target = presence_packs(i.clase);
        let ideal = target as f64 * u;
        let packs = if held > 0.0 { 0 } else { target.min(origin_packs) };
        return Quantity {
            stock_seguridad: 0.0,
            punto_reorden: ideal,
            stock_maximo: ideal,
            cantidad_ideal_unid: ideal,
            cantidad_sugerida_bultos: packs,
            cantidad_sugerida_unid: packs as f64 * u,
            limitado_por_origen: held <= 0.0 && origin_packs < target,
        };
    }
    let l = i.lead_time_dias;
    let z_ss = z_for(i.clase) * i.sigma * l.sqrt();
    let ss = match i.clase {
        AbcClass::D => (CLASS_D_SAFETY_RATIO * i.demanda * l).max(z_ss),
        _ => z_ss,
    };
    let rop = i.demanda * l + ss;
    let max = rop + i.demanda * f64::from(i.dias_cobertura);
    let ideal = if held <= rop { (max - held).max(0.0) } else { 0.0 };
    let ideal_packs = ((ideal / u) - EPS).ceil().max(0.0) as u64;
    let packs = ideal_packs.min(origin_packs);
    Quantity {
        stock_seguridad: ss,
        punto_reorden: rop,
        stock_maximo: max,
        cantidad_ideal_unid: ideal,
        cantidad_sugerida_bultos: packs,
        cantidad_sugerida_unid: packs as f64 * u,
        limitado_por_origen: packs < ideal_packs,
    }
}

/// The line reason of an inter-CEDI suggestion.
pub fn reason(class: AbcClass, coverage_days: u32) -> String {
    format!("Reposición CEDI - Clase {} ({coverage_days}d cobertura)", class.as_str())
}

/// The class an inter-CEDI line is computed with (spec 40 §5.3 applied to spec 31 §3).
///
/// An active traffic generator is computed "as class A" in every calculation. Here the class
/// is the regional one of §3.4 (rank of units sold in the region), and it sets three things:
/// the service factor z (§3.6), the coverage days `dias_cobertura_a` (§3.5) and, without
/// regional sales, the catalogue-presence packs M_A (§3.6 case 1). A generator takes all three
/// of class A — the CEDI must hold the stock its stores are asked to keep at class-A levels —
/// except that frozen goods keep their frozen coverage days, which §3.5 applies whatever the
/// class. The priority of §3.7 uses the same class. The regional class itself is still
/// reported (`clasificacion_abc`), beside the class used.
pub fn line_class(regional: AbcClass, es_generador_trafico: bool) -> AbcClass {
    if es_generador_trafico {
        AbcClass::A
    } else {
        regional
    }
}

/// The reason of a line computed with [`line_class`]: says when the generator rule set it.
pub fn line_reason(class: AbcClass, coverage_days: u32, es_generador_trafico: bool) -> String {
    if es_generador_trafico {
        format!("{} · Generador de tráfico: calculado como clase A", reason(class, coverage_days))
    } else {
        reason(class, coverage_days)
    }
}

/// Days of destination stock (999 without demand) and the 1–10 priority of §3.7.
pub fn priority(class: AbcClass, demand: f64, destination_stock: f64) -> (f64, u8) {
    let days = if demand > 0.0 { destination_stock / demand } else { NO_DEMAND_DAYS };
    let column = match days {
        d if d <= 3.0 => 0,
        d if d <= 7.0 => 1,
        d if d <= 14.0 => 2,
        _ => 3,
    };
    const MATRIX: [[u8; 4]; 4] = [[1, 2, 4, 7], [3, 5, 6, 8], [5, 7, 8, 9], [6, 8, 9, 10]];
    let row = match class {
        AbcClass::A => 0,
        AbcClass::B => 1,
        AbcClass::C => 2,
        AbcClass::D => 3,
    };
    (days, MATRIX[row][column])
}

/// The codes an exclusion tries for a typed code (§4.2, §7.11): as typed (trimmed); if all
/// digits, padded to 6 digits and stripped of leading zeros ("0" when nothing is left).
pub fn exclusion_code_variants(input: &str) -> Vec<String> {
    let t = input.trim().to_string();
    let mut out = vec![t.clone()];
    if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
        let padded = format!("{t:0>6}");
        let stripped = match t.trim_start_matches('0') {
            "" => "0".to_string(),
            s => s.to_string(),
        };
        for v in [padded, stripped] {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// One member of a substitutable set (§5).
#[derive(Debug, Clone, PartialEq)]
pub struct SetMember {
    pub codigo: String,
    /// Normalised share, any scale (manual %, or units sold in the window).
    pub share: f64,
    pub con_stock_origen: bool,
}

/// The outcome of redistributing a set's demand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SetAlert {
    /// Some members without origin stock: their demand went to the others.
    Redistribuido(Vec<String>),
    /// No member has origin stock: nothing changed.
    TodosSinStock,
}

/// Each member's demand after redistribution (§5, §7.6): the set's demand split by share
/// among the members with origin stock; unchanged (with a critical alert) when none has any.
pub fn redistribute(set_demand: f64, members: &[SetMember]) -> (Vec<f64>, Option<SetAlert>) {
    let total: f64 = members.iter().map(|m| m.share.max(0.0)).sum();
    let own: Vec<f64> = members.iter().map(|m| if total > 0.0 { set_demand * m.share.max(0.0) / total } else { 0.0 }).collect();
    let in_stock: f64 = members.iter().filter(|m| m.con_stock_origen).map(|m| m.share.max(0.0)).sum();
    if !members.iter().any(|m| m.con_stock_origen) || in_stock <= 0.0 {
        return (own, Some(SetAlert::TodosSinStock));
    }
    let missing: Vec<String> = members.iter().filter(|m| !m.con_stock_origen).map(|m| m.codigo.clone()).collect();
    let demand = members.iter().map(|m| if m.con_stock_origen { set_demand * m.share.max(0.0) / in_stock } else { 0.0 }).collect();
    (demand, (!missing.is_empty()).then_some(SetAlert::Redistribuido(missing)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn input(clase: AbcClass, demanda: f64, sigma: f64, dest: f64, orig: f64, upb: f64, dias: u32) -> QuantityInput {
        QuantityInput {
            clase,
            demanda,
            sigma,
            stock_destino: dest,
            transito_destino: 0.0,
            stock_origen: orig,
            unidades_por_bulto: upb,
            dias_cobertura: dias,
            lead_time_dias: 2.0,
        }
    }

    #[test]
    fn e7_8a_class_a_normal() {
        let r = regional_demand(&[]);
        assert_eq!(r.p75_regional, 0.0);
        let sigma = (200f64.powi(2) + 120f64.powi(2)).sqrt();
        assert!(close(sigma, 233.238, 1e-3));
        let q = quantity(&input(AbcClass::A, 910.0, sigma, 2500.0, 15000.0, 20.0, 12));
        assert!(close(q.stock_seguridad, 768.547, 1e-3));
        assert!(close(q.punto_reorden, 2588.547, 1e-3));
        assert!(close(q.stock_maximo, 13508.547, 1e-3));
        assert!(close(q.cantidad_ideal_unid, 11008.547, 1e-3));
        assert_eq!(q.cantidad_sugerida_bultos, 551);
        assert_eq!(q.cantidad_sugerida_unid, 11020.0);
    }

    #[test]
    fn e7_8b_class_d_capped_by_whole_packs_at_the_origin() {
        let q = quantity(&input(AbcClass::D, 45.0, 13.5, 20.0, 500.0, 12.0, 18));
        assert!(close(q.stock_seguridad, 27.0, 1e-9));
        assert!(close(q.punto_reorden, 117.0, 1e-9));
        assert!(close(q.stock_maximo, 927.0, 1e-9));
        assert_eq!(q.cantidad_sugerida_bultos, 41, "the original's ceil gave 42 (504 > 500 units held)");
        assert_eq!(q.cantidad_sugerida_unid, 492.0);
        assert!(q.limitado_por_origen);
    }

    #[test]
    fn e7_8c_d_class_b_orders_only_at_or_below_the_reorder_point() {
        let q = quantity(&input(AbcClass::B, 120.0, 36.0, 150.0, 2400.0, 24.0, 15));
        assert!(close(q.punto_reorden, 335.714, 1e-3));
        assert!(close(q.stock_maximo, 2135.714, 1e-3));
        assert_eq!(q.cantidad_sugerida_bultos, 83);
        let q = quantity(&input(AbcClass::B, 120.0, 36.0, 600.0, 2400.0, 24.0, 15));
        assert_eq!(q.cantidad_sugerida_bultos, 0, "600 is above ROP though below MAX");
    }

    #[test]
    fn e7_8e_frozen_goods_use_their_own_days() {
        let frozen = FrozenGoods::default();
        assert!(frozen.matches(Some("CUADRANTE VI"), Some("LACTEOS")));
        assert!(frozen.matches(None, Some("Helados y postres")));
        assert!(!frozen.matches(Some("CUADRANTE II"), Some("VIVERES")));
        let days = RouteSettings::default().coverage_days(AbcClass::C, true);
        assert_eq!(days, 7);
        let q = quantity(&input(AbcClass::C, 50.0, 15.0, 40.0, 10_000.0, 10.0, days));
        assert!(close(q.stock_seguridad, 27.153, 1e-3));
        assert!(close(q.stock_maximo, 477.153, 1e-3));
        assert_eq!(q.cantidad_sugerida_bultos, 44);
    }

    #[test]
    fn e7_8f_catalogue_presence_without_regional_sales() {
        assert_eq!(quantity(&input(AbcClass::D, 0.0, 0.0, 0.0, 30.0, 12.0, 18)).cantidad_sugerida_bultos, 2);
        assert_eq!(quantity(&input(AbcClass::D, 0.0, 0.0, 0.0, 20.0, 12.0, 18)).cantidad_sugerida_bultos, 1);
        let held = quantity(&input(AbcClass::D, 0.0, 0.0, 5.0, 30.0, 12.0, 18));
        assert_eq!(held.cantidad_sugerida_bultos, 0);
        assert_eq!(held.cantidad_ideal_unid, 24.0, "the presence target is still reported");
    }

    #[test]
    fn goods_on_the_way_to_the_destination_count() {
        let mut i = input(AbcClass::B, 120.0, 36.0, 150.0, 2400.0, 24.0, 15);
        i.transito_destino = 300.0;
        assert_eq!(quantity(&i).cantidad_sugerida_bultos, 0, "150 held + 300 coming is above ROP");
    }

    #[test]
    fn e7_9_regional_p75_and_sigma() {
        let r = regional_demand(&[
            StoreDays { tienda_id: "a".into(), dias: vec![10.0, 20.0, 30.0, 40.0] },
            StoreDays { tienda_id: "b".into(), dias: vec![5.0, 5.0, 8.0] },
            StoreDays { tienda_id: "c".into(), dias: vec![] },
        ]);
        assert_eq!(r.p75_por_tienda, vec![("a".to_string(), 32.5), ("b".to_string(), 6.5)]);
        assert!(close(r.p75_regional, 39.0, 1e-9));
        assert!(close(r.sigma_regional, 13.026, 1e-3));
        assert_eq!(r.num_tiendas_region, 2);
        let single = regional_demand(&[StoreDays { tienda_id: "a".into(), dias: vec![10.0] }]);
        assert!(close(single.sigma_efectiva, 3.0, 1e-9), "σ of one day is 0: 30 % of P");
    }

    #[test]
    fn e7_10_priority_matrix() {
        assert_eq!(priority(AbcClass::B, 10.0, 70.0).1, 5);
        assert_eq!(priority(AbcClass::B, 10.0, 70.1).1, 6);
        assert_eq!(priority(AbcClass::A, 0.0, 50.0), (NO_DEMAND_DAYS, 7));
        assert_eq!(priority(AbcClass::D, 10.0, 0.0).1, 6);
    }

    #[test]
    fn e7_11_exclusion_code_variants() {
        assert_eq!(exclusion_code_variants("3216"), vec!["3216", "003216"]);
        assert_eq!(exclusion_code_variants("003216"), vec!["003216", "3216"]);
        assert_eq!(exclusion_code_variants(" 0 "), vec!["0", "000000"]);
        assert_eq!(exclusion_code_variants("AB12"), vec!["AB12"]);
        assert_eq!(exclusion_code_variants("1234567"), vec!["1234567"]);
    }

    #[test]
    fn e7_6_substitutable_set_redistribution() {
        let m = |c: &str, share: f64, stock: bool| SetMember { codigo: c.into(), share, con_stock_origen: stock };
        let (d, alert) = redistribute(60.0, &[m("A", 50.0, false), m("B", 33.33, true), m("C", 16.67, true)]);
        assert!(close(d[0], 0.0, 1e-9) && close(d[1], 40.0, 0.01) && close(d[2], 20.0, 0.01), "{d:?}");
        assert_eq!(alert, Some(SetAlert::Redistribuido(vec!["A".into()])));
        let (d, alert) = redistribute(60.0, &[m("A", 50.0, false), m("B", 33.33, false), m("C", 16.67, false)]);
        assert!(close(d[0], 30.0, 0.01) && close(d[1], 20.0, 0.01) && close(d[2], 10.0, 0.01), "{d:?}");
        assert_eq!(alert, Some(SetAlert::TodosSinStock));
    }

    #[test]
    fn a_traffic_generator_is_computed_as_class_a_with_a_coverage_and_z() {
        assert_eq!(line_class(AbcClass::C, true), AbcClass::A);
        assert_eq!(line_class(AbcClass::D, true), AbcClass::A, "even without regional sales");
        assert_eq!(line_class(AbcClass::C, false), AbcClass::C);
        let s = RouteSettings::default();
        // Class C with P 10/day, σ 4: z and coverage of A (2.33, 12 days) instead of C (1.28, 18 days).
        let as_a = quantity(&input(line_class(AbcClass::C, true), 10.0, 4.0, 0.0, 10_000.0, 1.0, s.coverage_days(AbcClass::A, false)));
        let as_c = quantity(&input(AbcClass::C, 10.0, 4.0, 0.0, 10_000.0, 1.0, s.coverage_days(AbcClass::C, false)));
        assert!((as_a.stock_seguridad - 2.33 * 4.0 * s.lead_time_dias.sqrt()).abs() < 1e-9);
        assert!((as_c.stock_seguridad - 1.28 * 4.0 * s.lead_time_dias.sqrt()).abs() < 1e-9);
        // Frozen goods keep their days whatever the class.
        assert_eq!(s.coverage_days(line_class(AbcClass::C, true), true), s.coverage_days(AbcClass::C, true));
        assert!(line_reason(AbcClass::A, 12, true).ends_with("Generador de tráfico: calculado como clase A"));
        assert_eq!(line_reason(AbcClass::C, 18, false), reason(AbcClass::C, 18));
    }

    #[test]
    fn regional_classes_rank_by_units_with_ties_by_code() {
        let t = RankThresholds { a: 1, b: 2, c: 3 };
        let c = regional_classes(&[("b".into(), 10.0), ("a".into(), 10.0), ("c".into(), 5.0), ("d".into(), 1.0), ("e".into(), 0.0)], &t);
        assert_eq!(
            c.iter().map(|(k, v)| format!("{k}{}", v.as_str())).collect::<Vec<_>>(),
            vec!["aA", "bB", "cC", "dD"],
            "no sales is not ranked (class D by absence)"
        );
    }

    #[test]
    fn route_settings_are_validated() {
        assert!(RouteSettings::default().validate().is_ok());
        assert_eq!(RouteSettings { dias_cobertura_a: 61, ..Default::default() }.validate().unwrap_err().0, "dias_cobertura_a");
        assert_eq!(RouteSettings { lead_time_dias: 1.3, ..Default::default() }.validate().unwrap_err().0, "lead_time_dias");
    }
}
