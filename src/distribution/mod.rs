//! Distribution (spec 31) over storage: a multi-store batch from one CEDI — each store's need
//! from the one replenishment engine, the conflicts and their DPD+U shares — and saving the
//! batch as one group of store orders. The rules are in `domain::distribution`.

pub mod exclusions;
pub mod inter_cedi;
pub mod inter_cedi_history;
pub mod inter_cedi_orders;
pub mod multi_store;
pub mod substitutes;

use crate::config::{Store, Tenant};
use crate::replenishment::{supplying_cedis, ReplenishmentError};

#[derive(Debug, thiserror::Error)]
pub enum DistributionError {
    #[error("{message}")]
    Validation { field: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// An order not in the state an action or edit needs (the message names both).
    #[error("{0}")]
    WrongState(String),
    #[error(transparent)]
    Replenishment(#[from] ReplenishmentError),
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
}

/// An optional catalogue text as an owned string (the responses' product fields).
pub(crate) fn text(t: &Option<crate::domain::text::Text>) -> Option<String> {
    t.as_ref().map(|t| t.as_str().to_string())
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> DistributionError {
    DistributionError::Validation { field, message: message.into() }
}

/// The active CEDIs, sorted by region then name (the wizard's origin list).
pub fn active_cedis(tenant: &Tenant) -> Vec<&Store> {
    let mut v: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && s.is_cedi()).collect();
    v.sort_by(|a, b| a.region.cmp(&b.region).then_with(|| a.name.cmp(&b.name)));
    v
}

/// The active stores a CEDI supplies (the tenant's regions and `serves_regions`, never an id
/// in the code), sorted by name. None when `cedi` is not an active CEDI.
pub fn stores_of_cedi<'a>(tenant: &'a Tenant, cedi: &str) -> Option<Vec<&'a Store>> {
    tenant.stores().iter().find(|s| s.id == cedi && s.active && s.is_cedi())?;
    let mut v: Vec<&Store> =
        tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && supplying_cedis(tenant, s).iter().any(|c| c == cedi)).collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    Some(v)
}
