//! The `alliance` example, run as a user runs it. `cargo test` builds examples before running
//! tests, so the binary sits in `target/<profile>/examples/`.
#![cfg(feature = "serde")]

use std::path::PathBuf;
use std::process::{Command, Output};

fn alliance(args: &[&str]) -> Output {
    // target/<profile>/deps/cli-<hash> -> target/<profile>/examples/alliance
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile directory");
    let bin = dir
        .join("examples")
        .join(format!("alliance{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not built: run `cargo test`, which builds examples",
        bin.display()
    );
    Command::new(bin)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

fn data(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "cli", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn demo_prints_the_session_report() {
    let o = alliance(&["demo"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rater_rows = |rater: &str| {
        out.lines()
            .filter(|l| l.split_whitespace().nth(2) == Some(rater))
            .count()
    };
    assert_eq!(rater_rows("client"), 12, "{out}");
    assert_eq!(rater_rows("therapist"), 12, "{out}");
    assert!(
        out.contains("Client total: 26 at session 1 -> 57 at session 12."),
        "{out}"
    );
    assert!(out.contains("44.7*"), "session 7 is prorated: {out}");
    assert!(out.contains("talk about the relationship"), "{out}");
    assert!(out.contains("unvalidated"), "{out}");
}

#[test]
fn instruments_lists_the_catalog() {
    let o = alliance(&["instruments"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for id in [
        "wai-sr",
        "wai-s",
        "wai ",
        "srs",
        "tasc-r",
        "arm-5",
        "cbt-client",
        "humanistic-therapist",
    ] {
        assert!(out.contains(id), "{id}: {out}");
    }
}

#[test]
fn score_wai_sr_gives_component_and_total_sums() {
    let o = alliance(&[
        "score",
        "--instrument",
        "wai-sr",
        "--csv",
        &data("wai_sr.csv"),
        "--output",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read_to_string(data("wai_sr.expected.csv")).expect("expected file");
    assert_eq!(stdout(&o), expected);
    // csv is the default output.
    let o = alliance(&[
        "score",
        "--instrument",
        "wai-sr",
        "--csv",
        &data("wai_sr.csv"),
    ]);
    assert_eq!(stdout(&o), expected);
}

#[test]
fn score_refuses_a_nine_naming_row_column_and_value() {
    let o = alliance(&[
        "score",
        "--instrument",
        "wai-sr",
        "--csv",
        &data("wai_sr_nine.csv"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "nothing is written for a bad file");
    assert_eq!(
        stderr(&o),
        "alliance: error: row 2 (id \"p02\"), column \"9\": item 9: value 9 is outside the response range 1 to 5\n"
    );
}

#[test]
fn score_reports_other_bad_input_in_one_line() {
    let cases = [
        (
            "wai_sr_text.csv",
            "row 1 (id \"p01\"), column \"5\": \"five\" is not a number",
        ),
        (
            "wai_sr_unknown_column.csv",
            "column 14 (\"13\") is neither the id column \"id\" nor an item of wai-sr",
        ),
        (
            "wai_sr_ragged.csv",
            "found record with 12 fields, but the previous record has 13 fields",
        ),
        ("no_such_file.csv", "cannot read"),
    ];
    for (file, needle) in cases {
        let o = alliance(&["score", "--instrument", "wai-sr", "--csv", &data(file)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file}: {err}");
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.contains(needle), "{file}: {err}");
    }
    let o = alliance(&["score", "--instrument", "srs", "--csv", &data("srs.csv")]);
    assert!(
        stderr(&o).contains("the header has no id column \"id\""),
        "{}",
        stderr(&o)
    );
    let o = alliance(&[
        "score",
        "--instrument",
        "srs",
        "--csv",
        &data("srs.csv"),
        "--id",
        "client",
    ]);
    assert!(
        stderr(&o).contains("row 3 (id \"c\"), column \"1\": item 1: value 7.25 is not a point of the response scale (step 0.1)"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).is_empty(),
        "a bad row stops the run before anything is written"
    );
    let o = alliance(&["score", "--instrument", "nope", "--csv", &data("srs.csv")]);
    assert_eq!(
        stderr(&o),
        "alliance: error: no instrument nope in the catalog\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["score", "--csv", "x.csv"],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--output",
            "xml",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
        ],
        &["score", "--instrument"],
        &["demo", "extra"],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).starts_with("alliance: "), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}");
    }
}

/// Runs `alliance score` on CSV text written to a temporary file, with extra arguments.
fn score_text(name: &str, csv: &str, extra: &[&str]) -> Output {
    let path = std::env::temp_dir().join(format!("alliance-{name}-{}.csv", std::process::id()));
    std::fs::write(&path, csv).expect("temp file");
    let path_text = path.to_string_lossy().into_owned();
    let mut args = vec!["score", "--csv", &path_text];
    args.extend_from_slice(extra);
    let o = alliance(&args);
    let _ = std::fs::remove_file(&path);
    o
}

#[test]
fn score_json_carries_scores_and_flags() {
    let o = score_text(
        "srs-json",
        "client,1,2,3,4\na,9,9,9,9\nb,9.5,9,9,9\n",
        &["--instrument", "srs", "--id", "client", "--output", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["scores"]["total"]["scored"]["sum"], 36.0);
    assert_eq!(rows[0]["flags"][0]["message"], "discuss the relationship");
    assert!(
        rows[0]["flags"][0]["source"]
            .as_str()
            .is_some_and(|s| s.contains("not a validated cutoff"))
    );
    assert_eq!(rows[1]["scores"]["total"]["scored"]["sum"], 36.5);
    assert_eq!(rows[1]["flags"].as_array().map(Vec::len), Some(0));
}

#[test]
fn score_names_the_output_id_column_id_and_adds_global_for_srs() {
    let o = score_text(
        "srs-id",
        "client,1,2,3,4\na,9,9,9,9\nb,9.5,,9,9\n",
        &["--instrument", "srs", "--id", "client"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,global,total\na,9,9,9,9,36\nb,,9,9.5,9,\n"
    );
}
#[test]
fn score_metric_option_selects_mean_or_pomp() {
    let run = |metric: &str| {
        let o = alliance(&[
            "score",
            "--instrument",
            "wai-sr",
            "--csv",
            &data("wai_sr.csv"),
            "--metric",
            metric,
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).lines().nth(1).map(str::to_owned)
    };
    // Row "complete": goals 9, collaboration 10, bond 14 of 4 items each; total 33 of 12.
    assert_eq!(run("mean").as_deref(), Some("complete,2.25,2.5,3.5,2.75"));
    assert_eq!(
        run("pomp").as_deref(),
        Some("complete,31.25,37.5,62.5,43.75")
    );
    assert_eq!(run("sum").as_deref(), Some("complete,9,10,14,33"));
}
