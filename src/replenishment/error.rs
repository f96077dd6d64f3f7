//! What can stop a replenishment calculation (also the cache rebuilds that share its reads).

#[derive(Debug, thiserror::Error)]
pub enum ReplenishmentError {
    #[error("«{0}» no es una tienda activa")]
    UnknownStore(String),
    #[error("«{0}» no es un CEDI activo")]
    UnknownCedi(String),
    #[error("la tienda «{0}» no tiene un CEDI que la abastezca")]
    NoSupplier(String),
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
    #[error(transparent)]
    Open(#[from] crate::warehouse::WarehouseError),
}
