//! Known-answer tests for scoring. Expected values are worked by hand from the published keys
//! (INSTRUMENTS.md) and written out in each test; comparisons are exact unless a tolerance is named.

use super::*;
use crate::catalog;
use crate::{Administration, Component, Instrument, Item, MissingRule, ResponseScale};
use std::sync::Arc;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn get(id: &str) -> Arc<Instrument> {
    catalog::require(id).expect("catalog instrument")
}

fn t(c: Component) -> Target {
    Target::from(c)
}

#[test]
fn wai_sr_complete_row_by_hand() -> TestResult {
    // Items 1..12 answered 1,2,3,4,5,1,2,3,4,5,1,2.
    // Collaboration 1,2,10,12 -> 1+2+5+2 = 10; bond 3,5,7,9 -> 3+5+2+4 = 14;
    // goals 4,6,8,11 -> 4+1+3+1 = 9; total 33.
    let wai = get("wai-sr");
    let row: Vec<Option<f64>> = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]
        .iter()
        .map(|&v| Some(f64::from(v)))
        .collect();
    let s = wai.score_values(&row)?;
    assert_eq!(
        s.value(t(Component::Collaboration), Metric::Sum),
        Some(10.0)
    );
    assert_eq!(s.value(t(Component::Bond), Metric::Sum), Some(14.0));
    assert_eq!(s.value(t(Component::Goals), Metric::Sum), Some(9.0));
    assert_eq!(s.value(Target::Total, Metric::Sum), Some(33.0));
    assert_eq!(s.value(Target::Total, Metric::Mean), Some(2.75));
    // POMP: (33 - 12) / (60 - 12) * 100 = 43.75 exactly.
    assert_eq!(
        s.value(Target::Total, Metric::PercentOfMaximum),
        Some(43.75)
    );
    assert_eq!(s.get(Target::Part(Part::Global)), None);
    assert_eq!(s.parts().count(), 3);
    Ok(())
}

#[test]
fn prorating_and_not_scored() -> TestResult {
    let wai = get("wai-sr");
    // Goals (4, 6, 8, 11) with 11 missing: 5, 4, 4 -> mean 13/3, sum 52/3.
    let mut row = [Some(3.0); 12];
    row[3] = Some(5.0);
    row[5] = Some(4.0);
    row[7] = Some(4.0);
    row[10] = None;
    let s = wai.score_values(&row)?;
    let goals = s
        .score(t(Component::Goals))
        .copied()
        .ok_or("goals not scored")?;
    assert_eq!((goals.answered(), goals.items()), (3, 4));
    assert!(goals.is_prorated());
    // Single rounding from exact integers: exactly the doubles nearest 52/3 and 13/3.
    assert_eq!(goals.sum().get(), 52.0 / 3.0);
    assert_eq!(goals.mean().get(), 13.0 / 3.0);
    // POMP of the answered items: (13/3 - 1) / 4 * 100 = 250/3.
    assert_eq!(goals.pomp().get(), 250.0 / 3.0);
    // Total = 12 + 12 + 52/3 (prorated goals), answered 11 of 12.
    let total = s.score(Target::Total).copied().ok_or("total not scored")?;
    assert!((total.sum().get() - (24.0 + 52.0 / 3.0)).abs() < 1e-12);
    assert_eq!((total.answered(), total.items()), (11, 12));
    assert!((total.pomp().get() - ((24.0 + 52.0 / 3.0) / 12.0 - 1.0) / 4.0 * 100.0).abs() < 1e-12);

    // Two goals items missing: goals not scored, and so neither is the total.
    row[3] = None;
    let s = wai.score_values(&row)?;
    assert_eq!(
        s.get(t(Component::Goals)),
        Some(&PartScore::NotScored(NotScored::TooFewAnswered {
            answered: 2,
            required: 3,
            items: 4
        }))
    );
    assert_eq!(
        s.total(),
        &PartScore::NotScored(NotScored::PartNotScored {
            part: Part::Component(Component::Goals)
        })
    );
    assert_eq!(s.primary(Target::Total), None);
    assert_eq!(s.primary(t(Component::Bond)), Some(12.0));

    // An empty row scores nothing and does not divide by zero.
    let s = wai.score_values(&[None; 12])?;
    assert!(s.parts().all(|(_, p)| p.score().is_none()));
    Ok(())
}

#[test]
fn strict_rule_scores_only_complete_parts() -> TestResult {
    let wai = get("wai-sr")
        .to_builder()
        .missing(MissingRule::strict())
        .build()?;
    let mut row = [Some(4.0); 12];
    row[0] = None;
    let s = wai.score_values(&row)?;
    assert!(s.score(t(Component::Collaboration)).is_none());
    assert_eq!(s.primary(t(Component::Goals)), Some(16.0));
    Ok(())
}

#[test]
fn reversed_items_use_the_scale_bounds() -> TestResult {
    // WAI-S: items 4 and 10 reversed as 8 - x. Answer 2 everywhere: goals 4, 6, 10, 11 ->
    // 6 + 2 + 6 + 2 = 16; collaboration and bond 8; total 32.
    let s = get("wai-s").score_values(&[Some(2.0); 12])?;
    assert_eq!(s.primary(t(Component::Goals)), Some(16.0));
    assert_eq!(s.primary(t(Component::Bond)), Some(8.0));
    assert_eq!(s.primary(Target::Total), Some(32.0));
    // WAI-36: 14 reversed items. Answer 7 everywhere: 22 items give 7, 14 give 1 -> 168.
    let s = get("wai").score_values(&[Some(7.0); 36])?;
    assert_eq!(s.primary(Target::Total), Some(22.0 * 7.0 + 14.0));
    // TASC-r: 5 reversed of 12 on 1..4. Answer 4: 7 * 4 + 5 * 1 = 33.
    let s = get("tasc-r").score_values(&[Some(4.0); 12])?;
    assert_eq!(s.primary(Target::Total), Some(33.0));
    assert_eq!(s.primary(Target::Part(Part::Global)), Some(33.0));
    Ok(())
}

#[test]
fn pomp_spans_0_to_100() -> TestResult {
    for inst in catalog::all() {
        let k = inst.items().len();
        let keyed_extreme = |high: bool| -> Vec<Option<f64>> {
            inst.items()
                .iter()
                .map(|i| {
                    let top = high != i.is_reversed();
                    Some(if top {
                        inst.scale().max()
                    } else {
                        inst.scale().min()
                    })
                })
                .collect()
        };
        let lo = inst.score_values(&keyed_extreme(false))?;
        let hi = inst.score_values(&keyed_extreme(true))?;
        assert_eq!(
            lo.value(Target::Total, Metric::PercentOfMaximum),
            Some(0.0),
            "{}",
            inst.id()
        );
        assert_eq!(
            hi.value(Target::Total, Metric::PercentOfMaximum),
            Some(100.0),
            "{}",
            inst.id()
        );
        assert_eq!(
            hi.value(Target::Total, Metric::Sum),
            Some(inst.scale().max() * k as f64),
            "{}",
            inst.id()
        );
    }
    Ok(())
}

#[test]
fn srs_sums_are_exact_decimals_and_flag_at_36() -> TestResult {
    let srs = get("srs");
    // 7.3 + 8.1 + 9.9 + 6.8 = 32.1: exactly the double nearest 32.1, no accumulated error.
    let s = srs.score_values(&[Some(7.3), Some(8.1), Some(9.9), Some(6.8)])?;
    assert_eq!(s.primary(Target::Total), Some(32.1));
    assert_eq!(s.primary(Target::Part(Part::Global)), Some(6.8));
    assert_eq!(s.primary(t(Component::Bond)), Some(7.3));
    let at = srs.score_values(&[Some(9.0), Some(9.0), Some(9.0), Some(9.0)])?;
    assert_eq!(srs.flags(&at).count(), 1, "36.0 is at or below 36");
    let above = srs.score_values(&[Some(9.1), Some(9.0), Some(9.0), Some(9.0)])?;
    assert_eq!(srs.flags(&above).count(), 0, "36.1 is above 36");
    // With one line missing nothing is scored: one-item parts need their item.
    let s = srs.score_values(&[Some(9.1), None, Some(9.0), Some(9.0)])?;
    assert_eq!(s.primary(Target::Total), None);
    assert_eq!(srs.flags(&s).count(), 0, "no flag without a score");
    Ok(())
}

#[test]
fn arm_5_scores_the_mean() -> TestResult {
    // Item 3 reversed (8 - x): answers 7, 5, 2, 6, 4 -> 7 + 5 + 6 + 6 + 4 = 28, mean 5.6.
    let arm = get("arm-5");
    let s = arm.score_values(&[Some(7.0), Some(5.0), Some(2.0), Some(6.0), Some(4.0)])?;
    assert_eq!(s.rule_metric(), Metric::Mean);
    assert_eq!(s.primary(Target::Total), Some(5.6));
    assert_eq!(s.value(Target::Total, Metric::Sum), Some(28.0));
    Ok(())
}

#[test]
fn administration_and_row_scoring_agree() -> TestResult {
    let cbt = get("cbt-client");
    let row: Vec<Option<f64>> = (0..12)
        .map(|i| {
            if i == 5 {
                None
            } else {
                Some(f64::from(i % 5 + 1))
            }
        })
        .collect();
    let adm = Administration::from_values(cbt.clone(), &row)?;
    assert_eq!(adm.score(), cbt.score_values(&row)?);
    assert_eq!(cbt.score(&adm)?, adm.score());
    assert!(matches!(
        get("cbt-therapist").score(&adm),
        Err(Error::InstrumentMismatch { .. })
    ));
    Ok(())
}

#[test]
fn score_rows_reports_the_row() {
    let wai = get("wai-sr");
    let mut bad = vec![Some(3.0); 12];
    bad[8] = Some(9.0);
    let rows = vec![vec![Some(3.0); 12], bad];
    let results: Vec<_> = wai.score_rows(&rows).collect();
    assert!(results[0].is_ok());
    let err = results[1].clone().unwrap_err();
    assert_eq!(
        err.to_string(),
        "row 2: item 9: value 9 is outside the response range 1 to 5"
    );
}

#[test]
fn custom_instrument_with_global_and_thresholds() -> TestResult {
    let inst = Instrument::builder("t", "T", ResponseScale::likert(0, 4, [])?)
        .items([
            Item::new("a", Component::Goals),
            Item::new("b", Component::Goals).reversed(),
            Item::new("c", Part::Global),
        ])
        .threshold(crate::Threshold::new(
            Component::Goals.into(),
            Metric::Mean,
            crate::Comparison::Below,
            2.0,
            "low goals",
        )?)
        .build()?;
    // a = 1, b = 4 -> keyed 0; goals mean 0.5; c = 2.
    let s = inst.score_values(&[Some(1.0), Some(4.0), Some(2.0)])?;
    assert_eq!(s.value(t(Component::Goals), Metric::Mean), Some(0.5));
    assert_eq!(s.primary(Target::Total), Some(3.0));
    assert_eq!(s.value(Target::Total, Metric::PercentOfMaximum), Some(25.0));
    let flags: Vec<_> = inst.flags(&s).collect();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].to_string(), "goals mean 0.5 is below 2: low goals");
    Ok(())
}
