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

/// `a - b` as the decimals the two values are written as (their shortest round-trip forms),
/// rounded once to the nearest double: `32.3 - 27.3` is exactly `5`, where binary floating point
/// gives `4.9999999999999964`. Scores read to a fixed number of decimals (the SRS, the ORS) and
/// sums of them are exact decimals, so their changes are exact; a value with no short decimal
/// form (a prorated 52/3) keeps its 17 significant digits. Infinite or NaN values, and values
/// more than 30 orders of magnitude apart, are subtracted as doubles.
///
/// ```
/// use therapeutic_alliance::decimal_difference;
///
/// assert_eq!(decimal_difference(32.3, 27.3), 5.0);
/// assert_eq!(decimal_difference(36.0, 31.6), 4.4);
/// assert_eq!(32.3 - 27.3, 4.9999999999999964);
/// ```
pub fn decimal_difference(a: f64, b: f64) -> f64 {
    exact_decimal_difference(a, b).unwrap_or(a - b)
}

fn exact_decimal_difference(a: f64, b: f64) -> Option<f64> {
    let (ma, ea) = decimal_parts(a)?;
    let (mb, eb) = decimal_parts(b)?;
    let e = ea.min(eb);
    let scale = |m: i128, from: i32| -> Option<i128> {
        let k = u32::try_from(from - e).ok().filter(|&k| k <= 30)?;
        m.checked_mul(10i128.checked_pow(k)?)
    };
    let d = scale(ma, ea)?.checked_sub(scale(mb, eb)?)?;
    format!("{d}e{e}").parse().ok()
}

/// A finite double as `mantissa x 10^exponent`, from its shortest round-trip decimal form.
fn decimal_parts(v: f64) -> Option<(i128, i32)> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v:e}");
    let (mantissa, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let exponent = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    Some((if negative { -digits } else { digits }, exponent))
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
    ///
    /// The difference is taken in decimal, as the scores are written: on a scale read to one
    /// decimal, 32.3 to 27.3 is exactly 5, not the 4.9999999999999964 of binary floating point
    /// (see [`decimal_difference`]).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    ///
    /// assert_eq!(Better::Higher.improvement(32.3, 27.3), -5.0);
    /// ```
    pub fn improvement(self, before: f64, after: f64) -> f64 {
        match self {
            Better::Lower => decimal_difference(before, after),
            Better::Higher => decimal_difference(after, before),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_differences_are_exact_for_decimal_scores() {
        // Every pair of totals of four lines read to one decimal (0.0-40.0): the difference is
        // the double nearest the exact decimal difference.
        for a in (0..=400).step_by(7) {
            for b in 0..=400 {
                let (x, y) = (f64::from(a) / 10.0, f64::from(b) / 10.0);
                let exact: f64 = format!("{}e-1", a - b).parse().unwrap();
                assert_eq!(decimal_difference(x, y), exact, "{x} - {y}");
            }
        }
        assert_eq!(decimal_difference(1e300, -1e300), 2e300);
        assert_eq!(decimal_difference(1e100, 1e-100), 1e100);
        assert!(decimal_difference(f64::NAN, 1.0).is_nan());
        assert_eq!(decimal_difference(f64::INFINITY, 1.0), f64::INFINITY);
        assert_eq!(decimal_difference(-0.0, 0.0), 0.0);
        // No short decimal form: 17 significant digits either way.
        assert!((decimal_difference(52.0 / 3.0, 17.0) - 1.0 / 3.0).abs() < 2e-15);
    }
}
