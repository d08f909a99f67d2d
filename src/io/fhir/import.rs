//! Reading: a `QuestionnaireResponse` into an administration.

use super::export::answer_coding;
use super::json::{Decimal, same_decimal};
use super::model::{Answer, Coding, QuestionnaireResponse, ResponseItem};
use super::{
    ITEM_WEIGHT, ORDINAL_VALUE, QUESTIONNAIRE_ORDINAL_VALUE, Settings, coded, required_items,
    score_group,
};
use crate::error::{Error, ErrorKind, Errors, Result};
use crate::instruments::Instrument;
use crate::responses::{Administration, AdministrationBuilder, Date, Registry};

/// How to read a response to a questionnaire other than the instrument's own (a site's form,
/// an implementation guide's example): the questionnaire it answers, which of its `linkId`s
/// is which item, what its answer codes are worth, and which of its items to skip.
///
/// Codes are matched by system and code; an entry without a system matches a coding without
/// one. The instrument's own options and `linkId`s still apply where the mapping says nothing.
///
/// ```
/// use therapeutic_alliance::{catalog, fhir::{Mapping, QuestionnaireResponse, Settings}};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let phq9 = catalog::require("phq-9")?;
/// let mapping = Mapping::new()
///     .questionnaire("https://forms.example/Questionnaire/phq9")
///     .link_ids((1..=9).map(|n| (format!("q{n}"), n.to_string())))
///     .answer(Some("https://forms.example/frequency"), "never", 0.0)
///     .answer(Some("https://forms.example/frequency"), "daily", 3.0)
///     .ignore("total")
///     .require_answers(false); // this form lets items be skipped
/// let body = r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
///   "questionnaire": "https://forms.example/Questionnaire/phq9|2024",
///   "item": [{"linkId": "q1", "answer": [{"valueCoding": {"system": "https://forms.example/frequency", "code": "daily"}}]},
///            {"linkId": "q2", "answer": [{"valueCoding": {"system": "https://forms.example/frequency", "code": "never"}}]},
///            {"linkId": "total", "answer": [{"valueInteger": 3}]}]}"#;
/// let adm = QuestionnaireResponse::from_json(body)?
///     .to_administration_with(&phq9, &Settings::r4(), &mapping)?;
/// assert_eq!((adm.value("1"), adm.value("2"), adm.answered()), (Some(3.0), Some(0.0), 2));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    questionnaire: Option<String>,
    link_ids: Vec<(String, String)>,
    answers: Vec<(Option<String>, String, f64)>,
    ignored: Vec<String>,
    /// Unanswered required items are not an error.
    lenient: bool,
}

impl Mapping {
    /// A mapping that changes nothing.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// assert_eq!(Mapping::new(), Mapping::default());
    /// ```
    pub fn new() -> Self {
        Mapping::default()
    }

    /// The questionnaire the responses answer: its canonical URL, optionally `|version`. A
    /// response naming another (or, when a version is given here, another version) is refused;
    /// a response naming none is read.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// let m = Mapping::new().questionnaire("https://forms.example/Questionnaire/phq9|2024");
    /// assert_ne!(m, Mapping::new());
    /// ```
    #[must_use]
    pub fn questionnaire(mut self, canonical: impl Into<String>) -> Self {
        self.questionnaire = Some(canonical.into());
        self
    }

    /// Reads the answers of `link_id` as the answers to `item`.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// let m = Mapping::new().link_id("/44250-9", "1");
    /// assert_ne!(m, Mapping::new());
    /// ```
    #[must_use]
    pub fn link_id(mut self, link_id: impl Into<String>, item: impl Into<String>) -> Self {
        self.link_ids.push((link_id.into(), item.into()));
        self
    }

    /// Several `(linkId, item)` pairs, as [`Mapping::link_id`].
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// let m = Mapping::new().link_ids([("a", "1"), ("b", "2")]);
    /// assert_eq!(m, Mapping::new().link_id("a", "1").link_id("b", "2"));
    /// ```
    #[must_use]
    pub fn link_ids<L: Into<String>, I: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (L, I)>,
    ) -> Self {
        for (l, i) in pairs {
            self = self.link_id(l, i);
        }
        self
    }

    /// Reads a coding with this system (or none) and code as the answer `value` (before
    /// reverse keying, as [`AdministrationBuilder::answer`] takes it).
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// let m = Mapping::new().answer(None, "Several-days", 1.0);
    /// assert_ne!(m, Mapping::new());
    /// ```
    #[must_use]
    pub fn answer(mut self, system: Option<&str>, code: impl Into<String>, value: f64) -> Self {
        self.answers
            .push((system.map(str::to_owned), code.into(), value));
        self
    }

    /// Skips the answers of `link_id` (a score the form computed, a question the instrument
    /// does not score); its nested items are still read.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// let m = Mapping::new().ignore("H1/TS");
    /// assert_ne!(m, Mapping::new());
    /// ```
    #[must_use]
    pub fn ignore(mut self, link_id: impl Into<String>) -> Self {
        self.ignored.push(link_id.into());
        self
    }

    /// Whether an unanswered required item is an error (the default), or simply unanswered:
    /// a site's form may not require what the instrument's questionnaire does.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Mapping;
    ///
    /// assert_ne!(Mapping::new().require_answers(false), Mapping::new());
    /// ```
    #[must_use]
    pub fn require_answers(mut self, required: bool) -> Self {
        self.lenient = !required;
        self
    }
}

/// An answer as read: a number, or a decimal's text.
enum Value<'a> {
    Number(f64),
    Text(&'a str),
}

impl QuestionnaireResponse {
    /// Reads a response to the instrument's questionnaire (as [`Questionnaire::of`] writes it
    /// under the same settings) into a validated administration. The [module
    /// docs](crate::fhir#what-is-read) describe what is read and how.
    ///
    /// [`Questionnaire::of`]: crate::fhir::Questionnaire::of
    ///
    /// # Errors
    /// Each located at its element by a JSON Pointer ([`Error::path`](crate::Error::path)):
    /// - [`ErrorKind::ResponseStatus`] for a status other than `completed` or `amended`;
    /// - [`ErrorKind::QuestionnaireMismatch`] for a response to another questionnaire or version;
    /// - [`ErrorKind::UnknownLinkId`] for an item the instrument does not have;
    /// - [`ErrorKind::UnknownAnswerCode`] for a code that is not one of the item's options;
    /// - [`ErrorKind::InvalidAnswer`] for several answers to one item, an answer without a value
    ///   or with a type not read (`valueString`), a coding whose score extensions disagree with
    ///   each other or with its code, or a score extension without a `valueDecimal`;
    /// - [`ErrorKind::MissingAnswer`] for a required item without an answer;
    /// - [`ErrorKind::DuplicateAnswer`] for an item answered twice;
    /// - [`ErrorKind::OutOfRange`], [`ErrorKind::OffStep`], [`ErrorKind::NotFinite`] for a
    ///   value off the scale;
    /// - [`ErrorKind::InvalidDate`] for an `authored` that is not a FHIR `dateTime` or not a
    ///   calendar date;
    ///   [`ErrorKind::InvalidText`] for a client or therapist id the crate refuses;
    ///   [`ErrorKind::InvalidFhir`] for a session or therapist extension without its value
    ///   or given twice.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{QuestionnaireResponse, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let qr = QuestionnaireResponse::from_json(r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
    ///   "item": [{"linkId": "intro", "item": [{"linkId": "13", "answer": [{"valueInteger": 4}]}]}]}"#)?;
    /// let err = qr.to_administration(&wai, &Settings::r4()).unwrap_err();
    /// assert_eq!(err.to_string(), "linkId \"13\": instrument wai-sr has no item with this linkId");
    /// assert_eq!((err.item(), err.path()), (Some("13"), Some("/item/0/item/0")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_administration(
        &self,
        instrument: &Instrument,
        settings: &Settings,
    ) -> Result<Administration> {
        self.to_administration_with(instrument, settings, &Mapping::new())
    }

    /// As [`to_administration`](QuestionnaireResponse::to_administration), for a response to
    /// another questionnaire, read through `mapping`.
    ///
    /// # Errors
    /// As [`to_administration`](QuestionnaireResponse::to_administration); a `linkId` the
    /// mapping sends to an item the instrument does not have is
    /// [`ErrorKind::UnknownLinkId`].
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Mapping, QuestionnaireResponse, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let qr = QuestionnaireResponse::from_json(r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
    ///   "questionnaire": "https://forms.example/srs", "item": [{"linkId": "relationship", "answer": [{"valueDecimal": 9.1}]}]}"#)?;
    /// let mapping = Mapping::new()
    ///     .questionnaire("https://forms.example/srs")
    ///     .link_id("relationship", "1")
    ///     .require_answers(false);
    /// let adm = qr.to_administration_with(&srs, &Settings::r4(), &mapping)?;
    /// assert_eq!(adm.value("1"), Some(9.1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_administration_with(
        &self,
        instrument: &Instrument,
        settings: &Settings,
        mapping: &Mapping,
    ) -> Result<Administration> {
        Reader {
            inst: instrument,
            settings,
            mapping,
            group: score_group(instrument),
        }
        .read(self)
    }

    /// As [`to_administration_with`](QuestionnaireResponse::to_administration_with), reporting
    /// every error at once (a form needs all its problems shown), as
    /// [`Registry::read_all`] does: each bad answer, each missing required item, a bad
    /// `authored`, each repeated extension, in the order of the response. Reading stops
    /// early only where nothing more can be said: the administration's ids are checked last,
    /// and only the first bad id is reported.
    ///
    /// # Errors
    /// [`Errors`], holding every error [`to_administration`](QuestionnaireResponse::to_administration)
    /// would give, the first being the one it gives.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Mapping, QuestionnaireResponse, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let qr = QuestionnaireResponse::from_json(r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
    ///   "authored": "2026-13", "item": [{"linkId": "1", "answer": [{"valueDecimal": 7.25}]},
    ///   {"linkId": "2", "answer": [{"valueDecimal": 11}]}, {"linkId": "3", "answer": [{"valueDecimal": 8}]}]}"#)?;
    /// let errors = qr.to_administration_all(&srs, &Settings::r4(), &Mapping::new()).unwrap_err();
    /// let found: Vec<_> = errors.iter().map(|e| (e.code(), e.path().unwrap_or_default())).collect();
    /// assert_eq!(found, [
    ///     ("off_step", "/item/0/answer/0"),
    ///     ("out_of_range", "/item/1/answer/0"),
    ///     ("missing_answer", "/item"),
    ///     ("invalid_date", "/authored"),
    /// ]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_administration_all(
        &self,
        instrument: &Instrument,
        settings: &Settings,
        mapping: &Mapping,
    ) -> std::result::Result<Administration, Errors> {
        Reader {
            inst: instrument,
            settings,
            mapping,
            group: score_group(instrument),
        }
        .read_all(self)
    }

    /// The instrument this response answers, found in `registry` from its `questionnaire`
    /// (`{base}/Questionnaire/{id}|{version}` under the settings' base; without a version the
    /// id must name one registered version).
    ///
    /// # Errors
    /// [`ErrorKind::QuestionnaireMismatch`] for a response naming no questionnaire or one
    /// outside the base; [`ErrorKind::UnknownInstrument`], [`ErrorKind::UnknownVersion`] or
    /// [`ErrorKind::AmbiguousVersion`] from the registry.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{QuestionnaireResponse, Settings}, Administration, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let settings = Settings::r4();
    /// let adm = Administration::from_values(&catalog::require("gad-7")?, &[Some(1.0); 7])?;
    /// let qr = QuestionnaireResponse::of(&adm, &settings);
    /// let registry = Registry::with_catalog();
    /// let instrument = qr.instrument_in(&registry, &settings)?;
    /// assert_eq!(qr.to_administration(instrument, &settings)?, adm);
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument_in<'r>(
        &self,
        registry: &'r Registry,
        settings: &Settings,
    ) -> Result<&'r Instrument> {
        let prefix = format!("{}/Questionnaire/", settings.base());
        let mismatch = || -> Error {
            Error::from(ErrorKind::QuestionnaireMismatch {
                found: self
                    .questionnaire
                    .as_deref()
                    .map_or_else(|| "none".to_owned(), crate::ids::escaped),
                expected: format!("{prefix}<instrument id>"),
            })
            .at_path("/questionnaire")
        };
        let canonical = self.questionnaire.as_deref().ok_or_else(mismatch)?;
        let (url, version) = split_canonical(canonical);
        let id = url.strip_prefix(&prefix).ok_or_else(mismatch)?;
        // The version as written, else percent-decoded (a version with whitespace is written
        // encoded in canonicals).
        registry
            .get(id, version)
            .or_else(|e| {
                let decoded = version.and_then(super::version_from_canonical);
                match decoded {
                    Some(v) => registry.get(id, Some(&v)).map_err(|_| e),
                    None => Err(e),
                }
            })
            .map_err(|e| e.at_path("/questionnaire"))
    }
}

/// `url|version` as its parts.
fn split_canonical(canonical: &str) -> (&str, Option<&str>) {
    match canonical.split_once('|') {
        Some((url, version)) => (url, Some(version)),
        None => (canonical, None),
    }
}

/// `/item/3` style path segments (RFC 6901 needs no escaping for these).
struct Reader<'a> {
    inst: &'a Instrument,
    settings: &'a Settings,
    mapping: &'a Mapping,
    group: String,
}

impl Reader<'_> {
    /// Reads the response, stopping at the first error.
    fn read(&self, qr: &QuestionnaireResponse) -> Result<Administration> {
        let mut sink = Sink {
            all: false,
            errors: Vec::new(),
        };
        self.read_into(qr, &mut sink)
    }

    /// Reads the response, reporting every error.
    fn read_all(&self, qr: &QuestionnaireResponse) -> std::result::Result<Administration, Errors> {
        let mut sink = Sink {
            all: true,
            errors: Vec::new(),
        };
        match self.read_into(qr, &mut sink) {
            Ok(adm) => match Errors::from_vec(sink.errors) {
                None => Ok(adm),
                Some(errors) => Err(errors),
            },
            Err(e) => {
                sink.errors.push(e.clone());
                Err(Errors::from_vec(sink.errors).unwrap_or_else(|| Errors::from(e)))
            }
        }
    }

    /// Reads the response, putting each error in `sink` (which gives it back when only the
    /// first is wanted); the builder's error, found last, is returned.
    fn read_into(&self, qr: &QuestionnaireResponse, sink: &mut Sink) -> Result<Administration> {
        let inst = self.inst;
        if !matches!(qr.status.as_str(), "completed" | "amended") {
            sink.push(
                Error::from(ErrorKind::ResponseStatus {
                    status: crate::ids::escaped(&qr.status),
                })
                .at_path("/status"),
            )?;
        }
        if let Err(e) = self.check_questionnaire(qr) {
            sink.push(e)?;
        }
        let mut b = Administration::builder(inst);
        // Which linkId answered each item, for messages.
        let mut answered_by: Vec<Option<&str>> = vec![None; inst.items().len()];
        let mut stack: Vec<(&ResponseItem, String)> = qr
            .item
            .iter()
            .enumerate()
            .rev()
            .map(|(i, item)| (item, format!("/item/{i}")))
            .collect();
        while let Some((item, path)) = stack.pop() {
            // Nested items come after this one, in order: under its answers or under it.
            let nested: Vec<(&ResponseItem, String)> = item
                .answer
                .iter()
                .enumerate()
                .flat_map(|(a, answer)| {
                    let path = &path;
                    answer
                        .item
                        .iter()
                        .enumerate()
                        .map(move |(i, n)| (n, format!("{path}/answer/{a}/item/{i}")))
                })
                .chain(
                    item.item
                        .iter()
                        .enumerate()
                        .map(|(i, n)| (n, format!("{path}/item/{i}"))),
                )
                .collect();
            if let Err(e) = self.read_item(&mut b, item, &path, &mut answered_by) {
                sink.push(e)?;
            }
            stack.extend(nested.into_iter().rev());
        }
        if !self.mapping.lenient {
            let required = required_items(inst);
            for ((item, required), by) in inst.items().iter().zip(required).zip(&answered_by) {
                if required && by.is_none() {
                    let link_id = self
                        .mapping
                        .link_ids
                        .iter()
                        .find(|(_, i)| i == item.id())
                        .map_or(item.id(), |(l, _)| l.as_str());
                    sink.push(
                        Error::from(ErrorKind::MissingAnswer {
                            link_id: crate::ids::escaped(link_id),
                        })
                        .at_path("/item"),
                    )?;
                }
            }
        }
        let paths = self.context(&mut b, qr, sink)?;
        // The builder checks the ids; locate its errors in the response.
        b.build().map_err(|e| match e.path() {
            Some("/client") => e.at_path(paths.client),
            Some("/therapist") => e.at_path(paths.therapist),
            _ => e,
        })
    }

    fn check_questionnaire(&self, qr: &QuestionnaireResponse) -> Result<()> {
        let Some(found) = qr.questionnaire.as_deref() else {
            return Ok(());
        };
        let (url, version) = split_canonical(found);
        let (expected, ok) = match &self.mapping.questionnaire {
            Some(m) => {
                let (murl, mversion) = split_canonical(m);
                (
                    m.clone(),
                    url == murl && (mversion.is_none() || version.is_none() || version == mversion),
                )
            }
            None => (
                self.settings.canonical(self.inst),
                url == self.settings.questionnaire_url(self.inst)
                    && version.is_none_or(|v| {
                        let names = |v: &str| {
                            v == self.inst.version()
                                || crate::catalog::renamed_version(self.inst.id(), v)
                                    == Some(self.inst.version())
                        };
                        names(v) || super::version_from_canonical(v).is_some_and(|v| names(&v))
                    }),
            ),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::from(ErrorKind::QuestionnaireMismatch {
                found: crate::ids::escaped(found),
                expected,
            })
            .at_path("/questionnaire"))
        }
    }

    /// Reads the answers of one response item.
    fn read_item<'q>(
        &self,
        b: &mut AdministrationBuilder,
        item: &'q ResponseItem,
        path: &str,
        answered_by: &mut [Option<&'q str>],
    ) -> Result<()> {
        let link = item.link_id.as_str();
        if self.mapping.ignored.iter().any(|l| l == link) {
            return Ok(());
        }
        let mapped = self.mapping.link_ids.iter().find(|(l, _)| l == link);
        let is_score = link == self.group
            || link
                .strip_prefix(self.group.as_str())
                .is_some_and(|r| r.starts_with('/'));
        if is_score && mapped.is_none() {
            return Ok(()); // the crate computes its own scores
        }
        let id = mapped.map_or(link, |(_, i)| i.as_str());
        let Some(index) = self.inst.item_index(id) else {
            if item.answer.is_empty() && !item.item.is_empty() {
                return Ok(()); // a group: its items are read in turn
            }
            return Err(Error::from(ErrorKind::UnknownLinkId {
                instrument: self.inst.id().to_owned(),
                link_id: crate::ids::escaped(link),
            })
            .at_path(path));
        };
        if item.answer.is_empty() {
            return Ok(());
        }
        // Answered (well or not): not reported missing as well.
        if let Some(slot) = answered_by.get_mut(index) {
            slot.get_or_insert(link);
        }
        let answer = match item.answer.as_slice() {
            [one] => one,
            many => {
                return Err(Error::from(ErrorKind::InvalidAnswer {
                    link_id: crate::ids::escaped(link),
                    reason: format!("{} answers to an item that takes one", many.len()),
                })
                .at_path(format!("{path}/answer/1")));
            }
        };
        let at = format!("{path}/answer/0");
        let value = self.value(answer, index, link, &at)?;
        // On an error the builder stays as it was.
        *b = match value {
            Value::Number(v) => b.clone().answer(id, v),
            Value::Text(t) => b.clone().answer_text(id, t),
        }
        .map_err(|e| e.at_path(at))?;
        Ok(())
    }

    /// The value of an answer.
    fn value<'q>(
        &self,
        answer: &'q Answer,
        index: usize,
        link: &str,
        at: &str,
    ) -> Result<Value<'q>> {
        if let Some(c) = &answer.value_coding {
            return self.coding_value(c, index, link, &format!("{at}/valueCoding"));
        }
        if let Some(i) = answer.value_integer {
            return Ok(Value::Number(f64::from(i)));
        }
        if let Some(d) = &answer.value_decimal {
            // The decimal's text as written, checked exactly on the scale.
            return Ok(Value::Text(d.as_str()));
        }
        let reason = match answer.value_key() {
            Some(key) => format!(
                "a {key} answer is not read (answer with valueCoding, valueInteger or valueDecimal)"
            ),
            None => "the answer has no value".to_owned(),
        };
        Err(Error::from(ErrorKind::InvalidAnswer {
            link_id: crate::ids::escaped(link),
            reason,
        })
        .at_path(at))
    }

    /// The score extensions (`ordinalValue`, `questionnaire-ordinalValue`, `itemWeight`) of a
    /// coding: the first one's weight, with its path; every other one must give the same
    /// value, exactly.
    fn coding_weight<'q>(
        c: &'q Coding,
        link: &str,
        at: &str,
    ) -> Result<Option<(&'q Decimal, String)>> {
        let mut first: Option<(&'q Decimal, String, &str)> = None;
        for (i, e) in c.extension.iter().enumerate() {
            let name = match e.url.as_str() {
                ORDINAL_VALUE => "ordinalValue",
                QUESTIONNAIRE_ORDINAL_VALUE => "questionnaire-ordinalValue",
                ITEM_WEIGHT => "itemWeight",
                _ => continue,
            };
            let path = format!("{at}/extension/{i}");
            let Some(w) = e.value_decimal.as_ref() else {
                return Err(Error::from(ErrorKind::InvalidAnswer {
                    link_id: crate::ids::escaped(link),
                    reason: format!("the {name} extension of the coding needs a valueDecimal"),
                })
                .at_path(path));
            };
            let path = format!("{path}/valueDecimal");
            match &first {
                None => first = Some((w, path, name)),
                Some((v, p, n)) => {
                    if !same_decimal(v.as_str(), w.as_str()) {
                        return Err(Error::from(ErrorKind::InvalidAnswer {
                            link_id: crate::ids::escaped(link),
                            reason: format!(
                                "the {name} weight {} disagrees with the {n} weight {} at {p}",
                                crate::ids::escaped(w.as_str()),
                                crate::ids::escaped(v.as_str()),
                            ),
                        })
                        .at_path(path));
                    }
                }
            }
        }
        Ok(first.map(|(w, p, _)| (w, p)))
    }

    /// The value of a coded answer: from the mapping, the item's options, or the coding's own
    /// score extension. A score extension on a coding that the mapping or the options resolve
    /// must give the answer's keyed score, exactly.
    fn coding_value<'q>(
        &self,
        c: &'q Coding,
        index: usize,
        link: &str,
        at: &str,
    ) -> Result<Value<'q>> {
        let inst = self.inst;
        let code = c.code.as_deref().unwrap_or_default();
        let system = c.system.as_deref();
        let weight = Self::coding_weight(c, link, at)?;
        let reversed = inst.items().get(index).is_some_and(|i| i.is_reversed());
        let disagrees = |w: &Decimal, keyed: &str, path: &str| -> Error {
            Error::from(ErrorKind::InvalidAnswer {
                link_id: crate::ids::escaped(link),
                reason: format!(
                    "the coding's weight {} disagrees with its code {:?}, whose keyed score is {keyed}",
                    crate::ids::escaped(w.as_str()),
                    crate::ids::escaped(code),
                ),
            })
            .at_path(path)
        };
        if let Some((_, _, v)) = self
            .mapping
            .answers
            .iter()
            .find(|(s, k, _)| k == code && s.as_deref() == system)
        {
            if let Some((w, path)) = &weight {
                let keyed = if reversed {
                    inst.scale().reverse(*v).unwrap_or(*v)
                } else {
                    *v
                };
                let keyed = Decimal::from_f64(keyed).map_or_else(String::new, |d| d.to_string());
                if !same_decimal(w.as_str(), &keyed) {
                    return Err(disagrees(w, &keyed, path));
                }
            }
            return Ok(Value::Number(*v));
        }
        if coded(inst) && !code.is_empty() {
            let scale = inst.scale();
            let found = (scale.min_units()..=scale.max_units()).find(|&point| {
                let option = answer_coding(inst, self.settings, point);
                option.code.as_deref() == Some(code)
                    && (system.is_none() || option.system.as_deref() == system)
            });
            if let Some(point) = found {
                if let Some((w, path)) = &weight {
                    let keyed = if reversed {
                        scale.reverse_units(point)
                    } else {
                        point
                    };
                    let keyed = keyed.to_string();
                    if !same_decimal(w.as_str(), &keyed) {
                        return Err(disagrees(w, &keyed, path));
                    }
                }
                return Ok(Value::Number(f64::from(point)));
            }
        }
        if let Some((w, path)) = weight {
            // The weight is the keyed score: a reversed item's answer is min + max - weight,
            // computed on the scale's units after the weight is checked on the scale exactly.
            if !reversed {
                return Ok(Value::Text(w.as_str()));
            }
            let scale = inst.scale();
            let item = inst.items().get(index).map_or(link, |i| i.id());
            let units = scale
                .units_for_text(item, w.as_str())
                .map_err(|e| e.at_path(path))?;
            let answer = scale.value_of_units(i64::from(scale.reverse_units(units)));
            return Ok(Value::Number(answer));
        }
        Err(Error::from(ErrorKind::UnknownAnswerCode {
            link_id: crate::ids::escaped(link),
            system: system.map(crate::ids::escaped),
            answer_code: crate::ids::escaped(code),
        })
        .at_path(at))
    }

    /// The client, date, session number and therapist, and where the client and therapist
    /// were read.
    /// Each error goes to the sink.
    fn context(
        &self,
        b: &mut AdministrationBuilder,
        qr: &QuestionnaireResponse,
        sink: &mut Sink,
    ) -> Result<ContextPaths> {
        let mut paths = ContextPaths {
            client: "/subject".to_owned(),
            therapist: "/extension".to_owned(),
        };
        if let Some(s) = &qr.subject {
            let client = match (
                &s.reference,
                s.identifier.as_ref().and_then(|i| i.value.as_ref()),
            ) {
                (Some(r), _) => Some((r, "/subject/reference")),
                (None, Some(v)) => Some((v, "/subject/identifier/value")),
                (None, None) => None,
            };
            if let Some((c, path)) = client {
                *b = b.clone().client(c);
                path.clone_into(&mut paths.client);
            }
        }
        if let Some(authored) = qr.authored.as_deref() {
            match authored_date(authored) {
                Ok(Some(date)) => *b = b.clone().date(date),
                Ok(None) => {}
                Err(e) => sink.push(e.at_path("/authored"))?,
            }
        }
        let session = self.settings.url("StructureDefinition/session");
        let therapist = self.settings.url("StructureDefinition/therapist");
        let (mut session_at, mut therapist_at) = (None, None);
        for (i, e) in qr.extension.iter().enumerate() {
            let at = format!("/extension/{i}");
            let missing = |what: &str| -> Error {
                Error::from(ErrorKind::InvalidFhir {
                    resource: "QuestionnaireResponse",
                    reason: format!("extension {:?} needs a {what}", e.url),
                })
                .at_path(at.clone())
            };
            let seen = if e.url == session {
                &mut session_at
            } else if e.url == therapist {
                &mut therapist_at
            } else {
                continue;
            };
            if let Some(first) = *seen {
                sink.push(
                    Error::from(ErrorKind::InvalidFhir {
                        resource: "QuestionnaireResponse",
                        reason: format!(
                            "extension {:?} is given twice (first at /extension/{first})",
                            e.url
                        ),
                    })
                    .at_path(at),
                )?;
                continue;
            }
            *seen = Some(i);
            if e.url == session {
                match e.value_unsigned_int {
                    Some(n) => *b = b.clone().session(n),
                    None => sink.push(missing("valueUnsignedInt"))?,
                }
            } else {
                match e.value_string.as_deref() {
                    Some(t) => *b = b.clone().therapist(t),
                    None => sink.push(missing("valueString"))?,
                }
                paths.therapist = format!("{at}/valueString");
            }
        }
        Ok(paths)
    }
}

/// Where errors go: kept when all are wanted (and reading goes on), else given back.
struct Sink {
    all: bool,
    errors: Vec<Error>,
}

impl Sink {
    /// Keeps `e`, or gives it back to stop reading when only the first error is wanted.
    fn push(&mut self, e: Error) -> Result<()> {
        if self.all {
            self.errors.push(e);
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// Where the client and therapist were read in a response.
struct ContextPaths {
    client: String,
    therapist: String,
}

/// The calendar date of a FHIR `dateTime` as written: `None` for a partial date (`2026`,
/// `2026-03`).
///
/// The text must match the `dateTime` pattern of FHIR R4 and R5 where they agree: `YYYY`,
/// `YYYY-MM`, `YYYY-MM-DD` (a real calendar date), or `YYYY-MM-DDThh:mm:ss` with optional
/// fractional seconds (1 to 9 digits) and a required time zone (`Z`, or `+hh:mm`/`-hh:mm`
/// from `00:00` to `14:00`). The year is four digits, not `0000`; seconds may be `60`.
///
/// # Errors
/// [`ErrorKind::InvalidDate`] for any other text.
fn authored_date(text: &str) -> Result<Option<Date>> {
    let invalid = || -> Error {
        ErrorKind::InvalidDate {
            value: crate::ids::escaped(text),
        }
        .into()
    };
    let b = text.as_bytes();
    // `n` ASCII digits at `at`, as a number.
    let num = |at: usize, n: usize| -> Option<u16> {
        b.get(at..at + n)?.iter().try_fold(0u16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let byte = |at: usize, c: u8| b.get(at) == Some(&c);
    let year = num(0, 4).filter(|&y| y != 0).ok_or_else(invalid)?;
    if b.len() == 4 {
        return Ok(None);
    }
    let month = num(5, 2).filter(|m| (1..=12).contains(m));
    if !byte(4, b'-') || month.is_none() {
        return Err(invalid());
    }
    if b.len() == 7 {
        return Ok(None);
    }
    let day = num(8, 2).filter(|d| (1..=31).contains(d));
    let (Some(month), Some(day), true) = (month, day, byte(7, b'-')) else {
        return Err(invalid());
    };
    let date = Date::new(year, month as u8, day as u8).map_err(|_| invalid())?;
    if b.len() == 10 {
        return Ok(Some(date));
    }
    // The time: Thh:mm:ss
    let time_ok = byte(10, b'T')
        && num(11, 2).is_some_and(|h| h <= 23)
        && byte(13, b':')
        && num(14, 2).is_some_and(|m| m <= 59)
        && byte(16, b':')
        && num(17, 2).is_some_and(|s| s <= 60);
    if !time_ok {
        return Err(invalid());
    }
    let mut at = 19;
    if byte(at, b'.') {
        let digits = b
            .get(at + 1..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=9).contains(&digits) {
            return Err(invalid());
        }
        at += 1 + digits;
    }
    // The time zone, required after a time.
    let zone_ok = match b.get(at..) {
        Some(b"Z") => true,
        Some([b'+' | b'-', _, _, b':', _, _]) => {
            let (h, m) = (num(at + 1, 2), num(at + 4, 2));
            matches!((h, m), (Some(0..=13), Some(0..=59)) | (Some(14), Some(0)))
        }
        _ => false,
    };
    if zone_ok {
        Ok(Some(date))
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn authored_dates() {
        let d = |t: &str| authored_date(t).map(|d| d.map(|d| d.to_string()));
        assert_eq!(
            d("2026-03-02").ok().flatten().as_deref(),
            Some("2026-03-02")
        );
        assert_eq!(
            d("2026-03-02T23:30:00-05:00").ok().flatten().as_deref(),
            Some("2026-03-02")
        );
        for ok in [
            "0001",
            "2024-02-29",
            "2026-03-02T10:15:00Z",
            "2026-03-02T10:15:60.123456789+14:00",
            "2026-03-02T00:00:00.5-13:59",
            "2026-12-31T23:59:59+00:00",
        ] {
            assert!(d(ok).is_ok(), "{ok}");
        }
        assert_eq!(d("2026-03").ok().flatten(), None);
        assert_eq!(d("2026").ok().flatten(), None);
        for bad in [
            "",
            "2026-3-2",
            "2026-02-30",
            "2026-03-02 10:00",
            "2026-03-02T",
            "yesterday",
            "2026-03-02é",
            "0000",
            "0000-01-01",
            "2026-13",
            "2026-00",
            "2026-1",
            "2026-03-",
            "2026-03-00",
            "2026-03-32",
            "2023-02-29",
            "2026-04-31",
            "2026-03-02Tbanana",
            "2024-02-29T25:99:99Z",
            "2026-03-02T10:15:00",
            "2026-03-02T10:15Z",
            "2026-03-02T24:00:00Z",
            "2026-03-02T10:60:00Z",
            "2026-03-02T10:15:61Z",
            "2026-03-02T10:15:00.Z",
            "2026-03-02T10:15:00.1234567890Z",
            "2026-03-02T10:15:00+14:01",
            "2026-03-02T10:15:00+15:00",
            "2026-03-02T10:15:00+1:00",
            "2026-03-02T10:15:00+01:00 ",
            "2026-03-02T10:15:00ZZ",
            "2026-03-02Z",
            "2026Z",
            "+2026",
            "20260",
            "٢٠٢٦",
        ] {
            assert_eq!(
                authored_date(bad).map_err(|e| e.code()).err(),
                Some("invalid_date"),
                "{bad}"
            );
        }
    }

    #[test]
    fn weights_on_codings_are_keyed_scores() -> Result<()> {
        let wai = catalog::require("wai-s")?; // 1-7, item 4 reversed
        let qr = QuestionnaireResponse::from_json(
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
              {"linkId": "4", "answer": [{"valueCoding": {"system": "https://forms.example/x", "code": "a",
                 "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/itemWeight", "valueDecimal": 6}]}}]},
              {"linkId": "5", "answer": [{"valueCoding": {"code": "b",
                 "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-ordinalValue", "valueDecimal": 6}]}}]}]}"#,
        )?;
        let adm = qr.to_administration(&wai, &Settings::r4())?;
        assert_eq!((adm.value("4"), adm.value("5")), (Some(2.0), Some(6.0)));
        Ok(())
    }

    #[test]
    fn a_mapped_link_id_wins_over_the_score_group() -> Result<()> {
        let srs = catalog::require("srs")?;
        let qr = QuestionnaireResponse::from_json(
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
              {"linkId": "score", "answer": [{"valueDecimal": 8.5}]},
              {"linkId": "score/total", "answer": [{"valueDecimal": 40}]}]}"#,
        )?;
        let lenient = Mapping::new().require_answers(false);
        assert_eq!(
            qr.to_administration_with(&srs, &Settings::r4(), &lenient)?
                .answered(),
            0
        );
        let mapped = lenient.link_id("score", "1");
        let adm = qr.to_administration_with(&srs, &Settings::r4(), &mapped)?;
        assert_eq!((adm.value("1"), adm.answered()), (Some(8.5), 1));
        Ok(())
    }

    #[test]
    fn system_less_codes_match_the_options() -> Result<()> {
        let phq = catalog::require("phq-9")?;
        let qr = QuestionnaireResponse::from_json(
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
              {"linkId": "1", "answer": [{"valueCoding": {"code": "LA6571-9"}}]}]}"#,
        )?;
        let err = qr.to_administration(&phq, &Settings::r4()).unwrap_err();
        assert_eq!((err.code(), err.item()), ("missing_answer", Some("2")));
        let adm = qr.to_administration_with(
            &phq,
            &Settings::r4(),
            &Mapping::new().require_answers(false),
        )?;
        assert_eq!(adm.value("1"), Some(3.0));
        Ok(())
    }
}
