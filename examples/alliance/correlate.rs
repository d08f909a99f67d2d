//! `alliance correlate`: the correlation of two columns of a wide CSV file (an early alliance
//! score with an outcome, say), over the rows with both.

use therapeutic_alliance::ErrorKind;
use therapeutic_alliance::change::Correlation;

use crate::Failure;
use crate::args::{Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table::{self, location};

pub const USAGE: &str = r#"usage: alliance correlate --csv FILE --x COLUMN --y COLUMN [--na TOKEN]

The association of two columns over the rows that have both (pairwise complete): Pearson's r
with its t test and Fisher-z 95% interval, as R's cor.test() gives them, and Spearman's rho
(ties given their mean rank, as cor(method = "spearman")). Reads a wide CSV file: a header line,
then one row per client. An empty cell is missing; other columns are ignored. Spaces around
cells, quoted fields, CRLF line endings and blank lines are all fine.

  --csv FILE     the table
  --x COLUMN     the first variable (e.g. an early alliance score)
  --y COLUMN     the second variable (e.g. the outcome)
  --na TOKEN     cells equal to TOKEN (e.g. NA, as R writes) are missing too
  -h, --help     this text

Prints one JSON object: n (complete pairs), incomplete (rows missing either value), pearson,
pearson_ci ([lower, upper]; null under 4 pairs), spearman, t (null when r is 1 or -1), df
(n - 2) and p (two-sided).

A cell that is not a number, or a row with another number of fields than the header, stops the
run with one line on stderr naming the row by its line number in the CSV file, the header being
line 1, and the column:

  alliance: error: row 6, column "rq_s0": "n/a" is not a number

Fewer than 3 complete pairs, or a column with the same value in every complete pair, are errors
too.

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// The parsed command line of `alliance correlate`.
struct Options {
    csv: String,
    x: String,
    y: String,
    na: Option<String>,
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut csv, mut x, mut y, mut na) = (None, None, None, None);
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            match arg {
                Arg::Flag("-h" | "--help") => return Ok(None),
                Arg::Flag(flag @ "--csv") => set_once(&mut csv, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--x") => set_once(&mut x, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--y") => set_once(&mut y, flag, p.value(flag)?)?,
                Arg::Flag(flag @ "--na") => set_once(&mut na, flag, p.value(flag)?)?,
                other => return Err(unexpected(other)),
            }
        }
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let column = |flag: &str, value: Option<&str>| match value.map(str::trim) {
            None => Err(Failure::usage(format!("{flag} COLUMN is required"))),
            Some("") => Err(Failure::usage(format!("{flag} needs a column name"))),
            Some(name) => Ok(name.to_owned()),
        };
        let (x, y) = (column("--x", x)?, column("--y", y)?);
        if x == y {
            return Err(Failure::usage(format!(
                "--x and --y both name column {x:?}"
            )));
        }
        let na = table::na_token(na)?;
        Ok(Some(Options {
            csv: csv.to_owned(),
            x,
            y,
            na,
        }))
    }
}

/// An (x, y) pair of one row, `None` for a missing value.
type Pair = (Option<f64>, Option<f64>);

/// The (x, y) pairs of every row.
fn read(opts: &Options) -> Result<Vec<Pair>, Failure> {
    let mut reader = table::open(&opts.csv)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let x_at = table::column(&names, &opts.x, "--x")?;
    let y_at = table::column(&names, &opts.y, "--y")?;
    let mut pairs = Vec::new();
    while let Some(record) = table::next_row(&mut reader, &opts.csv)? {
        let line = record.line();
        let value = |at: usize, name: &str| {
            let text = table::cell(&record, at, None)?;
            table::statistic_value(text, opts.na.as_deref(), || {
                location(Some(line), None, Some(name))
            })
        };
        pairs.push((value(x_at, &opts.x)?, value(y_at, &opts.y)?));
    }
    Ok(pairs)
}

/// `alliance correlate`'s output.
#[derive(serde::Serialize)]
struct Output {
    n: u64,
    incomplete: u64,
    pearson: f64,
    pearson_ci: Option<[f64; 2]>,
    spearman: f64,
    t: Option<f64>,
    df: f64,
    p: f64,
}

impl Output {
    /// The output; an error if a value overflowed double precision.
    fn of(c: &Correlation) -> Result<Self, Failure> {
        let out = Output {
            n: c.n,
            incomplete: c.incomplete,
            pearson: c.pearson,
            pearson_ci: c.pearson_ci.map(|ci| [ci.lower, ci.upper]),
            spearman: c.spearman,
            // Infinite when r is 1 or -1.
            t: Some(c.t).filter(|t| t.is_finite()),
            df: c.df,
            p: c.p,
        };
        let ci = out.pearson_ci.unwrap_or([0.0, 0.0]);
        if [out.pearson, out.spearman, out.p, ci[0], ci[1]]
            .iter()
            .any(|v| !v.is_finite())
        {
            return Err(Failure::run(
                "the values are too large for a correlation in double precision",
            ));
        }
        Ok(out)
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let pairs = read(&opts)?;
    let correlation = Correlation::from_pairs(pairs).map_err(|e| match e.kind() {
        // The library calls the two sides x and y: name the columns.
        ErrorKind::NoVariation { variable, rows, .. } if variable == "x" || variable == "y" => {
            let (flag, name) = if variable == "x" {
                ("--x", &opts.x)
            } else {
                ("--y", &opts.y)
            };
            Failure::run(format!(
                "column {name:?} ({flag}) has the same value in all {rows} complete pairs, so a \
                 correlation is undefined"
            ))
        }
        _ => Failure::from(e),
    })?;
    let mut text = serde_json::to_string_pretty(&Output::of(&correlation)?)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
