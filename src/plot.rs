//! Pictures of one client's course (feature `plot`): the alliance session by session as an SVG
//! chart, with thresholds, ruptures and repairs, and optionally an outcome measure below it with
//! its sudden gains.
//!
//! The SVG is written by hand (no drawing library): a few lines, markers and labels, each mark
//! tagged with a `class` (`line`, `threshold`, `rupture-dip`, `rupture-onset`,
//! `rupture-repair`, `sudden-gain`, `sudden-loss`) and a `data-target` or `data-session`, so
//! that a stylesheet, a test or a screen reader can find it.

use std::fmt::Write as _;

use crate::change::{RuptureOptions, Ruptures, ScoreSeries, Series, SuddenKind, SuddenOptions};
use crate::components::{Component, Target};
use crate::error::{ErrorKind, Num, Result};
use crate::ids::{TextRule, check_field};
use crate::instruments::{Comparison, Instrument, Slot, TotalRule};
use crate::scoring::Metric;

/// The default width of the picture, in pixels.
const WIDTH: u32 = 800;
/// The default height of the picture without an outcome panel.
const HEIGHT: u32 = 460;
/// The default height of the picture with an outcome panel.
const HEIGHT_WITH_OUTCOME: u32 = 760;
/// The smallest width and height [`PlotOptions::size`] takes.
const MIN_SIZE: (u32, u32) = (400, 300);
/// The largest width and height [`PlotOptions::size`] takes.
const MAX_SIZE: u32 = 10_000;
/// The largest score magnitude an outcome panel draws.
const MAX_OUTCOME: f64 = 1e9;

/// Colour-blind-safe colours (Okabe & Ito 2008) for the lines: the total, then goals,
/// collaboration and bond, then other subscales.
const TOTAL_COLOUR: &str = "#1a1a1a";
const COMPONENT_COLOURS: [&str; 3] = ["#0072B2", "#E69F00", "#CC79A7"];
const OTHER_COLOURS: [&str; 4] = ["#56B4E9", "#882255", "#44AA99", "#999933"];
const THRESHOLD_COLOUR: &str = "#6A3D9A";
const ONSET_COLOUR: &str = "#D55E00";
const REPAIR_COLOUR: &str = "#009E73";
const OUTCOME_COLOUR: &str = "#4d4d4d";
const GRID_COLOUR: &str = "#e6e6e6";
const AXIS_COLOUR: &str = "#595959";
const TEXT_COLOUR: &str = "#1a1a1a";
const NOTE_COLOUR: &str = "#595959";

/// Which scores of the alliance series are drawn, one line each.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component, PlotOptions, PlotTargets, Series};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).session(1)
///     .answers([("1", 8.0), ("2", 7.0), ("3", 9.0), ("4", 8.0)])?.build()?;
/// let series = Series::from_administrations([adm])?;
/// let bond_only = PlotOptions::new().targets(PlotTargets::Only(vec![Component::Bond.into()]));
/// let svg = bond_only.svg(&series)?;
/// assert_eq!(svg.matches("class=\"line\"").count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PlotTargets {
    /// The total (if the instrument has one) and each subscale measuring an alliance component,
    /// in the order goals, collaboration, bond; every subscale if that leaves nothing.
    #[default]
    TotalAndComponents,
    /// The total (if any) and every subscale, in the instrument's order.
    All,
    /// These targets, in this order (each once).
    Only(Vec<Target>),
}

/// Which ruptures and repairs are marked on the first line drawn (the total, by default).
///
/// ```
/// use therapeutic_alliance::{PlotOptions, PlotRuptures, RuptureOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let options = PlotOptions::new().ruptures(PlotRuptures::Detect(RuptureOptions::points(4.0)?));
/// let quiet = PlotOptions::new().ruptures(PlotRuptures::None);
/// assert_ne!(options, quiet);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlotRuptures {
    /// No rupture marks.
    None,
    /// Ruptures found by this rule on the first line drawn, in the instrument's primary metric
    /// (as [`RuptureOptions::analyze`] finds them). A rule in SDs without a floor of its own
    /// ([`RuptureOptions::with_floor`]) gets the session monitor's default: at least 5% of the
    /// line's range deep. With fewer than two scored sessions a rule in the client's own SD
    /// finds none, and none are drawn.
    Detect(RuptureOptions),
    /// Ruptures already found on the first line drawn, in this series: every session they name
    /// must be one of the series' sessions, scored on that line.
    Given(Ruptures),
}

impl Default for PlotRuptures {
    /// [`PlotRuptures::Detect`] with [`RuptureOptions::one_sd`].
    fn default() -> Self {
        PlotRuptures::Detect(RuptureOptions::one_sd())
    }
}

/// Whether the instrument's thresholds are drawn.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, PlotOptions, Series, ThresholdLines};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).session(1)
///     .answers([("1", 8.0), ("2", 7.0), ("3", 9.0), ("4", 8.0)])?.build()?;
/// let series = Series::from_administrations([adm])?;
/// let svg = PlotOptions::new().thresholds(ThresholdLines::Hidden).svg(&series)?;
/// assert!(!svg.contains("class=\"threshold\""));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ThresholdLines {
    /// Each threshold on a target drawn, as a dashed horizontal line at its value converted
    /// to the plotted metric (sum, mean and percent of maximum are linear in one another).
    #[default]
    Shown,
    /// No threshold lines.
    Hidden,
}

/// Which sudden shifts are marked on an outcome panel.
///
/// ```
/// use therapeutic_alliance::{Better, SuddenMarks, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let marks = SuddenMarks::GainsAndLosses(SuddenOptions::new(Better::Lower, 6.0)?);
/// assert_ne!(marks, SuddenMarks::None);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SuddenMarks {
    /// No sudden gains or losses marked.
    None,
    /// Sudden gains found with these options.
    Gains(SuddenOptions),
    /// Sudden losses found with these options.
    Losses(SuddenOptions),
    /// Both.
    GainsAndLosses(SuddenOptions),
}

/// An outcome measure (a PHQ-9, a GAD-7, an ORS) drawn in a second panel below the alliance,
/// on the same sessions, with its sudden gains marked.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, OutcomePanel, Series};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let phq9 = catalog::require("phq-9")?;
/// let at = |n: u32, v: f64| Administration::builder(&phq9).session(n)
///     .answers((1..=9).map(|i| (i.to_string(), v)))?.build();
/// let series = Series::from_administrations([at(1, 2.0)?, at(2, 2.0)?, at(3, 1.0)?])?;
/// let panel = OutcomePanel::series(&series)?;
/// assert_eq!(panel.label(), "PHQ-9 total");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomePanel {
    label: String,
    axis: String,
    client: Option<String>,
    first_session: u32,
    scores: ScoreSeries,
    range: Option<(f64, f64)>,
    thresholds: Vec<Rule>,
    sudden: SuddenMarks,
}

/// A threshold as drawn: its value in the plotted metric, the target it reads and its legend.
#[derive(Debug, Clone, PartialEq)]
struct Rule {
    value: f64,
    target: String,
    text: String,
    message: String,
}

impl OutcomePanel {
    /// The total of an outcome series, in its instrument's primary metric, with the
    /// instrument's thresholds on the total. Sudden gains are marked when the instrument states
    /// a reliable change amount on the total: all three criteria of Tang & DeRubeis
    /// ([`SuddenOptions::new`]) with that amount as the cutoff (6 points on the PHQ-9);
    /// otherwise none, until [`sudden`](OutcomePanel::sudden) says which.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownTarget`] if the instrument has no total; [`ErrorKind::InvalidSeries`]
    /// if its session numbers span 100,000 or more (as [`Series::score_series`]).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, OutcomePanel, Series};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = catalog::require("gad-7")?;
    /// let panel = OutcomePanel::series(&Series::new(&gad7))?; // nothing to draw yet, but valid
    /// assert_eq!(panel.label(), "GAD-7 total");
    /// # Ok(())
    /// # }
    /// ```
    pub fn series(series: &Series) -> Result<Self> {
        let inst = series.instrument();
        let scores = series.score_series(Target::Total)?;
        let metric = inst.primary_metric();
        let range = inst
            .range(Target::Total, metric)
            .map(|r| (r.min(), r.max()));
        let thresholds = thresholds_on(inst, &[(Target::Total, Slot::Total)], metric);
        let sudden = inst
            .reliable_change()
            .filter(|rc| inst.slot(rc.target()).ok() == Some(Slot::Total))
            .and_then(|rc| convert_amount(inst, rc.points(), rc.metric(), metric))
            .and_then(|points| SuddenOptions::new(inst.better(), points).ok())
            .map_or(SuddenMarks::None, SuddenMarks::Gains);
        let short = short_name(inst);
        Ok(OutcomePanel {
            label: format!("{short} total"),
            axis: format!("{short} total ({})", metric.label()),
            client: series.client().map(str::to_owned),
            first_session: series.sessions().first().map_or(1, |s| s.session()),
            scores,
            range,
            thresholds,
            sudden,
        })
    }

    /// Scores of any outcome measure, one per session from session `first_session` on (`None`
    /// for a missed session), labelled `label`. No sudden shifts are marked until
    /// [`sudden`](OutcomePanel::sudden) says which.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] for an empty label or one with control, invisible or
    /// bidirectional characters; [`ErrorKind::NotFiniteScore`] for a score beyond ±1e9, which
    /// cannot be drawn on a readable axis.
    ///
    /// ```
    /// use therapeutic_alliance::{OutcomePanel, ScoreSeries};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let bdi = ScoreSeries::new("c-4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0)])?;
    /// let panel = OutcomePanel::scores("BDI-II", bdi, 1)?;
    /// assert_eq!(panel.label(), "BDI-II");
    /// # Ok(())
    /// # }
    /// ```
    pub fn scores(
        label: impl Into<String>,
        scores: ScoreSeries,
        first_session: u32,
    ) -> Result<Self> {
        let label = label.into();
        check_field(TextRule::Label, "outcome label", &label)?;
        for (i, v) in scores.scores().iter().enumerate() {
            if let Some(v) = *v
                && v.abs() > MAX_OUTCOME
            {
                return Err(ErrorKind::NotFiniteScore {
                    client: scores.id().to_owned(),
                    score: format!(
                        "score {} (beyond ±1e9, too large to plot)",
                        i.saturating_add(1)
                    ),
                    value: v,
                }
                .into());
            }
        }
        Ok(OutcomePanel {
            axis: label.clone(),
            label,
            client: None,
            first_session,
            scores,
            range: None,
            thresholds: Vec::new(),
            sudden: SuddenMarks::None,
        })
    }

    /// The same panel with these sudden shifts marked. The panel's own session numbers name
    /// the sessions.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, OutcomePanel, ScoreSeries, SuddenMarks, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let bdi = ScoreSeries::new("c-4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?;
    /// let panel = OutcomePanel::scores("BDI-II", bdi, 1)?
    ///     .sudden(SuddenMarks::Gains(SuddenOptions::new(Better::Lower, 7.0)?));
    /// assert!(matches!(panel.sudden_marks(), SuddenMarks::Gains(_)));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn sudden(mut self, marks: SuddenMarks) -> Self {
        self.sudden = marks;
        self
    }

    /// The panel's label, as its legend shows it.
    ///
    /// ```
    /// use therapeutic_alliance::{OutcomePanel, ScoreSeries};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let panel = OutcomePanel::scores("ORS", ScoreSeries::new("c", [Some(20.0)])?, 3)?;
    /// assert_eq!(panel.label(), "ORS");
    /// # Ok(())
    /// # }
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The sudden shifts marked.
    ///
    /// ```
    /// use therapeutic_alliance::{OutcomePanel, ScoreSeries, SuddenMarks};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let panel = OutcomePanel::scores("ORS", ScoreSeries::new("c", [Some(20.0)])?, 1)?;
    /// assert_eq!(panel.sudden_marks(), &SuddenMarks::None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sudden_marks(&self) -> &SuddenMarks {
        &self.sudden
    }
}

/// How to draw one client's alliance session by session: which scores, in which metric, the
/// thresholds, ruptures and repairs, and an optional outcome panel; [`svg`](PlotOptions::svg)
/// draws it.
///
/// Defaults: 800 x 460 pixels (800 x 760 with an outcome panel); a title naming the
/// instrument and the client; the total and the component subscales
/// ([`PlotTargets::TotalAndComponents`]) in **percent of maximum** ([`Metric::Pomp`], 0-100),
/// so that the total and subscales of any length share one axis; the instrument's thresholds
/// ([`ThresholdLines::Shown`]); ruptures by [`RuptureOptions::one_sd`]; no outcome panel.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Metric, PlotOptions, Series};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let mut series = Series::new(&srs);
/// for (n, v) in [9.5, 9.4, 7.0, 9.6, 9.8].into_iter().enumerate() {
///     let adm = Administration::builder(&srs).client("c-017").session(n as u32 + 1)
///         .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build()?;
///     series.push(&adm)?;
/// }
/// let svg = PlotOptions::new().title("Alliance, c-017")?.metric(Metric::Sum).svg(&series)?;
/// assert!(svg.starts_with("<svg") && svg.contains("Alliance, c-017"));
/// assert_eq!(svg.matches("class=\"rupture-onset\"").count(), 1);
/// assert_eq!(svg.matches("class=\"rupture-repair\"").count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    size: Option<(u32, u32)>,
    title: Option<String>,
    targets: PlotTargets,
    metric: Metric,
    thresholds: ThresholdLines,
    ruptures: PlotRuptures,
    outcome: Option<OutcomePanel>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            size: None,
            title: None,
            targets: PlotTargets::default(),
            metric: Metric::Pomp,
            thresholds: ThresholdLines::default(),
            ruptures: PlotRuptures::default(),
            outcome: None,
        }
    }
}

impl PlotOptions {
    /// The defaults (see [`PlotOptions`]).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, PlotOptions, Series};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let empty = Series::new(&catalog::require("wai-sr")?);
    /// let svg = PlotOptions::new().svg(&empty)?;
    /// assert!(svg.contains("No scores to plot"));
    /// # Ok(())
    /// # }
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
    /// use therapeutic_alliance::PlotOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wide = PlotOptions::new().size(1200, 500)?;
    /// assert!(PlotOptions::new().size(100, 100).is_err());
    /// # let _ = wide;
    /// # Ok(())
    /// # }
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Result<Self> {
        let ok =
            (MIN_SIZE.0..=MAX_SIZE).contains(&width) && (MIN_SIZE.1..=MAX_SIZE).contains(&height);
        if !ok {
            return Err(ErrorKind::InvalidOption {
                option: "plot size",
                value: format!("{width} x {height}"),
                reason: format!(
                    "the width must be {} to {MAX_SIZE} pixels and the height {} to {MAX_SIZE}",
                    MIN_SIZE.0, MIN_SIZE.1
                ),
            }
            .into());
        }
        self.size = Some((width, height));
        Ok(self)
    }

    /// The title at the top, instead of the instrument's name and the client.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] for an empty title or one with control, invisible or
    /// bidirectional characters.
    ///
    /// ```
    /// use therapeutic_alliance::PlotOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let options = PlotOptions::new().title("Client 17: alliance over 12 sessions")?;
    /// assert!(PlotOptions::new().title("").is_err());
    /// # let _ = options;
    /// # Ok(())
    /// # }
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Result<Self> {
        let title = title.into();
        check_field(TextRule::Label, "plot title", &title)?;
        self.title = Some(title);
        Ok(self)
    }

    /// Which scores are drawn (default [`PlotTargets::TotalAndComponents`]).
    ///
    /// ```
    /// use therapeutic_alliance::{PlotOptions, PlotTargets, Target};
    ///
    /// let total_only = PlotOptions::new().targets(PlotTargets::Only(vec![Target::Total]));
    /// # let _ = total_only;
    /// ```
    #[must_use]
    pub fn targets(mut self, targets: PlotTargets) -> Self {
        self.targets = targets;
        self
    }

    /// The metric of the alliance panel (default [`Metric::Pomp`]). Thresholds are converted to
    /// it; ruptures are still found in the instrument's primary metric and marked on the line
    /// where it is.
    ///
    /// ```
    /// use therapeutic_alliance::{Metric, PlotOptions};
    ///
    /// let sums = PlotOptions::new().metric(Metric::Sum);
    /// # let _ = sums;
    /// ```
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.metric = metric;
        self
    }

    /// Whether thresholds are drawn (default [`ThresholdLines::Shown`]).
    ///
    /// ```
    /// use therapeutic_alliance::{PlotOptions, ThresholdLines};
    ///
    /// let plain = PlotOptions::new().thresholds(ThresholdLines::Hidden);
    /// # let _ = plain;
    /// ```
    #[must_use]
    pub fn thresholds(mut self, lines: ThresholdLines) -> Self {
        self.thresholds = lines;
        self
    }

    /// Which ruptures are marked (default [`PlotRuptures::Detect`] with
    /// [`RuptureOptions::one_sd`]).
    ///
    /// ```
    /// use therapeutic_alliance::{PlotOptions, PlotRuptures, RuptureOptions};
    ///
    /// let strict = PlotOptions::new().ruptures(PlotRuptures::Detect(RuptureOptions::two_sd()));
    /// # let _ = strict;
    /// ```
    #[must_use]
    pub fn ruptures(mut self, ruptures: PlotRuptures) -> Self {
        self.ruptures = ruptures;
        self
    }

    /// An outcome panel below the alliance, on the same session axis.
    ///
    /// ```
    /// use therapeutic_alliance::{OutcomePanel, PlotOptions, ScoreSeries};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ors = OutcomePanel::scores("ORS", ScoreSeries::new("c", [Some(18.0), Some(24.5)])?, 1)?;
    /// let options = PlotOptions::new().outcome(ors);
    /// # let _ = options;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn outcome(mut self, panel: OutcomePanel) -> Self {
        self.outcome = Some(panel);
        self
    }

    /// Draws one client's series as an SVG document (UTF-8 text, no external resources).
    ///
    /// Each score drawn is one `<path class="line" data-target="...">`, scored sessions joined
    /// in order (a session without a score is skipped, not drawn as zero) with a dot at each;
    /// thresholds are `<line class="threshold">`; each rupture is a shaded
    /// `<rect class="rupture-dip">` from the last session at its level to its repair (or the
    /// end of the dip), a `class="rupture-onset"` marker at its onset and a
    /// `class="rupture-repair"` marker at its repair; sudden gains and losses on the outcome
    /// panel are `class="sudden-gain"` and `class="sudden-loss"` markers at session N+1. An
    /// empty series, or one without any score, draws the axes and says so.
    ///
    /// # Errors
    /// - [`ErrorKind::UnknownTarget`] for a target the instrument does not have (the total of
    ///   an instrument without one);
    /// - [`ErrorKind::InvalidOption`] for [`PlotTargets::Only`] with no target;
    /// - [`ErrorKind::InvalidSeries`] when [`PlotRuptures::Given`] names a session the series
    ///   does not have or does not score, or the outcome panel's series names another client;
    /// - as [`RuptureOptions::analyze`] otherwise.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, OutcomePanel, PlotOptions, Series};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let phq9 = catalog::require("phq-9")?;
    /// let (mut alliance, mut outcome) = (Series::new(&wai), Series::new(&phq9));
    /// for (n, (a, p)) in [(3, 3), (3, 3), (4, 3), (4, 1), (5, 1), (5, 0)].into_iter().enumerate() {
    ///     let session = n as u32 + 1;
    ///     alliance.push(&Administration::builder(&wai).session(session)
    ///         .answers((1..=12).map(|i| (i.to_string(), f64::from(a))))?.build()?)?;
    ///     outcome.push(&Administration::builder(&phq9).session(session)
    ///         .answers((1..=9).map(|i| (i.to_string(), f64::from(p))))?.build()?)?;
    /// }
    /// let svg = PlotOptions::new().outcome(OutcomePanel::series(&outcome)?).svg(&alliance)?;
    /// // The total and the three components, then the PHQ-9 line.
    /// assert_eq!(svg.matches("class=\"line\"").count(), 5);
    /// assert_eq!(svg.matches("class=\"sudden-gain\"").count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn svg(&self, series: &Series) -> Result<String> {
        let inst = series.instrument();
        let targets = self.resolve_targets(inst)?;
        if let Some(outcome) = &self.outcome
            && let (Some(mine), Some(theirs)) = (series.client(), outcome.client.as_deref())
            && mine != theirs
        {
            return Err(ErrorKind::InvalidSeries {
                session: None,
                reason: format!(
                    "the outcome series is of client {theirs:?}, but the alliance series is of client {mine:?}"
                ),
            }
            .into());
        }
        let sessions: Vec<u32> = series.sessions().iter().map(|s| s.session()).collect();

        // The alliance lines.
        let mut other_colours = OTHER_COLOURS.iter().cycle();
        let mut lines = Vec::with_capacity(targets.len());
        for (target, slot) in &targets {
            let values = series.values(target.clone(), self.metric);
            let points = sessions
                .iter()
                .zip(&values)
                .filter_map(|(&s, v)| v.map(|v| (f64::from(s), v)))
                .collect();
            let component = match slot {
                Slot::Subscale(i) => inst.subscales().get(*i).and_then(|s| s.component()),
                Slot::Total => None,
            };
            let (colour, width) = match (slot, component) {
                (Slot::Total, _) => (TOTAL_COLOUR, 2.6),
                (_, Some(c)) => (component_colour(c), 2.0),
                (_, None) => (other_colours.next().copied().unwrap_or(TOTAL_COLOUR), 2.0),
            };
            lines.push(Line {
                target: target_name(inst, *slot),
                label: target_label(inst, *slot),
                colour,
                width,
                points,
            });
        }

        let mut alliance = Panel {
            id: "alliance",
            axis: format!("{} ({})", short_name(inst), self.metric.label()),
            range: fixed_range(inst, &targets, self.metric),
            lines,
            rules: match self.thresholds {
                ThresholdLines::Shown => thresholds_on(inst, &targets, self.metric),
                ThresholdLines::Hidden => Vec::new(),
            },
            dips: Vec::new(),
            marks: Vec::new(),
            shifts: Vec::new(),
            notes: Vec::new(),
        };
        if let Some((target, slot)) = targets.first() {
            self.mark_ruptures(series, target, *slot, &sessions, &mut alliance)?;
        }
        let outcome = self.outcome.as_ref().map(outcome_panel);

        let (width, height) = self.size.unwrap_or(if outcome.is_some() {
            (WIDTH, HEIGHT_WITH_OUTCOME)
        } else {
            (WIDTH, HEIGHT)
        });
        let title = match &self.title {
            Some(t) => t.clone(),
            None => match series.client() {
                Some(c) => format!("{}: client {c}", inst.name()),
                None => inst.name().to_owned(),
            },
        };
        let mut x_values: Vec<f64> = sessions.iter().map(|&s| f64::from(s)).collect();
        if let Some(o) = &outcome {
            x_values.extend(o.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
        }
        Ok(draw(
            (width, height),
            &title,
            &x_values,
            &alliance,
            outcome.as_ref(),
        ))
    }

    /// The targets drawn, each once, with their slots.
    fn resolve_targets(&self, inst: &Instrument) -> Result<Vec<(Target, Slot)>> {
        let has_total = inst.total_rule() != TotalRule::None;
        let total = has_total.then_some((Target::Total, Slot::Total));
        let subscale = |i: usize| {
            inst.subscales().get(i).map(|s| match s.component() {
                Some(c) => (Target::Component(c), Slot::Subscale(i)),
                None => (Target::Subscale(s.id().to_owned()), Slot::Subscale(i)),
            })
        };
        let mut out: Vec<(Target, Slot)> = match &self.targets {
            PlotTargets::TotalAndComponents => {
                let components: Vec<(Target, Slot)> = Component::ALL
                    .iter()
                    .filter_map(|&c| match inst.slot(&Target::Component(c)) {
                        Ok(slot) => Some((Target::Component(c), slot)),
                        Err(_) => None,
                    })
                    .collect();
                if components.is_empty() {
                    total
                        .into_iter()
                        .chain((0..inst.subscales().len()).filter_map(subscale))
                        .collect()
                } else {
                    total.into_iter().chain(components).collect()
                }
            }
            PlotTargets::All => total
                .into_iter()
                .chain((0..inst.subscales().len()).filter_map(subscale))
                .collect(),
            PlotTargets::Only(list) => {
                if list.is_empty() {
                    return Err(ErrorKind::InvalidOption {
                        option: "plot targets",
                        value: "none".to_owned(),
                        reason: "name at least one target to draw".to_owned(),
                    }
                    .into());
                }
                let mut out = Vec::with_capacity(list.len());
                for t in list {
                    out.push((t.clone(), inst.slot(t)?));
                }
                out
            }
        };
        let mut seen = Vec::with_capacity(out.len());
        out.retain(|(_, slot)| {
            let fresh = !seen.contains(slot);
            seen.push(*slot);
            fresh
        });
        Ok(out)
    }

    /// Shades, marks and notes the ruptures of the first line drawn.
    fn mark_ruptures(
        &self,
        series: &Series,
        target: &Target,
        slot: Slot,
        sessions: &[u32],
        panel: &mut Panel,
    ) -> Result<()> {
        let found = match &self.ruptures {
            PlotRuptures::None => return Ok(()),
            PlotRuptures::Detect(_) if series.instrument().better() != crate::Better::Higher => {
                // A dip on a symptom measure is an improvement, not a rupture.
                return Ok(());
            }
            // A rule in SDs without a floor of its own gets the session monitor's.
            PlotRuptures::Detect(rule) => match rule
                .floored_to_range(
                    series.instrument(),
                    target,
                    crate::change::DEFAULT_RUPTURE_FLOOR,
                )
                .analyze(series, target.clone())
            {
                Ok(found) => found,
                Err(e) if matches!(e.kind(), ErrorKind::TooFewRows { .. }) => {
                    panel.notes.push(format!("Ruptures: {}.", rule_text(rule)));
                    panel
                        .notes
                        .push("Too few scored sessions to look for ruptures.".to_owned());
                    return Ok(());
                }
                Err(e) => return Err(e),
            },
            PlotRuptures::Given(found) => found.clone(),
        };
        let values = series.values(target.clone(), self.metric);
        let scored: Vec<(u32, f64)> = sessions
            .iter()
            .zip(&values)
            .filter_map(|(&s, v)| v.map(|v| (s, v)))
            .collect();
        let at = |session: u32| -> Result<f64> {
            match scored.binary_search_by_key(&session, |p| p.0) {
                Ok(i) => Ok(scored.get(i).map_or(0.0, |p| p.1)),
                Err(_) => Err(ErrorKind::InvalidSeries {
                    session: Some(session),
                    reason: format!(
                        "a rupture given names this session, which the series {} on {}",
                        if sessions.contains(&session) {
                            "does not score"
                        } else {
                            "does not have"
                        },
                        target_name(series.instrument(), slot)
                    ),
                }
                .into()),
            }
        };
        let name = target_name(series.instrument(), slot);
        for r in &found.ruptures {
            at(r.start)?;
            let onset_y = at(r.onset)?;
            // The dip runs from the last session at the level to the repair, or to the session
            // that ended it (or the last one below the level, at the end of the series).
            let end = match &r.repair {
                Some(rep) => {
                    let y = at(rep.session)?;
                    panel.marks.push(Mark {
                        kind: MarkKind::Repair,
                        x: f64::from(rep.session),
                        y,
                        session: u64::from(rep.session),
                        tip: format!(
                            "Repair at session {}: back to the level of session {}, {} session{} after the onset",
                            rep.session,
                            r.start,
                            rep.sessions_after_onset,
                            plural(u64::from(rep.sessions_after_onset))
                        ),
                    });
                    rep.session
                }
                None => {
                    let after: Vec<u32> = scored
                        .iter()
                        .map(|p| p.0)
                        .filter(|&s| s > r.start)
                        .take(
                            usize::try_from(r.length)
                                .unwrap_or(usize::MAX)
                                .saturating_add(1),
                        )
                        .collect();
                    after.last().copied().unwrap_or(r.onset)
                }
            };
            panel.dips.push(Dip {
                from: f64::from(r.start),
                to: f64::from(end.max(r.onset)),
                session: u64::from(r.onset),
            });
            panel.marks.push(Mark {
                kind: MarkKind::Onset,
                x: f64::from(r.onset),
                y: onset_y,
                session: u64::from(r.onset),
                tip: format!(
                    "Rupture onset at session {}: {} fell {} below its level at session {}{}",
                    r.onset,
                    name,
                    Num(round2(r.depth)),
                    r.start,
                    if r.repair.is_some() {
                        ""
                    } else {
                        "; not repaired"
                    }
                ),
            });
        }
        panel
            .notes
            .push(format!("Ruptures: {}.", rule_text(&found.rule)));
        let repaired = found.ruptures.iter().filter(|r| r.repair.is_some()).count();
        panel.notes.push(match found.ruptures.len() {
            0 => "No rupture found.".to_owned(),
            all => format!("{}, {repaired} repaired.", count(all, "rupture")),
        });
        Ok(())
    }
}

/// A panel ready to draw, in data units.
#[derive(Debug)]
struct Panel {
    id: &'static str,
    axis: String,
    /// The value range the axis must show, if known (an instrument's score range).
    range: Option<(f64, f64)>,
    lines: Vec<Line>,
    rules: Vec<Rule>,
    dips: Vec<Dip>,
    marks: Vec<Mark>,
    /// Sudden shifts from session N to N+1, highlighted.
    shifts: Vec<Shift>,
    /// Small print under the legend.
    notes: Vec<String>,
}

#[derive(Debug)]
struct Line {
    target: String,
    label: String,
    colour: &'static str,
    width: f64,
    points: Vec<(f64, f64)>,
}

/// A sudden shift: from (session N, score) to (session N+1, score), a gain or a loss.
#[derive(Debug, Clone, Copy)]
struct Shift {
    from: (f64, f64),
    to: (f64, f64),
    gain: bool,
}

#[derive(Debug)]
struct Dip {
    from: f64,
    to: f64,
    session: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    Onset,
    Repair,
    Gain,
    Loss,
}

impl MarkKind {
    fn class(self) -> &'static str {
        match self {
            MarkKind::Onset => "rupture-onset",
            MarkKind::Repair => "rupture-repair",
            MarkKind::Gain => "sudden-gain",
            MarkKind::Loss => "sudden-loss",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            MarkKind::Onset | MarkKind::Loss => ONSET_COLOUR,
            MarkKind::Repair | MarkKind::Gain => REPAIR_COLOUR,
        }
    }

    fn legend(self) -> &'static str {
        match self {
            MarkKind::Onset => "rupture onset",
            MarkKind::Repair => "repair",
            MarkKind::Gain => "sudden gain",
            MarkKind::Loss => "sudden loss",
        }
    }
}

#[derive(Debug)]
struct Mark {
    kind: MarkKind,
    x: f64,
    y: f64,
    session: u64,
    tip: String,
}

/// The outcome panel in data units, its sudden shifts found.
fn outcome_panel(o: &OutcomePanel) -> Panel {
    let first = f64::from(o.first_session);
    let points: Vec<(f64, f64)> = (0u32..)
        .zip(o.scores.scores())
        .filter_map(|(i, v)| v.map(|v| (first + f64::from(i), v)))
        .collect();
    let mut panel = Panel {
        id: "outcome",
        axis: o.axis.clone(),
        range: o.range,
        lines: vec![Line {
            target: "outcome".to_owned(),
            label: o.label.clone(),
            colour: OUTCOME_COLOUR,
            width: 2.2,
            points,
        }],
        rules: o.thresholds.clone(),
        dips: Vec::new(),
        marks: Vec::new(),
        shifts: Vec::new(),
        notes: Vec::new(),
    };
    let (options, kinds): (&SuddenOptions, &[SuddenKind]) = match &o.sudden {
        SuddenMarks::None => return panel,
        SuddenMarks::Gains(opt) => (opt, &[SuddenKind::Gain]),
        SuddenMarks::Losses(opt) => (opt, &[SuddenKind::Loss]),
        SuddenMarks::GainsAndLosses(opt) => (opt, &[SuddenKind::Gain, SuddenKind::Loss]),
    };
    let scores = [o.scores.clone().starting_at(o.first_session)];
    let mut counts = Vec::new();
    for &kind in kinds {
        let analysis = options.analyze_series(kind, &scores);
        let gain = kind == SuddenKind::Gain;
        let mark = if gain { MarkKind::Gain } else { MarkKind::Loss };
        counts.push(count(
            analysis.count(),
            if gain { "sudden gain" } else { "sudden loss" },
        ));
        for e in analysis.events() {
            // u32 session numbers and at most u32::MAX scores: exact in f64.
            let n = e.session as f64;
            let before = e.scores.n.map(|v| (n, v));
            let after = e.scores.n_plus_1.map(|v| (n + 1.0, v));
            if let (Some(b), Some(a)) = (before, after) {
                panel.shifts.push(Shift {
                    from: b,
                    to: a,
                    gain,
                });
            }
            let Some((x, y)) = after.or(before) else {
                continue;
            };
            let size = e
                .magnitude
                .map_or_else(String::new, |m| format!(" of {}", Num(round2(m))));
            panel.marks.push(Mark {
                kind: mark,
                x,
                y,
                session: e.session.saturating_add(1),
                tip: format!(
                    "{}{size} from session {} to {}{}",
                    if gain { "Sudden gain" } else { "Sudden loss" },
                    e.session,
                    e.session.saturating_add(1),
                    if e.reversal { " (reversed later)" } else { "" }
                ),
            });
        }
    }
    let mut rule = String::from(match kinds {
        [SuddenKind::Gain] => "Sudden gains",
        [SuddenKind::Loss] => "Sudden losses",
        _ => "Sudden gains and losses",
    });
    rule.push_str(" (Tang & DeRubeis): a change");
    let mut criteria = Vec::new();
    if let Some(c) = options.cutoff_value() {
        criteria.push(format!(" of at least {} points", Num(c)));
    }
    if let Some(f) = options.relative_fraction() {
        criteria.push(format!(
            " of at least {}% of the score",
            Num(round2(f * 100.0))
        ));
    }
    rule.push_str(&criteria.join(" and"));
    if options.critical_value_rule().is_some() {
        rule.push_str(if criteria.is_empty() {
            " in the mean"
        } else {
            ", and a shift in the mean"
        });
    }
    rule.push('.');
    panel.notes.push(rule);
    panel.notes.push(format!("{}.", counts.join(", ")));
    panel
}

/// The instrument's thresholds on the targets drawn, in `metric`.
fn thresholds_on(inst: &Instrument, targets: &[(Target, Slot)], metric: Metric) -> Vec<Rule> {
    let mut rules = Vec::new();
    for t in inst.thresholds() {
        let Ok(slot) = inst.slot(t.target()) else {
            continue;
        };
        if !targets.iter().any(|(_, s)| *s == slot) {
            continue;
        }
        let Some(value) = convert_value(inst, slot, t.value(), t.metric(), metric) else {
            continue;
        };
        let symbol = match t.comparison() {
            Comparison::Below => "<",
            Comparison::AtOrBelow => "≤",
            Comparison::Above => ">",
            Comparison::AtOrAbove => "≥",
        };
        rules.push(Rule {
            value,
            target: target_name(inst, slot),
            text: if t.metric() == metric {
                format!("{} {symbol} {}", target_label(inst, slot), Num(t.value()))
            } else {
                format!(
                    "{} {symbol} {} {} (= {})",
                    target_label(inst, slot),
                    Num(t.value()),
                    t.metric().name(),
                    in_metric(round2(value), metric)
                )
            },
            message: t.message().to_owned(),
        });
    }
    rules
}

/// A value with its metric's unit: `90%` (of maximum), `36 sum`, `3.2 mean`.
fn in_metric(value: f64, metric: Metric) -> String {
    match metric {
        Metric::Pomp => format!("{}%", Num(value)),
        other => format!("{} {}", Num(value), other.name()),
    }
}

/// A score of `slot` in metric `from` as metric `to`: each metric is linear in the others.
fn convert_value(
    inst: &Instrument,
    slot: Slot,
    value: f64,
    from: Metric,
    to: Metric,
) -> Option<f64> {
    if from == to {
        return Some(value);
    }
    let a = inst.slot_range(slot, from);
    let b = inst.slot_range(slot, to);
    let span = a.max() - a.min();
    (span > 0.0).then(|| b.min() + (value - a.min()) / span * (b.max() - b.min()))
}

/// An amount of change on the total in metric `from` as metric `to`.
fn convert_amount(inst: &Instrument, points: f64, from: Metric, to: Metric) -> Option<f64> {
    let zero = convert_value(inst, Slot::Total, 0.0, from, to)?;
    let moved = convert_value(inst, Slot::Total, points, from, to)?;
    Some(moved - zero)
}

/// The range of scores the targets can take in `metric`: from the lowest minimum to the
/// highest maximum.
fn fixed_range(
    inst: &Instrument,
    targets: &[(Target, Slot)],
    metric: Metric,
) -> Option<(f64, f64)> {
    targets
        .iter()
        .map(|(_, slot)| inst.slot_range(*slot, metric))
        .map(|r| (r.min(), r.max()))
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

fn component_colour(c: Component) -> &'static str {
    match c {
        Component::Goals => COMPONENT_COLOURS[0],
        Component::Collaboration => COMPONENT_COLOURS[1],
        Component::Bond => COMPONENT_COLOURS[2],
    }
}

/// The target's text form: `total`, a component name or a subscale id.
fn target_name(inst: &Instrument, slot: Slot) -> String {
    match slot {
        Slot::Total => "total".to_owned(),
        Slot::Subscale(i) => inst.subscales().get(i).map_or_else(String::new, |s| {
            s.component()
                .map_or_else(|| s.id().to_owned(), |c| c.name().to_owned())
        }),
    }
}

/// The target as a legend names it: `Total`, or the subscale's label with the component it
/// measures when the label does not say (`Task (collaboration)`).
fn target_label(inst: &Instrument, slot: Slot) -> String {
    match slot {
        Slot::Total => "Total".to_owned(),
        Slot::Subscale(i) => {
            inst.subscales()
                .get(i)
                .map_or_else(String::new, |s| match s.component() {
                    Some(c)
                        if !s
                            .label()
                            .to_lowercase()
                            .contains(c.name().trim_end_matches('s')) =>
                    {
                        format!("{} ({})", s.label(), c.name())
                    }
                    _ => s.label().to_owned(),
                })
        }
    }
}

/// The instrument's short name: the abbreviation its name ends with in parentheses
/// ("... (PHQ-9)"), else its name.
fn short_name(inst: &Instrument) -> String {
    let name = inst.name();
    name.strip_suffix(')')
        .and_then(|n| n.rsplit_once('('))
        .map(|(_, abbr)| abbr.split(',').next().unwrap_or(abbr).trim())
        .filter(|abbr| !abbr.is_empty())
        .unwrap_or(name)
        .to_owned()
}

fn rule_text(rule: &RuptureOptions) -> String {
    use crate::change::{RuptureSize, SdSource};
    let size = match rule.size() {
        RuptureSize::Points(p) => format!("a drop of {} points", Num(p)),
        RuptureSize::Sd { multiple, source } => match source {
            SdSource::Own => format!("a drop of {} SD of the client's scores", Num(multiple)),
            SdSource::Sample(s) => {
                format!("a drop of {} × the sample SD ({})", Num(multiple), Num(s))
            }
            SdSource::LargerOf(s) => format!(
                "a drop of {} × the larger of the client's SD and {}",
                Num(multiple),
                Num(s)
            ),
        },
    };
    let floor = rule.floor().map_or_else(String::new, |f| {
        format!(" (at least {} points)", Num((f * 100.0).round() / 100.0))
    });
    format!(
        "{size}{floor}, back to the level within {} session{}",
        rule.window(),
        plural(u64::from(rule.window()))
    )
}

/// `1 rupture`, `3 sudden gains`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n as u64))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

// --- Drawing -------------------------------------------------------------------------------

/// Pixel geometry of one panel's plotting area.
#[derive(Debug, Clone, Copy)]
struct Area {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Area {
    fn bottom(&self) -> f64 {
        self.top + self.height
    }

    fn right(&self) -> f64 {
        self.left + self.width
    }
}

/// A linear map from data to pixels.
#[derive(Debug, Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn map(&self, v: f64) -> f64 {
        let span = self.hi - self.lo;
        if span > 0.0 {
            self.from + (v - self.lo) / span * (self.to - self.from)
        } else {
            (self.from + self.to) / 2.0
        }
    }
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
struct Font {
    class: &'static str,
    size: f64,
    anchor: &'static str,
    colour: &'static str,
    bold: bool,
}

const fn font(class: &'static str, size: f64, anchor: &'static str, colour: &'static str) -> Font {
    Font {
        class,
        size,
        anchor,
        colour,
        bold: false,
    }
}

const TITLE: Font = Font {
    bold: true,
    ..font("title", 17.0, "start", TEXT_COLOUR)
};
const AXIS_TITLE: Font = font("axis-title", 12.5, "middle", TEXT_COLOUR);
const Y_TICK: Font = font("tick-label", 11.0, "end", TEXT_COLOUR);
const X_TICK: Font = font("tick-label", 11.0, "middle", TEXT_COLOUR);
const LEGEND: Font = font("legend-label", 12.0, "start", TEXT_COLOUR);
const LEGEND_NOTE: Font = font("legend-note", 10.5, "start", NOTE_COLOUR);
const EMPTY: Font = font("empty-note", 13.0, "middle", NOTE_COLOUR);
/// A rough width of one character of a sans-serif font, as a fraction of its size.
const CHAR_WIDTH: f64 = 0.56;

/// How a line is stroked.
#[derive(Debug, Clone, Copy)]
struct Stroke {
    class: &'static str,
    colour: &'static str,
    width: f64,
    dash: Option<&'static str>,
}

const fn stroke(class: &'static str, colour: &'static str, width: f64) -> Stroke {
    Stroke {
        class,
        colour,
        width,
        dash: None,
    }
}

const GRID: Stroke = stroke("grid", GRID_COLOUR, 1.0);
const AXIS: Stroke = stroke("axis", AXIS_COLOUR, 1.0);
const TICK: Stroke = stroke("tick", AXIS_COLOUR, 1.0);
const THRESHOLD_DASH: &str = "7 4";
const LEGEND_THRESHOLD: Stroke = Stroke {
    dash: Some(THRESHOLD_DASH),
    ..stroke("legend-threshold", THRESHOLD_COLOUR, 1.6)
};

/// Draws the whole picture: the title, the alliance panel, the outcome panel if any, and the
/// session axis they share.
fn draw(
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
    let plot_width = (w - left - legend_width - 16.0).max(40.0);
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
    let x_ticks = ticks(
        lo,
        hi,
        nice_step(hi - lo, (plot_width / 64.0).max(2.0)).max(1.0),
    );

    let mut svg = Svg(String::new());
    let _ = writeln!(
        svg.0,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" \
         font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
    );
    let _ = writeln!(svg.0, "<title>{}</title>", esc(title));
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

/// What the panels share: the session axis and where the legends go.
struct Frame<'a> {
    x: Scale,
    x_ticks: &'a [f64],
    legend_x: f64,
    canvas_width: f64,
}

impl Frame<'_> {
    /// Draws one panel in `area`; `session_labels` for the lowest, which labels the sessions.
    fn panel(&self, svg: &mut Svg, panel: &Panel, area: Area, session_labels: bool) {
        let x = self.x;
        let (y, y_ticks, decimals) = value_axis(panel, area);
        let _ = writeln!(svg.0, "<g class=\"panel\" id=\"{}-panel\">", panel.id);
        let _ = writeln!(
            svg.0,
            "<rect class=\"plot-area\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fcfcfc\"/>",
            n(area.left),
            n(area.top),
            n(area.width),
            n(area.height)
        );
        for &t in &y_ticks {
            svg.line((area.left, y.map(t)), (area.right(), y.map(t)), GRID);
        }
        for &t in self.x_ticks {
            svg.line((x.map(t), area.top), (x.map(t), area.bottom()), GRID);
        }
        // Dips under everything else.
        for d in &panel.dips {
            let (x0, x1) = (x.map(d.from), x.map(d.to));
            let _ = writeln!(
                svg.0,
                "<rect class=\"rupture-dip\" data-session=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" \
                 height=\"{}\" fill=\"{ONSET_COLOUR}\" fill-opacity=\"0.12\"/>",
                d.session,
                n(x0.min(x1)),
                n(area.top),
                n((x1 - x0).abs().max(2.0)),
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
        for &t in &y_ticks {
            let py = y.map(t);
            svg.line((area.left - 4.0, py), (area.left, py), TICK);
            svg.text(
                area.left - 7.0,
                py + Y_TICK.size * 0.35,
                Y_TICK,
                &tick_label(t, decimals),
            );
        }
        for &t in self.x_ticks {
            let px = x.map(t);
            svg.line((px, area.bottom()), (px, area.bottom() + 4.0), TICK);
            if session_labels {
                svg.text(px, area.bottom() + 16.0, X_TICK, &tick_label(t, 0));
            }
        }
        // The value axis title, turned to read upwards.
        let (tx, ty) = (n(20.0), n(area.top + area.height / 2.0));
        let _ = writeln!(
            svg.0,
            "<text class=\"axis-title\" x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"{}\" \
             fill=\"{TEXT_COLOUR}\" transform=\"rotate(-90 {tx} {ty})\">{}</text>",
            n(AXIS_TITLE.size),
            esc(&fit(
                &panel.axis,
                chars_fitting(area.height, AXIS_TITLE.size)
            ))
        );
        for r in &panel.rules {
            let py = n(y.map(r.value));
            let _ = writeln!(
                svg.0,
                "<line class=\"threshold\" data-target=\"{}\" x1=\"{}\" y1=\"{py}\" x2=\"{}\" y2=\"{py}\" \
                 stroke=\"{THRESHOLD_COLOUR}\" stroke-width=\"1.6\" stroke-dasharray=\"{THRESHOLD_DASH}\">\
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
            let colour = if gain { REPAIR_COLOUR } else { ONSET_COLOUR };
            let _ = writeln!(
                svg.0,
                "<line class=\"sudden-shift\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" \
                 stroke-width=\"9\" stroke-opacity=\"0.3\" stroke-linecap=\"round\"/>",
                n(x.map(from.0)),
                n(y.map(from.1)),
                n(x.map(to.0)),
                n(y.map(to.1))
            );
        }
        // The lines, the first (the total) last so that it stays on top; dots while they fit.
        let most = panel
            .lines
            .iter()
            .map(|l| l.points.len())
            .max()
            .unwrap_or(0);
        let dots = (most as f64) <= area.width / 6.0;
        for line in panel.lines.iter().skip(1).chain(panel.lines.first()) {
            draw_line(svg, line, x, y, dots);
        }
        for m in &panel.marks {
            let _ = writeln!(
                svg.0,
                "<path class=\"{}\" data-session=\"{}\" d=\"{}\" fill=\"{}\" stroke=\"#ffffff\" \
                 stroke-width=\"1.2\"><title>{}</title></path>",
                m.kind.class(),
                m.session,
                marker_path(m.kind, x.map(m.x), y.map(m.y)),
                m.kind.colour(),
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
        for line in &panel.lines {
            let label = if line.points.is_empty() {
                format!("{} (no scores)", line.label)
            } else {
                line.label.clone()
            };
            let key = Stroke {
                class: "legend-line",
                colour: line.colour,
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
        if !panel.dips.is_empty() {
            entry(svg, &mut y, &[("rupture (dip)", LEGEND)], &|svg, cy| {
                let _ = writeln!(
                    svg.0,
                    "<rect class=\"legend-dip\" x=\"{}\" y=\"{}\" width=\"22\" height=\"{}\" \
                     fill=\"{ONSET_COLOUR}\" fill-opacity=\"0.12\"/>",
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
                    kind.colour()
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

/// The panel's value scale, its ticks and their decimals: the instrument's range if known,
/// else the data's rounded out to whole steps, always with the thresholds.
fn value_axis(panel: &Panel, area: Area) -> (Scale, Vec<f64>, usize) {
    let data = panel
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .chain(panel.rules.iter().map(|r| r.value));
    let (mut lo, mut hi) = panel.range.unwrap_or((f64::INFINITY, f64::NEG_INFINITY));
    for v in data {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= 0.0 {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let step = nice_step(hi - lo, (area.height / 40.0).clamp(2.0, 10.0));
    if panel.range.is_none() {
        lo = (lo / step).floor() * step;
        hi = (hi / step).ceil() * step;
    }
    let pad = (hi - lo) * 0.04;
    let scale = Scale {
        lo: lo - pad,
        hi: hi + pad,
        from: area.bottom(),
        to: area.top,
    };
    (scale, ticks(lo, hi, step), decimals_for(step))
}

/// One line: a path through its scored sessions, and a dot at each if `dots`.
fn draw_line(svg: &mut Svg, line: &Line, x: Scale, y: Scale, dots: bool) {
    if line.points.is_empty() {
        return;
    }
    let target = esc(&line.target);
    let _ = write!(
        svg.0,
        "<g class=\"series\" data-target=\"{target}\">\n<path class=\"line\" data-target=\"{target}\" \
         fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\" \
         stroke-linecap=\"round\" d=\"",
        line.colour,
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
                line.colour
            );
        }
    }
    svg.0.push_str("</g>\n");
}

/// A marker's outline around (x, y): a downward triangle for a rupture onset and a sudden
/// loss, an upward one for a repair, a diamond for a sudden gain.
fn marker_path(kind: MarkKind, x: f64, y: f64) -> String {
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

/// The SVG text being written.
#[derive(Debug)]
struct Svg(String);

impl Svg {
    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), s: Stroke) {
        let _ = write!(
            self.0,
            "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"",
            s.class,
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            s.colour,
            n(s.width)
        );
        if let Some(d) = s.dash {
            let _ = write!(self.0, " stroke-dasharray=\"{d}\"");
        }
        self.0.push_str("/>\n");
    }

    fn text(&mut self, x: f64, y: f64, f: Font, content: &str) {
        let _ = writeln!(
            self.0,
            "<text class=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\" fill=\"{}\"{}>{}</text>",
            f.class,
            n(x),
            n(y),
            f.anchor,
            n(f.size),
            f.colour,
            if f.bold { " font-weight=\"bold\"" } else { "" },
            esc(content)
        );
    }
}

/// A coordinate with at most two decimals, no trailing zeros.
fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// A step of 1, 2 or 5 times a power of ten giving at most about `count` intervals over `span`.
fn nice_step(span: f64, count: f64) -> f64 {
    let raw = span / count.max(1.0);
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// The multiples of `step` from `lo` to `hi` (at most 100).
fn ticks(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let mut out = Vec::new();
    if !(step > 0.0 && lo.is_finite() && hi.is_finite()) {
        return out;
    }
    let mut k = (lo / step - 1e-9).ceil();
    while out.len() < 100 {
        let t = k * step;
        if t > hi + step * 1e-9 {
            break;
        }
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        k += 1.0;
    }
    out
}

/// Decimals enough to tell ticks `step` apart (at most 9).
fn decimals_for(step: f64) -> usize {
    if step >= 1.0 || step.is_nan() || step <= 0.0 {
        return 0;
    }
    let d = (-step.log10()).ceil();
    if d >= 9.0 { 9 } else { d as usize }
}

/// A tick's label, with a true minus sign and never `-0`.
fn tick_label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// How many characters of a font of `size` fit in `width` pixels (roughly).
fn chars_fitting(width: f64, size: f64) -> usize {
    let c = (width / (size * CHAR_WIDTH)).floor();
    if c >= 1.0 { c as usize } else { 1 }
}

/// `text` cut to `max` characters, ending with an ellipsis if cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// `text` broken into lines of at most `max` characters at spaces (a longer word is cut).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > max {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.into_iter().map(|l| fit(&l, max)).collect()
}

/// `text` wrapped to at most `lines` lines of `max` characters, the last cut short if need be.
fn wrap_lines(text: &str, max: usize, lines: usize) -> Vec<String> {
    let mut out = wrap(text, max);
    if out.len() > lines {
        let rest = out.split_off(lines.saturating_sub(1)).join(" ");
        out.push(fit(&rest, max));
    }
    out
}

/// Text escaped for XML content and attribute values, without the characters XML 1.0 cannot
/// carry (C0 controls other than tab and line breaks, C1 controls, U+FFFE, U+FFFF); tabs and
/// line breaks become spaces.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_ticks_stay_small_and_round() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(9.0, 10.0), 1.0);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
        assert_eq!(
            ticks(0.0, 100.0, 20.0),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert!(ticks(0.0, 1e300, 1e-300).len() <= 100);
        assert_eq!(tick_label(-0.0, 0), "0");
        assert_eq!(tick_label(-2.0, 0), "−2");
        assert_eq!(n(12.50), "12.5");
        assert_eq!(n(-0.001), "0");
    }

    #[test]
    fn text_is_escaped_and_cut() {
        assert_eq!(esc("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
    }
}
