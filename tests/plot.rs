//! The `plot` feature's SVG: well-formed XML, one line per score drawn, the thresholds, rupture
//! and sudden-gain marks where they belong, and no panic or non-finite coordinate on any input.
#![cfg(feature = "plot")]

use roxmltree::{Document, Node};
use therapeutic_alliance::change::{RuptureOptions, ScoreSeries, Series, SuddenOptions};
use therapeutic_alliance::plot::{
    OutcomePanel, PlotAxis, PlotOptions, PlotRuptures, PlotTargets, SuddenMarks, ThresholdLines,
};
use therapeutic_alliance::{
    Administration, Better, ErrorKind, Instrument, Metric, Target, catalog,
};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A series of `inst` with every item answered `v` at each (session, v).
fn series(
    inst: &Instrument,
    client: Option<&str>,
    sessions: &[(u32, Option<f64>)],
) -> Result<Series> {
    let mut s = Series::new(inst);
    for &(session, v) in sessions {
        let mut b = Administration::builder(inst).session(session);
        if let Some(c) = client {
            b = b.client(c);
        }
        if let Some(v) = v {
            b = b.answers(inst.items().iter().map(|i| (i.id().to_owned(), v)))?;
        }
        s.push(&b.build()?)?;
    }
    Ok(s)
}

/// Sessions 1, 2, ... with these values.
fn numbered(values: &[f64]) -> Vec<(u32, Option<f64>)> {
    (1..).zip(values.iter().map(|&v| Some(v))).collect()
}

/// Elements of `tag` with `class` under `node`.
fn marks<'a, 'i>(node: Node<'a, 'i>, tag: &str, class: &str) -> Vec<Node<'a, 'i>> {
    node.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
        .collect()
}

fn panel<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Result<Node<'a, 'i>> {
    doc.descendants()
        .find(|n| n.attribute("id") == Some(id))
        .ok_or_else(|| format!("no element #{id}").into())
}

fn num(node: Node<'_, '_>, attr: &str) -> Result<f64> {
    Ok(node.attribute(attr).ok_or(format!("no {attr}"))?.parse()?)
}

/// Parses the SVG and checks what every picture must be: an `svg` root of the given size, and
/// every number in a coordinate attribute finite and inside the picture.
fn parse(svg: &str) -> Result<Document<'_>> {
    let doc = Document::parse(svg)?;
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let (w, h) = (num(root, "width")?, num(root, "height")?);
    for node in doc.descendants().filter(Node::is_element) {
        for (attr, limit) in [
            ("x", w),
            ("x1", w),
            ("x2", w),
            ("cx", w),
            ("y", h),
            ("y1", h),
            ("y2", h),
            ("cy", h),
        ] {
            if let Some(v) = node.attribute(attr) {
                let v: f64 = v.parse()?;
                assert!(
                    (-1.0..=limit + 1.0).contains(&v),
                    "{attr}={v} outside 0..{limit}: {node:?}"
                );
            }
        }
        if let Some(d) = node.attribute("d") {
            for part in d
                .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
                .filter(|p| !p.is_empty())
            {
                let v: f64 = part.parse()?;
                assert!(
                    v.is_finite() && (-10.0..=w.max(h) + 10.0).contains(&v),
                    "d={d}"
                );
            }
        }
    }
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    Ok(doc)
}

/// A WAI-SR course with a rupture at session 6 repaired at session 8, and a PHQ-9 course with a
/// sudden gain from session 5 to 6.
fn course() -> Result<(Series, Series)> {
    let wai = catalog::require("wai-sr")?;
    let phq9 = catalog::require("phq-9")?;
    let alliance = series(
        &wai,
        Some("c-017"),
        &numbered(&[3.0, 3.0, 4.0, 4.0, 4.0, 2.0, 3.0, 4.0, 4.0, 5.0]),
    )?;
    let outcome = series(
        &phq9,
        Some("c-017"),
        &numbered(&[2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0]),
    )?;
    Ok((alliance, outcome))
}

#[test]
fn lines_thresholds_ruptures_and_sudden_gains_are_marked() -> Result {
    let (alliance, outcome) = course()?;
    let svg = PlotOptions::new()
        .outcome(OutcomePanel::series(&outcome)?)
        .svg(&alliance)?;
    let doc = parse(&svg)?;

    let top = panel(&doc, "alliance-panel")?;
    let lines = marks(top, "path", "line");
    let targets: Vec<_> = lines
        .iter()
        .filter_map(|l| l.attribute("data-target"))
        .collect();
    // Drawn back to front: the components, then the total on top.
    assert_eq!(targets, ["goals", "collaboration", "bond", "total"]);
    for line in &lines {
        let d = line.attribute("d").ok_or("no d")?;
        assert_eq!(
            d.matches(['M', 'L']).count(),
            10,
            "one vertex per session: {d}"
        );
    }
    assert!(
        marks(top, "line", "threshold").is_empty(),
        "the WAI-SR has no threshold"
    );
    let onset = marks(top, "path", "rupture-onset");
    let repair = marks(top, "path", "rupture-repair");
    let dips = marks(top, "rect", "rupture-dip");
    assert_eq!(onset.len(), 1);
    assert_eq!(onset[0].attribute("data-session"), Some("6"));
    assert_eq!(repair.len(), 1);
    assert_eq!(repair[0].attribute("data-session"), Some("8"));
    assert_eq!(dips.len(), 1);
    // The dip is shaded from session 6 (the onset, where the fall reached the threshold; not
    // session 5, the last at the level) to session 8 (the repair): it starts at the onset
    // marker's center and ends at the repair marker's.
    let (dx, dw) = (num(dips[0], "x")?, num(dips[0], "width")?);
    let center = |node: Node<'_, '_>| -> Result<f64> {
        // The marker's first vertex is 7 px left of its center.
        let d = node.attribute("d").ok_or("no d")?;
        let x: f64 = d
            .trim_start_matches('M')
            .split(' ')
            .next()
            .ok_or("x")?
            .parse()?;
        Ok(x + 7.0)
    };
    let (onset_x, repair_x) = (center(onset[0])?, center(repair[0])?);
    assert!((dx - onset_x).abs() < 0.02, "{dx} {onset_x}");
    assert!((dx + dw - repair_x).abs() < 0.02, "{dx} {dw} {repair_x}");

    let bottom = panel(&doc, "outcome-panel")?;
    let outcome_lines = marks(bottom, "path", "line");
    assert_eq!(outcome_lines.len(), 1);
    let thresholds = marks(bottom, "line", "threshold");
    assert_eq!(thresholds.len(), 1, "PHQ-9 caseness at 10");
    let gains = marks(bottom, "path", "sudden-gain");
    assert_eq!(gains.len(), 1);
    assert_eq!(
        gains[0].attribute("data-session"),
        Some("6"),
        "the first session after the gain"
    );
    assert!(marks(top, "path", "sudden-gain").is_empty());
    Ok(())
}

#[test]
fn a_threshold_is_drawn_in_the_plotted_metric() -> Result {
    let srs = catalog::require("srs")?;
    // The SRS alert is a total sum at or below 36: 90 percent of maximum. Session 2 scores 36.
    let s = series(&srs, None, &numbered(&[9.5, 9.0, 9.8]))?;
    for metric in [Metric::Pomp, Metric::Sum, Metric::Mean] {
        let svg = PlotOptions::new()
            .metric(metric)
            .targets(PlotTargets::Only(vec![Target::Total]))
            .svg(&s)?;
        let doc = parse(&svg)?;
        let top = panel(&doc, "alliance-panel")?;
        let rule = marks(top, "line", "threshold");
        assert_eq!(rule.len(), 1, "{metric:?}");
        assert_eq!(rule[0].attribute("data-target"), Some("total"));
        let points = marks(top, "circle", "point");
        assert_eq!(points.len(), 3);
        assert_eq!(num(rule[0], "y1")?, num(points[1], "cy")?, "{metric:?}");
    }
    let hidden = PlotOptions::new()
        .thresholds(ThresholdLines::Hidden)
        .svg(&s)?;
    assert!(marks(parse(&hidden)?.root_element(), "line", "threshold").is_empty());
    Ok(())
}

#[test]
fn sudden_gains_and_losses_of_a_score_series_fall_on_their_sessions() -> Result {
    let wai = catalog::require("wai-sr")?;
    let alliance = series(
        &wai,
        None,
        &(10..=17).map(|s| (s, Some(4.0))).collect::<Vec<_>>(),
    )?;
    // Sessions 10..=17: a gain from 12 to 13, a loss from 15 to 16.
    let bdi = ScoreSeries::new(
        "c",
        [30.0, 31.0, 30.0, 18.0, 17.0, 16.0, 29.0, 30.0].map(Some),
    )?;
    let marks_of = SuddenMarks::GainsAndLosses(SuddenOptions::new(Better::Lower, 7.0)?);
    let panel_ = OutcomePanel::scores("BDI-II", bdi, 10)?.sudden(marks_of);
    let svg = PlotOptions::new().outcome(panel_).svg(&alliance)?;
    let doc = parse(&svg)?;
    let bottom = panel(&doc, "outcome-panel")?;
    let at = |class| -> Vec<_> {
        marks(bottom, "path", class)
            .iter()
            .filter_map(|m| m.attribute("data-session").map(str::to_owned))
            .collect()
    };
    assert_eq!(at("sudden-gain"), ["13"]);
    assert_eq!(at("sudden-loss"), ["16"]);
    Ok(())
}

#[test]
fn odd_series_draw_without_panicking() -> Result {
    let wai = catalog::require("wai-sr")?;
    let srs = catalog::require("srs")?;
    let cases: Vec<(&str, Series)> = vec![
        ("empty", Series::new(&wai)),
        (
            "nothing answered",
            series(&wai, None, &[(1, None), (2, None), (3, None)])?,
        ),
        ("one session", series(&wai, None, &[(4, Some(3.0))])?),
        (
            "huge session numbers",
            series(
                &srs,
                None,
                &[
                    (0, Some(5.0)),
                    (1, Some(2.0)),
                    (u32::MAX - 1, Some(9.0)),
                    (u32::MAX, Some(1.0)),
                ],
            )?,
        ),
        ("flat", series(&srs, None, &numbered(&[5.0; 6]))?),
        (
            "every other missing",
            series(
                &srs,
                None,
                &[
                    (1, Some(5.0)),
                    (2, None),
                    (3, Some(9.0)),
                    (4, None),
                    (5, Some(2.0)),
                ],
            )?,
        ),
        (
            "long",
            series(
                &srs,
                None,
                &(1..=2000)
                    .map(|s| (s, Some(f64::from(s % 11))))
                    .collect::<Vec<_>>(),
            )?,
        ),
    ];
    for (name, s) in &cases {
        for options in [
            PlotOptions::new(),
            PlotOptions::new()
                .size(400, 300)?
                .ruptures(PlotRuptures::Detect(RuptureOptions::points(1.0)?)),
            PlotOptions::new()
                .metric(Metric::Sum)
                .targets(PlotTargets::All),
        ] {
            let svg = options.svg(s).map_err(|e| format!("{name}: {e}"))?;
            let doc = parse(&svg).map_err(|e| format!("{name}: {e}"))?;
            let scored = s.values("total", Metric::Sum).iter().flatten().count();
            let lines = marks(panel(&doc, "alliance-panel")?, "path", "line").len();
            assert_eq!(lines > 0, scored > 0, "{name}");
            assert_eq!(svg.contains("No scores to plot"), scored == 0, "{name}");
        }
    }
    // An outcome panel with an empty or unscored series, or huge scores of a score series.
    let phq9 = catalog::require("phq-9")?;
    let empty = OutcomePanel::series(&Series::new(&phq9))?;
    parse(&PlotOptions::new().outcome(empty).svg(&cases[0].1)?)?;
    let big = ScoreSeries::new("c", [Some(-1e9), Some(1e9), None, Some(0.5)])?;
    parse(
        &PlotOptions::new()
            .outcome(OutcomePanel::scores("x", big, u32::MAX - 2)?)
            .svg(&cases[2].1)?,
    )?;
    Ok(())
}

#[test]
fn bad_options_are_errors() -> Result {
    let wai = catalog::require("wai-sr")?;
    let phq9 = catalog::require("phq-9")?;
    let s = series(&wai, Some("a"), &numbered(&[3.0, 4.0, 2.0, 4.0]))?;
    let code = |r: therapeutic_alliance::Result<String>| r.map(|_| ()).map_err(|e| e.code());
    assert_eq!(
        code(
            PlotOptions::new()
                .targets(PlotTargets::Only(vec![]))
                .svg(&s)
        ),
        Err("invalid_option")
    );
    assert_eq!(
        code(
            PlotOptions::new()
                .targets(PlotTargets::Only(vec!["global".into()]))
                .svg(&s)
        ),
        Err("unknown_target")
    );
    assert!(
        PlotOptions::new().size(399, 300).is_err() && PlotOptions::new().size(800, 10_001).is_err()
    );
    assert!(PlotOptions::new().title("tab\there").is_err());

    // Ruptures of another series naming sessions this one does not have.
    let other = RuptureOptions::points(1.0)?.analyze_values(&[
        Some(5.0),
        Some(5.0),
        Some(5.0),
        Some(5.0),
        Some(5.0),
        Some(2.0),
    ])?;
    let err = PlotOptions::new()
        .ruptures(PlotRuptures::Given(other))
        .svg(&s)
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::InvalidSeries {
                session: Some(_),
                ..
            }
        ),
        "{err}"
    );

    // An outcome of another client.
    let b = series(&phq9, Some("b"), &numbered(&[2.0, 1.0]))?;
    let err = PlotOptions::new()
        .outcome(OutcomePanel::series(&b)?)
        .svg(&s)
        .unwrap_err();
    assert!(err.to_string().contains("another client"), "{err}");
    assert!(
        !err.to_string().contains("\"b\""),
        "the client's id is not in {err}"
    );

    // Scores too large to draw, and outcome series spanning too many sessions.
    let huge = ScoreSeries::new("c", [Some(2e9)])?;
    assert_eq!(
        OutcomePanel::scores("x", huge, 1).unwrap_err().code(),
        "invalid_option"
    );
    let wide = series(&phq9, None, &[(1, Some(1.0)), (200_000, Some(1.0))])?;
    assert_eq!(
        OutcomePanel::series(&wide).unwrap_err().code(),
        "invalid_series"
    );
    Ok(())
}

#[test]
fn text_is_escaped_and_the_output_is_deterministic() -> Result {
    let (alliance, _) = course()?;
    let options = PlotOptions::new().title("Goals & tasks <client \"17\"> 'α'")?;
    let svg = options.svg(&alliance)?;
    assert_eq!(svg, options.svg(&alliance)?);
    let doc = parse(&svg)?;
    let title = marks(doc.root_element(), "text", "title");
    assert_eq!(title[0].text(), Some("Goals & tasks <client \"17\"> 'α'"));
    Ok(())
}

#[test]
fn plot_types_are_send_sync_debug_clone() {
    fn check<T: Send + Sync + std::fmt::Debug + Clone>() {}
    check::<PlotOptions>();
    check::<PlotTargets>();
    check::<PlotRuptures>();
    check::<ThresholdLines>();
    check::<OutcomePanel>();
    check::<SuddenMarks>();
}

/// Text of every `<text>` of `class` under `node`.
fn texts(node: Node<'_, '_>, class: &str) -> Vec<String> {
    node.descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("class") == Some(class))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

/// Issue 13: on a 10-session SRS course of one client the default picture fits the SRS: the
/// total 0-40 on the left, each line 0-10 on the right at the same heights; every session
/// labeled, from 1; all four lines including Overall; the rupture shaded from its onset; the
/// client in the title.
#[test]
fn srs_defaults_fit_the_instrument() -> Result {
    let srs = catalog::require("srs")?;
    // A dip at session 5 (all lines 9.5 -> 8.0), repaired at session 7.
    let s = series(
        &srs,
        Some("c-01"),
        &numbered(&[9.0, 9.2, 9.4, 9.5, 8.0, 8.6, 9.6, 9.7, 9.7, 9.8]),
    )?;
    let svg = PlotOptions::new().svg(&s)?;
    let doc = parse(&svg)?;
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .ok_or("no title")?;
    assert!(title.contains("c-01"), "{title}");
    assert!(
        doc.descendants().any(|n| n.has_tag_name("desc")),
        "a desc element for screen readers"
    );
    let top = panel(&doc, "alliance-panel")?;
    let targets: Vec<_> = marks(top, "path", "line")
        .iter()
        .filter_map(|l| l.attribute("data-target"))
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
    // The SRS's fourth line, Overall (id `global`), is drawn too.
    assert!(targets.contains(&"global"), "{targets:?}");
    assert!(
        texts(top, "legend-label")
            .iter()
            .any(|t| t.starts_with("Overall"))
    );
    let ticks = texts(top, "tick-label");
    // The left axis 0-40 by 5 or 10, the right one 0-10; and sessions 1..10.
    for label in ["0", "10", "20", "30", "40"] {
        assert!(ticks.iter().any(|t| t == label), "{label} in {ticks:?}");
    }
    let right: Vec<Node<'_, '_>> = top
        .descendants()
        .filter(|n| {
            n.attribute("class") == Some("tick-label")
                && n.attribute("text-anchor") == Some("start")
        })
        .collect();
    let right_labels: Vec<&str> = right.iter().filter_map(|n| n.text()).collect();
    assert_eq!(right_labels.first(), Some(&"0"));
    assert_eq!(right_labels.last(), Some(&"10"));
    // Same heights: the right axis's 10 and the left axis's 40 are at the top.
    let y_of = |label: &str, anchor: &str| -> Result<f64> {
        let node = top
            .descendants()
            .find(|n| {
                n.attribute("class") == Some("tick-label")
                    && n.attribute("text-anchor") == Some(anchor)
                    && n.text() == Some(label)
            })
            .ok_or(format!("no tick {label}"))?;
        num(node, "y")
    };
    assert!((y_of("10", "start")? - y_of("40", "end")?).abs() < 0.02);
    let (left0, left40) = (y_of("0", "end")?, y_of("40", "end")?);
    for (label, share) in [("0", 0.0), ("4", 0.4), ("8", 0.8)] {
        let expected = left0 + (left40 - left0) * share;
        assert!((y_of(label, "start")? - expected).abs() < 0.02, "{label}");
    }
    let titles = texts(top, "axis-title");
    assert!(titles.iter().any(|t| t == "SRS total (sum)"), "{titles:?}");
    assert_eq!(texts(top, "axis-title right"), ["SRS subscales (sum)"]);
    // Every session labeled, from session 1.
    let sessions: Vec<String> = top
        .descendants()
        .filter(|n| {
            n.attribute("class") == Some("tick-label")
                && n.attribute("text-anchor") == Some("middle")
        })
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    let expected: Vec<String> = (1..=10).map(|i: u32| i.to_string()).collect();
    assert_eq!(sessions, expected);
    // The threshold (total at or below 36) at the height of 36 points: 90% up the axis.
    let rule = marks(top, "line", "threshold");
    assert_eq!(rule.len(), 1);
    let (y0, y40) = (y_of("0", "end")?, y_of("40", "end")?);
    let at36 = y0 + (y40 - y0) * 0.9;
    assert!(
        (num(rule[0], "y1")? - (at36 - 11.0 * 0.35)).abs() < 0.05,
        "{at36}"
    );
    // The rupture: onset at session 5, shaded from there (not from session 4).
    let onset = marks(top, "path", "rupture-onset");
    assert_eq!(onset.len(), 1);
    assert_eq!(onset[0].attribute("data-session"), Some("5"));
    let dip = marks(top, "rect", "rupture-dip");
    let session_x = |label: &str| -> Result<f64> {
        let node = top
            .descendants()
            .find(|n| {
                n.attribute("class") == Some("tick-label")
                    && n.attribute("text-anchor") == Some("middle")
                    && n.text() == Some(label)
            })
            .ok_or("no session tick")?;
        num(node, "x")
    };
    assert!((num(dip[0], "x")? - session_x("5")?).abs() < 0.02);
    Ok(())
}

/// Every session is labeled up to 20 sessions; beyond, round steps with session 1 kept.
#[test]
fn sessions_are_labeled_every_one_up_to_twenty() -> Result {
    let srs = catalog::require("srs")?;
    for (count, expected) in [(20u32, 20usize), (30, 0)] {
        let values: Vec<f64> = (0..count).map(|i| 8.0 + f64::from(i % 3) * 0.5).collect();
        let s = series(&srs, None, &numbered(&values))?;
        let svg = PlotOptions::new().ruptures(PlotRuptures::None).svg(&s)?;
        let doc = parse(&svg)?;
        let sessions: Vec<String> = doc
            .descendants()
            .filter(|n| {
                n.attribute("class") == Some("tick-label")
                    && n.attribute("text-anchor") == Some("middle")
            })
            .filter_map(|n| n.text().map(str::to_owned))
            .collect();
        assert_eq!(
            sessions.first().map(String::as_str),
            Some("1"),
            "{sessions:?}"
        );
        if expected > 0 {
            assert_eq!(sessions.len(), expected);
        } else {
            assert!(
                sessions.len() < 30 && sessions.contains(&"5".to_owned()),
                "{sessions:?}"
            );
        }
    }
    Ok(())
}

/// A zoomed axis leaves out the empty bottom of the range; where subscales have different
/// lengths the fitted axis is percent of maximum, zoomed.
#[test]
fn zoomed_axes_fit_the_data() -> Result {
    use therapeutic_alliance::{ResponseScale, Subscale, TotalRule};
    let srs = catalog::require("srs")?;
    let s = series(&srs, None, &numbered(&[8.0, 9.0, 9.5]))?;
    let svg = PlotOptions::new()
        .axis(PlotAxis::Zoomed(Metric::Pomp))
        .svg(&s)?;
    let doc = parse(&svg)?;
    // Scores at 80, 90 and 95 percent (the threshold at 90): at least 20 points, round steps.
    let ticks = texts(panel(&doc, "alliance-panel")?, "tick-label");
    assert_eq!(ticks[..5], ["75", "80", "85", "90", "95"], "{ticks:?}");

    let uneven = Instrument::builder("uneven", "Uneven", ResponseScale::likert(1, 5, [])?)
        .items(["1", "2", "3"])
        .subscale(Subscale::new("a", "A", ["1"]))
        .subscale(Subscale::new("b", "B", ["2", "3"]))
        .total(TotalRule::OverItems)
        .build()?;
    let s = series(&uneven, None, &numbered(&[4.0, 5.0, 4.0]))?;
    let svg = PlotOptions::new().svg(&s)?;
    let doc = parse(&svg)?;
    let top = panel(&doc, "alliance-panel")?;
    assert_eq!(texts(top, "axis-title"), ["Uneven (percent of maximum)"]);
    let ticks = texts(top, "tick-label");
    assert!(
        ticks.contains(&"100".to_owned()) && !ticks.contains(&"0".to_owned()),
        "{ticks:?}"
    );
    Ok(())
}

/// A gradual fall: the onset is the session where the fall first reaches the threshold, and
/// the shading starts there, not at the first session below the level nor at the last session
/// at it (see `Rupture::onset`).
#[test]
fn a_gradual_rupture_is_shaded_from_its_onset() -> Result {
    let srs = catalog::require("srs")?;
    // Totals 38, 36, 32, 38.4: the level is 38 (session 1); session 2 is below it by 2 (under
    // the threshold of 4), session 3 by 6: the onset; session 4 repairs it.
    let s = series(&srs, None, &numbered(&[9.5, 9.0, 8.0, 9.6]))?;
    let svg = PlotOptions::new()
        .targets(PlotTargets::Only(vec![Target::Total]))
        .ruptures(PlotRuptures::Detect(RuptureOptions::points(4.0)?))
        .svg(&s)?;
    let doc = parse(&svg)?;
    let top = panel(&doc, "alliance-panel")?;
    let onset = marks(top, "path", "rupture-onset");
    assert_eq!(onset.len(), 1);
    assert_eq!(onset[0].attribute("data-session"), Some("3"));
    let session_x = |label: &str| -> Result<f64> {
        let node = top
            .descendants()
            .find(|n| {
                n.attribute("class") == Some("tick-label")
                    && n.attribute("text-anchor") == Some("middle")
                    && n.text() == Some(label)
            })
            .ok_or("no session tick")?;
        num(node, "x")
    };
    let dip = marks(top, "rect", "rupture-dip");
    assert_eq!(dip.len(), 1);
    let (x, w) = (num(dip[0], "x")?, num(dip[0], "width")?);
    assert!((x - session_x("3")?).abs() < 0.02, "{x}");
    assert!((x + w - session_x("4")?).abs() < 0.02, "{x} {w}");
    Ok(())
}
