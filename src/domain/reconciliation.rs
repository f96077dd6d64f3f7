//! Inventory reconciliation in 2-hour blocks (spec 40 §7.4): per block and almacén, the
//! first and last recorded stock, the change, the units sold between those two instants,
//! and what the sales do not explain (`diferencia = cambio + ventas`: 0 consistent, > 0 a
//! receipt or positive adjustment, < 0 an unexplained loss). E14 is the test.

use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    /// Start of the block (an even hour).
    pub bloque: NaiveDateTime,
    pub almacen_codigo: String,
    pub inicio: f64,
    pub fin: f64,
    pub hora_inicio: NaiveDateTime,
    pub hora_fin: NaiveDateTime,
    pub cambio: f64,
    pub ventas: f64,
    pub diferencia: f64,
}

/// The even hour a snapshot's block starts at.
pub fn block_start(t: NaiveDateTime) -> NaiveDateTime {
    let h = t.hour() - t.hour() % 2;
    t.date().and_hms_opt(h, 0, 0).unwrap_or(t)
}

/// `snapshots`: (almacén, instant, quantity) in time order; `sales`: (instant, units).
pub fn blocks(snapshots: &[(String, NaiveDateTime, f64)], sales: &[(NaiveDateTime, f64)]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for (almacen, t, q) in snapshots {
        let start = block_start(*t);
        match out.iter_mut().find(|b| b.bloque == start && b.almacen_codigo == *almacen) {
            Some(b) => {
                b.fin = *q;
                b.hora_fin = *t;
            }
            None => out.push(Block {
                bloque: start,
                almacen_codigo: almacen.clone(),
                inicio: *q,
                fin: *q,
                hora_inicio: *t,
                hora_fin: *t,
                cambio: 0.0,
                ventas: 0.0,
                diferencia: 0.0,
            }),
        }
    }
    for b in &mut out {
        b.cambio = b.fin - b.inicio;
        b.ventas = sales.iter().filter(|(t, _)| *t > b.hora_inicio && *t <= b.hora_fin).map(|(_, u)| u).sum();
        b.diferencia = b.cambio + b.ventas;
    }
    out.sort_by(|a, b| a.bloque.cmp(&b.bloque).then_with(|| a.almacen_codigo.cmp(&b.almacen_codigo)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn worked_example_e14_a_block_with_two_units_unexplained() {
        let snaps = vec![("PV".to_string(), t(10, 5), 50.0), ("PV".to_string(), t(11, 35), 38.0), ("PV".to_string(), t(12, 10), 38.0)];
        let sales = vec![(t(10, 30), 4.0), (t(11, 0), 6.0), (t(12, 5), 9.0)];
        let b = blocks(&snaps, &sales);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].bloque, b[0].cambio, b[0].ventas, b[0].diferencia), (t(10, 0), -12.0, 10.0, -2.0));
        // One snapshot in the block: start = end, no change.
        assert_eq!((b[1].inicio, b[1].fin, b[1].cambio), (38.0, 38.0, 0.0));
        assert_eq!(block_start(t(13, 59)), t(12, 0));
    }
}
