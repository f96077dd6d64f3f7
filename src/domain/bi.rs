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

/// Upper bounds of the ticket buckets (§3.2): `$0-5` [−∞, 5), `$5-15`, `$15-30`, `$30-50`,
/// `$50+`; a return (negative total) falls in the first.
const BUCKETS: [(&str, Option<f64>); 5] =
    [("$0-5", Some(5.0)), ("$5-15", Some(15.0)), ("$15-30", Some(30.0)), ("$30-50", Some(50.0)), ("$50+", None)];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketBucket {
    pub rango: &'static str,
    pub rango_min: Option<f64>,
    pub rango_max: Option<f64>,
    pub tickets: i64,
    pub pct_tickets: f64,
    pub ventas: f64,
    pub pct_ventas: f64,
    pub ticket_promedio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketDistribution {
    /// Always the five buckets, ascending, zeros included.
    pub rangos: Vec<TicketBucket>,
    pub total_tickets: i64,
    pub total_ventas: f64,
    pub ticket_promedio: f64,
}

/// The distribution of a store's tickets by total (§3.2, E2).
pub fn ticket_distribution(totals: &[f64]) -> TicketDistribution {
    let mut counts = [0i64; 5];
    let mut sums = [0.0f64; 5];
    for t in totals.iter().filter(|t| t.is_finite()) {
        let i = BUCKETS.iter().position(|(_, max)| max.is_none_or(|m| *t < m)).unwrap_or(BUCKETS.len() - 1);
        counts[i] += 1;
        sums[i] += t;
    }
    let n = totals.iter().filter(|t| t.is_finite()).count() as i64;
    let total: f64 = sums.iter().sum();
    let pct = |part: f64, whole: f64| if whole != 0.0 { round_half_away(part / whole * 100.0, 2) } else { 0.0 };
    let rangos = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (rango, max))| TicketBucket {
            rango,
            rango_min: if i == 0 { None } else { BUCKETS[i - 1].1 },
            rango_max: *max,
            tickets: counts[i],
            pct_tickets: pct(counts[i] as f64, n as f64),
            ventas: round_half_away(sums[i], 2),
            pct_ventas: pct(sums[i], total),
            ticket_promedio: if counts[i] > 0 { round_half_away(sums[i] / counts[i] as f64, 2) } else { 0.0 },
        })
        .collect();
    TicketDistribution {
        rangos,
        total_tickets: n,
        total_ventas: round_half_away(total, 2),
        ticket_promedio: if n > 0 { round_half_away(total / n as f64, 2) } else { 0.0 },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatCell {
    /// 0 = domingo … 6 = sábado.
    pub dia_semana: u8,
    pub hora: u8,
    pub ventas: f64,
    pub tickets: i64,
    pub pct_total: f64,
    /// 0 (no sales) to 9: ⌊ventas ÷ max × 9⌋ for the colour scale.
    pub nivel: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heatmap {
    /// 7 × 24 cells, Sunday 00h first.
    pub celdas: Vec<HeatCell>,
    pub hora_pico: Option<HeatCell>,
    pub total_ventas: f64,
}

/// The 7 × 24 grid of a store's sales by weekday and hour (§3.2): `(weekday, hour, ventas,
/// tickets)` summed per cell; the peak is the highest cell, ties to the earliest.
pub fn heatmap(rows: &[(u8, u8, f64, i64)]) -> Heatmap {
    let mut grid = [[(0.0f64, 0i64); 24]; 7];
    for (d, h, v, t) in rows {
        if let Some(cell) = grid.get_mut(*d as usize).and_then(|r| r.get_mut(*h as usize)) {
            cell.0 += v;
            cell.1 += t;
        }
    }
    let total: f64 = grid.iter().flatten().map(|c| c.0).sum();
    let max = grid.iter().flatten().map(|c| c.0).fold(0.0f64, f64::max);
    let mut celdas = Vec::with_capacity(168);
    for (d, row) in grid.iter().enumerate() {
        for (h, (v, t)) in row.iter().enumerate() {
            celdas.push(HeatCell {
                dia_semana: d as u8,
                hora: h as u8,
                ventas: round_half_away(*v, 2),
                tickets: *t,
                pct_total: if total > 0.0 { round_half_away(v / total * 100.0, 2) } else { 0.0 },
                nivel: if max > 0.0 && *v > 0.0 { ((v / max * 9.0).floor() as u8).min(9) } else { 0 },
            });
        }
    }
    // The first strictly highest cell in (day, hour) order: ties keep the earliest.
    let mut pico: Option<&HeatCell> = None;
    for c in &celdas {
        if c.ventas > 0.0 && pico.is_none_or(|p| c.ventas > p.ventas) {
            pico = Some(c);
        }
    }
    Heatmap { hora_pico: pico.cloned(), celdas, total_ventas: round_half_away(total, 2) }
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

    #[test]
    fn e2_ticket_distribution_in_five_buckets() {
        let t = [3.00, 4.99, -2.00, 5.00, 14.00, 15.00, 29.00, 30.00, 49.00, 50.00, 120.00];
        let d = ticket_distribution(&t);
        let row = |i: usize| {
            let b = &d.rangos[i];
            (b.rango, b.tickets, b.ventas, b.pct_tickets, b.pct_ventas, b.ticket_promedio)
        };
        assert_eq!(row(0), ("$0-5", 3, 5.99, 27.27, 1.88, 2.00), "a return falls in the first bucket");
        assert_eq!(row(1), ("$5-15", 2, 19.00, 18.18, 5.98, 9.50));
        assert_eq!(row(2), ("$15-30", 2, 44.00, 18.18, 13.84, 22.00));
        assert_eq!(row(3), ("$30-50", 2, 79.00, 18.18, 24.84, 39.50));
        assert_eq!(row(4), ("$50+", 2, 170.00, 18.18, 53.46, 85.00));
        assert_eq!(d.rangos[4].rango_max, None);
        assert_eq!((d.total_tickets, d.total_ventas, d.ticket_promedio), (11, 317.99, 28.91));
        // No tickets: the five buckets, all zero.
        let empty = ticket_distribution(&[]);
        assert_eq!(empty.rangos.len(), 5);
        assert!(empty.rangos.iter().all(|b| b.tickets == 0 && b.pct_tickets == 0.0));
    }

    #[test]
    fn the_heatmap_levels_and_the_earliest_peak() {
        // Monday 10h and Tuesday 10h tie at 90: the peak is Monday's; 45 is level 4.
        let h = heatmap(&[(1, 10, 90.0, 9), (2, 10, 90.0, 8), (3, 15, 45.0, 5), (3, 15, 0.0, 0)]);
        assert_eq!(h.celdas.len(), 168);
        let p = h.hora_pico.unwrap();
        assert_eq!((p.dia_semana, p.hora), (1, 10));
        let cell = |d: usize, hr: usize| &h.celdas[d * 24 + hr];
        assert_eq!((cell(3, 15).nivel, cell(1, 10).nivel, cell(0, 0).nivel), (4, 9, 0));
        assert_eq!(cell(3, 15).pct_total, 20.0);
        assert_eq!(heatmap(&[]).hora_pico, None);
    }
}
