//! Association ([`Correlation`]): Pearson's r with its Fisher-z interval and Spearman's rho.

use super::table::finite;
use crate::error::{Error, ErrorKind, Result};
use crate::stats::{self, Interval};

/// Pearson's r of paired values (two-pass), clamped to [-1, 1] against rounding as R's `cor()`
/// does; `None` when either side does not vary or has fewer than 2 values.
pub(super) fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (mx, my) = (stats::mean(xs)?, stats::mean(ys)?);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if xs.len() < 2 || sxx == 0.0 || syy == 0.0 {
        return None;
    }
    let mut r = sxy / (sxx * syy).sqrt();
    if !r.is_finite() {
        // sxx * syy overflowed
        r = sxy / (sxx.sqrt() * syy.sqrt());
    }
    Some(r.clamp(-1.0, 1.0))
}

/// Ranks from 1, ties given the mean of the ranks they span (R's `rank(ties.method =
/// "average")`).
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<(usize, f64)> = values.iter().copied().enumerate().collect();
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut ranked: Vec<(usize, f64)> = Vec::with_capacity(values.len());
    let mut start = 0usize;
    for run in order.chunk_by(|a, b| a.1 == b.1) {
        // Ranks start + 1 ..= start + len: their mean.
        let rank = start as f64 + (run.len() as f64 + 1.0) / 2.0;
        ranked.extend(run.iter().map(|&(i, _)| (i, rank)));
        start += run.len();
    }
    ranked.sort_by_key(|&(i, _)| i);
    ranked.into_iter().map(|(_, r)| r).collect()
}

/// The association of two variables over their complete pairs: Pearson's r with its test (R's
/// `cor.test()`) and Fisher-z interval, and Spearman's rho.
///
/// - t = r sqrt(df / (1 - r²)), df = n - 2, two-sided p.
/// - The 95% interval is tanh(atanh(r) ± z(.975) / sqrt(n - 3)) (Fisher 1921, "On the 'probable
///   error' of a coefficient of correlation deduced from a small sample", Metron 1, 3-32), as
///   `cor.test()` gives it; it needs 4 pairs.
/// - Spearman's rho is Pearson's r of the ranks, ties given their mean rank (Spearman 1904,
///   "The proof and measurement of association between two things", American Journal of
///   Psychology 15, 72-101), as `cor(method = "spearman")`.
///
/// ```
/// use therapeutic_alliance::change::Correlation;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// // Early alliance (WAI-SR) and change in PHQ-9 for six clients; one lacks the outcome.
/// let c = Correlation::from_pairs([
///     (Some(38.0), Some(-9.0)), (Some(45.0), Some(-11.0)), (Some(30.0), Some(-2.0)),
///     (Some(41.0), Some(-6.0)), (Some(52.0), Some(-12.0)), (Some(35.0), None),
/// ])?;
/// assert_eq!((c.n, c.incomplete), (5, 1));
/// assert!(c.pearson < -0.8 && c.spearman == -0.9);
/// assert!(c.pearson_ci.is_some_and(|ci| ci.lower < c.pearson && c.pearson < ci.upper));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Correlation {
    /// Complete pairs.
    pub n: u64,
    /// Pairs missing either value (left out).
    pub incomplete: u64,
    /// Pearson's r.
    pub pearson: f64,
    /// The Fisher-z 95% interval for r; none under 4 pairs.
    pub pearson_ci: Option<Interval>,
    /// The t statistic testing r = 0.
    pub t: f64,
    /// Its degrees of freedom, n - 2.
    pub df: f64,
    /// The two-sided p value.
    pub p: f64,
    /// Spearman's rho.
    pub spearman: f64,
}

impl Correlation {
    /// The correlation of `(x, y)` pairs; a pair with `None` on either side is counted in
    /// [`incomplete`](Correlation::incomplete) and left out (R's `use =
    /// "pairwise.complete.obs"` for two variables).
    ///
    /// # Errors
    /// - [`ErrorKind::NotFinite`] (item `x` or `y`, with the pair's row counted from 1) for NaN
    ///   or an infinite value;
    /// - [`ErrorKind::TooFewRows`] under 3 complete pairs (as `cor.test()`);
    /// - [`ErrorKind::NoVariation`] when x or y is the same in every complete pair.
    ///
    /// ```
    /// use therapeutic_alliance::change::Correlation;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let c = Correlation::from_pairs([(Some(1.0), Some(2.0)), (Some(2.0), Some(4.0)), (Some(3.0), Some(6.5))])?;
    /// assert!(c.pearson > 0.99 && c.pearson_ci.is_none());
    /// assert_eq!(c.spearman, 1.0);
    /// let err = Correlation::from_pairs([(Some(1.0), Some(2.0)), (Some(1.0), Some(4.0)), (Some(1.0), Some(5.0))]).unwrap_err();
    /// assert_eq!(err.to_string(), "x has the same value in all 3 usable rows, so a correlation is undefined");
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_pairs(
        pairs: impl IntoIterator<Item = (Option<f64>, Option<f64>)>,
    ) -> Result<Correlation> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        let mut incomplete = 0u64;
        for ((x, y), row) in pairs.into_iter().zip(1u64..) {
            finite("x", x).map_err(|e| e.at_row(row))?;
            finite("y", y).map_err(|e| e.at_row(row))?;
            match (x, y) {
                (Some(x), Some(y)) => {
                    xs.push(x);
                    ys.push(y);
                }
                _ => incomplete += 1,
            }
        }
        let n = xs.len();
        if n < 3 {
            return Err(ErrorKind::TooFewRows {
                target: "correlation".into(),
                rows: n as u64,
                statistic: "a correlation test",
                needed: 3,
            }
            .into());
        }
        for (variable, values) in [("x", &xs), ("y", &ys)] {
            if values.iter().all(|v| Some(v) == values.first()) {
                return Err(ErrorKind::NoVariation {
                    variable: variable.into(),
                    rows: n as u64,
                    statistic: "a correlation",
                }
                .into());
            }
        }
        let no_variation = |variable: &str| {
            Error::from(ErrorKind::NoVariation {
                variable: variable.into(),
                rows: n as u64,
                statistic: "a correlation",
            })
        };
        let r = pearson(&xs, &ys).ok_or_else(|| no_variation("x or y"))?;
        let spearman = pearson(&ranks(&xs), &ranks(&ys)).ok_or_else(|| no_variation("x or y"))?;
        let nf = n as f64;
        let df = nf - 2.0;
        let t = df.sqrt() * r / (1.0 - r * r).sqrt();
        let p = stats::pt_two_sided(t, df);
        let pearson_ci = if n >= 4 {
            stats::qnorm(0.975).map(|q| {
                let z = r.atanh();
                let half = q / (nf - 3.0).sqrt();
                Interval {
                    lower: (z - half).tanh(),
                    upper: (z + half).tanh(),
                }
            })
        } else {
            None
        };
        Ok(Correlation {
            n: n as u64,
            incomplete,
            pearson: r,
            pearson_ci,
            t,
            df,
            p,
            spearman,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), [4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(ranks(&[]), Vec::<f64>::new());
        assert_eq!(ranks(&[-0.5, -0.5]), [1.5, 1.5]);
    }
}
