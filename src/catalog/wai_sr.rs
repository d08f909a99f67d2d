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
//! **Thresholds:** none. No published cutoff is validated for the WAI-SR, so the catalog flags
//! nothing; its reports and Observations say so (no flag is not good news). A clinic with its
//! own cutoff sets it as below.
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
//! assert!(scores.flags().is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! ## A clinic's own cutoff
//!
//! The recipe, for a clinic that flags a WAI-SR total below 36 (its own audit, not a published
//! value):
//!
//! 1. Build a variant of the key with [`Instrument::to_builder`] and add the
//!    [`Threshold`](crate::Threshold): a message a clinician reads, and a
//!    [`source`](crate::Threshold::with_source) saying where the number comes from, in
//!    clinical words (the clinic's audit), never how it was set up.
//! 2. Give it a **new version** (`client-form-clinic-36`): a changed definition under the same
//!    id and version is refused, and records, FHIR canonicals (`.../wai-sr|client-form-clinic-36`)
//!    and monitor states carry the version and digest they were scored with. Keep the version
//!    free of whitespace: it is part of the canonical.
//! 3. Register it beside the catalog in a [`Registry`](crate::Registry), and read records and
//!    FHIR responses through that registry (`fhir::score`): those made with either version
//!    read back under their own rules.
//!
//! ```
//! use therapeutic_alliance::{catalog, Administration, AdministrationRecord, Comparison, Metric, Registry, Threshold};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let alert = Threshold::new("total", Metric::Sum, Comparison::Below, 36.0, "talk about the working alliance")?
//!     .with_source("clinic audit 2026: below 36 before early drop-out");
//! let ours = catalog::wai_sr::instrument()
//!     .to_builder()
//!     .version("client-form-clinic-36")
//!     .threshold(alert)
//!     .build()?;
//! let mut registry = Registry::with_catalog();
//! registry.register(ours.clone())?;
//!
//! // Scored under the clinic's version: a total of 24 is flagged.
//! let scores = ours.score_values(&[Some(2.0); 12])?;
//! assert_eq!(scores.flags()[0].message(), "talk about the working alliance");
//! assert_eq!(scores.report().no_thresholds, None);
//!
//! // Records name their version: each reads back under its own rules.
//! let record = Administration::from_values(&ours, &[Some(2.0); 12])?.to_record();
//! assert_eq!(registry.read(record)?.instrument(), &ours);
//! let mut catalog_record = AdministrationRecord::new("wai-sr");
//! catalog_record.version = Some("client-form".into());
//! assert_eq!(registry.read(catalog_record)?.instrument(), &catalog::wai_sr::instrument());
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
