//! Responses: one administration of an instrument, with validated answers and who, when and
//! which session it belongs to.

mod date;
#[cfg(feature = "serde")]
mod record;

pub use date::Date;
#[cfg(feature = "serde")]
pub use record::AdministrationRecord;

use crate::error::{Error, Result};
use crate::instruments::{Instrument, check_text_id};
use crate::scoring::{Scores, Tallies};
use std::sync::Arc;

/// One completed questionnaire: the answers to an instrument's items, plus optional client id,
/// therapist id, session number and date.
///
/// Every answer was validated against the instrument when it was given: it names a known item, is
/// given once, is finite, lies on the response scale and on one of its steps. Unanswered items are
/// simply absent. Answers are held as exact integers in item order.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Date, Target};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// let adm = Administration::builder(wai)
///     .client("c-017")
///     .therapist("t-03")
///     .session(4)
///     .date("2026-11-02".parse::<Date>()?)
///     .answers((1..=12).map(|i| (i.to_string(), 4.0)))?
///     .build()?;
/// assert_eq!(adm.value("7"), Some(4.0));
/// assert_eq!(adm.score().primary(Target::Total), Some(48.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Administration {
    instrument: Arc<Instrument>,
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
/// let srs = catalog::get("srs").ok_or("missing")?;
/// let adm = Administration::builder(srs).session(1).answer("1", 7.3)?.build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.answered(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(instrument: Arc<Instrument>) -> AdministrationBuilder {
        let values = vec![None; instrument.items().len()].into_boxed_slice();
        AdministrationBuilder {
            adm: Administration {
                instrument,
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
    /// [`Error::WrongLength`] if `values` does not have one entry per item; [`Error::NotFinite`],
    /// [`Error::OutOfRange`] or [`Error::OffStep`] naming the first bad item.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = catalog::get("arm-5").ok_or("missing")?;
    /// let adm = Administration::from_values(arm, &[Some(7.0), None, Some(1.0), Some(6.0), Some(7.0)])?;
    /// assert_eq!(adm.answered(), 4);
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_values(instrument: Arc<Instrument>, values: &[Option<f64>]) -> Result<Self> {
        instrument.check_row_length(values.len())?;
        let mut b = Administration::builder(instrument);
        for (index, value) in values.iter().enumerate() {
            if let Some(v) = *value {
                b.set(index, v)?;
            }
        }
        b.build()
    }

    /// The instrument administered.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.instrument().id(), "wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Arc<Instrument> {
        &self.instrument
    }

    /// The client's id, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.therapist(), Some("t-2"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn therapist(&self) -> Option<&str> {
        self.therapist.as_deref()
    }

    /// The session number, if recorded.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
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
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.value("1"), Some(4.0));
    /// assert_eq!(adm.value("2"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn value(&self, item: &str) -> Option<f64> {
        let index = self.instrument.item_index(item)?;
        self.value_at(index)
    }

    /// The answer to the item at `index` in item order.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.value_at(0), Some(4.0));
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
    /// let srs = catalog::get("srs").ok_or("missing")?;
    /// let adm = Administration::builder(srs).answer("2", 6.5)?.build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.answered(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn answered(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// Scores this administration under its instrument's rules.
    ///
    /// Infallible: the answers were validated when given.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert!(adm.score().total().score().is_none(), "one answer scores no total");
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self) -> Scores {
        let mut tallies = Tallies::default();
        let scale = self.instrument.scale();
        for (item, units) in self.instrument.items().iter().zip(self.values.iter()) {
            if let Some(u) = *units {
                tallies.add(item, scale, u);
            }
        }
        self.instrument.score_tallies(&tallies)
    }
}

impl Instrument {
    /// Scores an administration of this instrument.
    ///
    /// # Errors
    /// [`Error::InstrumentMismatch`] if the administration is of another instrument (compared by
    /// definition, not only by id).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (wai, srs) = (catalog::get("wai-sr").ok_or("missing")?, catalog::get("srs").ok_or("missing")?);
    /// let adm = Administration::from_values(wai.clone(), &[Some(4.0); 12])?;
    /// assert!(wai.score(&adm).is_ok());
    /// assert!(srs.score(&adm).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn score(&self, administration: &Administration) -> Result<Scores> {
        let theirs = administration.instrument();
        if !std::ptr::eq(Arc::as_ptr(theirs), self) && **theirs != *self {
            return Err(Error::InstrumentMismatch {
                expected: self.id().to_owned(),
                found: theirs.id().to_owned(),
            });
        }
        Ok(administration.score())
    }
}

impl AdministrationBuilder {
    /// Records the client's id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
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
    /// use therapeutic_alliance::{catalog, Administration, Date};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.session(), Some(5));
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
    /// let adm = Administration::builder(catalog::require("wai-sr")?)
    ///     .client("c-1").therapist("t-2").session(5).date(Date::new(2026, 11, 29)?)
    ///     .answer("1", 4)?
    ///     .build()?;
    /// assert_eq!(adm.date(), Some(Date::new(2026, 11, 29)?));
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
    /// [`Error::UnknownItem`], [`Error::DuplicateAnswer`], [`Error::NotFinite`],
    /// [`Error::OutOfRange`] or [`Error::OffStep`], each naming the item and value.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, Error};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// let b = Administration::builder(wai).answer("1", 5)?;
    /// assert!(matches!(b.clone().answer("1", 4), Err(Error::DuplicateAnswer { .. })));
    /// assert!(matches!(b.clone().answer("13", 4), Err(Error::UnknownItem { .. })));
    /// assert!(matches!(b.answer("2", 3.5), Err(Error::OffStep { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub fn answer(mut self, item: &str, value: impl Into<f64>) -> Result<Self> {
        let index = self
            .adm
            .instrument
            .item_index(item)
            .ok_or_else(|| Error::UnknownItem {
                instrument: self.adm.instrument.id().to_owned(),
                item: item.to_owned(),
            })?;
        self.set(index, value.into())?;
        Ok(self)
    }

    /// Records several answers, keyed by item id.
    ///
    /// # Errors
    /// As [`AdministrationBuilder::answer`], for the first bad answer.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("srs")?)
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

    /// Sets item `index` (in range) to `value` after validation.
    fn set(&mut self, index: usize, value: f64) -> Result<()> {
        let inst = &self.adm.instrument;
        let id = inst.items().get(index).map_or("", |i| i.id());
        let units = inst.scale().units_for(id, value)?;
        match self.adm.values.get_mut(index) {
            Some(Some(_)) => Err(Error::DuplicateAnswer {
                item: id.to_owned(),
            }),
            Some(slot) => {
                *slot = Some(units);
                Ok(())
            }
            None => Err(Error::UnknownItem {
                instrument: inst.id().to_owned(),
                item: id.to_owned(),
            }),
        }
    }

    /// Validates the ids and finishes the administration.
    ///
    /// # Errors
    /// [`Error::InvalidId`] if the client or therapist id is empty, has surrounding whitespace or
    /// control characters.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(catalog::require("srs")?);
    /// assert!(b.clone().client("c-1").build().is_ok());
    /// assert!(b.client(" c-1").build().is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(self) -> Result<Administration> {
        if let Some(c) = &self.adm.client {
            check_text_id("client id", c)?;
        }
        if let Some(t) = &self.adm.therapist {
            check_text_id("therapist id", t)?;
        }
        Ok(self.adm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn wai() -> Arc<Instrument> {
        catalog::get("wai-sr").expect("wai-sr is in the catalog")
    }

    #[test]
    fn bad_answers_name_item_and_value() {
        let err = Administration::builder(wai()).answer("9", 9).unwrap_err();
        assert_eq!(
            err,
            Error::OutOfRange {
                item: "9".into(),
                value: 9.0,
                min: 1.0,
                max: 5.0
            }
        );
        let err = Administration::builder(wai())
            .answer("2", f64::NAN)
            .unwrap_err();
        assert!(matches!(err, Error::NotFinite { ref item, .. } if item == "2"));
        let err = Administration::from_values(wai(), &[Some(1.0); 11]).unwrap_err();
        assert!(matches!(
            err,
            Error::WrongLength {
                expected: 12,
                found: 11,
                ..
            }
        ));
        let mut row = [None; 12];
        row[5] = Some(0.0);
        let err = Administration::from_values(wai(), &row).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { ref item, .. } if item == "6"));
    }

    #[test]
    fn ids_are_validated() {
        let b = || Administration::builder(wai());
        assert!(b().client("").build().is_err());
        assert!(b().therapist(" t1").build().is_err());
        assert!(b().client("c1").therapist("t1").session(0).build().is_ok());
    }
}
