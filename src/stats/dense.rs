//! Dense square-matrix arithmetic beyond the symmetric eigen problem: products, the Cholesky
//! factor, the log-determinant and inverse of a positive-definite matrix, and the solution of a
//! symmetric positive-definite system (for the covariance structures of factor models).

use super::linalg::Matrix;

impl Matrix {
    /// The identity of order `n`.
    pub(crate) fn identity(n: usize) -> Matrix {
        let mut m = Matrix::zeros(n);
        for i in 0..n {
            m.set(i, i, 1.0);
        }
        m
    }

    /// `self * other` (both of the same order).
    pub(crate) fn mul(&self, other: &Matrix) -> Matrix {
        let n = self.n;
        let mut out = Matrix::zeros(n);
        if self.a.len() != n * n || other.a.len() != n * n {
            return out;
        }
        for (i, row) in out.a.chunks_mut(n).enumerate() {
            for (k, &a) in self.a[i * n..i * n + n].iter().enumerate() {
                if a == 0.0 {
                    continue;
                }
                for (o, &b) in row.iter_mut().zip(&other.a[k * n..k * n + n]) {
                    *o += a * b;
                }
            }
        }
        out
    }

    /// The lower-triangular Cholesky factor `L` with `L L' = self`, or `None` when the matrix is
    /// not (numerically) positive definite.
    pub(crate) fn cholesky(&self) -> Option<Matrix> {
        let n = self.n;
        let mut l = Matrix::zeros(n);
        for j in 0..n {
            let mut d = self.get(j, j);
            for k in 0..j {
                d -= l.get(j, k) * l.get(j, k);
            }
            if d.is_nan() || d <= 0.0 || !d.is_finite() {
                return None;
            }
            let djj = d.sqrt();
            l.set(j, j, djj);
            for i in (j + 1)..n {
                let mut s = self.get(i, j);
                for k in 0..j {
                    s -= l.get(i, k) * l.get(j, k);
                }
                l.set(i, j, s / djj);
            }
        }
        Some(l)
    }

    /// The natural log of the determinant of a positive-definite matrix, with its inverse;
    /// `None` when it is not positive definite.
    pub(crate) fn spd_inverse(&self) -> Option<(f64, Matrix)> {
        let n = self.n;
        let l = self.cholesky()?;
        let log_det = 2.0 * (0..n).map(|i| l.get(i, i).ln()).sum::<f64>();
        // Inverse of L by forward substitution, then (L^-1)' L^-1.
        let mut li = Matrix::zeros(n);
        for j in 0..n {
            li.set(j, j, 1.0 / l.get(j, j));
            for i in (j + 1)..n {
                let mut s = 0.0;
                for k in j..i {
                    s -= l.get(i, k) * li.get(k, j);
                }
                li.set(i, j, s / l.get(i, i));
            }
        }
        let mut inv = Matrix::zeros(n);
        for i in 0..n {
            for j in 0..=i {
                let s: f64 = (i..n).map(|k| li.get(k, i) * li.get(k, j)).sum();
                inv.set(i, j, s);
                inv.set(j, i, s);
            }
        }
        Some((log_det, inv))
    }

    /// Solves `self x = rhs` for a symmetric positive-definite `self` (Cholesky); `None` when
    /// it is not positive definite.
    pub(crate) fn spd_solve(&self, rhs: &[f64]) -> Option<Vec<f64>> {
        let n = self.n;
        let l = self.cholesky()?;
        let mut y = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..i).map(|k| l.get(i, k) * y[k]).sum();
            y[i] = (rhs.get(i).copied().unwrap_or(0.0) - s) / l.get(i, i);
        }
        let mut x = vec![0.0; n];
        for i in (0..n).rev() {
            let s: f64 = ((i + 1)..n).map(|k| l.get(k, i) * x[k]).sum();
            x[i] = (y[i] - s) / l.get(i, i);
        }
        Some(x)
    }
}

/// `Σ a_i b_i` with eight independent partial sums (so the compiler can vectorize it; the
/// order of the additions is fixed, so the result is deterministic).
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        if let (Ok(x), Ok(y)) = (<&[f64; 8]>::try_from(x), <&[f64; 8]>::try_from(y)) {
            for k in 0..8 {
                acc[k] += x[k] * y[k];
            }
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    #[test]
    fn inverse_and_solve_of_a_positive_definite_matrix() {
        let mut m = Matrix::zeros(3);
        let vals = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        for i in 0..3 {
            for j in 0..3 {
                m.set(i, j, vals[i][j]);
            }
        }
        let Some((log_det, inv)) = m.spd_inverse() else {
            panic!("positive definite")
        };
        // det = 4(6 - .04) - 1(2 - .1) + .5(.2 - 1.5) = 23.84 - 1.9 - .65
        assert!((log_det - 21.29f64.ln()).abs() < 1e-14);
        let prod = m.mul(&inv);
        for i in 0..3 {
            for j in 0..3 {
                let e = if i == j { 1.0 } else { 0.0 };
                assert!((prod.get(i, j) - e).abs() < 1e-14);
            }
        }
        let x = m.spd_solve(&[1.0, 2.0, 3.0]).unwrap_or_default();
        for i in 0..3 {
            let b: f64 = (0..3).map(|j| m.get(i, j) * x[j]).sum();
            assert!((b - [1.0, 2.0, 3.0][i]).abs() < 1e-14);
        }
        m.set(2, 2, -1.0);
        assert!(m.cholesky().is_none());
    }
}
