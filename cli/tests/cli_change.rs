//! The change commands of the `alliance` example (`rci`, `sudden-gains`, `sudden-losses`,
//! `monitor`), run as a user runs them. `cargo test` builds examples before running tests, so
//! the binary sits in `target/<profile>/examples/`.
//!
//! Known answers: `rci` against clinicalsignificance 2.1.0.9000 on `claus_2020` (the reference
//! of tests/rci_clinicalsignificance.rs); `sudden-gains` against suddengains 0.7.2 on `sgdata`
//! (the reference of tests/sudden_gains.rs); options the references do not cover against the
//! library itself; `monitor` against events worked by hand. Tolerance for the references: 1e-9
//! relative (1e-12 absolute near zero), as the library tests.

use std::path::PathBuf;

use serde_json::Value;
use therapeutic_alliance::Better;
use therapeutic_alliance::change::{
    ChangeRow, CriticalValue, CutoffType, RciMethod, ReliableChangeOptions, ScoreSeries,
    SuddenOptions,
};

mod support;
use support::{alliance, data, exe, stderr, stdout};

/// A fixture of tests/data/cli/.
fn cli_data(name: &str) -> String {
    data(&format!("cli/{name}"))
}

/// A reference file of tests/data/.
fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(data(name)).expect("reference file");
    serde_json::from_str(&text).expect("reference JSON")
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let ok = (got - want).abs() <= 1e-9 * want.abs() || (got - want).abs() <= 1e-12;
    assert!(ok, "{what}: {got} vs {want}");
}

#[track_caller]
fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {v}"))
}

/// An id of a reference (a number in R's output) as the text the command prints.
fn id_text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("id {other}"),
    }
}

/// Runs `alliance` expecting success, nothing on stderr, and one JSON document on stdout.
#[track_caller]
fn json_output(args: &[&str]) -> Value {
    let o = alliance(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("one JSON document")
}

/// Runs `alliance` expecting exit status `code`, nothing on stdout and exactly the one line
/// `message` on stderr.
#[track_caller]
fn fails_with(code: i32, args: &[&str], message: &str) {
    let o = alliance(args);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
    assert_eq!(stderr(&o), format!("{message}\n"), "{args:?}");
}

/// A temporary file holding `text`, removed when dropped.
struct TempCsv(PathBuf);

impl TempCsv {
    fn new(name: &str, text: &str) -> Self {
        exe(); // Fails (if it does) before the temporary file is written.
        let path =
            std::env::temp_dir().join(format!("alliance-change-{name}-{}.csv", std::process::id()));
        std::fs::write(&path, text).expect("temp file");
        TempCsv(path)
    }

    fn path(&self) -> String {
        self.0.to_string_lossy().into_owned()
    }
}

impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `args` with every `{}` replaced by `path`.
fn with_path<'a>(args: &[&'a str], path: &'a str) -> Vec<&'a str> {
    args.iter()
        .map(|&a| if a == "{}" { path } else { a })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// rci

/// `alliance rci` on the HAMD of claus_2020, time 1 -> 4, as the reference ran it.
fn rci_claus(method: &str, extra: &[&str]) -> Value {
    let csv = data("claus_2020.csv");
    let mut args = vec![
        "rci",
        "--csv",
        &csv,
        "--id",
        "id",
        "--time",
        "time",
        "--outcome",
        "hamd",
        "--pre",
        "1",
        "--post",
        "4",
        "--reliability",
        "0.80",
        "--better",
        "lower",
        "--method",
        method,
        "--cutoff",
        "c",
        "--functional-mean",
        "8",
        "--functional-sd",
        "8",
    ];
    args.extend_from_slice(extra);
    json_output(&args)
}

#[test]
fn rci_matches_clinicalsignificance_for_every_method() {
    let reference = reference("rci_claus_2020_hamd.json");
    for method in ["JT", "GLN", "HLL", "EN", "NK", "HA"] {
        let extra: &[&str] = if method == "NK" {
            &["--reliability-post", "0.50"]
        } else {
            &[]
        };
        let out = rci_claus(method, extra);
        let want = &reference["methods"][method];
        assert_eq!(out["method"], method);
        assert_eq!(out["n_used"].as_u64(), reference["n_used"].as_u64());
        for (key, want_key) in [
            ("pre_mean", "m_pre"),
            ("pre_sd", "sd_pre"),
            ("post_mean", "m_post"),
            ("post_sd", "sd_post"),
        ] {
            close(num(&out, key), num(&reference, want_key), key);
        }
        assert_eq!(out["dropped"], serde_json::json!(["4", "17", "27"]));
        close(
            num(&out, "cutoff"),
            num(want, "cutoff"),
            &format!("{method} cutoff"),
        );
        let people = out["people"].as_array().expect("people");
        let want_people = want["per_person"].as_array().expect("per_person");
        assert_eq!(people.len(), want_people.len(), "{method}");
        for (got, w) in people.iter().zip(want_people) {
            let what = format!("{method} patient {}", w["id"]);
            assert_eq!(
                got["id"].as_str(),
                Some(id_text(&w["id"]).as_str()),
                "{what}"
            );
            assert_eq!(
                got["pre"],
                w["pre"].as_f64().map(Value::from).unwrap(),
                "{what}"
            );
            assert_eq!(
                got["post"],
                w["post"].as_f64().map(Value::from).unwrap(),
                "{what}"
            );
            close(num(got, "rci"), num(w, "rci"), &format!("{what} RCI"));
            assert_eq!(got["category"], w["category"], "{what} category");
        }
        for category in [
            "recovered",
            "improved",
            "unchanged",
            "deteriorated",
            "harmed",
        ] {
            assert_eq!(
                out["counts"][category], want["counts"][category],
                "{method} count {category}"
            );
        }
    }
    // Method names in any case.
    let lower = rci_claus("hll", &[]);
    assert_eq!(lower["method"], "HLL");
    assert_eq!(lower, rci_claus("Hll", &[]));
}

/// The analysis of `tests/data/cli/rci_messy.csv` through the library: claus_2020's HAMD of
/// patients 1, 2, 3, 5, 13 and 21 (patient 4 has no post-test score).
fn messy_expected(method: RciMethod) -> therapeutic_alliance::change::ReliableChange {
    let rows = [
        ("1", Some(25.0), Some(13.0)),
        ("2", Some(15.0), Some(11.0)),
        ("3", Some(28.0), Some(4.0)),
        ("4", Some(15.0), None),
        ("5", Some(30.0), Some(25.0)),
        ("13", Some(24.0), Some(30.0)),
        ("21", Some(28.0), Some(14.0)),
    ]
    .map(|(id, pre, post)| ChangeRow::new(id, pre, post));
    ReliableChangeOptions::new(method, 0.8, Better::Lower)
        .and_then(|r| r.functional(8.0, 8.0))
        .map(|r| r.cutoff(CutoffType::C))
        .and_then(|r| r.analyze(rows))
        .expect("analysis")
}

#[test]
fn rci_reads_a_messy_long_file() {
    // A byte-order mark, CRLF line endings, quoted fields (a comma, an escaped quote, a line
    // break), spaces around cells, blank lines and a line of spaces; rows of other times.
    let csv = cli_data("rci_messy.csv");
    for (method, name) in [
        (RciMethod::JacobsonTruax, "jt"),
        (RciMethod::HagemanArrindell, "HA"),
    ] {
        let out = json_output(&[
            "rci",
            "--csv",
            &csv,
            "--id",
            "id",
            "--time",
            "time",
            "--outcome",
            "hamd",
            "--pre",
            " 1",
            "--post=4",
            "--reliability",
            "0.8",
            "--better",
            "lower",
            "--method",
            name,
            "--cutoff",
            "c",
            "--functional-mean",
            "8",
            "--functional-sd",
            "8",
        ]);
        let want = messy_expected(method);
        assert_eq!(out["n_used"], 6);
        assert_eq!(out["n_dropped"], 1);
        assert_eq!(out["dropped"], serde_json::json!(["4"]));
        close(num(&out, "cutoff"), want.cutoff.value, "cutoff");
        close(num(&out, "se"), want.se, "se");
        close(
            num(&out, "critical_value"),
            want.critical_value,
            "critical value",
        );
        let people = out["people"].as_array().expect("people");
        assert_eq!(people.len(), want.people.len());
        for (got, w) in people.iter().zip(&want.people) {
            assert_eq!(got["id"].as_str(), Some(w.id.as_str()));
            assert_eq!((num(got, "pre"), num(got, "post")), (w.pre, w.post));
            close(num(got, "rci"), w.rci, &format!("{} rci", w.id));
            assert_eq!(got["category"].as_str(), Some(w.category.name()));
        }
        let counts = &out["counts"];
        assert_eq!(
            [
                &counts["recovered"],
                &counts["improved"],
                &counts["unchanged"],
                &counts["deteriorated"],
                &counts["harmed"]
            ],
            [
                want.counts.recovered,
                want.counts.improved,
                want.counts.unchanged,
                want.counts.deteriorated,
                want.counts.harmed
            ]
            .map(Value::from)
            .each_ref()
        );
    }
}

/// The `rci` arguments for a file `{}` with columns id, time, score; times 1 and 2.
const RCI_SMALL: [&str; 21] = [
    "rci",
    "--csv",
    "{}",
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
    "JT",
    "--cutoff",
    "a",
];

#[test]
fn rci_na_token_and_empty_cells_are_missing() {
    let t = TempCsv::new(
        "rci-na",
        "id,time,score\na,1,20\na,2,10\nb,1,30\nb,2,NA\nc,1,25\nc,2,12\nd,1,\nd,2,3\ne,1,22\ne,2,20\n",
    );
    let path = t.path();
    let mut args = with_path(&RCI_SMALL, &path);
    args.extend(["--na", "NA"]);
    let out = json_output(&args);
    assert_eq!(out["n_used"], 3);
    assert_eq!(out["dropped"], serde_json::json!(["b", "d"]));
    // Without --na, "NA" is not a number.
    fails_with(
        1,
        &with_path(&RCI_SMALL, &path),
        "alliance: error: row 5 (id \"b\"), column \"score\": \"NA\" is not a number",
    );
}

#[test]
fn rci_bad_input_is_one_error_line() {
    for (name, csv, message) in [
        (
            "rci-text",
            "id,time,score\na,1,20\na,2,n/a\nb,1,30\nb,2,12\n",
            "row 3 (id \"a\"), column \"score\": \"n/a\" is not a number",
        ),
        (
            "rci-duplicate",
            "id,time,score\na,1,20\na,2,10\n\r\nb,1,30\nb,1,31\nb,2,12\n",
            "row 6 (id \"b\"), column \"time\": a second row for time \"1\" (the first is row 5)",
        ),
        (
            "rci-empty-id",
            "id,time,score\na,1,20\n ,2,10\n",
            "row 3, column \"id\": no id",
        ),
        (
            "rci-ragged",
            "id,time,score\r\na,1,20\r\na,2\r\n",
            "row 3: 2 fields, but the header has 3",
        ),
        (
            "rci-bad-id",
            "id,time,score\na,1,20\na,2,10\n\"b\u{200b}\",1,30\n\"b\u{200b}\",2,12\n",
            "row 4 (id \"b\\u{200b}\"), column \"id\": invalid client id: it contains the invisible character U+200B at character 2",
        ),
        (
            "rci-one-person",
            "id,time,score\na,1,20\na,2,10\nb,1,30\n",
            "pre-post data: 1 usable row(s); the reliable change index needs at least 2",
        ),
        (
            "rci-inf",
            "id,time,score\na,1,20\na,2,1e999\n",
            "row 3 (id \"a\"), column \"score\": \"1e999\" is not a finite number",
        ),
        (
            "rci-no-post",
            "id,time,score\na,1,20\na,3,10\nb,1,30\nb,3,12\n",
            "no row of {path} has the time \"2\" given to --post in column \"time\"",
        ),
    ] {
        let t = TempCsv::new(name, csv);
        let path = t.path();
        let o = alliance(&with_path(&RCI_SMALL, &path));
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{name}");
        assert_eq!(
            stderr(&o),
            format!("alliance: error: {}\n", message.replace("{path}", &path)),
            "{name}"
        );
    }
    // Times match as numbers: 2.0 and 02 are time 2.
    let t = TempCsv::new(
        "rci-numeric-time",
        "id,time,score\na,1,20\na,2.0,10\nb,01,30\nb,02,12\n",
    );
    let path = t.path();
    let o = alliance(&with_path(&RCI_SMALL, &path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(out["n_used"], 2);
    // An unknown column.
    let csv = data("claus_2020.csv");
    let mut args = RCI_SMALL.to_vec();
    args[2] = &csv;
    args[8] = "hamd2";
    fails_with(
        1,
        &args,
        "alliance: error: the header has no column \"hamd2\" (named in --outcome)",
    );
    // A missing file.
    args[2] = "no-such-file.csv";
    let o = alliance(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("alliance: error: cannot read no-such-file.csv"));
}

#[test]
fn rci_usage_errors_exit_2_naming_the_option() {
    let help = "(run `alliance rci --help` for usage)";
    for (change, message) in [
        (
            vec![("--reliability", "1.5")],
            "--reliability 1.5: must be above 0 and at most 1",
        ),
        (
            vec![("--reliability", "0")],
            "--reliability 0: must be above 0 and at most 1",
        ),
        (
            vec![("--reliability", "high")],
            "--reliability must be a number, not \"high\"",
        ),
        (
            vec![("--method", "RC")],
            "invalid value 'RC' for '--method <M>' [possible values: JT, GLN, HLL, EN, NK, HA]",
        ),
        (
            vec![("--better", "up")],
            "invalid value 'up' for '--better <BETTER>' [possible values: lower, higher]",
        ),
        (
            vec![("--cutoff", "d")],
            "invalid value 'd' for '--cutoff <CUTOFF>' [possible values: a, b, c]",
        ),
        (
            vec![("--cutoff", "c")],
            "--cutoff c needs the functional population: give --functional-mean and --functional-sd",
        ),
        (
            vec![("--post", "1")],
            "--pre and --post are both \"1\": give two different times",
        ),
        (
            vec![("--outcome", "time")],
            "--id, --time and --outcome must name three different columns",
        ),
    ] {
        let mut args = RCI_SMALL.to_vec();
        for (flag, value) in &change {
            let at = args.iter().position(|a| a == flag).expect("flag") + 1;
            args[at] = value;
        }
        fails_with(2, &args, &format!("alliance: {message} {help}"));
    }
    for (extra, message) in [
        (
            &["--functional-mean", "8"][..],
            "--functional-mean and --functional-sd go together",
        ),
        (
            &["--functional-mean", "8", "--functional-sd", "-2"],
            "--functional-sd -2: must be a finite number above 0",
        ),
        (
            &["--reliability-post", "0.5"],
            "--reliability-post applies to --method NK only",
        ),
        (
            &["--cutoff-b-sd", "clinical"],
            "--cutoff-b-sd applies to --cutoff b only",
        ),
        (
            &["--na", " "],
            "--na needs a token (empty cells are missing already)",
        ),
        (
            &["--reliability", "0.9"],
            "the argument '--reliability <R>' cannot be used multiple times",
        ),
        (
            &["--frobnicate"],
            "unexpected argument '--frobnicate' found",
        ),
        (&["extra"], "unexpected argument 'extra' found"),
    ] {
        let mut args = RCI_SMALL.to_vec();
        args.extend_from_slice(extra);
        fails_with(2, &args, &format!("alliance: {message} {help}"));
    }
    // NK takes a post-test reliability, checked as the reliability is.
    let mut args = RCI_SMALL.to_vec();
    args[18] = "nk";
    args.extend(["--reliability-post", "1.5"]);
    fails_with(
        2,
        &args,
        &format!("alliance: --reliability-post 1.5: must be above 0 and at most 1 {help}"),
    );
    // A required option left out.
    fails_with(
        2,
        &RCI_SMALL[..19],
        &format!(
            "alliance: the following required arguments were not provided: --cutoff <CUTOFF> {help}"
        ),
    );
}

#[test]
fn rci_cutoff_b_steps_the_sd_asked_for() {
    let csv = data("claus_2020.csv");
    let run = |b_sd: Option<&str>| {
        let mut args = vec![
            "rci",
            "--csv",
            &csv,
            "--id",
            "id",
            "--time",
            "time",
            "--outcome",
            "hamd",
            "--pre",
            "1",
            "--post",
            "4",
            "--reliability",
            "0.8",
            "--better",
            "lower",
            "--method",
            "JT",
            "--cutoff",
            "b",
            "--functional-mean",
            "8",
            "--functional-sd",
            "6",
        ];
        if let Some(sd) = b_sd {
            args.extend(["--cutoff-b-sd", sd]);
        }
        json_output(&args)
    };
    // Jacobson & Truax by default: two functional SDs above the functional mean.
    close(num(&run(None), "cutoff"), 8.0 + 2.0 * 6.0, "cutoff b");
    close(num(&run(Some("functional")), "cutoff"), 20.0, "cutoff b");
    // clinicalsignificance's: two clinical (pre-test sample) SDs.
    let clinical = run(Some("clinical"));
    close(
        num(&clinical, "cutoff"),
        8.0 + 2.0 * num(&clinical, "pre_sd"),
        "cutoff b, clinical SD",
    );
}

// ---------------------------------------------------------------------------------------------
// sudden-gains and sudden-losses

const BDI_1_12: &str =
    "bdi_s1,bdi_s2,bdi_s3,bdi_s4,bdi_s5,bdi_s6,bdi_s7,bdi_s8,bdi_s9,bdi_s10,bdi_s11,bdi_s12";

/// `alliance COMMAND` on `csv` with sgdata's BDI columns and cutoff 7.
fn sudden(command: &str, csv: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        command,
        "--csv",
        csv,
        "--id",
        "id",
        "--columns",
        BDI_1_12,
        "--cutoff",
        "7",
    ];
    args.extend_from_slice(extra);
    json_output(&args)
}

/// The gains of the output against suddengains' `create_bysg()` rows.
#[track_caller]
fn same_as_bysg(gains: &[Value], bysg: &[&Value]) {
    assert_eq!(gains.len(), bysg.len());
    for (g, row) in gains.iter().zip(bysg) {
        let what = format!("{}", row["id_sg"]);
        assert_eq!(
            g["id"].as_str(),
            Some(id_text(&row["id"]).as_str()),
            "{what}"
        );
        assert_eq!(g["pregain_index"], row["sg_session_n"], "{what}");
        let index = row["sg_session_n"].as_u64().expect("session");
        assert_eq!(
            g["pregain_column"],
            format!("bdi_s{index}").as_str(),
            "{what}"
        );
        close(num(g, "magnitude"), num(row, "sg_magnitude"), &what);
        assert_eq!(
            g["reversal"].as_bool(),
            Some(row["sg_reversal"].as_u64() == Some(1)),
            "{what} reversal"
        );
        for (key, want) in [
            ("n_minus_2", "sg_bdi_s_2n"),
            ("n_minus_1", "sg_bdi_s_1n"),
            ("n", "sg_bdi_s_n"),
            ("n_plus_1", "sg_bdi_s_n1"),
            ("n_plus_2", "sg_bdi_s_n2"),
            ("n_plus_3", "sg_bdi_s_n3"),
        ] {
            assert_eq!(
                g["scores"][key].as_f64(),
                row[want].as_f64(),
                "{what} {key}"
            );
        }
        for (key, want) in [
            ("treatment_change", "sg_bdi_s_tx_change"),
            ("proportion", "sg_change_proportion"),
            ("reversal_value", "sg_reversal_value"),
        ] {
            match (g[key].as_f64(), row[want].as_f64()) {
                (Some(got), Some(w)) => close(got, w, &format!("{what} {key}")),
                (None, None) => assert!(g[key].is_null() && row[want].is_null(), "{what} {key}"),
                other => panic!("{what} {key}: {other:?}"),
            }
        }
    }
}

#[test]
fn sudden_gains_match_suddengains_on_sgdata() {
    let reference = reference("sg_sgdata_bdi_gains.json");
    let bysg: Vec<&Value> = reference["bysg"].as_array().expect("bysg").iter().collect();
    let out = sudden("sudden-gains", &data("sgdata.csv"), &[]);
    assert_eq!(out["n_clients"], 43);
    // One key, `events`, whose entries say what they are.
    assert!(out.get("losses").is_none() && out.get("gains").is_none());
    let gains = out["events"].as_array().expect("events");
    assert!(gains.iter().all(|g| g["kind"] == "gain"), "{gains:?}");
    assert_eq!(gains.len(), 24);
    same_as_bysg(gains, &bysg);
    // The defaults spelled out: lower is better, criterion 2 at 25%.
    let spelled = sudden(
        "sudden-gains",
        &data("sgdata.csv"),
        &["--better", "lower", "--pct", "0.25"],
    );
    assert_eq!(spelled, out);
}

#[test]
fn sudden_gains_read_a_messy_wide_file() {
    // sgdata's clients 1, 2, 3 and 5 with quoted ids and headers, spaces, CRLF line endings and
    // blank lines, and a column (bdi_s0) not in --columns.
    let reference = reference("sg_sgdata_bdi_gains.json");
    let bysg: Vec<&Value> = reference["bysg"]
        .as_array()
        .expect("bysg")
        .iter()
        .filter(|r| [1, 2, 3, 5].contains(&r["id"].as_u64().unwrap_or_default()))
        .collect();
    let out = sudden("sudden-gains", &cli_data("sudden_messy.csv"), &[]);
    assert_eq!(out["n_clients"], 4);
    same_as_bysg(out["events"].as_array().expect("events"), &bysg);
}

/// The library's analysis of sgdata's BDI.
fn sgdata_series() -> Vec<ScoreSeries> {
    let mut reader = csv::Reader::from_path(data("sgdata.csv")).expect("sgdata");
    let header = reader.headers().expect("header").clone();
    let at = |name: &str| header.iter().position(|h| h == name).expect("column");
    let columns: Vec<usize> = BDI_1_12.split(',').map(at).collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            let scores = columns.iter().map(|&i| {
                r.get(i)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().expect("n"))
            });
            ScoreSeries::new(r.get(at("id")).expect("id"), scores).expect("series")
        })
        .collect()
}

/// The shifts of the output against the library's events.
#[track_caller]
fn same_as_library(shifts: &[Value], analysis: &therapeutic_alliance::change::SuddenChanges) {
    let events: Vec<_> = analysis.events().collect();
    assert_eq!(shifts.len(), events.len());
    for (s, e) in shifts.iter().zip(events) {
        assert_eq!(s["id"].as_str(), Some(e.client.as_str()));
        assert_eq!(s["pregain_index"].as_u64(), Some(e.session));
        assert_eq!(s["magnitude"].as_f64(), e.magnitude);
        assert_eq!(s["reversal"].as_bool(), Some(e.reversal));
    }
}

#[test]
fn sudden_losses_no_adjust_and_direction_agree_with_the_library() {
    let series =
        therapeutic_alliance::change::SessionTable::from_wide(sgdata_series()).expect("table");
    let options = SuddenOptions::new(Better::Lower, 7.0).expect("options");
    let csv = data("sgdata.csv");

    let losses = sudden("sudden-losses", &csv, &[]);
    assert_eq!(losses["kind"], "losses");
    assert!(losses.get("gains").is_none() && losses.get("losses").is_none());
    let shifts = losses["events"].as_array().expect("events");
    assert!(shifts.iter().all(|l| l["kind"] == "loss"), "{shifts:?}");
    same_as_library(shifts, &options.losses(&series).expect("losses"));
    assert!(!shifts.is_empty());

    // --no-adjust: 2.776 for every interval, so at least the adjusted gains.
    let fixed = options
        .critical_value(CriticalValue::Fixed { value: 2.776 })
        .expect("fixed");
    let out = sudden("sudden-gains", &csv, &["--no-adjust"]);
    assert_eq!(out["adjust"], false);
    let gains = out["events"].as_array().expect("events");
    same_as_library(gains, &fixed.gains(&series).expect("gains"));
    assert!(gains.len() >= 24);

    // --pct.
    let relative = options.relative(0.4).expect("pct");
    let out = sudden("sudden-gains", &csv, &["--pct", "0.4"]);
    same_as_library(
        out["events"].as_array().expect("events"),
        &relative.gains(&series).expect("gains"),
    );

    // Higher is better: a gain is a rise, which on the BDI is what a loss is.
    let higher = sudden("sudden-gains", &csv, &["--better", "higher"]);
    assert_eq!(higher["better"], "higher");
    // The same shifts, each a gain rather than a loss.
    let without_kind = |v: &Value| {
        let mut events = v["events"].clone();
        for e in events.as_array_mut().expect("events") {
            e.as_object_mut().expect("event").remove("kind");
        }
        events
    };
    assert_eq!(without_kind(&higher), without_kind(&losses));
}

/// The `sudden-gains` arguments for a file `{}` with columns id, s1..s4.
const SUDDEN_SMALL: [&str; 9] = [
    "sudden-gains",
    "--csv",
    "{}",
    "--id",
    "id",
    "--columns",
    "s1,s2,s3,s4",
    "--cutoff",
    "5",
];

#[test]
fn sudden_bad_input_is_one_error_line() {
    for (name, csv, message) in [
        (
            "sg-text",
            "id,s1,s2,s3,s4\na,20,18,10,9\nb,20,x,10,9\n",
            "row 3 (id \"b\"), column \"s2\": \"x\" is not a number",
        ),
        (
            "sg-duplicate",
            "id,s1,s2,s3,s4\r\na,20,18,10,9\r\n\r\nb,20,18,10,9\r\n\"a\",1,2,3,4\r\n",
            "row 5 (id \"a\"), column \"id\": id \"a\" is on row 2 too; give each client one row",
        ),
        (
            "sg-empty-id",
            "id,s1,s2,s3,s4\na,20,18,10,9\n,20,18,10,9\n",
            "row 3, column \"id\": no id",
        ),
        (
            "sg-ragged",
            "id,s1,s2,s3,s4\na,20,18,10,9,8\n",
            "row 2: 6 fields, but the header has 5",
        ),
        (
            "sg-unknown-column",
            "id,s1,s2,s3,s5\na,20,18,10,9\n",
            "the header has no column \"s4\" (named in --columns)",
        ),
        (
            "sg-twice",
            "id,s1,s2,s3,s4,s4\na,20,18,10,9,9\n",
            "column \"s4\" appears twice in the header",
        ),
    ] {
        let t = TempCsv::new(name, csv);
        let path = t.path();
        fails_with(
            1,
            &with_path(&SUDDEN_SMALL, &path),
            &format!("alliance: error: {message}"),
        );
    }
    // A client id the library refuses is named at its row.
    let t = TempCsv::new("sg-bad-id", "id,s1,s2,s3,s4\n\"a\u{202e}\",20,18,10,9\n");
    let path = t.path();
    fails_with(
        1,
        &with_path(&SUDDEN_SMALL, &path),
        "alliance: error: row 2 (id \"a\\u{202e}\"), column \"id\": invalid client id: it contains the bidirectional control U+202E at character 2",
    );
}

#[test]
fn sudden_usage_errors_exit_2_naming_the_option() {
    for command in ["sudden-gains", "sudden-losses"] {
        let help = format!("(run `alliance {command} --help` for usage)");
        for (extra, message) in [
            (
                &["--cutoff", "-1"][..],
                "--cutoff -1: must be a finite number of at least 0 (a sudden loss is found with the same positive cutoff)",
            ),
            (
                &["--cutoff", "seven"],
                "--cutoff must be a number, not \"seven\"",
            ),
            (
                &["--pct", "-0.25"],
                "--pct -0.25: must be a finite number of at least 0 (0.25 is 25%)",
            ),
            (
                &["--better", "sideways"],
                "invalid value 'sideways' for '--better <BETTER>' [possible values: lower, higher]",
            ),
            (
                &["--columns", "s1,s2,s3"],
                "--columns names 3 sessions; a sudden shift needs at least 4 (two on each side)",
            ),
            (
                &["--columns", "s1,s2,s1,s3"],
                "--columns names \"s1\" twice",
            ),
            (
                &["--columns", "s1,,s2,s3"],
                "--columns \"s1,,s2,s3\" has an empty column name",
            ),
            (
                &["--columns", "id,s1,s2,s3"],
                "--columns names the id column \"id\"",
            ),
            (
                &["--no-adjust=yes"],
                "unexpected value 'yes' for '--no-adjust' found; no more were expected",
            ),
            (&["--id", ""], "--id needs a column name"),
        ] {
            let mut args = vec![command];
            // The small command line, with the flags of `extra` replaced or added.
            let mut base = SUDDEN_SMALL[1..].to_vec();
            for pair in extra.chunks(2) {
                if let [flag, value] = pair
                    && let Some(at) = base.iter().position(|a| a == flag)
                {
                    base[at + 1] = value;
                    continue;
                }
                base.extend_from_slice(pair);
            }
            args.extend(base);
            fails_with(2, &args, &format!("alliance: {message} {help}"));
        }
        fails_with(
            2,
            &[
                command,
                "--csv",
                "x.csv",
                "--id",
                "id",
                "--columns",
                "a,b,c,d",
            ],
            &format!(
                "alliance: the following required arguments were not provided: --cutoff <X> {help}"
            ),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// monitor

/// The events of each session of `monitor` output, as (session, [kind, ...]).
fn kinds(out: &Value) -> Vec<(u64, Vec<String>)> {
    out.as_array()
        .expect("an array of sessions")
        .iter()
        .map(|s| {
            let kinds = s["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| e["kind"].as_str().expect("kind").to_owned())
                .collect();
            (s["session"].as_u64().expect("session"), kinds)
        })
        .collect()
}

#[test]
fn monitor_srs_sessions_worked_by_hand() {
    // SRS totals 38, 38.4, 37.6, 32, 38.8 (every item the same), read from a messy file: CRLF,
    // quoted cells, spaces, blank lines and a line of spaces.
    let csv = cli_data("monitor_srs.csv");
    let out = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture",
        "points:4",
    ]);
    let sessions = out.as_array().expect("sessions");
    let dates: Vec<&str> = sessions.iter().filter_map(|s| s["date"].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-03-02",
            "2026-03-09",
            "2026-03-16",
            "2026-03-23",
            "2026-03-30"
        ]
    );
    let none: Vec<String> = Vec::new();
    let k = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        kinds(&out),
        [
            (1, none.clone()),
            (2, none.clone()),
            // 38.4 -> 37.6: under the SRS's one point, and 0.8 is no rupture of 4 points.
            (3, none.clone()),
            // 32: at or below 36; 5.6 worse than session 3; 6.4 under the level of 38.4.
            (4, k(&["threshold", "worsening", "rupture_opened"])),
            // 38.8 is back above 36 (the alarm left: good news), 6.8 better than session 4
            // (the SRS's one point both ways), and back above 38.4 one session after the onset.
            (5, k(&["threshold", "improvement", "rupture_repaired"])),
        ]
    );
    let s4 = &sessions[3]["events"];
    assert_eq!(s4[0]["flag"]["score"], 32.0);
    assert_eq!(s4[0]["flag"]["threshold"], 36.0);
    let w = &s4[1];
    assert_eq!(w["previous_session"], 3);
    close(num(w, "previous"), 37.6, "previous");
    close(num(w, "worsening"), 5.6, "worsening");
    assert_eq!(w["criterion"], 1.0, "the SRS default of one point");
    let opened = &s4[2]["rupture"];
    assert_eq!(opened["start"], 2);
    assert_eq!(opened["onset"], 4);
    close(num(opened, "level"), 38.4, "level");
    assert_eq!(s4[0]["state"], "entered");
    assert_eq!(s4[0]["severity"], "alert");
    assert_eq!(sessions[4]["events"][0]["state"], "left");
    assert_eq!(sessions[4]["events"][0]["severity"], "info");
    let repair = &sessions[4]["events"][2]["rupture"]["repair"];
    assert_eq!(repair["session"], 5);
    assert_eq!(repair["sessions_after_onset"], 1);

    // The default rule, 1 SD of the client's own totals once three are scored: at session 3 the
    // SD of 38, 38.4 and 37.6 is 0.4, and the dip from 38.4 is 0.8, under the default floor of
    // 5% of the range (2 points); session 4's dip of 6.4 opens a rupture.
    let out = json_output(&["monitor", "--instrument", "srs", "--csv", &csv]);
    assert_eq!(kinds(&out)[2], (3, none.clone()));
    assert!(kinds(&out)[3].1.contains(&"rupture_opened".to_owned()));
    // Without the floor, 0.8 points is 2 of the client's own SDs.
    let bare = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture-floor",
        "none",
    ]);
    assert_eq!(kinds(&bare)[2], (3, k(&["rupture_opened"])));
    // --drop-points none turns the SRS default off; a larger amount raises the bar.
    let quiet = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture",
        "none",
        "--drop-points",
        "none",
    ]);
    assert_eq!(kinds(&quiet)[3], (4, k(&["threshold"])));
    let six = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture=none",
        "--drop-points=6",
    ]);
    assert_eq!(kinds(&six)[3], (4, k(&["threshold"])));
    let reliable = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture",
        "none",
        "--reliable-points",
        "5",
    ]);
    assert_eq!(
        kinds(&reliable)[3],
        (4, k(&["threshold", "reliable_worsening", "worsening"]))
    );
    // --window 1 still repairs (one session after the onset).
    let window = json_output(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--rupture",
        "points:4",
        "--window",
        "1",
    ]);
    assert_eq!(
        kinds(&window)[4],
        (5, k(&["threshold", "improvement", "rupture_repaired"]))
    );
}

#[test]
fn monitor_wai_sr_bond_falling_while_the_others_hold() {
    // Every item 4, then the bond items (3, 5, 7, 9) at 2: bond from 75 to 25 percent of
    // maximum, goals and task unchanged.
    let out = json_output(&[
        "monitor",
        "--instrument",
        "wai-sr",
        "--csv",
        &cli_data("monitor_wai_sr.csv"),
    ]);
    let sessions = out.as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["date"], Value::Null);
    assert_eq!(sessions[0]["events"], serde_json::json!([]));
    let e = &sessions[1]["events"];
    assert_eq!(e.as_array().map(Vec::len), Some(1), "{e}");
    assert_eq!(e[0]["kind"], "component_falling");
    assert_eq!(e[0]["component"], "bond");
    assert_eq!(e[0]["fall"], 50.0);
    assert_eq!(e[0]["previous_session"], 1);
    assert_eq!(e[0]["criterion"], 10.0);
}

#[test]
fn monitor_bad_input_is_one_error_line() {
    for (name, instrument, csv, message) in [
        (
            "mon-text",
            "srs",
            "session,1,2,3,4\n1,9,9,9,9\n2,9,nine,9,9\n",
            "row 3, column \"2\": item 2: \"nine\" is not a number",
        ),
        (
            "mon-range",
            "srs",
            "session,1,2,3,4\r\n\r\n1,9,9,9,11\r\n",
            "row 3, column \"4\": item 4: value 11 is outside the response range 0 to 10",
        ),
        (
            "mon-session",
            "srs",
            "session,1,2,3,4\n1,9,9,9,9\n3b,9,9,9,9\n",
            "row 3, column \"session\": \"3b\" is not a session number (a whole number from 0 to 4294967295)",
        ),
        (
            "mon-no-session",
            "srs",
            "session,1,2,3,4\n,9,9,9,9\n",
            "row 2, column \"session\": no session number",
        ),
        (
            "mon-order",
            "srs",
            "session,1,2,3,4\n1,9,9,9,9\n\n3,9,9,9,9\n2,9,9,9,9\n",
            "row 5, column \"session\": session 2: sessions must strictly increase, and session 2 follows session 3",
        ),
        (
            "mon-conflict",
            "srs",
            "session,1,2,3,4\n1,9,9,9,9\n\n3,9,9,9,9\n3,9,9,9,8\n",
            "row 5: session 3 was observed before with other answers",
        ),
        (
            "mon-date",
            "srs",
            "session,date,1,2,3,4\n1,2026-02-30,9,9,9,9\n",
            "row 2, column \"date\": invalid date \"2026-02-30\": expected an existing calendar date written YYYY-MM-DD",
        ),
        (
            "mon-client",
            "srs",
            "session,client,1,2,3,4\n1,a,9,9,9,9\n2,b,9,9,9,9\n",
            "row 3, column \"client\": session 2: a client other than the series' client",
        ),
        (
            "mon-unknown-column",
            "srs",
            "session,note,1,2,3,4\n1,x,9,9,9,9\n",
            "column 2 (\"note\") is neither session, date, client nor an item of srs",
        ),
        (
            "mon-missing-item",
            "srs",
            "session,1,2,3\n1,9,9,9\n",
            "the header has no column for item 4 of srs",
        ),
        (
            "mon-no-session-column",
            "srs",
            "visit,1,2,3,4\n1,9,9,9,9\n",
            "the header has no column \"session\"",
        ),
        (
            "mon-instrument",
            "srs-x",
            "session,1,2,3,4\n1,9,9,9,9\n",
            "no instrument srs-x in the catalog (`alliance instruments` lists them)",
        ),
    ] {
        let t = TempCsv::new(name, csv);
        let path = t.path();
        fails_with(
            1,
            &["monitor", "--instrument", instrument, "--csv", &path],
            &format!("alliance: error: {message}"),
        );
    }
}

#[test]
fn monitor_usage_errors_exit_2_naming_the_option() {
    let help = "(run `alliance monitor --help` for usage)";
    for (extra, message) in [
        (
            &["--drop-points", "0"][..],
            "--drop-points 0: must be a number of points above 0",
        ),
        (
            &["--drop-points", "x"],
            "--drop-points must be a number, not \"x\"",
        ),
        (
            &["--reliable-points", "-5"],
            "--reliable-points -5: must be a number of points above 0",
        ),
        (
            &["--rupture", "3sd"],
            "--rupture must be 1sd, 2sd, points:X or none, not \"3sd\"",
        ),
        (
            &["--rupture", "points:-1"],
            "--rupture points:-1: points:X needs a number of points above 0",
        ),
        (
            &["--window", "0"],
            "--window 0: a repair needs at least 1 session after the onset",
        ),
        (
            &["--window", "two"],
            "--window must be a whole number of sessions, not \"two\"",
        ),
        (
            &["--rupture", "none", "--window", "2"],
            "--window sets the repair window of a rupture rule, and --rupture is none",
        ),
        (&["--session", "1"], "unexpected argument '--session' found"),
    ] {
        let mut args = vec!["monitor", "--instrument", "srs", "--csv", "x.csv"];
        args.extend_from_slice(extra);
        fails_with(2, &args, &format!("alliance: {message} {help}"));
    }
    fails_with(
        2,
        &["monitor", "--csv", "x.csv"],
        &format!(
            "alliance: the following required arguments were not provided: --instrument <ID> {help}"
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// help

#[test]
fn help_texts_of_the_change_commands() {
    let list = stdout(&alliance(&["help"]));
    for (command, marker) in [
        ("rci", "--cutoff-b-sd"),
        ("sudden-gains", "--no-adjust"),
        ("sudden-losses", "events: one entry per"),
        ("monitor", "For the SRS the default is 1"),
    ] {
        assert!(list.contains(&format!("\n  {command} ")), "{list}");
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
            let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words.contains(marker), "{out}");
            assert!(words.contains("the header being line 1"), "{out}");
            assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
            assert!(o.stderr.is_empty());
        }
    }
    // sudden-gains documents its direction and default.
    let gains = stdout(&alliance(&["sudden-gains", "--help"]));
    let words = gains.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("--better <BETTER> Which direction is improvement (default lower"));
}
