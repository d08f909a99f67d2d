//! `alliance`: a small command-line front end over the therapeutic-alliance library.
//!
//! ```text
//! cargo run --example alliance -- demo
//! cargo run --example alliance -- instruments [ID [--json | --toml]]
//! cargo run --example alliance -- score --instrument wai-sr --csv answers.csv [options]
//! cargo run --example alliance -- score --help
//! cargo run --example alliance -- reliability --csv answers.csv --items A1-,A2,A3 --min 1 --max 6
//! cargo run --example alliance -- icc --csv ratings.csv [--id COLUMN]
//! cargo run --example alliance -- rci --csv long.csv --id id --time time --outcome hamd \
//!     --pre 1 --post 4 --reliability 0.8 --better lower --method JT --cutoff a
//! cargo run --example alliance -- sudden-gains --csv wide.csv --id id --columns s1,s2,s3,s4,s5 --cutoff 7
//! cargo run --example alliance -- sudden-losses --csv wide.csv --id id --columns s1,s2,s3,s4,s5 --cutoff 7
//! cargo run --example alliance -- monitor --instrument srs --csv sessions.csv [options]
//! cargo run --example alliance -- trajectory --csv long.csv --id ID --time SESSION --score SCORE [--early N]
//! cargo run --example alliance -- effect-size --csv long.csv --id ID --time SESSION --score SCORE --pre 1 --post 4
//! cargo run --example alliance -- correlate --csv wide.csv --x COLUMN --y COLUMN
//! cargo run --example alliance -- fhir questionnaire --instrument phq-9 [--release r4|r5]
//! cargo run --example alliance -- fhir score --instrument phq-9 --response response.json
//! ```
//!
//! One module per command; a command is a function from its arguments to success or a
//! [`Failure`], listed once in [`COMMANDS`]. Errors print one line to stderr and exit with status
//! 1 (2 for a usage error); bad input never panics.

mod args;
mod correlate;
mod demo;
mod effect_size;
mod fhir;
mod icc;
mod instruments;
mod monitor;
mod output;
mod plot;
mod rci;
mod reliability;
mod score;
mod sudden;
mod table;
mod trajectory;

use std::fmt::Write as _;
use std::process::ExitCode;

/// A command: its name, a one-line summary for `alliance help`, its usage text and what it runs.
struct Command {
    name: &'static str,
    summary: &'static str,
    usage: &'static str,
    run: fn(&[String]) -> Result<(), Failure>,
}

/// Every command, in the order `alliance help` lists them. A new command is a module and a line
/// here.
const COMMANDS: &[Command] = &[
    Command {
        name: "demo",
        summary: "one client's 12 sessions of CBT for anxiety, scored session by session",
        usage: demo::USAGE,
        run: demo::run,
    },
    Command {
        name: "instruments",
        summary: "the instrument catalog, or one instrument's key and provenance",
        usage: instruments::USAGE,
        run: instruments::run,
    },
    Command {
        name: "score",
        summary: "score a wide CSV file of answers to CSV or JSON",
        usage: score::USAGE,
        run: score::run,
    },
    Command {
        name: "reliability",
        summary: "alpha, split-half and omega of items in a wide CSV file, as R's psych reports them",
        usage: reliability::USAGE,
        run: reliability::run,
    },
    Command {
        name: "icc",
        summary: "the six Shrout-Fleiss intraclass correlations of a targets x raters CSV file",
        usage: icc::USAGE,
        run: icc::run,
    },
    Command {
        name: "rci",
        summary: "reliable change and clinical significance of a pre-post long CSV file",
        usage: rci::USAGE,
        run: rci::run,
    },
    Command {
        name: "sudden-gains",
        summary: "sudden gains in a wide CSV file of session scores, as R's suddengains finds them",
        usage: sudden::GAINS_USAGE,
        run: sudden::run_gains,
    },
    Command {
        name: "sudden-losses",
        summary: "sudden losses in a wide CSV file of session scores (the mirror of sudden-gains)",
        usage: sudden::LOSSES_USAGE,
        run: sudden::run_losses,
    },
    Command {
        name: "monitor",
        summary: "one client's sessions in order: thresholds, worsening, ruptures and repairs",
        usage: monitor::USAGE,
        run: monitor::run,
    },
    Command {
        name: "trajectory",
        summary: "each client's line of a score over sessions, from a long CSV file",
        usage: trajectory::USAGE,
        run: trajectory::run,
    },
    Command {
        name: "effect-size",
        summary: "pre-post paired t test and effect sizes (d_z, d_av, d_rm) from a long CSV file",
        usage: effect_size::USAGE,
        run: effect_size::run,
    },
    Command {
        name: "correlate",
        summary: "Pearson's r and Spearman's rho of two columns of a wide CSV file",
        usage: correlate::USAGE,
        run: correlate::run,
    },
    Command {
        name: "fhir",
        summary: "an instrument as a FHIR Questionnaire, or a FHIR response scored as an Observation",
        usage: fhir::USAGE,
        run: fhir::run,
    },
    Command {
        name: "plot",
        summary: "one client's alliance session by session as an SVG chart (feature plot)",
        usage: plot::USAGE,
        run: plot::run,
    },
];

/// What went wrong, and so how `alliance` exits.
#[derive(Debug)]
enum Failure {
    /// The command line itself is wrong: one line, exit status 2.
    Usage {
        message: String,
        /// The command whose usage to point to.
        command: Option<&'static str>,
    },
    /// The input is wrong or cannot be read: one line `alliance: error: ...`, exit status 1.
    Run(String),
    /// Errors already reported on stderr (one line each): exit status 1.
    Reported,
    /// Whoever reads stdout stopped reading (`| head`): not an error worth a message.
    Closed,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure::Usage {
            message: message.into(),
            command: None,
        }
    }

    fn run(message: impl Into<String>) -> Self {
        Failure::Run(message.into())
    }

    /// Points a usage error at the help of the command it came from.
    fn in_command(self, name: &'static str) -> Self {
        match self {
            Failure::Usage {
                message,
                command: None,
            } => Failure::Usage {
                message,
                command: Some(name),
            },
            other => other,
        }
    }
}

impl From<therapeutic_alliance::Error> for Failure {
    /// The message and its source chain (an I/O error's cause is its source, not in its message).
    fn from(e: therapeutic_alliance::Error) -> Self {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Failure::Run(message)
    }
}

fn main() -> ExitCode {
    let result = args::utf8_args(std::env::args_os().skip(1)).and_then(|args| run(&args));
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Usage { message, command }) => {
            let help = command.map_or_else(
                || "alliance help".to_owned(),
                |c| format!("alliance {c} --help"),
            );
            output::error_line(&format!("alliance: {message} (run `{help}` for usage)"));
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            output::error_line(&format!("alliance: error: {message}"));
            ExitCode::FAILURE
        }
        Err(Failure::Reported) => ExitCode::FAILURE,
    }
}

fn run(args: &[String]) -> Result<(), Failure> {
    let Some((name, rest)) = args.split_first() else {
        return Err(Failure::usage("no command given"));
    };
    match name.as_str() {
        "help" | "--help" | "-h" => help(rest),
        _ => {
            let command = find(name)?;
            (command.run)(rest).map_err(|f| f.in_command(command.name))
        }
    }
}

fn find(name: &str) -> Result<&'static Command, Failure> {
    COMMANDS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Failure::usage(format!("unknown command {name:?}")))
}

/// `alliance help [COMMAND]`.
fn help(rest: &[String]) -> Result<(), Failure> {
    match rest {
        [] => {
            let mut text = String::from("usage: alliance <command> [arguments]\n\ncommands:\n");
            for c in COMMANDS {
                let _ = writeln!(text, "  {:<13} {}", c.name, c.summary);
            }
            text.push_str(
                "  help          this text; `alliance help COMMAND` or `alliance COMMAND --help` for one command\n\n\
                 Exit status: 0 success, 1 bad input (one line on stderr per error), 2 bad command line.\n",
            );
            output::print(&text)
        }
        [name] => output::print(find(name)?.usage),
        [_, extra, ..] => Err(Failure::usage(format!("unexpected argument {extra:?}"))),
    }
}
