//! Cronbach's alpha and everything `psych::alpha()` reports, from [`Moments`].

use super::minres;
use super::split::{self, SplitHalf};
use super::{Interval, MissingData, ReliabilityOptions};
use crate::components::Target;
use crate::error::{Error, ErrorKind, Result};
use crate::exact::ratio;
use crate::instruments::Slot;
use crate::matrix::Moments;
use crate::matrix::moments::{SetSums, packed};
use crate::stats::{Matrix, median, variance};

/// Everything `psych::alpha()` reports for one item set, plus split-half reliability and
/// omega total: the reliability a methods reviewer compares with R.
///
/// Person scores (`mean`, `sd`) are on the response scale (the mean of each row's answered,
/// keyed items), as psych computes them with `cumulative = FALSE`.
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::matrix::ResponseMatrix;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let arm = catalog::require("arm-5")?;
/// let rows = [[7, 6, 2, 7, 6], [5, 5, 3, 4, 5], [3, 2, 6, 3, 2], [6, 6, 1, 6, 7], [4, 5, 4, 4, 3]]
///     .map(|r| r.map(|v| Some(f64::from(v))));
/// let rel = ResponseMatrix::from_rows(&arm, rows)?.moments().reliability("total")?;
/// assert!(rel.raw_alpha > 0.9);
/// assert_eq!(rel.items.len(), 5);
/// assert_eq!(rel.item_stats[2].item, "3-"); // reversed, named as psych names it
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Reliability {
    /// The item set: a subscale id, or `total` for all items.
    pub target: String,
    /// The items, in instrument order.
    pub items: Vec<String>,
    /// Which of them are reverse keyed.
    pub reversed: Vec<bool>,
    /// The missing-data rule used.
    pub missing: MissingData,
    /// N: every row of the data, as psych counts it for the standard error and Feldt's interval.
    pub n_rows: u64,
    /// Rows answering every item of the set (the rows listwise deletion uses).
    pub n_complete: u64,
    /// Cronbach's alpha from the covariances.
    pub raw_alpha: f64,
    /// Alpha from the correlations.
    pub std_alpha: f64,
    /// Guttman's lambda 6 from squared multiple correlations (psych's `G6(smc)`).
    pub g6_smc: f64,
    /// The mean inter-item correlation.
    pub average_r: f64,
    /// The median inter-item correlation.
    pub median_r: f64,
    /// Signal/noise: `k r / (1 - r)` with the average correlation `r`.
    pub signal_noise: f64,
    /// The asymptotic standard error of alpha (Duhachek & Iacobucci 2004, with the Hattori
    /// 2016 correction psych uses), `sqrt(Q / N)`.
    pub ase: f64,
    /// `raw_alpha ∓ 1.96 ase` (psych prints this as the Duhachek interval).
    pub ase_interval: Interval,
    /// Feldt's 95% interval (Feldt, Woodruff & Salih 1987), with psych's degrees of freedom
    /// `N - 1` and `(N - 1)(k - 1)`.
    pub feldt: Interval,
    /// The mean person score (mean of each row's answered items, on the response scale).
    pub mean: f64,
    /// The standard deviation of the person scores.
    pub sd: f64,
    /// The standard error of measurement of a person score: `sd sqrt(1 - raw_alpha)`.
    pub sem: f64,
    /// Alpha and its companions with each item dropped (psych's `alpha.drop`), in item order.
    pub if_dropped: Vec<IfDropped>,
    /// Item statistics (psych's `item.stats`), in item order.
    pub item_stats: Vec<ItemStatistics>,
    /// Response frequencies per item (psych's `response.freq`), for scales of at most 101
    /// steps; `None` otherwise. psych omits them above 10 categories.
    pub frequencies: Option<Vec<ResponseFrequency>>,
    /// Split-half reliability; `None` for fewer than 2 items.
    pub split_half: Option<SplitHalf>,
    /// McDonald's omega total from a one-factor minres solution (psych's
    /// `omega(nfactors = 1)`); `None` for fewer than 3 items, where one factor is not
    /// identified.
    pub omega: Option<Omega>,
    /// Items whose correlation with the rest of the set (`r_drop`) is negative: most likely
    /// keyed the wrong way (psych warns of the same). Empty when every item fits.
    pub doubtful_keying: Vec<String>,
}

/// McDonald's omega total from a one-factor minimum-residual solution, as psych's
/// `omega(x, nfactors = 1)` computes it: `(sum(R) - k + sum(loadings²)) / sum(R)` on the
/// pairwise correlations `R` (complete-row correlations, listwise).
///
/// ```
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let arm = catalog::require("arm-5")?;
/// let rows = [[7, 6, 2, 7, 6], [5, 5, 3, 4, 5], [3, 2, 6, 3, 2], [6, 6, 1, 6, 7], [4, 5, 4, 4, 3]]
///     .map(|r| r.map(|v| Some(f64::from(v))));
/// let rel = ResponseMatrix::from_rows(&arm, rows)?.moments().reliability("total")?;
/// let omega = rel.omega.ok_or("five items")?;
/// assert_eq!(omega.loadings.len(), 5);
/// assert!(omega.total > 0.9);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Omega {
    /// Omega total.
    pub total: f64,
    /// Each item's loading on the factor.
    pub loadings: Vec<f64>,
    /// Each item's uniqueness as fitted (between psych's bounds 0.005 and 1).
    pub uniquenesses: Vec<f64>,
    /// Whether some uniqueness ended on a bound (a Heywood case at 0.005, or an item unrelated
    /// to the factor at 1): the fit is then at the edge of its admissible region; read it with
    /// care (psych prints no warning).
    pub at_bound: bool,
}

/// The statistics of a set with one item dropped (one row of psych's `alpha.drop`).
///
/// ```
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let arm = catalog::require("arm-5")?;
/// let rows = [[7, 6, 2, 7, 6], [5, 5, 3, 4, 5], [3, 2, 6, 3, 2], [6, 6, 1, 6, 7], [4, 5, 4, 4, 3]]
///     .map(|r| r.map(|v| Some(f64::from(v))));
/// let rel = ResponseMatrix::from_rows(&arm, rows)?.moments().reliability("total")?;
/// assert_eq!(rel.if_dropped.len(), 5);
/// assert_eq!(rel.if_dropped[0].item, "1");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct IfDropped {
    /// The item dropped (with a `-` suffix when reversed, as psych names it).
    pub item: String,
    /// Raw alpha without it.
    pub raw_alpha: f64,
    /// Standardized alpha without it.
    pub std_alpha: f64,
    /// Lambda 6 without it.
    pub g6_smc: f64,
    /// Average inter-item correlation without it.
    pub average_r: f64,
    /// Signal/noise without it.
    pub signal_noise: f64,
    /// The standard error of alpha without it (psych's `alpha se`); `None` when N is not above
    /// the item count, or with two items.
    pub ase: Option<f64>,
    /// The variance of the inter-item correlations without it (`None` with one correlation).
    pub var_r: Option<f64>,
    /// Their median.
    pub median_r: f64,
}

/// Statistics of one item (one row of psych's `item.stats`).
///
/// ```
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let arm = catalog::require("arm-5")?;
/// let rows = [[7, 6, 2, 7, 6], [5, 5, 3, 4, 5], [3, 2, 6, 3, 2], [6, 6, 1, 6, 7], [4, 5, 4, 4, 3]]
///     .map(|r| r.map(|v| Some(f64::from(v))));
/// let rel = ResponseMatrix::from_rows(&arm, rows)?.moments().reliability("total")?;
/// // Item 3 is reversed (8 - x): keyed 6, 5, 2, 7, 4.
/// assert_eq!((rel.item_stats[2].n, rel.item_stats[2].mean), (5, 4.8));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ItemStatistics {
    /// The item (with a `-` suffix when reversed).
    pub item: String,
    /// Rows answering it.
    pub n: u64,
    /// Its correlation with the person score (mean of answered items).
    pub raw_r: f64,
    /// Its correlation with the total of standardized items.
    pub std_r: f64,
    /// `std_r` corrected for the item's overlap with the total (squared multiple correlations
    /// as communalities).
    pub r_cor: f64,
    /// Its correlation with the total of the other items.
    pub r_drop: f64,
    /// Its mean, keyed.
    pub mean: f64,
    /// Its standard deviation.
    pub sd: f64,
}

/// How often each answer was given to one item (one row of psych's `response.freq`), on the
/// item's own (unreversed) coding.
///
/// ```
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let arm = catalog::require("arm-5")?;
/// let rows = [[7, 6, 2, 7, 6], [5, 5, 3, 4, 5], [3, 2, 6, 3, 2], [6, 6, 1, 6, 7], [4, 5, 4, 4, 3]]
///     .map(|r| r.map(|v| Some(f64::from(v))));
/// let rel = ResponseMatrix::from_rows(&arm, rows)?.moments().reliability("total")?;
/// let freq = rel.frequencies.as_ref().ok_or("a Likert scale")?;
/// // Answers given to any of the items, on their own coding: 1 (item 3) up to 7.
/// assert_eq!(freq[0].categories.first().map(|c| c.value), Some(1.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ResponseFrequency {
    /// The item (plain id).
    pub item: String,
    /// Each answer given to any item of the set, with the proportion of this item's answers
    /// that gave it.
    pub categories: Vec<Category>,
    /// The proportion of rows not answering this item: `1 - n / N`.
    pub missing: f64,
}

/// One answer category and its proportion.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Category {
    /// The answer.
    pub value: f64,
    /// Its proportion among the item's answers.
    pub proportion: f64,
}

/// psych's `alpha.1`: the coefficients of one covariance matrix and its correlation matrix.
struct Core {
    raw_alpha: f64,
    std_alpha: f64,
    g6: f64,
    average_r: f64,
    signal_noise: f64,
    q: f64,
    var_r: Option<f64>,
    median_r: f64,
}

fn core(c: &Matrix, r: &Matrix) -> Core {
    let n = c.n as f64;
    let (sc, sr) = (c.sum(), r.sum());
    let raw_alpha = (1.0 - c.trace() / sc) * n / (n - 1.0);
    let std_alpha = (1.0 - n / sr) * n / (n - 1.0);
    let smc = r.smc();
    let g6 = 1.0 - (n - smc.iter().sum::<f64>()) / sr;
    let average_r = (sr - n) / (n * (n - 1.0));
    let signal_noise = n * average_r / (1.0 - average_r);
    // Duhachek-Iacobucci Q with Hattori's correction: tr(CC) = Σ c², sum(CC) = Σ (row sums)².
    let tr_cc: f64 = c.a.iter().map(|v| v * v).sum();
    let row_sums: Vec<f64> = (0..c.n)
        .map(|i| (0..c.n).map(|j| c.get(i, j)).sum())
        .collect();
    let sum_cc: f64 = row_sums.iter().map(|v| v * v).sum();
    let tr = c.trace();
    let q = (2.0 * n * n / ((n - 1.0).powi(2) * sc.powi(3)))
        * (sc * (tr_cc + tr * tr) - 2.0 * tr * sum_cc);
    let lower = r.lower();
    Core {
        raw_alpha,
        std_alpha,
        g6,
        average_r,
        signal_noise,
        q,
        var_r: variance(&lower),
        median_r: median(&lower).unwrap_or(f64::NAN),
    }
}

/// The sums a set's statistics need, in keyed units offset by the scale minimum.
struct SetData<'a> {
    moments: &'a Moments,
    set: &'a SetSums,
    target: String,
    names: Vec<String>,
    reversed: Vec<bool>,
}

impl ReliabilityOptions {
    /// Everything psych's `alpha()` reports for a subscale or the total (all items) of the data
    /// the moments summarize, plus split-half reliability and omega total, under these options.
    ///
    /// # Errors
    /// - [`ErrorKind::UnknownTarget`] for a subscale the instrument does not have (`total` is
    ///   always all items);
    /// - [`ErrorKind::TooFewItems`] below two items;
    /// - [`ErrorKind::TooFewRows`] with fewer than two usable rows (complete rows, listwise);
    /// - [`ErrorKind::TooFewPairs`] when two items are answered together in fewer than two rows;
    /// - [`ErrorKind::ZeroVariance`] for an item whose answers do not vary;
    /// - [`ErrorKind::InstrumentMismatch`] recorded while collecting chunks ([`Moments::check`]).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    /// use therapeutic_alliance::reliability::{MissingData, ReliabilityOptions};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let m = ResponseMatrix::from_rows(&srs, [[Some(9.0); 4], [Some(8.0); 4], [Some(8.5); 4]])?;
    /// let listwise = ReliabilityOptions::default().missing(MissingData::Listwise);
    /// assert!(listwise.analyze(&m.moments(), "total").is_ok());
    /// let one = listwise.analyze(&m.moments(), "bond").unwrap_err();
    /// assert_eq!(one.code(), "too_few_items");
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze(&self, moments: &Moments, target: impl Into<Target>) -> Result<Reliability> {
        moments.check()?;
        let data = moments.set_data(&target.into())?;
        data.reliability(*self)
    }

    /// The reliability of every subscale and of the total (all items), in one call from one
    /// pass over the data, in the instrument's order with the total last.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    /// use therapeutic_alliance::reliability::ReliabilityOptions;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let rows: Vec<Vec<Option<f64>>> = (0..30)
    ///     .map(|i| (0..12).map(|j| Some(f64::from((i + j * (i % 4)) % 5 + 1))).collect())
    ///     .collect();
    /// let all = ReliabilityOptions::default().analyze_each(&ResponseMatrix::from_rows(&wai, &rows)?.moments());
    /// let targets: Vec<_> = all.iter().map(|t| t.target.as_str()).collect();
    /// assert_eq!(targets, ["goals", "collaboration", "bond", "total"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn analyze_each(&self, moments: &Moments) -> Vec<TargetReliability> {
        let Some(inst) = moments.instrument() else {
            return Vec::new();
        };
        inst.subscales()
            .iter()
            .map(|s| s.id().to_owned())
            .chain(["total".to_owned()])
            .map(|target| {
                let result = self.analyze(moments, target.as_str());
                TargetReliability { target, result }
            })
            .collect()
    }
}

/// One target's reliability from [`ReliabilityOptions::analyze_each`]: the subscale id (or
/// `total`) and its result or the error that target gave.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TargetReliability {
    /// The subscale id, or `total`.
    pub target: String,
    /// Its reliability, or why it has none.
    pub result: Result<Reliability>,
}

impl Moments {
    /// Everything psych's `alpha()` reports for a subscale or the total (all items), with
    /// pairwise covariances, plus split-half reliability and omega total.
    ///
    /// The same as [`ReliabilityOptions::analyze`] with the default options (pairwise
    /// covariances, all split halves).
    ///
    /// # Errors
    /// As [`ReliabilityOptions::analyze`].
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let rows: Vec<Vec<Option<f64>>> = (0..50)
    ///     .map(|i| (0..12).map(|j| Some(f64::from((i % 5 + (i * j) % 3).clamp(0, 4) + 1))).collect())
    ///     .collect();
    /// let rel = ResponseMatrix::from_rows(&wai, &rows)?.moments().reliability("bond")?;
    /// assert_eq!(rel.items, ["3", "5", "7", "9"]);
    /// assert!(rel.raw_alpha > 0.5 && rel.raw_alpha < 1.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliability(&self, target: impl Into<Target>) -> Result<Reliability> {
        ReliabilityOptions::default().analyze(self, target)
    }

    /// The set a target names: a subscale, or all items for `total`.
    fn set_data(&self, target: &Target) -> Result<SetData<'_>> {
        let inst = self.instrument().ok_or_else(|| -> Error {
            ErrorKind::TooFewRows {
                target: target.to_string(),
                rows: 0,
                statistic: "reliability",
                needed: 2,
            }
            .into()
        })?;
        let index = match target {
            Target::Total => self.sets().len().saturating_sub(1),
            _ => match inst.slot(target)? {
                Slot::Subscale(i) => i,
                Slot::Total => self.sets().len().saturating_sub(1),
            },
        };
        let set = self.sets().get(index).ok_or_else(|| -> Error {
            ErrorKind::UnknownTarget {
                instrument: inst.id().to_owned(),
                target: target.to_string(),
                known: Vec::new(),
            }
            .into()
        })?;
        let items = inst.items();
        let names = set
            .items
            .iter()
            .filter_map(|&i| items.get(i).map(|it| it.id().to_owned()))
            .collect();
        let reversed = set
            .items
            .iter()
            .filter_map(|&i| items.get(i).map(crate::Item::is_reversed))
            .collect();
        Ok(SetData {
            moments: self,
            set,
            target: target.to_string(),
            names,
            reversed,
        })
    }
}

impl SetData<'_> {
    /// Item `a`'s name as psych prints it: `-` after a reversed item.
    fn psych_name(&self, a: usize) -> String {
        let name = self.names.get(a).cloned().unwrap_or_default();
        if self.reversed.get(a) == Some(&true) {
            format!("{name}-")
        } else {
            name
        }
    }

    /// Checks a usable count of rows.
    fn enough_rows(&self, rows: u64, statistic: &'static str) -> Result<()> {
        if rows < 2 {
            return Err(ErrorKind::TooFewRows {
                target: self.target.clone(),
                rows,
                statistic,
                needed: 2,
            }
            .into());
        }
        Ok(())
    }

    /// The covariance matrix of the set under `missing` (offset units).
    fn covariance(&self, missing: MissingData) -> Result<Matrix> {
        let m = self.set.items.len();
        let mut c = Matrix::zeros(m);
        match missing {
            MissingData::Pairwise => {
                for a in 0..m {
                    for b in a..m {
                        let (i, j) = (self.set.items[a], self.set.items[b]);
                        let p = self.moments.pair(i, j).unwrap_or_default();
                        if p.n < 2 {
                            return Err(self.pair_error(a, b, p.n));
                        }
                        let v = cov(p.n, p.s_i, p.s_j, p.p);
                        c.set(a, b, v);
                        c.set(b, a, v);
                    }
                }
            }
            MissingData::Listwise => {
                let n = self.set.complete;
                self.enough_rows(n, "a listwise covariance")?;
                for a in 0..m {
                    for b in a..m {
                        let (sa, sb) = (self.set.sum[a], self.set.sum[b]);
                        let v = cov(n, sa, sb, self.set.cross[packed(a, b)]);
                        c.set(a, b, v);
                        c.set(b, a, v);
                    }
                }
            }
        }
        for a in 0..m {
            if c.get(a, a) <= 0.0 {
                return Err(ErrorKind::ZeroVariance {
                    item: self.names.get(a).cloned().unwrap_or_default(),
                }
                .into());
            }
        }
        Ok(c)
    }

    fn pair_error(&self, a: usize, b: usize, rows: u64) -> Error {
        if a == b {
            ErrorKind::TooFewRows {
                target: format!("item {}", self.names.get(a).cloned().unwrap_or_default()),
                rows,
                statistic: "a variance",
                needed: 2,
            }
            .into()
        } else {
            ErrorKind::TooFewPairs {
                first: self.names.get(a).cloned().unwrap_or_default(),
                second: self.names.get(b).cloned().unwrap_or_default(),
                rows,
            }
            .into()
        }
    }

    /// The correlation matrix omega uses: pairwise correlations proper (each pair's own means
    /// and SDs), or the complete-row correlations listwise.
    fn pairwise_correlation(&self, missing: MissingData, c: &Matrix) -> Matrix {
        let m = self.set.items.len();
        if missing == MissingData::Listwise {
            return c.cov2cor();
        }
        let mut r = Matrix::zeros(m);
        for a in 0..m {
            r.set(a, a, 1.0);
            for b in (a + 1)..m {
                let (i, j) = (self.set.items[a], self.set.items[b]);
                let p = self.moments.pair(i, j).unwrap_or_default();
                let n = i128::from(p.n);
                let sxy = n * p.p as i128 - p.s_i as i128 * p.s_j as i128;
                let sxx = n * p.q_i as i128 - p.s_i as i128 * p.s_i as i128;
                let syy = n * p.q_j as i128 - p.s_j as i128 * p.s_j as i128;
                let v = sxy as f64 / ((sxx as f64) * (syy as f64)).sqrt();
                r.set(a, b, v);
                r.set(b, a, v);
            }
        }
        r
    }

    fn reliability(&self, options: ReliabilityOptions) -> Result<Reliability> {
        let m = self.set.items.len();
        if m < 2 {
            return Err(ErrorKind::TooFewItems {
                target: self.target.clone(),
                items: m,
                statistic: "alpha",
                needed: 2,
            }
            .into());
        }
        let n_rows = self.moments.rows();
        self.enough_rows(n_rows, "alpha")?;
        let missing = options.missing_data();
        let c = self.covariance(missing)?;
        let r = c.cov2cor();
        let total = core(&c, &r);
        let big_n = n_rows as f64;
        let ase = (total.q / big_n).sqrt();
        let feldt = feldt(total.raw_alpha, n_rows, m);
        let (mean, sd) = self.person_scores();
        let if_dropped = self.if_dropped(&c, &r, n_rows);
        let item_stats = self.item_stats(&c, &r, missing);
        let split_half = split::split_half(&r, options);
        let omega = (m >= 3).then(|| {
            let mr = self.pairwise_correlation(missing, &c);
            let fit = minres::one_factor(&mr);
            let vt = mr.sum();
            let h2: f64 = fit.loadings.iter().map(|l| l * l).sum();
            let at_bound = fit
                .uniquenesses
                .iter()
                .any(|&u| u <= 0.005 * (1.0 + 1e-12) || u >= 1.0 - 1e-12);
            Omega {
                total: (vt - m as f64 + h2) / vt,
                loadings: fit.loadings,
                uniquenesses: fit.uniquenesses,
                at_bound,
            }
        });
        let doubtful_keying = item_stats
            .iter()
            .filter(|s| s.r_drop < 0.0)
            .map(|s| s.item.clone())
            .collect();
        Ok(Reliability {
            target: self.target.clone(),
            items: self.names.clone(),
            reversed: self.reversed.clone(),
            missing,
            n_rows,
            n_complete: self.set.complete,
            raw_alpha: total.raw_alpha,
            std_alpha: total.std_alpha,
            g6_smc: total.g6,
            average_r: total.average_r,
            median_r: total.median_r,
            signal_noise: total.signal_noise,
            ase,
            ase_interval: Interval {
                lower: total.raw_alpha - 1.96 * ase,
                upper: total.raw_alpha + 1.96 * ase,
            },
            feldt,
            mean,
            sd,
            sem: sd * (1.0 - total.raw_alpha).max(0.0).sqrt(),
            if_dropped,
            item_stats,
            frequencies: self.frequencies(),
            split_half,
            omega,
            doubtful_keying,
        })
    }

    /// psych's `alpha.drop` rows.
    fn if_dropped(&self, c: &Matrix, r: &Matrix, n_rows: u64) -> Vec<IfDropped> {
        let m = c.n;
        let big_n = n_rows as f64;
        if m == 2 {
            // psych's two-item special case: row 1 keeps item 2, row 2 keeps item 1, and both
            // take the first item's smc.
            let (c12, r12) = (c.get(0, 1), r.get(0, 1));
            let smc1 = r.smc().first().copied().unwrap_or(f64::NAN);
            return [c.get(1, 1), c.get(0, 0)]
                .iter()
                .enumerate()
                .map(|(a, &var)| IfDropped {
                    item: self.psych_name(a),
                    raw_alpha: c12 / var,
                    std_alpha: r12,
                    g6_smc: smc1,
                    average_r: r12,
                    signal_noise: r12 / (1.0 - r12),
                    ase: None,
                    var_r: Some(0.0),
                    median_r: r12,
                })
                .collect();
        }
        (0..m)
            .map(|a| {
                let k = core(&c.without(a), &r.without(a));
                IfDropped {
                    item: self.psych_name(a),
                    raw_alpha: k.raw_alpha,
                    std_alpha: k.std_alpha,
                    g6_smc: k.g6,
                    average_r: k.average_r,
                    signal_noise: k.signal_noise,
                    ase: (big_n > m as f64).then(|| (k.q / big_n).sqrt()),
                    var_r: k.var_r,
                    median_r: k.median_r,
                }
            })
            .collect()
    }

    /// Sums over the person scores `T = s / a` (offset units) of the rows whose `T` counts:
    /// (rows, Σ T, Σ T²), over every row with an answer.
    fn person_sums(&self) -> (f64, f64, f64) {
        let set = self.set;
        let m = set.items.len() as f64;
        let (complete_sum, complete_sq) = self.complete_score_sums();
        let mut rows = set.complete as f64;
        let mut s1 = complete_sum / m;
        let mut s2 = complete_sq / (m * m);
        for (&(a, s), g) in &set.partial {
            let t = s as f64 / f64::from(a);
            let w = g.rows as f64;
            rows += w;
            s1 += w * t;
            s2 += w * t * t;
        }
        (rows, s1, s2)
    }

    /// Over complete rows: Σ s and Σ s² of the row sums s.
    fn complete_score_sums(&self) -> (f64, f64) {
        let set = self.set;
        let m = set.items.len();
        let s1: u128 = set.sum.iter().sum();
        let mut s2: u128 = 0;
        for a in 0..m {
            for b in a..m {
                let v = set.cross[packed(a, b)];
                s2 += if a == b { v } else { 2 * v };
            }
        }
        (s1 as f64, s2 as f64)
    }

    /// Mean and SD of the person scores, on the response scale.
    fn person_scores(&self) -> (f64, f64) {
        let (rows, s1, s2) = self.person_sums();
        let (lo, res) = self.scale_units();
        let mean_off = s1 / rows;
        let var_off = (s2 - s1 * s1 / rows) / (rows - 1.0);
        (lo + mean_off / res, var_off.max(0.0).sqrt() / res)
    }

    /// The scale minimum and resolution (units per point).
    fn scale_units(&self) -> (f64, f64) {
        let scale = self.moments.instrument().map(|i| {
            (
                f64::from(i.scale().min_units()),
                i.scale().resolution_units() as f64,
            )
        });
        scale.map_or((0.0, 1.0), |(lo, res)| (lo / res, res))
    }

    /// psych's `item.stats` rows.
    fn item_stats(&self, c: &Matrix, r: &Matrix, missing: MissingData) -> Vec<ItemStatistics> {
        let m = c.n;
        let sr = r.sum();
        let smc = r.smc();
        let mut rc = r.clone();
        for (a, s) in smc.iter().enumerate() {
            rc.set(a, a, *s);
        }
        let src = rc.sum();
        let (lo, res) = self.scale_units();
        (0..m)
            .map(|a| {
                let i = self.set.items[a];
                let d = self.moments.pair(i, i).unwrap_or_default();
                let col_r: f64 = (0..m).map(|b| r.get(b, a)).sum();
                let col_rc: f64 = (0..m).map(|b| rc.get(b, a)).sum();
                let col_c: f64 = (0..m).map(|b| c.get(b, a)).sum();
                let rest = c.without(a).sum();
                let mean = lo + ratio(d.s_i as i128, i128::from(d.n)) / res;
                let var = cov(d.n, d.s_i, d.s_i, d.q_i);
                ItemStatistics {
                    item: self.psych_name(a),
                    n: d.n,
                    raw_r: self.raw_r(a, missing),
                    std_r: col_r / sr.sqrt(),
                    r_cor: col_rc / src.sqrt(),
                    r_drop: (col_c - c.get(a, a)) / (c.get(a, a) * rest).sqrt(),
                    mean,
                    sd: var.sqrt() / res,
                }
            })
            .collect()
    }

    /// The correlation of item `a` with the person score, over the rows answering it
    /// (pairwise) or the complete rows (listwise).
    fn raw_r(&self, a: usize, missing: MissingData) -> f64 {
        let set = self.set;
        let m = set.items.len() as f64;
        let i = set.items[a];
        // Complete rows: T = s / m, x = item a.
        let (csum, csq) = self.complete_score_sums();
        let cross_a: u128 = (0..set.items.len()).map(|b| set.cross[packed(a, b)]).sum();
        let mut n = set.complete as f64;
        let mut st = csum / m;
        let mut stt = csq / (m * m);
        let mut sx = set.sum[a] as f64;
        let mut sxx = set.cross[packed(a, a)] as f64;
        let mut stx = cross_a as f64 / m;
        if missing == MissingData::Pairwise {
            let d = self.moments.pair(i, i).unwrap_or_default();
            n = d.n as f64;
            sx = d.s_i as f64;
            sxx = d.q_i as f64;
            for (&(ans, s), g) in &set.partial {
                let t = s as f64 / f64::from(ans);
                let (na, xa) = (
                    g.item_n.get(a).copied().unwrap_or(0) as f64,
                    g.item_sum.get(a).copied().unwrap_or(0) as f64,
                );
                st += na * t;
                stt += na * t * t;
                stx += t * xa;
            }
        }
        let num = n * stx - st * sx;
        let den = ((n * stt - st * st) * (n * sxx - sx * sx)).sqrt();
        num / den
    }

    /// psych's `response.freq`, on each item's own coding.
    fn frequencies(&self) -> Option<Vec<ResponseFrequency>> {
        let freq = self.moments.frequencies()?;
        let inst = self.moments.instrument()?;
        let scale = inst.scale();
        let span = (i64::from(scale.max_units()) - i64::from(scale.min_units())) as usize;
        // Counts per item on the original coding (stored cells are keyed).
        let counts: Vec<Vec<u64>> = self
            .set
            .items
            .iter()
            .zip(&self.reversed)
            .map(|(&i, &rev)| {
                let keyed = freq.get(i).cloned().unwrap_or_default();
                if rev {
                    keyed.into_iter().rev().collect()
                } else {
                    keyed
                }
            })
            .collect();
        let used: Vec<usize> = (0..=span)
            .filter(|&c| counts.iter().any(|v| v.get(c).copied().unwrap_or(0) > 0))
            .collect();
        let n_rows = self.moments.rows() as f64;
        Some(
            counts
                .iter()
                .zip(&self.names)
                .map(|(v, name)| {
                    let n: u64 = v.iter().sum();
                    ResponseFrequency {
                        item: name.clone(),
                        categories: used
                            .iter()
                            .map(|&c| Category {
                                value: scale
                                    .value_of_units(i64::from(scale.min_units()) + c as i64),
                                proportion: v.get(c).copied().unwrap_or(0) as f64 / n as f64,
                            })
                            .collect(),
                        missing: 1.0 - n as f64 / n_rows,
                    }
                })
                .collect(),
        )
    }
}

/// The covariance from exact sums: `(n P - S_x S_y) / (n (n - 1))`, correctly rounded.
fn cov(n: u64, sx: u128, sy: u128, p: u128) -> f64 {
    let n128 = i128::from(n);
    let num = n128 * p as i128 - sx as i128 * sy as i128;
    ratio(num, n128 * (n128 - 1))
}

/// Feldt's 95% interval with psych's degrees of freedom.
fn feldt(alpha: f64, n: u64, k: usize) -> Interval {
    let df1 = n as f64 - 1.0;
    let df2 = df1 * (k as f64 - 1.0);
    let q = |p: f64| crate::stats::qf(p, df1, df2);
    Interval {
        lower: 1.0 - (1.0 - alpha) * q(0.975),
        upper: 1.0 - (1.0 - alpha) * q(0.025),
    }
}
