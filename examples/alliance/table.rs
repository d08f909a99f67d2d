//! Reading wide CSV files, as every command that takes `--csv` reads them: spaces around cells
//! trimmed, a UTF-8 byte-order mark, quoted fields, CRLF line endings and blank lines accepted,
//! and each row named by the line it starts on (the header being line 1).

use std::collections::{HashSet, VecDeque};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;

use therapeutic_alliance::{Administration, AdministrationBuilder, Date, Error, Instrument};

use crate::Failure;

/// A CSV reader over `path`, counting lines. Rows may have any number of fields (`flexible`),
/// so that a ragged row is the caller's error naming its line.
pub fn open(path: &str) -> Result<csv::Reader<Lines<File>>, Failure> {
    let file = File::open(path).map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    Ok(csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(Lines::new(file)))
}

/// The header's column names; `None` for a name that is not valid UTF-8 (no column asked for
/// by name can match it).
pub fn names(header: &csv::ByteRecord) -> Vec<Option<&str>> {
    header.iter().map(|f| std::str::from_utf8(f).ok()).collect()
}

/// The position of column `name` in the header: an error if it is missing or appears twice.
/// `named_in` says where the name came from (`--items`, `--id`), for the message.
pub fn position(names: &[Option<&str>], name: &str, named_in: &str) -> Result<usize, Failure> {
    let mut found = names
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == Some(name))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (Some(at), None) => Ok(at),
        (Some(_), Some(_)) => Err(Failure::run(format!(
            "column {name:?} appears twice in the header"
        ))),
        (None, _) => Err(Failure::run(format!(
            "the header has no column {name:?} (named in {named_in})"
        ))),
    }
}

/// The header's column names, each valid UTF-8 and named once: for a file whose every column
/// must be accounted for (an id, an item, a column passed through).
pub fn unique_names(header: &csv::ByteRecord) -> Result<Vec<&str>, Failure> {
    let mut names: Vec<&str> = Vec::with_capacity(header.len());
    let mut seen = HashSet::new();
    for (i, field) in header.iter().enumerate() {
        let name = std::str::from_utf8(field).map_err(|_| {
            Failure::run(format!("column {} of the header is not valid UTF-8", i + 1))
        })?;
        if !seen.insert(name) {
            return Err(Failure::run(format!(
                "column {name:?} appears twice in the header"
            )));
        }
        names.push(name);
    }
    Ok(names)
}

/// The item columns of a wide file of answers to `inst`, named by item id: (position, item id)
/// in input order. Every column for which `other` is false must be an item (else the error
/// `not_an_item(position from 1, name)` words), and every item needs a column.
pub fn item_columns(
    names: &[&str],
    inst: &Instrument,
    other: impl Fn(usize) -> bool,
    not_an_item: impl Fn(usize, &str) -> String,
) -> Result<Vec<(usize, String)>, Failure> {
    let mut items = Vec::with_capacity(inst.items().len());
    let mut answered = vec![false; inst.items().len()];
    for (col, &name) in names.iter().enumerate() {
        if other(col) {
            continue;
        }
        let index = inst
            .item_index(name)
            .ok_or_else(|| Failure::run(not_an_item(col + 1, name)))?;
        if let Some(slot) = answered.get_mut(index) {
            *slot = true;
        }
        items.push((col, name.to_owned()));
    }
    if let Some((item, _)) = inst.items().iter().zip(&answered).find(|(_, a)| !**a) {
        return Err(Failure::run(format!(
            "the header has no column for item {} of {}",
            item.id(),
            inst.id()
        )));
    }
    Ok(items)
}

/// Records the answers of one row (the cells of `items`, as [`item_columns`] gives them) in
/// `builder`. An empty cell, or one equal to `na`, is unanswered. The error is one line naming
/// the row (line `line`, id `shown_id`) and the column.
pub fn answers(
    mut builder: AdministrationBuilder,
    items: &[(usize, String)],
    record: &csv::ByteRecord,
    line: u64,
    shown_id: Option<&str>,
    na: Option<&str>,
) -> Result<AdministrationBuilder, String> {
    for (at, item) in items {
        let cell = std::str::from_utf8(record.get(*at).unwrap_or_default()).map_err(|_| {
            format!(
                "{}: the cell is not valid UTF-8",
                location(Some(line), shown_id, Some(item))
            )
        })?;
        if cell.is_empty() || na == Some(cell) {
            continue;
        }
        builder = builder
            .answer_text(item, cell)
            .map_err(|e| located(&e.at_row(line).at_column(item.as_str()), shown_id))?;
    }
    Ok(builder)
}

/// A library error as one line: its location (row and column, as the error carries them, with
/// the row's id after the row) and then what went wrong.
pub fn located(e: &Error, id: Option<&str>) -> String {
    let at = location(e.row(), id, e.column());
    if at.is_empty() {
        e.kind().to_string()
    } else {
        format!("{at}: {}", e.kind())
    }
}

/// Reads the next row that is not blank into `record`, and gives the line it starts on; `None`
/// at the end of the file. A row with another number of fields than the header's `width` is an
/// error naming its line.
pub fn next_row(
    reader: &mut csv::Reader<Lines<File>>,
    record: &mut csv::ByteRecord,
    width: usize,
    path: &str,
) -> Result<Option<u64>, Failure> {
    loop {
        if !reader
            .read_byte_record(record)
            .map_err(|e| read_failed(path, &e))?
        {
            return Ok(None);
        }
        // A line of nothing but spaces carries no row.
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue;
        }
        let start = record.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_at(start);
        if record.len() != width {
            return Err(Failure::run(format!(
                "row {line}: {} fields, but the header has {width}",
                record.len()
            )));
        }
        return Ok(Some(line));
    }
}

/// The text of the cell at `at`, trimmed; an error naming the row and column if it is not
/// valid UTF-8.
pub fn cell<'r>(
    record: &'r csv::ByteRecord,
    at: usize,
    line: u64,
    id: Option<&str>,
    column: &str,
) -> Result<&'r str, Failure> {
    std::str::from_utf8(record.get(at).unwrap_or_default()).map_err(|_| {
        Failure::run(format!(
            "{}: the cell is not valid UTF-8",
            location(Some(line), id, Some(column))
        ))
    })
}

/// Counts the line breaks in what the CSV reader reads, so that a row is named by the line it
/// starts on in the file. (`csv::Position::line` lags by one line per record after a CRLF line
/// ending and does not count skipped blank lines: BurntSushi/rust-csv#395.)
///
/// It keeps the runs of line-break bytes between the last row asked about and what the CSV
/// reader has read ahead, so its memory is bounded by the reader's buffer.
pub struct Lines<R> {
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
    pub fn new(inner: R) -> Self {
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
    pub fn line_at(&mut self, start: u64) -> u64 {
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

/// A CSV file that cannot be read (an I/O error, or a quote left open).
pub fn read_failed(path: &str, e: &csv::Error) -> Failure {
    Failure::run(format!("cannot read {path}: {e}"))
}

/// `row 3 (id "p02"), column "9"`: as much of a location as is known.
pub fn location(row: Option<u64>, id: Option<&str>, column: Option<&str>) -> String {
    let mut at = String::new();
    if let Some(row) = row {
        let _ = write!(at, "row {row}");
        if let Some(id) = id {
            let _ = write!(at, " (id {id:?})");
        }
    }
    if let Some(column) = column {
        if !at.is_empty() {
            at.push_str(", ");
        }
        let _ = write!(at, "column {column:?}");
    }
    at
}

/// Like [`position`], but a name missing from the header is an error that lists the header's
/// columns (the first 40), so that a misspelt name is easy to correct.
pub fn column(names: &[Option<&str>], name: &str, named_in: &str) -> Result<usize, Failure> {
    position(names, name, named_in).map_err(|e| {
        if names.contains(&Some(name)) {
            return e;
        }
        const SHOWN: usize = 40;
        let mut list = names
            .iter()
            .take(SHOWN)
            .map(|n| format!("{:?}", n.unwrap_or("(not UTF-8)")))
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > SHOWN {
            let _ = write!(list, " and {} more", names.len() - SHOWN);
        }
        if names.iter().all(|n| *n == Some("")) {
            return Failure::run(format!(
                "the header has no column {name:?} (named in {named_in}); it names no columns \
                 (is the file empty?)"
            ));
        }
        Failure::run(format!(
            "the header has no column {name:?} (named in {named_in}); its columns are {list}"
        ))
    })
}

/// A numeric cell: `None` when empty or equal to the `na` token (missing), else a finite number;
/// anything else is an error at `at` (a [`location`]).
pub fn number(
    text: &str,
    na: Option<&str>,
    at: impl FnOnce() -> String,
) -> Result<Option<f64>, Failure> {
    if text.is_empty() || na == Some(text) {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(Failure::run(format!(
            "{}: {text:?} is not a finite number",
            at()
        ))),
        Err(_) => Err(Failure::run(format!("{}: {text:?} is not a number", at()))),
    }
}

/// A numeric cell for the change statistics: as [`number`], and refused (naming the row and
/// column) beyond the magnitudes the library computes with, as it would refuse it.
pub fn statistic_value(
    text: &str,
    na: Option<&str>,
    at: impl Fn() -> String,
) -> Result<Option<f64>, Failure> {
    let value = number(text, na, &at)?;
    if let Some(v) = value {
        let a = v.abs();
        if a > 1e100 || (a != 0.0 && a < 1e-100) {
            return Err(Failure::run(format!(
                "{}: {text:?} is outside the magnitudes change statistics accept (0, or 1e-100 \
                 to 1e100 in absolute value)",
                at()
            )));
        }
    }
    Ok(value)
}

/// The token of `--na` (e.g. `NA`, as R writes): cells equal to it are missing too.
pub fn na_token(na: Option<&str>) -> Result<Option<String>, Failure> {
    match na.map(str::trim) {
        Some("") => Err(Failure::usage(
            "--na needs a token (empty cells are missing already)",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A session number: a whole number from 0 to 4294967295, written as an integer (`3`) or as a
/// number with no fraction (`3.0`, as some programs export integers); `None` otherwise.
pub fn session_number(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let v = text.parse::<f64>().ok()?;
    // In range and whole, so the conversion is exact (-0.0 becomes 0).
    (v.is_finite() && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v))
        .then_some(v as u32)
}

/// The id, time and score column names of a long table: each required, not empty, and three
/// different columns.
pub fn long_columns(given: [(&str, Option<&str>); 3]) -> Result<[String; 3], Failure> {
    let mut names: Vec<(&str, &str)> = Vec::with_capacity(3);
    for (flag, value) in given {
        let name = value
            .ok_or_else(|| Failure::usage(format!("{flag} COLUMN is required")))?
            .trim();
        if name.is_empty() {
            return Err(Failure::usage(format!("{flag} needs a column name")));
        }
        if let Some((other, _)) = names.iter().find(|(_, n)| *n == name) {
            return Err(Failure::usage(format!(
                "{other} and {flag} both name column {name:?}"
            )));
        }
        names.push((flag, name));
    }
    match names.as_slice() {
        [(_, id), (_, time), (_, score)] => {
            Ok([(*id).to_owned(), (*time).to_owned(), (*score).to_owned()])
        }
        _ => Err(Failure::usage("--id, --time and --score are required")),
    }
}

/// One row of a long table of session scores.
pub struct LongRow {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    pub id: String,
    pub session: u32,
    /// `None` for an empty score cell: a missed session.
    pub score: Option<f64>,
}

/// Reads a long table (one row per client and session) from `path`: the client id, session
/// number and score columns named by `columns`, each with the flag that named it (`("--id",
/// "id")`); a score equal to `na` is missing, as an empty one is. An empty id or session, a
/// session that is not a whole number, a score that is not a number, or a (client, session)
/// given twice is an error naming the row and column.
pub fn long_rows(
    path: &str,
    columns: [(&str, &str); 3],
    na: Option<&str>,
) -> Result<Vec<LongRow>, Failure> {
    let mut reader = open(path)?;
    let header = reader
        .byte_headers()
        .map_err(|e| read_failed(path, &e))?
        .clone();
    let names = names(&header);
    let [
        (id_flag, id_name),
        (time_flag, time_name),
        (score_flag, score_name),
    ] = columns;
    let id_at = column(&names, id_name, id_flag)?;
    let time_at = column(&names, time_name, time_flag)?;
    let score_at = column(&names, score_name, score_flag)?;
    let mut seen: std::collections::HashMap<(String, u32), u64> = Default::default();
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_row(&mut reader, &mut record, header.len(), path)? {
        let id = cell(&record, id_at, line, None, id_name)?;
        if id.is_empty() {
            return Err(Failure::run(format!(
                "{}: no client id",
                location(Some(line), None, Some(id_name))
            )));
        }
        let at = |column: &str| location(Some(line), Some(id), Some(column));
        let time = cell(&record, time_at, line, Some(id), time_name)?;
        if time.is_empty() {
            return Err(Failure::run(format!(
                "{}: no session number",
                at(time_name)
            )));
        }
        let session = session_number(time).ok_or_else(|| {
            Failure::run(format!(
                "{}: {time:?} is not a session number (a whole number from 0)",
                at(time_name)
            ))
        })?;
        let text = cell(&record, score_at, line, Some(id), score_name)?;
        let score = statistic_value(text, na, || at(score_name))?;
        if let Some(first) = seen.insert((id.to_owned(), session), line) {
            return Err(Failure::run(format!(
                "{}: client {id:?} has session {session} twice (first in row {first})",
                location(Some(line), Some(id), Some(time_name))
            )));
        }
        rows.push(LongRow {
            line,
            id: id.to_owned(),
            session,
            score,
        });
    }
    Ok(rows)
}

/// The library's table of `rows`; an error it finds in a row (a client id it refuses) is named
/// by the row's line and the id column.
pub fn session_table(
    rows: &[LongRow],
    id_column: &str,
) -> Result<therapeutic_alliance::SessionTable, Failure> {
    therapeutic_alliance::SessionTable::from_rows(
        rows.iter().map(|r| (r.id.as_str(), r.session, r.score)),
    )
    .map_err(|e| {
        let line = e
            .row()
            .and_then(|i| usize::try_from(i).ok()?.checked_sub(1))
            .and_then(|i| rows.get(i))
            .map(|r| r.line);
        let at = location(line, None, line.map(|_| id_column));
        if at.is_empty() {
            Failure::run(e.kind().to_string())
        } else {
            Failure::run(format!("{at}: {}", e.kind()))
        }
    })
}

/// Where the columns of a file of one client's sessions are: `session`, optional `date` and
/// `client`, and one column per item (`alliance monitor`, `alliance plot`).
pub struct SessionColumns {
    session_at: usize,
    date_at: Option<usize>,
    client_at: Option<usize>,
    items: Vec<(usize, String)>,
}

impl SessionColumns {
    pub fn new(header: &csv::ByteRecord, inst: &Instrument) -> Result<Self, Failure> {
        let names = unique_names(header)?;
        let find = |name: &str| names.iter().position(|&n| n == name);
        let session_at =
            find("session").ok_or_else(|| Failure::run("the header has no column \"session\""))?;
        let (date_at, client_at) = (find("date"), find("client"));
        let items = item_columns(
            &names,
            inst,
            |col| col == session_at || Some(col) == date_at || Some(col) == client_at,
            |col, name| {
                format!(
                    "column {col} ({name:?}) is neither session, date, client nor an item of {}",
                    inst.id()
                )
            },
        )?;
        Ok(SessionColumns {
            session_at,
            date_at,
            client_at,
            items,
        })
    }

    /// The administration of one row at line `line`.
    pub fn read(
        &self,
        inst: &Instrument,
        record: &csv::ByteRecord,
        line: u64,
        na: Option<&str>,
    ) -> Result<Administration, Failure> {
        let session_text = cell(record, self.session_at, line, None, "session")?;
        let at = |column: &str| location(Some(line), None, Some(column));
        if session_text.is_empty() {
            return Err(Failure::run(format!(
                "{}: no session number",
                at("session")
            )));
        }
        let session: u32 = session_text.parse().map_err(|_| {
            Failure::run(format!(
                "{}: {session_text:?} is not a session number (a whole number from 0 to 4294967295)",
                at("session")
            ))
        })?;
        let mut builder = Administration::builder(inst).session(session);
        if let Some(date_at) = self.date_at {
            let text = cell(record, date_at, line, None, "date")?;
            if !text.is_empty() {
                let date: Date = text
                    .parse()
                    .map_err(|e| Failure::run(format!("{}: {e}", at("date"))))?;
                builder = builder.date(date);
            }
        }
        if let Some(client_at) = self.client_at {
            let text = cell(record, client_at, line, None, "client")?;
            if !text.is_empty() {
                builder = builder.client(text);
            }
        }
        let builder =
            answers(builder, &self.items, record, line, None, na).map_err(Failure::Run)?;
        builder
            .build()
            .map_err(|e| Failure::Run(located(&e.at_row(line).at_column("client"), None)))
    }
}
