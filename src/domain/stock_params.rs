//! Stock parameters in days of a location (spec 50 §7.3): for a coverage *c* and the lead
//! time LT, safety `seg` = LT, reorder point `min` = LT + c / 2 and maximum `max` = LT + c,
//! for the classes A, B, C and the blends AB (c = (A + B) / 2) and BC (c = (B + C) / 2),
//! each rounded to one decimal half away from zero (the original's banker's rounding gave
//! 10.2 for 10.25).
//!
//! LT and the coverage days come from the replenishment engine's resolution
//! ([`resolve_params`]: store override → global → built-in 1.5 / 7 / 14 / 21 / 30 days), so
//! this screen and the order calculation always read the same values.

use serde::Serialize;

use super::replenishment::{resolve_params, AbcClass, ParamConfig, ParamSource, PerClass};
use super::sales::round_half_away;

/// Safety stock, reorder point and maximum of one class, in days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StockDays {
    pub seg: f64,
    pub min: f64,
    pub max: f64,
}

/// The levels for a lead time and a coverage, rounded to one decimal.
pub fn stock_days(lead_time: f64, coverage: f64) -> StockDays {
    StockDays {
        seg: round_half_away(lead_time, 1),
        min: round_half_away(lead_time + coverage / 2.0, 1),
        max: round_half_away(lead_time + coverage, 1),
    }
}

/// The five rows of the stock-params table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StockParams {
    pub a: StockDays,
    pub ab: StockDays,
    pub b: StockDays,
    pub bc: StockDays,
    pub c: StockDays,
}

/// The table for a lead time and the coverage days of classes A, B and C.
pub fn stock_params(lead_time: f64, a: f64, b: f64, c: f64) -> StockParams {
    StockParams {
        a: stock_days(lead_time, a),
        ab: stock_days(lead_time, (a + b) / 2.0),
        b: stock_days(lead_time, b),
        bc: stock_days(lead_time, (b + c) / 2.0),
        c: stock_days(lead_time, c),
    }
}

/// The inputs a location's table was computed from, and the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedStockParams {
    pub lead_time_dias: f64,
    pub cobertura_dias: PerClass<f64>,
    /// Whether a value came from the location's own override row (the UI's, or the
    /// tenant.toml seed written into it); otherwise it is the network default.
    pub de_la_ubicacion: bool,
    pub dias: StockParams,
}

/// Resolves lead time and coverage per class for a location the way the order calculation
/// does (no product category: these are the location's values), then builds the table.
pub fn resolve_stock_params(cfg: &ParamConfig) -> ResolvedStockParams {
    let per_class = AbcClass::ALL.map(|class| resolve_params(cfg, None, class));
    let [a, b, c, d] = &per_class;
    let lead_time = a.lead_time.valor;
    let de_la_ubicacion =
        per_class.iter().any(|p| p.lead_time.fuente == ParamSource::Tienda || p.cobertura_dias.fuente == ParamSource::Tienda);
    let cobertura_dias =
        PerClass { a: a.cobertura_dias.valor, b: b.cobertura_dias.valor, c: c.cobertura_dias.valor, d: d.cobertura_dias.valor };
    ResolvedStockParams {
        lead_time_dias: lead_time,
        cobertura_dias,
        de_la_ubicacion,
        dias: stock_params(lead_time, cobertura_dias.a, cobertura_dias.b, cobertura_dias.c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::replenishment::{GlobalParams, StoreOverride};

    fn days(seg: f64, min: f64, max: f64) -> StockDays {
        StockDays { seg, min, max }
    }

    /// Spec 50 §7.3, defaults LT 1.5, A 7, B 14, C 21.
    #[test]
    fn worked_example_defaults() {
        let r = resolve_stock_params(&ParamConfig::default());
        assert_eq!(r.lead_time_dias, 1.5);
        assert_eq!(r.cobertura_dias, PerClass { a: 7.0, b: 14.0, c: 21.0, d: 30.0 });
        assert!(!r.de_la_ubicacion);
        assert_eq!(r.dias.a, days(1.5, 5.0, 8.5));
        // 1.5 + 5.25 = 6.75 → 6.8
        assert_eq!(r.dias.ab, days(1.5, 6.8, 12.0));
        assert_eq!(r.dias.b, days(1.5, 8.5, 15.5));
        // 1.5 + 8.75 = 10.25 → 10.3 (the original's banker's rounding gave 10.2)
        assert_eq!(r.dias.bc, days(1.5, 10.3, 19.0));
        assert_eq!(r.dias.c, days(1.5, 12.0, 22.5));
    }

    /// Spec 50 §7.3, override LT 2.0, A = B = C = 10 (the original's Caracas CEDI seed).
    #[test]
    fn worked_example_override() {
        let cfg = ParamConfig {
            tienda: Some(StoreOverride {
                lead_time_override: Some(2.0),
                cobertura_dias: PerClass { a: Some(10.0), b: Some(10.0), c: Some(10.0), d: None },
            }),
            ..ParamConfig::default()
        };
        let r = resolve_stock_params(&cfg);
        assert!(r.de_la_ubicacion);
        assert_eq!(r.lead_time_dias, 2.0);
        for row in [r.dias.a, r.dias.ab, r.dias.b, r.dias.bc, r.dias.c] {
            assert_eq!(row, days(2.0, 7.0, 12.0));
        }
        // D is not part of the table but keeps its own resolution.
        assert_eq!(r.cobertura_dias.d, 30.0);
    }

    #[test]
    fn a_partial_override_falls_through_per_value() {
        let cfg = ParamConfig {
            global: GlobalParams {
                lead_time: Some(1.5),
                cobertura_dias: PerClass { a: Some(7.0), b: Some(14.0), c: Some(21.0), d: Some(30.0) },
                ..Default::default()
            },
            tienda: Some(StoreOverride { lead_time_override: None, cobertura_dias: PerClass { a: None, b: Some(12.0), c: None, d: None } }),
            categorias: vec![],
        };
        let r = resolve_stock_params(&cfg);
        assert!(r.de_la_ubicacion);
        assert_eq!(r.dias.b, days(1.5, 7.5, 13.5));
        // AB = (7 + 12) / 2 = 9.5 → min 1.5 + 4.75 = 6.25 → 6.3
        assert_eq!(r.dias.ab, days(1.5, 6.3, 11.0));
        // An override row that sets nothing is not the location's own value.
        let empty = ParamConfig { tienda: Some(StoreOverride::default()), ..ParamConfig::default() };
        assert!(!resolve_stock_params(&empty).de_la_ubicacion);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(stock_days(0.25, 0.0).seg, 0.3);
        assert_eq!(stock_days(1.0, 0.1).min, 1.1);
        assert_eq!(stock_days(1.04, 0.0).max, 1.0);
    }
}
