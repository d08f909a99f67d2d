//! `alliance rci`: reliable change and clinical significance from a long CSV file (one row per
//! person and time point), as the R package clinicalsignificance computes them.

use std::collections::HashMap;

use therapeutic_alliance::Better;
use therapeutic_alliance::change::{
    CategoryCounts, ChangeRow, CutoffBSd, CutoffType, RciMethod, ReliableChange,
    ReliableChangeOptions,
};

use crate::Failure;
use crate::args::{self, Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table::{self, location};

pub const USAGE: &str = r#"usage: alliance rci --csv FILE --id COLUMN --time COLUMN --outcome COLUMN --pre VALUE
                   --post VALUE --reliability R --better lower|higher
                   --method JT|GLN|HLL|EN|NK|HA --cutoff a|b|c [options]

Reliable change and clinical significance (Jacobson & Truax 1991 and the alternative indices
reviewed by Bauer, Lambert & Nielsen 2004), as R's clinicalsignificance package computes them:
each person's reliable change index (RCI) from a pre-test to a post-test, and a category
(recovered, improved, unchanged, deteriorated, harmed). Reads a LONG CSV file: a header line, then
one row per person and time point, with an id column, a time column and an outcome column (other
columns are ignored). Spaces around cells, quoted fields, CRLF line endings and blank lines are
all fine.

  --csv FILE              the data
  --id COLUMN             the person's id
  --time COLUMN           the time point
  --outcome COLUMN        the score analysed
  --pre VALUE             the time of the pre-test: rows whose time cell equals VALUE, as a
                          number where both are numbers (4, 04 and 4.0 are one time), else as
                          text with spaces trimmed; rows of other times are ignored
  --post VALUE            the time of the post-test
  --reliability R         the measure's reliability, above 0 and below 1 (NK: at most 1)
  --better lower|higher   which direction is improvement (lower for symptom measures)
  --method M              JT (Jacobson & Truax), GLN (Gulliksen, Lord & Novick), HLL (Hsu,
                          Linn & Lord), EN (Edwards & Nunnally), NK (Nunnally & Kotsch) or HA
                          (Hageman & Arrindell); upper or lower case
  --cutoff a|b|c          the cutoff between the clinical and the functional population:
                          a, two clinical SDs from the clinical mean; b, two SDs from the
                          functional mean; c, the point between them. The clinical mean and SD
                          are the analysed sample's pre-test mean and SD
  --functional-mean M, --functional-sd S
                          the functional population's mean and SD, needed by cutoffs b and c
                          (given together)
  --reliability-post R2   NK only: the post-test reliability (default: --reliability)
  --cutoff-b-sd clinical|functional
                          cutoff b only: which SD it steps from the functional mean. Default
                          functional, as Jacobson & Truax define it; clinicalsignificance
                          uses clinical
  --na TOKEN              cells equal to TOKEN (e.g. NA, as R writes) are missing too
  -h, --help              this text

Only complete cases are analysed: a person without a pre-test or post-test row, or whose
outcome cell there is empty, is left out and listed in dropped. The significance level is .05
(two-tailed, HA one-tailed).

Prints one JSON object: method, better, reliability, post_reliability (NK), n_used, n_dropped,
dropped (ids), cutoff (the cutoff score), cutoff_type, critical_value, se (the standard error the
RCI divides by), se_measurement, pre_mean, pre_sd, post_mean, post_sd; people: per analysed
person in order of first appearance, id, pre, post, change, rci, category and, under HA,
cs_index; and counts: recovered, improved, unchanged, deteriorated, harmed.

An outcome that is not a number, an empty id, or a second row for the same person at the pre-
or post-test time stops the run with one line on stderr naming the row by its line number in
the CSV file, the header being line 1, and the column:

  alliance: error: row 14 (id "4"), column "hamd": "n/a" is not a number

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// The parsed command line of `alliance rci`.
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

/// Parses `--method`, upper or lower case.
fn method(value: &str) -> Result<RciMethod, Failure> {
    value.trim().to_ascii_lowercase().parse().map_err(|_| {
        Failure::usage(format!(
            "--method must be JT, GLN, HLL, EN, NK or HA, not {value:?}"
        ))
    })
}

/// A required column name.
fn column(value: Option<&str>, flag: &str) -> Result<String, Failure> {
    match value.map(str::trim) {
        None => Err(Failure::usage(format!("{flag} is required"))),
        Some("") => Err(Failure::usage(format!("{flag} needs a column name"))),
        Some(name) => Ok(name.to_owned()),
    }
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut csv, mut id, mut time, mut outcome, mut pre, mut post) =
            (None, None, None, None, None, None);
        let (mut reliability, mut better_is, mut method_name, mut cutoff) =
            (None, None, None, None);
        let (mut f_mean, mut f_sd, mut rel_post, mut b_sd, mut na) = (None, None, None, None, None);
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            let Arg::Flag(flag) = arg else {
                return Err(unexpected(arg));
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--csv" => set_once(&mut csv, flag, p.value(flag)?)?,
                "--id" => set_once(&mut id, flag, p.value(flag)?)?,
                "--time" => set_once(&mut time, flag, p.value(flag)?)?,
                "--outcome" => set_once(&mut outcome, flag, p.value(flag)?)?,
                "--pre" => set_once(&mut pre, flag, p.value(flag)?)?,
                "--post" => set_once(&mut post, flag, p.value(flag)?)?,
                "--reliability" => set_once(&mut reliability, flag, p.value(flag)?)?,
                "--better" => set_once(&mut better_is, flag, p.value(flag)?)?,
                "--method" => set_once(&mut method_name, flag, p.value(flag)?)?,
                "--cutoff" => set_once(&mut cutoff, flag, p.value(flag)?)?,
                "--functional-mean" => set_once(&mut f_mean, flag, p.value(flag)?)?,
                "--functional-sd" => set_once(&mut f_sd, flag, p.value(flag)?)?,
                "--reliability-post" => set_once(&mut rel_post, flag, p.value(flag)?)?,
                "--cutoff-b-sd" => set_once(&mut b_sd, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                _ => return Err(unexpected(arg)),
            }
        }
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let id = column(id, "--id")?;
        let time = column(time, "--time")?;
        let outcome = column(outcome, "--outcome")?;
        if id == time || id == outcome || time == outcome {
            return Err(Failure::usage(
                "--id, --time and --outcome must name three different columns",
            ));
        }
        let pre = pre
            .ok_or_else(|| Failure::usage("--pre is required"))?
            .trim();
        let post = post
            .ok_or_else(|| Failure::usage("--post is required"))?
            .trim();
        if pre.is_empty() || post.is_empty() {
            return Err(Failure::usage("--pre and --post need a time value"));
        }
        if pre == post {
            return Err(Failure::usage(format!(
                "--pre and --post are both {pre:?}: give two different times"
            )));
        }
        let method = method(method_name.ok_or_else(|| Failure::usage("--method is required"))?)?;
        let better_is =
            args::better(better_is.ok_or_else(|| Failure::usage("--better is required"))?)?;
        let cutoff_text = cutoff.ok_or_else(|| Failure::usage("--cutoff is required"))?;
        let cutoff: CutoffType = cutoff_text
            .trim()
            .to_ascii_lowercase()
            .parse()
            .map_err(|_| {
                Failure::usage(format!("--cutoff must be a, b or c, not {cutoff_text:?}"))
            })?;
        let reliability_text =
            reliability.ok_or_else(|| Failure::usage("--reliability is required"))?;
        let r = args::number("--reliability", reliability_text)?;
        let mut analysis = ReliableChangeOptions::new(method, r, better_is)
            .map_err(|e| args::invalid("--reliability", reliability_text, &e))?
            .cutoff(cutoff);
        match (f_mean, f_sd) {
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
        if let Some(text) = rel_post {
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
        if let Some(text) = b_sd {
            if cutoff != CutoffType::B {
                return Err(Failure::usage("--cutoff-b-sd applies to --cutoff b only"));
            }
            let sd: CutoffBSd = text.trim().to_ascii_lowercase().parse().map_err(|_| {
                Failure::usage(format!(
                    "--cutoff-b-sd must be clinical or functional, not {text:?}"
                ))
            })?;
            analysis = analysis.cutoff_b_sd(sd);
        }
        Ok(Some(Options {
            csv: csv.to_owned(),
            id,
            time,
            outcome,
            pre: pre.to_owned(),
            post: post.to_owned(),
            na: args::na_token(na)?,
            analysis,
        }))
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
            )));
        }
        let text = table::cell(&record, outcome_at, Some(id))?;
        let value = table::statistic_value(text, opts.na.as_deref(), || {
            location(Some(line), Some(id), Some(&opts.outcome))
        })?;
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
fn same_time(cell: &str, given: &str) -> bool {
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
    better: Better,
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

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let people = read(&opts)?;
    let rows = people.iter().map(|p| {
        ChangeRow::new(
            p.id.clone(),
            p.pre.and_then(|(_, v)| v),
            p.post.and_then(|(_, v)| v),
        )
    });
    let result = opts.analysis.analyze(rows).map_err(|e| {
        // The library counts rows from 1 in the order given: one per person, so a row it names
        // is the person whose first line in the file is reported instead.
        let person = e
            .row()
            .and_then(|r| usize::try_from(r).ok())
            .and_then(|r| r.checked_sub(1))
            .and_then(|i| people.get(i));
        match person {
            Some(p) => Failure::run(format!(
                "{}: {}",
                location(Some(p.line), Some(&p.id), Some(&opts.id)),
                e.kind()
            )),
            None => Failure::from(e),
        }
    })?;
    let mut text = serde_json::to_string_pretty(&Output::of(&result))
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
