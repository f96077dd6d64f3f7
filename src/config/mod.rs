//! The tenant's configuration: `tenant.toml` (shape of spec 50 §5.2) plus a separate
//! secrets file. Parsed once at start-up; every semantic problem is collected so that
//! `fluxion config check` can print all of them at once.

mod bi;
mod secrets;
mod validate;

pub use validate::{ip_in_net, parse_ip_net};
pub use validate::{is_valid_location_id, is_valid_tenant_id, parse_cron, parse_hhmm};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use bi::BiSection;

pub use secrets::Secrets;

/// Highest `schema_version` of tenant.toml this binary understands.
pub const SUPPORTED_SCHEMA_VERSION: u32 = 1;

/// Exit status for configuration errors (sysexits EX_CONFIG); systemd does not restart on it.
pub const EXIT_CONFIG: i32 = 78;

/// The application database (SQLite) in a tenant's `data_dir`.
pub const APP_DB_FILE: &str = "app.sqlite";
/// The analytics warehouse (DuckDB) in a tenant's `data_dir`.
pub const WAREHOUSE_FILE: &str = "warehouse.duckdb";

/// One problem found in the configuration, named by its key path (`stores[2].klk.sucursal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{} problem(s) in {}:\n{}", problems.len(), path.display(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

impl ConfigError {
    /// Every problem as a printable line (syntax errors are a single problem).
    pub fn lines(&self) -> Vec<String> {
        match self {
            ConfigError::Invalid { problems, .. } => problems.iter().map(|p| p.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

// ---------------------------------------------------------------------------------------
// File shape. Enumerations are kept as strings here and checked in `validate`, so that a
// wrong value is reported together with every other problem instead of aborting parsing.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantFile {
    pub schema_version: u32,
    pub tenant: TenantSection,
    pub server: ServerSection,
    #[serde(default)]
    pub paths: PathsSection,
    #[serde(default)]
    pub auth: AuthSection,
    #[serde(default)]
    pub branding: BrandingSection,
    #[serde(default)]
    pub features: Features,
    #[serde(default)]
    pub maintenance: Maintenance,
    #[serde(default)]
    pub pos: PosSection,
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub stores: Vec<Store>,
    /// Inter-CEDI routes: which CEDI restocks which (spec 31 §3), with their settings.
    #[serde(default)]
    pub routes: Vec<RouteFile>,
    /// How each product's origin CEDI is assigned after an inventory load.
    #[serde(default)]
    pub distribution: DistributionSection,
    #[serde(default)]
    pub schedules: Schedules,
    #[serde(default)]
    pub notifications: Notifications,
    #[serde(default)]
    pub backup: BackupSection,
    #[serde(default)]
    pub rbac: Rbac,
    #[serde(default)]
    pub metrics: MetricsSection,
    #[serde(default)]
    pub health: HealthSection,
    #[serde(default)]
    pub bi: BiSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSection {
    pub id: String,
    pub display_name: String,
    #[serde(default = "default_locale")]
    pub locale: String,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default)]
    pub secondary_currency: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    #[serde(default = "default_listen")]
    pub listen: String,
    pub public_url: String,
    pub allowed_hosts: Vec<String>,
    #[serde(default)]
    pub trust_proxy_from: Vec<String>,
    #[serde(default)]
    pub cors_origins: Vec<String>,
    #[serde(default)]
    pub tls: Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    #[serde(default = "default_tls_mode")]
    pub mode: String,
    pub cert: Option<String>,
    pub key: Option<String>,
}

impl Default for Tls {
    fn default() -> Self {
        Tls { mode: default_tls_mode(), cert: None, key: None }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsSection {
    pub data_dir: Option<String>,
    pub backup_dir: Option<String>,
    pub secrets_file: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    #[serde(default = "d_480")]
    pub token_ttl_minutes: u32,
    #[serde(default = "d_5")]
    pub login_max_failures: u32,
    #[serde(default = "d_15")]
    pub lockout_minutes: u32,
    #[serde(default = "d_8")]
    pub password_min_length: u32,
}

impl Default for AuthSection {
    fn default() -> Self {
        AuthSection { token_ttl_minutes: 480, login_max_failures: 5, lockout_minutes: 15, password_min_length: 8 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingSection {
    #[serde(default = "default_app_title")]
    pub app_title: String,
    pub logo: Option<String>,
    pub favicon: Option<String>,
    #[serde(default = "default_primary")]
    pub primary_color: String,
    #[serde(default = "default_secondary")]
    pub secondary_color: String,
}

impl Default for BrandingSection {
    fn default() -> Self {
        BrandingSection {
            app_title: default_app_title(),
            logo: None,
            favicon: None,
            primary_color: default_primary(),
            secondary_color: default_secondary(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    #[serde(default = "yes")]
    pub bi: bool,
    #[serde(default = "yes")]
    pub emergencias: bool,
    #[serde(default = "yes")]
    pub pedidos_multitienda: bool,
    #[serde(default = "yes")]
    pub pedidos_inter_cedi: bool,
    #[serde(default)]
    pub xyz_analysis: bool,
    #[serde(default)]
    pub full_abc_xyz_matrix: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            bi: true,
            emergencias: true,
            pedidos_multitienda: true,
            pedidos_inter_cedi: true,
            xyz_analysis: false,
            full_abc_xyz_matrix: false,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maintenance {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub windows: Vec<MaintenanceWindow>,
}

impl Maintenance {
    /// The windows as the domain reads them (`validate` refused malformed times and days;
    /// anything unreadable here is left out rather than guessed).
    pub fn schedule(&self) -> crate::domain::maintenance::Schedule {
        let weekday = |code: &str| match code.trim() {
            "mon" => Some(chrono::Weekday::Mon),
            "tue" => Some(chrono::Weekday::Tue),
            "wed" => Some(chrono::Weekday::Wed),
            "thu" => Some(chrono::Weekday::Thu),
            "fri" => Some(chrono::Weekday::Fri),
            "sat" => Some(chrono::Weekday::Sat),
            "sun" => Some(chrono::Weekday::Sun),
            _ => None,
        };
        let windows = self
            .windows
            .iter()
            .filter_map(|w| {
                let days = if w.days == "daily" { Vec::new() } else { w.days.split(',').filter_map(weekday).collect() };
                Some(crate::domain::maintenance::Window {
                    start: parse_hhmm(&w.start)?,
                    end: parse_hhmm(&w.end)?,
                    days,
                    message: w.message.clone(),
                })
            })
            .collect();
        crate::domain::maintenance::Schedule { enabled: self.enabled, message: self.message.clone(), windows }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub start: String,
    pub end: String,
    #[serde(default = "default_days")]
    pub days: String,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosSection {
    pub klk: Option<KlkPos>,
    pub stellar: Option<StellarPos>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlkPos {
    pub base_url: String,
    #[serde(default = "d_60")]
    pub timeout_seconds: u32,
    #[serde(default = "d_3")]
    pub max_retries: u32,
    #[serde(default = "d_5")]
    pub retry_delay_seconds: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StellarPos {
    #[serde(default = "d_1433")]
    pub default_port: u16,
    #[serde(default = "default_database")]
    pub default_database: String,
    pub credentials: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: String,
    pub name: String,
    pub cedi_reposicion: Option<String>,
}

/// One `[[routes]]` block: a supplying CEDI (`origin`) restocks a receiving CEDI
/// (`destination`). Unset settings take the spec's defaults (lead time 2 days, coverage A 12,
/// B 15, C 18, D 18, frozen 7 days, trips "Mar,Jue,Sab").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteFile {
    pub origin: String,
    pub destination: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub lead_time_dias: Option<f64>,
    pub frecuencia_viajes: Option<String>,
    pub dias_cobertura_a: Option<u32>,
    pub dias_cobertura_b: Option<u32>,
    pub dias_cobertura_c: Option<u32>,
    pub dias_cobertura_d: Option<u32>,
    pub dias_cobertura_congelados: Option<u32>,
}

/// `[distribution]`: which CEDI supplies each product (spec 31 §1.2, `cedi_origen_id`),
/// assigned after every inventory load: the first `origin_by_attribute` rule the product's
/// cuadrante or category matches, else the first `origin_by_stock` rule whose CEDI holds it.
/// Ids come from here, never from the code (D-18). No rules: the origin is left as loaded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionSection {
    /// Origin of a product no rule matches and that has none yet.
    pub default_origin: Option<String>,
    #[serde(default)]
    pub origin_by_attribute: Vec<AttributeRule>,
    #[serde(default)]
    pub origin_by_stock: Vec<OriginRule>,
    /// Cuadrantes whose products use the frozen-goods coverage of inter-CEDI routes (§3.5;
    /// default `["CUADRANTE VI"]`).
    pub frozen_cuadrantes: Option<Vec<String>>,
    /// Words that mark a category as frozen or refrigerated (default CONGEL, HELAD, REFRIG).
    pub frozen_category_words: Option<Vec<String>>,
}

/// One rule of `origin_by_stock`: the product is at `cedi` (`present`: any stock row, even 0;
/// `positive`: stock above 0).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginRule {
    pub cedi: String,
    #[serde(default = "default_presence")]
    pub when: String,
}

fn default_presence() -> String {
    "present".into()
}

/// One rule of `origin_by_attribute` (spec 31 §1.2): products whose cuadrante is `cuadrante`
/// (ignoring case and spaces around), or whose category contains `categoria` (ignoring case),
/// come from `cedi`. Exactly one of the two is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRule {
    pub cedi: String,
    pub cuadrante: Option<String>,
    pub categoria: Option<String>,
}

impl DistributionSection {
    /// Whether any rule assigns origins after an inventory load.
    pub fn has_origin_rules(&self) -> bool {
        !self.origin_by_attribute.is_empty() || !self.origin_by_stock.is_empty()
    }
}

/// The values `origin_by_stock[].when` takes.
pub const ORIGIN_PRESENCE: &[&str] = &["present", "positive"];

/// The trip frequencies a route may declare (informational only).
pub const ROUTE_FREQUENCIES: &[&str] = &["Mar,Jue,Sab", "Lun,Mie,Vie", "Mar,Vie", "Diario"];

/// A route with its settings resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub origin: String,
    pub destination: String,
    pub frecuencia_viajes: String,
    pub settings: crate::domain::distribution::inter_cedi::RouteSettings,
}

impl RouteFile {
    pub fn resolved(&self) -> Route {
        let d = crate::domain::distribution::inter_cedi::RouteSettings::default();
        Route {
            origin: self.origin.clone(),
            destination: self.destination.clone(),
            frecuencia_viajes: self.frecuencia_viajes.clone().unwrap_or_else(|| ROUTE_FREQUENCIES[0].to_string()),
            settings: crate::domain::distribution::inter_cedi::RouteSettings {
                dias_cobertura_a: self.dias_cobertura_a.unwrap_or(d.dias_cobertura_a),
                dias_cobertura_b: self.dias_cobertura_b.unwrap_or(d.dias_cobertura_b),
                dias_cobertura_c: self.dias_cobertura_c.unwrap_or(d.dias_cobertura_c),
                dias_cobertura_d: self.dias_cobertura_d.unwrap_or(d.dias_cobertura_d),
                dias_cobertura_congelados: self.dias_cobertura_congelados.unwrap_or(d.dias_cobertura_congelados),
                lead_time_dias: self.lead_time_dias.unwrap_or(d.lead_time_dias),
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Empty in the file means the first declared `[[regions]]` (filled in on load): the
    /// code names no tenant's region.
    #[serde(default)]
    pub region: String,
    pub city: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default = "default_pos")]
    pub pos: String,
    pub go_live: Option<String>,
    pub opening: Option<String>,
    pub closing: Option<String>,
    pub visible_pedidos: Option<bool>,
    #[serde(default = "yes")]
    pub visible_reportes: bool,
    #[serde(default = "yes")]
    pub visible_dashboards: bool,
    #[serde(default)]
    pub serves_regions: Vec<String>,
    /// Who is told (by e-mail, through the outbox) that an order for this store awaits
    /// approval: usually the store's managers.
    #[serde(default)]
    pub order_recipients: Vec<String>,
    pub klk: Option<StoreKlk>,
    pub stellar: Option<StoreStellar>,
    /// Warehouses of a location that is not fed by KLK (Stellar depots or file imports).
    #[serde(default)]
    pub almacenes: Vec<Almacen>,
    pub params: Option<StoreParams>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreKlk {
    pub sucursal: Option<String>,
    pub almacen_ventas: Option<String>,
    #[serde(default)]
    pub almacenes: Vec<Almacen>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Almacen {
    pub codigo: String,
    pub nombre: String,
    pub tipo: String,
    #[serde(default = "yes")]
    pub incluir_en_deficit: bool,
    #[serde(default = "yes")]
    pub activo: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreStellar {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub codigo_deposito: Option<String>,
    #[serde(default = "d_90")]
    pub timeout_seconds: u32,
    pub credentials: Option<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreParams {
    pub lead_time_days: Option<f64>,
    pub cobertura_dias: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub cron: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub lookback_days: Option<i64>,
    pub window_days: Option<i64>,
}

impl Schedule {
    fn new(cron: &str, enabled: bool) -> Self {
        Schedule { cron: cron.into(), enabled, lookback_days: None, window_days: None }
    }
}

/// `[schedules]`: job name → cron entry. Defaults are the plan of spec 50 §5.2 in local time.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Schedules(pub BTreeMap<String, Schedule>);

pub const KNOWN_JOBS: &[&str] =
    &["inventario", "ventas", "ventas_recovery", "abc_recalc", "productos_cache_refresh", "backup", "notification_digest", "emergencias"];

impl Default for Schedules {
    fn default() -> Self {
        let mut m = BTreeMap::new();
        m.insert("inventario".into(), Schedule::new("0,30 6-22 * * *", true));
        m.insert("ventas".into(), Schedule::new("0 6-22 * * *", true));
        m.insert("ventas_recovery".into(), Schedule { lookback_days: Some(1), ..Schedule::new("0 3 * * *", true) });
        m.insert("abc_recalc".into(), Schedule { window_days: Some(30), ..Schedule::new("0 4 * * *", true) });
        m.insert("productos_cache_refresh".into(), Schedule::new("30 5,11,17,23 * * *", false));
        m.insert("backup".into(), Schedule::new("30 2 * * *", true));
        m.insert("notification_digest".into(), Schedule::new("0 7 * * *", true));
        // Every 30 minutes; each tick scans only the enabled stores open at that moment.
        m.insert("emergencias".into(), Schedule::new("0,30 * * * *", true));
        Schedules(m)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    pub email: Option<EmailSettings>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default = "default_transport")]
    pub transport: String,
    pub smtp_host: Option<String>,
    #[serde(default = "d_587")]
    pub smtp_port: u16,
    #[serde(default = "yes")]
    pub starttls: bool,
    pub from: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default)]
    pub send_on: Vec<String>,
    #[serde(default = "d_180")]
    pub repeat_suppress_minutes: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    #[serde(default = "d_7")]
    pub keep_daily: u32,
    #[serde(default = "d_4")]
    pub keep_weekly: u32,
    #[serde(default = "d_5")]
    pub keep_predeploy: u32,
    #[serde(default = "default_weekday")]
    pub analytics_weekday: String,
    #[serde(default)]
    pub offsite: Option<toml::Table>,
}

impl Default for BackupSection {
    fn default() -> Self {
        BackupSection { keep_daily: 7, keep_weekly: 4, keep_predeploy: 5, analytics_weekday: default_weekday(), offsite: None }
    }
}

/// `[metrics]`: who may scrape `GET /metrics`. A client address in `allow_from` (IPs or
/// CIDR blocks; behind the trusted proxy, the forwarded client address) or a request with
/// `Authorization: Bearer <[metrics].token of the secrets file>`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    #[serde(default = "default_metrics_allow")]
    pub allow_from: Vec<String>,
}

impl Default for MetricsSection {
    fn default() -> Self {
        MetricsSection { allow_from: default_metrics_allow() }
    }
}

fn default_metrics_allow() -> Vec<String> {
    vec!["127.0.0.1".into(), "::1".into()]
}

/// `[health]`: `/readyz` reports the age of the last successful ETL load against this
/// threshold (reported, not failing readiness: spec 50 §13).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthSection {
    #[serde(default = "d_90")]
    pub etl_max_age_minutes: u32,
}

impl Default for HealthSection {
    fn default() -> Self {
        HealthSection { etl_max_age_minutes: 90 }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rbac {
    #[serde(default)]
    pub grant: BTreeMap<String, Vec<String>>,
}

fn yes() -> bool {
    true
}
fn default_locale() -> String {
    "es-VE".into()
}
fn default_timezone() -> String {
    "America/Caracas".into()
}
fn default_currency() -> String {
    "USD".into()
}
fn default_listen() -> String {
    "127.0.0.1:8080".into()
}
fn default_tls_mode() -> String {
    "off".into()
}
fn default_app_title() -> String {
    "Fluxion".into()
}
fn default_primary() -> String {
    "#10b981".into()
}
fn default_secondary() -> String {
    "#059669".into()
}
fn default_days() -> String {
    "daily".into()
}
fn default_database() -> String {
    "VAD10".into()
}
fn default_pos() -> String {
    "none".into()
}
fn default_transport() -> String {
    "smtp".into()
}
fn default_weekday() -> String {
    "sun".into()
}
macro_rules! num_defaults {
    ($($name:ident: $t:ty = $v:expr;)*) => { $(fn $name() -> $t { $v })* };
}
num_defaults! {
    d_3: u32 = 3; d_4: u32 = 4; d_5: u32 = 5; d_7: u32 = 7; d_8: u32 = 8; d_15: u32 = 15;
    d_60: u32 = 60; d_90: u32 = 90; d_180: u32 = 180; d_480: u32 = 480;
    d_587: u16 = 587; d_1433: u16 = 1433;
}

// ---------------------------------------------------------------------------------------
// The loaded, validated tenant.
// ---------------------------------------------------------------------------------------

/// A validated tenant: the file, the folder it came from, resolved paths and its secrets.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub file: TenantFile,
    pub config_path: PathBuf,
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub backup_dir: PathBuf,
    pub secrets_path: PathBuf,
    pub secrets: Secrets,
    pub timezone: chrono_tz::Tz,
    /// `[maintenance]` as the domain reads it, converted once at load.
    pub maintenance: crate::domain::maintenance::Schedule,
}

impl Tenant {
    /// Reads, parses and validates `tenant.toml` and its secrets file.
    pub fn load(path: &Path) -> Result<Tenant, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        Self::from_str_at(&text, path)
    }

    /// Parses the text of a tenant.toml that lives at `path` (relative paths resolve
    /// against its folder).
    pub fn from_str_at(text: &str, path: &Path) -> Result<Tenant, ConfigError> {
        let mut file: TenantFile =
            toml::from_str(text).map_err(|e| ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() })?;
        if let Some(first) = file.regions.first().map(|r| r.id.clone()) {
            for s in file.stores.iter_mut().filter(|s| s.region.trim().is_empty()) {
                s.region = first.clone();
            }
        }
        let config_dir = path.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let config_dir = if config_dir.as_os_str().is_empty() { PathBuf::from(".") } else { config_dir };
        let resolve = |p: &Option<String>, default: &str| -> PathBuf {
            let raw = PathBuf::from(p.as_deref().unwrap_or(default));
            if raw.is_absolute() {
                raw
            } else {
                config_dir.join(raw)
            }
        };
        let data_dir = resolve(&file.paths.data_dir, "data");
        let backup_dir = resolve(&file.paths.backup_dir, "backups");
        let secrets_path = match std::env::var_os("FLUXION_SECRETS_FILE") {
            Some(p) => PathBuf::from(p),
            None => resolve(&file.paths.secrets_file, "secrets.toml"),
        };

        let mut problems = validate::validate(&file, &config_dir);
        problems.extend(file.bi.problems());
        let secrets = match Secrets::load(&secrets_path) {
            Ok(s) => {
                problems.extend(validate::validate_secrets(&file, &s, &secrets_path));
                s
            }
            Err(p) => {
                problems.push(p);
                Secrets::default()
            }
        };
        if !problems.is_empty() {
            return Err(ConfigError::Invalid { path: path.to_path_buf(), problems });
        }
        #[allow(clippy::expect_used)] // `validate` refused the file unless the zone parses
        let timezone = file.tenant.timezone.parse().expect("validated time zone");
        let maintenance = file.maintenance.schedule();
        Ok(Tenant { config_path: path.to_path_buf(), config_dir, data_dir, backup_dir, secrets_path, secrets, timezone, maintenance, file })
    }

    pub fn id(&self) -> &str {
        &self.file.tenant.id
    }

    pub fn stores(&self) -> &[Store] {
        &self.file.stores
    }

    /// The business date now, in the tenant's time zone ("today" of every screen and job).
    pub fn today(&self) -> chrono::NaiveDate {
        self.local_at(chrono::Utc::now()).date()
    }

    /// The local wall-clock time now (sale and stock timestamps are local and naive).
    pub fn now_local(&self) -> chrono::NaiveDateTime {
        self.local_at(chrono::Utc::now())
    }

    /// The tenant's wall-clock time at an instant, daylight saving time included (a zone
    /// such as America/Santiago moves its clocks; America/Caracas does not).
    pub fn local_at(&self, instant: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
        instant.with_timezone(&self.timezone).naive_local()
    }

    /// A location's configured name; its id when it is not (or no longer) configured.
    /// The active route from `origin` to `destination`, if the tenant declares one.
    pub fn route(&self, origin: &str, destination: &str) -> Option<Route> {
        self.file.routes.iter().find(|r| r.active && r.origin == origin && r.destination == destination).map(RouteFile::resolved)
    }

    /// Which products use the frozen-goods coverage (tenant's lists, else the spec's).
    pub fn frozen_goods(&self) -> crate::domain::distribution::inter_cedi::FrozenGoods {
        let d = crate::domain::distribution::inter_cedi::FrozenGoods::default();
        let dist = &self.file.distribution;
        crate::domain::distribution::inter_cedi::FrozenGoods {
            cuadrantes: dist.frozen_cuadrantes.clone().unwrap_or(d.cuadrantes),
            palabras_categoria: dist.frozen_category_words.clone().unwrap_or(d.palabras_categoria),
        }
    }

    /// Every active route, in declaration order.
    pub fn routes(&self) -> Vec<Route> {
        self.file.routes.iter().filter(|r| r.active).map(RouteFile::resolved).collect()
    }

    pub fn location_name(&self, id: &str) -> String {
        self.stores().iter().find(|s| s.id == id).map_or_else(|| id.to_string(), |s| s.name.clone())
    }

    /// Whether an active location extracts from this POS (`klk`, `stellar`): the settings
    /// of a POS that no location uses are neither checked nor used.
    pub fn uses_pos(&self, pos: PosKind) -> bool {
        self.file.uses_pos(pos)
    }

    /// Resolved path of a branding asset (logo/favicon), relative to the config folder.
    pub fn branding_path(&self, rel: &Option<String>) -> Option<PathBuf> {
        rel.as_ref().map(|p| self.config_dir.join(p))
    }
}

impl TenantFile {
    /// See [`Tenant::uses_pos`].
    pub fn uses_pos(&self, pos: PosKind) -> bool {
        self.stores.iter().any(|s| s.active && s.pos_kind() == Some(pos))
    }
}

/// The point-of-sale system a location's facts come from (`pos` in tenant.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PosKind {
    Klk,
    Stellar,
    /// Files only (`fluxion import`): no extraction.
    None,
}

impl PosKind {
    pub fn parse(s: &str) -> Option<PosKind> {
        match s {
            "klk" => Some(PosKind::Klk),
            "stellar" => Some(PosKind::Stellar),
            "none" => Some(PosKind::None),
            _ => Option::None,
        }
    }

    /// The name used in tenant.toml, the ETL history (`fuente`, `sistema`) and the API.
    pub fn id(self) -> &'static str {
        match self {
            PosKind::Klk => "klk",
            PosKind::Stellar => "stellar",
            PosKind::None => "none",
        }
    }

    /// A system the ETL extracts from.
    pub fn is_extracted(self) -> bool {
        matches!(self, PosKind::Klk | PosKind::Stellar)
    }
}

impl Store {
    pub fn is_cedi(&self) -> bool {
        self.kind == "cedi"
    }

    /// The location's POS system; `None` for a value validation refused (never in a loaded tenant).
    pub fn pos_kind(&self) -> Option<PosKind> {
        PosKind::parse(&self.pos)
    }

    /// Active and fed by an extracted POS (KLK or Stellar).
    pub fn is_extracted(&self) -> bool {
        self.active && self.pos_kind().is_some_and(PosKind::is_extracted)
    }

    /// All warehouses of the location, whichever section declares them.
    pub fn warehouses(&self) -> impl Iterator<Item = &Almacen> {
        self.klk.iter().flat_map(|k| k.almacenes.iter()).chain(self.almacenes.iter())
    }

    /// Opening hours with the data-model defaults (stores 07–21, CEDIs 06–22).
    pub fn hours(&self) -> (String, String) {
        let (o, c) = if self.is_cedi() { ("06:00", "22:00") } else { ("07:00", "21:00") };
        (self.opening.clone().unwrap_or_else(|| o.into()), self.closing.clone().unwrap_or_else(|| c.into()))
    }

    /// The warehouse a stock row goes to when the source names none (spec 15).
    pub fn default_warehouse(&self) -> String {
        self.warehouses().find(|a| a.activo).map(|a| a.codigo.clone()).unwrap_or_else(|| "PRINCIPAL".to_string())
    }
}

#[cfg(test)]
mod tests;
