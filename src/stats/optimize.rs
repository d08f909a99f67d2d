//! L-BFGS-B, as version 2.3 (R's `optim(method = "L-BFGS-B")`) runs it: the generalized Cauchy
//! point along the projected gradient path of the quadratic model, a subspace minimization over
//! the free variables backtracked into the box, the Moré-Thuente line search of MINPACK-2
//! (`dcsrch`/`dcstep`, ftol 1e-3, gtol 0.9, xtol 0.1) and the stopping rule on the relative
//! reduction of the objective (factr 1e7). Memory 5; the limited-memory matrix is kept dense
//! (the problems are small: a scale's items).
//!
//! Moré, J. J., & Thuente, D. J. (1994). Line search algorithms with guaranteed sufficient
//! decrease. ACM Transactions on Mathematical Software, 20(3), 286-307. Byrd, R. H., Lu, P.,
//! Nocedal, J., & Zhu, C. (1995). A limited memory algorithm for bound constrained
//! optimization. SIAM Journal on Scientific Computing, 16(5), 1190-1208.

use super::linalg::Matrix;

/// The box `[lower, upper]` every coordinate is kept in.
type Bounds = (f64, f64);

/// Minimizes `f` (gradient `g`) from `x` in the box `bounds` (the same for every coordinate) by
/// L-BFGS-B (memory 5), as version 2.3 (R's `optim`) runs it: the
/// generalized Cauchy point along the projected gradient path of the quadratic model, a
/// subspace minimization over the free variables backtracked into the box, and the
/// Moré-Thuente line search along the result; stopping on the relative reduction of the
/// objective (factr 1e7). The limited-memory matrix is kept dense (a scale has few items).
pub(crate) fn lbfgsb(
    mut x: Vec<f64>,
    bounds: Bounds,
    f: impl Fn(&[f64]) -> f64,
    g: impl Fn(&[f64]) -> Vec<f64>,
) -> Vec<f64> {
    let (lower, upper) = bounds;
    const M: usize = 5;
    const MAXIT: usize = 100;
    let eps = f64::EPSILON;
    let tol = 1e7 * eps;
    let n = x.len();
    let mut fx = f(&x);
    let mut gx = g(&x);
    let mut memory: std::collections::VecDeque<(Vec<f64>, Vec<f64>)> =
        std::collections::VecDeque::new();
    let mut theta = 1.0;
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    for iter in 0..MAXIT {
        let b = bfgs_matrix(n, theta, &memory);
        let xc = cauchy_point(&x, &gx, &b, bounds);
        let xbar = subspace_minimum(&x, &gx, &xc, &b, bounds);
        let d: Vec<f64> = xbar.iter().zip(&x).map(|(a, b)| a - b).collect();
        let gd = dot(&gx, &d);
        if gd >= 0.0 || d.iter().all(|v| *v == 0.0) {
            break;
        }
        // The largest step keeping x + t d in the box (1 on the first iteration).
        let stpmax = if iter == 0 {
            1.0
        } else {
            let mut t: f64 = 1e10;
            for i in 0..n {
                if d[i] < 0.0 {
                    t = t.min((lower - x[i]) / d[i]);
                } else if d[i] > 0.0 {
                    t = t.min((upper - x[i]) / d[i]);
                }
            }
            t.max(0.0)
        };
        let phi = |t: f64| -> (f64, f64, Vec<f64>, Vec<f64>) {
            let xt: Vec<f64> = if t == 1.0 {
                xbar.clone()
            } else {
                x.iter().zip(&d).map(|(a, b)| a + t * b).collect()
            };
            let ft = f(&xt);
            let gt = g(&xt);
            let dt = dot(&gt, &d);
            (ft, dt, xt, gt)
        };
        let Some((stp, fnew, xnew, gnew)) = line_search(phi, fx, gd, 1.0_f64.min(stpmax), stpmax)
        else {
            break;
        };
        let fold = fx;
        let gold_d = gd;
        let gnew_d = dot(&gnew, &d);
        let s: Vec<f64> = xnew.iter().zip(&x).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = gnew.iter().zip(&gx).map(|(a, b)| a - b).collect();
        x = xnew;
        fx = fnew;
        gx = gnew;
        if fold - fx <= tol * fold.abs().max(fx.abs()).max(1.0) {
            break;
        }
        let sy = (gnew_d - gold_d) * stp;
        if sy > eps * (-gold_d * stp) {
            theta = dot(&yv, &yv) / sy;
            memory.push_back((s, yv));
            if memory.len() > M {
                memory.pop_front();
            }
        }
    }
    x
}

/// The limited-memory BFGS matrix: `theta I` updated with the stored pairs, oldest first.
fn bfgs_matrix(
    n: usize,
    theta: f64,
    memory: &std::collections::VecDeque<(Vec<f64>, Vec<f64>)>,
) -> Matrix {
    let mut b = Matrix::zeros(n);
    for i in 0..n {
        b.set(i, i, theta);
    }
    for (s, y) in memory {
        let bs: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| b.get(i, j) * s[j]).sum())
            .collect();
        let sbs: f64 = s.iter().zip(&bs).map(|(a, c)| a * c).sum();
        let ys: f64 = y.iter().zip(s).map(|(a, c)| a * c).sum();
        for i in 0..n {
            for j in 0..n {
                let v = b.get(i, j) - bs[i] * bs[j] / sbs + y[i] * y[j] / ys;
                b.set(i, j, v);
            }
        }
    }
    b
}

/// The generalized Cauchy point: the first local minimizer of the quadratic model
/// `g'(z - x) + (z - x)' B (z - x) / 2` along the projected steepest-descent path
/// `P(x - t g)` (Byrd, Lu, Nocedal & Zhu 1995, section 4).
fn cauchy_point(x: &[f64], g: &[f64], b: &Matrix, (lower, upper): Bounds) -> Vec<f64> {
    let n = x.len();
    // Breakpoints: when each variable reaches its bound along -g.
    let t: Vec<f64> = (0..n)
        .map(|i| {
            if g[i] < 0.0 {
                (x[i] - upper) / g[i]
            } else if g[i] > 0.0 {
                (x[i] - lower) / g[i]
            } else {
                f64::INFINITY
            }
        })
        .collect();
    let mut d: Vec<f64> = (0..n)
        .map(|i| if t[i] == 0.0 { 0.0 } else { -g[i] })
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|&i| t[i] > 0.0 && t[i].is_finite()).collect();
    order.sort_by(|&a, &c| t[a].total_cmp(&t[c]));
    let mut xc = x.to_vec();
    let mut t_old = 0.0;
    let bd = |d: &[f64], z: &[f64]| -> f64 {
        (0..n)
            .map(|i| d[i] * (0..n).map(|j| b.get(i, j) * z[j]).sum::<f64>())
            .sum()
    };
    for &brk in order.iter().chain(std::iter::once(&usize::MAX)) {
        let z: Vec<f64> = xc.iter().zip(x).map(|(a, c)| a - c).collect();
        let fp = g.iter().zip(&d).map(|(a, c)| a * c).sum::<f64>() + bd(&d, &z);
        let fpp = bd(&d, &d);
        if fpp <= 0.0 && fp >= 0.0 {
            return xc;
        }
        let dt_min = if fpp > 0.0 { -fp / fpp } else { f64::INFINITY };
        let t_next = t.get(brk).copied().unwrap_or(f64::INFINITY);
        let dt = t_next - t_old;
        if dt_min < dt || fp >= 0.0 {
            let step = dt_min.max(0.0);
            for i in 0..n {
                xc[i] += step * d[i];
            }
            return xc.iter().map(|v| v.clamp(lower, upper)).collect();
        }
        // Move to the breakpoint; the variable there is fixed at its bound.
        for i in 0..n {
            xc[i] += dt * d[i];
        }
        if let Some(v) = xc.get_mut(brk) {
            *v = if d[brk] > 0.0 { upper } else { lower };
        }
        if let Some(v) = d.get_mut(brk) {
            *v = 0.0;
        }
        t_old = t_next;
    }
    xc
}

/// The minimizer of the quadratic model over the variables free at the Cauchy point (the
/// others fixed there), backtracked into the box as L-BFGS-B 2.3 does.
fn subspace_minimum(
    x: &[f64],
    g: &[f64],
    xc: &[f64],
    b: &Matrix,
    (lower, upper): Bounds,
) -> Vec<f64> {
    let n = x.len();
    let free: Vec<usize> = (0..n).filter(|&i| xc[i] > lower && xc[i] < upper).collect();
    if free.is_empty() {
        return xc.to_vec();
    }
    // r = g + B (xc - x), restricted to the free variables.
    let z: Vec<f64> = xc.iter().zip(x).map(|(a, c)| a - c).collect();
    let r: Vec<f64> = free
        .iter()
        .map(|&i| g[i] + (0..n).map(|j| b.get(i, j) * z[j]).sum::<f64>())
        .collect();
    let bff = b.select(&free);
    let Some(du) = solve(&bff, &r.iter().map(|v| -v).collect::<Vec<_>>()) else {
        return xc.to_vec();
    };
    // The largest step along du (at most 1) keeping the free variables in the box.
    let mut alpha: f64 = 1.0;
    for (k, &i) in free.iter().enumerate() {
        if du[k] < 0.0 {
            alpha = alpha.min((lower - xc[i]) / du[k]);
        } else if du[k] > 0.0 {
            alpha = alpha.min((upper - xc[i]) / du[k]);
        }
    }
    let mut out = xc.to_vec();
    for (k, &i) in free.iter().enumerate() {
        out[i] = xc[i] + alpha * du[k];
    }
    out
}

/// Solves `a z = rhs` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve(a: &Matrix, rhs: &[f64]) -> Option<Vec<f64>> {
    let n = a.n;
    let mut m: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| a.get(i, j))
                .chain([rhs.get(i).copied().unwrap_or(0.0)])
                .collect()
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&p, &q| {
            let v = |r: usize| {
                m.get(r)
                    .and_then(|row| row.get(col))
                    .map_or(0.0, |x| x.abs())
            };
            v(p).total_cmp(&v(q))
        })?;
        m.swap(col, pivot);
        let (upper, lower) = m.split_at_mut(col + 1);
        let pivot_row = upper.last()?;
        let p = *pivot_row.get(col)?;
        if p == 0.0 {
            return None;
        }
        for row in lower.iter_mut() {
            let factor = row.get(col).copied().unwrap_or(0.0) / p;
            for (x, y) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= factor * y;
            }
        }
    }
    let mut z = vec![0.0; n];
    for i in (0..n).rev() {
        let row = m.get(i)?;
        let s: f64 = ((i + 1)..n)
            .map(|j| row.get(j).copied().unwrap_or(0.0) * z[j])
            .sum();
        z[i] = (row.get(n).copied().unwrap_or(0.0) - s) / row.get(i).copied().unwrap_or(f64::NAN);
    }
    Some(z)
}

/// The Moré-Thuente line search (MINPACK-2 `dcsrch`) on `phi(t) = (f, f')` from
/// `(f0, g0 < 0)`, starting at `stp` within `[0, stpmax]`. Returns the accepted step with its
/// value, point and gradient; `None` if no acceptable step was found in 20 evaluations.
#[allow(clippy::type_complexity)]
fn line_search(
    phi: impl Fn(f64) -> (f64, f64, Vec<f64>, Vec<f64>),
    finit: f64,
    ginit: f64,
    mut stp: f64,
    stpmax: f64,
) -> Option<(f64, f64, Vec<f64>, Vec<f64>)> {
    const FTOL: f64 = 1e-3;
    const GTOL: f64 = 0.9;
    const XTOL: f64 = 0.1;
    const STPMIN: f64 = 0.0;
    let gtest = FTOL * ginit;
    let mut width = stpmax - STPMIN;
    let mut width1 = 2.0 * width;
    let mut st = Step {
        stx: 0.0,
        fx: finit,
        gx: ginit,
        sty: 0.0,
        fy: finit,
        gy: ginit,
        brackt: false,
    };
    let mut stage1 = true;
    let mut stmin = 0.0;
    let mut stmax = stp + 4.0 * stp;
    for _ in 0..20 {
        let (f, g, x, grad) = phi(stp);
        let ftest = finit + stp * gtest;
        if stage1 && f <= ftest && g >= 0.0 {
            stage1 = false;
        }
        let warning = (st.brackt
            && (stp <= stmin || stp >= stmax || stmax - stmin <= XTOL * stmax))
            || (stp == stpmax && f <= ftest && g <= gtest)
            || (stp == STPMIN && (f > ftest || g >= gtest));
        let converged = f <= ftest && g.abs() <= GTOL * (-ginit);
        if warning || converged {
            return Some((stp, f, x, grad));
        }
        if stage1 && f <= st.fx && f > ftest {
            // The modified function psi(t) = phi(t) - phi(0) - t gtest.
            let mut m = Step {
                fx: st.fx - st.stx * gtest,
                fy: st.fy - st.sty * gtest,
                gx: st.gx - gtest,
                gy: st.gy - gtest,
                ..st
            };
            stp = m.step(stp, f - stp * gtest, g - gtest, stmin, stmax);
            st = Step {
                fx: m.fx + m.stx * gtest,
                fy: m.fy + m.sty * gtest,
                gx: m.gx + gtest,
                gy: m.gy + gtest,
                ..m
            };
        } else {
            stp = st.step(stp, f, g, stmin, stmax);
        }
        if st.brackt {
            if (st.sty - st.stx).abs() >= 0.66 * width1 {
                stp = st.stx + 0.5 * (st.sty - st.stx);
            }
            width1 = width;
            width = (st.sty - st.stx).abs();
            stmin = st.stx.min(st.sty);
            stmax = st.stx.max(st.sty);
        } else {
            stmin = stp + 1.1 * (stp - st.stx);
            stmax = stp + 4.0 * (stp - st.stx);
        }
        stp = stp.max(STPMIN).min(stpmax);
        if st.brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= XTOL * stmax) {
            stp = st.stx;
        }
    }
    None
}

/// The interval of uncertainty of the line search (MINPACK-2 `dcstep`'s state).
#[derive(Debug, Clone, Copy)]
struct Step {
    stx: f64,
    fx: f64,
    gx: f64,
    sty: f64,
    fy: f64,
    gy: f64,
    brackt: bool,
}

impl Step {
    /// MINPACK-2 `dcstep`: a safeguarded step from the trial point `(stp, fp, dp)`, updating
    /// the interval; returns the new trial step.
    fn step(&mut self, stp: f64, fp: f64, dp: f64, stpmin: f64, stpmax: f64) -> f64 {
        let (stx, fx, dx) = (self.stx, self.fx, self.gx);
        let (sty, fy, dy) = (self.sty, self.fy, self.gy);
        let sgnd = dp * (dx / dx.abs());
        let stpf;
        if fp > fx {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
            if stp < stx {
                gamma = -gamma;
            }
            let p = (gamma - dx) + theta;
            let q = ((gamma - dx) + gamma) + dp;
            let r = p / q;
            let stpc = stx + r * (stp - stx);
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
            stpf = if (stpc - stx).abs() < (stpq - stx).abs() {
                stpc
            } else {
                stpc + (stpq - stpc) / 2.0
            };
            self.brackt = true;
        } else if sgnd < 0.0 {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dx;
            let r = p / q;
            let stpc = stp + r * (stx - stp);
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            stpf = if (stpc - stp).abs() > (stpq - stp).abs() {
                stpc
            } else {
                stpq
            };
            self.brackt = true;
        } else if dp.abs() < dx.abs() {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
            let s = theta.abs().max(dx.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dx / s) * (dp / s)).max(0.0).sqrt();
            if stp > stx {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = (gamma + (dx - dp)) + gamma;
            let r = p / q;
            let stpc = if r < 0.0 && gamma != 0.0 {
                stp + r * (stx - stp)
            } else if stp > stx {
                stpmax
            } else {
                stpmin
            };
            let stpq = stp + (dp / (dp - dx)) * (stx - stp);
            if self.brackt {
                let mut t = if (stpc - stp).abs() < (stpq - stp).abs() {
                    stpc
                } else {
                    stpq
                };
                t = if stp > stx {
                    t.min(stp + 0.66 * (sty - stp))
                } else {
                    t.max(stp + 0.66 * (sty - stp))
                };
                stpf = t;
            } else {
                let t = if (stpc - stp).abs() > (stpq - stp).abs() {
                    stpc
                } else {
                    stpq
                };
                stpf = t.min(stpmax).max(stpmin);
            }
        } else if self.brackt {
            let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
            let s = theta.abs().max(dy.abs()).max(dp.abs());
            let mut gamma = s * ((theta / s).powi(2) - (dy / s) * (dp / s)).sqrt();
            if stp > sty {
                gamma = -gamma;
            }
            let p = (gamma - dp) + theta;
            let q = ((gamma - dp) + gamma) + dy;
            let r = p / q;
            stpf = stp + r * (sty - stp);
        } else if stp > stx {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
        if fp > fx {
            self.sty = stp;
            self.fy = fp;
            self.gy = dp;
        } else {
            if sgnd < 0.0 {
                self.sty = stx;
                self.fy = fx;
                self.gy = dx;
            }
            self.stx = stp;
            self.fx = fp;
            self.gx = dp;
        }
        stpf
    }
}
