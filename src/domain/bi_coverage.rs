//! *Cobertura y distribución* (spec 40 §2, §3.7): how many stores of a region hold a product
//! in depth, stock a CEDI keeps while the region's stores run dry, and the stores that do not
//! carry what sells in their neighbours. Plain values in, plain values out.

use serde::Serialize;

use super::replenishment::AbcClass;

/// A store "covers" a product with more than this many units (§2 *Cobertura de tiendas*).
pub const COVERED_UNITS: f64 = 20.0;
/// Default region store stock below which a CEDI's stock is trapped (§3.7, configurable).
pub const TRAPPED_STORE_UNITS: f64 = 20.0;
/// The conservative factor of a store gap's opportunity (§3.7, §9).
pub const OPPORTUNITY_FACTOR: f64 = 0.5;
/// `dias_stock` of a CEDI product the region did not sell in 30 days.
pub const NO_SALES_DAYS: f64 = 999.0;

/// `part / of × 100`, unrounded; 0 when there is nothing to divide by.
fn pct(part: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        part as f64 / of as f64 * 100.0
    }
}

/// A product's coverage in a region from the stock of each of its active stores (units; a
/// store without a row is 0). The CEDIs are never among them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub tiendas_region: usize,
    /// Stores with more than 20 units.
    pub tiendas_cubiertas: usize,
    /// Stores with any stock (> 0).
    pub tiendas_con_stock: usize,
    /// Stores with 0 < stock ≤ 20 (*stock bajo*).
    pub tiendas_stock_bajo: usize,
    /// `tiendas_cubiertas / tiendas_region × 100` (unrounded; never above 100).
    pub cobertura_pct: f64,
    /// `tiendas_con_stock / tiendas_region × 100`.
    pub cobertura_parcial_pct: f64,
}

pub fn coverage(store_stocks: &[f64]) -> Coverage {
    let n = store_stocks.len();
    let covered = store_stocks.iter().filter(|q| **q > COVERED_UNITS).count();
    let stocked = store_stocks.iter().filter(|q| **q > 0.0).count();
    Coverage {
        tiendas_region: n,
        tiendas_cubiertas: covered,
        tiendas_con_stock: stocked,
        tiendas_stock_bajo: stocked - covered,
        cobertura_pct: pct(covered, n),
        cobertura_parcial_pct: pct(stocked, n),
    }
}

/// Coverage band of the summary: alta > 80 %, media 50–80 %, baja < 50 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Alta,
    Media,
    Baja,
}

pub fn level(cobertura_pct: f64) -> Level {
    if cobertura_pct > 80.0 {
        Level::Alta
    } else if cobertura_pct >= 50.0 {
        Level::Media
    } else {
        Level::Baja
    }
}

/// The *Baja cobertura* list takes 0 < coverage < 50 (products nowhere covered are gaps, not
/// low coverage).
pub fn is_low_coverage(cobertura_pct: f64) -> bool {
    cobertura_pct > 0.0 && cobertura_pct < 50.0
}

/// A CEDI's product is trapped when the CEDI holds some and its region's stores together hold
/// less than `umbral` units.
pub fn is_trapped(cedi_units: f64, region_store_units: f64, umbral: f64) -> bool {
    cedi_units > 0.0 && region_store_units < umbral
}

/// Days the CEDI's units last at the region's pace: `cedi / (units sold in 30 days / 30)`;
/// 999 without sales. Units over units per day (the original multiplied units by money).
pub fn stock_days(cedi_units: f64, region_units_30d: f64) -> f64 {
    if region_units_30d > 0.0 {
        cedi_units / (region_units_30d / 30.0)
    } else {
        NO_SALES_DAYS
    }
}

/// Traffic light of `dias_stock`: < 30 green, 30–90 amber, > 90 red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Verde,
    Ambar,
    Rojo,
}

pub fn light(dias_stock: f64) -> Light {
    if dias_stock < 30.0 {
        Light::Verde
    } else if dias_stock <= 90.0 {
        Light::Ambar
    } else {
        Light::Rojo
    }
}

/// A margin as a fraction: a value above 1 is a percentage (÷ 100).
pub fn margin_fraction(margen: f64) -> f64 {
    if margen > 1.0 {
        margen / 100.0
    } else {
        margen
    }
}

/// A store gap's estimated monthly opportunity: `venta_otras × 0.5 × margen`. A product sold
/// at a loss where it sells is no opportunity (0, never negative).
pub fn gap_opportunity(venta_otras: f64, margen: f64) -> f64 {
    (venta_otras * OPPORTUNITY_FACTOR * margin_fraction(margen)).max(0.0)
}

/// A store has a gap for a product when it neither holds nor sold it in 30 days while at
/// least one other store of its region sold it.
pub fn is_gap(store_stock: f64, store_units_30d: f64, store_sales_30d: f64, other_stores_selling: usize) -> bool {
    store_stock <= 0.0 && store_units_30d <= 0.0 && store_sales_30d <= 0.0 && other_stores_selling >= 1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Priority {
    Alta,
    Media,
    Baja,
}

/// ALTA = class A with network GMROI at or above the family's cut; MEDIA = class B, or A
/// below the cut; BAJA otherwise (C, D or no class).
pub fn priority(clase_predominante: Option<AbcClass>, gmroi_red: f64, corte_gmroi: f64) -> Priority {
    match clase_predominante {
        Some(AbcClass::A) if gmroi_red >= corte_gmroi => Priority::Alta,
        Some(AbcClass::A) | Some(AbcClass::B) => Priority::Media,
        _ => Priority::Baja,
    }
}

/// *Catálogo por tienda*: the mean active SKUs of the region's stores minus the store's.
pub fn gap_skus(store_active: usize, region_active: &[usize]) -> f64 {
    if region_active.is_empty() {
        return 0.0;
    }
    region_active.iter().sum::<usize>() as f64 / region_active.len() as f64 - store_active as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_stores_above_twenty_units_of_the_region() {
        // 4 stores: 25 (covered), 20 (stock bajo: not above 20), 3 (stock bajo), none.
        let c = coverage(&[25.0, 20.0, 3.0, 0.0]);
        assert_eq!((c.tiendas_cubiertas, c.tiendas_con_stock, c.tiendas_stock_bajo), (1, 3, 2));
        assert_eq!((c.cobertura_pct, c.cobertura_parcial_pct), (25.0, 75.0));
        assert_eq!(coverage(&[21.0, 500.0]).cobertura_pct, 100.0, "never above 100");
        assert_eq!(coverage(&[]).cobertura_pct, 0.0);
        assert_eq!(coverage(&[-4.0]).tiendas_con_stock, 0, "negative stock is no stock");
    }

    #[test]
    fn bands_of_the_summary_and_the_low_list() {
        assert_eq!(level(80.01), Level::Alta);
        assert_eq!(level(80.0), Level::Media);
        assert_eq!(level(50.0), Level::Media);
        assert_eq!(level(49.99), Level::Baja);
        assert_eq!(level(0.0), Level::Baja);
        assert!(is_low_coverage(25.0) && !is_low_coverage(0.0) && !is_low_coverage(50.0));
    }

    #[test]
    fn worked_example_e17_trapped_stock() {
        // CEDI 500 units; region stores 12 (< 20) → trapped; 150 units in 30 days → 100 days → red.
        assert!(is_trapped(500.0, 12.0, TRAPPED_STORE_UNITS));
        assert!(!is_trapped(500.0, 20.0, TRAPPED_STORE_UNITS), "20 is not below 20");
        assert!(is_trapped(500.0, 30.0, 50.0), "the threshold is a parameter");
        assert!(!is_trapped(0.0, 0.0, TRAPPED_STORE_UNITS));
        let d = stock_days(500.0, 150.0);
        assert!((d - 100.0).abs() < 1e-9);
        assert_eq!(light(d), Light::Rojo);
        assert_eq!(stock_days(500.0, 0.0), 999.0);
        assert_eq!((light(29.9), light(30.0), light(90.0), light(90.1)), (Light::Verde, Light::Ambar, Light::Ambar, Light::Rojo));
    }

    #[test]
    fn store_gap_opportunity_and_priority() {
        // Sells 300 USD a month where it sells, margin 25 % (as fraction or percentage).
        assert!((gap_opportunity(300.0, 0.25) - 37.5).abs() < 1e-9);
        assert!((gap_opportunity(300.0, 25.0) - 37.5).abs() < 1e-9);
        assert_eq!(gap_opportunity(300.0, -0.1), 0.0);
        assert!(is_gap(0.0, 0.0, 0.0, 1));
        assert!(is_gap(-2.0, 0.0, 0.0, 2), "negative stock is no stock");
        assert!(!is_gap(0.0, 1.0, 3.0, 2), "it sold there");
        assert!(!is_gap(5.0, 0.0, 0.0, 2), "it holds stock");
        assert!(!is_gap(0.0, 0.0, 0.0, 0), "nobody else sells it");
        use AbcClass::*;
        assert_eq!(priority(Some(A), 2.0, 2.0), Priority::Alta, "at the cut");
        assert_eq!(priority(Some(A), 1.99, 2.0), Priority::Media);
        assert_eq!(priority(Some(B), 9.0, 2.0), Priority::Media);
        assert_eq!(priority(Some(C), 9.0, 2.0), Priority::Baja);
        assert_eq!(priority(None, 9.0, 2.0), Priority::Baja);
    }

    #[test]
    fn catalogue_gap_is_the_distance_to_the_regions_mean() {
        assert_eq!(gap_skus(80, &[80, 100, 120]), 20.0);
        assert_eq!(gap_skus(120, &[80, 100, 120]), -20.0);
        assert_eq!(gap_skus(5, &[]), 0.0);
    }
}
