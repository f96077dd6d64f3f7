//! *Emergencias de Inventario* over HTTP (spec 40 §4, 50 §10.2: `/api/emergencias/…`,
//! feature `emergencias`). Viewing and scanning: any role with `emergencias.ver` /
//! `emergencias.scan`, store managers only for their stores; the per-store settings:
//! `emergencias.config` (general manager, super admin).

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, product_code, visible_store, visible_stores, JsonBody, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::emergencies::{self as store_db, AnomalyRecord, StoreConfig};
use crate::domain::emergencies::{AnomalyState, AnomalyType, EmergencyType};
use crate::emergencies::{self as emg, ConfigChange, EmergencyError, Factors, Latest, LatestFilter, ScanRequest, ScanResult, Trigger};

impl From<EmergencyError> for ApiError {
    fn from(e: EmergencyError) -> Self {
        match e {
            EmergencyError::Invalid { field, message } => ApiError::Validation { field: field.into(), message },
            EmergencyError::NotFound(m) => ApiError::Missing(m),
            EmergencyError::AppDb(e) => e.into(),
            EmergencyError::Sqlite(e) => ApiError::internal(e),
            EmergencyError::Warehouse(e) => e.into(),
            EmergencyError::Duck(e) => e.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanBody {
    /// Stores to scan (default: every enabled store the caller sees).
    tiendas: Option<Vec<String>>,
    incluir_anomalias: Option<bool>,
    /// `MANUAL` (the screen's button) or `API` (default).
    origen: Option<String>,
}

/// The stores a caller may ask for: each named one must be an active store he sees.
fn requested_stores(state: &AppState, user: &AuthUser, named: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    match named {
        None => Ok(visible_stores(state, user)),
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for id in list {
                let s = visible_store(state, user, &id).map_err(|e| match e {
                    ApiError::Validation { message, .. } => invalid("tiendas", message),
                    other => other,
                })?;
                if !out.contains(&s.id) {
                    out.push(s.id.clone());
                }
            }
            Ok(out)
        }
    }
}

/// `POST /api/emergencias/scan`: scans the enabled stores among those asked for.
pub async fn scan(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: Option<JsonBody<ScanBody>>,
) -> Result<Json<ScanResult>, ApiError> {
    let b = body.map(|JsonBody(b)| b).unwrap_or(ScanBody { tiendas: None, incluir_anomalias: None, origen: None });
    let trigger = match non_empty(b.origen).map(|s| s.to_uppercase()).as_deref() {
        None | Some("API") => Trigger::Api,
        Some("MANUAL") => Trigger::Manual,
        Some(other) => return Err(invalid("origen", format!("origen «{other}» desconocido (MANUAL o API)"))),
    };
    let tiendas = requested_stores(&state, &user, b.tiendas)?;
    let req = ScanRequest {
        tiendas: Some(tiendas),
        incluir_anomalias: b.incluir_anomalias.unwrap_or(true),
        usuario: Some(user.username.clone()),
        disparado_por: trigger,
    };
    let st = state.clone();
    let now = state.emergency_clock.now(&state.tenant);
    let out = tokio::task::spawn_blocking(move || emg::scan(&st.tenant, &st.warehouse, &st.app_db_path, &req, now)).await??;
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatestQuery {
    tipo: Option<String>,
    ubicacion_id: Option<String>,
    clase_abc: Option<String>,
}

/// `GET /api/emergencias/`: each visible store's latest completed scan.
pub async fn latest(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<LatestQuery>,
) -> Result<Json<Latest>, ApiError> {
    let tipo = match non_empty(q.tipo) {
        None => None,
        Some(t) => Some(
            EmergencyType::parse(&t)
                .ok_or_else(|| invalid("tipo", format!("tipo «{t}» desconocido (STOCKOUT, CRITICO, INMINENTE o ALERTA)")))?,
        ),
    };
    let clase_abc = match non_empty(q.clase_abc).map(|c| c.to_uppercase()) {
        None => None,
        Some(c) if ["A", "B", "C", "D"].contains(&c.as_str()) => Some(c),
        Some(c) => return Err(invalid("clase_abc", format!("clase «{c}» desconocida (A, B, C o D)"))),
    };
    let ubicacion_id = match non_empty(q.ubicacion_id) {
        None => None,
        Some(id) => Some(visible_store(&state, &user, &id)?.id.clone()),
    };
    let stores = visible_stores(&state, &user);
    let filter = LatestFilter { tipo, ubicacion_id, clase_abc };
    let out = state.with_app_db(move |conn| Ok(emg::latest(conn, &stores, &filter)?)).await?;
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorQuery {
    ubicacion_id: Option<String>,
}

/// `GET /api/emergencias/factor-intensidad[?ubicacion_id=]`.
pub async fn factor(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<FactorQuery>,
) -> Result<Json<Factors>, ApiError> {
    let one = match non_empty(q.ubicacion_id) {
        None => None,
        Some(id) => Some(visible_store(&state, &user, &id)?.id.clone()),
    };
    let visible = visible_stores(&state, &user);
    let st = state.clone();
    let now = state.emergency_clock.now(&state.tenant);
    let out = tokio::task::spawn_blocking(move || emg::factors(&st.tenant, &st.warehouse, &st.app_db_path, &visible, one.as_deref(), now))
        .await??;
    Ok(Json(out))
}

/// `GET /api/emergencias/detalle/{ubicacion_id}/{producto_id}`.
pub async fn detail(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<emg::detail::ProductDetail>, ApiError> {
    let store = visible_store(&state, &user, &id)?.id.clone();
    let code = product_code("producto_id", &code)?;
    let st = state.clone();
    let now = state.emergency_clock.now(&state.tenant);
    let out =
        tokio::task::spawn_blocking(move || emg::detail::product_detail(&st.tenant, &st.warehouse, &st.app_db_path, &store, &code, now))
            .await??;
    Ok(Json(out))
}

/// A store's settings as the screen shows them.
#[derive(Debug, Serialize)]
pub struct ConfigView {
    ubicacion_id: String,
    ubicacion_nombre: String,
    region: String,
    hora_apertura: String,
    hora_cierre: String,
    /// Whether a settings row exists (a store never enabled has none).
    configurada: bool,
    habilitado: bool,
    fecha_habilitacion: Option<String>,
    umbral_critico: f64,
    umbral_inminente: f64,
    umbral_alerta: f64,
    emails_notificacion: Vec<String>,
    notificaciones_activas: bool,
    actualizado_por: Option<String>,
    updated_at: Option<String>,
}

fn view(store: &crate::config::Store, c: StoreConfig) -> ConfigView {
    let (hora_apertura, hora_cierre) = store.hours();
    ConfigView {
        ubicacion_id: store.id.clone(),
        ubicacion_nombre: store.name.clone(),
        region: store.region.clone(),
        hora_apertura,
        hora_cierre,
        configurada: c.created_at.is_some(),
        habilitado: c.habilitado,
        fecha_habilitacion: c.fecha_habilitacion,
        umbral_critico: c.umbral_critico,
        umbral_inminente: c.umbral_inminente,
        umbral_alerta: c.umbral_alerta,
        emails_notificacion: c.emails_notificacion,
        notificaciones_activas: c.notificaciones_activas,
        actualizado_por: c.actualizado_por,
        updated_at: c.updated_at,
    }
}

#[derive(Debug, Serialize)]
pub struct ConfigList {
    total: usize,
    total_habilitadas: usize,
    tiendas: Vec<ConfigView>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigListQuery {
    solo_habilitadas: Option<bool>,
}

/// `GET /api/emergencias/config/tiendas[?solo_habilitadas=true]`.
pub async fn config_list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<ConfigListQuery>,
) -> Result<Json<ConfigList>, ApiError> {
    let visible = visible_stores(&state, &user);
    let st = state.clone();
    let rows = state.with_app_db(move |conn| Ok(emg::store_configs(&st.tenant, conn)?)).await?;
    let rows: Vec<_> = rows.into_iter().filter(|(s, _)| visible.contains(&s.id)).collect();
    let total_habilitadas = rows.iter().filter(|(_, c)| c.habilitado).count();
    let tiendas: Vec<ConfigView> =
        rows.into_iter().filter(|(_, c)| !q.solo_habilitadas.unwrap_or(false) || c.habilitado).map(|(s, c)| view(&s, c)).collect();
    Ok(Json(ConfigList { total: tiendas.len(), total_habilitadas, tiendas }))
}

/// `GET /api/emergencias/config/tiendas/{ubicacion_id}`.
pub async fn config_one(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<ConfigView>, ApiError> {
    let store = visible_store(&state, &user, &id).map_err(|e| match e {
        ApiError::Validation { .. } => ApiError::Missing(format!("Tienda {} no encontrada", id.trim())),
        other => other,
    })?;
    let store = store.clone();
    let sid = store.id.clone();
    let c = state.with_app_db(move |conn| Ok(store_db::config(conn, &sid)?)).await?;
    Ok(Json(view(&store, c.unwrap_or_else(|| StoreConfig::absent(&store.id)))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigBody {
    umbral_critico: Option<f64>,
    umbral_inminente: Option<f64>,
    umbral_alerta: Option<f64>,
    emails_notificacion: Option<Vec<String>>,
    notificaciones_activas: Option<bool>,
}

impl From<ConfigBody> for ConfigChange {
    fn from(b: ConfigBody) -> Self {
        ConfigChange {
            umbral_critico: b.umbral_critico,
            umbral_inminente: b.umbral_inminente,
            umbral_alerta: b.umbral_alerta,
            emails_notificacion: b.emails_notificacion,
            notificaciones_activas: b.notificaciones_activas,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConfigAnswer {
    mensaje: String,
    config: ConfigView,
}

/// A store of the tenant (404 otherwise) — settings are not store-scoped (GG and SA only).
fn config_store(state: &AppState, id: &str) -> Result<crate::config::Store, ApiError> {
    emg::active_stores(&state.tenant)
        .find(|s| s.id == id.trim())
        .cloned()
        .ok_or_else(|| ApiError::Missing(format!("Tienda {} no encontrada", id.trim())))
}

fn audit_detail(c: &StoreConfig) -> serde_json::Value {
    serde_json::json!({
        "habilitado": c.habilitado, "umbral_critico": c.umbral_critico, "umbral_inminente": c.umbral_inminente,
        "umbral_alerta": c.umbral_alerta, "emails_notificacion": c.emails_notificacion, "notificaciones_activas": c.notificaciones_activas,
    })
}

/// `POST /api/emergencias/config/tiendas/{ubicacion_id}/habilitar` (optional thresholds/recipients).
pub async fn enable(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: Option<JsonBody<ConfigBody>>,
) -> Result<Json<ConfigAnswer>, ApiError> {
    let store = config_store(&state, &id)?;
    let change: ConfigChange = body.map(|JsonBody(b)| b).unwrap_or_default().into();
    let st = state.clone();
    let sid = store.id.clone();
    let c = state
        .with_app_db(move |conn| {
            let c = emg::enable(&st.tenant, conn, &sid, &change, &user.username)?;
            user.audit(conn, "emergencias.habilitar", "tienda", &sid, audit_detail(&c))?;
            Ok(c)
        })
        .await?;
    Ok(Json(ConfigAnswer { mensaje: format!("Emergencias habilitadas en {}", store.name), config: view(&store, c) }))
}

/// `POST /api/emergencias/config/tiendas/{ubicacion_id}/deshabilitar`.
pub async fn disable(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<ConfigAnswer>, ApiError> {
    let store = config_store(&state, &id)?;
    let st = state.clone();
    let sid = store.id.clone();
    let c = state
        .with_app_db(move |conn| {
            let c = emg::disable(&st.tenant, conn, &sid, &user.username)?;
            user.audit(conn, "emergencias.deshabilitar", "tienda", &sid, audit_detail(&c))?;
            Ok(c)
        })
        .await?;
    Ok(Json(ConfigAnswer { mensaje: format!("Emergencias deshabilitadas en {}", store.name), config: view(&store, c) }))
}

/// `PUT /api/emergencias/config/tiendas/{ubicacion_id}`: partial update.
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ConfigBody>,
) -> Result<Json<ConfigAnswer>, ApiError> {
    let store = config_store(&state, &id)?;
    let change: ConfigChange = body.into();
    let st = state.clone();
    let sid = store.id.clone();
    let (c, changed) = state
        .with_app_db(move |conn| {
            let (c, changed) = emg::update(&st.tenant, conn, &sid, &change, &user.username)?;
            if changed {
                user.audit(conn, "emergencias.configurar", "tienda", &sid, audit_detail(&c))?;
            }
            Ok((c, changed))
        })
        .await?;
    let mensaje = if changed { format!("Configuración de {} actualizada", store.name) } else { "Sin cambios".to_string() };
    Ok(Json(ConfigAnswer { mensaje, config: view(&store, c) }))
}

/// An anomaly as the screen lists it.
#[derive(Debug, Serialize)]
pub struct AnomalyView {
    id: i64,
    ubicacion_id: String,
    ubicacion_nombre: String,
    producto_codigo: String,
    almacen_codigo: Option<String>,
    tipo: String,
    severidad: String,
    estado: String,
    valor_detectado: Option<f64>,
    valor_esperado: Option<f64>,
    desviacion_pct: Option<f64>,
    descripcion: Option<String>,
    fecha_deteccion: String,
    ultima_deteccion: String,
    revisado_por: Option<String>,
    fecha_revision: Option<String>,
    nota_revision: Option<String>,
}

fn anomaly_view(state: &AppState, a: AnomalyRecord) -> AnomalyView {
    AnomalyView {
        ubicacion_nombre: state.tenant.location_name(&a.ubicacion_id),
        id: a.id,
        ubicacion_id: a.ubicacion_id,
        producto_codigo: a.producto_codigo,
        almacen_codigo: a.almacen_codigo,
        tipo: a.tipo,
        severidad: a.severidad,
        estado: a.estado,
        valor_detectado: a.valor_detectado,
        valor_esperado: a.valor_esperado,
        desviacion_pct: a.desviacion_pct,
        descripcion: a.descripcion,
        fecha_deteccion: a.fecha_deteccion,
        ultima_deteccion: a.ultima_deteccion,
        revisado_por: a.revisado_por,
        fecha_revision: a.fecha_revision,
        nota_revision: a.nota_revision,
    }
}

#[derive(Debug, Serialize)]
pub struct AnomalyList {
    total: usize,
    anomalias: Vec<AnomalyView>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnomalyQuery {
    ubicacion_id: Option<String>,
    tipo: Option<String>,
    estado: Option<String>,
    limit: Option<u32>,
}

/// `GET /api/emergencias/anomalias?ubicacion_id&tipo&estado=PENDIENTE&limit=100`.
pub async fn anomalies(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<AnomalyQuery>,
) -> Result<Json<AnomalyList>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(invalid("limit", "limit debe estar entre 1 y 500"));
    }
    let tipo = match non_empty(q.tipo) {
        None => None,
        Some(t) => Some(AnomalyType::parse(&t).ok_or_else(|| invalid("tipo", format!("tipo de anomalía «{t}» desconocido")))?),
    };
    let estado = match non_empty(q.estado) {
        None => AnomalyState::Pendiente,
        Some(s) => AnomalyState::parse(&s).ok_or_else(|| invalid("estado", format!("estado «{s}» desconocido")))?,
    };
    let stores = match non_empty(q.ubicacion_id) {
        Some(id) => vec![visible_store(&state, &user, &id)?.id.clone()],
        None => visible_stores(&state, &user),
    };
    let rows = state
        .with_app_db(move |conn| Ok(store_db::anomalies(conn, &stores, tipo.map(AnomalyType::as_str), estado.as_str(), limit)?))
        .await?;
    let anomalias: Vec<AnomalyView> = rows.into_iter().map(|a| anomaly_view(&state, a)).collect();
    Ok(Json(AnomalyList { total: anomalias.len(), anomalias }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    estado: String,
    nota: Option<String>,
}

/// `PUT /api/emergencias/anomalias/{id}`: sets the review state with the user and a note.
pub async fn review(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ReviewBody>,
) -> Result<Json<AnomalyView>, ApiError> {
    let estado = AnomalyState::parse(&b.estado)
        .ok_or_else(|| invalid("estado", format!("estado «{}» desconocido (PENDIENTE, REVISADO, RESUELTO o IGNORADO)", b.estado.trim())))?;
    let nota = non_empty(b.nota);
    if nota.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(invalid("nota", "La nota admite hasta 500 caracteres"));
    }
    let row = state
        .with_app_db(move |conn| {
            let Some(a) = store_db::anomaly(conn, id)? else { return Err(ApiError::Missing(format!("Anomalía {id} no encontrada"))) };
            if !user.sees_location(&a.ubicacion_id, false) {
                return Err(ApiError::StoreForbidden);
            }
            let now = crate::appdb::now_rfc3339();
            store_db::review_anomaly(conn, id, estado.as_str(), &user.username, nota.as_deref(), &now).map_err(|e| match e {
                crate::appdb::AppDbError::Db(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    ApiError::Conflict {
                        code: "anomalia_abierta",
                        detail: "Ya existe otra anomalía abierta igual para ese producto".into(),
                    }
                }
                other => other.into(),
            })?;
            user.audit(conn, "emergencias.anomalia", "anomalia", &id.to_string(), serde_json::json!({"estado": estado.as_str()}))?;
            Ok(store_db::anomaly(conn, id)?)
        })
        .await?;
    row.map(|a| Json(anomaly_view(&state, a))).ok_or_else(|| ApiError::Missing(format!("Anomalía {id} no encontrada")))
}
