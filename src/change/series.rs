//! One client's course of sessions on one instrument.

use crate::components::Target;
use crate::error::{ErrorKind, Result};
use crate::instruments::Instrument;
use crate::responses::{Administration, Date};
use crate::scoring::{Metric, Scores};

/// The widest span of session numbers [`Series::score_series`] lays out.
pub(super) const MAX_SPAN: u32 = 100_000;

/// One client's administrations of one instrument, in session order: session numbers strictly
/// increase and dates (where recorded) never go backwards.
///
/// One client's course as it arrives: values per session, ruptures, the days between sessions.
/// Many clients' series make one [`SessionTable`](crate::change::SessionTable)
/// ([`SessionTable::from_series`](crate::change::SessionTable::from_series)), which every change
/// analysis reads.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::Series;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let session = |n: u32, date: &str, v: f64| -> Result<Administration, therapeutic_alliance::Error> {
///     Administration::builder(&srs).client("c-017").session(n).date(date.parse()?)
///         .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build()
/// };
/// let series = Series::from_administrations([
///     session(1, "2026-09-01", 9.0)?,
///     session(2, "2026-09-08", 8.0)?,
///     session(4, "2026-09-29", 9.5)?,
/// ])?;
/// assert_eq!(series.primary("total"), [Some(36.0), Some(32.0), Some(38.0)]);
/// assert_eq!(series.days_between(), [Some(7), Some(21)]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    instrument: Instrument,
    order: Order,
    sessions: Vec<SessionScores>,
}

/// One session of a [`Series`]: its number, date and scores.
///
/// ```
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::Series;
/// let arm = catalog::require("arm-5")?;
/// let adm = Administration::builder(&arm).session(3).answers([("1", 6), ("2", 6), ("3", 2), ("4", 6), ("5", 6)])?.build()?;
/// let series = Series::from_administrations([adm])?;
/// let first = &series.sessions()[0];
/// assert_eq!((first.session(), first.date()), (3, None));
/// assert_eq!(first.scores().primary("total"), Some(6.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SessionScores {
    session: u32,
    date: Option<Date>,
    scores: Scores,
}

impl SessionScores {
    /// The session number.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let adm = Administration::builder(&catalog::require("srs")?).session(7).build()?;
    /// assert_eq!(Series::from_administrations([adm])?.sessions()[0].session(), 7);
    /// # Ok(())
    /// # }
    /// ```
    pub fn session(&self) -> u32 {
        self.session
    }

    /// The session date, if recorded.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let adm = Administration::builder(&catalog::require("srs")?).session(1).date("2026-01-05".parse()?).build()?;
    /// let series = Series::from_administrations([adm])?;
    /// assert_eq!(series.sessions()[0].date().map(|d| d.to_string()).as_deref(), Some("2026-01-05"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn date(&self) -> Option<Date> {
        self.date
    }

    /// The session's scores.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let adm = Administration::builder(&catalog::require("srs")?).session(1).build()?;
    /// let series = Series::from_administrations([adm])?;
    /// assert_eq!(series.sessions()[0].scores().primary("total"), None, "nothing answered");
    /// # Ok(())
    /// # }
    /// ```
    pub fn scores(&self) -> &Scores {
        &self.scores
    }
}

impl Series {
    /// An empty series of `instrument`, to [`push`](Series::push) sessions onto.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let series = therapeutic_alliance::change::Series::new(&therapeutic_alliance::catalog::require("ors")?);
    /// assert!(series.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(instrument: &Instrument) -> Self {
        Series {
            instrument: instrument.clone(),
            order: Order::default(),
            sessions: Vec::new(),
        }
    }

    /// The series of these administrations, of the first one's instrument.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSeries`] if there are none, or as [`push`](Series::push) for the
    /// first that does not fit.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, ErrorKind};
    /// use therapeutic_alliance::change::Series;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let s = |n| Administration::builder(&srs).session(n).build();
    /// let err = Series::from_administrations([s(2)?, s(2)?]).unwrap_err();
    /// assert_eq!(err.to_string(), "session 2: sessions must strictly increase, and session 2 follows session 2");
    /// assert!(matches!(err.kind(), ErrorKind::InvalidSeries { session: Some(2), .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_administrations<A: std::borrow::Borrow<Administration>>(
        administrations: impl IntoIterator<Item = A>,
    ) -> Result<Self> {
        let mut it = administrations.into_iter();
        let first = it.next().ok_or_else(|| ErrorKind::InvalidSeries {
            session: None,
            reason: "a series needs at least one administration".to_owned(),
        })?;
        let first = first.borrow();
        let mut series = Series::new(first.instrument());
        series.push(first)?;
        for adm in it {
            series.push(adm.borrow())?;
        }
        Ok(series)
    }

    /// Adds the next session.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSeries`], naming the session, when the administration has no session
    /// number, its session is not after the last one, its date is before the last recorded
    /// date, it is of another instrument (or another definition of it), or it names another
    /// client than the series.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ors = catalog::require("ors")?;
    /// let mut series = Series::new(&ors);
    /// series.push(&Administration::builder(&ors).session(1).date("2026-03-10".parse()?).build()?)?;
    /// let early = Administration::builder(&ors).session(2).date("2026-03-03".parse()?).build()?;
    /// assert_eq!(
    ///     series.push(&early).unwrap_err().to_string(),
    ///     "session 2: dated 2026-03-03, before session 1 on 2026-03-10"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn push(&mut self, adm: &Administration) -> Result<()> {
        let session = self.order.admit(&self.instrument, adm)?;
        self.sessions.push(SessionScores {
            session,
            date: adm.date(),
            scores: adm.score(),
        });
        Ok(())
    }

    /// The instrument.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(therapeutic_alliance::change::Series::new(&gad7).instrument().id(), "gad-7");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The client, if the administrations name one.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let adm = Administration::builder(&catalog::require("srs")?).client("c-9").session(1).build()?;
    /// assert_eq!(Series::from_administrations([adm])?.client(), Some("c-9"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> Option<&str> {
        self.order.client.as_deref()
    }

    /// The sessions, in order.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let srs = catalog::require("srs")?;
    /// let series = Series::from_administrations([
    ///     Administration::builder(&srs).session(1).build()?,
    ///     Administration::builder(&srs).session(3).build()?,
    /// ])?;
    /// let numbers: Vec<u32> = series.sessions().iter().map(|s| s.session()).collect();
    /// assert_eq!(numbers, [1, 3]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sessions(&self) -> &[SessionScores] {
        &self.sessions
    }

    /// The number of sessions.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let adm = Administration::builder(&catalog::require("srs")?).session(1).build()?;
    /// assert_eq!(Series::from_administrations([adm])?.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether the series has no sessions.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!(therapeutic_alliance::change::Series::new(&therapeutic_alliance::catalog::require("srs")?).is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// One metric of a target per session; `None` where the session's target is not scored.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Metric};
    /// use therapeutic_alliance::change::Series;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let series = Series::from_administrations([
    ///     Administration::builder(&srs).session(1).answers([("1", 5.0)])?.build()?,
    ///     Administration::builder(&srs).session(2).answers([("1", 8.0)])?.build()?,
    /// ])?;
    /// assert_eq!(series.values("bond", Metric::Pomp), [Some(50.0), Some(80.0)]);
    /// assert_eq!(series.values("total", Metric::Sum), [None, None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn values(&self, target: impl Into<Target>, metric: Metric) -> Vec<Option<f64>> {
        let target = target.into();
        self.sessions
            .iter()
            .map(|s| s.scores.value(target.clone(), metric))
            .collect()
    }

    /// A target's score in the instrument's primary metric per session.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let ors = catalog::require("ors")?;
    /// let adm = Administration::builder(&ors).session(1)
    ///     .answers([("1", 5.0), ("2", 6.0), ("3", 5.5), ("4", 6.5)])?.build()?;
    /// let series = Series::from_administrations([adm])?;
    /// assert_eq!(series.primary("total"), [Some(23.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn primary(&self, target: impl Into<Target>) -> Vec<Option<f64>> {
        self.values(target, self.instrument.primary_metric())
    }

    /// A target's scores (primary metric) as a [`ScoreSeries`](crate::change::ScoreSeries) for sudden
    /// gains and losses: one position per session number from the first session to the last,
    /// `None` for a session number with no administration or no score, numbered from the first
    /// session ([`ScoreSeries::starting_at`](crate::change::ScoreSeries::starting_at)). Its id is the
    /// client's, or `client` when the administrations name none.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownTarget`] if the instrument has no such target;
    /// [`ErrorKind::InvalidSeries`] if the session numbers span 100,000 or more (one position
    /// is made per session number).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let phq9 = catalog::require("phq-9")?;
    /// let at = |n: u32, v: f64| Administration::builder(&phq9).client("c-3").session(n)
    ///     .answers((1..=9).map(|i| (i.to_string(), v)))?.build();
    /// let series = Series::from_administrations([at(1, 3.0)?, at(2, 3.0)?, at(4, 1.0)?])?;
    /// let scores = series.score_series("total")?;
    /// assert_eq!(scores.id(), "c-3");
    /// assert_eq!(scores.scores(), &[Some(27.0), Some(27.0), None, Some(9.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_series(&self, target: impl Into<Target>) -> Result<super::ScoreSeries> {
        let target = target.into();
        self.instrument.slot(&target)?;
        let metric = self.instrument.primary_metric();
        let mut scores: Vec<Option<f64>> = Vec::with_capacity(self.sessions.len());
        if let (Some(first), Some(last)) = (self.sessions.first(), self.sessions.last()) {
            if last.session - first.session >= MAX_SPAN {
                return Err(ErrorKind::InvalidSeries {
                    session: Some(last.session),
                    reason: format!(
                        "sessions {} to {} span more than {MAX_SPAN} session numbers",
                        first.session, last.session
                    ),
                }
                .into());
            }
            let first = first.session;
            for s in &self.sessions {
                let position = (s.session - first) as usize;
                scores.resize(position, None);
                scores.push(s.scores.value(target.clone(), metric));
            }
        }
        let series = super::ScoreSeries::new(self.client().unwrap_or("client"), scores)?;
        Ok(match self.sessions.first() {
            Some(first) => series.starting_at(first.session),
            None => series,
        })
    }

    /// Days from each session to the next (one fewer than sessions); `None` where either date
    /// is not recorded.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::Series;
    /// let srs = catalog::require("srs")?;
    /// let series = Series::from_administrations([
    ///     Administration::builder(&srs).session(1).date("2026-02-24".parse()?).build()?,
    ///     Administration::builder(&srs).session(2).build()?,
    ///     Administration::builder(&srs).session(3).date("2026-03-03".parse()?).build()?,
    /// ])?;
    /// assert_eq!(series.days_between(), [None, None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn days_between(&self) -> Vec<Option<i64>> {
        self.sessions
            .windows(2)
            .map(|w| match w {
                [a, b] => a.date.zip(b.date).map(|(a, b)| b.days_since(a)),
                _ => None,
            })
            .collect()
    }
}

/// What the next administration of a series must follow: the last session, the last recorded
/// date and the client. Shared by [`Series`] and the session monitor, so both check alike.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Order {
    /// Administrations admitted.
    count: usize,
    last_session: Option<u32>,
    last_date: Option<(u32, Date)>,
    client: Option<String>,
}

impl Order {
    /// The last session admitted.
    pub(crate) fn last_session(&self) -> Option<u32> {
        self.last_session
    }

    /// Administrations admitted.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Checks an order read back from storage: sessions admitted if and only if a last session,
    /// no more of them than session numbers, the last date's session no later than the last.
    pub(crate) fn check(&self) -> std::result::Result<(), String> {
        let fits = (self.count == 0) == self.last_session.is_none()
            && self.count <= u32::MAX as usize
            && self
                .last_session
                .is_none_or(|l| self.count <= l as usize + 1)
            && self
                .last_date
                .is_none_or(|(s, _)| self.last_session.is_some_and(|l| s <= l));
        if fits {
            Ok(())
        } else {
            Err(format!(
                "{} sessions admitted, the last {:?}, the last dated {:?}",
                self.count,
                self.last_session,
                self.last_date.map(|(s, _)| s)
            ))
        }
    }

    /// Checks the next administration and records it; its session number.
    pub(crate) fn admit(&mut self, instrument: &Instrument, adm: &Administration) -> Result<u32> {
        let at = adm.session();
        let invalid_at = |path: &str, reason: String| -> crate::Error {
            crate::Error::from(ErrorKind::InvalidSeries {
                session: at,
                reason,
            })
            .at_path(path)
        };
        if adm.instrument() != instrument {
            return Err(invalid_at(
                "/instrument",
                format!(
                    "administered {} version {:?} (digest {}), but the series is of {} version {:?} (digest {})",
                    adm.instrument().id(),
                    adm.instrument().version(),
                    adm.instrument().digest(),
                    instrument.id(),
                    instrument.version(),
                    instrument.digest()
                ),
            ));
        }
        let Some(session) = at else {
            return Err(invalid_at(
                "/session",
                format!(
                    "administration {} of the series has no session number",
                    self.count + 1
                ),
            ));
        };
        if let Some(last) = self.last_session.filter(|&l| session <= l) {
            return Err(invalid_at(
                "/session",
                format!(
                    "sessions must strictly increase, and session {session} follows session {last}"
                ),
            ));
        }
        if let (Some(date), Some((before, d))) = (adm.date(), self.last_date)
            && date < d
        {
            return Err(invalid_at(
                "/date",
                format!("dated {date}, before session {before} on {d}"),
            ));
        }
        match (&self.client, adm.client()) {
            (Some(mine), Some(theirs)) if mine != theirs => {
                // Never the ids themselves: an error ends up in logs and tickets.
                return Err(invalid_at(
                    "/client",
                    "a client other than the series' client".to_owned(),
                ));
            }
            (None, Some(_)) if self.count > 0 => {
                return Err(invalid_at(
                    "/client",
                    "a client, but the earlier sessions name none".to_owned(),
                ));
            }
            (Some(_), None) => {
                return Err(invalid_at(
                    "/client",
                    "no client, but the earlier sessions name one".to_owned(),
                ));
            }
            (None, Some(theirs)) => self.client = Some(theirs.to_owned()),
            _ => {}
        }
        self.count = self.count.checked_add(1).ok_or_else(|| {
            invalid_at(
                "/session",
                "the series already holds as many sessions as can be counted".to_owned(),
            )
        })?;
        self.last_session = Some(session);
        if let Some(date) = adm.date() {
            self.last_date = Some((session, date));
        }
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn adm(inst: &Instrument, session: Option<u32>, client: Option<&str>) -> Administration {
        let mut b = Administration::builder(inst);
        if let Some(s) = session {
            b = b.session(s);
        }
        if let Some(c) = client {
            b = b.client(c);
        }
        b.build().unwrap()
    }

    #[test]
    fn every_misfit_names_its_session() {
        let srs = catalog::require("srs").unwrap();
        let ors = catalog::require("ors").unwrap();
        let cases: [(Vec<Administration>, &str); 6] = [
            (
                vec![adm(&srs, Some(1), None), adm(&srs, None, None)],
                "administration 2 of the series has no session number",
            ),
            (
                vec![adm(&srs, Some(3), None), adm(&srs, Some(1), None)],
                "session 1: sessions must strictly increase, and session 1 follows session 3",
            ),
            (
                vec![adm(&srs, Some(1), None), adm(&ors, Some(2), None)],
                "session 2: administered ors version \"adult\"",
            ),
            (
                vec![adm(&srs, Some(1), Some("a")), adm(&srs, Some(2), Some("b"))],
                "session 2: a client other than the series' client",
            ),
            (
                vec![adm(&srs, Some(1), Some("a")), adm(&srs, Some(2), None)],
                "session 2: no client, but the earlier sessions name one",
            ),
            (
                vec![adm(&srs, Some(1), None), adm(&srs, Some(2), Some("b"))],
                "session 2: a client, but the earlier sessions name none",
            ),
        ];
        for (adms, message) in cases {
            let err = Series::from_administrations(&adms).unwrap_err();
            assert!(err.to_string().starts_with(message), "{err}");
            assert_eq!(err.kind().code(), "invalid_series");
        }
        let none: [Administration; 0] = [];
        assert!(Series::from_administrations(none).is_err());
    }

    #[test]
    fn a_changed_definition_is_another_instrument() {
        let srs = catalog::require("srs").unwrap();
        let quiet = srs
            .to_builder()
            .version("3.0, no alert")
            .clear_thresholds()
            .build()
            .unwrap();
        let err =
            Series::from_administrations([adm(&srs, Some(1), None), adm(&quiet, Some(2), None)])
                .unwrap_err();
        assert!(err.to_string().contains("digest"), "{err}");
    }

    #[test]
    fn a_huge_gap_is_refused_not_allocated() {
        let srs = catalog::require("srs").unwrap();
        let series = Series::from_administrations([
            adm(&srs, Some(1), None),
            adm(&srs, Some(u32::MAX), None),
        ])
        .unwrap();
        let err = series.score_series("total").unwrap_err();
        assert!(err.to_string().contains("span more than 100000"), "{err}");
    }

    /// Sudden gains in a series that starts at session 5 are named by their own sessions.
    #[test]
    fn sudden_gains_keep_the_series_session_numbers() {
        let phq9 = catalog::require("phq-9").unwrap();
        let at = |n: u32, v: f64| {
            Administration::builder(&phq9)
                .session(n)
                .answers((1..=9).map(|i| (i.to_string(), v)))
                .unwrap()
                .build()
                .unwrap()
        };
        // Totals 27, 27, 9, 9, 9 at sessions 5, 6, 7, 8, 9: the gain is from session 6 to 7.
        let series = Series::from_administrations([
            at(5, 3.0),
            at(6, 3.0),
            at(7, 1.0),
            at(8, 1.0),
            at(9, 1.0),
        ])
        .unwrap();
        let scores = series.score_series("total").unwrap();
        let gains = crate::change::SuddenOptions::new(crate::Better::Lower, 6.0)
            .unwrap()
            .gains(&crate::change::SessionTable::from_wide([scores]).unwrap())
            .unwrap();
        let sessions: Vec<u64> = gains.events().map(|g| g.session).collect();
        assert_eq!(sessions, [6]);
    }

    #[test]
    fn same_day_sessions_are_allowed() {
        let srs = catalog::require("srs").unwrap();
        let d: Date = "2026-05-05".parse().unwrap();
        let a = Administration::builder(&srs)
            .session(1)
            .date(d)
            .build()
            .unwrap();
        let b = Administration::builder(&srs)
            .session(2)
            .date(d)
            .build()
            .unwrap();
        let series = Series::from_administrations([a, b]).unwrap();
        assert_eq!(series.days_between(), [Some(0)]);
    }
}
