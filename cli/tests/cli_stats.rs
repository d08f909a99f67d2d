//! `alliance trajectory`, `alliance effect-size` and `alliance correlate`, run as a user runs
//! them:
//! - known answers from R 4.2.2 (and effectsize 0.8.3) in tests/data (the files
//!   tests/change_stats.rs checks the library against): every client's `lm(bdi ~ session)` on
//!   the suddengains BDI, HAMD time 1 -> 4 in `claus_2020`, `rq_s0` with `bdi_s12` in `sgdata`;
//!   1e-9 relative (1e-12 absolute near zero), the noncentral d_z interval to 1e-6;
//! - messy files (tests/data/cli/stats_*_messy.csv: a byte-order mark, CRLF, quoted fields with
//!   commas, quotes and line breaks, spaces, blank lines, an `NA` token) give what their clean
//!   equivalents give, and values worked by hand;
//! - bad input: exit status 1 and one line naming the row (by its line in the file, the header
//!   being line 1) and the column; a bad command line: exit status 2 and one line naming the
//!   option.
//!
//! `cargo test` builds examples before running tests, so the binary sits in
//! `target/<profile>/examples/`.
#![allow(clippy::excessive_precision)] // R's values as printed, 17 digits

use std::process::Output;

use serde_json::Value;

mod support;
use support::{alliance, data, stderr, stdout, with_csv};

/// The one JSON object a successful run prints (nothing on stderr).
#[track_caller]
fn json(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    assert!(o.stderr.is_empty(), "{}", stderr(o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert!(v.is_object(), "{v}");
    v
}

/// Exit status 1, nothing on stdout, and exactly `alliance: error: {message}` on stderr.
#[track_caller]
fn fails_with(o: &Output, message: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    assert!(o.stdout.is_empty(), "{}", stdout(o));
    assert_eq!(stderr(o), format!("alliance: error: {message}\n"));
}

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(data(name)).expect("reference file");
    serde_json::from_str(&text).expect("reference JSON")
}

#[track_caller]
fn num(v: &Value, pointer: &str) -> f64 {
    v.pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no number at {pointer} in {v}"))
}

/// Compares within `tolerance` relative (1e-12 absolute near zero); the relative difference.
#[track_caller]
fn close_to(got: f64, want: f64, tolerance: f64, what: &str) -> f64 {
    let diff = (got - want).abs();
    assert!(
        diff <= tolerance * want.abs() || diff <= 1e-12,
        "{what}: {got} vs R {want} (relative {:e})",
        diff / want.abs()
    );
    if want == 0.0 { diff } else { diff / want.abs() }
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) -> f64 {
    close_to(got, want, 1e-9, what)
}

const TRAJECTORY: [&str; 9] = [
    "trajectory",
    "--csv",
    "{}",
    "--id",
    "client",
    "--time",
    "session",
    "--score",
    "score",
];

// Known answers.

#[test]
fn trajectory_matches_r_lm_on_sgdata() {
    let o = alliance(&[
        "trajectory",
        "--csv",
        &data("sgdata_bdi_long.csv"),
        "--id",
        "id",
        "--time",
        "session",
        "--score",
        "bdi",
        "--na",
        "NA",
        "--early",
        "3",
    ]);
    let out = json(&o);
    let r = reference("change_stats_trajectory_sgdata.json");
    assert_eq!(r["input"]["early"], 3);
    let want = r["result"].as_array().expect("result");
    let got = out["clients"].as_array().expect("clients");
    assert_eq!(got.len(), want.len());
    let mut worst = 0f64;
    let mut without_ci = 0;
    // Clients come in the order of their first row, as R's split() orders these ids.
    for (g, w) in got.iter().zip(want) {
        let id = w["id"].as_str().expect("id");
        assert_eq!(g["id"], id);
        assert_eq!(g["n"], w["n"], "client {id} n");
        let what = |field: &str| format!("client {id} {field}");
        for key in ["intercept", "slope", "early", "change"] {
            worst = worst.max(close(
                num(g, &format!("/{key}")),
                num(w, &format!("/{key}")),
                &what(key),
            ));
        }
        if w["slope_se"].is_null() {
            assert!(g["slope_se"].is_null() && g["slope_ci"].is_null(), "{g}");
            without_ci += 1;
        } else {
            worst = worst.max(close(
                num(g, "/slope_se"),
                num(w, "/slope_se"),
                &what("slope_se"),
            ));
            for i in 0..2 {
                let p = format!("/slope_ci/{i}");
                worst = worst.max(close(num(g, &p), num(w, &p), &what(&p)));
            }
        }
        let n = g["n"].as_u64().expect("n");
        assert_eq!(g["missing"].as_u64(), Some(12 - n), "client {id} missing");
    }
    assert_eq!(without_ci, 3);
    eprintln!(
        "trajectory: {} clients, max relative difference {worst:e}",
        got.len()
    );
}

#[test]
fn effect_size_matches_r_and_effectsize_on_claus_2020() {
    let o = alliance(&[
        "effect-size",
        "--csv",
        &data("claus_2020.csv"),
        "--id",
        "id",
        "--time",
        "time",
        "--score",
        "hamd",
        "--pre",
        "1",
        "--post",
        "4",
    ]);
    let out = json(&o);
    let r = reference("change_stats_effect_claus.json");
    assert_eq!(
        (r["input"]["pre"].as_u64(), r["input"]["post"].as_u64()),
        (Some(1), Some(4))
    );
    let w = &r["result"];
    assert_eq!(out["n"], w["n"]);
    assert_eq!(
        (out["pre_session"].as_u64(), out["post_session"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(out["incomplete"], 3);
    let mut worst = 0f64;
    for key in [
        "mean_diff",
        "sd_diff",
        "t",
        "df",
        "p",
        "d_z",
        "d_av",
        "d_rm",
        "r_pre_post",
    ] {
        let p = format!("/{key}");
        worst = worst.max(close(num(&out, &p), num(w, &p), key));
    }
    let mut worst_ci = 0f64;
    for i in 0..2 {
        let p = format!("/d_z_ci/{i}");
        worst_ci = worst_ci.max(close_to(num(&out, &p), num(w, &p), 1e-6, &p));
    }
    // g_z is J d_z with the exact J for df 39 (R 4.2.2: exp(lgamma(39/2) - log(sqrt(39/2)) -
    // lgamma(38/2))).
    let j = 0.980_624_238_680_338_3;
    close(num(&out, "/g_z"), j * num(w, "/d_z"), "g_z");
    eprintln!("effect-size: max relative difference {worst:e}; d_z interval {worst_ci:e}");
}

#[test]
fn correlate_matches_r_cor_test_on_sgdata() {
    let r = reference("change_stats_correlate_sgdata.json");
    let (x, y) = (
        r["input"]["x"].as_str().expect("x"),
        r["input"]["y"].as_str().expect("y"),
    );
    let out = json(&alliance(&[
        "correlate",
        "--csv",
        &data("sgdata.csv"),
        "--x",
        x,
        "--y",
        y,
    ]));
    let w = &r["result"];
    assert_eq!(out["n"], w["n"]);
    assert_eq!(out["incomplete"], 5);
    let mut worst = 0f64;
    for p in ["/pearson", "/pearson_ci/0", "/pearson_ci/1", "/spearman"] {
        worst = worst.max(close(num(&out, p), num(w, p), p));
    }
    // R 4.2.2: cor.test(sgdata$rq_s0, sgdata$bdi_s12)$statistic, $parameter, $p.value
    for (p, want) in [
        ("/t", 0.490_818_061_989_048_76),
        ("/df", 36.0),
        ("/p", 0.626_533_837_052_200_89),
    ] {
        worst = worst.max(close(num(&out, p), want, p));
    }
    eprintln!("correlate: max relative difference {worst:e}");
}

// Messy files.

/// tests/data/cli/stats_long_messy.csv without the mess: the same rows, plainly written.
const LONG_CLEAN: &str = "client,session,note,score\n\
                          a,1,,10\na,2,,12\na,3,,14\n\
                          b,1,,20\nb,2,,\nb,3,,17\nb,4,,15\n\
                          c,2,,9\nc,1,,11\nc,3,,\nd,1,,\n";

#[test]
fn trajectory_reads_a_messy_long_file() {
    let messy_path = data("cli/stats_long_messy.csv");
    let mut args = TRAJECTORY.to_vec();
    args[2] = &messy_path;
    let messy = json(&alliance(&[&args[..], &["--na", "NA"][..]].concat()));
    let clean = json(&with_csv("long-clean", LONG_CLEAN, &TRAJECTORY));
    assert_eq!(messy, clean);
    let clients = messy["clients"].as_array().expect("clients");
    let ids: Vec<&str> = clients.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    // a: 10, 12, 14 on sessions 1-3 (the third written 3.0): an exact line.
    let a = &clients[0];
    assert_eq!((a["n"].as_u64(), a["missing"].as_u64()), (Some(3), Some(0)));
    for (p, want) in [
        ("/intercept", 8.0),
        ("/slope", 2.0),
        ("/slope_se", 0.0),
        ("/slope_ci/0", 2.0),
        ("/slope_ci/1", 2.0),
        ("/early", 12.0),
        ("/change", 4.0),
    ] {
        assert_eq!(num(a, p), want, "a {p}");
    }
    // b: (1, 20), (3, 17), (4, 15), session 2 missed: Sxx = 14/3, Sxy = -23/3.
    let b = &clients[1];
    assert_eq!((b["n"].as_u64(), b["missing"].as_u64()), (Some(3), Some(1)));
    let slope = -23.0 / 14.0;
    close(num(b, "/slope"), slope, "b slope");
    close(
        num(b, "/intercept"),
        52.0 / 3.0 - slope * 8.0 / 3.0,
        "b intercept",
    );
    let sse: f64 = [(1.0, 20.0), (3.0, 17.0), (4.0, 15.0)]
        .iter()
        .map(|&(x, y): &(f64, f64)| {
            let e = y - (52.0 / 3.0 + slope * (x - 8.0 / 3.0));
            e * e
        })
        .sum();
    let se = (sse / 1.0 / (14.0 / 3.0)).sqrt();
    close(num(b, "/slope_se"), se, "b slope_se");
    // qt(0.975, 1) = 12.706204736174698 (R 4.2.2).
    close(
        num(b, "/slope_ci/0"),
        slope - 12.706_204_736_174_698 * se,
        "b lower",
    );
    close(num(b, "/early"), 52.0 / 3.0, "b early");
    assert_eq!(num(b, "/change"), -5.0);
    // c: 11 and 9 (rows out of order), session 3 NA: a line through two points, no interval.
    let c = &clients[2];
    assert_eq!((c["n"].as_u64(), c["missing"].as_u64()), (Some(2), Some(1)));
    assert_eq!((num(c, "/slope"), num(c, "/intercept")), (-2.0, 13.0));
    assert!(c["slope_se"].is_null() && c["slope_ci"].is_null());
    assert_eq!((num(c, "/early"), num(c, "/change")), (10.0, -2.0));
    // d: no score at all.
    let d = &clients[3];
    assert_eq!((d["n"].as_u64(), d["missing"].as_u64()), (Some(0), Some(1)));
    for key in [
        "intercept",
        "slope",
        "slope_se",
        "slope_ci",
        "early",
        "change",
    ] {
        assert!(d[key].is_null(), "d {key}: {d}");
    }
    // Without --na, the NA is a cell that is not a number, on line 14 of the file (the header,
    // a blank line, a line of spaces and a quoted line break all count).
    fails_with(
        &alliance(&args),
        "row 14 (id \"c\"), column \"score\": \"NA\" is not a number",
    );
}

#[test]
fn effect_size_reads_a_messy_long_file() {
    let messy_path = data("cli/stats_long_messy.csv");
    let args = |csv| {
        vec![
            "effect-size",
            "--csv",
            csv,
            "--id",
            "client",
            "--time",
            "session",
            "--score",
            "score",
            "--pre",
            "1.0",
            "--post",
            "3",
        ]
    };
    let messy = json(&alliance(
        &[&args(&messy_path)[..], &["--na", "NA"][..]].concat(),
    ));
    let clean = json(&with_csv("effect-clean", LONG_CLEAN, &args("{}")));
    assert_eq!(messy, clean);
    // Pairs a (10, 14) and b (20, 17); c has no session-3 score and d no session 3.
    assert_eq!(
        (messy["n"].as_u64(), messy["incomplete"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(num(&messy, "/mean_diff"), 0.5);
    close(num(&messy, "/sd_diff"), 3.5 * 2f64.sqrt(), "sd_diff");
    close(num(&messy, "/t"), 1.0 / 7.0, "t");
    assert_eq!(num(&messy, "/df"), 1.0);
}

#[test]
fn correlate_reads_a_messy_wide_file() {
    let run = |csv: &str, extra: &[&str]| {
        let mut args = vec![
            "correlate",
            "--csv",
            csv,
            "--x",
            "early alliance",
            "--y",
            "outcome change",
        ];
        args.extend_from_slice(extra);
        alliance(&args)
    };
    let messy_path = data("cli/stats_wide_messy.csv");
    let messy = json(&run(&messy_path, &["--na", "NA"]));
    let clean = "id,early alliance,note,outcome change\n\
                 1,38,,-9\n2,45,,-11\n3,30,,-2\n4,41,,-6\n5,52,,-12\n6,35,,\n7,,,-3\n";
    let clean = json(&with_csv(
        "wide-clean",
        clean,
        &[
            "correlate",
            "--csv",
            "{}",
            "--x",
            "early alliance",
            "--y",
            "outcome change",
        ],
    ));
    assert_eq!(messy, clean);
    assert_eq!(
        (messy["n"].as_u64(), messy["incomplete"].as_u64()),
        (Some(5), Some(2))
    );
    // x - 41.2 and y + 8: Sxy = -119, Sxx = 266.8, Syy = 66; the ranks disagree on one pair.
    close(
        num(&messy, "/pearson"),
        -119.0 / (266.8f64 * 66.0).sqrt(),
        "pearson",
    );
    close(num(&messy, "/spearman"), -0.9, "spearman");
    // Without --na, the NA is not a number, on line 11 (the blank line, the quoted line break
    // and the line of spaces count).
    fails_with(
        &run(&messy_path, &[]),
        "row 11, column \"early alliance\": \"NA\" is not a number",
    );
}

// Bad input.

#[test]
fn bad_long_files_are_one_error_line_naming_row_and_column() {
    let messy = std::fs::read(data("cli/stats_long_messy.csv")).expect("fixture");
    let messy = String::from_utf8(messy).expect("UTF-8");
    let edit = |from: &str, to: &str| {
        assert!(messy.contains(from), "{from}");
        messy.replacen(from, to, 1)
    };
    for (name, csv, message) in [
        (
            "not-a-number",
            edit("b,4,,15", "b,4,,1 5"),
            "row 11 (id \"b\"), column \"score\": \"1 5\" is not a number",
        ),
        (
            "nan",
            edit("b,4,,15", "b,4,,NaN"),
            "row 11 (id \"b\"), column \"score\": \"NaN\" is not a finite number",
        ),
        (
            "duplicate",
            edit("c,1,,11", " c , 2.0 ,,11"),
            "row 13 (id \"c\"), column \"session\": client \"c\" has session 2 twice (first in row 12)",
        ),
        (
            "fraction",
            edit("b,4,,15", "b,4.5,,15"),
            "row 11 (id \"b\"), column \"session\": \"4.5\" is not a session number (a whole number from 0)",
        ),
        (
            "negative",
            edit("b,4,,15", "b,-4,,15"),
            "row 11 (id \"b\"), column \"session\": \"-4\" is not a session number (a whole number from 0)",
        ),
        (
            "no-session",
            edit("b,4,,15", "b, ,,15"),
            "row 11 (id \"b\"), column \"session\": no session number",
        ),
        (
            "no-id",
            edit("b,4,,15", "\"\",4,,15"),
            "row 11, column \"client\": no client id",
        ),
        (
            "control-id",
            edit("b,4,,15", "\"b\tB\",4,,15"),
            "row 11, column \"client\": invalid client id: it contains the control character U+0009 at character 2",
        ),
        (
            "ragged",
            edit("b,4,,15", "b,4,15"),
            "row 11: 3 fields, but the header has 4",
        ),
    ] {
        for command in [
            &TRAJECTORY[..],
            &[
                "effect-size",
                "--csv",
                "{}",
                "--id",
                "client",
                "--time",
                "session",
                "--score",
                "score",
                "--pre",
                "1",
                "--post",
                "2",
            ],
        ] {
            let args = [command, &["--na", "NA"][..]].concat();
            let o = with_csv(name, &csv, &args);
            assert_eq!(
                o.status.code(),
                Some(1),
                "{name} {}: {}",
                command[0],
                stderr(&o)
            );
            assert!(o.stdout.is_empty(), "{name}");
            assert_eq!(
                stderr(&o),
                format!("alliance: error: {message}\n"),
                "{name} {}",
                command[0]
            );
        }
    }
    // A non-UTF-8 cell.
    fails_with(
        &with_csv(
            "latin1",
            b"id,s,y\na,1,2\nb\xe9,1,3\n",
            &[
                "trajectory",
                "--csv",
                "{}",
                "--id",
                "id",
                "--time",
                "s",
                "--score",
                "y",
            ],
        ),
        "row 3, column \"id\": the cell is not valid UTF-8",
    );
    // An unknown column lists the header's.
    fails_with(
        &alliance(&[
            "trajectory",
            "--csv",
            &data("sgdata_bdi_long.csv"),
            "--id",
            "id",
            "--time",
            "session",
            "--score",
            "BDI",
        ]),
        "the header has no column \"BDI\" (named in --score); its columns are \"id\", \"session\", \"bdi\"",
    );
    fails_with(
        &with_csv("empty", "", &TRAJECTORY),
        "the header has no column \"client\" (named in --id); it names no columns (is the file empty?)",
    );
    fails_with(
        &alliance(&[
            "trajectory",
            "--csv",
            "no/such/file.csv",
            "--id",
            "a",
            "--time",
            "b",
            "--score",
            "c",
        ]),
        "cannot read no/such/file.csv: No such file or directory (os error 2)",
    );
    // Scores no line fits in double precision: an error, not a panic or a null.
    fails_with(
        &with_csv(
            "huge-line",
            "client,session,score\na,1,1e200\na,2,-1e200\na,3,1e200\n",
            &TRAJECTORY,
        ),
        "row 2 (id \"a\"), column \"score\": \"1e200\" is outside the magnitudes change statistics accept (0, or 1e-100 to 1e100 in absolute value)",
    );
}

#[test]
fn effect_size_bad_input() {
    let run = |name: &str, csv: &str, pre: &str, post: &str| {
        with_csv(
            name,
            csv,
            &[
                "effect-size",
                "--csv",
                "{}",
                "--id",
                "id",
                "--time",
                "t",
                "--score",
                "y",
                "--pre",
                pre,
                "--post",
                post,
            ],
        )
    };
    fails_with(
        &run("absent", "id,t,y\na,1,3\na,2,4\n", "1", "9"),
        "no row has session 9 (--post) in column \"t\"",
    );
    fails_with(
        &run("one-pair", "id,t,y\na,1,3\na,2,4\nb,1,5\nb,2,\n", "1", "2"),
        "pre-post pairs: 1 usable row(s); a paired t test needs at least 2",
    );
    fails_with(
        &run("constant", "id,t,y\na,1,3\na,2,4\nb,1,5\nb,2,6\n", "1", "2"),
        "the post - pre difference has the same value in all 2 usable rows, so Cohen's d_z is undefined",
    );
    // Differences that overflow: an error line, not a panic (statrs panicked on the NaN t).
    fails_with(
        &run(
            "overflow",
            "id,t,y\na,1,1e308\na,2,-1e308\nb,1,1e308\nb,2,-1e308\nc,1,-1e308\nc,2,1e308\n",
            "1",
            "2",
        ),
        "row 2 (id \"a\"), column \"y\": \"1e308\" is outside the magnitudes change statistics accept (0, or 1e-100 to 1e100 in absolute value)",
    );
}

#[test]
fn correlate_bad_input() {
    let run = |name: &str, csv: &str| {
        with_csv(
            name,
            csv,
            &["correlate", "--csv", "{}", "--x", "a", "--y", "b"],
        )
    };
    for (name, csv, message) in [
        (
            "text",
            "id,a,b\n1,2,3\n2, n/a ,4\n",
            "row 3, column \"a\": \"n/a\" is not a number",
        ),
        (
            "inf",
            "id,a,b\n1,2,3\n\n2,5,-inf\n",
            "row 4, column \"b\": \"-inf\" is not a finite number",
        ),
        (
            "ragged",
            "id,a,b\r\n1,2,3\r\n2,5\r\n",
            "row 3: 2 fields, but the header has 3",
        ),
        (
            "unknown",
            "id,a,c\n1,2,3\n",
            "the header has no column \"b\" (named in --y); its columns are \"id\", \"a\", \"c\"",
        ),
        (
            "twice",
            "a,b,a\n1,2,3\n",
            "column \"a\" appears twice in the header",
        ),
        (
            "few",
            "a,b\n1,2\n2,3\n3,\n",
            "correlation: 2 usable row(s); a correlation test needs at least 3",
        ),
        (
            "constant",
            "a,b\n1,2\n2,2\n3,2\n,5\n",
            "column \"b\" (--y) has the same value in all 3 complete pairs, so a correlation is undefined",
        ),
        (
            "overflow",
            "a,b\n1e308,2\n-1e308,4\n1e308,6\n4,8\n",
            "row 2, column \"a\": \"1e308\" is outside the magnitudes change statistics accept (0, or 1e-100 to 1e100 in absolute value)",
        ),
    ] {
        let o = run(name, csv);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{name}");
        assert_eq!(
            stderr(&o),
            format!("alliance: error: {message}\n"),
            "{name}"
        );
    }
    // A perfect correlation: t is infinite, so null; p is 0.
    let out = json(&run("perfect", "a,b\n1,2\n2,4\n3,6\n4,8\n"));
    assert_eq!((num(&out, "/pearson"), num(&out, "/p")), (1.0, 0.0));
    assert!(out["t"].is_null());
}

// The command line.

#[test]
fn help_texts_exit_0() {
    for (command, marker) in [
        ("trajectory", "--early <N>"),
        ("effect-size", "--pre <VALUE>"),
        ("correlate", "--x <COLUMN>"),
    ] {
        for args in [
            &[command, "--help"][..],
            &[command, "-h"],
            &["help", command],
            &[command, "--csv", "x.csv", "--help"],
        ] {
            let o = alliance(args);
            assert_eq!(o.status.code(), Some(0), "{args:?}");
            let out = stdout(&o);
            assert!(
                out.contains(&format!("Usage: alliance {command} ")),
                "{args:?}: {out}"
            );
            assert!(out.contains(marker), "{out}");
            let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words.contains("the header being line 1"), "{out}");
            assert!(o.stderr.is_empty());
        }
        assert!(stdout(&alliance(&["help"])).contains(&format!("\n  {command} ")));
    }
}

#[test]
fn usage_errors_exit_2_naming_the_option() {
    let t = [
        "trajectory",
        "--csv",
        "x.csv",
        "--id",
        "id",
        "--time",
        "s",
        "--score",
        "y",
    ];
    let e = [
        "effect-size",
        "--csv",
        "x.csv",
        "--id",
        "id",
        "--time",
        "s",
        "--score",
        "y",
        "--pre",
        "1",
    ];
    let c = ["correlate", "--csv", "x.csv", "--x", "a"];
    for (args, message) in [
        (
            [&t[..], &["--early", "0"]].concat(),
            "--early: early sessions 0: the early level needs at least 1 session",
        ),
        (
            [&t[..], &["--early", "-1"]].concat(),
            "--early must be a whole number of sessions, at least 1, not \"-1\"",
        ),
        (
            [&t[..], &["--early=two"]].concat(),
            "--early must be a whole number of sessions, at least 1, not \"two\"",
        ),
        (
            [&t[..], &["--early", "2", "--early", "3"]].concat(),
            "the argument '--early <N>' cannot be used multiple times",
        ),
        (
            [&t[..], &["--na", " "]].concat(),
            "--na needs a token (empty cells are missing already)",
        ),
        (
            [&t[..], &["extra"]].concat(),
            "unexpected argument 'extra' found",
        ),
        (
            [&t[..], &["--pre", "1"]].concat(),
            "unexpected argument '--pre' found",
        ),
        (
            t[..7].to_vec(),
            "the following required arguments were not provided: --score <COLUMN>",
        ),
        (
            vec!["trajectory", "--id", "id"],
            "the following required arguments were not provided: --csv <FILE> --time <COLUMN> --score <COLUMN>",
        ),
        (
            vec![
                "trajectory",
                "--csv",
                "x.csv",
                "--id",
                " ",
                "--time",
                "s",
                "--score",
                "y",
            ],
            "--id needs a column name",
        ),
        (
            vec![
                "trajectory",
                "--csv",
                "x.csv",
                "--id",
                "s",
                "--time",
                "s",
                "--score",
                "y",
            ],
            "--id and --time both name column \"s\"",
        ),
        (
            [&e[..], &["--post", "1.0"]].concat(),
            "--pre and --post are both \"1\": give two different times",
        ),
        (
            e.to_vec(),
            "the following required arguments were not provided: --post <VALUE>",
        ),
        (
            [&c[..], &["--y", "a"]].concat(),
            "--x and --y both name column \"a\"",
        ),
        (
            c.to_vec(),
            "the following required arguments were not provided: --y <COLUMN>",
        ),
        ([&c[..], &["--y", ""]].concat(), "--y needs a column name"),
    ] {
        let o = alliance(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
        assert_eq!(
            stderr(&o),
            format!(
                "alliance: {message} (run `alliance {} --help` for usage)\n",
                args[0]
            ),
            "{args:?}"
        );
    }
}
