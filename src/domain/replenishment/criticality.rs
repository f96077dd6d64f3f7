//! Criticality / priority (spec 30 §10), computed once by the backend.
//!
//! *Why:* the original computed it three different ways in the browser (one of them with an
//! approximation SS = L days, ROP = L + cov/2, MAX = L + cov); the grid, the filter and the
//! modal disagreed. There is one formula here.

use serde::Serialize;

use super::classification::AbcClass;

/// Score of a line without demand (shown "–", sorted last).
pub const NO_CRITICALITY_SCORE: u32 = 999;

/// Level, 1 = most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CriticalityLevel {
    Critico,
    Urgente,
    Optimo,
    Exceso,
}

impl CriticalityLevel {
    pub fn number(self) -> u8 {
        match self {
            CriticalityLevel::Critico => 1,
            CriticalityLevel::Urgente => 2,
            CriticalityLevel::Optimo => 3,
            CriticalityLevel::Exceso => 4,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CriticalityLevel::Critico => "CRÍTICO",
            CriticalityLevel::Urgente => "URGENTE",
            CriticalityLevel::Optimo => "ÓPTIMO",
            CriticalityLevel::Exceso => "EXCESO",
        }
    }
}

/// Class weight of the score: A 1, B 2, C 3, D 4, none 5.
pub fn class_weight(c: Option<AbcClass>) -> u32 {
    match c {
        Some(AbcClass::A) => 1,
        Some(AbcClass::B) => 2,
        Some(AbcClass::C) => 3,
        Some(AbcClass::D) => 4,
        None => 5,
    }
}

/// Criticality of a line; serialised flat into the suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criticality {
    /// 10 · level + class weight; 999 without demand. Lower = more urgent.
    pub criticidad: u32,
    pub nivel_criticidad: Option<u8>,
    pub estado_criticidad: Option<CriticalityLevel>,
    pub etiqueta_criticidad: Option<String>,
    /// E / D, and the level thresholds in days (SS/D, ROP/D, MAX/D); `None` without demand.
    pub dias_stock: Option<f64>,
    pub dias_stock_seguridad: Option<f64>,
    pub dias_punto_reorden: Option<f64>,
    pub dias_stock_maximo: Option<f64>,
}

impl Criticality {
    /// No demand → no criticality.
    pub fn none() -> Criticality {
        Criticality {
            criticidad: NO_CRITICALITY_SCORE,
            nivel_criticidad: None,
            estado_criticidad: None,
            etiqueta_criticidad: None,
            dias_stock: None,
            dias_stock_seguridad: None,
            dias_punto_reorden: None,
            dias_stock_maximo: None,
        }
    }
}

/// Level from effective stock E against SS / ROP / MAX (upper bounds inclusive).
pub fn criticality_level(e: f64, ss: f64, rop: f64, max: f64) -> CriticalityLevel {
    if e <= ss {
        CriticalityLevel::Critico
    } else if e <= rop {
        CriticalityLevel::Urgente
    } else if e <= max {
        CriticalityLevel::Optimo
    } else {
        CriticalityLevel::Exceso
    }
}

/// Criticality of a line with demand D, effective stock E and levels (units). The class is the
/// effective class (a traffic generator weighs as A, as it is computed as A).
pub fn criticality(demanda: f64, e: f64, ss: f64, rop: f64, max: f64, clase: Option<AbcClass>) -> Criticality {
    if !(demanda.is_finite() && demanda > 0.0) {
        return Criticality::none();
    }
    let level = criticality_level(e, ss, rop, max);
    Criticality {
        criticidad: 10 * u32::from(level.number()) + class_weight(clase),
        nivel_criticidad: Some(level.number()),
        estado_criticidad: Some(level),
        etiqueta_criticidad: Some(level.label().to_string()),
        dias_stock: Some(e / demanda),
        dias_stock_seguridad: Some(ss / demanda),
        dias_punto_reorden: Some(rop / demanda),
        dias_stock_maximo: Some(max / demanda),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_scores() {
        let c = criticality(10.0, 5.0, 5.0, 20.0, 100.0, Some(AbcClass::B));
        assert_eq!((c.nivel_criticidad, c.criticidad), (Some(1), 12));
        let c = criticality(10.0, 20.0, 5.0, 20.0, 100.0, None);
        assert_eq!((c.nivel_criticidad, c.criticidad), (Some(2), 25));
        let c = criticality(10.0, 100.0, 5.0, 20.0, 100.0, Some(AbcClass::D));
        assert_eq!((c.estado_criticidad, c.criticidad), (Some(CriticalityLevel::Optimo), 34));
        let c = criticality(10.0, 100.1, 5.0, 20.0, 100.0, Some(AbcClass::A));
        assert_eq!((c.etiqueta_criticidad.as_deref(), c.criticidad), (Some("EXCESO"), 41));
        assert_eq!(criticality(0.0, 1.0, 0.0, 0.0, 0.0, Some(AbcClass::A)), Criticality::none());
        assert_eq!(Criticality::none().criticidad, 999);
    }
}
