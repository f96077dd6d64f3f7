//! Emergencies (spec 40 §4): which products of a store will not last the rest of today.
//!
//! A store's day is described by an hourly profile (`w_h`, the share of revenue in each hour)
//! learned from the same weekday of the previous four weeks, or the original's fixed profile
//! when fewer than two such days had sales. From it: the fraction of the day already gone at
//! the minute (`F`), the intensity factor (today's revenue so far against what the history
//! expects by now), each product's remaining demand `R = D × factor × (1 − F)`, its coverage
//! `S / R`, the emergency type by the store's thresholds and the clock time at which the stock
//! runs out walking forward through the profile (§4.5), so list and detail agree.
//!
//! Plain values in, plain values out: callers pass local wall-clock times of the store (the
//! tenant's zone) and the figures they read. The worked examples E6–E8 are the tests below.

use std::cmp::Ordering;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::sales::round_half_away;
use super::store_hours::StoreHours;

/// The original's only profile (§4.2): 09–19 h, the fallback when the history is too short.
pub const DEFAULT_PROFILE: [f64; 24] =
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.08, 0.10, 0.12, 0.10, 0.08, 0.10, 0.12, 0.10, 0.10, 0.05, 0.0, 0.0, 0.0, 0.0];
/// Same-weekday days with sales needed before a store's own profile is trusted.
pub const MIN_PROFILE_DAYS: usize = 2;
/// Weeks of same-weekday history behind the profile and the intensity factor.
pub const HISTORY_WEEKS: i64 = 4;
/// Complete days behind a product's daily demand.
pub const DEMAND_DAYS: i64 = 30;
/// Remaining demand at or below this many units is not worth an alert.
pub const MIN_REMAINING_UNITS: f64 = 0.1;

/// Emergency types, most severe first (the derived order is the list's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EmergencyType {
    Stockout,
    Critico,
    Inminente,
    Alerta,
}

impl EmergencyType {
    pub const ALL: [EmergencyType; 4] = [EmergencyType::Stockout, EmergencyType::Critico, EmergencyType::Inminente, EmergencyType::Alerta];

    pub fn as_str(self) -> &'static str {
        match self {
            EmergencyType::Stockout => "STOCKOUT",
            EmergencyType::Critico => "CRITICO",
            EmergencyType::Inminente => "INMINENTE",
            EmergencyType::Alerta => "ALERTA",
        }
    }

    /// Case-insensitive; `None` for anything else.
    pub fn parse(s: &str) -> Option<EmergencyType> {
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The two types that are mailed to the store's recipients when they first appear.
    pub fn is_notified(self) -> bool {
        matches!(self, EmergencyType::Stockout | EmergencyType::Critico)
    }
}

/// A threshold configuration that breaks `0 < crítico < inminente < alerta ≤ 1`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ThresholdError {
    pub field: &'static str,
    pub message: String,
}

/// Coverage thresholds of a store (fractions of the remaining demand).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub critico: f64,
    pub inminente: f64,
    pub alerta: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { critico: 0.25, inminente: 0.50, alerta: 0.75 }
    }
}

fn pct(v: f64) -> String {
    let p = round_half_away(v * 100.0, 1);
    if p.fract() == 0.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %").replace('.', ",")
    }
}

impl Thresholds {
    /// `0 < crítico < inminente < alerta ≤ 1` (§4.1), with a message for the user naming
    /// the first threshold out of order.
    pub fn check(&self) -> Result<(), ThresholdError> {
        let fail = |field, message: String| Err(ThresholdError { field, message });
        for (field, name, v) in [
            ("umbral_critico", "crítico", self.critico),
            ("umbral_inminente", "inminente", self.inminente),
            ("umbral_alerta", "de alerta", self.alerta),
        ] {
            if !v.is_finite() {
                return fail(field, format!("El umbral {name} debe ser un número"));
            }
        }
        if self.critico <= 0.0 {
            return fail("umbral_critico", format!("El umbral crítico debe ser mayor que 0 (recibido {})", pct(self.critico)));
        }
        if self.inminente <= self.critico {
            return fail(
                "umbral_inminente",
                format!("El umbral inminente ({}) debe ser mayor que el crítico ({})", pct(self.inminente), pct(self.critico)),
            );
        }
        if self.alerta <= self.inminente {
            return fail(
                "umbral_alerta",
                format!("El umbral de alerta ({}) debe ser mayor que el inminente ({})", pct(self.alerta), pct(self.inminente)),
            );
        }
        if self.alerta > 1.0 {
            return fail("umbral_alerta", format!("El umbral de alerta no puede superar el 100 % (recibido {})", pct(self.alerta)));
        }
        Ok(())
    }

    /// The type for a coverage: ≤ 0 STOCKOUT, then each threshold exclusive on its upper side.
    pub fn classify(&self, coverage: f64) -> Option<EmergencyType> {
        if coverage <= 0.0 {
            Some(EmergencyType::Stockout)
        } else if coverage < self.critico {
            Some(EmergencyType::Critico)
        } else if coverage < self.inminente {
            Some(EmergencyType::Inminente)
        } else if coverage < self.alerta {
            Some(EmergencyType::Alerta)
        } else {
            None
        }
    }
}

/// How busy today is against the history (§4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Intensity {
    MuyBajo,
    Bajo,
    Normal,
    Alto,
    MuyAlto,
}

impl Intensity {
    /// < 0.5 MUY_BAJO; < 0.8 BAJO; ≤ 1.2 NORMAL; ≤ 1.5 ALTO; > 1.5 MUY_ALTO — on the factor
    /// as shown (4 decimals), so 1176 / 980 = 1.2000000000000002 is NORMAL as in E6.
    pub fn of(factor: f64) -> Intensity {
        let factor = round_half_away(factor, 4);
        if factor < 0.5 {
            Intensity::MuyBajo
        } else if factor < 0.8 {
            Intensity::Bajo
        } else if factor <= 1.2 {
            Intensity::Normal
        } else if factor <= 1.5 {
            Intensity::Alto
        } else {
            Intensity::MuyAlto
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Intensity::MuyBajo => "MUY_BAJO",
            Intensity::Bajo => "BAJO",
            Intensity::Normal => "NORMAL",
            Intensity::Alto => "ALTO",
            Intensity::MuyAlto => "MUY_ALTO",
        }
    }
}

/// Expected and actual revenue so far today, and their ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntensityFactor {
    pub esperado: f64,
    pub real: f64,
    pub factor: f64,
    pub nivel: Intensity,
}

/// `E = V̄ × F`, `factor = A / E` (1.0 when nothing was expected), not clamped.
pub fn intensity(mean_daily_revenue: f64, elapsed: f64, actual: f64) -> IntensityFactor {
    let esperado = mean_daily_revenue * elapsed;
    let factor = if esperado > 0.0 { actual / esperado } else { 1.0 };
    IntensityFactor { esperado, real: actual, factor, nivel: Intensity::of(factor) }
}

/// `V̄`: the mean revenue of the history days that had sales (0 when none had).
pub fn mean_daily_revenue(days: &[f64]) -> f64 {
    let with_sales: Vec<f64> = days.iter().copied().filter(|v| *v > 0.0).collect();
    if with_sales.is_empty() {
        0.0
    } else {
        with_sales.iter().sum::<f64>() / with_sales.len() as f64
    }
}

/// Where a store's profile came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSource {
    /// The store's own same-weekday history.
    Aprendido,
    /// Fewer than [`MIN_PROFILE_DAYS`] history days with sales: the fixed 09–19 profile.
    PorDefecto,
}

/// Share of a store's daily revenue in each local hour (Σ = 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub pesos: [f64; 24],
    pub origen: ProfileSource,
    /// History days with sales behind it.
    pub dias: usize,
}

impl Profile {
    pub fn fallback(dias: usize) -> Profile {
        Profile { pesos: DEFAULT_PROFILE, origen: ProfileSource::PorDefecto, dias }
    }

    /// The profile of the same-weekday history days (revenue per local hour, atypical days
    /// already left out): their pooled revenue by hour over their pooled total. Days without
    /// sales do not count; fewer than two days with sales → the default profile.
    pub fn learn(days: &[[f64; 24]]) -> Profile {
        let with_sales: Vec<&[f64; 24]> = days.iter().filter(|d| d.iter().sum::<f64>() > 0.0).collect();
        if with_sales.len() < MIN_PROFILE_DAYS {
            return Profile::fallback(with_sales.len());
        }
        let mut pesos = [0.0; 24];
        for d in &with_sales {
            for (w, v) in pesos.iter_mut().zip(d.iter()) {
                *w += v.max(0.0);
            }
        }
        let total: f64 = pesos.iter().sum();
        if total <= 0.0 {
            return Profile::fallback(with_sales.len());
        }
        for w in &mut pesos {
            *w /= total;
        }
        Profile { pesos, origen: ProfileSource::Aprendido, dias: with_sales.len() }
    }

    /// `F = Σ_{h<H} w_h + w_H × M/60`, capped at 1 (the clock alone, store hours aside).
    pub fn elapsed_at(&self, t: NaiveTime) -> f64 {
        let (h, m) = (t.hour() as usize, f64::from(t.minute()));
        let before: f64 = self.pesos[..h].iter().sum();
        let f = before + self.pesos[h] * m / 60.0;
        // The weights add up to 1 only up to rounding: a day that is over is exactly over.
        if f > 1.0 - 1e-9 {
            1.0
        } else {
            f
        }
    }
}

/// A store's opening window in minutes of the day: `(opens, closes)`, closes in `(0, 1440]`.
fn window(hours: &StoreHours) -> (u32, u32) {
    let minutes = |s: String| -> u32 {
        let mut it = s.split(':').map(|p| p.parse::<u32>().unwrap_or(0));
        let (h, m) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
        h * 60 + m
    };
    let opens = minutes(hours.apertura());
    let closes = match minutes(hours.cierre()) {
        0 => 1440,
        c => c,
    };
    (opens, closes)
}

fn minute_of(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

/// The store's moment of the day: before it opens, open, or closed for the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPhase {
    AntesDeAbrir,
    Abierta,
    Cerrada,
}

/// Before opening (or, for a window across midnight, between closing and opening) nothing of
/// the day has gone; after closing all of it has.
pub fn day_phase(hours: &StoreHours, t: NaiveTime) -> DayPhase {
    if hours.is_open(t) {
        return DayPhase::Abierta;
    }
    let (opens, closes) = window(hours);
    if closes > opens && minute_of(t) >= closes {
        DayPhase::Cerrada
    } else {
        DayPhase::AntesDeAbrir
    }
}

/// The elapsed fraction of the store's day at local time `t` (§4.2, §4.7): 0 before opening,
/// 1 after closing, else the profile's `F` by the minute.
pub fn elapsed_fraction(profile: &Profile, hours: &StoreHours, t: NaiveTime) -> f64 {
    match day_phase(hours, t) {
        DayPhase::AntesDeAbrir => 0.0,
        DayPhase::Cerrada => 1.0,
        DayPhase::Abierta => profile.elapsed_at(t),
    }
}

/// `D`: units sold in the demand window over the days the store traded; `None` when the
/// store did not trade at all in the window.
pub fn daily_demand(units: f64, trading_days: usize) -> Option<f64> {
    (trading_days > 0).then(|| units / trading_days as f64)
}

/// When the stock runs out (§4.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Stockout {
    /// Hours from now (unrounded).
    pub horas_restantes: f64,
    /// Local clock time, HH:MM.
    pub hora_agotamiento: String,
}

fn clock(minute: f64) -> String {
    let m = minute.floor().clamp(0.0, 1439.0) as u32;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Walks forward from `now` through the profile: the rest of the current hour, then each
/// later hour until the store closes, each hour's demand `rate × w_h` (`rate = D × factor`)
/// spread evenly over it. The stock-out instant is where the cumulative demand first reaches
/// `stock`; `None` if the stock lasts until closing. Stock ≤ 0 is out already (0 hours).
pub fn projected_stockout(profile: &Profile, hours: &StoreHours, now: NaiveTime, rate: f64, stock: f64) -> Option<Stockout> {
    let start = f64::from(minute_of(now));
    if stock <= 0.0 {
        return Some(Stockout { horas_restantes: 0.0, hora_agotamiento: clock(start) });
    }
    if rate <= 0.0 || day_phase(hours, now) == DayPhase::Cerrada {
        return None;
    }
    let (opens, closes) = window(hours);
    // A window across midnight ends the business day at 24:00.
    let end_of_day = f64::from(if closes > opens { closes } else { 1440 });
    let mut cum = 0.0;
    let mut from = start;
    for h in now.hour()..24 {
        let (hour_start, hour_end) = (f64::from(h * 60), f64::from((h + 1) * 60));
        let to = hour_end.min(end_of_day);
        if to <= from {
            break;
        }
        let demand = rate * profile.pesos[h as usize] * (to - from) / 60.0;
        if demand > 0.0 && cum + demand >= stock {
            let at = from + (stock - cum) / demand * (to - from);
            return Some(Stockout { horas_restantes: (at - start) / 60.0, hora_agotamiento: clock(at) });
        }
        cum += demand;
        from = to.max(hour_start);
    }
    None
}

/// The figures of a store's day that every product of it shares.
#[derive(Debug, Clone, PartialEq)]
pub struct DayContext {
    pub profile: Profile,
    pub hours: StoreHours,
    pub now: NaiveTime,
    /// `F` at `now` (0 before opening, 1 after closing).
    pub elapsed: f64,
    pub factor: f64,
}

impl DayContext {
    pub fn new(profile: Profile, hours: StoreHours, now: NaiveTime, factor: f64) -> DayContext {
        let elapsed = elapsed_fraction(&profile, &hours, now);
        DayContext { profile, hours, now, elapsed, factor }
    }
}

/// A product's remaining demand, coverage, type and stock-out clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductEvaluation {
    pub demanda_diaria: f64,
    pub demanda_restante: f64,
    pub cobertura: f64,
    /// `None`: covered (coverage at or above the alert threshold).
    pub tipo: Option<EmergencyType>,
    pub agotamiento: Option<Stockout>,
}

/// §4.4 for one product: `None` when it has no demand history (`D ≤ 0`) or too little of
/// the day is left to matter (`R ≤ 0.1` units).
pub fn evaluate_product(ctx: &DayContext, thresholds: &Thresholds, daily: f64, stock: f64) -> Option<ProductEvaluation> {
    if daily <= 0.0 || !daily.is_finite() {
        return None;
    }
    let remaining = daily * ctx.factor * (1.0 - ctx.elapsed);
    if remaining <= MIN_REMAINING_UNITS {
        return None;
    }
    let cobertura = stock / remaining;
    let tipo = thresholds.classify(cobertura);
    let agotamiento = projected_stockout(&ctx.profile, &ctx.hours, ctx.now, daily * ctx.factor, stock);
    Some(ProductEvaluation { demanda_diaria: daily, demanda_restante: remaining, cobertura, tipo, agotamiento })
}

/// Anomaly types kept from the original (only STOCK_NEGATIVO is detected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnomalyType {
    StockNegativo,
    VentaImposible,
    SpikeVentas,
    Discrepancia,
}

impl AnomalyType {
    pub const ALL: [AnomalyType; 4] =
        [AnomalyType::StockNegativo, AnomalyType::VentaImposible, AnomalyType::SpikeVentas, AnomalyType::Discrepancia];

    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyType::StockNegativo => "STOCK_NEGATIVO",
            AnomalyType::VentaImposible => "VENTA_IMPOSIBLE",
            AnomalyType::SpikeVentas => "SPIKE_VENTAS",
            AnomalyType::Discrepancia => "DISCREPANCIA",
        }
    }

    pub fn parse(s: &str) -> Option<AnomalyType> {
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Baja,
    Media,
    Alta,
    Critica,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Baja => "BAJA",
            Severity::Media => "MEDIA",
            Severity::Alta => "ALTA",
            Severity::Critica => "CRITICA",
        }
    }
}

/// Review states of an anomaly; PENDIENTE and REVISADO are "open".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnomalyState {
    Pendiente,
    Revisado,
    Resuelto,
    Ignorado,
}

impl AnomalyState {
    pub const ALL: [AnomalyState; 4] = [AnomalyState::Pendiente, AnomalyState::Revisado, AnomalyState::Resuelto, AnomalyState::Ignorado];

    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyState::Pendiente => "PENDIENTE",
            AnomalyState::Revisado => "REVISADO",
            AnomalyState::Resuelto => "RESUELTO",
            AnomalyState::Ignorado => "IGNORADO",
        }
    }

    pub fn parse(s: &str) -> Option<AnomalyState> {
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// An anomaly found in one inventory row.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyFinding {
    pub tipo: AnomalyType,
    pub severidad: Severity,
    pub valor_detectado: f64,
    pub valor_esperado: f64,
    pub descripcion: String,
}

fn units(q: f64) -> String {
    if q.fract() == 0.0 {
        format!("{q:.0}")
    } else {
        format!("{}", round_half_away(q, 2))
    }
}

/// STOCK_NEGATIVO (ALTA) for an inventory row below zero.
pub fn negative_stock(q: f64) -> Option<AnomalyFinding> {
    (q < 0.0).then(|| AnomalyFinding {
        tipo: AnomalyType::StockNegativo,
        severidad: Severity::Alta,
        valor_detectado: q,
        valor_esperado: 0.0,
        descripcion: format!("Stock negativo detectado: {} unidades", units(q)),
    })
}

/// The detail modal's advice by type and ABC class (§4.8).
pub fn recommendation(tipo: EmergencyType, abc: &str) -> &'static str {
    let a = abc.eq_ignore_ascii_case("A");
    match tipo {
        EmergencyType::Stockout if a => "Urgente: reponer de inmediato o hacer un pedido de emergencia al CEDI",
        EmergencyType::Stockout => "Evaluar un pedido de emergencia frente a la próxima reposición regular",
        EmergencyType::Critico if a => "Se recomienda un pedido de emergencia para evitar el agotamiento",
        EmergencyType::Critico => "Vigilar de cerca; considerar adelantar el próximo pedido",
        EmergencyType::Inminente => "Revisar la fecha del próximo pedido",
        EmergencyType::Alerta => "Incluir en el próximo pedido regular",
    }
}

/// The list's order (§4.7): type severity, ABC (A…D, unknown as D), coverage ascending,
/// then product name.
pub fn list_order(a: (EmergencyType, &str, f64, &str), b: (EmergencyType, &str, f64, &str)) -> Ordering {
    let abc = |c: &str| match c {
        "A" => 0,
        "B" => 1,
        "C" => 2,
        _ => 3,
    };
    a.0.cmp(&b.0).then(abc(a.1).cmp(&abc(b.1))).then(a.2.total_cmp(&b.2)).then_with(|| a.3.cmp(b.3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn seven_to_nine() -> StoreHours {
        StoreHours::parse("07:00", "21:00").unwrap()
    }

    #[test]
    fn e6_intensity_with_the_default_profile() {
        let p = Profile::fallback(0);
        let f = elapsed_fraction(&p, &seven_to_nine(), t(14, 30));
        assert!(close(f, 0.49), "{f}");
        let vbar = mean_daily_revenue(&[1900.0, 2100.0, 2000.0, 2000.0]);
        assert_eq!(vbar, 2000.0);
        let i = intensity(vbar, f, 1176.0);
        assert!(close(i.esperado, 980.0));
        assert_eq!(round_half_away(i.factor, 4), 1.2);
        assert_eq!(i.nivel, Intensity::Normal, "1.2 is NORMAL, inclusive");
    }

    fn e6_context() -> DayContext {
        DayContext::new(Profile::fallback(0), seven_to_nine(), t(14, 30), 1.2)
    }

    #[test]
    fn e6_product_p_is_inminente_and_runs_out_at_16_34() {
        let ctx = e6_context();
        let p = evaluate_product(&ctx, &Thresholds::default(), daily_demand(3000.0, 30).unwrap(), 25.0).unwrap();
        assert_eq!(p.demanda_diaria, 100.0);
        assert_eq!(round_half_away(p.demanda_restante, 2), 61.2);
        assert_eq!(round_half_away(p.cobertura, 4), 0.4085);
        assert_eq!(p.tipo, Some(EmergencyType::Inminente));
        let s = p.agotamiento.unwrap();
        assert_eq!(s.hora_agotamiento, "16:34");
        assert!(close(s.horas_restantes, 0.5 + 1.0 + 8.2 / 14.4), "{}", s.horas_restantes);
        assert_eq!(round_half_away(s.horas_restantes, 1), 2.1);
    }

    #[test]
    fn e6_products_s_u_q_and_v() {
        let ctx = e6_context();
        let th = Thresholds::default();
        let s = evaluate_product(&ctx, &th, 10.0, 0.0).unwrap();
        assert_eq!(round_half_away(s.demanda_restante, 2), 6.12);
        assert_eq!((s.cobertura, s.tipo), (0.0, Some(EmergencyType::Stockout)));
        assert_eq!(s.agotamiento.unwrap().horas_restantes, 0.0);
        let u = evaluate_product(&ctx, &th, 100.0, 50.0).unwrap();
        assert_eq!(round_half_away(u.cobertura, 4), 0.817);
        assert_eq!(u.tipo, None, "covered");
        assert_eq!(evaluate_product(&ctx, &th, 0.1, 5.0), None, "R = 0.0612 ≤ 0.1 is skipped");
        let v = evaluate_product(&ctx, &th, 4.0, -3.0).unwrap();
        assert_eq!(round_half_away(v.demanda_restante, 3), 2.448);
        assert!(v.cobertura < 0.0);
        assert_eq!(v.tipo, Some(EmergencyType::Stockout));
        let a = negative_stock(-3.0).unwrap();
        assert_eq!((a.tipo, a.severidad, a.valor_detectado, a.valor_esperado), (AnomalyType::StockNegativo, Severity::Alta, -3.0, 0.0));
        assert_eq!(a.descripcion, "Stock negativo detectado: -3 unidades");
        assert_eq!(negative_stock(0.0), None);
    }

    #[test]
    fn e6_at_half_past_eight_in_the_evening_the_default_profile_flags_nothing() {
        let ctx = DayContext::new(Profile::fallback(0), seven_to_nine(), t(20, 30), 1.2);
        assert_eq!(ctx.elapsed, 1.0);
        assert_eq!(evaluate_product(&ctx, &Thresholds::default(), 100.0, 0.0), None);
        // A store with no history and no sales yet at 08:30: nothing expected → factor 1.0.
        let p = Profile::fallback(0);
        let f = elapsed_fraction(&p, &seven_to_nine(), t(8, 30));
        assert_eq!(f, 0.0);
        assert_eq!(intensity(0.0, f, 0.0).factor, 1.0);
    }

    fn e7_day(scale: f64) -> [f64; 24] {
        let mut d = [0.0; 24];
        d[8] = 100.0 * scale;
        d[9] = 300.0 * scale;
        d[10] = 400.0 * scale;
        d[11] = 200.0 * scale;
        d
    }

    #[test]
    fn e7_learned_profile() {
        let hours = StoreHours::parse("08:00", "12:00").unwrap();
        let p = Profile::learn(&[e7_day(1.0), e7_day(2.0), [0.0; 24]]);
        assert_eq!(p.origen, ProfileSource::Aprendido);
        assert_eq!(p.dias, 2, "a day without sales does not count");
        for (h, w) in [(8, 0.1), (9, 0.3), (10, 0.4), (11, 0.2)] {
            assert!(close(p.pesos[h], w), "w{h} = {}", p.pesos[h]);
        }
        assert!(close(elapsed_fraction(&p, &hours, t(10, 15)), 0.5));
        assert_eq!(elapsed_fraction(&p, &hours, t(7, 59)), 0.0, "before opening");
        assert_eq!(elapsed_fraction(&p, &hours, t(12, 0)), 1.0, "after closing");
        let one = Profile::learn(&[e7_day(1.0), [0.0; 24]]);
        assert_eq!((one.origen, one.pesos), (ProfileSource::PorDefecto, DEFAULT_PROFILE), "only 1 history day with sales");
    }

    #[test]
    fn e8_intensity_labels_and_thresholds() {
        for (f, l) in [
            (0.4999, Intensity::MuyBajo),
            (0.5, Intensity::Bajo),
            (0.8, Intensity::Normal),
            (1.2, Intensity::Normal),
            (1.5, Intensity::Alto),
            (1.5001, Intensity::MuyAlto),
        ] {
            assert_eq!(Intensity::of(f), l, "{f}");
        }
        let th = Thresholds::default();
        assert_eq!(th.classify(0.2499), Some(EmergencyType::Critico));
        assert_eq!(th.classify(0.25), Some(EmergencyType::Inminente));
        assert_eq!(th.classify(0.7499), Some(EmergencyType::Alerta));
        assert_eq!(th.classify(0.75), None);
        let custom = Thresholds { critico: 0.30, inminente: 0.55, alerta: 0.80 };
        assert!(custom.check().is_ok());
        assert_eq!(custom.classify(0.52), Some(EmergencyType::Inminente));
        let bad = Thresholds { critico: 0.6, inminente: 0.5, alerta: 0.75 };
        let e = bad.check().unwrap_err();
        assert_eq!(e.field, "umbral_inminente");
        assert_eq!(e.message, "El umbral inminente (50 %) debe ser mayor que el crítico (60 %)");
    }

    #[test]
    fn thresholds_out_of_range_name_the_field() {
        let check = |c, i, a| Thresholds { critico: c, inminente: i, alerta: a }.check().map_err(|e| e.field);
        assert_eq!(check(0.0, 0.5, 0.75), Err("umbral_critico"));
        assert_eq!(check(0.25, 0.75, 0.75), Err("umbral_alerta"));
        assert_eq!(check(0.25, 0.5, 1.01), Err("umbral_alerta"));
        assert_eq!(check(f64::NAN, 0.5, 0.75), Err("umbral_critico"));
        assert_eq!(check(0.25, 0.5, 1.0), Ok(()));
    }

    #[test]
    fn the_stockout_walk_stops_at_closing_and_before_opening_starts_with_the_day() {
        let hours = seven_to_nine();
        let p = Profile::fallback(0);
        // Before opening, F = 0 and the whole day is remaining: 100 units a day, stock 50.
        let ctx = DayContext::new(p.clone(), hours, t(6, 0), 1.0);
        let e = evaluate_product(&ctx, &Thresholds::default(), 100.0, 50.0).unwrap();
        assert_eq!(e.demanda_restante, 100.0);
        assert_eq!(e.tipo, Some(EmergencyType::Alerta), "c = 0.5 is not below the inminente threshold");
        // 9–14 h hold 0.05+0.08+0.10+0.12+0.10 = 0.45 → 45 units; 5 more of hour 14's 8 → 14:37.
        assert_eq!(e.agotamiento.unwrap().hora_agotamiento, "14:37");
        // Enough stock for the day: no clock.
        assert_eq!(projected_stockout(&p, &hours, t(10, 0), 100.0, 1000.0), None);
        // After closing nothing runs out today.
        assert_eq!(projected_stockout(&p, &hours, t(21, 30), 100.0, 1.0), None);
        // A store closing at 12:30 counts only half of hour 12.
        let short = StoreHours::parse("08:00", "12:30").unwrap();
        let flat = Profile {
            pesos: {
                let mut w = [0.0; 24];
                for x in &mut w[8..13] {
                    *x = 0.2;
                }
                w
            },
            origen: ProfileSource::Aprendido,
            dias: 4,
        };
        assert_eq!(projected_stockout(&flat, &short, t(12, 0), 100.0, 11.0), None, "10 units left before 12:30");
        assert_eq!(projected_stockout(&flat, &short, t(12, 0), 100.0, 5.0).unwrap().hora_agotamiento, "12:15");
    }

    #[test]
    fn a_window_across_midnight_is_open_late_and_before_opening_in_the_morning() {
        let hours = StoreHours::parse("10:00", "02:00").unwrap();
        assert_eq!(day_phase(&hours, t(9, 0)), DayPhase::AntesDeAbrir);
        assert_eq!(day_phase(&hours, t(1, 0)), DayPhase::Abierta);
        assert_eq!(day_phase(&hours, t(23, 0)), DayPhase::Abierta);
        assert_eq!(day_phase(&seven_to_nine(), t(21, 0)), DayPhase::Cerrada);
    }

    #[test]
    fn the_list_puts_severity_first_then_abc_coverage_and_name() {
        use EmergencyType::*;
        let mut rows = [
            (Alerta, "A", 0.6, "Arroz"),
            (Critico, "C", 0.1, "Café"),
            (Critico, "A", 0.2, "Harina"),
            (Critico, "A", 0.1, "Pasta"),
            (Stockout, "", 0.0, "Leche"),
            (Critico, "A", 0.1, "Aceite"),
        ];
        rows.sort_by(|a, b| list_order(*a, *b));
        let names: Vec<&str> = rows.iter().map(|r| r.3).collect();
        assert_eq!(names, vec!["Leche", "Aceite", "Pasta", "Harina", "Café", "Arroz"]);
        assert_eq!(EmergencyType::parse("critico"), Some(Critico));
        assert_eq!(recommendation(Stockout, "A"), "Urgente: reponer de inmediato o hacer un pedido de emergencia al CEDI");
        assert_eq!(recommendation(Alerta, "D"), "Incluir en el próximo pedido regular");
    }
}
