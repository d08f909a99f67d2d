//! Interpretation thresholds: a score at or past a value raises a flag.

use crate::components::Target;
use crate::error::{Error, Result};
use std::fmt;

/// Which form of a score a threshold reads.
///
/// ```
/// use therapeutic_alliance::Metric;
///
/// assert_eq!(Metric::PercentOfMaximum.name(), "percent of maximum");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Metric {
    /// The (prorated) sum.
    Sum,
    /// The mean item score.
    Mean,
    /// Percent of the maximum possible score, 0-100.
    PercentOfMaximum,
}

impl Metric {
    /// The name used in messages.
    ///
    /// ```
    /// use therapeutic_alliance::Metric;
    ///
    /// assert_eq!(Metric::Sum.name(), "sum");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Metric::Sum => "sum",
            Metric::Mean => "mean",
            Metric::PercentOfMaximum => "percent of maximum",
        }
    }
}

impl From<super::ScoringRule> for Metric {
    /// The metric an instrument's scoring rule reports: [`Metric::Sum`] or [`Metric::Mean`].
    fn from(rule: super::ScoringRule) -> Self {
        match rule {
            super::ScoringRule::Sum => Metric::Sum,
            super::ScoringRule::Mean => Metric::Mean,
        }
    }
}

/// How a score is compared with a threshold value.
///
/// ```
/// use therapeutic_alliance::Comparison;
///
/// assert!(Comparison::AtOrBelow.holds(36.0, 36.0));
/// assert!(!Comparison::Below.holds(36.0, 36.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Comparison {
    /// Score < value.
    Below,
    /// Score <= value.
    AtOrBelow,
    /// Score > value.
    Above,
    /// Score >= value.
    AtOrAbove,
}

impl Comparison {
    /// Whether `score` compared with `value` raises the flag.
    ///
    /// ```
    /// use therapeutic_alliance::Comparison;
    ///
    /// assert!(Comparison::Above.holds(5.0, 4.0));
    /// assert!(Comparison::AtOrAbove.holds(4.0, 4.0));
    /// ```
    pub fn holds(self, score: f64, value: f64) -> bool {
        match self {
            Comparison::Below => score < value,
            Comparison::AtOrBelow => score <= value,
            Comparison::Above => score > value,
            Comparison::AtOrAbove => score >= value,
        }
    }

    /// The words used in messages: "below", "at or below", ...
    ///
    /// ```
    /// use therapeutic_alliance::Comparison;
    ///
    /// assert_eq!(Comparison::AtOrBelow.name(), "at or below");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Comparison::Below => "below",
            Comparison::AtOrBelow => "at or below",
            Comparison::Above => "above",
            Comparison::AtOrAbove => "at or above",
        }
    }
}

/// A rule that flags a score: "SRS total at or below 36: discuss the relationship".
///
/// The value is checked against the range its score can take when the threshold is added to an
/// instrument. The `source` says where the value comes from; most alliance cutoffs are conventions,
/// not validated clinical cutoffs, and the source should say so.
///
/// ```
/// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let t = Threshold::new(Target::Total, Metric::Sum, Comparison::AtOrBelow, 36.0, "discuss the relationship")?
///     .with_source("a measurement-based-care convention, not a validated cutoff");
/// assert_eq!(t.to_string(), "total sum at or below 36: discuss the relationship");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ThresholdDef", into = "ThresholdDef")
)]
pub struct Threshold {
    target: Target,
    metric: Metric,
    comparison: Comparison,
    value: f64,
    message: String,
    source: String,
}

/// Serialized form of a threshold.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub(crate) struct ThresholdDef {
    target: Target,
    metric: Metric,
    comparison: Comparison,
    value: f64,
    message: String,
    #[cfg_attr(feature = "serde", serde(default))]
    source: String,
}

impl Threshold {
    /// A threshold raising `message` when the `target`'s `metric` compares with `value`.
    ///
    /// # Errors
    /// [`Error::NonFiniteThreshold`] if `value` is NaN or infinite. Whether the value is in the
    /// score's range is checked when the threshold is added to an instrument
    /// ([`Error::ThresholdOutOfRange`]).
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.value(), 50.0);
    /// assert!(Threshold::new(Target::Total, Metric::Sum, Comparison::Below, f64::NAN, "x").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        target: Target,
        metric: Metric,
        comparison: Comparison,
        value: f64,
        message: impl Into<String>,
    ) -> Result<Self> {
        if !value.is_finite() {
            return Err(Error::NonFiniteThreshold { value });
        }
        Ok(Threshold {
            target,
            metric,
            comparison,
            value,
            message: message.into(),
            source: String::new(),
        })
    }

    /// The same threshold with a note on where its value comes from.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// let t = t.with_source("a convention");
    /// assert_eq!(t.source(), "a convention");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// The score it reads.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.target(), Target::Total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn target(&self) -> Target {
        self.target
    }

    /// Sum, mean or percent of maximum.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.metric(), Metric::PercentOfMaximum);
    /// # Ok(())
    /// # }
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// How the score is compared.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.comparison(), Comparison::Below);
    /// # Ok(())
    /// # }
    /// ```
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The threshold value.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.value(), 50.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self) -> f64 {
        self.value
    }

    /// What the flag says.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.message(), "talk about it");
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the value comes from (empty if not given).
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new(Target::Total, Metric::PercentOfMaximum, Comparison::Below, 50.0, "talk about it")?;
    /// assert_eq!(t.source(), "");
    /// # Ok(())
    /// # }
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}: {}",
            self.target,
            self.metric.name(),
            self.comparison.name(),
            self.value,
            self.message
        )
    }
}

impl TryFrom<ThresholdDef> for Threshold {
    type Error = Error;

    fn try_from(d: ThresholdDef) -> Result<Self> {
        Ok(
            Threshold::new(d.target, d.metric, d.comparison, d.value, d.message)?
                .with_source(d.source),
        )
    }
}

impl From<Threshold> for ThresholdDef {
    fn from(t: Threshold) -> Self {
        ThresholdDef {
            target: t.target,
            metric: t.metric,
            comparison: t.comparison,
            value: t.value,
            message: t.message,
            source: t.source,
        }
    }
}

/// A threshold that a score crossed.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::get("srs").ok_or("missing")?;
/// let adm = Administration::builder(srs)
///     .answer("1", 9.0)?.answer("2", 8.5)?.answer("3", 9.1)?.answer("4", 8.0)?
///     .build()?;
/// let scores = adm.score();
/// let flags: Vec<_> = adm.instrument().flags(&scores).collect();
/// assert_eq!(flags.len(), 1);
/// assert_eq!(flags[0].score(), 34.6);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flag<'a> {
    threshold: &'a Threshold,
    score: f64,
}

impl<'a> Flag<'a> {
    pub(crate) fn new(threshold: &'a Threshold, score: f64) -> Self {
        Flag { threshold, score }
    }

    /// The threshold crossed.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let scores = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?;
    /// let flag = srs.flags(&scores).next().ok_or("flagged")?;
    /// assert_eq!(flag.threshold().value(), 36.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn threshold(&self) -> &'a Threshold {
        self.threshold
    }

    /// The score that crossed it.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let scores = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?;
    /// let flag = srs.flags(&scores).next().ok_or("flagged")?;
    /// assert_eq!(flag.score(), 35.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> f64 {
        self.score
    }

    /// What the flag says.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let scores = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?;
    /// let flag = srs.flags(&scores).next().ok_or("flagged")?;
    /// assert_eq!(flag.message(), "discuss the relationship");
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self) -> &'a str {
        self.threshold.message()
    }
}

impl fmt::Display for Flag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.threshold;
        write!(
            f,
            "{} {} {} is {} {}: {}",
            t.target,
            t.metric.name(),
            self.score,
            t.comparison.name(),
            t.value,
            t.message
        )
    }
}
