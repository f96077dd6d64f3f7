//! `/api/etl/*`: ETL control and history for the admin panel (spec 20 §7, §9.5, §9.6, §14).
//! Every route requires the `admin.etl` capability (declared in the route table).
//! Runs started here return at once (202 with the execution id); a run of the same job
//! already in progress answers 409.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

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

pub async fn history_list(State(state): State<AppState>, Query(q): Query<HistoryQuery>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({"total": total, "limit": limit, "offset": offset, "items": items})))
}

pub async fn history_detail(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    db(&state, move |c| history::get_execution(c, id)).await?.map(Json).ok_or(ApiError::NotFound)
}

pub async fn history_quarantine(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let rows = db(&state, move |c| history::quarantined_rows(c, Some(id), 500)).await?;
    Ok(Json(json!({"execution_id": id, "items": rows})))
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    dias: Option<i64>,
    etl_name: Option<String>,
}

pub async fn stats(State(state): State<AppState>, Query(q): Query<StatsQuery>) -> Result<Json<Value>, ApiError> {
    let dias = q.dias.unwrap_or(7).clamp(1, 90);
    let desde = (Utc::now() - Duration::days(dias)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let name = q.etl_name.filter(|s| !s.is_empty());
    let mut v = db(&state, move |c| history::stats(c, &desde, name.as_deref())).await?;
    v["dias"] = dias.into();
    Ok(Json(v))
}

pub async fn error_categories() -> Json<Value> {
    let items: Vec<Value> = etl::error::CATALOGUE
        .iter()
        .map(|(c, p, original, causa)| json!({"categoria": c.as_str(), "fase": p.as_str(), "nombre_original": original, "causa_tipica": causa}))
        .collect();
    Json(json!({ "items": items }))
}

// ---------------------------------------------------------------------------------------
// Status and scheduler
// ---------------------------------------------------------------------------------------

pub async fn status(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let etl = handle(&state)?;
    let running = etl.running();
    let (last, notices, backfill) =
        db(&state, |c| Ok((history::last_runs(c)?, history::recent_notices(c, 20)?, history::backfill_progress(c)?))).await?;
    let tz = state.tenant.timezone;
    let now = Utc::now();
    let schedules: Vec<Value> = ["inventario", "ventas", "ventas_recovery"]
        .iter()
        .map(|k| {
            let entry = state.tenant.file.schedules.0.get(*k);
            let next = entry
                .filter(|e| e.enabled)
                .and_then(|e| crate::config::parse_cron(&e.cron).ok())
                .and_then(|c| crate::scheduler::next_tick(&c, now, tz))
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S").to_string());
            json!({
                "job": k,
                "cron": entry.map(|e| e.cron.clone()),
                "habilitado": entry.is_some_and(|e| e.enabled),
                "en_ejecucion": etl.is_running(k),
                "proxima_ejecucion_local": next,
            })
        })
        .collect();
    let ubicaciones: Vec<Value> = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.is_extracted())
        .map(|s| json!({"id": s.id, "nombre": s.name, "tipo": s.kind, "sistema_pos": s.pos}))
        .collect();
    Ok(Json(json!({
        "en_ejecucion": running,
        "programacion": schedules,
        "omitidas_por_solape": etl.overlap_skips(),
        "ultimas_ejecuciones": last,
        "avisos": notices,
        "backfill": backfill,
        "ubicaciones": ubicaciones,
        "zona_horaria": state.tenant.file.tenant.timezone,
    })))
}

// ---------------------------------------------------------------------------------------
// Run now
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct SyncInventory {
    ubicacion_id: Option<String>,
    #[serde(default)]
    forzar: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct SyncSales {
    ubicacion_id: Option<String>,
    fecha_inicio: Option<NaiveDate>,
    fecha_fin: Option<NaiveDate>,
    /// Execution whose gap this run fills ("Recuperar" of the gaps list).
    recuperar_gap_id: Option<i64>,
}

async fn start(state: &AppState, user: &AuthUser, req: RunRequest, detalle: Value) -> Result<(StatusCode, Json<Value>), ApiError> {
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
    Ok((StatusCode::ACCEPTED, Json(json!({"execution_id": id, "etl_name": job, "status": etl::RunStatus::Running}))))
}

pub async fn sync_inventory(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: Option<Json<SyncInventory>>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
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
) -> Result<(StatusCode, Json<Value>), ApiError> {
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

pub async fn freshness(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
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
    let items: Vec<Value> = rows
        .into_iter()
        .map(|mut f| {
            f.ultimo_fin_exitoso = wms.get(&f.ubicacion_id).copied();
            let nombre = stores.iter().find(|(id, _)| *id == f.ubicacion_id).map(|(_, n)| n.clone());
            let mut v = serde_json::to_value(&f).unwrap_or(Value::Null);
            v["nombre"] = nombre.into();
            v
        })
        .collect();
    Ok(Json(json!({"hoy": today, "items": items})))
}

#[derive(Debug, Deserialize)]
pub struct CoverageQuery {
    ubicacion_id: String,
    /// `historico` (from the first sale) or `90d` (default).
    vista: Option<String>,
    desde: Option<NaiveDate>,
    hasta: Option<NaiveDate>,
}

pub async fn coverage_calendar(State(state): State<AppState>, Query(q): Query<CoverageQuery>) -> Result<Json<Value>, ApiError> {
    if !state.tenant.stores().iter().any(|s| s.id == q.ubicacion_id) {
        return Err(ApiError::NotFound);
    }
    let today = state.tenant.today();
    let wh = state.warehouse.clone();
    let v = tokio::task::spawn_blocking(move || -> Result<Value, crate::warehouse::WarehouseError> {
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
pub async fn gaps(State(state): State<AppState>, Query(q): Query<GapsQuery>) -> Result<Json<Value>, ApiError> {
    let horas = q.horas.unwrap_or(168).clamp(1, 24 * 31);
    let now = Utc::now();
    let desde = (now - Duration::hours(horas)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let (failed, wms) = db(&state, move |c| Ok((history::failed_windows(c, &desde)?, history::all_watermarks(c, "ventas")?))).await?;
    let parse_utc = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc));
    let items: Vec<Value> = failed
        .into_iter()
        .map(|mut g| {
            let hours = g["fallo_en"].as_str().and_then(parse_utc).map(|t| (now - t).num_minutes() as f64 / 60.0).unwrap_or(0.0);
            g["horas_desde_fallo"] = crate::domain::sales::round_half_away(hours, 1).into();
            g["urgencia"] = coverage::urgency(hours).into();
            g
        })
        .collect();
    let local_now = etl::window::local_now(now, &state.tenant.timezone);
    let business = (6..23).contains(&chrono::Timelike::hour(&local_now));
    let stale: Vec<Value> = sales_stores(&state)
        .into_iter()
        .filter_map(|(id, nombre)| {
            let wm = wms.iter().find(|(s, _)| *s == id).map(|(_, t)| *t);
            let late = match wm {
                Some(t) => local_now - t > Duration::minutes(90),
                None => true,
            };
            (business && late).then(|| {
                let hours = wm.map(|t| (local_now - t).num_minutes() as f64 / 60.0);
                json!({"tienda_id": id, "tienda_nombre": nombre, "ultimo_fin_exitoso": wm,
                       "horas_atraso": hours.map(|h| crate::domain::sales::round_half_away(h, 1)),
                       "urgencia": coverage::urgency(hours.unwrap_or(f64::INFINITY))})
            })
        })
        .collect();
    Ok(Json(json!({"horas": horas, "ventanas_fallidas": items, "tiendas_atrasadas": stale})))
}

pub async fn connectivity(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let report = etl::check::check_all(&state.tenant).await;
    Ok(Json(serde_json::to_value(report).map_err(ApiError::internal)?))
}

pub async fn backfill(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(db(&state, history::backfill_progress).await?))
}

#[derive(Debug, Deserialize)]
pub struct HourGapsQuery {
    ubicacion_id: String,
    fecha: Option<NaiveDate>,
}

/// Data-level gaps of a store-day (§7.2): every evaluable hour with its lines, the expected
/// median and whether it is a gap.
pub async fn hour_gaps(State(state): State<AppState>, Query(q): Query<HourGapsQuery>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({"ubicacion_id": store.id, "fecha": fecha, "hora_apertura": apertura, "hora_cierre": cierre, "horas": horas})))
}
