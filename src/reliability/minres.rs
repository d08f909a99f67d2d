//! The one-factor minimum-residual (minres) solution, as psych's `fa(fm = "minres")` finds it.
//!
//! psych minimizes the off-diagonal residuals over the uniquenesses with R's `optim` (L-BFGS-B
//! 2.3, `parscale = 0.01`, bounds `[0.005, 1]`, default tolerances) and uses wherever the
//! optimizer stops, which differs from the exact optimum by about 1e-8 relative in omega. To agree
//! with psych to 1e-9 this module follows the same path: L-BFGS-B's generalized Cauchy point and
//! subspace minimization (memory 5, the limited-memory matrix kept dense), the Moré-Thuente line
//! search of MINPACK-2 (`dcsrch`/`dcstep`, ftol 1e-3, gtol 0.9, xtol 0.1) and the stopping rule on
//! the relative reduction of the objective (factr 1e7). A path that touches a bound is followed
//! too (tested on data where a uniqueness reaches 1 on the way).
//!
//! Moré, J. J., & Thuente, D. J. (1994). Line search algorithms with guaranteed sufficient
//! decrease. ACM Transactions on Mathematical Software, 20(3), 286-307. Byrd, R. H., Lu, P.,
//! Nocedal, J., & Zhu, C. (1995). A limited memory algorithm for bound constrained
//! optimization. SIAM Journal on Scientific Computing, 16(5), 1190-1208.

use crate::stats::{Matrix, lbfgsb};

const SCALE: f64 = 0.01;
const LOWER: f64 = 0.005 / SCALE;
const UPPER: f64 = 1.0 / SCALE;

/// The fitted one-factor model: loadings and uniquenesses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OneFactor {
    pub(crate) loadings: Vec<f64>,
    pub(crate) uniquenesses: Vec<f64>,
}

/// The top eigenpair of `r` with its diagonal replaced by `1 - psi`, as loadings
/// `v1 sqrt(max(lambda1, 0))`.
fn loadings(r: &Matrix, psi: &[f64]) -> Vec<f64> {
    let mut s = r.clone();
    for (i, p) in psi.iter().enumerate() {
        s.set(i, i, 1.0 - p);
    }
    let (values, vectors) = s.symmetric_eigen();
    let l1 = values.first().copied().unwrap_or(0.0).max(0.0).sqrt();
    (0..r.n).map(|i| vectors.get(i, 0) * l1).collect()
}

/// psych's `fit.residuals`: the sum of squared lower-triangle residuals of the one-factor model.
fn objective(r: &Matrix, psi: &[f64]) -> f64 {
    let mut s = r.clone();
    for (i, p) in psi.iter().enumerate() {
        s.set(i, i, 1.0 - p);
    }
    let (values, vectors) = s.symmetric_eigen();
    // Eigenvalues below machine epsilon are set to 100 eps (psych); only the first is used.
    let l1 = values.first().copied().unwrap_or(0.0);
    let l1 = if l1 < f64::EPSILON {
        100.0 * f64::EPSILON
    } else {
        l1
    };
    let load: Vec<f64> = (0..r.n).map(|i| vectors.get(i, 0) * l1.sqrt()).collect();
    let mut f = 0.0;
    for j in 0..r.n {
        for i in (j + 1)..r.n {
            f += (r.get(i, j) - load[i] * load[j]).powi(2);
        }
    }
    f
}

/// psych's `FAgr.minres`: `L_i² + psi_i - 1` (the communality mismatch, not the gradient of
/// the objective; the optimizer's path depends on it).
fn pseudo_gradient(r: &Matrix, psi: &[f64]) -> Vec<f64> {
    loadings(r, psi)
        .iter()
        .zip(psi)
        .map(|(l, p)| l * l + p - 1.0)
        .collect()
}

/// Fits one factor to the correlation matrix `r` by minres, starting from `1 - smc`.
pub(crate) fn one_factor(r: &Matrix) -> OneFactor {
    let smc = r.smc();
    let f = |y: &[f64]| objective(r, &y.iter().map(|v| v * SCALE).collect::<Vec<_>>());
    let g = |y: &[f64]| -> Vec<f64> {
        pseudo_gradient(r, &y.iter().map(|v| v * SCALE).collect::<Vec<_>>())
            .iter()
            .map(|v| v * SCALE)
            .collect()
    };
    let y0: Vec<f64> = smc
        .iter()
        .map(|s| ((1.0 - s) / SCALE).clamp(LOWER, UPPER))
        .collect();
    let y = lbfgsb(y0, (LOWER, UPPER), f, g);
    let psi: Vec<f64> = y.iter().map(|v| v * SCALE).collect();
    let mut load = loadings(r, &psi);
    if load.iter().sum::<f64>() < 0.0 {
        for l in &mut load {
            *l = -*l;
        }
    }
    OneFactor {
        loadings: load,
        uniquenesses: psi,
    }
}
