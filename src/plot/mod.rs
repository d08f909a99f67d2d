//! Pictures of one client's course (feature `plot`): the alliance session by session as an SVG
//! chart, with thresholds, ruptures and repairs, and optionally an outcome measure below it with
//! its sudden gains.
//!
//! [`PlotOptions`] says what to draw and [`PlotOptions::svg`] draws one client's
//! [`Series`](crate::change::Series):
//!
//! - [`PlotTargets`]: which scores are drawn, one line each (by default the total and the
//!   subscales measuring goals, collaboration and bond);
//! - [`ThresholdLines`]: whether the instrument's thresholds are drawn as dashed lines;
//! - [`PlotRuptures`]: which ruptures and repairs are marked on the first line (by default those
//!   [`RuptureOptions::one_sd`](crate::change::RuptureOptions::one_sd) finds);
//! - [`OutcomePanel`] with [`SuddenMarks`]: an outcome measure (a PHQ-9, a GAD-7, an ORS) in a
//!   second panel on the same sessions, its sudden gains and losses marked.
//!
//! The SVG is written by hand (no drawing library, no dependencies): a few lines, markers and
//! labels, each mark tagged with a `class` (`line`, `threshold`, `rupture-dip`,
//! `rupture-onset`, `rupture-repair`, `sudden-gain`, `sudden-loss`) and a `data-target` or
//! `data-session`, so that a stylesheet, a test or a screen reader can find it. The same options
//! and series always give the same text, byte for byte.
//!
//! ```
//! use therapeutic_alliance::plot::{OutcomePanel, PlotOptions};
//! use therapeutic_alliance::{catalog, Administration};
//! use therapeutic_alliance::change::Series;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let srs = catalog::require("srs")?;
//! let phq9 = catalog::require("phq-9")?;
//! let (mut alliance, mut outcome) = (Series::new(&srs), Series::new(&phq9));
//! for (n, (a, p)) in [(9.5, 3), (9.4, 3), (7.0, 3), (9.6, 1), (9.8, 1)].into_iter().enumerate() {
//!     let session = n as u32 + 1;
//!     alliance.push(&Administration::builder(&srs).client("c-017").session(session)
//!         .answers([("1", a), ("2", a), ("3", a), ("4", a)])?.build()?)?;
//!     outcome.push(&Administration::builder(&phq9).client("c-017").session(session)
//!         .answers((1..=9).map(|i| (i.to_string(), f64::from(p))))?.build()?)?;
//! }
//! let svg = PlotOptions::new()
//!     .title("Alliance and PHQ-9, c-017")?
//!     .outcome(OutcomePanel::series(&outcome)?)
//!     .svg(&alliance)?;
//! assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
//! assert_eq!(svg.matches("class=\"rupture-onset\"").count(), 1);
//! assert_eq!(svg.matches("class=\"sudden-gain\"").count(), 1);
//! // std::fs::write("c-017.svg", svg)?;
//! # Ok(())
//! # }
//! ```

mod caterpillar;
mod cohort;
mod draw;
mod figure;
mod jt;
mod layout;
mod options;
mod panel;
mod style;
mod svg;

pub use caterpillar::CaterpillarPlotOptions;
pub use cohort::CohortPlotOptions;
pub use jt::JtPlotOptions;
pub use options::{
    OutcomePanel, PlotAxis, PlotOptions, PlotRuptures, PlotTargets, SuddenMarks, ThresholdLines,
};
