//! Batch scoring: every subscale and total score of every row of a matrix, in one pass.

use super::{Columns, MISSING_U8, MISSING_U32, ResponseMatrix};
use crate::components::Target;
use crate::instruments::{Instrument, Slot, TotalRule};
use crate::scoring::{self, Metric, Scores, Tally, TargetScore};

/// Rows per block: the block's sums stay in the cache while each column is added in.
const BLOCK: usize = 4096;

/// The scores of every row of a [`ResponseMatrix`]: for each subscale (and, for an over-items
/// total, all items) the keyed sum and answered count of every row, from which any score of any
/// row is computed exactly, as [`Instrument::score_values`](crate::Instrument::score_values)
/// computes it.
///
/// ```
/// use therapeutic_alliance::{catalog, Component, Metric};
/// use therapeutic_alliance::matrix::ResponseMatrix;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let arm = catalog::require("arm-5")?;
/// let m = ResponseMatrix::from_rows(&arm, [[Some(7.0), Some(6.0), Some(1.0), Some(7.0), Some(6.0)]])?;
/// let batch = m.score();
/// assert_eq!(batch.primary(0, "total"), Some(6.6)); // item 3 reversed: 8 - 1 = 7
/// assert_eq!(batch.value(0, "global", Metric::Pomp), Some(560.0 / 6.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchScores {
    instrument: Instrument,
    rows: usize,
    /// Per subscale, then all items when the total is taken over items: each row's keyed sum,
    /// offset by the scale minimum (each answer counts `keyed - min`), and its answered count,
    /// packed in the narrowest integer that holds both (a WAI-SR subscale takes one byte a row).
    tallies: Vec<Packed>,
}

/// Row tallies packed as `sum << count_bits | count` in the narrowest width that fits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Packed {
    U8(Vec<u8>, u32),
    U16(Vec<u16>, u32),
    U32(Vec<u32>, u32),
    U64(Vec<u64>, u32),
}

impl Packed {
    /// An empty store for sums up to `max_sum` and counts up to `max_count`.
    fn for_bounds(max_sum: u64, max_count: u64, rows: usize) -> Self {
        let bits = |x: u64| 64 - x.leading_zeros();
        let count_bits = bits(max_count);
        match bits(max_sum) + count_bits {
            0..=8 => Packed::U8(Vec::with_capacity(rows), count_bits),
            9..=16 => Packed::U16(Vec::with_capacity(rows), count_bits),
            17..=32 => Packed::U32(Vec::with_capacity(rows), count_bits),
            _ => Packed::U64(Vec::with_capacity(rows), count_bits),
        }
    }

    /// Appends a block of row sums and counts (each pair fits by construction).
    fn extend<S: Copy + Into<u64>, C: Copy + Into<u64>>(&mut self, sums: &[S], counts: &[C]) {
        macro_rules! push {
            ($v:expr, $bits:expr, $t:ty) => {
                $v.extend(
                    sums.iter()
                        .zip(counts)
                        .map(|(&s, &c)| ((s.into() << $bits) | c.into()) as $t),
                )
            };
        }
        match self {
            Packed::U8(v, b) => push!(v, *b, u8),
            Packed::U16(v, b) => push!(v, *b, u16),
            Packed::U32(v, b) => push!(v, *b, u32),
            Packed::U64(v, b) => push!(v, *b, u64),
        }
    }

    /// The (sum, count) of a row.
    fn get(&self, row: usize) -> Option<(u64, u32)> {
        let (x, bits) = match self {
            Packed::U8(v, b) => (u64::from(*v.get(row)?), *b),
            Packed::U16(v, b) => (u64::from(*v.get(row)?), *b),
            Packed::U32(v, b) => (u64::from(*v.get(row)?), *b),
            Packed::U64(v, b) => (*v.get(row)?, *b),
        };
        let mask = (1u64 << bits) - 1;
        Some((x >> bits, (x & mask) as u32))
    }
}

impl BatchScores {
    pub(super) fn of(m: &ResponseMatrix) -> Self {
        let inst = m.instrument();
        let c = inst.compiled();
        let mut sets: Vec<Vec<usize>> = c
            .subscales
            .iter()
            .map(|s| s.items.iter().map(|&i| i as usize).collect())
            .collect();
        if inst.total_rule() == TotalRule::OverItems {
            sets.push((0..inst.items().len()).collect());
        }
        let rows = m.rows();
        let span = super::span_units(inst).unsigned_abs();
        let tallies = sets
            .iter()
            .map(|set| {
                let n = set.len() as u64;
                let mut out = Packed::for_bounds(span.saturating_mul(n), n, rows);
                match m.columns() {
                    Columns::Narrow(cols) => add_narrow(cols, set, rows, span, &mut out),
                    Columns::Wide(cols) => add_wide(cols, set, rows, &mut out),
                }
                out
            })
            .collect();
        BatchScores {
            instrument: inst.clone(),
            rows,
            tallies,
        }
    }

    /// Number of rows.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("srs")?, vec![[None; 4]; 7])?;
    /// assert_eq!(m.score().rows(), 7);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The instrument.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::new(&catalog::require("srs")?);
    /// assert_eq!(m.score().instrument().id(), "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The result for one row and target; `None` past the last row or for a target the
    /// instrument does not have.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, [[None; 12]])?;
    /// let goals = m.score().get(0, "goals").ok_or("row 0 has goals")?;
    /// assert_eq!(goals.not_scored().map(|n| n.to_string()).as_deref(),
    ///            Some("0 of 4 items answered; the missing-item rule needs 3"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, row: usize, target: impl Into<Target>) -> Option<TargetScore> {
        let slot = self.instrument.slot(&target.into()).ok()?;
        self.at(row, slot)
    }

    /// One metric of one row's score, if scored.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, [[Some(3.0); 12]])?;
    /// assert_eq!(m.score().value(0, "total", Metric::Pomp), Some(50.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, row: usize, target: impl Into<Target>, metric: Metric) -> Option<f64> {
        self.get(row, target)?.score().map(|s| s.get(metric))
    }

    /// One row's score in the instrument's primary metric, if scored.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, [[Some(4.0); 12]])?;
    /// assert_eq!(m.score().primary(0, Component::Bond), Some(16.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn primary(&self, row: usize, target: impl Into<Target>) -> Option<f64> {
        self.value(row, target, self.instrument.primary_metric())
    }

    /// One target's score in one metric for every row, in row order (`None` where not scored;
    /// an unknown target gives no rows).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("srs")?, [[Some(9.0); 4], [None; 4]])?;
    /// let totals: Vec<_> = m.score().column("total", Metric::Sum).collect();
    /// assert_eq!(totals, [Some(36.0), None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn column(
        &self,
        target: impl Into<Target>,
        metric: Metric,
    ) -> impl Iterator<Item = Option<f64>> + '_ {
        let slot = self.instrument.slot(&target.into()).ok();
        let rows = if slot.is_some() { self.rows } else { 0 };
        (0..rows).map(move |r| {
            let s = self.at(r, slot?)?;
            s.score().map(|s| s.get(metric))
        })
    }

    /// Every score of one row, as [`Instrument::score_values`](crate::Instrument::score_values)
    /// gives them; `None` past the last row.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let row = [Some(8.0), Some(9.0), Some(9.0), Some(9.0)];
    /// let m = ResponseMatrix::from_rows(&srs, [row])?;
    /// assert_eq!(m.score().scores(0), Some(srs.score_values(&row)?));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scores(&self, row: usize) -> Option<Scores> {
        let (tallies, all) = self.tallies(row)?;
        Some(scoring::from_tallies(&self.instrument, &tallies, all))
    }

    /// Every subscale's tally in `row`, and the all-items tally (zero unless the total is taken
    /// over items).
    fn tallies(&self, row: usize) -> Option<(Vec<Tally>, Tally)> {
        let inst = &self.instrument;
        let subscales = inst.subscales().len();
        let tallies = (0..subscales)
            .map(|i| self.tally(i, row))
            .collect::<Option<Vec<_>>>()?;
        let all = match inst.total_rule() {
            TotalRule::OverItems => self.tally(subscales, row)?,
            _ => Tally::default(),
        };
        Some((tallies, all))
    }

    /// Every subscale's tally in `row` into `into` (cleared first), and the all-items tally
    /// (zero unless the total is taken over items); `None` past the last row.
    #[cfg(feature = "csv")]
    pub(crate) fn tallies_into(&self, row: usize, into: &mut Vec<Tally>) -> Option<Tally> {
        let inst = &self.instrument;
        let subscales = inst.subscales().len();
        into.clear();
        for i in 0..subscales {
            into.push(self.tally(i, row)?);
        }
        match inst.total_rule() {
            TotalRule::OverItems => self.tally(subscales, row),
            _ => Some(Tally::default()),
        }
    }

    /// The tally of set `set` in `row`, back in units.
    fn tally(&self, set: usize, row: usize) -> Option<Tally> {
        let (off, answered) = self.tallies.get(set)?.get(row)?;
        let answered = answered as usize;
        let lo = i64::from(self.instrument.scale().min_units());
        Some(Tally {
            sum: off as i64 + answered as i64 * lo,
            answered,
        })
    }

    /// The result of a slot in a row.
    fn at(&self, row: usize, slot: Slot) -> Option<TargetScore> {
        let inst = &self.instrument;
        match slot {
            Slot::Subscale(i) => Some(scoring::subscale_result(inst, i, self.tally(i, row)?)),
            Slot::Total => {
                let (tallies, all) = self.tallies(row)?;
                scoring::total_result(inst, &tallies, all)
            }
        }
    }
}

/// The row sums and answered counts of the narrow columns of `set`, block by block; in 16-bit
/// lanes (twice as many per vector instruction) when the sums fit them.
fn add_narrow(cols: &[Vec<u8>], set: &[usize], rows: usize, span: u64, out: &mut Packed) {
    // One byte a row: the packed tallies straight from a vector kernel where the CPU has one.
    if let (Packed::U8(v, bits), false) = (&mut *out, set.is_empty()) {
        let set_cols: Option<Vec<&[u8]>> = set
            .iter()
            .map(|&i| cols.get(i).and_then(|c| c.get(..rows)))
            .collect();
        if let Some(set_cols) = set_cols
            && super::simd::tallies_u8(&set_cols, *bits, span, v)
        {
            return;
        }
    }
    if set.len() * usize::from(MISSING_U8 - 1) <= usize::from(u16::MAX) {
        add_narrow_in::<u16>(cols, set, rows, out);
    } else {
        add_narrow_in::<u32>(cols, set, rows, out);
    }
}

/// [`add_narrow`] with lanes of type `T`.
fn add_narrow_in<T>(cols: &[Vec<u8>], set: &[usize], rows: usize, out: &mut Packed)
where
    T: Copy
        + Default
        + From<u8>
        + std::ops::Add<Output = T>
        + std::ops::Mul<Output = T>
        + Into<u64>,
{
    let mut sums = [T::default(); BLOCK];
    let mut counts = [T::default(); BLOCK];
    let mut start = 0;
    while start < rows {
        let len = BLOCK.min(rows - start);
        let (Some(sums), Some(counts)) = (sums.get_mut(..len), counts.get_mut(..len)) else {
            break;
        };
        sums.fill(T::default());
        counts.fill(T::default());
        for &i in set {
            let Some(col) = cols.get(i).and_then(|c| c.get(start..start + len)) else {
                continue;
            };
            for ((s, c), &v) in sums.iter_mut().zip(counts.iter_mut()).zip(col) {
                let present = T::from(u8::from(v != MISSING_U8));
                *s = *s + T::from(v) * present;
                *c = *c + present;
            }
        }
        out.extend(sums, counts);
        start += len;
    }
}

/// As [`add_narrow`], for wide columns.
fn add_wide(cols: &[Vec<u32>], set: &[usize], rows: usize, out: &mut Packed) {
    let mut sum = vec![0u64; rows];
    let mut count = vec![0u32; rows];
    for &i in set {
        let Some(col) = cols.get(i) else { continue };
        for ((s, c), &v) in sum.iter_mut().zip(count.iter_mut()).zip(col) {
            let present = v != MISSING_U32;
            *s += if present { u64::from(v) } else { 0 };
            *c += u32::from(present);
        }
    }
    out.extend(&sum, &count);
}
