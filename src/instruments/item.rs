//! Questionnaire items.

use crate::components::Part;

/// Whether a higher answer means a stronger alliance (positive) or a weaker one (reversed).
///
/// A reversed item is scored `min + max - answer` on the item's own scale.
///
/// ```
/// use therapeutic_alliance::Keying;
///
/// assert_eq!(Keying::default(), Keying::Positive);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum Keying {
    /// Higher answers mean a stronger alliance.
    #[default]
    Positive,
    /// Higher answers mean a weaker alliance; scored `min + max - answer`.
    Reversed,
}

/// One item of an instrument: a stable id, the part it scores, its keying and optional wording.
///
/// Published instruments ship without wording (it is copyrighted); their ids are the item numbers
/// `"1"`, `"2"`, ... The id is validated when the item is added to an instrument.
///
/// ```
/// use therapeutic_alliance::{Component, Item, Keying};
///
/// let item = Item::new("4", Component::Goals).reversed();
/// assert_eq!(item.keying(), Keying::Reversed);
/// assert_eq!(item.text(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Item {
    id: String,
    part: Part,
    #[cfg_attr(feature = "serde", serde(default))]
    keying: Keying,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    text: Option<String>,
}

impl Item {
    /// A positively keyed item without wording.
    ///
    /// ```
    /// use therapeutic_alliance::{Item, Part};
    ///
    /// let overall = Item::new("4", Part::Global);
    /// assert_eq!(overall.part(), Part::Global);
    /// ```
    pub fn new(id: impl Into<String>, part: impl Into<Part>) -> Self {
        Item {
            id: id.into(),
            part: part.into(),
            keying: Keying::Positive,
            text: None,
        }
    }

    /// The same item, reverse keyed.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item, Keying};
    ///
    /// let item = Item::new("4", Component::Goals).reversed();
    /// assert!(item.is_reversed());
    /// ```
    #[must_use]
    pub fn reversed(mut self) -> Self {
        self.keying = Keying::Reversed;
        self
    }

    /// The same item with the given keying.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item, Keying};
    ///
    /// let item = Item::new("4", Component::Goals).with_keying(Keying::Reversed);
    /// assert_eq!(item.keying(), Keying::Reversed);
    /// ```
    #[must_use]
    pub fn with_keying(mut self, keying: Keying) -> Self {
        self.keying = keying;
        self
    }

    /// The same item with wording.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item};
    ///
    /// let item = Item::new("1", Component::Bond).with_text("I feel understood.");
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
    /// use therapeutic_alliance::{Component, Item, Keying};
    ///
    /// assert_eq!(Item::new("7", Component::Bond).id(), "7");
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The part the item is scored in.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item, Part};
    ///
    /// assert_eq!(Item::new("7", Component::Bond).part(), Part::Component(Component::Bond));
    /// ```
    pub fn part(&self) -> Part {
        self.part
    }

    /// Positive or reversed.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item, Keying};
    ///
    /// assert_eq!(Item::new("7", Component::Bond).keying(), Keying::Positive);
    /// ```
    pub fn keying(&self) -> Keying {
        self.keying
    }

    /// Whether the item is reverse keyed.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Item, Keying};
    ///
    /// assert!(!Item::new("7", Component::Bond).is_reversed());
    /// ```
    pub fn is_reversed(&self) -> bool {
        self.keying == Keying::Reversed
    }

    /// The wording, where the crate may ship it.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let cbt = catalog::require("cbt-client")?;
    /// assert!(cbt.items()[0].text().is_some());
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.items()[0].text(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}
