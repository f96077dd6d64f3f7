//! *Administrador → Tiendas* (spec 50 §7.4), capability `admin.sistema`: every location of
//! tenant.toml (stores and CEDIs, active or not), read-only — identity, POS connection and
//! hours are ops-owned in tenant.toml — with its warehouses, last loads and effective stock
//! parameters, and a per-location connection test that reuses the ETL's connectivity check.
//! Secrets (passwords, API keys, credential names) never leave the server.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::error::ApiError;
use super::locations::{resolve_stock_params, ParamsOrigin, StockMultipliers};
use super::metrics::parse_utc;
use super::session::AuthUser;
use super::AppState;
use crate::config::{PosKind, Store, Tenant};
use crate::domain::replenishment::PerClass;
use crate::domain::stock_params::ResolvedStockParams;
use crate::etl::check::{self, CheckError};
use crate::etl::history;

#[derive(Debug, Serialize)]
pub struct StoresResponse {
    total: usize,
    /// Regions of tenant.toml, in the order the list is grouped by.
    regiones: Vec<RegionRow>,
    ubicaciones: Vec<StoreRow>,
}

#[derive(Debug, Serialize)]
struct RegionRow {
    id: String,
    nombre: String,
}

#[derive(Debug, Serialize)]
struct StoreRow {
    id: String,
    nombre: String,
    tipo: String,
    region: String,
    ciudad: Option<String>,
    activo: bool,
    sistema_pos: String,
    /// Whether the location has a POS connector to test.
    tiene_conector: bool,
    klk: Option<KlkRow>,
    stellar: Option<StellarRow>,
    almacenes: Vec<AlmacenRow>,
    hora_apertura: String,
    hora_cierre: String,
    visible_pedidos: bool,
    visible_reportes: bool,
    visible_dashboards: bool,
    fecha_go_live: Option<String>,
    /// Regions a CEDI replenishes.
    sirve_regiones: Vec<String>,
    /// End of the last successful load, tenant-local time.
    ultima_carga_inventario: Option<NaiveDateTime>,
    ultima_carga_ventas: Option<NaiveDateTime>,
    parametros_stock: StockParamsRow,
}

#[derive(Debug, Serialize)]
struct KlkRow {
    sucursal: Option<String>,
    almacen_ventas: Option<String>,
}

/// The SQL Server a Stellar location is read from (no credentials).
#[derive(Debug, Serialize)]
struct StellarRow {
    /// `host:puerto`.
    servidor: Option<String>,
    host: Option<String>,
    puerto: u16,
    base_datos: String,
    codigo_deposito: Option<String>,
}

#[derive(Debug, Serialize)]
struct AlmacenRow {
    codigo: String,
    nombre: String,
    tipo: String,
    incluir_en_deficit: bool,
    activo: bool,
}

#[derive(Debug, Serialize)]
struct StockParamsRow {
    fuente: ParamsOrigin,
    lead_time_dias: f64,
    cobertura_dias: PerClass<f64>,
    /// The 15 values of `GET /api/ubicaciones/{id}/stock-params`.
    #[serde(flatten)]
    valores: StockMultipliers,
}

fn stellar_row(tenant: &Tenant, s: &Store) -> Option<StellarRow> {
    let st = s.stellar.as_ref()?;
    let pos = tenant.file.pos.stellar.as_ref();
    let puerto = st.port.or(pos.map(|p| p.default_port)).unwrap_or(1433);
    let base_datos = st.database.clone().or(pos.map(|p| p.default_database.clone())).unwrap_or_else(|| "VAD10".into());
    Some(StellarRow {
        servidor: st.host.as_ref().map(|h| format!("{h}:{puerto}")),
        host: st.host.clone(),
        puerto,
        base_datos,
        codigo_deposito: st.codigo_deposito.clone(),
    })
}

fn store_row(
    tenant: &Tenant,
    s: &Store,
    params: (ResolvedStockParams, ParamsOrigin),
    loads: &HashMap<(String, String), NaiveDateTime>,
) -> StoreRow {
    let (apertura, cierre) = s.hours();
    let (resolved, fuente) = params;
    let load = |job: &str| loads.get(&(job.to_string(), s.id.clone())).copied();
    StoreRow {
        id: s.id.clone(),
        nombre: s.name.clone(),
        tipo: s.kind.clone(),
        region: s.region.clone(),
        ciudad: s.city.clone(),
        activo: s.active,
        sistema_pos: s.pos.clone(),
        tiene_conector: s.pos_kind().is_some_and(PosKind::is_extracted),
        klk: s.klk.as_ref().map(|k| KlkRow { sucursal: k.sucursal.clone(), almacen_ventas: k.almacen_ventas.clone() }),
        stellar: stellar_row(tenant, s),
        almacenes: s
            .warehouses()
            .map(|a| AlmacenRow {
                codigo: a.codigo.clone(),
                nombre: a.nombre.clone(),
                tipo: a.tipo.clone(),
                incluir_en_deficit: a.incluir_en_deficit,
                activo: a.activo,
            })
            .collect(),
        hora_apertura: apertura,
        hora_cierre: cierre,
        visible_pedidos: s.visible_pedidos.unwrap_or(s.is_cedi()),
        visible_reportes: s.visible_reportes,
        visible_dashboards: s.visible_dashboards,
        fecha_go_live: s.go_live.clone(),
        sirve_regiones: s.serves_regions.clone(),
        ultima_carga_inventario: load("inventario"),
        ultima_carga_ventas: load("ventas"),
        parametros_stock: StockParamsRow {
            fuente,
            lead_time_dias: resolved.lead_time_dias,
            cobertura_dias: resolved.cobertura_dias,
            valores: StockMultipliers::from(&resolved.dias),
        },
    }
}

/// Regions in tenant.toml order, then any other region a location names, alphabetically.
fn region_order(tenant: &Tenant) -> Vec<RegionRow> {
    let mut out: Vec<RegionRow> = tenant.file.regions.iter().map(|r| RegionRow { id: r.id.clone(), nombre: r.name.clone() }).collect();
    let mut extra: Vec<String> = tenant.stores().iter().map(|s| s.region.clone()).filter(|r| !out.iter().any(|o| &o.id == r)).collect();
    extra.sort();
    extra.dedup();
    out.extend(extra.into_iter().map(|id| RegionRow { nombre: id.clone(), id }));
    out
}

/// `GET /api/admin/tiendas`: every location grouped by region (stores, then CEDIs, by name).
pub async fn list(State(state): State<AppState>) -> Result<Json<StoresResponse>, ApiError> {
    let tenant = state.tenant.clone();
    let (params, successes) = state
        .with_app_db(move |conn| {
            let params: Vec<_> = tenant.stores().iter().map(|s| resolve_stock_params(conn, s)).collect();
            let successes = history::last_location_successes(conn).map_err(ApiError::internal)?;
            Ok((params, successes))
        })
        .await?;
    let tz = state.tenant.timezone;
    let loads: HashMap<(String, String), NaiveDateTime> =
        successes.into_iter().filter_map(|(job, id, at)| parse_utc(&at).map(|t| ((job, id), t.with_timezone(&tz).naive_local()))).collect();
    let regiones = region_order(&state.tenant);
    let mut rows: Vec<StoreRow> = state.tenant.stores().iter().zip(params).map(|(s, p)| store_row(&state.tenant, s, p, &loads)).collect();
    let rank = |r: &StoreRow| regiones.iter().position(|g| g.id == r.region).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| (a.tipo == "cedi").cmp(&(b.tipo == "cedi"))).then_with(|| a.nombre.cmp(&b.nombre))
    });
    Ok(Json(StoresResponse { total: rows.len(), regiones, ubicaciones: rows }))
}

/// The result of one connection test (spec 50 §7.4).
#[derive(Debug, Serialize)]
pub struct ProbeResponse {
    ubicacion_id: String,
    /// Every step succeeded (KLK: the API answered and lists the configured warehouses;
    /// Stellar: TCP connect, login and `SELECT 1`).
    accesible: bool,
    tiempo_respuesta_ms: Option<u64>,
    error: Option<String>,
}

/// `POST /api/admin/tiendas/{id}/probar`: tests one location's POS connection now (audited).
pub async fn probe(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<ProbeResponse>, ApiError> {
    let id = id.trim().to_string();
    let probe = check::check_one(&state.tenant, &id).await.map_err(|e| {
        let code = match e {
            CheckError::UnknownLocation(_) => "ubicacion_desconocida",
            CheckError::NoConnector(_) => "sin_conector_pos",
        };
        ApiError::Unprocessable { code, field: "ubicacion_id".into(), message: e.to_string() }
    })?;
    let body = ProbeResponse {
        ubicacion_id: probe.ubicacion_id,
        accesible: probe.conectada,
        tiempo_respuesta_ms: probe.latencia_ms,
        error: probe.error,
    };
    let detalle = serde_json::json!({
        "sistema": probe.sistema, "accesible": body.accesible, "tiempo_respuesta_ms": body.tiempo_respuesta_ms, "error": body.error,
    });
    state.with_app_db(move |conn| user.audit(conn, "probar_conexion", "ubicacion", &id, detalle)).await?;
    Ok(Json(body))
}
