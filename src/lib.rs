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
//! Every type has one path: the crate root, except the outside world's formats, each a module
//! of its own. The [`catalog`] module holds the shipped instruments and a page per instrument
//! with its key; the [`csv`] module reads and writes research data; the [`fhir`] module holds
//! the FHIR resources, reached as `fhir::Questionnaire` and so on.
//!
//! - The alliance and its vocabulary: [`Component`], [`Target`], [`Modality`], [`Rater`].
//! - Response scales: [`ResponseScale`], [`ScaleKind`], [`Anchor`]; answers are held as exact
//!   integers in units of the scale's step.
//! - Instruments: [`Instrument`] and [`InstrumentBuilder`], [`Item`], [`Keying`], [`Subscale`],
//!   [`ScoringRule`], [`MissingRule`], [`TotalRule`], [`Threshold`], [`Comparison`],
//!   [`Provenance`], [`Confidence`]; what a score means beyond a threshold: the direction of
//!   improvement ([`Better`]), named [`Bands`] ([`Band`]), the [`ReliableChangeAmount`], and
//!   [`Codes`] in a terminology (LOINC). Definitions as JSON or TOML files, in a versioned
//!   schema: see [Defining your own instrument](#defining-your-own-instrument).
//! - [`catalog`]: the published scoring keys (WAI-SR, WAI-S, WAI, SRS, TASC-r, ARM-5; keys only),
//!   the crate's own CBT, psychodynamic and humanistic forms (new, **unvalidated** item sets), and
//!   the outcome measures used beside them (PHQ-9, GAD-7, ORS).
//! - Responses: [`Administration`] and [`AdministrationBuilder`], [`Date`]; their serialized form
//!   [`AdministrationRecord`] with its [`RecordAnswer`]s, read back through a [`Registry`] of
//!   instruments.
//! - Scoring: [`Scores`] of each subscale and the total ([`TargetScore`], [`Score`],
//!   [`NotScored`]) as [`Sum`], [`Mean`] and percent of maximum ([`Pomp`]) in a [`ScoreRange`],
//!   exact with one rounding; [`Metric`]; [`Flag`]s from thresholds; the [`Report`] a service
//!   returns ([`ReportEntry`], [`InstrumentSummary`]); a flat [`ScoreRow`] for tables.
//! - Many administrations: [`ResponseMatrix`] (N x k exact answer units, validated once), its
//!   [`BatchScores`] (every subscale and total of every row) and [`Moments`] (exact, mergeable
//!   sums: [`Merge`], `Extend`, `FromIterator`); psych-style person scores with [`Imputation`].
//! - Reliability, as R psych reports it: [`Reliability`] (alpha and everything `psych::alpha()`
//!   gives: [`IfDropped`], [`ItemStatistics`], [`ResponseFrequency`], [`Category`],
//!   [`Interval`]), [`SplitHalf`] ([`SplitHalfMethod`]), [`Omega`]; [`MissingData`] and
//!   [`ReliabilityOptions`]; intraclass correlations [`IccTable`] ([`IccForm`], [`Icc`]);
//!   client-therapist [`Agreement`] on parallel forms ([`TargetAgreement`], [`ItemAgreement`]).
//! - One client's course: a [`Series`] of [`SessionScores`]; ruptures and repairs by a
//!   [`RuptureOptions`] ([`RuptureSize`], [`SdSource`]) giving [`Ruptures`] ([`Rupture`],
//!   [`Repair`], [`Shape`]); a [`SessionMonitor`] for clinical software ([`MonitorOptions`],
//!   [`Event`], [`ComponentChange`], [`MonitorState`], [`MonitoredSession`]); the NHS Talking
//!   Therapies classification ([`TalkingTherapiesOutcome`], [`MeasureCourse`],
//!   [`ReliableStatus`], [`Recovery`], [`TalkingTherapiesSummary`]).
//! - Change over therapy: [`Better`] (which direction is improvement) and
//!   [`decimal_difference`] (changes taken in decimal, so 32.3 to 27.3 is exactly 5); reliable change and
//!   clinical significance with [`ReliableChangeOptions`] (the [`RciMethod`]s JT, GLN, HLL, EN, NK and
//!   HA; [`CutoffType`] a, b, c and [`CutoffBSd`]) on one [`ChangeRow`] per person, giving a
//!   [`ReliableChange`]: each [`PersonChange`] with its [`ChangeCategory`], the
//!   [`CategoryCounts`], the [`ClinicalCutoff`] and, for HA, [`HagemanArrindell`]'s
//!   reliabilities.
//! - Sudden gains and losses
//!   as R suddengains identifies them: [`SuddenOptions`] (the three criteria of Tang & DeRubeis,
//!   [`SuddenCriterion`], [`CriticalValue`], [`SuddenCutoff`]) applied to each client's
//!   [`ScoreSeries`], giving a [`SuddenChanges`] ([`SuddenKind`]) of [`SuddenClient`]s with
//!   every [`SuddenInterval`] and [`SuddenEvent`] ([`SuddenWindow`]), and one
//!   [`SuddenByClient`] row per client ([`SuddenPick`]).
//! - Trajectories and effect sizes: per-client [`Trajectory`] (least-squares slope with its standard
//!   error and 95% interval, early level, change; [`TrajectoryOptions`]); a long [`SessionTable`] of session scores giving every
//!   [`ClientTrajectory`], the mean trajectory ([`SessionMean`]), person-mean centred values
//!   ([`CenteredValue`]) and lags ([`LaggedValue`]); pre-post effect sizes [`PrePost`] (paired
//!   t, d_z with its noncentral-t interval as R effectsize gives it, g_z, d_av, d_rm); and
//!   [`Correlation`] (Pearson with its Fisher-z interval, Spearman).
//! - Pictures (feature `plot`): `PlotOptions` (`PlotTargets`, `PlotRuptures`,
//!   `ThresholdLines`) draws a [`Series`] as SVG, with an `OutcomePanel` and its `SuddenMarks`.
//! - Exchange (feature `fhir`): the [`fhir`] module, HL7 FHIR `Questionnaire`,
//!   `QuestionnaireResponse` and `Observation` ([`fhir::Settings`] for the release and the
//!   canonical base; [`fhir::Mapping`] for another site's questionnaire).
//! - Research data (feature `csv`, on by default): the [`csv`] module reads wide, long and
//!   REDCap CSV files one administration at a time ([`csv::Layout`], [`csv::Reader`],
//!   [`csv::Row`], [`csv::ItemMap`]), writes scores and answers ([`csv::ScoreWriter`],
//!   [`csv::AnswerWriter`], [`csv::pivot`]), and reads any CSV file by physical line
//!   ([`csv::Table`]).
//! - Errors: [`Error`] (a kind and a location: row, record id, column, path), [`ErrorKind`],
//!   [`Errors`] (validate-all), [`Result`].
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
//! - `plot`: `PlotOptions` draws one client's [`Series`] as an SVG chart: the total and each
//!   component, thresholds, ruptures and repairs, and optionally an outcome panel
//!   (`OutcomePanel`) with its sudden gains (`SuddenMarks`). Hand-written SVG, no dependencies.
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
pub mod catalog;
pub mod change;
mod components;
mod error;
mod exact;
mod ids;
mod instruments;
mod io;
pub mod matrix;
#[cfg(feature = "plot")]
pub mod plot;
pub mod reliability;
mod responses;
mod scale;
mod scoring;
mod stats;
mod vocab;

pub use change::{
    CategoryCounts, CenteredValue, ChangeCategory, ChangeRow, ClientTrajectory, ClinicalCutoff,
    ComponentChange, Correlation, CriticalValue, CutoffBSd, CutoffType, Event, HagemanArrindell,
    LaggedValue, MeasureCourse, MonitorOptions, MonitorState, MonitoredSession, PersonChange,
    PrePost, RciMethod, Recovery, ReliableChange, ReliableChangeOptions, ReliableStatus, Repair,
    Rupture, RuptureOptions, RuptureSize, Ruptures, ScoreSeries, SdSource, Series, SessionMean,
    SessionMonitor, SessionScores, SessionTable, Shape, SuddenByClient, SuddenChanges,
    SuddenClient, SuddenCriterion, SuddenCutoff, SuddenEvent, SuddenInterval, SuddenKind,
    SuddenOptions, SuddenPick, SuddenWindow, TalkingTherapiesOutcome, TalkingTherapiesSummary,
    Trajectory, TrajectoryOptions,
};
pub use components::{Better, Component, Metric, Modality, Rater, Target};
pub use error::{Error, ErrorKind, Errors, IoError, Result};
pub use exact::decimal_difference;
pub use instruments::{
    Band, Bands, Codes, Comparison, Confidence, Instrument, InstrumentBuilder, Item, Keying,
    MissingRule, Provenance, ReliableChangeAmount, ScoringRule, Subscale, Threshold, TotalRule,
};
#[cfg(feature = "csv")]
pub use io::csv;
#[cfg(feature = "fhir")]
pub use io::fhir;
pub use matrix::{BatchScores, Imputation, Merge, Moments, ResponseMatrix};
#[cfg(feature = "plot")]
pub use plot::{OutcomePanel, PlotOptions, PlotRuptures, PlotTargets, SuddenMarks, ThresholdLines};
pub use reliability::{
    Agreement, Category, Icc, IccForm, IccTable, IfDropped, Interval, ItemAgreement,
    ItemStatistics, MissingData, Omega, Reliability, ReliabilityOptions, ResponseFrequency,
    SplitHalf, SplitHalfMethod, TargetAgreement, TargetReliability,
};
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
