//! Product administration (spec 50 §8): `/api/admin/productos…`, for `admin.productos`.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use super::body::{non_empty, JsonBody, QueryParams};
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::domain::products::OverridePatch;
use crate::products::{self, ProductDetail, ProductError};
use crate::warehouse::products::{self as wp, ActiveFilter, OptionCount, OptionKind, ProductFilter, ProductPage};

impl From<ProductError> for ApiError {
    fn from(e: ProductError) -> Self {
        match e {
            ProductError::NotFound(_) => ApiError::Missing(e.to_string()),
            ProductError::Empty => ApiError::BadRequest(e.to_string()),
            ProductError::Invalid { field, message } => ApiError::Validation { field: field.into(), message },
            ProductError::AppDb(e) => e.into(),
            ProductError::Warehouse(e) => e.into(),
            ProductError::WarehouseOpen(e) => e.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    search: Option<String>,
    categoria: Option<String>,
    cuadrante: Option<String>,
    marca: Option<String>,
    cedi_origen_id: Option<String>,
    #[serde(default)]
    solo_sin_peso: bool,
    #[serde(default)]
    solo_sin_cuadrante: bool,
    #[serde(default)]
    solo_sin_bulto: bool,
    #[serde(default)]
    solo_con_ajustes: bool,
    /// activos (default), inactivos or todos.
    estado: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

impl ListQuery {
    fn filter(self) -> Result<ProductFilter, ApiError> {
        let invalid = |field: &str, message: &str| ApiError::Validation { field: field.into(), message: message.into() };
        let search = non_empty(self.search);
        if search.as_ref().is_some_and(|s| s.chars().count() < 2) {
            return Err(invalid("search", "La búsqueda necesita al menos 2 caracteres"));
        }
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(invalid("page", "page empieza en 1"));
        }
        let page_size = self.page_size.unwrap_or(50);
        if !(10..=200).contains(&page_size) {
            return Err(invalid("page_size", "page_size debe estar entre 10 y 200"));
        }
        let estado = match self.estado.as_deref().map(str::trim) {
            None | Some("") | Some("activos") => ActiveFilter::Active,
            Some("inactivos") => ActiveFilter::Inactive,
            Some("todos") => ActiveFilter::All,
            Some(other) => return Err(invalid("estado", &format!("Estado «{other}» desconocido (activos, inactivos o todos)"))),
        };
        Ok(ProductFilter {
            search,
            categoria: non_empty(self.categoria),
            cuadrante: non_empty(self.cuadrante),
            marca: non_empty(self.marca),
            cedi_origen_id: non_empty(self.cedi_origen_id),
            solo_sin_peso: self.solo_sin_peso,
            solo_sin_cuadrante: self.solo_sin_cuadrante,
            solo_sin_bulto: self.solo_sin_bulto,
            solo_con_ajustes: self.solo_con_ajustes,
            estado,
            page,
            page_size,
        })
    }
}

pub async fn list(State(state): State<AppState>, QueryParams(q): QueryParams<ListQuery>) -> Result<Json<ProductPage>, ApiError> {
    let filter = q.filter()?;
    let page = tokio::task::spawn_blocking(move || -> Result<ProductPage, ApiError> {
        let r = state.warehouse.reader()?;
        Ok(wp::list(&r, &filter)?)
    })
    .await??;
    Ok(Json(page))
}

/// A product code as it appears in a path: the POS's text, trimmed, of sane length.
fn code(raw: String) -> Result<String, ApiError> {
    let c = raw.trim().to_string();
    if c.is_empty() || c.chars().count() > 50 || c.chars().any(char::is_control) {
        return Err(ApiError::Validation { field: "codigo".into(), message: "Código de producto inválido".into() });
    }
    Ok(c)
}

pub async fn detail(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Json<ProductDetail>, ApiError> {
    let codigo = code(raw)?;
    let st = state.clone();
    let d = state.with_app_db(move |conn| Ok(products::detail(conn, &st.warehouse, &codigo)?)).await?;
    Ok(Json(d))
}

#[derive(Serialize)]
pub struct Edited {
    success: bool,
    message: String,
    producto: ProductDetail,
}

pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(raw): Path<String>,
    JsonBody(patch): JsonBody<OverridePatch>,
) -> Result<Json<Edited>, ApiError> {
    let codigo = code(raw)?;
    let st = state.clone();
    let producto = tokio::task::spawn_blocking(move || -> Result<ProductDetail, ApiError> {
        // Its own connection: the edit is one SQLite transaction, then a warehouse write.
        let mut app = crate::appdb::connect(&st.app_db_path)?;
        Ok(products::edit(&st.tenant, &mut app, &st.warehouse, &codigo, &patch, (&user.username, user.ip.as_deref()))?)
    })
    .await??;
    Ok(Json(Edited { success: true, message: format!("Producto {} actualizado correctamente", producto.producto.codigo), producto }))
}

pub async fn options(State(state): State<AppState>, Path(kind): Path<String>) -> Result<Json<Vec<OptionCount>>, ApiError> {
    let kind = match kind.as_str() {
        "cuadrantes" => OptionKind::Cuadrantes,
        "marcas" => OptionKind::Marcas,
        "categorias" => OptionKind::Categorias,
        _ => return Err(ApiError::NotFound),
    };
    let rows = tokio::task::spawn_blocking(move || -> Result<_, ApiError> {
        let r = state.warehouse.reader()?;
        Ok(wp::options(&r, kind)?)
    })
    .await??;
    Ok(Json(rows))
}

// ---------- Productos: Clasificación ABC and Matriz ABC-XYZ (spec 50 §9.3) ----------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassesQuery {
    /// A store; absent = the whole chain.
    ubicacion_id: Option<String>,
}

/// The store of a query (checked against the caller's scope), or the chain.
fn scope(state: &AppState, user: &AuthUser, id: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(id) = non_empty(id) else {
        // The chain's figures include stores a store manager may not see.
        if user.store_scope().is_some() {
            return Err(ApiError::Validation { field: "ubicacion_id".into(), message: "Indique una de sus tiendas (ubicacion_id)".into() });
        }
        return Ok(None);
    };
    let known = state.tenant.stores().iter().any(|s| s.id == id && s.active && !s.is_cedi());
    if !known {
        return Err(ApiError::Validation { field: "ubicacion_id".into(), message: format!("«{id}» no es una tienda activa") });
    }
    user.check_location(&id, false)?;
    Ok(Some(id))
}

pub async fn abc_xyz(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<ClassesQuery>,
) -> Result<Json<crate::products::classes::Classes>, ApiError> {
    let store = scope(&state, &user, q.ubicacion_id)?;
    let with_xyz = state.tenant.file.features.xyz_analysis;
    let c = tokio::task::spawn_blocking(move || crate::products::classes::classes(&state.warehouse, store.as_deref(), with_xyz)).await??;
    Ok(Json(c))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellQuery {
    ubicacion_id: Option<String>,
    abc: String,
    xyz: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

pub async fn cell(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<CellQuery>,
) -> Result<Json<crate::products::classes::CellPage>, ApiError> {
    use crate::domain::replenishment::{AbcClass, XyzClass};
    let invalid = |field: &str, message: String| ApiError::Validation { field: field.into(), message };
    let store = scope(&state, &user, q.ubicacion_id)?;
    let abc = AbcClass::parse(&q.abc).ok_or_else(|| invalid("abc", format!("Clase «{}» desconocida (A, B, C o D)", q.abc)))?;
    let xyz = match non_empty(q.xyz) {
        None => None,
        Some(_) if !state.tenant.file.features.xyz_analysis => {
            return Err(invalid("xyz", "El análisis XYZ no está activado en esta instalación".into()))
        }
        Some(x) => Some(
            XyzClass::ALL
                .into_iter()
                .find(|c| c.as_str().eq_ignore_ascii_case(&x))
                .ok_or_else(|| invalid("xyz", format!("Clase «{x}» desconocida (X, Y o Z)")))?,
        ),
    };
    let page = q.page.unwrap_or(1);
    let size = q.page_size.unwrap_or(50);
    if page == 0 || !(1..=500).contains(&size) {
        return Err(invalid("page_size", "page empieza en 1 y page_size va de 1 a 500".into()));
    }
    let c = tokio::task::spawn_blocking(move || {
        crate::products::classes::cell(&state.warehouse, store.as_deref(), abc, xyz, page as usize, size as usize)
    })
    .await??;
    Ok(Json(c))
}
