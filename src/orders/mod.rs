//! Store orders as people act on them (spec 30 §11–§12): saving a calculation as an order,
//! moving it through its life cycle, and verifying what arrived. The rules are in
//! `domain::orders`; the rows in `appdb::orders`; this module joins them to the engine and
//! to the stock history.

pub mod export;
pub mod notify;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::appdb::inventory_settings as settings;
use crate::appdb::orders::{self as store, Created, Discarded, LineChoice, NewHeader, Transitioned};
use crate::config::Tenant;
use crate::domain::orders::{arrival_pct, arrival_status, initial_state, transition, ArrivalStatus, OrderAction, OrderState};
use crate::domain::replenishment::transit::detect_arrivals;
use crate::replenishment::{self, ReplenishmentError, Request};
use crate::warehouse::replenishment as wq;
use crate::warehouse::Warehouse;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("pedido no encontrado")]
    NotFound,
    #[error("{0}")]
    InvalidTransition(#[from] crate::domain::orders::InvalidTransition),
    /// Someone else moved the order first.
    #[error("El pedido cambió mientras tanto: su estado actual es «{}»", .current.map_or("eliminado", |s| s.id()))]
    Conflict { current: Option<OrderState> },
    #[error("{message}")]
    Validation { field: &'static str, message: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Replenishment(#[from] ReplenishmentError),
    #[error(transparent)]
    AppDb(#[from] crate::appdb::AppDbError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] duckdb::Error),
}

fn invalid(field: &'static str, message: impl Into<String>) -> OrderError {
    OrderError::Validation { field, message: message.into() }
}

/// One product line of a new order as the user left it in the wizard.
#[derive(Debug, Clone)]
pub struct ChosenLine {
    pub codigo_producto: String,
    pub cantidad_pedida_bultos: u64,
    pub incluido: bool,
    pub observaciones: Option<String>,
}

/// A new order: where from, where to, for which business date, and the user's lines.
#[derive(Debug, Clone, Default)]
pub struct NewOrder {
    pub cedi_origen_id: String,
    pub tienda_destino_id: String,
    pub fecha_pedido: NaiveDate,
    pub fecha_entrega_solicitada: Option<NaiveDate>,
    pub observaciones: Option<String>,
    pub notas_picking: Option<String>,
    pub notas_entrega: Option<String>,
    pub prioridad: Option<String>,
    pub tipo_pedido: Option<String>,
    pub dias_cobertura: Option<i64>,
    pub productos: Vec<ChosenLine>,
    /// "Enviar Pedido": create and submit in one step.
    pub enviar: bool,
}

const PRIORITIES: &[&str] = &["baja", "normal", "alta", "urgente"];
const ORDER_KINDS: &[&str] = &["reposicion", "urgente", "promocion", "nuevo_producto", "estacional"];

/// Saves an order. The snapshot of every line comes from the server's own calculation for
/// that store, CEDI and date, never from the client; only included lines with packs > 0 are
/// saved. Unknown or repeated codes refuse the whole order (nothing is saved).
pub fn create(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    wh: &Warehouse,
    calculations: &replenishment::Memo,
    order: &NewOrder,
    user: &str,
) -> Result<Created, OrderError> {
    let prioridad = order.prioridad.clone().unwrap_or_else(|| "normal".into());
    if !PRIORITIES.contains(&prioridad.as_str()) {
        return Err(invalid("prioridad", format!("Prioridad «{prioridad}» desconocida (baja, normal, alta o urgente)")));
    }
    let tipo = order.tipo_pedido.clone().unwrap_or_else(|| "reposicion".into());
    if !ORDER_KINDS.contains(&tipo.as_str()) {
        return Err(invalid("tipo_pedido", format!("Tipo de pedido «{tipo}» desconocido ({})", ORDER_KINDS.join(", "))));
    }
    let mut seen = HashSet::new();
    let repeated: Vec<&str> = order.productos.iter().map(|p| p.codigo_producto.as_str()).filter(|c| !seen.insert(c.to_string())).collect();
    if !repeated.is_empty() {
        return Err(invalid("productos", format!("Productos repetidos en el pedido: {}", repeated.join(", "))));
    }
    let ordered: Vec<&ChosenLine> = order.productos.iter().filter(|p| p.incluido && p.cantidad_pedida_bultos > 0).collect();
    if ordered.is_empty() {
        return Err(invalid("productos", "El pedido no tiene ningún producto incluido con cantidad mayor que 0"));
    }
    let req = Request {
        detalle_v2: false,
        tienda: order.tienda_destino_id.clone(),
        cedi: Some(order.cedi_origen_id.clone()),
        fecha: order.fecha_pedido,
        cuadrantes: None,
    };
    let proposal = calculations.propose(tenant, app, wh, &req)?;
    let computed: HashMap<&str, &crate::domain::replenishment::Suggestion> =
        proposal.productos.iter().map(|s| (s.codigo_producto.as_str(), s)).collect();
    let unknown: Vec<&str> = order.productos.iter().map(|p| p.codigo_producto.as_str()).filter(|c| !computed.contains_key(c)).collect();
    if !unknown.is_empty() {
        let shown: Vec<&str> = unknown.iter().take(20).copied().collect();
        return Err(invalid(
            "productos",
            format!(
                "{} producto(s) no están en el cálculo de {} desde {}: {}",
                unknown.len(),
                proposal.tienda_destino,
                proposal.cedi_origen,
                shown.join(", ")
            ),
        ));
    }
    let lines: Vec<(&crate::domain::replenishment::Suggestion, LineChoice)> = ordered
        .iter()
        .map(|p| {
            (
                computed[p.codigo_producto.as_str()],
                LineChoice { packs: p.cantidad_pedida_bultos, observaciones: p.observaciones.clone(), dpdu: None },
            )
        })
        .collect();
    let chosen: HashSet<&str> = ordered.iter().map(|p| p.codigo_producto.as_str()).collect();
    let discarded: Vec<Discarded> = proposal
        .productos
        .iter()
        .filter(|s| s.cantidad_sugerida_bultos > 0 && !chosen.contains(s.codigo_producto.as_str()))
        .map(|s| Discarded { codigo_producto: s.codigo_producto.to_string(), cantidad_sugerida_bultos: s.cantidad_sugerida_bultos })
        .collect();
    let cfg = settings::order_settings(app)?;
    let header = NewHeader {
        cedi_origen_nombre: tenant.location_name(&proposal.cedi_origen),
        cedi_origen_id: proposal.cedi_origen.clone(),
        tienda_destino_nombre: tenant.location_name(&proposal.tienda_destino),
        tienda_destino_id: proposal.tienda_destino.clone(),
        fecha_pedido: order.fecha_pedido.to_string(),
        fecha_entrega_solicitada: order.fecha_entrega_solicitada.map(|d| d.to_string()),
        observaciones: order.observaciones.clone().filter(|o| !o.trim().is_empty()),
        notas_picking: order.notas_picking.clone(),
        notas_entrega: order.notas_entrega.clone(),
        prioridad,
        tipo_pedido: tipo,
        dias_cobertura: order.dias_cobertura.unwrap_or(3).max(0),
        requiere_aprobacion: cfg.requiere_aprobacion,
    };
    let estado = initial_state(order.enviar, cfg.requiere_aprobacion);
    let created = store::create(app, &header, &lines, &discarded, estado, user)?;
    if created.estado == OrderState::PendienteAprobacion {
        let key = store::OrderKey {
            id: created.id.clone(),
            numero_pedido: created.numero_pedido.clone(),
            estado: created.estado,
            tienda_destino_id: header.tienda_destino_id.clone(),
            cedi_origen_id: header.cedi_origen_id.clone(),
            usuario_creador: user.to_string(),
            requiere_aprobacion: header.requiere_aprobacion,
        };
        queue_mail(tenant, app, &key, created.estado, user, None);
    }
    Ok(created)
}

/// Queues the e-mail of a change; a failure to queue is logged, never undoes the change.
fn queue_mail(tenant: &Tenant, app: &rusqlite::Connection, key: &store::OrderKey, to: OrderState, by: &str, reason: Option<&str>) {
    if let Err(e) = notify::queue_for_transition(tenant, app, key, to, by, reason) {
        tracing::error!(order = %key.numero_pedido, "order e-mail not queued: {e}");
    }
}

/// Applies `action` to the order as it is now; `comment` is saved with an approval.
pub fn act(
    tenant: &Tenant,
    app: &rusqlite::Connection,
    id: &str,
    action: OrderAction,
    reason: Option<&str>,
    user: &str,
) -> Result<(OrderState, OrderState), OrderError> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if action.needs_reason() && reason.is_none() {
        return Err(invalid("motivo", format!("Indique el motivo para {} el pedido", action.verb())));
    }
    let key = store::key(app, id)?.ok_or(OrderError::NotFound)?;
    let cfg = settings::order_settings(app)?;
    let to = match transition(key.estado, action, cfg.requiere_aprobacion) {
        Ok(to) => to,
        // Approvers acting at once: the one who came second finds the decision already
        // taken, which is a conflict with the current state, not a malformed request.
        Err(_)
            if matches!(action, OrderAction::Approve | OrderAction::Reject)
                && matches!(key.estado, OrderState::Aprobado | OrderState::Rechazado) =>
        {
            return Err(OrderError::Conflict { current: Some(key.estado) });
        }
        Err(e) => return Err(e.into()),
    };
    let comment = if action == OrderAction::Approve { reason } else { None };
    let history = reason.unwrap_or(action.default_reason());
    match store::transition(app, &key.id, key.estado, to, user, history, comment)? {
        Transitioned::Done => {
            queue_mail(tenant, app, &key, to, user, reason);
            Ok((key.estado, to))
        }
        Transitioned::Conflict(current) => Err(OrderError::Conflict { current }),
    }
}

/// Arrival verification of one line (§12.1).
#[derive(Debug, Clone, Serialize)]
pub struct LineArrival {
    pub codigo_producto: String,
    pub descripcion_producto: String,
    pub clasificacion_abc: Option<String>,
    pub cantidad_bultos: f64,
    pub cantidad_pedida_bultos: i64,
    pub total_llegadas_detectadas: f64,
    pub cantidad_ya_guardada: f64,
    pub nuevo_incremento: f64,
    pub porcentaje_llegada: f64,
    pub estado_llegada: ArrivalStatus,
    pub mensaje: String,
    pub stock_tienda_actual: f64,
    pub stock_cedi_origen_actual: f64,
    pub valor_inicial: Option<f64>,
    pub valor_final: Option<f64>,
    pub primer_incremento: Option<chrono::NaiveDateTime>,
    pub snapshots: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub pedido_id: String,
    pub numero_pedido: String,
    pub estado: OrderState,
    pub lineas: Vec<LineArrival>,
    pub completos: usize,
    pub parciales: usize,
    pub no_llegaron: usize,
    pub porcentaje_cumplimiento_global: f64,
    pub hay_nuevos_incrementos: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What arrived of each line since the order was created, detected from the destination's
/// stock snapshots (baseline: the last snapshot at or before creation). `id`: the order id.
pub fn verify_arrival(tenant: &Tenant, app: &rusqlite::Connection, wh: &duckdb::Connection, id: &str) -> Result<Verification, OrderError> {
    let order = store::get(app, id)?.ok_or(OrderError::NotFound)?;
    let h = &order.header;
    let cfg = settings::order_settings(app)?;
    let created = replenishment::transit::local_time(&order.header.fecha_creacion, tenant.timezone)
        .ok_or_else(|| OrderError::Refused(format!("fecha de creación ilegible: {}", order.header.fecha_creacion)))?;
    let now = tenant.now_local();
    let lines: Vec<&store::Line> = order.lineas.iter().filter(|l| l.incluido).collect();
    let codes: Vec<&str> = lines.iter().map(|l| l.codigo_producto.as_str()).collect();
    let excluded = replenishment::excluded_warehouses(tenant, &h.tienda_destino_id);
    let series = replenishment::transit::store_series_since(wh, &h.tienda_destino_id, &codes, created, &excluded)?;
    let stock_tienda = wq::stock(wh, &h.tienda_destino_id, &excluded)?;
    let stock_cedi = wq::stock(wh, &h.cedi_origen_id, &replenishment::excluded_warehouses(tenant, &h.cedi_origen_id))?;
    let empty = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let a = detect_arrivals(series.get(&l.codigo_producto).unwrap_or(&empty), created, now);
        let upb = if l.cantidad_bultos > 0.0 { l.cantidad_bultos } else { 1.0 };
        let detected = round2(a.unidades / upb);
        let ordered = l.cantidad_pedida_bultos as f64;
        let status = arrival_status(detected, ordered, cfg.llegada_completa_pct);
        let pct = arrival_pct(detected, ordered);
        let mensaje = match status {
            ArrivalStatus::Completo => "Llegada completa".to_string(),
            ArrivalStatus::Parcial => format!("Llegada parcial ({:.0}%)", pct),
            ArrivalStatus::NoLlego if a.snapshots < 2 => "Sin histórico de inventario (asumido como no llegó)".to_string(),
            ArrivalStatus::NoLlego => "No se detectó llegada".to_string(),
        };
        out.push(LineArrival {
            codigo_producto: l.codigo_producto.clone(),
            descripcion_producto: l.descripcion_producto.clone(),
            clasificacion_abc: l.clasificacion_abc.clone(),
            cantidad_bultos: l.cantidad_bultos,
            cantidad_pedida_bultos: l.cantidad_pedida_bultos,
            total_llegadas_detectadas: detected,
            cantidad_ya_guardada: l.cantidad_recibida_bultos,
            nuevo_incremento: round2((detected - l.cantidad_recibida_bultos).max(0.0)),
            porcentaje_llegada: round2(pct.min(150.0)),
            estado_llegada: status,
            mensaje,
            stock_tienda_actual: stock_tienda.get(&l.codigo_producto).copied().unwrap_or(0.0),
            stock_cedi_origen_actual: stock_cedi.get(&l.codigo_producto).copied().unwrap_or(0.0),
            valor_inicial: a.valor_inicial,
            valor_final: a.valor_final,
            primer_incremento: a.primer_incremento,
            snapshots: a.snapshots,
        });
    }
    let count = |s: ArrivalStatus| out.iter().filter(|l| l.estado_llegada == s).count();
    let (completos, parciales, no_llegaron) =
        (count(ArrivalStatus::Completo), count(ArrivalStatus::Parcial), count(ArrivalStatus::NoLlego));
    let global = if out.is_empty() { 0.0 } else { (completos as f64 / out.len() as f64 * 1000.0).round() / 10.0 };
    Ok(Verification {
        pedido_id: h.id.clone(),
        numero_pedido: h.numero_pedido.clone(),
        estado: h.estado,
        hay_nuevos_incrementos: out.iter().any(|l| l.nuevo_incremento > 0.0),
        lineas: out,
        completos,
        parciales,
        no_llegaron,
        porcentaje_cumplimiento_global: global,
    })
}

/// Override tracking per store and user (`GET /api/pedidos-sugeridos/ajustes`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Adjustments {
    pub tienda_id: String,
    pub usuario: String,
    pub lineas: u64,
    pub sin_cambio: u64,
    pub aumentadas: u64,
    pub reducidas: u64,
    pub eliminadas: u64,
    pub pct_sin_cambio: f64,
    pub pct_aumentadas: f64,
    pub pct_reducidas: f64,
    pub pct_eliminadas: f64,
}

pub fn adjustments(
    app: &rusqlite::Connection,
    desde: NaiveDate,
    hasta: NaiveDate,
    tienda: Option<&str>,
) -> Result<Vec<Adjustments>, OrderError> {
    use crate::domain::orders::{adjustment, Adjustment};
    let mut by_key: std::collections::BTreeMap<(String, String), Adjustments> = Default::default();
    for (t, u, suggested, ordered) in store::suggested_vs_ordered(app, &desde.to_string(), &hasta.to_string(), tienda)? {
        let Some(kind) = adjustment(suggested, ordered) else { continue };
        let a = by_key.entry((t.clone(), u.clone())).or_insert_with(|| Adjustments { tienda_id: t, usuario: u, ..Default::default() });
        a.lineas += 1;
        match kind {
            Adjustment::SinCambio => a.sin_cambio += 1,
            Adjustment::Aumentado => a.aumentadas += 1,
            Adjustment::Reducido => a.reducidas += 1,
            Adjustment::Eliminado => a.eliminadas += 1,
        }
    }
    let pct = |n: u64, total: u64| if total == 0 { 0.0 } else { (n as f64 / total as f64 * 1000.0).round() / 10.0 };
    Ok(by_key
        .into_values()
        .map(|mut a| {
            a.pct_sin_cambio = pct(a.sin_cambio, a.lineas);
            a.pct_aumentadas = pct(a.aumentadas, a.lineas);
            a.pct_reducidas = pct(a.reducidas, a.lineas);
            a.pct_eliminadas = pct(a.eliminadas, a.lineas);
            a
        })
        .collect())
}
