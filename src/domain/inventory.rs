//! The store inventory table's figures (spec 40 §7.2): levels from the P75, the stock state,
//! the product's activity and its sales velocity. Plain values in, plain values out; the
//! worked example E12 is the test below.

use serde::Serialize;

use super::replenishment::demand::{p75, std_sample};

/// Where a row's stock stands against its levels (thresholds inclusive: ≤ SS is critical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StockState {
    Critico,
    Urgente,
    Optimo,
    Exceso,
    SinDemanda,
}

impl StockState {
    pub const ALL: [StockState; 5] =
        [StockState::Critico, StockState::Urgente, StockState::Optimo, StockState::Exceso, StockState::SinDemanda];

    pub fn as_str(self) -> &'static str {
        match self {
            StockState::Critico => "CRITICO",
            StockState::Urgente => "URGENTE",
            StockState::Optimo => "OPTIMO",
            StockState::Exceso => "EXCESO",
            StockState::SinDemanda => "SIN_DEMANDA",
        }
    }

    pub fn parse(s: &str) -> Option<StockState> {
        Self::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Safety stock, reorder point and maximum in units, and the same in days of demand.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Levels {
    pub stock_seguridad: f64,
    pub punto_reorden: f64,
    pub stock_maximo: f64,
    pub dias_seguridad: f64,
    pub dias_reorden: f64,
    pub dias_maximo: f64,
}

/// SS = P75 × LT; ROP = P75 × (LT + target/2); MAX = P75 × (LT + target).
pub fn levels(p75: f64, lead_time: f64, target_days: f64) -> Levels {
    let (d_ss, d_rop, d_max) = (lead_time, lead_time + target_days / 2.0, lead_time + target_days);
    Levels {
        stock_seguridad: p75 * d_ss,
        punto_reorden: p75 * d_rop,
        stock_maximo: p75 * d_max,
        dias_seguridad: d_ss,
        dias_reorden: d_rop,
        dias_maximo: d_max,
    }
}

pub fn stock_state(stock: f64, p75: f64, l: &Levels) -> StockState {
    if p75 <= 0.0 {
        StockState::SinDemanda
    } else if stock <= l.stock_seguridad {
        StockState::Critico
    } else if stock <= l.punto_reorden {
        StockState::Urgente
    } else if stock <= l.stock_maximo {
        StockState::Optimo
    } else {
        StockState::Exceso
    }
}

/// Stock / P75, in days; `None` without demand.
pub fn coverage_days(stock: f64, p75: f64) -> Option<f64> {
    (p75 > 0.0).then(|| stock / p75)
}

/// What a product's stock and recent sales say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Activity {
    /// No stock and no sales in 30 days: a catalogue ghost.
    Fantasma,
    /// No stock yet it sold in 30 days: the stock figure is wrong or it ran out.
    Anomalia,
    /// Stock but no sale in 14 days.
    Dormido,
    Activo,
}

impl Activity {
    pub const ALL: [Activity; 4] = [Activity::Fantasma, Activity::Anomalia, Activity::Dormido, Activity::Activo];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Fantasma => "FANTASMA",
            Activity::Anomalia => "ANOMALIA",
            Activity::Dormido => "DORMIDO",
            Activity::Activo => "ACTIVO",
        }
    }

    pub fn parse(s: &str) -> Option<Activity> {
        Self::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// From the stock and the units sold in the last 30 and 14 complete days.
pub fn activity(stock: f64, units_30d: f64, units_14d: f64) -> Activity {
    match (stock <= 0.0, units_30d > 0.0) {
        (true, false) => Activity::Fantasma,
        (true, true) => Activity::Anomalia,
        _ if units_14d <= 0.0 => Activity::Dormido,
        _ => Activity::Activo,
    }
}

/// A product's state in *Análisis Maestro* (spec 50 §9.3): the activity of §7.2 refined by
/// where its stock stands against its levels. The spec names the seven states without
/// defining the two new ones; the rules, first match wins:
/// no stock → FANTASMA (no sale in 30 days) or ANOMALIA (sold); stock but no sale in 30 days
/// → SIN_VENTAS; none in 14 → DORMIDO; stock ≤ safety stock → CRITICO; ≤ reorder point →
/// AGOTANDOSE (it will need an order soon); else ACTIVO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MasterState {
    Activo,
    Agotandose,
    Critico,
    Dormido,
    SinVentas,
    Anomalia,
    Fantasma,
}

impl MasterState {
    pub const ALL: [MasterState; 7] = [
        MasterState::Activo,
        MasterState::Agotandose,
        MasterState::Critico,
        MasterState::Dormido,
        MasterState::SinVentas,
        MasterState::Anomalia,
        MasterState::Fantasma,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MasterState::Activo => "ACTIVO",
            MasterState::Agotandose => "AGOTANDOSE",
            MasterState::Critico => "CRITICO",
            MasterState::Dormido => "DORMIDO",
            MasterState::SinVentas => "SIN_VENTAS",
            MasterState::Anomalia => "ANOMALIA",
            MasterState::Fantasma => "FANTASMA",
        }
    }

    /// The screen's name.
    pub fn label(self) -> &'static str {
        match self {
            MasterState::Activo => "Activo",
            MasterState::Agotandose => "Agotándose",
            MasterState::Critico => "Crítico",
            MasterState::Dormido => "Dormido",
            MasterState::SinVentas => "Sin ventas",
            MasterState::Anomalia => "Anomalía",
            MasterState::Fantasma => "Fantasma",
        }
    }

    pub fn parse(s: &str) -> Option<MasterState> {
        Self::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

pub fn master_state(stock: f64, units_30d: f64, units_14d: f64, state: StockState) -> MasterState {
    match activity(stock, units_30d, units_14d) {
        Activity::Fantasma => MasterState::Fantasma,
        Activity::Anomalia => MasterState::Anomalia,
        Activity::Dormido if units_30d <= 0.0 => MasterState::SinVentas,
        Activity::Dormido => MasterState::Dormido,
        Activity::Activo => match state {
            StockState::Critico => MasterState::Critico,
            StockState::Urgente => MasterState::Agotandose,
            _ => MasterState::Activo,
        },
    }
}

/// Sales velocity from monthly units (spec 40 §6.2 bands; lower bounds inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Velocity {
    SinVentas,
    Baja,
    Media,
    Alta,
    MuyAlta,
}

impl Velocity {
    pub const ALL: [Velocity; 5] = [Velocity::SinVentas, Velocity::Baja, Velocity::Media, Velocity::Alta, Velocity::MuyAlta];

    pub fn as_str(self) -> &'static str {
        match self {
            Velocity::SinVentas => "SIN_VENTAS",
            Velocity::Baja => "BAJA",
            Velocity::Media => "MEDIA",
            Velocity::Alta => "ALTA",
            Velocity::MuyAlta => "MUY_ALTA",
        }
    }

    pub fn parse(s: &str) -> Option<Velocity> {
        Self::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// *Why not the original's integer ranges:* 0.5 or 5.5 units fell through them into the top
/// band, and 5, 15, 30 landed one band low.
pub fn velocity(monthly_units: f64) -> Velocity {
    match monthly_units {
        m if m <= 0.0 => Velocity::SinVentas,
        m if m < 5.0 => Velocity::Baja,
        m if m < 15.0 => Velocity::Media,
        m if m < 30.0 => Velocity::Alta,
        _ => Velocity::MuyAlta,
    }
}

/// P75 and sample σ of the daily units of the days with sales (the replenishment engine's
/// statistic: zero days are not in the list).
pub fn demand(sale_days: &[f64]) -> (f64, f64) {
    (p75(sale_days), std_sample(sale_days))
}

/// A CEDI's class by the rank of its region's aggregated units (≤ 50 A, ≤ 200 B, ≤ 800 C,
/// else D); `None` for a product that did not sell in the region.
pub fn regional_class(rank: Option<usize>) -> Option<super::replenishment::AbcClass> {
    use super::replenishment::AbcClass;
    rank.map(|r| match r {
        0..=50 => AbcClass::A,
        51..=200 => AbcClass::B,
        201..=800 => AbcClass::C,
        _ => AbcClass::D,
    })
}

/// How many rows are in each state (spec 40 §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct StateCounts {
    pub critico: usize,
    pub urgente: usize,
    pub optimo: usize,
    pub exceso: usize,
    pub sin_demanda: usize,
}

impl StateCounts {
    pub fn add(&mut self, s: StockState) {
        match s {
            StockState::Critico => self.critico += 1,
            StockState::Urgente => self.urgente += 1,
            StockState::Optimo => self.optimo += 1,
            StockState::Exceso => self.exceso += 1,
            StockState::SinDemanda => self.sin_demanda += 1,
        }
    }

    pub fn merge(&mut self, o: &StateCounts) {
        self.critico += o.critico;
        self.urgente += o.urgente;
        self.optimo += o.optimo;
        self.exceso += o.exceso;
        self.sin_demanda += o.sin_demanda;
    }

    pub fn total(&self) -> usize {
        self.critico + self.urgente + self.optimo + self.exceso + self.sin_demanda
    }

    /// (ÓPTIMO + EXCESO) / rows considered × 100, one decimal; 0 without rows. "Healthy"
    /// means no stock-out risk, so overstock counts as healthy by design.
    pub fn health_score(&self, with_no_demand: bool) -> f64 {
        let considered = self.total() - if with_no_demand { 0 } else { self.sin_demanda };
        if considered == 0 {
            return 0.0;
        }
        super::sales::round_half_away((self.optimo + self.exceso) as f64 / considered as f64 * 100.0, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_e15_health_score_with_and_without_no_demand() {
        let ab = StateCounts { critico: 10, urgente: 15, optimo: 40, exceso: 15, sin_demanda: 20 };
        assert_eq!(ab.health_score(true), 55.0);
        assert_eq!(ab.health_score(false), 68.8, "55 / 80 = 68.75 → 68.8");
        assert_eq!(StateCounts::default().health_score(false), 0.0);
    }

    #[test]
    fn worked_example_e12_levels_states_activity_and_velocity() {
        // Class B, LT 1.5, target 14; sale days 4, 6, 6, 8, 10 → P75 8.
        let (p, _) = demand(&[4.0, 6.0, 6.0, 8.0, 10.0]);
        assert_eq!(p, 8.0);
        let l = levels(p, 1.5, 14.0);
        assert_eq!((l.stock_seguridad, l.punto_reorden, l.stock_maximo), (12.0, 68.0, 124.0));
        assert_eq!(stock_state(70.0, p, &l), StockState::Optimo);
        assert_eq!(coverage_days(70.0, p), Some(8.75));
        assert_eq!(stock_state(68.0, p, &l), StockState::Urgente, "≤ ROP inclusive");
        assert_eq!(stock_state(12.0, p, &l), StockState::Critico, "≤ SS inclusive");
        assert_eq!(stock_state(125.0, p, &l), StockState::Exceso);
        assert_eq!(stock_state(10.0, 0.0, &levels(0.0, 1.5, 14.0)), StockState::SinDemanda);
        assert_eq!(coverage_days(10.0, 0.0), None);
        // Without class the target is C's 21 days: ROP 96, so 70 is urgent.
        let c = levels(p, 1.5, 21.0);
        assert_eq!(c.punto_reorden, 96.0);
        assert_eq!(stock_state(70.0, p, &c), StockState::Urgente);

        assert_eq!(activity(70.0, 30.0, 4.0), Activity::Activo);
        assert_eq!(activity(0.0, 3.0, 0.0), Activity::Anomalia);
        assert_eq!(activity(5.0, 3.0, 0.0), Activity::Dormido);
        assert_eq!(activity(-2.0, 0.0, 0.0), Activity::Fantasma);

        assert_eq!(velocity(5.0), Velocity::Media);
        assert_eq!(velocity(4.9), Velocity::Baja);
        assert_eq!(velocity(0.5), Velocity::Baja, "the original put 0.5 in MUY_ALTA");
        assert_eq!(velocity(30.0), Velocity::MuyAlta);
        assert_eq!(velocity(0.0), Velocity::SinVentas);
    }

    #[test]
    fn regional_classes_follow_the_rank_cuts() {
        use crate::domain::replenishment::AbcClass;
        assert_eq!(regional_class(Some(50)), Some(AbcClass::A));
        assert_eq!(regional_class(Some(51)), Some(AbcClass::B));
        assert_eq!(regional_class(Some(800)), Some(AbcClass::C));
        assert_eq!(regional_class(Some(801)), Some(AbcClass::D));
        assert_eq!(regional_class(None), None);
    }

    #[test]
    fn master_states_refine_activity_by_levels() {
        use MasterState::*;
        // E12's levels: SS 12, ROP 68, MAX 124 with P75 8.
        let l = levels(8.0, 1.5, 14.0);
        let st = |stock: f64| stock_state(stock, 8.0, &l);
        assert_eq!(master_state(0.0, 0.0, 0.0, st(0.0)), Fantasma);
        assert_eq!(master_state(-2.0, 3.0, 0.0, st(-2.0)), Anomalia);
        assert_eq!(master_state(5.0, 0.0, 0.0, st(5.0)), SinVentas);
        assert_eq!(master_state(5.0, 4.0, 0.0, st(5.0)), Dormido);
        assert_eq!(master_state(12.0, 40.0, 20.0, st(12.0)), Critico);
        assert_eq!(master_state(68.0, 40.0, 20.0, st(68.0)), Agotandose);
        assert_eq!(master_state(70.0, 40.0, 20.0, st(70.0)), Activo);
        assert_eq!(master_state(125.0, 40.0, 20.0, st(125.0)), Activo, "excess is still an active product");
        assert_eq!(MasterState::parse("agotandose"), Some(Agotandose));
    }
}
