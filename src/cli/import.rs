//! `fluxion import <dir> --config tenant.toml [--skip-bad-rows]` (contract: docs/import-format.md)

use std::path::Path;

use crate::sources::files::{import_dir, ImportError, ImportOptions};

/// At most this many row errors are printed (the total is always given).
const SHOWN_ERRORS: usize = 100;

pub fn run(dir: &Path, config: &Path, skip_bad_rows: bool) -> i32 {
    let state = match super::open_tenant(config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = ImportOptions { skip_bad_rows, now_utc: chrono::Utc::now().naive_utc() };
    match import_dir(&state.warehouse, &state.tenant, dir, &opts) {
        Ok(report) => {
            println!("{:<28} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8}", "archivo", "leídas", "nuevas", "actualizadas", "iguales", "rechazadas", "seg");
            for f in &report.files {
                println!(
                    "{:<28} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8.2}",
                    f.file, f.read, f.inserted, f.updated, f.unchanged, f.rejected, f.seconds
                );
            }
            if report.files.iter().any(|f| f.rejected > 0) {
                println!("Filas rechazadas escritas en {}", dir.join("rejected").display());
            }
            // An import is a sales load: the classification and demand caches follow it.
            if report.files.iter().any(|f| f.inserted + f.updated > 0) {
                let today = chrono::Utc::now().with_timezone(&state.tenant.timezone).date_naive();
                if let Err(e) = crate::classification::rebuild_at(&state.tenant, &state.warehouse, &state.app_db_path, today) {
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
