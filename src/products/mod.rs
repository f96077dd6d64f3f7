//! Product administration (spec 50 §8): an administrator corrects what the POS sends (pack
//! size, order unit, weight, zone, category, supplying CEDI, traffic-generator and active
//! flags). The correction is kept in the application database, audited with its before and
//! after values, and mirrored into the warehouse, whose product view puts it over the POS
//! value: the next calculation uses it and no later load undoes it.

pub mod class_history;
pub mod classes;
pub mod traffic_generators;

use serde::Serialize;
use serde_json::json;

use crate::appdb::{audit, product_overrides as overrides};
use crate::config::Tenant;
use crate::domain::products::{apply, EditError, OverridePatch, ProductOverride};
use crate::warehouse::products::{self as wp, PosValues, ProductRow};
use crate::warehouse::{mirror, Warehouse};

#[derive(Debug, thiserror::Error)]
pub enum ProductError {
    #[error("Producto {0} no encontrado")]
    NotFound(String),
    #[error("No se proporcionaron campos para actualizar")]
    Empty,
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    WarehouseOpen(#[from] crate::warehouse::WarehouseError),
}

impl From<EditError> for ProductError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::Empty => ProductError::Empty,
            EditError::Invalid { field, message } => ProductError::Invalid { field, message },
        }
    }
}

/// One product as the edit form shows it: the effective values, what the POS says and
/// which fields an administrator overrode.
#[derive(Debug, Serialize)]
pub struct ProductDetail {
    #[serde(flatten)]
    pub producto: ProductRow,
    pub valores_pos: PosValues,
    pub ajustes: ProductOverride,
}

pub fn detail(app: &rusqlite::Connection, wh: &Warehouse, codigo: &str) -> Result<ProductDetail, ProductError> {
    let reader = wh.reader()?;
    let producto = wp::get(&reader, codigo)?.ok_or_else(|| ProductError::NotFound(codigo.to_string()))?;
    let valores_pos = wp::pos_values(&reader, codigo)?.ok_or_else(|| ProductError::NotFound(codigo.to_string()))?;
    Ok(ProductDetail { producto, valores_pos, ajustes: overrides::get(app, codigo)? })
}

/// Applies `patch` to the product's overrides: validated, stored with an audit row (before
/// and after) in one transaction, then mirrored into the warehouse.
pub fn edit(
    tenant: &Tenant,
    app: &mut rusqlite::Connection,
    wh: &Warehouse,
    codigo: &str,
    patch: &OverridePatch,
    (user, ip): (&str, Option<&str>),
) -> Result<ProductDetail, ProductError> {
    if wp::get(&*wh.reader()?, codigo)?.is_none() {
        return Err(ProductError::NotFound(codigo.to_string()));
    }
    let cedis: Vec<&str> = tenant.stores().iter().filter(|s| s.is_cedi()).map(|s| s.id.as_str()).collect();
    let tx = app.transaction().map_err(crate::appdb::AppDbError::from)?;
    let before = overrides::get(&tx, codigo)?;
    let after = apply(&before, patch, &cedis)?;
    overrides::save(&tx, &after, user)?;
    audit::append(
        &tx,
        &audit::Entry {
            usuario: Some(user),
            ip,
            accion: "producto.ajustar",
            entidad: Some("producto"),
            entidad_id: Some(codigo),
            detalle: Some(json!({ "antes": before, "despues": after })),
        },
    )?;
    tx.commit().map_err(crate::appdb::AppDbError::from)?;
    mirror_overrides(app, wh)?;
    detail(app, wh, codigo)
}

/// Copies every override into the warehouse (start-up, and after each edit).
pub fn mirror_overrides(app: &rusqlite::Connection, wh: &Warehouse) -> Result<(), ProductError> {
    let all = overrides::all(app)?;
    wh.write(|c| mirror::sync_product_overrides(c, &all))?;
    Ok(())
}
