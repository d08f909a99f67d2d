//! The picture drawn: the panels, their axes, lines, marks and legends, as SVG.

use std::fmt::Write as _;

use super::layout::{
    Area, Scale, chars_fitting, fit, session_ticks, tick_label, value_axis, wrap, wrap_lines,
};
use super::panel::{Band, Line, LineStyle, MarkKind, Panel, Shift};
use super::style::{
    AXIS, AXIS_TITLE, EMPTY, GRID, LEGEND, LEGEND_NOTE, LEGEND_THRESHOLD, ONSET_COLOR,
    REPAIR_COLOR, TEXT_COLOR, THRESHOLD_COLOR, THRESHOLD_DASH, TICK, TITLE, X_TICK, Y_TICK,
    Y_TICK_RIGHT,
};
use super::svg::{Font, Stroke, Svg, esc, n};

/// Draws the whole picture: the title, the alliance panel, the outcome panel if any, and the
/// session axis they share.
pub(super) fn draw(
    (width, height): (u32, u32),
    title: &str,
    x_values: &[f64],
    alliance: &Panel,
    outcome: Option<&Panel>,
) -> String {
    let (w, h) = (f64::from(width), f64::from(height));
    let legend_width = (w * 0.26).clamp(150.0, 250.0).round();
    let (left, top, bottom) = (74.0, 46.0, 48.0);
    let gap = if outcome.is_some() { 30.0 } else { 0.0 };
    // Room for a right axis's labels and title.
    let right_axis = if alliance.right.is_some() || outcome.is_some_and(|o| o.right.is_some()) {
        RIGHT_AXIS_WIDTH
    } else {
        0.0
    };
    let plot_width = (w - left - legend_width - 16.0 - right_axis).max(40.0);
    let available = (h - top - bottom - gap).max(60.0);
    let alliance_height = if outcome.is_some() {
        (available * 0.56).round()
    } else {
        available
    };
    let alliance_area = Area {
        left,
        top,
        width: plot_width,
        height: alliance_height,
    };
    let outcome_area = Area {
        top: top + alliance_height + gap,
        height: available - alliance_height,
        ..alliance_area
    };

    // The session axis, shared by both panels.
    let (lo, hi) = x_values
        .iter()
        .fold(None, |acc: Option<(f64, f64)>, &x| match acc {
            None => Some((x, x)),
            Some((a, b)) => Some((a.min(x), b.max(x))),
        })
        .unwrap_or((1.0, 1.0));
    let pad = ((hi - lo) * 0.03).max(0.4);
    let x_scale = Scale {
        lo: lo - pad,
        hi: hi + pad,
        from: left,
        to: left + plot_width,
    };
    let x_ticks = session_ticks(lo, hi, plot_width);

    let mut svg = Svg(String::new());
    let _ = writeln!(
        svg.0,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
    );
    let _ = writeln!(svg.0, "<title>{}</title>", esc(title));
    let _ = writeln!(svg.0, "<desc>{}</desc>", esc(&describe(alliance, outcome)));
    let _ = writeln!(
        svg.0,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    svg.text(
        12.0,
        28.0,
        TITLE,
        &fit(title, chars_fitting(w - 24.0, TITLE.size)),
    );
    let legend_x = w - legend_width - 4.0;
    let frame = Frame {
        x: x_scale,
        x_ticks: &x_ticks,
        legend_x,
        canvas_width: w,
    };
    frame.panel(&mut svg, alliance, alliance_area, outcome.is_none());
    if let Some(o) = outcome {
        frame.panel(&mut svg, o, outcome_area, true);
    }
    svg.text(left + plot_width / 2.0, h - 10.0, AXIS_TITLE, "Session");
    svg.0.push_str("</svg>\n");
    svg.0
}

/// The width a right axis takes: its tick labels and its title.
const RIGHT_AXIS_WIDTH: f64 = 44.0;

/// A sentence for the `desc` element: what each panel shows.
pub(super) fn describe(first: &Panel, second: Option<&Panel>) -> String {
    let mut parts = Vec::new();
    for p in std::iter::once(first).chain(second) {
        let mut named: Vec<&str> = Vec::new();
        let mut faint = 0usize;
        for l in &p.lines {
            match l.style {
                LineStyle::Main => named.push(&l.label),
                LineStyle::Faint => faint += 1,
            }
        }
        let mut text = format!("{} by session", p.left.title);
        if let Some(r) = &p.right {
            text.push_str(&format!(" (right axis: {})", r.title));
        }
        if faint > 0 {
            text.push_str(&format!("; {faint} faint lines, one per client"));
        }
        if !named.is_empty() {
            text.push_str(&format!("; lines: {}", named.join(", ")));
        }
        for b in &p.bands {
            text.push_str(&format!("; shaded: {}", b.label));
        }
        if !p.rules.is_empty() {
            text.push_str(&format!("; {} threshold line(s)", p.rules.len()));
        }
        if !p.dips.is_empty() {
            text.push_str(&format!("; {} rupture(s) shaded", p.dips.len()));
        }
        parts.push(text);
    }
    let mut out = parts.join(". ");
    out.push('.');
    out
}

/// What the panels share: the session axis and where the legends go.
pub(super) struct Frame<'a> {
    pub(super) x: Scale,
    pub(super) x_ticks: &'a [f64],
    pub(super) legend_x: f64,
    pub(super) canvas_width: f64,
}

impl Frame<'_> {
    /// Draws one panel in `area`; `session_labels` for the lowest, which labels the sessions.
    fn panel(&self, svg: &mut Svg, panel: &Panel, area: Area, session_labels: bool) {
        let x = self.x;
        let (y, y_ticks, right_ticks) = value_axis(panel, area);
        let _ = writeln!(svg.0, "<g class=\"panel\" id=\"{}-panel\">", panel.id);
        let _ = writeln!(
            svg.0,
            "<rect class=\"plot-area\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fcfcfc\"/>",
            n(area.left),
            n(area.top),
            n(area.width),
            n(area.height)
        );
        for t in &y_ticks {
            svg.line((area.left, y.map(t.at)), (area.right(), y.map(t.at)), GRID);
        }
        for &t in self.x_ticks {
            svg.line((x.map(t), area.top), (x.map(t), area.bottom()), GRID);
        }
        // Bands and dips under everything else.
        for b in &panel.bands {
            draw_band(svg, b, x, y);
        }
        for d in &panel.dips {
            let (x0, x1) = (x.map(d.from), x.map(d.to));
            let _ = writeln!(
                svg.0,
                "<rect class=\"rupture-dip\" data-session=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" \
                 height=\"{}\" fill=\"{ONSET_COLOR}\" fill-opacity=\"0.12\"/>",
                d.session,
                n(x0.min(x1)),
                n(area.top),
                // A dip of one session (unrepaired at the end) still shows: a quarter session.
                n((x1 - x0)
                    .abs()
                    .max((x.map(1.0) - x.map(0.0)).abs() / 4.0)
                    .max(2.0)
                    .min((area.right() - x0.min(x1)).max(0.0))),
                n(area.height)
            );
        }
        // Axes, ticks and their labels.
        svg.line(
            (area.left, area.bottom()),
            (area.right(), area.bottom()),
            AXIS,
        );
        svg.line((area.left, area.top), (area.left, area.bottom()), AXIS);
        for t in &y_ticks {
            let py = y.map(t.at);
            svg.line((area.left - 4.0, py), (area.left, py), TICK);
            svg.text(area.left - 7.0, py + Y_TICK.size * 0.35, Y_TICK, &t.label);
        }
        if panel.right.is_some() {
            svg.line(
                (area.right(), area.top),
                (area.right(), area.bottom()),
                AXIS,
            );
        }
        for t in &right_ticks {
            let py = y.map(t.at);
            svg.line((area.right(), py), (area.right() + 4.0, py), TICK);
            svg.text(
                area.right() + 7.0,
                py + Y_TICK_RIGHT.size * 0.35,
                Y_TICK_RIGHT,
                &t.label,
            );
        }
        for &t in self.x_ticks {
            let px = x.map(t);
            svg.line((px, area.bottom()), (px, area.bottom() + 4.0), TICK);
            if session_labels {
                svg.text(px, area.bottom() + 16.0, X_TICK, &tick_label(t, 0));
            }
        }
        // The value axis titles, turned to read upwards (the right one downwards).
        let (tx, ty) = (n(20.0), n(area.top + area.height / 2.0));
        let _ = writeln!(
            svg.0,
            "<text class=\"axis-title\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"{}\" \
             fill=\"{TEXT_COLOR}\" transform=\"rotate(-90 {tx} {ty})\">{}</text>",
            n(AXIS_TITLE.size),
            esc(&fit(
                &panel.left.title,
                chars_fitting(area.height, AXIS_TITLE.size)
            ))
        );
        if let Some(right) = &panel.right {
            let rx = n(area.right() + RIGHT_AXIS_WIDTH - 8.0);
            let _ = writeln!(
                svg.0,
                "<text class=\"axis-title right\" x=\"{rx}\" y=\"{ty}\" text-anchor=\"middle\" \
                 font-size=\"{}\" fill=\"{TEXT_COLOR}\" transform=\"rotate(90 {rx} {ty})\">{}</text>",
                n(AXIS_TITLE.size),
                esc(&fit(
                    &right.title,
                    chars_fitting(area.height, AXIS_TITLE.size)
                ))
            );
        }
        for r in &panel.rules {
            let py = n(y.map(r.value));
            let _ = writeln!(
                svg.0,
                "<line class=\"threshold\" data-target=\"{}\" x1=\"{}\" y1=\"{py}\" x2=\"{}\" y2=\"{py}\" \
                 stroke=\"{THRESHOLD_COLOR}\" stroke-width=\"1.6\" stroke-dasharray=\"{THRESHOLD_DASH}\">\
                 <title>{}: {}</title></line>",
                esc(&r.target),
                n(area.left),
                n(area.right()),
                esc(&r.text),
                esc(&r.message),
            );
        }
        // Sudden shifts, highlighted under the line.
        for &Shift { from, to, gain } in &panel.shifts {
            let color = if gain { REPAIR_COLOR } else { ONSET_COLOR };
            let _ = writeln!(
                svg.0,
                "<line class=\"sudden-shift\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" \
                 stroke-width=\"9\" stroke-opacity=\"0.3\" stroke-linecap=\"round\"/>",
                n(x.map(from.0)),
                n(y.map(from.1)),
                n(x.map(to.0)),
                n(y.map(to.1))
            );
        }
        // The lines, the first (the total) last so that it stays on top; dots while they fit.
        // Faint lines first, under all others.
        let most = panel
            .lines
            .iter()
            .filter(|l| l.style == LineStyle::Main)
            .map(|l| l.points.len())
            .max()
            .unwrap_or(0);
        let dots = (most as f64) <= area.width / 6.0;
        let faint = panel.lines.iter().filter(|l| l.style == LineStyle::Faint);
        let main: Vec<&Line> = panel
            .lines
            .iter()
            .filter(|l| l.style == LineStyle::Main)
            .collect();
        let ordered = main.iter().skip(1).chain(main.first()).copied();
        for line in faint.chain(ordered) {
            draw_line(svg, line, x, y, dots && line.style == LineStyle::Main);
        }
        for m in &panel.marks {
            let _ = writeln!(
                svg.0,
                "<path class=\"{}\" data-session=\"{}\" d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" \
                 stroke-width=\"1.2\"><title>{}</title></path>",
                m.kind.class(),
                m.session,
                marker_path(m.kind, x.map(m.x), y.map(m.y)),
                m.kind.color(),
                esc(&m.tip)
            );
        }
        if panel.lines.iter().all(|l| l.points.is_empty()) {
            let cy = area.top + area.height / 2.0;
            svg.text(area.left + area.width / 2.0, cy, EMPTY, "No scores to plot");
        }
        self.legend(svg, panel, area);
        svg.0.push_str("</g>\n");
    }

    /// The panel's legend, right of it: its lines, thresholds, marks and notes, as many as fit.
    /// A label too long for one line wraps onto a second, then is cut short.
    fn legend(&self, svg: &mut Svg, panel: &Panel, area: Area) {
        let x0 = self.legend_x;
        let text_x = x0 + 30.0;
        let chars = chars_fitting(self.canvas_width - text_x - 6.0, LEGEND.size);
        let note_chars = chars_fitting(self.canvas_width - x0 - 6.0, LEGEND_NOTE.size);
        let bottom = area.bottom() + 2.0;
        let mut y = area.top + LEGEND.size;
        // Writes a key's wrapped label from `y` if it fits; the `y` of the next key.
        let entry =
            |svg: &mut Svg, y: &mut f64, label: &[(&str, Font)], key: &dyn Fn(&mut Svg, f64)| {
                let lines: Vec<(String, Font)> = label
                    .iter()
                    .flat_map(|&(text, f)| {
                        let width = if f.size < LEGEND.size {
                            chars + 2
                        } else {
                            chars
                        };
                        wrap_lines(text, width, 2).into_iter().map(move |l| (l, f))
                    })
                    .collect();
                let height: f64 = lines.iter().map(|(_, f)| f.size + 3.0).sum();
                if *y + height - LEGEND.size > bottom {
                    *y = f64::INFINITY;
                    return;
                }
                key(svg, *y - LEGEND.size * 0.35);
                for (text, f) in &lines {
                    svg.text(text_x, *y, *f, text);
                    *y += f.size + 3.0;
                }
                *y += 4.0;
            };
        svg.0.push_str("<g class=\"legend\">\n");
        let mut faint_seen = false;
        for line in &panel.lines {
            if line.style == LineStyle::Faint {
                if faint_seen {
                    continue;
                }
                faint_seen = true;
            }
            let label = if line.points.is_empty() {
                format!("{} (no scores)", line.label)
            } else {
                line.label.clone()
            };
            let key = Stroke {
                class: "legend-line",
                color: line.color,
                width: line.width,
                dash: None,
            };
            entry(svg, &mut y, &[(&label, LEGEND)], &|svg, cy| {
                svg.line((x0, cy), (x0 + 22.0, cy), key);
            });
        }
        for r in &panel.rules {
            entry(
                svg,
                &mut y,
                &[(&r.text, LEGEND), (&r.message, LEGEND_NOTE)],
                &|svg, cy| {
                    svg.line((x0, cy), (x0 + 22.0, cy), LEGEND_THRESHOLD);
                },
            );
        }
        for b in &panel.bands {
            entry(svg, &mut y, &[(&b.label, LEGEND)], &|svg, cy| {
                let _ = writeln!(
                    svg.0,
                    "<rect class=\"legend-band\" x=\"{}\" y=\"{}\" width=\"22\" height=\"{}\" \
                     fill=\"{}\" fill-opacity=\"0.22\"/>",
                    n(x0),
                    n(cy - LEGEND.size * 0.65),
                    n(LEGEND.size + 2.0),
                    b.color
                );
            });
        }
        if !panel.dips.is_empty() {
            entry(svg, &mut y, &[("rupture (dip)", LEGEND)], &|svg, cy| {
                let _ = writeln!(
                    svg.0,
                    "<rect class=\"legend-dip\" x=\"{}\" y=\"{}\" width=\"22\" height=\"{}\" \
                     fill=\"{ONSET_COLOR}\" fill-opacity=\"0.12\"/>",
                    n(x0),
                    n(cy - LEGEND.size * 0.65),
                    n(LEGEND.size + 2.0)
                );
            });
        }
        let mut kinds: Vec<MarkKind> = panel.marks.iter().map(|m| m.kind).collect();
        kinds.sort_by_key(|k| *k as u8);
        kinds.dedup();
        for kind in kinds {
            entry(svg, &mut y, &[(kind.legend(), LEGEND)], &|svg, cy| {
                let _ = writeln!(
                    svg.0,
                    "<path class=\"legend-marker\" d=\"{}\" fill=\"{}\"/>",
                    marker_path(kind, x0 + 11.0, cy),
                    kind.color()
                );
            });
        }
        y += 2.0;
        for part in panel.notes.iter().flat_map(|note| wrap(note, note_chars)) {
            if y > bottom {
                break;
            }
            svg.text(x0, y, LEGEND_NOTE, &part);
            y += LEGEND_NOTE.size + 4.0;
        }
        svg.0.push_str("</g>\n");
    }
}

/// One line: a path through its scored sessions, and a dot at each if `dots`.
pub(super) fn draw_line(svg: &mut Svg, line: &Line, x: Scale, y: Scale, dots: bool) {
    if line.points.is_empty() {
        return;
    }
    let target = esc(&line.target);
    let (class, opacity) = match line.style {
        LineStyle::Main => ("line", ""),
        LineStyle::Faint => ("faint-line", " stroke-opacity=\"0.25\""),
    };
    let _ = write!(
        svg.0,
        "<g class=\"series\" data-target=\"{target}\">\n<path class=\"{class}\" data-target=\"{target}\" \
         fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{opacity} stroke-linejoin=\"round\" \
         stroke-linecap=\"round\" d=\"",
        line.color,
        n(line.width)
    );
    for (i, &(px, py)) in line.points.iter().enumerate() {
        let command = if i == 0 { "M" } else { " L" };
        let _ = write!(svg.0, "{command}{} {}", n(x.map(px)), n(y.map(py)));
    }
    svg.0.push_str("\"/>\n");
    if dots {
        for &(px, py) in &line.points {
            let _ = writeln!(
                svg.0,
                "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#ffffff\" \
                 stroke-width=\"1\"/>",
                n(x.map(px)),
                n(y.map(py)),
                n(line.width + 1.0),
                line.color
            );
        }
    }
    svg.0.push_str("</g>\n");
}

/// A band: a closed path along its upper bound and back along its lower one. Points with a
/// gap of more than one session between them are drawn as separate pieces.
pub(super) fn draw_band(svg: &mut Svg, band: &Band, x: Scale, y: Scale) {
    let mut pieces: Vec<Vec<(f64, f64, f64)>> = Vec::new();
    for &p in &band.points {
        match pieces.last_mut() {
            Some(piece) if piece.last().is_some_and(|q| p.0 - q.0 <= 1.0 + 1e-9) => piece.push(p),
            _ => pieces.push(vec![p]),
        }
    }
    for piece in &pieces {
        let mut d = String::new();
        let mut corners: Vec<(f64, f64)> = Vec::with_capacity(piece.len() * 2 + 2);
        if let [(px, lo, hi)] = piece.as_slice() {
            // One session: a narrow bar.
            let px = x.map(*px);
            corners.extend([
                (px - 3.0, *hi),
                (px + 3.0, *hi),
                (px + 3.0, *lo),
                (px - 3.0, *lo),
            ]);
        } else {
            corners.extend(piece.iter().map(|&(px, _, hi)| (x.map(px), hi)));
            corners.extend(piece.iter().rev().map(|&(px, lo, _)| (x.map(px), lo)));
        }
        for (i, (px, v)) in corners.into_iter().enumerate() {
            let command = if i == 0 { "M" } else { " L" };
            let _ = write!(d, "{command}{} {}", n(px), n(y.map(v)));
        }
        d.push_str(" Z");
        let _ = writeln!(
            svg.0,
            "<path class=\"{}\" d=\"{d}\" fill=\"{}\" fill-opacity=\"0.22\" stroke=\"none\"/>",
            band.class, band.color
        );
    }
}

/// A marker's outline around (x, y): a downward triangle for a rupture onset and a sudden
/// loss, an upward one for a repair, a diamond for a sudden gain.
pub(super) fn marker_path(kind: MarkKind, x: f64, y: f64) -> String {
    let s = 7.0;
    let points: &[(f64, f64)] = match kind {
        MarkKind::Onset | MarkKind::Loss => &[(-s, -0.8 * s), (s, -0.8 * s), (0.0, 0.9 * s)],
        MarkKind::Repair => &[(-s, 0.8 * s), (s, 0.8 * s), (0.0, -0.9 * s)],
        MarkKind::Gain => &[(0.0, -s), (s, 0.0), (0.0, s), (-s, 0.0)],
    };
    let mut d = String::new();
    for (i, (dx, dy)) in points.iter().enumerate() {
        let command = if i == 0 { "M" } else { " L" };
        let _ = write!(d, "{command}{} {}", n(x + dx), n(y + dy));
    }
    d.push_str(" Z");
    d
}
