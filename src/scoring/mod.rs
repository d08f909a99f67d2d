//! Scoring: component and total scores as sum, mean and percent of maximum, under the instrument's
//! missing-item rule, plus interpretation flags.
//!
//! Answers are accumulated as exact integers (units of the scale's step), and every part score,
//! prorated or not, and every complete total is computed from exact integers with a single
//! rounding: a WAI-SR total of 48 is exactly 48.0, a POMP of 50 exactly 50.0, an SRS total of
//! 36.0 exactly the double nearest 36, so thresholds never misfire on accumulated rounding error.
//! Only a total with prorated parts adds rounded part sums (error below 1e-15 relative).

mod score;

pub use score::{Mean, NotScored, PartScore, Pomp, Score, Sum};

use crate::components::{Part, Target};
use crate::error::{Error, Result};
use crate::instruments::{Flag, Instrument, Item, Metric, ScoringRule};
use crate::scale::ResponseScale;

/// Per-part accumulation of answered items, as exact integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    answered: usize,
    /// Sum of keyed answers in scale units.
    units: i64,
}

/// Tallies for every part, indexed by `Part::index`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tallies([Tally; 4]);

impl Tallies {
    /// Adds an item's answer (in units of `scale`), reverse keyed where the item is.
    pub(crate) fn add(&mut self, item: &Item, scale: &ResponseScale, units: i32) {
        let keyed = if item.is_reversed() {
            scale.reverse_units(units)
        } else {
            units
        };
        // `Part::index` is below 4 by construction.
        let t = &mut self.0[item.part().index()];
        t.answered += 1;
        t.units += i64::from(keyed);
    }
}

/// Every score of one administration: each part the instrument has, and the total.
///
/// `Scores` holds no heap memory, so scoring many rows allocates nothing per row.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component, Metric, Target};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// let adm = Administration::from_values(wai, &[Some(3.0); 12])?;
/// let scores = adm.score();
/// assert_eq!(scores.value(Component::Bond.into(), Metric::Sum), Some(12.0));
/// assert_eq!(scores.value(Target::Total, Metric::PercentOfMaximum), Some(50.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    parts: [Option<PartScore>; 4],
    total: PartScore,
    rule: ScoringRule,
}

impl Scores {
    /// The result for a target; `None` for a part the instrument does not have.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert!(scores.get(Target::Total).is_some());
    /// assert!(scores.get(therapeutic_alliance::Part::Global.into()).is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, target: Target) -> Option<&PartScore> {
        match target {
            Target::Part(p) => self.parts.get(p.index()).and_then(Option::as_ref),
            Target::Total => Some(&self.total),
        }
    }

    /// The score of a target, if it has one.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.score(Component::Goals.into()).map(|s| s.answered()), Some(4));
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self, target: Target) -> Option<&Score> {
        self.get(target).and_then(PartScore::score)
    }

    /// The total's result.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.total().score().map(|s| s.sum().get()), Some(48.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn total(&self) -> &PartScore {
        &self.total
    }

    /// One metric of a target's score, if it has one.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.value(Target::Total, Metric::Mean), Some(4.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, target: Target, metric: Metric) -> Option<f64> {
        self.score(target).map(|s| match metric {
            Metric::Sum => s.sum().0,
            Metric::Mean => s.mean().0,
            Metric::PercentOfMaximum => s.pomp().0,
        })
    }

    /// The target's score under the instrument's scoring rule (sum or mean).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = catalog::get("arm-5").ok_or("missing")?;
    /// // Item 3 is reversed: 8 - 2 = 6.
    /// let adm = Administration::from_values(arm, &[Some(6.0), Some(6.0), Some(2.0), Some(6.0), Some(6.0)])?;
    /// assert_eq!(adm.score().primary(Target::Total), Some(6.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn primary(&self, target: Target) -> Option<f64> {
        self.value(target, self.rule_metric())
    }

    /// The metric the instrument's scoring rule reports.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.rule_metric(), Metric::Sum);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rule_metric(&self) -> Metric {
        Metric::from(self.rule)
    }

    /// The parts the instrument has, with their results, in canonical order.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[Some(4.0); 12])?;
    /// let names: Vec<_> = scores.parts().map(|(p, _)| p.name()).collect();
    /// assert_eq!(names, ["goals", "collaboration", "bond"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn parts(&self) -> impl Iterator<Item = (Part, &PartScore)> + '_ {
        Part::ALL
            .into_iter()
            .zip(self.parts.iter())
            .filter_map(|(p, s)| s.as_ref().map(|s| (p, s)))
    }
}

impl Instrument {
    /// Scores one row of answers given in item order (`None` = unanswered), validating each value.
    ///
    /// This is the allocation-free path for batch scoring: see [`Instrument::score_rows`].
    ///
    /// # Errors
    /// - [`Error::WrongLength`] if `values.len()` is not the item count;
    /// - [`Error::NotFinite`], [`Error::OutOfRange`], [`Error::OffStep`] naming the first bad item.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Error, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let mut row = [Some(4.0); 12];
    /// assert_eq!(wai.score_values(&row)?.primary(Target::Total), Some(48.0));
    /// row[8] = Some(9.0);
    /// assert_eq!(
    ///     wai.score_values(&row).unwrap_err().to_string(),
    ///     "item 9: value 9 is outside the response range 1 to 5"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_values(&self, values: &[Option<f64>]) -> Result<Scores> {
        self.check_row_length(values.len())?;
        let mut tallies = Tallies::default();
        for (item, value) in self.items().iter().zip(values) {
            if let Some(v) = *value {
                let units = self.scale().units_for(item.id(), v)?;
                tallies.add(item, self.scale(), units);
            }
        }
        Ok(self.score_tallies(&tallies))
    }

    /// Scores many rows lazily; an error names its (1-based) row. Nothing is allocated per row.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let rows = vec![vec![Some(4.0); 12], vec![Some(2.0); 12]];
    /// let totals = wai
    ///     .score_rows(&rows)
    ///     .map(|s| s.map(|s| s.primary(Target::Total)))
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(totals, [Some(48.0), Some(24.0)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_rows<'a, R>(
        &'a self,
        rows: impl IntoIterator<Item = R> + 'a,
    ) -> impl Iterator<Item = Result<Scores>> + 'a
    where
        R: AsRef<[Option<f64>]> + 'a,
    {
        rows.into_iter()
            .enumerate()
            .map(move |(i, row)| self.score_values(row.as_ref()).map_err(|e| e.at_row(i + 1)))
    }

    /// The flags raised by these scores under the instrument's thresholds.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::get("srs").ok_or("missing")?;
    /// let low = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?;
    /// let flag = srs.flags(&low).next().ok_or("flagged")?;
    /// assert_eq!(flag.score(), 35.0);
    /// let high = srs.score_values(&[Some(9.5), Some(9.0), Some(9.0), Some(9.0)])?;
    /// assert_eq!(srs.flags(&high).count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn flags<'a>(&'a self, scores: &Scores) -> impl Iterator<Item = Flag<'a>> + use<'a> {
        let scores = *scores;
        self.thresholds().iter().filter_map(move |t| {
            let v = scores.value(t.target(), t.metric())?;
            t.comparison().holds(v, t.value()).then(|| Flag::new(t, v))
        })
    }

    /// Checks that a row of answers in item order has one entry per item.
    pub(crate) fn check_row_length(&self, found: usize) -> Result<()> {
        if found == self.items().len() {
            Ok(())
        } else {
            Err(Error::WrongLength {
                instrument: self.id().to_owned(),
                expected: self.items().len(),
                found,
            })
        }
    }

    /// Turns per-part tallies into scores under the missing-item rule.
    pub(crate) fn score_tallies(&self, tallies: &Tallies) -> Scores {
        let scale = self.scale();
        let mut parts = [None; 4];
        let mut total_units = 0i64;
        let mut total_prorated_units = 0f64;
        let mut total_answered = 0usize;
        let mut missing_part = None;
        for (part, (slot, tally)) in Part::ALL.into_iter().zip(parts.iter_mut().zip(&tallies.0)) {
            let items = self.part_items(part);
            if items == 0 {
                continue;
            }
            let required = self.missing().required(items);
            let result = if tally.answered >= required && tally.answered > 0 {
                total_units += tally.units;
                total_prorated_units += tally.units as f64 * items as f64 / tally.answered as f64;
                total_answered += tally.answered;
                PartScore::Scored(Score::new(
                    tally.units as f64,
                    tally.answered,
                    tally.answered,
                    items,
                    scale,
                ))
            } else {
                missing_part.get_or_insert(part);
                PartScore::NotScored(NotScored::TooFewAnswered {
                    answered: tally.answered,
                    required,
                    items,
                })
            };
            *slot = Some(result);
        }
        let k = self.items().len();
        let total = match missing_part {
            Some(part) => PartScore::NotScored(NotScored::PartNotScored { part }),
            None if total_answered == k => {
                PartScore::Scored(Score::new(total_units as f64, k, k, k, scale))
            }
            // Some part was prorated: the total is the sum of the prorated part sums.
            None => PartScore::Scored(Score::new(
                total_prorated_units,
                k,
                total_answered,
                k,
                scale,
            )),
        };
        Scores {
            parts,
            total,
            rule: self.scoring(),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Scores {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (part, score) in self.parts() {
            map.serialize_entry(part.name(), score)?;
        }
        map.serialize_entry("total", &self.total)?;
        map.end()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Flag<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let t = self.threshold();
        let mut st = s.serialize_struct("Flag", 7)?;
        st.serialize_field("target", &t.target())?;
        st.serialize_field("metric", &t.metric())?;
        st.serialize_field("comparison", &t.comparison())?;
        st.serialize_field("threshold", &t.value())?;
        st.serialize_field("score", &self.score())?;
        st.serialize_field("message", t.message())?;
        st.serialize_field("source", t.source())?;
        st.end()
    }
}

#[cfg(test)]
mod tests;
