//! Instrument definitions as files: every catalog instrument round-trips through JSON and TOML,
//! `schema_version` is read first, a definition is validated as the builder validates (with the
//! same typed errors), and `schema/instrument.schema.json` agrees with what the crate writes and
//! reads.
#![cfg(feature = "serde")]

mod common;

use common::custom_instrument;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use therapeutic_alliance::{
    Bands, Better, Codes, Comparison, Component, Confidence, Error, ErrorKind, Instrument,
    InstrumentBuilder, Item, Keying, Metric, MissingRule, Modality, Provenance, Rater,
    ReliableChangeAmount, ResponseScale, ScaleKind, ScoringRule, Subscale, Threshold, TotalRule,
    catalog,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const EXAMPLE_JSON: &str = include_str!("../schema/examples/klinik-check.json");
const EXAMPLE_TOML: &str = include_str!("../schema/examples/klinik-check.toml");

/// An instrument that sets every field the definition has.
fn everything() -> Instrument {
    let scale =
        ResponseScale::likert(0, 3, [(0, "Not at all"), (3, "Nearly every day")]).expect("scale");
    Instrument::builder("everything", "Every field", scale)
        .version("test 1")
        .modality(Modality::Cbt)
        .rater(Rater::Observer)
        .items([
            Item::new("1").with_text("First \"quoted\" item"),
            Item::new("2").reversed(),
            Item::new("3").with_keying(Keying::Positive),
            Item::new("4"),
        ])
        .subscales([
            Subscale::for_component(Component::Goals, "Ziele", ["1", "2"]),
            Subscale::new("rest", "Rest", ["3", "4"]),
        ])
        .scoring(ScoringRule::Mean)
        .missing(MissingRule::at_least_items(1).expect("rule"))
        .total(TotalRule::OverItems)
        .citation("A citation")
        .provenance(Provenance::new(Confidence::Secondary, "one source"))
        .license("CC0")
        .threshold(
            Threshold::new("total", Metric::Sum, Comparison::AtOrAbove, 9.0, "high")
                .expect("threshold")
                .with_source("a source"),
        )
        .better(Better::Lower)
        .bands(Bands::new("total", Metric::Sum, [(0.0, "low"), (6.5, "high")]).expect("bands"))
        .reliable_change(
            ReliableChangeAmount::new("total", Metric::Sum, 3.0)
                .expect("amount")
                .with_source("a study"),
        )
        .codes(
            Codes::new("http://example.org")
                .with_instrument("i-1")
                .with_total("t-1")
                .with_item("1", "q-1")
                .with_answer(2.0, "a-2"),
        )
        .build()
        .expect("every field")
}

/// The catalog, an instrument with every field, one of each missing-item rule and the example.
fn instruments() -> Vec<Instrument> {
    let mut all: Vec<Instrument> = catalog::all().to_vec();
    all.push(everything());
    let strict = catalog::require("wai-sr")
        .expect("wai-sr")
        .to_builder()
        .version("strict")
        .missing(MissingRule::strict())
        .build()
        .expect("strict");
    all.push(strict);
    all.push(Instrument::from_json(EXAMPLE_JSON).expect("the example"));
    all
}

fn kind_of<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorKind {
    r.expect_err("an error").kind().clone()
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn every_instrument_round_trips_through_json() -> TestResult {
    for inst in instruments() {
        let text = inst.to_json()?;
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n"), "{text}");
        assert!(text.ends_with("}\n"));
        let back = Instrument::from_json(&text)?;
        assert_eq!(back, inst, "{}", inst.id());
        assert_eq!(back.digest(), inst.digest());
        assert_eq!(back.to_json()?, text);
        // The generic serde path reads the same text as the same instrument.
        assert_eq!(serde_json::from_str::<Instrument>(&text)?, inst);
        // The builder writes what the instrument writes.
        assert_eq!(
            serde_json::to_value(inst.to_builder())?,
            serde_json::to_value(&inst)?
        );
    }
    Ok(())
}

#[cfg(feature = "toml")]
#[test]
fn every_instrument_round_trips_through_toml() -> TestResult {
    for inst in instruments() {
        let text = inst.to_toml()?;
        assert!(text.starts_with("schema_version = 1\n"), "{text}");
        let back = Instrument::from_toml(&text)?;
        assert_eq!(back, inst, "{}", inst.id());
        assert_eq!(back.digest(), inst.digest());
        assert_eq!(back.to_toml()?, text);
        // JSON and TOML hold the same definition.
        assert_eq!(Instrument::from_json(&back.to_json()?)?, inst);
    }
    Ok(())
}

#[test]
fn digests_do_not_depend_on_the_schema_version_field() -> TestResult {
    let wai = catalog::require("wai-sr")?;
    let mut v: Value = serde_json::from_str(&wai.to_json()?)?;
    let with = Instrument::from_json(&v.to_string())?;
    v.as_object_mut().map(|o| o.remove("schema_version"));
    let without = Instrument::from_json(&v.to_string())?;
    assert_eq!(with.digest(), wai.digest());
    assert_eq!(without.digest(), wai.digest());
    assert_eq!(without, wai);
    Ok(())
}

#[test]
fn the_documented_example_loads_from_json_and_toml() -> TestResult {
    let inst = Instrument::from_json(EXAMPLE_JSON)?;
    assert_eq!((inst.id(), inst.version()), ("klinik-check", "de-2026"));
    assert!(inst.item("verstanden").is_some_and(Item::is_reversed));
    let fine = inst.score_values(&[Some(4.0), Some(4.0), Some(2.0)])?;
    assert_eq!(fine.primary("total"), Some(12.0));
    assert!(inst.flags(&fine)?.is_empty());
    let low = inst.score_values(&[Some(3.0), Some(3.0), Some(4.0)])?;
    assert_eq!(low.primary("total"), Some(8.0));
    assert_eq!(inst.flags(&low)?.len(), 1);
    // The TOML file is the same definition (TOML needs the `toml` feature; the dev-dependency
    // reads it through serde otherwise).
    assert_eq!(toml::from_str::<Instrument>(EXAMPLE_TOML)?, inst);
    #[cfg(feature = "toml")]
    assert_eq!(Instrument::from_toml(EXAMPLE_TOML)?, inst);
    // The guide shows both files as they are: it includes them.
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/_documentation/defining_instruments.rs"
    ))?;
    for file in ["klinik-check.json", "klinik-check.toml"] {
        assert!(
            guide.contains(&format!("include_str!(\"../../schema/examples/{file}\")")),
            "the guide includes {file}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// schema_version

fn wai_json() -> Value {
    let text = catalog::require("wai-sr")
        .expect("wai-sr")
        .to_json()
        .expect("json");
    serde_json::from_str(&text).expect("json")
}

/// The version found and the versions supported, if `err` is an unsupported schema version.
fn schema_version(err: &Error) -> Option<(&str, &'static [u32])> {
    match err.kind() {
        ErrorKind::UnsupportedSchemaVersion {
            found, supported, ..
        } => Some((found, supported)),
        _ => None,
    }
}

fn with_version(version: Value) -> String {
    let mut v = wai_json();
    v["schema_version"] = version;
    v.to_string()
}

#[test]
fn a_definition_without_schema_version_is_version_1() -> TestResult {
    let mut v = wai_json();
    v.as_object_mut().map(|o| o.remove("schema_version"));
    assert_eq!(
        Instrument::from_json(&v.to_string())?,
        catalog::require("wai-sr")?
    );
    assert_eq!(
        Instrument::from_json(&with_version(json!(1)))?,
        catalog::require("wai-sr")?
    );
    Ok(())
}

#[test]
fn a_newer_schema_version_is_refused_naming_it() {
    let err = Instrument::from_json(&with_version(json!(2))).unwrap_err();
    assert_eq!(schema_version(&err), Some(("2", &[1][..])));
    assert_eq!(
        (err.code(), err.path()),
        ("unsupported_schema_version", Some("/schema_version"))
    );
    assert_eq!(
        err.to_string(),
        "unsupported schema_version 2: this release reads instrument definitions of schema version 1 \
         (the definition is for a newer release of therapeutic-alliance: update the crate, or write \
         it for a version this release reads)"
    );
    // A version-2 definition may have fields this release does not know: the version is what is
    // reported, not the field.
    let mut v = wai_json();
    v["schema_version"] = json!(2);
    v["weights"] = json!({"1": 2});
    v["items"][0]["weight"] = json!(2);
    let err = Instrument::from_json(&v.to_string()).unwrap_err();
    assert_eq!(err.code(), "unsupported_schema_version", "{err}");
    // Through plain serde too, when schema_version comes first, as the crate writes it (plain
    // serde cannot look ahead: a field before schema_version is read as version 1 reads it).
    let text = catalog::require("wai-sr")
        .expect("wai-sr")
        .to_json()
        .expect("json")
        .replacen("\"schema_version\": 1", "\"schema_version\": 2", 1)
        .replacen("\"id\": \"1\"", "\"id\": \"1\", \"weight\": 2", 1);
    let err = serde_json::from_str::<Instrument>(&text).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unsupported schema_version 2: "),
        "{err}"
    );
}

#[test]
fn a_schema_version_that_is_not_an_integer_is_refused() {
    for (version, found) in [
        (json!("1"), "\"1\""),
        (json!(1.0), "1.0"),
        (json!(1.5), "1.5"),
        (json!(true), "true"),
        (json!(null), "null"),
        (json!(0), "0"),
        (json!(-1), "-1"),
        (json!(u64::MAX), "18446744073709551615"),
    ] {
        let err = Instrument::from_json(&with_version(version.clone())).unwrap_err();
        assert_eq!(
            schema_version(&err),
            Some((found, Instrument::SCHEMA_VERSIONS_READ)),
            "{version}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("schema_version {found}: ")),
            "{message}"
        );
        assert!(message.contains("schema version 1"), "{message}");
        if version.is_string() || version.is_f64() || version.is_boolean() || version.is_null() {
            assert!(
                message.ends_with("(schema_version is an integer, such as 1)"),
                "{message}"
            );
        }
    }
    // An array or table is not a schema version either: a malformed definition.
    let err = Instrument::from_json(&with_version(json!([1]))).unwrap_err();
    assert_eq!(err.code(), "malformed_definition", "{err}");
    assert!(
        err.to_string()
            .contains("expected a schema version (an integer)"),
        "{err}"
    );
}

#[cfg(feature = "toml")]
#[test]
fn toml_schema_versions_are_checked_the_same_way() -> TestResult {
    let text = catalog::require("srs")?.to_toml()?;
    let body = text
        .strip_prefix("schema_version = 1\n")
        .ok_or("version first")?;
    assert_eq!(Instrument::from_toml(body)?, catalog::require("srs")?);
    for (line, found) in [
        ("2", "2"),
        ("\"1\"", "\"1\""),
        ("1.0", "1.0"),
        ("inf", "inf"),
    ] {
        let err = Instrument::from_toml(&format!("schema_version = {line}\n{body}")).unwrap_err();
        assert_eq!(schema_version(&err), Some((found, &[1][..])));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Validation: the file gives the builder's error

/// A definition the builder refuses, written as the builder writes it.
fn refused_definitions() -> Vec<(&'static str, InstrumentBuilder)> {
    let likert = || ResponseScale::likert(1, 5, []).expect("scale");
    let three = || Instrument::builder("three", "Three", likert()).items(["1", "2", "3"]);
    let thresholded = |t: Threshold| three().total(TotalRule::OverItems).threshold(t);
    let wai = catalog::require("wai-sr").expect("wai-sr");
    vec![
        (
            "duplicate item",
            three().item("2").total(TotalRule::OverItems),
        ),
        ("no items", Instrument::builder("none", "None", likert())),
        (
            "bad id",
            Instrument::builder("WAI S", "Bad", likert()).items(["1"]),
        ),
        (
            "bad name",
            Instrument::builder("x", " padded", likert()).items(["1"]),
        ),
        (
            "bad version",
            three().version("v\t2").total(TotalRule::OverItems),
        ),
        (
            "bad citation",
            three().citation("a\u{202e}b").total(TotalRule::OverItems),
        ),
        (
            "bad provenance note",
            three()
                .provenance(Provenance::new(Confidence::Secondary, ""))
                .total(TotalRule::OverItems),
        ),
        (
            "bad item text",
            three()
                .item(Item::new("4").with_text("line\nbreak"))
                .total(TotalRule::OverItems),
        ),
        (
            "bad item id",
            three().item(" 4").total(TotalRule::OverItems),
        ),
        (
            "unknown item",
            three()
                .subscale(Subscale::new("a", "A", ["1", "9"]))
                .total(TotalRule::OverItems),
        ),
        (
            "repeated item",
            three()
                .subscale(Subscale::new("a", "A", ["1", "1"]))
                .total(TotalRule::OverItems),
        ),
        (
            "empty subscale",
            three()
                .subscale(Subscale::new("a", "A", Vec::<String>::new()))
                .total(TotalRule::OverItems),
        ),
        (
            "reserved id",
            three()
                .subscale(Subscale::new("total", "Total", ["1"]))
                .total(TotalRule::OverItems),
        ),
        (
            "component id",
            three()
                .subscale(Subscale::new("bond", "Bond", ["1"]))
                .total(TotalRule::OverItems),
        ),
        (
            "duplicate subscale",
            three()
                .subscales([
                    Subscale::new("a", "A", ["1"]),
                    Subscale::new("a", "B", ["2"]),
                ])
                .total(TotalRule::OverItems),
        ),
        (
            "component twice",
            three().subscales([
                Subscale::new("a", "A", ["1"]).measuring(Component::Bond),
                Subscale::new("b", "B", ["2", "3"]).measuring(Component::Bond),
            ]),
        ),
        (
            "not a partition",
            three().subscale(Subscale::new("a", "A", ["1", "2"])),
        ),
        (
            "unreachable rule",
            three()
                .missing(MissingRule::at_least_items(4).expect("rule"))
                .total(TotalRule::OverItems),
        ),
        (
            "unknown target",
            thresholded(
                Threshold::new("trust", Metric::Sum, Comparison::Below, 5.0, "x").expect("t"),
            ),
        ),
        (
            "threshold out of range",
            thresholded(
                Threshold::new("total", Metric::Sum, Comparison::Below, 16.0, "x").expect("t"),
            ),
        ),
        (
            "bands out of range",
            three().total(TotalRule::OverItems).bands(
                Bands::new("total", Metric::Sum, [(3.0, "low"), (20.0, "high")]).expect("b"),
            ),
        ),
        (
            "reliable change too wide",
            three().total(TotalRule::OverItems).reliable_change(
                ReliableChangeAmount::new("total", Metric::Sum, 13.0).expect("rc"),
            ),
        ),
        (
            "code for an unknown item",
            three()
                .total(TotalRule::OverItems)
                .codes(Codes::new("sys").with_item("9", "c")),
        ),
        (
            "code for an answer off the scale",
            three()
                .total(TotalRule::OverItems)
                .codes(Codes::new("sys").with_answer(2.5, "c")),
        ),
        (
            "a catalog variant with a bad rule",
            wai.to_builder()
                .missing(MissingRule::at_least_items(5).expect("rule")),
        ),
    ]
}

#[test]
fn a_file_gives_the_builders_error_with_its_path() -> TestResult {
    for (what, builder) in refused_definitions() {
        let built = builder.clone().build().expect_err(what);
        assert!(
            built.path().is_some_and(|p| p.starts_with('/')),
            "{what}: {built:?}"
        );
        let json = serde_json::to_string(&builder)?;
        let from_json = Instrument::from_json(&json).expect_err(what);
        assert_eq!(from_json, built, "{what}");
        // Plain serde refuses it with the same message.
        let err = serde_json::from_str::<Instrument>(&json).expect_err(what);
        assert!(
            err.to_string().starts_with(&built.to_string()),
            "{what}: {err}"
        );
        #[cfg(feature = "toml")]
        {
            let toml = toml::to_string(&builder)?;
            assert_eq!(
                Instrument::from_toml(&toml).expect_err(what),
                built,
                "{what}"
            );
        }
    }
    Ok(())
}

#[test]
fn the_paths_name_the_field() {
    let path = |what: &str| {
        let (_, b) = refused_definitions()
            .into_iter()
            .find(|(w, _)| *w == what)
            .expect("a case");
        b.build().expect_err(what).path().map(str::to_owned)
    };
    assert_eq!(path("duplicate item").as_deref(), Some("/items/3/id"));
    assert_eq!(path("no items").as_deref(), Some("/items"));
    assert_eq!(
        path("bad provenance note").as_deref(),
        Some("/provenance/note")
    );
    assert_eq!(
        path("unknown item").as_deref(),
        Some("/subscales/0/items/1")
    );
    assert_eq!(
        path("component twice").as_deref(),
        Some("/subscales/1/component")
    );
    assert_eq!(path("not a partition").as_deref(), Some("/total"));
    assert_eq!(path("unreachable rule").as_deref(), Some("/missing"));
    assert_eq!(
        path("threshold out of range").as_deref(),
        Some("/thresholds/0/value")
    );
    assert_eq!(path("code for an unknown item").as_deref(), Some("/codes"));
}

/// The parts that validate themselves (scale, missing-item rule, threshold, bands, reliable
/// change) give their constructors' errors, located at the part.
#[test]
fn self_validating_parts_keep_their_constructors_errors() -> TestResult {
    let good = wai_json();
    let with = |pointer: &str, value: Value| -> Error {
        let mut v = good.clone();
        match v.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
                v.pointer_mut(parent).expect("parent")[key] = value;
            }
        }
        Instrument::from_json(&v.to_string()).expect_err(pointer)
    };
    let t = |value: f64, message: &str| json!({"target": "total", "metric": "sum", "comparison": "below", "value": value, "message": message});
    let cases: Vec<(Error, ErrorKind, &str)> = vec![
        (
            with("/scale/max", json!(0)),
            kind_of(ResponseScale::likert(1, 0, [])),
            "/scale",
        ),
        (
            with(
                "/scale",
                json!({"kind": "visual_analogue", "min": 0, "max": 10, "decimals": 4}),
            ),
            kind_of(ResponseScale::visual_analogue(0.0, 10.0, 4)),
            "/scale",
        ),
        (
            with("/scale/anchors/1/value", json!(1)),
            kind_of(ResponseScale::likert(1, 5, [(1, "a"), (1, "b")])),
            "/scale",
        ),
        (
            with(
                "/missing",
                json!({"rule": "at_least_fraction", "numerator": 5, "denominator": 4}),
            ),
            kind_of(MissingRule::at_least_fraction(5, 4)),
            "/missing",
        ),
        (
            with("/missing", json!({"rule": "at_least_items", "items": 0})),
            kind_of(MissingRule::at_least_items(0)),
            "/missing",
        ),
        (
            with("/thresholds", json!([t(30.0, "ok"), t(30.0, "")])),
            kind_of(Threshold::new(
                "total",
                Metric::Sum,
                Comparison::Below,
                30.0,
                "",
            )),
            "/thresholds/1/message",
        ),
        (
            with(
                "/bands",
                json!([{"target": "total", "metric": "sum", "bands": [{"from": 20, "label": "a"}, {"from": 20, "label": "b"}]}]),
            ),
            kind_of(Bands::new("total", Metric::Sum, [(20.0, "a"), (20.0, "b")])),
            "/bands/0",
        ),
        (
            with(
                "/reliable_change",
                json!({"target": "total", "metric": "sum", "points": 0}),
            ),
            kind_of(ReliableChangeAmount::new("total", Metric::Sum, 0.0)),
            "/reliable_change/points",
        ),
    ];
    for (err, expected, path) in cases {
        assert_eq!(err.kind(), &expected, "{path}");
        assert_eq!(err.path(), Some(path), "{err}");
    }
    Ok(())
}

#[cfg(feature = "toml")]
#[test]
fn a_non_finite_threshold_in_toml_is_the_constructors_error() -> TestResult {
    let text = format!(
        "{}\n[[thresholds]]\ntarget = \"total\"\nmetric = \"sum\"\ncomparison = \"below\"\nvalue = -inf\nmessage = \"x\"\n",
        catalog::require("wai-sr")?.to_toml()?
    );
    let err = Instrument::from_toml(&text).unwrap_err();
    assert_eq!(
        err.kind(),
        &kind_of(Threshold::new(
            "total",
            Metric::Sum,
            Comparison::Below,
            f64::NEG_INFINITY,
            "x"
        ))
    );
    assert_eq!(err.path(), Some("/thresholds/0/value"));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Malformed text

fn malformed(err: &Error) -> (&'static str, Option<u64>, Option<u64>, &str) {
    match err.kind() {
        ErrorKind::MalformedDefinition {
            format,
            line,
            column,
            reason,
            ..
        } => (format, *line, *column, reason),
        other => panic!("not malformed: {other:?}"),
    }
}

#[test]
fn malformed_json_is_located_by_line_and_column() {
    let err =
        Instrument::from_json("{\n  \"id\": \"x\",\n  \"name\": \"X\",\n  \"colour\": \"blue\"\n}")
            .unwrap_err();
    let (format, line, _, reason) = malformed(&err);
    assert_eq!((format, line), ("JSON", Some(4)));
    assert!(
        reason.starts_with("unknown field `colour`, expected one of"),
        "{reason}"
    );
    assert!(
        err.to_string()
            .starts_with("not a valid instrument definition (JSON, line 4, column "),
        "{err}"
    );

    for (text, needle) in [
        ("{\"id\": \"x\",", "EOF while parsing"),
        ("id,1,2\n", "expected value"),
        ("[]", "an instrument definition"),
        (
            "{\"id\": \"x\", \"name\": \"X\", \"scale\": {\"kind\": \"likert\", \"min\": 1, \"max\": 5}}",
            "missing field `items`",
        ),
        (
            "{\"id\": \"x\", \"name\": \"X\", \"modality\": \"cbtx\"}",
            "unknown modality \"cbtx\": expected general, cbt, psychodynamic or humanistic",
        ),
        (
            "{\"id\": \"x\", \"name\": \"X\", \"items\": \"1\"}",
            "invalid type: string \"1\", expected a sequence",
        ),
        (
            "{\"id\": \"x\", \"name\": \"X\", \"items\": [{\"id\": \"1\", \"weight\": 2}]}",
            "unknown field `weight`",
        ),
        (
            "{\"id\": \"x\", \"name\": \"X\", \"scale\": {\"kind\": \"likert\", \"min\": 1.5, \"max\": 5}}",
            "invalid type",
        ),
    ] {
        let err = Instrument::from_json(text).unwrap_err();
        let (format, line, column, reason) = malformed(&err);
        assert_eq!(format, "JSON");
        assert!(line.is_some() && column.is_some(), "{err}");
        assert!(reason.contains(needle), "{text}: {reason}");
    }
    // A byte-order mark is not an error.
    let bom = format!(
        "\u{feff}{}",
        catalog::require("srs")
            .expect("srs")
            .to_json()
            .expect("json")
    );
    assert!(Instrument::from_json(&bom).is_ok());
}

#[cfg(feature = "toml")]
#[test]
fn malformed_toml_is_located_by_line_and_column() {
    for (text, at, needle) in [
        (
            "id = \"x\"\nname = \"X\"\n\ncolour = \"blue\"\n",
            (4, 1),
            "unknown field `colour`",
        ),
        (
            "id = \"x\"\nname = \n",
            (2, 8),
            "string values must be quoted",
        ),
        (
            "id = \"x\"\nname = \"X\"\nmodality = \"cbtx\"\n",
            (3, 12),
            "unknown modality \"cbtx\"",
        ),
        (
            "id = \"x\"\nname = \"X\"\n",
            (1, 1),
            "missing field `scale`",
        ),
    ] {
        let err = Instrument::from_toml(text).unwrap_err();
        let (format, line, column, reason) = malformed(&err);
        assert_eq!(format, "TOML");
        assert_eq!((line, column), (Some(at.0), Some(at.1)), "{text}: {err}");
        assert!(reason.contains(needle), "{text}: {reason}");
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON Schema

/// The schema, validated by the `jsonschema` crate (draft 2020-12), and read by the tests
/// that compare what it describes with what the crate writes.
struct Schema {
    root: Value,
    /// A validator for the root and for every subschema, by JSON pointer (`#/$defs/label`).
    validators: jsonschema::ValidatorMap,
}

/// The schema, compiled once for the property test's many cases.
static SCHEMA: std::sync::LazyLock<Schema> = std::sync::LazyLock::new(Schema::load);

impl Schema {
    fn load() -> Schema {
        let root: Value =
            serde_json::from_str(Instrument::JSON_SCHEMA).expect("the schema is JSON");
        // A valid draft 2020-12 schema, whose every `$ref` resolves and pattern compiles.
        jsonschema::meta::validate(&root).expect("a valid JSON Schema");
        jsonschema::draft202012::new(&root).expect("the schema compiles");
        let validators = jsonschema::draft202012::options()
            .build_map(&root)
            .expect("the schema compiles");
        Schema { root, validators }
    }

    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference.strip_prefix('#').expect("a local $ref");
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("$ref {reference} resolves"))
    }

    /// The ways `value` breaks the schema (empty if it is valid).
    fn errors(&self, value: &Value) -> Vec<String> {
        self.errors_at("#", value)
    }

    /// The ways `value` breaks the subschema at `pointer` (`#/$defs/label`).
    fn errors_at(&self, pointer: &str, value: &Value) -> Vec<String> {
        let validator = self
            .validators
            .get(pointer)
            .unwrap_or_else(|| panic!("a subschema at {pointer}"));
        validator
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }

    /// Every property path the schema describes (`/scale/anchors/*/label`), through `$ref`s and
    /// the branches of `oneOf`.
    fn paths(&self, schema: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        let Some(o) = schema.as_object() else { return };
        if let Some(r) = o.get("$ref").and_then(Value::as_str) {
            self.paths(self.resolve(r), prefix, out);
        }
        for branch in o
            .get("oneOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.paths(branch, prefix, out);
        }
        for (name, sub) in o
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let path = format!("{prefix}/{name}");
            out.insert(path.clone());
            self.paths(sub, &path, out);
        }
        if let Some(items) = o.get("items") {
            self.paths(items, &format!("{prefix}/*"), out);
        }
    }

    /// The enum (or the `const`s of the `oneOf` branches) at a property path.
    fn values_at(&self, path: &str) -> BTreeSet<String> {
        let mut node = &self.root;
        for step in path.trim_start_matches('/').split('/') {
            node = self.deref(node);
            node = if step == "*" {
                &node["items"]
            } else {
                &node["properties"][step]
            };
        }
        let node = self.deref(node);
        let values: Vec<Value> = match node.get("enum") {
            Some(e) => e.as_array().cloned().unwrap_or_default(),
            None => Vec::new(),
        };
        values
            .iter()
            .map(|v| v.as_str().expect("a name").to_owned())
            .collect()
    }

    fn deref<'a>(&'a self, node: &'a Value) -> &'a Value {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => self.deref(self.resolve(r)),
            None => node,
        }
    }
}

/// Every property path of a written definition, array positions as `*`.
fn instance_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let path = format!("{prefix}/{k}");
                out.insert(path.clone());
                instance_paths(x, &path, out);
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|x| instance_paths(x, &format!("{prefix}/*"), out)),
        _ => {}
    }
}

#[test]
fn the_schema_is_a_draft_2020_12_document_in_the_repository() -> TestResult {
    let schema: Value = serde_json::from_str(Instrument::JSON_SCHEMA)?;
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema["$id"],
        "urn:therapeutic-alliance:instrument-definition:1"
    );
    assert_eq!(
        schema["properties"]["schema_version"]["enum"],
        json!(Instrument::SCHEMA_VERSIONS_READ)
    );
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/instrument.schema.json"
    ))?;
    assert_eq!(file, Instrument::JSON_SCHEMA);
    // Every $ref resolves and every pattern compiles.
    let s = Schema::load();
    let mut paths = BTreeSet::new();
    s.paths(&s.root, "", &mut paths);
    assert!(paths.len() > 50, "{paths:?}");
    Ok(())
}

#[test]
fn every_written_definition_is_valid_under_the_schema() -> TestResult {
    let schema = Schema::load();
    for inst in instruments() {
        let v: Value = serde_json::from_str(&inst.to_json()?)?;
        assert_eq!(schema.errors(&v), Vec::<String>::new(), "{}", inst.id());
    }
    // The hand-written example, with its "$schema" for editors, too.
    let v: Value = serde_json::from_str(EXAMPLE_JSON)?;
    assert_eq!(schema.errors(&v), Vec::<String>::new());
    let v: Value = toml::from_str(EXAMPLE_TOML)?;
    assert_eq!(schema.errors(&v), Vec::<String>::new());
    Ok(())
}

/// The schema describes exactly the fields the crate writes: none missing, none extra.
#[test]
fn the_schema_names_every_field_the_crate_writes_and_no_other() -> TestResult {
    let schema = Schema::load();
    let mut described = BTreeSet::new();
    schema.paths(&schema.root, "", &mut described);
    let mut written = BTreeSet::new();
    for inst in instruments() {
        instance_paths(&serde_json::from_str(&inst.to_json()?)?, "", &mut written);
    }
    // Fields read and never written: the editor's pointer to the schema, and `licence`, the
    // spelling of earlier releases for `license`.
    written.insert("/$schema".to_owned());
    written.insert("/licence".to_owned());
    let missing: Vec<_> = written.difference(&described).collect();
    let extra: Vec<_> = described.difference(&written).collect();
    assert!(
        missing.is_empty(),
        "written but not in the schema: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in the schema but never written: {extra:?}"
    );
    Ok(())
}

#[test]
fn the_schemas_enums_are_the_crates_vocabularies() {
    let schema = Schema::load();
    let names = |all: &[&str]| all.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
    let metric = names(&Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>());
    let cases: Vec<(&str, BTreeSet<String>)> = vec![
        (
            "/modality",
            names(&Modality::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/rater",
            names(&Rater::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/scoring",
            names(
                &ScoringRule::ALL
                    .iter()
                    .map(|x| x.name())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "/total",
            names(&TotalRule::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/better",
            names(&Better::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/provenance/confidence",
            names(&Confidence::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/items/*/keying",
            names(&Keying::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/subscales/*/component",
            names(&Component::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        (
            "/thresholds/*/comparison",
            names(&Comparison::ALL.iter().map(|x| x.name()).collect::<Vec<_>>()),
        ),
        ("/thresholds/*/metric", metric.clone()),
        ("/bands/*/metric", metric.clone()),
        ("/reliable_change/metric", metric),
    ];
    for (path, expected) in cases {
        assert_eq!(schema.values_at(path), expected, "{path}");
    }
    // The variants of the scale and the missing-item rule.
    let consts = |path: &str, tag: &str| -> BTreeSet<String> {
        let node = schema.deref(&schema.root["properties"][path]);
        node["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                b["properties"][tag]["const"]
                    .as_str()
                    .expect("a const")
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        consts("scale", "kind"),
        names(&ScaleKind::ALL.iter().map(|x| x.name()).collect::<Vec<_>>())
    );
    let rules: BTreeSet<String> = [
        MissingRule::strict(),
        MissingRule::at_least_fraction(1, 2).expect("rule"),
        MissingRule::at_least_items(1).expect("rule"),
    ]
    .iter()
    .map(|r| {
        serde_json::to_value(r).expect("json")["rule"]
            .as_str()
            .expect("a rule")
            .to_owned()
    })
    .collect();
    assert_eq!(consts("missing", "rule"), rules);
}

/// The text rules, as the schema's patterns state them, agree with the crate's.
#[test]
fn the_schemas_text_patterns_agree_with_the_crate() -> TestResult {
    let schema = Schema::load();
    for text in [
        "a",
        "Vertrauen",
        "信頼",
        "ثقة",
        "🙂",
        "client form",
        "a\"b\\c",
        "",
        " a",
        "a ",
        "a\tb",
        "a\nb",
        "a\rb",
        "a\u{85}b",
        "a\u{2028}b",
        "a\u{200b}b",
        "a\u{202e}b",
        "a\u{00ad}b",
        "\u{feff}a",
        "a\u{3000}",
        "\u{a0}a",
        "👩\u{200d}⚕\u{fe0f}",
        "a\u{7f}b",
    ] {
        let crate_ok = Instrument::builder("x", text, ResponseScale::likert(1, 5, [])?)
            .items(["1"])
            .total(TotalRule::OverItems)
            .build()
            .is_ok();
        let schema_ok = schema.errors_at("#/$defs/label", &json!(text)).is_empty();
        assert_eq!(schema_ok, crate_ok, "{text:?}");
    }
    let long = "x".repeat(64);
    let too_long = "x".repeat(65);
    for text in [
        "wai-sr", "a", "a--b", "phq-9", "-a", "a-", "A", "a_b", "ä", "a b", &long, &too_long,
    ] {
        let crate_ok = Instrument::builder(text, "X", ResponseScale::likert(1, 5, [])?)
            .items(["1"])
            .total(TotalRule::OverItems)
            .build()
            .is_ok();
        let schema_ok = schema.errors_at("#/properties/id", &json!(text)).is_empty();
        assert_eq!(schema_ok, crate_ok, "{text:?}");
    }
    Ok(())
}

/// What the schema refuses, the crate refuses too; the checks the schema cannot state are
/// refused by the crate alone, and the schema's descriptions say so.
#[test]
fn the_schema_refuses_only_what_the_crate_refuses() -> TestResult {
    let schema = Schema::load();
    let good = wai_json();
    let with = |pointer: &str, value: Value| -> Value {
        let mut v = good.clone();
        match v.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
                v.pointer_mut(parent).expect("parent")[key] = value;
            }
        }
        v
    };
    let without = |key: &str| {
        let mut v = good.clone();
        v.as_object_mut().map(|o| o.remove(key));
        v
    };
    let refused_by_both = [
        without("items"),
        without("name"),
        with("/items", json!([])),
        with("/schema_version", json!(2)),
        with("/schema_version", json!("1")),
        with("/id", json!("WAI SR")),
        with("/name", json!(" padded")),
        with("/version", json!("")),
        with("/modality", json!("cbtx")),
        with("/colour", json!("blue")),
        with("/items/0/keying", json!("backwards")),
        with("/items/0/weight", json!(2)),
        with("/scale/decimals", json!(1)),
        with("/scale/min", json!(-2_000_000)),
        with("/scale/anchors/0/label", json!("a\u{200b}b")),
        with(
            "/scale",
            json!({"kind": "visual_analogue", "min": 0, "max": 10, "decimals": 4}),
        ),
        with("/missing", json!({"rule": "strict", "items": 3})),
        with("/missing", json!({"rule": "at_least_items", "items": 0})),
        with(
            "/missing",
            json!({"rule": "at_least_fraction", "numerator": 0, "denominator": 4}),
        ),
        with("/subscales/0/items", json!([])),
        with("/subscales/0/component", json!("task")),
        with(
            "/thresholds",
            json!([{"target": "total", "metric": "sum", "comparison": "below", "value": 30}]),
        ),
        with(
            "/reliable_change",
            json!({"target": "total", "metric": "sum", "points": 0}),
        ),
        with(
            "/bands",
            json!([{"target": "total", "metric": "sum", "bands": []}]),
        ),
        with("/provenance", json!({"confidence": "confirmed"})),
    ];
    for v in refused_by_both {
        assert!(!schema.errors(&v).is_empty(), "the schema accepts {v}");
        assert!(
            Instrument::from_json(&v.to_string()).is_err(),
            "the crate accepts {v}"
        );
    }
    // Beyond what a schema can state: valid under the schema, refused by the crate, and the
    // schema's descriptions say so.
    let beyond = [
        (
            with("/subscales/0/items/0", json!("13")),
            "subscale_unknown_item",
        ),
        (with("/items/1/id", json!("1")), "duplicate_item"),
        (with("/scale/max", json!(1)), "empty_scale"),
        (
            with("/subscales/1/component", json!("goals")),
            "reserved_subscale_id",
        ),
        (
            with("/missing", json!({"rule": "at_least_items", "items": 5})),
            "unreachable_missing_rule",
        ),
    ];
    for (v, code) in beyond {
        assert_eq!(schema.errors(&v), Vec::<String>::new(), "{v}");
        assert_eq!(
            Instrument::from_json(&v.to_string()).unwrap_err().code(),
            code
        );
    }
    assert!(
        Instrument::JSON_SCHEMA
            .matches("not expressible here")
            .count()
            >= 10
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Random definitions

/// Texts that test escaping in JSON and TOML.
const TEXTS: &[&str] = &[
    "plain",
    "Vertrauen & Zusammenarbeit",
    "\"quoted\" and 'single'",
    "back\\slash \\n not a newline",
    "'''triple''' \"\"\"quotes\"\"\"",
    "# not a comment = [not a table]",
    "信頼 🙂 ثقة",
    "trailing dollar $",
];

/// A random user-defined instrument with texts, a threshold, bands and a reliable-change amount.
fn random_definition() -> impl Strategy<Value = Instrument> {
    (
        custom_instrument(),
        proptest::sample::select(TEXTS),
        proptest::sample::select(TEXTS),
        any::<bool>(),
        0.0f64..=1.0,
        proptest::option::of(0.01f64..1.0),
    )
        .prop_map(|(inst, text, note, lower, at, change)| {
            let items: Vec<Item> = inst
                .items()
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    if i % 2 == 0 {
                        item.clone().with_text(format!("{text} {i}"))
                    } else {
                        item.clone()
                    }
                })
                .collect();
            let mut b = Instrument::builder(inst.id(), text, inst.scale().clone())
                .version(note)
                .items(items)
                .subscales(inst.subscales().to_vec())
                .scoring(inst.scoring())
                .missing(inst.missing())
                .total(inst.total_rule())
                .provenance(Provenance::new(Confidence::Unvalidated, note))
                .better(if lower { Better::Lower } else { Better::Higher });
            let target = if inst.total_rule() == TotalRule::None {
                inst.subscales().first().map(|s| s.id().to_owned())
            } else {
                Some("total".to_owned())
            };
            if let Some(range) = target.as_deref().and_then(|t| inst.range(t, Metric::Mean)) {
                let t = target.clone().unwrap_or_default();
                let value = range.min() + (range.max() - range.min()) * at;
                b = b.threshold(
                    Threshold::new(t.as_str(), Metric::Mean, Comparison::AtOrBelow, value, note)
                        .expect("threshold"),
                );
                if value > range.min() {
                    b = b.bands(
                        Bands::new(
                            t.as_str(),
                            Metric::Mean,
                            [(range.min(), "low"), (value, text)],
                        )
                        .expect("bands"),
                    );
                }
                if let Some(share) = change {
                    b = b.reliable_change(
                        ReliableChangeAmount::new(
                            t.as_str(),
                            Metric::Mean,
                            (range.max() - range.min()) * share,
                        )
                        .expect("amount"),
                    );
                }
            }
            b.build().expect("a valid definition")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_definitions_round_trip(inst in random_definition()) {
        let json = inst.to_json().expect("json");
        let from_json = Instrument::from_json(&json).expect("reads back");
        prop_assert_eq!(&from_json, &inst);
        prop_assert_eq!(from_json.digest(), inst.digest());
        prop_assert!(SCHEMA.errors(&serde_json::from_str(&json).expect("json")).is_empty());
        #[cfg(feature = "toml")]
        {
            let toml = inst.to_toml().expect("toml");
            let from_toml = Instrument::from_toml(&toml).expect("reads back");
            prop_assert_eq!(&from_toml, &inst);
            prop_assert_eq!(from_toml.digest(), inst.digest());
        }
        // Without the feature the dev-dependency writes and reads it through serde.
        let toml = toml::to_string(&inst).expect("toml");
        prop_assert_eq!(&toml::from_str::<Instrument>(&toml).expect("reads back"), &inst);
    }
}
