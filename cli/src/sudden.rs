//! `alliance sudden-gains` and `alliance sudden-losses`: sudden gains and losses (Tang &
//! DeRubeis 1999; Lutz et al. 2013) in a wide CSV file of session scores, as the R package
//! suddengains identifies them.

use std::collections::HashMap;

use therapeutic_alliance::ErrorKind;
use therapeutic_alliance::change::{
    CriticalValue, ScoreSeries, SuddenEvent, SuddenKind, SuddenOptions, SuddenWindow,
};

use clap::ArgAction;

use crate::Failure;
use crate::args::{self, Better, CsvArg, NaArg};
use crate::output;
use crate::table::{self, location};

/// Sudden gains (sudden-gains) or losses (sudden-losses) in a wide CSV file of session scores,
/// as R's suddengains finds them.
///
/// Sudden gains (sudden-gains) or losses (sudden-losses) as R's suddengains package (0.7.2)
/// identifies them, in a WIDE CSV file: a header line, then one row per client with an id column
/// and one column per session score (other columns are ignored). An empty cell is a missed
/// session.
///
/// A shift from session N to session N+1 (an improvement for gains, a worsening for losses)
/// counts when it meets the three criteria of Tang & DeRubeis (1999; for losses, Lutz et al.
/// 2013): (1) it is at least the cutoff; (2) it is at least --pct of the score at session N; (3)
/// the mean of sessions N-2..N and the mean of sessions N+1..N+3 differ by more than a critical t
/// times their pooled SD (at least two scores on each side).
/// Memory: the whole file is held before the analysis (every client's series and results), about
/// 600 bytes per client of 12 sessions: some 600 MB for a million clients.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    /// The client id column (each client on one row)
    #[arg(long, value_name = "COLUMN")]
    id: String,
    /// The session columns, comma-separated, in session order (at least 4)
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',', action = ArgAction::Set, required = true)]
    columns: Vec<String>,
    /// Criterion 1: the smallest shift, a number of at least 0 (often the reliable change value
    /// 1.96 x sqrt(2) x SD x sqrt(1 - reliability))
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    cutoff: String,
    /// Criterion 2: the fraction of the score at session N the shift must reach
    #[arg(
        long,
        value_name = "P",
        default_value = "0.25",
        allow_negative_numbers = true
    )]
    pct: String,
    /// Criterion 3: the critical value 2.776 for every interval, instead of Student's t adjusted
    /// for missed sessions (2.776, 3.182 or 4.303)
    #[arg(long)]
    no_adjust: bool,
    /// Which direction is improvement (default lower, suddengains' convention for symptom
    /// measures such as the BDI: a gain is a fall); give higher for the alliance or well-being
    #[arg(long, value_enum, ignore_case = true, default_value_t = Better::Lower)]
    better: Better,
    #[command(flatten)]
    na: NaArg,
}

const AFTER_HELP: &str = "\
Prints one JSON object: kind (gains or losses), better, cutoff, pct, adjust, n_clients and
events: one entry per shift found, in the clients' order and then session order, with kind (gain
or loss), id, pregain_index (the position in --columns, from 1, of session N, the session before
the shift), pregain_column, magnitude (the shift, positive), scores (n_minus_2 .. n_plus_3),
treatment_change (first to last score), proportion (magnitude / treatment_change),
reversal_value, reversal (whether a later score went back beyond the midpoint of sessions N and
N+1) and reversal_index.

A score that is not a number, an empty id or an id given on two rows stops the run with one line
on stderr naming the row by its line number in the CSV file, the header being line 1, and the
column:

  alliance: error: row 5 (id \"4\"), column \"bdi_s3\": \"n/a\" is not a number

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// The parsed command line.
struct Options {
    csv: String,
    id: String,
    columns: Vec<String>,
    cutoff: f64,
    pct: f64,
    adjust: bool,
    na: Option<String>,
    analysis: SuddenOptions,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let id = match args.id.trim() {
            "" => return Err(Failure::usage("--id needs a column name")),
            name => name.to_owned(),
        };
        let columns = args::name_list("--columns", &args.columns, &id, "")?;
        if columns.len() < 4 {
            return Err(Failure::usage(format!(
                "--columns names {} sessions; a sudden shift needs at least 4 (two on each side)",
                columns.len()
            )));
        }
        let cutoff = args::number("--cutoff", &args.cutoff)?;
        let mut analysis = SuddenOptions::new(args.better.into(), cutoff)
            .map_err(|e| args::invalid("--cutoff", &args.cutoff, &e))?;
        let pct = args::number("--pct", &args.pct)?;
        analysis = analysis
            .relative(pct)
            .map_err(|e| args::invalid("--pct", &args.pct, &e))?;
        if args.no_adjust {
            analysis = analysis
                .critical_value(CriticalValue::Fixed { value: 2.776 })
                .map_err(|e| args::invalid("--no-adjust", "2.776", &e))?;
        }
        Ok(Options {
            csv: args.csv.csv,
            id,
            columns,
            cutoff,
            pct,
            adjust: !args.no_adjust,
            na: args.na.token()?,
            analysis,
        })
    }
}

/// Every client's series, in file order.
fn read(opts: &Options) -> Result<Vec<ScoreSeries>, Failure> {
    let mut reader = table::open(&opts.csv)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let id_at = table::position(&names, &opts.id, "--id")?;
    let at: Vec<usize> = opts
        .columns
        .iter()
        .map(|c| table::position(&names, c, "--columns"))
        .collect::<Result<_, _>>()?;
    let mut series = Vec::new();
    let mut first_row: HashMap<String, u64> = HashMap::new();
    let mut scores = Vec::with_capacity(at.len());
    while let Some(record) = table::next_row(&mut reader, &opts.csv)? {
        let line = record.line();
        let id = table::cell(&record, id_at, None)?;
        let id_location = || location(Some(line), Some(id), Some(&opts.id));
        if id.is_empty() {
            return Err(Failure::run(format!(
                "{}: no id",
                location(Some(line), None, Some(&opts.id))
            )));
        }
        if let Some(first) = first_row.insert(id.to_owned(), line) {
            return Err(Failure::run(format!(
                "{}: id {:?} is on row {first} too; give each client one row",
                id_location(),
                crate::output::shown(id)
            ))
            .input_id(id));
        }
        scores.clear();
        for (&col, name) in at.iter().zip(&opts.columns) {
            let text = table::cell(&record, col, Some(id))?;
            scores.push(
                table::statistic_value(text, opts.na.as_deref(), || {
                    location(Some(line), Some(id), Some(name))
                })
                .map_err(|f| f.input_id(id))?,
            );
        }
        let s = ScoreSeries::new(id, scores.iter().copied()).map_err(|e| {
            let at = match e.kind() {
                ErrorKind::InvalidText { .. } => id_location(),
                _ => location(Some(line), Some(id), None),
            };
            Failure::worded(format!("{at}: {e}"), e).input_id(id)
        })?;
        series.push(s);
    }
    Ok(series)
}

/// The output.
#[derive(serde::Serialize)]
struct Output<'a> {
    kind: &'static str,
    better: therapeutic_alliance::Better,
    cutoff: f64,
    pct: f64,
    adjust: bool,
    n_clients: usize,
    events: Vec<Shift<'a>>,
}

/// One sudden gain or loss.
#[derive(serde::Serialize)]
struct Shift<'a> {
    /// gain or loss.
    kind: &'static str,
    id: &'a str,
    pregain_index: u64,
    pregain_column: &'a str,
    magnitude: Option<f64>,
    scores: &'a SuddenWindow,
    treatment_change: Option<f64>,
    proportion: Option<f64>,
    reversal_value: Option<f64>,
    reversal: bool,
    reversal_index: Option<u64>,
}

/// The position in `--columns`, from 1, of session number `session`.
fn index(_opts: &Options, session: u64) -> u64 {
    // The series start at session 1 (ScoreSeries' default).
    let first = 1u64;
    session.saturating_sub(first).saturating_add(1)
}

impl<'a> Shift<'a> {
    fn of(e: &'a SuddenEvent, opts: &'a Options) -> Self {
        let pregain_index = index(opts, e.session);
        let pregain_column = usize::try_from(pregain_index - 1)
            .ok()
            .and_then(|i| opts.columns.get(i))
            .map_or("", String::as_str);
        Shift {
            kind: match e.kind {
                SuddenKind::Loss => "loss",
                _ => "gain",
            },
            id: &e.client,
            pregain_index,
            pregain_column,
            magnitude: e.magnitude,
            scores: &e.scores,
            treatment_change: e.treatment_change,
            proportion: e.proportion,
            reversal_value: e.reversal_value,
            reversal: e.reversal,
            reversal_index: e.reversal_session.map(|s| index(opts, s)),
        }
    }
}

pub fn run(args: Args, kind: SuddenKind) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let series = read(&opts)?;
    let table = therapeutic_alliance::change::SessionTable::from_wide(series)?;
    let analysis = opts.analysis.analyze(kind, &table)?;
    let events: Vec<Shift<'_>> = analysis.events().map(|e| Shift::of(e, &opts)).collect();
    let out = Output {
        kind: match kind {
            SuddenKind::Loss => "losses",
            _ => "gains",
        },
        better: analysis.better,
        cutoff: opts.cutoff,
        pct: opts.pct,
        adjust: opts.adjust,
        n_clients: table.clients().len(),
        events,
    };
    let mut text = serde_json::to_string_pretty(&out)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
