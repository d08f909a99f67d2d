//! Change over therapy: reliable change and clinical significance, sudden gains and losses,
//! trajectories, effect sizes and correlations, ruptures and repairs, and a session monitor.

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
    ComponentChange, Event, MonitorOptions, MonitorState, MonitoredSession, SessionMonitor,
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
