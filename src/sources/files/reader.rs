//! Reading one import file: UTF-8 (optional BOM), RFC 4180 CSV, header checked against the
//! file's column list, every data row handed to a typed row parser through [`Row`].

use rustc_hash::FxHashMap;
use std::path::Path;

use super::values::non_null;
use super::{ImportError, RowError};

/// One column of an import file.
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

pub const fn req(name: &'static str) -> Column {
    Column { name, required: true }
}

pub const fn opt(name: &'static str) -> Column {
    Column { name, required: false }
}

/// A data row that was refused, kept for the error list and the `rejected/` copy.
#[derive(Debug, Clone)]
pub struct RejectedRow {
    pub line: u64,
    /// The row's fields exactly as read (invalid UTF-8 replaced by U+FFFD).
    pub fields: Vec<String>,
    pub errors: Vec<RowError>,
}

/// Everything read from one file.
#[derive(Debug)]
pub struct ParsedFile<R> {
    /// The header fields exactly as read (for the `rejected/` copy).
    pub header: Vec<String>,
    /// Missing required, unknown or duplicate columns: the whole file is refused.
    pub header_errors: Vec<RowError>,
    /// Rows that parsed, in file order, in chunks (a sales file holds millions of records of
    /// a few hundred bytes: the chunks are never copied into one vector), and their lines.
    pub good: Vec<Vec<R>>,
    pub good_lines: Vec<u64>,
    /// What the parser still returned for refused rows, in file order (for example the key
    /// of a stock row whose quantity is unreadable).
    pub salvaged: Vec<R>,
    pub rejected: Vec<RejectedRow>,
    /// Data rows read (good + rejected; blank rows are not counted).
    pub read: usize,
}

#[cfg(test)]
impl<R> ParsedFile<R> {
    /// Every error of the file: header errors first, then row errors in line order.
    pub fn errors(&self) -> impl Iterator<Item = &RowError> {
        self.header_errors.iter().chain(self.rejected.iter().flat_map(|r| r.errors.iter()))
    }
}

/// Maps a byte offset of the file to its 1-based line number, moving forward only.
struct LineCounter<'a> {
    data: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// Line of the first byte at or after `offset` that is not a line terminator (csv
    /// positions a record at the end of the previous one, before any blank lines).
    fn line_at(&mut self, offset: usize) -> u64 {
        let mut start = offset.min(self.data.len());
        while start < self.data.len() && (self.data[start] == b'\n' || self.data[start] == b'\r') {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.data[self.offset..start].iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = start;
        }
        self.line
    }
}

/// Records converted per batch: each batch goes to one of the two converting threads.
const BATCH_ROWS: usize = 8_192;

/// Reads and checks one file. `file` is its name as shown in errors (`ventas.csv`).
/// `parse_row` builds a record from a row, or returns `None` after recording at least one
/// error on the row (a row of a file whose header is broken may also return `None`
/// without error: it is simply not used). A record returned for a row with errors is
/// kept in [`ParsedFile::salvaged`].
///
/// The CSV is split into records on this thread (cheap, and line numbers need the file in
/// order); converting and checking the values, most of the work, runs on two threads, batch
/// by batch, and the batches are put back in file order.
pub fn read_file<R: Send>(
    path: &Path,
    file: &'static str,
    columns: &[Column],
    parse_row: impl Fn(&mut Row<'_>) -> Option<R> + Sync,
) -> Result<ParsedFile<R>, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io { path: path.to_path_buf(), source })?;
    let data: &[u8] = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut lines = LineCounter { data, offset: 0, line: 1 };
    let io_err = |e: csv::Error| ImportError::Io { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) };

    let mut record = csv::ByteRecord::new();
    let has_header = csv.read_byte_record(&mut record).map_err(io_err)?;
    let header_line = if has_header { record.position().map_or(1, |p| lines.line_at(p.byte() as usize)) } else { 1 };
    let header: Vec<String> =
        if has_header { record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect() } else { Vec::new() };

    let mut out = ParsedFile {
        header: header.clone(),
        header_errors: Vec::new(),
        good: Vec::new(),
        good_lines: Vec::new(),
        salvaged: Vec::new(),
        rejected: Vec::new(),
        read: 0,
    };
    let header_error = |column: String, reason: String| RowError { file: file.to_string(), line: header_line, column, reason };
    // Looked up for every cell of millions of rows: FxHash, not SipHash.
    let mut index: FxHashMap<&'static str, usize> = FxHashMap::default();
    // Name of each field position, for errors: the header name, or `#N` when unnamed.
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    // `record` is empty when the file has no header row at all.
    for (i, raw) in record.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(raw) else {
            names.push(format!("#{}", i + 1));
            out.header_errors.push(header_error(format!("#{}", i + 1), "column name is not valid UTF-8".into()));
            continue;
        };
        let name = text.trim();
        names.push(if name.is_empty() { format!("#{}", i + 1) } else { name.to_string() });
        match columns.iter().find(|c| c.name == name) {
            Some(c) => {
                if index.insert(c.name, i).is_some() {
                    out.header_errors.push(header_error(name.to_string(), "duplicate column".into()));
                }
            }
            None => {
                let expected = columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ");
                out.header_errors.push(header_error(names[i].clone(), format!("unknown column (expected: {expected})")));
            }
        }
    }
    for c in columns.iter().filter(|c| c.required && !index.contains_key(c.name)) {
        out.header_errors.push(header_error(c.name.to_string(), "missing required column".into()));
    }

    let layout = Layout { file, names: &names, index: &index };
    let (to_convert, batches) = std::sync::mpsc::sync_channel::<(usize, Vec<(u64, csv::ByteRecord)>)>(4);
    let batches = std::sync::Mutex::new(batches);
    let (converted_tx, converted) = std::sync::mpsc::channel::<(usize, Converted<R>)>();
    let mut done: Vec<Option<Converted<R>>> = Vec::new();
    std::thread::scope(|scope| -> Result<(), ImportError> {
        for _ in 0..2 {
            let (batches, converted_tx, layout, parse_row) = (&batches, converted_tx.clone(), &layout, &parse_row);
            scope.spawn(move || loop {
                let next = batches.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((n, rows)) = next else { break };
                if converted_tx.send((n, layout.convert(rows, parse_row))).is_err() {
                    break;
                }
            });
        }
        drop(converted_tx);
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let mut sent = 0;
        let read = loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => break Ok(()),
                Ok(true) => {}
                Err(e) => break Err(io_err(e)),
            }
            let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
            // Rows left empty by spreadsheets (",,,,") carry nothing: skipped, not counted.
            if record.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace())) {
                continue;
            }
            out.read += 1;
            batch.push((line, record.clone()));
            if batch.len() == BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS));
                if to_convert.send((sent, full)).is_err() {
                    break Ok(()); // a converting thread died: reported below
                }
                sent += 1;
            }
        };
        if !batch.is_empty() && to_convert.send((sent, batch)).is_ok() {
            sent += 1;
        }
        drop(to_convert);
        done.resize_with(sent, || None);
        for (n, c) in converted.iter() {
            done[n] = Some(c);
        }
        read
    })?;
    for c in done {
        // A missing batch means a converting thread panicked: that is a defect, not data.
        let c = c.ok_or_else(|| ImportError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("a batch of rows was not converted"),
        })?;
        out.good.push(c.good);
        out.good_lines.extend(c.good_lines);
        out.salvaged.extend(c.salvaged);
        out.rejected.extend(c.rejected);
    }
    Ok(out)
}

/// What the converting threads need to know of the file.
struct Layout<'a> {
    file: &'static str,
    names: &'a [String],
    index: &'a FxHashMap<&'static str, usize>,
}

/// One batch after conversion.
struct Converted<R> {
    good: Vec<R>,
    good_lines: Vec<u64>,
    salvaged: Vec<R>,
    rejected: Vec<RejectedRow>,
}

impl Layout<'_> {
    fn convert<R>(&self, rows: Vec<(u64, csv::ByteRecord)>, parse_row: &impl Fn(&mut Row<'_>) -> Option<R>) -> Converted<R> {
        let mut out = Converted {
            good: Vec::with_capacity(rows.len()),
            good_lines: Vec::with_capacity(rows.len()),
            salvaged: Vec::new(),
            rejected: Vec::new(),
        };
        let width = self.names.len();
        for (line, record) in &rows {
            let line = *line;
            // Cells are borrowed from the record: a good row allocates only what its parser
            // keeps. The row's text is copied only when it is refused (for the error list
            // and the `rejected/` copy).
            let cells: Vec<Result<&str, std::str::Utf8Error>> = record.iter().map(std::str::from_utf8).collect();
            let owned = || record.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<String>>();
            let row_error = |column: String, reason: String| RowError { file: self.file.to_string(), line, column, reason };
            let mut errors = Vec::new();
            if cells.len() != width {
                let (column, reason) = if cells.len() < width {
                    (self.names[cells.len()].clone(), format!("row has {} field(s), the header has {width}", cells.len()))
                } else {
                    let extra = owned()[width..].iter().map(|f| format!("{f:?}")).collect::<Vec<_>>().join(", ");
                    (format!("#{}", width + 1), format!("row has {} field(s), the header has {width}; extra: {extra}", cells.len()))
                };
                errors.push(row_error(column, reason));
            } else {
                for (i, cell) in cells.iter().enumerate() {
                    if cell.is_err() {
                        errors.push(row_error(self.names[i].clone(), "not valid UTF-8".into()));
                    }
                }
            }
            if errors.is_empty() {
                let fields: Vec<&str> = cells.iter().map(|c| c.unwrap_or_default()).collect();
                let mut row = Row { fields: &fields, index: self.index, names: self.names, errors: Vec::new() };
                let parsed = parse_row(&mut row);
                let mut row_errors = row.errors;
                row_errors.sort_by_key(|(position, _, _)| *position);
                errors.extend(row_errors.into_iter().map(|(_, column, reason)| row_error(column, reason)));
                match parsed {
                    Some(r) if errors.is_empty() => {
                        out.good.push(r);
                        out.good_lines.push(line);
                        continue;
                    }
                    Some(r) => out.salvaged.push(r),
                    None => {}
                }
            }
            if !errors.is_empty() {
                out.rejected.push(RejectedRow { line, fields: owned(), errors });
            }
        }
        out
    }
}

/// One data row being parsed: typed getters record an error for every bad cell and
/// return `None` for it, so a parser reads every column and reports all problems at once.
pub struct Row<'a> {
    fields: &'a [&'a str],
    index: &'a FxHashMap<&'static str, usize>,
    names: &'a [String],
    /// (field position, column name, reason).
    errors: Vec<(usize, String, String)>,
}

impl Row<'_> {
    /// The trimmed cell, `None` when the column is absent or the cell is NULL.
    fn cell(&self, column: &'static str) -> Option<&str> {
        let &i = self.index.get(column)?;
        non_null(self.fields[i])
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn error(&mut self, column: &'static str, reason: String) {
        let position = self.index.get(column).copied().unwrap_or(usize::MAX);
        let name = self.names.get(position).cloned().unwrap_or_else(|| column.to_string());
        self.errors.push((position, name, reason));
    }

    /// A value parsed by `parse`; `None` when NULL (an error if `required`) or refused.
    /// A required column absent from the header returns `None` silently: the header
    /// error already refuses the file.
    pub fn value<T>(&mut self, column: &'static str, required: bool, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let parsed = self.cell(column).map(parse);
        match parsed {
            Some(Ok(t)) => Some(t),
            Some(Err(reason)) => {
                self.error(column, reason);
                None
            }
            None => {
                if required && self.index.contains_key(column) {
                    self.error(column, "missing value".into());
                }
                None
            }
        }
    }

    /// Text cell (trimmed).
    pub fn text(&mut self, column: &'static str, required: bool) -> Option<String> {
        self.value(column, required, |v| Ok(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[req("a"), req("b"), opt("c")];

    fn read(text: &[u8]) -> ParsedFile<(String, Option<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        read_file(&path, "t.csv", COLUMNS, |r| {
            let a = r.text("a", true);
            let b = r.value("b", true, super::super::values::decimal);
            let c = r.text("c", false);
            let _ = b?;
            Some((a?, c))
        })
        .unwrap()
    }

    fn shown(p: &ParsedFile<(String, Option<String>)>) -> Vec<String> {
        p.errors().map(|e| e.to_string()).collect()
    }

    #[test]
    fn line_numbers_follow_the_text_editor_even_with_quoted_newlines_and_blank_lines() {
        let p = read(b"\xEF\xBB\xBFa,b,c\r\n1,2,x\r\n\r\n\"multi\nline\",x,y\n\n\n3,4,\n5,bad,\n");
        assert_eq!(p.read, 4);
        assert_eq!(p.good_lines, vec![2, 8]);
        assert_eq!(p.good.concat()[0], ("1".to_string(), Some("x".to_string())));
        assert_eq!(shown(&p), vec!["t.csv:4:b: not a decimal: \"x\"", "t.csv:9:b: not a decimal: \"bad\""]);
        assert_eq!(p.rejected[0].fields, vec!["multi\nline", "x", "y"]);
    }

    #[test]
    fn header_names_are_trimmed_and_checked() {
        let p = read(b" a ,c,zz,c,\n1,2,3,4,5\n");
        assert_eq!(
            shown(&p),
            vec![
                "t.csv:1:zz: unknown column (expected: a, b, c)",
                "t.csv:1:c: duplicate column",
                "t.csv:1:#5: unknown column (expected: a, b, c)",
                "t.csv:1:b: missing required column",
            ]
        );
        assert!(p.good.concat().is_empty() && p.rejected.is_empty(), "rows of a broken file are not judged on absent columns");
    }

    #[test]
    fn field_count_blank_rows_sentinels_and_utf8() {
        let p = read(b"a,b,c\n1\n1,2,3,4\n,,\n  , ,\nN/A,2,\n1,None,\n\xFF,2,\n\"q,1\",\"2\",\" N/A \"\n");
        assert_eq!(p.read, 6, "all-blank rows are skipped");
        assert_eq!(
            shown(&p),
            vec![
                "t.csv:2:b: row has 1 field(s), the header has 3",
                "t.csv:3:#4: row has 4 field(s), the header has 3; extra: \"4\"",
                "t.csv:6:a: missing value",
                "t.csv:7:b: missing value",
                "t.csv:8:a: not valid UTF-8",
            ]
        );
        assert_eq!(p.good.concat(), vec![("q,1".to_string(), None)]);
        assert_eq!(p.good_lines, vec![9]);
    }

    /// Rows are converted on two threads in batches; errors, good rows and their line
    /// numbers still come back in file order.
    #[test]
    fn a_file_of_many_batches_keeps_file_order() {
        let mut text = String::from("a,b,c\n");
        for i in 0..(3 * BATCH_ROWS + 5) {
            let b = if i % 9_000 == 7 { "bad".to_string() } else { i.to_string() };
            text.push_str(&format!("r{i},{b},\n"));
        }
        let p = read(text.as_bytes());
        let bad: Vec<usize> = (0..(3 * BATCH_ROWS + 5)).filter(|i| i % 9_000 == 7).collect();
        assert_eq!(p.read, 3 * BATCH_ROWS + 5);
        assert_eq!(shown(&p), bad.iter().map(|i| format!("t.csv:{}:b: not a decimal: \"bad\"", i + 2)).collect::<Vec<_>>());
        let good = p.good.concat();
        assert_eq!(good.len(), 3 * BATCH_ROWS + 5 - bad.len());
        let expected: Vec<String> = (0..(3 * BATCH_ROWS + 5)).filter(|i| i % 9_000 != 7).map(|i| format!("r{i}")).collect();
        assert_eq!(good.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(), expected);
        assert_eq!(p.good_lines.first(), Some(&2));
        assert_eq!(p.good_lines.last(), Some(&(3 * BATCH_ROWS as u64 + 5 + 1)));
    }

    #[test]
    fn empty_file_misses_every_required_column() {
        let p = read(b"");
        assert_eq!(shown(&p), vec!["t.csv:1:a: missing required column", "t.csv:1:b: missing required column"]);
        let p = read(b"\xEF\xBB\xBFa,b\n");
        assert!(shown(&p).is_empty());
        assert_eq!(p.read, 0);
    }
}
