//! Figures as SVG (feature `plot`): one client's course session by session, and for a cohort
//! or a paper the Jacobson-Truax scatter, the cohort's courses and a caterpillar plot of a
//! mixed model's groups.
//!
//! Each figure is an options builder with one verb, `svg`, which draws a result the crate
//! computed: checked setters (`size`, `title`, and `label` for the score), defaults that fit
//! the data, and the same text, byte for byte, for the same options and input.
//!
//! | figure | options | draws |
//! |---|---|---|
//! | one client's course | [`PlotOptions`] | a [`Series`](crate::change::Series) |
//! | Jacobson-Truax scatter | [`JtPlotOptions`] | a [`ReliableChange`](crate::change::ReliableChange) |
//! | cohort | [`CohortPlotOptions`] | a [`SessionTable`](crate::change::SessionTable) (and a growth [`MixedModel`](crate::multilevel::MixedModel)) |
//! | caterpillar | [`CaterpillarPlotOptions`] | a [`MixedModel`](crate::multilevel::MixedModel) |
//!
//! The SVG is written by hand (no drawing library, no dependencies): lines, markers and labels,
//! each mark tagged with a `class` (`line`, `threshold`, `rupture-dip`, `rupture-onset`,
//! `rupture-repair`, `sudden-gain`, `sudden-loss`; `point`, `rc-band`, `no-change`, `cutoff`;
//! `faint-line`, `ci-band`; `group`, `interval`, `mode`, `zero`) and a `data-target`,
//! `data-session`, `data-category` or `data-level`, so that a stylesheet, a test or a screen
//! reader can find it. Every figure starts with a `<title>` and a `<desc>` saying in words what
//! it shows, and has a legend; colors are Okabe & Ito's (2008) color-blind-safe palette. Text
//! from the data (ids, levels, labels) is escaped.
//!
//! ## One client's course
//!
//! [`PlotOptions`] says what to draw and [`PlotOptions::svg`] draws one client's series:
//!
//! - [`PlotTargets`]: which scores are drawn, one line each (by default the total and every
//!   subscale, the SRS's `Overall` line included);
//! - [`PlotAxis`]: the value axis, by default fitted to the instrument: the raw scores where the
//!   subscales share a range (the SRS: its total 0-40 on the left, its lines 0-10 on the right,
//!   at the same heights), percent of maximum zoomed to the data otherwise;
//! - [`ThresholdLines`]: whether the instrument's thresholds are drawn as dashed lines;
//! - [`PlotRuptures`]: which ruptures and repairs are marked on the first line (by default those
//!   [`RuptureOptions::one_sd`](crate::change::RuptureOptions::one_sd) finds), each shaded from
//!   its onset (the session where the fall first reaches the threshold, see
//!   [`Rupture::onset`](crate::change::Rupture)) to its repair;
//! - [`OutcomePanel`] with [`SuddenMarks`]: an outcome measure (a PHQ-9, a GAD-7, an ORS) in a
//!   second panel on the same sessions, its sudden gains and losses marked.
//!
//! Every session is labeled up to 20 sessions (from the first), and the title names the client
//! when the series has a client id.
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
//!
//! ## A Jacobson-Truax scatter
//!
//! Pre-test against post-test with the line of no change, the band of no reliable change, the
//! clinical cutoff and people colored by category ([`JtPlotOptions`]):
//!
//! ```
//! use therapeutic_alliance::Better;
//! use therapeutic_alliance::change::{ChangeRow, CutoffType, ReliableChangeOptions, RciMethod};
//! use therapeutic_alliance::plot::JtPlotOptions;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let rows = [("1", 25.0, 13.0), ("2", 15.0, 11.0), ("3", 28.0, 4.0), ("5", 30.0, 25.0),
//!             ("13", 24.0, 30.0), ("21", 22.0, 21.0)]
//!     .map(|(id, pre, post)| ChangeRow::new(id, Some(pre), Some(post)));
//! let result = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.80, Better::Lower)?
//!     .functional(8.0, 8.0)?
//!     .cutoff(CutoffType::C)
//!     .analyze(rows)?;
//! let svg = JtPlotOptions::new().label("HAMD total")?.svg(&result)?;
//! assert_eq!(svg.matches("data-category=\"recovered\"").count(), 2);
//! // std::fs::write("jt.svg", svg)?;
//! # Ok(())
//! # }
//! ```
//!
//! ## A cohort
//!
//! Each client's course faint, the mean per session with its 95% t interval, and a growth
//! model's fitted line ([`CohortPlotOptions`]):
//!
//! ```
//! use therapeutic_alliance::change::SessionTable;
//! use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
//! use therapeutic_alliance::plot::CohortPlotOptions;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let table = SessionTable::from_rows([
//!     ("a", 1, Some(40.0)), ("a", 2, Some(43.0)), ("a", 3, Some(45.0)),
//!     ("b", 1, Some(35.0)), ("b", 2, None), ("b", 3, Some(39.0)),
//!     ("c", 1, Some(44.0)), ("c", 2, Some(44.5)), ("c", 3, Some(48.0)),
//! ])?;
//! let growth = MixedOptions::new().fixed(["session"]).analyze(&MixedTable::from_sessions(&table)?)?;
//! let svg = CohortPlotOptions::new().label("WAI-SR total")?.fitted(&growth)?.svg(&table)?;
//! assert_eq!(svg.matches("class=\"faint-line\"").count(), 3);
//! // std::fs::write("cohort.svg", svg)?;
//! # Ok(())
//! # }
//! ```
//!
//! ## A caterpillar plot
//!
//! Which therapists differ: each group's conditional mode with mode ± 1.96 conditional SD,
//! sorted ([`CaterpillarPlotOptions`]):
//!
//! ```
//! use therapeutic_alliance::multilevel::{MixedOptions, MixedTable};
//! use therapeutic_alliance::plot::CaterpillarPlotOptions;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let rows = [("t1", 5.1), ("t1", 5.6), ("t1", 4.9), ("t2", 6.2), ("t2", 6.0), ("t2", 5.7),
//!             ("t3", 4.4), ("t3", 4.9), ("t3", 4.6)];
//! let table = MixedTable::from_rows("therapist", "alliance", &[], rows.iter().map(|&(g, y)| (g, y, vec![])))?;
//! let model = MixedOptions::new().analyze(&table)?;
//! let svg = CaterpillarPlotOptions::new().label("WAI-SR mean")?.svg(&model)?;
//! assert_eq!(svg.matches("class=\"mode\"").count(), 3);
//! // std::fs::write("therapists.svg", svg)?;
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
