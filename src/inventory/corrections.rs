//! *Centro de Comando de Corrección* (spec 40 §7.5): the products whose stock looks wrong
//! (negative, or a "venta zombie": 0 yet sold today with no stock seen today) with the sale
//! lines and snapshots behind them, and the physical counts users record. A count is kept
//! in the application database with its user and batch, beside the POS's figure; the POS
//! mirror is never overwritten (the next stock load would silently undo it). The correction
//! must also be keyed into the POS; the screen says so.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::InventoryError;
use crate::appdb::adjustments::{self, NewAdjustment};
use crate::config::Tenant;
use crate::domain::corrections::{batch_label, difference, is_sale_zombie};
use crate::warehouse::stock::{self as ws, SaleEvidence};
use crate::warehouse::Warehouse;

/// Days of sale lines shown as evidence.
const EVIDENCE_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    StockNegativo,
    VentaZombie,
}

#[derive(Debug, Serialize)]
pub struct SaleLine {
    pub numero_factura: String,
    pub fecha: String,
    pub hora: String,
    pub cantidad: f64,
    /// The stock recorded last before the sale (current stock when none).
    pub stock_en_el_momento: f64,
}

#[derive(Debug, Serialize)]
pub struct Anomaly {
    pub codigo_producto: String,
    pub descripcion: String,
    pub tipo: AnomalyKind,
    pub stock_actual: f64,
    pub ventas_7d_lineas: usize,
    pub ventas_7d_unidades: f64,
    pub ultimas_ventas: Vec<SaleLine>,
    pub stock_max_hoy: Option<f64>,
    pub stock_min_hoy: Option<f64>,
    pub snapshots_hoy: usize,
}

/// Stock of every almacén at `t` (the last recorded value at or before it), summed; `None`
/// when nothing was recorded before `t`.
fn stock_at(history: &[(String, String, NaiveDateTime, f64)], code: &str, t: NaiveDateTime) -> Option<f64> {
    let mut last: Vec<(&str, f64)> = Vec::new();
    for (_, almacen, _, q) in history.iter().filter(|h| h.0 == code && h.2 <= t) {
        match last.iter_mut().find(|(a, _)| a == almacen) {
            Some(slot) => slot.1 = *q,
            None => last.push((almacen.as_str(), *q)),
        }
    }
    (!last.is_empty()).then(|| last.iter().map(|(_, q)| q).sum())
}

/// Negatives (most negative first) and zombies of a location (or one almacén), at local `now`.
pub fn anomalies(wh: &Warehouse, location: &str, almacen: Option<&str>, now: NaiveDateTime) -> Result<Vec<Anomaly>, InventoryError> {
    let conn = wh.reader()?;
    let candidates = ws::non_positive(&conn, location, almacen)?;
    let codes: Vec<String> = candidates.iter().map(|c| c.0.clone()).collect();
    let midnight = now.date().and_time(chrono::NaiveTime::MIN);
    let evidence_from = midnight - Duration::days(EVIDENCE_DAYS);
    let sales: Vec<SaleEvidence> = ws::sales_since(&conn, location, &codes, evidence_from)?;
    let history = ws::history_since(&conn, location, &codes, evidence_from - Duration::days(30))?;
    let mut out = Vec::new();
    for (code, descripcion, stock) in candidates {
        let mine: Vec<&SaleEvidence> = sales.iter().filter(|s| s.codigo == code).collect();
        let today: Vec<f64> = history.iter().filter(|h| h.0 == code && h.2 >= midnight).map(|h| h.3).collect();
        let sold_today = mine.iter().any(|s| s.fecha_venta >= midnight);
        let tipo = if stock < 0.0 {
            AnomalyKind::StockNegativo
        } else if is_sale_zombie(stock, sold_today, &today) {
            AnomalyKind::VentaZombie
        } else {
            continue;
        };
        let ultimas_ventas = mine
            .iter()
            .take(10)
            .map(|s| SaleLine {
                numero_factura: s.numero_factura.clone(),
                fecha: s.fecha_venta.format("%Y-%m-%d").to_string(),
                hora: s.fecha_venta.format("%H:%M").to_string(),
                cantidad: s.cantidad,
                stock_en_el_momento: stock_at(&history, &code, s.fecha_venta).unwrap_or(stock),
            })
            .collect();
        let with_now = today.iter().copied().chain(std::iter::once(stock));
        out.push(Anomaly {
            descripcion,
            tipo,
            stock_actual: stock,
            ventas_7d_lineas: mine.len(),
            ventas_7d_unidades: mine.iter().map(|s| s.cantidad).sum(),
            ultimas_ventas,
            stock_max_hoy: with_now.clone().reduce(f64::max),
            stock_min_hoy: with_now.reduce(f64::min),
            snapshots_hoy: today.len(),
            codigo_producto: code,
        });
    }
    Ok(out)
}

/// The anomalies of a location (and almacén) for a day, kept while the warehouse has had no
/// write: the screen's badge asks on every visit.
pub struct KeptAnomalies(crate::warehouse::kept::Kept<(String, Option<String>, chrono::NaiveDate), Vec<Anomaly>>);

impl Default for KeptAnomalies {
    fn default() -> Self {
        KeptAnomalies(crate::warehouse::kept::Kept::new(64))
    }
}

impl KeptAnomalies {
    pub fn get(
        &self,
        wh: &Warehouse,
        location: &str,
        almacen: Option<&str>,
        now: NaiveDateTime,
    ) -> Result<std::sync::Arc<Vec<Anomaly>>, InventoryError> {
        let key = (location.to_string(), almacen.map(str::to_string), now.date());
        self.0.get_or_compute(wh, key, || anomalies(wh, location, almacen, now))
    }
}

/// One counted product of a batch.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Count {
    pub producto_codigo: String,
    pub conteo: f64,
    pub observaciones: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountOutcome {
    /// Recorded: the count differs from the system.
    Registrado,
    SinDiferencia,
    /// The location holds no stock row for this product: nothing recorded.
    NoEncontrado,
}

#[derive(Debug, Serialize)]
pub struct CountResult {
    pub producto_codigo: String,
    pub resultado: CountOutcome,
    pub stock_sistema: Option<f64>,
    pub conteo: f64,
    pub diferencia: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Recorded {
    pub lote: String,
    pub registrados: usize,
    pub resultados: Vec<CountResult>,
}

/// Records a batch of counts (one SQLite transaction). Nothing in the warehouse changes.
pub fn record(
    tenant: &Tenant,
    app: &mut rusqlite::Connection,
    wh: &Warehouse,
    (location, almacen): (&str, Option<&str>),
    counts: &[Count],
    user: &str,
) -> Result<Recorded, InventoryError> {
    let now_local = tenant.now_local();
    let lote = batch_label(now_local);
    let conn = wh.reader()?;
    let mut resultados = Vec::with_capacity(counts.len());
    let tx = app.transaction().map_err(crate::appdb::AppDbError::from)?;
    for c in counts {
        let code = c.producto_codigo.trim();
        let system = ws::current(&conn, location, almacen, code)?;
        let diferencia = system.and_then(|s| difference(s, c.conteo));
        let resultado = match (system, diferencia) {
            (None, _) => CountOutcome::NoEncontrado,
            (Some(_), None) => CountOutcome::SinDiferencia,
            (Some(s), Some(d)) => {
                adjustments::insert(
                    &tx,
                    &NewAdjustment {
                        lote: &lote,
                        usuario: user,
                        ubicacion_id: location,
                        almacen_codigo: almacen,
                        producto_codigo: code,
                        stock_anterior: s,
                        conteo: c.conteo,
                        diferencia: d,
                        observaciones: c.observaciones.as_deref(),
                    },
                )?;
                CountOutcome::Registrado
            }
        };
        resultados.push(CountResult { producto_codigo: code.to_string(), resultado, stock_sistema: system, conteo: c.conteo, diferencia });
    }
    tx.commit().map_err(crate::appdb::AppDbError::from)?;
    let registrados = resultados.iter().filter(|r| r.resultado == CountOutcome::Registrado).count();
    Ok(Recorded { lote, registrados, resultados })
}
