//! Score types: newtypes for the three forms of a score, one score with its exact value, and
//! the range a score can take.

use super::Metric;
use crate::exact::ratio;
use crate::scale::ResponseScale;
use std::fmt;

macro_rules! score_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
        pub struct $name(pub(crate) f64);

        impl $name {
            /// The number.
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0
            }
        }
    };
}

score_newtype!(
    /// A (possibly prorated) sum of keyed item scores, on the instrument's own scale
    /// (WAI-SR total: 12-60).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let scores = srs.score_values(&[Some(9.1), Some(8.7), Some(9.3), Some(9.3)])?;
    /// assert_eq!(scores.score("total").ok_or("scored")?.sum().get(), 36.4);
    /// # Ok(())
    /// # }
    /// ```
    Sum
);
score_newtype!(
    /// The mean keyed item score, on the response scale (WAI-SR: 1-5).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = therapeutic_alliance::catalog::require("arm-5")?;
    /// // Item 3 is reversed: 8 - 1 = 7.
    /// let scores = arm.score_values(&[Some(6.0), Some(7.0), Some(1.0), Some(6.0), Some(6.0)])?;
    /// assert_eq!(scores.score("total").ok_or("scored")?.mean().get(), 6.4);
    /// # Ok(())
    /// # }
    /// ```
    Mean
);
score_newtype!(
    /// Percent of maximum possible (POMP): `100 * (mean - min) / (max - min)`, from 0 to 100, so
    /// instruments on different response scales compare (Cohen, Cohen, Aiken & West 1999,
    /// *Multivariate Behavioral Research* 34(3)).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let tasc = therapeutic_alliance::catalog::require("tasc-r")?;
    /// // Answer 4 everywhere on 1..4 with five reversed items: (33 - 12) / (48 - 12) = 58.33%.
    /// let scores = tasc.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.score("total").ok_or("scored")?.pomp().get(), 175.0 / 3.0);
    /// # Ok(())
    /// # }
    /// ```
    Pomp
);

/// The lowest and highest score a target can take in a metric.
///
/// ```
/// use therapeutic_alliance::{catalog, Metric};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::require("srs")?;
/// let r = srs.range("total", Metric::Sum).ok_or("srs has a total")?;
/// assert_eq!((r.min(), r.max()), (0.0, 40.0));
/// assert!(r.contains(36.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreRange {
    min: f64,
    max: f64,
}

impl ScoreRange {
    /// The range of a score over `items` items of `scale` in `metric`, each bound correctly
    /// rounded from exact integers (the SRS total's maximum is exactly 40).
    pub(crate) fn of(scale: &ResponseScale, items: usize, metric: Metric) -> Self {
        let (lo, hi) = (i128::from(scale.min_units()), i128::from(scale.max_units()));
        let res = scale.resolution_units();
        let n = items as i128;
        match metric {
            Metric::Sum => ScoreRange {
                min: ratio(lo.saturating_mul(n), res),
                max: ratio(hi.saturating_mul(n), res),
            },
            Metric::Mean => ScoreRange {
                min: ratio(lo, res),
                max: ratio(hi, res),
            },
            Metric::Pomp => ScoreRange {
                min: 0.0,
                max: 100.0,
            },
        }
    }

    /// The lowest possible score.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai")?;
    /// assert_eq!(wai.range("goals", therapeutic_alliance::Metric::Sum).ok_or("has goals")?.min(), 12.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The highest possible score.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai")?;
    /// assert_eq!(wai.range("goals", therapeutic_alliance::Metric::Sum).ok_or("has goals")?.max(), 84.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Whether `value` lies in the range (bounds included).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let mean = wai.range("total", therapeutic_alliance::Metric::Mean).ok_or("has a total")?;
    /// assert!(mean.contains(5.0) && !mean.contains(5.5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn contains(&self, value: f64) -> bool {
        value >= self.min && value <= self.max
    }
}

/// The score of one subscale or of the total: sum, mean and percent of maximum, and how many
/// items it rests on.
///
/// A score keeps its exact value, a rational of integers: the keyed sum of the answered items
/// in units of the scale's step, times the item count over the answered count when prorated, and
/// for a sum-of-subscales total the exact sum of those fractions. Each metric is the correctly
/// rounded double of its exact value, with one rounding: a prorated WAI-SR total of 24 is exactly
/// 24.0, never 24.000000000000004, and a threshold at 50% of maximum is never crossed by
/// rounding error.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// // Goals are items 4, 6, 8, 11; item 11 is left unanswered.
/// let adm = Administration::builder(&wai).answers([("4", 3), ("6", 4), ("8", 5)])?.build()?;
/// let scores = adm.score();
/// let goals = scores.score(Component::Goals).ok_or("scored")?;
/// assert_eq!((goals.sum().get(), goals.answered(), goals.items()), (16.0, 3, 4));
/// assert!(goals.is_prorated());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The exact (prorated) keyed sum in units is `num / den`.
    num: i128,
    den: i128,
    answered: u32,
    items: u32,
    /// Scale minimum and maximum in units.
    lo: i32,
    hi: i32,
    /// Units per point: `10^decimals`.
    res: i128,
}

impl Score {
    /// A score whose exact keyed sum in units is `num / den` (`den >= 1`).
    pub(crate) fn new(
        num: i128,
        den: i128,
        answered: usize,
        items: usize,
        scale: &ResponseScale,
    ) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Score {
            num,
            den: den.max(1),
            answered: count(answered),
            items: count(items),
            lo: scale.min_units(),
            hi: scale.max_units(),
            res: scale.resolution_units(),
        }
    }

    /// `num / den`, correctly rounded; the builder's exactness check guarantees the products
    /// fit, so the floating-point fallback is never taken.
    fn exact(num: Option<i128>, den: Option<i128>, approx: impl FnOnce() -> f64) -> f64 {
        match (num, den) {
            (Some(n), Some(d)) if d > 0 => ratio(n, d),
            _ => approx(),
        }
    }

    /// The (prorated) sum.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// (row[3], row[5]) = (None, Some(5.0)); // goals: 5, 4, 4 answered -> 13 x 4 / 3
    /// let goals = *wai.score_values(&row)?.score(Component::Goals).ok_or("scored")?;
    /// assert_eq!(goals.sum().get(), 52.0 / 3.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sum(&self) -> Sum {
        let den = self.den.checked_mul(self.res);
        Sum(Self::exact(Some(self.num), den, || {
            self.num as f64 / (self.den as f64 * self.res as f64)
        }))
    }

    /// The mean item score.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// (row[3], row[5]) = (None, Some(5.0));
    /// let goals = *wai.score_values(&row)?.score(Component::Goals).ok_or("scored")?;
    /// assert_eq!(goals.mean().get(), 13.0 / 3.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mean(&self) -> Mean {
        let den = self
            .den
            .checked_mul(i128::from(self.items))
            .and_then(|d| d.checked_mul(self.res));
        Mean(Self::exact(Some(self.num), den, || {
            self.num as f64 / (self.den as f64 * f64::from(self.items) * self.res as f64)
        }))
    }

    /// Percent of maximum possible, 0-100.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// (row[3], row[5]) = (None, Some(5.0));
    /// let goals = *wai.score_values(&row)?.score(Component::Goals).ok_or("scored")?;
    /// assert_eq!(goals.pomp().get(), 250.0 / 3.0); // (13/3 - 1) / 4 x 100
    /// # Ok(())
    /// # }
    /// ```
    pub fn pomp(&self) -> Pomp {
        let (lo, hi) = (i128::from(self.lo), i128::from(self.hi));
        let base = self.den.checked_mul(i128::from(self.items));
        let num = base
            .and_then(|b| b.checked_mul(lo))
            .and_then(|m| self.num.checked_sub(m))
            .and_then(|d| d.checked_mul(100));
        let den = base.and_then(|b| b.checked_mul(hi - lo));
        Pomp(Self::exact(num, den, || {
            let mean = self.num as f64 / (self.den as f64 * f64::from(self.items));
            (mean - lo as f64) * 100.0 / (hi - lo) as f64
        }))
    }

    /// One metric of the score.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let total = *wai.score_values(&[Some(3.0); 12])?.score("total").ok_or("scored")?;
    /// assert_eq!(total.get(Metric::Pomp), 50.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Sum => self.sum().0,
            Metric::Mean => self.mean().0,
            Metric::Pomp => self.pomp().0,
        }
    }

    /// Items answered.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let total = *srs.score_values(&[Some(9.0); 4])?.score("total").ok_or("scored")?;
    /// assert_eq!(total.answered(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn answered(&self) -> usize {
        self.answered as usize
    }

    /// Items in the subscale (or instrument, for the total).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai")?;
    /// let bond = *wai.score_values(&[Some(4.0); 36])?.score("bond").ok_or("scored")?;
    /// assert_eq!(bond.items(), 12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> usize {
        self.items as usize
    }

    /// Whether unanswered items were prorated.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[0] = None; // a collaboration item
    /// let scores = wai.score_values(&row)?;
    /// assert!(scores.score("collaboration").ok_or("scored")?.is_prorated());
    /// assert!(!scores.score("bond").ok_or("scored")?.is_prorated());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_prorated(&self) -> bool {
        self.answered < self.items
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Score", 5)?;
        st.serialize_field("sum", &self.sum())?;
        st.serialize_field("mean", &self.mean())?;
        st.serialize_field("pomp", &self.pomp())?;
        st.serialize_field("answered", &self.answered)?;
        st.serialize_field("items", &self.items)?;
        st.end()
    }
}
