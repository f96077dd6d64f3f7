//! In-transit stock of one (CEDI → store) pair from its saved open orders and the store's
//! stock history (spec 30 §8), and the arrival detection of one order (§12.1). The rules are
//! the pure functions of `domain::replenishment::transit`; this module only reads their inputs.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::ReplenishmentError;
use crate::appdb::{inventory_settings as settings, orders};
use crate::domain::replenishment::transit::{in_transit, store_series, InTransit, OpenOrderLine};
use crate::domain::replenishment::PackSize;
use crate::warehouse::replenishment as wq;

/// Local wall-clock time of a stored UTC timestamp (stock snapshots are kept in local time).
pub fn local_time(utc_rfc3339: &str, tz: Tz) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(utc_rfc3339).ok().map(|t| t.with_timezone(&tz).naive_local())
}

/// Each product's stock series at `location` from `since` (local), warehouses carried forward.
pub fn store_series_since(
    wh: &duckdb::Connection,
    location: &str,
    codes: &[&str],
    since: NaiveDateTime,
    excluded_warehouses: &[String],
) -> Result<HashMap<String, Vec<(NaiveDateTime, f64)>>, ReplenishmentError> {
    let mut per_product: HashMap<String, Vec<(String, NaiveDateTime, f64)>> = HashMap::new();
    for c in wq::stock_changes_since(wh, location, codes, since, excluded_warehouses)? {
        per_product.entry(c.producto_codigo).or_default().push((c.almacen_codigo, c.fecha_snapshot, c.cantidad));
    }
    Ok(per_product.into_iter().map(|(code, rows)| (code, store_series(&rows))).collect())
}

/// In-transit units per product code for orders from `cedi` to `store`, as of `now`. Empty
/// (and no warehouse read) when the pair has no open order.
pub fn by_product(
    app: &rusqlite::Connection,
    wh: &duckdb::Connection,
    tz: Tz,
    store: &str,
    cedi: &str,
    excluded_warehouses: &[String],
    now: DateTime<Utc>,
) -> Result<HashMap<String, InTransit>, ReplenishmentError> {
    let window = settings::order_settings(app)?.transito_ventana_dias;
    let since = crate::appdb::rfc3339(now - chrono::Duration::days(i64::from(window)));
    let t0 = std::time::Instant::now();
    let rows = orders::transit_lines(app, store, cedi, &since)?;
    tracing::debug!(rows = rows.len(), ms = t0.elapsed().as_secs_f64() * 1000.0, "open order lines");
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let now_local = now.with_timezone(&tz).naive_local();
    let mut lines: HashMap<&str, Vec<OpenOrderLine>> = HashMap::new();
    // Thousands of lines share a handful of creation times: each is converted once.
    let mut created: HashMap<&str, Option<NaiveDateTime>> = HashMap::new();
    for r in &rows {
        let Some(creado) = *created.entry(r.fecha_creacion.as_str()).or_insert_with(|| local_time(&r.fecha_creacion, tz)) else {
            continue;
        };
        lines.entry(r.codigo_producto.as_str()).or_default().push(OpenOrderLine {
            numero_pedido: r.numero_pedido.clone(),
            creado,
            estado: r.estado,
            bultos_pedidos: r.cantidad_pedida_bultos,
            unidades_por_bulto: PackSize::new(Some(r.cantidad_bultos)),
            unidades_recibidas: r.cantidad_recibida_unidades,
        });
    }
    let oldest = lines.values().flatten().map(|l| l.creado).min().unwrap_or(now_local);
    let codes: Vec<&str> = lines.keys().copied().collect();
    let t1 = std::time::Instant::now();
    let series = store_series_since(wh, store, &codes, oldest, excluded_warehouses)?;
    tracing::debug!(products = codes.len(), ms = t1.elapsed().as_secs_f64() * 1000.0, "stock history since the oldest open order");
    let empty = Vec::new();
    Ok(lines
        .into_iter()
        .map(|(code, l)| {
            let t = in_transit(&l, series.get(code).unwrap_or(&empty), now_local, window);
            (code.to_string(), t)
        })
        .collect())
}
