//! Product profitability rules of BI (spec 40 §2, §3.4, §3.6): GMROI and annual rotation
//! annualised by 365/W, the storage family of a product, the per-family thresholds and the
//! GMROI × rotation quadrant. Pure arithmetic.

use serde::{Deserialize, Serialize};

/// The storage families the spec names, and the one a product without a known family takes.
pub const FAMILIES: [&str; 3] = ["cedi_seco", "cedi_frio", "cedi_verde"];
pub const DEFAULT_FAMILY: &str = "cedi_seco";

/// A family's thresholds (§3.4); the cuts are the midpoints.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub gmroi_alto: f64,
    pub gmroi_bajo: f64,
    pub rot_alta: f64,
    pub rot_baja: f64,
}

impl Thresholds {
    pub fn cut_gmroi(&self) -> f64 {
        (self.gmroi_alto + self.gmroi_bajo) / 2.0
    }

    pub fn cut_rotation(&self) -> f64 {
        (self.rot_alta + self.rot_baja) / 2.0
    }

    /// What is wrong with a tenant's thresholds (empty when fine): positive, low below high.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let all = [self.gmroi_alto, self.gmroi_bajo, self.rot_alta, self.rot_baja];
        if all.iter().any(|v| !v.is_finite() || *v <= 0.0) {
            out.push("los umbrales deben ser números mayores que 0".to_string());
        }
        if self.gmroi_bajo >= self.gmroi_alto {
            out.push("gmroi_bajo debe ser menor que gmroi_alto".to_string());
        }
        if self.rot_baja >= self.rot_alta {
            out.push("rot_baja debe ser menor que rot_alta".to_string());
        }
        out
    }
}

/// The spec's table (§3.4); any other family uses the dry one's.
pub fn default_thresholds(family: &str) -> Thresholds {
    match family {
        "cedi_frio" => Thresholds { gmroi_alto: 2.0, gmroi_bajo: 1.2, rot_alta: 15.0, rot_baja: 8.0 },
        "cedi_verde" => Thresholds { gmroi_alto: 1.8, gmroi_bajo: 1.0, rot_alta: 25.0, rot_baja: 12.0 },
        _ => Thresholds { gmroi_alto: 2.5, gmroi_bajo: 1.5, rot_alta: 8.0, rot_baja: 4.0 },
    }
}

/// The storage family of a product (`cedi_origen_id`): one of `known`, else the dry one
/// (unknown and NULL are treated as `cedi_seco`, §1.5).
pub fn family_of<'a>(cedi_origen_id: Option<&'a str>, known: &[&str]) -> &'a str {
    match cedi_origen_id.map(str::trim) {
        Some(f) if known.contains(&f) => f,
        _ => DEFAULT_FAMILY,
    }
}

/// `(utilidad × 365/W) / inv_prom`; 0 when inv_prom ≤ 0 (§2).
pub fn gmroi(utilidad: f64, dias: i64, inv_prom: f64) -> f64 {
    annualised(utilidad, dias, inv_prom)
}

/// `(costo × 365/W) / inv_prom`; 0 when inv_prom ≤ 0 (§2).
pub fn rotation(costo: f64, dias: i64, inv_prom: f64) -> f64 {
    annualised(costo, dias, inv_prom)
}

fn annualised(v: f64, dias: i64, inv_prom: f64) -> f64 {
    if inv_prom > 0.0 && dias > 0 {
        v * (365.0 / dias as f64) / inv_prom
    } else {
        0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Quadrant {
    /// High GMROI, high rotation.
    Estrella,
    /// High GMROI, low rotation.
    Nicho,
    /// Low GMROI, high rotation.
    Vaca,
    /// Low GMROI, low rotation.
    Perro,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [Quadrant::Estrella, Quadrant::Nicho, Quadrant::Vaca, Quadrant::Perro];

    pub fn parse(s: &str) -> Option<Quadrant> {
        Quadrant::ALL.into_iter().find(|q| q.code().eq_ignore_ascii_case(s))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Quadrant::Estrella => "ESTRELLA",
            Quadrant::Nicho => "NICHO",
            Quadrant::Vaca => "VACA",
            Quadrant::Perro => "PERRO",
        }
    }
}

/// The quadrant of a product: high ⇔ at or above the family's cut (§3.4).
pub fn quadrant(gmroi: f64, rotation: f64, t: &Thresholds) -> Quadrant {
    match (gmroi >= t.cut_gmroi(), rotation >= t.cut_rotation()) {
        (true, true) => Quadrant::Estrella,
        (true, false) => Quadrant::Nicho,
        (false, true) => Quadrant::Vaca,
        (false, false) => Quadrant::Perro,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sales::round_half_away;

    #[test]
    fn e3_gmroi_rotation_and_the_quadrant_of_each_family() {
        // W = 30: ventas 3,000, costo 2,400 → utilidad 600; inv_prom 3,000.
        let g = gmroi(600.0, 30, 3000.0);
        let r = rotation(2400.0, 30, 3000.0);
        assert_eq!((round_half_away(g, 2), round_half_away(r, 2)), (2.43, 9.73));
        let q = |family: Option<&str>| quadrant(g, r, &default_thresholds(family_of(family, &FAMILIES)));
        assert_eq!(q(Some("cedi_seco")), Quadrant::Estrella);
        assert_eq!(q(Some("cedi_frio")), Quadrant::Nicho);
        assert_eq!(q(Some("cedi_verde")), Quadrant::Nicho);
        assert_eq!(q(None), Quadrant::Estrella, "NULL family → as seco");
        assert_eq!(q(Some("cedi_lacteos")), Quadrant::Estrella, "unknown family → as seco");
        // The original's non-annualised figures would land in VACA for seco.
        assert_eq!(quadrant(0.20, 9.60, &default_thresholds("cedi_seco")), Quadrant::Vaca);
    }

    #[test]
    fn e3_edges_no_inventory_and_exact_cuts() {
        assert_eq!((gmroi(600.0, 30, 0.0), rotation(2400.0, 30, 0.0)), (0.0, 0.0));
        let seco = default_thresholds("cedi_seco");
        assert_eq!(quadrant(0.0, 0.0, &seco), Quadrant::Perro);
        assert_eq!((seco.cut_gmroi(), seco.cut_rotation()), (2.0, 6.0));
        assert_eq!(quadrant(2.0, 6.0, &seco), Quadrant::Estrella, "≥ at the cut");
        let frio = default_thresholds("cedi_frio");
        assert_eq!((frio.cut_gmroi(), frio.cut_rotation()), (1.6, 11.5));
        let verde = default_thresholds("cedi_verde");
        assert_eq!((verde.cut_gmroi(), verde.cut_rotation()), (1.4, 18.5));
    }

    #[test]
    fn thresholds_out_of_order_are_reported() {
        assert!(default_thresholds("cedi_seco").problems().is_empty());
        let bad = Thresholds { gmroi_alto: 1.0, gmroi_bajo: 2.0, rot_alta: 4.0, rot_baja: 8.0 };
        assert_eq!(bad.problems().len(), 2);
        assert_eq!(Thresholds { gmroi_alto: 0.0, ..default_thresholds("x") }.problems().len(), 2);
        assert_eq!(Quadrant::parse("estrella"), Some(Quadrant::Estrella));
        assert_eq!(Quadrant::parse("gato"), None);
    }
}
