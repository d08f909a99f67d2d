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
