//! The product catalogue: descriptions from the word lists, prices and costs, pack sizes,
//! popularity (heavy-tailed), traffic generators, new and inactive products.

use rand::seq::SliceRandom;
use rand::RngExt;

use super::catalog_data::{Category, Family, Item, Sale, CATEGORIES};
use super::demand::{lognormal, round_to, Rng};

/// Code of the carrier bag (excluded from ABC by default elsewhere).
pub(super) const BAG_CODE: &str = "003760";

/// Popularity of the product at rank r (1-based) is 1 / (r + ZIPF_OFFSET): a few hundred
/// fast movers and a long tail of products selling less than once a day per store.
const ZIPF_OFFSET: f64 = 10.0;

pub(super) struct Product {
    pub codigo: String,
    pub descripcion: String,
    pub barcode: Option<String>,
    pub categoria: &'static str,
    pub grupo: &'static str,
    pub subgrupo: &'static str,
    pub marca: &'static str,
    pub cuadrante: &'static str,
    pub family: Family,
    pub pack: i32,
    pub weighed: bool,
    /// kg per selling unit (1 for weighed goods).
    pub peso: f64,
    pub price: f64,
    pub cost: f64,
    /// Price during a promotion week (still above cost).
    pub promo_price: f64,
    pub active: bool,
    pub traffic: bool,
    pub bag: bool,
    /// Day index of the launch, for products new in the period.
    pub launch: Option<usize>,
    /// Relative probability of being the product of a basket line.
    pub popularity: f64,
    /// Mean units (or kg) of one line.
    pub qty_mean: f64,
    /// Demand multiplier on Friday–Sunday.
    pub weekend: f64,
}

impl Product {
    /// First day index on which the product is listed and sold.
    pub fn first_day(&self) -> usize {
        self.launch.unwrap_or(0)
    }

    /// Listed in stock listings at all (inactive products never are).
    pub fn listed(&self) -> bool {
        self.active
    }

    /// One selling unit in thousandths (stock is kept in integer thousandths of a unit/kg).
    pub fn pack_milli(&self) -> i64 {
        i64::from(self.pack) * 1000
    }
}

/// One (item variant, brand, size) of a category.
#[derive(Clone, Copy)]
struct Combo {
    item: usize,
    name: usize,
    brand: usize,
    size: usize,
}

/// Builds `n` products (bag included), sorted by code. `days` bounds the launch dates.
pub(super) fn generate(n: usize, days: usize, rng: &mut Rng) -> Vec<Product> {
    let quotas = quotas(n.saturating_sub(1));
    let mut products = Vec::with_capacity(n);
    for (cat, &quota) in CATEGORIES.iter().zip(&quotas) {
        let brand_factor: Vec<f64> = cat.brands.iter().map(|_| rng.random_range(0.85..1.3)).collect();
        for (combo, anchor) in pick_combos(cat, quota, rng) {
            products.push(product(cat, combo, anchor, brand_factor[combo.brand], rng));
        }
    }
    products.push(bag());
    products.shuffle(rng);
    assign_codes(&mut products, rng);
    assign_popularity(&mut products, rng);
    assign_lifecycle(&mut products, days, rng);
    products.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    products
}

/// Products per category: proportional to `share`, capped by the number of distinct
/// combinations; what a capped category cannot take goes to the others.
fn quotas(n: usize) -> Vec<usize> {
    let caps: Vec<usize> = CATEGORIES.iter().map(capacity).collect();
    let mut quota = vec![0usize; CATEGORIES.len()];
    let mut open: Vec<bool> = caps.iter().map(|&c| c > 0).collect();
    loop {
        let left = n - quota.iter().sum::<usize>();
        let share: f64 = CATEGORIES.iter().zip(&open).filter(|(_, &o)| o).map(|(c, _)| c.share).sum();
        if left == 0 || share == 0.0 {
            break;
        }
        let mut given = 0;
        for (i, c) in CATEGORIES.iter().enumerate() {
            if !open[i] {
                continue;
            }
            let want = ((left as f64) * c.share / share).floor() as usize;
            let take = want.min(caps[i] - quota[i]);
            quota[i] += take;
            given += take;
            if quota[i] == caps[i] {
                open[i] = false;
            }
        }
        if given == 0 {
            // Rounding leftovers: one each to the open categories in order.
            for i in (0..CATEGORIES.len()).filter(|&i| open[i]).take(left) {
                quota[i] += 1;
            }
        }
    }
    quota
}

fn capacity(cat: &Category) -> usize {
    cat.items.iter().map(|it| it.names.len() * it.sizes.len().max(1)).sum::<usize>() * cat.brands.len()
}

/// The staple anchors first (first variant of each staple item, first size, one brand:
/// the traffic generators), then a random sample of every other combination.
fn pick_combos(cat: &Category, quota: usize, rng: &mut Rng) -> Vec<(Combo, bool)> {
    let mut anchors = Vec::new();
    let mut rest = Vec::new();
    for (i, it) in cat.items.iter().enumerate() {
        let anchor_brand = if it.staple { Some(rng.random_range(0..cat.brands.len())) } else { None };
        for name in 0..it.names.len() {
            for brand in 0..cat.brands.len() {
                for size in 0..it.sizes.len().max(1) {
                    let c = Combo { item: i, name, brand, size };
                    if anchor_brand == Some(brand) && name == 0 && size == 0 {
                        anchors.push(c);
                    } else {
                        rest.push(c);
                    }
                }
            }
        }
    }
    rest.shuffle(rng);
    anchors.into_iter().map(|c| (c, true)).chain(rest.into_iter().map(|c| (c, false))).take(quota).collect()
}

fn product(cat: &'static Category, c: Combo, traffic: bool, brand_factor: f64, rng: &mut Rng) -> Product {
    let item: &'static Item = &cat.items[c.item];
    let name = item.names[c.name];
    let brand = cat.brands[c.brand];
    let noise = rng.random_range(0.93..1.08);
    let (descripcion, peso, list_price, qty_mean, weighed) = match item.sale {
        Sale::Units { extra } => {
            let size = &item.sizes[c.size];
            (format!("{name} {brand} {}", size.label), size.kg, size.price, 1.0 + extra, false)
        }
        Sale::Weighed { kg, price_kg } => (format!("{name} {brand} KG"), 1.0, price_kg, kg, true),
    };
    // Shelf prices end in 9 cents steps of 0.05 (1.14, 2.29 …).
    let price = ((list_price * brand_factor * noise / 0.05).round() * 0.05 - 0.01).max(0.19);
    let price = round_to(price, 2);
    let cost = round_to(price * rng.random_range(0.60..0.85), 4);
    let promo_price = round_to((price * 0.88).max(cost * 1.04), 2);
    let barcode = (!weighed).then(|| ean13(rng));
    Product {
        codigo: String::new(),
        descripcion,
        barcode,
        categoria: cat.name,
        grupo: item.grupo,
        subgrupo: item.subgrupo,
        marca: brand,
        cuadrante: cat.cuadrante,
        family: cat.family,
        pack: item.packs[rng.random_range(0..item.packs.len())],
        weighed,
        peso,
        price,
        cost,
        promo_price,
        active: true,
        traffic,
        bag: false,
        launch: None,
        popularity: cat.boost, // the category boost until `assign_popularity` ranks it
        qty_mean,
        weekend: cat.weekend,
    }
}

fn bag() -> Product {
    Product {
        codigo: BAG_CODE.to_string(),
        descripcion: "BOLSA PLASTICA".to_string(),
        barcode: None,
        categoria: "VARIOS",
        grupo: "EMPAQUES",
        subgrupo: "BOLSAS",
        marca: "GENERICA",
        cuadrante: "CUADRANTE I",
        family: Family::Seco,
        pack: 500,
        weighed: false,
        peso: 0.005,
        price: 0.05,
        cost: 0.02,
        promo_price: 0.05,
        active: true,
        traffic: false,
        bag: true,
        launch: None,
        popularity: 0.0,
        qty_mean: 1.5,
        weekend: 1.0,
    }
}

/// EAN-13 with the Venezuelan GS1 prefix 759 and a valid check digit.
fn ean13(rng: &mut Rng) -> String {
    let mut digits = vec![7u32, 5, 9];
    digits.extend((0..9).map(|_| rng.random_range(0..10u32)));
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 }).sum();
    digits.push((10 - sum % 10) % 10);
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

/// Six-digit codes in creation order with small gaps; the bag keeps its fixed code.
fn assign_codes(products: &mut [Product], rng: &mut Rng) {
    let mut next = 100u32;
    for p in products.iter_mut().filter(|p| !p.bag) {
        next += rng.random_range(1..=3);
        if format!("{next:06}") == BAG_CODE {
            next += 1;
        }
        p.codigo = format!("{next:06}");
    }
}

/// Ranks: traffic generators first, then every other product by a category-boosted
/// random score; popularity = 1 / (rank + offset).
fn assign_popularity(products: &mut [Product], rng: &mut Rng) {
    let mut order: Vec<(bool, f64, usize)> =
        products.iter().enumerate().filter(|(_, p)| !p.bag).map(|(i, p)| (p.traffic, p.popularity * lognormal(rng, 0.0, 1.0), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    for (rank, (_, _, i)) in order.into_iter().enumerate() {
        products[i].popularity = 1.0 / (rank as f64 + 1.0 + ZIPF_OFFSET);
    }
}

/// About 3 % of the products launch inside the period; about 2.5 % are inactive
/// (discontinued before it). Traffic generators and the bag are neither.
fn assign_lifecycle(products: &mut [Product], days: usize, rng: &mut Rng) {
    let first = days / 5;
    let last = (days * 85 / 100).max(first + 1);
    for p in products.iter_mut().filter(|p| !p.traffic && !p.bag) {
        let r: f64 = rng.random();
        if r < 0.03 {
            p.launch = Some(rng.random_range(first..last));
        } else if r < 0.055 {
            p.active = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::sources::synthetic::demand::stream;

    #[test]
    fn client_catalogue_is_large_unique_and_varied() {
        let products = generate(10_500, 180, &mut stream(42, 1));
        assert_eq!(products.len(), 10_500);
        assert!(products.iter().filter(|p| p.active).count() >= 10_000);
        let descriptions: HashSet<&str> = products.iter().map(|p| p.descripcion.as_str()).collect();
        assert_eq!(descriptions.len(), products.len(), "descriptions are unique");
        let codes: HashSet<&str> = products.iter().map(|p| p.codigo.as_str()).collect();
        assert_eq!(codes.len(), products.len(), "codes are unique");
        assert!(products.windows(2).all(|w| w[0].codigo < w[1].codigo));
        let categories: HashSet<&str> = products.iter().map(|p| p.categoria).collect();
        assert_eq!(categories.len(), CATEGORIES.len() + 1, "every category and the bag");
        let traffic = products.iter().filter(|p| p.traffic).count();
        assert!((10..=20).contains(&traffic), "{traffic}");
        assert!(products.iter().all(|p| p.price > p.cost && p.promo_price > p.cost && p.cost > 0.0));
        let weighed = products.iter().filter(|p| p.weighed).count();
        assert!(weighed > 300 && weighed < 1500, "{weighed}");
    }
}
