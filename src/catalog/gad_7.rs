//! # GAD-7: Generalized Anxiety Disorder scale
//!
//! Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief measure for
//! assessing generalized anxiety disorder: the GAD-7. *Archives of Internal Medicine*, 166(10),
//! 1092-1097.
//!
//! An outcome measure, scored beside the alliance in measurement-based care.
//!
//! **Id:** `gad-7`, version `1`.
//! **Items:** 7, identified by number 1-7 (no wording shipped); the difficulty question is not
//! part of the total and is not an item here.
//! **Response range:** 0 to 3, as the PHQ-9.
//! **Reversed items:** none.
//! **Score:** sum of the 7 items, 0-21. **Lower is better.**
//! **Missing items:** every item must be answered (no prorating).
//! **Severity bands:** 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
//! **Caseness:** total at or above 8 (NHS Talking Therapies), raised as a flag.
//! **Reliable change:** 4 points (NHS Talking Therapies).
//! **LOINC:** panel 69737-5, total 70274-6, items 69725-0, 68509-9, 69733-4, 69734-2, 69735-9,
//! 69689-8, 69736-7; answers as the PHQ-9 (LA6568-5 .. LA6571-9).
//! **Confidence:** confirmed.
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let gad7 = therapeutic_alliance::catalog::gad_7::instrument();
//! let scores = gad7.score_values(&[Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(1.0), Some(1.0)])?;
//! assert_eq!((scores.primary("total"), scores.band("total")), (Some(7.0), Some("mild")));
//! assert!(scores.flags().is_empty(), "7 is below the caseness cutoff of 8");
//! # Ok(())
//! # }
//! ```

use super::{OutcomeKey, talking_therapies};
use crate::error::Result;
use crate::instruments::Instrument;

/// The GAD-7 from the catalog (the same as `catalog::require("gad-7")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::gad_7::instrument().items().len(), 7);
/// ```
pub fn instrument() -> Instrument {
    super::cached("gad-7")
}

/// The caseness cutoff of NHS Talking Therapies: a total at or above 8.
pub const CASENESS: f64 = 8.0;

/// The reliable-change amount of NHS Talking Therapies: 4 points.
pub const RELIABLE_CHANGE: f64 = 4.0;

pub(super) fn define() -> Result<Instrument> {
    talking_therapies(OutcomeKey {
        id: "gad-7",
        name: "Generalized Anxiety Disorder scale (GAD-7)",
        loinc_panel: "69737-5",
        loinc_total: "70274-6",
        loinc_items: &[
            "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
        ],
        citation: "Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief \
                   measure for assessing generalized anxiety disorder: the GAD-7. Archives of \
                   Internal Medicine, 166(10), 1092-1097",
        bands_source: "Spitzer et al. 2006",
        caseness: CASENESS,
        reliable_change: RELIABLE_CHANGE,
        bands: &[
            (0.0, "minimal"),
            (5.0, "mild"),
            (10.0, "moderate"),
            (15.0, "severe"),
        ],
    })
}
