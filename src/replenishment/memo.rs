//! What `serve` keeps between calculations: the reads of the last ones (each store's daily
//! rows and ABC classes, stocks, catalogues, regional references), reused while nothing
//! they came from has changed. A buyer opens the wizard, changes the CEDI, comes back: the
//! second calculation of a store only runs the engine.
//!
//! Validity is a key, not a timer: the warehouse's write count (any load, of any kind, makes
//! every kept read stale), the business date, and the application settings the reads were
//! derived from (demand windows, ABC settings, atypical days). Everything else a
//! calculation uses (parameters, limits, exclusions, open orders) is read fresh each time.
//! The answer is the same as without the memo; `tests/replenishment.rs` checks it.

use std::sync::Mutex;

use chrono::NaiveDate;

use super::{prefill_pairs, propose_with, windows::history_windows, ReplenishmentError, Request, RunCache, StoreProposal};
use crate::appdb::inventory_settings as settings;
use crate::config::Tenant;
use crate::warehouse::Warehouse;

/// Owned by the process state (one per tenant database), never a global.
#[derive(Default)]
pub struct Memo {
    kept: Mutex<Option<(Key, RunCache)>>,
}

#[derive(PartialEq)]
struct Key {
    generation: u64,
    today: NaiveDate,
    settings: String,
}

impl Memo {
    /// One store's proposal, as `super::propose`, reusing what the last calculations read.
    pub fn propose(
        &self,
        tenant: &Tenant,
        app: &rusqlite::Connection,
        wh: &Warehouse,
        req: &Request,
    ) -> Result<StoreProposal, ReplenishmentError> {
        self.with_kept(app, wh, req.fecha, |reader, cache| propose_with(tenant, app, reader, req, cache))
    }

    /// The proposals of several (CEDI → store) pairs of one business date (a multi-store
    /// batch), in the order of `reqs`: the stores' reads run side by side first, then each
    /// store's engine, all sharing what the memo kept.
    pub fn propose_many(
        &self,
        tenant: &Tenant,
        app: &rusqlite::Connection,
        wh: &Warehouse,
        reqs: &[Request],
    ) -> Result<Vec<StoreProposal>, ReplenishmentError> {
        let Some(fecha) = reqs.first().map(|r| r.fecha) else {
            return Ok(Vec::new());
        };
        self.with_kept(app, wh, fecha, |reader, cache| {
            prefill_pairs(tenant, app, reader, fecha, reqs, cache)?;
            reqs.iter().map(|r| propose_with(tenant, app, reader, r, cache)).collect()
        })
    }

    /// Runs `f` with the kept reads when they are still valid for `today` (else an empty
    /// cache), and keeps what it read when it succeeds.
    fn with_kept<T>(
        &self,
        app: &rusqlite::Connection,
        wh: &Warehouse,
        today: NaiveDate,
        f: impl FnOnce(&duckdb::Connection, &mut RunCache) -> Result<T, ReplenishmentError>,
    ) -> Result<T, ReplenishmentError> {
        // The count before any read (see `Warehouse::generation`).
        let generation = wh.generation();
        let reader = wh.reader()?;
        let key = Key { generation, today, settings: settings_key(app, today)? };
        // Taken out while in use: a concurrent calculation starts from an empty memo rather
        // than waiting; the last one to finish leaves its reads for the next.
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut cache = match kept {
            Some((k, cache)) if k == key => cache,
            _ => RunCache { keep_catalogues: true, ..Default::default() },
        };
        let out = f(&reader, &mut cache);
        if out.is_ok() {
            *self.kept.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, cache));
        }
        out
    }

    /// Drops everything kept (the next calculation reads all again).
    pub fn forget(&self) {
        *self.kept.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// The application settings the kept reads depend on, as one comparable text.
fn settings_key(app: &rusqlite::Connection, today: NaiveDate) -> Result<String, ReplenishmentError> {
    let abc = settings::abc_settings(app)?;
    let windows = history_windows(&settings::global_params(app)?, &abc, today);
    Ok(format!("{windows:?}|{abc:?}|{}", settings::atypical_days_key(app)?))
}
