//! Demand statistics on **selling days** (spec 30 §3).
//!
//! A selling day is a date present in the product's daily series (at least one sales row,
//! whatever its net total). Windows are `[today − n, today − 1]`: today is incomplete and
//! never counted, and `today` is always passed in (business date in the tenant time zone;
//! the original used the database's UTC date, which leaked the running day into "yesterday").
//! Days without sales are **not** zero-filled — kept for parity with the original, which
//! deliberately inflates slow movers (an item selling 1 unit on 2 of 20 days has P75 = 1).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Length of the short window behind `prom_ventas_5dias_unid`.
pub const SHORT_WINDOW_DAYS: u32 = 5;
/// Built-in demand window (`ventana_demanda_dias`).
pub const DEFAULT_DEMAND_WINDOW_DAYS: u32 = 20;
/// Built-in σ / D_max / weekday window (`ventana_sigma_d`).
pub const DEFAULT_SIGMA_WINDOW_DAYS: u32 = 30;

/// Spanish short weekday names, index 0 = Sunday (spec 30 §9, §19).
pub const WEEKDAY_SHORT_NAMES: [&str; 7] = ["Dom", "Lun", "Mar", "Mié", "Jue", "Vie", "Sáb"];

/// Window lengths in calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemandWindows {
    /// P75, mean, top-3 and total (`ventana_demanda_dias`, default 20).
    pub demanda_dias: u32,
    /// σ, D_max and weekday means (`ventana_sigma_d`, default 30).
    pub sigma_dias: u32,
}

impl Default for DemandWindows {
    fn default() -> Self {
        DemandWindows { demanda_dias: DEFAULT_DEMAND_WINDOW_DAYS, sigma_dias: DEFAULT_SIGMA_WINDOW_DAYS }
    }
}

/// How the P75 was obtained, for the explanation modal ("sorted values and interpolation").
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct P75Detail {
    pub valores_ordenados: Vec<f64>,
    /// h = 0.75·(n − 1); 0 when n ≤ 1.
    pub posicion: f64,
    /// x⌊h⌋ and x⌈h⌉ (0 when there are no values).
    pub valor_inferior: f64,
    pub valor_superior: f64,
    pub p75: f64,
}

/// Average and dated sales behind one weekday (`v2_historico_dow`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekdayHistory {
    /// 0 = Sunday … 6 = Saturday.
    pub dia_semana: u8,
    pub nombre: &'static str,
    pub promedio: f64,
    pub ventas: Vec<(NaiveDate, f64)>,
}

/// Demand statistics of one product at one location.
///
/// Names follow the spec's JSON where one exists; `media_ventana` is `prom_ventas_20dias_unid`
/// when the demand window is the default 20 days.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DemandStats {
    /// P75 of the demand window — the demand D of every formula.
    pub p75: f64,
    pub p75_detalle: P75Detail,
    /// Mean of the demand window (`prom_ventas_20dias_unid`).
    pub media_ventana: f64,
    /// Mean of the last 5 days (`prom_ventas_5dias_unid`).
    pub media_5dias: f64,
    /// Mean of the 3 largest values of the demand window (`prom_top3_unid`).
    pub media_top3: f64,
    /// Sum over the demand window (candidate set and ordering, §7.2).
    pub total_ventana: f64,
    pub dias_venta_ventana: u32,
    /// Sample standard deviation of the σ window; 0 when n ≤ 1.
    pub sigma: f64,
    /// Max of the σ window (0 when empty). The "when 0 use 2·D" rule is applied by the levels.
    pub demanda_maxima: f64,
    pub dias_venta_sigma: u32,
    /// Mean per weekday over the σ window, index 0 = Sunday; 0 without data (`v2_prom_dow`).
    pub prom_dow: [f64; 7],
    /// Empty unless asked for ([`demand_stats_with`]).
    pub historico_dow: Vec<WeekdayHistory>,
}

/// Weekday index with 0 = Sunday.
pub fn weekday_index(date: NaiveDate) -> usize {
    date.weekday().num_days_from_sunday() as usize
}

/// Daily totals of the selling days in `[today − dias, today − 1]`, sorted by date.
///
/// Entries for the same date are summed (the input may be finer than daily); non-finite
/// values are ignored; dates in `excluidos` (atypical days) are removed.
pub fn selling_days_in_window(ventas: &[(NaiveDate, f64)], today: NaiveDate, dias: u32, excluidos: &[NaiveDate]) -> Vec<(NaiveDate, f64)> {
    let mut out: Vec<(NaiveDate, f64)> = ventas
        .iter()
        .filter(|(d, q)| {
            let age = today.signed_duration_since(*d).num_days();
            q.is_finite() && age >= 1 && age <= i64::from(dias) && !excluidos.contains(d)
        })
        .copied()
        .collect();
    out.sort_by_key(|a| a.0);
    // Same-date entries summed in place (`dedup_by` keeps the first of each run).
    out.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 += later.1;
        }
        same
    });
    out
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// P75 with linear interpolation, with the intermediate values (n = 0 → 0, n = 1 → the value).
pub fn p75_detail(values: &[f64]) -> P75Detail {
    p75_detail_sorted(sorted(values))
}

/// [`p75_detail`] of values already finite and sorted ascending (kept as `valores_ordenados`).
fn p75_detail_sorted(v: Vec<f64>) -> P75Detail {
    if v.is_empty() {
        return P75Detail::default();
    }
    let (h, xl, p75, xh) = interpolate_p75(&v);
    P75Detail { valores_ordenados: v, posicion: h, valor_inferior: xl, valor_superior: xh, p75 }
}

/// 75th percentile, linear interpolation (spec 30 §3).
pub fn p75(values: &[f64]) -> f64 {
    p75_detail(values).p75
}

/// [`p75`] of `values`, sorted in `buffer` (reused across calls: a scan over thousands of
/// products allocates once).
pub fn p75_with(buffer: &mut Vec<f64>, values: impl Iterator<Item = f64>) -> f64 {
    buffer.clear();
    buffer.extend(values.filter(|x| x.is_finite()));
    // Equal keys under total_cmp are bit-identical, so an unstable sort gives the same order.
    buffer.sort_unstable_by(f64::total_cmp);
    interpolate_p75(buffer).2
}

/// The P75 of sorted finite values with its interpolation: (position, lower value, P75,
/// upper value); all 0 for no values.
fn interpolate_p75(v: &[f64]) -> (f64, f64, f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let h = 0.75 * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (xl, xh) = (v[lo], v[hi.min(v.len() - 1)]);
    (h, xl, xl + (h - lo as f64) * (xh - xl), xh)
}

/// Arithmetic mean; 0 for an empty slice.
pub fn mean(values: &[f64]) -> f64 {
    mean_of(values.iter().copied())
}

/// [`mean`] of any sequence, summed in order (windows are read in place, without a copy).
fn mean_of(values: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = values.len();
    if n == 0 {
        0.0
    } else {
        values.sum::<f64>() / n as f64
    }
}

/// Mean of the 3 largest values (fewer when n < 3); 0 for an empty slice.
pub fn top3_mean(values: &[f64]) -> f64 {
    top3_mean_sorted(&sorted(values))
}

/// [`top3_mean`] of values sorted ascending; summed largest first.
fn top3_mean_sorted(ascending: &[f64]) -> f64 {
    mean_of(ascending[ascending.len().saturating_sub(3)..].iter().rev().copied())
}

/// Sample standard deviation (n − 1); 0 when n ≤ 1. Used by the engine's safety stock.
pub fn std_sample(values: &[f64]) -> f64 {
    std_sample_of(values.iter().copied())
}

/// [`std_sample`] of any sequence (read twice: mean, then squared deviations).
fn std_sample_of(values: impl ExactSizeIterator<Item = f64> + Clone) -> f64 {
    let n = values.len();
    if n <= 1 {
        return 0.0;
    }
    let m = mean_of(values.clone());
    let ss: f64 = values.map(|x| (x - m) * (x - m)).sum();
    (ss / (n - 1) as f64).sqrt()
}

/// Population standard deviation (n); 0 for an empty slice. Used by XYZ.
pub fn std_population(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let m = mean(values);
    let ss: f64 = values.iter().map(|x| (x - m) * (x - m)).sum();
    (ss / values.len() as f64).sqrt()
}

/// Median (mean of the two middle values for an even count); `None` for an empty slice.
pub fn median(values: &[f64]) -> Option<f64> {
    let v = sorted(values);
    let n = v.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(v[n / 2])
    } else {
        Some((v[n / 2 - 1] + v[n / 2]) / 2.0)
    }
}

/// All demand statistics of §3 for one product at one location, with the dated weekday
/// history.
pub fn demand_stats(ventas: &[(NaiveDate, f64)], today: NaiveDate, windows: DemandWindows, excluidos: &[NaiveDate]) -> DemandStats {
    demand_stats_with(ventas, today, windows, excluidos, true)
}

/// [`demand_stats`]; `historico_dow` is filled only when `con_historico` (the V2 modal).
///
/// Runs for every product of a store, so it allocates little: the selling days are
/// gathered once for the widest window, and each window is a suffix of them (all end
/// yesterday). Sums run in date order, exactly as over each window's own list.
pub fn demand_stats_with(
    ventas: &[(NaiveDate, f64)],
    today: NaiveDate,
    windows: DemandWindows,
    excluidos: &[NaiveDate],
    con_historico: bool,
) -> DemandStats {
    let widest = windows.demanda_dias.max(windows.sigma_dias).max(SHORT_WINDOW_DAYS);
    let days = selling_days_in_window(ventas, today, widest, excluidos);
    let window = |dias: u32| -> &[(NaiveDate, f64)] {
        let first = today - chrono::Duration::days(i64::from(dias));
        &days[days.partition_point(|(d, _)| *d < first)..]
    };
    fn qty(w: &[(NaiveDate, f64)]) -> impl ExactSizeIterator<Item = f64> + Clone + '_ {
        w.iter().map(|(_, q)| *q)
    }
    let w_dem = window(windows.demanda_dias);
    let w_5 = window(SHORT_WINDOW_DAYS);
    let w_sig = window(windows.sigma_dias);

    let mut ascending: Vec<f64> = qty(w_dem).collect();
    ascending.sort_by(f64::total_cmp);
    let media_top3 = top3_mean_sorted(&ascending);
    let detail = p75_detail_sorted(ascending);
    let demanda_maxima = qty(w_sig).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));

    let mut sums = [0.0; 7];
    let mut counts = [0usize; 7];
    for (d, q) in w_sig {
        sums[weekday_index(*d)] += q;
        counts[weekday_index(*d)] += 1;
    }
    let prom_dow: [f64; 7] = std::array::from_fn(|i| if counts[i] == 0 { 0.0 } else { sums[i] / counts[i] as f64 });
    let historico_dow = if con_historico {
        (0..7u8)
            .map(|i| WeekdayHistory {
                dia_semana: i,
                nombre: WEEKDAY_SHORT_NAMES[i as usize],
                promedio: prom_dow[i as usize],
                ventas: w_sig.iter().filter(|(d, _)| weekday_index(*d) == i as usize).copied().collect(),
            })
            .collect()
    } else {
        Vec::new()
    };

    DemandStats {
        p75: detail.p75,
        p75_detalle: detail,
        media_ventana: mean_of(qty(w_dem)),
        media_5dias: mean_of(qty(w_5)),
        media_top3,
        total_ventana: qty(w_dem).sum(),
        dias_venta_ventana: w_dem.len() as u32,
        sigma: std_sample_of(qty(w_sig)),
        demanda_maxima: demanda_maxima.unwrap_or(0.0),
        dias_venta_sigma: w_sig.len() as u32,
        prom_dow,
        historico_dow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    proptest::proptest! {
        /// The buffered P75 (used to screen thousands of products) is the P75, bit for bit,
        /// whatever the buffer held before.
        #[test]
        fn buffered_p75_is_the_p75(values in proptest::collection::vec(-50.0f64..500.0, 0..60), stale in proptest::collection::vec(0.0f64..9.0, 0..20)) {
            let mut buffer = stale;
            proptest::prop_assert_eq!(p75_with(&mut buffer, values.iter().copied()).to_bits(), p75(&values).to_bits());
        }
    }

    #[test]
    fn e16_demand_statistics() {
        let today = d(2026, 1, 20);
        let vals = [2.0, 3.0, 2.0, 15.0, 3.0, 2.0, 3.0];
        // Selling days spread over the window, with gaps (not zero-filled).
        let ventas: Vec<(NaiveDate, f64)> = vals.iter().enumerate().map(|(i, q)| (d(2026, 1, 1 + 2 * i as u32), *q)).collect();
        let s = demand_stats(&ventas, today, DemandWindows::default(), &[]);
        assert_eq!(s.p75_detalle.valores_ordenados, vec![2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 15.0]);
        assert!(close(s.p75_detalle.posicion, 4.5));
        assert!(close(s.p75, 3.0));
        assert!(close(s.media_ventana, 4.2857));
        assert!(close(s.media_top3, 7.0));
        assert!(close(s.sigma, 4.7509));
        assert!(close(std_population(&vals), 4.3985));
        assert_eq!(s.dias_venta_ventana, 7);
        assert!(close(s.demanda_maxima, 15.0));
        // Interpolation case.
        let det = p75_detail(&[1.0, 4.0, 6.0, 10.0]);
        assert!(close(det.posicion, 2.25));
        assert!(close(det.p75, 7.0));
    }

    #[test]
    fn windows_end_yesterday_and_skip_excluded_days() {
        let today = d(2026, 1, 21);
        let ventas = vec![
            (d(2026, 1, 21), 100.0), // today: never counted
            (d(2026, 1, 20), 4.0),   // yesterday
            (d(2026, 1, 16), 6.0),   // today − 5: inside the 5-day window
            (d(2026, 1, 15), 8.0),   // today − 6: outside the 5-day window
            (d(2026, 1, 1), 10.0),   // today − 20: inside the demand window
            (d(2025, 12, 31), 50.0), // today − 21: outside
            (d(2026, 1, 10), 99.0),  // atypical day
        ];
        let s = demand_stats(&ventas, today, DemandWindows::default(), &[d(2026, 1, 10)]);
        assert_eq!(s.dias_venta_ventana, 4);
        assert!(close(s.total_ventana, 28.0));
        assert!(close(s.media_5dias, 5.0));
        assert_eq!(s.dias_venta_sigma, 5);
        assert!(close(s.demanda_maxima, 50.0));
    }

    #[test]
    fn empty_and_single_series_do_not_panic() {
        let today = d(2026, 1, 21);
        let s = demand_stats(&[], today, DemandWindows::default(), &[]);
        assert_eq!(s.p75, 0.0);
        assert_eq!(s.sigma, 0.0);
        assert_eq!(s.demanda_maxima, 0.0);
        assert_eq!(s.media_top3, 0.0);
        let s = demand_stats(&[(d(2026, 1, 19), 5.0)], today, DemandWindows::default(), &[]);
        assert_eq!(s.p75, 5.0);
        assert_eq!(s.sigma, 0.0);
        assert_eq!(s.media_top3, 5.0);
        let s = demand_stats(&[(d(2026, 1, 19), 5.0)], today, DemandWindows { demanda_dias: 0, sigma_dias: 0 }, &[]);
        assert_eq!(s.p75, 0.0);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn same_date_entries_are_summed_and_weekdays_indexed_from_sunday() {
        let today = d(2026, 1, 21); // Wednesday
        let sunday = d(2026, 1, 18);
        let ventas = vec![(sunday, 2.0), (sunday, 3.0), (d(2026, 1, 11), 7.0), (d(2026, 1, 17), 4.0)];
        let s = demand_stats(&ventas, today, DemandWindows::default(), &[]);
        assert_eq!(weekday_index(sunday), 0);
        assert!(close(s.prom_dow[0], 6.0)); // (5 + 7) / 2
        assert!(close(s.prom_dow[6], 4.0));
        assert_eq!(s.historico_dow[0].ventas, vec![(d(2026, 1, 11), 7.0), (sunday, 5.0)]);
        assert_eq!(s.historico_dow[6].nombre, "Sáb");
    }

    #[test]
    fn median_of_even_count_is_mean_of_middle_values() {
        assert_eq!(median(&[14.0, 2.0, 9.0, 5.0]), Some(7.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    }
}
