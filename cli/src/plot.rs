//! `alliance plot`: figures as SVG. By default (and as `alliance plot course`) one client's
//! alliance session by session, with the instrument's thresholds, ruptures and repairs, and
//! optionally an outcome measure below it with its sudden gains; `alliance plot jt` a
//! Jacobson-Truax scatter, `alliance plot cohort` a cohort's courses with the mean and its
//! interval, `alliance plot caterpillar` the groups of a mixed model.

use clap::ValueEnum;
use therapeutic_alliance::change::{RuptureOptions, Series};
use therapeutic_alliance::multilevel::{Estimation, MixedOptions, MixedTable};
use therapeutic_alliance::plot::{
    CaterpillarPlotOptions, CohortPlotOptions, JtPlotOptions, OutcomePanel, PlotAxis, PlotOptions,
    PlotRuptures,
};
use therapeutic_alliance::{Error, Instrument, Metric};

use crate::Failure;
use crate::args::{CsvArg, LongColumns, NaArg};
use crate::output;
use crate::table::{self, location};

/// Figures as SVG: one client's course (the default), a Jacobson-Truax scatter, a cohort's
/// courses, a caterpillar plot of groups.
///
/// Without a kind, `alliance plot` draws one client's course (as `alliance plot course`):
/// the total and every subscale session by session, on an axis fitted to the instrument (the
/// SRS's total 0-40 on the left and its lines 0-10 on the right; percent of maximum zoomed to
/// the data where subscales differ in range), the instrument's thresholds as dashed lines, and
/// ruptures (shaded from their onset, a marker at the onset and at the repair). With an
/// outcome measure, a second panel below shows it on the same sessions, with sudden gains
/// marked.
///
/// The CSV file has one row per session of one client: a `session` column (whole numbers,
/// strictly increasing), optional `date` (YYYY-MM-DD) and `client` columns (the client's id
/// goes in the title), and one column per item, named by item id. An empty cell is an
/// unanswered item.
///
/// Memory: one client's sessions are held to draw them, about 600 bytes per session.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, after_help = AFTER_HELP)]
pub struct Args {
    #[command(subcommand)]
    kind: Option<Box<Kind>>,
    #[command(flatten)]
    course: Box<CourseArgs>,
}

const AFTER_HELP: &str = "\
Kinds: course (the default), jt, cohort, caterpillar; `alliance plot KIND --help` for each.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// The kinds of figure.
#[derive(clap::Subcommand)]
enum Kind {
    /// One client's course session by session (the default kind)
    Course(Box<CourseArgs>),
    /// A Jacobson-Truax scatter: pre-test against post-test, the line of no change, the band of
    /// no reliable change, the clinical cutoff, people colored by category (reads what `alliance
    /// rci` reads, with the same flags)
    Jt(Box<JtArgs>),
    /// A cohort: each client's course faint, the mean per session with its 95% t interval, and
    /// optionally a growth model's fitted line (reads a long table, as `alliance trajectory`)
    Cohort(Box<CohortArgs>),
    /// A caterpillar plot: each group's conditional mode with mode ± 1.96 conditional SD,
    /// sorted, from a linear mixed model fitted as lme4 fits it
    Caterpillar(Box<CaterpillarArgs>),
}

/// One client's course (`alliance plot` and `alliance plot course`).
#[derive(clap::Args)]
pub struct CourseArgs {
    /// An instrument of the catalog (`alliance instruments` lists them)
    #[arg(long, value_name = "ID")]
    instrument: Option<String>,
    /// The CSV file of the client's sessions: a header line, then one row per session (spaces
    /// around cells, a UTF-8 byte-order mark, quoted fields, CRLF line endings and blank lines
    /// are all fine)
    #[arg(long, value_name = "FILE")]
    csv: Option<String>,
    /// Where to write the SVG (`-` for stdout)
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    out: Option<String>,
    /// An outcome measure of the catalog (phq-9, gad-7, ors), drawn below; sudden gains are
    /// marked when the measure states a reliable change (PHQ-9: 6 points, GAD-7: 4, ORS: 5)
    #[arg(long, value_name = "ID", requires = "outcome_csv")]
    outcome_instrument: Option<String>,
    /// The outcome measure's sessions, laid out as --csv
    #[arg(long, value_name = "FILE", requires = "outcome_instrument")]
    outcome_csv: Option<String>,
    /// The alliance scores drawn over their full range (default: an axis fitted to the
    /// instrument, see above)
    #[arg(long, value_name = "sum|mean|pomp")]
    metric: Option<String>,
    /// The value axis: fitted to the instrument (the default without --metric), full (the
    /// metric's whole range; the default with --metric), zoomed (to the data and thresholds;
    /// percent of maximum unless --metric says otherwise)
    #[arg(long, value_enum)]
    axis: Option<AxisChoice>,
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

/// `--axis`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AxisChoice {
    Fitted,
    Full,
    Zoomed,
}

/// What every other kind shares: where to write, the title, the size and the score's label.
#[derive(clap::Args)]
struct FigureArgs {
    /// Where to write the SVG (`-` for stdout)
    #[arg(long, value_name = "FILE", allow_hyphen_values = true)]
    out: String,
    /// The title
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    title: Option<String>,
    /// The picture's size in pixels, WIDTHxHEIGHT (at least 400x300)
    #[arg(long, value_name = "WIDTHxHEIGHT")]
    size: Option<String>,
    /// What the score is, for the axis titles (e.g. "PHQ-9 total")
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    label: Option<String>,
}

/// `alliance plot jt`.
#[derive(clap::Args)]
#[command(
    override_usage = "alliance plot jt --csv <FILE> --id <COLUMN> --time <COLUMN> --outcome <COLUMN>
           --pre <VALUE> --post <VALUE> --reliability <R> --better <BETTER>
           --method <M> --cutoff <CUTOFF> --out <FILE> [OPTIONS]"
)]
pub struct JtArgs {
    #[command(flatten)]
    analysis: crate::rci::AnalysisArgs,
    #[command(flatten)]
    figure: FigureArgs,
}

/// `alliance plot cohort`.
#[derive(clap::Args)]
#[command(
    override_usage = "alliance plot cohort --csv <FILE> --id <COLUMN> --time <COLUMN> --score <COLUMN>
           --out <FILE> [OPTIONS]"
)]
pub struct CohortArgs {
    #[command(flatten)]
    csv: CsvArg,
    #[command(flatten)]
    columns: LongColumns,
    /// Also draw a growth model's fixed-effect line (score ~ session), fitted by REML with a
    /// random intercept per client, or a random intercept and slope
    #[arg(long, value_enum)]
    fitted: Option<Growth>,
    #[command(flatten)]
    na: NaArg,
    #[command(flatten)]
    figure: FigureArgs,
}

/// `--fitted`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Growth {
    Intercept,
    Slope,
}

/// `alliance plot caterpillar`.
#[derive(clap::Args)]
#[command(
    override_usage = "alliance plot caterpillar --csv <FILE> --y <COLUMN> --group <COLUMN> --out <FILE>
           [OPTIONS]"
)]
pub struct CaterpillarArgs {
    #[command(flatten)]
    csv: CsvArg,
    /// The outcome column; a row whose outcome or covariate cell is empty (or the --na token)
    /// is left out, not imputed
    #[arg(long, value_name = "COLUMN")]
    y: String,
    /// The grouping column (the therapist)
    #[arg(long, value_name = "COLUMN")]
    group: String,
    /// Fixed covariates, comma-separated columns
    #[arg(long, value_name = "COL,COL", value_delimiter = ',')]
    fixed: Vec<String>,
    /// A random slope on this column (also a fixed covariate): (1 + COL | group)
    #[arg(long, value_name = "COLUMN")]
    slope: Option<String>,
    /// The random term drawn: (Intercept) (the default) or the --slope column
    #[arg(long, value_name = "TERM", default_value = "(Intercept)")]
    term: String,
    /// Maximum likelihood instead of REML
    #[arg(long)]
    ml: bool,
    #[command(flatten)]
    na: NaArg,
    #[command(flatten)]
    figure: FigureArgs,
}

/// `--ruptures`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Ruptures {
    OneSd,
    TwoSd,
    None,
}

/// The checked command line of `alliance plot course`.
struct Options {
    instrument: String,
    csv: String,
    out: String,
    outcome: Option<(String, String)>,
    axis: PlotAxis,
    ruptures: PlotRuptures,
    title: Option<String>,
    size: Option<(u32, u32)>,
}

/// `--size WIDTHxHEIGHT`.
fn parse_size(size: Option<&str>) -> Result<Option<(u32, u32)>, Failure> {
    let Some(text) = size else {
        return Ok(None);
    };
    let parsed = text
        .split_once('x')
        .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
    parsed.map(Some).ok_or_else(|| {
        Failure::usage(format!(
            "--size must be WIDTHxHEIGHT in pixels, not {text:?}"
        ))
    })
}

/// `--out`: not empty, and not one of the inputs.
fn check_out<'a>(out: &str, inputs: impl IntoIterator<Item = &'a String>) -> Result<(), Failure> {
    if out.is_empty() {
        return Err(Failure::usage("--out needs a file name (or - for stdout)"));
    }
    for input in inputs {
        if out != "-" && same_file(out, input) {
            return Err(Failure::usage(format!(
                "--out {out:?} is an input of the plot: it would be overwritten"
            )));
        }
    }
    Ok(())
}

impl Options {
    fn new(args: CourseArgs) -> Result<Self, Failure> {
        let (Some(instrument), Some(csv), Some(out)) = (args.instrument, args.csv, args.out) else {
            return Err(Failure::usage(
                "--instrument, --csv and --out are required to plot a course",
            ));
        };
        let metric = match args.metric {
            None => None,
            Some(m) => Some(
                m.parse::<Metric>()
                    .map_err(|e| Failure::usage(format!("--metric: {e}")))?,
            ),
        };
        let axis = match (args.axis, metric) {
            (None | Some(AxisChoice::Fitted), None) => PlotAxis::Fitted,
            (Some(AxisChoice::Fitted), Some(_)) => {
                return Err(Failure::usage(
                    "--axis fitted chooses the metric itself: leave out --metric",
                ));
            }
            (None | Some(AxisChoice::Full), Some(m)) => PlotAxis::Full(m),
            (Some(AxisChoice::Full), None) => PlotAxis::Full(Metric::Pomp),
            (Some(AxisChoice::Zoomed), m) => PlotAxis::Zoomed(m.unwrap_or(Metric::Pomp)),
        };
        let ruptures = match args.ruptures {
            Ruptures::OneSd => PlotRuptures::Detect(RuptureOptions::one_sd()),
            Ruptures::TwoSd => PlotRuptures::Detect(RuptureOptions::two_sd()),
            Ruptures::None => PlotRuptures::None,
        };
        let size = parse_size(args.size.as_deref())?;
        check_out(&out, std::iter::once(&csv).chain(args.outcome_csv.as_ref()))?;
        Ok(Options {
            instrument,
            csv,
            out,
            outcome: args.outcome_instrument.zip(args.outcome_csv),
            axis,
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
    match args.kind.map(|k| *k) {
        None => course(*args.course),
        Some(Kind::Course(a)) => course(*a),
        Some(Kind::Jt(a)) => jt(*a),
        Some(Kind::Cohort(a)) => cohort(*a),
        Some(Kind::Caterpillar(a)) => caterpillar(*a),
    }
}

fn course(args: CourseArgs) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let inst = crate::instruments::require(&opts.instrument)?;
    let series = read_series(&inst, &opts.csv)?;
    let mut plot = PlotOptions::new()
        .axis(opts.axis)
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
    write(&opts.out, &svg)
}

/// Writes the SVG to `out` (`-`: stdout).
fn write(out: &str, svg: &str) -> Result<(), Failure> {
    if out == "-" {
        output::print(svg)
    } else {
        std::fs::write(out, svg).map_err(|e| Failure::run(format!("cannot write {out}: {e}")))
    }
}

/// The figure flags checked: the size, and the title and label as the library takes them.
struct Figure {
    out: String,
    title: Option<String>,
    size: Option<(u32, u32)>,
    label: Option<String>,
}

impl FigureArgs {
    fn checked<'a>(self, inputs: impl IntoIterator<Item = &'a String>) -> Result<Figure, Failure> {
        check_out(&self.out, inputs)?;
        Ok(Figure {
            size: parse_size(self.size.as_deref())?,
            out: self.out,
            title: self.title,
            label: self.label,
        })
    }
}

/// Applies a figure's common flags through the options' own checked setters.
macro_rules! apply_figure {
    ($options:expr, $figure:expr) => {{
        let mut options = $options;
        if let Some((width, height)) = $figure.size {
            options = options
                .size(width, height)
                .map_err(|e| Failure::usage(format!("--size: {e}")))?;
        }
        if let Some(title) = &$figure.title {
            options = options
                .title(title.as_str())
                .map_err(|e| Failure::usage(format!("--title: {e}")))?;
        }
        if let Some(label) = &$figure.label {
            options = options
                .label(label.as_str())
                .map_err(|e| Failure::usage(format!("--label: {e}")))?;
        }
        options
    }};
}

fn jt(args: JtArgs) -> Result<(), Failure> {
    let input = args.analysis.csv_path().to_owned();
    let figure = args.figure.checked([&input])?;
    let result = crate::rci::reliable_change(args.analysis)?;
    let options = apply_figure!(JtPlotOptions::new(), figure);
    write(&figure.out, &options.svg(&result)?)
}

fn cohort(args: CohortArgs) -> Result<(), Failure> {
    let [id, time, score] = args.columns.names()?;
    let na = args.na.token()?;
    let figure = args.figure.checked([&args.csv.csv])?;
    let rows = table::long_rows(
        &args.csv.csv,
        [("--id", &id), ("--time", &time), ("--score", &score)],
        na.as_deref(),
    )?;
    let sessions = table::session_table(&rows, &id)?;
    let mut options = apply_figure!(CohortPlotOptions::new(), figure);
    if figure.label.is_none() {
        options = options
            .label(score.as_str())
            .map_err(|e| Failure::usage(format!("--score: {e}")))?;
    }
    if let Some(growth) = args.fitted {
        let mut model = MixedOptions::new().fixed(["session"]);
        if growth == Growth::Slope {
            model = model.slope("session");
        }
        let fitted = model.analyze(&MixedTable::from_sessions(&sessions)?)?;
        options = options.fitted(&fitted)?;
    }
    write(&figure.out, &options.svg(&sessions)?)
}

fn caterpillar(args: CaterpillarArgs) -> Result<(), Failure> {
    let figure = args.figure.checked([&args.csv.csv])?;
    let na = args.na.token()?;
    let y = column_flag("--y", &args.y)?;
    let group = column_flag("--group", &args.group)?;
    let mut fixed: Vec<String> = Vec::new();
    for name in &args.fixed {
        let name = column_flag("--fixed", name)?;
        if !fixed.contains(&name) {
            fixed.push(name);
        }
    }
    let slope = match &args.slope {
        Some(name) => Some(column_flag("--slope", name)?),
        None => None,
    };
    if let Some(s) = &slope
        && !fixed.contains(s)
    {
        fixed.push(s.clone());
    }
    let covariates: Vec<(&str, &str)> = fixed
        .iter()
        .map(|name| {
            let flag = if slope.as_deref() == Some(name.as_str()) && !args.fixed.contains(name) {
                "--slope"
            } else {
                "--fixed"
            };
            (flag, name.as_str())
        })
        .collect();
    let table = crate::mixed::read_table(&args.csv.csv, &group, &y, &covariates, na.as_deref())?;
    let mut model = MixedOptions::new().fixed(fixed.iter().cloned());
    if let Some(s) = &slope {
        model = model.slope(s.as_str());
    }
    if args.ml {
        model = model.estimation(Estimation::Ml);
    }
    let fitted = model.analyze(&table)?;
    let mut options = apply_figure!(CaterpillarPlotOptions::new(), figure);
    if figure.label.is_none() {
        options = options
            .label(y.as_str())
            .map_err(|e| Failure::usage(format!("--y: {e}")))?;
    }
    let svg = options
        .term(args.term.as_str())
        .svg(&fitted)
        .map_err(|e| match e.kind() {
            therapeutic_alliance::ErrorKind::InvalidOption { reason, .. } => {
                Failure::usage(format!("--term {:?}: {reason}", args.term))
            }
            _ => Failure::from(e),
        })?;
    write(&figure.out, &svg)
}

/// A column name given to a flag: trimmed, not empty.
fn column_flag(flag: &str, name: &str) -> Result<String, Failure> {
    match name.trim() {
        "" => Err(Failure::usage(format!("{flag} needs a column name"))),
        name => Ok(name.to_owned()),
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
