//! Codes from a terminology (LOINC for the PHQ-9 and GAD-7) attached to an instrument, its items,
//! its total and its answers, for exchange formats such as FHIR.

use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use crate::scale::ResponseScale;

/// An instrument's codes in one code system: the panel, the total, each item and each answer.
///
/// The catalog's PHQ-9 and GAD-7 carry their LOINC codes; no LOINC codes exist for the alliance
/// instruments. Codes are data for exchange formats and do not change scores, so they are not
/// part of the [digest](crate::Instrument::digest).
///
/// With `serde`:
///
/// ```json
/// {"system": "http://loinc.org", "instrument": "69737-5", "total": "70274-6",
///  "items": [{"item": "1", "code": "69725-0"}, …],
///  "answers": [{"value": 0.0, "code": "LA6568-5"}, …]}
/// ```
///
/// ```
/// use therapeutic_alliance::{Codes, Instrument, ResponseScale, TotalRule};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let codes = Codes::new("https://clinic.example/codes")
///     .with_instrument("pulse")
///     .with_item("1", "pulse-1")
///     .with_answer(0.0, "no");
/// let pulse = Instrument::builder("pulse", "Pulse", ResponseScale::likert(0, 1, [])?)
///     .items(["1"])
///     .total(TotalRule::OverItems)
///     .codes(codes)
///     .build()?;
/// assert_eq!(pulse.codes().and_then(|c| c.item("1")), Some("pulse-1"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct Codes {
    system: String,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    instrument: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    total: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    items: Vec<ItemCode>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    answers: Vec<AnswerCode>,
}

/// The code of one item.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct ItemCode {
    item: String,
    code: String,
}

/// The code of one answer value.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
struct AnswerCode {
    value: f64,
    code: String,
}

impl Codes {
    /// Codes in the code `system` (a URI such as `http://loinc.org`). Codes are checked when the
    /// instrument is built.
    ///
    /// ```
    /// let codes = therapeutic_alliance::Codes::new("http://loinc.org").with_total("44261-6");
    /// assert_eq!(codes.system(), "http://loinc.org");
    /// ```
    pub fn new(system: impl Into<String>) -> Self {
        Codes {
            system: system.into(),
            ..Codes::default()
        }
    }

    /// Sets the code of the instrument as a whole (a LOINC panel).
    ///
    /// ```
    /// let codes = therapeutic_alliance::Codes::new("http://loinc.org").with_instrument("44249-1");
    /// assert_eq!(codes.instrument(), Some("44249-1"));
    /// ```
    #[must_use]
    pub fn with_instrument(mut self, code: impl Into<String>) -> Self {
        self.instrument = Some(code.into());
        self
    }

    /// Sets the code of the total score.
    ///
    /// ```
    /// let codes = therapeutic_alliance::Codes::new("http://loinc.org").with_total("70274-6");
    /// assert_eq!(codes.total(), Some("70274-6"));
    /// ```
    #[must_use]
    pub fn with_total(mut self, code: impl Into<String>) -> Self {
        self.total = Some(code.into());
        self
    }

    /// Adds the code of an item.
    ///
    /// ```
    /// let codes = therapeutic_alliance::Codes::new("http://loinc.org").with_item("1", "69725-0");
    /// assert_eq!(codes.item("1"), Some("69725-0"));
    /// ```
    #[must_use]
    pub fn with_item(mut self, item: impl Into<String>, code: impl Into<String>) -> Self {
        self.items.push(ItemCode {
            item: item.into(),
            code: code.into(),
        });
        self
    }

    /// Adds the code of an answer value (a LOINC answer such as `LA6568-5` for 0).
    ///
    /// ```
    /// let codes = therapeutic_alliance::Codes::new("http://loinc.org").with_answer(3.0, "LA6571-9");
    /// assert_eq!(codes.answer(3.0), Some("LA6571-9"));
    /// ```
    #[must_use]
    pub fn with_answer(mut self, value: f64, code: impl Into<String>) -> Self {
        self.answers.push(AnswerCode {
            value,
            code: code.into(),
        });
        self
    }

    /// The code system's URI.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.codes().map(|c| c.system()), Some("http://loinc.org"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The instrument's code, if given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.codes().and_then(|c| c.instrument()), Some("44249-1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> Option<&str> {
        self.instrument.as_deref()
    }

    /// The total score's code, if given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.codes().and_then(|c| c.total()), Some("44261-6"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn total(&self) -> Option<&str> {
        self.total.as_deref()
    }

    /// The code of an item, if given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.codes().and_then(|c| c.item("7")), Some("69736-7"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item(&self, item: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|c| c.item == item)
            .map(|c| c.code.as_str())
    }

    /// The code of an answer value, if given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.codes().and_then(|c| c.answer(0.0)), Some("LA6568-5"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn answer(&self, value: f64) -> Option<&str> {
        self.answers
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.code.as_str())
    }

    /// Every item code, as `(item, code)` in the order given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// assert_eq!(phq9.codes().map(|c| c.items().count()), Some(9));
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.items
            .iter()
            .map(|c| (c.item.as_str(), c.code.as_str()))
    }

    /// Every answer code, as `(value, code)` in the order given.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// let answers: Vec<(f64, &str)> = phq9.codes().map(|c| c.answers().collect()).unwrap_or_default();
    /// assert_eq!(answers[1], (1.0, "LA6569-3"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn answers(&self) -> impl ExactSizeIterator<Item = (f64, &str)> + '_ {
        self.answers.iter().map(|c| (c.value, c.code.as_str()))
    }

    /// Checks the codes against the instrument they are attached to.
    pub(super) fn check(
        &self,
        instrument: &str,
        has_item: impl Fn(&str) -> bool,
        scale: &ResponseScale,
    ) -> Result<()> {
        let invalid = |reason: String| -> crate::Error {
            crate::Error::from(ErrorKind::InvalidDefinition {
                field: "codes",
                reason,
            })
        };
        check_field(TextRule::Label, "code system", &self.system)?;
        for code in self.instrument.iter().chain(&self.total) {
            check_field(TextRule::Id, "code", code)?;
        }
        for (n, c) in self.items.iter().enumerate() {
            check_field(TextRule::Id, "code", &c.code)?;
            if !has_item(&c.item) {
                return Err(invalid(format!(
                    "a code is given for item {:?}, which instrument {instrument:?} does not have",
                    c.item
                )));
            }
            if self.items.iter().take(n).any(|d| d.item == c.item) {
                return Err(invalid(format!("item {:?} has two codes", c.item)));
            }
        }
        for (n, c) in self.answers.iter().enumerate() {
            check_field(TextRule::Id, "code", &c.code)?;
            if !scale.accepts(c.value) {
                return Err(invalid(format!(
                    "a code is given for answer {}, which is not on the response scale",
                    crate::error::Num(c.value)
                )));
            }
            if self.answers.iter().take(n).any(|d| d.value == c.value) {
                return Err(invalid(format!(
                    "answer {} has two codes",
                    crate::error::Num(c.value)
                )));
            }
        }
        Ok(())
    }
}
