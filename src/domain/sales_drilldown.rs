//! A product's drill-downs (spec 40 §6.3): the outlier flags of the daily sales per store,
//! and the diagnosis of the sales + stock history chart (stock-out, display, low demand).
//! Plain values in, plain values out.

use serde::Serialize;

use super::sales::round_half_away;

/// Below this many values a store's series has no outliers (its quartiles mean nothing).
pub const MIN_VALUES_FOR_OUTLIERS: usize = 4;

/// Outlier flags of one store's daily values in date order; `today_index` (if any) is never
/// flagged (a partial day is low by nature). Needs ≥ 4 values, else all false. On the sorted
/// values v (n of them, today's included), 0-based: q1 = v[n/4], q3 = v[3n/4], med = v[n/2];
/// a value is flagged if it is < max(0, q1 − 1.0·(q3 − q1)), < 0.3·med or < 0.2·q3.
pub fn outlier_flags(values: &[f64], today_index: Option<usize>) -> Vec<bool> {
    let n = values.len();
    if n < MIN_VALUES_FOR_OUTLIERS {
        return vec![false; n];
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (q1, q3, med) = (sorted[n / 4], sorted[3 * n / 4], sorted[n / 2]);
    let fence = (q1 - (q3 - q1)).max(0.0);
    values.iter().enumerate().map(|(i, v)| Some(i) != today_index && (*v < fence || *v < 0.3 * med || *v < 0.2 * q3)).collect()
}

/// The kind of the history diagnosis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryDiagnosis {
    /// It sold far less on the days the stock was zero: the sales were lost to stock-outs.
    RupturaStock,
    /// Stock for many days of its (low) sales, yet it barely sells: probably not on display.
    FaltaExhibicion,
    /// No sales at all in the range.
    BajaDemanda,
    SinDiagnostico,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnosis {
    pub tipo: HistoryDiagnosis,
    /// 0–100.
    pub confianza: u32,
    pub detalle: String,
}

/// One calendar day of the range.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Day {
    pub units: f64,
    /// End-of-day stock, when known.
    pub stock: Option<f64>,
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// `days` = every calendar day of the range (units 0 on days without sales); `current_stock`
/// of the product now. Zero-stock days are days with a known stock ≤ 0, in-stock days those
/// with a known stock > 0 (days without a snapshot are neither).
///
/// 1. With zero-stock days: `ruptura_stock` if the mean units on them < 0.3 × the mean on
///    in-stock days; confidence min(95, 70 + 25 × zero days / all days), rounded half away
///    from zero to an integer. Without in-stock days there is nothing to compare against
///    and this step does not apply.
/// 2. Otherwise (also when no day had zero stock — the original only diagnosed when one
///    did): `falta_exhibicion` (60) if current stock > 3 × daily average and the daily
///    average < 1, with daily average = total units / all calendar days; else `baja_demanda`
///    (50) if no units at all; else `sin_diagnostico` (30). An empty range is
///    `sin_diagnostico`.
pub fn diagnose(days: &[Day], current_stock: Option<f64>) -> Diagnosis {
    let total_days = days.len();
    if total_days == 0 {
        return Diagnosis { tipo: HistoryDiagnosis::SinDiagnostico, confianza: 30, detalle: "Sin días en el rango.".to_string() };
    }
    let zero: Vec<f64> = days.iter().filter(|d| d.stock.is_some_and(|s| s <= 0.0)).map(|d| d.units).collect();
    let in_stock: Vec<f64> = days.iter().filter(|d| d.stock.is_some_and(|s| s > 0.0)).map(|d| d.units).collect();
    if let (Some(mean_zero), Some(mean_in)) = (mean(&zero), mean(&in_stock)) {
        if mean_zero < 0.3 * mean_in {
            let confidence = (70.0 + 25.0 * zero.len() as f64 / total_days as f64).min(95.0);
            return Diagnosis {
                tipo: HistoryDiagnosis::RupturaStock,
                confianza: round_half_away(confidence, 0) as u32,
                detalle: format!(
                    "{} de {} días con stock en cero; en esos días vendió {} unidades/día contra {} con stock.",
                    zero.len(),
                    total_days,
                    es(mean_zero, 1),
                    es(mean_in, 1)
                ),
            };
        }
    }
    let total_units: f64 = days.iter().map(|d| d.units).sum();
    let daily = total_units / total_days as f64;
    if let Some(stock) = current_stock {
        if stock > 3.0 * daily && daily < 1.0 {
            return Diagnosis {
                tipo: HistoryDiagnosis::FaltaExhibicion,
                confianza: 60,
                detalle: format!(
                    "Stock actual {} unidades, más de 3 veces la venta promedio de {} unidades/día: posible falta de exhibición.",
                    es(stock, 0),
                    es(daily, 2)
                ),
            };
        }
    }
    if total_units == 0.0 {
        return Diagnosis {
            tipo: HistoryDiagnosis::BajaDemanda,
            confianza: 50,
            detalle: format!("Sin ventas en los {total_days} días del rango."),
        };
    }
    Diagnosis {
        tipo: HistoryDiagnosis::SinDiagnostico,
        confianza: 30,
        detalle: format!("Venta promedio de {} unidades/día en {total_days} días, sin señales de quiebre ni de exhibición.", es(daily, 2)),
    }
}

/// A number for a Spanish sentence: decimal comma.
fn es(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(units: f64, stock: Option<f64>) -> Day {
        Day { units, stock }
    }

    #[test]
    fn outliers_by_the_lower_fence() {
        // Sorted [2, 3, 9, 10, 11, 12, 12, 13]: q1 = v[2] = 9, q3 = v[6] = 12, med = v[4] = 11;
        // fence = 9 − 3 = 6; 0.3·med = 3.3; 0.2·q3 = 2.4 → 2 and 3 are flagged.
        let values = [10.0, 12.0, 11.0, 2.0, 13.0, 9.0, 12.0, 3.0];
        assert_eq!(outlier_flags(&values, None), [false, false, false, true, false, false, false, true]);
    }

    #[test]
    fn outliers_by_the_median_when_the_fence_is_clamped_at_zero() {
        // Sorted [2, 4, 10, 20, 30, 40]: q1 = 4, q3 = 30, med = 20; fence max(0, 4 − 26) = 0;
        // 0.3·med = 6 and 0.2·q3 = 6 → 2 and 4 are flagged, 10 is not.
        let values = [20.0, 2.0, 30.0, 10.0, 4.0, 40.0];
        assert_eq!(outlier_flags(&values, None), [false, true, false, false, true, false]);
    }

    #[test]
    fn outliers_need_four_values_and_today_is_never_flagged() {
        assert_eq!(outlier_flags(&[10.0, 10.0, 0.0], None), [false, false, false]);
        assert!(outlier_flags(&[], None).is_empty());
        assert_eq!(outlier_flags(&[10.0, 10.0, 10.0, 0.0], None), [false, false, false, true]);
        assert_eq!(outlier_flags(&[10.0, 10.0, 10.0, 0.0], Some(3)), [false, false, false, false]);
        assert_eq!(outlier_flags(&[1.0, 10.0, 10.0, 10.0, 10.0], Some(4)), [true, false, false, false, false]);
    }

    #[test]
    fn ruptura_when_zero_stock_days_sell_far_less() {
        // 10 days: 3 with stock 0 selling 0, 1, 0; 7 in stock selling 5 each.
        let mut days = vec![day(5.0, Some(20.0)); 7];
        days.extend([day(0.0, Some(0.0)), day(1.0, Some(-2.0)), day(0.0, Some(0.0))]);
        let d = diagnose(&days, Some(10.0));
        assert_eq!(d.tipo, HistoryDiagnosis::RupturaStock);
        // 70 + 25 × 3/10 = 77.5 → 78 (half away from zero).
        assert_eq!(d.confianza, 78);
        assert!(d.detalle.starts_with("3 de 10 días"), "{}", d.detalle);
        assert_eq!(serde_json::to_value(&d).unwrap()["tipo"], "ruptura_stock");
    }

    #[test]
    fn ruptura_confidence_is_capped_at_95() {
        // 9 of 10 days at zero stock: 70 + 22.5 = 92.5 → 93; 99 of 100: 94.75 → 95, never above.
        let mut days = vec![day(0.0, Some(0.0)); 9];
        days.push(day(4.0, Some(8.0)));
        assert_eq!(diagnose(&days, None).confianza, 93);
        let mut days = vec![day(0.0, Some(0.0)); 99];
        days.push(day(4.0, Some(8.0)));
        assert_eq!(diagnose(&days, None).confianza, 95);
    }

    #[test]
    fn zero_stock_days_that_still_sell_fall_through() {
        // Mean 4 on the zero-stock day vs 5 in stock: not < 1.5, so no ruptura; average 4.9/day.
        let mut days = vec![day(5.0, Some(20.0)); 9];
        days.push(day(4.0, Some(0.0)));
        assert_eq!(diagnose(&days, Some(30.0)).tipo, HistoryDiagnosis::SinDiagnostico);
        // Only zero-stock days (nothing to compare with): not a ruptura either.
        assert_eq!(diagnose(&[day(0.0, Some(0.0)); 5], Some(0.0)).tipo, HistoryDiagnosis::BajaDemanda);
    }

    #[test]
    fn falta_exhibicion_with_stock_and_under_one_unit_a_day() {
        // 30 days, 6 units → 0.2/day; stock 5 > 0.6.
        let mut days = vec![day(0.0, Some(5.0)); 24];
        days.extend([day(1.0, Some(5.0)); 6]);
        let d = diagnose(&days, Some(5.0));
        assert_eq!((d.tipo, d.confianza), (HistoryDiagnosis::FaltaExhibicion, 60));
        // Without any zero-stock day too, and with no snapshots at all.
        let no_snapshots = vec![day(0.5, None); 10];
        assert_eq!(diagnose(&no_snapshots, Some(2.0)).tipo, HistoryDiagnosis::FaltaExhibicion);
        // Stock = 3 × average is not more than it.
        assert_eq!(diagnose(&no_snapshots, Some(1.5)).tipo, HistoryDiagnosis::SinDiagnostico);
        // Average of one unit a day is not < 1.
        assert_eq!(diagnose(&[day(1.0, None); 10], Some(50.0)).tipo, HistoryDiagnosis::SinDiagnostico);
    }

    #[test]
    fn baja_demanda_without_sales_and_without_stock() {
        let d = diagnose(&[day(0.0, None); 30], Some(0.0));
        assert_eq!((d.tipo, d.confianza, d.detalle.as_str()), (HistoryDiagnosis::BajaDemanda, 50, "Sin ventas en los 30 días del rango."));
        assert_eq!(diagnose(&[day(0.0, None); 30], None).tipo, HistoryDiagnosis::BajaDemanda);
        // With stock on hand and no sales it is a display problem first.
        assert_eq!(diagnose(&[day(0.0, None); 30], Some(4.0)).tipo, HistoryDiagnosis::FaltaExhibicion);
    }

    #[test]
    fn sin_diagnostico_otherwise() {
        let d = diagnose(&[day(3.0, Some(12.0)); 30], Some(12.0));
        assert_eq!((d.tipo, d.confianza), (HistoryDiagnosis::SinDiagnostico, 30));
        assert_eq!(diagnose(&[], Some(12.0)).tipo, HistoryDiagnosis::SinDiagnostico);
        assert_eq!(serde_json::to_value(HistoryDiagnosis::FaltaExhibicion).unwrap(), "falta_exhibicion");
    }
}
