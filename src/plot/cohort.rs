//! The cohort plot: every client's course faint, the mean trajectory with its 95% confidence
//! interval per session, and optionally a growth model's fitted line.

use crate::change::SessionTable;
use crate::error::{ErrorKind, Num, Result};
use crate::multilevel::MixedModel;
use crate::stats;

use super::draw::draw;
use super::figure::{Common, checked_size, checked_text};
use super::options::{HEIGHT, WIDTH};
use super::panel::{Band, Line, LineStyle, Panel, round2};
use super::style::{COMPONENT_COLORS, ONSET_COLOR};

/// The color of the faint client lines.
const FAINT_COLOR: &str = "#7f7f7f";

/// A growth model's fixed-effect line: `intercept + slope × session`.
#[derive(Debug, Clone, PartialEq)]
struct FittedLine {
    intercept: f64,
    slope: f64,
    term: String,
}

/// How to draw a cohort's courses (a [`SessionTable`]): each client's scores session by
/// session as a faint line, the mean per session with its 95% confidence interval, and
/// optionally the fixed-effect line of a growth model ([`fitted`](CohortPlotOptions::fitted)).
/// [`svg`](CohortPlotOptions::svg) draws it.
///
/// The interval at a session with `n` scores, mean `m` and standard deviation `s` (n - 1) is
/// Student's t interval, as R's `t.test(x)$conf.int` gives it:
///
/// `m ± t(0.975, n - 1) × s / √n`
///
/// A session with fewer than two scores has a mean but no interval. Missed sessions are left
/// out (not imputed): each session's mean is over the clients scored there, so when clients
/// drop out the mean can move for that reason alone; the faint lines show who is left.
///
/// Marks: each client's line is `<path class="faint-line">` (not labeled one by one: one
/// legend entry for all), the mean `<path class="line" data-target="mean">`, the interval
/// `<path class="ci-band">`, the fitted line `<path class="line" data-target="fitted">`.
///
/// ```
/// use therapeutic_alliance::change::SessionTable;
/// use therapeutic_alliance::plot::CohortPlotOptions;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([
///     ("c-1", 1, Some(40.0)), ("c-1", 2, Some(44.0)), ("c-1", 3, Some(47.0)),
///     ("c-2", 1, Some(36.0)), ("c-2", 2, Some(35.0)), ("c-2", 3, Some(42.0)),
///     ("c-3", 1, Some(45.0)), ("c-3", 2, None), ("c-3", 3, Some(50.0)),
/// ])?;
/// let svg = CohortPlotOptions::new().label("WAI-SR total")?.svg(&table)?;
/// assert_eq!(svg.matches("class=\"faint-line\"").count(), 3);
/// assert_eq!(svg.matches("class=\"ci-band\"").count(), 1);
/// // std::fs::write("cohort.svg", svg)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CohortPlotOptions {
    common: Common,
    fitted: Option<FittedLine>,
}

impl CohortPlotOptions {
    /// The defaults: 800 x 460 pixels, the title "Cohort: N clients", the score labeled
    /// "Score", the mean with its interval, no fitted line.
    ///
    /// ```
    /// let options = therapeutic_alliance::plot::CohortPlotOptions::new();
    /// # let _ = options;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The picture's size in pixels.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a width below 400, a height below 300, or either above
    /// 10,000.
    ///
    /// ```
    /// use therapeutic_alliance::plot::CohortPlotOptions;
    /// assert!(CohortPlotOptions::new().size(1000, 500).is_ok());
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
    /// use therapeutic_alliance::plot::CohortPlotOptions;
    /// assert!(CohortPlotOptions::new().title("Alliance over 12 sessions").is_ok());
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Result<Self> {
        self.common.title = Some(checked_text("plot title", title.into())?);
        Ok(self)
    }

    /// What the score is, for the value axis.
    ///
    /// # Errors
    /// As [`title`](CohortPlotOptions::title).
    ///
    /// ```
    /// use therapeutic_alliance::plot::CohortPlotOptions;
    /// assert!(CohortPlotOptions::new().label("SRS total").is_ok());
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Result<Self> {
        self.common.label = Some(checked_text("plot label", label.into())?);
        Ok(self)
    }

    /// Adds a growth model's fitted line: its fixed intercept plus its fixed slope times the
    /// session, as fitted to [`MixedTable::from_sessions`](crate::multilevel::MixedTable::from_sessions)
    /// (random intercept, or intercept and slope).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless the model has exactly two fixed effects, the
    /// intercept and one slope (the session).
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
    /// use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
    /// use therapeutic_alliance::plot::CohortPlotOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("a", 1, Some(40.0)), ("a", 2, Some(43.0)), ("a", 3, Some(45.0)),
    ///     ("b", 1, Some(35.0)), ("b", 2, Some(38.5)), ("b", 3, Some(39.0)),
    ///     ("c", 1, Some(44.0)), ("c", 2, Some(44.5)), ("c", 3, Some(48.0)),
    /// ])?;
    /// let model = MixedOptions::new().fixed(["session"]).analyze(&MixedTable::from_sessions(&table)?)?;
    /// let svg = CohortPlotOptions::new().fitted(&model)?.svg(&table)?;
    /// assert!(svg.contains("data-target=\"fitted\""));
    /// # Ok(())
    /// # }
    /// ```
    pub fn fitted(mut self, model: &MixedModel) -> Result<Self> {
        match model.fixed.as_slice() {
            [intercept, slope]
                if intercept.term == "(Intercept)"
                    && intercept.estimate.is_finite()
                    && slope.estimate.is_finite() =>
            {
                self.fitted = Some(FittedLine {
                    intercept: intercept.estimate,
                    slope: slope.estimate,
                    term: slope.term.clone(),
                });
                Ok(self)
            }
            other => Err(ErrorKind::InvalidOption {
                option: "fitted model",
                value: format!("{} fixed effects", other.len()),
                reason: "a fitted line needs a growth model with the intercept and one slope (the session)"
                    .to_owned(),
            }
            .into()),
        }
    }

    /// Draws the cohort as an SVG document. An empty table, or one without a score, draws the
    /// axes and says so.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for options that can fail to apply.
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
    /// use therapeutic_alliance::plot::CohortPlotOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([("a", 1, Some(4.0)), ("b", 1, Some(5.0))])?;
    /// let svg = CohortPlotOptions::new().svg(&table)?;
    /// assert!(svg.contains("<desc>"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn svg(&self, table: &SessionTable) -> Result<String> {
        let label = self.common.label.as_deref().unwrap_or("Score");
        // Each client's scored sessions, in the table's order (rows come client by client).
        let mut faint: Vec<Line> = Vec::new();
        let mut last: Option<&str> = None;
        let mut sessions: Vec<f64> = Vec::new();
        for (client, session, score) in table.rows() {
            let x = f64::from(session);
            sessions.push(x);
            if last != Some(client) {
                last = Some(client);
                faint.push(Line {
                    target: "client".to_owned(),
                    label: String::new(),
                    color: FAINT_COLOR,
                    width: 1.0,
                    style: LineStyle::Faint,
                    points: Vec::new(),
                });
            }
            if let (Some(v), Some(line)) = (score, faint.last_mut()) {
                line.points.push((x, v));
            }
        }
        let clients = faint.len();
        if let Some(first) = faint.first_mut() {
            first.label = format!("each client ({clients})");
        }

        let mut mean = Vec::new();
        let mut interval = Vec::new();
        for s in table.mean_trajectory() {
            let x = f64::from(s.session);
            let Some(m) = s.mean else { continue };
            mean.push((x, m));
            if let Some((lo, hi)) = t_interval(m, s.sd, s.n) {
                interval.push((x, lo, hi));
            }
        }
        let mean_color = COMPONENT_COLORS[0];
        let mut lines = vec![Line {
            target: "mean".to_owned(),
            label: "mean".to_owned(),
            color: mean_color,
            width: 2.6,
            style: LineStyle::Main,
            points: mean,
        }];
        let mut notes = vec![
            "95% interval of the mean: mean ± t(0.975, n − 1) · SD / √n per session (Student's t); none with fewer than 2 scores.".to_owned(),
            "Missed sessions are left out, not imputed.".to_owned(),
        ];
        if let Some(f) = &self.fitted {
            // The line at each session of the table, so that its dots sit on the sessions.
            let mut at: Vec<f64> = sessions.clone();
            at.sort_by(f64::total_cmp);
            at.dedup();
            let points: Vec<(f64, f64)> = at
                .into_iter()
                .map(|x| (x, f.intercept + f.slope * x))
                .filter(|p| p.1.is_finite())
                .collect();
            lines.push(Line {
                target: "fitted".to_owned(),
                label: "growth model (fixed effects)".to_owned(),
                color: ONSET_COLOR,
                width: 2.2,
                style: LineStyle::Main,
                points,
            });
            notes.push(format!(
                "Growth model: {} {} {} × {}.",
                Num(round2(f.intercept)),
                if f.slope < 0.0 { "−" } else { "+" },
                Num(round2(f.slope.abs())),
                f.term
            ));
        }
        lines.extend(faint);
        let panel = Panel {
            lines,
            bands: vec![Band {
                class: "ci-band",
                label: "95% CI of the mean".to_owned(),
                color: mean_color,
                points: interval,
            }],
            notes,
            ..Panel::new("cohort", label)
        };
        let title = self.common.title.clone().unwrap_or_else(|| {
            format!(
                "{label} by session: {clients} client{}",
                if clients == 1 { "" } else { "s" }
            )
        });
        let size = self.common.size.unwrap_or((WIDTH, HEIGHT));
        Ok(draw(size, &title, &sessions, &panel, None))
    }
}

/// Student's t 95% interval of a mean of `n` values with standard deviation `sd` (n - 1):
/// `mean ± qt(0.975, n - 1) sd / sqrt(n)`, as R's `t.test(x)$conf.int`; `None` under 2 values.
pub(super) fn t_interval(mean: f64, sd: Option<f64>, n: u64) -> Option<(f64, f64)> {
    let sd = sd?;
    if n < 2 {
        return None;
    }
    let df = (n - 1) as f64;
    let t = stats::qt(0.975, df)?;
    let half = t * sd / (n as f64).sqrt();
    (half.is_finite() && mean.is_finite()).then_some((mean - half, mean + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answer: R 4 `print(t.test(c(40, 36, 45))$conf.int, digits = 12)` is
    /// 29.1317359706 51.5349306960 (mean 121/3, variance 61/3, `qt(0.975, 2)` =
    /// 4.30265272974946), run here; tolerance 1e-9 (R printed 12 digits).
    #[test]
    fn the_interval_is_students_t() {
        let (lo, hi) =
            t_interval(121.0 / 3.0, Some((61.0f64 / 3.0).sqrt()), 3).unwrap_or((0.0, 0.0));
        assert!((lo - 29.131_735_970_6).abs() < 1e-9, "{lo}");
        assert!((hi - 51.534_930_696_0).abs() < 1e-9, "{hi}");
        assert_eq!(t_interval(3.0, None, 1), None);
        assert_eq!(t_interval(3.0, Some(1.0), 1), None);
    }
}
