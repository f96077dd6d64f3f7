//! Rules of the *Análisis ABC consolidado* and of the product comparison between stores
//! (spec 40 §3.5, §3.9): the class a product-store pair counts in (missing or unknown → D),
//! each class's figures and shares, the spread of a product's sales between stores and
//! whether a product is unique to one store, common to all or partial. Pure arithmetic;
//! computed in full precision, rounded for output only (§1.7).

use std::collections::HashSet;

use serde::Serialize;

use super::bi_stores::{margin_pct, share_pct};
use super::sales::round_half_away;

/// An ABC class as the analysis shows it: a product-store pair without an active class
/// (never classified, or sold only after the last calculation) counts as D (§3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum AbcClass {
    A,
    B,
    C,
    D,
}

impl AbcClass {
    pub const ALL: [AbcClass; 4] = [AbcClass::A, AbcClass::B, AbcClass::C, AbcClass::D];

    /// The class of a stored value: A, B or C (any case, trimmed); anything else is D.
    pub fn of(stored: Option<&str>) -> AbcClass {
        match stored.map(|s| s.trim().to_ascii_uppercase()).as_deref() {
            Some("A") => AbcClass::A,
            Some("B") => AbcClass::B,
            Some("C") => AbcClass::C,
            _ => AbcClass::D,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One product at one store over the window, with its class there.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSales<'a> {
    pub producto: &'a str,
    pub clase: AbcClass,
    pub ventas: f64,
    pub costo: f64,
    pub unidades: f64,
}

/// One class's figures, rounded for output.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ClassFigures {
    pub clase: AbcClass,
    /// Distinct products holding this class in at least one store of the scope.
    pub productos: usize,
    pub ventas: f64,
    pub utilidad: f64,
    pub unidades: f64,
    /// Distinct tickets (store, invoice) with at least one line of the class.
    pub tickets: i64,
    /// `productos` over the scope's distinct products; at network scope a product may hold
    /// different classes in different stores, so the four can add up to more than 100.
    pub pct_productos: f64,
    pub pct_ventas: f64,
    pub margen_pct: f64,
    pub ventas_por_producto: f64,
    pub unidades_por_producto: f64,
}

/// The scope's totals, rounded for output.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScopeTotals {
    pub productos: usize,
    pub ventas: f64,
    pub utilidad: f64,
    pub unidades: f64,
    /// Distinct tickets of the scope (a ticket with lines of several classes counts once).
    pub tickets: i64,
    pub margen_pct: f64,
}

/// `total / count`, 0 without any.
pub fn per_item(total: f64, count: usize) -> f64 {
    if count > 0 {
        total / count as f64
    } else {
        0.0
    }
}

/// The four classes (A to D, always all four) and the scope's totals from its product-store
/// pairs, the distinct tickets of each class and of the whole scope.
pub fn class_summary(pairs: &[PairSales<'_>], tickets: [i64; 4], tickets_total: i64) -> (Vec<ClassFigures>, ScopeTotals) {
    let mut products: [HashSet<&str>; 4] = Default::default();
    let mut all: HashSet<&str> = HashSet::new();
    let mut sums = [(0.0f64, 0.0f64, 0.0f64); 4];
    for p in pairs {
        let i = p.clase.index();
        products[i].insert(p.producto);
        all.insert(p.producto);
        sums[i].0 += p.ventas;
        sums[i].1 += p.costo;
        sums[i].2 += p.unidades;
    }
    let ventas: f64 = sums.iter().map(|s| s.0).sum();
    let costo: f64 = sums.iter().map(|s| s.1).sum();
    let unidades: f64 = sums.iter().map(|s| s.2).sum();
    let r2 = |v: f64| round_half_away(v, 2);
    let clases = AbcClass::ALL
        .iter()
        .map(|c| {
            let i = c.index();
            let (v, k, u) = sums[i];
            let n = products[i].len();
            ClassFigures {
                clase: *c,
                productos: n,
                ventas: r2(v),
                utilidad: r2(v - k),
                unidades: r2(u),
                tickets: tickets[i],
                pct_productos: share_pct(n as f64, all.len() as f64),
                pct_ventas: share_pct(v, ventas),
                margen_pct: r2(margin_pct(v, k)),
                ventas_por_producto: r2(per_item(v, n)),
                unidades_por_producto: r2(per_item(u, n)),
            }
        })
        .collect();
    let totals = ScopeTotals {
        productos: all.len(),
        ventas: r2(ventas),
        utilidad: r2(ventas - costo),
        unidades: r2(unidades),
        tickets: tickets_total,
        margen_pct: r2(margin_pct(ventas, costo)),
    };
    (clases, totals)
}

/// The spread of a product's sales between stores: `(max − min) / min × 100`, 0 when the
/// lowest is 0 (§3.9). Unrounded.
pub fn difference_pct(max: f64, min: f64) -> f64 {
    if min != 0.0 {
        (max - min) / min * 100.0
    } else {
        0.0
    }
}

/// Where a product sells among the stores compared (§3.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Sold in exactly one of them.
    Unico,
    /// Sold in all of them.
    Comun,
    /// Sold in more than one but not all.
    Parcial,
}

/// The presence of a product sold (ventas_30d > 0) in `sold_in` of `compared` stores; None
/// when it sold in none. With two stores there is no partial product.
pub fn presence(sold_in: usize, compared: usize) -> Option<Presence> {
    match sold_in {
        0 => None,
        1 => Some(Presence::Unico),
        n if n >= compared => Some(Presence::Comun),
        _ => Some(Presence::Parcial),
    }
}

/// The mean of the sales of the stores where the product sold (ventas > 0); 0 without any.
pub fn mean_where_sold(ventas: &[f64]) -> f64 {
    let sold: Vec<f64> = ventas.iter().copied().filter(|v| *v > 0.0).collect();
    per_item(sold.iter().sum(), sold.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(producto: &str, clase: AbcClass, ventas: f64, costo: f64, unidades: f64) -> PairSales<'_> {
        PairSales { producto, clase, ventas, costo, unidades }
    }

    #[test]
    fn a_missing_or_unknown_class_is_d() {
        assert_eq!(AbcClass::of(Some("A")), AbcClass::A);
        assert_eq!(AbcClass::of(Some(" b ")), AbcClass::B);
        assert_eq!(AbcClass::of(Some("C")), AbcClass::C);
        assert_eq!(AbcClass::of(Some("D")), AbcClass::D);
        assert_eq!(AbcClass::of(Some("X")), AbcClass::D);
        assert_eq!(AbcClass::of(Some("")), AbcClass::D);
        assert_eq!(AbcClass::of(None), AbcClass::D);
    }

    #[test]
    fn network_scope_a_product_in_two_classes_counts_in_both_so_shares_of_products_pass_100() {
        // P1 is A in store 1 and B in store 2; P2 is B in store 1; P3 has no class (D).
        let pairs = [
            pair("P1", AbcClass::A, 600.0, 450.0, 60.0),
            pair("P1", AbcClass::B, 200.0, 150.0, 20.0),
            pair("P2", AbcClass::B, 150.0, 120.0, 30.0),
            pair("P3", AbcClass::D, 50.0, 30.0, 5.0),
        ];
        let (clases, totals) = class_summary(&pairs, [40, 35, 0, 4], 70);
        assert_eq!(totals.productos, 3);
        assert_eq!((totals.ventas, totals.utilidad, totals.unidades, totals.tickets), (1000.0, 250.0, 115.0, 70));
        assert_eq!(totals.margen_pct, 25.0);
        let a = &clases[0];
        assert_eq!((a.clase, a.productos, a.ventas, a.utilidad, a.tickets), (AbcClass::A, 1, 600.0, 150.0, 40));
        assert_eq!((a.pct_productos, a.pct_ventas, a.margen_pct), (33.33, 60.0, 25.0));
        assert_eq!((a.ventas_por_producto, a.unidades_por_producto), (600.0, 60.0));
        let b = &clases[1];
        // B: P1 (store 2) and P2: 350 of sales, 80 of profit, 50 units over 2 products.
        assert_eq!((b.productos, b.ventas, b.utilidad, b.unidades), (2, 350.0, 80.0, 50.0));
        assert_eq!((b.pct_productos, b.pct_ventas, b.margen_pct), (66.67, 35.0, 22.86));
        assert_eq!((b.ventas_por_producto, b.unidades_por_producto), (175.0, 25.0));
        let c = &clases[2];
        assert_eq!((c.productos, c.ventas, c.pct_ventas, c.margen_pct, c.ventas_por_producto), (0, 0.0, 0.0, 0.0, 0.0));
        let d = &clases[3];
        assert_eq!((d.productos, d.pct_productos, d.pct_ventas, d.margen_pct), (1, 33.33, 5.0, 40.0));
        let pct: f64 = clases.iter().map(|c| c.pct_productos).sum();
        assert!(pct > 100.0, "P1 counts in A and in B: {pct}");
        let ventas: f64 = clases.iter().map(|c| c.pct_ventas).sum();
        assert_eq!(ventas, 100.0, "sales are never counted twice");
    }

    #[test]
    fn an_empty_scope_has_four_empty_classes() {
        let (clases, totals) = class_summary(&[], [0; 4], 0);
        assert_eq!(clases.iter().map(|c| c.clase).collect::<Vec<_>>(), AbcClass::ALL.to_vec());
        assert!(clases.iter().all(|c| c.productos == 0 && c.pct_productos == 0.0 && c.pct_ventas == 0.0));
        assert_eq!((totals.productos, totals.ventas, totals.margen_pct), (0, 0.0, 0.0));
    }

    #[test]
    fn the_spread_between_stores_is_relative_to_the_lowest() {
        assert_eq!(difference_pct(300.0, 200.0), 50.0);
        assert_eq!(difference_pct(200.0, 200.0), 0.0);
        assert_eq!(difference_pct(150.0, 0.0), 0.0, "0 when the lowest is 0");
        assert_eq!(round_half_away(difference_pct(100.0, 30.0), 2), 233.33);
    }

    #[test]
    fn unique_common_and_partial_products() {
        assert_eq!(presence(0, 3), None);
        assert_eq!(presence(1, 3), Some(Presence::Unico));
        assert_eq!(presence(2, 3), Some(Presence::Parcial));
        assert_eq!(presence(3, 3), Some(Presence::Comun));
        assert_eq!(presence(1, 2), Some(Presence::Unico));
        assert_eq!(presence(2, 2), Some(Presence::Comun), "two stores: no partial products");
        assert_eq!(presence(4, 5), Some(Presence::Parcial));
        // Mean over the stores where it sold: 120 and 60 of three stores → 90.
        assert_eq!(mean_where_sold(&[120.0, 0.0, 60.0]), 90.0);
        assert_eq!(mean_where_sold(&[0.0, 0.0]), 0.0);
    }
}
