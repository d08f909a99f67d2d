//! Known-answer tests for scoring. Expected values are worked by hand from the keys on the
//! catalog's pages (`catalog::wai_sr`, `catalog::wai_s`, `catalog::wai`, `catalog::srs`,
//! `catalog::tasc_r`, `catalog::arm_5`) and written out in each test; comparisons are exact.

use super::*;
use crate::catalog;
use crate::{Administration, Comparison, ErrorKind, Item, MissingRule, ResponseScale, Threshold};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn get(id: &str) -> Instrument {
    catalog::require(id).expect("catalog instrument")
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
    assert_eq!(s.value(Component::Collaboration, Metric::Sum), Some(10.0));
    assert_eq!(s.value(Component::Bond, Metric::Sum), Some(14.0));
    assert_eq!(s.value(Component::Goals, Metric::Sum), Some(9.0));
    assert_eq!(s.value("total", Metric::Sum), Some(33.0));
    assert_eq!(s.value("total", Metric::Mean), Some(2.75));
    // POMP: (33 - 12) / (60 - 12) * 100 = 43.75 exactly.
    assert_eq!(s.value("total", Metric::Pomp), Some(43.75));
    assert!(s.get("global").is_none());
    assert_eq!(s.subscales().len(), 3);
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
    let goals = *s.score(Component::Goals).ok_or("goals not scored")?;
    assert_eq!((goals.answered(), goals.items()), (3, 4));
    assert!(goals.is_prorated());
    // Single rounding from exact integers: exactly the doubles nearest 52/3 and 13/3.
    assert_eq!(goals.sum().get(), 52.0 / 3.0);
    assert_eq!(goals.mean().get(), 13.0 / 3.0);
    assert_eq!(goals.pomp().get(), 250.0 / 3.0);
    // Total = 12 + 12 + 52/3 = 124/3 exactly (one rounding), answered 11 of 12.
    let total = *s.score("total").ok_or("total not scored")?;
    assert_eq!(total.sum().get(), 124.0 / 3.0);
    assert_eq!(total.mean().get(), 31.0 / 9.0);
    // POMP = (124/3 - 12) / 48 * 100 = 2200/36 = 550/9.
    assert_eq!(total.pomp().get(), 550.0 / 9.0);
    assert_eq!((total.answered(), total.items()), (11, 12));

    // Two goals items missing: goals not scored, and so neither is the total.
    row[3] = None;
    let s = wai.score_values(&row)?;
    assert_eq!(
        s.get(Component::Goals).and_then(TargetScore::not_scored),
        Some(&NotScored::TooFewAnswered {
            answered: 2,
            required: 3,
            items: 4
        })
    );
    assert_eq!(
        s.total().and_then(TargetScore::not_scored),
        Some(&NotScored::SubscaleNotScored {
            subscale: "goals".into(),
            answered: 10
        })
    );
    assert_eq!(s.primary("total"), None);
    assert_eq!(s.primary(Component::Bond), Some(12.0));

    // An empty row scores nothing and does not divide by zero.
    let s = wai.score_values(&[None; 12])?;
    assert!(s.subscales().all(|(_, r)| r.score().is_none()));
    Ok(())
}

#[test]
fn prorated_totals_that_are_whole_are_exact() -> TestResult {
    // The case the float sum got wrong: goals 2, 2, 2 of 4 (prorated 8), the rest 2: total 24.
    let wai = get("wai-sr");
    let mut row = [Some(2.0); 12];
    row[10] = None;
    let s = wai.score_values(&row)?;
    assert_eq!(s.primary("total"), Some(24.0));
    assert_eq!(s.value("total", Metric::Pomp), Some(25.0));
    // Two subscales prorated with different answered counts on the WAI: bond 9 of 12 answered
    // and goals 11 of 12, every answer 4.
    let wai36 = get("wai");
    let mut row = [Some(4.0); 36];
    for i in [17, 19, 21] {
        row[i - 1] = None; // bond items 17, 19, 21
    }
    row[2] = None; // goals item 3
    let s = wai36.score_values(&row)?;
    // Every keyed answer is 4 (8 - 4 = 4), so each subscale's mean is 4 and the total 144.
    assert_eq!(s.primary("total"), Some(144.0));
    assert_eq!(s.value("total", Metric::Pomp), Some(50.0));
    Ok(())
}

#[test]
fn strict_rule_scores_only_complete_subscales() -> TestResult {
    let wai = get("wai-sr")
        .to_builder()
        .version("strict")
        .missing(MissingRule::strict())
        .build()?;
    let mut row = [Some(4.0); 12];
    row[0] = None;
    let s = wai.score_values(&row)?;
    assert!(s.score(Component::Collaboration).is_none());
    assert_eq!(s.primary(Component::Goals), Some(16.0));
    Ok(())
}

#[test]
fn reversed_items_use_the_scale_bounds() -> TestResult {
    // WAI-S: items 4 and 10 reversed as 8 - x. Answer 2 everywhere: goals 4, 6, 10, 11 ->
    // 6 + 2 + 6 + 2 = 16; collaboration and bond 8; total 32.
    let s = get("wai-s").score_values(&[Some(2.0); 12])?;
    assert_eq!(s.primary(Component::Goals), Some(16.0));
    assert_eq!(s.primary(Component::Bond), Some(8.0));
    assert_eq!(s.primary("total"), Some(32.0));
    // WAI-36: 14 reversed items. Answer 7 everywhere: 22 items give 7, 14 give 1 -> 168.
    let s = get("wai").score_values(&[Some(7.0); 36])?;
    assert_eq!(s.primary("total"), Some(22.0 * 7.0 + 14.0));
    // TASC-r: 5 reversed of 12 on 1..4. Answer 4: 7 * 4 + 5 * 1 = 33.
    let s = get("tasc-r").score_values(&[Some(4.0); 12])?;
    assert_eq!(s.primary("total"), Some(33.0));
    assert_eq!(s.primary("global"), Some(33.0));
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
        assert_eq!(lo.value("total", Metric::Pomp), Some(0.0), "{}", inst.id());
        assert_eq!(
            hi.value("total", Metric::Pomp),
            Some(100.0),
            "{}",
            inst.id()
        );
        assert_eq!(
            hi.value("total", Metric::Sum),
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
    assert_eq!(s.primary("total"), Some(32.1));
    assert_eq!(s.primary("global"), Some(6.8));
    assert_eq!(s.primary(Component::Bond), Some(7.3));
    let at = srs.score_values(&[Some(9.0), Some(9.0), Some(9.0), Some(9.0)])?;
    assert_eq!(at.flags().len(), 1, "36.0 is at or below 36");
    let above = srs.score_values(&[Some(9.1), Some(9.0), Some(9.0), Some(9.0)])?;
    assert!(above.flags().is_empty(), "36.1 is above 36");
    // With one line missing nothing is scored: one-item subscales need their item.
    let s = srs.score_values(&[Some(9.1), None, Some(9.0), Some(9.0)])?;
    assert_eq!(s.primary("total"), None);
    assert!(s.flags().is_empty(), "no flag without a score");
    Ok(())
}

#[test]
fn arm_5_scores_the_mean() -> TestResult {
    // Item 3 reversed (8 - x): answers 7, 5, 2, 6, 4 -> 7 + 5 + 6 + 6 + 4 = 28, mean 5.6.
    let arm = get("arm-5");
    let s = arm.score_values(&[Some(7.0), Some(5.0), Some(2.0), Some(6.0), Some(4.0)])?;
    assert_eq!(arm.primary_metric(), Metric::Mean);
    assert_eq!(s.primary("total"), Some(5.6));
    assert_eq!(s.value("total", Metric::Sum), Some(28.0));
    Ok(())
}

#[test]
fn administration_and_row_scoring_agree() -> TestResult {
    let cbt = get("cbt-client");
    let row: Vec<Option<f64>> = (0..12)
        .map(|i| (i != 5).then(|| f64::from(i % 5 + 1)))
        .collect();
    let adm = Administration::from_values(&cbt, &row)?;
    assert_eq!(adm.score(), cbt.score_values(&row)?);
    assert_eq!(cbt.flags(&adm.score())?, adm.flags());
    // Scores of one instrument are refused by another's flags, even a parallel form's.
    let err = get("cbt-therapist").flags(&adm.score()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InstrumentMismatch { .. }));
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
    assert_eq!((err.row(), err.item()), (Some(2), Some("9")));
}

#[test]
fn clinic_form_with_an_item_in_two_subscales() -> TestResult {
    // Four scales of a clinic's form; item 2 counts in trust and in bond; total over items.
    let inst = Instrument::builder("clinic", "Clinic form", ResponseScale::likert(0, 4, [])?)
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
        .threshold(Threshold::new(
            "trust",
            Metric::Mean,
            Comparison::Below,
            2.0,
            "low trust",
        )?)
        .build()?;
    // 1 = 1, 2 = 2, 3 = 4 (keyed 0), 4 = 3, 5 = 4.
    let s = inst.score_values(&[Some(1.0), Some(2.0), Some(4.0), Some(3.0), Some(4.0)])?;
    assert_eq!(s.value("trust", Metric::Mean), Some(1.5));
    assert_eq!(s.primary(Component::Bond), Some(2.0));
    assert_eq!(s.primary(Component::Goals), Some(3.0));
    assert_eq!(s.primary("total"), Some(10.0));
    assert_eq!(s.value("total", Metric::Pomp), Some(50.0));
    let flags = s.flags();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].to_string(), "trust mean 1.5 is below 2: low trust");
    assert_eq!(
        inst.score_columns()[..4],
        ["trust_sum", "trust_mean", "trust_pomp", "trust_answered"]
    );
    // A sum-of-subscales total is refused: item 2 is in two subscales, item 5 in ... one.
    let err = inst
        .to_builder()
        .total(TotalRule::SumOfSubscales)
        .build()
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::TotalNeedsPartition {
            instrument: "clinic".into(),
            item: "2".into(),
            subscales: 2
        }
    );
    Ok(())
}

#[test]
fn builder_refuses_bad_subscales() -> TestResult {
    let base = || {
        Instrument::builder("t", "T", ResponseScale::likert(1, 5, []).expect("scale"))
            .items(["1", "2"])
            .total(TotalRule::None)
    };
    let code = |b: crate::InstrumentBuilder| b.build().map_err(|e| e.code()).err();
    assert_eq!(
        code(base().subscale(Subscale::new("total", "T", ["1"]))),
        Some("reserved_subscale_id")
    );
    assert_eq!(
        code(base().subscale(Subscale::new("goals", "G", ["1"]))),
        Some("reserved_subscale_id")
    );
    assert_eq!(
        code(base().subscales([
            Subscale::new("a", "A", ["1"]),
            Subscale::new("a", "B", ["2"])
        ])),
        Some("duplicate_subscale")
    );
    assert_eq!(
        code(base().subscale(Subscale::new("a", "A", Vec::<String>::new()))),
        Some("empty_subscale")
    );
    assert_eq!(
        code(base().subscale(Subscale::new("a", "A", ["1", "1"]))),
        Some("subscale_repeats_item")
    );
    assert_eq!(
        code(base().subscale(Subscale::new("a", "", ["1"]))),
        Some("invalid_text")
    );
    assert_eq!(
        code(base().subscales([
            Subscale::new("a", "A", ["1"]).measuring(Component::Bond),
            Subscale::new("b", "B", ["2"]).measuring(Component::Bond)
        ])),
        Some("component_twice")
    );
    assert_eq!(
        code(base().total(TotalRule::OverItems).threshold(Threshold::new(
            "trust",
            Metric::Sum,
            Comparison::Below,
            3.0,
            "x"
        )?)),
        Some("unknown_target")
    );
    assert_eq!(
        code(base().total(TotalRule::OverItems).threshold(Threshold::new(
            "total",
            Metric::Sum,
            Comparison::Below,
            10.5,
            "x"
        )?)),
        Some("threshold_out_of_range")
    );
    assert_eq!(
        code(
            base()
                .subscale(Subscale::new("a", "A", ["1"]))
                .missing(MissingRule::at_least_items(2)?)
        ),
        Some("unreachable_missing_rule")
    );
    Ok(())
}

#[test]
fn exactness_is_checked_when_building() -> TestResult {
    // 40 subscales of 12 items, every one of which may be prorated: the lcm of 9..=11 per
    // subscale stays small (3960), so it is exact and builds.
    let ids: Vec<String> = (0..480).map(|i| format!("q{i}")).collect();
    let build = |per: usize| {
        Instrument::builder(
            "big",
            "Big",
            ResponseScale::likert(1, 5, []).expect("scale"),
        )
        .items(ids.iter().cloned())
        .subscales(
            ids.chunks(per)
                .enumerate()
                .map(|(n, c)| Subscale::new(format!("s{n}"), "S", c.iter().cloned())),
        )
        .build()
    };
    assert!(build(12).is_ok());
    // Two subscales of 240 items each: the denominator is at most 240 x 240.
    assert!(build(240).is_ok());
    // 96 subscales of 5 (4 or 5 answered): lcm(4) = 4, fine.
    assert!(build(5).is_ok());
    // 24 subscales of 20 that may all be prorated at once with answered counts 15..=19: the
    // product 20^24 overflows, but the lcm of 15..=19 (93,024) bounds every denominator.
    assert!(build(20).is_ok());
    // 4 subscales of 120, answered 90..=119 each: the lcm of those counts and the product
    // 120^4 (2.1e8) - the product is the bound, and it fits.
    assert!(build(120).is_ok());
    // Refused only past i128: twenty subscales of prime sizes 101..=197, whose answered counts
    // (76..=196) have an lcm and a product far beyond i128.
    let sizes = [
        101usize, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
        191, 193, 197,
    ];
    let total: usize = sizes.iter().sum();
    let ids: Vec<String> = (0..total).map(|i| format!("q{i}")).collect();
    let mut start = 0;
    let subscales: Vec<Subscale> = sizes
        .iter()
        .enumerate()
        .map(|(n, &len)| {
            let s = Subscale::new(
                format!("s{n}"),
                "S",
                ids[start..start + len].iter().cloned(),
            );
            start += len;
            s
        })
        .collect();
    let huge = || {
        Instrument::builder(
            "huge",
            "Huge",
            ResponseScale::likert(1, 5, []).expect("scale"),
        )
        .items(ids.iter().cloned())
        .subscales(subscales.clone())
    };
    assert_eq!(huge().build().err().map(|e| e.code()), Some("not_exact"));
    // The same items with a total over items, or a strict rule, are exact.
    assert!(huge().total(TotalRule::OverItems).build().is_ok());
    assert!(huge().missing(MissingRule::strict()).build().is_ok());
    Ok(())
}

#[test]
fn a_threshold_at_half_of_maximum_is_not_crossed_by_rounding() -> TestResult {
    // WAI-S (key: catalog::wai_s), one item missing in each subscale. Goals 4 missing; 6 = 1,
    // 10 = 7 (reversed: 1), 11 = 4 -> 6, prorated 8. Collaboration 12 missing; 1 = 7, 2 = 7,
    // 8 = 5 -> 19, prorated 76/3. Bond 9 missing; 3 = 4, 5 = 4, 7 = 3 -> 11, prorated 44/3.
    // Total 8 + 76/3 + 44/3 = 48 exactly: the midpoint of 12..84, POMP 50. Adding the rounded
    // subscale sums in floating point gives 47.99999999999999 and flags it.
    let wai_s = get("wai-s")
        .to_builder()
        .version("client form, half alert")
        .threshold(Threshold::new(
            "total",
            Metric::Pomp,
            Comparison::Below,
            50.0,
            "below half of maximum",
        )?)
        .build()?;
    let adm = Administration::builder(&wai_s)
        .answers([
            ("6", 1),
            ("10", 7),
            ("11", 4),
            ("1", 7),
            ("2", 7),
            ("8", 5),
            ("3", 4),
            ("5", 4),
            ("7", 3),
        ])?
        .build()?;
    let s = adm.score();
    assert_eq!(s.primary("total"), Some(48.0));
    assert_eq!(s.value("total", Metric::Pomp), Some(50.0));
    assert!(adm.flags().is_empty());
    let float_sum: f64 = s
        .subscales()
        .filter_map(|(_, r)| r.score())
        .map(|x| x.sum().get())
        .sum();
    assert_ne!(
        float_sum, 48.0,
        "the float sum of the rounded parts is off by one ulp"
    );
    Ok(())
}
