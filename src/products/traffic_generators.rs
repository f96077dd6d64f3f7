//! Traffic generators (spec 40 §5): the screen's summary and lists, the administrator's
//! decisions and the suggestion run. The metrics come from the warehouse (rebuilt with the
//! classification caches); the flags live in the application database (`producto_ajustes`)
//! and are mirrored into the warehouse like every product correction, so the effective
//! `es_generador_trafico` of `productos_v` is what the replenishment engines read — an approval
//! is a warehouse write, which every kept read of a calculation (`replenishment::Memo`) sees.

use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use super::{mirror_overrides, ProductError};
use crate::appdb::traffic_generators::{self as store, HistoryRow, Run, Setting, Stored};
use crate::appdb::{audit, now_rfc3339};
use crate::domain::sales::round_half_away;
use crate::domain::traffic_generators::{apply, suggestion_run, validate_setting, Action, Flags, State, CONFIG_KEYS, GAP_ALTO};
use crate::warehouse::traffic_generators::{self as wt, Base, Row};
use crate::warehouse::Warehouse;

#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error("Producto {0} no encontrado")]
    NotFound(String),
    #[error("Parámetro {0} no encontrado")]
    UnknownSetting(String),
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Product(#[from] ProductError),
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    WarehouseOpen(#[from] crate::warehouse::WarehouseError),
}

impl From<rusqlite::Error> for TrafficError {
    fn from(e: rusqlite::Error) -> Self {
        TrafficError::AppDb(e.into())
    }
}

/// The metrics window the screen shows (`None` before the first rebuild).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MetricsWindow {
    pub total_tickets: i64,
    pub periodo_inicio: NaiveDate,
    pub periodo_fin: NaiveDate,
    pub fecha_calculo: NaiveDate,
}

fn metrics_window(r: &duckdb::Connection) -> Result<Option<MetricsWindow>, TrafficError> {
    Ok(wt::window(r)?.map(|(total_tickets, periodo_inicio, periodo_fin, fecha_calculo)| MetricsWindow {
        total_tickets,
        periodo_inicio,
        periodo_fin,
        fecha_calculo,
    }))
}

/// §5.2 summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub activos: i64,
    /// Suggested and pending review.
    pub sugeridos: usize,
    pub ignorados: usize,
    /// Mean GAP of the pending suggestions (1 dp; null without any).
    pub gap_promedio_sugeridos: Option<f64>,
    /// Products with GAP > 200 (the original misnamed this `productos_clase_c`).
    pub candidatos_gap_alto: i64,
    pub gap_minimo: i64,
    pub ultimo_calculo: Option<Run>,
    pub ventana: Option<MetricsWindow>,
    /// Last day of the metrics window.
    pub datos_al: Option<NaiveDate>,
}

/// The suggested and the ignored codes that are not active generators.
fn pending(flagged: &std::collections::HashMap<String, Stored>, active: &std::collections::HashSet<String>) -> (Vec<String>, Vec<String>) {
    let mut sugeridos = Vec::new();
    let mut ignorados = Vec::new();
    for (code, s) in flagged {
        if active.contains(code) {
            continue;
        }
        if s.ignorado {
            ignorados.push(code.clone());
        } else if s.sugerido {
            sugeridos.push(code.clone());
        }
    }
    sugeridos.sort();
    ignorados.sort();
    (sugeridos, ignorados)
}

pub fn summary(app: &rusqlite::Connection, wh: &Warehouse) -> Result<Summary, TrafficError> {
    let flagged = store::flagged(app)?;
    let reader = wh.reader()?;
    let active = wt::active_codes(&reader)?;
    let (sugeridos, ignorados) = pending(&flagged, &active);
    let (activos, candidatos_gap_alto, mean) = wt::summary_counts(&reader, GAP_ALTO, &sugeridos)?;
    let ventana = metrics_window(&reader)?;
    Ok(Summary {
        activos,
        sugeridos: sugeridos.len(),
        ignorados: ignorados.len(),
        gap_promedio_sugeridos: mean.map(|m| round_half_away(m, 1)),
        candidatos_gap_alto,
        gap_minimo: store::gap_minimo(app)?,
        ultimo_calculo: store::last_run(app)?,
        datos_al: ventana.as_ref().map(|v| v.periodo_fin),
        ventana,
    })
}

/// The screen's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    /// *Sugeridos por revisar* (default).
    Sugeridos,
    /// *Marcados activos*.
    Activos,
    /// *Todos los productos* (GAP > 200).
    Todos,
    Ignorados,
}

impl Tab {
    pub fn parse(s: &str) -> Option<Tab> {
        match s {
            "sugeridos" => Some(Tab::Sugeridos),
            "activos" => Some(Tab::Activos),
            "todos" => Some(Tab::Todos),
            "ignorados" => Some(Tab::Ignorados),
            _ => None,
        }
    }
}

/// One product as the table and the detail panel show it (rounded for output).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductLine {
    pub producto_codigo: String,
    pub descripcion: Option<String>,
    pub categoria: Option<String>,
    pub venta_30d: Option<f64>,
    pub tickets_30d: Option<i64>,
    /// 4 dp.
    pub penetracion_pct: Option<f64>,
    pub rank_venta: Option<i32>,
    pub rank_penetracion: Option<i32>,
    pub gap: Option<i64>,
    pub clase_abc: Option<String>,
    pub estado: State,
    pub fecha_marcado: Option<String>,
    pub fecha_sugerido: Option<String>,
}

fn line(r: Row, s: Option<&Stored>) -> ProductLine {
    let s = s.cloned().unwrap_or_default();
    let flags = Flags { activo: r.activo, sugerido: s.sugerido, ignorado: s.ignorado };
    ProductLine {
        producto_codigo: r.codigo,
        descripcion: r.descripcion,
        categoria: r.categoria,
        venta_30d: r.venta.map(|v| round_half_away(v, 2)),
        tickets_30d: r.tickets,
        penetracion_pct: r.penetracion_pct.map(|p| round_half_away(p, 4)),
        rank_venta: r.rank_valor,
        rank_penetracion: r.rank_penetracion,
        gap: r.gap,
        clase_abc: r.clase_abc,
        estado: State::of(flags),
        fecha_marcado: if r.activo { s.fecha_marcado } else { None },
        fecha_sugerido: if flags.sugerido { s.fecha_sugerido } else { None },
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductList {
    pub tab: Tab,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub productos: Vec<ProductLine>,
    pub ventana: Option<MetricsWindow>,
    pub datos_al: Option<NaiveDate>,
}

/// A tab's page, ordered by GAP descending (products without metrics last), then code.
pub fn list(app: &rusqlite::Connection, wh: &Warehouse, tab: Tab, limit: usize, offset: usize) -> Result<ProductList, TrafficError> {
    if !(1..=2000).contains(&limit) {
        return Err(TrafficError::Invalid { field: "limit", message: "limit debe estar entre 1 y 2000".into() });
    }
    let flagged = store::flagged(app)?;
    let reader = wh.reader()?;
    let codes = match tab {
        Tab::Sugeridos | Tab::Ignorados => {
            let mut codes: Vec<String> = flagged
                .iter()
                .filter(|(_, s)| if tab == Tab::Ignorados { s.ignorado } else { s.sugerido && !s.ignorado })
                .map(|(c, _)| c.clone())
                .collect();
            codes.sort();
            codes
        }
        _ => Vec::new(),
    };
    let base = match tab {
        Tab::Sugeridos | Tab::Ignorados => Base::Codes(&codes),
        Tab::Activos => Base::Active,
        Tab::Todos => Base::GapAbove(GAP_ALTO),
    };
    let (rows, total) = wt::list(&reader, base, limit, offset)?;
    let ventana = metrics_window(&reader)?;
    Ok(ProductList {
        tab,
        total,
        limit,
        offset,
        productos: rows.into_iter().map(|r| line(r.clone(), flagged.get(&r.codigo))).collect(),
        datos_al: ventana.as_ref().map(|v| v.periodo_fin),
        ventana,
    })
}

/// One product with its history (last 20 changes).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductHistory {
    pub producto: ProductLine,
    pub historial: Vec<HistoryRow>,
    /// GAP = rank_venta − rank_penetración, in words.
    pub explicacion_gap: String,
}

pub const HISTORY_LIMIT: usize = 20;

fn current(app: &rusqlite::Connection, wh: &Warehouse, codigo: &str) -> Result<ProductLine, TrafficError> {
    let row = wt::one(&*wh.reader()?, codigo)?.ok_or_else(|| TrafficError::NotFound(codigo.to_string()))?;
    let s = store::get(app, codigo)?;
    Ok(line(row, Some(&s)))
}

/// Why the product has its GAP, in Spanish.
pub fn gap_explanation(p: &ProductLine) -> String {
    match (p.rank_venta, p.rank_penetracion, p.gap) {
        (Some(v), Some(t), Some(g)) if g > 0 => format!(
            "GAP = puesto por venta en $ − puesto por penetración = {v} − {t} = {g}: aparece en muchos más tickets de lo que su venta \
             sugiere; si falta, el cliente puede abandonar la compra completa."
        ),
        (Some(v), Some(t), Some(g)) => {
            format!("GAP = puesto por venta en $ − puesto por penetración = {v} − {t} = {g}: su venta está a la altura de su frecuencia.")
        }
        _ => "Sin ventas en la ventana de análisis: no tiene GAP.".to_string(),
    }
}

pub fn history(app: &rusqlite::Connection, wh: &Warehouse, codigo: &str) -> Result<ProductHistory, TrafficError> {
    let producto = current(app, wh, codigo)?;
    Ok(ProductHistory { explicacion_gap: gap_explanation(&producto), historial: store::history(app, codigo, HISTORY_LIMIT)?, producto })
}

fn history_row(p: &ProductLine, accion: &str, usuario: Option<&str>, comentario: Option<&str>, fecha: &str) -> HistoryRow {
    HistoryRow {
        producto_codigo: p.producto_codigo.clone(),
        accion: accion.to_string(),
        gap: p.gap,
        venta_30d: p.venta_30d,
        tickets_30d: p.tickets_30d,
        penetracion_pct: p.penetracion_pct,
        clase_abc: p.clase_abc.clone(),
        usuario: usuario.map(str::to_string),
        comentario: comentario.map(str::to_string),
        fecha: fecha.to_string(),
    }
}

/// The POS value of `es_generador_trafico` (false for an unknown code).
fn pos_flag(wh: &Warehouse, codigo: &str) -> Result<bool, TrafficError> {
    let r = wh.reader()?;
    let mut stmt = r.prepare_cached("SELECT coalesce(es_generador_trafico, false) FROM productos WHERE codigo = ?")?;
    let mut rows = stmt.query_map([codigo], |r| r.get::<_, bool>(0))?;
    Ok(rows.next().transpose()?.unwrap_or(false))
}

/// §5.2 actions: stored with a history row and an audit row in one transaction, then
/// mirrored into the warehouse so the next calculation computes the product accordingly.
pub fn mark(
    app: &mut rusqlite::Connection,
    wh: &Warehouse,
    codigo: &str,
    action: Action,
    comentario: Option<&str>,
    (user, ip): (&str, Option<&str>),
) -> Result<ProductHistory, TrafficError> {
    let before = current(app, wh, codigo)?;
    let pos = pos_flag(wh, codigo)?;
    let tx = app.transaction()?;
    let stored = store::get(&tx, codigo)?;
    let flags = Flags { activo: before.estado == State::Activo, sugerido: stored.sugerido, ignorado: stored.ignorado };
    let next = apply(flags, action)
        .map_err(|_| TrafficError::Conflict(format!("El producto {codigo} es un generador activo: remuévalo antes de rechazarlo")))?;
    let now = now_rfc3339();
    let after = Stored {
        // The override says what the state says; when it agrees with the POS it is not needed.
        es_generador_trafico: (next.activo != pos).then_some(next.activo),
        sugerido: next.sugerido,
        ignorado: next.ignorado,
        gap: if next.sugerido { stored.gap } else { stored.gap.or(before.gap) },
        fecha_marcado: match action {
            Action::Aprobar => Some(now.clone()),
            Action::Remover => None,
            Action::Rechazar => stored.fecha_marcado.clone(),
        },
        fecha_sugerido: stored.fecha_sugerido.clone(),
    };
    store::save(&tx, codigo, &after, Some(user))?;
    store::log(&tx, &history_row(&before, action.logged_as(), Some(user), comentario, &now))?;
    audit::append(
        &tx,
        &audit::Entry {
            usuario: Some(user),
            ip,
            accion: "generador_trafico.marcar",
            entidad: Some("producto"),
            entidad_id: Some(codigo),
            detalle: Some(json!({ "accion": action, "antes": before.estado, "comentario": comentario })),
        },
    )?;
    tx.commit()?;
    if after.es_generador_trafico != stored.es_generador_trafico {
        mirror_overrides(app, wh)?;
    }
    history(app, wh, codigo)
}

/// What *Calcular sugerencias* did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionReport {
    /// Products whose GAP reached `gap_minimo`.
    pub candidatos_analizados: usize,
    pub nuevas_sugerencias: usize,
    pub sugerencias_removidas: usize,
    pub gap_minimo: i64,
    pub ms: u128,
}

/// Who started a suggestion run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Manual,
    /// After the nightly classification rebuild.
    Nocturno,
}

/// §5.2 *Calcular sugerencias* over the stored metrics: new suggestions logged as `sugerido`,
/// stale ones withdrawn, active generators untouched; the run is recorded.
pub fn suggest(
    app: &mut rusqlite::Connection,
    wh: &Warehouse,
    user: Option<&str>,
    origin: Origin,
) -> Result<SuggestionReport, TrafficError> {
    let started = Instant::now();
    let reader = wh.reader()?;
    let gaps = wt::gaps(&reader)?;
    let active = wt::active_codes(&reader)?;
    drop(reader);
    let gap_minimo = store::gap_minimo(app)?;
    let tx = app.transaction()?;
    let flagged = store::flagged(&tx)?;
    let flags = |code: &str| {
        let s = flagged.get(code);
        Flags { activo: active.contains(code), sugerido: s.is_some_and(|s| s.sugerido), ignorado: s.is_some_and(|s| s.ignorado) }
    };
    let suggested: Vec<String> = flagged.iter().filter(|(_, s)| s.sugerido).map(|(c, _)| c.clone()).collect();
    let changes = suggestion_run(gaps.iter().map(|(c, g)| (c.as_str(), *g)), flags, &suggested, gap_minimo);
    let now = now_rfc3339();
    // The new suggestions' figures for their history rows, in one read (thousands on a first run).
    let new_codes: Vec<String> = changes.nuevos.iter().map(|(c, _)| c.clone()).collect();
    let (rows, _) = wt::list(&*wh.reader()?, Base::Codes(&new_codes), new_codes.len().max(1), 0)?;
    let mut rows: std::collections::HashMap<String, Row> = rows.into_iter().map(|r| (r.codigo.clone(), r)).collect();
    for (code, gap) in &changes.nuevos {
        let before = store::get(&tx, code)?;
        store::save(&tx, code, &Stored { sugerido: true, gap: Some(*gap), fecha_sugerido: Some(now.clone()), ..before }, user)?;
        if let Some(row) = rows.remove(code) {
            store::log(&tx, &history_row(&line(row, None), "sugerido", user, None, &now))?;
        }
    }
    for code in &changes.retirados {
        let before = store::get(&tx, code)?;
        store::save(&tx, code, &Stored { sugerido: false, fecha_sugerido: None, ..before }, user)?;
    }
    let report = SuggestionReport {
        candidatos_analizados: changes.candidatos,
        nuevas_sugerencias: changes.nuevos.len(),
        sugerencias_removidas: changes.retirados.len(),
        gap_minimo,
        ms: started.elapsed().as_millis(),
    };
    store::record_run(
        &tx,
        &Run {
            fecha: now,
            origen: match origin {
                Origin::Manual => "manual",
                Origin::Nocturno => "nocturno",
            }
            .into(),
            usuario: user.map(str::to_string),
            gap_minimo,
            candidatos: report.candidatos_analizados as i64,
            nuevas: report.nuevas_sugerencias as i64,
            retiradas: report.sugerencias_removidas as i64,
            duracion_ms: report.ms as i64,
        },
    )?;
    if let Some(u) = user {
        audit::append(
            &tx,
            &audit::Entry {
                usuario: Some(u),
                ip: None,
                accion: "generador_trafico.calcular_sugerencias",
                entidad: None,
                entidad_id: None,
                detalle: Some(json!({ "nuevas": report.nuevas_sugerencias, "removidas": report.sugerencias_removidas })),
            },
        )?;
    }
    tx.commit()?;
    Ok(report)
}

pub fn settings(app: &rusqlite::Connection) -> Result<Vec<Setting>, TrafficError> {
    Ok(store::settings(app)?)
}

/// §5.4: one key at a time; an unknown key is "not found", a bad value a validation error.
pub fn set_setting(
    app: &mut rusqlite::Connection,
    clave: &str,
    valor: &str,
    (user, ip): (&str, Option<&str>),
) -> Result<Setting, TrafficError> {
    if !CONFIG_KEYS.contains(&clave) {
        return Err(TrafficError::UnknownSetting(clave.to_string()));
    }
    let valor = validate_setting(clave, valor).map_err(|message| TrafficError::Invalid { field: "valor", message })?;
    let tx = app.transaction()?;
    let before = store::setting(&tx, clave)?;
    if !store::set_setting(&tx, clave, &valor, user)? {
        return Err(TrafficError::UnknownSetting(clave.to_string()));
    }
    audit::append(
        &tx,
        &audit::Entry {
            usuario: Some(user),
            ip,
            accion: "generador_trafico.config",
            entidad: Some("config_generadores_trafico"),
            entidad_id: Some(clave),
            detalle: Some(json!({ "antes": before, "despues": valor })),
        },
    )?;
    tx.commit()?;
    store::settings(app)?.into_iter().find(|s| s.clave == clave).ok_or_else(|| TrafficError::UnknownSetting(clave.to_string()))
}
