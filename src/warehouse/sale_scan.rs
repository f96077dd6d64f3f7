//! Sale lines held in Rust memory, scanned by DuckDB as a table function, so that a large
//! batch is written with `INSERT INTO ventas SELECT * FROM fluxion_sale_lines(token)`.
//!
//! Why not the appender: an appender is one thread. DuckDB's own `INSERT … SELECT` runs on
//! every DuckDB thread when its source does (each thread converts, compresses and writes
//! its own row groups), and on the 2-core appliance that halves the time of an onboarding
//! import. The table function hands out the lines in vector-sized slices to whichever
//! thread asks next; each thread builds the Arrow columns of its slice
//! ([`SaleBatch`]) and DuckDB converts them.
//!
//! The lines are borrowed, not copied: [`insert_sale_lines`] registers a type-erased view of
//! the caller's slice under a token, runs the statement (which returns only once the scan
//! is over) and unregisters the view, so the view never outlives the borrow.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDateTime;
use duckdb::core::{DataChunkHandle, LogicalTypeHandle, LogicalTypeId};
use duckdb::vtab::{record_batch_to_duckdb_data_chunk, to_duckdb_logical_type_for_field, BindInfo, InitInfo, TableFunctionInfo, VTab};
use duckdb::Connection;

use super::sale_batch::SaleBatch;
use crate::domain::records::SaleLine;

/// Name of the table function, registered on the warehouse's connection.
pub const FUNCTION: &str = "fluxion_sale_lines";

/// Registers the table function (once per database: DuckDB keeps it in the catalog).
pub fn register(conn: &Connection) -> duckdb::Result<()> {
    conn.register_table_function::<SaleLinesScan>(FUNCTION)
}

/// Inserts `lines` into `table` (whose columns are those of `ventas`) with one
/// `INSERT … SELECT` over the table function. Returns the rows inserted.
pub fn insert_sale_lines<L: Borrow<SaleLine> + Sync>(
    conn: &Connection,
    table: &str,
    lines: &[L],
    loaded_at: NaiveDateTime,
    execution_id: Option<i64>,
) -> duckdb::Result<usize> {
    let view =
        Registration::new(LinesView { lines: lines.as_ptr().cast(), len: lines.len(), loaded_at, execution_id, push: push_lines::<L> });
    // Insertion order within a batch does not matter to any reader (queries sort), and
    // keeping it would serialise the insert on one thread.
    conn.execute_batch("SET preserve_insertion_order = false")?;
    let inserted = conn.execute(&format!("INSERT INTO {table} SELECT * FROM {FUNCTION}(?)"), [view.token]);
    // After a failed statement the transaction only accepts a rollback; the error to
    // report is the insert's.
    let reset = conn.execute_batch("RESET preserve_insertion_order");
    let inserted = inserted?;
    reset?;
    Ok(inserted)
}

/// A borrowed slice of sale lines with its element type erased (see the module comment for
/// why the pointer stays valid while registered).
#[derive(Clone, Copy)]
struct LinesView {
    lines: *const u8,
    len: usize,
    loaded_at: NaiveDateTime,
    execution_id: Option<i64>,
    /// Pushes `lines[range]` into a batch, knowing the element type.
    push: unsafe fn(*const u8, usize, std::ops::Range<usize>, &mut SaleBatch, NaiveDateTime, Option<i64>),
}

// SAFETY: the view points at a `&[L]` with `L: Sync`, only read, and only while the
// registering call (which holds the borrow) is running.
unsafe impl Send for LinesView {}
unsafe impl Sync for LinesView {}

/// # Safety
/// `ptr` and `len` must describe a live `[L]`.
unsafe fn push_lines<L: Borrow<SaleLine>>(
    ptr: *const u8,
    len: usize,
    range: std::ops::Range<usize>,
    batch: &mut SaleBatch,
    loaded_at: NaiveDateTime,
    execution_id: Option<i64>,
) {
    let lines = unsafe { std::slice::from_raw_parts(ptr.cast::<L>(), len) };
    for l in &lines[range] {
        batch.push(l.borrow(), loaded_at, execution_id);
    }
}

fn registry() -> MutexGuard<'static, BTreeMap<u64, LinesView>> {
    static VIEWS: Mutex<BTreeMap<u64, LinesView>> = Mutex::new(BTreeMap::new());
    VIEWS.lock().unwrap_or_else(|p| p.into_inner())
}

/// A view in the registry for as long as this value lives.
struct Registration {
    token: u64,
}

impl Registration {
    fn new(view: LinesView) -> Registration {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let token = NEXT.fetch_add(1, Ordering::Relaxed);
        registry().insert(token, view);
        Registration { token }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        registry().remove(&self.token);
    }
}

struct SaleLinesScan;

struct ScanBind {
    view: LinesView,
}

struct ScanState {
    next: AtomicUsize,
}

impl VTab for SaleLinesScan {
    type BindData = ScanBind;
    type InitData = ScanState;

    fn bind(bind: &BindInfo) -> Result<ScanBind, Box<dyn std::error::Error>> {
        let token = bind.get_parameter(0).to_uint64();
        let view = *registry().get(&token).ok_or_else(|| format!("{FUNCTION}: no sale lines registered under {token}"))?;
        for field in SaleBatch::schema().fields() {
            bind.add_result_column(field.name(), to_duckdb_logical_type_for_field(field)?);
        }
        bind.set_cardinality(view.len as u64, true);
        Ok(ScanBind { view })
    }

    fn init(init: &InitInfo) -> Result<ScanState, Box<dyn std::error::Error>> {
        init.set_max_threads(std::thread::available_parallelism().map_or(1, |n| n.get()) as u64);
        Ok(ScanState { next: AtomicUsize::new(0) })
    }

    fn func(info: &TableFunctionInfo<Self>, output: &mut DataChunkHandle) -> Result<(), Box<dyn std::error::Error>> {
        let view = info.get_bind_data().view;
        let size = unsafe { duckdb::ffi::duckdb_vector_size() } as usize;
        let start = info.get_init_data().next.fetch_add(size, Ordering::Relaxed).min(view.len);
        let end = (start + size).min(view.len);
        if start == end {
            output.set_len(0);
            return Ok(());
        }
        let mut batch = SaleBatch::with_capacity(end - start, false);
        // SAFETY: the view is registered, hence its slice borrowed, for the whole statement.
        unsafe { (view.push)(view.lines, view.len, start..end, &mut batch, view.loaded_at, view.execution_id) };
        record_batch_to_duckdb_data_chunk(&batch.take_record_batch()?, output)?;
        Ok(())
    }

    fn parameters() -> Option<Vec<LogicalTypeHandle>> {
        Some(vec![LogicalTypeHandle::from(LogicalTypeId::UBigint)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warehouse::Warehouse;

    fn line(i: usize) -> SaleLine {
        SaleLine {
            ubicacion_id: "t1".into(),
            numero_factura: format!("F{:07}", i / 3),
            linea: (i % 3) as i32 + 1,
            fecha_venta: chrono::NaiveDate::from_ymd_opt(2026, 1, 1 + (i % 28) as u32).unwrap().and_hms_opt(10, 0, 0).unwrap(),
            producto_codigo: format!("P{}", i % 500),
            cantidad_vendida: 1.5,
            venta_total: 3.25,
            ..SaleLine::default()
        }
    }

    #[test]
    fn every_line_of_several_row_groups_is_inserted_inside_a_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let w = Warehouse::open(&dir.path().join("w.duckdb")).unwrap();
        let lines: Vec<SaleLine> = (0..300_017).map(line).collect();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let n = w.write(|c| insert_sale_lines(c, "ventas", &lines, now, Some(7))).unwrap();
        assert_eq!(n, 300_017);
        let r = w.reader().unwrap();
        let (rows, qty, invoices, max_linea): (i64, f64, i64, i32) = r
            .query_row(
                "SELECT count(*), sum(cantidad_vendida)::DOUBLE, count(DISTINCT numero_factura), max(linea) FROM ventas WHERE etl_execution_id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!((rows, qty, invoices, max_linea), (300_017, 1.5 * 300_017.0, 100_006, 3));
    }
}
