//! Scoring a wide file straight through: [`ScoreStream`] reads a wide CSV file in line-aligned
//! chunks, parses each plain row's bytes straight into answer units by a column plan fixed once
//! from the header, scores each chunk as a [`ResponseMatrix`] in one batch, and writes the
//! scores as CSV (or JSON reports) without a per-row allocation; chunks are parsed and scored on
//! every core with the `parallel` feature and written in input order, byte for byte what one
//! thread writes. The text repeated from row to row of JSON reports is spliced in as the output
//! is written, in pieces small enough to stay in the CPU's caches.
//!
//! Every row that is not plain (quoted cells, a bad cell, a non-ASCII id, a wrong width) is read
//! by the same code as [`Reader`](super::Reader) reads it, so the output and every error are
//! those of reading the file with [`Layout::reader`] and writing it with
//! [`ScoreWriter`](super::ScoreWriter).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::{Cursor, Read, Write};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use crate::instruments::Instrument;
use crate::matrix::ResponseMatrix;
use crate::scoring::{self, Metric, Tally};

use super::group::{Seen, fingerprint};
use super::layout::{Format, Layout, RepeatCheck};
use super::plan::{Plan, WideRow, check_names, session_number};
use super::read::{Row, RowError, Skipped};
use super::table::{Record, Table};
use super::write::{ScoreWriter, io_error};

/// Bytes of input per chunk (cut after the last line break in it).
const CHUNK: usize = 1 << 20;

/// Chunks given to the threads at a time: memory stays at a few chunks whatever the file.
#[cfg(feature = "parallel")]
fn batch_chunks() -> usize {
    2 * rayon::current_num_threads().max(1)
}

#[cfg(not(feature = "parallel"))]
fn batch_chunks() -> usize {
    1
}

/// What a [`ScoreStream`] writes.
///
/// ```
/// use therapeutic_alliance::csv::ScoreFormat;
///
/// assert_eq!(ScoreFormat::default(), ScoreFormat::Csv);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScoreFormat {
    /// Wide CSV, as [`ScoreWriter`](super::ScoreWriter) writes it: `id`, `session` if the
    /// layout's session column is in the header, the pass-through columns, then the scores.
    #[default]
    Csv,
    /// One JSON document: `{"instrument": {id, version, name, digest}, "missing_rule": "...",
    /// "rows": [{"id", "keep", "report"}, ...]}`, one row a line, each report as
    /// [`Report`](crate::Report) serializes (`keep`, an object of the pass-through cells, only
    /// when the layout keeps columns).
    #[cfg(feature = "serde")]
    Json,
}

/// What a [`ScoreStream`] did: rows written and rows that failed.
///
/// ```
/// use therapeutic_alliance::{catalog, csv::Layout};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let stream = Layout::wide().score_stream("id,1,2,3,4\na,9,9,9,9\nb,9,99,9,9\n".as_bytes(), &srs)?;
/// let mut out = Vec::new();
/// let done = stream.write_to(&mut out, |_| std::ops::ControlFlow::Continue(()))?;
/// assert_eq!((done.written, done.failed), (1, 1));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Streamed {
    /// Rows scored and written.
    pub written: u64,
    /// Errors given to the error handler (a row with two bad cells counts twice).
    pub failed: u64,
}

/// A wide CSV file scored straight to CSV or JSON, fast: made by [`Layout::score_stream`], which
/// reads the header; [`ScoreStream::write_to`] reads the rows and writes their scores.
///
/// The output is what reading the file with [`Layout::reader`] and writing each row with a
/// [`ScoreWriter`](super::ScoreWriter) gives (the same bytes; the same errors, located by row
/// and column, the record's id beside them in the [`RowError`]), in a fraction of the time: a
/// plain row (no quotes, ASCII numbers) is parsed straight from its bytes into answer units, a
/// chunk of rows is scored at once as a [`ResponseMatrix`], and with the `parallel` feature
/// the chunks are parsed and scored on every core and written in input order. Memory stays at
/// a few chunks of 1 MiB, plus the memory of the layout's
/// [`RepeatCheck`](super::RepeatCheck).
///
/// The output is given to the writer in pieces of about 256 KiB, so a file or standard output
/// needs no [`BufWriter`](std::io::BufWriter) around it. JSON reports
/// repeat most of their text from row to row (the instrument; the scores, labels and ranges of
/// every row with the same answered counts and sums): a chunk holds each row's own text (its
/// id, session, pass-through cells) and a reference to the shared text, made once and copied
/// into the piece as the piece is written, so the bytes are still in the CPU's caches when the
/// writer (the kernel, for a file) copies them.
///
/// ```
/// use std::ops::ControlFlow;
/// use therapeutic_alliance::{catalog, csv::Layout, Metric};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let wai = catalog::require("wai-sr")?;
/// let text = "id,1,2,3,4,5,6,7,8,9,10,11,12\n\
///             p01,4,4,5,3,5,4,4,3,5,4,,4\n\
///             p02,4,4,5,3,5,4,4,3,9,4,4,4\n";
/// let stream = Layout::wide().score_stream(text.as_bytes(), &wai)?.metric(Metric::Sum);
/// let mut out = Vec::new();
/// let mut errors = Vec::new();
/// stream.write_to(&mut out, |e| {
///     errors.push(e.to_string());
///     ControlFlow::Continue(())
/// })?;
/// assert_eq!(String::from_utf8_lossy(&out), "id,goals,collaboration,bond,total\n\
///                                           p01,13.333333333333334,16,19,48.333333333333336\n");
/// assert_eq!(errors, ["row 3, column \"9\": item 9: value 9 is outside the response range 1 to 5"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ScoreStream<R> {
    source: Source<R>,
    shared: Shared,
    seen: Repeats,
    parallel: bool,
}

/// The administrations read so far, in shards by fingerprint (every repeat check of a shard is
/// in input order, so the shards are checked side by side with the same result).
#[derive(Debug)]
struct Repeats {
    shards: Vec<Seen>,
}

/// A fingerprint to check: the fingerprint, the row's line, the chunk and the event.
type Check = (u128, u64, usize, usize);

impl Repeats {
    fn new(check: RepeatCheck) -> Self {
        // The recent check remembers the last two administrations of the file: one shard.
        let n = if check == RepeatCheck::Every { 16 } else { 1 };
        Repeats {
            shards: (0..n).map(|_| Seen::new(check)).collect(),
        }
    }

    /// The repeats among the rows of `outs`: (chunk, event, first row), in input order.
    fn check(&mut self, outs: &[ChunkOut], parallel: bool) -> Vec<(usize, usize, u64)> {
        let n = self.shards.len();
        let mut lists: Vec<Vec<Check>> = vec![Vec::new(); n];
        for (c, out) in outs.iter().enumerate() {
            for (e, event) in out.events.iter().enumerate() {
                if let Event::Row {
                    fingerprint: Some(f),
                    line,
                    ..
                } = event
                {
                    let shard = (*f >> 124) as usize % n;
                    if let Some(list) = lists.get_mut(shard) {
                        list.push((*f, *line, c, e));
                    }
                }
            }
        }
        let run = |(seen, list): (&mut Seen, &Vec<Check>)| -> Vec<(usize, usize, u64)> {
            list.iter()
                .filter_map(|&(f, line, c, e)| seen.check(f, line).map(|first| (c, e, first)))
                .collect()
        };
        let _ = parallel;
        #[cfg(feature = "parallel")]
        let found: Vec<Vec<(usize, usize, u64)>> = if parallel {
            use rayon::prelude::*;
            self.shards
                .par_iter_mut()
                .zip(lists.par_iter())
                .map(run)
                .collect()
        } else {
            self.shards.iter_mut().zip(lists.iter()).map(run).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let found: Vec<Vec<(usize, usize, u64)>> =
            self.shards.iter_mut().zip(lists.iter()).map(run).collect();
        let mut all: Vec<(usize, usize, u64)> = found.into_iter().flatten().collect();
        all.sort_unstable();
        all
    }
}

/// Where the rows come from.
#[derive(Debug)]
enum Source<R> {
    /// Plain so far: the input, the bytes read but not yet used, and the line they start on.
    Plain {
        input: R,
        pending: Vec<u8>,
        line: u64,
    },
    /// Read record by record (quotes or lone carriage returns in the file).
    Table(Box<Table<Chain<R>>>),
    /// Between the two.
    Switching,
}

/// The bytes read ahead, then the rest of the input.
type Chain<R> = std::io::Chain<Cursor<Vec<u8>>, R>;

/// What a cell of a plain row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Session,
    Keep(usize),
    Item(usize),
    Other,
}

/// Everything the chunks share (read only).
#[derive(Debug)]
struct Shared {
    instrument: Instrument,
    plan: Plan,
    header: Vec<String>,
    header_line: u64,
    roles: Vec<Role>,
    /// Whether plain rows can be parsed straight (no therapist or date column).
    plain: bool,
    metric: Option<Metric>,
    format: ScoreFormat,
    /// The instrument's scale: decimals, and bounds in units.
    decimals: u32,
    min_units: i32,
    max_units: i32,
    /// Whether the rows are read into a matrix (nothing written).
    collect: bool,
    /// Input buffers of written chunks, for the next chunks.
    inputs: std::sync::Mutex<Vec<Vec<u8>>>,
    /// Output buffers (text and splices) of written chunks, for the next chunks.
    buffers: std::sync::Mutex<Vec<(Vec<u8>, Vec<Splice>)>>,
    /// Caches of serialized reports, one per thread at work.
    caches: std::sync::Mutex<Vec<Cache>>,
    /// The last [`ChunkOut::id`] given.
    outs: AtomicU64,
    /// A JSON report's start: `{"instrument":` and the instrument's summary.
    #[cfg(feature = "serde")]
    report_head: Arc<[u8]>,
    /// The JSON reports' ends made so far.
    #[cfg(feature = "serde")]
    tails: Tails,
}

/// A batch scored and passed through the repeat check, not yet written.
#[derive(Debug)]
struct Scored {
    /// The input chunks, each with the line it starts on.
    chunks: Vec<(Vec<u8>, u64)>,
    /// Their outputs.
    outs: Vec<ChunkOut>,
    /// The repeats among their rows: (chunk, event, first row), in input order.
    repeats: Vec<(usize, usize, u64)>,
}

/// A chunk parsed, scored and written, waiting to be passed through the repeat check in
/// input order.
#[derive(Debug, Default)]
struct ChunkOut {
    /// Which output this is (from [`Shared::new_out`]; 0 for none): the key of the caches'
    /// notes of which texts are already among its `blobs`.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    id: u64,
    /// The text of the rows, with the texts of `splices` left out.
    out: Vec<u8>,
    /// Texts the writer puts into `out` as it writes it: at the offset, the blob of the index
    /// (the report's start, a row's scores), in order. The rows' repeated text is copied once,
    /// as it is written, while it is in the CPU's caches.
    splices: Vec<Splice>,
    /// The texts of the splices.
    blobs: Vec<Arc<[u8]>>,
    events: Vec<Event>,
    /// The rows read, when reading into a matrix.
    matrix: Option<ResponseMatrix>,
}

/// A splice: at this offset of a chunk's text, the blob of this index.
type Splice = (usize, u32);

/// Where a text is among the blobs of the output it last went to: the output's
/// [`ChunkOut::id`] and the index.
#[cfg(feature = "serde")]
type Note = (u64, u32);

impl ChunkOut {
    /// Adds a splice of `text` at the end of `out`; `note` is a cache's note of where the text
    /// is among the blobs of the output it last went to, updated.
    #[cfg(feature = "serde")]
    fn splice(&mut self, text: &Arc<[u8]>, note: &mut Note) {
        if note.0 != self.id || self.id == 0 {
            let Ok(index) = u32::try_from(self.blobs.len()) else {
                self.out.extend_from_slice(text);
                return;
            };
            self.blobs.push(Arc::clone(text));
            *note = (self.id, index);
        }
        self.splices.push((self.out.len(), note.1));
    }
}

/// A row's id, for the error of a repeat: where it is in the chunk, or the text.
#[derive(Debug)]
enum Id {
    None,
    In(usize, usize),
    Text(String),
}

impl Id {
    fn of(id: Option<&str>) -> Self {
        id.map_or(Id::None, |s| Id::Text(s.to_owned()))
    }

    fn shown<'a>(&'a self, chunk: &'a [u8]) -> Option<std::borrow::Cow<'a, str>> {
        match self {
            Id::None => None,
            Id::In(a, b) => chunk.get(*a..*b).map(String::from_utf8_lossy),
            Id::Text(s) => Some(s.as_str().into()),
        }
    }
}

/// What happened on a row of a chunk, in order.
#[derive(Debug)]
enum Event {
    /// A row written to `out` up to `end`; its fingerprint to check, and its id (for the
    /// error of a repeat).
    Row {
        end: usize,
        line: u64,
        fingerprint: Option<u128>,
        id: Id,
    },
    /// A row that failed (one event per bad cell).
    Error(RowError),
}

impl Layout {
    /// Reads the wide file `input` into a [`ResponseMatrix`] of `instrument` (rows in file
    /// order), fast: plain rows straight from their bytes into answer units, chunks read on
    /// every core with the `parallel` feature. The rows are read and checked as
    /// [`Layout::reader`] reads them (ids, sessions and pass-through cells checked, then left
    /// out of the matrix; a repeated administration is an error), stopping at the first error.
    ///
    /// # Errors
    /// As [`Layout::score_stream`] for the header; the first bad row's first error, located by
    /// row and column (never by id); [`ErrorKind::Io`] if the input cannot be read.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::wide().no_id().ignore_other_columns(true);
    /// let m = layout.read_matrix("note,1,2,3,4\nx,9,9.5,,9\ny,8,8,8,8\n".as_bytes(), &srs)?;
    /// assert_eq!((m.rows(), m.value(0, 1)), (2, Some(9.5)));
    /// let err = layout.read_matrix("1,2,3,4\n9,9,9,9\n9,11,9,9\n".as_bytes(), &srs).unwrap_err();
    /// assert_eq!(err.to_string(), "row 3, column \"2\": item 2: value 11 is outside the response range 0 to 10");
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_matrix<R: Read>(
        &self,
        input: R,
        instrument: &Instrument,
    ) -> Result<ResponseMatrix> {
        let mut stream = ScoreStream::new(self, input, instrument)?;
        stream.shared.collect = true;
        let mut merge = Merge::default();
        let mut first = None;
        let _stopped = stream.run(&mut std::io::sink(), &mut merge, &mut |e: RowError| {
            first = Some(e.into_error());
            ControlFlow::Break(())
        })?;
        match first {
            Some(e) => Err(e),
            None => Ok(merge
                .matrix
                .unwrap_or_else(|| ResponseMatrix::new(instrument))),
        }
    }

    /// A [`ScoreStream`] of the wide file `input` for `instrument`: the header is read now.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a layout other than [`Layout::wide`] (read long files
    /// and REDCap exports with [`Layout::reader`]); otherwise as [`Layout::reader`]: the
    /// header's errors, located at its row and column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let err = Layout::wide().score_stream("id,1,2,3\n".as_bytes(), &srs).unwrap_err();
    /// assert_eq!(err.to_string(), "the header has no column for item 4 of srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_stream<R: Read>(
        &self,
        input: R,
        instrument: &Instrument,
    ) -> Result<ScoreStream<R>> {
        ScoreStream::new(self, input, instrument)
    }
}

/// Where the header ends, if the bytes read show it.
enum HeaderEnd {
    /// A plain header line on `line`, the data starting at byte `end`.
    Plain { end: usize, line: u64 },
    /// Quotes or a lone carriage return before the data: read record by record.
    Table,
    /// Read more.
    More,
}

fn header_end(buf: &[u8]) -> HeaderEnd {
    let mut pos = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line = 1u64;
    loop {
        let Some(rest) = buf.get(pos..) else {
            return HeaderEnd::More;
        };
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            return HeaderEnd::More;
        };
        let content = rest.get(..nl).unwrap_or_default();
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.iter().any(|&b| b == b'"' || b == b'\r') {
            return HeaderEnd::Table;
        }
        pos += nl + 1;
        if content.trim_ascii().is_empty() {
            line += 1;
            continue;
        }
        return HeaderEnd::Plain { end: pos, line };
    }
}

/// Whether a chunk can be cut into rows at its line breaks: no quotes, and every carriage
/// return ends a line (`\r\n`).
fn plain_chunk(chunk: &[u8]) -> bool {
    if chunk.contains(&b'"') {
        return false;
    }
    if !chunk.contains(&b'\r') {
        return true;
    }
    chunk
        .iter()
        .zip(chunk.iter().skip(1).chain([&b'x']))
        .all(|(&b, &next)| b != b'\r' || next == b'\n')
}

impl<R: Read> ScoreStream<R> {
    fn new(layout: &Layout, mut input: R, instrument: &Instrument) -> Result<Self> {
        if layout.format != Format::Wide {
            return Err(ErrorKind::InvalidOption {
                option: "layout",
                value: layout.format.to_string(),
                reason: "a score stream reads wide files; read long files and REDCap exports \
                         with Layout::reader"
                    .to_owned(),
            }
            .into());
        }
        let missing = layout.missing_tokens()?;
        check_names(layout)?;
        let mut buf = Vec::new();
        let mut eof = false;
        let found = loop {
            match header_end(&buf) {
                HeaderEnd::More if !eof => {
                    eof = read_more(&mut input, &mut buf, 1 << 16)?;
                }
                HeaderEnd::More | HeaderEnd::Table => break None,
                HeaderEnd::Plain { end, line } => break Some((end, line)),
            }
        };
        let plain = match found {
            Some((end, line)) => {
                let table = Table::new(buf.get(..end).unwrap_or_default())?;
                (table.header_line() == line).then_some((end, table))
            }
            None => None,
        };
        let (source, table_header, plan) = match plain {
            Some((end, table)) => {
                let plan = Plan::new(layout, &table, instrument, missing)?;
                let header = (table.header().to_vec(), table.header_line());
                let pending = buf.split_off(end);
                let source = Source::Plain {
                    input,
                    pending,
                    line: header.1 + 1,
                };
                (source, header, plan)
            }
            None => {
                // Quotes in the header, or an unusual file: every row through the table.
                let table = Table::new(Cursor::new(buf).chain(input))?;
                let plan = Plan::new(layout, &table, instrument, missing)?;
                let header = (table.header().to_vec(), table.header_line());
                (Source::Table(Box::new(table)), header, plan)
            }
        };
        let (header, header_line) = table_header;
        let mut roles = vec![Role::Other; header.len()];
        let mut set = |at: usize, role: Role| {
            if let Some(r) = roles.get_mut(at) {
                *r = role;
            }
        };
        if let Some(id) = &plan.id {
            set(id.at, Role::Id);
        }
        if let Some(s) = &plan.session {
            set(s.at, Role::Session);
        }
        for (k, named) in plan.keep.iter().enumerate() {
            set(named.at, Role::Keep(k));
        }
        for &(at, index, _) in &plan.items {
            set(at, Role::Item(index));
        }
        let scale = instrument.scale();
        #[cfg(feature = "serde")]
        let report_head = {
            let mut head = b"{\"instrument\":".to_vec();
            json(&mut head, &instrument.summary())?;
            Arc::from(head)
        };
        let shared = Shared {
            instrument: instrument.clone(),
            plain: plan.therapist.is_none() && plan.date.is_none(),
            plan,
            header,
            header_line,
            roles,
            metric: None,
            format: ScoreFormat::Csv,
            decimals: u32::from(scale.decimals()),
            min_units: scale.min_units(),
            max_units: scale.max_units(),
            caches: std::sync::Mutex::new(Vec::new()),
            buffers: std::sync::Mutex::new(Vec::new()),
            inputs: std::sync::Mutex::new(Vec::new()),
            collect: false,
            outs: AtomicU64::new(0),
            #[cfg(feature = "serde")]
            report_head,
            #[cfg(feature = "serde")]
            tails: Tails::default(),
        };
        Ok(ScoreStream {
            source,
            shared,
            seen: Repeats::new(layout.repeat_check()),
            parallel: true,
        })
    }

    /// One column per subscale and the total, named by its id, holding `metric` (CSV only;
    /// without it, every column of
    /// [`Instrument::score_columns`](crate::Instrument::score_columns)).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let stream = Layout::wide().score_stream("id,1,2,3,4\n".as_bytes(), &srs)?.metric(Metric::Pomp);
    /// assert_eq!(stream.columns()?, ["id", "goals", "collaboration", "bond", "global", "total"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.shared.metric = Some(metric);
        self
    }

    /// What to write (CSV by default).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Layout, ScoreFormat}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let stream = Layout::wide().score_stream("id,1,2,3,4\n".as_bytes(), &srs)?.format(ScoreFormat::Csv);
    /// assert_eq!(stream.columns()?.len(), 21);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn format(mut self, format: ScoreFormat) -> Self {
        self.shared.format = format;
        self
    }

    /// Reads and scores on one thread even with the `parallel` feature (the output is the
    /// same; for tests and comparisons).
    #[cfg(test)]
    fn one_thread(mut self) -> Self {
        self.parallel = false;
        self
    }

    /// The instrument.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let stream = Layout::wide().score_stream("id,1,2,3,4\n".as_bytes(), &catalog::require("srs")?)?;
    /// assert_eq!(stream.instrument().id(), "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.shared.instrument
    }

    /// The names of the pass-through columns, in the order written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let stream = Layout::wide().keep(["site"]).score_stream("id,site,1,2,3,4\n".as_bytes(), &srs)?;
    /// assert_eq!(stream.kept_columns().collect::<Vec<_>>(), ["site"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept_columns(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.shared.plan.keep.iter().map(|k| k.name.as_str())
    }

    /// Whether the rows have session numbers (a `session` column is written).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let stream = Layout::wide().session("s").score_stream("id,s,1,2,3,4\n".as_bytes(), &srs)?;
    /// assert!(stream.has_session());
    /// # Ok(())
    /// # }
    /// ```
    pub fn has_session(&self) -> bool {
        self.shared.plan.session.is_some()
    }

    /// The CSV columns written, as [`ScoreWriter::columns`] gives them.
    ///
    /// # Errors
    /// [`ErrorKind::ColumnConflict`] for a pass-through column named like a score column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let stream = Layout::wide().keep(["total"]).score_stream("id,total,1,2,3,4\n".as_bytes(), &srs)?;
    /// assert_eq!(stream.metric(Metric::Sum).columns().unwrap_err().code(), "column_conflict");
    /// # Ok(())
    /// # }
    /// ```
    pub fn columns(&self) -> Result<Vec<String>> {
        self.writer(std::io::sink()).columns()
    }

    /// A score writer with this stream's columns.
    fn writer<W: Write>(&self, output: W) -> ScoreWriter<W> {
        let w = ScoreWriter::new(output, &self.shared.instrument)
            .session(self.has_session())
            .keep(self.kept_columns());
        match self.shared.metric {
            Some(m) => w.metric(m),
            None => w,
        }
    }

    /// Reads every row, writing the scores of each good row to `output` (the CSV header or the
    /// JSON document's start first) and giving each error to `on_error`, in input order:
    /// [`ControlFlow::Break`] stops there (the rows before it are written, none after), and
    /// [`ControlFlow::Continue`] goes on. Errors are located by row and column, never by id
    /// (the id is beside the error: [`RowError::record_id`]).
    ///
    /// # Errors
    /// [`ErrorKind::ColumnConflict`] as [`ScoreStream::columns`] (nothing written);
    /// [`ErrorKind::Io`] if the input cannot be read or the output written. Bad rows are not
    /// errors here: they go to `on_error`.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use therapeutic_alliance::{catalog, csv::Layout, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,1,2,3,4\na,9,9,9,9\nb,9,x,9,9\nc,8,8,8,8\n";
    /// let stream = Layout::wide().score_stream(text.as_bytes(), &srs)?.metric(Metric::Sum);
    /// let mut out = Vec::new();
    /// let mut ids = Vec::new();
    /// let done = stream.write_to(&mut out, |e| {
    ///     ids.push(e.record_id().map(str::to_owned));
    ///     ControlFlow::Break(())
    /// })?;
    /// assert_eq!(String::from_utf8_lossy(&out), "id,goals,collaboration,bond,global,total\na,9,9,9,9,36\n");
    /// assert_eq!((done.written, ids), (1, vec![Some("b".to_owned())]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_to<W: Write>(
        mut self,
        mut output: W,
        mut on_error: impl FnMut(RowError) -> ControlFlow<()>,
    ) -> Result<Streamed> {
        let columns = self.columns()?;
        let mut merge = Merge::default();
        match self.shared.format {
            ScoreFormat::Csv => {
                let mut w = ::csv::WriterBuilder::new().from_writer(Vec::new());
                w.write_record(&columns)
                    .map_err(|e| io_error("write", super::write::csv_io(e)))?;
                let head = w
                    .into_inner()
                    .map_err(|e| io_error("write", e.into_error()))?;
                output.write_all(&head).map_err(|e| io_error("write", e))?;
            }
            #[cfg(feature = "serde")]
            ScoreFormat::Json => {
                merge.json = true;
                let inst = &self.shared.instrument;
                let mut head = b"{\"instrument\":".to_vec();
                json(&mut head, &inst.summary())?;
                head.extend_from_slice(b",\"missing_rule\":");
                json(&mut head, &inst.missing().to_string())?;
                head.extend_from_slice(b",\"rows\":[");
                output.write_all(&head).map_err(|e| io_error("write", e))?;
            }
        }
        let _stopped = self.run(&mut output, &mut merge, &mut on_error)?;
        merge.flush(&mut output)?;
        #[cfg(feature = "serde")]
        if self.shared.format == ScoreFormat::Json {
            output
                .write_all(b"\n]}\n")
                .map_err(|e| io_error("write", e))?;
        }
        output.flush().map_err(|e| io_error("write", e))?;
        Ok(Streamed {
            written: merge.written,
            failed: merge.failed,
        })
    }

    /// Reads, scores and writes every row. With the `parallel` feature, one batch of chunks is
    /// parsed, scored and passed through the repeat check on the thread pool while the batch
    /// before it is written on this thread.
    fn run<W: Write>(
        &mut self,
        output: &mut W,
        merge: &mut Merge,
        on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        // The batch scored and checked, not yet written.
        let mut ready: Option<Scored> = None;
        loop {
            let next = match &mut self.source {
                Source::Switching => None,
                Source::Table(_) => None,
                Source::Plain {
                    input,
                    pending,
                    line,
                } => Some(next_chunks(input, pending, line, &self.shared)?),
            };
            let Some((chunks, eof, rest)) = next else {
                if let Some(batch) = ready.take()
                    && self.write_batch(batch, output, merge, on_error)?.is_break()
                {
                    return Ok(ControlFlow::Break(()));
                }
                return match &mut self.source {
                    Source::Table(table) => {
                        table_rows(table, &self.shared, &mut self.seen, output, merge, on_error)
                    }
                    _ => Ok(ControlFlow::Continue(())),
                };
            };
            let (batch, flow) = self.score_and_write(chunks, ready.take(), output, merge, on_error);
            if flow?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            ready = Some(batch);
            if let Some(mut chunk) = rest {
                // Quoted cells (or lone carriage returns) from here: the rest is read record
                // by record (after the batch before it is written).
                if let Some(batch) = ready.take()
                    && self.write_batch(batch, output, merge, on_error)?.is_break()
                {
                    return Ok(ControlFlow::Break(()));
                }
                if let Source::Plain {
                    input,
                    mut pending,
                    line,
                } = std::mem::replace(&mut self.source, Source::Switching)
                {
                    chunk.append(&mut pending);
                    let table = Table::continuing(
                        Cursor::new(chunk).chain(input),
                        self.shared.header.clone(),
                        self.shared.header_line,
                        line,
                    );
                    self.source = Source::Table(Box::new(table));
                }
                continue;
            }
            if eof {
                if let Some(batch) = ready.take() {
                    return self.write_batch(batch, output, merge, on_error);
                }
                return Ok(ControlFlow::Continue(()));
            }
        }
    }

    /// Scores `chunks` and passes them through the repeat check (every batch before them has
    /// passed), while the batch before them (if any) is written.
    fn score_and_write<W: Write>(
        &mut self,
        chunks: Vec<(Vec<u8>, u64)>,
        before: Option<Scored>,
        output: &mut W,
        merge: &mut Merge,
        on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
    ) -> (Scored, Result<ControlFlow<()>>) {
        let (shared, seen, parallel) = (&self.shared, &mut self.seen, self.parallel);
        let score = |seen: &mut Repeats| {
            let outs = score_chunks(shared, &chunks, parallel);
            let repeats = seen.check(&outs, parallel);
            (outs, repeats)
        };
        let Some(before) = before else {
            let (outs, repeats) = score(seen);
            return (
                Scored {
                    chunks,
                    outs,
                    repeats,
                },
                Ok(ControlFlow::Continue(())),
            );
        };
        #[cfg(feature = "parallel")]
        if parallel {
            let mut done = None;
            let flow = rayon::in_place_scope(|scope| {
                scope.spawn(|_| done = Some(score(seen)));
                write_batch(shared, before, output, merge, on_error)
            });
            let (outs, repeats) = done.unwrap_or_default();
            return (
                Scored {
                    chunks,
                    outs,
                    repeats,
                },
                flow,
            );
        }
        let flow = write_batch(shared, before, output, merge, on_error);
        let (outs, repeats) = score(seen);
        (
            Scored {
                chunks,
                outs,
                repeats,
            },
            flow,
        )
    }

    /// Writes a scored and checked batch, in input order.
    fn write_batch<W: Write>(
        &mut self,
        batch: Scored,
        output: &mut W,
        merge: &mut Merge,
        on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        write_batch(&self.shared, batch, output, merge, on_error)
    }
}

/// Writes the rows and gives the errors of a scored and checked batch, in input order; its
/// input buffers go back to the pool.
fn write_batch<W: Write>(
    shared: &Shared,
    batch: Scored,
    output: &mut W,
    merge: &mut Merge,
    on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
) -> Result<ControlFlow<()>> {
    let Scored {
        chunks,
        outs,
        repeats,
    } = batch;
    let mut flow = Ok(ControlFlow::Continue(()));
    let mut repeats = repeats.as_slice();
    for (c, (mut out, (input, _))) in outs.into_iter().zip(&chunks).enumerate() {
        merge.append(out.matrix.take());
        let here = repeats.iter().take_while(|r| r.0 == c).count();
        let (mine, rest) = repeats.split_at(here);
        repeats = rest;
        flow = merge.chunk(&mut out, input, mine, shared, output, on_error);
        if !matches!(flow, Ok(ControlFlow::Continue(()))) {
            break;
        }
    }
    shared.give_inputs(chunks);
    flow
}

/// Parses and scores chunks, on every core when the feature and `parallel` allow.
fn score_chunks(shared: &Shared, chunks: &[(Vec<u8>, u64)], parallel: bool) -> Vec<ChunkOut> {
    #[cfg(feature = "parallel")]
    if parallel && chunks.len() > 1 {
        use rayon::prelude::*;
        return chunks
            .par_iter()
            .map(|(c, line)| shared.chunk(c, *line))
            .collect();
    }
    let _ = parallel;
    chunks
        .iter()
        .map(|(c, line)| shared.chunk(c, *line))
        .collect()
}

/// The next chunks of plain lines, each with the line it starts on; whether the input ended;
/// and the chunk from which the file is no longer plain (to be read record by record).
#[allow(clippy::type_complexity)]
fn next_chunks<R: Read>(
    input: &mut R,
    pending: &mut Vec<u8>,
    line: &mut u64,
    shared: &Shared,
) -> Result<(Vec<(Vec<u8>, u64)>, bool, Option<Vec<u8>>)> {
    let mut chunks = Vec::new();
    let mut eof = false;
    while chunks.len() < batch_chunks() {
        while pending.len() < CHUNK && !eof {
            eof = read_more(input, pending, CHUNK - pending.len())?;
        }
        if pending.is_empty() {
            break;
        }
        let cut = if eof {
            pending.len()
        } else {
            match pending.iter().rposition(|&b| b == b'\n') {
                Some(at) => at + 1,
                None => {
                    // A line longer than a chunk: read on.
                    eof = read_more(input, pending, CHUNK)?;
                    continue;
                }
            }
        };
        // The rest (part of a line) starts the next chunk, in a buffer that holds a whole one.
        let mut rest = shared.take_input();
        rest.extend_from_slice(pending.get(cut..).unwrap_or_default());
        pending.truncate(cut);
        let chunk = std::mem::replace(pending, rest);
        if !plain_chunk(&chunk) {
            return Ok((chunks, eof, Some(chunk)));
        }
        let breaks = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        chunks.push((chunk, *line));
        *line += breaks;
    }
    Ok((chunks, eof && pending.is_empty(), None))
}

/// Reads up to `n` more bytes onto `buf`; whether the input ended.
fn read_more<R: Read>(input: &mut R, buf: &mut Vec<u8>, n: usize) -> Result<bool> {
    let before = buf.len();
    let got = input
        .by_ref()
        .take(n.max(1) as u64)
        .read_to_end(buf)
        .map_err(|e| io_error("read", e))?;
    Ok(got == 0 && buf.len() == before)
}

/// Serializes `value` as JSON onto `out`.
#[cfg(feature = "serde")]
fn json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(out, value).map_err(|e| io_error("write", e.into()))
}

/// Bytes given to the output at a time: small enough that the text copied into them is still
/// in the CPU's caches when the output (the kernel) copies it out.
const PIECE: usize = 1 << 18;

/// The merge in input order: the repeat check, the errors, the output.
#[derive(Debug, Default)]
struct Merge {
    json: bool,
    written: u64,
    failed: u64,
    /// The rows read, when reading into a matrix.
    matrix: Option<ResponseMatrix>,
    /// Text not yet given to the output (less than [`PIECE`] bytes between writes): one
    /// buffer, used over and over.
    stage: Vec<u8>,
}

impl Merge {
    /// Appends a chunk's rows to the matrix read.
    fn append(&mut self, rows: Option<ResponseMatrix>) {
        match (&mut self.matrix, rows) {
            (Some(m), Some(rows)) => m.append(rows),
            (None, Some(rows)) => self.matrix = Some(rows),
            (_, None) => {}
        }
    }

    /// Writes the text of `chunk` from `start` to `end` (whole rows, `rows` of them), the
    /// splices in it put in; in JSON the document's first row drops its comma. The text goes
    /// out in pieces of about [`PIECE`] bytes.
    fn write<W: Write>(
        &mut self,
        output: &mut W,
        chunk: &ChunkOut,
        (mut start, end): (usize, usize),
        rows: u64,
    ) -> Result<()> {
        if self.json && self.written == 0 && rows > 0 {
            start += 1;
        }
        self.written += rows;
        if self.stage.capacity() == 0 {
            self.stage.reserve(PIECE + (1 << 14));
        }
        let first = chunk.splices.partition_point(|&(at, _)| at < start);
        let splices = chunk.splices.get(first..).unwrap_or_default();
        let mut pos = start;
        for &(at, blob) in splices.iter().take_while(|&&(at, _)| at < end) {
            self.stage
                .extend_from_slice(chunk.out.get(pos..at).unwrap_or_default());
            let text = chunk.blobs.get(blob as usize).map(AsRef::as_ref);
            self.stage.extend_from_slice(text.unwrap_or_default());
            pos = at;
            if self.stage.len() >= PIECE {
                self.flush(output)?;
            }
        }
        let mut rest = chunk.out.get(pos..end).unwrap_or_default();
        while !rest.is_empty() {
            let room = (PIECE + (1 << 14)).saturating_sub(self.stage.len()).max(1);
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.stage.extend_from_slice(now);
            rest = later;
            if self.stage.len() >= PIECE {
                self.flush(output)?;
            }
        }
        Ok(())
    }

    /// Gives the text staged to the output.
    fn flush<W: Write>(&mut self, output: &mut W) -> Result<()> {
        let result = output.write_all(&self.stage);
        self.stage.clear();
        result.map_err(|e| io_error("write", e))
    }

    fn chunk<W: Write>(
        &mut self,
        chunk: &mut ChunkOut,
        input: &[u8],
        repeats: &[(usize, usize, u64)],
        shared: &Shared,
        output: &mut W,
        on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        let events = std::mem::take(&mut chunk.events);
        let flow = self.events(events, chunk, input, repeats, shared, output, on_error);
        // The output buffers go back to the pool: their pages stay mapped for the next chunk.
        shared.give_buffer(chunk);
        flow
    }

    /// The events of a chunk whose output is `out`, in order.
    #[allow(clippy::too_many_arguments)]
    fn events<W: Write>(
        &mut self,
        events: Vec<Event>,
        out: &ChunkOut,
        input: &[u8],
        repeats: &[(usize, usize, u64)],
        shared: &Shared,
        output: &mut W,
        on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        let (mut run_start, mut row_start, mut rows) = (0usize, 0usize, 0u64);
        let mut repeats = repeats.iter().peekable();
        for (e, event) in events.into_iter().enumerate() {
            match event {
                Event::Row {
                    end,
                    line,
                    fingerprint,
                    id,
                } => {
                    let _ = fingerprint;
                    let first = repeats.next_if(|r| r.1 == e).map(|r| r.2);
                    if let Some(first_row) = first {
                        self.write(output, out, (run_start, row_start), rows)?;
                        rows = 0;
                        run_start = end;
                        self.failed += 1;
                        let shown = id.shown(input);
                        let e =
                            RowError::new(shared.plan.repeated(line, first_row), shown.as_deref());
                        if on_error(e).is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                    } else {
                        rows += 1;
                    }
                    row_start = end;
                }
                Event::Error(e) => {
                    self.write(output, out, (run_start, row_start), rows)?;
                    rows = 0;
                    run_start = row_start;
                    self.failed += 1;
                    if on_error(e).is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
            }
        }
        self.write(output, out, (run_start, row_start), rows)?;
        Ok(ControlFlow::Continue(()))
    }
}

/// Every record of `table` (read one at a time, as the reader reads them), scored and written.
fn table_rows<R: Read, W: Write>(
    table: &mut Table<Chain<R>>,
    shared: &Shared,
    seen: &mut Repeats,
    output: &mut W,
    merge: &mut Merge,
    on_error: &mut impl FnMut(RowError) -> ControlFlow<()>,
) -> Result<ControlFlow<()>> {
    let mut skipped = Skipped::default();
    let mut out = shared.new_out();
    loop {
        let record = match table.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => {
                out.events.push(Event::Error(RowError::new(e, None)));
                break;
            }
        };
        shared.slow_row(&record, &mut skipped, &mut out);
        if out.out.len() >= CHUNK || out.events.len() >= 4096 {
            let done = [std::mem::replace(&mut out, shared.new_out())];
            let repeats = seen.check(&done, false);
            let [mut done] = done;
            merge.append(done.matrix.take());
            if merge
                .chunk(&mut done, &[], &repeats, shared, output, on_error)?
                .is_break()
            {
                return Ok(ControlFlow::Break(()));
            }
        }
    }
    let done = [out];
    let repeats = seen.check(&done, false);
    let [mut done] = done;
    merge.append(done.matrix.take());
    merge.chunk(&mut done, &[], &repeats, shared, output, on_error)
}

/// A plain row's cells: the id's range, the session, the pass-through cells' ranges.
#[derive(Debug, Clone, Copy)]
struct PlainRow {
    line: u64,
    id: (usize, usize),
    session: Option<u32>,
    kept: usize,
}

/// A row of a chunk, in order: plain (its scores from the chunk's matrix) or read as the
/// reader reads it.
#[derive(Debug)]
enum Pending {
    Plain(PlainRow),
    Slow(Box<Row>, Option<u128>),
    Errors(Vec<RowError>),
}

impl Shared {
    /// Parses, scores and writes the rows of a plain chunk starting on line `first_line`.
    fn chunk(&self, chunk: &[u8], first_line: u64) -> ChunkOut {
        let mut matrix = ResponseMatrix::new(&self.instrument);
        let mut pending: Vec<Pending> = Vec::new();
        let mut kept: Vec<(usize, usize)> = Vec::new();
        let mut fields: Vec<(usize, usize)> = Vec::with_capacity(self.header.len());
        let mut units: Vec<Option<i32>> = vec![None; self.instrument.items().len()];
        let mut skipped = Skipped::default();
        let mut pos = 0usize;
        let mut line = first_line;
        while pos < chunk.len() {
            // One line: its fields' ranges (trimmed), split at commas.
            fields.clear();
            let mut start = pos;
            let mut end = chunk.len();
            let mut i = pos;
            while let Some(&b) = chunk.get(i) {
                if b == b',' {
                    fields.push(trim(chunk, start, i));
                    start = i + 1;
                } else if b == b'\n' {
                    end = i;
                    break;
                }
                i += 1;
            }
            // A carriage return before the line break (or at the end) ends the line too.
            let line_end = if end > start && chunk.get(end - 1) == Some(&b'\r') {
                end - 1
            } else {
                end
            };
            fields.push(trim(chunk, start, line_end));
            let this = line;
            line += 1;
            let whole = chunk.get(pos..line_end).unwrap_or_default();
            pos = end + 1;
            if whole.trim_ascii().is_empty() {
                continue;
            }
            match self.plain_row(chunk, &fields, this, &mut units, &mut kept) {
                Some(row) => {
                    matrix.push_units(&units);
                    pending.push(Pending::Plain(row));
                }
                None => {
                    // Read as the reader reads it, from the same cells.
                    let mut record = ::csv::ByteRecord::new();
                    for &(a, b) in &fields {
                        record.push_field(chunk.get(a..b).unwrap_or_default());
                    }
                    let record = Record::of(this, &record, &self.header);
                    match self.plan.read_wide(&self.instrument, &record, &mut skipped) {
                        WideRow::Skipped => {}
                        WideRow::Failed(errors) => {
                            let shown = self.plan.shown_id(&record);
                            pending.push(Pending::Errors(
                                errors
                                    .into_iter()
                                    .map(|e| RowError::new(e, shown.as_deref()))
                                    .collect(),
                            ));
                        }
                        WideRow::Read(row, fingerprint) => {
                            matrix.push_units(row.administration.units());
                            pending.push(Pending::Slow(Box::new(row), fingerprint));
                        }
                    }
                }
            }
        }
        if self.collect {
            // Read into the matrix only: the rows' events for the repeat check and errors.
            let events = pending
                .into_iter()
                .flat_map(|p| match p {
                    Pending::Errors(errors) => errors.into_iter().map(Event::Error).collect(),
                    Pending::Plain(plain) => {
                        let id = chunk.get(plain.id.0..plain.id.1).unwrap_or_default();
                        let client = std::str::from_utf8(id).ok().filter(|s| !s.is_empty());
                        let fingerprint =
                            client.map(|c| fingerprint(Some(c), plain.session, &["", ""]));
                        vec![Event::Row {
                            end: 0,
                            line: plain.line,
                            fingerprint,
                            id: Id::In(plain.id.0, plain.id.1),
                        }]
                    }
                    Pending::Slow(r, fingerprint) => vec![Event::Row {
                        end: 0,
                        line: r.line,
                        fingerprint,
                        id: Id::of(r.administration.client()),
                    }],
                })
                .collect();
            return ChunkOut {
                events,
                matrix: Some(matrix),
                ..ChunkOut::default()
            };
        }
        let scores = matrix.score();
        let mut out = self.new_out();
        out.events.reserve(pending.len());
        let mut tallies: Vec<Tally> = Vec::new();
        let mut cache = self.take_cache();
        let mut row = 0usize;
        for p in pending {
            match p {
                Pending::Errors(errors) => out.events.extend(errors.into_iter().map(Event::Error)),
                Pending::Plain(plain) => {
                    let all = scores.tallies_into(row, &mut tallies).unwrap_or_default();
                    row += 1;
                    let id = chunk.get(plain.id.0..plain.id.1).unwrap_or_default();
                    let client = std::str::from_utf8(id).ok().filter(|s| !s.is_empty());
                    let cells = kept
                        .get(plain.kept..plain.kept + self.plan.keep.len())
                        .unwrap_or_default()
                        .iter()
                        .map(|&(a, b)| chunk.get(a..b).unwrap_or_default());
                    self.write_row(
                        &mut out,
                        &mut cache,
                        client,
                        plain.session,
                        cells,
                        &tallies,
                        all,
                        None,
                    );
                    let fingerprint =
                        client.map(|c| fingerprint(Some(c), plain.session, &["", ""]));
                    out.events.push(Event::Row {
                        end: out.out.len(),
                        line: plain.line,
                        fingerprint,
                        id: if fingerprint.is_some() {
                            Id::In(plain.id.0, plain.id.1)
                        } else {
                            Id::None
                        },
                    });
                }
                Pending::Slow(r, fingerprint) => {
                    let all = scores.tallies_into(row, &mut tallies).unwrap_or_default();
                    row += 1;
                    let adm = &r.administration;
                    let cells = r.kept.iter().map(String::as_bytes);
                    self.write_row(
                        &mut out,
                        &mut cache,
                        adm.client(),
                        adm.session(),
                        cells,
                        &tallies,
                        all,
                        Some(r.as_ref()),
                    );
                    out.events.push(Event::Row {
                        end: out.out.len(),
                        line: r.line,
                        fingerprint,
                        id: Id::of(adm.client()),
                    });
                }
            }
        }
        self.give_cache(cache);
        out
    }

    /// A cache of reports from the pool (one per thread at work), or a new one.
    fn take_cache(&self) -> Cache {
        self.caches
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default()
    }

    /// An empty input buffer (room for a chunk) from the pool, or a new one.
    fn take_input(&self) -> Vec<u8> {
        let mut buffer = self
            .inputs
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_else(|| Vec::with_capacity(CHUNK + (1 << 16)));
        buffer.clear();
        buffer
    }

    /// Gives the input buffers of written chunks back to the pool (a few are kept).
    fn give_inputs(&self, chunks: Vec<(Vec<u8>, u64)>) {
        if let Ok(mut pool) = self.inputs.lock() {
            for (buffer, _) in chunks {
                if pool.len() < 2 * batch_chunks() + 2 {
                    pool.push(buffer);
                }
            }
        }
    }

    /// A new, empty output, its buffers from the pool (their pages mapped and their capacity
    /// that of an earlier chunk), or new ones.
    fn new_out(&self) -> ChunkOut {
        let (mut out, mut splices) = self
            .buffers
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_default();
        out.clear();
        splices.clear();
        ChunkOut {
            id: self.outs.fetch_add(1, Ordering::Relaxed).wrapping_add(1),
            out,
            splices,
            ..ChunkOut::default()
        }
    }

    /// Gives an output's buffers back to the pool (a few are kept).
    fn give_buffer(&self, out: &mut ChunkOut) {
        let buffers = (
            std::mem::take(&mut out.out),
            std::mem::take(&mut out.splices),
        );
        out.blobs.clear();
        if let Ok(mut pool) = self.buffers.lock()
            && pool.len() < 2 * batch_chunks()
        {
            pool.push(buffers);
        }
    }

    /// Gives a cache back to the pool.
    fn give_cache(&self, cache: Cache) {
        if let Ok(mut pool) = self.caches.lock() {
            pool.push(cache);
        }
    }

    /// A record read by the table (quoted cells): its row or errors, written to `out`.
    fn slow_row(&self, record: &Record<'_>, skipped: &mut Skipped, out: &mut ChunkOut) {
        match self.plan.read_wide(&self.instrument, record, skipped) {
            WideRow::Skipped => {}
            WideRow::Failed(errors) => {
                let shown = self.plan.shown_id(record);
                out.events.extend(
                    errors
                        .into_iter()
                        .map(|e| Event::Error(RowError::new(e, shown.as_deref()))),
                );
            }
            WideRow::Read(r, fingerprint) if self.collect => {
                out.matrix
                    .get_or_insert_with(|| ResponseMatrix::new(&self.instrument))
                    .push_units(r.administration.units());
                out.events.push(Event::Row {
                    end: out.out.len(),
                    line: r.line,
                    fingerprint,
                    id: Id::of(r.administration.client()),
                });
            }
            WideRow::Read(r, fingerprint) => {
                let adm = &r.administration;
                let mut tallies = Vec::new();
                let all = tallies_of(&self.instrument, adm.units(), &mut tallies);
                let mut cache = self.take_cache();
                self.write_row(
                    out,
                    &mut cache,
                    adm.client(),
                    adm.session(),
                    r.kept.iter().map(String::as_bytes),
                    &tallies,
                    all,
                    Some(&r),
                );
                self.give_cache(cache);
                out.events.push(Event::Row {
                    end: out.out.len(),
                    line: r.line,
                    fingerprint,
                    id: Id::of(adm.client()),
                });
            }
        }
    }

    /// A plain row's cells straight from their bytes into `units`, the pass-through ranges
    /// pushed to `kept`; `None` for a row to read as the reader reads it (any doubt: a bad or
    /// unusual cell, a width other than the header's).
    fn plain_row(
        &self,
        chunk: &[u8],
        fields: &[(usize, usize)],
        line: u64,
        units: &mut [Option<i32>],
        kept: &mut Vec<(usize, usize)>,
    ) -> Option<PlainRow> {
        if !self.plain || fields.len() != self.header.len() {
            return None;
        }
        let kept_start = kept.len();
        kept.resize(kept_start + self.plan.keep.len(), (0, 0));
        units.fill(None);
        let mut row = PlainRow {
            line,
            id: (0, 0),
            session: None,
            kept: kept_start,
        };
        let undo = |kept: &mut Vec<(usize, usize)>| kept.truncate(kept_start);
        for (&(a, b), role) in fields.iter().zip(&self.roles) {
            let cell = chunk.get(a..b).unwrap_or_default();
            match *role {
                Role::Item(index) => {
                    let slot = units.get_mut(index)?;
                    *slot = if self.is_missing(cell) {
                        None
                    } else {
                        match self.parse_units(cell) {
                            Some(u) => Some(u),
                            None => {
                                undo(kept);
                                return None;
                            }
                        }
                    };
                }
                Role::Id => {
                    if !cell.is_empty() {
                        let ok = std::str::from_utf8(cell)
                            .is_ok_and(|s| crate::ids::check(TextRule::Id, s).is_ok());
                        if !ok {
                            undo(kept);
                            return None;
                        }
                    }
                    row.id = (a, b);
                }
                Role::Session => {
                    if !self.is_missing(cell) {
                        match std::str::from_utf8(cell).ok().and_then(session_number) {
                            Some(n) => row.session = Some(n),
                            None => {
                                undo(kept);
                                return None;
                            }
                        }
                    }
                }
                Role::Keep(k) => {
                    if std::str::from_utf8(cell).is_err() {
                        undo(kept);
                        return None;
                    }
                    if let Some(slot) = kept.get_mut(kept_start + k) {
                        *slot = (a, b);
                    }
                }
                Role::Other => {}
            }
        }
        Some(row)
    }

    /// Whether a cell means "no answer".
    fn is_missing(&self, cell: &[u8]) -> bool {
        cell.is_empty() || self.plan.missing.iter().any(|t| t.as_bytes() == cell)
    }

    /// A plain decimal (`4`, `7.3`, `7.30`, `.5`) in units, if it is a point of the scale;
    /// `None` for anything else (which the reader then reads and reports exactly).
    fn parse_units(&self, cell: &[u8]) -> Option<i32> {
        let mut whole: i64 = 0;
        let mut digits = 0usize;
        let mut i = 0usize;
        while let Some(&b) = cell.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            if digits >= 12 {
                return None;
            }
            whole = whole * 10 + i64::from(b - b'0');
            digits += 1;
            i += 1;
        }
        let mut units = whole;
        let mut places = 0u32;
        if cell.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&b) = cell.get(i) {
                if !b.is_ascii_digit() {
                    return None;
                }
                let d = i64::from(b - b'0');
                if places < self.decimals {
                    units = units * 10 + d;
                    places += 1;
                } else if d != 0 {
                    return None;
                }
                digits += 1;
                i += 1;
            }
        }
        if i != cell.len() || digits == 0 {
            return None;
        }
        for _ in places..self.decimals {
            units *= 10;
        }
        let units = i32::try_from(units).ok()?;
        (self.min_units..=self.max_units)
            .contains(&units)
            .then_some(units)
    }

    /// The CSV cells of the scores of a row with these tallies (each after a comma).
    fn csv_scores(&self, out: &mut Vec<u8>, tallies: &[Tally], all: Tally) {
        let inst = &self.instrument;
        match self.metric {
            Some(metric) => {
                for (i, &t) in tallies.iter().enumerate() {
                    out.push(b',');
                    let r = scoring::subscale_result(inst, i, t);
                    if let Some(s) = r.score() {
                        push_f64(out, s.get(metric));
                    }
                }
                if let Some(r) = scoring::total_result(inst, tallies, all) {
                    out.push(b',');
                    if let Some(s) = r.score() {
                        push_f64(out, s.get(metric));
                    }
                }
            }
            None => {
                let scores = scoring::from_tallies(inst, tallies, all);
                for v in scores.row().values() {
                    out.push(b',');
                    if let Some(v) = v {
                        push_f64(out, v);
                    }
                }
            }
        }
    }

    /// The tallies of a row packed into one number (each set's answered count and offset sum
    /// in mixed radix), when the instrument's tallies fit: the key of a row's scores, which
    /// depend on nothing else.
    fn key(&self, tallies: &[Tally], all: Tally) -> Option<u64> {
        let span = i64::from(self.max_units) - i64::from(self.min_units);
        let lo = i64::from(self.min_units);
        let sets = self
            .instrument
            .compiled()
            .subscales
            .iter()
            .map(|s| s.items.len());
        let k = self.instrument.items().len();
        let mut key = 0u64;
        for (t, n) in tallies.iter().zip(sets).chain([(&all, k)]) {
            let n = i64::try_from(n).ok()?;
            let sums = n.checked_mul(span)?.checked_add(1)?;
            let answered = i64::try_from(t.answered).ok()?;
            let offset = t.sum.checked_sub(answered.checked_mul(lo)?)?;
            let digit = answered.checked_mul(sums)?.checked_add(offset)?;
            let radix = (n + 1).checked_mul(sums)?;
            key = key
                .checked_mul(u64::try_from(radix).ok()?)?
                .checked_add(u64::try_from(digit).ok()?)?;
        }
        Some(key)
    }

    /// Writes one scored row.
    #[allow(clippy::too_many_arguments)]
    fn write_row<'c>(
        &self,
        chunk: &mut ChunkOut,
        cache: &mut Cache,
        client: Option<&str>,
        session: Option<u32>,
        kept: impl Iterator<Item = &'c [u8]>,
        tallies: &[Tally],
        all: Tally,
        row: Option<&Row>,
    ) {
        #[cfg(not(feature = "serde"))]
        let _ = row;
        match self.format {
            ScoreFormat::Csv => {
                let out = &mut chunk.out;
                csv_field(out, client.unwrap_or_default().as_bytes());
                if self.plan.session.is_some() {
                    out.push(b',');
                    if let Some(s) = session {
                        push_u64(out, u64::from(s));
                    }
                }
                for cell in kept {
                    out.push(b',');
                    csv_field(out, cell);
                }
                match self.key(tallies, all) {
                    Some(key) => {
                        let text = cache.scores.entry(key).or_insert_with(|| {
                            let mut text = Vec::new();
                            self.csv_scores(&mut text, tallies, all);
                            text
                        });
                        out.extend_from_slice(text);
                        if cache.scores.len() >= CACHE_LIMIT {
                            cache.scores.clear();
                        }
                    }
                    None => self.csv_scores(out, tallies, all),
                }
                out.push(b'\n');
            }
            #[cfg(feature = "serde")]
            ScoreFormat::Json => {
                let out = &mut chunk.out;
                out.extend_from_slice(b",\n{\"id\":");
                json_str(out, client.unwrap_or_default());
                if !self.plan.keep.is_empty() {
                    out.extend_from_slice(b",\"keep\":{");
                    for (n, (named, cell)) in self.plan.keep.iter().zip(kept).enumerate() {
                        if n > 0 {
                            out.push(b',');
                        }
                        json_str(out, &named.name);
                        out.push(b':');
                        json_str(out, &String::from_utf8_lossy(cell));
                    }
                    out.push(b'}');
                }
                out.extend_from_slice(b",\"report\":");
                match row {
                    // A row with a therapist or date: its whole report.
                    Some(r)
                        if r.administration.therapist().is_some()
                            || r.administration.date().is_some() =>
                    {
                        let _ = json(out, &r.administration.report());
                    }
                    _ => {
                        let key = self.key(tallies, all);
                        let (inst, head, tails) =
                            (&self.instrument, &self.report_head, &self.tails);
                        cache.report(chunk, inst, head, tails, key, client, session, tallies, all);
                    }
                }
                chunk.out.push(b'}');
            }
        }
    }
}

/// The tallies of one row of units (item order), as a matrix row gives them.
fn tallies_of(inst: &Instrument, units: &[Option<i32>], into: &mut Vec<Tally>) -> Tally {
    let mut m = ResponseMatrix::new(inst);
    m.push_units(units);
    m.score().tallies_into(0, into).unwrap_or_default()
}

/// Scores written once per distinct set of tallies (a row's scores depend on nothing else):
/// the CSV cells, and the JSON report's part after the client (the part before it is the
/// instrument's, [`Shared::report_head`]). One per thread at work, kept from chunk to chunk.
#[derive(Debug, Default)]
struct Cache {
    scores: HashMap<u64, Vec<u8>, BuildHasherDefault<Mixed>>,
    /// Where the report's start is among the blobs of the output it last went to.
    #[cfg(feature = "serde")]
    head: Note,
    /// The reports' ends, each with where it is among the blobs of the output it last went
    /// to.
    #[cfg(feature = "serde")]
    tails: HashMap<u64, (Arc<[u8]>, Note), BuildHasherDefault<Mixed>>,
}

/// The reports' ends of every thread (each made once, whichever thread needs it first).
#[cfg(feature = "serde")]
type Tails = std::sync::Mutex<HashMap<u64, Arc<[u8]>, BuildHasherDefault<Mixed>>>;

/// A hasher for packed keys: one multiply-xorshift (the keys are not chosen by an adversary:
/// they are counts and sums bounded by the instrument).
#[derive(Debug, Default)]
struct Mixed(u64);

impl std::hash::Hasher for Mixed {
    fn finish(&self) -> u64 {
        let x = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^ (x >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 ^= i;
    }
}

/// Distinct rows of scores kept at most (then the cache starts again): memory stays bounded.
const CACHE_LIMIT: usize = 1 << 14;

#[cfg(feature = "serde")]
impl Cache {
    /// Writes the report of a row with these tallies (`key` packs them, if they fit) to
    /// `chunk`: the row's own text, and splices of the report's start (`head`) and of the
    /// report's end for these tallies (made once, for every thread: `shared`).
    #[allow(clippy::too_many_arguments)]
    fn report(
        &mut self,
        chunk: &mut ChunkOut,
        inst: &Instrument,
        head: &Arc<[u8]>,
        shared: &Tails,
        key: Option<u64>,
        client: Option<&str>,
        session: Option<u32>,
        tallies: &[Tally],
        all: Tally,
    ) {
        let tail = || {
            let scores = scoring::from_tallies(inst, tallies, all);
            let report = crate::scoring::Report::new(&scores, None);
            let mut text = Vec::new();
            let _ = json(&mut text, &report);
            // Everything after the instrument (no client, therapist, session or date).
            text.get(head.len()..).unwrap_or_default().to_vec()
        };
        chunk.splice(head, &mut self.head);
        let out = &mut chunk.out;
        if let Some(c) = client {
            out.extend_from_slice(b",\"client\":");
            json_str(out, c);
        }
        if let Some(s) = session {
            out.extend_from_slice(b",\"session\":");
            push_u64(out, u64::from(s));
        }
        match key {
            Some(key) => {
                if self.tails.len() >= CACHE_LIMIT {
                    self.tails.clear();
                }
                let (text, note) = self.tails.entry(key).or_insert_with(|| {
                    let made = shared.lock().ok().and_then(|m| m.get(&key).cloned());
                    let text = made.unwrap_or_else(|| {
                        let text: Arc<[u8]> = Arc::from(tail());
                        if let Ok(mut m) = shared.lock() {
                            if m.len() >= CACHE_LIMIT {
                                m.clear();
                            }
                            m.insert(key, Arc::clone(&text));
                        }
                        text
                    });
                    (text, (0, 0))
                });
                chunk.splice(text, note);
            }
            None => out.extend_from_slice(&tail()),
        }
    }
}

/// A JSON string as serde_json writes it.
#[cfg(feature = "serde")]
fn json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes()
        .all(|b| (0x20..0x7F).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = json(out, s);
    }
}

/// The range of `chunk[start..end]` with ASCII white space trimmed, as the reader trims cells.
fn trim(chunk: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && chunk.get(start).is_some_and(u8::is_ascii_whitespace) {
        start += 1;
    }
    while end > start && chunk.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    (start, end)
}

/// A CSV field as the csv crate writes it: quoted when it holds a comma, a quote or a line
/// break, quotes doubled.
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| b == b',' || b == b'"' || b == b'\n' || b == b'\r')
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// An unsigned integer in decimal.
fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// A double as `{}` prints it (the shortest text that reads back as the same double, never an
/// exponent), without allocating: integers digit by digit, other values through `ryu`'s
/// shortest digits.
pub(crate) fn push_f64(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        if v.is_sign_negative() {
            out.push(b'-');
        }
        push_u64(out, v.abs() as u64);
        return;
    }
    if v.is_finite() {
        let mut buf = ryu::Buffer::new();
        let s = buf.format_finite(v);
        if !s.contains(['e', 'E']) {
            let s = s.strip_suffix(".0").unwrap_or(s);
            if !halfway(s, v) {
                out.extend_from_slice(s.as_bytes());
                return;
            }
        }
    }
    let _ = write!(out, "{v}");
}

/// Whether `v` may lie halfway between `s` and the next shortest text, where `ryu` rounds to
/// even and `{}` away from zero (so `{}` decides): only if `s` ends in an even digit and `v`'s
/// exact decimal expansion has one place more than `s` (a double with `k` binary places has
/// exactly `k` decimal places).
fn halfway(s: &str, v: f64) -> bool {
    let even = s
        .bytes()
        .last()
        .is_some_and(|b| (b - b'0').is_multiple_of(2));
    if !even {
        return false;
    }
    let places = s.find('.').map_or(0, |dot| s.len() - dot - 1);
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if mantissa == 0 {
        return false;
    }
    let binary_places = -(exponent + i64::from(mantissa.trailing_zeros()));
    binary_places == places as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    /// The output and errors of the stream, and of the reader with a score writer.
    fn both(
        layout: &Layout,
        text: &[u8],
        metric: Option<Metric>,
    ) -> (Vec<u8>, Vec<String>, Vec<u8>, Vec<String>) {
        let wai = catalog::require("wai-sr").expect("catalog");
        let mut stream_errors = Vec::new();
        let mut stream_out = Vec::new();
        let stream = layout.score_stream(text, &wai).expect("header");
        let stream = match metric {
            Some(m) => stream.metric(m),
            None => stream,
        };
        stream
            .write_to(&mut stream_out, |e| {
                stream_errors.push(format!("{e} [{:?}]", e.record_id()));
                ControlFlow::Continue(())
            })
            .expect("runs");
        let reader = layout.reader(text, &wai).expect("header");
        let mut writer = ScoreWriter::for_reader(Vec::new(), &reader);
        if let Some(m) = metric {
            writer = writer.metric(m);
        }
        let mut errors = Vec::new();
        for row in reader {
            match row {
                Ok(row) => writer.write(&row).expect("writes"),
                Err(e) => errors.push(format!("{e} [{:?}]", e.record_id())),
            }
        }
        (
            stream_out,
            stream_errors,
            writer.finish().expect("finish"),
            errors,
        )
    }

    #[test]
    fn the_stream_writes_what_the_reader_and_writer_write() {
        let text = "\u{feff}\n id , 1,2,3,4,5,6,7,8,9,10,11,12\r\n\
                    p01,4,4,5,3,5,4,4,3,5,4,,4\r\n\
                    \r\n\
                    p02,4,4,5,3,5,4,4,3,9,4,4,4\r\n\
                    p03,4.0,4,5,3,5,4,4,3,5.,4,x,4\n\
                    p01,1,1,1,1,1,1,1,1,1,1,1,1\n\
                    ,1,1,1,1,1,1,1,1,1,1,1,1\n\
                    p\u{e9},1,1,1,1,1,1,1,1,1,1,1,1\n\
                    p04,1,1,1\n\
                    p05, 2 ,NA,,,2,2,2,2,2,2,2,2\n\
                    p06,4.5,4,5,3,5,4,4,3,5,4,4,4\n\
                    p07,+4,4,5,3,5,4,4,3,5,4,4,0004\n\
                    p08,1,2,3,4,5,1,2,3,4,5,1,2";
        for metric in [None, Some(Metric::Sum), Some(Metric::Pomp)] {
            for layout in [Layout::wide(), Layout::wide().missing("NA")] {
                let (a, ae, b, be) = both(&layout, text.as_bytes(), metric);
                assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
                assert_eq!(ae, be);
                assert!(!ae.is_empty());
            }
        }
        // Quotes in the middle: the rest is read record by record.
        let quoted = "id,site,session,1,2,3,4,5,6,7,8,9,10,11,12\n\
                      p01,York,1,4,4,5,3,5,4,4,3,5,4,,4\n\
                      \"p,02\",\"Hull\nEast\",2,4,4,5,3,5,4,4,3,5,4,4,4\n\
                      p03,York,,4,4,5,3,5,4,4,3,5,4,4,4\n\
                      p01,York,1,4,4,5,3,5,4,4,3,5,4,4,4\n";
        let layout = Layout::wide().keep(["site"]).session("session");
        let (a, ae, b, be) = both(&layout, quoted.as_bytes(), Some(Metric::Mean));
        assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        assert_eq!(ae, be);
        assert_eq!(ae.len(), 1);
    }

    /// The JSON document of the stream, and the one built from the reader's rows.
    fn json_both(layout: &Layout, text: &[u8]) -> (String, String) {
        let wai = catalog::require("wai-sr").expect("catalog");
        let mut out = Vec::new();
        layout
            .score_stream(text, &wai)
            .expect("header")
            .format(ScoreFormat::Json)
            .write_to(&mut out, |_| ControlFlow::Continue(()))
            .expect("runs");
        let reader = layout.reader(text, &wai).expect("header");
        let keep: Vec<String> = reader.kept_columns().map(str::to_owned).collect();
        let mut want = String::from("{\"instrument\":");
        want += &serde_json::to_string(&wai.summary()).expect("json");
        want += ",\"missing_rule\":";
        want += &serde_json::to_string(&wai.missing().to_string()).expect("json");
        want += ",\"rows\":[";
        let mut first = true;
        for row in reader.flatten() {
            want += if first { "\n" } else { ",\n" };
            first = false;
            let adm = row.administration();
            let text = |v: &str| serde_json::to_string(v).expect("json");
            want += &format!("{{\"id\":{}", text(adm.client().unwrap_or_default()));
            if !keep.is_empty() {
                let pairs: Vec<String> = keep
                    .iter()
                    .zip(row.kept())
                    .map(|(k, v)| format!("{}:{}", text(k), text(v)))
                    .collect();
                want += &format!(",\"keep\":{{{}}}", pairs.join(","));
            }
            want += ",\"report\":";
            want += &serde_json::to_string(&adm.report()).expect("json");
            want += "}";
        }
        want += "\n]}\n";
        (String::from_utf8_lossy(&out).into_owned(), want)
    }

    #[test]
    fn json_reports_are_what_serde_writes() {
        let text = "id,site,session,1,2,3,4,5,6,7,8,9,10,11,12\n\
                    p01,York,1,4,4,5,3,5,4,4,3,5,4,,4\n\
                    p02,Hull,,4,4,5,3,5,4,4,3,9,4,4,4\n\
                    p03,\u{e9},2,4,4,5,3,5,4,4,3,5,4,4,4\n\
                    p04,York,3,,,,,5,4,4,3,5,4,4,4\n\
                    p\\5,York,3,1,2,3,4,5,4,4,3,5,4,4,4\n\
                    p04,York,3,1,2,3,4,5,4,4,3,5,4,4,4\n\
                    \"p,6\",York,3,1,2,3,4,5,4,4,3,5,4,4,4\n";
        let layout = Layout::wide().keep(["site"]).session("session");
        let (got, want) = json_both(&layout, text.as_bytes());
        assert_eq!(got, want);
        let (got, want) = json_both(&Layout::wide(), b"id,1,2,3,4,5,6,7,8,9,10,11,12\n");
        assert_eq!(got, want);
    }

    #[test]
    fn json_reports_over_many_chunks_and_pieces_are_what_serde_writes() {
        // Several chunks of input, the document many pieces long: the first row an error (the
        // first row written drops its comma), bad cells and a repeat here and there, a pass-
        // through column, tallies that repeat (spliced from the caches) and that do not.
        let mut text = String::from("id,site,1,2,3,4,5,6,7,8,9,10,11,12\n");
        text.push_str("c0,York,1,1,1,1,1,1,1,1,1,1,1,7\n");
        let mut state = 777u64;
        for r in 1..70_000u64 {
            text.push_str(&format!("c{r},s{}", r % 3));
            for _ in 0..12 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let x = (state >> 33) % 100;
                if x < 4 {
                    text.push(',');
                } else if x == 99 && r % 500 == 0 {
                    text.push_str(",6");
                } else {
                    text.push_str(&format!(",{}", 1 + x % 5));
                }
            }
            text.push('\n');
            if r == 30_000 {
                text.push_str("c7,York,2,2,2,2,2,2,2,2,2,2,2,2\n");
            }
        }
        let layout = Layout::wide().keep(["site"]);
        let (got, want) = json_both(&layout, text.as_bytes());
        assert!(got.len() > 8 * PIECE && text.len() > 2 * CHUNK);
        assert!(got == want, "the stream's JSON differs from serde's");
        // One thread writes the same bytes, and errors, as all.
        let wai = catalog::require("wai-sr").expect("catalog");
        let run = |one: bool, stop_after: usize| {
            let stream = layout
                .score_stream(text.as_bytes(), &wai)
                .expect("header")
                .format(ScoreFormat::Json);
            let stream = if one { stream.one_thread() } else { stream };
            let mut out = Vec::new();
            let mut errors = Vec::new();
            let done = stream
                .write_to(&mut out, |e| {
                    errors.push(e.to_string());
                    if errors.len() > stop_after {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
                .expect("runs");
            (out, errors, done)
        };
        let (one, one_errors, one_done) = run(true, usize::MAX);
        assert!(one == got.as_bytes());
        assert_eq!(run(false, usize::MAX), (one, one_errors.clone(), one_done));
        assert!(one_errors.len() > 10);
        let repeat =
            "row 30003, column \"id\": the same id as row 9: an administration is given once";
        assert!(one_errors.iter().any(|e| e == repeat));
        // Stopped at the first error (the first row) or a later one: a whole document of the
        // rows before it, on one thread or all.
        for stop_after in [0, 5] {
            let (out, errors, done) = run(true, stop_after);
            assert_eq!(run(false, stop_after), (out.clone(), errors, done));
            let doc: serde_json::Value = serde_json::from_slice(&out).expect("a JSON document");
            let rows = doc["rows"].as_array().expect("rows");
            assert_eq!(rows.len() as u64, done.written);
            assert_eq!(done.failed, stop_after as u64 + 1);
            if stop_after == 0 {
                assert!(rows.is_empty());
            } else {
                assert!(done.written > 100);
                assert_eq!(rows[0]["id"], "c1");
            }
        }
    }

    #[test]
    fn many_chunks_on_all_cores_write_what_one_thread_writes() {
        let wai = catalog::require("wai-sr").expect("catalog");
        let mut text = String::from("id,site,1,2,3,4,5,6,7,8,9,10,11,12\n");
        let mut state = 12345u64;
        for r in 0..150_000u64 {
            text.push_str(&format!("c{r},s{}", r % 7));
            for _ in 0..12 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let x = (state >> 33) % 100;
                if x < 3 {
                    text.push(',');
                } else if x == 99 && r % 1000 == 0 {
                    text.push_str(",7");
                } else {
                    text.push_str(&format!(",{}", 1 + x % 5));
                }
            }
            text.push('\n');
        }
        text.push_str("c5,s1,1,1,1,1,1,1,1,1,1,1,1,1\n");
        let run = |one: bool| {
            let stream = Layout::wide()
                .keep(["site"])
                .score_stream(text.as_bytes(), &wai)
                .expect("header")
                .metric(Metric::Sum);
            let stream = if one { stream.one_thread() } else { stream };
            let mut out = Vec::new();
            let mut errors = Vec::new();
            let done = stream
                .write_to(&mut out, |e| {
                    errors.push(e.to_string());
                    ControlFlow::Continue(())
                })
                .expect("runs");
            (out, errors, done)
        };
        let (one, one_errors, one_done) = run(true);
        let (all, all_errors, all_done) = run(false);
        // Stopping at the first error: the rows before it, on one thread or all.
        let stop_in = |text: &str, one: bool| {
            let stream = Layout::wide()
                .keep(["site"])
                .score_stream(text.as_bytes(), &wai)
                .expect("header");
            let stream = if one { stream.one_thread() } else { stream };
            let mut out = Vec::new();
            let done = stream
                .write_to(&mut out, |_| ControlFlow::Break(()))
                .expect("runs");
            (out, done)
        };
        let stop = |one: bool| stop_in(&text, one);
        let (stop_one, stop_one_done) = stop(true);
        assert_eq!(stop(false), (stop_one.clone(), stop_one_done));
        assert_eq!(stop_one_done.failed, 1);
        assert!(stop_one_done.written < one_done.written);
        // An error late in the file: every batch before it written, none after.
        let mut late = String::from("id,site,1,2,3,4,5,6,7,8,9,10,11,12\n");
        for r in 0..150_000u64 {
            let v = if r == 120_000 { 9 } else { 1 + r % 5 };
            late.push_str(&format!("c{r},s,{v},2,3,4,5,1,2,3,4,5,1,2\n"));
        }
        let stop_late = |one: bool| stop_in(&late, one);
        let (late_one, late_done) = stop_late(true);
        assert_eq!(late_done.written, 120_000);
        assert_eq!(stop_late(false), (late_one, late_done));
        assert!(one.len() > 3 * CHUNK);
        assert_eq!(one, all);
        assert_eq!(one_errors, all_errors);
        assert_eq!(one_done, all_done);
        assert_eq!(
            all_errors.last().map(String::as_str),
            Some(
                "row 150002, column \"id\": the same id as row 7: an administration is given once"
            )
        );
    }

    #[test]
    fn a_matrix_read_fast_is_the_reader_rows_matrix() {
        let wai = catalog::require("wai-sr").expect("catalog");
        let mut text = String::from("id,1,2,3,4,5,6,7,8,9,10,11,12\n");
        for r in 0..120_000u64 {
            text.push_str(&format!("c{r}"));
            for i in 0..12u64 {
                let v = (r * 7 + i * 3) % 6;
                if v == 0 {
                    text.push(',');
                } else {
                    text.push_str(&format!(",{v}"));
                }
            }
            text.push('\n');
        }
        let layout = Layout::wide();
        let fast = layout.read_matrix(text.as_bytes(), &wai).expect("reads");
        let rows: Vec<Row> = layout
            .reader(text.as_bytes(), &wai)
            .expect("header")
            .collect::<std::result::Result<_, _>>()
            .expect("rows");
        let slow = ResponseMatrix::from_administrations(&wai, rows.iter().map(Row::administration))
            .expect("matrix");
        assert_eq!(fast, slow);
        // The first error, as the reader gives it.
        text.push_str("c5,1,1,1,1,1,1,1,1,1,1,1,1\n");
        let err = layout.read_matrix(text.as_bytes(), &wai).unwrap_err();
        let first = layout
            .reader(text.as_bytes(), &wai)
            .expect("header")
            .find_map(std::result::Result::err)
            .expect("an error");
        assert_eq!(&err, first.error());
        let bad = "id,1,2,3,4,5,6,7,8,9,10,11,12\na,1,1,1,1,1,1,1,1,1,1,1,1\n\"b\",1,1,1,1,1,1,1,1,1,1,1,7\n";
        let err = layout.read_matrix(bad.as_bytes(), &wai).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 3, column \"12\": item 12: value 7 is outside the response range 1 to 5"
        );
    }

    #[test]
    fn doubles_print_as_display_prints_them() {
        let mut state = 99u64;
        let mut out = Vec::new();
        for i in 0..200_000u64 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = match i % 5 {
                0 => f64::from_bits(state),
                1 => (state % 100_000) as f64 / ((i % 97) + 1) as f64,
                2 => (state % 1000) as f64 * 0.1,
                3 => (state >> 11) as f64 / (1u64 << (i % 60)) as f64,
                _ => -((state % 10_000) as f64) / 3.0,
            };
            out.clear();
            push_f64(&mut out, v);
            assert_eq!(String::from_utf8_lossy(&out), v.to_string());
        }
        for v in [
            0.0,
            -0.0,
            1e15,
            1e16,
            1e-7,
            123456789012345.6,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
        ] {
            out.clear();
            push_f64(&mut out, v);
            assert_eq!(String::from_utf8_lossy(&out), v.to_string());
        }
    }
}
