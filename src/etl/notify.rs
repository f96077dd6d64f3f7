//! E-mail notifications of ETL runs (spec 20 §12) over the tenant's SMTP server.
//!
//! * After a run made by the appliance (scheduler, API, backfill worker) whose status is in
//!   `[notifications.email].send_on` (default `partial`, `failed`): one e-mail per job at most
//!   every `repeat_suppress_minutes`; the ones held back are counted in the next digest.
//!   Runs of the `fluxion etl run` CLI print their own table and send nothing.
//! * A daily digest (schedule `notification_digest`, 07:00) of the previous local day: runs
//!   per job and status, failed locations, the ETL notices (missed slots, omitted overlapping
//!   runs, executions found orphaned), e-mails held back.
//!
//! Composing the messages is pure ([`run_email`], [`digest_email`]); [`Notifier`] sends them.
//! A failure to send is logged and never fails the run.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Tenant;
use crate::etl::{LocationStatus, RunReport, RunStatus};
pub use crate::mail::Email;
use crate::mail::{escape, Mailer};
use chrono::{DateTime, NaiveDate, Utc};

/// `(icon, wording)` of a run status, as the original e-mails said it.
fn status_wording(status: RunStatus) -> (&'static str, &'static str) {
    match status {
        RunStatus::Success => ("✅", "SUCCESS"),
        RunStatus::Partial => ("⚠️", "PARTIAL SUCCESS"),
        RunStatus::Failed | RunStatus::Killed | RunStatus::Running => ("❌", "FAILED"),
    }
}

fn job_name(report: &RunReport) -> String {
    let job = match report.job.as_str() {
        "ventas" => "Ventas",
        "inventario" => "Inventario",
        other => other,
    };
    format!("ETL {job} ({})", report.kind.as_str())
}

/// The e-mail of one run: times in the tenant's zone, the summary and a per-location table.
pub fn run_email(report: &RunReport, started: DateTime<Utc>, tz: chrono_tz::Tz, tenant_name: &str) -> Email {
    let (icon, wording) = status_wording(report.status);
    let name = job_name(report);
    let subject = format!("{icon} Fluxion - {name} {wording} · {tenant_name}");
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
    let ended = started + chrono::Duration::milliseconds((report.duration_s * 1000.0) as i64);
    let ok = report.locations.iter().filter(|l| l.status == LocationStatus::Success).count();
    let failed: Vec<_> = report.locations.iter().filter(|l| l.status == LocationStatus::Failed).collect();
    let records: u64 = report.locations.iter().map(|l| l.outcome.records_extracted).sum();

    let mut text = String::new();
    let _ = writeln!(text, "{name}: {wording}");
    let _ = writeln!(text, "Inicio: {}  Fin: {}  Duración: {:.1} s", local(started), local(ended), report.duration_s);
    let _ =
        writeln!(text, "Tiendas procesadas {ok}/{}  Registros: {records}  Éxitos: {ok}  Fallos: {}", report.locations.len(), failed.len());
    let _ = writeln!(text, "\nTienda | Estado | Registros | Segundos | Mensaje");
    let mut rows = String::new();
    for l in &report.locations {
        let msg = l.error.as_deref().unwrap_or("");
        let _ =
            writeln!(text, "{} | {} | {} | {:.1} | {msg}", l.tienda_nombre, l.status, l.outcome.records_extracted, l.outcome.duration_s);
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td><td style=\"text-align:right\">{:.1}</td><td>{}</td></tr>",
            escape(&l.tienda_nombre),
            l.status,
            l.outcome.records_extracted,
            l.outcome.duration_s,
            escape(msg)
        );
    }
    let mut errors = String::new();
    if !failed.is_empty() {
        let _ = writeln!(text, "\nErrores:");
        errors.push_str("<h3>Errores</h3><ul>");
        for l in &failed {
            let msg = l.error.as_deref().unwrap_or("sin detalle");
            let _ = writeln!(text, "{}: {msg}", l.tienda_nombre);
            let _ = write!(errors, "<li>{}: {}</li>", escape(&l.tienda_nombre), escape(msg));
        }
        errors.push_str("</ul>");
    }
    let html = format!(
        "<html><body><h2>{icon} {name}: {wording}</h2>\
         <p>Inicio: {}<br>Fin: {}<br>Duración: {:.1} s<br>Registros procesados: {records}</p>\
         <p>Tiendas procesadas {ok}/{} · Éxitos: {ok} · Fallos: {}</p>\
         <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>Tienda</th><th>Estado</th><th>Registros</th><th>Segundos</th><th>Mensaje</th></tr>{rows}</table>\
         {errors}<p style=\"color:#666\">Ejecución #{} · {}</p></body></html>",
        local(started),
        local(ended),
        report.duration_s,
        report.locations.len(),
        failed.len(),
        report.execution_id,
        escape(tenant_name),
    );
    Email { subject, text, html }
}

/// One line of the digest: runs of a job with a status on the day.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRow {
    pub job: String,
    pub status: RunStatus,
    pub runs: u64,
}

/// What the digest reports besides the runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigestExtras {
    /// (location, failed windows).
    pub failed_locations: Vec<(String, u64)>,
    /// (kind, message) of the ETL notices of the day, oldest first.
    pub notices: Vec<(String, String)>,
    /// Run e-mails held back by the repeat window.
    pub held_back: u64,
}

/// The daily digest of `day` (a local date).
pub fn digest_email(day: NaiveDate, rows: &[DigestRow], extras: &DigestExtras, tenant_name: &str) -> Email {
    let (failed_locations, held_back) = (&extras.failed_locations, extras.held_back);
    let problems: u64 = rows.iter().filter(|r| r.status != RunStatus::Success).map(|r| r.runs).sum();
    let icon = if problems == 0 { "✅" } else { "⚠️" };
    let subject = format!("{icon} Fluxion - Resumen diario ETL {day} · {tenant_name}");
    let mut by_job: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for r in rows {
        *by_job.entry(&r.job).or_default().entry(r.status.as_str()).or_default() += r.runs;
    }
    let mut text = format!("Resumen del {day}\n\nEjecuciones por proceso y estado:\n");
    let mut table = String::new();
    for (job, statuses) in &by_job {
        let parts: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        let _ = writeln!(text, "  {job}: {}", parts.join(", "));
        let _ = write!(table, "<tr><td>{job}</td><td>{}</td></tr>", escape(&parts.join(", ")));
    }
    if by_job.is_empty() {
        text.push_str("  (ninguna ejecución)\n");
    }
    let mut failed = String::new();
    if !failed_locations.is_empty() {
        text.push_str("\nUbicaciones con fallos:\n");
        failed.push_str("<h3>Ubicaciones con fallos</h3><ul>");
        for (loc, n) in failed_locations {
            let _ = writeln!(text, "  {loc}: {n} fallo(s)");
            let _ = write!(failed, "<li>{}: {n} fallo(s)</li>", escape(loc));
        }
        failed.push_str("</ul>");
    }
    let mut notices = String::new();
    if !extras.notices.is_empty() {
        text.push_str("\nAvisos del ETL:\n");
        notices.push_str("<h3>Avisos del ETL</h3><ul>");
        for (kind, msg) in &extras.notices {
            let _ = writeln!(text, "  [{kind}] {msg}");
            let _ = write!(notices, "<li>[{}] {}</li>", escape(kind), escape(msg));
        }
        notices.push_str("</ul>");
    }
    if held_back > 0 {
        let _ = writeln!(text, "\nAvisos retenidos por el límite de repetición: {held_back}");
    }
    let html = format!(
        "<html><body><h2>{icon} Resumen diario ETL · {day}</h2>\
         <table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>Proceso</th><th>Ejecuciones</th></tr>{table}</table>\
         {failed}{notices}<p>Avisos retenidos por el límite de repetición: {held_back}</p></body></html>"
    );
    Email { subject, text, html }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("e-mail settings: {0}")]
    Settings(String),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error("execution history: {0}")]
    History(#[from] crate::appdb::AppDbError),
}

/// Sends the tenant's notifications; holds the repeat-suppression state of the process.
pub struct Notifier {
    mailer: Mailer,
    tenant_name: String,
    tz: chrono_tz::Tz,
    last_sent: Mutex<HashMap<String, Instant>>,
    held_back: AtomicU64,
}

impl Notifier {
    pub fn new(tenant: &Tenant) -> Notifier {
        Notifier {
            mailer: Mailer::new(tenant),
            tenant_name: tenant.file.tenant.display_name.clone(),
            tz: tenant.timezone,
            last_sent: Mutex::new(HashMap::new()),
            held_back: AtomicU64::new(0),
        }
    }

    /// After a run: e-mails it when its status is one the tenant wants and the job has not
    /// been e-mailed within the suppression window.
    pub async fn after_run(&self, report: &RunReport, started: DateTime<Utc>) {
        let Some(s) = self.mailer.settings() else { return };
        let send_on: Vec<&str> =
            if s.send_on.is_empty() { vec!["partial", "failed"] } else { s.send_on.iter().map(String::as_str).collect() };
        if !send_on.contains(&report.status.as_str()) {
            return;
        }
        let key = report.job.as_str().to_string();
        {
            let mut last = self.last_sent.lock().unwrap_or_else(|p| p.into_inner());
            let window = Duration::from_secs(u64::from(s.repeat_suppress_minutes) * 60);
            if last.get(&key).is_some_and(|t| t.elapsed() < window) {
                self.held_back.fetch_add(1, Ordering::Relaxed);
                tracing::info!(job = %key, execution_id = report.execution_id, "notification held back (repeat window)");
                return;
            }
            last.insert(key.clone(), Instant::now());
        }
        let email = run_email(report, started, self.tz, &self.tenant_name);
        match self.send(&email).await {
            Ok(()) => tracing::info!(job = %key, execution_id = report.execution_id, "run notification sent"),
            Err(e) => tracing::error!(job = %key, execution_id = report.execution_id, "run notification not sent: {e}"),
        }
    }

    /// The daily digest of the previous local day, from the execution history.
    pub async fn daily_digest(&self, app_db: &std::path::Path, now: DateTime<Utc>) -> Result<(), NotifyError> {
        if self.mailer.settings().is_none() {
            return Ok(());
        }
        let day = now.with_timezone(&self.tz).date_naive() - chrono::Duration::days(1);
        let (rows, mut extras) = digest_inputs(app_db, day, self.tz)?;
        extras.held_back = self.held_back.swap(0, Ordering::Relaxed);
        self.send(&digest_email(day, &rows, &extras, &self.tenant_name)).await
    }

    /// Sends to the ETL recipients of `[notifications.email]`.
    pub async fn send(&self, email: &Email) -> Result<(), NotifyError> {
        let recipients = self.mailer.settings().map(|s| s.recipients.clone()).unwrap_or_default();
        if self.mailer.settings().is_none() {
            return Err(crate::mail::MailError::Settings("e-mail disabled".into()).into());
        }
        Ok(self.mailer.send(email, &recipients).await?)
    }
}

/// Runs per (job, status), failures per location and notices of local day `day`.
fn digest_inputs(
    app_db: &std::path::Path,
    day: NaiveDate,
    tz: chrono_tz::Tz,
) -> Result<(Vec<DigestRow>, DigestExtras), crate::appdb::AppDbError> {
    use chrono::TimeZone;
    let bound = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default()
    };
    let (from, to) = (bound(day), bound(day + chrono::Duration::days(1)));
    let conn = crate::appdb::connect(app_db)?;
    let mut stmt = conn.prepare(
        "SELECT etl_name, status, count(*) FROM etl_executions WHERE started_at >= ?1 AND started_at < ?2
         GROUP BY etl_name, status ORDER BY etl_name, status",
    )?;
    let rows = stmt
        .query_map([&from, &to], |r| Ok(DigestRow { job: r.get(0)?, status: r.get(1)?, runs: r.get::<_, i64>(2)? as u64 }))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT coalesce(d.tienda_nombre, d.tienda_id), count(*) FROM etl_execution_details d
         JOIN etl_executions e ON e.id = d.execution_id
         WHERE e.started_at >= ?1 AND e.started_at < ?2 AND d.status = 'failed'
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    let failed_locations = stmt.query_map([&from, &to], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?.collect::<Result<Vec<_>, _>>()?;
    let mut stmt = conn.prepare("SELECT tipo, mensaje FROM etl_avisos WHERE creado_en >= ?1 AND creado_en < ?2 ORDER BY creado_en, id")?;
    let notices = stmt.query_map([&from, &to], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok((rows, DigestExtras { failed_locations, notices, held_back: 0 }))
}
