//! The numerical ground floor, private to the crate: distributions with R's names (the one home
//! for statrs calls, with the NaN guards), the one mean, variance and standard deviation, the
//! L-BFGS-B optimizer, small dense linear algebra, and the two-sided [`Interval`] the statistics
//! report.
//!
//! It imports nothing from the crate but the error module, so every floor above may use it.

mod chisq;
mod dense;
mod dist;
mod linalg;
mod optimize;
mod summary;

#[allow(unused_imports)] // each build (features) uses a different subset
pub(crate) use chisq::{pchisq_lower, pchisq_ncp, pchisq_upper, uniroot};
pub(crate) use dense::dot;
#[allow(unused_imports)] // each build (features) uses a different subset
pub(crate) use dist::{lgamma, ncp_for, pf_upper, pnorm, pt, pt_ncp, pt_two_sided, qf, qnorm, qt};
pub(crate) use linalg::Matrix;
pub(crate) use optimize::lbfgsb;
pub(crate) use summary::{mean, median, sd, variance, variance_about};

/// A two-sided interval (a confidence interval of a statistic).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use therapeutic_alliance::catalog;
/// # use therapeutic_alliance::matrix::ResponseMatrix;
/// let wai = catalog::require("wai-sr")?;
/// let rows: Vec<Vec<Option<f64>>> = (0..40).map(|i| (0..12).map(|j| Some(f64::from((i * 7 + j * (i % 3 + 1)) % 5 + 1))).collect()).collect();
/// let rel = ResponseMatrix::from_rows(&wai, &rows)?.moments().reliability("total")?;
/// assert!(rel.feldt.lower < rel.raw_alpha && rel.raw_alpha < rel.feldt.upper);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}
