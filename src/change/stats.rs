//! Trajectories, pre-post effect sizes and alliance-outcome correlations.
//!
//! - Per client, a [`Trajectory`]: the least-squares line of a score over sessions with the
//!   slope's standard error and 95% interval, the early level and the change from first to last.
//!   A long table of sessions ([`SessionTable`]) gives every client's trajectory
//!   ([`ClientTrajectory`]), the sample's mean trajectory ([`SessionMean`]), person-mean centered
//!   values ([`CenteredValue`]) and lagged values ([`LaggedValue`]).
//! - Pre-post effect sizes on complete pairs ([`PrePost`]): the paired t test, Cohen's d_z with
//!   its noncentral-t interval, Hedges' g_z, d_av and d_rm.
//! - Association ([`Correlation`]): Pearson's r with its Fisher-z interval and Spearman's rho.
//!
//! Scores here are real numbers (means, prorated sums), so the statistics are computed in
//! double precision with two-pass (centered) sums rather than on the crate's exact answer units.

use crate::error::{Error, ErrorKind, Num, Result};
use crate::ids::{TextRule, check_field};
use crate::stats::{self, Interval};
use std::collections::{BTreeMap, HashMap};

/// Options for [`Trajectory`]: how many of the first observed sessions make the early level.
///
/// ```
/// use therapeutic_alliance::TrajectoryOptions;
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
    /// use therapeutic_alliance::TrajectoryOptions;
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
    /// assert_eq!(therapeutic_alliance::TrajectoryOptions::default().early_sessions(), 3);
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
/// use therapeutic_alliance::{Trajectory, TrajectoryOptions};
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
    /// use therapeutic_alliance::{Trajectory, TrajectoryOptions};
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
        let series = sorted_unique(series, "")?;
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
    /// use therapeutic_alliance::{Trajectory, TrajectoryOptions};
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

/// NaN or infinity is an error; `None` (missing) is not.
fn finite(item: &str, value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() => Err(ErrorKind::NotFinite {
            item: item.into(),
            value: v,
            text: None,
        }
        .into()),
        Some(v) => super::check_magnitude(|| item.to_owned(), v),
        None => Ok(()),
    }
}

/// One row of a client's series.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    session: u32,
    score: Option<f64>,
    /// Position in the input, from 1.
    row: u64,
}

/// Sorts a client's points by session; a session given twice is an error naming both rows.
fn sorted_unique(mut series: Vec<Point>, client: &str) -> Result<Vec<Point>> {
    series.sort_by_key(|p| (p.session, p.row));
    for pair in series.windows(2) {
        if let [a, b] = pair
            && a.session == b.session
        {
            let who = if client.is_empty() {
                String::new()
            } else {
                format!("client {client}: ")
            };
            return Err(Error::from(ErrorKind::InvalidTable {
                reason: format!(
                    "{who}session {} is given more than once (rows {} and {})",
                    a.session, a.row, b.row
                ),
            })
            .at_row(b.row));
        }
    }
    Ok(series)
}

/// The least-squares line and the rest of a trajectory, for points sorted by x with distinct,
/// finite x; `None` for no points.
fn fit(points: &[(f64, f64)], early: usize) -> Option<Trajectory> {
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
        change: crate::decimal::decimal_difference(last, first),
        early: early_mean,
        early_n: early_values.len() as u64,
        intercept,
        slope,
        slope_se,
        slope_ci,
    })
}

/// A long table of session scores: one row per client and session, the score or `None` for a
/// missed session. Validated once; clients keep the order of their first row, and each
/// client's sessions are held in session order.
///
/// ```
/// use therapeutic_alliance::{SessionTable, TrajectoryOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([
///     ("c-1", 1, Some(40.0)), ("c-1", 2, Some(44.0)), ("c-1", 3, Some(45.0)),
///     ("c-2", 1, Some(30.0)), ("c-2", 2, None), ("c-2", 3, Some(36.0)),
/// ])?;
/// assert_eq!(table.clients().collect::<Vec<_>>(), ["c-1", "c-2"]);
/// let trajectories = table.trajectories(&TrajectoryOptions::default());
/// assert_eq!(trajectories[1].trajectory.map(|t| t.change), Some(6.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SessionTable {
    clients: Vec<ClientSeries>,
}

#[derive(Debug, Clone, PartialEq)]
struct ClientSeries {
    id: String,
    /// Sorted by session, sessions distinct.
    points: Vec<Point>,
}

impl ClientSeries {
    fn observed(&self) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .filter_map(|p| p.score.map(|y| (f64::from(p.session), y)))
            .collect()
    }

    fn score_at(&self, session: u32) -> Option<f64> {
        self.points
            .binary_search_by_key(&session, |p| p.session)
            .ok()
            .and_then(|i| self.points.get(i))
            .and_then(|p| p.score)
    }
}

impl SessionTable {
    /// A table from `(client, session, score)` rows in any order.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidText`] for a client id that is empty, has surrounding white space
    ///   or contains control, invisible or bidirectional characters;
    /// - [`ErrorKind::InvalidTable`] for a client's session given twice;
    /// - [`ErrorKind::NotFinite`] (item `score`) for NaN or an infinite score.
    ///
    /// Errors carry the row (counted from 1 over `rows`).
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let err = SessionTable::from_rows([("c-1", 1, Some(3.0)), ("c-1", 1, Some(4.0))]).unwrap_err();
    /// assert_eq!(err.to_string(), "row 2: client c-1: session 1 is given more than once (rows 1 and 2)");
    /// let err = SessionTable::from_rows([("c-1", 1, Some(f64::NAN))]).unwrap_err();
    /// assert_eq!(err.to_string(), "row 1: item score: value NaN is not a finite number");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_rows<C: AsRef<str>>(
        rows: impl IntoIterator<Item = (C, u32, Option<f64>)>,
    ) -> Result<SessionTable> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut clients: Vec<ClientSeries> = Vec::new();
        for ((client, session, score), row) in rows.into_iter().zip(1u64..) {
            let client = client.as_ref();
            finite("score", score).map_err(|e| e.at_row(row))?;
            let point = Point {
                session,
                score,
                row,
            };
            if let Some(series) = index.get(client).and_then(|&i| clients.get_mut(i)) {
                series.points.push(point);
            } else {
                check_field(TextRule::Id, "client id", client).map_err(|e| e.at_row(row))?;
                index.insert(client.to_owned(), clients.len());
                clients.push(ClientSeries {
                    id: client.to_owned(),
                    points: vec![point],
                });
            }
        }
        let clients = clients
            .into_iter()
            .map(|c| {
                let points = sorted_unique(c.points, &c.id)?;
                Ok(ClientSeries { id: c.id, points })
            })
            .collect::<Result<_>>()?;
        Ok(SessionTable { clients })
    }

    /// The client ids, in the order of their first row.
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([("b", 1, Some(1.0)), ("a", 1, Some(2.0)), ("b", 2, None)])?;
    /// assert_eq!(table.clients().collect::<Vec<_>>(), ["b", "a"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn clients(&self) -> impl ExactSizeIterator<Item = &str> {
        self.clients.iter().map(|c| c.id.as_str())
    }

    /// Every client's [`Trajectory`] over the sessions with a score, in client order. A client
    /// with no score at all is listed with `trajectory: None`.
    ///
    /// ```
    /// use therapeutic_alliance::{SessionTable, TrajectoryOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("c-1", 1, Some(20.0)), ("c-1", 2, Some(18.0)), ("c-1", 3, Some(13.0)),
    ///     ("c-2", 1, None),
    /// ])?;
    /// let all = table.trajectories(&TrajectoryOptions::default());
    /// assert_eq!((all[0].client.as_str(), all[0].missing), ("c-1", 0));
    /// assert_eq!(all[0].trajectory.and_then(|t| t.slope), Some(-3.5));
    /// assert_eq!((all[1].missing, all[1].trajectory), (1, None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn trajectories(&self, options: &TrajectoryOptions) -> Vec<ClientTrajectory> {
        self.clients
            .iter()
            .map(|c| ClientTrajectory {
                client: c.id.clone(),
                missing: c.points.iter().filter(|p| p.score.is_none()).count() as u64,
                trajectory: fit(&c.observed(), options.early),
            })
            .collect()
    }

    /// The sample's mean trajectory: for each session (ascending), the mean, count and standard
    /// deviation of the clients' scores there.
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("c-1", 1, Some(40.0)), ("c-2", 1, Some(44.0)), ("c-1", 2, Some(45.0)), ("c-2", 2, None),
    /// ])?;
    /// let means = table.mean_trajectory();
    /// assert_eq!((means[0].session, means[0].n, means[0].mean), (1, 2, Some(42.0)));
    /// assert!((means[0].sd.unwrap_or_default() - 8f64.sqrt()).abs() < 1e-12);
    /// assert_eq!((means[1].n, means[1].missing, means[1].sd), (1, 1, None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn mean_trajectory(&self) -> Vec<SessionMean> {
        let mut by_session: BTreeMap<u32, (Vec<f64>, u64)> = BTreeMap::new();
        for p in self.clients.iter().flat_map(|c| &c.points) {
            let entry = by_session.entry(p.session).or_default();
            match p.score {
                Some(v) => entry.0.push(v),
                None => entry.1 += 1,
            }
        }
        by_session
            .into_iter()
            .map(|(session, (values, missing))| SessionMean {
                session,
                n: values.len() as u64,
                missing,
                mean: stats::mean(&values),
                sd: stats::sd(&values),
            })
            .collect()
    }

    /// Person-mean centering (for separating within-client from between-client effects): every
    /// row, in client and then session order, with the client's mean over their scored
    /// sessions (the between-client part) and the row's deviation from it (the within-client
    /// part). See Curran & Bauer (2011), "The disaggregation of within-person and
    /// between-person effects in longitudinal models of change", Annual Review of Psychology
    /// 62, 583-619.
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("c-1", 1, Some(40.0)), ("c-1", 2, None), ("c-1", 3, Some(46.0)),
    /// ])?;
    /// let rows = table.centered();
    /// assert_eq!(rows[0].between, Some(43.0));
    /// assert_eq!((rows[0].within, rows[1].within, rows[2].within), (Some(-3.0), None, Some(3.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn centered(&self) -> Vec<CenteredValue> {
        let mut out = Vec::new();
        for c in &self.clients {
            let scores: Vec<f64> = c.points.iter().filter_map(|p| p.score).collect();
            let between = stats::mean(&scores);
            out.extend(c.points.iter().map(|p| CenteredValue {
                client: c.id.clone(),
                session: p.session,
                value: p.score,
                between,
                within: p.score.zip(between).map(|(v, m)| v - m),
            }));
        }
        out
    }

    /// Lagged values: every row, in client and then session order, with the client's previous
    /// row (the session before it in the table, whether or not that session has a score). The
    /// first row of a client has no previous row. Rows follow the same order as
    /// [`centered`](SessionTable::centered), so the two line up.
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("c-1", 1, Some(40.0)), ("c-1", 2, None), ("c-1", 4, Some(46.0)),
    /// ])?;
    /// let rows = table.lagged();
    /// assert_eq!((rows[0].previous_session, rows[0].previous), (None, None));
    /// assert_eq!((rows[1].previous_session, rows[1].previous), (Some(1), Some(40.0)));
    /// assert_eq!((rows[2].previous_session, rows[2].previous), (Some(2), None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lagged(&self) -> Vec<LaggedValue> {
        let mut out = Vec::new();
        for c in &self.clients {
            let mut previous: Option<&Point> = None;
            for p in &c.points {
                out.push(LaggedValue {
                    client: c.id.clone(),
                    session: p.session,
                    value: p.score,
                    previous_session: previous.map(|q| q.session),
                    previous: previous.and_then(|q| q.score),
                });
                previous = Some(p);
            }
        }
        out
    }

    /// Pre-post effect sizes between two sessions: each client's pair of scores at `pre` and
    /// `post` ([`PrePost::from_pairs`]). A client without a score at either is an incomplete
    /// pair.
    ///
    /// # Errors
    /// As [`PrePost::from_pairs`]; [`ErrorKind::InvalidOption`] when `pre` equals `post`.
    ///
    /// ```
    /// use therapeutic_alliance::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("a", 1, Some(20.0)), ("a", 4, Some(12.0)), ("b", 1, Some(25.0)), ("b", 4, Some(20.0)),
    ///     ("c", 1, Some(18.0)), ("c", 4, Some(15.0)), ("d", 1, Some(22.0)),
    /// ])?;
    /// let effect = table.pre_post(1, 4)?;
    /// assert_eq!((effect.n, effect.incomplete, effect.mean_diff), (3, 1, -16.0 / 3.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn pre_post(&self, pre: u32, post: u32) -> Result<PrePost> {
        if pre == post {
            return Err(ErrorKind::InvalidOption {
                option: "post session",
                value: post.to_string(),
                reason: "must differ from the pre session".into(),
            }
            .into());
        }
        PrePost::from_pairs(
            self.clients
                .iter()
                .map(|c| (c.score_at(pre), c.score_at(post))),
        )
    }

    /// Each client's scores at `pre` and `post` as a [`ChangeRow`](crate::ChangeRow) for
    /// [`ReliableChangeOptions::analyze`](crate::ReliableChangeOptions::analyze): the long-to-wide step R's
    /// `cs_combined(data, id, time, outcome, pre, post)` takes for you. A client without a
    /// score at either session gives a row with `None` there (left out of the analysis and
    /// reported as dropped).
    ///
    /// ```
    /// use therapeutic_alliance::{Better, RciMethod, ReliableChangeOptions, SessionTable};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("a", 1, Some(30.0)), ("a", 4, Some(12.0)), ("b", 1, Some(24.0)), ("b", 4, Some(22.0)),
    ///     ("c", 1, Some(20.0)), ("c", 4, Some(26.0)), ("d", 1, Some(27.0)),
    /// ])?;
    /// let rci = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.9, Better::Lower)?
    ///     .analyze(table.change_rows(1, 4))?;
    /// assert_eq!((rci.n_used, rci.dropped.as_slice()), (3, ["d".to_string()].as_slice()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn change_rows(&self, pre: u32, post: u32) -> Vec<crate::ChangeRow> {
        self.clients
            .iter()
            .map(|c| crate::ChangeRow::new(c.id.clone(), c.score_at(pre), c.score_at(post)))
            .collect()
    }
}

/// One client's [`Trajectory`] from a [`SessionTable`].
///
/// ```
/// use therapeutic_alliance::{SessionTable, TrajectoryOptions};
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

/// The sample at one session: how many clients have a score there, their mean and standard
/// deviation.
///
/// ```
/// use therapeutic_alliance::SessionTable;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([("a", 3, Some(5.0)), ("b", 3, Some(7.0))])?;
/// let s = &table.mean_trajectory()[0];
/// assert_eq!((s.session, s.n, s.missing, s.mean), (3, 2, 0, Some(6.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SessionMean {
    /// The session.
    pub session: u32,
    /// Clients with a score at this session.
    pub n: u64,
    /// Rows for this session without a score.
    pub missing: u64,
    /// The mean score; none when no client has one.
    pub mean: Option<f64>,
    /// The standard deviation (n - 1); none under 2 scores.
    pub sd: Option<f64>,
}

/// A row split into its between-client part (the client's mean) and within-client part (the
/// deviation from it). See [`SessionTable::centered`].
///
/// ```
/// use therapeutic_alliance::SessionTable;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([("a", 1, Some(5.0)), ("a", 2, Some(7.0))])?;
/// let row = &table.centered()[1];
/// assert_eq!((row.session, row.value, row.between, row.within), (2, Some(7.0), Some(6.0), Some(1.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CenteredValue {
    /// The client id.
    pub client: String,
    /// The session.
    pub session: u32,
    /// The score; none for a missed session.
    pub value: Option<f64>,
    /// The client's mean over their scored sessions; none when they have no score.
    pub between: Option<f64>,
    /// The score minus the client's mean; none for a missed session.
    pub within: Option<f64>,
}

/// A row with the client's previous row. See [`SessionTable::lagged`].
///
/// ```
/// use therapeutic_alliance::SessionTable;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([("a", 1, Some(5.0)), ("a", 2, Some(7.0))])?;
/// let row = &table.lagged()[1];
/// assert_eq!((row.session, row.value, row.previous_session, row.previous), (2, Some(7.0), Some(1), Some(5.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LaggedValue {
    /// The client id.
    pub client: String,
    /// The session.
    pub session: u32,
    /// The score; none for a missed session.
    pub value: Option<f64>,
    /// The client's previous session in the table; none for their first row.
    pub previous_session: Option<u32>,
    /// The score at the previous session; none for the first row or a missed session.
    pub previous: Option<f64>,
}

/// Pre-post change on complete pairs, with the effect sizes of Lakens (2013), "Calculating and
/// reporting effect sizes to facilitate cumulative science: a practical primer for t-tests and
/// ANOVAs", Frontiers in Psychology 4, 863.
///
/// Differences are post - pre, so with a symptom measure improvement is negative (see
/// [`crate::Better`]).
///
/// - The paired t test: t = M_diff / (S_diff / sqrt(n)), df = n - 1, two-sided p (R's
///   `t.test(post, pre, paired = TRUE)`).
/// - Cohen's d_z = M_diff / S_diff, with the 95% interval of effectsize's `cohens_d(paired =
///   TRUE)` (0.8.3): the noncentralities δ at which the noncentral t CDF at the observed t is
///   .975 and .025, divided by sqrt(n) (Steiger & Fouladi 1997, "Noncentrality interval
///   estimation and the evaluation of statistical models", in Harlow, Mulaik & Steiger (eds.),
///   What if there were no significance tests?). The noncentral t CDF is the series of Lenth
///   (1989, Algorithm AS 243), and the roots are bisected to adjacent doubles.
/// - Hedges' g_z = J d_z with the exact correction J = Γ(df/2) / (sqrt(df/2) Γ((df - 1)/2)),
///   df = n - 1 (Hedges 1981, "Distribution theory for Glass's estimator of effect size and
///   related estimators", Journal of Educational Statistics 6, 107-128), as effectsize's
///   `hedges_g(paired = TRUE)` computes it, interval included; 1 - 3 / (4 df - 1) is its
///   familiar approximation. For d_av and d_rm no g is given: sources differ on their df.
/// - d_av = M_diff / ((S_pre + S_post) / 2) (Lakens 2013).
/// - d_rm = M_diff / sqrt(S_pre² + S_post² - 2 r S_pre S_post) × sqrt(2 (1 - r)) (Lakens 2013),
///   computed as d_z sqrt(2 (1 - r)): the square root is S_diff exactly.
///
/// ```
/// use therapeutic_alliance::PrePost;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // PHQ-9 at intake and at session 8; the fourth client has no session 8.
/// let e = PrePost::from_pairs([
///     (Some(18.0), Some(9.0)), (Some(14.0), Some(10.0)), (Some(21.0), Some(12.0)),
///     (Some(12.0), None), (Some(16.0), Some(11.0)), (Some(19.0), Some(8.0)),
/// ])?;
/// assert_eq!((e.n, e.incomplete, e.mean_diff), (5, 1, -7.6));
/// assert!(e.p < 0.01 && e.d_z_ci.upper < 0.0 && e.d_z_ci.lower < e.d_z);
/// assert!(e.g_z.abs() < e.d_z.abs());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct PrePost {
    /// Complete pairs.
    pub n: u64,
    /// Pairs missing the pre or the post score (left out).
    pub incomplete: u64,
    /// The mean pre score.
    pub mean_pre: f64,
    /// The mean post score.
    pub mean_post: f64,
    /// The standard deviation of the pre scores.
    pub sd_pre: f64,
    /// The standard deviation of the post scores.
    pub sd_post: f64,
    /// The pre-post Pearson correlation; none when either side does not vary.
    pub r_pre_post: Option<f64>,
    /// The mean difference, post - pre.
    pub mean_diff: f64,
    /// The standard deviation of the differences.
    pub sd_diff: f64,
    /// The paired t statistic.
    pub t: f64,
    /// Its degrees of freedom, n - 1.
    pub df: f64,
    /// The two-sided p value.
    pub p: f64,
    /// Cohen's d_z: the mean difference over the SD of the differences.
    pub d_z: f64,
    /// d_z's 95% interval from the noncentral t.
    pub d_z_ci: Interval,
    /// Hedges' exact small-sample correction J for df = n - 1 (0 when df = 1).
    pub hedges_j: f64,
    /// Hedges' g_z = J d_z.
    pub g_z: f64,
    /// g_z's 95% interval: J times d_z's.
    pub g_z_ci: Interval,
    /// d_av: the mean difference over the mean of the pre and post SDs.
    pub d_av: f64,
    /// d_rm: d_av-like, corrected for the pre-post correlation; none without `r_pre_post`.
    pub d_rm: Option<f64>,
}

impl PrePost {
    /// Effect sizes from `(pre, post)` pairs; a pair with `None` on either side is counted in
    /// [`incomplete`](PrePost::incomplete) and left out.
    ///
    /// # Errors
    /// - [`ErrorKind::NotFinite`] (item `pre` or `post`, with the pair's row counted from 1)
    ///   for NaN or an infinite score;
    /// - [`ErrorKind::TooFewRows`] under 2 complete pairs;
    /// - [`ErrorKind::NoVariation`] when every difference is the same (d_z is undefined).
    ///
    /// ```
    /// use therapeutic_alliance::{ErrorKind, PrePost};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let err = PrePost::from_pairs([(Some(3.0), Some(5.0)), (Some(4.0), Some(6.0))]).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::NoVariation { .. }));
    /// let e = PrePost::from_pairs([(Some(3.0), Some(5.0)), (Some(4.0), Some(7.0))])?;
    /// assert_eq!((e.d_z, e.df, e.hedges_j), (2.5 / 0.5f64.sqrt(), 1.0, 0.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (Option<f64>, Option<f64>)>,
    ) -> Result<PrePost> {
        let (mut pre, mut post) = (Vec::new(), Vec::new());
        let mut incomplete = 0u64;
        for ((a, b), row) in pairs.into_iter().zip(1u64..) {
            finite("pre", a).map_err(|e| e.at_row(row))?;
            finite("post", b).map_err(|e| e.at_row(row))?;
            match (a, b) {
                (Some(a), Some(b)) => {
                    pre.push(a);
                    post.push(b);
                }
                _ => incomplete += 1,
            }
        }
        let n = pre.len();
        let too_few = || {
            Error::from(ErrorKind::TooFewRows {
                target: "pre-post pairs".into(),
                rows: n as u64,
                statistic: "a paired t test",
                needed: 2,
            })
        };
        if n < 2 {
            return Err(too_few());
        }
        let diffs: Vec<f64> = pre.iter().zip(&post).map(|(a, b)| b - a).collect();
        let (mean_pre, mean_post, mean_diff) = (
            stats::mean(&pre).ok_or_else(too_few)?,
            stats::mean(&post).ok_or_else(too_few)?,
            stats::mean(&diffs).ok_or_else(too_few)?,
        );
        let (sd_pre, sd_post, sd_diff) = (
            stats::sd(&pre).ok_or_else(too_few)?,
            stats::sd(&post).ok_or_else(too_few)?,
            stats::sd(&diffs).ok_or_else(too_few)?,
        );
        if sd_diff == 0.0 {
            return Err(ErrorKind::NoVariation {
                variable: "the post - pre difference".into(),
                rows: n as u64,
                statistic: "Cohen's d_z",
            }
            .into());
        }
        let r_pre_post = pearson(&pre, &post);
        let nf = n as f64;
        let df = nf - 1.0;
        let t = mean_diff / (sd_diff / nf.sqrt());
        let p = stats::pt_two_sided(t, df);
        let d_z = mean_diff / sd_diff;
        let d_z_ci = Interval {
            lower: stats::ncp_for(t, df, 0.975) / nf.sqrt(),
            upper: stats::ncp_for(t, df, 0.025) / nf.sqrt(),
        };
        let hedges_j = hedges_j(df);
        Ok(PrePost {
            n: n as u64,
            incomplete,
            mean_pre,
            mean_post,
            sd_pre,
            sd_post,
            r_pre_post,
            mean_diff,
            sd_diff,
            t,
            df,
            p,
            d_z,
            d_z_ci,
            hedges_j,
            g_z: hedges_j * d_z,
            g_z_ci: Interval {
                lower: hedges_j * d_z_ci.lower,
                upper: hedges_j * d_z_ci.upper,
            },
            d_av: mean_diff / ((sd_pre + sd_post) / 2.0),
            d_rm: r_pre_post.map(|r| d_z * (2.0 * (1.0 - r)).sqrt()),
        })
    }
}

/// Hedges' exact bias correction, Γ(df/2) / (sqrt(df/2) Γ((df - 1)/2)), in logarithms; its
/// limit 0 at df = 1.
fn hedges_j(df: f64) -> f64 {
    if df <= 1.0 {
        return 0.0;
    }
    (stats::lgamma(df / 2.0) - (df / 2.0).sqrt().ln() - stats::lgamma((df - 1.0) / 2.0)).exp()
}

/// Pearson's r of paired values (two-pass), clamped to [-1, 1] against rounding as R's `cor()`
/// does; `None` when either side does not vary or has fewer than 2 values.
fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (mx, my) = (stats::mean(xs)?, stats::mean(ys)?);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if xs.len() < 2 || sxx == 0.0 || syy == 0.0 {
        return None;
    }
    let mut r = sxy / (sxx * syy).sqrt();
    if !r.is_finite() {
        // sxx * syy overflowed
        r = sxy / (sxx.sqrt() * syy.sqrt());
    }
    Some(r.clamp(-1.0, 1.0))
}

/// Ranks from 1, ties given the mean of the ranks they span (R's `rank(ties.method =
/// "average")`).
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<(usize, f64)> = values.iter().copied().enumerate().collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut ranked: Vec<(usize, f64)> = Vec::with_capacity(values.len());
    let mut start = 0usize;
    for run in order.chunk_by(|a, b| a.1 == b.1) {
        // Ranks start + 1 ..= start + len: their mean.
        let rank = start as f64 + (run.len() as f64 + 1.0) / 2.0;
        ranked.extend(run.iter().map(|&(i, _)| (i, rank)));
        start += run.len();
    }
    ranked.sort_by_key(|&(i, _)| i);
    ranked.into_iter().map(|(_, r)| r).collect()
}

/// The association of two variables over their complete pairs: Pearson's r with its test (R's
/// `cor.test()`) and Fisher-z interval, and Spearman's rho.
///
/// - t = r sqrt(df / (1 - r²)), df = n - 2, two-sided p.
/// - The 95% interval is tanh(atanh(r) ± z(.975) / sqrt(n - 3)) (Fisher 1921, "On the 'probable
///   error' of a coefficient of correlation deduced from a small sample", Metron 1, 3-32), as
///   `cor.test()` gives it; it needs 4 pairs.
/// - Spearman's rho is Pearson's r of the ranks, ties given their mean rank (Spearman 1904,
///   "The proof and measurement of association between two things", American Journal of
///   Psychology 15, 72-101), as `cor(method = "spearman")`.
///
/// ```
/// use therapeutic_alliance::Correlation;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Early alliance (WAI-SR) and change in PHQ-9 for six clients; one lacks the outcome.
/// let c = Correlation::from_pairs([
///     (Some(38.0), Some(-9.0)), (Some(45.0), Some(-11.0)), (Some(30.0), Some(-2.0)),
///     (Some(41.0), Some(-6.0)), (Some(52.0), Some(-12.0)), (Some(35.0), None),
/// ])?;
/// assert_eq!((c.n, c.incomplete), (5, 1));
/// assert!(c.pearson < -0.8 && c.spearman == -0.9);
/// assert!(c.pearson_ci.is_some_and(|ci| ci.lower < c.pearson && c.pearson < ci.upper));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Correlation {
    /// Complete pairs.
    pub n: u64,
    /// Pairs missing either value (left out).
    pub incomplete: u64,
    /// Pearson's r.
    pub pearson: f64,
    /// The Fisher-z 95% interval for r; none under 4 pairs.
    pub pearson_ci: Option<Interval>,
    /// The t statistic testing r = 0.
    pub t: f64,
    /// Its degrees of freedom, n - 2.
    pub df: f64,
    /// The two-sided p value.
    pub p: f64,
    /// Spearman's rho.
    pub spearman: f64,
}

impl Correlation {
    /// The correlation of `(x, y)` pairs; a pair with `None` on either side is counted in
    /// [`incomplete`](Correlation::incomplete) and left out (R's `use =
    /// "pairwise.complete.obs"` for two variables).
    ///
    /// # Errors
    /// - [`ErrorKind::NotFinite`] (item `x` or `y`, with the pair's row counted from 1) for NaN
    ///   or an infinite value;
    /// - [`ErrorKind::TooFewRows`] under 3 complete pairs (as `cor.test()`);
    /// - [`ErrorKind::NoVariation`] when x or y is the same in every complete pair.
    ///
    /// ```
    /// use therapeutic_alliance::Correlation;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let c = Correlation::from_pairs([(Some(1.0), Some(2.0)), (Some(2.0), Some(4.0)), (Some(3.0), Some(6.5))])?;
    /// assert!(c.pearson > 0.99 && c.pearson_ci.is_none());
    /// assert_eq!(c.spearman, 1.0);
    /// let err = Correlation::from_pairs([(Some(1.0), Some(2.0)), (Some(1.0), Some(4.0)), (Some(1.0), Some(5.0))]).unwrap_err();
    /// assert_eq!(err.to_string(), "x has the same value in all 3 usable rows, so a correlation is undefined");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (Option<f64>, Option<f64>)>,
    ) -> Result<Correlation> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        let mut incomplete = 0u64;
        for ((x, y), row) in pairs.into_iter().zip(1u64..) {
            finite("x", x).map_err(|e| e.at_row(row))?;
            finite("y", y).map_err(|e| e.at_row(row))?;
            match (x, y) {
                (Some(x), Some(y)) => {
                    xs.push(x);
                    ys.push(y);
                }
                _ => incomplete += 1,
            }
        }
        let n = xs.len();
        if n < 3 {
            return Err(ErrorKind::TooFewRows {
                target: "correlation".into(),
                rows: n as u64,
                statistic: "a correlation test",
                needed: 3,
            }
            .into());
        }
        for (variable, values) in [("x", &xs), ("y", &ys)] {
            if values.iter().all(|v| Some(v) == values.first()) {
                return Err(ErrorKind::NoVariation {
                    variable: variable.into(),
                    rows: n as u64,
                    statistic: "a correlation",
                }
                .into());
            }
        }
        let no_variation = |variable: &str| {
            Error::from(ErrorKind::NoVariation {
                variable: variable.into(),
                rows: n as u64,
                statistic: "a correlation",
            })
        };
        let r = pearson(&xs, &ys).ok_or_else(|| no_variation("x or y"))?;
        let spearman = pearson(&ranks(&xs), &ranks(&ys)).ok_or_else(|| no_variation("x or y"))?;
        let nf = n as f64;
        let df = nf - 2.0;
        let t = df.sqrt() * r / (1.0 - r * r).sqrt();
        let p = stats::pt_two_sided(t, df);
        let pearson_ci = if n >= 4 {
            stats::qnorm(0.975).map(|q| {
                let z = r.atanh();
                let half = q / (nf - 3.0).sqrt();
                Interval {
                    lower: (z - half).tanh(),
                    upper: (z + half).tanh(),
                }
            })
        } else {
            None
        };
        Ok(Correlation {
            n: n as u64,
            incomplete,
            pearson: r,
            pearson_ci,
            t,
            df,
            p,
            spearman,
        })
    }
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
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), [4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(ranks(&[]), Vec::<f64>::new());
        assert_eq!(ranks(&[-0.5, -0.5]), [1.5, 1.5]);
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

    #[test]
    fn hedges_j_exact_and_approximate() {
        // R 4.2.2: exp(lgamma(39 / 2) - log(sqrt(39 / 2)) - lgamma(38 / 2))
        let j = hedges_j(39.0);
        assert!((j - (1.0 - 3.0 / (4.0 * 39.0 - 1.0))).abs() < 1e-4);
        close(j, 0.980_624_238_680_338_3, "J(39)");
        assert_eq!(hedges_j(1.0), 0.0);
    }

    /// Two pairs with t = 201 on 1 df: the interval's bounds lie beyond the noncentral t
    /// series' range, where the CDF is integrated (mpmath 1.3.0, 40 digits: d_z 142.128...,
    /// interval 4.454074341085277 to 318.5710672204054).
    #[test]
    fn an_extreme_t_has_the_right_interval() {
        let e = PrePost::from_pairs([(Some(0.0), Some(10.0)), (Some(0.0), Some(10.1))])
            .unwrap_or_else(|e| panic!("{e}"));
        close(e.t, 201.0, "t");
        // The CDF is flat in δ here, so a root to 1e-9 (the issue asks 1e-6 of the interval).
        assert!(
            (e.d_z_ci.lower - 4.454_074_341_085_277).abs() <= 1e-9 * 4.46,
            "lower {}",
            e.d_z_ci.lower
        );
        assert!(
            (e.d_z_ci.upper - 318.571_067_220_405_4).abs() <= 1e-9 * 318.6,
            "upper {}",
            e.d_z_ci.upper
        );
    }

    #[test]
    fn degenerate_inputs_are_errors_not_panics() {
        let opts = TrajectoryOptions::default();
        assert_eq!(
            Trajectory::from_sessions([(1, None), (2, None)], &opts)
                .map_err(|e| e.code())
                .err(),
            Some("too_few_rows")
        );
        assert_eq!(
            Trajectory::from_points(&[(1.0, f64::INFINITY)], &opts)
                .map_err(|e| e.to_string())
                .err()
                .as_deref(),
            Some("row 1: item y: value inf is not a finite number")
        );
        assert_eq!(
            Trajectory::from_points(&[(1.0, 2.0), (1.0, 3.0)], &opts)
                .map_err(|e| e.code())
                .err(),
            Some("invalid_table")
        );
        assert_eq!(
            Trajectory::from_points(&[(1e308, 1e308), (-1e308, -1e308), (1.7e308, 0.0)], &opts)
                .map_err(|e| e.code())
                .err(),
            Some("extreme_value")
        );
        let one =
            Trajectory::from_sessions([(4, Some(9.0))], &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (one.slope, one.intercept, one.change, one.early),
            (None, None, 0.0, 9.0)
        );
        assert_eq!(
            PrePost::from_pairs([(Some(1.0), Some(2.0)), (None, Some(3.0))])
                .map_err(|e| e.to_string())
                .err()
                .as_deref(),
            Some("pre-post pairs: 1 usable row(s); a paired t test needs at least 2")
        );
        assert_eq!(
            PrePost::from_pairs([(Some(1.0), Some(2.0)), (Some(f64::NAN), Some(3.0))])
                .map_err(|e| e.to_string())
                .err()
                .as_deref(),
            Some("row 2: item pre: value NaN is not a finite number")
        );
        // A constant pre side: no correlation, so no d_rm; the rest stands.
        let e = PrePost::from_pairs([
            (Some(5.0), Some(2.0)),
            (Some(5.0), Some(3.0)),
            (Some(5.0), Some(1.0)),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((e.r_pre_post, e.d_rm, e.sd_pre), (None, None, 0.0));
        assert!(e.d_av.is_finite() && e.d_z_ci.lower < e.d_z && e.d_z < e.d_z_ci.upper);
        assert_eq!(
            Correlation::from_pairs([(Some(1.0), Some(2.0)), (Some(2.0), None)])
                .map_err(|e| e.code())
                .err(),
            Some("too_few_rows")
        );
        let perfect =
            Correlation::from_pairs((0..5).map(|i| (Some(f64::from(i)), Some(f64::from(2 * i)))))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (perfect.pearson, perfect.p, perfect.spearman),
            (1.0, 0.0, 1.0)
        );
        assert_eq!(
            perfect.pearson_ci,
            Some(Interval {
                lower: 1.0,
                upper: 1.0
            })
        );
    }

    #[test]
    fn session_table_rejects_bad_client_ids() {
        let err = SessionTable::from_rows([("ok", 1, Some(1.0)), (" x", 1, Some(2.0))])
            .map_err(|e| (e.code(), e.row()))
            .err();
        assert_eq!(err, Some(("invalid_text", Some(2))));
    }

    #[test]
    fn pre_post_same_session_is_an_option_error() {
        let table =
            SessionTable::from_rows([("a", 1, Some(1.0))]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            table.pre_post(1, 1).map_err(|e| e.code()).err(),
            Some("invalid_option")
        );
    }
}
