//! The history windows a calculation reads, shared by the engine and the demand cache so
//! that both read exactly the same days.

use chrono::{Duration, NaiveDate};

use crate::appdb::inventory_settings as settings;
use crate::domain::replenishment::{resolve_windows, GlobalParams};

/// First day of the daily rows a calculation reads (the widest of the demand, σ and ABC
/// windows) and first day of the demand window; both end yesterday. The windows are global
/// settings: the same for every store.
pub(super) fn history_windows(global: &GlobalParams, abc: &settings::AbcSettings, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let windows = resolve_windows(global).windows();
    let history_days = i64::from(windows.demanda_dias.max(windows.sigma_dias).max(abc.ventana_dias));
    (today - Duration::days(history_days), today - Duration::days(i64::from(windows.demanda_dias)))
}
