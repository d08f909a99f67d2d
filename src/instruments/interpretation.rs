//! What a score means beyond a single threshold: severity bands, the reliable-change amount and
//! the direction of improvement.

use crate::components::Metric;
use crate::components::Target;
use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use std::fmt;

/// Named bands of a score, each running from its lower bound up to the next band's: the PHQ-9's
/// severity bands minimal 0-4, mild 5-9, moderate 10-14, moderately severe 15-19, severe 20-27.
///
/// Bands are given by their lower bounds, in increasing order, so they cannot overlap or leave a
/// gap above the first. A score below the first bound is in no band.
///
/// With `serde`:
/// `{"target": "total", "metric": "sum", "bands": [{"from": 0.0, "label": "minimal"}, …]}`.
///
/// ```
/// use therapeutic_alliance::{Bands, Metric};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let severity = Bands::new("total", Metric::Sum, [(0.0, "low"), (10.0, "high")])?;
/// assert_eq!(severity.classify(9.5), Some("low"));
/// assert_eq!(severity.classify(10.0), Some("high"));
/// assert!(Bands::new("total", Metric::Sum, [(10.0, "high"), (0.0, "low")]).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "BandsDef", into = "BandsDef")
)]
pub struct Bands {
    target: Target,
    metric: Metric,
    bands: Vec<Band>,
}

/// One band of a [`Bands`]: where it starts and what it is called.
///
/// ```
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
/// let moderate = &phq9.bands()[0].bands()[2];
/// assert_eq!((moderate.from(), moderate.label()), (10.0, "moderate"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Band {
    from: f64,
    label: String,
}

/// Serialized form of [`Bands`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub(crate) struct BandsDef {
    target: Target,
    metric: Metric,
    bands: Vec<Band>,
}

impl Bands {
    /// Bands of the `target`'s `metric`, from `(lower bound, label)` pairs in increasing order.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] if there are no bands, a bound is not finite or the bounds
    /// do not strictly increase; [`ErrorKind::InvalidText`] for an empty or malformed label.
    /// Whether the target exists and the bounds lie in its range is checked when the bands are
    /// added to an instrument.
    ///
    /// ```
    /// use therapeutic_alliance::{Bands, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let b = Bands::new("bond", Metric::Mean, [(1.0, "weak"), (3.0, "fair"), (4.0, "strong")])?;
    /// assert_eq!(b.bands().len(), 3);
    /// assert!(Bands::new("bond", Metric::Mean, [(1.0, "weak"), (f64::NAN, "fair")]).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new<L: Into<String>>(
        target: impl Into<Target>,
        metric: Metric,
        bands: impl IntoIterator<Item = (f64, L)>,
    ) -> Result<Self> {
        let bands: Vec<Band> = bands
            .into_iter()
            .map(|(from, label)| Band {
                from,
                label: label.into(),
            })
            .collect();
        BandsDef {
            target: target.into(),
            metric,
            bands,
        }
        .try_into()
    }

    /// The score the bands read.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.bands()[0].target(), &therapeutic_alliance::Target::Total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The metric the bounds are in.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.bands()[0].metric(), therapeutic_alliance::Metric::Sum);
    /// # Ok(())
    /// # }
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The bands, lowest first.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.bands()[0].bands().len(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The label of the band `score` falls in: the last band starting at or below it.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.bands()[0].classify(19.0), Some("moderately severe"));
    /// assert_eq!(phq9.bands()[0].classify(-1.0), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn classify(&self, score: f64) -> Option<&str> {
        self.bands
            .iter()
            .rev()
            .find(|b| b.from <= score)
            .map(|b| b.label.as_str())
    }
}

impl Band {
    /// Where the band starts (inclusive).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.bands()[0].bands()[4].from(), 20.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from(&self) -> f64 {
        self.from
    }

    /// Its name.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.bands()[0].bands()[0].label(), "minimal");
    /// # Ok(())
    /// # }
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl TryFrom<BandsDef> for Bands {
    type Error = crate::Error;

    fn try_from(d: BandsDef) -> Result<Self> {
        let invalid = |reason: String| -> crate::Error {
            ErrorKind::InvalidDefinition {
                field: "bands",
                reason,
            }
            .into()
        };
        if d.bands.is_empty() {
            return Err(invalid(format!("bands of {} list no band", d.target)));
        }
        let mut previous = f64::NEG_INFINITY;
        for b in &d.bands {
            check_field(TextRule::Label, "band label", &b.label)?;
            if !b.from.is_finite() || b.from <= previous {
                return Err(invalid(format!(
                    "band {:?} starts at {}: bounds must be finite and strictly increasing",
                    b.label,
                    crate::error::Num(b.from)
                )));
            }
            previous = b.from;
        }
        Ok(Bands {
            target: d.target,
            metric: d.metric,
            bands: d.bands,
        })
    }
}

impl From<Bands> for BandsDef {
    fn from(b: Bands) -> Self {
        BandsDef {
            target: b.target,
            metric: b.metric,
            bands: b.bands,
        }
    }
}

/// The smallest change in a score that counts as reliable, as an instrument's convention states
/// it: 6 points on the PHQ-9 and 4 on the GAD-7 in NHS Talking Therapies, 5 on the ORS.
///
/// A change of at least `points` in the better direction is a reliable improvement; the same
/// in the worse direction a reliable deterioration. To derive the amount from a reliability and
/// a standard deviation instead, use the reliable change index (Jacobson and Truax 1991).
///
/// With `serde`: `{"target": "total", "metric": "sum", "points": 6.0, "source": "…"}`.
///
/// ```
/// use therapeutic_alliance::{Better, Metric, ReliableChangeAmount};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rc = ReliableChangeAmount::new("total", Metric::Sum, 6.0)?;
/// assert!(rc.is_reliable(Better::Lower.improvement(18.0, 12.0)));
/// assert!(!rc.is_reliable(Better::Lower.improvement(18.0, 13.0)));
/// assert!(ReliableChangeAmount::new("total", Metric::Sum, 0.0).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ReliableChangeDef", into = "ReliableChangeDef")
)]
pub struct ReliableChangeAmount {
    target: Target,
    metric: Metric,
    points: f64,
    source: String,
}

/// Serialized form of [`ReliableChangeAmount`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub(crate) struct ReliableChangeDef {
    target: Target,
    metric: Metric,
    points: f64,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "String::is_empty")
    )]
    source: String,
}

impl ReliableChangeAmount {
    /// A reliable change of at least `points` in the `target`'s `metric`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDefinition`] unless `points` is finite and positive. Whether the
    /// target exists and the amount fits its range is checked when it is added to an instrument.
    ///
    /// ```
    /// use therapeutic_alliance::{Metric, ReliableChangeAmount};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeAmount::new("bond", Metric::Mean, 0.75)?;
    /// assert_eq!(rc.points(), 0.75);
    /// assert!(ReliableChangeAmount::new("bond", Metric::Mean, f64::INFINITY).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(target: impl Into<Target>, metric: Metric, points: f64) -> Result<Self> {
        ReliableChangeDef {
            target: target.into(),
            metric,
            points,
            source: String::new(),
        }
        .try_into()
    }

    /// The same with a note on where the amount comes from.
    ///
    /// ```
    /// use therapeutic_alliance::{Metric, ReliableChangeAmount};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rc = ReliableChangeAmount::new("total", Metric::Sum, 5.0)?.with_source("clinic convention");
    /// assert_eq!(rc.source(), "clinic convention");
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
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// let rc = phq9.reliable_change().ok_or("no amount")?;
    /// assert_eq!(rc.target(), &therapeutic_alliance::Target::Total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The metric the amount is in.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ors = therapeutic_alliance::catalog::require("ors")?;
    /// assert_eq!(ors.reliable_change().map(|rc| rc.metric()), Some(therapeutic_alliance::Metric::Sum));
    /// # Ok(())
    /// # }
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// The amount: a change of at least this much is reliable.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.reliable_change().map(|rc| rc.points()), Some(4.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn points(&self) -> f64 {
        self.points
    }

    /// Where the amount comes from (empty if not given).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert!(gad7.reliable_change().is_some_and(|rc| rc.source().contains("Talking Therapies")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether a change of `amount` (in either direction) is at least the reliable amount.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// let rc = gad7.reliable_change().ok_or("no amount")?;
    /// assert!(rc.is_reliable(-4.0) && !rc.is_reliable(3.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_reliable(&self, amount: f64) -> bool {
        amount.abs() >= self.points
    }
}

impl fmt::Display for ReliableChangeAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} change of at least {}",
            self.target,
            self.metric.label(),
            crate::error::Num(self.points)
        )
    }
}

impl TryFrom<ReliableChangeDef> for ReliableChangeAmount {
    type Error = crate::Error;

    fn try_from(d: ReliableChangeDef) -> Result<Self> {
        if !d.points.is_finite() || d.points <= 0.0 {
            return Err(ErrorKind::InvalidDefinition {
                field: "reliable_change",
                reason: format!(
                    "the reliable-change amount is {}; it must be finite and positive",
                    crate::error::Num(d.points)
                ),
            }
            .into());
        }
        if !d.source.is_empty() {
            check_field(TextRule::Label, "reliable-change source", &d.source)?;
        }
        Ok(ReliableChangeAmount {
            target: d.target,
            metric: d.metric,
            points: d.points,
            source: d.source,
        })
    }
}

impl From<ReliableChangeAmount> for ReliableChangeDef {
    fn from(r: ReliableChangeAmount) -> Self {
        ReliableChangeDef {
            target: r.target,
            metric: r.metric,
            points: r.points,
            source: r.source,
        }
    }
}
