//! The demand P75 cache: each store's P75 per product for one business date, stamped with
//! what it was computed from. The values live in the application database
//! (`demanda_p75_cache`); the versions of the stores' daily rows live here, in the
//! warehouse, written by the same transaction that changes those rows. A calculation takes
//! a store's cached values only when the whole stamp matches what it would compute from
//! now; otherwise it reads that store's daily rows. The output is the same either way.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use duckdb::Connection;

use super::error::ReplenishmentError;
use super::windows::history_windows;
use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::warehouse::replenishment::{self as wq, CachedP75s, RegionStore};
use crate::warehouse::Warehouse;

/// Rebuilds the cache for business date `today`: every active store's P75 per product over
/// the demand window, stamped with the window, its atypical days and the version of its
/// daily rows (read in the same warehouse snapshot as the rows). Run with the
/// classification caches, after sales loads and nightly; returns the number of P75s.
pub fn rebuild(tenant: &Tenant, app: &rusqlite::Connection, wh: &Warehouse, today: NaiveDate) -> Result<usize, ReplenishmentError> {
    let abc = settings::abc_settings(app)?;
    let (_, desde) = history_windows(&settings::global_params(app)?, &abc, today);
    let hasta = today - Duration::days(1);
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi()).collect();
    let mut atypical = Vec::with_capacity(stores.len());
    for store in &stores {
        atypical.push(settings::atypical_days(app, &store.id)?);
    }
    let reader = wh.reader()?;
    reader.execute_batch("BEGIN TRANSACTION")?;
    let read = (|| -> Result<_, ReplenishmentError> {
        let versions = versions(&reader)?;
        let mut out = Vec::with_capacity(stores.len());
        for (store, atypical) in stores.iter().zip(&atypical) {
            let days = wq::daily_sales(&reader, &store.id, desde, hasta)?;
            let stamp = Stamp {
                fecha_base: today,
                desde,
                hasta,
                dias_excluidos: atypical_key(atypical, desde, hasta),
                version: versions.of(&store.id),
            };
            out.push(StoreP75s { ubicacion_id: store.id.clone(), stamp, p75s: wq::store_p75s(&days, desde, hasta, atypical).collect() });
        }
        Ok(out)
    })();
    let _ = reader.execute_batch(if read.is_ok() { "COMMIT" } else { "ROLLBACK" });
    let cache = read?;
    drop(reader);
    let n = replace(app, &cache).map_err(crate::appdb::AppDbError::from)?;
    wh.write(trim_changes)?;
    Ok(n)
}

/// The P75s of `only` that the cache holds validly for the region `stores`, for business
/// date `today` and the demand window [desde, hasta].
pub fn cached_p75s(
    app: &rusqlite::Connection,
    wh: &Connection,
    stores: &[RegionStore],
    (today, desde, hasta): (NaiveDate, NaiveDate, NaiveDate),
    only: &[i32],
) -> Result<CachedP75s, ReplenishmentError> {
    if stores.is_empty() || only.is_empty() {
        return Ok(CachedP75s::default());
    }
    let versions = versions(wh)?;
    let now: Vec<(&str, Stamp)> = stores
        .iter()
        .map(|s| {
            let stamp = Stamp {
                fecha_base: today,
                desde,
                hasta,
                dias_excluidos: atypical_key(&s.dias_excluidos, desde, hasta),
                version: versions.of(&s.id),
            };
            (s.id.as_str(), stamp)
        })
        .collect();
    Ok(read_valid(app, &now, only).map_err(crate::appdb::AppDbError::from)?)
}

/// What a store's cached P75s were computed from. Equal stamps give equal P75s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub fecha_base: NaiveDate,
    pub desde: NaiveDate,
    pub hasta: NaiveDate,
    /// The store's atypical days inside [desde, hasta] ([`atypical_key`]).
    pub dias_excluidos: String,
    /// Version of the store's daily rows ([`Versions::of`]).
    pub version: String,
}

/// The key of a store's atypical days for a window: only those inside it change a P75.
pub fn atypical_key(days: &[NaiveDate], desde: NaiveDate, hasta: NaiveDate) -> String {
    let mut inside: Vec<NaiveDate> = days.iter().copied().filter(|d| *d >= desde && *d <= hasta).collect();
    inside.sort_unstable();
    inside.dedup();
    inside.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")
}

/// The version of each store's daily rows: the token of its newest change, or of the
/// newest full rebuild if later. A store never changed since schema 4 has version "".
pub struct Versions {
    per_store: HashMap<String, (i64, String)>,
    all: (i64, String),
}

impl Versions {
    pub fn of(&self, store: &str) -> String {
        match self.per_store.get(store) {
            Some((n, token)) if *n > self.all.0 => token.clone(),
            _ => self.all.1.clone(),
        }
    }
}

/// The current versions (a few dozen rows: the log is trimmed at each cache rebuild).
pub fn versions(conn: &Connection) -> duckdb::Result<Versions> {
    let mut stmt = conn.prepare_cached("SELECT ubicacion_id, cambio, token FROM ventas_diarias_cambios")?;
    let mut per_store: HashMap<String, (i64, String)> = HashMap::new();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?;
    for row in rows {
        let (store, n, token) = row?;
        match per_store.get(&store) {
            Some((m, _)) if *m >= n => {}
            _ => {
                per_store.insert(store, (n, token));
            }
        }
    }
    let all = per_store.remove("*").unwrap_or((0, String::new()));
    Ok(Versions { per_store, all })
}

/// Keeps only each store's newest change (only the newest is ever compared).
pub fn trim_changes(conn: &Connection) -> duckdb::Result<usize> {
    conn.execute(
        "DELETE FROM ventas_diarias_cambios WHERE cambio NOT IN
             (SELECT max(cambio) FROM ventas_diarias_cambios GROUP BY ubicacion_id)",
        [],
    )
}

/// One store's cache row.
pub struct StoreP75s {
    pub ubicacion_id: String,
    pub stamp: Stamp,
    pub p75s: Vec<(i32, f64)>,
}

/// Replaces the whole cache in the application database; returns the number of P75s.
pub fn replace(app: &rusqlite::Connection, stores: &[StoreP75s]) -> rusqlite::Result<usize> {
    let tx = app.unchecked_transaction()?;
    tx.execute("DELETE FROM demanda_p75_cache", [])?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO demanda_p75_cache (ubicacion_id, fecha_base, desde, hasta, dias_excluidos, version, p75s, calculado_en)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        )?;
        for s in stores {
            let t = &s.stamp;
            insert.execute(rusqlite::params![
                s.ubicacion_id,
                t.fecha_base.to_string(),
                t.desde.to_string(),
                t.hasta.to_string(),
                t.dias_excluidos,
                t.version,
                pack(&s.p75s)
            ])?;
        }
    }
    tx.commit()?;
    Ok(stores.iter().map(|s| s.p75s.len()).sum())
}

const PAIR: usize = 12;

/// `(id, P75)` pairs as the `p75s` column stores them, by id ascending.
fn pack(p75s: &[(i32, f64)]) -> Vec<u8> {
    let mut sorted = p75s.to_vec();
    sorted.sort_unstable_by_key(|(id, _)| *id);
    let mut out = Vec::with_capacity(sorted.len() * PAIR);
    for (id, p75) in sorted {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&p75.to_le_bytes());
    }
    out
}

/// The P75 of product `id` in a packed `p75s` value (binary search over its pairs).
#[allow(clippy::expect_used)] // `pair` returns 12-byte slices: 4 + 8 bytes
fn find(packed: &[u8], id: i32) -> Option<f64> {
    let pair = |k: usize| &packed[k * PAIR..(k + 1) * PAIR];
    #[allow(clippy::expect_used)] // `pair` returns 12-byte slices: 4 + 8 bytes
    let key = |k: usize| i32::from_le_bytes(pair(k)[..4].try_into().expect("4 bytes"));
    let (mut lo, mut hi) = (0, packed.len() / PAIR);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match key(mid).cmp(&id) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(f64::from_le_bytes(pair(mid)[4..].try_into().expect("8 bytes"))),
        }
    }
    None
}

/// For each of `stores` (id, and the stamp a calculation would compute now), whether its
/// cached P75s are valid, and for the valid ones the P75s of products `only`. No transaction is needed across the two
/// databases: a version names one state of a store's daily rows, so a row whose stamp
/// equals the current one was computed from exactly the rows a calculation would read.
pub fn read_valid(app: &rusqlite::Connection, stores: &[(&str, Stamp)], only: &[i32]) -> rusqlite::Result<CachedP75s> {
    let mut valid = vec![false; stores.len()];
    let mut rows = Vec::new();
    let mut stmt =
        app.prepare_cached("SELECT ubicacion_id, fecha_base, desde, hasta, dias_excluidos, version, p75s FROM demanda_p75_cache")?;
    let mut cached = stmt.query([])?;
    while let Some(r) = cached.next()? {
        let id = r.get_ref(0)?.as_str()?;
        let Some(position) = stores.iter().position(|(s, _)| *s == id) else { continue };
        let now = &stores[position].1;
        let same = r.get_ref(1)?.as_str()? == now.fecha_base.to_string()
            && r.get_ref(2)?.as_str()? == now.desde.to_string()
            && r.get_ref(3)?.as_str()? == now.hasta.to_string()
            && r.get_ref(4)?.as_str()? == now.dias_excluidos
            && r.get_ref(5)?.as_str()? == now.version;
        if !same {
            continue;
        }
        valid[position] = true;
        let packed = r.get_ref(6)?.as_blob()?;
        rows.extend(only.iter().filter_map(|&product| find(packed, product).map(|p75| (position, product, p75))));
    }
    Ok(CachedP75s { stores: valid, p75s: rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_pairs_are_found_by_id_whatever_their_input_order() {
        let packed = pack(&[(42, 1.5), (7, 0.25), (1000, 3.0)]);
        assert_eq!(packed.len(), 3 * PAIR);
        assert_eq!(find(&packed, 7), Some(0.25));
        assert_eq!(find(&packed, 42), Some(1.5));
        assert_eq!(find(&packed, 1000), Some(3.0));
        assert_eq!(find(&packed, 8), None);
        assert_eq!(find(&pack(&[]), 7), None);
    }

    #[test]
    fn only_atypical_days_inside_the_window_make_the_key() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let key = atypical_key(&[d(11, 20), d(1, 1), d(11, 3), d(11, 20)], d(11, 1), d(11, 25));
        assert_eq!(key, "2026-11-03,2026-11-20");
    }
}
