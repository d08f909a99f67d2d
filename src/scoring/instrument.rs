//! Scoring methods of [`Instrument`]: the scoring floor adds them to the definition, which knows
//! nothing of scores.

use super::{Flag, ScoreRange, Scores, score_values};
use crate::components::{Metric, Target};
use crate::error::Result;
use crate::instruments::{Instrument, Slot, Subscale, TotalRule};

impl Instrument {
    /// The id, version, name and digest, as a [`Report`](crate::Report) names the instrument.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.summary().version, "3.0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn summary(&self) -> super::InstrumentSummary {
        super::InstrumentSummary {
            id: self.id().to_owned(),
            version: self.version().to_owned(),
            name: self.name().to_owned(),
            digest: self.digest().to_owned(),
        }
    }

    /// Lowest and highest possible score of a target in a metric; `None` for a target the
    /// instrument does not have (or the total of an instrument without one).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component, Metric};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let total = wai.range("total", Metric::Sum).ok_or("has a total")?;
    /// assert_eq!((total.min(), total.max()), (12.0, 60.0));
    /// assert_eq!(wai.range(Component::Bond, Metric::Sum).map(|r| r.max()), Some(20.0));
    /// assert!(wai.range("global", Metric::Sum).is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn range(&self, target: impl Into<Target>, metric: Metric) -> Option<ScoreRange> {
        let slot = self.slot(&target.into()).ok()?;
        Some(self.slot_range(slot, metric))
    }

    /// The column names of [`Scores::row`]: for each subscale, then for `total` if there is one,
    /// `<id>_sum` (the prorated sum: the mean of the answered items times the item count),
    /// `<id>_mean`, `<id>_pomp` (percent of maximum) and `<id>_answered` (items answered).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let arm = therapeutic_alliance::catalog::require("arm-5")?;
    /// assert_eq!(arm.score_columns()[..4], ["global_sum", "global_mean", "global_pomp", "global_answered"]);
    /// assert_eq!(arm.score_columns().len(), 8);
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_columns(&self) -> Vec<String> {
        let names = self
            .subscales()
            .iter()
            .map(Subscale::id)
            .chain((self.total_rule() != TotalRule::None).then_some("total"));
        names
            .flat_map(|n| {
                Metric::ALL
                    .iter()
                    .map(move |m| format!("{n}_{m}"))
                    .chain([format!("{n}_answered")])
            })
            .collect()
    }

    /// Scores one row of answers given in item order (`None` = unanswered), validating each value.
    ///
    /// # Errors
    /// - [`ErrorKind::WrongLength`](crate::ErrorKind::WrongLength) if `values.len()` is not the item count;
    /// - [`ErrorKind::NotFinite`](crate::ErrorKind::NotFinite), [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange), [`ErrorKind::OffStep`](crate::ErrorKind::OffStep) naming the
    ///   first bad item.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// assert_eq!(wai.score_values(&row)?.primary("total"), Some(48.0));
    /// row[8] = Some(9.0);
    /// assert_eq!(
    ///     wai.score_values(&row).unwrap_err().to_string(),
    ///     "item 9: value 9 is outside the response range 1 to 5"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn score_values(&self, values: &[Option<f64>]) -> Result<Scores> {
        score_values(self, values)
    }

    /// Scores many rows lazily; an error carries its (1-based) row.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let rows = vec![vec![Some(4.0); 12], vec![Some(2.0); 12]];
    /// let totals = wai
    ///     .score_rows(&rows)
    ///     .map(|s| s.map(|s| s.primary("total")))
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
            .zip(1u64..)
            .map(move |(row, n)| self.score_values(row.as_ref()).map_err(|e| e.at_row(n)))
    }

    /// The flags these scores raise under this instrument's thresholds.
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`](crate::ErrorKind::InstrumentMismatch) for scores of another instrument: they are refused, not
    /// compared against the wrong thresholds.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::catalog;
    /// let srs = catalog::require("srs")?;
    /// let low = srs.score_values(&[Some(8.0), Some(9.0), Some(9.0), Some(9.0)])?;
    /// assert_eq!(srs.flags(&low)?[0].score(), 35.0);
    /// let cbt = catalog::require("cbt-client")?;
    /// assert!(cbt.flags(&low).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn flags(&self, scores: &Scores) -> Result<Vec<Flag>> {
        self.check_same(scores.instrument())?;
        Ok(scores.flags())
    }

    /// The range of a slot's score in a metric.
    pub(crate) fn slot_range(&self, slot: Slot, metric: Metric) -> ScoreRange {
        let items = match slot {
            Slot::Subscale(i) => self
                .compiled()
                .subscales
                .get(i)
                .map_or(0, |s| s.items.len()),
            Slot::Total => self.items().len(),
        };
        ScoreRange::of(self.scale(), items, metric)
    }
}
