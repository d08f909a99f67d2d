//! `alliance reliability`: Cronbach's alpha and everything psych's `alpha()` reports, with
//! split-half reliability and omega total, for items of a wide CSV file answered on one Likert
//! scale.

use std::time::Instant;

use therapeutic_alliance::csv::Layout;
use therapeutic_alliance::matrix::ResponseMatrix;
use therapeutic_alliance::reliability::{
    MissingData, Reliability, ReliabilityOptions, SplitHalfMethod,
};
use therapeutic_alliance::{Error, Instrument, Item, ResponseScale, TotalRule};

use clap::ValueEnum;

use crate::Failure;
use crate::args::{CsvArg, NaArg};
use crate::output;
use crate::table;

/// Alpha, split-half and omega of items in a wide CSV file, as R's psych reports them.
///
/// The reliability of a set of items, as R's psych package reports it: Cronbach's alpha with
/// everything psych::alpha() gives, split-half reliability (psych::splitHalf) and McDonald's omega
/// total (psych::omega with one factor). Reads a wide CSV file: a header line naming the columns,
/// then one row per respondent. An empty cell is an unanswered item; columns not named in --items
/// are ignored.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    csv: CsvArg,
    /// Comma-separated item columns, at least two (e.g. A1-,A2,A3,A4,A5); a trailing or leading -
    /// marks a reversed item (A1- or -A1, as psych writes them), keyed min + max - answer
    #[arg(long, value_name = "ITEMS", allow_hyphen_values = true)]
    items: String,
    /// The integer lower bound of the Likert response scale (e.g. 1); an answer outside the
    /// bounds is an error. Without it, the smallest answer in the data, with a warning
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    min: Option<String>,
    /// The integer upper bound of the Likert response scale (e.g. 6). Without it, the largest
    /// answer in the data, with a warning: reversed items are keyed on these bounds, so give them
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    max: Option<String>,
    /// pairwise (default, psych's use = "pairwise"): each covariance over the rows answering both
    /// items; listwise: only rows answering every item
    #[arg(long, value_enum, default_value_t = Missing::Pairwise)]
    missing: Missing,
    /// all (default): every split of the items into two halves (a random 10,000 above 16 items);
    /// psych: psych 2.2.9's enumeration, which for an odd number of items evaluates only half of
    /// the splits
    #[arg(long, value_enum, default_value_t = SplitMethod::All)]
    split_half: SplitMethod,
    #[command(flatten)]
    na: NaArg,
    /// Print the seconds spent computing (not reading) to stderr, and the seconds of a plain pass
    /// summing the same cells (the memory floor)
    #[arg(long)]
    timing: bool,
    #[command(flatten)]
    bootstrap: BootstrapArgs,
}

/// `--bootstrap N --seed S`: bootstrap intervals of raw alpha and omega total.
#[derive(clap::Args)]
struct BootstrapArgs {
    /// Add 95% bootstrap intervals (percentile and BCa) of raw_alpha and omega_total from N
    /// resamples of the rows (999 or more is usual), under "bootstrap" in the output
    #[arg(long, value_name = "N")]
    bootstrap: Option<u32>,
    /// The seed of the resamples (the same seed, the same intervals, on any number of cores)
    #[arg(long, value_name = "S", default_value_t = 1, requires = "bootstrap")]
    seed: u64,
}

/// The `bootstrap` member of the output.
#[derive(serde::Serialize)]
struct BootstrapOutput {
    resamples: u32,
    seed: u64,
    level: f64,
    raw_alpha: BootstrapCi,
    omega_total: Option<BootstrapCi>,
}

/// One statistic's bootstrap intervals.
#[derive(serde::Serialize)]
struct BootstrapCi {
    estimate: f64,
    se: f64,
    percentile: [f64; 2],
    bca: Option<[f64; 2]>,
    failed: u32,
}

impl BootstrapCi {
    fn of(b: &therapeutic_alliance::bootstrap::BootstrapInterval) -> Self {
        BootstrapCi {
            estimate: b.estimate,
            se: b.se,
            percentile: [b.percentile.lower, b.percentile.upper],
            bca: b.bca.map(|i| [i.lower, i.upper]),
            failed: b.failed,
        }
    }
}

/// The intervals of `--bootstrap`, if asked for.
fn bootstrap(
    args: &BootstrapArgs,
    matrix: &ResponseMatrix,
    missing: MissingData,
) -> Result<Option<BootstrapOutput>, Failure> {
    let Some(resamples) = args.bootstrap else {
        return Ok(None);
    };
    let options = therapeutic_alliance::bootstrap::BootstrapOptions::new(resamples, args.seed)
        .map_err(|e| Failure::usage(format!("--bootstrap: {e}")))?;
    let ci = options.analyze_reliability(matrix, missing)?;
    Ok(Some(BootstrapOutput {
        resamples,
        seed: args.seed,
        level: ci.raw_alpha.level,
        raw_alpha: BootstrapCi::of(&ci.raw_alpha),
        omega_total: ci.omega_total.as_ref().map(BootstrapCi::of),
    }))
}

const AFTER_HELP: &str = "\
Prints one JSON object: n_rows (every row, psych's N), n_complete (rows answering every item),
missing, raw_alpha, std_alpha, g6_smc, average_r, median_r, signal_noise, ase, mean and sd (of
the person scores), feldt_ci ([lower, upper], 95%), lambda2, lambda6, split_half ({max, min,
mean, splits}), omega_total (null below three items) and items: per item its column name,
reversed, n, raw_r, std_r, r_cor, r_drop, mean and sd (keyed, as psych reports them) and
alpha_if_dropped. With --bootstrap N: bootstrap {resamples, seed, level, raw_alpha,
omega_total}, each {estimate, se, percentile, bca ([lower, upper], 95%; bca null when undefined),
failed}.

An answer that is off the scale or not a number, or a row with another number of fields than
the header, stops the run with one line on stderr naming the row by its line number in the CSV
file, the header being line 1, and the column:

  alliance: error: row 7, column \"A2\": item A2: value 9 is outside the response range 1 to 6

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// `--missing`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Missing {
    Pairwise,
    Listwise,
}

/// `--split-half`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SplitMethod {
    All,
    Psych,
}

/// One item of `--items`.
struct ItemSpec {
    /// Its column, and its id in the instrument.
    id: String,
    reversed: bool,
}

/// The checked command line of `alliance reliability`.
struct Options {
    csv: String,
    items: Vec<ItemSpec>,
    min: Option<i32>,
    max: Option<i32>,
    missing: MissingData,
    split_half: SplitHalfMethod,
    na: Option<String>,
    timing: bool,
}

impl Options {
    fn new(args: Args) -> Result<Self, Failure> {
        let items = item_specs(&args.items)?;
        let min = args.min.as_deref().map(|v| bound("--min", v)).transpose()?;
        let max = args.max.as_deref().map(|v| bound("--max", v)).transpose()?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo >= hi {
                return Err(Failure::usage(format!(
                    "--min {lo} must be below --max {hi}"
                )));
            }
            ResponseScale::likert(lo, hi, [])
                .map_err(|e| Failure::usage(format!("--min {lo} --max {hi}: {e}")))?;
        }
        // The item ids are checked now (on a stand-in scale), so that a bad name is a usage
        // error before the file is read.
        instrument(&items, 0, 1).map_err(|e| Failure::usage(format!("--items: {e}")))?;
        Ok(Options {
            csv: args.csv.csv,
            items,
            min,
            max,
            missing: match args.missing {
                Missing::Pairwise => MissingData::Pairwise,
                Missing::Listwise => MissingData::Listwise,
            },
            split_half: match args.split_half {
                SplitMethod::All => SplitHalfMethod::AllSplits,
                SplitMethod::Psych => SplitHalfMethod::Psych,
            },
            na: args.na.token()?,
            timing: args.timing,
        })
    }
}

/// The items of `--items`: comma-separated column names, each once, a trailing `-` (psych's
/// output names) or a leading `-` (psych's keys) marking a reversed item; at least two.
fn item_specs(list: &str) -> Result<Vec<ItemSpec>, Failure> {
    let mut items: Vec<ItemSpec> = Vec::new();
    for name in list.split(',').map(str::trim) {
        let (id, reversed) = match (name.strip_prefix('-'), name.strip_suffix('-')) {
            (Some(id), _) => (id.trim_start(), true),
            (None, Some(id)) => (id.trim_end(), true),
            (None, None) => (name, false),
        };
        if id.is_empty() {
            return Err(Failure::usage(format!(
                "--items {list:?} has an empty column name"
            )));
        }
        if items.iter().any(|i| i.id == id) {
            return Err(Failure::usage(format!("--items names {id:?} twice")));
        }
        items.push(ItemSpec {
            id: id.to_owned(),
            reversed,
        });
    }
    if items.len() < 2 {
        return Err(Failure::usage(
            "--items needs at least two items: reliability is about how items agree",
        ));
    }
    Ok(items)
}

/// An integer bound of the scale.
fn bound(flag: &str, value: &str) -> Result<i32, Failure> {
    value.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "{flag} must be an integer (a Likert scale's bound), not {value:?}"
        ))
    })
}

/// The instrument the items make: a Likert scale from `min` to `max`, every item in the total.
fn instrument(items: &[ItemSpec], min: i32, max: i32) -> Result<Instrument, Error> {
    let scale = ResponseScale::likert(min, max, [])?;
    Instrument::builder("csv-items", "items of a CSV file", scale)
        .items(items.iter().map(|spec| {
            let item = Item::new(spec.id.clone());
            if spec.reversed { item.reversed() } else { item }
        }))
        .total(TotalRule::OverItems)
        .build()
}

/// A library error about one answer, located at its row and column (the item's own column:
/// items are named after their columns).
fn located(e: Error, line: u64) -> Failure {
    let column = e.item().map(str::to_owned);
    let e = e.at_row(line);
    let e = match column {
        Some(c) => e.at_column(c),
        None => e,
    };
    Failure::from(e)
}

/// Rows kept, with the line each came from, until the data have given the bounds (with --min
/// and --max the library reads the matrix straight from the file).
enum Rows {
    Kept {
        values: Vec<Option<f64>>,
        lines: Vec<u64>,
    },
}

impl Rows {
    fn push(&mut self, row: &[Option<f64>], line: u64) -> Result<(), Failure> {
        match self {
            Rows::Kept { values, lines } => {
                values.extend_from_slice(row);
                lines.push(line);
                Ok(())
            }
        }
    }

    /// The matrix of every row read: for kept rows, the bounds not given are taken from the
    /// data (with a warning) and the rows validated on that scale.
    fn finish(self, opts: &Options) -> Result<ResponseMatrix, Failure> {
        let (values, lines) = match self {
            Rows::Kept { values, lines } => (values, lines),
        };
        let (min, max) = data_bounds(&values, opts)?;
        let inst = instrument(&opts.items, min, max).map_err(|e| {
            Failure::worded(format!(
                "the answers cannot make a response scale from {min} to {max}: {e}; give --min and --max"
            ), e)
        })?;
        let mut m = ResponseMatrix::new(&inst);
        for (row, &line) in values.chunks(opts.items.len().max(1)).zip(&lines) {
            m.push_values(row).map_err(|e| located(e, line))?;
        }
        Ok(m)
    }
}

/// The bounds of the scale: as given, or the smallest (rounded down) and largest (rounded up)
/// finite answers, with a warning for each taken from the data.
fn data_bounds(values: &[Option<f64>], opts: &Options) -> Result<(i32, i32), Failure> {
    let finite = values.iter().flatten().filter(|v| v.is_finite());
    let seen = finite.fold(None, |acc: Option<(f64, f64)>, &v| {
        Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
    });
    let Some((lo, hi)) = seen else {
        return Err(Failure::run(
            "no answers in the item columns to take the scale's bounds from; give --min and --max",
        ));
    };
    let from_data = |flag: &str, v: f64, which: &str| -> Result<i32, Failure> {
        // In range, so the conversion is exact (the value is already whole).
        if v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX) {
            let b = v as i32;
            output::error_line(&format!(
                "alliance: warning: no {flag} given: using {b}, the {which} answer in the data"
            ));
            Ok(b)
        } else {
            Err(Failure::run(format!(
                "the {which} answer, {v}, is no Likert scale bound; give {flag}"
            )))
        }
    };
    let min = match opts.min {
        Some(m) => m,
        None => from_data("--min", lo.floor(), "smallest")?,
    };
    let max = match opts.max {
        Some(m) => m,
        None => from_data("--max", hi.ceil(), "largest")?,
    };
    if min >= max {
        return Err(Failure::run(format!(
            "the scale from the data would run from {min} to {max}; give --min and --max"
        )));
    }
    Ok((min, max))
}

/// One answer cell: `None` if empty or the `--na` token, otherwise a number (checked against
/// the scale when the row is pushed); text that is not a number is refused as the library words
/// it (`row 3, column "4": item 4: "often" is not a number`).
fn answer(text: &str, na: Option<&str>, item: &str, line: u64) -> Result<Option<f64>, Failure> {
    if text.is_empty() || na == Some(text) {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| {
        Failure::run(format!(
            "{}: item {item}: {text:?} is not a number",
            table::location(Some(line), None, Some(item))
        ))
    })
}

/// Reads the item columns of every row.
fn read(opts: &Options) -> Result<ResponseMatrix, Failure> {
    let mut reader = table::open(&opts.csv)?;
    let header = reader.header().to_vec();
    let names = table::names(&header);
    let columns = opts
        .items
        .iter()
        .map(|spec| table::position(&names, &spec.id, "--items"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut rows = match (opts.min, opts.max) {
        (Some(min), Some(max)) => {
            // The header is checked above, in this command's words; the library's reader fills
            // the matrix straight from the file's bytes, on every core.
            drop(reader);
            let inst = instrument(&opts.items, min, max).map_err(Failure::from)?;
            let mut layout = Layout::wide().no_id().ignore_other_columns(true);
            if let Some(na) = &opts.na {
                layout = layout.missing(na.as_str());
            }
            let file = std::fs::File::open(&opts.csv)
                .map_err(|e| Failure::run(format!("cannot read {}: {e}", opts.csv)))?;
            return layout
                .read_matrix(file, &inst)
                .map_err(|e| table::failed(&opts.csv, &e));
        }
        _ => Rows::Kept {
            values: Vec::new(),
            lines: Vec::new(),
        },
    };
    let mut row = vec![None; opts.items.len()];
    while let Some(record) = table::next_row(&mut reader, &opts.csv)? {
        let line = record.line();
        for ((value, &at), spec) in row.iter_mut().zip(&columns).zip(&opts.items) {
            let text = table::cell(&record, at, None)?;
            *value = answer(text, opts.na.as_deref(), &spec.id, line)?;
        }
        rows.push(&row, line)?;
    }
    rows.finish(opts)
}

/// `alliance reliability`'s output.
#[derive(serde::Serialize)]
struct Output<'a> {
    n_rows: u64,
    n_complete: u64,
    missing: MissingData,
    raw_alpha: f64,
    std_alpha: f64,
    g6_smc: f64,
    average_r: f64,
    median_r: f64,
    signal_noise: f64,
    ase: f64,
    mean: f64,
    sd: f64,
    feldt_ci: [f64; 2],
    lambda2: Option<f64>,
    lambda6: Option<f64>,
    split_half: Option<Split>,
    omega_total: Option<f64>,
    items: Vec<ItemRow<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<BootstrapOutput>,
}

#[derive(serde::Serialize)]
struct Split {
    max: f64,
    min: f64,
    mean: f64,
    splits: u64,
}

/// One item's statistics (psych's `item.stats`) and alpha without it (`alpha.drop`).
#[derive(serde::Serialize)]
struct ItemRow<'a> {
    item: &'a str,
    reversed: bool,
    n: u64,
    raw_r: f64,
    std_r: f64,
    r_cor: f64,
    r_drop: f64,
    mean: f64,
    sd: f64,
    alpha_if_dropped: f64,
}

impl<'a> Output<'a> {
    fn of(rel: &'a Reliability) -> Self {
        let items = rel
            .items
            .iter()
            .zip(&rel.reversed)
            .zip(rel.item_stats.iter().zip(&rel.if_dropped))
            .map(|((item, &reversed), (stats, dropped))| ItemRow {
                item,
                reversed,
                n: stats.n,
                raw_r: stats.raw_r,
                std_r: stats.std_r,
                r_cor: stats.r_cor,
                r_drop: stats.r_drop,
                mean: stats.mean,
                sd: stats.sd,
                alpha_if_dropped: dropped.raw_alpha,
            })
            .collect();
        let split = rel.split_half.as_ref();
        Output {
            n_rows: rel.n_rows,
            n_complete: rel.n_complete,
            missing: rel.missing,
            raw_alpha: rel.raw_alpha,
            std_alpha: rel.std_alpha,
            g6_smc: rel.g6_smc,
            average_r: rel.average_r,
            median_r: rel.median_r,
            signal_noise: rel.signal_noise,
            ase: rel.ase,
            mean: rel.mean,
            sd: rel.sd,
            feldt_ci: [rel.feldt.lower, rel.feldt.upper],
            lambda2: split.map(|s| s.lambda2),
            lambda6: split.map(|s| s.lambda6),
            split_half: split.map(|s| Split {
                max: s.max,
                min: s.min,
                mean: s.mean,
                splits: s.splits,
            }),
            omega_total: rel.omega.as_ref().map(|o| o.total),
            items,
            bootstrap: None,
        }
    }
}

pub fn run(mut args: Args) -> Result<(), Failure> {
    let boot_args = std::mem::replace(
        &mut args.bootstrap,
        BootstrapArgs {
            bootstrap: None,
            seed: 1,
        },
    );
    let opts = Options::new(args)?;
    let matrix = read(&opts)?;
    let started = Instant::now();
    let options = ReliabilityOptions::default()
        .missing(opts.missing)
        .split_half(opts.split_half);
    // On every core (the command turns on the library's `parallel` feature): the same bits.
    let moments = matrix.moments_parallel();
    let pass = started.elapsed();
    let rel = options.analyze(&moments, "total")?;
    let elapsed = started.elapsed();
    if opts.timing {
        output::error_line(&format!(
            "alliance: computed in {:.4} s",
            elapsed.as_secs_f64()
        ));
        // The memory-speed floor: one plain pass summing the same cells, one byte each.
        let columns: Vec<Vec<u8>> = (0..matrix.items())
            .map(|i| {
                (0..matrix.rows())
                    .map(|r| matrix.value(r, i).map_or(0, |v| v as u8))
                    .collect()
            })
            .collect();
        let floor_started = Instant::now();
        let total: u64 = std::hint::black_box(&columns)
            .iter()
            .map(|c| c.iter().map(|&x| u64::from(x)).sum::<u64>())
            .sum();
        let floor = floor_started.elapsed();
        std::hint::black_box(total);
        output::error_line(&format!(
            "alliance: a plain pass summing the same {} cells took {:.4} s ({:.1} times faster)",
            matrix.rows() * matrix.items(),
            floor.as_secs_f64(),
            elapsed.as_secs_f64() / floor.as_secs_f64().max(1e-9)
        ));
        output::error_line(&format!(
            "alliance: of which the kernel (one pass over the rows: the moments) {:.4} s, \
             the statistics from the moments {:.4} s",
            pass.as_secs_f64(),
            (elapsed - pass).as_secs_f64()
        ));
    }
    let mut out = Output::of(&rel);
    out.bootstrap = bootstrap(&boot_args, &matrix, opts.missing)?;
    let mut text = serde_json::to_string_pretty(&out)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
