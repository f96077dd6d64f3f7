//! `fluxion generate --scale … --seed … --config …`

use std::path::Path;

use chrono::NaiveDate;

use crate::app::AppState;
use crate::sources::synthetic::{self, GenerateOptions, Scale};

pub fn run(scale: Scale, seed: u64, config: &Path, end_date: Option<NaiveDate>) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match generate_into(&state, scale, seed, end_date) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// Yesterday in the tenant's time zone: the last complete business day.
pub fn default_end_date(state: &AppState) -> NaiveDate {
    let today = state.tenant.today();
    today - chrono::Days::new(1)
}

pub fn generate_into(state: &AppState, scale: Scale, seed: u64, end_date: Option<NaiveDate>) -> Result<(), Box<dyn std::error::Error>> {
    let end_date = end_date.unwrap_or_else(|| default_end_date(state));
    let opts = GenerateOptions { scale, seed, end_date };
    let bar = super::progress_bar(100, "generando");
    let report = synthetic::generate(&state.warehouse, &state.tenant.file, &opts, &|done, total, label| {
        bar.set_length(total.max(1));
        bar.set_position(done);
        bar.set_message(label.to_string());
    })?;
    bar.finish_and_clear();
    // Post-load work: the classification caches for the day after the last generated day.
    let app = crate::appdb::connect(&state.app_db_path)?;
    let today = end_date + chrono::Days::new(1);
    if let Err(e) = crate::classification::rebuild(&state.tenant, &state.warehouse, &app, today) {
        eprintln!("warning: classification caches not rebuilt: {e}");
    }
    println!(
        "Cadena sintética ({scale:?}, semilla {seed}, hasta {end_date}): {} productos, {} líneas de venta, {} tickets, \
         {} filas de historial de inventario, {} cargas de inventario — {:.1} s",
        report.products, report.sale_lines, report.tickets, report.history_rows, report.stock_loads, report.seconds
    );
    Ok(())
}
