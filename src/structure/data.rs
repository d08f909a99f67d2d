//! Named columns of observations with missing cells, and the moments the structure analyses
//! read from them: the listwise covariance matrix with divisor N (lavaan), and pairwise
//! correlations (psych).

use crate::error::{ErrorKind, Result};
use crate::stats::Matrix;

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
        (0..self.rows)
            .filter(|&r| {
                cols.iter()
                    .all(|&c| self.column(c).get(r).is_some_and(|v| !v.is_nan()))
            })
            .collect()
    }
}

fn invalid(reason: impl Into<String>) -> crate::Error {
    ErrorKind::InvalidData {
        reason: reason.into(),
    }
    .into()
}

/// The covariance matrix of `cols` over `rows` (complete on them), divisor N (lavaan's ML),
/// from means first (two passes).
pub(crate) fn covariance(data: &Observations, cols: &[usize], rows: &[usize]) -> Matrix {
    let p = cols.len();
    let n = rows.len() as f64;
    let centered: Vec<Vec<f64>> = cols
        .iter()
        .map(|&c| {
            let col = data.column(c);
            let vals: Vec<f64> = rows
                .iter()
                .map(|&r| col.get(r).copied().unwrap_or(0.0))
                .collect();
            let mean = vals.iter().sum::<f64>() / n;
            vals.into_iter().map(|v| v - mean).collect()
        })
        .collect();
    let mut s = Matrix::zeros(p);
    for i in 0..p {
        for j in 0..=i {
            let v: f64 = centered[i]
                .iter()
                .zip(&centered[j])
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / n;
            s.set(i, j, v);
            s.set(j, i, v);
        }
    }
    s
}

/// Pairwise-complete correlations of `cols` (each pair over the rows answering both, with
/// those rows' means and SDs: R's `cor(use = "pairwise")`), with the rows answering each pair;
/// `None` for a pair with fewer than two rows or no variance.
pub(crate) fn pairwise_correlations(data: &Observations, cols: &[usize]) -> Option<Matrix> {
    let p = cols.len();
    let mut r = Matrix::identity(p);
    for i in 0..p {
        for j in 0..i {
            let (a, b) = (data.column(cols[i]), data.column(cols[j]));
            let pairs: Vec<(f64, f64)> = a
                .iter()
                .zip(b)
                .filter(|(x, y)| !x.is_nan() && !y.is_nan())
                .map(|(x, y)| (*x, *y))
                .collect();
            let n = pairs.len() as f64;
            if pairs.len() < 2 {
                return None;
            }
            let ma = pairs.iter().map(|p| p.0).sum::<f64>() / n;
            let mb = pairs.iter().map(|p| p.1).sum::<f64>() / n;
            let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
            for (x, y) in &pairs {
                sab += (x - ma) * (y - mb);
                saa += (x - ma) * (x - ma);
                sbb += (y - mb) * (y - mb);
            }
            if !(saa > 0.0 && sbb > 0.0) {
                return None;
            }
            let v = sab / (saa.sqrt() * sbb.sqrt());
            r.set(i, j, v);
            r.set(j, i, v);
        }
    }
    Some(r)
}
