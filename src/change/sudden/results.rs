//! What a sudden-gains analysis finds: [`SuddenChanges`] for every client, each
//! [`SuddenClient`]'s intervals and events, and one row per client.

use super::{SuddenKind, SuddenPick};
use crate::change::Better;

/// Sudden gains or losses of every client: the criteria of every interval, each gain or loss,
/// and (through [`by_client`](SuddenChanges::by_client)) one row per client.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = SessionTable::from_wide([ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?])?;
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
/// // Intervals 2-3, 3-4 and 4-5 of six sessions; the gain is 3-4.
/// let met: Vec<_> = gains.clients[0].intervals.iter().map(|i| (i.session, i.met)).collect();
/// assert_eq!(met, [(2, Some(false)), (3, Some(true)), (4, Some(false))]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenChanges {
    /// Gains or losses.
    pub kind: SuddenKind,
    /// Which direction was improvement.
    pub better: Better,
    /// Each client, in the order given (suddengains sorts by id).
    pub clients: Vec<SuddenClient>,
}

impl SuddenChanges {
    /// Every gain (or loss) of every client, client by client and session by session
    /// (suddengains' `create_bysg()`).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = SessionTable::from_wide([ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?])?;
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
    /// assert_eq!(gains.events().map(|g| g.client.as_str()).collect::<Vec<_>>(), ["4"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn events(&self) -> impl Iterator<Item = &SuddenEvent> {
        self.clients.iter().flat_map(|c| c.events.iter())
    }

    /// How many gains (or losses) in all.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = SessionTable::from_wide([ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?])?;
    /// assert_eq!(SuddenOptions::new(Better::Lower, 7.0)?.losses(&s)?.count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn count(&self) -> usize {
        self.clients.iter().map(|c| c.events.len()).sum()
    }

    /// One row per client, in the order given: how many gains (or losses) and the one `pick`
    /// selects (suddengains' `create_byperson()`).
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = SessionTable::from_wide([ScoreSeries::new("5", [Some(39.0), Some(37.0), Some(36.0), Some(26.0), Some(26.0),
    ///     Some(23.0), Some(21.0), Some(19.0), Some(6.0), Some(7.0), Some(8.0), Some(8.0)])?])?;
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
    /// let first = gains.by_client(SuddenPick::First);
    /// let largest = gains.by_client(SuddenPick::Largest);
    /// assert_eq!(first[0].count, 2);
    /// assert_eq!(first[0].event.as_ref().map(|g| g.session), Some(3));
    /// assert_eq!(largest[0].event.as_ref().map(|g| g.session), Some(8));
    /// # Ok(())
    /// # }
    /// ```
    pub fn by_client(&self, pick: SuddenPick) -> Vec<SuddenByClient> {
        self.clients
            .iter()
            .map(|c| SuddenByClient {
                client: c.id.clone(),
                count: c.events.len(),
                event: c.pick(pick).cloned(),
            })
            .collect()
    }
}

/// One client's intervals and sudden gains (or losses).
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = SessionTable::from_wide([ScoreSeries::new("2", [Some(26.0), None, Some(26.0)])?])?;
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
/// // Three sessions have no interval with two scores on each side.
/// assert!(gains.clients[0].intervals.is_empty());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenClient {
    /// The client id.
    pub id: String,
    /// Every interval examined, in session order (suddengains' `identify_sg()` columns
    /// `sg_crit1_2to3` .. `sg_2to3` ..).
    pub intervals: Vec<SuddenInterval>,
    /// The gains (or losses), in session order.
    pub events: Vec<SuddenEvent>,
}

impl SuddenClient {
    /// The gain (or loss) `pick` selects; `None` without any. Of equal magnitudes the earliest
    /// is taken, as suddengains does; magnitudes that are unknown (criterion 3 alone, with score
    /// N or N+1 missed) rank after known ones.
    ///
    /// ```
    /// use therapeutic_alliance::Better;
    /// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions, SuddenPick};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = SessionTable::from_wide([ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?])?;
    /// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
    /// assert_eq!(gains.clients[0].pick(SuddenPick::Smallest).and_then(|g| g.magnitude), Some(11.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn pick(&self, pick: SuddenPick) -> Option<&SuddenEvent> {
        let extreme = |larger: bool| {
            let mut best: Option<&SuddenEvent> = None;
            for e in &self.events {
                let better = match (best.and_then(|b| b.magnitude), e.magnitude) {
                    _ if best.is_none() => true,
                    (Some(b), Some(m)) => {
                        if larger {
                            m > b
                        } else {
                            m < b
                        }
                    }
                    (None, Some(_)) => true,
                    (_, None) => false,
                };
                if better {
                    best = Some(e);
                }
            }
            best
        };
        match pick {
            SuddenPick::First => self.events.first(),
            SuddenPick::Last => self.events.last(),
            SuddenPick::Largest => extreme(true),
            SuddenPick::Smallest => extreme(false),
        }
    }
}

/// The three criteria for one interval, from session N to N+1. A criterion is `None` when it
/// does not apply or cannot be checked (criteria 1 and 2 need scores N and N+1; criterion 3
/// needs two scores on each side).
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = SessionTable::from_wide([ScoreSeries::new("3", [Some(36.0), Some(37.0), None, Some(35.0), Some(26.0), Some(24.0)])?])?;
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
/// let i = &gains.clients[0].intervals[1]; // session 3 (missed) to 4
/// assert_eq!((i.session, i.cutoff, i.mean_shift, i.met), (3, None, Some(false), None));
/// assert!((i.critical_value.unwrap_or(0.0) - 3.182).abs() < 1e-3); // 2 + 3 scores: 3 df
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenInterval {
    /// Session N, the last before the shift (suddengains' interval `NtoN+1`).
    pub session: u64,
    /// Criterion 1: the shift is at least the cutoff.
    pub cutoff: Option<bool>,
    /// Criterion 2: the shift is at least the fraction of score N.
    pub relative: Option<bool>,
    /// Criterion 3: the mean shift exceeds the critical value times the pooled SD.
    pub mean_shift: Option<bool>,
    /// The critical value criterion 3 used, if it was checked.
    pub critical_value: Option<f64>,
    /// Every applied criterion met (`Some(true)`: a sudden gain or loss); `None` when an
    /// applied criterion could not be checked, even if another failed (suddengains' `NA`).
    pub met: Option<bool>,
}

/// One sudden gain (or loss), from session N to N+1 (a row of suddengains' `create_bysg()`).
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let s = SessionTable::from_wide([ScoreSeries::new("4", [Some(35.0), Some(37.0), Some(34.0), Some(23.0), Some(24.0), Some(21.0)])?])?;
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
/// let g = gains.events().next().ok_or("a gain")?;
/// assert_eq!((g.scores.n, g.scores.n_plus_1), (Some(34.0), Some(23.0)));
/// assert_eq!((g.magnitude, g.treatment_change), (Some(11.0), Some(14.0)));
/// assert_eq!((g.reversal_value, g.reversal), (Some(28.5), false));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenEvent {
    /// The client id.
    pub client: String,
    /// Gain or loss.
    pub kind: SuddenKind,
    /// Session N, the last before the shift (suddengains' `sg_session_n`).
    pub session: u64,
    /// The scores from session N-2 to N+3.
    pub scores: SuddenWindow,
    /// The shift from score N to score N+1, positive in the direction looked for (the
    /// improvement of a gain, the worsening of a loss); `None` if either score was missed
    /// (possible with criterion 3 alone). suddengains' `sg_magnitude` (negated for losses).
    pub magnitude: Option<f64>,
    /// The change over treatment (start to end) in the same direction; `None` if either score
    /// is missing.
    pub treatment_change: Option<f64>,
    /// `magnitude / treatment_change`: the share of the change over treatment the shift
    /// accounts for; `None` when either is unknown or the change is 0.
    pub proportion: Option<f64>,
    /// The midpoint of scores N and N+1 (`score N+1 + (score N - score N+1) / 2`); a later
    /// score on the pre-shift side of it is a reversal.
    pub reversal_value: Option<f64>,
    /// Whether a score from session N+2 on went back beyond the reversal value.
    pub reversal: bool,
    /// The first session that did.
    pub reversal_session: Option<u64>,
}

/// The scores around a sudden gain or loss (suddengains' `sg_<measure>_2n` .. `_n3`); `None`
/// for a missed session or one outside the series.
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let s = SessionTable::from_wide([ScoreSeries::new("10", [Some(35.0), Some(35.0), Some(25.0), Some(25.0), Some(17.0)])?])?;
/// let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?;
/// let g = gains.events().next().ok_or("a gain")?;
/// assert_eq!((g.session, g.scores.n_minus_2, g.scores.n_plus_3), (2, None, Some(17.0)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenWindow {
    /// Session N-2.
    pub n_minus_2: Option<f64>,
    /// Session N-1.
    pub n_minus_1: Option<f64>,
    /// Session N, the last before the shift.
    pub n: Option<f64>,
    /// Session N+1, the first after it.
    pub n_plus_1: Option<f64>,
    /// Session N+2.
    pub n_plus_2: Option<f64>,
    /// Session N+3.
    pub n_plus_3: Option<f64>,
}

/// One client's row of a one-row-per-client table (suddengains' `create_byperson()`).
///
/// ```
/// use therapeutic_alliance::Better;
/// use therapeutic_alliance::change::{ScoreSeries, SessionTable, SuddenOptions, SuddenPick};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let s = SessionTable::from_wide([ScoreSeries::new("2", [Some(26.0), Some(26.0), Some(27.0), Some(26.0)])?])?;
/// let rows = SuddenOptions::new(Better::Lower, 7.0)?.gains(&s)?.by_client(SuddenPick::First);
/// assert_eq!((rows[0].client.as_str(), rows[0].count, rows[0].event.is_none()), ("2", 0, true));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SuddenByClient {
    /// The client id.
    pub client: String,
    /// How many gains (or losses) the client had (suddengains' `sg_freq_byperson`).
    pub count: usize,
    /// The one selected; `None` without any.
    pub event: Option<SuddenEvent>,
}
