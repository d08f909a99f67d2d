//! Property tests for the invariants of scoring and serialization.
#![cfg(feature = "serde")]

use proptest::prelude::*;
use std::sync::Arc;
use therapeutic_alliance::{
    Administration, AdministrationRecord, Instrument, Item, Metric, MissingRule, Part,
    ResponseScale, Target, catalog,
};

/// A user-defined instrument: a Likert scale anywhere in -10..=10 or a line with 0-3 decimals,
/// 1-15 items in random parts and keying, and a random missing-item rule.
fn custom_instrument() -> impl Strategy<Value = Arc<Instrument>> {
    let scale = prop_oneof![
        (-10i32..10, 1i32..10).prop_map(|(lo, span)| ResponseScale::likert(lo, lo + span, [])),
        (-20i32..20, 1i32..40, 0u8..=3).prop_map(|(lo, span, d)| {
            ResponseScale::visual_analogue(f64::from(lo), f64::from(lo + span), d)
        }),
    ];
    let items = proptest::collection::vec((0usize..4, any::<bool>()), 1..15);
    let rule = prop_oneof![
        Just(MissingRule::strict()),
        (1u32..=4, 4u32..=5)
            .prop_map(|(n, d)| MissingRule::at_least_fraction(n, d).expect("valid")),
        Just(MissingRule::at_least_items(1).expect("valid")),
    ];
    (scale, items, rule).prop_map(|(scale, items, rule)| {
        let inst = Instrument::builder("custom", "Custom", scale.expect("valid scale"))
            .missing(rule)
            .items(items.iter().enumerate().map(|(i, &(p, rev))| {
                let item = Item::new(format!("q{i}"), Part::ALL[p]);
                if rev { item.reversed() } else { item }
            }))
            .build()
            .expect("valid instrument");
        Arc::new(inst)
    })
}

/// A catalog or custom instrument and a row of answers on its scale (`None` = unanswered).
fn instrument_and_row() -> impl Strategy<Value = (Arc<Instrument>, Vec<Option<f64>>)> {
    let catalog_or_custom = prop_oneof![
        (0..catalog::all().len()).prop_map(|i| catalog::all()[i].clone()),
        custom_instrument(),
    ];
    catalog_or_custom.prop_flat_map(|inst| {
        let r = 10f64.powi(i32::from(inst.scale().decimals()));
        let (lo, hi) = (
            (inst.scale().min() * r).round() as i64,
            (inst.scale().max() * r).round() as i64,
        );
        let n = inst.items().len();
        let row = proptest::collection::vec(
            proptest::option::weighted(0.85, (lo..=hi).prop_map(move |u| u as f64 / r)),
            n,
        );
        (Just(inst), row)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn scores_stay_in_range((inst, row) in instrument_and_row()) {
        let scores = inst.score_values(&row).expect("valid row");
        let targets = inst.parts().map(Target::from).chain([Target::Total]);
        for t in targets {
            let Some(s) = scores.score(t) else { continue };
            for m in [Metric::Sum, Metric::Mean, Metric::PercentOfMaximum] {
                let (lo, hi) = inst.range(t, m).expect("target has items");
                let v = scores.value(t, m).expect("scored");
                prop_assert!(v >= lo - 1e-9 && v <= hi + 1e-9, "{} {t} {m:?} = {v} not in {lo}..{hi}", inst.id());
            }
            prop_assert!((0.0..=100.0).contains(&s.pomp().get()));
            prop_assert!(s.answered() <= s.items());
        }
    }

    #[test]
    fn complete_rows_total_equals_sum_of_parts((inst, row) in instrument_and_row()) {
        let row: Vec<Option<f64>> = row.iter().map(|v| v.or(Some(inst.scale().min()))).collect();
        let scores = inst.score_values(&row).expect("valid row");
        let parts: f64 = scores.parts().filter_map(|(_, p)| p.score()).map(|s| s.sum().get()).sum();
        let total = scores.value(Target::Total, Metric::Sum).expect("complete row is scored");
        prop_assert!((total - parts).abs() <= 1e-9 * total.abs().max(1.0));
    }

    #[test]
    fn reversing_twice_is_identity((inst, row) in instrument_and_row()) {
        for v in row.into_iter().flatten() {
            let once = inst.scale().reverse(v).expect("accepted");
            prop_assert_eq!(inst.scale().reverse(once), Some(v));
            prop_assert!(inst.scale().accepts(once));
        }
    }

    #[test]
    fn answer_order_does_not_matter((inst, row) in instrument_and_row(), seed in any::<u64>()) {
        let mut answers: Vec<(String, f64)> = inst
            .items()
            .iter()
            .zip(&row)
            .filter_map(|(item, v)| Some((item.id().to_owned(), (*v)?)))
            .collect();
        let forward = Administration::builder(inst.clone()).answers(answers.clone()).expect("valid").build().expect("valid");
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..answers.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            answers.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let shuffled = Administration::builder(inst.clone()).answers(answers).expect("valid").build().expect("valid");
        prop_assert_eq!(&forward, &shuffled);
        prop_assert_eq!(forward.score(), shuffled.score());
        prop_assert_eq!(forward.score(), inst.score_values(&row).expect("valid"));
        prop_assert_eq!(Administration::from_values(inst, &row).expect("valid"), forward);
    }

    #[test]
    fn serde_round_trip_is_lossless(
        (inst, row) in instrument_and_row(),
        session in proptest::option::of(0u32..500),
        client in proptest::option::of("[a-z0-9-]{1,12}"),
    ) {
        let mut record = Administration::from_values(inst.clone(), &row).expect("valid").to_record();
        record.session = session;
        record.client = client;
        let adm = Administration::from_record(inst, record).expect("valid");
        let json = serde_json::to_string(&adm).expect("serializes");
        // The instrument travels too: a custom one is not in the catalog.
        let inst_json = serde_json::to_string(&**adm.instrument()).expect("serializes");
        let inst: Instrument = serde_json::from_str(&inst_json).expect("instrument deserializes");
        prop_assert_eq!(&inst, &**adm.instrument());
        let record: AdministrationRecord = serde_json::from_str(&json).expect("deserializes");
        let back = Administration::from_record(Arc::new(inst), record).expect("validates");
        prop_assert_eq!(&back, &adm);
        prop_assert_eq!(&serde_json::to_string(&back).expect("serializes"), &json);
        if catalog::get(adm.instrument().id()).is_some() {
            let direct: Administration = serde_json::from_str(&json).expect("deserializes");
            prop_assert_eq!(direct, adm);
        }
    }

    #[test]
    fn deserialization_validates_like_the_builder(i in 0..catalog::all().len(), v in prop_oneof![-20.0f64..20.0, (-40i32..40).prop_map(|u| f64::from(u) / 4.0)]) {
        let inst = catalog::all()[i].clone();
        let json = format!(r#"{{"instrument":"{}","answers":{{"1":{}}}}}"#, inst.id(), serde_json::to_string(&v).expect("number"));
        let decoded = serde_json::from_str::<Administration>(&json);
        let built = Administration::builder(inst.clone()).answer("1", v).and_then(|b| b.build());
        prop_assert_eq!(decoded.is_ok(), inst.scale().accepts(v), "{}: {}", inst.id(), v);
        prop_assert_eq!(decoded.is_ok(), built.is_ok());
    }

    #[test]
    fn any_number_is_accepted_or_refused_without_panic((inst, _) in instrument_and_row(), v in any::<f64>(), bits in any::<u64>()) {
        for v in [v, f64::from_bits(bits)] {
            let id = inst.items()[0].id().to_owned();
            match Administration::builder(inst.clone()).answer(&id, v).and_then(|b| b.build()) {
                Ok(adm) => {
                    prop_assert!(inst.scale().accepts(v));
                    let stored = adm.value(&id).expect("answered");
                    // Only binary noise (1e-12 relative) is read as the step itself.
                    prop_assert!((stored - v).abs() <= 1e-12 * v.abs().max(inst.scale().step()), "{v} stored as {stored}");
                }
                Err(e) => {
                    prop_assert!(!inst.scale().accepts(v));
                    prop_assert!(e.to_string().contains(&format!("item {id}")), "{e}");
                }
            }
        }
    }
}
