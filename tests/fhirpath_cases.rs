//! Cases for the CI check of the Questionnaires' score expressions by a real FHIRPath engine
//! (`.ci/fhirpath/check.mjs`, npm's `fhirpath`, pinned in `.ci/fhirpath/package.json`).
//!
//! `FHIRPATH_CASES=DIR cargo test --test fhirpath_cases -- --ignored` writes one JSON file per
//! catalog instrument and FHIR release into `DIR`: the Questionnaire as [`Questionnaire::of`]
//! writes it, and QuestionnaireResponses to it *without their score group* (item answers
//! alone: complete, prorated and unscored), each with the crate's scores in the instrument's
//! primary metric (`null` for a score the crate leaves unscored). The node script evaluates
//! every score item's `calculatedExpression` on each response and compares.
//!
//! `cargo test` builds the same cases without writing them and checks that each instrument has
//! complete and (where its rule allows it) prorated and unscored cases.
#![cfg(feature = "fhir")]

use therapeutic_alliance::fhir::{Questionnaire, QuestionnaireResponse, Settings};
use therapeutic_alliance::{Administration, Instrument, TotalRule, catalog};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A small deterministic generator (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The answer sets of one instrument: all lowest, all highest, then seeded random ones with
/// about one item in six missing.
fn answer_sets(inst: &Instrument, seed: u64) -> Vec<Vec<Option<f64>>> {
    let scale = inst.scale();
    let k = inst.items().len();
    let factor = 10f64.powi(i32::from(scale.decimals()));
    let steps = ((scale.max() - scale.min()) / scale.step()).round() as u64;
    let value = |s: u64| ((scale.min() + s as f64 * scale.step()) * factor).round() / factor;
    let mut sets = vec![vec![Some(scale.min()); k], vec![Some(scale.max()); k]];
    let mut rng = Lcg(seed);
    for round in 0..40 {
        let missing_one_in = if round < 8 { u64::MAX } else { 6 };
        sets.push(
            (0..k)
                .map(|_| {
                    let gone = missing_one_in != u64::MAX && rng.below(missing_one_in) == 0;
                    (!gone).then(|| value(rng.below(steps + 1)))
                })
                .collect(),
        );
    }
    // One item missing at a time: prorated where the rule allows it, unscored where not.
    for i in 0..k {
        let mut set: Vec<Option<f64>> = (0..k).map(|_| Some(value(rng.below(steps + 1)))).collect();
        if let Some(slot) = set.get_mut(i) {
            *slot = None;
        }
        sets.push(set);
    }
    sets
}

/// One instrument's cases in one release, and how many were complete, prorated, unscored.
fn cases(
    inst: &Instrument,
    settings: &Settings,
) -> Result<(serde_json::Value, [usize; 3]), Box<dyn std::error::Error>> {
    let metric = inst.primary_metric();
    let mut counts = [0usize; 3];
    let mut responses = Vec::new();
    for (n, values) in answer_sets(inst, 17).into_iter().enumerate() {
        let adm = Administration::from_values(inst, &values)?;
        let scores = adm.score();
        let mut expected = serde_json::Map::new();
        let mut prorated = false;
        let mut unscored = false;
        let targets = scores
            .subscales()
            .map(|(sub, r)| (format!("score/{}", sub.id()), r))
            .chain(scores.total().map(|r| ("score/total".to_owned(), r)));
        for (link, result) in targets {
            let value = result.score().map(|s| {
                prorated |= s.is_prorated();
                s.get(metric)
            });
            unscored |= value.is_none();
            expected.insert(
                link,
                value.map_or(serde_json::Value::Null, serde_json::Value::from),
            );
        }
        let kind = if unscored { 2 } else { usize::from(prorated) };
        if let Some(c) = counts.get_mut(kind) {
            *c += 1;
        }
        // The response without its score group: the expressions see item answers alone.
        let mut qr = QuestionnaireResponse::of(&adm, settings);
        qr.item.retain(|i| !i.link_id.starts_with("score"));
        assert!(qr.item.iter().all(|i| i.answer.len() == 1));
        responses.push(serde_json::json!({
            "case": format!("{}-{n}", ["complete", "prorated", "unscored"].get(kind).copied().unwrap_or("case")),
            "response": serde_json::to_value(&qr)?,
            "expected": expected,
        }));
    }
    let release = settings.release().to_string();
    Ok((
        serde_json::json!({
            "instrument": inst.id(),
            "release": release,
            "questionnaire": serde_json::to_value(Questionnaire::of(inst, settings))?,
            "responses": responses,
        }),
        counts,
    ))
}

/// Builds every case, writing them into `dir` when given.
fn build(dir: Option<&std::path::Path>) -> TestResult {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    for settings in [Settings::r4(), Settings::r5()] {
        for inst in catalog::all() {
            let (json, [complete, prorated, unscored]) = cases(inst, &settings)?;
            assert!(complete > 0, "{}", inst.id());
            // The WAI family prorates (3 of 4); every instrument leaves some case unscored.
            if inst.items().len() >= 4 && inst.id().starts_with("wai") {
                assert!(prorated > 0, "{}", inst.id());
            }
            assert!(
                unscored > 0 || inst.total_rule() == TotalRule::None,
                "{}",
                inst.id()
            );
            if let Some(dir) = dir {
                let name = format!("{}-{}.json", inst.id(), settings.release());
                std::fs::write(dir.join(name), serde_json::to_string_pretty(&json)?)?;
            }
        }
    }
    Ok(())
}

#[test]
fn the_cases_cover_complete_prorated_and_unscored_responses() -> TestResult {
    build(None)
}

#[test]
#[ignore = "writes the FHIRPath CI cases; run by .ci/run with FHIRPATH_CASES=DIR"]
fn write_fhirpath_cases() -> TestResult {
    let dir = std::env::var_os("FHIRPATH_CASES").ok_or("set FHIRPATH_CASES to a directory")?;
    build(Some(std::path::Path::new(&dir)))
}
