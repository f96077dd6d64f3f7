//! `fluxion backup [now|list|verify|prune]` and `fluxion restore <backup>` (spec 50 §14).
//!
//! The CLI opens the data files itself, so the warehouse part needs the service stopped
//! (DuckDB admits one writing process); the nightly backup inside `serve` does not.

use std::path::Path;

use clap::{Args, Subcommand};

use crate::config::Tenant;
use crate::ops::backup::{self, BackupError, Kind, Options, RestoreOptions, RestoreOutcome, WarehouseSource};

#[derive(Subcommand)]
pub enum BackupCommand {
    /// Take a backup now (the default when no subcommand is given).
    Now(NowArgs),
    /// List the backups of the tenant, oldest first.
    List,
    /// Check every file of a backup against its manifest.
    Verify {
        /// Backup id (folder name in the backup folder) or path.
        backup: String,
    },
    /// Apply the retention of `[backup]` now.
    Prune,
}

#[derive(Args, Clone, Copy)]
pub struct NowArgs {
    /// Why the backup is taken (retention keeps each kind apart).
    #[arg(long, value_enum, default_value = "manual")]
    pub kind: Kind,
    /// Include the warehouse (default for manual and predeploy; daily: on analytics_weekday).
    #[arg(long, conflicts_with = "without_analytics")]
    pub with_analytics: bool,
    /// Only the application database (works while the service runs).
    #[arg(long)]
    pub without_analytics: bool,
}

pub fn run(config: &Path, command: Option<BackupCommand>, now: NowArgs) -> i32 {
    let tenant = match super::load_tenant(config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let result = match command.unwrap_or(BackupCommand::Now(now)) {
        BackupCommand::Now(args) => take(&tenant, args),
        BackupCommand::List => {
            list(&tenant);
            Ok(())
        }
        BackupCommand::Verify { backup } => backup::locate(&tenant, &backup).and_then(|dir| backup::verify(&dir)).map(|m| {
            println!("OK: {} ({} files, {} bytes) matches its manifest", m.id, m.files.len(), m.size());
        }),
        BackupCommand::Prune => backup::prune(&tenant).map(|removed| {
            for id in &removed {
                println!("removed {id}");
            }
        }),
    };
    finish(result)
}

fn finish(result: Result<(), BackupError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn take(tenant: &Tenant, args: NowArgs) -> Result<(), BackupError> {
    let today = tenant.today();
    let with_analytics = if args.with_analytics {
        true
    } else if args.without_analytics {
        false
    } else if args.kind == Kind::Daily {
        Options::scheduled(tenant, today).with_analytics
    } else {
        true
    };
    let m = backup::create(tenant, WarehouseSource::Offline, Options { kind: args.kind, with_analytics })?;
    eprintln!(
        "backup {} ({}, {}warehouse): {} files, {} bytes in {:.1} s → {}",
        m.id,
        m.kind.as_str(),
        if m.has_warehouse() { "" } else { "no " },
        m.files.len(),
        m.size(),
        m.duration_ms as f64 / 1000.0,
        tenant.backup_dir.join(&m.id).display()
    );
    match backup::prune(tenant) {
        Ok(removed) if !removed.is_empty() => eprintln!("retention removed: {}", removed.join(", ")),
        Ok(_) => {}
        Err(e) => eprintln!("warning: retention failed: {e}"),
    }
    // The id alone on stdout, for scripts (make deploy keeps it for a rollback).
    println!("{}", m.id);
    Ok(())
}

fn list(tenant: &Tenant) {
    let all = backup::list(&tenant.backup_dir);
    if all.is_empty() {
        println!("no backups in {}", tenant.backup_dir.display());
        return;
    }
    println!("{:<32} {:<10} {:>14} {:<9} {:<7} created (UTC)", "id", "kind", "bytes", "warehouse", "schema");
    for (_, m) in all {
        println!(
            "{:<32} {:<10} {:>14} {:<9} {:<7} {}",
            m.id,
            m.kind.as_str(),
            m.size(),
            if m.has_warehouse() { "yes" } else { "no" },
            format!("{}/{}", m.schema.app, m.schema.warehouse.map(|v| v.to_string()).unwrap_or_else(|| "-".into())),
            m.created_at.format("%Y-%m-%d %H:%M:%S")
        );
    }
}

pub fn restore(config: &Path, backup_ref: &str, only_if_schema_newer: bool) -> i32 {
    let tenant = match super::load_tenant(config) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let outcome = backup::restore(&tenant, backup_ref, RestoreOptions { only_if_schema_newer });
    finish(outcome.map(|o| match o {
        RestoreOutcome::NotNeeded { reason } => println!("restore not needed: {reason}"),
        RestoreOutcome::Restored { manifest, files, replaced_suffix } => {
            println!(
                "restored backup {} ({} of {}) into {}: {}",
                manifest.id,
                manifest.kind.as_str(),
                manifest.created_at.format("%Y-%m-%d %H:%M:%SZ"),
                tenant.data_dir.display(),
                files.join(", ")
            );
            println!("the replaced files were kept as *.{replaced_suffix}");
            if !manifest.has_warehouse() {
                println!("this backup holds no warehouse: the current warehouse.duckdb was kept");
            }
        }
    }))
}
