//! BI product profitability over HTTP (spec 40 §3.4, §3.6; `/api/bi/…`, capability `bi.ver`,
//! feature `bi`). `fecha_fin` (default yesterday) is the last day of the 30-day window.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::bi_stores::region_param;
use super::body::QueryParams;
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::AppState;
use crate::bi::inventory::{self, InventoryRanking, Metric, StoreKpis};
use crate::bi::products::{self, Matrix, MatrixQuery, ProductList, Profitability, TopOrder, TopProducts};
use crate::domain::bi_products::Quadrant;

fn fin(s: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    s.filter(|s| !s.is_empty()).map(|s| parse_date("fecha_fin", s)).transpose()
}

fn store_param(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixParams {
    fecha_fin: Option<String>,
    ubicacion_id: Option<String>,
    familia: Option<String>,
    cuadrante: Option<String>,
    limite: Option<usize>,
}

/// `GET /api/bi/products/matrix?ubicacion_id&familia&cuadrante&limite=500` (max 2000).
pub async fn matrix(State(state): State<AppState>, QueryParams(q): QueryParams<MatrixParams>) -> Result<Json<Matrix>, ApiError> {
    let cuadrante = match q.cuadrante.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Quadrant::parse(s).ok_or_else(|| ApiError::Validation {
            field: "cuadrante".into(),
            message: format!("Cuadrante «{s}» desconocido (ESTRELLA, NICHO, VACA o PERRO)"),
        })?),
    };
    let query = MatrixQuery {
        fin: fin(q.fecha_fin.as_deref())?,
        ubicacion_id: store_param(q.ubicacion_id),
        familia: q.familia.map(|f| f.trim().to_lowercase()).filter(|f| !f.is_empty()),
        cuadrante,
        limite: q.limite.unwrap_or(500),
    };
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(products::matrix(&st.tenant, &st.warehouse, &query)?) }).await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    fecha_fin: Option<String>,
    ubicacion_id: Option<String>,
    limite: Option<usize>,
}

/// `GET /api/bi/products/stars?ubicacion_id&limite=20` (max 100).
pub async fn stars(State(state): State<AppState>, QueryParams(q): QueryParams<ListParams>) -> Result<Json<ProductList>, ApiError> {
    let (f, store, limite) = (fin(q.fecha_fin.as_deref())?, store_param(q.ubicacion_id), q.limite.unwrap_or(20));
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(products::stars(&st.tenant, &st.warehouse, f, store.as_deref(), limite)?)
        })
        .await??,
    ))
}

/// `GET /api/bi/products/eliminate?ubicacion_id&limite=20` (max 100).
pub async fn eliminate(State(state): State<AppState>, QueryParams(q): QueryParams<ListParams>) -> Result<Json<ProductList>, ApiError> {
    let (f, store, limite) = (fin(q.fecha_fin.as_deref())?, store_param(q.ubicacion_id), q.limite.unwrap_or(20));
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(products::removal_candidates(&st.tenant, &st.warehouse, f, store.as_deref(), limite)?)
        })
        .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfitParams {
    fecha_fin: Option<String>,
    region: Option<String>,
}

/// `GET /api/bi/profitability/by-category?region` — by storage family.
pub async fn by_family(State(state): State<AppState>, QueryParams(q): QueryParams<ProfitParams>) -> Result<Json<Profitability>, ApiError> {
    let (f, region) = (fin(q.fecha_fin.as_deref())?, region_param(q.region));
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(products::profitability(&st.tenant, &st.warehouse, f, region.as_deref())?)
        })
        .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopParams {
    fecha_fin: Option<String>,
    region: Option<String>,
    orden: Option<String>,
    limite: Option<usize>,
}

/// `GET /api/bi/profitability/top-products?orden=utilidad_total|margen_pct|gmroi&limite=20&region`.
pub async fn top_products(State(state): State<AppState>, QueryParams(q): QueryParams<TopParams>) -> Result<Json<TopProducts>, ApiError> {
    let orden = match q.orden.as_deref().filter(|s| !s.is_empty()) {
        None => TopOrder::UtilidadTotal,
        Some(s) => TopOrder::parse(s).ok_or_else(|| ApiError::Validation {
            field: "orden".into(),
            message: format!("orden «{s}» desconocido (utilidad_total, margen_pct o gmroi)"),
        })?,
    };
    let (f, region, limite) = (fin(q.fecha_fin.as_deref())?, region_param(q.region), q.limite.unwrap_or(20));
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(products::top_products(&st.tenant, &st.warehouse, f, region.as_deref(), orden, limite)?)
        })
        .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreRankingParams {
    fecha_fin: Option<String>,
    metrica: Option<String>,
    region: Option<String>,
}

/// `GET /api/bi/stores/ranking?metrica=gmroi|ventas|rotacion|stock&region` (default gmroi).
pub async fn store_ranking(
    State(state): State<AppState>,
    QueryParams(q): QueryParams<StoreRankingParams>,
) -> Result<Json<InventoryRanking>, ApiError> {
    let metrica = match q.metrica.as_deref().filter(|s| !s.is_empty()) {
        None => Metric::Gmroi,
        Some(s) => Metric::parse(s).ok_or_else(|| ApiError::Validation {
            field: "metrica".into(),
            message: format!("metrica «{s}» desconocida (gmroi, ventas, rotacion o stock)"),
        })?,
    };
    let (f, region) = (fin(q.fecha_fin.as_deref())?, region_param(q.region));
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
            Ok(inventory::ranking(&st.tenant, &st.warehouse, f, metrica, region.as_deref())?)
        })
        .await??,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpisParams {
    fecha_fin: Option<String>,
}

/// `GET /api/bi/store/{u}/kpis` — one store's KPI card.
pub async fn store_kpis(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    QueryParams(q): QueryParams<KpisParams>,
) -> Result<Json<StoreKpis>, ApiError> {
    let f = fin(q.fecha_fin.as_deref())?;
    let st = state.clone();
    Ok(Json(
        tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(inventory::store_kpis(&st.tenant, &st.warehouse, &id, f)?) })
            .await??,
    ))
}
