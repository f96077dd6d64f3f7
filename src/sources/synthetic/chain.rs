//! The shape of the chain taken from tenant.toml: which locations sell, which CEDI supplies
//! what, opening hours, delivery weekdays, store sizes; plus the calendar (days, snapshot
//! instants, exchange rate) and the chain-wide promotion plan.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rand::RngExt;

use super::catalog::Product;
use super::catalog_data::Family;
use super::demand::{lognormal, normal, round_to, stream, Rng};
use super::{GenerateError, GenerateOptions};
use crate::config::{parse_hhmm, TenantFile};

/// Stock snapshots every 30 minutes from 06:00 to 22:30 local, as the real ETL runs.
pub(super) const SLOTS_PER_DAY: usize = 34;
pub(super) const FIRST_SLOT_SECOND: u32 = 6 * 3600;
pub(super) const SLOT_SECONDS: u32 = 1800;

/// Seed streams, so that every part draws from its own generator.
pub(super) const STREAM_CATALOG: u64 = 1;
const STREAM_CHAIN: u64 = 2;
pub(super) const STREAM_STORE: u64 = 1000;
pub(super) const STREAM_CEDI: u64 = 5000;

pub(super) struct StorePlan {
    pub id: String,
    pub almacen: String,
    pub almacen_nombre: String,
    /// Invoice prefix (`F01`): invoice numbers are unique per store.
    pub invoice_prefix: String,
    /// Position in tenant.toml: seeds the store's stream.
    pub ordinal: usize,
    pub open_min: u32,
    /// 1440 when the store closes at midnight.
    pub close_min: u32,
    /// Traffic relative to an average store of the chain.
    pub size: f64,
    /// Index into `Chain::cedis` of the CEDI supplying every product of this store's
    /// region, when the region has one; otherwise each product's family CEDI.
    pub region_cedi: Option<usize>,
    /// Delivery weekdays (Monday first) per family.
    pub delivery: [[bool; 7]; 3],
}

pub(super) struct CediPlan {
    pub id: String,
    pub almacen: String,
    pub ordinal: usize,
    /// Families whose products this CEDI lists.
    pub families: [bool; 3],
}

pub(super) struct Chain {
    pub seed: u64,
    pub start: NaiveDate,
    pub days: usize,
    /// Mean tickets per day of an average store.
    pub tickets_per_day: f64,
    pub stores: Vec<StorePlan>,
    pub cedis: Vec<CediPlan>,
    /// Index into `cedis` of the CEDI of each family (seco, frío, verde).
    pub family_cedi: [Option<usize>; 3],
    /// Bs per USD of each day.
    pub tasa: Vec<f64>,
    /// Chain promotions per promotion week: (product index, demand multiplier).
    pub promos: Vec<Vec<(u32, f64)>>,
    /// Per product, days [from, to) in which no store is replenished although the CEDI
    /// may hold stock (an order never placed): chain-wide stock-outs, trapped CEDI stock.
    pub lapses: Vec<Option<(usize, usize)>>,
}

impl Chain {
    pub fn new(file: &TenantFile, opts: &GenerateOptions, catalog: &[Product]) -> Result<Chain, GenerateError> {
        let days = opts.scale.days().max(1) as usize;
        let start = opts.end_date - Duration::days(days as i64 - 1);
        let mut rng = stream(opts.seed, STREAM_CHAIN);

        let active = |kind_cedi: bool| file.stores.iter().enumerate().filter(move |(_, s)| s.active && s.is_cedi() == kind_cedi);
        let cedis: Vec<CediPlan> = active(true)
            .map(|(ordinal, s)| CediPlan { id: s.id.clone(), almacen: s.default_warehouse(), ordinal, families: [false; 3] })
            .collect();
        let cedi_index = |id: &str| cedis.iter().position(|c| c.id == id);
        let region_cedi =
            |region: &str| file.regions.iter().find(|r| r.id == region).and_then(|r| r.cedi_reposicion.as_deref()).and_then(cedi_index);

        let store_list: Vec<_> = active(false).collect();
        if store_list.is_empty() {
            return Err(GenerateError::NoStore);
        }
        let sizes = store_sizes(store_list.len(), &mut rng);
        let stores: Vec<StorePlan> = store_list
            .iter()
            .enumerate()
            .map(|(i, (ordinal, s))| {
                let (open, close) = s.hours();
                let open_min = minutes(&open).unwrap_or(7 * 60);
                let close_min = minutes(&close).filter(|&c| c > open_min).unwrap_or(1440);
                let almacen = s.default_warehouse();
                let almacen_nombre = s.warehouses().find(|a| a.codigo == almacen).map_or("PISO DE VENTA".to_string(), |a| a.nombre.clone());
                StorePlan {
                    id: s.id.clone(),
                    almacen,
                    almacen_nombre,
                    invoice_prefix: format!("F{:02}", i + 1),
                    ordinal: *ordinal,
                    open_min,
                    close_min,
                    size: sizes[i],
                    region_cedi: region_cedi(&s.region),
                    delivery: delivery_weekdays(i),
                }
            })
            .collect();

        let family_cedi = family_cedis(&cedis, &stores);
        let mut cedis = cedis;
        for (f, c) in family_cedi.iter().enumerate() {
            if let Some(c) = c {
                cedis[*c].families[f] = true;
            }
        }
        // A regional CEDI supplies its stores with every product, so it lists them all.
        for s in &stores {
            if let Some(c) = s.region_cedi {
                cedis[c].families = [true; 3];
            }
        }

        let tasa = (0..days).map(|d| round_to(36.0 + 4.0 * d as f64 / days as f64 + 0.03 * normal(&mut rng), 4)).collect();
        let promos = promotions(start, days, catalog, &mut rng);
        let lapses = lapses(days, catalog, &mut rng);
        Ok(Chain {
            seed: opts.seed,
            start,
            days,
            tickets_per_day: opts.scale.tickets_per_day(),
            stores,
            cedis,
            family_cedi,
            tasa,
            promos,
            lapses,
        })
    }

    pub fn date(&self, day: usize) -> NaiveDate {
        self.start + Duration::days(day as i64)
    }

    /// Local midnight opening the period.
    pub fn origin(&self) -> NaiveDateTime {
        self.start.and_time(NaiveTime::MIN)
    }

    /// Local instant `second` seconds after the start of the period.
    pub fn instant(&self, second: u32) -> NaiveDateTime {
        self.origin() + Duration::seconds(i64::from(second))
    }

    /// Seconds from the start of the period to snapshot `slot` (day × 34 + k).
    pub fn slot_second(slot: u32) -> u32 {
        let (day, k) = (slot / SLOTS_PER_DAY as u32, slot % SLOTS_PER_DAY as u32);
        day * 86_400 + FIRST_SLOT_SECOND + k * SLOT_SECONDS
    }

    /// Promotion week of a day: weeks start on Monday.
    pub fn week(&self, day: usize) -> usize {
        (day + self.start.weekday().num_days_from_monday() as usize) / 7
    }

    pub fn in_lapse(&self, product: usize, day: usize) -> bool {
        self.lapses[product].is_some_and(|(from, to)| (from..to).contains(&day))
    }

    /// The CEDI that supplies `family` to a store, if any.
    pub fn supplier(&self, store: &StorePlan, family: Family) -> Option<usize> {
        store.region_cedi.or(self.family_cedi[family as usize])
    }
}

fn minutes(hhmm: &str) -> Option<u32> {
    parse_hhmm(hhmm).map(|t| t.hour() * 60 + t.minute())
}

/// Store sizes around 1 (flagships ~1.5, neighbourhood stores ~0.6), mean exactly 1.
fn store_sizes(n: usize, rng: &mut Rng) -> Vec<f64> {
    let raw: Vec<f64> = (0..n).map(|_| lognormal(rng, 0.0, 0.3).clamp(0.5, 1.8)).collect();
    let mean = raw.iter().sum::<f64>() / n as f64;
    raw.iter().map(|s| s / mean).collect()
}

/// Fixed delivery weekdays: dry goods twice a week, chilled and fresh three times,
/// staggered between stores so the CEDIs dispatch every day.
fn delivery_weekdays(store: usize) -> [[bool; 7]; 3] {
    let days = |list: &[usize]| {
        let mut w = [false; 7];
        for &d in list {
            w[d] = true;
        }
        w
    };
    const SECO: [[usize; 2]; 3] = [[0, 3], [1, 4], [2, 5]];
    const THREE: [[usize; 3]; 2] = [[0, 2, 4], [1, 3, 5]];
    [days(&SECO[store % 3]), days(&THREE[store % 2]), days(&THREE[(store + 1) % 2])]
}

/// Family → CEDI by order in the file (1st seco, 2nd frío, 3rd verde; fewer CEDIs share
/// the rest). CEDIs that replenish a whole region are used only when there is no other.
fn family_cedis(cedis: &[CediPlan], stores: &[StorePlan]) -> [Option<usize>; 3] {
    let regional: Vec<usize> = stores.iter().filter_map(|s| s.region_cedi).collect();
    let mut candidates: Vec<usize> = (0..cedis.len()).filter(|c| !regional.contains(c)).collect();
    if candidates.is_empty() {
        candidates = (0..cedis.len()).collect();
    }
    let pick = |f: usize| candidates.get(f.min(candidates.len().saturating_sub(1))).copied();
    [pick(0), pick(1), pick(2)]
}

/// Each week about one product in 200 is on promotion (demand ×2–3) in the stores that
/// join it (weighed fresh products and the bag never are; a product not launched yet
/// has no demand to multiply).
fn promotions(start: NaiveDate, days: usize, catalog: &[Product], rng: &mut Rng) -> Vec<Vec<(u32, f64)>> {
    let weeks = (days + start.weekday().num_days_from_monday() as usize) / 7 + 1;
    let eligible: Vec<u32> = catalog.iter().enumerate().filter(|(_, p)| p.active && !p.bag && !p.weighed).map(|(i, _)| i as u32).collect();
    let per_week = (eligible.len() / 200).max(1);
    (0..weeks)
        .map(|_| (0..per_week).map(|_| (eligible[rng.random_range(0..eligible.len())], rng.random_range(2.0..3.0))).collect())
        .collect()
}

/// About 8 % of the products (traffic generators and the bag excepted) go 5–20 days
/// without being dispatched to any store.
fn lapses(days: usize, catalog: &[Product], rng: &mut Rng) -> Vec<Option<(usize, usize)>> {
    catalog
        .iter()
        .map(|p| {
            let lapse = rng.random_bool(0.08) && !p.traffic && !p.bag && days > 25;
            lapse.then(|| {
                let from = rng.random_range(5..days - 20);
                (from, from + rng.random_range(5..=20))
            })
        })
        .collect()
}
