//! Change-only stock history (spec 10 §4.4): given the previous state of a warehouse and
//! a new full listing, which history rows to append.

use std::collections::{BTreeMap, HashMap};

/// One row to append to `inventario_historico` for a key of the listed warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryChange {
    pub producto_codigo: String,
    pub cantidad: f64,
    /// new − previous; `None` the first time the key is seen.
    pub cantidad_cambio: Option<f64>,
    pub presente: bool,
}

/// What a listing does to the current stock of its warehouse.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListingDiff {
    pub changes: Vec<HistoryChange>,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// `previous`: the warehouse's current stock (key → quantity) before the listing.
/// `listing`: the new full listing; a repeated code keeps its last value.
/// Keys absent from the listing get a `presente = false` row with quantity 0.
pub fn diff_listing(previous: &HashMap<String, f64>, listing: &[(String, f64)]) -> ListingDiff {
    let mut latest: BTreeMap<&str, f64> = BTreeMap::new();
    for (code, qty) in listing {
        latest.insert(code.as_str(), *qty);
    }
    let mut diff = ListingDiff::default();
    for (code, &qty) in &latest {
        match previous.get(*code) {
            None => {
                diff.inserted += 1;
                diff.changes.push(HistoryChange {
                    producto_codigo: code.to_string(),
                    cantidad: qty,
                    cantidad_cambio: None,
                    presente: true,
                });
            }
            Some(&prev) if prev != qty => {
                diff.updated += 1;
                diff.changes.push(HistoryChange {
                    producto_codigo: code.to_string(),
                    cantidad: qty,
                    cantidad_cambio: Some(qty - prev),
                    presente: true,
                });
            }
            Some(_) => diff.unchanged += 1,
        }
    }
    let mut gone: Vec<(&String, &f64)> = previous.iter().filter(|(k, _)| !latest.contains_key(k.as_str())).collect();
    gone.sort_by(|a, b| a.0.cmp(b.0));
    for (code, &prev) in gone {
        diff.removed += 1;
        diff.changes.push(HistoryChange {
            producto_codigo: code.clone(),
            cantidad: 0.0,
            cantidad_cambio: Some(0.0 - prev),
            presente: false,
        });
    }
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(rows: &[(&str, f64)]) -> Vec<(String, f64)> {
        rows.iter().map(|(c, q)| (c.to_string(), *q)).collect()
    }

    /// The two-load example of spec 10 §4.4 (tienda_01 / APP-TPF).
    #[test]
    fn two_loads_worked_example() {
        let first = diff_listing(&HashMap::new(), &listing(&[("A", 10.0), ("B", 5.0), ("C", 0.0)]));
        assert_eq!(first.changes.len(), 3);
        assert!(first.changes.iter().all(|c| c.cantidad_cambio.is_none() && c.presente));

        let current: HashMap<String, f64> = [("A", 10.0), ("B", 5.0), ("C", 0.0)].iter().map(|(c, q)| (c.to_string(), *q)).collect();
        let second = diff_listing(&current, &listing(&[("A", 8.0), ("B", 5.0), ("D", 3.0)]));
        let by_code: HashMap<&str, &HistoryChange> = second.changes.iter().map(|c| (c.producto_codigo.as_str(), c)).collect();
        assert_eq!(second.changes.len(), 3, "B unchanged is not stored again");
        assert_eq!(by_code["A"].cantidad, 8.0);
        assert_eq!(by_code["A"].cantidad_cambio, Some(-2.0));
        assert_eq!(by_code["D"].cantidad_cambio, None);
        assert!(!by_code["C"].presente);
        assert_eq!(by_code["C"].cantidad, 0.0);
        assert_eq!(by_code["C"].cantidad_cambio, Some(0.0));
        assert_eq!((second.inserted, second.updated, second.unchanged, second.removed), (1, 1, 1, 1));
    }

    #[test]
    fn repeated_code_keeps_the_last_value() {
        let d = diff_listing(&HashMap::new(), &listing(&[("A", 1.0), ("A", 4.0)]));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].cantidad, 4.0);
    }
}
