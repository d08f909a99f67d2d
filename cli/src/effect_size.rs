//! `alliance effect-size`: pre-post change between two sessions of a long CSV file, on the
//! clients with a score at both: the paired t test and the effect sizes d_z, g_z, d_av and d_rm.

use therapeutic_alliance::change::PrePost;

use crate::Failure;
use crate::args::{CsvArg, LongColumns, NaArg};
use crate::output;
use crate::rci::PrePostTimes;
use crate::table;

/// Pre-post paired t test and effect sizes (d_z, d_av, d_rm) from a long CSV file.
///
/// Pre-post change between two sessions on complete pairs, differences post minus pre (so with
/// a symptom measure improvement is negative): the paired t test (R's t.test(post, pre, paired =
/// TRUE)), Cohen's d_z with the noncentral-t 95% interval of R effectsize's cohens_d(paired =
/// TRUE), Hedges' g_z, d_av and d_rm (Lakens 2013). Reads a long CSV file: a header line, then
/// one row per client and time; other columns are ignored.
///
/// --pre and --post are the times as `alliance rci` takes them: session numbers (compared as
/// numbers: 4, 04 and 4.0 are the same session) or labels of the time column (pre and post,
/// Before and After). A client whose pre or post score is missing (an empty score, or no row for
/// that time) is an incomplete pair and left out.
///
/// Memory: the whole file is held (a client's pre and post rows may be far apart), about 250
/// bytes per row: some 250 MB for a million rows.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP, override_usage = USAGE)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    #[command(flatten)]
    columns: LongColumns,
    #[command(flatten)]
    na: NaArg,
    #[command(flatten)]
    times: PrePostTimes,
}

const USAGE: &str =
    "alliance effect-size --csv <FILE> --id <COLUMN> --time <COLUMN> --score <COLUMN>
           --pre <VALUE> --post <VALUE> [OPTIONS]";

const AFTER_HELP: &str = "\
Prints one JSON object: pre_session, post_session (the numbers, or the labels as given), n
(complete pairs), incomplete, mean_pre, mean_post, sd_pre, sd_post, r_pre_post (null when either
side is constant), mean_diff, sd_diff, t, df, p (two-sided), d_z, d_z_ci ([lower, upper]), g_z,
g_z_ci, d_av and d_rm (null without r_pre_post).

A score that is not a number, an empty id or time, a client's time given twice, or a row with
another number of fields than the header stops the run with one line on stderr naming the row
by its line number in the CSV file, the header being line 1, and the column:

  alliance: error: row 9 (id \"3\"), column \"time\": client \"3\" has session 1 twice (first in row 8)

Fewer than 2 complete pairs, a time no row has, or differences that are all the same are errors
too.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// A time of `--pre` or `--post`: a session number, or a label of the time column.
#[derive(Clone, serde::Serialize)]
#[serde(untagged)]
enum Time {
    Session(u32),
    Label(String),
}

/// The checked command line of `alliance effect-size`.
struct Options {
    csv: String,
    id: String,
    time: String,
    score: String,
    na: Option<String>,
    pre: Time,
    post: Time,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let [id, time, score] = args.columns.names()?;
        let (pre, post) = args.times.checked()?;
        // Session numbers when both are; labels (matched as `rci` matches them) otherwise.
        let (pre, post) = match (table::session_number(&pre), table::session_number(&post)) {
            (Some(a), Some(b)) => (Time::Session(a), Time::Session(b)),
            _ => (Time::Label(pre), Time::Label(post)),
        };
        Ok(Options {
            csv: args.csv.csv,
            id,
            time,
            score,
            na: args.na.token()?,
            pre,
            post,
        })
    }
}

/// `alliance effect-size`'s output.
#[derive(serde::Serialize)]
struct Output {
    pre_session: Time,
    post_session: Time,
    n: u64,
    incomplete: u64,
    mean_pre: f64,
    mean_post: f64,
    sd_pre: f64,
    sd_post: f64,
    r_pre_post: Option<f64>,
    mean_diff: f64,
    sd_diff: f64,
    t: f64,
    df: f64,
    p: f64,
    d_z: f64,
    d_z_ci: [f64; 2],
    g_z: f64,
    g_z_ci: [f64; 2],
    d_av: f64,
    d_rm: Option<f64>,
}

impl Output {
    /// The output; an error if a value overflowed double precision.
    fn of(e: &PrePost, opts: &Options) -> Result<Self, Failure> {
        let out = Output {
            pre_session: opts.pre.clone(),
            post_session: opts.post.clone(),
            n: e.n,
            incomplete: e.incomplete,
            mean_pre: e.mean_pre,
            mean_post: e.mean_post,
            sd_pre: e.sd_pre,
            sd_post: e.sd_post,
            r_pre_post: e.r_pre_post,
            mean_diff: e.mean_diff,
            sd_diff: e.sd_diff,
            t: e.t,
            df: e.df,
            p: e.p,
            d_z: e.d_z,
            d_z_ci: [e.d_z_ci.lower, e.d_z_ci.upper],
            g_z: e.g_z,
            g_z_ci: [e.g_z_ci.lower, e.g_z_ci.upper],
            d_av: e.d_av,
            d_rm: e.d_rm,
        };
        let values = [
            Some(out.mean_pre),
            Some(out.mean_post),
            Some(out.sd_pre),
            Some(out.sd_post),
            out.r_pre_post,
            Some(out.mean_diff),
            Some(out.sd_diff),
            Some(out.t),
            Some(out.p),
            Some(out.d_z),
            Some(out.d_z_ci[0]),
            Some(out.d_z_ci[1]),
            Some(out.g_z),
            Some(out.d_av),
            out.d_rm,
        ];
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(Failure::run(
                "the scores are too large for these statistics in double precision",
            ));
        }
        Ok(out)
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let columns = [
        ("--id", opts.id.as_str()),
        ("--time", opts.time.as_str()),
        ("--score", opts.score.as_str()),
    ];
    let (rows, pre, post) = match (&opts.pre, &opts.post) {
        (Time::Session(pre), Time::Session(post)) => {
            let rows = table::long_rows(&opts.csv, columns, opts.na.as_deref())?;
            for (flag, session) in [("--pre", pre), ("--post", post)] {
                if !rows.iter().any(|r| r.session == *session) {
                    return Err(Failure::run(format!(
                        "no row has session {session} ({flag}) in column {:?}",
                        opts.time
                    )));
                }
            }
            (rows, *pre, *post)
        }
        _ => {
            // Labels: the pre rows become session 0 and the post rows session 1.
            let labels = [opts.pre.text(), opts.post.text()];
            let rows = table::labeled_rows(&opts.csv, columns, opts.na.as_deref(), labels.clone())?;
            for (flag, (session, label)) in ["--pre", "--post"]
                .into_iter()
                .zip([0, 1].into_iter().zip(labels))
            {
                if !rows.iter().any(|r| r.session == session) {
                    return Err(Failure::run(format!(
                        "no row has the time {label:?} ({flag}) in column {:?}",
                        opts.time
                    )));
                }
            }
            (rows, 0, 1)
        }
    };
    let effect = table::session_table(&rows, &opts.id)?.pre_post(pre, post)?;
    let mut text = serde_json::to_string_pretty(&Output::of(&effect, &opts)?)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}

impl Time {
    /// The time as given.
    fn text(&self) -> String {
        match self {
            Time::Session(n) => n.to_string(),
            Time::Label(l) => l.clone(),
        }
    }
}
