#![allow(clippy::needless_range_loop)] // dense block arithmetic reads clearest by index

//! The profiled criterion of a linear mixed model with one grouping factor, as lme4 computes it
//! (Bates, Mächler, Bolker & Walker 2015, section 3), with the penalized least squares solved
//! per group in small dense blocks, and the bound-constrained optimizer over theta.

/// The per-group cross products the criterion needs (computed once). With one grouping factor
/// and at most two random terms, every group's block of the penalized least squares is 1 x 1
/// or 2 x 2, so it is stored and factored in closed form without allocation.
pub(super) struct Blocks {
    /// Random-effect terms per group (1 or 2).
    pub(super) q: usize,
    /// Fixed-effect columns.
    pub(super) p: usize,
    /// Observations.
    pub(super) n: usize,
    /// Per group `Z'Z`: `[z0'z0, z0'z1, z1'z1]` (the last two 0 for a random intercept alone).
    pub(super) ztz: Vec<[f64; 3]>,
    /// Per group `Z'X`: two rows of `p` (the second 0 for a random intercept alone), groups one
    /// after another.
    pub(super) ztx: Vec<f64>,
    /// Per group `Z'y`.
    pub(super) zty: Vec<[f64; 2]>,
    /// Per group `X'X` (p x p), groups one after another.
    pub(super) xtx_g: Vec<f64>,
    /// Per group `X'y` (p), groups one after another.
    pub(super) xty_g: Vec<f64>,
    /// Per group `y'y`.
    pub(super) yty_g: Vec<f64>,
    /// `X'X` (p x p).
    pub(super) xtx: Vec<f64>,
    /// `X'y`.
    pub(super) xty: Vec<f64>,
    /// `y'y`.
    pub(super) yty: f64,
}

/// Everything the criterion computes at one theta.
pub(super) struct Solution {
    /// The criterion (REML or ML deviance).
    pub(super) deviance: f64,
    /// Fixed effects.
    pub(super) beta: Vec<f64>,
    /// The penalized residual sum of squares.
    pub(super) r2: f64,
    /// Lower Cholesky factor of the fixed-effect block (p x p).
    pub(super) rx: Vec<f64>,
    /// `log det(L_theta)^2`.
    pub(super) ldet: f64,
    /// `log det(R_X)^2`.
    pub(super) ldetx: f64,
}

/// A group's conditional mode `b` and its conditional covariance over sigma^2
/// (`[var0, cov01, var1]`).
pub(super) type Mode = ([f64; 2], [f64; 3]);

/// The relative covariance factor of one group's random effects, lower triangular:
/// `[[t0, 0], [t1, t2]]` (t1 and t2 are 0 for a random intercept alone).
#[derive(Clone, Copy)]
struct Lambda {
    t0: f64,
    t1: f64,
    t2: f64,
}

impl Lambda {
    fn of(theta: &[f64], q: usize) -> Lambda {
        let at = |i: usize| theta.get(i).copied().unwrap_or(0.0);
        if q == 1 {
            Lambda {
                t0: at(0),
                t1: 0.0,
                t2: 0.0,
            }
        } else {
            Lambda {
                t0: at(0),
                t1: at(1),
                t2: at(2),
            }
        }
    }
}

/// The Cholesky factor `[[l00, 0], [l10, l11]]` of `Lambda' Z'Z Lambda + I` for one group
/// (`l10 = 0`, `l11 = 1` for a random intercept alone), with the reciprocals of its diagonal
/// and its determinant `(l00 l11)^2` (at least 1).
#[derive(Clone, Copy)]
struct GroupFactor {
    l00: f64,
    l10: f64,
    l11: f64,
    i00: f64,
    i11: f64,
    det: f64,
}

impl GroupFactor {
    fn of(s: &[f64; 3], lam: Lambda, q: usize) -> Option<GroupFactor> {
        let Lambda { t0, t1, t2 } = lam;
        if q == 1 {
            let a00 = t0 * t0 * s[0] + 1.0;
            let l00 = a00.sqrt();
            return l00.is_finite().then_some(GroupFactor {
                l00,
                l10: 0.0,
                l11: 1.0,
                i00: 1.0 / l00,
                i11: 1.0,
                det: a00,
            });
        }
        let a00 = t0 * t0 * s[0] + 2.0 * t0 * t1 * s[1] + t1 * t1 * s[2] + 1.0;
        let a01 = (t0 * s[1] + t1 * s[2]) * t2;
        let a11 = t2 * t2 * s[2] + 1.0;
        let l00 = a00.sqrt();
        let i00 = 1.0 / l00;
        let l10 = a01 * i00;
        // Lambda' Z'Z Lambda + I has eigenvalues of at least 1, so d is at least 1 but for
        // rounding.
        let d = (a11 - l10 * l10).max(f64::MIN_POSITIVE);
        let l11 = d.sqrt();
        let det = a00 * d;
        (det.is_finite() && l10.is_finite()).then_some(GroupFactor {
            l00,
            l10,
            l11,
            i00,
            i11: 1.0 / l11,
            det,
        })
    }

    /// `L^-1 Lambda' v` for a vector `v` of the group's two random terms.
    #[inline]
    fn solve(&self, lam: Lambda, v0: f64, v1: f64) -> (f64, f64) {
        let c0 = (lam.t0 * v0 + lam.t1 * v1) * self.i00;
        let c1 = (lam.t2 * v1 - self.l10 * c0) * self.i11;
        (c0, c1)
    }
}

/// `log det(L)^2` summed over groups: the determinants multiplied together and their logarithm
/// taken now and then (one logarithm per group would cost as much as the rest of the criterion).
struct LogDet {
    sum: f64,
    product: f64,
}

impl LogDet {
    fn new() -> Self {
        LogDet {
            sum: 0.0,
            product: 1.0,
        }
    }

    /// Adds a determinant (at least 1).
    #[inline]
    fn add(&mut self, det: f64) {
        if det > 1e150 {
            self.sum += det.ln();
            return;
        }
        self.product *= det;
        if self.product > 1e150 {
            self.sum += self.product.ln();
            self.product = 1.0;
        }
    }

    fn total(&self) -> f64 {
        self.sum + self.product.ln()
    }
}

/// Lower Cholesky factor of a symmetric positive definite `n x n` matrix (row-major), or
/// `None` when it is not (numerically) positive definite.
pub(super) fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = *a.get(i * n + j)?;
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                let scale = a
                    .get(i * n + i)
                    .copied()
                    .unwrap_or(0.0)
                    .abs()
                    .max(f64::MIN_POSITIVE);
                if s.is_nan() || s <= 1e-10 * scale || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Solves `L x = b` in place (L lower, n x n).
fn forward(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

/// Solves `L' x = b` in place (L lower, n x n).
fn backward(l: &[f64], n: usize, b: &mut [f64]) {
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in i + 1..n {
            s -= l[k * n + i] * b[k];
        }
        b[i] = s / l[i * n + i];
    }
}

impl Blocks {
    /// Empty cross products for `groups` groups.
    pub(super) fn new(q: usize, p: usize, groups: usize) -> Blocks {
        Blocks {
            q,
            p,
            n: 0,
            ztz: vec![[0.0; 3]; groups],
            ztx: vec![0.0; 2 * p * groups],
            zty: vec![[0.0; 2]; groups],
            xtx_g: vec![0.0; p * p * groups],
            xty_g: vec![0.0; p * groups],
            yty_g: vec![0.0; groups],
            xtx: vec![0.0; p * p],
            xty: vec![0.0; p],
            yty: 0.0,
        }
    }

    /// Adds one observation of group `g`: its fixed-effect row `x` (p values, the intercept's 1
    /// first), its random-effect row `z` (`[1, slope]`, or `[1, 0]`) and outcome `y`.
    pub(super) fn add(&mut self, g: usize, x: &[f64], z: [f64; 2], y: f64) {
        let p = self.p;
        self.n += 1;
        for (a, &xa) in x.iter().enumerate() {
            for (b, &xb) in x.iter().enumerate() {
                if let Some(v) = self.xtx.get_mut(a * p + b) {
                    *v += xa * xb;
                }
            }
            if let Some(v) = self.xty.get_mut(a) {
                *v += xa * y;
            }
        }
        self.yty += y * y;
        if let Some(block) = self.xtx_g.get_mut(p * p * g..p * p * (g + 1)) {
            for (a, &xa) in x.iter().enumerate() {
                for (b, &xb) in x.iter().enumerate() {
                    if let Some(v) = block.get_mut(a * p + b) {
                        *v += xa * xb;
                    }
                }
            }
        }
        if let Some(block) = self.xty_g.get_mut(p * g..p * (g + 1)) {
            for (v, &xa) in block.iter_mut().zip(x) {
                *v += xa * y;
            }
        }
        if let Some(v) = self.yty_g.get_mut(g) {
            *v += y * y;
        }
        if let Some(s) = self.ztz.get_mut(g) {
            s[0] += z[0] * z[0];
            s[1] += z[0] * z[1];
            s[2] += z[1] * z[1];
        }
        if let Some(s) = self.zty.get_mut(g) {
            s[0] += z[0] * y;
            s[1] += z[1] * y;
        }
        if let Some(rows) = self.ztx.get_mut(2 * p * g..2 * p * (g + 1)) {
            let (r0, r1) = rows.split_at_mut(p);
            for ((a, b), &xc) in r0.iter_mut().zip(r1.iter_mut()).zip(x) {
                *a += z[0] * xc;
                *b += z[1] * xc;
            }
        }
    }

    /// The profiled criterion alone at theta (`f64::INFINITY` where it is not defined): what
    /// the optimizer calls.
    pub(super) fn criterion(&self, theta: &[f64], reml: bool) -> f64 {
        self.solve(theta, reml)
            .map_or(f64::INFINITY, |s| s.deviance)
    }

    /// The profiled criterion and its solution at theta, or `None` when the fixed-effect block
    /// is not positive definite (a singular design).
    pub(super) fn solve(&self, theta: &[f64], reml: bool) -> Option<Solution> {
        let (q, p) = (self.q, self.p);
        let lam = Lambda::of(theta, q);
        let mut m = self.xtx.clone();
        let mut v = self.xty.clone();
        let mut logdet = LogDet::new();
        let mut r0 = vec![0.0; p];
        let mut r1 = vec![0.0; p];
        let mut factors = Vec::with_capacity(self.ztz.len());
        for ((s, zy), rows) in self
            .ztz
            .iter()
            .zip(&self.zty)
            .zip(self.ztx.chunks_exact(2 * p))
        {
            let f = GroupFactor::of(s, lam, q)?;
            factors.push(f);
            logdet.add(f.det);
            let (x0, x1) = rows.split_at(p);
            for c in 0..p {
                (r0[c], r1[c]) = f.solve(lam, x0[c], x1[c]);
            }
            let (cu0, cu1) = f.solve(lam, zy[0], zy[1]);
            for r in 0..p {
                let row = &mut m[r * p..(r + 1) * p];
                for c in 0..=r {
                    row[c] -= r0[r] * r0[c] + r1[r] * r1[c];
                }
                v[r] -= r0[r] * cu0 + r1[r] * cu1;
            }
        }
        for r in 0..p {
            for c in r + 1..p {
                m[r * p + c] = m[c * p + r];
            }
        }
        let ldet = logdet.total();
        let rx = cholesky(&m, p)?;
        let mut cb = v;
        forward(&rx, p, &mut cb);
        let mut beta = cb;
        backward(&rx, p, &mut beta);
        // The penalized residual sum of squares at the estimates, group by group:
        // e'e - |L^-1 Lambda' Z'e|^2 with e = y - X beta (= e' V^-1 e, V = I + Z Lambda Lambda'
        // Z'). Summed this way, r2 carries no cancellation between the totals y'y, |c_u|^2 and
        // |c_beta|^2 (which lose about 1e-11 of the criterion on 120,000 rows), and it is
        // stationary in beta, so beta's own rounding enters to second order only.
        let mut r2 = 0.0;
        for ((((f, zy), rows), (xx, xy)), yy) in factors
            .iter()
            .zip(&self.zty)
            .zip(self.ztx.chunks_exact(2 * p))
            .zip(
                self.xtx_g
                    .chunks_exact(p * p)
                    .zip(self.xty_g.chunks_exact(p)),
            )
            .zip(&self.yty_g)
        {
            let mut ete = *yy;
            for a in 0..p {
                let xxb: f64 = (0..p).map(|b| xx[a * p + b] * beta[b]).sum();
                ete += beta[a] * (xxb - 2.0 * xy[a]);
            }
            let (x0, x1) = rows.split_at(p);
            let e0 = zy[0] - x0.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            let e1 = zy[1] - x1.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            let (c0, c1) = f.solve(lam, e0, e1);
            r2 += ete - c0 * c0 - c1 * c1;
        }
        if r2.is_nan() || r2 <= 0.0 {
            return None;
        }
        let ldetx: f64 = (0..p).map(|i| 2.0 * rx[i * p + i].ln()).sum();
        let n = self.n as f64;
        let tau = std::f64::consts::TAU;
        let deviance = if reml {
            let dof = n - p as f64;
            ldet + ldetx + dof * (1.0 + (tau * r2 / dof).ln())
        } else {
            ldet + n * (1.0 + (tau * r2 / n).ln())
        };
        deviance.is_finite().then_some(Solution {
            deviance,
            beta,
            r2,
            rx,
            ldet,
            ldetx,
        })
    }

    /// Every group's conditional mode at theta given the fixed effects `beta`, with its
    /// conditional covariance over sigma^2, `Lambda (Lambda' Z'Z Lambda + I)^-1 Lambda'`.
    pub(super) fn modes(&self, theta: &[f64], beta: &[f64]) -> Vec<Mode> {
        let (q, p) = (self.q, self.p);
        let lam = Lambda::of(theta, q);
        self.ztz
            .iter()
            .zip(&self.zty)
            .zip(self.ztx.chunks_exact(2 * p))
            .map(|((s, zy), rows)| {
                let Some(f) = GroupFactor::of(s, lam, q) else {
                    return ([0.0; 2], [0.0; 3]);
                };
                let (x0, x1) = rows.split_at(p);
                // The residual's projection: L^-1 Lambda' Z'(y - X beta).
                let w0 = zy[0] - x0.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
                let w1 = zy[1] - x1.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>();
                let (c0, c1) = f.solve(lam, w0, w1);
                // u = L'^-1 c, b = Lambda u
                let u1 = c1 / f.l11;
                let u0 = (c0 - f.l10 * u1) / f.l00;
                let b = [lam.t0 * u0, lam.t1 * u0 + lam.t2 * u1];
                // W = L^-1 Lambda' by columns; the covariance is W'W.
                let (a0, a1) = (lam.t0 / f.l00, -f.l10 * lam.t0 / (f.l00 * f.l11));
                let (b0, b1) = f.solve(lam, 0.0, 1.0);
                let (b0, b1) = if q == 1 { (0.0, 0.0) } else { (b0, b1) };
                let (a1, b1) = if q == 1 { (0.0, 0.0) } else { (a1, b1) };
                (b, [a0 * a0 + a1 * a1, a0 * b0 + a1 * b1, b0 * b0 + b1 * b1])
            })
            .collect()
    }
}

/// `(L L')^-1` (n x n, row-major) for a lower Cholesky factor `L`.
pub(super) fn inverse(l: &[f64], n: usize) -> Vec<f64> {
    let mut inv = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        forward(l, n, &mut e);
        backward(l, n, &mut e);
        for i in 0..n {
            inv[i * n + j] = e[i];
        }
    }
    inv
}

/// lmerTest's Satterthwaite degrees of freedom of each fixed effect (Kuznetsova, Brockhoff &
/// Christensen 2017): the asymptotic covariance of the variance parameters (theta, sigma) from
/// the Hessian of the deviance in them, and the gradient of each coefficient's variance in
/// them, both by central differences. `None` where the Hessian is not positive definite (a
/// boundary fit) or a result is not finite.
pub(super) fn satterthwaite(
    blocks: &Blocks,
    theta: &[f64],
    sigma: f64,
    reml: bool,
) -> Vec<Option<f64>> {
    let p = blocks.p;
    let k = theta.len() + 1;
    let n = blocks.n as f64;
    let tau = std::f64::consts::TAU;
    // Many of the Hessian's points share theta and differ in sigma alone, which enters in
    // closed form: each theta is solved once.
    type Parts = Option<(f64, f64, f64)>;
    let solved: std::cell::RefCell<Vec<(Vec<f64>, Parts)>> = Default::default();
    let deviance = |vp: &[f64]| -> f64 {
        let (th, s) = vp.split_at(k - 1);
        let s2 = s.first().copied().unwrap_or(f64::NAN).powi(2);
        let known = solved
            .borrow()
            .iter()
            .find(|(t, _)| t.as_slice() == th)
            .map(|(_, parts)| *parts);
        let parts = known.unwrap_or_else(|| {
            let parts = blocks
                .solve(th, reml)
                .map(|sol| (sol.ldet, sol.r2, sol.ldetx));
            solved.borrow_mut().push((th.to_vec(), parts));
            parts
        });
        match parts {
            Some((ldet, r2, ldetx)) => {
                let dev = ldet + r2 / s2 + n * (tau * s2).ln();
                if reml {
                    dev + ldetx - p as f64 * (tau * s2).ln()
                } else {
                    dev
                }
            }
            None => f64::NAN,
        }
    };
    let vbeta = |vp: &[f64]| -> Option<Vec<f64>> {
        let (th, s) = vp.split_at(k - 1);
        let s2 = s.first().copied()?.powi(2);
        let sol = blocks.solve(th, reml)?;
        Some(inverse(&sol.rx, p).into_iter().map(|v| v * s2).collect())
    };
    let mut vp: Vec<f64> = theta.to_vec();
    vp.push(sigma);
    let idx: Vec<usize> = (0..k).collect();
    let (_, hess) = derivatives(&deviance, &vp, &idx, 1e-3);
    let Some(l) = cholesky(&hess, k) else {
        return vec![None; p];
    };
    // vcov of the variance parameters: 2 H^-1
    let a: Vec<f64> = inverse(&l, k).into_iter().map(|v| 2.0 * v).collect();
    // gradient of Var(beta_j) in each variance parameter
    let mut grads = vec![vec![0.0; k]; p];
    for i in 0..k {
        let central = |h: f64| -> Option<Vec<f64>> {
            let (mut up, mut down) = (vp.clone(), vp.clone());
            up[i] += h;
            down[i] -= h;
            let (vu, vd) = (vbeta(&up)?, vbeta(&down)?);
            Some(
                (0..p)
                    .map(|j| (vu[j * p + j] - vd[j * p + j]) / (2.0 * h))
                    .collect(),
            )
        };
        let h = 1e-3 * (1.0 + vp[i].abs());
        let (Some(c), Some(f)) = (central(2.0 * h), central(h)) else {
            return vec![None; p];
        };
        for (j, g) in grads.iter_mut().enumerate() {
            g[i] = (4.0 * f[j] - c[j]) / 3.0;
        }
    }
    let Some(v0) = vbeta(&vp) else {
        return vec![None; p];
    };
    grads
        .iter()
        .enumerate()
        .map(|(j, g)| {
            let denom: f64 = (0..k)
                .map(|r| g[r] * (0..k).map(|c| a[r * k + c] * g[c]).sum::<f64>())
                .sum();
            let var = v0[j * p + j];
            let df = 2.0 * var * var / denom;
            (df.is_finite() && df > 0.0).then_some(df)
        })
        .collect()
}

/// The diagonal of `(L L')^-1` for a lower Cholesky factor `L` (n x n).
pub(super) fn inverse_diagonal(l: &[f64], n: usize) -> Vec<f64> {
    let mut diag = vec![0.0; n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        forward(l, n, &mut e);
        backward(l, n, &mut e);
        diag[j] = e[j];
    }
    diag
}

/// Result of the optimizer.
pub(super) struct Optimum {
    /// The minimizing theta.
    pub(super) theta: Vec<f64>,
    /// Nelder-Mead iterations plus Newton steps.
    pub(super) iterations: u32,
    /// Largest absolute projected gradient at the optimum (central differences).
    pub(super) gradient: f64,
    /// Largest absolute entry of the Newton step `H^-1 g` over the free coordinates (lme4's
    /// scaled gradient); infinite when the Hessian there is not positive definite.
    pub(super) scaled_gradient: f64,
}

/// Minimizes `f` over theta with the coordinates in `diagonal` kept at or above 0: a coarse
/// Nelder-Mead search (to about 1e-3 in theta), then Newton steps on the free coordinates with
/// central-difference derivatives until a step is below 1e-9 of theta. Where Newton does not
/// get there (a Hessian not positive definite, a step the criterion refuses), Nelder-Mead is
/// restarted to a tight tolerance until it no longer improves, and Newton polishes again.
pub(super) fn minimize(f: &dyn Fn(&[f64]) -> f64, start: Vec<f64>, diagonal: &[bool]) -> Optimum {
    let n = start.len();
    let project = |x: &mut Vec<f64>| {
        for (v, &d) in x.iter_mut().zip(diagonal) {
            if d && *v < 0.0 {
                *v = 0.0;
            }
        }
    };
    let mut x = start;
    project(&mut x);
    let mut fx = f(&x);
    let mut iterations = 0u32;
    let (nx, nf, it) = nelder_mead(f, &x, &project, Tolerance::Coarse);
    iterations += it;
    if nf <= fx {
        x = nx;
        fx = nf;
    }
    let mut hessian = None;
    let done = newton(
        f,
        &mut x,
        &mut fx,
        diagonal,
        &project,
        &mut iterations,
        &mut hessian,
    );
    if !done {
        for _restart in 0..6 {
            let (nx, nf, it) = nelder_mead(f, &x, &project, Tolerance::Tight);
            iterations += it;
            let improved = fx - nf > 1e-12 * (1.0 + fx.abs());
            if nf <= fx {
                x = nx;
                fx = nf;
            }
            if !improved {
                break;
            }
        }
        hessian = None;
        newton(
            f,
            &mut x,
            &mut fx,
            diagonal,
            &project,
            &mut iterations,
            &mut hessian,
        );
    }
    let free =
        |x: &[f64]| -> Vec<usize> { (0..n).filter(|&i| !(diagonal[i] && x[i] <= 1e-6)).collect() };
    // A diagonal entry next to its bound is put on it when the criterion does not notice.
    for i in 0..n {
        if diagonal[i] && x[i] > 0.0 && x[i] <= 1e-6 {
            let mut y = x.clone();
            y[i] = 0.0;
            let fy = f(&y);
            if fy <= fx + 1e-12 * (1.0 + fx.abs()) {
                x = y;
                fx = fx.min(fy);
            }
        }
    }
    let idx = free(&x);
    let (gradient, scaled_gradient) = if idx.is_empty() {
        (0.0, 0.0)
    } else {
        // The gradient afresh; the Newton polish's last Hessian where it was over the same
        // coordinates (theta has moved by less than 1e-9 of itself since).
        let g = gradient(f, &x, &idx, 1e-4);
        let h = match hessian {
            Some((at, h)) if at == idx => h,
            _ => derivatives(f, &x, &idx, 1e-4).1,
        };
        let largest = |v: &[f64]| v.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
        let scaled = match cholesky(&h, idx.len()) {
            Some(l) => {
                let mut step = g.clone();
                forward(&l, idx.len(), &mut step);
                backward(&l, idx.len(), &mut step);
                largest(&step)
            }
            None => f64::INFINITY,
        };
        (largest(&g), scaled)
    };
    Optimum {
        theta: x,
        iterations,
        gradient,
        scaled_gradient,
    }
}

/// Newton steps on the coordinates of `x` not at (or within 1e-6 of) their bound, with
/// central-difference derivatives (steps of 2e-4 and 1e-4 combined by Richardson
/// extrapolation: one step alone leaves a truncation error that moves sleepstudy's optimum by
/// 1e-7 relative) and a backtracking line search. The Hessian is computed afresh on the first
/// step, when the free coordinates change, when a step with an older one fails and when the
/// steps shrink less than tenfold; otherwise it is kept and the gradient alone recomputed. True when a full step fell below 1e-9 of
/// theta (the optimum found), false when a step failed with a fresh Hessian first. `hessian`
/// holds the last Hessian and its coordinates.
fn newton(
    f: &dyn Fn(&[f64]) -> f64,
    x: &mut Vec<f64>,
    fx: &mut f64,
    diagonal: &[bool],
    project: &dyn Fn(&mut Vec<f64>),
    iterations: &mut u32,
    hessian: &mut Option<(Vec<usize>, Vec<f64>)>,
) -> bool {
    let n = x.len();
    let mut previous = f64::INFINITY;
    for _ in 0..40 {
        let idx: Vec<usize> = (0..n).filter(|&i| !(diagonal[i] && x[i] <= 1e-6)).collect();
        if idx.is_empty() {
            return true;
        }
        let k = idx.len();
        let (g, h, fresh) = match hessian.take() {
            Some((at, h)) if at == idx => (gradient(f, x, &idx, 1e-4), h, false),
            _ => {
                let (g, h) = derivatives(f, x, &idx, 1e-4);
                (g, h, true)
            }
        };
        let Some(l) = cholesky(&h, k) else {
            if fresh {
                return false;
            }
            continue;
        };
        *hessian = Some((idx.clone(), h));
        let mut step = g;
        forward(&l, k, &mut step);
        backward(&l, k, &mut step);
        // A full step this small is below the criterion's rounding (about 1e-14 of it): the
        // optimum is found.
        let done = step
            .iter()
            .zip(&idx)
            .all(|(s, &i)| s.abs() <= 1e-9 * (1.0 + x[i].abs()));
        let mut t = 1.0;
        let mut accepted = false;
        let slack = 1e-13 * (1.0 + fx.abs());
        for _ in 0..30 {
            let mut trial = x.clone();
            for (s, &i) in step.iter().zip(&idx) {
                trial[i] -= t * s;
            }
            project(&mut trial);
            let ft = f(&trial);
            if ft <= *fx + slack {
                *x = trial;
                *fx = fx.min(ft);
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        *iterations += 1;
        if done {
            return true;
        }
        // With a kept Hessian the steps shrink geometrically; where they shrink slowly, the
        // Hessian is computed afresh.
        let size = step.iter().fold(0.0_f64, |a, s| a.max(s.abs()));
        if !fresh && size > 0.1 * previous {
            *hessian = None;
        }
        previous = size;
        if !accepted {
            if fresh {
                return false;
            }
            // Try again with a fresh Hessian.
            *hessian = None;
        }
    }
    false
}

/// The gradient of `f` at `x` over the coordinates `idx`: central differences at steps `2h`
/// and `h` (relative) combined by Richardson extrapolation.
fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], idx: &[usize], h: f64) -> Vec<f64> {
    let central = |h: f64| -> Vec<f64> {
        idx.iter()
            .map(|&i| {
                let hi = h * (1.0 + x[i].abs());
                let mut y = x.to_vec();
                y[i] = x[i] + hi;
                let fp = f(&y);
                y[i] = x[i] - hi;
                let fm = f(&y);
                (fp - fm) / (2.0 * hi)
            })
            .collect()
    };
    let (coarse, fine) = (central(2.0 * h), central(h));
    fine.iter()
        .zip(&coarse)
        .map(|(a, b)| (4.0 * a - b) / 3.0)
        .collect()
}

/// Gradient and Hessian of `f` at `x` over the coordinates `idx`: central differences at steps
/// `2h` and `h` (relative), combined by Richardson extrapolation.
fn derivatives(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    idx: &[usize],
    h: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (gc, hc) = central_derivatives(f, x, idx, 2.0 * h);
    let (gf, hf) = central_derivatives(f, x, idx, h);
    let extrapolate = |fine: Vec<f64>, coarse: Vec<f64>| -> Vec<f64> {
        fine.iter()
            .zip(&coarse)
            .map(|(a, b)| (4.0 * a - b) / 3.0)
            .collect()
    };
    (extrapolate(gf, gc), extrapolate(hf, hc))
}

/// Central-difference gradient and Hessian of `f` at `x` over the coordinates `idx`.
fn central_derivatives(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    idx: &[usize],
    h: f64,
) -> (Vec<f64>, Vec<f64>) {
    let k = idx.len();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in d {
            y[i] += s;
        }
        f(&y)
    };
    let f0 = f(x);
    let mut g = vec![0.0; k];
    let mut hess = vec![0.0; k * k];
    for a in 0..k {
        let i = idx[a];
        let hi = h * (1.0 + x[i].abs());
        let (fp, fm) = (at(&[(i, hi)]), at(&[(i, -hi)]));
        g[a] = (fp - fm) / (2.0 * hi);
        hess[a * k + a] = (fp - 2.0 * f0 + fm) / (hi * hi);
        for b in 0..a {
            let j = idx[b];
            let hj = h * (1.0 + x[j].abs());
            let v = (at(&[(i, hi), (j, hj)]) - at(&[(i, hi), (j, -hj)]) - at(&[(i, -hi), (j, hj)])
                + at(&[(i, -hi), (j, -hj)]))
                / (4.0 * hi * hj);
            hess[a * k + b] = v;
            hess[b * k + a] = v;
        }
    }
    (g, hess)
}

/// One Nelder-Mead run from `x0` (initial steps 0.1 per coordinate, or 1/4 of the value),
/// candidates projected into the box. Returns the best point, its value and the iterations.
/// How far a Nelder-Mead run goes.
#[derive(Clone, Copy, PartialEq)]
enum Tolerance {
    /// To a simplex of about 1e-3 in theta, for Newton to finish.
    Coarse,
    /// To a simplex of 1e-8 (1e-11 while the values still differ).
    Tight,
}

fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    project: &dyn Fn(&mut Vec<f64>),
    tolerance: Tolerance,
) -> (Vec<f64>, f64, u32) {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((x0.to_vec(), f(x0)));
    for i in 0..n {
        let mut y = x0.to_vec();
        let step = if x0[i].abs() > 0.4 {
            0.25 * x0[i].abs()
        } else {
            0.1
        };
        y[i] += step;
        project(&mut y);
        let fy = f(&y);
        simplex.push((y, fy));
    }
    let mut it = 0u32;
    while it < 5_000 {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        let size = simplex
            .iter()
            .skip(1)
            .flat_map(|(y, _)| y.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0_f64, f64::max);
        let spread = (worst - best).abs();
        let small = match tolerance {
            Tolerance::Coarse => size < 1e-3,
            Tolerance::Tight => size < 1e-11,
        };
        if (spread <= 1e-13 * (1.0 + best.abs()) && size < 1e-8) || small {
            break;
        }
        it += 1;
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(y, _)| y[j]).sum::<f64>() / n as f64)
            .collect();
        let towards = |t: f64| {
            let mut y: Vec<f64> = (0..n)
                .map(|j| centroid[j] + t * (simplex[n].0[j] - centroid[j]))
                .collect();
            project(&mut y);
            let fy = f(&y);
            (y, fy)
        };
        let reflected = towards(-1.0);
        if reflected.1 < best {
            let expanded = towards(-2.0);
            simplex[n] = if expanded.1 < reflected.1 {
                expanded
            } else {
                reflected
            };
        } else if reflected.1 < simplex[n - 1].1 {
            simplex[n] = reflected;
        } else {
            let contracted = if reflected.1 < worst {
                towards(-0.5)
            } else {
                towards(0.5)
            };
            if contracted.1 < worst.min(reflected.1) {
                simplex[n] = contracted;
            } else {
                let b = simplex[0].0.clone();
                for (y, fy) in simplex.iter_mut().skip(1) {
                    for j in 0..n {
                        y[j] = b[j] + 0.5 * (y[j] - b[j]);
                    }
                    project(y);
                    *fy = f(y);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (x, fx) = simplex.swap_remove(0);
    (x, fx, it)
}

/// The relative covariance factor Lambda (q x q lower, row-major) from theta in lme4's order
/// (the lower triangle column by column).
pub(super) fn lambda(theta: &[f64], q: usize) -> Vec<f64> {
    let mut lam = vec![0.0; q * q];
    let mut k = 0;
    for j in 0..q {
        for i in j..q {
            if let Some(v) = lam.get_mut(i * q + j) {
                *v = theta.get(k).copied().unwrap_or(0.0);
            }
            k += 1;
        }
    }
    lam
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closed_form_block_factor_is_the_cholesky_factor() {
        let s = [12.0, 78.0, 650.0];
        for theta in [[1.2, 0.3, 0.4], [0.5, -0.7, 0.01], [2.0, 0.0, 0.0]] {
            let lam = Lambda::of(&theta, 2);
            let f = GroupFactor::of(&s, lam, 2).expect("finite");
            // A = Lambda' S Lambda + I, by the general routines.
            let l = lambda(&theta, 2);
            let full = [s[0], s[1], s[1], s[2]];
            let mut a = [0.0; 4];
            for i in 0..2 {
                for j in 0..2 {
                    a[i * 2 + j] = (0..2)
                        .flat_map(|k| (0..2).map(move |m| (k, m)))
                        .map(|(k, m)| l[k * 2 + i] * full[k * 2 + m] * l[m * 2 + j])
                        .sum::<f64>()
                        + if i == j { 1.0 } else { 0.0 };
                }
            }
            let c = cholesky(&a, 2).expect("positive definite");
            let close = |x: f64, y: f64| (x - y).abs() <= 1e-13 * y.abs().max(1.0);
            assert!(close(f.l00, c[0]) && close(f.l10, c[2]) && close(f.l11, c[3]));
            assert!(close(f.det, (c[0] * c[3]).powi(2)));
            // L^-1 Lambda' v
            let (v0, v1) = (3.0, -2.0);
            let mut w = [l[0] * v0 + l[2] * v1, l[1] * v0 + l[3] * v1];
            forward(&c, 2, &mut w);
            let (c0, c1) = f.solve(lam, v0, v1);
            assert!(close(c0, w[0]) && close(c1, w[1]));
        }
    }

    #[test]
    fn the_log_determinant_is_the_sum_of_logarithms() {
        let dets: Vec<f64> = (0..10_000)
            .map(|i| 1.0 + f64::from(i % 97) * 13.7 + if i == 5000 { 1e160 } else { 0.0 })
            .collect();
        let mut sum = LogDet::new();
        for &d in &dets {
            sum.add(d);
        }
        let direct: f64 = dets.iter().map(|d| d.ln()).sum();
        assert!((sum.total() - direct).abs() <= 1e-12 * direct);
    }
}
