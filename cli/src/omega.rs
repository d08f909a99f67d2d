//! `alliance omega`: omega hierarchical of item columns of a wide CSV file, as
//! `psych::omega(x, nfactors = k)` computes it.

use therapeutic_alliance::structure::{Observations, OmegaHierarchical, OmegaOptions};

use crate::Failure;
use crate::args::{CsvArg, NaArg};
use crate::output;
use crate::table::{self, location};

/// Omega hierarchical, omega total and alpha of items, as R's psych::omega() computes them.
///
/// How much of a total score is one thing: minres factoring of the items' pairwise
/// correlations into K group factors, the oblimin rotation (GPArotation), a general factor
/// from the group factors' correlations and the Schmid-Leiman transformation, as
/// psych::omega(x, nfactors = K) does. An empty cell is unanswered; items whose general loading
/// is negative are reversed, as psych does.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    /// Comma-separated item columns, at least 2K + 1 (e.g. A1,A2,A3,A4,A5,C1,...)
    #[arg(long, value_name = "COLS")]
    items: String,
    /// The number of group factors K (psych's nfactors), at least 2
    #[arg(long, value_name = "K", default_value_t = 3)]
    factors: usize,
    #[command(flatten)]
    na: NaArg,
    /// Print the seconds spent computing (not reading) to stderr
    #[arg(long)]
    timing: bool,
}

const AFTER_HELP: &str = "\
Prints one JSON object: omega_h, omega_total, alpha and groups, psych's omega.group: for the
general factor g and each group factor F1*, F2*, ... its total, general and group shares (null
for a group factor that is no item's strongest).

Exit status: 0 success, 1 bad input, 2 bad command line.";

#[derive(serde::Serialize)]
struct Output<'a> {
    omega_h: f64,
    omega_total: f64,
    alpha: f64,
    groups: Vec<Group<'a>>,
}

#[derive(serde::Serialize)]
struct Group<'a> {
    name: &'a str,
    total: Option<f64>,
    general: Option<f64>,
    group: Option<f64>,
}

impl<'a> Output<'a> {
    fn of(o: &'a OmegaHierarchical) -> Self {
        Output {
            omega_h: o.omega_h,
            omega_total: o.omega_total,
            alpha: o.alpha,
            groups: o
                .groups
                .iter()
                .map(|g| Group {
                    name: &g.name,
                    total: g.total,
                    general: g.general,
                    group: g.group,
                })
                .collect(),
        }
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let na = args.na.token()?;
    let mut items: Vec<String> = Vec::new();
    for name in args.items.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Failure::usage("--items has an empty column name"));
        }
        if items.iter().any(|i| i == name) {
            return Err(Failure::usage(format!("--items names {name:?} twice")));
        }
        items.push(name.to_owned());
    }
    let options =
        OmegaOptions::new(args.factors).map_err(|e| Failure::usage(format!("--factors: {e}")))?;
    let mut reader = table::open(&args.csv.csv)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let columns = items
        .iter()
        .map(|n| table::position(&names, n, "--items"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut data = Observations::new(items.iter().cloned()).map_err(Failure::from)?;
    let mut row = vec![None; items.len()];
    while let Some(record) = table::next_row(&mut reader, &args.csv.csv)? {
        let line = record.line();
        for ((value, &at), name) in row.iter_mut().zip(&columns).zip(&items) {
            let text = table::cell(&record, at, None)?;
            *value = table::number(text, na.as_deref(), || {
                location(Some(line), None, Some(name))
            })?;
        }
        data.push_row(&row).map_err(Failure::from)?;
    }
    let started = std::time::Instant::now();
    let omega = options.analyze(&data).map_err(Failure::from)?;
    if args.timing {
        output::error_line(&format!(
            "alliance: computed in {:.4} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let mut text = serde_json::to_string_pretty(&Output::of(&omega))
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
