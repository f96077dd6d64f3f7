//! Traffic-generator state (spec 40 §5.2, §5.4): the flags in `producto_ajustes`, the history
//! `generadores_trafico_historial`, the settings `config_generadores_trafico` and the
//! suggestion runs `generadores_trafico_calculos`.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use super::{now_rfc3339, Result};

/// The generator columns of one product's overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stored {
    /// The override of `es_generador_trafico` (`None`: the POS value holds).
    pub es_generador_trafico: Option<bool>,
    pub sugerido: bool,
    pub ignorado: bool,
    /// The GAP stored when it was suggested.
    pub gap: Option<i64>,
    pub fecha_marcado: Option<String>,
    pub fecha_sugerido: Option<String>,
}

const COLUMNS: &str = "codigo, es_generador_trafico, coalesce(generador_trafico_sugerido, 0), coalesce(generador_trafico_ignorado, 0),
                       generador_trafico_gap, generador_trafico_fecha_marcado, generador_trafico_fecha_sugerido";

fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, Stored)> {
    Ok((
        r.get(0)?,
        Stored {
            es_generador_trafico: r.get(1)?,
            sugerido: r.get::<_, i64>(2)? == 1,
            ignorado: r.get::<_, i64>(3)? == 1,
            gap: r.get(4)?,
            fecha_marcado: r.get(5)?,
            fecha_sugerido: r.get(6)?,
        },
    ))
}

/// One product's columns (defaults when it has no overrides row).
pub fn get(conn: &Connection, codigo: &str) -> Result<Stored> {
    let found = conn.query_row(&format!("SELECT {COLUMNS} FROM producto_ajustes WHERE codigo = ?1"), [codigo], read).optional()?;
    Ok(found.map(|(_, s)| s).unwrap_or_default())
}

/// Every product that is suggested or ignored, by code.
pub fn flagged(conn: &Connection) -> Result<HashMap<String, Stored>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM producto_ajustes WHERE generador_trafico_sugerido = 1 OR generador_trafico_ignorado = 1"
    ))?;
    let rows = stmt.query_map([], read)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Writes the generator columns of `codigo` (creating its overrides row when needed). The
/// other overrides of the product are left as they are.
pub fn save(conn: &Connection, codigo: &str, s: &Stored, user: Option<&str>) -> Result<()> {
    let flag = |b: bool| b.then_some(1i64);
    conn.execute(
        "INSERT INTO producto_ajustes (codigo, es_generador_trafico, generador_trafico_sugerido, generador_trafico_ignorado,
             generador_trafico_gap, generador_trafico_fecha_marcado, generador_trafico_fecha_sugerido, actualizado_por, actualizado_en)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (codigo) DO UPDATE SET es_generador_trafico = excluded.es_generador_trafico,
             generador_trafico_sugerido = excluded.generador_trafico_sugerido,
             generador_trafico_ignorado = excluded.generador_trafico_ignorado,
             generador_trafico_gap = excluded.generador_trafico_gap,
             generador_trafico_fecha_marcado = excluded.generador_trafico_fecha_marcado,
             generador_trafico_fecha_sugerido = excluded.generador_trafico_fecha_sugerido,
             actualizado_por = coalesce(excluded.actualizado_por, producto_ajustes.actualizado_por),
             actualizado_en = excluded.actualizado_en",
        params![
            codigo,
            s.es_generador_trafico,
            flag(s.sugerido),
            flag(s.ignorado),
            s.gap,
            s.fecha_marcado,
            s.fecha_sugerido,
            user,
            now_rfc3339()
        ],
    )?;
    Ok(())
}

/// One row of `generadores_trafico_historial`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HistoryRow {
    pub producto_codigo: String,
    pub accion: String,
    pub gap: Option<i64>,
    pub venta_30d: Option<f64>,
    pub tickets_30d: Option<i64>,
    pub penetracion_pct: Option<f64>,
    pub clase_abc: Option<String>,
    pub usuario: Option<String>,
    pub comentario: Option<String>,
    pub fecha: String,
}

pub fn log(conn: &Connection, h: &HistoryRow) -> Result<()> {
    conn.execute(
        "INSERT INTO generadores_trafico_historial
             (producto_codigo, accion, gap, venta_30d, tickets_30d, penetracion_pct, clase_abc, usuario, comentario, fecha)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            h.producto_codigo,
            h.accion,
            h.gap,
            h.venta_30d,
            h.tickets_30d,
            h.penetracion_pct,
            h.clase_abc,
            h.usuario,
            h.comentario,
            h.fecha
        ],
    )?;
    Ok(())
}

/// The last `limit` changes of a product, newest first.
pub fn history(conn: &Connection, codigo: &str, limit: usize) -> Result<Vec<HistoryRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, accion, gap, venta_30d, tickets_30d, penetracion_pct, clase_abc, usuario, comentario, fecha
         FROM generadores_trafico_historial WHERE producto_codigo = ?1 ORDER BY fecha DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![codigo, limit as i64], |r| {
        Ok(HistoryRow {
            producto_codigo: r.get(0)?,
            accion: r.get(1)?,
            gap: r.get(2)?,
            venta_30d: r.get(3)?,
            tickets_30d: r.get(4)?,
            penetracion_pct: r.get(5)?,
            clase_abc: r.get(6)?,
            usuario: r.get(7)?,
            comentario: r.get(8)?,
            fecha: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One setting of `config_generadores_trafico`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Setting {
    pub clave: String,
    pub valor: String,
    pub tipo_valor: String,
    pub descripcion: Option<String>,
    pub actualizado_por: Option<String>,
    pub actualizado_en: String,
}

pub fn settings(conn: &Connection) -> Result<Vec<Setting>> {
    let mut stmt = conn.prepare_cached(
        "SELECT clave, valor, tipo_valor, descripcion, actualizado_por, actualizado_en FROM config_generadores_trafico ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Setting {
            clave: r.get(0)?,
            valor: r.get(1)?,
            tipo_valor: r.get(2)?,
            descripcion: r.get(3)?,
            actualizado_por: r.get(4)?,
            actualizado_en: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn setting(conn: &Connection, clave: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT valor FROM config_generadores_trafico WHERE clave = ?1", [clave], |r| r.get(0)).optional()?)
}

/// Stores a known setting's value; false when the key is not a setting.
pub fn set_setting(conn: &Connection, clave: &str, valor: &str, user: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE config_generadores_trafico SET valor = ?2, actualizado_por = ?3, actualizado_en = ?4 WHERE clave = ?1",
        params![clave, valor, user, now_rfc3339()],
    )?;
    Ok(n == 1)
}

/// The window and the excluded codes of the metrics (§5.1, §5.4), defaults when unset.
pub fn analysis_settings(conn: &Connection) -> Result<(u32, Vec<String>)> {
    let dias = setting(conn, "dias_analisis")?.and_then(|v| v.trim().parse::<u32>().ok()).filter(|d| *d >= 1).unwrap_or(30);
    let excluded = setting(conn, "producto_excluido_bolsas")?
        .unwrap_or_else(|| "003760".into())
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    Ok((dias, excluded))
}

/// `gap_minimo` (default 400).
pub fn gap_minimo(conn: &Connection) -> Result<i64> {
    Ok(setting(conn, "gap_minimo")?.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(400))
}

/// One suggestion run.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub fecha: String,
    pub origen: String,
    pub usuario: Option<String>,
    pub gap_minimo: i64,
    pub candidatos: i64,
    pub nuevas: i64,
    pub retiradas: i64,
    pub duracion_ms: i64,
}

pub fn record_run(conn: &Connection, r: &Run) -> Result<()> {
    conn.execute(
        "INSERT INTO generadores_trafico_calculos (fecha, origen, usuario, gap_minimo, candidatos, nuevas, retiradas, duracion_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![r.fecha, r.origen, r.usuario, r.gap_minimo, r.candidatos, r.nuevas, r.retiradas, r.duracion_ms],
    )?;
    Ok(())
}

pub fn last_run(conn: &Connection) -> Result<Option<Run>> {
    Ok(conn
        .query_row(
            "SELECT fecha, origen, usuario, gap_minimo, candidatos, nuevas, retiradas, duracion_ms
             FROM generadores_trafico_calculos ORDER BY id DESC LIMIT 1",
            [],
            |r| {
                Ok(Run {
                    fecha: r.get(0)?,
                    origen: r.get(1)?,
                    usuario: r.get(2)?,
                    gap_minimo: r.get(3)?,
                    candidatos: r.get(4)?,
                    nuevas: r.get(5)?,
                    retiradas: r.get(6)?,
                    duracion_ms: r.get(7)?,
                })
            },
        )
        .optional()?)
}
