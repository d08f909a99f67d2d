//! Known-answer test against R psych: `scoreItems(keys, min = 1, max = 6, impute = "none")`, whose
//! person score is the mean of the answered (keyed) items, on the bfi data shipped with psych.
//!
//! Peer: psych 2.2.9 on R 4.2.2 (tests/data/bfi_*.json, see tests/data/PROVENANCE.md).
//! Tolerance: 1e-9 relative, as the reference README asks of a faithful implementation.
#![cfg(feature = "serde")]

use therapeutic_alliance::{
    Instrument, Item, Metric, MissingRule, ResponseScale, ScoringRule, Subscale, TotalRule,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-3)
}

/// The bfi scale as an instrument, as the crate docs' "Coming from R psych" section builds it:
/// 1..6 Likert, mean scoring, scored from a single answered item (psych's impute = "none"),
/// reversed items keyed 7 - x; the scale is a subscale, and the same items once more as the
/// total taken over items.
fn scale_instrument(
    items: &[String],
    reversed: &[String],
) -> Result<Instrument, therapeutic_alliance::Error> {
    Instrument::builder("bfi-scale", "bfi scale", ResponseScale::likert(1, 6, [])?)
        .scoring(ScoringRule::Mean)
        .missing(MissingRule::at_least_items(1)?)
        .items(items.iter().map(|id| {
            let item = Item::new(id.clone());
            if reversed.contains(id) {
                item.reversed()
            } else {
                item
            }
        }))
        .subscale(Subscale::new("scale", "bfi scale", items.iter().cloned()))
        .total(TotalRule::OverItems)
        .build()
}

fn check(reference: &str) -> TestResult {
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}{reference}"))?)?;
    let items: Vec<String> = serde_json::from_value(r["items"].clone())?;
    let reversed: Vec<String> = match &r["reversed"] {
        serde_json::Value::String(s) => vec![s.clone()],
        other => serde_json::from_value(other.clone())?,
    };
    let inst = scale_instrument(&items, &reversed)?;

    let mut reader = csv::Reader::from_path(format!("{DATA}bfi.csv"))?;
    let header = reader.headers()?.clone();
    let columns: Vec<usize> = items
        .iter()
        .map(|id| {
            header
                .iter()
                .position(|h| h == id)
                .ok_or(format!("no column {id}"))
        })
        .collect::<Result<_, _>>()?;
    let mut scores = Vec::new();
    let mut row = vec![None; items.len()];
    for record in reader.records() {
        let record = record?;
        for (slot, &c) in row.iter_mut().zip(&columns) {
            let cell = record.get(c).unwrap_or("");
            *slot = if cell.is_empty() {
                None
            } else {
                Some(cell.parse::<f64>()?)
            };
        }
        let s = inst.score_values(&row)?;
        // The subscale and the over-items total are the same scale here.
        assert_eq!(
            s.value("scale", Metric::Mean),
            s.value("total", Metric::Mean)
        );
        scores.push(s.value("total", Metric::Mean));
    }
    assert_eq!(scores.len(), 2800);

    let expected = &r["score_items"]["impute_none"];
    let first: Vec<f64> = serde_json::from_value(expected["scores_first_50"].clone())?;
    assert_eq!(
        first.len(),
        50,
        "{reference}: the reference has 50 first scores"
    );
    for (i, (got, want)) in scores.iter().zip(&first).enumerate() {
        let got = got.ok_or(format!("row {} not scored", i + 1))?;
        assert!(
            close(got, *want),
            "{reference} row {}: {got} vs psych {want}",
            i + 1
        );
    }
    let scored: Vec<f64> = scores.iter().flatten().copied().collect();
    let mean = scored.iter().sum::<f64>() / scored.len() as f64;
    let want = expected["scores_mean"].as_f64().ok_or("scores_mean")?;
    assert!(
        close(mean, want),
        "{reference}: mean score {mean} vs psych {want}"
    );
    Ok(())
}

#[test]
fn agreeableness_matches_psych_score_items() -> TestResult {
    check("bfi_agree.json")
}

#[test]
fn conscientiousness_matches_psych_score_items() -> TestResult {
    check("bfi_conscientious.json")
}
