//! The cohort figures of the `plot` feature (issue 14): the Jacobson-Truax scatter, the cohort
//! plot and the caterpillar plot. Checked by structure: well-formed SVG, the marks present, at
//! the coordinates their numbers give, labeled, escaped, no NaN, the same text every run.
#![cfg(feature = "plot")]

use roxmltree::{Document, Node};
use therapeutic_alliance::Better;
use therapeutic_alliance::change::{
    ChangeCategory, ChangeRow, CutoffType, RciMethod, ReliableChangeOptions, SessionTable,
};
use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
use therapeutic_alliance::plot::{CaterpillarPlotOptions, CohortPlotOptions, JtPlotOptions};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn num(node: Node<'_, '_>, attr: &str) -> Result<f64> {
    Ok(node.attribute(attr).ok_or(format!("no {attr}"))?.parse()?)
}

/// Parses the SVG and checks what every picture must be: an `svg` root with a title and a
/// description, every coordinate finite and inside the picture, no NaN or infinity.
fn parse(svg: &str) -> Result<Document<'_>> {
    let doc = Document::parse(svg)?;
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let (w, h) = (num(root, "width")?, num(root, "height")?);
    let children: Vec<&str> = root
        .children()
        .filter(Node::is_element)
        .map(|n| n.tag_name().name())
        .take(2)
        .collect();
    assert_eq!(children, ["title", "desc"], "accessible text first");
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

fn with_class<'a, 'i>(doc: &'a Document<'i>, tag: &str, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
        .collect()
}

/// The vertices of a path's `d`.
fn vertices(node: Node<'_, '_>) -> Result<Vec<(f64, f64)>> {
    let d = node.attribute("d").ok_or("no d")?;
    let numbers: Vec<f64> = d
        .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<std::result::Result<_, _>>()?;
    Ok(numbers.chunks(2).map(|c| (c[0], c[1])).collect())
}

/// The affine map from data to pixels that the labeled ticks of one axis give: (offset, factor)
/// from the first and last tick. `anchor` picks the axis: `middle` the horizontal one, `end`
/// the vertical one.
fn axis_map(doc: &Document<'_>, anchor: &str) -> Result<(f64, f64)> {
    let ticks: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| {
            n.attribute("class") == Some("tick-label") && n.attribute("text-anchor") == Some(anchor)
        })
        .map(|n| -> Result<(f64, f64)> {
            let v: f64 = n.text().ok_or("no text")?.replace('−', "-").parse()?;
            let at = if anchor == "middle" {
                num(n, "x")?
            } else {
                num(n, "y")? - 11.0 * 0.35
            };
            Ok((v, at))
        })
        .collect::<Result<_>>()?;
    let (first, last) = (
        ticks.first().ok_or("no ticks")?,
        ticks.last().ok_or("no ticks")?,
    );
    let factor = (last.1 - first.1) / (last.0 - first.0);
    Ok((first.1 - factor * first.0, factor))
}

fn at((offset, factor): (f64, f64), v: f64) -> f64 {
    offset + factor * v
}

/// Whether a point is inside a convex polygon (either winding), away from its edges by `margin`
/// pixels: `Some(inside)`, or `None` when too close to call.
fn inside(polygon: &[(f64, f64)], p: (f64, f64), margin: f64) -> Option<bool> {
    let mut sign = 0.0f64;
    let mut near = false;
    for (i, a) in polygon.iter().enumerate() {
        let b = polygon[(i + 1) % polygon.len()];
        let (ex, ey) = (b.0 - a.0, b.1 - a.1);
        let len = (ex * ex + ey * ey).sqrt();
        if len < 1e-9 {
            continue;
        }
        let cross = (ex * (p.1 - a.1) - ey * (p.0 - a.0)) / len;
        if cross.abs() < margin {
            near = true;
            continue;
        }
        if sign == 0.0 {
            sign = cross.signum();
        } else if cross.signum() != sign {
            return Some(false);
        }
    }
    if near { None } else { Some(true) }
}

/// Pre-post rows: the R package clinicalsignificance's `claus_2020` HAMD example (pre = 1,
/// post = 4) as the crate's rci tests use it, plus one id that needs escaping.
fn rows() -> Vec<ChangeRow> {
    [
        ("1", 25.0, 13.0),
        ("2", 15.0, 11.0),
        ("3", 28.0, 4.0),
        ("5", 30.0, 25.0),
        ("13", 24.0, 30.0),
        ("21", 22.0, 21.0),
        ("<b>&\"x\"", 19.0, 8.0),
        ("30", 27.0, 26.0),
        ("31", 12.0, 22.0),
        ("40", 33.0, 15.0),
    ]
    .into_iter()
    .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)))
    .collect()
}

/// The scatter of every RCI method: one point per person at (pre, post), colored by its
/// category, inside the band exactly when its change is not reliable; the cutoff lines at the
/// cutoff; the line of no change on the diagonal.
#[test]
fn jt_scatter_marks_every_person_band_and_cutoff() -> Result {
    for method in [
        RciMethod::JacobsonTruax,
        RciMethod::GulliksenLordNovick,
        RciMethod::HsuLinnLord,
        RciMethod::EdwardsNunnally,
        RciMethod::NunnallyKotsch,
        RciMethod::HagemanArrindell,
    ] {
        let result = ReliableChangeOptions::new(method, 0.8, Better::Lower)?
            .functional(8.0, 8.0)?
            .cutoff(CutoffType::C)
            .analyze(rows())?;
        let options = JtPlotOptions::new().label("HAMD total")?;
        let svg = options.svg(&result)?;
        assert_eq!(svg, options.svg(&result)?, "deterministic");
        let doc = parse(&svg)?;
        let (xm, ym) = (axis_map(&doc, "middle")?, axis_map(&doc, "end")?);
        let points = with_class(&doc, "circle", "point");
        assert_eq!(points.len(), result.people.len(), "{method}");
        let band = with_class(&doc, "path", "rc-band");
        assert_eq!(band.len(), 1, "{method}");
        let band = vertices(band[0])?;
        let mut judged = 0;
        for (node, person) in points.iter().zip(&result.people) {
            assert_eq!(
                node.attribute("data-category"),
                Some(person.category.to_string().as_str())
            );
            assert!((num(*node, "cx")? - at(xm, person.pre)).abs() < 0.02);
            assert!((num(*node, "cy")? - at(ym, person.post)).abs() < 0.02);
            let reliable = person.rci.abs() >= result.critical_value;
            if let Some(within) = inside(&band, (num(*node, "cx")?, num(*node, "cy")?), 0.5) {
                judged += 1;
                assert_eq!(
                    within, !reliable,
                    "{method} {}: rci {} critical {}",
                    person.id, person.rci, result.critical_value
                );
            }
            let title = node
                .first_element_child()
                .and_then(|t| t.text())
                .unwrap_or("");
            assert!(title.starts_with(&format!("{}: ", person.id)), "{title}");
        }
        assert!(
            judged >= 8,
            "{method}: {judged} points away from the band's edges"
        );
        let reliable = result
            .people
            .iter()
            .filter(|p| p.rci.abs() >= result.critical_value)
            .count();
        assert!(
            reliable > 0 && reliable < result.people.len(),
            "{method}: both kinds"
        );
        // The id that needs escaping is escaped in the text.
        assert!(
            svg.contains("&lt;b&gt;&amp;&quot;x&quot;: 19 to 8"),
            "{method}"
        );
        let cutoff = with_class(&doc, "line", "cutoff");
        assert_eq!(cutoff.len(), 2);
        let c = result.cutoff.value;
        assert!((num(cutoff[0], "x1")? - at(xm, c)).abs() < 0.02);
        assert!((num(cutoff[1], "y1")? - at(ym, c)).abs() < 0.02);
        let diagonal = with_class(&doc, "line", "no-change");
        assert_eq!(diagonal.len(), 1);
        let (x1, y1) = (num(diagonal[0], "x1")?, num(diagonal[0], "y1")?);
        let data = (x1 - xm.0) / xm.1;
        assert!((y1 - at(ym, data)).abs() < 0.05, "post = pre");
        // A legend entry per category, with its count.
        let legend: Vec<&str> = with_class(&doc, "text", "legend-label")
            .iter()
            .filter_map(|n| n.text())
            .collect();
        for category in ChangeCategory::ALL {
            let entry = format!("{category} ({})", result.counts.get(*category));
            assert!(legend.contains(&entry.as_str()), "{entry} in {legend:?}");
        }
        let axis_titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("axis-title"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(axis_titles, ["Pre-test HAMD total", "Post-test HAMD total"]);
    }
    Ok(())
}

/// A small cohort: five clients, six sessions, missed sessions left out.
fn cohort() -> Result<SessionTable> {
    let scores: [(&str, [Option<f64>; 6]); 5] = [
        (
            "c-1",
            [
                Some(40.0),
                Some(44.0),
                Some(45.0),
                Some(47.0),
                Some(48.0),
                Some(50.0),
            ],
        ),
        (
            "c-2",
            [
                Some(36.0),
                Some(35.0),
                None,
                Some(41.0),
                Some(43.0),
                Some(44.0),
            ],
        ),
        (
            "c-3",
            [Some(45.0), Some(47.0), Some(46.0), Some(49.0), None, None],
        ),
        (
            "c-4",
            [
                Some(38.0),
                None,
                Some(40.0),
                Some(42.0),
                Some(45.0),
                Some(46.0),
            ],
        ),
        (
            "c-5",
            [
                Some(41.0),
                Some(42.0),
                Some(44.0),
                Some(44.0),
                Some(47.0),
                Some(49.0),
            ],
        ),
    ];
    Ok(SessionTable::from_rows(scores.iter().flat_map(
        |(id, s)| {
            (1u32..)
                .zip(s.iter().copied())
                .map(move |(n, v)| (*id, n, v))
        },
    ))?)
}

/// The cohort plot: a faint line per client, the mean through each session's mean, its 95%
/// interval as R's `t.test` gives it, every session labeled.
#[test]
fn cohort_plot_draws_the_mean_and_its_t_interval() -> Result {
    let table = cohort()?;
    let svg = CohortPlotOptions::new()
        .label("WAI-SR total")?
        .svg(&table)?;
    let doc = parse(&svg)?;
    assert_eq!(with_class(&doc, "path", "faint-line").len(), 5);
    let mean = with_class(&doc, "path", "line");
    assert_eq!(mean.len(), 1);
    assert_eq!(mean[0].attribute("data-target"), Some("mean"));
    let (xm, ym) = (axis_map(&doc, "middle")?, axis_map(&doc, "end")?);
    let means = vertices(mean[0])?;
    assert_eq!(means.len(), 6);
    // Session 1: 40, 36, 45, 38, 41; session 2: 44, 35, 47, 42 (c-4 missed it).
    assert!((means[0].1 - at(ym, 40.0)).abs() < 0.02);
    assert!((means[1].1 - at(ym, 42.0)).abs() < 0.02);
    let band = with_class(&doc, "path", "ci-band");
    assert_eq!(band.len(), 1);
    let band = vertices(band[0])?;
    // Upper bounds left to right, then lower bounds right to left (and the closing vertex).
    let upper = |session: f64| {
        band.iter()
            .take(6)
            .find(|p| (p.0 - at(xm, session)).abs() < 0.02)
            .map(|p| p.1)
    };
    let lower = |session: f64| {
        band.iter()
            .skip(6)
            .find(|p| (p.0 - at(xm, session)).abs() < 0.02)
            .map(|p| p.1)
    };
    // R 4: t.test(c(40, 36, 45, 38, 41))$conf.int = 35.7893125180077 44.2106874819923 and
    // t.test(c(44, 35, 47, 42))$conf.int = 33.8863220941986 50.1136779058014 (run here);
    // pixels have two decimals, so to 0.02 px.
    for (session, lo, hi) in [
        (1.0, 35.789_312_518_007_7, 44.210_687_481_992_3),
        (2.0, 33.886_322_094_198_6, 50.113_677_905_801_4),
    ] {
        assert!((upper(session).ok_or("no upper")? - at(ym, hi)).abs() < 0.02);
        assert!((lower(session).ok_or("no lower")? - at(ym, lo)).abs() < 0.02);
    }
    let sessions: Vec<&str> = doc
        .descendants()
        .filter(|n| {
            n.attribute("class") == Some("tick-label")
                && n.attribute("text-anchor") == Some("middle")
        })
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(sessions, ["1", "2", "3", "4", "5", "6"]);
    let title = doc
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text());
    assert_eq!(title, Some("WAI-SR total by session: 5 clients"));
    Ok(())
}

/// A growth model's fitted line goes through its fixed intercept and slope; a model that is
/// not a growth model is refused.
#[test]
fn cohort_plot_draws_a_growth_models_line() -> Result {
    let table = cohort()?;
    let model = MixedOptions::new()
        .fixed(["session"])
        .analyze(&MixedTable::from_sessions(&table)?)?;
    let svg = CohortPlotOptions::new().fitted(&model)?.svg(&table)?;
    let doc = parse(&svg)?;
    let (xm, ym) = (axis_map(&doc, "middle")?, axis_map(&doc, "end")?);
    let fitted = doc
        .descendants()
        .find(|n| n.attribute("data-target") == Some("fitted") && n.has_tag_name("path"))
        .ok_or("no fitted line")?;
    let (b0, b1) = (model.fixed[0].estimate, model.fixed[1].estimate);
    for (px, py) in vertices(fitted)? {
        let session = (px - xm.0) / xm.1;
        assert!((py - at(ym, b0 + b1 * session)).abs() < 0.05);
    }
    let intercept_only = MixedOptions::new().analyze(&MixedTable::from_sessions(&table)?)?;
    assert!(CohortPlotOptions::new().fitted(&intercept_only).is_err());
    Ok(())
}

/// Therapists' alliance: six therapists of four clients each.
fn therapists() -> Result<MixedTable> {
    let rows = [
        ("t1", [5.1, 5.6, 4.9, 5.3]),
        ("t2", [6.2, 6.0, 5.7, 6.4]),
        ("t3", [4.4, 4.9, 4.6, 4.2]),
        ("t4", [5.5, 5.2, 6.1, 5.4]),
        ("<t&5>", [5.0, 5.4, 5.2, 5.6]),
        ("t6", [5.9, 6.3, 5.8, 6.0]),
    ];
    Ok(MixedTable::from_rows(
        "therapist",
        "alliance",
        &[],
        rows.iter()
            .flat_map(|(g, ys)| ys.iter().map(move |&y| (*g, y, vec![]))),
    )?)
}

/// The caterpillar plot: one row per therapist, sorted from the highest conditional mode, each
/// interval mode ± 1.96 conditional SD, colored by whether it holds 0.
#[test]
fn caterpillar_plot_sorts_the_groups_and_their_intervals() -> Result {
    let model = MixedOptions::new().analyze(&therapists()?)?;
    let svg = CaterpillarPlotOptions::new()
        .label("WAI-SR mean")?
        .svg(&model)?;
    let doc = parse(&svg)?;
    let xm = axis_map(&doc, "middle")?;
    let groups = with_class(&doc, "g", "group");
    assert_eq!(groups.len(), 6);
    let mut previous = f64::INFINITY;
    let mut previous_y = f64::NEG_INFINITY;
    for g in &groups {
        let level = g.attribute("data-level").ok_or("no level")?;
        let effect = model
            .ranef
            .iter()
            .find(|r| r.level == level)
            .ok_or("unknown level")?;
        let mode = effect.values["(Intercept)"];
        let sd = effect.cond_sd["(Intercept)"];
        assert!(mode <= previous, "sorted from the highest");
        previous = mode;
        let dot = g
            .descendants()
            .find(|n| n.attribute("class") == Some("mode"))
            .ok_or("no mode")?;
        let interval = g
            .descendants()
            .find(|n| n.attribute("class") == Some("interval"))
            .ok_or("no interval")?;
        assert!((num(dot, "cx")? - at(xm, mode)).abs() < 0.02);
        assert!(num(dot, "cy")? > previous_y, "top to bottom");
        previous_y = num(dot, "cy")?;
        let z = 1.959_963_984_540_054;
        assert!((num(interval, "x1")? - at(xm, mode - z * sd)).abs() < 0.02);
        assert!((num(interval, "x2")? - at(xm, mode + z * sd)).abs() < 0.02);
        let color = interval.attribute("stroke").ok_or("no stroke")?;
        let expected = if mode - z * sd > 0.0 {
            "#0072B2"
        } else if mode + z * sd < 0.0 {
            "#D55E00"
        } else {
            "#8c8c8c"
        };
        assert_eq!(color, expected, "{level}");
    }
    // The level that needs escaping is escaped, in its attribute and its label.
    assert!(svg.contains("data-level=\"&lt;t&amp;5&gt;\""));
    let zero = with_class(&doc, "line", "zero");
    assert_eq!(zero.len(), 1);
    assert!((num(zero[0], "x1")? - at(xm, 0.0)).abs() < 0.02);
    // t2 and t6 are well above the average therapist, t3 well below.
    let first = groups[0].attribute("data-level");
    assert!(first == Some("t2") || first == Some("t6"), "{first:?}");
    assert_eq!(groups[5].attribute("data-level"), Some("t3"));
    assert!(
        CaterpillarPlotOptions::new()
            .term("session")
            .svg(&model)
            .is_err()
    );
    Ok(())
}

/// A random-slope growth model: the slopes' modes by term.
#[test]
fn caterpillar_plot_draws_a_random_slope() -> Result {
    let table = cohort()?;
    let model = MixedOptions::new()
        .fixed(["session"])
        .slope("session")
        .analyze(&MixedTable::from_sessions(&table)?)?;
    let svg = CaterpillarPlotOptions::new().term("session").svg(&model)?;
    let doc = parse(&svg)?;
    assert_eq!(with_class(&doc, "circle", "mode").len(), 5);
    let axis: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("axis-title"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(axis[0], "Conditional mode of session");
    Ok(())
}

/// Odd inputs draw without a panic or a non-finite coordinate: a cohort of one score, a
/// client without any, a long course, huge scores; a boundary fit whose modes are all 0.
#[test]
fn odd_inputs_draw_cleanly() -> Result {
    let tables = [
        SessionTable::from_rows([("a", 1, Some(3.0))])?,
        SessionTable::from_rows([("a", 1, None), ("b", 2, Some(1.0)), ("b", 3, Some(1.0))])?,
        SessionTable::from_rows((1..=60u32).map(|s| ("a", s, Some(f64::from(s % 7)))))?,
        SessionTable::from_rows([
            ("a", 1, Some(1e9)),
            ("b", 1, Some(-1e9)),
            ("a", 2, Some(0.0)),
        ])?,
        SessionTable::from_rows([("a", 4_000_000_000, Some(2.0)), ("b", 0, Some(2.0))])?,
    ];
    for table in &tables {
        let svg = CohortPlotOptions::new().size(400, 300)?.svg(table)?;
        parse(&svg)?;
    }
    // Identical groups: the therapist variance is estimated as 0 (a boundary fit).
    let flat = MixedTable::from_rows(
        "therapist",
        "y",
        &[],
        [
            ("a", 1.0),
            ("a", 2.0),
            ("b", 1.0),
            ("b", 2.0),
            ("c", 1.0),
            ("c", 2.0),
        ]
        .into_iter()
        .map(|(g, y)| (g, y, vec![])),
    )?;
    let model = MixedOptions::new().analyze(&flat)?;
    let svg = CaterpillarPlotOptions::new().svg(&model)?;
    parse(&svg)?;
    assert_eq!(with_class(&parse(&svg)?, "circle", "mode").len(), 3);
    // Everyone unchanged, and a scatter squeezed to the smallest size.
    let rows = [
        ("a", 10.0, 10.5),
        ("b", 12.0, 11.5),
        ("c", 11.0, 11.0),
        ("d", 9.0, 9.5),
    ]
    .map(|(id, x, y)| ChangeRow::new(id, Some(x), Some(y)));
    let result =
        ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.7, Better::Higher)?.analyze(rows)?;
    let svg = JtPlotOptions::new().size(400, 300)?.svg(&result)?;
    let doc = parse(&svg)?;
    assert_eq!(with_class(&doc, "circle", "point").len(), 4);
    assert!(JtPlotOptions::new().title("bad\u{202e}title").is_err());
    Ok(())
}
