//! The replenishment use case: gather one (CEDI → store) pair's data from both stores and
//! run the pure engine (`domain::replenishment`). The result is a function of the data, the
//! configuration and the business date only — the ABC class is computed for that date from
//! the same daily aggregate the nightly cache uses, so running it twice gives identical output.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::domain::replenishment::{
    calculate_store, classify_abc, resolve_windows, AbcClass, ReferenceDemand, StoreInput, Suggestion,
};
use crate::domain::replenishment::demand::p75;
use crate::warehouse::replenishment as wq;

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
}

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
    tenant
        .stores()
        .iter()
        .filter(|s| s.active && s.is_cedi() && s.serves_regions.contains(&store.region))
        .map(|s| s.id.clone())
        .collect()
}

/// Data shared by the proposals of one network run: each store's daily rows and stock, each
/// CEDI's catalogue and stock, each region's P75s are read once, not once per pair.
#[derive(Default)]
struct RunCache {
    network: bool,
    region_p75s: HashMap<String, HashMap<String, Vec<(String, f64)>>>,
    products: HashMap<(String, bool), Vec<crate::domain::replenishment::ProductInput>>,
    stock: HashMap<String, HashMap<String, f64>>,
    daily: HashMap<String, HashMap<String, Vec<wq::DaySales>>>,
    classes: HashMap<String, HashMap<String, AbcClass>>,
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
    let mut cache = RunCache { network: true, ..Default::default() };
    let mut out = Vec::new();
    for store in tenant.stores().iter().filter(|s| s.active && !s.is_cedi()) {
        for cedi in supplying_cedis(tenant, store) {
            let req = Request { tienda: store.id.clone(), cedi: Some(cedi), fecha, cuadrantes: None, detalle_v2: false };
            out.push(propose_with(tenant, app, wh, &req, &mut cache)?);
        }
    }
    Ok(out)
}

fn propose_with(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    req: &Request,
    cache: &mut RunCache,
) -> Result<StoreProposal, ReplenishmentError> {
    let store = active_store(tenant, &req.tienda).ok_or_else(|| ReplenishmentError::UnknownStore(req.tienda.clone()))?;
    let cedi_id = match &req.cedi {
        Some(c) => c.clone(),
        None => supplying_cedis(tenant, store).into_iter().next().ok_or_else(|| ReplenishmentError::NoSupplier(store.id.clone()))?,
    };
    let cedi = active_cedi(tenant, &cedi_id).ok_or_else(|| ReplenishmentError::UnknownCedi(cedi_id.clone()))?;
    let today = req.fecha;
    let t0 = std::time::Instant::now();
    let lap = |what: &str| tracing::debug!(store = %store.id, ms = t0.elapsed().as_secs_f64() * 1000.0, "{what}");

    let parametros = settings::param_config(app, &store.id)?;
    let ajustes = settings::engine_settings(app)?;
    let abc = settings::abc_settings(app)?;
    let mut limites = settings::storage_limits(app, &store.id)?;
    let productos_excluidos = settings::exclusions(app, &store.id)?;
    let dias_atipicos = settings::atypical_days(app, &store.id)?;

    let windows = resolve_windows(&parametros.global).windows();
    let history_days = i64::from(windows.demanda_dias.max(windows.sigma_dias).max(abc.ventana_dias));
    let yesterday = today - Duration::days(1);
    let demand_from = today - Duration::days(i64::from(windows.demanda_dias));
    let whole_catalogue = tenant
        .file
        .regions
        .iter()
        .any(|r| r.id == store.region && r.cedi_reposicion.as_deref() == Some(cedi.id.as_str()));

    lap("settings");
    // The first calculation of a process is bound by these reads; they are independent,
    // so they run side by side, each on its own connection to the same database.
    let key = (cedi.id.clone(), whole_catalogue);
    let stock_missing: Vec<String> =
        [&store.id, &cedi.id].into_iter().filter(|l| !cache.stock.contains_key(*l)).cloned().collect();
    let (products, daily, stocks) = std::thread::scope(|scope| -> Result<_, ReplenishmentError> {
        let products = match cache.products.contains_key(&key) {
            true => None,
            false => {
                let c = wh.try_clone()?;
                let (cedi_id, whole) = (cedi.id.clone(), whole_catalogue);
                Some(scope.spawn(move || wq::products(&c, &cedi_id, whole)))
            }
        };
        let daily = match cache.daily.contains_key(&store.id) {
            true => None,
            false => {
                let c = wh.try_clone()?;
                let from = today - Duration::days(history_days);
                Some(scope.spawn(move || wq::daily_sales(&c, &store.id, from, yesterday)))
            }
        };
        let mut stocks = Vec::new();
        for loc in &stock_missing {
            stocks.push((loc.clone(), wq::stock(wh, loc)?));
        }
        let products = products.map(|h| h.join().expect("a warehouse read does not panic")).transpose()?;
        let daily = daily.map(|h| h.join().expect("a warehouse read does not panic")).transpose()?;
        Ok((products, daily, stocks))
    })?;
    if let Some(p) = products {
        cache.products.insert(key.clone(), p);
    }
    if let Some(d) = daily {
        cache.daily.insert(store.id.clone(), d);
    }
    cache.stock.extend(stocks);
    let ventas = &cache.daily[&store.id];
    let (stock_tienda, stock_cedi) = (&cache.stock[&store.id], &cache.stock[&cedi.id]);
    let mut productos = cache.products[&key].clone();
    lap("products, daily sales, stock");

    // The store's ABC for this date, from the same daily rows (identical to the nightly
    // cache); a network run classifies each store once for all the CEDIs that supply it.
    if !cache.classes.contains_key(&store.id) {
        let abc_from = today - Duration::days(i64::from(abc.ventana_dias));
        let abc_inputs = wq::abc_inputs_from_days(ventas, abc_from, yesterday, &abc.codigos_excluidos);
        let classes: HashMap<String, AbcClass> = classify_abc(&abc_inputs, &abc.umbrales, abc.modelo_activo)
            .into_iter()
            .map(|r| (r.codigo, r.clase_abc))
            .collect();
        cache.classes.insert(store.id.clone(), classes);
    }
    let classes = &cache.classes[&store.id];
    lap("abc");

    // Regional reference: only products with a local P75 under 1 and CEDI stock can use it
    // (spec 30 §7.3 step 2). A network run computes the whole region once and shares it.
    let region_stores = || -> Result<Vec<wq::RegionStore>, ReplenishmentError> {
        let mut v = Vec::new();
        for s in tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == store.region) {
            v.push(wq::RegionStore { id: s.id.clone(), dias_excluidos: settings::atypical_days(app, &s.id)? });
        }
        Ok(v)
    };
    let local_p75 = |code: &str| -> f64 {
        let vals: Vec<f64> = ventas
            .get(code)
            .map(|v| v.iter().filter(|d| d.fecha >= demand_from && !dias_atipicos.contains(&d.fecha)).map(|d| d.cantidad).collect())
            .unwrap_or_default();
        p75(&vals)
    };
    let region_key = format!("{}|{today}", store.region);
    if cache.network && !cache.region_p75s.contains_key(&region_key) {
        let p75s = wq::region_p75(wh, &region_stores()?, demand_from, yesterday, None)?;
        cache.region_p75s.insert(region_key.clone(), p75s);
    }
    let own_region;
    let region: &HashMap<String, Vec<(String, f64)>> = match cache.region_p75s.get(&region_key) {
        Some(r) => r,
        None => {
            let needed: Vec<&str> = productos
                .iter()
                .filter(|p| stock_cedi.get(&p.codigo).is_some_and(|s| *s > 0.0) && local_p75(&p.codigo) < 1.0)
                .map(|p| p.codigo.as_str())
                .collect();
            tracing::debug!(needed = needed.len(), "regional reference needed");
            own_region = wq::region_p75(wh, &region_stores()?, demand_from, yesterday, Some(&needed))?;
            &own_region
        }
    };
    lap("region p75");
    let names: HashMap<String, String> = tenant.stores().iter().map(|s| (s.id.clone(), s.name.clone())).collect();

    for p in &mut productos {
        p.clase_abc = classes.get(&p.codigo).copied();
        p.stock_tienda = stock_tienda.get(&p.codigo).copied().unwrap_or(0.0);
        p.stock_cedi = stock_cedi.get(&p.codigo).copied().unwrap_or(0.0);
        // Open orders do not exist before the order life cycle lands; with none, nothing is in transit.
        p.stock_en_transito = 0.0;
        p.ventas_diarias = ventas.get(&p.codigo).map(|v| v.iter().map(|d| (d.fecha, d.cantidad)).collect()).unwrap_or_default();
        p.limites = limites.remove(&p.codigo).unwrap_or_default();
        p.referencia_calculada = Some(
            region.get(&p.codigo).map(|v| wq::reference_for(&store.id, v, &names)).unwrap_or_else(ReferenceDemand::default),
        );
    }
    lap("inputs");
    let input = StoreInput {
        today,
        productos,
        productos_excluidos,
        dias_atipicos,
        cuadrantes: req.cuadrantes.clone(),
        parametros,
        ajustes,
        detalle_v2: req.detalle_v2,
    };
    let productos = calculate_store(&input);
    lap("engine");
    Ok(StoreProposal { tienda_destino: store.id.clone(), cedi_origen: cedi.id.clone(), fecha: today, productos })
}
