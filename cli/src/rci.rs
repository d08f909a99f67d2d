//! `alliance rci`: reliable change and clinical significance from a long CSV file (one row per
//! person and time point), as the R package clinicalsignificance computes them.

use std::collections::HashMap;

use therapeutic_alliance::change::{
    CategoryCounts, ChangeRow, CutoffBSd, CutoffType, HaCategories, RciMethod, ReliableChange,
    ReliableChangeOptions,
};

use clap::ValueEnum;

use crate::Failure;
use crate::args::{self, Better, CsvArg, NaArg};
use crate::output;
use crate::table::{self, location};

/// Reliable change and clinical significance of a pre-post long CSV file.
///
/// Reliable change and clinical significance (Jacobson & Truax 1991 and the alternative indices
/// reviewed by Bauer, Lambert & Nielsen 2004), as R's clinicalsignificance package computes them:
/// each person's reliable change index (RCI) from a pre-test to a post-test, and a category
/// (recovered, improved, unchanged, deteriorated, harmed). Reads a LONG CSV file: a header line,
/// then one row per person and time point, with an id column, a time column and an outcome column
/// (other columns are ignored).
///
/// Memory: the whole file is held (the clinical mean and SD are the sample's), about 300 bytes per
/// row: some 300 MB for a million rows.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP, override_usage = USAGE)]
pub struct Args {
    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// The flags of the analysis: the input and the options (also `alliance plot jt`'s).
#[derive(clap::Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    csv: CsvArg,
    /// The person's id column
    #[arg(long, value_name = "COLUMN")]
    id: String,
    /// The time point column
    #[arg(long, value_name = "COLUMN")]
    time: String,
    /// The column of the score analyzed
    #[arg(long, value_name = "COLUMN")]
    outcome: String,
    #[command(flatten)]
    times: PrePostTimes,
    /// The measure's reliability, above 0 and below 1 (NK: at most 1)
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    reliability: String,
    /// Which direction is improvement (lower for symptom measures)
    #[arg(long, value_enum, ignore_case = true)]
    better: Better,
    /// JT (Jacobson & Truax), GLN (Gulliksen, Lord & Novick), HLL (Hsu, Linn & Lord), EN (Edwards
    /// & Nunnally), NK (Nunnally & Kotsch) or HA (Hageman & Arrindell); upper or lower case
    #[arg(long, value_enum, ignore_case = true, value_name = "M")]
    method: Method,
    /// The cutoff between the clinical and the functional population: a, two clinical SDs from
    /// the clinical mean; b, two SDs from the functional mean; c, the point between them
    #[arg(long, value_enum, ignore_case = true)]
    cutoff: Cutoff,
    /// The functional population's mean, needed by cutoffs b and c (with --functional-sd)
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    functional_mean: Option<String>,
    /// The functional population's SD, needed by cutoffs b and c (with --functional-mean)
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    functional_sd: Option<String>,
    /// NK only: the post-test reliability (default: --reliability)
    #[arg(long, value_name = "R2", allow_negative_numbers = true)]
    reliability_post: Option<String>,
    /// Cutoff b only: which SD it steps from the functional mean. Default functional, as
    /// Jacobson & Truax define it; clinicalsignificance uses clinical
    #[arg(long, value_enum, ignore_case = true)]
    cutoff_b_sd: Option<BSd>,
    /// HA only: whose categories. true-score (default): harmed also needs the true-score index
    /// reliably on the clinical side; cs-combined: clinicalsignificance's cs_combined(), per
    /// person and in its summary; never-harmed: its .calc_recovered_ha (no one is harmed)
    #[arg(long, value_enum, ignore_case = true, value_name = "C")]
    ha_categories: Option<HaChoice>,
    #[command(flatten)]
    na: NaArg,
}

const USAGE: &str = "alliance rci --csv <FILE> --id <COLUMN> --time <COLUMN> --outcome <COLUMN>
           --pre <VALUE> --post <VALUE> --reliability <R> --better <BETTER>
           --method <M> --cutoff <CUTOFF> [OPTIONS]";

const AFTER_HELP: &str = "\
Only complete cases are analyzed: a person without a pre-test or post-test row, or whose outcome
cell there is empty, is left out and listed in dropped. The significance level is .05
(two-tailed, HA one-tailed).

Prints one JSON object: method, better, reliability, post_reliability (NK), n_used, n_dropped,
dropped (ids), cutoff (the cutoff score), cutoff_type, critical_value, se, se_measurement,
pre_mean, pre_sd, post_mean, post_sd; people: per analyzed person in order of first appearance,
id, pre, post, change, rci, category and, under HA, cs_index; and counts.

An error names the row by its line number in the CSV file, the header being line 1, and the
column.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// `--pre` and `--post`: time points as the time column writes them (numbers or labels), shared
/// by every command that compares two times.
#[derive(clap::Args)]
pub struct PrePostTimes {
    /// The time of the pre-test: rows whose time cell equals VALUE, as a number where both are
    /// numbers (4, 04 and 4.0 are one time), else as text with spaces trimmed (pre, Before);
    /// rows of other times are ignored
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub pre: String,
    /// The time of the post-test, as --pre
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub post: String,
}

impl PrePostTimes {
    /// The two times, trimmed: not empty and not the same.
    pub fn checked(&self) -> Result<(String, String), Failure> {
        let (pre, post) = (self.pre.trim(), self.post.trim());
        if pre.is_empty() || post.is_empty() {
            return Err(Failure::usage("--pre and --post need a time value"));
        }
        if same_time(pre, post) {
            return Err(Failure::usage(format!(
                "--pre and --post are both {pre:?}: give two different times"
            )));
        }
        Ok((pre.to_owned(), post.to_owned()))
    }
}

/// `--method`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Method {
    #[value(name = "JT")]
    Jt,
    #[value(name = "GLN")]
    Gln,
    #[value(name = "HLL")]
    Hll,
    #[value(name = "EN")]
    En,
    #[value(name = "NK")]
    Nk,
    #[value(name = "HA")]
    Ha,
}

/// `--cutoff`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Cutoff {
    A,
    B,
    C,
}

/// `--cutoff-b-sd`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BSd {
    Clinical,
    Functional,
}

/// `--ha-categories`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HaChoice {
    TrueScore,
    CsCombined,
    NeverHarmed,
}

/// The checked command line of `alliance rci`.
struct Options {
    csv: String,
    id: String,
    time: String,
    outcome: String,
    pre: String,
    post: String,
    na: Option<String>,
    analysis: ReliableChangeOptions,
}

/// A required column name.
fn column(value: &str, flag: &str) -> Result<String, Failure> {
    match value.trim() {
        "" => Err(Failure::usage(format!("{flag} needs a column name"))),
        name => Ok(name.to_owned()),
    }
}

/// A closed choice as the library spells it (`jt`, `a`, `clinical`).
fn library_name<T: ValueEnum>(value: T) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_ascii_lowercase())
        .unwrap_or_default()
}

impl AnalysisArgs {
    /// The input file.
    pub fn csv_path(&self) -> &str {
        &self.csv.csv
    }
}

impl Options {
    fn new(args: AnalysisArgs) -> Result<Self, Failure> {
        let id = column(&args.id, "--id")?;
        let time = column(&args.time, "--time")?;
        let outcome = column(&args.outcome, "--outcome")?;
        if id == time || id == outcome || time == outcome {
            return Err(Failure::usage(
                "--id, --time and --outcome must name three different columns",
            ));
        }
        let (pre, post) = args.times.checked()?;
        let method: RciMethod = library_name(args.method)
            .parse()
            .map_err(|_| Failure::usage("--method: unknown method"))?;
        let cutoff: CutoffType = library_name(args.cutoff)
            .parse()
            .map_err(|_| Failure::usage("--cutoff: unknown cutoff"))?;
        let reliability_text = args.reliability.as_str();
        let r = args::number("--reliability", reliability_text)?;
        let mut analysis = ReliableChangeOptions::new(method, r, args.better.into())
            .map_err(|e| args::invalid("--reliability", reliability_text, &e))?
            .cutoff(cutoff);
        match (
            args.functional_mean.as_deref(),
            args.functional_sd.as_deref(),
        ) {
            (Some(m_text), Some(sd_text)) => {
                let m = args::number("--functional-mean", m_text)?;
                let sd = args::number("--functional-sd", sd_text)?;
                analysis = analysis
                    .functional(m, sd)
                    .map_err(|e| args::invalid("--functional-sd", sd_text, &e))?;
            }
            (None, None) if cutoff != CutoffType::A => {
                return Err(Failure::usage(format!(
                    "--cutoff {cutoff} needs the functional population: give --functional-mean and --functional-sd"
                )));
            }
            (None, None) => {}
            _ => {
                return Err(Failure::usage(
                    "--functional-mean and --functional-sd go together",
                ));
            }
        }
        if let Some(text) = args.reliability_post.as_deref() {
            if method != RciMethod::NunnallyKotsch {
                return Err(Failure::usage(
                    "--reliability-post applies to --method NK only",
                ));
            }
            let r2 = args::number("--reliability-post", text)?;
            analysis = analysis
                .post_reliability(r2)
                .map_err(|e| args::invalid("--reliability-post", text, &e))?;
        }
        if let Some(sd) = args.cutoff_b_sd {
            if cutoff != CutoffType::B {
                return Err(Failure::usage("--cutoff-b-sd applies to --cutoff b only"));
            }
            let sd: CutoffBSd = library_name(sd)
                .parse()
                .map_err(|_| Failure::usage("--cutoff-b-sd: unknown choice"))?;
            analysis = analysis.cutoff_b_sd(sd);
        }
        if let Some(choice) = args.ha_categories {
            if method != RciMethod::HagemanArrindell {
                return Err(Failure::usage(
                    "--ha-categories applies to --method HA only",
                ));
            }
            let categories: HaCategories = library_name(choice)
                .parse()
                .map_err(|_| Failure::usage("--ha-categories: unknown choice"))?;
            analysis = analysis.ha_categories(categories);
        }
        Ok(Options {
            csv: args.csv.csv,
            id,
            time,
            outcome,
            pre,
            post,
            na: args.na.token()?,
            analysis,
        })
    }
}

/// One person as read: where they first appear, and each measurement with its row.
struct Person {
    id: String,
    line: u64,
    pre: Option<(u64, Option<f64>)>,
    post: Option<(u64, Option<f64>)>,
}

/// One person per id, in order of first appearance (at any time point).
fn read(opts: &Options) -> Result<Vec<Person>, Failure> {
    let mut reader = table::open(&opts.csv)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let id_at = table::position(&names, &opts.id, "--id")?;
    let time_at = table::position(&names, &opts.time, "--time")?;
    let outcome_at = table::position(&names, &opts.outcome, "--outcome")?;
    let mut people: Vec<Person> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Whether any row has the pre and the post time.
    let mut seen = (false, false);
    while let Some(record) = table::next_row(&mut reader, &opts.csv)? {
        let line = record.line();
        let id = table::cell(&record, id_at, None)?;
        if id.is_empty() {
            return Err(Failure::run(format!(
                "{}: no id",
                location(Some(line), None, Some(&opts.id))
            )));
        }
        let time = table::cell(&record, time_at, Some(id))?;
        let at = *index.entry(id.to_owned()).or_insert_with(|| {
            people.push(Person {
                id: id.to_owned(),
                line,
                pre: None,
                post: None,
            });
            people.len() - 1
        });
        let Some(person) = people.get_mut(at) else {
            continue;
        };
        let slot = if same_time(time, &opts.pre) {
            seen.0 = true;
            &mut person.pre
        } else if same_time(time, &opts.post) {
            seen.1 = true;
            &mut person.post
        } else {
            continue;
        };
        if let Some((first, _)) = slot {
            return Err(Failure::run(format!(
                "{}: a second row for time {time:?} (the first is row {first})",
                location(Some(line), Some(id), Some(&opts.time))
            ))
            .input_id(id));
        }
        let text = table::cell(&record, outcome_at, Some(id))?;
        let value = table::statistic_value(text, opts.na.as_deref(), || {
            location(Some(line), Some(id), Some(&opts.outcome))
        })
        .map_err(|f| f.input_id(id))?;
        *slot = Some((line, value));
    }
    for (found, flag, value) in [(seen.0, "--pre", &opts.pre), (seen.1, "--post", &opts.post)] {
        if !found {
            return Err(Failure::run(format!(
                "no row of {} has the time {value:?} given to {flag} in column {:?}",
                opts.csv, opts.time
            )));
        }
    }
    Ok(people)
}

/// Whether a time cell is the time given: as numbers where both are numbers (`4`, `04` and
/// `4.0` are one time), else as text.
pub fn same_time(cell: &str, given: &str) -> bool {
    let given = given.trim();
    match (cell.parse::<f64>(), given.parse::<f64>()) {
        (Ok(a), Ok(b)) if a.is_finite() && b.is_finite() => a == b,
        _ => cell == given,
    }
}

/// `alliance rci`'s output.
#[derive(serde::Serialize)]
struct Output<'a> {
    method: String,
    better: therapeutic_alliance::Better,
    reliability: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_reliability: Option<f64>,
    n_used: usize,
    n_dropped: usize,
    dropped: &'a [String],
    cutoff: f64,
    cutoff_type: CutoffType,
    critical_value: f64,
    se: f64,
    se_measurement: f64,
    pre_mean: f64,
    pre_sd: f64,
    post_mean: f64,
    post_sd: f64,
    people: Vec<PersonOut<'a>>,
    counts: CategoryCounts,
}

#[derive(serde::Serialize)]
struct PersonOut<'a> {
    id: &'a str,
    pre: f64,
    post: f64,
    change: f64,
    rci: f64,
    category: therapeutic_alliance::change::ChangeCategory,
    #[serde(skip_serializing_if = "Option::is_none")]
    cs_index: Option<f64>,
}

impl<'a> Output<'a> {
    fn of(r: &'a ReliableChange) -> Self {
        Output {
            method: r.method.name().to_ascii_uppercase(),
            better: r.better,
            reliability: r.reliability,
            post_reliability: r.post_reliability,
            n_used: r.n_used,
            n_dropped: r.n_dropped,
            dropped: &r.dropped,
            cutoff: r.cutoff.value,
            cutoff_type: r.cutoff.kind,
            critical_value: r.critical_value,
            se: r.se,
            se_measurement: r.se_measurement,
            pre_mean: r.pre_mean,
            pre_sd: r.pre_sd,
            post_mean: r.post_mean,
            post_sd: r.post_sd,
            people: r
                .people
                .iter()
                .map(|p| PersonOut {
                    id: &p.id,
                    pre: p.pre,
                    post: p.post,
                    change: p.change,
                    rci: p.rci,
                    category: p.category,
                    cs_index: p.cs_index,
                })
                .collect(),
            counts: r.counts,
        }
    }
}

/// Reads the file and analyzes it: the reliable change of `alliance rci` (and `alliance plot
/// jt`).
pub fn reliable_change(args: AnalysisArgs) -> Result<ReliableChange, Failure> {
    let opts = Options::new(args)?;
    let people = read(&opts)?;
    let rows = people.iter().map(|p| {
        ChangeRow::new(
            p.id.clone(),
            p.pre.and_then(|(_, v)| v),
            p.post.and_then(|(_, v)| v),
        )
    });
    opts.analysis.analyze(rows).map_err(|e| {
        // The library counts rows from 1 in the order given: one per person, so a row it names
        // is the person whose first line in the file is reported instead.
        let person = e
            .row()
            .and_then(|r| usize::try_from(r).ok())
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| people.get(i));
        match person {
            Some(p) => Failure::worded(
                format!(
                    "{}: {}",
                    location(Some(p.line), Some(&p.id), Some(&opts.id)),
                    e.kind()
                ),
                e,
            )
            .input_id(&p.id),
            None => Failure::from(e),
        }
    })
}

pub fn run(args: Args) -> Result<(), Failure> {
    let result = reliable_change(args.analysis)?;
    let mut text = serde_json::to_string_pretty(&Output::of(&result))
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
