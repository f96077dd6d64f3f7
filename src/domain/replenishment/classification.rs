//! ABC classification (four models, spec 30 §4), XYZ and the ABC-XYZ matrix (§5).
//!
//! The same functions serve the per-store cache and the global cache: the caller passes the
//! 30-day sales lines of one store, or of all stores, already restricted to the ABC window
//! (`[today − dias, now]`, the running day included as in the original).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::demand::{mean, selling_days_in_window, std_population};

/// ABC class. The derived order is the order of criticality: `A < B < C < D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
pub enum AbcClass {
    A,
    B,
    C,
    D,
}

impl AbcClass {
    pub const ALL: [AbcClass; 4] = [AbcClass::A, AbcClass::B, AbcClass::C, AbcClass::D];

    pub fn as_str(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
            AbcClass::D => "D",
        }
    }

    /// Parses `A`…`D` (trimmed, case-insensitive). `SIN_VENTAS`, `-` and anything else → `None`.
    pub fn parse(s: &str) -> Option<AbcClass> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Some(AbcClass::A),
            "B" => Some(AbcClass::B),
            "C" => Some(AbcClass::C),
            "D" => Some(AbcClass::D),
            _ => None,
        }
    }
}

/// The four ABC models; `abc_modelo_activo` picks one (default `ranking_volumen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AbcModel {
    #[default]
    RankingVolumen,
    RankingValor,
    ParetoVolumen,
    ParetoValor,
}

impl AbcModel {
    pub const ALL: [AbcModel; 4] = [AbcModel::RankingVolumen, AbcModel::RankingValor, AbcModel::ParetoVolumen, AbcModel::ParetoValor];

    pub fn id(self) -> &'static str {
        match self {
            AbcModel::RankingVolumen => "ranking_volumen",
            AbcModel::RankingValor => "ranking_valor",
            AbcModel::ParetoVolumen => "pareto_volumen",
            AbcModel::ParetoValor => "pareto_valor",
        }
    }

    pub fn parse(s: &str) -> Option<AbcModel> {
        AbcModel::ALL.into_iter().find(|m| m.id() == s.trim())
    }
}

/// Thresholds of §4.1 / §14.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AbcThresholds {
    pub umbral_a: u32,
    pub umbral_b: u32,
    pub umbral_c: u32,
    pub pareto_a_pct: f64,
    pub pareto_b_pct: f64,
}

impl Default for AbcThresholds {
    fn default() -> Self {
        AbcThresholds { umbral_a: 50, umbral_b: 200, umbral_c: 800, pareto_a_pct: 80.0, pareto_b_pct: 95.0 }
    }
}

/// Why a threshold set is invalid (the http layer maps this to 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    #[error("los umbrales ABC deben cumplir 0 < umbral_a < umbral_b < umbral_c")]
    Ranking,
    #[error("los umbrales Pareto deben cumplir 0 < pareto_a_pct < pareto_b_pct <= 100")]
    Pareto,
}

impl AbcThresholds {
    pub fn validate(&self) -> Result<(), ThresholdError> {
        if !(0 < self.umbral_a && self.umbral_a < self.umbral_b && self.umbral_b < self.umbral_c) {
            return Err(ThresholdError::Ranking);
        }
        let (a, b) = (self.pareto_a_pct, self.pareto_b_pct);
        if !(a.is_finite() && b.is_finite() && 0.0 < a && a < b && b <= 100.0) {
            return Err(ThresholdError::Pareto);
        }
        Ok(())
    }
}

/// One sales line of the ABC window.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AbcSale {
    pub tienda: String,
    pub codigo: String,
    pub cantidad: f64,
    pub venta: f64,
    pub numero_factura: String,
}

/// Per-product totals of the ABC window.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct AbcInput {
    pub codigo: String,
    pub cantidad_30d: f64,
    pub venta_30d: f64,
    pub tickets_30d: u64,
}

/// Removes a trailing line suffix `_L<digits>` from an invoice number.
pub fn normalize_invoice(numero: &str) -> &str {
    if let Some(pos) = numero.rfind("_L") {
        let digits = &numero[pos + 2..];
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return &numero[..pos];
        }
    }
    numero
}

/// Sums lines into [`AbcInput`] rows (sorted by code), skipping the excluded codes (bags).
///
/// A ticket is (`tienda`, invoice without line suffix): invoice numbers repeat across stores,
/// and the original's global cache merged them (spec 10 §4.1).
pub fn aggregate_abc_inputs(lines: &[AbcSale], codigos_excluidos: &[String]) -> Vec<AbcInput> {
    /// Units, sales and the distinct (store, invoice) tickets of one product.
    type Totals<'a> = (f64, f64, BTreeSet<(&'a str, &'a str)>);
    let mut acc: BTreeMap<&str, Totals<'_>> = BTreeMap::new();
    for l in lines {
        if codigos_excluidos.iter().any(|c| c == &l.codigo) {
            continue;
        }
        let e = acc.entry(l.codigo.as_str()).or_insert_with(|| (0.0, 0.0, BTreeSet::new()));
        if l.cantidad.is_finite() {
            e.0 += l.cantidad;
        }
        if l.venta.is_finite() {
            e.1 += l.venta;
        }
        e.2.insert((l.tienda.as_str(), normalize_invoice(&l.numero_factura)));
    }
    acc.into_iter()
        .map(|(codigo, (q, v, t))| AbcInput { codigo: codigo.to_string(), cantidad_30d: q, venta_30d: v, tickets_30d: t.len() as u64 })
        .collect()
}

/// One row of the ABC cache.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbcRow {
    pub codigo: String,
    pub cantidad_30d: f64,
    pub venta_30d: f64,
    pub tickets_30d: u64,
    pub rank_cantidad: u32,
    pub rank_valor: u32,
    pub rank_penetracion: u32,
    /// `rank_cantidad − rank_penetracion` (traffic-generator detection).
    pub gap: i64,
    /// Share of `venta_30d` in the total value, in %.
    pub porcentaje_venta: f64,
    /// Cumulative value share in `rank_valor` order, this product included, in %.
    pub porcentaje_acumulado: f64,
    pub clase_ranking_vol: AbcClass,
    pub clase_ranking_val: AbcClass,
    pub clase_pareto_vol: AbcClass,
    pub clase_pareto_val: AbcClass,
    /// The active model's class.
    pub clase_abc: AbcClass,
}

impl AbcRow {
    pub fn class_for(&self, model: AbcModel) -> AbcClass {
        match model {
            AbcModel::RankingVolumen => self.clase_ranking_vol,
            AbcModel::RankingValor => self.clase_ranking_val,
            AbcModel::ParetoVolumen => self.clase_pareto_vol,
            AbcModel::ParetoValor => self.clase_pareto_val,
        }
    }
}

/// Class of an absolute rank (1-based): ≤ a → A, ≤ b → B, ≤ c → C, else D.
pub fn class_for_rank(rank: u32, t: &AbcThresholds) -> AbcClass {
    if rank <= t.umbral_a {
        AbcClass::A
    } else if rank <= t.umbral_b {
        AbcClass::B
    } else if rank <= t.umbral_c {
        AbcClass::C
    } else {
        AbcClass::D
    }
}

/// 1-based ranks by metric descending; ties broken by code ascending (the original's order
/// was unspecified, the rebuild makes it reproducible). `inputs` come in code order, so
/// the position breaks ties without comparing strings.
fn ranks<F: Fn(&AbcInput) -> f64>(inputs: &[AbcInput], metric: F) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..inputs.len()).collect();
    idx.sort_unstable_by(|&i, &j| metric(&inputs[j]).total_cmp(&metric(&inputs[i])).then_with(|| i.cmp(&j)));
    let mut out = vec![0u32; inputs.len()];
    for (r, i) in idx.into_iter().enumerate() {
        out[i] = r as u32 + 1;
    }
    out
}

/// Pareto classes (rebuild rule, §4.1): metric ≤ 0 → D; otherwise with *before* = sum of the
/// metrics strictly greater than this one: A if before < a % of the total, B if < b %, else C.
///
/// Why: the original cumulated shares including the product itself, so a product holding more
/// than a % was never A (shares 85/10/5 gave no A at all). Ties share a class. The total is the
/// sum of the positive metrics (net returns cannot shrink it).
pub fn pareto_classes(metrics: &[f64], a_pct: f64, b_pct: f64) -> Vec<AbcClass> {
    let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
    let total: f64 = metrics.iter().map(|&x| clean(x)).filter(|&x| x > 0.0).sum();
    let mut desc: Vec<f64> = metrics.iter().map(|&x| clean(x)).filter(|&x| x > 0.0).collect();
    desc.sort_by(|a, b| b.total_cmp(a));
    // prefix[i] = sum of the i largest metrics (same order of addition as a running sum),
    // so "sum of metrics strictly greater than m" is one binary search: O(n log n), not O(n²).
    let mut prefix = Vec::with_capacity(desc.len() + 1);
    prefix.push(0.0);
    for x in &desc {
        prefix.push(prefix[prefix.len() - 1] + x);
    }
    metrics
        .iter()
        .map(|&m| {
            let m = clean(m);
            if m <= 0.0 {
                return AbcClass::D;
            }
            let before = prefix[desc.partition_point(|&x| x > m)];
            if before * 100.0 < a_pct * total {
                AbcClass::A
            } else if before * 100.0 < b_pct * total {
                AbcClass::B
            } else {
                AbcClass::C
            }
        })
        .collect()
}

/// Computes the four models for every product; `clase_abc` = the active model's class.
/// Rows are returned sorted by code.
pub fn classify_abc(inputs: &[AbcInput], t: &AbcThresholds, activo: AbcModel) -> Vec<AbcRow> {
    classify_abc_owned(inputs.to_vec(), t, activo)
}

/// [`classify_abc`] of inputs it may consume: each code moves into its row, uncopied.
pub fn classify_abc_owned(mut inputs: Vec<AbcInput>, t: &AbcThresholds, activo: AbcModel) -> Vec<AbcRow> {
    inputs.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let fin = |x: f64| if x.is_finite() { x } else { 0.0 };
    let r_q = ranks(&inputs, |p| fin(p.cantidad_30d));
    let r_v = ranks(&inputs, |p| fin(p.venta_30d));
    let r_t = ranks(&inputs, |p| p.tickets_30d as f64);
    let p_q = pareto_classes(&inputs.iter().map(|p| p.cantidad_30d).collect::<Vec<_>>(), t.pareto_a_pct, t.pareto_b_pct);
    let p_v = pareto_classes(&inputs.iter().map(|p| p.venta_30d).collect::<Vec<_>>(), t.pareto_a_pct, t.pareto_b_pct);

    let total_valor: f64 = inputs.iter().map(|p| fin(p.venta_30d)).sum();
    let mut by_value: Vec<usize> = (0..inputs.len()).collect();
    by_value.sort_by_key(|&i| r_v[i]);
    let mut acumulado = vec![0.0; inputs.len()];
    let mut running = 0.0;
    for i in by_value {
        running += fin(inputs[i].venta_30d);
        acumulado[i] = if total_valor != 0.0 { running / total_valor * 100.0 } else { 0.0 };
    }

    inputs
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = AbcRow {
                codigo: p.codigo,
                cantidad_30d: p.cantidad_30d,
                venta_30d: p.venta_30d,
                tickets_30d: p.tickets_30d,
                rank_cantidad: r_q[i],
                rank_valor: r_v[i],
                rank_penetracion: r_t[i],
                gap: i64::from(r_q[i]) - i64::from(r_t[i]),
                porcentaje_venta: if total_valor != 0.0 { fin(p.venta_30d) / total_valor * 100.0 } else { 0.0 },
                porcentaje_acumulado: acumulado[i],
                clase_ranking_vol: class_for_rank(r_q[i], t),
                clase_ranking_val: class_for_rank(r_v[i], t),
                clase_pareto_vol: p_q[i],
                clase_pareto_val: p_v[i],
                clase_abc: AbcClass::D,
            };
            row.clase_abc = row.class_for(activo);
            row
        })
        .collect()
}

/// User-facing label of a class under a model, e.g. "Top 50", "51-200", "80% vol", "Sin ventas".
/// A product without class shows "–".
pub fn abc_label(model: AbcModel, clase: Option<AbcClass>, t: &AbcThresholds) -> String {
    let Some(c) = clase else {
        return "–".to_string();
    };
    let pct = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    };
    match model {
        AbcModel::RankingVolumen | AbcModel::RankingValor => match c {
            AbcClass::A => format!("Top {}", t.umbral_a),
            AbcClass::B => format!("{}-{}", t.umbral_a + 1, t.umbral_b),
            AbcClass::C => format!("{}-{}", t.umbral_b + 1, t.umbral_c),
            AbcClass::D => format!("{}+", t.umbral_c + 1),
        },
        AbcModel::ParetoVolumen | AbcModel::ParetoValor => {
            let unit = if model == AbcModel::ParetoVolumen { "vol" } else { "valor" };
            match c {
                AbcClass::A => format!("{}% {unit}", pct(t.pareto_a_pct)),
                AbcClass::B => format!("{}-{}%", pct(t.pareto_a_pct), pct(t.pareto_b_pct)),
                AbcClass::C => format!("{}-100%", pct(t.pareto_b_pct)),
                AbcClass::D => "Sin ventas".to_string(),
            }
        }
    }
}

/// The "most critical" class across several stores (a CEDI serving them, §4.3):
/// A > B > C > D; stores without a class (`SIN_VENTAS` or no row) are ignored; default D.
pub fn most_critical_class<I: IntoIterator<Item = Option<AbcClass>>>(classes: I) -> AbcClass {
    classes.into_iter().flatten().min().unwrap_or(AbcClass::D)
}

// ---------------------------------------------------------------------------------------------
// XYZ

/// XYZ class (informational only: it never changes a quantity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum XyzClass {
    X,
    Y,
    Z,
}

impl XyzClass {
    pub const ALL: [XyzClass; 3] = [XyzClass::X, XyzClass::Y, XyzClass::Z];

    pub fn as_str(self) -> &'static str {
        match self {
            XyzClass::X => "X",
            XyzClass::Y => "Y",
            XyzClass::Z => "Z",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct XyzConfig {
    /// CV below this → X (default 0.5).
    pub umbral_x: f64,
    /// CV below this → Y, else Z (default 1.0).
    pub umbral_y: f64,
    /// Minimum selling days for a class (default 15).
    pub min_dias_venta: u32,
    /// Window in calendar days (default 30).
    pub ventana_dias: u32,
}

impl Default for XyzConfig {
    fn default() -> Self {
        XyzConfig { umbral_x: 0.5, umbral_y: 1.0, min_dias_venta: 15, ventana_dias: 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct XyzResult {
    /// `None` when there are fewer than `min_dias_venta` selling days.
    pub clase: Option<XyzClass>,
    /// Class used by the matrix: undetermined counts as Y (parity with the original).
    pub clase_matriz: XyzClass,
    pub xyz_insuficiente: bool,
    pub cv: f64,
    pub media: f64,
    pub sigma_poblacional: f64,
    pub dias_venta: u32,
}

/// XYZ of a series of selling-day totals: CV = population σ ÷ mean (mean = 0 → CV 0 → X).
/// A negative mean (net returns) uses |mean| so that the CV stays a dispersion measure.
pub fn classify_xyz(values: &[f64], cfg: &XyzConfig) -> XyzResult {
    let vals: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let media = mean(&vals);
    let sigma = std_population(&vals);
    let cv = if media == 0.0 { 0.0 } else { sigma / media.abs() };
    let insuficiente = (vals.len() as u64) < u64::from(cfg.min_dias_venta);
    let computed = if cv < cfg.umbral_x {
        XyzClass::X
    } else if cv < cfg.umbral_y {
        XyzClass::Y
    } else {
        XyzClass::Z
    };
    let clase = if insuficiente { None } else { Some(computed) };
    XyzResult {
        clase,
        clase_matriz: clase.unwrap_or(XyzClass::Y),
        xyz_insuficiente: insuficiente,
        cv,
        media,
        sigma_poblacional: sigma,
        dias_venta: vals.len() as u32,
    }
}

/// XYZ from a daily series, over the selling days of `[today − ventana, today − 1]`.
pub fn xyz_from_sales(ventas: &[(NaiveDate, f64)], today: NaiveDate, excluidos: &[NaiveDate], cfg: &XyzConfig) -> XyzResult {
    let vals: Vec<f64> = selling_days_in_window(ventas, today, cfg.ventana_dias, excluidos).into_iter().map(|(_, q)| q).collect();
    classify_xyz(&vals, cfg)
}

/// One product for the ABC-XYZ matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixItem {
    pub clase_abc: AbcClass,
    /// `None` = undetermined XYZ (counted as Y).
    pub clase_xyz: Option<XyzClass>,
    /// Value (e.g. `venta_30d`) for the % of value.
    pub valor: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixCell {
    /// "AX" … "DZ".
    pub celda: String,
    pub clase_abc: AbcClass,
    pub clase_xyz: XyzClass,
    pub productos: u64,
    pub pct_productos: f64,
    pub pct_valor: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbcXyzMatrix {
    /// 12 cells, A–D × X–Z in that order.
    pub celdas: Vec<MatrixCell>,
    pub total_productos: u64,
    pub total_valor: f64,
    /// Products counted as Y because their XYZ was undetermined.
    pub productos_xyz_insuficiente: u64,
}

/// Label of a matrix cell, e.g. `AX`.
pub fn matrix_label(abc: AbcClass, xyz: XyzClass) -> String {
    format!("{}{}", abc.as_str(), xyz.as_str())
}

/// The production 4 × 3 matrix (§5).
pub fn abc_xyz_matrix(items: &[MatrixItem]) -> AbcXyzMatrix {
    let fin = |x: f64| if x.is_finite() { x } else { 0.0 };
    let total_productos = items.len() as u64;
    let total_valor: f64 = items.iter().map(|i| fin(i.valor)).sum();
    let mut celdas = Vec::with_capacity(12);
    for abc in AbcClass::ALL {
        for xyz in XyzClass::ALL {
            let members: Vec<&MatrixItem> =
                items.iter().filter(|i| i.clase_abc == abc && i.clase_xyz.unwrap_or(XyzClass::Y) == xyz).collect();
            let n = members.len() as u64;
            let v: f64 = members.iter().map(|i| fin(i.valor)).sum();
            celdas.push(MatrixCell {
                celda: matrix_label(abc, xyz),
                clase_abc: abc,
                clase_xyz: xyz,
                productos: n,
                pct_productos: if total_productos > 0 { n as f64 / total_productos as f64 * 100.0 } else { 0.0 },
                pct_valor: if total_valor != 0.0 { v / total_valor * 100.0 } else { 0.0 },
            });
        }
    }
    AbcXyzMatrix {
        celdas,
        total_productos,
        total_valor,
        productos_xyz_insuficiente: items.iter().filter(|i| i.clase_xyz.is_none()).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AbcClass::*;

    fn inp(codigo: &str, q: f64) -> AbcInput {
        AbcInput { codigo: codigo.into(), cantidad_30d: q, venta_30d: q * 2.0, tickets_30d: 0 }
    }

    #[test]
    fn e17_abc_models() {
        let t = AbcThresholds { umbral_a: 1, umbral_b: 3, umbral_c: 4, pareto_a_pct: 80.0, pareto_b_pct: 95.0 };
        assert_eq!(t.validate(), Ok(()));
        // Given out of order on purpose: the result must not depend on input order.
        let inputs = vec![inp("P3", 300.0), inp("P5", 0.0), inp("P1", 500.0), inp("P4", 100.0), inp("P2", 300.0)];
        let rows = classify_abc(&inputs, &t, AbcModel::RankingVolumen);
        let get = |c: &str| rows.iter().find(|r| r.codigo == c).cloned().expect("row present");
        let ranking: Vec<(u32, AbcClass)> =
            ["P1", "P2", "P3", "P4", "P5"].iter().map(|c| (get(c).rank_cantidad, get(c).clase_ranking_vol)).collect();
        assert_eq!(ranking, vec![(1, A), (2, B), (3, B), (4, C), (5, D)]);
        let pareto: Vec<AbcClass> = ["P1", "P2", "P3", "P4", "P5"].iter().map(|c| get(c).clase_pareto_vol).collect();
        assert_eq!(pareto, vec![A, A, A, B, D]);
        assert_eq!(get("P2").clase_abc, B); // active = ranking_volumen
        let rows = classify_abc(&inputs, &t, AbcModel::ParetoVolumen);
        assert_eq!(rows.iter().find(|r| r.codigo == "P2").map(|r| r.clase_abc), Some(A));
        // Shares 850/100/50: the original gave B, B, C (no A); the rebuild gives A, B, C.
        assert_eq!(pareto_classes(&[850.0, 100.0, 50.0], 80.0, 95.0), vec![A, B, C]);
    }

    #[test]
    fn ranking_by_value_and_penetration() {
        let t = AbcThresholds::default();
        let inputs = vec![
            AbcInput { codigo: "001".into(), cantidad_30d: 10.0, venta_30d: 100.0, tickets_30d: 3 },
            AbcInput { codigo: "002".into(), cantidad_30d: 20.0, venta_30d: 50.0, tickets_30d: 9 },
        ];
        let rows = classify_abc(&inputs, &t, AbcModel::RankingValor);
        assert_eq!((rows[0].rank_valor, rows[1].rank_valor), (1, 2));
        assert_eq!((rows[0].rank_cantidad, rows[1].rank_cantidad), (2, 1));
        assert_eq!((rows[0].rank_penetracion, rows[1].rank_penetracion), (2, 1));
        assert_eq!(rows[0].gap, 0);
        assert!((rows[0].porcentaje_venta - 66.6667).abs() < 1e-3);
        assert!((rows[0].porcentaje_acumulado - 66.6667).abs() < 1e-3);
        assert!((rows[1].porcentaje_acumulado - 100.0).abs() < 1e-9);
    }

    #[test]
    fn tickets_strip_line_suffix_and_keep_stores_apart() {
        let line = |tienda: &str, codigo: &str, fac: &str| AbcSale {
            tienda: tienda.into(),
            codigo: codigo.into(),
            cantidad: 1.0,
            venta: 2.0,
            numero_factura: fac.into(),
        };
        let lines = vec![
            line("tienda_01", "001", "0001086268_L1"),
            line("tienda_01", "001", "0001086268_L2"),
            line("tienda_02", "001", "0001086268_L1"),
            line("tienda_01", "003760", "0001086268_L3"),
        ];
        let agg = aggregate_abc_inputs(&lines, &["003760".to_string()]);
        assert_eq!(agg.len(), 1);
        assert_eq!(agg[0].tickets_30d, 2);
        assert_eq!(agg[0].cantidad_30d, 3.0);
        assert_eq!(normalize_invoice("A_L"), "A_L");
        assert_eq!(normalize_invoice("A_LX1"), "A_LX1");
        assert_eq!(normalize_invoice("A_L12"), "A");
    }

    #[test]
    fn thresholds_validation() {
        let mut t = AbcThresholds::default();
        assert!(t.validate().is_ok());
        t.umbral_b = 50;
        assert_eq!(t.validate(), Err(ThresholdError::Ranking));
        let t = AbcThresholds { pareto_b_pct: 100.5, ..AbcThresholds::default() };
        assert_eq!(t.validate(), Err(ThresholdError::Pareto));
        let t = AbcThresholds { pareto_a_pct: 95.0, ..AbcThresholds::default() };
        assert_eq!(t.validate(), Err(ThresholdError::Pareto));
    }

    #[test]
    fn labels_and_most_critical() {
        let t = AbcThresholds::default();
        assert_eq!(abc_label(AbcModel::RankingVolumen, Some(A), &t), "Top 50");
        assert_eq!(abc_label(AbcModel::RankingValor, Some(B), &t), "51-200");
        assert_eq!(abc_label(AbcModel::RankingVolumen, Some(C), &t), "201-800");
        assert_eq!(abc_label(AbcModel::RankingVolumen, Some(D), &t), "801+");
        assert_eq!(abc_label(AbcModel::ParetoVolumen, Some(A), &t), "80% vol");
        assert_eq!(abc_label(AbcModel::ParetoVolumen, Some(B), &t), "80-95%");
        assert_eq!(abc_label(AbcModel::ParetoValor, Some(C), &t), "95-100%");
        assert_eq!(abc_label(AbcModel::ParetoValor, Some(D), &t), "Sin ventas");
        assert_eq!(abc_label(AbcModel::ParetoValor, None, &t), "–");
        assert_eq!(most_critical_class([Some(C), None, Some(B)]), B);
        assert_eq!(most_critical_class([None, None]), D);
        assert_eq!(AbcModel::parse("pareto_valor"), Some(AbcModel::ParetoValor));
        assert_eq!(AbcClass::parse(" b "), Some(B));
        assert_eq!(AbcClass::parse("SIN_VENTAS"), None);
    }

    #[test]
    fn e16_xyz_insufficient_data() {
        let r = classify_xyz(&[2.0, 3.0, 2.0, 15.0, 3.0, 2.0, 3.0], &XyzConfig::default());
        assert!((r.sigma_poblacional - 4.3985).abs() < 1e-3);
        assert!((r.cv - 1.0263).abs() < 1e-3);
        assert_eq!(r.clase, None);
        assert!(r.xyz_insuficiente);
        assert_eq!(r.clase_matriz, XyzClass::Y);
        let m = abc_xyz_matrix(&[MatrixItem { clase_abc: C, clase_xyz: r.clase, valor: 10.0 }]);
        let cell = m.celdas.iter().find(|c| c.celda == "CY").expect("cell CY");
        assert_eq!(cell.productos, 1);
        assert_eq!(m.productos_xyz_insuficiente, 1);
    }

    #[test]
    fn xyz_thresholds_and_matrix_percentages() {
        let cfg = XyzConfig { min_dias_venta: 2, ..XyzConfig::default() };
        assert_eq!(classify_xyz(&[5.0, 5.0], &cfg).clase, Some(XyzClass::X));
        assert_eq!(classify_xyz(&[0.0, 0.0], &cfg).clase, Some(XyzClass::X)); // mean 0 → CV 0
        assert_eq!(classify_xyz(&[1.0, 3.0], &cfg).clase, Some(XyzClass::Y)); // CV = 0.5
        assert_eq!(classify_xyz(&[0.0, 2.0], &cfg).clase, Some(XyzClass::Z)); // CV = 1.0
        let items = vec![
            MatrixItem { clase_abc: A, clase_xyz: Some(XyzClass::X), valor: 30.0 },
            MatrixItem { clase_abc: A, clase_xyz: Some(XyzClass::X), valor: 50.0 },
            MatrixItem { clase_abc: D, clase_xyz: Some(XyzClass::Z), valor: 20.0 },
        ];
        let m = abc_xyz_matrix(&items);
        assert_eq!(m.celdas.len(), 12);
        assert_eq!(m.celdas[0].celda, "AX");
        assert_eq!(m.celdas[11].celda, "DZ");
        assert!((m.celdas[0].pct_productos - 66.6667).abs() < 1e-3);
        assert!((m.celdas[0].pct_valor - 80.0).abs() < 1e-9);
        assert!((m.celdas[11].pct_valor - 20.0).abs() < 1e-9);
    }
}
