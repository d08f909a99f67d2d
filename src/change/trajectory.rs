//! Trajectories: per client, the least-squares line of a score over sessions with the slope's
//! standard error and 95% interval, the early level and the change from first to last.
//!
//! Scores here are real numbers (means, prorated sums), so the statistics are computed in
//! double precision with two-pass (centered) sums rather than on the crate's exact answer units.

use super::table::{Point, finite, sorted_unique};
use crate::error::{Error, ErrorKind, Num, Result};
use crate::stats::{self, Interval};

/// Options for [`Trajectory`]: how many of the first observed sessions make the early level.
///
/// ```
/// use therapeutic_alliance::change::TrajectoryOptions;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(TrajectoryOptions::default().early_sessions(), 3);
/// assert_eq!(TrajectoryOptions::default().early(2)?.early_sessions(), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrajectoryOptions {
    early: usize,
}

impl Default for TrajectoryOptions {
    /// The early level is the mean of the first 3 observed sessions.
    fn default() -> Self {
        TrajectoryOptions { early: 3 }
    }
}

impl TrajectoryOptions {
    /// Sets how many of the first observed sessions are averaged into the early level.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for 0.
    ///
    /// ```
    /// use therapeutic_alliance::change::TrajectoryOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let opts = TrajectoryOptions::default().early(4)?;
    /// assert_eq!(opts.early_sessions(), 4);
    /// assert_eq!(TrajectoryOptions::default().early(0).unwrap_err().code(), "invalid_option");
    /// # Ok(())
    /// # }
    /// ```
    pub fn early(self, sessions: usize) -> Result<Self> {
        if sessions == 0 {
            return Err(ErrorKind::InvalidOption {
                option: "early sessions",
                value: "0".into(),
                reason: "the early level needs at least 1 session".into(),
            }
            .into());
        }
        Ok(TrajectoryOptions { early: sessions })
    }

    /// How many of the first observed sessions make the early level.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::TrajectoryOptions::default().early_sessions(), 3);
    /// ```
    pub fn early_sessions(&self) -> usize {
        self.early
    }
}

/// One client's course over sessions: the least-squares line of the score on the session
/// number (`lm(score ~ session)` in R), the slope's standard error and 95% interval, the early
/// level and the change from the first observed session to the last.
///
/// The slope's interval is slope ± t(.975, n - 2) × SE, as R's `confint()` gives it; it needs
/// 3 points. With 2 points the line is exact and has no standard error; with 1 there is no line.
///
/// ```
/// use therapeutic_alliance::change::{Trajectory, TrajectoryOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // WAI-SR totals over sessions 1..5, session 3 missed.
/// let t = Trajectory::from_sessions(
///     [(1, Some(40.0)), (2, Some(42.0)), (3, None), (4, Some(47.0)), (5, Some(49.0))],
///     &TrajectoryOptions::default(),
/// )?;
/// assert_eq!((t.n, t.early, t.change), (4, 43.0, 9.0));
/// assert!((t.slope.unwrap_or_default() - 2.3).abs() < 1e-12);
/// assert!(t.slope_ci.is_some_and(|ci| ci.lower < 2.3 && 2.3 < ci.upper));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Trajectory {
    /// Observed points (sessions with a score).
    pub n: u64,
    /// The first observed session (x).
    pub first_session: f64,
    /// The last observed session (x).
    pub last_session: f64,
    /// The score at the first observed session.
    pub first: f64,
    /// The score at the last observed session.
    pub last: f64,
    /// Last minus first: the raw change (positive = the score rose; see [`crate::Better`] for
    /// which way is improvement).
    pub change: f64,
    /// The mean of the first [`early_n`](Trajectory::early_n) observed scores.
    pub early: f64,
    /// How many scores the early level averages: the option's count, or every observed score
    /// when there are fewer.
    pub early_n: u64,
    /// The line's value at session 0; none with a single point.
    pub intercept: Option<f64>,
    /// Change per session; none with a single point.
    pub slope: Option<f64>,
    /// The slope's standard error, sqrt(SSE / (n - 2) / Sxx); none under 3 points.
    pub slope_se: Option<f64>,
    /// The slope's 95% interval (t quantile with n - 2 df); none under 3 points.
    pub slope_ci: Option<Interval>,
}

impl Trajectory {
    /// The trajectory of one client's `(session, score)` points, in any order; `None` is a
    /// missed session (skipped, as `lm()` skips `NA`).
    ///
    /// # Errors
    /// - [`ErrorKind::TooFewRows`] when no session has a score;
    /// - [`ErrorKind::InvalidTable`] for a session given twice;
    /// - [`ErrorKind::NotFinite`] (item `score`) for NaN or an infinite score.
    ///
    /// Errors carry the point's position (counted from 1) as their row.
    ///
    /// ```
    /// use therapeutic_alliance::change::{Trajectory, TrajectoryOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let opts = TrajectoryOptions::default();
    /// let t = Trajectory::from_sessions([(2, Some(30.0)), (1, Some(34.0))], &opts)?;
    /// assert_eq!((t.first, t.last, t.slope), (34.0, 30.0, Some(-4.0)));
    /// assert_eq!(t.slope_se, None); // two points: an exact line
    /// let err = Trajectory::from_sessions([(1, Some(3.0)), (1, Some(4.0))], &opts).unwrap_err();
    /// assert_eq!(err.to_string(), "row 2: session 1 is given more than once (rows 1 and 2)");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_sessions(
        points: impl IntoIterator<Item = (u32, Option<f64>)>,
        options: &TrajectoryOptions,
    ) -> Result<Trajectory> {
        let mut series = Vec::new();
        for ((session, score), row) in points.into_iter().zip(1u64..) {
            finite("score", score).map_err(|e| e.at_row(row))?;
            series.push(Point {
                session,
                score,
                row,
            });
        }
        let series = sorted_unique(series)?;
        let observed: Vec<(f64, f64)> = series
            .iter()
            .filter_map(|p| p.score.map(|y| (f64::from(p.session), y)))
            .collect();
        fit(&observed, options.early).ok_or_else(no_points)
    }

    /// The trajectory of `(x, y)` points in any order, for a time axis other than session
    /// numbers (weeks, days since intake).
    ///
    /// # Errors
    /// - [`ErrorKind::TooFewRows`] for no points;
    /// - [`ErrorKind::InvalidTable`] for an x given twice, or values no line fits in double
    ///   precision (near the overflow limit, or x values closer than rounding can tell);
    /// - [`ErrorKind::NotFinite`] (item `x` or `y`) for NaN or an infinite value.
    ///
    /// ```
    /// use therapeutic_alliance::change::{Trajectory, TrajectoryOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // Weeks since intake and a symptom score.
    /// let t = Trajectory::from_points(&[(0.0, 20.0), (1.5, 17.0), (3.0, 14.0)], &TrajectoryOptions::default())?;
    /// assert_eq!(t.slope, Some(-2.0));
    /// assert_eq!(t.slope_se, Some(0.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_points(points: &[(f64, f64)], options: &TrajectoryOptions) -> Result<Trajectory> {
        let mut sorted = Vec::with_capacity(points.len());
        for (&(x, y), row) in points.iter().zip(1u64..) {
            finite("x", Some(x)).map_err(|e| e.at_row(row))?;
            finite("y", Some(y)).map_err(|e| e.at_row(row))?;
            sorted.push((x, y, row));
        }
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        for pair in sorted.windows(2) {
            if let [a, b] = pair
                && a.0 == b.0
            {
                return Err(Error::from(ErrorKind::InvalidTable {
                    reason: format!(
                        "x {} is given more than once (rows {} and {})",
                        Num(a.0),
                        a.2,
                        b.2
                    ),
                })
                .at_row(b.2));
            }
        }
        let xy: Vec<(f64, f64)> = sorted.iter().map(|&(x, y, _)| (x, y)).collect();
        let t = fit(&xy, options.early).ok_or_else(no_points)?;
        let values = [
            Some(t.early),
            Some(t.change),
            t.intercept,
            t.slope,
            t.slope_se,
        ];
        if values.iter().flatten().any(|v| !v.is_finite()) {
            return Err(ErrorKind::InvalidTable {
                reason: "no line fits these x and y values in double precision (values too \
                         large, or x values too close together)"
                    .into(),
            }
            .into());
        }
        Ok(t)
    }
}

fn no_points() -> Error {
    ErrorKind::TooFewRows {
        target: "trajectory".into(),
        rows: 0,
        statistic: "a trajectory",
        needed: 1,
    }
    .into()
}

/// The least-squares line and the rest of a trajectory, for points sorted by x with distinct,
/// finite x; `None` for no points.
pub(super) fn fit(points: &[(f64, f64)], early: usize) -> Option<Trajectory> {
    let &(first_session, first) = points.first()?;
    let &(last_session, last) = points.last()?;
    let early_values: Vec<f64> = points.iter().take(early).map(|p| p.1).collect();
    let early_mean = stats::mean(&early_values)?;
    let n = points.len();
    let (mut intercept, mut slope, mut slope_se, mut slope_ci) = (None, None, None, None);
    if n >= 2 {
        let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
        let (mx, my) = (stats::mean(&xs)?, stats::mean(&ys)?);
        let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
        let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
        let b = sxy / sxx;
        let a = my - b * mx;
        intercept = Some(a);
        slope = Some(b);
        if n >= 3 {
            let df = (n - 2) as f64;
            let sse: f64 = points
                .iter()
                .map(|(x, y)| {
                    let e = y - a - b * x;
                    e * e
                })
                .sum();
            let se = (sse / df / sxx).sqrt();
            slope_se = Some(se);
            slope_ci = stats::qt(0.975, df).map(|q| Interval {
                lower: b - q * se,
                upper: b + q * se,
            });
        }
    }
    Some(Trajectory {
        n: n as u64,
        first_session,
        last_session,
        first,
        last,
        change: crate::exact::decimal_difference(last, first),
        early: early_mean,
        early_n: early_values.len() as u64,
        intercept,
        slope,
        slope_se,
        slope_ci,
    })
}

/// One client's [`Trajectory`] from a [`SessionTable`](super::SessionTable).
///
/// ```
/// use therapeutic_alliance::change::{SessionTable, TrajectoryOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([("c-9", 1, Some(4.0)), ("c-9", 2, None)])?;
/// let t = &table.trajectories(&TrajectoryOptions::default())[0];
/// assert_eq!((t.client.as_str(), t.missing), ("c-9", 1));
/// assert_eq!(t.trajectory.map(|t| (t.n, t.slope)), Some((1, None)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClientTrajectory {
    /// The client id.
    pub client: String,
    /// The client's rows without a score.
    pub missing: u64,
    /// The trajectory over the scored sessions; none when no session has a score.
    pub trajectory: Option<Trajectory>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, what: &str) {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{what}: {got} vs {want}"
        );
    }

    #[test]
    fn line_fit_matches_r_lm() {
        // R 4.2.2: x <- c(1, 2, 4, 5, 7); y <- c(10, 12, 11, 15, 16); summary(lm(y ~ x));
        // confint(lm(y ~ x))["x", ]
        let pts = [
            (1.0, 10.0),
            (2.0, 12.0),
            (4.0, 11.0),
            (5.0, 15.0),
            (7.0, 16.0),
        ];
        let t = Trajectory::from_points(&pts, &TrajectoryOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        close(
            t.slope.unwrap_or_default(),
            0.956_140_350_877_192_3,
            "slope",
        );
        close(
            t.intercept.unwrap_or_default(),
            9.166_666_666_666_67,
            "intercept",
        );
        close(
            t.slope_se.unwrap_or_default(),
            0.295_089_944_432_578_24,
            "se",
        );
        let ci = t.slope_ci.unwrap_or(Interval {
            lower: 0.0,
            upper: 0.0,
        });
        close(ci.lower, 0.017_032_447_491_359_237, "lower");
        close(ci.upper, 1.895_248_254_263_025_3, "upper");
        assert_eq!((t.early, t.early_n, t.change), (11.0, 3, 6.0));
    }
}
