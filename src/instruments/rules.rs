//! How item answers become a score: sum or mean, and what to do about missing items.

use crate::error::{Error, Result};

/// Whether an instrument's published score is the sum or the mean of its items.
///
/// Every score carries both; this says which one is *the* score (the one thresholds default to and
/// the `alliance score` example writes).
///
/// ```
/// use therapeutic_alliance::{catalog, ScoringRule};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// assert_eq!(catalog::get("arm-5").ok_or("missing")?.scoring(), ScoringRule::Mean);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ScoringRule {
    /// The sum of the (keyed) items.
    #[default]
    Sum,
    /// The mean of the (keyed) items.
    Mean,
}

/// When a part with unanswered items still gets a score.
///
/// A part that meets the rule is scored by prorating: its mean is the mean of the answered items and
/// its sum is that mean times the part's item count. A part that does not meet it has no score, and
/// the result says why. The total is scored only when every part is, and is then the sum of the
/// (prorated) part sums, so each part keeps its weight.
///
/// The default, used by the catalog, scores a part when at least 75% (3/4) of its items are
/// answered: 3 of 4, 9 of 12. With one-item parts (the SRS) any rule means the item must be answered.
///
/// ```
/// use therapeutic_alliance::MissingRule;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let rule = MissingRule::default();
/// assert_eq!(rule.required(4), 3);
/// assert_eq!(MissingRule::strict().required(4), 4);
/// assert_eq!(MissingRule::at_least_fraction(2, 3)?.required(4), 3);
/// assert_eq!(MissingRule::at_least_items(2)?.required(4), 2);
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

/// Serialized form of a missing-item rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)
)]
pub(crate) enum MissingRuleDef {
    /// Every item must be answered.
    Strict,
    /// At least `numerator / denominator` of the part's items.
    AtLeastFraction { numerator: u32, denominator: u32 },
    /// At least `items` answered items (or all of them, if the part has fewer).
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
        MissingRule(MissingRuleDef::Strict)
    }

    /// Score a part when at least `numerator / denominator` of its items are answered (rounded up).
    ///
    /// # Errors
    /// [`Error::InvalidMissingRule`] if the denominator is zero, the numerator is zero or the
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

    /// Score a part when at least `items` of its items are answered.
    ///
    /// # Errors
    /// [`Error::InvalidMissingRule`] if `items` is zero. An instrument whose part has fewer items
    /// than this refuses the rule with [`Error::UnreachableMissingRule`].
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

    /// How many of a part's `items` must be answered for it to be scored.
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
            MissingRuleDef::Strict => items,
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } => {
                // ceil(items * n / d) in exact integer arithmetic.
                let (n, d) = (u64::from(numerator), u64::from(denominator));
                let need = (items as u64).saturating_mul(n).div_ceil(d.max(1));
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
        self.0 == MissingRuleDef::Strict
    }

    /// A description for reports, e.g. "at least 3/4 of a part's items".
    ///
    /// ```
    /// use therapeutic_alliance::MissingRule;
    ///
    /// assert_eq!(MissingRule::default().describe(), "at least 3/4 of each part's items, prorated");
    /// ```
    pub fn describe(&self) -> String {
        match self.0 {
            MissingRuleDef::Strict => "every item answered".to_owned(),
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } => format!("at least {numerator}/{denominator} of each part's items, prorated"),
            MissingRuleDef::AtLeastItems { items } => {
                format!("at least {items} items of each part, prorated")
            }
        }
    }
}

impl Default for MissingRule {
    /// At least 3/4 of a part's items, prorated.
    fn default() -> Self {
        MissingRule(MissingRuleDef::AtLeastFraction {
            numerator: 3,
            denominator: 4,
        })
    }
}

impl TryFrom<MissingRuleDef> for MissingRule {
    type Error = Error;

    fn try_from(def: MissingRuleDef) -> Result<Self> {
        match def {
            MissingRuleDef::Strict => {}
            MissingRuleDef::AtLeastFraction {
                numerator,
                denominator,
            } => {
                if denominator == 0 || numerator == 0 || numerator > denominator {
                    return Err(Error::InvalidMissingRule {
                        reason: format!(
                            "the fraction {numerator}/{denominator} must be above 0 and at most 1"
                        ),
                    });
                }
            }
            MissingRuleDef::AtLeastItems { items } => {
                if items == 0 {
                    return Err(Error::InvalidMissingRule {
                        reason: "at least one answered item is required".to_owned(),
                    });
                }
            }
        }
        Ok(MissingRule(def))
    }
}

impl From<MissingRule> for MissingRuleDef {
    fn from(r: MissingRule) -> Self {
        r.0
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
        Ok(())
    }
}
