//! Ruptures and repairs: dips in a client's session-by-session alliance that return to where
//! they started.
//!
//! The rule (this crate's; the exact operational rules of the papers behind the presets could
//! not be confirmed): the alliance stands at a level, the value of the last session before it
//! falls. A **rupture** is a dip below that level whose depth reaches the threshold, whether
//! the fall takes one session (the V Gumz et al. 2012 found most common) or several (the
//! second most common pattern). Its **onset** is the session where the depth first reaches the
//! threshold. It is **repaired** when a later session returns to the level within `window`
//! sessions of the onset. The dip's **length** counts its sessions below the level, up to the
//! return or the end of the series. A return after the window ends the dip without a repair.
//! Sessions without a score are skipped. The level then restarts at the returning session.

use super::positive;
use super::series::Series;
use super::table::SessionTable;
use crate::components::Target;
use crate::error::{ErrorKind, Num, Result};
use crate::scoring::Metric;

/// Whose standard deviation scales a threshold in SDs.
///
/// ```
/// use therapeutic_alliance::change::{RuptureOptions, SdSource};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Gumz et al. (2012) propose the larger of the client's and the sample's SD.
/// let rule = RuptureOptions::sd(1.0, SdSource::LargerOf(4.2))?;
/// assert_eq!(rule.threshold_for(Some(3.0)), Some(4.2));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SdSource {
    /// The client's own SD across their scored sessions (sample SD, n - 1).
    Own,
    /// The SD of the sample (of all clients' session scores), given.
    Sample(f64),
    /// The larger of the client's own SD and the sample's, given.
    LargerOf(f64),
}

/// How deep a dip must be to count as a rupture.
///
/// ```
/// use therapeutic_alliance::change::{RuptureSize, RuptureOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(RuptureOptions::points(1.5)?.size(), RuptureSize::Points(1.5));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RuptureSize {
    /// A fixed number of points of the score analyzed.
    Points(f64),
    /// A multiple of a standard deviation.
    Sd {
        /// How many SDs.
        multiple: f64,
        /// Whose SD.
        source: SdSource,
    },
}

/// The rule that finds ruptures and repairs in a series (see the module docs for the rule).
///
/// Presets: [`RuptureOptions::one_sd`] uses the 1 SD threshold of Strauss et al. (2006) and
/// [`RuptureOptions::two_sd`] the 2 SD threshold of Stiles et al. (2004), each with the client's
/// own SD and a repair window of 3 sessions. The papers' exact rules could not be confirmed:
/// the presets are this crate's rule with their thresholds.
///
/// With `serde`: `{"size": 1.0, "unit": "sd", "sd": "own", "window": 3}`; `"unit": "points"`
/// for points; `"sd": "sample"` or `"larger_of"` with `"sample_sd": 4.2`; `"floor": 2.0` for a
/// threshold of at least 2 points.
///
/// ```
/// use therapeutic_alliance::change::RuptureOptions;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let values = [Some(6.0), Some(6.2), Some(4.0), Some(6.1), Some(6.3)];
/// let found = RuptureOptions::points(1.5)?.analyze_values(&values)?;
/// let r = &found.ruptures[0];
/// // 6.1 is still below the level of 6.2, so the dip lasts two sessions and 6.3 repairs it.
/// assert_eq!((r.start, r.onset, r.depth, r.length), (2, 3, 2.2, 2));
/// assert_eq!(r.repair.as_ref().map(|rep| rep.session), Some(5));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "RuleDef", into = "RuleDef")
)]
pub struct RuptureOptions {
    size: RuptureSize,
    window: u32,
    floor: Option<f64>,
}

/// Serialized form of [`RuptureOptions`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct RuleDef {
    size: f64,
    unit: Unit,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    sd: Option<SdKind>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    sample_sd: Option<f64>,
    window: u32,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    floor: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
enum Unit {
    Points,
    Sd,
}

#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
enum SdKind {
    Own,
    Sample,
    LargerOf,
}

/// The repair window of the presets, in sessions after the onset.
const DEFAULT_WINDOW: u32 = 3;

impl RuptureOptions {
    /// Threshold 1 SD of the client's own scores (the threshold of Strauss et al. 2006), repair
    /// window 3 sessions.
    ///
    /// ```
    /// let rule = therapeutic_alliance::change::RuptureOptions::one_sd();
    /// assert_eq!(rule.window(), 3);
    /// ```
    pub fn one_sd() -> Self {
        RuptureOptions {
            size: RuptureSize::Sd {
                multiple: 1.0,
                source: SdSource::Own,
            },
            window: DEFAULT_WINDOW,
            floor: None,
        }
    }

    /// Threshold 2 SD of the client's own scores (the threshold of Stiles et al. 2004), repair
    /// window 3 sessions.
    ///
    /// ```
    /// use therapeutic_alliance::change::{RuptureOptions, RuptureSize, SdSource};
    ///
    /// let rule = RuptureOptions::two_sd();
    /// assert_eq!(rule.size(), RuptureSize::Sd { multiple: 2.0, source: SdSource::Own });
    /// ```
    pub fn two_sd() -> Self {
        RuptureOptions {
            size: RuptureSize::Sd {
                multiple: 2.0,
                source: SdSource::Own,
            },
            window: DEFAULT_WINDOW,
            floor: None,
        }
    }

    /// A threshold of `multiple` SDs from `source`, repair window 3 sessions.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `multiple` and a given sample SD are finite and
    /// positive.
    ///
    /// ```
    /// use therapeutic_alliance::change::{RuptureOptions, SdSource};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rule = RuptureOptions::sd(1.5, SdSource::Sample(4.0))?;
    /// assert_eq!(rule.threshold_for(None), Some(6.0));
    /// assert!(RuptureOptions::sd(1.0, SdSource::Sample(0.0)).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn sd(multiple: f64, source: SdSource) -> Result<Self> {
        positive("rupture threshold", multiple)?;
        if let SdSource::Sample(sd) | SdSource::LargerOf(sd) = source {
            positive("sample sd", sd)?;
        }
        Ok(RuptureOptions {
            size: RuptureSize::Sd { multiple, source },
            window: DEFAULT_WINDOW,
            floor: None,
        })
    }

    /// A threshold of `points` points, repair window 3 sessions.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `points` is finite and positive.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rule = therapeutic_alliance::change::RuptureOptions::points(2.0)?;
    /// assert_eq!(rule.threshold_for(None), Some(2.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn points(points: f64) -> Result<Self> {
        positive("rupture threshold", points)?;
        Ok(RuptureOptions {
            size: RuptureSize::Points(points),
            window: DEFAULT_WINDOW,
            floor: None,
        })
    }

    /// The same rule with a repair window of `sessions` sessions after the onset.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for a window of 0.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rule = therapeutic_alliance::change::RuptureOptions::one_sd().with_window(5)?;
    /// assert_eq!(rule.window(), 5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_window(mut self, sessions: u32) -> Result<Self> {
        if sessions == 0 {
            return Err(ErrorKind::InvalidOption {
                option: "repair window",
                value: "0".to_owned(),
                reason: "a repair needs at least 1 session after the onset".to_owned(),
            }
            .into());
        }
        self.window = sessions;
        Ok(self)
    }

    /// The same rule with a threshold of at least `points`: a client whose scores barely vary
    /// has a tiny own SD, and without a floor a dip of a fraction of a point would count.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] unless `points` is finite and positive.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rule = therapeutic_alliance::change::RuptureOptions::one_sd().with_floor(2.0)?;
    /// assert_eq!(rule.threshold_for(Some(0.4)), Some(2.0));
    /// assert_eq!(rule.threshold_for(Some(3.0)), Some(3.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_floor(mut self, points: f64) -> Result<Self> {
        positive("rupture floor", points)?;
        self.floor = Some(points);
        Ok(self)
    }

    /// The floor of the threshold in points, if set.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::RuptureOptions::one_sd().floor(), None);
    /// ```
    pub fn floor(&self) -> Option<f64> {
        self.floor
    }

    /// The threshold's size.
    ///
    /// ```
    /// use therapeutic_alliance::change::{RuptureOptions, RuptureSize, SdSource};
    ///
    /// assert_eq!(RuptureOptions::one_sd().size(), RuptureSize::Sd { multiple: 1.0, source: SdSource::Own });
    /// ```
    pub fn size(&self) -> RuptureSize {
        self.size
    }

    /// The repair window in sessions after the onset.
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::change::RuptureOptions::two_sd().window(), 3);
    /// ```
    pub fn window(&self) -> u32 {
        self.window
    }

    /// The threshold in points given the client's own SD (and at least the floor, if set);
    /// `None` when the rule needs the own SD and it is not known.
    ///
    /// ```
    /// use therapeutic_alliance::change::RuptureOptions;
    ///
    /// assert_eq!(RuptureOptions::two_sd().threshold_for(Some(0.5)), Some(1.0));
    /// assert_eq!(RuptureOptions::two_sd().threshold_for(None), None);
    /// ```
    pub fn threshold_for(&self, own_sd: Option<f64>) -> Option<f64> {
        match self.size {
            RuptureSize::Points(p) => Some(p.max(self.floor.unwrap_or(0.0))),
            RuptureSize::Sd { multiple, source } => {
                let sd = match source {
                    SdSource::Own => own_sd?,
                    SdSource::Sample(s) => s,
                    SdSource::LargerOf(s) => own_sd.map_or(s, |o| o.max(s)),
                };
                Some((multiple * sd).max(self.floor.unwrap_or(0.0)))
            }
        }
    }

    /// This rule with a floor of `pomp` percent of the `target`'s range (in the instrument's
    /// primary metric), if it is in SDs and sets no floor of its own: what the session monitor
    /// and the plot apply by default.
    pub(crate) fn floored_to_range(
        &self,
        instrument: &crate::Instrument,
        target: &Target,
        pomp: f64,
    ) -> RuptureOptions {
        let in_sds = matches!(self.size, RuptureSize::Sd { .. });
        match instrument.range(target.clone(), instrument.primary_metric()) {
            Some(r) if in_sds && self.floor.is_none() && r.max() > r.min() && pomp > 0.0 => {
                RuptureOptions {
                    floor: Some(pomp / 100.0 * (r.max() - r.min())),
                    ..*self
                }
            }
            _ => *self,
        }
    }

    /// Whether the rule needs the client's own SD.
    fn needs_own_sd(&self) -> bool {
        matches!(
            self.size,
            RuptureSize::Sd {
                source: SdSource::Own | SdSource::LargerOf(_),
                ..
            }
        )
    }

    /// Ruptures in a target's scores (in the instrument's primary metric) across a series.
    /// The client's own SD, where the rule uses it, is over all the series' scored sessions.
    ///
    /// # Errors
    /// As [`analyze_values`](RuptureOptions::analyze_values); [`ErrorKind::UnknownTarget`] if the
    /// instrument has no such target; [`ErrorKind::InvalidOption`] for an instrument where
    /// lower is better (a symptom measure), where a dip is an improvement.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::change::{RuptureOptions, Series};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut series = Series::new(&srs);
    /// for (n, v) in [9.0, 9.0, 7.5, 9.2].into_iter().enumerate() {
    ///     let adm = Administration::builder(&srs).session(n as u32 + 1)
    ///         .answers([("1", v), ("2", v), ("3", v), ("4", v)])?.build()?;
    ///     series.push(&adm)?;
    /// }
    /// let found = RuptureOptions::points(4.0)?.analyze(&series, "total")?;
    /// let repair = found.ruptures[0].repair.as_ref().map(|r| r.session);
    /// assert_eq!((found.ruptures[0].depth, repair), (6.0, Some(4)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(&self, series: &Series, target: impl Into<Target>) -> Result<Ruptures> {
        let target = target.into();
        let inst = series.instrument();
        inst.slot(&target)?;
        if inst.better() != super::Better::Higher {
            return Err(ErrorKind::InvalidOption {
                option: "instrument",
                value: inst.id().to_owned(),
                reason: format!(
                    "ruptures are dips in a score where higher is better (the alliance); on {} \
                     lower is better",
                    inst.id()
                ),
            }
            .into());
        }
        let metric: Metric = series.instrument().primary_metric();
        let values = series.values(target, metric);
        let sessions: Vec<u32> = series.sessions().iter().map(|s| s.session()).collect();
        self.analyze_sessions(&sessions, &values)
    }

    /// Ruptures in scores given in session order, the first being session 1 (`None` = no
    /// score that session).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidSeries`] naming the session of a NaN or infinite value;
    /// [`ErrorKind::TooFewRows`] when the rule needs the client's own SD and fewer than 2
    /// sessions are scored.
    ///
    /// ```
    /// use therapeutic_alliance::change::{RuptureOptions, Shape};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // A decline over three sessions, then a sudden repair.
    /// let values = [Some(50.0), Some(48.0), None, Some(46.0), Some(44.0), Some(51.0)];
    /// let r = &RuptureOptions::points(5.0)?.analyze_values(&values)?.ruptures[0];
    /// assert_eq!((r.start, r.onset, r.lowest_session, r.length), (1, 5, 5, 3));
    /// assert_eq!(r.shape, Shape::Gradual);
    /// assert_eq!(r.repair.as_ref().map(|rep| rep.sessions_after_onset), Some(1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze_values(&self, values: &[Option<f64>]) -> Result<Ruptures> {
        let sessions: Vec<u32> = (1..=values.len())
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            .collect();
        self.analyze_sessions(&sessions, values)
    }

    /// Ruptures of every client of a [`SessionTable`], in client order, on the table's own
    /// session numbers. The scores must be ones where higher is better (the alliance), as the
    /// table does not know its instrument; [`analyze`](RuptureOptions::analyze) checks that on a
    /// [`Series`].
    ///
    /// # Errors
    /// As [`analyze_values`](RuptureOptions::analyze_values), for the first client that fails.
    ///
    /// ```
    /// use therapeutic_alliance::change::{RuptureOptions, SessionTable};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let table = SessionTable::from_rows([
    ///     ("a", 1, Some(36.0)), ("a", 2, Some(30.0)), ("a", 3, Some(36.0)),
    ///     ("b", 1, Some(35.0)), ("b", 2, Some(36.0)),
    /// ])?;
    /// let all = RuptureOptions::points(5.0)?.analyze_table(&table)?;
    /// assert_eq!((all[0].client.as_str(), all[0].found.ruptures.len()), ("a", 1));
    /// assert_eq!(all[0].found.ruptures[0].onset, 2);
    /// assert!(all[1].found.ruptures.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze_table(&self, table: &SessionTable) -> Result<Vec<ClientRuptures>> {
        table
            .client_columns()
            .map(|(client, sessions, values)| {
                Ok(ClientRuptures {
                    client: client.to_owned(),
                    found: self.analyze_sessions(&sessions, &values)?,
                })
            })
            .collect()
    }

    fn analyze_sessions(&self, sessions: &[u32], values: &[Option<f64>]) -> Result<Ruptures> {
        let mut scored = Vec::with_capacity(values.len());
        for (&s, v) in sessions.iter().zip(values) {
            if let Some(v) = *v {
                if !v.is_finite() {
                    return Err(ErrorKind::InvalidSeries {
                        session: Some(s),
                        reason: format!("score {} is not a finite number", Num(v)),
                    }
                    .into());
                }
                super::check_magnitude(|| format!("session {s}"), v)?;
                scored.push(v);
            }
        }
        let own_sd = crate::stats::sd(&scored);
        if self.needs_own_sd() && own_sd.is_none() {
            return Err(ErrorKind::TooFewRows {
                target: "scored sessions".to_owned(),
                rows: scored.len() as u64,
                statistic: "the client's own SD",
                needed: 2,
            }
            .into());
        }
        let threshold = self.threshold_for(own_sd).unwrap_or(f64::INFINITY);
        let mut tracker = Tracker::default();
        let mut ruptures = Vec::new();
        for (&s, v) in sessions.iter().zip(values) {
            if let Some(done) = v.and_then(|v| tracker.observe(s, v, threshold, self.window).closed)
            {
                ruptures.push(done);
            }
        }
        ruptures.extend(tracker.finish());
        Ok(Ruptures {
            rule: *self,
            threshold,
            own_sd: if self.needs_own_sd() { own_sd } else { None },
            ruptures,
        })
    }
}

impl TryFrom<RuleDef> for RuptureOptions {
    type Error = crate::Error;

    fn try_from(d: RuleDef) -> Result<Self> {
        let missing_sd = || -> crate::Error {
            ErrorKind::InvalidOption {
                option: "sample sd",
                value: "none".to_owned(),
                reason: "a threshold in the sample's SD needs sample_sd".to_owned(),
            }
            .into()
        };
        let rule = match (d.unit, d.sd, d.sample_sd) {
            (Unit::Points, None, None) => RuptureOptions::points(d.size)?,
            (Unit::Sd, Some(SdKind::Own), None) => RuptureOptions::sd(d.size, SdSource::Own)?,
            (Unit::Sd, Some(SdKind::Sample), Some(s)) => {
                RuptureOptions::sd(d.size, SdSource::Sample(s))?
            }
            (Unit::Sd, Some(SdKind::LargerOf), Some(s)) => {
                RuptureOptions::sd(d.size, SdSource::LargerOf(s))?
            }
            (Unit::Sd, Some(SdKind::Sample | SdKind::LargerOf), None) => return Err(missing_sd()),
            _ => {
                return Err(ErrorKind::InvalidOption {
                    option: "rupture rule",
                    value: format!("{:?}", d.unit).to_lowercase(),
                    reason: "points take no sd or sample_sd; sd needs \"sd\": own, sample or \
                             larger_of, and sample_sd with sample or larger_of only"
                        .to_owned(),
                }
                .into());
            }
        };
        let rule = rule.with_window(d.window)?;
        match d.floor {
            Some(f) => rule.with_floor(f),
            None => Ok(rule),
        }
    }
}

impl From<RuptureOptions> for RuleDef {
    fn from(r: RuptureOptions) -> Self {
        let (size, unit, sd, sample_sd) = match r.size {
            RuptureSize::Points(p) => (p, Unit::Points, None, None),
            RuptureSize::Sd { multiple, source } => match source {
                SdSource::Own => (multiple, Unit::Sd, Some(SdKind::Own), None),
                SdSource::Sample(s) => (multiple, Unit::Sd, Some(SdKind::Sample), Some(s)),
                SdSource::LargerOf(s) => (multiple, Unit::Sd, Some(SdKind::LargerOf), Some(s)),
            },
        };
        RuleDef {
            size,
            unit,
            sd,
            sample_sd,
            window: r.window,
            floor: r.floor,
        }
    }
}

/// The ruptures found in one client's series, with the threshold used.
///
/// ```
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let found = therapeutic_alliance::change::RuptureOptions::one_sd()
///     .analyze_values(&[Some(5.0), Some(5.0), Some(3.0), Some(5.0)])?;
/// assert_eq!(found.own_sd, Some(1.0));
/// assert_eq!(found.threshold, 1.0);
/// assert_eq!(found.ruptures.len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Ruptures {
    /// The rule applied.
    pub rule: RuptureOptions,
    /// The threshold in points.
    pub threshold: f64,
    /// The client's own SD, where the rule used it.
    pub own_sd: Option<f64>,
    /// The ruptures, in order.
    pub ruptures: Vec<Rupture>,
}

/// One client's ruptures from a [`SessionTable`] (see
/// [`RuptureOptions::analyze_table`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ClientRuptures {
    /// The client id.
    pub client: String,
    /// What was found.
    pub found: Ruptures,
}

/// How the alliance fell into a rupture.
///
/// ```
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// use therapeutic_alliance::change::{RuptureOptions, Shape};
/// let found = RuptureOptions::points(2.0)?.analyze_values(&[Some(6.0), Some(3.0), Some(6.0)])?;
/// assert_eq!(found.ruptures[0].shape, Shape::Sudden);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Shape {
    /// The first session below the level already reached the threshold (a V when repaired).
    Sudden,
    /// The threshold was reached after more than one session below the level.
    Gradual,
}

/// One rupture: where the level stood, when the dip reached the threshold, how deep and long it
/// was, and its repair.
///
/// ```
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let found = therapeutic_alliance::change::RuptureOptions::points(1.0)?
///     .analyze_values(&[Some(4.0), Some(2.5), Some(2.0)])?;
/// let r = &found.ruptures[0];
/// assert_eq!((r.level, r.lowest, r.depth), (4.0, 2.0, 2.0));
/// assert!(r.repair.is_none(), "still open at the end of the series");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Rupture {
    /// The last session at the pre-rupture level.
    pub start: u32,
    /// The pre-rupture level.
    pub level: f64,
    /// The session where the dip first reached the threshold.
    pub onset: u32,
    /// The lowest session of the dip.
    pub lowest_session: u32,
    /// Its value.
    pub lowest: f64,
    /// Level minus lowest value.
    pub depth: f64,
    /// Scored sessions below the level, up to the return to it or the end of the series.
    pub length: u32,
    /// Sudden or gradual.
    pub shape: Shape,
    /// The session that returned to the level within the window, if any.
    pub repair: Option<Repair>,
}

/// The repair of a rupture.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let found = therapeutic_alliance::change::RuptureOptions::points(1.0)?
///     .analyze_values(&[Some(4.0), Some(2.5), Some(4.5)])?;
/// let repair = found.ruptures[0].repair.as_ref().ok_or("not repaired")?;
/// assert_eq!((repair.session, repair.value, repair.sessions_after_onset), (3, 4.5, 1));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Repair {
    /// The session back at (or above) the level.
    pub session: u32,
    /// Its value.
    pub value: f64,
    /// Sessions from the onset to the repair.
    pub sessions_after_onset: u32,
}

/// The incremental state of rupture detection: shared by [`RuptureOptions::analyze_values`] and the
/// session monitor, so both apply the same rule.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Tracker {
    /// The last session at the level, and the level.
    level: Option<(u32, f64)>,
    /// The dip under way.
    dip: Option<Dip>,
}

#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Dip {
    start: u32,
    level: f64,
    onset: Option<u32>,
    first: u32,
    lowest_session: u32,
    lowest: f64,
    length: u32,
}

/// What one observation did.
#[derive(Debug, Default)]
pub(crate) struct Step {
    /// A rupture that reached its threshold at this session.
    pub(crate) opened: Option<Rupture>,
    /// A rupture whose dip ended at this session (repaired or returned late).
    pub(crate) closed: Option<Rupture>,
}

impl Dip {
    fn rupture(&self, repair: Option<Repair>) -> Option<Rupture> {
        let onset = self.onset?;
        Some(Rupture {
            start: self.start,
            level: self.level,
            onset,
            lowest_session: self.lowest_session,
            lowest: self.lowest,
            depth: crate::exact::decimal_difference(self.level, self.lowest),
            length: self.length,
            shape: if onset == self.first {
                Shape::Sudden
            } else {
                Shape::Gradual
            },
            repair,
        })
    }
}

impl Tracker {
    /// Takes the next scored session.
    pub(crate) fn observe(
        &mut self,
        session: u32,
        value: f64,
        threshold: f64,
        window: u32,
    ) -> Step {
        let mut step = Step::default();
        let Some((_, level)) = self.level else {
            self.level = Some((session, value));
            return step;
        };
        match &mut self.dip {
            None if value >= level => self.level = Some((session, value)),
            None => {
                let (start, level) = self.level.unwrap_or((session, value));
                let mut dip = Dip {
                    start,
                    level,
                    onset: None,
                    first: session,
                    lowest_session: session,
                    lowest: value,
                    length: 1,
                };
                if super::at_least(crate::exact::decimal_difference(level, value), threshold) {
                    dip.onset = Some(session);
                    step.opened = dip.rupture(None);
                }
                self.dip = Some(dip);
            }
            Some(dip) if value >= dip.level => {
                let repair = dip.onset.and_then(|onset| {
                    let after = session.saturating_sub(onset);
                    (after <= window).then_some(Repair {
                        session,
                        value,
                        sessions_after_onset: after,
                    })
                });
                step.closed = dip.rupture(repair);
                self.dip = None;
                self.level = Some((session, value));
            }
            Some(dip) => {
                dip.length = dip.length.saturating_add(1);
                if value < dip.lowest {
                    dip.lowest = value;
                    dip.lowest_session = session;
                }
                if dip.onset.is_none()
                    && super::at_least(
                        crate::exact::decimal_difference(dip.level, value),
                        threshold,
                    )
                {
                    dip.onset = Some(session);
                    step.opened = dip.rupture(None);
                }
            }
        }
        step
    }

    /// Checks a tracker read back from storage: a dip needs a level, its sessions are in order
    /// and no later than `last_session`, its values are finite and its lowest point is below
    /// its level; at most `sessions` sessions were observed.
    pub(crate) fn check(
        &self,
        last_session: Option<u32>,
        sessions: usize,
    ) -> std::result::Result<(), String> {
        let last = last_session.unwrap_or(0);
        match (&self.level, &self.dip) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err("a dip without a level".to_owned()),
            (Some((s, v)), dip) => {
                if *s > last || !v.is_finite() {
                    return Err(format!("level {} at session {s}", Num(*v)));
                }
                let Some(d) = dip else { return Ok(()) };
                let ordered = d.start <= d.first
                    && d.first <= d.lowest_session
                    && d.lowest_session <= last
                    && d.onset.is_none_or(|o| d.first <= o && o <= last);
                let values = d.level.is_finite() && d.lowest.is_finite() && d.lowest < d.level;
                let length = d.length >= 1 && (d.length as usize) <= sessions;
                if ordered && values && length {
                    Ok(())
                } else {
                    Err(format!(
                        "a dip from session {} (level {}, lowest {} at session {}, length {})",
                        d.start,
                        Num(d.level),
                        Num(d.lowest),
                        d.lowest_session,
                        d.length
                    ))
                }
            }
        }
    }

    /// The rupture still open at the end of the series, if any.
    /// The level's session and value, if any.
    pub(crate) fn level(&self) -> Option<(u32, f64)> {
        self.level
    }

    /// The values the tracker holds: the level, and a dip's level and lowest value.
    pub(crate) fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.level
            .map(|(_, v)| v)
            .into_iter()
            .chain(self.dip.iter().flat_map(|d| [d.level, d.lowest]))
    }

    pub(crate) fn finish(&self) -> Option<Rupture> {
        self.dip.as_ref().and_then(|d| d.rupture(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(
        rule: RuptureOptions,
        values: &[Option<f64>],
    ) -> Vec<(u32, u32, u32, f64, u32, Option<u32>)> {
        rule.analyze_values(values)
            .unwrap()
            .ruptures
            .iter()
            .map(|r| {
                (
                    r.start,
                    r.onset,
                    r.lowest_session,
                    r.depth,
                    r.length,
                    r.repair.as_ref().map(|x| x.session),
                )
            })
            .collect()
    }

    /// Hand-worked series: (start, onset, lowest session, depth, length, repair session).
    #[test]
    fn hand_worked_series() {
        let p2 = RuptureOptions::points(2.0).unwrap();
        let v = |xs: &[f64]| xs.iter().map(|&x| Some(x)).collect::<Vec<_>>();
        // A V, repaired the next session.
        assert_eq!(
            found(p2, &v(&[5.0, 3.0, 5.0])),
            [(1, 2, 2, 2.0, 1, Some(3))]
        );
        // A dip of 1.9 is not a rupture.
        assert!(found(p2, &v(&[5.0, 3.1, 5.0])).is_empty());
        // The level is the last session before the fall: 5, 6, then 4.
        assert_eq!(
            found(p2, &v(&[5.0, 6.0, 4.0, 6.0])),
            [(2, 3, 3, 2.0, 1, Some(4))]
        );
        // A return four sessions after the onset is past the window of 3: no repair; the
        // dip's length still counts every session below the level.
        assert_eq!(
            found(p2, &v(&[6.0, 3.0, 3.5, 4.0, 5.0, 6.0])),
            [(1, 2, 2, 3.0, 4, None)]
        );
        // Two ruptures, the second from the level the first repaired to.
        assert_eq!(
            found(p2, &v(&[6.0, 4.0, 7.0, 4.5, 7.0])),
            [(1, 2, 2, 2.0, 1, Some(3)), (3, 4, 4, 2.5, 1, Some(5))]
        );
        // Open at the end of the series.
        assert_eq!(found(p2, &v(&[6.0, 5.0, 3.0])), [(1, 3, 3, 3.0, 2, None)]);
        // Missing sessions are skipped, and the window counts session numbers.
        assert_eq!(
            found(p2, &[Some(6.0), Some(3.0), None, None, None, Some(6.0)]),
            [(1, 2, 2, 3.0, 1, None)]
        );
        assert_eq!(
            found(p2, &[Some(6.0), Some(3.0), None, Some(6.0)]),
            [(1, 2, 2, 3.0, 1, Some(4))]
        );
        // A wider window repairs it.
        let wide = p2.with_window(4).unwrap();
        assert_eq!(
            found(wide, &v(&[6.0, 3.0, 3.5, 4.0, 5.0, 6.0])),
            [(1, 2, 2, 3.0, 4, Some(6))]
        );
    }

    #[test]
    fn a_symptom_measure_has_no_ruptures() {
        let phq9 = crate::catalog::require("phq-9").unwrap();
        let mut series = Series::new(&phq9);
        for (n, v) in [3.0, 3.0, 0.0, 0.0].into_iter().enumerate() {
            let adm = crate::Administration::builder(&phq9)
                .session(n as u32 + 1)
                .answers((1..=9).map(|i| (i.to_string(), v)))
                .unwrap()
                .build()
                .unwrap();
            series.push(&adm).unwrap();
        }
        let err = RuptureOptions::points(1.0)
            .unwrap()
            .analyze(&series, "total")
            .unwrap_err();
        assert!(err.to_string().contains("lower is better"), "{err}");
    }

    #[test]
    fn thresholds_in_sds() {
        // Own SD of [5, 5, 3, 5] is 1.
        let v = [Some(5.0), Some(5.0), Some(3.0), Some(5.0)];
        let one = RuptureOptions::one_sd().analyze_values(&v).unwrap();
        assert_eq!((one.threshold, one.ruptures.len()), (1.0, 1));
        let two = RuptureOptions::two_sd().analyze_values(&v).unwrap();
        assert_eq!((two.threshold, two.ruptures.len()), (2.0, 1));
        let larger = RuptureOptions::sd(1.0, SdSource::LargerOf(2.5))
            .unwrap()
            .analyze_values(&v)
            .unwrap();
        assert_eq!((larger.threshold, larger.ruptures.len()), (2.5, 0));
        let sample = RuptureOptions::sd(2.0, SdSource::Sample(0.75))
            .unwrap()
            .analyze_values(&v)
            .unwrap();
        assert_eq!((sample.threshold, sample.own_sd), (1.5, None));
    }

    #[test]
    fn bad_input_is_an_error() {
        let err = RuptureOptions::points(1.0)
            .unwrap()
            .analyze_values(&[Some(1.0), Some(f64::NAN)])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "session 2: score NaN is not a finite number"
        );
        let err = RuptureOptions::one_sd()
            .analyze_values(&[Some(1.0), None])
            .unwrap_err();
        assert_eq!(err.kind().code(), "too_few_rows");
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(RuptureOptions::points(bad).is_err());
            assert!(RuptureOptions::sd(bad, SdSource::Own).is_err());
            assert!(RuptureOptions::sd(1.0, SdSource::Sample(bad)).is_err());
        }
        assert!(RuptureOptions::one_sd().with_window(0).is_err());
        // Nothing scored, with a threshold in points: no ruptures.
        let none = RuptureOptions::points(1.0)
            .unwrap()
            .analyze_values(&[])
            .unwrap();
        assert!(none.ruptures.is_empty());
    }

    #[cfg(feature = "serde")]
    #[test]
    fn rules_round_trip_and_validate() {
        for rule in [
            RuptureOptions::one_sd(),
            RuptureOptions::two_sd().with_window(5).unwrap(),
            RuptureOptions::points(1.5).unwrap(),
            RuptureOptions::sd(1.0, SdSource::Sample(4.0)).unwrap(),
            RuptureOptions::sd(1.0, SdSource::LargerOf(4.0)).unwrap(),
            RuptureOptions::one_sd().with_floor(2.0).unwrap(),
        ] {
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(
                serde_json::from_str::<RuptureOptions>(&json).unwrap(),
                rule,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&RuptureOptions::one_sd()).unwrap(),
            r#"{"size":1.0,"unit":"sd","sd":"own","window":3}"#
        );
        for bad in [
            r#"{"size":1.0,"unit":"sd","window":3}"#,
            r#"{"size":1.0,"unit":"sd","sd":"sample","window":3}"#,
            r#"{"size":1.0,"unit":"points","sd":"own","window":3}"#,
            r#"{"size":-1.0,"unit":"points","window":3}"#,
            r#"{"size":1.0,"unit":"points","window":0}"#,
            r#"{"size":1.0,"unit":"points","window":3,"floor":0.0}"#,
        ] {
            assert!(
                serde_json::from_str::<RuptureOptions>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
