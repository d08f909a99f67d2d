//! `alliance trajectory`: every client's least-squares line of a score over sessions, from a
//! long CSV file (one row per client and session).

use therapeutic_alliance::change::{ClientTrajectory, TrajectoryOptions};

use crate::Failure;
use crate::args::{CsvArg, LongColumns, NaArg};
use crate::output;
use crate::table;

/// Each client's line of a score over sessions, from a long CSV file.
///
/// Each client's course over sessions, as R's lm(score ~ session) fits it per client: the line's
/// intercept and slope, the slope's standard error and 95% interval (confint), the early level
/// and the change from the first scored session to the last. Reads a long CSV file: a header
/// line, then one row per client and session; the session column holds whole session numbers (3,
/// or 3.0), in any order.
///
/// Memory: the whole file is held (every client's rows are needed for their line), about 250
/// bytes per row: some 250 MB for a million rows.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    #[command(flatten)]
    columns: LongColumns,
    #[command(flatten)]
    na: NaArg,
    /// How many of the first scored sessions the early level averages (default 3)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    early: Option<String>,
}

const AFTER_HELP: &str = "\
Prints one JSON object {\"clients\": [...]}, one entry per client in the order of their first
row: id; n (scored sessions); missing (rows with an empty score); intercept (the line at session
0) and slope (change per session), null under 2 scored sessions; slope_se and slope_ci ([lower,
upper], t with n - 2 df), null under 3; early (the mean of the first N scored sessions, or of all
when there are fewer); change (the last score minus the first). A client with no score at all
has n 0 and nulls.

An error names the row by its line number in the CSV file, the header being line 1, and the
column.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// The parsed command line of `alliance trajectory`.
struct Options {
    csv: String,
    id: String,
    time: String,
    score: String,
    na: Option<String>,
    early: TrajectoryOptions,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let [id, time, score] = args.columns.names()?;
        let early = args.early.as_deref();
        let early = match early {
            None => TrajectoryOptions::default(),
            Some(text) => {
                let n: usize = text.trim().parse().map_err(|_| {
                    Failure::usage(format!(
                        "--early must be a whole number of sessions, at least 1, not {text:?}"
                    ))
                })?;
                TrajectoryOptions::default()
                    .early(n)
                    .map_err(|e| Failure::usage(format!("--early: {e}")))?
            }
        };
        Ok(Options {
            csv: args.csv.csv,
            id,
            time,
            score,
            na: args.na.token()?,
            early,
        })
    }
}

/// One client's line of `alliance trajectory`'s output.
#[derive(serde::Serialize)]
struct Client<'a> {
    id: &'a str,
    n: u64,
    missing: u64,
    intercept: Option<f64>,
    slope: Option<f64>,
    slope_se: Option<f64>,
    slope_ci: Option<[f64; 2]>,
    early: Option<f64>,
    change: Option<f64>,
}

impl<'a> Client<'a> {
    /// The client's line; an error if a value overflowed double precision.
    fn of(c: &'a ClientTrajectory) -> Result<Self, Failure> {
        let t = c.trajectory.as_ref();
        let client = Client {
            id: &c.client,
            n: t.map_or(0, |t| t.n),
            missing: c.missing,
            intercept: t.and_then(|t| t.intercept),
            slope: t.and_then(|t| t.slope),
            slope_se: t.and_then(|t| t.slope_se),
            slope_ci: t.and_then(|t| t.slope_ci).map(|ci| [ci.lower, ci.upper]),
            early: t.map(|t| t.early),
            change: t.map(|t| t.change),
        };
        let values = [
            client.intercept,
            client.slope,
            client.slope_se,
            client.slope_ci.map(|ci| ci[0]),
            client.slope_ci.map(|ci| ci[1]),
            client.early,
            client.change,
        ];
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Failure::run(format!(
                "client {:?}: the scores are too large for a line in double precision",
                c.client
            )));
        }
        Ok(client)
    }
}

#[derive(serde::Serialize)]
struct Output<'a> {
    clients: Vec<Client<'a>>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let rows = table::long_rows(
        &opts.csv,
        [
            ("--id", &opts.id),
            ("--time", &opts.time),
            ("--score", &opts.score),
        ],
        opts.na.as_deref(),
    )?;
    let trajectories = table::session_table(&rows, &opts.id)?.trajectories(&opts.early);
    let clients = trajectories
        .iter()
        .map(Client::of)
        .collect::<Result<Vec<_>, _>>()?;
    let mut text = serde_json::to_string_pretty(&Output { clients })
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
