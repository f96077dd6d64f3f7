//! Sales windows (spec 20 §6.1–§6.3): the hourly window from a store's watermark, its
//! split at local midnights (a KLK request never spans two dates), and the watermark rules.
//! All values are local wall-clock times of the tenant (America/Caracas for the first client).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

use crate::domain::sales::{end_of_day, start_of_day, LAST_SECOND};

/// The sales look-back of the hourly job: `now − 90 min`.
pub const LOOKBACK: Duration = Duration::minutes(90);
/// Overlap before the watermark: `watermark − 30 min`.
pub const OVERLAP: Duration = Duration::minutes(30);
/// Catch-up limit: the window never starts more than 48 h before now.
pub const MAX_CATCH_UP: Duration = Duration::hours(48);

/// Local wall-clock time of a UTC instant, truncated to whole seconds.
pub fn local_now<Tz: TimeZone>(now: DateTime<Utc>, tz: &Tz) -> NaiveDateTime {
    let local = now.with_timezone(tz).naive_local();
    local.with_nanosecond(0).unwrap_or(local)
}

/// One request window inside a single local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub fecha: NaiveDate,
    pub desde: NaiveDateTime,
    pub hasta: NaiveDateTime,
}

impl Piece {
    pub fn whole_day(d: NaiveDate) -> Piece {
        Piece { fecha: d, desde: start_of_day(d), hasta: end_of_day(d) }
    }

    /// Covers the whole local day: sent without hour fields.
    pub fn is_full_day(&self) -> bool {
        self.desde.time() == NaiveTime::MIN && self.hasta.time() == LAST_SECOND
    }

    /// The hour range to send, `None` for a whole day.
    pub fn horas(&self) -> Option<(NaiveTime, NaiveTime)> {
        (!self.is_full_day()).then_some((self.desde.time(), self.hasta.time()))
    }
}

impl std::fmt::Display for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_full_day() {
            write!(f, "{} (día completo)", self.fecha)
        } else {
            write!(f, "{} {}–{}", self.fecha, self.desde.time(), self.hasta.time())
        }
    }
}

/// Splits `[inicio, fin]` at local midnights: one piece per local date, each ending at
/// `23:59:59` or at `fin`.
pub fn split_at_midnight(inicio: NaiveDateTime, fin: NaiveDateTime) -> Vec<Piece> {
    let mut pieces = Vec::new();
    if fin < inicio {
        return pieces;
    }
    let mut d = inicio.date();
    while d <= fin.date() {
        let desde = inicio.max(start_of_day(d));
        let hasta = fin.min(end_of_day(d));
        if desde <= hasta {
            pieces.push(Piece { fecha: d, desde, hasta });
        }
        d = d + chrono::Days::new(1);
    }
    pieces
}

/// The hourly window of one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HourlyPlan {
    pub inicio: NaiveDateTime,
    pub fin: NaiveDateTime,
    pub pieces: Vec<Piece>,
    /// The 48 h clamp applied.
    pub clamped: bool,
    /// Whole days to enqueue as backfill tasks because of the clamp.
    pub backfill_days: Vec<NaiveDate>,
}

/// `fin = now`; `inicio = min(now − 90 min, watermark − 30 min)` (no watermark: now − 90),
/// clamped to 48 h before now; when clamped, every local day intersecting
/// `[watermark − 30 min, clamped inicio)` is to be backfilled.
pub fn hourly_window(now: NaiveDateTime, watermark: Option<NaiveDateTime>) -> HourlyPlan {
    let fin = now;
    let mut inicio = match watermark {
        Some(w) => (now - LOOKBACK).min(w - OVERLAP),
        None => now - LOOKBACK,
    };
    let limit = now - MAX_CATCH_UP;
    let mut backfill_days = Vec::new();
    let clamped = inicio < limit;
    if clamped {
        let from = inicio.date();
        let to = (limit - Duration::seconds(1)).date();
        let mut d = from;
        while d <= to {
            backfill_days.push(d);
            d = d + chrono::Days::new(1);
        }
        inicio = limit;
    }
    HourlyPlan { inicio, fin, pieces: split_at_midnight(inicio, fin), clamped, backfill_days }
}

/// Watermark after a successful whole-day load of `day` (recovery/backfill): advanced to
/// `max(watermark, day 23:59:59)` only when it already reached the start of `day`
/// (contiguity); otherwise unchanged, so the uncovered interval stays a visible gap.
/// Windows end at `23:59:59`, so a watermark at the previous day's `23:59:59` is
/// contiguous too (otherwise D−2 then D−1 of one recovery could never chain).
pub fn after_full_day(watermark: Option<NaiveDateTime>, day: NaiveDate) -> Option<NaiveDateTime> {
    match watermark {
        Some(w) if w >= start_of_day(day) - Duration::seconds(1) => Some(w.max(end_of_day(day))),
        other => other,
    }
}

/// Whole days `D−1 … D−n` before `today`, oldest first (nightly recovery).
pub fn recovery_days(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    (1..=i64::from(n.max(1))).rev().map(|k| today - Duration::days(k)).collect()
}

/// Whole days from `desde` to `hasta` inclusive.
pub fn days(desde: NaiveDate, hasta: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = desde;
    while d <= hasta {
        out.push(d);
        d = d + chrono::Days::new(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn shown(p: &HourlyPlan) -> Vec<String> {
        p.pieces.iter().map(|x| x.to_string()).collect()
    }

    /// The six worked examples of spec 20 §6.1.
    #[test]
    fn worked_examples_of_6_1() {
        let p = hourly_window(t("2025-11-17 14:00:05"), Some(t("2025-11-17 13:00:04")));
        assert_eq!(p.inicio, t("2025-11-17 12:30:04"));
        assert_eq!(shown(&p), ["2025-11-17 12:30:04–14:00:05"]);

        let p = hourly_window(t("2025-11-17 16:00:03"), Some(t("2025-11-17 10:00:04")));
        assert_eq!(shown(&p), ["2025-11-17 09:30:04–16:00:03"]);

        let p = hourly_window(t("2025-11-18 06:00:02"), Some(t("2025-11-17 22:00:06")));
        assert_eq!(shown(&p), ["2025-11-17 21:30:06–23:59:59", "2025-11-18 00:00:00–06:00:02"]);

        let p = hourly_window(t("2025-11-18 06:00:02"), Some(t("2025-11-17 23:59:59")));
        assert_eq!(shown(&p), ["2025-11-17 23:29:59–23:59:59", "2025-11-18 00:00:00–06:00:02"]);

        let p = hourly_window(t("2025-11-17 11:00:00"), None);
        assert_eq!(shown(&p), ["2025-11-17 09:30:00–11:00:00"]);
        assert!(!p.clamped);

        let p = hourly_window(t("2025-11-20 09:00:00"), Some(t("2025-11-17 08:00:00")));
        assert!(p.clamped);
        assert_eq!(p.inicio, t("2025-11-18 09:00:00"));
        assert_eq!(shown(&p), ["2025-11-18 09:00:00–23:59:59", "2025-11-19 (día completo)", "2025-11-20 00:00:00–09:00:00"]);
        assert!(p.pieces[1].horas().is_none());
        assert_eq!(p.backfill_days, [d("2025-11-17"), d("2025-11-18")]);
    }

    #[test]
    fn watermark_contiguity_rule() {
        let wm = Some(t("2025-11-17 22:00:06"));
        assert_eq!(after_full_day(wm, d("2025-11-16")), wm);
        let wm = after_full_day(wm, d("2025-11-17"));
        assert_eq!(wm, Some(t("2025-11-17 23:59:59")));
        // A gap before the loaded day leaves the watermark where it was.
        assert_eq!(after_full_day(Some(t("2025-11-15 10:00:00")), d("2025-11-17")), Some(t("2025-11-15 10:00:00")));
        assert_eq!(after_full_day(None, d("2025-11-17")), None);
        // Consecutive whole days chain.
        let wm = after_full_day(Some(t("2025-11-16 09:00:00")), d("2025-11-16"));
        assert_eq!(after_full_day(wm, d("2025-11-17")), Some(t("2025-11-17 23:59:59")));
    }

    #[test]
    fn recovery_covers_the_two_previous_days() {
        assert_eq!(recovery_days(d("2025-11-18"), 2), [d("2025-11-16"), d("2025-11-17")]);
    }

    #[test]
    fn caracas_midnight() {
        let tz: chrono_tz::Tz = "America/Caracas".parse().unwrap();
        // 04:30Z on the 18th is 00:30 local: the window starts the evening before.
        let now = local_now("2025-11-18T04:30:00.75Z".parse().unwrap(), &tz);
        assert_eq!(now, t("2025-11-18 00:30:00"));
        let p = hourly_window(now, Some(t("2025-11-17 23:00:00")));
        assert_eq!(shown(&p), ["2025-11-17 22:30:00–23:59:59", "2025-11-18 00:00:00–00:30:00"]);
    }
}
