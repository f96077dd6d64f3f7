//! *Centro de Comando de Corrección* (spec 40 §7.5): which stock figures look wrong, and what
//! a physical count says. A count is recorded beside the POS's figure, never over it: the
//! POS mirror would be overwritten again by the next stock load (the earlier system's defect).

use chrono::NaiveDateTime;

/// Stock exactly 0 now, sold today, and no snapshot today above 0 (or none at all): the
/// shelf sold what the system says is not there.
pub fn is_sale_zombie(stock_now: f64, sold_today: bool, snapshots_today: &[f64]) -> bool {
    stock_now == 0.0 && sold_today && snapshots_today.iter().all(|q| *q <= 0.0)
}

/// What a count changes: `Some(count − system)`, or `None` when they agree.
pub fn difference(system: f64, counted: f64) -> Option<f64> {
    let d = counted - system;
    // Quantities have four decimals in the warehouse: below that they agree.
    (d.abs() >= 0.00005).then_some(d)
}

/// The batch label of the counts entered at once: `AUDITORIA_<YYYYMMDD_HHMMSS>` local time.
pub fn batch_label(local_now: NaiveDateTime) -> String {
    format!("AUDITORIA_{}", local_now.format("%Y%m%d_%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zombie_sold_today_with_no_positive_snapshot() {
        assert!(is_sale_zombie(0.0, true, &[]), "no snapshot today");
        assert!(is_sale_zombie(0.0, true, &[0.0, -2.0]));
        assert!(!is_sale_zombie(0.0, true, &[3.0, 0.0]), "it had stock today: the sale emptied it");
        assert!(!is_sale_zombie(0.0, false, &[]), "not sold today");
        assert!(!is_sale_zombie(-1.0, true, &[]), "negatives are listed as negatives");
    }

    #[test]
    fn a_count_equal_to_the_system_changes_nothing() {
        assert_eq!(difference(10.0, 10.0), None);
        assert_eq!(difference(-3.0, 5.0), Some(8.0));
        assert_eq!(difference(4.5, 4.0), Some(-0.5));
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(9, 5, 3).unwrap();
        assert_eq!(batch_label(t), "AUDITORIA_20261207_090503");
    }
}
