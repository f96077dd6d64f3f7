//! `[bi]` of tenant.toml: the per-family GMROI × rotation thresholds of *Por Producto*
//! (spec 40 §3.4), e.g. `[bi.umbrales.cedi_frio] gmroi_alto = 2.0, gmroi_bajo = 1.2,
//! rot_alta = 15, rot_baja = 8`. A family not listed keeps the spec's table.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Problem;
use crate::domain::bi_products::{default_thresholds, Thresholds, FAMILIES};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BiSection {
    /// Storage family (`cedi_origen_id`) → thresholds.
    #[serde(default)]
    pub umbrales: BTreeMap<String, Thresholds>,
}

impl BiSection {
    /// The thresholds of a family: the tenant's, else the spec's.
    pub fn thresholds(&self, family: &str) -> Thresholds {
        self.umbrales.get(family).copied().unwrap_or_else(|| default_thresholds(family))
    }

    /// Every family with thresholds: the spec's three and the tenant's own.
    pub fn families(&self) -> Vec<&str> {
        let mut out: Vec<&str> = FAMILIES.to_vec();
        out.extend(self.umbrales.keys().map(String::as_str).filter(|f| !FAMILIES.contains(f)));
        out
    }

    pub(super) fn problems(&self) -> Vec<Problem> {
        self.umbrales
            .iter()
            .flat_map(|(family, t)| t.problems().into_iter().map(move |m| Problem { key: format!("bi.umbrales.{family}"), message: m }))
            .collect()
    }
}
