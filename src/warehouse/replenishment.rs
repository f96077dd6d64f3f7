//! The warehouse reads that feed the replenishment engine for one (CEDI → store) pair:
//! products the CEDI supplies, the store's daily sales, stock of both locations, the
//! regional reference demand and the inputs of the store's ABC. Everything comes from the
//! daily aggregate, never from raw lines, so a store's data loads in milliseconds.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use duckdb::arrow::array::{Array, BooleanArray, Date32Array, Float64Array, Int32Array};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

use super::arrow::{column, optional_text_column, text_column};
use crate::domain::replenishment::demand::p75_with;
use crate::domain::replenishment::{AbcInput, ProductInput, ReferenceDemand};
use crate::domain::text::Text;

/// The products a CEDI supplies, with the integer id of each code (`producto_ids`; `None`
/// for a code that never sold anywhere) at the same position.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub products: Vec<ProductInput>,
    pub ids: Vec<Option<i32>>,
}

impl Catalogue {
    /// The catalogue of `products`, ids looked up in `by_code`.
    pub fn new(products: Vec<ProductInput>, by_code: &FxHashMap<String, i32>) -> Catalogue {
        let ids = products.iter().map(|p| by_code.get(p.codigo.as_str()).copied()).collect();
        Catalogue { products, ids }
    }
}

/// Active products supplied by `cedi`: all of them when the CEDI replenishes the store's whole
/// region (`cedi_reposicion`), else those whose `cedi_origen_id` is that CEDI (spec 10 §4.3).
pub fn products(conn: &Connection, cedi: &str, whole_catalogue: bool) -> duckdb::Result<Vec<ProductInput>> {
    let mut stmt = conn.prepare_cached(
        "SELECT codigo, codigo_barras, descripcion, categoria, grupo, subgrupo, marca, presentacion, cuadrante,
                unidades_por_bulto::DOUBLE, unidad_pedido, peso_unitario::DOUBLE, es_generador_trafico, bulto_sin_definir
         FROM productos_v WHERE activo AND (? OR cedi_origen_id = ?)",
    )?;
    // Columnar transfer: ten thousand products × 14 columns, ~3× faster than row by row.
    // No ORDER BY: the engine orders its lines itself. Categories, brands and the like
    // repeat across thousands of products, so each distinct value is allocated once.
    let mut shared: FxHashMap<String, Text> = FxHashMap::default();
    let mut intern = |s: &str| -> Text {
        match shared.get(s) {
            Some(t) => t.clone(),
            None => shared.entry(s.to_string()).or_insert_with(|| Text::from(s)).clone(),
        }
    };
    let batches: Vec<RecordBatch> = stmt.query_arrow(params![whole_catalogue, cedi])?.collect();
    // Sized once: a product is a few hundred bytes, and growing by doubling touched (and
    // copied) twice the memory, which a first calculation pays in page faults.
    let mut out = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        let text = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10].iter().map(|&i| optional_text_column(&batch, i)).collect::<duckdb::Result<Vec<_>>>()?;
        let (upb, peso) = (column::<Float64Array>(&batch, 9)?, column::<Float64Array>(&batch, 11)?);
        let (traffic, unset) = (column::<BooleanArray>(&batch, 12)?, column::<BooleanArray>(&batch, 13)?);
        let owned = |k: usize, row: usize| text[k](row).map(Text::from);
        let value = |a: &Float64Array, row: usize| (!a.is_null(row)).then(|| a.value(row));
        for row in 0..batch.num_rows() {
            let mut common = |k: usize| text[k](row).map(&mut intern);
            out.push(ProductInput {
                codigo: owned(0, row).unwrap_or_default(),
                codigo_barras: owned(1, row),
                descripcion: owned(2, row).unwrap_or_default(),
                categoria: common(3),
                grupo: common(4),
                subgrupo: common(5),
                marca: common(6),
                presentacion: common(7),
                cuadrante: common(8),
                unidades_por_bulto: value(upb, row),
                unidad_pedido: common(9),
                peso_unitario_kg: value(peso, row),
                es_generador_trafico: !traffic.is_null(row) && traffic.value(row),
                bulto_sin_definir: !unset.is_null(row) && unset.value(row),
                ..Default::default()
            });
        }
    }
    Ok(out)
}

/// Every product code and its integer id, both ways.
#[derive(Debug, Default)]
pub struct ProductCodes {
    pub by_id: FxHashMap<i32, String>,
    pub by_code: FxHashMap<String, i32>,
}

/// All of `producto_ids` (the ABC of a store ranks all it sold, not only what one CEDI
/// supplies, so every code is needed).
pub fn product_codes(conn: &Connection) -> duckdb::Result<ProductCodes> {
    let mut stmt = conn.prepare_cached("SELECT id, codigo FROM producto_ids")?;
    let mut out = ProductCodes::default();
    for batch in stmt.query_arrow([])? {
        let ids = column::<Int32Array>(&batch, 0)?;
        let codes = text_column(&batch, 1)?;
        for i in 0..batch.num_rows() {
            out.by_id.insert(ids.value(i), codes(i).to_string());
            out.by_code.insert(codes(i).to_string(), ids.value(i));
        }
    }
    Ok(out)
}

/// A location's selling days per product id, each product's days in date order. All days
/// sit in one vector, grouped by product, with each product's range in a map (FxHash: it
/// is probed once per product on every calculation). One allocation instead of one growing
/// vector per product: ten thousand of those were a visible part of a first calculation.
#[derive(Debug, Clone, Default)]
pub struct DailyByProduct {
    days: Vec<DaySales>,
    ranges: FxHashMap<i32, (u32, u32)>,
}

impl DailyByProduct {
    /// The selling days of product `id`, in date order.
    pub fn get(&self, id: &i32) -> Option<&[DaySales]> {
        self.ranges.get(id).map(|&(start, end)| &self.days[start as usize..end as usize])
    }

    /// Every product with its days (in no particular product order).
    pub fn iter(&self) -> impl Iterator<Item = (&i32, &[DaySales])> + '_ {
        self.ranges.iter().map(|(id, &(start, end))| (id, &self.days[start as usize..end as usize]))
    }

    /// Groups `rows` (called twice: to count, then to place) by product; each product's
    /// days are then put in date order.
    fn group<I: Iterator<Item = (i32, DaySales)>>(rows: impl Fn() -> I) -> DailyByProduct {
        let mut ranges: FxHashMap<i32, (u32, u32)> = FxHashMap::default();
        let mut total = 0u32;
        for (id, _) in rows() {
            ranges.entry(id).or_default().1 += 1;
            total += 1;
        }
        // Counts become ranges; `.1` serves as the next free slot while placing.
        let mut next = 0u32;
        for range in ranges.values_mut() {
            let count = range.1;
            *range = (next, next);
            next += count;
        }
        let empty = DaySales { fecha: EPOCH, cantidad: 0.0, venta_total: 0.0, tickets: 0 };
        let mut days = vec![empty; total as usize];
        for (id, day) in rows() {
            // `rows` gives the same rows on both calls: every id was counted above.
            if let Some(range) = ranges.get_mut(&id) {
                days[range.1 as usize] = day;
                range.1 += 1;
            }
        }
        for &(start, end) in ranges.values() {
            days[start as usize..end as usize].sort_unstable_by_key(|d| d.fecha);
        }
        DailyByProduct { days, ranges }
    }
}

/// A location's stock per product code.
pub type StockByProduct = FxHashMap<String, f64>;

/// One selling day of a product at a location.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaySales {
    pub fecha: NaiveDate,
    pub cantidad: f64,
    pub venta_total: f64,
    pub tickets: i64,
}

/// Daily totals of a location for dates in [from, to] (selling days only), per product id,
/// each product's days in date order.
pub fn daily_sales(conn: &Connection, location: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<DailyByProduct> {
    // Integer ids, not codes, and no ORDER BY: decoding a text code per row and sorting by
    // it were most of this read; each product's few dozen days are ordered here.
    let mut stmt = conn.prepare_cached(
        "SELECT producto_id, fecha, cantidad::DOUBLE, venta_total::DOUBLE, tickets FROM ventas_diarias
         WHERE ubicacion_id = ? AND fecha BETWEEN ? AND ?",
    )?;
    // Columnar transfer (Arrow): tens of thousands of rows per store, ~4× faster than rows.
    let batches: Vec<RecordBatch> = stmt.query_arrow(params![location, from, to])?.collect();
    let columns: Vec<_> = batches
        .iter()
        .map(|b| {
            let (int, double) = (column::<Int32Array>, column::<Float64Array>);
            Ok((int(b, 0)?, column::<Date32Array>(b, 1)?, double(b, 2)?, double(b, 3)?, int(b, 4)?))
        })
        .collect::<duckdb::Result<_>>()?;
    Ok(DailyByProduct::group(|| {
        columns.iter().flat_map(|&(ids, dates, qty, value, tickets)| {
            (0..ids.len()).map(move |i| {
                let day = DaySales {
                    fecha: EPOCH + Duration::days(i64::from(dates.value(i))),
                    cantidad: qty.value(i),
                    venta_total: value.value(i),
                    tickets: i64::from(tickets.value(i)),
                };
                (ids.value(i), day)
            })
        })
    }))
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

/// ABC inputs of a location from its daily rows over [from, to], without excluded codes.
pub fn abc_inputs_from_days(
    days: &DailyByProduct,
    codes: &FxHashMap<i32, String>,
    from: NaiveDate,
    to: NaiveDate,
    excluded: &[String],
) -> Vec<AbcInput> {
    days.iter()
        .filter_map(|(id, v)| Some((codes.get(id)?, v)))
        .filter(|(code, _)| !excluded.contains(code))
        .filter_map(|(code, v)| {
            // Days are sorted: the window is one contiguous run, summed in place.
            let start = v.partition_point(|d| d.fecha < from);
            let end = v.partition_point(|d| d.fecha <= to);
            let in_window = &v[start..end.max(start)];
            (!in_window.is_empty()).then(|| AbcInput {
                codigo: code.clone(),
                cantidad_30d: in_window.iter().map(|d| d.cantidad).sum(),
                venta_30d: in_window.iter().map(|d| d.venta_total).sum(),
                tickets_30d: in_window.iter().map(|d| d.tickets.max(0) as u64).sum(),
            })
        })
        .collect()
}

/// Stock of a location per product: the sum over its warehouses that count toward deficit.
/// `excluded_warehouses` are the ones the tenant declared with `incluir_en_deficit = false`
/// (a warehouse the tenant did not declare counts, since nothing says otherwise). The list
/// comes from tenant.toml rather than a join with its mirror: a join builds a hash table
/// per call, and this read is on the critical path of every calculation.
pub fn stock(conn: &Connection, location: &str, excluded_warehouses: &[String]) -> duckdb::Result<StockByProduct> {
    // The excluded list is bound once and split once (a scalar subquery), not per row.
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, (cantidad * 10000)::BIGINT::DOUBLE FROM inventario_actual
         WHERE ubicacion_id = ? AND NOT list_contains((SELECT string_split(?, chr(31))), almacen_codigo)",
    )?;
    // Columnar transfer, summed here: a product is almost always in one warehouse, and
    // DuckDB's hash aggregate and row-by-row fetching were most of this read. Quantities
    // come as whole ten-thousandths (the column's scale), which add exactly in a double, so
    // the sum is the one SQL's DECIMAL sum gives.
    let mut out = StockByProduct::default();
    for batch in stmt.query_arrow(params![location, code_list(excluded_warehouses.iter().map(String::as_str))])? {
        let codes = text_column(&batch, 0)?;
        let units = column::<Float64Array>(&batch, 1)?;
        out.reserve(batch.num_rows());
        for i in 0..batch.num_rows() {
            match out.get_mut(codes(i)) {
                Some(sum) => *sum += units.value(i),
                None => {
                    out.insert(codes(i).to_string(), units.value(i));
                }
            }
        }
    }
    out.values_mut().for_each(|units| *units /= 10_000.0);
    Ok(out)
}

/// Several codes as one SQL parameter, split back with `string_split(?, chr(31))`: the
/// unit separator cannot occur in a POS code, and one bound parameter needs neither a
/// temporary table nor SQL built from data.
fn code_list<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join("\u{1f}")
}

/// P75s already known from the demand cache: `stores[k]` tells whether store `k`'s values
/// came from it; `p75s` are `(store position, product id, P75)`.
#[derive(Debug, Default)]
pub struct CachedP75s {
    pub stores: Vec<bool>,
    pub p75s: Vec<(usize, i32, f64)>,
}

/// A store of the region whose P75s feed the regional reference, with its atypical days.
pub struct RegionStore {
    pub id: String,
    pub nombre: String,
    pub dias_excluidos: Vec<NaiveDate>,
}

/// Per product, the P75 of each region store that sold it: `(store, P75)` pairs sorted by
/// store id, the store as its position in `stores` (a network run looks these up for
/// every product of every store; positions compare faster than names).
pub struct RegionP75s {
    stores: Vec<(Text, Text)>,
    per_product: HashMap<i32, Vec<(usize, f64)>>,
}

impl RegionP75s {
    /// From each product's `(store position, P75)` pairs, in any order.
    fn from_p75s(stores: &[RegionStore], mut per_product: HashMap<i32, Vec<(usize, f64)>>) -> RegionP75s {
        for p75s in per_product.values_mut() {
            p75s.sort_by(|a, b| stores[a.0].id.cmp(&stores[b.0].id));
        }
        RegionP75s { stores: stores.iter().map(|s| (Text::from(&s.id), Text::from(&s.nombre))).collect(), per_product }
    }

    /// The reference of `store` for product `id`: the mean of the other stores' P75s and
    /// the first of them by id (spec 30 §7.3 step 2); the default when no other store sold it.
    pub fn reference_for(&self, store: &str, id: i32) -> ReferenceDemand {
        let Some(p75s) = self.per_product.get(&id) else { return ReferenceDemand::default() };
        let own = self.stores.iter().position(|(s, _)| s == store);
        let mut others = p75s.iter().filter(|(s, _)| Some(*s) != own);
        let first = others.clone().next().map(|(s, _)| &self.stores[*s]);
        let (n, sum) = others.by_ref().fold((0u32, 0.0), |(n, sum), (_, p)| (n + 1, sum + p));
        ReferenceDemand {
            p75_ref: if n == 0 { 0.0 } else { sum / f64::from(n) },
            tienda_ref_id: first.map(|(id, _)| id.clone()),
            tienda_ref: first.map(|(_, name)| name.clone()),
            tiendas_con_venta: n,
        }
    }
}

/// Per product, each region store's P75 of its daily totals on selling days in [from, to]
/// (the domain's P75, linear interpolation); the store's atypical days are left out. The
/// reference of store S is these values without S (spec 30 §7.3 step 2).
/// `only`: the product ids wanted (a single store needs the reference only for the
/// products it barely sells; a network run uses [`region_p75_from_days`]). Stores whose
/// values `cached` already holds are not read.
/// The rows are few (regional days of the requested products), so the percentile and the
/// atypical-day filter run here: in SQL the exclusion was an anti-join whose hash table the
/// planner built over the sales side, the slowest step of a single-store calculation.
pub fn region_p75(
    conn: &Connection,
    stores: &[RegionStore],
    from: NaiveDate,
    to: NaiveDate,
    only: &[i32],
    cached: CachedP75s,
) -> duckdb::Result<RegionP75s> {
    let mut per_product: HashMap<i32, Vec<(usize, f64)>> = HashMap::new();
    if stores.is_empty() || only.is_empty() {
        return Ok(RegionP75s::from_p75s(stores, per_product));
    }
    for (s, id, p75) in cached.p75s {
        per_product.entry(id).or_default().push((s, p75));
    }
    let uncached: Vec<usize> = (0..stores.len()).filter(|&s| !cached.stores.get(s).copied().unwrap_or(false)).collect();
    tracing::debug!(stores = stores.len(), uncached = uncached.len(), "regional P75s: demand cache");
    if uncached.is_empty() {
        return Ok(RegionP75s::from_p75s(stores, per_product));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT producto_id, ubicacion_id, fecha, cantidad::DOUBLE FROM ventas_diarias
         WHERE fecha BETWEEN ? AND ? AND ubicacion_id IN (SELECT unnest(string_split(?, chr(31))))
           AND producto_id IN (SELECT unnest(string_split(?, ','))::INTEGER)",
    )?;
    let store_ids = code_list(uncached.iter().map(|&s| stores[s].id.as_str()));
    let ids = only.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    // The rows of each store (rows of one store come in runs, so the previous row's store
    // is compared first), then the same window and atypical-day rule as a network run.
    let mut rows: Vec<Vec<(i32, DaySales)>> = stores.iter().map(|_| Vec::new()).collect();
    for batch in stmt.query_arrow(params![from, to, store_ids, ids])? {
        let product = column::<Int32Array>(&batch, 0)?;
        let location = text_column(&batch, 1)?;
        let dates = column::<Date32Array>(&batch, 2)?;
        let qty = column::<Float64Array>(&batch, 3)?;
        let mut last: Option<(&str, Option<usize>)> = None;
        for i in 0..batch.num_rows() {
            let s = match last {
                Some((id, s)) if id == location(i) => s,
                _ => stores.iter().position(|s| s.id == location(i)),
            };
            last = Some((location(i), s));
            let fecha = EPOCH + Duration::days(i64::from(dates.value(i)));
            // Only quantities matter here.
            let day = DaySales { fecha, cantidad: qty.value(i), venta_total: 0.0, tickets: 0 };
            if let Some(s) = s {
                rows[s].push((product.value(i), day));
            }
        }
    }
    for store in uncached {
        let days = DailyByProduct::group(|| rows[store].iter().copied());
        for (id, p75) in store_p75s(&days, from, to, &stores[store].dias_excluidos) {
            per_product.entry(id).or_default().push((store, p75));
        }
    }
    Ok(RegionP75s::from_p75s(stores, per_product))
}

/// A store's P75 per product: of the selling days in [from, to] that are not atypical,
/// for every product with at least one (spec 30 §7.3 step 2). The cache stores exactly
/// these values.
pub fn store_p75s<'a>(
    days: &'a DailyByProduct,
    from: NaiveDate,
    to: NaiveDate,
    excluded: &'a [NaiveDate],
) -> impl Iterator<Item = (i32, f64)> + 'a {
    let mut buffer = Vec::new();
    days.iter().filter_map(move |(id, v)| {
        // Quantities are decimals, always finite: an empty buffer means no such day.
        let p75 = p75_with(&mut buffer, window_days(v, from, to, excluded));
        (!buffer.is_empty()).then_some((*id, p75))
    })
}

/// Quantities of the selling days in [from, to] that are not atypical: the values whose
/// P75 is the local demand, and each store's part of the regional reference.
pub fn window_days<'a>(days: &'a [DaySales], from: NaiveDate, to: NaiveDate, excluded: &'a [NaiveDate]) -> impl Iterator<Item = f64> + 'a {
    days.iter().filter(move |d| d.fecha >= from && d.fecha <= to && !excluded.contains(&d.fecha)).map(|d| d.cantidad)
}

/// [`region_p75`] from daily rows already read (a network run reads every store's anyway):
/// `days[k]` are the rows of `stores[k]`.
pub fn region_p75_from_days(stores: &[RegionStore], days: &[&DailyByProduct], from: NaiveDate, to: NaiveDate) -> RegionP75s {
    let mut per_product: HashMap<i32, Vec<(usize, f64)>> = HashMap::new();
    for (s, (store, rows)) in stores.iter().zip(days).enumerate() {
        for (id, p75) in store_p75s(rows, from, to, &store.dias_excluidos) {
            per_product.entry(id).or_default().push((s, p75));
        }
    }
    RegionP75s::from_p75s(stores, per_product)
}

/// Inputs of a location's ABC over [today − days, today − 1]: quantity, value and tickets
/// (distinct invoices: an invoice belongs to one day, so daily counts add up).
pub fn abc_inputs(
    conn: &Connection,
    location: Option<&str>,
    today: NaiveDate,
    days: u32,
    excluded: &[String],
) -> duckdb::Result<Vec<AbcInput>> {
    let from = today - Duration::days(i64::from(days));
    let to = today - Duration::days(1);
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, sum(cantidad)::DOUBLE, sum(venta_total)::DOUBLE, sum(tickets)::BIGINT
         FROM ventas_diarias WHERE (? IS NULL OR ubicacion_id = ?) AND fecha BETWEEN ? AND ?
         GROUP BY producto_codigo",
    )?;
    let rows = stmt.query_map(params![location, location, from, to], |r| {
        Ok(AbcInput { codigo: r.get(0)?, cantidad_30d: r.get(1)?, venta_30d: r.get(2)?, tickets_30d: r.get::<_, i64>(3)? as u64 })
    })?;
    let mut out: Vec<AbcInput> = rows.collect::<duckdb::Result<_>>()?;
    out.retain(|i| !excluded.contains(&i.codigo));
    Ok(out)
}

/// One stored stock change of a warehouse (change-only history, spec 10 §4.4).
#[derive(Debug, Clone, PartialEq)]
pub struct StockChange {
    pub almacen_codigo: String,
    pub producto_codigo: String,
    /// Local time of the snapshot.
    pub fecha_snapshot: chrono::NaiveDateTime,
    pub cantidad: f64,
}

/// The stock history of `codes` at `location` from `since` (local time): for every
/// (warehouse, product) its last row at or before `since` (the baseline), then every later row.
/// Warehouses that do not count toward the store's stock are left out, as in [`stock`].
pub fn stock_changes_since(
    conn: &Connection,
    location: &str,
    codes: &[&str],
    since: chrono::NaiveDateTime,
    excluded_warehouses: &[String],
) -> duckdb::Result<Vec<StockChange>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        // A semi join on the codes (hash) rather than list_contains per row: an order's
        // thousands of codes against a store's whole history.
        "WITH codes AS (SELECT unnest(string_split(?2, chr(31))) AS producto_codigo),
         h AS (
             SELECT almacen_codigo, producto_codigo, fecha_snapshot, cantidad::DOUBLE AS cantidad FROM inventario_historico
             SEMI JOIN codes USING (producto_codigo)
             WHERE ubicacion_id = ?1 AND NOT list_contains((SELECT string_split(?4, chr(31))), almacen_codigo))
         SELECT almacen_codigo, producto_codigo, fecha_snapshot, cantidad FROM h WHERE fecha_snapshot > ?3
         UNION ALL
         SELECT almacen_codigo, producto_codigo, max(fecha_snapshot) AS fecha_snapshot, arg_max(cantidad, fecha_snapshot) AS cantidad
         FROM h WHERE fecha_snapshot <= ?3 GROUP BY almacen_codigo, producto_codigo",
    )?;
    let rows = stmt.query_map(
        params![location, code_list(codes.iter().copied()), since, code_list(excluded_warehouses.iter().map(String::as_str))],
        |r| {
            Ok(StockChange {
                almacen_codigo: r.get("almacen_codigo")?,
                producto_codigo: r.get("producto_codigo")?,
                fecha_snapshot: r.get("fecha_snapshot")?,
                cantidad: r.get("cantidad")?,
            })
        },
    )?;
    rows.collect()
}
