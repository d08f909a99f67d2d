//! # therapeutic-alliance
//!
//! Measure the therapeutic alliance: the working relationship between a therapist and a client.
//! The alliance has three components (Bordin 1979): agreement on **goals**, **collaboration** on the
//! tasks of therapy, and the emotional **bond**. Across ~300 studies it predicts how well therapy
//! goes (r = .278, Flückiger, Del Re, Wampold & Horvath 2018), so clinics and researchers measure it
//! session by session.
//!
//! ```
//! use therapeutic_alliance::{catalog, Administration, Component, Target};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The WAI-SR scoring key (client form, 1 Seldom .. 5 Always).
//! let wai = catalog::require("wai-sr")?;
//! let adm = Administration::builder(wai)
//!     .client("c-017")
//!     .session(3)
//!     .answers([("1", 4), ("2", 4), ("3", 5), ("4", 3), ("5", 5), ("6", 3),
//!               ("7", 4), ("8", 3), ("9", 5), ("10", 4), ("12", 4)])? // item 11 skipped
//!     .build()?;
//! let scores = adm.score();
//! assert_eq!(scores.primary(Component::Bond.into()), Some(19.0));
//! // Goals has 3 of 4 items answered: prorated, 3 * 4 = 12.
//! assert_eq!(scores.primary(Component::Goals.into()), Some(12.0));
//! assert_eq!(scores.primary(Target::Total), Some(47.0));
//!
//! // Bad input is a typed error naming the item and value, never a panic or a clamp.
//! let err = Administration::builder(catalog::require("wai-sr")?).answer("9", 9).unwrap_err();
//! assert_eq!(err.to_string(), "item 9: value 9 is outside the response range 1 to 5");
//! # Ok(())
//! # }
//! ```
//!
//! ## Map of the crate
//! - [`components`]: [`Component`], [`Part`], [`Target`], [`Modality`], [`Rater`].
//! - [`scale`]: [`ResponseScale`], Likert points with anchors or a visual-analogue line.
//! - [`instruments`]: [`Instrument`] and its builder, [`Item`], [`Keying`], [`ScoringRule`],
//!   [`MissingRule`], [`Provenance`], [`Threshold`].
//! - [`catalog`]: the published scoring keys (WAI-SR, WAI-S, WAI, SRS, TASC-r, ARM-5; keys only)
//!   and the crate's own CBT, psychodynamic and humanistic forms (new, **unvalidated** item sets).
//! - [`responses`]: [`Administration`], one completed questionnaire with client, therapist, session
//!   and date.
//! - [`scoring`]: [`Scores`] per component and total, as [`Sum`], [`Mean`] and percent of maximum
//!   ([`Pomp`]), with the missing-item rule applied, and [`Flag`]s from thresholds.
//!
//! ## Features
//! - `serde` (default): serialize and deserialize every model type; deserialization validates
//!   exactly as the constructors do. Results ([`Scores`], [`Flag`]) serialize only.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod catalog;
pub mod components;
mod error;
pub mod instruments;
pub mod responses;
pub mod scale;
pub mod scoring;

pub use components::{Component, Modality, Part, Rater, Target};
pub use error::{Error, Result};
pub use instruments::{
    Comparison, Confidence, Flag, Instrument, InstrumentBuilder, Item, Keying, Metric, MissingRule,
    Provenance, ScoringRule, Threshold,
};
#[cfg(feature = "serde")]
pub use responses::AdministrationRecord;
pub use responses::{Administration, AdministrationBuilder, Date};
pub use scale::{Anchor, ResponseScale, ScaleKind};
pub use scoring::{Mean, NotScored, PartScore, Pomp, Score, Scores, Sum};

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
