//! Writing: an instrument as a `Questionnaire`, an administration as a
//! `QuestionnaireResponse`, its scores as a `QuestionnaireResponse` or an `Observation`.

use super::json::{Decimal, Extra};
use super::model::{
    Annotation, Answer, AnswerOption, CodeableConcept, Coding, Expression, Extension, Identifier,
    Observation, ObservationComponent, Quantity, Questionnaire, QuestionnaireItem,
    QuestionnaireResponse, Reference, ResponseItem,
};
use super::{Release, Settings, coded, required_items, score_group};
use crate::instruments::{Instrument, Subscale, TotalRule};
use crate::responses::Administration;
use crate::scoring::{Metric, Scores, TargetScore};

/// The SDC extension of a computed item.
const CALCULATED_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
const MAX_DECIMAL_PLACES: &str = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const DATA_ABSENT_REASON: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";

// ---------------------------------------------------------------------------------------------
// Codes
// ---------------------------------------------------------------------------------------------

/// `text` as a valid FHIR `code` (pattern `[^\s]+( [^\s]+)*`): as it is when it is one and has
/// no `%`; otherwise percent-encoded: every `%` and every white-space character (Unicode
/// `White_Space` and U+FEFF, plain spaces included) as `%XX` per UTF-8 byte, so `a  b` is
/// `a%20%20b`. The encoding is one-to-one (an encoded code always holds a `%`, a code kept
/// as it is never does) and leaves no white space at all, so the result is a valid code under
/// every reading of `\s`.
pub(crate) fn fhir_code(text: &str) -> String {
    let space = |c: char| c.is_whitespace() || c == '\u{feff}';
    let valid = !text.is_empty()
        && !text.contains('%')
        && text
            .split(' ')
            .all(|part| !part.is_empty() && !part.contains(space));
    if valid {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '%' || space(c) {
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

/// The code of the instrument as a whole: its panel code, or the crate's own.
fn panel_coding(inst: &Instrument, s: &Settings) -> Coding {
    match inst
        .codes()
        .and_then(|c| Some((c.system(), c.instrument()?)))
    {
        Some((system, code)) => Coding::new(system, fhir_code(code)),
        None => Coding::new(s.url("CodeSystem/instruments"), fhir_code(inst.id())),
    }
}

/// The code of an item: its code, or the crate's own (the item id).
fn item_coding(inst: &Instrument, s: &Settings, item: &str) -> Coding {
    match inst.codes().and_then(|c| Some((c.system(), c.item(item)?))) {
        Some((system, code)) => Coding::new(system, fhir_code(code)),
        None => Coding::new(s.code_system(inst, "items"), fhir_code(item)),
    }
}

/// The code of the Likert point `value`: its code (with the anchor as display, if any), or the
/// crate's own (the point, with the anchor or the point as display).
pub(crate) fn answer_coding(inst: &Instrument, s: &Settings, value: i32) -> Coding {
    let label = inst.scale().label(value);
    match inst
        .codes()
        .and_then(|c| Some((c.system(), c.answer(f64::from(value))?)))
    {
        Some((system, code)) => Coding::new(system, fhir_code(code)).with_display(label),
        None => {
            let point = value.to_string();
            Coding::new(s.code_system(inst, "answers"), point.as_str())
                .with_display(Some(label.unwrap_or(&point)))
        }
    }
}

/// The code of a subscale's score, or of the total (`None`): the total's code, or the crate's own.
fn score_coding(inst: &Instrument, s: &Settings, subscale: Option<&Subscale>) -> Coding {
    match subscale {
        Some(sub) => Coding::new(s.code_system(inst, "scores"), fhir_code(sub.id())),
        None => match inst.codes().and_then(|c| Some((c.system(), c.total()?))) {
            Some((system, code)) => Coding::new(system, fhir_code(code)),
            None => Coding::new(s.code_system(inst, "scores"), "total"),
        },
    }
}

/// The client as a reference: a literal reference when it looks like one (`Patient/17`, an
/// absolute URL, `urn:...`, `#...`), else a logical reference by identifier.
fn subject(client: &str) -> Reference {
    let literal = client.contains('/') || client.starts_with("urn:") || client.starts_with('#');
    Reference {
        reference: literal.then(|| client.to_owned()),
        identifier: (!literal).then(|| Identifier {
            system: None,
            value: Some(client.to_owned()),
            other: Extra::default(),
        }),
        display: None,
        other: Extra::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Questionnaire
// ---------------------------------------------------------------------------------------------

impl QuestionnaireItem {
    fn new(link_id: &str, item_type: &str, text: Option<String>) -> Self {
        QuestionnaireItem {
            extension: Vec::new(),
            link_id: link_id.to_owned(),
            code: Vec::new(),
            prefix: None,
            text,
            item_type: item_type.to_owned(),
            required: None,
            read_only: None,
            answer_constraint: None,
            answer_option: Vec::new(),
            item: Vec::new(),
            other: Extra::default(),
        }
    }
}

impl Questionnaire {
    /// The instrument as a FHIR `Questionnaire` in the settings' release: one item per
    /// question with its codes, options and scores, and a group of read-only score items
    /// computed by FHIRPath. The [module docs](crate::fhir#what-is-written) describe every
    /// element written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Questionnaire, Settings}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-s")?; // 1-7, items 4 and 10 reversed
    /// let q = Questionnaire::of(&wai, &Settings::r5());
    /// let item4 = &q.item[3];
    /// assert_eq!((item4.item_type.as_str(), item4.answer_constraint.as_deref()), ("coding", Some("optionsOnly")));
    /// // The option "1" of a reversed item weighs 7.
    /// let weight = &item4.answer_option[0].extension[0];
    /// assert_eq!(weight.url, "http://hl7.org/fhir/StructureDefinition/itemWeight");
    /// assert_eq!(weight.value_decimal.as_ref().map(|d| d.as_str()), Some("7"));
    /// let scores = q.item.last().ok_or("a score group")?;
    /// assert_eq!(scores.item.last().map(|i| i.link_id.as_str()), Some("score/total"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn of(instrument: &Instrument, settings: &Settings) -> Self {
        let inst = instrument;
        let required = required_items(inst);
        let mut items: Vec<QuestionnaireItem> = inst
            .items()
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let text = item
                    .text()
                    .map_or_else(|| format!("Item {}", item.id()), str::to_owned);
                let mut q = QuestionnaireItem::new(item.id(), "decimal", Some(text));
                q.code = vec![item_coding(inst, settings, item.id())];
                q.required = required.get(i).copied().unwrap_or(false).then_some(true);
                let scale = inst.scale();
                if coded(inst) {
                    q.item_type = match settings.release() {
                        Release::R4 => "choice",
                        Release::R5 => "coding",
                    }
                    .to_owned();
                    if settings.release() == Release::R5 {
                        q.answer_constraint = Some("optionsOnly".to_owned());
                    }
                    let (lo, hi) = (scale.min_units(), scale.max_units());
                    q.answer_option = (lo..=hi)
                        .map(|point| {
                            let weight = if item.is_reversed() {
                                lo + hi - point
                            } else {
                                point
                            };
                            AnswerOption {
                                extension: vec![Extension::decimal(
                                    settings.weight_url(),
                                    Decimal::from_units(i64::from(weight), 0),
                                )],
                                value_coding: Some(answer_coding(inst, settings, point)),
                                value_integer: None,
                                other: Extra::default(),
                            }
                        })
                        .collect();
                } else {
                    let d = scale.decimals();
                    q.extension = vec![
                        Extension::decimal(
                            MIN_VALUE,
                            Decimal::from_units(i64::from(scale.min_units()), d),
                        ),
                        Extension::decimal(
                            MAX_VALUE,
                            Decimal::from_units(i64::from(scale.max_units()), d),
                        ),
                        Extension::integer(MAX_DECIMAL_PLACES, i32::from(d)),
                    ];
                }
                q
            })
            .collect();
        let group = score_group(inst);
        let paths = Paths {
            inst,
            settings,
            group: &group,
        };
        let mut scores: Vec<QuestionnaireItem> = inst
            .subscales()
            .iter()
            .enumerate()
            .map(|(si, sub)| {
                paths.score_item(
                    Some(sub),
                    sub.label(),
                    paths.subscale_expression(si),
                    format!("({})", inst.missing()),
                )
            })
            .collect();
        if let Some(total) = paths.total_expression() {
            let rule = match inst.total_rule() {
                TotalRule::OverItems => format!("over all items, {}", inst.missing()),
                _ => format!(
                    "the sum of the subscale scores, each from its items, {}",
                    inst.missing()
                ),
            };
            scores.push(paths.score_item(None, "Total", total, format!("({rule})")));
        }
        if !scores.is_empty() {
            let mut g = QuestionnaireItem::new(&group, "group", Some("Scores".to_owned()));
            g.item = scores;
            items.push(g);
        }
        let description = [inst.citation(), Some(inst.provenance().note())]
            .into_iter()
            .flatten()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(". Provenance: ");
        Questionnaire {
            id: None,
            extension: Vec::new(),
            url: Some(settings.questionnaire_url(inst)),
            identifier: vec![Identifier {
                system: Some(settings.url("instrument-digest")),
                value: Some(inst.digest().to_owned()),
                other: Extra::default(),
            }],
            version: Some(super::canonical_version(inst.version())),
            name: Some(computable_name(inst.id())),
            title: Some(inst.name().to_owned()),
            status: "active".to_owned(),
            subject_type: vec!["Patient".to_owned()],
            description: (!description.is_empty()).then_some(description),
            copyright: inst.license().map(str::to_owned),
            code: vec![panel_coding(inst, settings)],
            item: items,
            other: Extra::default(),
        }
    }
}

/// A name a machine can use (FHIR's `[A-Z]([A-Za-z0-9_]){0,254}`): the id in upper camel case,
/// `wai-sr` as `WaiSr`, prefixed by `Instrument` if it would start with a digit.
fn computable_name(id: &str) -> String {
    let mut name: String = id
        .split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        name.insert_str(0, "Instrument");
    }
    name
}

/// FHIRPath for the score items.
struct Paths<'a> {
    inst: &'a Instrument,
    settings: &'a Settings,
    group: &'a str,
}

/// A FHIRPath string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The sum and the count of `values`, in FHIRPath.
fn sum_count(values: &str) -> (String, String) {
    (
        format!("{values}.aggregate($this + $total, 0)"),
        format!("{values}.count()"),
    )
}

/// The sum of `values` over `n` items, prorated as the crate does when fewer are answered
/// (`sum x n / answered`), in FHIRPath; empty when fewer than `required` are answered (all
/// `n` when the rule allows no missing item).
fn prorated_sum(values: &str, n: usize, required: usize) -> String {
    let (sum, count) = sum_count(values);
    if required >= n {
        format!("iif({count} = {n}, {sum})")
    } else {
        format!("iif({count} >= {}, {sum} * {n} / {count})", required.max(1))
    }
}

impl Paths<'_> {
    /// The response items with these linkIds.
    fn select(ids: &[&str]) -> String {
        let cond = match ids {
            [one] => format!("linkId = {}", quote(one)),
            _ => format!(
                "linkId in ({})",
                ids.iter().map(|i| quote(i)).collect::<Vec<_>>().join(" | ")
            ),
        };
        format!("%resource.repeat(item).where({cond})")
    }

    /// The keyed values of the answered items among `indices`.
    fn keyed(&self, indices: &[usize]) -> String {
        let items = self.inst.items();
        let ids = |rev: Option<bool>| -> Vec<&str> {
            indices
                .iter()
                .filter_map(|&i| items.get(i))
                .filter(|it| rev.is_none_or(|r| it.is_reversed() == r))
                .map(|it| it.id())
                .collect()
        };
        if coded(self.inst) {
            // The options' weights are the keyed scores already.
            let f = match self.settings.release() {
                Release::R4 => "ordinal",
                Release::R5 => "weight",
            };
            return format!("{}.answer.value.{f}()", Self::select(&ids(None)));
        }
        let scale = self.inst.scale();
        let bound = |u: i32| Decimal::from_units(i64::from(u), scale.decimals()).to_string();
        let (pos, rev) = (ids(Some(false)), ids(Some(true)));
        let pos = (!pos.is_empty()).then(|| format!("{}.answer.value", Self::select(&pos)));
        let rev = (!rev.is_empty()).then(|| {
            format!(
                "{}.answer.value.select({} + {} - $this)",
                Self::select(&rev),
                bound(scale.min_units()),
                bound(scale.max_units())
            )
        });
        match (pos, rev) {
            (Some(p), Some(r)) => format!("{p}.combine({r})"),
            (Some(p), None) => p,
            (None, Some(r)) => r,
            (None, None) => "{}".to_owned(),
        }
    }

    /// The primary metric of `values` over `n` items needing `required` answered: the mean
    /// of the answered items, or the sum prorated as the crate does (`sum x n / answered`);
    /// empty when fewer than `required` are answered.
    fn metric(&self, values: &str, n: usize, required: usize) -> String {
        match self.inst.primary_metric() {
            Metric::Mean => {
                let (sum, count) = sum_count(values);
                format!("iif({count} >= {}, {sum} / {count})", required.max(1))
            }
            _ => prorated_sum(values, n, required),
        }
    }

    /// The keyed values of subscale `si`'s answered items, its item count and how many must
    /// be answered.
    fn subscale_values(&self, si: usize) -> Option<(String, usize, usize)> {
        let s = self.inst.compiled().subscales.get(si)?;
        let indices: Vec<usize> = s.items.iter().map(|&i| i as usize).collect();
        Some((self.keyed(&indices), indices.len(), s.required))
    }

    fn subscale_expression(&self, si: usize) -> String {
        self.subscale_values(si)
            .map_or_else(|| "{}".to_owned(), |(v, n, r)| self.metric(&v, n, r))
    }

    /// The total, from the item answers alone (never from the score items, which a stored
    /// response may not hold).
    fn total_expression(&self) -> Option<String> {
        let inst = self.inst;
        let k = inst.items().len();
        match inst.total_rule() {
            TotalRule::OverItems => {
                let all: Vec<usize> = (0..k).collect();
                Some(self.metric(&self.keyed(&all), k, inst.compiled().total_required))
            }
            TotalRule::SumOfSubscales => {
                // Each subscale's prorated sum, from its items; arithmetic on an empty value
                // is empty, so one unscored subscale leaves the total unscored, as the crate
                // scores it.
                let sums = (0..inst.subscales().len())
                    .filter_map(|si| self.subscale_values(si))
                    .map(|(v, n, r)| prorated_sum(&v, n, r))
                    .collect::<Vec<_>>()
                    .join(" + ");
                Some(match inst.primary_metric() {
                    Metric::Mean => format!("({sums}) / {k}"),
                    _ => sums,
                })
            }
            _ => None,
        }
    }

    /// A read-only score item computed by `expression`.
    fn score_item(
        &self,
        sub: Option<&Subscale>,
        label: &str,
        expression: String,
        rule: String,
    ) -> QuestionnaireItem {
        let id = sub.map_or("total", Subscale::id);
        let mut q = QuestionnaireItem::new(
            &format!("{}/{id}", self.group),
            "decimal",
            Some(label.to_owned()),
        );
        q.code = vec![score_coding(self.inst, self.settings, sub)];
        q.read_only = Some(true);
        q.extension = vec![Extension::expression(
            CALCULATED_EXPRESSION,
            Expression {
                description: Some(format!(
                    "{label} {} {rule}",
                    self.inst.primary_metric().label()
                )),
                name: None,
                language: "text/fhirpath".to_owned(),
                expression: Some(expression),
                other: Extra::default(),
            },
        )];
        q
    }
}

// ---------------------------------------------------------------------------------------------
// QuestionnaireResponse
// ---------------------------------------------------------------------------------------------

impl QuestionnaireResponse {
    /// The administration as a completed `QuestionnaireResponse` to the instrument's
    /// questionnaire: one item per answered question (a coding of its option, or the decimal
    /// answered on a line, written with the scale's decimals), then the score group as a form
    /// filler would compute it; the client as `subject`, the date as `authored`, the session
    /// number and therapist in the crate's extensions. Reading it back with
    /// [`to_administration`](QuestionnaireResponse::to_administration) gives the same
    /// administration.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{QuestionnaireResponse, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::builder(&srs).client("c-017").session(4)
    ///     .answers([("1", 8.5), ("2", 9.0), ("3", 7.0), ("4", 9.0)])?.build()?;
    /// let settings = Settings::r4();
    /// let qr = QuestionnaireResponse::of(&adm, &settings);
    /// assert_eq!(qr.item[2].answer[0].value_decimal.as_ref().map(|d| d.as_str()), Some("7.0"));
    /// assert_eq!(qr.to_administration(&srs, &settings)?, adm);
    /// # Ok(())
    /// # }
    /// ```
    pub fn of(administration: &Administration, settings: &Settings) -> Self {
        let adm = administration;
        let inst = adm.instrument();
        let scale = inst.scale();
        let mut qr = Self::context(adm, settings);
        qr.item = inst
            .items()
            .iter()
            .zip(adm.units())
            .filter_map(|(item, units)| {
                let units = (*units)?;
                let mut answer = Answer::new();
                if coded(inst) {
                    answer.value_coding = Some(answer_coding(inst, settings, units));
                } else {
                    answer.value_decimal =
                        Some(Decimal::from_units(i64::from(units), scale.decimals()));
                }
                Some(ResponseItem::answered(item.id(), vec![answer]))
            })
            .collect();
        qr.item
            .extend(score_response_group(&adm.score(), &score_group(inst)));
        qr
    }

    /// The administration's scores alone as a completed `QuestionnaireResponse`: the score
    /// group of the instrument's questionnaire with each scored subscale and the total in the
    /// instrument's primary metric (an unscored one is left out), and the context as
    /// [`QuestionnaireResponse::of`] writes it.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{QuestionnaireResponse, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// let adm = Administration::from_values(&wai, &[Some(4.0); 12])?;
    /// let qr = QuestionnaireResponse::of_scores(&adm, &Settings::r4());
    /// let total = &qr.item[0].item[3];
    /// assert_eq!(total.link_id, "score/total");
    /// assert_eq!(total.answer[0].value_decimal.as_ref().map(|d| d.as_str()), Some("48"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn of_scores(administration: &Administration, settings: &Settings) -> Self {
        let inst = administration.instrument();
        let mut qr = Self::context(administration, settings);
        qr.item = score_response_group(&administration.score(), &score_group(inst))
            .into_iter()
            .collect();
        qr
    }

    /// A completed response to the instrument's questionnaire with the administration's
    /// context and no items.
    fn context(adm: &Administration, settings: &Settings) -> Self {
        let inst = adm.instrument();
        let mut extension = Vec::new();
        if let Some(n) = adm.session() {
            extension.push(Extension::unsigned(
                &settings.url("StructureDefinition/session"),
                n,
            ));
        }
        if let Some(t) = adm.therapist() {
            extension.push(Extension::string(
                &settings.url("StructureDefinition/therapist"),
                t,
            ));
        }
        QuestionnaireResponse {
            id: None,
            extension,
            questionnaire: Some(settings.canonical(inst)),
            status: "completed".to_owned(),
            subject: adm.client().map(subject),
            authored: adm.date().map(|d| d.to_string()),
            author: None,
            item: Vec::new(),
            other: Extra::default(),
        }
    }
}

/// The score group of a response: each scored subscale and the total; `None` if none is scored.
fn score_response_group(scores: &Scores, group: &str) -> Option<ResponseItem> {
    let inst = scores.instrument();
    let metric = inst.primary_metric();
    let item = |id: &str, label: &str, result: Option<&TargetScore>| {
        let value = Decimal::from_f64(result?.score()?.get(metric))?;
        let mut answer = Answer::new();
        answer.value_decimal = Some(value);
        let mut item = ResponseItem::answered(&format!("{group}/{id}"), vec![answer]);
        item.text = Some(label.to_owned());
        Some(item)
    };
    let items: Vec<ResponseItem> = scores
        .subscales()
        .filter_map(|(sub, result)| item(sub.id(), sub.label(), Some(result)))
        .chain(item("total", "Total", scores.total()))
        .collect();
    (!items.is_empty()).then(|| {
        let mut g = ResponseItem::answered(group, Vec::new());
        g.text = Some("Scores".to_owned());
        g.item = items;
        g
    })
}

// ---------------------------------------------------------------------------------------------
// Observation
// ---------------------------------------------------------------------------------------------

impl Observation {
    /// The administration's scores as a final `survey` `Observation`, for an EHR to chart:
    ///
    /// - `code`: the total's code (LOINC 44261-6 for the PHQ-9, 70274-6 for the GAD-7, else the
    ///   crate's `{base}/CodeSystem/{id}/scores` `total`); the instrument's code for an
    ///   instrument without a total;
    /// - `valueQuantity`: the total in the instrument's primary metric (sum or mean), unit
    ///   `{score}` (UCUM); or `dataAbsentReason` `unknown` with the reason in its text when the
    ///   total is not scored;
    /// - `interpretation`: the total's band (PHQ-9 and GAD-7 severity), as text;
    /// - `note`: each flag raised, in words (`total sum 12 is at or above 10: clinical range
    ///   (caseness)`), then each prorated score with the missing-item rule that allowed it
    ///   (`goals sum 13.3 is prorated: 3 of 4 items answered (rule: at least 3/4 of the items,
    ///   prorated)`), and for an instrument that defines no thresholds a note saying so
    ///   (`... defines no thresholds: no score is flagged`), so that no flag is not read as
    ///   good news. Numbers in words are rounded for reading: a sum to the response scale's
    ///   decimals (one more when prorated), a mean to the scale's decimals plus 2, a POMP score
    ///   to 1 decimal, trailing zeros dropped. The values (`valueQuantity`) stay exact;
    /// - units: every value is a `Quantity` with the UCUM annotation `{score}`;
    /// - `issued` and `derivedFrom` are not set here: [`Observation::issued_at`] sets the
    ///   instant (the crate never reads the clock) and [`Observation::derived_from_response`]
    ///   the response scored;
    /// - `component`: one per subscale, coded `{base}/CodeSystem/{id}/scores` `<subscale id>`
    ///   with its label as text, its score or why it has none, and its band. The total is the
    ///   observation's own value, not a component: FHIR rule obs-7 forbids a component with the
    ///   observation's code to repeat its value.
    /// - `subject` and `effectiveDateTime` from the client and date, as
    ///   [`QuestionnaireResponse::of`] writes them.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Observation, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let gad7 = catalog::require("gad-7")?;
    /// let adm = Administration::from_values(&gad7, &[Some(2.0), Some(1.0), Some(1.0), Some(2.0), Some(1.0), Some(1.0), Some(1.0)])?;
    /// let obs = Observation::of(&adm, &Settings::r4());
    /// assert_eq!(obs.code.coding[0].code.as_deref(), Some("70274-6"));
    /// let total = obs.value_quantity.as_ref().and_then(|q| q.value.as_ref()).map(|v| v.as_str());
    /// assert_eq!(total, Some("9"));
    /// assert_eq!(obs.interpretation[0].text.as_deref(), Some("mild"));
    /// assert_eq!(obs.note[0].text, "total sum 9 is at or above 8: clinical range (caseness)");
    /// # Ok(())
    /// # }
    /// ```
    pub fn of(administration: &Administration, settings: &Settings) -> Self {
        let adm = administration;
        let inst = adm.instrument();
        let scores = adm.score();
        let metric = inst.primary_metric();
        let value = |r: Option<&TargetScore>| -> (Option<Quantity>, Option<CodeableConcept>) {
            let Some(r) = r else {
                return (None, None);
            };
            match r.score().and_then(|s| Decimal::from_f64(s.get(metric))) {
                Some(v) => (Some(Quantity::score(v)), None),
                None => {
                    let why = r
                        .not_scored()
                        .map_or_else(|| "not scored".to_owned(), ToString::to_string);
                    (
                        None,
                        Some(CodeableConcept::coded(
                            Coding::new(DATA_ABSENT_REASON, "unknown"),
                            Some(&why),
                        )),
                    )
                }
            }
        };
        let band = |id: &str| -> Vec<CodeableConcept> {
            scores
                .band(id)
                .map(CodeableConcept::text)
                .into_iter()
                .collect()
        };
        let has_total = inst.total_rule() != TotalRule::None;
        let (code, (value_quantity, data_absent_reason), interpretation) = if has_total {
            (
                CodeableConcept::coded(
                    score_coding(inst, settings, None),
                    Some(&format!("{}: total", inst.name())),
                ),
                value(scores.total()),
                band("total"),
            )
        } else {
            (
                CodeableConcept::coded(panel_coding(inst, settings), Some(inst.name())),
                (None, None),
                Vec::new(),
            )
        };
        let component = scores
            .subscales()
            .map(|(sub, result)| {
                let (value_quantity, data_absent_reason) = value(Some(result));
                ObservationComponent {
                    code: CodeableConcept::coded(
                        score_coding(inst, settings, Some(sub)),
                        Some(sub.label()),
                    ),
                    value_quantity,
                    data_absent_reason,
                    interpretation: band(sub.id()),
                    other: Extra::default(),
                }
            })
            .collect();
        let category = CodeableConcept::coded(
            Coding::new(OBSERVATION_CATEGORY, "survey").with_display(Some("Survey")),
            None,
        );
        Observation {
            id: None,
            extension: Vec::new(),
            status: "final".to_owned(),
            category: vec![category],
            code,
            subject: adm.client().map(subject),
            effective_date_time: adm.date().map(|d| d.to_string()),
            issued: None,
            value_quantity,
            data_absent_reason,
            interpretation,
            note: notes(&scores),
            derived_from: Vec::new(),
            component,
            other: Extra::default(),
        }
    }
}

impl Observation {
    /// The same observation, `derivedFrom` the response it scores: a reference
    /// `QuestionnaireResponse/{id}` when the response has an `id`; unchanged when it has none
    /// (a response not yet stored on a server has nothing to refer to).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Observation, QuestionnaireResponse, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::from_values(&srs, &[Some(9.0); 4])?;
    /// let mut qr = QuestionnaireResponse::of(&adm, &Settings::r4());
    /// qr.id = Some("qr-17".into());
    /// let obs = Observation::of(&adm, &Settings::r4()).derived_from_response(&qr);
    /// assert_eq!(obs.derived_from[0].reference.as_deref(), Some("QuestionnaireResponse/qr-17"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn derived_from_response(mut self, response: &QuestionnaireResponse) -> Self {
        if let Some(id) = response.id.as_deref().filter(|id| !id.is_empty()) {
            let reference = format!("QuestionnaireResponse/{id}");
            if !self
                .derived_from
                .iter()
                .any(|r| r.reference.as_deref() == Some(reference.as_str()))
            {
                self.derived_from.push(Reference {
                    reference: Some(reference),
                    identifier: None,
                    display: None,
                    other: Extra::default(),
                });
            }
        }
        self
    }

    /// The same observation, `issued` at `instant`: a FHIR `instant`, a date and time to the
    /// second with a time zone (`2026-03-02T10:15:00Z`, `2026-03-02T10:15:00.250+01:00`). The
    /// caller gives the time, so the same input always gives the same observation.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir) (`instant`) when `instant` is
    /// not a valid instant (no time zone, no seconds, a date that does not exist).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, fhir::{Observation, Settings}, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::from_values(&srs, &[Some(9.0); 4])?;
    /// let obs = Observation::of(&adm, &Settings::r4()).issued_at("2026-03-02T10:15:00Z")?;
    /// assert_eq!(obs.issued.as_deref(), Some("2026-03-02T10:15:00Z"));
    /// let err = Observation::of(&adm, &Settings::r4()).issued_at("2026-03-02 10:15").unwrap_err();
    /// assert_eq!(err.code(), "invalid_fhir");
    /// # Ok(())
    /// # }
    /// ```
    pub fn issued_at(mut self, instant: &str) -> crate::Result<Self> {
        check_instant(instant)?;
        self.issued = Some(instant.to_owned());
        Ok(self)
    }
}

/// `instant` if it is a FHIR `instant`.
///
/// # Errors
/// [`ErrorKind::InvalidFhir`](crate::ErrorKind::InvalidFhir) (`instant`) otherwise.
pub(super) fn check_instant(instant: &str) -> crate::Result<()> {
    if is_instant(instant) {
        return Ok(());
    }
    Err(crate::ErrorKind::InvalidFhir {
        resource: "instant",
        reason: format!(
            "{:?} is not a FHIR instant (YYYY-MM-DDThh:mm:ss with a time zone, e.g. 2026-03-02T10:15:00Z)",
            crate::ids::escaped(instant)
        ),
    }
    .into())
}

/// Whether `text` is a FHIR `instant`: `YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm)`, with a
/// date that exists.
fn is_instant(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let two =
        |s: &str, max: u32| digits(s) && s.len() == 2 && s.parse::<u32>().is_ok_and(|v| v <= max);
    let Some((date, rest)) = text.split_once('T') else {
        return false;
    };
    if date.len() != 10 || date.parse::<crate::Date>().is_err() {
        return false;
    }
    let (time, zone) = if let Some(t) = rest.strip_suffix('Z') {
        (t, None)
    } else if rest.len() > 6 && rest.is_char_boundary(rest.len() - 6) {
        let (t, z) = rest.split_at(rest.len() - 6);
        (t, Some(z))
    } else {
        return false;
    };
    let zone_ok = zone.is_none_or(|z| {
        z.strip_prefix(['+', '-'])
            .and_then(|hm| hm.split_once(':'))
            .is_some_and(|(h, m)| two(h, 14) && two(m, 59) && (h != "14" || m == "00"))
    });
    let (hms, fraction) = match time.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (time, None),
    };
    let mut parts = hms.split(':');
    let time_ok = matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(h), Some(m), Some(sec), None) if two(h, 23) && two(m, 59) && two(sec, 60)
    ) && fraction.is_none_or(|f| digits(f) && f.len() <= 9);
    zone_ok && time_ok
}

/// How many decimals a score is shown with in words (see [`Observation::of`]).
fn shown_decimals(instrument: &Instrument, metric: Metric, prorated: bool) -> usize {
    let scale = usize::from(instrument.scale().decimals());
    match metric {
        Metric::Sum => scale + usize::from(prorated),
        Metric::Mean => scale + 2,
        Metric::Pomp => 1,
    }
}

/// `value` rounded to `decimals`, trailing zeros dropped (`2.58`, `13.3`, `4`).
fn rounded(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// The observation's notes: each flag, then each prorated score, numbers rounded for reading.
fn notes(scores: &Scores) -> Vec<Annotation> {
    let inst = scores.instrument();
    let metric = inst.primary_metric();
    let prorated = |target: &crate::Target| {
        scores
            .score(target.clone())
            .is_some_and(|s| s.is_prorated())
    };
    let flags = scores.flags().into_iter().map(|f| {
        let score = rounded(
            f.score(),
            shown_decimals(inst, f.metric(), prorated(f.target())),
        );
        // The cutoff is the definition's own number, shown as written.
        let cutoff = crate::error::Num(f.threshold());
        format!(
            "{} {} {} is {} {}: {}",
            f.target(),
            f.metric().label(),
            score,
            f.comparison().words(),
            cutoff,
            f.message()
        )
    });
    let prorated_scores = scores
        .subscales()
        .map(|(sub, r)| (sub.id().to_owned(), r))
        .chain(scores.total().map(|r| ("total".to_owned(), r)))
        .filter_map(|(id, r)| {
            let score = r.score().filter(|s| s.is_prorated())?;
            Some(format!(
                "{id} {} {} is prorated: {} of {} items answered (rule: {})",
                metric.label(),
                rounded(score.get(metric), shown_decimals(inst, metric, true)),
                score.answered(),
                score.items(),
                inst.missing()
            ))
        });
    // Without thresholds, no flag is not good news: say so, as the report does.
    let no_thresholds = crate::scoring::no_thresholds(inst);
    flags
        .chain(prorated_scores)
        .chain(no_thresholds)
        .map(|text| Annotation {
            text,
            other: Extra::default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn expression(item: &QuestionnaireItem) -> Option<&str> {
        item.extension
            .iter()
            .find(|e| e.url == CALCULATED_EXPRESSION)
            .and_then(|e| e.value_expression.as_ref())
            .and_then(|e| e.expression.as_deref())
    }

    #[test]
    fn codes_are_valid_and_one_to_one() {
        assert_eq!(fhir_code("1"), "1");
        assert_eq!(fhir_code("client form"), "client form");
        assert_eq!(fhir_code("Vertrauen"), "Vertrauen");
        assert_eq!(fhir_code("a  b"), "a%20%20b");
        assert_eq!(fhir_code("a\u{a0}b"), "a%C2%A0b");
        assert_eq!(fhir_code("a\u{3000}b"), "a%E3%80%80b");
        assert_eq!(fhir_code("50%"), "50%25");
        assert_eq!(fhir_code(" x"), "%20x");
        assert_ne!(fhir_code("a%20%20b"), fhir_code("a  b"));
    }

    #[test]
    fn names_are_computable() {
        assert_eq!(computable_name("wai-sr"), "WaiSr");
        assert_eq!(computable_name("phq-9"), "Phq9");
        assert_eq!(computable_name("5-item"), "Instrument5Item");
    }

    #[test]
    fn fhirpath_follows_the_rules() -> crate::Result<()> {
        let phq = Questionnaire::of(&catalog::require("phq-9")?, &Settings::r4());
        let total = phq.item.last().and_then(|g| g.item.last());
        assert_eq!(
            total.and_then(expression),
            Some(
                "iif(%resource.repeat(item).where(linkId in ('1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9')).answer.value.ordinal().count() = 9, \
                 %resource.repeat(item).where(linkId in ('1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9')).answer.value.ordinal().aggregate($this + $total, 0))"
            )
        );
        let wai = Questionnaire::of(&catalog::require("wai-sr")?, &Settings::r5());
        let group = wai.item.last().ok_or(crate::ErrorKind::NoItems {
            instrument: "x".into(),
        })?;
        let goals = expression(&group.item[0]).unwrap_or_default();
        assert!(goals.contains(".weight().count() >= 3"), "{goals}");
        assert!(goals.ends_with("* 4 / %resource.repeat(item).where(linkId in ('4' | '6' | '8' | '11')).answer.value.weight().count())"), "{goals}");
        // The total from the items alone: each subscale's prorated sum, added.
        let total = expression(&group.item[3]).unwrap_or_default();
        assert!(!total.contains("score/"), "{total}");
        let goals_sum = "iif(%resource.repeat(item).where(linkId in ('4' | '6' | '8' | '11')).answer.value.weight().count() >= 3, \
             %resource.repeat(item).where(linkId in ('4' | '6' | '8' | '11')).answer.value.weight().aggregate($this + $total, 0) * 4 / \
             %resource.repeat(item).where(linkId in ('4' | '6' | '8' | '11')).answer.value.weight().count())";
        assert!(total.starts_with(&format!("{goals_sum} + iif(")), "{total}");
        assert_eq!(total.matches(" + iif(").count(), 2, "{total}");
        let arm = Questionnaire::of(&catalog::require("arm-5")?, &Settings::r4());
        let total = arm
            .item
            .last()
            .and_then(|g| g.item.last())
            .and_then(expression)
            .unwrap_or_default();
        assert!(!total.contains("score/"), "{total}");
        assert!(total.starts_with("(iif("), "{total}");
        assert!(total.ends_with(") / 5"), "{total}");
        let srs = Questionnaire::of(&catalog::require("srs")?, &Settings::r4());
        let bond = srs
            .item
            .last()
            .map(|g| &g.item[2])
            .and_then(expression)
            .unwrap_or_default();
        assert_eq!(
            bond,
            "iif(%resource.repeat(item).where(linkId = '1').answer.value.count() = 1, \
             %resource.repeat(item).where(linkId = '1').answer.value.aggregate($this + $total, 0))"
        );
        assert_eq!(quote(r"it's \ here"), r"'it\'s \\ here'");
        Ok(())
    }

    #[test]
    fn reversed_lines_are_reversed_in_fhirpath() -> crate::Result<()> {
        let scale = crate::ResponseScale::visual_analogue(0.0, 10.0, 1)?;
        let inst = Instrument::builder("lines", "Lines", scale)
            .items([crate::Item::new("a"), crate::Item::new("b").reversed()])
            .total(TotalRule::OverItems)
            .build()?;
        let q = Questionnaire::of(&inst, &Settings::r4());
        let total = q
            .item
            .last()
            .and_then(|g| g.item.last())
            .and_then(expression)
            .unwrap_or_default();
        assert!(total.contains(".answer.value.combine(%resource.repeat(item).where(linkId = 'b').answer.value.select(0.0 + 10.0 - $this))"), "{total}");
        Ok(())
    }
}
