//! *Impacto Fluxion* (spec 40 §2, §3.8): the capital a store freed since it started working
//! with Fluxion, against the stock value frozen the day before, and how to read it.

use serde::Serialize;

/// A store working with Fluxion since `fecha_activacion`, with the stock value at cost frozen
/// at the end of the day before (`tiendas_fluxion_activacion`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Activation {
    pub ubicacion_id: String,
    pub fecha_activacion: chrono::NaiveDate,
    pub stock_baseline: f64,
    pub activo: bool,
}

/// `baseline − actual` (negative when the stock grew); 0 without a baseline (nothing to
/// measure against).
pub fn freed_capital(baseline: f64, actual: f64) -> f64 {
    if baseline > 0.0 {
        baseline - actual
    } else {
        0.0
    }
}

/// `capital liberado / baseline × 100`; 0 when baseline ≤ 0.
pub fn reduction_pct(baseline: f64, actual: f64) -> f64 {
    if baseline > 0.0 {
        (baseline - actual) / baseline * 100.0
    } else {
        0.0
    }
}

/// How a reduction or a fill rate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Excelente,
    Bueno,
    Aceptable,
    /// Reduction below 15 %: look at the store.
    Revisar,
    /// Fill rate below 85 %.
    Problema,
}

/// Reduction: > 35 % excellent, 25–35 good, 15–25 acceptable, < 15 review.
pub fn reduction_band(pct: f64) -> Band {
    if pct > 35.0 {
        Band::Excelente
    } else if pct >= 25.0 {
        Band::Bueno
    } else if pct >= 15.0 {
        Band::Aceptable
    } else {
        Band::Revisar
    }
}

/// Fill rate: ≥ 95 excellent, 90–95 good, 85–90 acceptable, < 85 problem.
pub fn fill_rate_band(pct: f64) -> Band {
    if pct >= 95.0 {
        Band::Excelente
    } else if pct >= 90.0 {
        Band::Bueno
    } else if pct >= 85.0 {
        Band::Aceptable
    } else {
        Band::Problema
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sales::round_half_away;

    #[test]
    fn worked_example_e5() {
        assert_eq!(freed_capital(85_000.0, 62_000.0), 23_000.0);
        assert_eq!(round_half_away(reduction_pct(85_000.0, 62_000.0), 2), 27.06);
        assert_eq!(freed_capital(72_000.0, 68_000.0), 4_000.0);
        assert_eq!(round_half_away(reduction_pct(72_000.0, 68_000.0), 2), 5.56);
        // The region from its totals.
        assert_eq!(freed_capital(157_000.0, 130_000.0), 27_000.0);
        assert_eq!(round_half_away(reduction_pct(157_000.0, 130_000.0), 2), 17.20);
        // No baseline → nothing freed; stock above the baseline → negative.
        assert_eq!((freed_capital(0.0, 10_000.0), reduction_pct(0.0, 10_000.0)), (0.0, 0.0));
        assert_eq!(freed_capital(50_000.0, 55_000.0), -5_000.0);
        assert_eq!(round_half_away(reduction_pct(50_000.0, 55_000.0), 2), -10.0);
    }

    #[test]
    fn interpretation_bands() {
        assert_eq!(reduction_band(35.01), Band::Excelente);
        assert_eq!(reduction_band(35.0), Band::Bueno);
        assert_eq!(reduction_band(27.06), Band::Bueno);
        assert_eq!(reduction_band(25.0), Band::Bueno);
        assert_eq!(reduction_band(17.2), Band::Aceptable);
        assert_eq!(reduction_band(5.56), Band::Revisar);
        assert_eq!(reduction_band(-10.0), Band::Revisar);
        assert_eq!(fill_rate_band(95.0), Band::Excelente);
        assert_eq!(fill_rate_band(94.99), Band::Bueno);
        assert_eq!(fill_rate_band(90.0), Band::Bueno);
        assert_eq!(fill_rate_band(85.0), Band::Aceptable);
        assert_eq!(fill_rate_band(84.99), Band::Problema);
    }
}
