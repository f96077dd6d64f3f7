//! The composition root: opening a tenant builds everything a process serves it with —
//! its data folder, both stores (with the locations of tenant.toml synchronised into them,
//! spec 50 §5.4), the one ETL of the tenant and its e-mail notifier, the authentication
//! state and the caches of the screens. `serve`, the CLI and the tests start from
//! [`open`]; the HTTP layer, the scheduled jobs ([`jobs`]) and the CLI take what they need
//! from the [`AppState`] it returns.

pub mod jobs;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::auth::AuthState;
use crate::config::{Tenant, APP_DB_FILE, WAREHOUSE_FILE};
use crate::etl::notify::Notifier;
use crate::etl::{Etl, EtlOptions, RunError};
use crate::warehouse::{self, Warehouse};
use crate::{appdb, warehouse::mirror};

/// Everything a running tenant shares: the tenant, its two stores, its ETL and the kept
/// results of the screens. Cloning is cheap (shared handles).
#[derive(Clone)]
pub struct AppState {
    pub tenant: Arc<Tenant>,
    pub warehouse: Arc<Warehouse>,
    pub app_db: Arc<Mutex<rusqlite::Connection>>,
    pub app_db_path: PathBuf,
    pub auth: Arc<AuthState>,
    /// The tenant's ETL: one per opened tenant, shared by the scheduled jobs, the HTTP API
    /// and the CLI (one run per job at a time).
    pub etl: Arc<Etl>,
    /// E-mails the appliance's ETL runs and the daily digest (spec 20 §12).
    pub notifier: Arc<Notifier>,
    /// Reads kept between replenishment calculations while the data is unchanged.
    pub calculations: Arc<crate::replenishment::Memo>,
    /// Inventory tables kept per location while the data is unchanged.
    pub inventory_tables: Arc<crate::inventory::Tables>,
    /// Sales tables kept per store and period while the data is unchanged.
    pub sales_tables: Arc<crate::sales::Tables>,
    /// CEDI opportunities and catalogue expansion kept while the data is unchanged.
    pub opportunities: Arc<crate::inventory::opportunities::KeptOpportunities>,
    /// Stock anomalies kept per location and day while the data is unchanged.
    pub anomalies: Arc<crate::inventory::corrections::KeptAnomalies>,
    /// Visual stock-out scans kept per store and minute while the data is unchanged.
    pub stockouts: Arc<crate::sales::stockouts::KeptStockouts>,
    /// Lost-sales results kept per request while the data is unchanged.
    pub lost_sales: Arc<crate::sales::lost::KeptLostSales>,
    /// "Now" of the emergencies module (the tenant's clock unless a test fixes it).
    pub emergency_clock: Arc<crate::emergencies::Clock>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    AppDb(#[from] appdb::AppDbError),
    #[error(transparent)]
    Warehouse(#[from] warehouse::WarehouseError),
    #[error("ETL: {0}")]
    Etl(#[from] RunError),
}

/// Opens (creating and migrating if needed) both stores of a tenant, syncs locations and
/// builds its ETL with the spec's default tunables.
pub fn open(tenant: Tenant) -> Result<AppState, OpenError> {
    open_with(tenant, EtlOptions::default())
}

/// [`open`] with the ETL's tunables chosen by the caller (tests, tuning). Executions left
/// `running` by a previous process are marked `killed`: the warehouse's file lock makes
/// this process its only user now.
pub fn open_with(tenant: Tenant, etl_options: EtlOptions) -> Result<AppState, OpenError> {
    std::fs::create_dir_all(&tenant.data_dir).map_err(|source| OpenError::DataDir { path: tenant.data_dir.clone(), source })?;
    let app_db_path = tenant.data_dir.join(APP_DB_FILE);
    let mut conn = appdb::open(&app_db_path)?;
    appdb::locations::sync(&mut conn, &tenant.file)?;
    appdb::inventory_settings::seed_store_params(&conn, &tenant.file)?;
    let wh = Warehouse::open(&tenant.data_dir.join(WAREHOUSE_FILE))?;
    let overrides = appdb::product_overrides::all(&conn)?;
    wh.write(|c| {
        mirror::sync_locations(c, &tenant.file)?;
        // After a restore, or a crash between an edit and its mirror, the SQLite copy wins.
        mirror::sync_product_overrides(c, &overrides)
    })
    .map_err(warehouse::WarehouseError::from)?;
    let tenant = Arc::new(tenant);
    let warehouse = Arc::new(wh);
    let notifier = Arc::new(Notifier::new(&tenant));
    let etl = Etl::new(tenant.clone(), warehouse.clone(), &app_db_path, notifier.clone(), etl_options)?;
    Ok(AppState {
        auth: Arc::new(AuthState::new(&tenant)),
        tenant,
        warehouse,
        app_db: Arc::new(Mutex::new(conn)),
        app_db_path,
        etl,
        notifier,
        calculations: Default::default(),
        inventory_tables: Default::default(),
        sales_tables: Default::default(),
        anomalies: Default::default(),
        stockouts: Default::default(),
        lost_sales: Default::default(),
        emergency_clock: Default::default(),
        opportunities: Default::default(),
    })
}
