//! Rules of the store comparisons (spec 40 §3.2 panel 2, §3.3): the best store of a metric
//! (ties to the first asked for), the radar's min–max scale, a value against the mean of
//! the ranking, shares, and which merchandise categories count as categorised. Pure
//! arithmetic; rounding for output only.

use super::sales::round_half_away;

/// The position of the highest value; ties keep the first (the request's order, E18).
pub fn best_index(values: &[f64]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() && best.is_none_or(|b| *v > values[b]) {
            best = Some(i);
        }
    }
    best
}

/// The position of the lowest value; ties keep the first.
pub fn worst_index(values: &[f64]) -> Option<usize> {
    let mut worst: Option<usize> = None;
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() && worst.is_none_or(|w| *v < values[w]) {
            worst = Some(i);
        }
    }
    worst
}

/// Each value scaled to 0–100 between the lowest and the highest of the stores compared
/// (the radar chart, §3.3); all equal → 50. One decimal.
pub fn min_max_scale(values: &[f64]) -> Vec<f64> {
    let (min, max) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    values.iter().map(|v| if max > min { round_half_away((v - min) / (max - min) * 100.0, 1) } else { 50.0 }).collect()
}

/// `(valor / promedio − 1) × 100`, 1 dp; 0 when the mean is ≤ 0 (§3.3, E18).
pub fn vs_mean_pct(valor: f64, promedio: f64) -> f64 {
    if promedio > 0.0 {
        round_half_away((valor / promedio - 1.0) * 100.0, 1)
    } else {
        0.0
    }
}

/// The mean of a ranking's values (0 without any).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// `part / whole × 100`, 2 dp; 0 when the whole is 0.
pub fn share_pct(part: f64, whole: f64) -> f64 {
    if whole != 0.0 {
        round_half_away(part / whole * 100.0, 2)
    } else {
        0.0
    }
}

/// Revenue-weighted margin `Σutilidad / Σventas × 100` (0 without sales), unrounded (§1.2).
pub fn margin_pct(ventas: f64, costo: f64) -> f64 {
    if ventas != 0.0 {
        (ventas - costo) / ventas * 100.0
    } else {
        0.0
    }
}

/// Whether a merchandise category counts in category rankings: NULL, blank and
/// `SIN CATEGORIA` do not (§1.5).
pub fn is_categorised(categoria: Option<&str>) -> bool {
    match categoria.map(str::trim) {
        None | Some("") => false,
        Some(c) => !matches!(c.to_uppercase().as_str(), "SIN CATEGORIA" | "SIN CATEGORÍA"),
    }
}

/// Fill rate (§2, E4): SKUs with stock over the "active" ones (with stock or sold in the
/// window), × 100, 2 dp; 0 without active SKUs. `skus`: (stock units, units sold).
pub fn fill_rate(skus: impl IntoIterator<Item = (f64, f64)>) -> f64 {
    let (mut active, mut stocked) = (0usize, 0usize);
    for (stock, sold) in skus {
        if stock > 0.0 || sold > 0.0 {
            active += 1;
            stocked += usize::from(stock > 0.0);
        }
    }
    share_pct(stocked as f64, active as f64)
}

/// Days of inventory of a store (§2, E17): stock at cost ÷ daily cost of sales; 0 without sales.
pub fn inventory_days(stock_valorizado: f64, costo: f64, dias: i64) -> f64 {
    if costo > 0.0 && dias > 0 {
        stock_valorizado / (costo / dias as f64)
    } else {
        0.0
    }
}

/// Ranks 1.. by value descending; equal values keep their input order (stable).
pub fn ranks_desc(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
    let mut ranks = vec![0; values.len()];
    for (pos, i) in order.into_iter().enumerate() {
        ranks[i] = pos + 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e18_the_ranking_against_its_mean_and_ties_to_the_first_asked() {
        let values = [120.0, 100.0, 80.0];
        let promedio = mean(&values);
        assert_eq!(promedio, 100.0);
        assert_eq!(values.map(|v| vs_mean_pct(v, promedio)), [20.0, 0.0, -20.0]);
        assert_eq!(ranks_desc(&values), vec![1, 2, 3]);
        assert_eq!(ranks_desc(&[80.0, 120.0, 100.0]), vec![3, 1, 2]);
        // compare-multi with two stores tied on ventas: the first id of the request.
        assert_eq!(best_index(&[500.0, 700.0, 700.0]), Some(1));
        assert_eq!(worst_index(&[500.0, 300.0, 300.0]), Some(1));
        assert_eq!(best_index(&[]), None);
        assert_eq!(vs_mean_pct(10.0, 0.0), 0.0, "no mean, no comparison");
    }

    #[test]
    fn e4_fill_rate_counts_active_skus_only_and_e17_days_of_inventory() {
        // A 10 sold, B 0 sold, C 0 unsold, D −2 sold (stock as 0), E 5 unsold, F 0 unsold.
        let skus = [(10.0, 1.0), (0.0, 3.0), (0.0, 0.0), (0.0, 2.0), (5.0, 0.0), (0.0, 0.0)];
        assert_eq!(fill_rate(skus), 50.0);
        assert_eq!(fill_rate([]), 0.0);
        // 30,000 at cost, 45,000 cost of sales in 30 days → 1,500 a day → 20 days.
        assert_eq!(inventory_days(30_000.0, 45_000.0, 30), 20.0);
        assert_eq!(inventory_days(30_000.0, 0.0, 30), 0.0);
    }

    #[test]
    fn the_radar_scales_each_metric_between_the_stores_compared() {
        assert_eq!(min_max_scale(&[10.0, 30.0, 20.0]), vec![0.0, 100.0, 50.0]);
        assert_eq!(min_max_scale(&[7.0, 7.0]), vec![50.0, 50.0], "all equal → 50");
        assert_eq!(min_max_scale(&[0.0, 3.0, 1.0]), vec![0.0, 100.0, 33.3]);
    }

    #[test]
    fn margins_are_weighted_and_uncategorised_products_are_left_out() {
        assert_eq!(round_half_away(margin_pct(38.0, 29.0), 2), 23.68);
        assert_eq!(margin_pct(0.0, 5.0), 0.0);
        assert_eq!(share_pct(1.0, 3.0), 33.33);
        assert_eq!(share_pct(1.0, 0.0), 0.0);
        assert!(is_categorised(Some("Víveres")));
        for c in [None, Some(""), Some("  "), Some("SIN CATEGORIA"), Some("sin categoría")] {
            assert!(!is_categorised(c), "{c:?}");
        }
    }
}
