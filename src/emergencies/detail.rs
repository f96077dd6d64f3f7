//! The product detail modal (spec 40 §4.8): one product of one store today — its figures,
//! the hour-by-hour curves (today actual then projected, yesterday, the same weekday last
//! week, the same-weekday average) with their running totals, the projected stock line
//! (the §4.5 walk, so it reaches zero at `hora_agotamiento`), a narrative and a
//! recommendation. Reads one store's and one product's few weeks of sale lines.

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{known_store, phase_name, profile_name, store_days, EmergencyError, Result};
use crate::appdb::{self, emergencies as store_db};
use crate::config::Tenant;
use crate::domain::emergencies::{self as rules, evaluate_product, recommendation, DayPhase, EmergencyType, Intensity};
use crate::domain::sales::round_half_away;
use crate::warehouse::emergencies as wq;
use crate::warehouse::Warehouse;

/// One hour of the store's opening hours.
#[derive(Debug, Clone, Serialize)]
pub struct HourPoint {
    pub hora: u32,
    pub etiqueta: String,
    /// Actual units up to the current hour, then the projection.
    pub hoy: f64,
    pub es_proyeccion: bool,
    pub ayer: f64,
    pub semana_pasada: f64,
    pub promedio_historico: f64,
    pub hoy_acumulado: f64,
    pub ayer_acumulado: f64,
    pub semana_pasada_acumulado: f64,
    pub promedio_acumulado: f64,
    /// Expected units of this hour from the store's profile (`D × factor × w_h`).
    pub demanda_perfil: f64,
    /// Stock left at the end of this hour if demand follows the profile (from the current
    /// hour on; null before).
    pub stock_proyectado: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductDetail {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    pub clase_abc: String,
    pub almacen_codigo: Option<String>,
    pub evaluado_en: NaiveDateTime,
    pub hora_actual: String,
    pub estado_tienda: String,
    pub perfil: String,
    pub stock_actual: f64,
    pub vendidas_hoy: f64,
    pub vendidas_ayer: f64,
    pub vendidas_semana_pasada: f64,
    pub promedio_diario_30d: f64,
    pub demanda_restante: f64,
    pub cobertura: Option<f64>,
    pub cobertura_pct: Option<f64>,
    pub tipo: Option<EmergencyType>,
    pub factor_intensidad: f64,
    pub nivel_intensidad: Intensity,
    pub venta_proyectada_dia: f64,
    pub horas_restantes: Option<f64>,
    pub hora_agotamiento: Option<String>,
    pub horas: Vec<HourPoint>,
    pub narrativa: Vec<String>,
    pub recomendacion: Option<String>,
}

/// The hours the store is open, in the order of its day (a window across midnight runs
/// from opening to 23 h, then 0 h to closing).
fn open_hours(hours: &crate::domain::store_hours::StoreHours) -> Vec<u32> {
    let open = |h: u32| {
        let (a, b) = (NaiveTime::from_hms_opt(h, 0, 0), NaiveTime::from_hms_opt(h, 59, 59));
        a.is_some_and(|t| hours.is_open(t)) || b.is_some_and(|t| hours.is_open(t))
    };
    let first = hours.apertura().split(':').next().and_then(|h| h.parse::<u32>().ok()).unwrap_or(0).min(23);
    (0..24).map(|i| (first + i) % 24).filter(|h| open(*h)).collect()
}

fn r1(v: f64) -> f64 {
    round_half_away(v, 1)
}

/// A number for the narrative, with the decimal comma of the UI.
fn es(v: f64, decimals: usize) -> String {
    format!("{:.*}", decimals, round_half_away(v, decimals as i32)).replace('.', ",")
}

pub fn product_detail(
    tenant: &Tenant,
    wh: &Warehouse,
    app_db: &Path,
    store_id: &str,
    code: &str,
    now: NaiveDateTime,
) -> Result<ProductDetail> {
    let store = known_store(tenant, store_id)?.clone();
    let conn = appdb::connect(app_db)?;
    let config = store_db::config(&conn, store_id)?.unwrap_or_else(|| store_db::StoreConfig::absent(store_id));
    let mut days = store_days(&conn, wh, vec![(store.clone(), config)], now)?;
    let Some(day) = days.pop() else { return Err(EmergencyError::NotFound(format!("Tienda {store_id} no encontrada"))) };
    let today = now.date();
    let reader = wh.reader()?;
    let head =
        wq::product_head(&reader, store_id, code)?.ok_or_else(|| EmergencyError::NotFound(format!("Producto {code} no encontrado")))?;
    let (dfrom, dto) = super::demand_window(today);
    let units_30: f64 =
        wq::product_days(&reader, store_id, code, dfrom, dto)?.into_iter().filter(|(d, _)| !day.atypical.contains(d)).map(|(_, u)| u).sum();
    let hist_from = today - Duration::days(7 * rules::HISTORY_WEEKS);
    let lines = wq::product_hours(&reader, store_id, code, hist_from, now)?;
    drop(reader);

    let mut by_day: FxHashMap<NaiveDate, [f64; 24]> = FxHashMap::default();
    for (d, h, u) in lines {
        by_day.entry(d).or_insert([0.0; 24])[h as usize] += u;
    }
    let zero = [0.0; 24];
    let today_h = by_day.get(&today).copied().unwrap_or(zero);
    let yesterday = by_day.get(&(today - Duration::days(1))).copied().unwrap_or(zero);
    let last_week = by_day.get(&(today - Duration::days(7))).copied().unwrap_or(zero);
    // Same weekday, previous four weeks, atypical days left out (days without sales of the
    // product count as zero).
    let same: Vec<NaiveDate> = (1..=rules::HISTORY_WEEKS)
        .map(|w| today - Duration::days(7 * w))
        .filter(|d| !day.atypical.contains(d) && d.weekday() == today.weekday())
        .collect();
    let mut average = [0.0; 24];
    if !same.is_empty() {
        for d in &same {
            let row = by_day.get(d).unwrap_or(&zero);
            for h in 0..24 {
                average[h] += row[h] / same.len() as f64;
            }
        }
    }

    let daily = rules::daily_demand(units_30, day.trading_days).unwrap_or(0.0);
    let thresholds =
        rules::Thresholds { critico: day.config.umbral_critico, inminente: day.config.umbral_inminente, alerta: day.config.umbral_alerta };
    let eval = evaluate_product(&day.ctx, &thresholds, daily, head.stock);
    let remaining = eval.as_ref().map_or(0.0, |e| e.demanda_restante);
    let sold_today: f64 = today_h.iter().sum();
    let current = now.hour();
    let factor = day.ctx.factor;
    let rate = daily * factor;

    let hours = open_hours(&day.ctx.hours);
    let position = |h: u32| hours.iter().position(|x| *x == h);
    let now_pos = match day.phase {
        DayPhase::AntesDeAbrir => None,
        DayPhase::Cerrada => Some(hours.len()),
        DayPhase::Abierta => position(current),
    };
    let mut points = Vec::with_capacity(hours.len());
    let (mut acc_today, mut acc_y, mut acc_w, mut acc_avg) = (0.0, 0.0, 0.0, 0.0);
    let mut stock_left = head.stock;
    for (i, h) in hours.iter().copied().enumerate() {
        let hi = h as usize;
        let projected = now_pos.is_none_or(|p| i > p);
        let value = if projected { average[hi] * factor } else { today_h[hi] };
        let weight = day.ctx.profile.pesos[hi];
        let profile_units = rate * weight;
        let stock_proyectado = match now_pos {
            Some(p) if i == p && day.phase == DayPhase::Abierta => {
                stock_left -= profile_units * (1.0 - f64::from(now.minute()) / 60.0);
                Some(stock_left)
            }
            Some(p) if i < p => None,
            _ if day.phase == DayPhase::Cerrada => None,
            _ => {
                stock_left -= profile_units;
                Some(stock_left)
            }
        };
        acc_today += value;
        acc_y += yesterday[hi];
        acc_w += last_week[hi];
        acc_avg += average[hi];
        points.push(HourPoint {
            hora: h,
            etiqueta: format!("{h:02}:00"),
            hoy: r1(value),
            es_proyeccion: projected,
            ayer: r1(yesterday[hi]),
            semana_pasada: r1(last_week[hi]),
            promedio_historico: r1(average[hi]),
            hoy_acumulado: r1(acc_today),
            ayer_acumulado: r1(acc_y),
            semana_pasada_acumulado: r1(acc_w),
            promedio_acumulado: r1(acc_avg),
            demanda_perfil: r1(profile_units),
            stock_proyectado: stock_proyectado.map(|s| r1(s.max(head.stock.min(0.0)))),
        });
    }

    let tipo = eval.as_ref().and_then(|e| e.tipo);
    let clase = head.clase_abc.clone().unwrap_or_else(|| "D".into());
    let agot = eval.as_ref().and_then(|e| e.agotamiento.clone());
    let mut narrativa = vec![format!(
        "Hoy la tienda vende al {} % de lo habitual a esta hora (factor {}, {}).",
        round_half_away(factor * 100.0, 0),
        es(factor, 2),
        day.factor.nivel.as_str().replace('_', " ").to_lowercase()
    )];
    narrativa.push(format!(
        "Se han vendido {} unidades hoy; el promedio es {} por día de venta en los últimos 30 días.",
        es(sold_today, 1),
        es(daily, 2)
    ));
    match (&agot, eval.is_some()) {
        (Some(a), _) if head.stock <= 0.0 => narrativa.push(format!("El producto está agotado desde antes de las {}.", a.hora_agotamiento)),
        (Some(a), _) => narrativa.push(format!(
            "Con {} unidades en stock y {} de demanda restante, se agotaría hacia las {} (en {} h).",
            es(head.stock, 1),
            es(remaining, 2),
            a.hora_agotamiento,
            es(a.horas_restantes, 1)
        )),
        (None, true) => narrativa.push(format!("El stock de {} unidades alcanza hasta el cierre.", es(head.stock, 1))),
        (None, false) => narrativa.push("No queda demanda relevante hoy para este producto.".into()),
    }
    Ok(ProductDetail {
        ubicacion_id: store.id.clone(),
        ubicacion_nombre: store.name.clone(),
        producto_codigo: code.to_string(),
        descripcion: head.descripcion,
        categoria: head.categoria,
        clase_abc: clase.clone(),
        almacen_codigo: head.almacen_codigo,
        evaluado_en: now,
        hora_actual: now.format("%H:%M").to_string(),
        estado_tienda: phase_name(day.phase).to_string(),
        perfil: profile_name(day.ctx.profile.origen).to_string(),
        stock_actual: head.stock,
        vendidas_hoy: r1(sold_today),
        vendidas_ayer: r1(yesterday.iter().sum()),
        vendidas_semana_pasada: r1(last_week.iter().sum()),
        promedio_diario_30d: round_half_away(daily, 2),
        demanda_restante: round_half_away(remaining, 2),
        cobertura: eval.as_ref().map(|e| round_half_away(e.cobertura, 4)),
        cobertura_pct: eval.as_ref().map(|e| round_half_away(e.cobertura * 100.0, 1)),
        tipo,
        factor_intensidad: round_half_away(factor, 4),
        nivel_intensidad: day.factor.nivel,
        venta_proyectada_dia: round_half_away(sold_today + remaining, 2),
        horas_restantes: agot.as_ref().map(|a| r1(a.horas_restantes)),
        hora_agotamiento: agot.map(|a| a.hora_agotamiento),
        horas: points,
        narrativa,
        recomendacion: tipo.map(|t| recommendation(t, &clase).to_string()),
    })
}
