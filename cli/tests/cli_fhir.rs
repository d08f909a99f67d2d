//! `alliance fhir`: an instrument as a Questionnaire, a response scored as an Observation.

mod support;

use serde_json::Value;
use support::{alliance, stderr, stdout};
use therapeutic_alliance::catalog;
use therapeutic_alliance::fhir::{Questionnaire, Settings};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn data(name: &str) -> Result<String, std::io::Error> {
    std::fs::read_to_string(support::data(name))
}

#[test]
fn alliance_fhir_questionnaire_and_score() -> TestResult {
    let out = alliance(&[
        "fhir",
        "questionnaire",
        "--instrument",
        "gad-7",
        "--release",
        "r5",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let q = Questionnaire::from_json(&stdout(&out))?;
    assert_eq!(
        q,
        Questionnaire::of(&catalog::require("gad-7")?, &Settings::r5())
    );

    let out = alliance(&[
        "fhir",
        "questionnaire",
        "--instrument",
        "srs",
        "--base",
        "https://clinic.example/fhir",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"url\": \"https://clinic.example/fhir/Questionnaire/srs\""));

    let fixture = support::data("fhir/phq9_loinc_response.json");
    let out = alliance(&[
        "fhir",
        "score",
        "--instrument",
        "phq-9",
        "--response",
        &fixture,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let obs: Value = serde_json::from_str(&stdout(&out))?;
    assert_eq!(obs["valueQuantity"]["value"], 12);
    assert_eq!(obs["code"]["coding"][0]["code"], "44261-6");

    // A response that cannot be scored: one line per error naming the linkId, exit status 1.
    let dir = std::env::temp_dir().join(format!("alliance-fhir-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        data("fhir/phq9_loinc_response.json")?.replace(r#""linkId": "7""#, r#""linkId": "13""#),
    )?;
    let bad = bad.to_string_lossy().into_owned();
    let out = alliance(&["fhir", "score", "--instrument", "phq-9", "--response", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "alliance: error: {bad}: linkId \"13\": instrument phq-9 has no item with this linkId\n\
             alliance: error: {bad}: linkId \"7\": the item is required but has no answer\n"
        )
    );
    // A file starting with a byte-order mark reads.
    let bom = dir.join("bom.json");
    std::fs::write(
        &bom,
        format!("\u{feff}{}", data("fhir/phq9_loinc_response.json")?),
    )?;
    let bom = bom.to_string_lossy().into_owned();
    let out = alliance(&["fhir", "score", "--instrument", "phq-9", "--response", &bom]);
    assert!(out.status.success(), "{}", stderr(&out));
    let obs: Value = serde_json::from_str(&stdout(&out))?;
    assert_eq!(obs["valueQuantity"]["value"], 12);
    let srs = support::data("fhir/srs_response.json");
    let out = alliance(&["fhir", "score", "--instrument", "phq-9", "--response", &srs]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the response answers questionnaire"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Usage errors: exit status 2, pointing to the help.
    for args in [
        &["fhir"][..],
        &["fhir", "questionnaire"],
        &["fhir", "score", "--instrument", "phq-9"],
        &[
            "fhir",
            "questionnaire",
            "--instrument",
            "phq-9",
            "--release",
            "r6",
        ],
        &[
            "fhir",
            "questionnaire",
            "--instrument",
            "phq-9",
            "--base",
            "clinic",
        ],
        &["fhir", "export", "--instrument", "phq-9"],
        &[
            "fhir",
            "questionnaire",
            "--instrument",
            "phq-9",
            "--response",
            "x.json",
        ],
    ] {
        let out = alliance(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("alliance fhir --help"),
            "{}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).lines().count(), 1);
    }
    let out = alliance(&["fhir", "questionnaire", "--instrument", "calpas"]);
    assert_eq!(out.status.code(), Some(1));
    Ok(())
}

/// A WAI-SR response with two bad answers (item 3 off the scale, item 9 a code it does not
/// offer), found by its questionnaire canonical.
const WAI_SR_TWO_BAD: &str = r#"{"resourceType": "QuestionnaireResponse", "id": "qr-1",
  "status": "completed",
  "questionnaire": "https://therapeutic-alliance.example/fhir/Questionnaire/wai-sr|client-form",
  "subject": {"reference": "Patient/secret-17"},
  "item": [{"linkId": "3", "answer": [{"valueInteger": 7}]},
           {"linkId": "9", "answer": [{"valueCoding": {"code": "often"}}]}]}"#;

#[test]
fn alliance_fhir_score_reports_every_error() -> TestResult {
    let dir = std::env::temp_dir().join(format!("alliance-fhir-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let bad = dir.join("wai-sr.json");
    std::fs::write(&bad, WAI_SR_TWO_BAD)?;
    let bad = bad.to_string_lossy().into_owned();
    // Found by its canonical, or named: both errors, one line each.
    for extra in [&[][..], &["--instrument", "wai-sr"]] {
        let mut args = vec!["fhir", "score", "--response", bad.as_str()];
        args.extend_from_slice(extra);
        let out = alliance(&args);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stderr(&out),
            format!(
                "alliance: error: {bad}: item 3: value 7 is outside the response range 1 to 5\n\
                 alliance: error: {bad}: linkId \"9\": answer code \"often\" is not an option of the item\n"
            )
        );
        args.extend_from_slice(&["--errors", "json"]);
        let out = alliance(&args);
        assert_eq!(out.status.code(), Some(1));
        let lines: Vec<Value> = stderr(&out)
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        let found: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l["code"].as_str().unwrap_or_default(),
                    l["location"]["path"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("out_of_range", "/item/0/answer/0"),
                ("unknown_answer_code", "/item/1/answer/0/valueCoding")
            ]
        );
        assert_eq!(
            (&lines[0]["item"], &lines[1]["link_id"]),
            (&Value::from("3"), &Value::from("9"))
        );
        assert!(!stderr(&out).contains("secret-17"));
    }
    // A good one: the Observation is derived from the response and issued when asked.
    let good = dir.join("srs.json");
    let body = data("fhir/srs_response.json")?;
    let mut json: Value = serde_json::from_str(&body)?;
    json["id"] = Value::from("qr-9");
    std::fs::write(&good, json.to_string())?;
    let good = good.to_string_lossy().into_owned();
    let out = alliance(&[
        "fhir",
        "score",
        "--response",
        &good,
        "--issued",
        "2026-03-02T10:15:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let obs: Value = serde_json::from_str(&stdout(&out))?;
    assert_eq!(obs["issued"], "2026-03-02T10:15:00Z");
    assert_eq!(
        obs["derivedFrom"][0]["reference"],
        "QuestionnaireResponse/qr-9"
    );
    // Without --issued: now, as an instant in UTC.
    let out = alliance(&["fhir", "score", "--response", &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    let obs: Value = serde_json::from_str(&stdout(&out))?;
    let issued = obs["issued"].as_str().unwrap_or_default();
    assert!(
        issued.len() == 20 && issued.ends_with('Z') && issued.starts_with("20"),
        "{issued}"
    );
    // A bad --issued is an input error like the response's.
    let out = alliance(&["fhir", "score", "--response", &good, "--issued", "today"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a FHIR instant"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
