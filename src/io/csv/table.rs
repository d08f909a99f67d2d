//! CSV text read record by record, with each record named by the physical line it starts on.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::Read;

use crate::error::{Error, ErrorKind, Result};

/// A CSV file read record by record, as every reader of this module reads one: spaces around
/// cells trimmed, a UTF-8 byte-order mark, quoted fields (with commas, doubled quotes and line
/// breaks), CRLF, LF or CR line endings, and blank lines (or lines of spaces) accepted; each
/// record named by the physical line it starts on, the header being line 1 (or the line it is
/// on after blank lines). A quote opens a quoted cell only as the cell's first character, as in
/// RFC 4180: in `a, "b, c"` the space comes first, so the cells are `a`, `"b` and `c"`.
///
/// It is the layer under [`Reader`](super::Reader), for CSV files of anything else (session
/// scores, ratings): the header's column names and then [`Record`]s, one at a time, so a file
/// of any size is read in the memory of one record. Rows may have any number of fields; a
/// reader that needs the header's width checks it with [`Record::check_width`], an error naming
/// the row.
///
/// ```
/// use therapeutic_alliance::csv::Table;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let text = "\u{feff}id , score\r\n\r\n a ,\"1\"\r\n\"b\nc\", 2\r\n";
/// let mut table = Table::new(text.as_bytes())?;
/// assert_eq!(table.header(), ["id", "score"]);
/// let mut rows = Vec::new();
/// while let Some(record) = table.next_record()? {
///     rows.push((record.line(), record.text(0)?.to_owned(), record.text(1)?.to_owned()));
/// }
/// // The blank line counts, and so does the line break inside the quoted id.
/// assert_eq!(rows, [(3, "a".into(), "1".into()), (4, "b\nc".into(), "2".into())]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Table<R> {
    reader: ::csv::Reader<Lines<R>>,
    header: Vec<String>,
    header_line: u64,
    record: ::csv::ByteRecord,
    /// Set after an I/O error: the table reads nothing more.
    done: bool,
}

/// One record of a [`Table`]: its line and its cells.
///
/// ```
/// use therapeutic_alliance::csv::Table;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut table = Table::new("id,1,2\np01,4\n".as_bytes())?;
/// let record = table.next_record()?.ok_or("a record")?;
/// assert_eq!((record.line(), record.len(), record.text(1)?), (2, 2, "4"));
/// assert_eq!(record.check_width().unwrap_err().to_string(), "row 2: 2 fields, but the header has 3");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Record<'t> {
    line: u64,
    fields: &'t ::csv::ByteRecord,
    header: &'t [String],
}

impl<R: Read> Table<R> {
    /// Starts reading CSV text from `reader` and reads its header: the first line that is not
    /// blank. An empty input has an empty header (and no records).
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the input cannot be read; [`ErrorKind::NotUtf8`] for a column name
    /// that is not valid UTF-8, located at the header's row.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = Table::new("\n\n record_id , wai_1 \n".as_bytes())?;
    /// assert_eq!((table.header(), table.header_line()), (&["record_id".to_owned(), "wai_1".to_owned()][..], 3));
    /// let err = Table::new(&b"id,caf\xe9\n"[..]).unwrap_err();
    /// assert_eq!(err.to_string(), "row 1, column \"caf\u{fffd}\": the column name is not valid UTF-8");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(reader: R) -> Result<Self> {
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .trim(::csv::Trim::All)
            .flexible(true)
            .from_reader(Lines::new(reader));
        let mut table = Table {
            reader,
            header: Vec::new(),
            header_line: 1,
            record: ::csv::ByteRecord::new(),
            done: false,
        };
        if let Some(line) = table.advance()? {
            table.header_line = line;
            let mut names = Vec::with_capacity(table.record.len());
            for field in &table.record {
                match std::str::from_utf8(field) {
                    Ok(name) => names.push(name.to_owned()),
                    Err(_) => {
                        return Err(Error::from(ErrorKind::NotUtf8 {
                            what: "column name",
                        })
                        .at_row(line)
                        .at_column(String::from_utf8_lossy(field)));
                    }
                }
            }
            table.header = names;
        }
        Ok(table)
    }

    /// A table whose header was read elsewhere: `reader` starts at a record boundary on line
    /// `first_line`, and its records are read as this header's.
    pub(super) fn continuing(
        reader: R,
        header: Vec<String>,
        header_line: u64,
        first_line: u64,
    ) -> Self {
        let mut lines = Lines::new(reader);
        lines.breaks = first_line.saturating_sub(1);
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .trim(::csv::Trim::All)
            .flexible(true)
            .from_reader(lines);
        Table {
            reader,
            header,
            header_line,
            record: ::csv::ByteRecord::new(),
            done: false,
        }
    }

    /// The header's column names, trimmed, in file order.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(Table::new("\"id\",\"a, b\" \n".as_bytes())?.header(), ["id", "a, b"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The line the header is on (1 unless blank lines come before it).
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(Table::new("id\n".as_bytes())?.header_line(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn header_line(&self) -> u64 {
        self.header_line
    }

    /// The position of column `name` in the header; `None` if the header has no such column.
    ///
    /// # Errors
    /// [`ErrorKind::DuplicateColumn`] if the header names it twice, located at the header's row
    /// and the column.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = Table::new("id,1,2,1\n".as_bytes())?;
    /// assert_eq!((table.position("2")?, table.position("3")?), (Some(2), None));
    /// assert_eq!(table.position("1").unwrap_err().code(), "duplicate_column");
    /// # Ok(())
    /// # }
    /// ```
    pub fn position(&self, name: &str) -> Result<Option<usize>> {
        position(&self.header, name, self.header_line)
    }

    /// The next record that is not blank; `None` at the end of the input.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the input cannot be read; the table then reads nothing more.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new("id\r\n\r\n   \r\na\r\n".as_bytes())?;
    /// assert_eq!(table.next_record()?.map(|r| r.line()), Some(4));
    /// assert!(table.next_record()?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>> {
        Ok(self.advance()?.map(|line| Record {
            line,
            fields: &self.record,
            header: &self.header,
        }))
    }

    /// Reads the next record that is not blank into `self.record`; its line, or `None` at the
    /// end.
    fn advance(&mut self) -> Result<Option<u64>> {
        if self.done {
            return Ok(None);
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => {
                    self.done = true;
                    return Err(read_error(e));
                }
            }
            // A line of nothing but spaces carries no record.
            if self.record.len() == 1 && self.record.get(0).is_some_and(<[u8]>::is_empty) {
                continue;
            }
            let start = self.record.position().map_or(0, ::csv::Position::byte);
            return Ok(Some(self.reader.get_mut().line_at(start)));
        }
    }
}

/// The position of `name` in `header` (at line `line`), refusing a name given twice.
pub(super) fn position(header: &[String], name: &str, line: u64) -> Result<Option<usize>> {
    let mut found = header
        .iter()
        .enumerate()
        .filter(|(_, n)| *n == name)
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(_), Some(_)) => Err(Error::from(ErrorKind::DuplicateColumn {
            column: name.to_owned(),
        })
        .at_row(line)
        .at_column(name)),
        (at, _) => Ok(at),
    }
}

/// A reading error of the csv crate as the crate's error.
fn read_error(e: ::csv::Error) -> Error {
    super::write::io_error("read", super::write::csv_io(e))
}

impl<'t> Record<'t> {
    /// A record of `fields` (trimmed) on `line`, read elsewhere.
    pub(super) fn of(line: u64, fields: &'t ::csv::ByteRecord, header: &'t [String]) -> Self {
        Record {
            line,
            fields,
            header,
        }
    }

    /// The line the record starts on (the header is line 1; blank lines and line breaks inside
    /// quoted cells count).
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new("id,note\n\"a\",\"two\nlines\"\nb,x\n".as_bytes())?;
    /// table.next_record()?;
    /// assert_eq!(table.next_record()?.map(|r| r.line()), Some(4));
    /// # Ok(())
    /// # }
    /// ```
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The number of fields in the record.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new("a,b\n1,2,3\n".as_bytes())?;
    /// assert_eq!(table.next_record()?.map(|r| r.len()), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the record has no fields (never, for a record a [`Table`] gives).
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new("a\n1\n".as_bytes())?;
    /// assert_eq!(table.next_record()?.map(|r| r.is_empty()), Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// An error unless the record has as many fields as the header.
    ///
    /// # Errors
    /// [`ErrorKind::FieldCount`], located at the record's row.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new("a,b\n1,2\n".as_bytes())?;
    /// table.next_record()?.map(|r| r.check_width()).transpose()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn check_width(&self) -> Result<()> {
        if self.fields.len() == self.header.len() {
            return Ok(());
        }
        Err(Error::from(ErrorKind::FieldCount {
            found: self.fields.len(),
            expected: self.header.len(),
        })
        .at_row(self.line))
    }

    /// The cell at `index`, trimmed; empty for a field the record does not have.
    ///
    /// # Errors
    /// [`ErrorKind::NotUtf8`] for a cell that is not valid UTF-8, located at the row and the
    /// column (by its header name).
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut table = Table::new(&b"id,note\nb\xe9, x \n"[..])?;
    /// let record = table.next_record()?.ok_or("no record")?;
    /// assert_eq!((record.text(1)?, record.text(7)?), ("x", ""));
    /// assert_eq!(record.text(0).unwrap_err().to_string(), "row 2, column \"id\": the cell is not valid UTF-8");
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(&self, index: usize) -> Result<&'t str> {
        let bytes = self.fields.get(index).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| {
            let column = self
                .header
                .get(index)
                .cloned()
                .unwrap_or_else(|| format!("field {}", index + 1));
            Error::from(ErrorKind::NotUtf8 { what: "cell" })
                .at_row(self.line)
                .at_column(column)
        })
    }

    /// The cell at `index` as text for a message: invalid UTF-8 replaced by U+FFFD; `None` for
    /// a field the record does not have.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Table;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut table = Table::new(&b"id\nb\xe9\n"[..])?;
    /// let shown = table.next_record()?.and_then(|r| r.lossy(0).map(|t| t.into_owned()));
    /// assert_eq!(shown.as_deref(), Some("b\u{fffd}"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lossy(&self, index: usize) -> Option<Cow<'t, str>> {
        self.fields.get(index).map(String::from_utf8_lossy)
    }
}

/// Counts the line breaks in what the CSV reader reads, so that a record is named by the line
/// it starts on in the file. (`csv::Position::line` lags by one line per record after a CRLF
/// line ending and does not count skipped blank lines: BurntSushi/rust-csv#395.)
///
/// It keeps the runs of line-break bytes between the last record asked about and what the CSV
/// reader has read ahead, so its memory is bounded by the reader's buffer.
#[derive(Debug)]
pub(super) struct Lines<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Whether the last byte read was `\r` (a `\n` after it ends the same line).
    last_cr: bool,
    /// Line breaks before the first run still kept.
    breaks: u64,
    /// Runs of `\r` and `\n` bytes not yet passed: (first byte, byte after the last, breaks).
    runs: VecDeque<(u64, u64, u64)>,
}

impl<R> Lines<R> {
    fn new(inner: R) -> Self {
        Lines {
            inner,
            offset: 0,
            last_cr: false,
            breaks: 0,
            runs: VecDeque::new(),
        }
    }

    /// The line (from 1) of a record whose parsing starts at byte `start`: the CSV reader starts
    /// a record right after the previous one's first terminator byte, then skips line breaks
    /// and blank lines, so the record begins after the run of line-break bytes holding `start`.
    /// Asked in increasing order of `start`.
    fn line_at(&mut self, start: u64) -> u64 {
        while let Some(&(first, _, breaks)) = self.runs.front() {
            if first > start {
                break;
            }
            self.breaks += breaks;
            self.runs.pop_front();
        }
        self.breaks + 1
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (at, &b) in (self.offset..).zip(buf.get(..n).unwrap_or_default()) {
            if b != b'\n' && b != b'\r' {
                self.last_cr = false;
                continue;
            }
            // `\r\n`, `\n` and a lone `\r` each end one line.
            let breaks = u64::from(!(b == b'\n' && self.last_cr));
            self.last_cr = b == b'\r';
            match self.runs.back_mut() {
                Some((_, end, count)) if *end == at => {
                    *end = at + 1;
                    *count += breaks;
                }
                _ => self.runs.push_back((at, at + 1, breaks)),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (line, first cell) of every record.
    fn lines(text: &[u8]) -> Vec<(u64, String)> {
        let mut table = Table::new(text).expect("reads");
        let mut out = Vec::new();
        while let Some(r) = table.next_record().expect("reads") {
            out.push((r.line(), r.lossy(0).unwrap_or_default().into_owned()));
        }
        out
    }

    #[test]
    fn records_are_named_by_the_physical_line_they_start_on() {
        assert_eq!(lines(b"h\na\nb\n"), [(2, "a".into()), (3, "b".into())]);
        // CRLF, where csv::Position::line lags.
        assert_eq!(
            lines(b"h\r\na\r\nb\r\nc\r\n"),
            [(2, "a".into()), (3, "b".into()), (4, "c".into())]
        );
        // Blank lines, a line of spaces, a lone CR, a quoted line break.
        assert_eq!(
            lines(b"h\r\n\r\na\r\n   \r\n\"b\r\nB\"\rc\n\n"),
            [(3, "a".into()), (5, "b\r\nB".into()), (7, "c".into())]
        );
        // A byte-order mark, and blank lines before the header.
        let table = Table::new(&b"\n\n\xef\xbb\xbfid\n"[..]).expect("reads");
        assert_eq!(table.header_line(), 3);
        assert_eq!(
            Table::new(&b"\xef\xbb\xbfid\n"[..])
                .expect("reads")
                .header(),
            ["id"]
        );
    }

    #[test]
    fn lines_survive_a_reader_that_gives_one_byte_at_a_time() {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((b, rest)), Some(slot)) => {
                        *slot = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let text = b"h\r\n\r\na\r\n\"b\r\n\"\r\nc\n";
        let mut table = Table::new(Trickle(text)).expect("reads");
        let mut got = Vec::new();
        while let Some(r) = table.next_record().expect("reads") {
            got.push(r.line());
        }
        assert_eq!(got, [3, 4, 6]);
    }

    #[test]
    fn an_empty_input_has_an_empty_header_and_no_records() {
        let mut table = Table::new(&b""[..]).expect("reads");
        assert!(table.header().is_empty());
        assert!(table.next_record().expect("reads").is_none());
    }

    #[test]
    fn an_io_error_is_an_error_and_then_the_end() {
        struct Failing(bool);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if std::mem::replace(&mut self.0, true) {
                    return Err(std::io::Error::other("disk on fire"));
                }
                let text = b"id\na\n";
                let n = text.len().min(buf.len());
                buf[..n].copy_from_slice(&text[..n]);
                Ok(n)
            }
        }
        let mut table = Table::new(Failing(false)).expect("reads the header");
        let err = loop {
            match table.next_record() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("no error"),
                Err(e) => break e,
            }
        };
        assert_eq!(err.code(), "io");
        // The cause is the source, not repeated in the message.
        assert_eq!(err.to_string(), "cannot read the CSV data");
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("disk on fire"), "{err}");
        assert!(table.next_record().expect("done").is_none());
    }
}
