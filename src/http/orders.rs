//! `POST /api/pedidos-sugeridos/calcular`: the suggested order of one store from one CEDI,
//! every candidate line with its explanation (spec 30 §7).

use axum::extract::State;
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::error::ApiError;
use super::session::AuthUser;
use super::AppState;
use crate::replenishment::{ReplenishmentError, Request, StoreProposal};

#[derive(Deserialize)]
pub struct CalculateBody {
    #[serde(default)]
    cedi_origen: Option<String>,
    #[serde(default)]
    tienda_destino: String,
    #[serde(default)]
    cuadrantes: Option<Vec<String>>,
    /// Business date of the calculation (default: today in the tenant's time zone).
    #[serde(default)]
    fecha: Option<String>,
    /// Include the V2 day-by-day simulation and dated weekday sales on every line.
    #[serde(default)]
    detalle_v2: bool,
    /// `false`: lines without their `explicacion` block (the wizard's grid; about half the
    /// bytes). Default `true`, as the API always answered.
    #[serde(default)]
    explicacion: Option<bool>,
    /// `"tabla"`: the wizard's grid as column names plus one array per line, only the columns
    /// the grid shows, decimals rounded to 3 places (≈ 1/10 of the bytes of the full lines).
    #[serde(default)]
    formato: Option<String>,
    /// Only these product codes (the wizard's explanation drawer asks for one line).
    #[serde(default)]
    codigos: Option<Vec<String>>,
    /// Accepted for compatibility and ignored, as in the original (spec 30 §7.1).
    #[serde(default)]
    #[allow(dead_code)]
    dias_cobertura: Option<serde_json::Value>,
}

impl From<ReplenishmentError> for ApiError {
    fn from(e: ReplenishmentError) -> Self {
        match e {
            ReplenishmentError::UnknownStore(_) => ApiError::Validation { field: "tienda_destino".into(), message: e.to_string() },
            ReplenishmentError::UnknownCedi(_) | ReplenishmentError::NoSupplier(_) => {
                ApiError::Validation { field: "cedi_origen".into(), message: e.to_string() }
            }
            ReplenishmentError::AppDb(e) => e.into(),
            ReplenishmentError::Warehouse(e) => e.into(),
            ReplenishmentError::Open(e) => e.into(),
        }
    }
}

/// Columns of the `"tabla"` format, in the order of [`GridRow`].
const GRID_COLUMNS: &[&str] = &[
    "codigo_producto",
    "codigo_barras",
    "descripcion_producto",
    "categoria",
    "cuadrante_producto",
    "cantidad_bultos",
    "unidad_pedido",
    "peso_unidad",
    "prom_ventas_20dias_unid",
    "prom_p75_unid",
    "stock_tienda",
    "stock_en_transito",
    "stock_total_bultos",
    "stock_dias_cobertura",
    "stock_cedi_origen",
    "clasificacion_abc",
    "es_generador_trafico",
    "bulto_sin_definir",
    "stock_seguridad",
    "punto_reorden",
    "stock_maximo",
    "cantidad_sugerida_bultos",
    "razon_pedido",
    "metodo_calculo",
    "criticidad",
    "nivel_criticidad",
    "estado_criticidad",
    "dias_stock",
    "ajustado_por_capacidad",
    "capacidad_maxima_configurada",
    "ajustado_por_minimo_exhibicion",
    "minimo_exhibicion_configurado",
    "v2_cantidad_sugerida_bultos",
    "v2_diferencia_bultos",
    "v2_dias_cobertura_real",
];

/// One line of the `"tabla"` format (serialised as a JSON array).
#[derive(Serialize)]
struct GridRow<'a>(
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    f64,
    &'a str,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    Option<&'a str>,
    bool,
    bool,
    f64,
    f64,
    f64,
    u64,
    &'a str,
    Option<&'a crate::domain::replenishment::CalculationMethod>,
    u32,
    Option<u8>,
    Option<&'a crate::domain::replenishment::CriticalityLevel>,
    Option<f64>,
    bool,
    Option<f64>,
    bool,
    Option<f64>,
    Option<u64>,
    Option<i64>,
    Option<f64>,
);

/// 3 decimals are what the grid shows at most; shorter numbers are most of the saving.
fn r3(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        x
    }
}

impl<'a> GridRow<'a> {
    fn of(l: &'a crate::domain::replenishment::Suggestion) -> GridRow<'a> {
        let t = |x: &'a Option<crate::domain::text::Text>| x.as_ref().map(|t| t.as_str());
        GridRow(
            l.codigo_producto.as_str(),
            t(&l.codigo_barras),
            l.descripcion_producto.as_str(),
            t(&l.categoria),
            t(&l.cuadrante_producto),
            r3(l.cantidad_bultos),
            l.unidad_pedido.as_str(),
            r3(l.peso_unidad),
            r3(l.prom_ventas_20dias_unid),
            r3(l.prom_p75_unid),
            r3(l.stock_tienda),
            r3(l.stock_en_transito),
            r3(l.stock_total_bultos),
            r3(l.stock_dias_cobertura),
            r3(l.stock_cedi_origen),
            l.clasificacion_abc.map(|c| c.as_str()),
            l.es_generador_trafico,
            l.bulto_sin_definir,
            r3(l.stock_seguridad),
            r3(l.punto_reorden),
            r3(l.stock_maximo),
            l.cantidad_sugerida_bultos,
            &l.razon_pedido,
            l.metodo_calculo.as_ref(),
            l.criticidad.criticidad,
            l.criticidad.nivel_criticidad,
            l.criticidad.estado_criticidad.as_ref(),
            l.criticidad.dias_stock.map(r3),
            l.ajustado_por_capacidad,
            l.capacidad_maxima_configurada.map(r3),
            l.ajustado_por_minimo_exhibicion,
            l.minimo_exhibicion_configurado.map(r3),
            l.v2.as_ref().map(|v| v.v2_cantidad_sugerida_bultos),
            l.v2.as_ref().map(|v| v.v2_diferencia_bultos),
            l.v2.as_ref().map(|v| r3(v.v2_dias_cobertura_real)),
        )
    }
}

#[derive(Serialize)]
struct GridProposal<'a> {
    tienda_destino: &'a str,
    cedi_origen: &'a str,
    fecha: NaiveDate,
    columnas: &'static [&'static str],
    filas: Vec<GridRow<'a>>,
}

pub async fn calculate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(b): JsonBody<CalculateBody>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    user.check_location(&b.tienda_destino, false)?;
    let fecha = match b.fecha.as_deref() {
        Some(s) => super::saved_orders::parse_date("fecha", s)?,
        None => state.tenant.today(),
    };
    let req = Request {
        detalle_v2: b.detalle_v2,
        tienda: b.tienda_destino,
        cedi: b.cedi_origen.filter(|c| !c.is_empty()),
        fecha,
        cuadrantes: b.cuadrantes,
    };
    let explicacion = b.explicacion.unwrap_or(true);
    let codigos = b.codigos;
    let formato = b.formato;
    let st = state.clone();
    let mut proposal = tokio::task::spawn_blocking(move || -> Result<StoreProposal, ApiError> {
        // A connection of its own: WAL readers never wait for, nor block, other requests.
        let app = crate::appdb::connect(&st.app_db_path)?;
        Ok(st.calculations.propose(&st.tenant, &app, &st.warehouse, &req)?)
    })
    .await??;
    if let Some(codes) = codigos {
        proposal.productos.retain(|l| codes.iter().any(|c| c.trim() == l.codigo_producto.as_str()));
    }
    if !explicacion {
        proposal.productos.iter_mut().for_each(|l| l.explicacion.left_out = true);
    }
    match formato.as_deref() {
        None | Some("completo") => Ok(Json(proposal).into_response()),
        Some("tabla") => {
            let grid = GridProposal {
                tienda_destino: &proposal.tienda_destino,
                cedi_origen: &proposal.cedi_origen,
                fecha: proposal.fecha,
                columnas: GRID_COLUMNS,
                filas: proposal.productos.iter().map(GridRow::of).collect(),
            };
            Ok(Json(grid).into_response())
        }
        Some(other) => {
            Err(ApiError::Validation { field: "formato".into(), message: format!("Formato «{other}» desconocido (completo o tabla)") })
        }
    }
}
