//! Agotados visuales (spec 40 §6.4): products that have stock but stopped selling, so they
//! are probably not on the shelf. Per product: its sale events of the last 14 × 24 h, the
//! mean open hours between events (`prom_h`) against the open hours since the last one
//! (`sin_vender_h`); an alert when the silence is at least `min_factor` times the usual gap.
//! Alerts get a 0–100 score, a priority and a diagnosis from the stock at the last sale.
//!
//! Hours are *open* hours of the store ([`StoreHours`], §1.4), counted exactly: the
//! original's wall-clock × H_op/24 approximation inflated the hours without selling across
//! closed nights. Plain values in, plain values out; E10 is the test below.

use std::cmp::Ordering;

use chrono::{Duration, NaiveDateTime};
use serde::{Serialize, Serializer};

use super::replenishment::classification::AbcClass;
use super::sales::round_half_away;
use super::store_hours::StoreHours;

/// Relative tolerance of the threshold comparisons. The open hours are whole seconds, so
/// the comparisons are done in rational form (no division); the only inexact operand left
/// is a configured factor such as 2.2 that binary floating point cannot hold, and a value
/// that is exactly at the threshold must still pass (E10 is exactly 2.0 ≥ 2.0).
const TOLERANCE: f64 = 1e-9;

/// The scan's configuration (`config` of the Centro de Comando; defaults of §9).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Sale events are counted over this many × 24 h before now.
    pub window_days: i64,
    /// `min_ventas_historicas`.
    pub min_events: usize,
    /// `max_horas_entre_ventas`: products that sell more rarely are not judged.
    pub max_hours_between: f64,
    /// `factor_minimo`.
    pub min_factor: f64,
    /// The list is capped (the badge count is not).
    pub max_rows: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { window_days: 14, min_events: 5, max_hours_between: 24.0, min_factor: 2.0, max_rows: 100 }
    }
}

/// The first instant of the event window: `now − window_days × 24 h` (local time, §1.1).
pub fn window_start(now: NaiveDateTime, s: &Settings) -> NaiveDateTime {
    now.checked_sub_signed(Duration::days(s.window_days)).unwrap_or(NaiveDateTime::MIN)
}

/// What the caller knows about one product in one store.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Distinct tickets with the product in the window (§1.3; a return-only ticket counts).
    pub events: usize,
    pub first_event: NaiveDateTime,
    pub last_event: NaiveDateTime,
    pub stock: f64,
    pub active: bool,
    pub abc: Option<AbcClass>,
    /// Sale events of the product in the other stores of the region, same window.
    pub region_events: u32,
    /// `s₀`: the latest stock snapshot at or before the last sale (within 30 days).
    pub stock_at_last_sale: Option<f64>,
}

/// 1 Crítico, 2 Alto, 3 Medio. Serialized as the number (`prioridad: 1`), as the original
/// API did; [`Priority::label`] gives the name for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    Critico,
    Alto,
    Medio,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Critico, Priority::Alto, Priority::Medio];

    pub fn level(self) -> u8 {
        match self {
            Priority::Critico => 1,
            Priority::Alto => 2,
            Priority::Medio => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Critico => "Crítico",
            Priority::Alto => "Alto",
            Priority::Medio => "Medio",
        }
    }
}

impl Serialize for Priority {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.level())
    }
}

/// Why the product probably does not sell (step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Diagnosis {
    /// Stock in the store and demand in the region: the product is not on display.
    Exhibicion,
    /// It was empty at the last sale and has just been refilled: the delivery is not on the shelf yet.
    Agotamiento,
    /// Plenty of stock but the region does not sell it either: demand, not display.
    Regional,
    /// Little stock then and now: what is left is probably not on the shelf; replenish.
    Reposicion,
    Indeterminado,
}

impl Diagnosis {
    pub fn as_str(self) -> &'static str {
        match self {
            Diagnosis::Exhibicion => "EXHIBICION",
            Diagnosis::Agotamiento => "AGOTAMIENTO",
            Diagnosis::Regional => "REGIONAL",
            Diagnosis::Reposicion => "REPOSICION",
            Diagnosis::Indeterminado => "INDETERMINADO",
        }
    }

    /// The short sentence shown next to the diagnosis.
    pub fn detail(self) -> &'static str {
        match self {
            Diagnosis::Exhibicion => "Hay stock y el producto se vende en la región: probablemente no está exhibido en el anaquel.",
            Diagnosis::Agotamiento => "Estaba agotado en la última venta y se repuso después: verificar que la mercancía llegó al anaquel.",
            Diagnosis::Regional => "Hay stock pero tampoco se vende en otras tiendas de la región: posible caída de demanda.",
            Diagnosis::Reposicion => "Stock bajo desde la última venta: lo que queda puede no estar en el anaquel; reponer.",
            Diagnosis::Indeterminado => "Sin datos suficientes para determinar la causa: revisar en tienda.",
        }
    }
}

/// One alert. Hours and factor in full precision; the caller rounds them (1 dp) for output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub prom_h: f64,
    pub sin_vender_h: f64,
    pub factor_alerta: f64,
    pub score: u32,
    pub prioridad: Priority,
    pub diagnostico: Diagnosis,
    pub detalle: &'static str,
}

/// Open seconds of steps 2–3: from the first event to now, from the last event to now,
/// and the number of gaps between events (n − 1).
struct Measure {
    span: f64,
    idle: f64,
    gaps: f64,
}

fn measure(c: &Candidate, hours: &StoreHours, now: NaiveDateTime, s: &Settings) -> Option<Measure> {
    if c.events < s.min_events || c.events <= 1 || !c.active || c.stock.is_nan() || c.stock <= 0.0 {
        return None;
    }
    let gaps = (c.events - 1) as f64;
    let span = hours.open_seconds_between(c.first_event, now) as f64;
    let idle = hours.open_seconds_between(c.last_event, now) as f64;
    // 0 < prom_h ≤ max:  0 < span ≤ max × 3600 × gaps.
    let max_span = s.max_hours_between * 3600.0 * gaps;
    if span <= 0.0 || span > max_span + TOLERANCE * max_span.abs() {
        return None;
    }
    // sin_vender_h ≥ factor × prom_h:  idle × gaps ≥ factor × span.
    let needed = s.min_factor * span;
    if idle * gaps < needed - TOLERANCE * needed.abs() {
        return None;
    }
    Some(Measure { span, idle, gaps })
}

/// Step 1-3 filter without scoring (the badge count uses this): true when the product is an alert.
pub fn is_alert(c: &Candidate, hours: &StoreHours, now: NaiveDateTime, s: &Settings) -> bool {
    measure(c, hours, now, s).is_some()
}

/// Steps 2-6 for one product; `None` when it is not an alert.
pub fn evaluate(c: &Candidate, hours: &StoreHours, now: NaiveDateTime, s: &Settings) -> Option<Alert> {
    let m = measure(c, hours, now, s)?;
    let factor = m.idle * m.gaps / m.span;
    let score = score(factor, c.abc, c.stock, c.region_events);
    let diagnosis = diagnose(c.stock, c.stock_at_last_sale, c.region_events);
    Some(Alert {
        prom_h: m.span / 3600.0 / m.gaps,
        sin_vender_h: m.idle / 3600.0,
        factor_alerta: factor,
        score,
        prioridad: priority(score),
        diagnostico: diagnosis,
        detalle: diagnosis.detail(),
    })
}

/// Score 0–100: min(10 × factor, 40) + ABC (A 30, B 20, C 10, else 0) + stock (≥ 100: 15,
/// ≥ 50: 10, ≥ 20: 5) + region events (≥ 20: 15, ≥ 10: 10, ≥ 5: 5). The factor part is the
/// only fractional one; it is computed from the full-precision factor and rounded half away
/// from zero to a whole point (the spec's scores are integers).
pub fn score(factor: f64, abc: Option<AbcClass>, stock: f64, region_events: u32) -> u32 {
    let from_factor = round_half_away((10.0 * factor).clamp(0.0, 40.0), 0) as u32;
    let from_abc = match abc {
        Some(AbcClass::A) => 30,
        Some(AbcClass::B) => 20,
        Some(AbcClass::C) => 10,
        Some(AbcClass::D) | None => 0,
    };
    let from_stock = match stock {
        x if x >= 100.0 => 15,
        x if x >= 50.0 => 10,
        x if x >= 20.0 => 5,
        _ => 0,
    };
    let from_region = match region_events {
        20.. => 15,
        10..=19 => 10,
        5..=9 => 5,
        _ => 0,
    };
    from_factor + from_abc + from_stock + from_region
}

/// 1 Crítico if score ≥ 70, 2 Alto if ≥ 50, else 3 Medio.
pub fn priority(score: u32) -> Priority {
    match score {
        70.. => Priority::Critico,
        50..=69 => Priority::Alto,
        _ => Priority::Medio,
    }
}

/// Step 6, with `s₀` the stock at the last sale and `Δ = stock − s₀`. A snapshot of exactly
/// 0 is a value (the product was empty), not "no snapshot" as in the original.
pub fn diagnose(stock: f64, stock_at_last_sale: Option<f64>, region_events: u32) -> Diagnosis {
    let region = region_events > 0;
    match stock_at_last_sale {
        Some(s0) => {
            let delta = stock - s0;
            if stock >= 50.0 && delta >= 0.0 && region {
                Diagnosis::Exhibicion
            } else if delta > 20.0 && s0 < 20.0 {
                Diagnosis::Agotamiento
            } else if stock >= 50.0 && !region {
                Diagnosis::Regional
            } else if stock < 30.0 && s0 < 30.0 {
                Diagnosis::Reposicion
            } else if region {
                Diagnosis::Exhibicion
            } else {
                Diagnosis::Indeterminado
            }
        }
        None if region && stock >= 50.0 => Diagnosis::Exhibicion,
        None if stock < 20.0 => Diagnosis::Reposicion,
        None => Diagnosis::Indeterminado,
    }
}

/// The list order: score desc, then hours without selling desc.
pub fn order(a: &Alert, b: &Alert) -> Ordering {
    b.score.cmp(&a.score).then_with(|| b.sin_vender_h.total_cmp(&a.sin_vender_h))
}

/// Sorts by [`order`] (stable: equal alerts keep the caller's order) and keeps `max_rows`.
pub fn rank<K>(alerts: &mut Vec<(K, Alert)>, max_rows: usize) {
    alerts.sort_by(|a, b| order(&a.1, &b.1));
    alerts.truncate(max_rows);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        // 2025-03-02 is a Sunday, 2025-03-04 a Tuesday.
        NaiveDate::from_ymd_opt(2025, 3, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    fn e10_hours() -> StoreHours {
        StoreHours::parse("08:00", "00:00").unwrap()
    }

    fn e10_now() -> NaiveDateTime {
        at(4, 9, 0)
    }

    fn e10() -> Candidate {
        Candidate {
            events: 15,
            first_event: at(2, 20, 0),
            last_event: at(3, 22, 0),
            stock: 60.0,
            active: true,
            abc: Some(AbcClass::A),
            region_events: 12,
            stock_at_last_sale: Some(55.0),
        }
    }

    fn check(c: &Candidate) -> Option<Alert> {
        let s = Settings::default();
        assert_eq!(is_alert(c, &e10_hours(), e10_now(), &s), evaluate(c, &e10_hours(), e10_now(), &s).is_some());
        evaluate(c, &e10_hours(), e10_now(), &s)
    }

    #[test]
    fn worked_example_e10_visual_stockout_with_store_hours() {
        let alert = check(&e10()).expect("E10 is an alert");
        assert_eq!(alert.prom_h, 1.5, "21 open hours / 14 gaps");
        assert_eq!(alert.sin_vender_h, 3.0);
        assert_eq!(alert.factor_alerta, 2.0, "exactly at the threshold, inclusive");
        assert_eq!(alert.score, 70, "20 + 30 (A) + 10 (stock 60) + 10 (12 region events)");
        assert_eq!(alert.prioridad, Priority::Critico);
        assert_eq!(alert.diagnostico, Diagnosis::Exhibicion);
        assert_eq!(alert.detalle, Diagnosis::Exhibicion.detail());
        let json = serde_json::to_value(&alert).unwrap();
        assert_eq!(json["prioridad"], 1);
        assert_eq!(json["diagnostico"], "EXHIBICION");
        assert_eq!(json["factor_alerta"], 2.0);
        assert!(e10_hours().is_open(at(4, 9, 0).time()) && !e10_hours().is_open(at(4, 0, 30).time()), "tienda_abierta");
    }

    #[test]
    fn e10_with_four_events_is_excluded_and_five_is_enough() {
        // With 4 events prom_h would be 7 and the product is not judged at all.
        assert_eq!(check(&Candidate { events: 4, ..e10() }), None);
        // With 5: prom_h = 21/4 = 5.25, 3 h without selling is far from 10.5 → no alert either,
        // but for the right reason; moving the last sale back makes it one.
        assert_eq!(check(&Candidate { events: 5, ..e10() }), None);
        let alert = check(&Candidate { events: 5, last_event: at(3, 8, 0), ..e10() }).unwrap();
        assert_eq!((alert.prom_h, alert.sin_vender_h), (5.25, 17.0));
    }

    #[test]
    fn one_event_never_makes_an_alert() {
        let s = Settings { min_events: 1, ..Settings::default() };
        let c = Candidate { events: 1, first_event: at(3, 9, 0), last_event: at(3, 9, 0), ..e10() };
        assert!(!is_alert(&c, &e10_hours(), e10_now(), &s));
    }

    #[test]
    fn no_stock_or_inactive_products_are_excluded() {
        assert_eq!(check(&Candidate { stock: 0.0, ..e10() }), None);
        assert_eq!(check(&Candidate { stock: -3.0, ..e10() }), None);
        assert_eq!(check(&Candidate { stock: f64::NAN, ..e10() }), None);
        assert_eq!(check(&Candidate { active: false, ..e10() }), None);
        assert!(check(&Candidate { stock: 0.5, ..e10() }).is_some());
    }

    #[test]
    fn products_that_sell_less_than_once_a_day_are_not_judged() {
        let always = StoreHours::parse("00:00", "00:00").unwrap();
        let now = at(10, 12, 0);
        let s = Settings::default();
        let c = |first_h: i64| Candidate {
            events: 5,
            first_event: now - Duration::hours(first_h),
            last_event: now - Duration::hours(60),
            ..e10()
        };
        // prom_h = 96/4 = 24 (kept, inclusive); 100/4 = 25 (excluded).
        assert_eq!(evaluate(&c(96), &always, now, &s).map(|a| a.prom_h), Some(24.0));
        assert!(!is_alert(&c(100), &always, now, &s));
        // prom_h = 0: every event at the same instant as now.
        let zero = Candidate { events: 5, first_event: now, last_event: now, ..e10() };
        assert!(!is_alert(&zero, &always, now, &s));
    }

    #[test]
    fn a_silence_just_below_the_factor_is_no_alert() {
        assert_eq!(check(&Candidate { last_event: at(3, 22, 1), ..e10() }), None);
        assert!(check(&Candidate { last_event: at(3, 21, 59), ..e10() }).is_some());
    }

    #[test]
    fn the_factor_comparison_is_exact_where_naive_division_is_not() {
        // 6 events over 63 open minutes: prom_h = 0.21; silent 25.2 min = 0.42 h = 2 × 0.21.
        // In f64, 0.42 < 2.0 × (1.05 / 5) and 0.42 / 0.21 = 1.9999999999999998.
        let (span, idle) = (std::hint::black_box(3780.0_f64), std::hint::black_box(1512.0_f64));
        assert!(span / 3600.0 / 5.0 * 2.0 > idle / 3600.0, "the naive comparison would miss it");
        let always = StoreHours::parse("00:00", "00:00").unwrap();
        let now = at(10, 12, 0);
        let c = Candidate { events: 6, first_event: now - Duration::seconds(3780), last_event: now - Duration::seconds(1512), ..e10() };
        let alert = evaluate(&c, &always, now, &Settings::default()).unwrap();
        assert_eq!(alert.factor_alerta, 2.0);
        // A factor binary floating point cannot hold, reached exactly: 2.2 × 1.5 h = 3.3 h.
        let s = Settings { min_factor: 2.2, ..Settings::default() };
        let c = Candidate { events: 5, first_event: now - Duration::minutes(360), last_event: now - Duration::minutes(198), ..e10() };
        assert!(is_alert(&c, &always, now, &s));
    }

    #[test]
    fn the_window_starts_fourteen_days_before_now() {
        assert_eq!(window_start(e10_now(), &Settings::default()), at(4, 9, 0) - Duration::days(14));
    }

    #[test]
    fn score_buckets_have_inclusive_lower_bounds() {
        assert_eq!(score(2.0, Some(AbcClass::A), 60.0, 12), 70);
        assert_eq!(score(4.16, Some(AbcClass::A), 60.0, 12), 90, "factor part capped at 40");
        assert_eq!(score(2.04, None, 0.0, 0), 20);
        assert_eq!(score(2.06, None, 0.0, 0), 21);
        let abc = [Some(AbcClass::A), Some(AbcClass::B), Some(AbcClass::C), Some(AbcClass::D), None];
        assert_eq!(abc.map(|x| score(0.0, x, 0.0, 0)), [30, 20, 10, 0, 0]);
        let stock = [100.0, 99.9, 50.0, 49.9, 20.0, 19.9];
        assert_eq!(stock.map(|x| score(0.0, None, x, 0)), [15, 10, 10, 5, 5, 0]);
        let region = [20, 19, 10, 9, 5, 4, 0];
        assert_eq!(region.map(|x| score(0.0, None, 0.0, x)), [15, 10, 10, 5, 5, 0, 0]);
        assert_eq!(score(10.0, Some(AbcClass::A), 500.0, 100), 100);
    }

    #[test]
    fn priorities_cut_at_70_and_50() {
        assert_eq!(
            [70, 69, 50, 49, 0, 100].map(priority),
            [Priority::Critico, Priority::Alto, Priority::Alto, Priority::Medio, Priority::Medio, Priority::Critico]
        );
        assert_eq!(Priority::ALL.map(|p| (p.level(), p.label())), [(1, "Crítico"), (2, "Alto"), (3, "Medio")]);
        assert_eq!(serde_json::to_string(&Priority::Medio).unwrap(), "3");
    }

    #[test]
    fn diagnosis_with_stock_at_last_sale() {
        assert_eq!(diagnose(60.0, Some(55.0), 12), Diagnosis::Exhibicion, "stock, Δ ≥ 0, region sells");
        assert_eq!(diagnose(60.0, Some(5.0), 0), Diagnosis::Agotamiento, "was empty, just refilled");
        assert_eq!(diagnose(60.0, Some(55.0), 0), Diagnosis::Regional, "stock but the region does not sell it");
        assert_eq!(diagnose(10.0, Some(15.0), 0), Diagnosis::Reposicion);
        assert_eq!(diagnose(40.0, Some(45.0), 3), Diagnosis::Exhibicion, "fallback when the region sells");
        assert_eq!(diagnose(60.0, Some(70.0), 3), Diagnosis::Exhibicion, "Δ < 0 falls through to the region");
        assert_eq!(diagnose(40.0, Some(45.0), 0), Diagnosis::Indeterminado);
        assert_eq!(diagnose(40.0, Some(20.0), 0), Diagnosis::Indeterminado, "Δ = 20 is not > 20, s₀ = 20 is not < 20");
    }

    #[test]
    fn a_snapshot_of_zero_is_a_value_not_a_missing_snapshot() {
        // Δ = 40 > 20 and s₀ = 0 < 20: emptied, then refilled.
        assert_eq!(diagnose(40.0, Some(0.0), 3), Diagnosis::Agotamiento);
        assert_eq!(diagnose(40.0, Some(0.0), 0), Diagnosis::Agotamiento);
        // The original's reading (no snapshot) would have said:
        assert_eq!(diagnose(40.0, None, 3), Diagnosis::Indeterminado);
        assert_eq!(diagnose(15.0, Some(0.0), 0), Diagnosis::Reposicion, "Δ = 15 is no refill");
    }

    #[test]
    fn diagnosis_without_stock_at_last_sale() {
        assert_eq!(diagnose(50.0, None, 5), Diagnosis::Exhibicion);
        assert_eq!(diagnose(60.0, None, 0), Diagnosis::Indeterminado);
        assert_eq!(diagnose(19.9, None, 5), Diagnosis::Reposicion);
        assert_eq!(diagnose(30.0, None, 0), Diagnosis::Indeterminado);
        let all = [Diagnosis::Exhibicion, Diagnosis::Agotamiento, Diagnosis::Regional, Diagnosis::Reposicion, Diagnosis::Indeterminado];
        for d in all {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
            assert!(!d.detail().is_empty());
        }
    }

    #[test]
    fn alerts_are_ordered_by_score_then_hours_without_selling_and_capped() {
        let alert = |score: u32, sin_vender_h: f64| Alert {
            prom_h: 1.0,
            sin_vender_h,
            factor_alerta: sin_vender_h,
            score,
            prioridad: priority(score),
            diagnostico: Diagnosis::Indeterminado,
            detalle: Diagnosis::Indeterminado.detail(),
        };
        let mut list = vec![("a", alert(50, 9.0)), ("b", alert(70, 3.0)), ("c", alert(50, 12.0)), ("d", alert(40, 30.0))];
        rank(&mut list, 3);
        assert_eq!(list.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["b", "c", "a"]);
    }
}
