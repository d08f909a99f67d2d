//! A session monitor for clinical software: feed one client's administrations in session order,
//! get events with their evidence after each, and store the state between sessions.

use super::Better;
use super::positive;
use super::rupture::{Rupture, RuptureOptions, Tracker};
use super::series::Order;
use crate::components::{Component, Target};
use crate::error::{ErrorKind, Num, Result};
use crate::instruments::Instrument;
use crate::responses::{Administration, Date};
use crate::scoring::{Flag, InstrumentSummary, Metric, Scores};

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

/// Something the monitor noticed at a session, with its evidence.
///
/// "Worsening" follows the instrument's direction: a fall on the alliance instruments and the
/// ORS, a rise on the PHQ-9 and GAD-7. With `serde` each event is an object tagged by `kind`:
///
/// ```json
/// {"kind": "threshold", "flag": {"target": "total", "metric": "sum", "comparison": "at_or_below",
///   "threshold": 36.0, "score": 33.0, "message": "discuss the relationship", "source": "…"}}
/// {"kind": "reliable_worsening", "target": "total", "metric": "sum", "previous_session": 3,
///   "previous": 38.0, "current": 31.0, "worsening": 7.0, "criterion": 5.0}
/// {"kind": "reliable_improvement", "target": "total", "metric": "sum", "previous_session": 3,
///   "previous": 15.0, "current": 8.0, "improvement": 7.0, "criterion": 6.0}
/// {"kind": "worsening", "target": "total", "metric": "sum", "previous_session": 3,
///   "previous": 38.0, "current": 36.5, "worsening": 1.5, "criterion": 1.0}
/// {"kind": "rupture_opened", "rupture": {"start": 2, "level": 38.0, "onset": 4, …}}
/// {"kind": "rupture_repaired", "rupture": {…, "repair": {"session": 5, "value": 38.5,
///   "sessions_after_onset": 1}}}
/// {"kind": "component_falling", "component": "bond", "previous_session": 3, "fall": 25.0,
///   "others": [{"component": "goals", "change": 0.0}, {"component": "collaboration",
///   "change": 2.5}], "criterion": 10.0}
/// ```
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{Event, MonitorOptions, SessionMonitor};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default().drop_points(1.0)?);
/// let session = |n: u32, v: f64| Administration::builder(&srs).session(n)
///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
/// assert!(monitor.observe(&session(1, 9.5)?)?.is_empty());
/// let events = monitor.observe(&session(2, 9.0)?)?;
/// assert!(matches!(&events[0], Event::Threshold { flag } if flag.score() == 36.0));
/// assert!(matches!(&events[1], Event::Worsening { worsening, .. } if *worsening == 2.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Event {
    /// A score crossed one of the instrument's thresholds (the total or a subscale below the
    /// SRS alert, a PHQ-9 total in the clinical range, ...).
    Threshold {
        /// The threshold and the score.
        flag: Flag,
    },
    /// The total worsened since the previous scored session by at least the reliable-change
    /// amount.
    ReliableWorsening {
        /// The score compared.
        target: Target,
        /// Its metric.
        metric: Metric,
        /// The previous scored session.
        previous_session: u32,
        /// Its score.
        previous: f64,
        /// This session's score.
        current: f64,
        /// How much worse (positive).
        worsening: f64,
        /// The reliable-change amount.
        criterion: f64,
    },
    /// The total improved since the previous scored session by at least the reliable-change
    /// amount (a PHQ-9 falling by 6 or more, an ORS rising by 5 or more).
    ReliableImprovement {
        /// The score compared.
        target: Target,
        /// Its metric.
        metric: Metric,
        /// The previous scored session.
        previous_session: u32,
        /// Its score.
        previous: f64,
        /// This session's score.
        current: f64,
        /// How much better (positive).
        improvement: f64,
        /// The reliable-change amount.
        criterion: f64,
    },
    /// The total worsened since the previous scored session by at least the configured points.
    Worsening {
        /// The score compared.
        target: Target,
        /// Its metric.
        metric: Metric,
        /// The previous scored session.
        previous_session: u32,
        /// Its score.
        previous: f64,
        /// This session's score.
        current: f64,
        /// How much worse (positive).
        worsening: f64,
        /// The configured points.
        criterion: f64,
    },
    /// The total's dip reached the rupture threshold at this session.
    RuptureOpened {
        /// The rupture so far (no repair).
        rupture: Rupture,
    },
    /// This session returned the total to its pre-rupture level within the window.
    RuptureRepaired {
        /// The rupture with its repair.
        rupture: Rupture,
    },
    /// One component fell while the others held (e.g. the bond weakening while goals stay
    /// agreed), in percent-of-maximum points since the previous session with all components
    /// scored.
    ComponentFalling {
        /// The component that fell.
        component: Component,
        /// The previous session compared.
        previous_session: u32,
        /// How far it fell (positive).
        fall: f64,
        /// The other components' changes (positive = up).
        others: Vec<ComponentChange>,
        /// The divergence amount.
        criterion: f64,
    },
}

/// A component's change between two sessions, in percent-of-maximum points.
///
/// ```
/// use therapeutic_alliance::Component;
/// use therapeutic_alliance::change::ComponentChange;
///
/// let c = ComponentChange { component: Component::Goals, change: -2.5 };
/// assert_eq!(c.change, -2.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ComponentChange {
    /// The component.
    pub component: Component,
    /// Its change (positive = up).
    pub change: f64,
}

/// What the monitor keeps between sessions; with `serde` it serializes, so an app can store it
/// with the client's record and [`SessionMonitor::resume`] later.
///
/// ```
/// # #[cfg(feature = "serde")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
/// let srs = catalog::require("srs")?;
/// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
/// monitor.observe(&Administration::builder(&srs).session(1).answers([("1", 9.0)])?.build()?)?;
/// let json = serde_json::to_string(monitor.state())?;
/// let state: therapeutic_alliance::change::MonitorState = serde_json::from_str(&json)?;
/// assert_eq!(&state, monitor.state());
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "serde"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields, try_from = "StateDef")
)]
pub struct MonitorState {
    instrument: InstrumentSummary,
    options: MonitorOptions,
    order: Order,
    /// The last session with a scored total, and the total.
    last_total: Option<(u32, f64)>,
    /// The last session with every component scored, and their percent-of-maximum scores.
    last_components: Option<(u32, Vec<(Component, f64)>)>,
    /// Every scored total so far (for the client's own SD).
    totals: Vec<f64>,
    tracker: Tracker,
}

/// The stored form of [`MonitorState`], checked as it is read back.
#[cfg(feature = "serde")]
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct StateDef {
    instrument: InstrumentSummary,
    options: MonitorOptions,
    order: Order,
    /// The last session with a scored total, and the total.
    last_total: Option<(u32, f64)>,
    /// The last session with every component scored, and their percent-of-maximum scores.
    last_components: Option<(u32, Vec<(Component, f64)>)>,
    /// Every scored total so far (for the client's own SD).
    totals: Vec<f64>,
    tracker: Tracker,
}

#[cfg(feature = "serde")]
impl TryFrom<StateDef> for MonitorState {
    type Error = crate::Error;

    fn try_from(d: StateDef) -> Result<Self> {
        let state = MonitorState {
            instrument: d.instrument,
            options: d.options,
            order: d.order,
            last_total: d.last_total,
            last_components: d.last_components,
            totals: d.totals,
            tracker: d.tracker,
        };
        state.check()?;
        Ok(state)
    }
}

impl MonitorState {
    /// Checks what does not depend on the instrument: the session order, the scores stored
    /// and the rupture tracker agree with one another.
    fn check(&self) -> Result<()> {
        let bad = |what: String| -> crate::Error {
            ErrorKind::InvalidSeries {
                session: None,
                reason: format!("the stored monitor state is inconsistent: {what}"),
            }
            .into()
        };
        self.order.check().map_err(bad)?;
        let last = self.order.last_session();
        let sessions = self.order.count();
        if self.totals.len() > sessions {
            return Err(bad(format!(
                "{} totals for {sessions} sessions",
                self.totals.len()
            )));
        }
        for &t in &self.totals {
            if !t.is_finite() {
                return Err(bad(format!("total {}", Num(t))));
            }
            super::check_magnitude(|| "a stored total".to_owned(), t)?;
        }
        match (self.last_total, self.totals.last()) {
            (None, None) => {}
            (Some((s, v)), Some(&t)) if v == t && last.is_some_and(|l| s <= l) => {}
            (lt, t) => {
                return Err(bad(format!(
                    "the last total {lt:?} and the stored totals' last {t:?} disagree"
                )));
            }
        }
        if let Some((s, values)) = &self.last_components {
            let distinct = values
                .iter()
                .enumerate()
                .all(|(i, (c, _))| values.iter().take(i).all(|(d, _)| d != c));
            let in_range = values
                .iter()
                .all(|&(_, v)| v.is_finite() && (0.0..=100.0).contains(&v));
            if !(last.is_some_and(|l| *s <= l) && distinct && in_range && values.len() >= 2) {
                return Err(bad(format!("the components stored for session {s}")));
            }
        }
        self.tracker.check(last, sessions).map_err(bad)
    }
}

/// Watches one client's sessions on one instrument and reports [`Event`]s after each.
///
/// It checks, after each administration:
/// - every threshold of the instrument ([`Event::Threshold`]);
/// - the total's change since the previous scored session against the reliable-change
///   amount ([`MonitorOptions::reliable_points`], else the instrument's own), both ways, and
///   its worsening against the configured points ([`MonitorOptions::drop_points`]);
/// - ruptures and repairs of the total by the rupture rule (the same rule as
///   [`RuptureOptions::analyze_values`]; where it uses the client's own SD, the SD of the scored
///   totals so far, once there are 3). Ruptures and component falls are watched on
///   instruments where higher is better (alliance), not on symptom measures;
/// - one component falling while the others hold ([`MonitorOptions::divergence`]).
///
/// Sessions must come in order, as for a [`Series`](crate::change::Series), and the errors are the same.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{Event, MonitorOptions, RuptureOptions, SessionMonitor};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let options = MonitorOptions::default().rupture(Some(RuptureOptions::points(4.0)?));
/// let mut monitor = SessionMonitor::new(&srs, options);
/// let mut kinds = Vec::new();
/// for (n, v) in [9.5, 9.6, 8.0, 9.7].into_iter().enumerate() {
///     let adm = Administration::builder(&srs).session(n as u32 + 1)
///         .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build()?;
///     for e in monitor.observe(&adm)? {
///         kinds.push(match e {
///             Event::Threshold { .. } => "threshold",
///             Event::RuptureOpened { .. } => "opened",
///             Event::RuptureRepaired { .. } => "repaired",
///             _ => "other",
///         });
///     }
/// }
/// // 38 -> 38.4 -> 32 (below the alert of 36, and 6.4 under the level) -> 38.8 (repaired).
/// assert_eq!(kinds, ["threshold", "opened", "repaired"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SessionMonitor {
    instrument: Instrument,
    state: MonitorState,
}

/// Scored sessions needed before a rupture rule using the client's own SD applies.
const OWN_SD_SESSIONS: usize = 3;

impl SessionMonitor {
    /// A monitor of `instrument` with no sessions yet.
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
            state: MonitorState {
                instrument: instrument.summary(),
                options,
                order: Order::default(),
                last_total: None,
                last_components: None,
                totals: Vec::new(),
                tracker: Tracker::default(),
            },
        }
    }

    /// Resumes from a stored state.
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] if the state was kept for another instrument or
    /// another definition of it (its digest differs); [`ErrorKind::InvalidSeries`] if the state
    /// is inconsistent (edited by hand or damaged: sessions, scores and the rupture tracker
    /// that do not agree, components the instrument does not measure).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let state = SessionMonitor::new(&srs, MonitorOptions::default()).state().clone();
    /// assert!(SessionMonitor::resume(&srs, state.clone()).is_ok());
    /// assert!(SessionMonitor::resume(&catalog::require("ors")?, state).is_err());
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
            return Err(ErrorKind::InstrumentMismatch {
                expected: format!(
                    "{} version {:?} (digest {})",
                    kept.id, kept.version, kept.digest
                ),
                found: format!(
                    "{} version {:?} (digest {})",
                    instrument.id(),
                    instrument.version(),
                    instrument.digest()
                ),
            }
            .into());
        }
        state.check()?;
        if let Some((session, values)) = &state.last_components {
            let expected: Vec<Component> = Component::ALL
                .iter()
                .copied()
                .filter(|c| instrument.subscale(*c).is_some())
                .collect();
            let stored: Vec<Component> = values.iter().map(|(c, _)| *c).collect();
            if stored != expected {
                return Err(ErrorKind::InvalidSeries {
                    session: Some(*session),
                    reason: format!(
                        "the stored monitor state holds the components {stored:?}, but {} measures {expected:?}",
                        instrument.id()
                    ),
                }
                .into());
            }
        }
        Ok(SessionMonitor {
            instrument: instrument.clone(),
            state,
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

    /// Takes the next session and returns what it shows.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSeries`] naming the session, as [`Series::push`](crate::change::Series::push):
    /// no session number, a session not after the last, a date before the last, another
    /// instrument or another client. The state is unchanged after an error.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let ors = catalog::require("ors")?;
    /// let mut monitor = SessionMonitor::new(&ors, MonitorOptions::default());
    /// let at = |n: u32, v: f64| Administration::builder(&ors).session(n)
    ///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
    /// monitor.observe(&at(2, 7.0)?)?;
    /// // The ORS states a reliable change of 5 points: 28 -> 22 is reliable and clinical.
    /// let events = monitor.observe(&at(3, 5.5)?)?;
    /// assert_eq!(events.len(), 2);
    /// assert!(monitor.observe(&at(3, 5.5)?).is_err(), "session 3 again");
    /// # Ok(())
    /// # }
    /// ```
    pub fn observe(&mut self, adm: &Administration) -> Result<Vec<Event>> {
        let mut order = self.state.order.clone();
        let session = order.admit(&self.instrument, adm)?;
        self.state.order = order;
        let scores = adm.score();
        let mut events: Vec<Event> = scores
            .flags()
            .into_iter()
            .map(|flag| Event::Threshold { flag })
            .collect();
        self.total_events(session, &scores, &mut events);
        if self.instrument.better() == Better::Higher {
            self.component_events(session, &scores, &mut events);
        }
        Ok(events)
    }

    fn total_events(&mut self, session: u32, scores: &Scores, events: &mut Vec<Event>) {
        let inst = &self.instrument;
        let metric = inst.primary_metric();
        let Some(current) = scores.value(Target::Total, metric) else {
            return;
        };
        let better = inst.better();
        if let Some((previous_session, previous)) = self.state.last_total {
            let worsening = -better.improvement(previous, current);
            let reliable = self.state.options.reliable_points.or_else(|| {
                inst.reliable_change()
                    .filter(|rc| rc.target() == &Target::Total && rc.metric() == metric)
                    .map(|rc| rc.points())
            });
            if let Some(criterion) = reliable.filter(|&c| super::at_least(worsening, c)) {
                events.push(Event::ReliableWorsening {
                    target: Target::Total,
                    metric,
                    previous_session,
                    previous,
                    current,
                    worsening,
                    criterion,
                });
            }
            if let Some(criterion) = reliable.filter(|&c| super::at_least(-worsening, c)) {
                events.push(Event::ReliableImprovement {
                    target: Target::Total,
                    metric,
                    previous_session,
                    previous,
                    current,
                    improvement: -worsening,
                    criterion,
                });
            }
            if let Some(criterion) = self
                .state
                .options
                .drop_points
                .filter(|&c| super::at_least(worsening, c))
            {
                events.push(Event::Worsening {
                    target: Target::Total,
                    metric,
                    previous_session,
                    previous,
                    current,
                    worsening,
                    criterion,
                });
            }
        }
        self.state.last_total = Some((session, current));
        self.state.totals.push(current);
        if better != Better::Higher {
            return;
        }
        if let Some(rule) = self.state.options.rupture {
            let own = (self.state.totals.len() >= OWN_SD_SESSIONS)
                .then(|| crate::stats::sd(&self.state.totals))
                .flatten();
            // Below the sessions the own SD needs, the level is still tracked with no rupture
            // possible.
            // The floor is for rules in SDs that set none of their own.
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
                events.push(Event::RuptureOpened { rupture });
            }
            if let Some(rupture) = step.closed.filter(|r| r.repair.is_some()) {
                events.push(Event::RuptureRepaired { rupture });
            }
        }
    }

    fn component_events(&mut self, session: u32, scores: &Scores, events: &mut Vec<Event>) {
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
                    events.push(Event::ComponentFalling {
                        component: fell.component,
                        previous_session: *previous_session,
                        fall: -fell.change,
                        others,
                        criterion,
                    });
                }
            }
        }
        self.state.last_components = Some((session, now));
    }
}

/// The session and date of an administration, with the events the monitor returned: what the
/// `alliance monitor` command prints per session.
///
/// ```
/// use therapeutic_alliance::change::MonitoredSession;
///
/// let s = MonitoredSession { session: 4, date: None, events: Vec::new() };
/// assert!(s.events.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MonitoredSession {
    /// The session number.
    pub session: u32,
    /// Its date, if recorded.
    pub date: Option<Date>,
    /// What the monitor noticed.
    pub events: Vec<Event>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn srs_at(n: u32, v: [f64; 4]) -> Administration {
        let srs = catalog::require("srs").unwrap();
        Administration::builder(&srs)
            .session(n)
            .answers([("1", v[0]), ("2", v[1]), ("3", v[2]), ("4", v[3])])
            .unwrap()
            .build()
            .unwrap()
    }

    /// The monitor's ruptures are the batch rule's, session by session.
    #[test]
    fn ruptures_match_the_batch_rule() {
        let srs = catalog::require("srs").unwrap();
        let rule = RuptureOptions::points(3.0).unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200 {
            let mut monitor =
                SessionMonitor::new(&srs, MonitorOptions::default().rupture(Some(rule)));
            let mut totals = Vec::new();
            let (mut opened, mut repaired) = (Vec::new(), Vec::new());
            for n in 1..=15u32 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let v = 5.0 + (seed % 50) as f64 / 10.0;
                totals.push(Some(4.0 * v));
                for e in monitor.observe(&srs_at(n, [v; 4])).unwrap() {
                    match e {
                        Event::RuptureOpened { rupture } => opened.push(rupture.onset),
                        Event::RuptureRepaired { rupture } => repaired.push(rupture),
                        _ => {}
                    }
                }
            }
            let batch = rule.analyze_values(&totals).unwrap().ruptures;
            let onsets: Vec<u32> = batch.iter().map(|r| r.onset).collect();
            assert_eq!(opened, onsets);
            let batch_repaired: Vec<Rupture> =
                batch.into_iter().filter(|r| r.repair.is_some()).collect();
            assert_eq!(repaired, batch_repaired);
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_stored_state_resumes_where_it_left_off() {
        let srs = catalog::require("srs").unwrap();
        let options = MonitorOptions::default().drop_points(1.0).unwrap();
        let sessions: Vec<Administration> = [9.5, 9.4, 9.6, 8.0, 8.2, 9.7, 9.9]
            .iter()
            .enumerate()
            .map(|(n, &v)| srs_at(n as u32 + 1, [v, v, v, v - 0.5]))
            .collect();
        let mut straight = SessionMonitor::new(&srs, options.clone());
        let all: Vec<Vec<Event>> = sessions
            .iter()
            .map(|a| straight.observe(a).unwrap())
            .collect();
        for cut in 0..sessions.len() {
            let mut first = SessionMonitor::new(&srs, options.clone());
            for a in &sessions[..cut] {
                first.observe(a).unwrap();
            }
            let json = serde_json::to_string(first.state()).unwrap();
            let state: MonitorState = serde_json::from_str(&json).unwrap();
            let mut resumed = SessionMonitor::resume(&srs, state).unwrap();
            for (a, expected) in sessions[cut..].iter().zip(&all[cut..]) {
                let got = resumed.observe(a).unwrap();
                assert_eq!(&got, expected);
                let json = serde_json::to_string(&got).unwrap();
                assert_eq!(
                    &serde_json::from_str::<Vec<Event>>(&json).unwrap(),
                    expected
                );
            }
        }
        // A state for another definition is refused.
        let quiet = srs
            .to_builder()
            .version("quiet")
            .clear_thresholds()
            .build()
            .unwrap();
        assert!(SessionMonitor::resume(&quiet, straight.state().clone()).is_err());
    }

    /// A state edited by hand or damaged is refused when read back, never a panic or an
    /// invented event.
    #[cfg(feature = "serde")]
    #[test]
    fn a_tampered_state_is_refused() {
        let srs = catalog::require("srs").unwrap();
        let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
        for (n, v) in [9.0, 9.5, 9.6, 7.0].into_iter().enumerate() {
            monitor.observe(&srs_at(n as u32 + 1, [v; 4])).unwrap();
        }
        let good = serde_json::to_value(monitor.state()).unwrap();
        assert!(serde_json::from_value::<MonitorState>(good.clone()).is_ok());
        let edits: [(&str, serde_json::Value); 9] = [
            ("/order/count", serde_json::json!(u64::MAX)),
            ("/order/count", serde_json::json!(0)),
            ("/order/last_session", serde_json::json!(2)),
            ("/tracker/dip/length", serde_json::json!(u32::MAX)),
            ("/tracker/dip/lowest", serde_json::json!(99.0)),
            ("/tracker/dip/onset", serde_json::json!(99)),
            ("/last_total/1", serde_json::json!(12.5)),
            ("/totals/0", serde_json::json!(1e300)),
            ("/last_components/1/0/1", serde_json::json!(250.0)),
        ];
        for (pointer, value) in edits {
            let mut v = good.clone();
            *v.pointer_mut(pointer)
                .unwrap_or_else(|| panic!("{pointer}")) = value.clone();
            let err = serde_json::from_value::<MonitorState>(v).unwrap_err();
            assert!(
                err.to_string().contains("inconsistent") || err.to_string().contains("magnitudes"),
                "{pointer} = {value}: {err}"
            );
        }
        // Components the instrument does not measure are refused on resume.
        let mut v = good.clone();
        *v.pointer_mut("/last_components/1").unwrap() =
            serde_json::json!([["goals", 90.0], ["bond", 100.0]]);
        let state: MonitorState = serde_json::from_value(v).unwrap();
        assert!(SessionMonitor::resume(&srs, state).is_err());
    }

    #[test]
    fn an_error_leaves_the_state_as_it_was() {
        let srs = catalog::require("srs").unwrap();
        let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
        monitor.observe(&srs_at(2, [9.0; 4])).unwrap();
        let before = monitor.state().clone();
        let err = monitor.observe(&srs_at(2, [9.0; 4])).unwrap_err();
        assert_eq!(err.kind().code(), "invalid_series");
        assert_eq!(monitor.state(), &before);
    }

    #[test]
    fn one_component_falling_while_the_others_hold() {
        let wai = catalog::require("wai-sr").unwrap();
        // Every item 4, then the bond items down to 2.
        let bond: Vec<String> = wai.subscale(Component::Bond).unwrap().items().to_vec();
        let at = |n: u32, bond_value: f64| {
            let answers: Vec<(String, f64)> = wai
                .items()
                .iter()
                .map(|i| {
                    let v = if bond.contains(&i.id().to_owned()) {
                        bond_value
                    } else {
                        4.0
                    };
                    (i.id().to_owned(), v)
                })
                .collect();
            Administration::builder(&wai)
                .session(n)
                .answers(answers)
                .unwrap()
                .build()
                .unwrap()
        };
        let mut monitor = SessionMonitor::new(&wai, MonitorOptions::default().rupture(None));
        assert!(monitor.observe(&at(1, 4.0)).unwrap().is_empty());
        let events = monitor.observe(&at(2, 2.0)).unwrap();
        let [
            Event::ComponentFalling {
                component,
                fall,
                others,
                criterion,
                previous_session,
            },
        ] = &events[..]
        else {
            panic!("{events:?}");
        };
        assert_eq!(
            (*component, *fall, *criterion, *previous_session),
            (Component::Bond, 50.0, 10.0, 1)
        );
        assert!(others.iter().all(|o| o.change == 0.0));
        // All three falling together is not divergence.
        let mut monitor = SessionMonitor::new(&wai, MonitorOptions::default().rupture(None));
        let all = |n: u32, v: f64| {
            Administration::builder(&wai)
                .session(n)
                .answers(wai.items().iter().map(|i| (i.id().to_owned(), v)))
                .unwrap()
                .build()
                .unwrap()
        };
        monitor.observe(&all(1, 4.0)).unwrap();
        assert!(monitor.observe(&all(2, 2.0)).unwrap().is_empty());
    }

    /// Changes on a scale read to one decimal are exact: a drop of exactly the reliable amount
    /// or the set points counts, and the evidence shows the decimal difference.
    #[test]
    fn decimal_changes_are_exact() {
        let ors = catalog::require("ors").unwrap();
        let at = |inst: &Instrument, n: u32, lines: [f64; 4]| {
            Administration::builder(inst)
                .session(n)
                .answers([
                    ("1", lines[0]),
                    ("2", lines[1]),
                    ("3", lines[2]),
                    ("4", lines[3]),
                ])
                .unwrap()
                .build()
                .unwrap()
        };
        let mut monitor = SessionMonitor::new(&ors, MonitorOptions::default().rupture(None));
        monitor.observe(&at(&ors, 1, [8.3, 8.0, 8.0, 8.0])).unwrap();
        // 32.3 -> 27.3: exactly the ORS's reliable change of 5.
        let events = monitor.observe(&at(&ors, 2, [8.3, 8.0, 5.0, 6.0])).unwrap();
        assert!(
            events.iter().any(
                |e| matches!(e, Event::ReliableWorsening { worsening, .. } if *worsening == 5.0)
            ),
            "{events:?}"
        );
        let srs = catalog::require("srs").unwrap();
        let options = MonitorOptions::default()
            .drop_points(1.0)
            .unwrap()
            .rupture(Some(RuptureOptions::points(1.0).unwrap()));
        let mut monitor = SessionMonitor::new(&srs, options);
        monitor.observe(&at(&srs, 1, [9.3, 8.0, 8.0, 7.0])).unwrap();
        // 32.3 -> 31.3: exactly one point, and a rupture of exactly one point.
        let events = monitor.observe(&at(&srs, 2, [8.3, 8.0, 8.0, 7.0])).unwrap();
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Worsening { worsening, .. } if *worsening == 1.0)),
            "{events:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::RuptureOpened { rupture } if rupture.depth == 1.0)),
            "{events:?}"
        );
        // 36.0 -> 31.6 is 4.4, not 4.399999999999999.
        let mut monitor =
            SessionMonitor::new(&srs, MonitorOptions::default().drop_points(1.0).unwrap());
        monitor.observe(&at(&srs, 1, [9.0; 4])).unwrap();
        let events = monitor.observe(&at(&srs, 2, [7.9; 4])).unwrap();
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Worsening { worsening, .. } if *worsening == 4.4)),
            "{events:?}"
        );
    }

    #[test]
    fn worsening_follows_the_instruments_direction() {
        let phq9 = catalog::require("phq-9").unwrap();
        let at = |n: u32, v: f64| {
            Administration::builder(&phq9)
                .session(n)
                .answers((1..=9).map(|i| (i.to_string(), v)))
                .unwrap()
                .build()
                .unwrap()
        };
        let mut monitor = SessionMonitor::new(&phq9, MonitorOptions::default());
        assert!(monitor.observe(&at(1, 0.0)).unwrap().is_empty());
        // 0 -> 9: a rise of 9 on a lower-is-better measure, past the reliable 6; not a case.
        let events = monitor.observe(&at(2, 1.0)).unwrap();
        assert!(
            matches!(&events[..], [Event::ReliableWorsening { worsening, criterion, .. }] if *worsening == 9.0 && *criterion == 6.0),
            "{events:?}"
        );
        // 9 -> 0 is a reliable improvement.
        let events = monitor.observe(&at(3, 0.0)).unwrap();
        assert!(
            matches!(&events[..], [Event::ReliableImprovement { improvement, .. }] if *improvement == 9.0),
            "{events:?}"
        );
    }
}
