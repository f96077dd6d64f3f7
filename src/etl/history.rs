//! ETL history in SQLite (spec 20 §9): executions, per-location details, watermarks,
//! quarantined rows, backfill tasks and scheduler notices, plus the read models of the
//! history API (list, detail, stats).

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::EtlError;
use super::status::{LocationStatus, RunStatus};

pub const LOCAL_FMT: &str = "%Y-%m-%dT%H:%M:%S";

pub fn now_utc() -> String {
    crate::appdb::now_rfc3339()
}

pub fn local_text(t: NaiveDateTime) -> String {
    t.format(LOCAL_FMT).to_string()
}

pub fn parse_local(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, LOCAL_FMT).ok()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

// ---------------------------------------------------------------------------------------
// Executions and details
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewExecution {
    pub etl_name: &'static str,
    pub etl_type: &'static str,
    pub triggered_by: &'static str,
    pub usuario: Option<String>,
    pub fecha_desde: Option<NaiveDateTime>,
    pub fecha_hasta: Option<NaiveDateTime>,
    pub tiendas: Vec<String>,
    pub recovered_gap_id: Option<i64>,
}

#[allow(clippy::expect_used)] // a list of strings always serialises
pub fn start_execution(conn: &Connection, e: &NewExecution) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO etl_executions (etl_name, etl_type, triggered_by, usuario, started_at, fecha_desde, fecha_hasta,
             tiendas_procesadas, status, is_recovery, recovered_gap_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?11, ?9, ?10)",
        params![
            e.etl_name,
            e.etl_type,
            e.triggered_by,
            e.usuario,
            now_utc(),
            e.fecha_desde.map(local_text),
            e.fecha_hasta.map(local_text),
            serde_json::to_string(&e.tiendas).expect("strings serialise"),
            e.etl_type == "recovery" || e.recovered_gap_id.is_some(),
            e.recovered_gap_id,
            RunStatus::Running,
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Per-location outcome, written to `etl_execution_details`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DetailOutcome {
    pub status: LocationStatus,
    pub ventana_desde: Option<NaiveDateTime>,
    pub ventana_hasta: Option<NaiveDateTime>,
    pub requests: u64,
    pub failed_requests: u64,
    pub records_extracted: u64,
    pub records_inserted: u64,
    pub records_updated: u64,
    pub records_unchanged: u64,
    pub records_failed: u64,
    pub duplicates_skipped: u64,
    pub extract_s: f64,
    pub transform_s: f64,
    pub load_s: f64,
    pub duration_s: f64,
    #[serde(skip)]
    pub error: Option<EtlError>,
    pub endpoint: Option<String>,
    pub latency_ms: Option<u64>,
    pub advertencias: Vec<String>,
}

impl DetailOutcome {
    /// Rows written by the load: new keys plus existing keys upserted again (changed or
    /// not), as spec 20 §5.4 counts a re-run (`inserted = 0, updated = 2`).
    pub fn loaded(&self) -> u64 {
        self.records_inserted + self.upserted_existing()
    }

    /// Existing keys upserted again: the history's `records_updated`.
    pub fn upserted_existing(&self) -> u64 {
        self.records_updated + self.records_unchanged
    }
}

/// Creates (or, for a late retry of the same location, resets) the detail row.
pub fn start_detail(conn: &Connection, execution_id: i64, tienda_id: &str, nombre: &str, source: Option<&str>) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO etl_execution_details (execution_id, tienda_id, tienda_nombre, source_system, status, started_at)
         VALUES (?1, ?2, ?3, ?4, ?6, ?5)
         ON CONFLICT (execution_id, tienda_id) DO UPDATE SET status = ?6, started_at = excluded.started_at
         RETURNING id",
        params![execution_id, tienda_id, nombre, source, now_utc(), LocationStatus::Running],
        |r| r.get(0),
    )
}

#[allow(clippy::expect_used)] // a list of strings always serialises
pub fn finish_detail(conn: &Connection, detail_id: i64, o: &DetailOutcome) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE etl_execution_details SET status = ?2, finished_at = ?3, duration_seconds = ?4, ventana_desde = ?5,
             ventana_hasta = ?6, requests = ?7, records_extracted = ?8, records_loaded = ?9, records_inserted = ?10,
             records_updated = ?11, records_failed = ?12, duplicates_skipped = ?13, extract_duration_seconds = ?14,
             transform_duration_seconds = ?15, load_duration_seconds = ?16, error_phase = ?17, error_category = ?18,
             error_message = ?19, endpoint = ?20, connection_latency_ms = ?21, advertencias = ?22
         WHERE id = ?1",
        params![
            detail_id,
            o.status,
            now_utc(),
            o.duration_s.max(0.0),
            o.ventana_desde.map(local_text),
            o.ventana_hasta.map(local_text),
            o.requests as i64,
            o.records_extracted as i64,
            o.loaded() as i64,
            o.records_inserted as i64,
            o.upserted_existing() as i64,
            o.records_failed as i64,
            o.duplicates_skipped as i64,
            o.extract_s.max(0.0),
            o.transform_s.max(0.0),
            o.load_s.max(0.0),
            o.error.as_ref().map(|e| e.phase.as_str()),
            o.error.as_ref().map(|e| e.category.as_str()),
            o.error.as_ref().map(|e| clip(&e.message, 500)),
            o.endpoint,
            o.latency_ms.map(|v| v as i64),
            serde_json::to_string(&o.advertencias.iter().map(|w| clip(w, 300)).collect::<Vec<_>>()).expect("strings"),
        ],
    )?;
    Ok(())
}

/// Run-level totals written when an execution finishes.
#[derive(Debug, Clone, Default)]
pub struct ExecutionOutcome {
    pub status: RunStatus,
    pub duration_s: f64,
    pub fecha_desde: Option<NaiveDateTime>,
    pub fecha_hasta: Option<NaiveDateTime>,
    pub totals: DetailOutcome,
    pub source_system: Option<&'static str>,
    pub api_requests: u64,
    pub api_errors: u64,
    pub gaps_recovered: u64,
    pub error: Option<EtlError>,
    pub error_source: Option<String>,
}

pub fn finish_execution(conn: &Connection, id: i64, o: &ExecutionOutcome) -> rusqlite::Result<()> {
    let t = &o.totals;
    conn.execute(
        "UPDATE etl_executions SET status = ?2, finished_at = ?3, duration_seconds = ?4,
             fecha_desde = coalesce(?5, fecha_desde), fecha_hasta = coalesce(?6, fecha_hasta),
             records_extracted = ?7, records_loaded = ?8, records_inserted = ?9, records_updated = ?10,
             records_failed = ?11, duplicates_skipped = ?12, gaps_recovered = ?13, extract_duration_seconds = ?14,
             transform_duration_seconds = ?15, load_duration_seconds = ?16, source_system = ?17,
             api_requests_count = ?18, api_errors_count = ?19, error_phase = ?20, error_category = ?21,
             error_source = ?22, error_message = ?23
         WHERE id = ?1",
        params![
            id,
            o.status,
            now_utc(),
            o.duration_s.max(0.0),
            o.fecha_desde.map(local_text),
            o.fecha_hasta.map(local_text),
            t.records_extracted as i64,
            t.loaded() as i64,
            t.records_inserted as i64,
            t.upserted_existing() as i64,
            t.records_failed as i64,
            t.duplicates_skipped as i64,
            o.gaps_recovered as i64,
            t.extract_s.max(0.0),
            t.transform_s.max(0.0),
            t.load_s.max(0.0),
            o.source_system,
            o.api_requests as i64,
            o.api_errors as i64,
            o.error.as_ref().map(|e| e.phase.as_str()),
            o.error.as_ref().map(|e| e.category.as_str()),
            o.error_source,
            o.error.as_ref().map(|e| clip(&e.message, 500)),
        ],
    )?;
    Ok(())
}

/// Marks every `running` execution (and its running details) as `killed`: called when the
/// process that owns the warehouse starts, since no task of a previous process is alive.
pub fn kill_orphans(conn: &Connection, message: &str) -> rusqlite::Result<usize> {
    let now = now_utc();
    let n = conn.execute(
        "UPDATE etl_executions SET status = ?3, finished_at = ?1, error_message = ?2,
             duration_seconds = max(0, (julianday(?1) - julianday(started_at)) * 86400.0)
         WHERE status = ?4",
        params![now, clip(message, 500), RunStatus::Killed, RunStatus::Running],
    )?;
    conn.execute(
        "UPDATE etl_execution_details SET status = ?3, finished_at = ?1, error_message = ?2
         WHERE status = ?4",
        params![now, clip(message, 500), LocationStatus::Failed, LocationStatus::Running],
    )?;
    if n > 0 {
        add_notice(conn, "ventas", "huerfana", &format!("{n} ejecución(es) marcadas como killed al iniciar"))?;
    }
    Ok(n)
}

// ---------------------------------------------------------------------------------------
// Watermarks
// ---------------------------------------------------------------------------------------

pub fn watermark(conn: &Connection, etl_name: &str, ubicacion_id: &str) -> rusqlite::Result<Option<NaiveDateTime>> {
    let v: Option<String> = conn
        .query_row(
            "SELECT ultimo_fin_exitoso FROM etl_watermarks WHERE etl_name = ?1 AND ubicacion_id = ?2",
            params![etl_name, ubicacion_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.as_deref().and_then(parse_local))
}

pub fn set_watermark(
    conn: &Connection,
    etl_name: &str,
    ubicacion_id: &str,
    value: NaiveDateTime,
    execution_id: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO etl_watermarks (etl_name, ubicacion_id, ultimo_fin_exitoso, ultima_ejecucion_id, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (etl_name, ubicacion_id) DO UPDATE SET ultimo_fin_exitoso = excluded.ultimo_fin_exitoso,
             ultima_ejecucion_id = excluded.ultima_ejecucion_id, actualizado_en = excluded.actualizado_en",
        params![etl_name, ubicacion_id, local_text(value), execution_id, now_utc()],
    )?;
    Ok(())
}

/// Applies the whole-day rule (§6.1) atomically; returns the watermark after it.
pub fn advance_after_full_day(
    conn: &Connection,
    etl_name: &str,
    ubicacion_id: &str,
    day: NaiveDate,
    execution_id: i64,
) -> rusqlite::Result<Option<NaiveDateTime>> {
    let tx = conn.unchecked_transaction()?;
    let current = watermark(&tx, etl_name, ubicacion_id)?;
    let next = super::window::after_full_day(current, day);
    if next != current {
        if let Some(v) = next {
            set_watermark(&tx, etl_name, ubicacion_id, v, execution_id)?;
        }
    }
    tx.commit()?;
    Ok(next)
}

pub fn all_watermarks(conn: &Connection, etl_name: &str) -> rusqlite::Result<Vec<(String, NaiveDateTime)>> {
    let mut stmt = conn.prepare("SELECT ubicacion_id, ultimo_fin_exitoso FROM etl_watermarks WHERE etl_name = ?1 ORDER BY ubicacion_id")?;
    let rows = stmt.query_map([etl_name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (id, v) = r?;
        if let Some(t) = parse_local(&v) {
            out.push((id, t));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Quarantine, notices, backfill tasks
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct QuarantineRow {
    pub categoria: &'static str,
    pub motivo: String,
    pub clave: String,
    pub registro: Option<String>,
}

pub fn quarantine(
    conn: &Connection,
    execution_id: i64,
    etl_name: &str,
    tienda_id: &str,
    fuente: &str,
    ventana: &str,
    rows: &[QuarantineRow],
) -> rusqlite::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO etl_cuarentena (execution_id, etl_name, tienda_id, fuente, ventana, categoria, motivo, clave, registro, creado_en)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        let now = now_utc();
        for r in rows {
            stmt.execute(params![
                execution_id,
                etl_name,
                tienda_id,
                fuente,
                ventana,
                r.categoria,
                clip(&r.motivo, 500),
                clip(&r.clave, 200),
                r.registro.as_deref().map(|s| clip(s, 4000)),
                now
            ])?;
        }
    }
    tx.commit()
}

pub fn add_notice(conn: &Connection, etl_name: &str, tipo: &str, mensaje: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO etl_avisos (etl_name, tipo, mensaje, creado_en) VALUES (?1, ?2, ?3, ?4)",
        params![etl_name, tipo, clip(mensaje, 500), now_utc()],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackfillTask {
    pub id: i64,
    pub ubicacion_id: String,
    pub fecha: NaiveDate,
    pub intentos: i64,
}

/// Enqueues (store, day) tasks; a day already queued or done goes back to `pendiente`
/// (unless it is running). Returns how many rows were added or re-queued.
pub fn enqueue_backfill(conn: &Connection, ubicacion_id: &str, days: &[NaiveDate], origen: &str) -> rusqlite::Result<usize> {
    let tx = conn.unchecked_transaction()?;
    let mut n = 0;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO etl_backfill_tareas (ubicacion_id, fecha, estado, origen, creado_en, actualizado_en)
             VALUES (?1, ?2, 'pendiente', ?3, ?4, ?4)
             ON CONFLICT (ubicacion_id, fecha) DO UPDATE SET estado = 'pendiente', origen = excluded.origen,
                 actualizado_en = excluded.actualizado_en
             WHERE etl_backfill_tareas.estado <> 'en_proceso'",
        )?;
        let now = now_utc();
        for d in days {
            n += stmt.execute(params![ubicacion_id, d.to_string(), origen, now])?;
        }
    }
    tx.commit()?;
    Ok(n)
}

/// Pending tasks (oldest day first), optionally of one location. Tasks left `en_proceso`
/// by a stopped process are pending again.
pub fn pending_backfill(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<BackfillTask>> {
    conn.execute("UPDATE etl_backfill_tareas SET estado = 'pendiente' WHERE estado = 'en_proceso'", [])?;
    let mut stmt = conn.prepare(
        "SELECT id, ubicacion_id, fecha, intentos FROM etl_backfill_tareas
         WHERE estado = 'pendiente' ORDER BY fecha, ubicacion_id LIMIT ?1",
    )?;
    let rows =
        stmt.query_map([limit as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?;
    let mut out = Vec::new();
    for r in rows {
        let (id, ubicacion_id, fecha, intentos) = r?;
        if let Ok(fecha) = NaiveDate::parse_from_str(&fecha, "%Y-%m-%d") {
            out.push(BackfillTask { id, ubicacion_id, fecha, intentos });
        }
    }
    Ok(out)
}

pub fn set_backfill_state(
    conn: &Connection,
    ubicacion_id: &str,
    fecha: NaiveDate,
    estado: &str,
    error: Option<&str>,
    execution_id: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE etl_backfill_tareas SET estado = ?3, ultimo_error = ?4, execution_id = coalesce(?5, execution_id),
             intentos = intentos + CASE WHEN ?3 IN ('ok', 'error') THEN 1 ELSE 0 END, actualizado_en = ?6
         WHERE ubicacion_id = ?1 AND fecha = ?2",
        params![ubicacion_id, fecha.to_string(), estado, error.map(|e| clip(e, 500)), execution_id, now_utc()],
    )?;
    Ok(())
}

/// Backfill progress: days by state.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BackfillProgress {
    /// Days loaded (`ok`).
    pub hechas: i64,
    /// Days by state (`pendiente`, `ok`, `error`, …).
    pub por_estado: std::collections::BTreeMap<String, i64>,
    pub total: i64,
}

pub fn backfill_progress(conn: &Connection) -> rusqlite::Result<BackfillProgress> {
    let mut stmt = conn.prepare("SELECT estado, count(*) FROM etl_backfill_tareas GROUP BY estado")?;
    let mut m = std::collections::BTreeMap::new();
    for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (k, v) = r?;
        m.insert(k, v);
    }
    let total: i64 = m.values().sum();
    let done = m.get("ok").copied().unwrap_or(0);
    Ok(BackfillProgress { hechas: done, por_estado: m, total })
}

// ---------------------------------------------------------------------------------------
// Read models of the history API (§9.5)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub etl_name: Option<String>,
    pub status: Option<String>,
    /// Local dates on `started_at` (UTC instants compared against the tenant's day bounds).
    pub desde_utc: Option<String>,
    pub hasta_utc: Option<String>,
    pub triggered_by: Option<String>,
    pub etl_type: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

const EXEC_COLUMNS: &str = "e.id, e.etl_name, e.etl_type, e.triggered_by, e.usuario, e.started_at, e.finished_at,
    e.duration_seconds, e.fecha_desde, e.fecha_hasta, e.tiendas_procesadas, e.status, e.records_extracted,
    e.records_loaded, e.records_inserted, e.records_updated, e.records_failed, e.duplicates_skipped, e.gaps_recovered,
    e.extract_duration_seconds, e.transform_duration_seconds, e.load_duration_seconds, e.source_system,
    e.api_requests_count, e.api_errors_count, e.error_phase, e.error_category, e.error_source, e.error_message,
    e.error_detail, e.is_recovery, e.recovered_gap_id";

/// One ETL execution (fields in alphabetical order, the order the API has always answered).
/// The list adds the counts of successful and failed locations; the detail, its location
/// rows and quarantined count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Execution {
    pub api_errors_count: i64,
    pub api_requests_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detalles: Option<Vec<LocationRun>>,
    pub duplicates_skipped: i64,
    pub duration_seconds: Option<f64>,
    pub error_category: Option<String>,
    pub error_detail: Option<String>,
    pub error_message: Option<String>,
    pub error_phase: Option<String>,
    pub error_source: Option<String>,
    pub etl_name: String,
    pub etl_type: String,
    pub extract_duration_seconds: Option<f64>,
    pub fecha_desde: Option<String>,
    pub fecha_hasta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filas_en_cuarentena: Option<i64>,
    pub finished_at: Option<String>,
    pub gaps_recovered: i64,
    pub id: i64,
    pub is_recovery: bool,
    pub load_duration_seconds: Option<f64>,
    pub records_extracted: i64,
    pub records_failed: i64,
    pub records_inserted: i64,
    pub records_loaded: i64,
    pub records_updated: i64,
    pub recovered_gap_id: Option<i64>,
    pub source_system: Option<String>,
    pub started_at: String,
    #[schema(value_type = String)]
    pub status: RunStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiendas_exitosas: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiendas_fallidas: Option<i64>,
    /// The location ids the run covered (as stored).
    #[schema(value_type = Vec<String>)]
    pub tiendas_procesadas: Value,
    pub transform_duration_seconds: Option<f64>,
    pub triggered_by: String,
    pub usuario: Option<String>,
}

fn execution_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Execution> {
    let tiendas: String = r.get("tiendas_procesadas")?;
    Ok(Execution {
        id: r.get("id")?,
        etl_name: r.get("etl_name")?,
        etl_type: r.get("etl_type")?,
        triggered_by: r.get("triggered_by")?,
        usuario: r.get("usuario")?,
        started_at: r.get("started_at")?,
        finished_at: r.get("finished_at")?,
        duration_seconds: r.get("duration_seconds")?,
        fecha_desde: r.get("fecha_desde")?,
        fecha_hasta: r.get("fecha_hasta")?,
        tiendas_procesadas: serde_json::from_str::<Value>(&tiendas).unwrap_or(Value::Array(vec![])),
        status: r.get("status")?,
        records_extracted: r.get("records_extracted")?,
        records_loaded: r.get("records_loaded")?,
        records_inserted: r.get("records_inserted")?,
        records_updated: r.get("records_updated")?,
        records_failed: r.get("records_failed")?,
        duplicates_skipped: r.get("duplicates_skipped")?,
        gaps_recovered: r.get("gaps_recovered")?,
        extract_duration_seconds: r.get("extract_duration_seconds")?,
        transform_duration_seconds: r.get("transform_duration_seconds")?,
        load_duration_seconds: r.get("load_duration_seconds")?,
        source_system: r.get("source_system")?,
        api_requests_count: r.get("api_requests_count")?,
        api_errors_count: r.get("api_errors_count")?,
        error_phase: r.get("error_phase")?,
        error_category: r.get("error_category")?,
        error_source: r.get("error_source")?,
        error_message: r.get("error_message")?,
        error_detail: r.get("error_detail")?,
        is_recovery: r.get::<_, i64>("is_recovery")? == 1,
        recovered_gap_id: r.get("recovered_gap_id")?,
        detalles: None,
        filas_en_cuarentena: None,
        tiendas_exitosas: None,
        tiendas_fallidas: None,
    })
}

/// Executions newest first, with counts of successful and failed locations.
pub fn list_executions(conn: &Connection, f: &HistoryFilter) -> rusqlite::Result<(Vec<Execution>, i64)> {
    let mut where_ = vec!["1 = 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut push = |cond: &str, v: &Option<String>| {
        if let Some(v) = v {
            args.push(rusqlite::types::Value::Text(v.clone()));
            where_.push(format!("{cond} ?{}", args.len()));
        }
    };
    push("e.etl_name =", &f.etl_name);
    push("e.status =", &f.status);
    push("e.started_at >=", &f.desde_utc);
    push("e.started_at <", &f.hasta_utc);
    push("e.triggered_by =", &f.triggered_by);
    push("e.etl_type =", &f.etl_type);
    let cond = where_.join(" AND ");
    let total: i64 =
        conn.query_row(&format!("SELECT count(*) FROM etl_executions e WHERE {cond}"), rusqlite::params_from_iter(args.iter()), |r| {
            r.get(0)
        })?;
    let sql = format!(
        "SELECT {EXEC_COLUMNS},
             (SELECT count(*) FROM etl_execution_details d WHERE d.execution_id = e.id AND d.status = 'success'),
             (SELECT count(*) FROM etl_execution_details d WHERE d.execution_id = e.id AND d.status = 'failed')
         FROM etl_executions e WHERE {cond} ORDER BY e.started_at DESC, e.id DESC LIMIT {} OFFSET {}",
        f.limit.clamp(1, 200),
        f.offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        let mut v = execution_of(r)?;
        v.tiendas_exitosas = Some(r.get(32)?);
        v.tiendas_fallidas = Some(r.get(33)?);
        Ok(v)
    })?;
    Ok((rows.collect::<rusqlite::Result<Vec<_>>>()?, total))
}

/// One location of an execution.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LocationRun {
    #[schema(value_type = Vec<String>)]
    pub advertencias: Value,
    pub connection_latency_ms: Option<i64>,
    pub duplicates_skipped: i64,
    pub duration_seconds: Option<f64>,
    pub endpoint: Option<String>,
    pub error_category: Option<String>,
    pub error_message: Option<String>,
    pub error_phase: Option<String>,
    pub execution_id: i64,
    pub extract_duration_seconds: Option<f64>,
    pub finished_at: Option<String>,
    pub id: i64,
    pub load_duration_seconds: Option<f64>,
    pub records_extracted: i64,
    pub records_failed: i64,
    pub records_inserted: i64,
    pub records_loaded: i64,
    pub records_updated: i64,
    pub requests: i64,
    pub source_system: Option<String>,
    pub started_at: String,
    #[schema(value_type = String)]
    pub status: LocationStatus,
    pub tienda_id: String,
    pub tienda_nombre: Option<String>,
    pub transform_duration_seconds: Option<f64>,
    pub ventana_desde: Option<String>,
    pub ventana_hasta: Option<String>,
}

fn location_run_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<LocationRun> {
    let adv: String = r.get("advertencias")?;
    Ok(LocationRun {
        id: r.get("id")?,
        execution_id: r.get("execution_id")?,
        tienda_id: r.get("tienda_id")?,
        tienda_nombre: r.get("tienda_nombre")?,
        source_system: r.get("source_system")?,
        status: r.get("status")?,
        started_at: r.get("started_at")?,
        finished_at: r.get("finished_at")?,
        duration_seconds: r.get("duration_seconds")?,
        ventana_desde: r.get("ventana_desde")?,
        ventana_hasta: r.get("ventana_hasta")?,
        requests: r.get("requests")?,
        records_extracted: r.get("records_extracted")?,
        records_loaded: r.get("records_loaded")?,
        records_inserted: r.get("records_inserted")?,
        records_updated: r.get("records_updated")?,
        records_failed: r.get("records_failed")?,
        duplicates_skipped: r.get("duplicates_skipped")?,
        extract_duration_seconds: r.get("extract_duration_seconds")?,
        transform_duration_seconds: r.get("transform_duration_seconds")?,
        load_duration_seconds: r.get("load_duration_seconds")?,
        error_phase: r.get("error_phase")?,
        error_category: r.get("error_category")?,
        error_message: r.get("error_message")?,
        advertencias: serde_json::from_str::<Value>(&adv).unwrap_or(Value::Array(vec![])),
        endpoint: r.get("endpoint")?,
        connection_latency_ms: r.get("connection_latency_ms")?,
    })
}

const DETAIL_COLUMNS: &str = "id, execution_id, tienda_id, tienda_nombre, source_system, status, started_at, finished_at,
    duration_seconds, ventana_desde, ventana_hasta, requests, records_extracted, records_loaded, records_inserted,
    records_updated, records_failed, duplicates_skipped, extract_duration_seconds, transform_duration_seconds,
    load_duration_seconds, error_phase, error_category, error_message, advertencias, endpoint, connection_latency_ms";

/// One execution with its location rows (ordered by location id) and quarantine count.
pub fn get_execution(conn: &Connection, id: i64) -> rusqlite::Result<Option<Execution>> {
    let exec = conn.query_row(&format!("SELECT {EXEC_COLUMNS} FROM etl_executions e WHERE e.id = ?1"), [id], execution_of).optional()?;
    let Some(mut exec) = exec else { return Ok(None) };
    let mut stmt =
        conn.prepare(&format!("SELECT {DETAIL_COLUMNS} FROM etl_execution_details WHERE execution_id = ?1 ORDER BY tienda_id"))?;
    let details = stmt.query_map([id], location_run_of)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let quarantined: i64 = conn.query_row("SELECT count(*) FROM etl_cuarentena WHERE execution_id = ?1", [id], |r| r.get(0))?;
    exec.detalles = Some(details);
    exec.filas_en_cuarentena = Some(quarantined);
    Ok(Some(exec))
}

pub fn execution_status(conn: &Connection, id: i64) -> rusqlite::Result<Option<RunStatus>> {
    conn.query_row("SELECT status FROM etl_executions WHERE id = ?1", [id], |r| r.get(0)).optional()
}

/// A record the ETL set aside instead of loading.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarantinedRow {
    pub categoria: String,
    pub clave: Option<String>,
    pub creado_en: String,
    pub etl_name: String,
    pub execution_id: Option<i64>,
    pub fuente: String,
    pub id: i64,
    pub motivo: String,
    pub registro: Option<String>,
    pub tienda_id: String,
    pub ventana: Option<String>,
}

/// Quarantined rows of an execution (newest first).
pub fn quarantined_rows(conn: &Connection, execution_id: Option<i64>, limit: usize) -> rusqlite::Result<Vec<QuarantinedRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, execution_id, etl_name, tienda_id, fuente, ventana, categoria, motivo, clave, registro, creado_en
         FROM etl_cuarentena WHERE (?1 IS NULL OR execution_id = ?1) ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![execution_id, limit as i64], |r| {
        Ok(QuarantinedRow {
            id: r.get(0)?,
            execution_id: r.get(1)?,
            etl_name: r.get(2)?,
            tienda_id: r.get(3)?,
            fuente: r.get(4)?,
            ventana: r.get(5)?,
            categoria: r.get(6)?,
            motivo: r.get(7)?,
            clave: r.get(8)?,
            registro: r.get(9)?,
            creado_en: r.get(10)?,
        })
    })?;
    rows.collect()
}

/// Failures of one error category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryCount {
    pub categoria: String,
    pub total: i64,
}

/// A location that failed, with its most frequent error category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FailingLocation {
    pub categoria_frecuente: Option<String>,
    pub fallos: i64,
    pub tienda_id: String,
}

/// Statistics of the executions of a period (§9.5).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    pub duracion_promedio_s: Option<f64>,
    /// Failed locations by phase.
    pub errores_por_fase: std::collections::BTreeMap<String, i64>,
    pub exitosas: i64,
    pub fallidas: i64,
    pub parciales: i64,
    pub success_rate: f64,
    pub top_categorias: Vec<CategoryCount>,
    pub top_ubicaciones_fallidas: Vec<FailingLocation>,
    pub total: i64,
    pub total_cargados: i64,
    pub total_duplicados: i64,
}

/// Statistics over executions started at or after `desde_utc` (§9.5).
pub fn stats(conn: &Connection, desde_utc: &str, etl_name: Option<&str>) -> rusqlite::Result<Stats> {
    let (total, ok, partial, failed, avg, loaded, dups): (i64, i64, i64, i64, Option<f64>, i64, i64) = conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE status = 'success'), count(*) FILTER (WHERE status = 'partial'),
                count(*) FILTER (WHERE status = 'failed'), avg(duration_seconds), coalesce(sum(records_loaded), 0),
                coalesce(sum(duplicates_skipped), 0)
         FROM etl_executions WHERE started_at >= ?1 AND (?2 IS NULL OR etl_name = ?2)",
        params![desde_utc, etl_name],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )?;
    let success_rate = if total == 0 { 0.0 } else { crate::domain::sales::round_half_away(ok as f64 * 100.0 / total as f64, 2) };
    let scope = "FROM etl_execution_details d JOIN etl_executions e ON e.id = d.execution_id
                 WHERE e.started_at >= ?1 AND (?2 IS NULL OR e.etl_name = ?2) AND d.status = 'failed'";
    let by_phase: std::collections::BTreeMap<String, i64> = {
        let mut stmt =
            conn.prepare(&format!("SELECT coalesce(d.error_phase, 'desconocida'), count(*) {scope} GROUP BY 1 ORDER BY 2 DESC"))?;
        let rows = stmt.query_map(params![desde_utc, etl_name], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?.into_iter().collect()
    };
    let top_categories: Vec<CategoryCount> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT coalesce(d.error_category, 'desconocida'), count(*) {scope} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
        ))?;
        let rows = stmt.query_map(params![desde_utc, etl_name], |r| Ok(CategoryCount { categoria: r.get(0)?, total: r.get(1)? }))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let top_locations: Vec<FailingLocation> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT d.tienda_id, count(*) AS fallos,
                    (SELECT d2.error_category FROM etl_execution_details d2 JOIN etl_executions e2 ON e2.id = d2.execution_id
                      WHERE d2.tienda_id = d.tienda_id AND d2.status = 'failed' AND e2.started_at >= ?1
                        AND (?2 IS NULL OR e2.etl_name = ?2)
                      GROUP BY d2.error_category ORDER BY count(*) DESC, d2.error_category LIMIT 1)
             {scope} GROUP BY d.tienda_id ORDER BY fallos DESC, d.tienda_id LIMIT 5"
        ))?;
        let rows = stmt.query_map(params![desde_utc, etl_name], |r| {
            Ok(FailingLocation { tienda_id: r.get(0)?, fallos: r.get(1)?, categoria_frecuente: r.get(2)? })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    Ok(Stats {
        duracion_promedio_s: avg.map(|v| crate::domain::sales::round_half_away(v, 2)),
        errores_por_fase: by_phase,
        exitosas: ok,
        fallidas: failed,
        parciales: partial,
        success_rate,
        top_categorias: top_categories,
        top_ubicaciones_fallidas: top_locations,
        total,
        total_cargados: loaded,
        total_duplicados: dups,
    })
}

/// End of the last successful load of each location, by job: `(etl_name, tienda_id,
/// finished_at)` with `finished_at` the UTC text of SQLite, ordered by job then location.
pub fn last_location_successes(conn: &Connection) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT e.etl_name, d.tienda_id, max(d.finished_at) FROM etl_execution_details d
         JOIN etl_executions e ON e.id = d.execution_id
         WHERE d.status = 'success' AND d.finished_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// The last finished execution of each (etl_name, etl_type) and the running ones.
pub fn last_runs(conn: &Connection) -> rusqlite::Result<Vec<Execution>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {EXEC_COLUMNS} FROM etl_executions e
         WHERE e.id IN (SELECT max(id) FROM etl_executions GROUP BY etl_name, etl_type) OR e.status = 'running'
         ORDER BY e.id DESC"
    ))?;
    let rows = stmt.query_map([], execution_of)?;
    rows.collect()
}

/// A notice of the ETL for the administrator (a run skipped, a store late, …).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub creado_en: String,
    pub etl_name: String,
    pub id: i64,
    pub mensaje: String,
    pub tipo: String,
}

pub fn recent_notices(conn: &Connection, limit: usize) -> rusqlite::Result<Vec<Notice>> {
    let mut stmt = conn.prepare("SELECT id, creado_en, etl_name, tipo, mensaje FROM etl_avisos ORDER BY id DESC LIMIT ?1")?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(Notice { id: r.get(0)?, creado_en: r.get(1)?, etl_name: r.get(2)?, tipo: r.get(3)?, mensaje: r.get(4)? })
    })?;
    rows.collect()
}

/// Started instant (UTC text) of the last execution of (etl_name, etl_type), if any.
pub fn last_started(conn: &Connection, etl_name: &str, etl_type: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT max(started_at) FROM etl_executions WHERE etl_name = ?1 AND etl_type = ?2", params![etl_name, etl_type], |r| {
        r.get(0)
    })
}

/// Failed location windows not covered by a later success (execution-level gaps, §7.1),
/// over the last `hours` hours: (execution id, location, window, failed at, category).
/// A failed window of a location not covered by a later success; the gaps list adds the
/// hours since the failure and its urgency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FailedWindow {
    pub error_category: Option<String>,
    pub error_message: Option<String>,
    pub etl_type: String,
    pub execution_id: i64,
    /// UTC instant of the failure.
    pub fallo_en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub horas_desde_fallo: Option<f64>,
    pub tienda_id: String,
    pub tienda_nombre: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgencia: Option<&'static str>,
    pub ventana_desde: Option<String>,
    pub ventana_hasta: Option<String>,
}

pub fn failed_windows(conn: &Connection, desde_utc: &str) -> rusqlite::Result<Vec<FailedWindow>> {
    let mut stmt = conn.prepare(
        "SELECT d.execution_id, d.tienda_id, d.tienda_nombre, d.ventana_desde, d.ventana_hasta, coalesce(d.finished_at, d.started_at),
                d.error_category, d.error_message, e.etl_type
         FROM etl_execution_details d JOIN etl_executions e ON e.id = d.execution_id
         WHERE e.etl_name = 'ventas' AND d.status = 'failed' AND d.started_at >= ?1
           AND NOT EXISTS (
               SELECT 1 FROM etl_execution_details s JOIN etl_executions se ON se.id = s.execution_id
               WHERE se.etl_name = 'ventas' AND s.tienda_id = d.tienda_id AND s.status = 'success'
                 AND s.execution_id > d.execution_id
                 AND (d.ventana_desde IS NULL OR (s.ventana_desde <= d.ventana_desde AND s.ventana_hasta >= d.ventana_hasta)))
         ORDER BY d.started_at DESC",
    )?;
    let rows = stmt.query_map([desde_utc], |r| {
        Ok(FailedWindow {
            execution_id: r.get(0)?,
            tienda_id: r.get(1)?,
            tienda_nombre: r.get(2)?,
            ventana_desde: r.get(3)?,
            ventana_hasta: r.get(4)?,
            fallo_en: r.get(5)?,
            error_category: r.get(6)?,
            error_message: r.get(7)?,
            etl_type: r.get(8)?,
            horas_desde_fallo: None,
            urgencia: None,
        })
    })?;
    rows.collect()
}
