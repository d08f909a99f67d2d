//! `alliance monitor` as a clinic's service runs it (issue 13): events in words, the state kept
//! in a file between runs (`--state`), retried sessions skipped quietly, changed answers refused,
//! German words (`--language de`).
//!
//! Known answers: the held-out SRS course of `tests/data/monitor_srs_rupture.csv`, worked by
//! hand (see `tests/monitor_words.rs`): the alert at 36 entered at session 5 and left at 8, a
//! drop of 6.2 at session 5 (a worsening and a rupture; the relationship line, bond, fell most
//! by 2.6).

use std::path::PathBuf;

use serde_json::Value;

mod support;
use support::{alliance, data, exe, stderr, stdout};

/// A temporary directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        exe();
        let path =
            std::env::temp_dir().join(format!("alliance-monitor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn course() -> String {
    std::fs::read_to_string(data("monitor_srs_rupture.csv")).expect("fixture")
}

/// The header and the first `n` sessions of the course.
fn first(n: usize) -> String {
    course()
        .lines()
        .take(n + 1)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn run_ok(args: &[&str]) -> Value {
    let o = alliance(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

fn sessions(out: &Value) -> Vec<Value> {
    out.as_array().expect("an array").clone()
}

#[test]
fn events_in_words_on_the_held_out_course() {
    let csv = data("monitor_srs_rupture.csv");
    let out = sessions(&run_ok(&["monitor", "--instrument", "srs", "--csv", &csv]));
    assert_eq!(out.len(), 10);
    let mut entered = 0;
    for s in &out {
        let events = s["events"].as_array().expect("events");
        assert_eq!(s["summary"].is_object(), !events.is_empty(), "{s}");
        for e in events {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            assert!(
                e["message_key"].is_string() && e["params"].is_object(),
                "{e}"
            );
            let severity = e["severity"].as_str().expect("severity");
            assert!(["info", "attention", "alert"].contains(&severity));
            if severity != "info" {
                assert!(e["practice"].is_string() && e["prompt"].is_string(), "{e}");
            }
            if e["kind"] == "threshold" {
                if e["state"] == "entered" {
                    entered += 1;
                } else {
                    assert_eq!(e["severity"], "info", "{e}");
                }
            }
        }
    }
    assert_eq!(entered, 1);
    let s5 = &out[4];
    assert_eq!(s5["events"][2]["kind"], "rupture_opened");
    assert_eq!(s5["events"][2]["largest_fall"]["target"], "bond");
    assert_eq!(s5["events"][2]["largest_fall"]["fall"], 2.6);
    assert_eq!(s5["events"][2]["largest_fall"]["fall_pomp"], 26.0);
    assert_eq!(s5["summary"]["severity"], "alert");
    assert_eq!(s5["summary"]["practice"], "openness");
    assert_eq!(
        s5["summary"]["message"],
        "Session 5: the total fell by 6.2 to 32.1: the total (32.1) at or below the cutoff of 36; \
         a rupture of the alliance; the bond fell most (2.6 points)."
    );
    assert_eq!(out[7]["events"][0]["state"], "left");
    // German.
    let de = sessions(&run_ok(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--language",
        "de",
    ]));
    assert_eq!(
        de[7]["events"][0]["message"],
        "Gute Nachricht: Der Wert der Skala Gesamt (36,8) liegt wieder über dem Grenzwert von 36."
    );
    assert_eq!(de[4]["events"], {
        let mut en = out[4]["events"].clone();
        for (e, d) in en
            .as_array_mut()
            .expect("events")
            .iter_mut()
            .zip(de[4]["events"].as_array().expect("events"))
        {
            e["message"] = d["message"].clone();
            e["prompt"] = d["prompt"].clone();
        }
        en
    });
}

#[test]
fn a_state_file_resumes_mid_course_like_one_run() {
    let dir = TempDir::new("resume");
    let whole = data("monitor_srs_rupture.csv");
    let one_run = sessions(&run_ok(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &whole,
    ]));
    for cut in [0, 3, 5, 7, 10] {
        let part = dir.file(&format!("part{cut}.csv"));
        std::fs::write(&part, first(cut)).expect("part");
        let state = dir.file(&format!("state{cut}.json"));
        let a = sessions(&run_ok(&[
            "monitor",
            "--instrument",
            "srs",
            "--csv",
            &part,
            "--state",
            &state,
        ]));
        // The second run reads the whole course: the sessions seen are skipped, only the new
        // ones are printed, and together they are the one run.
        let b = sessions(&run_ok(&[
            "monitor",
            "--instrument",
            "srs",
            "--csv",
            &whole,
            "--state",
            &state,
        ]));
        assert_eq!(a.len(), cut);
        assert_eq!(b.len(), 10 - cut);
        let both: Vec<Value> = a.into_iter().chain(b).collect();
        assert_eq!(both, one_run, "cut at {cut}");
        // Sending it all again is a quiet no-op: nothing printed, the state unchanged.
        let before = std::fs::read(&state).expect("state");
        let again = run_ok(&[
            "monitor",
            "--instrument",
            "srs",
            "--csv",
            &whole,
            "--state",
            &state,
        ]);
        assert_eq!(again, serde_json::json!([]));
        assert_eq!(std::fs::read(&state).expect("state"), before);
    }
}

#[test]
fn changed_answers_and_bad_states_are_errors() {
    let dir = TempDir::new("conflict");
    let state = dir.file("state.json");
    let part = dir.file("part.csv");
    std::fs::write(&part, first(6)).expect("part");
    run_ok(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &part,
        "--state",
        &state,
    ]);
    let before = std::fs::read(&state).expect("state");
    // Session 3 with another answer on line 4.
    let changed = dir.file("changed.csv");
    std::fs::write(
        &changed,
        first(7).replace(
            "3,2026-01-19,9.4,9.5,9.4,9.5",
            "3,2026-01-19,9.4,9.5,9.4,9.4",
        ),
    )
    .expect("changed");
    let args = [
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &changed,
        "--state",
        &state,
    ];
    let o = alliance(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    assert_eq!(
        stderr(&o),
        "alliance: error: row 4: session 3 was observed before with other answers\n"
    );
    let mut json = args.to_vec();
    json.extend(["--errors", "json"]);
    let o = alliance(&json);
    let e: Value = serde_json::from_slice(&o.stderr).expect("a JSON error");
    assert_eq!(e["code"], "session_conflict");
    assert_eq!(std::fs::read(&state).expect("state"), before, "not written");

    // A tampered state: a total of 1000 on the SRS.
    let mut v: Value = serde_json::from_slice(&before).expect("state JSON");
    v["previous"]["total"] = Value::from(1000.0);
    let tampered = dir.file("tampered.json");
    std::fs::write(&tampered, v.to_string()).expect("tampered");
    let o = alliance(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &part,
        "--state",
        &tampered,
        "--errors",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&o.stderr).expect("a JSON error");
    assert_eq!(e["code"], "invalid_monitor_state", "{e}");
    // The state of another instrument.
    let o = alliance(&[
        "monitor",
        "--instrument",
        "ors",
        "--csv",
        &part,
        "--state",
        &state,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("this belongs to instrument srs version \"3.0\""),
        "{}",
        stderr(&o)
    );
    // Other options than the stored ones.
    let o = alliance(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &part,
        "--state",
        &state,
        "--drop-points",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("other monitor options"),
        "{}",
        stderr(&o)
    );
    // An unknown language is a usage error.
    let o = alliance(&[
        "monitor",
        "--instrument",
        "srs",
        "--csv",
        &part,
        "--language",
        "xx",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
