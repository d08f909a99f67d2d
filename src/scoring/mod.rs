//! Scoring: subscale and total scores as sum, mean and percent of maximum, under the
//! instrument's missing-item and total rules; interpretation flags; the report a clinic's
//! service returns; a flat row for tables.
//!
//! Answers are exact integers (units of the scale's step), so every score is an exact rational:
//! a subscale's keyed sum, prorated as `sum x items / answered`, and a sum-of-subscales total
//! as the exact sum of those fractions (denominators are at most the least common multiple of
//! the answered counts, checked to fit `i128` when the instrument is built). Each sum, mean and
//! percent of maximum is the correctly rounded double of its exact value, with one rounding.

mod administration;
mod flag;
mod instrument;
mod report;
mod row;
mod score;

pub(crate) use crate::components::Metric;
pub use flag::Flag;
#[cfg(feature = "fhir")]
pub(crate) use report::no_thresholds;
pub use report::{InstrumentSummary, Report, ReportEntry};
pub use row::ScoreRow;
pub use score::{Mean, Pomp, Score, ScoreRange, Sum};

use crate::components::{Component, Target};
use crate::error::Result;
use crate::exact::gcd;
use crate::instruments::{Instrument, Slot, Subscale, TotalRule};
use std::fmt;

/// Every score of one administration: each subscale and the total, tied to the instrument that
/// scored them.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component, Metric};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// let scores = Administration::from_values(&wai, &[Some(3.0); 12])?.score();
/// assert_eq!(scores.value(Component::Bond, Metric::Sum), Some(12.0));
/// assert_eq!(scores.value("total", Metric::Pomp), Some(50.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    instrument: Instrument,
    subscales: Box<[TargetScore]>,
    total: Option<TargetScore>,
}

/// The result for one subscale or the total: a score, or the reason there is none.
///
/// ```
/// use therapeutic_alliance::TargetScore;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
/// let scores = wai.score_values(&[Some(5.0); 12])?;
/// assert!(matches!(scores.get("total"), Some(TargetScore::Scored(s)) if s.sum().get() == 60.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum TargetScore {
    /// Scored.
    Scored(Score),
    /// Not scored, and why.
    NotScored(NotScored),
}

impl TargetScore {
    /// Items answered, whether scored or not.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// (row[3], row[5]) = (None, None); // two of the four goals items
    /// let scores = wai.score_values(&row)?;
    /// assert_eq!(scores.get("goals").map(|g| g.answered()), Some(2));
    /// assert_eq!(scores.total().map(|t| t.answered()), Some(10));
    /// # Ok(())
    /// # }
    /// ```
    pub fn answered(&self) -> usize {
        match self {
            TargetScore::Scored(s) => s.answered(),
            TargetScore::NotScored(
                NotScored::TooFewAnswered { answered, .. }
                | NotScored::SubscaleNotScored { answered, .. },
            ) => *answered,
        }
    }

    /// The score, if there is one.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[None; 12])?;
    /// assert!(scores.get("goals").ok_or("wai-sr has goals")?.score().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> Option<&Score> {
        match self {
            TargetScore::Scored(s) => Some(s),
            TargetScore::NotScored(_) => None,
        }
    }

    /// Why there is no score, if there is none.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[None; 12])?;
    /// let why = scores.get("goals").and_then(|g| g.not_scored()).ok_or("not scored")?;
    /// assert_eq!(why.to_string(), "0 of 4 items answered; the missing-item rule needs 3");
    /// # Ok(())
    /// # }
    /// ```
    pub fn not_scored(&self) -> Option<&NotScored> {
        match self {
            TargetScore::Scored(_) => None,
            TargetScore::NotScored(n) => Some(n),
        }
    }
}

/// Why a subscale or the total has no score.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, NotScored};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// let adm = Administration::builder(&wai).answers([("4", 3), ("6", 4)])?.build()?;
/// let scores = adm.score();
/// let why = scores.get("goals").and_then(|g| g.not_scored());
/// assert_eq!(why, Some(&NotScored::TooFewAnswered { answered: 2, required: 3, items: 4 }));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "reason", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum NotScored {
    /// Fewer items answered than the missing-item rule requires.
    TooFewAnswered {
        /// Items answered.
        answered: usize,
        /// Items the rule requires.
        required: usize,
        /// Items in the subscale (or instrument).
        items: usize,
    },
    /// A sum-of-subscales total is not scored because this subscale (the first in order) is not.
    SubscaleNotScored {
        /// The unscored subscale's id.
        subscale: String,
        /// Items answered in the whole instrument.
        answered: usize,
    },
}

impl fmt::Display for NotScored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotScored::TooFewAnswered {
                answered,
                required,
                items,
            } => write!(
                f,
                "{answered} of {items} items answered; the missing-item rule needs {required}"
            ),
            NotScored::SubscaleNotScored { subscale, .. } => {
                write!(f, "subscale {subscale} is not scored")
            }
        }
    }
}

impl Scores {
    /// The instrument that scored them.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.score_values(&[None; 4])?.instrument().id(), "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The result for a target: `"total"`, a component, or a subscale id; `None` for a target
    /// the instrument does not have.
    ///
    /// ```
    /// use therapeutic_alliance::Component;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert!(scores.get(Component::Bond).is_some());
    /// assert!(scores.get("global").is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, target: impl Into<Target>) -> Option<&TargetScore> {
        self.at(self.instrument.slot(&target.into()).ok()?)
    }

    /// The score of a target, if it has one.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.score("goals").map(|s| s.answered()), Some(4));
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self, target: impl Into<Target>) -> Option<&Score> {
        self.get(target).and_then(TargetScore::score)
    }

    /// One metric of a target's score, if it has one.
    ///
    /// ```
    /// use therapeutic_alliance::Metric;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.value("total", Metric::Mean), Some(4.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, target: impl Into<Target>, metric: Metric) -> Option<f64> {
        self.score(target).map(|s| s.get(metric))
    }

    /// The target's score in the instrument's primary metric (sum or mean).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = therapeutic_alliance::catalog::require("arm-5")?;
    /// // Item 3 is reversed: 8 - 2 = 6.
    /// let scores = arm.score_values(&[Some(6.0), Some(6.0), Some(2.0), Some(6.0), Some(6.0)])?;
    /// assert_eq!(scores.primary("total"), Some(6.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn primary(&self, target: impl Into<Target>) -> Option<f64> {
        self.value(target, self.instrument.primary_metric())
    }

    /// The label of the band (e.g. PHQ-9 severity) the target's score falls in: from the
    /// first set of [`Bands`](crate::Bands) of the instrument reading that target; `None`
    /// if there are none, the target is not scored, or its score is below the first band.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// let scores = phq9.score_values(&[Some(2.0), Some(1.0), Some(1.0), Some(2.0), Some(1.0),
    ///                                  Some(1.0), Some(1.0), Some(1.0), Some(0.0)])?;
    /// assert_eq!(scores.primary("total"), Some(10.0));
    /// assert_eq!(scores.band("total"), Some("moderate"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn band(&self, target: impl Into<Target>) -> Option<&str> {
        let inst = &self.instrument;
        let slot = inst.slot(&target.into()).ok()?;
        let bands = inst
            .bands()
            .iter()
            .find(|b| inst.slot(b.target()).ok() == Some(slot))?;
        let value = self.value(bands.target().clone(), bands.metric())?;
        bands.classify(value)
    }

    /// The total's result; `None` if the instrument has no total.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.total().and_then(|t| t.score()).map(|s| s.sum().get()), Some(48.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn total(&self) -> Option<&TargetScore> {
        self.total.as_ref()
    }

    /// The subscales with their results, in the instrument's order.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// let ids: Vec<_> = scores.subscales().map(|(s, _)| s.id()).collect();
    /// assert_eq!(ids, ["goals", "collaboration", "bond"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscales(&self) -> impl ExactSizeIterator<Item = (&Subscale, &TargetScore)> + '_ {
        self.instrument
            .subscales()
            .iter()
            .zip(self.subscales.iter())
    }

    /// The flags these scores raise under their instrument's thresholds.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let flags = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.flags();
    /// assert_eq!(flags[0].to_string(), "total sum 35 is at or below 36: discuss the relationship");
    /// # Ok(())
    /// # }
    /// ```
    pub fn flags(&self) -> Vec<Flag> {
        let c = self.instrument.compiled();
        self.instrument
            .thresholds()
            .iter()
            .zip(&c.threshold_slots)
            .filter_map(|(t, &slot)| {
                let v = self.at(slot)?.score()?.get(t.metric());
                t.comparison().holds(v, t.value()).then(|| Flag::new(t, v))
            })
            .collect()
    }

    /// The report of these scores (no administration context; see
    /// [`Administration::report`](crate::Administration::report) for one with it).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let report = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?.report();
    /// assert_eq!(report.total.as_ref().and_then(|t| t.primary), Some(35.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn report(&self) -> Report {
        Report::new(self, None)
    }

    /// These scores as one flat row for tabular export: for each subscale and then the total,
    /// its sum, mean and percent of maximum (empty where not scored) and the items answered. The
    /// column names are [`Instrument::score_columns`].
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = therapeutic_alliance::catalog::require("arm-5")?;
    /// let scores = arm.score_values(&[Some(7.0); 5])?;
    /// let row: Vec<Option<f64>> = scores.row().values().collect();
    /// // Item 3 is reversed: 7 + 7 + 1 + 7 + 7 = 29.
    /// assert_eq!(row[..3], [Some(29.0), Some(5.8), Some(80.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn row(&self) -> ScoreRow<'_> {
        ScoreRow::new(self)
    }

    /// The result in a slot.
    pub(crate) fn at(&self, slot: Slot) -> Option<&TargetScore> {
        match slot {
            Slot::Subscale(i) => self.subscales.get(i),
            Slot::Total => self.total.as_ref(),
        }
    }

    /// The component a subscale or the total measures.
    pub(crate) fn component_of(&self, slot: Slot) -> Option<Component> {
        self.instrument.slot_component(slot)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Scores {
    /// A map from subscale id (then `total`) to its result.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.subscales.len() + 1))?;
        for (sub, score) in self.subscales() {
            map.serialize_entry(sub.id(), score)?;
        }
        if let Some(total) = &self.total {
            map.serialize_entry("total", total)?;
        }
        map.end()
    }
}

/// Largest instrument scored with a stack buffer instead of a heap one.
const STACK_ITEMS: usize = 64;

/// Validates a row of values (item order) and scores it.
pub(crate) fn score_values(inst: &Instrument, values: &[Option<f64>]) -> Result<Scores> {
    let k = inst.items().len();
    if values.len() != k {
        return Err(inst.wrong_length(values.len()));
    }
    let scale = inst.scale();
    let convert = |(item, v): (&crate::Item, &Option<f64>)| -> Result<Option<i32>> {
        v.map(|v| scale.units_for(item.id(), v)).transpose()
    };
    if k <= STACK_ITEMS {
        let mut buf = [None; STACK_ITEMS];
        for (slot, pair) in buf.iter_mut().zip(inst.items().iter().zip(values)) {
            *slot = convert(pair)?;
        }
        Ok(score_units(inst, buf.get(..k).unwrap_or_default()))
    } else {
        let units = inst
            .items()
            .iter()
            .zip(values)
            .map(convert)
            .collect::<Result<Vec<_>>>()?;
        Ok(score_units(inst, &units))
    }
}

/// The keyed sum (in units) and answered count of one subscale, or of all items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) sum: i64,
    pub(crate) answered: usize,
}

/// Scores validated answers (units, item order, one per item).
pub(crate) fn score_units(inst: &Instrument, units: &[Option<i32>]) -> Scores {
    let c = inst.compiled();
    let scale = inst.scale();
    let (lo, hi) = (scale.min_units(), scale.max_units());
    let items = inst.items();
    let keyed = |i: usize| -> Option<i64> {
        let u = (*units.get(i)?)?;
        let item = items.get(i)?;
        Some(i64::from(if item.is_reversed() { lo + hi - u } else { u }))
    };
    let tally = |indices: &mut dyn Iterator<Item = usize>| {
        let mut t = Tally::default();
        for v in indices.filter_map(keyed) {
            t.sum += v;
            t.answered += 1;
        }
        t
    };
    let tallies: Vec<Tally> = c
        .subscales
        .iter()
        .map(|s| tally(&mut s.items.iter().map(|&i| i as usize)))
        .collect();
    let all = match inst.total_rule() {
        TotalRule::OverItems => tally(&mut (0..items.len())),
        _ => Tally::default(),
    };
    from_tallies(inst, &tallies, all)
}

/// Every score from the subscales' tallies and the all-items tally.
pub(crate) fn from_tallies(inst: &Instrument, tallies: &[Tally], all: Tally) -> Scores {
    let subscales: Box<[TargetScore]> = tallies
        .iter()
        .enumerate()
        .map(|(si, &t)| subscale_result(inst, si, t))
        .collect();
    let total = total_result(inst, tallies, all);
    Scores {
        instrument: inst.clone(),
        subscales,
        total,
    }
}

/// The result of subscale `si` from its tally.
pub(crate) fn subscale_result(inst: &Instrument, si: usize, t: Tally) -> TargetScore {
    let c = inst.compiled();
    let (n, required) = c
        .subscales
        .get(si)
        .map_or((0, 0), |s| (s.items.len(), s.required));
    result(inst, t, n, required)
}

/// A scored or unscored result over `n` items needing `required` answered.
fn result(inst: &Instrument, t: Tally, n: usize, required: usize) -> TargetScore {
    if t.answered >= required && t.answered > 0 {
        let (num, den) = prorated(t.sum, t.answered, n);
        TargetScore::Scored(Score::new(num, den, t.answered, n, inst.scale()))
    } else {
        TargetScore::NotScored(NotScored::TooFewAnswered {
            answered: t.answered,
            required,
            items: n,
        })
    }
}

/// The total from the subscales' tallies (sum of subscales) or the all-items tally (over
/// items); `None` for an instrument without a total.
pub(crate) fn total_result(
    inst: &Instrument,
    subscales: &[Tally],
    all: Tally,
) -> Option<TargetScore> {
    let c = inst.compiled();
    let k = inst.items().len();
    match inst.total_rule() {
        TotalRule::OverItems => Some(result(inst, all, k, c.total_required)),
        TotalRule::SumOfSubscales => {
            // The exact sum of the prorated subscale sums, as a fraction num / den of units.
            let (mut num, mut den, mut answered) = (0i128, 1i128, 0usize);
            for (si, (t, s)) in subscales.iter().zip(c.subscales.iter()).enumerate() {
                let n = s.items.len();
                if t.answered < s.required || t.answered == 0 {
                    return Some(TargetScore::NotScored(NotScored::SubscaleNotScored {
                        subscale: inst
                            .subscales()
                            .get(si)
                            .map_or_else(String::new, |s| s.id().to_owned()),
                        // The subscales split the items, so their answered counts add up.
                        answered: subscales.iter().map(|t| t.answered).sum(),
                    }));
                }
                let (snum, sden) = prorated(t.sum, t.answered, n);
                (num, den) = add_fractions(num, den, snum, sden);
                answered += t.answered;
            }
            Some(TargetScore::Scored(Score::new(
                num,
                den,
                answered,
                k,
                inst.scale(),
            )))
        }
        _ => None,
    }
}

/// The exact prorated sum `sum x items / answered` as a fraction (reduced when not prorated).
fn prorated(sum: i64, answered: usize, items: usize) -> (i128, i128) {
    if answered == items {
        (i128::from(sum), 1)
    } else {
        (i128::from(sum) * items as i128, answered as i128)
    }
}

/// `a/b + c/d` over the least common multiple of the denominators. The instrument builder's
/// exactness check guarantees the results fit; on the impossible overflow the sum saturates
/// rather than panics.
fn add_fractions(a: i128, b: i128, c: i128, d: i128) -> (i128, i128) {
    if d == 1 {
        return (a.saturating_add(c.saturating_mul(b)), b);
    }
    let g = gcd(b.unsigned_abs(), d.unsigned_abs());
    let g = i128::try_from(g).unwrap_or(1).max(1);
    let (bg, dg) = (b / g, d / g);
    let den = bg.saturating_mul(d);
    let num = a.saturating_mul(dg).saturating_add(c.saturating_mul(bg));
    (num, den)
}

#[cfg(test)]
mod tests;
