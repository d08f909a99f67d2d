//! The serialized form of an administration, and its validation.

use super::{Administration, Date};
use crate::catalog;
use crate::error::{Error, Result};
use crate::instruments::Instrument;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::sync::Arc;

/// An administration as data: the instrument's id, the optional context fields and the answers
/// keyed by item id, not yet validated.
///
/// This is the JSON form of an [`Administration`]:
///
/// ```json
/// {"instrument": "wai-sr", "client": "c-017", "session": 4, "date": "2026-11-02",
///  "answers": {"1": 4, "2": 5, "3": 4}}
/// ```
///
/// Deserializing an `Administration` looks its instrument up in the [`catalog`]; for an instrument
/// of your own, deserialize the record and call [`Administration::from_record`]. A `null` answer
/// means unanswered; an item given twice is an error, not "last one wins".
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, AdministrationRecord};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let json = r#"{"instrument": "wai-sr", "session": 4, "answers": {"1": 4, "2": 5}}"#;
/// let adm: Administration = serde_json::from_str(json)?;
/// assert_eq!(adm.value("2"), Some(5.0));
/// assert_eq!(serde_json::to_string(&adm)?, r#"{"instrument":"wai-sr","session":4,"answers":{"1":4,"2":5}}"#);
///
/// let record: AdministrationRecord = serde_json::from_str(json)?;
/// let wai = catalog::get("wai-sr").ok_or("missing")?;
/// assert_eq!(Administration::from_record(wai, record)?, adm);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdministrationRecord {
    /// The instrument's id.
    pub instrument: String,
    /// The client's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The therapist's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub therapist: Option<String>,
    /// The session number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<u32>,
    /// The session date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The answers in order, keyed by item id (serialized as a map).
    #[serde(with = "answer_map")]
    pub answers: Vec<(String, f64)>,
}

impl Administration {
    /// Validates a record against an instrument.
    ///
    /// # Errors
    /// [`Error::InstrumentMismatch`] if the record names another instrument; otherwise as
    /// [`AdministrationBuilder::answer`](crate::AdministrationBuilder::answer) and
    /// [`AdministrationBuilder::build`](crate::AdministrationBuilder::build).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration, AdministrationRecord};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let record = AdministrationRecord {
    ///     instrument: "srs".into(), client: None, therapist: None, session: Some(2), date: None,
    ///     answers: vec![("1".into(), 8.5), ("4".into(), 9.0)],
    /// };
    /// let adm = Administration::from_record(catalog::require("srs")?, record)?;
    /// assert_eq!(adm.value("4"), Some(9.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_record(instrument: Arc<Instrument>, record: AdministrationRecord) -> Result<Self> {
        if record.instrument != instrument.id() {
            return Err(Error::InstrumentMismatch {
                expected: instrument.id().to_owned(),
                found: record.instrument,
            });
        }
        let mut b = Administration::builder(instrument);
        if let Some(c) = record.client {
            b = b.client(c);
        }
        if let Some(t) = record.therapist {
            b = b.therapist(t);
        }
        if let Some(s) = record.session {
            b = b.session(s);
        }
        if let Some(d) = record.date {
            b = b.date(d);
        }
        b.answers(record.answers)?.build()
    }

    /// This administration as a record.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let adm = Administration::builder(catalog::require("srs")?).answer("2", 6.5)?.build()?;
    /// assert_eq!(adm.to_record().answers, [("2".to_owned(), 6.5)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_record(&self) -> AdministrationRecord {
        AdministrationRecord {
            instrument: self.instrument.id().to_owned(),
            client: self.client.clone(),
            therapist: self.therapist.clone(),
            session: self.session,
            date: self.date,
            answers: self
                .instrument
                .items()
                .iter()
                .zip(self.values())
                .filter_map(|(item, v)| Some((item.id().to_owned(), v?)))
                .collect(),
        }
    }
}

impl Serialize for Administration {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_record().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Administration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let record = AdministrationRecord::deserialize(d)?;
        let instrument = catalog::get(&record.instrument).ok_or_else(|| {
            serde::de::Error::custom(Error::UnknownInstrument {
                id: record.instrument.clone(),
            })
        })?;
        Administration::from_record(instrument, record).map_err(serde::de::Error::custom)
    }
}

/// Answers as a map that keeps order and duplicates (so validation can refuse them).
mod answer_map {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    /// Integral values are written as integers, so Likert answers read `4`, not `4.0`.
    pub(super) fn serialize<S: Serializer>(
        answers: &[(String, f64)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(answers.len()))?;
        for (k, v) in answers {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                map.serialize_entry(k, &(*v as i64))?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, f64)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, f64)>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from item id to a number or null")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0).min(1024));
                let mut seen = std::collections::HashSet::new();
                while let Some((k, v)) = m.next_entry::<String, Option<f64>>()? {
                    // Refuse a repeated key even when one of the two is null: the input is ambiguous.
                    if !seen.insert(k.clone()) {
                        return Err(serde::de::Error::custom(crate::Error::DuplicateAnswer {
                            item: k,
                        }));
                    }
                    if let Some(v) = v {
                        out.push((k, v));
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}
