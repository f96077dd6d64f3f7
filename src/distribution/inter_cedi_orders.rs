//! Saving and moving inter-CEDI orders (spec 31 §3.8–§3.10). The lines a user saves are
//! snapshotted from a fresh calculation of the same route and settings on the server — the
//! client sends only which products, how many packs and its notes — so a saved line always
//! carries the figures that justified it, and "1 order = 1 origin" holds by construction
//! (D-12): the route is the header's, every line is of that origin.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::inter_cedi::{self, Calculation};
use super::{invalid, DistributionError};
use crate::appdb::inter_cedi_orders::{self as store, ActNotes, Created, NewHeader, NewLine, Outcome};
use crate::config::{Tenant, ROUTE_FREQUENCIES};
use crate::domain::distribution::inter_cedi::RouteSettings;
use crate::domain::distribution::inter_cedi_order::{Action, InterCediState, WrongState};
use crate::warehouse::Warehouse;

pub const PRIORITIES: &[&str] = &["baja", "normal", "alta", "urgente"];

/// What the user chose for one product of the calculation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub codigo_producto: String,
    pub cantidad_pedida_bultos: i64,
    #[serde(default = "yes")]
    pub incluido: bool,
    /// When given, must be the order's origin (D-12).
    #[serde(default)]
    pub cedi_origen_id: Option<String>,
    #[serde(default)]
    pub observaciones: Option<String>,
}

fn yes() -> bool {
    true
}

/// A draft as the wizard sends it (`POST` or `PUT`).
#[derive(Debug, Clone)]
pub struct Draft {
    pub origen: String,
    pub destino: String,
    pub fecha: NaiveDate,
    pub ajustes: Option<RouteSettings>,
    pub frecuencia_viajes_dias: Option<String>,
    pub prioridad: Option<String>,
    pub observaciones: Option<String>,
    pub notas_logistica: Option<String>,
    pub productos: Vec<Choice>,
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Header and lines of a draft: the calculation of its route with its settings, then the
/// user's choices checked against it. Only included lines with packs > 0 are kept (§3.8).
fn build(tenant: &Tenant, app: &rusqlite::Connection, wh: &Warehouse, d: &Draft) -> Result<(NewHeader, Vec<NewLine>), DistributionError> {
    let prioridad = d.prioridad.clone().unwrap_or_else(|| "normal".into());
    if !PRIORITIES.contains(&prioridad.as_str()) {
        return Err(invalid("prioridad", format!("Prioridad «{prioridad}» desconocida (baja, normal, alta o urgente)")));
    }
    let route = tenant.route(&d.origen, &d.destino);
    let frecuencia = d.frecuencia_viajes_dias.clone().or_else(|| route.as_ref().map(|r| r.frecuencia_viajes.clone()));
    let frecuencia = frecuencia.unwrap_or_else(|| ROUTE_FREQUENCIES[0].to_string());
    if !ROUTE_FREQUENCIES.contains(&frecuencia.as_str()) {
        return Err(invalid(
            "frecuencia_viajes_dias",
            format!("Frecuencia «{frecuencia}» desconocida ({})", ROUTE_FREQUENCIES.join(" · ")),
        ));
    }
    let calc = inter_cedi::calculate(
        tenant,
        app,
        wh,
        &inter_cedi::Request { origen: d.origen.clone(), destino: d.destino.clone(), fecha: d.fecha, ajustes: d.ajustes },
    )?;
    let lines = chosen_lines(&calc, &d.productos)?;
    let header = header_of(&calc, d.fecha, prioridad, frecuencia, blank_to_none(&d.observaciones), blank_to_none(&d.notas_logistica));
    Ok((header, lines))
}

/// The header of an order of `calc`'s route with the settings it used.
pub(super) fn header_of(
    calc: &Calculation,
    fecha: NaiveDate,
    prioridad: String,
    frecuencia: String,
    observaciones: Option<String>,
    notas_logistica: Option<String>,
) -> NewHeader {
    let c = calc.configuracion;
    NewHeader {
        cedi_destino_id: calc.cedi_destino_id.clone(),
        cedi_destino_nombre: calc.cedi_destino_nombre.clone(),
        cedi_destino_region: calc.region.clone(),
        cedi_origen_id: calc.cedi_origen_id.clone(),
        cedi_origen_nombre: calc.cedi_origen_nombre.clone(),
        fecha_pedido: fecha.to_string(),
        prioridad,
        dias_cobertura_a: c.dias_cobertura_a,
        dias_cobertura_b: c.dias_cobertura_b,
        dias_cobertura_c: c.dias_cobertura_c,
        dias_cobertura_d: c.dias_cobertura_d,
        dias_cobertura_congelados: c.dias_cobertura_congelados,
        frecuencia_viajes_dias: frecuencia,
        lead_time_dias: c.lead_time_dias,
        observaciones,
        notas_logistica,
    }
}

fn chosen_lines(calc: &Calculation, choices: &[Choice]) -> Result<Vec<NewLine>, DistributionError> {
    let lines = lines_of(calc, choices)?;
    if lines.is_empty() {
        return Err(invalid("productos", "El pedido no tiene ninguna línea incluida con cantidad mayor que 0"));
    }
    Ok(lines)
}

/// The saved lines of the user's choices, each snapshotted from `calc` (included, packs > 0);
/// a product not in the calculation, twice, of another origin or negative is refused.
pub(super) fn lines_of(calc: &Calculation, choices: &[Choice]) -> Result<Vec<NewLine>, DistributionError> {
    let by_code: HashMap<&str, &inter_cedi::Line> = calc.productos.iter().map(|l| (l.codigo_producto.as_str(), l)).collect();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for c in choices {
        let code = c.codigo_producto.trim();
        if let Some(o) = c.cedi_origen_id.as_deref().filter(|o| *o != calc.cedi_origen_id) {
            return Err(invalid(
                "productos",
                format!(
                    "El producto {code} es del origen «{o}»: un pedido Inter-CEDI tiene un solo CEDI de origen ({})",
                    calc.cedi_origen_nombre
                ),
            ));
        }
        if c.cantidad_pedida_bultos < 0 {
            return Err(invalid("productos", format!("Cantidad negativa ({}) para el producto {code}", c.cantidad_pedida_bultos)));
        }
        if !seen.insert(code) {
            return Err(invalid("productos", format!("El producto {code} aparece dos veces")));
        }
        let Some(l) = by_code.get(code) else {
            return Err(invalid(
                "productos",
                format!(
                    "El producto {code} no está en el cálculo de {} a {} (excluido, inactivo o desconocido)",
                    calc.cedi_origen_nombre, calc.cedi_destino_nombre
                ),
            ));
        };
        if !c.incluido || c.cantidad_pedida_bultos == 0 {
            continue;
        }
        lines.push(NewLine {
            codigo_producto: l.codigo_producto.clone(),
            codigo_barras: l.codigo_barras.clone(),
            descripcion_producto: l.descripcion_producto.clone(),
            categoria: l.categoria.clone(),
            marca: l.marca.clone(),
            clasificacion_abc: l.clasificacion_abc.as_str().to_string(),
            unidades_por_bulto: l.unidades_por_bulto,
            peso_unitario_kg: l.peso_unidad_kg,
            demanda_regional_p75: l.demanda_regional_p75,
            demanda_regional_promedio: l.demanda_regional_promedio,
            num_tiendas_region: l.num_tiendas_con_venta as i64,
            stock_cedi_destino: l.stock_cedi_destino,
            stock_en_transito: l.transito_destino,
            stock_seguridad_cedi: l.stock_seguridad,
            punto_reorden_cedi: l.punto_reorden,
            stock_maximo_cedi: l.stock_maximo,
            stock_cedi_origen: l.stock_cedi_origen,
            cantidad_sugerida_unidades: l.cantidad_sugerida_unid,
            cantidad_sugerida_bultos: l.cantidad_sugerida_bultos as f64,
            cantidad_pedida_bultos: c.cantidad_pedida_bultos,
            razon_pedido: l.razon_pedido.clone(),
            dias_cobertura_objetivo: l.dias_cobertura,
            observaciones: blank_to_none(&c.observaciones),
        });
    }
    Ok(lines)
}

fn wrong_state(w: WrongState) -> DistributionError {
    DistributionError::WrongState(w.to_string())
}

fn missing(id: &str) -> DistributionError {
    DistributionError::NotFound(format!("Pedido Inter-CEDI {id} no encontrado"))
}

/// `POST /api/pedidos-inter-cedi`: a new draft, or with `confirm` a draft confirmed in the
/// same transaction ("Confirmar" on an unsaved order).
pub fn save(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    d: &Draft,
    user: &str,
    confirm: bool,
) -> Result<Created, DistributionError> {
    let (header, lines) = build(tenant, app, wh, d)?;
    Ok(store::create(app, &header, &lines, user, confirm)?)
}

/// `PUT /api/pedidos-inter-cedi/{id}`: replaces a draft's lines and header values (D-10);
/// with `confirm`, saves and confirms in one transaction. The route of a saved order is
/// fixed: another origin or destination is a new order.
pub fn update(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    id: &str,
    d: &Draft,
    user: &str,
    confirm: bool,
) -> Result<Created, DistributionError> {
    let key = store::key(app, id)?.ok_or_else(|| missing(id))?;
    if !key.estado.is_editable() {
        return Err(wrong_state(WrongState { required: InterCediState::Borrador, current: key.estado }));
    }
    if key.cedi_origen_id != d.origen || key.cedi_destino_id != d.destino {
        return Err(invalid("cedi_origen_id", "La ruta de un pedido guardado no cambia: cree un pedido nuevo para otro origen o destino"));
    }
    let (header, lines) = build(tenant, app, wh, d)?;
    match store::replace(app, &key.id, &header, &lines, user, confirm)? {
        Outcome::Done(c) => Ok(c),
        Outcome::Missing => Err(missing(id)),
        Outcome::WrongState(w) => Err(wrong_state(w)),
    }
}

/// One line's received packs (`recibir`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    pub codigo_producto: String,
    pub cantidad_recibida_bultos: f64,
}

/// Confirmar, despachar, recibir or cancelar by the acting user (D-14).
pub fn act(
    app: &rusqlite::Connection,
    id: &str,
    action: Action,
    user: &str,
    motivo: Option<&str>,
    notas: Option<&str>,
    received: &[Received],
) -> Result<Created, DistributionError> {
    if !received.is_empty() && action != Action::Recibir {
        return Err(invalid("lineas_recibidas", "Solo la recepción registra cantidades recibidas"));
    }
    let mut recibidos = Vec::with_capacity(received.len());
    // The order's lines are read only to check received quantities against them.
    let order = match received.is_empty() {
        true => None,
        false => Some(store::get(app, id)?.ok_or_else(|| missing(id))?),
    };
    let codes: HashSet<&str> = order.iter().flat_map(|o| o.productos.iter().map(|l| l.codigo_producto.as_str())).collect();
    let numero = order.as_ref().map_or(id, |o| o.header.numero_pedido.as_str());
    for r in received {
        if !codes.contains(r.codigo_producto.trim()) {
            return Err(invalid("lineas_recibidas", format!("El producto {} no está en el pedido {numero}", r.codigo_producto)));
        }
        if !r.cantidad_recibida_bultos.is_finite() || r.cantidad_recibida_bultos < 0.0 {
            return Err(invalid("lineas_recibidas", format!("Cantidad recibida inválida para el producto {}", r.codigo_producto)));
        }
        recibidos.push((r.codigo_producto.trim().to_string(), r.cantidad_recibida_bultos));
    }
    match store::act(app, id, action, user, &ActNotes { motivo, notas, recibidos: &recibidos })? {
        Outcome::Done(c) => Ok(c),
        Outcome::Missing => Err(missing(id)),
        Outcome::WrongState(w) => Err(wrong_state(w)),
    }
}

/// Deletes a draft or a confirmed order.
pub fn delete(app: &rusqlite::Connection, id: &str) -> Result<(), DistributionError> {
    match store::delete(app, id)? {
        Outcome::Done(()) => Ok(()),
        Outcome::Missing => Err(missing(id)),
        Outcome::WrongState(w) => Err(DistributionError::WrongState(format!(
            "Solo se elimina un pedido en estado «borrador» o «confirmado»; estado actual: «{}»",
            w.current.id()
        ))),
    }
}

/// The §3.12 note: drafts and confirmed orders from `origin` of the last 24 hours, which
/// compete with any new calculation for the same origin stock (nothing is reserved).
#[derive(Debug, Clone, Serialize)]
pub struct RecentNote {
    pub cedi_origen_id: String,
    pub pedidos: Vec<store::Recent>,
    pub mensaje: Option<String>,
}

pub fn recent_note(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    origin: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<RecentNote, DistributionError> {
    let since = crate::appdb::rfc3339(now - chrono::Duration::hours(24));
    let pedidos = store::recent_from_origin(app, origin, &since)?;
    let mensaje = (!pedidos.is_empty()).then(|| {
        let list: Vec<String> = pedidos.iter().map(|p| format!("{} ({}, hacia {})", p.numero_pedido, p.estado.id(), p.cedi_destino_nombre)).collect();
        format!(
            "En las últimas 24 horas se guardaron pedidos Inter-CEDI desde {}: {}. El stock del origen no se reserva: ese pedido y este compiten por las mismas existencias.",
            tenant.location_name(origin),
            list.join(", ")
        )
    });
    Ok(RecentNote { cedi_origen_id: origin.to_string(), pedidos, mensaje })
}
