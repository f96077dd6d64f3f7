//! ABC/XYZ classification caches (spec 30 §4–§5): every store and the whole chain, all four
//! ABC models, rebuilt after sales loads and nightly, together with the demand P75 cache of
//! the regional reference (`replenishment::demand_cache::rebuild`). The replenishment engine computes the
//! same classes on the fly for its business date; these tables serve analytics and screens.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use duckdb::params;

use crate::appdb::inventory_settings::abc_settings;
use crate::config::Tenant;
use crate::domain::replenishment::{classify_abc, classify_xyz, AbcModel, XyzConfig};
use crate::domain::traffic_generators::rank as rank_traffic;
use crate::warehouse::{replenishment as wq, traffic_generators as wt, Warehouse};

#[derive(Debug, thiserror::Error)]
pub enum ClassificationError {
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    Open(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Demand(#[from] crate::replenishment::ReplenishmentError),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheReport {
    pub stores: usize,
    /// ABC/XYZ rows (what `abc_cache_control.productos_procesados` records).
    pub rows: usize,
    /// P75s written to the demand cache.
    pub p75s: usize,
    /// Products with traffic-generator metrics (spec 40 §5.1).
    pub generadores: usize,
    /// Time spent counting the window's tickets for those metrics.
    pub generadores_ms: u128,
    pub ms: u128,
}

const GLOBAL: &str = "*";

/// Selling-day totals per product over [from, to] (one location, or the chain summed).
fn daily_series(
    conn: &duckdb::Connection,
    location: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<BTreeMap<String, Vec<f64>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, sum(cantidad)::DOUBLE FROM ventas_diarias
         WHERE (? IS NULL OR ubicacion_id = ?) AND fecha BETWEEN ? AND ?
         GROUP BY producto_codigo, fecha ORDER BY producto_codigo, fecha",
    )?;
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut rows = stmt.query(params![location, location, from, to])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(out)
}

/// [`rebuild`] with its own connection to the application database at `app_db`: for the
/// jobs that run beside others (ETL, scheduler, CLI import) and must not hold a shared one.
pub fn rebuild_at(tenant: &Tenant, wh: &Warehouse, app_db: &std::path::Path, today: NaiveDate) -> Result<CacheReport, ClassificationError> {
    let app = crate::appdb::connect(app_db)?;
    rebuild(tenant, wh, &app, today)
}

/// Recomputes both caches for business date `today` (window ends yesterday) and logs the
/// run in `abc_cache_control`.
#[allow(clippy::expect_used)] // a struct of numbers and strings always serialises
pub fn rebuild(tenant: &Tenant, wh: &Warehouse, app: &rusqlite::Connection, today: NaiveDate) -> Result<CacheReport, ClassificationError> {
    let started = Instant::now();
    let settings = abc_settings(app)?;
    let xyz = XyzConfig::default();
    app.execute(
        "INSERT INTO abc_cache_control (proceso, inicio, estado, parametros) VALUES ('abc', ?1, 'en_proceso', ?2)",
        rusqlite::params![crate::appdb::now_rfc3339(), serde_json::to_string(&settings).expect("serialisable")],
    )
    .map_err(crate::appdb::AppDbError::from)?;
    let run_id = app.last_insert_rowid();
    let traffic = crate::appdb::traffic_generators::analysis_settings(app)?;
    // The demand P75 cache has the same triggers (sales loads, the nightly run).
    let result = compute_and_store(tenant, wh, &settings, &xyz, &traffic, today).and_then(|mut report| {
        report.p75s = crate::replenishment::demand_cache::rebuild(tenant, app, wh, today)?;
        Ok(report)
    });
    let (estado, rows, error) = match &result {
        Ok(r) => ("completado", Some(r.rows as i64), None),
        Err(e) => ("error", None, Some(e.to_string())),
    };
    app.execute(
        "UPDATE abc_cache_control SET fin = ?2, estado = ?3, productos_procesados = ?4, duracion_ms = ?5, error = ?6 WHERE id = ?1",
        rusqlite::params![run_id, crate::appdb::now_rfc3339(), estado, rows, started.elapsed().as_millis() as i64, error],
    )
    .map_err(crate::appdb::AppDbError::from)?;
    let mut report = result?;
    report.ms = started.elapsed().as_millis();
    tracing::info!(
        stores = report.stores,
        rows = report.rows,
        p75s = report.p75s,
        generadores = report.generadores,
        generadores_ms = report.generadores_ms as u64,
        ms = report.ms as u64,
        "classification caches rebuilt"
    );
    Ok(report)
}

fn compute_and_store(
    tenant: &Tenant,
    wh: &Warehouse,
    settings: &crate::appdb::inventory_settings::AbcSettings,
    xyz: &XyzConfig,
    (traffic_days, traffic_excluded): &(u32, Vec<String>),
    today: NaiveDate,
) -> Result<CacheReport, ClassificationError> {
    let from = today - Duration::days(i64::from(settings.ventana_dias));
    let to = today - Duration::days(1);
    let xyz_from = today - Duration::days(i64::from(xyz.ventana_dias));
    let reader = wh.reader()?;
    let stores: Vec<&str> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi()).map(|s| s.id.as_str()).collect();
    let mut tables: Vec<(&str, Vec<Row>)> = Vec::new();
    for location in stores.iter().map(|s| Some(*s)).chain([None]) {
        let inputs = wq::abc_inputs(&reader, location, today, settings.ventana_dias, &settings.codigos_excluidos)?;
        let series = daily_series(&reader, location, xyz_from, to)?;
        let rows = classify_abc(&inputs, &settings.umbrales, settings.modelo_activo)
            .into_iter()
            .map(|r| {
                let x = series.get(&r.codigo).map(|v| classify_xyz(v, xyz));
                Row { ubicacion: location.unwrap_or(GLOBAL).to_string(), abc: r, xyz: x }
            })
            .collect();
        tables.push((if location.is_some() { "productos_abc_tienda" } else { "productos_abc_cache" }, rows));
    }
    // Traffic generators (spec 40 §5.1): distinct tickets need the window's sale lines.
    let traffic_started = Instant::now();
    let (traffic_from, traffic_to) = (today - Duration::days(i64::from(*traffic_days)), today - Duration::days(1));
    let (traffic, total_tickets) = wt::window_traffic(&reader, traffic_from, traffic_to, &stores, traffic_excluded)?;
    let metrics = rank_traffic(&traffic, total_tickets);
    let generadores_ms = traffic_started.elapsed().as_millis();
    drop(reader);
    let rows = tables.iter().map(|(_, r)| r.len()).sum();
    wh.write(|conn| -> duckdb::Result<()> {
        conn.execute_batch("DELETE FROM productos_abc_tienda; DELETE FROM productos_abc_cache;")?;
        for (table, rows) in &tables {
            let mut app = conn.appender(table)?;
            for row in rows {
                let r = &row.abc;
                let class = |c: crate::domain::replenishment::AbcClass| format!("{c:?}");
                app.append_row(params![
                    row.ubicacion,
                    r.codigo,
                    r.cantidad_30d,
                    r.venta_30d,
                    r.tickets_30d as i64,
                    r.rank_cantidad,
                    r.rank_valor,
                    r.rank_penetracion,
                    r.gap,
                    r.porcentaje_venta,
                    r.porcentaje_acumulado,
                    class(r.clase_ranking_vol),
                    class(r.clase_ranking_val),
                    class(r.clase_pareto_vol),
                    class(r.clase_pareto_val),
                    class(r.clase_abc),
                    row.xyz.as_ref().and_then(|x| x.clase).map(|c| c.as_str()),
                    row.xyz.as_ref().map(|x| x.cv),
                    row.xyz.as_ref().map(|x| x.dias_venta).unwrap_or(0),
                    today,
                    from,
                    to
                ])?;
            }
            app.flush()?;
        }
        wt::replace(conn, &metrics, total_tickets, today, traffic_from, traffic_to)?;
        // The kept history: what changed against the classes in force the day before.
        crate::warehouse::class_history::record(conn, today)?;
        Ok(())
    })?;
    Ok(CacheReport { stores: stores.len(), rows, p75s: 0, generadores: metrics.len(), generadores_ms, ms: 0 })
}

struct Row {
    ubicacion: String,
    abc: crate::domain::replenishment::AbcRow,
    xyz: Option<crate::domain::replenishment::XyzResult>,
}

/// Switching the active model is instant: copy that model's column into `clase_abc`.
pub fn apply_active_model(wh: &Warehouse, model: AbcModel) -> Result<(), ClassificationError> {
    let column = match model {
        AbcModel::RankingVolumen => "clase_ranking_vol",
        AbcModel::RankingValor => "clase_ranking_val",
        AbcModel::ParetoVolumen => "clase_pareto_vol",
        AbcModel::ParetoValor => "clase_pareto_val",
    };
    wh.write(|conn| {
        conn.execute_batch(&format!(
            "UPDATE productos_abc_tienda SET clase_abc = {column}; UPDATE productos_abc_cache SET clase_abc = {column};"
        ))
    })?;
    Ok(())
}
