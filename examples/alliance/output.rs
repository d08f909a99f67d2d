//! Writing to stdout: whole texts for the small commands, and the error a failed write becomes.

use std::io::Write as _;

use crate::Failure;

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
