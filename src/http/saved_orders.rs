//! `/api/pedidos-sugeridos`: saved store orders — create from a calculation, list, read, the
//! life-cycle actions of spec 30 §11.1, line edits, comments and arrival verification (§12).
//!
//! Who may do what is decided here, on the server: the route table gives the capability, and
//! these handlers add the per-order rules (a store manager only sees his stores' orders;
//! nobody approves his own order unless he is `super_admin`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::appdb::orders::{self as store, Edited, LineEdit, OrderKey, Receipt, Registered};
use crate::domain::access::Role;
use crate::domain::orders::{check_deletable, OrderAction, OrderState};
use crate::orders::{self, ChosenLine, NewOrder, OrderError};

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotFound => ApiError::NotFound,
            OrderError::InvalidTransition(t) => ApiError::BadRequest(t.to_string()),
            OrderError::Conflict { .. } => ApiError::Conflict { code: "order_changed", detail: e.to_string() },
            OrderError::Validation { field, message } => ApiError::Validation { field: field.into(), message },
            OrderError::Refused(m) => ApiError::BadRequest(m),
            OrderError::Replenishment(e) => e.into(),
            OrderError::AppDb(e) => e.into(),
            OrderError::Warehouse(e) => e.into(),
        }
    }
}

/// A `YYYY-MM-DD` field of a request, or a 422 naming it.
pub(super) fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::Validation { field: field.into(), message: format!("La fecha «{s}» no tiene el formato AAAA-MM-DD") })
}

/// The order if the caller may see it; an order of a store outside a manager's scope does
/// not exist for him (404, so its number is not disclosed either).
fn visible(conn: &rusqlite::Connection, user: &AuthUser, id: &str) -> Result<OrderKey, ApiError> {
    let key = store::key(conn, id)?.ok_or(ApiError::NotFound)?;
    if !user.sees_location(&key.tienda_destino_id, false) {
        return Err(ApiError::NotFound);
    }
    Ok(key)
}

// ---- create -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    codigo_producto: String,
    cantidad_pedida_bultos: u64,
    #[serde(default = "yes")]
    incluido: bool,
    #[serde(default)]
    observaciones: Option<String>,
}

fn yes() -> bool {
    true
}

/// Header fields with the names of spec 10 §6.2 and the user's lines.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    cedi_origen_id: String,
    tienda_destino_id: String,
    /// Names are taken from the tenant's configuration; accepted for compatibility.
    #[serde(default)]
    #[allow(dead_code)]
    cedi_origen_nombre: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    tienda_destino_nombre: Option<String>,
    #[serde(default)]
    fecha_pedido: Option<String>,
    #[serde(default)]
    fecha_entrega_solicitada: Option<String>,
    #[serde(default)]
    observaciones: Option<String>,
    #[serde(default)]
    notas_picking: Option<String>,
    #[serde(default)]
    notas_entrega: Option<String>,
    #[serde(default)]
    prioridad: Option<String>,
    #[serde(default)]
    tipo_pedido: Option<String>,
    #[serde(default)]
    dias_cobertura: Option<i64>,
    #[serde(default)]
    enviar: bool,
    productos: Vec<LineBody>,
}

#[derive(Serialize)]
pub struct CreatedResponse {
    #[serde(flatten)]
    created: store::Created,
    mensaje: String,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<CreateBody>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    user.check_location(&b.tienda_destino_id, false)?;
    let order = NewOrder {
        fecha_pedido: match b.fecha_pedido.as_deref() {
            Some(s) => parse_date("fecha_pedido", s)?,
            None => state.tenant.today(),
        },
        fecha_entrega_solicitada: b.fecha_entrega_solicitada.as_deref().map(|s| parse_date("fecha_entrega_solicitada", s)).transpose()?,
        cedi_origen_id: b.cedi_origen_id,
        tienda_destino_id: b.tienda_destino_id,
        observaciones: b.observaciones,
        notas_picking: b.notas_picking,
        notas_entrega: b.notas_entrega,
        prioridad: b.prioridad,
        tipo_pedido: b.tipo_pedido,
        dias_cobertura: b.dias_cobertura,
        enviar: b.enviar,
        productos: b
            .productos
            .into_iter()
            .map(|l| ChosenLine {
                codigo_producto: l.codigo_producto.trim().to_string(),
                cantidad_pedida_bultos: l.cantidad_pedida_bultos,
                incluido: l.incluido,
                observaciones: l.observaciones,
            })
            .collect(),
    };
    let st = state.clone();
    let username = user.username.clone();
    let created = tokio::task::spawn_blocking(move || -> Result<store::Created, ApiError> {
        // Its own connection: the calculation must not hold the shared one for its duration.
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(orders::create(&st.tenant, &app, &st.warehouse, &st.calculations, &order, &username)?)
    })
    .await??;
    let mensaje = match created.estado {
        OrderState::Borrador => format!("Pedido {} guardado como borrador", created.numero_pedido),
        OrderState::Aprobado => format!("Pedido {} guardado y aprobado", created.numero_pedido),
        _ => format!("Pedido {} guardado y enviado a aprobación", created.numero_pedido),
    };
    Ok((StatusCode::CREATED, Json(CreatedResponse { created, mensaje })))
}

// ---- read ---------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ListQuery {
    estado: Option<String>,
    tienda_id: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Query(q): Query<ListQuery>,
) -> Result<Json<store::Page>, ApiError> {
    let estado = match q.estado.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(
            OrderState::parse(e)
                .ok_or_else(|| ApiError::Validation { field: "estado".into(), message: format!("Estado «{e}» desconocido") })?,
        ),
        None => None,
    };
    let filter = store::ListFilter {
        estado,
        tienda_id: q.tienda_id.filter(|t| !t.is_empty()),
        tiendas: user.store_scope().map(<[String]>::to_vec),
        page: q.page.unwrap_or(1),
        page_size: q.page_size.unwrap_or(50),
    };
    let page = state
        .with_app_db(move |conn| {
            let pct = crate::appdb::inventory_settings::order_settings(conn)?.llegada_completa_pct;
            Ok(store::list(conn, &filter, pct, chrono::Utc::now())?)
        })
        .await?;
    Ok(Json(page))
}

pub async fn detail(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<store::Order>, ApiError> {
    let order = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            store::get(conn, &key.id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(Json(order))
}

// ---- life cycle -----------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    #[serde(default)]
    motivo: Option<String>,
    #[serde(default)]
    comentario: Option<String>,
}

#[derive(Serialize)]
pub struct Transition {
    id: String,
    numero_pedido: String,
    estado_anterior: OrderState,
    estado: OrderState,
    mensaje: String,
}

async fn act(
    state: AppState,
    user: AuthUser,
    id: String,
    action: OrderAction,
    body: Option<ReasonBody>,
) -> Result<Json<Transition>, ApiError> {
    let body = body.unwrap_or_default();
    let tenant = state.tenant.clone();
    let t = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            if matches!(action, OrderAction::Approve | OrderAction::Reject)
                && key.usuario_creador == user.username
                && user.role != Role::SuperAdmin
            {
                return Err(ApiError::ForbiddenAction {
                    code: "own_order",
                    detail: "No puede aprobar ni rechazar un pedido que usted mismo creó".into(),
                });
            }
            let reason = match action {
                OrderAction::Approve => body.comentario.or(body.motivo),
                _ => body.motivo.or(body.comentario),
            };
            let (from, to) = orders::act(&tenant, conn, &key.id, action, reason.as_deref(), &user.username)?;
            Ok(Transition {
                mensaje: format!("Pedido {}: {} → {}", key.numero_pedido, from.label(), to.label()),
                id: key.id,
                numero_pedido: key.numero_pedido,
                estado_anterior: from,
                estado: to,
            })
        })
        .await?;
    Ok(Json(t))
}

/// A body is optional for the actions without a mandatory reason.
type OptionalBody = Option<JsonBody<ReasonBody>>;

macro_rules! action_handler {
    ($name:ident, $action:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            Extension(user): Extension<AuthUser>,
            Path(id): Path<String>,
            body: OptionalBody,
        ) -> Result<Json<Transition>, ApiError> {
            act(state, user, id, $action, body.map(|b| b.0)).await
        }
    };
}

action_handler!(submit, OrderAction::Submit);
action_handler!(approve, OrderAction::Approve);
action_handler!(reject, OrderAction::Reject);
action_handler!(reopen, OrderAction::Reopen);
action_handler!(mark_sent, OrderAction::MarkSent);
action_handler!(close, OrderAction::Close);
action_handler!(cancel, OrderAction::Cancel);

#[derive(Serialize)]
pub struct Deleted {
    id: String,
    numero_pedido: String,
    mensaje: String,
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Deleted>, ApiError> {
    let d = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            check_deletable(key.estado).map_err(ApiError::BadRequest)?;
            if !store::delete_draft(conn, &key.id)? {
                let now = store::key(conn, &key.id)?.map(|k| k.estado);
                return Err(OrderError::Conflict { current: now }.into());
            }
            Ok(Deleted { mensaje: format!("Pedido {} eliminado", key.numero_pedido), id: key.id, numero_pedido: key.numero_pedido })
        })
        .await?;
    Ok(Json(d))
}

// ---- lines and comments -----------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineEditBody {
    codigo_producto: String,
    #[serde(default)]
    cantidad_pedida_bultos: Option<u64>,
    #[serde(default)]
    incluido: Option<bool>,
    #[serde(default)]
    observaciones: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesBody {
    lineas: Vec<LineEditBody>,
}

#[derive(Serialize)]
pub struct LinesEdited {
    lineas_actualizadas: usize,
    pedido: store::Header,
}

pub async fn edit_lines(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<LinesBody>,
) -> Result<Json<LinesEdited>, ApiError> {
    if b.lineas.is_empty() {
        return Err(ApiError::Validation { field: "lineas".into(), message: "Indique al menos una línea a editar".into() });
    }
    let edits: Vec<LineEdit> = b
        .lineas
        .into_iter()
        .map(|l| LineEdit {
            codigo_producto: l.codigo_producto,
            cantidad_pedida_bultos: l.cantidad_pedida_bultos,
            incluido: l.incluido,
            observaciones: l.observaciones,
        })
        .collect();
    let r = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            match store::edit_lines(conn, &key.id, &edits, &user.username)? {
                Edited::Done { lineas } => {
                    let order = store::get(conn, &key.id)?.ok_or(ApiError::NotFound)?;
                    Ok(LinesEdited { lineas_actualizadas: lineas, pedido: order.header })
                }
                Edited::NotEditable(s) => Err(ApiError::BadRequest(format!(
                    "Las líneas solo se pueden editar en borrador o pendiente de aprobación (estado actual: {})",
                    s.id()
                ))),
                Edited::UnknownCodes(codes) => Err(ApiError::Validation {
                    field: "lineas".into(),
                    message: format!("Productos que no son líneas del pedido: {}", codes.join(", ")),
                }),
                Edited::NotFound => Err(ApiError::NotFound),
            }
        })
        .await?;
    Ok(Json(r))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    comentario: String,
    #[serde(default)]
    tipo_comentario: Option<String>,
    #[serde(default)]
    es_importante: bool,
}

const COMMENT_KINDS: &[&str] = &["general", "picking", "entrega", "calidad", "interno"];

pub async fn list_comments(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Vec<store::Comment>>, ApiError> {
    let c = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            Ok(store::comments(conn, &key.id)?)
        })
        .await?;
    Ok(Json(c))
}

pub async fn add_comment(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CommentBody>,
) -> Result<(StatusCode, Json<Vec<store::Comment>>), ApiError> {
    let tipo = b.tipo_comentario.unwrap_or_else(|| "general".into());
    if !COMMENT_KINDS.contains(&tipo.as_str()) {
        return Err(ApiError::Validation {
            field: "tipo_comentario".into(),
            message: format!("Tipo de comentario «{tipo}» desconocido ({})", COMMENT_KINDS.join(", ")),
        });
    }
    if b.comentario.trim().is_empty() {
        return Err(ApiError::Validation { field: "comentario".into(), message: "El comentario está vacío".into() });
    }
    let c = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            store::add_comment(conn, &key.id, &tipo, &b.comentario, b.es_importante, &user.username)?;
            Ok(store::comments(conn, &key.id)?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineCommentBody {
    comentario: String,
}

#[derive(Serialize)]
pub struct LineCommented {
    codigo_producto: String,
    comentario_gerente: Option<String>,
}

pub async fn line_comment(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((id, codigo)): Path<(String, String)>,
    JsonBody(b): JsonBody<LineCommentBody>,
) -> Result<Json<LineCommented>, ApiError> {
    let r = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            if !store::set_line_comment(conn, &key.id, &codigo, &b.comentario)? {
                return Err(ApiError::NotFound);
            }
            let texto = b.comentario.trim();
            Ok(LineCommented { codigo_producto: codigo, comentario_gerente: (!texto.is_empty()).then(|| texto.to_string()) })
        })
        .await?;
    Ok(Json(r))
}

// ---- arrival ----------------------------------------------------------------------------

pub async fn verify_arrival(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<orders::Verification>, ApiError> {
    let key = state.with_app_db(move |conn| visible(conn, &user, &id)).await?;
    let st = state.clone();
    let v = tokio::task::spawn_blocking(move || -> Result<orders::Verification, ApiError> {
        let reader = st.warehouse.reader()?;
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(orders::verify_arrival(&st.tenant, &app, &reader, &key.id)?)
    })
    .await??;
    Ok(Json(v))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    codigo_producto: String,
    cantidad_llegada: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalBody {
    productos: Vec<ReceiptBody>,
}

#[derive(Serialize)]
pub struct ArrivalRegistered {
    lineas_actualizadas: usize,
    pedido_cerrado: bool,
    mensaje: String,
}

pub async fn register_arrival(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ArrivalBody>,
) -> Result<Json<ArrivalRegistered>, ApiError> {
    if b.productos.is_empty() {
        return Err(ApiError::Validation { field: "productos".into(), message: "Indique al menos un producto recibido".into() });
    }
    if let Some(bad) = b.productos.iter().find(|p| !p.cantidad_llegada.is_finite() || p.cantidad_llegada < 0.0) {
        return Err(ApiError::Validation {
            field: "cantidad_llegada".into(),
            message: format!("La cantidad recibida de {} debe ser un número de bultos ≥ 0", bad.codigo_producto),
        });
    }
    let receipts: Vec<Receipt> =
        b.productos.into_iter().map(|p| Receipt { codigo_producto: p.codigo_producto, cantidad_llegada: p.cantidad_llegada }).collect();
    let r = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            let pct = crate::appdb::inventory_settings::order_settings(conn)?.llegada_completa_pct;
            match store::register_arrival(conn, &key.id, &receipts, pct, &user.username)? {
                Registered::Done { lineas, cerrado } => Ok(ArrivalRegistered {
                    lineas_actualizadas: lineas,
                    pedido_cerrado: cerrado,
                    mensaje: match cerrado {
                        true => format!("Llegada registrada en {lineas} línea(s); el pedido {} quedó recibido", key.numero_pedido),
                        false => format!("Llegada registrada en {lineas} línea(s)"),
                    },
                }),
                Registered::UnknownCodes(codes) => Err(ApiError::Validation {
                    field: "productos".into(),
                    message: format!("Productos que no son líneas del pedido: {}", codes.join(", ")),
                }),
                Registered::NotFound => Err(ApiError::NotFound),
            }
        })
        .await?;
    Ok(Json(r))
}

// ---- override tracking ------------------------------------------------------------------

#[derive(Deserialize)]
pub struct AdjustmentsQuery {
    desde: Option<String>,
    hasta: Option<String>,
    tienda_id: Option<String>,
}

#[derive(Serialize)]
pub struct AdjustmentsResponse {
    desde: NaiveDate,
    hasta: NaiveDate,
    por_tienda_usuario: Vec<orders::Adjustments>,
}

pub async fn adjustments(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Query(q): Query<AdjustmentsQuery>,
) -> Result<Json<AdjustmentsResponse>, ApiError> {
    let hasta = match q.hasta.as_deref() {
        Some(s) => parse_date("hasta", s)?,
        None => state.tenant.today(),
    };
    let desde = match q.desde.as_deref() {
        Some(s) => parse_date("desde", s)?,
        None => hasta - chrono::Duration::days(30),
    };
    if let Some(t) = &q.tienda_id {
        user.check_location(t, false)?;
    }
    let scope = user.store_scope().map(<[String]>::to_vec);
    let tienda = q.tienda_id.clone();
    let rows = state
        .with_app_db(move |conn| {
            let all = orders::adjustments(conn, desde, hasta, tienda.as_deref())?;
            Ok(all.into_iter().filter(|a| scope.as_ref().is_none_or(|s| s.contains(&a.tienda_id))).collect())
        })
        .await?;
    Ok(Json(AdjustmentsResponse { desde, hasta, por_tienda_usuario: rows }))
}

// ---- exports ------------------------------------------------------------------------------

/// A file download with its name (spec 30 §13).
pub(super) fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!("attachment; filename=\"{}\"", file_name.replace(['"', '\\'], "_"));
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

pub(super) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Builds a workbook of an order: its bytes and file name, or a refusal.
type WorkbookBuilder = fn(&store::Order) -> Result<(Vec<u8>, String), ApiError>;

/// A visible order's workbook as a download; `build` gives the bytes and the file name, or
/// a refusal.
async fn order_workbook(
    state: &AppState,
    user: AuthUser,
    id: String,
    build: WorkbookBuilder,
) -> Result<axum::response::Response, ApiError> {
    let (bytes, name) = state
        .with_app_db(move |conn| {
            let key = visible(conn, &user, &id)?;
            let order = store::get(conn, &key.id)?.ok_or(ApiError::NotFound)?;
            build(&order)
        })
        .await?;
    Ok(download(bytes, XLSX, &name))
}

pub async fn export_excel(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    order_workbook(&state, user, id, |order| {
        let bytes = orders::export::order_xlsx(order).map_err(ApiError::internal)?;
        Ok((bytes, orders::export::order_file_name(&order.header.numero_pedido)))
    })
    .await
}

/// `GET /api/pedidos-multitienda/{id}/exportar-excel` (spec 31 §2.11): 404 when the order
/// does not exist, is not visible, or has no included line.
pub async fn export_multi_store_excel(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    order_workbook(&state, user, id, |order| {
        let bytes = orders::export::multi_store_xlsx(order)
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::Missing(format!("El pedido {} no tiene líneas incluidas", order.header.numero_pedido)))?;
        Ok((bytes, orders::export::multi_store_file_name(&order.header.numero_pedido)))
    })
    .await
}

pub async fn export_verification(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let key = state.with_app_db(move |conn| visible(conn, &user, &id)).await?;
    let st = state.clone();
    let (csv, name) = tokio::task::spawn_blocking(move || -> Result<(String, String), ApiError> {
        let reader = st.warehouse.reader()?;
        let app = crate::appdb::connect(&st.app_db_path)?;
        let v = orders::verify_arrival(&st.tenant, &app, &reader, &key.id)?;
        let cedi = st.tenant.location_name(&key.cedi_origen_id);
        let today = st.tenant.today().to_string();
        Ok((orders::export::verification_csv(&v, &cedi), orders::export::verification_file_name(&key.numero_pedido, &today)))
    })
    .await??;
    Ok(download(csv.into_bytes(), "text/csv; charset=utf-8", &name))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardLineBody {
    codigo_producto: String,
    cantidad_pedida_bultos: u64,
    #[serde(default)]
    observaciones: Option<String>,
    /// Multi-store step 4: DPD+U (or the conflict step) set these packs.
    #[serde(default)]
    ajustado_dpdu: bool,
}

/// The wizard's table as the user left it: the server recomputes the store's calculation and
/// writes its figures beside the user's quantities, in the order sent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardExportBody {
    cedi_origen: String,
    tienda_destino: String,
    fecha: String,
    /// `pedido` (step 2), `planificacion` (step 3) or `multitienda` (a batch destination, step 4).
    vista: String,
    productos: Vec<WizardLineBody>,
}

pub async fn export_wizard(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<WizardExportBody>,
) -> Result<axum::response::Response, ApiError> {
    user.check_location(&b.tienda_destino, false)?;
    let view = match b.vista.as_str() {
        "pedido" => orders::export::WizardView::Pedido,
        "planificacion" => orders::export::WizardView::Planificacion,
        "multitienda" => orders::export::WizardView::MultiTienda,
        other => {
            return Err(ApiError::Validation {
                field: "vista".into(),
                message: format!("Vista «{other}» desconocida (pedido, planificacion o multitienda)"),
            })
        }
    };
    let fecha = parse_date("fecha", &b.fecha)?;
    let st = state.clone();
    let (bytes, name) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, String), ApiError> {
        let app = crate::appdb::connect(&st.app_db_path)?;
        let req = crate::replenishment::Request {
            detalle_v2: false,
            tienda: b.tienda_destino.clone(),
            cedi: Some(b.cedi_origen.clone()),
            fecha,
            cuadrantes: None,
        };
        let proposal = st.calculations.propose(&st.tenant, &app, &st.warehouse, &req)?;
        let by_code: std::collections::HashMap<&str, &crate::domain::replenishment::Suggestion> =
            proposal.productos.iter().map(|l| (l.codigo_producto.as_str(), l)).collect();
        let unknown: Vec<&str> = b.productos.iter().map(|p| p.codigo_producto.as_str()).filter(|c| !by_code.contains_key(c)).collect();
        if !unknown.is_empty() {
            return Err(ApiError::Validation {
                field: "productos".into(),
                message: format!(
                    "Productos que no están en el cálculo: {}",
                    unknown.iter().take(20).copied().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        let rows: Vec<orders::export::WizardRow<'_>> = b
            .productos
            .iter()
            .map(|p| orders::export::WizardRow {
                line: by_code[p.codigo_producto.as_str()],
                packs: p.cantidad_pedida_bultos,
                nota: p.observaciones.clone(),
                ajustado_dpdu: p.ajustado_dpdu,
            })
            .collect();
        let bytes = orders::export::wizard_xlsx(&rows, view).map_err(ApiError::internal)?;
        let store = st.tenant.location_name(&proposal.tienda_destino);
        Ok((bytes, orders::export::wizard_file_name(&store, &fecha.to_string())))
    })
    .await??;
    Ok(download(bytes, XLSX, &name))
}
