//! Emergencies in the application database (spec 40 §4): each store's detector settings
//! (`emergencias_config_tienda`), the scans with their emergency lists
//! (`emergencias_scans`), the anomalies they found (`emergencias_anomalias`, one open row
//! per store, product, almacén and type) and what was already mailed
//! (`emergencias_notificadas`).
//!
//! The emergency list, per-store summaries and anomalies of a scan are stored as JSON
//! arrays written and read by the emergencies use case; this module only keeps
//! them.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Result;

/// A store's detector settings (a store without a row is disabled with the defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreConfig {
    pub ubicacion_id: String,
    pub habilitado: bool,
    pub fecha_habilitacion: Option<String>,
    pub umbral_critico: f64,
    pub umbral_inminente: f64,
    pub umbral_alerta: f64,
    pub emails_notificacion: Vec<String>,
    pub notificaciones_activas: bool,
    pub creado_por: Option<String>,
    pub actualizado_por: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl StoreConfig {
    /// What a store without a row means: disabled, default thresholds, no recipients.
    pub fn absent(ubicacion_id: &str) -> StoreConfig {
        StoreConfig {
            ubicacion_id: ubicacion_id.to_string(),
            habilitado: false,
            fecha_habilitacion: None,
            umbral_critico: 0.25,
            umbral_inminente: 0.50,
            umbral_alerta: 0.75,
            emails_notificacion: Vec::new(),
            notificaciones_activas: true,
            creado_por: None,
            actualizado_por: None,
            created_at: None,
            updated_at: None,
        }
    }
}

fn config_row(r: &Row<'_>) -> rusqlite::Result<StoreConfig> {
    let emails: String = r.get("emails_notificacion")?;
    Ok(StoreConfig {
        ubicacion_id: r.get("ubicacion_id")?,
        habilitado: r.get::<_, i64>("habilitado")? == 1,
        fecha_habilitacion: r.get("fecha_habilitacion")?,
        umbral_critico: r.get("umbral_critico")?,
        umbral_inminente: r.get("umbral_inminente")?,
        umbral_alerta: r.get("umbral_alerta")?,
        emails_notificacion: serde_json::from_str(&emails).unwrap_or_default(),
        notificaciones_activas: r.get::<_, i64>("notificaciones_activas")? == 1,
        creado_por: r.get("creado_por")?,
        actualizado_por: r.get("actualizado_por")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// Every configured store (rows only), by id.
pub fn configs(conn: &Connection) -> Result<Vec<StoreConfig>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM emergencias_config_tienda ORDER BY ubicacion_id")?;
    let rows = stmt.query_map([], config_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn config(conn: &Connection, ubicacion_id: &str) -> Result<Option<StoreConfig>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM emergencias_config_tienda WHERE ubicacion_id = ?1")?;
    Ok(stmt.query_row([ubicacion_id], config_row).optional()?)
}

/// Writes a store's whole settings row (insert or replace the values, keeping `created_at`
/// and `creado_por` of an existing row). The caller has merged and checked them.
pub fn save_config(conn: &Connection, c: &StoreConfig, by: &str, now: &str) -> Result<()> {
    let emails = serde_json::to_string(&c.emails_notificacion).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO emergencias_config_tienda (ubicacion_id, habilitado, fecha_habilitacion, umbral_critico, umbral_inminente,
             umbral_alerta, emails_notificacion, notificaciones_activas, creado_por, actualizado_por, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?10)
         ON CONFLICT (ubicacion_id) DO UPDATE SET habilitado = excluded.habilitado, fecha_habilitacion = excluded.fecha_habilitacion,
             umbral_critico = excluded.umbral_critico, umbral_inminente = excluded.umbral_inminente, umbral_alerta = excluded.umbral_alerta,
             emails_notificacion = excluded.emails_notificacion, notificaciones_activas = excluded.notificaciones_activas,
             actualizado_por = excluded.actualizado_por, updated_at = excluded.updated_at",
        params![
            c.ubicacion_id,
            i64::from(c.habilitado),
            c.fecha_habilitacion,
            c.umbral_critico,
            c.umbral_inminente,
            c.umbral_alerta,
            emails,
            i64::from(c.notificaciones_activas),
            by,
            now
        ],
    )?;
    Ok(())
}

/// A scan being started.
#[derive(Debug, Clone)]
pub struct NewScan<'a> {
    pub id: &'a str,
    pub inicio: &'a str,
    pub disparado_por: &'a str,
    pub usuario: Option<&'a str>,
    pub tiendas: &'a [String],
}

pub fn start_scan(conn: &Connection, s: &NewScan<'_>) -> Result<()> {
    let tiendas = serde_json::to_string(s.tiendas).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO emergencias_scans (id, inicio, tiendas, estado, disparado_por, usuario) VALUES (?1, ?2, ?3, 'EN_PROGRESO', ?4, ?5)",
        params![s.id, s.inicio, tiendas, s.disparado_por, s.usuario],
    )?;
    Ok(())
}

/// The outcome of a completed scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub fin: String,
    pub duracion_ms: i64,
    pub productos_analizados: i64,
    pub total_emergencias: i64,
    pub total_anomalias: i64,
    pub total_stockouts: i64,
    pub total_criticos: i64,
    pub total_inminentes: i64,
    pub total_alertas: i64,
    pub evaluado_en: String,
    /// JSON arrays.
    pub emergencias: String,
    pub resumen_tiendas: String,
    pub anomalias: String,
}

pub fn complete_scan(conn: &Connection, id: &str, o: &ScanOutcome) -> Result<()> {
    conn.execute(
        "UPDATE emergencias_scans SET fin = ?2, duracion_ms = ?3, productos_analizados = ?4, total_emergencias = ?5, total_anomalias = ?6,
             total_stockouts = ?7, total_criticos = ?8, total_inminentes = ?9, total_alertas = ?10, estado = 'COMPLETADO',
             evaluado_en = ?11, emergencias = ?12, resumen_tiendas = ?13, anomalias = ?14
         WHERE id = ?1",
        params![
            id,
            o.fin,
            o.duracion_ms,
            o.productos_analizados,
            o.total_emergencias,
            o.total_anomalias,
            o.total_stockouts,
            o.total_criticos,
            o.total_inminentes,
            o.total_alertas,
            o.evaluado_en,
            o.emergencias,
            o.resumen_tiendas,
            o.anomalias
        ],
    )?;
    Ok(())
}

pub fn fail_scan(conn: &Connection, id: &str, fin: &str, duracion_ms: i64, message: &str) -> Result<()> {
    conn.execute(
        "UPDATE emergencias_scans SET fin = ?2, duracion_ms = ?3, estado = 'ERROR', error_mensaje = ?4 WHERE id = ?1",
        params![id, fin, duracion_ms, message],
    )?;
    Ok(())
}

/// A stored scan (JSON columns as text; empty arrays for a scan that did not complete).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRecord {
    pub id: String,
    pub inicio: String,
    pub fin: Option<String>,
    pub duracion_ms: Option<i64>,
    pub tiendas: Vec<String>,
    pub productos_analizados: i64,
    pub total_emergencias: i64,
    pub total_anomalias: i64,
    pub total_stockouts: i64,
    pub total_criticos: i64,
    pub total_inminentes: i64,
    pub total_alertas: i64,
    pub estado: String,
    pub error_mensaje: Option<String>,
    pub disparado_por: String,
    pub usuario: Option<String>,
    pub evaluado_en: Option<String>,
    pub emergencias: String,
    pub resumen_tiendas: String,
    pub anomalias: String,
}

fn scan_row(r: &Row<'_>) -> rusqlite::Result<ScanRecord> {
    let tiendas: String = r.get("tiendas")?;
    let json = |col: &str| -> rusqlite::Result<String> { Ok(r.get::<_, Option<String>>(col)?.unwrap_or_else(|| "[]".into())) };
    Ok(ScanRecord {
        id: r.get("id")?,
        inicio: r.get("inicio")?,
        fin: r.get("fin")?,
        duracion_ms: r.get("duracion_ms")?,
        tiendas: serde_json::from_str(&tiendas).unwrap_or_default(),
        productos_analizados: r.get("productos_analizados")?,
        total_emergencias: r.get("total_emergencias")?,
        total_anomalias: r.get("total_anomalias")?,
        total_stockouts: r.get("total_stockouts")?,
        total_criticos: r.get("total_criticos")?,
        total_inminentes: r.get("total_inminentes")?,
        total_alertas: r.get("total_alertas")?,
        estado: r.get("estado")?,
        error_mensaje: r.get("error_mensaje")?,
        disparado_por: r.get("disparado_por")?,
        usuario: r.get("usuario")?,
        evaluado_en: r.get("evaluado_en")?,
        emergencias: json("emergencias")?,
        resumen_tiendas: json("resumen_tiendas")?,
        anomalias: json("anomalias")?,
    })
}

/// The most recent completed scan that covered each of `stores` (a store no completed scan
/// covered is absent), newest scans first. Looks back at most `lookback` completed scans.
pub fn latest_per_store(conn: &Connection, stores: &[String], lookback: u32) -> Result<Vec<ScanRecord>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM emergencias_scans WHERE estado = 'COMPLETADO' ORDER BY rowid DESC LIMIT ?1")?;
    let mut rows = stmt.query([lookback])?;
    let mut pending: Vec<&String> = stores.iter().collect();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if pending.is_empty() {
            break;
        }
        let tiendas: String = r.get("tiendas")?;
        let covered: Vec<String> = serde_json::from_str(&tiendas).unwrap_or_default();
        if pending.iter().any(|s| covered.contains(s)) {
            pending.retain(|s| !covered.contains(s));
            out.push(scan_row(r)?);
        }
    }
    Ok(out)
}

pub fn scan(conn: &Connection, id: &str) -> Result<Option<ScanRecord>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM emergencias_scans WHERE id = ?1")?;
    Ok(stmt.query_row([id], scan_row).optional()?)
}

/// An anomaly found by a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyFound<'a> {
    pub ubicacion_id: &'a str,
    pub producto_codigo: &'a str,
    pub almacen_codigo: Option<&'a str>,
    pub tipo: &'a str,
    pub valor_detectado: f64,
    pub valor_esperado: f64,
    pub descripcion: &'a str,
    pub severidad: &'a str,
}

/// Records a detection: the open anomaly of the same store, product, almacén and type is
/// updated (value, description, `ultima_deteccion`, scan); otherwise a new PENDIENTE row.
/// Returns the anomaly's id.
pub fn record_anomaly(conn: &Connection, a: &AnomalyFound<'_>, scan_id: &str, now: &str) -> Result<i64> {
    let open: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM emergencias_anomalias
             WHERE ubicacion_id = ?1 AND producto_codigo = ?2 AND ifnull(almacen_codigo, '') = ifnull(?3, '') AND tipo = ?4
               AND estado IN ('PENDIENTE', 'REVISADO')",
        )?
        .query_row(params![a.ubicacion_id, a.producto_codigo, a.almacen_codigo, a.tipo], |r| r.get("id"))
        .optional()?;
    match open {
        Some(id) => {
            conn.execute(
                "UPDATE emergencias_anomalias SET valor_detectado = ?2, valor_esperado = ?3, descripcion = ?4, severidad = ?5,
                     ultima_deteccion = ?6, scan_id = ?7 WHERE id = ?1",
                params![id, a.valor_detectado, a.valor_esperado, a.descripcion, a.severidad, now, scan_id],
            )?;
            Ok(id)
        }
        None => {
            conn.execute(
                "INSERT INTO emergencias_anomalias (ubicacion_id, producto_codigo, almacen_codigo, tipo, valor_detectado, valor_esperado,
                     descripcion, severidad, estado, fecha_deteccion, ultima_deteccion, scan_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'PENDIENTE', ?9, ?9, ?10)",
                params![
                    a.ubicacion_id,
                    a.producto_codigo,
                    a.almacen_codigo,
                    a.tipo,
                    a.valor_detectado,
                    a.valor_esperado,
                    a.descripcion,
                    a.severidad,
                    now,
                    scan_id
                ],
            )?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// A stored anomaly.
#[derive(Debug, Clone, PartialEq)]
pub struct AnomalyRecord {
    pub id: i64,
    pub ubicacion_id: String,
    pub producto_codigo: String,
    pub almacen_codigo: Option<String>,
    pub tipo: String,
    pub valor_detectado: Option<f64>,
    pub valor_esperado: Option<f64>,
    pub desviacion_pct: Option<f64>,
    pub descripcion: Option<String>,
    pub severidad: String,
    pub estado: String,
    pub fecha_deteccion: String,
    pub ultima_deteccion: String,
    pub scan_id: Option<String>,
    pub revisado_por: Option<String>,
    pub fecha_revision: Option<String>,
    pub nota_revision: Option<String>,
}

fn anomaly_row(r: &Row<'_>) -> rusqlite::Result<AnomalyRecord> {
    Ok(AnomalyRecord {
        id: r.get("id")?,
        ubicacion_id: r.get("ubicacion_id")?,
        producto_codigo: r.get("producto_codigo")?,
        almacen_codigo: r.get("almacen_codigo")?,
        tipo: r.get("tipo")?,
        valor_detectado: r.get("valor_detectado")?,
        valor_esperado: r.get("valor_esperado")?,
        desviacion_pct: r.get("desviacion_pct")?,
        descripcion: r.get("descripcion")?,
        severidad: r.get("severidad")?,
        estado: r.get("estado")?,
        fecha_deteccion: r.get("fecha_deteccion")?,
        ultima_deteccion: r.get("ultima_deteccion")?,
        scan_id: r.get("scan_id")?,
        revisado_por: r.get("revisado_por")?,
        fecha_revision: r.get("fecha_revision")?,
        nota_revision: r.get("nota_revision")?,
    })
}

/// Anomalies in `estado` of `stores` (optionally one type), newest detection first.
pub fn anomalies(conn: &Connection, stores: &[String], tipo: Option<&str>, estado: &str, limit: u32) -> Result<Vec<AnomalyRecord>> {
    let stores = serde_json::to_string(stores).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(
        "SELECT * FROM emergencias_anomalias
         WHERE ubicacion_id IN (SELECT value FROM json_each(?1)) AND (?2 IS NULL OR tipo = ?2) AND estado = ?3
         ORDER BY ultima_deteccion DESC, id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![stores, tipo, estado, limit], anomaly_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn anomaly(conn: &Connection, id: i64) -> Result<Option<AnomalyRecord>> {
    let mut stmt = conn.prepare_cached("SELECT * FROM emergencias_anomalias WHERE id = ?1")?;
    Ok(stmt.query_row([id], anomaly_row).optional()?)
}

/// Sets an anomaly's review state with who and why.
pub fn review_anomaly(conn: &Connection, id: i64, estado: &str, by: &str, nota: Option<&str>, now: &str) -> Result<bool> {
    let n = conn.execute(
        "UPDATE emergencias_anomalias SET estado = ?2, revisado_por = ?3, nota_revision = ?4, fecha_revision = ?5 WHERE id = ?1",
        params![id, estado, by, nota, now],
    )?;
    Ok(n == 1)
}

/// Marks an emergency as mailed for the day; `false` when it already was (nothing written).
pub fn mark_notified(conn: &Connection, fecha: &str, ubicacion_id: &str, producto_codigo: &str, tipo: &str, scan_id: &str) -> Result<bool> {
    let n = conn.execute(
        "INSERT OR IGNORE INTO emergencias_notificadas (fecha, ubicacion_id, producto_codigo, tipo, scan_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![fecha, ubicacion_id, producto_codigo, tipo, scan_id],
    )?;
    Ok(n == 1)
}

/// Links the rows a scan marked for a store to the outbox message that carries them.
pub fn link_outbox(conn: &Connection, scan_id: &str, ubicacion_id: &str, outbox_id: i64) -> Result<()> {
    conn.execute(
        "UPDATE emergencias_notificadas SET outbox_id = ?3 WHERE scan_id = ?1 AND ubicacion_id = ?2",
        params![scan_id, ubicacion_id, outbox_id],
    )?;
    Ok(())
}
