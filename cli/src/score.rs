//! `alliance score`: scores a CSV file of answers (wide, long or a REDCap export) through the
//! library's `csv` module, streaming: each administration is read, scored and written before
//! the next is read.

use std::io::{BufWriter, IsTerminal as _, StdoutLock, Write as _};
use std::time::{Duration, Instant};

use std::ops::ControlFlow;

use therapeutic_alliance::csv::{
    Format, ItemMap, Layout, Reader, RedcapStatus, Row, ScoreFormat, ScoreWriter,
};
use therapeutic_alliance::{Error, ErrorKind, Instrument, Metric, Report};

use clap::{ArgAction, ValueEnum};

use crate::args::{CsvArg, NaArg, column_name, name_list};
use crate::output::{self, write_failed};
use crate::table;
use crate::{Failure, Problem};

/// Score a CSV file of answers (wide, long or REDCap) to CSV or JSON.
///
/// Scores a CSV file of answers. The default, wide, has a header line, then one row per
/// administration with an id column and one column per item, named by item id. An empty cell is
/// an unanswered item.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// An instrument of the catalog (`alliance instruments` lists them)
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "instrument_file",
        conflicts_with = "instrument_file"
    )]
    instrument: Option<String>,
    /// An instrument definition in JSON or TOML (by extension, else by content), as `alliance
    /// instruments ID --json` or `--toml` prints it; validated when loaded
    #[arg(long, value_name = "FILE")]
    instrument_file: Option<String>,
    #[command(flatten)]
    csv: CsvArg,
    /// wide (default): one row per administration, one column per item. long: one row per
    /// answer, with id, session, item and value columns; the rows of one id and session are one
    /// administration and must come together (as in a file sorted by id and session) unless
    /// --any-order. redcap: a REDCap export
    #[arg(long, value_enum, default_value_t = InputFormat::Wide)]
    format: InputFormat,
    /// The id column (default `id`; `record_id` for redcap); the output always calls it `id`
    #[arg(long, value_name = "COLUMN")]
    id: Option<String>,
    /// The session column (long: default `session`); written after the id
    #[arg(long, value_name = "COLUMN")]
    session: Option<String>,
    /// long: the item column (default `item`)
    #[arg(long, value_name = "COLUMN")]
    item: Option<String>,
    /// long: the answer column (default `value`)
    #[arg(long, value_name = "COLUMN")]
    value: Option<String>,
    /// long: rows in any order, grouped by id and session (holds the file)
    #[arg(long)]
    any_order: bool,
    /// Which column (long: which item cell; redcap: which field) holds which item: a CSV file
    /// with `field` and `item` columns, or a JSON object {"field": "item", ...} in a file ending
    /// .json. Without it, the column name (the item cell) is the item id
    #[arg(long, value_name = "FILE")]
    map: Option<String>,
    /// redcap: the form (REDCap instrument) name, for its NAME_complete status and its repeats
    /// (default: the instrument id with - as _)
    #[arg(long, value_name = "NAME")]
    form: Option<String>,
    /// redcap: the form statuses read, comma-separated, from complete, unverified and
    /// incomplete (or 2, 1, 0); default complete
    #[arg(long, value_name = "STATUSES", value_delimiter = ',', action = ArgAction::Set)]
    accept: Option<Vec<String>>,
    /// Comma-separated input columns to pass through (e.g. therapist,site), written after the id
    /// (and session). In the wide and long formats any other column that is not an item is an
    /// error
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',', action = ArgAction::Set)]
    keep: Option<Vec<String>>,
    #[command(flatten)]
    na: NaArg,
    /// csv: id, the session, the kept columns, each subscale, then the total, each an empty cell
    /// where the missing-item rule leaves it unscored. json: one document {"instrument": {id,
    /// version, name, digest}, "missing_rule": "...", "rows": [{"id", "keep", "report"}, ...]}
    #[arg(long, value_enum, default_value_t = Output::Csv)]
    output: Output,
    /// The score written in csv output (default: the instrument's own, sum or mean); pomp is
    /// percent of maximum, 0-100
    #[arg(long, value_name = "sum|mean|pomp")]
    metric: Option<String>,
    /// Score every good row and report every bad one, instead of stopping at the first
    #[arg(long)]
    keep_going: bool,
}

const AFTER_HELP: &str = "\
A REDCap export (--format redcap) has a row per record, event and repeat instance holding every
form's fields. The id is record_id; redcap_event_name, redcap_repeat_instrument and
redcap_repeat_instance pass through where the header has them; columns of other forms are
ignored. A row is skipped, not an error, when its redcap_repeat_instrument names another form,
when all its item cells are blank, or when its NAME_complete status is blank or not accepted. A
note on stderr counts the rows skipped.

Rows are written as they are scored. A bad row stops the run: the rows before it are written,
one line on stderr names it, and the exit status is 1. With --keep-going every bad cell gets its
line, the good rows are all written, and the exit status is 1 at the end if any row failed. An
error names the row by its line number in the CSV file (the header being line 1), then the id
and the column:

  alliance: error: row 3 (id \"p02\"), column \"9\": item 9: value 9 is outside the response range 1 to 5

Exit status: 0 success, 1 bad input (including bad rows), 2 bad command line.";

/// `--format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    Wide,
    Long,
    Redcap,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Wide => Format::Wide,
            InputFormat::Long => Format::Long,
            InputFormat::Redcap => Format::Redcap,
        }
    }
}

/// Where the instrument comes from.
enum Source {
    Catalog(String),
    File(String),
}

/// `--output`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Csv,
    Json,
}

/// The checked command line of `alliance score`.
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

impl Options {
    /// What clap cannot check: which flags go with which format, and the values.
    fn new(args: Args) -> Result<Self, Failure> {
        let source = match (args.instrument, args.instrument_file) {
            (Some(id), _) => Source::Catalog(id),
            (None, Some(path)) => Source::File(path),
            (None, None) => {
                return Err(Failure::usage(
                    "--instrument ID or --instrument-file FILE is required",
                ));
            }
        };
        let format = Format::from(args.format);
        for (flag, given, needs) in [
            ("--item", args.item.is_some(), Format::Long),
            ("--value", args.value.is_some(), Format::Long),
            ("--any-order", args.any_order, Format::Long),
            ("--form", args.form.is_some(), Format::Redcap),
            ("--accept", args.accept.is_some(), Format::Redcap),
        ] {
            if given && format != needs {
                return Err(Failure::usage(format!(
                    "{flag} applies to --format {needs}, not {format}"
                )));
            }
        }
        let id = column_name("--id", args.id.as_deref())?;
        let shown_id = id.as_deref().unwrap_or(match format {
            Format::Redcap => "record_id",
            _ => "id",
        });
        let keep = match &args.keep {
            None => Vec::new(),
            Some(list) => name_list("--keep", list, shown_id, ", which is always written first")?,
        };
        let form = match args.form.as_deref().map(str::trim) {
            Some("") => return Err(Failure::usage("--form needs a REDCap form name")),
            other => other.map(str::to_owned),
        };
        let accept = args.accept.as_deref().map(statuses).transpose()?;
        let metric = match args.metric {
            None => None,
            Some(_) if args.output == Output::Json => {
                return Err(Failure::usage(
                    "--metric applies to csv output; the json report carries sum, mean and pomp",
                ));
            }
            Some(m) => Some(
                m.parse::<Metric>()
                    .map_err(|e| Failure::usage(format!("--metric: {e}")))?,
            ),
        };
        Ok(Options {
            source,
            csv: args.csv.csv,
            format,
            id,
            session: column_name("--session", args.session.as_deref())?,
            item: column_name("--item", args.item.as_deref())?,
            value: column_name("--value", args.value.as_deref())?,
            any_order: args.any_order,
            map: args.map,
            form,
            accept,
            keep,
            na: args.na.token()?,
            output: args.output,
            metric,
            keep_going: args.keep_going,
        })
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
fn statuses(list: &[String]) -> Result<Vec<RedcapStatus>, Failure> {
    list.iter()
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

impl Source {
    fn load(&self) -> Result<Instrument, Failure> {
        match self {
            Source::Catalog(id) => crate::instruments::require(id),
            Source::File(path) => crate::instruments::load_file(path),
        }
    }
}

/// A header error in the words of this command's flags.
fn header_failure(e: Error, opts: &Options) -> Failure {
    let message = match e.kind() {
        ErrorKind::UnknownColumn {
            column, position, ..
        } if opts.format == Format::Long => format!(
            "column {position} ({column:?}) is none of the long format's id, session, item and \
             value columns; to pass it through, name it in --keep"
        ),
        ErrorKind::UnknownColumn {
            instrument,
            column,
            position,
            ..
        } => {
            let id = opts.id.as_deref().unwrap_or("id");
            format!(
                "column {position} ({column:?}) is neither the id column {id:?} nor an item of \
                 {instrument}; to pass it through, name it in --keep"
            )
        }
        ErrorKind::MissingColumn {
            column,
            role: "pass-through",
            ..
        } => format!("the header has no column {column:?} (named in --keep)"),
        _ => return table::failed(&opts.csv, &e),
    };
    Failure::worded(message, e)
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

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let inst = opts.source.load()?;
    let layout = opts.layout(&inst)?;
    let file = std::fs::File::open(&opts.csv)
        .map_err(|e| Failure::run(format!("cannot read {}: {e}", opts.csv)))?;
    if opts.format == Format::Wide {
        return stream(&opts, &inst, &layout, file);
    }
    // Streaming: the reader holds one administration at a time.
    let reader = layout
        .reader(file, &inst)
        .map_err(|e| header_failure(e, &opts))?;
    let metric = opts.metric.unwrap_or(inst.primary_metric());
    // The output columns are checked whatever the output, so that a clash is found at once.
    ScoreWriter::for_reader(std::io::sink(), &reader)
        .metric(metric)
        .columns()
        .map_err(|e| Failure::worded(format!("--keep {e}"), e))?;
    let mut sink = Sink::start(opts.output, &reader, metric)?;
    let result = score(reader, &mut sink, &opts);
    let finished = sink.finish();
    result.and(finished)
}

/// A wide file through the library's score stream: rows parsed straight into answer units,
/// scored in batches on every core, written in input order (the same bytes and errors as the
/// reader and score writer give).
fn stream(
    opts: &Options,
    inst: &Instrument,
    layout: &Layout,
    file: std::fs::File,
) -> Result<(), Failure> {
    let metric = opts.metric.unwrap_or(inst.primary_metric());
    let stream = layout
        .score_stream(file, inst)
        .map_err(|e| header_failure(e, opts))?
        .metric(metric);
    // The output columns are checked whatever the output, so that a clash is found at once.
    stream
        .columns()
        .map_err(|e| Failure::worded(format!("--keep {e}"), e))?;
    let stream = match opts.output {
        Output::Csv => stream,
        Output::Json => stream.format(ScoreFormat::Json),
    };
    let mut out = BufWriter::with_capacity(1 << 16, raw_stdout());
    let mut stopped = None;
    let done = stream.write_to(&mut out, |e| {
        if opts.keep_going && !matches!(e.error().kind(), ErrorKind::Io { .. }) {
            output::report(&Problem::of_row(e));
            ControlFlow::Continue(())
        } else {
            stopped = Some(e);
            ControlFlow::Break(())
        }
    });
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            return Err(match e.kind() {
                ErrorKind::Io {
                    action: "write", ..
                } => written(e),
                _ => table::failed(&opts.csv, &e),
            });
        }
    };
    if let Some(e) = stopped {
        return Err(table::row_failed(&opts.csv, e));
    }
    if done.failed > 0 {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// Standard output without its line buffer, where the platform allows: the stream hands over
/// whole pieces of a few hundred KiB, which stdout's line buffer would cut at the last line
/// break (one more write call each). Nothing else is written to stdout while the stream runs.
fn raw_stdout() -> Box<dyn std::io::Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout().lock())
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
                output::report(&Problem::of_row(e));
                failed += 1;
            }
            Err(e) => {
                progress.break_line();
                return Err(table::row_failed(&opts.csv, e));
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
