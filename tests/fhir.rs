//! The `fhir` module: every catalog instrument as a Questionnaire (R4 and R5), responses read
//! into administrations (hand-written ones, HL7's SDC PHQ-9 example, random ones), every error
//! case (`alliance fhir` is tested in cli/tests/cli_fhir.rs).
#![cfg(feature = "fhir")]

use proptest::prelude::*;
use serde_json::Value;
use therapeutic_alliance::fhir::{
    Mapping, Observation, Questionnaire, QuestionnaireItem, QuestionnaireResponse, Release,
    Settings,
};
use therapeutic_alliance::{
    Administration, Date, Instrument, Registry, ResponseScale, ScaleKind, TotalRule, catalog,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const ORDINAL_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
const CALCULATED: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
const LOINC: &str = "http://loinc.org";

fn data(name: &str) -> Result<String, std::io::Error> {
    std::fs::read_to_string(
        [env!("CARGO_MANIFEST_DIR"), "tests", "data", name]
            .iter()
            .collect::<std::path::PathBuf>(),
    )
}

fn settings() -> [Settings; 2] {
    [Settings::r4(), Settings::r5()]
}

/// Writes, reads back and writes again: the same value, the same text, the same JSON.
fn round_trip<T>(value: &T) -> TestResult
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value)?;
    let back: T = serde_json::from_str(&text)?;
    assert_eq!(&back, value);
    assert_eq!(serde_json::to_string(&back)?, text);
    let pretty = serde_json::to_string_pretty(value)?;
    let from_pretty: T = serde_json::from_str(&pretty)?;
    assert_eq!(&from_pretty, value);
    Ok(())
}

/// Reading `text` and writing it back gives the same JSON, and every decimal keeps its text.
fn survives<T>(text: &str) -> TestResult
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let read: T = serde_json::from_str(text)?;
    let written = serde_json::to_string(&read)?;
    assert_eq!(
        serde_json::from_str::<Value>(text)?,
        serde_json::from_str::<Value>(&written)?
    );
    for number in numbers(text) {
        assert!(written.contains(&number), "{number} lost from {written}");
    }
    round_trip(&read)
}

/// The numbers written with a decimal point or exponent in a JSON text.
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut current = String::new();
    for c in text.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+') {
            current.push(c);
        } else {
            if current.contains(['.', 'e', 'E']) {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
            in_string = c == '"';
        }
    }
    out
}

fn weight(option: &therapeutic_alliance::fhir::AnswerOption, url: &str) -> Option<f64> {
    option
        .extension
        .iter()
        .find(|e| e.url == url)
        .and_then(|e| e.value_decimal.as_ref())
        .map(|d| d.to_f64())
}

fn score_group(q: &Questionnaire) -> Option<&QuestionnaireItem> {
    q.item.iter().find(|i| i.item_type == "group")
}

#[test]
fn every_instrument_exports_a_questionnaire_in_r4_and_r5() -> TestResult {
    for inst in catalog::all() {
        for s in settings() {
            let q = Questionnaire::of(inst, &s);
            round_trip(&q)?;
            assert_eq!(
                q.url.as_deref(),
                Some(format!("{}/Questionnaire/{}", Settings::DEFAULT_BASE, inst.id()).as_str())
            );
            assert_eq!(q.version.as_deref(), Some(inst.version()));
            assert_eq!(q.identifier[0].value.as_deref(), Some(inst.digest()));
            assert_eq!(q.status, "active");
            let scale = inst.scale();
            let questions: Vec<&QuestionnaireItem> =
                q.item.iter().filter(|i| i.item_type != "group").collect();
            assert_eq!(questions.len(), inst.items().len(), "{}", inst.id());
            for (item, qi) in inst.items().iter().zip(&questions) {
                assert_eq!(qi.link_id, item.id());
                assert_eq!(qi.code.len(), 1);
                let text = item
                    .text()
                    .map_or_else(|| format!("Item {}", item.id()), str::to_owned);
                assert_eq!(qi.text.as_deref(), Some(text.as_str()));
                match scale.kind() {
                    ScaleKind::Likert => {
                        let (kind, url) = match s.release() {
                            Release::R4 => ("choice", ORDINAL_VALUE),
                            _ => ("coding", ITEM_WEIGHT),
                        };
                        assert_eq!(qi.item_type, kind);
                        assert_eq!(
                            qi.answer_constraint.as_deref(),
                            (s.release() == Release::R5).then_some("optionsOnly")
                        );
                        // One option per scale point, weighted by the keyed score.
                        let points: Vec<f64> = (scale.min() as i32..=scale.max() as i32)
                            .map(f64::from)
                            .collect();
                        assert_eq!(qi.answer_option.len(), points.len(), "{}", inst.id());
                        for (option, &point) in qi.answer_option.iter().zip(&points) {
                            let keyed = if item.is_reversed() {
                                scale.min() + scale.max() - point
                            } else {
                                point
                            };
                            assert_eq!(
                                weight(option, url),
                                Some(keyed),
                                "{} {}",
                                inst.id(),
                                item.id()
                            );
                            assert_eq!(option.extension.len(), 1);
                            let coding = option.value_coding.as_ref().ok_or("a coding")?;
                            assert!(coding.code.is_some() && coding.system.is_some());
                            if let Some(label) = scale.label(point as i32) {
                                assert_eq!(coding.display.as_deref(), Some(label));
                            }
                        }
                    }
                    _ => {
                        assert_eq!(qi.item_type, "decimal");
                        assert!(qi.answer_option.is_empty());
                        let ext = |url: &str| {
                            qi.extension.iter().find(|e| e.url.ends_with(url)).map(|e| {
                                (
                                    e.value_decimal.as_ref().map(|d| d.to_string()),
                                    e.value_integer,
                                )
                            })
                        };
                        assert_eq!(ext("/minValue"), Some((Some("0.0".into()), None)));
                        assert_eq!(ext("/maxValue"), Some((Some("10.0".into()), None)));
                        assert_eq!(ext("/maxDecimalPlaces"), Some((None, Some(1))));
                    }
                }
            }
            // The scores: one read-only decimal item per subscale and the total, computed.
            let group = score_group(&q).ok_or("a score group")?;
            assert_eq!(group.link_id, "score");
            let has_total = usize::from(inst.total_rule() != TotalRule::None);
            assert_eq!(group.item.len(), inst.subscales().len() + has_total);
            for (sub, si) in inst.subscales().iter().zip(&group.item) {
                assert_eq!(si.link_id, format!("score/{}", sub.id()));
                assert_eq!(si.text.as_deref(), Some(sub.label()));
            }
            for si in &group.item {
                assert_eq!(
                    (si.item_type.as_str(), si.read_only),
                    ("decimal", Some(true))
                );
                let expr = si
                    .extension
                    .iter()
                    .find(|e| e.url == CALCULATED)
                    .and_then(|e| e.value_expression.as_ref())
                    .ok_or("a calculatedExpression")?;
                assert_eq!(expr.language, "text/fhirpath");
                let text = expr.expression.as_deref().unwrap_or_default();
                assert!(text.contains("%resource.repeat(item)"), "{text}");
                if scale.kind() == ScaleKind::Likert && !si.link_id.ends_with("/total") {
                    let f = if s.release() == Release::R4 {
                        ".ordinal()"
                    } else {
                        ".weight()"
                    };
                    assert!(text.contains(f), "{text}");
                }
            }
        }
    }
    Ok(())
}

#[test]
fn loinc_codes_are_those_of_hl7_examples() -> TestResult {
    // From /work/shared/INSTRUMENTS.md (HL7 implementation-guide examples).
    let answers = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];
    let cases = [
        (
            "phq-9",
            "44249-1",
            "44261-6",
            &[
                "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
                "44253-3", "44260-8",
            ][..],
        ),
        (
            "gad-7",
            "69737-5",
            "70274-6",
            &[
                "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
            ][..],
        ),
    ];
    for (id, panel, total, items) in cases {
        for s in settings() {
            let q = Questionnaire::of(&catalog::require(id)?, &s);
            let code = |c: &therapeutic_alliance::fhir::Coding| {
                (
                    c.system.clone().unwrap_or_default(),
                    c.code.clone().unwrap_or_default(),
                )
            };
            assert_eq!(code(&q.code[0]), (LOINC.into(), panel.into()));
            let questions: Vec<_> = q.item.iter().filter(|i| i.item_type != "group").collect();
            assert_eq!(questions.len(), items.len());
            for (qi, &item_code) in questions.iter().zip(items) {
                assert_eq!(code(&qi.code[0]), (LOINC.into(), item_code.into()));
                let options: Vec<_> = qi
                    .answer_option
                    .iter()
                    .filter_map(|o| o.value_coding.as_ref().map(code))
                    .collect();
                let expected: Vec<_> = answers
                    .iter()
                    .map(|a| (LOINC.to_owned(), (*a).to_owned()))
                    .collect();
                assert_eq!(options, expected);
            }
            let group = score_group(&q).ok_or("scores")?;
            let total_item = group.item.last().ok_or("a total")?;
            assert_eq!(code(&total_item.code[0]), (LOINC.into(), total.into()));
        }
    }
    // Without LOINC codes: the crate's own code systems under the base.
    let s = Settings::r4().with_base("https://clinic.example/fhir")?;
    let q = Questionnaire::of(&catalog::require("wai-sr")?, &s);
    let coding = &q.item[0].answer_option[4]
        .value_coding
        .as_ref()
        .ok_or("coding")?;
    assert_eq!(
        (
            coding.system.as_deref(),
            coding.code.as_deref(),
            coding.display.as_deref()
        ),
        (
            Some("https://clinic.example/fhir/CodeSystem/wai-sr/answers"),
            Some("5"),
            Some("Always")
        )
    );
    assert_eq!(
        q.code[0].system.as_deref(),
        Some("https://clinic.example/fhir/CodeSystem/instruments")
    );
    assert_eq!(
        q.item[0].code[0].system.as_deref(),
        Some("https://clinic.example/fhir/CodeSystem/wai-sr/items")
    );
    Ok(())
}

#[test]
fn a_phq9_response_with_loinc_codes_reads_and_scores() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let text = data("fhir/phq9_loinc_response.json")?;
    survives::<QuestionnaireResponse>(&text)?;
    let qr = QuestionnaireResponse::from_json(&text)?;
    let adm = qr.to_administration(&phq9, &Settings::r4())?;
    let values: Vec<Option<f64>> = adm.values().collect();
    let expected = [2.0, 1.0, 3.0, 2.0, 0.0, 1.0, 2.0, 1.0, 0.0].map(Some);
    assert_eq!(values, expected);
    assert_eq!(adm.client(), Some("Patient/c-017"));
    assert_eq!(adm.date(), Some(Date::new(2026, 3, 2)?));
    assert_eq!(adm.session(), Some(4));
    let scores = adm.score();
    assert_eq!(
        (scores.primary("total"), scores.band("total")),
        (Some(12.0), Some("moderate"))
    );
    // The registry finds the instrument from the questionnaire canonical.
    let registry = Registry::with_catalog();
    assert_eq!(qr.instrument_in(&registry, &Settings::r4())?, &phq9);

    let obs = Observation::of(&adm, &Settings::r4());
    round_trip(&obs)?;
    let json: Value = serde_json::to_value(&obs)?;
    assert_eq!(json["code"]["coding"][0]["code"], "44261-6");
    assert_eq!(json["valueQuantity"]["value"], 12);
    assert_eq!(json["valueQuantity"]["code"], "{score}");
    assert_eq!(json["subject"]["reference"], "Patient/c-017");
    assert_eq!(json["effectiveDateTime"], "2026-03-02");
    assert_eq!(json["interpretation"][0]["text"], "moderate");
    assert_eq!(
        json["note"][0]["text"],
        "total sum 12 is at or above 10: clinical range (caseness)"
    );
    assert_eq!(json["category"][0]["coding"][0]["code"], "survey");
    assert!(
        json.get("component").is_none(),
        "the PHQ-9 has no subscales"
    );
    Ok(())
}

#[test]
fn an_srs_response_with_decimals_reads_and_scores() -> TestResult {
    let srs = catalog::require("srs")?;
    let text = data("fhir/srs_response.json")?;
    survives::<QuestionnaireResponse>(&text)?;
    let written = serde_json::to_string(&QuestionnaireResponse::from_json(&text)?)?;
    assert!(written.contains("7.30") && written.contains("85e-1") && written.contains("84.50"));
    let adm = QuestionnaireResponse::from_json(&text)?.to_administration(&srs, &Settings::r5())?;
    let values: Vec<Option<f64>> = adm.values().collect();
    assert_eq!(values, [Some(7.3), Some(9.0), Some(8.5), Some(9.0)]);
    assert_eq!(
        (adm.client(), adm.therapist(), adm.session(), adm.date()),
        (
            Some("c-017"),
            Some("t-02"),
            Some(5),
            Some(Date::new(2026, 3, 9)?)
        )
    );
    let scores = adm.score();
    assert_eq!(scores.primary("total"), Some(33.8));
    assert_eq!(scores.flags().len(), 1, "33.8 is at or below 36");

    let obs = Observation::of(&adm, &Settings::r5());
    let json: Value = serde_json::to_value(&obs)?;
    assert_eq!(
        json["code"]["coding"][0]["system"],
        "https://therapeutic-alliance.example/fhir/CodeSystem/srs/scores"
    );
    assert_eq!(json["code"]["coding"][0]["code"], "total");
    assert_eq!(json["valueQuantity"]["value"], 33.8);
    let components = json["component"].as_array().ok_or("components")?;
    let labels: Vec<&str> = components
        .iter()
        .filter_map(|c| c["code"]["text"].as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Goals and topics",
            "Approach or method",
            "Relationship",
            "Overall"
        ]
    );
    assert_eq!(components[2]["valueQuantity"]["value"], 7.3);
    assert_eq!(components[2]["code"]["coding"][0]["code"], "bond");
    assert_eq!(json["subject"]["identifier"]["value"], "c-017");
    assert_eq!(
        json["note"][0]["text"],
        "total sum 33.8 is at or below 36: discuss the relationship"
    );
    Ok(())
}

/// HL7's own PHQ-9 example (the SDC implementation guide): a response to the SDC example
/// questionnaire, with its own linkIds and system-less codes, read through a mapping.
#[test]
fn hl7s_sdc_phq9_example_reads_through_a_mapping() -> TestResult {
    let text = data("fhir/sdc_phq9_response.json")?;
    survives::<QuestionnaireResponse>(&text)?;
    let qr = QuestionnaireResponse::from_json(&text)?;
    let phq9 = catalog::require("phq-9")?;
    // Without a mapping, its questionnaire is not the PHQ-9's.
    let err = qr.to_administration(&phq9, &Settings::r4()).unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        ("questionnaire_mismatch", Some("/questionnaire"))
    );
    // The codes and their ordinal values are those of the SDC example questionnaire's ValueSet.
    let mapping = Mapping::new()
        .questionnaire(
            "http://hl7.org/fhir/uv/sdc/Questionnaire/questionnaire-sdc-profile-example-PHQ9",
        )
        .link_ids((1..=9).map(|n| (format!("H1/T1/Q{n}"), n.to_string())))
        .answer(None, "Not-at-all", 0.0)
        .answer(None, "Several-days", 1.0)
        .answer(None, "More than half the days", 2.0)
        .answer(None, "Nearly every day", 3.0);
    // Its total score item is a valueQuantity, which is not an answer the crate reads.
    let err = qr
        .to_administration_with(&phq9, &Settings::r4(), &mapping)
        .unwrap_err();
    assert_eq!((err.code(), err.item()), ("unknown_link_id", Some("H1/TS")));
    let adm = qr.to_administration_with(&phq9, &Settings::r4(), &mapping.ignore("H1/TS"))?;
    let values: Vec<Option<f64>> = adm.values().collect();
    assert_eq!(
        values,
        [0.0, 0.0, 0.0, 1.0, 2.0, 1.0, 3.0, 2.0, 1.0].map(Some)
    );
    assert_eq!(adm.client(), Some("http://hl7.org/fhir/Patient/proband"));
    assert_eq!(adm.date(), Some(Date::new(2019, 8, 21)?));
    // The example states a total of 13; its answers add up to 10.
    assert_eq!(adm.score().primary("total"), Some(10.0));
    Ok(())
}

#[test]
fn unknown_elements_survive() -> TestResult {
    let q = r#"{"resourceType": "Questionnaire", "id": "q1", "meta": {"profile": ["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|3.0.0"]},
      "contained": [{"resourceType": "ValueSet", "id": "vs", "status": "active", "weight": 0.50}],
      "url": "https://x.example/q", "status": "draft", "_status": {"extension": [{"url": "https://x.example/why", "valueString": "pilot"}]},
      "experimental": true, "date": "2026-01-01", "effectivePeriod": {"start": "2026-01-01"},
      "item": [{"linkId": "g", "type": "group", "text": "Group", "enableBehavior": "all", "item": [
        {"linkId": "1", "type": "choice", "repeats": false, "maxLength": 3, "definition": "https://x.example/d#1",
         "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl",
                        "valueCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "radio-button"}]}}],
         "answerOption": [{"valueCoding": {"code": "a", "userSelected": true}, "initialSelected": true,
                           "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1.0}]},
                          {"valueString": "other"}]},
        {"linkId": "2", "type": "decimal", "initial": [{"valueDecimal": 2.50}],
         "extension": [{"url": "https://x.example/c", "extension": [{"url": "a", "valueQuantity": {"value": 1.20, "unit": "cm"}}]}]}]}]}"#;
    survives::<Questionnaire>(q)?;
    let qr = r#"{"resourceType": "QuestionnaireResponse", "language": "en", "status": "completed",
      "basedOn": [{"reference": "ServiceRequest/1"}], "source": {"reference": "Patient/1"},
      "item": [{"linkId": "1", "definition": "https://x.example/d#1", "answer": [{"valueCoding": {"code": "a", "version": "2"}, "id": "a1"}]},
               {"linkId": "2", "answer": [{"valueDecimal": 2.50, "_valueDecimal": {"id": "x"}}]},
               {"linkId": "3", "answer": [{"valueAttachment": {"contentType": "image/png", "size": 1000}}]}]}"#;
    survives::<QuestionnaireResponse>(qr)?;
    let obs = r#"{"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "issued": "2026-01-01T00:00:00Z",
      "referenceRange": [{"low": {"value": 0.0}}], "valueQuantity": {"value": 1.50, "comparator": "<"},
      "component": [{"code": {"text": "y"}, "valueQuantity": {"value": 2.000}, "referenceRange": [{"text": "z"}]}]}"#;
    survives::<Observation>(obs)?;
    // Through the crate's own resources too: an element added by a server stays.
    let mut written: Value = serde_json::to_value(Questionnaire::of(
        &catalog::require("ors")?,
        &Settings::r5(),
    ))?;
    written["meta"] = serde_json::json!({"versionId": "9", "lastUpdated": "2026-01-01T00:00:00Z"});
    written["item"][0]["enableWhen"] =
        serde_json::json!([{"question": "2", "operator": "exists", "answerBoolean": true}]);
    let text = serde_json::to_string(&written)?;
    survives::<Questionnaire>(&text)?;
    Ok(())
}

/// Every way a response can fail: a typed error naming the linkId, located by a JSON Pointer.
#[test]
fn bad_responses_are_typed_errors_naming_the_link_id() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let srs = catalog::require("srs")?;
    let s = Settings::r4();
    let full = |linkid_5: &str| -> String {
        let items: Vec<String> = (1..=9)
            .map(|n| {
                if n == 5 {
                    linkid_5.to_owned()
                } else {
                    format!(r#"{{"linkId": "{n}", "answer": [{{"valueCoding": {{"system": "http://loinc.org", "code": "LA6569-3"}}}}]}}"#)
                }
            })
            .filter(|i| !i.is_empty())
            .collect();
        format!(
            r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{}]}}"#,
            items.join(",")
        )
    };
    let read = |inst: &Instrument, json: &str| {
        QuestionnaireResponse::from_json(json).and_then(|qr| qr.to_administration(inst, &s))
    };
    let srs_full = r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [
        {"linkId": "1", "answer": [{"valueDecimal": 7}]}, {"linkId": "2", "answer": [{"valueDecimal": 7}]},
        {"linkId": "3", "answer": [{"valueDecimal": 7}]}, {"linkId": "4", "answer": [{"valueDecimal": 7}]}]}"#;
    assert_eq!(read(&srs, srs_full)?.score().primary("total"), Some(28.0));
    // Sanity: the template reads.
    assert_eq!(
        read(
            &phq9,
            &full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#)
        )?
        .score()
        .primary("total"),
        Some(10.0)
    );
    // (instrument, JSON, code, linkId, path, message)
    type Case<'a> = (
        &'a Instrument,
        String,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#).replace("completed", "in-progress"),
            "response_status",
            None,
            Some("/status"),
            "questionnaire response status \"in-progress\": only completed or amended responses are read",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#).replace(
                r#""status""#,
                r#""questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/gad-7|1", "status""#,
            ),
            "questionnaire_mismatch",
            None,
            Some("/questionnaire"),
            "the response answers questionnaire \"https://therapeutic-alliance.example/fhir/Questionnaire/gad-7|1\", not \"https://therapeutic-alliance.example/fhir/Questionnaire/phq-9|1\"",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#).replace(
                r#""status""#,
                r#""questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/phq-9|2", "status""#,
            ),
            "questionnaire_mismatch",
            None,
            Some("/questionnaire"),
            "the response answers questionnaire \"https://therapeutic-alliance.example/fhir/Questionnaire/phq-9|2\", not \"https://therapeutic-alliance.example/fhir/Questionnaire/phq-9|1\"",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2, "item": [{"linkId": "5a", "answer": [{"valueInteger": 1}]}]}]}"#),
            "unknown_link_id",
            Some("5a"),
            Some("/item/4/answer/0/item/0"),
            "linkId \"5a\": instrument phq-9 has no item with this linkId",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6752-5"}}]}"#),
            "unknown_answer_code",
            Some("5"),
            Some("/item/4/answer/0/valueCoding"),
            "linkId \"5\": answer code \"LA6752-5\" of system \"http://loinc.org\" is not an option of the item",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueCoding": {"system": "https://other.example", "code": "LA6569-3"}}]}"#),
            "unknown_answer_code",
            Some("5"),
            Some("/item/4/answer/0/valueCoding"),
            "linkId \"5\": answer code \"LA6569-3\" of system \"https://other.example\" is not an option of the item",
        ),
        (
            &phq9,
            full(""),
            "missing_answer",
            Some("5"),
            Some("/item"),
            "linkId \"5\": the item is required but has no answer",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5"}"#),
            "missing_answer",
            Some("5"),
            Some("/item"),
            "linkId \"5\": the item is required but has no answer",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}, {"valueInteger": 1}]}"#),
            "invalid_answer",
            Some("5"),
            Some("/item/4/answer/1"),
            "linkId \"5\": 2 answers to an item that takes one",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueString": "2"}]}"#),
            "invalid_answer",
            Some("5"),
            Some("/item/4/answer/0"),
            "linkId \"5\": a valueString answer is not read (answer with valueCoding, valueInteger or valueDecimal)",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"id": "empty"}]}"#),
            "invalid_answer",
            Some("5"),
            Some("/item/4/answer/0"),
            "linkId \"5\": the answer has no value",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 4}]}"#),
            "out_of_range",
            Some("5"),
            Some("/item/4/answer/0"),
            "item 5: value 4 is outside the response range 0 to 3",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}, {"linkId": "5", "answer": [{"valueInteger": 2}]}"#),
            "duplicate_answer",
            Some("5"),
            Some("/item/5/answer/0"),
            "item 5 is answered more than once",
        ),
        (
            &phq9,
            full(r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#).replace(r#""status""#, r#""authored": "02/03/2026", "status""#),
            "invalid_date",
            None,
            Some("/authored"),
            "invalid date \"02/03/2026\": expected an existing calendar date written YYYY-MM-DD",
        ),
        (
            &srs,
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "2", "answer": [{"valueDecimal": 7.25}]}]}"#.to_owned(),
            "off_step",
            Some("2"),
            Some("/item/0/answer/0"),
            "item 2: value 7.25 is not a point of the response scale (step 0.1)",
        ),
        (
            &srs,
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "2", "answer": [{"valueDecimal": 10.10}]}]}"#.to_owned(),
            "out_of_range",
            Some("2"),
            Some("/item/0/answer/0"),
            "item 2: value 10.10 is outside the response range 0 to 10",
        ),
        (
            &srs,
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "2", "answer": [{"valueDecimal": 1e400}]}]}"#.to_owned(),
            "not_finite",
            Some("2"),
            Some("/item/0/answer/0"),
            "item 2: value 1e400 is not a finite number",
        ),
        (
            &srs,
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "2", "answer": [{"valueCoding": {"code": "9"}}]}]}"#.to_owned(),
            "unknown_answer_code",
            Some("2"),
            Some("/item/0/answer/0/valueCoding"),
            "linkId \"2\": answer code \"9\" is not an option of the item",
        ),
        (
            &srs,
            srs_full.replace(r#""status""#, r#""subject": {"reference": "Patient/\u202e1"}, "status""#),
            "invalid_text",
            None,
            Some("/subject/reference"),
            "invalid client id: it contains the bidirectional control U+202E at character 9",
        ),
        (
            &srs,
            srs_full.replace(r#""status""#, r#""extension": [{"url": "https://therapeutic-alliance.example/fhir/StructureDefinition/session", "valueString": "4"}], "status""#),
            "invalid_fhir",
            None,
            Some("/extension/0"),
            "invalid FHIR QuestionnaireResponse: extension \"https://therapeutic-alliance.example/fhir/StructureDefinition/session\" needs a valueUnsignedInt",
        ),
    ];
    for (inst, json, code, item, path, message) in cases {
        let err = read(inst, &json).unwrap_err();
        assert_eq!(
            (err.code(), err.item(), err.path(), err.to_string().as_str()),
            (code, item, path, message),
            "{json}"
        );
        // Errors serialize for a service to return.
        let e: Value = serde_json::to_value(&err)?;
        assert_eq!(e["code"], code);
    }
    // Not a response at all: a typed error with serde_json's location.
    for json in [
        "",
        "{",
        "[]",
        r#"{"resourceType": "Observation"}"#,
        r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": 5}]}"#,
    ] {
        let err = QuestionnaireResponse::from_json(json).unwrap_err();
        assert_eq!(err.code(), "invalid_fhir", "{json}");
        assert!(
            err.to_string()
                .starts_with("invalid FHIR QuestionnaireResponse: ")
        );
    }
    // A mapping to an item the instrument does not have.
    let qr = QuestionnaireResponse::from_json(
        r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "a", "answer": [{"valueDecimal": 7}]}]}"#,
    )?;
    let err = qr
        .to_administration_with(&srs, &s, &Mapping::new().link_id("a", "5"))
        .unwrap_err();
    assert_eq!((err.code(), err.item()), ("unknown_link_id", Some("a")));
    // The registry: no questionnaire, one outside the base, an unknown instrument.
    let registry = Registry::with_catalog();
    assert_eq!(
        qr.instrument_in(&registry, &s).unwrap_err().code(),
        "questionnaire_mismatch"
    );
    let other = QuestionnaireResponse::from_json(
        r#"{"resourceType": "QuestionnaireResponse", "status": "completed", "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/haq-ii"}"#,
    )?;
    assert_eq!(
        other.instrument_in(&registry, &s).unwrap_err().code(),
        "unknown_instrument"
    );
    Ok(())
}

#[test]
fn scores_as_a_questionnaire_response() -> TestResult {
    let wai = catalog::require("wai-sr")?;
    let mut row = [Some(4.0); 12];
    (row[3], row[0]) = (None, Some(5.0)); // a goals item missing: prorated
    let adm = Administration::builder(&wai)
        .client("c-017")
        .answers(
            wai.items()
                .iter()
                .zip(row)
                .filter_map(|(i, v)| Some((i.id(), v?))),
        )?
        .build()?;
    let qr = QuestionnaireResponse::of_scores(&adm, &Settings::r4());
    round_trip(&qr)?;
    let group = &qr.item[0];
    let scores = adm.score();
    let got: Vec<(String, f64)> = group
        .item
        .iter()
        .map(|i| {
            (
                i.link_id.clone(),
                i.answer[0]
                    .value_decimal
                    .as_ref()
                    .map_or(f64::NAN, |d| d.to_f64()),
            )
        })
        .collect();
    let expected: Vec<(String, f64)> = ["goals", "collaboration", "bond", "total"]
        .iter()
        .map(|t| (format!("score/{t}"), scores.primary(*t).unwrap_or(f64::NAN)))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got[0].1, 16.0);
    // The full response carries the answers and the scores, and reads back without the scores.
    let full = QuestionnaireResponse::of(&adm, &Settings::r4());
    assert_eq!(full.item.len(), 12);
    assert_eq!(full.to_administration(&wai, &Settings::r4())?, adm);
    // An instrument without a total: the observation is coded by the instrument.
    let bare = wai
        .to_builder()
        .version("no total")
        .total(TotalRule::None)
        .build()?;
    let obs = Observation::of(
        &Administration::from_values(&bare, &[Some(3.0); 12])?,
        &Settings::r4(),
    );
    assert_eq!(obs.code.coding[0].code.as_deref(), Some("wai-sr"));
    assert!(obs.value_quantity.is_none() && obs.data_absent_reason.is_none());
    assert_eq!(obs.component.len(), 3);
    // An unscored total and subscale: a data-absent reason saying why.
    let few = Administration::builder(&wai)
        .answers([("1", 4), ("2", 4)])?
        .build()?;
    let obs: Value = serde_json::to_value(Observation::of(&few, &Settings::r4()))?;
    assert_eq!(obs["dataAbsentReason"]["coding"][0]["code"], "unknown");
    assert_eq!(
        obs["dataAbsentReason"]["text"],
        "subscale goals is not scored"
    );
    assert_eq!(
        obs["component"][0]["dataAbsentReason"]["text"],
        "0 of 4 items answered; the missing-item rule needs 3"
    );
    Ok(())
}

#[test]
fn instruments_with_odd_ids_and_scales() -> TestResult {
    // Item ids that need quoting in FHIRPath, a negative Likert scale, a reversed line.
    let scale = ResponseScale::likert(-2, 2, [(-2, "Strongly disagree"), (2, "Strongly agree")])?;
    let inst = Instrument::builder("odd-one", "Odd one", scale)
        .items([
            therapeutic_alliance::Item::new("it's"),
            therapeutic_alliance::Item::new("a\\b").reversed(),
            therapeutic_alliance::Item::new("score"),
        ])
        .total(TotalRule::OverItems)
        .build()?;
    for s in settings() {
        let q = Questionnaire::of(&inst, &s);
        round_trip(&q)?;
        assert_eq!(score_group(&q).map(|g| g.link_id.as_str()), Some("score-"));
        let adm = Administration::builder(&inst)
            .answers([("it's", -2), ("a\\b", 2), ("score", 0)])?
            .build()?;
        let qr = QuestionnaireResponse::of(&adm, &s);
        assert_eq!(
            QuestionnaireResponse::from_json(&serde_json::to_string(&qr)?)?
                .to_administration(&inst, &s)?,
            adm
        );
        let weights: Vec<Option<f64>> = q.item[1]
            .answer_option
            .iter()
            .map(|o| o.extension[0].value_decimal.as_ref().map(|d| d.to_f64()))
            .collect();
        assert_eq!(weights, [2.0, 1.0, 0.0, -1.0, -2.0].map(Some));
    }
    Ok(())
}

/// One random administration of a catalog instrument: answers on the scale (some items
/// unanswered), and optional client, therapist, session and date.
fn administration() -> impl Strategy<Value = Administration> {
    let n = catalog::all().len();
    (
        0..n,
        proptest::collection::vec((any::<bool>(), any::<u16>()), 36),
        proptest::option::of(prop_oneof![
            Just("c-017".to_owned()),
            Just("Patient/9".to_owned()),
            "[a-z0-9]{1,8}"
        ]),
        proptest::option::of("[A-Za-z]{1,6}"),
        proptest::option::of(0u32..60),
        proptest::option::of((1u16..=9999, 1u8..=12, 1u8..=28)),
    )
        .prop_map(|(i, answers, client, therapist, session, date)| {
            let inst = &catalog::all()[i];
            let scale = inst.scale();
            let step = scale.step();
            let points = ((scale.max() - scale.min()) / step).round() as u16 + 1;
            let values: Vec<Option<f64>> = answers
                .iter()
                .take(inst.items().len())
                .map(|&(skip, k)| {
                    (!skip || k % 5 == 0).then(|| {
                        let v = scale.min() + f64::from(k % points) * step;
                        (v * 1000.0).round() / 1000.0
                    })
                })
                .collect();
            let mut b = Administration::builder(inst);
            for (item, v) in inst.items().iter().zip(values) {
                if let Some(v) = v {
                    b = b.answer(item.id(), v).expect("a point of the scale");
                }
            }
            if let Some(c) = client {
                b = b.client(c);
            }
            if let Some(t) = therapist {
                b = b.therapist(t);
            }
            if let Some(s) = session {
                b = b.session(s);
            }
            if let Some((y, m, d)) = date {
                b = b.date(Date::new(y, m, d).expect("a day that exists"));
            }
            b.build().expect("valid ids")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Administration -> FHIR QuestionnaireResponse (JSON) -> administration: the same one,
    /// in either release, with the scores the response carries equal to the crate's.
    #[test]
    fn responses_round_trip_through_fhir(adm in administration(), r5 in any::<bool>()) {
        let s = if r5 { Settings::r5() } else { Settings::r4() };
        let inst = adm.instrument();
        let qr = QuestionnaireResponse::of(&adm, &s);
        let json = serde_json::to_string(&qr).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read = QuestionnaireResponse::from_json(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &qr);
        let lenient = Mapping::new().require_answers(false);
        let back = read.to_administration_with(inst, &s, &lenient).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &adm);
        // Strict reading needs every required item answered.
        let required: Vec<bool> = Questionnaire::of(inst, &s)
            .item
            .iter()
            .filter(|i| i.item_type != "group")
            .map(|i| i.required == Some(true))
            .collect();
        let complete = adm.values().zip(&required).all(|(v, &r)| v.is_some() || !r);
        match read.to_administration(inst, &s) {
            Ok(strict) => {
                prop_assert!(complete);
                prop_assert_eq!(&strict, &adm);
            }
            Err(e) => {
                prop_assert!(!complete);
                prop_assert_eq!(e.code(), "missing_answer");
            }
        }
        // The score items hold the crate's scores.
        let scores = adm.score();
        if let Some(group) = qr.item.iter().find(|i| i.link_id == "score") {
            for item in &group.item {
                let target = item.link_id.trim_start_matches("score/");
                let value = item.answer[0].value_decimal.as_ref().map(|d| d.to_f64());
                prop_assert_eq!(value, scores.primary(target));
            }
        }
        // And the observation reads back.
        let obs = Observation::of(&adm, &s);
        let text = serde_json::to_string(&obs).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(Observation::from_json(&text).map_err(|e| TestCaseError::fail(e.to_string()))?, obs);
    }

    /// No JSON input panics: anything near a response is read or refused with a typed error.
    #[test]
    fn arbitrary_json_never_panics(json in r#"\{"resourceType": "QuestionnaireResponse", "status": "(completed|amended|in-progress)", "item": \[\{"linkId": "[0-9a]", "answer": \[\{"value(Integer|Decimal|Coding|String)": (-?[0-9]{1,3}(\.[0-9]{1,3})?|\{"code": "LA65[67][0-9]-[0-9]"\}|"x"|null|\[\])\}\]\}\]\}"#) {
        let phq9 = catalog::require("phq-9").map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Ok(qr) = QuestionnaireResponse::from_json(&json) {
            let _ = qr.to_administration(&phq9, &Settings::r4());
        }
    }
}

#[test]
fn fhir_types_cross_threads_and_read_from_values() -> TestResult {
    fn send_sync_debug<T: Send + Sync + std::fmt::Debug>() {}
    use therapeutic_alliance::fhir::*;
    send_sync_debug::<Questionnaire>();
    send_sync_debug::<QuestionnaireItem>();
    send_sync_debug::<AnswerOption>();
    send_sync_debug::<QuestionnaireResponse>();
    send_sync_debug::<ResponseItem>();
    send_sync_debug::<Answer>();
    send_sync_debug::<Observation>();
    send_sync_debug::<ObservationComponent>();
    send_sync_debug::<Coding>();
    send_sync_debug::<CodeableConcept>();
    send_sync_debug::<Extension>();
    send_sync_debug::<Expression>();
    send_sync_debug::<Identifier>();
    send_sync_debug::<Reference>();
    send_sync_debug::<Quantity>();
    send_sync_debug::<Annotation>();
    send_sync_debug::<Decimal>();
    send_sync_debug::<Extra>();
    send_sync_debug::<Settings>();
    send_sync_debug::<Release>();
    send_sync_debug::<Mapping>();
    // Through serde_json::Value (a web framework's extractor): read alike, decimals as doubles.
    let value: Value = serde_json::from_str(&data("fhir/phq9_loinc_response.json")?)?;
    let qr: QuestionnaireResponse = serde_json::from_value(value.clone())?;
    assert_eq!(serde_json::to_value(&qr)?, value);
    assert_eq!(
        qr.to_administration(&catalog::require("phq-9")?, &Settings::r4())?
            .score()
            .primary("total"),
        Some(12.0)
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Strict reading (issue 12)
// ---------------------------------------------------------------------------------------------

/// A PHQ-9 response whose item 5 is `item5` (the others answered `LA6569-3`, 1), with
/// `top` spliced in at the top (`"authored": ..., ` or `"extension": [...], `).
fn phq9_response(top: &str, item5: &str) -> String {
    let items: Vec<String> = (1..=9)
        .map(|n| {
            if n == 5 {
                item5.to_owned()
            } else {
                format!(r#"{{"linkId": "{n}", "answer": [{{"valueCoding": {{"system": "http://loinc.org", "code": "LA6569-3"}}}}]}}"#)
            }
        })
        .collect();
    format!(
        r#"{{"resourceType": "QuestionnaireResponse", {top}"status": "completed", "item": [{}]}}"#,
        items.join(",")
    )
}

const PLAIN_5: &str = r#"{"linkId": "5", "answer": [{"valueInteger": 2}]}"#;
const SESSION: &str = "https://therapeutic-alliance.example/fhir/StructureDefinition/session";
const THERAPIST: &str = "https://therapeutic-alliance.example/fhir/StructureDefinition/therapist";

/// `(code, path)` of the error reading `json` as a PHQ-9 response (R4 settings).
fn phq9_error(json: &str) -> Result<(&'static str, Option<String>), String> {
    let phq9 = catalog::require("phq-9").map_err(|e| e.to_string())?;
    match QuestionnaireResponse::from_json(json)
        .and_then(|qr| qr.to_administration(&phq9, &Settings::r4()))
    {
        Ok(_) => Err(format!("read without error: {json}")),
        Err(e) => Ok((e.code(), e.path().map(str::to_owned))),
    }
}

#[test]
fn repeated_session_or_therapist_extensions_are_errors_naming_the_path() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let ext = |parts: &[String]| format!(r#""extension": [{}], "#, parts.join(","));
    let session = |n: u32| format!(r#"{{"url": "{SESSION}", "valueUnsignedInt": {n}}}"#);
    let therapist = |t: &str| format!(r#"{{"url": "{THERAPIST}", "valueString": "{t}"}}"#);
    let other = r#"{"url": "https://x.example/other", "valueString": "x"}"#.to_owned();
    // One of each reads.
    let one = phq9_response(&ext(&[session(3), other.clone(), therapist("T1")]), PLAIN_5);
    let adm = QuestionnaireResponse::from_json(&one)?.to_administration(&phq9, &Settings::r4())?;
    assert_eq!((adm.session(), adm.therapist()), (Some(3), Some("T1")));
    for (top, path) in [
        (ext(&[session(3), session(4)]), "/extension/1"),
        (ext(&[session(3), session(3)]), "/extension/1"),
        (
            ext(&[therapist("T1"), session(3), other.clone(), therapist("T2")]),
            "/extension/3",
        ),
        (ext(&[therapist("T1"), therapist("T1")]), "/extension/1"),
    ] {
        let json = phq9_response(&top, PLAIN_5);
        assert_eq!(
            phq9_error(&json)?,
            ("invalid_fhir", Some(path.to_owned())),
            "{top}"
        );
    }
    let err =
        QuestionnaireResponse::from_json(&phq9_response(&ext(&[session(3), session(4)]), PLAIN_5))?
            .to_administration(&phq9, &Settings::r4())
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "invalid FHIR QuestionnaireResponse: extension \"{SESSION}\" is given twice (first at /extension/0)"
        )
    );
    Ok(())
}

#[test]
fn weights_that_disagree_with_the_code_or_each_other_are_errors_naming_the_path() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let coding = |code: &str, exts: &[(&str, &str)]| -> String {
        let exts: Vec<String> = exts
            .iter()
            .map(|(url, v)| format!(r#"{{"url": "{url}", "valueDecimal": {v}}}"#))
            .collect();
        format!(
            r#"{{"linkId": "5", "answer": [{{"valueCoding": {{{code}, "extension": [{}]}}}}]}}"#,
            exts.join(",")
        )
    };
    let loinc = |c: &str| format!(r#""system": "http://loinc.org", "code": "{c}""#);
    let own = r#""system": "https://forms.example/x", "code": "a""#.to_owned();
    const Q_ORDINAL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-ordinalValue";
    let at = "/item/4/answer/0/valueCoding/extension";
    for (item5, path) in [
        // LA6571-9 is 3 on the PHQ-9; its ordinalValue says 1.
        (
            coding(&loinc("LA6571-9"), &[(ORDINAL_VALUE, "1")]),
            format!("{at}/0/valueDecimal"),
        ),
        (
            coding(&loinc("LA6568-5"), &[(ITEM_WEIGHT, "1E-30")]),
            format!("{at}/0/valueDecimal"),
        ),
        (
            coding(
                &loinc("LA6571-9"),
                &[(ITEM_WEIGHT, "2.9999999999999999999")],
            ),
            format!("{at}/0/valueDecimal"),
        ),
        // A coding resolved by its weights only: ordinalValue 1, itemWeight 2.
        (
            coding(&own, &[(ORDINAL_VALUE, "1"), (ITEM_WEIGHT, "2")]),
            format!("{at}/1/valueDecimal"),
        ),
        (
            coding(
                &own,
                &[
                    (ORDINAL_VALUE, "1"),
                    (Q_ORDINAL, "1.0"),
                    (ITEM_WEIGHT, "1.5"),
                ],
            ),
            format!("{at}/2/valueDecimal"),
        ),
        // The code agrees with one weight, not with the other.
        (
            coding(
                &loinc("LA6570-1"),
                &[(ORDINAL_VALUE, "2"), (ITEM_WEIGHT, "3")],
            ),
            format!("{at}/1/valueDecimal"),
        ),
        // A weight extension without its decimal.
        (
            format!(
                r#"{{"linkId": "5", "answer": [{{"valueCoding": {{{own}, "extension": [{{"url": "{ORDINAL_VALUE}", "valueInteger": 1}}]}}}}]}}"#
            ),
            format!("{at}/0"),
        ),
    ] {
        let json = phq9_response("", &item5);
        assert_eq!(
            phq9_error(&json)?,
            ("invalid_answer", Some(path.clone())),
            "{item5}"
        );
        let err = QuestionnaireResponse::from_json(&json)?
            .to_administration(&phq9, &Settings::r4())
            .unwrap_err();
        assert_eq!(err.item(), Some("5"));
    }
    // Weights that agree, written differently, with or without a matching code.
    for (item5, value) in [
        (coding(&loinc("LA6571-9"), &[(ORDINAL_VALUE, "3")]), 3.0),
        (coding(&loinc("LA6571-9"), &[(ITEM_WEIGHT, "3.00")]), 3.0),
        (
            coding(
                &loinc("LA6570-1"),
                &[(ORDINAL_VALUE, "2"), (ITEM_WEIGHT, "0.2e1")],
            ),
            2.0,
        ),
        (
            coding(
                &own,
                &[
                    (ORDINAL_VALUE, "1"),
                    (Q_ORDINAL, "1.0"),
                    (ITEM_WEIGHT, "10e-1"),
                ],
            ),
            1.0,
        ),
    ] {
        let adm = QuestionnaireResponse::from_json(&phq9_response("", &item5))?
            .to_administration(&phq9, &Settings::r4())?;
        assert_eq!(adm.value("5"), Some(value), "{item5}");
    }
    // A mapped code: its weight must be its keyed score too.
    let mapping = Mapping::new().answer(Some("https://forms.example/x"), "a", 2.0);
    let qr = QuestionnaireResponse::from_json(&phq9_response(
        "",
        &coding(&own, &[(ORDINAL_VALUE, "1")]),
    ))?;
    let err = qr
        .to_administration_with(&phq9, &Settings::r4(), &mapping)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.path()),
        (
            "invalid_answer",
            Some(format!("{at}/0/valueDecimal").as_str())
        )
    );
    let qr = QuestionnaireResponse::from_json(&phq9_response(
        "",
        &coding(&own, &[(ORDINAL_VALUE, "2.0")]),
    ))?;
    assert_eq!(
        qr.to_administration_with(&phq9, &Settings::r4(), &mapping)?
            .value("5"),
        Some(2.0)
    );
    // A reversed item: the weight is the keyed score, checked against the code's reversed point.
    let wai = catalog::require("wai-s")?; // 1-7, item 4 reversed
    let s = Settings::r4();
    let q = Questionnaire::of(&wai, &s);
    let option = q
        .item
        .iter()
        .find(|i| i.link_id == "4")
        .and_then(|i| i.answer_option.first())
        .and_then(|o| o.value_coding.clone())
        .ok_or("no option")?; // the option for 1, weighing 7
    let read = |weight: &str| {
        let mut c = serde_json::to_value(&option)?;
        c["extension"] = serde_json::json!([{"url": ORDINAL_VALUE, "valueDecimal": serde_json::from_str::<Value>(weight)?}]);
        let json = format!(
            r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{{"linkId": "4", "answer": [{{"valueCoding": {c}}}]}}]}}"#
        );
        Ok::<_, Box<dyn std::error::Error>>(
            QuestionnaireResponse::from_json(&json)?.to_administration_with(
                &wai,
                &s,
                &Mapping::new().require_answers(false),
            ),
        )
    };
    assert_eq!(read("7")?.map(|a| a.value("4"))?, Some(1.0));
    assert_eq!(
        read("1")?.map_err(|e| e.code()).err(),
        Some("invalid_answer")
    );
    Ok(())
}

#[test]
fn authored_must_be_a_fhir_date_time() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let read = |authored: &str| {
        let json = phq9_response(&format!(r#""authored": "{authored}", "#), PLAIN_5);
        QuestionnaireResponse::from_json(&json)
            .and_then(|qr| qr.to_administration(&phq9, &Settings::r4()))
    };
    for (authored, date) in [
        ("2026", None),
        ("2026-03", None),
        ("2024-02-29", Some("2024-02-29")),
        ("2026-03-02T10:15:00Z", Some("2026-03-02")),
        ("2026-03-02T23:30:00.123-05:00", Some("2026-03-02")),
        ("2026-03-02T23:59:60+14:00", Some("2026-03-02")),
    ] {
        let adm = read(authored)?;
        assert_eq!(
            adm.date().map(|d| d.to_string()).as_deref(),
            date,
            "{authored}"
        );
    }
    for bad in [
        "2026-13",
        "2026-00",
        "2026-03-02Tbanana",
        "2024-02-29T25:99:99Z",
        "2023-02-29",
        "2026-04-31",
        "0000",
        "2026-03-02T10:15:00",
        "2026-03-02T10:15:00+14:30",
        "2026-03-02T10:15:00.1234567890Z",
        "2026-03-02Z",
        "26-03-02",
    ] {
        let err = read(bad).unwrap_err();
        assert_eq!(
            (err.code(), err.path()),
            ("invalid_date", Some("/authored")),
            "{bad}"
        );
    }
    Ok(())
}

#[test]
fn a_byte_order_mark_is_skipped() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let json = format!("\u{feff}{}", phq9_response("", PLAIN_5));
    let adm = QuestionnaireResponse::from_json(&json)?.to_administration(&phq9, &Settings::r4())?;
    assert_eq!(adm.value("5"), Some(2.0));
    let q = serde_json::to_string(&Questionnaire::of(&phq9, &Settings::r5()))?;
    Questionnaire::from_json(&format!("\u{feff}{q}"))?;
    let obs = serde_json::to_string(&Observation::of(&adm, &Settings::r4()))?;
    Observation::from_json(&format!("\u{feff}{obs}"))?;
    // Only one, and only at the start.
    assert!(QuestionnaireResponse::from_json(&format!("\u{feff}{json}")).is_err());
    Ok(())
}

#[test]
fn reader_messages_are_bounded() -> TestResult {
    let huge = "x".repeat(1 << 20);
    let json = format!(
        r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{{"linkId": 1, "text": 5, "answer": [{{"valueString": "a"}}]}}], "id": {{"{huge}": 1}}, "subject": "{huge}"}}"#
    );
    let err = QuestionnaireResponse::from_json(&json).unwrap_err();
    assert_eq!(err.code(), "invalid_fhir");
    assert!(err.to_string().len() < 400, "{}", err.to_string().len());
    let json = format!(
        r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "subject": "{huge}"}}"#
    );
    let err = QuestionnaireResponse::from_json(&json).unwrap_err();
    let text = err.to_string();
    assert!(text.len() < 400, "{}", text.len());
    assert!(
        text.ends_with(&format!("at line 1 column {}", json.len() - 1)),
        "{text}"
    );
    Ok(())
}

/// `(code, path)` of reading `decimal` as the answer to item `link` of `instrument`.
fn decimal_error(instrument: &str, link: &str, decimal: &str) -> TestResult {
    let inst = catalog::require(instrument)?;
    let json = format!(
        r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{{"linkId": "{link}", "answer": [{{"valueDecimal": {decimal}}}]}}]}}"#
    );
    let err = QuestionnaireResponse::from_json(&json)?
        .to_administration_with(
            &inst,
            &Settings::r4(),
            &Mapping::new().require_answers(false),
        )
        .map(|a| a.value(link))
        .unwrap_err();
    assert_eq!(
        (err.code(), err.path(), err.item()),
        ("off_step", Some("/item/0/answer/0"), Some(link)),
        "{instrument} {decimal}"
    );
    Ok(())
}

#[test]
fn decimals_on_the_scale_are_read_exactly_as_written() -> TestResult {
    // Decimals that are points, written in any JSON form, are read.
    let srs = catalog::require("srs")?;
    let phq9 = catalog::require("phq-9")?;
    for (inst, decimal, value) in [
        (&srs, "7.30", 7.3),
        (&srs, "73e-1", 7.3),
        (&srs, "0.0", 0.0),
        (&srs, "1E1", 10.0),
        (&phq9, "3.000", 3.0),
        (&phq9, "0e5", 0.0),
    ] {
        let json = format!(
            r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{{"linkId": "1", "answer": [{{"valueDecimal": {decimal}}}]}}]}}"#
        );
        let adm = QuestionnaireResponse::from_json(&json)?.to_administration_with(
            inst,
            &Settings::r4(),
            &Mapping::new().require_answers(false),
        )?;
        assert_eq!(adm.value("1"), Some(value), "{decimal}");
    }
    Ok(())
}

#[test]
fn decimals_near_a_point_are_off_step() -> TestResult {
    decimal_error("phq-9", "1", "1E-30")?;
    decimal_error("phq-9", "1", "2.9999999999999999999")?;
    decimal_error("srs", "1", "7.3000000000000000001")?;
    decimal_error("srs", "1", "9.000000000000000000001")?;
    // A coding read by its weight alone is exact too.
    let json = phq9_response(
        "",
        &format!(
            r#"{{"linkId": "5", "answer": [{{"valueCoding": {{"code": "z", "extension": [{{"url": "{ITEM_WEIGHT}", "valueDecimal": 2.9999999999999999999}}]}}}}]}}"#
        ),
    );
    assert_eq!(
        phq9_error(&json)?,
        ("off_step", Some("/item/4/answer/0".to_owned()))
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A hostile user form: every exported resource is valid FHIR (codes and strings)
// ---------------------------------------------------------------------------------------------

/// White space under the widest reading of the patterns' `\s` (Unicode `White_Space`, and
/// U+FEFF as ECMAScript counts it).
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// FHIR `code`: `[^\s]+( [^\s]+)*`.
fn is_fhir_code(s: &str) -> bool {
    !s.is_empty() && s.split(' ').all(|p| !p.is_empty() && !p.contains(is_space))
}

/// FHIR `string`: `[ \r\n\t\S]+` (R4; R5 allows `[\s\S]+`), read as the spec's validators
/// read it, and its rule that strings hold no character below U+0020 but tab, CR and LF.
fn is_fhir_string(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c >= ' ' || matches!(c, '\t' | '\r' | '\n'))
}

/// FHIR `uri`: `\S*`.
fn is_fhir_uri(s: &str) -> bool {
    !s.contains(is_space)
}

/// Every problem in a resource's JSON: code-typed elements that are not codes, strings that
/// are not strings, uris with white space.
fn fhir_problems(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let p = format!("{path}/{k}");
                match (k.as_str(), x) {
                    (
                        "code" | "status" | "type" | "answerConstraint" | "resourceType"
                        | "language",
                        Value::String(s),
                    ) if !is_fhir_code(s) => out.push(format!("{p}: code {s:?}")),
                    ("url" | "system", Value::String(s)) if !is_fhir_uri(s) => {
                        out.push(format!("{p}: uri {s:?}"));
                    }
                    _ => fhir_problems(x, &p, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                fhir_problems(x, &format!("{path}/{i}"), out);
            }
        }
        Value::String(s) if !is_fhir_string(s) => out.push(format!("{path}: string {s:?}")),
        _ => {}
    }
}

#[test]
fn a_hostile_user_form_exports_only_valid_codes_and_strings() -> TestResult {
    let long_label = "Vertrauen 信頼 ثقة 🙂 ".repeat(150);
    let scale = ResponseScale::likert(
        1,
        3,
        [
            (1, "pas du tout\u{a0}: jamais"),
            (2, long_label.trim()),
            (3, "«\u{3000}toujours\u{3000}»"),
        ],
    )?;
    let candidates = [
        "a  b",
        "a%20%20b",
        "a b",
        "信頼 1",
        "x\u{a0}y",
        "x\u{3000}y",
        "x\u{2003}y",
        "50%",
        "🙂",
        "it's",
        "score",
        "q\\1",
        "ثقة",
    ];
    let long_id = "w  ".repeat(80) + "w";
    // Keep the ids the builder accepts (the id rules may tighten).
    let ok = |id: &str| {
        Instrument::builder("probe", "Probe", scale.clone())
            .item(id)
            .total(TotalRule::OverItems)
            .build()
            .is_ok()
    };
    let mut ids: Vec<String> = candidates
        .iter()
        .map(|s| (*s).to_owned())
        .chain([long_id])
        .filter(|id| ok(id))
        .collect();
    assert!(ids.len() >= 8, "{ids:?}");
    ids.dedup();
    let sub_id = ["s  1", "s 1"].into_iter().find(|s| {
        Instrument::builder("probe", "Probe", scale.clone())
            .item("1")
            .subscale(therapeutic_alliance::Subscale::new(*s, "S", ["1"]))
            .build()
            .is_ok()
    });
    let mut builder = Instrument::builder("hostile-form", long_label.trim(), scale)
        .items(ids.iter().enumerate().map(|(i, id)| {
            let item = therapeutic_alliance::Item::new(id.as_str())
                .with_text(format!("{long_label} ({i})\u{a0}?"));
            if i % 3 == 1 { item.reversed() } else { item }
        }))
        .citation(long_label.trim())
        .total(TotalRule::OverItems);
    if let Some(sub) = sub_id {
        builder = builder.subscale(therapeutic_alliance::Subscale::new(
            sub,
            long_label.trim(),
            ids.iter().take(4).cloned(),
        ));
    }
    let inst = builder.build()?;
    let mut b = Administration::builder(&inst)
        .client("Patient/x  y")
        .therapist("Dr  Ä\u{a0}Ö")
        .session(2)
        .date(Date::new(2024, 2, 29)?);
    for (i, id) in ids.iter().enumerate() {
        b = b.answer(id, f64::from(1 + (i % 3) as u8))?;
    }
    let adm = b.build()?;
    for s in settings() {
        let q = Questionnaire::of(&inst, &s);
        let qr = QuestionnaireResponse::of(&adm, &s);
        let resources = [
            ("Questionnaire", serde_json::to_value(&q)?),
            ("QuestionnaireResponse", serde_json::to_value(&qr)?),
            (
                "QuestionnaireResponse (scores)",
                serde_json::to_value(QuestionnaireResponse::of_scores(&adm, &s))?,
            ),
            (
                "Observation",
                serde_json::to_value(Observation::of(&adm, &s))?,
            ),
        ];
        for (name, value) in &resources {
            let mut problems = Vec::new();
            fhir_problems(value, "", &mut problems);
            assert!(
                problems.is_empty(),
                "{name} {:?}: {problems:#?}",
                s.release()
            );
        }
        // The item codes stay one per item, and an id that is a code is its own code.
        let codes: Vec<String> = q
            .item
            .iter()
            .filter(|i| ids.contains(&i.link_id))
            .map(|i| {
                i.code
                    .first()
                    .and_then(|c| c.code.clone())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(codes.len(), ids.len());
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
        for (id, code) in ids.iter().zip(&codes) {
            assert_eq!(is_fhir_code(id) && !id.contains('%'), id == code, "{id}");
        }
        if ids.iter().any(|i| i == "a  b") {
            assert!(codes.iter().any(|c| c == "a%20%20b"));
        }
        // And the response reads back as the administration.
        let text = serde_json::to_string(&qr)?;
        assert_eq!(
            QuestionnaireResponse::from_json(&text)?.to_administration(&inst, &s)?,
            adm
        );
        round_trip(&q)?;
    }
    Ok(())
}

#[test]
fn every_error_at_once() -> TestResult {
    let phq9 = catalog::require("phq-9")?;
    let s = Settings::r4();
    let json = format!(
        r#"{{"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "2026-03-02Tbanana",
          "extension": [{{"url": "{SESSION}", "valueUnsignedInt": 1}}, {{"url": "{SESSION}", "valueUnsignedInt": 2}}],
          "item": [
            {{"linkId": "1", "answer": [{{"valueInteger": 4}}]}},
            {{"linkId": "2", "answer": [{{"valueCoding": {{"system": "http://loinc.org", "code": "LA6571-9",
               "extension": [{{"url": "{ORDINAL_VALUE}", "valueDecimal": 1}}]}}}}]}},
            {{"linkId": "x", "answer": [{{"valueInteger": 1}}]}},
            {{"linkId": "3", "answer": [{{"valueDecimal": 1.5}}]}},
            {{"linkId": "4", "answer": [{{"valueInteger": 1}}]}},
            {{"linkId": "5", "answer": [{{"valueInteger": 1}}]}},
            {{"linkId": "6", "answer": [{{"valueInteger": 1}}]}},
            {{"linkId": "7", "answer": [{{"valueInteger": 1}}]}},
            {{"linkId": "8", "answer": [{{"valueInteger": 1}}]}}]}}"#
    );
    let qr = QuestionnaireResponse::from_json(&json)?;
    let errors = qr
        .to_administration_all(&phq9, &s, &Mapping::new())
        .unwrap_err();
    let found: Vec<(&str, Option<&str>)> = errors.iter().map(|e| (e.code(), e.path())).collect();
    assert_eq!(
        found,
        [
            ("out_of_range", Some("/item/0/answer/0")),
            (
                "invalid_answer",
                Some("/item/1/answer/0/valueCoding/extension/0/valueDecimal")
            ),
            ("unknown_link_id", Some("/item/2")),
            ("off_step", Some("/item/3/answer/0")),
            ("missing_answer", Some("/item")),
            ("invalid_date", Some("/authored")),
            ("invalid_fhir", Some("/extension/1")),
        ]
    );
    assert_eq!(
        errors.first(),
        &qr.to_administration(&phq9, &s).unwrap_err()
    );
    // A good response reads alike both ways; a bad one gives the first error first.
    let good = QuestionnaireResponse::from_json(&phq9_response("", PLAIN_5))?;
    assert_eq!(
        good.to_administration_all(&phq9, &s, &Mapping::new())?,
        good.to_administration(&phq9, &s)?
    );
    for (top, item5) in [
        (r#""authored": "2026-13", "#, PLAIN_5),
        ("", r#"{"linkId": "5", "answer": [{"valueInteger": 9}]}"#),
        ("", r#"{"linkId": "5"}"#),
        (r#""subject": {"reference": " Patient/1"}, "#, PLAIN_5),
    ] {
        let qr = QuestionnaireResponse::from_json(&phq9_response(top, item5))?;
        let first = qr.to_administration(&phq9, &s).unwrap_err();
        let all = qr
            .to_administration_all(&phq9, &s, &Mapping::new())
            .unwrap_err();
        assert_eq!((all.first(), all.len()), (&first, 1), "{top}{item5}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Issue 13: canonicals without whitespace, renamed versions, Observations for an EHR
// ---------------------------------------------------------------------------------------------

/// The five renamed catalog versions: (id, old version, current version, the digest the crate
/// wrote under the old version, pinned from the release before the rename).
const RENAMED: [(&str, &str, &str, &str); 5] = [
    ("wai-sr", "client form", "client-form", "5a1ffaf5577205e4"),
    ("wai-s", "client form", "client-form", "ce0ce8532cb0531f"),
    ("wai", "client form", "client-form", "9a3e900ba9f6c145"),
    ("arm-5", "client form", "client-form", "45fd57c9bcd0ec28"),
    ("tasc-r", "child form", "child-form", "7d3805f6e2d3e124"),
];

#[test]
fn every_catalog_canonical_is_free_of_whitespace() -> TestResult {
    let space = |s: &str| s.chars().any(|c| c.is_whitespace() || c == '\u{feff}');
    for settings in settings() {
        for inst in catalog::all() {
            assert!(
                !space(inst.version()),
                "{} version {:?}",
                inst.id(),
                inst.version()
            );
            let canonical = settings.canonical(inst);
            assert!(!space(&canonical), "{canonical}");
            let q = Questionnaire::of(inst, &settings);
            let url = q.url.as_deref().unwrap_or_default();
            let version = q.version.as_deref().unwrap_or_default();
            assert!(!url.is_empty() && !space(url), "{url}");
            assert_eq!(version, inst.version());
            assert!(!space(&format!("{url}|{version}")), "{url}|{version}");
            let written = serde_json::to_value(QuestionnaireResponse::of(
                &Administration::builder(inst).build()?,
                &settings,
            ))?;
            let named = written["questionnaire"].as_str().unwrap_or_default();
            assert_eq!(named, canonical);
        }
    }
    for (id, _, now, _) in RENAMED {
        assert_eq!(catalog::require(id)?.version(), now);
    }
    Ok(())
}

#[test]
fn records_made_with_the_old_catalog_versions_still_read() -> TestResult {
    let registry = Registry::with_catalog();
    for (id, old, now, old_digest) in RENAMED {
        let inst = catalog::require(id)?;
        // The digest covers the version: the same definition under its old version.
        assert_eq!(inst.to_builder().version(old).build()?.digest(), old_digest);
        assert_ne!(old_digest, inst.digest());
        let answers: serde_json::Map<String, Value> = inst
            .items()
            .iter()
            .map(|item| (item.id().to_owned(), Value::from(inst.scale().min())))
            .collect();
        for digest in [Some(old_digest), None] {
            let mut record =
                serde_json::json!({"instrument": id, "version": old, "answers": answers});
            if let Some(d) = digest {
                record["digest"] = Value::from(d);
            }
            let record: therapeutic_alliance::AdministrationRecord =
                serde_json::from_value(record)?;
            let adm = registry.read(record)?;
            assert_eq!(adm.instrument().version(), now);
            assert_eq!(adm.instrument().digest(), inst.digest());
        }
        // A wrong digest under the old version is still refused.
        let record: therapeutic_alliance::AdministrationRecord = serde_json::from_value(
            serde_json::json!({"instrument": id, "version": old, "digest": "0000000000000000"}),
        )?;
        assert_eq!(
            registry.read(record).map(|_| ()).unwrap_err().code(),
            "definition_mismatch"
        );
        // Records written now carry the new version and read back.
        let adm = Administration::builder(&inst).build()?;
        let json = serde_json::to_string(&adm.to_record())?;
        assert!(json.contains(&format!("\"version\":\"{now}\"")), "{json}");
    }
    // The WAI-SR record as the crate wrote it before the rename, digest pinned.
    let old = r#"{"instrument": "wai-sr", "version": "client form", "digest": "DIGEST",
                  "answers": {"1": 4, "2": 4, "3": 4, "4": 4, "5": 4, "6": 4, "7": 4, "8": 4,
                              "9": 4, "10": 4, "11": 4, "12": 4}}"#
        .replace("DIGEST", RENAMED[0].3);
    let record: therapeutic_alliance::AdministrationRecord = serde_json::from_str(&old)?;
    let adm = registry.read(record)?;
    assert_eq!(adm.score().primary("total"), Some(48.0));
    Ok(())
}

#[test]
fn responses_naming_the_old_version_still_read() -> TestResult {
    for settings in settings() {
        let wai = catalog::require("wai-sr")?;
        let adm = Administration::from_values(&wai, &[Some(4.0); 12])?;
        let mut qr = serde_json::to_value(QuestionnaireResponse::of(&adm, &settings))?;
        let old = format!("{}|client form", settings.questionnaire_url(&wai));
        qr["questionnaire"] = Value::from(old);
        let qr = QuestionnaireResponse::from_json(&qr.to_string())?;
        let registry = Registry::with_catalog();
        assert_eq!(
            qr.instrument_in(&registry, &settings)?.version(),
            "client-form"
        );
        let read = qr.to_administration(&wai, &settings)?;
        assert_eq!(read.score().primary("total"), Some(48.0));
    }
    Ok(())
}

#[test]
fn observations_are_derived_from_the_response_and_issued() -> TestResult {
    let srs = catalog::require("srs")?;
    let adm = Administration::from_values(&srs, &[Some(9.1), Some(8.0), Some(9.0), Some(9.0)])?;
    for settings in settings() {
        let mut qr = QuestionnaireResponse::of(&adm, &settings);
        let plain = Observation::of(&adm, &settings);
        assert!(plain.derived_from.is_empty() && plain.issued.is_none());
        // No id: nothing to refer to.
        assert!(
            plain
                .clone()
                .derived_from_response(&qr)
                .derived_from
                .is_empty()
        );
        qr.id = Some("qr-17".into());
        let obs = plain
            .derived_from_response(&qr)
            .derived_from_response(&qr)
            .issued_at("2026-03-02T10:15:00+01:00")?;
        let json = serde_json::to_value(&obs)?;
        assert_eq!(
            json["derivedFrom"],
            serde_json::json!([{"reference": "QuestionnaireResponse/qr-17"}])
        );
        assert_eq!(json["issued"], "2026-03-02T10:15:00+01:00");
        assert_eq!(Observation::from_json(&json.to_string())?, obs);
        // Units: UCUM {score} on the value and on every component.
        assert_eq!(json["valueQuantity"]["code"], "{score}");
        assert_eq!(json["valueQuantity"]["system"], "http://unitsofmeasure.org");
        for c in obs.component.iter() {
            assert_eq!(
                c.value_quantity.as_ref().and_then(|q| q.code.as_deref()),
                Some("{score}")
            );
        }
        // The note rounds to the SRS's one decimal.
        assert_eq!(
            obs.note[0].text,
            "total sum 35.1 is at or below 36: discuss the relationship"
        );
        // Deterministic: the same input gives the same observation.
        assert_eq!(
            Observation::of(&adm, &settings)
                .issued_at("2026-03-02T10:15:00+01:00")?
                .issued,
            obs.issued
        );
    }
    for good in [
        "2026-03-02T10:15:00Z",
        "2026-03-02T23:59:60.123456789-05:30",
        "2024-02-29T00:00:00+14:00",
    ] {
        assert!(
            Observation::of(&adm, &Settings::r4())
                .issued_at(good)
                .is_ok(),
            "{good}"
        );
    }
    for bad in [
        "",
        "2026-03-02",
        "2026-03-02T10:15Z",
        "2026-03-02T10:15:00",
        "2026-02-30T10:15:00Z",
        "2026-03-02T24:00:00Z",
        "2026-03-02T10:15:00+15:00",
        "2026-03-02T10:15:00.Z",
        "2026-03-02 10:15:00Z",
        "2026-03-02T10:15:00.1234567890Z",
        "2026-03-02T10:15:00+0100",
        "2026-03-02T10:15:00é",
        "2026-03-02T10:15:0é+01:00",
        "2026-03-02T10:15:00é1:00",
        "2026-03-02T10:15:00+é:000",
        "x026-03-02T10:15:00Z",
    ] {
        let err = Observation::of(&adm, &Settings::r4())
            .issued_at(bad)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.code(), "invalid_fhir", "{bad}");
    }
    Ok(())
}

#[test]
fn observation_notes_are_rounded_and_mark_prorated_scores() -> TestResult {
    use therapeutic_alliance::{Comparison, Metric, Threshold};
    let wai = catalog::require("wai-sr")?
        .to_builder()
        .version("client-form-mean-alert")
        .threshold(Threshold::new(
            "total",
            Metric::Mean,
            Comparison::Below,
            3.0,
            "talk about the alliance",
        )?)
        .build()?;
    // A total of 31 over 12 items: a mean of 2.5833333333333335.
    let values = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0].map(Some);
    let adm = Administration::from_values(&wai, &values)?;
    let obs = Observation::of(&adm, &Settings::r4());
    let notes: Vec<&str> = obs.note.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        notes,
        ["total mean 2.58 is below 3: talk about the alliance"]
    );
    // The value stays exact.
    let total = obs
        .value_quantity
        .as_ref()
        .and_then(|q| q.value.as_ref())
        .map(|v| v.as_str().to_owned());
    assert_eq!(total.as_deref(), Some("31"));

    // One goals item unanswered: goals is prorated from 3 of 4 items (and so is the total).
    let wai = catalog::require("wai-sr")?;
    let mut values = [Some(4.0); 12];
    values[3] = None; // item 4, a goals item
    values[5] = Some(5.0);
    let adm = Administration::from_values(&wai, &values)?;
    let obs = Observation::of(&adm, &Settings::r4());
    let notes: Vec<&str> = obs.note.iter().map(|n| n.text.as_str()).collect();
    let goals = adm
        .score()
        .score("goals")
        .ok_or("goals scored")?
        .sum()
        .get();
    assert!(goals.fract() != 0.0, "{goals}");
    assert_eq!(
        notes,
        [
            format!("goals sum {:.1} is prorated: 3 of 4 items answered (rule: at least 3/4 of the items, prorated)", goals),
            "total sum 49.3 is prorated: 11 of 12 items answered (rule: at least 3/4 of the items, prorated)".to_owned(),
            NO_WAI_SR_THRESHOLDS.to_owned(),
        ]
    );
    // A complete response: no prorating, and no flag because the WAI-SR defines none.
    let complete = Administration::from_values(&wai, &[Some(4.0); 12])?;
    let notes: Vec<String> = Observation::of(&complete, &Settings::r4())
        .note
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes, [NO_WAI_SR_THRESHOLDS]);
    // An instrument with thresholds says nothing of the kind when none is crossed.
    let srs = Administration::from_values(&catalog::require("srs")?, &[Some(10.0); 4])?;
    assert!(Observation::of(&srs, &Settings::r4()).note.is_empty());
    Ok(())
}

/// The note of an Observation of the WAI-SR, which defines no thresholds.
const NO_WAI_SR_THRESHOLDS: &str =
    "Working Alliance Inventory, short revised (WAI-SR) defines no thresholds: no score is flagged";

#[test]
fn the_srs_flag_source_is_clinical_wording() -> TestResult {
    let srs = catalog::require("srs")?;
    let source = srs.thresholds()[0].source();
    assert!(!source.is_empty());
    for api in ["to_builder", "()", "version", "replace it"] {
        assert!(!source.contains(api), "{source}");
    }
    let flags = srs.score_values(&[Some(9.0); 4])?.flags();
    assert!(!flags[0].source().contains("to_builder"));
    Ok(())
}

#[test]
fn a_monitor_state_kept_under_the_old_version_resumes() -> TestResult {
    use therapeutic_alliance::change::{MonitorOptions, MonitorState, SessionMonitor};
    let wai = catalog::require("wai-sr")?;
    let state = SessionMonitor::new(&wai, MonitorOptions::default())
        .state()
        .clone();
    let mut json = serde_json::to_value(&state)?;
    json["instrument"]["version"] = Value::from("client form");
    json["instrument"]["digest"] = Value::from(RENAMED[0].3);
    let old: MonitorState = serde_json::from_value(json.clone())?;
    assert!(SessionMonitor::resume(&wai, old).is_ok());
    json["instrument"]["digest"] = Value::from("0000000000000000");
    let tampered: MonitorState = serde_json::from_value(json)?;
    assert!(SessionMonitor::resume(&wai, tampered).is_err());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Issue 13: the endpoint in one call
// ---------------------------------------------------------------------------------------------

/// A WAI-SR response (R4 or R5 codings) with answers `answers` (linkId, JSON answer).
fn wai_sr_body(settings: &Settings, id: Option<&str>, answers: &[(&str, String)]) -> String {
    let items: Vec<String> = answers
        .iter()
        .map(|(link, answer)| format!(r#"{{"linkId": "{link}", "answer": [{answer}]}}"#))
        .collect();
    let id = id.map_or_else(String::new, |id| format!(r#""id": "{id}", "#));
    format!(
        r#"{{"resourceType": "QuestionnaireResponse", {id}"status": "completed",
          "questionnaire": "{}/Questionnaire/wai-sr|client-form", "subject": {{"reference": "Patient/secret-17"}},
          "authored": "2026-03-02T10:00:00+01:00", "item": [{}]}}"#,
        settings.base(),
        items.join(", ")
    )
}

/// The WAI-SR's own coding of answer `point` (1-5), as its Questionnaire offers it.
fn wai_sr_coding(settings: &Settings, point: u8) -> String {
    format!(
        r#"{{"valueCoding": {{"system": "{}/CodeSystem/wai-sr/answers", "code": "{point}"}}}}"#,
        settings.base()
    )
}

#[test]
fn the_endpoint_reports_every_bad_answer_at_once() -> TestResult {
    let registry = Registry::with_catalog();
    let long = "x".repeat(5000);
    for settings in settings() {
        // Twelve items, two bad: item 3 off the scale, item 9 a code the item does not offer
        // (5000 characters long).
        let answers: Vec<(String, String)> = (1..=12)
            .map(|i| {
                let answer = match i {
                    3 => r#"{"valueInteger": 7}"#.to_owned(),
                    9 => format!(r#"{{"valueCoding": {{"code": "{long}"}}}}"#),
                    _ => wai_sr_coding(&settings, 4),
                };
                (i.to_string(), answer)
            })
            .collect();
        let answers: Vec<(&str, String)> = answers
            .iter()
            .map(|(l, a)| (l.as_str(), a.clone()))
            .collect();
        let body = wai_sr_body(&settings, Some("qr-1"), &answers);
        let errors =
            therapeutic_alliance::fhir::score(&body, &registry, &settings, "2026-03-02T10:15:00Z")
                .unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.code(), e.item(), e.path()))
            .collect();
        assert_eq!(
            found,
            [
                ("out_of_range", Some("3"), Some("/item/2/answer/0")),
                (
                    "unknown_answer_code",
                    Some("9"),
                    Some("/item/8/answer/0/valueCoding")
                ),
            ]
        );
        // No client id, no unbounded echo: each error's JSON is short.
        let json = serde_json::to_string(&errors)?;
        assert!(!json.contains("secret-17"), "{json}");
        assert!(json.len() < 1500, "{}", json.len());
        // The same errors as the reader alone gives, the first being its first.
        let qr = QuestionnaireResponse::from_json(&body)?;
        let wai = catalog::require("wai-sr")?;
        assert_eq!(
            errors.first(),
            &qr.to_administration(&wai, &settings).unwrap_err()
        );
        // A bad instant is reported too, first.
        let all =
            therapeutic_alliance::fhir::score(&body, &registry, &settings, "now").unwrap_err();
        let codes: Vec<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            ["invalid_fhir", "out_of_range", "unknown_answer_code"]
        );
    }
    // A body that is no response, or names no instrument: that one error.
    for (body, code) in [
        ("{", "invalid_fhir"),
        (
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed"}"#,
            "questionnaire_mismatch",
        ),
        (
            r#"{"resourceType": "QuestionnaireResponse", "status": "completed",
               "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/calpas|1"}"#,
            "unknown_instrument",
        ),
    ] {
        let errors = therapeutic_alliance::fhir::score(
            body,
            &registry,
            &Settings::r4(),
            "2026-03-02T10:15:00Z",
        )
        .unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes, [code]);
    }
    Ok(())
}

#[test]
fn the_endpoint_gives_the_report_and_an_observation_for_the_ehr() -> TestResult {
    let registry = Registry::with_catalog();
    for settings in settings() {
        // Item 4 (goals) unanswered: goals and the total are prorated.
        let answers: Vec<(String, String)> = (1..=12)
            .filter(|&i| i != 4)
            .map(|i| {
                (
                    i.to_string(),
                    wai_sr_coding(&settings, if i == 6 { 5 } else { 4 }),
                )
            })
            .collect();
        let answers: Vec<(&str, String)> = answers
            .iter()
            .map(|(l, a)| (l.as_str(), a.clone()))
            .collect();
        let body = wai_sr_body(&settings, Some("qr-7"), &answers);
        let scored = therapeutic_alliance::fhir::score(
            &body,
            &registry,
            &settings,
            "2026-03-02T10:15:00+01:00",
        )?;
        let adm = scored.administration();
        assert_eq!(adm.instrument().version(), "client-form");
        assert_eq!(adm.client(), Some("Patient/secret-17"));
        // The report, as the crate scores it: goals (4 + 4 + 5) x 4 / 3 = 17.33...
        let report = scored.report();
        assert_eq!(report.subscales[0].sum, Some(52.0 / 3.0));
        assert!(report.subscales[0].prorated);
        let total = report.total.as_ref().ok_or("a total")?;
        assert_eq!(total.sum, Some(148.0 / 3.0), "exact, one rounding");
        assert!(total.prorated);
        // The Observation: derivedFrom the response, issued, rounded words, prorated marked.
        let obs = serde_json::to_value(scored.observation())?;
        assert_eq!(
            obs["derivedFrom"],
            serde_json::json!([{"reference": "QuestionnaireResponse/qr-7"}])
        );
        assert_eq!(obs["issued"], "2026-03-02T10:15:00+01:00");
        assert_eq!(obs["valueQuantity"]["code"], "{score}");
        let notes: Vec<&str> = obs["note"]
            .as_array()
            .ok_or("notes")?
            .iter()
            .filter_map(|n| n["text"].as_str())
            .collect();
        assert_eq!(
            notes,
            [
                "goals sum 17.3 is prorated: 3 of 4 items answered (rule: at least 3/4 of the items, prorated)",
                "total sum 49.3 is prorated: 11 of 12 items answered (rule: at least 3/4 of the items, prorated)",
                NO_WAI_SR_THRESHOLDS,
            ]
        );
        // Without an id there is nothing to be derived from.
        let body = wai_sr_body(&settings, None, &answers);
        let scored =
            therapeutic_alliance::fhir::score(&body, &registry, &settings, "2026-03-02T10:15:00Z")?;
        assert!(scored.observation().derived_from.is_empty());
        // The old version's canonical still reads.
        let old = wai_sr_body(&settings, None, &answers).replace("|client-form", "|client form");
        let (adm, _, _) =
            therapeutic_alliance::fhir::score(&old, &registry, &settings, "2026-03-02T10:15:00Z")?
                .into_parts();
        assert_eq!(adm.instrument().version(), "client-form");
    }
    Ok(())
}

#[test]
fn a_clinics_version_with_whitespace_is_encoded_in_canonicals() -> TestResult {
    let space = |s: &str| s.chars().any(|c| c.is_whitespace() || c == '\u{feff}');
    let strict = catalog::require("wai-sr")?
        .to_builder()
        .version("client form, strict | 100%")
        .build()?;
    let mut registry = Registry::with_catalog();
    registry.register(strict.clone())?;
    for settings in settings() {
        let canonical = settings.canonical(&strict);
        assert!(
            canonical.ends_with("/Questionnaire/wai-sr|client%20form,%20strict%20%7C%20100%25"),
            "{canonical}"
        );
        let q = Questionnaire::of(&strict, &settings);
        let version = q.version.as_deref().unwrap_or_default();
        assert!(!space(version) && !version.contains('|'), "{version}");
        assert_eq!(
            format!("{}|{version}", q.url.as_deref().unwrap_or_default()),
            canonical
        );
        // A response as written, and one naming the version as the definition spells it.
        let adm = Administration::from_values(&strict, &[Some(3.0); 12])?;
        let qr = QuestionnaireResponse::of(&adm, &settings);
        assert_eq!(qr.questionnaire.as_deref(), Some(canonical.as_str()));
        assert_eq!(qr.instrument_in(&registry, &settings)?, &strict);
        assert_eq!(qr.to_administration(&strict, &settings)?, adm);
        let mut raw = qr.clone();
        raw.questionnaire = Some(format!(
            "{}|client form, strict | 100%",
            settings.questionnaire_url(&strict)
        ));
        assert_eq!(raw.instrument_in(&registry, &settings)?, &strict);
        assert_eq!(raw.to_administration(&strict, &settings)?, adm);
        let body = serde_json::to_string(&qr)?;
        let scored =
            therapeutic_alliance::fhir::score(&body, &registry, &settings, "2026-03-02T10:15:00Z")?;
        assert_eq!(scored.administration(), &adm);
        // The catalog's version is another questionnaire.
        let wai = catalog::require("wai-sr")?;
        assert_eq!(
            qr.to_administration(&wai, &settings)
                .map(|_| ())
                .unwrap_err()
                .code(),
            "questionnaire_mismatch"
        );
    }
    Ok(())
}
