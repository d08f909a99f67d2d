//! # WAI: Working Alliance Inventory, 36 items (client form)
//!
//! Horvath, A. O., & Greenberg, L. S. (1989). Development and validation of the Working
//! Alliance Inventory. *Journal of Counseling Psychology*, 36(2), 223-233.
//!
//! **Id:** `wai`, version `client-form` (read also as `client form`, its earlier spelling; see [renamed versions](crate::catalog#renamed-versions)).
//! **Items:** 36, identified by number 1-36; the wording is copyrighted and not shipped.
//! **Response range:** 1 to 7 (1 Never .. 7 Always).
//! **Reversed items:** 1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34 (scored 8 - x).
//! **Score:** sum. Subscales 12-84, total 36-252 (the sum of the three subscales).
//! **Missing items:** a subscale is prorated when at least 9 of its 12 items are answered.
//! **Confidence:** secondary: one third-party implementation, consistent with the item wording.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `goals` | Goal | goals | 3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34 |
//! | `collaboration` | Task | collaboration | 2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35 |
//! | `bond` | Bond | bond | 1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let wai = therapeutic_alliance::catalog::wai::instrument();
//! // Answer 7 everywhere: 22 items score 7 and the 14 reversed ones 1.
//! assert_eq!(wai.score_values(&[Some(7.0); 36])?.primary("total"), Some(168.0));
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, component, numbered, wai_s::seven_point};
use crate::components::Component;
use crate::error::Result;
use crate::instruments::{Confidence, Instrument, Provenance};

/// The 36-item WAI from the catalog (the same as `catalog::require("wai")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::wai::instrument().items().len(), 36);
/// ```
pub fn instrument() -> Instrument {
    super::cached("wai")
}

pub(super) fn define() -> Result<Instrument> {
    Instrument::builder(
        "wai",
        "Working Alliance Inventory (WAI, 36 items)",
        seven_point()?,
    )
    .version("client-form")
    .items(numbered(
        36,
        &[1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34],
    ))
    .subscales([
        component(
            Component::Goals,
            "Goal",
            &[3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34],
        ),
        component(
            Component::Collaboration,
            "Task",
            &[2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35],
        ),
        component(
            Component::Bond,
            "Bond",
            &[1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36],
        ),
    ])
    .citation(
        "Horvath, A. O., & Greenberg, L. S. (1989). Development and validation of the Working \
         Alliance Inventory. Journal of Counseling Psychology, 36(2), 223-233",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one third-party implementation, consistent with the item wording",
    ))
    .license(KEY_ONLY)
    .build()
}
