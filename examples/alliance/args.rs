//! Reading the command line: arguments as OS strings, checked to be UTF-8, and a small parser of
//! flags (`--flag value` or `--flag=value`) and positional arguments.

use std::ffi::OsString;

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

/// One command-line argument: a flag (`-h`, `--csv`) or a positional argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg<'a> {
    Flag(&'a str),
    Positional(&'a str),
}

/// Walks a command's arguments. `--flag=value` is split into the flag and its value.
pub struct Parser<'a> {
    rest: std::slice::Iter<'a, String>,
    /// The flag just returned and the value written after its `=`, until the command takes it.
    inline: Option<(&'a str, &'a str)>,
}

impl<'a> Parser<'a> {
    pub fn new(args: &'a [String]) -> Self {
        Parser {
            rest: args.iter(),
            inline: None,
        }
    }

    /// The next argument; `None` at the end.
    ///
    /// # Errors
    /// A usage error if the previous flag was given a value (`--flag=x`) it does not take.
    pub fn next(&mut self) -> Result<Option<Arg<'a>>, Failure> {
        if let Some((flag, _)) = self.inline.take() {
            return Err(Failure::usage(format!("{flag} takes no value")));
        }
        let Some(arg) = self.rest.next() else {
            return Ok(None);
        };
        let arg = arg.as_str();
        if let Some(body) = arg.strip_prefix("--")
            && let Some((name, value)) = body.split_once('=')
        {
            let flag = arg.get(..2 + name.len()).unwrap_or(arg);
            self.inline = Some((flag, value));
            return Ok(Some(Arg::Flag(flag)));
        }
        if arg.len() > 1 && arg.starts_with('-') {
            Ok(Some(Arg::Flag(arg)))
        } else {
            Ok(Some(Arg::Positional(arg)))
        }
    }

    /// The value of `flag`: after its `=`, or the next argument. A next argument that starts
    /// with `--` is another flag, not a value (write `--flag=--x` for such a value).
    ///
    /// # Errors
    /// A usage error if there is no value.
    pub fn value(&mut self, flag: &str) -> Result<&'a str, Failure> {
        if let Some((_, value)) = self.inline.take() {
            return Ok(value);
        }
        match self.rest.as_slice().first() {
            Some(next) if !next.starts_with("--") => {
                self.rest.next();
                Ok(next.as_str())
            }
            _ => Err(Failure::usage(format!("{flag} needs a value"))),
        }
    }
}

/// Stores a flag's value, refusing a second one.
pub fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), Failure> {
    if slot.replace(value).is_some() {
        return Err(Failure::usage(format!("{flag} given twice")));
    }
    Ok(())
}

/// Refuses a positional argument or flag a command does not take.
pub fn unexpected(arg: Arg<'_>) -> Failure {
    match arg {
        Arg::Flag(f) => Failure::usage(format!("unknown option {f:?}")),
        Arg::Positional(p) => Failure::usage(format!("unexpected argument {p:?}")),
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

/// The `--na` token: not empty (empty cells are missing already).
pub fn na_token(na: Option<&str>) -> Result<Option<String>, Failure> {
    match na.map(str::trim) {
        Some("") => Err(Failure::usage(
            "--na needs a token (empty cells are missing already)",
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// `--better`: lower or higher, in any case.
pub fn better(value: &str) -> Result<therapeutic_alliance::Better, Failure> {
    value
        .trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| Failure::usage(format!("--better must be lower or higher, not {value:?}")))
}
