//! The FHIR resources and data types this crate reads and writes: just the elements it uses,
//! with every other element kept as written in `other`.

use super::json::{Decimal, Extra, Slot, element, is_value_choice, required_slot};
use crate::error::{ErrorKind, Result};

// ---------------------------------------------------------------------------------------------
// Data types
// ---------------------------------------------------------------------------------------------

element! {
    /// A code from a code system (FHIR `Coding`): `{"system": "http://loinc.org", "code":
    /// "LA6570-1", "display": "More than half the days"}`. An answer's coding may carry the
    /// answer's score as an `ordinalValue` or `itemWeight` extension.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Coding;
    ///
    /// let c = Coding::new("http://loinc.org", "LA6570-1");
    /// assert_eq!((c.system.as_deref(), c.code.as_deref()), (Some("http://loinc.org"), Some("LA6570-1")));
    /// ```
    pub struct Coding {
        /// Extensions (`ordinalValue`, `itemWeight`, ...).
        pub extension: Vec<Extension> => "extension",
        /// The code system's URI.
        pub system: Option<String> => "system",
        /// The version of the code system.
        pub version: Option<String> => "version",
        /// The code.
        pub code: Option<String> => "code",
        /// Words for the code.
        pub display: Option<String> => "display",
    }
}

impl Coding {
    /// The code `code` of the code system `system`.
    ///
    /// ```
    /// let c = therapeutic_alliance::fhir::Coding::new("http://loinc.org", "44261-6");
    /// assert_eq!(c.display, None);
    /// ```
    pub fn new(system: impl Into<String>, code: impl Into<String>) -> Self {
        Coding {
            extension: Vec::new(),
            system: Some(system.into()),
            version: None,
            code: Some(code.into()),
            display: None,
            other: Extra::default(),
        }
    }

    /// The same coding with words for the code.
    pub(crate) fn with_display(mut self, display: Option<&str>) -> Self {
        self.display = display.map(str::to_owned);
        self
    }
}

element! {
    /// Codings and text for one concept (FHIR `CodeableConcept`).
    ///
    /// ```
    /// use therapeutic_alliance::fhir::CodeableConcept;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let c: CodeableConcept = serde_json::from_str(r#"{"text": "moderate"}"#)?;
    /// assert_eq!(c.text.as_deref(), Some("moderate"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct CodeableConcept {
        /// Codings of the concept.
        pub coding: Vec<Coding> => "coding",
        /// Words for the concept.
        pub text: Option<String> => "text",
    }
}

required_slot!(CodeableConcept);

impl CodeableConcept {
    /// A concept of one coding and optional text.
    pub(crate) fn coded(coding: Coding, text: Option<&str>) -> Self {
        CodeableConcept {
            coding: vec![coding],
            text: text.map(str::to_owned),
            other: Extra::default(),
        }
    }

    /// A concept given as text only.
    pub(crate) fn text(text: &str) -> Self {
        CodeableConcept {
            coding: Vec::new(),
            text: Some(text.to_owned()),
            other: Extra::default(),
        }
    }
}

element! {
    /// An identifier in a system (FHIR `Identifier`).
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Identifier;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let id: Identifier = serde_json::from_str(r#"{"system": "https://clinic.example/mrn", "value": "c-017"}"#)?;
    /// assert_eq!(id.value.as_deref(), Some("c-017"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct Identifier {
        /// The namespace of the value.
        pub system: Option<String> => "system",
        /// The value.
        pub value: Option<String> => "value",
    }
}

element! {
    /// A reference to another resource (FHIR `Reference`): `{"reference": "Patient/17"}`, or
    /// a logical reference by identifier.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Reference;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let r: Reference = serde_json::from_str(r#"{"reference": "Patient/17", "display": "C. Client"}"#)?;
    /// assert_eq!(r.reference.as_deref(), Some("Patient/17"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct Reference {
        /// A literal reference: a relative `Type/id`, an absolute URL or a fragment.
        pub reference: Option<String> => "reference",
        /// A logical reference.
        pub identifier: Option<Identifier> => "identifier",
        /// Words for the target.
        pub display: Option<String> => "display",
    }
}

element! {
    /// A measured amount (FHIR `Quantity`); scores are written with the UCUM unit `{score}`.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Quantity;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let q: Quantity = serde_json::from_str(r#"{"value": 12.50, "unit": "{score}"}"#)?;
    /// assert_eq!(q.value.map(|v| v.to_string()).as_deref(), Some("12.50"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct Quantity {
        /// The amount, as written.
        pub value: Option<Decimal> => "value",
        /// The unit in words.
        pub unit: Option<String> => "unit",
        /// The unit's code system (`http://unitsofmeasure.org`).
        pub system: Option<String> => "system",
        /// The unit's code.
        pub code: Option<String> => "code",
    }
}

impl Quantity {
    /// A score, in the UCUM unit `{score}`.
    pub(crate) fn score(value: Decimal) -> Self {
        Quantity {
            value: Some(value),
            unit: Some("{score}".to_owned()),
            system: Some("http://unitsofmeasure.org".to_owned()),
            code: Some("{score}".to_owned()),
            other: Extra::default(),
        }
    }
}

element! {
    /// A note (FHIR `Annotation`).
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Annotation;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let a: Annotation = serde_json::from_str(r#"{"text": "total sum 12 is at or above 10"}"#)?;
    /// assert!(a.text.starts_with("total"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct Annotation {
        /// The note.
        pub text: String => "text",
    }
}

element! {
    /// An expression in a language such as FHIRPath (FHIR `Expression`), as the SDC
    /// `calculatedExpression` extension carries it.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Expression;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let e: Expression = serde_json::from_str(r#"{"language": "text/fhirpath", "expression": "1 + 1"}"#)?;
    /// assert_eq!(e.expression.as_deref(), Some("1 + 1"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct Expression {
        /// What the expression computes.
        pub description: Option<String> => "description",
        /// A name for its value.
        pub name: Option<String> => "name",
        /// Its media type: `text/fhirpath`.
        pub language: String => "language",
        /// The expression.
        pub expression: Option<String> => "expression",
    }
}

element! {
    /// An extension (FHIR `Extension`): a URL and one value, or nested extensions. The value
    /// types this crate reads are modeled; any other `value[x]` stays in `other`.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Extension;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let e: Extension = serde_json::from_str(
    ///     r#"{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 2}"#)?;
    /// assert_eq!(e.value_decimal.map(|d| d.to_f64()), Some(2.0));
    /// assert!(serde_json::from_str::<Extension>(r#"{"url": "x", "valueDecimal": 2, "valueString": "2"}"#).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub struct Extension {
        /// Nested extensions (a complex extension; then there is no value).
        pub extension: Vec<Extension> => "extension",
        /// What the extension means.
        pub url: String => "url",
        /// A decimal value.
        pub value_decimal: Option<Decimal> => "valueDecimal",
        /// An integer value.
        pub value_integer: Option<i32> => "valueInteger",
        /// A non-negative integer value.
        pub value_unsigned_int: Option<u32> => "valueUnsignedInt",
        /// A text value.
        pub value_string: Option<String> => "valueString",
        /// An expression value.
        pub value_expression: Option<Expression> => "valueExpression",
    }
    check = check_extension;
}

fn check_extension(e: &Extension) -> std::result::Result<(), String> {
    let typed = usize::from(e.value_decimal.is_some())
        + usize::from(e.value_integer.is_some())
        + usize::from(e.value_unsigned_int.is_some())
        + usize::from(e.value_string.is_some())
        + usize::from(e.value_expression.is_some());
    let values = typed + e.other.value_choices().count();
    if e.url.is_empty() {
        return Err("an extension's url is empty".to_owned());
    }
    if values > 1 {
        return Err(format!("extension {:?} has more than one value[x]", e.url));
    }
    if values == 1 && !e.extension.is_empty() {
        return Err(format!(
            "extension {:?} has both a value and nested extensions",
            e.url
        ));
    }
    Ok(())
}

impl Extension {
    fn bare(url: &str) -> Self {
        Extension {
            extension: Vec::new(),
            url: url.to_owned(),
            value_decimal: None,
            value_integer: None,
            value_unsigned_int: None,
            value_string: None,
            value_expression: None,
            other: Extra::default(),
        }
    }

    /// An extension with a decimal value.
    pub(crate) fn decimal(url: &str, value: Decimal) -> Self {
        Extension {
            value_decimal: Some(value),
            ..Extension::bare(url)
        }
    }

    /// An extension with an integer value.
    pub(crate) fn integer(url: &str, value: i32) -> Self {
        Extension {
            value_integer: Some(value),
            ..Extension::bare(url)
        }
    }

    /// An extension with a non-negative integer value.
    pub(crate) fn unsigned(url: &str, value: u32) -> Self {
        Extension {
            value_unsigned_int: Some(value),
            ..Extension::bare(url)
        }
    }

    /// An extension with a text value.
    pub(crate) fn string(url: &str, value: &str) -> Self {
        Extension {
            value_string: Some(value.to_owned()),
            ..Extension::bare(url)
        }
    }

    /// An extension with an expression value.
    pub(crate) fn expression(url: &str, value: Expression) -> Self {
        Extension {
            value_expression: Some(value),
            ..Extension::bare(url)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Questionnaire
// ---------------------------------------------------------------------------------------------

/// `Questionnaire.status` and `Observation.status` codes, and item types, that a reader accepts.
const PUBLICATION_STATUS: &[&str] = &["draft", "active", "retired", "unknown"];
/// R4 and R5 item types together (R4 `choice` and `open-choice` became R5 `coding`; R5 added
/// `question`).
const ITEM_TYPES: &[&str] = &[
    "group",
    "display",
    "question",
    "boolean",
    "decimal",
    "integer",
    "date",
    "dateTime",
    "time",
    "string",
    "text",
    "url",
    "choice",
    "open-choice",
    "coding",
    "attachment",
    "reference",
    "quantity",
];
const ANSWER_CONSTRAINTS: &[&str] = &["optionsOnly", "optionsOrType", "optionsOrString"];
const RESPONSE_STATUS: &[&str] = &[
    "in-progress",
    "completed",
    "amended",
    "entered-in-error",
    "stopped",
];
const OBSERVATION_STATUS: &[&str] = &[
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
];

fn one_of(what: &str, value: &str, allowed: &[&str]) -> std::result::Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{what} {:?} is not one of {}",
            crate::ids::escaped(value),
            allowed.join(", ")
        ))
    }
}

element! {
    /// A FHIR `Questionnaire`: the form of an instrument, made by
    /// [`Questionnaire::of`](crate::fhir::Questionnaire::of). Reading one checks its `status`,
    /// item types and that its `linkId`s are unique (FHIR rule que-2).
    ///
    /// ```json
    /// {"resourceType": "Questionnaire",
    ///  "url": "https://therapeutic-alliance.example/fhir/Questionnaire/phq-9", "version": "1",
    ///  "name": "Phq9", "title": "Patient Health Questionnaire, depression (PHQ-9)", "status": "active",
    ///  "code": [{"system": "http://loinc.org", "code": "44249-1"}],
    ///  "item": [{"linkId": "1", "code": [{"system": "http://loinc.org", "code": "44250-9"}],
    ///            "text": "Item 1", "type": "choice", "required": true,
    ///            "answerOption": [{"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}],
    ///                              "valueCoding": {"system": "http://loinc.org", "code": "LA6568-5", "display": "Not at all"}}, …]},
    ///           …,
    ///           {"linkId": "score", "text": "Scores", "type": "group",
    ///            "item": [{"linkId": "score/total", "type": "decimal", "readOnly": true, "extension": [calculatedExpression], …}]}]}
    /// ```
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Questionnaire, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let q = Questionnaire::of(&catalog::require("wai-sr")?, &Settings::r4());
    /// let json = serde_json::to_string(&q)?;
    /// assert_eq!(Questionnaire::from_json(&json)?, q);
    /// # Ok(())
    /// # }
    /// ```
    pub struct Questionnaire [resource "Questionnaire"] {
        /// The resource's logical id on a server.
        pub id: Option<String> => "id",
        /// Extensions.
        pub extension: Vec<Extension> => "extension",
        /// The canonical URL.
        pub url: Option<String> => "url",
        /// Business identifiers (this crate writes the instrument's definition digest).
        pub identifier: Vec<Identifier> => "identifier",
        /// The version (this crate writes the instrument's version).
        pub version: Option<String> => "version",
        /// A computer-friendly name.
        pub name: Option<String> => "name",
        /// A human-friendly name.
        pub title: Option<String> => "title",
        /// `draft`, `active`, `retired` or `unknown`.
        pub status: String => "status",
        /// Resource types that can be the subject of a response.
        pub subject_type: Vec<String> => "subjectType",
        /// A description (this crate writes the citation and provenance).
        pub description: Option<String> => "description",
        /// Use and publishing restrictions (this crate writes the license note).
        pub copyright: Option<String> => "copyright",
        /// Codes of the questionnaire as a whole (a LOINC panel).
        pub code: Vec<Coding> => "code",
        /// The items.
        pub item: Vec<QuestionnaireItem> => "item",
    }
    check = check_questionnaire;
}

fn check_questionnaire(q: &Questionnaire) -> std::result::Result<(), String> {
    one_of("status", &q.status, PUBLICATION_STATUS)?;
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<&QuestionnaireItem> = q.item.iter().collect();
    while let Some(item) = stack.pop() {
        if !seen.insert(item.link_id.as_str()) {
            return Err(format!(
                "linkId {:?} is used by more than one item",
                crate::ids::escaped(&item.link_id)
            ));
        }
        stack.extend(&item.item);
    }
    Ok(())
}

element! {
    /// One item of a [`Questionnaire`]: a question, a group of items or text to display.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Questionnaire, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let q = Questionnaire::of(&catalog::require("srs")?, &Settings::r5());
    /// let line = &q.item[0];
    /// assert_eq!((line.link_id.as_str(), line.item_type.as_str()), ("1", "decimal"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct QuestionnaireItem {
        /// Extensions (`minValue`, `calculatedExpression`, ...).
        pub extension: Vec<Extension> => "extension",
        /// The item's id in the questionnaire, which answers name.
        pub link_id: String => "linkId",
        /// Codes of the question (LOINC where they exist).
        pub code: Vec<Coding> => "code",
        /// A prefix shown before the text, such as `1.`.
        pub prefix: Option<String> => "prefix",
        /// The question's text.
        pub text: Option<String> => "text",
        /// `group`, `display`, `decimal`, `choice` (R4), `coding` (R5), ...
        pub item_type: String => "type",
        /// Whether the item must be answered.
        pub required: Option<bool> => "required",
        /// Whether the answer is computed, not entered.
        pub read_only: Option<bool> => "readOnly",
        /// R5: whether answers are limited to the options (`optionsOnly`).
        pub answer_constraint: Option<String> => "answerConstraint",
        /// The answers to choose from.
        pub answer_option: Vec<AnswerOption> => "answerOption",
        /// Nested items (of a group).
        pub item: Vec<QuestionnaireItem> => "item",
    }
    check = check_questionnaire_item;
}

fn check_questionnaire_item(i: &QuestionnaireItem) -> std::result::Result<(), String> {
    let at = || format!("item {:?}: ", crate::ids::escaped(&i.link_id));
    one_of("type", &i.item_type, ITEM_TYPES).map_err(|e| at() + &e)?;
    if let Some(c) = &i.answer_constraint {
        one_of("answerConstraint", c, ANSWER_CONSTRAINTS).map_err(|e| at() + &e)?;
    }
    match i.item_type.as_str() {
        "group" if i.item.is_empty() => Err(at() + "a group item has no nested items"),
        "display" if !i.item.is_empty() => Err(at() + "a display item has nested items"),
        _ => Ok(()),
    }
}

element! {
    /// One answer to choose from, with its score as an `ordinalValue` (R4) or `itemWeight`
    /// (R5) extension.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Questionnaire, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let q = Questionnaire::of(&catalog::require("phq-9")?, &Settings::r4());
    /// let option = &q.item[0].answer_option[2];
    /// let code = option.value_coding.as_ref().and_then(|c| c.code.as_deref());
    /// assert_eq!(code, Some("LA6570-1"));
    /// assert_eq!(option.extension[0].value_decimal.as_ref().map(|d| d.as_str()), Some("2"));
    /// # Ok(())
    /// # }
    /// ```
    pub struct AnswerOption {
        /// Extensions (the score).
        pub extension: Vec<Extension> => "extension",
        /// A coded answer.
        pub value_coding: Option<Coding> => "valueCoding",
        /// An integer answer.
        pub value_integer: Option<i32> => "valueInteger",
    }
    check = check_answer_option;
}

fn check_answer_option(o: &AnswerOption) -> std::result::Result<(), String> {
    let values = usize::from(o.value_coding.is_some())
        + usize::from(o.value_integer.is_some())
        + o.other.value_choices().count();
    if values == 1 {
        Ok(())
    } else {
        Err(format!(
            "an answer option has {values} value[x]; it needs one"
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// QuestionnaireResponse
// ---------------------------------------------------------------------------------------------

element! {
    /// A FHIR `QuestionnaireResponse`: the answers to a questionnaire, read into an
    /// [`Administration`](crate::Administration) with
    /// [`to_administration`](QuestionnaireResponse::to_administration) and written by
    /// [`QuestionnaireResponse::of`]. Reading one checks its `status` and that each answer has
    /// at most one value.
    ///
    /// ```json
    /// {"resourceType": "QuestionnaireResponse",
    ///  "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/srs|3.0",
    ///  "status": "completed", "subject": {"reference": "Patient/17"}, "authored": "2026-03-02T10:15:00Z",
    ///  "item": [{"linkId": "1", "answer": [{"valueDecimal": 8.5}]}, …]}
    /// ```
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{QuestionnaireResponse, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let qr = QuestionnaireResponse::from_json(r#"{"resourceType": "QuestionnaireResponse",
    ///     "status": "completed", "item": [{"linkId": "1", "answer": [{"valueDecimal": 9.0}]},
    ///     {"linkId": "2", "answer": [{"valueDecimal": 7.30}]}, {"linkId": "3", "answer": [{"valueDecimal": 8}]},
    ///     {"linkId": "4", "answer": [{"valueInteger": 9}]}]}"#)?;
    /// let adm = qr.to_administration(&catalog::require("srs")?, &Settings::r4())?;
    /// assert_eq!((adm.value("2"), adm.score().primary("total")), (Some(7.3), Some(33.3)));
    /// # Ok(())
    /// # }
    /// ```
    pub struct QuestionnaireResponse [resource "QuestionnaireResponse"] {
        /// The resource's logical id on a server.
        pub id: Option<String> => "id",
        /// Extensions (this crate writes the session number and therapist).
        pub extension: Vec<Extension> => "extension",
        /// The canonical URL of the questionnaire answered, optionally `|version`.
        pub questionnaire: Option<String> => "questionnaire",
        /// `in-progress`, `completed`, `amended`, `entered-in-error` or `stopped`.
        pub status: String => "status",
        /// Whom the answers are about (the client).
        pub subject: Option<Reference> => "subject",
        /// When the answers were given (a FHIR `dateTime`).
        pub authored: Option<String> => "authored",
        /// Who gave the answers.
        pub author: Option<Reference> => "author",
        /// The answered items.
        pub item: Vec<ResponseItem> => "item",
    }
    check = check_response;
}

fn check_response(r: &QuestionnaireResponse) -> std::result::Result<(), String> {
    one_of("status", &r.status, RESPONSE_STATUS)
}

element! {
    /// One item of a [`QuestionnaireResponse`] (FHIR `QuestionnaireResponse.item`): the
    /// answers to one question, or a group of nested items.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::ResponseItem;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let item: ResponseItem = serde_json::from_str(r#"{"linkId": "3", "answer": [{"valueInteger": 4}]}"#)?;
    /// assert_eq!(item.answer[0].value_integer, Some(4));
    /// # Ok(())
    /// # }
    /// ```
    pub struct ResponseItem {
        /// Extensions.
        pub extension: Vec<Extension> => "extension",
        /// The questionnaire item answered.
        pub link_id: String => "linkId",
        /// The question's text as shown.
        pub text: Option<String> => "text",
        /// The answers.
        pub answer: Vec<Answer> => "answer",
        /// Nested items (of a group).
        pub item: Vec<ResponseItem> => "item",
    }
    check = check_response_item;
}

fn check_response_item(i: &ResponseItem) -> std::result::Result<(), String> {
    if !i.answer.is_empty() && !i.item.is_empty() {
        // FHIR rule qrs-1: nested items of a question go under its answers.
        return Err(format!(
            "item {:?} has both answers and nested items",
            crate::ids::escaped(&i.link_id)
        ));
    }
    Ok(())
}

element! {
    /// One answer of a [`ResponseItem`]: a coding, an integer or a decimal (the answer types
    /// this crate reads; any other `value[x]` stays in `other` and is refused when read into an
    /// administration).
    ///
    /// ```
    /// use therapeutic_alliance::fhir::Answer;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let a: Answer = serde_json::from_str(r#"{"valueDecimal": 7.30}"#)?;
    /// assert_eq!(a.value_decimal.map(|d| d.to_string()).as_deref(), Some("7.30"));
    /// assert!(serde_json::from_str::<Answer>(r#"{"valueInteger": 1, "valueDecimal": 1}"#).is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub struct Answer {
        /// Extensions.
        pub extension: Vec<Extension> => "extension",
        /// A coded answer.
        pub value_coding: Option<Coding> => "valueCoding",
        /// An integer answer.
        pub value_integer: Option<i32> => "valueInteger",
        /// A decimal answer, as written.
        pub value_decimal: Option<Decimal> => "valueDecimal",
        /// Items nested under this answer.
        pub item: Vec<ResponseItem> => "item",
    }
    check = check_answer;
}

fn check_answer(a: &Answer) -> std::result::Result<(), String> {
    let values = usize::from(a.value_coding.is_some())
        + usize::from(a.value_integer.is_some())
        + usize::from(a.value_decimal.is_some())
        + a.other.value_choices().count();
    if values > 1 {
        return Err(format!("an answer has {values} value[x]; it may have one"));
    }
    Ok(())
}

impl Answer {
    /// An answer of one value.
    pub(crate) fn new() -> Self {
        Answer {
            extension: Vec::new(),
            value_coding: None,
            value_integer: None,
            value_decimal: None,
            item: Vec::new(),
            other: Extra::default(),
        }
    }

    /// The key of the `value[x]` this answer has, if any (`valueString` for one not modeled).
    pub(crate) fn value_key(&self) -> Option<&str> {
        if self.value_coding.is_some() {
            Some("valueCoding")
        } else if self.value_integer.is_some() {
            Some("valueInteger")
        } else if self.value_decimal.is_some() {
            Some("valueDecimal")
        } else {
            self.other
                .iter()
                .map(|(k, _)| k)
                .find(|k| is_value_choice(k))
        }
    }
}

impl ResponseItem {
    /// An item with these answers.
    pub(crate) fn answered(link_id: &str, answer: Vec<Answer>) -> Self {
        ResponseItem {
            extension: Vec::new(),
            link_id: link_id.to_owned(),
            text: None,
            answer,
            item: Vec::new(),
            other: Extra::default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Observation
// ---------------------------------------------------------------------------------------------

element! {
    /// A FHIR `Observation` of an administration's scores, made by
    /// [`Observation::of`](crate::fhir::Observation::of): the total as its value (so an EHR
    /// charts it under the total's code, LOINC 44261-6 for the PHQ-9) and one component per
    /// subscale.
    ///
    /// ```json
    /// {"resourceType": "Observation", "status": "final",
    ///  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]}],
    ///  "code": {"coding": [{"system": "http://loinc.org", "code": "44261-6"}], "text": "Patient Health Questionnaire, depression (PHQ-9): total"},
    ///  "subject": {"reference": "Patient/17"}, "effectiveDateTime": "2026-03-02",
    ///  "valueQuantity": {"value": 12, "unit": "{score}", "system": "http://unitsofmeasure.org", "code": "{score}"},
    ///  "interpretation": [{"text": "moderate"}],
    ///  "note": [{"text": "total sum 12 is at or above 10: clinical range (caseness)"}]}
    /// ```
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Observation, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let adm = Administration::from_values(&wai, &[Some(4.0); 12])?;
    /// let obs = Observation::of(&adm, &Settings::r4());
    /// assert_eq!(obs.component.len(), 3); // goals, task, bond
    /// assert_eq!(Observation::from_json(&serde_json::to_string(&obs)?)?, obs);
    /// # Ok(())
    /// # }
    /// ```
    pub struct Observation [resource "Observation"] {
        /// The resource's logical id on a server.
        pub id: Option<String> => "id",
        /// Extensions.
        pub extension: Vec<Extension> => "extension",
        /// `final`, `amended`, ...
        pub status: String => "status",
        /// The kind of observation (`survey`).
        pub category: Vec<CodeableConcept> => "category",
        /// What was observed (the total score's code, or the instrument's).
        pub code: CodeableConcept => "code",
        /// Whom it is about (the client).
        pub subject: Option<Reference> => "subject",
        /// When (the administration's date).
        pub effective_date_time: Option<String> => "effectiveDateTime",
        /// When this version of the observation was made available (a FHIR `instant`), set by
        /// [`Observation::issued_at`](crate::fhir::Observation::issued_at); never the clock.
        pub issued: Option<String> => "issued",
        /// The total score.
        pub value_quantity: Option<Quantity> => "valueQuantity",
        /// Why there is no total score.
        pub data_absent_reason: Option<CodeableConcept> => "dataAbsentReason",
        /// The severity band of the total.
        pub interpretation: Vec<CodeableConcept> => "interpretation",
        /// The flags raised and the prorated scores, in words, rounded for reading.
        pub note: Vec<Annotation> => "note",
        /// The resources it was derived from (the `QuestionnaireResponse`), set by
        /// [`Observation::derived_from_response`](crate::fhir::Observation::derived_from_response).
        pub derived_from: Vec<Reference> => "derivedFrom",
        /// One component per subscale.
        pub component: Vec<ObservationComponent> => "component",
    }
    check = check_observation;
}

fn check_observation(o: &Observation) -> std::result::Result<(), String> {
    one_of("status", &o.status, OBSERVATION_STATUS)?;
    if o.data_absent_reason.is_some()
        && (o.value_quantity.is_some() || o.other.value_choices().next().is_some())
    {
        // FHIR rule obs-6.
        return Err("an observation has both a value and a dataAbsentReason".to_owned());
    }
    Ok(())
}

element! {
    /// One component of an [`Observation`]: a subscale's score, or why it has none.
    ///
    /// ```
    /// use therapeutic_alliance::fhir::ObservationComponent;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let c: ObservationComponent = serde_json::from_str(
    ///     r#"{"code": {"text": "Bond"}, "valueQuantity": {"value": 16}}"#)?;
    /// assert_eq!(c.value_quantity.and_then(|q| q.value).map(|v| v.to_f64()), Some(16.0));
    /// # Ok(())
    /// # }
    /// ```
    pub struct ObservationComponent {
        /// What was observed (the subscale's code).
        pub code: CodeableConcept => "code",
        /// The score.
        pub value_quantity: Option<Quantity> => "valueQuantity",
        /// Why there is no score.
        pub data_absent_reason: Option<CodeableConcept> => "dataAbsentReason",
        /// The severity band of the score.
        pub interpretation: Vec<CodeableConcept> => "interpretation",
    }
    check = check_component;
}

fn check_component(c: &ObservationComponent) -> std::result::Result<(), String> {
    if c.data_absent_reason.is_some()
        && (c.value_quantity.is_some() || c.other.value_choices().next().is_some())
    {
        return Err("a component has both a value and a dataAbsentReason".to_owned());
    }
    Ok(())
}

/// A reader's message cut to at most about 300 bytes: the start of the message, `…`, and its
/// location (` at line 1 column 5`) when it has one.
fn bounded(reason: &str) -> String {
    const KEEP: usize = 240;
    if reason.len() <= KEEP + 60 {
        return reason.to_owned();
    }
    let location = reason
        .rfind(" at line ")
        .and_then(|at| reason.get(at..))
        .filter(|l| l.len() <= 60)
        .unwrap_or_default();
    let mut cut = KEEP;
    while !reason.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…{location}", reason.get(..cut).unwrap_or_default())
}

/// `from_json` for each resource: serde_json's error (with its line and column) as a typed
/// [`ErrorKind::InvalidFhir`].
macro_rules! from_json {
    ($($ty:ident => $name:literal),* $(,)?) => {
        $(
            impl $ty {
                #[doc = concat!("Reads a ", $name, " from JSON text, checking it as it is read.")]
                ///
                /// # Errors
                /// [`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir) naming what is
                /// wrong and where (line and column): not JSON, another `resourceType`, a
                /// missing required element, an element of the wrong type, a `null` or empty
                /// array, an element given twice, a code outside its value set, more than one
                /// `value[x]`. A leading UTF-8 byte-order mark is skipped; the reason is cut
                /// to a few hundred bytes, however long the value it quotes.
                ///
                /// ```
                #[doc = concat!("use therapeutic_alliance::fhir::", stringify!($ty), ";")]
                ///
                #[doc = concat!("let err = ", stringify!($ty), "::from_json(r#\"{\"resourceType\": \"Patient\"}\"#).unwrap_err();")]
                /// assert_eq!(err.code(), "invalid_fhir");
                /// ```
                pub fn from_json(json: &str) -> Result<Self> {
                    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
                    serde_json::from_str(json).map_err(|e| {
                        ErrorKind::InvalidFhir {
                            resource: $name,
                            reason: bounded(&e.to_string()),
                        }
                        .into()
                    })
                }
            }
        )*
    };
}

from_json!(
    Questionnaire => "Questionnaire",
    QuestionnaireResponse => "QuestionnaireResponse",
    Observation => "Observation",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_elements_and_decimals_survive() -> std::result::Result<(), serde_json::Error> {
        let text = r#"{"resourceType":"QuestionnaireResponse","meta":{"versionId":"7"},"status":"completed","_status":{"id":"s"},"item":[{"linkId":"1","answer":[{"valueDecimal":7.30,"extension":[{"url":"https://x.example/e","valueCodeableConcept":{"text":"a"}}]}],"definition":"https://x.example/d"}],"contained":[{"resourceType":"Patient","weight":70.50}]}"#;
        let qr: QuestionnaireResponse = serde_json::from_str(text)?;
        assert_eq!(qr.other.len(), 3);
        let back = serde_json::to_string(&qr)?;
        assert!(back.contains("7.30") && back.contains("70.50"));
        let v1: serde_json::Value = serde_json::from_str(text)?;
        let v2: serde_json::Value = serde_json::from_str(&back)?;
        assert_eq!(v1, v2);
        let again: QuestionnaireResponse = serde_json::from_str(&back)?;
        assert_eq!(again, qr);
        Ok(())
    }

    #[test]
    fn reading_validates() {
        let bad = [
            r#"{"status":"completed"}"#,
            r#"{"resourceType":"Patient","status":"completed"}"#,
            r#"{"resourceType":"QuestionnaireResponse"}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"done"}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","status":"completed"}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","subject":null}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","meta":{},"meta":{}}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"answer":[{"valueInteger":1}]}]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueInteger":1.5}]}]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueInteger":1,"valueString":"1"}]}]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueDecimal":"1"}]}]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueInteger":1}],"item":[{"linkId":"2"}]}]}"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"1","answer":[{"valueInteger":99999999999}]}]}"#,
            r#"[]"#,
            r#"{"resourceType":"QuestionnaireResponse","status":"completed","#,
        ];
        for json in bad {
            let err = QuestionnaireResponse::from_json(json).unwrap_err();
            assert_eq!(err.code(), "invalid_fhir", "{json}");
        }
        let bad_q = [
            r#"{"resourceType":"Questionnaire","status":"final"}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"choice"},{"linkId":"1","type":"choice"}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"g","type":"group","item":[{"linkId":"g","type":"decimal"}]}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"radio"}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"group"}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"coding","answerConstraint":"any"}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"1","type":"coding","answerOption":[{}]}]}"#,
            r#"{"resourceType":"Questionnaire","status":"active","extension":[{"url":"x","valueDecimal":1,"extension":[{"url":"y","valueInteger":1}]}]}"#,
        ];
        for json in bad_q {
            let err = Questionnaire::from_json(json).unwrap_err();
            assert_eq!(err.code(), "invalid_fhir", "{json}");
        }
        assert!(
            Observation::from_json(
                r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1},"dataAbsentReason":{"text":"y"}}"#
            )
            .is_err()
        );
        assert!(
            Observation::from_json(r#"{"resourceType":"Observation","status":"final"}"#).is_err()
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        // serde_json stops at 128 levels; the error must come back, not a stack overflow.
        let mut json =
            String::from(r#"{"resourceType":"QuestionnaireResponse","status":"completed","item":"#);
        for _ in 0..300 {
            json.push_str(r#"[{"linkId":"g","item":"#);
        }
        json.push_str("[]");
        for _ in 0..300 {
            json.push_str("}]");
        }
        json.push('}');
        assert_eq!(
            QuestionnaireResponse::from_json(&json).unwrap_err().code(),
            "invalid_fhir"
        );
    }
}
