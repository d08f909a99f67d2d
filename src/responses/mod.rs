//! Responses: one administration of an instrument, with validated answers and who, when and
//! which session it belongs to; its serializable record; the registry that resolves records.

mod date;
mod record;
mod registry;

pub use date::Date;
pub use record::{AdministrationRecord, RecordAnswer};
pub use registry::Registry;

use crate::error::check_field;
use crate::error::{Error, ErrorKind, Errors, Result};
use crate::ids::TextRule;
use crate::instruments::Instrument;

/// One completed questionnaire: the answers to an instrument's items, plus optional client id,
/// therapist id, session number and date.
///
/// Every answer was validated against the instrument when it was given: it names a known item, is
/// given once, is finite, lies on the response scale and on one of its steps. Unanswered items are
/// simply absent. Answers are held as exact integers in item order.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// let adm = Administration::builder(&wai)
///     .client("c-017")
///     .session(4)
///     .date("2026-11-02".parse()?)
///     .answers((1..=12).map(|i| (i.to_string(), 4)))?
///     .build()?;
/// assert_eq!(adm.score().primary("total"), Some(48.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Administration {
    instrument: Instrument,
    /// Answers in item order, in scale units.
    values: Box<[Option<i32>]>,
    client: Option<String>,
    therapist: Option<String>,
    session: Option<u32>,
    date: Option<Date>,
}

/// Builds an [`Administration`]; each answer is validated as it is given.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::require("srs")?;
/// let adm = Administration::builder(&srs).session(1).answer("1", 7.3)?.build()?;
/// assert_eq!(adm.answered(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AdministrationBuilder {
    adm: Administration,
}

impl Administration {
    /// Starts an administration of `instrument` with no answers.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let empty = Administration::builder(&catalog::require("arm-5")?).build()?;
    /// assert_eq!(empty.answered(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(instrument: &Instrument) -> AdministrationBuilder {
        let values = vec![None; instrument.items().len()].into_boxed_slice();
        AdministrationBuilder {
            adm: Administration {
                instrument: instrument.clone(),
                values,
                client: None,
                therapist: None,
                session: None,
                date: None,
            },
        }
    }

    /// An administration from answers in item order (`None` = unanswered).
    ///
    /// # Errors
    /// [`ErrorKind::WrongLength`] if `values` does not have one entry per item;
    /// [`ErrorKind::NotFinite`], [`ErrorKind::OutOfRange`] or [`ErrorKind::OffStep`] naming the
    /// first bad item.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = catalog::require("arm-5")?;
    /// let adm = Administration::from_values(&arm, &[Some(7.0), None, Some(1.0), Some(6.0), Some(7.0)])?;
    /// assert_eq!(adm.answered(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_values(instrument: &Instrument, values: &[Option<f64>]) -> Result<Self> {
        if values.len() != instrument.items().len() {
            return Err(instrument.wrong_length(values.len()));
        }
        let mut b = Administration::builder(instrument);
        for (index, value) in values.iter().enumerate() {
            if let Some(v) = *value {
                b.set(index, v, None)?;
            }
        }
        b.build()
    }

    /// The instrument administered.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("wai-sr")?).build()?;
    /// assert_eq!(adm.instrument().id(), "wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The client's id, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).client("c-1").build()?;
    /// assert_eq!(adm.client(), Some("c-1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// The therapist's id, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).build()?;
    /// assert_eq!(adm.therapist(), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn therapist(&self) -> Option<&str> {
        self.therapist.as_deref()
    }

    /// The session number, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).session(5).build()?;
    /// assert_eq!(adm.session(), Some(5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn session(&self) -> Option<u32> {
        self.session
    }

    /// The session date, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).date(Date::new(2026, 11, 29)?).build()?;
    /// assert_eq!(adm.date().map(|d| d.to_string()).as_deref(), Some("2026-11-29"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn date(&self) -> Option<Date> {
        self.date
    }

    /// The answer to an item, as given (before reverse keying); `None` if unanswered or unknown.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("wai-s")?).answer("4", 2)?.build()?;
    /// assert_eq!((adm.value("4"), adm.value("5")), (Some(2.0), None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, item: &str) -> Option<f64> {
        self.value_at(self.instrument.item_index(item)?)
    }

    /// The answer to the item at `index` in item order.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).answer("1", 6.6)?.build()?;
    /// assert_eq!(adm.value_at(0), Some(6.6));
    /// # Ok(())
    /// # }
    /// ```
    pub fn value_at(&self, index: usize) -> Option<f64> {
        let units = (*self.values.get(index)?)?;
        Some(self.instrument.scale().value_of_units(i64::from(units)))
    }

    /// The answers in item order (`None` = unanswered), as given.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::builder(&srs).answer("2", 6.5)?.build()?;
    /// assert_eq!(adm.values().collect::<Vec<_>>(), [None, Some(6.5), None, None]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn values(&self) -> impl ExactSizeIterator<Item = Option<f64>> + '_ {
        let scale = self.instrument.scale();
        self.values
            .iter()
            .map(move |u| u.map(|u| scale.value_of_units(i64::from(u))))
    }

    /// Number of items answered.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::from_values(&catalog::require("srs")?, &[Some(5.0), None, None, Some(1.0)])?;
    /// assert_eq!(adm.answered(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn answered(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// The answers in units, item order.
    pub(crate) fn units(&self) -> &[Option<i32>] {
        &self.values
    }
}

/// `/answers/<item>` as a JSON Pointer (RFC 6901: `~` is `~0`, `/` is `~1`).
pub(crate) fn answer_path(item: &str) -> String {
    format!("/answers/{}", item.replace('~', "~0").replace('/', "~1"))
}

impl AdministrationBuilder {
    /// Records the client's id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).client("c-1").build()?;
    /// assert_eq!(adm.client(), Some("c-1"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn client(mut self, id: impl Into<String>) -> Self {
        self.adm.client = Some(id.into());
        self
    }

    /// Records the therapist's id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).therapist("t-2").build()?;
    /// assert_eq!(adm.therapist(), Some("t-2"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn therapist(mut self, id: impl Into<String>) -> Self {
        self.adm.therapist = Some(id.into());
        self
    }

    /// Records the session number.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).session(0).build()?;
    /// assert_eq!(adm.session(), Some(0), "an intake session may be numbered 0");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session(mut self, session: u32) -> Self {
        self.adm.session = Some(session);
        self
    }

    /// Records the session date.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?).date(Date::new(2026, 2, 28)?).build()?;
    /// assert_eq!(adm.date(), Some(Date::new(2026, 2, 28)?));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn date(mut self, date: Date) -> Self {
        self.adm.date = Some(date);
        self
    }

    /// Records the answer to an item.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownItem`], [`ErrorKind::DuplicateAnswer`], [`ErrorKind::NotFinite`],
    /// [`ErrorKind::OutOfRange`] or [`ErrorKind::OffStep`], each naming the item and value, with
    /// the path `/answers/<item>`.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("wai-sr")?).answer("1", 5)?;
    /// assert_eq!(b.clone().answer("1", 4).unwrap_err().code(), "duplicate_answer");
    /// assert_eq!(b.clone().answer("13", 4).unwrap_err().code(), "unknown_item");
    /// assert_eq!(b.answer("2", 3.5).unwrap_err().code(), "off_step");
    /// # Ok(())
    /// # }
    /// ```
    pub fn answer(mut self, item: &str, value: impl Into<f64>) -> Result<Self> {
        self.answer_mut(item, Answer::Number(value.into()))
            .map_err(|e| e.at_path(answer_path(item)))?;
        Ok(self)
    }

    /// Records an answer written as text (a CSV cell, a form field), quoting the text as written
    /// in any error.
    ///
    /// # Errors
    /// As [`AdministrationBuilder::answer`], and [`ErrorKind::NotANumber`] for text that is not
    /// a number.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("wai-sr")?);
    /// assert_eq!(b.clone().answer_text("3", " 4 ")?.build()?.value("3"), Some(4.0));
    /// let err = b.clone().answer_text("3", "1e400").unwrap_err();
    /// assert_eq!(err.to_string(), "item 3: value 1e400 is not a finite number");
    /// assert_eq!(b.answer_text("3", "often").unwrap_err().to_string(), "item 3: \"often\" is not a number");
    /// # Ok(())
    /// # }
    /// ```
    pub fn answer_text(mut self, item: &str, text: &str) -> Result<Self> {
        self.answer_mut(item, Answer::Text(text))
            .map_err(|e| e.at_path(answer_path(item)))?;
        Ok(self)
    }

    /// Records several answers, keyed by item id, stopping at the first bad one.
    ///
    /// # Errors
    /// As [`AdministrationBuilder::answer`], for the first bad answer.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(&catalog::require("srs")?)
    ///     .answers([("1", 7.5), ("2", 8.0), ("3", 9.1), ("4", 8.4)])?
    ///     .build()?;
    /// assert_eq!(adm.answered(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn answers<K: AsRef<str>, V: Into<f64>>(
        mut self,
        answers: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self> {
        for (k, v) in answers {
            self = self.answer(k.as_ref(), v)?;
        }
        Ok(self)
    }

    /// Records several answers, keyed by item id, reporting every bad one (a form needs all its
    /// field errors at once). The good answers are kept only if there is no bad one.
    ///
    /// # Errors
    /// [`Errors`] holding, in order, the error of each bad answer as
    /// [`AdministrationBuilder::answer`] gives it.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("wai-sr")?);
    /// let errors = b.all_answers([("1", 0.0), ("2", 4.0), ("2", 5.0)]).unwrap_err();
    /// let paths: Vec<_> = errors.iter().filter_map(|e| e.path()).collect();
    /// assert_eq!(paths, ["/answers/1", "/answers/2"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn all_answers<K: AsRef<str>, V: Into<f64>>(
        mut self,
        answers: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Errors> {
        let mut errors = Vec::new();
        for (k, v) in answers {
            let item = k.as_ref();
            if let Err(e) = self.answer_mut(item, Answer::Number(v.into())) {
                errors.push(e.at_path(answer_path(item)));
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }

    /// Records the answer, written as `text`, to the item at `index` in item order, in place,
    /// quoting the text in any error (no path: the CSV readers locate errors by row and column).
    #[cfg(feature = "csv")]
    pub(crate) fn set_text(&mut self, index: usize, text: &str) -> Result<()> {
        self.set(index, 0.0, Some(text))
    }

    /// Records one answer in place.
    fn answer_mut(&mut self, item: &str, answer: Answer<'_>) -> Result<()> {
        let index = self
            .adm
            .instrument
            .item_index(item)
            .ok_or_else(|| ErrorKind::UnknownItem {
                instrument: self.adm.instrument.id().to_owned(),
                item: item.to_owned(),
            })?;
        match answer {
            Answer::Number(v) => self.set(index, v, None),
            Answer::Text(t) => self.set(index, 0.0, Some(t)),
        }
    }

    /// Sets item `index` to `value` (or to `text`, parsed) after validation.
    fn set(&mut self, index: usize, value: f64, text: Option<&str>) -> Result<()> {
        let inst = &self.adm.instrument;
        let id = inst.items().get(index).map_or("", |i| i.id());
        let units = match text {
            Some(t) => inst.scale().units_for_text(id, t)?,
            None => inst.scale().units_for(id, value)?,
        };
        match self.adm.values.get_mut(index) {
            Some(Some(_)) => Err(ErrorKind::DuplicateAnswer {
                item: id.to_owned(),
            }
            .into()),
            Some(slot) => {
                *slot = Some(units);
                Ok(())
            }
            None => Err(ErrorKind::UnknownItem {
                instrument: inst.id().to_owned(),
                item: id.to_owned(),
            }
            .into()),
        }
    }

    /// Validates the ids and finishes the administration.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidText`] if the client or therapist id is empty, has surrounding
    /// whitespace, or control, invisible or bidirectional characters.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("srs")?);
    /// assert!(b.clone().client("c-1").build().is_ok());
    /// assert_eq!(b.client("c\u{202E}1").build().unwrap_err().code(), "invalid_text");
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(self) -> Result<Administration> {
        self.check_ids().map_err(Errors::into_first)?;
        Ok(self.adm)
    }

    /// Every invalid id.
    fn check_ids(&self) -> Result<(), Errors> {
        let mut errors: Vec<Error> = Vec::new();
        for (field, path, value) in [
            ("client id", "/client", &self.adm.client),
            ("therapist id", "/therapist", &self.adm.therapist),
        ] {
            if let Some(v) = value
                && let Err(e) = check_field(TextRule::Id, field, v)
            {
                errors.push(e.at_path(path));
            }
        }
        Errors::from_vec(errors).map_or(Ok(()), Err)
    }
}

/// An answer as a number or as text.
enum Answer<'a> {
    Number(f64),
    Text(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn wai() -> Instrument {
        catalog::require("wai-sr").expect("wai-sr is in the catalog")
    }

    #[test]
    fn bad_answers_name_item_and_value() {
        let err = Administration::builder(&wai()).answer("9", 9).unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::OutOfRange {
                item: "9".into(),
                value: 9.0,
                text: None,
                min: 1.0,
                max: 5.0
            }
        );
        assert_eq!(err.path(), Some("/answers/9"));
        let err = Administration::builder(&wai())
            .answer("2", f64::NAN)
            .unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::NotFinite { item, .. } if item == "2"));
        let err = Administration::from_values(&wai(), &[Some(1.0); 11]).unwrap_err();
        assert!(matches!(
            err.kind(),
            ErrorKind::WrongLength {
                expected: 12,
                found: 11,
                ..
            }
        ));
        let mut row = [None; 12];
        row[5] = Some(0.0);
        let err = Administration::from_values(&wai(), &row).unwrap_err();
        assert_eq!(err.item(), Some("6"));
    }

    #[test]
    fn the_catalog_registry_holds_every_catalog_instrument() {
        assert_eq!(
            registry::catalog_registry().instruments().count(),
            catalog::all().len()
        );
    }

    #[test]
    fn ids_are_validated() {
        let b = || Administration::builder(&wai());
        assert!(b().client("").build().is_err());
        assert!(b().therapist(" t1").build().is_err());
        assert!(b().client("c\u{200B}1").build().is_err());
        assert!(b().client("c1").therapist("t1").session(0).build().is_ok());
        assert_eq!(answer_path("a/b~c"), "/answers/a~1b~0c");
    }

    /// The client's and therapist's ids are not in the message or the JSON, whatever is wrong
    /// with them; other fields still quote their (escaped) text.
    #[test]
    fn an_invalid_id_is_not_quoted() -> Result<(), Error> {
        let wai = crate::catalog::require("wai-sr")?;
        let build = |client: &str, therapist: &str| {
            crate::Administration::builder(&wai)
                .client(client)
                .therapist(therapist)
                .build()
                .map(|_| ())
                .unwrap_err()
        };
        let cases = [
            (
                " SECRET-C",
                "ok",
                "invalid client id: it has a leading space",
            ),
            (
                "SECRET-C ",
                "ok",
                "invalid client id: it has a trailing space",
            ),
            (
                "\u{a0}SECRET-C\u{3000}",
                "ok",
                "invalid client id: it has a leading white space U+00A0 and a trailing white space U+3000",
            ),
            (
                "SE\tCRET",
                "ok",
                "invalid client id: it contains the control character U+0009 at character 3",
            ),
            (
                "SECRET\u{202e}",
                "ok",
                "invalid client id: it contains the bidirectional control U+202E at character 7",
            ),
            (
                "ok",
                "T\u{200B}1",
                "invalid therapist id: it contains the invisible character U+200B at character 2",
            ),
            ("", "ok", "invalid client id: it is empty"),
        ];
        for (client, therapist, message) in cases {
            let err = build(client, therapist);
            assert_eq!(err.to_string(), message);
            let ErrorKind::InvalidText { value, .. } = err.kind() else {
                panic!("{err:?}");
            };
            assert_eq!(value, &None);
            #[cfg(feature = "serde")]
            {
                let json = serde_json::to_string(&err).expect("JSON");
                for secret in ["SECRET", "SE\\t", "T\\u", "T1", "T\u{200b}"] {
                    assert!(!json.contains(secret), "{json}");
                }
                assert!(!json.contains("\"value\""), "{json}");
            }
        }
        let long = build(&"SECRET".repeat(100), "ok");
        assert_eq!(
            long.to_string(),
            "invalid client id: it is longer than 256 characters"
        );
        // An item id is not health data: it is quoted, escaped.
        let err = crate::error::check_field(crate::ids::TextRule::Id, "item id", "a\u{200b}")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid item id \"a\\u{200b}\": contains the invisible character U+200B"
        );
        // Made directly, a private field's value is dropped as the kind becomes an error.
        let err = Error::from(ErrorKind::InvalidText {
            field: "therapist id",
            value: Some("T1".into()),
            problem: "it is wrong".into(),
        });
        assert_eq!(err.to_string(), "invalid therapist id: it is wrong");
        Ok(())
    }
}
