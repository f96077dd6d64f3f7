//! Random building blocks and the shape of demand: weekday profile, paydays, the hourly
//! curve inside opening hours, and weighted sampling of products.

use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};

pub(super) type Rng = rand_chacha::ChaCha8Rng;

/// An independent stream for one part of the chain (catalogue, a store, a CEDI…), so that
/// each part can be simulated on any thread with the same result.
pub(super) fn stream(seed: u64, part: u64) -> Rng {
    // SplitMix64 of (seed, part): nearby seeds and parts give unrelated streams.
    let mut z = seed ^ part.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Rng::seed_from_u64(z ^ (z >> 31))
}

pub(super) fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Standard normal (Box–Muller).
pub(super) fn normal(rng: &mut Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub(super) fn lognormal(rng: &mut Rng, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * normal(rng)).exp()
}

/// Number of failures before a success, with the given mean.
pub(super) fn geometric(rng: &mut Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let q = mean / (1.0 + mean);
    let u: f64 = 1.0 - rng.random::<f64>();
    (u.ln() / q.ln()).floor().min(1e6) as u32
}

/// Ticket-count multiplier by weekday (Monday first): weekends are busier.
const WEEKDAY: [f64; 7] = [0.93, 0.88, 0.92, 0.97, 1.08, 1.27, 0.95];

pub(super) fn weekday_factor(date: NaiveDate) -> f64 {
    WEEKDAY[date.weekday().num_days_from_monday() as usize]
}

pub(super) fn is_weekend(date: NaiveDate) -> bool {
    date.weekday().num_days_from_monday() >= 4
}

/// Fortnightly paydays (15th and last day of the month) and the day after each.
pub(super) fn payday_factor(date: NaiveDate) -> f64 {
    let last = date.succ_opt().is_some_and(|n| n.month() != date.month());
    match date.day() {
        15 | 16 | 1 => 1.25,
        _ if last => 1.25,
        _ => 1.0,
    }
}

/// Relative traffic by hour of day: a midday peak and an after-work peak.
const HOURLY: [f64; 24] =
    [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.35, 0.55, 0.8, 1.0, 1.25, 1.55, 1.6, 1.35, 1.05, 0.95, 1.1, 1.45, 1.65, 1.45, 1.05, 0.7, 0.45, 0.3];

/// Cumulative traffic per minute of the opening hours of one store.
pub(super) struct HourCurve {
    open_min: u32,
    cumulative: Vec<f64>,
}

impl HourCurve {
    /// `close_min` may be 1440 (closing at midnight).
    pub fn new(open_min: u32, close_min: u32) -> HourCurve {
        let mut total = 0.0;
        let cumulative = (open_min..close_min)
            .map(|m| {
                total += HOURLY[(m / 60) as usize];
                total
            })
            .collect();
        HourCurve { open_min, cumulative }
    }

    /// A second of the day inside opening hours, following the curve.
    pub fn sample_second(&self, rng: &mut Rng) -> u32 {
        #[allow(clippy::expect_used)] // every store profile has opening hours
        let total = *self.cumulative.last().expect("opening hours are not empty");
        let x = rng.random::<f64>() * total;
        let minute = self.cumulative.partition_point(|&c| c <= x).min(self.cumulative.len() - 1) as u32;
        (self.open_min + minute) * 60 + rng.random_range(0..60u32)
    }
}

/// Walker/Vose alias table: O(1) sampling from fixed weights, rebuilt in O(n).
#[derive(Default)]
pub(super) struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
    small: Vec<u32>,
    large: Vec<u32>,
}

impl Alias {
    /// Rebuilds the table for `weights`; false when every weight is zero.
    pub fn rebuild(&mut self, weights: &[f64]) -> bool {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        if n == 0 || total <= 0.0 {
            return false;
        }
        self.prob.clear();
        self.prob.extend(weights.iter().map(|w| w * n as f64 / total));
        self.alias.clear();
        self.alias.extend(0..n as u32);
        self.small.clear();
        self.large.clear();
        for (i, &p) in self.prob.iter().enumerate() {
            if p < 1.0 { &mut self.small } else { &mut self.large }.push(i as u32);
        }
        while let (Some(&s), Some(&l)) = (self.small.last(), self.large.last()) {
            self.small.pop();
            self.alias[s as usize] = l;
            self.prob[l as usize] -= 1.0 - self.prob[s as usize];
            if self.prob[l as usize] < 1.0 {
                self.large.pop();
                self.small.push(l);
            }
        }
        // Leftovers are 1 up to rounding error.
        for &i in self.small.iter().chain(&self.large) {
            self.prob[i as usize] = 1.0;
        }
        true
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let i = rng.random_range(0..self.prob.len());
        if rng.random::<f64>() < self.prob[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_follows_the_weights() {
        let mut rng = stream(1, 2);
        let mut a = Alias::default();
        assert!(a.rebuild(&[1.0, 0.0, 3.0]));
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            counts[a.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[1], 0);
        let ratio = f64::from(counts[2]) / f64::from(counts[0]);
        assert!((2.8..3.2).contains(&ratio), "{counts:?}");
        assert!(!a.rebuild(&[0.0, 0.0]));
    }

    #[test]
    fn hour_curve_stays_inside_opening_hours() {
        let mut rng = stream(3, 4);
        let c = HourCurve::new(8 * 60, 1440);
        for _ in 0..10_000 {
            let s = c.sample_second(&mut rng);
            assert!((8 * 3600..86_400).contains(&s), "{s}");
        }
    }

    #[test]
    fn paydays() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        assert_eq!(payday_factor(d(2, 28)), 1.25);
        assert_eq!(payday_factor(d(3, 1)), 1.25);
        assert_eq!(payday_factor(d(3, 15)), 1.25);
        assert_eq!(payday_factor(d(3, 20)), 1.0);
    }
}
