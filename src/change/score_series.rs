//! [`ScoreSeries`]: one client's scores in session order, a row of a wide table (suddengains'
//! `bdi_s1 .. bdi_s12` columns), with the scores at the start and end of treatment when they are
//! given apart from the series. [`SessionTable::from_wide`](super::SessionTable::from_wide)
//! reads such rows; [`SessionTable::wide`](super::SessionTable::wide) gives them back.

use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;

/// One client's scores, session by session, in order; `None` is a missed session: a row of a
/// wide table, and a leaf input of the [`SessionTable`](super::SessionTable)
/// ([`from_wide`](super::SessionTable::from_wide)), which the analyses read.
///
/// The change over treatment is from the first to the last score of the series unless
/// [`treatment`](ScoreSeries::treatment) gives other scores (an intake or post-treatment
/// assessment outside the series).
///
/// ```
/// use therapeutic_alliance::change::ScoreSeries;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = ScoreSeries::new("c-017", [Some(31.0), Some(30.0), None, Some(22.0), Some(21.0)])?;
/// assert_eq!((s.id(), s.scores().len()), ("c-017", 5));
/// assert_eq!((s.treatment_start(), s.treatment_end()), (Some(31.0), Some(21.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "SeriesDef", into = "SeriesDef")
)]
pub struct ScoreSeries {
    id: String,
    scores: Vec<Option<f64>>,
    treatment: Option<Treatment>,
    pub(super) first_session: Option<u32>,
}

/// Scores at the start and end of treatment, given apart from the series.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct Treatment {
    start: Option<f64>,
    end: Option<f64>,
}

/// Serialized form of a [`ScoreSeries`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct SeriesDef {
    id: String,
    scores: Vec<Option<f64>>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    treatment: Option<Treatment>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    first_session: Option<u32>,
}

impl TryFrom<SeriesDef> for ScoreSeries {
    type Error = crate::Error;

    fn try_from(d: SeriesDef) -> Result<Self> {
        let mut s = ScoreSeries::new(d.id, d.scores)?;
        s.first_session = d.first_session;
        match d.treatment {
            Some(t) => s.treatment(t.start, t.end),
            None => Ok(s),
        }
    }
}

impl From<ScoreSeries> for SeriesDef {
    fn from(s: ScoreSeries) -> Self {
        SeriesDef {
            id: s.id,
            scores: s.scores,
            treatment: s.treatment,
            first_session: s.first_session,
        }
    }
}

impl ScoreSeries {
    /// A client's series of session scores.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidText`] for an empty client id or one with surrounding whitespace,
    ///   control, invisible or bidirectional characters;
    /// - [`ErrorKind::NotFiniteScore`] for a NaN or infinite score, naming its position.
    ///
    /// ```
    /// use therapeutic_alliance::ErrorKind;
    /// use therapeutic_alliance::change::ScoreSeries;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = ScoreSeries::new("7", vec![Some(20.0), None, Some(14.0)])?;
    /// assert_eq!(s.scores(), &[Some(20.0), None, Some(14.0)]);
    /// let err = ScoreSeries::new("7", [Some(20.0), Some(f64::NAN)]).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::NotFiniteScore { .. }));
    /// assert_eq!(err.to_string(), "score 2 is NaN, not a finite number");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(
        id: impl Into<String>,
        scores: impl IntoIterator<Item = Option<f64>>,
    ) -> Result<Self> {
        let id = id.into();
        check_field(TextRule::Id, "client id", &id)?;
        let scores: Vec<Option<f64>> = scores.into_iter().collect();
        for (i, v) in scores.iter().enumerate() {
            if let Some(v) = *v
                && !v.is_finite()
            {
                return Err(ErrorKind::NotFiniteScore {
                    score: format!("score {}", i.saturating_add(1)),
                    value: v,
                }
                .into());
            }
            if let Some(v) = *v {
                super::check_magnitude(|| format!("score {}", i + 1), v)?;
            }
        }
        Ok(ScoreSeries {
            id,
            scores,
            treatment: None,
            first_session: None,
        })
    }

    /// The same series with the change over treatment measured from `start` to `end` instead
    /// of from the first to the last score of the series (suddengains' `tx_start_var_name` and
    /// `tx_end_var_name`). `None` is a missing score: the change is then unknown.
    ///
    /// # Errors
    /// [`ErrorKind::NotFiniteScore`] for a NaN or infinite start or end.
    ///
    /// ```
    /// use therapeutic_alliance::change::ScoreSeries;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // Intake 33 (session 0), then sessions 1..4; the change runs from intake to session 4.
    /// let s = ScoreSeries::new("1", [Some(35.0), Some(37.0), Some(34.0), Some(23.0)])?
    ///     .treatment(Some(33.0), Some(23.0))?;
    /// assert_eq!(s.treatment_start(), Some(33.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment(mut self, start: Option<f64>, end: Option<f64>) -> Result<Self> {
        for (what, v) in [("treatment start", start), ("treatment end", end)] {
            if let Some(v) = v
                && !v.is_finite()
            {
                return Err(ErrorKind::NotFiniteScore {
                    score: what.to_owned(),
                    value: v,
                }
                .into());
            }
            if let Some(v) = v {
                super::check_magnitude(|| what.to_owned(), v)?;
            }
        }
        self.treatment = Some(Treatment { start, end });
        Ok(self)
    }

    /// The client id.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::change::ScoreSeries::new("c-3", [Some(1.0)])?;
    /// assert_eq!(s.id(), "c-3");
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The same series with its first score at session `session` (default 1): its sessions
    /// are numbered from there. With 0 the first score is a baseline, as with suddengains'
    /// `identify_sg_1to2 = TRUE`; the intervals examined are the same. A series laid out from a
    /// client's [`Series`](crate::change::Series) starts at its first session.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = ScoreSeries::new("c-3", [Some(30.0), Some(30.0), Some(20.0), Some(20.0)])?.starting_at(5);
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&SessionTable::from_wide([s])?)?;
    /// assert_eq!(gains.events().next().map(|g| g.session), Some(6), "the session before the gain");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn starting_at(mut self, session: u32) -> Self {
        self.first_session = Some(session);
        self
    }

    /// The session number of the first score, if the series sets one.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::change::ScoreSeries::new("c-3", [Some(1.0)])?;
    /// assert_eq!((s.first_session(), s.clone().starting_at(0).first_session()), (None, Some(0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn first_session(&self) -> Option<u32> {
        self.first_session
    }

    /// The scores, session by session (`None` = missed).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::change::ScoreSeries::new("c-3", [Some(1.0), None])?;
    /// assert_eq!(s.scores(), &[Some(1.0), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn scores(&self) -> &[Option<f64>] {
        &self.scores
    }

    /// A series from parts a [`SessionTable`](super::SessionTable) has already validated (the
    /// id, finite scores of bounded magnitude).
    pub(super) fn from_validated(
        id: String,
        scores: Vec<Option<f64>>,
        treatment: Option<(Option<f64>, Option<f64>)>,
        first_session: Option<u32>,
    ) -> Self {
        ScoreSeries {
            id,
            scores,
            treatment: treatment.map(|(start, end)| Treatment { start, end }),
            first_session,
        }
    }

    /// The treatment scores given apart from the series, if any.
    pub(super) fn treatment_scores(&self) -> Option<(Option<f64>, Option<f64>)> {
        self.treatment.map(|t| (t.start, t.end))
    }

    /// The score at the start of treatment: the one given to
    /// [`treatment`](ScoreSeries::treatment), else the first of the series.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::change::ScoreSeries::new("c-3", [None, Some(4.0)])?;
    /// assert_eq!(s.treatment_start(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment_start(&self) -> Option<f64> {
        match self.treatment {
            Some(t) => t.start,
            None => self.scores.first().copied().flatten(),
        }
    }

    /// The score at the end of treatment: the one given to
    /// [`treatment`](ScoreSeries::treatment), else the last of the series.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::change::ScoreSeries::new("c-3", [None, Some(4.0)])?;
    /// assert_eq!(s.treatment_end(), Some(4.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn treatment_end(&self) -> Option<f64> {
        match self.treatment {
            Some(t) => t.end,
            None => self.scores.last().copied().flatten(),
        }
    }
}
