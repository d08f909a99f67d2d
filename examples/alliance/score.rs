//! `alliance score`: scores a wide CSV file (one row per administration, one column per item),
//! streaming: each row is read, scored and written before the next is read.

use std::fmt::Write as _;
use std::io::{BufWriter, StdoutLock, Write as _};

use therapeutic_alliance::{Administration, Instrument, Metric, Report, TotalRule};

use crate::Failure;
use crate::args::{Arg, Parser, set_once, unexpected};
use crate::output::{self, write_failed};
use crate::table::{self, location, read_failed};

pub const USAGE: &str = r#"usage: alliance score (--instrument ID | --instrument-file FILE) --csv FILE [options]

Scores a wide CSV file: a header line, then one row per administration with an id column and one
column per item, named by item id. An empty cell is an unanswered item; spaces around cells, a
UTF-8 byte-order mark, quoted fields, CRLF line endings and blank lines are all fine.

  --instrument ID         an instrument of the catalog (`alliance instruments` lists them)
  --instrument-file FILE  an instrument definition in JSON or TOML (by extension, else by
                          content), as `alliance instruments ID --json` or `--toml` prints it;
                          validated when loaded
  --csv FILE              the answers
  --id COLUMN             the id column (default `id`); the output always calls it `id`
  --keep COLUMNS          comma-separated input columns to pass through (e.g. therapist,session),
                          written right after the id. Any other column that is not an item is an
                          error.
  --na TOKEN              cells equal to TOKEN (e.g. NA, as R writes) are unanswered too
  --output csv|json       csv (default): id, the kept columns, each subscale, then the total,
                          each an empty cell where the missing-item rule leaves it unscored.
                          json: one document {"instrument": {id, version, name, digest},
                          "missing_rule": "...", "rows": [{"id", "keep", "report"}, ...]}; each
                          report has every subscale and the total (sum, mean, pomp, items
                          answered, why not scored) and the flags raised
  --metric sum|mean|pomp  the score written in csv output (default: the instrument's own, sum or
                          mean); pomp is percent of maximum, 0-100
  --keep-going            score every good row and report every bad one, instead of stopping at
                          the first
  -h, --help              this text

Rows are written as they are scored, so any number of rows fits in little memory. A bad row (an
answer off the response scale or not a number, a wrong number of fields) stops the run: the rows
before it are written, one line on stderr names it, and the exit status is 1. With --keep-going
every bad row gets its line, the good rows are all written, and the exit status is 1 at the end
if any row failed. An error names the row by its line number in the CSV file, the header being
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
enum Format {
    Csv,
    Json,
}

/// The parsed command line of `alliance score`.
struct Options {
    source: Source,
    csv: String,
    id: String,
    keep: Vec<String>,
    na: Option<String>,
    format: Format,
    metric: Option<Metric>,
    keep_going: bool,
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut instrument, mut file, mut csv, mut id, mut keep, mut na, mut format, mut metric) =
            (None, None, None, None, None, None, None, None);
        let mut keep_going = false;
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
                "--id" => set_once(&mut id, flag, p.value(flag)?)?,
                "--keep" => set_once(&mut keep, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                "--output" => set_once(&mut format, flag, p.value(flag)?)?,
                "--metric" => set_once(&mut metric, flag, p.value(flag)?)?,
                "--keep-going" => keep_going = true,
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
        let id = id.unwrap_or("id").trim();
        if id.is_empty() {
            return Err(Failure::usage("--id needs a column name"));
        }
        let keep = match keep {
            None => Vec::new(),
            Some(list) => keep_columns(list, id)?,
        };
        let na = match na.map(str::trim) {
            Some("") => {
                return Err(Failure::usage(
                    "--na needs a token (empty cells are unanswered already)",
                ));
            }
            other => other.map(str::to_owned),
        };
        let format = match format {
            None | Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            Some(o) => {
                return Err(Failure::usage(format!(
                    "--output must be csv or json, not {o:?}"
                )));
            }
        };
        let metric = match metric {
            None => None,
            Some(_) if format == Format::Json => {
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
            id: id.to_owned(),
            keep,
            na,
            format,
            metric,
            keep_going,
        }))
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

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let inst = opts.source.load()?;
    // Streaming: the reader holds one record at a time. Rows are checked for their field count
    // here (the reader is flexible), so a ragged row is a row error naming its line and id.
    let mut reader = table::open(&opts.csv)?;
    let header = reader
        .byte_headers()
        .map_err(|e| read_failed(&opts.csv, &e))?
        .clone();
    let layout = Layout::new(&header, &inst, &opts)?;
    let metric = opts.metric.unwrap_or(inst.primary_metric());
    let mut sink = Sink::start(opts.format, &inst, &layout, metric)?;

    let mut record = csv::ByteRecord::new();
    let mut failed = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                sink.finish()?;
                return Err(read_failed(&opts.csv, &e));
            }
        }
        // A line of nothing but spaces carries no row.
        if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
            continue;
        }
        let start = record.position().map_or(0, csv::Position::byte);
        let line = reader.get_mut().line_at(start);
        match layout.read(&inst, &record, line, opts.na.as_deref()) {
            Ok(row) => sink.row(&row)?,
            Err(message) if opts.keep_going => {
                output::error_line(&format!("alliance: error: {message}"));
                failed += 1;
            }
            Err(message) => {
                // The rows before the bad one are written (and flushed) before the run stops.
                sink.finish()?;
                return Err(Failure::Run(message));
            }
        }
    }
    sink.finish()?;
    if failed > 0 {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// How the input columns map onto the output: the id, the kept columns and the items.
struct Layout {
    /// Fields in the header; every row must have as many.
    width: usize,
    id_at: usize,
    id_name: String,
    /// Kept columns: output name and input position, in `--keep` order.
    keep: Vec<(String, usize)>,
    /// Item columns: input position and item id, in input order.
    items: Vec<(usize, String)>,
}

/// One scored input row.
struct Row<'r> {
    id: &'r str,
    keep: Vec<&'r str>,
    administration: Administration,
}

impl Layout {
    fn new(header: &csv::ByteRecord, inst: &Instrument, opts: &Options) -> Result<Self, Failure> {
        let names = table::unique_names(header)?;
        let id_at = names
            .iter()
            .position(|&n| n == opts.id)
            .ok_or_else(|| Failure::run(format!("the header has no id column {:?}", opts.id)))?;

        let outputs: Vec<&str> = inst.subscales().iter().map(|s| s.id()).collect();
        let mut keep = Vec::with_capacity(opts.keep.len());
        for name in &opts.keep {
            let at = names.iter().position(|n| n == name).ok_or_else(|| {
                Failure::run(format!(
                    "the header has no column {name:?} (named in --keep)"
                ))
            })?;
            if inst.item_index(name).is_some() {
                return Err(Failure::run(format!(
                    "column {name:?} is an item of {}; --keep passes through columns that are not items",
                    inst.id()
                )));
            }
            if name == "id" || name == "total" || outputs.contains(&name.as_str()) {
                return Err(Failure::run(format!(
                    "--keep column {name:?} would clash with the output column of that name"
                )));
            }
            keep.push((name.clone(), at));
        }

        let items = table::item_columns(
            &names,
            inst,
            |col| col == id_at || keep.iter().any(|&(_, at)| at == col),
            |col, name| {
                format!(
                    "column {col} ({name:?}) is neither the id column {:?} nor an item of {}; \
                     to pass it through, name it in --keep",
                    opts.id,
                    inst.id()
                )
            },
        )?;
        Ok(Layout {
            width: names.len(),
            id_at,
            id_name: opts.id.clone(),
            keep,
            items,
        })
    }

    /// Reads and validates one row at line `line`: the error is one line naming the row, its id
    /// and the column.
    fn read<'r>(
        &self,
        inst: &Instrument,
        record: &'r csv::ByteRecord,
        line: u64,
        na: Option<&str>,
    ) -> Result<Row<'r>, String> {
        let id_cell = record.get(self.id_at);
        // For messages only: the id as far as it can be read.
        let shown = id_cell.map(String::from_utf8_lossy);
        let shown = shown.as_deref();
        if record.len() != self.width {
            return Err(format!(
                "{}: {} fields, but the header has {}",
                location(Some(line), shown, None),
                record.len(),
                self.width
            ));
        }
        let text = |cell: Option<&'r [u8]>, column: &str| {
            std::str::from_utf8(cell.unwrap_or_default()).map_err(|_| {
                format!(
                    "{}: the cell is not valid UTF-8",
                    location(Some(line), shown, Some(column))
                )
            })
        };
        let id = text(id_cell, &self.id_name)?;
        let keep = self
            .keep
            .iter()
            .map(|(name, at)| text(record.get(*at), name))
            .collect::<Result<Vec<_>, _>>()?;
        let builder = table::answers(
            Administration::builder(inst),
            &self.items,
            record,
            line,
            Some(id),
            na,
        )?;
        let administration = builder
            .build()
            .map_err(|e| table::located(&e.at_row(line), Some(id)))?;
        Ok(Row {
            id,
            keep,
            administration,
        })
    }
}

/// Where scored rows go: a CSV or JSON writer on stdout, written row by row.
enum Sink {
    Csv {
        /// Boxed: a CSV writer is large, and there is one per run.
        out: Box<csv::Writer<StdoutLock<'static>>>,
        metric: Metric,
        /// Reused for formatting each number.
        number: String,
    },
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

fn csv_failed(e: csv::Error) -> Failure {
    if e.is_io_error() {
        if let csv::ErrorKind::Io(io) = e.into_kind() {
            return write_failed(io);
        }
        return Failure::run("cannot write the output");
    }
    Failure::run(format!("cannot write the output: {e}"))
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
        format: Format,
        inst: &Instrument,
        layout: &Layout,
        metric: Metric,
    ) -> Result<Self, Failure> {
        let stdout = std::io::stdout().lock();
        match format {
            Format::Csv => {
                let mut out = Box::new(csv::WriterBuilder::new().from_writer(stdout));
                let total = (inst.total_rule() != TotalRule::None).then_some("total");
                let header = std::iter::once("id")
                    .chain(layout.keep.iter().map(|(name, _)| name.as_str()))
                    .chain(inst.subscales().iter().map(|s| s.id()))
                    .chain(total);
                out.write_record(header).map_err(csv_failed)?;
                Ok(Sink::Csv {
                    out,
                    metric,
                    number: String::new(),
                })
            }
            Format::Json => {
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
                    keep: layout.keep.iter().map(|(name, _)| name.clone()).collect(),
                    rows: 0,
                })
            }
        }
    }

    fn row(&mut self, row: &Row<'_>) -> Result<(), Failure> {
        match self {
            Sink::Csv {
                out,
                metric,
                number,
            } => {
                out.write_field(row.id).map_err(csv_failed)?;
                for value in &row.keep {
                    out.write_field(value).map_err(csv_failed)?;
                }
                let scores = row.administration.score();
                let values = scores
                    .subscales()
                    .map(|(_, s)| s)
                    .chain(scores.total())
                    .map(|s| s.score().map(|s| s.get(*metric)));
                for value in values {
                    number.clear();
                    if let Some(v) = value {
                        // `{}` prints the shortest form that reads back as the same double.
                        let _ = write!(number, "{v}");
                    }
                    out.write_field(number.as_bytes()).map_err(csv_failed)?;
                }
                out.write_record(None::<&[u8]>).map_err(csv_failed)
            }
            Sink::Json { out, keep, rows } => {
                let separator: &[u8] = if *rows == 0 { b"\n" } else { b",\n" };
                out.write_all(separator).map_err(write_failed)?;
                let json = JsonRow {
                    id: row.id,
                    keep: (!keep.is_empty()).then_some(Kept {
                        names: keep,
                        values: &row.keep,
                    }),
                    report: row.administration.report(),
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
            Sink::Csv { out, .. } => out.flush().map_err(write_failed),
            Sink::Json { out, .. } => {
                out.write_all(b"\n]}\n").map_err(write_failed)?;
                out.flush().map_err(write_failed)
            }
        }
    }
}
