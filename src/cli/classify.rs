//! `fluxion classify --config tenant.toml [--date YYYY-MM-DD]`: rebuilds the ABC/XYZ and
//! demand caches for one business date. Loads rebuild them for today; a chain onboarded
//! from history, a demo, or a check of last week's proposal needs them for another day.

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;

use crate::app::AppState;

pub fn run(config: &Path, date: Option<NaiveDate>) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let date = date.unwrap_or_else(|| tenant_today(&state));
    match rebuild_for(&state, date) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cachés de clasificación no recalculadas para {date}: {e}");
            1
        }
    }
}

/// Today's date in the tenant's time zone: the default business date.
pub fn tenant_today(state: &AppState) -> NaiveDate {
    state.tenant.today()
}

/// Rebuilds both caches for business date `date` (demand windows end the day before),
/// with a spinner while it runs and one summary line.
pub fn rebuild_for(state: &AppState, date: NaiveDate) -> Result<(), crate::classification::ClassificationError> {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("clasificando ABC/XYZ y demanda para {date}…"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = crate::classification::rebuild_at(&state.tenant, &state.warehouse, &state.app_db_path, date);
    spinner.finish_and_clear();
    let report = result?;
    println!(
        "Clasificación para {date}: {} tiendas, {} filas ABC/XYZ, {} P75 de demanda — {:.1} s",
        report.stores,
        report.rows,
        report.p75s,
        report.ms as f64 / 1000.0
    );
    Ok(())
}
