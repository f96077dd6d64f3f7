//! Connectivity check (spec 20 §14). KLK: one `GET /maestra/almacenes/pisoventa` shared
//! by every KLK location, plus, per branch, `Reposicion?sucursal=…`; a location is connected
//! when the API answers and its configured warehouse codes appear for its branch in the
//! union of both listings. Stellar: TCP connect, login and `SELECT 1`. 5 s timeout each.
//! [`check_one`] probes a single location the same way (*Administrador → Tiendas*, spec 50 §7.4).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{PosKind, Store, Tenant};
use crate::sources::klk::{CallStats, KlkClient, KlkSettings, KlkWarehouse};
use crate::sources::stellar::{self, StellarSettings};

pub const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Probe {
    pub ubicacion_id: String,
    pub nombre: String,
    pub sistema: String,
    /// The source answered and the configuration matches it.
    pub conectada: bool,
    pub latencia_ms: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub ubicaciones: Vec<Probe>,
    pub conectadas: usize,
    pub total: usize,
    /// `conectadas / total × 100`, 1 decimal.
    pub porcentaje: f64,
}

/// Why one location cannot be probed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("La ubicación «{0}» no existe")]
    UnknownLocation(String),
    #[error("La ubicación «{0}» no tiene conector de POS (pos = \"none\" en tenant.toml): no hay conexión que probar")]
    NoConnector(String),
}

/// Checks every active location with a POS connector.
pub async fn check_all(tenant: &Tenant) -> CheckReport {
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.is_extracted()).collect();
    let klk_stores: Vec<&Store> = stores.iter().copied().filter(|s| s.pos_kind() == Some(PosKind::Klk)).collect();
    let mut probes = probe_klk(tenant, &klk_stores).await;
    for s in stores.iter().filter(|s| s.pos_kind() == Some(PosKind::Stellar)) {
        probes.push(probe_stellar(tenant, s).await);
    }
    CheckReport::of(probes)
}

impl CheckReport {
    /// The probes by location id, with the share connected.
    fn of(mut probes: Vec<Probe>) -> CheckReport {
        probes.sort_by(|a, b| a.ubicacion_id.cmp(&b.ubicacion_id));
        let total = probes.len();
        let conectadas = probes.iter().filter(|p| p.conectada).count();
        let porcentaje = if total == 0 { 0.0 } else { crate::domain::sales::round_half_away(conectadas as f64 * 100.0 / total as f64, 1) };
        CheckReport { ubicaciones: probes, conectadas, total, porcentaje }
    }
}

/// Checks one location with the probes of [`check_all`]. Inactive locations are probed too,
/// so a store can be tested before its go-live.
pub async fn check_one(tenant: &Tenant, store_id: &str) -> Result<Probe, CheckError> {
    let store = tenant.stores().iter().find(|s| s.id == store_id).ok_or_else(|| CheckError::UnknownLocation(store_id.to_string()))?;
    match store.pos_kind() {
        Some(PosKind::Klk) => probe_klk(tenant, &[store]).await.into_iter().next().ok_or_else(|| CheckError::NoConnector(store.id.clone())),
        Some(PosKind::Stellar) => Ok(probe_stellar(tenant, store).await),
        _ => Err(CheckError::NoConnector(store.id.clone())),
    }
}

fn failed(s: &Store, pos: PosKind, error: &str) -> Probe {
    Probe {
        ubicacion_id: s.id.clone(),
        nombre: s.name.clone(),
        sistema: pos.id().into(),
        conectada: false,
        latencia_ms: None,
        error: Some(error.into()),
    }
}

/// KLK: one `pisoventa` listing shared by the given locations plus one `Reposicion` listing
/// per branch; one probe per location, in the given order.
async fn probe_klk(tenant: &Tenant, klk_stores: &[&Store]) -> Vec<Probe> {
    if klk_stores.is_empty() {
        return Vec::new();
    }
    let client = tenant.file.pos.klk.as_ref().map(|p| {
        let mut s = KlkSettings::from_config(p, &tenant.secrets);
        s.max_attempts = 1;
        KlkClient::new(s)
    });
    let Some(Ok(client)) = client else {
        return klk_stores.iter().map(|s| failed(s, PosKind::Klk, "falta [pos.klk] o la URL no es válida")).collect();
    };
    let listed = klk_listings(&client, klk_stores).await;
    klk_stores.iter().map(|s| klk_probe(s, &listed)).collect()
}

/// What KLK lists: whether (and how fast) `pisoventa` answered, and the warehouses known
/// per branch (`None` = listed without branch).
struct KlkListed {
    piso: Result<(), String>,
    latency_ms: u64,
    by_branch: BTreeMap<Option<String>, BTreeSet<String>>,
}

/// The union of `pisoventa` and, when it answered, each branch's `Reposicion` listing.
async fn klk_listings(client: &KlkClient, klk_stores: &[&Store]) -> KlkListed {
    let mut stats = CallStats::default();
    let started = Instant::now();
    let piso = client.almacenes_pisoventa(CHECK_TIMEOUT, &mut stats).await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let mut by_branch: BTreeMap<Option<String>, BTreeSet<String>> = BTreeMap::new();
    let mut add = |list: &[KlkWarehouse]| {
        for w in list {
            if let Some(code) = &w.codigo_almacen {
                by_branch.entry(w.codigo_sucursal.clone()).or_default().insert(code.trim().to_string());
            }
        }
    };
    if let Ok(list) = &piso {
        add(list)
    }
    if piso.is_ok() {
        let branches: BTreeSet<String> = klk_stores.iter().filter_map(|s| s.klk.as_ref().and_then(|k| k.sucursal.clone())).collect();
        for b in branches {
            let mut st = CallStats::default();
            if let Ok(list) = client.almacenes_reposicion(Some(&b), CHECK_TIMEOUT, &mut st).await {
                // The listing is for branch b even when rows omit the branch code.
                let fixed: Vec<KlkWarehouse> = list
                    .into_iter()
                    .map(|mut w| {
                        w.codigo_sucursal.get_or_insert_with(|| b.clone());
                        w
                    })
                    .collect();
                add(&fixed);
            }
        }
    }
    KlkListed { piso: piso.map(|_| ()).map_err(|e| e.to_string()), latency_ms, by_branch }
}

/// One KLK location: connected when its configured warehouses are listed for its branch.
fn klk_probe(s: &Store, listed: &KlkListed) -> Probe {
    let (conectada, error) = match &listed.piso {
        Err(e) => (false, Some(e.clone())),
        Ok(()) => {
            let k = s.klk.as_ref();
            let branch = k.and_then(|k| k.sucursal.clone());
            let mut wanted: BTreeSet<String> =
                k.map(|k| k.almacenes.iter().filter(|a| a.activo).map(|a| a.codigo.clone()).collect()).unwrap_or_default();
            if let Some(a) = k.and_then(|k| k.almacen_ventas.clone()) {
                wanted.insert(a);
            }
            let known: BTreeSet<String> = match &branch {
                Some(b) => listed.by_branch.get(&Some(b.clone())).cloned().unwrap_or_default(),
                // A location without branch (a CEDI): any listing will do.
                None => listed.by_branch.values().flatten().cloned().collect(),
            };
            let missing: Vec<&String> = wanted.iter().filter(|w| !known.contains(*w)).collect();
            if missing.is_empty() {
                (true, None)
            } else {
                (
                    false,
                    Some(format!(
                        "almacén(es) {} no figuran para la sucursal {} en KLK",
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                        branch.as_deref().unwrap_or("—")
                    )),
                )
            }
        }
    };
    Probe {
        ubicacion_id: s.id.clone(),
        nombre: s.name.clone(),
        sistema: PosKind::Klk.id().into(),
        conectada,
        latencia_ms: listed.piso.is_ok().then_some(listed.latency_ms),
        error,
    }
}

/// Stellar: TCP connect, login and `SELECT 1`.
async fn probe_stellar(tenant: &Tenant, s: &Store) -> Probe {
    let Some(mut settings) = StellarSettings::for_store(tenant, s) else {
        return failed(s, PosKind::Stellar, "configuración Stellar o credenciales incompletas");
    };
    settings.timeout = CHECK_TIMEOUT;
    let r = tokio::time::timeout(CHECK_TIMEOUT * 2, stellar::ping(&settings)).await;
    let (conectada, latencia_ms, error) = match r {
        Ok(Ok(d)) => (true, Some(d.as_millis() as u64), None),
        Ok(Err(e)) => (false, None, Some(e.to_string())),
        Err(_) => (false, None, Some("tiempo agotado".into())),
    };
    Probe { ubicacion_id: s.id.clone(), nombre: s.name.clone(), sistema: PosKind::Stellar.id().into(), conectada, latencia_ms, error }
}
