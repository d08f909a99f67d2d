//! The command line as a whole: generated help and version, usage errors, `--errors json`, and
//! the time labels every pre-post command accepts.

mod support;

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use support::{alliance, stderr, stdout};

/// Every subcommand, as scripts call them.
const COMMANDS: [&str; 14] = [
    "demo",
    "instruments",
    "score",
    "reliability",
    "icc",
    "rci",
    "sudden-gains",
    "sudden-losses",
    "monitor",
    "trajectory",
    "effect-size",
    "correlate",
    "fhir",
    "plot",
];

#[test]
fn help_lists_every_subcommand() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let out = stdout(&o);
        for command in COMMANDS {
            assert!(out.contains(&format!("\n  {command} ")), "{command}: {out}");
        }
        assert!(out.contains("--errors"), "{out}");
    }
    for command in COMMANDS {
        let o = alliance(&[command, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{command}");
        let out = stdout(&o);
        assert!(out.contains(&format!("Usage: alliance {command}")), "{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    }
}

#[test]
fn version_prints_the_package_version() {
    for flag in ["--version", "-V"] {
        let o = alliance(&[flag]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            stdout(&o),
            format!("alliance {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

#[test]
fn a_usage_error_exits_2_with_one_line_pointing_to_the_help() {
    let o = alliance(&[]);
    assert_eq!(
        stderr(&o),
        "alliance: no command given (run `alliance --help` for usage)\n"
    );
    for (args, help) in [
        (&["frobnicate"][..], "alliance --help"),
        (&[], "alliance --help"),
        (&["score", "--instrument", "srs"], "alliance score --help"),
        (&["rci", "--method", "XY"], "alliance rci --help"),
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("alliance: "), "{err}");
        assert!(
            err.ends_with(&format!("(run `{help}` for usage)\n")),
            "{err}"
        );
        assert!(o.stdout.is_empty());
    }
}

/// A JSON value read strictly: an object that names a key twice is an error (serde_json's
/// `Value` would keep the last and hide it).
struct Strict;

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element::<Strict>()?.is_some() {}
        Ok(Strict)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(de::Error::custom(format!("key {key:?} appears twice")));
            }
            map.next_value::<Strict>()?;
        }
        Ok(Strict)
    }
}

/// Each line of stderr: one JSON object with unique keys (checked on the raw text), with a
/// string `code` and `message`.
#[track_caller]
fn json_lines(err: &str) -> Vec<serde_json::Map<String, Value>> {
    assert!(!err.is_empty(), "no error lines");
    err.lines()
        .map(|line| {
            if let Err(e) = serde_json::from_str::<Strict>(line) {
                panic!("{line}: {e}");
            }
            let Ok(Value::Object(object)) = serde_json::from_str::<Value>(line) else {
                panic!("not a JSON object: {line}");
            };
            assert!(object["code"].is_string(), "{line}");
            assert!(object["message"].is_string(), "{line}");
            object
        })
        .collect()
}

#[test]
fn the_strict_reader_finds_a_repeated_key() {
    assert!(serde_json::from_str::<Strict>(r#"{"a": 1, "b": {"c": [1, {"d": 2}]}}"#).is_ok());
    assert!(serde_json::from_str::<Strict>(r#"{"a": 1, "b": 2, "a": 3}"#).is_err());
    assert!(serde_json::from_str::<Strict>(r#"[{"x": {"y": 1, "y": 2}}]"#).is_err());
}

/// A temporary file holding `text`, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!("alliance-{name}-{}.csv", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        Temp(path)
    }
    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn errors_json_on_a_duplicate_column_is_one_object_with_unique_keys() {
    // The header names column `q` twice: once an item column of the map, once more.
    let csv = Temp::new("dup-q", "id,q,q,2,3,4\nc1,5,5,5,5,5\n");
    let map = Temp::new("dup-q-map", "field,item\nq,1\n");
    let args = [
        "score",
        "--instrument",
        "srs",
        "--csv",
        &csv.path(),
        "--map",
        &map.path(),
        "--errors",
        "json",
    ];
    let o = alliance(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json_lines(&stderr(&o));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["code"], "duplicate_column", "{lines:?}");
    // The text form is the default and unchanged.
    let o = alliance(&args[..args.len() - 2]);
    assert!(
        stderr(&o).starts_with("alliance: error: ") && stderr(&o).contains("appears twice"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn errors_json_on_a_long_file_with_split_rows_is_one_object_with_unique_keys() {
    // Client a's rows of session 1 come before and after client b's.
    let csv = Temp::new(
        "split-long",
        "id,session,item,value\na,1,1,5\nb,1,1,5\na,1,2,5\n",
    );
    let o = alliance(&[
        "score",
        "--instrument",
        "srs",
        "--csv",
        &csv.path(),
        "--format",
        "long",
        "--errors",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines = json_lines(&stderr(&o));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["code"], "not_contiguous", "{lines:?}");
}

#[test]
fn errors_json_covers_keep_going_rows_usage_and_the_commands_own_errors() {
    // Every bad row of --keep-going is its own line.
    let csv = Temp::new(
        "keep-going-json",
        "id,1,2,3,4\na,5,5,5,5\nb,11,5,5,5\nc,5,x,5,5\n",
    );
    let o = alliance(&[
        "score",
        "--instrument",
        "srs",
        "--csv",
        &csv.path(),
        "--keep-going",
        "--errors",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&stderr(&o));
    let codes: Vec<&Value> = lines.iter().map(|l| &l["code"]).collect();
    assert_eq!(codes, ["out_of_range", "not_a_number"], "{lines:?}");
    // A usage error, wherever --errors json is written.
    for args in [
        &["--errors", "json", "score", "--bogus"][..],
        &["score", "--bogus", "--errors=json"],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2));
        let lines = json_lines(&stderr(&o));
        assert_eq!(lines[0]["code"], "usage", "{lines:?}");
    }
    // An error the command finds itself, with the record's id.
    let csv = Temp::new(
        "labels-json",
        "id,time,score\na,Before,10\na,After,5\nb,Before,n/a\nb,After,8\n",
    );
    let o = alliance(&[
        "effect-size",
        "--csv",
        &csv.path(),
        "--id",
        "id",
        "--time",
        "time",
        "--score",
        "score",
        "--pre",
        "Before",
        "--post",
        "After",
        "--errors",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&stderr(&o));
    assert_eq!(lines[0]["code"], "input", "{lines:?}");
    assert_eq!(lines[0]["input_id"], "b", "{lines:?}");
}

/// `effect-size` on four clients' scores at `pre` and `post`.
fn effect_size(pre: &str, post: &str, extra: &[&str]) -> Value {
    // A third time, which the analysis leaves out.
    let other = if pre.parse::<f64>().is_ok() {
        "3"
    } else {
        "follow-up"
    };
    let csv = Temp::new(
        &format!("effect-{pre}"),
        &format!(
            "id,time,score\n\
             a,{pre},10\na,{post},5\na,{other},4\n\
             b,{pre},12\nb,{post},8\n\
             c,{pre},9\nc,{post},7\nd,{pre},14\nd,{post},13\n"
        ),
    );
    let path = csv.path();
    let mut args = vec![
        "effect-size",
        "--csv",
        &path,
        "--id",
        "id",
        "--time",
        "time",
        "--score",
        "score",
    ];
    args.extend_from_slice(extra);
    let o = alliance(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("JSON")
}

#[test]
fn effect_size_takes_the_time_labels_rci_takes() {
    let labels = effect_size("Before", "After", &["--pre", "Before", "--post", "After"]);
    assert_eq!(labels["pre_session"], "Before");
    assert_eq!(labels["post_session"], "After");
    assert_eq!(labels["n"], 4);
    let words = effect_size("pre", "post", &["--pre", "pre", "--post", "post"]);
    // The same scores at sessions 1 and 2: the same statistics.
    let numbers = effect_size("1", "2", &["--pre", "1", "--post", "2.0"]);
    assert_eq!(numbers["pre_session"], 1);
    assert_eq!(numbers["post_session"], 2);
    for key in [
        "n",
        "mean_diff",
        "sd_diff",
        "t",
        "df",
        "p",
        "d_z",
        "d_z_ci",
        "g_z",
        "d_rm",
    ] {
        assert_eq!(labels[key], numbers[key], "{key}");
        assert_eq!(words[key], numbers[key], "{key}");
    }
    assert_eq!(numbers["mean_diff"], -3.0);
}

/// A closed standard output loses the results: an error and exit status 1, never a silent 0
/// (Linux, where the check is made). `> /dev/null` is the user's choice and runs.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_an_error() {
    let dir = std::env::temp_dir().join(format!("alliance-closed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv = dir.join("srs.csv");
    std::fs::write(&csv, "client,1,2,3,4\na,9,9,9,9\n").expect("written");
    let run = |redirect: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "exec \"$0\" score --instrument srs --id client --csv \"$1\" {redirect}"
            ))
            .arg(support::exe())
            .arg(&csv)
            .output()
            .expect("runs")
    };
    let closed = run(">&-");
    assert_eq!(closed.status.code(), Some(1), "{}", stderr(&closed));
    assert!(
        stderr(&closed).contains("standard output is closed"),
        "{}",
        stderr(&closed)
    );
    let null = run("> /dev/null");
    assert_eq!(null.status.code(), Some(0), "{}", stderr(&null));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `plot --out` may not name one of its inputs, nor be empty: usage errors, exit status 2, and
/// the input is untouched.
#[test]
fn plot_out_never_overwrites_an_input() {
    let dir = std::env::temp_dir().join(format!("alliance-plot-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv = dir.join("sessions.csv");
    let text = "session,1,2,3,4\n1,9,9,9,9\n2,8,8,8,8\n";
    std::fs::write(&csv, text).expect("written");
    let path = csv.to_string_lossy().into_owned();
    let dotted = dir
        .join(".")
        .join("sessions.csv")
        .to_string_lossy()
        .into_owned();
    for out in [path.as_str(), dotted.as_str(), ""] {
        let o = alliance(&["plot", "--instrument", "srs", "--csv", &path, "--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_to_string(&csv).expect("read"), text);
    let _ = std::fs::remove_dir_all(&dir);
}

/// With `--errors json` a record's id is in `input_id` and nowhere else in the line, for the
/// library's errors and the command's own; a 5 MB cell, id or answer, gives short lines.
#[test]
fn errors_json_carries_the_id_only_under_input_id_and_stays_short() {
    let dir = std::env::temp_dir().join(format!("alliance-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("written");
        p.to_string_lossy().into_owned()
    };
    let wide = write(
        "wide.csv",
        "id,session,1,2,3,4\nSECRET-K,1,9,19,9,9\n".to_owned(),
    );
    let long = write(
        "long.csv",
        "id,session,item,value\nSECRET-K,1,1,9\nSECRET-K,1,1,8\n".to_owned(),
    );
    let rci = write(
        "rci.csv",
        "id,time,score\nSECRET-K,1,20\nSECRET-K,2,10\nSECRET-K,1,22\n".to_owned(),
    );
    let runs: [&[&str]; 3] = [
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            &wide,
            "--session",
            "session",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            &long,
            "--format",
            "long",
        ],
        &[
            "rci",
            "--csv",
            &rci,
            "--id",
            "id",
            "--time",
            "time",
            "--outcome",
            "score",
            "--pre",
            "1",
            "--post",
            "2",
            "--reliability",
            "0.8",
            "--better",
            "lower",
            "--method",
            "jt",
            "--cutoff",
            "a",
        ],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--errors", "json"]);
        let o = alliance(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let line = stderr(&o);
        let mut v: Value = serde_json::from_str(line.trim()).expect("one JSON line");
        assert_eq!(v["input_id"], "SECRET-K", "{line}");
        if let Value::Object(map) = &mut v {
            map.remove("input_id");
        }
        assert!(!v.to_string().contains("SECRET"), "{args:?}: {line}");
    }
    let huge = write(
        "huge.csv",
        format!(
            "id,session,1,2,3,4\n{},1,9,9,9,9\nc2,1,{},9,9,9\n",
            "X".repeat(5_000_000),
            "9".repeat(5_000_000)
        ),
    );
    for format in ["text", "json"] {
        let o = alliance(&[
            "score",
            "--instrument",
            "srs",
            "--csv",
            &huge,
            "--session",
            "session",
            "--keep-going",
            "--errors",
            format,
        ]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 2, "{format}");
        assert!(err.len() < 2_000, "{format}: {} bytes", err.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
