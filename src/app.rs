//! Opening a tenant: its data folder, both stores, and the locations of tenant.toml
//! synchronised into them (spec 50 §5.4).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::{Tenant, APP_DB_FILE, WAREHOUSE_FILE};
use crate::http::AppState;
use crate::warehouse::{self, Warehouse};
use crate::{appdb, warehouse::mirror};

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    AppDb(#[from] appdb::AppDbError),
    #[error(transparent)]
    Warehouse(#[from] warehouse::WarehouseError),
}

/// Opens (creating and migrating if needed) both stores of a tenant and syncs locations.
pub fn open(tenant: Tenant) -> Result<AppState, OpenError> {
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
    Ok(AppState {
        auth: Arc::new(crate::http::auth::AuthState::new(&tenant)),
        tenant: Arc::new(tenant),
        warehouse: Arc::new(wh),
        app_db: Arc::new(Mutex::new(conn)),
        app_db_path,
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
