//! Reliability of an item set, as R's psych package reports it: Cronbach's alpha with every
//! statistic of `psych::alpha()` (standardized alpha, Guttman's lambda 6, average and median
//! inter-item correlation, signal/noise, the Duhachek-Iacobucci standard error with Hattori's
//! correction, Feldt's interval, alpha if an item is dropped, item-total correlations, response
//! frequencies), split-half reliability (`psych::splitHalf`), McDonald's omega total from a
//! one-factor minres solution (`psych::omega(nfactors = 1)`), and intraclass correlations
//! (`psych::ICC`, in [`IccTable`]).
//!
//! Everything but the ICC is computed from [`Moments`](crate::matrix::Moments): exact integer sums accumulated in one
//! pass (and mergeable across chunks and threads), so the statistics do not depend on row order.
//! Items are keyed first (a reversed item counts `min + max - answer` on the scale's own
//! bounds), as psych does with `keys`.
//!
//! ## Missing data
//! - [`MissingData::Pairwise`] (psych's default, `use = "pairwise"`): each covariance uses the
//!   rows where both items are answered, with those rows' means; correlations are `cov2cor` of
//!   that matrix, as in `alpha()` and `splitHalf()`. Omega uses the pairwise correlations
//!   proper (each pair's own means and standard deviations), as `omega()` does.
//! - [`MissingData::Listwise`] (`use = "complete.obs"`): only rows answering every item of the
//!   set.
//!
//! In both, `N` for the standard error and Feldt's interval is every row of the data, as in
//! psych, and the person scores (mean and SD) are the means of each row's answered items.
//!
//! Statistics are checked against psych 2.2.9 on the bfi data to 1e-9 relative
//! (`tests/psych_reliability.rs`); [`_documentation::coming_from_psych`](crate::_documentation::coming_from_psych)
//! maps psych's calls to this module.
//!
//! ```
//! use therapeutic_alliance::catalog;
//! use therapeutic_alliance::matrix::ResponseMatrix;
//! use therapeutic_alliance::reliability::{IccForm, IccTable, MissingData, ReliabilityOptions};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let wai = catalog::require("wai-sr")?;
//! let rows: Vec<Vec<Option<f64>>> = (0..40)
//!     .map(|i| (0..12).map(|j| Some(f64::from((i % 5 + (i * j) % 2).min(4) + 1))).collect())
//!     .collect();
//! let moments = ResponseMatrix::from_rows(&wai, &rows)?.moments();
//!
//! // psych::alpha(bond items), pairwise (the default) and listwise.
//! let bond = moments.reliability("bond")?;
//! let listwise = ReliabilityOptions::default().missing(MissingData::Listwise).analyze(&moments, "bond")?;
//! assert_eq!(bond.raw_alpha, listwise.raw_alpha); // no missing answers: the same
//! assert_eq!(bond.item_stats.len(), 4);
//!
//! // psych::ICC on client, therapist and observer totals of five sessions.
//! let icc = IccTable::analyze([[48.0, 44.0, 46.0], [39.0, 41.0, 38.0], [55.0, 50.0, 52.0],
//!                              [42.0, 45.0, 44.0], [50.0, 47.0, 49.0]])?;
//! assert!(icc.get(IccForm::Icc2).icc > 0.7);
//! # Ok(())
//! # }
//! ```

mod agreement;
mod alpha;
mod icc;

mod minres;
mod split;

pub use agreement::{Agreement, ItemAgreement, TargetAgreement};
pub use alpha::{
    Category, IfDropped, ItemStatistics, Omega, Reliability, ResponseFrequency, TargetReliability,
};
pub use icc::{Icc, IccForm, IccTable};
pub use split::{SplitHalf, SplitHalfMethod};

pub use crate::stats::Interval;
use crate::vocab::vocabulary;

/// How missing answers enter the covariances: pairwise-complete (psych's default) or listwise.
///
/// Pairwise, each covariance uses the rows where both items are answered, with those rows'
/// means, and correlations are `cov2cor` of that matrix (as in `alpha()` and `splitHalf()`);
/// omega uses the pairwise correlations proper (each pair's own means and SDs), as `omega()`
/// does. Listwise, only rows answering every item of the set count. In both, `N` for the
/// standard error and Feldt's interval is every row of the data, as in psych, and the person
/// scores are the means of each row's answered items.
///
/// ```
/// use therapeutic_alliance::reliability::MissingData;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(MissingData::default(), MissingData::Pairwise);
/// assert_eq!("listwise".parse::<MissingData>()?, MissingData::Listwise);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MissingData {
    /// Pairwise-complete covariances (psych's default).
    #[default]
    Pairwise,
    /// Only rows that answer every item (listwise deletion).
    Listwise,
}

vocabulary!(MissingData, "missing-data rule", None, [Pairwise => "pairwise", Listwise => "listwise"]);

/// How the reliability of an item set is computed: the missing-data rule and the split-half
/// enumeration.
///
/// ```
/// use therapeutic_alliance::reliability::{MissingData, ReliabilityOptions, SplitHalfMethod};
///
/// let psych_like = ReliabilityOptions::default()
///     .missing(MissingData::Listwise)
///     .split_half(SplitHalfMethod::Psych);
/// assert_eq!(psych_like.missing_data(), MissingData::Listwise);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReliabilityOptions {
    missing: MissingData,
    split_half: SplitHalfMethod,
    seed: u64,
}

impl ReliabilityOptions {
    /// Sets the missing-data rule.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::{MissingData, ReliabilityOptions};
    ///
    /// assert_eq!(ReliabilityOptions::default().missing(MissingData::Listwise).missing_data(), MissingData::Listwise);
    /// ```
    #[must_use]
    pub fn missing(mut self, missing: MissingData) -> Self {
        self.missing = missing;
        self
    }

    /// Sets the split-half enumeration.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::{ReliabilityOptions, SplitHalfMethod};
    ///
    /// let o = ReliabilityOptions::default().split_half(SplitHalfMethod::Psych);
    /// assert_eq!(o.split_half_method(), SplitHalfMethod::Psych);
    /// ```
    #[must_use]
    pub fn split_half(mut self, method: SplitHalfMethod) -> Self {
        self.split_half = method;
        self
    }

    /// Sets the seed of the random sample of splits drawn for more than 16 items.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::ReliabilityOptions;
    ///
    /// assert_eq!(ReliabilityOptions::default().seed(7).random_seed(), 7);
    /// ```
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The missing-data rule.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::{MissingData, ReliabilityOptions};
    ///
    /// assert_eq!(ReliabilityOptions::default().missing_data(), MissingData::Pairwise);
    /// ```
    pub fn missing_data(&self) -> MissingData {
        self.missing
    }

    /// The split-half enumeration.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::{ReliabilityOptions, SplitHalfMethod};
    ///
    /// assert_eq!(ReliabilityOptions::default().split_half_method(), SplitHalfMethod::AllSplits);
    /// ```
    pub fn split_half_method(&self) -> SplitHalfMethod {
        self.split_half
    }

    /// The seed of the random sample of splits.
    ///
    /// ```
    /// use therapeutic_alliance::reliability::ReliabilityOptions;
    ///
    /// assert_eq!(ReliabilityOptions::default().random_seed(), 0);
    /// ```
    pub fn random_seed(&self) -> u64 {
        self.seed
    }
}
