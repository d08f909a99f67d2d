//! # therapeutic-alliance
//!
//! Measure the therapeutic alliance: the working relationship between a therapist and a client.
//! The alliance has three components (Bordin 1979): agreement on **goals**, **collaboration** on the
//! tasks of therapy, and the emotional **bond**. Across ~300 studies it predicts how well therapy
//! goes (r = .278, Flückiger, Del Re, Wampold & Horvath 2018), so clinics and researchers measure it
//! session by session.
//!
//! ```
//! use therapeutic_alliance::{catalog, Administration, Component};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The WAI-SR scoring key (client form, 1 Seldom .. 5 Always).
//! let wai = catalog::require("wai-sr")?;
//! let adm = Administration::builder(&wai)
//!     .client("c-017")
//!     .session(3)
//!     .answers([("1", 4), ("2", 4), ("3", 5), ("4", 3), ("5", 5), ("6", 3),
//!               ("7", 4), ("8", 3), ("9", 5), ("10", 4), ("12", 4)])? // item 11 skipped
//!     .build()?;
//! let scores = adm.score();
//! assert_eq!(scores.primary(Component::Bond), Some(19.0));
//! // Goals has 3 of 4 items answered: prorated, 9 x 4 / 3 = 12.
//! assert_eq!(scores.primary(Component::Goals), Some(12.0));
//! assert_eq!(scores.primary("total"), Some(47.0));
//!
//! // Bad input is a typed error naming the item and value, never a panic or a clamp.
//! let err = Administration::builder(&wai).answer("9", 9).unwrap_err();
//! assert_eq!(err.to_string(), "item 9: value 9 is outside the response range 1 to 5");
//! # Ok(())
//! # }
//! ```
//!
//! ## Map of the crate
//! The data flows one way: an instrument defines what is asked and how it is keyed; answers
//! become a validated administration; an administration is scored; many administrations become
//! a matrix that reliability statistics read in one pass; clients' scores over sessions become a
//! session table that the change analyses read; the formats turn the outside world's files and
//! resources into these types and back.
//!
//! At the root, the core:
//! - the alliance and its vocabulary: [`Component`], [`Target`], [`Metric`], [`Modality`],
//!   [`Rater`], [`Better`];
//! - response scales: [`ResponseScale`], [`ScaleKind`], [`Anchor`] (answers are held as exact
//!   integers in units of the scale's step);
//! - instruments: [`Instrument`] and its [`InstrumentBuilder`], [`Item`], [`Keying`],
//!   [`Subscale`], [`ScoringRule`], [`MissingRule`], [`TotalRule`], [`Threshold`],
//!   [`Comparison`], [`Bands`], [`ReliableChangeAmount`], [`Codes`], [`Provenance`];
//! - responses: [`Administration`] and its [`AdministrationBuilder`], [`Date`], the stored
//!   [`AdministrationRecord`] read back through a [`Registry`];
//! - scores: [`Scores`] ([`TargetScore`], [`Score`], [`Sum`], [`Mean`], [`Pomp`],
//!   [`ScoreRange`]), [`Flag`]s, the [`Report`] a service returns, a flat [`ScoreRow`];
//! - errors: [`Error`] (a kind and a location), [`ErrorKind`], [`Errors`], [`UnknownName`].
//!
//! Topics, each a module with an overview page:
//! - [`catalog`]: the shipped instruments, a page each;
//! - [`matrix`]: many administrations as exact answer units, batch scores, mergeable moments;
//! - [`reliability`]: alpha and what `psych::alpha()` reports, split-half, omega, ICC, agreement;
//! - [`change`]: the session table and the analyses that read it, the session monitor with its
//!   events in words;
//! - [`structure`]: confirmatory factor analysis as lavaan fits it, omega hierarchical as psych
//!   computes it (is it one alliance or three?);
//! - [`bootstrap`]: percentile and BCa bootstrap intervals, reproducible from a seed;
//! - [`multilevel`]: linear mixed models as lme4 and lmerTest fit them (sessions within
//!   clients, clients within therapists);
//! - `plot` (feature `plot`): SVG figures: one client's course, a Jacobson-Truax scatter, a
//!   cohort's courses, a caterpillar plot of a mixed model's groups;
//! - [`csv`] (feature `csv`) and [`fhir`] (feature `fhir`): research files and clinical systems;
//! - [`_documentation`]: guides for users coming from R, and for defining an instrument.
//!
//! Library errors never carry a client's or therapist's id, and every value they echo is cut
//! and escaped: an error can go into a log or a ticket as it is.
//!
//! ## Features
//! - `serde` (default): serialize and deserialize every model type; deserialization validates
//!   exactly as the constructors do. Results ([`Scores`], [`Error`]) serialize; reports, flags
//!   and reliability results also deserialize, as stored data. Instrument definitions as JSON
//!   text: [`Instrument::from_json`], [`Instrument::to_json`].
//! - `toml`: instrument definitions as TOML text as well: `Instrument::from_toml`,
//!   `Instrument::to_toml`.
//! - `csv` (default): the [`csv`] module: wide, long and REDCap CSV files read row by row into
//!   administrations (errors located by row and column, the record's id beside them, never in
//!   them; a failed row does not stop the others), and scores and answers written back.
//! - `parallel`: `ResponseMatrix::moments_parallel` accumulates on every core (rayon), with
//!   the same result, bit for bit, as one thread.
//! - `plot`: the `plot` module's SVG figures: `PlotOptions` draws one client's
//!   [`Series`](change::Series) (the total and each component, thresholds, ruptures and repairs,
//!   optionally an outcome panel with its sudden gains); `JtPlotOptions`, `CohortPlotOptions`
//!   and `CaterpillarPlotOptions` draw a reliable-change scatter, a cohort and a mixed model's
//!   groups. Hand-written SVG, no dependencies.
//! - `fhir` (default): the [`fhir`] module, HL7 FHIR R4 and R5 for clinical systems: an
//!   instrument as a `Questionnaire` ([`fhir::Questionnaire::of`]), a completed
//!   `QuestionnaireResponse` read into an [`Administration`]
//!   ([`fhir::QuestionnaireResponse::to_administration`]), scores out as an `Observation`
//!   ([`fhir::Observation::of`]) or a `QuestionnaireResponse`.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod _documentation;
pub mod bootstrap;
pub mod catalog;
pub mod change;
mod components;
mod error;
mod exact;
mod ids;
mod instruments;
mod io;
pub mod matrix;
pub mod multilevel;
#[cfg(feature = "plot")]
pub mod plot;
pub mod reliability;
mod responses;
mod scale;
mod scoring;
mod stats;
pub mod structure;
mod vocab;

pub use components::{Better, Component, Metric, Modality, Rater, Target};
pub use error::{Error, ErrorKind, Errors, IoError, Result};
pub use instruments::{
    Band, Bands, Codes, Comparison, Confidence, Instrument, InstrumentBuilder, Item, Keying,
    MissingRule, Provenance, ReliableChangeAmount, ScoringRule, Subscale, Threshold, TotalRule,
};
#[cfg(feature = "csv")]
pub use io::csv;
#[cfg(feature = "fhir")]
pub use io::fhir;
pub use responses::{
    Administration, AdministrationBuilder, AdministrationRecord, Date, RecordAnswer, Registry,
};
pub use scale::{Anchor, ResponseScale, ScaleKind};
pub use scoring::{
    Flag, InstrumentSummary, Mean, NotScored, Pomp, Report, ReportEntry, Score, ScoreRange,
    ScoreRow, Scores, Sum, TargetScore,
};
pub use vocab::UnknownName;

/// The README's code examples, compiled and run as doctests (they use serde_json).
#[cfg(all(doctest, feature = "serde"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
