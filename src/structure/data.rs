//! Named columns of observations with missing cells, and the moments the structure analyses
//! read from them: the listwise covariance matrix with divisor N (lavaan), and pairwise
//! correlations (psych).

use crate::error::{ErrorKind, Result};
use crate::stats::{Matrix, dot};

/// Observations of named variables, row by row, with missing cells: the data a factor
/// analysis reads. Values are any finite numbers (item answers, test scores).
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
#[derive(Debug, Clone, PartialEq)]
pub struct Observations {
    names: Vec<String>,
    /// Column-major; NaN marks a missing cell.
    columns: Vec<Vec<f64>>,
    rows: usize,
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
        let columns = vec![Vec::new(); names.len()];
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
                (0..matrix.rows())
                    .map(|r| matrix.value(r, j).unwrap_or(f64::NAN))
                    .collect()
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
        for (col, v) in self.columns.iter_mut().zip(row) {
            col.push(v.unwrap_or(f64::NAN));
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
            .map(|c| {
                rows.iter()
                    .map(|&r| c.get(r).copied().unwrap_or(f64::NAN))
                    .collect()
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

    pub(crate) fn column(&self, j: usize) -> &[f64] {
        self.columns.get(j).map_or(&[], Vec::as_slice)
    }

    /// The rows (by index) complete on every column of `cols`.
    pub(crate) fn complete_rows(&self, cols: &[usize]) -> Vec<usize> {
        let mut complete = vec![true; self.rows];
        for &c in cols {
            for (ok, v) in complete.iter_mut().zip(self.column(c)) {
                *ok &= !v.is_nan();
            }
        }
        complete
            .iter()
            .enumerate()
            .filter_map(|(r, &ok)| ok.then_some(r))
            .collect()
    }
}

fn invalid(reason: impl Into<String>) -> crate::Error {
    ErrorKind::InvalidData {
        reason: reason.into(),
    }
    .into()
}

/// Rows per block of the accumulations below: a block of every column stays in the cache.
const BLOCK: usize = 512;

/// The covariance matrix of `cols` over `rows` (complete on them), divisor N (lavaan's ML),
/// from means first (two passes; the cross-products accumulated block by block).
pub(crate) fn covariance(data: &Observations, cols: &[usize], rows: &[usize]) -> Matrix {
    let p = cols.len();
    let n = rows.len() as f64;
    let columns: Vec<&[f64]> = cols.iter().map(|&c| data.column(c)).collect();
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

/// Pairwise-complete correlations of `cols` (each pair over the rows answering both, with
/// those rows' means and SDs: R's `cor(use = "pairwise")`); `None` for a pair with fewer than
/// two rows or no variance.
///
/// Each column is shifted by its own mean (so the sums of squares about a pair's means lose no
/// precision) with missing cells as 0. A pair's cross-products are then one dot product over
/// every row (block by block, in the cache), and its count, sums and squares are the columns'
/// totals less the rows where the other column is missing (few, listed once per column).
pub(crate) fn pairwise_correlations(data: &Observations, cols: &[usize]) -> Option<Matrix> {
    let p = cols.len();
    let columns: Vec<&[f64]> = cols.iter().map(|&c| data.column(c)).collect();
    let mut means = Vec::with_capacity(p);
    let mut missing: Vec<Vec<usize>> = Vec::with_capacity(p);
    for col in &columns {
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
        .map(|j| [0.0, 0.0, (data.rows - missing[j].len()) as f64])
        .collect();
    let mut cross = vec![0.0; p * p];
    let mut block = vec![0.0; p * BLOCK];
    let mut start = 0;
    while start < data.rows {
        let len = BLOCK.min(data.rows - start);
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
