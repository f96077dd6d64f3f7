//! Fluxion: inventory replenishment and retail analytics, one binary per tenant.
//!
//! Layout: `domain` is pure logic (no I/O); `config` reads tenant.toml; `warehouse`
//! (DuckDB) and `appdb` (SQLite) are storage; `sources` produce typed records (file
//! import, synthetic chain; POS connectors later); `app` is the composition root (the
//! stores, the ETL, the caches of one opened tenant); `http` is the axum edge; `cli` the
//! commands. Dependencies point inwards: cli → http → app → use cases → storage/sources →
//! domain (docs/architecture.md).

pub mod app;
pub mod appdb;
pub mod auth;
pub mod bi;
pub mod classification;
pub mod cli;
pub mod config;
pub mod distribution;
pub mod domain;
pub mod emergencies;
pub mod etl;
pub mod http;
/// The scheduled jobs of `serve`, wired by the composition root.
pub use app::jobs;
pub mod inventory;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod orders;
pub mod products;
pub mod replenishment;
pub mod sales;
pub mod scheduler;
pub mod sources;
pub mod warehouse;

/// mimalloc rather than glibc's malloc: a calculation's worker threads allocate thousands
/// of lines each, and glibc gives every new thread a fresh arena to fault in. Measured at
/// client scale: the engine's first run in a process 21 → 10–14 ms, a network run 742 →
/// 674 ms; warm single-store figures unchanged.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Tunes the allocator for a short batch command that holds gigabytes at once (`fluxion
/// import` of a chain's history): arenas committed eagerly and freed pages kept until the
/// process exits, instead of being handed back to the OS and faulted in (zeroed) again a
/// few milliseconds later. Reading a 4.4 M-line file: 6 s → 3 s. Not for `serve`, which
/// must give memory back after a peak.
pub fn tune_allocator_for_batch_work() {
    // Option numbers of `mi_option_e` (mimalloc.h, identical in v2 and v3).
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    const PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: plain setters of the linked mimalloc, valid at any time.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 1);
        mi_option_set(PURGE_DELAY, -1);
    }
}
