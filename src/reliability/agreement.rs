//! Client-therapist agreement on parallel forms: the same session rated by both sides.

use super::icc::{IccForm, IccTable};
use crate::error::{ErrorKind, Result};
use crate::matrix::ResponseMatrix;

/// How far a client's and a therapist's ratings of the same sessions agree, on parallel forms
/// (the crate's modality forms ask item `n` of both sides): for each subscale and the total, the
/// mean of each side, their difference, the correlation, and the intraclass correlations for
/// absolute agreement (ICC2) and consistency (ICC3); for each item, how often the two gave the
/// same answer.
///
/// Rows are paired: row `r` of both matrices is the same session.
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::matrix::ResponseMatrix;
/// use therapeutic_alliance::reliability::Agreement;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (client, therapist) = (catalog::require("cbt-client")?, catalog::require("cbt-therapist")?);
/// let c: Vec<Vec<Option<f64>>> = (0..8).map(|s| (0..12).map(|i| Some(f64::from((s + i) % 5 + 1))).collect()).collect();
/// let t: Vec<Vec<Option<f64>>> = (0..8).map(|s| (0..12).map(|i| Some(f64::from((s + i + (i % 2)) % 5 + 1))).collect()).collect();
/// let agreement = Agreement::parallel_forms(&ResponseMatrix::from_rows(&client, &c)?, &ResponseMatrix::from_rows(&therapist, &t)?)?;
/// let total = agreement.targets.last().ok_or("a total")?;
/// assert_eq!((total.target.as_str(), total.pairs), ("total", 8));
/// assert_eq!(agreement.items.len(), 12);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Agreement {
    /// Each subscale, then the total.
    pub targets: Vec<TargetAgreement>,
    /// Each item.
    pub items: Vec<ItemAgreement>,
}

/// Agreement on one subscale or the total, over the sessions both sides scored.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TargetAgreement {
    /// The subscale id, or `total`.
    pub target: String,
    /// Sessions both sides scored.
    pub pairs: usize,
    /// The client's mean score (primary metric).
    pub client_mean: Option<f64>,
    /// The therapist's mean score.
    pub therapist_mean: Option<f64>,
    /// Mean of client minus therapist.
    pub mean_difference: Option<f64>,
    /// Pearson's correlation of the two; `None` below 3 pairs or without variance.
    pub correlation: Option<f64>,
    /// ICC for absolute agreement of single ratings (Shrout & Fleiss ICC(2,1)); `None` when
    /// undefined (fewer than 2 pairs, no variance).
    pub icc_agreement: Option<f64>,
    /// ICC for consistency of single ratings (ICC(3,1)); `None` likewise.
    pub icc_consistency: Option<f64>,
}

/// Agreement on one item, over the sessions where both sides answered it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ItemAgreement {
    /// The item id.
    pub item: String,
    /// Sessions where both answered it.
    pub pairs: usize,
    /// The proportion of those where the two answers were the same; `None` without pairs.
    pub exact: Option<f64>,
    /// The mean absolute difference of the two answers; `None` without pairs.
    pub mean_absolute_difference: Option<f64>,
}

impl Agreement {
    /// Compares a client form's and a therapist form's ratings of the same sessions.
    ///
    /// # Errors
    /// - [`ErrorKind::WrongLength`] when the matrices have different numbers of rows;
    /// - [`ErrorKind::InstrumentMismatch`] when the forms are not parallel (different item ids,
    ///   scales or subscales).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    /// use therapeutic_alliance::reliability::Agreement;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let c = ResponseMatrix::new(&catalog::require("cbt-client")?);
    /// let w = ResponseMatrix::new(&catalog::require("wai-sr")?);
    /// assert_eq!(Agreement::parallel_forms(&c, &w).unwrap_err().code(), "instrument_mismatch");
    /// # Ok(())
    /// # }
    /// ```
    pub fn parallel_forms(client: &ResponseMatrix, therapist: &ResponseMatrix) -> Result<Self> {
        let (a, b) = (client.instrument(), therapist.instrument());
        let same_items = a
            .items()
            .iter()
            .map(|i| i.id())
            .eq(b.items().iter().map(|i| i.id()));
        let same_subscales = a
            .subscales()
            .iter()
            .map(|s| (s.id(), s.items()))
            .eq(b.subscales().iter().map(|s| (s.id(), s.items())));
        if !same_items
            || !same_subscales
            || a.scale() != b.scale()
            || a.total_rule() != b.total_rule()
        {
            return Err(ErrorKind::InstrumentMismatch {
                expected: format!("a form parallel to {}", a.label()),
                found: b.label(),
            }
            .into());
        }
        if client.rows() != therapist.rows() {
            return Err(ErrorKind::WrongLength {
                instrument: b.id().to_owned(),
                expected: client.rows(),
                found: therapist.rows(),
            }
            .into());
        }
        let (sa, sb) = (client.score(), therapist.score());
        let mut targets: Vec<String> = a.subscales().iter().map(|s| s.id().to_owned()).collect();
        if a.total_rule() != crate::TotalRule::None {
            targets.push("total".to_owned());
        }
        let targets = targets
            .into_iter()
            .map(|t| {
                let pairs: Vec<[f64; 2]> = (0..client.rows())
                    .filter_map(|r| Some([sa.primary(r, t.as_str())?, sb.primary(r, t.as_str())?]))
                    .collect();
                target_agreement(t, &pairs)
            })
            .collect();
        let items = a
            .items()
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let pairs: Vec<(f64, f64)> = (0..client.rows())
                    .filter_map(|r| Some((client.value(r, i)?, therapist.value(r, i)?)))
                    .collect();
                let n = pairs.len();
                let nf = n as f64;
                ItemAgreement {
                    item: item.id().to_owned(),
                    pairs: n,
                    exact: (n > 0)
                        .then(|| pairs.iter().filter(|(x, y)| x == y).count() as f64 / nf),
                    mean_absolute_difference: (n > 0)
                        .then(|| pairs.iter().map(|(x, y)| (x - y).abs()).sum::<f64>() / nf),
                }
            })
            .collect();
        Ok(Agreement { targets, items })
    }
}

/// The agreement of paired scores.
fn target_agreement(target: String, pairs: &[[f64; 2]]) -> TargetAgreement {
    let n = pairs.len();
    let mean = |k: usize| crate::stats::mean(&pairs.iter().map(|p| p[k]).collect::<Vec<_>>());
    let (ma, mb) = (mean(0), mean(1));
    let correlation = match (ma, mb) {
        (Some(ma), Some(mb)) if n >= 3 => {
            let sxy: f64 = pairs.iter().map(|p| (p[0] - ma) * (p[1] - mb)).sum();
            let sxx: f64 = pairs.iter().map(|p| (p[0] - ma).powi(2)).sum();
            let syy: f64 = pairs.iter().map(|p| (p[1] - mb).powi(2)).sum();
            let r = sxy / (sxx * syy).sqrt();
            r.is_finite().then_some(r)
        }
        _ => None,
    };
    let icc = IccTable::analyze(pairs).ok();
    TargetAgreement {
        target,
        pairs: n,
        client_mean: ma,
        therapist_mean: mb,
        mean_difference: ma.zip(mb).map(|(a, b)| a - b),
        correlation,
        icc_agreement: icc.as_ref().map(|i| i.get(IccForm::Icc2).icc),
        icc_consistency: icc.as_ref().map(|i| i.get(IccForm::Icc3).icc),
    }
}
