//! # PHQ-9: Patient Health Questionnaire, depression module
//!
//! Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: validity of a brief
//! depression severity measure. *Journal of General Internal Medicine*, 16(9), 606-613.
//!
//! An outcome measure, scored beside the alliance in measurement-based care.
//!
//! **Id:** `phq-9`, version `1`.
//! **Items:** 9, identified by number 1-9 (the crate ships no wording). The 10th question, on
//! difficulty, is not part of the total and is not an item here.
//! **Response range:** 0 to 3 (0 Not at all .. 3 Nearly every day).
//! **Reversed items:** none.
//! **Score:** sum of the 9 items, 0-27. **Lower is better** ([`Better::Lower`](crate::Better)).
//! **Missing items:** every item must be answered (no prorating); replace the rule with
//! [`Instrument::to_builder`] and a new version if your service prorates.
//! **Severity bands:** 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
//! **Caseness:** total at or above 10 (NHS Talking Therapies), raised as a flag.
//! **Reliable change:** 6 points (NHS Talking Therapies).
//! **LOINC:** panel 44249-1, total 44261-6, items 44250-9, 44255-8, 44259-0, 44254-1, 44251-7,
//! 44258-2, 44252-5, 44253-3, 44260-8; answers LA6568-5 (0), LA6569-3 (1), LA6570-1 (2),
//! LA6571-9 (3). The difficulty question is 69722-7.
//! **Confidence:** confirmed.
//!
//! Item 9 asks about thoughts of self-harm. Services commonly follow up any answer above 0
//! whatever the total; that rule is a clinical protocol, not part of the published key, so the
//! catalog does not ship it. Add it as a subscale of the one item with its own threshold:
//!
//! ```
//! use therapeutic_alliance::{catalog, Comparison, Metric, Subscale, Threshold};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let phq9 = catalog::phq_9::instrument()
//!     .to_builder()
//!     .version("1, item 9 follow-up")
//!     .subscale(Subscale::new("item-9", "Item 9", ["9"]))
//!     .threshold(Threshold::new("item-9", Metric::Sum, Comparison::AtOrAbove, 1.0, "follow up item 9")?
//!         .with_source("the service's risk protocol"))
//!     .build()?;
//! let mut answers = [Some(0.0); 9];
//! answers[8] = Some(1.0);
//! let scores = phq9.score_values(&answers)?;
//! assert_eq!((scores.primary("total"), scores.band("total")), (Some(1.0), Some("minimal")));
//! assert_eq!(scores.flags()[0].message(), "follow up item 9");
//! # Ok(())
//! # }
//! ```
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let phq9 = therapeutic_alliance::catalog::phq_9::instrument();
//! let scores = phq9.score_values(&[Some(3.0); 9])?;
//! assert_eq!(scores.primary("total"), Some(27.0));
//! assert_eq!(scores.band("total"), Some("severe"));
//! assert_eq!(scores.flags()[0].message(), "clinical range (caseness)");
//! # Ok(())
//! # }
//! ```

use super::{OutcomeKey, talking_therapies};
use crate::error::Result;
use crate::instruments::Instrument;

/// The PHQ-9 from the catalog (the same as `catalog::require("phq-9")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::phq_9::instrument().items().len(), 9);
/// ```
pub fn instrument() -> Instrument {
    super::cached("phq-9")
}

/// The caseness cutoff of NHS Talking Therapies: a total at or above 10.
pub const CASENESS: f64 = 10.0;

/// The reliable-change amount of NHS Talking Therapies: 6 points.
pub const RELIABLE_CHANGE: f64 = 6.0;

pub(super) fn define() -> Result<Instrument> {
    talking_therapies(OutcomeKey {
        id: "phq-9",
        name: "Patient Health Questionnaire, depression (PHQ-9)",
        loinc_panel: "44249-1",
        loinc_total: "44261-6",
        loinc_items: &[
            "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
            "44260-8",
        ],
        citation: "Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: validity \
                   of a brief depression severity measure. Journal of General Internal \
                   Medicine, 16(9), 606-613",
        bands_source: "Kroenke et al. 2001",
        caseness: CASENESS,
        reliable_change: RELIABLE_CHANGE,
        bands: &[
            (0.0, "minimal"),
            (5.0, "mild"),
            (10.0, "moderate"),
            (15.0, "moderately severe"),
            (20.0, "severe"),
        ],
    })
}
