//! `alliance effect-size`: pre-post change between two sessions of a long CSV file, on the
//! clients with a score at both: the paired t test and the effect sizes d_z, g_z, d_av and d_rm.

use therapeutic_alliance::change::PrePost;

use crate::Failure;
use crate::args::{Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table;

pub const USAGE: &str = r#"usage: alliance effect-size --csv FILE --id COLUMN --time COLUMN --score COLUMN --pre SESSION --post SESSION [--na TOKEN]

Pre-post change between two sessions on complete pairs, differences post minus pre (so with a
symptom measure improvement is negative): the paired t test (R's t.test(post, pre, paired =
TRUE)), Cohen's d_z with the noncentral-t 95% interval of R effectsize's cohens_d(paired =
TRUE), Hedges' g_z, d_av and d_rm (Lakens 2013). Reads a long CSV file: a header line, then one
row per client and session. Spaces around cells, quoted fields, CRLF line endings and blank
lines are all fine; other columns are ignored.

  --csv FILE        the sessions
  --id COLUMN       the client id column
  --time COLUMN     the session column: whole session numbers (3, or 3.0)
  --score COLUMN    the score column; an empty cell is a missed session
  --na TOKEN        score cells equal to TOKEN (e.g. NA, as R writes) are missed sessions too
  --pre SESSION     the session number of the pre scores, e.g. 1
  --post SESSION    the session number of the post scores, e.g. 4
  -h, --help        this text

--pre and --post are compared with the time column as numbers, not as text: 4, 04 and 4.0 are
the same session. A client whose pre or post score is missing (an empty score, or no row for
that session) is an incomplete pair and left out.

Prints one JSON object: pre_session, post_session, n (complete pairs), incomplete, mean_pre,
mean_post, sd_pre, sd_post, r_pre_post (null when either side is constant), mean_diff, sd_diff,
t, df, p (two-sided), d_z, d_z_ci ([lower, upper]), g_z, g_z_ci, d_av and d_rm (null without
r_pre_post).

A score that is not a number, an empty id or session, a session that is not a whole number, a
client's session given twice, or a row with another number of fields than the header stops the
run with one line on stderr naming the row by its line number in the CSV file, the header being
line 1, and the column:

  alliance: error: row 9 (id "3"), column "time": client "3" has session 1 twice (first in row 8)

Fewer than 2 complete pairs, a session no row has, or differences that are all the same are
errors too.

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// The parsed command line of `alliance effect-size`.
struct Options {
    csv: String,
    id: String,
    time: String,
    score: String,
    na: Option<String>,
    pre: u32,
    post: u32,
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut csv, mut id, mut time, mut score, mut na, mut pre, mut post) =
            (None, None, None, None, None, None, None);
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
                "--score" => set_once(&mut score, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                "--pre" => set_once(&mut pre, flag, p.value(flag)?)?,
                "--post" => set_once(&mut post, flag, p.value(flag)?)?,
                _ => return Err(unexpected(arg)),
            }
        }
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let [id, time, score] =
            table::long_columns([("--id", id), ("--time", time), ("--score", score)])?;
        let session = |flag: &str, value: Option<&str>| {
            let value =
                value.ok_or_else(|| Failure::usage(format!("{flag} SESSION is required")))?;
            table::session_number(value).ok_or_else(|| {
                Failure::usage(format!(
                    "{flag} must be a session number (a whole number from 0), not {value:?}"
                ))
            })
        };
        let (pre, post) = (session("--pre", pre)?, session("--post", post)?);
        if pre == post {
            return Err(Failure::usage(format!(
                "--pre and --post are both session {pre}; they must differ"
            )));
        }
        let na = table::na_token(na)?;
        Ok(Some(Options {
            csv: csv.to_owned(),
            id,
            time,
            score,
            na,
            pre,
            post,
        }))
    }
}

/// `alliance effect-size`'s output.
#[derive(serde::Serialize)]
struct Output {
    pre_session: u32,
    post_session: u32,
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
            pre_session: opts.pre,
            post_session: opts.post,
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

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let rows = table::long_rows(
        &opts.csv,
        [
            ("--id", &opts.id),
            ("--time", &opts.time),
            ("--score", &opts.score),
        ],
        opts.na.as_deref(),
    )?;
    for (flag, session) in [("--pre", opts.pre), ("--post", opts.post)] {
        if !rows.iter().any(|r| r.session == session) {
            return Err(Failure::run(format!(
                "no row has session {session} ({flag}) in column {:?}",
                opts.time
            )));
        }
    }
    let effect = table::session_table(&rows, &opts.id)?.pre_post(opts.pre, opts.post)?;
    let mut text = serde_json::to_string_pretty(&Output::of(&effect, &opts)?)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
