//! Shared by the command-line tests: the built `alliance` binary, running it, and the test data.
// Each test file uses what it needs.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The `alliance` binary Cargo built for these tests.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_alliance"))
}

/// Runs `alliance` with `args` from the library's directory (the workspace root).
pub fn alliance_os<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(exe())
        .args(args)
        .current_dir(root())
        .output()
        .expect("runs")
}

/// Runs `alliance` with `args`.
pub fn alliance(args: &[&str]) -> Output {
    alliance_os(args)
}

/// The workspace root, where the library's `tests/data` is.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A file of the library's tests/data (`sgdata.csv`, or `cli/...` for the command-line
/// fixtures).
pub fn data(name: &str) -> String {
    let p: PathBuf = [concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data"), name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `alliance` with `{}` in `args` replaced by the path of a temporary file holding `csv`
/// (named by `name` and the test process, removed afterwards).
pub fn with_csv(name: &str, csv: impl AsRef<[u8]>, args: &[&str]) -> Output {
    exe(); // Fails (if it does) before the temporary file is written.
    let path = std::env::temp_dir().join(format!("alliance-{name}-{}.csv", std::process::id()));
    std::fs::write(&path, csv).expect("temp file");
    let path_text = path.to_string_lossy().into_owned();
    let args: Vec<&str> = args
        .iter()
        .map(|&a| if a == "{}" { path_text.as_str() } else { a })
        .collect();
    let o = alliance(&args);
    let _ = std::fs::remove_file(&path);
    o
}
