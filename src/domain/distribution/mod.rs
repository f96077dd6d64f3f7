//! Distribution (spec 31): sharing one CEDI's stock among several destinations (conflicts and
//! DPD+U), and restocking one CEDI from another (inter-CEDI). Pure rules; the distribution
//! use cases gather the engine's per-store needs and keep the results.

pub mod dpdu;
pub mod inter_cedi;
pub mod inter_cedi_order;

pub use dpdu::{allocate, Allocation, DpduSettings, Participant};

/// Whether one product is a conflict of a batch (spec 31 §2.5): listed by at least two
/// destinations, more than one of them needing it, a batch of more than one destination, and
/// the CEDI holding less than their total need. `listed` are the destinations that list the
/// product, with the engine's need before its CEDI cap (so the cap never hides a conflict).
/// A CEDI holding nothing has nothing to share: the original's engine zeroed every need then
/// (§2.3), so such products never reached the conflict step; here they do not either.
pub fn is_conflict(stock: f64, listed: &[Participant], batch_destinations: usize) -> bool {
    if listed.len() < 2 || batch_destinations < 2 || stock <= 0.0 {
        return false;
    }
    let total_need: f64 = listed.iter().map(|p| p.necesidad_unid.max(0.0)).sum();
    if stock >= total_need {
        return false;
    }
    listed.iter().filter(|p| p.necesidad_unid > 0.0).count() > 1
}

/// The DPD+U shares of a conflicted product: `(position in listed, allocation)` for every
/// participant (a destination with need > 0), in request order. None when not a conflict.
pub fn resolve(
    stock: f64,
    upb: f64,
    listed: &[Participant],
    batch_destinations: usize,
    settings: &DpduSettings,
) -> Option<Vec<(usize, Allocation)>> {
    if !is_conflict(stock, listed, batch_destinations) {
        return None;
    }
    let positions: Vec<usize> = (0..listed.len()).filter(|&i| listed[i].necesidad_unid > 0.0).collect();
    let participants: Vec<Participant> = positions.iter().map(|&i| listed[i]).collect();
    Some(positions.into_iter().zip(allocate(stock, upb, settings, &participants)).collect())
}

/// The reason kept on a line whose packs DPD+U changed (it must name DPD+U: the order's Excel
/// marks such lines from it).
pub fn dpdu_reason(assigned: u64, suggested: u64) -> String {
    format!("Ajustado DPD+U: asignado {assigned} de {suggested} bultos sugeridos")
}

/// The reason kept on a conflicted line the user set by hand in step 2.
pub fn manual_reason(assigned: u64, suggested: u64) -> String {
    format!("Ajustado DPD+U (manual): asignado {assigned} de {suggested} bultos sugeridos")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(units: f64) -> Participant {
        Participant { demanda: 5.0, stock_actual: 0.0, dias_stock: 1.0, necesidad_unid: units }
    }

    #[test]
    fn a_conflict_needs_two_needy_destinations_and_too_little_stock() {
        assert!(is_conflict(20.0, &[need(12.0), need(12.0)], 2));
        assert!(!is_conflict(24.0, &[need(12.0), need(12.0)], 2), "enough stock");
        assert!(!is_conflict(5.0, &[need(12.0)], 3), "listed once");
        assert!(!is_conflict(5.0, &[need(12.0), need(12.0)], 1), "one destination in the batch");
        assert!(!is_conflict(5.0, &[need(12.0), need(0.0)], 2), "one needy destination keeps its engine quantity");
        assert!(!is_conflict(0.0, &[need(12.0), need(12.0)], 2), "nothing at the CEDI, nothing to share");
    }

    #[test]
    fn only_needy_destinations_take_part() {
        let r = resolve(24.0, 12.0, &[need(24.0), need(0.0), need(12.0)], 3, &DpduSettings::default()).unwrap();
        assert_eq!(r.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(r.iter().map(|(_, a)| a.cantidad_asignada_bultos).sum::<u64>(), 2);
    }

    #[test]
    fn the_reason_names_dpdu() {
        assert_eq!(dpdu_reason(4, 10), "Ajustado DPD+U: asignado 4 de 10 bultos sugeridos");
        assert!(manual_reason(1, 2).contains("DPD+U"));
    }
}
