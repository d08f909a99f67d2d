//! A session monitor for clinical software: feed one client's administrations in session order,
//! get events in words after each (a severity, a message with its key and values, one of the
//! seed's four practices and a prompt), and store the state between sessions.

mod event;
mod messages;
mod state;
#[cfg(test)]
mod tests;

pub use event::{
    ComponentChange, Event, EventKind, LargestFall, MessagePart, MonitoredSession, Param, Params,
    Practice, SessionStatus, Severity, Summary, ThresholdState,
};
pub use messages::Messages;
pub use state::{MONITOR_STATE_FORMAT, MonitorState};

use super::Better;
use super::positive;
use super::rupture::RuptureOptions;
use crate::components::{Component, Target};
use crate::error::{ErrorKind, Num, Result};
use crate::instruments::{Comparison, Instrument, Subscale};
use crate::responses::Administration;
use crate::scoring::{Flag, Metric, Scores};
#[cfg(test)]
use state::Grid;
use state::{Seen, Snapshot};

/// What the monitor watches for (see [`SessionMonitor`]). Built with setters from
/// [`MonitorOptions::default`].
///
/// Defaults: the instrument's own reliable-change amount (if it states one); no point-drop
/// rule; ruptures by [`RuptureOptions::one_sd`] once 3 sessions are scored, with a threshold of at
/// least 5% of the total's range for rules in SDs (2 points on the SRS, 2.4 on the WAI-SR: a
/// client whose scores barely vary has a tiny own SD); a component falling by 10 percent-of-maximum points
/// while the others hold. These amounts are this crate's conventions, not published cutoffs.
///
/// ```
/// use therapeutic_alliance::change::{MonitorOptions, RuptureOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // The SRS convention: talk about any drop of a point or more.
/// let options = MonitorOptions::default()
///     .drop_points(1.0)?
///     .rupture(Some(RuptureOptions::points(4.0)?));
/// assert_eq!(options.drop_points_value(), Some(1.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "OptionsDef", into = "OptionsDef")
)]
pub struct MonitorOptions {
    reliable_points: Option<f64>,
    drop_points: Option<f64>,
    rupture: Option<RuptureOptions>,
    rupture_floor: Option<f64>,
    divergence: Option<f64>,
}

/// Serialized form of [`MonitorOptions`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct OptionsDef {
    #[cfg_attr(feature = "serde", serde(default))]
    reliable_points: Option<f64>,
    #[cfg_attr(feature = "serde", serde(default))]
    drop_points: Option<f64>,
    #[cfg_attr(feature = "serde", serde(default))]
    rupture: Option<RuptureOptions>,
    #[cfg_attr(feature = "serde", serde(default))]
    rupture_floor: Option<f64>,
    #[cfg_attr(feature = "serde", serde(default))]
    divergence: Option<f64>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            reliable_points: None,
            drop_points: None,
            rupture: Some(RuptureOptions::one_sd()),
            rupture_floor: Some(DEFAULT_RUPTURE_FLOOR),
            divergence: Some(10.0),
        }
    }
}

/// The default floor of the rupture threshold, in percent of the total's range.
pub(crate) const DEFAULT_RUPTURE_FLOOR: f64 = 5.0;

impl MonitorOptions {
    /// The defaults, with the conventions of the instrument: for the SRS, a drop of one point
    /// is worth a conversation (its authors' convention), so [`drop_points`](Self::drop_points)
    /// is 1; other instruments get [`MonitorOptions::default`].
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::MonitorOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(MonitorOptions::for_instrument(&catalog::require("srs")?).drop_points_value(), Some(1.0));
    /// assert_eq!(MonitorOptions::for_instrument(&catalog::require("wai-sr")?).drop_points_value(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn for_instrument(instrument: &Instrument) -> Self {
        let mut options = MonitorOptions::default();
        if instrument.id() == "srs" {
            options.drop_points = Some(1.0);
        }
        options
    }

    /// Flags a worsening of the total of at least `points` (in the instrument's primary metric)
    /// since the previous scored session as reliable, instead of the instrument's own amount.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `points` is finite and positive.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let options = therapeutic_alliance::change::MonitorOptions::default().reliable_points(7.4)?;
    /// assert_eq!(options.reliable_points_value(), Some(7.4));
    /// assert!(therapeutic_alliance::change::MonitorOptions::default().reliable_points(0.0).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliable_points(mut self, points: f64) -> Result<Self> {
        self.reliable_points = Some(positive("reliable change", points)?);
        Ok(self)
    }

    /// Flags a worsening of the total of at least `points` since the previous scored session
    /// (the SRS convention is one point).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `points` is finite and positive.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!(therapeutic_alliance::change::MonitorOptions::default().drop_points(f64::NAN).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop_points(mut self, points: f64) -> Result<Self> {
        self.drop_points = Some(positive("drop", points)?);
        Ok(self)
    }

    /// The rupture rule, or `None` to watch for no ruptures.
    ///
    /// ```
    /// let quiet = therapeutic_alliance::change::MonitorOptions::default().rupture(None);
    /// assert!(quiet.rupture_options().is_none());
    /// ```
    #[must_use]
    pub fn rupture(mut self, rule: Option<RuptureOptions>) -> Self {
        self.rupture = rule;
        self
    }

    /// A rupture rule in SDs that sets no floor of its own ([`RuptureOptions::with_floor`]) has a
    /// threshold of at least `pomp` percent of the total's range (default 5); `None` for no
    /// floor. Rules in points are taken as they are.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless a given amount is finite, positive and at most 100.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::change::MonitorOptions;
    /// assert_eq!(MonitorOptions::default().rupture_floor_value(), Some(5.0));
    /// assert_eq!(MonitorOptions::default().rupture_floor(None)?.rupture_floor_value(), None);
    /// assert!(MonitorOptions::default().rupture_floor(Some(150.0)).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn rupture_floor(mut self, pomp: Option<f64>) -> Result<Self> {
        if let Some(p) = pomp {
            positive("rupture floor", p)?;
            if p > 100.0 {
                return Err(ErrorKind::InvalidOption {
                    option: "rupture floor",
                    value: Num(p).to_string(),
                    reason: "it is a percent of the total's range, at most 100".to_owned(),
                }
                .into());
            }
        }
        self.rupture_floor = pomp;
        Ok(self)
    }

    /// The rupture floor in percent of the total's range, if any.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::MonitorOptions::default().rupture_floor_value(), Some(5.0));
    /// ```
    pub fn rupture_floor_value(&self) -> Option<f64> {
        self.rupture_floor
    }

    /// Flags one component falling by at least `pomp` percent-of-maximum points while no other
    /// falls by more than half that; `None` turns it off.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless a given amount is finite and positive.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let options = therapeutic_alliance::change::MonitorOptions::default().divergence(Some(20.0))?;
    /// assert_eq!(options.divergence_value(), Some(20.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn divergence(mut self, pomp: Option<f64>) -> Result<Self> {
        self.divergence = pomp.map(|p| positive("divergence", p)).transpose()?;
        Ok(self)
    }

    /// The reliable-change amount set, if any (otherwise the instrument's is used).
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::MonitorOptions::default().reliable_points_value(), None);
    /// ```
    pub fn reliable_points_value(&self) -> Option<f64> {
        self.reliable_points
    }

    /// The point-drop amount, if set.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::MonitorOptions::default().drop_points_value(), None);
    /// ```
    pub fn drop_points_value(&self) -> Option<f64> {
        self.drop_points
    }

    /// The rupture rule, if any.
    ///
    /// ```
    /// use therapeutic_alliance::change::{MonitorOptions, RuptureOptions};
    /// assert_eq!(MonitorOptions::default().rupture_options(), Some(&RuptureOptions::one_sd()));
    /// ```
    pub fn rupture_options(&self) -> Option<&RuptureOptions> {
        self.rupture.as_ref()
    }

    /// The divergence amount in percent-of-maximum points, if on.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::MonitorOptions::default().divergence_value(), Some(10.0));
    /// ```
    pub fn divergence_value(&self) -> Option<f64> {
        self.divergence
    }
}

impl TryFrom<OptionsDef> for MonitorOptions {
    type Error = crate::Error;

    fn try_from(d: OptionsDef) -> Result<Self> {
        let mut o = MonitorOptions::default()
            .rupture(d.rupture)
            .rupture_floor(d.rupture_floor)?
            .divergence(d.divergence)?;
        if let Some(p) = d.reliable_points {
            o = o.reliable_points(p)?;
        }
        if let Some(p) = d.drop_points {
            o = o.drop_points(p)?;
        }
        Ok(o)
    }
}

impl From<MonitorOptions> for OptionsDef {
    fn from(o: MonitorOptions) -> Self {
        OptionsDef {
            reliable_points: o.reliable_points,
            drop_points: o.drop_points,
            rupture: o.rupture,
            rupture_floor: o.rupture_floor,
            divergence: o.divergence,
        }
    }
}

/// Watches one client's sessions on one instrument and reports [`Event`]s in words after each.
///
/// It checks, after each administration:
/// - every threshold of the instrument, as an alarm with a state: `entered` once when a score
///   crosses it, `persisting` (info, with a count) while it stays across, `left` (good news)
///   when it is back ([`EventKind::Threshold`]);
/// - the total's change since the previous scored session against the reliable-change
///   amount ([`MonitorOptions::reliable_points`], else the instrument's own), both ways, and
///   against the configured points ([`MonitorOptions::drop_points`]), both ways when no
///   reliable-change amount applies (the SRS: [`EventKind::Improvement`]);
/// - ruptures and repairs of the total by the rupture rule (the same rule as
///   [`RuptureOptions::analyze_values`]; where it uses the client's own SD, the SD of the scored
///   totals so far, once there are 3, from running moments). Ruptures and component falls are
///   watched on instruments where higher is better (alliance), not on symptom measures;
/// - one component falling while the others hold ([`MonitorOptions::divergence`]).
///
/// Worsening and rupture events name the subscale that fell most
/// ([`Event::largest_fall`]). Each session with events gets a one-line
/// [`Summary`]. The words come from a [`Messages`] table (English unless
/// [`with_messages`](Self::with_messages) gives another).
///
/// Sessions must come in order, as for a [`Series`](crate::change::Series), and the errors are
/// the same, with one exception that makes a monitor behind a web service idempotent: a session
/// observed before with the same answers (a retried request) is reported as
/// [`SessionStatus::AlreadySeen`] with no events and changes nothing; with other answers it is
/// [`ErrorKind::SessionConflict`].
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{MonitorOptions, RuptureOptions, SessionMonitor, SessionStatus};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let options = MonitorOptions::default().rupture(Some(RuptureOptions::points(4.0)?));
/// let mut monitor = SessionMonitor::new(&srs, options);
/// let at = |n: u32, v: f64| Administration::builder(&srs).session(n)
///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
/// let mut kinds = Vec::new();
/// for (n, v) in [9.5, 9.6, 8.0, 9.7].into_iter().enumerate() {
///     let seen = monitor.observe(&at(n as u32 + 1, v)?)?;
///     kinds.extend(seen.events.iter().map(|e| e.message_key.clone()));
/// }
/// // 38 -> 38.4 -> 32 (at or below the alert of 36, and 6.4 under the level) -> 38.8
/// // (back above 36, and repaired).
/// assert_eq!(kinds, ["threshold.entered", "rupture_opened", "threshold.left", "rupture_repaired"]);
/// // A retried request for session 4 is a quiet no-op; other answers for it are an error.
/// assert_eq!(monitor.observe(&at(4, 9.7)?)?.status, SessionStatus::AlreadySeen);
/// assert_eq!(monitor.observe(&at(4, 9.0)?).unwrap_err().code(), "session_conflict");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SessionMonitor {
    instrument: Instrument,
    state: MonitorState,
    messages: Messages,
}

/// Scored sessions needed before a rupture rule using the client's own SD applies.
const OWN_SD_SESSIONS: u64 = 3;

/// An event before it is put in words.
struct Raw {
    severity: Severity,
    kind: EventKind,
    largest_fall: Option<LargestFall>,
    /// The component whose practice and prompt fit.
    component: Option<Component>,
}

/// The target of a subscale.
fn subscale_target(s: &Subscale) -> Target {
    match s.component() {
        Some(c) => Target::Component(c),
        None => Target::Subscale(s.id().to_owned()),
    }
}

/// The other side of a comparison: where a score that left the threshold is.
fn opposite(c: Comparison) -> Comparison {
    match c {
        Comparison::Below => Comparison::AtOrAbove,
        Comparison::AtOrBelow => Comparison::Above,
        Comparison::Above => Comparison::AtOrBelow,
        Comparison::AtOrAbove => Comparison::Below,
    }
}

impl SessionMonitor {
    /// A monitor of `instrument` with no sessions yet, in English.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let monitor = SessionMonitor::new(&catalog::require("wai-sr")?, MonitorOptions::default());
    /// assert_eq!(monitor.instrument().id(), "wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(instrument: &Instrument, options: MonitorOptions) -> Self {
        SessionMonitor {
            instrument: instrument.clone(),
            state: MonitorState::new(instrument, options),
            messages: Messages::english(),
        }
    }

    /// The monitor with its words from `messages` (the events' keys and values do not change).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{Messages, MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let monitor = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default())
    ///     .with_messages(Messages::german());
    /// assert_eq!(monitor.messages().language(), "de");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_messages(mut self, messages: Messages) -> Self {
        self.messages = messages;
        self
    }

    /// The message table in use.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let monitor = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default());
    /// assert_eq!(monitor.messages().language(), "en");
    /// # Ok(())
    /// # }
    /// ```
    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// Resumes from a stored state (in English; see [`with_messages`](Self::with_messages)).
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] if the state was kept for another instrument or
    /// another definition of it (its digest differs): the message names the state's instrument
    /// first ("this belongs to instrument srs ..., not ors ..."); [`ErrorKind::InvalidMonitorState`]
    /// if the state does not hold together or does not fit the instrument (edited by hand or
    /// damaged: totals outside the instrument's range or off its grid, sessions, scores and the
    /// rupture tracker that do not agree, components the instrument does not measure).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let state = SessionMonitor::new(&srs, MonitorOptions::default()).state().clone();
    /// assert!(SessionMonitor::resume(&srs, state.clone()).is_ok());
    /// let err = SessionMonitor::resume(&catalog::require("ors")?, state).unwrap_err();
    /// assert!(err.to_string().starts_with("this belongs to instrument srs"), "{err}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn resume(instrument: &Instrument, state: MonitorState) -> Result<Self> {
        let kept = &state.instrument;
        // A state kept under a catalog version renamed since (`client form` -> `client-form`)
        // is the same definition.
        let renamed = kept.id == instrument.id()
            && crate::catalog::renamed_version(&kept.id, &kept.version)
                == Some(instrument.version())
            && crate::catalog::is_renamed_digest(instrument, &kept.version, &kept.digest);
        if !renamed
            && (kept.id != instrument.id()
                || kept.version != instrument.version()
                || kept.digest != instrument.digest())
        {
            // "this (the state) belongs to instrument <kept>, not <given>".
            return Err(ErrorKind::InstrumentMismatch {
                expected: format!(
                    "{} version {:?} (digest {})",
                    instrument.id(),
                    instrument.version(),
                    instrument.digest()
                ),
                found: format!(
                    "{} version {:?} (digest {})",
                    kept.id, kept.version, kept.digest
                ),
            }
            .into());
        }
        state.check_for(instrument)?;
        Ok(SessionMonitor {
            instrument: instrument.clone(),
            state,
            messages: Messages::english(),
        })
    }

    /// The instrument watched.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let monitor = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default());
    /// assert_eq!(monitor.instrument().version(), "3.0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The state to store between sessions.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let monitor = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default());
    /// let again = SessionMonitor::resume(monitor.instrument(), monitor.state().clone())?;
    /// assert_eq!(again.state(), monitor.state());
    /// # Ok(())
    /// # }
    /// ```
    pub fn state(&self) -> &MonitorState {
        &self.state
    }

    /// The state, giving up the monitor (to store it without a copy).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let state = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default()).into_state();
    /// # let _ = state;
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_state(self) -> MonitorState {
        self.state
    }

    /// Takes the next session and returns what it shows: its events in words and a summary
    /// line. A session seen before with the same answers returns
    /// [`SessionStatus::AlreadySeen`] with no events (it was reported the first time) and
    /// changes nothing.
    ///
    /// # Errors
    /// [`ErrorKind::SessionConflict`] for a session seen before with other answers;
    /// [`ErrorKind::InvalidSeries`] naming the session, as
    /// [`Series::push`](crate::change::Series::push): no session number, a session not after the
    /// last (and not seen), a date before the last, another instrument or another client. The
    /// state is unchanged after an error.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor, Severity};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ors = catalog::require("ors")?;
    /// let mut monitor = SessionMonitor::new(&ors, MonitorOptions::default());
    /// let at = |n: u32, v: f64| Administration::builder(&ors).session(n)
    ///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
    /// monitor.observe(&at(2, 7.0)?)?;
    /// // The ORS states a reliable change of 5 points: 28 -> 22 is reliable and clinical.
    /// let seen = monitor.observe(&at(3, 5.5)?)?;
    /// assert_eq!(seen.events.len(), 2);
    /// assert_eq!(seen.summary.map(|s| s.severity), Some(Severity::Alert));
    /// assert!(monitor.observe(&at(1, 5.5)?).is_err(), "session 1 after session 3");
    /// # Ok(())
    /// # }
    /// ```
    pub fn observe(&mut self, adm: &Administration) -> Result<MonitoredSession> {
        if let Some(session) = adm.session()
            && let Some(seen) = self.state.seen(session)
            && adm.instrument() == &self.instrument
        {
            if state::digest(adm.units()) != seen.digest {
                return Err(ErrorKind::SessionConflict { session }.into());
            }
            return Ok(MonitoredSession {
                session,
                date: adm.date(),
                status: SessionStatus::AlreadySeen,
                events: Vec::new(),
                summary: None,
            });
        }
        let mut order = self.state.order.clone();
        let session = order.admit(&self.instrument, adm)?;
        self.state.order = order;
        self.state.seen.push(Seen {
            session,
            digest: state::digest(adm.units()),
        });
        let scores = adm.score();
        let now = self.subscale_values(&scores);
        let mut raw = Vec::new();
        let total = scores.value(Target::Total, self.instrument.primary_metric());
        let fell_since_previous = match (&self.state.previous, total) {
            (Some(prev), Some(t)) if self.worse(prev.total, t) => {
                self.largest_fall(&prev.subscales, &now)
            }
            _ => None,
        };
        self.threshold_events(&scores, fell_since_previous.as_ref(), &mut raw);
        let previous = self.state.previous.clone();
        if let Some(current) = total {
            self.total_events(session, current, &now, &mut raw);
        }
        if self.instrument.better() == Better::Higher {
            self.component_events(session, &scores, &mut raw);
        }
        let events: Vec<Event> = raw.into_iter().map(|r| self.words(session, r)).collect();
        let summary = self.summary(session, previous.as_ref(), total, &events);
        Ok(MonitoredSession {
            session,
            date: adm.date(),
            status: SessionStatus::Observed,
            events,
            summary,
        })
    }

    /// Whether `current` is worse than `previous` in the instrument's direction.
    fn worse(&self, previous: f64, current: f64) -> bool {
        self.instrument.better().improvement(previous, current) < 0.0
    }

    fn subscale_values(&self, scores: &Scores) -> Vec<Option<(f64, f64)>> {
        let metric = self.instrument.primary_metric();
        scores
            .subscales()
            .map(|(_, s)| s.score().map(|s| (s.get(metric), s.pomp().get())))
            .collect()
    }

    /// The subscale that fell most from `before` to `now`, if any fell.
    fn largest_fall(
        &self,
        before: &[Option<(f64, f64)>],
        now: &[Option<(f64, f64)>],
    ) -> Option<LargestFall> {
        let better = self.instrument.better();
        let mut best: Option<LargestFall> = None;
        for ((s, b), n) in self.instrument.subscales().iter().zip(before).zip(now) {
            let (Some((bv, bp)), Some((nv, np))) = (b, n) else {
                continue;
            };
            let fall = -better.improvement(*bv, *nv);
            let fall_pomp = -better.improvement(*bp, *np);
            if fall_pomp > 0.0 && best.as_ref().is_none_or(|f| fall_pomp > f.fall_pomp) {
                best = Some(LargestFall {
                    target: subscale_target(s),
                    fall,
                    fall_pomp,
                });
            }
        }
        best
    }

    fn threshold_events(
        &mut self,
        scores: &Scores,
        fell: Option<&LargestFall>,
        raw: &mut Vec<Raw>,
    ) {
        for (t, run) in self
            .instrument
            .thresholds()
            .iter()
            .zip(self.state.thresholds.iter_mut())
        {
            let Some(v) = scores.value(t.target().clone(), t.metric()) else {
                continue;
            };
            let crossed = t.comparison().holds(v, t.value());
            let (state, sessions, next) = match (crossed, *run) {
                (true, None | Some(0)) => (Some(ThresholdState::Entered), 1, Some(1)),
                (true, Some(n)) => (
                    Some(ThresholdState::Persisting),
                    n.saturating_add(1),
                    Some(n.saturating_add(1)),
                ),
                (false, Some(n)) if n > 0 => (Some(ThresholdState::Left), n, Some(0)),
                (false, _) => (None, 0, Some(0)),
            };
            let before = *run;
            *run = next;
            let Some(state) = state else { continue };
            let own = match t.target() {
                Target::Component(c) => Some(*c),
                _ => None,
            };
            let severity = match state {
                ThresholdState::Entered if before == Some(0) && t.target() == &Target::Total => {
                    Severity::Alert
                }
                ThresholdState::Entered => Severity::Attention,
                _ => Severity::Info,
            };
            raw.push(Raw {
                severity,
                kind: EventKind::Threshold {
                    state,
                    sessions,
                    flag: Flag::new(t, v),
                },
                largest_fall: None,
                component: own.or_else(|| fell.and_then(LargestFall::component)),
            });
        }
    }

    fn total_events(
        &mut self,
        session: u32,
        current: f64,
        now: &[Option<(f64, f64)>],
        raw: &mut Vec<Raw>,
    ) {
        let inst = &self.instrument;
        let metric = inst.primary_metric();
        let better = inst.better();
        if let Some(prev) = &self.state.previous {
            let previous_session = prev.session;
            let previous = prev.total;
            let worsening = -better.improvement(previous, current);
            let fell = (worsening > 0.0)
                .then(|| self.largest_fall(&prev.subscales, now))
                .flatten();
            let reliable = self.state.options.reliable_points.or_else(|| {
                inst.reliable_change()
                    .filter(|rc| rc.target() == &Target::Total && rc.metric() == metric)
                    .map(|rc| rc.points())
            });
            let component = fell.as_ref().and_then(LargestFall::component);
            if let Some(criterion) = reliable.filter(|&c| super::at_least(worsening, c)) {
                raw.push(Raw {
                    severity: Severity::Alert,
                    kind: EventKind::ReliableWorsening {
                        target: Target::Total,
                        metric,
                        previous_session,
                        previous,
                        current,
                        worsening,
                        criterion,
                    },
                    largest_fall: fell.clone(),
                    component,
                });
            }
            if let Some(criterion) = reliable.filter(|&c| super::at_least(-worsening, c)) {
                raw.push(Raw {
                    severity: Severity::Info,
                    kind: EventKind::ReliableImprovement {
                        target: Target::Total,
                        metric,
                        previous_session,
                        previous,
                        current,
                        improvement: -worsening,
                        criterion,
                    },
                    largest_fall: None,
                    component: None,
                });
            }
            let drop = self.state.options.drop_points;
            if let Some(criterion) = drop.filter(|&c| super::at_least(worsening, c)) {
                raw.push(Raw {
                    severity: Severity::Attention,
                    kind: EventKind::Worsening {
                        target: Target::Total,
                        metric,
                        previous_session,
                        previous,
                        current,
                        worsening,
                        criterion,
                    },
                    largest_fall: fell.clone(),
                    component,
                });
            }
            if let Some(criterion) =
                drop.filter(|&c| reliable.is_none() && super::at_least(-worsening, c))
            {
                raw.push(Raw {
                    severity: Severity::Info,
                    kind: EventKind::Improvement {
                        target: Target::Total,
                        metric,
                        previous_session,
                        previous,
                        current,
                        improvement: -worsening,
                        criterion,
                    },
                    largest_fall: None,
                    component: None,
                });
            }
        }
        let snapshot = Snapshot {
            session,
            total: current,
            subscales: now.to_vec(),
        };
        self.state.moments.push(current, self.state.grid.as_ref());
        if better == Better::Higher
            && let Some(rule) = self.state.options.rupture
        {
            let own = (self.state.moments.count() >= OWN_SD_SESSIONS)
                .then(|| self.state.moments.sd(self.state.grid.as_ref()))
                .flatten();
            // Below the sessions the own SD needs, the level is still tracked with no rupture
            // possible. The floor is for rules in SDs that set none of their own.
            let rule = match self.state.options.rupture_floor {
                Some(pomp) => rule.floored_to_range(inst, &Target::Total, pomp),
                None => rule,
            };
            let threshold = rule.threshold_for(own).unwrap_or(f64::INFINITY);
            let step = self
                .state
                .tracker
                .observe(session, current, threshold, rule.window());
            if let Some(rupture) = step.opened {
                let fell = self
                    .state
                    .level
                    .as_ref()
                    .filter(|l| l.session == rupture.start)
                    .and_then(|l| self.largest_fall(&l.subscales, now));
                raw.push(Raw {
                    severity: Severity::Alert,
                    component: fell.as_ref().and_then(LargestFall::component),
                    kind: EventKind::RuptureOpened { rupture },
                    largest_fall: fell,
                });
            }
            if let Some(rupture) = step.closed.filter(|r| r.repair.is_some()) {
                raw.push(Raw {
                    severity: Severity::Info,
                    kind: EventKind::RuptureRepaired { rupture },
                    largest_fall: None,
                    component: None,
                });
            }
            if self
                .state
                .tracker
                .level()
                .is_some_and(|(s, _)| s == session)
            {
                self.state.level = Some(snapshot.clone());
            }
        }
        self.state.previous = Some(snapshot);
    }

    fn component_events(&mut self, session: u32, scores: &Scores, raw: &mut Vec<Raw>) {
        let now: Option<Vec<(Component, f64)>> = Component::ALL
            .iter()
            .filter(|c| self.instrument.subscale(**c).is_some())
            .map(|&c| scores.value(c, Metric::Pomp).map(|v| (c, v)))
            .collect();
        let Some(now) = now.filter(|n| n.len() >= 2) else {
            return;
        };
        if let (Some(criterion), Some((previous_session, before))) =
            (self.state.options.divergence, &self.state.last_components)
        {
            let changes: Vec<ComponentChange> = now
                .iter()
                .zip(before)
                .map(|(&(component, v), &(_, b))| ComponentChange {
                    component,
                    change: crate::exact::decimal_difference(v, b),
                })
                .collect();
            let falling: Vec<&ComponentChange> = changes
                .iter()
                .filter(|c| super::at_least(-c.change, criterion))
                .collect();
            if let [fell] = falling[..] {
                let others: Vec<ComponentChange> = changes
                    .iter()
                    .filter(|c| c.component != fell.component)
                    .copied()
                    .collect();
                if others.iter().all(|c| -c.change <= criterion / 2.0) {
                    raw.push(Raw {
                        severity: Severity::Attention,
                        kind: EventKind::ComponentFalling {
                            component: fell.component,
                            previous_session: *previous_session,
                            fall: -fell.change,
                            others,
                            criterion,
                        },
                        largest_fall: None,
                        component: Some(fell.component),
                    });
                }
            }
        }
        self.state.last_components = Some((session, now));
    }

    /// Puts an event in words.
    fn words(&self, session: u32, r: Raw) -> Event {
        let mut params = Params::new();
        let mut put = |k: &str, v: Param| {
            params.insert(k.to_owned(), v);
        };
        put("session", session.into());
        let key = match &r.kind {
            EventKind::Threshold {
                state,
                sessions,
                flag,
            } => {
                let comparison = match state {
                    ThresholdState::Left => opposite(flag.comparison()),
                    _ => flag.comparison(),
                };
                put("target", flag.target().as_str().into());
                put("score", flag.score().into());
                put("threshold", flag.threshold().into());
                put("comparison", comparison.name().into());
                put("sessions", (*sessions).into());
                put("unit", flag.metric().name().into());
                format!("threshold.{}", state.name())
            }
            EventKind::ReliableWorsening {
                target,
                previous_session,
                previous,
                current,
                worsening: change,
                criterion,
                ..
            }
            | EventKind::Worsening {
                target,
                previous_session,
                previous,
                current,
                worsening: change,
                criterion,
                ..
            } => {
                put("target", target.as_str().into());
                put("previous_session", (*previous_session).into());
                put("previous", (*previous).into());
                put("current", (*current).into());
                put("worsening", (*change).into());
                put("criterion", (*criterion).into());
                r.kind.name().to_owned()
            }
            EventKind::ReliableImprovement {
                target,
                previous_session,
                previous,
                current,
                improvement: change,
                criterion,
                ..
            }
            | EventKind::Improvement {
                target,
                previous_session,
                previous,
                current,
                improvement: change,
                criterion,
                ..
            } => {
                put("target", target.as_str().into());
                put("previous_session", (*previous_session).into());
                put("previous", (*previous).into());
                put("current", (*current).into());
                put("improvement", (*change).into());
                put("criterion", (*criterion).into());
                r.kind.name().to_owned()
            }
            EventKind::RuptureOpened { rupture } | EventKind::RuptureRepaired { rupture } => {
                put("start", rupture.start.into());
                put("level", rupture.level.into());
                put("onset", rupture.onset.into());
                put("depth", rupture.depth.into());
                put("lowest", rupture.lowest.into());
                if let Some(repair) = &rupture.repair {
                    put("value", repair.value.into());
                    put("sessions_after_onset", repair.sessions_after_onset.into());
                }
                r.kind.name().to_owned()
            }
            EventKind::ComponentFalling {
                component,
                previous_session,
                fall,
                criterion,
                ..
            } => {
                put("component", component.name().into());
                put("previous_session", (*previous_session).into());
                put("fall", (*fall).into());
                put("criterion", (*criterion).into());
                r.kind.name().to_owned()
            }
        };
        if let Some(f) = &r.largest_fall {
            put("fell_most", f.target.as_str().into());
            put("fell_most_fall", f.fall.into());
            put("fell_most_pomp", f.fall_pomp.into());
        }
        let (practice, prompt_key, prompt) = if r.severity > Severity::Info {
            let (k, p) = self
                .messages
                .prompt(r.component, self.instrument.modality());
            (Some(Practice::for_component(r.component)), Some(k), Some(p))
        } else {
            (None, None, None)
        };
        let mut event = Event {
            session,
            severity: r.severity,
            kind: r.kind,
            largest_fall: r.largest_fall,
            message_key: key,
            params,
            message: String::new(),
            practice,
            prompt_key,
            prompt,
        };
        event.message = self.messages.event(&event);
        event
    }

    /// The session's line: what happened to the total, then each thing noticed once.
    fn summary(
        &self,
        session: u32,
        previous: Option<&Snapshot>,
        total: Option<f64>,
        events: &[Event],
    ) -> Option<Summary> {
        let top = events.iter().map(|e| e.severity).max()?;
        let part = |key: &str, params: Params| MessagePart {
            key: key.to_owned(),
            params,
        };
        let pick = |e: &Event, keys: &[&str]| -> Params {
            keys.iter()
                .filter_map(|k| e.params.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect()
        };
        let changed = events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::ReliableWorsening { .. }
                    | EventKind::ReliableImprovement { .. }
                    | EventKind::Worsening { .. }
                    | EventKind::Improvement { .. }
                    | EventKind::RuptureOpened { .. }
                    | EventKind::RuptureRepaired { .. }
            )
        });
        let mut head = Params::new();
        head.insert("session".to_owned(), session.into());
        let mut parts = vec![match (previous, total) {
            (Some(p), Some(t)) if changed && t != p.total => {
                let change = crate::exact::decimal_difference(t, p.total);
                head.insert("change".to_owned(), change.abs().into());
                head.insert("score".to_owned(), t.into());
                part(
                    if change < 0.0 {
                        "summary.fell"
                    } else {
                        "summary.rose"
                    },
                    head,
                )
            }
            _ => part("summary.session", head),
        }];
        for e in events {
            let p = match &e.kind {
                EventKind::Threshold { state, .. } => Some(part(
                    &format!("summary.{}", state.name()),
                    pick(
                        e,
                        &[
                            "target",
                            "score",
                            "comparison",
                            "threshold",
                            "sessions",
                            "unit",
                        ],
                    ),
                )),
                EventKind::ReliableWorsening { .. } => {
                    Some(part("summary.reliable_worsening", Params::new()))
                }
                EventKind::ReliableImprovement { .. } => {
                    Some(part("summary.reliable_improvement", Params::new()))
                }
                EventKind::RuptureOpened { .. } => {
                    Some(part("summary.rupture_opened", Params::new()))
                }
                EventKind::RuptureRepaired { .. } => {
                    Some(part("summary.rupture_repaired", Params::new()))
                }
                EventKind::ComponentFalling { .. } => {
                    Some(part("summary.component_falling", pick(e, &["component"])))
                }
                _ => None,
            };
            parts.extend(p);
        }
        if let Some(e) = events.iter().find(|e| e.largest_fall.is_some()) {
            parts.push(part(
                "summary.fell_most",
                pick(e, &["fell_most", "fell_most_fall"]),
            ));
        }
        let first = events.iter().find(|e| e.severity == top);
        Some(Summary {
            severity: top,
            message: self.messages.parts(&parts),
            parts,
            practice: first.and_then(|e| e.practice),
            prompt_key: first.and_then(|e| e.prompt_key.clone()),
            prompt: first.and_then(|e| e.prompt.clone()),
        })
    }
}

/// What the monitor can tell from the instrument alone: its total's grid (for tests).
#[cfg(test)]
pub(crate) fn grid_of(instrument: &Instrument) -> Option<(f64, f64, Option<u64>)> {
    Grid::of(instrument).map(|g| (g.min, g.max, g.denominator))
}
