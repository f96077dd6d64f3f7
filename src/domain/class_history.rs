//! A product's ABC (and XYZ) class over time in one location, from the change-only log the
//! classification rebuilds keep (`productos_abc_historico`): each row says "from this business
//! date on, the class is …" until the next row. Here the rows become periods inside a window.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// Class of a product that left the cache (no sale in the ABC window).
pub const SIN_VENTAS: &str = "SIN_VENTAS";

/// One logged change: from `desde` on, the location's class is `clase_abc` / `clase_xyz`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassChange {
    pub desde: NaiveDate,
    pub clase_abc: String,
    pub clase_xyz: Option<String>,
}

/// A run of business dates with one class, both ends included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassPeriod {
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// `A`…`D`, or `SIN_VENTAS` while the product had no sale in the ABC window.
    pub clase_abc: String,
    /// `None` when the XYZ analysis is off, or the class was undetermined.
    pub clase_xyz: Option<String>,
}

/// The periods of `changes` (any order) that overlap `[from, to]`, clipped to it. The class in
/// force on `from` is the last change on or before it. Consecutive changes to the same class
/// (the XYZ part ignored unless `with_xyz`) make one period.
pub fn periods(changes: &[ClassChange], from: NaiveDate, to: NaiveDate, with_xyz: bool) -> Vec<ClassPeriod> {
    if to < from {
        return Vec::new();
    }
    let mut sorted: Vec<&ClassChange> = changes.iter().filter(|c| c.desde <= to).collect();
    sorted.sort_by_key(|c| c.desde);
    // The last change on or before `from`, then every later one.
    let first = sorted.iter().rposition(|c| c.desde <= from).unwrap_or(0);
    let mut out: Vec<ClassPeriod> = Vec::new();
    for c in &sorted[first..] {
        let xyz = if with_xyz { c.clase_xyz.clone() } else { None };
        let start = c.desde.max(from);
        match out.last_mut() {
            Some(last) if last.clase_abc == c.clase_abc && last.clase_xyz == xyz => {}
            Some(last) => {
                last.hasta = start - Duration::days(1);
                out.push(ClassPeriod { desde: start, hasta: to, clase_abc: c.clase_abc.clone(), clase_xyz: xyz });
            }
            None => out.push(ClassPeriod { desde: start, hasta: to, clase_abc: c.clase_abc.clone(), clase_xyz: xyz }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn change(desde: NaiveDate, abc: &str, xyz: Option<&str>) -> ClassChange {
        ClassChange { desde, clase_abc: abc.into(), clase_xyz: xyz.map(str::to_string) }
    }

    fn period(desde: NaiveDate, hasta: NaiveDate, abc: &str, xyz: Option<&str>) -> ClassPeriod {
        ClassPeriod { desde, hasta, clase_abc: abc.into(), clase_xyz: xyz.map(str::to_string) }
    }

    #[test]
    fn the_class_in_force_at_the_start_is_clipped_and_later_changes_split_the_window() {
        let log = [change(d(10, 20), "C", None), change(d(11, 5), "A", Some("X")), change(d(10, 1), "B", None)];
        assert_eq!(
            periods(&log, d(10, 15), d(11, 30), false),
            vec![period(d(10, 15), d(10, 19), "B", None), period(d(10, 20), d(11, 4), "C", None), period(d(11, 5), d(11, 30), "A", None)]
        );
    }

    #[test]
    fn changes_after_the_window_and_before_the_first_log_row_are_not_invented() {
        let log = [change(d(11, 10), "A", None), change(d(12, 1), "B", None)];
        assert_eq!(periods(&log, d(11, 1), d(11, 20), false), vec![period(d(11, 10), d(11, 20), "A", None)]);
        assert!(periods(&log, d(11, 1), d(11, 5), false).is_empty());
        assert!(periods(&[], d(11, 1), d(11, 5), false).is_empty());
    }

    #[test]
    fn an_xyz_only_change_splits_only_when_xyz_is_shown() {
        let log = [change(d(11, 1), "A", Some("X")), change(d(11, 8), "A", Some("Z")), change(d(11, 9), SIN_VENTAS, None)];
        assert_eq!(
            periods(&log, d(11, 1), d(11, 10), false),
            vec![period(d(11, 1), d(11, 8), "A", None), period(d(11, 9), d(11, 10), SIN_VENTAS, None)]
        );
        assert_eq!(periods(&log, d(11, 1), d(11, 10), true).len(), 3);
    }
}
