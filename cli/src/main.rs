//! `alliance`: the command line of the therapeutic-alliance library.
//!
//! ```text
//! cargo install --path cli
//! alliance demo
//! alliance --help
//! alliance score --instrument wai-sr --csv answers.csv [options]
//! ```
//!
//! One module per command; a command is a clap `Args` struct and a function from it to success
//! or a [`Failure`]. Errors print one line each to stderr (text, or JSON with `--errors json`)
//! and exit with status 1 (2 for a usage error); bad input never panics.

mod args;
mod cfa;
mod correlate;
mod demo;
mod effect_size;
mod fhir;
mod icc;
mod instruments;
mod mixed;
mod monitor;
mod omega;
mod output;
mod plot;
mod rci;
mod reliability;
mod score;
mod sudden;
mod table;
mod trajectory;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

/// Score questionnaires of the therapeutic alliance and analyze change: reliability, reliable
/// change, sudden gains, trajectories, effect sizes and FHIR.
#[derive(Parser)]
#[command(
    name = "alliance",
    version,
    subcommand_required = true,
    after_help = "Exit status: 0 success, 1 bad input (one line on stderr per error), 2 bad command line."
)]
struct Cli {
    #[command(flatten)]
    errors: args::ErrorsArg,
    #[command(subcommand)]
    command: Command,
}

/// Every command, in the order `alliance --help` lists them. A new command is a module and a
/// line here.
#[derive(Subcommand)]
enum Command {
    Demo(demo::Args),
    Instruments(instruments::Args),
    Score(score::Args),
    Reliability(reliability::Args),
    Icc(icc::Args),
    Rci(rci::Args),
    #[command(
        about = "Sudden gains in a wide CSV file of session scores, as R's suddengains finds them"
    )]
    SuddenGains(sudden::Args),
    #[command(
        about = "Sudden losses in a wide CSV file of session scores (the mirror of sudden-gains)"
    )]
    SuddenLosses(sudden::Args),
    Monitor(monitor::Args),
    Trajectory(trajectory::Args),
    EffectSize(effect_size::Args),
    Correlate(correlate::Args),
    Mixed(mixed::Args),
    Cfa(cfa::Args),
    Omega(omega::Args),
    Fhir(fhir::Args),
    Plot(plot::Args),
}

impl Command {
    fn run(self) -> Result<(), Failure> {
        match self {
            Command::Demo(a) => demo::run(a),
            Command::Instruments(a) => instruments::run(a),
            Command::Score(a) => score::run(a),
            Command::Reliability(a) => reliability::run(a),
            Command::Icc(a) => icc::run(a),
            Command::Rci(a) => rci::run(a),
            Command::SuddenGains(a) => {
                sudden::run(a, therapeutic_alliance::change::SuddenKind::Gain)
            }
            Command::SuddenLosses(a) => {
                sudden::run(a, therapeutic_alliance::change::SuddenKind::Loss)
            }
            Command::Monitor(a) => monitor::run(a),
            Command::Trajectory(a) => trajectory::run(a),
            Command::EffectSize(a) => effect_size::run(a),
            Command::Correlate(a) => correlate::run(a),
            Command::Mixed(a) => mixed::run(a),
            Command::Cfa(a) => cfa::run(a),
            Command::Omega(a) => omega::run(a),
            Command::Fhir(a) => fhir::run(a),
            Command::Plot(a) => plot::run(a),
        }
    }
}

/// One error that stops a run (or, with `score --keep-going`, one bad row): the line printed
/// in text, and the library's error (serialized with `--errors json`) when it came from there.
#[derive(Debug)]
pub struct Problem {
    message: String,
    error: Option<therapeutic_alliance::Error>,
    input_id: Option<String>,
}

impl Problem {
    /// A library error as it words itself, with its source chain (an I/O error's cause is its
    /// source, not in its message).
    fn of(error: therapeutic_alliance::Error) -> Self {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Problem {
            message,
            error: Some(error),
            input_id: None,
        }
    }
}

/// What went wrong, and so how `alliance` exits.
#[derive(Debug)]
enum Failure {
    /// The command line itself is wrong: one line, exit status 2.
    Usage(String),
    /// The input is wrong or cannot be read: one line `alliance: error: ...`, exit status 1.
    Run(Box<Problem>),
    /// Errors already reported on stderr (one line each): exit status 1.
    Reported,
    /// Whoever reads stdout stopped reading (`| head`): not an error worth a message.
    Closed,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// An error the command found itself (no library error behind it).
    fn run(message: impl Into<String>) -> Self {
        Failure::Run(Box::new(Problem {
            message: message.into(),
            error: None,
            input_id: None,
        }))
    }

    /// A library error, worded by the command for the text line.
    fn worded(message: impl Into<String>, error: therapeutic_alliance::Error) -> Self {
        Failure::Run(Box::new(Problem {
            message: message.into(),
            error: Some(error),
            input_id: None,
        }))
    }

    /// The same failure, about the input record with this id (added as `input_id` in JSON).
    fn input_id(self, id: &str) -> Self {
        match self {
            Failure::Run(mut p) => {
                p.input_id = Some(output::shown(id));
                Failure::Run(p)
            }
            other => other,
        }
    }
}

impl Problem {
    /// A row's error from the library's CSV reader: the text line adds the record's id (which
    /// the library keeps out of its errors) after the row, and JSON adds it as `input_id`.
    fn of_row(e: therapeutic_alliance::csv::RowError) -> Self {
        let (error, id) = e.into_parts();
        let mut problem = Problem::of(error);
        if let (Some(id), Some(error)) = (&id, &problem.error) {
            let worded = table::with_id(error, Some(id));
            problem.message = match problem.message.strip_prefix(&error.to_string()) {
                Some(rest) => format!("{worded}{rest}"),
                None => worded,
            };
        }
        problem.input_id = id.as_deref().map(output::shown);
        problem
    }
}

impl From<therapeutic_alliance::csv::RowError> for Failure {
    fn from(e: therapeutic_alliance::csv::RowError) -> Self {
        Failure::Run(Box::new(Problem::of_row(e)))
    }
}

impl From<therapeutic_alliance::Error> for Failure {
    fn from(e: therapeutic_alliance::Error) -> Self {
        Failure::Run(Box::new(Problem::of(e)))
    }
}

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    output::set_errors(args::errors_in(&raw));
    // Rust's standard output quietly drops writes to a closed descriptor (`alliance score >&-`):
    // the results would be lost with exit status 0, so a closed stdout is an error up front.
    if let Err(f) = output::stdout_open() {
        return exit(f, None);
    }
    // Arguments are checked to be UTF-8 first: a bad one is one line naming its position.
    let args = match args::utf8_args(raw.iter().skip(1).cloned()) {
        Ok(args) => args,
        Err(f) => return exit(f, None),
    };
    let command = args
        .iter()
        .find(|a| Cli::command().find_subcommand(a.as_str()).is_some())
        .map(String::as_str)
        .filter(|a| *a != "help");
    let cli = match Cli::try_parse_from(std::iter::once("alliance".to_owned()).chain(args.clone()))
    {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e, command),
    };
    output::set_errors(cli.errors.errors);
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => exit(f, command),
    }
}

/// A clap error: help and version are printed as they are (exit 0); anything else is a usage
/// error of one line.
fn clap_error(e: &clap::Error, command: Option<&str>) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return match e.print() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => exit(output::write_failed(e), command),
        };
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let message = if command.is_some() {
            "arguments are missing"
        } else {
            "no command given"
        };
        return exit(Failure::usage(message), command);
    }
    let text = e.render().to_string();
    let body = text.split("\nUsage:").next().unwrap_or_default();
    let body = body
        .split("For more information, try")
        .next()
        .unwrap_or_default();
    let body = body.trim().strip_prefix("error:").unwrap_or(body);
    let message = body.split_whitespace().collect::<Vec<_>>().join(" ");
    exit(Failure::Usage(message), command)
}

fn exit(failure: Failure, command: Option<&str>) -> ExitCode {
    match failure {
        Failure::Closed => ExitCode::SUCCESS,
        Failure::Usage(message) => {
            let help = command.map_or_else(
                || "alliance --help".to_owned(),
                |c| format!("alliance {c} --help"),
            );
            output::usage_error(&message, &help);
            ExitCode::from(2)
        }
        Failure::Run(problem) => {
            output::report(&problem);
            ExitCode::FAILURE
        }
        Failure::Reported => ExitCode::FAILURE,
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::Cli;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn errors_json_is_found_before_parsing() {
        use crate::args::{ErrorFormat, errors_in};
        let of = |args: &[&str]| errors_in(&args.iter().map(Into::into).collect::<Vec<_>>());
        assert_eq!(
            of(&["alliance", "--errors", "json", "demo"]),
            ErrorFormat::Json
        );
        assert_eq!(
            of(&["alliance", "demo", "--errors=json"]),
            ErrorFormat::Json
        );
        assert_eq!(
            of(&["alliance", "--errors", "text", "demo"]),
            ErrorFormat::Text
        );
        assert_eq!(of(&["alliance", "--csv", "json"]), ErrorFormat::Text);
        assert_eq!(
            of(&["alliance", "--errors=json", "--errors", "text"]),
            ErrorFormat::Text
        );
    }
}
