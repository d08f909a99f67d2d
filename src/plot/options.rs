//! What to draw: the public options of the `plot` module and the outcome panel.

use crate::change::{RuptureOptions, Ruptures, ScoreSeries, Series, SuddenOptions};
use crate::components::Target;
use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use crate::instruments::{Instrument, Slot};
use crate::scoring::Metric;

use super::draw::draw;
use super::layout::nice_step;
use super::panel::{
    Line, LineStyle, Panel, Rule, Units, component_color, convert_amount, fixed_range,
    outcome_panel, short_name, target_label, target_name, thresholds_on,
};
use super::style::{OTHER_COLORS, TOTAL_COLOR};

/// The default width of the picture, in pixels.
pub(super) const WIDTH: u32 = 800;
/// The default height of the picture without an outcome panel.
pub(super) const HEIGHT: u32 = 460;
/// The default height of the picture with an outcome panel.
pub(super) const HEIGHT_WITH_OUTCOME: u32 = 760;
/// The smallest width and height [`PlotOptions::size`] takes.
pub(super) const MIN_SIZE: (u32, u32) = (400, 300);
/// The largest width and height [`PlotOptions::size`] takes.
pub(super) const MAX_SIZE: u32 = 10_000;
/// The largest score magnitude an outcome panel draws.
pub(super) const MAX_OUTCOME: f64 = 1e9;

/// Which scores of the alliance series are drawn, one line each.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component};
/// use therapeutic_alliance::change::Series;
/// use therapeutic_alliance::plot::{PlotOptions, PlotTargets};
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
    TotalAndComponents,
    /// The total (if any) and every subscale, in the instrument's order (the SRS's four lines
    /// including `Overall`, which measures no single component). The default.
    #[default]
    All,
    /// These targets, in this order (each once).
    Only(Vec<Target>),
}

/// Which ruptures and repairs are marked on the first line drawn (the total, by default).
///
/// ```
/// use therapeutic_alliance::change::RuptureOptions;
/// use therapeutic_alliance::plot::{PlotOptions, PlotRuptures};
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

/// The value axis of the alliance panel: in which metric the scores are drawn and over which
/// range.
///
/// The default, [`PlotAxis::Fitted`], fits the instrument:
/// - when every score drawn has the same range in the instrument's primary metric (the
///   WAI-SR's subscales alone, any total alone), one axis in that metric over that range;
/// - when the subscales share a range and the total has another (the SRS: each line 0-10, the
///   total 0-40; the WAI-SR: subscales 4-20, total 12-60), the full range with two axes: the
///   total's scores on the left, the subscales' on the right, at the same heights (each score
///   sits at its percent of maximum, which both axes label in their own units);
/// - otherwise (subscales of different lengths), percent of maximum zoomed to the data and the
///   thresholds ([`PlotAxis::Zoomed`]).
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Metric};
/// use therapeutic_alliance::change::Series;
/// use therapeutic_alliance::plot::{PlotAxis, PlotOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).session(1)
///     .answers([("1", 8.0), ("2", 7.0), ("3", 9.0), ("4", 8.0)])?.build()?;
/// let series = Series::from_administrations([adm])?;
/// let svg = PlotOptions::new().svg(&series)?;
/// // The total in points on the left (0-40), each line's points on the right (0-10).
/// assert!(svg.contains(">40</text>") && svg.contains("class=\"axis-title right\""));
/// let zoomed = PlotOptions::new().axis(PlotAxis::Zoomed(Metric::Pomp)).svg(&series)?;
/// assert!(!zoomed.contains(">0</text>"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PlotAxis {
    /// Fitted to the instrument (see [`PlotAxis`]).
    #[default]
    Fitted,
    /// This metric over the full range of the scores drawn.
    Full(Metric),
    /// This metric zoomed to the data and the thresholds drawn: their lowest and highest
    /// value rounded out to round steps, spanning at least a fifth of the full range, never
    /// beyond it.
    Zoomed(Metric),
}

/// Whether the instrument's thresholds are drawn.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::Series;
/// use therapeutic_alliance::plot::{PlotOptions, ThresholdLines};
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
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::SuddenOptions;
/// use therapeutic_alliance::plot::SuddenMarks;
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
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::Series;
/// use therapeutic_alliance::plot::OutcomePanel;
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
    pub(super) label: String,
    pub(super) axis: String,
    pub(super) client: Option<String>,
    pub(super) first_session: u32,
    pub(super) scores: ScoreSeries,
    pub(super) range: Option<(f64, f64)>,
    pub(super) thresholds: Vec<Rule>,
    pub(super) sudden: SuddenMarks,
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
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::Series;
    /// use therapeutic_alliance::plot::OutcomePanel;
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
        let thresholds = thresholds_on(inst, &[(Target::Total, Slot::Total)], metric, metric);
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
    /// for a missed session), labeled `label`. No sudden shifts are marked until
    /// [`sudden`](OutcomePanel::sudden) says which.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] for an empty label or one with control, invisible or
    /// bidirectional characters; [`ErrorKind::InvalidOption`] for a score beyond ±1e9, which
    /// cannot be drawn on a readable axis.
    ///
    /// ```
    /// use therapeutic_alliance::change::ScoreSeries;
    /// use therapeutic_alliance::plot::OutcomePanel;
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
                return Err(ErrorKind::InvalidOption {
                    option: "outcome score",
                    value: crate::error::Num(v).to_string(),
                    reason: format!(
                        "score {} is beyond ±1e9, too large to plot",
                        i.saturating_add(1)
                    ),
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SuddenOptions};
    /// use therapeutic_alliance::plot::{OutcomePanel, SuddenMarks};
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
    /// use therapeutic_alliance::change::ScoreSeries;
    /// use therapeutic_alliance::plot::OutcomePanel;
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
    /// use therapeutic_alliance::change::ScoreSeries;
    /// use therapeutic_alliance::plot::{OutcomePanel, SuddenMarks};
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
/// instrument and the client (when the series has a client id); the total and every subscale
/// ([`PlotTargets::All`]) on an axis fitted to the instrument ([`PlotAxis::Fitted`]: the SRS's
/// total 0-40 on the left and its lines 0-10 on the right, percent of maximum zoomed to the
/// data where subscales differ in range); every session labeled up to 20 sessions; the
/// instrument's thresholds ([`ThresholdLines::Shown`]); ruptures by
/// [`RuptureOptions::one_sd`], shaded from their onset; no outcome panel.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Metric};
/// use therapeutic_alliance::change::Series;
/// use therapeutic_alliance::plot::PlotOptions;
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
    pub(super) size: Option<(u32, u32)>,
    pub(super) title: Option<String>,
    pub(super) targets: PlotTargets,
    pub(super) axis: PlotAxis,
    pub(super) thresholds: ThresholdLines,
    pub(super) ruptures: PlotRuptures,
    pub(super) outcome: Option<OutcomePanel>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            size: None,
            title: None,
            targets: PlotTargets::default(),
            axis: PlotAxis::Fitted,
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
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::Series;
    /// use therapeutic_alliance::plot::PlotOptions;
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
    /// use therapeutic_alliance::plot::PlotOptions;
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
    /// use therapeutic_alliance::plot::PlotOptions;
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
    /// use therapeutic_alliance::Target;
    /// use therapeutic_alliance::plot::{PlotOptions, PlotTargets};
    ///
    /// let total_only = PlotOptions::new().targets(PlotTargets::Only(vec![Target::Total]));
    /// # let _ = total_only;
    /// ```
    #[must_use]
    pub fn targets(mut self, targets: PlotTargets) -> Self {
        self.targets = targets;
        self
    }

    /// The metric of the alliance panel over the full range of the scores drawn: the same as
    /// [`axis`](PlotOptions::axis) with [`PlotAxis::Full`]. Thresholds are converted to it;
    /// ruptures are still found in the instrument's primary metric and marked on the line where
    /// it is.
    ///
    /// ```
    /// use therapeutic_alliance::Metric;
    /// use therapeutic_alliance::plot::{PlotAxis, PlotOptions};
    ///
    /// let sums = PlotOptions::new().metric(Metric::Sum);
    /// assert_eq!(sums, PlotOptions::new().axis(PlotAxis::Full(Metric::Sum)));
    /// ```
    #[must_use]
    pub fn metric(mut self, metric: Metric) -> Self {
        self.axis = PlotAxis::Full(metric);
        self
    }

    /// The value axis of the alliance panel (default [`PlotAxis::Fitted`]).
    ///
    /// ```
    /// use therapeutic_alliance::Metric;
    /// use therapeutic_alliance::plot::{PlotAxis, PlotOptions};
    ///
    /// let zoomed = PlotOptions::new().axis(PlotAxis::Zoomed(Metric::Pomp));
    /// # let _ = zoomed;
    /// ```
    #[must_use]
    pub fn axis(mut self, axis: PlotAxis) -> Self {
        self.axis = axis;
        self
    }

    /// Whether thresholds are drawn (default [`ThresholdLines::Shown`]).
    ///
    /// ```
    /// use therapeutic_alliance::plot::{PlotOptions, ThresholdLines};
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
    /// use therapeutic_alliance::change::RuptureOptions;
    /// use therapeutic_alliance::plot::{PlotOptions, PlotRuptures};
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
    /// use therapeutic_alliance::change::ScoreSeries;
    /// use therapeutic_alliance::plot::{OutcomePanel, PlotOptions};
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
    /// `<rect class="rupture-dip">` from its onset (the session where the fall first reaches
    /// the threshold, [`Rupture::onset`](crate::change::Rupture); not the last session at the
    /// level) to its repair (or the end of the dip), a `class="rupture-onset"` marker at its
    /// onset and a
    /// `class="rupture-repair"` marker at its repair; sudden gains and losses on the outcome
    /// panel are `class="sudden-gain"` and `class="sudden-loss"` markers at session N+1. A
    /// `<title>` and a `<desc>` say what the picture shows. An empty series, or one without
    /// any score, draws the axes and says so.
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
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// use therapeutic_alliance::plot::{OutcomePanel, PlotOptions};
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
            // Never the ids themselves: an error ends up in logs and tickets.
            return Err(ErrorKind::InvalidSeries {
                session: None,
                reason: "the outcome series is of another client than the alliance series"
                    .to_owned(),
            }
            .into());
        }
        let sessions: Vec<u32> = series.sessions().iter().map(|s| s.session()).collect();
        let axis = fit_axis(self.axis, inst, &targets);

        // The alliance lines.
        let mut other_colors = OTHER_COLORS.iter().cycle();
        let mut lines = Vec::with_capacity(targets.len());
        for (target, slot) in &targets {
            let values = series.values(target.clone(), axis.metric);
            let points = sessions
                .iter()
                .zip(&values)
                .filter_map(|(&s, v)| v.map(|v| (f64::from(s), v)))
                .collect();
            let component = match slot {
                Slot::Subscale(i) => inst.subscales().get(*i).and_then(|s| s.component()),
                Slot::Total => None,
            };
            let (color, width) = match (slot, component) {
                (Slot::Total, _) => (TOTAL_COLOR, 2.6),
                (_, Some(c)) => (component_color(c), 2.0),
                (_, None) => (other_colors.next().copied().unwrap_or(TOTAL_COLOR), 2.0),
            };
            lines.push(Line {
                target: target_name(inst, *slot),
                label: target_label(inst, *slot),
                color,
                width,
                style: LineStyle::Main,
                points,
            });
        }

        let rules = match self.thresholds {
            ThresholdLines::Shown => thresholds_on(inst, &targets, axis.metric, axis.shown),
            ThresholdLines::Hidden => Vec::new(),
        };
        let full = fixed_range(inst, &targets, axis.metric);
        let range = if axis.zoomed {
            let values = lines
                .iter()
                .flat_map(|l| l.points.iter().map(|p| p.1))
                .chain(rules.iter().map(|r| r.value));
            zoomed_range(values, full)
        } else {
            full
        };
        let mut alliance = Panel {
            left: axis.left,
            right: axis.right,
            range,
            lines,
            rules,
            ..Panel::new("alliance", "")
        };
        if let Some((target, slot)) = targets.first() {
            self.mark_ruptures(
                series,
                (target, *slot),
                axis.metric,
                &sessions,
                &mut alliance,
            )?;
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
}

/// The alliance panel's axis as fitted: the plotted metric, the metric thresholds are worded
/// in, whether the range is zoomed to the data, and the axes' units.
struct FittedAxis {
    metric: Metric,
    shown: Metric,
    zoomed: bool,
    left: Units,
    right: Option<Units>,
}

/// Resolves [`PlotAxis`] for the targets drawn (see its docs).
fn fit_axis(axis: PlotAxis, inst: &Instrument, targets: &[(Target, Slot)]) -> FittedAxis {
    let short = short_name(inst);
    let plain = |metric: Metric, zoomed: bool| FittedAxis {
        metric,
        shown: metric,
        zoomed,
        left: Units::plain(format!("{short} ({})", metric.label())),
        right: None,
    };
    match axis {
        PlotAxis::Full(m) => plain(m, false),
        PlotAxis::Zoomed(m) => plain(m, true),
        PlotAxis::Fitted => {
            let primary = inst.primary_metric();
            let range = |slot: Slot| {
                let r = inst.slot_range(slot, primary);
                (r.min(), r.max())
            };
            let same = |a: (f64, f64), b: (f64, f64)| {
                (a.0 - b.0).abs() <= 1e-9 * (1.0 + a.0.abs())
                    && (a.1 - b.1).abs() <= 1e-9 * (1.0 + a.1.abs())
            };
            let all: Vec<(f64, f64)> = targets.iter().map(|(_, s)| range(*s)).collect();
            let subscales: Vec<(f64, f64)> = targets
                .iter()
                .filter(|(_, s)| *s != Slot::Total)
                .map(|(_, s)| range(*s))
                .collect();
            let total = targets
                .iter()
                .any(|(_, s)| *s == Slot::Total)
                .then(|| range(Slot::Total));
            let shared = |list: &[(f64, f64)]| {
                list.first()
                    .filter(|&&first| list.iter().all(|&r| same(r, first)))
                    .copied()
            };
            if shared(&all).is_some() {
                plain(primary, false)
            } else if let (Some(total), Some(sub)) = (total, shared(&subscales)) {
                FittedAxis {
                    metric: Metric::Pomp,
                    shown: primary,
                    zoomed: false,
                    left: Units::from_pomp(format!("{short} total ({})", primary.label()), total),
                    right: Some(Units::from_pomp(
                        format!("{short} subscales ({})", primary.label()),
                        sub,
                    )),
                }
            } else {
                plain(Metric::Pomp, true)
            }
        }
    }
}

/// The range of `values` rounded out to round steps, spanning at least a fifth of `full`, and
/// within it; `full` when there are no values (and `None`, the data's own range, without it).
fn zoomed_range(values: impl Iterator<Item = f64>, full: Option<(f64, f64)>) -> Option<(f64, f64)> {
    let (flo, fhi) = full?;
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
        .unwrap_or((flo, fhi));
    let min_span = (fhi - flo) / 5.0;
    let step = nice_step((hi - lo).max(min_span), 5.0);
    let mut a = ((lo / step).floor() * step).max(flo);
    let mut b = ((hi / step).ceil() * step).min(fhi);
    if b - a < min_span {
        // Room below first (alliance scores crowd the top), then above.
        a = (((b - min_span) / step).floor() * step).max(flo);
        b = (((a + min_span) / step).ceil() * step).min(fhi).max(b);
    }
    Some((a, b))
}
