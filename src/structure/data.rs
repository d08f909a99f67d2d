//! Named columns of observations with missing cells, and the moments the structure analyses
//! read from them: the listwise covariance matrix with divisor N (lavaan), and pairwise
//! correlations (psych).
//!
//! A column whose values lie on a decimal grid (integers, tenths or hundredths) of at most 254
//! steps, as item answers do, is held as one byte per cell and its moments are exact integer
//! sums ([`super::sums`]); any other column is held as `f64` and its moments computed in `f64`.

use std::borrow::Cow;

use super::sums;
use crate::error::{ErrorKind, Result};
use crate::stats::{Matrix, dot};

/// Observations of named variables, row by row, with missing cells: the data a factor
/// analysis reads. Values are any finite numbers (item answers, test scores).
///
/// A variable whose values are all on one decimal grid (integers, tenths or hundredths)
/// spanning at most 254 steps, as item answers are, is stored as one byte per cell, and the
/// analyses sum its values exactly in integers (so on every core to the same result, with no
/// rounding error before the last division); other values are kept as they are. Two
/// observations are equal when they have the same names and values, missing cells in the same
/// places.
///
/// ```
/// use therapeutic_alliance::structure::Observations;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let mut data = Observations::new(["x1", "x2"])?;
/// data.push_row(&[Some(3.0), None])?;
/// data.push_row(&[Some(4.5), Some(2.0)])?;
/// assert_eq!((data.rows(), data.names().len()), (2, 2));
/// assert_eq!(data.push_row(&[Some(1.0)]).unwrap_err().code(), "invalid_data");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Observations {
    names: Vec<String>,
    columns: Vec<Column>,
    rows: usize,
}

/// Two observations are equal when they have the same names and the same values, missing in
/// the same cells (however they are stored).
impl PartialEq for Observations {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
            && self.rows == other.rows
            && (0..self.columns.len()).all(|j| {
                let (a, b) = (self.floats(j), other.floats(j));
                a.iter()
                    .zip(b.iter())
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
            })
    }
}

/// The decimal grids a column's values may lie on: integers, tenths, hundredths.
const GRID: [f64; 3] = [1.0, 10.0, 100.0];

/// The largest code of a grid column: the byte kernels' bound.
pub(crate) const TOP: u8 = 254;

/// One variable's cells.
#[derive(Debug, Clone)]
pub(crate) enum Column {
    /// Values on a decimal grid spanning at most [`TOP`] steps: the exact integers the
    /// structure analyses accumulate in.
    Grid(Grid),
    /// Any finite values; NaN marks a missing cell.
    Float(Vec<f64>),
}

/// A column whose every value is `(base + code) / 10^decimals` with a byte `code`: item
/// answers (small integers, or halves or tenths of a point).
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    /// One per row; 0 in a missing cell (so a missing cell adds nothing to a sum of products).
    pub(crate) codes: Vec<u8>,
    /// The rows of missing cells, ascending.
    pub(crate) missing: Vec<usize>,
    /// The grid value of code 0.
    base: i64,
    /// Index into [`GRID`].
    decimals: usize,
    /// At least every code (at most [`TOP`]).
    pub(crate) top: u8,
}

impl Grid {
    fn new() -> Self {
        Grid {
            codes: Vec::new(),
            missing: Vec::new(),
            base: 0,
            decimals: 0,
            top: 0,
        }
    }

    /// The grid's unit: one code step is `1 / unit`.
    pub(crate) fn unit(&self) -> f64 {
        GRID.get(self.decimals).copied().unwrap_or(1.0)
    }

    fn present(&self) -> usize {
        self.codes.len() - self.missing.len()
    }

    /// `v` as an integer on grid `decimals`, if it is one exactly (and not huge).
    fn on_grid(v: f64, decimals: usize) -> Option<i64> {
        let unit = *GRID.get(decimals)?;
        let x = (v * unit).round();
        (x.abs() <= 1e15 && x / unit == v).then_some(x as i64)
    }

    /// Appends `v` (`None` missing), or returns `false` (nothing changed) when the column cannot
    /// hold it on a grid of at most [`TOP`] steps.
    fn push(&mut self, v: Option<f64>) -> bool {
        let Some(v) = v else {
            self.missing.push(self.codes.len());
            self.codes.push(0);
            return true;
        };
        if self.present() == 0 {
            // The first value fixes the base and the finest grid needed so far.
            let Some((d, k)) = (0..GRID.len()).find_map(|d| Self::on_grid(v, d).map(|k| (d, k)))
            else {
                return false;
            };
            self.decimals = d;
            self.base = k;
            self.top = 0;
            self.codes.push(0);
            return true;
        }
        let k = match Self::on_grid(v, self.decimals) {
            Some(k) => k,
            None => {
                let Some((d, k)) = (self.decimals + 1..GRID.len())
                    .find_map(|d| Self::on_grid(v, d).map(|k| (d, k)))
                else {
                    return false;
                };
                if !self.refine(d) {
                    return false;
                }
                k
            }
        };
        let code = k - self.base;
        if code < 0 {
            let shift = -code;
            if i64::from(self.top) + shift > i64::from(TOP) {
                return false;
            }
            self.rebase(shift as u8);
            self.codes.push(0);
            return true;
        }
        if code > i64::from(TOP) {
            return false;
        }
        let code = code as u8;
        self.top = self.top.max(code);
        self.codes.push(code);
        true
    }

    /// Moves the column to the finer grid `decimals`, if its span still fits.
    fn refine(&mut self, decimals: usize) -> bool {
        let factor = (decimals - self.decimals) as u32;
        let f = 10u64.pow(factor);
        if u64::from(self.top) * f > u64::from(TOP) {
            return false;
        }
        let f8 = f as u8;
        for c in &mut self.codes {
            *c *= f8;
        }
        self.top *= f8;
        self.base *= f as i64;
        self.decimals = decimals;
        true
    }

    /// Lowers the base by `shift` codes (every present code rises by `shift`).
    fn rebase(&mut self, shift: u8) {
        for c in &mut self.codes {
            *c += shift;
        }
        for &r in &self.missing {
            if let Some(c) = self.codes.get_mut(r) {
                *c = 0;
            }
        }
        self.top += shift;
        self.base -= i64::from(shift);
    }

    /// The values, NaN missing.
    fn floats(&self) -> Vec<f64> {
        let unit = self.unit();
        let mut out: Vec<f64> = self
            .codes
            .iter()
            .map(|&c| (self.base + i64::from(c)) as f64 / unit)
            .collect();
        for &r in &self.missing {
            if let Some(v) = out.get_mut(r) {
                *v = f64::NAN;
            }
        }
        out
    }

    /// Missing (`true`) or not, per row.
    fn missing_flags(&self) -> Vec<bool> {
        let mut flags = vec![false; self.codes.len()];
        for &r in &self.missing {
            if let Some(f) = flags.get_mut(r) {
                *f = true;
            }
        }
        flags
    }
}

impl Column {
    fn push(&mut self, v: Option<f64>) {
        if let Column::Grid(g) = self {
            if g.push(v) {
                return;
            }
            *self = Column::Float(g.floats());
        }
        if let Column::Float(f) = self {
            f.push(v.unwrap_or(f64::NAN));
        }
    }
}

impl Observations {
    /// No rows yet, of the variables `names`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidData`] when there are no names, or a name is empty or repeated.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Self> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.is_empty() {
            return Err(invalid("no variables"));
        }
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                return Err(invalid(format!("variable {} has an empty name", i + 1)));
            }
            if names[..i].contains(n) {
                return Err(invalid(format!(
                    "variable {} has the name of an earlier one",
                    i + 1
                )));
            }
        }
        let columns = vec![Column::Grid(Grid::new()); names.len()];
        Ok(Observations {
            names,
            columns,
            rows: 0,
        })
    }

    /// The answers of a response matrix as given (before reverse keying: a factor model gives
    /// a reversed item a negative loading), one variable per item, named by the item's id; with
    /// [`Model::of_instrument`](crate::structure::Model::of_instrument), the instrument's own
    /// factor model of its data.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    /// use therapeutic_alliance::structure::Observations;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, [[Some(4.0); 12], [None; 12]])?;
    /// let data = Observations::from_matrix(&m);
    /// assert_eq!((data.rows(), data.names()[0].as_str()), (2, "1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_matrix(matrix: &crate::matrix::ResponseMatrix) -> Self {
        let names: Vec<String> = matrix
            .instrument()
            .items()
            .iter()
            .map(|i| i.id().to_owned())
            .collect();
        let columns = (0..matrix.items())
            .map(|j| {
                let mut column = Column::Grid(Grid::new());
                for r in 0..matrix.rows() {
                    column.push(matrix.value(r, j));
                }
                column
            })
            .collect();
        Observations {
            names,
            columns,
            rows: matrix.rows(),
        }
    }

    /// Observations from rows of values (`None` missing).
    ///
    /// # Errors
    /// As [`Observations::new`] and [`Observations::push_row`].
    pub fn from_rows<S: Into<String>, R: AsRef<[Option<f64>]>>(
        names: impl IntoIterator<Item = S>,
        rows: impl IntoIterator<Item = R>,
    ) -> Result<Self> {
        let mut data = Observations::new(names)?;
        for row in rows {
            data.push_row(row.as_ref())?;
        }
        Ok(data)
    }

    /// Appends one row, a value (or `None`, missing) for each variable in order.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidData`] for a row of another length or a value that is not finite
    /// (the row is not added).
    pub fn push_row(&mut self, row: &[Option<f64>]) -> Result<()> {
        if row.len() != self.names.len() {
            return Err(invalid(format!(
                "row {} has {} values, not {}",
                self.rows + 1,
                row.len(),
                self.names.len()
            )));
        }
        if let Some(j) = row.iter().position(|v| v.is_some_and(|v| !v.is_finite())) {
            return Err(invalid(format!(
                "row {}, variable {}: the value is not finite",
                self.rows + 1,
                j + 1
            )));
        }
        for (col, &v) in self.columns.iter_mut().zip(row) {
            col.push(v);
        }
        self.rows += 1;
        Ok(())
    }

    /// The observations of rows `rows` (by index, repeats allowed), in that order: a
    /// bootstrap resample.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidData`] for an index past the last row.
    ///
    /// ```
    /// use therapeutic_alliance::structure::Observations;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let data = Observations::from_rows(["x"], [[Some(1.0)], [Some(2.0)]])?;
    /// assert_eq!(data.select_rows(&[1, 1, 0])?.rows(), 3);
    /// assert!(data.select_rows(&[2]).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn select_rows(&self, rows: &[usize]) -> Result<Observations> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.rows) {
            return Err(invalid(format!(
                "row index {bad} is past the last row ({} rows)",
                self.rows
            )));
        }
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Grid(g) => {
                    let flags = g.missing_flags();
                    let mut codes = Vec::with_capacity(rows.len());
                    let mut missing = Vec::new();
                    for (i, &r) in rows.iter().enumerate() {
                        codes.push(g.codes.get(r).copied().unwrap_or(0));
                        if flags.get(r).copied().unwrap_or(true) {
                            missing.push(i);
                        }
                    }
                    Column::Grid(Grid {
                        codes,
                        missing,
                        ..*g
                    })
                }
                Column::Float(f) => Column::Float(
                    rows.iter()
                        .map(|&r| f.get(r).copied().unwrap_or(f64::NAN))
                        .collect(),
                ),
            })
            .collect();
        Ok(Observations {
            names: self.names.clone(),
            columns,
            rows: rows.len(),
        })
    }

    /// The variables' names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The column of each name, or an error naming the first unknown one.
    pub(crate) fn positions(&self, wanted: &[String]) -> Result<Vec<usize>> {
        wanted
            .iter()
            .map(|w| {
                self.names.iter().position(|n| n == w).ok_or_else(|| {
                    ErrorKind::UnidentifiedModel {
                        reason: format!(
                            "variable {} is not in the data",
                            w.chars().take(40).collect::<String>()
                        ),
                    }
                    .into()
                })
            })
            .collect()
    }

    /// The cells of column `j`.
    pub(crate) fn column(&self, j: usize) -> Option<&Column> {
        self.columns.get(j)
    }

    /// The values of column `j`, NaN missing (empty for no such column).
    pub(crate) fn floats(&self, j: usize) -> Cow<'_, [f64]> {
        match self.columns.get(j) {
            Some(Column::Grid(g)) => Cow::Owned(g.floats()),
            Some(Column::Float(f)) => Cow::Borrowed(f),
            None => Cow::Borrowed(&[]),
        }
    }
}

fn invalid(reason: impl Into<String>) -> crate::Error {
    ErrorKind::InvalidData {
        reason: reason.into(),
    }
    .into()
}

/// The grid columns `cols`, or `None` when one of them holds other values.
fn grids<'a>(data: &'a Observations, cols: &[usize]) -> Option<Vec<&'a Grid>> {
    cols.iter()
        .map(|&c| match data.column(c) {
            Some(Column::Grid(g)) => Some(g),
            _ => None,
        })
        .collect()
}

/// The covariance matrix of `cols` over the rows complete on them, divisor N (lavaan's ML),
/// and the number of those rows (a zero matrix when there are none).
///
/// On grid columns (item answers) from exact integer sums of the codes: each entry is
/// `(n Σxy - Σx Σy) / n²` with the numerator exact, rounded once to `f64`; any other values
/// from means first in `f64`.
pub(crate) fn listwise_covariance(data: &Observations, cols: &[usize]) -> (Matrix, usize) {
    let p = cols.len();
    if let Some(grids) = grids(data, cols) {
        let sums = sums::listwise(&grids, data.rows);
        let n = sums.n;
        let mut s = Matrix::zeros(p);
        if n == 0 {
            return (s, 0);
        }
        let nn = n as f64 * n as f64;
        for i in 0..p {
            for j in 0..=i {
                let num = sums.centered(i, j);
                let unit = grids[i].unit() * grids[j].unit();
                let v = num as f64 / nn / unit;
                s.set(i, j, v);
                s.set(j, i, v);
            }
        }
        return (s, n as usize);
    }
    let floats: Vec<Cow<'_, [f64]>> = cols.iter().map(|&c| data.floats(c)).collect();
    let columns: Vec<&[f64]> = floats.iter().map(|c| c.as_ref()).collect();
    let rows = complete_rows(&columns, data.rows);
    if rows.is_empty() {
        return (Matrix::zeros(p), 0);
    }
    (float_covariance(&columns, &rows), rows.len())
}

/// Pairwise-complete correlations of `cols` (each pair over the rows answering both, with
/// those rows' means and SDs: R's `cor(use = "pairwise")`); `None` for a pair with fewer than
/// two rows or no variance.
///
/// On grid columns (item answers) from exact integer sums: `(n Σxy - Σx Σy)` and the two
/// centered sums of squares exact, one rounding each to `f64`; any other values in `f64`.
pub(crate) fn pairwise_correlations(data: &Observations, cols: &[usize]) -> Option<Matrix> {
    if let Some(grids) = grids(data, cols) {
        return sums::pairwise(&grids, data.rows).correlations();
    }
    let floats: Vec<Cow<'_, [f64]>> = cols.iter().map(|&c| data.floats(c)).collect();
    let columns: Vec<&[f64]> = floats.iter().map(|c| c.as_ref()).collect();
    float_pairwise(&columns, data.rows)
}

/// The rows (by index) complete on every column.
fn complete_rows(columns: &[&[f64]], rows: usize) -> Vec<usize> {
    let mut complete = vec![true; rows];
    for col in columns {
        for (ok, v) in complete.iter_mut().zip(col.iter()) {
            *ok &= !v.is_nan();
        }
    }
    complete
        .iter()
        .enumerate()
        .filter_map(|(r, &ok)| ok.then_some(r))
        .collect()
}

/// Rows per block of the accumulations below: a block of every column stays in the cache.
const BLOCK: usize = 512;

/// The covariance matrix of `columns` over `rows` (complete on them), divisor N (lavaan's ML),
/// from means first (two passes; the cross-products accumulated block by block): any finite
/// values.
fn float_covariance(columns: &[&[f64]], rows: &[usize]) -> Matrix {
    let p = columns.len();
    let n = rows.len() as f64;
    let means: Vec<f64> = columns
        .iter()
        .map(|col| {
            rows.iter()
                .map(|&r| col.get(r).copied().unwrap_or(0.0))
                .sum::<f64>()
                / n
        })
        .collect();
    let mut sums = vec![0.0; p * p];
    let mut block = vec![0.0; p * BLOCK];
    for chunk in rows.chunks(BLOCK) {
        let len = chunk.len();
        for (j, col) in columns.iter().enumerate() {
            let out = &mut block[j * BLOCK..j * BLOCK + len];
            for (o, &r) in out.iter_mut().zip(chunk) {
                *o = col.get(r).copied().unwrap_or(0.0) - means[j];
            }
        }
        for i in 0..p {
            for j in 0..=i {
                sums[i * p + j] += dot(
                    &block[i * BLOCK..i * BLOCK + len],
                    &block[j * BLOCK..j * BLOCK + len],
                );
            }
        }
    }
    let mut s = Matrix::zeros(p);
    for i in 0..p {
        for j in 0..=i {
            let v = sums[i * p + j] / n;
            s.set(i, j, v);
            s.set(j, i, v);
        }
    }
    s
}

/// Pairwise-complete correlations of `columns` (of `rows` values each, NaN missing; each pair
/// over the rows answering both, with those rows' means and SDs: R's `cor(use = "pairwise")`);
/// `None` for a pair with fewer than two rows or no variance. Any finite values.
///
/// Each column is shifted by its own mean (so the sums of squares about a pair's means lose no
/// precision) with missing cells as 0. A pair's cross-products are then one dot product over
/// every row (block by block, in the cache), and its count, sums and squares are the columns'
/// totals less the rows where the other column is missing (few, listed once per column).
fn float_pairwise(columns: &[&[f64]], rows: usize) -> Option<Matrix> {
    let p = columns.len();
    let mut means = Vec::with_capacity(p);
    let mut missing: Vec<Vec<usize>> = Vec::with_capacity(p);
    for col in columns {
        let (mut sum, mut count) = (0.0, 0.0);
        let mut gaps = Vec::new();
        for (r, v) in col.iter().enumerate() {
            if v.is_nan() {
                gaps.push(r);
            } else {
                sum += v;
                count += 1.0;
            }
        }
        means.push(if count > 0.0 { sum / count } else { 0.0 });
        missing.push(gaps);
    }
    let shifted = |j: usize, r: usize| -> f64 {
        match columns[j].get(r) {
            Some(v) if !v.is_nan() => v - means[j],
            _ => 0.0,
        }
    };
    // Column totals of the shifted values and their squares, the count, and the
    // cross-products, block by block.
    let mut totals: Vec<[f64; 3]> = (0..p)
        .map(|j| [0.0, 0.0, (rows - missing[j].len()) as f64])
        .collect();
    let mut cross = vec![0.0; p * p];
    let mut block = vec![0.0; p * BLOCK];
    let mut start = 0;
    while start < rows {
        let len = BLOCK.min(rows - start);
        for (j, col) in columns.iter().enumerate() {
            let src = col.get(start..start + len).unwrap_or(&[]);
            let dst = &mut block[j * BLOCK..j * BLOCK + len];
            let m = means[j];
            for (d, v) in dst.iter_mut().zip(src) {
                *d = if v.is_nan() { 0.0 } else { v - m };
            }
            totals[j][0] += dst.iter().sum::<f64>();
            totals[j][1] += dot(dst, dst);
        }
        for i in 0..p {
            for j in 0..i {
                cross[i * p + j] += dot(
                    &block[i * BLOCK..i * BLOCK + len],
                    &block[j * BLOCK..j * BLOCK + len],
                );
            }
        }
        start += len;
    }
    let mut r = Matrix::identity(p);
    for i in 0..p {
        for j in 0..i {
            // Column i over the rows where j is answered, and j where i is.
            let less = |a: usize, b: usize| -> [f64; 3] {
                let mut t = totals[a];
                for &row in &missing[b] {
                    let x = shifted(a, row);
                    t[0] -= x;
                    t[1] -= x * x;
                    if columns[a].get(row).is_some_and(|v| !v.is_nan()) {
                        t[2] -= 1.0;
                    }
                }
                t
            };
            let [sx, sxx, n] = less(i, j);
            let [sy, syy, _] = less(j, i);
            if n < 2.0 {
                return None;
            }
            let sxx = sxx - sx * sx / n;
            let syy = syy - sy * sy / n;
            let sxy = cross[i * p + j] - sx * sy / n;
            if sxx.is_nan() || syy.is_nan() || sxx <= 0.0 || syy <= 0.0 {
                return None;
            }
            let v = sxy / (sxx.sqrt() * syy.sqrt());
            r.set(i, j, v);
            r.set(j, i, v);
        }
    }
    Some(r)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `rows` pseudo-random rows of `p` values `lo + k / div` (`k` in `0..=levels`), each cell
    /// missing with probability `missing` %.
    pub(crate) fn simulated(
        p: usize,
        rows: usize,
        (lo, div, levels): (i64, i64, u64),
        missing: u64,
        seed: u64,
    ) -> Observations {
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let names: Vec<String> = (1..=p).map(|j| format!("x{j}")).collect();
        let mut data = Observations::new(names).expect("names");
        let mut row = vec![None; p];
        for _ in 0..rows {
            // A shared level makes the columns correlate.
            let level = next() % (levels + 1);
            for cell in &mut row {
                let x = next();
                let k = if x % 3 == 0 {
                    level
                } else {
                    (x >> 8) % (levels + 1)
                };
                *cell = (x % 100 >= missing).then(|| (lo * div + k as i64) as f64 / div as f64);
            }
            data.push_row(&row).expect("finite");
        }
        data
    }

    fn all_grid(data: &Observations) -> bool {
        data.columns.iter().all(|c| matches!(c, Column::Grid(_)))
    }

    /// The f64 path of the same data.
    fn float_moments(data: &Observations) -> (Matrix, usize, Option<Matrix>) {
        let floats: Vec<Cow<'_, [f64]>> = (0..data.names.len()).map(|c| data.floats(c)).collect();
        let columns: Vec<&[f64]> = floats.iter().map(|c| c.as_ref()).collect();
        let rows = complete_rows(&columns, data.rows);
        let p = columns.len();
        let cov = if rows.is_empty() {
            Matrix::zeros(p)
        } else {
            float_covariance(&columns, &rows)
        };
        (cov, rows.len(), float_pairwise(&columns, data.rows))
    }

    fn close(a: &Matrix, b: &Matrix, tol: f64) -> bool {
        let p = a.n;
        (0..p).all(|i| {
            (0..p).all(|j| {
                let (x, y) = (a.get(i, j), b.get(i, j));
                (x - y).abs() <= tol * y.abs().max(1.0)
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Exact integer sums give the f64 path's covariance and correlations to 1e-12, on
        /// small integers and on halves, with missing cells.
        #[test]
        fn the_integer_path_equals_the_f64_path(
            p in 2usize..7,
            rows in 1usize..300,
            lo in -6i64..6,
            div in prop::sample::select(vec![1i64, 2, 4, 10]),
            levels in 1u64..9,
            missing in prop::sample::select(vec![0u64, 3, 30]),
            seed in any::<u64>(),
        ) {
            let data = simulated(p, rows, (lo, div, levels), missing, seed);
            prop_assert!(all_grid(&data));
            let cols: Vec<usize> = (0..p).collect();
            let (cov, n) = listwise_covariance(&data, &cols);
            let (fcov, fnn, fcor) = float_moments(&data);
            prop_assert_eq!(n, fnn);
            prop_assert!(close(&cov, &fcov, 1e-12));
            match (pairwise_correlations(&data, &cols), fcor) {
                (Some(a), Some(b)) => prop_assert!(close(&a, &b, 1e-12)),
                // No variance or too few rows is exact on the integers; the f64 path may see a
                // rounding error's variance instead.
                (None, _) => {}
                (Some(_), None) => prop_assert!(false, "the f64 path found no correlation"),
            }
        }

        /// Pushing, resampling and comparing rows keeps every value, however stored.
        #[test]
        fn values_survive_the_grid(
            values in prop::collection::vec(prop::option::of(-300.0f64..300.0), 1..60),
            grid in prop::collection::vec(prop::option::of(-200i32..200), 1..60),
            halves in any::<bool>(),
        ) {
            let grid: Vec<Option<f64>> = grid
                .iter()
                .map(|v| v.map(|v| if halves { f64::from(v) / 2.0 } else { f64::from(v) }))
                .collect();
            for column in [values, grid] {
                let rows: Vec<[Option<f64>; 1]> = column.iter().map(|&v| [v]).collect();
                let data = Observations::from_rows(["x"], &rows).expect("finite");
                let back: Vec<Option<f64>> =
                    data.floats(0).iter().map(|&v| (!v.is_nan()).then_some(v)).collect();
                prop_assert_eq!(&back, &column);
                let order: Vec<usize> = (0..column.len()).rev().collect();
                let twice = data.select_rows(&order).expect("rows").select_rows(&order).expect("rows");
                prop_assert_eq!(&twice, &data);
            }
        }
    }

    #[test]
    fn columns_stay_on_the_grid_until_they_cannot() {
        let col = |values: &[f64]| {
            let rows: Vec<[Option<f64>; 1]> = values.iter().map(|&v| [Some(v)]).collect();
            let data = Observations::from_rows(["x"], &rows).expect("finite");
            match &data.columns[0] {
                Column::Grid(g) => Some((g.base, g.decimals, g.top, g.codes.clone())),
                Column::Float(_) => None,
            }
        };
        // A lower value moves the base; a finer one the grid.
        assert_eq!(col(&[3.0, 1.0, 5.0]), Some((1, 0, 4, vec![2, 0, 4])));
        assert_eq!(col(&[3.0, 1.5]), Some((15, 1, 15, vec![15, 0])));
        assert_eq!(col(&[-2.0, 0.25]), Some((-200, 2, 225, vec![0, 225])));
        // 255 steps, thirds, a fine grid too wide and huge values are f64.
        assert_eq!(col(&[0.0, 255.0]), None);
        assert_eq!(col(&[254.0, 0.0]).map(|g| g.2), Some(254));
        assert_eq!(col(&[1.0, 1.0 / 3.0]), None);
        assert_eq!(col(&[0.0, 3.0, 0.01]), None);
        assert_eq!(col(&[1e300]), None);
        // Missing cells stay 0 through a rebase.
        let data = Observations::from_rows(["x"], [[Some(4.0)], [None], [Some(2.0)]]).expect("ok");
        let Column::Grid(g) = &data.columns[0] else {
            panic!("a grid")
        };
        assert_eq!(
            (g.codes.as_slice(), g.missing.as_slice()),
            (&[2, 0, 0][..], &[1][..])
        );
        // Mixed columns: the f64 path, same numbers.
        let mixed = Observations::from_rows(
            ["a", "b"],
            [
                [Some(1.0), Some(1.0 / 3.0)],
                [Some(2.0), Some(2.0 / 3.0)],
                [Some(4.0), None],
                [None, Some(0.1)],
            ],
        )
        .expect("ok");
        assert!(!all_grid(&mixed));
        let (cov, n) = listwise_covariance(&mixed, &[0, 1]);
        assert_eq!(n, 2);
        assert!((cov.get(0, 0) - 0.25).abs() < 1e-15);
        assert!((cov.get(1, 0) - 1.0 / 12.0).abs() < 1e-15);
    }

    /// Equal values are equal observations whatever their storage; missing equals missing.
    #[test]
    fn equality_is_of_values() {
        let a = Observations::from_rows(["x"], [[Some(2.0)], [None], [Some(1.0)]]).expect("ok");
        let b = Observations::from_rows(["x"], [[Some(1.0)], [None], [Some(2.0)]])
            .expect("ok")
            .select_rows(&[2, 1, 0])
            .expect("rows");
        assert_eq!(a, b);
        let c =
            Observations::from_rows(["x"], [[Some(2.0)], [Some(0.0)], [Some(1.0)]]).expect("ok");
        assert_ne!(a, c);
    }
}
