//! `alliance monitor`: one client's sessions, in order, through the library's session monitor:
//! events in words (thresholds entered, persisting and left, worsening and improvement,
//! ruptures opened and repaired, one component falling while the others hold), each with a
//! severity, a practice and a prompt, and one summary line per session; with `--state FILE`
//! resumable and idempotent.

use std::io::Write as _;
use std::path::Path;

use therapeutic_alliance::change::{
    Messages, MonitorOptions, MonitorState, RuptureOptions, SessionMonitor, SessionStatus,
};

use crate::Failure;
use crate::args::{self, CsvArg, NaArg};
use crate::output;
use crate::table;

/// One client's sessions in order: thresholds, worsening, ruptures and repairs.
///
/// Watches one client's sessions, in order, as clinical software would after each session, and
/// prints what it notices. Reads a wide CSV file: a header line, then one row per session with a
/// session column (the session number, a whole number), optionally a date column (YYYY-MM-DD) and
/// a client column, and one column per item, named by item id (as `alliance score` reads them).
/// An empty cell is an unanswered item (or no date, no client).
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// An instrument of the catalog (`alliance instruments` lists them)
    #[arg(long, value_name = "ID")]
    instrument: String,
    #[command(flatten)]
    csv: CsvArg,
    /// Flag a worsening of the total of at least P points since the previous scored session. For
    /// the SRS the default is 1 (the SRS convention: talk about any drop of a point); for other
    /// instruments there is no default. none turns it off
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    drop_points: Option<String>,
    /// Flag a worsening of at least P points as reliable (default: the instrument's own
    /// reliable-change amount, if it states one)
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    reliable_points: Option<String>,
    /// How deep a dip of the total must be to open a rupture: 1sd (default, the client's own SD so
    /// far, once 3 sessions are scored), 2sd, points:X (X points) or none. Ruptures and component
    /// falls are watched on instruments where higher is better (the alliance), not on symptom
    /// measures
    #[arg(long, value_name = "RULE")]
    rupture: Option<String>,
    /// Sessions after a rupture's onset within which a return to the earlier level repairs it
    /// (default 3)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    window: Option<String>,
    /// With 1sd or 2sd, a rupture is at least PCT percent of the total's range deep (default 5: 2
    /// points on the SRS); none for no floor. points:X is taken as it is
    #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
    rupture_floor: Option<String>,
    /// Keep the monitor's state in FILE (JSON): read it if the file exists, skip the sessions it
    /// has seen (the same answers; other answers are an error), observe the new ones, print only
    /// them, and write the state back (to a temporary file renamed over FILE). The options of a
    /// stored state stay; giving others is an error
    #[arg(long, value_name = "FILE")]
    state: Option<String>,
    /// The language of the messages, summaries and prompts: en (default) or de
    #[arg(long, value_name = "TAG")]
    language: Option<String>,
    #[command(flatten)]
    na: NaArg,
}

const AFTER_HELP: &str = "\
Prints a JSON array with one object per session on a line of its own, written as the sessions
are read: {\"session\",
\"date\", \"status\", \"events\", \"summary\"}. Each event has \"session\", \"severity\" (info,
attention or alert), \"kind\" with its evidence: threshold (state entered, persisting or left,
sessions, the flag), reliable_worsening and worsening (target, metric, previous_session,
previous, current, worsening, criterion), reliable_improvement and improvement (the same with
improvement), rupture_opened and rupture_repaired (with the rupture), component_falling
(component, previous_session, fall, others, criterion); \"largest_fall\" (the subscale that fell
most) on worsening and rupture events; \"message_key\", \"params\" and \"message\"; and above
info \"practice\" (openness, goals, questions or feedback), \"prompt_key\" and \"prompt\". A
session with events has a \"summary\": one line merging them, with its severity, practice and
prompt.

An answer off the response scale or not a number, a session number that is missing or not a
whole number, a bad date, a session out of order, or a session seen before with other answers
(session_conflict) stops the run with one line on stderr naming the row by its line number in
the CSV file, the header being line 1, and the column. Output already written stays written; the
state file is written only after a run without errors.

Exit status: 0 success, 1 bad input, 2 bad command line.";

/// The parsed command line of `alliance monitor`.
struct Options {
    instrument: String,
    csv: String,
    options: MonitorOptions,
    /// Whether any option of the monitor was given on the command line.
    explicit: bool,
    state: Option<String>,
    messages: Messages,
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
    fn new(args: Args) -> Result<Self, Failure> {
        let instrument = args.instrument.trim();
        let (drop, reliable, rule) = (
            args.drop_points.as_deref(),
            args.reliable_points.as_deref(),
            args.rupture.as_deref(),
        );
        let (window, floor) = (args.window.as_deref(), args.rupture_floor.as_deref());
        let explicit = [drop, reliable, rule, window, floor]
            .iter()
            .any(Option::is_some);
        let messages = match args.language.as_deref().map(str::trim) {
            None => Messages::english(),
            Some(tag) => Messages::for_language(tag).ok_or_else(|| {
                Failure::usage(format!("--language must be en or de, not {tag:?}"))
            })?,
        };
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
        Ok(Options {
            instrument: instrument.to_owned(),
            csv: args.csv.csv,
            options: options.rupture(rule),
            explicit,
            state: args.state,
            messages,
            na: args.na.token()?,
        })
    }
}

/// stdout, written in chunks: a large run streams, a small one that fails prints nothing.
struct Stream {
    buffer: Vec<u8>,
}

/// Bytes gathered before they are written.
const CHUNK: usize = 1 << 16;

impl Stream {
    fn write(&mut self, text: &str) -> Result<(), Failure> {
        self.buffer.extend_from_slice(text.as_bytes());
        if self.buffer.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Failure> {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&self.buffer)
            .and_then(|()| stdout.flush())
            .map_err(output::write_failed)?;
        self.buffer.clear();
        Ok(())
    }
}

/// The monitor: resumed from the state file if it exists, else new.
fn monitor(
    opts: &Options,
    inst: &therapeutic_alliance::Instrument,
) -> Result<SessionMonitor, Failure> {
    let Some(path) = opts.state.as_deref().filter(|p| Path::new(p).exists()) else {
        return Ok(SessionMonitor::new(inst, opts.options.clone()));
    };
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::run(format!("cannot read the state file {path}: {e}")))?;
    let state = MonitorState::from_reader(file)
        .map_err(|e| Failure::worded(format!("state file {path}: {e}"), e))?;
    if opts.explicit && state.options() != &opts.options {
        return Err(Failure::run(format!(
            "state file {path}: the state was kept with other monitor options than those given \
             (leave them out to go on with the stored ones)"
        )));
    }
    SessionMonitor::resume(inst, state)
        .map_err(|e| Failure::worded(format!("state file {path}: {e}"), e))
}

/// Writes the state to a temporary file next to `path` and renames it over `path`.
fn save(path: &str, state: &MonitorState) -> Result<(), Failure> {
    let target = Path::new(path);
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let temp = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let failed = |e: &dyn std::fmt::Display| {
        let _ = std::fs::remove_file(&temp);
        Failure::run(format!("cannot write the state file {path}: {e}"))
    };
    let file = std::fs::File::create(&temp).map_err(|e| failed(&e))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, state).map_err(|e| failed(&e))?;
    writer.write_all(b"\n").map_err(|e| failed(&e))?;
    let file = writer.into_inner().map_err(|e| failed(&e.into_error()))?;
    file.sync_all().map_err(|e| failed(&e))?;
    std::fs::rename(&temp, target).map_err(|e| failed(&e))
}

pub fn run(args: Args) -> Result<(), Failure> {
    let opts = Options::new(args)?;
    let inst = crate::instruments::require(&opts.instrument)?;
    let reader = table::sessions(&opts.csv, &inst, opts.na.as_deref())?;
    let mut monitor = monitor(&opts, &inst)?.with_messages(opts.messages.clone());
    let mut out = Stream {
        buffer: Vec::with_capacity(CHUNK + 4096),
    };
    out.write("[")?;
    let mut printed = 0usize;
    for row in reader {
        let row = table::session(row, &opts.csv)?;
        let (line, adm) = (row.line(), row.administration());
        let seen = monitor.observe(adm).map_err(|e| {
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
            Failure::from(e)
        })?;
        if seen.status == SessionStatus::AlreadySeen {
            continue;
        }
        out.write(if printed == 0 { "\n" } else { ",\n" })?;
        serde_json::to_writer(&mut out.buffer, &seen)
            .map_err(|e| Failure::run(format!("cannot write the output: {e}")))?;
        out.write("")?;
        printed += 1;
    }
    out.write(if printed == 0 { "]\n" } else { "\n]\n" })?;
    out.flush()?;
    if let Some(path) = &opts.state {
        save(path, monitor.state())?;
    }
    Ok(())
}
