//! The job scheduler inside `fluxion serve`: `[schedules]` cron entries evaluated in the
//! tenant's time zone. One run per job at a time (a tick that finds the job still running is
//! skipped and logged). Ticks missed while the process was down are NOT replayed: jobs catch
//! up by their own watermarks (ETL) or simply run at their next tick.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub type JobFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
pub type JobFn = Arc<dyn Fn() -> JobFuture + Send + Sync>;

/// A named job with its cron schedule (5 fields, tenant-local time).
pub struct Job {
    pub name: String,
    pub cron: croner::Cron,
    pub run: JobFn,
}

/// Jobs register here by the `[schedules]` key they answer to.
#[derive(Default)]
pub struct Registry {
    handlers: BTreeMap<String, JobFn>,
}

impl Registry {
    pub fn register<F, Fut>(&mut self, name: &str, f: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.handlers.insert(name.to_string(), Arc::new(move || Box::pin(f()) as JobFuture));
    }

    /// Pairs the registered handlers with the enabled schedules of tenant.toml. Schedules
    /// without a handler (features not built yet) are logged once and skipped.
    pub fn into_jobs(self, schedules: &crate::config::Schedules) -> Vec<Job> {
        let mut jobs = Vec::new();
        for (name, entry) in &schedules.0 {
            if !entry.enabled {
                continue;
            }
            let Some(run) = self.handlers.get(name) else {
                tracing::info!(job = %name, "scheduled job has no handler in this version; skipped");
                continue;
            };
            match crate::config::parse_cron(&entry.cron) {
                Ok(cron) => jobs.push(Job { name: name.clone(), cron, run: run.clone() }),
                Err(e) => tracing::error!(job = %name, "invalid cron: {e}"),
            }
        }
        jobs
    }
}

/// The next tick of `cron` strictly after `after`, computed in the tenant's time zone.
pub fn next_tick(cron: &croner::Cron, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    cron.find_next_occurrence(&after.with_timezone(&tz), false).ok().map(|t| t.with_timezone(&Utc))
}

/// Runs the jobs until the returned handle is aborted (or the runtime stops).
pub fn spawn(jobs: Vec<Job>, tz: Tz) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let running: Vec<Arc<AtomicBool>> = jobs.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
        let mut next: Vec<Option<DateTime<Utc>>> = jobs.iter().map(|j| next_tick(&j.cron, Utc::now(), tz)).collect();
        for (j, n) in jobs.iter().zip(&next) {
            tracing::info!(job = %j.name, next = ?n.map(|t| t.with_timezone(&tz).to_rfc3339()), "scheduled");
        }
        loop {
            let Some((i, at)) = next.iter().enumerate().filter_map(|(i, t)| t.map(|t| (i, t))).min_by_key(|(_, t)| *t) else {
                return;
            };
            let wait = (at - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;
            let job = &jobs[i];
            if running[i].swap(true, Ordering::SeqCst) {
                tracing::warn!(job = %job.name, "previous run still in progress; tick skipped");
            } else {
                let flag = running[i].clone();
                let fut = (job.run)();
                let name = job.name.clone();
                tokio::spawn(async move {
                    tracing::info!(job = %name, "scheduled run started");
                    fut.await;
                    flag.store(false, Ordering::SeqCst);
                });
            }
            next[i] = next_tick(&job.cron, at, tz);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ticks_are_local_to_the_tenant() {
        // 03:00 in Caracas (UTC−4) is 07:00Z.
        let cron = crate::config::parse_cron("0 3 * * *").unwrap();
        let tz: Tz = "America/Caracas".parse().unwrap();
        assert_eq!(next_tick(&cron, utc("2026-11-26T06:59:00Z"), tz), Some(utc("2026-11-26T07:00:00Z")));
        assert_eq!(next_tick(&cron, utc("2026-11-26T07:00:00Z"), tz), Some(utc("2026-11-27T07:00:00Z")));
    }

    #[test]
    fn inventory_plan_runs_34_times_a_day() {
        // "0,30 6-22 * * *" = 06:00 … 22:30 local.
        let cron = crate::config::parse_cron("0,30 6-22 * * *").unwrap();
        let tz: Tz = "America/Caracas".parse().unwrap();
        let mut t = utc("2026-11-26T04:00:00Z"); // local midnight
        let end = utc("2026-11-27T04:00:00Z");
        let mut n = 0;
        while let Some(next) = next_tick(&cron, t, tz).filter(|x| *x < end) {
            n += 1;
            t = next;
        }
        assert_eq!(n, 34);
    }
}
