//! The `alliance` example, run as a user runs it. `cargo test` builds examples before running
//! tests, so the binary sits in `target/<profile>/examples/`.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

mod support;
use support::{exe, with_csv};

fn alliance_os<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(exe())
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("runs")
}

fn alliance(args: &[&str]) -> Output {
    alliance_os(args)
}

fn data(name: &str) -> String {
    let p: PathBuf = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
        "tests",
        "data",
        "cli",
        name,
    ]
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

/// A temporary file path unique to this test process and `name`.
fn temp_path(name: &str, ext: &str) -> PathBuf {
    std::env::temp_dir().join(format!("alliance-{name}-{}.{ext}", std::process::id()))
}

/// Runs `alliance score --instrument ID --csv FILE` with extra arguments.
fn score(instrument: &str, csv: &str, extra: &[&str]) -> Output {
    let mut args = vec!["score", "--instrument", instrument, "--csv", csv];
    args.extend_from_slice(extra);
    alliance(&args)
}

/// Runs `alliance score` on CSV text written to a temporary file, with extra arguments.
fn score_text(name: &str, csv: &str, extra: &[&str]) -> Output {
    exe(); // Fails (if it does) before the temporary file is written.
    let path = temp_path(name, "csv");
    std::fs::write(&path, csv).expect("temp file");
    let path_text = path.to_string_lossy().into_owned();
    let mut args = vec!["score", "--csv", &path_text];
    args.extend_from_slice(extra);
    let o = alliance(&args);
    let _ = std::fs::remove_file(&path);
    o
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
        out.contains("session  date        rater      goals  collab   bond  total   POMP  flags"),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l
            == "      1  2026-03-02  client        8       8     10     26      29  alliance below the scale midpoint: talk about the relationship"),
        "{out}"
    );
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
    assert!(
        out.starts_with("id                       rater     modality      items  scale"),
        "{out}"
    );
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
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == [
                "arm-5",
                "client",
                "general",
                "5",
                "1-7",
                "Strongly",
                "disagree~",
                "mean",
                "secondary"
            ]),
        "{out}"
    );
}

/// The value of a `name   value` line of `alliance instruments ID`.
fn field<'a>(out: &'a str, name: &str) -> Option<&'a str> {
    out.lines().find_map(|l| {
        let rest = l.strip_prefix(name)?;
        rest.starts_with(' ').then(|| rest.trim())
    })
}

#[test]
fn instruments_id_shows_the_key_and_provenance() {
    let o = alliance(&["instruments", "wai-s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(field(&out, "id"), Some("wai-s"), "{out}");
    assert_eq!(field(&out, "version"), Some("client-form"), "{out}");
    assert_eq!(
        field(&out, "name"),
        Some("Working Alliance Inventory, short form (WAI-S)")
    );
    assert_eq!(field(&out, "rater"), Some("client"));
    assert_eq!(field(&out, "modality"), Some("general"));
    assert_eq!(
        field(&out, "scale"),
        Some("1 to 7, 7 points; anchors: 1 Never, 7 Always")
    );
    assert_eq!(field(&out, "scoring"), Some("sum (total 12-84)"));
    assert_eq!(
        field(&out, "missing"),
        Some("at least 3/4 of the items, prorated")
    );
    assert!(field(&out, "total").is_some_and(|t| t.contains("subscales added up")));
    assert_eq!(field(&out, "reversed"), Some("4, 10 (scored 8 - x)"));
    assert!(
        out.contains("  goals          Goal, measures goals: items 4, 6, 10, 11; sum 4-28\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "  collaboration  Task, measures collaboration: items 1, 2, 8, 12; sum 4-28\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  bond           Bond, measures bond: items 3, 5, 7, 9; sum 4-28\n"),
        "{out}"
    );
    assert!(out.contains("thresholds\n  none\n"), "{out}");
    assert!(field(&out, "citation").is_some_and(|c| c.starts_with("Tracey, T. J.")));
    assert!(
        field(&out, "provenance")
            .is_some_and(|p| p.starts_with("secondary: derived from the WAI-36 key"))
    );
    assert!(field(&out, "licence").is_some_and(|l| l.contains("copyrighted")));
    let digest = field(&out, "digest").expect("digest line");
    assert_eq!(digest.len(), 16, "{digest}");
    assert!(digest.chars().all(|c| c.is_ascii_hexdigit()), "{digest}");

    // The SRS's threshold and where its cutoff comes from.
    let out = stdout(&alliance(&["instruments", "srs"]));
    assert!(
        out.contains("thresholds\n  total sum at or below 36: discuss the relationship\n    source: a measurement-based-care convention, not a validated cutoff"),
        "{out}"
    );
    assert!(
        out.contains("  global         Overall: item 4; sum 0-10\n"),
        "{out}"
    );
    assert_eq!(
        field(&out, "scale"),
        Some("0 to 10 by 0.1 (visual analogue)")
    );

    // The crate's own forms ship their wording.
    let out = stdout(&alliance(&["instruments", "cbt-client"]));
    assert!(out.contains("\nwording\n"), "{out}");
    assert!(out.contains("  4 (R)"), "{out}");
}

#[test]
fn instruments_unknown_id_is_one_short_line() {
    let o = alliance(&["instruments", "calpas"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o),
        "alliance: error: no instrument calpas in the catalog (`alliance instruments` lists them)\n"
    );
}

#[test]
fn instruments_json_prints_a_definition_that_scores_identically_from_a_file() {
    let o = alliance(&["instruments", "wai-s", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let definition: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(definition["id"], "wai-s");
    assert_eq!(definition["items"].as_array().map(Vec::len), Some(12));
    assert_eq!(definition["items"][3]["keying"], "reversed");
    assert_eq!(definition["subscales"][0]["items"][3], "11");
    // It reads back as the library's instrument.
    let inst: therapeutic_alliance::Instrument =
        serde_json::from_slice(&o.stdout).expect("an instrument definition");
    assert_eq!(
        inst.digest(),
        therapeutic_alliance::catalog::require("wai-s")
            .expect("wai-s")
            .digest()
    );

    let file = temp_path("wai-s-definition", "json");
    std::fs::write(&file, &o.stdout).expect("temp file");
    let file_text = file.to_string_lossy().into_owned();
    let from_catalog = score("wai-s", &data("wai_s.csv"), &[]);
    let from_file = alliance(&[
        "score",
        "--instrument-file",
        &file_text,
        "--csv",
        &data("wai_s.csv"),
    ]);
    let _ = std::fs::remove_file(&file);
    assert!(from_catalog.status.success(), "{}", stderr(&from_catalog));
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert_eq!(
        from_file.stdout, from_catalog.stdout,
        "byte-identical output"
    );
    // Sums worked by hand from the WAI-S key (items 4 and 10 reversed, 8 - x).
    let expected = std::fs::read_to_string(data("wai_s.expected.csv")).expect("expected file");
    assert_eq!(stdout(&from_catalog), expected);
}

#[test]
fn instrument_file_is_validated_on_load_naming_the_file() {
    let o = alliance(&["instruments", "wai-s", "--json"]);
    let mut definition: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    definition["subscales"][0]["items"][0] = "13".into();
    let bad = temp_path("bad-definition", "json");
    std::fs::write(&bad, definition.to_string()).expect("temp file");
    let not_json = temp_path("not-json", "json");
    std::fs::write(&not_json, "id,1,2\n").expect("temp file");
    for (file, needle) in [
        (
            &bad,
            "subscale goals lists item \"13\", which the instrument does not have",
        ),
        (&not_json, "not a valid instrument definition"),
    ] {
        let path = file.to_string_lossy().into_owned();
        let o = alliance(&[
            "score",
            "--instrument-file",
            &path,
            "--csv",
            &data("wai_s.csv"),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("alliance: error: {path}: ")),
            "{err}"
        );
        assert!(err.contains(needle), "{err}");
        assert!(o.stdout.is_empty());
    }
    let _ = std::fs::remove_file(&bad);
    let _ = std::fs::remove_file(&not_json);
    let o = alliance(&[
        "score",
        "--instrument-file",
        &data("no_such_definition.json"),
        "--csv",
        &data("wai_s.csv"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read"), "{}", stderr(&o));
}

/// Runs `alliance score --instrument-file FILE` on `csv`, with the definition `text` written to a
/// temporary file with extension `ext`.
fn score_with_definition(name: &str, ext: &str, text: &[u8], csv: &str) -> (Output, String) {
    let file = temp_path(name, ext);
    std::fs::write(&file, text).expect("temp file");
    let path = file.to_string_lossy().into_owned();
    let o = alliance(&["score", "--instrument-file", &path, "--csv", csv]);
    let _ = std::fs::remove_file(&file);
    (o, path)
}

#[test]
fn instrument_file_is_json_or_toml_by_extension_or_content() {
    let from_catalog = score("wai-s", &data("wai_s.csv"), &[]);
    assert!(from_catalog.status.success(), "{}", stderr(&from_catalog));
    let json = alliance(&["instruments", "wai-s", "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    assert!(stdout(&json).starts_with("{\n  \"schema_version\": 1,\n"));
    // No telling extension: JSON by its opening brace.
    let (o, _) = score_with_definition("wai-s-json", "def", &json.stdout, &data("wai_s.csv"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(o.stdout, from_catalog.stdout);
    {
        let toml = alliance(&["instruments", "wai-s", "--toml"]);
        assert!(toml.status.success(), "{}", stderr(&toml));
        assert!(stdout(&toml).starts_with("schema_version = 1\nid = \"wai-s\"\n"));
        let read = therapeutic_alliance::Instrument::from_toml(&stdout(&toml)).expect("toml");
        assert_eq!(
            read,
            therapeutic_alliance::catalog::require("wai-s").expect("wai-s")
        );
        for ext in ["toml", "txt"] {
            let (o, _) = score_with_definition("wai-s-toml", ext, &toml.stdout, &data("wai_s.csv"));
            assert!(o.status.success(), "{ext}: {}", stderr(&o));
            assert_eq!(o.stdout, from_catalog.stdout, "{ext}");
        }
    }
}

#[test]
fn the_documented_example_definition_scores() {
    let csv = temp_path("klinik-check", "csv");
    std::fs::write(&csv, "id,ziele,vorgehen,verstanden\nc1,3,3,4\nc2,4,4,2\n").expect("temp file");
    let csv_text = csv.to_string_lossy().into_owned();
    let mut files = vec!["schema/examples/klinik-check.json"];
    files.push("schema/examples/klinik-check.toml");
    for file in files {
        let o = alliance(&["score", "--instrument-file", file, "--csv", &csv_text]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        // verstanden is reversed: 1 + 5 - 4 = 2.
        assert_eq!(
            stdout(&o),
            "id,goals,collaboration,bond,total\nc1,3,3,2,8\nc2,4,4,4,12\n",
            "{file}"
        );
    }
    let _ = std::fs::remove_file(&csv);
}

#[test]
fn instrument_file_errors_name_the_file_the_version_and_the_field() {
    let json = stdout(&alliance(&["instruments", "wai-s", "--json"]));
    let cases = [
        (
            json.replacen("\"schema_version\": 1", "\"schema_version\": 2", 1),
            "unsupported schema_version 2: this release reads instrument definitions of schema version 1",
            "(field /schema_version)",
        ),
        (
            json.replacen("\"schema_version\": 1", "\"schema_version\": \"1\"", 1),
            "unsupported schema_version \"1\"",
            "(field /schema_version)",
        ),
        (
            json.replacen("\"id\": \"1\"", "\"id\": \"1\", \"weight\": 2", 1),
            "not a valid instrument definition (JSON, line ",
            "unknown field `weight`",
        ),
        (
            json.replacen("\"4\",\n        \"6\"", "\"4\",\n        \"13\"", 1),
            "which the instrument does not have",
            "(field /subscales/0/items/1)",
        ),
    ];
    for (n, (text, needle, field)) in cases.into_iter().enumerate() {
        assert_ne!(text, json, "{needle}");
        let (o, path) = score_with_definition(
            &format!("version-field-{n}"),
            "json",
            text.as_bytes(),
            &data("wai_s.csv"),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("alliance: error: {path}: ")),
            "{err}"
        );
        assert!(err.contains(needle), "{err}");
        assert!(err.contains(field), "{err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn score_wai_sr_gives_component_and_total_sums() {
    let o = score("wai-sr", &data("wai_sr.csv"), &["--output", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = std::fs::read_to_string(data("wai_sr.expected.csv")).expect("expected file");
    assert_eq!(stdout(&o), expected);
    // csv is the default output; `--flag=value` works too.
    let o = alliance(&["score", "--instrument=wai-sr", "--csv", &data("wai_sr.csv")]);
    assert_eq!(stdout(&o), expected);
}

#[test]
fn score_stops_at_a_nine_after_writing_the_rows_before_it() {
    let o = score("wai-sr", &data("wai_sr_nine.csv"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,total\np01,14,16,19,49\n",
        "the row before the bad one is written"
    );
    // Line 3 of the file (the header is line 1).
    assert_eq!(
        stderr(&o),
        "alliance: error: row 3 (id \"p02\"), column \"9\": item 9: value 9 is outside the response range 1 to 5\n"
    );
}

#[test]
fn score_reports_other_bad_input_in_one_line() {
    let cases = [
        (
            "wai_sr_text.csv",
            "alliance: error: row 2 (id \"p01\"), column \"5\": item 5: \"five\" is not a number",
        ),
        (
            "wai_sr_unknown_column.csv",
            "alliance: error: column 14 (\"13\") is neither the id column \"id\" nor an item of wai-sr; to pass it through, name it in --keep",
        ),
        (
            "wai_sr_ragged.csv",
            "alliance: error: row 2 (id \"p01\"): 12 fields, but the header has 13",
        ),
        ("no_such_file.csv", "alliance: error: cannot read "),
    ];
    for (file, needle) in cases {
        let o = score("wai-sr", &data(file), &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file}: {err}");
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.starts_with(needle), "{file}: {err}");
    }
    let o = score("srs", &data("srs.csv"), &[]);
    assert_eq!(
        stderr(&o),
        "alliance: error: the header has no id column \"id\"\n"
    );
    assert!(
        o.stdout.is_empty(),
        "a bad header stops the run before any output"
    );
    let o = score("srs", &data("srs.csv"), &["--id", "client"]);
    assert_eq!(
        stderr(&o),
        "alliance: error: row 4 (id \"c\"), column \"1\": item 1: value 7.25 is not a point of the response scale (step 0.1)\n"
    );
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,global,total\na,9,9,9,9,36\nb,9,9,9.5,9,36.5\n"
    );
    let o = score("nope", &data("srs.csv"), &[]);
    assert_eq!(
        stderr(&o),
        "alliance: error: no instrument nope in the catalog (`alliance instruments` lists them)\n"
    );
}

#[test]
fn score_keep_going_reports_every_bad_row_and_scores_every_good_one() {
    let file = data("wai_sr_bad_rows.csv");
    let bad_rows = [
        "alliance: error: row 3 (id \"p02\"), column \"9\": item 9: value 9 is outside the response range 1 to 5",
        // The text as written, not the infinity it parses to.
        "alliance: error: row 5 (id \"p04\"), column \"4\": item 4: value 1e400 is not a finite number",
        "alliance: error: row 6 (id \"p05\"): 12 fields, but the header has 13",
    ];

    let o = score("wai-sr", &file, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,total\np01,14,16,19,49\n"
    );
    assert_eq!(stderr(&o), format!("{}\n", bad_rows[0]));

    let o = score("wai-sr", &file, &["--keep-going"]);
    assert_eq!(o.status.code(), Some(1), "a row failed");
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,total\np01,14,16,19,49\np03,9,10,14,33\np06,20,20,20,60\n"
    );
    assert_eq!(stderr(&o).lines().collect::<Vec<_>>(), bad_rows);

    // JSON: the document is complete, holding the rows scored.
    for extra in [&[][..], &["--keep-going"]] {
        let mut args = vec![
            "score",
            "--instrument",
            "wai-sr",
            "--csv",
            &file,
            "--output",
            "json",
        ];
        args.extend_from_slice(extra);
        let o = alliance(&args);
        assert_eq!(o.status.code(), Some(1));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let ids: Vec<_> = v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
            .collect();
        let expected: &[&str] = if extra.is_empty() {
            &["p01"]
        } else {
            &["p01", "p03", "p06"]
        };
        assert_eq!(ids, expected, "{extra:?}");
    }

    // Every row good: exit 0.
    let o = score("wai-sr", &data("wai_sr.csv"), &["--keep-going"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty());
}

#[test]
fn score_na_token_and_kept_columns_as_r_writes_them() {
    // write.csv(row.names = FALSE): quoted header and strings, NA unquoted.
    let file = data("wai_sr_r.csv");
    let o = score(
        "wai-sr",
        &file,
        &["--na", "NA", "--keep", "therapist,session"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "id,therapist,session,goals,collaboration,bond,total\n\
         p01,t1,3,13.333333333333334,16,19,48.333333333333336\n\
         p02,t2,1,9,10,14,33\n\
         p03,t1,4,,,19,\n"
    );
    // Kept columns come in --keep order.
    let o = score(
        "wai-sr",
        &file,
        &["--na", "NA", "--keep", "session, therapist"],
    );
    assert!(
        stdout(&o).starts_with("id,session,therapist,goals,"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("\np02,1,t2,9,10,14,33\n"),
        "{}",
        stdout(&o)
    );

    // Without --na, NA is text that is not a number.
    let o = score("wai-sr", &file, &["--keep", "therapist,session"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "alliance: error: row 2 (id \"p01\"), column \"11\": item 11: \"NA\" is not a number\n"
    );

    // Without --keep, the extra columns are an error naming the fix.
    let o = score("wai-sr", &file, &["--na", "NA"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("column 2 (\"therapist\") is neither the id column \"id\" nor an item of wai-sr; to pass it through, name it in --keep"),
        "{}",
        stderr(&o)
    );

    // JSON: kept values as an object, in --keep order.
    let o = score(
        "wai-sr",
        &file,
        &[
            "--na",
            "NA",
            "--keep",
            "session,therapist",
            "--output",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("\"keep\":{\"session\":\"3\",\"therapist\":\"t1\"}"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["rows"][2]["keep"]["session"], "4");
    assert_eq!(v["rows"][2]["report"]["subscales"][2]["sum"], 19.0);
    assert_eq!(
        v["rows"][2]["report"]["total"]["sum"],
        serde_json::Value::Null
    );

    // --keep errors.
    for (keep, needle) in [
        (
            "room",
            "the header has no column \"room\" (named in --keep)",
        ),
        ("therapist,session,3", "column \"3\" is an item of wai-sr"),
    ] {
        let o = score("wai-sr", &file, &["--na", "NA", "--keep", keep]);
        assert_eq!(o.status.code(), Some(1), "{keep}");
        assert_eq!(stderr(&o).lines().count(), 1, "{keep}");
        assert!(stderr(&o).contains(needle), "{keep}: {}", stderr(&o));
    }
    let o = score_text(
        "keep-clash",
        "client,total,1,2,3,4\na,x,9,9,9,9\n",
        &["--instrument", "srs", "--id", "client", "--keep", "total"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("would clash with the output column"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn score_reads_messy_csv() {
    // A byte-order mark, CRLF line endings, quoted fields (with a comma, an escaped quote and a
    // line break), spaces around values, a blank line, a line of spaces and a trailing empty line.
    let messy = "\u{feff}\"client\" , 1 ,2,3,4 ,note\r\n\
                 \" a \", 9 ,\"9\", 9,9 ,\"one, two\"\r\n\
                 \r\n\
                 \"b \"\"B\"\"\",9.5,, 9 ,9,\"line\r\nbreak\"\r\n\
                 \x20\x20\x20\r\n\
                 c,7.25,9,9,9,x\r\n\
                 \r\n";
    let o = score_text(
        "messy",
        messy,
        &[
            "--instrument",
            "srs",
            "--id",
            "client",
            "--keep",
            "note",
            "--keep-going",
        ],
    );
    assert_eq!(
        stdout(&o),
        "id,note,goals,collaboration,bond,global,total\n\
         a,\"one, two\",9,9,9,9,36\n\
         \"b \"\"B\"\"\",\"line\r\nbreak\",,9,9.5,9,\n"
    );
    // Row c starts on line 7: the header is line 1, the quoted line break and the blank lines
    // count.
    assert_eq!(
        stderr(&o),
        "alliance: error: row 7 (id \"c\"), column \"1\": item 1: value 7.25 is not a point of the response scale (step 0.1)\n"
    );
    assert_eq!(o.status.code(), Some(1));

    // The same without the bad row: exit 0.
    let clean = messy.replace("c,7.25,9,9,9,x\r\n", "");
    let o = score_text(
        "messy-clean",
        &clean,
        &["--instrument", "srs", "--id", "client", "--keep", "note"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn score_json_streams_reports_with_scores_and_flags() {
    let o = score_text(
        "srs-json",
        "client,1,2,3,4\na,9,9,9,9\nb,9.5,9,9,9\n",
        &["--instrument", "srs", "--id", "client", "--output", "json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // One row per line between the document's first and last line.
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(text.ends_with("\n]}\n"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["instrument"]["id"], "srs");
    assert_eq!(v["instrument"]["version"], "3.0");
    assert_eq!(v["instrument"]["name"], "Session Rating Scale (SRS)");
    assert_eq!(v["instrument"]["digest"].as_str().map(str::len), Some(16));
    assert_eq!(v["missing_rule"], "at least 3/4 of the items, prorated");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "a");
    assert!(rows[0].get("keep").is_none(), "no --keep, no keep");
    let report = &rows[0]["report"];
    assert_eq!(report["instrument"], v["instrument"]);
    assert_eq!(report["metric"], "sum");
    assert_eq!(report["total"]["sum"], 36.0);
    assert_eq!(report["total"]["pomp"], 90.0);
    assert_eq!(report["subscales"][3]["id"], "global");
    assert_eq!(report["flags"][0]["message"], "discuss the relationship");
    assert!(
        report["flags"][0]["source"]
            .as_str()
            .is_some_and(|s| s.contains("not a validated cutoff"))
    );
    assert_eq!(rows[1]["report"]["total"]["sum"], 36.5);
    assert_eq!(rows[1]["report"]["flags"].as_array().map(Vec::len), Some(0));

    // No rows: still one document.
    let o = score_text(
        "srs-json-empty",
        "client,1,2,3,4\n",
        &["--instrument", "srs", "--id", "client", "--output", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(0));
}

#[test]
fn score_json_of_a_large_file_is_the_same_when_its_second_half_is_read_record_by_record() {
    // 40,000 WAI-SR rows (several 1 MiB chunks, the document many of the stream's pieces):
    // plain, and with one id quoted half way (from there the file is read record by record).
    // The same document to stdout, with `--keep` and a bad row skipped by `--keep-going`.
    let mut plain = String::from("id,site,1,2,3,4,5,6,7,8,9,10,11,12\n");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for row in 0..40_000u64 {
        plain.push_str(&format!("c{row},s{}", row % 4));
        for _ in 0..12 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x.is_multiple_of(33) {
                plain.push(',');
            } else {
                plain.push_str(&format!(",{}", 1 + x % 5));
            }
        }
        plain.push('\n');
        if row == 30_000 {
            plain.push_str("bad,s0,1,1,1,1,1,1,1,1,1,1,1,9\n");
        }
    }
    let quoted = plain.replacen("\nc20000,", "\n\"c20000\",", 1);
    assert_ne!(quoted, plain);
    let args = [
        "--instrument",
        "wai-sr",
        "--keep",
        "site",
        "--keep-going",
        "--output",
        "json",
    ];
    let a = score_text("large-plain", &plain, &args);
    let b = score_text("large-quoted", &quoted, &args);
    // The bad row is reported (exit 1), every other row written.
    assert_eq!(a.status.code(), Some(1), "{}", stderr(&a));
    assert!(stderr(&a).contains("row 30003"), "{}", stderr(&a));
    assert_eq!(stderr(&a), stderr(&b));
    assert!(a.stdout.len() > 20_000_000);
    assert!(a.stdout == b.stdout, "the documents differ");
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 40_000);
    assert_eq!(rows[20_000]["id"], "c20000");
    assert_eq!(rows[39_999]["keep"]["site"], "s3");
    assert_eq!(rows[39_999]["report"]["instrument"], v["instrument"]);
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
fn score_prints_numbers_in_their_shortest_round_trip_form() {
    // 7.3 + 7.3 + 9.1 + 8.4 = 32.1 exactly in tenths; a float sum would print 32.099999999999994.
    let o = score_text(
        "srs-shortest",
        "id,1,2,3,4\na,7.3,7.3,9.1,8.4\n",
        &["--instrument", "srs"],
    );
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,global,total\na,7.3,9.1,7.3,8.4,32.1\n"
    );
}

#[test]
fn score_metric_option_selects_mean_or_pomp() {
    let run = |metric: &str| {
        let o = score("wai-sr", &data("wai_sr.csv"), &["--metric", metric]);
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

/// A file of tests/data/csv (the library's CSV fixtures).
fn csv_data(name: &str) -> String {
    let p: PathBuf = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
        "tests",
        "data",
        "csv",
        name,
    ]
    .iter()
    .collect();
    p.to_string_lossy().into_owned()
}

#[test]
fn score_long_and_redcap_formats_give_the_wide_scores() {
    // The same five administrations, wide and long; sums worked by hand in tests/csv_io.rs.
    let expected = "id,session,site,goals,collaboration,bond,total\n\
                    c01,1,North,14,16,19,49\n\
                    c01,2,North,16,20,20,56\n\
                    c02,1,South,8,11,14,33\n\
                    c02,2,South,12,12,14.666666666666666,38.666666666666664\n\
                    c03,1,North,,,,\n";
    let wide = score(
        "wai-sr",
        &csv_data("wai_sr_wide.csv"),
        &[
            "--session",
            "session",
            "--keep",
            "site",
            "--na",
            "NA",
            "--keep",
            "therapist",
        ],
    );
    // --keep given twice is a usage error.
    assert_eq!(wide.status.code(), Some(2));
    let wide = score(
        "wai-sr",
        &csv_data("wai_sr_wide.csv"),
        &[
            "--session",
            "session",
            "--keep",
            "site,therapist",
            "--na",
            "NA",
        ],
    );
    assert!(wide.status.success(), "{}", stderr(&wide));
    let without_therapist: String = stdout(&wide)
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(3);
            cells.join(",") + "\n"
        })
        .collect();
    assert_eq!(without_therapist, expected);
    let long = score(
        "wai-sr",
        &csv_data("wai_sr_long.csv"),
        &["--format", "long", "--keep", "site,therapist"],
    );
    assert!(long.status.success(), "{}", stderr(&long));
    assert_eq!(stdout(&long), stdout(&wide));
    assert!(long.stderr.is_empty(), "not a terminal: no progress");

    // REDCap: two complete forms; the rest skipped, with a note.
    for map in ["redcap_wai_sr_map.csv", "redcap_wai_sr_map.json"] {
        let o = score(
            "wai-sr",
            &csv_data("redcap_wai_sr.csv"),
            &[
                "--format",
                "redcap",
                "--map",
                &csv_data(map),
                "--session",
                "redcap_repeat_instance",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "id,session,redcap_event_name,redcap_repeat_instrument,goals,collaboration,bond,total\n\
             101,1,sessions_arm_1,wai_sr,14,16,19,49\n\
             102,1,sessions_arm_1,wai_sr,8,11,14,33\n"
        );
        assert_eq!(
            stderr(&o),
            "alliance: note: 5 REDCap rows skipped: 2 blank for the form, 1 of another repeating \
             form, 2 with a form status not accepted\n"
        );
    }
    let o = score(
        "wai-sr",
        &csv_data("redcap_wai_sr.csv"),
        &[
            "--format",
            "redcap",
            "--map",
            &csv_data("redcap_wai_sr_map.csv"),
            "--accept",
            "complete,unverified,0",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 5);

    // Long rows out of order: an error naming both places, unless --any-order.
    let shuffled = "id,session,item,value\na,1,1,9\nb,1,1,8\na,1,2,9\na,1,3,9\na,1,4,9\n";
    let o = score_text(
        "long-order",
        shuffled,
        &["--instrument", "srs", "--format", "long"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(
            "alliance: error: row 4 (id \"a\"), column \"id\": the rows of this id and session 1 are not together: they started at row 2"
        ),
        "{}",
        stderr(&o)
    );
    let o = score_text(
        "long-any-order",
        shuffled,
        &["--instrument", "srs", "--format", "long", "--any-order"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "id,session,goals,collaboration,bond,global,total\na,1,9,9,9,9,36\nb,1,,,8,,\n"
    );

    // Format options with the wrong format are usage errors.
    for extra in [
        &["--item", "q"][..],
        &["--format", "long", "--form", "srs"],
        &["--format", "redcap", "--accept", "done"],
        &["--format", "tall"],
    ] {
        let o = score("srs", "x.csv", extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
    }
}

#[test]
fn help_texts_exit_0() {
    for args in [
        &["score", "--help"][..],
        &["score", "-h"],
        &["help", "score"],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        let out = stdout(&o);
        assert!(out.contains("Usage: alliance score "), "{args:?}: {out}");
        assert!(
            out.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains("the header being line 1"),
            "{out}"
        );
        assert!(out.contains("--keep-going"), "{out}");
        assert!(o.stderr.is_empty());
    }
    for args in [&["help"][..], &["--help"], &["-h"]] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        for command in ["demo", "instruments", "score"] {
            assert!(stdout(&o).contains(command), "{args:?}");
        }
    }
    for command in ["demo", "instruments"] {
        let o = alliance(&[command, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{command}");
        assert!(stdout(&o).contains(&format!("Usage: alliance {command}")));
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["help", "frobnicate"],
        &["score", "--csv", "x.csv"],
        &[
            "score",
            "--instrument",
            "srs",
            "--instrument-file",
            "s.json",
            "--csv",
            "x.csv",
        ],
        &["score", "--instrument", "srs"],
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
            "--csv",
            "x.csv",
            "--metric",
            "median",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--output",
            "json",
            "--metric",
            "sum",
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
        &["score", "--instrument", "--csv", "x.csv"],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--keep",
            "a,,b",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--keep",
            "a,a",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--keep",
            "id",
        ],
        &["score", "--instrument", "srs", "--csv", "x.csv", "--na", ""],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--frobnicate",
        ],
        &[
            "score",
            "--instrument",
            "srs",
            "--csv",
            "x.csv",
            "--keep-going=yes",
        ],
        &["score", "extra"],
        &["demo", "extra"],
        &["instruments", "--json"],
        &["instruments", "--toml"],
        &["instruments", "srs", "--json", "--toml"],
        &["instruments", "srs", "wai"],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("alliance: "), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = alliance(&[
        "score",
        "--instrument",
        "srs",
        "--csv",
        "x.csv",
        "--metric",
        "median",
    ]);
    assert_eq!(
        stderr(&o),
        "alliance: --metric: unknown metric \"median\": expected sum, mean or pomp (run `alliance score --help` for usage)\n"
    );
}

#[test]
fn a_non_utf8_argument_is_an_error_line_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;

    let bad = OsStr::from_bytes(b"caf\xe9.csv");
    let o = alliance_os(&[
        OsStr::new("score"),
        OsStr::new("--instrument"),
        OsStr::new("wai-sr"),
        OsStr::new("--csv"),
        bad,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "alliance: argument 5 is not valid UTF-8: \"caf\\xE9.csv\" (run `alliance --help` for usage)\n"
    );
    assert!(o.stdout.is_empty());
    // As the command itself.
    let o = alliance_os(&[OsStr::from_bytes(b"\xff")]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn a_non_utf8_cell_is_a_row_error() {
    exe();
    let path = temp_path("latin1", "csv");
    std::fs::write(
        &path,
        b"id,1,2,3,4\na,9,9,9,9\nb\xe9,9,9,9,9\nc,9,\xe9,9,9\n",
    )
    .expect("temp file");
    let path_text = path.to_string_lossy().into_owned();
    let o = score("srs", &path_text, &["--keep-going"]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "id,goals,collaboration,bond,global,total\na,9,9,9,9,36\n"
    );
    assert_eq!(
        stderr(&o),
        "alliance: error: row 3 (id \"b\u{fffd}\"), column \"id\": the cell is not valid UTF-8\n\
         alliance: error: row 4 (id \"c\"), column \"2\": the cell is not valid UTF-8\n"
    );
}

/// Peak resident memory (VmHWM, in kB) of a running process, read from /proc on Linux.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Scores `rows` generated WAI-SR rows to JSON, reading the output as it streams; the peak
/// resident memory of the process in kB.
fn json_stream_peak_kb(rows: u64) -> u64 {
    use std::io::{BufWriter, Read, Write};

    let path = temp_path(&format!("stream{rows}"), "csv");
    {
        let mut out = BufWriter::new(std::fs::File::create(&path).expect("temp file"));
        writeln!(out, "id,1,2,3,4,5,6,7,8,9,10,11,12").expect("write");
        // A fixed pseudo-random sequence (xorshift) of answers 1-5, one item in seven skipped.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for row in 0..rows {
            write!(out, "p{row:07}").expect("write");
            for item in 0..12u64 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if (row + item) % 7 == 0 && item == row % 12 {
                    write!(out, ",").expect("write");
                } else {
                    write!(out, ",{}", 1 + x % 5).expect("write");
                }
            }
            writeln!(out).expect("write");
        }
        out.flush().expect("flush");
    }
    let started = std::time::Instant::now();
    let mut child = Command::new(exe())
        .args([
            "score",
            "--instrument",
            "wai-sr",
            "--output",
            "json",
            "--csv",
        ])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout");
    // Read the output as it streams, counting lines and sampling the child's peak memory.
    let (mut bytes, mut lines, mut peak_kb) = (0u64, 0u64, 0u64);
    let mut tail = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = stdout.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        bytes += n as u64;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        tail = chunk[n.saturating_sub(8)..].to_vec();
        if let Some(kb) = peak_rss_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
    }
    let mut err = String::new();
    let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
    let status = child.wait().expect("waits");
    let elapsed = started.elapsed();
    let _ = std::fs::remove_file(&path);
    assert!(status.success(), "{err}");
    // The document's first line, one line per row, and the closing `]}`.
    assert_eq!(lines, rows + 2);
    assert!(tail.ends_with(b"\n]}\n"));
    println!(
        "{rows} rows to JSON: {bytes} bytes in {:.1} s, peak RSS {peak_kb} kB",
        elapsed.as_secs_f64()
    );
    if cfg!(target_os = "linux") {
        assert!(peak_kb > 0, "no VmHWM sample from /proc/{pid}/status");
    }
    peak_kb
}

/// Streaming memory is flat but for the repeat check, which remembers every administration read
/// (a 128-bit fingerprint and its first line, in hash tables: 50-75 bytes per row at most).
#[test]
#[ignore = "generates 250,000- and 1,000,000-row files and runs for a while; run with --ignored"]
fn score_streams_to_json_in_flat_memory_but_for_the_repeat_check() {
    let small = json_stream_peak_kb(250_000);
    let large = json_stream_peak_kb(1_000_000);
    // The chunks in flight (read, scored, written: a few MiB of input each) and their reports'
    // text, on every core; measured 91 MB for the debug build at 250,000 rows, 31-43 MB for the
    // release build at 100,000.
    assert!(
        small < 128 * 1024,
        "peak RSS {small} kB at 250,000 rows is not under 128 MB"
    );
    let per_row = large.saturating_sub(small) as f64 * 1024.0 / 750_000.0;
    assert!(
        per_row < 100.0,
        "peak RSS grew {per_row:.0} bytes per row ({small} kB at 250,000 rows, {large} kB at 1,000,000)"
    );
}

// `alliance reliability` and `alliance icc`: known answers from R psych 2.2.9 (R 4.2.2), as
// copied into tests/data/bfi_agree.json and tests/data/icc_shrout_fleiss.json (see
// tests/data/PROVENANCE.md). Tolerance: 1e-9 relative (1e-12 absolute near zero), as in
// tests/psych_reliability.rs; counts exactly.

const BFI: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
    "/tests/data/bfi.csv"
);
const SHROUT_FLEISS: &str = concat!(
    concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
    "/tests/data/shrout_fleiss.csv"
);
/// The bfi agreeableness scale as psych's `alpha(keys = "A1")` takes it.
const AGREEABLENESS: &str = "A1-,A2,A3,A4,A5";

/// A reference file of tests/data/.
fn reference(name: &str) -> serde_json::Value {
    let path: PathBuf = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
        "tests",
        "data",
        name,
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).expect("reference file");
    serde_json::from_str(&text).expect("reference JSON")
}

/// A number of `v` at a JSON pointer (`/split_half/max`).
#[track_caller]
fn number(v: &serde_json::Value, pointer: &str) -> f64 {
    v.pointer(pointer)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or_else(|| panic!("no number at {pointer} in {v}"))
}

/// A number of `v` under `key` (which may hold a `/`, as psych's `S/N`).
#[track_caller]
fn field_number(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {v}"))
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    let ok = (got - want).abs() <= 1e-9 * want.abs() || (got - want).abs() <= 1e-12;
    assert!(
        ok,
        "{what}: {got} vs psych {want} (relative {:e})",
        ((got - want) / want).abs()
    );
}

/// Runs `alliance` expecting success, nothing on stderr, and one JSON object on stdout.
#[track_caller]
fn json_output(args: &[&str]) -> serde_json::Value {
    let o = alliance(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert!(v.is_object(), "{v}");
    v
}

/// Runs `alliance` expecting exit status 1, nothing on stdout and exactly `message` on stderr.
#[track_caller]
fn fails_with(args: &[&str], message: &str) {
    let o = alliance(args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
    assert_eq!(stderr(&o), format!("{message}\n"), "{args:?}");
}

/// The keys of `alliance reliability`'s output, in order.
const RELIABILITY_KEYS: [&str; 18] = [
    "n_rows",
    "n_complete",
    "missing",
    "raw_alpha",
    "std_alpha",
    "g6_smc",
    "average_r",
    "median_r",
    "signal_noise",
    "ase",
    "mean",
    "sd",
    "feldt_ci",
    "lambda2",
    "lambda6",
    "split_half",
    "omega_total",
    "items",
];

#[test]
fn reliability_agrees_with_psych_on_bfi_agreeableness() {
    let out = json_output(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--min",
        "1",
        "--max",
        "6",
    ]);
    // Every key, in order (serde_json keeps a document's order only with `preserve_order`, so
    // the order is read from the text).
    let text = stdout(&alliance(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--min",
        "1",
        "--max",
        "6",
    ]));
    let top: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("  \""))
        .filter_map(|l| l.split_once('"').map(|(key, _)| key))
        .collect();
    assert_eq!(top, RELIABILITY_KEYS);
    let item_keys: Vec<&str> = out["items"][0]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut want = [
        "item",
        "reversed",
        "n",
        "raw_r",
        "std_r",
        "r_cor",
        "r_drop",
        "mean",
        "sd",
        "alpha_if_dropped",
    ];
    want.sort_unstable();
    assert_eq!(item_keys, want);

    // The values the issue names (psych 2.2.9).
    close(number(&out, "/raw_alpha"), 0.703018446057304, "raw_alpha");
    close(number(&out, "/std_alpha"), 0.713028578671272, "std_alpha");
    close(
        number(&out, "/omega_total"),
        0.722943136474929,
        "omega_total",
    );
    close(number(&out, "/lambda2"), 0.720613346263556, "lambda2");
    close(number(&out, "/lambda6"), 0.682762672030245, "lambda6");

    // Everything else psych reports, from the reference file.
    let r = reference("bfi_agree.json");
    assert_eq!(out["n_rows"], r["n_rows"]);
    assert_eq!(out["n_rows"], 2800);
    assert_eq!(out["missing"], "pairwise");
    let total = &r["pairwise"]["total"];
    for (key, psych) in [
        ("g6_smc", "G6(smc)"),
        ("average_r", "average_r"),
        ("median_r", "median_r"),
        ("signal_noise", "S/N"),
        ("ase", "ase"),
        ("mean", "mean"),
        ("sd", "sd"),
    ] {
        close(
            number(&out, &format!("/{key}")),
            field_number(total, psych),
            key,
        );
    }
    close(
        number(&out, "/feldt_ci/0"),
        number(&r, "/pairwise/feldt/lower"),
        "feldt lower",
    );
    close(
        number(&out, "/feldt_ci/1"),
        number(&r, "/pairwise/feldt/upper"),
        "feldt upper",
    );
    // All 10 splits of 5 items: the same maximum and minimum as psych's 5.
    close(
        number(&out, "/split_half/max"),
        number(&r, "/split_half/max_split"),
        "split max",
    );
    close(
        number(&out, "/split_half/min"),
        number(&r, "/split_half/min_split"),
        "split min",
    );
    assert_eq!(out["split_half"]["splits"], 10);

    let items = out["items"].as_array().expect("items");
    let stats = r["pairwise"]["item_stats"].as_array().expect("item_stats");
    let dropped = r["pairwise"]["alpha_drop"].as_array().expect("alpha_drop");
    assert_eq!((items.len(), stats.len(), dropped.len()), (5, 5, 5));
    for (i, ((item, s), d)) in items.iter().zip(stats).zip(dropped).enumerate() {
        let name = format!("A{}", i + 1);
        assert_eq!(item["item"], name.as_str());
        assert_eq!(item["reversed"], i == 0, "{name}");
        assert_eq!(item["n"], s["n"], "{name}");
        for (key, psych) in [
            ("raw_r", "raw.r"),
            ("std_r", "std.r"),
            ("r_cor", "r.cor"),
            ("r_drop", "r.drop"),
            ("mean", "mean"),
            ("sd", "sd"),
        ] {
            close(
                number(item, &format!("/{key}")),
                field_number(s, psych),
                &format!("{name} {key}"),
            );
        }
        close(
            number(item, "/alpha_if_dropped"),
            number(d, "/raw_alpha"),
            &format!("{name} alpha_if_dropped"),
        );
    }
}

#[test]
fn reliability_split_half_psych_and_listwise_agree_with_psych() {
    let r = reference("bfi_agree.json");
    let psych = json_output(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--min=1",
        "--max=6",
        "--split-half",
        "psych",
    ]);
    close(
        number(&psych, "/split_half/max"),
        0.755273274871124,
        "split max",
    );
    // psych visits 5 of the 10 splits of 5 items, so its mean differs from all splits' mean.
    close(
        number(&psych, "/split_half/mean"),
        number(&r, "/split_half/mean_split"),
        "split mean",
    );
    assert_eq!(psych["split_half"]["splits"], 5);

    let listwise = json_output(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--min",
        "1",
        "--max",
        "6",
        "--missing",
        "listwise",
    ]);
    assert_eq!(listwise["missing"], "listwise");
    assert_eq!(listwise["n_rows"], 2800);
    let total = &r["listwise"]["total"];
    for (key, psych) in [
        ("raw_alpha", "raw_alpha"),
        ("std_alpha", "std.alpha"),
        ("g6_smc", "G6(smc)"),
        ("average_r", "average_r"),
        ("median_r", "median_r"),
        ("ase", "ase"),
    ] {
        close(
            number(&listwise, &format!("/{key}")),
            field_number(total, psych),
            &format!("listwise {key}"),
        );
    }
}

#[test]
fn reliability_takes_missing_bounds_from_the_data_with_a_warning() {
    let o = alliance(&["reliability", "--csv", BFI, "--items", AGREEABLENESS]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "alliance: warning: no --min given: using 1, the smallest answer in the data\n\
         alliance: warning: no --max given: using 6, the largest answer in the data\n"
    );
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    close(number(&out, "/raw_alpha"), 0.703018446057304, "raw_alpha");

    // One bound given: only the other is taken from the data.
    let o = alliance(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--max",
        "6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "alliance: warning: no --min given: using 1, the smallest answer in the data\n"
    );
}

#[test]
fn reliability_timing_goes_to_stderr() {
    let o = alliance(&[
        "reliability",
        "--csv",
        BFI,
        "--items",
        AGREEABLENESS,
        "--min",
        "1",
        "--max",
        "6",
        "--timing",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let mut lines = err.lines();
    let seconds = lines
        .next()
        .and_then(|l| l.strip_prefix("alliance: computed in "))
        .and_then(|s| s.strip_suffix(" s"))
        .and_then(|s| s.parse::<f64>().ok());
    assert!(seconds.is_some_and(|s| s >= 0.0), "{err}");
    assert!(
        lines.next().is_some_and(
            |l| l.starts_with("alliance: a plain pass summing the same 14000 cells took ")
        ),
        "{err}"
    );
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    close(number(&out, "/raw_alpha"), 0.703018446057304, "raw_alpha");
}

#[test]
fn reliability_ignores_other_columns_and_reads_the_na_token() {
    let csv = "id,a,b,note,c\n\
               p1,1,2,x,2\n\
               p2,2,NA,,3\n\
               p3,3,4,y,3\n\
               p4,4,4,,5\n\
               p5,NA,5,z,6\n";
    let o = with_csv(
        "rel-na",
        csv,
        &[
            "reliability",
            "--csv",
            "{}",
            "--items",
            "a,b,c",
            "--min",
            "1",
            "--max",
            "6",
            "--na",
            "NA",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        (out["n_rows"].as_u64(), out["n_complete"].as_u64()),
        (Some(5), Some(3))
    );
    let n: Vec<_> = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["n"].as_u64())
        .collect();
    assert_eq!(n, [Some(4), Some(4), Some(5)]);
    // Omega total needs three items: null with two.
    let o = with_csv(
        "rel-two",
        csv,
        &[
            "reliability",
            "--csv",
            "{}",
            "--items",
            "a,c-",
            "--min",
            "1",
            "--max",
            "6",
            "--na",
            "NA",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(out["omega_total"].is_null(), "{out}");
    assert_eq!(out["items"][1]["item"], "c");
    assert_eq!(out["items"][1]["reversed"], true);
    // Without --na, "NA" is not a number.
    let o = with_csv(
        "rel-no-na",
        csv,
        &[
            "reliability",
            "--csv",
            "{}",
            "--items",
            "a,b,c",
            "--min",
            "1",
            "--max",
            "6",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "alliance: error: row 3, column \"b\": item b: \"NA\" is not a number\n"
    );
}

#[test]
fn reliability_bad_input_is_one_error_line() {
    // A column named in --items that the file does not have.
    fails_with(
        &[
            "reliability",
            "--csv",
            BFI,
            "--items",
            "A1-,A2,A9",
            "--min",
            "1",
            "--max",
            "6",
        ],
        "alliance: error: the header has no column \"A9\" (named in --items)",
    );
    // An answer off the scale, named by its line (the blank line 4 counts) and column.
    let bad = data("items_bad_cell.csv");
    fails_with(
        &[
            "reliability",
            "--csv",
            &bad,
            "--items",
            "A1,A2-,A3",
            "--min",
            "1",
            "--max",
            "6",
        ],
        "alliance: error: row 5, column \"A2\": item A2: value 9 is outside the response range 1 to 6",
    );
    // --min above an answer: line 9 of bfi.csv has A3 = 1.
    fails_with(
        &[
            "reliability",
            "--csv",
            BFI,
            "--items",
            AGREEABLENESS,
            "--min",
            "2",
            "--max",
            "6",
        ],
        "alliance: error: row 9, column \"A3\": item A3: value 1 is outside the response range 2 to 6",
    );
    // Off the scale's steps, with the bounds taken from the data: the warnings, then the error.
    let o = with_csv(
        "rel-half",
        "a,b\n1,2\n2,2.5\n3,3\n",
        &["reliability", "--csv", "{}", "--items", "a,b"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert_eq!(
        stderr(&o).lines().last(),
        Some(
            "alliance: error: row 3, column \"b\": item b: value 2.5 is not a point of the response scale (step 1)"
        )
    );
    // Written files, items a and b on 1..6: one error line each.
    for (name, csv, message) in [
        (
            "rel-ragged",
            "a,b,c\n1,2,3\n2,3\n",
            "row 3: 2 fields, but the header has 3",
        ),
        (
            "rel-flat",
            "a,b\n1,2\n1,3\n1,5\n",
            "item a has no variance (every usable answer is the same)",
        ),
    ] {
        let args = [
            "reliability",
            "--csv",
            "{}",
            "--items",
            "a,b",
            "--min",
            "1",
            "--max",
            "6",
        ];
        let o = with_csv(name, csv, &args);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert_eq!(
            stderr(&o),
            format!("alliance: error: {message}\n"),
            "{name}"
        );
    }
    fails_with(
        &["reliability", "--csv", "no/such.csv", "--items", "a,b"],
        "alliance: error: cannot read no/such.csv: No such file or directory (os error 2)",
    );
}

#[test]
fn icc_agrees_with_psych_on_shrout_fleiss() {
    let out = json_output(&["icc", "--csv", SHROUT_FLEISS]);
    assert_eq!(out["n_targets"], 6);
    assert_eq!(out["n_raters"], 4);
    // The values the issue names (psych 2.2.9).
    for (form, want) in [
        ("icc1", 0.165741768405476),
        ("icc2", 0.289763779527559),
        ("icc3", 0.714840714840715),
        ("icc1k", 0.442797133679269),
        ("icc2k", 0.620050547598989),
        ("icc3k", 0.909315542377069),
    ] {
        close(number(&out, &format!("/{form}")), want, form);
    }
    // The F tests and bounds, from the reference file.
    let r = reference("icc_shrout_fleiss.json");
    for row in r["results"].as_array().expect("results") {
        let form = row["type.1"].as_str().expect("form").to_lowercase();
        close(
            number(&out, &format!("/{form}")),
            number(row, "/ICC"),
            &form,
        );
        for (key, psych) in [
            ("f", "F"),
            ("df1", "df1"),
            ("df2", "df2"),
            ("p", "p"),
            ("lower", "lower.bound"),
            ("upper", "upper.bound"),
        ] {
            close(
                number(&out, &format!("/tests/{form}/{key}")),
                field_number(row, psych),
                &format!("{form} {key}"),
            );
        }
    }
}

#[test]
fn icc_skips_the_id_column_wherever_it_is() {
    // Shrout & Fleiss's table with a label column between the second and third raters.
    let table = std::fs::read_to_string(SHROUT_FLEISS).expect("shrout_fleiss.csv");
    let labelled: String = table
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<&str> = line.split(',').collect();
            let label = if i == 0 {
                "target".to_owned()
            } else {
                format!("t{i}")
            };
            format!(
                "{},{label},{}\n",
                cells[..2].join(","),
                cells[2..].join(",")
            )
        })
        .collect();
    let o = with_csv(
        "icc-id",
        &labelled,
        &["icc", "--csv", "{}", "--id", "target"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(out["n_raters"], 4);
    close(number(&out, "/icc2"), 0.289763779527559, "icc2");
    // Without --id the label column is a rater, and its labels are not numbers.
    let o = with_csv("icc-no-id", &labelled, &["icc", "--csv", "{}"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "alliance: error: row 2, column \"target\": \"t1\" is not a number\n"
    );
}

#[test]
fn icc_bad_input_is_one_error_line() {
    fails_with(
        &["icc", "--csv", &data("icc_text.csv"), "--id", "session"],
        "alliance: error: row 4 (id \"s3\"), column \"therapist\": \"n/a\" is not a number",
    );
    fails_with(
        &["icc", "--csv", &data("icc_text.csv"), "--id", "visit"],
        "alliance: error: the header has no column \"visit\" (named in --id)",
    );
    for (name, csv, message) in [
        (
            "icc-empty",
            "J1,J2\n1,2\n3,\n2,2\n",
            "row 3, column \"J2\": no rating; an ICC needs every target rated by every rater",
        ),
        (
            "icc-nan",
            "J1,J2\n1,2\n3,NaN\n2,2\n",
            "row 3, column \"J2\": \"NaN\" is not a finite number",
        ),
        (
            "icc-ragged",
            "J1,J2\n1,2\n3,4,5\n",
            "row 3: 3 fields, but the header has 2",
        ),
        (
            "icc-small",
            "J1,J2\n1,2\n",
            "an ICC needs at least 2 targets and 2 raters, not 1 x 2",
        ),
        (
            "icc-flat",
            "J1,J2\n4,4\n4,4\n4,4\n",
            "the targets have no variance between them (every target has the same mean rating), so the ICCs of averaged raters are undefined",
        ),
        (
            "icc-same-rows",
            "J1,J2\n1,2\n1,2\n",
            "the targets have no variance between them (every target has the same mean rating), so the ICCs of averaged raters are undefined",
        ),
        // Sums of squares overflow.
        (
            "icc-huge",
            "J1,J2\n1e200,1\n2,1e200\n3,4\n",
            "the ratings are too large or too small for the sums of squares",
        ),
    ] {
        let o = with_csv(name, csv, &["icc", "--csv", "{}"]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{name}");
        assert_eq!(
            stderr(&o),
            format!("alliance: error: {message}\n"),
            "{name}"
        );
    }
}

#[test]
fn reliability_and_icc_help_and_usage_errors() {
    for (command, marker) in [("reliability", "--split-half"), ("icc", "--id <COLUMN>")] {
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
    for args in [
        &["reliability"][..],
        &["reliability", "--csv", "x.csv"],
        &["reliability", "--items", "a,b"],
        &["reliability", "--csv", "x.csv", "--items", "a"],
        &["reliability", "--csv", "x.csv", "--items", "a,,b"],
        &["reliability", "--csv", "x.csv", "--items", "a,a-"],
        &["reliability", "--csv", "x.csv", "--items", "a,-"],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--min",
            "1.5",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--min",
            "6",
            "--max",
            "1",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--min",
            "1",
            "--max",
            "500",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--missing",
            "all",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--split-half",
            "some",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--na",
            " ",
        ],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--items",
            "a,b",
            "--timing=yes",
        ],
        &["reliability", "--csv", "x.csv", "--items", "a,b", "extra"],
        &[
            "reliability",
            "--csv",
            "x.csv",
            "--csv",
            "y.csv",
            "--items",
            "a,b",
        ],
        &["icc"],
        &["icc", "--csv"],
        &["icc", "--csv", "x.csv", "--id", ""],
        &["icc", "--csv", "x.csv", "--items", "a,b"],
        &["icc", "x.csv"],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).starts_with("alliance: "), "{args:?}");
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = alliance(&[
        "reliability",
        "--csv",
        "x.csv",
        "--items",
        "a,b",
        "--missing",
        "all",
    ]);
    assert_eq!(
        stderr(&o),
        "alliance: invalid value 'all' for '--missing <MISSING>' [possible values: pairwise, \
         listwise] (run `alliance reliability --help` for usage)\n"
    );
}

#[test]
fn reliability_reads_psych_style_keys_too() {
    let args = |items: &str| {
        json_output(&[
            "reliability",
            "--csv",
            BFI,
            "--items",
            items,
            "--min",
            "1",
            "--max",
            "6",
        ])
    };
    let suffix = args("A1-,A2,A3,A4,A5");
    let prefix = args("-A1,A2,A3,A4,A5");
    assert_eq!(suffix, prefix);
}

/// Runs `alliance plot` on the WAI-SR and PHQ-9 courses of tests/data/cli with extra arguments.
fn plot_course(extra: &[&str]) -> Output {
    let (alliance_csv, outcome_csv) = (data("plot_wai_sr.csv"), data("plot_phq_9.csv"));
    let mut args = vec![
        "plot",
        "--instrument",
        "wai-sr",
        "--csv",
        &alliance_csv,
        "--outcome-instrument",
        "phq-9",
        "--outcome-csv",
        &outcome_csv,
    ];
    args.extend_from_slice(extra);
    alliance(&args)
}

#[test]
fn plot_draws_the_course_to_a_file_or_stdout() {
    let path = temp_path("plot", "svg");
    let path_text = path.to_string_lossy().into_owned();
    let o = plot_course(&["--out", &path_text]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let svg = std::fs::read_to_string(&path).expect("the SVG was written");
    let _ = std::fs::remove_file(&path);
    let count = |mark: &str| svg.matches(mark).count();
    assert!(svg.starts_with("<svg "), "{svg}");
    assert_eq!(
        count("<path class=\"line\""),
        5,
        "total, three components, PHQ-9"
    );
    assert_eq!(count("class=\"rupture-onset\" data-session=\"6\""), 1);
    assert_eq!(count("class=\"rupture-repair\" data-session=\"8\""), 1);
    assert_eq!(count("class=\"sudden-gain\" data-session=\"6\""), 1);
    assert_eq!(count("<line class=\"threshold\""), 1, "PHQ-9 caseness");

    let o = plot_course(&[
        "--out",
        "-",
        "--metric",
        "sum",
        "--ruptures",
        "none",
        "--size",
        "640x480",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("<svg ") && out.contains("width=\"640\" height=\"480\""),
        "{out}"
    );
    assert!(!out.contains("rupture-onset"));
}

#[test]
fn plot_errors_name_the_file_row_and_column() {
    let header = "session,date,1,2,3,4,5,6,7,8,9,10,11,12\n";
    let cases = [
        (
            format!("{header}1,2026-01-05,3,3,7,3,3,3,3,3,3,3,3,3\n"),
            "alliance: error: wai-sr sessions: row 2, column \"3\": item 3: value 7 is outside the response range 1 to 5\n",
        ),
        (
            format!("{header}2,,3,3,3,3,3,3,3,3,3,3,3,3\n\n1,,3,3,3,3,3,3,3,3,3,3,3,3\n"),
            "alliance: error: wai-sr sessions: row 4: session 1: sessions must strictly increase, and session 1 follows session 2\n",
        ),
        (
            format!("{header}one,,3,3,3,3,3,3,3,3,3,3,3,3\n"),
            "alliance: error: wai-sr sessions: row 2, column \"session\": \"one\" is not a session number (a whole number from 0 to 4294967295)\n",
        ),
        (
            "session,therapist,1\n1,t1,3\n".to_owned(),
            "alliance: error: wai-sr sessions: column 2 (\"therapist\") is neither session, date, client nor an item of wai-sr\n",
        ),
    ];
    for (i, (csv, expected)) in cases.iter().enumerate() {
        let o = with_csv(
            &format!("plot-bad-{i}"),
            csv,
            &[
                "plot",
                "--instrument",
                "wai-sr",
                "--csv",
                "{}",
                "--out",
                "-",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{csv}");
        assert_eq!(stderr(&o), *expected);
        assert!(o.stdout.is_empty());
    }
    for args in [
        &["plot", "--instrument", "wai-sr", "--csv", "x.csv"][..],
        &[
            "plot",
            "--instrument",
            "wai-sr",
            "--csv",
            "x.csv",
            "--out",
            "-",
            "--outcome-csv",
            "y.csv",
        ],
        &[
            "plot",
            "--instrument",
            "wai-sr",
            "--csv",
            "x.csv",
            "--out",
            "-",
            "--size",
            "big",
        ],
        &[
            "plot",
            "--instrument",
            "wai-sr",
            "--csv",
            "x.csv",
            "--out",
            "-",
            "--ruptures",
            "3sd",
        ],
    ] {
        let o = alliance(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("(run `alliance plot --help` for usage)"),
            "{args:?}"
        );
    }
}
