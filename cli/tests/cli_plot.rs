//! `alliance plot` and its kinds, run as a user runs them: `course` (the default, as before),
//! `jt`, `cohort` and `caterpillar`. The figures' geometry is tested on the library
//! (tests/plot.rs, tests/plot_figures.rs); here the command reads its inputs, draws the marks
//! the data gives, and refuses a bad command line with exit status 2.

mod support;

use support::{alliance, data, stderr, stdout};

/// The values of attribute `attr` of every element whose text starts with `prefix`
/// (e.g. `<circle class="point"`), in order.
fn attributes(svg: &str, prefix: &str, attr: &str) -> Vec<String> {
    svg.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &svg[i..];
            let end = rest.find('>')?;
            let element = &rest[..end];
            let key = format!(" {attr}=\"");
            let start = element.find(&key)? + key.len();
            let value = &element[start..];
            Some(value[..value.find('"')?].to_owned())
        })
        .collect()
}

/// `alliance plot` without a kind draws a course, as before; `alliance plot course` is the
/// same picture. On the SRS: the total 0-40 left, the lines 0-10 right, every session labeled,
/// the client in the title.
#[test]
fn plot_without_a_kind_draws_a_course() {
    let csv = data("cli/monitor_srs.csv");
    let plain = alliance(&["plot", "--instrument", "srs", "--csv", &csv, "--out", "-"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let course = alliance(&[
        "plot",
        "course",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--out",
        "-",
    ]);
    assert!(course.status.success(), "{}", stderr(&course));
    let svg = stdout(&plain);
    assert_eq!(svg, stdout(&course));
    assert!(svg.contains("<title>Session Rating Scale (SRS): client c-01</title>"));
    assert_eq!(
        svg.matches("<path class=\"line\"").count(),
        5,
        "total and 4 lines"
    );
    assert!(svg.contains(">SRS total (sum)</text>") && svg.contains(">SRS subscales (sum)</text>"));
    let sessions: Vec<String> = svg
        .match_indices("text-anchor=\"middle\" font-size=\"11\"")
        .filter_map(|(i, _)| {
            let rest = &svg[i..];
            let start = rest.find('>')? + 1;
            Some(rest[start..start + rest[start..].find('<')?].to_owned())
        })
        .collect();
    assert_eq!(
        sessions.first().map(String::as_str),
        Some("1"),
        "{sessions:?}"
    );
    // --axis and --metric.
    for (extra, expected) in [
        (
            &["--metric", "pomp"][..],
            ">SRS (percent of maximum)</text>",
        ),
        (
            &["--axis", "zoomed"][..],
            ">SRS (percent of maximum)</text>",
        ),
        (
            &["--axis", "full", "--metric", "sum"][..],
            ">SRS (sum)</text>",
        ),
    ] {
        let mut args = vec!["plot", "--instrument", "srs", "--csv", &csv, "--out", "-"];
        args.extend_from_slice(extra);
        let o = alliance(&args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        assert!(stdout(&o).contains(expected), "{extra:?}");
    }
    let o = alliance(&[
        "plot",
        "--instrument",
        "srs",
        "--csv",
        &csv,
        "--out",
        "-",
        "--axis",
        "fitted",
        "--metric",
        "sum",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// `alliance plot jt` reads what `alliance rci` reads, with its flags, and draws one point per
/// analyzed person colored by the category `alliance rci` gives them.
#[test]
fn plot_jt_draws_the_people_of_alliance_rci() {
    let csv = data("cli/rci_messy.csv");
    let flags = [
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
        "c",
        "--functional-mean",
        "8",
        "--functional-sd",
        "8",
    ];
    let rci = alliance(&[&["rci"][..], &flags].concat());
    assert!(rci.status.success(), "{}", stderr(&rci));
    let json: serde_json::Value = serde_json::from_str(&stdout(&rci)).expect("json");
    let categories: Vec<String> = json["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["category"].as_str().unwrap_or_default().to_owned())
        .collect();
    let plot = alliance(
        &[
            &["plot", "jt"][..],
            &flags,
            &["--out", "-", "--label", "HAMD"],
        ]
        .concat(),
    );
    assert!(plot.status.success(), "{}", stderr(&plot));
    let svg = stdout(&plot);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    assert_eq!(
        attributes(&svg, "<circle class=\"point\"", "data-category"),
        categories
    );
    assert_eq!(svg.matches("<path class=\"rc-band\"").count(), 1);
    assert_eq!(svg.matches("<line class=\"cutoff\"").count(), 2);
    assert!(svg.contains(">Pre-test HAMD</text>"));
    // A missing flag of the analysis is a usage error.
    let o = alliance(&["plot", "jt", "--csv", &csv, "--out", "-"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // --out may not be the input.
    let o = alliance(&[&["plot", "jt"][..], &flags, &["--out", &csv]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `alliance plot cohort` reads the long session table (as `alliance trajectory`): a faint
/// line per client, the mean, its interval; `--fitted` adds a growth model's line.
#[test]
fn plot_cohort_draws_each_client_and_the_mean() {
    let csv = data("sgdata_bdi_long.csv");
    let head = std::fs::read_to_string(&csv).expect("read");
    let header = head.lines().next().unwrap_or_default().replace('"', "");
    assert_eq!(header, "id,session,bdi", "the columns this test names");
    let clients: std::collections::BTreeSet<&str> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(|id| id.trim_matches('"'))
        .collect();
    for fitted in [None, Some("intercept"), Some("slope")] {
        let mut args = vec![
            "plot", "cohort", "--csv", &csv, "--id", "id", "--time", "session", "--score", "bdi",
            "--na", "NA", "--out", "-",
        ];
        if let Some(f) = fitted {
            args.extend_from_slice(&["--fitted", f]);
        }
        let o = alliance(&args);
        assert!(o.status.success(), "{fitted:?}: {}", stderr(&o));
        let svg = stdout(&o);
        assert!(svg.matches("<path class=\"faint-line\"").count() <= clients.len());
        assert!(svg.matches("<path class=\"faint-line\"").count() > clients.len() / 2);
        assert_eq!(
            svg.matches("<path class=\"line\" data-target=\"mean\"")
                .count(),
            1
        );
        assert!(svg.contains("<path class=\"ci-band\""));
        assert_eq!(
            svg.contains("data-target=\"fitted\""),
            fitted.is_some(),
            "{fitted:?}"
        );
        assert!(svg.contains(&format!("{} clients</title>", clients.len())));
    }
    let o = alliance(&[
        "plot", "cohort", "--csv", &csv, "--id", "id", "--time", "id", "--score", "bdi", "--out",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// `alliance plot caterpillar` fits lme4's Dyestuff model (`Yield ~ 1 + (1 | Batch)`) and
/// draws the batches sorted by their conditional modes as lme4 gives them
/// (tests/data/mixed_shared.json: E 56.7, C 28.6, B 0.39, A -17.6, D -23.1, F -45.0).
#[test]
fn plot_caterpillar_draws_the_groups_sorted() {
    let csv = data("dyestuff.csv");
    let o = alliance(&[
        "plot",
        "caterpillar",
        "--csv",
        &csv,
        "--y",
        "Yield",
        "--group",
        "Batch",
        "--out",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = stdout(&o);
    assert_eq!(
        attributes(&svg, "<g class=\"group\"", "data-level"),
        ["E", "C", "B", "A", "D", "F"]
    );
    assert_eq!(svg.matches("<line class=\"zero\"").count(), 1);
    assert!(
        svg.contains("<title>E: 56.7332 ("),
        "the mode to 4 decimals"
    );
    // A random slope: sleepstudy's Days per Subject.
    let o = alliance(&[
        "plot",
        "caterpillar",
        "--csv",
        &data("sleepstudy.csv"),
        "--y",
        "Reaction",
        "--group",
        "Subject",
        "--slope",
        "Days",
        "--term",
        "Days",
        "--out",
        "-",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).matches("<circle class=\"mode\"").count(), 18);
    // A term the model does not have, a column the file does not have.
    let o = alliance(&[
        "plot",
        "caterpillar",
        "--csv",
        &csv,
        "--y",
        "Yield",
        "--group",
        "Batch",
        "--term",
        "Days",
        "--out",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = alliance(&[
        "plot",
        "caterpillar",
        "--csv",
        &csv,
        "--y",
        "Weight",
        "--group",
        "Batch",
        "--out",
        "-",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no column \"Weight\""),
        "{}",
        stderr(&o)
    );
}

/// Each kind has its help, and `--errors json` gives a usage error as JSON.
#[test]
fn plot_kinds_have_help_and_json_errors() {
    for kind in ["course", "jt", "cohort", "caterpillar"] {
        let o = alliance(&["plot", kind, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{kind}");
        let out = stdout(&o);
        assert!(
            out.contains(&format!("Usage: alliance plot {kind}")),
            "{out}"
        );
        assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
    }
    let o = alliance(&[
        "--errors", "json", "plot", "cohort", "--csv", "x.csv", "--out", "-",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let line: serde_json::Value =
        serde_json::from_str(stderr(&o).lines().next().unwrap_or_default()).expect("json");
    assert!(line.get("message").is_some(), "{line}");
}
