//! Bootstrap intervals of alpha and omega total of a response matrix's items.

use crate::error::Result;
use crate::matrix::ResponseMatrix;
use crate::reliability::MissingData;
use crate::stats::Matrix;

use super::{BootstrapInterval, BootstrapOptions};

/// Bootstrap intervals of a scale's raw alpha and omega total.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ReliabilityIntervals {
    /// Cronbach's (raw) alpha, psych's `raw_alpha`.
    pub raw_alpha: BootstrapInterval,
    /// Omega total from one minres factor (psych's `omega(nfactors = 1)`); `None` below three
    /// items.
    pub omega_total: Option<BootstrapInterval>,
}

/// The keyed items as columns (NaN missing; a reversed item negated, which leaves variances
/// and the magnitudes of covariances as `min + max - x` does).
fn columns(matrix: &ResponseMatrix) -> Vec<Vec<f64>> {
    let items = matrix.instrument().items();
    (0..matrix.items())
        .map(|j| {
            let sign = if items.get(j).is_some_and(|i| i.is_reversed()) {
                -1.0
            } else {
                1.0
            };
            (0..matrix.rows())
                .map(|r| matrix.value(r, j).map_or(f64::NAN, |v| sign * v))
                .collect()
        })
        .collect()
}

/// The covariance (divisor n - 1) and correlation of two columns over `rows` where both are
/// answered, with those rows' means (R's `cov`/`cor(use = "pairwise")`); `None` below 2 rows.
fn pair(a: &[f64], b: &[f64], rows: &[usize]) -> Option<(f64, f64)> {
    let (mut n, mut sa, mut sb) = (0.0, 0.0, 0.0);
    for &r in rows {
        let (x, y) = (a.get(r).copied()?, b.get(r).copied()?);
        if !x.is_nan() && !y.is_nan() {
            n += 1.0;
            sa += x;
            sb += y;
        }
    }
    if n < 2.0 {
        return None;
    }
    let (ma, mb) = (sa / n, sb / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for &r in rows {
        let (x, y) = (a.get(r).copied()?, b.get(r).copied()?);
        if !x.is_nan() && !y.is_nan() {
            sab += (x - ma) * (y - mb);
            saa += (x - ma) * (x - ma);
            sbb += (y - mb) * (y - mb);
        }
    }
    Some((sab / (n - 1.0), sab / (saa.sqrt() * sbb.sqrt())))
}

/// Alpha and omega total of `rows`: pairwise (each pair over its own complete rows) or
/// listwise (rows answering every item), as `ReliabilityOptions` computes them.
fn statistics(
    cols: &[Vec<f64>],
    rows: &[usize],
    missing: MissingData,
) -> Option<(f64, Option<f64>)> {
    let m = cols.len();
    let complete: Vec<usize>;
    let rows = if missing == MissingData::Listwise {
        complete = rows
            .iter()
            .copied()
            .filter(|&r| cols.iter().all(|c| c.get(r).is_some_and(|v| !v.is_nan())))
            .collect();
        &complete
    } else {
        rows
    };
    let mut cov = Matrix::zeros(m);
    let mut cor = Matrix::zeros(m);
    for i in 0..m {
        for j in 0..=i {
            let (c, r) = pair(cols.get(i)?, cols.get(j)?, rows)?;
            cov.set(i, j, c);
            cov.set(j, i, c);
            let r = if i == j { 1.0 } else { r };
            cor.set(i, j, r);
            cor.set(j, i, r);
        }
    }
    let total = cov.sum();
    let alpha = (1.0 - cov.trace() / total) * m as f64 / (m as f64 - 1.0);
    if !alpha.is_finite() {
        return None;
    }
    let omega = if m >= 3 {
        let cor = if missing == MissingData::Listwise {
            cov.cov2cor()
        } else {
            cor
        };
        crate::structure::omega_total_one_factor(&cor)
    } else {
        None
    };
    Some((alpha, omega))
}

impl BootstrapOptions {
    /// Bootstrap intervals of the raw alpha and the omega total of every item of `matrix`
    /// (keyed), resampling its rows: the statistics `ReliabilityOptions` computes for the
    /// `total` of an instrument whose total is every item (psych's `alpha()` and
    /// `omega(nfactors = 1)`).
    ///
    /// # Errors
    /// As [`BootstrapOptions::analyze`]: too few rows, or statistics undefined on the data
    /// (an item without variance, fewer than two items).
    ///
    /// ```
    /// use therapeutic_alliance::bootstrap::BootstrapOptions;
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    /// use therapeutic_alliance::reliability::MissingData;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let rows: Vec<Vec<Option<f64>>> = (0..80)
    ///     .map(|i| (0..5).map(|j| Some(f64::from((i % 5 + (i * j) % 3).min(6) + 1))).collect())
    ///     .collect();
    /// let matrix = ResponseMatrix::from_rows(&catalog::require("arm-5")?, &rows)?;
    /// let ci = BootstrapOptions::new(200, 1)?.analyze_reliability(&matrix, MissingData::Pairwise)?;
    /// let alpha = matrix.moments().reliability("global")?.raw_alpha;
    /// assert!((ci.raw_alpha.estimate - alpha).abs() < 1e-12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze_reliability(
        &self,
        matrix: &ResponseMatrix,
        missing: MissingData,
    ) -> Result<ReliabilityIntervals> {
        let cols = columns(matrix);
        let n = matrix.rows();
        let raw_alpha = self.analyze(n, |rows| statistics(&cols, rows, missing).map(|s| s.0))?;
        let omega_total = if cols.len() >= 3 {
            Some(self.analyze(n, |rows| statistics(&cols, rows, missing).and_then(|s| s.1))?)
        } else {
            None
        };
        Ok(ReliabilityIntervals {
            raw_alpha,
            omega_total,
        })
    }
}
