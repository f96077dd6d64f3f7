//! Sales coverage read models (spec 20 §7): per-store freshness table, day coverage
//! calendar, execution-level gaps, and the hour-gap rule.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::sales::round_half_away;

/// One row of the freshness table (§7.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Freshness {
    pub ubicacion_id: String,
    pub total_lineas: i64,
    pub primera_fecha: Option<NaiveDate>,
    pub ultima_fecha: Option<NaiveDate>,
    pub dias_atrasados: Option<i64>,
    pub dias_con_datos: i64,
    pub dias_periodo: i64,
    pub completitud_pct: f64,
    pub dias_faltantes: i64,
    /// `rojo` (> 7 days late), `amarillo` (> 3), `naranja` (> 1), `verde`.
    pub badge: &'static str,
    pub necesita_actualizacion: bool,
    pub tiene_gaps_historicos: bool,
    pub ultimo_fin_exitoso: Option<NaiveDateTime>,
}

/// The §7.4 figures from a store's first/last sale dates and days with data.
pub fn freshness_row(
    ubicacion_id: &str,
    today: NaiveDate,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    days_with_data: i64,
    total_lines: i64,
) -> Freshness {
    let (periodo, atrasados) = match (first, last) {
        (Some(f), Some(l)) => ((l - f).num_days() + 1, Some((today - l).num_days())),
        _ => (0, None),
    };
    let completitud = if periodo > 0 { round_half_away(days_with_data as f64 * 100.0 / periodo as f64, 2) } else { 0.0 };
    let faltantes = (periodo - days_with_data).max(0);
    let badge = match atrasados {
        None => "rojo",
        Some(d) if d > 7 => "rojo",
        Some(d) if d > 3 => "amarillo",
        Some(d) if d > 1 => "naranja",
        Some(_) => "verde",
    };
    Freshness {
        ubicacion_id: ubicacion_id.to_string(),
        total_lineas: total_lines,
        primera_fecha: first,
        ultima_fecha: last,
        dias_atrasados: atrasados,
        dias_con_datos: days_with_data,
        dias_periodo: periodo,
        completitud_pct: completitud,
        dias_faltantes: faltantes,
        badge,
        necesita_actualizacion: atrasados.is_none_or(|d| d > 1),
        tiene_gaps_historicos: faltantes > 0,
        ultimo_fin_exitoso: None,
    }
}

/// Freshness of every given store from the daily aggregate.
pub fn freshness(conn: &Connection, stores: &[String], today: NaiveDate) -> duckdb::Result<Vec<Freshness>> {
    let mut stmt = conn.prepare(
        "SELECT min(fecha), max(fecha), count(*) FILTER (WHERE lineas > 0), coalesce(sum(lineas), 0)
         FROM ventas_diarias_ubicacion WHERE ubicacion_id = ?",
    )?;
    let mut out = Vec::new();
    for id in stores {
        let (first, last, days, lines): (Option<NaiveDate>, Option<NaiveDate>, i64, i64) =
            stmt.query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)?)))?;
        out.push(freshness_row(id, today, first, last, days, lines));
    }
    Ok(out)
}

/// Colour of a calendar day by its line count (§7.3).
pub fn day_colour(lines: i64) -> &'static str {
    match lines {
        l if l <= 0 => "rojo",
        l if l < 100 => "amarillo",
        l if l < 1000 => "verde_claro",
        _ => "verde_oscuro",
    }
}

/// Colour of a month bar by its coverage percentage (§7.3).
pub fn month_colour(pct: f64) -> &'static str {
    if pct >= 90.0 {
        "verde"
    } else if pct >= 70.0 {
        "verde_claro"
    } else if pct >= 50.0 {
        "amarillo"
    } else {
        "rojo"
    }
}

/// Days of month `m` of year `y` (both taken from a real date; 0 for an impossible month).
fn days_in_month(y: i32, m: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, 1).map_or(0, |d| i64::from(d.num_days_in_month()))
}

/// Daily volume anomalies (§7.5) of a period's line counts, one flag per day: `SIN DATOS`
/// for 0 lines; over the days with lines, mean μ and sample σ: `BAJO` below μ − 2σ,
/// `ALTO` above μ + 2σ (only when σ > 0). Also returns the two thresholds.
pub fn volume_anomalies(lines: &[i64]) -> (Vec<Option<&'static str>>, Option<(f64, f64)>) {
    use crate::domain::replenishment::demand::{mean, std_sample};
    let with_data: Vec<f64> = lines.iter().filter(|&&n| n > 0).map(|&n| n as f64).collect();
    let bounds = (with_data.len() >= 2).then(|| {
        let (m, sigma) = (mean(&with_data), std_sample(&with_data));
        (m - 2.0 * sigma, m + 2.0 * sigma, sigma)
    });
    let flags = lines
        .iter()
        .map(|&l| match bounds {
            _ if l <= 0 => Some("SIN DATOS"),
            Some((low, _, _)) if (l as f64) < low => Some("BAJO"),
            Some((_, high, sigma)) if sigma > 0.0 && (l as f64) > high => Some("ALTO"),
            _ => None,
        })
        .collect();
    (flags, bounds.map(|(l, h, _)| (l, h)))
}

/// One day of the coverage calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarDay {
    /// `BAJO` or `ALTO` when the day's volume is unusual (§7.5).
    pub anomalia: Option<&'static str>,
    pub color: &'static str,
    pub fecha: NaiveDate,
    pub lineas: i64,
    pub venta_total: f64,
}

/// One month of the coverage calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarMonth {
    pub color: &'static str,
    pub dias_con_datos: i64,
    pub dias_del_mes: i64,
    /// `YYYY-MM`.
    pub mes: String,
    pub porcentaje: f64,
}

/// The summary cards of the coverage calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageSummary {
    pub cobertura_pct: f64,
    pub dias_alto: usize,
    pub dias_bajo: usize,
    pub dias_con_datos: i64,
    pub dias_faltantes: i64,
    pub total_dias: i64,
    pub umbral_alto: Option<f64>,
    pub umbral_bajo: Option<f64>,
}

/// `GET /api/etl/cobertura`: a store's sales coverage over a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Calendar {
    pub desde: NaiveDate,
    pub dias: Vec<CalendarDay>,
    pub hasta: NaiveDate,
    pub meses: Vec<CalendarMonth>,
    pub resumen: CoverageSummary,
    pub ubicacion_id: String,
}

/// Coverage calendar of one store over [desde, hasta]: days (with their §7.5 volume flag),
/// months and summary cards.
pub fn calendar(conn: &Connection, ubicacion_id: &str, desde: NaiveDate, hasta: NaiveDate) -> duckdb::Result<Calendar> {
    let mut stmt = conn.prepare(
        "SELECT fecha, lineas, venta_total::DOUBLE FROM ventas_diarias_ubicacion
         WHERE ubicacion_id = ? AND fecha BETWEEN ? AND ? ORDER BY fecha",
    )?;
    let mut by_day = std::collections::BTreeMap::new();
    for r in
        stmt.query_map(params![ubicacion_id, desde, hasta], |r| Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, i64>(1)?, r.get::<_, f64>(2)?)))?
    {
        let (d, l, v) = r?;
        by_day.insert(d, (l, v));
    }
    let dates: Vec<NaiveDate> = desde.iter_days().take_while(|d| *d <= hasta).collect();
    let counts: Vec<i64> = dates.iter().map(|d| by_day.get(d).map_or(0, |v| v.0)).collect();
    let (flags, thresholds) = volume_anomalies(&counts);
    let mut days = Vec::new();
    let mut months: std::collections::BTreeMap<(i32, u32), i64> = std::collections::BTreeMap::new();
    let mut with_data = 0;
    for (i, d) in dates.iter().enumerate() {
        let (lines, total) = by_day.get(d).copied().unwrap_or((0, 0.0));
        if lines > 0 {
            with_data += 1;
            *months.entry((d.year(), d.month())).or_default() += 1;
        } else {
            months.entry((d.year(), d.month())).or_default();
        }
        days.push(CalendarDay {
            anomalia: flags[i],
            color: day_colour(lines),
            fecha: *d,
            lineas: lines,
            venta_total: round_half_away(total, 2),
        });
    }
    let count_flag = |f: &str| flags.iter().filter(|x| **x == Some(f)).count();
    let total_days = (hasta - desde).num_days() + 1;
    let month_rows: Vec<CalendarMonth> = months
        .into_iter()
        .map(|((y, m), n)| {
            let pct = round_half_away(n as f64 * 100.0 / days_in_month(y, m) as f64, 1);
            CalendarMonth {
                color: month_colour(pct),
                dias_con_datos: n,
                dias_del_mes: days_in_month(y, m),
                mes: format!("{y:04}-{m:02}"),
                porcentaje: pct,
            }
        })
        .collect();
    Ok(Calendar {
        desde,
        dias: days,
        hasta,
        meses: month_rows,
        resumen: CoverageSummary {
            cobertura_pct: if total_days > 0 { round_half_away(with_data as f64 * 100.0 / total_days as f64, 1) } else { 0.0 },
            dias_alto: count_flag("ALTO"),
            dias_bajo: count_flag("BAJO"),
            dias_con_datos: with_data,
            dias_faltantes: total_days - with_data,
            total_dias: total_days,
            umbral_alto: thresholds.map(|t| round_half_away(t.1, 2)),
            umbral_bajo: thresholds.map(|t| round_half_away(t.0, 2)),
        },
        ubicacion_id: ubicacion_id.to_string(),
    })
}

/// First sale date of a store (start of the "Histórico completo" view).
pub fn first_sale_date(conn: &Connection, ubicacion_id: &str) -> duckdb::Result<Option<NaiveDate>> {
    conn.query_row("SELECT min(fecha) FROM ventas_diarias_ubicacion WHERE ubicacion_id = ?", params![ubicacion_id], |r| r.get(0))
}

/// Urgency of an execution-level gap by hours since the failure (§7.1).
pub fn urgency(hours: f64) -> &'static str {
    if hours < 2.0 {
        "Reciente"
    } else if hours < 12.0 {
        "Urgente"
    } else if hours < 48.0 {
        "Crítico"
    } else {
        "Muy Crítico"
    }
}

/// Median of a list of counts (`None` when empty).
fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] as f64 } else { (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0 })
}

/// Hour-gap rule (§7.2): hour h is a gap when it has no lines and the median of the same
/// weekday-hour over the previous 4 weeks is ≥ 5 (fewer than 2 observations: a zero hour
/// is flagged).
pub fn is_hour_gap(lines: i64, history: &[i64]) -> bool {
    if lines > 0 {
        return false;
    }
    if history.len() < 2 {
        return true;
    }
    let mut h = history.to_vec();
    median(&mut h).is_some_and(|m| m >= 5.0)
}

/// Hours of `date` that may be evaluated at local `now`: within opening hours and ended at
/// least 90 minutes ago. `cierre = 00:00` means midnight (24).
pub fn evaluable_hours(date: NaiveDate, now: NaiveDateTime, apertura: u32, cierre: u32) -> Vec<u32> {
    let end = if cierre == 0 { 24 } else { cierre };
    (apertura..end)
        .filter(|h| {
            let hour_end = date.and_time(chrono::NaiveTime::MIN) + chrono::Duration::hours(i64::from(*h) + 1);
            hour_end + chrono::Duration::minutes(90) <= now
        })
        .collect()
}

/// One evaluable hour of a store-day (§7.2); fields in alphabetical order, the order
/// `GET /api/etl/gaps/horas` has always answered them in.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HourCheck {
    pub es_gap: bool,
    /// Median of the same weekday-hour over the previous 4 weeks (`None` with < 2 observations).
    pub esperado: Option<f64>,
    pub hora: u32,
    pub lineas: i64,
    pub observaciones: usize,
}

/// Parses the hour of an `HH:MM` opening/closing time (`00:00` closing = 24 handled by
/// [`evaluable_hours`]).
pub fn hour_of(hhmm: &str) -> u32 {
    hhmm.split(':').next().and_then(|h| h.parse().ok()).unwrap_or(0)
}

/// Hour checks of (store, date) at local `now`: lines per evaluable hour against the
/// median of the previous 4 same weekdays that have data and are not excluded.
pub fn hour_gaps(
    conn: &Connection,
    ubicacion_id: &str,
    fecha: NaiveDate,
    now: NaiveDateTime,
    apertura: u32,
    cierre: u32,
    excluded: &[NaiveDate],
) -> duckdb::Result<Vec<HourCheck>> {
    let hours = evaluable_hours(fecha, now, apertura, cierre);
    if hours.is_empty() {
        return Ok(Vec::new());
    }
    let previous: Vec<NaiveDate> = (1..=4).map(|w| fecha - chrono::Duration::weeks(w)).filter(|d| !excluded.contains(d)).collect();
    let mut counts: std::collections::HashMap<(NaiveDate, u32), i64> = std::collections::HashMap::new();
    let mut days_with_data: std::collections::HashSet<NaiveDate> = std::collections::HashSet::new();
    {
        let mut stmt = conn.prepare(
            "SELECT fecha, hour(fecha_venta)::INTEGER, count(*) FROM ventas
             WHERE ubicacion_id = ? AND fecha IN (?, ?, ?, ?, ?) GROUP BY ALL",
        )?;
        let d = |i: usize| previous.get(i).copied().unwrap_or(fecha);
        let rows = stmt.query_map(params![ubicacion_id, fecha, d(0), d(1), d(2), d(3)], |r| {
            Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, i32>(1)? as u32, r.get::<_, i64>(2)?))
        })?;
        for r in rows {
            let (day, h, n) = r?;
            days_with_data.insert(day);
            counts.insert((day, h), n);
        }
    }
    let observed: Vec<NaiveDate> = previous.iter().copied().filter(|d| days_with_data.contains(d)).collect();
    Ok(hours
        .into_iter()
        .map(|h| {
            let lineas = counts.get(&(fecha, h)).copied().unwrap_or(0);
            let history: Vec<i64> = observed.iter().map(|d| counts.get(&(*d, h)).copied().unwrap_or(0)).collect();
            let mut sorted = history.clone();
            HourCheck {
                hora: h,
                lineas,
                esperado: if history.len() >= 2 { median(&mut sorted) } else { None },
                observaciones: history.len(),
                es_gap: is_hour_gap(lineas, &history),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn volume_anomalies_worked_example_7_5() {
        let (flags, bounds) = volume_anomalies(&[12000, 11800, 12300, 12100, 11900, 3000, 12200]);
        let (low, high) = bounds.expect("thresholds");
        assert!((low - 3907.46).abs() < 0.01, "{low}");
        assert!((high - 17606.82).abs() < 0.01, "{high}");
        assert_eq!(flags, vec![None, None, None, None, None, Some("BAJO"), None]);
        // A day without lines is SIN DATOS and stays out of μ and σ; a spike is ALTO.
        let (flags, _) = volume_anomalies(&[100, 100, 100, 100, 100, 100, 0, 100, 100, 100, 500]);
        assert_eq!(flags[6], Some("SIN DATOS"));
        assert_eq!(flags[10], Some("ALTO"));
        assert_eq!(flags.iter().filter(|f| f.is_some()).count(), 2);
        // σ = 0: nothing is ALTO or BAJO.
        let (flags, _) = volume_anomalies(&[50, 50, 50]);
        assert!(flags.iter().all(Option::is_none));
    }

    #[test]
    fn freshness_worked_example_7_4() {
        let f = freshness_row("tienda_01", d("2026-02-17"), Some(d("2024-09-01")), Some(d("2026-02-12")), 520, 1);
        assert_eq!(f.dias_periodo, 530);
        assert_eq!(f.completitud_pct, 98.11);
        assert_eq!(f.dias_faltantes, 10);
        assert_eq!(f.dias_atrasados, Some(5));
        assert_eq!(f.badge, "amarillo");
        assert!(f.necesita_actualizacion && f.tiene_gaps_historicos);
    }

    #[test]
    fn hour_gap_worked_example_7_2() {
        let now = NaiveDateTime::parse_from_str("2025-11-18 14:10:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(evaluable_hours(d("2025-11-18"), now, 7, 21), vec![7, 8, 9, 10, 11]);
        assert!(is_hour_gap(0, &[380, 420, 400, 395]));
        assert!(is_hour_gap(0, &[600, 610, 640, 590]));
        assert!(!is_hour_gap(180, &[100, 100]));
        assert!(!is_hour_gap(0, &[2, 3, 4, 3]));
        assert!(is_hour_gap(0, &[50]));
        let late = NaiveDateTime::parse_from_str("2025-11-19 03:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(evaluable_hours(d("2025-11-18"), late, 8, 0), (8..24).collect::<Vec<_>>());
    }

    #[test]
    fn colours_and_urgency() {
        assert_eq!([day_colour(0), day_colour(99), day_colour(100), day_colour(1000)], ["rojo", "amarillo", "verde_claro", "verde_oscuro"]);
        assert_eq!(
            [month_colour(90.0), month_colour(70.0), month_colour(50.0), month_colour(49.9)],
            ["verde", "verde_claro", "amarillo", "rojo"]
        );
        assert_eq!([urgency(1.0), urgency(5.0), urgency(20.0), urgency(50.0)], ["Reciente", "Urgente", "Crítico", "Muy Crítico"]);
        assert_eq!(days_in_month(2024, 2), 29);
    }
}
