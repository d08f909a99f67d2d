//! Serialization round-trips exactly, and deserialization validates as the constructors do,
//! with the same typed errors.
#![cfg(feature = "serde")]

use therapeutic_alliance::{
    Administration, AdministrationRecord, Component, Instrument, Item, MissingRule, Registry,
    ResponseScale, Subscale, Threshold, TotalRule, catalog,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn every_catalog_instrument_round_trips() -> TestResult {
    for inst in catalog::all() {
        let json = serde_json::to_string(inst)?;
        let back: Instrument = serde_json::from_str(&json)?;
        assert_eq!(&back, inst, "{}", inst.id());
        assert_eq!(back.digest(), inst.digest());
        assert_eq!(serde_json::to_string(&back)?, json);
    }
    Ok(())
}

#[test]
fn administration_round_trips_with_context() -> TestResult {
    let srs = catalog::require("srs")?;
    let adm = Administration::builder(&srs)
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
        format!(
            r#"{{"instrument":"srs","version":"3.0","digest":"{}","client":"c-1","therapist":"t-9","session":7,"date":"2026-11-29","answers":{{"1":7.3,"2":0.1,"4":10}}}}"#,
            srs.digest()
        )
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
        "instrument wai-sr has no item \"13\"",
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
        "no instrument \"haq-ii\" is registered (registered: ",
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
fn records_keep_typed_errors() -> TestResult {
    let registry = Registry::with_catalog();
    let read = |json: &str| -> Result<Administration, therapeutic_alliance::Error> {
        let record: AdministrationRecord = serde_json::from_str(json).expect("a record");
        registry.read(record)
    };
    // The same error as the builder gives, with the field path.
    let err = read(r#"{"instrument":"wai-sr","answers":{"2":3,"2":4}}"#).unwrap_err();
    let built = Administration::builder(&catalog::require("wai-sr")?)
        .answer("2", 3)?
        .answer("2", 4)
        .unwrap_err();
    assert_eq!(err.kind(), built.kind());
    assert_eq!(err.path(), Some("/answers/2"));
    let err = read(r#"{"instrument":"wai-sr","date":"2026-02-30","answers":{}}"#).unwrap_err();
    assert_eq!((err.code(), err.path()), ("invalid_date", Some("/date")));
    let err = read(r#"{"instrument":"srs","answers":{"1":9.95}}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "item 1: value 9.95 is not a point of the response scale (step 0.1)"
    );
    Ok(())
}

#[test]
fn a_variant_never_reads_back_as_the_catalog_instrument() -> TestResult {
    // A stricter variant of wai-sr made with to_builder(), even under the catalog's version.
    let strict = catalog::require("wai-sr")?
        .to_builder()
        .missing(MissingRule::strict())
        .build()?;
    let adm = Administration::builder(&strict).answer("1", 4)?.build()?;
    let json = serde_json::to_string(&adm)?;
    let err = serde_json::from_str::<Administration>(&json).unwrap_err();
    assert!(err.to_string().contains("definition digest"), "{err}");
    let record: AdministrationRecord = serde_json::from_str(&json)?;
    let err = Registry::with_catalog().read(record).unwrap_err();
    assert_eq!(err.code(), "definition_mismatch");
    // Registered beside the catalog under its own version, it reads back as itself.
    let strict = strict.to_builder().version("client form, strict").build()?;
    let mut registry = Registry::with_catalog();
    registry.register(strict.clone())?;
    let adm = Administration::builder(&strict).answer("1", 4)?.build()?;
    let back = registry.read(adm.to_record())?;
    assert_eq!(back.instrument(), &strict);
    assert_eq!(back.score(), adm.score());
    // Without a version, the id is now ambiguous.
    let mut record = adm.to_record();
    record.version = None;
    assert_eq!(
        registry.read(record).unwrap_err().code(),
        "ambiguous_version"
    );
    // Registering a different definition under a taken id and version is refused.
    let moved = strict
        .to_builder()
        .missing(MissingRule::default())
        .build()?;
    assert_eq!(
        registry.register(moved).unwrap_err().code(),
        "registry_conflict"
    );
    Ok(())
}

#[test]
fn a_clinic_form_with_an_item_in_two_subscales_round_trips() -> TestResult {
    let form = Instrument::builder(
        "clinic-four",
        "Clinic form",
        ResponseScale::likert(1, 5, [])?,
    )
    .version("2026-11")
    .items([
        Item::new("1"),
        Item::new("2"),
        Item::new("3").reversed(),
        Item::new("4"),
        Item::new("5"),
    ])
    .subscales([
        Subscale::new("trust", "Trust", ["1", "2"]),
        Subscale::for_component(Component::Bond, "Warmth", ["2", "3"]),
        Subscale::for_component(Component::Goals, "Aims", ["4"]),
        Subscale::new("hope", "Hope", ["5"]),
    ])
    .total(TotalRule::OverItems)
    .build()?;
    let json = serde_json::to_string(&form)?;
    let back: Instrument = serde_json::from_str(&json)?;
    assert_eq!(back, form);
    let mut registry = Registry::new();
    registry.register(back)?;
    let adm = Administration::builder(&form)
        .client("c-3")
        .answers([("1", 4), ("2", 2), ("3", 5), ("4", 3), ("5", 4)])?
        .build()?;
    let read = registry.read(serde_json::from_str(&serde_json::to_string(&adm)?)?)?;
    assert_eq!(read, adm);
    let s = read.score();
    assert_eq!(s.primary("trust"), Some(6.0));
    assert_eq!(s.primary(Component::Bond), Some(3.0)); // 2 + (6 - 5)
    assert_eq!(s.primary("total"), Some(14.0));
    Ok(())
}

#[test]
fn non_finite_answers_are_refused_when_serialized() {
    let mut record = AdministrationRecord::new("wai-sr");
    record.answers.push(("1".into(), Some(f64::NAN.into())));
    let err = serde_json::to_string(&record).unwrap_err();
    assert!(
        err.to_string()
            .contains("item 1: value NaN is not a finite number"),
        "{err}"
    );
}

#[test]
fn instruments_are_validated_on_the_way_in() -> TestResult {
    let good = serde_json::to_value(catalog::require("wai-s")?)?;
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
    let err = with(&|v| v["subscales"][0]["component"] = "task".into()).unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown component \"task\": expected goals, collaboration or bond"),
        "{err}"
    );
    let err = with(&|v| v["subscales"][0]["items"][0] = "13".into()).unwrap_err();
    assert!(err.to_string().contains("lists item \"13\""), "{err}");
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
    // Unknown fields are refused everywhere: anchors, the strict missing rule, subscales.
    let err = with(&|v| v["scale"]["anchors"][0]["colour"] = "red".into()).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
    let err =
        with(&|v| v["missing"] = serde_json::json!({"rule": "strict", "items": 3})).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
    let err = with(&|v| v["subscales"][0]["weight"] = 2.into()).unwrap_err();
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
    refuses::<ResponseScale>(
        r#"{"kind":"likert","min":1,"max":5,"anchors":[{"value":2,"label":"a\u200bb"}]}"#,
        "invisible character U+200B",
    );
    let rule = MissingRule::at_least_items(2)?;
    assert_eq!(
        serde_json::from_str::<MissingRule>(&serde_json::to_string(&rule)?)?,
        rule
    );
    refuses::<MissingRule>(r#"{"rule":"at_least_items","items":0}"#, "at least one");
    refuses::<MissingRule>(r#"{"rule":"strict","numerator":1}"#, "unknown field");
    Ok(())
}

#[test]
fn a_non_finite_threshold_is_refused_by_validation() -> TestResult {
    // JSON cannot write infinity (serde_json refuses `1e999` before validation is reached), so
    // the threshold is read from TOML, which can: the refusal below is the crate's own.
    let err = toml::from_str::<Threshold>(
        "target = \"total\"\nmetric = \"sum\"\ncomparison = \"below\"\nvalue = inf\nmessage = \"x\"\n",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("threshold value inf is not a finite number"),
        "{err}"
    );
    let ok: Threshold = toml::from_str(
        "target = \"total\"\nmetric = \"sum\"\ncomparison = \"below\"\nvalue = 30\nmessage = \"x\"\n",
    )?;
    assert_eq!(ok.value(), 30.0);
    Ok(())
}

#[test]
fn errors_serialize_with_code_fields_and_a_nested_location() -> TestResult {
    let err = Administration::builder(&catalog::require("wai-sr")?)
        .answer_text("9", "9")
        .unwrap_err()
        .at_row(2)
        .at_column("9");
    let v = serde_json::to_value(&err)?;
    assert_eq!(v["code"], "out_of_range");
    assert_eq!(
        v["message"],
        "row 2, column \"9\": item 9: value 9 is outside the response range 1 to 5"
    );
    assert_eq!(
        (
            v["location"]["row"].as_u64(),
            v["location"]["column"].as_str()
        ),
        (Some(2), Some("9"))
    );
    assert_eq!(
        (v["item"].as_str(), v["text"].as_str()),
        (Some("9"), Some("9"))
    );
    assert_eq!(v["location"]["path"], "/answers/9");
    assert_eq!(v.get("row"), None);
    Ok(())
}

/// The keys a kind's field could once repeat: serde's derived reader refuses a key given twice
/// ("duplicate field"), which `serde_json::Value` would let pass, keeping the last.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Shape {
    code: String,
    message: String,
    column: Option<String>,
    record: Option<String>,
    location: Location,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Location {
    row: Option<u64>,
    record: Option<String>,
    column: Option<String>,
}

#[test]
fn a_kind_with_its_own_column_or_record_serializes_each_key_once() -> TestResult {
    // A header naming a column twice: the kind's column and the location's.
    let table = therapeutic_alliance::csv::Table::new("id,q,q\n".as_bytes())?;
    let err = table.position("q").unwrap_err();
    let shape: Shape = serde_json::from_str(&serde_json::to_string(&err)?)?;
    assert_eq!(
        (shape.code.as_str(), shape.column.as_deref()),
        ("duplicate_column", Some("q"))
    );
    assert_eq!(
        (shape.location.row, shape.location.column.as_deref()),
        (Some(1), Some("q"))
    );
    // A long file whose rows of one administration are split: the id is in neither the kind
    // nor the location (it is beside the error, outside it).
    let srs = catalog::require("srs")?;
    let text = "id,session,item,value\nSECRET-K,1,1,9\nb,1,1,8\nSECRET-K,1,2,9\n";
    let rows: Vec<_> = therapeutic_alliance::csv::Layout::long()
        .reader(text.as_bytes(), &srs)?
        .collect();
    let Some(Err(err)) = rows.get(2) else {
        panic!("the split rows are refused: {rows:?}");
    };
    assert_eq!(err.record_id(), Some("SECRET-K"));
    let json = serde_json::to_string(err.error())?;
    assert!(!json.contains("SECRET"), "{json}");
    let shape: Shape = serde_json::from_str(&json)?;
    assert_eq!(
        (shape.code.as_str(), shape.record.as_deref()),
        ("not_contiguous", None)
    );
    assert_eq!(
        (shape.location.row, shape.location.record.as_deref()),
        (Some(4), None)
    );
    Ok(())
}

#[test]
fn a_large_user_instrument_reads_back_in_linear_time() -> TestResult {
    // 100,000 items (a 1 MB record): looking up each answer's item is constant time, so reading
    // it back takes a fraction of a second even in a debug build (12 s with a linear search).
    let n = 100_000;
    let ids: Vec<String> = (0..n).map(|i| format!("item-{i}")).collect();
    let inst = Instrument::builder("huge-form", "Huge form", ResponseScale::likert(1, 5, [])?)
        .items(ids.iter().cloned())
        .subscale(Subscale::new("global", "All items", ids.iter().cloned()))
        .build()?;
    let adm = Administration::builder(&inst)
        .answers(
            ids.iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), (i % 5 + 1) as f64)),
        )?
        .build()?;
    let json = serde_json::to_string(&adm)?;
    assert!(json.len() > 1_000_000);
    let mut registry = Registry::new();
    registry.register(inst)?;
    let start = std::time::Instant::now();
    let record: AdministrationRecord = serde_json::from_str(&json)?;
    let back = registry.read(record)?;
    let took = start.elapsed();
    assert_eq!(back, adm);
    assert_eq!(back.score().primary("total"), Some(300_000.0));
    assert!(took.as_secs_f64() < 5.0, "reading took {took:?}");
    eprintln!(
        "read a {} byte record of {n} answers in {took:?}",
        json.len()
    );
    Ok(())
}

#[test]
fn hostile_and_awkward_records() -> TestResult {
    let registry = Registry::with_catalog();
    let read_all = |json: &str| {
        let record: AdministrationRecord = serde_json::from_str(json).expect("a record");
        registry.read_all(record)
    };
    // A web form's text answers are read as numbers; text that is not one is a typed error.
    let adm = read_all(r#"{"instrument":"srs","answers":{"1":"8.5","2":" 9 ","3":8,"4":null}}"#)
        .map_err(|e| e.to_string())?;
    assert_eq!(
        (adm.value("1"), adm.value("2"), adm.value("4")),
        (Some(8.5), Some(9.0), None)
    );
    let errors =
        read_all(r#"{"instrument":"srs","client":"","answers":{"1":10.5,"2":"x","3":"1e400"}}"#)
            .unwrap_err();
    let found: Vec<_> = errors.iter().map(|e| (e.code(), e.path())).collect();
    assert_eq!(
        found,
        [
            ("invalid_text", Some("/client")),
            ("out_of_range", Some("/answers/1")),
            ("not_a_number", Some("/answers/2")),
            ("not_finite", Some("/answers/3")),
        ]
    );
    assert_eq!(
        errors.iter().nth(3).map(ToString::to_string).as_deref(),
        Some("item 3: value 1e400 is not a finite number")
    );
    // A record is a map: a positional array is refused.
    assert!(
        serde_json::from_str::<AdministrationRecord>(
            r#"["srs",null,null,"c-1",null,4,null,{"1":5}]"#
        )
        .is_err()
    );
    // A bidirectional override in an id is refused; the error locates it without the id.
    let err = read_all("{\"instrument\":\"srs\",\"client\":\"c-\\u202e710\",\"answers\":{}}")
        .unwrap_err();
    let first = err.first();
    assert_eq!(
        first.to_string(),
        "invalid client id: it contains the bidirectional control U+202E at character 3"
    );
    // A very long id is refused, and not echoed back at length.
    let long = "c".repeat(100_000);
    let err = read_all(&format!(
        r#"{{"instrument":"srs","client":"{long}","answers":{{}}}}"#
    ))
    .unwrap_err();
    assert!(err.first().to_string().len() < 200, "{}", err.first());
    assert!(
        err.first()
            .to_string()
            .contains("longer than 256 characters")
    );
    // An empty digest is a mismatch that says so plainly.
    let err = read_all(r#"{"instrument":"srs","digest":"","answers":{}}"#).unwrap_err();
    assert!(
        err.first()
            .to_string()
            .contains("has definition digest \"\""),
        "{}",
        err.first()
    );
    Ok(())
}

#[test]
fn definition_errors_locate_and_explain() -> TestResult {
    let mut def = serde_json::to_value(catalog::require("wai-sr")?)?;
    def["thresholds"] = serde_json::json!([{"target": "trust", "metric": "sum", "comparison": "below",
        "value": 10, "message": "low trust"}]);
    let err = serde_json::from_value::<Instrument>(def.clone()).unwrap_err();
    assert!(
        err.to_string().contains(
            "instrument wai-sr has no subscale \"trust\" (it has: \"goals\", \"collaboration\", \"bond\", \"total\")"
        ),
        "{err}"
    );
    let built = catalog::require("wai-sr")?
        .to_builder()
        .threshold(Threshold::new(
            "trust",
            therapeutic_alliance::Metric::Sum,
            therapeutic_alliance::Comparison::Below,
            10.0,
            "low trust",
        )?)
        .build()
        .unwrap_err();
    assert_eq!(built.path(), Some("/thresholds/0/target"));
    // psych's "-A1" keying gets a hint.
    let err = Instrument::builder("bfi", "bfi", ResponseScale::likert(1, 6, [])?)
        .items(["A1", "A2"])
        .subscale(Subscale::new("agree", "Agreeableness", ["-A1", "A2"]))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("Item::new(\"item\").reversed()"),
        "{err}"
    );
    Ok(())
}

#[test]
fn reports_and_flags_store_and_reload() -> TestResult {
    let srs = catalog::require("srs")?;
    let adm = Administration::builder(&srs)
        .client("c-4")
        .session(2)
        .answers([("1", 8.0), ("2", 8.5), ("3", 9.0), ("4", 8.1)])?
        .build()?;
    let report = adm.report();
    let json = serde_json::to_string(&report)?;
    let back: therapeutic_alliance::Report = serde_json::from_str(&json)?;
    assert_eq!(back, report);
    assert_eq!(back.flags[0].score(), 33.6);
    let flags: Vec<therapeutic_alliance::Flag> =
        serde_json::from_str(&serde_json::to_string(&adm.flags())?)?;
    assert_eq!(flags, adm.flags());
    Ok(())
}

/// Bands, the reliable-change amount and codes are validated on the way in, with the errors the
/// builder gives.
#[test]
fn interpretation_is_validated_on_the_way_in() -> TestResult {
    let phq9 = serde_json::to_value(catalog::require("phq-9")?)?;
    let with = |pointer: &str, value: serde_json::Value| -> String {
        let mut v = phq9.clone();
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = value;
        }
        v.to_string()
    };
    use serde_json::json;
    refuses::<Instrument>(
        &with("/bands/0/bands/1/from", json!(0.0)),
        "bounds must be finite and strictly increasing",
    );
    refuses::<Instrument>(
        &with("/bands/0/bands/4/from", json!(30.0)),
        "is outside the range 0 to 27",
    );
    refuses::<Instrument>(&with("/bands/0/target", json!("bond")), "bond");
    refuses::<Instrument>(
        &with("/reliable_change/points", json!(0.0)),
        "it must be finite and positive",
    );
    refuses::<Instrument>(
        &with("/reliable_change/points", json!(28.0)),
        "wider than the score can move",
    );
    refuses::<Instrument>(
        &with("/codes/items/0/item", json!("10")),
        "a code is given for item \"10\"",
    );
    refuses::<Instrument>(
        &with("/codes/answers/0/value", json!(4.0)),
        "a code is given for answer 4, which is not on the response scale",
    );
    refuses::<Instrument>(&with("/better", json!("sideways")), "sideways");
    // The same instrument as written is accepted.
    let back: Instrument = serde_json::from_str(&phq9.to_string())?;
    assert_eq!(back, catalog::require("phq-9")?);
    Ok(())
}
