//! Login lockout (spec 50 §3.2): when a failure brings the failures of the preceding
//! `window` to `max_failures`, the username is locked for `window` from that failure.

use chrono::{DateTime, Duration, Utc};

/// `failures`: failed attempts since the last success (attempts refused while locked are
/// not recorded). Returns the end of the lock in force at `now`, if any.
pub fn locked_until(failures: &[DateTime<Utc>], now: DateTime<Utc>, max_failures: u32, window: Duration) -> Option<DateTime<Utc>> {
    let mut sorted = failures.to_vec();
    sorted.sort();
    let max = max_failures.max(1) as usize;
    let mut until = None;
    for (i, f) in sorted.iter().enumerate() {
        let in_window = sorted[..=i].iter().filter(|g| **g > *f - window).count();
        if in_window >= max {
            until = Some(*f + window);
        }
    }
    until.filter(|u| *u > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hms: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2025-03-10T{hms}Z")).unwrap().with_timezone(&Utc)
    }

    /// Worked example 4 of spec 50 §3.4.
    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let failures: Vec<_> = ["10:00:00", "10:01:00", "10:02:00", "10:03:00", "10:04:00"].iter().map(|t| at(t)).collect();
        let w = Duration::minutes(15);
        assert_eq!(locked_until(&failures[..4], at("10:04:30"), 5, w), None, "four failures do not lock");
        let until = locked_until(&failures, at("10:10:00"), 5, w).unwrap();
        assert_eq!(until, at("10:19:00"));
        assert_eq!((until - at("10:10:00")).num_seconds(), 540, "Retry-After");
        assert_eq!(locked_until(&failures, at("10:19:01"), 5, w), None);
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let failures: Vec<_> = ["10:00:00", "10:10:00", "10:20:00", "10:30:00", "10:40:00"].iter().map(|t| at(t)).collect();
        assert_eq!(locked_until(&failures, at("10:41:00"), 5, Duration::minutes(15)), None);
    }
}
