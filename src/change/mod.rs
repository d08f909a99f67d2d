//! Change over therapy: reliable change and clinical significance, sudden gains and losses,
//! trajectories, effect sizes and correlations, ruptures and repairs, and a session monitor.
//!
//! # One table of sessions
//!
//! Every analysis here reads one type, the [`SessionTable`]: a long table of sessions per
//! client, one row per client and session with the score or `None` for a missed session, as
//! you would hold it in R (`id`, `session`, `score`). Build it from
//!
//! - long rows `(client, session, score)`: [`SessionTable::from_rows`];
//! - administrations in any order, such as the csv module's long reader gives:
//!   [`SessionTable::from_administrations`], for one target's score;
//! - one [`Series`] per client (one client's administrations in session order):
//!   [`SessionTable::from_series`];
//! - a wide table, one [`ScoreSeries`] per client (suddengains' `bdi_s1 .. bdi_s12`):
//!   [`SessionTable::from_wide`]; [`SessionTable::wide`] gives it back.
//!
//! and read from it:
//!
//! | concept | from the table | result |
//! |---|---|---|
//! | reliable change and clinical significance (clinicalsignificance) | [`SessionTable::change_rows`] into [`ReliableChangeOptions::analyze`] | [`ReliableChange`] |
//! | sudden gains and losses (suddengains) | [`SuddenOptions::analyze`] | [`SuddenChanges`] |
//! | trajectories (`lm(score ~ session)`) | [`SessionTable::trajectories`] | [`ClientTrajectory`] |
//! | pre-post effect sizes (effectsize) | [`SessionTable::pre_post`] | [`PrePost`] |
//! | the mean trajectory, centered and lagged values | [`SessionTable::mean_trajectory`], [`centered`](SessionTable::centered), [`lagged`](SessionTable::lagged) | [`SessionMean`], [`CenteredValue`], [`LaggedValue`] |
//! | ruptures and repairs of the alliance | [`RuptureOptions::analyze_table`] | [`ClientRuptures`] |
//!
//! Analyses of one client as sessions arrive work on a [`Series`] or its administrations: the
//! [`SessionMonitor`] (events in words), [`RuptureOptions::analyze`], and the NHS Talking
//! Therapies outcome ([`TalkingTherapiesOutcome`]). Correlations take pairs
//! ([`Correlation::from_pairs`]), a trajectory of other time axes takes points
//! ([`Trajectory::from_points`]).
//!
//! Each analysis is configured by an `...Options` value (validated, builder style) and run with
//! `analyze`, returning a named result.
//!
//! # Example
//!
//! ```
//! use therapeutic_alliance::change::{
//!     ChangeCategory, RciMethod, ReliableChangeOptions, SessionTable, SuddenOptions,
//! };
//! use therapeutic_alliance::Better;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! // BDI-II totals of three clients over six sessions (lower is better); c-2 missed session 4.
//! let table = SessionTable::from_rows([
//!     ("c-1", 1, Some(35.0)), ("c-1", 2, Some(37.0)), ("c-1", 3, Some(34.0)),
//!     ("c-1", 4, Some(23.0)), ("c-1", 5, Some(24.0)), ("c-1", 6, Some(21.0)),
//!     ("c-2", 1, Some(30.0)), ("c-2", 2, Some(29.0)), ("c-2", 3, Some(30.0)),
//!     ("c-2", 4, None), ("c-2", 5, Some(29.0)), ("c-2", 6, Some(27.0)),
//!     ("c-3", 1, Some(22.0)), ("c-3", 2, Some(24.0)), ("c-3", 3, Some(25.0)),
//!     ("c-3", 4, Some(26.0)), ("c-3", 5, Some(27.0)), ("c-3", 6, Some(31.0)),
//! ])?;
//!
//! // Reliable change from session 1 to 6 (Jacobson & Truax, reliability .90).
//! let rci = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.90, Better::Lower)?
//!     .analyze(table.change_rows(1, 6))?;
//! assert_eq!(rci.people[0].category, ChangeCategory::Improved);
//! assert_eq!(rci.people[2].category, ChangeCategory::Deteriorated);
//!
//! // Sudden gains (Tang & DeRubeis: a drop of at least 7 points).
//! let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&table)?;
//! let first = gains.events().next().map(|g| (g.client.as_str(), g.session));
//! assert_eq!(first, Some(("c-1", 3)));
//! # Ok(())
//! # }
//! ```

mod correlation;
mod effect_size;
mod monitor;
mod rci;
mod rupture;
mod score_series;
mod series;
mod sudden;
mod table;
mod talking_therapies;
mod trajectory;

#[cfg(feature = "plot")]
pub(crate) use monitor::DEFAULT_RUPTURE_FLOOR;
pub use monitor::{
    ComponentChange, Event, EventKind, LargestFall, MONITOR_STATE_FORMAT, MessagePart, Messages,
    MonitorOptions, MonitorState, MonitoredSession, Param, Params, Practice, SessionMonitor,
    SessionStatus, Severity, Summary, ThresholdState,
};
pub use rci::{
    CategoryCounts, ChangeCategory, ChangeRow, ClinicalCutoff, CutoffBSd, CutoffType, HaCategories,
    HagemanArrindell, PersonChange, RciMethod, ReliableChange, ReliableChangeOptions,
};
pub use rupture::{
    ClientRuptures, Repair, Rupture, RuptureOptions, RuptureSize, Ruptures, SdSource, Shape,
};
pub use series::{Series, SessionScores};
pub use talking_therapies::{
    MeasureCourse, Recovery, ReliableStatus, TalkingTherapiesOutcome, TalkingTherapiesSummary,
};

pub use score_series::ScoreSeries;
pub use sudden::{
    CriticalValue, SuddenByClient, SuddenChanges, SuddenClient, SuddenCriterion, SuddenCutoff,
    SuddenEvent, SuddenInterval, SuddenKind, SuddenOptions, SuddenPick, SuddenWindow,
};

pub use crate::exact::decimal_difference;
pub use correlation::Correlation;
pub use effect_size::PrePost;
pub use table::{CenteredValue, LaggedValue, SessionMean, SessionTable};
pub use trajectory::{ClientTrajectory, Trajectory, TrajectoryOptions};

pub(crate) use crate::components::Better;
use crate::error::{ErrorKind, Result};

/// A setting that must be finite and positive (a threshold, an amount of points, an SD), or
/// [`ErrorKind::InvalidOption`] naming it.
pub(crate) fn positive(option: &'static str, v: f64) -> Result<f64> {
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(ErrorKind::InvalidOption {
            option,
            value: crate::error::Num(v).to_string(),
            reason: "it must be finite and positive".to_owned(),
        }
        .into())
    }
}

/// Whether a change reaches a criterion, allowing 1e-9 of the criterion for the rounding of
/// values that went through binary floating point (a score stored as JSON by a parser that is
/// not correctly rounded, a mean). Score grids are far coarser, so no real change is misjudged.
pub(crate) fn at_least(change: f64, criterion: f64) -> bool {
    change >= criterion - 1e-9 * criterion.abs().max(1.0)
}

/// The largest magnitude the change statistics accept: squares and cross-products of many such
/// values stay far from overflow.
const MAX_MAGNITUDE: f64 = 1e100;

/// Refuses a finite value whose magnitude the change statistics cannot compute with exactly
/// enough: above 1e100, or below 1e-100 and not 0 ([`ErrorKind::ExtremeValue`]). NaN and
/// infinities are left to the callers' own checks.
pub(crate) fn check_magnitude(what: impl FnOnce() -> String, value: f64) -> Result<()> {
    let a = value.abs();
    if a.is_finite() && (a > MAX_MAGNITUDE || (a != 0.0 && a < 1.0 / MAX_MAGNITUDE)) {
        return Err(ErrorKind::ExtremeValue {
            what: what(),
            value,
        }
        .into());
    }
    Ok(())
}
