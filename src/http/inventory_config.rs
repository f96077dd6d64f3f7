//! Inventory parameters (spec 30 §14–§15): read and validated updates. Every change is
//! audited with the real user.

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::error::ApiError;
use super::reply::{CreatedId, Detail};
use super::session::AuthUser;
use super::AppState;
use crate::appdb::inventory_settings::{self as settings, Invalid};
use crate::domain::replenishment::AbcModel;

impl From<Invalid> for ApiError {
    fn from(i: Invalid) -> Self {
        ApiError::Validation { field: i.field, message: i.message }
    }
}

/// A validated settings change: `apply` names the refused field, or the change is audited
/// under `accion` and answered with `detail`.
async fn change(
    state: &AppState,
    by: AuthUser,
    accion: &'static str,
    entidad_id: String,
    detalle: Value,
    detail: &'static str,
    apply: impl FnOnce(&rusqlite::Connection, &str) -> crate::appdb::Result<Result<(), Invalid>> + Send + 'static,
) -> Result<Json<Detail>, ApiError> {
    state
        .with_app_db(move |conn| {
            apply(conn, &by.username)??;
            by.audit(conn, accion, "config_inventario", &entidad_id, detalle)?;
            Ok(Json(Detail::new(detail)))
        })
        .await
}

/// A deactivation (deletes are soft): 404 when nothing active matched, else audited.
async fn deactivate(
    state: &AppState,
    by: AuthUser,
    accion: &'static str,
    entidad_id: String,
    detail: &'static str,
    apply: impl FnOnce(&rusqlite::Connection, &str) -> crate::appdb::Result<bool> + Send + 'static,
) -> Result<Json<Detail>, ApiError> {
    state
        .with_app_db(move |conn| {
            if !apply(conn, &by.username)? {
                return Err(ApiError::NotFound);
            }
            by.audit(conn, accion, "config_inventario", &entidad_id, json!({}))?;
            Ok(Json(Detail::new(detail)))
        })
        .await
}

fn store_must_exist(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.tenant.stores().iter().any(|s| s.id == id && s.active) {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The network's global parameters.
#[derive(Debug, Serialize, ToSchema)]
pub struct GlobalSettings {
    pub abc_ventana_dias: u32,
    pub lead_time: Option<f64>,
    pub limitar_por_stock_cedi: bool,
    pub llegada_completa_pct: f64,
    pub requiere_aprobacion: bool,
    pub transito_ventana_dias: u32,
    pub ventana_demanda_dias: Option<u32>,
    pub ventana_sigma_d: Option<u32>,
}

/// The service level of one ABC class.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassLevelRow {
    pub clase: String,
    pub descripcion: Option<String>,
    pub dias_cobertura: i64,
    pub nivel_servicio_pct: Option<f64>,
    pub z: f64,
}

/// A store's own parameters (null: the global value applies).
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreParamsRow {
    pub actualizado_en: String,
    pub actualizado_por: Option<String>,
    pub dias_cobertura_a: Option<i64>,
    pub dias_cobertura_b: Option<i64>,
    pub dias_cobertura_c: Option<i64>,
    pub dias_cobertura_d: Option<i64>,
    pub lead_time_override: Option<f64>,
    pub tienda_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RankingThresholds {
    pub umbral_a: u32,
    pub umbral_b: u32,
    pub umbral_c: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParetoThresholds {
    pub pareto_a_pct: f64,
    pub pareto_b_pct: f64,
}

/// `GET /api/config-inventario/parametros-abc`: everything the parameter screens show.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventorySettings {
    pub codigos_excluidos_abc: Vec<String>,
    pub globales: GlobalSettings,
    /// `ranking_volumen`, `ranking_valor`, `pareto_volumen` or `pareto_valor`.
    #[schema(value_type = String)]
    pub modelo_activo: AbcModel,
    pub niveles: Vec<ClassLevelRow>,
    pub tiendas: Vec<StoreParamsRow>,
    pub umbrales: RankingThresholds,
    pub umbrales_pareto: ParetoThresholds,
}

pub async fn get_all(State(state): State<AppState>) -> Result<Json<InventorySettings>, ApiError> {
    state
        .with_app_db(|conn| {
            let abc = settings::abc_settings(conn)?;
            let engine = settings::engine_settings(conn)?;
            let mut stmt = conn
                .prepare(
                    "SELECT clasificacion, factor_seguridad, nivel_servicio_pct, dias_cobertura_max, descripcion
                 FROM parametros_clasificacion ORDER BY clasificacion",
                )
                .map_err(crate::appdb::AppDbError::from)?;
            let levels: Vec<ClassLevelRow> = stmt
                .query_map([], |r| {
                    Ok(ClassLevelRow {
                        clase: r.get(0)?,
                        z: r.get(1)?,
                        nivel_servicio_pct: r.get(2)?,
                        dias_cobertura: r.get(3)?,
                        descripcion: r.get(4)?,
                    })
                })
                .map_err(crate::appdb::AppDbError::from)?
                .collect::<rusqlite::Result<_>>()
                .map_err(crate::appdb::AppDbError::from)?;
            let mut stmt = conn
                .prepare(
                    "SELECT tienda_id, lead_time_override, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c, dias_cobertura_d,
                            actualizado_por, actualizado_en FROM config_parametros_abc_tienda WHERE activo = 1 ORDER BY tienda_id",
                )
                .map_err(crate::appdb::AppDbError::from)?;
            let stores: Vec<StoreParamsRow> = stmt
                .query_map([], |r| {
                    Ok(StoreParamsRow {
                        tienda_id: r.get(0)?,
                        lead_time_override: r.get(1)?,
                        dias_cobertura_a: r.get(2)?,
                        dias_cobertura_b: r.get(3)?,
                        dias_cobertura_c: r.get(4)?,
                        dias_cobertura_d: r.get(5)?,
                        actualizado_por: r.get(6)?,
                        actualizado_en: r.get(7)?,
                    })
                })
                .map_err(crate::appdb::AppDbError::from)?
                .collect::<rusqlite::Result<_>>()
                .map_err(crate::appdb::AppDbError::from)?;
            let cfg = settings::param_config(conn, "")?;
            let orders = settings::order_settings(conn)?;
            Ok(Json(InventorySettings {
                codigos_excluidos_abc: abc.codigos_excluidos,
                globales: GlobalSettings {
                    abc_ventana_dias: abc.ventana_dias,
                    lead_time: cfg.global.lead_time,
                    limitar_por_stock_cedi: engine.limitar_por_stock_cedi,
                    llegada_completa_pct: orders.llegada_completa_pct,
                    requiere_aprobacion: orders.requiere_aprobacion,
                    transito_ventana_dias: orders.transito_ventana_dias,
                    ventana_demanda_dias: cfg.global.ventana_demanda_dias,
                    ventana_sigma_d: cfg.global.ventana_sigma_d,
                },
                modelo_activo: abc.modelo_activo,
                niveles: levels,
                tiendas: stores,
                umbrales: RankingThresholds {
                    umbral_a: abc.umbrales.umbral_a,
                    umbral_b: abc.umbrales.umbral_b,
                    umbral_c: abc.umbrales.umbral_c,
                },
                umbrales_pareto: ParetoThresholds { pareto_a_pct: abc.umbrales.pareto_a_pct, pareto_b_pct: abc.umbrales.pareto_b_pct },
            }))
        })
        .await
}

pub async fn put_globals(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<settings::GlobalUpdate>,
) -> Result<Json<Detail>, ApiError> {
    let detalle = json!({
        "lead_time": b.lead_time, "ventana_sigma_d": b.ventana_sigma_d, "ventana_demanda_dias": b.ventana_demanda_dias,
        "abc_ventana_dias": b.abc_ventana_dias, "limitar_por_stock_cedi": b.limitar_por_stock_cedi,
    });
    change(&state, by, "editar_parametros_globales", "globales".into(), detalle, "Parámetros globales actualizados", move |c, u| {
        settings::update_globals(c, &b, u)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelsBody {
    niveles: Vec<settings::ClassLevel>,
}

pub async fn put_levels(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<LevelsBody>,
) -> Result<Json<Detail>, ApiError> {
    let classes: Vec<String> = b.niveles.iter().map(|l| l.clase.clone()).collect();
    change(&state, by, "editar_niveles", "niveles".into(), json!({"clases": classes}), "Niveles de servicio actualizados", move |c, u| {
        settings::update_levels(c, &b.niveles, u)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsBody {
    umbral_a: u32,
    umbral_b: u32,
    umbral_c: u32,
}

pub async fn put_thresholds(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<ThresholdsBody>,
) -> Result<Json<Detail>, ApiError> {
    let detalle = json!({"a": b.umbral_a, "b": b.umbral_b, "c": b.umbral_c});
    let done = "Umbrales actualizados; se aplican en el próximo cálculo";
    change(&state, by, "editar_umbrales_abc", "umbrales".into(), detalle, done, move |c, u| {
        settings::update_thresholds(c, b.umbral_a, b.umbral_b, b.umbral_c, u)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoBody {
    pareto_a_pct: f64,
    pareto_b_pct: f64,
}

pub async fn put_pareto(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<ParetoBody>,
) -> Result<Json<Detail>, ApiError> {
    let detalle = json!({"a": b.pareto_a_pct, "b": b.pareto_b_pct});
    change(&state, by, "editar_umbrales_pareto", "umbrales_pareto".into(), detalle, "Umbrales Pareto actualizados", move |c, u| {
        settings::update_pareto(c, b.pareto_a_pct, b.pareto_b_pct, u)
    })
    .await
}

/// The ABC model the engine uses.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveModel {
    /// `ranking_volumen`, `ranking_valor`, `pareto_volumen` or `pareto_valor`.
    #[schema(value_type = String)]
    pub modelo_activo: AbcModel,
}

pub async fn get_model(State(state): State<AppState>) -> Result<Json<ActiveModel>, ApiError> {
    state.with_app_db(|conn| Ok(Json(ActiveModel { modelo_activo: settings::abc_settings(conn)?.modelo_activo }))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelBody {
    modelo: String,
}

/// Switching the active model is instant: the engine reads it on every calculation.
pub async fn put_model(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<ModelBody>,
) -> Result<Json<ActiveModel>, ApiError> {
    let model = AbcModel::parse(&b.modelo).ok_or_else(|| ApiError::Validation {
        field: "modelo".into(),
        message: format!("Modelo «{}» no válido: ranking_volumen, ranking_valor, pareto_volumen o pareto_valor", b.modelo),
    })?;
    state
        .with_app_db(move |conn| {
            settings::set_active_model(conn, model, &by.username)?;
            by.audit(conn, "cambiar_modelo_abc", "config_inventario", "modelo_activo", json!({"modelo": model.id()}))?;
            Ok(())
        })
        .await?;
    let wh = state.warehouse.clone();
    tokio::task::spawn_blocking(move || crate::classification::apply_active_model(&wh, model)).await?.map_err(ApiError::internal)?;
    Ok(Json(ActiveModel { modelo_activo: model }))
}

pub async fn put_store(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(tienda): Path<String>,
    JsonBody(b): JsonBody<settings::StoreParamsUpdate>,
) -> Result<Json<Detail>, ApiError> {
    store_must_exist(&state, &tienda)?;
    let detalle = json!(b);
    change(&state, by, "editar_parametros_tienda", tienda.clone(), detalle, "Parámetros de la tienda guardados", move |c, u| {
        settings::upsert_store_params(c, &tienda, &b, u)
    })
    .await
}

pub async fn delete_store(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(tienda): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    let done = "La tienda vuelve a usar los parámetros globales";
    deactivate(&state, by, "desactivar_parametros_tienda", tienda.clone(), done, move |c, u| {
        settings::deactivate_store_params(c, &tienda, u)
    })
    .await
}

pub async fn post_category(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<settings::CategoryCoverage>,
) -> Result<Json<CreatedId>, ApiError> {
    state
        .with_app_db(move |conn| {
            let id = settings::upsert_category(conn, &b, &by.username)??;
            by.audit(conn, "editar_cobertura_categoria", "config_inventario", &id, json!({"categoria": b.categoria}))?;
            Ok(Json(CreatedId { id }))
        })
        .await
}

pub async fn delete_category(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    deactivate(&state, by, "desactivar_cobertura_categoria", id.clone(), "Cobertura de categoría desactivada", move |c, u| {
        settings::deactivate_category(c, &id, u)
    })
    .await
}

#[derive(Deserialize)]
pub struct CapacityQuery {
    tienda_id: Option<String>,
}

/// A capacity limit as `GET /capacidad-almacenamiento` lists it (fields in alphabetical
/// order, as this list has always answered; the per-store and per-product lists answer
/// [`settings::CapacityLimit`] in its own order).
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityRow {
    pub capacidad_maxima_unidades: Option<f64>,
    pub minimo_exhibicion_unidades: Option<f64>,
    pub notas: Option<String>,
    pub producto_codigo: String,
    pub tienda_id: String,
    pub tipo_restriccion: Option<String>,
}

impl From<settings::CapacityLimit> for CapacityRow {
    fn from(c: settings::CapacityLimit) -> Self {
        CapacityRow {
            capacidad_maxima_unidades: c.capacidad_maxima_unidades,
            minimo_exhibicion_unidades: c.minimo_exhibicion_unidades,
            notas: c.notas,
            producto_codigo: c.producto_codigo,
            tienda_id: c.tienda_id,
            tipo_restriccion: c.tipo_restriccion,
        }
    }
}

pub async fn list_capacity(State(state): State<AppState>, Query(q): Query<CapacityQuery>) -> Result<Json<Vec<CapacityRow>>, ApiError> {
    let rows = state.with_app_db(move |conn| Ok(settings::list_capacity(conn, q.tienda_id.as_deref())?)).await?;
    Ok(Json(rows.into_iter().map(CapacityRow::from).collect()))
}

pub async fn post_capacity(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<settings::CapacityLimit>,
) -> Result<Json<CreatedId>, ApiError> {
    store_must_exist(&state, &b.tienda_id)?;
    state
        .with_app_db(move |conn| {
            let id = settings::upsert_capacity(conn, &b, &by.username)??;
            by.audit(conn, "editar_capacidad", "config_inventario", &id, json!(b))?;
            Ok(Json(CreatedId { id }))
        })
        .await
}

pub async fn delete_capacity(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Detail>, ApiError> {
    deactivate(&state, by, "desactivar_capacidad", id.clone(), "Límite desactivado", move |c, _| settings::deactivate_capacity(c, &id))
        .await
}

pub async fn list_exclusions(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(tienda): Path<String>,
) -> Result<Json<Vec<settings::Exclusion>>, ApiError> {
    user.check_location(&tienda, false)?;
    state.with_app_db(move |conn| Ok(Json(settings::list_exclusions(conn, &tienda)?))).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionBody {
    tienda_id: String,
    codigo_producto: String,
    #[serde(default = "manual")]
    motivo: String,
    observaciones: Option<String>,
}

fn manual() -> String {
    "MANUAL".into()
}

pub async fn post_exclusion(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    JsonBody(b): JsonBody<ExclusionBody>,
) -> Result<Json<Detail>, ApiError> {
    store_must_exist(&state, &b.tienda_id)?;
    let id = format!("{}_{}", b.tienda_id, b.codigo_producto);
    let detalle = json!({"motivo": b.motivo});
    change(&state, by, "excluir_producto", id, detalle, "Producto excluido de los pedidos de la tienda", move |c, u| {
        settings::exclude_product(c, &b.tienda_id, &b.codigo_producto, &b.motivo, b.observaciones.as_deref(), u)
    })
    .await
}

pub async fn delete_exclusion(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path((tienda, codigo)): Path<(String, String)>,
) -> Result<Json<Detail>, ApiError> {
    let id = format!("{tienda}_{codigo}");
    deactivate(&state, by, "incluir_producto", id, "Producto incluido de nuevo", move |c, _| settings::include_product(c, &tienda, &codigo))
        .await
}

pub async fn list_categories(State(state): State<AppState>) -> Result<Json<Vec<settings::CategoryRow>>, ApiError> {
    Ok(Json(state.with_app_db(|conn| Ok(settings::list_categories(conn)?)).await?))
}

/// `PUT /cobertura-categoria/{id}`: the body's category must be the one the id names.
pub async fn put_category(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<settings::CategoryCoverage>,
) -> Result<Json<CreatedId>, ApiError> {
    if settings::category_id(&b.categoria) != id {
        return Err(ApiError::Validation {
            field: "categoria".into(),
            message: format!("La categoría «{}» no corresponde al identificador «{id}»", b.categoria),
        });
    }
    post_category(State(state), Extension(by), JsonBody(b)).await
}

/// Categories of the active products with their product counts (to pick overrides from).
pub async fn available_categories(State(state): State<AppState>) -> Result<Json<Vec<crate::warehouse::catalog::CategoryCount>>, ApiError> {
    let wh = state.warehouse.clone();
    let rows = tokio::task::spawn_blocking(move || -> Result<_, ApiError> { Ok(crate::warehouse::catalog::categories(&*wh.reader()?)?) })
        .await??;
    Ok(Json(rows))
}

pub async fn capacity_of_store(
    State(state): State<AppState>,
    Path(tienda): Path<String>,
) -> Result<Json<Vec<settings::CapacityLimit>>, ApiError> {
    store_must_exist(&state, &tienda)?;
    Ok(Json(state.with_app_db(move |conn| Ok(settings::list_capacity(conn, Some(&tienda))?)).await?))
}

pub async fn capacity_of_product(
    State(state): State<AppState>,
    Path(codigo): Path<String>,
) -> Result<Json<Vec<settings::CapacityLimit>>, ApiError> {
    Ok(Json(state.with_app_db(move |conn| Ok(settings::capacity_of_product(conn, &codigo)?)).await?))
}

/// `PUT /capacidad-almacenamiento/{id}` with `id` = `<tienda_id>_<producto_codigo>`.
pub async fn put_capacity(
    State(state): State<AppState>,
    Extension(by): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<settings::CapacityLimit>,
) -> Result<Json<CreatedId>, ApiError> {
    if format!("{}_{}", b.tienda_id, b.producto_codigo) != id {
        return Err(ApiError::Validation {
            field: "producto_codigo".into(),
            message: format!("La tienda y el producto del cuerpo no corresponden al identificador «{id}»"),
        });
    }
    post_capacity(State(state), Extension(by), JsonBody(b)).await
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    limite: Option<u32>,
}

/// Product search of the limit editors: `q` ≥ 2 characters, code or name.
pub async fn search_products(
    State(state): State<AppState>,
    Query(p): Query<SearchQuery>,
) -> Result<Json<Vec<crate::warehouse::catalog::ProductHit>>, ApiError> {
    let q = p.q.trim().to_string();
    if q.chars().count() < 2 {
        return Err(ApiError::Validation { field: "q".into(), message: "Escriba al menos 2 caracteres para buscar".into() });
    }
    let limit = p.limite.unwrap_or(10).clamp(1, 100);
    let wh = state.warehouse.clone();
    let rows = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        Ok(crate::warehouse::catalog::search_products(&*wh.reader()?, &q, limit)?)
    })
    .await??;
    Ok(Json(rows))
}
