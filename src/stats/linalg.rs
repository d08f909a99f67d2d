//! Small dense symmetric linear algebra: the eigen decomposition (cyclic Jacobi), the
//! Moore-Penrose inverse and squared multiple correlations, for matrices of a scale's items.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) n: usize,
    pub(crate) a: Vec<f64>,
}

impl Matrix {
    pub(crate) fn zeros(n: usize) -> Self {
        Matrix {
            n,
            a: vec![0.0; n * n],
        }
    }

    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.a.get(i * self.n + j).copied().unwrap_or(f64::NAN)
    }

    pub(crate) fn set(&mut self, i: usize, j: usize, v: f64) {
        if let Some(x) = self.a.get_mut(i * self.n + j) {
            *x = v;
        }
    }

    /// The sum of every element.
    pub(crate) fn sum(&self) -> f64 {
        self.a.iter().sum()
    }

    /// The trace.
    pub(crate) fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.get(i, i)).sum()
    }

    /// The submatrix without row and column `drop`.
    pub(crate) fn without(&self, drop: usize) -> Matrix {
        let keep: Vec<usize> = (0..self.n).filter(|&i| i != drop).collect();
        self.select(&keep)
    }

    /// The submatrix of rows and columns `keep`.
    pub(crate) fn select(&self, keep: &[usize]) -> Matrix {
        let mut out = Matrix::zeros(keep.len());
        for (a, &i) in keep.iter().enumerate() {
            for (b, &j) in keep.iter().enumerate() {
                out.set(a, b, self.get(i, j));
            }
        }
        out
    }

    /// The correlation matrix of a covariance matrix: `c_ij / sqrt(c_ii c_jj)` (R's `cov2cor`).
    pub(crate) fn cov2cor(&self) -> Matrix {
        let mut out = Matrix::zeros(self.n);
        let sd: Vec<f64> = (0..self.n).map(|i| self.get(i, i).sqrt()).collect();
        for i in 0..self.n {
            for j in 0..self.n {
                let v = if i == j {
                    1.0
                } else {
                    self.get(i, j) / (sd[i] * sd[j])
                };
                out.set(i, j, v);
            }
        }
        out
    }

    /// Eigenvalues in decreasing order and the matching unit eigenvectors (columns of the
    /// returned matrix), by the cyclic Jacobi method (accurate to a few ulps for the small
    /// symmetric matrices of a scale).
    pub(crate) fn symmetric_eigen(&self) -> (Vec<f64>, Matrix) {
        let n = self.n;
        let mut a = self.clone();
        let mut v = Matrix::zeros(n);
        for i in 0..n {
            v.set(i, i, 1.0);
        }
        for sweep in 0..100 {
            let off: f64 = (0..n)
                .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
                .map(|(i, j)| a.get(i, j).powi(2))
                .sum();
            if off == 0.0 || !off.is_finite() {
                break;
            }
            for p in 0..n {
                for q in (p + 1)..n {
                    let apq = a.get(p, q);
                    if apq == 0.0 {
                        continue;
                    }
                    let (app, aqq) = (a.get(p, p), a.get(q, q));
                    // After a few sweeps, an element too small to change either diagonal entry
                    // is zero (Numerical Recipes' rule): the sweeps then end.
                    let g = 100.0 * apq.abs();
                    if sweep > 3 && app.abs() + g == app.abs() && aqq.abs() + g == aqq.abs() {
                        a.set(p, q, 0.0);
                        a.set(q, p, 0.0);
                        continue;
                    }
                    let theta = (aqq - app) / (2.0 * apq);
                    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                    let t = if theta == 0.0 { 1.0 } else { t };
                    let c = 1.0 / (t * t + 1.0).sqrt();
                    let s = t * c;
                    for k in 0..n {
                        let (akp, akq) = (a.get(k, p), a.get(k, q));
                        a.set(k, p, c * akp - s * akq);
                        a.set(k, q, s * akp + c * akq);
                    }
                    for k in 0..n {
                        let (apk, aqk) = (a.get(p, k), a.get(q, k));
                        a.set(p, k, c * apk - s * aqk);
                        a.set(q, k, s * apk + c * aqk);
                    }
                    for k in 0..n {
                        let (vkp, vkq) = (v.get(k, p), v.get(k, q));
                        v.set(k, p, c * vkp - s * vkq);
                        v.set(k, q, s * vkp + c * vkq);
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&x, &y| a.get(y, y).total_cmp(&a.get(x, x)));
        let values: Vec<f64> = order.iter().map(|&i| a.get(i, i)).collect();
        let mut vectors = Matrix::zeros(n);
        for (col, &i) in order.iter().enumerate() {
            for k in 0..n {
                vectors.set(k, col, v.get(k, i));
            }
        }
        (values, vectors)
    }

    /// The Moore-Penrose inverse of a symmetric matrix, dropping eigen directions whose
    /// |eigenvalue| is at most `sqrt(eps)` times the largest (psych's `Pinv`, whose singular
    /// values are these |eigenvalues|).
    pub(crate) fn pinv(&self) -> Matrix {
        let n = self.n;
        let (values, vectors) = self.symmetric_eigen();
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let tol = f64::EPSILON.sqrt() * largest;
        let mut out = Matrix::zeros(n);
        for (k, &lambda) in values.iter().enumerate() {
            if lambda.abs() <= tol || lambda == 0.0 {
                continue;
            }
            for i in 0..n {
                for j in 0..n {
                    let add = vectors.get(i, k) * vectors.get(j, k) / lambda;
                    out.set(i, j, out.get(i, j) + add);
                }
            }
        }
        out
    }

    /// Squared multiple correlations of each variable on the others, from a correlation matrix:
    /// `1 - 1 / [Pinv(R)]_ii`, clamped to `0..=1` (psych's `smc`).
    pub(crate) fn smc(&self) -> Vec<f64> {
        let inv = self.pinv();
        (0..self.n)
            .map(|i| (1.0 - 1.0 / inv.get(i, i)).clamp(0.0, 1.0))
            .collect()
    }

    /// The lower-triangle elements (below the diagonal), row by row.
    pub(crate) fn lower(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.n * self.n.saturating_sub(1) / 2);
        for j in 0..self.n {
            for i in (j + 1)..self.n {
                out.push(self.get(i, j));
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    #[test]
    fn eigen_and_pinv_of_a_small_matrix() {
        let mut m = Matrix::zeros(3);
        let vals = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        for i in 0..3 {
            for j in 0..3 {
                m.set(i, j, vals[i][j]);
            }
        }
        let (l, v) = m.symmetric_eigen();
        assert!(l[0] >= l[1] && l[1] >= l[2]);
        // A v = lambda v for each pair.
        for k in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|j| m.get(i, j) * v.get(j, k)).sum();
                assert!((av - l[k] * v.get(i, k)).abs() < 1e-13);
            }
        }
        // M Pinv(M) = I for a regular matrix.
        let p = m.pinv();
        for i in 0..3 {
            for j in 0..3 {
                let x: f64 = (0..3).map(|k| m.get(i, k) * p.get(k, j)).sum();
                assert!((x - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13);
            }
        }
    }
}
