//! Reading DuckDB's Arrow batches: columnar transfer is several times faster than row by
//! row for the large reads (catalogues, daily rows, stock), and these accessors turn a
//! column of an unexpected type into an error that names it, never a panic.

use duckdb::arrow::array::{Array, StringArray, StringViewArray};
use duckdb::arrow::record_batch::RecordBatch;

fn mismatch(batch: &RecordBatch, i: usize, wanted: &str) -> duckdb::Error {
    let field = batch.schema().field(i).clone();
    let message = format!("column {} is {}, read as {wanted}", field.name(), field.data_type());
    duckdb::Error::FromSqlConversionFailure(i, duckdb::types::Type::Any, message.into())
}

/// Column `i` of a batch as the array type its query selects (a query and its reader that
/// disagree are an error naming the column).
pub(crate) fn column<T: Array + 'static>(batch: &RecordBatch, i: usize) -> duckdb::Result<&T> {
    batch.column(i).as_any().downcast_ref::<T>().ok_or_else(|| mismatch(batch, i, std::any::type_name::<T>()))
}

/// Accessor for a VARCHAR column, whichever Arrow string layout DuckDB produced.
pub(crate) fn text_column<'a>(batch: &'a RecordBatch, i: usize) -> duckdb::Result<Box<dyn Fn(usize) -> &'a str + 'a>> {
    let col = batch.column(i).as_any();
    if let Some(a) = col.downcast_ref::<StringArray>() {
        return Ok(Box::new(move |row| a.value(row)));
    }
    match col.downcast_ref::<StringViewArray>() {
        Some(a) => Ok(Box::new(move |row| a.value(row))),
        None => Err(mismatch(batch, i, "text")),
    }
}

/// Accessor for a nullable VARCHAR column.
pub(crate) fn optional_text_column<'a>(batch: &'a RecordBatch, i: usize) -> duckdb::Result<Box<dyn Fn(usize) -> Option<&'a str> + 'a>> {
    let col = batch.column(i);
    let text = text_column(batch, i)?;
    Ok(Box::new(move |row| (!col.is_null(row)).then(|| text(row))))
}
