//! The point-of-sale systems the ETL extracts from (spec 20 §4): each is a [`PosConnector`]
//! that reads one sales window or one stock listing of a location and maps what it read
//! into the domain's records. A location is either routed to a connector or skipped with a
//! reason ([`Route`]); only routed locations reach extraction.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::error::{Category, EtlError};
use super::history::QuarantineRow;
use super::window::Piece;
use super::{Etl, EtlJob};
use crate::config::{PosKind, Store};
use crate::domain::records::SaleLine;
use crate::sources::klk::map::{map_article, map_sale, SaleContext, SaleProductInfo};
use crate::sources::klk::{CallStats, KlkClient, SalesRequest};
use crate::sources::pos::{Rejection, SourceProduct};
use crate::sources::stellar::{self, StellarSettings};

pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a source returned for one window or listing, mapped: the records it could map,
/// the rows it refused (for the quarantine), how many it read and what it noticed.
pub(super) struct Mapped<T> {
    pub good: Vec<T>,
    pub rejected: Vec<QuarantineRow>,
    pub extracted: usize,
    pub warnings: Vec<String>,
}

impl<T> Mapped<T> {
    /// Maps every read item; a refused one is quarantined with its own serialisation.
    fn of<I: serde::Serialize>(items: &[I], warnings: Vec<String>, map: impl Fn(&I) -> Result<T, Rejection>) -> Mapped<T> {
        let mut good = Vec::with_capacity(items.len());
        let mut rejected = Vec::new();
        for item in items {
            match map(item) {
                Ok(x) => good.push(x),
                Err(r) => rejected.push(to_quarantine(r, serde_json::to_string(item).ok())),
            }
        }
        Mapped { good, rejected, extracted: items.len(), warnings }
    }
}

pub(super) fn to_quarantine(r: Rejection, registro: Option<String>) -> QuarantineRow {
    QuarantineRow { categoria: Category::from_rejection(r.category).as_str(), motivo: r.reason, clave: r.key, registro }
}

/// Sale lines read for one window, mapped later on the blocking pool (with the window's context).
pub(super) type SalesRead = Box<dyn FnOnce(&SaleContext) -> Mapped<(SaleLine, SaleProductInfo)> + Send>;
/// A stock listing read for one warehouse, mapped later on the blocking pool (with its code).
pub(super) type StockRead = Box<dyn FnOnce(&str) -> Mapped<(SourceProduct, f64)> + Send>;

/// A point-of-sale system one location's facts are read from.
pub(super) trait PosConnector: Send + Sync {
    fn kind(&self) -> PosKind;

    /// Where the requests go, for the history (`endpoint`).
    fn endpoint(&self) -> String;

    /// Locations of this system are extracted a few at a time (KLK's HTTP API) rather than
    /// one after another (a store's own SQL Server).
    fn in_parallel(&self) -> bool;

    /// The warehouses/depots whose stock listings an inventory run reads.
    fn stock_scopes(&self) -> Vec<String>;

    /// Reads the sale lines of one window.
    fn read_sales<'a>(&'a self, piece: &'a Piece, stats: &'a mut CallStats) -> BoxFuture<'a, Result<SalesRead, EtlError>>;

    /// Reads the stock listing of one warehouse/depot.
    fn read_stock<'a>(&'a self, almacen: &'a str, stats: &'a mut CallStats) -> BoxFuture<'a, Result<StockRead, EtlError>>;
}

/// How a location takes part in a run.
#[derive(Clone)]
pub(super) enum Route {
    Pos(Arc<dyn PosConnector>),
    /// Not extracted, with the reason recorded in its detail row.
    Skip(String),
}

/// The route of a location for a job: its connector, or why it is skipped.
pub(super) fn route_for(etl: &Etl, store: &Store, job: EtlJob) -> Route {
    if !store.active {
        return Route::Skip("ubicación inactiva".into());
    }
    if job == EtlJob::Ventas && store.is_cedi() {
        return Route::Skip("un CEDI no tiene ventas".into());
    }
    match store.pos_kind() {
        Some(PosKind::Klk) => {
            let Some(client) = etl.klk.clone() else {
                return Route::Skip("falta [pos.klk] en tenant.toml".into());
            };
            let k = store.klk.as_ref();
            let sucursal = k.and_then(|k| k.sucursal.clone());
            let almacenes: Vec<String> =
                k.map(|k| k.almacenes.iter().filter(|a| a.activo).map(|a| a.codigo.clone()).collect()).unwrap_or_default();
            match job {
                EtlJob::Ventas if sucursal.is_none() => Route::Skip("falta klk.sucursal".into()),
                EtlJob::Inventario if almacenes.is_empty() => Route::Skip("sin almacenes KLK activos".into()),
                _ => Route::Pos(Arc::new(Klk { client, sucursal, almacen_ventas: k.and_then(|k| k.almacen_ventas.clone()), almacenes })),
            }
        }
        Some(PosKind::Stellar) => match StellarSettings::for_store(&etl.tenant, store) {
            Some(mut settings) => {
                settings.page_size = etl.options.stellar_page_size;
                settings.max_attempts = etl.options.stellar_attempts;
                settings.retry_delay = etl.options.stellar_retry_delay;
                match store.stellar.as_ref().and_then(|x| x.codigo_deposito.clone()) {
                    Some(deposito) => Route::Pos(Arc::new(Stellar { settings, deposito })),
                    None => Route::Skip("falta stellar.codigo_deposito".into()),
                }
            }
            None => Route::Skip("configuración Stellar o credenciales incompletas".into()),
        },
        Some(PosKind::None) | None => Route::Skip(format!("sin conector POS (pos = {:?})", store.pos)),
    }
}

/// KLK's HTTP API: sales per branch and warehouse, stock per warehouse.
struct Klk {
    client: KlkClient,
    sucursal: Option<String>,
    almacen_ventas: Option<String>,
    almacenes: Vec<String>,
}

impl PosConnector for Klk {
    fn kind(&self) -> PosKind {
        PosKind::Klk
    }

    fn endpoint(&self) -> String {
        self.client.settings().base_url.clone()
    }

    fn in_parallel(&self) -> bool {
        true
    }

    fn stock_scopes(&self) -> Vec<String> {
        self.almacenes.clone()
    }

    fn read_sales<'a>(&'a self, piece: &'a Piece, stats: &'a mut CallStats) -> BoxFuture<'a, Result<SalesRead, EtlError>> {
        Box::pin(async move {
            let req = SalesRequest {
                sucursal: self.sucursal.clone().unwrap_or_default(),
                almacen: self.almacen_ventas.clone(),
                fecha: piece.fecha,
                horas: piece.horas(),
            };
            let listing = self.client.ventas(&req, stats).await?;
            let read: SalesRead = Box::new(move |ctx: &SaleContext| {
                let mut warnings = Vec::new();
                if let Some(total) = listing.meta_total {
                    if total != listing.items.len() as i64 {
                        warnings.push(format!(
                            "meta.total_registros = {total} pero la respuesta trae {} líneas ({}–{})",
                            listing.items.len(),
                            ctx.desde,
                            ctx.hasta
                        ));
                    }
                }
                Mapped::of(&listing.items, warnings, |item| map_sale(item, ctx))
            });
            Ok(read)
        })
    }

    fn read_stock<'a>(&'a self, almacen: &'a str, stats: &'a mut CallStats) -> BoxFuture<'a, Result<StockRead, EtlError>> {
        Box::pin(async move {
            let listing = self.client.articulos(almacen, stats).await?;
            let read: StockRead = Box::new(move |almacen: &str| {
                let mut warnings = Vec::new();
                if let Some(total) = listing.meta_total {
                    if total != listing.items.len() as i64 {
                        warnings.push(format!("meta.total_articulos = {total} pero la respuesta trae {} artículos", listing.items.len()));
                    }
                }
                if let Some(ws) = &listing.meta_almacenes {
                    if !ws.iter().any(|w| w == almacen) {
                        warnings.push(format!("meta.almacences_filtrados no incluye {almacen}: {ws:?}"));
                    }
                }
                Mapped::of(&listing.items, warnings, map_article)
            });
            Ok(read)
        })
    }
}

/// A Stellar store's SQL Server: sales and the stock of its one depot.
struct Stellar {
    settings: StellarSettings,
    deposito: String,
}

impl PosConnector for Stellar {
    fn kind(&self) -> PosKind {
        PosKind::Stellar
    }

    fn endpoint(&self) -> String {
        self.settings.endpoint_label()
    }

    fn in_parallel(&self) -> bool {
        false
    }

    fn stock_scopes(&self) -> Vec<String> {
        vec![self.deposito.clone()]
    }

    fn read_sales<'a>(&'a self, piece: &'a Piece, stats: &'a mut CallStats) -> BoxFuture<'a, Result<SalesRead, EtlError>> {
        Box::pin(async move {
            let rows = stellar::fetch_sales(&self.settings, piece.desde, piece.hasta, stats).await?;
            let read: SalesRead = Box::new(move |ctx: &SaleContext| Mapped::of(&rows, Vec::new(), |row| stellar::map_sale_row(row, ctx)));
            Ok(read)
        })
    }

    fn read_stock<'a>(&'a self, _almacen: &'a str, stats: &'a mut CallStats) -> BoxFuture<'a, Result<StockRead, EtlError>> {
        Box::pin(async move {
            let rows = stellar::fetch_inventory(&self.settings, &self.deposito, stats).await?;
            let read: StockRead = Box::new(move |_: &str| Mapped::of(&rows, Vec::new(), stellar::map_inventory_row));
            Ok(read)
        })
    }
}
