//! Weekday-aware coverage, "Cobertura real" / V2 (spec 30 §9) — informational only, it never
//! replaces the main suggestion.
//!
//! *Why the simulation differs from the original:* the original simulated store stock + the V2
//! quantity, which covers the period by construction, so risk states never appeared. Here the
//! **main** suggested quantity is simulated, after first consuming the demand of the days from
//! tomorrow through the arrival day from the effective stock (floor 0).

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::demand::{weekday_index, WEEKDAY_SHORT_NAMES};
use super::levels::{packs_ceil, PackSize};

/// Spanish month abbreviations for date labels ("15 Ene").
pub const MONTH_SHORT_NAMES: [&str; 12] = ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"];

/// "D Mon" label, e.g. `15 Ene`.
pub fn date_label(d: NaiveDate) -> String {
    format!("{} {}", d.day(), MONTH_SHORT_NAMES[d.month0() as usize])
}

/// Per-day status of the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// cover ≥ 100 %.
    Ok,
    /// 50 % ≤ cover < 100 %.
    Riesgo,
    /// cover < 50 %.
    Quiebre,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageDay {
    pub fecha: NaiveDate,
    pub etiqueta_fecha: String,
    /// 0 = Sunday.
    pub dia_semana: u8,
    pub nombre_dia: &'static str,
    pub demanda: f64,
    pub stock_inicial: f64,
    pub cobertura_pct: f64,
    pub estado: DayStatus,
}

/// Inputs of the V2 view.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageInput {
    pub today: NaiveDate,
    pub lead_time: f64,
    /// cov_k after category override; the number of covered days is ⌊cov⌋.
    pub cobertura_dias: f64,
    pub prom_dow: [f64; 7],
    /// Fallback for weekdays without data (20-day mean).
    pub media_ventana: f64,
    pub stock_seguridad: f64,
    pub stock_tienda: f64,
    pub stock_efectivo: f64,
    pub pack: PackSize,
    pub unidades_sugeridas: f64,
    pub bultos_sugeridos: u64,
    /// Keep the day-by-day simulation (the V2 modal). A list of thousands of lines only
    /// needs the summary figures, and the days are most of the work.
    pub con_simulacion: bool,
}

/// The `v2_*` fields (serialised flat into the suggestion).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekdayCoverage {
    pub v2_fecha_llegada: NaiveDate,
    pub v2_etiqueta_llegada: String,
    pub v2_primer_dia_cobertura: NaiveDate,
    pub v2_dias_cubiertos: u32,
    pub v2_demanda_periodo: f64,
    pub v2_cantidad_sugerida_bultos: u64,
    pub v2_diferencia_bultos: i64,
    /// Σ min(1, cover %/100), 1 decimal.
    pub v2_dias_cobertura_real: f64,
    pub v2_primer_dia_riesgo: Option<NaiveDate>,
    /// Day-by-day simulation (the V2 modal); left empty in list responses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub v2_simulacion: Vec<CoverageDay>,
}

fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Arrival offset a = ⌊L⌋ if L ≥ 1, else 1.
pub fn arrival_offset_days(lead_time: f64) -> u64 {
    if lead_time.is_finite() && lead_time >= 1.0 {
        lead_time.floor().min(3650.0) as u64
    } else {
        1
    }
}

/// Computes the V2 view.
pub fn weekday_coverage(i: &CoverageInput) -> WeekdayCoverage {
    let a = arrival_offset_days(i.lead_time);
    let llegada = add_days(i.today, a);
    let primero = add_days(i.today, a + 1);
    let dias =
        if i.cobertura_dias.is_finite() && i.cobertura_dias > 0.0 { (i.cobertura_dias + 1e-9).floor().min(3650.0) as u32 } else { 0 };
    // Weekdays advance by one per day: index arithmetic instead of calendar arithmetic per
    // day (this runs for every line of every store's list).
    let demand_on = |first_weekday: usize, k: u64| -> f64 {
        let v = i.prom_dow[(first_weekday + (k % 7) as usize) % 7];
        if v > 0.0 {
            v
        } else {
            i.media_ventana.max(0.0)
        }
    };
    let first_weekday = weekday_index(primero);
    let demanda_periodo: f64 = (0..u64::from(dias)).map(|k| demand_on(first_weekday, k)).sum();
    let v2_bultos = packs_ceil((demanda_periodo + i.stock_seguridad - i.stock_tienda).max(0.0), i.pack);

    // Consumption before arrival: tomorrow … arrival day.
    let tomorrow_weekday = weekday_index(add_days(i.today, 1));
    let antes: f64 = (0..a).map(|k| demand_on(tomorrow_weekday, k)).sum();
    let mut stock = (i.stock_efectivo - antes).max(0.0) + i.unidades_sugeridas.max(0.0);
    let mut sim = Vec::with_capacity(if i.con_simulacion { dias as usize } else { 0 });
    let mut real = 0.0;
    let mut primer_riesgo = None;
    for k in 0..u64::from(dias) {
        let dem = demand_on(first_weekday, k);
        let pct = if dem > 0.0 { (stock / dem * 100.0).min(100.0) } else { 100.0 };
        let estado = if pct >= 100.0 {
            DayStatus::Ok
        } else if pct >= 50.0 {
            DayStatus::Riesgo
        } else {
            DayStatus::Quiebre
        };
        real += (pct / 100.0).min(1.0);
        if estado != DayStatus::Ok && primer_riesgo.is_none() {
            primer_riesgo = Some(add_days(primero, k));
        }
        if i.con_simulacion {
            let d = add_days(primero, k);
            let wd = weekday_index(d);
            sim.push(CoverageDay {
                fecha: d,
                etiqueta_fecha: date_label(d),
                dia_semana: wd as u8,
                nombre_dia: WEEKDAY_SHORT_NAMES[wd],
                demanda: dem,
                stock_inicial: stock,
                cobertura_pct: pct,
                estado,
            });
        }
        stock = (stock - dem).max(0.0);
    }
    WeekdayCoverage {
        v2_fecha_llegada: llegada,
        v2_etiqueta_llegada: date_label(llegada),
        v2_primer_dia_cobertura: primero,
        v2_dias_cubiertos: dias,
        v2_demanda_periodo: demanda_periodo,
        v2_cantidad_sugerida_bultos: v2_bultos,
        v2_diferencia_bultos: v2_bultos as i64 - i.bultos_sugeridos as i64,
        v2_dias_cobertura_real: (real * 10.0).round() / 10.0,
        v2_primer_dia_riesgo: primer_riesgo,
        v2_simulacion: sim,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn e20_input() -> CoverageInput {
        let mut prom_dow = [0.0; 7];
        prom_dow[5] = 10.0; // Friday
        prom_dow[6] = 20.0; // Saturday
        prom_dow[0] = 0.0; // Sunday: no data → 20-day mean
        CoverageInput {
            today: d(2026, 1, 14), // Wednesday
            lead_time: 1.5,
            cobertura_dias: 3.0,
            prom_dow,
            media_ventana: 12.0,
            stock_seguridad: 5.0,
            stock_tienda: 10.0,
            stock_efectivo: 10.0,
            pack: PackSize::new(Some(6.0)),
            unidades_sugeridas: 0.0,
            bultos_sugeridos: 0,
            con_simulacion: true,
        }
    }

    #[test]
    fn e20_weekday_coverage_dates() {
        let v = weekday_coverage(&e20_input());
        assert_eq!(v.v2_fecha_llegada, d(2026, 1, 15));
        assert_eq!(v.v2_etiqueta_llegada, "15 Ene");
        assert_eq!(v.v2_primer_dia_cobertura, d(2026, 1, 16));
        assert_eq!(v.v2_dias_cubiertos, 3);
        let dem: Vec<f64> = v.v2_simulacion.iter().map(|s| s.demanda).collect();
        assert_eq!(dem, vec![10.0, 20.0, 12.0]);
        assert_eq!(v.v2_simulacion[0].nombre_dia, "Vie");
        assert!((v.v2_demanda_periodo - 42.0).abs() < 1e-3);
        assert_eq!(v.v2_cantidad_sugerida_bultos, 7);
        assert_eq!(v.v2_diferencia_bultos, 7);
    }

    #[test]
    fn simulation_uses_main_quantity_after_pre_arrival_consumption() {
        // Thursday (arrival day) has no data → 12 consumed before arrival: stock 10 → 0.
        // Main suggestion 30 units: Fri 30/10 ok, Sat 20/20 ok, Sun 0/12 quiebre.
        let mut i = e20_input();
        i.unidades_sugeridas = 30.0;
        i.bultos_sugeridos = 5;
        let v = weekday_coverage(&i);
        let st: Vec<DayStatus> = v.v2_simulacion.iter().map(|s| s.estado).collect();
        assert_eq!(st, vec![DayStatus::Ok, DayStatus::Ok, DayStatus::Quiebre]);
        assert_eq!(v.v2_primer_dia_riesgo, Some(d(2026, 1, 18)));
        assert!((v.v2_dias_cobertura_real - 2.0).abs() < 1e-9);
        assert_eq!(v.v2_diferencia_bultos, 2);
        // 36 units: Sunday starts with 6 of 12 → 50 % → riesgo.
        i.unidades_sugeridas = 36.0;
        let v = weekday_coverage(&i);
        assert_eq!(v.v2_simulacion[2].estado, DayStatus::Riesgo);
        assert!((v.v2_dias_cobertura_real - 2.5).abs() < 1e-9);
        // A list line (no day-by-day simulation) shows the same risk day and real coverage.
        let short = weekday_coverage(&CoverageInput { con_simulacion: false, ..i });
        assert!(short.v2_simulacion.is_empty());
        assert_eq!(WeekdayCoverage { v2_simulacion: vec![], ..v }, short);
    }

    #[test]
    fn short_lead_time_arrives_tomorrow() {
        assert_eq!(arrival_offset_days(0.5), 1);
        assert_eq!(arrival_offset_days(2.9), 2);
        assert_eq!(arrival_offset_days(f64::NAN), 1);
        assert_eq!(date_label(d(2026, 12, 3)), "3 Dic");
    }
}
