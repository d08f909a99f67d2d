//! `alliance mixed`: a linear mixed model with one grouping factor, as lme4's `lmer` fits it
//! (clients within therapists, sessions within clients), from a long CSV file.

use std::collections::BTreeMap;

use therapeutic_alliance::multilevel::{Estimation, MixedModel, MixedOptions, MixedTable};

use crate::Failure;
use crate::args::{CsvArg, NaArg};
use crate::output;
use crate::table::{self, location};

/// A linear mixed model with one grouping factor, as lme4 and lmerTest fit it.
///
/// y ~ fixed covariates + (1 | group), or with --slope x, y ~ fixed + x + (1 + x | group) (a
/// random intercept and slope with their correlation; x is a fixed effect too), by REML (lme4's default) or, with --ml, maximum
/// likelihood. Reads a long CSV file: a header line, then one row per observation (a session of
/// a client, or a client of a therapist). A row with an empty (or --na) cell in a column the
/// model uses is left out, not imputed; other columns are ignored.
///
/// --split COL turns a covariate into its group mean (COL_between) and each row's deviation
/// from it (COL_within), both fixed effects (Baldwin, Wampold & Imel 2007: whether the
/// therapists' or the clients' alliance predicts outcome); the means are taken over the rows the
/// model uses.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    /// The outcome column
    #[arg(long, value_name = "COLUMN")]
    y: String,
    /// The grouping column (the therapist, or the client for sessions)
    #[arg(long, value_name = "COLUMN")]
    group: String,
    /// Fixed covariates, comma-separated, after the intercept
    #[arg(long, value_name = "COL,COL")]
    fixed: Option<String>,
    /// A random slope on this column, correlated with the random intercept; the column is also a
    /// fixed effect (after the --fixed columns, unless named there): y ~ x + (1 + x | group)
    #[arg(long, value_name = "COLUMN")]
    slope: Option<String>,
    /// Covariates to split into their group mean (COL_between) and the deviation from it
    /// (COL_within), comma-separated
    #[arg(long, value_name = "COL,COL")]
    split: Option<String>,
    /// Maximum likelihood instead of REML (to compare models with different fixed effects)
    #[arg(long)]
    ml: bool,
    #[command(flatten)]
    na: NaArg,
}

const AFTER_HELP: &str = "\
Prints one JSON object:
  reml (true, or false with --ml); n_obs (rows used); n_groups ({GROUP: number of groups});
  fixed: [{term, estimate, se, t, df, p}], terms named as lme4 names them ((Intercept), the
    column, COL_between, COL_within), df and p by Satterthwaite as lmerTest gives them (null
    at a boundary fit where they are undefined);
  varcor: [{group, var1, var2, vcov, sdcor}] as lme4's as.data.frame(VarCorr(m)): a variance
    with var2 null and its SD, the intercept-slope covariance with its correlation, and the
    residual (group \"Residual\", var1 null);
  reml_criterion (REML), or loglik, aic, bic and deviance (ML);
  icc: the group variance over the total, for a random intercept alone (null with --slope);
  ranef: [{level, values: {term: value}, cond_sd: {term: sd}}], each group's conditional mode
    and conditional SD (ranef(m, condVar = TRUE)), groups in the order of their first row;
  convergence: {iterations, gradient, scaled_gradient, converged, theta (lme4's getME(m,
    \"theta\")), singular, boundary (a boundary fit said in words, or null)}.

A group with one row is fine for a random intercept. A covariate with one value in every row,
a covariate that is a combination of the others, too few groups for the random effects (2 for
an intercept, 3 with a slope) or no more rows than groups are errors; a variance estimated as 0
is a boundary fit, said in convergence.boundary. An error names the row by its line number in
the CSV file, the header being line 1, and the column; never a group's id.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// The parsed command line of `alliance mixed`.
struct Options {
    csv: String,
    y: String,
    group: String,
    fixed: Vec<String>,
    slope: Option<String>,
    split: Vec<String>,
    estimation: Estimation,
    na: Option<String>,
}

/// The column names of a comma-separated list: each not empty.
fn list(flag: &str, value: Option<&str>) -> Result<Vec<String>, Failure> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(|name| match name.trim() {
            "" => Err(Failure::usage(format!(
                "{flag} needs column names separated by commas"
            ))),
            name => Ok(name.to_owned()),
        })
        .collect()
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let column = |flag: &str, value: &str| match value.trim() {
            "" => Err(Failure::usage(format!("{flag} needs a column name"))),
            name => Ok(name.to_owned()),
        };
        let y = column("--y", &args.y)?;
        let group = column("--group", &args.group)?;
        let fixed = list("--fixed", args.fixed.as_deref())?;
        let split = list("--split", args.split.as_deref())?;
        let slope = args
            .slope
            .as_deref()
            .map(|s| column("--slope", s))
            .transpose()?;
        if y == group {
            return Err(Failure::usage(format!(
                "--y and --group both name column {y:?}"
            )));
        }
        let mut seen: Vec<(&str, &str)> = vec![("--y", &y), ("--group", &group)];
        for (flag, name) in fixed
            .iter()
            .map(|c| ("--fixed", c))
            .chain(split.iter().map(|c| ("--split", c)))
        {
            if let Some((other, _)) = seen.iter().find(|(_, n)| *n == name.as_str()) {
                return Err(Failure::usage(format!(
                    "{other} and {flag} both name column {name:?}"
                )));
            }
            seen.push((flag, name));
        }
        if let Some(s) = &slope {
            if *s == y || *s == group {
                return Err(Failure::usage(format!(
                    "--slope names column {s:?}, the outcome or the group"
                )));
            }
            if split.contains(s) {
                return Err(Failure::usage(format!(
                    "--slope and --split both name column {s:?}; a random slope needs a column of its own"
                )));
            }
        }
        Ok(Options {
            csv: args.csv.csv,
            y,
            group,
            fixed,
            slope,
            split,
            estimation: if args.ml {
                Estimation::Ml
            } else {
                Estimation::Reml
            },
            na: args.na.token()?,
        })
    }

    /// The covariate columns the table needs: fixed, split, then the slope if not among them.
    fn covariates(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .fixed
            .iter()
            .chain(&self.split)
            .map(String::as_str)
            .collect();
        if let Some(s) = &self.slope
            && !names.contains(&s.as_str())
        {
            names.push(s);
        }
        names
    }
}

/// The rows complete in the model's columns, as the library's table.
fn read(opts: &Options) -> Result<MixedTable, Failure> {
    let covariates: Vec<(&str, &str)> = opts
        .covariates()
        .into_iter()
        .map(|name| {
            let flag = if opts.fixed.iter().any(|f| f == name) {
                "--fixed"
            } else if opts.split.iter().any(|f| f == name) {
                "--split"
            } else {
                "--slope"
            };
            (flag, name)
        })
        .collect();
    read_table(
        &opts.csv,
        &opts.group,
        &opts.y,
        &covariates,
        opts.na.as_deref(),
    )
}

/// Reads the rows of a mixed model (`alliance mixed`, `alliance plot caterpillar`): the group,
/// the outcome and the covariates (each with the flag that named it) of each row. A row whose
/// outcome or a covariate is empty (or the `na` token) is left out (missing, not imputed); an
/// empty group, or a cell that is not a number the statistics accept, is an error naming the
/// row and column, and so is a row the library refuses (by its line in the file).
pub(crate) fn read_table(
    path: &str,
    group: &str,
    y: &str,
    covariates: &[(&str, &str)],
    na: Option<&str>,
) -> Result<MixedTable, Failure> {
    let mut reader = table::open(path)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let group_at = table::column(&names, group, "--group")?;
    let y_at = table::column(&names, y, "--y")?;
    let mut x_at = Vec::with_capacity(covariates.len());
    for &(flag, name) in covariates {
        x_at.push(table::column(&names, name, flag)?);
    }
    // Groups are kept once each (a file has many rows per group).
    let mut levels: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut rows: Vec<(usize, f64, Vec<f64>)> = Vec::new();
    // Each kept row's line, to name it if the library refuses it.
    let mut lines: Vec<u64> = Vec::new();
    while let Some(record) = table::next_row(&mut reader, path)? {
        let line = record.line();
        let value = |at: usize, name: &str| -> Result<Option<f64>, Failure> {
            let text = table::cell(&record, at, None)?;
            table::statistic_value(text, na, || location(Some(line), None, Some(name)))
        };
        let g = table::cell(&record, group_at, None)?;
        let value_y = value(y_at, y)?;
        let mut xs = Vec::with_capacity(x_at.len());
        for (&at, &(_, name)) in x_at.iter().zip(covariates) {
            xs.push(value(at, name)?);
        }
        if g.is_empty() || na == Some(g) {
            return Err(Failure::run(format!(
                "{}: no group",
                location(Some(line), None, Some(group))
            )));
        }
        let (Some(value_y), Some(xs)) = (value_y, xs.into_iter().collect::<Option<Vec<f64>>>())
        else {
            continue;
        };
        let level = match index.get(g) {
            Some(&k) => k,
            None => {
                levels.push(g.to_owned());
                index.insert(g.to_owned(), levels.len() - 1);
                levels.len() - 1
            }
        };
        rows.push((level, value_y, xs));
        lines.push(line);
    }
    if rows.is_empty() {
        return Err(Failure::run(format!(
            "no row has every column the model uses ({}) filled",
            std::iter::once(y)
                .chain(covariates.iter().map(|&(_, name)| name))
                .map(|c| format!("{:?}", output::shown(c)))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let covariate_names: Vec<&str> = covariates.iter().map(|&(_, name)| name).collect();
    MixedTable::from_rows(
        group,
        y,
        &covariate_names,
        rows.into_iter()
            .map(|(level, y, xs)| (levels.get(level).map_or("", String::as_str), y, xs)),
    )
    .map_err(|e| {
        let line = e
            .row()
            .and_then(|r| usize::try_from(r).ok()?.checked_sub(1))
            .and_then(|i| lines.get(i).copied());
        match line {
            Some(line) => Failure::worded(
                format!("{}: {}", location(Some(line), None, e.column()), e.kind()),
                e,
            ),
            None => Failure::from(e),
        }
    })
}

/// One fixed effect of the output.
#[derive(serde::Serialize)]
struct Fixed<'a> {
    term: &'a str,
    estimate: f64,
    se: f64,
    t: f64,
    df: Option<f64>,
    p: Option<f64>,
}

/// One variance component of the output.
#[derive(serde::Serialize)]
struct VarCor<'a> {
    group: &'a str,
    var1: Option<&'a str>,
    var2: Option<&'a str>,
    vcov: f64,
    sdcor: f64,
}

/// One group's conditional mode of the output.
#[derive(serde::Serialize)]
struct Ranef<'a> {
    level: &'a str,
    values: &'a BTreeMap<String, f64>,
    cond_sd: &'a BTreeMap<String, f64>,
}

/// How the fit ended, in the output.
#[derive(serde::Serialize)]
struct Convergence<'a> {
    iterations: u32,
    gradient: f64,
    scaled_gradient: Option<f64>,
    converged: bool,
    theta: &'a [f64],
    singular: bool,
    boundary: Option<&'a str>,
}

/// `alliance mixed`'s output.
#[derive(serde::Serialize)]
struct Output<'a> {
    reml: bool,
    n_obs: usize,
    n_groups: BTreeMap<&'a str, usize>,
    fixed: Vec<Fixed<'a>>,
    varcor: Vec<VarCor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reml_criterion: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loglik: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deviance: Option<f64>,
    icc: Option<f64>,
    ranef: Vec<Ranef<'a>>,
    convergence: Convergence<'a>,
}

impl<'a> Output<'a> {
    /// The output; an error if a value overflowed double precision.
    fn of(m: &'a MixedModel) -> Result<Self, Failure> {
        let out = Output {
            reml: m.estimation == Estimation::Reml,
            n_obs: m.n_obs,
            n_groups: BTreeMap::from([(m.group.as_str(), m.n_groups)]),
            fixed: m
                .fixed
                .iter()
                .map(|f| Fixed {
                    term: &f.term,
                    estimate: f.estimate,
                    se: f.se,
                    t: f.t,
                    df: f.df,
                    p: f.p,
                })
                .collect(),
            varcor: m
                .varcor
                .iter()
                .map(|v| VarCor {
                    group: &v.group,
                    var1: v.var1.as_deref(),
                    var2: v.var2.as_deref(),
                    vcov: v.vcov,
                    sdcor: v.sdcor,
                })
                .collect(),
            reml_criterion: m.reml_criterion,
            loglik: m.loglik,
            aic: m.aic,
            bic: m.bic,
            deviance: m.deviance,
            icc: m.icc,
            ranef: m
                .ranef
                .iter()
                .map(|g| Ranef {
                    level: &g.level,
                    values: &g.values,
                    cond_sd: &g.cond_sd,
                })
                .collect(),
            convergence: Convergence {
                iterations: m.convergence.iterations,
                gradient: m.convergence.gradient,
                scaled_gradient: Some(m.convergence.scaled_gradient).filter(|v| v.is_finite()),
                converged: m.convergence.converged,
                theta: &m.convergence.theta,
                singular: m.convergence.singular,
                boundary: m.convergence.boundary.as_deref(),
            },
        };
        let numbers = out
            .fixed
            .iter()
            .flat_map(|f| [f.estimate, f.se, f.t])
            .chain(out.varcor.iter().flat_map(|v| [v.vcov, v.sdcor]))
            .chain(
                out.ranef
                    .iter()
                    .flat_map(|g| g.values.values().chain(g.cond_sd.values()).copied()),
            )
            .chain(
                [
                    out.reml_criterion,
                    out.loglik,
                    out.aic,
                    out.bic,
                    out.deviance,
                    out.icc,
                ]
                .into_iter()
                .flatten(),
            );
        if numbers.into_iter().any(|v| !v.is_finite()) {
            return Err(Failure::run(
                "the values are too large for a mixed model in double precision",
            ));
        }
        Ok(out)
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let table = read(&opts)?;
    // A random slope comes with its fixed effect, as lme4's `y ~ x + (1 + x | group)` (and as
    // `alliance plot caterpillar --slope`).
    let fixed = opts.fixed.iter().cloned().chain(
        opts.slope
            .iter()
            .filter(|s| !opts.fixed.contains(s))
            .cloned(),
    );
    let model = MixedOptions::new()
        .fixed(fixed)
        .split(opts.split.iter().cloned())
        .estimation(opts.estimation);
    let model = match &opts.slope {
        Some(s) => model.slope(s.clone()),
        None => model,
    };
    let model = model.analyze(&table)?;
    let mut text = serde_json::to_string_pretty(&Output::of(&model)?)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
