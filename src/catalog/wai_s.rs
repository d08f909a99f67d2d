//! # WAI-S: Working Alliance Inventory, short form (client form)
//!
//! Tracey, T. J., & Kokotovic, A. M. (1989). Factor structure of the Working Alliance
//! Inventory. *Psychological Assessment*, 1(3), 207-210.
//!
//! **Id:** `wai-s`, version `client-form` (read also as `client form`, its earlier spelling; see [renamed versions](crate::catalog#renamed-versions)).
//! **Items:** 12, identified by number 1-12; the wording is copyrighted and not shipped.
//! **Response range:** 1 to 7 (1 Never .. 7 Always).
//! **Reversed items:** 4, 10 (scored 8 - x).
//! **Score:** sum. Subscales 4-28, total 12-84 (the sum of the three subscales).
//! **Missing items:** a subscale is prorated when at least 3 of its 4 items are answered.
//! **Confidence:** secondary: derived from the WAI-36 key.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `goals` | Goal | goals | 4, 6, 10, 11 |
//! | `collaboration` | Task | collaboration | 1, 2, 8, 12 |
//! | `bond` | Bond | bond | 3, 5, 7, 9 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let wai = therapeutic_alliance::catalog::wai_s::instrument();
//! // Answer 2 everywhere: goals 6 + 2 + 6 + 2 = 16 (items 4 and 10 reversed).
//! assert_eq!(wai.score_values(&[Some(2.0); 12])?.primary("goals"), Some(16.0));
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, component, numbered};
use crate::components::Component;
use crate::error::Result;
use crate::instruments::{Confidence, Instrument, Provenance};
use crate::scale::ResponseScale;

/// The WAI-S from the catalog (the same as `catalog::require("wai-s")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::wai_s::instrument().id(), "wai-s");
/// ```
pub fn instrument() -> Instrument {
    super::cached("wai-s")
}

/// The WAI's 7-point scale.
pub(super) fn seven_point() -> Result<ResponseScale> {
    ResponseScale::likert(1, 7, [(1, "Never"), (7, "Always")])
}

pub(super) fn define() -> Result<Instrument> {
    Instrument::builder(
        "wai-s",
        "Working Alliance Inventory, short form (WAI-S)",
        seven_point()?,
    )
    .version("client-form")
    .items(numbered(12, &[4, 10]))
    .subscales([
        component(Component::Goals, "Goal", &[4, 6, 10, 11]),
        component(Component::Collaboration, "Task", &[1, 2, 8, 12]),
        component(Component::Bond, "Bond", &[3, 5, 7, 9]),
    ])
    .citation(
        "Tracey, T. J., & Kokotovic, A. M. (1989). Factor structure of the Working Alliance \
         Inventory. Psychological Assessment, 1(3), 207-210",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "derived from the WAI-36 key; items 4 and 10 reversed (8 - x)",
    ))
    .license(KEY_ONLY)
    .build()
}
