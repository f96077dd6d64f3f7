//! The store sales dashboard's figures (spec 40 §6.2): the P75 that leaves out probable
//! stock-out days, the payday effect (Q15 %), the period's ABC and the same-weekday
//! history. Plain values in, plain values out; E13 is the test below.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::replenishment::demand::p75;

/// A day below this share of the product's mean daily units is a probable stock-out day.
pub const STOCKOUT_SHARE: f64 = 0.4;

/// P75 of the daily units of the days with sales, without the days below 0.4 × their mean
/// (probable stock-outs: a day the shelf was empty says nothing about demand). `None`
/// without days.
pub fn p75_without_stockouts(daily_units: &[f64]) -> Option<f64> {
    if daily_units.is_empty() {
        return None;
    }
    let mean = daily_units.iter().sum::<f64>() / daily_units.len() as f64;
    let kept: Vec<f64> = daily_units.iter().copied().filter(|u| *u >= STOCKOUT_SHARE * mean).collect();
    Some(p75(&kept))
}

/// The payday effect: mean daily units on days 15–20 of the month against the other days
/// (days with sales only), as `(m₁₅₋₂₀ / m_otros − 1) × 100`, one decimal; 0 without other days.
pub fn q15_pct(days: &[(NaiveDate, f64)]) -> f64 {
    let (mut payday, mut other) = ((0.0, 0usize), (0.0, 0usize));
    for (d, u) in days {
        let slot = if (15..=20).contains(&d.day()) { &mut payday } else { &mut other };
        slot.0 += u;
        slot.1 += 1;
    }
    if other.1 == 0 || other.0 == 0.0 || payday.1 == 0 {
        return 0.0;
    }
    let pct = ((payday.0 / payday.1 as f64) / (other.0 / other.1 as f64) - 1.0) * 100.0;
    super::sales::round_half_away(pct, 1)
}

/// The class of a product in the period by its rank by units: ≤ 50 A, ≤ 200 B, else C.
pub fn period_class(rank: usize) -> &'static str {
    match rank {
        0..=50 => "A",
        51..=200 => "B",
        _ => "C",
    }
}

/// Weekday index of the API: 0 = Sunday … 6 = Saturday (spec 40 §1.1).
pub fn weekday_sunday0(d: NaiveDate) -> usize {
    d.weekday().num_days_from_sunday() as usize
}

/// One date of the same-weekday history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SameWeekday {
    pub fecha: NaiveDate,
    pub unidades: f64,
    pub es_probable_rotura: bool,
}

/// The last `n` dates of `weekday` (0 = Sunday) among `store_days` (dates on which the store
/// sold anything, any order), newest first, with the product's units (0 if none) and a
/// probable stock-out flag (units < 0.4 × the mean of the dates with units); and that mean.
pub fn same_weekday_history(
    store_days: &[NaiveDate],
    product_units: &[(NaiveDate, f64)],
    weekday: usize,
    n: usize,
) -> (Vec<SameWeekday>, f64) {
    let mut dates: Vec<NaiveDate> = store_days.iter().copied().filter(|d| weekday_sunday0(*d) == weekday).collect();
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates.dedup();
    dates.truncate(n);
    let units = |d: NaiveDate| product_units.iter().filter(|(x, _)| *x == d).map(|(_, u)| u).sum::<f64>();
    let values: Vec<(NaiveDate, f64)> = dates.iter().map(|d| (*d, units(*d))).collect();
    let sold: Vec<f64> = values.iter().map(|(_, u)| *u).filter(|u| *u > 0.0).collect();
    let mean = if sold.is_empty() { 0.0 } else { sold.iter().sum::<f64>() / sold.len() as f64 };
    let out = values
        .into_iter()
        .map(|(fecha, unidades)| SameWeekday { fecha, unidades, es_probable_rotura: unidades < STOCKOUT_SHARE * mean })
        .collect();
    (out, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn worked_example_e13_p75_without_stockout_days_and_q15() {
        // Mean 11.6, cut 4.64: the day of 2 goes; P75 of [10, 12, 14, 20] at 2.25 = 15.5.
        assert_eq!(p75_without_stockouts(&[2.0, 10.0, 12.0, 14.0, 20.0]), Some(15.5));
        assert_eq!(p75(&[2.0, 10.0, 12.0, 14.0, 20.0]), 14.0, "unfiltered, for contrast");
        assert_eq!(p75_without_stockouts(&[]), None);
        let days = [
            (d(2025, 3, 15), 12.0),
            (d(2025, 3, 16), 10.0),
            (d(2025, 3, 18), 14.0),
            (d(2025, 3, 5), 8.0),
            (d(2025, 3, 8), 10.0),
            (d(2025, 3, 22), 6.0),
        ];
        assert_eq!(q15_pct(&days), 50.0);
        assert_eq!(q15_pct(&days[..3]), 0.0, "no other days");
    }

    #[test]
    fn the_period_class_cuts_at_50_and_200() {
        assert_eq!((period_class(1), period_class(50), period_class(51), period_class(200), period_class(201)), ("A", "A", "B", "B", "C"));
    }

    #[test]
    fn the_same_weekday_history_flags_probable_stockouts() {
        // Mondays the store sold on; the product sold 10, 12, 2 and nothing on the 4th.
        let mondays = [d(2026, 11, 2), d(2026, 11, 9), d(2026, 11, 16), d(2026, 11, 23), d(2026, 11, 24)];
        let units = [(d(2026, 11, 23), 10.0), (d(2026, 11, 16), 12.0), (d(2026, 11, 9), 2.0)];
        let (h, mean) = same_weekday_history(&mondays, &units, 1, 8);
        assert_eq!(
            h.iter().map(|x| x.fecha).collect::<Vec<_>>(),
            vec![d(2026, 11, 23), d(2026, 11, 16), d(2026, 11, 9), d(2026, 11, 2)],
            "Mondays only, newest first"
        );
        assert_eq!(mean, 8.0);
        assert_eq!(h.iter().map(|x| x.es_probable_rotura).collect::<Vec<_>>(), vec![false, false, true, true], "2 < 3.2, and 0");
        assert_eq!(weekday_sunday0(d(2026, 12, 6)), 0, "a Sunday is 0");
    }
}
