//! `alliance plot`: one client's alliance session by session as an SVG chart, with the
//! instrument's thresholds, ruptures and repairs, and optionally an outcome measure below it
//! with its sudden gains. Needs the library's `plot` feature.

#[cfg(not(feature = "plot"))]
use crate::{Failure, output};

pub const USAGE: &str = r#"usage: alliance plot --instrument ID --csv FILE --out FILE.svg [options]

Draws one client's alliance session by session as an SVG picture: the total and each component
subscale (goals, collaboration, bond) as percent of maximum, the instrument's thresholds as
dashed lines, and ruptures (a shaded dip, a marker at the onset and at the repair). With an
outcome measure, a second panel below shows it on the same sessions, with sudden gains marked.

The CSV file has one row per session of one client: a `session` column (whole numbers, strictly
increasing), an optional `date` column (YYYY-MM-DD), and one column per item, named by item id.
An empty cell is an unanswered item; spaces around cells, quoted fields, CRLF line endings and
blank lines are all fine.

  --instrument ID            an instrument of the catalog (`alliance instruments` lists them)
  --csv FILE                 the sessions
  --out FILE                 where to write the SVG (`-` for stdout)
  --outcome-instrument ID    an outcome measure of the catalog (phq-9, gad-7, ors), drawn below;
  --outcome-csv FILE         its sessions, laid out as --csv. Give both or neither. Sudden gains
                             are marked when the measure states a reliable change (PHQ-9: 6
                             points, GAD-7: 4, ORS: 5)
  --metric sum|mean|pomp     the alliance scores drawn (default pomp, percent of maximum, so the
                             total and the subscales share one axis)
  --ruptures one-sd|two-sd|none
                             how ruptures are found (default one-sd: a drop of 1 SD of the
                             client's own scores, repaired within 3 sessions)
  --title TEXT               the title (default: the instrument's name and the client)
  --size WIDTHxHEIGHT        the picture's size in pixels (default 800x460, 800x760 with an
                             outcome panel; at least 400x300)
  -h, --help                 this text

The picture needs the library's `plot` feature: build the example with
`cargo run --example alliance --features plot -- plot ...`.

An error names the row by its line number in the CSV file, the header being line 1, and the
column:

  alliance: error: wai-sr sessions: row 4, column "3": item 3: value 7 is outside the response range 1 to 5

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

#[cfg(not(feature = "plot"))]
pub fn run(args: &[String]) -> Result<(), Failure> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return output::print(USAGE);
    }
    Err(Failure::run(
        "alliance plot needs the library's `plot` feature: rebuild with --features plot \
         (cargo run --example alliance --features plot -- plot ...)",
    ))
}

#[cfg(feature = "plot")]
pub use drawing::run;

#[cfg(feature = "plot")]
mod drawing {
    use therapeutic_alliance::change::{RuptureOptions, Series};
    use therapeutic_alliance::plot::{OutcomePanel, PlotOptions, PlotRuptures};
    use therapeutic_alliance::{Error, Instrument, Metric};

    use super::USAGE;
    use crate::Failure;
    use crate::args::{Arg, Parser, set_once, unexpected};
    use crate::output;
    use crate::table::{self, location};

    /// The parsed command line of `alliance plot`.
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
        /// The options; `None` when help was asked for.
        fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
            let (mut instrument, mut csv, mut out, mut outcome_instrument, mut outcome_csv) =
                (None, None, None, None, None);
            let (mut metric, mut ruptures, mut title, mut size) = (None, None, None, None);
            let mut p = Parser::new(args);
            while let Some(arg) = p.next()? {
                let Arg::Flag(flag) = arg else {
                    return Err(unexpected(arg));
                };
                match flag {
                    "-h" | "--help" => return Ok(None),
                    "--instrument" => set_once(&mut instrument, flag, p.value(flag)?)?,
                    "--csv" => set_once(&mut csv, flag, p.value(flag)?)?,
                    "--out" => set_once(&mut out, flag, p.value(flag)?)?,
                    "--outcome-instrument" => {
                        set_once(&mut outcome_instrument, flag, p.value(flag)?)?;
                    }
                    "--outcome-csv" => set_once(&mut outcome_csv, flag, p.value(flag)?)?,
                    "--metric" => set_once(&mut metric, flag, p.value(flag)?)?,
                    "--ruptures" => set_once(&mut ruptures, flag, p.value(flag)?)?,
                    "--title" => set_once(&mut title, flag, p.value(flag)?)?,
                    "--size" => set_once(&mut size, flag, p.value(flag)?)?,
                    _ => return Err(unexpected(arg)),
                }
            }
            let required = |v: Option<&str>, flag: &str| {
                v.map(str::to_owned)
                    .ok_or_else(|| Failure::usage(format!("{flag} is required")))
            };
            let outcome = match (outcome_instrument, outcome_csv) {
                (Some(i), Some(c)) => Some((i.to_owned(), c.to_owned())),
                (None, None) => None,
                _ => {
                    return Err(Failure::usage(
                        "give --outcome-instrument and --outcome-csv together",
                    ));
                }
            };
            let metric = match metric {
                None => Metric::Pomp,
                Some(m) => m
                    .parse::<Metric>()
                    .map_err(|e| Failure::usage(format!("--metric: {e}")))?,
            };
            let ruptures = match ruptures {
                None | Some("one-sd") => PlotRuptures::Detect(RuptureOptions::one_sd()),
                Some("two-sd") => PlotRuptures::Detect(RuptureOptions::two_sd()),
                Some("none") => PlotRuptures::None,
                Some(other) => {
                    return Err(Failure::usage(format!(
                        "--ruptures must be one-sd, two-sd or none, not {other:?}"
                    )));
                }
            };
            let size = match size {
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
            Ok(Some(Options {
                instrument: required(instrument, "--instrument")?,
                csv: required(csv, "--csv")?,
                out: required(out, "--out")?,
                outcome,
                metric,
                ruptures,
                title: title.map(str::to_owned),
                size,
            }))
        }
    }

    pub fn run(args: &[String]) -> Result<(), Failure> {
        let Some(opts) = Options::parse(args)? else {
            return output::print(USAGE);
        };
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
            Failure::Run(message) => Failure::run(format!("{} sessions: {message}", inst.id())),
            other => other,
        };
        let reader = table::sessions(path, inst, None).map_err(in_file)?;
        let mut series = Series::new(inst);
        for row in reader {
            let row = table::session(row, path).map_err(in_file)?;
            series
                .push(row.administration())
                .map_err(|e| in_file(Failure::run(located(&e, row.line(), None))))?;
        }
        Ok(series)
    }

    /// A library error as one line, after the row and column it was found at.
    fn located(e: &Error, line: u64, column: Option<&str>) -> String {
        format!("{}: {e}", location(Some(line), None, column))
    }
}
