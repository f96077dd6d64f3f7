//! Substitutable product sets in the store-need engine (spec 31 §5): where shoppers switch
//! brands freely, the set's demand is what matters. Each member's share of it is its manual
//! share, or else its units over the share window; when some members have no stock at the
//! origin CEDI, their share goes to the members that do (the §7.6 rule). The engine then
//! uses each member's redistributed demand in place of its own P75, with σ scaled by the
//! same ratio, so DPD+U and every later step run unchanged on the resulting needs.

use chrono::NaiveDate;

use crate::domain::distribution::inter_cedi::{redistribute, SetAlert, SetMember};

/// Weeks of sales behind a share without a manual value (§5: 12 weeks).
pub const SHARE_WINDOW_DAYS: i64 = 84;

/// One active set and its active members.
#[derive(Debug, Clone, PartialEq)]
pub struct SubstituteSet {
    pub id: i64,
    pub nombre: String,
    /// `(product code, manual share 0–100)`.
    pub miembros: Vec<(String, Option<f64>)>,
}

/// What the engine knows of one member at this store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemberDemand {
    pub p75: f64,
    pub sigma: f64,
    /// Units sold over the share window (days before `today`).
    pub unidades_ventana: f64,
    pub stock_cedi: f64,
}

/// A member's demand after redistribution, and the note its line carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Redistributed {
    pub p75: f64,
    pub sigma: f64,
    pub nota: String,
}

/// Shares (summing to 1) of the members: the manual shares where given, units over the
/// window for the rest (scaled to what the manual ones leave), normalised. Equal shares when
/// nothing is known.
pub fn shares(manual: &[Option<f64>], units: &[f64]) -> Vec<f64> {
    let n = manual.len();
    if n == 0 {
        return Vec::new();
    }
    let manual_sum: f64 = manual.iter().flatten().map(|s| s.max(0.0)).sum();
    let free = (100.0 - manual_sum).max(0.0);
    let unit_sum: f64 = manual.iter().zip(units).filter(|(m, _)| m.is_none()).map(|(_, u)| u.max(0.0)).sum();
    let unmanaged = manual.iter().filter(|m| m.is_none()).count();
    let raw: Vec<f64> = manual
        .iter()
        .zip(units)
        .map(|(m, u)| match m {
            Some(s) => s.max(0.0),
            None if unit_sum > 0.0 => free * u.max(0.0) / unit_sum,
            None => free / unmanaged as f64,
        })
        .collect();
    let total: f64 = raw.iter().sum();
    if total > 0.0 {
        raw.iter().map(|r| r / total).collect()
    } else {
        vec![1.0 / n as f64; n]
    }
}

/// Units of `ventas` in the `days` before `today` (today excluded).
pub fn units_in_window(ventas: &[(NaiveDate, f64)], today: NaiveDate, days: i64) -> f64 {
    ventas
        .iter()
        .filter(|(d, q)| {
            let age = (today - *d).num_days();
            q.is_finite() && (1..=days).contains(&age)
        })
        .map(|(_, q)| *q)
        .sum()
}

fn fmt(v: f64) -> String {
    format!("{v:.1}").replace('.', ",")
}

/// Each member's demand after the set rule: `None` when the set changes nothing for it (all
/// members with origin stock — their own demand stands — or a set of one). The critical case
/// (no member with origin stock) leaves the demands unchanged and says so on every member.
pub fn apply(set: &SubstituteSet, members: &[MemberDemand]) -> Vec<Option<Redistributed>> {
    let n = members.len();
    if n < 2 || set.miembros.len() != n {
        return vec![None; n];
    }
    let manual: Vec<Option<f64>> = set.miembros.iter().map(|(_, s)| *s).collect();
    let units: Vec<f64> = members.iter().map(|m| m.unidades_ventana).collect();
    let share = shares(&manual, &units);
    let set_demand: f64 = members.iter().map(|m| m.p75.max(0.0)).sum();
    let input: Vec<SetMember> = set
        .miembros
        .iter()
        .zip(members)
        .zip(&share)
        .map(|(((code, _), m), s)| SetMember { codigo: code.clone(), share: *s, con_stock_origen: m.stock_cedi > 0.0 })
        .collect();
    let (demand, alert) = redistribute(set_demand, &input);
    match alert {
        None => vec![None; n],
        Some(SetAlert::TodosSinStock) => members
            .iter()
            .map(|m| {
                Some(Redistributed {
                    p75: m.p75,
                    sigma: m.sigma,
                    nota: format!("Conjunto «{}»: ningún miembro tiene stock en el CEDI (alerta crítica)", set.nombre),
                })
            })
            .collect(),
        Some(SetAlert::Redistribuido(missing)) => {
            // σ follows the demand: scaled by the member's ratio, or the set's σ per unit of
            // demand for a member that had none of its own.
            let set_sigma = members.iter().map(|m| m.sigma.max(0.0).powi(2)).sum::<f64>().sqrt();
            let sigma_per_unit = if set_demand > 0.0 { set_sigma / set_demand } else { 0.0 };
            members
                .iter()
                .zip(demand)
                .map(|(m, d)| {
                    let sigma = if m.p75 > 0.0 { m.sigma * d / m.p75 } else { sigma_per_unit * d };
                    Some(Redistributed {
                        p75: d,
                        sigma,
                        nota: format!(
                            "Conjunto «{}»: demanda {} → {} u/día (sin stock en el CEDI: {})",
                            set.nombre,
                            fmt(m.p75),
                            fmt(d),
                            missing.join(", ")
                        ),
                    })
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(shares: &[Option<f64>]) -> SubstituteSet {
        SubstituteSet {
            id: 1,
            nombre: "Azúcar 1 kg".into(),
            miembros: shares.iter().enumerate().map(|(i, s)| (format!("P{i}"), *s)).collect(),
        }
    }

    fn member(p75: f64, sigma: f64, units: f64, stock: f64) -> MemberDemand {
        MemberDemand { p75, sigma, unidades_ventana: units, stock_cedi: stock }
    }

    #[test]
    fn e7_6_the_share_of_a_member_without_origin_stock_goes_to_the_others() {
        // Set demand 60/day; shares 50 / 33.33 / 16.67 from 12 weeks of units; A has no
        // CEDI stock → A 0, B 40, C 20.
        let s = set(&[None, None, None]);
        let out = apply(&s, &[member(30.0, 6.0, 3000.0, 0.0), member(20.0, 4.0, 2000.0, 50.0), member(10.0, 2.0, 1000.0, 80.0)]);
        let p: Vec<f64> = out.iter().map(|r| r.as_ref().unwrap().p75).collect();
        assert!((p[0] - 0.0).abs() < 1e-9 && (p[1] - 40.0).abs() < 1e-9 && (p[2] - 20.0).abs() < 1e-9, "{p:?}");
        // σ scaled by the same ratio: B 4 × 40/20 = 8.
        assert!((out[1].as_ref().unwrap().sigma - 8.0).abs() < 1e-9);
        assert!(out[1].as_ref().unwrap().nota.contains("20,0 → 40,0") && out[1].as_ref().unwrap().nota.contains("P0"));
    }

    #[test]
    fn e7_6_all_members_out_of_stock_leaves_the_demand_and_raises_the_critical_alert() {
        let s = set(&[None, None, None]);
        let out = apply(&s, &[member(30.0, 6.0, 3000.0, 0.0), member(20.0, 4.0, 2000.0, 0.0), member(10.0, 2.0, 1000.0, 0.0)]);
        let p: Vec<f64> = out.iter().map(|r| r.as_ref().unwrap().p75).collect();
        assert_eq!(p, vec![30.0, 20.0, 10.0]);
        assert!(out[0].as_ref().unwrap().nota.contains("alerta crítica"));
    }

    #[test]
    fn everyone_in_stock_or_a_set_of_one_changes_nothing() {
        let s = set(&[None, None]);
        assert_eq!(apply(&s, &[member(3.0, 1.0, 10.0, 5.0), member(2.0, 1.0, 5.0, 5.0)]), vec![None, None]);
        assert_eq!(apply(&set(&[None]), &[member(3.0, 1.0, 10.0, 0.0)]), vec![None]);
    }

    #[test]
    fn manual_shares_win_and_units_share_what_is_left() {
        // 50 % manual; the other half split 3:1 by units → 50 / 37.5 / 12.5.
        let s = shares(&[Some(50.0), None, None], &[0.0, 300.0, 100.0]);
        assert!((s[0] - 0.5).abs() < 1e-12 && (s[1] - 0.375).abs() < 1e-12 && (s[2] - 0.125).abs() < 1e-12, "{s:?}");
        // Manual shares that do not sum to 100 are normalised.
        let s = shares(&[Some(30.0), Some(30.0)], &[0.0, 0.0]);
        assert_eq!(s, vec![0.5, 0.5]);
        // Nothing known: equal shares.
        assert_eq!(shares(&[None, None], &[0.0, 0.0]), vec![0.5, 0.5]);
        // A member that had no demand of its own receives the set's σ per unit of demand.
        let st = set(&[Some(50.0), Some(50.0), None]);
        let out = apply(&st, &[member(10.0, 3.0, 0.0, 0.0), member(0.0, 0.0, 0.0, 5.0), member(0.0, 0.0, 0.0, 0.0)]);
        let b = out[1].as_ref().unwrap();
        assert!((b.p75 - 10.0).abs() < 1e-9, "{b:?}");
        assert!((b.sigma - 3.0).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn units_count_the_window_before_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let v = vec![(d("2026-12-06"), 2.0), (d("2026-12-07"), 50.0), (d("2026-09-14"), 4.0), (d("2026-09-13"), 100.0)];
        // 84 days before 2026-12-07 is 2026-09-14 (included); today and older days are not.
        assert_eq!(units_in_window(&v, d("2026-12-07"), SHARE_WINDOW_DAYS), 6.0);
    }
}
