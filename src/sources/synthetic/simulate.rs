//! Day-by-day simulation of one location into compact buffers.
//!
//! Stores: deliveries at 06:00, tickets in time order (a line is sold only while there is
//! stock, except for the few products whose POS sells past zero), cycle counts at 14:00,
//! shrink of perishables at 21:00, and a change-only stock snapshot every 30 minutes.
//! CEDIs: dispatches to the stores at 06:00 and weekly supplier receipts at 10:00.
//! Quantities are integer thousandths of a unit (grams for weighed goods), so stock
//! arithmetic is exact and "unchanged" means equal.

use chrono::Datelike;
use rand::RngExt;

use super::catalog::Product;
use super::catalog_data::Family;
use super::chain::{Chain, StorePlan, FIRST_SLOT_SECOND, SLOTS_PER_DAY, SLOT_SECONDS, STREAM_CEDI, STREAM_STORE};
use super::demand::{geometric, is_weekend, lognormal, normal, payday_factor, stream, weekday_factor, Alias, HourCurve, Rng};

/// Mean number of extra products in a basket (lines = 1 + Geometric), before the bag.
const EXTRA_LINES_MEAN: f64 = 2.6;
/// Share of tickets that buy carrier bags.
const BAG_SHARE: f64 = 0.45;
/// Share of store × product pairs whose POS keeps selling at zero stock (negative stock).
const OVERSELL_SHARE: f64 = 0.025;
/// Replenishment policy per family (seco, frío, verde): safety days on top of the days
/// until the next delivery (reorder point), and extra days of cover when ordering.
const SAFETY_DAYS: [f64; 3] = [0.5, 0.5, 0.25];
const EXTRA_DAYS: [f64; 3] = [6.0, 3.0, 1.5];
/// Snapshot slots of the daily cycle counts (14:00) and of the shrink of perishables (21:00).
const COUNT_SLOT: usize = 16;
const SHRINK_SLOT: usize = 30;
/// CEDI supplier receipts arrive at 10:00 and cover about two weeks of dispatches.
const RECEIPT_SLOT: usize = 8;
const CEDI_COVER_DAYS: usize = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PriceKind {
    List,
    Promo,
    Discount5,
    Discount10,
}

/// One sale line: `second` counts from the start of the period (local time).
pub(super) struct SaleRec {
    pub second: u32,
    pub invoice: u32,
    pub product: u32,
    pub qty: i32,
    pub line: u16,
    pub price: PriceKind,
}

/// One change-only history row; `change` is None on first sight.
pub(super) struct HistRec {
    pub slot: u32,
    pub product: u32,
    pub qty: i64,
    pub change: Option<i64>,
}

pub(super) struct Delivery {
    pub day: u32,
    pub product: u32,
    pub cedi: u32,
    pub qty: i64,
}

#[derive(Default)]
pub(super) struct LocationOutput {
    pub sales: Vec<SaleRec>,
    pub tickets: usize,
    pub history: Vec<HistRec>,
    /// (product, quantity at the last snapshot) for every listed product, by product.
    pub final_stock: Vec<(u32, i64)>,
    pub deliveries: Vec<Delivery>,
}

/// Stock of one warehouse and its change-only snapshots.
struct Ledger {
    stock: Vec<i64>,
    reported: Vec<i64>,
    seen: Vec<bool>,
    is_dirty: Vec<bool>,
    dirty: Vec<u32>,
    history: Vec<HistRec>,
}

impl Ledger {
    fn new(products: usize) -> Ledger {
        Ledger {
            stock: vec![0; products],
            reported: vec![0; products],
            seen: vec![false; products],
            is_dirty: vec![false; products],
            dirty: Vec::new(),
            history: Vec::new(),
        }
    }

    fn set(&mut self, p: usize, qty: i64) {
        self.stock[p] = qty;
        if !self.is_dirty[p] {
            self.is_dirty[p] = true;
            self.dirty.push(p as u32);
        }
    }

    fn add(&mut self, p: usize, delta: i64) {
        self.set(p, self.stock[p] + delta);
    }

    /// Appends a history row for every touched product whose quantity differs from the
    /// last reported one (or that is seen for the first time).
    fn snapshot(&mut self, slot: u32) {
        self.dirty.sort_unstable();
        for &p in &self.dirty {
            let i = p as usize;
            self.is_dirty[i] = false;
            let qty = self.stock[i];
            let change = if !self.seen[i] {
                self.seen[i] = true;
                None
            } else if qty != self.reported[i] {
                Some(qty - self.reported[i])
            } else {
                continue;
            };
            self.reported[i] = qty;
            self.history.push(HistRec { slot, product: p, qty, change });
        }
        self.dirty.clear();
    }

    fn finish(self, listed: &[u32], out: &mut LocationOutput) {
        let mut listed = listed.to_vec();
        listed.sort_unstable();
        out.final_stock = listed.iter().map(|&p| (p, self.reported[p as usize])).collect();
        out.history = self.history;
    }
}

/// Rounds a quantity in thousandths to what the product can hold: whole units, or grams.
fn to_unit(p: &Product, milli: f64) -> i64 {
    if p.weighed {
        milli.round() as i64
    } else {
        (milli / 1000.0).round() as i64 * 1000
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1).div_euclid(b)
}

pub(super) fn simulate_store(chain: &Chain, catalog: &[Product], store: usize) -> LocationOutput {
    StoreSim::new(chain, catalog, store).run()
}

struct StoreSim<'a> {
    chain: &'a Chain,
    catalog: &'a [Product],
    plan: &'a StorePlan,
    rng: Rng,
    ledger: Ledger,
    listed: Vec<bool>,
    listed_order: Vec<u32>,
    /// Planned demand per day in thousandths, including the buyer's planning error.
    planned: Vec<f64>,
    oversell: Vec<bool>,
    promo: Vec<f64>,
    by_family: [Vec<u32>; 3],
    tickets_mean: f64,
    curve: HourCurve,
    alias: Alias,
    weights: Vec<f64>,
    times: Vec<u32>,
    bag: Option<usize>,
    invoice: u32,
    out: LocationOutput,
}

impl<'a> StoreSim<'a> {
    fn new(chain: &'a Chain, catalog: &'a [Product], store: usize) -> StoreSim<'a> {
        let plan = &chain.stores[store];
        let mut rng = stream(chain.seed, STREAM_STORE + plan.ordinal as u64);
        let n = catalog.len();
        let tickets_mean = chain.tickets_per_day * plan.size;
        let total_popularity: f64 = catalog.iter().filter(|p| p.active).map(|p| p.popularity).sum();
        let lines = tickets_mean * (1.0 + EXTRA_LINES_MEAN);
        let planned = catalog
            .iter()
            .map(|p| {
                let expected =
                    if p.bag { tickets_mean * BAG_SHARE * p.qty_mean } else { lines * p.popularity / total_popularity * p.qty_mean };
                expected * 1000.0 * lognormal(&mut rng, 0.0, 0.5).clamp(0.25, 4.0)
            })
            .collect();
        let oversell = (0..n).map(|_| rng.random_bool(OVERSELL_SHARE)).collect();
        let mut by_family: [Vec<u32>; 3] = Default::default();
        for (i, p) in catalog.iter().enumerate().filter(|(_, p)| p.listed()) {
            by_family[p.family as usize].push(i as u32);
        }
        let invoice = rng.random_range(10_000..60_000);
        StoreSim {
            chain,
            catalog,
            plan,
            rng,
            ledger: Ledger::new(n),
            listed: vec![false; n],
            listed_order: Vec::new(),
            planned,
            oversell,
            promo: vec![1.0; n],
            by_family,
            tickets_mean,
            curve: HourCurve::new(plan.open_min, plan.close_min),
            alias: Alias::default(),
            weights: vec![0.0; n],
            times: Vec::new(),
            bag: catalog.iter().position(|p| p.bag),
            invoice,
            out: LocationOutput::default(),
        }
    }

    fn run(mut self) -> LocationOutput {
        for day in 0..self.chain.days {
            if day == 0 || self.chain.week(day) != self.chain.week(day - 1) {
                self.start_promo_week(day);
            }
            self.list_new_products(day);
            self.deliver(day);
            self.sell_day(day);
        }
        let Self { ledger, listed_order, mut out, .. } = self;
        ledger.finish(&listed_order, &mut out);
        out
    }

    /// (reorder point, order-up-to level) in thousandths for a product whose next
    /// delivery is `gap` days away.
    fn levels(&self, p: usize, gap: f64) -> (i64, i64) {
        let f = self.catalog[p].family as usize;
        let rate = self.planned[p];
        let rop = (rate * (gap + SAFETY_DAYS[f])).max(1000.0);
        (rop as i64, (rop + rate * EXTRA_DAYS[f]) as i64)
    }

    /// Products listed from day 0 start with part of their level (a few at zero, a few
    /// oversold ones negative); new products arrive with a launch delivery.
    fn list_new_products(&mut self, day: usize) {
        for p in 0..self.catalog.len() {
            let prod = &self.catalog[p];
            if !prod.listed() || prod.first_day() != day {
                continue;
            }
            self.listed[p] = true;
            self.listed_order.push(p as u32);
            let (_, target) = self.levels(p, 3.0);
            if day == 0 {
                let r: f64 = self.rng.random();
                let qty = if self.oversell[p] && r < 0.3 {
                    -1000 * self.rng.random_range(1..6)
                } else if r < 0.03 {
                    0
                } else {
                    to_unit(prod, target as f64 * self.rng.random_range(0.35..1.0))
                };
                self.ledger.set(p, qty);
            } else {
                let qty = ceil_div(target, prod.pack_milli()) * prod.pack_milli();
                self.ledger.set(p, qty);
                self.record_delivery(day, p, qty);
            }
        }
    }

    fn record_delivery(&mut self, day: usize, p: usize, qty: i64) {
        if let Some(c) = self.chain.supplier(self.plan, self.catalog[p].family) {
            self.out.deliveries.push(Delivery { day: day as u32, product: p as u32, cedi: c as u32, qty });
        }
    }

    fn start_promo_week(&mut self, day: usize) {
        self.promo.iter_mut().for_each(|f| *f = 1.0);
        for &(p, factor) in &self.chain.promos[self.chain.week(day)] {
            // Not every store joins every chain promotion.
            if self.rng.random_bool(0.8) {
                self.promo[p as usize] = factor;
            }
        }
    }

    /// 06:00 deliveries of the families due today: periodic review, order up to level in
    /// whole packs when stock is at or below the reorder point. Trucks and lines are
    /// sometimes missed or short, and products in a replenishment lapse are skipped: with
    /// promotions and planning errors, that is what produces real stock-outs.
    fn deliver(&mut self, day: usize) {
        let weekday = self.chain.date(day).weekday().num_days_from_monday() as usize;
        for f in 0..3 {
            let schedule = self.plan.delivery[f];
            if !schedule[weekday] || self.rng.random_bool(0.03) {
                continue;
            }
            let gap = (1..=7).find(|k| schedule[(weekday + k) % 7]).unwrap_or(7) as f64;
            for i in 0..self.by_family[f].len() {
                let p = self.by_family[f][i] as usize;
                if !self.listed[p] || self.chain.in_lapse(p, day) {
                    continue;
                }
                let (rop, target) = self.levels(p, gap);
                let stock = self.ledger.stock[p];
                if stock > rop {
                    continue;
                }
                let pack = self.catalog[p].pack_milli();
                let mut packs = ceil_div(target - stock, pack);
                let r: f64 = self.rng.random();
                if r < 0.04 {
                    packs = 0;
                } else if r < 0.12 {
                    packs = (packs as f64 * self.rng.random_range(0.3..0.7)).floor() as i64;
                }
                if packs > 0 {
                    self.ledger.add(p, packs * pack);
                    self.record_delivery(day, p, packs * pack);
                }
            }
        }
    }

    /// Today's demand weights: popularity × promotion × weekend taste × launch ramp.
    fn rebuild_weights(&mut self, day: usize) -> bool {
        let weekend = is_weekend(self.chain.date(day));
        for (p, prod) in self.catalog.iter().enumerate() {
            self.weights[p] = if !self.listed[p] || prod.bag {
                0.0
            } else {
                let ramp = prod.launch.map_or(1.0, |l| (0.25 + 0.75 * (day - l) as f64 / 21.0).min(1.0));
                let taste = if weekend { prod.weekend } else { 1.0 };
                prod.popularity * self.promo[p] * taste * ramp
            };
        }
        self.alias.rebuild(&self.weights)
    }

    fn sell_day(&mut self, day: usize) {
        let date = self.chain.date(day);
        let mut slot = 0;
        if self.rebuild_weights(day) {
            let mean = self.tickets_mean * weekday_factor(date) * payday_factor(date);
            let tickets = (mean * (0.07 * normal(&mut self.rng)).exp()).round() as usize;
            let mut times = std::mem::take(&mut self.times);
            times.clear();
            times.extend((0..tickets).map(|_| self.curve.sample_second(&mut self.rng)));
            times.sort_unstable();
            for &t in &times {
                self.snapshots_until(day, &mut slot, t);
                self.ticket(day as u32 * 86_400 + t);
            }
            self.times = times;
        }
        self.snapshots_until(day, &mut slot, 86_400);
    }

    /// Takes the snapshots due at or before `second_of_day` (a sale at 10:00:00 shows
    /// in the 10:30 snapshot).
    fn snapshots_until(&mut self, day: usize, slot: &mut usize, second_of_day: u32) {
        while *slot < SLOTS_PER_DAY && FIRST_SLOT_SECOND + *slot as u32 * SLOT_SECONDS <= second_of_day {
            match *slot {
                COUNT_SLOT => self.cycle_counts(),
                SHRINK_SLOT => self.shrink(),
                _ => {}
            }
            self.ledger.snapshot((day * SLOTS_PER_DAY + *slot) as u32);
            *slot += 1;
        }
    }

    fn ticket(&mut self, second: u32) {
        let invoice = self.invoice + 1;
        let mut lines = 0u16;
        let wanted = 1 + geometric(&mut self.rng, EXTRA_LINES_MEAN);
        for _ in 0..wanted {
            let p = self.alias.sample(&mut self.rng);
            if self.sell(p, second, invoice, lines + 1) {
                lines += 1;
            }
        }
        if let Some(bag) = self.bag {
            if self.listed[bag] && self.rng.random_bool(BAG_SHARE) && self.sell(bag, second, invoice, lines + 1) {
                lines += 1;
            }
        }
        // A basket emptied by stock-outs never reaches the till: no invoice number used.
        if lines > 0 {
            self.invoice = invoice;
            self.out.tickets += 1;
        }
    }

    /// Sells one line if there is stock (or if this POS sells past zero).
    fn sell(&mut self, p: usize, second: u32, invoice: u32, line: u16) -> bool {
        let prod = &self.catalog[p];
        let stock = self.ledger.stock[p];
        let minimum = if prod.weighed { 50 } else { 1000 };
        if stock < minimum && !self.oversell[p] {
            return false;
        }
        let wanted = if prod.weighed {
            let kg = lognormal(&mut self.rng, prod.qty_mean.ln() - 0.1, 0.45);
            (kg * 1000.0).round().clamp(50.0, 5000.0) as i64
        } else {
            1000 * i64::from((1 + geometric(&mut self.rng, prod.qty_mean - 1.0)).min(24))
        };
        let qty = if self.oversell[p] { wanted } else { wanted.min(stock) };
        let price = if self.promo[p] > 1.0 {
            PriceKind::Promo
        } else {
            match self.rng.random::<f64>() {
                r if r < 0.015 => PriceKind::Discount5,
                r if r < 0.02 => PriceKind::Discount10,
                _ => PriceKind::List,
            }
        };
        self.ledger.add(p, -qty);
        self.out.sales.push(SaleRec { second, invoice, product: p as u32, qty: qty as i32, line, price });
        true
    }

    /// A few products a day are counted and corrected by ±1–2 units (±50–500 g); a count
    /// of an oversold product often finds nothing on the shelf and resets it to zero.
    fn cycle_counts(&mut self) {
        let expected = self.listed_order.len() as f64 * 0.004;
        let count = (expected + self.rng.random::<f64>()).floor() as usize;
        for _ in 0..count {
            let p = self.listed_order[self.rng.random_range(0..self.listed_order.len())] as usize;
            let prod = &self.catalog[p];
            if prod.bag {
                continue;
            }
            let stock = self.ledger.stock[p];
            let delta = if prod.weighed { self.rng.random_range(50..500) } else { 1000 * self.rng.random_range(1..3) };
            let counted = if self.oversell[p] && stock < 0 {
                if self.rng.random_bool(0.5) {
                    0
                } else {
                    stock
                }
            } else if self.rng.random_bool(0.6) {
                (stock - delta).max(0)
            } else {
                stock + delta
            };
            if counted != stock {
                self.ledger.set(p, counted);
            }
        }
    }

    /// End-of-day shrink: fresh produce loses 1–4 % on most days, chilled goods
    /// occasionally lose an expired unit.
    fn shrink(&mut self) {
        for f in [Family::Verde, Family::Frio] {
            for i in 0..self.by_family[f as usize].len() {
                let p = self.by_family[f as usize][i] as usize;
                let stock = self.ledger.stock[p];
                if !self.listed[p] || stock <= 0 {
                    continue;
                }
                let prod = &self.catalog[p];
                let loss = match f {
                    Family::Verde if self.rng.random_bool(0.5) => to_unit(prod, stock as f64 * self.rng.random_range(0.01..0.04)),
                    Family::Frio if !prod.weighed && stock >= 1000 && self.rng.random_bool(0.02) => 1000,
                    _ => 0,
                };
                if loss > 0 {
                    self.ledger.add(p, -loss);
                }
            }
        }
    }
}

/// Dispatches from each CEDI to the stores, per (CEDI, product, day), in thousandths.
pub(super) struct Outflow {
    products: usize,
    days: usize,
    qty: Vec<i64>,
}

impl Outflow {
    pub fn new(cedis: usize, products: usize, days: usize) -> Outflow {
        Outflow { products, days, qty: vec![0; cedis * products * days] }
    }

    pub fn add(&mut self, deliveries: &[Delivery]) {
        for d in deliveries {
            let i = (d.cedi as usize * self.products + d.product as usize) * self.days + d.day as usize;
            self.qty[i] += d.qty;
        }
    }

    fn of(&self, cedi: usize, product: usize) -> &[i64] {
        let start = (cedi * self.products + product) * self.days;
        &self.qty[start..start + self.days]
    }
}

/// Dispatches expected over `CEDI_COVER_DAYS` from `day` (extrapolated past the period).
fn cover(outflow: &[i64], day: usize) -> f64 {
    let end = (day + CEDI_COVER_DAYS).min(outflow.len());
    let (window, len) = if end > day {
        (&outflow[day..end], end - day)
    } else {
        let from = outflow.len().saturating_sub(CEDI_COVER_DAYS);
        (&outflow[from..], outflow.len() - from)
    };
    let sum: i64 = window.iter().sum();
    sum as f64 * CEDI_COVER_DAYS as f64 / len.max(1) as f64
}

/// A CEDI's stock: dispatches leave at 06:00; each product's supplier delivers on a fixed
/// weekday at 10:00 up to about two weeks of cover, sometimes skipping a week.
pub(super) fn simulate_cedi(chain: &Chain, catalog: &[Product], cedi: usize, outflow: &Outflow) -> LocationOutput {
    let plan = &chain.cedis[cedi];
    let mut rng = stream(chain.seed, STREAM_CEDI + plan.ordinal as u64);
    let listed: Vec<u32> =
        catalog.iter().enumerate().filter(|(_, p)| p.listed() && plan.families[p.family as usize]).map(|(i, _)| i as u32).collect();
    let supplier_day: Vec<usize> = listed.iter().map(|_| rng.random_range(0..6)).collect();
    let mut ledger = Ledger::new(catalog.len());
    for day in 0..chain.days {
        let weekday = chain.date(day).weekday().num_days_from_monday() as usize;
        for &p in &listed {
            let (p, prod) = (p as usize, &catalog[p as usize]);
            let out = outflow.of(cedi, p);
            if prod.first_day() == day {
                let initial = cover(out, day) * rng.random_range(1.0..1.5);
                ledger.set(p, ceil_div(initial as i64, prod.pack_milli()).max(1) * prod.pack_milli());
            }
            if out[day] != 0 {
                ledger.add(p, -out[day]);
            }
        }
        ledger.snapshot((day * SLOTS_PER_DAY) as u32);
        for (i, &p) in listed.iter().enumerate() {
            let (p, prod) = (p as usize, &catalog[p as usize]);
            if supplier_day[i] != weekday || day < prod.first_day() || rng.random_bool(0.04) {
                continue;
            }
            let target = (cover(outflow.of(cedi, p), day + 1) * rng.random_range(0.8..1.4)) as i64;
            let stock = ledger.stock[p];
            if stock < target {
                ledger.add(p, ceil_div(target - stock, prod.pack_milli()) * prod.pack_milli());
            }
        }
        ledger.snapshot((day * SLOTS_PER_DAY + RECEIPT_SLOT) as u32);
    }
    let mut out = LocationOutput::default();
    ledger.finish(&listed, &mut out);
    out
}
