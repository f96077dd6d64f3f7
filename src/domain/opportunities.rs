//! *Oportunidades CEDI* and *Expansión de Catálogo* (spec 40 §7.6): stock a CEDI holds while
//! stores of its region run empty, and products that sell well in a few stores of a region
//! but are missing from the others. Plain values in, plain values out; E16 is the test.

use serde::Serialize;

use super::replenishment::AbcClass;

/// Defaults of spec 40 §9.
pub const MIN_CEDI_STOCK: f64 = 10.0;
pub const LOW_STORE_STOCK: f64 = 5.0;
pub const MIN_COVERAGE_PCT: f64 = 10.0;
pub const MAX_COVERAGE_PCT: f64 = 50.0;
pub const MIN_WEEKLY_SALES_USD: f64 = 5.0;

/// The most frequent class among the stores; ties go to the best class (A before B …).
pub fn predominant_class(classes: &[Option<AbcClass>]) -> Option<AbcClass> {
    let mut counts = [0usize; 4];
    for c in classes.iter().flatten() {
        counts[*c as usize] += 1;
    }
    let best = counts.iter().copied().max().filter(|n| *n > 0)?;
    AbcClass::ALL.into_iter().find(|c| counts[*c as usize] == best)
}

/// A CEDI's product is an opportunity when it holds at least `MIN_CEDI_STOCK` units and at
/// least one store of the region has `LOW_STORE_STOCK` or less (a store without a row has 0).
pub fn is_cedi_opportunity(cedi_stock: f64, store_stocks: &[Option<f64>]) -> bool {
    cedi_stock >= MIN_CEDI_STOCK && store_stocks.iter().any(|s| s.unwrap_or(0.0) <= LOW_STORE_STOCK)
}

/// A product's place in a region for the catalogue expansion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expansion {
    pub tiendas_con_venta: usize,
    pub tiendas_region: usize,
    pub cobertura_pct: f64,
    /// Mean 30-day sales of the stores that sell it, per week (USD).
    pub venta_semanal_por_tienda: f64,
    /// What the stores without it would sell at that pace, per week (USD).
    pub venta_potencial: f64,
}

/// `sales_30d`: each active store of the region's 30-day sales of the product (USD), 0 for
/// those that did not sell it. `None` when the product is not an expansion candidate.
pub fn expansion(sales_30d: &[f64]) -> Option<Expansion> {
    let stores = sales_30d.len();
    let present: Vec<f64> = sales_30d.iter().copied().filter(|v| *v > 0.0).collect();
    if stores == 0 || present.is_empty() {
        return None;
    }
    let cobertura = present.len() as f64 / stores as f64 * 100.0;
    let weekly = present.iter().sum::<f64>() / present.len() as f64 / 30.0 * 7.0;
    let keep = (MIN_COVERAGE_PCT..=MAX_COVERAGE_PCT).contains(&cobertura) && weekly >= MIN_WEEKLY_SALES_USD;
    keep.then(|| Expansion {
        tiendas_con_venta: present.len(),
        tiendas_region: stores,
        cobertura_pct: cobertura,
        venta_semanal_por_tienda: weekly,
        venta_potencial: weekly * (stores - present.len()) as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_e16_expansion_and_cedi_opportunity() {
        // 10 active stores; sold in 3 with 300, 450 and 150 USD in 30 days.
        let mut sales = vec![300.0, 450.0, 150.0];
        sales.extend([0.0; 7]);
        let e = expansion(&sales).unwrap();
        assert_eq!((e.tiendas_con_venta, e.cobertura_pct), (3, 30.0));
        assert!((e.venta_semanal_por_tienda - 70.0).abs() < 1e-9);
        assert!((e.venta_potencial - 490.0).abs() < 1e-9);
        // Everywhere, or nowhere near 5 USD a week: not a candidate.
        assert_eq!(expansion(&[300.0; 10]), None);
        assert_eq!(expansion(&[10.0, 0.0, 0.0, 0.0]), None, "25 % coverage but 2.3 USD a week");

        // CEDI 240 units; S1 has 3 (≤ 5), S2 40, S3 no row (→ 0): an opportunity.
        assert!(is_cedi_opportunity(240.0, &[Some(3.0), Some(40.0), None]));
        assert!(!is_cedi_opportunity(240.0, &[Some(6.0), Some(40.0)]));
        assert!(!is_cedi_opportunity(9.0, &[None]), "too little in the CEDI");
    }

    #[test]
    fn the_predominant_class_is_the_mode_with_ties_to_the_best() {
        use AbcClass::*;
        assert_eq!(predominant_class(&[Some(B), Some(C), Some(C)]), Some(C));
        assert_eq!(predominant_class(&[Some(B), Some(A), None]), Some(A), "tie → best class");
        assert_eq!(predominant_class(&[None, None]), None);
    }
}
