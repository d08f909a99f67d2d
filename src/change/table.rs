//! The hub of the change statistics: [`SessionTable`], a long table of sessions per client
//! (one row per client and session, the score or `None` for a missed session), and the views it
//! gives: the mean trajectory ([`SessionMean`]), person-mean centered values
//! ([`CenteredValue`]), lagged values ([`LaggedValue`]), pre-post pairs and change rows.

use super::effect_size::PrePost;
use super::score_series::ScoreSeries;
use super::series::{MAX_SPAN, Series};
use super::trajectory::{ClientTrajectory, TrajectoryOptions, fit};
use crate::components::Target;
use crate::error::check_field;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::TextRule;
use crate::instruments::Instrument;
use crate::responses::Administration;
use crate::stats;
use std::collections::{BTreeMap, HashMap};

/// NaN or infinity is an error; `None` (missing) is not.
pub(super) fn finite(item: &str, value: Option<f64>) -> Result<()> {
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
pub(super) struct Point {
    pub(super) session: u32,
    pub(super) score: Option<f64>,
    /// Position in the input, from 1.
    pub(super) row: u64,
}

/// Sorts a client's points by session; a session given twice is an error naming both rows
/// (never the client's id: the rows locate it).
pub(super) fn sorted_unique(mut series: Vec<Point>) -> Result<Vec<Point>> {
    series.sort_by_key(|p| (p.session, p.row));
    for pair in series.windows(2) {
        if let [a, b] = pair
            && a.session == b.session
        {
            return Err(Error::from(ErrorKind::InvalidTable {
                reason: format!(
                    "session {} is given more than once (rows {} and {})",
                    a.session, a.row, b.row
                ),
            })
            .at_row(b.row));
        }
    }
    Ok(series)
}

/// A long table of session scores, the one input of the change analyses: one row per client
/// and session, the score or `None` for a missed session, as an R user holds it in a data frame
/// (`id`, `session`, `score`). Validated once; clients keep the order of their first row, and
/// each client's sessions are held in session order.
///
/// Built from long rows ([`from_rows`](SessionTable::from_rows)), administrations
/// ([`from_administrations`](SessionTable::from_administrations), e.g. the csv module's long
/// reader), one [`Series`] per client ([`from_series`](SessionTable::from_series)) or a wide
/// table ([`from_wide`](SessionTable::from_wide)). Read by reliable change
/// ([`change_rows`](SessionTable::change_rows)), sudden gains and losses
/// ([`SuddenOptions::analyze`](super::SuddenOptions::analyze)), trajectories, effect sizes
/// ([`pre_post`](SessionTable::pre_post)) and ruptures
/// ([`RuptureOptions::analyze_table`](super::RuptureOptions::analyze_table)).
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{RciMethod, ReliableChangeOptions, SessionTable, SuddenOptions, TrajectoryOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let table = SessionTable::from_rows([
///     ("c-1", 1, Some(40.0)), ("c-1", 2, Some(44.0)), ("c-1", 3, Some(45.0)),
///     ("c-2", 1, Some(30.0)), ("c-2", 2, None), ("c-2", 3, Some(36.0)),
/// ])?;
/// assert_eq!(table.clients().collect::<Vec<_>>(), ["c-1", "c-2"]);
/// let trajectories = table.trajectories(&TrajectoryOptions::default());
/// assert_eq!(trajectories[1].trajectory.map(|t| t.change), Some(6.0));
/// let rci = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Higher)?
///     .analyze(table.change_rows(1, 3))?;
/// assert_eq!(rci.n_used, 2);
/// let gains = SuddenOptions::new(Better::Higher, 4.0)?.gains(&table)?;
/// assert_eq!(gains.clients.len(), 2);
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
    /// Scores at the start and end of treatment given apart from the sessions.
    treatment: Option<(Option<f64>, Option<f64>)>,
}

impl ClientSeries {
    fn wide(&self) -> Result<ScoreSeries> {
        let mut scores: Vec<Option<f64>> = Vec::with_capacity(self.points.len());
        let first = self.points.first().map(|p| p.session);
        if let (Some(first), Some(last)) = (first, self.points.last().map(|p| p.session)) {
            if last - first >= MAX_SPAN {
                return Err(ErrorKind::InvalidSeries {
                    session: Some(last),
                    reason: format!(
                        "sessions {first} to {last} span more than {MAX_SPAN} session numbers"
                    ),
                }
                .into());
            }
            for p in &self.points {
                scores.resize((p.session - first) as usize, None);
                scores.push(p.score);
            }
        }
        // The id, the scores and the treatment scores were validated when the table was built.
        Ok(ScoreSeries::from_validated(
            self.id.clone(),
            scores,
            self.treatment,
            first,
        ))
    }

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
    /// use therapeutic_alliance::change::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let err = SessionTable::from_rows([("c-1", 1, Some(3.0)), ("c-1", 1, Some(4.0))]).unwrap_err();
    /// assert_eq!(err.to_string(), "row 2: session 1 is given more than once (rows 1 and 2)");
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
                    treatment: None,
                });
            }
        }
        let clients = clients
            .into_iter()
            .map(|c| {
                let points = sorted_unique(c.points)?;
                Ok(ClientSeries {
                    id: c.id,
                    points,
                    treatment: None,
                })
            })
            .collect::<Result<_>>()?;
        Ok(SessionTable { clients })
    }

    /// A table from one [`ScoreSeries`] per client (a wide table: one row per client, one
    /// column per session, as suddengains reads it). Each series' first score is session
    /// [`first_session`](ScoreSeries::first_session) (1 unless the series
    /// [starts at](ScoreSeries::starting_at) another), and every position is a row, missed
    /// sessions included; the scores given to [`ScoreSeries::treatment`] go with their client.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidTable`], located at the series (counted from 1), for a client id
    /// given by an earlier series too, or session numbers beyond `u32::MAX`.
    ///
    /// ```
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_wide([
    ///     ScoreSeries::new("a", [Some(31.0), None, Some(22.0)])?,
    ///     ScoreSeries::new("b", [Some(20.0), Some(18.0)])?.starting_at(0),
    /// ])?;
    /// assert_eq!(table.rows().count(), 5);
    /// assert_eq!(table.wide()?[0].scores(), &[Some(31.0), None, Some(22.0)]);
    /// assert_eq!(table.wide()?[1].first_session(), Some(0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_wide(series: impl IntoIterator<Item = ScoreSeries>) -> Result<SessionTable> {
        let mut index: HashMap<String, u64> = HashMap::new();
        let mut clients = Vec::new();
        for (s, at) in series.into_iter().zip(1u64..) {
            if let Some(first) = index.insert(s.id().to_owned(), at) {
                return Err(Error::from(ErrorKind::InvalidTable {
                    reason: format!("series {at} repeats the client id of series {first}"),
                })
                .at_row(at));
            }
            let first = s.first_session().unwrap_or(1);
            let mut points = Vec::with_capacity(s.scores().len());
            for (i, score) in s.scores().iter().enumerate() {
                let session = u32::try_from(i)
                    .ok()
                    .and_then(|i| first.checked_add(i))
                    .ok_or_else(|| {
                        Error::from(ErrorKind::InvalidTable {
                            reason: format!("series {at} numbers its sessions beyond {}", u32::MAX),
                        })
                        .at_row(at)
                    })?;
                points.push(Point {
                    session,
                    score: *score,
                    row: at,
                });
            }
            clients.push(ClientSeries {
                id: s.id().to_owned(),
                points,
                treatment: s.treatment_scores(),
            });
        }
        Ok(SessionTable { clients })
    }

    /// A table of one target's scores (in the instrument's primary metric) from
    /// administrations in any order, such as the rows the csv module's long reader gives: one
    /// row per administration, its client and session. An administration whose target was not
    /// scored (too many answers missing) is a missed session.
    ///
    /// # Errors
    /// Located at the administration (counted from 1): [`ErrorKind::InvalidTable`] for an
    /// administration without a client id or session number, or of another instrument than
    /// the first; an unknown target; and the errors of [`from_rows`](SessionTable::from_rows).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = catalog::require("phq-9")?;
    /// let at = |client: &str, n: u32, v: f64| Administration::builder(&phq9).client(client).session(n)
    ///     .answers((1..=9).map(|i| (i.to_string(), v)))?.build();
    /// let table = SessionTable::from_administrations(
    ///     [at("a", 1, 3.0)?, at("b", 1, 2.0)?, at("a", 2, 1.0)?],
    ///     "total",
    /// )?;
    /// assert_eq!(table.clients().collect::<Vec<_>>(), ["a", "b"]);
    /// let rows = table.change_rows(1, 2);
    /// assert_eq!((rows[0].pre, rows[0].post), (Some(27.0), Some(9.0)));
    /// assert_eq!((rows[1].pre, rows[1].post), (Some(18.0), None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_administrations<A: std::borrow::Borrow<Administration>>(
        administrations: impl IntoIterator<Item = A>,
        target: impl Into<Target>,
    ) -> Result<SessionTable> {
        let target = target.into();
        let mut instrument: Option<Instrument> = None;
        let mut rows = Vec::new();
        for (adm, at) in administrations.into_iter().zip(1u64..) {
            let adm = adm.borrow();
            let missing = |what: &str| {
                Error::from(ErrorKind::InvalidTable {
                    reason: format!("administration {at} has no {what}"),
                })
                .at_row(at)
            };
            match &instrument {
                None => {
                    adm.instrument().slot(&target)?;
                    instrument = Some(adm.instrument().clone());
                }
                Some(first) if first != adm.instrument() => {
                    return Err(Error::from(ErrorKind::InvalidTable {
                        reason: format!(
                            "administration {at} is of {} {}, not of {} {} as the first",
                            adm.instrument().id(),
                            adm.instrument().version(),
                            first.id(),
                            first.version()
                        ),
                    })
                    .at_row(at));
                }
                Some(_) => {}
            }
            let client = adm.client().ok_or_else(|| missing("client id"))?;
            let session = adm.session().ok_or_else(|| missing("session number"))?;
            let metric = adm.instrument().primary_metric();
            rows.push((
                client.to_owned(),
                session,
                adm.score().value(target.clone(), metric),
            ));
        }
        SessionTable::from_rows(rows)
    }

    /// A table of one target's scores (in the instrument's primary metric) from one
    /// [`Series`] per client: a view of the clients' administrations.
    ///
    /// # Errors
    /// As [`from_administrations`](SessionTable::from_administrations); a series without a
    /// client id is [`ErrorKind::InvalidTable`] located at the series (counted from 1).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{Series, SessionTable};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let at = |client: &str, n: u32, v: f64| Administration::builder(&srs).client(client).session(n)
    ///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
    /// let a = Series::from_administrations([at("a", 1, 8.0)?, at("a", 2, 9.0)?])?;
    /// let b = Series::from_administrations([at("b", 1, 7.0)?])?;
    /// let table = SessionTable::from_series([&a, &b], "total")?;
    /// assert_eq!(table.rows().map(|r| r.2).collect::<Vec<_>>(), [Some(32.0), Some(36.0), Some(28.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_series<'s>(
        series: impl IntoIterator<Item = &'s Series>,
        target: impl Into<Target>,
    ) -> Result<SessionTable> {
        let target = target.into();
        let mut instrument: Option<&Instrument> = None;
        let mut rows = Vec::new();
        for (s, at) in series.into_iter().zip(1u64..) {
            if s.is_empty() {
                continue;
            }
            match instrument {
                None => {
                    s.instrument().slot(&target)?;
                    instrument = Some(s.instrument());
                }
                Some(first) if first != s.instrument() => {
                    return Err(Error::from(ErrorKind::InvalidTable {
                        reason: format!(
                            "series {at} is of {} {}, not of {} {} as the first",
                            s.instrument().id(),
                            s.instrument().version(),
                            first.id(),
                            first.version()
                        ),
                    })
                    .at_row(at));
                }
                Some(_) => {}
            }
            let client = s.client().ok_or_else(|| {
                Error::from(ErrorKind::InvalidTable {
                    reason: format!("series {at} has no client id"),
                })
                .at_row(at)
            })?;
            let metric = s.instrument().primary_metric();
            for session in s.sessions() {
                rows.push((
                    client.to_owned(),
                    session.session(),
                    session.scores().value(target.clone(), metric),
                ));
            }
        }
        SessionTable::from_rows(rows)
    }

    /// Sets the scores at the start and end of `client`'s treatment, for the change over
    /// treatment of sudden gains (suddengains' `tx_start_var_name` and `tx_end_var_name`),
    /// instead of their first and last scores. `None` is a missing score.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a client not in the table; [`ErrorKind::NotFinite`]
    /// for a NaN or infinite score.
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([("a", 1, Some(35.0)), ("a", 2, Some(23.0))])?
    ///     .treatment("a", Some(33.0), Some(23.0))?;
    /// assert_eq!(table.wide()?[0].treatment_start(), Some(33.0));
    /// assert!(table.clone().treatment("z", None, None).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment(mut self, client: &str, start: Option<f64>, end: Option<f64>) -> Result<Self> {
        finite("treatment start", start)?;
        finite("treatment end", end)?;
        let c = self
            .clients
            .iter_mut()
            .find(|c| c.id == client)
            .ok_or_else(|| ErrorKind::InvalidOption {
                option: "treatment client",
                value: client.to_owned(),
                reason: "is not a client of the table".to_owned(),
            })?;
        c.treatment = Some((start, end));
        Ok(self)
    }

    /// Every row, in client and then session order: `(client, session, score)`, the long form
    /// the table was built from (missed sessions included).
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([("b", 2, None), ("a", 1, Some(2.0)), ("b", 1, Some(1.0))])?;
    /// let rows: Vec<_> = table.rows().collect();
    /// assert_eq!(rows, [("b", 1, Some(1.0)), ("b", 2, None), ("a", 1, Some(2.0))]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rows(&self) -> impl Iterator<Item = (&str, u32, Option<f64>)> + '_ {
        self.clients
            .iter()
            .flat_map(|c| c.points.iter().map(|p| (c.id.as_str(), p.session, p.score)))
    }

    /// Each client's id, session numbers and scores, in client order.
    pub(crate) fn client_columns(
        &self,
    ) -> impl Iterator<Item = (&str, Vec<u32>, Vec<Option<f64>>)> {
        self.clients.iter().map(|c| {
            (
                c.id.as_str(),
                c.points.iter().map(|p| p.session).collect(),
                c.points.iter().map(|p| p.score).collect(),
            )
        })
    }

    /// The table in wide form: one [`ScoreSeries`] per client, in client order, from the
    /// client's first session to their last (a session without a row is a missed one), starting
    /// at the first session, with the client's treatment scores. Sudden gains read this.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSeries`] for a client whose sessions span 100,000 session numbers or
    /// more.
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([("a", 2, Some(30.0)), ("a", 4, Some(26.0))])?;
    /// let wide = table.wide()?;
    /// assert_eq!((wide[0].id(), wide[0].first_session()), ("a", Some(2)));
    /// assert_eq!(wide[0].scores(), &[Some(30.0), None, Some(26.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wide(&self) -> Result<Vec<ScoreSeries>> {
        self.clients.iter().map(ClientSeries::wide).collect()
    }

    /// The client ids, in the order of their first row.
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
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

    /// Every client's [`Trajectory`](super::Trajectory) over the sessions with a score, in client order. A client
    /// with no score at all is listed with `trajectory: None`.
    ///
    /// ```
    /// use therapeutic_alliance::change::{SessionTable, TrajectoryOptions};
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
                trajectory: fit(&c.observed(), options.early_sessions()),
            })
            .collect()
    }

    /// The sample's mean trajectory: for each session (ascending), the mean, count and standard
    /// deviation of the clients' scores there.
    ///
    /// ```
    /// use therapeutic_alliance::change::SessionTable;
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
    /// use therapeutic_alliance::change::SessionTable;
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
    /// use therapeutic_alliance::change::SessionTable;
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
    /// use therapeutic_alliance::change::SessionTable;
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

    /// Each client's scores at `pre` and `post` as a [`ChangeRow`](crate::change::ChangeRow) for
    /// [`ReliableChangeOptions::analyze`](crate::change::ReliableChangeOptions::analyze): the long-to-wide step R's
    /// `cs_combined(data, id, time, outcome, pre, post)` takes for you. A client without a
    /// score at either session gives a row with `None` there (left out of the analysis and
    /// reported as dropped).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{RciMethod, ReliableChangeOptions, SessionTable};
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
    pub fn change_rows(&self, pre: u32, post: u32) -> Vec<crate::change::ChangeRow> {
        self.clients
            .iter()
            .map(|c| crate::change::ChangeRow::new(c.id.clone(), c.score_at(pre), c.score_at(post)))
            .collect()
    }
}

/// The sample at one session: how many clients have a score there, their mean and standard
/// deviation.
///
/// ```
/// use therapeutic_alliance::change::SessionTable;
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
/// use therapeutic_alliance::change::SessionTable;
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
/// use therapeutic_alliance::change::SessionTable;
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

#[cfg(test)]
mod tests {
    use super::super::{Correlation, Trajectory};
    use super::*;
    use crate::stats::Interval;

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
