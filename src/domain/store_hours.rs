//! A store's opening hours and the open hours between two instants (spec 40 §1.4).
//!
//! Visual stock-outs (§6.4) and emergencies (§4) measure time in *open* hours: a night the
//! store was closed says nothing about whether a product sells. The original approximated
//! this as wall-clock time × H_op/24, which counts closed night hours as partly open; the
//! rebuild counts the overlap with the daily schedule exactly, to the second.
//!
//! A closing time of 00:00 means 24:00; a closing time at or before the opening time means
//! the window wraps midnight (open from apertura to 24:00 and from 00:00 to cierre), so
//! equal times mean open all day. Plain values in, plain values out; E10 is the test below.

use chrono::{NaiveDateTime, NaiveTime, Timelike};

const DAY_SECONDS: i64 = 86_400;

/// The daily opening window of a store (the same every day of the week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreHours {
    opens: NaiveTime,
    /// As configured: 00:00 stands for 24:00.
    closes: NaiveTime,
}

impl Default for StoreHours {
    /// A store without configured hours: 07:00–21:00.
    fn default() -> Self {
        StoreHours { opens: hm(7), closes: hm(21) }
    }
}

fn hm(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M").or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S")).ok()
}

impl StoreHours {
    pub fn new(opens: NaiveTime, closes: NaiveTime) -> StoreHours {
        StoreHours { opens, closes }
    }

    /// A CEDI without configured hours: 06:00–22:00.
    pub fn cedi_default() -> StoreHours {
        StoreHours { opens: hm(6), closes: hm(22) }
    }

    /// "HH:MM" strings as in tenant.toml (a database's "HH:MM:SS" is accepted too, and
    /// "24:00" as a closing time means midnight); `None` if malformed.
    pub fn parse(apertura: &str, cierre: &str) -> Option<StoreHours> {
        let opens = parse_time(apertura)?;
        let closes = if matches!(cierre.trim(), "24:00" | "24:00:00") { NaiveTime::MIN } else { parse_time(cierre)? };
        Some(StoreHours { opens, closes })
    }

    pub fn apertura(&self) -> String {
        self.opens.format("%H:%M").to_string()
    }

    pub fn cierre(&self) -> String {
        self.closes.format("%H:%M").to_string()
    }

    /// Opening time in seconds from midnight, in `[0, 86400)`.
    fn open_s(&self) -> i64 {
        i64::from(self.opens.num_seconds_from_midnight())
    }

    /// Closing time in seconds from midnight, in `(0, 86400]`: 00:00 is the end of the day.
    fn close_s(&self) -> i64 {
        match i64::from(self.closes.num_seconds_from_midnight()) {
            0 => DAY_SECONDS,
            s => s,
        }
    }

    fn wraps(&self) -> bool {
        self.close_s() <= self.open_s()
    }

    /// The open intervals of one day, in seconds from that day's midnight, half-open.
    fn intervals(&self) -> [(i64, i64); 2] {
        let (o, c) = (self.open_s(), self.close_s());
        if self.wraps() {
            [(0, c), (o, DAY_SECONDS)]
        } else {
            [(o, c), (0, 0)]
        }
    }

    fn daily_seconds(&self) -> i64 {
        let (o, c) = (self.open_s(), self.close_s());
        if c > o {
            c - o
        } else {
            DAY_SECONDS - o + c
        }
    }

    /// H_op in hours (spec §1.4: cierre − apertura, or 24 − apertura + cierre when the
    /// window wraps midnight; equal times = 24 h open).
    pub fn daily_hours(&self) -> f64 {
        self.daily_seconds() as f64 / 3600.0
    }

    /// `apertura ≤ t < cierre`, or `t ≥ apertura ∨ t < cierre` when the window wraps.
    pub fn is_open(&self, t: NaiveTime) -> bool {
        let s = i64::from(t.num_seconds_from_midnight());
        self.intervals().iter().any(|(a, b)| *a <= s && s < *b)
    }

    /// Open seconds in `[a, b)` (0 unless `a < b`): the overlap with each day's open
    /// intervals, one step per calendar day. Both instants are floored to the second.
    pub fn open_seconds_between(&self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        if b <= a {
            return 0;
        }
        // Everything in seconds from the midnight that starts a's day: integer arithmetic,
        // no calendar overflow, and exact.
        let base = a.date().and_time(NaiveTime::MIN);
        let (from, to) = ((a - base).num_seconds(), (b - base).num_seconds());
        let (daily, intervals) = (self.daily_seconds(), self.intervals());
        let first_day = from / DAY_SECONDS;
        let last_day = (to - 1) / DAY_SECONDS;
        let mut total = 0;
        for day in first_day..=last_day {
            let start = day * DAY_SECONDS;
            if start >= from && start + DAY_SECONDS <= to {
                total += daily;
                continue;
            }
            for (lo, hi) in intervals {
                let overlap = (start + hi).min(to) - (start + lo).max(from);
                total += overlap.max(0);
            }
        }
        total
    }

    /// Open hours between `a` and `b` (`a < b`, else 0), counted exactly against the daily
    /// schedule (overlap of `[a, b)` with each day's open intervals, to the second).
    pub fn open_hours_between(&self, a: NaiveDateTime, b: NaiveDateTime) -> f64 {
        self.open_seconds_between(a, b) as f64 / 3600.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        // 2025-03-02 is a Sunday.
        NaiveDate::from_ymd_opt(2025, 3, day).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn worked_example_e10_store_open_until_midnight() {
        let hours = StoreHours::parse("08:00", "00:00").unwrap();
        assert_eq!(hours.daily_hours(), 16.0);
        // Sun 20:00 → Tue 09:00: 4 (Sun 20–24) + 16 (Mon) + 1 (Tue 08–09).
        assert_eq!(hours.open_hours_between(at(2, 20, 0), at(4, 9, 0)), 21.0);
        // Mon 22:00 → Tue 09:00: 2 + 1.
        assert_eq!(hours.open_hours_between(at(3, 22, 0), at(4, 9, 0)), 3.0);
        assert!(hours.is_open(t(9, 0)));
        assert!(!hours.is_open(t(0, 30)));
        assert!(hours.is_open(t(8, 0)), "opening time inclusive");
        assert!(hours.is_open(t(23, 59)));
        assert_eq!((hours.apertura(), hours.cierre()), ("08:00".to_string(), "00:00".to_string()));
    }

    #[test]
    fn a_window_that_wraps_midnight() {
        let hours = StoreHours::parse("18:00", "02:00").unwrap();
        assert_eq!(hours.daily_hours(), 8.0);
        assert!(hours.is_open(t(18, 0)) && hours.is_open(t(23, 0)) && hours.is_open(t(1, 59)));
        assert!(!hours.is_open(t(2, 0)) && !hours.is_open(t(12, 0)) && !hours.is_open(t(17, 59)));
        // Mon 01:00 → Mon 20:00: 01–02 and 18–20.
        assert_eq!(hours.open_hours_between(at(3, 1, 0), at(3, 20, 0)), 3.0);
        // Mon 12:00 → Wed 12:00: two full nights.
        assert_eq!(hours.open_hours_between(at(3, 12, 0), at(5, 12, 0)), 16.0);
        // Across midnight: Mon 23:30 → Tue 01:15.
        assert_eq!(hours.open_hours_between(at(3, 23, 30), at(4, 1, 15)), 1.75);
    }

    #[test]
    fn equal_times_mean_open_all_day() {
        let hours = StoreHours::parse("00:00", "00:00").unwrap();
        assert_eq!(hours.daily_hours(), 24.0);
        assert!(hours.is_open(t(3, 0)));
        assert_eq!(hours.open_hours_between(at(3, 10, 0), at(4, 10, 30)), 24.5);
        let same = StoreHours::parse("08:00", "08:00").unwrap();
        assert_eq!(same.daily_hours(), 24.0);
        assert!(same.is_open(t(7, 59)) && same.is_open(t(8, 0)));
    }

    #[test]
    fn the_default_is_seven_to_nine_and_cedis_six_to_ten() {
        let hours = StoreHours::default();
        assert_eq!((hours.apertura(), hours.cierre(), hours.daily_hours()), ("07:00".to_string(), "21:00".to_string(), 14.0));
        assert!(!hours.is_open(t(21, 0)) && hours.is_open(t(20, 59)) && !hours.is_open(t(6, 59)));
        assert_eq!(StoreHours::cedi_default().daily_hours(), 16.0);
    }

    #[test]
    fn a_range_inside_one_closed_night_has_no_open_hours() {
        let hours = StoreHours::default();
        assert_eq!(hours.open_hours_between(at(3, 21, 0), at(4, 7, 0)), 0.0);
        assert_eq!(hours.open_hours_between(at(3, 22, 15), at(4, 3, 0)), 0.0);
    }

    #[test]
    fn reversed_or_empty_ranges_are_zero_and_seconds_count() {
        let hours = StoreHours::default();
        assert_eq!(hours.open_hours_between(at(4, 9, 0), at(3, 9, 0)), 0.0);
        assert_eq!(hours.open_hours_between(at(3, 9, 0), at(3, 9, 0)), 0.0);
        let a = at(3, 9, 0);
        assert_eq!(hours.open_seconds_between(a, a + chrono::Duration::seconds(90)), 90);
        assert_eq!(hours.open_seconds_between(at(3, 20, 59) + chrono::Duration::seconds(30), at(3, 22, 0)), 30);
    }

    #[test]
    fn malformed_times_are_rejected() {
        assert!(StoreHours::parse("7am", "21:00").is_none());
        assert!(StoreHours::parse("07:00", "25:00").is_none());
        assert!(StoreHours::parse("", "21:00").is_none());
        assert_eq!(StoreHours::parse(" 07:00 ", "21:00:00"), Some(StoreHours::default()));
        assert_eq!(StoreHours::parse("08:00", "24:00"), StoreHours::parse("08:00", "00:00"));
    }

    #[test]
    fn a_sixty_day_range_counts_each_day_once() {
        let hours = StoreHours::parse("08:00", "00:00").unwrap();
        let start = at(1, 12, 0);
        let end = start + chrono::Duration::days(60);
        // 60 × 16 h exactly (the partial first and last day add up to one day).
        assert_eq!(hours.open_hours_between(start, end), 960.0);
        let began = std::time::Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(hours.open_hours_between(std::hint::black_box(start), end));
        }
        assert!(began.elapsed() < std::time::Duration::from_secs(1), "one step per day, not per minute");
    }
}
