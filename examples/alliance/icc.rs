//! `alliance icc`: the six Shrout and Fleiss intraclass correlations of a CSV table of ratings,
//! targets in rows and raters in columns.

use therapeutic_alliance::reliability::{Icc, IccForm, IccTable};

use crate::Failure;
use crate::args::{Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table::{self, location};

pub const USAGE: &str = r#"usage: alliance icc --csv FILE [--id COLUMN]

Intraclass correlations of a table of ratings, as R's psych::ICC(x, lmer = FALSE) gives them:
the six forms of Shrout and Fleiss (1979), each with its F test and 95% interval. Targets (clients,
sessions, recordings) are rows and raters (client, therapist, observers) are columns: a header
line naming the raters, then one row per target. Spaces around cells, quoted fields, CRLF line
endings and blank lines are all fine.

  --csv FILE     the ratings
  --id COLUMN    a column of target labels: left out of the ratings and named in errors.
                 Without it, every column is a rater
  -h, --help     this text

Prints one JSON object: n_targets, n_raters; icc1 (single rater, one-way: raters differ per
target), icc2 (single random rater, absolute agreement), icc3 (single fixed rater,
consistency), icc1k, icc2k and icc3k (the mean of the k raters); tests: for each form, its F
statistic f, degrees of freedom df1 and df2, p (upper tail) and the 95% bounds lower and upper;
and mean_squares: targets, raters, error and within.

Every rating must be a number: the ANOVA needs a complete table (psych without lme4 requires
it). An empty or non-numeric cell, or a row with another number of fields than the header,
stops the run with one line on stderr naming the row by its line number in the CSV file, the
header being line 1, and the column:

  alliance: error: row 4, column "J2": "n/a" is not a number

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// The parsed command line of `alliance icc`.
struct Options {
    csv: String,
    id: Option<String>,
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut csv, mut id) = (None, None);
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            match arg {
                Arg::Flag("-h" | "--help") => return Ok(None),
                Arg::Flag(flag @ "--csv") => set_once(&mut csv, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--id") => set_once(&mut id, flag, p.value(flag)?)?,
                other => return Err(unexpected(other)),
            }
        }
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let id = match id.map(str::trim) {
            Some("") => return Err(Failure::usage("--id needs a column name")),
            other => other.map(str::to_owned),
        };
        Ok(Some(Options {
            csv: csv.to_owned(),
            id,
        }))
    }
}

/// The table of ratings: one row per target, one rating per rater column.
fn read(opts: &Options) -> Result<Vec<Vec<f64>>, Failure> {
    let mut reader = table::open(&opts.csv)?;
    let header = reader.header().to_vec();
    let id_at = opts
        .id
        .as_deref()
        .map(|id| table::position(&table::names(&header), id, "--id"))
        .transpose()?;
    // Rater columns: position and name (as far as it reads, for messages).
    let raters: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|&(at, _)| Some(at) != id_at)
        .map(|(at, name)| (at, name.clone()))
        .collect();
    let mut rows = Vec::new();
    while let Some(record) = table::next_row(&mut reader, &opts.csv)? {
        let line = record.line();
        let id = match id_at {
            Some(at) => Some(table::cell(&record, at, None)?),
            None => None,
        };
        let mut row = Vec::with_capacity(raters.len());
        for (at, name) in &raters {
            let text = table::cell(&record, *at, id)?;
            let at = || location(Some(line), id, Some(name));
            if text.is_empty() {
                return Err(Failure::run(format!(
                    "{}: no rating; an ICC needs every target rated by every rater",
                    at()
                )));
            }
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => row.push(v),
                Ok(_) => {
                    return Err(Failure::run(format!(
                        "{}: {text:?} is not a finite number",
                        at()
                    )));
                }
                Err(_) => {
                    return Err(Failure::run(format!("{}: {text:?} is not a number", at())));
                }
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// `alliance icc`'s output.
#[derive(serde::Serialize)]
struct Output {
    n_targets: usize,
    n_raters: usize,
    icc1: f64,
    icc2: f64,
    icc3: f64,
    icc1k: f64,
    icc2k: f64,
    icc3k: f64,
    tests: Tests,
    mean_squares: MeanSquares,
}

/// Each form's F test and interval, by form.
#[derive(serde::Serialize)]
struct Tests {
    icc1: Test,
    icc2: Test,
    icc3: Test,
    icc1k: Test,
    icc2k: Test,
    icc3k: Test,
}

#[derive(serde::Serialize)]
struct Test {
    f: f64,
    df1: f64,
    df2: f64,
    p: f64,
    lower: Option<f64>,
    upper: Option<f64>,
}

impl From<&Icc> for Test {
    fn from(r: &Icc) -> Self {
        Test {
            f: r.f,
            df1: r.df1,
            df2: r.df2,
            p: r.p,
            lower: r.lower,
            upper: r.upper,
        }
    }
}

/// psych's MSB, MSJ, MSE and MSW.
#[derive(serde::Serialize)]
struct MeanSquares {
    targets: f64,
    raters: f64,
    error: f64,
    within: f64,
}

impl Output {
    fn of(icc: &IccTable) -> Self {
        let value = |form| icc.get(form).icc;
        let test = |form| Test::from(icc.get(form));
        Output {
            n_targets: icc.targets(),
            n_raters: icc.raters(),
            icc1: value(IccForm::Icc1),
            icc2: value(IccForm::Icc2),
            icc3: value(IccForm::Icc3),
            icc1k: value(IccForm::Icc1k),
            icc2k: value(IccForm::Icc2k),
            icc3k: value(IccForm::Icc3k),
            tests: Tests {
                icc1: test(IccForm::Icc1),
                icc2: test(IccForm::Icc2),
                icc3: test(IccForm::Icc3),
                icc1k: test(IccForm::Icc1k),
                icc2k: test(IccForm::Icc2k),
                icc3k: test(IccForm::Icc3k),
            },
            mean_squares: MeanSquares {
                targets: icc.ms_targets,
                raters: icc.ms_raters,
                error: icc.ms_error,
                within: icc.ms_within,
            },
        }
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let rows = read(&opts)?;
    let icc = IccTable::analyze(&rows)?;
    let mut text = serde_json::to_string_pretty(&Output::of(&icc))
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
