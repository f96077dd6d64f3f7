//! *Análisis Maestro* and the product 360° view (spec 50 §9.3): `GET
//! /api/productos/analisis-maestro[/resumen]` and `GET /api/productos/{codigo}/detalle-completo`.
//! A store manager sees his stores only.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, product_code, visible_stores, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::domain::inventory::MasterState;
use crate::inventory::master::{self, MasterRow, ProductView, Summary};
use crate::inventory::Table;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MasterQuery {
    ubicacion_id: String,
    estado: Option<String>,
    abc: Option<String>,
    search: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

/// A store's kept inventory table (Análisis Maestro is per store: a CEDI has no sales).
async fn store_table(state: &AppState, user: &AuthUser, id: &str) -> Result<Arc<Table>, ApiError> {
    let id = id.trim();
    let Some(store) = state.tenant.stores().iter().find(|s| s.id == id && s.active) else {
        return Err(invalid("ubicacion_id", format!("«{id}» no es una ubicación activa")));
    };
    if store.is_cedi() {
        return Err(invalid("ubicacion_id", format!("{} es un CEDI: el análisis maestro es por tienda", store.name)));
    }
    user.check_location(&store.id, false)?;
    let (st, id, today) = (state.clone(), store.id.clone(), state.tenant.today());
    tokio::task::spawn_blocking(move || -> Result<Arc<Table>, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(st.inventory_tables.get(&st.tenant, &app, &st.warehouse, &id, today)?)
    })
    .await?
}

/// `GET /api/productos/analisis-maestro/resumen?ubicacion_id=`.
pub async fn summary(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<StoreOnly>,
) -> Result<Json<Summary>, ApiError> {
    let t = store_table(&state, &user, &q.ubicacion_id).await?;
    Ok(Json(master::summary(&t, &master::rows(&t))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreOnly {
    ubicacion_id: String,
}

#[derive(Serialize)]
pub struct MasterPage {
    ubicacion_id: String,
    total: usize,
    page: usize,
    page_size: usize,
    total_pages: usize,
    items: Vec<MasterRow>,
}

/// `GET /api/productos/analisis-maestro?ubicacion_id&estado&abc&search&page&page_size`: the
/// products of a cell of the matrix (or all), class A first and the best sellers first.
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<MasterQuery>,
) -> Result<Json<MasterPage>, ApiError> {
    let estado = match non_empty(q.estado) {
        None => None,
        Some(e) => Some(MasterState::parse(&e).ok_or_else(|| invalid("estado", format!("Estado «{e}» desconocido")))?),
    };
    let abc = match non_empty(q.abc).map(|s| s.to_ascii_uppercase()) {
        None => None,
        Some(c) if ["A", "B", "C", "D", "SIN_CLASE"].contains(&c.as_str()) => Some(c),
        Some(c) => return Err(invalid("abc", format!("Clase «{c}» desconocida (A, B, C, D o SIN_CLASE)"))),
    };
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(invalid("page", "page empieza en 1"));
    }
    let page_size = q.page_size.unwrap_or(50);
    if !(1..=500).contains(&page_size) {
        return Err(invalid("page_size", "page_size debe estar entre 1 y 500"));
    }
    let search = non_empty(q.search).map(|s| s.to_lowercase());
    let t = store_table(&state, &user, &q.ubicacion_id).await?;
    let mut rows: Vec<MasterRow> = master::rows(&t)
        .into_iter()
        .filter(|r| estado.is_none_or(|e| r.estado == e))
        .filter(|r| abc.as_deref().is_none_or(|c| r.clase_abc.unwrap_or("SIN_CLASE") == c))
        .filter(|r| {
            search.as_deref().is_none_or(|s| r.codigo_producto.to_lowercase().contains(s) || r.descripcion.to_lowercase().contains(s))
        })
        .collect();
    rows.sort_by(|a, b| {
        let class = |r: &MasterRow| r.clase_abc.unwrap_or("Z");
        class(a).cmp(class(b)).then(b.unidades_30d.total_cmp(&a.unidades_30d)).then_with(|| a.codigo_producto.cmp(&b.codigo_producto))
    });
    let (page, size) = (page as usize, page_size as usize);
    let total = rows.len();
    let items: Vec<MasterRow> = rows.into_iter().skip((page - 1).saturating_mul(size)).take(size).collect();
    Ok(Json(MasterPage { ubicacion_id: t.ubicacion_id.clone(), total, page, page_size: size, total_pages: total.div_ceil(size), items }))
}

/// `GET /api/productos/{codigo}/detalle-completo`: the product in every store the caller
/// sees and every CEDI, with twelve weeks of sales.
pub async fn product_view(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
) -> Result<Json<ProductView>, ApiError> {
    let code = code.trim().to_string();
    if code.is_empty() || code.chars().count() > 50 || code.chars().any(char::is_control) {
        return Err(invalid("codigo", "Código de producto inválido"));
    }
    let stores: Vec<String> = state
        .tenant
        .stores()
        .iter()
        .filter(|s| s.active && !s.is_cedi() && user.sees_location(&s.id, false))
        .map(|s| s.id.clone())
        .collect();
    let (st, today) = (state.clone(), state.tenant.today());
    let view = tokio::task::spawn_blocking(move || -> Result<Option<ProductView>, ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(master::product_view(&st.tenant, &app, &st.warehouse, &st.inventory_tables, (&code, &stores), today)?)
    })
    .await??;
    view.map(Json).ok_or_else(|| ApiError::Missing("El producto no existe".into()))
}

#[derive(Serialize)]
pub struct ProductStores {
    codigo_producto: String,
    tiendas: Vec<master::StoreView>,
}

#[derive(Serialize)]
pub struct ProductWeeks {
    codigo_producto: String,
    semanas: Vec<master::Week>,
}

/// A valid product code of the path and the stores the caller sees; 404 for an unknown code.
fn product_and_stores(state: &AppState, user: &AuthUser, code: &str) -> Result<(String, Vec<String>), ApiError> {
    let code = product_code("codigo", code)?;
    let reader = state.warehouse.reader().map_err(ApiError::internal)?;
    if crate::warehouse::products::get(&reader, &code).map_err(ApiError::internal)?.is_none() {
        return Err(ApiError::Missing("El producto no existe".into()));
    }
    let stores = visible_stores(state, user);
    Ok((code, stores))
}

/// `GET /api/productos/{codigo}/detalle-tiendas`: the product in each store the caller sees.
pub async fn product_stores(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
) -> Result<Json<ProductStores>, ApiError> {
    let (st, today) = (state.clone(), state.tenant.today());
    tokio::task::spawn_blocking(move || -> Result<Json<ProductStores>, ApiError> {
        let (code, stores) = product_and_stores(&st, &user, &code)?;
        let app = crate::appdb::connect(&st.app_db_path)?;
        let tiendas = master::store_views(&st.tenant, &app, &st.warehouse, &st.inventory_tables, (&code, &stores), today)?;
        Ok(Json(ProductStores { codigo_producto: code, tiendas }))
    })
    .await?
}

/// `GET /api/productos/{codigo}/ventas-semanales`: twelve weeks ending yesterday over the
/// stores the caller sees.
pub async fn product_weeks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
) -> Result<Json<ProductWeeks>, ApiError> {
    let (st, today) = (state.clone(), state.tenant.today());
    tokio::task::spawn_blocking(move || -> Result<Json<ProductWeeks>, ApiError> {
        let (code, stores) = product_and_stores(&st, &user, &code)?;
        let semanas = master::weeks(&st.warehouse, &code, &stores, today)?;
        Ok(Json(ProductWeeks { codigo_producto: code, semanas }))
    })
    .await?
}
