//! Derivations on sale lines (spec 10 §4.1, §7.1, §7.3).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Last second of a day: a local day's sales are asked for and stored as the inclusive
/// window `[00:00:00, 23:59:59]` (ETL windows, the Stellar day query).
pub const LAST_SECOND: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => unreachable!(),
};

/// First instant of a local day's sales window.
pub fn start_of_day(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
}

/// Last instant of a local day's sales window (`23:59:59`).
pub fn end_of_day(d: NaiveDate) -> NaiveDateTime {
    d.and_time(LAST_SECOND)
}

/// `margen_bruto_pct = round(100 × utilidad / venta, 2)` when venta > 0, else 0.
///
/// Bounded to ±[`MAX_MARGIN_PCT`], the range of the column (`DECIMAL(8,2)`): a sale of a
/// fraction of a cent with a real cost gives margins of millions of percent, meaningless,
/// and must not make the whole batch of lines fail to load.
pub fn gross_margin_pct(venta_total: f64, utilidad_bruta: f64) -> f64 {
    if venta_total > 0.0 {
        round_half_away(100.0 * utilidad_bruta / venta_total, 2).clamp(-MAX_MARGIN_PCT, MAX_MARGIN_PCT)
    } else {
        0.0
    }
}

/// Largest margin the warehouse stores, in percent.
pub const MAX_MARGIN_PCT: f64 = 999_999.99;

/// `peso_unitario × cantidad` when the unit weight is known (> 0), else 0.
pub fn computed_weight(peso_unitario: f64, cantidad: f64) -> f64 {
    if peso_unitario > 0.0 {
        peso_unitario * cantidad
    } else {
        0.0
    }
}

/// Quantity expressed in the selling unit of measure (`cantidad × factor`).
pub fn quantity_in_sale_unit(cantidad: f64, factor: f64) -> f64 {
    cantidad * factor
}

/// Rounds half away from zero to `decimals` places.
pub fn round_half_away(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    // Nudge by a relative epsilon so values printed as x.xx5 round the way people expect.
    let scaled = value * f;
    let nudged = scaled + scaled.signum() * scaled.abs() * 1e-12;
    nudged.round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_examples_of_spec_10_7_1() {
        assert_eq!(gross_margin_pct(3.00, 1.00), 33.33);
        assert_eq!(gross_margin_pct(4.41, 0.73), 16.55);
        assert_eq!(gross_margin_pct(0.974138, -0.03), -3.08);
        assert_eq!(gross_margin_pct(0.00, -0.50), 0.0);
    }

    #[test]
    fn a_sale_of_a_fraction_of_a_cent_has_a_bounded_margin() {
        assert_eq!(gross_margin_pct(0.0001, -6.0), -MAX_MARGIN_PCT);
        assert_eq!(gross_margin_pct(0.0001, 0.0001 - 1e-9), 100.0);
    }

    #[test]
    fn weight_and_unit_examples_of_spec_10_7_3() {
        assert!((computed_weight(1.0, 0.735) - 0.735).abs() < 1e-12);
        assert_eq!(quantity_in_sale_unit(0.735, 1.0), 0.735);
        assert_eq!(computed_weight(0.0, 2.0), 0.0);
        assert_eq!(quantity_in_sale_unit(2.0, 1.0), 2.0);
        assert_eq!(quantity_in_sale_unit(3.0, 6.0), 18.0);
    }
}
