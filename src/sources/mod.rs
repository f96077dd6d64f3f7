//! Where facts come from. Each source yields the typed records of `domain::records`,
//! which `warehouse::load` writes.

pub mod files;
pub mod klk;
pub mod pos;
pub mod stellar;
pub mod synthetic;
