//! The typed records every source (POS connectors, file import, synthetic generator)
//! produces and the warehouse loads.

use chrono::NaiveDateTime;

/// One invoice line (spec 10 §4.1). Money in USD, quantities in selling units (kg for
/// weighed goods). Key: (`ubicacion_id`, `numero_factura`, `linea`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SaleLine {
    pub ubicacion_id: String,
    pub numero_factura: String,
    pub linea: i32,
    /// Local wall-clock time of the store, fractional seconds already truncated.
    pub fecha_venta: NaiveDateTime,
    pub producto_codigo: String,
    pub cantidad_vendida: f64,
    pub venta_total: f64,
    pub costo_total: Option<f64>,
    pub precio_unitario: Option<f64>,
    pub costo_unitario: Option<f64>,
    pub almacen_codigo: Option<String>,
    pub almacen_nombre: Option<String>,
    pub cuadrante_producto: Option<String>,
    pub peso_unitario: f64,
    pub unidad_medida_venta: Option<String>,
    pub factor_unidad_medida: f64,
    /// As reported by the POS; derived from venta − costo when the source omits it.
    pub utilidad_bruta: Option<f64>,
    pub tasa_usd: Option<f64>,
    pub es_no_fiscal: Option<bool>,
    /// Bolívar amounts and tax/discount figures kept for audit (spec 10 §4.1); only POS
    /// connectors report them.
    /// `None` when the source reports none (file imports, the synthetic chain): boxed
    /// because it is most of a line's size, and a history import holds millions of lines.
    pub bs: Option<Box<SaleAuditBs>>,
}

/// Audit columns of a sale line in bolívares, as reported by the POS (never recomputed).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SaleAuditBs {
    pub venta_total_bs: Option<f64>,
    pub costo_total_bs: Option<f64>,
    pub utilidad_bruta_bs: Option<f64>,
    pub precio_unitario_bs: Option<f64>,
    pub costo_unitario_bs: Option<f64>,
    pub impuesto_pct: Option<f64>,
    pub impuesto_monto_bs: Option<f64>,
    pub descuento_pct: Option<f64>,
    pub descuento_monto_bs: Option<f64>,
}

impl SaleAuditBs {
    /// A line without audit figures.
    pub const NONE: SaleAuditBs = SaleAuditBs {
        venta_total_bs: None,
        costo_total_bs: None,
        utilidad_bruta_bs: None,
        precio_unitario_bs: None,
        costo_unitario_bs: None,
        impuesto_pct: None,
        impuesto_monto_bs: None,
        descuento_pct: None,
        descuento_monto_bs: None,
    };
}

impl SaleLine {
    pub fn key(&self) -> (&str, &str, i32) {
        (&self.ubicacion_id, &self.numero_factura, self.linea)
    }
}

/// Source-derived product attributes (spec 10 §3.4). `None` = the source did not say.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductRecord {
    pub codigo: String,
    pub descripcion: String,
    pub codigo_barras: Option<String>,
    pub categoria: Option<String>,
    pub grupo: Option<String>,
    pub subgrupo: Option<String>,
    pub marca: Option<String>,
    pub cuadrante: Option<String>,
    pub unidades_por_bulto: Option<i32>,
    pub unidad_pedido: Option<String>,
    pub peso_unitario: Option<f64>,
    pub es_pesable: Option<bool>,
    pub precio_venta_usd: Option<f64>,
    pub costo_unitario_usd: Option<f64>,
    pub cedi_origen_id: Option<String>,
    pub activo: Option<bool>,
    pub es_generador_trafico: Option<bool>,
    pub fecha_lanzamiento: Option<chrono::NaiveDate>,
}

/// A full stock listing of one (location, warehouse) at one instant: replaces that
/// scope's current stock.
#[derive(Debug, Clone, PartialEq)]
pub struct StockListing {
    pub ubicacion_id: String,
    pub almacen_codigo: String,
    /// Local time of the extraction.
    pub fecha_snapshot: NaiveDateTime,
    /// (producto_codigo, cantidad); negative quantities are legitimate.
    pub rows: Vec<(String, f64)>,
}
