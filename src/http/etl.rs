//! `/api/etl/*`: ETL control and history for the admin panel (spec 20 §7, §9.5, §9.6, §14).
//! Every route requires the `admin.etl` capability (declared in the route table).
//! Runs started here return at once (202 with the execution id); a run of the same job
//! already in progress answers 409.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::etl::{self, coverage, history, EtlJob, RunError, RunKind, RunRequest, Trigger};

fn etl_error(e: RunError) -> ApiError {
    match e {
        RunError::AlreadyRunning(job) => {
            ApiError::Conflict { code: "etl_en_ejecucion", detail: format!("El ETL «{job}» ya está en ejecución") }
        }
        RunError::UnknownStore(id) => ApiError::Unprocessable {
            code: "ubicacion_desconocida",
            field: "ubicacion_id".into(),
            message: format!("La ubicación «{id}» no existe"),
        },
        RunError::Invalid(m) => ApiError::Unprocessable { code: "solicitud_invalida", field: "fechas".into(), message: m },
        RunError::History(m) => ApiError::Unavailable(m),
    }
}

fn handle(state: &AppState) -> Result<std::sync::Arc<etl::Etl>, ApiError> {
    Ok(state.etl.clone())
}

async fn db<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    state.with_app_db(move |c| f(c).map_err(ApiError::internal)).await
}

/// UTC instant (SQLite text) of the start of a local date.
fn local_day_start_utc(state: &AppState, d: NaiveDate) -> String {
    let local = state.tenant.timezone.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN)).earliest();
    local
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

// ---------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    etl_name: Option<String>,
    status: Option<String>,
    fecha_desde: Option<NaiveDate>,
    fecha_hasta: Option<NaiveDate>,
    triggered_by: Option<String>,
    etl_type: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// A page of the execution history (newest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<history::Execution>,
    pub limit: usize,
    pub offset: usize,
    pub total: i64,
}

/// The quarantined rows of an execution (at most 500, newest first).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantinePage {
    pub execution_id: i64,
    pub items: Vec<history::QuarantinedRow>,
}

/// Statistics of the last `dias` days.
#[derive(Debug, Serialize, ToSchema)]
pub struct EtlStats {
    pub dias: i64,
    #[serde(flatten)]
    pub stats: history::Stats,
}

/// One error category of the catalogue (§9.6).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorCategory {
    pub categoria: &'static str,
    pub causa_tipica: &'static str,
    pub fase: &'static str,
    pub nombre_original: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorCatalogue {
    pub items: Vec<ErrorCategory>,
}

pub async fn history_list(State(state): State<AppState>, Query(q): Query<HistoryQuery>) -> Result<Json<HistoryPage>, ApiError> {
    let filter = history::HistoryFilter {
        etl_name: q.etl_name.filter(|s| !s.is_empty()),
        status: q.status.filter(|s| !s.is_empty()),
        desde_utc: q.fecha_desde.map(|d| local_day_start_utc(&state, d)),
        hasta_utc: q.fecha_hasta.map(|d| local_day_start_utc(&state, d + Duration::days(1))),
        triggered_by: q.triggered_by.filter(|s| !s.is_empty()),
        etl_type: q.etl_type.filter(|s| !s.is_empty()),
        limit: q.limit.unwrap_or(50).clamp(1, 200),
        offset: q.offset.unwrap_or(0),
    };
    let limit = filter.limit;
    let offset = filter.offset;
    let (items, total) = db(&state, move |c| history::list_executions(c, &filter)).await?;
    Ok(Json(HistoryPage { items, limit, offset, total }))
}

pub async fn history_detail(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<history::Execution>, ApiError> {
    db(&state, move |c| history::get_execution(c, id)).await?.map(Json).ok_or(ApiError::NotFound)
}

pub async fn history_quarantine(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<QuarantinePage>, ApiError> {
    let rows = db(&state, move |c| history::quarantined_rows(c, Some(id), 500)).await?;
    Ok(Json(QuarantinePage { execution_id: id, items: rows }))
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    dias: Option<i64>,
    etl_name: Option<String>,
}

pub async fn stats(State(state): State<AppState>, Query(q): Query<StatsQuery>) -> Result<Json<EtlStats>, ApiError> {
    let dias = q.dias.unwrap_or(7).clamp(1, 90);
    let desde = (Utc::now() - Duration::days(dias)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let name = q.etl_name.filter(|s| !s.is_empty());
    let stats = db(&state, move |c| history::stats(c, &desde, name.as_deref())).await?;
    Ok(Json(EtlStats { dias, stats }))
}

pub async fn error_categories() -> Json<ErrorCatalogue> {
    let items = etl::error::CATALOGUE
        .iter()
        .map(|(c, p, original, causa)| ErrorCategory {
            categoria: c.as_str(),
            causa_tipica: causa,
            fase: p.as_str(),
            nombre_original: original,
        })
        .collect();
    Json(ErrorCatalogue { items })
}

// ---------------------------------------------------------------------------------------
// Status and scheduler
// ---------------------------------------------------------------------------------------

/// A scheduled job.
#[derive(Debug, Serialize, ToSchema)]
pub struct Schedule {
    pub cron: Option<String>,
    pub en_ejecucion: bool,
    pub habilitado: bool,
    pub job: &'static str,
    /// Local instant of the next run (`YYYY-MM-DDTHH:MM:SS`), when enabled.
    pub proxima_ejecucion_local: Option<String>,
}

/// A location the ETL extracts.
#[derive(Debug, Serialize, ToSchema)]
pub struct EtlLocation {
    pub id: String,
    pub nombre: String,
    pub sistema_pos: String,
    pub tipo: String,
}

/// `GET /api/etl/status`: runs in progress, schedules, last runs, notices, backfill.
#[derive(Debug, Serialize, ToSchema)]
pub struct EtlStatus {
    pub avisos: Vec<history::Notice>,
    pub backfill: history::BackfillProgress,
    pub en_ejecucion: Vec<etl::RunningInfo>,
    pub omitidas_por_solape: u64,
    pub programacion: Vec<Schedule>,
    pub ubicaciones: Vec<EtlLocation>,
    pub ultimas_ejecuciones: Vec<history::Execution>,
    pub zona_horaria: String,
}

pub async fn status(State(state): State<AppState>) -> Result<Json<EtlStatus>, ApiError> {
    let etl = handle(&state)?;
    let running = etl.running();
    let (last, notices, backfill) =
        db(&state, |c| Ok((history::last_runs(c)?, history::recent_notices(c, 20)?, history::backfill_progress(c)?))).await?;
    let tz = state.tenant.timezone;
    let now = Utc::now();
    let schedules: Vec<Schedule> = ["inventario", "ventas", "ventas_recovery"]
        .iter()
        .map(|k| {
            let entry = state.tenant.file.schedules.0.get(*k);
            let next = entry
                .filter(|e| e.enabled)
                .and_then(|e| crate::config::parse_cron(&e.cron).ok())
                .and_then(|c| crate::scheduler::next_tick(&c, now, tz))
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S").to_string());
            Schedule {
                cron: entry.map(|e| e.cron.clone()),
                en_ejecucion: etl.is_running(k),
                habilitado: entry.is_some_and(|e| e.enabled),
                job: k,
                proxima_ejecucion_local: next,
            }
        })
        .collect();
    let ubicaciones: Vec<EtlLocation> = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.is_extracted())
        .map(|s| EtlLocation { id: s.id.clone(), nombre: s.name.clone(), sistema_pos: s.pos.clone(), tipo: s.kind.clone() })
        .collect();
    Ok(Json(EtlStatus {
        avisos: notices,
        backfill,
        en_ejecucion: running,
        omitidas_por_solape: etl.overlap_skips(),
        programacion: schedules,
        ubicaciones,
        ultimas_ejecuciones: last,
        zona_horaria: state.tenant.file.tenant.timezone.clone(),
    }))
}

// ---------------------------------------------------------------------------------------
// Run now
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncInventory {
    ubicacion_id: Option<String>,
    #[serde(default)]
    forzar: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncSales {
    ubicacion_id: Option<String>,
    fecha_inicio: Option<NaiveDate>,
    fecha_fin: Option<NaiveDate>,
    /// Execution whose gap this run fills ("Recuperar" of the gaps list).
    recuperar_gap_id: Option<i64>,
}

/// A run started in the background (202).
#[derive(Debug, Serialize, ToSchema)]
pub struct RunStarted {
    pub etl_name: &'static str,
    pub execution_id: i64,
    /// Always `running`.
    #[schema(value_type = String)]
    pub status: etl::RunStatus,
}

async fn start(state: &AppState, user: &AuthUser, req: RunRequest, detalle: Value) -> Result<(StatusCode, Json<RunStarted>), ApiError> {
    let etl = handle(state)?;
    let job = req.job.as_str();
    let id = etl.start(req).await.map_err(etl_error)?;
    let (u, ip) = (user.username.clone(), user.ip.clone());
    let entity_id = id.to_string();
    let _ = state
        .with_app_db(move |c| {
            crate::appdb::audit::append(
                c,
                &crate::appdb::audit::Entry {
                    usuario: Some(&u),
                    ip: ip.as_deref(),
                    accion: "etl_ejecutar",
                    entidad: Some("etl_execution"),
                    entidad_id: Some(&entity_id),
                    detalle: Some(detalle),
                },
            )
            .map_err(ApiError::from)
        })
        .await;
    Ok((StatusCode::ACCEPTED, Json(RunStarted { etl_name: job, execution_id: id, status: etl::RunStatus::Running })))
}

pub async fn sync_inventory(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: Option<Json<SyncInventory>>,
) -> Result<(StatusCode, Json<RunStarted>), ApiError> {
    let b = body.map(|Json(b)| b).unwrap_or_default();
    let mut req = RunRequest::new(EtlJob::Inventario, RunKind::Manual, Trigger::Admin(user.username.clone()));
    req.stores = b.ubicacion_id.iter().filter(|s| !s.is_empty()).cloned().collect();
    req.force = b.forzar;
    let detalle = json!({"etl_name": "inventario", "ubicacion_id": b.ubicacion_id, "forzar": b.forzar});
    start(&state, &user, req, detalle).await
}

pub async fn sync_sales(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: Option<Json<SyncSales>>,
) -> Result<(StatusCode, Json<RunStarted>), ApiError> {
    let b = body.map(|Json(b)| b).unwrap_or_default();
    let range = match (b.fecha_inicio, b.fecha_fin) {
        (Some(a), Some(z)) => Some((a, z)),
        (Some(a), None) => Some((a, a)),
        (None, Some(_)) => return Err(ApiError::Validation { field: "fecha_inicio".into(), message: "Indique la fecha de inicio".into() }),
        (None, None) => None,
    };
    if let Some((a, z)) = range {
        if z < a {
            return Err(ApiError::Validation { field: "fecha_fin".into(), message: "La fecha fin es anterior a la fecha inicio".into() });
        }
        if z > state.tenant.today() {
            return Err(ApiError::Validation { field: "fecha_fin".into(), message: "La fecha fin no puede estar en el futuro".into() });
        }
    }
    let kind = if range.is_some() { RunKind::Backfill } else { RunKind::Manual };
    let mut req = RunRequest::new(EtlJob::Ventas, kind, Trigger::Admin(user.username.clone()));
    req.stores = b.ubicacion_id.iter().filter(|s| !s.is_empty()).cloned().collect();
    req.range = range;
    req.recovered_gap_id = b.recuperar_gap_id;
    let detalle = json!({"etl_name": "ventas", "ubicacion_id": b.ubicacion_id, "fecha_inicio": b.fecha_inicio, "fecha_fin": b.fecha_fin});
    start(&state, &user, req, detalle).await
}

// ---------------------------------------------------------------------------------------
// Coverage, freshness, gaps, connectivity
// ---------------------------------------------------------------------------------------

fn sales_stores(state: &AppState) -> Vec<(String, String)> {
    state.tenant.stores().iter().filter(|s| s.is_extracted() && !s.is_cedi()).map(|s| (s.id.clone(), s.name.clone())).collect()
}

/// One store of the freshness table (§7.4) with its name.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreshnessRow {
    /// `rojo` (> 7 days late), `amarillo` (> 3), `naranja` (> 1), `verde`.
    pub badge: &'static str,
    pub completitud_pct: f64,
    pub dias_atrasados: Option<i64>,
    pub dias_con_datos: i64,
    pub dias_faltantes: i64,
    pub dias_periodo: i64,
    pub necesita_actualizacion: bool,
    pub nombre: Option<String>,
    pub primera_fecha: Option<NaiveDate>,
    pub tiene_gaps_historicos: bool,
    pub total_lineas: i64,
    pub ubicacion_id: String,
    pub ultima_fecha: Option<NaiveDate>,
    pub ultimo_fin_exitoso: Option<chrono::NaiveDateTime>,
}

impl FreshnessRow {
    fn of(f: coverage::Freshness, nombre: Option<String>) -> FreshnessRow {
        FreshnessRow {
            badge: f.badge,
            completitud_pct: f.completitud_pct,
            dias_atrasados: f.dias_atrasados,
            dias_con_datos: f.dias_con_datos,
            dias_faltantes: f.dias_faltantes,
            dias_periodo: f.dias_periodo,
            necesita_actualizacion: f.necesita_actualizacion,
            nombre,
            primera_fecha: f.primera_fecha,
            tiene_gaps_historicos: f.tiene_gaps_historicos,
            total_lineas: f.total_lineas,
            ubicacion_id: f.ubicacion_id,
            ultima_fecha: f.ultima_fecha,
            ultimo_fin_exitoso: f.ultimo_fin_exitoso,
        }
    }
}

/// `GET /api/etl/frescura`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FreshnessTable {
    pub hoy: NaiveDate,
    pub items: Vec<FreshnessRow>,
}

pub async fn freshness(State(state): State<AppState>) -> Result<Json<FreshnessTable>, ApiError> {
    let stores = sales_stores(&state);
    let ids: Vec<String> = stores.iter().map(|(id, _)| id.clone()).collect();
    let today = state.tenant.today();
    let wh = state.warehouse.clone();
    let rows = tokio::task::spawn_blocking(move || {
        let r = wh.reader()?;
        coverage::freshness(&r, &ids, today).map_err(crate::warehouse::WarehouseError::from)
    })
    .await??;
    let wms: std::collections::HashMap<String, chrono::NaiveDateTime> =
        db(&state, |c| history::all_watermarks(c, "ventas")).await?.into_iter().collect();
    let items = rows
        .into_iter()
        .map(|mut f| {
            f.ultimo_fin_exitoso = wms.get(&f.ubicacion_id).copied();
            let nombre = stores.iter().find(|(id, _)| *id == f.ubicacion_id).map(|(_, n)| n.clone());
            FreshnessRow::of(f, nombre)
        })
        .collect();
    Ok(Json(FreshnessTable { hoy: today, items }))
}

#[derive(Debug, Deserialize)]
pub struct CoverageQuery {
    ubicacion_id: String,
    /// `historico` (from the first sale) or `90d` (default).
    vista: Option<String>,
    desde: Option<NaiveDate>,
    hasta: Option<NaiveDate>,
}

pub async fn coverage_calendar(
    State(state): State<AppState>,
    Query(q): Query<CoverageQuery>,
) -> Result<Json<coverage::Calendar>, ApiError> {
    if !state.tenant.stores().iter().any(|s| s.id == q.ubicacion_id) {
        return Err(ApiError::NotFound);
    }
    let today = state.tenant.today();
    let wh = state.warehouse.clone();
    let v = tokio::task::spawn_blocking(move || -> Result<coverage::Calendar, crate::warehouse::WarehouseError> {
        let r = wh.reader()?;
        let hasta = q.hasta.unwrap_or(today);
        let desde = match (q.desde, q.vista.as_deref()) {
            (Some(d), _) => d,
            (None, Some("historico")) => coverage::first_sale_date(&r, &q.ubicacion_id)?.unwrap_or(hasta),
            _ => hasta - Duration::days(89),
        };
        let desde = desde.max(hasta - Duration::days(3660));
        Ok(coverage::calendar(&r, &q.ubicacion_id, desde.min(hasta), hasta)?)
    })
    .await??;
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
pub struct GapsQuery {
    horas: Option<i64>,
}

/// Execution-level gaps (§7.1): failed windows not covered by a later success, and stores
/// whose watermark is more than 90 minutes old during 06:00–23:00.
/// A store whose last successful sales load is more than 90 minutes old.
#[derive(Debug, Serialize, ToSchema)]
pub struct LateStore {
    pub horas_atraso: Option<f64>,
    pub tienda_id: String,
    pub tienda_nombre: String,
    pub ultimo_fin_exitoso: Option<chrono::NaiveDateTime>,
    pub urgencia: &'static str,
}

/// `GET /api/etl/gaps`: execution-level gaps of the last `horas` hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct Gaps {
    pub horas: i64,
    pub tiendas_atrasadas: Vec<LateStore>,
    pub ventanas_fallidas: Vec<history::FailedWindow>,
}

pub async fn gaps(State(state): State<AppState>, Query(q): Query<GapsQuery>) -> Result<Json<Gaps>, ApiError> {
    let horas = q.horas.unwrap_or(168).clamp(1, 24 * 31);
    let now = Utc::now();
    let desde = (now - Duration::hours(horas)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (failed, wms) = db(&state, move |c| Ok((history::failed_windows(c, &desde)?, history::all_watermarks(c, "ventas")?))).await?;
    let parse_utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
    let items: Vec<history::FailedWindow> = failed
        .into_iter()
        .map(|mut g| {
            let hours = parse_utc(&g.fallo_en).map(|t| (now - t).num_minutes() as f64 / 60.0).unwrap_or(0.0);
            g.horas_desde_fallo = Some(crate::domain::sales::round_half_away(hours, 1));
            g.urgencia = Some(coverage::urgency(hours));
            g
        })
        .collect();
    let local_now = etl::window::local_now(now, &state.tenant.timezone);
    let business = (6..23).contains(&chrono::Timelike::hour(&local_now));
    let stale: Vec<LateStore> = sales_stores(&state)
        .into_iter()
        .filter_map(|(id, nombre)| {
            let wm = wms.iter().find(|(s, _)| *s == id).map(|(_, t)| *t);
            let late = match wm {
                Some(t) => local_now - t > Duration::minutes(90),
                None => true,
            };
            (business && late).then(|| {
                let hours = wm.map(|t| (local_now - t).num_minutes() as f64 / 60.0);
                LateStore {
                    horas_atraso: hours.map(|h| crate::domain::sales::round_half_away(h, 1)),
                    tienda_id: id,
                    tienda_nombre: nombre,
                    ultimo_fin_exitoso: wm,
                    urgencia: coverage::urgency(hours.unwrap_or(f64::INFINITY)),
                }
            })
        })
        .collect();
    Ok(Json(Gaps { horas, tiendas_atrasadas: stale, ventanas_fallidas: items }))
}

/// One location of the connectivity check.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeRow {
    /// The source answered and the configuration matches it.
    pub conectada: bool,
    pub error: Option<String>,
    pub latencia_ms: Option<u64>,
    pub nombre: String,
    pub sistema: String,
    pub ubicacion_id: String,
}

/// `GET /api/etl/check-connectivity`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Connectivity {
    pub conectadas: usize,
    /// `conectadas / total × 100`, 1 decimal.
    pub porcentaje: f64,
    pub total: usize,
    pub ubicaciones: Vec<ProbeRow>,
}

pub async fn connectivity(State(state): State<AppState>) -> Result<Json<Connectivity>, ApiError> {
    let report = etl::check::check_all(&state.tenant).await;
    let ubicaciones = report
        .ubicaciones
        .into_iter()
        .map(|p| ProbeRow {
            conectada: p.conectada,
            error: p.error,
            latencia_ms: p.latencia_ms,
            nombre: p.nombre,
            sistema: p.sistema,
            ubicacion_id: p.ubicacion_id,
        })
        .collect();
    Ok(Json(Connectivity { conectadas: report.conectadas, porcentaje: report.porcentaje, total: report.total, ubicaciones }))
}

pub async fn backfill(State(state): State<AppState>) -> Result<Json<history::BackfillProgress>, ApiError> {
    Ok(Json(db(&state, history::backfill_progress).await?))
}

#[derive(Debug, Deserialize)]
pub struct HourGapsQuery {
    ubicacion_id: String,
    fecha: Option<NaiveDate>,
}

/// Data-level gaps of a store-day (§7.2): every evaluable hour with its lines, the expected
/// median and whether it is a gap.
/// `GET /api/etl/gaps/horas`: the evaluable hours of a store-day.
#[derive(Debug, Serialize, ToSchema)]
pub struct HourGaps {
    pub fecha: NaiveDate,
    pub hora_apertura: String,
    pub hora_cierre: String,
    pub horas: Vec<coverage::HourCheck>,
    pub ubicacion_id: String,
}

pub async fn hour_gaps(State(state): State<AppState>, Query(q): Query<HourGapsQuery>) -> Result<Json<HourGaps>, ApiError> {
    let store = state.tenant.stores().iter().find(|s| s.id == q.ubicacion_id).cloned().ok_or(ApiError::NotFound)?;
    let now = etl::window::local_now(Utc::now(), &state.tenant.timezone);
    let fecha = q.fecha.unwrap_or(now.date());
    let (apertura, cierre) = store.hours();
    let id = store.id.clone();
    let excluded: Vec<NaiveDate> = db(&state, move |c| {
        let mut stmt = c.prepare("SELECT fecha FROM dias_excluidos_ventas WHERE ubicacion_id IS NULL OR ubicacion_id = ?1")?;
        let rows = stmt.query_map([&id], |r| r.get::<_, String>(0))?;
        Ok(rows.filter_map(|r| r.ok()).filter_map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()).collect())
    })
    .await?;
    let wh = state.warehouse.clone();
    let id = store.id.clone();
    let (a, c) = (coverage::hour_of(&apertura), coverage::hour_of(&cierre));
    let horas = tokio::task::spawn_blocking(move || {
        let r = wh.reader()?;
        coverage::hour_gaps(&r, &id, fecha, now, a, c, &excluded).map_err(crate::warehouse::WarehouseError::from)
    })
    .await??;
    Ok(Json(HourGaps { fecha, hora_apertura: apertura, hora_cierre: cierre, horas, ubicacion_id: store.id }))
}
