//! Questionnaire items.

use crate::vocab::vocabulary;

/// Whether a higher answer means a stronger alliance (positive) or a weaker one (reversed).
///
/// A reversed item is scored `min + max - answer` on the instrument's response scale.
///
/// ```
/// use therapeutic_alliance::Keying;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!(Keying::default(), Keying::Positive);
/// assert_eq!("reversed".parse::<Keying>()?, Keying::Reversed);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Keying {
    /// Higher answers mean a stronger alliance.
    #[default]
    Positive,
    /// Higher answers mean a weaker alliance; scored `min + max - answer`.
    Reversed,
}

vocabulary!(Keying, "keying", None, [Positive => "positive", Reversed => "reversed"]);

/// One item of an instrument: a stable id, its keying and optional wording. Which subscales it
/// counts in is said by the instrument's [`Subscale`](crate::Subscale)s.
///
/// Published instruments ship without wording (it is copyrighted); their ids are the item numbers
/// `"1"`, `"2"`, ... The id is validated when the item is added to an instrument.
///
/// ```
/// use therapeutic_alliance::{Item, Keying};
///
/// let item = Item::new("4").reversed();
/// assert_eq!((item.id(), item.keying(), item.text()), ("4", Keying::Reversed, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Item {
    id: String,
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "is_positive"))]
    keying: Keying,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    text: Option<String>,
}

#[cfg(feature = "serde")]
fn is_positive(k: &Keying) -> bool {
    *k == Keying::Positive
}

impl Item {
    /// A positively keyed item without wording.
    ///
    /// ```
    /// use therapeutic_alliance::Item;
    ///
    /// assert!(!Item::new("q1").is_reversed());
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        Item {
            id: id.into(),
            keying: Keying::Positive,
            text: None,
        }
    }

    /// The same item, reverse keyed.
    ///
    /// ```
    /// use therapeutic_alliance::Item;
    ///
    /// assert!(Item::new("4").reversed().is_reversed());
    /// ```
    #[must_use]
    pub fn reversed(mut self) -> Self {
        self.keying = Keying::Reversed;
        self
    }

    /// The same item with the given keying.
    ///
    /// ```
    /// use therapeutic_alliance::{Item, Keying};
    ///
    /// let keying: Keying = "reversed".parse()?;
    /// assert_eq!(Item::new("4").with_keying(keying).keying(), Keying::Reversed);
    /// # Ok::<(), therapeutic_alliance::Error>(())
    /// ```
    #[must_use]
    pub fn with_keying(mut self, keying: Keying) -> Self {
        self.keying = keying;
        self
    }

    /// The same item with wording.
    ///
    /// ```
    /// use therapeutic_alliance::Item;
    ///
    /// let item = Item::new("1").with_text("I feel understood.");
    /// assert_eq!(item.text(), Some("I feel understood."));
    /// ```
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The item's stable id (a column name in CSV files, a `linkId` in FHIR).
    ///
    /// ```
    /// assert_eq!(therapeutic_alliance::Item::new("7").id(), "7");
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Positive or reversed.
    ///
    /// ```
    /// use therapeutic_alliance::{Item, Keying};
    ///
    /// assert_eq!(Item::new("7").keying(), Keying::Positive);
    /// ```
    pub fn keying(&self) -> Keying {
        self.keying
    }

    /// Whether the item is reverse keyed.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai_s = therapeutic_alliance::catalog::require("wai-s")?;
    /// let reversed: Vec<_> = wai_s.items().iter().filter(|i| i.is_reversed()).map(|i| i.id()).collect();
    /// assert_eq!(reversed, ["4", "10"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_reversed(&self) -> bool {
        self.keying == Keying::Reversed
    }

    /// The wording, where the crate may ship it.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!(catalog::require("cbt-client")?.items()[0].text().is_some());
    /// assert_eq!(catalog::require("wai-sr")?.items()[0].text(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

impl From<&str> for Item {
    fn from(id: &str) -> Self {
        Item::new(id)
    }
}

impl From<String> for Item {
    fn from(id: String) -> Self {
        Item::new(id)
    }
}
