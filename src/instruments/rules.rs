//! How item answers become scores: sum or mean, what to do about missing items, and how the
//! total is formed.

use crate::error::{ErrorKind, Result};
use crate::vocab::vocabulary;
use std::fmt;

/// Whether an instrument's published score is the sum or the mean of its items.
///
/// Every score carries both; this says which one is *the* score (the primary value of reports
/// and of the `alliance score` example).
///
/// ```
/// use therapeutic_alliance::{catalog, ScoringRule};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(catalog::require("arm-5")?.scoring(), ScoringRule::Mean);
/// assert_eq!("sum".parse::<ScoringRule>()?, ScoringRule::Sum);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ScoringRule {
    /// The sum of the (keyed) items.
    #[default]
    Sum,
    /// The mean of the (keyed) items.
    Mean,
}

vocabulary!(ScoringRule, "scoring rule", None, [Sum => "sum", Mean => "mean"]);

/// How an instrument's total score is formed.
///
/// - [`TotalRule::SumOfSubscales`] (the WAI convention, and the default): the sum of the
///   subscale sums, each subscale prorated under the missing-item rule; the total is scored only
///   when every subscale is. The subscales must split the items: every item in exactly one.
/// - [`TotalRule::OverItems`] (the psych `scoreItems` convention for a scale of all items): the
///   mean of all answered items, and that mean times the item count as the (prorated) sum; the
///   missing-item rule applies to the items as a whole.
/// - [`TotalRule::None`]: no total (instruments whose subscales are not meant to be added).
///
/// The two differ whenever a subscale is prorated, and in when a total exists: a sum-of-subscales
/// total needs every subscale scored, an over-items total only enough answered items overall. On
/// the WAI-SR with goals items 4, 6, 8 answered 5, 5, 4 (item 11 missing) and the other eight items
/// answered 2, the goals subscale is prorated to 14/3 x 4 = 56/3; the sum of subscales is
/// 8 + 8 + 56/3 = 34.67, while over items the mean is 30/11 and the prorated sum
/// 12 x 30/11 = 32.73: the first keeps each subscale's weight, the second weights every answered
/// item alike.
///
/// ```
/// use therapeutic_alliance::{catalog, Target, TotalRule};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let wai = catalog::require("wai-sr")?;
/// assert_eq!(wai.total_rule(), TotalRule::SumOfSubscales);
/// let mut row = [Some(2.0); 12];
/// (row[3], row[5], row[7], row[10]) = (Some(5.0), Some(5.0), Some(4.0), None);
/// assert_eq!(wai.score_values(&row)?.primary(Target::Total), Some(104.0 / 3.0));
/// let psych_style = wai.to_builder().version("over items").total(TotalRule::OverItems).build()?;
/// assert_eq!(psych_style.score_values(&row)?.primary(Target::Total), Some(360.0 / 11.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TotalRule {
    /// No total score.
    None,
    /// The sum of the (prorated) subscale sums; subscales must split the items.
    #[default]
    SumOfSubscales,
    /// Taken over all items: the mean of the answered items, prorated to a sum.
    OverItems,
}

vocabulary!(
    TotalRule,
    "total rule",
    None,
    [None => "none", SumOfSubscales => "sum_of_subscales", OverItems => "over_items"]
);

impl TotalRule {
    /// Words for reports: "no total", "the sum of the subscale scores", "over all items".
    ///
    /// ```
    /// use therapeutic_alliance::TotalRule;
    ///
    /// assert_eq!(TotalRule::OverItems.label(), "over all items");
    /// ```
    pub const fn label(self) -> &'static str {
        match self {
            TotalRule::None => "no total",
            TotalRule::SumOfSubscales => "the sum of the subscale scores",
            TotalRule::OverItems => "over all items",
        }
    }
}

/// When a subscale (or an over-items total) with unanswered items still gets a score.
///
/// A subscale that meets the rule is scored by prorating: its mean is the mean of the answered
/// items and its sum is that mean times its item count. One that does not has no score, and the
/// result says why.
///
/// The default, used by the catalog, scores a subscale when at least 75% (3/4) of its items are
/// answered: 3 of 4, 9 of 12. With one-item subscales (the SRS) any rule means the item must be
/// answered.
///
/// ```
/// use therapeutic_alliance::MissingRule;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(MissingRule::default().required(4), 3);
/// assert_eq!(MissingRule::strict().required(4), 4);
/// assert_eq!(MissingRule::at_least_fraction(2, 3)?.to_string(), "at least 2/3 of the items, prorated");
/// assert_eq!(MissingRule::at_least_items(1)?.to_string(), "at least 1 item, prorated");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "MissingRuleDef", into = "MissingRuleDef")
)]
pub struct MissingRule(MissingRuleDef);

/// Serialized form of a missing-item rule: `{"rule": "strict"}`,
/// `{"rule": "at_least_fraction", "numerator": 3, "denominator": 4}`,
/// `{"rule": "at_least_items", "items": 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)
)]
pub(crate) enum MissingRuleDef {
    /// Every item must be answered. A struct variant so that serde refuses stray fields.
    Strict {},
    /// At least `numerator / denominator` of the items.
    AtLeastFraction { numerator: u32, denominator: u32 },
    /// At least `items` answered items.
    AtLeastItems { items: u32 },
}

impl MissingRule {
    /// Every item must be answered; no prorating.
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// assert!(MissingRule::strict().is_strict());
    /// ```
    pub const fn strict() -> Self {
        MissingRule(MissingRuleDef::Strict {})
    }

    /// Score when at least `numerator / denominator` of the items are answered (rounded up).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidMissingRule`] if the denominator is zero, the numerator is zero or the
    /// fraction is above one.
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(MissingRule::at_least_fraction(3, 4)?, MissingRule::default());
    /// assert!(MissingRule::at_least_fraction(5, 4).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn at_least_fraction(numerator: u32, denominator: u32) -> Result<Self> {
        MissingRuleDef::AtLeastFraction {
            numerator,
            denominator,
        }
        .try_into()
    }

    /// Score when at least `items` items are answered.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidMissingRule`] if `items` is zero. An instrument with a subscale of
    /// fewer items refuses the rule with [`ErrorKind::UnreachableMissingRule`].
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(MissingRule::at_least_items(3)?.required(12), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn at_least_items(items: u32) -> Result<Self> {
        MissingRuleDef::AtLeastItems { items }.try_into()
    }

    /// How many of `items` items must be answered for a score.
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(MissingRule::default().required(12), 9);
    /// assert_eq!(MissingRule::at_least_fraction(1, 2)?.required(5), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn required(&self, items: usize) -> usize {
        match self.0 {
            MissingRuleDef::Strict {} => items,
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } => {
                // ceil(items * n / d) in exact integer arithmetic.
                let (n, d) = (u128::from(numerator), u128::from(denominator));
                let need = (items as u128).saturating_mul(n).div_ceil(d.max(1));
                usize::try_from(need).unwrap_or(items).max(1)
            }
            MissingRuleDef::AtLeastItems { items: k } => usize::try_from(k).unwrap_or(usize::MAX),
        }
    }

    /// Whether the rule is [`MissingRule::strict`].
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// assert!(!MissingRule::default().is_strict());
    /// ```
    pub fn is_strict(&self) -> bool {
        matches!(self.0, MissingRuleDef::Strict {})
    }
}

impl fmt::Display for MissingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            MissingRuleDef::Strict {} => f.write_str("every item answered"),
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } => write!(
                f,
                "at least {numerator}/{denominator} of the items, prorated"
            ),
            MissingRuleDef::AtLeastItems { items: 1 } => f.write_str("at least 1 item, prorated"),
            MissingRuleDef::AtLeastItems { items } => {
                write!(f, "at least {items} items, prorated")
            }
        }
    }
}

impl Default for MissingRule {
    /// At least 3/4 of the items, prorated.
    fn default() -> Self {
        MissingRule(MissingRuleDef::AtLeastFraction {
            numerator: 3,
            denominator: 4,
        })
    }
}

impl TryFrom<MissingRuleDef> for MissingRule {
    type Error = crate::Error;

    fn try_from(def: MissingRuleDef) -> Result<Self> {
        let reason = match def {
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } if denominator == 0 || numerator == 0 || numerator > denominator => {
                format!("the fraction {numerator}/{denominator} must be above 0 and at most 1")
            }
            MissingRuleDef::AtLeastItems { items: 0 } => {
                "at least one answered item is required".to_owned()
            }
            _ => return Ok(MissingRule(def)),
        };
        Err(ErrorKind::InvalidMissingRule { reason }.into())
    }
}

impl From<MissingRule> for MissingRuleDef {
    fn from(r: MissingRule) -> Self {
        r.0
    }
}

impl From<ScoringRule> for crate::components::Metric {
    /// The metric an instrument's scoring rule reports: `Metric::Sum` or `Metric::Mean`.
    fn from(rule: ScoringRule) -> Self {
        match rule {
            ScoringRule::Mean => crate::components::Metric::Mean,
            _ => crate::components::Metric::Sum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_rounds_up_exactly() -> Result<()> {
        let r = MissingRule::default();
        assert_eq!(
            [1, 2, 3, 4, 5, 12, 36].map(|k| r.required(k)),
            [1, 2, 3, 3, 4, 9, 27]
        );
        let two_thirds = MissingRule::at_least_fraction(2, 3)?;
        assert_eq!([3, 6, 4].map(|k| two_thirds.required(k)), [2, 4, 3]);
        assert_eq!(MissingRule::at_least_fraction(1, 1)?.required(12), 12);
        assert!(MissingRule::at_least_fraction(0, 4).is_err());
        assert!(MissingRule::at_least_fraction(1, 0).is_err());
        assert!(MissingRule::at_least_items(0).is_err());
        assert_eq!(MissingRule::strict().to_string(), "every item answered");
        Ok(())
    }
}
