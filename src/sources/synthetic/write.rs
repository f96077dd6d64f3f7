//! Appending the simulated chain to the warehouse: stores are simulated on two threads and
//! appended in store order on the writer connection, so the result never depends on timing.

use std::fmt::Write as _;
use std::sync::mpsc;

use chrono::{Duration, NaiveDateTime};
use duckdb::types::{TimeUnit, Value};
use duckdb::{params, Connection};

use super::catalog::Product;
use super::chain::{Chain, SLOTS_PER_DAY};
use super::simulate::{simulate_cedi, simulate_store, LocationOutput, Outflow, PriceKind};
use super::{GenerateReport, FACT_TABLES};
use crate::domain::records::{ProductRecord, SaleLine};
use crate::warehouse::load::{append_product, LoadError};
use crate::warehouse::sale_batch::{SaleBatch, CHUNK_LINES};
use crate::warehouse::sales::rebuild_daily_sales;

/// Caracas is UTC−4 all year: system instants are local + 4 h.
const UTC_OFFSET_HOURS: i64 = 4;

type Progress<'p> = &'p (dyn Fn(u64, u64, &str) + Sync);

pub(super) fn run(conn: &Connection, chain: &Chain, catalog: &[Product], progress: Progress<'_>) -> Result<GenerateReport, LoadError> {
    let total = (chain.stores.len() + chain.cedis.len() + 2) as u64;
    let mut report = GenerateReport { products: catalog.len(), ..GenerateReport::default() };
    for t in FACT_TABLES {
        conn.execute_batch(&format!("DELETE FROM {t}"))?;
    }
    write_products(conn, chain, catalog)?;
    progress(1, total, "productos");

    let mut outflow = Outflow::new(chain.cedis.len(), catalog.len(), chain.days);
    std::thread::scope(|scope| -> duckdb::Result<()> {
        // Worker w simulates stores w, w+2, …; the channels hand them over in store order.
        let receivers: Vec<mpsc::Receiver<LocationOutput>> = (0..2)
            .map(|w| {
                let (tx, rx) = mpsc::sync_channel(1);
                scope.spawn(move || {
                    for i in (w..chain.stores.len()).step_by(2) {
                        if tx.send(simulate_store(chain, catalog, i)).is_err() {
                            break; // the writer gave up
                        }
                    }
                });
                rx
            })
            .collect();
        for (i, store) in chain.stores.iter().enumerate() {
            #[allow(clippy::expect_used)] // a closed channel means the simulation thread panicked; re-raised here
            let out = receivers[i % 2].recv().expect("store simulation thread panicked");
            write_sales(conn, chain, catalog, i, &out, &mut report)?;
            let scope = StockScope { location: &store.id, almacen: &store.almacen, families: [true; 3] };
            write_stock(conn, chain, catalog, &scope, &out, &mut report)?;
            outflow.add(&out.deliveries);
            progress(2 + i as u64, total, &store.id);
        }
        Ok(())
    })?;

    for (c, cedi) in chain.cedis.iter().enumerate() {
        let out = simulate_cedi(chain, catalog, c, &outflow);
        if !out.final_stock.is_empty() {
            let scope = StockScope { location: &cedi.id, almacen: &cedi.almacen, families: cedi.families };
            write_stock(conn, chain, catalog, &scope, &out, &mut report)?;
        }
        progress(2 + (chain.stores.len() + c) as u64, total, &cedi.id);
    }

    check_written(conn, &report)?;
    rebuild_daily_sales(conn)?;
    progress(total, total, "agregados diarios");
    Ok(report)
}

/// The tables hold exactly what the report says was written (the generator appends
/// millions of rows in one transaction; a report above what was stored must fail it).
fn check_written(conn: &Connection, report: &GenerateReport) -> Result<(), LoadError> {
    for (table, expected) in [
        ("productos", report.products),
        ("ventas", report.sale_lines),
        ("inventario_historico", report.history_rows),
        ("inventario_cargas", report.stock_loads),
    ] {
        let stored: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        if stored as usize != expected {
            return Err(LoadError::Unaccounted(format!("{table}: generated {expected} rows, the table holds {stored}")));
        }
    }
    Ok(())
}

fn utc(local: NaiveDateTime) -> NaiveDateTime {
    local + Duration::hours(UTC_OFFSET_HOURS)
}

fn micros(t: NaiveDateTime) -> Value {
    Value::Timestamp(TimeUnit::Microsecond, t.and_utc().timestamp_micros())
}

fn write_products(conn: &Connection, chain: &Chain, catalog: &[Product]) -> duckdb::Result<()> {
    let cedi_of = |p: &Product| chain.family_cedi[p.family as usize].map(|c| chain.cedis[c].id.clone());
    let mut app = conn.appender("productos")?;
    for p in catalog {
        let record = ProductRecord {
            codigo: p.codigo.clone(),
            descripcion: p.descripcion.clone(),
            codigo_barras: p.barcode.clone(),
            categoria: Some(p.categoria.to_string()),
            grupo: Some(p.grupo.to_string()),
            subgrupo: Some(p.subgrupo.to_string()),
            marca: Some(p.marca.to_string()),
            cuadrante: Some(p.cuadrante.to_string()),
            unidades_por_bulto: Some(p.pack),
            unidad_pedido: Some(if p.weighed { "KG" } else { "Bulto" }.to_string()),
            peso_unitario: Some(p.peso),
            es_pesable: Some(p.weighed),
            precio_venta_usd: Some(p.price),
            costo_unitario_usd: Some(p.cost),
            cedi_origen_id: cedi_of(p),
            activo: Some(p.active),
            es_generador_trafico: Some(p.traffic),
            fecha_lanzamiento: p.launch.map(|d| chain.date(d)),
        };
        // First seen by the 06:00 load of the first day it is listed.
        let seen = utc(chain.date(p.first_day()).and_time(chrono::NaiveTime::MIN) + Duration::hours(6));
        append_product(&mut app, &record, "sintetico", seen, None)?;
    }
    app.flush()
}

/// When the hourly sales ETL (minute 0, 06:00–22:00) picks a sale up, as UTC.
fn loaded_at(chain: &Chain, second: u32) -> NaiveDateTime {
    let (day, hour) = (second / 86_400, (second % 86_400) / 3600 + 1);
    let (day, hour) = match hour {
        0..=5 => (day, 6),
        6..=22 => (day, hour),
        _ => (day + 1, 6),
    };
    utc(chain.instant(day * 86_400 + hour * 3600))
}

fn write_sales(
    conn: &Connection,
    chain: &Chain,
    catalog: &[Product],
    store: usize,
    out: &LocationOutput,
    report: &mut GenerateReport,
) -> duckdb::Result<()> {
    let plan = &chain.stores[store];
    // One reusable line: only its values change from row to row.
    let mut line = SaleLine {
        ubicacion_id: plan.id.clone(),
        almacen_codigo: Some(plan.almacen.clone()),
        almacen_nombre: Some(plan.almacen_nombre.clone()),
        cuadrante_producto: Some(String::new()),
        unidad_medida_venta: Some(String::new()),
        factor_unidad_medida: 1.0,
        es_no_fiscal: Some(false),
        ..SaleLine::default()
    };
    let mut app = conn.appender("ventas")?;
    let mut batch = SaleBatch::new(false);
    for s in &out.sales {
        let p = &catalog[s.product as usize];
        let qty = f64::from(s.qty) / 1000.0;
        let (unit_price, discount) = match s.price {
            PriceKind::List => (p.price, 0.0),
            PriceKind::Promo => (p.promo_price, 0.0),
            PriceKind::Discount5 => (p.price, 0.05),
            PriceKind::Discount10 => (p.price, 0.10),
        };
        let venta = round4(qty * unit_price * (1.0 - discount));
        let costo = round4(qty * p.cost);
        line.numero_factura.clear();
        let _ = write!(line.numero_factura, "{}-{:09}", plan.invoice_prefix, s.invoice);
        line.linea = i32::from(s.line);
        line.fecha_venta = chain.instant(s.second);
        line.producto_codigo.clear();
        line.producto_codigo.push_str(&p.codigo);
        set(&mut line.cuadrante_producto, p.cuadrante);
        set(&mut line.unidad_medida_venta, if p.weighed { "KG" } else { "UNIDAD" });
        line.cantidad_vendida = qty;
        line.peso_unitario = p.peso;
        line.precio_unitario = Some(unit_price);
        line.costo_unitario = Some(p.cost);
        line.venta_total = venta;
        line.costo_total = Some(costo);
        line.utilidad_bruta = Some(round4(venta - costo));
        line.tasa_usd = Some(chain.tasa[(s.second / 86_400) as usize]);
        batch.push(&line, loaded_at(chain, s.second), None);
        if batch.len() == CHUNK_LINES {
            batch.append_to(&mut app)?;
        }
    }
    batch.append_to(&mut app)?;
    app.flush()?;
    report.sale_lines += out.sales.len();
    report.tickets += out.tickets;
    Ok(())
}

fn set(field: &mut Option<String>, value: &str) {
    let s = field.get_or_insert_with(String::new);
    s.clear();
    s.push_str(value);
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn qty(milli: i64) -> f64 {
    milli as f64 / 1000.0
}

/// The (location, warehouse) a stock listing belongs to, and the families it lists.
struct StockScope<'a> {
    location: &'a str,
    almacen: &'a str,
    families: [bool; 3],
}

/// History, load registry and current stock of one (location, warehouse).
fn write_stock(
    conn: &Connection,
    chain: &Chain,
    catalog: &[Product],
    scope: &StockScope<'_>,
    out: &LocationOutput,
    report: &mut GenerateReport,
) -> duckdb::Result<()> {
    let StockScope { location, almacen, families } = *scope;
    let slot_time = |slot: u32| chain.instant(Chain::slot_second(slot));
    let mut app = conn.appender("inventario_historico")?;
    for h in &out.history {
        let code = &catalog[h.product as usize].codigo;
        let at = micros(slot_time(h.slot));
        app.append_row(params![location, almacen, code, at, qty(h.qty), h.change.map(qty), true, "etl", None::<i64>])?;
    }
    app.flush()?;
    report.history_rows += out.history.len();

    // Rows listed per day: the products of the location's families launched by then.
    let mut listed_by_day = vec![0i64; chain.days];
    for p in catalog.iter().filter(|p| p.listed() && families[p.family as usize]) {
        listed_by_day[p.first_day()] += 1;
    }
    let mut app = conn.appender("inventario_cargas")?;
    let mut filas = 0;
    for (day, launched) in listed_by_day.iter().enumerate() {
        filas += launched;
        for k in 0..SLOTS_PER_DAY {
            let at = micros(slot_time((day * SLOTS_PER_DAY + k) as u32));
            app.append_row(params![location, almacen, at, filas, None::<i64>])?;
        }
    }
    app.flush()?;
    report.stock_loads += chain.days * SLOTS_PER_DAY;

    let last = micros(slot_time((chain.days * SLOTS_PER_DAY - 1) as u32));
    let mut app = conn.appender("inventario_actual")?;
    for &(p, q) in &out.final_stock {
        app.append_row(params![location, almacen, catalog[p as usize].codigo, qty(q), last, "etl"])?;
    }
    app.flush()
}
