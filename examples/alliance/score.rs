//! `alliance score`: scores a CSV file of answers (wide, long or a REDCap export) through the
//! library's `csv` module, streaming: each administration is read, scored and written before
//! the next is read.

use std::io::{BufWriter, IsTerminal as _, StdoutLock, Write as _};
use std::time::{Duration, Instant};

use therapeutic_alliance::csv::{Format, ItemMap, Layout, Reader, RedcapStatus, Row, ScoreWriter};
use therapeutic_alliance::{Error, ErrorKind, Instrument, Metric, Report};

use crate::Failure;
use crate::args::{Arg, Parser, set_once, unexpected};
use crate::output::{self, write_failed};
use crate::table;

pub const USAGE: &str = r#"usage: alliance score (--instrument ID | --instrument-file FILE) --csv FILE [options]

Scores a CSV file of answers. The default, wide, has a header line, then one row per
administration with an id column and one column per item, named by item id. An empty cell is an
unanswered item; spaces around cells, a UTF-8 byte-order mark, quoted fields, CRLF line endings
and blank lines are all fine.

  --instrument ID         an instrument of the catalog (`alliance instruments` lists them)
  --instrument-file FILE  an instrument definition in JSON or TOML (by extension, else by
                          content), as `alliance instruments ID --json` or `--toml` prints it;
                          validated when loaded
  --csv FILE              the answers
  --format wide|long|redcap
                          wide (default): one row per administration, one column per item.
                          long: one row per answer, with id, session, item and value columns;
                          the rows of one id and session are one administration and must come
                          together (as in a file sorted by id and session) unless --any-order.
                          redcap: a REDCap export (see below)
  --id COLUMN             the id column (default `id`; `record_id` for redcap); the output
                          always calls it `id`
  --session COLUMN        the session column (long: default `session`); written after the id
  --item COLUMN, --value COLUMN
                          long: the item and answer columns (default `item` and `value`)
  --any-order             long: rows in any order, grouped by id and session (holds the file)
  --map FILE              which column (long: which item cell; redcap: which field) holds which
                          item: a CSV file with `field` and `item` columns, or a JSON object
                          {"field": "item", ...} in a file ending .json. Without it, the column
                          name (the item cell) is the item id
  --form NAME             redcap: the form (REDCap instrument) name, for its NAME_complete
                          status and its repeats (default: the instrument id with - as _)
  --accept STATUSES       redcap: the form statuses read, comma-separated, from complete,
                          unverified and incomplete (or 2, 1, 0); default complete
  --keep COLUMNS          comma-separated input columns to pass through (e.g. therapist,site),
                          written after the id (and session). In the wide and long formats any
                          other column that is not an item is an error.
  --na TOKEN              cells equal to TOKEN (e.g. NA, as R writes) are unanswered too
  --output csv|json       csv (default): id, the session, the kept columns, each subscale, then
                          the total, each an empty cell where the missing-item rule leaves it
                          unscored. json: one document {"instrument": {id, version, name,
                          digest}, "missing_rule": "...", "rows": [{"id", "keep", "report"},
                          ...]}; each report has every subscale and the total (sum, mean, pomp,
                          items answered, why not scored) and the flags raised
  --metric sum|mean|pomp  the score written in csv output (default: the instrument's own, sum or
                          mean); pomp is percent of maximum, 0-100
  --keep-going            score every good row and report every bad one, instead of stopping at
                          the first
  -h, --help              this text

A REDCap export (--format redcap) has a row per record, event and repeat instance holding
every form's fields. The id is record_id; redcap_event_name, redcap_repeat_instrument and
redcap_repeat_instance pass through where the header has them; columns of other forms are
ignored. A row is skipped, not an error, when its redcap_repeat_instrument names another form,
when all its item cells are blank (the form is not on that event), or when its NAME_complete
status is blank or not accepted: by default only Complete forms are scored, since an
Incomplete or Unverified form may not hold the final answers. A note on stderr counts the rows
skipped.

Rows are written as they are scored, so any number of rows fits in little memory; on a
terminal, stderr shows how many rows are done. A bad row (an answer off the response scale or
not a number, a wrong number of fields) stops the run: the rows before it are written, one line
on stderr names it, and the exit status is 1. With --keep-going every bad cell gets its line,
the good rows are all written, and the exit status is 1 at the end if any row failed.

An error names the row by its line number in the CSV file (in the long format, the line of the
answer or of the administration's first answer), the header being
line 1, then the id and the column:

  alliance: error: row 3 (id "p02"), column "9": item 9: value 9 is outside the response range 1 to 5

Exit status: 0 success, 1 bad input (including bad rows), 2 bad command line.
"#;

/// Where the instrument comes from.
enum Source {
    Catalog(String),
    File(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Csv,
    Json,
}

/// The parsed command line of `alliance score`.
struct Options {
    source: Source,
    csv: String,
    format: Format,
    id: Option<String>,
    session: Option<String>,
    item: Option<String>,
    value: Option<String>,
    any_order: bool,
    map: Option<String>,
    form: Option<String>,
    accept: Option<Vec<RedcapStatus>>,
    keep: Vec<String>,
    na: Option<String>,
    output: Output,
    metric: Option<Metric>,
    keep_going: bool,
}

/// A column name given to a flag: trimmed, not empty.
fn column_name(flag: &str, value: Option<&str>) -> Result<Option<String>, Failure> {
    match value.map(str::trim) {
        Some("") => Err(Failure::usage(format!("{flag} needs a column name"))),
        other => Ok(other.map(str::to_owned)),
    }
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut instrument, mut file, mut csv, mut id, mut keep, mut na, mut output, mut metric) =
            (None, None, None, None, None, None, None, None);
        let (mut format, mut session, mut item, mut value, mut map, mut form, mut accept) =
            (None, None, None, None, None, None, None);
        let (mut keep_going, mut any_order) = (false, false);
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            let Arg::Flag(flag) = arg else {
                return Err(unexpected(arg));
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--instrument" => set_once(&mut instrument, flag, p.value(flag)?)?,
                "--instrument-file" => set_once(&mut file, flag, p.value(flag)?)?,
                "--csv" => set_once(&mut csv, flag, p.value(flag)?)?,
                "--format" => set_once(&mut format, flag, p.value(flag)?)?,
                "--id" => set_once(&mut id, flag, p.value(flag)?)?,
                "--session" => set_once(&mut session, flag, p.value(flag)?)?,
                "--item" => set_once(&mut item, flag, p.value(flag)?)?,
                "--value" => set_once(&mut value, flag, p.value(flag)?)?,
                "--map" => set_once(&mut map, flag, p.value(flag)?)?,
                "--form" => set_once(&mut form, flag, p.value(flag)?)?,
                "--accept" => set_once(&mut accept, flag, p.value(flag)?)?,
                "--keep" => set_once(&mut keep, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                "--output" => set_once(&mut output, flag, p.value(flag)?)?,
                "--metric" => set_once(&mut metric, flag, p.value(flag)?)?,
                "--keep-going" => keep_going = true,
                "--any-order" => any_order = true,
                _ => return Err(unexpected(arg)),
            }
        }
        let source = match (instrument, file) {
            (Some(id), None) => Source::Catalog(id.to_owned()),
            (None, Some(path)) => Source::File(path.to_owned()),
            (Some(_), Some(_)) => {
                return Err(Failure::usage(
                    "give --instrument or --instrument-file, not both",
                ));
            }
            (None, None) => {
                return Err(Failure::usage(
                    "--instrument ID or --instrument-file FILE is required",
                ));
            }
        };
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let format = match format {
            None => Format::Wide,
            Some(f) => f.parse().map_err(|_| {
                Failure::usage(format!("--format must be wide, long or redcap, not {f:?}"))
            })?,
        };
        for (flag, given, needs) in [
            ("--item", item.is_some(), Format::Long),
            ("--value", value.is_some(), Format::Long),
            ("--any-order", any_order, Format::Long),
            ("--form", form.is_some(), Format::Redcap),
            ("--accept", accept.is_some(), Format::Redcap),
        ] {
            if given && format != needs {
                return Err(Failure::usage(format!(
                    "{flag} applies to --format {needs}, not {format}"
                )));
            }
        }
        let id = column_name("--id", id)?;
        let shown_id = id.as_deref().unwrap_or(match format {
            Format::Redcap => "record_id",
            _ => "id",
        });
        let keep = match keep {
            None => Vec::new(),
            Some(list) => keep_columns(list, shown_id)?,
        };
        let form = match form.map(str::trim) {
            Some("") => return Err(Failure::usage("--form needs a REDCap form name")),
            other => other.map(str::to_owned),
        };
        let accept = accept.map(statuses).transpose()?;
        let na = match na.map(str::trim) {
            Some("") => {
                return Err(Failure::usage(
                    "--na needs a token (empty cells are unanswered already)",
                ));
            }
            other => other.map(str::to_owned),
        };
        let output = match output {
            None | Some("csv") => Output::Csv,
            Some("json") => Output::Json,
            Some(o) => {
                return Err(Failure::usage(format!(
                    "--output must be csv or json, not {o:?}"
                )));
            }
        };
        let metric = match metric {
            None => None,
            Some(_) if output == Output::Json => {
                return Err(Failure::usage(
                    "--metric applies to csv output; the json report carries sum, mean and pomp",
                ));
            }
            Some(m) => Some(
                m.parse::<Metric>()
                    .map_err(|e| Failure::usage(format!("--metric: {e}")))?,
            ),
        };
        Ok(Some(Options {
            source,
            csv: csv.to_owned(),
            format,
            id,
            session: column_name("--session", session)?,
            item: column_name("--item", item)?,
            value: column_name("--value", value)?,
            any_order,
            map: map.map(str::to_owned),
            form,
            accept,
            keep,
            na,
            output,
            metric,
            keep_going,
        }))
    }

    /// The layout of the input.
    fn layout(&self, inst: &Instrument) -> Result<Layout, Failure> {
        let mut layout = match self.format {
            Format::Wide => Layout::wide(),
            Format::Long => {
                let mut long = Layout::long().any_order(self.any_order);
                if let Some(item) = &self.item {
                    long = long.item_column(item.as_str());
                }
                if let Some(value) = &self.value {
                    long = long.value_column(value.as_str());
                }
                long
            }
            Format::Redcap => {
                let form = self
                    .form
                    .clone()
                    .unwrap_or_else(|| inst.id().replace('-', "_"));
                let redcap = Layout::redcap(form);
                match &self.accept {
                    Some(accept) => redcap.accept(accept.iter().copied()),
                    None => redcap,
                }
            }
            // A format this command does not know yet.
            _ => return Err(Failure::usage("--format must be wide, long or redcap")),
        };
        if let Some(id) = &self.id {
            layout = layout.id(id.as_str());
        }
        if let Some(session) = &self.session {
            layout = layout.session(session.as_str());
        }
        if let Some(na) = &self.na {
            layout = layout.missing(na.as_str());
        }
        if let Some(path) = &self.map {
            layout = layout.items(item_map(path)?);
        }
        Ok(layout.keep(self.keep.iter().cloned()))
    }
}

/// The statuses of `--accept`.
fn statuses(list: &str) -> Result<Vec<RedcapStatus>, Failure> {
    list.split(',')
        .map(|s| {
            s.trim().parse::<RedcapStatus>().map_err(|_| {
                Failure::usage(format!(
                    "--accept takes complete, unverified and incomplete (or 2, 1, 0), not {:?}",
                    s.trim()
                ))
            })
        })
        .collect()
}

/// The item map of `--map`: JSON if the file name ends `.json`, else CSV.
fn item_map(path: &str) -> Result<ItemMap, Failure> {
    let file =
        std::fs::File::open(path).map_err(|e| Failure::run(format!("cannot read {path}: {e}")))?;
    if path.ends_with(".json") {
        serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| Failure::run(format!("{path}: not a valid item map: {e}")))
    } else {
        ItemMap::from_csv(file).map_err(|e| match e.kind() {
            ErrorKind::Io { source, .. } => Failure::run(format!("cannot read {path}: {source}")),
            _ => Failure::run(format!("{path}: {e}")),
        })
    }
}

/// The column names of `--keep`: comma-separated, each named once, none the id column.
fn keep_columns(list: &str, id: &str) -> Result<Vec<String>, Failure> {
    let mut keep: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Failure::usage(format!(
                "--keep {list:?} has an empty column name"
            )));
        }
        if name == id {
            return Err(Failure::usage(format!(
                "--keep names the id column {id:?}, which is always written first"
            )));
        }
        if keep.iter().any(|k| k == name) {
            return Err(Failure::usage(format!("--keep names {name:?} twice")));
        }
        keep.push(name.to_owned());
    }
    Ok(keep)
}

impl Source {
    fn load(&self) -> Result<Instrument, Failure> {
        match self {
            Source::Catalog(id) => crate::instruments::require(id),
            Source::File(path) => crate::instruments::load_file(path),
        }
    }
}

/// A header error in the words of this command's flags.
fn header_failure(e: &Error, opts: &Options) -> Failure {
    match e.kind() {
        ErrorKind::UnknownColumn {
            column, position, ..
        } if opts.format == Format::Long => Failure::run(format!(
            "column {position} ({column:?}) is none of the long format's id, session, item and \
             value columns; to pass it through, name it in --keep"
        )),
        ErrorKind::UnknownColumn {
            instrument,
            column,
            position,
            ..
        } => {
            let id = opts.id.as_deref().unwrap_or("id");
            Failure::run(format!(
                "column {position} ({column:?}) is neither the id column {id:?} nor an item of \
                 {instrument}; to pass it through, name it in --keep"
            ))
        }
        ErrorKind::MissingColumn {
            column,
            role: "pass-through",
            ..
        } => Failure::run(format!(
            "the header has no column {column:?} (named in --keep)"
        )),
        _ => table::failed(&opts.csv, e),
    }
}

/// How many rows are done, on stderr when it is a terminal: at most once a second.
struct Progress {
    on: bool,
    rows: u64,
    shown: bool,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        Progress {
            on: std::io::stderr().is_terminal(),
            rows: 0,
            shown: false,
            last: Instant::now(),
        }
    }

    fn row(&mut self) {
        self.rows += 1;
        if self.on
            && self.rows.is_multiple_of(4096)
            && self.last.elapsed() >= Duration::from_secs(1)
        {
            self.last = Instant::now();
            let _ = write!(
                std::io::stderr().lock(),
                "\ralliance: {} rows scored",
                self.rows
            );
            self.shown = true;
        }
    }

    /// Ends the progress line before another line on stderr.
    fn break_line(&mut self) {
        if self.shown {
            let _ = writeln!(std::io::stderr().lock());
            self.shown = false;
        }
    }

    /// The final count, if progress was shown.
    fn finish(&mut self) {
        if self.shown {
            let _ = writeln!(
                std::io::stderr().lock(),
                "\ralliance: {} rows scored",
                self.rows
            );
            self.shown = false;
        }
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let inst = opts.source.load()?;
    let layout = opts.layout(&inst)?;
    let file = std::fs::File::open(&opts.csv)
        .map_err(|e| Failure::run(format!("cannot read {}: {e}", opts.csv)))?;
    // Streaming: the reader holds one administration at a time.
    let reader = layout
        .reader(file, &inst)
        .map_err(|e| header_failure(&e, &opts))?;
    let metric = opts.metric.unwrap_or(inst.primary_metric());
    // The output columns are checked whatever the output, so that a clash is found at once.
    ScoreWriter::for_reader(std::io::sink(), &reader)
        .metric(metric)
        .columns()
        .map_err(|e| Failure::run(format!("--keep {e}")))?;
    let mut sink = Sink::start(opts.output, &reader, metric)?;
    let result = score(reader, &mut sink, &opts);
    let finished = sink.finish();
    result.and(finished)
}

/// Scores every row of `reader` into `sink`.
fn score(
    mut reader: Reader<std::fs::File>,
    sink: &mut Sink,
    opts: &Options,
) -> Result<(), Failure> {
    let mut progress = Progress::new();
    let mut failed = 0u64;
    for row in reader.by_ref() {
        match row {
            Ok(row) => {
                sink.row(&row)?;
                progress.row();
            }
            Err(e) if opts.keep_going && !matches!(e.error().kind(), ErrorKind::Io { .. }) => {
                progress.break_line();
                let message = table::with_id(e.error(), e.record_id());
                output::error_line(&format!("alliance: error: {message}"));
                failed += 1;
            }
            Err(e) => {
                progress.break_line();
                return Err(table::row_failed(&opts.csv, &e));
            }
        }
    }
    progress.finish();
    let skipped = reader.skipped();
    if skipped.total() > 0 {
        output::error_line(&format!(
            "alliance: note: {} REDCap rows skipped: {} blank for the form, {} of another \
             repeating form, {} with a form status not accepted",
            skipped.total(),
            skipped.blank,
            skipped.other_form,
            skipped.not_accepted
        ));
    }
    if failed > 0 {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// Where scored rows go: a CSV or JSON writer on stdout, written row by row.
enum Sink {
    /// Boxed: a score writer is large, and there is one per run.
    Csv(Box<ScoreWriter<StdoutLock<'static>>>),
    Json {
        out: BufWriter<StdoutLock<'static>>,
        keep: Vec<String>,
        rows: u64,
    },
}

/// `score --output json`: which instrument the rows were scored with.
#[derive(serde::Serialize)]
struct InstrumentHead<'a> {
    id: &'a str,
    version: &'a str,
    name: &'a str,
    digest: &'a str,
}

/// One row of `score --output json`.
#[derive(serde::Serialize)]
struct JsonRow<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keep: Option<Kept<'a>>,
    report: Report,
}

/// The kept columns of a row, as a JSON object in `--keep` order.
struct Kept<'a> {
    names: &'a [String],
    values: &'a [&'a str],
}

impl serde::Serialize for Kept<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.names.iter().zip(self.values))
    }
}

fn json_failed(e: serde_json::Error) -> Failure {
    if e.is_io() {
        write_failed(e.into())
    } else {
        Failure::run(format!("cannot write the output: {e}"))
    }
}

impl Sink {
    /// Writes the output's header (the CSV header line, the JSON document's start).
    fn start(
        format: Output,
        reader: &Reader<std::fs::File>,
        metric: Metric,
    ) -> Result<Self, Failure> {
        let stdout = std::io::stdout().lock();
        let inst = reader.instrument();
        match format {
            Output::Csv => {
                let mut out = Box::new(ScoreWriter::for_reader(stdout, reader).metric(metric));
                out.write_header().map_err(written)?;
                Ok(Sink::Csv(out))
            }
            Output::Json => {
                let mut out = BufWriter::new(stdout);
                let head = InstrumentHead {
                    id: inst.id(),
                    version: inst.version(),
                    name: inst.name(),
                    digest: inst.digest(),
                };
                out.write_all(b"{\"instrument\":").map_err(write_failed)?;
                serde_json::to_writer(&mut out, &head).map_err(json_failed)?;
                out.write_all(b",\"missing_rule\":").map_err(write_failed)?;
                serde_json::to_writer(&mut out, &inst.missing().to_string())
                    .map_err(json_failed)?;
                out.write_all(b",\"rows\":[").map_err(write_failed)?;
                Ok(Sink::Json {
                    out,
                    keep: reader.kept_columns().map(str::to_owned).collect(),
                    rows: 0,
                })
            }
        }
    }

    fn row(&mut self, row: &Row) -> Result<(), Failure> {
        match self {
            Sink::Csv(out) => out.write(row).map_err(written),
            Sink::Json { out, keep, rows } => {
                let separator: &[u8] = if *rows == 0 { b"\n" } else { b",\n" };
                out.write_all(separator).map_err(write_failed)?;
                let values: Vec<&str> = row.kept().iter().map(String::as_str).collect();
                let json = JsonRow {
                    id: row.administration().client().unwrap_or_default(),
                    keep: (!keep.is_empty()).then_some(Kept {
                        names: keep,
                        values: &values,
                    }),
                    report: row.administration().report(),
                };
                serde_json::to_writer(&mut *out, &json).map_err(json_failed)?;
                *rows += 1;
                Ok(())
            }
        }
    }

    /// Ends the output (closing the JSON document) and flushes it.
    fn finish(&mut self) -> Result<(), Failure> {
        match self {
            Sink::Csv(out) => out.flush().map_err(written),
            Sink::Json { out, .. } => {
                out.write_all(b"\n]}\n").map_err(write_failed)?;
                out.flush().map_err(write_failed)
            }
        }
    }
}

/// A failed write of the library's score writer: a closed stdout (`| head`) is no error worth
/// a message.
fn written(e: Error) -> Failure {
    match e.kind() {
        ErrorKind::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe => {
            Failure::Closed
        }
        ErrorKind::Io { source, .. } => Failure::run(format!("cannot write the output: {source}")),
        _ => Failure::run(format!("cannot write the output: {e}")),
    }
}
