//! Maintenance windows (spec 50 §12): is the tenant inside one at a given local time?
//!
//! Plain values in: the configuration's `[maintenance]` is checked and converted into a
//! [`Schedule`] by `config::Maintenance::schedule`.

use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};

/// When maintenance applies.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedule {
    /// The master switch of the windows (`[maintenance].enabled`).
    pub enabled: bool,
    /// Message of every window that has none of its own.
    pub message: Option<String>,
    pub windows: Vec<Window>,
}

/// `[start, end)` local time on the given weekdays; `end <= start` crosses midnight and
/// belongs to the day it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Days it starts on; empty means every day.
    pub days: Vec<Weekday>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActiveMaintenance {
    pub message: String,
    /// Local end of the window; `None` when maintenance is switched on by hand.
    pub ends_at: Option<NaiveDateTime>,
}

const DEFAULT_MESSAGE: &str = "Sistema en mantenimiento, vuelva más tarde.";

fn applies_on(w: &Window, day: Weekday) -> bool {
    w.days.is_empty() || w.days.contains(&day)
}

/// The window covering `now` (local), if any. Windows apply only when the schedule is
/// enabled (spec 50 §12.2; switching maintenance on by hand is `PUT /api/admin/maintenance`).
pub fn active_window(m: &Schedule, now: NaiveDateTime) -> Option<ActiveMaintenance> {
    if !m.enabled {
        return None;
    }
    for w in &m.windows {
        for start_day in [now.date(), now.date().pred_opt()?] {
            if !applies_on(w, start_day.weekday()) {
                continue;
            }
            let from = start_day.and_time(w.start);
            let to = if w.end > w.start { start_day.and_time(w.end) } else { start_day.succ_opt()?.and_time(w.end) };
            if from <= now && now < to {
                let message = w.message.clone().or_else(|| m.message.clone()).unwrap_or_else(|| DEFAULT_MESSAGE.into());
                return Some(ActiveMaintenance { message, ends_at: Some(to) });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str, days: &[Weekday]) -> Schedule {
        let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        Schedule {
            enabled: true,
            message: None,
            windows: vec![Window { start: time(start), end: time(end), days: days.to_vec(), message: Some("m".into()) }],
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn daily_window_is_half_open() {
        let m = window("01:00", "06:00", &[]);
        assert!(active_window(&m, at("2026-11-26 00:59")).is_none());
        let a = active_window(&m, at("2026-11-26 01:00")).unwrap();
        assert_eq!(a.ends_at, Some(at("2026-11-26 06:00")));
        assert!(active_window(&m, at("2026-11-26 06:00")).is_none());
    }

    #[test]
    fn window_crossing_midnight_belongs_to_its_start_day() {
        // 2026-11-28 is a Saturday.
        let m = window("23:00", "02:00", &[Weekday::Sat]);
        assert!(active_window(&m, at("2026-11-28 23:30")).is_some());
        assert!(active_window(&m, at("2026-11-29 01:30")).is_some());
        assert!(active_window(&m, at("2026-11-29 23:30")).is_none());
    }

    /// Worked examples of spec 50 §12.2 (the minutes are what the API reports).
    #[test]
    fn worked_examples_and_the_master_switch() {
        let m = window("01:00", "06:00", &[]);
        let remaining = |t: &str| active_window(&m, at(t)).and_then(|a| a.ends_at).map(|e| (e - at(t)).num_minutes());
        assert_eq!(remaining("2026-11-26 00:59"), None);
        assert_eq!(remaining("2026-11-26 01:00"), Some(300));
        assert_eq!(remaining("2026-11-26 03:20"), Some(160));
        assert_eq!(remaining("2026-11-26 05:59"), Some(1));
        assert_eq!(remaining("2026-11-26 06:00"), None);
        let m = window("23:00", "02:00", &[]);
        let remaining = |t: &str| active_window(&m, at(t)).and_then(|a| a.ends_at).map(|e| (e - at(t)).num_minutes());
        assert_eq!(remaining("2026-11-26 01:30"), Some(30));
        assert_eq!(remaining("2026-11-26 22:59"), None);
        assert_eq!(remaining("2026-11-26 23:00"), Some(180));
        let mut off = window("00:00", "00:00", &[]);
        off.enabled = false;
        assert!(active_window(&off, at("2026-11-26 12:00")).is_none(), "windows apply only when enabled");
    }
}
