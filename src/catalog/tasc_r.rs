//! # TASC-r: Therapeutic Alliance Scale for Children, revised (child form)
//!
//! Original TASC: Shirk, S. R., & Saiz, C. C. (1992). Clinical, empirical, and developmental
//! perspectives on the therapeutic relationship in child psychotherapy. *Development and
//! Psychopathology*, 4(4), 713-728.
//!
//! **Id:** `tasc-r`, version `child-form` (read also as `child form`, its earlier spelling; see [renamed versions](crate::catalog#renamed-versions)).
//! **Items:** 12, identified by number 1-12; the wording is copyrighted and not shipped.
//! **Response range:** 1 to 4 (1 Not true .. 4 Very much true).
//! **Reversed items:** 2, 5, 7, 8, 11 (scored 5 - x).
//! **Score:** sum, 12-48. No component key is shipped, so every item is in the `global`
//! subscale and the total equals it.
//! **Missing items:** prorated when at least 9 of the 12 items are answered.
//! **Confidence:** secondary: one secondary source.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `global` | Global | | 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let tasc = therapeutic_alliance::catalog::tasc_r::instrument();
//! // Answer 4 everywhere: 7 x 4 + 5 x 1 = 33.
//! assert_eq!(tasc.score_values(&[Some(4.0); 12])?.primary("total"), Some(33.0));
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, global, numbered};
use crate::error::Result;
use crate::instruments::{Confidence, Instrument, Provenance};
use crate::scale::ResponseScale;

/// The TASC-r from the catalog (the same as `catalog::require("tasc-r")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::tasc_r::instrument().scale().max(), 4.0);
/// ```
pub fn instrument() -> Instrument {
    super::cached("tasc-r")
}

pub(super) fn define() -> Result<Instrument> {
    let scale = ResponseScale::likert(1, 4, [(1, "Not true"), (4, "Very much true")])?;
    Instrument::builder(
        "tasc-r",
        "Therapeutic Alliance Scale for Children, revised (TASC-r)",
        scale,
    )
    .version("child-form")
    .items(numbered(12, &[2, 5, 7, 8, 11]))
    .subscale(global("Global", 1..=12))
    .citation(
        "Therapeutic Alliance Scale for Children, revised; original TASC: Shirk, S. R., & Saiz, \
         C. C. (1992). Development and Psychopathology, 4(4), 713-728",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one secondary source; items 2, 5, 7, 8, 11 reversed; no component key is shipped, so \
         all items score the global subscale",
    ))
    .license(KEY_ONLY)
    .build()
}
