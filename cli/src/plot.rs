//! `alliance plot`: one client's alliance session by session as an SVG chart, with the
//! instrument's thresholds, ruptures and repairs, and optionally an outcome measure below it
//! with its sudden gains.

use clap::ValueEnum;
use therapeutic_alliance::change::{RuptureOptions, Series};
use therapeutic_alliance::plot::{OutcomePanel, PlotOptions, PlotRuptures};
use therapeutic_alliance::{Error, Instrument, Metric};

use crate::Failure;
use crate::args::CsvArg;
use crate::output;
use crate::table::{self, location};

/// One client's alliance session by session as an SVG chart.
///
/// Draws one client's alliance session by session as an SVG picture: the total and each
/// component subscale (goals, collaboration, bond) as percent of maximum, the instrument's
/// thresholds as dashed lines, and ruptures (a shaded dip, a marker at the onset and at the
/// repair). With an outcome measure, a second panel below shows it on the same sessions, with
/// sudden gains marked.
///
/// The CSV file has one row per session of one client: a `session` column (whole numbers,
/// strictly increasing), an optional `date` column (YYYY-MM-DD), and one column per item, named
/// by item id. An empty cell is an unanswered item.
///
/// Memory: one client's sessions are held to draw them, about 600 bytes per session.
#[derive(clap::Args)]
pub struct Args {
    /// An instrument of the catalog (`alliance instruments` lists them)
    #[arg(long, value_name = "ID")]
    instrument: String,
    #[command(flatten)]
    csv: CsvArg,
    /// Where to write the SVG (`-` for stdout)
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    out: String,
    /// An outcome measure of the catalog (phq-9, gad-7, ors), drawn below; sudden gains are
    /// marked when the measure states a reliable change (PHQ-9: 6 points, GAD-7: 4, ORS: 5)
    #[arg(long, value_name = "ID", requires = "outcome_csv")]
    outcome_instrument: Option<String>,
    /// The outcome measure's sessions, laid out as --csv
    #[arg(long, value_name = "FILE", requires = "outcome_instrument")]
    outcome_csv: Option<String>,
    /// The alliance scores drawn (default pomp, percent of maximum, so the total and the
    /// subscales share one axis)
    #[arg(long, value_name = "sum|mean|pomp")]
    metric: Option<String>,
    /// How ruptures are found (one-sd: a drop of 1 SD of the client's own scores, repaired
    /// within 3 sessions)
    #[arg(long, value_enum, default_value_t = Ruptures::OneSd)]
    ruptures: Ruptures,
    /// The title (default: the instrument's name and the client)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    title: Option<String>,
    /// The picture's size in pixels (default 800x460, 800x760 with an outcome panel; at least
    /// 400x300)
    #[arg(long, value_name = "WIDTHxHEIGHT")]
    size: Option<String>,
}

/// `--ruptures`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Ruptures {
    OneSd,
    TwoSd,
    None,
}

/// The checked command line of `alliance plot`.
struct Options {
    instrument: String,
    csv: String,
    out: String,
    outcome: Option<(String, String)>,
    metric: Metric,
    ruptures: PlotRuptures,
    title: Option<String>,
    size: Option<(u32, u32)>,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let metric = match args.metric {
            None => Metric::Pomp,
            Some(m) => m
                .parse::<Metric>()
                .map_err(|e| Failure::usage(format!("--metric: {e}")))?,
        };
        let ruptures = match args.ruptures {
            Ruptures::OneSd => PlotRuptures::Detect(RuptureOptions::one_sd()),
            Ruptures::TwoSd => PlotRuptures::Detect(RuptureOptions::two_sd()),
            Ruptures::None => PlotRuptures::None,
        };
        let size = match args.size {
            None => None,
            Some(text) => {
                let parsed = text
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
                Some(parsed.ok_or_else(|| {
                    Failure::usage(format!(
                        "--size must be WIDTHxHEIGHT in pixels, not {text:?}"
                    ))
                })?)
            }
        };
        if args.out.is_empty() {
            return Err(Failure::usage("--out needs a file name (or - for stdout)"));
        }
        let inputs = std::iter::once(&args.csv.csv).chain(args.outcome_csv.as_ref());
        for input in inputs {
            if args.out != "-" && same_file(&args.out, input) {
                return Err(Failure::usage(format!(
                    "--out {:?} is an input of the plot: it would be overwritten",
                    args.out
                )));
            }
        }
        Ok(Options {
            instrument: args.instrument,
            csv: args.csv.csv,
            out: args.out,
            outcome: args.outcome_instrument.zip(args.outcome_csv),
            metric,
            ruptures,
            title: args.title,
            size,
        })
    }
}

/// Whether two paths name the same file: the same path, or (when both exist) the same file
/// reached another way (`./a.csv`, a link).
fn same_file(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let inst = crate::instruments::require(&opts.instrument)?;
    let series = read_series(&inst, &opts.csv)?;
    let mut plot = PlotOptions::new()
        .metric(opts.metric)
        .ruptures(opts.ruptures.clone());
    if let Some((width, height)) = opts.size {
        plot = plot
            .size(width, height)
            .map_err(|e| Failure::usage(format!("--size: {e}")))?;
    }
    if let Some(title) = &opts.title {
        plot = plot
            .title(title.as_str())
            .map_err(|e| Failure::usage(format!("--title: {e}")))?;
    }
    if let Some((id, csv)) = &opts.outcome {
        let outcome = crate::instruments::require(id)?;
        let outcome = read_series(&outcome, csv)?;
        plot = plot.outcome(OutcomePanel::series(&outcome)?);
    }
    let svg = plot.svg(&series)?;
    if opts.out == "-" {
        output::print(&svg)
    } else {
        std::fs::write(&opts.out, svg)
            .map_err(|e| Failure::run(format!("cannot write {}: {e}", opts.out)))
    }
}

/// Reads one client's sessions of `inst` from a CSV file laid out as for `alliance
/// monitor` (`session`, optional `date` and `client`, one column per item). An error names
/// the file's instrument, the row and the column.
fn read_series(inst: &Instrument, path: &str) -> Result<Series, Failure> {
    let in_file = |f: Failure| match f {
        Failure::Run(mut problem) => {
            problem.message = format!("{} sessions: {}", inst.id(), problem.message);
            Failure::Run(problem)
        }
        other => other,
    };
    let reader = table::sessions(path, inst, None).map_err(in_file)?;
    let mut series = Series::new(inst);
    for row in reader {
        let row = table::session(row, path).map_err(in_file)?;
        series
            .push(row.administration())
            .map_err(|e| in_file(Failure::worded(located(&e, row.line(), None), e)))?;
    }
    Ok(series)
}

/// A library error as one line, after the row and column it was found at.
fn located(e: &Error, line: u64, column: Option<&str>) -> String {
    format!("{}: {e}", location(Some(line), None, column))
}
