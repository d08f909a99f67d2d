//! What the monitor keeps between sessions, and the checks it passes when read back and when a
//! monitor resumes from it.

use super::super::rupture::Tracker;
use super::super::series::Order;
use super::MonitorOptions;
use crate::components::{Component, Metric, Target};
use crate::error::{ErrorKind, Num, Result};
use crate::exact::ratio;
use crate::instruments::Instrument;
use crate::instruments::TotalRule;
use crate::scoring::InstrumentSummary;

/// The range of the instrument's total (primary metric) and the grid its values lie on: every
/// total, complete or prorated, is an integer multiple of `1 / denominator`. The denominator is
/// `10^decimals` times what prorating can divide by: for a subscale of `n` items scored from
/// `a` answered, `a / gcd(n, a)` (the SRS's one-line subscales: nothing, so its totals lie on
/// the 0.1 grid; the WAI-SR's four-item ones: 3), over every `a` and subscale (or over the
/// items, for a total taken over them); for a total in the mean metric, times the items and
/// every count of answered items. `None` for a total in percent of maximum, or a grid too fine
/// to hold exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Grid {
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) denominator: Option<u64>,
}

/// Integers up to this size are exact in a double with room for a rounding check.
const GRID_LIMIT: f64 = 1_125_899_906_842_624.0; // 2^50

/// What prorating a subscale of `n` items can divide a sum by: the lcm of `a / gcd(n, a)` over
/// `a` in `1..=n`.
fn prorating(n: u128) -> Option<u128> {
    let mut l: u128 = 1;
    for a in 1..=n {
        l = crate::exact::lcm(l, a / crate::exact::gcd(n, a))?;
        if l > 1 << 60 {
            return None;
        }
    }
    Some(l)
}

impl Grid {
    /// The grid of `instrument`'s total, if it has one.
    pub(crate) fn of(instrument: &Instrument) -> Option<Grid> {
        let metric = instrument.primary_metric();
        let range = instrument.range(Target::Total, metric)?;
        let items = instrument.items().len() as u128;
        let prorate = match instrument.total_rule() {
            TotalRule::OverItems => prorating(items),
            _ => instrument.subscales().iter().try_fold(1u128, |l, s| {
                crate::exact::lcm(l, prorating(s.items().len() as u128)?)
            }),
        };
        let per_metric = match metric {
            Metric::Sum => Some(1),
            // A mean divides a sum by the items, or by the items answered.
            Metric::Mean => (1..=items).try_fold(items, crate::exact::lcm),
            _ => None,
        };
        let res = instrument.scale().resolution_units().unsigned_abs();
        let denominator = prorate
            .zip(per_metric)
            .and_then(|(p, m)| p.checked_mul(m)?.checked_mul(res))
            .and_then(|d| u64::try_from(d).ok())
            .filter(|&d| {
                let top = range.max().abs().max(range.min().abs());
                top * (d as f64) < GRID_LIMIT
            });
        Some(Grid {
            min: range.min(),
            max: range.max(),
            denominator,
        })
    }

    /// `value` in units of `1 / denominator`, if it lies on the grid.
    pub(crate) fn units(&self, value: f64) -> Option<i64> {
        let d = self.denominator?;
        let k = (value * d as f64).round();
        if !k.is_finite() || k.abs() >= GRID_LIMIT {
            return None;
        }
        let k = k as i64;
        (ratio(i128::from(k), i128::from(d)) == value).then_some(k)
    }

    fn contains(&self, v: f64) -> bool {
        v.is_finite() && self.min <= v && v <= self.max
    }

    fn check(&self) -> std::result::Result<(), String> {
        let ok = self.min.is_finite()
            && self.max.is_finite()
            && self.min < self.max
            && self.min.abs().max(self.max.abs()) < 1e9
            && self.denominator.is_none_or(|d| {
                d >= 1 && (d as f64) * self.min.abs().max(self.max.abs()) < GRID_LIMIT
            });
        if ok {
            Ok(())
        } else {
            Err(format!(
                "the total's range {} to {}",
                Num(self.min),
                Num(self.max)
            ))
        }
    }
}

/// The running moments of the scored totals, for the client's own SD: O(1) per session and of
/// constant size. Exact integers in units of the grid while every total lies on it (sums of
/// squares in `i128`, no rounding at all); otherwise (a total off the grid, an instrument
/// without one) Welford's running mean and sum of squared deviations.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case", deny_unknown_fields)
)]
pub(crate) enum Moments {
    Exact {
        n: u64,
        #[cfg_attr(feature = "serde", serde(with = "i128_text"))]
        sum: i128,
        #[cfg_attr(feature = "serde", serde(with = "i128_text"))]
        sum_sq: i128,
    },
    Float {
        n: u64,
        mean: f64,
        m2: f64,
    },
}

/// An `i128` as a decimal string (JSON numbers past 2^53 do not survive every reader).
#[cfg(feature = "serde")]
mod i128_text {
    pub(super) fn serialize<S: serde::Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        if s.len() > 40 {
            return Err(serde::de::Error::custom(
                "an integer of more than 40 digits",
            ));
        }
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Default for Moments {
    fn default() -> Self {
        Moments::Exact {
            n: 0,
            sum: 0,
            sum_sq: 0,
        }
    }
}

impl Moments {
    pub(crate) fn count(&self) -> u64 {
        match self {
            Moments::Exact { n, .. } | Moments::Float { n, .. } => *n,
        }
    }

    /// Adds a total.
    pub(crate) fn push(&mut self, value: f64, grid: Option<&Grid>) {
        if let Moments::Exact { n, sum, sum_sq } = self {
            let k = grid.and_then(|g| g.units(value)).map(i128::from);
            let next = k.and_then(|k| {
                Some((
                    n.checked_add(1)?,
                    sum.checked_add(k)?,
                    sum_sq.checked_add(k.checked_mul(k)?)?,
                ))
            });
            if let Some((a, b, c)) = next {
                (*n, *sum, *sum_sq) = (a, b, c);
                return;
            }
            *self = self.to_float(grid);
        }
        if let Moments::Float { n, mean, m2 } = self {
            *n = n.saturating_add(1);
            let delta = value - *mean;
            *mean += delta / *n as f64;
            *m2 += delta * (value - *mean);
        }
    }

    fn to_float(&self, grid: Option<&Grid>) -> Moments {
        match *self {
            Moments::Exact { n, sum, sum_sq } => {
                let d = i128::from(grid.and_then(|g| g.denominator).unwrap_or(1));
                let nn = i128::from(n);
                let (mean, m2) = if n == 0 {
                    (0.0, 0.0)
                } else {
                    let spread = nn
                        .checked_mul(sum_sq)
                        .and_then(|a| a.checked_sub(sum.checked_mul(sum)?));
                    let den = nn.checked_mul(d).and_then(|a| a.checked_mul(d));
                    let m2 = match (spread, den) {
                        (Some(s), Some(den)) => ratio(s, den),
                        _ => 0.0,
                    };
                    (nn.checked_mul(d).map_or(0.0, |den| ratio(sum, den)), m2)
                };
                Moments::Float { n, mean, m2 }
            }
            ref f @ Moments::Float { .. } => f.clone(),
        }
    }

    /// The sample SD of the totals (n - 1), once there are two.
    pub(crate) fn sd(&self, grid: Option<&Grid>) -> Option<f64> {
        match *self {
            Moments::Exact { n, sum, sum_sq } if n >= 2 => {
                let d = i128::from(grid.and_then(|g| g.denominator)?);
                let nn = i128::from(n);
                let spread = nn.checked_mul(sum_sq)?.checked_sub(sum.checked_mul(sum)?)?;
                let den = nn.checked_mul(nn - 1)?.checked_mul(d)?.checked_mul(d)?;
                Some(ratio(spread, den).sqrt())
            }
            Moments::Float { n, m2, .. } if n >= 2 => Some((m2 / (n - 1) as f64).max(0.0).sqrt()),
            _ => None,
        }
    }

    fn check(&self, grid: Option<&Grid>, sessions: u64) -> std::result::Result<(), String> {
        let bad = || Err("the running moments of the totals".to_owned());
        match *self {
            Moments::Exact { n, sum, sum_sq } => {
                if n > sessions {
                    return bad();
                }
                if n == 0 {
                    return if sum == 0 && sum_sq == 0 {
                        Ok(())
                    } else {
                        bad()
                    };
                }
                let Some(g) = grid else { return bad() };
                let (Some(lo), Some(hi)) = (g.units(g.min), g.units(g.max)) else {
                    return bad();
                };
                let (lo, hi, nn) = (i128::from(lo), i128::from(hi), i128::from(n));
                let top = lo.abs().max(hi.abs());
                let ok = (|| {
                    let in_sum = nn.checked_mul(lo)? <= sum && sum <= nn.checked_mul(hi)?;
                    let in_sq = 0 <= sum_sq && sum_sq <= nn.checked_mul(top.checked_mul(top)?)?;
                    let spread = nn.checked_mul(sum_sq)? >= sum.checked_mul(sum)?;
                    Some(in_sum && in_sq && spread)
                })();
                if ok == Some(true) { Ok(()) } else { bad() }
            }
            Moments::Float { n, mean, m2 } => {
                let Some(g) = grid else { return bad() };
                let span = g.max - g.min;
                let ok = n <= sessions
                    && n >= 1
                    && g.contains(mean)
                    && m2.is_finite()
                    && m2 >= 0.0
                    && m2 <= n as f64 * span * span;
                if ok { Ok(()) } else { bad() }
            }
        }
    }
}

/// The subscales of one session (the instrument's primary metric and percent of maximum, in
/// the instrument's subscale order; `None` where not scored).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub(crate) struct Snapshot {
    pub(crate) session: u32,
    pub(crate) total: f64,
    pub(crate) subscales: Vec<Option<(f64, f64)>>,
}

/// A seen session: its number and a 64-bit FNV-1a digest of its answers (in answer units, in
/// item order, an unanswered item marked), written as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) session: u32,
    pub(crate) digest: u64,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Seen {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple as _;
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(&self.session)?;
        t.serialize_element(&format!("{:016x}", self.digest))?;
        t.end()
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Seen {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let (session, hex) = <(u32, std::borrow::Cow<'de, str>)>::deserialize(d)?;
        if hex.len() != 16 {
            return Err(serde::de::Error::custom("a digest of 16 hex digits"));
        }
        let digest = u64::from_str_radix(&hex, 16)
            .map_err(|_| serde::de::Error::custom("a digest of 16 hex digits"))?;
        Ok(Seen { session, digest })
    }
}

/// The digest of an administration's answers.
pub(crate) fn digest(units: &[Option<i32>]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    };
    for u in units {
        match u {
            Some(v) => {
                eat(1);
                for b in v.to_le_bytes() {
                    eat(b);
                }
            }
            None => eat(0),
        }
    }
    h
}

/// What the monitor keeps between sessions; with `serde` it serializes, so an app can store it
/// with the client's record and [`SessionMonitor::resume`](super::SessionMonitor::resume) later.
///
/// Its size is constant but for one entry per seen session (its number and a 64-bit digest of
/// its answers, 12 bytes in memory and about 30 in JSON), which lets the monitor tell a retried
/// session (the same answers: nothing new is reported) from a changed one
/// ([`ErrorKind::SessionConflict`]). The client's own SD comes from running moments of the
/// totals (exact integers where the totals lie on the instrument's grid), not from a list of
/// them.
///
/// Reading it back checks it: the sessions, the seen list, the totals against the instrument's
/// range and grid (stored with the state), the rupture tracker and the threshold runs must
/// agree ([`ErrorKind::InvalidMonitorState`]); resuming checks it against the instrument.
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
    /// The stored form's version ([`MONITOR_STATE_FORMAT`]), written first.
    pub(crate) format: StateFormat,
    pub(crate) instrument: InstrumentSummary,
    pub(crate) options: MonitorOptions,
    pub(crate) grid: Option<Grid>,
    pub(crate) order: Order,
    /// The last session with a scored total: the total and the subscales.
    pub(crate) previous: Option<Snapshot>,
    /// The session the rupture tracker's level is from, with its subscales.
    pub(crate) level: Option<Snapshot>,
    /// The last session with every component scored, and their percent-of-maximum scores.
    pub(crate) last_components: Option<(u32, Vec<(Component, f64)>)>,
    /// Per threshold of the instrument: `None` if never judged, else the scored sessions in a
    /// row the score has been across it (0: not across at the last judged session).
    pub(crate) thresholds: Vec<Option<u32>>,
    pub(crate) moments: Moments,
    pub(crate) tracker: Tracker,
    pub(crate) seen: Vec<Seen>,
}

/// The version of the stored form of [`MonitorState`] this release writes and reads: the
/// `"format"` key, first in the JSON. A state of another format is refused with
/// [`ErrorKind::InvalidMonitorState`] (never read as something it is not).
pub const MONITOR_STATE_FORMAT: u32 = 1;

/// The stored form's version: always [`MONITOR_STATE_FORMAT`] in memory, a number in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct StateFormat;

#[cfg(feature = "serde")]
impl serde::Serialize for StateFormat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(MONITOR_STATE_FORMAT)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for StateFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match <u32 as serde::Deserialize>::deserialize(d)? {
            MONITOR_STATE_FORMAT => Ok(StateFormat),
            other => Err(serde::de::Error::custom(format_message(other))),
        }
    }
}

/// The reason given for a state of another format.
#[cfg(feature = "serde")]
fn format_message(found: u32) -> String {
    format!("state format {found} is not known: this release reads format {MONITOR_STATE_FORMAT}")
}

/// The stored form of [`MonitorState`], checked as it is read back.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StateDef {
    format: u32,
    instrument: InstrumentSummary,
    options: MonitorOptions,
    grid: Option<Grid>,
    order: Order,
    previous: Option<Snapshot>,
    level: Option<Snapshot>,
    last_components: Option<(u32, Vec<(Component, f64)>)>,
    thresholds: Vec<Option<u32>>,
    moments: Moments,
    tracker: Tracker,
    seen: Vec<Seen>,
}

#[cfg(feature = "serde")]
impl TryFrom<StateDef> for MonitorState {
    type Error = crate::Error;

    fn try_from(d: StateDef) -> Result<Self> {
        if d.format != MONITOR_STATE_FORMAT {
            return Err(invalid(format_message(d.format)));
        }
        let state = MonitorState {
            format: StateFormat,
            instrument: d.instrument,
            options: d.options,
            grid: d.grid,
            order: d.order,
            previous: d.previous,
            level: d.level,
            last_components: d.last_components,
            thresholds: d.thresholds,
            moments: d.moments,
            tracker: d.tracker,
            seen: d.seen,
        };
        state.check()?;
        Ok(state)
    }
}

/// The error of a state that does not hold together.
pub(crate) fn invalid(what: impl Into<String>) -> crate::Error {
    ErrorKind::InvalidMonitorState {
        reason: what.into(),
    }
    .into()
}

impl MonitorState {
    pub(crate) fn new(instrument: &Instrument, options: MonitorOptions) -> Self {
        MonitorState {
            format: StateFormat,
            instrument: instrument.summary(),
            options,
            grid: Grid::of(instrument),
            order: Order::default(),
            previous: None,
            level: None,
            last_components: None,
            thresholds: vec![None; instrument.thresholds().len()],
            moments: Moments::default(),
            tracker: Tracker::default(),
            seen: Vec::new(),
        }
    }

    /// The options the state was kept with.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let state = SessionMonitor::new(&srs, MonitorOptions::for_instrument(&srs)).into_state();
    /// assert_eq!(state.options().drop_points_value(), Some(1.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn options(&self) -> &MonitorOptions {
        &self.options
    }

    /// The instrument the state was kept for.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let state = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default()).into_state();
    /// assert_eq!(state.instrument().id, "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &InstrumentSummary {
        &self.instrument
    }

    /// How many sessions the state has observed.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, SessionMonitor};
    /// use therapeutic_alliance::Administration;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
    /// monitor.observe(&Administration::builder(&srs).session(3).answers([("1", 9.0)])?.build()?)?;
    /// let state = monitor.into_state();
    /// assert_eq!((state.session_count(), state.last_session()), (1, Some(3)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn session_count(&self) -> usize {
        self.order.count()
    }

    /// The number of the last session observed (`None` before the first).
    pub fn last_session(&self) -> Option<u32> {
        self.order.last_session()
    }

    /// Reads a stored state from JSON, with the typed error of a state that does not hold
    /// together (serde's `Deserialize` checks the same, but its error is a message).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidMonitorState`] if the text is not a stored state or it does not
    /// hold together.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, MonitorState, SessionMonitor};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let state = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default()).into_state();
    /// let json = serde_json::to_string(&state)?;
    /// assert_eq!(MonitorState::from_json(&json)?, state);
    /// let tampered = json.replace(r#""max":40.0"#, r#""max":-1.0"#);
    /// assert_eq!(MonitorState::from_json(&tampered).unwrap_err().code(), "invalid_monitor_state");
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_reader(text.as_bytes())
    }

    /// [`MonitorState::from_json`] from a reader (a file), without reading it into a string
    /// first.
    ///
    /// # Errors
    /// As [`MonitorState::from_json`].
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::change::{MonitorOptions, MonitorState, SessionMonitor};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let state = SessionMonitor::new(&catalog::require("srs")?, MonitorOptions::default()).into_state();
    /// let bytes = serde_json::to_vec(&state)?;
    /// assert_eq!(MonitorState::from_reader(&bytes[..])?, state);
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "serde")]
    pub fn from_reader(reader: impl std::io::Read) -> Result<Self> {
        let d: StateDef =
            serde_json::from_reader(std::io::BufReader::new(reader)).map_err(|e| {
                invalid(format!(
                    "not a stored state: {}",
                    crate::ids::escaped(&e.to_string())
                ))
            })?;
        MonitorState::try_from(d)
    }

    /// The session seen with this number, if any.
    pub(crate) fn seen(&self, session: u32) -> Option<Seen> {
        self.seen
            .binary_search_by_key(&session, |s| s.session)
            .ok()
            .and_then(|i| self.seen.get(i).copied())
    }

    /// Checks what does not need the instrument: the session order, the seen list, the totals
    /// against the stored range and grid, the rupture tracker, the moments and the threshold
    /// runs agree with one another.
    pub(crate) fn check(&self) -> Result<()> {
        self.order.check().map_err(invalid)?;
        let last = self.order.last_session();
        let sessions = self.order.count();
        let count = u64::try_from(sessions).unwrap_or(u64::MAX);
        if self.seen.len() != sessions
            || self.seen.last().map(|s| s.session) != last
            || self.seen.windows(2).any(|w| match w {
                [a, b] => a.session >= b.session,
                _ => false,
            })
        {
            return Err(invalid(format!(
                "{} seen sessions for {sessions} sessions admitted",
                self.seen.len()
            )));
        }
        if let Some(g) = &self.grid {
            g.check().map_err(invalid)?;
        }
        let grid = self.grid.as_ref();
        let exact = matches!(self.moments, Moments::Exact { .. });
        let total_ok = |v: f64| {
            grid.is_some_and(|g| {
                g.contains(v) && (!exact || g.denominator.is_none() || g.units(v).is_some())
            })
        };
        for (what, snap) in [("previous", &self.previous), ("level", &self.level)] {
            if let Some(s) = snap {
                let pomp_ok = s.subscales.iter().flatten().all(|&(v, p)| {
                    v.is_finite() && v.abs() < 1e9 && p.is_finite() && (0.0..=100.0).contains(&p)
                });
                if !(last.is_some_and(|l| s.session <= l) && total_ok(s.total) && pomp_ok) {
                    return Err(invalid(format!(
                        "the {what} total {} at session {}",
                        Num(s.total),
                        s.session
                    )));
                }
            }
        }
        if self.previous.is_some() != (self.moments.count() > 0) {
            return Err(invalid("the previous total and the moments disagree"));
        }
        self.moments.check(grid, count).map_err(invalid)?;
        if let Some((s, values)) = &self.last_components {
            let distinct = values
                .iter()
                .enumerate()
                .all(|(i, (c, _))| values.iter().take(i).all(|(d, _)| d != c));
            let in_range = values
                .iter()
                .all(|&(_, v)| v.is_finite() && (0.0..=100.0).contains(&v));
            if !(last.is_some_and(|l| *s <= l) && distinct && in_range && values.len() >= 2) {
                return Err(invalid(format!("the components stored for session {s}")));
            }
        }
        if self
            .thresholds
            .iter()
            .flatten()
            .any(|&run| u64::from(run) > count)
        {
            return Err(invalid("a threshold run longer than the sessions admitted"));
        }
        self.tracker.check(last, sessions).map_err(invalid)?;
        if let Some(v) = self.tracker.values().find(|&v| !total_ok(v)) {
            return Err(invalid(format!(
                "a rupture level or low of {} outside the total's range or grid",
                Num(v)
            )));
        }
        if let (Some((s, _)), Some(level)) = (self.tracker.level(), &self.level)
            && s != level.session
        {
            return Err(invalid("the rupture level's session"));
        }
        Ok(())
    }

    /// Checks the state against the instrument it is resumed with (after the digest).
    pub(crate) fn check_for(&self, instrument: &Instrument) -> Result<()> {
        self.check()?;
        let grid = Grid::of(instrument);
        if grid != self.grid {
            return Err(invalid(
                "the stored range or grid of the total is not the instrument's",
            ));
        }
        if self.thresholds.len() != instrument.thresholds().len() {
            return Err(invalid(format!(
                "{} threshold runs for {} thresholds",
                self.thresholds.len(),
                instrument.thresholds().len()
            )));
        }
        let metric = instrument.primary_metric();
        for snap in [&self.previous, &self.level].into_iter().flatten() {
            if snap.subscales.len() != instrument.subscales().len() {
                return Err(invalid(format!(
                    "the subscales stored for session {}",
                    snap.session
                )));
            }
            for (s, v) in instrument.subscales().iter().zip(&snap.subscales) {
                let range = instrument.range(super::subscale_target(s), metric);
                if let (Some(r), Some((v, _))) = (range, v)
                    && !r.contains(*v)
                {
                    return Err(invalid(format!(
                        "the subscale {} at session {}",
                        s.id(),
                        snap.session
                    )));
                }
            }
        }
        if let Some((session, values)) = &self.last_components {
            let expected: Vec<Component> = Component::ALL
                .iter()
                .copied()
                .filter(|c| instrument.subscale(*c).is_some())
                .collect();
            let stored: Vec<Component> = values.iter().map(|(c, _)| *c).collect();
            if stored != expected {
                return Err(invalid(format!(
                    "the components stored for session {session} are not those {} measures",
                    instrument.id()
                )));
            }
        }
        Ok(())
    }
}
