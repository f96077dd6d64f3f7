//! DPD+U — *Distribución Proporcional por Demanda + Urgencia* (spec 31 §2.6): how a CEDI's
//! scarce stock of one product is shared among the destinations that need it.
//!
//! Rebuild behaviour where the original was defective: the continuous allocation is capped
//! by each destination's need and the freed stock is shared again among the others
//! (water-filling, D-2), and leftover packs never lift a destination above its need.
//!
//! One choice beyond the spec: the floor-then-leftover rule, taken literally, can give a
//! destination one pack *less* when the CEDI holds one pack more (a rising floor elsewhere
//! moves the leftover pack away; in random trials most product mixes hit such a step). Packs
//! are therefore placed one at a time, each where the literal rule for that many packs has
//! more than is placed so far. The result equals the literal rule wherever that one grows
//! with the stock (every worked example of §7), and more stock never gives anyone less. The
//! allocation depends on the whole packs held (⌊S ÷ u⌋): a partial pack cannot ship.

use serde::{Deserialize, Serialize};

/// Urgency of a destination at or below the minimum days (spec 31 §2.6 step 1).
pub const MAX_URGENCY: f64 = 100.0;
/// Days of stock reported for a destination without demand.
pub const NO_DEMAND_DAYS: f64 = 999.0;
/// Tolerance when turning units into whole packs: 13.999999 packs of float arithmetic are 14.
const EPS: f64 = 1e-9;

/// The tenant's DPD+U settings (`config-dpdu`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DpduSettings {
    /// w_d, 0–1.
    pub peso_demanda: f64,
    /// w_u, 0–1.
    pub peso_urgencia: f64,
    /// d_min: at or below these days of stock a destination has maximum urgency.
    pub dias_minimo_urgencia: f64,
}

impl Default for DpduSettings {
    fn default() -> Self {
        DpduSettings { peso_demanda: 0.60, peso_urgencia: 0.40, dias_minimo_urgencia: 0.5 }
    }
}

impl DpduSettings {
    /// The rebuild's validation (§2.6 table): each weight in 0–1, not both zero, d_min ≥ 0.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let in_unit = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
        if !in_unit(self.peso_demanda) {
            return Err(("peso_demanda", format!("El peso de la demanda debe estar entre 0 y 1 (recibido {})", self.peso_demanda)));
        }
        if !in_unit(self.peso_urgencia) {
            return Err(("peso_urgencia", format!("El peso de la urgencia debe estar entre 0 y 1 (recibido {})", self.peso_urgencia)));
        }
        if self.peso_demanda + self.peso_urgencia <= 0.0 {
            return Err(("peso_urgencia", "Los pesos de demanda y urgencia no pueden ser ambos 0".into()));
        }
        if !self.dias_minimo_urgencia.is_finite() || self.dias_minimo_urgencia < 0.0 {
            return Err((
                "dias_minimo_urgencia",
                format!("Los días mínimos de urgencia deben ser ≥ 0 (recibido {})", self.dias_minimo_urgencia),
            ));
        }
        Ok(())
    }
}

/// One destination taking part in the sharing of one product, in request order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Participant {
    /// D_i: the local P75 in units per day (a trial store's substituted demand is not used).
    pub demanda: f64,
    /// X_i: store stock in units, without transit.
    pub stock_actual: f64,
    /// d_i: days of stock with transit.
    pub dias_stock: f64,
    /// N_i: the engine's need in units (whole packs × UPB).
    pub necesidad_unid: f64,
}

/// What one participant receives, with the figures the conflict grid shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    pub urgencia: f64,
    pub pct_demanda: f64,
    pub pct_urgencia: f64,
    pub peso_final: f64,
    pub cantidad_asignada_bultos: u64,
    pub cantidad_asignada_unid: f64,
    /// a_i·u − N_i: negative means short of the need.
    pub deficit_vs_necesidad: f64,
    /// Days the store's stock (without transit) lasts once this arrives; 999 without demand.
    pub cobertura_dias_resultante: f64,
    pub demanda_p75: f64,
    pub stock_actual: f64,
    pub dias_stock: f64,
    pub cantidad_necesaria: f64,
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Whole packs in `units` (float noise tolerated: 13.999999 packs are 14).
pub fn whole_packs(units: f64, upb: f64) -> u64 {
    ((units / upb) + EPS).floor().max(0.0) as u64
}

/// U_i (step 1): maximum at or below `dias_minimo_urgencia` (inclusive) or without stock,
/// else the inverse of the days of stock.
pub fn urgency(dias_stock: f64, dias_minimo: f64) -> f64 {
    if dias_stock <= 0.0 || dias_stock <= dias_minimo {
        MAX_URGENCY
    } else {
        1.0 / dias_stock
    }
}

/// Shares S units of one product (pack size `upb`) among `participants` (§2.6 steps 0–6).
/// Results are in the participants' order. Σ allocated ≤ S, each ≤ its need in packs.
pub fn allocate(stock: f64, upb: f64, settings: &DpduSettings, participants: &[Participant]) -> Vec<Allocation> {
    let n = participants.len();
    if n == 0 {
        return Vec::new();
    }
    let u = if upb.is_finite() && upb >= 1.0 { upb } else { 1.0 };
    let urg: Vec<f64> = participants.iter().map(|p| urgency(p.dias_stock, settings.dias_minimo_urgencia)).collect();
    let share = |values: &[f64]| -> Vec<f64> {
        let total: f64 = values.iter().sum();
        match total > 0.0 {
            true => values.iter().map(|v| v / total).collect(),
            false => vec![1.0 / n as f64; n],
        }
    };
    let demand_share = share(&participants.iter().map(|p| p.demanda.max(0.0)).collect::<Vec<_>>());
    let urgency_share = share(&urg);
    let raw: Vec<f64> =
        demand_share.iter().zip(&urgency_share).map(|(d, u)| d * settings.peso_demanda + u * settings.peso_urgencia).collect();
    let weights = share(&raw);
    let need_packs: Vec<u64> = participants.iter().map(|p| (p.necesidad_unid.max(0.0) / u - EPS).ceil().max(0.0) as u64).collect();

    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| urg[j].total_cmp(&urg[i]).then(demand_share[j].total_cmp(&demand_share[i])).then(i.cmp(&j)));
    let needs: Vec<f64> = participants.iter().map(|p| p.necesidad_unid.max(0.0)).collect();
    let shares = Shares { upb: u, weights: &weights, needs: &needs, need_packs: &need_packs, leftover_order: &order };
    let packs = match stock > 0.0 {
        true => shares.packs_in_steps(whole_packs(stock, u)),
        false => vec![0; n],
    };

    participants
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let units = packs[i] as f64 * u;
            let cobertura = match p.demanda > 0.0 {
                true => round_to((p.stock_actual + units) / p.demanda, 1),
                false => NO_DEMAND_DAYS,
            };
            Allocation {
                urgencia: urg[i],
                pct_demanda: round_to(demand_share[i] * 100.0, 2),
                pct_urgencia: round_to(urgency_share[i] * 100.0, 2),
                peso_final: round_to(weights[i] * 100.0, 2),
                cantidad_asignada_bultos: packs[i],
                cantidad_asignada_unid: units,
                deficit_vs_necesidad: units - p.necesidad_unid,
                cobertura_dias_resultante: if stock > 0.0 { cobertura } else { p.dias_stock },
                demanda_p75: p.demanda,
                stock_actual: p.stock_actual,
                dias_stock: p.dias_stock,
                cantidad_necesaria: p.necesidad_unid,
            }
        })
        .collect()
}

/// What the sharing of one product depends on besides the stock.
struct Shares<'a> {
    upb: f64,
    weights: &'a [f64],
    needs: &'a [f64],
    need_packs: &'a [u64],
    /// Leftover packs go by urgency, then demand share, then request order.
    leftover_order: &'a [usize],
}

impl Shares<'_> {
    /// The spec's allocation of `packs` whole packs (steps 4–6): capped continuous shares,
    /// floors, then leftover packs one at a time in `leftover_order`, skipping anyone at its
    /// need and passing over the list again while packs remain.
    fn spec_allocation(&self, packs: u64) -> Vec<u64> {
        let q = water_fill(packs as f64 * self.upb, self.weights, self.needs);
        let mut a: Vec<u64> = q.iter().zip(self.need_packs).map(|(q, p)| whole_packs(*q, self.upb).min(*p)).collect();
        let mut leftover = packs.saturating_sub(a.iter().sum());
        while leftover > 0 {
            let mut given = false;
            for &i in self.leftover_order {
                if leftover > 0 && a[i] < self.need_packs[i] {
                    a[i] += 1;
                    leftover -= 1;
                    given = true;
                }
            }
            if !given {
                break;
            }
        }
        a
    }

    /// `packs` placed one at a time, each where the spec's allocation of that many packs has
    /// more than what is placed so far. Equal to the spec's allocation whenever that one
    /// grows with the stock; where it does not (a leftover pack moving from one destination
    /// to another as a floor rises), nobody loses a pack because the CEDI holds one more.
    fn packs_in_steps(&self, packs: u64) -> Vec<u64> {
        let packs = packs.min(self.need_packs.iter().sum());
        let mut placed = vec![0u64; self.need_packs.len()];
        let mut rank = vec![0; placed.len()];
        for (r, &i) in self.leftover_order.iter().enumerate() {
            rank[i] = r;
        }
        for step in 1..=packs {
            let target = self.spec_allocation(step);
            let next = (0..placed.len())
                .filter(|&i| target[i] > placed[i])
                .max_by(|&i, &j| (target[i] - placed[i]).cmp(&(target[j] - placed[j])).then(rank[j].cmp(&rank[i])));
            match next {
                Some(i) => placed[i] += 1,
                None => break,
            }
        }
        placed
    }
}

/// Step 4, capped: q_i = S·W_i, but no one above its need; what a capped destination does
/// not take is shared again among the others in proportion to their weights.
fn water_fill(stock: f64, weights: &[f64], needs: &[f64]) -> Vec<f64> {
    let n = weights.len();
    let mut q = vec![0.0; n];
    let mut open: Vec<usize> = (0..n).collect();
    let mut remaining = stock;
    loop {
        let total: f64 = open.iter().map(|&i| weights[i]).sum();
        for &i in &open {
            q[i] = match total > 0.0 {
                true => remaining * weights[i] / total,
                false => remaining / open.len() as f64,
            };
        }
        let capped: Vec<usize> = open.iter().copied().filter(|&i| q[i] > needs[i]).collect();
        if capped.is_empty() {
            return q;
        }
        for &i in &capped {
            q[i] = needs[i];
            remaining -= needs[i];
        }
        open.retain(|i| !capped.contains(i));
        if open.is_empty() {
            return q;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(demanda: f64, stock_actual: f64, dias_stock: f64, necesidad_unid: f64) -> Participant {
        Participant { demanda, stock_actual, dias_stock, necesidad_unid }
    }

    fn packs(a: &[Allocation]) -> Vec<u64> {
        a.iter().map(|a| a.cantidad_asignada_bultos).collect()
    }

    #[test]
    fn e7_1_basic_scarcity_with_a_leftover_pack() {
        let a = allocate(
            240.0,
            12.0,
            &DpduSettings::default(),
            &[p(30.0, 15.0, 0.5, 180.0), p(20.0, 40.0, 2.0, 120.0), p(10.0, 40.0, 4.0, 60.0)],
        );
        assert_eq!(packs(&a), vec![14, 4, 2]);
        assert_eq!(a.iter().map(|a| a.pct_demanda).collect::<Vec<_>>(), vec![50.0, 33.33, 16.67]);
        assert_eq!(a.iter().map(|a| a.pct_urgencia).collect::<Vec<_>>(), vec![99.26, 0.5, 0.25]);
        assert_eq!(a.iter().map(|a| a.peso_final).collect::<Vec<_>>(), vec![69.7, 20.2, 10.1]);
        assert_eq!(a.iter().map(|a| a.deficit_vs_necesidad).collect::<Vec<_>>(), vec![-12.0, -72.0, -36.0]);
        assert_eq!(a.iter().map(|a| a.cobertura_dias_resultante).collect::<Vec<_>>(), vec![6.1, 4.4, 6.4]);
        assert_eq!(a.iter().map(|a| a.urgencia).collect::<Vec<_>>(), vec![100.0, 0.5, 0.25]);
    }

    #[test]
    fn e7_2_no_destination_gets_more_than_it_needs() {
        let a =
            allocate(60.0, 6.0, &DpduSettings::default(), &[p(2.0, 0.0, 0.0, 12.0), p(10.0, 25.0, 2.5, 60.0), p(10.0, 40.0, 4.0, 30.0)]);
        assert_eq!(packs(&a), vec![2, 5, 3], "the original gave 5 / 3 / 2: T1 2.5× its need");
        assert_eq!(a.iter().map(|a| a.deficit_vs_necesidad).collect::<Vec<_>>(), vec![0.0, -30.0, -12.0]);
        assert_eq!(a.iter().map(|a| a.cantidad_asignada_unid).sum::<f64>(), 60.0);
    }

    #[test]
    fn e7_3_an_exact_tie_goes_to_request_order() {
        let a = allocate(36.0, 12.0, &DpduSettings::default(), &[p(10.0, 30.0, 3.0, 60.0), p(10.0, 30.0, 3.0, 60.0)]);
        assert_eq!(packs(&a), vec![2, 1]);
    }

    #[test]
    fn e7_4_less_than_one_pack_at_the_cedi_ships_nothing() {
        let a = allocate(5.0, 12.0, &DpduSettings::default(), &[p(5.0, 2.0, 0.4, 12.0), p(5.0, 20.0, 4.0, 12.0)]);
        assert_eq!(packs(&a), vec![0, 0]);
        assert_eq!(a.iter().map(|a| a.deficit_vs_necesidad).collect::<Vec<_>>(), vec![-12.0, -12.0]);
    }

    #[test]
    fn e7_5_degenerate_inputs() {
        // No demand anywhere: equal demand shares, urgency still tells them apart.
        let a = allocate(24.0, 12.0, &DpduSettings::default(), &[p(0.0, 0.0, 0.0, 24.0), p(0.0, 5.0, 5.0, 24.0)]);
        assert_eq!(a[0].pct_demanda, 50.0);
        assert_eq!(a[1].pct_demanda, 50.0);
        assert!(a[0].cantidad_asignada_bultos > a[1].cantidad_asignada_bultos);
        assert_eq!(a[1].cobertura_dias_resultante, NO_DEMAND_DAYS);
        // Nothing at the CEDI: all zero, coverage = the input days.
        let a = allocate(0.0, 12.0, &DpduSettings::default(), &[p(5.0, 10.0, 2.0, 24.0), p(3.0, 3.0, 1.0, 12.0)]);
        assert_eq!(packs(&a), vec![0, 0]);
        assert_eq!(a.iter().map(|a| a.cobertura_dias_resultante).collect::<Vec<_>>(), vec![2.0, 1.0]);
        assert_eq!(a.iter().map(|a| a.deficit_vs_necesidad).collect::<Vec<_>>(), vec![-24.0, -12.0]);
    }

    #[test]
    fn several_critical_destinations_split_urgency_equally() {
        let a = allocate(100.0, 1.0, &DpduSettings::default(), &[p(1.0, 0.0, 0.0, 100.0), p(50.0, 10.0, 0.2, 100.0)]);
        assert_eq!(a[0].pct_urgencia, 50.0);
        assert_eq!(a[1].pct_urgencia, 50.0);
    }

    #[test]
    fn the_urgency_cut_off_is_inclusive() {
        assert_eq!(urgency(0.5, 0.5), MAX_URGENCY);
        assert_eq!(urgency(0.51, 0.5), 1.0 / 0.51);
        assert_eq!(urgency(-3.0, 0.5), MAX_URGENCY);
    }

    #[test]
    fn settings_are_validated() {
        assert!(DpduSettings::default().validate().is_ok());
        assert_eq!(DpduSettings { peso_demanda: 0.0, peso_urgencia: 0.0, ..Default::default() }.validate().unwrap_err().0, "peso_urgencia");
        assert_eq!(DpduSettings { peso_demanda: 1.2, ..Default::default() }.validate().unwrap_err().0, "peso_demanda");
        assert_eq!(DpduSettings { dias_minimo_urgencia: -1.0, ..Default::default() }.validate().unwrap_err().0, "dias_minimo_urgencia");
    }

    #[test]
    fn only_the_ratio_of_the_weights_matters() {
        let ps = [p(30.0, 15.0, 0.5, 180.0), p(20.0, 40.0, 2.0, 120.0), p(10.0, 40.0, 4.0, 60.0)];
        let half = DpduSettings { peso_demanda: 0.3, peso_urgencia: 0.2, ..Default::default() };
        assert_eq!(packs(&allocate(240.0, 12.0, &half, &ps)), packs(&allocate(240.0, 12.0, &DpduSettings::default(), &ps)));
    }

    fn participants() -> impl Strategy<Value = Vec<Participant>> {
        prop::collection::vec((0.0f64..50.0, 0.0f64..200.0, 0.0f64..30.0, 0u32..40), 2..8)
            .prop_map(|v| v.into_iter().map(|(d, x, days, packs)| p(d, x, days, f64::from(packs))).collect())
    }

    proptest! {
        /// Σ allocated ≤ S, each destination ≤ its need, and no more than the whole packs held.
        #[test]
        fn never_more_than_the_stock_nor_the_need(stock in 0.0f64..2000.0, upb in 1u32..25, ps in participants()) {
            let u = f64::from(upb);
            let ps: Vec<Participant> = ps.into_iter().map(|p| Participant { necesidad_unid: p.necesidad_unid * u, ..p }).collect();
            let a = allocate(stock, u, &DpduSettings::default(), &ps);
            let total: u64 = a.iter().map(|a| a.cantidad_asignada_bultos).sum();
            prop_assert!(total as f64 * u <= stock + 1e-6);
            for (a, p) in a.iter().zip(&ps) {
                prop_assert!(a.cantidad_asignada_unid <= p.necesidad_unid + 1e-6, "{a:?} above the need of {p:?}");
            }
            // Every whole pack is placed while someone still needs one.
            let need: u64 = ps.iter().map(|p| (p.necesidad_unid / u).round() as u64).sum();
            prop_assert_eq!(total, need.min((stock / u + 1e-9).floor() as u64));
        }

        /// More stock never gives anyone less.
        #[test]
        fn more_stock_never_gives_anyone_less(stock in 0.0f64..1500.0, extra in 0.0f64..500.0, upb in 1u32..13, ps in participants()) {
            let u = f64::from(upb);
            let ps: Vec<Participant> = ps.into_iter().map(|p| Participant { necesidad_unid: p.necesidad_unid * u, ..p }).collect();
            let before = allocate(stock, u, &DpduSettings::default(), &ps);
            let after = allocate(stock + extra, u, &DpduSettings::default(), &ps);
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(a.cantidad_asignada_bultos >= b.cantidad_asignada_bultos, "{b:?} → {a:?}");
            }
        }
    }
}
