//! # ARM-5: Agnew Relationship Measure, 5 items (client form)
//!
//! Cahill, J., Stiles, W. B., Barkham, M., et al. (2012). Two short forms of the Agnew
//! Relationship Measure: the ARM-5 and ARM-12. *Psychotherapy Research*, 22(3), 241-255.
//!
//! **Id:** `arm-5`, version `client-form` (read also as `client form`, its earlier spelling; see [renamed versions](crate::catalog#renamed-versions)).
//! **Items:** 5, identified by number 1-5; the wording is copyrighted and not shipped.
//! **Response range:** 1 to 7 (1 Strongly disagree .. 7 Strongly agree).
//! **Reversed items:** 3 (scored 8 - x).
//! **Score:** mean, 1-7. No component key is shipped, so every item is in the `global`
//! subscale and the total equals it.
//! **Missing items:** prorated when at least 4 of the 5 items are answered.
//! **Confidence:** secondary: one secondary source.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `global` | Global | | 1, 2, 3, 4, 5 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let arm = therapeutic_alliance::catalog::arm_5::instrument();
//! // 7, 5, 2 (reversed: 6), 6, 4: mean 28 / 5.
//! let scores = arm.score_values(&[Some(7.0), Some(5.0), Some(2.0), Some(6.0), Some(4.0)])?;
//! assert_eq!(scores.primary("total"), Some(5.6));
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, global, numbered};
use crate::error::Result;
use crate::instruments::{Confidence, Instrument, Provenance, ScoringRule};
use crate::scale::ResponseScale;

/// The ARM-5 from the catalog (the same as `catalog::require("arm-5")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::arm_5::instrument().items().len(), 5);
/// ```
pub fn instrument() -> Instrument {
    super::cached("arm-5")
}

pub(super) fn define() -> Result<Instrument> {
    let scale = ResponseScale::likert(1, 7, [(1, "Strongly disagree"), (7, "Strongly agree")])?;
    Instrument::builder(
        "arm-5",
        "Agnew Relationship Measure, 5 items (ARM-5)",
        scale,
    )
    .version("client-form")
    .scoring(ScoringRule::Mean)
    .items(numbered(5, &[3]))
    .subscale(global("Global", 1..=5))
    .citation(
        "Cahill, J., Stiles, W. B., Barkham, M., et al. (2012). Two short forms of the Agnew \
         Relationship Measure: the ARM-5 and ARM-12. Psychotherapy Research, 22(3), 241-255",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one secondary source; item 3 reversed; the score is the mean item score; no component \
         key is shipped, so all items score the global subscale",
    ))
    .license(KEY_ONLY)
    .build()
}
