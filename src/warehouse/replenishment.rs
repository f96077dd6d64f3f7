//! The warehouse reads that feed the replenishment engine for one (CEDI → store) pair:
//! products the CEDI supplies, the store's daily sales, stock of both locations, the
//! regional reference demand and the inputs of the store's ABC. Everything comes from the
//! daily aggregate, never from raw lines, so a store's data loads in milliseconds.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use duckdb::arrow::array::{Array, BooleanArray, Date32Array, Float64Array, Int32Array, StringArray, StringViewArray};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{params, Connection};
use rustc_hash::FxHashMap;

use crate::domain::replenishment::demand::p75;
use crate::domain::text::Text;
use crate::domain::replenishment::{AbcInput, ProductInput, ReferenceDemand};

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
                unidades_por_bulto::DOUBLE, unidad_pedido, peso_unitario::DOUBLE, es_generador_trafico
         FROM productos WHERE activo AND (? OR cedi_origen_id = ?)",
    )?;
    // Columnar transfer: ten thousand products × 13 columns, ~3× faster than row by row.
    // No ORDER BY: the engine orders its lines itself. Categories, brands and the like
    // repeat across thousands of products, so each distinct value is allocated once.
    let mut out = Vec::new();
    let mut shared: FxHashMap<String, Text> = FxHashMap::default();
    let mut intern = |s: &str| -> Text {
        match shared.get(s) {
            Some(t) => t.clone(),
            None => shared.entry(s.to_string()).or_insert_with(|| Text::from(s)).clone(),
        }
    };
    for batch in stmt.query_arrow(params![whole_catalogue, cedi])? {
        let text: Vec<_> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10].iter().map(|&i| optional_text_column(&batch, i)).collect();
        let number = |i: usize| batch.column(i).as_any().downcast_ref::<Float64Array>().expect("DOUBLE column");
        let (upb, peso) = (number(9), number(11));
        let traffic = batch.column(12).as_any().downcast_ref::<BooleanArray>().expect("BOOLEAN column");
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
        let ids = batch.column(0).as_any().downcast_ref::<Int32Array>().expect("INTEGER column");
        let codes = text_column(&batch, 1);
        for i in 0..batch.num_rows() {
            out.by_id.insert(ids.value(i), codes(i).to_string());
            out.by_code.insert(codes(i).to_string(), ids.value(i));
        }
    }
    Ok(out)
}

/// A location's selling days per product id. Hashed with FxHash: these maps are filled and
/// probed once per row and per product on every calculation, where SipHash showed.
pub type DailyByProduct = FxHashMap<i32, Vec<DaySales>>;
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
pub fn daily_sales(
    conn: &Connection,
    location: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<DailyByProduct> {
    // Integer ids, not codes, and no ORDER BY: decoding a text code per row and sorting by
    // it were most of this read; each product's few dozen days are ordered here.
    let mut stmt = conn.prepare_cached(
        "SELECT producto_id, fecha, cantidad::DOUBLE, venta_total::DOUBLE, tickets FROM ventas_diarias
         WHERE ubicacion_id = ? AND fecha BETWEEN ? AND ?",
    )?;
    // Columnar transfer (Arrow): tens of thousands of rows per store, ~4× faster than rows.
    let mut out = DailyByProduct::default();
    for batch in stmt.query_arrow(params![location, from, to])? {
        let codes = batch.column(0).as_any().downcast_ref::<Int32Array>().expect("INTEGER column");
        let dates = batch.column(1).as_any().downcast_ref::<Date32Array>().expect("DATE column");
        let qty = batch.column(2).as_any().downcast_ref::<Float64Array>().expect("DOUBLE column");
        let value = batch.column(3).as_any().downcast_ref::<Float64Array>().expect("DOUBLE column");
        let tickets = batch.column(4).as_any().downcast_ref::<Int32Array>().expect("INTEGER column");
        for i in 0..batch.num_rows() {
            let day = DaySales {
                fecha: EPOCH + Duration::days(i64::from(dates.value(i))),
                cantidad: qty.value(i),
                venta_total: value.value(i),
                tickets: i64::from(tickets.value(i)),
            };
            out.entry(codes.value(i)).or_default().push(day);
        }
    }
    for days in out.values_mut() {
        days.sort_unstable_by_key(|d| d.fecha);
    }
    Ok(out)
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

/// Accessor for a VARCHAR column, whichever Arrow string layout DuckDB produced.
fn text_column<'a>(batch: &'a RecordBatch, i: usize) -> impl Fn(usize) -> &'a str + 'a {
    let col = batch.column(i).as_any();
    let plain = col.downcast_ref::<StringArray>();
    let view = col.downcast_ref::<StringViewArray>();
    move |row| match (plain, view) {
        (Some(a), _) => a.value(row),
        (None, Some(a)) => a.value(row),
        _ => panic!("VARCHAR column is neither Utf8 nor Utf8View"),
    }
}

/// Accessor for a nullable VARCHAR column.
fn optional_text_column<'a>(batch: &'a RecordBatch, i: usize) -> Box<dyn Fn(usize) -> Option<&'a str> + 'a> {
    let col = batch.column(i);
    let text = text_column(batch, i);
    Box::new(move |row| (!col.is_null(row)).then(|| text(row)))
}

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
    let mut stmt = conn.prepare_cached(
        "SELECT producto_codigo, sum(cantidad)::DOUBLE FROM inventario_actual
         WHERE ubicacion_id = ? AND NOT list_contains(string_split(?, chr(31)), almacen_codigo)
         GROUP BY producto_codigo",
    )?;
    let rows = stmt.query_map(params![location, code_list(excluded_warehouses.iter().map(String::as_str))], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
    })?;
    rows.collect()
}

/// Several codes as one SQL parameter, split back with `string_split(?, chr(31))`: the
/// unit separator cannot occur in a POS code, and one bound parameter needs neither a
/// temporary table nor SQL built from data.
fn code_list<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join("\u{1f}")
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
    fn new(stores: &[RegionStore], values: HashMap<i32, HashMap<usize, Vec<f64>>>) -> RegionP75s {
        let per_product = values
            .into_iter()
            .map(|(id, per_store)| {
                let mut p75s: Vec<(usize, f64)> = per_store.into_iter().map(|(s, v)| (s, p75(&v))).collect();
                p75s.sort_by(|a, b| stores[a.0].id.cmp(&stores[b.0].id));
                (id, p75s)
            })
            .collect();
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
/// products it barely sells; a network run uses [`region_p75_from_days`]).
/// The rows are few (regional days of the requested products), so the percentile and the
/// atypical-day filter run here: in SQL the exclusion was an anti-join whose hash table the
/// planner built over the sales side, the slowest step of a single-store calculation.
pub fn region_p75(
    conn: &Connection,
    stores: &[RegionStore],
    from: NaiveDate,
    to: NaiveDate,
    only: &[i32],
) -> duckdb::Result<RegionP75s> {
    if stores.is_empty() || only.is_empty() {
        return Ok(RegionP75s::new(stores, HashMap::new()));
    }
    let mut stmt = conn.prepare_cached(
        "SELECT producto_id, ubicacion_id, fecha, cantidad::DOUBLE FROM ventas_diarias
         WHERE fecha BETWEEN ? AND ? AND ubicacion_id IN (SELECT unnest(string_split(?, chr(31))))
           AND producto_id IN (SELECT unnest(string_split(?, ','))::INTEGER)",
    )?;
    let store_ids = code_list(stores.iter().map(|s| s.id.as_str()));
    let ids = only.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    let batches = stmt.query_arrow(params![from, to, store_ids, ids])?;
    // The rows of each store, then the same window and atypical-day rule as a network run.
    let mut days: Vec<DailyByProduct> = stores.iter().map(|_| DailyByProduct::default()).collect();
    for batch in batches {
        let product = batch.column(0).as_any().downcast_ref::<Int32Array>().expect("INTEGER column");
        let location = text_column(&batch, 1);
        let dates = batch.column(2).as_any().downcast_ref::<Date32Array>().expect("DATE column");
        let qty = batch.column(3).as_any().downcast_ref::<Float64Array>().expect("DOUBLE column");
        let mut last: Option<(&str, usize)> = None;
        for i in 0..batch.num_rows() {
            // Rows of one store come in runs: compare with the previous row's store first.
            let s = match last {
                Some((id, s)) if id == location(i) => s,
                _ => match stores.iter().position(|s| s.id == location(i)) {
                    Some(s) => {
                        last = Some((location(i), s));
                        s
                    }
                    None => continue,
                },
            };
            let fecha = EPOCH + Duration::days(i64::from(dates.value(i)));
            let day = DaySales { fecha, cantidad: qty.value(i), venta_total: 0.0, tickets: 0 }; // only quantities matter here
            days[s].entry(product.value(i)).or_default().push(day);
        }
    }
    Ok(region_p75_from_days(stores, &days.iter().collect::<Vec<_>>(), from, to))
}

/// Quantities of the selling days in [from, to] that are not atypical: the values whose
/// P75 is the local demand, and each store's part of the regional reference.
pub fn window_quantities(days: &[DaySales], from: NaiveDate, to: NaiveDate, excluded: &[NaiveDate]) -> Vec<f64> {
    window_days(days, from, to, excluded).collect()
}

/// [`window_quantities`] without collecting them.
pub fn window_days<'a>(
    days: &'a [DaySales],
    from: NaiveDate,
    to: NaiveDate,
    excluded: &'a [NaiveDate],
) -> impl Iterator<Item = f64> + 'a {
    days.iter().filter(move |d| d.fecha >= from && d.fecha <= to && !excluded.contains(&d.fecha)).map(|d| d.cantidad)
}

/// [`region_p75`] from daily rows already read (a network run reads every store's anyway):
/// `days[k]` are the rows of `stores[k]`.
pub fn region_p75_from_days(
    stores: &[RegionStore],
    days: &[&DailyByProduct],
    from: NaiveDate,
    to: NaiveDate,
) -> RegionP75s {
    let mut values: HashMap<i32, HashMap<usize, Vec<f64>>> = HashMap::new();
    for (s, (store, rows)) in stores.iter().zip(days).enumerate() {
        for (id, v) in rows.iter() {
            let q = window_quantities(v, from, to, &store.dias_excluidos);
            if !q.is_empty() {
                values.entry(*id).or_default().insert(s, q);
            }
        }
    }
    RegionP75s::new(stores, values)
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
