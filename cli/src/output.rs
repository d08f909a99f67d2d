//! Writing to stdout: whole texts for the small commands, and the error a failed write becomes;
//! writing errors to stderr, as text or JSON lines (`--errors`).

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::args::ErrorFormat;
use crate::{Failure, Problem};

/// Whether errors are printed as JSON lines (`--errors json`).
static JSON: AtomicBool = AtomicBool::new(false);

/// Sets how errors are printed from now on.
pub fn set_errors(format: ErrorFormat) {
    JSON.store(format == ErrorFormat::Json, Ordering::Relaxed);
}

/// An error the command found itself, in JSON: no library error behind it.
#[derive(serde::Serialize)]
struct CommandError<'a> {
    /// `usage` (the command line) or `input` (the input, as the command reads it).
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_id: Option<&'a str>,
}

/// Prints one error on stderr: `alliance: error: MESSAGE`, or with `--errors json` one JSON
/// object: the library's serialized error with the record's `input_id` added, or the command's
/// own `{"code": "input", "message": ...}`.
pub fn report(problem: &Problem) {
    if !JSON.load(Ordering::Relaxed) {
        error_line(&format!("alliance: error: {}", problem.message));
        return;
    }
    let own = || {
        let message = match problem.input_id.as_deref() {
            Some(id) => without_id(&problem.message, id),
            None => problem.message.clone(),
        };
        serde_json::to_value(CommandError {
            code: "input",
            message: &message,
            input_id: problem.input_id.as_deref(),
        })
    };
    let value = match &problem.error {
        Some(e) => serde_json::to_value(e).map(|mut v| {
            if let (serde_json::Value::Object(map), Some(id)) = (&mut v, &problem.input_id) {
                map.insert("input_id".to_owned(), id.clone().into());
            }
            v
        }),
        None => own(),
    };
    json_line(value);
}

/// A text line's message for JSON, where the record's id goes under `input_id` alone: the forms
/// in which the command's own messages name the id (`row 3 (id "p02")`, `client "p02" has ...`,
/// `id "p02" is on row ...`) lose it; nothing else in the message is touched.
fn without_id(message: &str, id: &str) -> String {
    let quoted = format!("{id:?}");
    message
        .replace(&format!(" (id {quoted})"), "")
        .replace(&format!("client {quoted} has"), "the client has")
        .replace(&format!("id {quoted} is on row"), "the id is on row")
}

/// Prints a usage error: `alliance: MESSAGE (run `HELP` for usage)`, or with `--errors json`
/// `{"code": "usage", "message": ...}`.
pub fn usage_error(message: &str, help: &str) {
    if JSON.load(Ordering::Relaxed) {
        json_line(serde_json::to_value(CommandError {
            code: "usage",
            message,
            input_id: None,
        }));
    } else {
        error_line(&format!("alliance: {message} (run `{help}` for usage)"));
    }
}

fn json_line(value: serde_json::Result<serde_json::Value>) {
    match value {
        Ok(v) => error_line(&v.to_string()),
        Err(e) => error_line(&format!(
            "alliance: error: cannot write the error as JSON: {e}"
        )),
    }
}

/// Writes `text` to stdout and flushes it.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(write_failed)
}

/// Writes `message` to stderr as one line (any line break a wrapped error put in it becomes a
/// space). Unlike `eprintln!`, never panics: if stderr is gone there is nowhere left to report
/// to, and the exit status still tells.
pub fn error_line(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        message.replace(['\n', '\r'], " ")
    );
}

/// An id or a column name read from the input, as the command's messages show it: at most 64
/// characters, a longer one cut with `…` (an error line stays short whatever the file holds;
/// control characters are escaped where it is quoted).
pub fn shown(text: &str) -> String {
    const MAX: usize = 64;
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Refuses to run with a closed standard output (`alliance score >&-`), where the results would
/// be lost with exit status 0. Rust's runtime reopens a closed stdout on `/dev/null` for reading
/// and writing; a shell's `> /dev/null` opens it for writing only, so only the first is refused
/// (Linux; elsewhere nothing is checked).
pub fn stdout_open() -> Result<(), Failure> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FileType, OFlags, fcntl_getfl, fstat, major, minor};
        let out = std::io::stdout();
        if let (Ok(flags), Ok(st)) = (fcntl_getfl(&out), fstat(&out)) {
            let dev_null = FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
                && major(st.st_rdev) == 1
                && minor(st.st_rdev) == 3;
            if dev_null && flags.contains(OFlags::RDWR) {
                return Err(Failure::run(
                    "cannot write the output: standard output is closed",
                ));
            }
        }
    }
    Ok(())
}

/// A failed write to stdout: [`Failure::Closed`] when the reader went away (`| head`), which is
/// not worth a message; otherwise an error line.
pub fn write_failed(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Failure::Closed
    } else {
        Failure::run(format!("cannot write the output: {e}"))
    }
}

/// Word-wraps `text` to `width` columns, indenting every line after the first by `indent`
/// spaces (the first line is assumed to start at that column already).
pub fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = indent;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if column > indent && column + 1 + len > width {
            out.push('\n');
            out.extend(std::iter::repeat_n(' ', indent));
            column = indent;
        } else if column > indent {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
    }
    out
}
