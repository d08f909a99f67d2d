//! HL7 FHIR R4 and R5: instruments as `Questionnaire`s, `QuestionnaireResponse`s read into
//! administrations, and scores written as `QuestionnaireResponse`s or `Observation`s
//! (feature `fhir`, on by default).
//!
//! ```
//! use therapeutic_alliance::{catalog, fhir::{Observation, Questionnaire, QuestionnaireResponse, Release, Settings}};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let phq9 = catalog::require("phq-9")?;
//! let settings = Settings::new(Release::R4).with_base("https://clinic.example/fhir")?;
//!
//! // The form, for a form filler or an EHR: LOINC codes, one item per question, the scores.
//! let questionnaire = Questionnaire::of(&phq9, &settings);
//! assert_eq!(questionnaire.url.as_deref(), Some("https://clinic.example/fhir/Questionnaire/phq-9"));
//! println!("{}", serde_json::to_string_pretty(&questionnaire)?);
//!
//! // A completed form comes back: JSON in, a validated administration out.
//! let body = r#"{"resourceType": "QuestionnaireResponse",
//!   "questionnaire": "https://clinic.example/fhir/Questionnaire/phq-9|1",
//!   "status": "completed", "subject": {"reference": "Patient/17"}, "authored": "2026-03-02T10:15:00+01:00",
//!   "item": [
//!     {"linkId": "1", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}}]},
//!     {"linkId": "2", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
//!     {"linkId": "3", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
//!     {"linkId": "4", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6571-9"}}]},
//!     {"linkId": "5", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5"}}]},
//!     {"linkId": "6", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
//!     {"linkId": "7", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}}]},
//!     {"linkId": "8", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
//!     {"linkId": "9", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6568-5"}}]}]}"#;
//! let response = QuestionnaireResponse::from_json(body)?;
//! let adm = response.to_administration(&phq9, &settings)?;
//! assert_eq!((adm.client(), adm.date().map(|d| d.to_string())), (Some("Patient/17"), Some("2026-03-02".into())));
//! assert_eq!(adm.score().primary("total"), Some(11.0));
//!
//! // The scores, for the EHR to chart: the total under LOINC 44261-6, its band, its flags.
//! let obs = Observation::of(&adm, &settings);
//! assert_eq!(obs.code.coding[0].code.as_deref(), Some("44261-6"));
//! assert_eq!(obs.interpretation[0].text.as_deref(), Some("moderate"));
//! # Ok(())
//! # }
//! ```
//!
//! # What is written
//! [`Questionnaire::of`] writes one item per question, with `linkId` = the item's id:
//! - **Codes** come from the instrument's [`Codes`](crate::Codes) where it has them (LOINC for
//!   the PHQ-9 and GAD-7: the panel on `Questionnaire.code`, each item's code on the item, the
//!   LL358-3 answers on the options, the total's code on the total), and otherwise from the
//!   crate's own code systems under the [canonical base](Settings::with_base):
//!   `{base}/CodeSystem/instruments` (code: the instrument id), `{base}/CodeSystem/{id}/items`
//!   (the item id), `{base}/CodeSystem/{id}/answers` (the scale point, `"3"`) and
//!   `{base}/CodeSystem/{id}/scores` (a subscale id, or `total`).
//!   Every code written is a valid FHIR `code` (pattern `[^\s]+( [^\s]+)*`): an id or a
//!   [`Codes`](crate::Codes) entry that is not one (an item id `a  b` with two inner spaces,
//!   `x\u{a0}y` with a no-break space, surrounding white space) or that holds a `%` is written
//!   percent-encoded: each `%` and each white-space character (Unicode `White_Space`, plain
//!   spaces included) as `%XX` per UTF-8 byte, so `a  b` is the code `a%20%20b`. The encoding
//!   is one-to-one (an encoded code always holds a `%`, a code written as it is never does),
//!   so two items never share a code; the `linkId` (a FHIR `string`) stays the id as it is.
//!   Encoding rather than refusing keeps [`Questionnaire::of`] infallible and every instrument
//!   the crate accepts exportable.
//! - **Likert items** are `choice` (R4) or `coding` with `answerConstraint: optionsOnly` (R5),
//!   with one `answerOption` per scale point: its coding, its label (the scale's anchor where
//!   it has one, else the point itself) and its score in the `ordinalValue` (R4,
//!   `http://hl7.org/fhir/StructureDefinition/ordinalValue`) or `itemWeight` (R5,
//!   `http://hl7.org/fhir/StructureDefinition/itemWeight`) extension. The score is the item's
//!   *keyed* score, so a reversed item's "1" weighs 5 on a 1-5 scale and the weights of the
//!   answers add up to the instrument's sum.
//! - **Visual-analogue items** (the SRS and ORS lines, 0-10 by 0.1) are `decimal` items with the
//!   `minValue`, `maxValue` and `maxDecimalPlaces` extensions instead of options.
//! - **Text**: the item's wording where the crate has it (its own modality forms); the
//!   published instruments ship without wording (it is copyrighted), so their items read
//!   `Item 1`, `Item 2`, ...: paste your licensed wording into `text`.
//! - **Required**: an item is `required` when leaving it out (everything else answered) leaves a
//!   subscale or the total unscored under the missing-item rule: every PHQ-9, GAD-7, SRS and
//!   ORS item; no WAI-SR item (its 3-of-4 rule prorates).
//! - **Scores**: a `group` (`linkId` `score`, or `score-` if an item already uses that name)
//!   of read-only `decimal` items, `score/<subscale id>` and `score/total`, each with the SDC
//!   `calculatedExpression` extension (FHIRPath) computing the instrument's primary metric
//!   (sum or mean) under its missing-item and total rules from the answers' weights: `ordinal()`
//!   in R4 and `weight()` in R5. The crate's own scores are the reference; the expressions let
//!   a form filler show them live. Each expression is **self-contained**: it reads the item
//!   answers alone, never another score item, so it evaluates on a stored response that has
//!   no score group. For the answered items of a subscale (or of all items) it takes the
//!   keyed values (the option's weight, which is the keyed score, or for a line
//!   `min + max - value` on a reversed item), their `count()` and their sum
//!   (`aggregate($this + $total, 0)`), and then, as the crate scores:
//!   - a sum whose rule allows no missing item: `iif(count = n, sum)`;
//!   - a prorated sum (WAI-SR: at least 3 of 4): `iif(count >= required, sum * n / count)`,
//!     which is `sum` itself when all `n` are answered;
//!   - a mean: `iif(count >= required, sum / count)`;
//!   - a total over the subscales (WAI-SR, WAI, ARM-5): the subscales' prorated sums, each
//!     from its own items, added (`/ k` items for a mean). FHIRPath arithmetic on an empty
//!     value is empty, so one unscored subscale leaves the total empty, as the crate leaves
//!     it unscored;
//!   - a total over all items (PHQ-9, GAD-7): the same over every item.
//!
//!   For a WAI-SR response with item 4 (goals) unanswered, goals is
//!   `(4 + 4 + 5) x 4 / 3 = 17.33...`, and the total adds it to the other two subscales.
//!   CI evaluates every catalog Questionnaire's expressions, R4 and R5, with npm's `fhirpath`
//!   (fhirpath.js, version pinned in `.ci/fhirpath/package.json`, both its default and its
//!   `preciseMath` arithmetic) on responses holding item answers alone (complete, prorated and
//!   unscored) and compares them with the crate's scores to 1e-9: the crate computes exactly
//!   and rounds once, fhirpath.js in doubles. The engine needs the Questionnaire as
//!   `%questionnaire` for `ordinal()`/`weight()`, and the response as `%resource`.
//! - **Identity**: `url` `{base}/Questionnaire/{id}`, `version` the instrument's version, and
//!   an `identifier` `{base}/instrument-digest` holding its [definition
//!   digest](crate::Instrument::digest); `title` the name, `description` the citation and
//!   provenance, `copyright` the license note, `status` `active`.
//!
//! # The endpoint in one call
//! [`score`] is what a clinic's FHIR endpoint does with a posted `QuestionnaireResponse`: the
//! JSON body and a [`Registry`](crate::Registry) in (the instrument is found from the
//! response's `questionnaire` canonical); the administration, its [`Report`](crate::Report) and
//! its `Observation` (`derivedFrom` the response, `issued`) out, as a [`ScoredResponse`]; or
//! every error at once ([`Errors`](crate::Errors)), each located by a JSON Pointer and naming its
//! `linkId`. `alliance fhir score` is this call on a file.
//!
//! # What is read
//! [`QuestionnaireResponse::to_administration`] reads a response to that questionnaire:
//! - `status` must be `completed` or `amended` ([`ErrorKind::ResponseStatus`](crate::ErrorKind::ResponseStatus));
//! - `questionnaire`, when present, must be the instrument's `url`, with `|version` (if given)
//!   its version ([`ErrorKind::QuestionnaireMismatch`](crate::ErrorKind::QuestionnaireMismatch));
//! - items are found wherever they are: at the top, in groups, under answers;
//! - an answer is a `valueCoding` (resolved through the [`Mapping`], then the questionnaire's
//!   options: by system and code, or by code alone when the coding has no system; else by an
//!   `ordinalValue`, `questionnaire-ordinalValue` or `itemWeight` extension on the coding
//!   itself, read as the keyed score as written above), a `valueInteger` or a `valueDecimal`;
//!   each is then validated on the scale as
//!   [`AdministrationBuilder::answer`](crate::AdministrationBuilder::answer) does. A
//!   `valueDecimal` (and a weight that resolves a coding) goes to the scale as its text, as
//!   written, through
//!   [`AdministrationBuilder::answer_text`](crate::AdministrationBuilder::answer_text), never
//!   through a double, so an error quotes `7.30` and the scale checks the written decimal;
//! - nothing in a coding is guessed: its score extensions must all give the same value
//!   (exactly: `2`, `2.0` and `0.2e1` agree, `2.9999999999999999999` and `3` do not), and
//!   when the mapping or an option resolves the code, the extensions must give that answer's
//!   keyed score; a score extension without a `valueDecimal` is refused
//!   ([`ErrorKind::InvalidAnswer`](crate::ErrorKind::InvalidAnswer), at the extension's
//!   `valueDecimal`);
//! - the score group's items are skipped (the crate computes its own scores);
//! - the client is `subject.reference` as written (`Patient/17`), else
//!   `subject.identifier.value`; the date is the calendar date of `authored` as written,
//!   before any time-zone conversion (`2026-03-02T23:30:00-05:00` is 2026-03-02);
//! - `authored` must be a FHIR `dateTime` under the pattern of R4 and R5 where they agree:
//!   `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm:ss` with optional fractional
//!   seconds (1 to 9 digits) and a required time zone (`Z`, `+hh:mm` or `-hh:mm` up to
//!   `14:00`); the year is not `0000`, seconds may be `60`, and the date must exist on the
//!   calendar (`2024-02-29`, not `2023-02-29`). Anything else (`2026-13`,
//!   `2026-03-02Tbanana`, `2024-02-29T25:99:99Z`, a time without a zone) is
//!   [`ErrorKind::InvalidDate`](crate::ErrorKind::InvalidDate) at `/authored`. A well-formed
//!   partial date (`2026`, `2026-03`) is valid FHIR and accepted, but names no day, so the
//!   administration gets no date from it;
//! - the session number and therapist come from the crate's extensions
//!   `{base}/StructureDefinition/session` (`valueUnsignedInt`) and
//!   `{base}/StructureDefinition/therapist` (`valueString`), each at most once: a second one is
//!   [`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir) at its `/extension/N`.
//!
//! The JSON text may start with a UTF-8 byte-order mark, which is skipped (as the CSV and
//! definition readers do).
//!
//! Each problem is a typed error naming the `linkId`, with a JSON Pointer to it in the response
//! ([`Error::path`](crate::Error::path), e.g. `/item/0/item/3/answer/0`): an unknown `linkId`
//! ([`UnknownLinkId`](crate::ErrorKind::UnknownLinkId)), a code the question does not offer
//! ([`UnknownAnswerCode`](crate::ErrorKind::UnknownAnswerCode)), a required item without an
//! answer ([`MissingAnswer`](crate::ErrorKind::MissingAnswer)), several answers, an answer type
//! not read or a value off the scale. A response to another questionnaire (a site's own form,
//! an implementation guide's example) is read through a [`Mapping`] of its `linkId`s and codes.
//!
//! # The JSON types
//! The types here are minimal: the elements the crate reads and writes, with serde written by
//! hand. Every other element of a resource, and every extension, is kept as written in `other`
//! ([`Extra`]) and written back, so reading and writing a resource loses nothing. Decimals are
//! a [`Decimal`] that keeps its written form: `valueDecimal: 7.30` stays `7.30`. That uses
//! serde_json's `raw_value` feature, which only adds a type; its `arbitrary_precision` feature
//! would do the same by changing how every serde_json number in the build is represented, for
//! every crate that uses serde_json, so it is not used. The types are for JSON (serde_json);
//! other serde formats are not supported. Reading checks what FHIR requires of these
//! elements: the `resourceType`, required elements, no `null` or empty array, no element twice,
//! status codes and item types from their value sets, at most one `value[x]`, unique `linkId`s.
//! No JSON input panics: an error comes back, nested input included.
//!
//! # R4 and R5
//! [`Release`] chooses: the item type of a Likert item (`choice`; `coding` with
//! `answerConstraint: optionsOnly`), the score extension (`ordinalValue`; `itemWeight`) and the
//! FHIRPath function reading it (`ordinal()`; `weight()`). Everything else is written alike
//! (R5's required `QuestionnaireResponse.questionnaire` and answer values are always written).
//! Reading accepts either release's form.

mod endpoint;
mod export;
mod import;
mod json;
mod model;

pub use endpoint::{ScoredResponse, score};
pub use import::Mapping;
pub use json::{Decimal, Extra};
pub use model::{
    Annotation, Answer, AnswerOption, CodeableConcept, Coding, Expression, Extension, Identifier,
    Observation, ObservationComponent, Quantity, Questionnaire, QuestionnaireItem,
    QuestionnaireResponse, Reference, ResponseItem,
};

use crate::error::{ErrorKind, Result};
use crate::instruments::{Instrument, TotalRule};
use crate::scale::ScaleKind;

/// The FHIR release to write.
///
/// ```
/// use therapeutic_alliance::fhir::Release;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("r5".parse::<Release>()?, Release::R5);
/// assert_eq!(Release::default(), Release::R4);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Release {
    /// FHIR R4 (4.0.1), the release most servers run.
    #[default]
    R4,
    /// FHIR R5 (5.0.0).
    R5,
}

crate::vocab::vocabulary!(Release, "FHIR release", None, [R4 => "r4", R5 => "r5"]);

/// What a site's FHIR resources need: the [`Release`] and the canonical base under which the
/// questionnaires, code systems and extensions of the crate's instruments live.
///
/// The default base, [`Settings::DEFAULT_BASE`], is a placeholder on the reserved `.example`
/// domain: resources written with it work, but their URLs identify nothing. A site publishing
/// its questionnaires sets its own base once, and reads responses with the same settings.
///
/// ```
/// use therapeutic_alliance::{catalog, fhir::{Release, Settings}};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let settings = Settings::new(Release::R5).with_base("https://fhir.clinic.example/alliance")?;
/// let srs = catalog::require("srs")?;
/// assert_eq!(settings.canonical(&srs), "https://fhir.clinic.example/alliance/Questionnaire/srs|3.0");
/// assert_eq!(Settings::r4().base(), Settings::DEFAULT_BASE);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Settings {
    release: Release,
    base: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new(Release::default())
    }
}

impl Settings {
    /// The placeholder canonical base: `https://therapeutic-alliance.example/fhir`.
    ///
    /// ```
    /// assert!(therapeutic_alliance::fhir::Settings::DEFAULT_BASE.ends_with(".example/fhir"));
    /// ```
    pub const DEFAULT_BASE: &'static str = "https://therapeutic-alliance.example/fhir";

    /// Settings for `release` with the placeholder base.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::{Release, Settings};
    ///
    /// assert_eq!(Settings::new(Release::R5).release(), Release::R5);
    /// ```
    pub fn new(release: Release) -> Self {
        Settings {
            release,
            base: Self::DEFAULT_BASE.to_owned(),
        }
    }

    /// R4 with the placeholder base.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::{Release, Settings};
    ///
    /// assert_eq!(Settings::r4(), Settings::new(Release::R4));
    /// ```
    pub fn r4() -> Self {
        Settings::new(Release::R4)
    }

    /// R5 with the placeholder base.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::{Release, Settings};
    ///
    /// assert_eq!(Settings::r5(), Settings::new(Release::R5));
    /// ```
    pub fn r5() -> Self {
        Settings::new(Release::R5)
    }

    /// The same settings under the canonical base `base`: an absolute `http://` or `https://`
    /// URL with a host, in printable ASCII, without a query, fragment, `|`, space or trailing
    /// `/`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir) (`canonical base`) for any
    /// other text.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Settings;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(Settings::r4().with_base("https://clinic.example/fhir")?.base(), "https://clinic.example/fhir");
    /// assert!(Settings::r4().with_base("https://clinic.example/fhir/").is_err());
    /// assert!(Settings::r4().with_base("clinic.example").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_base(mut self, base: &str) -> Result<Self> {
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"));
        let problem = match rest {
            None => Some("must start with https:// or http://"),
            Some(r) if r.is_empty() || r.starts_with('/') => Some("has no host"),
            Some(_) if base.ends_with('/') => Some("must not end with /"),
            Some(_)
                if base
                    .chars()
                    .any(|c| !c.is_ascii_graphic() || matches!(c, '|' | '#' | '?')) =>
            {
                Some("must be printable ascii without spaces, |, # or ?")
            }
            Some(_) => None,
        };
        if let Some(problem) = problem {
            return Err(ErrorKind::InvalidFhir {
                resource: "canonical base",
                reason: format!("{:?} {problem}", crate::ids::escaped(base)),
            }
            .into());
        }
        self.base = base.to_owned();
        Ok(self)
    }

    /// The release written.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::{Release, Settings};
    ///
    /// assert_eq!(Settings::r4().release(), Release::R4);
    /// ```
    pub fn release(&self) -> Release {
        self.release
    }

    /// The canonical base.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let s = therapeutic_alliance::fhir::Settings::r4().with_base("https://clinic.example/fhir")?;
    /// assert_eq!(s.base(), "https://clinic.example/fhir");
    /// # Ok(())
    /// # }
    /// ```
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The canonical URL of an instrument's questionnaire: `{base}/Questionnaire/{id}`.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, fhir::Settings};
    /// assert_eq!(
    ///     Settings::r4().questionnaire_url(&catalog::require("wai-sr")?),
    ///     "https://therapeutic-alliance.example/fhir/Questionnaire/wai-sr"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn questionnaire_url(&self, instrument: &Instrument) -> String {
        format!("{}/Questionnaire/{}", self.base, instrument.id())
    }

    /// The versioned canonical of an instrument's questionnaire, as a response names it:
    /// `{base}/Questionnaire/{id}|{version}`. A canonical holds no whitespace, so a version
    /// that does (a clinic's own `client form, strict`; the catalog's versions never do) is
    /// written percent-encoded, each white-space character, `|` and `%` as `%XX` per UTF-8
    /// byte (`client%20form,%20strict`), here and in the Questionnaire's `version`; a
    /// response naming either spelling reads.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, fhir::Settings};
    /// let strict = catalog::require("wai-sr")?.to_builder().version("client form, strict").build()?;
    /// assert!(Settings::r4().canonical(&strict).ends_with("/Questionnaire/wai-sr|client%20form,%20strict"));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::{catalog, fhir::Settings};
    /// assert!(Settings::r4().canonical(&catalog::require("phq-9")?).ends_with("/Questionnaire/phq-9|1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn canonical(&self, instrument: &Instrument) -> String {
        format!(
            "{}|{}",
            self.questionnaire_url(instrument),
            canonical_version(instrument.version())
        )
    }

    /// `{base}/{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    /// The crate's code system `part` (`items`, `answers`, `scores`) of an instrument.
    pub(crate) fn code_system(&self, instrument: &Instrument, part: &str) -> String {
        format!("{}/CodeSystem/{}/{part}", self.base, instrument.id())
    }

    /// The URL of the score extension on answer options.
    pub(crate) fn weight_url(&self) -> &'static str {
        match self.release {
            Release::R4 => ORDINAL_VALUE,
            Release::R5 => ITEM_WEIGHT,
        }
    }
}

/// A version as written in a canonical and a Questionnaire's `version`: as it is when it holds
/// no whitespace, `|` or `%`; otherwise those characters percent-encoded (`%XX` per UTF-8
/// byte), which is one-to-one ([`version_from_canonical`] reverses it).
pub(crate) fn canonical_version(version: &str) -> String {
    let encoded = |c: char| c == '%' || c == '|' || c.is_whitespace() || c == '\u{feff}';
    if !version.contains(encoded) {
        return version.to_owned();
    }
    let mut out = String::with_capacity(version.len() + 8);
    for c in version.chars() {
        if encoded(c) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The version a canonical's `|version` part names, percent-decoded; `None` when it holds no
/// `%` or does not decode to UTF-8 (then it is read as written).
pub(crate) fn version_from_canonical(written: &str) -> Option<String> {
    if !written.contains('%') {
        return None;
    }
    let bytes = written.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The R4 score extension.
pub(crate) const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
/// Its older name, still read.
pub(crate) const QUESTIONNAIRE_ORDINAL_VALUE: &str =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-ordinalValue";
/// The R5 score extension.
pub(crate) const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";

/// The `linkId` of the score group: `score`, with `-` appended while an item of the instrument
/// is called that or starts with it and `/`.
pub(crate) fn score_group(instrument: &Instrument) -> String {
    let mut name = String::from("score");
    while instrument.items().iter().any(|i| {
        i.id() == name
            || i.id()
                .strip_prefix(name.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }) {
        name.push('-');
    }
    name
}

/// Which items are required: those without which (everything else answered) a subscale or the
/// total could not be scored.
pub(crate) fn required_items(instrument: &Instrument) -> Vec<bool> {
    let c = instrument.compiled();
    let mut required = vec![false; instrument.items().len()];
    for s in c.subscales.iter() {
        if s.required >= s.items.len() {
            for &i in s.items.iter() {
                if let Some(r) = required.get_mut(i as usize) {
                    *r = true;
                }
            }
        }
    }
    if instrument.total_rule() == TotalRule::OverItems && c.total_required >= required.len() {
        required.iter_mut().for_each(|r| *r = true);
    }
    required
}

/// Whether the instrument's items are answered by choosing a coded option (a Likert scale).
pub(crate) fn coded(instrument: &Instrument) -> bool {
    instrument.scale().kind() == ScaleKind::Likert
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn bases_are_checked() {
        for bad in [
            "",
            "ftp://x.example",
            "https://",
            "https:///x",
            "https://x.example/",
            "https://x.example/a b",
            "https://x.example/a|b",
            "https://x.example/a#b",
            "https://x.example/a?b",
            "https://x.example/\u{202e}",
        ] {
            assert_eq!(
                Settings::r4().with_base(bad).map_err(|e| e.code()).err(),
                Some("invalid_fhir"),
                "{bad}"
            );
        }
        assert!(
            Settings::r4()
                .with_base("http://localhost:8080/fhir")
                .is_ok()
        );
    }

    #[test]
    fn required_follows_the_missing_rule() -> Result<()> {
        let req = |id: &str| -> Result<Vec<bool>> { Ok(required_items(&catalog::require(id)?)) };
        assert!(req("phq-9")?.iter().all(|&r| r));
        assert!(req("srs")?.iter().all(|&r| r));
        assert!(req("wai-sr")?.iter().all(|&r| !r));
        Ok(())
    }

    #[test]
    fn the_score_group_avoids_item_ids() -> Result<()> {
        let scale = crate::ResponseScale::likert(1, 3, [])?;
        let inst = Instrument::builder("odd", "Odd", scale)
            .items(["score", "score-/1", "x"])
            .total(TotalRule::OverItems)
            .build()?;
        assert_eq!(score_group(&inst), "score--");
        assert_eq!(score_group(&catalog::require("srs")?), "score");
        Ok(())
    }
}
