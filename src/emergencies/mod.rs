//! *Emergencias de Inventario* (spec 40 §4): which products of each enabled store will not
//! last the rest of today, adjusted by how busy today is.
//!
//! The rules are `domain::emergencies`; this module reads their inputs (the warehouse's
//! aggregates and today's sale lines, the stores' settings in SQLite), runs scans (by hand,
//! by API, by the scheduler while a store is open), keeps each scan with its emergency list,
//! per-store summary and anomalies, and queues one e-mail per store for the STOCKOUT and
//! CRITICO items not mailed before that day. Times are the tenant's local wall-clock time;
//! "now" comes from [`Clock`] so a test or a replay can fix it.

pub mod detail;
mod notify;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::appdb::emergencies::{self as store_db, StoreConfig};
use crate::appdb::{self, inventory_settings};
use crate::config::{Store, Tenant};
use crate::domain::emergencies::{
    self as rules, day_phase, elapsed_fraction, evaluate_product, intensity, list_order, mean_daily_revenue, negative_stock, DayContext,
    DayPhase, EmergencyType, Intensity, Profile, ProfileSource, Thresholds,
};
use crate::domain::sales::round_half_away;
use crate::domain::store_hours::StoreHours;
use crate::warehouse::emergencies as wq;
use crate::warehouse::Warehouse;

#[derive(Debug, thiserror::Error)]
pub enum EmergencyError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    AppDb(#[from] appdb::AppDbError),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Duck(#[from] duckdb::Error),
}

type Result<T, E = EmergencyError> = std::result::Result<T, E>;

/// "Now" for emergencies: the tenant's local time, unless fixed (tests, replays of a day).
#[derive(Debug, Default)]
pub struct Clock {
    fixed: Mutex<Option<NaiveDateTime>>,
}

impl Clock {
    /// Fixes the local instant every later scan, factor and detail evaluates at (`None`: the
    /// real clock again).
    pub fn fix(&self, local: Option<NaiveDateTime>) {
        *self.fixed.lock().unwrap_or_else(|p| p.into_inner()) = local;
    }

    pub fn now(&self, tenant: &Tenant) -> NaiveDateTime {
        (*self.fixed.lock().unwrap_or_else(|p| p.into_inner())).unwrap_or_else(|| tenant.now_local())
    }
}

/// Who started a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Trigger {
    Manual,
    Scheduler,
    Api,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "MANUAL",
            Trigger::Scheduler => "SCHEDULER",
            Trigger::Api => "API",
        }
    }
}

/// A scan to run: `tiendas` (None: every enabled store) is intersected with the enabled
/// stores by the scan.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub tiendas: Option<Vec<String>>,
    pub incluir_anomalias: bool,
    pub usuario: Option<String>,
    pub disparado_por: Trigger,
}

/// One product of one store that will not last the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Emergency {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub producto_codigo: String,
    pub descripcion: String,
    pub categoria: Option<String>,
    /// The store's ABC class of the product ("D" when it has none).
    pub clase_abc: String,
    pub tipo: EmergencyType,
    pub stock_actual: f64,
    pub vendidas_hoy: f64,
    pub demanda_diaria: f64,
    pub demanda_restante: f64,
    pub cobertura: f64,
    pub cobertura_pct: f64,
    pub factor_intensidad: f64,
    pub horas_restantes: Option<f64>,
    pub hora_agotamiento: Option<String>,
    pub almacen_codigo: Option<String>,
}

/// A STOCK_NEGATIVO (or other) finding of a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    pub id: i64,
    pub ubicacion_id: String,
    pub producto_codigo: String,
    pub descripcion_producto: String,
    pub almacen_codigo: Option<String>,
    pub tipo: String,
    pub severidad: String,
    pub valor_detectado: f64,
    pub valor_esperado: f64,
    pub descripcion: String,
}

/// Counts by type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeTotals {
    pub total: usize,
    pub stockout: usize,
    pub critico: usize,
    pub inminente: usize,
    pub alerta: usize,
}

impl TypeTotals {
    fn add(&mut self, t: EmergencyType) {
        self.total += 1;
        match t {
            EmergencyType::Stockout => self.stockout += 1,
            EmergencyType::Critico => self.critico += 1,
            EmergencyType::Inminente => self.inminente += 1,
            EmergencyType::Alerta => self.alerta += 1,
        }
    }

    fn of<'a>(items: impl Iterator<Item = &'a Emergency>) -> TypeTotals {
        let mut t = TypeTotals::default();
        for e in items {
            t.add(e.tipo);
        }
        t
    }
}

/// A store's day as a scan saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreSummary {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub hora_apertura: String,
    pub hora_cierre: String,
    /// antes_de_abrir | abierta | cerrada.
    pub estado_tienda: String,
    /// aprendido | por_defecto.
    pub perfil: String,
    pub dias_perfil: usize,
    pub porcentaje_dia_transcurrido: f64,
    pub venta_esperada: f64,
    pub venta_real: f64,
    pub factor_intensidad: f64,
    pub nivel_intensidad: String,
    pub dias_con_venta_30d: usize,
    pub productos_analizados: usize,
    pub emergencias: TypeTotals,
    pub anomalias: usize,
}

/// A scan's answer (also what the latest-emergencies endpoint rebuilds from storage).
#[derive(Debug, Clone, Serialize)]
pub struct ScanResult {
    pub scan_id: String,
    pub inicio: String,
    pub fin: String,
    pub duracion_ms: i64,
    pub evaluado_en: NaiveDateTime,
    pub disparado_por: Trigger,
    pub usuario: Option<String>,
    pub tiendas: Vec<String>,
    pub productos_analizados: usize,
    pub totales: TypeTotals,
    pub total_anomalias: usize,
    pub emergencias: Vec<Emergency>,
    pub anomalias: Vec<Anomaly>,
    pub resumen_tiendas: Vec<StoreSummary>,
    /// E-mails queued for new STOCKOUT/CRITICO items (one per store with new items).
    pub notificaciones_encoladas: usize,
}

/// A store's figures of the day shared by all its products.
#[derive(Debug, Clone)]
pub(crate) struct StoreDay {
    pub store: Store,
    pub config: StoreConfig,
    pub ctx: DayContext,
    pub phase: DayPhase,
    pub factor: rules::IntensityFactor,
    pub trading_days: usize,
    pub atypical: Vec<NaiveDate>,
}

impl StoreDay {
    fn summary(&self) -> StoreSummary {
        StoreSummary {
            ubicacion_id: self.store.id.clone(),
            ubicacion_nombre: self.store.name.clone(),
            hora_apertura: self.ctx.hours.apertura(),
            hora_cierre: self.ctx.hours.cierre(),
            estado_tienda: phase_name(self.phase).to_string(),
            perfil: profile_name(self.ctx.profile.origen).to_string(),
            dias_perfil: self.ctx.profile.dias,
            porcentaje_dia_transcurrido: round_half_away(self.ctx.elapsed * 100.0, 2),
            venta_esperada: round_half_away(self.factor.esperado, 2),
            venta_real: round_half_away(self.factor.real, 2),
            factor_intensidad: round_half_away(self.factor.factor, 4),
            nivel_intensidad: self.factor.nivel.as_str().to_string(),
            dias_con_venta_30d: self.trading_days,
            productos_analizados: 0,
            emergencias: TypeTotals::default(),
            anomalias: 0,
        }
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds { critico: self.config.umbral_critico, inminente: self.config.umbral_inminente, alerta: self.config.umbral_alerta }
    }
}

pub(crate) fn phase_name(p: DayPhase) -> &'static str {
    match p {
        DayPhase::AntesDeAbrir => "antes_de_abrir",
        DayPhase::Abierta => "abierta",
        DayPhase::Cerrada => "cerrada",
    }
}

pub(crate) fn profile_name(p: ProfileSource) -> &'static str {
    match p {
        ProfileSource::Aprendido => "aprendido",
        ProfileSource::PorDefecto => "por_defecto",
    }
}

/// A store's opening hours (configuration check refuses malformed ones; default otherwise).
pub(crate) fn hours_of(store: &Store) -> StoreHours {
    let (apertura, cierre) = store.hours();
    StoreHours::parse(&apertura, &cierre).unwrap_or_default()
}

/// Active stores (not CEDIs) of the tenant, in tenant.toml order.
pub fn active_stores(tenant: &Tenant) -> impl Iterator<Item = &Store> {
    tenant.stores().iter().filter(|s| s.active && !s.is_cedi())
}

/// Every active store's settings (a store without a row: disabled with the defaults).
pub fn store_configs(tenant: &Tenant, conn: &rusqlite::Connection) -> Result<Vec<(Store, StoreConfig)>> {
    let rows: FxHashMap<String, StoreConfig> = store_db::configs(conn)?.into_iter().map(|c| (c.ubicacion_id.clone(), c)).collect();
    Ok(active_stores(tenant).map(|s| (s.clone(), rows.get(&s.id).cloned().unwrap_or_else(|| StoreConfig::absent(&s.id)))).collect())
}

/// The same weekday of the previous `HISTORY_WEEKS` weeks: `(from, to, weekday 0 = Sunday)`.
fn history_window(today: NaiveDate) -> (NaiveDate, NaiveDate, u32) {
    (today - Duration::days(7 * rules::HISTORY_WEEKS), today - Duration::days(1), today.weekday().num_days_from_sunday())
}

/// The demand window: the `DEMAND_DAYS` complete days before today.
fn demand_window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    (today - Duration::days(rules::DEMAND_DAYS), today - Duration::days(1))
}

/// Profiles, elapsed fraction, intensity factor and trading days of `stores` at `now`.
pub(crate) fn store_days(
    conn: &rusqlite::Connection,
    wh: &Warehouse,
    stores: Vec<(Store, StoreConfig)>,
    now: NaiveDateTime,
) -> Result<Vec<StoreDay>> {
    if stores.is_empty() {
        return Ok(Vec::new());
    }
    let today = now.date();
    let ids: Vec<String> = stores.iter().map(|(s, _)| s.id.clone()).collect();
    let mut atypical: FxHashMap<String, Vec<NaiveDate>> = FxHashMap::default();
    for id in &ids {
        atypical.insert(id.clone(), inventory_settings::atypical_days(conn, id)?);
    }
    let (hfrom, hto, weekday) = history_window(today);
    let (dfrom, dto) = demand_window(today);
    let reader = wh.reader()?;
    let hours = wq::weekday_hours(&reader, &ids, hfrom, hto, weekday)?;
    let trading = wq::trading_days(&reader, &ids, dfrom, dto)?;
    let actual = wq::revenue_until(&reader, &ids, today, now)?;
    drop(reader);

    let mut by_day: FxHashMap<&str, BTreeMap<NaiveDate, [f64; 24]>> = FxHashMap::default();
    for h in &hours {
        if atypical.get(&h.ubicacion_id).is_some_and(|a| a.contains(&h.fecha)) {
            continue;
        }
        by_day.entry(h.ubicacion_id.as_str()).or_default().entry(h.fecha).or_insert([0.0; 24])[h.hora as usize] += h.venta;
    }
    let mut trading_days: FxHashMap<&str, usize> = FxHashMap::default();
    for (s, d) in &trading {
        if !atypical.get(s).is_some_and(|a| a.contains(d)) {
            *trading_days.entry(s.as_str()).or_default() += 1;
        }
    }
    let mut out = Vec::with_capacity(stores.len());
    for (store, config) in stores {
        let days: Vec<[f64; 24]> = by_day.get(store.id.as_str()).map(|m| m.values().copied().collect()).unwrap_or_default();
        let profile = Profile::learn(&days);
        let totals: Vec<f64> = days.iter().map(|d| d.iter().sum()).collect();
        let hours = hours_of(&store);
        let t = now.time();
        let elapsed = elapsed_fraction(&profile, &hours, t);
        let factor = intensity(mean_daily_revenue(&totals), elapsed, actual.get(&store.id).copied().unwrap_or(0.0));
        let ctx = DayContext::new(profile, hours, t, factor.factor);
        out.push(StoreDay {
            phase: day_phase(&hours, t),
            trading_days: trading_days.get(store.id.as_str()).copied().unwrap_or(0),
            atypical: atypical.remove(&store.id).unwrap_or_default(),
            store,
            config,
            ctx,
            factor,
        });
    }
    Ok(out)
}

/// The enabled stores a scan covers: `requested` (None: all) ∩ enabled, in tenant order.
fn scanned_stores(tenant: &Tenant, conn: &rusqlite::Connection, requested: Option<&[String]>) -> Result<Vec<(Store, StoreConfig)>> {
    Ok(store_configs(tenant, conn)?
        .into_iter()
        .filter(|(s, c)| c.habilitado && requested.is_none_or(|r| r.iter().any(|x| x == &s.id)))
        .collect())
}

/// What a scan computed, before it is stored.
struct Computed {
    days: Vec<StoreDay>,
    emergencies: Vec<Emergency>,
    negatives: Vec<wq::NegativeRow>,
    analysed: FxHashMap<String, usize>,
}

fn compute(wh: &Warehouse, days: Vec<StoreDay>, now: NaiveDateTime, with_anomalies: bool) -> Result<Computed> {
    let today = now.date();
    let (dfrom, dto) = demand_window(today);
    let params: Vec<wq::StoreScan> = days
        .iter()
        .filter(|d| d.trading_days > 0)
        .map(|d| wq::StoreScan {
            ubicacion_id: d.store.id.clone(),
            k: d.ctx.factor * (1.0 - d.ctx.elapsed) / d.trading_days as f64,
            alerta: d.config.umbral_alerta,
        })
        .filter(|p| p.k > 0.0 && p.k.is_finite())
        .collect();
    let atypical: Vec<(String, NaiveDate)> =
        days.iter().flat_map(|d| d.atypical.iter().filter(|a| **a >= dfrom && **a <= dto).map(|a| (d.store.id.clone(), *a))).collect();
    let reader = wh.reader()?;
    let (candidates, analysed) = wq::candidates(&reader, &params, &atypical, dfrom, dto, today, now, rules::MIN_REMAINING_UNITS)?;
    let ids: Vec<String> = days.iter().map(|d| d.store.id.clone()).collect();
    let negatives = if with_anomalies { wq::negative_rows(&reader, &ids)? } else { Vec::new() };
    drop(reader);

    let by_id: FxHashMap<&str, &StoreDay> = days.iter().map(|d| (d.store.id.as_str(), d)).collect();
    let mut emergencies = Vec::new();
    for c in candidates {
        let Some(day) = by_id.get(c.ubicacion_id.as_str()) else { continue };
        let Some(daily) = rules::daily_demand(c.unidades, day.trading_days) else { continue };
        let Some(e) = evaluate_product(&day.ctx, &day.thresholds(), daily, c.stock) else { continue };
        let Some(tipo) = e.tipo else { continue };
        emergencies.push(Emergency {
            ubicacion_nombre: day.store.name.clone(),
            ubicacion_id: c.ubicacion_id,
            producto_codigo: c.producto_codigo,
            descripcion: c.descripcion,
            categoria: c.categoria,
            clase_abc: c.clase_abc.unwrap_or_else(|| "D".into()),
            tipo,
            stock_actual: c.stock,
            vendidas_hoy: c.vendidas_hoy,
            demanda_diaria: round_half_away(e.demanda_diaria, 2),
            demanda_restante: round_half_away(e.demanda_restante, 2),
            cobertura: round_half_away(e.cobertura, 4),
            cobertura_pct: round_half_away(e.cobertura * 100.0, 1),
            factor_intensidad: round_half_away(day.ctx.factor, 4),
            horas_restantes: e.agotamiento.as_ref().map(|s| round_half_away(s.horas_restantes, 1)),
            hora_agotamiento: e.agotamiento.map(|s| s.hora_agotamiento),
            almacen_codigo: c.almacen_codigo,
        });
    }
    emergencies.sort_by(|a, b| {
        list_order((a.tipo, &a.clase_abc, a.cobertura, &a.descripcion), (b.tipo, &b.clase_abc, b.cobertura, &b.descripcion))
            .then_with(|| a.ubicacion_id.cmp(&b.ubicacion_id))
    });
    Ok(Computed { days, emergencies, negatives, analysed })
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// Runs a scan at `now` (local), stores it with its emergency list, anomalies and
/// summaries, and queues the e-mails of new STOCKOUT/CRITICO items — all in one SQLite
/// transaction, so a scan is either whole or marked ERROR.
pub fn scan(tenant: &Tenant, wh: &Warehouse, app_db: &Path, req: &ScanRequest, now: NaiveDateTime) -> Result<ScanResult> {
    let started = std::time::Instant::now();
    let mut conn = appdb::connect(app_db)?;
    let stores = scanned_stores(tenant, &conn, req.tiendas.as_deref())?;
    let id = uuid::Uuid::new_v4().to_string();
    let inicio = appdb::now_rfc3339();
    let ids: Vec<String> = stores.iter().map(|(s, _)| s.id.clone()).collect();
    store_db::start_scan(
        &conn,
        &store_db::NewScan {
            id: &id,
            inicio: &inicio,
            disparado_por: req.disparado_por.as_str(),
            usuario: req.usuario.as_deref(),
            tiendas: &ids,
        },
    )?;
    let computed = if stores.is_empty() {
        Ok(Computed { days: Vec::new(), emergencies: Vec::new(), negatives: Vec::new(), analysed: FxHashMap::default() })
    } else {
        let t = std::time::Instant::now();
        store_days(&conn, wh, stores, now).and_then(|days| {
            let days_ms = t.elapsed().as_secs_f64() * 1000.0;
            let t = std::time::Instant::now();
            let c = compute(wh, days, now, req.incluir_anomalias);
            tracing::debug!(days_ms, candidates_ms = t.elapsed().as_secs_f64() * 1000.0, "emergencies scan reads");
            c
        })
    };
    let computed = match computed {
        Ok(c) => c,
        Err(e) => {
            let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            if let Err(db) = store_db::fail_scan(&conn, &id, &appdb::now_rfc3339(), ms, &e.to_string()) {
                tracing::error!(scan = %id, "scan failure not recorded: {db}");
            }
            return Err(e);
        }
    };
    let Computed { days, emergencies, negatives, analysed } = computed;

    let write_started = std::time::Instant::now();
    let tx = conn.transaction()?;
    let stamp = appdb::now_rfc3339();
    let mut anomalies = Vec::with_capacity(negatives.len());
    for n in &negatives {
        let Some(f) = negative_stock(n.cantidad) else { continue };
        let found = store_db::AnomalyFound {
            ubicacion_id: &n.ubicacion_id,
            producto_codigo: &n.producto_codigo,
            almacen_codigo: Some(&n.almacen_codigo),
            tipo: f.tipo.as_str(),
            valor_detectado: f.valor_detectado,
            valor_esperado: f.valor_esperado,
            descripcion: &f.descripcion,
            severidad: f.severidad.as_str(),
        };
        let aid = store_db::record_anomaly(&tx, &found, &id, &stamp)?;
        anomalies.push(Anomaly {
            id: aid,
            ubicacion_id: n.ubicacion_id.clone(),
            producto_codigo: n.producto_codigo.clone(),
            descripcion_producto: n.descripcion.clone(),
            almacen_codigo: Some(n.almacen_codigo.clone()),
            tipo: f.tipo.as_str().to_string(),
            severidad: f.severidad.as_str().to_string(),
            valor_detectado: f.valor_detectado,
            valor_esperado: f.valor_esperado,
            descripcion: f.descripcion,
        });
    }
    let mut summaries: Vec<StoreSummary> = days.iter().map(StoreDay::summary).collect();
    for s in &mut summaries {
        s.productos_analizados = analysed.get(&s.ubicacion_id).copied().unwrap_or(0);
        s.emergencias = TypeTotals::of(emergencies.iter().filter(|e| e.ubicacion_id == s.ubicacion_id));
        s.anomalias = anomalies.iter().filter(|a| a.ubicacion_id == s.ubicacion_id).count();
    }
    let queued = notify::queue_new(tenant, &tx, &days, &emergencies, &id, now)?;
    let totales = TypeTotals::of(emergencies.iter());
    let fin = appdb::now_rfc3339();
    let duracion_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let productos_analizados: usize = summaries.iter().map(|s| s.productos_analizados).sum();
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    store_db::complete_scan(
        &tx,
        &id,
        &store_db::ScanOutcome {
            fin: fin.clone(),
            duracion_ms,
            productos_analizados: count(productos_analizados),
            total_emergencias: count(totales.total),
            total_anomalias: count(anomalies.len()),
            total_stockouts: count(totales.stockout),
            total_criticos: count(totales.critico),
            total_inminentes: count(totales.inminente),
            total_alertas: count(totales.alerta),
            evaluado_en: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
            emergencias: json(&emergencies),
            resumen_tiendas: json(&summaries),
            anomalias: json(&anomalies),
        },
    )?;
    tx.commit()?;
    tracing::debug!(store_ms = write_started.elapsed().as_secs_f64() * 1000.0, "emergencies scan stored");
    tracing::info!(scan = %id, stores = ids.len(), emergencias = totales.total, ms = duracion_ms, "emergencies scan");
    Ok(ScanResult {
        scan_id: id,
        inicio,
        fin,
        duracion_ms,
        evaluado_en: now,
        disparado_por: req.disparado_por,
        usuario: req.usuario.clone(),
        tiendas: ids,
        productos_analizados,
        totales,
        total_anomalias: anomalies.len(),
        emergencias: emergencies,
        anomalias: anomalies,
        resumen_tiendas: summaries,
        notificaciones_encoladas: queued,
    })
}

/// The enabled stores that are open at `now` (the scheduler scans only those).
pub fn open_enabled_stores(tenant: &Tenant, conn: &rusqlite::Connection, now: NaiveDateTime) -> Result<Vec<String>> {
    Ok(scanned_stores(tenant, conn, None)?.into_iter().filter(|(s, _)| hours_of(s).is_open(now.time())).map(|(s, _)| s.id).collect())
}

/// Filters of the latest emergencies.
#[derive(Debug, Clone, Default)]
pub struct LatestFilter {
    pub tipo: Option<EmergencyType>,
    pub ubicacion_id: Option<String>,
    pub clase_abc: Option<String>,
}

/// The last completed scan of one store.
#[derive(Debug, Clone, Serialize)]
pub struct StoreScanInfo {
    pub ubicacion_id: String,
    pub scan_id: String,
    pub inicio: String,
    pub fin: Option<String>,
    pub evaluado_en: Option<String>,
    pub disparado_por: String,
    pub usuario: Option<String>,
}

/// Each visible store's most recent completed scan, merged: its emergencies (filtered),
/// anomalies and summary. Read from SQLite only, so it survives a restart.
#[derive(Debug, Clone, Serialize)]
pub struct Latest {
    pub escaneos: Vec<StoreScanInfo>,
    /// The newest of them (None: no store was ever scanned).
    pub ultimo_escaneo: Option<String>,
    pub totales: TypeTotals,
    pub emergencias: Vec<Emergency>,
    pub anomalias: Vec<Anomaly>,
    pub resumen_tiendas: Vec<StoreSummary>,
}

pub fn latest(conn: &rusqlite::Connection, stores: &[String], filter: &LatestFilter) -> Result<Latest> {
    let records = store_db::latest_per_store(conn, stores, 500)?;
    let mut claimed: FxHashSet<&str> = FxHashSet::default();
    let (mut escaneos, mut emergencias, mut anomalias, mut resumen) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in &records {
        // The stores this scan is the latest for.
        let mine: Vec<&str> = r.tiendas.iter().map(String::as_str).filter(|s| stores.iter().any(|x| x == s) && claimed.insert(s)).collect();
        let em: Vec<Emergency> = serde_json::from_str(&r.emergencias).unwrap_or_default();
        let an: Vec<Anomaly> = serde_json::from_str(&r.anomalias).unwrap_or_default();
        let su: Vec<StoreSummary> = serde_json::from_str(&r.resumen_tiendas).unwrap_or_default();
        emergencias.extend(em.into_iter().filter(|e| mine.contains(&e.ubicacion_id.as_str())));
        anomalias.extend(an.into_iter().filter(|a| mine.contains(&a.ubicacion_id.as_str())));
        resumen.extend(su.into_iter().filter(|s| mine.contains(&s.ubicacion_id.as_str())));
        for s in mine {
            escaneos.push(StoreScanInfo {
                ubicacion_id: s.to_string(),
                scan_id: r.id.clone(),
                inicio: r.inicio.clone(),
                fin: r.fin.clone(),
                evaluado_en: r.evaluado_en.clone(),
                disparado_por: r.disparado_por.clone(),
                usuario: r.usuario.clone(),
            });
        }
    }
    let order = |id: &str| stores.iter().position(|s| s == id).unwrap_or(usize::MAX);
    resumen.sort_by_key(|s| order(&s.ubicacion_id));
    escaneos.sort_by_key(|s| order(&s.ubicacion_id));
    emergencias.retain(|e| {
        filter.tipo.is_none_or(|t| e.tipo == t)
            && filter.ubicacion_id.as_deref().is_none_or(|u| e.ubicacion_id == u)
            && filter.clase_abc.as_deref().is_none_or(|c| e.clase_abc.eq_ignore_ascii_case(c))
    });
    emergencias.sort_by(|a, b| {
        list_order((a.tipo, &a.clase_abc, a.cobertura, &a.descripcion), (b.tipo, &b.clase_abc, b.cobertura, &b.descripcion))
            .then_with(|| a.ubicacion_id.cmp(&b.ubicacion_id))
    });
    let ultimo_escaneo = records.first().and_then(|r| r.fin.clone());
    Ok(Latest { escaneos, ultimo_escaneo, totales: TypeTotals::of(emergencias.iter()), emergencias, anomalias, resumen_tiendas: resumen })
}

/// Today's intensity factor of one store (§4.3).
#[derive(Debug, Clone, Serialize)]
pub struct StoreFactor {
    pub ubicacion_id: String,
    pub ubicacion_nombre: String,
    pub venta_esperada: f64,
    pub venta_real: f64,
    pub factor_intensidad: f64,
    pub nivel: Intensity,
    pub hora_actual: String,
    pub porcentaje_dia_transcurrido: f64,
    pub perfil: String,
    pub estado_tienda: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Factors {
    pub evaluado_en: NaiveDateTime,
    pub tiendas: Vec<StoreFactor>,
}

/// The factor of every enabled store among `visible`, or of `one` (404 if it has no
/// settings row).
pub fn factors(
    tenant: &Tenant,
    wh: &Warehouse,
    app_db: &Path,
    visible: &[String],
    one: Option<&str>,
    now: NaiveDateTime,
) -> Result<Factors> {
    let conn = appdb::connect(app_db)?;
    let stores: Vec<(Store, StoreConfig)> = match one {
        Some(id) => {
            let store =
                active_stores(tenant).find(|s| s.id == id).ok_or_else(|| EmergencyError::NotFound(format!("Tienda {id} no encontrada")))?;
            let config = store_db::config(&conn, id)?
                .ok_or_else(|| EmergencyError::NotFound(format!("La tienda {id} no tiene configuración de emergencias")))?;
            vec![(store.clone(), config)]
        }
        None => store_configs(tenant, &conn)?.into_iter().filter(|(s, c)| c.habilitado && visible.contains(&s.id)).collect(),
    };
    let days = store_days(&conn, wh, stores, now)?;
    Ok(Factors {
        evaluado_en: now,
        tiendas: days
            .iter()
            .map(|d| StoreFactor {
                ubicacion_id: d.store.id.clone(),
                ubicacion_nombre: d.store.name.clone(),
                venta_esperada: round_half_away(d.factor.esperado, 2),
                venta_real: round_half_away(d.factor.real, 2),
                factor_intensidad: round_half_away(d.factor.factor, 4),
                nivel: d.factor.nivel,
                hora_actual: now.format("%H:%M").to_string(),
                porcentaje_dia_transcurrido: round_half_away(d.ctx.elapsed * 100.0, 2),
                perfil: profile_name(d.ctx.profile.origen).to_string(),
                estado_tienda: phase_name(d.phase).to_string(),
            })
            .collect(),
    })
}

/// A settings change (absent fields keep their value).
#[derive(Debug, Clone, Default)]
pub struct ConfigChange {
    pub umbral_critico: Option<f64>,
    pub umbral_inminente: Option<f64>,
    pub umbral_alerta: Option<f64>,
    pub emails_notificacion: Option<Vec<String>>,
    pub notificaciones_activas: Option<bool>,
}

impl ConfigChange {
    pub fn is_empty(&self) -> bool {
        self.umbral_critico.is_none()
            && self.umbral_inminente.is_none()
            && self.umbral_alerta.is_none()
            && self.emails_notificacion.is_none()
            && self.notificaciones_activas.is_none()
    }
}

/// Recipients: trimmed, lower-cased, each `local@domain.tld`-shaped, at most 20, no repeats.
fn clean_emails(list: &[String]) -> Result<Vec<String>> {
    if list.len() > 20 {
        return Err(EmergencyError::Invalid { field: "emails_notificacion", message: "Como máximo 20 destinatarios".into() });
    }
    let mut out: Vec<String> = Vec::new();
    for raw in list {
        let e = raw.trim().to_lowercase();
        let ok = e.len() <= 254
            && e.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
            && !e.chars().any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == ';' || c == '<' || c == '>');
        if !ok {
            return Err(EmergencyError::Invalid {
                field: "emails_notificacion",
                message: format!("«{}» no es un correo válido", raw.trim()),
            });
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

fn apply(mut c: StoreConfig, change: &ConfigChange) -> Result<StoreConfig> {
    c.umbral_critico = change.umbral_critico.unwrap_or(c.umbral_critico);
    c.umbral_inminente = change.umbral_inminente.unwrap_or(c.umbral_inminente);
    c.umbral_alerta = change.umbral_alerta.unwrap_or(c.umbral_alerta);
    Thresholds { critico: c.umbral_critico, inminente: c.umbral_inminente, alerta: c.umbral_alerta }
        .check()
        .map_err(|e| EmergencyError::Invalid { field: e.field, message: e.message })?;
    if let Some(list) = &change.emails_notificacion {
        c.emails_notificacion = clean_emails(list)?;
    }
    if let Some(on) = change.notificaciones_activas {
        c.notificaciones_activas = on;
    }
    Ok(c)
}

fn known_store<'a>(tenant: &'a Tenant, id: &str) -> Result<&'a Store> {
    active_stores(tenant).find(|s| s.id == id).ok_or_else(|| EmergencyError::NotFound(format!("Tienda {id} no encontrada")))
}

/// Enables a store (upsert): given thresholds/recipients replace the stored ones, the others
/// are kept (defaults for a new row); `fecha_habilitacion` = now.
pub fn enable(tenant: &Tenant, conn: &rusqlite::Connection, id: &str, change: &ConfigChange, by: &str) -> Result<StoreConfig> {
    known_store(tenant, id)?;
    let current = store_db::config(conn, id)?.unwrap_or_else(|| StoreConfig::absent(id));
    let mut next = apply(current, change)?;
    let now = appdb::now_rfc3339();
    next.habilitado = true;
    next.fecha_habilitacion = Some(now.clone());
    store_db::save_config(conn, &next, by, &now)?;
    Ok(store_db::config(conn, id)?.unwrap_or(next))
}

/// Disables a store (its settings and history are kept).
pub fn disable(tenant: &Tenant, conn: &rusqlite::Connection, id: &str, by: &str) -> Result<StoreConfig> {
    known_store(tenant, id)?;
    let Some(mut c) = store_db::config(conn, id)? else {
        return Err(EmergencyError::NotFound(format!("La tienda {id} no tiene configuración de emergencias; habilítela primero")));
    };
    c.habilitado = false;
    store_db::save_config(conn, &c, by, &appdb::now_rfc3339())?;
    Ok(store_db::config(conn, id)?.unwrap_or(c))
}

/// Partial update of a configured store; `Ok(None)` when there was nothing to change.
pub fn update(tenant: &Tenant, conn: &rusqlite::Connection, id: &str, change: &ConfigChange, by: &str) -> Result<(StoreConfig, bool)> {
    known_store(tenant, id)?;
    let Some(current) = store_db::config(conn, id)? else {
        return Err(EmergencyError::NotFound(format!("La tienda {id} no tiene configuración de emergencias; habilítela primero")));
    };
    if change.is_empty() {
        return Ok((current, false));
    }
    let next = apply(current, change)?;
    store_db::save_config(conn, &next, by, &appdb::now_rfc3339())?;
    Ok((store_db::config(conn, id)?.unwrap_or(next), true))
}
