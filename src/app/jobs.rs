//! The scheduled jobs of this tenant: each feature registers its handler under its
//! `[schedules]` key (inventario, ventas, ventas_recovery, abc_recalc, backup, …).

use super::AppState;
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
                    // Nightly upkeep first: the daily aggregate back in store order, the stock
                    // history in store and product order.
                    let started = std::time::Instant::now();
                    let rows = state.warehouse.write(crate::warehouse::sales::cluster_daily_sales)?;
                    tracing::info!(rows, ms = started.elapsed().as_millis() as u64, "daily sales reordered by store");
                    let started = std::time::Instant::now();
                    let rows = state.warehouse.write(crate::warehouse::load::cluster_stock_history)?;
                    tracing::info!(rows, ms = started.elapsed().as_millis() as u64, "stock history reordered by store and product");
                    let report = crate::classification::rebuild_at(&state.tenant, &state.warehouse, &state.app_db_path, today)?;
                    // Spec 40 §5.2: the traffic-generator suggestions follow the nightly metrics.
                    let mut app = crate::appdb::connect(&state.app_db_path)?;
                    let run = crate::products::traffic_generators::suggest(
                        &mut app,
                        &state.warehouse,
                        None,
                        crate::products::traffic_generators::Origin::Nocturno,
                    )?;
                    tracing::info!(nuevas = run.nuevas_sugerencias, removidas = run.sugerencias_removidas, "traffic-generator suggestions");
                    Ok(report)
                });
                match run.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(job = "abc_recalc", "classification failed: {e}"),
                    Err(e) => tracing::error!(job = "abc_recalc", "classification task failed: {e}"),
                }
            }
        });
    }
    {
        let state = state.clone();
        registry.register("emergencias", move || {
            let state = state.clone();
            async move {
                let run = tokio::task::spawn_blocking(move || scheduled_emergency_scan(&state));
                match run.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::error!(job = "emergencias", "emergencies scan failed: {e}"),
                    Err(e) => tracing::error!(job = "emergencias", "emergencies scan task failed: {e}"),
                }
            }
        });
    }
    // POS extraction: inventario, ventas, ventas_recovery (+ start-up catch-up work).
    crate::etl::jobs::register(&mut registry, &state.etl);
    registry
}

/// Keeps every location's inventory table (and every store's sales table of the default
/// period) computed for the current data: each `every`, when
/// the warehouse has had writes since the last pass and none during the last interval (a
/// load is many writes), the tables are recomputed in the background. The first screen
/// opened after a load then answers from memory instead of computing. The first pass runs
/// at once, without waiting for a quiet interval: at start-up nothing is computed yet, and
/// the first person to open *Inventarios* would otherwise wait for 20+ tables (≈ 0.8 s at
/// client scale); a load that starts meanwhile is picked up by the next quiet pass.
pub fn spawn_inventory_warmer(state: &AppState, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    let st = state.clone();
    tokio::spawn(async move {
        let mut warmed: Option<(u64, chrono::NaiveDate)> = None;
        let mut last_seen: Option<u64> = None;
        loop {
            let (generation, today) = (st.warehouse.generation(), st.tenant.today());
            let quiet = last_seen.is_none_or(|seen| seen == generation);
            if quiet && warmed != Some((generation, today)) {
                let s = st.clone();
                let started = std::time::Instant::now();
                let done = tokio::task::spawn_blocking(move || warm_tables(&s, today)).await;
                match done {
                    Ok(Ok(n)) => {
                        tracing::info!(tables = n, ms = started.elapsed().as_millis() as u64, "inventory and sales tables computed")
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "inventory tables not computed"),
                    Err(e) => tracing::warn!(error = %e, "inventory tables not computed"),
                }
                warmed = Some((generation, today));
            }
            last_seen = Some(generation);
            tokio::time::sleep(every).await;
        }
    })
}

/// One pass of the warmer: every location's inventory table, every store's sales table of
/// the default period, the CEDI opportunity drawers and the BI product facts, for `today`.
/// Returns how many were computed (the ones already kept for the current data cost nothing).
pub fn warm_tables(state: &AppState, today: chrono::NaiveDate) -> Result<usize, crate::appdb::AppDbError> {
    let app = crate::appdb::connect(&state.app_db_path)?;
    Ok(state.inventory_tables.warm(&state.tenant, &app, &state.warehouse, today)
        + state.sales_tables.warm(&state.tenant, &state.warehouse, today)
        + state.opportunities.warm(&state.tenant, &app, &state.warehouse, &state.inventory_tables, today)
        + bi_facts_warmed(state))
}

/// The BI product facts of the default window (1 when computed); a failure is logged and
/// left to the first request.
fn bi_facts_warmed(state: &AppState) -> usize {
    if !state.tenant.file.features.bi {
        return 0;
    }
    // The ABC analysis reads the window's raw lines once for its exact tickets per class.
    if let Err(e) = crate::bi::abc::warm(&state.tenant, &state.warehouse) {
        tracing::warn!(error = %e, "BI ABC facts not computed");
    }
    // The coverage tables (spec 40 §3.7) are computed from those facts (≈ 0.2 s at client scale).
    match crate::bi::products::warm(&state.tenant, &state.warehouse)
        .and_then(|()| crate::bi::coverage::warm(&state.tenant, &state.warehouse))
    {
        Ok(()) => 1,
        Err(e) => {
            tracing::warn!(error = %e, "BI product facts not computed");
            0
        }
    }
}

/// The scheduler's emergencies scan (spec 40 §4.7): the enabled stores open at this moment;
/// none open → no scan at all (`Ok(None)`).
pub fn scheduled_emergency_scan(state: &AppState) -> Result<Option<crate::emergencies::ScanResult>, crate::emergencies::EmergencyError> {
    let now = state.emergency_clock.now(&state.tenant);
    let conn = crate::appdb::connect(&state.app_db_path)?;
    let open = crate::emergencies::open_enabled_stores(&state.tenant, &conn, now)?;
    drop(conn);
    if open.is_empty() {
        tracing::debug!(job = "emergencias", "no enabled store is open; nothing to scan");
        return Ok(None);
    }
    let req = crate::emergencies::ScanRequest {
        tiendas: Some(open),
        incluir_anomalias: true,
        usuario: None,
        disparado_por: crate::emergencies::Trigger::Scheduler,
    };
    crate::emergencies::scan(&state.tenant, &state.warehouse, &state.app_db_path, &req, now).map(Some)
}
