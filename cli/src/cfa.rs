//! `alliance cfa`: a confirmatory factor analysis of columns of a wide CSV file, as lavaan's
//! `cfa()` fits it by default.

use therapeutic_alliance::catalog;
use therapeutic_alliance::structure::{
    CfaFit, CfaOptions, CfaWarning, FactorCovariances, Identification, Model, Observations,
};

use crate::Failure;
use crate::args::{CsvArg, NaArg};
use crate::output;
use crate::table::{self, location};

/// A confirmatory factor model fitted as R's lavaan cfa() fits it.
///
/// Maximum likelihood on the covariance matrix (divisor N) of the rows complete on the model's
/// columns (listwise deletion), as lavaan's cfa() does by default: lavaan's fit measures and
/// every row of its parameterEstimates(). The model is written in lavaan's syntax (factor =~
/// item + item; a ~~ b; 1*item fixes a loading, NA*item frees one; # comments; statements on
/// lines or separated by ;), or is an instrument's own subscales (--instrument, items named as
/// its columns).
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    /// The model in lavaan's syntax, e.g. 'goals =~ g1 + g2 + g3; bond =~ b1 + b2 + b3'
    #[arg(
        long,
        value_name = "SYNTAX",
        required_unless_present = "instrument",
        conflicts_with = "instrument",
        allow_hyphen_values = true
    )]
    model: Option<String>,
    /// The model of a catalog instrument's subscales (one factor per subscale), e.g. wai-sr;
    /// its items are the CSV columns named by their ids
    #[arg(long, value_name = "ID")]
    instrument: Option<String>,
    /// Identify each factor by fixing its variance to 1 (lavaan's std.lv = TRUE) instead of its
    /// first loading
    #[arg(long)]
    std_lv: bool,
    /// Uncorrelated factors (lavaan's orthogonal = TRUE), as in a bifactor model
    #[arg(long)]
    orthogonal: bool,
    #[command(flatten)]
    na: NaArg,
    /// Print the seconds spent fitting (not reading) to stderr
    #[arg(long)]
    timing: bool,
}

const AFTER_HELP: &str = "\
Prints one JSON object: fit {chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper,
srmr, loglik, aic, bic, npar, n} and parameters, every row of lavaan's parameterEstimates() in
its order and names (fixed ones too, with se 0): [{lhs, op, rhs, est, se, std_all}]. A negative
variance estimate (a Heywood case) is reported on stderr as a warning.

  alliance cfa --csv wai.csv --model 'bond =~ 3 + 5 + 7 + 9; work =~ 1 + 2 + 4 + 6 + 8 + 10 + 11 + 12'
  alliance cfa --csv wai.csv --instrument wai-sr --std-lv

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// Reads the model's columns of every row.
fn read(path: &str, names: &[String], na: Option<&str>) -> Result<Observations, Failure> {
    let mut reader = table::open(path)?;
    let header = reader.header().to_vec();
    let header_names = table::names(&header);
    let columns = names
        .iter()
        .map(|n| table::column(&header_names, n, "the model"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut data = Observations::new(names.iter().cloned()).map_err(Failure::from)?;
    let mut row = vec![None; names.len()];
    while let Some(record) = table::next_row(&mut reader, path)? {
        let line = record.line();
        for ((value, &at), name) in row.iter_mut().zip(&columns).zip(names) {
            let text = table::cell(&record, at, None)?;
            *value = table::number(text, na, || location(Some(line), None, Some(name)))?;
        }
        data.push_row(&row).map_err(Failure::from)?;
    }
    Ok(data)
}

/// `alliance cfa`'s output.
#[derive(serde::Serialize)]
struct Output<'a> {
    fit: Fit,
    parameters: Vec<Row<'a>>,
}

#[derive(serde::Serialize)]
struct Fit {
    chisq: f64,
    df: u64,
    pvalue: Option<f64>,
    cfi: f64,
    tli: f64,
    rmsea: f64,
    rmsea_ci_lower: f64,
    rmsea_ci_upper: f64,
    srmr: f64,
    loglik: f64,
    aic: f64,
    bic: f64,
    npar: usize,
    n: u64,
}

#[derive(serde::Serialize)]
struct Row<'a> {
    lhs: &'a str,
    op: &'static str,
    rhs: &'a str,
    est: f64,
    se: f64,
    std_all: Option<f64>,
}

impl<'a> Output<'a> {
    fn of(fit: &'a CfaFit) -> Self {
        let f = &fit.fit;
        Output {
            fit: Fit {
                chisq: f.chisq,
                df: f.df,
                pvalue: f.pvalue,
                cfi: f.cfi,
                tli: f.tli,
                rmsea: f.rmsea,
                rmsea_ci_lower: f.rmsea_ci.lower,
                rmsea_ci_upper: f.rmsea_ci.upper,
                srmr: f.srmr,
                loglik: f.loglik,
                aic: f.aic,
                bic: f.bic,
                npar: f.npar,
                n: f.n,
            },
            parameters: fit
                .parameters
                .iter()
                .map(|p| Row {
                    lhs: &p.lhs,
                    op: p.op.as_str(),
                    rhs: &p.rhs,
                    est: p.est,
                    se: p.se,
                    // NaN (a negative factor variance has no standard deviation) is null.
                    std_all: Some(p.std_all).filter(|v| v.is_finite()),
                })
                .collect(),
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let na = args.na.token()?;
    let model = match (&args.model, &args.instrument) {
        (Some(syntax), _) => {
            Model::parse(syntax).map_err(|e| Failure::usage(format!("--model: {e}")))?
        }
        (None, Some(id)) => {
            let instrument = catalog::require(id.trim()).map_err(Failure::from)?;
            Model::of_instrument(&instrument).map_err(Failure::from)?
        }
        (None, None) => return Err(Failure::usage("give --model or --instrument")),
    };
    let data = read(&args.csv.csv, model.observed(), na.as_deref())?;
    let options = CfaOptions::default()
        .identification(if args.std_lv {
            Identification::StdLv
        } else {
            Identification::Marker
        })
        .covariances(if args.orthogonal {
            FactorCovariances::Orthogonal
        } else {
            FactorCovariances::Free
        });
    let started = std::time::Instant::now();
    let fit = options.analyze(&model, &data).map_err(Failure::from)?;
    if args.timing {
        output::error_line(&format!(
            "alliance: computed in {:.4} s",
            started.elapsed().as_secs_f64()
        ));
    }
    for w in &fit.warnings {
        let text = match w {
            CfaWarning::NegativeResidualVariance { variable, estimate } => format!(
                "the residual variance of {} is negative ({estimate}): a Heywood case",
                output::shown(variable)
            ),
            CfaWarning::NegativeFactorVariance { factor, estimate } => format!(
                "the variance of factor {} is negative ({estimate})",
                output::shown(factor)
            ),
            CfaWarning::FactorCovarianceNotPositiveDefinite => {
                "the factors' covariance matrix is not positive definite".to_owned()
            }
            _ => "the fit has a problem lavaan would warn about".to_owned(),
        };
        output::error_line(&format!("alliance: warning: {text}"));
    }
    let mut text = serde_json::to_string_pretty(&Output::of(&fit))
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
