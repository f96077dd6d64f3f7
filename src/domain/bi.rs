//! Business-intelligence rules (spec 40 §2, §3): the network KPIs of a period, the period it
//! is compared with, and the variations between them. Pure arithmetic over totals the
//! warehouse sums; rounding happens here, once, for output.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::sales::round_half_away;

/// What a period is compared with (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The n days just before.
    Anterior,
    /// Both ends 365 days back (not calendar- or weekday-aligned, as the original).
    AnoAnterior,
}

impl Comparison {
    pub fn parse(s: &str) -> Option<Comparison> {
        match s {
            "anterior" => Some(Comparison::Anterior),
            "ano_anterior" => Some(Comparison::AnoAnterior),
            _ => None,
        }
    }
}

/// Days of `inicio..=fin`.
pub fn period_days(inicio: NaiveDate, fin: NaiveDate) -> i64 {
    (fin - inicio).num_days() + 1
}

/// The comparison range of `inicio..=fin`.
pub fn comparison_range(inicio: NaiveDate, fin: NaiveDate, c: Comparison) -> (NaiveDate, NaiveDate) {
    match c {
        Comparison::Anterior => {
            let n = period_days(inicio, fin);
            (inicio - Duration::days(n), inicio - Duration::days(1))
        }
        Comparison::AnoAnterior => (inicio - Duration::days(365), fin - Duration::days(365)),
    }
}

/// Sums over a period and scope (stores only).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub ventas: f64,
    pub costo: f64,
    pub items: f64,
    /// Distinct (store, invoice).
    pub tickets: i64,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        self.ventas += o.ventas;
        self.costo += o.costo;
        self.items += o.items;
        self.tickets += o.tickets;
    }
}

/// The KPI cards of a period (§2), unrounded; [`Kpis::rounded`] for output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Kpis {
    pub ventas_total: f64,
    pub utilidad_bruta: f64,
    pub tickets: i64,
    pub ticket_promedio: f64,
    pub margen_pct: f64,
    pub items_totales: f64,
    pub items_por_ticket: f64,
}

impl Kpis {
    pub fn of(t: &Totals) -> Kpis {
        let utilidad = t.ventas - t.costo;
        let per_ticket = |v: f64| if t.tickets > 0 { v / t.tickets as f64 } else { 0.0 };
        Kpis {
            ventas_total: t.ventas,
            utilidad_bruta: utilidad,
            tickets: t.tickets,
            ticket_promedio: per_ticket(t.ventas),
            margen_pct: if t.ventas != 0.0 { utilidad / t.ventas * 100.0 } else { 0.0 },
            items_totales: t.items,
            items_por_ticket: per_ticket(t.items),
        }
    }

    /// Money and percentages to 2 decimals (§1.7).
    pub fn rounded(&self) -> Kpis {
        let r2 = |v: f64| round_half_away(v, 2);
        Kpis {
            ventas_total: r2(self.ventas_total),
            utilidad_bruta: r2(self.utilidad_bruta),
            tickets: self.tickets,
            ticket_promedio: r2(self.ticket_promedio),
            margen_pct: r2(self.margen_pct),
            items_totales: r2(self.items_totales),
            items_por_ticket: r2(self.items_por_ticket),
        }
    }
}

/// `(a − c) / c × 100` to 1 decimal; 0 when the comparison is 0 (§3.1).
pub fn variation_pct(a: f64, c: f64) -> f64 {
    if c == 0.0 {
        0.0
    } else {
        round_half_away((a - c) / c * 100.0, 1)
    }
}

/// The variations of the cards, from unrounded values; the margin in percentage points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Variations {
    pub ventas_pct: f64,
    pub tickets_pct: f64,
    pub ticket_promedio_pct: f64,
    pub margen_pp: f64,
    pub items_pct: f64,
}

pub fn variations(a: &Kpis, c: &Kpis) -> Variations {
    Variations {
        ventas_pct: variation_pct(a.ventas_total, c.ventas_total),
        tickets_pct: variation_pct(a.tickets as f64, c.tickets as f64),
        ticket_promedio_pct: variation_pct(a.ticket_promedio, c.ticket_promedio),
        margen_pp: round_half_away(a.margen_pct - c.margen_pct, 1),
        items_pct: variation_pct(a.items_totales, c.items_totales),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn e1_network_kpis_count_tickets_not_lines() {
        // 1001 L1 (10.00 / 7.00 / 2), 1001 L2 (5.00 / 4.00 / 1), 1002 (20.00 / 15.00 / 4), 1003 (3.00 / 3.00 / 1).
        let t = Totals { ventas: 38.0, costo: 29.0, items: 8.0, tickets: 3 };
        let k = Kpis::of(&t).rounded();
        assert_eq!((k.ventas_total, k.utilidad_bruta, k.tickets), (38.0, 9.0, 3));
        assert_eq!((k.ticket_promedio, k.margen_pct, k.items_totales, k.items_por_ticket), (12.67, 23.68, 8.0, 2.67));
    }

    #[test]
    fn e1_variations_from_unrounded_values_and_margin_in_points() {
        let a = Kpis::of(&Totals { ventas: 38.0, costo: 29.0, items: 8.0, tickets: 3 });
        // The comparison period: ventas 40, tickets 4, ticket 10, margin 20 %, items 10.
        let c = Kpis::of(&Totals { ventas: 40.0, costo: 32.0, items: 10.0, tickets: 4 });
        let v = variations(&a, &c);
        assert_eq!((v.ventas_pct, v.tickets_pct, v.ticket_promedio_pct, v.margen_pp, v.items_pct), (-5.0, -25.0, 26.7, 3.7, -20.0));
        // No tickets in the comparison: 0, not infinity.
        let empty = Kpis::of(&Totals::default());
        assert_eq!(variations(&a, &empty).tickets_pct, 0.0);
        assert_eq!(Kpis::of(&Totals::default()).ticket_promedio, 0.0);
    }

    #[test]
    fn e1_comparison_ranges() {
        assert_eq!(comparison_range(d("2025-03-01"), d("2025-03-02"), Comparison::Anterior), (d("2025-02-27"), d("2025-02-28")));
        assert_eq!(comparison_range(d("2025-03-01"), d("2025-03-01"), Comparison::AnoAnterior).0, d("2024-03-01"));
        // An interval containing 29 February moves 365 days, not one calendar year.
        assert_eq!(comparison_range(d("2024-03-01"), d("2024-03-01"), Comparison::AnoAnterior).0, d("2023-03-02"));
        assert_eq!(period_days(d("2025-03-01"), d("2025-03-02")), 2);
        assert_eq!(Comparison::parse("ano_anterior"), Some(Comparison::AnoAnterior));
        assert_eq!(Comparison::parse("semana"), None);
    }
}
