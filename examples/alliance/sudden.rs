//! `alliance sudden-gains` and `alliance sudden-losses`: sudden gains and losses (Tang &
//! DeRubeis 1999; Lutz et al. 2013) in a wide CSV file of session scores, as the R package
//! suddengains identifies them.

use std::collections::HashMap;

use therapeutic_alliance::change::{
    CriticalValue, ScoreSeries, SuddenEvent, SuddenKind, SuddenOptions, SuddenWindow,
};
use therapeutic_alliance::{Better, ErrorKind};

use crate::Failure;
use crate::args::{self, Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table::{self, location};

/// The usage text of one of the two commands: `$name` the command, `$what` gains or losses
/// (also the output key).
macro_rules! usage {
    ($name:literal, $what:literal) => {
        concat!(
            "usage: alliance ",
            $name,
            r#" --csv FILE --id COLUMN --columns C1,C2,... --cutoff X [options]

Sudden "#,
            $what,
            r#" as R's suddengains package (0.7.2) identifies them, in a WIDE CSV file: a header
line, then one row per client with an id column and one column per session score (other
columns are ignored). An empty cell is a missed session. Spaces around cells, quoted fields,
CRLF line endings and blank lines are all fine.

A shift from session N to session N+1 (an improvement for gains, a worsening for losses) counts
when it meets the three criteria of Tang & DeRubeis (1999; for losses, Lutz et al. 2013):
(1) it is at least the cutoff; (2) it is at least --pct of the score at session N; (3) the mean
of sessions N-2..N and the mean of sessions N+1..N+3 differ by more than a critical t times
their pooled SD (at least two scores on each side). Criteria 1 and 2 need the scores of
sessions N and N+1 themselves.

  --csv FILE              the scores
  --id COLUMN             the client id (each client on one row)
  --columns C1,C2,...     the session columns, in session order (at least 4)
  --cutoff X              criterion 1: the smallest shift, a number of at least 0 (often the
                          reliable change value 1.96 x sqrt(2) x SD x sqrt(1 - reliability))
  --pct P                 criterion 2: the fraction of the score at session N the shift must
                          reach (default 0.25)
  --no-adjust             criterion 3: the critical value 2.776 for every interval, instead of
                          Student's t adjusted for missed sessions (2.776, 3.182 or 4.303)
  --better lower|higher   which direction is improvement (default lower, suddengains'
                          convention for symptom measures such as the BDI: a gain is a fall);
                          give higher for the alliance or well-being
  --na TOKEN              cells equal to TOKEN (e.g. NA, as R writes) are missed sessions too
  -h, --help              this text

Prints one JSON object: kind, better, cutoff, pct, adjust, n_clients and "#,
            $what,
            r#": one entry per
shift found, in the clients' order and then session order, with id, pregain_index (the position
in --columns, from 1, of session N, the session before the shift), pregain_column, magnitude (the
shift, positive), scores (n_minus_2 .. n_plus_3), treatment_change (first to last score),
proportion (magnitude / treatment_change), reversal_value, reversal (whether a later score
went back beyond the midpoint of sessions N and N+1) and reversal_index.

A score that is not a number, an empty id or an id given on two rows stops the run with one line
on stderr naming the row by its line number in the CSV file, the header being line 1, and the
column:

  alliance: error: row 5 (id "4"), column "bdi_s3": "n/a" is not a number

Exit status: 0 success, 1 bad input, 2 bad command line.
"#
        )
    };
}

pub const GAINS_USAGE: &str = usage!("sudden-gains", "gains");
pub const LOSSES_USAGE: &str = usage!("sudden-losses", "losses");

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

/// The session columns of `--columns`: comma-separated, each once, none the id column.
fn session_columns(list: &str, id: &str) -> Result<Vec<String>, Failure> {
    let mut columns: Vec<String> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Failure::usage(format!(
                "--columns {list:?} has an empty column name"
            )));
        }
        if name == id {
            return Err(Failure::usage(format!(
                "--columns names the id column {id:?}"
            )));
        }
        if columns.iter().any(|c| c == name) {
            return Err(Failure::usage(format!("--columns names {name:?} twice")));
        }
        columns.push(name.to_owned());
    }
    if columns.len() < 4 {
        return Err(Failure::usage(format!(
            "--columns names {} sessions; a sudden shift needs at least 4 (two on each side)",
            columns.len()
        )));
    }
    Ok(columns)
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut csv, mut id, mut columns, mut cutoff, mut pct, mut better, mut na) =
            (None, None, None, None, None, None, None);
        let mut no_adjust = false;
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            let Arg::Flag(flag) = arg else {
                return Err(unexpected(arg));
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--csv" => set_once(&mut csv, flag, p.value(flag)?)?,
                "--id" => set_once(&mut id, flag, p.value(flag)?)?,
                "--columns" => set_once(&mut columns, flag, p.value(flag)?)?,
                "--cutoff" => set_once(&mut cutoff, flag, p.value(flag)?)?,
                "--pct" => set_once(&mut pct, flag, p.value(flag)?)?,
                "--better" => set_once(&mut better, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                "--no-adjust" => no_adjust = true,
                _ => return Err(unexpected(arg)),
            }
        }
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let id = match id.map(str::trim) {
            None => return Err(Failure::usage("--id is required")),
            Some("") => return Err(Failure::usage("--id needs a column name")),
            Some(name) => name.to_owned(),
        };
        let columns = session_columns(
            columns.ok_or_else(|| Failure::usage("--columns is required"))?,
            &id,
        )?;
        let better = match better {
            None => Better::Lower,
            Some(b) => args::better(b)?,
        };
        let cutoff_text = cutoff.ok_or_else(|| Failure::usage("--cutoff is required"))?;
        let cutoff = args::number("--cutoff", cutoff_text)?;
        let mut analysis = SuddenOptions::new(better, cutoff)
            .map_err(|e| args::invalid("--cutoff", cutoff_text, &e))?;
        let pct_text = pct.unwrap_or("0.25");
        let pct = args::number("--pct", pct_text)?;
        analysis = analysis
            .relative(pct)
            .map_err(|e| args::invalid("--pct", pct_text, &e))?;
        if no_adjust {
            analysis = analysis
                .critical_value(CriticalValue::Fixed { value: 2.776 })
                .map_err(|e| args::invalid("--no-adjust", "2.776", &e))?;
        }
        Ok(Some(Options {
            csv: csv.to_owned(),
            id,
            columns,
            cutoff,
            pct,
            adjust: !no_adjust,
            na: args::na_token(na)?,
            analysis,
        }))
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
                "{}: id {id:?} is on row {first} too; give each client one row",
                id_location()
            )));
        }
        scores.clear();
        for (&col, name) in at.iter().zip(&opts.columns) {
            let text = table::cell(&record, col, Some(id))?;
            scores.push(table::statistic_value(text, opts.na.as_deref(), || {
                location(Some(line), Some(id), Some(name))
            })?);
        }
        let s = ScoreSeries::new(id, scores.iter().copied()).map_err(|e| match e.kind() {
            ErrorKind::InvalidText { .. } => Failure::run(format!("{}: {}", id_location(), e)),
            _ => Failure::run(format!("{}: {}", location(Some(line), Some(id), None), e)),
        })?;
        series.push(s);
    }
    Ok(series)
}

/// The output.
#[derive(serde::Serialize)]
struct Output<'a> {
    kind: &'static str,
    better: Better,
    cutoff: f64,
    pct: f64,
    adjust: bool,
    n_clients: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    gains: Option<Vec<Shift<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    losses: Option<Vec<Shift<'a>>>,
}

/// One sudden gain or loss.
#[derive(serde::Serialize)]
struct Shift<'a> {
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

fn run(kind: SuddenKind, args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(match kind {
            SuddenKind::Loss => LOSSES_USAGE,
            _ => GAINS_USAGE,
        });
    };
    let series = read(&opts)?;
    let table = therapeutic_alliance::change::SessionTable::from_wide(series)
        .map_err(|e| Failure::run(e.to_string()))?;
    let analysis = opts
        .analysis
        .analyze(kind, &table)
        .map_err(|e| Failure::run(e.to_string()))?;
    let shifts: Vec<Shift<'_>> = analysis.events().map(|e| Shift::of(e, &opts)).collect();
    let is_loss = matches!(kind, SuddenKind::Loss);
    let (gains, losses) = if is_loss {
        (None, Some(shifts))
    } else {
        (Some(shifts), None)
    };
    let out = Output {
        kind: if is_loss { "losses" } else { "gains" },
        better: analysis.better,
        cutoff: opts.cutoff,
        pct: opts.pct,
        adjust: opts.adjust,
        n_clients: table.clients().len(),
        gains,
        losses,
    };
    let mut text = serde_json::to_string_pretty(&out)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}

pub fn run_gains(args: &[String]) -> Result<(), Failure> {
    run(SuddenKind::Gain, args)
}

pub fn run_losses(args: &[String]) -> Result<(), Failure> {
    run(SuddenKind::Loss, args)
}
