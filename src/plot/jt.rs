//! The Jacobson-Truax scatter: each person's pre-test against their post-test score, with the
//! line of no change, the band of no reliable change and the clinical cutoff.

use std::fmt::Write as _;

use crate::change::{ChangeCategory, RciMethod, ReliableChange};
use crate::components::Better;
use crate::error::{Num, Result};

use super::figure::{Common, Entry, Figure, Key, checked_size, checked_text, numeric_axis};
use super::layout::Scale;
use super::panel::round2;
use super::style::{AXIS_COLOR, THRESHOLD_COLOR, THRESHOLD_DASH};
use super::svg::{Stroke, esc, n};

/// The default size of a scatter, in pixels.
const SIZE: (u32, u32) = (760, 560);

/// The color of each category (Okabe & Ito 2008): recovered bluish green, improved sky blue,
/// unchanged grey, deteriorated orange, harmed vermillion.
pub(super) fn category_color(c: ChangeCategory) -> &'static str {
    match c {
        ChangeCategory::Recovered => "#009E73",
        ChangeCategory::Improved => "#56B4E9",
        ChangeCategory::Unchanged => "#8c8c8c",
        ChangeCategory::Deteriorated => "#E69F00",
        ChangeCategory::Harmed => "#D55E00",
    }
}

/// How to draw a Jacobson-Truax scatter of a [`ReliableChange`] (Jacobson & Truax 1991,
/// figure 1): each person's pre-test score (x) against their post-test score (y), colored by
/// their [`ChangeCategory`]; the line of no change (`post = pre`); the band where the change
/// is not reliable (the RCI within ± the critical value); the clinical cutoff as a vertical
/// and a horizontal dashed line. [`svg`](JtPlotOptions::svg) draws it.
///
/// The band is the set of points whose RCI, by the result's method, lies within ± its critical
/// value: for every method a strip between two parallel lines, `post = a + b pre ± h`:
///
/// | method | center line | half-width `h` |
/// |---|---|---|
/// | JT | `post = pre` | `z SE_diff` |
/// | GLN, EN, NK | `post = M_pre + r (pre - M_pre)` | `z SE` |
/// | HLL | `post = M_post + r (pre - M_pre)` | `z SE` |
/// | HA | `post = pre - (M_post - M_pre)(1 - r_dd) / r_dd` | `z SE / r_dd` |
///
/// with `z` the critical value and `SE` the result's standard error
/// ([`ReliableChange::se`]). Under HA the categories judge the crossing of the cutoff by the
/// true-score index, so a point can sit across the drawn cutoff from its category.
///
/// Each point is a `<circle class="point" data-category="...">` with a `<title>` giving the
/// person's id and scores (the figure is output the user asked for, so it names the people);
/// the band is `<path class="rc-band">`, the line of no change `<line class="no-change">`,
/// the cutoff `<line class="cutoff">`. The same options and result always give the same text.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ChangeRow, ReliableChangeOptions, RciMethod};
/// use therapeutic_alliance::plot::JtPlotOptions;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rows = [("a", 25.0, 13.0), ("b", 15.0, 11.0), ("c", 28.0, 4.0), ("d", 30.0, 25.0),
///             ("e", 24.0, 30.0), ("f", 22.0, 21.0)]
///     .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)));
/// let result = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower)?
///     .analyze(rows)?;
/// let svg = JtPlotOptions::new().label("PHQ-9 total")?.svg(&result)?;
/// assert_eq!(svg.matches("<circle class=\"point\"").count(), 6);
/// assert_eq!(svg.matches("class=\"cutoff\"").count(), 2);
/// // std::fs::write("jt.svg", svg)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JtPlotOptions {
    common: Common,
}

impl JtPlotOptions {
    /// The defaults: 760 x 560 pixels, the title "Reliable change and clinical significance",
    /// the score labeled "Score".
    ///
    /// ```
    /// let options = therapeutic_alliance::plot::JtPlotOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The picture's size in pixels.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) for a width below 400, a
    /// height below 300, or either above 10,000.
    ///
    /// ```
    /// use therapeutic_alliance::plot::JtPlotOptions;
    /// assert!(JtPlotOptions::new().size(600, 600).is_ok());
    /// assert!(JtPlotOptions::new().size(10, 600).is_err());
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Result<Self> {
        self.common.size = Some(checked_size(width, height)?);
        Ok(self)
    }

    /// The title.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`](crate::ErrorKind::InvalidText) for an empty title or one
    /// with control, invisible or bidirectional characters.
    ///
    /// ```
    /// use therapeutic_alliance::plot::JtPlotOptions;
    /// assert!(JtPlotOptions::new().title("PHQ-9, intake to end").is_ok());
    /// assert!(JtPlotOptions::new().title("").is_err());
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Result<Self> {
        self.common.title = Some(checked_text("plot title", title.into())?);
        Ok(self)
    }

    /// What the score is, for the axis titles ("Pre-test PHQ-9 total").
    ///
    /// # Errors
    /// As [`title`](JtPlotOptions::title).
    ///
    /// ```
    /// use therapeutic_alliance::plot::JtPlotOptions;
    /// assert!(JtPlotOptions::new().label("WAI-SR total").is_ok());
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Result<Self> {
        self.common.label = Some(checked_text("plot label", label.into())?);
        Ok(self)
    }

    /// Draws the scatter as an SVG document. A result without people draws the axes and says
    /// so.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for options that can fail to apply.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ChangeRow, ReliableChangeOptions, RciMethod};
    /// use therapeutic_alliance::plot::JtPlotOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rows = [("a", 3.1, 4.2), ("b", 3.8, 3.9), ("c", 2.5, 2.2), ("d", 4.0, 4.6)]
    ///     .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)));
    /// let result = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Higher)?
    ///     .analyze(rows)?;
    /// let svg = JtPlotOptions::new().svg(&result)?;
    /// assert!(svg.contains("class=\"rc-band\"") && svg.contains("class=\"no-change\""));
    /// # Ok(())
    /// # }
    /// ```
    pub fn svg(&self, result: &ReliableChange) -> Result<String> {
        let size = self.common.size.unwrap_or(SIZE);
        let label = self.common.label.as_deref().unwrap_or("Score");
        let title = self
            .common
            .title
            .clone()
            .unwrap_or_else(|| "Reliable change and clinical significance".to_owned());
        let band = band(result);
        let cutoff = result.cutoff.value;
        let counts = &result.counts;
        let desc = format!(
            "Scatter of {} people's pre-test against post-test {label} ({} method): {} recovered, \
             {} improved, {} unchanged, {} deteriorated, {} harmed; the line of no change, the band \
             of no reliable change and the clinical cutoff at {}.",
            result.people.len(),
            result.method.name().to_ascii_uppercase(),
            counts.recovered,
            counts.improved,
            counts.unchanged,
            counts.deteriorated,
            counts.harmed,
            Num(round2(cutoff))
        );
        let mut fig = Figure::open(size, &title, &desc, 70.0);

        // One range for both axes, so that the line of no change is the diagonal.
        let (lo, hi) = result
            .people
            .iter()
            .flat_map(|p| [p.pre, p.post])
            .chain(cutoff.is_finite().then_some(cutoff))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let area = fig.area;
        let count = (area.width.min(area.height) / 50.0).clamp(2.0, 10.0);
        let (x, ticks) = numeric_axis(lo, hi, (area.left, area.right()), count);
        let y = Scale {
            from: area.bottom(),
            to: area.top,
            ..x
        };
        fig.axes(
            (x, y),
            (&ticks, &ticks),
            (&format!("Pre-test {label}"), &format!("Post-test {label}")),
        );
        let (dlo, dhi) = (x.lo, x.hi);
        let svg = &mut fig.svg;
        if let Some(b) = &band {
            let strip = [
                (dlo, b.at(dlo) + b.half),
                (dhi, b.at(dhi) + b.half),
                (dhi, b.at(dhi) - b.half),
                (dlo, b.at(dlo) - b.half),
            ];
            let clipped = clip(&strip, (dlo, dhi));
            if clipped.len() >= 3 {
                let mut d = String::new();
                for (i, (px, py)) in clipped.iter().enumerate() {
                    let command = if i == 0 { "M" } else { " L" };
                    let _ = write!(d, "{command}{} {}", n(x.map(*px)), n(y.map(*py)));
                }
                d.push_str(" Z");
                let _ = writeln!(
                    svg.0,
                    "<path class=\"rc-band\" d=\"{d}\" fill=\"{AXIS_COLOR}\" fill-opacity=\"0.12\" stroke=\"none\"/>"
                );
            }
        }
        svg.line(
            (x.map(dlo), y.map(dlo)),
            (x.map(dhi), y.map(dhi)),
            Stroke {
                class: "no-change",
                color: AXIS_COLOR,
                width: 1.4,
                dash: None,
            },
        );
        if cutoff.is_finite() && (dlo..=dhi).contains(&cutoff) {
            let dashed = Stroke {
                class: "cutoff",
                color: THRESHOLD_COLOR,
                width: 1.6,
                dash: Some(THRESHOLD_DASH),
            };
            svg.line(
                (x.map(cutoff), area.top),
                (x.map(cutoff), area.bottom()),
                dashed,
            );
            svg.line(
                (area.left, y.map(cutoff)),
                (area.right(), y.map(cutoff)),
                dashed,
            );
        }
        for p in &result.people {
            let _ = writeln!(
                svg.0,
                "<circle class=\"point\" data-category=\"{}\" cx=\"{}\" cy=\"{}\" r=\"4.5\" \
                 fill=\"{}\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"1\">\
                 <title>{}: {} to {}, RCI {}, {}</title></circle>",
                p.category,
                n(x.map(p.pre)),
                n(y.map(p.post)),
                category_color(p.category),
                esc(&p.id),
                Num(p.pre),
                Num(p.post),
                Num(round2(p.rci)),
                p.category
            );
        }
        if result.people.is_empty() {
            svg.text(
                area.left + area.width / 2.0,
                area.top + area.height / 2.0,
                super::style::EMPTY,
                "No people to plot",
            );
        }
        let mut entries: Vec<Entry> = ChangeCategory::ALL
            .iter()
            .map(|&c| Entry {
                key: Key::Dot(category_color(c)),
                class: "legend-point",
                label: format!("{c} ({})", counts.get(c)),
            })
            .collect();
        entries.push(Entry {
            key: Key::Line(AXIS_COLOR, 1.4, None),
            class: "legend-no-change",
            label: "no change (post = pre)".to_owned(),
        });
        if band.is_some() {
            entries.push(Entry {
                key: Key::Shade(AXIS_COLOR, 0.12),
                class: "legend-band",
                label: format!(
                    "no reliable change (|RCI| < {})",
                    Num(round2(result.critical_value))
                ),
            });
        }
        entries.push(Entry {
            key: Key::Line(THRESHOLD_COLOR, 1.6, Some(THRESHOLD_DASH)),
            class: "legend-cutoff",
            label: format!(
                "clinical cutoff {} = {}",
                result.cutoff.kind,
                Num(round2(cutoff))
            ),
        });
        let better = match result.better {
            Better::Lower => "Lower scores are better: improvement lies below the band.",
            Better::Higher => "Higher scores are better: improvement lies above the band.",
        };
        let notes = vec![
            better.to_owned(),
            format!(
                "{} method, reliability {}, alpha {}{}.",
                result.method.name().to_ascii_uppercase(),
                Num(result.reliability),
                Num(result.alpha),
                if result.method.one_tailed() {
                    ", one-tailed"
                } else {
                    ""
                }
            ),
        ];
        fig.legend(&entries, &notes);
        Ok(fig.close())
    }
}

/// The band of no reliable change: `post = intercept + slope pre ± half`.
#[derive(Debug, Clone, Copy)]
struct Band {
    intercept: f64,
    slope: f64,
    half: f64,
}

impl Band {
    fn at(&self, pre: f64) -> f64 {
        self.intercept + self.slope * pre
    }
}

/// The band of a result (see [`JtPlotOptions`]); `None` when it cannot be drawn (a
/// reliability of the differences of 0 or less under HA, or numbers that are not finite).
fn band(r: &ReliableChange) -> Option<Band> {
    let z = r.critical_value;
    let rel = r.reliability;
    let regressed = |center: f64| Band {
        intercept: center - rel * r.pre_mean,
        slope: rel,
        half: z * r.se,
    };
    let b = match r.method {
        RciMethod::JacobsonTruax => Band {
            intercept: 0.0,
            slope: 1.0,
            half: z * r.se,
        },
        RciMethod::GulliksenLordNovick | RciMethod::EdwardsNunnally | RciMethod::NunnallyKotsch => {
            regressed(r.pre_mean)
        }
        RciMethod::HsuLinnLord => regressed(r.post_mean),
        RciMethod::HagemanArrindell => {
            let rdd = r.hageman_arrindell.map(|h| h.reliability_difference)?;
            if rdd <= 0.0 {
                return None;
            }
            Band {
                intercept: -(r.post_mean - r.pre_mean) * (1.0 - rdd) / rdd,
                slope: 1.0,
                half: z * r.se / rdd,
            }
        }
    };
    (b.intercept.is_finite() && b.slope.is_finite() && b.half.is_finite() && b.half > 0.0)
        .then_some(b)
}

/// A convex polygon clipped to the square `lo..hi` on both axes (Sutherland-Hodgman).
fn clip(polygon: &[(f64, f64)], (lo, hi): (f64, f64)) -> Vec<(f64, f64)> {
    // Each edge of the square as (axis, bound, keep-below).
    let edges = [(0, lo, false), (0, hi, true), (1, lo, false), (1, hi, true)];
    let mut out = polygon.to_vec();
    for (axis, bound, below) in edges {
        let inside = |p: (f64, f64)| {
            let v = if axis == 0 { p.0 } else { p.1 };
            if below { v <= bound } else { v >= bound }
        };
        let cross = |a: (f64, f64), b: (f64, f64)| {
            let (va, vb) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
            let t = if vb == va {
                0.0
            } else {
                (bound - va) / (vb - va)
            };
            (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
        };
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else {
            return out;
        };
        let mut prev = last;
        for &p in &input {
            match (inside(p), inside(prev)) {
                (true, true) => out.push(p),
                (true, false) => {
                    out.push(cross(prev, p));
                    out.push(p);
                }
                (false, true) => out.push(cross(prev, p)),
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strip_is_clipped_to_the_square() {
        let strip = [(0.0, 5.0), (10.0, 15.0), (10.0, 5.0), (0.0, -5.0)];
        let c = clip(&strip, (0.0, 10.0));
        assert!(
            c.iter()
                .all(|&(x, y)| (0.0..=10.0).contains(&x) && (0.0..=10.0).contains(&y))
        );
        // The strip y in x-5..x+5 over the square: a hexagon.
        assert_eq!(c.len(), 6);
        assert!(clip(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], (0.0, 10.0)).is_empty());
    }
}
