//! The scheduled jobs of this tenant: each feature registers its handler under its
//! `[schedules]` key (inventario, ventas, ventas_recovery, abc_recalc, backup, …).

use crate::http::AppState;
use crate::scheduler::Registry;

pub fn registry(state: &AppState) -> Registry {
    let registry = Registry::default();
    let _ = state;
    registry
}
