//! Where an instrument's scoring key comes from, and how sure we are of it.

use crate::vocab::vocabulary;

/// How well established a scoring key is.
///
/// The crate ships `Confirmed` keys, `Secondary` keys with their provenance stated, and its own
/// `Unvalidated` item sets; it ships nothing `Unconfirmed` (the variant exists for users' own
/// instruments).
///
/// ```
/// use therapeutic_alliance::{catalog, Confidence};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// assert_eq!(wai.provenance().confidence(), Confidence::Confirmed);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Confidence {
    /// Two independent sources agree on the key.
    Confirmed,
    /// One vendor page or one third-party implementation.
    Secondary,
    /// No source found.
    Unconfirmed,
    /// A new item set without psychometric validation (the crate's modality forms).
    Unvalidated,
}

vocabulary!(
    Confidence,
    "confidence",
    None,
    [Confirmed => "confirmed", Secondary => "secondary", Unconfirmed => "unconfirmed", Unvalidated => "unvalidated"]
);

/// The confidence in a scoring key and a note saying where it comes from.
///
/// ```
/// use therapeutic_alliance::{Confidence, Provenance};
///
/// let p = Provenance::new(Confidence::Secondary, "derived from the WAI-36 key");
/// assert_eq!(p.note(), "derived from the WAI-36 key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Provenance {
    confidence: Confidence,
    note: String,
}

impl Provenance {
    /// A provenance record.
    ///
    /// ```
    /// use therapeutic_alliance::{Confidence, Provenance};
    ///
    /// let p = Provenance::new(Confidence::Confirmed, "two sources agree");
    /// assert_eq!(p.confidence(), Confidence::Confirmed);
    /// ```
    pub fn new(confidence: Confidence, note: impl Into<String>) -> Self {
        Provenance {
            confidence,
            note: note.into(),
        }
    }

    /// How well established the key is.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Confidence};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// assert_eq!(catalog::require("wai-s")?.provenance().confidence(), Confidence::Secondary);
    /// # Ok(())
    /// # }
    /// ```
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// Where the key comes from.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// assert!(catalog::require("wai-s")?.provenance().note().contains("WAI-36"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn note(&self) -> &str {
        &self.note
    }
}

impl Default for Provenance {
    /// A user-defined instrument: `Unconfirmed`, "defined by the user".
    fn default() -> Self {
        Provenance::new(Confidence::Unconfirmed, "defined by the user")
    }
}
