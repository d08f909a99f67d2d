//! What the cohort figures share: their common options (size, title, score label), the frame
//! (the document's head, a plotting area with two numeric axes) and a simple legend.

use std::fmt::Write as _;

use crate::error::{ErrorKind, Result, check_field};
use crate::ids::TextRule;

use super::layout::{Area, Scale, Tick, chars_fitting, fit, wrap, wrap_lines};
use super::options::{MAX_SIZE, MIN_SIZE};
use super::style::{
    AXIS, AXIS_TITLE, GRID, LEGEND, LEGEND_NOTE, TEXT_COLOR, TICK, TITLE, X_TICK, Y_TICK,
};
use super::svg::{Stroke, Svg, esc, n};

/// The options every figure has: its size, its title and the label of the score it shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Common {
    pub(super) size: Option<(u32, u32)>,
    pub(super) title: Option<String>,
    pub(super) label: Option<String>,
}

/// A checked picture size (as [`PlotOptions::size`](super::PlotOptions::size)).
pub(super) fn checked_size(width: u32, height: u32) -> Result<(u32, u32)> {
    let ok = (MIN_SIZE.0..=MAX_SIZE).contains(&width) && (MIN_SIZE.1..=MAX_SIZE).contains(&height);
    if ok {
        Ok((width, height))
    } else {
        Err(ErrorKind::InvalidOption {
            option: "plot size",
            value: format!("{width} x {height}"),
            reason: format!(
                "the width must be {} to {MAX_SIZE} pixels and the height {} to {MAX_SIZE}",
                MIN_SIZE.0, MIN_SIZE.1
            ),
        }
        .into())
    }
}

/// A checked title or label: not empty, no control, invisible or bidirectional characters.
pub(super) fn checked_text(field: &'static str, text: String) -> Result<String> {
    check_field(TextRule::Label, field, &text)?;
    Ok(text)
}

/// A key in a figure's legend.
#[derive(Debug, Clone, Copy)]
pub(super) enum Key {
    /// A line of this color and width, dashed if given.
    Line(&'static str, f64, Option<&'static str>),
    /// A dot of this color.
    Dot(&'static str),
    /// A shaded box of this color and opacity.
    Shade(&'static str, f64),
    /// A horizontal interval with a dot in its middle.
    Interval(&'static str),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) key: Key,
    pub(super) class: &'static str,
    pub(super) label: String,
}

/// A figure being drawn: its SVG text, its canvas and where the plotting area and the legend
/// go.
pub(super) struct Figure {
    pub(super) svg: Svg,
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) area: Area,
    pub(super) legend_x: f64,
}

impl Figure {
    /// Starts a figure: the root element, its `title` and `desc` (for screen readers), a white
    /// background, the visible title; the plotting area left of a legend column, `left`
    /// pixels from the left edge (room for tick labels).
    pub(super) fn open((width, height): (u32, u32), title: &str, desc: &str, left: f64) -> Self {
        let (w, h) = (f64::from(width), f64::from(height));
        let mut svg = Svg(String::new());
        let _ = writeln!(
            svg.0,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"figure-title figure-desc\" \
             font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
        );
        let _ = writeln!(svg.0, "<title id=\"figure-title\">{}</title>", esc(title));
        let _ = writeln!(svg.0, "<desc id=\"figure-desc\">{}</desc>", esc(desc));
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
        let legend_width = (w * 0.26).clamp(150.0, 250.0).round();
        let (top, bottom) = (46.0, 52.0);
        let area = Area {
            left,
            top,
            width: (w - left - legend_width - 16.0).max(40.0),
            height: (h - top - bottom).max(60.0),
        };
        Figure {
            svg,
            width: w,
            height: h,
            area,
            legend_x: w - legend_width - 4.0,
        }
    }

    /// The plotting area's background, grid lines at the ticks, the axes with their ticks,
    /// labels and titles. A tick outside the area is left out.
    pub(super) fn axes(
        &mut self,
        (x, y): (Scale, Scale),
        (x_ticks, y_ticks): (&[Tick], &[Tick]),
        (x_title, y_title): (&str, &str),
    ) {
        let a = self.area;
        let svg = &mut self.svg;
        let _ = writeln!(
            svg.0,
            "<rect class=\"plot-area\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fcfcfc\"/>",
            n(a.left),
            n(a.top),
            n(a.width),
            n(a.height)
        );
        let inside_x = |px: f64| px >= a.left - 0.5 && px <= a.right() + 0.5;
        let inside_y = |py: f64| py >= a.top - 0.5 && py <= a.bottom() + 0.5;
        for t in y_ticks.iter().filter(|t| inside_y(y.map(t.at))) {
            svg.line((a.left, y.map(t.at)), (a.right(), y.map(t.at)), GRID);
        }
        for t in x_ticks.iter().filter(|t| inside_x(x.map(t.at))) {
            svg.line((x.map(t.at), a.top), (x.map(t.at), a.bottom()), GRID);
        }
        svg.line((a.left, a.bottom()), (a.right(), a.bottom()), AXIS);
        svg.line((a.left, a.top), (a.left, a.bottom()), AXIS);
        for t in y_ticks.iter().filter(|t| inside_y(y.map(t.at))) {
            let py = y.map(t.at);
            svg.line((a.left - 4.0, py), (a.left, py), TICK);
            svg.text(a.left - 7.0, py + Y_TICK.size * 0.35, Y_TICK, &t.label);
        }
        for t in x_ticks.iter().filter(|t| inside_x(x.map(t.at))) {
            let px = x.map(t.at);
            svg.line((px, a.bottom()), (px, a.bottom() + 4.0), TICK);
            svg.text(px, a.bottom() + 16.0, X_TICK, &t.label);
        }
        svg.text(
            a.left + a.width / 2.0,
            a.bottom() + 38.0,
            AXIS_TITLE,
            &fit(x_title, chars_fitting(a.width, AXIS_TITLE.size)),
        );
        let (tx, ty) = (n(16.0), n(a.top + a.height / 2.0));
        let _ = writeln!(
            svg.0,
            "<text class=\"axis-title\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"{}\" \
             fill=\"{TEXT_COLOR}\" transform=\"rotate(-90 {tx} {ty})\">{}</text>",
            n(AXIS_TITLE.size),
            esc(&fit(y_title, chars_fitting(a.height, AXIS_TITLE.size)))
        );
    }

    /// The legend right of the plotting area: its entries, then its notes in small print, as
    /// many as fit.
    pub(super) fn legend(&mut self, entries: &[Entry], notes: &[String]) {
        let x0 = self.legend_x;
        let text_x = x0 + 30.0;
        let chars = chars_fitting(self.width - text_x - 6.0, LEGEND.size);
        let note_chars = chars_fitting(self.width - x0 - 6.0, LEGEND_NOTE.size);
        let bottom = self.height - 8.0;
        let svg = &mut self.svg;
        svg.0.push_str("<g class=\"legend\">\n");
        let mut y = self.area.top + LEGEND.size;
        for e in entries {
            let lines = wrap_lines(&e.label, chars, 2);
            let needed = lines.len() as f64 * (LEGEND.size + 3.0);
            if y + needed - LEGEND.size > bottom {
                break;
            }
            let cy = y - LEGEND.size * 0.35;
            match e.key {
                Key::Line(color, width, dash) => svg.line(
                    (x0, cy),
                    (x0 + 22.0, cy),
                    Stroke {
                        class: e.class,
                        color,
                        width,
                        dash,
                    },
                ),
                Key::Dot(color) => {
                    let _ = writeln!(
                        svg.0,
                        "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{color}\" \
                         stroke=\"#ffffff\" stroke-width=\"1\"/>",
                        e.class,
                        n(x0 + 11.0),
                        n(cy)
                    );
                }
                Key::Shade(color, opacity) => {
                    let _ = writeln!(
                        svg.0,
                        "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"22\" height=\"{}\" \
                         fill=\"{color}\" fill-opacity=\"{}\"/>",
                        e.class,
                        n(x0),
                        n(cy - LEGEND.size * 0.5),
                        n(LEGEND.size),
                        n(opacity)
                    );
                }
                Key::Interval(color) => {
                    svg.line(
                        (x0, cy),
                        (x0 + 22.0, cy),
                        Stroke {
                            class: e.class,
                            color,
                            width: 2.0,
                            dash: None,
                        },
                    );
                    let _ = writeln!(
                        svg.0,
                        "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{color}\"/>",
                        e.class,
                        n(x0 + 11.0),
                        n(cy)
                    );
                }
            }
            for line in &lines {
                svg.text(text_x, y, LEGEND, line);
                y += LEGEND.size + 3.0;
            }
            y += 4.0;
        }
        y += 2.0;
        for part in notes.iter().flat_map(|note| wrap(note, note_chars)) {
            if y > bottom {
                break;
            }
            svg.text(x0, y, LEGEND_NOTE, &part);
            y += LEGEND_NOTE.size + 4.0;
        }
        svg.0.push_str("</g>\n");
    }

    /// The finished document.
    pub(super) fn close(mut self) -> String {
        self.svg.0.push_str("</svg>\n");
        self.svg.0
    }
}

/// A numeric axis over `lo..hi` (widened when empty), rounded out to round steps: its scale
/// from `from` to `to` pixels and its ticks.
pub(super) fn numeric_axis(
    lo: f64,
    hi: f64,
    (from, to): (f64, f64),
    count: f64,
) -> (Scale, Vec<Tick>) {
    use super::layout::{decimals_for, nice_step, tick_label, ticks};
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo <= 0.0 {
        let half = (lo.abs() * 0.1).max(1.0);
        (lo, hi) = (lo - half, hi + half);
    }
    let step = nice_step(hi - lo, count);
    lo = (lo / step).floor() * step;
    hi = (hi / step).ceil() * step;
    let decimals = decimals_for(step);
    let scale = Scale { lo, hi, from, to };
    let labels = ticks(lo, hi, step)
        .into_iter()
        .map(|t| Tick {
            at: t,
            label: tick_label(t, decimals),
        })
        .collect();
    (scale, labels)
}
