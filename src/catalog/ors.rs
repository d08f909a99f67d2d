//! # ORS: Outcome Rating Scale
//!
//! Miller, S. D., Duncan, B. L., Brown, J., Sparks, J. A., & Claud, D. A. (2003). The Outcome
//! Rating Scale: a preliminary study of the reliability, validity, and feasibility of a brief
//! visual analog measure. *Journal of Brief Therapy*, 2(2), 91-100.
//!
//! The outcome companion of the [SRS](super::srs), given at the start of each session.
//!
//! **Id:** `ors`; version `adult` (cutoff 25), `adolescent` (28) or `child` (32), see
//! [`for_population`].
//! **Items:** 4 visual-analogue lines, identified by number 1-4: 1 individual, 2 interpersonal,
//! 3 social, 4 overall. The forms are licensed by their owners; only the scoring facts ship.
//! **Response range:** 0 to 10, read to one decimal (a 10 cm line measured in cm).
//! **Score:** sum of the four lines, 0-40. **Higher is better.**
//! **Missing items:** each line is its own subscale, so every line must be answered for a total.
//! **Clinical cutoff:** a total below 25 for adults (confirmed) is flagged as in the clinical
//! range; 28 for ages 13-17 and 32 for children (secondary). Sources disagree whether exactly
//! 25 is clinical: the catalog flags scores *below* the cutoff; [`with_cutoff`] chooses
//! another value or comparison.
//! **Reliable change:** 5 points (secondary).
//! **Codes:** none (no LOINC code exists for the ORS).
//! **Confidence:** the format is confirmed; the adult cutoff is confirmed; the other cutoffs and
//! the reliable change are secondary.
//!
//! | subscale | label | items |
//! |---|---|---|
//! | `individual` | Individual | 1 |
//! | `interpersonal` | Interpersonal | 2 |
//! | `social` | Social | 3 |
//! | `overall` | Overall | 4 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let ors = therapeutic_alliance::catalog::ors::instrument();
//! let scores = ors.score_values(&[Some(6.0), Some(7.5), Some(5.0), Some(6.0)])?;
//! assert_eq!(scores.primary("total"), Some(24.5));
//! assert_eq!(scores.flags()[0].message(), "clinical range");
//! # Ok(())
//! # }
//! ```

use super::KEY_ONLY;
use crate::components::Better;
use crate::components::Metric;
use crate::error::Result;
use crate::instruments::{
    Comparison, Confidence, Instrument, Provenance, ReliableChangeAmount, Subscale, Threshold,
};
use crate::scale::ResponseScale;

/// The ORS with the adult cutoff (the same as `catalog::require("ors")`).
///
/// ```
/// let ors = therapeutic_alliance::catalog::ors::instrument();
/// assert_eq!((ors.version(), ors.thresholds()[0].value()), ("adult", 25.0));
/// ```
pub fn instrument() -> Instrument {
    super::cached("ors")
}

/// Whose cutoff applies.
///
/// ```
/// use therapeutic_alliance::catalog::ors::{self, Population};
///
/// assert_eq!(Population::Adolescent.cutoff(), 28.0);
/// assert_eq!(ors::for_population(Population::Child).thresholds()[0].value(), 32.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Population {
    /// Adults: cutoff 25 (confirmed).
    Adult,
    /// Ages 13-17: cutoff 28 (secondary).
    Adolescent,
    /// Children: cutoff 32 (secondary).
    Child,
}

impl Population {
    /// The clinical cutoff of the ORS total for this population.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::catalog::ors::Population::Adult.cutoff(), 25.0);
    /// ```
    pub const fn cutoff(self) -> f64 {
        match self {
            Population::Adult => 25.0,
            Population::Adolescent => 28.0,
            Population::Child => 32.0,
        }
    }

    /// The version name of the ORS with this population's cutoff.
    const fn version(self) -> &'static str {
        match self {
            Population::Adult => "adult",
            Population::Adolescent => "adolescent",
            Population::Child => "child",
        }
    }
}

/// The ORS with this population's cutoff (versions `adult`, `adolescent`, `child`).
///
/// ```
/// use therapeutic_alliance::catalog::ors::{self, Population};
///
/// let teen = ors::for_population(Population::Adolescent);
/// assert_eq!(teen.version(), "adolescent");
/// ```
pub fn for_population(population: Population) -> Instrument {
    match population {
        Population::Adult => instrument(),
        // The three definitions are constants tested in `catalog::tests`; the fallback is
        // never taken.
        other => define(other).unwrap_or_else(|_| instrument()),
    }
}

/// The ORS flagging a total that compares with `cutoff` as `comparison` says, e.g.
/// `with_cutoff(25.0, Comparison::AtOrBelow)` for services that count exactly 25 as clinical.
/// Its version is `cutoff <comparison> <value>`, e.g. `cutoff at_or_below 25`.
///
/// # Errors
/// [`ErrorKind::NonFiniteThreshold`](crate::ErrorKind::NonFiniteThreshold) for a NaN or infinite cutoff;
/// [`ErrorKind::ThresholdOutOfRange`](crate::ErrorKind::ThresholdOutOfRange) for one outside 0-40.
///
/// ```
/// use therapeutic_alliance::{catalog::ors, Comparison};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let strict = ors::with_cutoff(25.0, Comparison::AtOrBelow)?;
/// let scores = strict.score_values(&[Some(6.0), Some(7.0), Some(6.0), Some(6.0)])?;
/// assert_eq!(scores.flags().len(), 1, "exactly 25 counts as clinical here");
/// assert!(ors::with_cutoff(41.0, Comparison::Below).is_err());
/// # Ok(())
/// # }
/// ```
pub fn with_cutoff(cutoff: f64, comparison: Comparison) -> Result<Instrument> {
    // A NaN or infinite cutoff is refused by Threshold::new.
    instrument()
        .to_builder()
        .version(format!("cutoff {comparison} {}", crate::error::Num(cutoff)))
        .clear_thresholds()
        .threshold(clinical(cutoff, comparison, "a cutoff chosen by the user")?)
        .build()
}

fn clinical(cutoff: f64, comparison: Comparison, source: &str) -> Result<Threshold> {
    Ok(
        Threshold::new("total", Metric::Sum, comparison, cutoff, "clinical range")?
            .with_source(source),
    )
}

pub(super) fn define(population: Population) -> Result<Instrument> {
    let source = match population {
        Population::Adult => {
            "adult clinical cutoff 25 (confirmed); sources disagree whether exactly 25 is clinical"
        }
        Population::Adolescent => "cutoff 28 for ages 13-17 (secondary)",
        Population::Child => "cutoff 32 for children (secondary)",
    };
    let line = |id: &str, label: &str, n: u32| Subscale::new(id, label, [n.to_string()]);
    Instrument::builder(
        "ors",
        "Outcome Rating Scale (ORS)",
        ResponseScale::visual_analogue(0.0, 10.0, 1)?,
    )
    .version(population.version())
    .items(["1", "2", "3", "4"])
    .subscales([
        line("individual", "Individual", 1),
        line("interpersonal", "Interpersonal", 2),
        line("social", "Social", 3),
        line("overall", "Overall", 4),
    ])
    .citation(
        "Miller, S. D., Duncan, B. L., Brown, J., Sparks, J. A., & Claud, D. A. (2003). The \
         Outcome Rating Scale: a preliminary study of the reliability, validity, and \
         feasibility of a brief visual analog measure. Journal of Brief Therapy, 2(2), 91-100",
    )
    .provenance(Provenance::new(
        Confidence::Confirmed,
        "format confirmed: four 10 cm lines scored 0-10 to one decimal, total 0-40; adult \
         cutoff 25 confirmed; cutoffs 28 (13-17) and 32 (children) and the 5-point reliable \
         change are secondary",
    ))
    .license(KEY_ONLY)
    .better(Better::Higher)
    .threshold(clinical(population.cutoff(), Comparison::Below, source)?)
    .reliable_change(
        ReliableChangeAmount::new("total", Metric::Sum, 5.0)?
            .with_source("5 points (secondary: Miller et al.'s reliable change index)"),
    )
    .build()
}
