//! The four files of spec 15: their columns and how one row becomes a typed record.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::reader::{opt, req, Column, Row};
use super::values::{boolean, decimal, integer_at_least, non_negative_decimal, order_unit, timestamp};
use crate::config::Tenant;
use crate::domain::records::{ProductRecord, SaleLine};
use crate::warehouse::load::PastStock;

pub const PRODUCTOS: &[Column] = &[
    req("codigo"),
    req("descripcion"),
    opt("categoria"),
    opt("grupo"),
    opt("subgrupo"),
    opt("marca"),
    opt("cuadrante"),
    opt("unidades_por_bulto"),
    opt("unidad_pedido"),
    opt("precio_venta_usd"),
    opt("costo_unitario_usd"),
    opt("es_pesable"),
    opt("cedi_origen_id"),
    opt("activo"),
];

pub const VENTAS: &[Column] = &[
    req("ubicacion_id"),
    req("numero_factura"),
    req("linea"),
    req("fecha_venta"),
    req("producto_codigo"),
    req("cantidad_vendida"),
    req("venta_total"),
    opt("costo_total"),
    opt("precio_unitario"),
    opt("costo_unitario"),
    opt("almacen_codigo"),
];

pub const INVENTARIO: &[Column] =
    &[req("ubicacion_id"), req("producto_codigo"), req("cantidad"), opt("almacen_codigo"), opt("fecha_actualizacion")];

pub const INVENTARIO_HISTORICO: &[Column] =
    &[req("ubicacion_id"), req("producto_codigo"), req("cantidad"), req("fecha"), opt("almacen_codigo")];

const REQUIRED: bool = true;
const OPTIONAL: bool = false;

/// The tenant's locations as the import sees them (from tenant.toml; inactive locations
/// are still locations of the tenant and may receive data).
pub struct Locations {
    by_id: HashMap<String, Location>,
}

struct Location {
    is_cedi: bool,
    default_warehouse: String,
}

impl Locations {
    pub fn of(tenant: &Tenant) -> Locations {
        let by_id = tenant
            .stores()
            .iter()
            .map(|s| (s.id.clone(), Location { is_cedi: s.is_cedi(), default_warehouse: s.default_warehouse() }))
            .collect();
        Locations { by_id }
    }

    fn any(&self, id: &str) -> Result<String, String> {
        match self.by_id.get(id) {
            Some(_) => Ok(id.to_string()),
            None => Err(format!("not a location of the tenant: {id:?}")),
        }
    }

    fn store(&self, id: &str) -> Result<String, String> {
        match self.by_id.get(id) {
            Some(l) if l.is_cedi => Err(format!("is a CEDI, not a store: {id:?}")),
            Some(_) => Ok(id.to_string()),
            None => Err(format!("not a store of the tenant: {id:?}")),
        }
    }

    fn cedi(&self, id: &str) -> Result<String, String> {
        match self.by_id.get(id) {
            Some(l) if l.is_cedi => Ok(id.to_string()),
            Some(_) => Err(format!("is a store, not a CEDI: {id:?}")),
            None => Err(format!("not a CEDI of the tenant: {id:?}")),
        }
    }

    /// `almacen_codigo` when given, else the location's first active warehouse, else
    /// `PRINCIPAL` (`Store::default_warehouse`).
    fn warehouse(&self, ubicacion_id: &str, given: Option<String>) -> String {
        given.unwrap_or_else(|| self.by_id.get(ubicacion_id).map(|l| l.default_warehouse.clone()).unwrap_or_else(|| "PRINCIPAL".into()))
    }
}

/// `productos.csv` → product master row (defaults applied by the loader).
pub fn product(r: &mut Row<'_>, locations: &Locations) -> Option<ProductRecord> {
    let codigo = r.text("codigo", REQUIRED);
    let descripcion = r.text("descripcion", REQUIRED);
    let categoria = r.text("categoria", OPTIONAL);
    let grupo = r.text("grupo", OPTIONAL);
    let subgrupo = r.text("subgrupo", OPTIONAL);
    let marca = r.text("marca", OPTIONAL);
    let cuadrante = r.text("cuadrante", OPTIONAL);
    let unidades_por_bulto = r.value("unidades_por_bulto", OPTIONAL, |v| integer_at_least(v, 1));
    let unidad_pedido = r.value("unidad_pedido", OPTIONAL, order_unit);
    let precio_venta_usd = r.value("precio_venta_usd", OPTIONAL, non_negative_decimal);
    let costo_unitario_usd = r.value("costo_unitario_usd", OPTIONAL, non_negative_decimal);
    let es_pesable = r.value("es_pesable", OPTIONAL, boolean);
    let cedi_origen_id = r.value("cedi_origen_id", OPTIONAL, |v| locations.cedi(v));
    let activo = r.value("activo", OPTIONAL, boolean);
    let (Some(codigo), Some(descripcion)) = (codigo, descripcion) else { return None };
    if r.has_errors() {
        return None;
    }
    Some(ProductRecord {
        codigo,
        descripcion,
        categoria,
        grupo,
        subgrupo,
        marca,
        cuadrante,
        unidades_por_bulto,
        unidad_pedido,
        es_pesable,
        precio_venta_usd,
        costo_unitario_usd,
        cedi_origen_id,
        activo,
        ..ProductRecord::default()
    })
}

/// `ventas.csv` → sale line. Columns the format does not carry keep the record defaults
/// (unit `UNIDAD`, factor 1, weight 0; gross profit derived from `costo_total`).
pub fn sale(r: &mut Row<'_>, locations: &Locations) -> Option<SaleLine> {
    let ubicacion_id = r.value("ubicacion_id", REQUIRED, |v| locations.store(v));
    let numero_factura = r.text("numero_factura", REQUIRED);
    let linea = r.value("linea", REQUIRED, |v| integer_at_least(v, 0));
    let fecha_venta = r.value("fecha_venta", REQUIRED, timestamp);
    let producto_codigo = r.text("producto_codigo", REQUIRED);
    let cantidad_vendida = r.value("cantidad_vendida", REQUIRED, decimal);
    let venta_total = r.value("venta_total", REQUIRED, decimal);
    let costo_total = r.value("costo_total", OPTIONAL, decimal);
    let precio_unitario = r.value("precio_unitario", OPTIONAL, decimal);
    let costo_unitario = r.value("costo_unitario", OPTIONAL, decimal);
    let almacen_codigo = r.text("almacen_codigo", OPTIONAL);
    let (
        Some(ubicacion_id),
        Some(numero_factura),
        Some(linea),
        Some(fecha_venta),
        Some(producto_codigo),
        Some(cantidad_vendida),
        Some(venta_total),
    ) = (ubicacion_id, numero_factura, linea, fecha_venta, producto_codigo, cantidad_vendida, venta_total)
    else {
        return None;
    };
    if r.has_errors() {
        return None;
    }
    Some(SaleLine {
        ubicacion_id,
        numero_factura,
        linea,
        fecha_venta,
        producto_codigo,
        cantidad_vendida,
        venta_total,
        costo_total,
        precio_unitario,
        costo_unitario,
        almacen_codigo,
        ..SaleLine::default()
    })
}

/// One row of `inventario.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StockRow {
    pub ubicacion_id: String,
    pub almacen_codigo: String,
    pub producto_codigo: String,
    pub cantidad: f64,
    pub fecha_actualizacion: Option<NaiveDateTime>,
}

/// (ubicacion_id, almacen_codigo, producto_codigo) of a stock row.
pub type StockKey = (String, String, String);

/// `inventario.csv` → stock row; on failure, the row's key when it could still be read
/// (so that `--skip-bad-rows` can leave that product's stock as it was).
pub fn stock(r: &mut Row<'_>, locations: &Locations) -> Result<StockRow, Option<StockKey>> {
    let ubicacion_id = r.value("ubicacion_id", REQUIRED, |v| locations.any(v));
    let producto_codigo = r.text("producto_codigo", REQUIRED);
    let cantidad = r.value("cantidad", REQUIRED, decimal);
    let almacen_codigo = r.text("almacen_codigo", OPTIONAL);
    let fecha_actualizacion = r.value("fecha_actualizacion", OPTIONAL, timestamp);
    let (Some(ubicacion_id), Some(producto_codigo)) = (ubicacion_id, producto_codigo) else { return Err(None) };
    let almacen_codigo = locations.warehouse(&ubicacion_id, almacen_codigo);
    match cantidad {
        Some(cantidad) if !r.has_errors() => Ok(StockRow { ubicacion_id, almacen_codigo, producto_codigo, cantidad, fecha_actualizacion }),
        _ => Err(Some((ubicacion_id, almacen_codigo, producto_codigo))),
    }
}

/// `inventario_historico.csv` → past stock observation.
pub fn past_stock(r: &mut Row<'_>, locations: &Locations) -> Option<PastStock> {
    let ubicacion_id = r.value("ubicacion_id", REQUIRED, |v| locations.any(v));
    let producto_codigo = r.text("producto_codigo", REQUIRED);
    let cantidad = r.value("cantidad", REQUIRED, decimal);
    let fecha = r.value("fecha", REQUIRED, timestamp);
    let almacen_codigo = r.text("almacen_codigo", OPTIONAL);
    let (Some(ubicacion_id), Some(producto_codigo), Some(cantidad), Some(fecha)) = (ubicacion_id, producto_codigo, cantidad, fecha) else {
        return None;
    };
    if r.has_errors() {
        return None;
    }
    let almacen_codigo = locations.warehouse(&ubicacion_id, almacen_codigo);
    Some(PastStock { ubicacion_id, almacen_codigo, producto_codigo, fecha, cantidad })
}
