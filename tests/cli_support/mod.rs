//! Shared by the command-line tests (`tests/cli*.rs`): the built `alliance` example, running
//! it, and the test data.
// Each test file uses what it needs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the example with `args` from the crate's directory.
pub fn alliance(args: &[&str]) -> Output {
    Command::new(exe())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

/// A file of tests/data (`sgdata.csv`, or `cli/...` for the command-line fixtures).
pub fn data(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", name]
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

/// The built example, checked once to be newer than its sources (`cargo test --test cli` alone
/// does not build examples, and an old binary would test old code).
pub fn exe() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            // target/<profile>/deps/cli-<hash> -> target/<profile>/examples/alliance
            let exe = std::env::current_exe().expect("test binary path");
            let dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("target profile directory");
            let bin = dir
                .join("examples")
                .join(format!("alliance{}", std::env::consts::EXE_SUFFIX));
            let built = std::fs::metadata(&bin).and_then(|m| m.modified());
            let Ok(built) = built else {
                panic!(
                    "{} not built: run `cargo test`, which builds examples",
                    bin.display()
                );
            };
            // Cargo's dep-info next to the binary lists every source it was built from.
            let dep_info = std::fs::read_to_string(bin.with_extension("d")).unwrap_or_default();
            if let Some(newer) = dep_info_sources(&dep_info).find(|p| {
                std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t > built)
            }) {
                panic!(
                    "{} is older than {}: run `cargo test` (which builds examples) or \
                     `cargo build --example alliance` first",
                    bin.display(),
                    newer.display()
                );
            }
            bin
        })
        .clone()
}

/// The sources listed in a Makefile-style dep-info file (`target: source source ...`, spaces in
/// paths escaped with `\\`).
fn dep_info_sources(dep_info: &str) -> impl Iterator<Item = PathBuf> + '_ {
    dep_info.lines().flat_map(|line| {
        let sources = line.split_once(": ").map_or("", |(_, s)| s);
        let mut paths = Vec::new();
        let mut current = String::new();
        let mut chars = sources.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => current.extend(chars.next()),
                ' ' => paths.extend(
                    (!current.is_empty()).then(|| PathBuf::from(std::mem::take(&mut current))),
                ),
                c => current.push(c),
            }
        }
        paths.extend((!current.is_empty()).then(|| PathBuf::from(current)));
        paths
    })
}
