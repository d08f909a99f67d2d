//! Score types: newtypes for the three forms of a score, and the per-part result.

use crate::components::Part;
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
    /// use therapeutic_alliance::{catalog, Administration, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let adm = Administration::from_values(wai, &[Some(4.0); 12])?;
    /// let total = adm.score().score(Target::Total).ok_or("scored")?.sum();
    /// assert_eq!(total.get(), 48.0);
    /// # Ok(())
    /// # }
    /// ```
    Sum
);
score_newtype!(
    /// The mean keyed item score, on the response scale (WAI-SR: 1-5).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let adm = Administration::from_values(wai, &[Some(4.0); 12])?;
    /// assert_eq!(adm.score().score(Target::Total).ok_or("scored")?.mean().get(), 4.0);
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
    /// use therapeutic_alliance::{catalog, Administration, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let adm = Administration::from_values(wai, &[Some(4.0); 12])?;
    /// assert_eq!(adm.score().score(Target::Total).ok_or("scored")?.pomp().get(), 75.0);
    /// # Ok(())
    /// # }
    /// ```
    Pomp
);

/// The score of one part or of the total: sum, mean and percent of maximum, and how many items
/// it rests on.
///
/// A score with fewer answered items than items is prorated: the mean is that of the answered
/// items, the sum is that mean times the item count.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// // Goals are items 4, 6, 8, 11; item 11 is left unanswered.
/// let adm = Administration::builder(wai)
///     .answer("4", 3)?.answer("6", 4)?.answer("8", 5)?
///     .build()?;
/// let scores = adm.score();
/// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
/// assert_eq!((goals.sum().get(), goals.answered(), goals.items()), (16.0, 3, 4));
/// assert!(goals.is_prorated());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Keyed sum of the `basis` items it covers, in scale units: an exact integer except for a
    /// total whose parts were prorated (then the sum of the prorated part sums).
    numerator: f64,
    /// How many items `numerator` sums over: the answered items, or every item of a prorated total.
    basis: u32,
    answered: u32,
    items: u32,
    /// Scale minimum and maximum in units.
    lo: i32,
    hi: i32,
    /// Units per point, as a power of ten.
    decimals: u8,
}

impl Score {
    /// A score from a keyed sum in units over `basis` items. Each metric is then computed with a
    /// single rounding from exact integers wherever no prorated total is involved.
    ///
    /// Counts are item counts of one instrument, far below `u32::MAX`.
    pub(crate) fn new(
        numerator: f64,
        basis: usize,
        answered: usize,
        items: usize,
        scale: &crate::scale::ResponseScale,
    ) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Score {
            numerator,
            basis: count(basis),
            answered: count(answered),
            items: count(items),
            lo: scale.min_units(),
            hi: scale.max_units(),
            decimals: scale.decimals(),
        }
    }

    fn resolution(&self) -> f64 {
        crate::scale::resolution(self.decimals)
    }

    /// The (prorated) sum.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert_eq!(goals.sum().get(), 16.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sum(&self) -> Sum {
        Sum(self.numerator * f64::from(self.items) / (f64::from(self.basis) * self.resolution()))
    }

    /// The mean item score.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert_eq!(goals.mean().get(), 4.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mean(&self) -> Mean {
        Mean(self.numerator / (f64::from(self.basis) * self.resolution()))
    }

    /// Percent of maximum possible, 0-100.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert_eq!(goals.pomp().get(), 75.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn pomp(&self) -> Pomp {
        let basis = f64::from(self.basis);
        let (lo, hi) = (f64::from(self.lo), f64::from(self.hi));
        Pomp((self.numerator - basis * lo) * 100.0 / (basis * (hi - lo)))
    }

    /// Items answered.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert_eq!(goals.answered(), 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn answered(&self) -> usize {
        self.answered as usize
    }

    /// Items in the part (or instrument, for the total).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert_eq!(goals.items(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> usize {
        self.items as usize
    }

    /// Whether unanswered items were prorated.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let mut row = [Some(4.0); 12];
    /// row[3] = None; // a goals item
    /// let scores = wai.score_values(&row)?;
    /// let goals = scores.score(Component::Goals.into()).ok_or("scored")?;
    /// assert!(goals.is_prorated());
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

/// Why a part or the total has no score.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Component, NotScored, PartScore};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// let adm = Administration::builder(wai).answer("4", 3)?.answer("6", 4)?.build()?;
/// let scores = adm.score();
/// assert_eq!(
///     scores.get(Component::Goals.into()),
///     Some(&PartScore::NotScored(NotScored::TooFewAnswered { answered: 2, required: 3, items: 4 }))
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "reason", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum NotScored {
    /// Fewer items answered than the missing-item rule requires.
    TooFewAnswered {
        /// Items answered.
        answered: usize,
        /// Items the rule requires.
        required: usize,
        /// Items in the part.
        items: usize,
    },
    /// The total is not scored because this part (the first in canonical order) is not.
    PartNotScored {
        /// The unscored part.
        part: Part,
    },
}

impl fmt::Display for NotScored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotScored::TooFewAnswered {
                answered,
                required,
                items,
            } => write!(
                f,
                "{answered} of {items} items answered, the missing-item rule needs {required}"
            ),
            NotScored::PartNotScored { part } => write!(f, "{part} is not scored"),
        }
    }
}

/// The result for one part or the total: a score, or the reason there is none.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Target};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// let adm = Administration::from_values(wai, &[Some(5.0); 12])?;
/// let total = adm.score().get(Target::Total).copied().ok_or("present")?;
/// assert_eq!(total.score().map(|s| s.sum().get()), Some(60.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(rename_all = "snake_case")
)]
pub enum PartScore {
    /// Scored.
    Scored(Score),
    /// Not scored, and why.
    NotScored(NotScored),
}

impl PartScore {
    /// The score, if there is one.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[None; 12])?;
    /// let goals = scores.get(Component::Goals.into()).ok_or("wai-sr has goals")?;
    /// assert!(goals.score().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> Option<&Score> {
        match self {
            PartScore::Scored(s) => Some(s),
            PartScore::NotScored(_) => None,
        }
    }

    /// Why there is no score, if there is none.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Component};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let scores = wai.score_values(&[None; 12])?;
    /// let goals = scores.get(Component::Goals.into()).ok_or("wai-sr has goals")?;
    /// assert_eq!(goals.not_scored().map(|n| n.to_string()).as_deref(), Some("0 of 4 items answered, the missing-item rule needs 3"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn not_scored(&self) -> Option<&NotScored> {
        match self {
            PartScore::Scored(_) => None,
            PartScore::NotScored(n) => Some(n),
        }
    }
}
