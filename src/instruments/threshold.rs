//! Interpretation thresholds: a score at or past a value raises a flag.

use crate::components::Metric;
use crate::components::Target;
use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use crate::vocab::vocabulary;
use std::fmt;

/// How a score is compared with a threshold value.
///
/// ```
/// use therapeutic_alliance::Comparison;
///
/// assert!(Comparison::AtOrBelow.holds(36.0, 36.0));
/// assert!(!Comparison::Below.holds(36.0, 36.0));
/// assert_eq!(Comparison::AtOrBelow.to_string(), "at_or_below");
/// assert_eq!(Comparison::AtOrBelow.words(), "at or below");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

vocabulary!(
    Comparison,
    "comparison",
    None,
    [Below => "below", AtOrBelow => "at_or_below", Above => "above", AtOrAbove => "at_or_above"]
);

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
    /// assert_eq!(Comparison::AtOrAbove.words(), "at or above");
    /// ```
    pub const fn words(self) -> &'static str {
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
/// The target is resolved and the value checked against the range its score can take when the
/// threshold is added to an instrument. The `source` says where the value comes from; most
/// alliance cutoffs are conventions, not validated clinical cutoffs, and the source should say so.
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
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "String::is_empty")
    )]
    source: String,
}

impl Threshold {
    /// A threshold raising `message` when the `target`'s `metric` compares with `value`.
    ///
    /// # Errors
    /// - [`ErrorKind::NonFiniteThreshold`] if `value` is NaN or infinite;
    /// - [`ErrorKind::InvalidText`] for an empty message or one with control, invisible or
    ///   bidirectional characters.
    ///
    /// Whether the target exists and the value is in its score's range is checked when the
    /// threshold is added to an instrument ([`ErrorKind::UnknownTarget`],
    /// [`ErrorKind::ThresholdOutOfRange`]).
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new("bond", Metric::Mean, Comparison::Below, 3.0, "check in about the bond")?;
    /// assert_eq!(t.value(), 3.0);
    /// assert!(Threshold::new("total", Metric::Sum, Comparison::Below, f64::NAN, "x").is_err());
    /// assert!(Threshold::new("total", Metric::Sum, Comparison::Below, 30.0, "").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        target: impl Into<Target>,
        metric: Metric,
        comparison: Comparison,
        value: f64,
        message: impl Into<String>,
    ) -> Result<Self> {
        if !value.is_finite() {
            return Err(ErrorKind::NonFiniteThreshold { value }.into());
        }
        let message = message.into();
        check_field(TextRule::Label, "threshold message", &message)?;
        Ok(Threshold {
            target: target.into(),
            metric,
            comparison,
            value,
            message,
            source: String::new(),
        })
    }

    /// The same threshold with a note on where its value comes from.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Metric, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let t = Threshold::new("total", Metric::Pomp, Comparison::Below, 50.0, "talk about it")?
    ///     .with_source("a convention");
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
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.thresholds()[0].target(), &therapeutic_alliance::Target::Total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sum, mean or percent of maximum.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let cbt = therapeutic_alliance::catalog::require("cbt-client")?;
    /// assert_eq!(cbt.thresholds()[0].metric(), therapeutic_alliance::Metric::Pomp);
    /// # Ok(())
    /// # }
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// How the score is compared.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.thresholds()[0].comparison(), therapeutic_alliance::Comparison::AtOrBelow);
    /// # Ok(())
    /// # }
    /// ```
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The threshold value.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.thresholds()[0].value(), 36.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self) -> f64 {
        self.value
    }

    /// What the flag says.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.thresholds()[0].message(), "discuss the relationship");
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the value comes from (empty if not given).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert!(srs.thresholds()[0].source().contains("not a validated cutoff"));
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
            self.metric.label(),
            self.comparison.words(),
            crate::error::Num(self.value),
            self.message
        )
    }
}

impl TryFrom<ThresholdDef> for Threshold {
    type Error = crate::Error;

    fn try_from(d: ThresholdDef) -> Result<Self> {
        if !d.source.is_empty() {
            check_field(TextRule::Label, "threshold source", &d.source)?;
        }
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
