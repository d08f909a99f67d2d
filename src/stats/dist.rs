//! Distribution functions with R's names, the crate's one home for statrs: `pnorm` to full
//! double precision (statrs 0.19's `erfc` is good to about 1e-11 only), `qnorm`, `pt`, `qt`,
//! the noncentral t CDF `pt_ncp` and its inversion in the noncentrality parameter, `qf` and the
//! F upper tail, and `lgamma`.
//!
//! The NaN guards live here: every function returns NaN (or `None` for a quantile) for a NaN
//! argument or parameters outside the distribution's domain instead of reaching statrs with them
//! (statrs panics on some, such as a NaN t).

use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal, StudentsT};
use statrs::function::{beta, gamma};

/// The standard normal CDF, Φ(x), by Cody's rational Chebyshev approximations (W. J. Cody,
/// "Rational Chebyshev approximations for the error function", Mathematics of Computation 23,
/// 631-637, 1969; the coefficients of his ANORM in SPECFUN, ACM TOMS Algorithm 715, 1993).
/// Relative accuracy about 1e-16 in both tails, down to Φ(-38.5) (below that, 0).
#[allow(clippy::excessive_precision)] // Cody's coefficients as published, digit for digit
pub(crate) fn pnorm(x: f64) -> f64 {
    const A: [f64; 5] = [
        2.235_252_035_460_683_928_7,
        161.028_231_068_555_878_81,
        1_067.689_485_460_370_958_2,
        18_154.981_253_343_561_249,
        0.065_682_337_918_207_449_113,
    ];
    const B: [f64; 4] = [
        47.202_581_904_688_241_87,
        976.098_551_737_776_693_22,
        10_260.932_208_618_978_205,
        45_507.789_335_026_729_956,
    ];
    const C: [f64; 9] = [
        0.398_941_512_088_134_667_64,
        8.883_149_794_388_375_941_2,
        93.506_656_132_177_855_979,
        597.270_276_394_800_262_26,
        2_494.537_585_290_372_671_1,
        6_848.190_450_536_282_332_6,
        11_602.651_437_647_350_124,
        9_842.714_838_383_978_021_8,
        1.076_557_677_372_019_231_7e-8,
    ];
    const D: [f64; 8] = [
        22.266_688_044_328_115_691,
        235.387_901_782_624_998_61,
        1_519.377_599_407_554_805,
        6_485.558_298_266_760_755,
        18_615.571_640_885_098_091,
        34_900.952_721_145_977_266,
        38_912.003_286_093_271_411,
        19_685.429_676_859_990_727,
    ];
    const P: [f64; 6] = [
        0.215_898_534_057_956_99,
        0.127_401_161_160_247_363_9,
        0.022_235_277_870_649_807,
        0.001_421_619_193_227_893_466,
        2.911_287_495_116_879_2e-5,
        0.023_073_441_764_940_173_03,
    ];
    const Q: [f64; 5] = [
        1.284_260_096_144_911_21,
        0.468_238_212_480_865_118,
        0.065_988_137_868_928_551_5,
        0.003_782_396_332_027_582_44,
        7.297_515_550_839_662_05e-5,
    ];
    /// 1 / sqrt(2 pi).
    const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_677_939_946_059_934;

    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    // exp(-y^2 / 2) * r, with y^2 split into an exactly representable part and the rest.
    let gauss = |y: f64, r: f64| {
        let ysq = (y * 16.0).trunc() / 16.0;
        let del = (y - ysq) * (y + ysq);
        (-ysq * ysq * 0.5).exp() * (-del * 0.5).exp() * r
    };
    if y <= 0.662_91 {
        let xsq = if y > 1.11e-16 { x * x } else { 0.0 };
        let mut num = A[4] * xsq;
        let mut den = xsq;
        for (a, b) in A.iter().zip(&B).take(3) {
            num = (num + a) * xsq;
            den = (den + b) * xsq;
        }
        return 0.5 + x * (num + A[3]) / (den + B[3]);
    }
    let tail = if y <= 32f64.sqrt() {
        let mut num = C[8] * y;
        let mut den = y;
        for (c, d) in C.iter().zip(&D).take(7) {
            num = (num + c) * y;
            den = (den + d) * y;
        }
        gauss(y, (num + C[7]) / (den + D[7]))
    } else if y < 38.5 {
        let xsq = 1.0 / (y * y);
        let mut num = P[5] * xsq;
        let mut den = xsq;
        for (p, q) in P.iter().zip(&Q).take(4) {
            num = (num + p) * xsq;
            den = (den + q) * xsq;
        }
        let r = xsq * (num + P[4]) / (den + Q[4]);
        gauss(y, (FRAC_1_SQRT_2PI - r) / y)
    } else {
        0.0
    };
    if x > 0.0 { 1.0 - tail } else { tail }
}

/// The central t CDF, P(T <= t) with `df` degrees of freedom (statrs; `df > 0`); NaN for a NaN
/// `t` (statrs panics on it).
pub(crate) fn pt(t: f64, df: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| d.cdf(t))
}

/// The two-sided p value of a t statistic: 2 P(T <= -|t|).
pub(crate) fn pt_two_sided(t: f64, df: f64) -> f64 {
    (2.0 * pt(-t.abs(), df)).min(1.0)
}

/// The central t quantile (statrs; agrees with R's `qt` to about 1e-13 relative).
pub(crate) fn qt(p: f64, df: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    StudentsT::new(0.0, 1.0, df).ok().map(|d| d.inverse_cdf(p))
}

/// The standard normal quantile (statrs; `qnorm(0.975)` to one unit in the last place).
pub(crate) fn qnorm(p: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    Normal::new(0.0, 1.0).ok().map(|d| d.inverse_cdf(p))
}

/// The F quantile, R's `qf(p, df1, df2)` (statrs); NaN for `p` outside [0, 1] (NaN included)
/// or degrees of freedom that are not positive.
pub(crate) fn qf(p: f64, df1: f64, df2: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    FisherSnedecor::new(df1, df2).map_or(f64::NAN, |f| f.inverse_cdf(p))
}

/// The F upper tail, R's `pf(x, df1, df2, lower.tail = FALSE)` (statrs); NaN for a NaN `x` or
/// degrees of freedom that are not positive.
pub(crate) fn pf_upper(x: f64, df1: f64, df2: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    FisherSnedecor::new(df1, df2).map_or(f64::NAN, |f| f.sf(x))
}

/// The natural logarithm of the gamma function, R's `lgamma(x)` for `x > 0` (statrs).
pub(crate) fn lgamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    gamma::ln_gamma(x)
}

/// Beyond these the noncentral t CDF switches from the series to the normal approximation, at
/// the same limits as R's `pt()`: a noncentrality whose square exceeds 2 ln 2 * 1021 (about
/// 37.62), where the Poisson weights of the series start to underflow, or more than 4e5 degrees
/// of freedom.
const SERIES_MAX_DELTA_SQ: f64 = 2.0 * std::f64::consts::LN_2 * 1021.0;
const SERIES_MAX_DF: f64 = 4e5;

/// The noncentral t CDF, P(T <= t) for T with `df` degrees of freedom and noncentrality
/// `delta`.
///
/// For t >= 0 it sums the Poisson mixture of incomplete beta functions of Lenth (1989),
/// "Algorithm AS 243: Cumulative distribution function of the non-central t distribution",
/// Applied Statistics 38, 185-189:
///
/// P(T <= t) = Φ(-δ) + ½ Σ_j [p_j I_x(j + ½, ν/2) + (δ/√2) q_j I_x(j + 1, ν/2)],
/// x = t² / (t² + ν), p_j = e^(-δ²/2) (δ²/2)^j / j!, q_j = e^(-δ²/2) (δ²/2)^j / Γ(j + 3/2),
///
/// starting, as Benton & Krishnamoorthy (2003, Computational Statistics & Data Analysis 43,
/// 249-267) do, at the largest Poisson weight and recurring outwards in both directions
/// (I_x(a + 1, b) = I_x(a, b) - Γ(a + b) / (Γ(a + 1) Γ(b)) x^a (1 - x)^b), so that no weight
/// underflows and the backward recursion only adds. For t < 0, P(T <= t; δ) = 1 - P(T <= -t; -δ).
/// For |δ| beyond the series' range (see [`SERIES_MAX_DELTA_SQ`]) it is integrated over the
/// chi distribution (R's `pt()` uses a normal approximation there, which is far off for few
/// degrees of freedom); for ν beyond 4e5 it is the normal approximation of Abramowitz & Stegun
/// (1964), 26.7.10, as R's `pt()` also uses.
///
/// Accuracy is absolute: within 5e-13 of 60-digit arithmetic for ν <= 1000 and |δ| <= 37 (the
/// unit tests), degrading slowly with ν (about 5e-11 at ν = 4e5) with the incomplete beta
/// function's prefactor. Far-tail probabilities (below about 1e-13) carry no relative accuracy,
/// as with R's `pt()`. Returns NaN for NaN arguments or `df <= 0`.
pub(crate) fn pt_ncp(t: f64, df: f64, delta: f64) -> f64 {
    if t.is_nan() || delta.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let (tt, del, reflected) = if t >= 0.0 {
        (t, delta, false)
    } else {
        (-t, -delta, true)
    };
    if df <= SERIES_MAX_DF && del * del > SERIES_MAX_DELTA_SQ {
        // Past the series' range with few degrees of freedom the normal approximation is far
        // off (and not even monotone in δ, which misleads the interval's root search):
        // integrate over the chi distribution instead.
        return integrated(t, df, delta);
    }
    if df > SERIES_MAX_DF {
        // A&S 26.7.10: P(T <= t) ~ Φ((t (1 - 1/(4ν)) - δ) / sqrt(1 + t² / (2ν))), written to
        // stay finite for very large t.
        let s = 1.0 / (4.0 * df);
        let z = if tt > 1.0 {
            ((1.0 - s) - del / tt) / (1.0 / (tt * tt) + 2.0 * s).sqrt()
        } else {
            (tt * (1.0 - s) - del) / (1.0 + tt * tt * 2.0 * s).sqrt()
        };
        return if reflected { pnorm(-z) } else { pnorm(z) };
    }
    let p = series(tt, df, del);
    let p = if reflected { 1.0 - p } else { p };
    p.clamp(0.0, 1.0)
}

/// P(T <= t; ν, δ) = ∫ Φ(t s - δ) g(s) ds over s >= 0, with g the density of sqrt(χ²_ν / ν),
/// by adaptive Simpson quadrature (absolute error about 1e-13). For |δ| beyond the series'
/// range; slower than the series, so used there only.
fn integrated(t: f64, df: f64, delta: f64) -> f64 {
    // ln g(s) = ln 2 + (ν/2) ln(ν/2) - ln Γ(ν/2) + (ν - 1) ln s - ν s² / 2.
    let ln_c = std::f64::consts::LN_2 + df / 2.0 * (df / 2.0).ln() - gamma::ln_gamma(df / 2.0);
    let density = |s: f64| {
        if s <= 0.0 {
            return if df == 1.0 { (ln_c).exp() } else { 0.0 };
        }
        (ln_c + (df - 1.0) * s.ln() - df * s * s / 2.0).exp()
    };
    let f = |s: f64| pnorm(t * s - delta) * density(s);
    // Where the chi distribution holds all but a negligible tail: u = ν s² within about 20
    // standard deviations (plus a margin for small ν) of its mean ν.
    let spread = 20.0 * (2.0 * df).sqrt() + 200.0;
    let lo = ((df - spread).max(0.0) / df).sqrt();
    let hi = ((df + spread) / df).sqrt();
    // Panels, with the point where Φ(t s - δ) turns as a boundary.
    let mut cuts: Vec<f64> = (0..=64)
        .map(|i| lo + (hi - lo) * f64::from(i) / 64.0)
        .collect();
    if t != 0.0 {
        let turn = delta / t;
        if turn > lo && turn < hi {
            cuts.push(turn);
        }
    }
    cuts.sort_by(f64::total_cmp);
    let mut total = 0.0;
    for w in cuts.windows(2) {
        if let [a, b] = *w {
            total += simpson(&f, a, b, 1e-15, 48);
        }
    }
    total.clamp(0.0, 1.0)
}

/// Adaptive Simpson quadrature of `f` on `[a, b]` to absolute error about `eps`.
fn simpson(f: &impl Fn(f64) -> f64, a: f64, b: f64, eps: f64, depth: u32) -> f64 {
    let m = (a + b) / 2.0;
    let (fa, fm, fb) = (f(a), f(m), f(b));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    // An explicit stack: (a, b, f(a), f(m), f(b), estimate, eps, depth).
    let mut stack = vec![(a, b, fa, fm, fb, whole, eps, depth)];
    let mut sum = 0.0;
    while let Some((a, b, fa, fm, fb, whole, eps, depth)) = stack.pop() {
        let m = (a + b) / 2.0;
        let (lm, rm) = ((a + m) / 2.0, (m + b) / 2.0);
        let (flm, frm) = (f(lm), f(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        let diff = left + right - whole;
        if depth == 0 || diff.abs() <= 15.0 * eps {
            sum += left + right + diff / 15.0;
        } else {
            stack.push((a, m, fa, flm, fm, left, eps / 2.0, depth - 1));
            stack.push((m, b, fm, frm, fb, right, eps / 2.0, depth - 1));
        }
    }
    sum
}

/// The AS 243 series for t >= 0 (see [`pt_ncp`]).
fn series(t: f64, df: f64, delta: f64) -> f64 {
    let base = pnorm(-delta);
    if t == 0.0 {
        return base;
    }
    if t == f64::INFINITY {
        return 1.0;
    }
    // x = t² / (t² + ν) and 1 - x, without forming t² + ν when t is huge.
    let q = df / (t * t);
    let x = 1.0 / (1.0 + q);
    let one_minus_x = q / (1.0 + q);
    if x == 0.0 {
        return base;
    }
    let (ln_x, ln_1mx) = (x.ln(), one_minus_x.ln());
    let b = df / 2.0;
    let y = delta * delta / 2.0;
    let c = delta / std::f64::consts::SQRT_2;
    let k = y.floor();
    let (p_k, q_k) = if y == 0.0 {
        (1.0, 1.0 / gamma::gamma(1.5))
    } else {
        let l = -y + k * y.ln();
        (
            (l - gamma::ln_gamma(k + 1.0)).exp(),
            (l - gamma::ln_gamma(k + 1.5)).exp(),
        )
    };
    let ln_gamma_b = gamma::ln_gamma(b);
    // Γ(a + b) / (Γ(a + 1) Γ(b)) x^a (1 - x)^b: I_x(a, b) - I_x(a + 1, b).
    let g = |a: f64| {
        (gamma::ln_gamma(a + b) - gamma::ln_gamma(a + 1.0) - ln_gamma_b + a * ln_x + b * ln_1mx)
            .exp()
    };
    let ibeta = |a: f64| beta::checked_beta_reg(a, b, x).unwrap_or(f64::NAN);
    let start = Terms {
        j: k,
        p: p_k,
        q: q_k,
        i_half: ibeta(k + 0.5),
        i_one: ibeta(k + 1.0),
        g_half: g(k + 0.5),
        g_one: g(k + 1.0),
    };

    // Forward from the largest weight. Past it the terms fall faster than geometrically with
    // ratio y / (j + 2), which bounds what is left.
    let mut sum = 0.0;
    let mut s = start;
    for _ in 0..100_000 {
        let term = s.p * s.i_half + c * s.q * s.i_one;
        sum += term;
        let ratio = y / (s.j + 2.0);
        if s.j > k && ratio < 1.0 && term.abs() * ratio / (1.0 - ratio) <= 1e-17 * sum.abs() {
            break;
        }
        s.forward(x, b, y);
    }
    // Backward to j = 0 (at most 708 steps): the weights fall but the incomplete beta functions
    // grow, so a small term does not mean the rest are smaller.
    let mut s = start;
    while s.j >= 1.0 {
        s.backward(x, b, y);
        // Far in the lower tail the differences can underflow at the largest weight and
        // become representable further down: take them afresh then.
        if s.g_half == 0.0 {
            s.g_half = g(s.j + 0.5);
            s.i_half += s.g_half;
        }
        if s.g_one == 0.0 {
            s.g_one = g(s.j + 1.0);
            s.i_one += s.g_one;
        }
        let term = s.p * s.i_half + c * s.q * s.i_one;
        sum += term;
    }
    base + 0.5 * sum
}

/// The j-th weights and incomplete beta functions of the series.
#[derive(Clone, Copy)]
struct Terms {
    j: f64,
    /// p_j.
    p: f64,
    /// q_j.
    q: f64,
    /// I_x(j + 1/2, ν/2).
    i_half: f64,
    /// I_x(j + 1, ν/2).
    i_one: f64,
    /// I_x(j + 1/2, ν/2) - I_x(j + 3/2, ν/2).
    g_half: f64,
    /// I_x(j + 1, ν/2) - I_x(j + 2, ν/2).
    g_one: f64,
}

impl Terms {
    fn forward(&mut self, x: f64, b: f64, y: f64) {
        let (a_half, a_one) = (self.j + 0.5, self.j + 1.0);
        self.i_half = (self.i_half - self.g_half).max(0.0);
        self.i_one = (self.i_one - self.g_one).max(0.0);
        self.g_half *= x * (a_half + b) / (a_half + 1.0);
        self.g_one *= x * (a_one + b) / (a_one + 1.0);
        self.p *= y / (self.j + 1.0);
        self.q *= y / (self.j + 1.5);
        self.j += 1.0;
    }

    fn backward(&mut self, x: f64, b: f64, y: f64) {
        let (a_half, a_one) = (self.j + 0.5, self.j + 1.0);
        // g(a - 1) = g(a) a / ((a - 1 + b) x)
        self.g_half *= a_half / ((a_half - 1.0 + b) * x);
        self.g_one *= a_one / ((a_one - 1.0 + b) * x);
        self.i_half += self.g_half;
        self.i_one += self.g_one;
        self.p *= self.j / y;
        self.q *= (self.j + 0.5) / y;
        self.j -= 1.0;
    }
}

/// The noncentrality δ at which P(T <= t; df, δ) = p, for 0 < p < 1: the CDF falls as δ grows,
/// so the root is bracketed by stepping away from δ = t in doubling steps and then bisected
/// down to adjacent doubles.
pub(crate) fn ncp_for(t: f64, df: f64, p: f64) -> f64 {
    let f = |delta: f64| pt_ncp(t, df, delta) - p;
    // f(lo) > 0 >= f(hi).
    let (mut lo, mut hi);
    let mut step = 1.0;
    if f(t) > 0.0 {
        lo = t;
        hi = t + step;
        while f(hi) > 0.0 && step < 1e300 {
            lo = hi;
            step *= 2.0;
            hi = t + step;
        }
    } else {
        hi = t;
        lo = t - step;
        while f(lo) <= 0.0 && step < 1e300 {
            hi = lo;
            step *= 2.0;
            lo = t - step;
        }
    }
    for _ in 0..2_200 {
        let mid = lo + (hi - lo) / 2.0;
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo + (hi - lo) / 2.0
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // reference values as printed
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_r_pnorm() {
        // R 4.2.2: sprintf("%.17e", pnorm(z))
        for (z, want) in [
            (-3.0, 1.349_898_031_630_094_6e-3),
            (-1.0, 1.586_552_539_314_570_5e-1),
            (-0.5, 3.085_375_387_259_869_4e-1),
            (0.5, 6.914_624_612_740_130_1e-1),
            (1.0, 8.413_447_460_685_429_3e-1),
            (3.0, 9.986_501_019_683_699e-1),
            (10.5, 1.0),
        ] {
            let got = pnorm(z);
            assert!((got - want).abs() <= 2e-16 * want, "{z}: {got} vs {want}");
        }
        assert_eq!(pnorm(0.0), 0.5);
        assert_eq!(pnorm(-40.0), 0.0);
        assert!(pnorm(f64::NAN).is_nan());
    }

    /// Known values: the Lenth (1989) series summed in 60-digit arithmetic (mpmath 1.3.0,
    /// `betainc(regularized = True)`, every term to 1e-45), on a grid of t, ν and δ.
    const NCT_KNOWN: &[(f64, f64, f64, f64)] = &[
        (-50.0, 1.0, -37.0, 0.5406102244598907439553375),
        (-50.0, 3.0, 20.0, 3.944596001050783507858836e-46),
        (-50.0, 39.0, 5.0, 6.631320241659797646439652e-47),
        (-10.0, 1.0, 1.0, 0.006635518541801035092361766),
        (-10.0, 5.0, 0.0, 0.00008547378787148179535315838),
        (-10.0, 100.0, -5.0, 0.00002063153816617882370870402),
        (-7.918, 2.0, -20.0, 0.997967696867435908803688),
        (-7.918, 5.0, 37.0, 8.410856671966699304172672e-46),
        (-7.918, 100.0, 10.0, 2.722920688179906281868685e-47),
        (-3.0, 2.0, 3.0, 0.00002173729161714773650653273),
        (-3.0, 10.0, 0.5, 0.001824363258272442101070937),
        (-3.0, 1000.0, -1.0, 0.02303391152322997180673849),
        (-1.0, 3.0, -10.5, 0.999999999999999997893701),
        (-1.0, 39.0, -37.0, 1.0),
        (-1.0, 1000.0, 20.0, 0.0),
        (-0.1, 3.0, 5.0, 0.0000001805446985663831534857417),
        (-0.1, 39.0, 1.0, 0.1358205582526496916265692),
        (0.0, 1.0, 0.0, 0.5),
        (0.0, 5.0, -5.0, 0.9999997133484281208060883),
        (0.0, 100.0, -20.0, 1.0),
        (0.1, 1.0, 37.0, 1.009878557930850776738492e-296),
        (0.1, 5.0, 10.0, 2.081409773208464993824592e-23),
        (0.1, 100.0, 3.0, 0.001864758001564486924418923),
        (0.5, 2.0, 0.5, 0.4774187233809477362556053),
        (0.5, 10.0, -1.0, 0.9303983163067515852287731),
        (0.5, 1000.0, -10.5, 1.0),
        (1.0, 3.0, -37.0, 1.0),
        (1.0, 10.0, 20.0, 2.396309099277967650443404e-76),
        (1.0, 1000.0, 5.0, 0.00003177177773978713958479229),
        (2.0, 3.0, 1.0, 0.7436298684076653146263341),
        (2.0, 39.0, 0.0, 0.9737504923280726219304098),
        (3.0, 1.0, -5.0, 0.9999999858310544431996345),
        (3.0, 5.0, -20.0, 1.0),
        (3.0, 39.0, 37.0, 1.145042877535126464827829e-220),
        (5.0, 1.0, 10.0, 0.04986020375690693615867224),
        (5.0, 5.0, 3.0, 0.829725414348799721458283),
        (5.0, 100.0, 0.5, 0.9999887692972371692919633),
        (7.918, 2.0, -1.0, 0.9988151516556092515017783),
        (7.918, 10.0, -10.5, 1.0),
        (7.918, 1000.0, -37.0, 1.0),
        (10.0, 2.0, 20.0, 0.01961481872335338183488814),
        (10.0, 10.0, 5.0, 0.9806590797801964263165844),
        (10.0, 1000.0, 1.0, 0.9999999999999999992088345),
        (30.0, 3.0, 0.0, 0.9999593235978641802027304),
        (30.0, 39.0, -5.0, 1.0),
        (100.0, 1.0, -20.0, 1.0),
        (100.0, 3.0, 37.0, 0.9379241328508488582905089),
        (100.0, 39.0, 10.0, 1.0),
        (2.0, 10000.0, 1.0, 0.841308453332900761452677),
        (-3.0, 10000.0, -2.5, 0.3086035364154856212886777),
        (5.0, 100000.0, 5.0, 0.4999950133316279305345965),
        (1.5, 390000.0, 1.0, 0.6914618688572114064331956),
        (-2.0, 390000.0, -1.5, 0.3085384414554239644142114),
        (10.0, 10000.0, 8.0, 0.9769660503104038773192503),
        (0.5, 50000.0, -0.5, 0.8413438386809726081100889),
        (-7.9, 39.0, -10.5, 0.9751397985298584055881771),
        (-7.9, 39.0, -5.2, 0.02303971244829240379994611),
        (3.0, 10000.0, 20.0, 4.377344823877221397403416e-65),
    ];

    #[test]
    fn noncentral_t_cdf_matches_high_precision_values() {
        for &(t, df, delta, want) in NCT_KNOWN {
            let got = pt_ncp(t, df, delta);
            let tolerance = if df <= 1000.0 { 5e-13 } else { 1e-10 };
            assert!(
                (got - want).abs() <= tolerance,
                "pt({t}, {df}, {delta}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn noncentral_t_cdf_matches_r_pt() {
        // R 4.2.2: sprintf("%.17e", pt(t, df, ncp)), inside the series' range. Outside it
        // (|ncp| > 37.62) R uses Abramowitz & Stegun 26.7.10, which is 6e-3 off at
        // pt(50, 20, 45) (R 0.7085054517045064, exact 0.7027499000220877): the crate integrates
        // there instead (`beyond_the_series_the_cdf_is_integrated`).
        for (t, df, delta, want) in [
            (-7.918_090_152_718_7, 39.0, -10.5, 9.742_458_236_341_056e-1),
            (2.0, 10.0, 1.0, 8.076_115_625_303_111e-1),
            (1.0, 5.0, 0.0, 8.183_912_661_754_387e-1),
        ] {
            let got = pt_ncp(t, df, delta);
            assert!(
                (got - want).abs() <= 1e-12,
                "pt({t}, {df}, {delta}) = {got}, R {want}"
            );
        }
        // Central case: the ordinary t CDF.
        for t in [-3.0, -0.4, 0.0, 1.7, 12.0] {
            assert!((pt_ncp(t, 7.0, 0.0) - pt(t, 7.0)).abs() < 1e-14);
        }
        assert!(pt_ncp(1.0, 0.0, 1.0).is_nan());
        assert!(pt_ncp(f64::NAN, 3.0, 1.0).is_nan());
        // statrs panics on a NaN t (overflowed scores give one); the central CDF does not.
        assert!(pt(f64::NAN, 3.0).is_nan());
        assert_eq!(pt_ncp(f64::INFINITY, 3.0, 1.0), 1.0);
        assert_eq!(pt_ncp(f64::NEG_INFINITY, 3.0, 1.0), 0.0);
        assert!((0.0..=1.0).contains(&pt_ncp(1e300, 3.0, 1e300)));
    }

    /// Beyond the series' range (|δ| > 37.62), against the integral over the chi distribution
    /// in 40-digit arithmetic (mpmath 1.3.0 `quad`).
    #[test]
    fn beyond_the_series_the_cdf_is_integrated() {
        for (t, df, delta, want) in [
            (50.0, 20.0, 45.0, 0.702_749_900_022_087_734_947_377_5),
            (-50.0, 20.0, -45.0, 0.297_250_099_977_912_265_052_622_5),
            (201.0, 1.0, 40.0, 0.842_260_779_369_887_032_056_197_6),
            (201.0, 1.0, 100.0, 0.618_832_074_936_896_042_035_141_8),
            (201.0, 1.0, 300.0, 0.135_563_181_434_746_057_682_262_5),
            (10.0, 3.0, 40.0, 4.103_233_562_281_548_463_136_825e-10),
            (10.0, 3.0, 60.0, 1.363_845_947_248_050_968_984_735e-22),
            (-10.0, 3.0, -60.0, 1.0),
            (100.0, 50.0, 90.0, 0.827_712_768_911_918_832_091_908_5),
            (2.0, 5.0, -40.0, 1.0),
            (1000.0, 2.0, 1500.0, 0.105_399_593_458_952_679_320_985_1),
            (30.0, 1.0, 45.0, 0.133_830_220_198_761_752_622_517_8),
        ] {
            let got = pt_ncp(t, df, delta);
            assert!(
                (got - want).abs() <= 1e-12,
                "pt({t}, {df}, {delta}) = {got}, want {want}"
            );
        }
        // Monotone across the switch from the series: the CDF falls as δ grows.
        let mut previous = 1.0;
        for i in 0..400 {
            let delta = 30.0 + f64::from(i) * 0.05;
            let p = pt_ncp(40.0, 4.0, delta);
            assert!(p <= previous + 1e-12, "δ = {delta}: {p} after {previous}");
            previous = p;
        }
    }

    #[test]
    fn noncentrality_inverts_the_cdf() {
        for (t, df, p) in [
            (-7.9, 39.0, 0.975),
            (0.0, 5.0, 0.025),
            (3.0, 2.0, 0.5),
            (60.0, 99.0, 0.975),
        ] {
            let delta = ncp_for(t, df, p);
            assert!(
                (pt_ncp(t, df, delta) - p).abs() < 1e-12,
                "{t} {df} {p}: {delta}"
            );
        }
    }
}
