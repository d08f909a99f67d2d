//! The serialized form of an administration.

use super::Administration;

/// An administration as data, not yet validated: the instrument's id, version and definition
/// digest, the optional context fields, and the answers keyed by item id.
///
/// This is the JSON form of an [`Administration`]:
///
/// ```json
/// {"instrument": "wai-sr", "version": "client-form", "digest": "…",
///  "client": "c-017", "session": 4, "date": "2026-11-02",
///  "answers": {"1": 4, "2": 5, "3": 4}}
/// ```
///
/// Reading a record resolves its instrument in a [`Registry`](crate::Registry) (the catalog plus your own
/// instruments) and validates it exactly as [`AdministrationBuilder`](crate::AdministrationBuilder)
/// does, with the same typed errors. A record's `version` and `digest` may be left out by
/// hand-written input (then the id must name one registered version); when present they must
/// match the registered instrument, so a record of a changed definition is refused instead of
/// scored under the wrong rules. A `null` answer means unanswered; an item given twice is an
/// error, not "last one wins"; a non-finite answer cannot be serialized.
///
/// ```
/// use therapeutic_alliance::{Administration, AdministrationRecord, Registry};
///
/// # #[cfg(feature = "serde")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let record: AdministrationRecord =
///     serde_json::from_str(r#"{"instrument": "wai-sr", "session": 4, "answers": {"1": 4, "2": 5}}"#)?;
/// let adm = Registry::with_catalog().read(record)?;
/// assert_eq!(adm.value("2"), Some(5.0));
///
/// let json = serde_json::to_string(&adm)?;
/// assert!(json.starts_with(r#"{"instrument":"wai-sr","version":"client-form","digest":""#));
/// let back: Administration = serde_json::from_str(&json)?; // the catalog's instruments
/// assert_eq!(back, adm);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "serde"))]
/// # fn main() {}
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(deny_unknown_fields)
)]
#[non_exhaustive]
pub struct AdministrationRecord {
    /// The instrument's id.
    pub instrument: String,
    /// The instrument's version.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub version: Option<String>,
    /// The digest of the instrument's definition ([`Instrument::digest`](crate::Instrument::digest)).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub digest: Option<String>,
    /// The client's id.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub client: Option<String>,
    /// The therapist's id.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub therapist: Option<String>,
    /// The session number.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub session: Option<u32>,
    /// The session date as written (`YYYY-MM-DD`); validated when the record is read.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub date: Option<String>,
    /// The answers in order, keyed by item id (a map in JSON); `None` is unanswered. Repeated
    /// ids are kept so that reading the record refuses them.
    #[cfg_attr(feature = "serde", serde(with = "answer_map"))]
    pub answers: Vec<(String, Option<RecordAnswer>)>,
}

/// An answer in a record as it was given: a number, or text to be read as one (a web form often
/// sends `"4"`). Reading the record validates either exactly as the builder does; text that is
/// not a number is [`ErrorKind::NotANumber`](crate::ErrorKind::NotANumber), quoted as written.
///
/// ```
/// use therapeutic_alliance::{AdministrationRecord, RecordAnswer, Registry};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let mut record = AdministrationRecord::new("wai-sr");
/// record.answers.push(("1".into(), Some(RecordAnswer::from("4"))));
/// record.answers.push(("2".into(), Some(RecordAnswer::from(5.0))));
/// assert_eq!(Registry::with_catalog().read(record.clone())?.value("1"), Some(4.0));
/// record.answers.push(("3".into(), Some(RecordAnswer::from("often"))));
/// assert_eq!(Registry::with_catalog().read(record).unwrap_err().code(), "not_a_number");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordAnswer {
    /// A number.
    Number(f64),
    /// Text to be read as a number.
    Text(String),
}

impl From<f64> for RecordAnswer {
    fn from(v: f64) -> Self {
        RecordAnswer::Number(v)
    }
}

impl From<&str> for RecordAnswer {
    fn from(t: &str) -> Self {
        RecordAnswer::Text(t.to_owned())
    }
}

impl From<String> for RecordAnswer {
    fn from(t: String) -> Self {
        RecordAnswer::Text(t)
    }
}

impl AdministrationRecord {
    /// An empty record of the instrument with this id (no version, digest, context or answers).
    ///
    /// ```
    /// use therapeutic_alliance::{AdministrationRecord, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut record = AdministrationRecord::new("srs");
    /// record.session = Some(2);
    /// record.answers = vec![("1".into(), Some(8.5.into())), ("4".into(), Some(9.0.into()))];
    /// let adm = Registry::with_catalog().read(record)?;
    /// assert_eq!(adm.value("4"), Some(9.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(instrument: impl Into<String>) -> Self {
        AdministrationRecord {
            instrument: instrument.into(),
            version: None,
            digest: None,
            client: None,
            therapist: None,
            session: None,
            date: None,
            answers: Vec::new(),
        }
    }
}

impl Administration {
    /// This administration as a record: instrument id, version and digest, context, and the
    /// answered items in item order.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let record = Administration::builder(&srs).answer("2", 6.5)?.build()?.to_record();
    /// assert_eq!(record.answers, [("2".to_owned(), Some(6.5.into()))]);
    /// assert_eq!(record.digest.as_deref(), Some(srs.digest()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_record(&self) -> AdministrationRecord {
        let inst = self.instrument();
        AdministrationRecord {
            instrument: inst.id().to_owned(),
            version: Some(inst.version().to_owned()),
            digest: Some(inst.digest().to_owned()),
            client: self.client.clone(),
            therapist: self.therapist.clone(),
            session: self.session,
            date: self.date.map(|d| d.to_string()),
            answers: inst
                .items()
                .iter()
                .zip(self.values())
                .filter_map(|(item, v)| {
                    Some((item.id().to_owned(), Some(RecordAnswer::Number(v?))))
                })
                .collect(),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Administration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_record().serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Administration {
    /// Reads a record against the [`catalog`](crate::catalog); for instruments of your own, use
    /// a [`Registry`](crate::Registry) (`Registry::read`, or `DeserializeSeed` on `&Registry`).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::DeserializeSeed::deserialize(super::registry::catalog_registry(), d)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::de::DeserializeSeed<'de> for &super::Registry {
    type Value = Administration;

    /// Reads a record and validates it against this registry. Serde's error type carries only
    /// the message; use [`Registry::read`](crate::Registry::read) on an [`AdministrationRecord`] to keep the typed error.
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let record = <AdministrationRecord as serde::Deserialize>::deserialize(d)?;
        self.read(record).map_err(serde::de::Error::custom)
    }
}

/// Records are read from maps only (a positional array is refused), with unknown fields refused.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for AdministrationRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Def {
            instrument: String,
            #[serde(default)]
            version: Option<String>,
            #[serde(default)]
            digest: Option<String>,
            #[serde(default)]
            client: Option<String>,
            #[serde(default)]
            therapist: Option<String>,
            #[serde(default)]
            session: Option<u32>,
            #[serde(default)]
            date: Option<String>,
            #[serde(default, with = "answer_map")]
            answers: Vec<(String, Option<RecordAnswer>)>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = AdministrationRecord;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an administration record (a map with instrument and answers)")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                m: A,
            ) -> Result<Self::Value, A::Error> {
                let d: Def = serde::Deserialize::deserialize(
                    serde::de::value::MapAccessDeserializer::new(m),
                )?;
                Ok(AdministrationRecord {
                    instrument: d.instrument,
                    version: d.version,
                    digest: d.digest,
                    client: d.client,
                    therapist: d.therapist,
                    session: d.session,
                    date: d.date,
                    answers: d.answers,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Answers as a map that keeps order and duplicates (so validation can refuse them).
#[cfg(feature = "serde")]
mod answer_map {
    use super::RecordAnswer;
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    /// Integral values are written as integers, so Likert answers read `4`, not `4.0`; a
    /// non-finite value is refused (JSON would turn it into `null`, read back as unanswered).
    pub(super) fn serialize<S: Serializer>(
        answers: &[(String, Option<RecordAnswer>)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(answers.len()))?;
        for (k, v) in answers {
            match v {
                Some(RecordAnswer::Number(v)) if !v.is_finite() => {
                    return Err(serde::ser::Error::custom(crate::ErrorKind::NotFinite {
                        item: k.clone(),
                        value: *v,
                        text: None,
                    }));
                }
                Some(RecordAnswer::Number(v)) if v.fract() == 0.0 && v.abs() < 9.0e15 => {
                    map.serialize_entry(k, &(*v as i64))?;
                }
                Some(RecordAnswer::Number(v)) => map.serialize_entry(k, v)?,
                Some(RecordAnswer::Text(t)) => map.serialize_entry(k, t)?,
                None => map.serialize_entry(k, &None::<f64>)?,
            }
        }
        map.end()
    }

    /// One answer: a number, a string, or null.
    struct AnswerSeed;

    impl<'de> serde::de::DeserializeSeed<'de> for AnswerSeed {
        type Value = Option<RecordAnswer>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(AnswerVisitor)
        }
    }

    struct AnswerVisitor;

    impl<'de> Visitor<'de> for AnswerVisitor {
        type Value = Option<RecordAnswer>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, a string holding a number, or null")
        }

        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(RecordAnswer::Number(v)))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(RecordAnswer::Number(v as f64)))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(RecordAnswer::Number(v as f64)))
        }

        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(RecordAnswer::Text(v.to_owned())))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(RecordAnswer::Text(v)))
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, Option<RecordAnswer>)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, Option<RecordAnswer>)>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from item id to a number, a string holding a number, or null")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0).min(4096));
                while let Some(k) = m.next_key::<String>()? {
                    let v = m.next_value_seed(AnswerSeed)?;
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}
