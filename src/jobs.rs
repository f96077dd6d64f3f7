//! The scheduled jobs of this tenant: each feature registers its handler under its
//! `[schedules]` key (inventario, ventas, ventas_recovery, abc_recalc, backup, …).

use crate::http::AppState;
use crate::scheduler::Registry;

pub fn registry(state: &AppState) -> Registry {
    let mut registry = Registry::default();
    {
        let state = state.clone();
        registry.register("backup", move || {
            let state = state.clone();
            async move {
                let run = tokio::task::spawn_blocking(move || crate::ops::backup::run_scheduled(&state.tenant, &state.warehouse));
                if let Err(e) = run.await {
                    tracing::error!(job = "backup", "backup task failed: {e}");
                }
            }
        });
    }
    {
        let state = state.clone();
        registry.register("abc_recalc", move || {
            let state = state.clone();
            async move {
                let run = tokio::task::spawn_blocking(move || -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                    let today = state.tenant.today();
                    // Nightly upkeep first: the daily aggregate back in store order.
                    let started = std::time::Instant::now();
                    let rows = state.warehouse.write(crate::warehouse::sales::cluster_daily_sales)?;
                    tracing::info!(rows, ms = started.elapsed().as_millis() as u64, "daily sales reordered by store");
                    Ok(crate::classification::rebuild_at(&state.tenant, &state.warehouse, &state.app_db_path, today)?)
                });
                match run.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(job = "abc_recalc", "classification failed: {e}"),
                    Err(e) => tracing::error!(job = "abc_recalc", "classification task failed: {e}"),
                }
            }
        });
    }
    // POS extraction: inventario, ventas, ventas_recovery (+ start-up catch-up work).
    crate::etl::jobs::register(&mut registry, &state.tenant, &state.warehouse, &state.app_db_path);
    registry
}
