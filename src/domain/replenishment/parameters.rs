//! Parameter resolution (spec 30 §6.1, §14): category → store → global → built-in, with the
//! level each value came from, so the explanation can say "cobertura 2 días (categoría FRUVER)".
//!
//! `None` means "unset" at a level; `Some(0.0)` is a real 0. *Why:* the original treated a
//! store override of 0 as "not set", and ignored the global lead time, coverage days, Z values
//! and σ window that the admin screen let users save. Every level is honoured here.

use serde::Serialize;

use super::classification::AbcClass;
use super::demand::{DemandWindows, DEFAULT_DEMAND_WINDOW_DAYS, DEFAULT_SIGMA_WINDOW_DAYS};

/// Built-in lead time in days.
pub const DEFAULT_LEAD_TIME: f64 = 1.5;

/// Built-in coverage days per class.
pub fn default_coverage_days(c: AbcClass) -> f64 {
    match c {
        AbcClass::A => 7.0,
        AbcClass::B => 14.0,
        AbcClass::C => 21.0,
        AbcClass::D => 30.0,
    }
}

/// Built-in service factor Z per class (A 99 %, B 97 %, C 90 %; D uses no Z).
pub fn default_z(c: AbcClass) -> f64 {
    match c {
        AbcClass::A => 2.33,
        AbcClass::B => 1.88,
        AbcClass::C => 1.28,
        AbcClass::D => 0.0,
    }
}

/// Where a resolved value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamSource {
    Categoria,
    Tienda,
    Global,
    Predeterminado,
}

/// A value with its source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sourced<T> {
    pub valor: T,
    pub fuente: ParamSource,
}

/// One optional value per class.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PerClass<T> {
    pub a: T,
    pub b: T,
    pub c: T,
    pub d: T,
}

impl<T: Copy> PerClass<T> {
    pub fn get(&self, c: AbcClass) -> T {
        match c {
            AbcClass::A => self.a,
            AbcClass::B => self.b,
            AbcClass::C => self.c,
            AbcClass::D => self.d,
        }
    }
}

/// Global knobs; `None` = not configured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GlobalParams {
    pub lead_time: Option<f64>,
    pub cobertura_dias: PerClass<Option<f64>>,
    pub z: PerClass<Option<f64>>,
    pub ventana_sigma_d: Option<u32>,
    pub ventana_demanda_dias: Option<u32>,
}

/// Active store override row (`config_parametros_abc_tienda`); pass `None` when the store has
/// no active row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreOverride {
    pub lead_time_override: Option<f64>,
    pub cobertura_dias: PerClass<Option<f64>>,
}

/// Active category coverage row (`config_cobertura_categoria`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CategoryOverride {
    pub categoria: String,
    pub cobertura_dias: PerClass<Option<f64>>,
}

/// Everything parameter resolution needs for one destination store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamConfig {
    pub global: GlobalParams,
    pub tienda: Option<StoreOverride>,
    pub categorias: Vec<CategoryOverride>,
}

/// Parameters of one product (for its effective class), each with its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedParams {
    pub clase: AbcClass,
    pub lead_time: Sourced<f64>,
    pub cobertura_dias: Sourced<f64>,
    pub z: Sourced<f64>,
    /// Configured category key that matched, if any (even if it did not decide coverage).
    pub categoria_override: Option<String>,
}

/// Demand windows with their sources.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResolvedWindows {
    pub ventana_demanda_dias: Sourced<u32>,
    pub ventana_sigma_d: Sourced<u32>,
}

impl ResolvedWindows {
    pub fn windows(&self) -> DemandWindows {
        DemandWindows { demanda_dias: self.ventana_demanda_dias.valor, sigma_dias: self.ventana_sigma_d.valor }
    }
}

/// Negative or non-finite values cannot be meant (config validation rejects them): they fall
/// through to the next level instead of corrupting the calculation. 0 is kept.
fn usable(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite() && *x >= 0.0)
}

fn first(levels: &[(Option<f64>, ParamSource)], builtin: f64) -> Sourced<f64> {
    levels
        .iter()
        .find_map(|(v, s)| usable(*v).map(|valor| Sourced { valor, fuente: *s }))
        .unwrap_or(Sourced { valor: builtin, fuente: ParamSource::Predeterminado })
}

/// Trimmed, upper-cased category (the comparison key of category overrides).
pub fn normalize_category(s: &str) -> String {
    s.trim().to_uppercase()
}

/// The override row for a product category: exact (normalised) match first, otherwise the
/// **longest** configured key contained in the category; equal lengths → alphabetical first.
/// *Why:* the original took the first contained key in unspecified order.
pub fn match_category<'a>(overrides: &'a [CategoryOverride], categoria: &str) -> Option<&'a CategoryOverride> {
    let cat = normalize_category(categoria);
    if cat.is_empty() {
        return None;
    }
    if let Some(exact) = overrides.iter().find(|o| normalize_category(&o.categoria) == cat) {
        return Some(exact);
    }
    overrides
        .iter()
        .map(|o| (normalize_category(&o.categoria), o))
        .filter(|(k, _)| !k.is_empty() && cat.contains(k.as_str()))
        .max_by(|(ka, _), (kb, _)| ka.chars().count().cmp(&kb.chars().count()).then_with(|| kb.cmp(ka)))
        .map(|(_, o)| o)
}

/// Resolves L, coverage days and Z for a product of effective class `clase`.
pub fn resolve_params(cfg: &ParamConfig, categoria: Option<&str>, clase: AbcClass) -> ResolvedParams {
    let store = cfg.tienda.as_ref();
    let cat = categoria.and_then(|c| match_category(&cfg.categorias, c));
    let lead_time = first(
        &[(store.and_then(|s| s.lead_time_override), ParamSource::Tienda), (cfg.global.lead_time, ParamSource::Global)],
        DEFAULT_LEAD_TIME,
    );
    let cobertura_dias = first(
        &[
            (cat.and_then(|c| c.cobertura_dias.get(clase)), ParamSource::Categoria),
            (store.and_then(|s| s.cobertura_dias.get(clase)), ParamSource::Tienda),
            (cfg.global.cobertura_dias.get(clase), ParamSource::Global),
        ],
        default_coverage_days(clase),
    );
    let z = first(&[(cfg.global.z.get(clase), ParamSource::Global)], default_z(clase));
    ResolvedParams { clase, lead_time, cobertura_dias, z, categoria_override: cat.map(|c| c.categoria.clone()) }
}

/// Resolves the demand and σ windows: global → built-in (20 / 30 days).
pub fn resolve_windows(global: &GlobalParams) -> ResolvedWindows {
    let w = |v: Option<u32>, builtin: u32| match v {
        Some(valor) => Sourced { valor, fuente: ParamSource::Global },
        None => Sourced { valor: builtin, fuente: ParamSource::Predeterminado },
    };
    ResolvedWindows {
        ventana_demanda_dias: w(global.ventana_demanda_dias, DEFAULT_DEMAND_WINDOW_DAYS),
        ventana_sigma_d: w(global.ventana_sigma_d, DEFAULT_SIGMA_WINDOW_DAYS),
    }
}

/// Service level (%) → Z table offered by the admin screen (§14).
pub const SERVICE_LEVEL_TABLE: [(f64, f64); 16] = [
    (70.0, 0.52),
    (75.0, 0.67),
    (80.0, 0.84),
    (85.0, 1.04),
    (90.0, 1.28),
    (91.0, 1.34),
    (92.0, 1.41),
    (93.0, 1.48),
    (94.0, 1.55),
    (95.0, 1.65),
    (96.0, 1.75),
    (97.0, 1.88),
    (98.0, 2.05),
    (99.0, 2.33),
    (99.5, 2.58),
    (99.9, 3.09),
];

/// Z for a service level in %: linear interpolation between table entries, clamped to
/// 0.52 / 3.09 outside the table (non-finite input → the lower clamp).
pub fn z_from_service_level(pct: f64) -> f64 {
    let (lo, hi) = (SERVICE_LEVEL_TABLE[0], SERVICE_LEVEL_TABLE[SERVICE_LEVEL_TABLE.len() - 1]);
    if !pct.is_finite() || pct <= lo.0 {
        return lo.1;
    }
    if pct >= hi.0 {
        return hi.1;
    }
    for w in SERVICE_LEVEL_TABLE.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if pct <= x1 {
            return y0 + (pct - x0) / (x1 - x0) * (y1 - y0);
        }
    }
    hi.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use AbcClass::*;

    fn cov(a: Option<f64>, b: Option<f64>, c: Option<f64>, d: Option<f64>) -> PerClass<Option<f64>> {
        PerClass { a, b, c, d }
    }

    #[test]
    fn built_in_defaults() {
        let r = resolve_params(&ParamConfig::default(), Some("VIVERES"), B);
        assert_eq!(r.lead_time, Sourced { valor: 1.5, fuente: ParamSource::Predeterminado });
        assert_eq!(r.cobertura_dias, Sourced { valor: 14.0, fuente: ParamSource::Predeterminado });
        assert_eq!(r.z, Sourced { valor: 1.88, fuente: ParamSource::Predeterminado });
        assert_eq!(r.categoria_override, None);
        let w = resolve_windows(&GlobalParams::default());
        assert_eq!(w.windows(), DemandWindows { demanda_dias: 20, sigma_dias: 30 });
        assert_eq!(w.ventana_sigma_d.fuente, ParamSource::Predeterminado);
    }

    #[test]
    fn each_level_overrides_the_one_below() {
        let mut cfg = ParamConfig {
            global: GlobalParams {
                lead_time: Some(2.0),
                cobertura_dias: cov(Some(8.0), None, None, None),
                z: PerClass { a: Some(2.05), b: None, c: None, d: None },
                ventana_sigma_d: Some(45),
                ventana_demanda_dias: Some(28),
            },
            ..ParamConfig::default()
        };
        let r = resolve_params(&cfg, Some("FRUVER"), A);
        assert_eq!(r.lead_time, Sourced { valor: 2.0, fuente: ParamSource::Global });
        assert_eq!(r.cobertura_dias, Sourced { valor: 8.0, fuente: ParamSource::Global });
        assert_eq!(r.z, Sourced { valor: 2.05, fuente: ParamSource::Global });
        let w = resolve_windows(&cfg.global);
        assert_eq!(w.windows(), DemandWindows { demanda_dias: 28, sigma_dias: 45 });
        assert_eq!(w.ventana_demanda_dias.fuente, ParamSource::Global);

        cfg.tienda = Some(StoreOverride { lead_time_override: Some(3.0), cobertura_dias: cov(Some(5.0), None, None, None) });
        let r = resolve_params(&cfg, Some("FRUVER"), A);
        assert_eq!(r.lead_time, Sourced { valor: 3.0, fuente: ParamSource::Tienda });
        assert_eq!(r.cobertura_dias, Sourced { valor: 5.0, fuente: ParamSource::Tienda });

        cfg.categorias = vec![CategoryOverride { categoria: "fruver".into(), cobertura_dias: cov(Some(2.0), None, None, None) }];
        let r = resolve_params(&cfg, Some("FRUVER"), A);
        assert_eq!(r.cobertura_dias, Sourced { valor: 2.0, fuente: ParamSource::Categoria });
        assert_eq!(r.categoria_override.as_deref(), Some("fruver"));
        // An unset class in the category row falls through to the store, then global, then built-in.
        let r = resolve_params(&cfg, Some("FRUVER"), B);
        assert_eq!(r.cobertura_dias, Sourced { valor: 14.0, fuente: ParamSource::Predeterminado });
    }

    #[test]
    fn store_override_of_zero_is_a_real_zero() {
        let cfg = ParamConfig {
            global: GlobalParams { lead_time: Some(2.0), cobertura_dias: cov(None, None, Some(10.0), None), ..Default::default() },
            tienda: Some(StoreOverride { lead_time_override: Some(0.0), cobertura_dias: cov(None, None, Some(0.0), None) }),
            categorias: vec![],
        };
        let r = resolve_params(&cfg, None, C);
        assert_eq!(r.lead_time, Sourced { valor: 0.0, fuente: ParamSource::Tienda });
        assert_eq!(r.cobertura_dias, Sourced { valor: 0.0, fuente: ParamSource::Tienda });
        // A global 0 is honoured too.
        let cfg = ParamConfig {
            global: GlobalParams { z: PerClass { a: None, b: None, c: Some(0.0), d: None }, ..Default::default() },
            ..Default::default()
        };
        assert_eq!(resolve_params(&cfg, None, C).z, Sourced { valor: 0.0, fuente: ParamSource::Global });
        // Nonsense (negative, NaN) falls through.
        let cfg = ParamConfig {
            tienda: Some(StoreOverride { lead_time_override: Some(-1.0), cobertura_dias: cov(Some(f64::NAN), None, None, None) }),
            ..Default::default()
        };
        let r = resolve_params(&cfg, None, A);
        assert_eq!(r.lead_time.fuente, ParamSource::Predeterminado);
        assert_eq!(r.cobertura_dias, Sourced { valor: 7.0, fuente: ParamSource::Predeterminado });
    }

    #[test]
    fn category_matching_exact_then_longest_contained() {
        let o = |k: &str, a: f64| CategoryOverride { categoria: k.into(), cobertura_dias: cov(Some(a), None, None, None) };
        let overrides = vec![o("FRUVER", 2.0), o("FRUVER Y VERDURAS", 3.0), o("VERDURAS", 4.0), o("CARNES", 5.0)];
        assert_eq!(match_category(&overrides, " fruver y verduras ").map(|c| c.cobertura_dias.a), Some(Some(3.0)));
        assert_eq!(match_category(&overrides, "FRUVER Y VERDURAS FRESCAS").map(|c| c.cobertura_dias.a), Some(Some(3.0)));
        assert_eq!(match_category(&overrides, "VERDURAS CONGELADAS").map(|c| c.cobertura_dias.a), Some(Some(4.0)));
        assert_eq!(match_category(&overrides, "CARNES Y CHARCUTERIA").map(|c| c.cobertura_dias.a), Some(Some(5.0)));
        assert!(match_category(&overrides, "VIVERES").is_none());
        assert!(match_category(&overrides, "  ").is_none());
        // Equal length: alphabetical first, whatever the configuration order.
        let tie = vec![o("BBB", 1.0), o("AAA", 2.0)];
        assert_eq!(match_category(&tie, "AAA BBB").map(|c| c.categoria.as_str()), Some("AAA"));
    }

    #[test]
    fn service_level_to_z() {
        assert!((z_from_service_level(99.0) - 2.33).abs() < 1e-12);
        assert!((z_from_service_level(97.5) - 1.965).abs() < 1e-9);
        assert!((z_from_service_level(50.0) - 0.52).abs() < 1e-12);
        assert!((z_from_service_level(100.0) - 3.09).abs() < 1e-12);
        assert!((z_from_service_level(87.5) - 1.16).abs() < 1e-9);
    }
}
