//! *Inventario de una ubicación* (spec 40 §7.2): `GET /api/stock` and its Excel export.
//! Store managers see only their stores (and the CEDIs).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, visible_location, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::domain::inventory::{Activity, StockState, Velocity};
use crate::domain::replenishment::AbcClass;
use crate::inventory::{self, Filter, InventoryError, PageStats, Sort, StockPresence, Table};

impl From<InventoryError> for ApiError {
    fn from(e: InventoryError) -> Self {
        match e {
            InventoryError::UnknownLocation(_) => ApiError::Validation { field: "ubicacion_id".into(), message: e.to_string() },
            InventoryError::AppDb(e) => e.into(),
            InventoryError::Warehouse(e) => e.into(),
            InventoryError::WarehouseOpen(e) => e.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockQuery {
    ubicacion_id: Option<String>,
    /// Business date the windows end before (default today; never in the future).
    fecha: Option<String>,
    almacen: Option<String>,
    categoria: Option<String>,
    marca: Option<String>,
    search: Option<String>,
    estado: Option<String>,
    clasificacion: Option<String>,
    abc: Option<String>,
    top: Option<i64>,
    velocidad: Option<String>,
    stock_cedi: Option<String>,
    stock_tienda: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

fn parsed<T>(field: &str, v: Option<String>, parse: impl Fn(&str) -> Option<T>, allowed: &str) -> Result<Option<T>, ApiError> {
    match non_empty(v) {
        None => Ok(None),
        Some(s) => parse(&s).map(Some).ok_or_else(|| invalid(field, format!("Valor «{s}» desconocido para {field} ({allowed})"))),
    }
}

fn presence(field: &str, v: Option<String>) -> Result<Option<StockPresence>, ApiError> {
    parsed(
        field,
        v,
        |s| match s.to_ascii_uppercase().as_str() {
            "CON_STOCK" => Some(StockPresence::With),
            "SIN_STOCK" => Some(StockPresence::Without),
            _ => None,
        },
        "CON_STOCK o SIN_STOCK",
    )
}

/// The `fecha` parameter: an earlier business date, or today when absent.
fn business_date(fecha: Option<String>, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    let Some(s) = non_empty(fecha) else { return Ok(today) };
    let d = super::saved_orders::parse_date("fecha", &s)?;
    if d > today {
        return Err(invalid("fecha", format!("La fecha {d} es posterior a hoy ({today})")));
    }
    Ok(d)
}

impl StockQuery {
    fn location(&self) -> Result<String, ApiError> {
        non_empty(self.ubicacion_id.clone()).ok_or_else(|| invalid("ubicacion_id", "Indique la ubicación (ubicacion_id)"))
    }

    fn date(&self, today: NaiveDate) -> Result<NaiveDate, ApiError> {
        business_date(self.fecha.clone(), today)
    }

    fn filter(self) -> Result<Filter, ApiError> {
        let page = self.page.unwrap_or(1);
        if page < 1 {
            return Err(invalid("page", "page empieza en 1"));
        }
        let page_size = self.page_size.unwrap_or(50);
        if !(1..=100_000).contains(&page_size) {
            return Err(invalid("page_size", "page_size debe estar entre 1 y 100000"));
        }
        if self.top.is_some_and(|t| !(1..=100_000).contains(&t)) {
            return Err(invalid("top", "top debe estar entre 1 y 100000"));
        }
        let sort = parsed(
            "sort_by",
            self.sort_by,
            |s| match s {
                "stock" => Some(Sort::Stock),
                "dias_stock" => Some(Sort::DiasStock),
                "rank_ventas" => Some(Sort::RankVentas),
                "peso" => Some(Sort::Peso),
                "volumen" => Some(Sort::Volumen),
                _ => None,
            },
            "stock, dias_stock, rank_ventas, peso o volumen",
        )?
        .unwrap_or_default();
        let descending = parsed(
            "sort_order",
            self.sort_order,
            |s| match s {
                "asc" => Some(false),
                "desc" => Some(true),
                _ => None,
            },
            "asc o desc",
        )?
        .unwrap_or(true);
        let abc = parsed(
            "abc",
            self.abc,
            |s| match s.to_ascii_uppercase().as_str() {
                "SIN_VENTAS" => Some(None),
                other => AbcClass::parse(other).map(Some),
            },
            "A, B, C, D o SIN_VENTAS",
        )?;
        Ok(Filter {
            almacen: non_empty(self.almacen),
            categoria: non_empty(self.categoria),
            marca: non_empty(self.marca),
            search: non_empty(self.search),
            estado: parsed("estado", self.estado, StockState::parse, "CRITICO, URGENTE, OPTIMO, EXCESO o SIN_DEMANDA")?,
            clasificacion: parsed("clasificacion", self.clasificacion, Activity::parse, "FANTASMA, ANOMALIA, DORMIDO o ACTIVO")?,
            abc,
            top: self.top.map(|t| t as i32),
            velocidad: parsed("velocidad", self.velocidad, Velocity::parse, "SIN_VENTAS, BAJA, MEDIA, ALTA o MUY_ALTA")?,
            stock_cedi: presence("stock_cedi", self.stock_cedi)?,
            stock_tienda: presence("stock_tienda", self.stock_tienda)?,
            sort,
            descending,
            page: page as usize,
            page_size: page_size as usize,
        })
    }
}

#[derive(Serialize)]
pub struct Warehouse {
    codigo: String,
    nombre: String,
}

/// The values the screen's pickers offer for this location.
#[derive(Serialize)]
pub struct Choices {
    almacenes: Vec<Warehouse>,
    categorias: BTreeSet<String>,
    marcas: BTreeSet<String>,
}

#[derive(Serialize)]
pub struct StockPage<'a> {
    ubicacion_id: &'a str,
    ubicacion_nombre: &'a str,
    es_cedi: bool,
    fecha: NaiveDate,
    items: Vec<&'a inventory::InventoryLine>,
    page: usize,
    page_size: usize,
    total_pages: usize,
    estadisticas: PageStats,
    opciones: Choices,
}

fn choices(t: &Table) -> Choices {
    let mut almacenes: Vec<Warehouse> = Vec::new();
    let (mut categorias, mut marcas) = (BTreeSet::new(), BTreeSet::new());
    for l in &t.lines {
        if !almacenes.iter().any(|a| a.codigo == l.almacen_codigo.as_str()) {
            almacenes.push(Warehouse { codigo: l.almacen_codigo.to_string(), nombre: l.almacen_nombre.to_string() });
        }
        if let Some(c) = &l.categoria {
            if !categorias.contains(c.as_str()) {
                categorias.insert(c.to_string());
            }
        }
        if let Some(m) = &l.marca {
            if !marcas.contains(m.as_str()) {
                marcas.insert(m.to_string());
            }
        }
    }
    almacenes.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    Choices { almacenes, categorias, marcas }
}

/// The location's table (computed, or kept from the last request while nothing changed).
async fn table(state: &AppState, user: &AuthUser, location: String, fecha: NaiveDate) -> Result<Arc<Table>, ApiError> {
    let location = visible_location(state, user, &location)?;
    let st = state.clone();
    tokio::task::spawn_blocking(move || -> Result<Arc<Table>, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(st.inventory_tables.get(&st.tenant, &app, &st.warehouse, &location, fecha)?)
    })
    .await?
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<StockQuery>,
) -> Result<axum::response::Response, ApiError> {
    let location = q.location()?;
    let fecha = q.date(state.tenant.today())?;
    let filter = q.filter()?;
    let t = table(&state, &user, location, fecha).await?;
    let p = inventory::page(&t.lines, &filter);
    let nombre = state.tenant.location_name(&t.ubicacion_id);
    let body = StockPage {
        ubicacion_id: &t.ubicacion_id,
        ubicacion_nombre: &nombre,
        es_cedi: t.es_cedi,
        fecha: t.fecha,
        items: p.items,
        page: p.page,
        page_size: p.page_size,
        total_pages: p.total_pages,
        estadisticas: p.estadisticas,
        opciones: choices(&t),
    };
    Ok(Json(body).into_response())
}

/// Every row the filters keep (no paging), as `.xlsx`.
pub async fn export(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<StockQuery>,
) -> Result<axum::response::Response, ApiError> {
    let location = q.location()?;
    let fecha = q.date(state.tenant.today())?;
    let filter = q.filter()?;
    let t = table(&state, &user, location, fecha).await?;
    let name = state.tenant.location_name(&t.ubicacion_id);
    let (bytes, file) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, String), ApiError> {
        let (rows, _) = inventory::filtered(&t.lines, &filter);
        let bytes = inventory::table_xlsx(&name, t.fecha, &rows).map_err(ApiError::internal)?;
        Ok((bytes, inventory::file_name(&t.ubicacion_id, t.fecha)))
    })
    .await??;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthQuery {
    /// CON_STOCK, SIN_STOCK or absent (all rows).
    stock_cedi: Option<String>,
    fecha: Option<String>,
}

#[derive(Serialize)]
pub struct Health {
    ubicacion_id: String,
    fecha: NaiveDate,
    bloques: Vec<inventory::HealthBlock>,
}

/// *Salud del Inventario* (spec 40 §7.3): per class, A+B and the whole location, the rows in
/// each state, their weight and volume, and the health score with and without the rows
/// without demand.
pub async fn health(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    axum::extract::Path(location): axum::extract::Path<String>,
    QueryParams(q): QueryParams<HealthQuery>,
) -> Result<Json<Health>, ApiError> {
    let fecha = business_date(q.fecha, state.tenant.today())?;
    let cedi_stock = presence("stock_cedi", q.stock_cedi)?;
    let t = table(&state, &user, location, fecha).await?;
    Ok(Json(Health { ubicacion_id: t.ubicacion_id.clone(), fecha: t.fecha, bloques: inventory::health(&t.lines, cedi_stock) }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductWindow {
    ubicacion_id: String,
    /// History: days back (default 7, at most 90). Reconciliation: hours (default 24, at most 168).
    dias: Option<i64>,
    horas: Option<i64>,
}

pub async fn product_history(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    axum::extract::Path(code): axum::extract::Path<String>,
    QueryParams(q): QueryParams<ProductWindow>,
) -> Result<Json<inventory::history::History>, ApiError> {
    let loc = visible_location(&state, &user, &q.ubicacion_id)?;
    let days = q.dias.unwrap_or(7);
    if !(1..=90).contains(&days) {
        return Err(invalid("dias", "dias va de 1 a 90"));
    }
    let now = state.tenant.now_local();
    let st = state.clone();
    let h = tokio::task::spawn_blocking(move || inventory::history::history(&st.warehouse, &loc, code.trim(), days * 24, now)).await??;
    Ok(Json(h))
}

pub async fn product_reconciliation(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    axum::extract::Path(code): axum::extract::Path<String>,
    QueryParams(q): QueryParams<ProductWindow>,
) -> Result<Json<inventory::history::Reconciliation>, ApiError> {
    let loc = visible_location(&state, &user, &q.ubicacion_id)?;
    let hours = q.horas.unwrap_or(24);
    if !(2..=168).contains(&hours) {
        return Err(invalid("horas", "horas va de 2 a 168"));
    }
    let now = state.tenant.now_local();
    let st = state.clone();
    let r = tokio::task::spawn_blocking(move || inventory::history::reconciliation(&st.warehouse, &loc, code.trim(), hours, now)).await??;
    Ok(Json(r))
}

/// `GET /api/ubicaciones/summary-regional`: the Inventarios landing's health per region,
/// location and almacén (spec 50 §7.2). A store manager sees his stores and the CEDIs, and
/// the regions' figures over them.
pub async fn inventory_regional(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Json<crate::inventory::regional::RegionalSummary>, ApiError> {
    let (st, today) = (state.clone(), state.tenant.today());
    let summary = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let visible = |id: &str, is_cedi: bool| user.sees_location(id, is_cedi);
        Ok(crate::inventory::regional::summary(&st.tenant, &app, &st.warehouse, &st.inventory_tables, &visible, today)?)
    })
    .await??;
    Ok(Json(summary))
}

/// One location's (or almacén's) stock health, flat (`GET /api/ubicaciones/summary`).
#[derive(Serialize)]
pub struct LocationHealthRow {
    region: String,
    ubicacion_id: String,
    nombre: String,
    tipo: &'static str,
    almacen_codigo: Option<String>,
    almacen_nombre: Option<String>,
    #[serde(flatten)]
    salud: crate::domain::inventory_health::Health,
}

/// `GET /api/ubicaciones/summary`: the regional summary's locations and almacenes as rows.
pub async fn inventory_per_location(state: State<AppState>, user: Extension<AuthUser>) -> Result<Json<Vec<LocationHealthRow>>, ApiError> {
    let Json(r) = inventory_regional(state, user).await?;
    let mut rows = Vec::new();
    for g in r.regiones {
        for u in g.ubicaciones {
            for a in &u.almacenes {
                rows.push(LocationHealthRow {
                    region: g.region.clone(),
                    ubicacion_id: u.ubicacion_id.clone(),
                    nombre: u.nombre.clone(),
                    tipo: u.tipo,
                    almacen_codigo: Some(a.almacen_codigo.clone()),
                    almacen_nombre: Some(a.almacen_nombre.clone()),
                    salud: a.salud.clone(),
                });
            }
            rows.push(LocationHealthRow {
                region: g.region.clone(),
                ubicacion_id: u.ubicacion_id,
                nombre: u.nombre,
                tipo: u.tipo,
                almacen_codigo: None,
                almacen_nombre: None,
                salud: u.salud,
            });
        }
    }
    Ok(Json(rows))
}
