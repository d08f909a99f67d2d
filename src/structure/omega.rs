//! Omega hierarchical as `psych::omega(x, nfactors = k)` computes it: minres factoring of the
//! pairwise correlations (psych's `fa(rotate = "varimax")`), the oblimin rotation
//! (GPArotation's `GPFoblq`), a one-factor minres solution of the factor correlations, the
//! Schmid-Leiman transformation, and omega hierarchical, omega total, alpha and the group
//! factors' shares (psych's `omega.group`).
//!
//! Each step follows its peer's iterations and stopping rules (L-BFGS-B 2.3 for minres,
//! `stats::varimax` at eps 1e-5, `GPFoblq` at eps 1e-5), so the results agree with psych far
//! below the precision those rules give (about 1e-5).

// Dense numerics over small matrices whose sizes are fixed by construction: index loops read
// as the formulas do.
#![allow(clippy::needless_range_loop)]

use crate::error::{ErrorKind, Result};
use std::cell::RefCell;

use crate::stats::{Matrix, lbfgsb};

use super::data::{Observations, pairwise_correlations};

/// Options of omega hierarchical: the number of group factors.
///
/// ```
/// use therapeutic_alliance::structure::{Observations, OmegaOptions};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Nine items, three groups of three, and a general factor (simulated).
/// let rows: Vec<Vec<Option<f64>>> = (0..300u32)
///     .map(|i| {
///         let g = f64::from((i * 37) % 11) - 5.0;
///         (0..9u32).map(|j| {
///             let s = f64::from((i * (j / 3 + 2) * 131) % 7) - 3.0;
///             let e = f64::from((i * (j + 5) * 7919) % 13) / 3.0 - 2.0;
///             Some(0.6 * g + 0.5 * s + e)
///         }).collect()
///     })
///     .collect();
/// let names: Vec<String> = (1..=9).map(|j| format!("i{j}")).collect();
/// let data = Observations::from_rows(names, &rows)?;
/// let omega = OmegaOptions::new(3)?.analyze(&data)?;
/// assert!(omega.omega_h <= omega.omega_total && omega.omega_total <= 1.0);
/// assert_eq!(omega.groups.len(), 4); // g, then F1*, F2*, F3*
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct OmegaOptions {
    factors: usize,
}

/// One row of psych's `omega.group`: a factor's omega total, general and group shares over
/// the items it (or, for `g`, every factor) defines.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct OmegaGroup {
    /// `g` for the general factor, `F1*`, `F2*`, ... for the group factors (psych's names).
    pub name: String,
    /// The reliable share of the items' total score: general plus group. `None` for a group
    /// factor that is no item's largest (psych's `NA`).
    pub total: Option<f64>,
    /// The general factor's share.
    pub general: Option<f64>,
    /// The group factor's share (for `g`, the group factors' together).
    pub group: Option<f64>,
}

/// Omega hierarchical with its Schmid-Leiman solution, as `psych::omega()` reports it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct OmegaHierarchical {
    /// The general factor's share of the total-score variance, `(Σ g)² / Vt`.
    pub omega_h: f64,
    /// McDonald's omega total, `(Vt - Σ u²) / Vt`.
    pub omega_total: f64,
    /// The general factor's share of the common variance, `(Σ g)² / (Vt - Σ u²)`.
    pub omega_limit: f64,
    /// Cronbach's alpha of the correlations (items reversed where their general loading is
    /// negative, as psych flips them).
    pub alpha: f64,
    /// `g`, then each group factor.
    pub groups: Vec<OmegaGroup>,
    /// The items, in order.
    pub items: Vec<String>,
    /// Whether psych flipped each item (a negative general loading).
    pub flipped: Vec<bool>,
    /// Each item's general factor loading (after flipping).
    pub general_loadings: Vec<f64>,
    /// Each item's group factor loadings, item by item.
    pub group_loadings: Vec<Vec<f64>>,
    /// Each item's communality and uniqueness.
    pub communalities: Vec<f64>,
    /// The factor correlations of the oblimin solution, row by row.
    pub factor_correlations: Vec<Vec<f64>>,
}

/// A p x m matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
struct Dense {
    r: usize,
    c: usize,
    a: Vec<f64>,
}

impl Dense {
    fn zeros(r: usize, c: usize) -> Dense {
        Dense {
            r,
            c,
            a: vec![0.0; r * c],
        }
    }
    fn identity(n: usize) -> Dense {
        let mut d = Dense::zeros(n, n);
        for i in 0..n {
            d.a[i * n + i] = 1.0;
        }
        d
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.a.get(i * self.c + j).copied().unwrap_or(f64::NAN)
    }
    fn put(&mut self, i: usize, j: usize, v: f64) {
        if let Some(x) = self.a.get_mut(i * self.c + j) {
            *x = v;
        }
    }
    fn mul(&self, b: &Dense) -> Dense {
        let mut out = Dense::zeros(self.r, b.c);
        for i in 0..self.r {
            for j in 0..b.c {
                let mut s = 0.0;
                for k in 0..self.c {
                    s += self.at(i, k) * b.at(k, j);
                }
                out.put(i, j, s);
            }
        }
        out
    }
    fn t(&self) -> Dense {
        let mut out = Dense::zeros(self.c, self.r);
        for i in 0..self.r {
            for j in 0..self.c {
                out.put(j, i, self.at(i, j));
            }
        }
        out
    }
    /// The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting (as
    /// LAPACK's LU does for R's `solve`); `None` when singular.
    fn inverse(&self) -> Option<Dense> {
        let n = self.r;
        let mut a = self.clone();
        let mut inv = Dense::identity(n);
        for col in 0..n {
            let pivot =
                (col..n).max_by(|&x, &y| a.at(x, col).abs().total_cmp(&a.at(y, col).abs()))?;
            let pv = a.at(pivot, col);
            if pv == 0.0 || !pv.is_finite() {
                return None;
            }
            if pivot != col {
                for j in 0..n {
                    let (x, y) = (a.at(col, j), a.at(pivot, j));
                    a.put(col, j, y);
                    a.put(pivot, j, x);
                    let (x, y) = (inv.at(col, j), inv.at(pivot, j));
                    inv.put(col, j, y);
                    inv.put(pivot, j, x);
                }
            }
            for j in 0..n {
                a.put(col, j, a.at(col, j) / pv);
                inv.put(col, j, inv.at(col, j) / pv);
            }
            for i in 0..n {
                if i == col {
                    continue;
                }
                let factor = a.at(i, col);
                if factor == 0.0 {
                    continue;
                }
                for j in 0..n {
                    a.put(i, j, a.at(i, j) - factor * a.at(col, j));
                    inv.put(i, j, inv.at(i, j) - factor * inv.at(col, j));
                }
            }
        }
        Some(inv)
    }
}

const SCALE: f64 = 0.01;

/// The minres loadings at uniquenesses `psi`: the top `nf` eigenpairs of R with diagonal
/// `1 - psi`, `v sqrt(max(lambda, 0))` (psych's `FAout.wls`).
fn minres_loadings(r: &Matrix, psi: &[f64], nf: usize) -> Dense {
    minres_loadings_of(r.n, &reduced_eigen(r, psi), nf)
}

/// Eigenvalues (descending) and eigenvectors (columns).
type Eigen = (Vec<f64>, Matrix);

/// The eigen decomposition of R with diagonal `1 - psi`.
fn reduced_eigen(r: &Matrix, psi: &[f64]) -> Eigen {
    let mut s = r.clone();
    for (i, p) in psi.iter().enumerate() {
        s.set(i, i, 1.0 - p);
    }
    s.symmetric_eigen()
}

/// [`minres_loadings`] from [`reduced_eigen`] of `n` variables.
fn minres_loadings_of(n: usize, (values, vectors): &Eigen, nf: usize) -> Dense {
    let mut l = Dense::zeros(n, nf);
    for f in 0..nf {
        let root = values.get(f).copied().unwrap_or(0.0).max(0.0).sqrt();
        for i in 0..n {
            l.put(i, f, vectors.get(i, f) * root);
        }
    }
    l
}

/// psych's `fit.residuals` (minres): the sum of squared lower-triangle residuals of the
/// `nf`-factor model, eigenvalues below machine epsilon set to 100 eps.
fn minres_objective(r: &Matrix, (values, vectors): &Eigen, nf: usize) -> f64 {
    let n = r.n;
    let mut load = vec![0.0; n * nf];
    for f in 0..nf {
        let v = values.get(f).copied().unwrap_or(0.0);
        let v = if v < f64::EPSILON {
            100.0 * f64::EPSILON
        } else {
            v
        };
        for i in 0..n {
            load[i * nf + f] = vectors.get(i, f) * v.sqrt();
        }
    }
    let mut total = 0.0;
    for j in 0..n {
        for i in (j + 1)..n {
            let model: f64 = (0..nf).map(|f| load[i * nf + f] * load[j * nf + f]).sum();
            total += (r.get(i, j) - model).powi(2);
        }
    }
    total
}

/// psych's `fa(r, nf, fm = "minres")` fit: L-BFGS-B on the uniquenesses from `1 - smc`
/// (`parscale` 0.01, bounds 0.005 and 1), then the loadings, their columns signed to positive
/// sums and exact zeros set to 1e-15.
fn minres(r: &Matrix, nf: usize) -> Dense {
    let smc = r.smc();
    let upper = smc.iter().fold(1.0f64, |m, v| m.max(*v));
    let (lower, upper) = (0.005 / SCALE, upper / SCALE);
    // L-BFGS-B asks for the objective and then the gradient at each point: one eigen
    // decomposition serves both.
    let last: RefCell<Option<(Vec<f64>, Eigen)>> = RefCell::new(None);
    let eigen = |psi: &[f64]| -> Eigen {
        if let Some((at, e)) = &*last.borrow()
            && at.as_slice() == psi
        {
            return e.clone();
        }
        let e = reduced_eigen(r, psi);
        *last.borrow_mut() = Some((psi.to_vec(), e.clone()));
        e
    };
    let f = |y: &[f64]| {
        let psi: Vec<f64> = y.iter().map(|v| v * SCALE).collect();
        minres_objective(r, &eigen(&psi), nf)
    };
    let g = |y: &[f64]| -> Vec<f64> {
        let psi: Vec<f64> = y.iter().map(|v| v * SCALE).collect();
        let l = minres_loadings_of(r.n, &eigen(&psi), nf);
        (0..r.n)
            .map(|i| {
                let h2: f64 = (0..nf).map(|k| l.at(i, k).powi(2)).sum();
                (h2 + psi[i] - 1.0) * SCALE
            })
            .collect()
    };
    let y0: Vec<f64> = smc
        .iter()
        .map(|s| ((1.0 - s) / SCALE).clamp(lower, upper))
        .collect();
    let y = lbfgsb(y0, (lower, upper), f, g);
    let psi: Vec<f64> = y.iter().map(|v| v * SCALE).collect();
    let mut l = minres_loadings(r, &psi, nf);
    for k in 0..nf {
        let sum: f64 = (0..r.n).map(|i| l.at(i, k)).sum();
        if sum < 0.0 {
            for i in 0..r.n {
                l.put(i, k, -l.at(i, k));
            }
        }
    }
    for v in &mut l.a {
        if *v == 0.0 {
            *v = 1e-15;
        }
    }
    l
}

/// `U V'` of the SVD `B = U D V'` (the polar factor) and `sum(D)`, from the eigen
/// decomposition of `B'B`; `None` when B is singular.
fn polar(b: &Dense) -> Option<(Dense, f64)> {
    let n = b.c;
    let btb = b.t().mul(b);
    let mut m = Matrix::zeros(n);
    for i in 0..n {
        for j in 0..n {
            m.set(i, j, btb.at(i, j));
        }
    }
    let (values, vectors) = m.symmetric_eigen();
    if values.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return None;
    }
    let mut inv_sqrt = Dense::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            let s: f64 = (0..n)
                .map(|k| vectors.get(i, k) * vectors.get(j, k) / values[k].sqrt())
                .sum();
            inv_sqrt.put(i, j, s);
        }
    }
    Some((b.mul(&inv_sqrt), values.iter().map(|v| v.sqrt()).sum()))
}

/// R's `stats::varimax(x)` (Kaiser-normalized, eps 1e-5).
fn varimax(x: &Dense) -> Option<Dense> {
    let (p, nc) = (x.r, x.c);
    if nc < 2 {
        return Some(x.clone());
    }
    let sc: Vec<f64> = (0..p)
        .map(|i| (0..nc).map(|k| x.at(i, k).powi(2)).sum::<f64>().sqrt())
        .collect();
    let mut xn = x.clone();
    for i in 0..p {
        for k in 0..nc {
            xn.put(i, k, x.at(i, k) / sc[i]);
        }
    }
    let mut tt = Dense::identity(nc);
    let mut d = 0.0;
    for _ in 0..1000 {
        let z = xn.mul(&tt);
        let col_sq: Vec<f64> = (0..nc)
            .map(|k| (0..p).map(|i| z.at(i, k).powi(2)).sum())
            .collect();
        let mut inner = Dense::zeros(p, nc);
        for i in 0..p {
            for k in 0..nc {
                let zv = z.at(i, k);
                inner.put(i, k, zv.powi(3) - zv * col_sq[k] / p as f64);
            }
        }
        let b = xn.t().mul(&inner);
        let (t_new, dsum) = polar(&b)?;
        tt = t_new;
        let dpast = d;
        d = dsum;
        if d < dpast * (1.0 + 1e-5) {
            break;
        }
    }
    let mut z = xn.mul(&tt);
    for i in 0..p {
        for k in 0..nc {
            z.put(i, k, z.at(i, k) * sc[i]);
        }
    }
    Some(z)
}

/// GPArotation's `vgQ.oblimin` with gamma 0 (quartimin): the criterion and its gradient.
fn quartimin(l: &Dense) -> (f64, Dense) {
    let (p, m) = (l.r, l.c);
    let mut gq = Dense::zeros(p, m);
    let mut f = 0.0;
    for i in 0..p {
        let total: f64 = (0..m).map(|k| l.at(i, k).powi(2)).sum();
        for j in 0..m {
            let x = total - l.at(i, j).powi(2);
            gq.put(i, j, l.at(i, j) * x);
            f += l.at(i, j).powi(2) * x;
        }
    }
    (f / 4.0, gq)
}

/// GPArotation's `GPFoblq(A, method = "oblimin")` from the identity (eps 1e-5, at most 1000
/// iterations): the rotated loadings and the rotation matrix T (factor correlations T'T).
fn oblimin(a: &Dense) -> Result<(Dense, Dense)> {
    let m = a.c;
    let failed = || -> crate::Error {
        ErrorKind::NotConverged {
            what: "the oblimin rotation",
            iterations: 1000,
        }
        .into()
    };
    let mut tmat = Dense::identity(m);
    let mut al = 1.0;
    let mut l = a.mul(&tmat.inverse().ok_or_else(failed)?.t());
    let (mut f, gq) = quartimin(&l);
    let gradient = |l: &Dense, gq: &Dense, t: &Dense| -> Option<Dense> {
        let g = l.t().mul(gq).mul(&t.inverse()?).t();
        Some(Dense {
            r: g.r,
            c: g.c,
            a: g.a.iter().map(|v| -v).collect(),
        })
    };
    let mut g = gradient(&l, &gq, &tmat).ok_or_else(failed)?;
    let mut converged = false;
    for _ in 0..=1000 {
        // Gp = G - T diag(colSums(T * G))
        let d: Vec<f64> = (0..m)
            .map(|k| (0..m).map(|i| tmat.at(i, k) * g.at(i, k)).sum())
            .collect();
        let mut gp = g.clone();
        for i in 0..m {
            for k in 0..m {
                gp.put(i, k, g.at(i, k) - tmat.at(i, k) * d[k]);
            }
        }
        let s = gp.a.iter().map(|v| v * v).sum::<f64>().sqrt();
        if s < 1e-5 {
            converged = true;
            break;
        }
        al *= 2.0;
        let mut tmatt = tmat.clone();
        let mut ft = f;
        let mut gqt = Dense::zeros(l.r, m);
        for _ in 0..=10 {
            let mut x = tmat.clone();
            for (xv, gv) in x.a.iter_mut().zip(&gp.a) {
                *xv -= al * gv;
            }
            tmatt = x.clone();
            for k in 0..m {
                let norm = (0..m).map(|i| x.at(i, k).powi(2)).sum::<f64>().sqrt();
                for i in 0..m {
                    tmatt.put(i, k, x.at(i, k) / norm);
                }
            }
            l = a.mul(&tmatt.inverse().ok_or_else(failed)?.t());
            let (fv, gv) = quartimin(&l);
            ft = fv;
            gqt = gv;
            if f - ft > 0.5 * s * s * al {
                break;
            }
            al /= 2.0;
        }
        tmat = tmatt;
        f = ft;
        g = gradient(&l, &gqt, &tmat).ok_or_else(failed)?;
    }
    if !converged {
        return Err(failed());
    }
    Ok((l, tmat))
}

/// Omega total from one minres factor of the correlation matrix `r` (psych's
/// `omega(nfactors = 1)`): `(sum(R) - k + sum(loadings²)) / sum(R)`; `None` when it is not
/// finite.
pub(crate) fn omega_total_one_factor(r: &Matrix) -> Option<f64> {
    let l = minres(r, 1);
    let vt = r.sum();
    let h2: f64 = l.a.iter().map(|v| v * v).sum();
    let total = (vt - r.n as f64 + h2) / vt;
    total.is_finite().then_some(total)
}

impl OmegaOptions {
    /// Omega hierarchical with `factors` group factors (psych's `nfactors`, at least 2: with
    /// one factor omega hierarchical is omega total, which
    /// [`reliability`](crate::reliability) reports).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for fewer than 2 factors.
    pub fn new(factors: usize) -> Result<Self> {
        if factors < 2 {
            return Err(ErrorKind::InvalidOption {
                option: "factors",
                value: factors.to_string(),
                reason: "omega hierarchical needs at least 2 group factors".into(),
            }
            .into());
        }
        Ok(OmegaOptions { factors })
    }

    /// The number of group factors.
    pub fn factors(&self) -> usize {
        self.factors
    }

    /// Omega hierarchical of every variable of `data`, from their pairwise correlations (each
    /// pair over the rows answering both, R's `cor(use = "pairwise")`), as
    /// `psych::omega(data, nfactors)` computes it.
    ///
    /// Checked against psych 2.2.9 on 15 bfi items and on simulated WAI-SR-shaped answers
    /// (`tests/structure_omega.rs`).
    ///
    /// # Errors
    /// - [`ErrorKind::TooFewItems`]: fewer than `2 * factors + 1` variables;
    /// - [`ErrorKind::TooFewPairs`]-like data problems as [`ErrorKind::InvalidData`]: a pair of
    ///   variables answered together in fewer than two rows, or a variable with no variance;
    /// - [`ErrorKind::NotConverged`]: the oblimin rotation did not converge in 1000 iterations.
    pub fn analyze(&self, data: &Observations) -> Result<OmegaHierarchical> {
        let p = data.names().len();
        let needed = 2 * self.factors + 1;
        if p < needed {
            return Err(ErrorKind::TooFewItems {
                target: "data".into(),
                items: p,
                statistic: "omega hierarchical",
                needed,
            }
            .into());
        }
        let cols: Vec<usize> = (0..p).collect();
        let r = pairwise_correlations(data, &cols).ok_or_else(|| -> crate::Error {
            ErrorKind::InvalidData {
                reason: "a pair of variables has fewer than two rows in common, or a variable does not vary".into(),
            }
            .into()
        })?;
        self.analyze_correlations(data.names(), &r)
    }

    /// As [`OmegaOptions::analyze`], from a correlation matrix.
    fn analyze_correlations(&self, names: &[String], r: &Matrix) -> Result<OmegaHierarchical> {
        let nf = self.factors;
        let p = r.n;
        if r.spd_inverse().is_none() {
            return Err(ErrorKind::NotPositiveDefinite {
                what: "correlation matrix",
            }
            .into());
        }
        // psych's fa(rotate = "varimax"): minres, varimax, signs, factors by variance.
        let unrotated = minres(r, nf);
        let rotated = varimax(&unrotated).ok_or(ErrorKind::NotConverged {
            what: "the varimax rotation",
            iterations: 0,
        })?;
        let mut orth = rotated;
        for k in 0..nf {
            let sum: f64 = (0..p).map(|i| orth.at(i, k)).sum();
            if sum < 0.0 {
                for i in 0..p {
                    orth.put(i, k, -orth.at(i, k));
                }
            }
        }
        let ev: Vec<f64> = (0..nf)
            .map(|k| (0..p).map(|i| orth.at(i, k).powi(2)).sum())
            .collect();
        let mut order: Vec<usize> = (0..nf).collect();
        order.sort_by(|&a, &b| ev[b].total_cmp(&ev[a]));
        let mut sorted = Dense::zeros(p, nf);
        for (k, &from) in order.iter().enumerate() {
            for i in 0..p {
                sorted.put(i, k, orth.at(i, from));
            }
        }
        let orth = sorted;
        // GPArotation's oblimin.
        let (fload, tmat) = oblimin(&orth)?;
        let phi = tmat.t().mul(&tmat);
        // The general factor: one minres factor of the factor correlations, or (two factors)
        // psych's option "equal".
        let gload: Vec<f64> = if nf > 2 {
            let mut pm = Matrix::zeros(nf);
            for i in 0..nf {
                for j in 0..nf {
                    pm.set(i, j, phi.at(i, j));
                }
            }
            let g = minres(&pm, 1);
            let mut v: Vec<f64> = (0..nf).map(|i| g.at(i, 0)).collect();
            if v.iter().sum::<f64>() < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            v
        } else {
            let c = phi.at(0, 1);
            vec![c.abs().sqrt(), c.signum() * c.abs().sqrt()]
        };
        // Schmid-Leiman.
        let mut general: Vec<f64> = (0..p)
            .map(|i| (0..nf).map(|k| fload.at(i, k) * gload[k]).sum())
            .collect();
        let h2: Vec<f64> = (0..p)
            .map(|i| (0..nf).map(|k| orth.at(i, k).powi(2)).sum())
            .collect();
        let u2: Vec<f64> = h2.iter().map(|h| 1.0 - h).collect();
        let mut groups: Vec<Vec<f64>> = (0..p)
            .map(|i| {
                (0..nf)
                    .map(|k| {
                        let l = fload.at(i, k);
                        let uniq2 = (l * l - (l * gload[k]).powi(2)).max(0.0);
                        l.signum() * uniq2.sqrt()
                    })
                    .collect()
            })
            .collect();
        // psych flips items whose general loading is negative.
        let flipped: Vec<bool> = general.iter().map(|g| *g < 0.0).collect();
        let key: Vec<f64> = flipped
            .iter()
            .map(|&f| if f { -1.0 } else { 1.0 })
            .collect();
        for i in 0..p {
            general[i] *= key[i];
            for v in &mut groups[i] {
                *v *= key[i];
            }
        }
        let m = |i: usize, j: usize| key[i] * key[j] * r.get(i, j);
        let vt: f64 = (0..p)
            .flat_map(|i| (0..p).map(move |j| (i, j)))
            .map(|(i, j)| m(i, j))
            .sum();
        let vitem = p as f64;
        let gsum: f64 = general.iter().sum();
        let gsq = gsum * gsum;
        let uniq: f64 = u2.iter().sum();
        let omega_total = (vt - uniq) / vt;
        let omega_h = gsq / vt;
        let omega_limit = gsq / (vt - uniq);
        let alpha = (vt - vitem) / vt * (p as f64 / (p as f64 - 1.0));
        // omega.group: each item to its largest group loading (the first on ties).
        let sub: Vec<usize> = groups
            .iter()
            .map(|row| {
                let mut best = 0;
                for (k, v) in row.iter().enumerate() {
                    if v.abs() > row[best].abs() {
                        best = k;
                    }
                }
                best
            })
            .collect();
        let mut out_groups = vec![OmegaGroup {
            name: "g".into(),
            total: Some(omega_total),
            general: Some(gsq / vt),
            group: None,
        }];
        let mut grs = 0.0;
        for k in 0..nf {
            let items: Vec<usize> = (0..p).filter(|&i| sub[i] == k).collect();
            let name = format!("F{}*", k + 1);
            if items.is_empty() {
                out_groups.push(OmegaGroup {
                    name,
                    total: None,
                    general: None,
                    group: None,
                });
                continue;
            }
            let vgr: f64 = items
                .iter()
                .flat_map(|&i| items.iter().map(move |&j| (i, j)))
                .map(|(i, j)| m(i, j))
                .sum();
            let gr: f64 = items.iter().map(|&i| groups[i][k]).sum();
            let gg: f64 = items.iter().map(|&i| general[i]).sum();
            grs += gr * gr;
            out_groups.push(OmegaGroup {
                name,
                total: Some((gr * gr + gg * gg) / vgr),
                general: Some(gg * gg / vgr),
                group: Some(gr * gr / vgr),
            });
        }
        if let Some(g) = out_groups.first_mut() {
            g.group = Some(grs / vt);
        }
        Ok(OmegaHierarchical {
            omega_h,
            omega_total,
            omega_limit,
            alpha,
            groups: out_groups,
            items: names.to_vec(),
            flipped,
            general_loadings: general,
            group_loadings: groups,
            communalities: h2,
            factor_correlations: (0..nf)
                .map(|i| (0..nf).map(|j| phi.at(i, j)).collect())
                .collect(),
        })
    }
}
