//! Ventas perdidas, version "V3" (spec 40 §6.5): products whose daily sales in the period
//! fell below a share of their history's daily average, valued at a unit price. V3 measures
//! a sales drop, not necessarily a stock-out, so each loss says whether the period had
//! days with stock ≤ 0 (`quiebre`) or not (`caida_demanda`).
//!
//! Fixes over the original: a product that did not sell at all in the period (the worst
//! stock-out) is valued at its history's price, then the current price, instead of 0.
//! Values are full precision; the caller rounds for output. Plain values in, plain values
//! out; E11 is the test below.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::sales::round_half_away;

/// A product needs at least this many units per history day to be judged.
pub const MIN_HISTORY_PER_DAY: f64 = 0.5;

/// The list is capped at this many products (by lost USD).
pub const MAX_ROWS: usize = 200;

/// The category name of products without a merchandise category.
pub const UNCATEGORISED: &str = "Sin categoría";

/// Relative tolerance of the threshold comparisons: quantities are decimals (kg), and a
/// ratio that is the threshold on paper must fall on the side the spec says.
const TOLERANCE: f64 = 1e-9;

/// `umbral_critico`, `umbral_alto`, `umbral_medio`: shares of the history's daily average, in %.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub critico: f64,
    pub alto: f64,
    pub medio: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { critico: 30.0, alto: 50.0, medio: 75.0 }
    }
}

impl Thresholds {
    /// `0 < critico < alto < medio ≤ 100`; the error names the offending parameter.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [("umbral_critico", self.critico), ("umbral_alto", self.alto), ("umbral_medio", self.medio)] {
            if !v.is_finite() {
                return Err(format!("{name} debe ser un número"));
            }
        }
        if self.critico <= 0.0 {
            return Err("umbral_critico debe ser mayor que 0".to_string());
        }
        if self.alto <= self.critico {
            return Err("umbral_alto debe ser mayor que umbral_critico".to_string());
        }
        if self.medio <= self.alto {
            return Err("umbral_medio debe ser mayor que umbral_alto".to_string());
        }
        if self.medio > 100.0 {
            return Err("umbral_medio no puede ser mayor que 100".to_string());
        }
        Ok(())
    }
}

/// One product's sales in one store (lines with unit price > 0 only).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductSales {
    /// `Vp`: units in the period.
    pub units_period: f64,
    /// `Vh`: units in the history window (the H days ending the day before the period).
    pub units_history: f64,
    /// Mean unit price of the period's lines.
    pub price_period: Option<f64>,
    /// Mean unit price of the history window's lines.
    pub price_history: Option<f64>,
    pub price_current: Option<f64>,
    /// Days of the period with at least one inventory snapshot ≤ 0.
    pub days_stock_zero: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Critico,
    Alto,
    Medio,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Critico => "critico",
            Level::Alto => "alto",
            Level::Medio => "medio",
        }
    }
}

/// Whether the period had stock-out days: a drop with stock on hand is a demand drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    Quiebre,
    CaidaDemanda,
}

/// One product's loss, full precision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loss {
    pub promedio_periodo: f64,
    pub promedio_historico: f64,
    pub pct_vs_historico: f64,
    pub unidades_perdidas_dia: f64,
    pub unidades_perdidas: f64,
    pub precio: f64,
    pub venta_perdida_usd: f64,
    pub nivel: Level,
    pub causa: Cause,
}

/// `pct ≤ critico` → critico; `≤ alto` → alto; else medio.
pub fn level(pct: f64, t: &Thresholds) -> Level {
    let at_most = |limit: f64| pct <= limit + TOLERANCE * limit.abs();
    if at_most(t.critico) {
        Level::Critico
    } else if at_most(t.alto) {
        Level::Alto
    } else {
        Level::Medio
    }
}

/// The first known positive price: the period's, the history's, the current one.
pub fn price(p: &ProductSales) -> Option<f64> {
    [p.price_period, p.price_history, p.price_current].into_iter().flatten().find(|x| x.is_finite() && *x > 0.0)
}

/// `None` when not a candidate (`Vh < 0.5 × H`, or `Vp ≥ expected × medio/100` with
/// expected = `Vh/H × N`), when a window has no days, or when no price is known at all.
pub fn evaluate(p: &ProductSales, period_days: u32, history_days: u32, t: &Thresholds) -> Option<Loss> {
    if period_days == 0 || history_days == 0 {
        return None;
    }
    let (n, h) = (f64::from(period_days), f64::from(history_days));
    let (vp, vh) = (p.units_period, p.units_history);
    let min_history = MIN_HISTORY_PER_DAY * h;
    if vh.is_nan() || vh < min_history - TOLERANCE * min_history {
        return None;
    }
    // Vp < Vh/H × N × medio/100, multiplied out so that no division rounds first.
    let (lhs, rhs) = (100.0 * vp * h, t.medio * vh * n);
    if vp.is_nan() || lhs >= rhs - TOLERANCE * rhs.abs() {
        return None;
    }
    let precio = price(p)?;
    let (avg_period, avg_history) = (vp / n, vh / h);
    let pct = 100.0 * vp * h / (vh * n);
    let lost_per_day = (avg_history - avg_period).max(0.0);
    let lost = lost_per_day * n;
    Some(Loss {
        promedio_periodo: avg_period,
        promedio_historico: avg_history,
        pct_vs_historico: pct,
        unidades_perdidas_dia: lost_per_day,
        unidades_perdidas: lost,
        precio,
        venta_perdida_usd: lost * precio,
        nivel: level(pct, t),
        causa: if p.days_stock_zero > 0 { Cause::Quiebre } else { Cause::CaidaDemanda },
    })
}

/// Losses of one merchandise category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryLoss {
    pub categoria: String,
    pub usd: f64,
    pub incidentes: usize,
    /// Share of the total lost USD, 1 dp.
    pub pct: f64,
}

/// The category a product is counted under: NULL, blank and `SIN CATEGORIA` are one group.
pub fn category_name(categoria: Option<&str>) -> &str {
    match categoria.map(str::trim) {
        None | Some("") => UNCATEGORISED,
        Some(c) if c.eq_ignore_ascii_case("SIN CATEGORIA") || c.eq_ignore_ascii_case("SIN CATEGORÍA") => UNCATEGORISED,
        Some(c) => c,
    }
}

/// Per merchandise category (`None`/blank/`SIN CATEGORIA` grouped as "Sin categoría"),
/// sorted by USD desc (ties by name); pct of the total, 1 dp (0 when the total is 0).
pub fn by_category<'a>(items: impl IntoIterator<Item = (Option<&'a str>, f64)>) -> Vec<CategoryLoss> {
    let mut groups: HashMap<&str, (f64, usize)> = HashMap::new();
    for (categoria, usd) in items {
        let g = groups.entry(category_name(categoria)).or_insert((0.0, 0));
        g.0 += usd;
        g.1 += 1;
    }
    let total: f64 = groups.values().map(|(usd, _)| usd).sum();
    let mut out: Vec<CategoryLoss> = groups
        .into_iter()
        .map(|(name, (usd, incidentes))| CategoryLoss {
            categoria: name.to_string(),
            usd,
            incidentes,
            pct: if total > 0.0 { round_half_away(100.0 * usd / total, 1) } else { 0.0 },
        })
        .collect();
    out.sort_by(|a, b| b.usd.total_cmp(&a.usd).then_with(|| a.categoria.cmp(&b.categoria)));
    out
}

/// Days of `from..=to` on which the store's stock was at or below 0 at some instant (the value
/// carried into the day counts), from a series of (instant, stock) sorted by time.
pub fn days_at_or_below_zero(series: &[(NaiveDateTime, f64)], from: NaiveDate, to: NaiveDate) -> u32 {
    let mut days = 0;
    let mut d = from;
    while d <= to {
        let start = d.and_time(chrono::NaiveTime::MIN);
        let end = start + Duration::days(1);
        let carried = series.iter().take_while(|(t, _)| *t < start).last().map(|(_, q)| *q);
        let within = series.iter().filter(|(t, _)| *t >= start && *t < end).any(|(_, q)| *q <= 0.0);
        if within || carried.is_some_and(|q| q <= 0.0) {
            days += 1;
        }
        d += Duration::days(1);
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: u32 = 7;
    const H: u32 = 30;

    fn product(vh: f64, vp: f64, price_period: Option<f64>) -> ProductSales {
        ProductSales { units_period: vp, units_history: vh, price_period, ..ProductSales::default() }
    }

    fn money(x: f64) -> f64 {
        round_half_away(x, 2)
    }

    #[test]
    fn worked_example_e11_lost_sales() {
        let t = Thresholds::default();
        let a = evaluate(&product(300.0, 14.0, Some(2.5)), N, H, &t).unwrap();
        assert_eq!((a.promedio_periodo, a.promedio_historico, a.pct_vs_historico), (2.0, 10.0, 20.0));
        assert_eq!((a.unidades_perdidas_dia, a.unidades_perdidas, a.precio), (8.0, 56.0, 2.5));
        assert_eq!((money(a.venta_perdida_usd), a.nivel), (140.00, Level::Critico));

        let b = evaluate(&product(60.0, 7.0, Some(4.0)), N, H, &t).unwrap();
        assert_eq!((b.pct_vs_historico, b.nivel), (50.0, Level::Alto), "50 % is ≤ alto");
        assert_eq!((b.unidades_perdidas, money(b.venta_perdida_usd)), (7.0, 28.00));

        let c_sales = ProductSales { price_history: Some(1.2), ..product(90.0, 0.0, None) };
        let c = evaluate(&c_sales, N, H, &t).unwrap();
        assert_eq!((c.pct_vs_historico, c.nivel, c.precio), (0.0, Level::Critico, 1.2));
        assert_eq!((c.unidades_perdidas, money(c.venta_perdida_usd)), (21.0, 25.20), "history price, not 0");

        assert_eq!(evaluate(&product(10.0, 0.0, Some(1.0)), N, H, &t), None, "D: Vh 10 < 15");
        assert_eq!(evaluate(&product(150.0, 30.0, Some(1.0)), N, H, &t), None, "E: Vp 30 ≥ 26.25");

        let losses = [a, b, c];
        let total: f64 = losses.iter().map(|l| l.venta_perdida_usd).sum();
        assert_eq!(money(total), 193.20);
        assert_eq!(losses.iter().filter(|l| l.nivel == Level::Critico).count(), 2);
        assert_eq!(losses.iter().filter(|l| l.nivel == Level::Alto).count(), 1);

        let categories = ["Harinas", "Lácteos", "Harinas"];
        let cats = by_category(categories.iter().zip(&losses).map(|(c, l)| (Some(*c), l.venta_perdida_usd)));
        assert_eq!(cats.len(), 2);
        assert_eq!((cats[0].categoria.as_str(), money(cats[0].usd), cats[0].incidentes, cats[0].pct), ("Harinas", 165.20, 2, 85.5));
        assert_eq!((cats[1].categoria.as_str(), money(cats[1].usd), cats[1].incidentes, cats[1].pct), ("Lácteos", 28.00, 1, 14.5));
    }

    #[test]
    fn the_candidate_limits_are_inclusive_for_history_and_exclusive_for_the_period() {
        let t = Thresholds::default();
        assert!(evaluate(&product(15.0, 0.0, Some(1.0)), N, H, &t).is_some(), "Vh = 0.5 × H is enough");
        assert!(evaluate(&product(14.9, 0.0, Some(1.0)), N, H, &t).is_none());
        // Expected 5/day × 7 × 0.75 = 26.25.
        assert!(evaluate(&product(150.0, 26.25, Some(1.0)), N, H, &t).is_none(), "Vp = the limit is no loss");
        assert!(evaluate(&product(150.0, 26.2, Some(1.0)), N, H, &t).is_some());
        assert!(evaluate(&product(150.0, 1.0, Some(1.0)), 0, H, &t).is_none());
        assert!(evaluate(&product(150.0, 1.0, Some(1.0)), N, 0, &t).is_none());
    }

    #[test]
    fn levels_cut_at_the_thresholds_inclusive() {
        let t = Thresholds::default();
        assert_eq!(
            [0.0, 30.0, 30.1, 50.0, 50.1, 74.9].map(|p| level(p, &t)),
            [Level::Critico, Level::Critico, Level::Alto, Level::Alto, Level::Medio, Level::Medio]
        );
        // 30 % reached through decimal quantities: 2.1 of 7 per day against 7 of 30.
        let p = product(210.0, 14.7, Some(1.0));
        assert_eq!(evaluate(&p, N, H, &t).unwrap().nivel, Level::Critico);
    }

    #[test]
    fn the_cause_is_a_stockout_only_with_zero_stock_days() {
        let t = Thresholds::default();
        let drop = evaluate(&product(300.0, 14.0, Some(2.5)), N, H, &t).unwrap();
        assert_eq!(drop.causa, Cause::CaidaDemanda);
        let p = ProductSales { days_stock_zero: 2, ..product(300.0, 14.0, Some(2.5)) };
        let json = serde_json::to_value(evaluate(&p, N, H, &t).unwrap()).unwrap();
        assert_eq!((json["causa"].as_str(), json["nivel"].as_str()), (Some("quiebre"), Some("critico")));
        assert_eq!(serde_json::to_value(Cause::CaidaDemanda).unwrap(), "caida_demanda");
    }

    #[test]
    fn the_price_falls_back_from_period_to_history_to_current() {
        let t = Thresholds::default();
        let p = |period, history, current| ProductSales {
            price_period: period,
            price_history: history,
            price_current: current,
            ..product(90.0, 0.0, None)
        };
        assert_eq!(price(&p(Some(1.5), Some(1.2), Some(1.0))), Some(1.5));
        assert_eq!(price(&p(None, Some(1.2), Some(1.0))), Some(1.2));
        assert_eq!(price(&p(None, None, Some(1.0))), Some(1.0));
        assert_eq!(price(&p(Some(0.0), None, Some(1.0))), Some(1.0), "a zero price is no price");
        assert_eq!(evaluate(&p(None, None, Some(1.0)), N, H, &t).map(|l| l.venta_perdida_usd), Some(21.0));
        assert_eq!(evaluate(&p(None, None, None), N, H, &t), None, "a loss that cannot be valued is not listed");
    }

    #[test]
    fn invalid_thresholds_name_the_field() {
        assert_eq!(Thresholds::default().validate(), Ok(()));
        assert_eq!(Thresholds { critico: 10.0, alto: 20.0, medio: 100.0 }.validate(), Ok(()));
        let err = |t: Thresholds| t.validate().unwrap_err();
        assert!(err(Thresholds { critico: 0.0, ..Thresholds::default() }).contains("umbral_critico"));
        assert!(err(Thresholds { alto: 30.0, ..Thresholds::default() }).contains("umbral_alto"));
        assert!(err(Thresholds { medio: 50.0, ..Thresholds::default() }).contains("umbral_medio"));
        assert!(err(Thresholds { medio: 100.5, ..Thresholds::default() }).contains("umbral_medio"));
        assert!(err(Thresholds { alto: f64::NAN, ..Thresholds::default() }).contains("umbral_alto"));
    }

    #[test]
    fn uncategorised_products_form_one_group() {
        let cats = by_category([(None, 10.0), (Some("  "), 5.0), (Some("SIN CATEGORIA"), 5.0), (Some("Víveres"), 30.0)]);
        assert_eq!(cats.len(), 2);
        assert_eq!((cats[0].categoria.as_str(), cats[0].pct), ("Víveres", 60.0));
        assert_eq!((cats[1].categoria.as_str(), cats[1].usd, cats[1].incidentes, cats[1].pct), (UNCATEGORISED, 20.0, 3, 40.0));
        assert!(by_category(std::iter::empty()).is_empty());
        assert_eq!(by_category([(Some("X"), 0.0)])[0].pct, 0.0);
    }

    fn at(d: &str, h: u32) -> chrono::NaiveDateTime {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn a_day_counts_when_its_stock_touched_zero_or_started_at_zero() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Stock 5 before the period, 0 on the 4th at 15:00, 8 on the 6th at 09:00.
        let series = vec![(at("2025-03-01", 8), 5.0), (at("2025-03-04", 15), 0.0), (at("2025-03-06", 9), 8.0)];
        // 3rd: 5 all day; 4th: reaches 0; 5th: starts at 0; 6th: starts at 0 (refilled at 09:00); 7th: 8.
        assert_eq!(days_at_or_below_zero(&series, d("2025-03-03"), d("2025-03-07")), 3);
        // Without any known stock nothing counts.
        assert_eq!(days_at_or_below_zero(&[], d("2025-03-03"), d("2025-03-07")), 0);
    }
}
