//! Split-half reliability (`psych::splitHalf`): the Guttman split-half coefficient of every
//! split of the items into two halves, and Guttman's lambda 2 and lambda 6.

use super::ReliabilityOptions;
use crate::stats::Matrix;

/// Which splits into halves are evaluated.
///
/// For an even number of items the two agree. For an odd number psych 2.2.9 evaluates only the
/// first half of the lexicographic list of splits and divides their sum by that half's
/// (possibly fractional) count, so its maximum can miss the largest split (on the bfi
/// conscientiousness items, .7286 instead of .7435). [`SplitHalfMethod::AllSplits`], the
/// default, evaluates every distinct split; [`SplitHalfMethod::Psych`] reproduces psych's
/// numbers exactly.
///
/// ```
/// use therapeutic_alliance::reliability::SplitHalfMethod;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(SplitHalfMethod::default(), SplitHalfMethod::AllSplits);
/// assert_eq!("psych".parse::<SplitHalfMethod>()?, SplitHalfMethod::Psych);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SplitHalfMethod {
    /// Every distinct split (a random sample of 10,000 above 16 items).
    #[default]
    AllSplits,
    /// psych 2.2.9's enumeration, reproduced exactly.
    Psych,
}

crate::vocab::vocabulary!(
    SplitHalfMethod,
    "split-half method",
    None,
    [AllSplits => "all_splits", Psych => "psych"]
);

/// Split-half reliability of an item set.
///
/// Each split's coefficient is Guttman's (Flanagan-Rulon) split-half reliability on
/// standardized items, `4 cov(A, B) / var(A + B)`; lambda 2 and lambda 6 are Guttman's (1945).
///
/// ```
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// let rows: Vec<Vec<Option<f64>>> = (0..40)
///     .map(|i| (0..12).map(|j| Some(f64::from((i % 5 + (i * j) % 2).min(4) + 1))).collect())
///     .collect();
/// let rel = ResponseMatrix::from_rows(&wai, &rows)?.moments().reliability("goals")?;
/// let split = rel.split_half.ok_or("four items split")?;
/// assert_eq!(split.splits, 3); // {1,2 | 3,4}, {1,3 | 2,4}, {1,4 | 2,3}
/// assert!(split.min <= split.max && split.lambda2 >= split.lambda6 - 1.0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SplitHalf {
    /// The largest split-half coefficient.
    pub max: f64,
    /// The smallest.
    pub min: f64,
    /// Their mean.
    pub mean: f64,
    /// Guttman's lambda 2.
    pub lambda2: f64,
    /// Guttman's lambda 6 (squared multiple correlations; equals alpha's `g6_smc`).
    pub lambda6: f64,
    /// How many splits were evaluated.
    pub splits: u64,
    /// Whether they were a random sample (above 16 items) rather than all of them.
    pub sampled: bool,
    /// The enumeration used.
    pub method: SplitHalfMethod,
}

/// Largest item count for which every split is evaluated.
const EXHAUSTIVE: usize = 16;
/// Splits drawn above that.
const SAMPLE: u64 = 10_000;

/// The split-half statistics of correlation matrix `r`; `None` below two items.
pub(crate) fn split_half(r: &Matrix, options: ReliabilityOptions) -> Option<SplitHalf> {
    let n = r.n;
    if n < 2 {
        return None;
    }
    let s = r.sum();
    let sum_off = s - r.trace();
    let sumsq_off: f64 = (0..n)
        .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
        .map(|(i, j)| r.get(i, j).powi(2))
        .sum();
    let nf = n as f64;
    let lambda2 = (sum_off + (sumsq_off * nf / (nf - 1.0)).sqrt()) / s;
    let lambda6 = (sum_off + r.smc().iter().sum::<f64>()) / s;
    let half = n / 2;
    let method = options.split_half_method();
    let coefficient = |a: &[bool]| -> f64 {
        let (mut m11, mut m22, mut m12) = (0.0, 0.0, 0.0);
        for i in 0..n {
            for j in 0..n {
                let v = r.get(i, j);
                match (a[i], a[j]) {
                    (true, true) => m11 += v,
                    (false, false) => m22 += v,
                    _ => m12 += v,
                }
            }
        }
        // m12 counts both off-diagonal blocks: M12 + M21.
        4.0 * (m12 / 2.0) / (m11 + m22 + m12)
    };
    let mut stats = Running::default();
    let mut sampled = false;
    let total = choose(n, half);
    if n > EXHAUSTIVE {
        sampled = true;
        let mut rng = options.random_seed() ^ 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for _ in 0..SAMPLE {
            // A random half: shuffle the item indices and take the first `half`.
            let mut idx: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                idx.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            let mut a = vec![false; n];
            for &i in idx.iter().take(half) {
                a[i] = true;
            }
            stats.add(coefficient(&a));
        }
        return Some(stats.finish(stats.count as f64, lambda2, lambda6, sampled, method));
    }
    // Lexicographic combinations of `half` items.
    let (visit, divisor) = match method {
        SplitHalfMethod::Psych => {
            let count = total as f64 / 2.0;
            (count.ceil() as u64, count)
        }
        SplitHalfMethod::AllSplits if n.is_multiple_of(2) => (total / 2, (total / 2) as f64),
        SplitHalfMethod::AllSplits => (total, total as f64),
    };
    let mut comb: Vec<usize> = (0..half).collect();
    let mut a = vec![false; n];
    for _ in 0..visit.max(1) {
        a.iter_mut().for_each(|x| *x = false);
        for &i in &comb {
            a[i] = true;
        }
        stats.add(coefficient(&a));
        if !next_combination(&mut comb, n) {
            break;
        }
    }
    Some(stats.finish(divisor.max(1.0), lambda2, lambda6, sampled, method))
}

/// Max, min and sum of the coefficients seen.
#[derive(Debug)]
struct Running {
    max: f64,
    min: f64,
    sum: f64,
    count: u64,
}

impl Default for Running {
    fn default() -> Self {
        Running {
            max: f64::NEG_INFINITY,
            min: f64::INFINITY,
            sum: 0.0,
            count: 0,
        }
    }
}

impl Running {
    fn add(&mut self, v: f64) {
        self.max = self.max.max(v);
        self.min = self.min.min(v);
        self.sum += v;
        self.count += 1;
    }

    fn finish(
        &self,
        divisor: f64,
        lambda2: f64,
        lambda6: f64,
        sampled: bool,
        method: SplitHalfMethod,
    ) -> SplitHalf {
        SplitHalf {
            max: self.max,
            min: self.min,
            mean: self.sum / divisor,
            lambda2,
            lambda6,
            splits: self.count,
            sampled,
            method,
        }
    }
}

/// `n choose k`.
fn choose(n: usize, k: usize) -> u64 {
    (0..k).fold(1u64, |acc, i| acc * (n - i) as u64 / (i + 1) as u64)
}

/// The next combination in lexicographic order (R's `combn` order); `false` after the last.
fn next_combination(c: &mut [usize], n: usize) -> bool {
    let k = c.len();
    let mut i = k;
    while i > 0 {
        i -= 1;
        if c[i] < n - k + i {
            c[i] += 1;
            for j in (i + 1)..k {
                c[j] = c[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_in_combn_order() {
        let mut c = vec![0, 1];
        let mut seen = vec![c.clone()];
        while next_combination(&mut c, 5) {
            seen.push(c.clone());
        }
        assert_eq!(seen.len(), 10);
        assert_eq!(
            seen[..5],
            [vec![0, 1], vec![0, 2], vec![0, 3], vec![0, 4], vec![1, 2]]
        );
        assert_eq!(choose(16, 8), 12_870);
    }
}
