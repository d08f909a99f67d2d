//! Many administrations of one instrument as an N x k matrix of exact answer units, and what is
//! computed from it in one pass: batch scores ([`BatchScores`]) and the sums, cross-products and
//! counts the reliability statistics read ([`Moments`]).
//!
//! Values are validated once, when the matrix is built; every later pass is plain integer
//! arithmetic. Cells are stored keyed (a reversed item holds `min + max - answer`) and offset by
//! the scale's minimum, one byte per cell when the scale has at most 255 steps (every Likert
//! scale, the SRS's 0-10 line by 0.1) and four bytes otherwise, column by column, so the passes
//! over them are simple loops the compiler vectorizes.
//!
//! On x86-64 CPUs with AVX2 the byte-column passes (sums, products, counts, each row's subscale
//! tallies) are chosen at run time, through the `pulp` crate (the crate itself forbids `unsafe`),
//! with the same exact results as the portable code, which other CPUs run. Setting the
//! environment variable `THERAPEUTIC_ALLIANCE_SIMD=scalar` (read once per process) forces the
//! portable code, to compare the two or to rule the dispatch out.
//!
//! [`Moments`] follow vks/average: they [`Merge`], and build with `FromIterator` and `Extend`,
//! so chunks read on different threads or days combine into exactly the one-pass result.
//!
//! ```
//! use therapeutic_alliance::catalog;
//! use therapeutic_alliance::matrix::{Merge, ResponseMatrix};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let arm = catalog::require("arm-5")?; // five items, 1..7
//! let rows = [[Some(6.0), Some(5.0), Some(6.0), Some(7.0), Some(6.0)],
//!             [Some(4.0), None,      Some(3.0), Some(4.0), Some(5.0)],
//!             [Some(7.0), Some(7.0), Some(6.0), Some(6.0), Some(7.0)]];
//! let matrix = ResponseMatrix::from_rows(&arm, &rows)?;
//!
//! // Every subscale and total of every row, exactly as scoring one row gives it.
//! let scores = matrix.score();
//! assert_eq!(scores.primary(0, "global"), arm.score_values(&rows[0])?.primary("global"));
//!
//! // Moments of two chunks merge into the moments of the whole.
//! let mut first = matrix.moments_of(0..2)?;
//! first.merge(&matrix.moments_of(2..3)?)?;
//! assert_eq!(first, matrix.moments());
//! # Ok(())
//! # }
//! ```

mod batch;
pub(crate) mod moments;
mod simd;

use crate::error::{ErrorKind, Result};
use crate::instruments::Instrument;
use crate::responses::Administration;
pub use batch::BatchScores;
pub use moments::{Merge, Moments};

/// The missing-cell marker of each storage width.
pub(crate) const MISSING_U8: u8 = u8::MAX;
pub(crate) const MISSING_U32: u32 = u32::MAX;

/// Columns of keyed, offset cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Columns {
    /// At most 254 steps: one byte per cell, `u8::MAX` missing.
    Narrow(Vec<Vec<u8>>),
    /// Wider scales: four bytes per cell, `u32::MAX` missing.
    Wide(Vec<Vec<u32>>),
}

/// N administrations of one instrument: a matrix of validated answers (rows are administrations,
/// columns the instrument's items in order), held as exact integers.
///
/// Build it from rows of values, from administrations, or row by row as a reader yields them;
/// then score every row at once ([`ResponseMatrix::score`]) or accumulate the statistics of its
/// items ([`ResponseMatrix::moments`]).
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::matrix::ResponseMatrix;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let wai = catalog::require("wai-sr")?;
/// let m = ResponseMatrix::from_rows(&wai, [[Some(4.0); 12], [Some(2.0); 12]])?;
/// assert_eq!((m.rows(), m.items()), (2, 12));
/// assert_eq!(m.score().primary(1, "total"), Some(24.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseMatrix {
    instrument: Instrument,
    rows: usize,
    columns: Columns,
}

impl ResponseMatrix {
    /// An empty matrix for `instrument`, to be filled row by row.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut m = ResponseMatrix::new(&catalog::require("srs")?);
    /// m.push_values(&[Some(8.5), Some(9.0), None, Some(7.2)])?;
    /// assert_eq!(m.rows(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(instrument: &Instrument) -> Self {
        let k = instrument.items().len();
        let span = span_units(instrument);
        let columns = if span < i64::from(MISSING_U8) {
            Columns::Narrow(vec![Vec::new(); k])
        } else {
            Columns::Wide(vec![Vec::new(); k])
        };
        ResponseMatrix {
            instrument: instrument.clone(),
            rows: 0,
            columns,
        }
    }

    /// A matrix from rows of values in item order (`None` = unanswered).
    ///
    /// # Errors
    /// As [`ResponseMatrix::push_values`], located at the (1-based) row.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let arm = catalog::require("arm-5")?;
    /// let err = ResponseMatrix::from_rows(&arm, [[Some(7.0); 5], [Some(8.0); 5]]).unwrap_err();
    /// assert_eq!(err.to_string(), "row 2: item 1: value 8 is outside the response range 1 to 7");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_rows<R: AsRef<[Option<f64>]>>(
        instrument: &Instrument,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<Self> {
        let mut m = ResponseMatrix::new(instrument);
        for (row, n) in rows.into_iter().zip(1u64..) {
            m.push_values(row.as_ref()).map_err(|e| e.at_row(n))?;
        }
        Ok(m)
    }

    /// A matrix of administrations (all of `instrument`).
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] for an administration of another instrument, located
    /// at its (1-based) row.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let a = Administration::from_values(&srs, &[Some(9.0), Some(8.0), Some(9.5), Some(9.0)])?;
    /// let m = ResponseMatrix::from_administrations(&srs, [&a, &a])?;
    /// assert_eq!(m.value(1, 2), Some(9.5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_administrations<'a>(
        instrument: &Instrument,
        administrations: impl IntoIterator<Item = &'a Administration>,
    ) -> Result<Self> {
        let mut m = ResponseMatrix::new(instrument);
        for (adm, n) in administrations.into_iter().zip(1u64..) {
            m.push_administration(adm).map_err(|e| e.at_row(n))?;
        }
        Ok(m)
    }

    /// Appends a row of values in item order, validating each.
    ///
    /// # Errors
    /// [`ErrorKind::WrongLength`], or [`ErrorKind::NotFinite`], [`ErrorKind::OutOfRange`],
    /// [`ErrorKind::OffStep`] naming the first bad item; the matrix is unchanged.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut m = ResponseMatrix::new(&catalog::require("srs")?);
    /// assert_eq!(m.push_values(&[Some(8.55), None, None, None]).unwrap_err().code(), "off_step");
    /// assert_eq!(m.rows(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn push_values(&mut self, values: &[Option<f64>]) -> Result<()> {
        let inst = &self.instrument;
        if values.len() != inst.items().len() {
            return Err(inst.wrong_length(values.len()));
        }
        // Validate the whole row first so a bad row leaves the matrix unchanged.
        let mut units = Vec::with_capacity(values.len());
        for (item, v) in inst.items().iter().zip(values) {
            units.push(match v {
                Some(v) => Some(inst.scale().units_for(item.id(), *v)?),
                None => None,
            });
        }
        self.push_units(&units);
        Ok(())
    }

    /// Appends a row of answers written as text (cells of a CSV file, in item order; `None` or
    /// an empty cell is unanswered), validating each; errors quote the text as written.
    ///
    /// # Errors
    /// [`ErrorKind::WrongLength`], or [`ErrorKind::NotANumber`], [`ErrorKind::NotFinite`],
    /// [`ErrorKind::OutOfRange`], [`ErrorKind::OffStep`] naming the first bad item; the matrix is
    /// unchanged.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut m = ResponseMatrix::new(&catalog::require("arm-5")?);
    /// m.push_text(&[Some("7"), Some(" 6 "), None, Some(""), Some("5")])?;
    /// let err = m.push_text(&[Some("1e400"), None, None, None, None]).unwrap_err();
    /// assert_eq!(err.to_string(), "item 1: value 1e400 is not a finite number");
    /// assert_eq!((m.rows(), m.value(0, 1)), (1, Some(6.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn push_text(&mut self, cells: &[Option<&str>]) -> Result<()> {
        let inst = &self.instrument;
        if cells.len() != inst.items().len() {
            return Err(inst.wrong_length(cells.len()));
        }
        let mut units = Vec::with_capacity(cells.len());
        for (item, cell) in inst.items().iter().zip(cells) {
            units.push(match cell.map(str::trim).filter(|c| !c.is_empty()) {
                Some(text) => Some(inst.scale().units_for_text(item.id(), text)?),
                None => None,
            });
        }
        self.push_units(&units);
        Ok(())
    }

    /// Appends an administration of this matrix's instrument.
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`] for an administration of another instrument.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let mut m = ResponseMatrix::new(&catalog::require("wai-sr")?);
    /// let srs = Administration::from_values(&catalog::require("srs")?, &[None; 4])?;
    /// assert_eq!(m.push_administration(&srs).unwrap_err().code(), "instrument_mismatch");
    /// # Ok(())
    /// # }
    /// ```
    pub fn push_administration(&mut self, administration: &Administration) -> Result<()> {
        self.instrument.check_same(administration.instrument())?;
        self.push_units(administration.units());
        Ok(())
    }

    /// Appends the rows of `other` (a matrix of the same instrument).
    #[cfg(feature = "csv")]
    pub(crate) fn append(&mut self, other: ResponseMatrix) {
        match (&mut self.columns, other.columns) {
            (Columns::Narrow(a), Columns::Narrow(b)) => {
                for (a, mut b) in a.iter_mut().zip(b) {
                    a.append(&mut b);
                }
            }
            (Columns::Wide(a), Columns::Wide(b)) => {
                for (a, mut b) in a.iter_mut().zip(b) {
                    a.append(&mut b);
                }
            }
            // The same instrument has the same width.
            _ => return,
        }
        self.rows += other.rows;
    }

    /// Appends validated units (item order, one per item).
    pub(crate) fn push_units(&mut self, units: &[Option<i32>]) {
        let inst = &self.instrument;
        let scale = inst.scale();
        let lo = scale.min_units();
        for ((item, u), col) in inst.items().iter().zip(units).zip(0usize..) {
            let cell = u.map(|u| {
                let keyed = if item.is_reversed() {
                    scale.reverse_units(u)
                } else {
                    u
                };
                // In 0..=span by validation; span fits the column type (chosen in `new`).
                (i64::from(keyed) - i64::from(lo)) as u64
            });
            match &mut self.columns {
                Columns::Narrow(c) => {
                    if let Some(c) = c.get_mut(col) {
                        c.push(cell.map_or(MISSING_U8, |v| v as u8));
                    }
                }
                Columns::Wide(c) => {
                    if let Some(c) = c.get_mut(col) {
                        c.push(cell.map_or(MISSING_U32, |v| v as u32));
                    }
                }
            }
        }
        self.rows += 1;
    }

    /// The instrument.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::new(&catalog::require("srs")?);
    /// assert_eq!(m.instrument().id(), "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// Number of rows (administrations).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("arm-5")?, vec![[None; 5]; 3])?;
    /// assert_eq!(m.rows(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (the instrument's items).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(ResponseMatrix::new(&catalog::require("wai")?).items(), 36);
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> usize {
        self.instrument.items().len()
    }

    /// The answer in a cell as given (before reverse keying); `None` if unanswered or out of
    /// bounds.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai_s = catalog::require("wai-s")?;
    /// let mut row = [Some(5.0); 12];
    /// row[3] = Some(2.0); // item 4, reversed: stored keyed as 6, given back as 2
    /// let m = ResponseMatrix::from_rows(&wai_s, [row])?;
    /// assert_eq!(m.value(0, 3), Some(2.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, row: usize, item: usize) -> Option<f64> {
        let off = self.cell(row, item)?;
        let scale = self.instrument.scale();
        let keyed = i64::from(scale.min_units()) + off as i64;
        let given = if self.instrument.items().get(item)?.is_reversed() {
            i64::from(scale.min_units()) + i64::from(scale.max_units()) - keyed
        } else {
            keyed
        };
        Some(scale.value_of_units(given))
    }

    /// The keyed, offset cell (`None` if missing or out of bounds).
    pub(crate) fn cell(&self, row: usize, item: usize) -> Option<u64> {
        match &self.columns {
            Columns::Narrow(c) => {
                let v = *c.get(item)?.get(row)?;
                (v != MISSING_U8).then_some(u64::from(v))
            }
            Columns::Wide(c) => {
                let v = *c.get(item)?.get(row)?;
                (v != MISSING_U32).then_some(u64::from(v))
            }
        }
    }

    /// The columns.
    pub(crate) fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Scores every row: every subscale and the total, exactly as [`Instrument::score_values`]
    /// would, in one pass over the columns.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric};
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(3.0); 12];
    /// row[10] = None; // a goals item: goals prorated
    /// let m = ResponseMatrix::from_rows(&wai, [row, [Some(5.0); 12]])?;
    /// let batch = m.score();
    /// let totals: Vec<_> = batch.column("total", Metric::Sum).collect();
    /// assert_eq!(totals, [Some(36.0), Some(60.0)]);
    /// assert_eq!(batch.scores(0).map(|s| s.primary("total")), wai.score_values(&row).ok().map(|s| s.primary("total")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> BatchScores {
        BatchScores::of(self)
    }

    /// Person scores as psych's `scoreItems(keys, items, min, max, impute)` computes them for a
    /// subscale or `total` (all items): the mean of the keyed items of each row, on the
    /// response scale, with unanswered items left out ([`Imputation::None`]) or replaced by the
    /// item's median answer ([`Imputation::Median`]). The instrument's missing-item rule does
    /// not apply; see [`ResponseMatrix::score`] for the instrument's own scores. Unlike psych,
    /// which drops an item without variance from the scores (with a warning), every item counts:
    /// its answers are data.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownTarget`] for a subscale the instrument does not have.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::{Imputation, ResponseMatrix};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let arm = catalog::require("arm-5")?;
    /// let m = ResponseMatrix::from_rows(&arm, [
    ///     [Some(7.0), Some(6.0), Some(2.0), None, Some(6.0)],
    ///     [Some(5.0), Some(4.0), Some(4.0), Some(4.0), Some(5.0)],
    ///     [Some(3.0), Some(4.0), Some(6.0), Some(6.0), None],
    /// ])?;
    /// let none = m.mean_scores("total", Imputation::None)?;
    /// assert_eq!(none[0], Some(6.25)); // (7 + 6 + 6 + 6) / 4, item 3 keyed 8 - 2
    /// let median = m.mean_scores("total", Imputation::Median)?;
    /// assert_eq!(median[0], Some(6.0)); // item 4's median answer is 5
    /// # Ok(())
    /// # }
    /// ```
    pub fn mean_scores(
        &self,
        target: impl Into<crate::Target>,
        imputation: Imputation,
    ) -> Result<Vec<Option<f64>>> {
        let target = target.into();
        let items: Vec<usize> = match target {
            crate::Target::Total => (0..self.items()).collect(),
            _ => match self.instrument.slot(&target)? {
                crate::instruments::Slot::Subscale(i) => self
                    .instrument
                    .compiled()
                    .subscales
                    .get(i)
                    .map(|s| s.items.iter().map(|&i| i as usize).collect())
                    .unwrap_or_default(),
                crate::instruments::Slot::Total => (0..self.items()).collect(),
            },
        };
        let scale = self.instrument.scale();
        let lo = f64::from(scale.min_units());
        let res = scale.resolution_units() as f64;
        let medians: Vec<Option<f64>> = match imputation {
            Imputation::None => vec![None; items.len()],
            Imputation::Median => items.iter().map(|&i| self.median(i)).collect(),
        };
        let m = items.len() as f64;
        Ok((0..self.rows)
            .map(|r| {
                let (mut sum, mut count) = (0.0, 0.0);
                for (&i, med) in items.iter().zip(&medians) {
                    match (self.cell(r, i), med) {
                        (Some(v), _) => {
                            sum += v as f64;
                            count += 1.0;
                        }
                        (None, Some(md)) => {
                            sum += md;
                            count += 1.0;
                        }
                        (None, None) => {}
                    }
                }
                let n = if imputation == Imputation::Median {
                    m
                } else {
                    count
                };
                (count > 0.0).then(|| (lo + sum / n) / res)
            })
            .collect())
    }

    /// The median of an item's keyed, offset answers; `None` without answers.
    fn median(&self, item: usize) -> Option<f64> {
        let mut v: Vec<u64> = (0..self.rows).filter_map(|r| self.cell(r, item)).collect();
        v.sort_unstable();
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => v.get(n / 2).map(|&x| x as f64),
            _ => Some((*v.get(n / 2 - 1)? as f64 + *v.get(n / 2)? as f64) / 2.0),
        }
    }

    /// The moments of every item and item set (each subscale, and all items), accumulated over
    /// every row: the input of the reliability statistics.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("arm-5")?, [[Some(4.0); 5], [Some(6.0); 5]])?;
    /// assert_eq!(m.moments().rows(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn moments(&self) -> Moments {
        Moments::of_rows(self, 0..self.rows)
    }

    /// [`ResponseMatrix::moments`] on every core (feature `parallel`): the rows are split into
    /// chunks, accumulated on rayon's thread pool and merged. Accumulation is exact, so the
    /// result is the same, bit for bit, as one thread's.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rows: Vec<_> = (0..50_000).map(|i| [Some(f64::from(i % 5 + 1)); 12]).collect();
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, &rows)?;
    /// assert_eq!(m.moments_parallel(), m.moments());
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "parallel")]
    pub fn moments_parallel(&self) -> Moments {
        use rayon::prelude::*;
        // Chunks of one accumulation block, folded into an accumulator per split of the work
        // (a few per thread), whose sums are handed over and merged once.
        const CHUNK: usize = 16_384;
        let starts: Vec<usize> = (0..self.rows).step_by(CHUNK).collect();
        starts
            .par_iter()
            .fold(
                || Moments::accumulator(self),
                |mut acc, &s| {
                    acc.add(s..(s + CHUNK).min(self.rows));
                    acc
                },
            )
            .map(moments::Accumulator::finish)
            .reduce(
                || Moments::new(&self.instrument),
                |mut a, b| {
                    // Same instrument by construction: merging cannot fail.
                    let _ = a.merge(&b);
                    a
                },
            )
    }

    /// The moments of rows `range` only: split a matrix into chunks, accumulate each (on as many
    /// threads as you like) and [`Merge`] them; the result is the same, bit for bit, as
    /// [`ResponseMatrix::moments`].
    ///
    /// # Errors
    /// [`ErrorKind::WrongLength`] if the range reaches past the last row.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::{Merge, ResponseMatrix};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rows: Vec<_> = (0..10).map(|i| [Some(f64::from(i % 5 + 1)); 12]).collect();
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, &rows)?;
    /// let mut first = m.moments_of(0..4)?;
    /// first.merge(&m.moments_of(4..10)?)?;
    /// assert_eq!(first, m.moments());
    /// # Ok(())
    /// # }
    /// ```
    pub fn moments_of(&self, range: std::ops::Range<usize>) -> Result<Moments> {
        if range.end > self.rows || range.start > range.end {
            return Err(ErrorKind::WrongLength {
                instrument: self.instrument.id().to_owned(),
                expected: self.rows,
                found: range.end,
            }
            .into());
        }
        Ok(Moments::of_rows(self, range))
    }
}

/// How [`ResponseMatrix::mean_scores`] treats unanswered items (psych `scoreItems`'s
/// `impute`).
///
/// ```
/// use therapeutic_alliance::matrix::Imputation;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("median".parse::<Imputation>()?, Imputation::Median);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Imputation {
    /// The mean of the answered items (`impute = "none"`); no score without an answer.
    None,
    /// Each unanswered item takes the median of that item's answers, then the mean of all
    /// items (`impute = "median"`).
    Median,
}

crate::vocab::vocabulary!(Imputation, "imputation", None, [None => "none", Median => "median"]);

/// The scale's span in units (`max - min`).
pub(crate) fn span_units(instrument: &Instrument) -> i64 {
    let s = instrument.scale();
    i64::from(s.max_units()) - i64::from(s.min_units())
}
