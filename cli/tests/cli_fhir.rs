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

    // A response that cannot be scored: one line naming the linkId, exit status 1.
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
            "alliance: error: {bad}: linkId \"13\": instrument phq-9 has no item with this linkId\n"
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
