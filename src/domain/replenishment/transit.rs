//! In-transit stock by FIFO matching of open orders against detected arrivals (spec 30 §8),
//! one algorithm for the single- and the multi-store calculation.
//!
//! *Why:* the original hard-coded in-transit = 0 in the single-store flow; the multi-store flow
//! counted drafts and (through a misspelt state) rejected orders, and let overlapping orders
//! each claim the same arrivals (double counting, example E19).

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use super::levels::PackSize;
use crate::domain::orders::OrderState;

/// Default `transito_ventana_dias`.
pub const DEFAULT_TRANSIT_WINDOW_DAYS: u32 = 10;

/// A store's stock series from the change-only rows of its warehouses `(warehouse, time,
/// quantity)`: at every instant where some warehouse changed, the sum of each warehouse's
/// latest quantity. (Summing rows of equal time would drop a warehouse that did not change.)
pub fn store_series<K: Eq + Hash + Clone>(rows: &[(K, NaiveDateTime, f64)]) -> Vec<(NaiveDateTime, f64)> {
    let mut sorted: Vec<&(K, NaiveDateTime, f64)> = rows.iter().filter(|r| r.2.is_finite()).collect();
    sorted.sort_by_key(|r| r.1);
    let mut latest: HashMap<K, f64> = HashMap::new();
    let mut out: Vec<(NaiveDateTime, f64)> = Vec::new();
    for (i, (k, t, q)) in sorted.iter().map(|r| (&r.0, r.1, r.2)).enumerate() {
        latest.insert(k.clone(), q);
        // One point per instant, after every warehouse change of that instant.
        if sorted.get(i + 1).is_none_or(|next| next.1 != t) {
            out.push((t, latest.values().sum()));
        }
    }
    out
}

/// Sums warehouse rows per snapshot timestamp and sorts by time: `(timestamp, quantity)` rows of
/// several warehouses become one store-level series.
pub fn sum_warehouses(rows: &[(NaiveDateTime, f64)]) -> Vec<(NaiveDateTime, f64)> {
    let mut v: Vec<(NaiveDateTime, f64)> = rows.iter().filter(|(_, q)| q.is_finite()).copied().collect();
    v.sort_by_key(|a| a.0);
    let mut out: Vec<(NaiveDateTime, f64)> = Vec::with_capacity(v.len());
    for (t, q) in v {
        match out.last_mut() {
            Some(last) if last.0 == t => last.1 += q,
            _ => out.push((t, q)),
        }
    }
    out
}

/// Arrivals detected in a store-level snapshot series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrivalDetection {
    /// Σ of positive increments between consecutive snapshots, in units.
    pub unidades: f64,
    /// Snapshots used (baseline included).
    pub snapshots: usize,
    pub valor_inicial: Option<f64>,
    pub valor_final: Option<f64>,
    pub primer_incremento: Option<NaiveDateTime>,
}

/// Arrival units since `desde` (§8 step 2, §12.1): baseline = the last snapshot at or before
/// `desde`, then every later snapshot up to `hasta` inclusive; decreases (sales) are ignored,
/// any increase counts. Without a snapshot at or before `desde` the first later snapshot is the
/// baseline (what happened before it cannot be known). Fewer than 2 snapshots → 0.
///
/// *Why a baseline:* the original started at midnight of the order date with no baseline, so an
/// increase between the last pre-window snapshot and the first in-window one was missed.
pub fn detect_arrivals(snapshots: &[(NaiveDateTime, f64)], desde: NaiveDateTime, hasta: NaiveDateTime) -> ArrivalDetection {
    let series = sum_warehouses(snapshots);
    let start = series.iter().rposition(|(t, _)| *t <= desde).unwrap_or(0);
    let used: Vec<(NaiveDateTime, f64)> = series.into_iter().skip(start).filter(|(t, _)| *t <= hasta).collect();
    let mut unidades = 0.0;
    let mut primer = None;
    for w in used.windows(2) {
        let inc = w[1].1 - w[0].1;
        if inc > 0.0 {
            unidades += inc;
            primer = primer.or(Some(w[1].0));
        }
    }
    ArrivalDetection {
        unidades,
        snapshots: used.len(),
        valor_inicial: used.first().map(|s| s.1),
        valor_final: used.last().map(|s| s.1),
        primer_incremento: primer,
    }
}

/// One line of an order for the product, any state (filtering is done here).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOrderLine {
    pub numero_pedido: String,
    pub creado: NaiveDateTime,
    pub estado: OrderState,
    pub bultos_pedidos: f64,
    pub unidades_por_bulto: PackSize,
    /// Registered receipts (§12.2), in units.
    pub unidades_recibidas: f64,
}

/// Breakdown line of the in-transit figure (packs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitLine {
    pub numero_pedido: String,
    pub fecha: NaiveDateTime,
    pub estado: OrderState,
    pub pedido_bultos: f64,
    pub llegado_bultos: f64,
    pub pendiente_bultos: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InTransit {
    pub unidades: f64,
    pub llegadas_detectadas_unidades: f64,
    pub detalle: Vec<TransitLine>,
}

/// In-transit units of one product at one store (§8).
///
/// Open lines = open state and created within `ventana_dias` before `ahora`. Arrivals are
/// detected from the last snapshot at or before the oldest open line's creation until `ahora`
/// and allocated FIFO by creation time (ties by order number); line pending =
/// max(0, ordered − max(allocated, registered)), so a registration is not subtracted twice but a
/// manual one covers arrivals the snapshots missed.
pub fn in_transit(lines: &[OpenOrderLine], snapshots: &[(NaiveDateTime, f64)], ahora: NaiveDateTime, ventana_dias: u32) -> InTransit {
    let limite = ahora.checked_sub_signed(Duration::days(i64::from(ventana_dias))).unwrap_or(NaiveDateTime::MIN);
    let mut open: Vec<&OpenOrderLine> =
        lines.iter().filter(|l| l.estado.is_open_for_transit() && l.creado >= limite && l.creado <= ahora).collect();
    open.sort_by(|a, b| a.creado.cmp(&b.creado).then_with(|| a.numero_pedido.cmp(&b.numero_pedido)));
    let Some(oldest) = open.first() else {
        return InTransit { unidades: 0.0, llegadas_detectadas_unidades: 0.0, detalle: Vec::new() };
    };
    let llegadas = detect_arrivals(snapshots, oldest.creado, ahora).unidades;
    let mut restante = llegadas;
    let mut total = 0.0;
    let mut detalle = Vec::with_capacity(open.len());
    for l in open {
        let upb = l.unidades_por_bulto.units();
        let pedido = if l.bultos_pedidos.is_finite() { l.bultos_pedidos.max(0.0) } else { 0.0 } * upb;
        let asignado = restante.min(pedido).max(0.0);
        restante -= asignado;
        let recibido = if l.unidades_recibidas.is_finite() { l.unidades_recibidas.max(0.0) } else { 0.0 };
        let llegado = asignado.max(recibido);
        let pendiente = (pedido - llegado).max(0.0);
        total += pendiente;
        detalle.push(TransitLine {
            numero_pedido: l.numero_pedido.clone(),
            fecha: l.creado,
            estado: l.estado,
            pedido_bultos: pedido / upb,
            llegado_bultos: llegado / upb,
            pendiente_bultos: pendiente / upb,
        });
    }
    InTransit { unidades: total, llegadas_detectadas_unidades: llegadas, detalle }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(day: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, day).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("valid test time")
    }

    fn line(num: &str, creado: NaiveDateTime, estado: &str, bultos: f64, recibidas: f64) -> OpenOrderLine {
        OpenOrderLine {
            numero_pedido: num.into(),
            creado,
            estado: OrderState::parse(estado).expect("a state of spec 30 §11.1"),
            bultos_pedidos: bultos,
            unidades_por_bulto: PackSize::new(Some(12.0)),
            unidades_recibidas: recibidas,
        }
    }

    #[test]
    fn e19_in_transit_fifo() {
        let lines = vec![line("PS-00002", t(3, 9), "aprobado", 10.0, 0.0), line("PS-00001", t(1, 9), "aprobado", 10.0, 0.0)];
        let snaps = vec![(t(1, 8), 50.0), (t(2, 8), 40.0), (t(4, 10), 160.0), (t(5, 8), 150.0)];
        let r = in_transit(&lines, &snaps, t(5, 12), DEFAULT_TRANSIT_WINDOW_DAYS);
        assert!((r.llegadas_detectadas_unidades - 120.0).abs() < 1e-9);
        assert!((r.unidades - 120.0).abs() < 1e-9);
        assert_eq!(r.detalle[0].numero_pedido, "PS-00001");
        assert_eq!(r.detalle[0].pendiente_bultos, 0.0);
        assert_eq!(r.detalle[0].llegado_bultos, 10.0);
        assert_eq!(r.detalle[1].pendiente_bultos, 10.0);
    }

    #[test]
    fn e18_arrival_detection() {
        // Baseline 50 (last snapshot at or before the order), then 45, 105, 100.
        let created = t(10, 9);
        let snaps = vec![(t(9, 8), 70.0), (t(10, 8), 50.0), (t(10, 12), 45.0), (t(11, 8), 105.0), (t(11, 20), 100.0)];
        let a = detect_arrivals(&snaps, created, t(12, 8));
        assert!((a.unidades - 60.0).abs() < 1e-9);
        assert_eq!(a.snapshots, 4);
        assert_eq!(a.valor_inicial, Some(50.0));
        assert_eq!(a.primer_incremento, Some(t(11, 8)));
        let upb = 12.0;
        assert!((a.unidades / upb - 5.0).abs() < 1e-9); // 5.00 packs of 10 ordered (50 %)
        let ya_registrados = 2.0;
        assert!(((a.unidades / upb - ya_registrados).max(0.0) - 3.0).abs() < 1e-9); // nuevo_incremento
                                                                                    // In-transit of the same line after registering 2 packs: max(60, 24) arrived → 5 packs pending.
        let r = in_transit(&[line("PS-1", created, "enviado", 10.0, 24.0)], &snaps, t(12, 8), 10);
        assert!((r.unidades - 60.0).abs() < 1e-9);
        // A manual registration of 8 packs covers arrivals the snapshots missed.
        let r = in_transit(&[line("PS-1", created, "enviado", 10.0, 96.0)], &snaps, t(12, 8), 10);
        assert!((r.unidades - 24.0).abs() < 1e-9);
    }

    #[test]
    fn drafts_rejected_cancelled_and_old_orders_are_not_in_transit() {
        let lines = vec![
            line("A", t(20, 9), "borrador", 5.0, 0.0),
            line("B", t(20, 9), "rechazado", 5.0, 0.0),
            line("C", t(20, 9), "cancelado", 5.0, 0.0),
            line("D", t(5, 9), "aprobado", 5.0, 0.0), // 16 days old
            line("E", t(20, 9), "pendiente_aprobacion", 1.0, 0.0),
        ];
        let r = in_transit(&lines, &[], t(21, 9), 10);
        assert_eq!(r.detalle.len(), 1);
        assert!((r.unidades - 12.0).abs() < 1e-9);
        assert_eq!(in_transit(&[], &[], t(21, 9), 10).unidades, 0.0);
    }

    #[test]
    fn a_store_series_carries_each_warehouse_forward() {
        // Warehouse 1 changes at 8:00 and 10:00, warehouse 2 only at 9:00.
        let rows = vec![("1", t(1, 8), 10.0), ("2", t(1, 9), 5.0), ("1", t(1, 10), 30.0)];
        assert_eq!(store_series(&rows), vec![(t(1, 8), 10.0), (t(1, 9), 15.0), (t(1, 10), 35.0)]);
        // A transfer between warehouses at one instant is no arrival.
        let moved = vec![("1", t(1, 8), 10.0), ("2", t(1, 8), 0.0), ("1", t(1, 9), 0.0), ("2", t(1, 9), 10.0)];
        assert_eq!(detect_arrivals(&store_series(&moved), t(1, 8), t(2, 0)).unidades, 0.0);
    }

    #[test]
    fn warehouses_are_summed_per_timestamp() {
        let rows = vec![(t(1, 8), 10.0), (t(1, 8), 5.0), (t(1, 9), 20.0)];
        assert_eq!(sum_warehouses(&rows), vec![(t(1, 8), 15.0), (t(1, 9), 20.0)]);
        let a = detect_arrivals(&rows, t(1, 8), t(2, 0));
        assert_eq!(a.unidades, 5.0);
        assert_eq!(detect_arrivals(&rows[..1], t(1, 8), t(2, 0)).unidades, 0.0);
    }
}
