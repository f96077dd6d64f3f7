//! A product's stock at the end of each day (each almacén's last value of the day, carried
//! forward, the tenant's excluded almacenes left out): the sales drill-down's stock line and
//! the inter-CEDI CEDI-stock history read the same series.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rustc_hash::FxHashMap;

use super::excluded_warehouses;
use crate::config::Tenant;
use crate::domain::replenishment::transit::store_series;
use crate::warehouse::product_sales as ps;

/// Per store, the stock at the end of each day of `from..=to` (each almacén's last value of
/// the day, carried forward; `None` before the first known value).
pub fn end_of_day_stock(
    tenant: &Tenant,
    conn: &duckdb::Connection,
    code: &str,
    stores: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<FxHashMap<String, BTreeMap<NaiveDate, f64>>> {
    let mut rows: FxHashMap<String, Vec<(String, NaiveDateTime, f64)>> = FxHashMap::default();
    let excluded: FxHashMap<&str, Vec<String>> = stores.iter().map(|s| (s.as_str(), excluded_warehouses(tenant, s))).collect();
    for (store, almacen, day, q) in ps::end_of_day_stock(conn, code, stores)? {
        if excluded.get(store.as_str()).is_some_and(|x| x.contains(&almacen)) {
            continue;
        }
        rows.entry(store).or_default().push((almacen, day.and_time(NaiveTime::MIN), q));
    }
    Ok(rows
        .into_iter()
        .map(|(store, rows)| {
            // One point per day with a change: the sum of each almacén's latest value.
            let series = store_series(&rows);
            let mut by_day = BTreeMap::new();
            let mut at = 0;
            let mut last = None;
            let mut d = from;
            while d <= to {
                let start = d.and_time(NaiveTime::MIN);
                while at < series.len() && series[at].0 <= start {
                    last = Some(series[at].1);
                    at += 1;
                }
                if let Some(q) = last {
                    by_day.insert(d, q);
                }
                d += Duration::days(1);
            }
            (store, by_day)
        })
        .collect())
}
