//! `GET /metrics` in Prometheus text format (spec 50 §13, issue 6): HTTP requests and
//! latencies (counted by the request-log middleware), ETL runs, rows and durations by
//! source, last successful load per location, database and backup sizes.
//!
//! Declared `Public` in the route table because it takes no user session; its own gate is
//! here: the client address must be in `[metrics].allow_from`, or the request must carry
//! `Authorization: Bearer <[metrics].token>` from the secrets file. Anything else is 403.

use std::collections::BTreeMap;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};

use super::error::ApiError;
use super::AppState;
use crate::config::{APP_DB_FILE, WAREHOUSE_FILE};
use crate::metrics::Exposition;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Whether the caller may read the metrics.
pub fn allowed(state: &AppState, req: &Request) -> bool {
    let token = state.tenant.secrets.metrics.as_ref().and_then(|m| m.token.as_deref());
    if let Some(expected) = token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim());
        if given.is_some_and(|g| constant_time_eq(g.as_bytes(), expected.as_bytes())) {
            return true;
        }
    }
    let Some(ip) = super::session::client_ip(state, req) else { return false };
    state.tenant.file.metrics.allow_from.iter().any(|net| crate::config::ip_in_net(ip, net))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    if !allowed(&state, &req) {
        let ip = super::session::client_ip(&state, &req).map(|i| i.to_string()).unwrap_or_else(|| "-".into());
        tracing::warn!(client = %ip, "metrics refused: address not in [metrics].allow_from and no valid token");
        return ApiError::Forbidden.into_response();
    }
    let collected = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || collect(&state)).await
    };
    match collected {
        Ok(text) => {
            let mut resp = text.into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
            resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            resp
        }
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Parses the RFC 3339 / `YYYY-MM-DDTHH:MM:SSZ` instants stored in SQLite.
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S").ok().map(|t| t.and_utc()))
}

/// Last successful run of each ETL (`etl_executions`, status success).
pub fn etl_last_success(conn: &rusqlite::Connection) -> rusqlite::Result<BTreeMap<String, DateTime<Utc>>> {
    let mut stmt = conn.prepare(
        "SELECT etl_name, max(finished_at) FROM etl_executions
         WHERE status = 'success' AND finished_at IS NOT NULL GROUP BY etl_name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (name, at) = row?;
        if let Some(t) = parse_utc(&at) {
            out.insert(name, t);
        }
    }
    Ok(out)
}

fn file_size(path: &std::path::Path, sides: &[&str]) -> u64 {
    sides.iter().filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok()).map(|m| m.len()).sum()
}

fn collect(state: &AppState) -> String {
    let mut out = Exposition::default();
    let tenant = state.tenant.id();
    out.family("fluxion_build_info", "gauge", "Version and release of the running binary.");
    out.sample("fluxion_build_info", &[("tenant", tenant), ("version", super::VERSION), ("release", crate::ops::release::release())], 1.0);
    crate::metrics::http().render(&mut out);

    out.family("fluxion_db_size_bytes", "gauge", "Size of the data files, journals included.");
    let data = &state.tenant.data_dir;
    out.sample("fluxion_db_size_bytes", &[("db", "app")], file_size(&data.join(APP_DB_FILE), &["", "-wal"]) as f64);
    out.sample("fluxion_db_size_bytes", &[("db", "warehouse")], file_size(&data.join(WAREHOUSE_FILE), &["", ".wal"]) as f64);

    let etl = {
        let conn = state.app_db.lock().unwrap_or_else(|p| p.into_inner());
        etl_metrics(&conn)
    };
    match etl {
        Ok(etl) => out.append(etl),
        Err(e) => tracing::error!("metrics: cannot read the ETL history: {e}"),
    }

    let backups = crate::ops::backup::list(&state.tenant.backup_dir);
    out.family("fluxion_backups", "gauge", "Backups present in the backup folder, by kind.");
    let mut newest: BTreeMap<&'static str, (f64, f64, usize)> = BTreeMap::new();
    for (_, m) in &backups {
        let e = newest.entry(m.kind.as_str()).or_insert((0.0, 0.0, 0));
        // `list` is oldest first: the last one seen is the newest.
        e.0 = m.created_at.timestamp() as f64;
        e.1 = m.size() as f64;
        e.2 += 1;
    }
    for (kind, (_, _, n)) in &newest {
        out.sample("fluxion_backups", &[("kind", kind)], *n as f64);
    }
    out.family("fluxion_backup_last_timestamp_seconds", "gauge", "Creation time of the newest backup, by kind.");
    for (kind, (t, _, _)) in &newest {
        out.sample("fluxion_backup_last_timestamp_seconds", &[("kind", kind)], *t);
    }
    out.family("fluxion_backup_last_size_bytes", "gauge", "Size of the newest backup, by kind.");
    for (kind, (_, size, _)) in &newest {
        out.sample("fluxion_backup_last_size_bytes", &[("kind", kind)], *size);
    }

    let now_local = state.tenant.now_local();
    let active = crate::domain::maintenance::active_window(&state.tenant.maintenance, now_local).is_some();
    out.single(
        "fluxion_maintenance_window_active",
        "gauge",
        "1 while a maintenance window of tenant.toml is active.",
        if active { 1.0 } else { 0.0 },
    );
    out.finish()
}

/// ETL runs, rows, durations and last successes from the SQLite ETL history.
fn etl_metrics(conn: &rusqlite::Connection) -> rusqlite::Result<Exposition> {
    let mut out = Exposition::default();
    let mut stmt = conn.prepare(
        "SELECT etl_name, coalesce(source_system, 'none'), status, count(*), coalesce(sum(records_loaded), 0),
                coalesce(sum(records_failed), 0), coalesce(sum(duration_seconds), 0)
         FROM etl_executions WHERE status <> 'running' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    )?;
    type Row = (String, String, String, i64, i64, i64, f64);
    let rows: Vec<Row> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    out.family("fluxion_etl_runs_total", "counter", "Finished ETL runs by job, source system and outcome.");
    for (etl, source, status, n, ..) in &rows {
        out.sample("fluxion_etl_runs_total", &[("etl", etl), ("source", source), ("status", status)], *n as f64);
    }
    let mut by_source: BTreeMap<(String, String), (i64, i64, f64, i64)> = BTreeMap::new();
    for (etl, source, _, n, loaded, failed, secs) in &rows {
        let e = by_source.entry((etl.clone(), source.clone())).or_default();
        e.0 += loaded;
        e.1 += failed;
        e.2 += secs;
        e.3 += n;
    }
    out.family("fluxion_etl_rows_loaded_total", "counter", "Rows loaded (inserted + updated) by ETL job and source system.");
    for ((etl, source), (loaded, ..)) in &by_source {
        out.sample("fluxion_etl_rows_loaded_total", &[("etl", etl), ("source", source)], *loaded as f64);
    }
    out.family("fluxion_etl_rows_failed_total", "counter", "Rows rejected by ETL job and source system.");
    for ((etl, source), (_, failed, ..)) in &by_source {
        out.sample("fluxion_etl_rows_failed_total", &[("etl", etl), ("source", source)], *failed as f64);
    }
    out.family("fluxion_etl_duration_seconds", "summary", "Duration of finished ETL runs by job and source system.");
    for ((etl, source), (_, _, secs, n)) in &by_source {
        out.sample("fluxion_etl_duration_seconds_sum", &[("etl", etl), ("source", source)], *secs);
        out.sample("fluxion_etl_duration_seconds_count", &[("etl", etl), ("source", source)], *n as f64);
    }
    let running: Vec<(String, i64)> = conn
        .prepare("SELECT etl_name, count(*) FROM etl_executions WHERE status = 'running' GROUP BY 1 ORDER BY 1")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    out.family("fluxion_etl_running", "gauge", "ETL runs in progress.");
    for (etl, n) in &running {
        out.sample("fluxion_etl_running", &[("etl", etl)], *n as f64);
    }
    out.family("fluxion_etl_last_success_timestamp_seconds", "gauge", "End of the last successful run of each ETL job.");
    for (etl, t) in etl_last_success(conn)? {
        out.sample("fluxion_etl_last_success_timestamp_seconds", &[("etl", &etl)], t.timestamp() as f64);
    }
    let per_location = crate::etl::history::last_location_successes(conn)?;
    out.family(
        "fluxion_etl_location_last_success_timestamp_seconds",
        "gauge",
        "End of the last successful load of each location, by ETL job.",
    );
    for (etl, location, at) in per_location {
        if let Some(t) = parse_utc(&at) {
            out.sample(
                "fluxion_etl_location_last_success_timestamp_seconds",
                &[("etl", &etl), ("location", &location)],
                t.timestamp() as f64,
            );
        }
    }
    Ok(out)
}
