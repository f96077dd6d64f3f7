//! Inter-CEDI orders in the application database (spec 31 §3.9): `IC-NNNNN` numbering from
//! the transactional counter, header and line snapshots, draft replacement (`PUT`, D-10), the
//! state changes with their history by the acting user (D-14), deletion rules, the list.
//!
//! As for store orders, a state change is an `UPDATE … WHERE estado = <the state it was
//! decided from>` inside the transaction that writes its history: of two users acting at
//! once, one wins and the other learns the current state.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;

use super::{now_rfc3339, Result};
use crate::domain::distribution::inter_cedi_order::{
    append_note, line_weight_kg, next_state, order_number, Action, InterCediState, WrongState,
};

/// The header values chosen in the wizard (totals are computed from the lines).
#[derive(Debug, Clone)]
pub struct NewHeader {
    pub cedi_destino_id: String,
    pub cedi_destino_nombre: String,
    pub cedi_destino_region: String,
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub fecha_pedido: String,
    pub prioridad: String,
    pub dias_cobertura_a: u32,
    pub dias_cobertura_b: u32,
    pub dias_cobertura_c: u32,
    pub dias_cobertura_d: u32,
    pub dias_cobertura_congelados: u32,
    pub frecuencia_viajes_dias: String,
    pub lead_time_dias: f64,
    pub observaciones: Option<String>,
    pub notas_logistica: Option<String>,
}

/// One saved line: the calculation's snapshot and the packs the user ordered.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub codigo_producto: String,
    pub codigo_barras: Option<String>,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub marca: Option<String>,
    pub clasificacion_abc: String,
    pub unidades_por_bulto: f64,
    pub peso_unitario_kg: f64,
    pub demanda_regional_p75: f64,
    pub demanda_regional_promedio: f64,
    pub num_tiendas_region: i64,
    pub stock_cedi_destino: f64,
    pub stock_en_transito: f64,
    pub stock_seguridad_cedi: f64,
    pub punto_reorden_cedi: f64,
    pub stock_maximo_cedi: f64,
    pub stock_cedi_origen: f64,
    pub cantidad_sugerida_unidades: f64,
    pub cantidad_sugerida_bultos: f64,
    pub cantidad_pedida_bultos: i64,
    pub razon_pedido: String,
    pub dias_cobertura_objetivo: u32,
    pub observaciones: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: String,
    pub numero_pedido: String,
    pub estado: InterCediState,
}

/// What happened to an order addressed by id (or number).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    Done(T),
    Missing,
    WrongState(WrongState),
}

fn next_counter(tx: &Connection) -> Result<u64> {
    // Never below the highest number in use, so imported orders are not numbered again.
    let v: i64 = tx.query_row(
        "UPDATE contadores SET ultimo_valor = max(ultimo_valor, (
             SELECT coalesce(max(CAST(substr(numero_pedido, 4) AS INTEGER)), 0) FROM pedidos_inter_cedi)) + 1
         WHERE nombre = 'pedido_inter_cedi' RETURNING ultimo_valor",
        [],
        |r| r.get(0),
    )?;
    Ok(v.max(0) as u64)
}

fn write_history(
    tx: &Connection,
    id: &str,
    from: Option<InterCediState>,
    to: InterCediState,
    reason: &str,
    user: &str,
    at: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO pedidos_inter_cedi_historial (pedido_id, estado_anterior, estado_nuevo, motivo_cambio, usuario, fecha_cambio)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, from.map(|s| s.id()), to.id(), reason, user, at],
    )?;
    Ok(())
}

struct Totals {
    productos: i64,
    bultos: f64,
    unidades: f64,
    peso_kg: f64,
}

fn totals(lines: &[NewLine]) -> Totals {
    let mut t = Totals { productos: lines.len() as i64, bultos: 0.0, unidades: 0.0, peso_kg: 0.0 };
    for l in lines {
        let packs = l.cantidad_pedida_bultos as f64;
        t.bultos += packs;
        t.unidades += packs * l.unidades_por_bulto;
        t.peso_kg += line_weight_kg(packs, l.unidades_por_bulto, l.peso_unitario_kg);
    }
    t
}

fn insert_lines(tx: &Connection, id: &str, h: &NewHeader, lines: &[NewLine]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO pedidos_inter_cedi_detalle (pedido_id, linea_numero, cedi_origen_id, cedi_origen_nombre, codigo_producto,
             codigo_barras, descripcion_producto, categoria, marca, clasificacion_abc, unidades_por_bulto, peso_unitario_kg,
             demanda_regional_p75, demanda_regional_promedio, num_tiendas_region, stock_cedi_destino, stock_en_transito,
             stock_seguridad_cedi, stock_minimo_cedi, stock_maximo_cedi, punto_reorden_cedi, stock_cedi_origen,
             cantidad_sugerida_unidades, cantidad_sugerida_bultos, cantidad_pedida_bultos, cantidad_pedida_unidades, total_unidades,
             razon_pedido, dias_cobertura_objetivo, incluido, observaciones)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?19, ?21, ?22, ?23, ?24,
                 ?25, ?25, ?26, ?27, 1, ?28)",
    )?;
    for (i, l) in lines.iter().enumerate() {
        let units = l.cantidad_pedida_bultos as f64 * l.unidades_por_bulto;
        stmt.execute(params![
            id,
            i as i64 + 1,
            h.cedi_origen_id,
            h.cedi_origen_nombre,
            l.codigo_producto,
            l.codigo_barras,
            l.descripcion_producto,
            l.categoria,
            l.marca,
            l.clasificacion_abc,
            l.unidades_por_bulto,
            l.peso_unitario_kg,
            l.demanda_regional_p75,
            l.demanda_regional_promedio,
            l.num_tiendas_region,
            l.stock_cedi_destino,
            l.stock_en_transito,
            l.stock_seguridad_cedi,
            l.punto_reorden_cedi,
            l.stock_maximo_cedi,
            l.stock_cedi_origen,
            l.cantidad_sugerida_unidades,
            l.cantidad_sugerida_bultos,
            l.cantidad_pedida_bultos,
            units,
            l.razon_pedido,
            l.dias_cobertura_objetivo,
            l.observaciones,
        ])?;
    }
    Ok(())
}

/// Moves `id` by `action` inside `tx`: the state check, the timestamp and user of the new
/// state, the notes appended to the observations, the received packs, the history row.
fn apply(tx: &Transaction<'_>, id: &str, action: Action, user: &str, act: &ActNotes<'_>) -> Result<Outcome<InterCediState>> {
    let current: Option<(String, Option<String>)> = tx
        .query_row("SELECT estado, observaciones FROM pedidos_inter_cedi WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((estado, observaciones)) = current else {
        return Ok(Outcome::Missing);
    };
    let from = InterCediState::parse(&estado).unwrap_or(InterCediState::Cancelado);
    let to = match next_state(from, action) {
        Ok(to) => to,
        Err(e) => return Ok(Outcome::WrongState(e)),
    };
    let now = now_rfc3339();
    let stamp = match to {
        InterCediState::Confirmado => "fecha_confirmacion = ?4, usuario_confirmador = ?5",
        InterCediState::Despachado => "fecha_despacho = ?4, usuario_despachador = ?5",
        InterCediState::Recibido => "fecha_recepcion = ?4, usuario_receptor = ?5",
        // No user column of its own: the history row names who cancelled.
        InterCediState::Cancelado => "fecha_cancelacion = ?4",
        InterCediState::Borrador => "fecha_modificacion = ?4",
    };
    let observaciones = append_note(observaciones.as_deref(), to, act.notas);
    let recepcion = if to == InterCediState::Recibido { act.notas.map(str::trim).filter(|n| !n.is_empty()) } else { None };
    let changed = tx.execute(
        &format!(
            "UPDATE pedidos_inter_cedi SET estado = ?1, {stamp}, observaciones = ?6, notas_recepcion = coalesce(?7, notas_recepcion),
                 version = version + 1
             WHERE id = ?2 AND estado = ?3"
        ),
        params![to.id(), id, from.id(), now, user, observaciones, recepcion],
    )?;
    if changed == 0 {
        return Ok(Outcome::WrongState(WrongState { required: from, current: from }));
    }
    if to == InterCediState::Recibido {
        // A line the receiver did not mention arrived as ordered; the listed ones as counted.
        tx.execute(
            "UPDATE pedidos_inter_cedi_detalle SET cantidad_recibida_bultos = cantidad_pedida_bultos,
                 cantidad_recibida_unidades = cantidad_pedida_unidades WHERE pedido_id = ?1",
            [id],
        )?;
        let mut stmt = tx.prepare_cached(
            "UPDATE pedidos_inter_cedi_detalle SET cantidad_recibida_bultos = ?3, cantidad_recibida_unidades = ?3 * unidades_por_bulto
             WHERE pedido_id = ?1 AND codigo_producto = ?2",
        )?;
        for (code, packs) in act.recibidos {
            stmt.execute(params![id, code, packs])?;
        }
    }
    let reason = act.motivo.map(str::trim).filter(|m| !m.is_empty()).map(str::to_string).unwrap_or_else(|| default_reason(to).to_string());
    write_history(tx, id, Some(from), to, &reason, user, &now)?;
    Ok(Outcome::Done(to))
}

fn default_reason(to: InterCediState) -> &'static str {
    match to {
        InterCediState::Borrador => "Pedido creado",
        InterCediState::Confirmado => "Pedido confirmado",
        InterCediState::Despachado => "Pedido despachado",
        InterCediState::Recibido => "Pedido recibido",
        InterCediState::Cancelado => "Pedido cancelado",
    }
}

/// The optional parts of an action: its reason for the history, notes for the observations,
/// and, when receiving, the packs that arrived per product code.
#[derive(Debug, Default, Clone)]
pub struct ActNotes<'a> {
    pub motivo: Option<&'a str>,
    pub notas: Option<&'a str>,
    pub recibidos: &'a [(String, f64)],
}

/// Saves a new order (its lines already filtered to included, packs > 0) in one transaction,
/// numbered from the counter; with `confirm`, it is confirmed in the same transaction, so a
/// failure leaves neither a draft nor a confirmation (D-10).
pub fn create(conn: &Connection, h: &NewHeader, lines: &[NewLine], user: &str, confirm: bool) -> Result<Created> {
    let tx = conn.unchecked_transaction()?;
    let created = insert_draft(&tx, h, lines, user, None)?;
    let estado = if confirm {
        match apply(&tx, &created.id, Action::Confirmar, user, &ActNotes::default())? {
            Outcome::Done(s) => s,
            // A row this transaction just wrote as a draft: nothing else can have moved it.
            _ => InterCediState::Borrador,
        }
    } else {
        InterCediState::Borrador
    };
    tx.commit()?;
    Ok(Created { estado, ..created })
}

/// Inserts a draft, its lines and its creation history inside the caller's transaction (a
/// multi-store batch saves its receiving CEDI's draft with the batch's group id, §2.3).
pub fn insert_draft(tx: &Connection, h: &NewHeader, lines: &[NewLine], user: &str, grupo: Option<&str>) -> Result<Created> {
    let numero = order_number(next_counter(tx)?);
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_rfc3339();
    let t = totals(lines);
    tx.execute(
        "INSERT INTO pedidos_inter_cedi (id, numero_pedido, cedi_destino_id, cedi_destino_nombre, cedi_destino_region, cedi_origen_id,
             cedi_origen_nombre, fecha_pedido, fecha_creacion, estado, prioridad, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c,
             dias_cobertura_d, dias_cobertura_congelados, frecuencia_viajes_dias, lead_time_dias, total_cedis_origen, total_productos,
             total_lineas, total_bultos, total_unidades, total_peso_kg, observaciones, notas_logistica, usuario_creador, grupo_pedido_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'borrador', ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 1, ?18, ?18, ?19, ?20, ?21,
                 ?22, ?23, ?24, ?25)",
        params![
            id,
            numero,
            h.cedi_destino_id,
            h.cedi_destino_nombre,
            h.cedi_destino_region,
            h.cedi_origen_id,
            h.cedi_origen_nombre,
            h.fecha_pedido,
            now,
            h.prioridad,
            h.dias_cobertura_a,
            h.dias_cobertura_b,
            h.dias_cobertura_c,
            h.dias_cobertura_d,
            h.dias_cobertura_congelados,
            h.frecuencia_viajes_dias,
            h.lead_time_dias,
            t.productos,
            t.bultos,
            t.unidades,
            t.peso_kg,
            h.observaciones,
            h.notas_logistica,
            user,
            grupo,
        ],
    )?;
    insert_lines(tx, &id, h, lines)?;
    let reason = if grupo.is_some() { "Pedido creado (multi-tienda)" } else { "Pedido creado" };
    write_history(tx, &id, None, InterCediState::Borrador, reason, user, &now)?;
    Ok(Created { id, numero_pedido: numero, estado: InterCediState::Borrador })
}

/// Replaces the header values and every line of a draft (D-10), then, with `confirm`,
/// confirms it — all in one transaction.
pub fn replace(conn: &Connection, id: &str, h: &NewHeader, lines: &[NewLine], user: &str, confirm: bool) -> Result<Outcome<Created>> {
    let tx = conn.unchecked_transaction()?;
    let Some(key) = key(&tx, id)? else {
        return Ok(Outcome::Missing);
    };
    if !key.estado.is_editable() {
        return Ok(Outcome::WrongState(WrongState { required: InterCediState::Borrador, current: key.estado }));
    }
    let t = totals(lines);
    let now = now_rfc3339();
    tx.execute(
        "UPDATE pedidos_inter_cedi SET fecha_pedido = ?2, prioridad = ?3, dias_cobertura_a = ?4, dias_cobertura_b = ?5,
             dias_cobertura_c = ?6, dias_cobertura_d = ?7, dias_cobertura_congelados = ?8, frecuencia_viajes_dias = ?9,
             lead_time_dias = ?10, total_productos = ?11, total_lineas = ?11, total_bultos = ?12, total_unidades = ?13,
             total_peso_kg = ?14, observaciones = ?15, notas_logistica = ?16, fecha_modificacion = ?17, version = version + 1
         WHERE id = ?1 AND estado = 'borrador'",
        params![
            key.id,
            h.fecha_pedido,
            h.prioridad,
            h.dias_cobertura_a,
            h.dias_cobertura_b,
            h.dias_cobertura_c,
            h.dias_cobertura_d,
            h.dias_cobertura_congelados,
            h.frecuencia_viajes_dias,
            h.lead_time_dias,
            t.productos,
            t.bultos,
            t.unidades,
            t.peso_kg,
            h.observaciones,
            h.notas_logistica,
            now
        ],
    )?;
    tx.execute("DELETE FROM pedidos_inter_cedi_detalle WHERE pedido_id = ?1", [&key.id])?;
    insert_lines(&tx, &key.id, h, lines)?;
    let estado = if confirm {
        match apply(&tx, &key.id, Action::Confirmar, user, &ActNotes::default())? {
            Outcome::Done(s) => s,
            Outcome::Missing => return Ok(Outcome::Missing),
            Outcome::WrongState(w) => return Ok(Outcome::WrongState(w)),
        }
    } else {
        InterCediState::Borrador
    };
    tx.commit()?;
    Ok(Outcome::Done(Created { id: key.id, numero_pedido: key.numero_pedido, estado }))
}

/// Applies one action (confirmar, despachar, recibir, cancelar) by `user`; the order's id,
/// number and new state.
pub fn act(conn: &Connection, id: &str, action: Action, user: &str, notes: &ActNotes<'_>) -> Result<Outcome<Created>> {
    let tx = conn.unchecked_transaction()?;
    let Some(key) = key(&tx, id)? else {
        return Ok(Outcome::Missing);
    };
    Ok(match apply(&tx, &key.id, action, user, notes)? {
        Outcome::Done(estado) => {
            tx.commit()?;
            Outcome::Done(Created { id: key.id, numero_pedido: key.numero_pedido, estado })
        }
        Outcome::Missing => Outcome::Missing,
        Outcome::WrongState(w) => Outcome::WrongState(w),
    })
}

/// Hard delete (lines and history cascade) of a draft or a confirmed order.
pub fn delete(conn: &Connection, id: &str) -> Result<Outcome<()>> {
    let tx = conn.unchecked_transaction()?;
    let Some(key) = key(&tx, id)? else {
        return Ok(Outcome::Missing);
    };
    if !key.estado.is_deletable() {
        // "Borrador o confirmado": the message names the first of the two.
        return Ok(Outcome::WrongState(WrongState { required: InterCediState::Borrador, current: key.estado }));
    }
    tx.execute("DELETE FROM pedidos_inter_cedi WHERE id = ?1", [&key.id])?;
    tx.commit()?;
    Ok(Outcome::Done(()))
}

/// The identity of an order, found by id or by number.
#[derive(Debug, Clone)]
pub struct Key {
    pub id: String,
    pub numero_pedido: String,
    pub estado: InterCediState,
    pub cedi_origen_id: String,
    pub cedi_destino_id: String,
}

pub fn key(conn: &Connection, id: &str) -> Result<Option<Key>> {
    Ok(conn
        .query_row(
            "SELECT id, numero_pedido, estado, cedi_origen_id, cedi_destino_id FROM pedidos_inter_cedi WHERE id = ?1 OR numero_pedido = ?1",
            [id],
            |r| {
                Ok(Key {
                    id: r.get("id")?,
                    numero_pedido: r.get("numero_pedido")?,
                    estado: state_col(r, "estado")?,
                    cedi_origen_id: r.get("cedi_origen_id")?,
                    cedi_destino_id: r.get("cedi_destino_id")?,
                })
            },
        )
        .optional()?)
}

fn state_col(r: &Row<'_>, col: &str) -> rusqlite::Result<InterCediState> {
    let s: String = r.get(col)?;
    InterCediState::parse(&s).ok_or_else(|| rusqlite::Error::InvalidColumnType(0, format!("{col} = {s}"), rusqlite::types::Type::Text))
}

/// The saved header, as the API returns it.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub id: String,
    pub numero_pedido: String,
    pub cedi_destino_id: String,
    pub cedi_destino_nombre: String,
    /// D-22: the region under the name the API promises.
    pub region: Option<String>,
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    /// The multi-store batch the order was saved with, if any.
    pub grupo_pedido_id: Option<String>,
    pub fecha_pedido: String,
    pub fecha_creacion: String,
    pub fecha_modificacion: Option<String>,
    pub fecha_confirmacion: Option<String>,
    pub fecha_despacho: Option<String>,
    pub fecha_recepcion: Option<String>,
    pub fecha_cancelacion: Option<String>,
    pub estado: InterCediState,
    pub tipo_pedido: String,
    pub prioridad: String,
    pub metodo_calculo: String,
    pub dias_cobertura_a: i64,
    pub dias_cobertura_b: i64,
    pub dias_cobertura_c: i64,
    pub dias_cobertura_d: i64,
    pub dias_cobertura_congelados: i64,
    pub frecuencia_viajes_dias: String,
    pub lead_time_dias: f64,
    pub total_cedis_origen: i64,
    pub total_productos: i64,
    pub total_lineas: i64,
    pub total_bultos: f64,
    pub total_unidades: f64,
    pub total_peso_kg: Option<f64>,
    pub observaciones: Option<String>,
    pub notas_logistica: Option<String>,
    pub notas_recepcion: Option<String>,
    pub usuario_creador: String,
    pub usuario_confirmador: Option<String>,
    pub usuario_despachador: Option<String>,
    pub usuario_receptor: Option<String>,
    pub version: i64,
}

const HEADER_COLUMNS: &str = "id, numero_pedido, cedi_destino_id, cedi_destino_nombre, cedi_destino_region, cedi_origen_id,
    cedi_origen_nombre, grupo_pedido_id, fecha_pedido, fecha_creacion, fecha_modificacion, fecha_confirmacion, fecha_despacho, fecha_recepcion,
    fecha_cancelacion, estado, tipo_pedido, prioridad, metodo_calculo, dias_cobertura_a, dias_cobertura_b, dias_cobertura_c,
    dias_cobertura_d, dias_cobertura_congelados, frecuencia_viajes_dias, lead_time_dias, total_cedis_origen, total_productos,
    total_lineas, total_bultos, total_unidades, total_peso_kg, observaciones, notas_logistica, notas_recepcion, usuario_creador,
    usuario_confirmador, usuario_despachador, usuario_receptor, version";

fn header_row(r: &Row<'_>) -> rusqlite::Result<Header> {
    Ok(Header {
        id: r.get("id")?,
        numero_pedido: r.get("numero_pedido")?,
        cedi_destino_id: r.get("cedi_destino_id")?,
        cedi_destino_nombre: r.get("cedi_destino_nombre")?,
        region: r.get("cedi_destino_region")?,
        cedi_origen_id: r.get("cedi_origen_id")?,
        cedi_origen_nombre: r.get("cedi_origen_nombre")?,
        grupo_pedido_id: r.get("grupo_pedido_id")?,
        fecha_pedido: r.get("fecha_pedido")?,
        fecha_creacion: r.get("fecha_creacion")?,
        fecha_modificacion: r.get("fecha_modificacion")?,
        fecha_confirmacion: r.get("fecha_confirmacion")?,
        fecha_despacho: r.get("fecha_despacho")?,
        fecha_recepcion: r.get("fecha_recepcion")?,
        fecha_cancelacion: r.get("fecha_cancelacion")?,
        estado: state_col(r, "estado")?,
        tipo_pedido: r.get("tipo_pedido")?,
        prioridad: r.get("prioridad")?,
        metodo_calculo: r.get("metodo_calculo")?,
        dias_cobertura_a: r.get("dias_cobertura_a")?,
        dias_cobertura_b: r.get("dias_cobertura_b")?,
        dias_cobertura_c: r.get("dias_cobertura_c")?,
        dias_cobertura_d: r.get("dias_cobertura_d")?,
        dias_cobertura_congelados: r.get("dias_cobertura_congelados")?,
        frecuencia_viajes_dias: r.get("frecuencia_viajes_dias")?,
        lead_time_dias: r.get("lead_time_dias")?,
        total_cedis_origen: r.get("total_cedis_origen")?,
        total_productos: r.get("total_productos")?,
        total_lineas: r.get("total_lineas")?,
        total_bultos: r.get("total_bultos")?,
        total_unidades: r.get("total_unidades")?,
        total_peso_kg: r.get("total_peso_kg")?,
        observaciones: r.get("observaciones")?,
        notas_logistica: r.get("notas_logistica")?,
        notas_recepcion: r.get("notas_recepcion")?,
        usuario_creador: r.get("usuario_creador")?,
        usuario_confirmador: r.get("usuario_confirmador")?,
        usuario_despachador: r.get("usuario_despachador")?,
        usuario_receptor: r.get("usuario_receptor")?,
        version: r.get("version")?,
    })
}

/// One saved line, as the API returns it.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub linea_numero: i64,
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub codigo_producto: String,
    pub codigo_barras: Option<String>,
    pub descripcion_producto: String,
    pub categoria: Option<String>,
    pub marca: Option<String>,
    pub clasificacion_abc: Option<String>,
    pub unidades_por_bulto: f64,
    pub peso_unitario_kg: Option<f64>,
    pub demanda_regional_p75: Option<f64>,
    pub demanda_regional_promedio: Option<f64>,
    pub num_tiendas_region: Option<i64>,
    pub stock_cedi_destino: Option<f64>,
    pub stock_en_transito: Option<f64>,
    pub stock_seguridad_cedi: Option<f64>,
    pub stock_minimo_cedi: Option<f64>,
    pub stock_maximo_cedi: Option<f64>,
    pub punto_reorden_cedi: Option<f64>,
    pub stock_cedi_origen: Option<f64>,
    pub cantidad_sugerida_unidades: f64,
    pub cantidad_sugerida_bultos: f64,
    pub cantidad_pedida_bultos: i64,
    pub cantidad_pedida_unidades: f64,
    pub total_unidades: f64,
    pub razon_pedido: Option<String>,
    pub dias_cobertura_objetivo: Option<i64>,
    pub incluido: bool,
    pub observaciones: Option<String>,
    pub cantidad_recibida_bultos: Option<f64>,
    pub cantidad_recibida_unidades: Option<f64>,
}

fn line_row(r: &Row<'_>) -> rusqlite::Result<Line> {
    Ok(Line {
        linea_numero: r.get("linea_numero")?,
        cedi_origen_id: r.get("cedi_origen_id")?,
        cedi_origen_nombre: r.get("cedi_origen_nombre")?,
        codigo_producto: r.get("codigo_producto")?,
        codigo_barras: r.get("codigo_barras")?,
        descripcion_producto: r.get("descripcion_producto")?,
        categoria: r.get("categoria")?,
        marca: r.get("marca")?,
        clasificacion_abc: r.get("clasificacion_abc")?,
        unidades_por_bulto: r.get("unidades_por_bulto")?,
        peso_unitario_kg: r.get("peso_unitario_kg")?,
        demanda_regional_p75: r.get("demanda_regional_p75")?,
        demanda_regional_promedio: r.get("demanda_regional_promedio")?,
        num_tiendas_region: r.get("num_tiendas_region")?,
        stock_cedi_destino: r.get("stock_cedi_destino")?,
        stock_en_transito: r.get("stock_en_transito")?,
        stock_seguridad_cedi: r.get("stock_seguridad_cedi")?,
        stock_minimo_cedi: r.get("stock_minimo_cedi")?,
        stock_maximo_cedi: r.get("stock_maximo_cedi")?,
        punto_reorden_cedi: r.get("punto_reorden_cedi")?,
        stock_cedi_origen: r.get("stock_cedi_origen")?,
        cantidad_sugerida_unidades: r.get("cantidad_sugerida_unidades")?,
        cantidad_sugerida_bultos: r.get("cantidad_sugerida_bultos")?,
        cantidad_pedida_bultos: r.get("cantidad_pedida_bultos")?,
        cantidad_pedida_unidades: r.get("cantidad_pedida_unidades")?,
        total_unidades: r.get("total_unidades")?,
        razon_pedido: r.get("razon_pedido")?,
        dias_cobertura_objetivo: r.get("dias_cobertura_objetivo")?,
        incluido: r.get("incluido")?,
        observaciones: r.get("observaciones")?,
        cantidad_recibida_bultos: r.get("cantidad_recibida_bultos")?,
        cantidad_recibida_unidades: r.get("cantidad_recibida_unidades")?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Order {
    #[serde(flatten)]
    pub header: Header,
    pub productos: Vec<Line>,
}

/// An order with its lines in line order, by id or number.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Order>> {
    let header = conn
        .query_row(&format!("SELECT {HEADER_COLUMNS} FROM pedidos_inter_cedi WHERE id = ?1 OR numero_pedido = ?1"), [id], header_row)
        .optional()?;
    let Some(header) = header else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached("SELECT * FROM pedidos_inter_cedi_detalle WHERE pedido_id = ?1 ORDER BY linea_numero")?;
    let productos = stmt.query_map([&header.id], line_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Order { header, productos }))
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub estado_anterior: Option<InterCediState>,
    pub estado_nuevo: InterCediState,
    pub motivo_cambio: Option<String>,
    pub usuario: String,
    pub fecha_cambio: String,
}

/// The state history, oldest first.
pub fn history(conn: &Connection, id: &str) -> Result<Vec<HistoryRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT h.estado_anterior, h.estado_nuevo, h.motivo_cambio, h.usuario, h.fecha_cambio FROM pedidos_inter_cedi_historial h
         JOIN pedidos_inter_cedi p ON p.id = h.pedido_id WHERE p.id = ?1 OR p.numero_pedido = ?1 ORDER BY h.id",
    )?;
    let rows = stmt.query_map([id], |r| {
        let from: Option<String> = r.get("estado_anterior")?;
        Ok(HistoryRow {
            estado_anterior: from.as_deref().and_then(InterCediState::parse),
            estado_nuevo: state_col(r, "estado_nuevo")?,
            motivo_cambio: r.get("motivo_cambio")?,
            usuario: r.get("usuario")?,
            fecha_cambio: r.get("fecha_cambio")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub estado: Option<InterCediState>,
    pub cedi_destino_id: Option<String>,
    pub limit: u32,
}

/// Packs per origin of one listed order.
#[derive(Debug, Clone, Serialize)]
pub struct OriginCount {
    pub cedi_origen_id: String,
    pub cedi_origen_nombre: String,
    pub productos: i64,
    pub bultos: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    #[serde(flatten)]
    pub header: Header,
    pub num_cedis_origen: usize,
    pub por_origen: Vec<OriginCount>,
    /// Whole days since creation.
    pub dias_desde_creacion: i64,
    /// Σ ordered packs × UPB × kg per unit (only lines with packs are saved, so the spec's
    /// "suggested when nothing was ordered" never applies).
    pub peso_total_kg: f64,
}

/// Newest first (default 50), by state and destination.
pub fn list(conn: &Connection, f: &ListFilter, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<ListEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {HEADER_COLUMNS} FROM pedidos_inter_cedi WHERE (?1 IS NULL OR estado = ?1) AND (?2 IS NULL OR cedi_destino_id = ?2)
         ORDER BY fecha_creacion DESC, rowid DESC LIMIT ?3"
    ))?;
    let limit = if f.limit == 0 { 50 } else { f.limit.min(500) };
    let headers =
        stmt.query_map(params![f.estado.map(|s| s.id()), f.cedi_destino_id, limit], header_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut lines = conn.prepare_cached(
        "SELECT cedi_origen_id, cedi_origen_nombre, count(*), sum(cantidad_pedida_bultos),
                sum(cantidad_pedida_bultos * unidades_por_bulto * coalesce(peso_unitario_kg, 0))
         FROM pedidos_inter_cedi_detalle WHERE pedido_id = ?1 GROUP BY 1, 2 ORDER BY 1",
    )?;
    let mut out = Vec::with_capacity(headers.len());
    for header in headers {
        let mut peso = 0.0;
        let por_origen = lines
            .query_map([&header.id], |r| {
                peso += r.get::<_, Option<f64>>(4)?.unwrap_or(0.0);
                Ok(OriginCount {
                    cedi_origen_id: r.get(0)?,
                    cedi_origen_nombre: r.get(1)?,
                    productos: r.get(2)?,
                    bultos: r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let created = chrono::DateTime::parse_from_rfc3339(&header.fecha_creacion).map(|d| d.with_timezone(&chrono::Utc)).unwrap_or(now);
        out.push(ListEntry {
            num_cedis_origen: por_origen.len(),
            por_origen,
            dias_desde_creacion: (now - created).num_days().max(0),
            peso_total_kg: peso,
            header,
        });
    }
    Ok(out)
}

/// A draft or confirmed order from `origin` created at or after `since` (the 24-hour note of
/// §3.12: nothing reserves origin stock between calculations).
#[derive(Debug, Clone, Serialize)]
pub struct Recent {
    pub id: String,
    pub numero_pedido: String,
    pub estado: InterCediState,
    pub cedi_destino_nombre: String,
    pub fecha_creacion: String,
    pub total_bultos: f64,
}

pub fn recent_from_origin(conn: &Connection, origin: &str, since: &str) -> Result<Vec<Recent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, numero_pedido, estado, cedi_destino_nombre, fecha_creacion, total_bultos FROM pedidos_inter_cedi
         WHERE cedi_origen_id = ?1 AND estado IN ('borrador', 'confirmado') AND fecha_creacion >= ?2
         ORDER BY fecha_creacion DESC, rowid DESC",
    )?;
    let rows = stmt.query_map([origin, since], |r| {
        Ok(Recent {
            id: r.get("id")?,
            numero_pedido: r.get("numero_pedido")?,
            estado: state_col(r, "estado")?,
            cedi_destino_nombre: r.get("cedi_destino_nombre")?,
            fecha_creacion: r.get("fecha_creacion")?,
            total_bultos: r.get("total_bultos")?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
