//! What several commands share on the command line: the arguments as checked UTF-8 text, the
//! `--errors` format, the flags every CSV command has (flattened into each command's `Args`),
//! and the checks clap cannot make alone.

use std::ffi::OsString;

use clap::ValueEnum;

use crate::Failure;

/// The arguments as text. A non-UTF-8 argument is a usage error naming its position and showing
/// it with its bad bytes escaped (never a panic, as `std::env::args` would).
pub fn utf8_args(args: impl IntoIterator<Item = OsString>) -> Result<Vec<String>, Failure> {
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|bad| {
                Failure::usage(format!("argument {} is not valid UTF-8: {:?}", i + 1, bad))
            })
        })
        .collect()
}

/// How errors are printed on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// One line of text per error: `alliance: error: row 3, column "9": ...`
    #[default]
    Text,
    /// One JSON object per line: the library's serialized error (with `code` and `message`),
    /// plus `input_id`, the id of the input record, where the command knows it
    Json,
}

/// `--errors`, accepted by every command.
#[derive(clap::Args, Debug)]
pub struct ErrorsArg {
    /// How errors are printed on stderr, one per line
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t,
        global = true
    )]
    pub errors: ErrorFormat,
}

/// `--errors json` in the raw arguments, so that even a usage error found while parsing them
/// is printed as asked.
pub fn errors_in(raw: &[OsString]) -> ErrorFormat {
    let mut json = false;
    let mut previous_was_flag = false;
    for arg in raw {
        let arg = arg.to_str().unwrap_or_default();
        if previous_was_flag {
            json = arg == "json";
        } else if let Some(value) = arg.strip_prefix("--errors=") {
            json = value == "json";
        }
        previous_was_flag = arg == "--errors";
    }
    if json {
        ErrorFormat::Json
    } else {
        ErrorFormat::Text
    }
}

/// `--csv FILE`: the input of every command that reads a CSV file.
#[derive(clap::Args, Debug)]
pub struct CsvArg {
    /// The CSV file to read: a header line, then the rows (spaces around cells, a UTF-8
    /// byte-order mark, quoted fields, CRLF line endings and blank lines are all fine)
    #[arg(long, value_name = "FILE")]
    pub csv: String,
}

/// `--na TOKEN`.
#[derive(clap::Args, Debug)]
pub struct NaArg {
    /// Cells equal to TOKEN (e.g. NA, as R writes) are missing too
    #[arg(long, value_name = "TOKEN")]
    na: Option<String>,
}

impl NaArg {
    /// The token: not empty (empty cells are missing already).
    pub fn token(&self) -> Result<Option<String>, Failure> {
        match self.na.as_deref().map(str::trim) {
            Some("") => Err(Failure::usage(
                "--na needs a token (empty cells are missing already)",
            )),
            other => Ok(other.map(str::to_owned)),
        }
    }
}

/// `--id`, `--time` and `--score` of a long table (one row per client and session).
#[derive(clap::Args, Debug)]
pub struct LongColumns {
    /// The client id column
    #[arg(long, value_name = "COLUMN")]
    pub id: String,
    /// The session column
    #[arg(long, value_name = "COLUMN")]
    pub time: String,
    /// The score column; an empty cell is a missed session
    #[arg(long, value_name = "COLUMN")]
    pub score: String,
}

impl LongColumns {
    /// The three column names: each not empty, and three different columns.
    pub fn names(&self) -> Result<[String; 3], Failure> {
        let given = [
            ("--id", &self.id),
            ("--time", &self.time),
            ("--score", &self.score),
        ];
        let mut names: Vec<(&str, &str)> = Vec::with_capacity(3);
        for (flag, name) in given.map(|(flag, name)| (flag, name.trim())) {
            if name.is_empty() {
                return Err(Failure::usage(format!("{flag} needs a column name")));
            }
            if let Some((other, _)) = names.iter().find(|(_, n)| *n == name) {
                return Err(Failure::usage(format!(
                    "{other} and {flag} both name column {name:?}"
                )));
            }
            names.push((flag, name));
        }
        Ok(given.map(|(_, name)| name.trim().to_owned()))
    }
}

/// `--better lower|higher`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Better {
    /// Lower scores are better (symptom measures)
    Lower,
    /// Higher scores are better (the alliance, well-being)
    Higher,
}

impl From<Better> for therapeutic_alliance::Better {
    fn from(b: Better) -> Self {
        match b {
            Better::Lower => therapeutic_alliance::Better::Lower,
            Better::Higher => therapeutic_alliance::Better::Higher,
        }
    }
}

/// A flag's value as a finite number.
pub fn number(flag: &str, value: &str) -> Result<f64, Failure> {
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(Failure::usage(format!(
            "{flag} must be a finite number, not {value:?}"
        ))),
        Err(_) => Err(Failure::usage(format!(
            "{flag} must be a number, not {value:?}"
        ))),
    }
}

/// A library error about an option's value, as a usage error naming the flag:
/// `--reliability 1.5: must be above 0 and at most 1`.
pub fn invalid(flag: &str, value: &str, e: &therapeutic_alliance::Error) -> Failure {
    match e.kind() {
        therapeutic_alliance::ErrorKind::InvalidOption { reason, .. } => {
            Failure::usage(format!("{flag} {value}: {reason}"))
        }
        other => Failure::usage(format!("{flag} {value}: {other}")),
    }
}

/// A column name given to a flag: trimmed, not empty.
pub fn column_name(flag: &str, value: Option<&str>) -> Result<Option<String>, Failure> {
    match value.map(str::trim) {
        Some("") => Err(Failure::usage(format!("{flag} needs a column name"))),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A comma-separated list of names (`--keep`, `--columns`): each trimmed, not empty and given
/// once; `reserved` (the id column) refused with `why`.
pub fn name_list(
    flag: &str,
    list: &[String],
    reserved: &str,
    why: &str,
) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = Vec::new();
    for name in list.iter().map(|n| n.trim()) {
        if name.is_empty() {
            return Err(Failure::usage(format!(
                "{flag} {:?} has an empty column name",
                list.join(",")
            )));
        }
        if name == reserved {
            return Err(Failure::usage(format!(
                "{flag} names the id column {reserved:?}{why}"
            )));
        }
        if names.iter().any(|k| k == name) {
            return Err(Failure::usage(format!("{flag} names {name:?} twice")));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}
