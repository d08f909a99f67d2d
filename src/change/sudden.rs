//! Sudden gains and sudden losses (Tang & DeRubeis 1999; Lutz et al. 2013), as the R package
//! suddengains 0.7.2 identifies them. The user-facing account, with the formulas, the treatment
//! of missed sessions and the deliberate differences from suddengains, is on [`SuddenOptions`].

use super::Better;
use crate::error::{ErrorKind, Result};
use crate::ids::{TextRule, check_field};
use crate::stats;
use crate::vocab::vocabulary;

/// Whether an analysis looks for sudden gains (improvement) or sudden losses (worsening).
///
/// ```
/// use therapeutic_alliance::SuddenKind;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("loss".parse::<SuddenKind>()?, SuddenKind::Loss);
/// assert_eq!(SuddenKind::Gain.to_string(), "gain");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenKind {
    /// A sudden gain: a large improvement between two sessions.
    Gain,
    /// A sudden loss: a large worsening between two sessions.
    Loss,
}

vocabulary!(SuddenKind, "sudden change kind", None, [Gain => "gain", Loss => "loss"]);

/// One of the three sudden-gain criteria of Tang & DeRubeis (1999).
///
/// ```
/// use therapeutic_alliance::SuddenCriterion;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("mean_shift".parse::<SuddenCriterion>()?, SuddenCriterion::MeanShift);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenCriterion {
    /// Criterion 1: the shift is at least an absolute cutoff.
    Cutoff,
    /// Criterion 2: the shift is at least a fraction of the pre-gain score.
    Relative,
    /// Criterion 3: the mean of up to three sessions before differs from the mean of up to
    /// three sessions after by more than a critical t times the pooled standard deviation.
    MeanShift,
}

vocabulary!(SuddenCriterion, "sudden-gain criterion", None, [
    Cutoff => "cutoff",
    Relative => "relative",
    MeanShift => "mean_shift",
]);

/// Which of a client's several gains (or losses) represents the client in a one-row-per-client
/// table (suddengains' `multiple_sg_select`).
///
/// ```
/// use therapeutic_alliance::SuddenPick;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("largest".parse::<SuddenPick>()?, SuddenPick::Largest);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenPick {
    /// The earliest.
    First,
    /// The latest.
    Last,
    /// The largest magnitude (the earliest of equals).
    Largest,
    /// The smallest magnitude (the earliest of equals).
    Smallest,
}

vocabulary!(SuddenPick, "selection", None, [
    First => "first",
    Last => "last",
    Largest => "largest",
    Smallest => "smallest",
]);

/// The critical value of criterion 3.
///
/// ```
/// use therapeutic_alliance::{Better, CriticalValue, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // suddengains' sg_crit3_adjust = FALSE: 2.776 for every interval, however many sessions
/// // were missed.
/// let fixed = SuddenOptions::new(Better::Lower, 7.0)?.critical_value(CriticalValue::Fixed { value: 2.776 })?;
/// assert_eq!(fixed.critical_value_rule(), Some(CriticalValue::Fixed { value: 2.776 }));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum CriticalValue {
    /// Student's t at `1 - alpha / 2` for `n_pre + n_post - 2` degrees of freedom, so the value
    /// grows when sessions are missed (Lutz et al. 2013): for alpha .05, 2.776 with three
    /// scores on each side, 3.182 with one missed, 4.303 with one missed on each side. The
    /// default, with alpha .05.
    Adjusted {
        /// The two-sided significance level: at least 1e-10 and below 1.
        alpha: f64,
    },
    /// The same critical value for every interval.
    Fixed {
        /// The critical value, finite and at least 0.
        value: f64,
    },
}

/// The criterion-1 cutoff derived from the reliable change index (Jacobson & Truax 1991), as
/// suddengains' `define_crit1_cutoff()` derives it: the standard error of measurement
/// `SEM = SD x sqrt(1 - reliability)`, the standard error of the difference between two scores
/// `S_diff = sqrt(2 SEM^2)`, and the cutoff `1.96 x S_diff`.
///
/// ```
/// use therapeutic_alliance::SuddenCutoff;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let c = SuddenCutoff::from_reliability(10.5, 0.961)?;
/// assert!((c.cutoff - 5.747681).abs() < 1e-6);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenCutoff {
    /// The standard deviation given (usually of the pre-treatment scores).
    pub sd: f64,
    /// The reliability given.
    pub reliability: f64,
    /// `SD x sqrt(1 - reliability)`.
    pub standard_error_measurement: f64,
    /// `sqrt(2 SEM^2)`.
    pub standard_error_difference: f64,
    /// `1.96 x S_diff`: the smallest reliable change, to use as criterion 1's cutoff.
    pub cutoff: f64,
}

impl SuddenCutoff {
    /// The cutoff for a measure with standard deviation `sd` and reliability `reliability`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] naming `sd` if it is not finite and above 0, or naming
    /// `reliability` if it is not between 0 and 1.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenCutoff, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let c = SuddenCutoff::from_reliability(6.4, 0.931)?;
    /// let options = SuddenOptions::new(Better::Lower, c.cutoff)?;
    /// assert_eq!(options.cutoff_value(), Some(c.cutoff));
    /// assert!(SuddenCutoff::from_reliability(6.4, 1.2).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_reliability(sd: f64, reliability: f64) -> Result<Self> {
        if !(sd.is_finite() && sd > 0.0) {
            return Err(invalid("sd", sd, "must be a finite number above 0"));
        }
        if !(0.0..=1.0).contains(&reliability) {
            return Err(invalid(
                "reliability",
                reliability,
                "must be between 0 and 1",
            ));
        }
        let sem = sd * (1.0 - reliability).sqrt();
        let sdiff = (2.0 * (sem * sem)).sqrt();
        Ok(SuddenCutoff {
            sd,
            reliability,
            standard_error_measurement: sem,
            standard_error_difference: sdiff,
            cutoff: sdiff * 1.96,
        })
    }
}

/// One client's scores, session by session, in order; `None` is a missed session.
///
/// The change over treatment is from the first to the last score of the series unless
/// [`treatment`](ScoreSeries::treatment) gives other scores (an intake or post-treatment
/// assessment outside the series).
///
/// ```
/// use therapeutic_alliance::ScoreSeries;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = ScoreSeries::new("c-017", [Some(31.0), Some(30.0), None, Some(22.0), Some(21.0)])?;
/// assert_eq!((s.id(), s.scores().len()), ("c-017", 5));
/// assert_eq!((s.treatment_start(), s.treatment_end()), (Some(31.0), Some(21.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "SeriesDef", into = "SeriesDef")
)]
pub struct ScoreSeries {
    id: String,
    scores: Vec<Option<f64>>,
    treatment: Option<Treatment>,
    first_session: Option<u32>,
}

/// Scores at the start and end of treatment, given apart from the series.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct Treatment {
    start: Option<f64>,
    end: Option<f64>,
}

/// Serialized form of a [`ScoreSeries`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct SeriesDef {
    id: String,
    scores: Vec<Option<f64>>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    treatment: Option<Treatment>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    first_session: Option<u32>,
}

impl TryFrom<SeriesDef> for ScoreSeries {
    type Error = crate::Error;

    fn try_from(d: SeriesDef) -> Result<Self> {
        let mut s = ScoreSeries::new(d.id, d.scores)?;
        s.first_session = d.first_session;
        match d.treatment {
            Some(t) => s.treatment(t.start, t.end),
            None => Ok(s),
        }
    }
}

impl From<ScoreSeries> for SeriesDef {
    fn from(s: ScoreSeries) -> Self {
        SeriesDef {
            id: s.id,
            scores: s.scores,
            treatment: s.treatment,
            first_session: s.first_session,
        }
    }
}

impl ScoreSeries {
    /// A client's series of session scores.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidText`] for an empty client id or one with surrounding whitespace,
    ///   control, invisible or bidirectional characters;
    /// - [`ErrorKind::NotFiniteScore`] for a NaN or infinite score, naming its position.
    ///
    /// ```
    /// use therapeutic_alliance::{ErrorKind, ScoreSeries};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = ScoreSeries::new("7", vec![Some(20.0), None, Some(14.0)])?;
    /// assert_eq!(s.scores(), &[Some(20.0), None, Some(14.0)]);
    /// let err = ScoreSeries::new("7", [Some(20.0), Some(f64::NAN)]).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::NotFiniteScore { .. }));
    /// assert_eq!(err.to_string(), "client 7: score 2 is NaN, not a finite number");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        id: impl Into<String>,
        scores: impl IntoIterator<Item = Option<f64>>,
    ) -> Result<Self> {
        let id = id.into();
        check_field(TextRule::Id, "client id", &id)?;
        let scores: Vec<Option<f64>> = scores.into_iter().collect();
        for (i, v) in scores.iter().enumerate() {
            if let Some(v) = *v
                && !v.is_finite()
            {
                return Err(ErrorKind::NotFiniteScore {
                    client: id,
                    score: format!("score {}", i.saturating_add(1)),
                    value: v,
                }
                .into());
            }
            if let Some(v) = *v {
                super::check_magnitude(|| format!("client {id}, score {}", i + 1), v)?;
            }
        }
        Ok(ScoreSeries {
            id,
            scores,
            treatment: None,
            first_session: None,
        })
    }

    /// The same series with the change over treatment measured from `start` to `end` instead
    /// of from the first to the last score of the series (suddengains' `tx_start_var_name` and
    /// `tx_end_var_name`). `None` is a missing score: the change is then unknown.
    ///
    /// # Errors
    /// [`ErrorKind::NotFiniteScore`] for a NaN or infinite start or end.
    ///
    /// ```
    /// use therapeutic_alliance::ScoreSeries;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // Intake 33 (session 0), then sessions 1..4; the change runs from intake to session 4.
    /// let s = ScoreSeries::new("1", [Some(35.0), Some(37.0), Some(34.0), Some(23.0)])?
    ///     .treatment(Some(33.0), Some(23.0))?;
    /// assert_eq!(s.treatment_start(), Some(33.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment(mut self, start: Option<f64>, end: Option<f64>) -> Result<Self> {
        for (what, v) in [("treatment start", start), ("treatment end", end)] {
            if let Some(v) = v
                && !v.is_finite()
            {
                return Err(ErrorKind::NotFiniteScore {
                    client: self.id,
                    score: what.to_owned(),
                    value: v,
                }
                .into());
            }
            if let Some(v) = v {
                super::check_magnitude(|| format!("client {}, {what}", self.id), v)?;
            }
        }
        self.treatment = Some(Treatment { start, end });
        Ok(self)
    }

    /// The client id.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::ScoreSeries::new("c-3", [Some(1.0)])?;
    /// assert_eq!(s.id(), "c-3");
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The same series with its first score at session `session`: its sessions are numbered
    /// from there, whatever [`SuddenOptions::first_session`] says (a series laid out from a
    /// client's [`Series`](crate::Series) starts at its first session).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = ScoreSeries::new("c-3", [Some(30.0), Some(30.0), Some(20.0), Some(20.0)])?.starting_at(5);
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&[s]);
    /// assert_eq!(gains.events().next().map(|g| g.session), Some(6), "the session before the gain");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn starting_at(mut self, session: u32) -> Self {
        self.first_session = Some(session);
        self
    }

    /// The session number of the first score, if the series sets one.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::ScoreSeries::new("c-3", [Some(1.0)])?;
    /// assert_eq!((s.first_session(), s.clone().starting_at(0).first_session()), (None, Some(0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn first_session(&self) -> Option<u32> {
        self.first_session
    }

    /// The scores, session by session (`None` = missed).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::ScoreSeries::new("c-3", [Some(1.0), None])?;
    /// assert_eq!(s.scores(), &[Some(1.0), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn scores(&self) -> &[Option<f64>] {
        &self.scores
    }

    /// The score at the start of treatment: the one given to
    /// [`treatment`](ScoreSeries::treatment), else the first of the series.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::ScoreSeries::new("c-3", [None, Some(4.0)])?;
    /// assert_eq!(s.treatment_start(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment_start(&self) -> Option<f64> {
        match self.treatment {
            Some(t) => t.start,
            None => self.scores.first().copied().flatten(),
        }
    }

    /// The score at the end of treatment: the one given to
    /// [`treatment`](ScoreSeries::treatment), else the last of the series.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::ScoreSeries::new("c-3", [None, Some(4.0)])?;
    /// assert_eq!(s.treatment_end(), Some(4.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment_end(&self) -> Option<f64> {
        match self.treatment {
            Some(t) => t.end,
            None => self.scores.last().copied().flatten(),
        }
    }
}

/// How sudden gains and losses are identified: the direction of improvement, which criteria
/// apply and with which parameters, and how sessions are numbered.
///
/// Tang & DeRubeis (1999) called a drop in a client's symptom score from session N to
/// session N+1 a **sudden gain** when it meets three criteria:
///
/// 1. **Cutoff** (absolute): the shift is at least a cutoff, often the reliable change value
///    `1.96 x sqrt(2) x SEM` with `SEM = SD x sqrt(1 - reliability)` (Jacobson & Truax 1991;
///    [`SuddenCutoff`]).
/// 2. **Relative**: the shift is at least a fraction (25%) of the pre-gain score.
/// 3. **Mean shift**: the mean of the three sessions N-2, N-1, N exceeds the mean of the three
///    sessions N+1, N+2, N+3 by more than a critical value times the pooled standard deviation,
///    `mean_pre - mean_post > t x sqrt(((n_pre - 1) s_pre^2 + (n_post - 1) s_post^2) / (n_pre + n_post - 2))`.
///    With missed sessions at least two scores are needed on each side and the critical value
///    is Student's t for `n_pre + n_post - 2` degrees of freedom at `1 - alpha / 2`: 2.776,
///    3.182 or 4.303 for alpha .05 (Lutz et al. 2013), or one fixed value (2.776) for every
///    interval.
///
/// A **sudden loss** is the mirror image, a worsening between sessions (Lutz et al. 2013).
/// Which direction is better comes from [`Better`]: `Better::Lower` for symptom measures such as
/// the BDI, `Better::Higher` for the alliance or well-being.
///
/// The crate matches the R package suddengains 0.7.2 (Wiedemann, Thew, Stott & Ehlers 2020):
/// `identify_sg()` for the criteria of every interval, `create_bysg()` for one row per gain and
/// `create_byperson()` for one row per client (`tests/sudden_gains.rs` checks all three on the
/// package's `sgdata`). In detail:
///
/// - **Intervals**: a series of `k` scores has the intervals from its 2nd score to its 3rd up to
///   its `(k-2)`th to its `(k-1)`th, the intervals where criterion 3 could have two scores on
///   each side. suddengains uses the same intervals whichever criteria apply; so does the crate.
/// - **Missed sessions** are not filled in: criteria 1 and 2 need the scores of sessions N and
///   N+1 themselves (suddengains 0.7.2 reads exactly those two columns; no version in its
///   history uses the next available score), and criterion 3 averages whatever scores the
///   two windows of three sessions hold. A criterion that cannot be checked is `None`, and an
///   interval with an applied criterion that cannot be checked is undetermined (`None`, as
///   suddengains' `NA`), even if another criterion fails.
/// - **Per gain**: the scores from N-2 to N+3, the magnitude (score N minus score N+1, in the
///   direction of the shift), the change over treatment (first minus last score of the series
///   unless [`ScoreSeries::treatment`] gives other scores), the proportion of that change the
///   gain accounts for, and whether the gain reversed.
///
/// Deliberate differences from suddengains 0.7.2, each documented where it applies:
///
/// - **Loss criterion 2.** `identify_sl()` tests `pre - post <= 0.25 x pre`, which every loss
///   (and every gain under 25%) passes, so the relative criterion is effectively never applied
///   to losses. The crate tests what the criterion says: the worsening is at least 25% of the
///   pre-loss score.
/// - **Reversal window.** A gain reverses when a later score goes back beyond the midpoint of
///   scores N and N+1 (`score N+1 + magnitude / 2`). suddengains looks from session N+2 on
///   with `identify_sg_1to2 = TRUE`, as the code it replaced in 2018 did ("does any session
///   score from session n+2 onwards exceed the critical value"), but with its default session
///   numbering the index is off by one and it looks from N+3 on. The crate looks from N+2 on.
///   (On `sgdata` both give the same reversals.)
/// - **Losses are measured as positive shifts.** The package's loss magnitude is negative (score
///   N minus score N+1), so its "largest" loss is the one closest to zero and its change
///   proportion divides by the improvement over treatment. Here a loss's magnitude is the
///   worsening (positive), "largest" is the largest worsening, and the proportion is of the
///   worsening over treatment.
/// - **Relative criterion on negative scores**: the fraction is of the pre-gain score's size
///   (`|score N|`); the same for the non-negative scores of the usual measures.
/// - **Undefined proportions** (zero change over treatment) are `None`; the package keeps
///   `+Inf` (and `NaN` for 0 / 0), dropping only `-Inf`.
/// - **Unknown magnitudes** (possible only with criterion 3 alone, when score N or N+1 is
///   missing) rank after known ones when picking a client's largest or smallest gain; the
///   package drops the client's gains altogether.
///
/// References:
/// - Tang, T. Z., & DeRubeis, R. J. (1999). Sudden gains and critical sessions in
///   cognitive-behavioral therapy for depression. *Journal of Consulting and Clinical
///   Psychology, 67*(6), 894-904. <https://doi.org/10.1037/0022-006X.67.6.894>
/// - Lutz, W., Ehrlich, T., Rubel, J., Hallwachs, N., Röttger, M.-A., Jorasz, C., et al. (2013).
///   The ups and downs of psychotherapy: Sudden gains and sudden losses identified with session
///   reports. *Psychotherapy Research, 23*(1), 14-24. <https://doi.org/10.1080/10503307.2012.693837>
/// - Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
///   defining meaningful change in psychotherapy research. *Journal of Consulting and Clinical
///   Psychology, 59*(1), 12-19. <https://doi.org/10.1037/0022-006X.59.1.12>
/// - Wiedemann, M., Thew, G. R., Stott, R., & Ehlers, A. (2020). suddengains: An R package to
///   identify sudden gains in longitudinal data. *PLOS ONE, 15*(3), e0230276.
///   <https://doi.org/10.1371/journal.pone.0230276>
///
/// Coming from suddengains: `sg_crit1_cutoff` is the cutoff of [`new`](SuddenOptions::new)
/// (`NULL`: [`without`](SuddenOptions::without)`(SuddenCriterion::Cutoff)`); `sg_crit2_pct` is
/// [`relative`](SuddenOptions::relative); `sg_crit3_alpha`, `sg_crit3_adjust` and
/// `sg_crit3_critical_value` are [`critical_value`](SuddenOptions::critical_value) with a
/// [`CriticalValue`] (`sg_crit3 = FALSE`: `without(SuddenCriterion::MeanShift)`);
/// `identify_sg_1to2 = TRUE` is [`first_session`](SuddenOptions::first_session)`(0)`;
/// `identify = "sl"` is [`losses`](SuddenOptions::losses); `tx_start_var_name` and
/// `tx_end_var_name` are [`ScoreSeries::treatment`]; `multiple_sg_select` is the
/// [`SuddenPick`] of [`SuddenChanges::by_client`]. Clients stay in the order given
/// (suddengains sorts them by id) and are never joined by id, so ids need not be unique.
///
/// # Options
///
/// [`new`](SuddenOptions::new) applies all three criteria of Tang & DeRubeis (1999) as
/// suddengains does by default: the cutoff given, 25% of the pre-gain score, and the mean shift
/// with Student's t adjusted for missed sessions at alpha .05.
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenCriterion, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let bdi = [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)];
/// let clients = [ScoreSeries::new("4", bdi)?];
/// let options = SuddenOptions::new(Better::Lower, 7.0)?;
/// let gains = options.gains(&clients);
/// let gain = gains.events().next().ok_or("a gain")?;
/// assert_eq!((gain.session, gain.magnitude), (3, Some(11.0)));
///
/// // Criteria 1 and 2 only.
/// let two = options.without(SuddenCriterion::MeanShift)?;
/// assert!(!two.applies(SuddenCriterion::MeanShift));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SuddenOptions {
    better: Better,
    cutoff: Option<f64>,
    relative: Option<f64>,
    mean_shift: Option<MeanShift>,
    first_session: u32,
}

/// The smallest alpha criterion 3 takes.
const MIN_ALPHA: f64 = 1e-10;

/// Criterion 3's rule and its critical values for 2, 3 and 4 degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MeanShift {
    rule: CriticalValue,
    critical: [f64; 3],
}

impl MeanShift {
    fn new(rule: CriticalValue) -> Result<Self> {
        match rule {
            CriticalValue::Adjusted { alpha } => {
                // statrs' t quantile fails below alpha 1e-162; no test uses an alpha near it.
                if !((MIN_ALPHA..1.0).contains(&alpha)) {
                    return Err(invalid(
                        "alpha",
                        alpha,
                        "must be at least 1e-10 and below 1",
                    ));
                }
                let mut critical = [0.0; 3];
                for (df, c) in (2u8..).zip(critical.iter_mut()) {
                    // |qt(alpha / 2, df)|, as suddengains computes it.
                    *c = -stats::qt(alpha / 2.0, f64::from(df)).ok_or_else(|| {
                        ErrorKind::InvalidOption {
                            option: "alpha",
                            value: crate::error::Num(alpha).to_string(),
                            reason: "no Student's t critical value".to_owned(),
                        }
                    })?;
                }
                Ok(MeanShift { rule, critical })
            }
            CriticalValue::Fixed { value } => {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(invalid(
                        "critical value",
                        value,
                        "must be a finite number of at least 0",
                    ));
                }
                Ok(MeanShift {
                    rule,
                    critical: [value; 3],
                })
            }
        }
    }

    /// The critical value for `n_pre + n_post` scores (4, 5 or 6).
    fn critical(&self, scores: usize) -> Option<f64> {
        self.critical.get(scores.checked_sub(4)?).copied()
    }
}

/// An [`ErrorKind::InvalidOption`] for a numeric option.
fn invalid(option: &'static str, value: f64, reason: &str) -> crate::Error {
    ErrorKind::InvalidOption {
        option,
        value: crate::error::Num(value).to_string(),
        reason: reason.to_owned(),
    }
    .into()
}

impl SuddenOptions {
    /// All three criteria, with `cutoff` for criterion 1 (see [`SuddenCutoff`] to derive it
    /// from the measure's reliability), 25% for criterion 2, and Student's t at alpha .05
    /// adjusted for missed sessions for criterion 3. Sessions are numbered from 1.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] naming the cutoff if it is not a finite number of at least 0.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, CriticalValue, SuddenCriterion, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?;
    /// assert_eq!((o.cutoff_value(), o.relative_fraction()), (Some(7.0), Some(0.25)));
    /// assert_eq!(o.critical_value_rule(), Some(CriticalValue::Adjusted { alpha: 0.05 }));
    /// assert_eq!(SuddenOptions::new(Better::Lower, -7.0).unwrap_err().to_string(),
    ///            "cutoff -7: must be a finite number of at least 0 (a sudden loss is found with the same positive cutoff)");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(better: Better, cutoff: f64) -> Result<Self> {
        let options = SuddenOptions {
            better,
            cutoff: None,
            relative: Some(0.25),
            mean_shift: Some(MeanShift::new(CriticalValue::Adjusted { alpha: 0.05 })?),
            first_session: 1,
        };
        options.cutoff(cutoff)
    }

    /// Applies criterion 1 with this cutoff: the shift from session N to N+1 is at least
    /// `cutoff` (suddengains: `pre - post >= cutoff` for a gain on a lower-is-better measure).
    /// The same positive cutoff serves for losses (suddengains takes it negated).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if `cutoff` is not a finite number of at least 0.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?.cutoff(5.75)?;
    /// assert_eq!(o.cutoff_value(), Some(5.75));
    /// # Ok(())
    /// # }
    /// ```
    pub fn cutoff(mut self, cutoff: f64) -> Result<Self> {
        if !(cutoff.is_finite() && cutoff >= 0.0) {
            return Err(invalid(
                "cutoff",
                cutoff,
                "must be a finite number of at least 0 (a sudden loss is found with the same positive cutoff)",
            ));
        }
        self.cutoff = Some(cutoff);
        Ok(self)
    }

    /// Applies criterion 2 with this fraction: the shift is at least `fraction` times the
    /// pre-gain score (its size, `|score N|`). Tang & DeRubeis (1999) use 0.25.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] if `fraction` is not a finite number of at least 0.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?.relative(0.2)?;
    /// assert_eq!(o.relative_fraction(), Some(0.2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn relative(mut self, fraction: f64) -> Result<Self> {
        if !(fraction.is_finite() && fraction >= 0.0) {
            return Err(invalid(
                "relative fraction",
                fraction,
                "must be a finite number of at least 0 (0.25 is 25%)",
            ));
        }
        self.relative = Some(fraction);
        Ok(self)
    }

    /// Applies criterion 3 with this critical value.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for an alpha that is not at least 1e-10 and below 1, or a
    /// fixed value that is not a finite number of at least 0.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, CriticalValue, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?.critical_value(CriticalValue::Adjusted { alpha: 0.01 })?;
    /// assert_eq!(o.critical_value_rule(), Some(CriticalValue::Adjusted { alpha: 0.01 }));
    /// assert!(o.critical_value(CriticalValue::Adjusted { alpha: 1.0 }).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn critical_value(mut self, rule: CriticalValue) -> Result<Self> {
        self.mean_shift = Some(MeanShift::new(rule)?);
        Ok(self)
    }

    /// Stops applying a criterion.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] naming the criterion if no other criterion would remain.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenCriterion, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let only_3 = SuddenOptions::new(Better::Lower, 7.0)?
    ///     .without(SuddenCriterion::Cutoff)?
    ///     .without(SuddenCriterion::Relative)?;
    /// assert_eq!(only_3.cutoff_value(), None);
    /// assert!(only_3.without(SuddenCriterion::MeanShift).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn without(mut self, criterion: SuddenCriterion) -> Result<Self> {
        match criterion {
            SuddenCriterion::Cutoff => self.cutoff = None,
            SuddenCriterion::Relative => self.relative = None,
            SuddenCriterion::MeanShift => self.mean_shift = None,
        }
        if self.cutoff.is_none() && self.relative.is_none() && self.mean_shift.is_none() {
            return Err(ErrorKind::InvalidOption {
                option: "criterion",
                value: criterion.name().to_owned(),
                reason: "is the last criterion applied; at least one must remain".to_owned(),
            }
            .into());
        }
        Ok(self)
    }

    /// Numbers the sessions from `first` (default 1): the session number of the series' first
    /// score. With 0 the first score is a baseline, as with suddengains'
    /// `identify_sg_1to2 = TRUE`; the intervals examined are the same.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.first_session(0).first_session_number(), 0);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn first_session(mut self, first: u32) -> Self {
        self.first_session = first;
        self
    }

    /// Which direction is improvement.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(SuddenOptions::new(Better::Higher, 5.0)?.better(), Better::Higher);
    /// # Ok(())
    /// # }
    /// ```
    pub fn better(&self) -> Better {
        self.better
    }

    /// Criterion 1's cutoff, if it applies.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.cutoff_value(), Some(7.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn cutoff_value(&self) -> Option<f64> {
        self.cutoff
    }

    /// Criterion 2's fraction of the pre-gain score, if it applies.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.relative_fraction(), Some(0.25));
    /// # Ok(())
    /// # }
    /// ```
    pub fn relative_fraction(&self) -> Option<f64> {
        self.relative
    }

    /// Criterion 3's critical value, if it applies.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, CriticalValue, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?;
    /// assert_eq!(o.critical_value_rule(), Some(CriticalValue::Adjusted { alpha: 0.05 }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn critical_value_rule(&self) -> Option<CriticalValue> {
        self.mean_shift.map(|m| m.rule)
    }

    /// Whether a criterion applies.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenCriterion, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?.without(SuddenCriterion::Relative)?;
    /// assert!(o.applies(SuddenCriterion::Cutoff) && !o.applies(SuddenCriterion::Relative));
    /// # Ok(())
    /// # }
    /// ```
    pub fn applies(&self, criterion: SuddenCriterion) -> bool {
        match criterion {
            SuddenCriterion::Cutoff => self.cutoff.is_some(),
            SuddenCriterion::Relative => self.relative.is_some(),
            SuddenCriterion::MeanShift => self.mean_shift.is_some(),
        }
    }

    /// The session number of a series' first score.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.first_session_number(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn first_session_number(&self) -> u32 {
        self.first_session
    }

    /// The sudden gains of each client (suddengains' `identify_sg()`, `create_bysg()` and
    /// `create_byperson()` in one pass).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let clients = [
    ///     ScoreSeries::new("a", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?,
    ///     ScoreSeries::new("b", [Some(30.0), Some(29.0), Some(30.0), Some(28.0), Some(29.0), Some(27.0)])?,
    /// ];
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&clients);
    /// assert_eq!(gains.count(), 1);
    /// let by_client = gains.by_client(SuddenPick::Largest);
    /// assert_eq!((by_client[0].count, by_client[1].count), (1, 0));
    /// assert_eq!(by_client[0].event.as_ref().map(|g| g.session), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn gains(&self, series: &[ScoreSeries]) -> SuddenChanges {
        self.analyze(SuddenKind::Gain, series)
    }

    /// The sudden losses of each client: the mirror image of [`gains`](SuddenOptions::gains)
    /// (suddengains' `identify_sl()`, with its criterion 2 applied as written; see the
    /// differences listed on [`SuddenOptions`]).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let bdi = [Some(10.0), Some(11.0), Some(12.0), Some(30.0), Some(28.0), Some(33.0)];
    /// let losses = SuddenOptions::new(Better::Lower, 7.0)?.losses(&[ScoreSeries::new("1", bdi)?]);
    /// let loss = &losses.clients[0].events[0];
    /// assert_eq!((loss.session, loss.magnitude), (3, Some(18.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn losses(&self, series: &[ScoreSeries]) -> SuddenChanges {
        self.analyze(SuddenKind::Loss, series)
    }

    /// The gains or losses of each client.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenKind, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = [ScoreSeries::new("1", [Some(10.0), Some(11.0), Some(12.0), Some(30.0), Some(28.0), Some(33.0)])?];
    /// let o = SuddenOptions::new(Better::Lower, 7.0)?;
    /// assert_eq!(o.analyze(SuddenKind::Loss, &s), o.losses(&s));
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(&self, kind: SuddenKind, series: &[ScoreSeries]) -> SuddenChanges {
        SuddenChanges {
            kind,
            better: self.better,
            clients: series.iter().map(|s| self.client(kind, s)).collect(),
        }
    }

    /// The shift from `before` to `after` in the direction looked for: positive when it is
    /// an improvement (gains) or a worsening (losses).
    fn shift(&self, kind: SuddenKind, before: f64, after: f64) -> f64 {
        let improvement = self.better.improvement(before, after);
        match kind {
            SuddenKind::Gain => improvement,
            SuddenKind::Loss => -improvement,
        }
    }

    /// As [`shift`](Self::shift) in binary floating point, for values that are no decimals a
    /// person wrote (the means of criterion 3) or where only the sign counts (a reversal).
    fn float_shift(&self, kind: SuddenKind, before: f64, after: f64) -> f64 {
        let improvement = match self.better {
            Better::Lower => before - after,
            _ => after - before,
        };
        match kind {
            SuddenKind::Gain => improvement,
            SuddenKind::Loss => -improvement,
        }
    }

    /// The session number of the score at `index` of `series`.
    fn session(&self, series: &ScoreSeries, index: usize) -> u64 {
        u64::from(series.first_session.unwrap_or(self.first_session))
            .saturating_add(u64::try_from(index).unwrap_or(u64::MAX))
    }

    /// One client's intervals and events.
    fn client(&self, kind: SuddenKind, series: &ScoreSeries) -> SuddenClient {
        let scores = series.scores();
        let at = |i: usize| scores.get(i).copied().flatten();
        let treatment_change = match (series.treatment_start(), series.treatment_end()) {
            (Some(start), Some(end)) => Some(self.shift(kind, start, end)),
            _ => None,
        };
        let mut intervals = Vec::new();
        let mut events = Vec::new();
        // Pre-gain scores from the 2nd to the (k-2)th, as suddengains: criterion 3 needs two
        // scores before (N-1, N) and two after (N+1, N+2).
        for n in 1..scores.len().saturating_sub(2) {
            let interval = self.interval(kind, series, n);
            if interval.met == Some(true) {
                events.push(self.event(kind, series, n, treatment_change, &at));
            }
            intervals.push(interval);
        }
        SuddenClient {
            id: series.id().to_owned(),
            intervals,
            events,
        }
    }

    /// The criteria for the interval from the score at index `n` to the next.
    fn interval(&self, kind: SuddenKind, series: &ScoreSeries, n: usize) -> SuddenInterval {
        let scores = series.scores();
        let pre = scores.get(n).copied().flatten();
        let post = scores.get(n.saturating_add(1)).copied().flatten();
        let both = pre.zip(post);
        let cutoff = self
            .cutoff
            .and_then(|c| both.map(|(a, b)| self.shift(kind, a, b) >= c));
        let relative = self
            .relative
            .and_then(|f| both.map(|(a, b)| self.shift(kind, a, b) >= f * a.abs()));
        let mut mean_shift = None;
        let mut critical_value = None;
        if let Some(m) = &self.mean_shift {
            // Sessions N-2..=N before, N+1..=N+3 after, cut at the ends of the series.
            let before = window(scores, n.saturating_sub(2), n.saturating_add(1));
            let after = window(scores, n.saturating_add(1), n.saturating_add(4));
            if before.len() >= 2 && after.len() >= 2 {
                let (n1, n2) = (before.len(), after.len());
                if let (Some(t), Some(m1), Some(m2)) = (
                    m.critical(n1 + n2),
                    stats::mean(&before),
                    stats::mean(&after),
                ) {
                    let pooled = (((n1 - 1) as f64 * stats::variance_about(&before, m1)
                        + (n2 - 1) as f64 * stats::variance_about(&after, m2))
                        / (n1 + n2 - 2) as f64)
                        .sqrt();
                    mean_shift = Some(self.float_shift(kind, m1, m2) > t * pooled);
                    critical_value = Some(t);
                }
            }
        }
        let applied = [
            (self.cutoff.is_some(), cutoff),
            (self.relative.is_some(), relative),
            (self.mean_shift.is_some(), mean_shift),
        ];
        // As suddengains multiplies the criteria: undetermined if any applied criterion is.
        let met = applied
            .iter()
            .filter(|(applies, _)| *applies)
            .try_fold(true, |all, (_, c)| c.map(|c| all && c));
        SuddenInterval {
            session: self.session(series, n),
            cutoff,
            relative,
            mean_shift,
            critical_value,
            met,
        }
    }

    /// The gain or loss from the score at index `n` to the next.
    fn event(
        &self,
        kind: SuddenKind,
        series: &ScoreSeries,
        n: usize,
        treatment_change: Option<f64>,
        at: &impl Fn(usize) -> Option<f64>,
    ) -> SuddenEvent {
        let scores = SuddenWindow {
            n_minus_2: n.checked_sub(2).and_then(at),
            n_minus_1: n.checked_sub(1).and_then(at),
            n: at(n),
            n_plus_1: at(n.saturating_add(1)),
            n_plus_2: at(n.saturating_add(2)),
            n_plus_3: at(n.saturating_add(3)),
        };
        let pair = scores.n.zip(scores.n_plus_1);
        let magnitude = pair.map(|(a, b)| self.shift(kind, a, b));
        // suddengains: score N+1 plus half of (score N - score N+1), the midpoint of the two.
        let reversal_value = pair.map(|(a, b)| b + (a - b) / 2.0);
        // A later score on the far side of the midpoint, from session N+2 on.
        let reversal_session = reversal_value.and_then(|mid| {
            series
                .scores()
                .iter()
                .enumerate()
                .skip(n.saturating_add(2))
                .find(|(_, v)| v.is_some_and(|v| self.float_shift(kind, mid, v) < 0.0))
                .map(|(i, _)| self.session(series, i))
        });
        let proportion = match (magnitude, treatment_change) {
            (Some(m), Some(c)) if c != 0.0 => Some(m / c),
            _ => None,
        };
        SuddenEvent {
            client: series.id().to_owned(),
            kind,
            session: self.session(series, n),
            scores,
            magnitude,
            treatment_change,
            proportion,
            reversal_value,
            reversal: reversal_session.is_some(),
            reversal_session,
        }
    }
}

/// The scores present in `scores[from..to]` (cut at the end).
fn window(scores: &[Option<f64>], from: usize, to: usize) -> Vec<f64> {
    let to = to.min(scores.len());
    scores
        .get(from..to)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| *v)
        .collect()
}

/// Sudden gains or losses of every client: the criteria of every interval, each gain or loss,
/// and (through [`by_client`](SuddenChanges::by_client)) one row per client.
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = [ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?];
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
/// // Intervals 2-3, 3-4 and 4-5 of six sessions; the gain is 3-4.
/// let met: Vec<_> = gains.clients[0].intervals.iter().map(|i| (i.session, i.met)).collect();
/// assert_eq!(met, [(2, Some(false)), (3, Some(true)), (4, Some(false))]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenChanges {
    /// Gains or losses.
    pub kind: SuddenKind,
    /// Which direction was improvement.
    pub better: Better,
    /// Each client, in the order given (suddengains sorts by id).
    pub clients: Vec<SuddenClient>,
}

impl SuddenChanges {
    /// Every gain (or loss) of every client, client by client and session by session
    /// (suddengains' `create_bysg()`).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = [ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?];
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
    /// assert_eq!(gains.events().map(|g| g.client.as_str()).collect::<Vec<_>>(), ["4"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(&self) -> impl Iterator<Item = &SuddenEvent> {
        self.clients.iter().flat_map(|c| c.events.iter())
    }

    /// How many gains (or losses) in all.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = [ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?];
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.losses(&s).count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn count(&self) -> usize {
        self.clients.iter().map(|c| c.events.len()).sum()
    }

    /// One row per client, in the order given: how many gains (or losses) and the one `pick`
    /// selects (suddengains' `create_byperson()`).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = [ScoreSeries::new("5", [Some(39.0), Some(37.0), Some(36.0), Some(26.0), Some(26.0),
    ///     Some(23.0), Some(21.0), Some(19.0), Some(6.0), Some(7.0), Some(8.0), Some(8.0)])?];
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
    /// let first = gains.by_client(SuddenPick::First);
    /// let largest = gains.by_client(SuddenPick::Largest);
    /// assert_eq!(first[0].count, 2);
    /// assert_eq!(first[0].event.as_ref().map(|g| g.session), Some(3));
    /// assert_eq!(largest[0].event.as_ref().map(|g| g.session), Some(8));
    /// # Ok(())
    /// # }
    /// ```
    pub fn by_client(&self, pick: SuddenPick) -> Vec<SuddenByClient> {
        self.clients
            .iter()
            .map(|c| SuddenByClient {
                client: c.id.clone(),
                count: c.events.len(),
                event: c.pick(pick).cloned(),
            })
            .collect()
    }
}

/// One client's intervals and sudden gains (or losses).
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = [ScoreSeries::new("2", [Some(26.0), None, Some(26.0)])?];
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
/// // Three sessions have no interval with two scores on each side.
/// assert!(gains.clients[0].intervals.is_empty());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenClient {
    /// The client id.
    pub id: String,
    /// Every interval examined, in session order (suddengains' `identify_sg()` columns
    /// `sg_crit1_2to3` .. `sg_2to3` ..).
    pub intervals: Vec<SuddenInterval>,
    /// The gains (or losses), in session order.
    pub events: Vec<SuddenEvent>,
}

impl SuddenClient {
    /// The gain (or loss) `pick` selects; `None` without any. Of equal magnitudes the earliest
    /// is taken, as suddengains does; magnitudes that are unknown (criterion 3 alone, with score
    /// N or N+1 missed) rank after known ones.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = [ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?];
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
    /// assert_eq!(gains.clients[0].pick(SuddenPick::Smallest).and_then(|g| g.magnitude), Some(11.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn pick(&self, pick: SuddenPick) -> Option<&SuddenEvent> {
        let extreme = |larger: bool| {
            let mut best: Option<&SuddenEvent> = None;
            for e in &self.events {
                let better = match (best.and_then(|b| b.magnitude), e.magnitude) {
                    _ if best.is_none() => true,
                    (Some(b), Some(m)) => {
                        if larger {
                            m > b
                        } else {
                            m < b
                        }
                    }
                    (None, Some(_)) => true,
                    (_, None) => false,
                };
                if better {
                    best = Some(e);
                }
            }
            best
        };
        match pick {
            SuddenPick::First => self.events.first(),
            SuddenPick::Last => self.events.last(),
            SuddenPick::Largest => extreme(true),
            SuddenPick::Smallest => extreme(false),
        }
    }
}

/// The three criteria for one interval, from session N to N+1. A criterion is `None` when it
/// does not apply or cannot be checked (criteria 1 and 2 need scores N and N+1; criterion 3
/// needs two scores on each side).
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = [ScoreSeries::new("3", [Some(36.0), Some(37.0), None, Some(35.0), Some(26.0), Some(24.0)])?];
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
/// let i = &gains.clients[0].intervals[1]; // session 3 (missed) to 4
/// assert_eq!((i.session, i.cutoff, i.mean_shift, i.met), (3, None, Some(false), None));
/// assert!((i.critical_value.unwrap_or(0.0) - 3.182).abs() < 1e-3); // 2 + 3 scores: 3 df
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenInterval {
    /// Session N, the last before the shift (suddengains' interval `NtoN+1`).
    pub session: u64,
    /// Criterion 1: the shift is at least the cutoff.
    pub cutoff: Option<bool>,
    /// Criterion 2: the shift is at least the fraction of score N.
    pub relative: Option<bool>,
    /// Criterion 3: the mean shift exceeds the critical value times the pooled SD.
    pub mean_shift: Option<bool>,
    /// The critical value criterion 3 used, if it was checked.
    pub critical_value: Option<f64>,
    /// Every applied criterion met (`Some(true)`: a sudden gain or loss); `None` when an
    /// applied criterion could not be checked, even if another failed (suddengains' `NA`).
    pub met: Option<bool>,
}

/// One sudden gain (or loss), from session N to N+1 (a row of suddengains' `create_bysg()`).
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let s = [ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?];
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
/// let g = gains.events().next().ok_or("a gain")?;
/// assert_eq!((g.scores.n, g.scores.n_plus_1), (Some(34.0), Some(23.0)));
/// assert_eq!((g.magnitude, g.treatment_change), (Some(11.0), Some(14.0)));
/// assert_eq!((g.reversal_value, g.reversal), (Some(28.5), false));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenEvent {
    /// The client id.
    pub client: String,
    /// Gain or loss.
    pub kind: SuddenKind,
    /// Session N, the last before the shift (suddengains' `sg_session_n`).
    pub session: u64,
    /// The scores from session N-2 to N+3.
    pub scores: SuddenWindow,
    /// The shift from score N to score N+1, positive in the direction looked for (the
    /// improvement of a gain, the worsening of a loss); `None` if either score was missed
    /// (possible with criterion 3 alone). suddengains' `sg_magnitude` (negated for losses).
    pub magnitude: Option<f64>,
    /// The change over treatment (start to end) in the same direction; `None` if either score
    /// is missing.
    pub treatment_change: Option<f64>,
    /// `magnitude / treatment_change`: the share of the change over treatment the shift
    /// accounts for; `None` when either is unknown or the change is 0.
    pub proportion: Option<f64>,
    /// The midpoint of scores N and N+1 (`score N+1 + (score N - score N+1) / 2`); a later
    /// score on the pre-shift side of it is a reversal.
    pub reversal_value: Option<f64>,
    /// Whether a score from session N+2 on went back beyond the reversal value.
    pub reversal: bool,
    /// The first session that did.
    pub reversal_session: Option<u64>,
}

/// The scores around a sudden gain or loss (suddengains' `sg_<measure>_2n` .. `_n3`); `None`
/// for a missed session or one outside the series.
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let s = [ScoreSeries::new("10", [Some(35.0), Some(35.0), Some(25.0), Some(25.0), Some(17.0)])?];
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s);
/// let g = gains.events().next().ok_or("a gain")?;
/// assert_eq!((g.session, g.scores.n_minus_2, g.scores.n_plus_3), (2, None, Some(17.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenWindow {
    /// Session N-2.
    pub n_minus_2: Option<f64>,
    /// Session N-1.
    pub n_minus_1: Option<f64>,
    /// Session N, the last before the shift.
    pub n: Option<f64>,
    /// Session N+1, the first after it.
    pub n_plus_1: Option<f64>,
    /// Session N+2.
    pub n_plus_2: Option<f64>,
    /// Session N+3.
    pub n_plus_3: Option<f64>,
}

/// One client's row of a one-row-per-client table (suddengains' `create_byperson()`).
///
/// ```
/// use therapeutic_alliance::{Better, ScoreSeries, SuddenOptions, SuddenPick};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = [ScoreSeries::new("2", [Some(26.0), Some(26.0), Some(27.0), Some(26.0)])?];
/// let rows = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s).by_client(SuddenPick::First);
/// assert_eq!((rows[0].client.as_str(), rows[0].count, rows[0].event.is_none()), ("2", 0, true));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenByClient {
    /// The client id.
    pub client: String,
    /// How many gains (or losses) the client had (suddengains' `sg_freq_byperson`).
    pub count: usize,
    /// The one selected; `None` without any.
    pub event: Option<SuddenEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, scores: &[Option<f64>]) -> ScoreSeries {
        ScoreSeries::new(id, scores.iter().copied()).expect("valid series")
    }

    fn all(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().map(|&v| Some(v)).collect()
    }

    fn tang(better: Better) -> SuddenOptions {
        SuddenOptions::new(better, 7.0).expect("valid options")
    }

    /// The sessions of a client's gains or losses.
    fn sessions(a: &SuddenChanges) -> Vec<Vec<u64>> {
        a.clients
            .iter()
            .map(|c| c.events.iter().map(|e| e.session).collect())
            .collect()
    }

    #[track_caller]
    fn close(got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs(),
            "{got} vs {want} (relative {:e})",
            ((got - want) / want).abs()
        );
    }

    #[test]
    fn a_gain_worked_by_hand() {
        // Session 3 to 4: 34 -> 23. Criterion 1: 11 >= 7. Criterion 2: 11 >= 0.25 x 34 = 8.5.
        // Criterion 3: means 35.33 (35, 37, 34) and 22.67 (23, 24, 21), both variances 7/3, so
        // the pooled SD is sqrt(7/3) = 1.528 and 2.776 x 1.528 = 4.24 < 12.67.
        let a = tang(Better::Lower).gains(&[s("4", &all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]))]);
        let c = &a.clients[0];
        let i = &c.intervals[1];
        assert_eq!(
            (i.session, i.cutoff, i.relative, i.mean_shift, i.met),
            (3, Some(true), Some(true), Some(true), Some(true))
        );
        close(i.critical_value.unwrap_or(0.0), 2.7764451051977934);
        assert_eq!(c.intervals[0].met, Some(false)); // 37 -> 34
        assert_eq!(c.intervals[2].met, Some(false)); // 23 -> 24
        let g = &c.events[0];
        assert_eq!(
            g.scores,
            SuddenWindow {
                n_minus_2: Some(35.0),
                n_minus_1: Some(37.0),
                n: Some(34.0),
                n_plus_1: Some(23.0),
                n_plus_2: Some(24.0),
                n_plus_3: Some(21.0),
            }
        );
        assert_eq!(g.magnitude, Some(11.0));
        assert_eq!(g.treatment_change, Some(14.0)); // 35 - 21
        assert_eq!(g.proportion, Some(11.0 / 14.0));
        assert_eq!(g.reversal_value, Some(28.5));
        assert!(!g.reversal && g.reversal_session.is_none());
        assert_eq!((g.kind, g.client.as_str()), (SuddenKind::Gain, "4"));
    }

    #[test]
    fn losses_match_suddengains_own_identify_sl_test() {
        // suddengains' tests/testthat/test-identify_sl.R (df2, cutoff -7): losses at 3to4,
        // 4to5, 2to3 and none.
        let rows = [
            [10.0, 11.0, 12.0, 30.0, 28.0, 33.0],
            [10.0, 11.0, 12.0, 10.0, 28.0, 33.0],
            [10.0, 11.0, 30.0, 30.0, 28.0, 33.0],
            [35.0, 37.0, 34.0, 23.0, 24.0, 21.0],
        ];
        let series: Vec<_> = rows.iter().map(|r| s("x", &all(r))).collect();
        let losses = tang(Better::Lower).losses(&series);
        assert_eq!(sessions(&losses), [vec![3], vec![4], vec![2], vec![]]);
        let l = &losses.clients[0].events[0];
        assert_eq!(l.kind, SuddenKind::Loss);
        // A loss is a positive worsening: 30 - 12; over treatment 33 - 10.
        assert_eq!((l.magnitude, l.treatment_change), (Some(18.0), Some(23.0)));
        assert_eq!(l.proportion, Some(18.0 / 23.0));
        // Midpoint 21; no later score (28, 33) falls below it.
        assert_eq!((l.reversal_value, l.reversal), (Some(21.0), false));
    }

    #[test]
    fn loss_criterion_2_is_applied_as_written_unlike_suddengains() {
        // 40 -> 48 is a rise of 8: at least the cutoff 7 but under 25% of 40 (10).
        let x = all(&[40.0, 41.0, 40.0, 48.0, 49.0, 50.0]);
        let losses = tang(Better::Lower).losses(&[s("1", &x)]);
        let i = &losses.clients[0].intervals[1];
        assert_eq!(
            (i.session, i.cutoff, i.relative, i.mean_shift, i.met),
            (3, Some(true), Some(false), Some(true), Some(false))
        );
        // suddengains 0.7.2's identify_sl() tests pre - post <= 0.25 x pre: -8 <= 10 holds, so
        // it reports a loss here.
        let (pre, post) = (40.0_f64, 48.0_f64);
        assert!(pre - post <= 0.25 * pre);
        assert_eq!(losses.count(), 0);

        // With criterion 2 alone suddengains' test flags every interval that is not a gain of
        // 25% or more, gains included; the crate flags none of these small gains.
        let only_2 = tang(Better::Lower)
            .without(SuddenCriterion::Cutoff)
            .and_then(|o| o.without(SuddenCriterion::MeanShift))
            .expect("criterion 2 remains");
        let small_gains = all(&[20.0, 20.0, 19.0, 18.0, 18.0, 17.0]);
        let a = only_2.losses(&[s("2", &small_gains)]);
        assert_eq!(a.count(), 0);
        for w in small_gains.windows(2).skip(1).take(3) {
            if let [Some(pre), Some(post)] = *w {
                assert!(
                    pre - post <= 0.25 * pre,
                    "suddengains would flag {pre} -> {post}"
                );
            }
        }
        // A real 25% rise is a loss with criterion 2 alone.
        let rise = only_2.losses(&[s("3", &all(&[20.0, 20.0, 20.0, 25.0, 25.0, 25.0]))]);
        assert_eq!(sessions(&rise), [vec![3]]);
    }

    /// Session, magnitude and reversal of a gain or loss.
    type EventKey = (u64, Option<f64>, bool);

    #[test]
    fn higher_is_better_mirrors_lower_is_better() {
        // An alliance score rising 20 -> 30.
        let x = all(&[20.0, 19.0, 20.0, 30.0, 31.0, 32.0]);
        let up = tang(Better::Higher).gains(&[s("a", &x)]);
        let g = &up.clients[0].events[0];
        assert_eq!(
            (g.session, g.magnitude, g.treatment_change),
            (3, Some(10.0), Some(12.0))
        );
        assert_eq!(tang(Better::Higher).losses(&[s("a", &x)]).count(), 0);
        // The same shifts are losses when lower is better; negated scores mirror exactly.
        let series = [
            all(&[20.0, 19.0, 20.0, 30.0, 31.0, 32.0]),
            all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]),
            vec![
                Some(36.0),
                Some(37.0),
                None,
                Some(25.0),
                Some(26.0),
                Some(24.0),
                Some(14.0),
            ],
            all(&[
                39.0, 37.0, 36.0, 26.0, 26.0, 23.0, 21.0, 19.0, 6.0, 7.0, 8.0, 8.0,
            ]),
        ];
        for x in &series {
            let neg: Vec<Option<f64>> = x.iter().map(|v| v.map(|v| -v)).collect();
            let strip = |a: SuddenChanges| -> Vec<(Vec<SuddenInterval>, Vec<EventKey>)> {
                a.clients
                    .into_iter()
                    .map(|c| {
                        let events = c
                            .events
                            .iter()
                            .map(|e| (e.session, e.magnitude, e.reversal))
                            .collect();
                        (c.intervals, events)
                    })
                    .collect()
            };
            let lower_gains = strip(tang(Better::Lower).gains(&[s("x", x)]));
            assert_eq!(
                lower_gains,
                strip(tang(Better::Higher).gains(&[s("x", &neg)]))
            );
            assert_eq!(
                lower_gains,
                strip(tang(Better::Lower).losses(&[s("x", &neg)]))
            );
            assert_eq!(
                lower_gains,
                strip(tang(Better::Higher).losses(&[s("x", x)]))
            );
        }
    }

    #[test]
    fn reversal_looks_from_session_n_plus_2() {
        // Gain 30 -> 20 at session 3 (criterion 3: 8.67 > 2.776 x 2.708); midpoint 25. Session
        // 5 (n+2) scores 26: a reversal. suddengains 0.7.2 with its default numbering looks
        // from n+3 (19) and would not see it.
        let a = tang(Better::Lower).gains(&[s("r", &all(&[30.0, 31.0, 30.0, 20.0, 26.0, 19.0]))]);
        let g = &a.clients[0].events[0];
        assert_eq!((g.session, g.reversal_value), (3, Some(25.0)));
        assert_eq!((g.reversal, g.reversal_session), (true, Some(5)));
        // Exactly the midpoint is not beyond it; missed sessions are skipped.
        let b = tang(Better::Lower).gains(&[s(
            "r",
            &[
                Some(30.0),
                Some(31.0),
                Some(30.0),
                Some(20.0),
                Some(25.0),
                None,
                Some(19.0),
                Some(27.0),
            ],
        )]);
        let g = &b.clients[0].events[0];
        assert_eq!((g.reversal, g.reversal_session), (true, Some(8)));
    }

    #[test]
    fn missed_sessions_are_not_filled_in() {
        // Session 4 missed. With all criteria the intervals 3-4 and 4-5 are undetermined.
        let x = [
            Some(30.0),
            Some(31.0),
            Some(30.0),
            None,
            Some(20.0),
            Some(21.0),
            Some(19.0),
        ];
        let a = tang(Better::Lower).gains(&[s("m", &x)]);
        let iv = &a.clients[0].intervals;
        assert_eq!(
            iv.iter().map(|i| i.session).collect::<Vec<_>>(),
            [2, 3, 4, 5]
        );
        // 3 -> 4: criteria 1 and 2 need score 4; criterion 3 has 30, 31, 30 against 20, 21
        // (3 degrees of freedom: 3.182).
        assert_eq!(
            (iv[1].cutoff, iv[1].relative, iv[1].mean_shift, iv[1].met),
            (None, None, Some(true), None)
        );
        close(iv[1].critical_value.unwrap_or(0.0), 3.1824463052837078);
        assert_eq!(
            (iv[2].cutoff, iv[2].mean_shift, iv[2].met),
            (None, Some(true), None)
        );
        // 2 -> 3: two scores on each side (30, 31 | 30, 20): 2 degrees of freedom, 4.303.
        close(iv[0].critical_value.unwrap_or(0.0), 4.302652729749462);
        assert_eq!(a.count(), 0);

        // Criterion 3 alone finds both, with no magnitude: score 4 is missing.
        let only_3 = tang(Better::Lower)
            .without(SuddenCriterion::Cutoff)
            .and_then(|o| o.without(SuddenCriterion::Relative))
            .expect("criterion 3 remains");
        let b = only_3.gains(&[s("m", &x)]);
        assert_eq!(sessions(&b), [vec![3, 4]]);
        let g = &b.clients[0].events[0];
        assert_eq!((g.scores.n, g.scores.n_plus_1), (Some(30.0), None));
        assert_eq!(
            (g.magnitude, g.proportion, g.reversal_value, g.reversal),
            (None, None, None, false)
        );
        // Unknown magnitudes: the earliest stands in for the largest and the smallest.
        let c = &b.clients[0];
        assert_eq!(c.pick(SuddenPick::Largest).map(|e| e.session), Some(3));
        assert_eq!(c.pick(SuddenPick::Smallest).map(|e| e.session), Some(3));
        assert_eq!(c.pick(SuddenPick::Last).map(|e| e.session), Some(4));
    }

    #[test]
    fn an_undetermined_criterion_makes_the_interval_undetermined() {
        // 29 -> 28 fails criterion 1, but criterion 3 has only one score before (29): as
        // suddengains multiplies FALSE by NA, the interval is undetermined.
        let x = [None, None, Some(29.0), Some(28.0), None, Some(27.0)];
        let a = tang(Better::Lower).gains(&[s("u", &x)]);
        let i = &a.clients[0].intervals[1];
        assert_eq!(
            (
                i.session,
                i.cutoff,
                i.relative,
                i.mean_shift,
                i.critical_value,
                i.met
            ),
            (3, Some(false), Some(false), None, None, None)
        );
        // Without criterion 3 it is decided.
        let two = tang(Better::Lower)
            .without(SuddenCriterion::MeanShift)
            .expect("two remain");
        assert_eq!(
            two.gains(&[s("u", &x)]).clients[0].intervals[1].met,
            Some(false)
        );
    }

    #[test]
    fn short_series_have_no_intervals() {
        for k in 0..4 {
            let x = all(&[30.0, 10.0, 30.0, 10.0][..k]);
            let a = tang(Better::Lower).gains(&[s("k", &x)]);
            assert_eq!(
                a.clients[0].intervals.len(),
                k.saturating_sub(3),
                "{k} scores"
            );
        }
        // Four scores: one interval, session 2 to 3, with two scores on each side.
        let a = tang(Better::Lower).gains(&[s("k", &all(&[31.0, 30.0, 20.0, 20.0]))]);
        let i = &a.clients[0].intervals[0];
        assert_eq!((i.session, i.met), (2, Some(true)));
        close(i.critical_value.unwrap_or(0.0), 4.302652729749462);
    }

    #[test]
    fn picks_take_the_earliest_of_equals() {
        // sgdata client 43: two gains of 14 (sessions 5 and 7); client 5: 10 (3) and 13 (8).
        let c43 = all(&[
            49.0, 47.0, 45.0, 37.0, 35.0, 21.0, 19.0, 5.0, 7.0, 8.0, 8.0, 8.0,
        ]);
        let c5 = all(&[
            39.0, 37.0, 36.0, 26.0, 26.0, 23.0, 21.0, 19.0, 6.0, 7.0, 8.0, 8.0,
        ]);
        let a = tang(Better::Lower).gains(&[s("43", &c43), s("5", &c5)]);
        assert_eq!(sessions(&a), [vec![5, 7], vec![3, 8]]);
        let picked = |pick| {
            a.by_client(pick)
                .iter()
                .map(|r| r.event.as_ref().map(|e| e.session))
                .collect::<Vec<_>>()
        };
        assert_eq!(picked(SuddenPick::First), [Some(5), Some(3)]);
        assert_eq!(picked(SuddenPick::Last), [Some(7), Some(8)]);
        assert_eq!(picked(SuddenPick::Largest), [Some(5), Some(8)]);
        assert_eq!(picked(SuddenPick::Smallest), [Some(5), Some(3)]);
        assert_eq!(a.by_client(SuddenPick::First)[0].count, 2);
    }

    #[test]
    fn sessions_can_be_numbered_from_a_baseline() {
        let x = all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0, 29.0]);
        let from_1 = tang(Better::Lower).gains(&[s("1", &x)]);
        let from_0 = tang(Better::Lower).first_session(0).gains(&[s("1", &x)]);
        assert_eq!(sessions(&from_1), [vec![3]]);
        assert_eq!(sessions(&from_0), [vec![2]]);
        // Score 7 (29) is beyond the midpoint 28.5: session 7 from 1, session 6 from 0.
        assert_eq!(from_1.clients[0].events[0].reversal_session, Some(7));
        assert_eq!(from_0.clients[0].events[0].reversal_session, Some(6));
    }

    #[test]
    fn treatment_scores_can_come_from_outside_the_series() {
        let x = all(&[35.0, 37.0, 34.0, 23.0, 24.0, 21.0]);
        let intake = ScoreSeries::new("1", x.clone())
            .and_then(|s| s.treatment(Some(33.0), Some(21.0)))
            .expect("valid");
        let g = tang(Better::Lower).gains(&[intake]).clients[0].events[0].clone();
        assert_eq!(
            (g.treatment_change, g.proportion),
            (Some(12.0), Some(11.0 / 12.0))
        );
        // No change over treatment: no proportion (suddengains: Inf).
        let flat = ScoreSeries::new("1", x.clone())
            .and_then(|s| s.treatment(Some(25.0), Some(25.0)))
            .expect("valid");
        let g = tang(Better::Lower).gains(&[flat]).clients[0].events[0].clone();
        assert_eq!((g.treatment_change, g.proportion), (Some(0.0), None));
        // A missed first session: the change is unknown.
        let mut missed = x;
        missed[0] = None;
        let g = tang(Better::Lower).gains(&[s("1", &missed)]).clients[0].events[0].clone();
        assert_eq!(
            (g.treatment_change, g.proportion, g.magnitude),
            (None, None, Some(11.0))
        );
    }

    #[test]
    fn critical_values_match_r_qt() {
        // R 4.2.2: abs(qt(alpha / 2, df)) for df = 2, 3, 4.
        let cases = [
            (
                0.05,
                [4.302652729749462, 3.1824463052837078, 2.7764451051977934],
            ),
            (
                0.01,
                [9.92484320091829, 5.840909309733354, 4.604094871349992],
            ),
        ];
        for (alpha, want) in cases {
            let m = MeanShift::new(CriticalValue::Adjusted { alpha }).expect("valid alpha");
            for (got, want) in m.critical.iter().zip(want) {
                close(*got, want);
            }
            assert_eq!(m.critical(3), None);
            assert_eq!(m.critical(7), None);
        }
        // Every alpha allowed ends (no panic in statrs, no endless iteration) with ordered
        // values; statrs panics below 1e-162.
        let mut alphas = vec![MIN_ALPHA, 0.5, 1.0 - 1e-16, 1.0_f64.next_down()];
        let mut a = MIN_ALPHA;
        while a < 1.0 {
            alphas.push(a);
            a *= 1.05;
        }
        for alpha in alphas {
            let m = MeanShift::new(CriticalValue::Adjusted { alpha }).expect("valid alpha");
            assert!(
                m.critical.iter().all(|c| c.is_finite() && *c >= 0.0),
                "{alpha}: {:?}",
                m.critical
            );
            // (Near alpha 1 the values are ~1e-8, below statrs' precision, so unordered.)
            if alpha <= 0.5 {
                assert!(
                    m.critical[0] >= m.critical[1] && m.critical[1] >= m.critical[2],
                    "{alpha}: {:?}",
                    m.critical
                );
            }
        }
        let fixed = MeanShift::new(CriticalValue::Fixed { value: 2.776 }).expect("valid");
        assert_eq!(fixed.critical, [2.776; 3]);
    }

    #[test]
    fn a_fixed_critical_value_ignores_missed_sessions() {
        // 30, 34 | 24, 20 (4 scores, pooled SD sqrt(8) = 2.83): the adjusted t (4.303 x 2.83 =
        // 12.2) rejects the shift of 10; the fixed 2.776 (7.85) accepts it.
        let x = [
            Some(30.0),
            Some(34.0),
            None,
            Some(24.0),
            Some(20.0),
            None,
            Some(24.0),
        ];
        let only_3 = |rule| {
            tang(Better::Lower)
                .critical_value(rule)
                .and_then(|o| o.without(SuddenCriterion::Cutoff))
                .and_then(|o| o.without(SuddenCriterion::Relative))
                .expect("valid")
        };
        let adjusted = only_3(CriticalValue::Adjusted { alpha: 0.05 }).gains(&[s("f", &x)]);
        let fixed = only_3(CriticalValue::Fixed { value: 2.776 }).gains(&[s("f", &x)]);
        let i = |a: &SuddenChanges| a.clients[0].intervals[1];
        assert_eq!(
            (i(&adjusted).mean_shift, i(&fixed).mean_shift),
            (Some(false), Some(true))
        );
        assert_eq!(i(&fixed).critical_value, Some(2.776));
    }

    #[test]
    fn cutoff_from_reliability_matches_define_crit1_cutoff() {
        // R: sem <- 10.5 * sqrt(1 - 0.961); sdiff <- sqrt(2 * sem^2); sdiff * 1.96
        let c = SuddenCutoff::from_reliability(10.5, 0.961).expect("valid");
        close(c.standard_error_measurement, 2.0735838541038083);
        close(c.standard_error_difference, 2.932490409191479);
        close(c.cutoff, 5.747681202015299);
        assert_eq!((c.sd, c.reliability), (10.5, 0.961));
        for (sd, r, option) in [
            (0.0, 0.9, "sd"),
            (f64::NAN, 0.9, "sd"),
            (f64::INFINITY, 0.9, "sd"),
            (10.0, 1.2, "reliability"),
            (10.0, -0.1, "reliability"),
            (10.0, f64::NAN, "reliability"),
        ] {
            let err = SuddenCutoff::from_reliability(sd, r).expect_err("invalid");
            assert!(
                matches!(err.kind(), ErrorKind::InvalidOption { option: o, .. } if *o == option),
                "{err}"
            );
        }
        assert_eq!(
            SuddenCutoff::from_reliability(10.0, 2.0)
                .expect_err("invalid")
                .to_string(),
            "reliability 2: must be between 0 and 1"
        );
    }

    #[test]
    fn options_refuse_values_they_cannot_take() {
        let o = tang(Better::Lower);
        let option_of = |r: Result<SuddenOptions>| match r.expect_err("invalid").kind() {
            ErrorKind::InvalidOption { option, .. } => *option,
            other => panic!("{other}"),
        };
        assert_eq!(
            option_of(SuddenOptions::new(Better::Lower, f64::NAN)),
            "cutoff"
        );
        assert_eq!(option_of(o.cutoff(-0.5)), "cutoff");
        assert_eq!(option_of(o.cutoff(f64::INFINITY)), "cutoff");
        assert_eq!(option_of(o.relative(-0.25)), "relative fraction");
        assert_eq!(option_of(o.relative(f64::NAN)), "relative fraction");
        for alpha in [0.0, 1e-11, 1.0, -0.05, f64::NAN, f64::INFINITY] {
            assert_eq!(
                option_of(o.critical_value(CriticalValue::Adjusted { alpha })),
                "alpha"
            );
        }
        for value in [-1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                option_of(o.critical_value(CriticalValue::Fixed { value })),
                "critical value"
            );
        }
        let two_gone = o
            .without(SuddenCriterion::Cutoff)
            .and_then(|o| o.without(SuddenCriterion::MeanShift))
            .expect("one remains");
        let err = two_gone
            .without(SuddenCriterion::Relative)
            .expect_err("none would remain");
        assert_eq!(
            err.to_string(),
            "criterion relative: is the last criterion applied; at least one must remain"
        );
        // Zero is allowed (every shift in the right direction passes), as in suddengains.
        assert!(o.cutoff(0.0).is_ok() && o.relative(0.0).is_ok());
        // A criterion can be applied again.
        let back = two_gone.cutoff(7.0).expect("valid");
        assert!(back.applies(SuddenCriterion::Cutoff) && !back.applies(SuddenCriterion::MeanShift));
    }

    #[test]
    fn series_refuse_non_finite_scores_and_bad_ids() {
        let err = ScoreSeries::new("c-1", [Some(3.0), None, Some(f64::INFINITY)]).expect_err("inf");
        assert_eq!(err.code(), "not_finite_score");
        assert_eq!(
            err.to_string(),
            "client c-1: score 3 is inf, not a finite number"
        );
        let err = ScoreSeries::new("c-1", [Some(3.0)])
            .and_then(|s| s.treatment(Some(1.0), Some(f64::NAN)))
            .expect_err("nan");
        assert_eq!(
            err.to_string(),
            "client c-1: treatment end is NaN, not a finite number"
        );
        for id in ["", " c-1", "c\u{202e}1"] {
            let err = ScoreSeries::new(id, [Some(1.0)]).expect_err("bad id");
            assert!(
                matches!(
                    err.kind(),
                    ErrorKind::InvalidText {
                        field: "client id",
                        ..
                    }
                ),
                "{err}"
            );
        }
    }

    #[test]
    fn names_read_back() {
        for k in SuddenKind::ALL {
            assert_eq!(k.name().parse::<SuddenKind>().ok(), Some(*k));
        }
        for c in SuddenCriterion::ALL {
            assert_eq!(c.name().parse::<SuddenCriterion>().ok(), Some(*c));
        }
        for p in SuddenPick::ALL {
            assert_eq!(p.name().parse::<SuddenPick>().ok(), Some(*p));
        }
        assert!("biggest".parse::<SuddenPick>().is_err());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn series_deserialize_with_validation() {
        let s: ScoreSeries = serde_json::from_str(
            r#"{"id": "c-1", "scores": [30, null, 20], "treatment": {"start": 33, "end": null}}"#,
        )
        .expect("valid");
        assert_eq!((s.treatment_start(), s.treatment_end()), (Some(33.0), None));
        let back: ScoreSeries =
            serde_json::from_str(&serde_json::to_string(&s).expect("serializes"))
                .expect("reads back");
        assert_eq!(back, s);
        let err = serde_json::from_str::<ScoreSeries>(r#"{"id": "", "scores": []}"#)
            .expect_err("empty id");
        assert!(err.to_string().contains("client id"), "{err}");
        let err = serde_json::from_str::<ScoreSeries>(r#"{"id": "a", "scores": [], "extra": 1}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("extra"), "{err}");
    }
}
