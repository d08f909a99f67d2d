//! `alliance monitor`: one client's sessions, in order, through the library's session monitor:
//! thresholds crossed, reliable and point worsening, ruptures opened and repaired, one component
//! falling while the others hold.

use therapeutic_alliance::change::{
    MonitorOptions, MonitoredSession, RuptureOptions, SessionMonitor,
};

use crate::Failure;
use crate::args::{self, Arg, Parser, set_once, unexpected};
use crate::output;
use crate::table;

pub const USAGE: &str = r#"usage: alliance monitor --instrument ID --csv FILE [options]

Watches one client's sessions, in order, as clinical software would after each session, and
prints what it notices. Reads a wide CSV file: a header line, then one row per session with a
session column (the session number, a whole number), optionally a date column (YYYY-MM-DD) and a
client column, and one column per item, named by item id (as `alliance score` reads them). An
empty cell is an unanswered item (or no date, no client). Spaces around cells, quoted fields,
CRLF line endings and blank lines are all fine.

  --instrument ID         an instrument of the catalog (`alliance instruments` lists them)
  --csv FILE              the sessions, in order: session numbers strictly increasing, dates
                          never going back, one client
  --drop-points P         flag a worsening of the total of at least P points since the previous
                          scored session. For the SRS the default is 1 (the SRS convention: talk
                          about any drop of a point); for other instruments there is no default.
                          none turns it off
  --reliable-points P     flag a worsening of at least P points as reliable (default: the
                          instrument's own reliable-change amount, if it states one)
  --rupture RULE          how deep a dip of the total must be to open a rupture: 1sd (default,
                          the client's own SD so far, once 3 sessions are scored), 2sd,
                          points:X (X points) or none. Ruptures and component falls are watched
                          on instruments where higher is better (the alliance), not on symptom
                          measures
  --window N              sessions after a rupture's onset within which a return to the
                          earlier level repairs it (default 3)
  --rupture-floor PCT     with 1sd or 2sd, a rupture is at least PCT percent of the total's
                          range deep (default 5: 2 points on the SRS), so a client whose scores
                          barely vary does not open one on a fraction of a point; none for no
                          floor. points:X is taken as it is
  --na TOKEN              cells equal to TOKEN (e.g. NA, as R writes) are unanswered too
  -h, --help              this text

Prints a JSON array with one object per session: {"session", "date", "events"}; each event is an
object tagged by "kind": threshold (with the flag), reliable_worsening and worsening (target,
metric, previous_session, previous, current, worsening, criterion), reliable_improvement (the
same with improvement), rupture_opened and
rupture_repaired (with the rupture), component_falling (component, previous_session, fall,
others, criterion).

An answer off the response scale or not a number, a session number that is missing or not a
whole number, a bad date, or a session out of order stops the run with one line on stderr naming
the row by its line number in the CSV file, the header being line 1, and the column:

  alliance: error: row 4, column "session": "3b" is not a session number (a whole number from 0
  to 4294967295)

Exit status: 0 success, 1 bad input, 2 bad command line.
"#;

/// The parsed command line of `alliance monitor`.
struct Options {
    instrument: String,
    csv: String,
    options: MonitorOptions,
    na: Option<String>,
}

/// A flag's value as a number of points above 0.
fn points(flag: &str, value: &str) -> Result<f64, Failure> {
    let v = args::number(flag, value)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(Failure::usage(format!(
            "{flag} {value}: must be a number of points above 0"
        )))
    }
}

/// `--rupture`: 1sd, 2sd, points:X or none.
fn rupture(value: &str) -> Result<Option<RuptureOptions>, Failure> {
    let v = value.trim().to_ascii_lowercase();
    match v.as_str() {
        "1sd" => Ok(Some(RuptureOptions::one_sd())),
        "2sd" => Ok(Some(RuptureOptions::two_sd())),
        "none" => Ok(None),
        _ => match v.strip_prefix("points:") {
            Some(x) => match x.trim().parse::<f64>() {
                Ok(p) if p.is_finite() && p > 0.0 => RuptureOptions::points(p)
                    .map(Some)
                    .map_err(|e| args::invalid("--rupture", value, &e)),
                _ => Err(Failure::usage(format!(
                    "--rupture {value}: points:X needs a number of points above 0"
                ))),
            },
            None => Err(Failure::usage(format!(
                "--rupture must be 1sd, 2sd, points:X or none, not {value:?}"
            ))),
        },
    }
}

impl Options {
    /// The options; `None` when help was asked for.
    fn parse(args: &[String]) -> Result<Option<Self>, Failure> {
        let (mut instrument, mut csv, mut drop, mut reliable, mut rule, mut window, mut na) =
            (None, None, None, None, None, None, None);
        let mut floor = None;
        let mut p = Parser::new(args);
        while let Some(arg) = p.next()? {
            let Arg::Flag(flag) = arg else {
                return Err(unexpected(arg));
            };
            match flag {
                "-h" | "--help" => return Ok(None),
                "--instrument" => set_once(&mut instrument, flag, p.value(flag)?)?,
                "--csv" => set_once(&mut csv, flag, p.value(flag)?)?,
                "--drop-points" => set_once(&mut drop, flag, p.value(flag)?)?,
                "--reliable-points" => set_once(&mut reliable, flag, p.value(flag)?)?,
                "--rupture" => set_once(&mut rule, flag, p.value(flag)?)?,
                "--window" => set_once(&mut window, flag, p.value(flag)?)?,
                "--rupture-floor" => set_once(&mut floor, flag, p.value(flag)?)?,
                "--na" => set_once(&mut na, flag, p.value(flag)?)?,
                _ => return Err(unexpected(arg)),
            }
        }
        let instrument = instrument
            .ok_or_else(|| Failure::usage("--instrument is required"))?
            .trim();
        let csv = csv.ok_or_else(|| Failure::usage("--csv is required"))?;
        let mut options = MonitorOptions::default();
        let drop = match drop.map(str::trim) {
            Some("none") => None,
            Some(text) => Some((points("--drop-points", text)?, text)),
            // The SRS convention: any drop of a point is worth a conversation.
            None if instrument == "srs" => Some((1.0, "1")),
            None => None,
        };
        if let Some((p, text)) = drop {
            options = options
                .drop_points(p)
                .map_err(|e| args::invalid("--drop-points", text, &e))?;
        }
        if let Some(text) = reliable {
            options = options
                .reliable_points(points("--reliable-points", text)?)
                .map_err(|e| args::invalid("--reliable-points", text, &e))?;
        }
        if let Some(text) = floor {
            let pomp = match text.trim() {
                "none" => None,
                t => Some(points("--rupture-floor", t)?),
            };
            options = options
                .rupture_floor(pomp)
                .map_err(|e| args::invalid("--rupture-floor", text, &e))?;
        }
        let mut rule = match rule {
            Some(text) => rupture(text)?,
            None => options.rupture_options().copied(),
        };
        if let Some(text) = window {
            let n: u32 = text.trim().parse().map_err(|_| {
                Failure::usage(format!(
                    "--window must be a whole number of sessions, not {text:?}"
                ))
            })?;
            rule = match rule {
                Some(r) => Some(
                    r.with_window(n)
                        .map_err(|e| args::invalid("--window", text, &e))?,
                ),
                None => {
                    return Err(Failure::usage(
                        "--window sets the repair window of a rupture rule, and --rupture is none",
                    ));
                }
            };
        }
        Ok(Some(Options {
            instrument: instrument.to_owned(),
            csv: csv.to_owned(),
            options: options.rupture(rule),
            na: args::na_token(na)?,
        }))
    }
}

pub fn run(args: &[String]) -> Result<(), Failure> {
    let Some(opts) = Options::parse(args)? else {
        return output::print(USAGE);
    };
    let inst = crate::instruments::require(&opts.instrument)?;
    let reader = table::sessions(&opts.csv, &inst, opts.na.as_deref())?;
    let mut monitor = SessionMonitor::new(&inst, opts.options.clone());
    let mut sessions = Vec::new();
    for row in reader {
        let row = table::session(row, &opts.csv)?;
        let (line, adm) = (row.line(), row.administration());
        let events = monitor.observe(adm).map_err(|e| {
            // The field the session order is about (`/session`, `/date`, `/client`) is a
            // column of the file.
            let column = e
                .path()
                .and_then(|p| p.strip_prefix('/'))
                .map(str::to_owned);
            let e = match column {
                Some(c) if c != "instrument" => e.at_row(line).at_column(c),
                _ => e.at_row(line),
            };
            Failure::Run(e.to_string())
        })?;
        sessions.push(MonitoredSession {
            session: adm.session().unwrap_or_default(),
            date: adm.date(),
            events,
        });
    }
    let mut text = serde_json::to_string_pretty(&sessions)
        .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
    text.push('\n');
    output::print(&text)
}
