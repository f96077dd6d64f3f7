//! `fluxion import <dir> --config tenant.toml [--skip-bad-rows] [--date YYYY-MM-DD]` (contract: docs/import-format.md)

use std::path::Path;

use crate::sources::files::{import_dir_reporting, ImportError, ImportOptions};

/// At most this many row errors are printed (the total is always given).
const SHOWN_ERRORS: usize = 100;

pub fn run(dir: &Path, config: &Path, skip_bad_rows: bool, date: Option<chrono::NaiveDate>) -> i32 {
    crate::tune_allocator_for_batch_work();
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = ImportOptions { skip_bad_rows, now_utc: chrono::Utc::now().naive_utc() };
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let imported = import_dir_reporting(&state.warehouse, &state.tenant, dir, &opts, &|step| spinner.set_message(format!("{step}…")));
    spinner.finish_and_clear();
    match imported {
        Ok(report) => {
            println!(
                "{:<28} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8} {:>10}",
                "archivo", "leídas", "nuevas", "actualizadas", "iguales", "rechazadas", "seg", "filas/s"
            );
            for f in &report.files {
                let per_second = if f.seconds > 0.0 { f.read as f64 / f.seconds } else { 0.0 };
                println!(
                    "{:<28} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8.2} {:>10.0}",
                    f.file, f.read, f.inserted, f.updated, f.unchanged, f.rejected, f.seconds, per_second
                );
            }
            if report.files.iter().any(|f| f.rejected > 0) {
                println!("Filas rechazadas escritas en {}", dir.join("rejected").display());
            }
            // An import is a sales load: the classification and demand caches follow it, for
            // `--date` when given (a chain onboarded from history), else today.
            if report.files.iter().any(|f| f.inserted + f.updated > 0) {
                let date = date.unwrap_or_else(|| super::classify::tenant_today(&state));
                if let Err(e) = super::classify::rebuild_for(&state, date) {
                    eprintln!("aviso: cachés de clasificación no recalculadas: {e}");
                }
            }
            0
        }
        Err(e) => {
            if let ImportError::Refused { errors, total } = &e {
                for err in errors.iter().take(SHOWN_ERRORS) {
                    eprintln!("{err}");
                }
                eprintln!("import refused: {total} error(s); nothing was written");
            } else {
                eprintln!("error: {e}");
            }
            e.exit_code()
        }
    }
}
