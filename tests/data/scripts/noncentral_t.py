"""Reference values of the noncentral t distribution for the crate's tests.

Regenerates, in high-precision arithmetic with mpmath, the known values that
`src/change/stats/dist.rs` (`NCT_KNOWN`, test `noncentral_t_cdf_matches_high_precision_values`)
and `src/change/stats.rs` (test `an_extreme_t_has_the_right_interval`) compare the crate with:

1. P(T <= t) for T noncentral t with df degrees of freedom and noncentrality delta, on the
   grid of the test, by the series of Lenth (1989, Algorithm AS 243) summed in 60-digit
   arithmetic with the regularized incomplete beta function, every term down to 1e-45;
2. Cohen's d_z 95% interval for two pairs with differences 10 and 10.1 (t = 201 on 1 df): the
   noncentralities at which the CDF at t = 201 is .975 and .025, divided by sqrt(2), with the
   CDF integrated over the chi distribution of the denominator in 40-digit arithmetic (there
   the series needs some 10^5 terms).

The script installs nothing. Set up once, then run it from anywhere:

    python3 -m venv .venv && .venv/bin/pip install mpmath==1.4.1
    .venv/bin/python tests/data/scripts/noncentral_t.py

It prints the rows of `NCT_KNOWN` as Rust tuples, then the interval.
"""

import mpmath
from mpmath import mp, mpf

# (t, df, delta) of `NCT_KNOWN`, in the test's order.
GRID = [
    (-50.0, 1.0, -37.0), (-50.0, 3.0, 20.0), (-50.0, 39.0, 5.0),
    (-10.0, 1.0, 1.0), (-10.0, 5.0, 0.0), (-10.0, 100.0, -5.0),
    (-7.918, 2.0, -20.0), (-7.918, 5.0, 37.0), (-7.918, 100.0, 10.0),
    (-3.0, 2.0, 3.0), (-3.0, 10.0, 0.5), (-3.0, 1000.0, -1.0),
    (-1.0, 3.0, -10.5), (-1.0, 39.0, -37.0), (-1.0, 1000.0, 20.0),
    (-0.1, 3.0, 5.0), (-0.1, 39.0, 1.0),
    (0.0, 1.0, 0.0), (0.0, 5.0, -5.0), (0.0, 100.0, -20.0),
    (0.1, 1.0, 37.0), (0.1, 5.0, 10.0), (0.1, 100.0, 3.0),
    (0.5, 2.0, 0.5), (0.5, 10.0, -1.0), (0.5, 1000.0, -10.5),
    (1.0, 3.0, -37.0), (1.0, 10.0, 20.0), (1.0, 1000.0, 5.0),
    (2.0, 3.0, 1.0), (2.0, 39.0, 0.0),
    (3.0, 1.0, -5.0), (3.0, 5.0, -20.0), (3.0, 39.0, 37.0),
    (5.0, 1.0, 10.0), (5.0, 5.0, 3.0), (5.0, 100.0, 0.5),
    (7.918, 2.0, -1.0), (7.918, 10.0, -10.5), (7.918, 1000.0, -37.0),
    (10.0, 2.0, 20.0), (10.0, 10.0, 5.0), (10.0, 1000.0, 1.0),
    (30.0, 3.0, 0.0), (30.0, 39.0, -5.0),
    (100.0, 1.0, -20.0), (100.0, 3.0, 37.0), (100.0, 39.0, 10.0),
    (2.0, 10000.0, 1.0), (-3.0, 10000.0, -2.5), (5.0, 100000.0, 5.0),
    (1.5, 390000.0, 1.0), (-2.0, 390000.0, -1.5), (10.0, 10000.0, 8.0),
    (0.5, 50000.0, -0.5),
    (-7.9, 39.0, -10.5), (-7.9, 39.0, -5.2),
    (3.0, 10000.0, 20.0),
]

EPS = mpf("1e-45")


def cdf_series(t, df, delta):
    """P(T <= t; df, delta) by Lenth's series (AS 243), for any t."""
    t, df, delta = mpf(str(t)), mpf(str(df)), mpf(str(delta))  # as written: 0.1 is 1/10
    if t < 0:
        return 1 - cdf_series(-t, df, -delta)
    x = t * t / (t * t + df)
    half = delta * delta / 2
    total = mpmath.ncdf(-delta)
    if x == 0:
        return total
    j = 0
    p = mpmath.exp(-half)  # Poisson weight e^(-d^2/2) (d^2/2)^j / j!
    q = delta * mpmath.exp(-half) / (mpmath.sqrt(2) * mpmath.gamma(mpf(3) / 2))
    while True:
        term = p * mpmath.betainc(j + mpf(1) / 2, df / 2, 0, x, regularized=True)
        term += q * mpmath.betainc(j + 1, df / 2, 0, x, regularized=True)
        total += term / 2
        if j > half and abs(term) < EPS and abs(p) + abs(q) < EPS:
            return total
        j += 1
        p *= half / j
        q *= half / (j + mpf(1) / 2)


def cdf_integral(t, df, delta):
    """P(T <= t; df, delta) = E[Phi(t S / sqrt(df) - delta)], S chi-distributed with df."""
    t, df, delta = mpf(t), mpf(df), mpf(delta)

    def density(s):
        return s ** (df - 1) * mpmath.exp(-s * s / 2) / (2 ** (df / 2 - 1) * mpmath.gamma(df / 2))

    def integrand(s):
        return mpmath.ncdf(t * s / mpmath.sqrt(df) - delta) * density(s)

    edge = max(delta * mpmath.sqrt(df) / t, mpf(0)) if t != 0 else mpf(1)
    return mpmath.quad(integrand, [0, edge, edge + 10, mpmath.inf])


def known_values():
    mp.dps = 60
    for t, df, delta in GRID:
        value = cdf_series(t, df, delta)
        print(f"({t!r}, {df!r}, {delta!r}, {mpmath.nstr(value, 25, min_fixed=-5, max_fixed=1)}),")


def extreme_interval():
    mp.dps = 40
    n = 2
    diffs = [mpf(10), mpf("10.1")]
    mean = sum(diffs) / n
    sd = mpmath.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    t = mean / sd * mpmath.sqrt(n)
    df = n - 1
    d_z = mean / sd

    def root(p, guess):
        return mpmath.findroot(lambda delta: cdf_integral(t, df, delta) - p, guess)

    lower = root(mpf("0.975"), 6) / mpmath.sqrt(n)
    upper = root(mpf("0.025"), 450) / mpmath.sqrt(n)
    print(f"t = {mpmath.nstr(t, 20)}, d_z = {mpmath.nstr(d_z, 20)}")
    print(f"d_z 95% interval: {mpmath.nstr(lower, 20)} to {mpmath.nstr(upper, 20)}")


if __name__ == "__main__":
    print(f"# mpmath {mpmath.__version__}")
    known_values()
    extreme_interval()
