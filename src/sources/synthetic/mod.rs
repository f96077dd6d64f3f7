//! Deterministic synthetic supermarket chain: same tenant, seed and end date → the same
//! table contents, byte for byte.
//!
//! What a buyer sees: regions and stores with their opening hours; CEDIs supplying
//! products by cold-chain family (seco / frío / verde); a catalogue with categories, brands,
//! pack sizes, weighed goods, prices and costs with positive margins, traffic generators,
//! new and discontinued products; daily demand with a weekday profile, paydays, promotions,
//! heavy-tailed popularity (fast, slow and intermittent movers); tickets of several lines
//! following an hourly curve; stock that sells down, is replenished by periodic deliveries
//! and runs out (no sales at zero stock, except a few products whose POS oversells into
//! negative stock); change-only snapshots every 30 minutes (06:00–22:30).
//!
//! Determinism: every part of the chain (catalogue, chain plan, each store, each CEDI) has
//! its own ChaCha8 stream derived from the seed, stores are simulated on two threads and
//! appended in store order, and no timestamp comes from the clock.

mod catalog;
mod catalog_data;
mod chain;
mod demand;
mod simulate;
mod tenant_toml;
mod write;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Instant;

pub use tenant_toml::demo_tenant_toml;

use crate::config::TenantFile;
use crate::warehouse::{Warehouse, WarehouseError};

/// Size of the generated chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// 2 stores, 1 CEDI, ~300 products, 60 days (tests).
    Tiny,
    /// 5 stores, 3 family CEDIs and the Caracas receiving CEDI, ~2 000 products, 120 days.
    Small,
    /// 20 stores, 3 family CEDIs and the Caracas receiving CEDI, ≥ 10 000 active products, 180 days (~11 M sale lines).
    Client,
}

impl Scale {
    /// Days of history.
    pub fn days(self) -> i64 {
        match self {
            Scale::Tiny => 60,
            Scale::Small => 120,
            Scale::Client => 180,
        }
    }

    /// Products in the catalogue (active or not).
    pub fn products(self) -> usize {
        match self {
            Scale::Tiny => 300,
            Scale::Small => 2_000,
            Scale::Client => 10_500,
        }
    }

    /// Stores in the demo tenant of this scale.
    pub fn stores(self) -> usize {
        match self {
            Scale::Tiny => 2,
            Scale::Small => 5,
            Scale::Client => 20,
        }
    }

    /// CEDIs in the demo tenant of this scale: the family CEDIs, plus the Caracas receiving
    /// CEDI when there is more than one family CEDI.
    pub fn cedis(self) -> usize {
        match self.family_cedis() {
            1 => 1,
            n => n + 1,
        }
    }

    /// CEDIs that each carry a product family (seco, frío, verde), or one carrying all.
    pub fn family_cedis(self) -> usize {
        match self {
            Scale::Tiny => 1,
            Scale::Small | Scale::Client => 3,
        }
    }

    /// Mean tickets per day of an average store: a smaller assortment, a smaller store.
    fn tickets_per_day(self) -> f64 {
        match self {
            Scale::Tiny => 150.0,
            Scale::Small => 400.0,
            Scale::Client => 780.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub scale: Scale,
    pub seed: u64,
    /// Last generated day (inclusive), local business date.
    pub end_date: chrono::NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerateReport {
    pub products: usize,
    pub sale_lines: usize,
    pub tickets: usize,
    pub history_rows: usize,
    pub stock_loads: usize,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("no active store in tenant.toml: the synthetic chain needs at least one location with kind = \"tienda\"")]
    NoStore,
    #[error("warehouse error while generating: {0}")]
    Load(#[from] crate::warehouse::load::LoadError),
}

impl From<duckdb::Error> for GenerateError {
    fn from(e: duckdb::Error) -> Self {
        GenerateError::Load(e.into())
    }
}

/// Replaces all facts in the warehouse (productos, ventas, inventario_*, daily aggregates)
/// with a synthetic chain for the active locations of `file` (stores sell; CEDIs only hold
/// stock), in one transaction. `progress(done, total, label)` is called after each step.
pub fn generate(
    wh: &Warehouse,
    file: &TenantFile,
    opts: &GenerateOptions,
    progress: &(dyn Fn(u64, u64, &str) + Sync),
) -> Result<GenerateReport, GenerateError> {
    let started = Instant::now();
    let days = opts.scale.days().max(1) as usize;
    let catalog = catalog::generate(opts.scale.products(), days, &mut demand::stream(opts.seed, chain::STREAM_CATALOG));
    let chain = chain::Chain::new(file, opts, &catalog)?;
    let mut report = wh.write(|conn| write::run(conn, &chain, &catalog, progress))?;
    report.seconds = started.elapsed().as_secs_f64();
    tracing::info!(scale = ?opts.scale, seed = opts.seed, sale_lines = report.sale_lines, seconds = report.seconds, "synthetic chain generated");
    Ok(report)
}

/// The fact tables the generator replaces (and [`checksum`] covers).
const FACT_TABLES: &[&str] = &[
    "productos",
    "ventas",
    "ventas_diarias",
    "ventas_diarias_ubicacion",
    "producto_ids",
    "inventario_actual",
    "inventario_cargas",
    "inventario_historico",
];

/// Per-table fingerprint of the full content: row count and the sum of a hash of every
/// row. Being a sum, it does not depend on physical row order, so it equals a hash over
/// the ORDER BY'd content without sorting tens of millions of rows.
pub fn checksum(wh: &Warehouse) -> Result<BTreeMap<String, String>, duckdb::Error> {
    let conn = wh.reader().map_err(|e| match e {
        WarehouseError::Db(e) => e,
        other => duckdb::Error::ToSqlConversionFailure(Box::new(other)),
    })?;
    FACT_TABLES
        .iter()
        .map(|t| {
            let sql = format!("SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR FROM {t} t");
            Ok((t.to_string(), conn.query_row(&sql, [], |r| r.get::<_, String>(0))?))
        })
        .collect()
}
