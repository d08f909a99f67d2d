//! Metrics and the flags thresholds raise.

use crate::components::Target;
use crate::error::Num;
use crate::instruments::{Comparison, ScoringRule, Threshold};
use crate::vocab::vocabulary;
use std::fmt;

/// Which form of a score: the (prorated) sum, the mean item score, or the percent of maximum.
///
/// Its token (`sum`, `mean`, `pomp`) is used by `Display`, `FromStr`, serde, column names and
/// the command line alike; [`Metric::label`] gives words for prose.
///
/// ```
/// use therapeutic_alliance::Metric;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("pomp".parse::<Metric>()?, Metric::Pomp);
/// assert_eq!(Metric::Pomp.to_string(), "pomp");
/// assert_eq!(Metric::Pomp.label(), "percent of maximum");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// The (prorated) sum.
    Sum,
    /// The mean item score.
    Mean,
    /// Percent of the maximum possible score, 0-100.
    Pomp,
}

vocabulary!(Metric, "metric", None, [Sum => "sum", Mean => "mean", Pomp => "pomp"]);

impl Metric {
    /// Words for messages: "sum", "mean", "percent of maximum".
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Metric::Mean.label(), "mean");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            Metric::Sum => "sum",
            Metric::Mean => "mean",
            Metric::Pomp => "percent of maximum",
        }
    }
}

impl From<ScoringRule> for Metric {
    /// The metric an instrument's scoring rule reports: [`Metric::Sum`] or [`Metric::Mean`].
    fn from(rule: ScoringRule) -> Self {
        match rule {
            ScoringRule::Mean => Metric::Mean,
            _ => Metric::Sum,
        }
    }
}

/// A threshold that a score crossed. A flag owns its data, so a session monitor can keep it (and,
/// with `serde`, store and reload it).
///
/// With `serde` it serializes as
/// `{"target": "total", "metric": "sum", "comparison": "at_or_below", "threshold": 36.0,
/// "score": 34.6, "message": "discuss the relationship", "source": "..."}`.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).answers([("1", 9.0), ("2", 8.5), ("3", 9.1), ("4", 8.0)])?.build()?;
/// let flags = adm.flags();
/// assert_eq!((flags.len(), flags[0].score()), (1, 34.6));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Flag {
    target: Target,
    metric: Metric,
    comparison: Comparison,
    threshold: f64,
    score: f64,
    message: String,
    #[cfg_attr(feature = "serde", serde(default))]
    source: String,
}

impl Flag {
    pub(crate) fn new(t: &Threshold, score: f64) -> Self {
        Flag {
            target: t.target().clone(),
            metric: t.metric(),
            comparison: t.comparison(),
            threshold: t.value(),
            score,
            message: t.message().to_owned(),
            source: t.source().to_owned(),
        }
    }

    /// The score the threshold reads.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert_eq!(flags[0].target(), &therapeutic_alliance::Target::Total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The metric the threshold reads.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let cbt = therapeutic_alliance::catalog::require("cbt-client")?;
    /// let flags = cbt.score_values(&[Some(2.0); 12])?.flags();
    /// assert_eq!(flags[0].metric(), therapeutic_alliance::Metric::Pomp);
    /// # Ok(())
    /// # }
    /// ```
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// How the score was compared.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(9.0); 4])?.flags();
    /// assert_eq!(flags[0].comparison(), therapeutic_alliance::Comparison::AtOrBelow);
    /// # Ok(())
    /// # }
    /// ```
    pub fn comparison(&self) -> Comparison {
        self.comparison
    }

    /// The threshold value crossed.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert_eq!(flags[0].threshold(), 36.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The score that crossed it.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let cbt = therapeutic_alliance::catalog::require("cbt-client")?;
    /// // All 2s: items 4, 8 and 12 are reversed (score 4), so the total is 9 x 2 + 3 x 4 = 30
    /// // of 12..60: 37.5% of maximum.
    /// let flags = cbt.score_values(&[Some(2.0); 12])?.flags();
    /// assert_eq!(flags[0].score(), 37.5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> f64 {
        self.score
    }

    /// What the flag says.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert_eq!(flags[0].message(), "discuss the relationship");
    /// # Ok(())
    /// # }
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the threshold value comes from (empty if not given).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert!(flags[0].source().contains("convention"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} is {} {}: {}",
            self.target,
            self.metric.label(),
            Num(self.score),
            self.comparison.words(),
            Num(self.threshold),
            self.message
        )
    }
}
