//! *Ventas de una ubicación* (spec 40 §6.2): `GET /api/ventas/detail`, its Excel export
//! and the same-weekday drill-down. Store managers see only their stores.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::{invalid, non_empty, QueryParams};
use super::error::ApiError;
use super::saved_orders::parse_date;
use super::session::AuthUser;
use super::AppState;
use crate::domain::inventory::Velocity;
use crate::sales::{self, Filter, SalesError, SalesLine, SalesTable, SortBy, Totals, WeekdayHistory};

impl From<SalesError> for ApiError {
    fn from(e: SalesError) -> Self {
        match e {
            SalesError::UnknownStore(_) => ApiError::Validation { field: "ubicacion_id".into(), message: e.to_string() },
            SalesError::UnknownProduct(_) => ApiError::Missing(e.to_string()),
            SalesError::Warehouse(e) => e.into(),
            SalesError::WarehouseOpen(e) => e.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetailQuery {
    ubicacion_id: Option<String>,
    fecha_inicio: Option<String>,
    fecha_fin: Option<String>,
    categoria: Option<String>,
    marca: Option<String>,
    search: Option<String>,
    abc: Option<String>,
    velocidad: Option<String>,
    sort_by: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
}

struct Request {
    store: String,
    desde: NaiveDate,
    hasta: NaiveDate,
    filter: Filter,
}

impl DetailQuery {
    /// Default period: *Último mes*, the same day of the previous month through today.
    fn parse(self, today: NaiveDate) -> Result<Request, ApiError> {
        let store = non_empty(self.ubicacion_id).ok_or_else(|| invalid("ubicacion_id", "Indique la tienda (ubicacion_id)"))?;
        let hasta = match non_empty(self.fecha_fin) {
            Some(s) => parse_date("fecha_fin", &s)?,
            None => today,
        };
        let desde = match non_empty(self.fecha_inicio) {
            Some(s) => parse_date("fecha_inicio", &s)?,
            None => sales::default_start(hasta),
        };
        if hasta < desde {
            return Err(invalid("fecha_fin", format!("La fecha final {hasta} es anterior a la inicial {desde}")));
        }
        if hasta > today {
            return Err(invalid("fecha_fin", format!("La fecha final {hasta} es posterior a hoy ({today})")));
        }
        if (hasta - desde).num_days() + 1 > sales::MAX_PERIOD_DAYS {
            return Err(invalid("fecha_inicio", format!("El periodo no puede pasar de {} días", sales::MAX_PERIOD_DAYS)));
        }
        let page = self.page.unwrap_or(1);
        if page < 1 {
            return Err(invalid("page", "page empieza en 1"));
        }
        let page_size = self.page_size.unwrap_or(50);
        if !(1..=1000).contains(&page_size) {
            return Err(invalid("page_size", "page_size debe estar entre 1 y 1000"));
        }
        let abc = match non_empty(self.abc).map(|s| s.to_ascii_uppercase()) {
            None => None,
            Some(c) if c == "A" => Some("A"),
            Some(c) if c == "B" => Some("B"),
            Some(c) if c == "C" => Some("C"),
            Some(c) => return Err(invalid("abc", format!("Clase «{c}» desconocida (A, B o C del periodo)"))),
        };
        let velocidad = match non_empty(self.velocidad) {
            None => None,
            Some(v) => Some(Velocity::parse(&v).ok_or_else(|| invalid("velocidad", format!("Velocidad «{v}» desconocida")))?),
        };
        let sort_by = match non_empty(self.sort_by).as_deref() {
            None | Some("cantidad_total") => SortBy::CantidadTotal,
            Some("promedio_diario") => SortBy::PromedioDiario,
            Some("porcentaje_total") => SortBy::PorcentajeTotal,
            Some("venta_total") => SortBy::VentaTotal,
            Some(other) => {
                return Err(invalid(
                    "sort_by",
                    format!("Orden «{other}» desconocido (cantidad_total, promedio_diario, porcentaje_total o venta_total)"),
                ))
            }
        };
        let filter = Filter {
            categoria: non_empty(self.categoria),
            marca: non_empty(self.marca),
            search: non_empty(self.search),
            abc,
            velocidad,
            sort_by,
            page: page as usize,
            page_size: page_size as usize,
        };
        Ok(Request { store, desde, hasta, filter })
    }
}

async fn table(state: &AppState, user: &AuthUser, r: &Request) -> Result<Arc<SalesTable>, ApiError> {
    user.check_location(&r.store, false)?;
    let (st, store, desde, hasta) = (state.clone(), r.store.clone(), r.desde, r.hasta);
    tokio::task::spawn_blocking(move || -> Result<Arc<SalesTable>, ApiError> {
        Ok(st.sales_tables.get(&st.tenant, &st.warehouse, &store, desde, hasta)?)
    })
    .await?
}

#[derive(Serialize)]
struct Choices<'a> {
    categorias: &'a BTreeSet<String>,
    marcas: &'a BTreeSet<String>,
}

#[derive(Serialize)]
pub struct DetailPage<'a> {
    ubicacion_id: &'a str,
    ubicacion_nombre: String,
    fecha_inicio: NaiveDate,
    fecha_fin: NaiveDate,
    dias_con_venta: usize,
    totales: Totals,
    items: &'a [SalesLine<'a>],
    page: usize,
    page_size: usize,
    total_pages: usize,
    opciones: Choices<'a>,
}

pub async fn detail(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<DetailQuery>,
) -> Result<axum::response::Response, ApiError> {
    let r = q.parse(state.tenant.today())?;
    let t = table(&state, &user, &r).await?;
    let (lines, totales) = sales::lines(&t, &r.filter);
    let size = r.filter.page_size.max(1);
    let total_pages = lines.len().div_ceil(size);
    let start = (r.filter.page - 1).saturating_mul(size).min(lines.len());
    let end = (start + size).min(lines.len());
    let body = DetailPage {
        ubicacion_id: &t.ubicacion_id,
        ubicacion_nombre: state.tenant.location_name(&t.ubicacion_id),
        fecha_inicio: t.desde,
        fecha_fin: t.hasta,
        dias_con_venta: t.dias_con_venta,
        totales,
        items: &lines[start..end],
        page: r.filter.page,
        page_size: r.filter.page_size,
        total_pages,
        opciones: Choices { categorias: &t.categorias, marcas: &t.marcas },
    };
    Ok(Json(body).into_response())
}

/// Every row the filters keep, as the two-sheet workbook.
pub async fn export(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<DetailQuery>,
) -> Result<axum::response::Response, ApiError> {
    let r = q.parse(state.tenant.today())?;
    let t = table(&state, &user, &r).await?;
    let filter = r.filter;
    let (bytes, file) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, String), ApiError> {
        let (lines, _) = sales::lines(&t, &filter);
        let bytes = sales::sales_xlsx(&lines, t.desde, t.hasta).map_err(ApiError::internal)?;
        Ok((bytes, sales::file_name(&t.ubicacion_id, t.desde, t.hasta)))
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

#[derive(Serialize)]
pub struct Categories {
    ubicacion_id: String,
    fecha_inicio: NaiveDate,
    fecha_fin: NaiveDate,
    /// Categories of the products sold at the store in the period, sorted.
    categorias: Vec<String>,
}

/// `GET /api/ventas/categorias?ubicacion_id=&fecha_inicio=&fecha_fin=`: the category filter's
/// choices (the same period defaults as the table).
pub async fn categories(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    QueryParams(q): QueryParams<DetailQuery>,
) -> Result<Json<Categories>, ApiError> {
    let r = q.parse(state.tenant.today())?;
    let t = table(&state, &user, &r).await?;
    Ok(Json(Categories {
        ubicacion_id: t.ubicacion_id.clone(),
        fecha_inicio: t.desde,
        fecha_fin: t.hasta,
        categorias: t.categorias.iter().cloned().collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekdayQuery {
    ubicacion_id: String,
    /// 0 = domingo … 6 = sábado.
    dia_semana: u8,
}

pub async fn weekday_history(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(code): Path<String>,
    QueryParams(q): QueryParams<WeekdayQuery>,
) -> Result<Json<WeekdayHistory>, ApiError> {
    if q.dia_semana > 6 {
        return Err(invalid("dia_semana", "dia_semana va de 0 (domingo) a 6 (sábado)"));
    }
    user.check_location(&q.ubicacion_id, false)?;
    let code = code.trim().to_string();
    let st = state.clone();
    let h = tokio::task::spawn_blocking(move || -> Result<WeekdayHistory, ApiError> {
        Ok(sales::weekday_history(&st.tenant, &st.warehouse, &q.ubicacion_id, &code, usize::from(q.dia_semana), st.tenant.today())?)
    })
    .await??;
    Ok(Json(h))
}
