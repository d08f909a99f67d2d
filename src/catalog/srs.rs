//! # SRS: Session Rating Scale 3.0
//!
//! Duncan, B. L., Miller, S. D., Sparks, J. A., Claud, D. A., Reynolds, L. R., Brown, J., &
//! Johnson, L. D. (2003). The Session Rating Scale: preliminary psychometric properties of a
//! "working" alliance measure. *Journal of Brief Therapy*, 3(1), 3-12.
//!
//! **Id:** `srs`, version `3.0`.
//! **Items:** 4 visual-analogue lines, identified by number 1-4: 1 relationship, 2 goals and
//! topics, 3 approach or method, 4 overall. The forms are licensed by their owners; only the
//! scoring facts ship.
//! **Response range:** 0 to 10, read to one decimal (a 10 cm line measured in cm).
//! **Reversed items:** none.
//! **Score:** sum. Each line 0-10, total 0-40 (the sum of the four lines).
//! **Missing items:** each subscale is one line, so every line must be answered for a total.
//! **Alert:** total at or below 36: "discuss the relationship". This is a measurement-based-care
//! convention, not a validated cutoff: sources disagree on at-or-below versus below 36, and one
//! validation study found 34. A clinic that uses its own cutoff defines it as below.
//! **Confidence:** the format is confirmed; the cutoff is secondary.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `goals` | Goals and topics | goals | 2 |
//! | `collaboration` | Approach or method | collaboration | 3 |
//! | `bond` | Relationship | bond | 1 |
//! | `global` | Overall | | 4 |
//!
//! ```
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let srs = therapeutic_alliance::catalog::srs::instrument();
//! let scores = srs.score_values(&[Some(9.0), Some(9.0), Some(9.0), Some(9.0)])?;
//! assert_eq!(scores.primary("total"), Some(36.0));
//! assert_eq!(scores.flags().len(), 1, "36.0 is at or below 36");
//! # Ok(())
//! # }
//! ```
//!
//! ## A clinic's own cutoff
//!
//! The flag's [`source`](crate::Threshold::source) is written for clinicians and says only where
//! the cutoff comes from. To use another cutoff (e.g. below 34), build a variant of the key with
//! [`Instrument::to_builder`], give it a **new version** (a changed definition under the same id
//! and version is refused, and records carry the version and digest they were scored with), and
//! register it beside the catalog in a [`Registry`](crate::Registry), so that records made with
//! either version read back under their own rules. The same recipe sets a WAI-SR cutoff, which
//! the catalog does not define.
//!
//! ```
//! use therapeutic_alliance::{catalog, Comparison, Metric, Registry, Threshold};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let alert = Threshold::new("total", Metric::Sum, Comparison::Below, 34.0, "discuss the relationship")?
//!     .with_source("clinic audit 2026: below 34");
//! let ours = catalog::srs::instrument()
//!     .to_builder()
//!     .version("3.0-clinic-34")
//!     .clear_thresholds()
//!     .threshold(alert)
//!     .build()?;
//! let mut registry = Registry::with_catalog();
//! registry.register(ours.clone())?;
//! assert_eq!(registry.get("srs", Some("3.0-clinic-34"))?.thresholds()[0].value(), 34.0);
//! assert!(ours.score_values(&[Some(9.0); 4])?.flags().is_empty(), "36 is not below 34");
//! # Ok(())
//! # }
//! ```

use super::{KEY_ONLY, component, global};
use crate::components::Component;
use crate::components::Metric;
use crate::error::Result;
use crate::instruments::{Comparison, Confidence, Instrument, Provenance, Threshold};
use crate::scale::ResponseScale;

/// The SRS from the catalog (the same as `catalog::require("srs")`).
///
/// ```
/// assert_eq!(therapeutic_alliance::catalog::srs::instrument().version(), "3.0");
/// ```
pub fn instrument() -> Instrument {
    super::cached("srs")
}

pub(super) fn define() -> Result<Instrument> {
    let alert = Threshold::new(
        "total",
        Metric::Sum,
        Comparison::AtOrBelow,
        36.0,
        "discuss the relationship",
    )?
    .with_source(
        "a measurement-based-care convention, not a validated cutoff: sources disagree on at-or-below \
         versus below 36, and one validation study found 34; a clinic may set its own",
    );
    Instrument::builder(
        "srs",
        "Session Rating Scale (SRS)",
        ResponseScale::visual_analogue(0.0, 10.0, 1)?,
    )
    .version("3.0")
    .items(["1", "2", "3", "4"])
    .subscales([
        component(Component::Goals, "Goals and topics", &[2]),
        component(Component::Collaboration, "Approach or method", &[3]),
        component(Component::Bond, "Relationship", &[1]),
        global("Overall", [4]),
    ])
    .citation(
        "Duncan, B. L., Miller, S. D., Sparks, J. A., Claud, D. A., Reynolds, L. R., Brown, J., \
         & Johnson, L. D. (2003). The Session Rating Scale: preliminary psychometric properties \
         of a \"working\" alliance measure. Journal of Brief Therapy, 3(1), 3-12",
    )
    .provenance(Provenance::new(
        Confidence::Confirmed,
        "format confirmed: four 10 cm lines scored 0-10 to one decimal (relationship -> bond, \
         goals and topics -> goals, approach or method -> collaboration, overall -> global); \
         the alert cutoff of 36 is secondary",
    ))
    .license(KEY_ONLY)
    .threshold(alert)
    .build()
}
