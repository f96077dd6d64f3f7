//! Inter-CEDI calculation (spec 31 §3.2–§3.7): what a receiving CEDI should order from one
//! supplying CEDI, from the demand of the stores of its region. The route (and its coverage
//! days and lead time) comes from tenant.toml; the formulas are in
//! `domain::distribution::inter_cedi`.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::{invalid, text, DistributionError};
use crate::appdb::inter_cedi as store;
use crate::appdb::inventory_settings as settings;
use crate::config::{Store, Tenant};
use crate::domain::distribution::inter_cedi::{
    line_class, line_reason, priority, quantity, regional_classes, regional_demand, QuantityInput, RouteSettings, StoreDays,
};
use crate::domain::replenishment::AbcClass;
use crate::replenishment::excluded_warehouses;
use crate::warehouse::replenishment as wq;
use crate::warehouse::Warehouse;

/// Days of regional sales behind the demand (today excluded).
pub const REGIONAL_WINDOW_DAYS: i64 = 30;

#[derive(Debug, Clone)]
pub struct Request {
    pub origen: String,
    pub destino: String,
    pub fecha: NaiveDate,
    /// The route's settings unless the user changed them for this order.
    pub ajustes: Option<RouteSettings>,
}

/// One product of the calculation (every product of the origin, ordered or not).
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub codigo_producto: String,
    pub codigo_barras: Option<String>,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub marca: Option<String>,
    pub cuadrante: Option<String>,
    pub cedi_origen_id: String,
    pub unidades_por_bulto: f64,
    pub peso_unidad_kg: f64,
    /// Regional class by rank of units sold (§3.4).
    pub clasificacion_abc: AbcClass,
    /// The class the line is computed with: A for an active traffic generator
    /// (`domain::distribution::inter_cedi::line_class`), else the regional class.
    pub clase_efectiva: AbcClass,
    pub es_generador_trafico: bool,
    pub es_congelado: bool,
    pub dias_cobertura: u32,
    pub demanda_regional_p75: f64,
    pub demanda_regional_promedio: f64,
    pub sigma_regional: f64,
    pub num_tiendas_con_venta: usize,
    pub stock_cedi_destino: f64,
    pub transito_destino: f64,
    pub stock_cedi_origen: f64,
    pub stock_tiendas_region: f64,
    /// Destination days of stock; 999 without regional demand.
    pub dias_stock_destino: f64,
    /// 1 (most urgent) to 10 (§3.7).
    pub prioridad: u8,
    pub stock_seguridad: f64,
    pub punto_reorden: f64,
    pub stock_maximo: f64,
    pub cantidad_ideal_unid: f64,
    pub cantidad_sugerida_bultos: u64,
    pub cantidad_sugerida_unid: f64,
    pub limitado_por_origen: bool,
    pub razon_pedido: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Calculation {
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub cedi_destino_id: String,
    pub cedi_destino_nombre: String,
    pub region: String,
    pub num_tiendas_region: usize,
    pub fecha: NaiveDate,
    pub configuracion: RouteSettings,
    pub total_productos: usize,
    pub total_productos_con_sugerido: usize,
    pub total_productos_sin_sugerido: usize,
    pub total_bultos: u64,
    pub total_unidades: f64,
    pub total_excluidos_inter_cedi: usize,
    pub codigos_excluidos_inter_cedi: Vec<String>,
    /// Sorted by priority, then regional demand descending.
    pub productos: Vec<Line>,
    pub mensaje: String,
}

fn cedi<'t>(tenant: &'t Tenant, id: &str, field: &'static str) -> Result<&'t Store, DistributionError> {
    tenant
        .stores()
        .iter()
        .find(|s| s.id == id && s.active && s.is_cedi())
        .ok_or_else(|| invalid(field, format!("«{id}» no es un CEDI activo")))
}

/// Computes the inter-CEDI order of one route for `fecha` (windows end the day before).
pub fn calculate(tenant: &Tenant, app: &rusqlite::Connection, wh: &Warehouse, req: &Request) -> Result<Calculation, DistributionError> {
    let origin = cedi(tenant, &req.origen, "cedi_origen_id")?;
    let dest = cedi(tenant, &req.destino, "cedi_destino_id")?;
    if origin.id == dest.id {
        return Err(invalid("cedi_origen_id", "El CEDI de origen y el de destino deben ser distintos"));
    }
    let route = tenant.route(&origin.id, &dest.id).ok_or_else(|| {
        invalid("cedi_origen_id", format!("No hay una ruta activa de {} a {} en la configuración del cliente", origin.name, dest.name))
    })?;
    let ajustes = req.ajustes.unwrap_or(route.settings);
    ajustes.validate().map_err(|(field, message)| invalid(field, message))?;
    let stores: Vec<&Store> = tenant.stores().iter().filter(|s| s.active && !s.is_cedi() && s.region == dest.region).collect();
    if stores.is_empty() {
        return Err(invalid("cedi_destino_id", format!("No hay tiendas activas en la región {}", dest.region)));
    }
    let to = req.fecha - Duration::days(1);
    let from = req.fecha - Duration::days(REGIONAL_WINDOW_DAYS);
    let excluded = store::exclusions(app, &dest.id)?;
    let reader = wh.reader().map_err(crate::replenishment::ReplenishmentError::from)?;
    let read = |e: duckdb::Error| DistributionError::Replenishment(e.into());
    let codes = wq::product_codes(&reader).map_err(read)?;
    let catalogue = wq::products(&reader, &origin.id, false).map_err(read)?;
    let dest_stock = wq::stock(&reader, &dest.id, &excluded_warehouses(tenant, &dest.id)).map_err(read)?;
    let origin_stock = wq::stock(&reader, &origin.id, &excluded_warehouses(tenant, &origin.id)).map_err(read)?;
    let mut store_days: Vec<(String, Vec<NaiveDate>, wq::DailyByProduct)> = Vec::new();
    let mut store_stock: Vec<wq::StockByProduct> = Vec::new();
    for s in &stores {
        let days = wq::daily_sales(&reader, &s.id, from, to).map_err(read)?;
        store_days.push((s.id.clone(), settings::atypical_days(app, &s.id)?, days));
        store_stock.push(wq::stock(&reader, &s.id, &excluded_warehouses(tenant, &s.id)).map_err(read)?);
    }
    let transit = store::in_transit(app, &origin.id, &dest.id)?;

    // Regional units per product over the window: the rank behind the regional class.
    let mut units: HashMap<i32, f64> = HashMap::new();
    for (_, skipped, days) in &store_days {
        for (id, rows) in days.iter() {
            let total: f64 = wq::window_days(rows, from, to, skipped).sum();
            *units.entry(*id).or_default() += total;
        }
    }
    let ranked: Vec<(String, f64)> = units.iter().filter_map(|(id, u)| codes.by_id.get(id).map(|c| (c.clone(), *u))).collect();
    let thresholds = store::thresholds(app)?;
    let classes: HashMap<String, AbcClass> = regional_classes(&ranked, &thresholds).into_iter().collect();
    let frozen = tenant.frozen_goods();

    let mut productos = Vec::new();
    let mut excluded_codes = Vec::new();
    for p in &catalogue {
        let code = p.codigo.as_str();
        if excluded.iter().any(|e| e == code) {
            excluded_codes.push(code.to_string());
            continue;
        }
        let id = codes.by_code.get(code).copied();
        let per_store: Vec<StoreDays> = store_days
            .iter()
            .map(|(store, skipped, days)| StoreDays {
                tienda_id: store.clone(),
                dias: id.and_then(|id| days.get(&id)).map(|rows| wq::window_days(rows, from, to, skipped).collect()).unwrap_or_default(),
            })
            .collect();
        let demand = regional_demand(&per_store);
        let clase_regional = classes.get(code).copied().unwrap_or(AbcClass::D);
        let clase = line_class(clase_regional, p.es_generador_trafico);
        let es_congelado = frozen.matches(p.cuadrante.as_ref().map(|c| c.as_str()), p.categoria.as_ref().map(|c| c.as_str()));
        let dias_cobertura = ajustes.coverage_days(clase, es_congelado);
        let upb = p.unidades_por_bulto.filter(|u| u.is_finite() && *u >= 1.0).unwrap_or(1.0);
        let stock_destino = dest_stock.get(code).copied().unwrap_or(0.0);
        let transito_destino = transit.get(code).copied().unwrap_or(0.0);
        let q = quantity(&QuantityInput {
            clase,
            demanda: demand.p75_regional,
            sigma: demand.sigma_efectiva,
            stock_destino,
            transito_destino,
            stock_origen: origin_stock.get(code).copied().unwrap_or(0.0),
            unidades_por_bulto: upb,
            dias_cobertura,
            lead_time_dias: ajustes.lead_time_dias,
        });
        let (dias_stock_destino, prioridad) = priority(clase, demand.p75_regional, stock_destino);
        productos.push(Line {
            codigo_producto: code.to_string(),
            codigo_barras: text(&p.codigo_barras),
            descripcion_producto: p.descripcion.to_string(),
            categoria: text(&p.categoria),
            marca: text(&p.marca),
            cuadrante: text(&p.cuadrante),
            cedi_origen_id: origin.id.clone(),
            unidades_por_bulto: upb,
            peso_unidad_kg: p.peso_unitario_kg.unwrap_or(1.0),
            clasificacion_abc: clase_regional,
            clase_efectiva: clase,
            es_generador_trafico: p.es_generador_trafico,
            es_congelado,
            dias_cobertura,
            demanda_regional_p75: demand.p75_regional,
            demanda_regional_promedio: demand.demanda_regional_promedio,
            sigma_regional: demand.sigma_regional,
            num_tiendas_con_venta: demand.num_tiendas_region,
            stock_cedi_destino: stock_destino,
            transito_destino,
            stock_cedi_origen: origin_stock.get(code).copied().unwrap_or(0.0),
            stock_tiendas_region: store_stock.iter().map(|s| s.get(code).copied().unwrap_or(0.0)).sum(),
            dias_stock_destino,
            prioridad,
            stock_seguridad: q.stock_seguridad,
            punto_reorden: q.punto_reorden,
            stock_maximo: q.stock_maximo,
            cantidad_ideal_unid: q.cantidad_ideal_unid,
            cantidad_sugerida_bultos: q.cantidad_sugerida_bultos,
            cantidad_sugerida_unid: q.cantidad_sugerida_unid,
            limitado_por_origen: q.limitado_por_origen,
            razon_pedido: line_reason(clase, dias_cobertura, p.es_generador_trafico),
        });
    }
    productos.sort_by(|a, b| {
        a.prioridad
            .cmp(&b.prioridad)
            .then(b.demanda_regional_p75.total_cmp(&a.demanda_regional_p75))
            .then_with(|| a.codigo_producto.cmp(&b.codigo_producto))
    });
    excluded_codes.sort();
    let con: Vec<&Line> = productos.iter().filter(|l| l.cantidad_sugerida_bultos > 0).collect();
    let total_bultos = con.iter().map(|l| l.cantidad_sugerida_bultos).sum();
    let total_unidades = con.iter().map(|l| l.cantidad_sugerida_unid).sum();
    let n_con = con.len();
    Ok(Calculation {
        cedi_origen_id: origin.id.clone(),
        cedi_origen_nombre: origin.name.clone(),
        cedi_destino_id: dest.id.clone(),
        cedi_destino_nombre: dest.name.clone(),
        region: dest.region.clone(),
        num_tiendas_region: stores.len(),
        fecha: req.fecha,
        configuracion: ajustes,
        total_productos: productos.len(),
        total_productos_con_sugerido: n_con,
        total_productos_sin_sugerido: productos.len() - n_con,
        total_bultos,
        total_unidades,
        total_excluidos_inter_cedi: excluded_codes.len(),
        codigos_excluidos_inter_cedi: excluded_codes,
        mensaje: format!("{n_con} productos con pedido sugerido de {} a {} ({total_bultos} bultos)", origin.name, dest.name),
        productos,
    })
}
