//! The caterpillar plot: each group's conditional mode (BLUP) of a mixed model with its
//! interval, sorted, so that the groups (therapists) that differ stand out.

use std::fmt::Write as _;

use crate::error::{ErrorKind, Num, Result};
use crate::multilevel::MixedModel;
use crate::stats;

use super::figure::{Common, Entry, Figure, Key, checked_size, checked_text, numeric_axis};
use super::layout::{chars_fitting, fit};
use super::style::{AXIS_COLOR, COMPONENT_COLORS, EMPTY, ONSET_COLOR, Y_TICK};
use super::svg::{Stroke, esc, n};

/// The color of an interval that holds 0.
const NEUTRAL: &str = "#8c8c8c";

/// How to draw a caterpillar plot of a [`MixedModel`]'s groups: each group's conditional mode
/// of one random term (the intercept by default) with the interval mode ± 1.96 conditional
/// SDs (`qnorm(0.975)` = 1.959964, as lme4's `dotplot(ranef(m, condVar = TRUE))`), one row per
/// group, sorted from the highest mode at the top to the lowest. A line marks 0, the average
/// group; an interval that excludes 0 is colored (above or below), one that holds it grey.
/// [`svg`](CaterpillarPlotOptions::svg) draws it.
///
/// The intervals are the conditional modes' own uncertainty, not a test per group: with many
/// groups some exclude 0 by chance.
///
/// Marks: per group a `<g class="group" data-level="...">` with `<line class="interval">` and
/// `<circle class="mode">` (its `<title>` gives the level, the mode, the interval and the
/// group's observations); the line at 0 is `<line class="zero">`. Levels are labeled while the
/// rows are at least 10 pixels high.
///
/// ```
/// use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
/// use therapeutic_alliance::plot::CaterpillarPlotOptions;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let rows = [
///     ("t1", 5.1), ("t1", 5.6), ("t1", 4.9), ("t2", 6.2), ("t2", 6.0), ("t2", 5.7),
///     ("t3", 4.4), ("t3", 4.9), ("t3", 4.6), ("t4", 5.5), ("t4", 5.2), ("t4", 6.1),
/// ];
/// let table = MixedTable::from_rows("therapist", "alliance", &[], rows.iter().map(|&(g, y)| (g, y, vec![])))?;
/// let model = MixedOptions::new().analyze(&table)?;
/// let svg = CaterpillarPlotOptions::new().svg(&model)?;
/// assert_eq!(svg.matches("<circle class=\"mode\"").count(), 4);
/// // The highest therapist first: t2.
/// assert!(svg.find("data-level=\"t2\"") < svg.find("data-level=\"t4\""));
/// // std::fs::write("caterpillar.svg", svg)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CaterpillarPlotOptions {
    common: Common,
    term: String,
}

impl Default for CaterpillarPlotOptions {
    fn default() -> Self {
        CaterpillarPlotOptions {
            common: Common::default(),
            term: "(Intercept)".to_owned(),
        }
    }
}

impl CaterpillarPlotOptions {
    /// The defaults: the intercept's modes; 760 pixels wide and 90 + 16 per group high (at
    /// least 300, at most 10,000); the title names the grouping column.
    ///
    /// ```
    /// let options = therapeutic_alliance::plot::CaterpillarPlotOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The random term whose modes are drawn: `(Intercept)` (the default) or the slope's
    /// column.
    ///
    /// ```
    /// let slopes = therapeutic_alliance::plot::CaterpillarPlotOptions::new().term("session");
    /// # let _ = slopes;
    /// ```
    #[must_use]
    pub fn term(mut self, term: impl Into<String>) -> Self {
        self.term = term.into();
        self
    }

    /// The picture's size in pixels.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a width below 400, a height below 300, or either above
    /// 10,000.
    ///
    /// ```
    /// use therapeutic_alliance::plot::CaterpillarPlotOptions;
    /// assert!(CaterpillarPlotOptions::new().size(700, 900).is_ok());
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Result<Self> {
        self.common.size = Some(checked_size(width, height)?);
        Ok(self)
    }

    /// The title.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] for an empty title or one with control, invisible or
    /// bidirectional characters.
    ///
    /// ```
    /// use therapeutic_alliance::plot::CaterpillarPlotOptions;
    /// assert!(CaterpillarPlotOptions::new().title("Therapists' alliance").is_ok());
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Result<Self> {
        self.common.title = Some(checked_text("plot title", title.into())?);
        Ok(self)
    }

    /// What the outcome is, for the value axis ("Conditional mode of (Intercept), WAI-SR
    /// total").
    ///
    /// # Errors
    /// As [`title`](CaterpillarPlotOptions::title).
    ///
    /// ```
    /// use therapeutic_alliance::plot::CaterpillarPlotOptions;
    /// assert!(CaterpillarPlotOptions::new().label("WAI-SR total").is_ok());
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Result<Self> {
        self.common.label = Some(checked_text("plot label", label.into())?);
        Ok(self)
    }

    /// Draws the groups' conditional modes as an SVG document.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] when the model has no random term of the name given to
    /// [`term`](CaterpillarPlotOptions::term).
    ///
    /// ```
    /// use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
    /// use therapeutic_alliance::plot::CaterpillarPlotOptions;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let rows = [("a", 1.0), ("a", 2.0), ("b", 4.0), ("b", 5.0), ("c", 2.5), ("c", 3.0)];
    /// let table = MixedTable::from_rows("g", "y", &[], rows.iter().map(|&(g, y)| (g, y, vec![])))?;
    /// let model = MixedOptions::new().analyze(&table)?;
    /// assert!(CaterpillarPlotOptions::new().term("session").svg(&model).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn svg(&self, model: &MixedModel) -> Result<String> {
        let term = self.term.as_str();
        let known = model.ranef.first().map_or_else(Vec::new, |g| {
            g.values.keys().map(String::as_str).collect::<Vec<_>>()
        });
        if !model.ranef.is_empty() && !known.contains(&term) {
            return Err(ErrorKind::InvalidOption {
                option: "caterpillar term",
                value: fit(term, 40),
                reason: format!(
                    "the model has no random term of this name; its terms: {}",
                    known.join(", ")
                ),
            }
            .into());
        }
        let z = stats::qnorm(0.975).unwrap_or(1.959_963_984_540_054);
        // (level, n, mode, low, high), highest mode first; ties by level.
        let mut groups: Vec<(&str, usize, f64, f64, f64)> = model
            .ranef
            .iter()
            .filter_map(|g| {
                let mode = *g.values.get(term)?;
                let sd = g.cond_sd.get(term).copied().unwrap_or(0.0);
                (mode.is_finite() && sd.is_finite()).then_some((
                    g.level.as_str(),
                    g.n,
                    mode,
                    mode - z * sd,
                    mode + z * sd,
                ))
            })
            .collect();
        groups.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(b.0)));

        let count = groups.len();
        let rows = u32::try_from(count).unwrap_or(u32::MAX);
        let size = self.common.size.unwrap_or((
            760,
            rows.saturating_mul(16)
                .saturating_add(90)
                .clamp(300, 10_000),
        ));
        let label = self.common.label.as_deref();
        let title = self.common.title.clone().unwrap_or_else(|| {
            format!(
                "Conditional modes of {term} by {}{}",
                model.group,
                label.map_or_else(String::new, |l| format!(", {l}"))
            )
        });
        let above = groups.iter().filter(|g| g.3 > 0.0).count();
        let below = groups.iter().filter(|g| g.4 < 0.0).count();
        let desc = format!(
            "Caterpillar plot of {count} {} groups' conditional modes of {term} with 95% \
             intervals (mode ± 1.96 conditional SD), sorted from highest to lowest: {above} \
             above 0, {below} below 0, the rest include 0.",
            model.group
        );
        // Room for the levels' labels on the left.
        let longest = groups
            .iter()
            .map(|g| g.0.chars().count())
            .max()
            .unwrap_or(4);
        let left = (longest as f64 * Y_TICK.size * 0.56 + 24.0).clamp(64.0, 200.0);
        let mut fig = Figure::open(size, &title, &desc, left);
        let area = fig.area;
        let (lo, hi) = groups
            .iter()
            .fold((0.0f64, 0.0f64), |(a, b), g| (a.min(g.3), b.max(g.4)));
        let (x, ticks) = numeric_axis(
            lo,
            hi,
            (area.left, area.right()),
            (area.width / 70.0).clamp(2.0, 10.0),
        );
        let y_axis = match label {
            Some(l) => format!("Conditional mode of {term}, {l}"),
            None => format!("Conditional mode of {term}"),
        };
        // No y ticks: the groups label the rows.
        let y_dummy = super::layout::Scale {
            lo: 0.0,
            hi: 1.0,
            from: area.bottom(),
            to: area.top,
        };
        fig.axes(
            (x, y_dummy),
            (&ticks, &[]),
            (&y_axis, &format!("{} (sorted)", model.group)),
        );
        let svg = &mut fig.svg;
        let zero = x.map(0.0);
        svg.line(
            (zero, area.top),
            (zero, area.bottom()),
            Stroke {
                class: "zero",
                color: AXIS_COLOR,
                width: 1.2,
                dash: Some("4 3"),
            },
        );
        let row = if count > 0 {
            area.height / count as f64
        } else {
            area.height
        };
        let labeled = row >= 10.0;
        let label_chars = chars_fitting(left - 12.0, Y_TICK.size);
        for (i, &(level, obs, mode, low, high)) in groups.iter().enumerate() {
            let cy = area.top + row * (i as f64 + 0.5);
            let color = if low > 0.0 {
                COMPONENT_COLORS[0]
            } else if high < 0.0 {
                ONSET_COLOR
            } else {
                NEUTRAL
            };
            let _ = writeln!(svg.0, "<g class=\"group\" data-level=\"{}\">", esc(level));
            svg.line(
                (x.map(low), cy),
                (x.map(high), cy),
                Stroke {
                    class: "interval",
                    color,
                    width: if labeled { 2.0 } else { 1.0 },
                    dash: None,
                },
            );
            let _ = writeln!(
                svg.0,
                "<circle class=\"mode\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{color}\">\
                 <title>{}: {} ({} to {}), {} observation{}</title></circle>",
                n(x.map(mode)),
                n(cy),
                n((row / 3.0).clamp(1.0, 4.0)),
                esc(level),
                Num(round4(mode)),
                Num(round4(low)),
                Num(round4(high)),
                obs,
                if obs == 1 { "" } else { "s" }
            );
            if labeled {
                svg.text(
                    area.left - 6.0,
                    cy + Y_TICK.size * 0.35,
                    Y_TICK,
                    &fit(level, label_chars),
                );
            }
            svg.0.push_str("</g>\n");
        }
        if count == 0 {
            svg.text(
                area.left + area.width / 2.0,
                area.top + area.height / 2.0,
                EMPTY,
                "No groups to plot",
            );
        }
        let entries = [
            Entry {
                key: Key::Interval(COMPONENT_COLORS[0]),
                class: "legend-interval",
                label: format!("above 0 ({above})"),
            },
            Entry {
                key: Key::Interval(NEUTRAL),
                class: "legend-interval",
                label: format!("includes 0 ({})", count - above - below),
            },
            Entry {
                key: Key::Interval(ONSET_COLOR),
                class: "legend-interval",
                label: format!("below 0 ({below})"),
            },
        ];
        let mut notes = vec![
            "Conditional modes (BLUPs) ± 1.96 conditional SD, as lme4's ranef(condVar = TRUE)."
                .to_owned(),
            format!("0 is the average {}.", model.group),
        ];
        if let Some(b) = &model.convergence.boundary {
            notes.push(format!("Boundary fit: {b}."));
        }
        if !labeled && count > 0 {
            notes.push(format!("{count} groups: too many rows to label each."));
        }
        fig.legend(&entries, &notes);
        Ok(fig.close())
    }
}

fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}
