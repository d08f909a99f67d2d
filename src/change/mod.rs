//! Change over therapy: reliable change and clinical significance, sudden gains and losses,
//! trajectories, effect sizes and correlations, ruptures and repairs, and a session monitor.

mod monitor;
mod rci;
mod rupture;
mod series;
mod stats;
mod sudden;
mod talking_therapies;

#[cfg(feature = "plot")]
pub(crate) use monitor::DEFAULT_RUPTURE_FLOOR;
pub use monitor::{
    ComponentChange, Event, MonitorOptions, MonitorState, MonitoredSession, SessionMonitor,
};
pub use rci::{
    CategoryCounts, ChangeCategory, ChangeRow, ClinicalCutoff, CutoffBSd, CutoffType,
    HagemanArrindell, PersonChange, RciMethod, ReliableChange, ReliableChangeResult,
};
pub use rupture::{Repair, Rupture, RuptureRule, RuptureSize, Ruptures, SdSource, Shape};
pub use series::{Series, SessionScores};
pub use talking_therapies::{
    MeasureCourse, Recovery, ReliableStatus, TalkingTherapiesOutcome, TalkingTherapiesSummary,
};

pub use sudden::{
    CriticalValue, ScoreSeries, SuddenAnalysis, SuddenByClient, SuddenClient, SuddenCriterion,
    SuddenCutoff, SuddenEvent, SuddenInterval, SuddenKind, SuddenOptions, SuddenPick, SuddenWindow,
};

pub use stats::{
    CenteredValue, ClientTrajectory, Correlation, LaggedValue, PrePost, SessionMean, SessionTable,
    Trajectory, TrajectoryOptions,
};

use crate::error::{ErrorKind, Result};
use crate::vocab::vocabulary;

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

/// Which direction of change is improvement: lower scores (symptom measures such as the PHQ-9)
/// or higher scores (alliance, the ORS).
///
/// ```
/// use therapeutic_alliance::Better;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("lower".parse::<Better>()?, Better::Lower);
/// assert_eq!(Better::Higher.improvement(10.0, 14.0), 4.0);
/// assert_eq!(Better::Lower.improvement(10.0, 14.0), -4.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Better {
    /// Lower scores are better (symptoms).
    Lower,
    /// Higher scores are better (alliance, well-being).
    Higher,
}

vocabulary!(Better, "direction", None, [Lower => "lower", Higher => "higher"]);

impl Better {
    /// The improvement from `before` to `after`: positive when things got better.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    ///
    /// assert_eq!(Better::Lower.improvement(20.0, 12.0), 8.0);
    /// ```
    pub fn improvement(self, before: f64, after: f64) -> f64 {
        match self {
            Better::Lower => before - after,
            Better::Higher => after - before,
        }
    }
}
