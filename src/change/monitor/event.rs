//! What the monitor reports: events in words, with a severity, one of the seed's four practices
//! and a prompt, and one summary line per session.

use std::collections::BTreeMap;

use super::super::rupture::Rupture;
use crate::components::{Component, Target};
use crate::responses::Date;
use crate::scoring::{Flag, Metric};
use crate::vocab::vocabulary;

/// How urgently an event asks for the clinician's attention.
///
/// `info` is news (a threshold still crossed, a repair, an improvement: positive feedback);
/// `attention` is worth a word in the next session; `alert` asks for it in this one. Ordered:
/// `Info < Attention < Alert`.
///
/// ```
/// use therapeutic_alliance::change::Severity;
///
/// assert!(Severity::Alert > Severity::Info);
/// assert_eq!(Severity::Attention.name(), "attention");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// News; nothing to act on.
    Info,
    /// Worth a word in the next session.
    Attention,
    /// Ask about it now.
    Alert,
}

vocabulary!(
    Severity,
    "severity",
    None,
    [Info => "info", Attention => "attention", Alert => "alert"]
);

/// The seed's four alliance-building practices; every event above
/// [`info`](Severity::Info) names the one that fits it.
///
/// The practice follows the component that fell (goals: [`Goals`](Practice::Goals);
/// collaboration, Bordin's tasks: [`Questions`](Practice::Questions); bond:
/// [`Openness`](Practice::Openness)); a total or a line that is no component gets
/// [`Feedback`](Practice::Feedback).
///
/// ```
/// use therapeutic_alliance::Component;
/// use therapeutic_alliance::change::Practice;
///
/// assert_eq!(Practice::for_component(Some(Component::Bond)), Practice::Openness);
/// assert_eq!(Practice::for_component(None), Practice::Feedback);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Practice {
    /// Be open and honest: talk about the relationship itself.
    Openness,
    /// Set clear goals, and check they are still shared.
    Goals,
    /// Ask when something is unclear: how the work is done.
    Questions,
    /// Say what works and what does not: ask for and give feedback.
    Feedback,
}

vocabulary!(
    Practice,
    "practice",
    None,
    [Openness => "openness", Goals => "goals", Questions => "questions", Feedback => "feedback"]
);

impl Practice {
    /// The practice for the component that fell most (or `None`: the total, a line that
    /// measures no component).
    ///
    /// ```
    /// use therapeutic_alliance::Component;
    /// use therapeutic_alliance::change::Practice;
    ///
    /// assert_eq!(Practice::for_component(Some(Component::Collaboration)), Practice::Questions);
    /// ```
    pub fn for_component(component: Option<Component>) -> Practice {
        match component {
            Some(Component::Goals) => Practice::Goals,
            Some(Component::Collaboration) => Practice::Questions,
            Some(Component::Bond) => Practice::Openness,
            None => Practice::Feedback,
        }
    }
}

/// Where a threshold alarm stands: it fires once when a score crosses the threshold, is
/// [`Persisting`](ThresholdState::Persisting) (info, with a count) while the score stays
/// across, and says when the score is back ([`Left`](ThresholdState::Left), good news).
///
/// ```
/// use therapeutic_alliance::change::ThresholdState;
///
/// assert_eq!("left".parse::<ThresholdState>()?, ThresholdState::Left);
/// # Ok::<(), therapeutic_alliance::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ThresholdState {
    /// The score crossed the threshold at this session.
    Entered,
    /// The score is still across, for the count of sessions in `sessions`.
    Persisting,
    /// The score is back on the other side.
    Left,
}

vocabulary!(
    ThresholdState,
    "threshold state",
    None,
    [Entered => "entered", Persisting => "persisting", Left => "left"]
);

/// Whether [`SessionMonitor::observe`](super::SessionMonitor::observe) saw the session for the
/// first time or had seen it already with the same answers (then it reports nothing again).
///
/// ```
/// use therapeutic_alliance::change::SessionStatus;
///
/// assert_eq!(SessionStatus::AlreadySeen.name(), "already_seen");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// A new session: its events are reported.
    Observed,
    /// A session observed before with the same answers: a retried request, nothing reported
    /// and nothing changed.
    AlreadySeen,
}

vocabulary!(
    SessionStatus,
    "session status",
    None,
    [Observed => "observed", AlreadySeen => "already_seen"]
);

/// The subscale that fell most, on worsening and rupture events: its fall in its own units
/// (the instrument's primary metric) and in percent-of-maximum points, which compare lines of
/// different ranges (the largest `fall_pomp` is chosen; ties go to the first subscale).
///
/// ```
/// use therapeutic_alliance::{Component, Target};
/// use therapeutic_alliance::change::LargestFall;
///
/// let f = LargestFall { target: Target::Component(Component::Bond), fall: 2.6, fall_pomp: 26.0 };
/// assert_eq!(f.component(), Some(Component::Bond));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LargestFall {
    /// The subscale (on the SRS the relationship line is `bond`).
    pub target: Target,
    /// How far it fell, in its own units (positive).
    pub fall: f64,
    /// How far it fell, in percent-of-maximum points (positive).
    pub fall_pomp: f64,
}

impl LargestFall {
    /// The component the subscale measures, if any.
    ///
    /// ```
    /// use therapeutic_alliance::Target;
    /// use therapeutic_alliance::change::LargestFall;
    ///
    /// let f = LargestFall { target: Target::Subscale("global".into()), fall: 1.0, fall_pomp: 10.0 };
    /// assert_eq!(f.component(), None);
    /// ```
    pub fn component(&self) -> Option<Component> {
        match &self.target {
            Target::Component(c) => Some(*c),
            _ => None,
        }
    }
}

/// A value in an event's [`params`](Event::params): a number, or a text. A text is a term
/// (a subscale id such as `bond`, a comparison such as `at_or_below`) that a message table may
/// translate with an entry `term.<text>`.
///
/// ```
/// use therapeutic_alliance::change::Param;
///
/// assert_eq!(Param::from(2.5), Param::Number(2.5));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(untagged))]
pub enum Param {
    /// A number (a score, a change, a session number, a count).
    Number(f64),
    /// A term, translated by a table's `term.<text>` entry if it has one.
    Text(String),
}

/// A whole number is written without a fraction (`5`, not `5.0`).
#[cfg(feature = "serde")]
impl serde::Serialize for Param {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Param::Number(v) if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 =>
            {
                #[allow(clippy::cast_possible_truncation)]
                s.serialize_i64(*v as i64)
            }
            Param::Number(v) => s.serialize_f64(*v),
            Param::Text(t) => s.serialize_str(t),
        }
    }
}

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Number(v)
    }
}

impl From<u32> for Param {
    fn from(v: u32) -> Self {
        Param::Number(f64::from(v))
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_owned())
    }
}

/// The named values a message template fills in (`{score}`, `{target}`, ...).
pub type Params = BTreeMap<String, Param>;

/// What happened, with its evidence: the kind of an [`Event`].
///
/// "Worsening" follows the instrument's direction: a fall on the alliance instruments and the
/// ORS, a rise on the PHQ-9 and GAD-7. With `serde` the kind's fields sit in the event's object,
/// tagged by `kind`:
///
/// ```json
/// {"kind": "threshold", "state": "entered", "sessions": 1, "flag": {"target": "total",
///   "metric": "sum", "comparison": "at_or_below", "threshold": 36.0, "score": 33.0,
///   "message": "discuss the relationship", "source": "…"}}
/// {"kind": "reliable_worsening", "target": "total", "metric": "sum", "previous_session": 3,
///   "previous": 38.0, "current": 31.0, "worsening": 7.0, "criterion": 5.0}
/// {"kind": "reliable_improvement", …, "improvement": 7.0, "criterion": 6.0}
/// {"kind": "worsening", …, "worsening": 1.5, "criterion": 1.0}
/// {"kind": "improvement", …, "improvement": 4.7, "criterion": 1.0}
/// {"kind": "rupture_opened", "rupture": {"start": 2, "level": 38.0, "onset": 4, …}}
/// {"kind": "rupture_repaired", "rupture": {…, "repair": {"session": 5, "value": 38.5,
///   "sessions_after_onset": 1}}}
/// {"kind": "component_falling", "component": "bond", "previous_session": 3, "fall": 25.0,
///   "others": [{"component": "goals", "change": 0.0}, …], "criterion": 10.0}
/// ```
///
/// ```
/// use therapeutic_alliance::change::{EventKind, ThresholdState};
///
/// fn is_news(kind: &EventKind) -> bool {
///     matches!(kind, EventKind::Threshold { state: ThresholdState::Left, .. }
///         | EventKind::RuptureRepaired { .. })
/// }
/// # let _ = is_news;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "kind", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum EventKind {
    /// A threshold of the instrument (the total or a subscale below the SRS alert, a PHQ-9
    /// total in the clinical range, ...): crossed at this session, still crossed, or left.
    Threshold {
        /// Entered, persisting or left.
        state: ThresholdState,
        /// Sessions in a row with the score across, this one included (for `left`: how many
        /// it lasted).
        sessions: u32,
        /// The threshold and this session's score (for `left`, a score no longer across).
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
    /// The total improved since the previous scored session by at least the configured points
    /// ([`MonitorOptions::drop_points`](super::MonitorOptions::drop_points), the same amount
    /// both ways), on an instrument whose reliable-change amount does not apply (the SRS has
    /// none): positive feedback.
    Improvement {
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

impl EventKind {
    /// The kind's tag: `threshold`, `reliable_worsening`, ... (as serialized).
    ///
    /// ```
    /// use therapeutic_alliance::change::{EventKind, Rupture};
    /// # let _ = |r: Rupture| EventKind::RuptureOpened { rupture: r }.name();
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Threshold { .. } => "threshold",
            EventKind::ReliableWorsening { .. } => "reliable_worsening",
            EventKind::ReliableImprovement { .. } => "reliable_improvement",
            EventKind::Worsening { .. } => "worsening",
            EventKind::Improvement { .. } => "improvement",
            EventKind::RuptureOpened { .. } => "rupture_opened",
            EventKind::RuptureRepaired { .. } => "rupture_repaired",
            EventKind::ComponentFalling { .. } => "component_falling",
        }
    }
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

/// Something the monitor noticed at a session, in words: its [`kind`](Event::kind) with the
/// evidence, a [`severity`](Event::severity), a [`message`](Event::message) rendered from a
/// stable [`message_key`](Event::message_key) and [`params`](Event::params) (so an app can
/// render it in its own language with [`Messages::event`](super::Messages::event)), and, above
/// [`info`](Severity::Info), one of the seed's four [`practice`](Event::practice)s with a
/// [`prompt`](Event::prompt): one sentence a clinician can say or ask in session, chosen by the
/// component that fell and the instrument's modality.
///
/// Severities: a threshold `entered` is an alert when the score fell through it since the
/// previous scored session and `attention` when it starts across (the first scored session);
/// `persisting` and `left` are info. A reliable worsening and a rupture are alerts; a worsening
/// and one component falling are `attention`; improvements and repairs are info (positive
/// feedback).
///
/// With `serde` an event is one object: `session`, `severity`, the kind's fields tagged by
/// `kind` (see [`EventKind`]), `largest_fall` on worsening and rupture events, `message_key`,
/// `params`, `message`, and `practice`, `prompt_key` and `prompt` above info.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
/// use therapeutic_alliance::change::{EventKind, MonitorOptions, SessionMonitor, Severity, ThresholdState};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default().drop_points(1.0)?);
/// let session = |n: u32, v: f64| Administration::builder(&srs).session(n)
///     .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build();
/// assert!(monitor.observe(&session(1, 9.5)?)?.events.is_empty());
/// let events = monitor.observe(&session(2, 9.0)?)?.events;
/// assert!(matches!(&events[0].kind,
///     EventKind::Threshold { state: ThresholdState::Entered, flag, .. } if flag.score() == 36.0));
/// assert_eq!(events[0].severity, Severity::Alert);
/// assert_eq!(events[0].message, "The total score (36) is at or below the cutoff of 36.");
/// assert!(matches!(&events[1].kind, EventKind::Worsening { worsening, .. } if *worsening == 2.0));
/// assert!(events[1].prompt.is_some());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Event {
    /// The session it was noticed at.
    pub session: u32,
    /// How urgent it is.
    pub severity: Severity,
    /// What happened, with its evidence.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub kind: EventKind,
    /// On worsening and rupture events: the subscale that fell most (since the previous scored
    /// session; for a rupture, since the level it fell from).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub largest_fall: Option<LargestFall>,
    /// The stable key of the message in a [`Messages`](super::Messages) table
    /// (`threshold.entered`, `worsening`, `rupture_opened`, ...).
    pub message_key: String,
    /// The values the message fills in.
    pub params: Params,
    /// The message, rendered by the monitor's table (English by default).
    pub message: String,
    /// Above info: the practice that fits.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub practice: Option<Practice>,
    /// Above info: the key of the prompt (`prompt.<component or general>.<modality>`).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub prompt_key: Option<String>,
    /// Above info: one sentence to say or ask in session.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub prompt: Option<String>,
}

/// One clause of a [`Summary`]: a message key and its values.
///
/// ```
/// use therapeutic_alliance::change::{MessagePart, Params};
///
/// let part = MessagePart { key: "summary.rupture_opened".into(), params: Params::new() };
/// assert_eq!(part.key, "summary.rupture_opened");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MessagePart {
    /// The message key.
    pub key: String,
    /// Its values.
    pub params: Params,
}

/// One line per session with events, merging what happened: a drop that crosses the threshold,
/// is a worsening and opens a rupture at once is one notice ("Session 5: the total fell by 6.2
/// to 31.8: the total (31.8) at or below the cutoff of 36; a rupture of the alliance; the bond fell
/// most (2.6 points).").
///
/// The line is the first part, then `: ` and the other parts joined by `; `, then `.`
/// ([`Messages::summary`](super::Messages::summary) renders it in another table). Its severity is
/// the highest of the session's events; its practice and prompt are those of the first event
/// of that severity.
///
/// ```
/// use therapeutic_alliance::change::{Params, Severity, Summary};
///
/// let s = Summary { severity: Severity::Info, parts: Vec::new(), message: String::new(),
///     practice: None, prompt_key: None, prompt: None };
/// assert_eq!(s.severity, Severity::Info);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Summary {
    /// The highest severity of the session's events.
    pub severity: Severity,
    /// The line.
    pub message: String,
    /// Its parts, for rendering in another table.
    pub parts: Vec<MessagePart>,
    /// The practice of the first event of the highest severity, if above info.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub practice: Option<Practice>,
    /// Its prompt key.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub prompt_key: Option<String>,
    /// Its prompt.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub prompt: Option<String>,
}

/// One observed session: its number and date, whether it was new, what the monitor noticed and
/// the summary line (`None` when there were no events). What
/// [`SessionMonitor::observe`](super::SessionMonitor::observe) returns, and what the
/// `alliance monitor` command prints per session.
///
/// ```
/// use therapeutic_alliance::change::{MonitoredSession, SessionStatus};
///
/// let s = MonitoredSession { session: 4, date: None, status: SessionStatus::Observed,
///     events: Vec::new(), summary: None };
/// assert!(s.events.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MonitoredSession {
    /// The session number.
    pub session: u32,
    /// Its date, if recorded.
    pub date: Option<Date>,
    /// New, or seen before with the same answers (then no events).
    pub status: SessionStatus,
    /// What the monitor noticed.
    pub events: Vec<Event>,
    /// One line merging the events, if there are any.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub summary: Option<Summary>,
}
