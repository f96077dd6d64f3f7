//! Store orders in the application database (spec 30 §11–§12): numbering, header and line
//! snapshots, state changes with their history, comments, registered arrivals.
//!
//! Every change that touches several rows runs in one transaction, and a state change is an
//! `UPDATE … WHERE estado = <the state it was decided from>`: two users acting on the same
//! order at once cannot both win (the loser learns the current state).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::{now_rfc3339, Result};
use crate::domain::orders::{arrival_summary, order_number, ArrivalSummary, OrderState};
use crate::domain::replenishment::Suggestion;

/// What the user chose for one computed line.
#[derive(Debug, Clone)]
pub struct LineChoice {
    pub packs: u64,
    pub observaciones: Option<String>,
    /// Set on a multi-store line whose packs DPD+U (or the user in the conflict step) changed.
    pub dpdu: Option<DpduAdjustment>,
}

/// How DPD+U changed a line (spec 31 §2.7, §2.10): the engine's packs and the reason.
#[derive(Debug, Clone)]
pub struct DpduAdjustment {
    pub cantidad_original_bultos: u64,
    pub razon: String,
}

/// Where an order stands in a multi-store batch.
#[derive(Debug, Clone, Copy)]
struct GroupSlot<'a> {
    grupo_pedido_id: &'a str,
    orden_en_grupo: u32,
}

/// Header fields the user gives (spec 10 §6.2 names).
#[derive(Debug, Clone, Default)]
pub struct NewHeader {
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub tienda_destino_id: String,
    pub tienda_destino_nombre: String,
    pub fecha_pedido: String,
    pub fecha_entrega_solicitada: Option<String>,
    pub observaciones: Option<String>,
    pub notas_picking: Option<String>,
    pub notas_entrega: Option<String>,
    pub prioridad: String,
    pub tipo_pedido: String,
    pub dias_cobertura: i64,
    pub requiere_aprobacion: bool,
}

/// A suggestion the engine made (packs > 0) that the user did not order: kept so override
/// tracking can count removals (only ordered lines are order lines).
#[derive(Debug, Clone)]
pub struct Discarded {
    pub codigo_producto: String,
    pub cantidad_sugerida_bultos: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: String,
    pub numero_pedido: String,
    pub estado: OrderState,
    pub total_productos: i64,
    pub total_bultos: f64,
    pub total_unidades: f64,
    pub total_peso_kg: f64,
}

/// What `datos_calculo` keeps of a line's explanation: the rule that decided, where the
/// demand came from (local, regional reference, trial) and the parameters with their sources.
/// The numbers themselves (P75, σ-based SS, ROP, MAX, stocks, need, packs) are the line's
/// columns; the full explanation (daily values, windows, every step) stays a property of the
/// calculation: at ~2 KB a line it made a 160 k-line batch write 400 MB.
#[derive(Serialize)]
struct CalculationSnapshot<'a> {
    regla_decisiva: &'a crate::domain::replenishment::suggestion::DecisionRule,
    fuente_demanda: &'a crate::domain::replenishment::suggestion::DemandSource,
    tienda_referencia: &'a Option<crate::domain::text::Text>,
    parametros: &'a Option<crate::domain::replenishment::parameters::ResolvedParams>,
}

/// Each line's explanation serialised, in line order; on up to 4 threads for a batch's tens
/// of thousands of lines. Empty when it could not be serialised.
fn serialised(lines: &[(&Suggestion, LineChoice)]) -> Vec<String> {
    let one = |s: &Suggestion| {
        let e = &s.explicacion;
        let snap = CalculationSnapshot {
            regla_decisiva: &e.regla_decisiva,
            fuente_demanda: &e.entradas.fuente_demanda,
            tienda_referencia: &e.entradas.tienda_referencia,
            parametros: &e.parametros,
        };
        serde_json::to_string(&snap).unwrap_or_default()
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    if lines.len() < 2_000 || workers < 2 {
        return lines.iter().map(|(s, _)| one(s)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = lines
            .chunks(lines.len().div_ceil(workers))
            .map(|part| scope.spawn(move || part.iter().map(|(s, _)| one(s)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    })
}

/// An order's line explanations stored once each (`pedidos_sugeridos_calculos`): a store's
/// 8,000 lines share a few dozen (same rule, demand source, reference store and class
/// parameters), and inline they were 40 % of every line's bytes.
struct Explanations {
    /// Distinct explanations; the one at index i is number i + 1.
    distinct: Vec<String>,
    /// Per line, the number of its explanation (None when it could not be serialised).
    of_line: Vec<Option<i64>>,
}

fn explanations(lines: &[(&Suggestion, LineChoice)]) -> Explanations {
    let mut numbers: rustc_hash::FxHashMap<String, i64> = rustc_hash::FxHashMap::default();
    let mut of_line = Vec::with_capacity(lines.len());
    for json in serialised(lines) {
        if json.is_empty() {
            of_line.push(None);
            continue;
        }
        let next = numbers.len() as i64 + 1;
        of_line.push(Some(*numbers.entry(json).or_insert(next)));
    }
    let mut distinct: Vec<(String, i64)> = numbers.into_iter().collect();
    distinct.sort_by_key(|(_, n)| *n);
    Explanations { distinct: distinct.into_iter().map(|(j, _)| j).collect(), of_line }
}

fn text(t: &Option<crate::domain::text::Text>) -> Option<&str> {
    t.as_ref().map(|t| t.as_str())
}

/// One history row of a state change (or of a line edit: same state before and after).
struct HistoryEntry<'a> {
    from: Option<OrderState>,
    to: OrderState,
    reason: &'a str,
    user: &'a str,
}

fn write_history(conn: &Connection, pedido_id: &str, h: &HistoryEntry<'_>, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO pedidos_sugeridos_historial (pedido_id, estado_anterior, estado_nuevo, motivo_cambio, usuario, fecha_cambio)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![pedido_id, h.from.map(|s| s.id()), h.to.id(), h.reason, h.user, at],
    )?;
    Ok(())
}

/// Next order counter (must run inside the caller's transaction). Never below the highest
/// number already in use, so orders imported from the earlier system (`PS-00012-3`) are not
/// numbered again (E21).
fn next_order_counter(conn: &Connection) -> Result<u64> {
    let v: i64 = conn.query_row(
        "UPDATE contadores SET ultimo_valor = max(ultimo_valor, (
             SELECT coalesce(max(CAST(substr(numero_pedido, 4, CASE WHEN instr(substr(numero_pedido, 4), '-') > 0
                                                                 THEN instr(substr(numero_pedido, 4), '-') - 1
                                                                 ELSE length(numero_pedido) END) AS INTEGER)), 0)
             FROM pedidos_sugeridos)) + 1
         WHERE nombre = 'pedido_sugerido' RETURNING ultimo_valor",
        [],
        |r| r.get(0),
    )?;
    Ok(v.max(0) as u64)
}

/// Saves a new order with its lines (each the computed line and the user's choice, packs
/// above 0) in one transaction, numbered from the counter. `estado` is `borrador` or, for
/// "Enviar Pedido", the submitted state; the history records creation and the submit.
pub fn create(
    conn: &Connection,
    h: &NewHeader,
    lines: &[(&Suggestion, LineChoice)],
    discarded: &[Discarded],
    estado: OrderState,
    user: &str,
) -> Result<Created> {
    let tx = conn.unchecked_transaction()?;
    // The counter row is written first, so this transaction holds the write lock from here.
    let numero = order_number(next_order_counter(&tx)?);
    let created = insert_order(&tx, &numero, None, h, lines, discarded, estado, user, "Pedido creado", &explanations(lines))?;
    tx.commit()?;
    Ok(created)
}

/// One order of a multi-store batch: its header, its lines and the suggestions not taken.
pub struct BatchOrder<'a> {
    pub header: NewHeader,
    pub lines: Vec<(&'a Suggestion, LineChoice)>,
    pub discarded: Vec<Discarded>,
}

/// One conflicted product's accepted shares (`distribucion_dpdu_log`, spec 31 D-21).
pub struct DpduLogRow {
    pub codigo_producto: String,
    pub stock_cedi_inicial: f64,
    pub unidades_por_bulto: f64,
    /// JSON array, one object per destination.
    pub distribucion: String,
    /// JSON object of the settings used.
    pub pesos: String,
    /// `dpdu` or `manual`.
    pub resolucion_usuario: &'static str,
}

/// A saved batch: the group id and one entry per order in request position (None where
/// the request's order had no line to save; its position still counts).
pub struct SavedBatch {
    pub grupo_pedido_id: String,
    pub pedidos: Vec<Option<Created>>,
    /// The receiving CEDIs' inter-CEDI drafts, in the order given.
    pub pedidos_inter_cedi: Vec<super::inter_cedi_orders::Created>,
}

/// Saves a multi-store batch in one transaction (spec 31 §2.10): one base number from the
/// counter shared with single-store orders, `PS-{base}-{k}` for the order in position k,
/// one group id, and a DPD+U log row per conflicted product. Any failure saves nothing.
pub fn create_batch(
    conn: &Connection,
    orders: &[Option<BatchOrder<'_>>],
    cedi_orders: &[(super::inter_cedi_orders::NewHeader, Vec<super::inter_cedi_orders::NewLine>)],
    dpdu_log: &[DpduLogRow],
    user: &str,
) -> Result<SavedBatch> {
    // Serialised before the transaction starts, on every core: the write lock is held only
    // for the inserts.
    let started = std::time::Instant::now();
    let explained: Vec<Option<Explanations>> = orders.iter().map(|o| o.as_ref().map(|o| explanations(&o.lines))).collect();
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch: explanations serialised");
    let tx = conn.unchecked_transaction()?;
    let base = order_number(next_order_counter(&tx)?);
    let grupo = format!("GRUPO-{}", &uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase());
    let mut pedidos = Vec::with_capacity(orders.len());
    for (i, order) in orders.iter().enumerate() {
        let (Some(o), Some(explained)) = (order, &explained[i]) else {
            pedidos.push(None);
            continue;
        };
        let k = i as u32 + 1;
        let slot = GroupSlot { grupo_pedido_id: &grupo, orden_en_grupo: k };
        let numero = format!("{base}-{k}");
        let created = insert_order(
            &tx,
            &numero,
            Some(slot),
            &o.header,
            &o.lines,
            &o.discarded,
            OrderState::Borrador,
            user,
            "Pedido creado (multi-tienda)",
            explained,
        )?;
        pedidos.push(Some(created));
    }
    // A receiving CEDI of the batch: an inter-CEDI draft with the batch's group id (§2.3).
    let mut pedidos_inter_cedi = Vec::with_capacity(cedi_orders.len());
    for (h, lines) in cedi_orders {
        pedidos_inter_cedi.push(super::inter_cedi_orders::insert_draft(&tx, h, lines, user, Some(&grupo))?);
    }
    let mut log = tx.prepare(
        "INSERT INTO distribucion_dpdu_log (grupo_pedido_id, codigo_producto, stock_cedi_inicial, unidades_por_bulto, distribucion, pesos,
             resolucion_usuario, usuario, fecha) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let now = now_rfc3339();
    for r in dpdu_log {
        log.execute(params![
            grupo,
            r.codigo_producto,
            r.stock_cedi_inicial,
            r.unidades_por_bulto.max(1.0),
            r.distribucion,
            r.pesos,
            r.resolucion_usuario,
            user,
            now
        ])?;
    }
    drop(log);
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch: rows inserted");
    tx.commit()?;
    tracing::debug!(ms = started.elapsed().as_millis() as u64, "batch: committed");
    Ok(SavedBatch { grupo_pedido_id: grupo, pedidos, pedidos_inter_cedi })
}

/// Inserts one order, its lines, its discarded suggestions and its creation history inside
/// the caller's transaction.
#[allow(clippy::too_many_arguments)] // two call sites (one order, a batch), each naming every part
fn insert_order(
    tx: &Connection,
    numero: &str,
    group: Option<GroupSlot<'_>>,
    h: &NewHeader,
    lines: &[(&Suggestion, LineChoice)],
    discarded: &[Discarded],
    estado: OrderState,
    user: &str,
    created_reason: &str,
    explained: &Explanations,
) -> Result<Created> {
    let numero = numero.to_string();
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_rfc3339();
    let (mut bultos, mut unidades, mut peso) = (0.0, 0.0, 0.0);
    for (s, c) in lines {
        let units = c.packs as f64 * s.cantidad_bultos;
        bultos += c.packs as f64;
        unidades += units;
        peso += units * s.peso_unidad / 1000.0;
    }
    let aprobado = matches!(estado, OrderState::Aprobado).then_some(now.as_str());
    tx.execute(
        "INSERT INTO pedidos_sugeridos (id, numero_pedido, cedi_origen_id, cedi_origen_nombre, tienda_destino_id, tienda_destino_nombre,
             fecha_pedido, fecha_entrega_solicitada, fecha_creacion, fecha_aprobacion, estado, requiere_aprobacion, total_productos,
             total_lineas, total_bultos, total_unidades, total_peso_kg, dias_cobertura, tipo_pedido, prioridad, observaciones,
             notas_picking, notas_entrega, usuario_creador, usuario_aprobador, grupo_pedido_id, orden_en_grupo)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,
                 ?25, ?26)",
        params![
            id,
            numero,
            h.cedi_origen_id,
            h.cedi_origen_nombre,
            h.tienda_destino_id,
            h.tienda_destino_nombre,
            h.fecha_pedido,
            h.fecha_entrega_solicitada,
            now,
            aprobado,
            estado.id(),
            h.requiere_aprobacion,
            lines.len() as i64,
            bultos,
            unidades,
            peso,
            h.dias_cobertura,
            h.tipo_pedido,
            h.prioridad,
            h.observaciones,
            h.notas_picking,
            h.notas_entrega,
            user,
            aprobado.map(|_| user),
            group.map(|g| g.grupo_pedido_id),
            group.map(|g| g.orden_en_grupo),
        ],
    )?;
    let mut explanation =
        tx.prepare_cached("INSERT INTO pedidos_sugeridos_calculos (pedido_id, numero, datos_calculo) VALUES (?1, ?2, ?3)")?;
    for (n, json) in explained.distinct.iter().enumerate() {
        explanation.execute(params![id, n as i64 + 1, json])?;
    }
    drop(explanation);
    let mut insert = tx.prepare_cached(
        "INSERT INTO pedidos_sugeridos_detalle (pedido_id, linea_numero, codigo_producto, codigo_barras, descripcion_producto, categoria,
             grupo, subgrupo, marca, presentacion, cuadrante_producto, clasificacion_abc, clase_efectiva, cantidad_bultos, unidad_pedido,
             peso_unitario_kg, cantidad_sugerida_unid, cantidad_sugerida_bultos, cantidad_necesaria_bultos, limitado_por_cedi,
             cantidad_pedida_bultos, cantidad_pedida_unidades, total_unidades, prom_ventas_5dias_unid, prom_ventas_20dias_unid,
             prom_ventas_8sem_unid, prom_ventas_8sem_bultos, prom_p75_unid, stock_tienda, stock_cedi_origen, stock_total,
             inventario_en_transito, stock_minimo, stock_maximo, punto_reorden, stock_seguridad, razon_pedido, incluido, observaciones,
             metodo_calculo, warnings_calculo, calculo_numero, ajustado_por_dpdu, cantidad_original_bultos, razon_ajuste_dpdu)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?22, ?23, ?24,
                 ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, 1, ?37, ?38, ?39, ?40, ?41, ?42, ?43)",
    )?;
    for (i, (s, c)) in lines.iter().enumerate() {
        let method = s.metodo_calculo.and_then(|m| serde_json::to_value(m).ok()).and_then(|v| v.as_str().map(str::to_string));
        let warnings = match s.warnings_calculo.is_empty() {
            true => "[]".to_string(),
            false => serde_json::to_string(&s.warnings_calculo).unwrap_or_else(|_| "[]".into()),
        };
        insert.execute(params![
            id,
            i as i64 + 1,
            s.codigo_producto.as_str(),
            text(&s.codigo_barras),
            s.descripcion_producto.as_str(),
            text(&s.categoria),
            text(&s.grupo),
            text(&s.subgrupo),
            text(&s.marca),
            text(&s.presentacion),
            text(&s.cuadrante_producto),
            s.clasificacion_abc.map(|c| c.as_str()),
            s.clase_efectiva.map(|c| c.as_str()),
            s.cantidad_bultos,
            s.unidad_pedido.as_str(),
            s.peso_unidad / 1000.0,
            s.cantidad_sugerida_unid,
            s.cantidad_sugerida_bultos as f64,
            s.cantidad_necesaria_bultos as f64,
            s.limitado_por_cedi,
            c.packs as i64,
            c.packs as f64 * s.cantidad_bultos,
            s.prom_ventas_5dias_unid,
            s.prom_ventas_20dias_unid,
            s.prom_ventas_8sem_unid,
            s.prom_ventas_8sem_bultos,
            s.prom_p75_unid,
            s.stock_tienda,
            s.stock_cedi_origen,
            s.stock_total,
            s.stock_en_transito,
            s.stock_minimo,
            s.stock_maximo,
            s.punto_reorden,
            s.stock_seguridad,
            c.dpdu.as_ref().map_or(s.razon_pedido.as_str(), |d| d.razon.as_str()),
            c.observaciones,
            method,
            warnings,
            explained.of_line.get(i).copied().flatten(),
            c.dpdu.is_some(),
            c.dpdu.as_ref().map(|d| d.cantidad_original_bultos as f64),
            c.dpdu.as_ref().map(|d| d.razon.as_str()),
        ])?;
    }
    drop(insert);
    let mut discard =
        tx.prepare("INSERT INTO pedidos_sugeridos_descartes (pedido_id, codigo_producto, cantidad_sugerida_bultos) VALUES (?1, ?2, ?3)")?;
    for d in discarded {
        discard.execute(params![id, d.codigo_producto, d.cantidad_sugerida_bultos as i64])?;
    }
    drop(discard);
    write_history(tx, &id, &HistoryEntry { from: None, to: OrderState::Borrador, reason: created_reason, user }, &now)?;
    if estado != OrderState::Borrador {
        write_history(tx, &id, &HistoryEntry { from: Some(OrderState::Borrador), to: estado, reason: "Enviado al crear", user }, &now)?;
    }
    Ok(Created {
        id,
        numero_pedido: numero,
        estado,
        total_productos: lines.len() as i64,
        total_bultos: bultos,
        total_unidades: unidades,
        total_peso_kg: peso,
    })
}

/// The parts of a header authorisation and transitions need.
#[derive(Debug, Clone)]
pub struct OrderKey {
    pub id: String,
    pub numero_pedido: String,
    pub estado: OrderState,
    pub tienda_destino_id: String,
    pub cedi_origen_id: String,
    pub usuario_creador: String,
    pub requiere_aprobacion: bool,
}

fn state_of(r: &Row<'_>, col: &str) -> rusqlite::Result<OrderState> {
    let s: String = r.get(col)?;
    OrderState::parse(&s).ok_or_else(|| rusqlite::Error::InvalidColumnType(0, format!("{col} = {s}"), rusqlite::types::Type::Text))
}

pub fn key(conn: &Connection, id: &str) -> Result<Option<OrderKey>> {
    Ok(conn
        .query_row(
            "SELECT id, numero_pedido, estado, tienda_destino_id, cedi_origen_id, usuario_creador, requiere_aprobacion
             FROM pedidos_sugeridos WHERE id = ?1 OR numero_pedido = ?1",
            [id],
            |r| {
                Ok(OrderKey {
                    id: r.get("id")?,
                    numero_pedido: r.get("numero_pedido")?,
                    estado: state_of(r, "estado")?,
                    tienda_destino_id: r.get("tienda_destino_id")?,
                    cedi_origen_id: r.get("cedi_origen_id")?,
                    usuario_creador: r.get("usuario_creador")?,
                    requiere_aprobacion: r.get("requiere_aprobacion")?,
                })
            },
        )
        .optional()?)
}

/// Outcome of a state change decided from `from`.
#[derive(Debug, Clone, PartialEq)]
pub enum Transitioned {
    Done,
    /// Someone else changed the order first; its state now.
    Conflict(Option<OrderState>),
}

/// Moves the order from `from` to `to` if it is still in `from`, with its history row, the
/// timestamps of the new state and an optional order comment (approval with a comment), all
/// in one transaction.
pub fn transition(
    conn: &Connection,
    id: &str,
    from: OrderState,
    to: OrderState,
    user: &str,
    reason: &str,
    comment: Option<&str>,
) -> Result<Transitioned> {
    let tx = conn.unchecked_transaction()?;
    let now = now_rfc3339();
    let stamp = match to {
        OrderState::Aprobado => ", fecha_aprobacion = ?4, usuario_aprobador = ?5",
        OrderState::Enviado => ", fecha_despacho = ?4",
        OrderState::Recibido => ", fecha_recepcion = ?4, usuario_receptor = ?5",
        OrderState::Cancelado => ", fecha_cancelacion = ?4",
        // Reopened: the next approval is a new one.
        OrderState::Borrador => ", fecha_aprobacion = NULL, usuario_aprobador = NULL",
        OrderState::PendienteAprobacion | OrderState::Rechazado => "",
    };
    let uses_user = matches!(to, OrderState::Aprobado | OrderState::Recibido);
    let uses_time = !matches!(to, OrderState::Borrador | OrderState::PendienteAprobacion | OrderState::Rechazado);
    let sql = format!(
        "UPDATE pedidos_sugeridos SET estado = ?1, fecha_modificacion = ?4, version = version + 1{stamp}
         WHERE id = ?2 AND estado = ?3"
    );
    // Every placeholder the statement names must be bound, and only those.
    let changed = match (uses_time, uses_user) {
        (_, true) => tx.execute(&sql, params![to.id(), id, from.id(), now, user])?,
        _ => tx.execute(&sql, params![to.id(), id, from.id(), now])?,
    };
    if changed == 0 {
        let now_state: Option<String> =
            tx.query_row("SELECT estado FROM pedidos_sugeridos WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        return Ok(Transitioned::Conflict(now_state.as_deref().and_then(OrderState::parse)));
    }
    write_history(&tx, id, &HistoryEntry { from: Some(from), to, reason, user }, &now)?;
    if let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        tx.execute(
            "INSERT INTO pedidos_sugeridos_comentarios (pedido_id, tipo_comentario, comentario, usuario, fecha_comentario)
             VALUES (?1, 'general', ?2, ?3, ?4)",
            params![id, c, user, now],
        )?;
    }
    tx.commit()?;
    Ok(Transitioned::Done)
}

/// Deletes a draft (lines, history and comments cascade). `false` when it is no longer a draft.
pub fn delete_draft(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM pedidos_sugeridos WHERE id = ?1 AND estado = 'borrador'", [id])? == 1)
}

/// One line edit of `PATCH /{id}/lineas`.
#[derive(Debug, Clone)]
pub struct LineEdit {
    pub codigo_producto: String,
    pub cantidad_pedida_bultos: Option<u64>,
    pub incluido: Option<bool>,
    pub observaciones: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Edited {
    Done {
        lineas: usize,
    },
    /// The order left the editable states (its state now).
    NotEditable(OrderState),
    /// Codes that are not lines of this order.
    UnknownCodes(Vec<String>),
    NotFound,
}

/// Applies line edits while the order is a draft or pending approval; totals are recomputed
/// and one history row names how many lines changed and who changed them.
pub fn edit_lines(conn: &Connection, id: &str, edits: &[LineEdit], user: &str) -> Result<Edited> {
    let tx = conn.unchecked_transaction()?;
    // A no-op write takes the write lock first, so the state read below cannot go stale.
    let touched = tx.execute("UPDATE pedidos_sugeridos SET version = version WHERE id = ?1", [id])?;
    if touched == 0 {
        return Ok(Edited::NotFound);
    }
    let estado: OrderState = tx.query_row("SELECT estado FROM pedidos_sugeridos WHERE id = ?1", [id], |r| state_of(r, "estado"))?;
    if !estado.lines_editable() {
        return Ok(Edited::NotEditable(estado));
    }
    let mut unknown = Vec::new();
    for e in edits {
        let n = tx.execute(
            "UPDATE pedidos_sugeridos_detalle SET
                 cantidad_pedida_bultos = coalesce(?3, cantidad_pedida_bultos),
                 incluido = coalesce(?4, incluido),
                 observaciones = coalesce(?5, observaciones)
             WHERE pedido_id = ?1 AND codigo_producto = ?2",
            params![id, e.codigo_producto, e.cantidad_pedida_bultos.map(|p| p as i64), e.incluido, e.observaciones],
        )?;
        if n == 0 {
            unknown.push(e.codigo_producto.clone());
        }
    }
    if !unknown.is_empty() {
        return Ok(Edited::UnknownCodes(unknown));
    }
    tx.execute(
        "UPDATE pedidos_sugeridos_detalle
         SET cantidad_pedida_unidades = cantidad_pedida_bultos * cantidad_bultos,
             total_unidades = cantidad_pedida_bultos * cantidad_bultos
         WHERE pedido_id = ?1",
        [id],
    )?;
    refresh_totals(&tx, id)?;
    let now = now_rfc3339();
    tx.execute("UPDATE pedidos_sugeridos SET fecha_modificacion = ?2, version = version + 1 WHERE id = ?1", params![id, now])?;
    let reason = format!("Líneas editadas: {}", edits.len());
    write_history(&tx, id, &HistoryEntry { from: Some(estado), to: estado, reason: &reason, user }, &now)?;
    tx.commit()?;
    Ok(Edited::Done { lineas: edits.len() })
}

/// Header totals from the included lines with packs > 0.
fn refresh_totals(conn: &Connection, id: &str) -> Result<()> {
    conn.execute(
        "UPDATE pedidos_sugeridos SET (total_productos, total_bultos, total_unidades, total_peso_kg) = (
             SELECT count(*), coalesce(sum(cantidad_pedida_bultos), 0), coalesce(sum(cantidad_pedida_unidades), 0),
                    coalesce(sum(cantidad_pedida_unidades * coalesce(peso_unitario_kg, 1)), 0)
             FROM pedidos_sugeridos_detalle WHERE pedido_id = ?1 AND incluido = 1 AND cantidad_pedida_bultos > 0)
         WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// Adds an order comment (§11.4).
pub fn add_comment(conn: &Connection, id: &str, tipo: &str, texto: &str, es_importante: bool, user: &str) -> Result<i64> {
    conn.execute(
        "INSERT INTO pedidos_sugeridos_comentarios (pedido_id, tipo_comentario, comentario, usuario, fecha_comentario, es_importante)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, tipo, texto.trim(), user, now_rfc3339(), es_importante],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Sets a line's manager comment; `false` when the order has no such line.
pub fn set_line_comment(conn: &Connection, id: &str, codigo: &str, texto: &str) -> Result<bool> {
    let texto = texto.trim();
    let n = conn.execute(
        "UPDATE pedidos_sugeridos_detalle SET comentario_gerente = nullif(?3, '') WHERE pedido_id = ?1 AND codigo_producto = ?2",
        params![id, codigo, texto],
    )?;
    Ok(n == 1)
}

// ---- reading ------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub id: String,
    pub numero_pedido: String,
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub tienda_destino_id: String,
    pub tienda_destino_nombre: String,
    pub fecha_pedido: String,
    pub fecha_entrega_solicitada: Option<String>,
    pub fecha_creacion: String,
    pub fecha_modificacion: Option<String>,
    pub fecha_aprobacion: Option<String>,
    pub fecha_despacho: Option<String>,
    pub fecha_recepcion: Option<String>,
    pub fecha_cancelacion: Option<String>,
    pub estado: OrderState,
    pub estado_nombre: &'static str,
    pub porcentaje_avance: u8,
    pub requiere_aprobacion: bool,
    pub prioridad: String,
    pub tipo_pedido: String,
    pub dias_cobertura: i64,
    pub observaciones: Option<String>,
    pub notas_picking: Option<String>,
    pub notas_entrega: Option<String>,
    pub total_productos: i64,
    pub total_bultos: f64,
    pub total_unidades: f64,
    pub total_peso_kg: Option<f64>,
    pub usuario_creador: String,
    pub usuario_aprobador: Option<String>,
    pub grupo_pedido_id: Option<String>,
    pub orden_en_grupo: Option<i64>,
}

const HEADER_COLUMNS: &str = "id, numero_pedido, cedi_origen_id, cedi_origen_nombre, tienda_destino_id, tienda_destino_nombre,
    fecha_pedido, fecha_entrega_solicitada, fecha_creacion, fecha_modificacion, fecha_aprobacion, fecha_despacho, fecha_recepcion,
    fecha_cancelacion, estado, requiere_aprobacion, prioridad, tipo_pedido, dias_cobertura, observaciones, notas_picking, notas_entrega,
    total_productos, total_bultos, total_unidades, total_peso_kg, usuario_creador, usuario_aprobador, grupo_pedido_id, orden_en_grupo";

fn header(r: &Row<'_>) -> rusqlite::Result<Header> {
    let estado = state_of(r, "estado")?;
    Ok(Header {
        id: r.get("id")?,
        numero_pedido: r.get("numero_pedido")?,
        cedi_origen_id: r.get("cedi_origen_id")?,
        cedi_origen_nombre: r.get("cedi_origen_nombre")?,
        tienda_destino_id: r.get("tienda_destino_id")?,
        tienda_destino_nombre: r.get("tienda_destino_nombre")?,
        fecha_pedido: r.get("fecha_pedido")?,
        fecha_entrega_solicitada: r.get("fecha_entrega_solicitada")?,
        fecha_creacion: r.get("fecha_creacion")?,
        fecha_modificacion: r.get("fecha_modificacion")?,
        fecha_aprobacion: r.get("fecha_aprobacion")?,
        fecha_despacho: r.get("fecha_despacho")?,
        fecha_recepcion: r.get("fecha_recepcion")?,
        fecha_cancelacion: r.get("fecha_cancelacion")?,
        estado,
        estado_nombre: estado.label(),
        porcentaje_avance: estado.progress_pct(),
        requiere_aprobacion: r.get("requiere_aprobacion")?,
        prioridad: r.get("prioridad")?,
        tipo_pedido: r.get("tipo_pedido")?,
        dias_cobertura: r.get("dias_cobertura")?,
        observaciones: r.get("observaciones")?,
        notas_picking: r.get("notas_picking")?,
        notas_entrega: r.get("notas_entrega")?,
        total_productos: r.get("total_productos")?,
        total_bultos: r.get("total_bultos")?,
        total_unidades: r.get("total_unidades")?,
        total_peso_kg: r.get("total_peso_kg")?,
        usuario_creador: r.get("usuario_creador")?,
        usuario_aprobador: r.get("usuario_aprobador")?,
        grupo_pedido_id: r.get("grupo_pedido_id")?,
        orden_en_grupo: r.get("orden_en_grupo")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub linea_numero: i64,
    pub codigo_producto: String,
    pub codigo_barras: Option<String>,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub cuadrante_producto: Option<String>,
    pub clasificacion_abc: Option<String>,
    pub clase_efectiva: Option<String>,
    pub cantidad_bultos: f64,
    pub unidad_pedido: Option<String>,
    pub peso_unitario_kg: Option<f64>,
    pub cantidad_sugerida_unid: f64,
    pub cantidad_sugerida_bultos: f64,
    pub cantidad_necesaria_bultos: Option<f64>,
    pub limitado_por_cedi: bool,
    pub cantidad_pedida_bultos: i64,
    pub cantidad_pedida_unidades: f64,
    pub prom_ventas_20dias_unid: Option<f64>,
    pub prom_p75_unid: Option<f64>,
    pub stock_tienda: Option<f64>,
    pub stock_cedi_origen: Option<f64>,
    pub inventario_en_transito: Option<f64>,
    pub stock_seguridad: Option<f64>,
    pub punto_reorden: Option<f64>,
    pub stock_maximo: Option<f64>,
    pub razon_pedido: Option<String>,
    pub metodo_calculo: Option<String>,
    pub incluido: bool,
    pub observaciones: Option<String>,
    pub comentario_gerente: Option<String>,
    pub cantidad_recibida_bultos: f64,
    pub cantidad_recibida_unidades: f64,
    pub warnings_calculo: serde_json::Value,
}

fn line(r: &Row<'_>) -> rusqlite::Result<Line> {
    let warnings: String = r.get("warnings_calculo")?;
    Ok(Line {
        linea_numero: r.get("linea_numero")?,
        codigo_producto: r.get("codigo_producto")?,
        codigo_barras: r.get("codigo_barras")?,
        descripcion_producto: r.get("descripcion_producto")?,
        categoria: r.get("categoria")?,
        cuadrante_producto: r.get("cuadrante_producto")?,
        clasificacion_abc: r.get("clasificacion_abc")?,
        clase_efectiva: r.get("clase_efectiva")?,
        cantidad_bultos: r.get("cantidad_bultos")?,
        unidad_pedido: r.get("unidad_pedido")?,
        peso_unitario_kg: r.get("peso_unitario_kg")?,
        cantidad_sugerida_unid: r.get("cantidad_sugerida_unid")?,
        cantidad_sugerida_bultos: r.get("cantidad_sugerida_bultos")?,
        cantidad_necesaria_bultos: r.get("cantidad_necesaria_bultos")?,
        limitado_por_cedi: r.get("limitado_por_cedi")?,
        cantidad_pedida_bultos: r.get("cantidad_pedida_bultos")?,
        cantidad_pedida_unidades: r.get("cantidad_pedida_unidades")?,
        prom_ventas_20dias_unid: r.get("prom_ventas_20dias_unid")?,
        prom_p75_unid: r.get("prom_p75_unid")?,
        stock_tienda: r.get("stock_tienda")?,
        stock_cedi_origen: r.get("stock_cedi_origen")?,
        inventario_en_transito: r.get("inventario_en_transito")?,
        stock_seguridad: r.get("stock_seguridad")?,
        punto_reorden: r.get("punto_reorden")?,
        stock_maximo: r.get("stock_maximo")?,
        razon_pedido: r.get("razon_pedido")?,
        metodo_calculo: r.get("metodo_calculo")?,
        incluido: r.get("incluido")?,
        observaciones: r.get("observaciones")?,
        comentario_gerente: r.get("comentario_gerente")?,
        cantidad_recibida_bultos: r.get("cantidad_recibida_bultos")?,
        cantidad_recibida_unidades: r.get("cantidad_recibida_unidades")?,
        warnings_calculo: serde_json::from_str(&warnings).unwrap_or_default(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub estado_anterior: Option<String>,
    pub estado_nuevo: String,
    pub motivo_cambio: Option<String>,
    pub usuario: String,
    pub fecha_cambio: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub id: i64,
    pub tipo_comentario: String,
    pub comentario: String,
    pub usuario: String,
    pub fecha_comentario: String,
    pub es_publico: bool,
    pub es_importante: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    #[serde(flatten)]
    pub header: Header,
    pub lineas: Vec<Line>,
    pub historial: Vec<HistoryRow>,
    pub comentarios: Vec<Comment>,
}

/// Every row of a query, each mapped by `f` (columns read by name).
fn all<T>(conn: &Connection, sql: &str, args: impl rusqlite::Params, f: impl FnMut(&Row<'_>) -> rusqlite::Result<T>) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, f)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn lines(conn: &Connection, id: &str) -> Result<Vec<Line>> {
    all(conn, "SELECT * FROM pedidos_sugeridos_detalle WHERE pedido_id = ?1 ORDER BY linea_numero", [id], line)
}

fn comment(r: &Row<'_>) -> rusqlite::Result<Comment> {
    Ok(Comment {
        id: r.get("id")?,
        tipo_comentario: r.get("tipo_comentario")?,
        comentario: r.get("comentario")?,
        usuario: r.get("usuario")?,
        fecha_comentario: r.get("fecha_comentario")?,
        es_publico: r.get("es_publico")?,
        es_importante: r.get("es_importante")?,
    })
}

pub fn comments(conn: &Connection, id: &str) -> Result<Vec<Comment>> {
    all(conn, "SELECT * FROM pedidos_sugeridos_comentarios WHERE pedido_id = ?1 ORDER BY fecha_comentario, id", [id], comment)
}

fn history_row(r: &Row<'_>) -> rusqlite::Result<HistoryRow> {
    Ok(HistoryRow {
        estado_anterior: r.get("estado_anterior")?,
        estado_nuevo: r.get("estado_nuevo")?,
        motivo_cambio: r.get("motivo_cambio")?,
        usuario: r.get("usuario")?,
        fecha_cambio: r.get("fecha_cambio")?,
    })
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Order>> {
    let sql = format!("SELECT {HEADER_COLUMNS} FROM pedidos_sugeridos WHERE id = ?1");
    let Some(header) = conn.query_row(&sql, [id], header).optional()? else {
        return Ok(None);
    };
    let historial = all(conn, "SELECT * FROM pedidos_sugeridos_historial WHERE pedido_id = ?1 ORDER BY id", [id], history_row)?;
    Ok(Some(Order { lineas: lines(conn, id)?, comentarios: comments(conn, id)?, historial, header }))
}

/// Filters of the list (`None`: any). `tiendas`: the caller's store scope.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub estado: Option<OrderState>,
    pub tienda_id: Option<String>,
    pub tiendas: Option<Vec<String>>,
    pub page: u32,
    pub page_size: u32,
}

/// Per-class counts and packs of an order's included lines (null class counts as D).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassTotals {
    pub productos: [i64; 4],
    pub bultos: [f64; 4],
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub header: Header,
    pub por_clase: ClassTotals,
    pub llegada: ArrivalSummary,
    pub dias_desde_creacion: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub pedidos: Vec<Summary>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

/// One page of orders, newest first, with the per-class totals and the arrival indicators
/// computed from the page's lines only (a list of 5,000 orders reads 1 page of lines).
pub fn list(conn: &Connection, f: &ListFilter, complete_pct: f64, now: chrono::DateTime<chrono::Utc>) -> Result<Page> {
    let mut cond = vec!["1 = 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(e) = f.estado {
        args.push(e.id().to_string().into());
        cond.push(format!("estado = ?{}", args.len()));
    }
    if let Some(t) = &f.tienda_id {
        args.push(t.clone().into());
        cond.push(format!("tienda_destino_id = ?{}", args.len()));
    }
    if let Some(scope) = &f.tiendas {
        let mut marks = Vec::new();
        for s in scope {
            args.push(s.clone().into());
            marks.push(format!("?{}", args.len()));
        }
        cond.push(if marks.is_empty() { "0 = 1".into() } else { format!("tienda_destino_id IN ({})", marks.join(", ")) });
    }
    let filter = cond.join(" AND ");
    let total: i64 =
        conn.query_row(&format!("SELECT count(*) FROM pedidos_sugeridos WHERE {filter}"), rusqlite::params_from_iter(&args), |r| r.get(0))?;
    let page_size = f.page_size.clamp(1, 200);
    let page = f.page.max(1);
    let sql = format!(
        "SELECT {HEADER_COLUMNS} FROM pedidos_sugeridos WHERE {filter} ORDER BY fecha_creacion DESC, numero_pedido DESC LIMIT {page_size} OFFSET {}",
        (page - 1) * page_size
    );
    let mut stmt = conn.prepare(&sql)?;
    let headers = stmt.query_map(rusqlite::params_from_iter(&args), header)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lines_stmt = conn.prepare_cached(
        "SELECT clasificacion_abc, cantidad_pedida_bultos, cantidad_recibida_bultos, incluido
         FROM pedidos_sugeridos_detalle WHERE pedido_id = ?1",
    )?;
    let mut pedidos = Vec::with_capacity(headers.len());
    for h in headers {
        let mut por_clase = ClassTotals::default();
        let mut arrivals = Vec::new();
        let mut rows = lines_stmt.query([&h.id])?;
        while let Some(r) = rows.next()? {
            let incluido: bool = r.get("incluido")?;
            let packs: i64 = r.get("cantidad_pedida_bultos")?;
            if !incluido || packs <= 0 {
                continue;
            }
            let class: Option<String> = r.get("clasificacion_abc")?;
            let i = match class.as_deref() {
                Some("A") => 0,
                Some("B") => 1,
                Some("C") => 2,
                _ => 3,
            };
            por_clase.productos[i] += 1;
            por_clase.bultos[i] += packs as f64;
            arrivals.push((packs as f64, r.get::<_, f64>("cantidad_recibida_bultos")?));
        }
        let created = chrono::DateTime::parse_from_rfc3339(&h.fecha_creacion).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or(now);
        pedidos.push(Summary {
            por_clase,
            llegada: arrival_summary(arrivals, complete_pct),
            dias_desde_creacion: (now - created).num_days(),
            header: h,
        });
    }
    Ok(Page { pedidos, total, page, page_size })
}

// ---- arrivals and in-transit ----------------------------------------------------------

/// One received quantity of `POST /{id}/registrar-llegada` (packs).
#[derive(Debug, Clone)]
pub struct Receipt {
    pub codigo_producto: String,
    pub cantidad_llegada: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Registered {
    Done { lineas: usize, cerrado: bool },
    UnknownCodes(Vec<String>),
    NotFound,
}

/// Adds received packs (and packs × UPB units) to the lines, refreshes the order's arrival
/// indicators, and closes a dispatched order whose every line is complete, in one transaction.
pub fn register_arrival(conn: &Connection, id: &str, receipts: &[Receipt], complete_pct: f64, user: &str) -> Result<Registered> {
    let tx = conn.unchecked_transaction()?;
    if tx.execute("UPDATE pedidos_sugeridos SET version = version WHERE id = ?1", [id])? == 0 {
        return Ok(Registered::NotFound);
    }
    let mut unknown = Vec::new();
    for r in receipts {
        let n = tx.execute(
            "UPDATE pedidos_sugeridos_detalle
             SET cantidad_recibida_bultos = cantidad_recibida_bultos + ?3,
                 cantidad_recibida_unidades = cantidad_recibida_unidades + ?3 * cantidad_bultos
             WHERE pedido_id = ?1 AND codigo_producto = ?2",
            params![id, r.codigo_producto, r.cantidad_llegada],
        )?;
        if n == 0 {
            unknown.push(r.codigo_producto.clone());
        }
    }
    if !unknown.is_empty() {
        return Ok(Registered::UnknownCodes(unknown));
    }
    let mut stmt = tx.prepare(
        "SELECT cantidad_pedida_bultos, cantidad_recibida_bultos FROM pedidos_sugeridos_detalle
         WHERE pedido_id = ?1 AND incluido = 1",
    )?;
    let pairs = stmt
        .query_map([id], |r| Ok((r.get::<_, i64>("cantidad_pedida_bultos")? as f64, r.get::<_, f64>("cantidad_recibida_bultos")?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    drop(stmt);
    let s = arrival_summary(pairs.iter().copied(), complete_pct);
    let now = now_rfc3339();
    tx.execute(
        "UPDATE pedidos_sugeridos SET llegada_productos_completos = ?2, llegada_productos_parciales = ?3,
             llegada_productos_no_llegaron = ?4, llegada_pct_completos = ?5, llegada_pct_parciales = ?6, llegada_pct_no_llegaron = ?7,
             tiene_verificacion_llegada = ?8, fecha_ultima_verificacion = ?9
         WHERE id = ?1",
        params![
            id,
            s.completos,
            s.parciales,
            s.no_llegaron,
            s.pct_completos,
            s.pct_parciales,
            s.pct_no_llegaron,
            s.tiene_verificacion,
            now
        ],
    )?;
    let all_complete = s.completos > 0 && s.parciales == 0 && s.no_llegaron == 0;
    let closed = all_complete
        && tx.execute(
            "UPDATE pedidos_sugeridos SET estado = 'recibido', fecha_recepcion = ?2, usuario_receptor = ?3, fecha_modificacion = ?2
             WHERE id = ?1 AND estado = 'enviado'",
            params![id, now, user],
        )? == 1;
    if closed {
        let reason = "Cierre automático: todas las líneas llegaron completas";
        write_history(&tx, id, &HistoryEntry { from: Some(OrderState::Enviado), to: OrderState::Recibido, reason, user }, &now)?;
    }
    tx.commit()?;
    Ok(Registered::Done { lineas: receipts.len(), cerrado: closed })
}

/// A line of an order that may still be on its way to `tienda` from `cedi`.
#[derive(Debug, Clone)]
pub struct TransitRow {
    pub codigo_producto: String,
    pub numero_pedido: String,
    pub estado: OrderState,
    /// UTC creation time.
    pub fecha_creacion: String,
    pub cantidad_pedida_bultos: f64,
    pub cantidad_bultos: f64,
    pub cantidad_recibida_unidades: f64,
}

/// Lines of open orders (§8: pending approval, approved, sent) for the pair created at or
/// after `since` (UTC, RFC 3339).
pub fn transit_lines(conn: &Connection, tienda: &str, cedi: &str, since: &str) -> Result<Vec<TransitRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.codigo_producto, p.numero_pedido, p.estado, p.fecha_creacion, d.cantidad_pedida_bultos, d.cantidad_bultos,
                d.cantidad_recibida_unidades
         FROM pedidos_sugeridos p JOIN pedidos_sugeridos_detalle d ON d.pedido_id = p.id
         WHERE p.tienda_destino_id = ?1 AND p.cedi_origen_id = ?2
           AND p.estado IN ('pendiente_aprobacion', 'aprobado', 'enviado')
           AND p.fecha_creacion >= ?3 AND d.incluido = 1 AND d.cantidad_pedida_bultos > 0",
    )?;
    let rows = stmt
        .query_map(params![tienda, cedi, since], |r| {
            Ok(TransitRow {
                codigo_producto: r.get("codigo_producto")?,
                numero_pedido: r.get("numero_pedido")?,
                estado: state_of(r, "estado")?,
                fecha_creacion: r.get("fecha_creacion")?,
                cantidad_pedida_bultos: r.get::<_, i64>("cantidad_pedida_bultos")? as f64,
                cantidad_bultos: r.get("cantidad_bultos")?,
                cantidad_recibida_unidades: r.get("cantidad_recibida_unidades")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

// ---- override tracking ----------------------------------------------------------------

/// Suggested and ordered packs of every judged product of the orders created by each user for
/// each store with `fecha_pedido` in `[desde, hasta]` (cancelled orders left out: they were
/// never acted on). Rows: (store, user, suggested packs, ordered packs).
pub fn suggested_vs_ordered(conn: &Connection, desde: &str, hasta: &str, tienda: Option<&str>) -> Result<Vec<(String, String, u64, u64)>> {
    let mut stmt = conn.prepare(
        "SELECT p.tienda_destino_id AS tienda, p.usuario_creador AS usuario, d.cantidad_sugerida_bultos AS sugerido,
                CASE WHEN d.incluido = 1 THEN d.cantidad_pedida_bultos ELSE 0 END AS pedido
         FROM pedidos_sugeridos p JOIN pedidos_sugeridos_detalle d ON d.pedido_id = p.id
         WHERE p.fecha_pedido BETWEEN ?1 AND ?2 AND p.estado <> 'cancelado' AND (?3 IS NULL OR p.tienda_destino_id = ?3)
         UNION ALL
         SELECT p.tienda_destino_id, p.usuario_creador, x.cantidad_sugerida_bultos, 0
         FROM pedidos_sugeridos p JOIN pedidos_sugeridos_descartes x ON x.pedido_id = p.id
         WHERE p.fecha_pedido BETWEEN ?1 AND ?2 AND p.estado <> 'cancelado' AND (?3 IS NULL OR p.tienda_destino_id = ?3)",
    )?;
    let rows = stmt
        .query_map(params![desde, hasta, tienda], |r| {
            Ok((
                r.get("tienda")?,
                r.get("usuario")?,
                r.get::<_, f64>("sugerido")?.max(0.0).round() as u64,
                r.get::<_, i64>("pedido")?.max(0) as u64,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
