//! # WAI-SR: Working Alliance Inventory, short revised (client form)
//!
//! Hatcher, R. L., & Gillaspy, J. A. (2006). Development and validation of a revised short
//! version of the Working Alliance Inventory. *Psychotherapy Research*, 16(1), 12-25.
//!
//! **Id:** `wai-sr`, version `client-form` (read also as `client form`, its earlier spelling; see [renamed versions](crate::catalog#renamed-versions)).
//! **Items:** 12, identified by number 1-12; the wording is copyrighted and not shipped.
//! **Response range:** 1 to 5 (1 Seldom, 2 Sometimes, 3 Fairly often, 4 Very often, 5 Always).
//! **Reversed items:** none.
//! **Score:** sum. Subscales 4-20, total 12-60 (the sum of the three subscales).
//! **Missing items:** a subscale is prorated when at least 3 of its 4 items are answered.
//! **Confidence:** confirmed: two independent vendor implementations agree on the key.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `goals` | Goal | goals | 4, 6, 8, 11 |
//! | `collaboration` | Task | collaboration | 1, 2, 10, 12 |
//! | `bond` | Bond | bond | 3, 5, 7, 9 |
//!
//! Several studies find that two factors (bond; goals and tasks together) fit the WAI-SR better
//! than three; the key still scores the three published subscales.
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let wai = therapeutic_alliance::catalog::wai_sr::instrument();
//! let scores = wai.score_values(&[Some(4.0); 12])?;
//! assert_eq!((scores.primary("goals"), scores.primary("total")), (Some(16.0), Some(48.0)));
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, component, numbered};
use crate::components::Component;
use crate::error::Result;
use crate::instruments::{Confidence, Instrument, Provenance};
use crate::scale::ResponseScale;

/// The WAI-SR from the catalog (the same as `catalog::require("wai-sr")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::wai_sr::instrument().id(), "wai-sr");
/// ```
pub fn instrument() -> Instrument {
    super::cached("wai-sr")
}

pub(super) fn define() -> Result<Instrument> {
    let scale = ResponseScale::likert(
        1,
        5,
        [
            (1, "Seldom"),
            (2, "Sometimes"),
            (3, "Fairly often"),
            (4, "Very often"),
            (5, "Always"),
        ],
    )?;
    Instrument::builder(
        "wai-sr",
        "Working Alliance Inventory, short revised (WAI-SR)",
        scale,
    )
    .version("client-form")
    .items(numbered(12, &[]))
    .subscales([
        component(Component::Goals, "Goal", &[4, 6, 8, 11]),
        component(Component::Collaboration, "Task", &[1, 2, 10, 12]),
        component(Component::Bond, "Bond", &[3, 5, 7, 9]),
    ])
    .citation(
        "Hatcher, R. L., & Gillaspy, J. A. (2006). Development and validation of a revised short \
         version of the Working Alliance Inventory. Psychotherapy Research, 16(1), 12-25",
    )
    .provenance(Provenance::new(
        Confidence::Confirmed,
        "two independent vendor implementations agree on the key; no reversed items",
    ))
    .license(KEY_ONLY)
    .build()
}
