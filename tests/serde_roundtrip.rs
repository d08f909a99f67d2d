//! Serialization round-trips exactly, and deserialization validates as the constructors do.
#![cfg(feature = "serde")]

use therapeutic_alliance::{
    Administration, AdministrationRecord, Instrument, MissingRule, ResponseScale, Threshold,
    catalog,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn every_catalog_instrument_round_trips() -> TestResult {
    for inst in catalog::all() {
        let json = serde_json::to_string(&**inst)?;
        let back: Instrument = serde_json::from_str(&json)?;
        assert_eq!(&back, &**inst, "{}", inst.id());
        assert_eq!(serde_json::to_string(&back)?, json);
    }
    Ok(())
}

#[test]
fn administration_round_trips_with_context() -> TestResult {
    let srs = catalog::require("srs")?;
    let adm = Administration::builder(srs)
        .client("c-1")
        .therapist("t-9")
        .session(7)
        .date("2026-11-29".parse()?)
        .answer("1", 7.3)?
        .answer("2", 0.1)?
        .answer("4", 10)?
        .build()?;
    let json = serde_json::to_string(&adm)?;
    assert_eq!(
        json,
        r#"{"instrument":"srs","client":"c-1","therapist":"t-9","session":7,"date":"2026-11-29","answers":{"1":7.3,"2":0.1,"4":10}}"#
    );
    let back: Administration = serde_json::from_str(&json)?;
    assert_eq!(back, adm);
    Ok(())
}

fn refuses<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str, needle: &str) {
    match serde_json::from_str::<T>(json) {
        Ok(v) => panic!("accepted {json}: {v:?}"),
        Err(e) => assert!(e.to_string().contains(needle), "{json}: {e}"),
    }
}

#[test]
fn administrations_are_validated_on_the_way_in() {
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{"9":9}}"#,
        "item 9: value 9 is outside the response range 1 to 5",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{"13":3}}"#,
        "instrument wai-sr has no item 13",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{"2":3,"2":4}}"#,
        "item 2 is answered more than once",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{"2":null,"2":4}}"#,
        "item 2 is answered more than once",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{"2":3.5}}"#,
        "not a point of the response scale",
    );
    refuses::<Administration>(
        r#"{"instrument":"haq-ii","answers":{}}"#,
        "no instrument haq-ii in the catalog",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","client":"","answers":{}}"#,
        "invalid client id",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","date":"2026-02-30","answers":{}}"#,
        "invalid date",
    );
    refuses::<Administration>(
        r#"{"instrument":"wai-sr","answers":{},"rater":"client"}"#,
        "unknown field",
    );
    // null means unanswered.
    let adm: Administration =
        serde_json::from_str(r#"{"instrument":"wai-sr","answers":{"1":null,"2":4}}"#)
            .expect("valid");
    assert_eq!(adm.answered(), 1);
}

#[test]
fn records_validate_against_custom_instruments() -> TestResult {
    let record: AdministrationRecord =
        serde_json::from_str(r#"{"instrument":"srs","answers":{"1":9.95}}"#)?;
    let err = Administration::from_record(catalog::require("srs")?, record.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "item 1: value 9.95 is not a point of the response scale (step 0.1)"
    );
    let err = Administration::from_record(catalog::require("wai-sr")?, record).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the administration is of instrument srs, not wai-sr"
    );
    Ok(())
}

#[test]
fn instruments_are_validated_on_the_way_in() -> TestResult {
    let good = serde_json::to_value(&*catalog::require("wai-s")?)?;
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        serde_json::from_value::<Instrument>(v)
    };
    let err = with(&|v| v["items"][1]["id"] = "1".into()).unwrap_err();
    assert!(
        err.to_string().contains("item id 1 is used more than once"),
        "{err}"
    );
    let err = with(&|v| v["items"] = serde_json::json!([])).unwrap_err();
    assert!(err.to_string().contains("has no items"), "{err}");
    let err = with(&|v| v["scale"]["max"] = 1.into()).unwrap_err();
    assert!(
        err.to_string().contains("must be above its minimum"),
        "{err}"
    );
    let err = with(&|v| v["id"] = "WAI S".into()).unwrap_err();
    assert!(err.to_string().contains("invalid instrument id"), "{err}");
    let err = with(&|v| v["items"][0]["part"] = "tasks".into()).unwrap_err();
    assert!(err.to_string().contains("not a known part"), "{err}");
    let err = with(&|v| {
        v["missing"] =
            serde_json::json!({"rule": "at_least_fraction", "numerator": 5, "denominator": 4})
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("invalid missing-item rule"),
        "{err}"
    );
    let err = with(&|v| {
        v["thresholds"] = serde_json::json!([{"target": "total", "metric": "sum", "comparison": "below",
            "value": 90, "message": "x"}])
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("outside its range 12 to 84"),
        "{err}"
    );
    let err = with(&|v| v["colour"] = "blue".into()).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
    Ok(())
}

#[test]
fn parts_round_trip() -> TestResult {
    let scale = ResponseScale::visual_analogue(-5.0, 5.0, 2)?;
    assert_eq!(
        serde_json::from_str::<ResponseScale>(&serde_json::to_string(&scale)?)?,
        scale
    );
    refuses::<ResponseScale>(
        r#"{"kind":"visual_analogue","min":0,"max":10,"decimals":7}"#,
        "at most 3 decimals",
    );
    refuses::<ResponseScale>(
        r#"{"kind":"likert","min":1,"max":5,"anchors":[{"value":9,"label":"x"}]}"#,
        "anchor 9",
    );
    let rule = MissingRule::at_least_items(2)?;
    assert_eq!(
        serde_json::from_str::<MissingRule>(&serde_json::to_string(&rule)?)?,
        rule
    );
    refuses::<MissingRule>(r#"{"rule":"at_least_items","items":0}"#, "at least one");
    refuses::<Threshold>(
        r#"{"target":"total","metric":"sum","comparison":"below","value":1e999,"message":"x"}"#,
        "",
    );
    Ok(())
}
