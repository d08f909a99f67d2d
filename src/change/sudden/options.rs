//! How sudden gains and losses are identified: [`SuddenOptions`], criterion 3's
//! [`CriticalValue`] and criterion 1's [`SuddenCutoff`].

use super::SuddenCriterion;
use crate::change::Better;
#[allow(unused_imports)] // doc links
use crate::change::{ScoreSeries, SessionTable, SuddenChanges, SuddenPick};
use crate::error::{ErrorKind, Result};
use crate::stats;

/// The critical value of criterion 3.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{CriticalValue, SuddenOptions};
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
/// use therapeutic_alliance::change::SuddenCutoff;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{SuddenCutoff, SuddenOptions};
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
/// `identify_sg_1to2 = TRUE` is [`ScoreSeries::starting_at`]`(0)` (or session 0 in a long
/// table);
/// `identify = "sl"` is [`losses`](SuddenOptions::losses); `tx_start_var_name` and
/// `tx_end_var_name` are [`ScoreSeries::treatment`] or [`SessionTable::treatment`]; `multiple_sg_select` is the
/// [`SuddenPick`] of [`SuddenChanges::by_client`]. The clients are the rows of a
/// [`SessionTable`], in the order of their first row (suddengains sorts them by id).
///
/// # Options
///
/// [`new`](SuddenOptions::new) applies all three criteria of Tang & DeRubeis (1999) as
/// suddengains does by default: the cutoff given, 25% of the pre-gain score, and the mean shift
/// with Student's t adjusted for missed sessions at alpha .05.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenCriterion, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let bdi = [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)];
/// let clients = SessionTable::from_wide([ScoreSeries::new("4", bdi)?])?;
/// let options = SuddenOptions::new(Better::Lower, 7.0)?;
/// let gains = options.gains(&clients)?;
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
    pub(super) better: Better,
    pub(super) cutoff: Option<f64>,
    pub(super) relative: Option<f64>,
    pub(super) mean_shift: Option<MeanShift>,
}

/// The smallest alpha criterion 3 takes.
pub(super) const MIN_ALPHA: f64 = 1e-10;

/// Criterion 3's rule and its critical values for 2, 3 and 4 degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct MeanShift {
    pub(super) rule: CriticalValue,
    pub(super) critical: [f64; 3],
}

impl MeanShift {
    pub(super) fn new(rule: CriticalValue) -> Result<Self> {
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
    pub(super) fn critical(&self, scores: usize) -> Option<f64> {
        self.critical.get(scores.checked_sub(4)?).copied()
    }
}

/// An [`ErrorKind::InvalidOption`] for a numeric option.
pub(super) fn invalid(option: &'static str, value: f64, reason: &str) -> crate::Error {
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{CriticalValue, SuddenCriterion, SuddenOptions};
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::SuddenOptions;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::SuddenOptions;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{CriticalValue, SuddenOptions};
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{SuddenCriterion, SuddenOptions};
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

    /// Which direction is improvement.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::SuddenOptions;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::SuddenOptions;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::SuddenOptions;
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{CriticalValue, SuddenOptions};
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
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{SuddenCriterion, SuddenOptions};
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
}
