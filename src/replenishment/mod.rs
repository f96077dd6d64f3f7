//! The replenishment use case: gather one (CEDI → store) pair's data from both stores and
//! run the pure engine (`domain::replenishment`). The result is a function of the data, the
//! configuration and the business date only — the ABC class is computed for that date from
//! the same daily aggregate the nightly cache uses, so running it twice gives identical output.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::domain::replenishment::demand::p75_with;
use crate::domain::replenishment::{calculate_store, classify_abc_owned, AbcClass, StoreInput, Suggestion};
use crate::warehouse::replenishment as wq;

pub mod demand_cache;
mod error;
mod memo;
mod stock_days;
pub mod transit;
mod windows;

pub use error::ReplenishmentError;
pub use memo::Memo;
pub use stock_days::end_of_day_stock;
use windows::history_windows;

#[derive(Debug, Clone, Serialize)]
pub struct StoreProposal {
    pub tienda_destino: String,
    pub cedi_origen: String,
    pub fecha: NaiveDate,
    pub productos: Vec<Suggestion>,
}

pub struct Request {
    /// Keep the V2 day-by-day detail on every line (the per-product modal needs it; lists
    /// of thousands of lines do not).
    pub detalle_v2: bool,
    pub tienda: String,
    pub cedi: Option<String>,
    /// Business date ("today"): windows end the day before.
    pub fecha: NaiveDate,
    pub cuadrantes: Option<Vec<String>>,
}

fn active_store<'a>(tenant: &'a Tenant, id: &str) -> Option<&'a Store> {
    tenant.stores().iter().find(|s| s.id == id && s.active && !s.is_cedi())
}

fn active_cedi<'a>(tenant: &'a Tenant, id: &str) -> Option<&'a Store> {
    tenant.stores().iter().find(|s| s.id == id && s.active && s.is_cedi())
}

/// The CEDIs that supply a store (spec 10 §4.3): the region's `cedi_reposicion` when it has
/// one, else every active CEDI that serves the region (each sends the products whose
/// `cedi_origen_id` it is).
pub fn supplying_cedis(tenant: &Tenant, store: &Store) -> Vec<String> {
    let region = tenant.file.regions.iter().find(|r| r.id == store.region);
    if let Some(c) = region.and_then(|r| r.cedi_reposicion.clone()) {
        return vec![c];
    }
    tenant.stores().iter().filter(|s| s.active && s.is_cedi() && s.serves_regions.contains(&store.region)).map(|s| s.id.clone()).collect()
}

/// A store's ABC class per product code for `today`, from its daily rows: the same inputs
/// and rule as the nightly cache.
fn store_classes(
    ventas: &wq::DailyByProduct,
    codes: &wq::ProductCodes,
    abc: &settings::AbcSettings,
    today: NaiveDate,
) -> FxHashMap<String, AbcClass> {
    let abc_from = today - Duration::days(i64::from(abc.ventana_dias));
    let inputs = wq::abc_inputs_from_days(ventas, &codes.by_id, abc_from, today - Duration::days(1), &abc.codigos_excluidos);
    classify_abc_owned(inputs, &abc.umbrales, abc.modelo_activo).into_iter().map(|r| (r.codigo, r.clase_abc)).collect()
}

/// Most threads one store's calculation uses (its lines are independent); the engine has
/// always capped the split at 4.
const ENGINE_WORKERS: usize = 4;

/// Cores of this machine (1 when unknown).
fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over `items` on one worker per core, each with its own warehouse connection;
/// results in the order of `items`.
#[allow(clippy::expect_used)] // each index is filled by exactly one worker, or the call returned its error
fn par_map<T: Sync, R: Send>(
    wh: &duckdb::Connection,
    items: &[T],
    f: impl Fn(&duckdb::Connection, &T) -> Result<R, ReplenishmentError> + Sync,
) -> Result<Vec<R>, ReplenishmentError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = available_cores().min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let connections = (0..workers).map(|_| wh.try_clone()).collect::<Result<Vec<_>, _>>()?;
    let done = std::thread::scope(|scope| {
        let handles: Vec<_> = connections
            .into_iter()
            .map(|c| {
                let (f, next) = (&f, &next);
                scope.spawn(move || -> Result<Vec<(usize, R)>, ReplenishmentError> {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= items.len() {
                            return Ok(out);
                        }
                        out.push((i, f(&c, &items[i])?));
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect::<Result<Vec<_>, _>>()
    })?;
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    for (i, r) in done.into_iter().flatten() {
        slots[i] = Some(r);
    }
    Ok(slots.into_iter().map(|r| r.expect("every item ran")).collect())
}

/// Fills a network run's cache before the first proposal: every store's daily rows, every
/// location's stock, each store's ABC, each region's P75s and each catalogue, spread over
/// the cores (one proposal at a time leaves a core idle during its single-threaded parts).
fn prefill(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    today: NaiveDate,
    cache: &mut RunCache,
) -> Result<(), ReplenishmentError> {
    let abc = settings::abc_settings(app)?;
    let yesterday = today - Duration::days(1);
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi()).collect();
    let (history_from, demand_from) = history_windows(&settings::global_params(app)?, &abc, today);
    let codes = timed("product codes", || wq::product_codes(wh))?;
    let daily = timed("network daily sales", || par_map(wh, &stores, |c, s| Ok(wq::daily_sales(c, &s.id, history_from, yesterday)?)))?;
    let mut locations: Vec<String> = stores.iter().map(|s| s.id.clone()).collect();
    let mut catalogues = Vec::new();
    for s in &stores {
        for cedi in supplying_cedis(tenant, s) {
            let whole = supplies_whole_catalogue(tenant, s, &cedi);
            if !locations.contains(&cedi) {
                locations.push(cedi.clone());
            }
            if !catalogues.contains(&(cedi.clone(), whole)) {
                catalogues.push((cedi, whole));
            }
        }
    }
    let stock = timed("network stock", || par_map(wh, &locations, |c, loc| Ok(wq::stock(c, loc, &excluded_warehouses(tenant, loc))?)))?;
    let products = timed("network catalogues", || par_map(wh, &catalogues, |c, (cedi, whole)| Ok(wq::products(c, cedi, *whole)?)))?;
    let classes = timed("network abc", || par_map(wh, &daily, |_, rows| Ok(store_classes(rows, &codes, &abc, today))))?;
    let mut regions: Vec<(String, Vec<wq::RegionStore>)> = Vec::new();
    for s in &stores {
        if !regions.iter().any(|(r, _)| *r == s.region) {
            regions.push((s.region.clone(), region_stores(tenant, app, &s.region)?));
        }
    }
    let by_store: HashMap<&str, &wq::DailyByProduct> = stores.iter().map(|s| s.id.as_str()).zip(&daily).collect();
    let p75s = timed("network region p75", || {
        par_map(wh, &regions, |_, (_, members)| {
            let days: Vec<&wq::DailyByProduct> = members.iter().map(|m| by_store[m.id.as_str()]).collect();
            Ok(wq::region_p75_from_days(members, &days, demand_from, yesterday))
        })
    })?;
    for ((region, _), p) in regions.into_iter().zip(p75s) {
        cache.region_p75s.insert(region, p);
    }
    for (s, c) in stores.iter().zip(classes) {
        cache.classes.insert(s.id.clone(), c);
    }
    for (s, d) in stores.iter().zip(daily) {
        cache.daily.insert(s.id.clone(), d);
    }
    cache.stock.extend(locations.into_iter().zip(stock));
    for (key, p) in catalogues.into_iter().zip(products) {
        cache.products.insert(key, wq::Catalogue::new(p, &codes.by_code));
    }
    cache.codes = Some(codes);
    Ok(())
}

/// Reads, spread over the cores, what the proposals of several stores need and the cache
/// lacks: each store's daily rows and ABC classes, and the stock of every store and CEDI
/// named (a multi-store batch reads its stores side by side, not one after another).
fn prefill_pairs(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    today: NaiveDate,
    reqs: &[Request],
    cache: &mut RunCache,
) -> Result<(), ReplenishmentError> {
    let abc = settings::abc_settings(app)?;
    let yesterday = today - Duration::days(1);
    let (history_from, _) = history_windows(&settings::global_params(app)?, &abc, today);
    if cache.codes.is_none() {
        cache.codes = Some(timed("product codes", || wq::product_codes(wh))?);
    }
    let mut stores: Vec<&Store> = Vec::new();
    for r in reqs {
        if let Some(s) = active_store(tenant, &r.tienda) {
            if !cache.daily.contains_key(&s.id) && !stores.iter().any(|x| x.id == s.id) {
                stores.push(s);
            }
        }
    }
    let daily = timed("batch daily sales", || par_map(wh, &stores, |c, s| Ok(wq::daily_sales(c, &s.id, history_from, yesterday)?)))?;
    #[allow(clippy::expect_used)] // filled at the top of this function
    let codes = cache.codes.as_ref().expect("product codes were read");
    let classes = timed("batch abc", || par_map(wh, &daily, |_, rows| Ok(store_classes(rows, codes, &abc, today))))?;
    for ((s, d), c) in stores.iter().zip(daily).zip(classes) {
        cache.daily.insert(s.id.clone(), d);
        cache.classes.entry(s.id.clone()).or_insert(c);
    }
    // Each region whose every store is now read: its P75s from those rows, once, instead of a
    // regional query per (store, CEDI) pair.
    let (_, demand_from) = history_windows(&settings::global_params(app)?, &abc, today);
    let mut regions: Vec<(String, Vec<wq::RegionStore>)> = Vec::new();
    for r in reqs {
        let Some(s) = active_store(tenant, &r.tienda) else { continue };
        if cache.region_p75s.contains_key(&s.region) || regions.iter().any(|(id, _)| *id == s.region) {
            continue;
        }
        let members = region_stores(tenant, app, &s.region)?;
        if members.iter().all(|m| cache.daily.contains_key(&m.id)) {
            regions.push((s.region.clone(), members));
        }
    }
    let p75s = timed("batch region p75", || {
        par_map(wh, &regions, |_, (_, members)| {
            let days: Vec<&wq::DailyByProduct> = members.iter().map(|m| &cache.daily[&m.id]).collect();
            Ok(wq::region_p75_from_days(members, &days, demand_from, yesterday))
        })
    })?;
    for ((region, _), p) in regions.into_iter().zip(p75s) {
        cache.region_p75s.insert(region, p);
    }
    let mut locations: Vec<String> = Vec::new();
    for r in reqs {
        for loc in std::iter::once(&r.tienda).chain(r.cedi.as_ref()) {
            if !cache.stock.contains_key(loc) && !locations.contains(loc) {
                locations.push(loc.clone());
            }
        }
    }
    let stock = timed("batch stock", || par_map(wh, &locations, |c, loc| Ok(wq::stock(c, loc, &excluded_warehouses(tenant, loc))?)))?;
    cache.stock.extend(locations.into_iter().zip(stock));
    Ok(())
}

/// The active stores of a region, with their atypical days (for the regional reference).
fn region_stores(tenant: &Tenant, app: &rusqlite::Connection, region: &str) -> Result<Vec<wq::RegionStore>, ReplenishmentError> {
    let mut v = Vec::new();
    for s in tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == region) {
        v.push(wq::RegionStore { id: s.id.clone(), nombre: s.name.clone(), dias_excluidos: settings::atypical_days(app, &s.id)? });
    }
    Ok(v)
}

/// Runs one step of a calculation, logging its duration (`FLUXION_LOG=fluxion::replenishment=debug`).
fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    let started = std::time::Instant::now();
    let out = f();
    tracing::debug!(step, ms = started.elapsed().as_secs_f64() * 1000.0, "step");
    out
}

/// Warehouses of a location declared as not counting toward deficit (spec 10 §4.2).
pub fn excluded_warehouses(tenant: &Tenant, location: &str) -> Vec<String> {
    tenant
        .stores()
        .iter()
        .filter(|s| s.id == location)
        .flat_map(|s| s.warehouses())
        .filter(|a| !a.incluir_en_deficit)
        .map(|a| a.codigo.clone())
        .collect()
}

/// Whether `cedi` replenishes the store's whole region (`cedi_reposicion`), and so sends
/// every active product rather than those whose `cedi_origen_id` it is (spec 10 §4.3).
fn supplies_whole_catalogue(tenant: &Tenant, store: &Store, cedi: &str) -> bool {
    tenant.file.regions.iter().any(|r| r.id == store.region && r.cedi_reposicion.as_deref() == Some(cedi))
}

/// Data shared by the proposals of one network run (one business date): each store's daily
/// rows and stock, each CEDI's catalogue and stock, each region's P75s (by region id) are
/// read once, not once per pair.
#[derive(Default)]
struct RunCache {
    /// Keep each CEDI's catalogue for the next proposal (a network run, or the memo of
    /// `serve`); a single calculation moves it into its input instead of cloning it.
    keep_catalogues: bool,
    region_p75s: HashMap<String, wq::RegionP75s>,
    products: HashMap<(String, bool), wq::Catalogue>,
    stock: HashMap<String, wq::StockByProduct>,
    daily: HashMap<String, wq::DailyByProduct>,
    classes: HashMap<String, FxHashMap<String, AbcClass>>,
    /// The regional reference of one (store, CEDI) pair, computed only for the products
    /// that need it (kept by the memo; a network run has every region's in `region_p75s`).
    pair_region: HashMap<(String, String), wq::RegionP75s>,
    codes: Option<wq::ProductCodes>,
}

/// One store's proposal from one CEDI.
pub fn propose(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    req: &Request,
) -> Result<StoreProposal, ReplenishmentError> {
    propose_with(tenant, app, wh, req, &mut RunCache::default())
}

/// Every active store's proposal from each CEDI that supplies it (the morning batch).
pub fn propose_all(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    fecha: NaiveDate,
) -> Result<Vec<StoreProposal>, ReplenishmentError> {
    let mut cache = RunCache { keep_catalogues: true, ..Default::default() };
    prefill(tenant, app, wh, fecha, &mut cache)?;
    let mut out = Vec::new();
    for store in tenant.stores().iter().filter(|s| s.active && !s.is_cedi()) {
        for cedi in supplying_cedis(tenant, store) {
            let req = Request { tienda: store.id.clone(), cedi: Some(cedi), fecha, cuadrantes: None, detalle_v2: false };
            out.push(propose_with(tenant, app, wh, &req, &mut cache)?);
        }
    }
    Ok(out)
}

/// The engine's input for one request, read from both stores (exposed so the engine and the
/// reads can be measured apart).
pub fn store_input(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    req: &Request,
) -> Result<StoreInput, ReplenishmentError> {
    Ok(gather(tenant, app, wh, req, &mut RunCache::default())?.2)
}

fn propose_with(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    req: &Request,
    cache: &mut RunCache,
) -> Result<StoreProposal, ReplenishmentError> {
    let (tienda_destino, cedi_origen, input) = gather(tenant, app, wh, req, cache)?;
    let started = std::time::Instant::now();
    let productos = calculate_store(&input, ENGINE_WORKERS.min(available_cores()));
    tracing::debug!(store = %tienda_destino, ms = started.elapsed().as_secs_f64() * 1000.0, "engine");
    Ok(StoreProposal { tienda_destino, cedi_origen, fecha: req.fecha, productos })
}

/// The settings of one store's calculation, read from the application database.
struct PairSettings {
    parametros: crate::domain::replenishment::ParamConfig,
    ajustes: crate::domain::replenishment::EngineSettings,
    abc: settings::AbcSettings,
    limites: HashMap<String, crate::domain::replenishment::StorageLimits>,
    productos_excluidos: Vec<String>,
    dias_atipicos: Vec<NaiveDate>,
    conjuntos: Vec<crate::domain::replenishment::substitutes::SubstituteSet>,
}

impl PairSettings {
    fn read(app: &rusqlite::Connection, store_id: &str) -> Result<PairSettings, ReplenishmentError> {
        Ok(PairSettings {
            parametros: settings::param_config(app, store_id)?,
            ajustes: settings::engine_settings(app)?,
            abc: settings::abc_settings(app)?,
            limites: settings::storage_limits(app, store_id)?,
            productos_excluidos: settings::exclusions(app, store_id)?,
            dias_atipicos: settings::atypical_days(app, store_id)?,
            conjuntos: crate::appdb::substitutable_sets::active(app)?,
        })
    }
}

/// The dates of one calculation: its business date, the first day of the daily rows read
/// and of the demand window, and the day before the business date (the windows' end).
#[derive(Clone, Copy)]
struct Days {
    today: NaiveDate,
    history_from: NaiveDate,
    demand_from: NaiveDate,
    yesterday: NaiveDate,
}

type CatalogueRead = std::thread::JoinHandle<duckdb::Result<Vec<crate::domain::replenishment::ProductInput>>>;

/// The active store and CEDI of a request (the store's supplying CEDI by default).
fn pair_of<'t>(tenant: &'t Tenant, req: &Request) -> Result<(&'t Store, &'t Store), ReplenishmentError> {
    let store = active_store(tenant, &req.tienda).ok_or_else(|| ReplenishmentError::UnknownStore(req.tienda.clone()))?;
    let cedi_id = match &req.cedi {
        Some(c) => c.clone(),
        None => supplying_cedis(tenant, store).into_iter().next().ok_or_else(|| ReplenishmentError::NoSupplier(store.id.clone()))?,
    };
    let cedi = active_cedi(tenant, &cedi_id).ok_or_else(|| ReplenishmentError::UnknownCedi(cedi_id.clone()))?;
    Ok((store, cedi))
}

/// Reads everything one (CEDI → store) pair needs: (store id, CEDI id, engine input).
fn gather(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    req: &Request,
    cache: &mut RunCache,
) -> Result<(String, String, StoreInput), ReplenishmentError> {
    let (store, cedi) = pair_of(tenant, req)?;
    let today = req.fecha;
    let t0 = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(store = %store.id, ms = t0.elapsed().as_secs_f64() * 1000.0, "{what}");

    let mut s = PairSettings::read(app, &store.id)?;
    let (history_from, demand_from) = history_windows(&s.parametros.global, &s.abc, today);
    let days = Days { today, history_from, demand_from, yesterday: today - Duration::days(1) };
    let whole_catalogue = supplies_whole_catalogue(tenant, store, &cedi.id);

    lap("settings");
    // A first calculation is bound by its reads. They run as a small graph over the two
    // cores: the catalogue on its own thread from the start; the store's daily rows beside
    // both stocks; then the ABC (daily rows only) beside the regional query (daily rows and
    // the CEDI's stock).
    let key = (cedi.id.clone(), whole_catalogue);
    let pair = (store.id.clone(), cedi.id.clone());
    let products: Option<CatalogueRead> = match cache.products.contains_key(&key) {
        true => None,
        false => {
            let c = wh.try_clone()?;
            let (cedi_id, whole) = (cedi.id.clone(), whole_catalogue);
            Some(std::thread::spawn(move || timed("products", || wq::products(&c, &cedi_id, whole))))
        }
    };
    read_sales_and_stock(tenant, wh, cache, store, &cedi.id, days)?;
    lap("daily sales, stock");
    let own_region = read_classes_and_region(tenant, app, wh, cache, store, &cedi.id, &s, days)?;
    if let Some(p) = products {
        let p = p.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        #[allow(clippy::expect_used)] // read by `read_sales_and_stock` above
        let codes = cache.codes.as_ref().expect("product codes were read");
        cache.products.insert(key.clone(), wq::Catalogue::new(p, &codes.by_code));
    }
    let own_region = match (own_region, cache.keep_catalogues) {
        (Some(p), true) => {
            cache.pair_region.insert(pair.clone(), p);
            None
        }
        (own, _) => own,
    };
    lap("abc, region p75");
    let excluded = excluded_warehouses(tenant, &store.id);
    let en_transito =
        timed("in transit", || transit::by_product(app, wh, tenant.timezone, &store.id, &cedi.id, &excluded, chrono::Utc::now()))?;
    let productos = fill_products(cache, store, &cedi.id, &key, &pair, own_region.as_ref(), en_transito, &mut s.limites);
    lap("inputs");
    let input = StoreInput {
        today,
        productos,
        productos_excluidos: s.productos_excluidos,
        dias_atipicos: s.dias_atipicos,
        cuadrantes: req.cuadrantes.clone(),
        parametros: s.parametros,
        ajustes: s.ajustes,
        detalle_v2: req.detalle_v2,
        conjuntos: s.conjuntos,
    };
    Ok((store.id.clone(), cedi.id.clone(), input))
}

/// The store's daily rows beside the stock of the store and the CEDI (and the product
/// codes, once per run), each read only if the run has not read it yet.
fn read_sales_and_stock(
    tenant: &Tenant,
    wh: &duckdb::Connection,
    cache: &mut RunCache,
    store: &Store,
    cedi_id: &str,
    days: Days,
) -> Result<(), ReplenishmentError> {
    let stock_missing: Vec<String> =
        [store.id.as_str(), cedi_id].into_iter().filter(|l| !cache.stock.contains_key(*l)).map(str::to_string).collect();
    let need_codes = cache.codes.is_none();
    let (daily, stocks, codes) = std::thread::scope(|scope| -> Result<_, ReplenishmentError> {
        let daily = match cache.daily.contains_key(&store.id) {
            true => None,
            false => {
                let c = wh.try_clone()?;
                Some(scope.spawn(move || timed("daily sales", || wq::daily_sales(&c, &store.id, days.history_from, days.yesterday))))
            }
        };
        let mut stocks = Vec::new();
        for loc in &stock_missing {
            stocks.push((loc.clone(), timed("stock", || wq::stock(wh, loc, &excluded_warehouses(tenant, loc)))?));
        }
        let codes = if need_codes { Some(timed("product codes", || wq::product_codes(wh))?) } else { None };
        let daily = daily.map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).transpose()?;
        Ok((daily, stocks, codes))
    })?;
    if codes.is_some() {
        cache.codes = codes;
    }
    if let Some(d) = daily {
        cache.daily.insert(store.id.clone(), d);
    }
    cache.stock.extend(stocks);
    Ok(())
}

/// The store's ABC for this date, from the same daily rows (identical to the nightly
/// cache; a network run classifies each store once for all the CEDIs that supply it),
/// beside the regional reference of the products that may need it. Returns the regional
/// reference read for this pair, if one had to be read.
#[allow(clippy::too_many_arguments)] // the pair, its settings and dates, and where to read and keep
fn read_classes_and_region(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    cache: &mut RunCache,
    store: &Store,
    cedi_id: &str,
    s: &PairSettings,
    days: Days,
) -> Result<Option<wq::RegionP75s>, ReplenishmentError> {
    let Days { today, demand_from, yesterday, .. } = days;
    let pair = (store.id.clone(), cedi_id.to_string());
    let ventas = &cache.daily[&store.id];
    let stock_cedi = &cache.stock[cedi_id];
    #[allow(clippy::expect_used)] // read by `read_sales_and_stock` before this step
    let codes = cache.codes.as_ref().expect("product codes were read");
    // Thousands of products are checked: one buffer for all of them.
    let mut buffer = Vec::new();
    let mut local_p75 = |id: i32| -> f64 {
        ventas.get(&id).map_or(0.0, |v| p75_with(&mut buffer, wq::window_days(v, demand_from, yesterday, &s.dias_atipicos)))
    };
    let (classes, own_region) = std::thread::scope(|scope| -> Result<_, ReplenishmentError> {
        let classes = match cache.classes.contains_key(&store.id) {
            true => None,
            false => Some(scope.spawn(|| timed("abc", || store_classes(ventas, codes, &s.abc, today)))),
        };
        // Regional reference: only products with a local P75 under 1 and CEDI stock can use
        // it (spec 30 §7.3 step 2). Taken from the CEDI's stock, so it needs no catalogue.
        let own_region = match cache.region_p75s.contains_key(&store.region) || cache.pair_region.contains_key(&pair) {
            true => None,
            false => {
                let needed: Vec<i32> = stock_cedi
                    .iter()
                    .filter(|(_, units)| **units > 0.0)
                    .filter_map(|(code, _)| codes.by_code.get(code.as_str()).copied())
                    .filter(|id| local_p75(*id) < 1.0)
                    .collect();
                tracing::debug!(needed = needed.len(), "regional reference needed");
                let members = timed("region stores", || region_stores(tenant, app, &store.region))?;
                let cached =
                    timed("demand cache", || demand_cache::cached_p75s(app, wh, &members, (today, demand_from, yesterday), &needed))?;
                Some(timed("region p75", || wq::region_p75(wh, &members, demand_from, yesterday, &needed, cached))?)
            }
        };
        Ok((classes.map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))), own_region))
    })?;
    if let Some(c) = classes {
        cache.classes.insert(store.id.clone(), c);
    }
    Ok(own_region)
}

/// The engine's products: the CEDI's catalogue with the store's classes, both stocks, what
/// is in transit, the daily sales, the storage limits and the regional reference.
#[allow(clippy::too_many_arguments)] // the pair, what was read for it and where it is kept
fn fill_products(
    cache: &mut RunCache,
    store: &Store,
    cedi_id: &str,
    key: &(String, bool),
    pair: &(String, String),
    own_region: Option<&wq::RegionP75s>,
    mut en_transito: HashMap<String, crate::domain::replenishment::transit::InTransit>,
    limites: &mut HashMap<String, crate::domain::replenishment::StorageLimits>,
) -> Vec<crate::domain::replenishment::ProductInput> {
    // A single calculation owns the catalogue it read; a network run shares each CEDI's.
    let (mut productos, ids) = match cache.keep_catalogues {
        true => {
            let catalogue = &cache.products[key];
            (catalogue.products.clone(), catalogue.ids.clone())
        }
        false => {
            #[allow(clippy::expect_used)] // inserted by `gather` before this step
            let c = cache.products.remove(key).expect("the catalogue was read");
            (c.products, c.ids)
        }
    };
    let region = own_region.or_else(|| cache.pair_region.get(pair)).unwrap_or_else(|| &cache.region_p75s[&store.region]);
    let ventas = &cache.daily[&store.id];
    let classes = &cache.classes[&store.id];
    let (stock_tienda, stock_cedi) = (&cache.stock[&store.id], &cache.stock[cedi_id]);
    for (p, id) in productos.iter_mut().zip(&ids) {
        let days = id.and_then(|id| ventas.get(&id));
        p.clase_abc = classes.get(p.codigo.as_str()).copied();
        p.stock_tienda = stock_tienda.get(p.codigo.as_str()).copied().unwrap_or(0.0);
        p.stock_cedi = stock_cedi.get(p.codigo.as_str()).copied().unwrap_or(0.0);
        if let Some(t) = en_transito.remove(p.codigo.as_str()) {
            p.stock_en_transito = t.unidades;
            p.transito_detalle = t.detalle;
        }
        p.ventas_diarias = days.map(|v| v.iter().map(|d| (d.fecha, d.cantidad)).collect()).unwrap_or_default();
        p.limites = limites.remove(p.codigo.as_str()).unwrap_or_default();
        p.referencia_calculada = Some(id.map(|id| region.reference_for(&store.id, id)).unwrap_or_default());
    }
    productos
}
