//! Command line: `fluxion serve | demo | config check | import | classify | generate | …`.
//! Each command returns its process exit status (sysexits: 65 data, 78 config).

mod backup;
mod classify;
mod demo;
mod etl;
mod generate;
mod import;
mod order;
mod serve;
mod user;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::config::{Tenant, EXIT_CONFIG};
use crate::sources::synthetic::Scale;

#[derive(Parser)]
#[command(name = "fluxion", version, about = "Reposición de inventario y analítica retail — un binario por cliente")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the tenant: web UI, JSON API and scheduled jobs.
    Serve {
        /// Path of the tenant's tenant.toml.
        #[arg(long, short, env = "FLUXION_CONFIG")]
        config: PathBuf,
    },
    /// Create (or reuse) a demo tenant with a synthetic chain and serve it.
    Demo {
        /// Size of the synthetic chain.
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        /// Seed of the generator: same seed, same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Folder for the demo tenant (config, secrets and data); reused when it exists.
        #[arg(long, default_value = "fluxion-demo")]
        data_dir: PathBuf,
        /// Prepare the tenant and exit without serving (for scripts and tests).
        #[arg(long, hide = true)]
        no_serve: bool,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Import a folder of CSV files (productos, ventas, inventario, inventario_historico).
    Import {
        /// Folder holding the CSV files.
        dir: PathBuf,
        #[arg(long, short, env = "FLUXION_CONFIG")]
        config: PathBuf,
        /// Load the good rows and write the rejected ones to <dir>/rejected/.
        #[arg(long)]
        skip_bad_rows: bool,
        /// Business date the caches are rebuilt for after the load (YYYY-MM-DD); default: today.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Rebuild the ABC/XYZ classification and demand caches for a business date.
    Classify {
        #[arg(long, short, env = "FLUXION_CONFIG")]
        config: PathBuf,
        /// Business date (YYYY-MM-DD); demand windows end the day before. Default: today.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
    /// Suggested orders (replenishment engine).
    Order {
        #[arg(long, short, env = "FLUXION_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: order::OrderCommand,
    },
    /// POS extraction: run a job now, show its history, check the sources.
    Etl {
        #[arg(long, short, env = "FLUXION_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: etl::EtlCommand,
    },
    /// Manage user accounts (passwords are read from a prompt or stdin, never argv).
    User {
        #[arg(long, short, env = "FLUXION_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Generate a synthetic chain into a tenant's data folder (replaces its facts).
    Generate {
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, short, env = "FLUXION_CONFIG")]
        config: PathBuf,
        /// Last generated day (YYYY-MM-DD); default: yesterday in the tenant's time zone.
        #[arg(long)]
        end_date: Option<chrono::NaiveDate>,
    },
    /// Back up the tenant's data: `backup [now]` (default), `list`, `verify <id>`, `prune`.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[arg(long, short, env = "FLUXION_CONFIG", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: Option<backup::BackupCommand>,
        #[command(flatten)]
        now: backup::NowArgs,
    },
    /// Restore a backup (id or folder) into the tenant's data folder; the service must be stopped.
    Restore {
        /// Backup id (folder name in the backup folder) or path of a backup folder.
        backup: String,
        #[arg(long, short, env = "FLUXION_CONFIG")]
        config: PathBuf,
        /// Restore only if the live data has a schema newer than this binary (deploy rollback).
        #[arg(long)]
        only_if_schema_newer: bool,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a tenant.toml and its secrets file; print every problem. Exit 0 or 78.
    Check {
        /// Path of the tenant.toml.
        path: PathBuf,
    },
}

pub fn run() -> i32 {
    let cli = Cli::parse();
    let json_logs = matches!(cli.command, Command::Serve { .. });
    init_logging(json_logs);
    match cli.command {
        Command::Serve { config } => serve::run(&config),
        Command::Demo { scale, seed, port, data_dir, no_serve } => demo::run(scale, seed, port, &data_dir, no_serve),
        Command::Config { command: ConfigCommand::Check { path } } => config_check(&path),
        Command::Import { dir, config, skip_bad_rows, date } => import::run(&dir, &config, skip_bad_rows, date),
        Command::Classify { config, date } => classify::run(&config, date),
        Command::Generate { scale, seed, config, end_date } => generate::run(scale, seed, &config, end_date),
        Command::User { config: Some(config), command } => user::run(&config, command),
        Command::Backup { config: Some(config), command, now } => backup::run(&config, command, now),
        Command::Backup { config: None, .. } => {
            eprintln!("error: --config <tenant.toml> is required");
            2
        }
        Command::Restore { backup: b, config, only_if_schema_newer } => backup::restore(&config, &b, only_if_schema_newer),
        Command::Order { config: Some(config), command } => order::run(&config, command),
        Command::Etl { config: Some(config), command } => etl::run(&config, command),
        Command::Etl { config: None, .. } => {
            eprintln!("error: --config <tenant.toml> is required");
            2
        }
        Command::User { config: None, .. } | Command::Order { config: None, .. } => {
            eprintln!("error: --config <tenant.toml> is required");
            2
        }
    }
}

/// `serve` logs JSON lines for journald; interactive commands log readable text to stderr.
fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FLUXION_LOG").unwrap_or_else(|_| EnvFilter::new(if json { "info" } else { "warn" }));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.compact().try_init() };
}

fn config_check(path: &Path) -> i32 {
    match Tenant::load(path) {
        Ok(t) => {
            println!(
                "OK: {} — tenant «{}», {} ubicaciones ({} activas)",
                path.display(),
                t.id(),
                t.stores().len(),
                t.stores().iter().filter(|s| s.active).count()
            );
            0
        }
        Err(e) => {
            eprintln!("{}: configuration is not valid:", path.display());
            for line in e.lines() {
                eprintln!("  - {line}");
            }
            EXIT_CONFIG
        }
    }
}

/// Loads a tenant or prints the problems (exit 78).
fn load_tenant(path: &Path) -> Result<Tenant, i32> {
    Tenant::load(path).map_err(|e| {
        eprintln!("{}: configuration is not valid:", path.display());
        for line in e.lines() {
            eprintln!("  - {line}");
        }
        EXIT_CONFIG
    })
}

/// Opens a tenant's stores; storage problems (newer schema, unreadable files) exit 78 too,
/// since they need an operator, not a retry.
fn open_tenant(path: &Path) -> Result<crate::app::AppState, i32> {
    let tenant = load_tenant(path)?;
    crate::app::open(tenant).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_CONFIG
    })
}

/// A progress bar on stderr for long CLI work (hidden when stderr is not a terminal).
#[allow(clippy::expect_used)] // a constant template, checked by every CLI test that shows progress
fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {percent:>3}% {elapsed_precise}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}
