//! The Inventarios landing's figures per location and per region (spec 50 §7.2, 40 §7.1):
//! counts of products by stock sign, fill rate, mean coverage days of classes A, B and C,
//! and products about to run out. The P75 is the one of the stock table (the
//! replenishment's daily P75), never the original's "1.2 × mean quantity per line".

use serde::Serialize;

use super::replenishment::AbcClass;
use super::sales::round_half_away;

/// One product of a location (its almacenes summed, or one almacén's row).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductStock {
    pub stock: f64,
    pub p75: f64,
    pub class: Option<AbcClass>,
}

/// Coverage sums of one class: Σ days and how many products, over coverages in [0, 365].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Mean {
    sum: f64,
    n: usize,
}

impl Mean {
    fn value(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    pub total_skus: usize,
    pub skus_con_stock: usize,
    pub stock_cero: usize,
    pub stock_negativo: usize,
    /// Products with stock > 0, P75 > 0, less than a day of coverage, class A, B or C.
    pub riesgo_quiebre: usize,
    /// `100 · con stock / (P75 > 0 or stock > 0)`, one decimal; 0 without such products.
    pub fill_rate: f64,
    /// Mean coverage days of the class's products whose coverage is in [0, 365], one
    /// decimal; `None` when no product of the class has one.
    pub cobertura_a: Option<f64>,
    pub cobertura_b: Option<f64>,
    pub cobertura_c: Option<f64>,
    /// The fill rate's denominator (to sum a region's as Σ numerators / Σ denominators).
    #[serde(skip)]
    pub activos: usize,
}

/// A location's (or almacén's) figures from its products.
pub fn location_health(products: &[ProductStock]) -> Health {
    let mut h = Health { total_skus: products.len(), ..Health::default() };
    let mut means = [Mean::default(); 3];
    for p in products {
        match p.stock {
            s if s > 0.0 => h.skus_con_stock += 1,
            s if s < 0.0 => h.stock_negativo += 1,
            _ => h.stock_cero += 1,
        }
        if p.p75 > 0.0 || p.stock > 0.0 {
            h.activos += 1;
        }
        let slot = match p.class {
            Some(AbcClass::A) => Some(0),
            Some(AbcClass::B) => Some(1),
            Some(AbcClass::C) => Some(2),
            _ => None,
        };
        if p.p75 > 0.0 {
            let days = p.stock / p.p75;
            if let Some(i) = slot {
                if (0.0..=365.0).contains(&days) {
                    means[i].sum += days;
                    means[i].n += 1;
                }
                if p.stock > 0.0 && days < 1.0 {
                    h.riesgo_quiebre += 1;
                }
            }
        }
    }
    h.fill_rate = fill_rate(h.skus_con_stock, h.activos);
    [h.cobertura_a, h.cobertura_b, h.cobertura_c] = means.map(|m| m.value().map(|v| round_half_away(v, 1)));
    h
}

fn fill_rate(in_stock: usize, active: usize) -> f64 {
    if active == 0 {
        0.0
    } else {
        round_half_away(100.0 * in_stock as f64 / active as f64, 1)
    }
}

/// A region's figures from its locations': counts summed, the fill rate as Σ numerators /
/// Σ denominators (the original divided by Σ products, a different formula from the
/// locations'), each class's coverage as the plain mean of the locations that have one.
pub fn region_health(locations: &[&Health]) -> Health {
    let mut h = Health::default();
    let mut means = [Mean::default(); 3];
    for l in locations {
        h.total_skus += l.total_skus;
        h.skus_con_stock += l.skus_con_stock;
        h.stock_cero += l.stock_cero;
        h.stock_negativo += l.stock_negativo;
        h.riesgo_quiebre += l.riesgo_quiebre;
        h.activos += l.activos;
        for (m, v) in means.iter_mut().zip([l.cobertura_a, l.cobertura_b, l.cobertura_c]) {
            if let Some(v) = v {
                m.sum += v;
                m.n += 1;
            }
        }
    }
    h.fill_rate = fill_rate(h.skus_con_stock, h.activos);
    [h.cobertura_a, h.cobertura_b, h.cobertura_c] = means.map(|m| m.value().map(|v| round_half_away(v, 1)));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(stock: f64, p75: f64, class: AbcClass) -> ProductStock {
        ProductStock { stock, p75, class: Some(class) }
    }

    /// Spec 50 §7.2's worked example.
    #[test]
    fn the_worked_example_per_location_and_for_the_region() {
        use AbcClass::*;
        let t1 = location_health(&[p(10.0, 2.0, A), p(0.0, 1.0, B), p(-2.0, 0.0, C), p(5.0, 0.0, C)]);
        assert_eq!((t1.total_skus, t1.skus_con_stock, t1.stock_cero, t1.stock_negativo), (4, 2, 1, 1));
        assert_eq!(t1.fill_rate, 66.7, "c is not active: stock −2 and P75 0");
        assert_eq!((t1.cobertura_a, t1.cobertura_b, t1.cobertura_c), (Some(5.0), Some(0.0), None));
        assert_eq!(t1.riesgo_quiebre, 0);
        let t2 = location_health(&[p(3.0, 1.0, A), p(0.0, 0.0, B)]);
        assert_eq!((t2.total_skus, t2.skus_con_stock, t2.stock_cero), (2, 1, 1));
        assert_eq!(t2.fill_rate, 100.0);
        assert_eq!(t2.cobertura_a, Some(3.0));
        let r = region_health(&[&t1, &t2]);
        assert_eq!((r.cobertura_a, r.cobertura_b, r.cobertura_c), (Some(4.0), Some(0.0), None));
        assert_eq!(r.fill_rate, 75.0, "Σ numerators / Σ denominators (the original: 50.0)");
    }

    #[test]
    fn risk_counts_stocked_products_with_under_a_day_of_cover_in_classes_a_to_c() {
        use AbcClass::*;
        let h = location_health(&[
            p(0.5, 1.0, A),
            p(2.0, 3.0, C),
            p(0.5, 1.0, D),
            ProductStock { stock: 0.5, p75: 1.0, class: None },
            p(0.0, 1.0, B),
            p(1.0, 1.0, B),
        ]);
        assert_eq!(h.riesgo_quiebre, 2, "A and C under a day; D, no class, empty and one full day are not");
        assert_eq!(location_health(&[]).fill_rate, 0.0);
        // Coverage beyond a year is left out of the mean.
        assert_eq!(location_health(&[p(400.0, 1.0, A), p(10.0, 1.0, A)]).cobertura_a, Some(10.0));
    }
}
