//! Reading CSV files, as every command that takes `--csv` reads them: through the library's
//! `csv` module (`Table` for tables of numbers, `Layout` for answers to an instrument), which
//! trims spaces around cells, accepts a UTF-8 byte-order mark, quoted fields, CRLF line endings
//! and blank lines, and names each row by the line it starts on (the header being line 1). What
//! is here words the library's errors for the command line.

use std::fmt::Write as _;
use std::fs::File;

use therapeutic_alliance::csv::{Column, Layout, Reader, Record, Row, RowError, Table};
use therapeutic_alliance::{Error, ErrorKind, Instrument};

use crate::Failure;

/// The table of `path`, its header read.
pub fn open(path: &str) -> Result<Table<File>, Failure> {
    let file = File::open(path).map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    Table::new(file).map_err(|e| failed(path, &e))
}

/// A library error reading `path` as one line: an I/O error as `cannot read PATH: ...`, any
/// other as the library words it (row, id and column first).
pub fn failed(path: &str, e: &Error) -> Failure {
    match e.kind() {
        ErrorKind::Io { source, .. } => {
            Failure::worded(format!("cannot read {path}: {source}"), e.clone())
        }
        _ => Failure::from(e.clone()),
    }
}

/// A row's error reading `path` as one line, as [`failed`], with the record's id (which the
/// library keeps out of its errors) after the row: `row 3 (id "p02"), column "9": ...`.
pub fn row_failed(path: &str, e: RowError) -> Failure {
    match e.error().kind() {
        ErrorKind::Io { .. } => failed(path, e.error()),
        _ => Failure::from(e),
    }
}

/// The message of `e` with the record's id added to its location.
pub fn with_id(e: &Error, id: Option<&str>) -> String {
    let at = location(e.row(), id, e.column());
    if at.is_empty() {
        e.kind().to_string()
    } else {
        format!("{at}: {}", e.kind())
    }
}

/// The header's column names, for [`position`] and [`column()`].
pub fn names(header: &[String]) -> Vec<Option<&str>> {
    header.iter().map(|n| Some(n.as_str())).collect()
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

/// The next row that is not blank; `None` at the end of the file. A row with another number of
/// fields than the header is an error naming its line.
pub fn next_row<'t>(table: &'t mut Table<File>, path: &str) -> Result<Option<Record<'t>>, Failure> {
    let record = table.next_record().map_err(|e| failed(path, &e))?;
    if let Some(record) = &record {
        record.check_width().map_err(Failure::from)?;
    }
    Ok(record)
}

/// The text of the cell at `at`, trimmed; an error naming the row (and the row's `id`, if
/// known) and the column if it is not valid UTF-8.
pub fn cell<'r>(record: &Record<'r>, at: usize, id: Option<&str>) -> Result<&'r str, Failure> {
    record.text(at).map_err(|e| match id {
        Some(id) => Failure::worded(with_id(&e, Some(id)), e).input_id(id),
        None => Failure::from(e),
    })
}

/// `row 3 (id "p02"), column "9"`: as much of a location as is known.
pub fn location(row: Option<u64>, id: Option<&str>, column: Option<&str>) -> String {
    let mut at = String::new();
    if let Some(row) = row {
        let _ = write!(at, "row {row}");
        if let Some(id) = id {
            let _ = write!(at, " (id {:?})", crate::output::shown(id));
        }
    }
    if let Some(column) = column {
        if !at.is_empty() {
            at.push_str(", ");
        }
        let _ = write!(at, "column {:?}", crate::output::shown(column));
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
    read_long(path, columns, na, &Times::Sessions)
}

/// Reads the rows of a long table whose time cell is one of two `labels` (as `alliance rci`
/// matches times: as numbers where both are numbers, else as text), as sessions 0 and 1; rows of
/// other times are skipped. Errors as [`long_rows`] gives them.
pub fn labeled_rows(
    path: &str,
    columns: [(&str, &str); 3],
    na: Option<&str>,
    labels: [String; 2],
) -> Result<Vec<LongRow>, Failure> {
    read_long(path, columns, na, &Times::Labels(labels))
}

/// How a long table's time cell becomes a session.
enum Times {
    /// A session number in every row.
    Sessions,
    /// One of two labels, read as sessions 0 and 1; rows of other times are skipped.
    Labels([String; 2]),
}

/// The reader behind [`long_rows`] and [`labeled_rows`].
fn read_long(
    path: &str,
    columns: [(&str, &str); 3],
    na: Option<&str>,
    times: &Times,
) -> Result<Vec<LongRow>, Failure> {
    let mut reader = open(path)?;
    let header = reader.header().to_vec();
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
    while let Some(record) = next_row(&mut reader, path)? {
        let line = record.line();
        let id = cell(&record, id_at, None)?;
        if id.is_empty() {
            return Err(Failure::run(format!(
                "{}: no client id",
                location(Some(line), None, Some(id_name))
            )));
        }
        let at = |column: &str| location(Some(line), Some(id), Some(column));
        let time = cell(&record, time_at, Some(id))?;
        let session = match times {
            Times::Sessions => {
                if time.is_empty() {
                    return Err(
                        Failure::run(format!("{}: no session number", at(time_name))).input_id(id),
                    );
                }
                session_number(time).ok_or_else(|| {
                    Failure::run(format!(
                        "{}: {time:?} is not a session number (a whole number from 0)",
                        at(time_name)
                    ))
                    .input_id(id)
                })?
            }
            Times::Labels(labels) => {
                let Some(session) = labels
                    .iter()
                    .position(|l| crate::rci::same_time(time, l))
                    .and_then(|i| u32::try_from(i).ok())
                else {
                    continue;
                };
                session
            }
        };
        let text = cell(&record, score_at, Some(id))?;
        let score = statistic_value(text, na, || at(score_name)).map_err(|f| f.input_id(id))?;
        if let Some(first) = seen.insert((id.to_owned(), session), line) {
            let what = match times {
                Times::Sessions => format!("session {session}"),
                Times::Labels(_) => format!("time {:?}", crate::output::shown(time)),
            };
            return Err(Failure::run(format!(
                "{}: client {:?} has {what} twice (first in row {first})",
                at(time_name),
                crate::output::shown(id)
            ))
            .input_id(id));
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
) -> Result<therapeutic_alliance::change::SessionTable, Failure> {
    therapeutic_alliance::change::SessionTable::from_rows(
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
            Failure::worded(e.kind().to_string(), e)
        } else {
            Failure::worded(format!("{at}: {}", e.kind()), e)
        }
    })
}

/// The layout of a file of one client's sessions (`alliance monitor`, `alliance plot`): a
/// `session` column, optional `date` and `client` columns, and one column per item; cells
/// equal to `na` are unanswered too.
fn session_layout(na: Option<&str>) -> Layout {
    let layout = Layout::wide()
        .id(Column::optional("client"))
        .session("session")
        .date(Column::optional("date"));
    match na {
        Some(token) => layout.missing(token),
        None => layout,
    }
}

/// A reader of one client's sessions of `inst` in `path`; a header error in the command's
/// words.
pub fn sessions(path: &str, inst: &Instrument, na: Option<&str>) -> Result<Reader<File>, Failure> {
    let file = File::open(path).map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    session_layout(na).reader(file, inst).map_err(|e| {
        let message = match e.kind() {
            ErrorKind::UnknownColumn {
                instrument,
                column,
                position,
                ..
            } => format!(
                "column {position} ({column:?}) is neither session, date, client nor an item of {instrument}"
            ),
            ErrorKind::MissingColumn { column, .. } => {
                format!("the header has no column {column:?}")
            }
            _ => return failed(path, &e),
        };
        Failure::worded(message, e)
    })
}

/// One session as [`sessions`] reads it: an error (naming the row and column) for a bad row or
/// a row without a session number.
pub fn session(row: Result<Row, RowError>, path: &str) -> Result<Row, Failure> {
    let row = row.map_err(|e| row_failed(path, e))?;
    if row.administration().session().is_none() {
        return Err(Failure::run(format!(
            "{}: no session number",
            location(Some(row.line()), None, Some("session"))
        )));
    }
    Ok(row)
}
