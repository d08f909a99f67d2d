//! Metrics and the flags thresholds raise.

use crate::components::{Metric, Target};
use crate::error::Num;
use crate::instruments::{Comparison, Threshold};
use std::fmt;

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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "FlagRecord", into = "FlagRecord")
)]
pub struct Flag {
    threshold: Threshold,
    score: f64,
}

/// The serialized form of a flag: the threshold's fields beside the score, read back through
/// [`Threshold::new`] so a stored flag is validated as a new threshold is.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagRecord {
    target: Target,
    metric: Metric,
    comparison: Comparison,
    threshold: f64,
    score: f64,
    message: String,
    #[serde(default)]
    source: String,
}

#[cfg(feature = "serde")]
impl TryFrom<FlagRecord> for Flag {
    type Error = crate::error::Error;

    fn try_from(r: FlagRecord) -> Result<Self, Self::Error> {
        let threshold = Threshold::new(r.target, r.metric, r.comparison, r.threshold, r.message)?
            .with_source(r.source);
        Ok(Flag::new(&threshold, r.score))
    }
}

#[cfg(feature = "serde")]
impl From<Flag> for FlagRecord {
    fn from(f: Flag) -> Self {
        let score = f.score;
        let t = f.threshold;
        FlagRecord {
            target: t.target().clone(),
            metric: t.metric(),
            comparison: t.comparison(),
            threshold: t.value(),
            score,
            message: t.message().to_owned(),
            source: t.source().to_owned(),
        }
    }
}

impl Flag {
    pub(crate) fn new(t: &Threshold, score: f64) -> Self {
        Flag {
            threshold: t.clone(),
            score,
        }
    }

    /// The threshold that the score crossed, as the instrument defines it.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert_eq!(flags[0].crossed(), &srs.thresholds()[0]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn crossed(&self) -> &Threshold {
        &self.threshold
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
        self.threshold.target()
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
        self.threshold.metric()
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
        self.threshold.comparison()
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
        self.threshold.value()
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
        self.threshold.message()
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
        self.threshold.source()
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} is {} {}: {}",
            self.threshold.target(),
            self.threshold.metric().label(),
            Num(self.score),
            self.threshold.comparison().words(),
            Num(self.threshold.value()),
            self.threshold.message()
        )
    }
}
