//! The chi-square distribution, central and noncentral, with R's names, and R's `uniroot`
//! (Brent's zeroin as R's `R_zeroin2` runs it), which lavaan uses to invert the noncentral
//! chi-square for the RMSEA interval: a peer's interval is only as precise as its root finder's
//! tolerance, so matching it means taking the same steps.

/// The regularized incomplete gamma functions `(P(a, x), Q(a, x))`: the series for `x < a + 1`
/// and the continued fraction (modified Lentz) otherwise, each to full double precision (statrs
/// 0.19's `gamma_ur` is good to about 1e-8 relative in the far tail, where lavaan's p value of a
/// chi-square test lives). Numerical Recipes, 3rd ed., section 6.2.
fn incomplete_gamma(a: f64, x: f64) -> (f64, f64) {
    let prefactor = (-x + a * x.ln() - super::lgamma(a)).exp();
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..100_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        let p = (sum * prefactor).min(1.0);
        (p, 1.0 - p)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-16 {
                break;
            }
        }
        let q = (prefactor * h).min(1.0);
        (1.0 - q, q)
    }
}

/// The upper tail of the central chi-square, R's `pchisq(x, df, lower.tail = FALSE)`; NaN for
/// NaN arguments or `df <= 0`.
pub(crate) fn pchisq_upper(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 || !df.is_finite() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    incomplete_gamma(df / 2.0, x / 2.0).1
}

/// The lower tail of the central chi-square, R's `pchisq(x, df)`.
pub(crate) fn pchisq_lower(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x == f64::INFINITY {
        return 1.0;
    }
    incomplete_gamma(df / 2.0, x / 2.0).0
}

/// The noncentral chi-square CDF, R's `pchisq(x, df, ncp)`: the Poisson(`ncp / 2`) mixture of
/// central chi-squares with `df + 2i` degrees of freedom over the weights that matter (from the
/// largest outwards, so no weight underflows for a large `ncp`), the central CDFs by one
/// incomplete gamma function at the top and the stable downward recurrence below it. NaN for
/// NaN arguments, `df <= 0` or `ncp < 0`.
pub(crate) fn pchisq_ncp(x: f64, df: f64, ncp: f64) -> f64 {
    if x.is_nan() || ncp.is_nan() || df.is_nan() || df <= 0.0 || !df.is_finite() || ncp < 0.0 {
        return f64::NAN;
    }
    if ncp == 0.0 {
        return pchisq_lower(x, df);
    }
    if !ncp.is_finite() {
        return 0.0;
    }
    let lambda = ncp / 2.0;
    let mode = lambda.floor();
    let log_w = -lambda + mode * lambda.ln() - super::lgamma(mode + 1.0);
    // The Poisson weights that matter, from the mode outwards.
    let w_mode = log_w.exp();
    let mut hi = mode;
    let mut w = w_mode;
    let mut up = Vec::new();
    loop {
        hi += 1.0;
        w *= lambda / hi;
        if w < 1e-20 * w_mode || !w.is_finite() {
            hi -= 1.0;
            break;
        }
        up.push(w);
    }
    let mut lo = mode;
    let mut w = w_mode;
    let mut down = Vec::new();
    while lo > 0.0 {
        w *= lo / lambda;
        if w < 1e-20 * w_mode {
            break;
        }
        lo -= 1.0;
        down.push(w);
    }
    // P(a, y) for a = df/2 + i from the top of the range down, by the stable recurrence
    // P(a - 1, y) = P(a, y) + y^(a-1) e^-y / Gamma(a) (every step adds).
    let y = x / 2.0;
    let ln_y = y.ln();
    let a_hi = df / 2.0 + hi;
    let mut p = pchisq_lower(x, 2.0 * a_hi);
    let mut log_term = (a_hi - 1.0) * ln_y - y - super::lgamma(a_hi);
    let mut total = 0.0;
    let mut i = hi;
    let mut a = a_hi;
    while i >= lo {
        let wi = if i > mode {
            up.get((i - mode - 1.0) as usize).copied().unwrap_or(0.0)
        } else if i == mode {
            w_mode
        } else {
            down.get((mode - i - 1.0) as usize).copied().unwrap_or(0.0)
        };
        total += wi * p;
        // Down one: P(a - 1) = P(a) + term(a).
        p += log_term.exp();
        a -= 1.0;
        log_term = (a - 1.0) * ln_y - y - super::lgamma(a);
        i -= 1.0;
    }
    total
}

/// A root of `f` in `[lower, upper]` as R's `uniroot(f, c(lower, upper))` finds it with its
/// default tolerance (`tol = .Machine$double.eps^0.25`, at most 1000 iterations): R's
/// `R_zeroin2`, step for step. `None` when `f` does not change sign over the interval or the
/// iterations run out.
pub(crate) fn uniroot(f: impl Fn(f64) -> f64, lower: f64, upper: f64) -> Option<f64> {
    let tol = f64::EPSILON.powf(0.25);
    let (mut a, mut b) = (lower, upper);
    let (mut fa, mut fb) = (f(a), f(b));
    if fa.is_nan() || fb.is_nan() || fa * fb > 0.0 {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    for _ in 0..=1000 {
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return Some(b);
        }
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                let qq = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < 0.75 * cb * q - (tol_act * q).abs() / 2.0 && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += new_step;
        fb = f(b);
        if fb.is_nan() {
            return None;
        }
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::excessive_precision)] // R's digits as printed
    fn chi_square_tails_match_r() {
        // R 4.2.2: pchisq(85.3055217699727, 24, lower.tail = FALSE), and 1 - pchisq(...) as
        // lavaan computes its p value (the lower tail's rounding is then in the upper tail).
        let p = pchisq_upper(85.305_521_769_972_7, 24.0);
        assert!((p / 8.502_553_164_641_437e-9 - 1.0).abs() < 1e-13, "{p}");
        let p = 1.0 - pchisq_lower(85.305_521_769_972_7, 24.0);
        assert!((p / 8.502_553_217_049_069e-9 - 1.0).abs() < 1e-9, "{p}");
        // pchisq(30, 10, ncp = 12) and pchisq(300, 24, ncp = 250)
        let q = pchisq_ncp(30.0, 10.0, 12.0);
        assert!((q - 0.838_191_321_999_345_5).abs() < 1e-13, "{q}");
        let r = pchisq_ncp(300.0, 24.0, 250.0);
        assert!((r - 0.792_229_867_644_783_8).abs() < 1e-12, "{r}");
    }

    #[test]
    fn uniroot_finds_a_root() {
        let r = uniroot(|x| x * x - 2.0, 0.0, 2.0).unwrap_or(f64::NAN);
        // R: uniroot(function(x) x * x - 2, c(0, 2))$root, its own path to its tolerance.
        assert!((r - 1.414_213_319_995_502_5).abs() < 1e-15, "{r}");
        assert!(uniroot(|x| x * x + 1.0, 0.0, 2.0).is_none());
    }
}
