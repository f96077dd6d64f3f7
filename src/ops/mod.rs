//! Operations: backups and restore of a tenant's data, and the identity of the running
//! release (what `make deploy` checks after a switch).

pub mod backup;
pub mod release;
