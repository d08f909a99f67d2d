//! Property tests for the invariants of scoring and serialization, on catalog instruments and on
//! random user-defined ones (any Likert or decimal line, random subscales, keying and rules).
#![cfg(feature = "serde")]

mod common;

use common::{correctly_rounded, custom_instrument};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
use proptest::prelude::*;
use therapeutic_alliance::{
    Administration, AdministrationRecord, Instrument, Metric, Registry, TotalRule, catalog,
};

/// A catalog or custom instrument and a row of answers on its scale (`None` = unanswered).
fn instrument_and_row() -> impl Strategy<Value = (Instrument, Vec<Option<f64>>)> {
    instrument_and_rows(1..2).prop_map(|(inst, mut rows)| {
        let row = rows.pop().unwrap_or_default();
        (inst, row)
    })
}

/// A catalog or custom instrument and `count` rows of answers on its scale.
fn instrument_and_rows(
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = (Instrument, Vec<Vec<Option<f64>>>)> {
    let catalog_or_custom = prop_oneof![
        (0..catalog::all().len()).prop_map(|i| catalog::all()[i].clone()),
        custom_instrument(),
    ];
    catalog_or_custom.prop_flat_map(move |inst| {
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
        (Just(inst), proptest::collection::vec(row, count.clone()))
    })
}

fn int(v: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(v))
}

/// The exact (sum in points, mean, pomp) of a keyed sum `u` of `a` answered of `n` items, from
/// the definition alone.
fn metrics(u: &BigRational, a: usize, n: usize, lo: i64, hi: i64, res: i64) -> [BigRational; 3] {
    let mean_units = u / int(a as i64);
    let sum = &mean_units * int(n as i64) / int(res);
    let mean = &mean_units / int(res);
    let pomp = (mean_units - int(lo)) * int(100) / int(hi - lo);
    [sum, mean, pomp]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_score_is_the_correctly_rounded_exact_rational((inst, row) in instrument_and_row()) {
        let scores = inst.score_values(&row).expect("valid row");
        let res = 10i64.pow(u32::from(inst.scale().decimals()));
        let units = |v: f64| (v * res as f64).round() as i64;
        let (lo, hi) = (units(inst.scale().min()), units(inst.scale().max()));
        let keyed = |i: usize| -> Option<i64> {
            let u = units(row[i]?);
            Some(if inst.items()[i].is_reversed() { lo + hi - u } else { u })
        };
        let index = |id: &str| inst.item_index(id).expect("subscale items exist");
        let mut total_sum = BigRational::zero();
        let mut all_scored = true;
        for sub in inst.subscales() {
            let answers: Vec<i64> = sub.items().iter().filter_map(|id| keyed(index(id))).collect();
            let (a, n) = (answers.len(), sub.items().len());
            let required = inst.missing().required(n);
            let got = scores.score(sub.id());
            if a == 0 || a < required {
                prop_assert!(got.is_none(), "{} {} scored with {a} of {n}", inst.id(), sub.id());
                all_scored = false;
                continue;
            }
            let got = got.expect("scored");
            let u = int(answers.iter().sum());
            let want = metrics(&u, a, n, lo, hi, res);
            total_sum += &want[0];
            for (m, w) in [Metric::Sum, Metric::Mean, Metric::Pomp].into_iter().zip(&want) {
                prop_assert!(correctly_rounded(got.get(m), w), "{} {} {m}: {} vs {}", inst.id(), sub.id(), got.get(m), w);
            }
        }
        let k = inst.items().len();
        let total = scores.score("total");
        match inst.total_rule() {
            TotalRule::SumOfSubscales if all_scored => {
                let got = total.expect("every subscale scored, so the total is");
                // Exact total in units: the sum of the prorated subscale sums.
                let u = &total_sum * int(res);
                let want = metrics(&u, k, k, lo, hi, res);
                for (m, w) in [Metric::Sum, Metric::Mean, Metric::Pomp].into_iter().zip(&want) {
                    prop_assert!(correctly_rounded(got.get(m), w), "{} total {m}: {} vs {}", inst.id(), got.get(m), w);
                }
            }
            TotalRule::SumOfSubscales => prop_assert!(total.is_none()),
            TotalRule::OverItems => {
                let answers: Vec<i64> = (0..k).filter_map(keyed).collect();
                let a = answers.len();
                if a == 0 || a < inst.missing().required(k) {
                    prop_assert!(total.is_none());
                } else {
                    let got = total.expect("scored");
                    let want = metrics(&int(answers.iter().sum()), a, k, lo, hi, res);
                    for (m, w) in [Metric::Sum, Metric::Mean, Metric::Pomp].into_iter().zip(&want) {
                        prop_assert!(correctly_rounded(got.get(m), w), "{} total {m}", inst.id());
                    }
                }
            }
            _ => prop_assert!(scores.total().is_none()),
        }
    }

    #[test]
    fn scores_stay_in_range((inst, row) in instrument_and_row()) {
        let scores = inst.score_values(&row).expect("valid row");
        let targets = inst.subscales().iter().map(|s| s.id().to_owned()).chain(["total".to_owned()]);
        for t in targets {
            let Some(s) = scores.score(&t) else { continue };
            for m in [Metric::Sum, Metric::Mean, Metric::Pomp] {
                let range = inst.range(&t, m).expect("target exists");
                prop_assert!(range.contains(s.get(m)), "{} {t} {m} = {} not in {range:?}", inst.id(), s.get(m));
            }
            prop_assert!((0.0..=100.0).contains(&s.pomp().get()));
            prop_assert!(s.answered() <= s.items());
        }
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
        let forward = Administration::builder(&inst).answers(answers.clone()).expect("valid").build().expect("valid");
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..answers.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            answers.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let shuffled = Administration::builder(&inst).answers(answers).expect("valid").build().expect("valid");
        prop_assert_eq!(&forward, &shuffled);
        prop_assert_eq!(forward.score(), shuffled.score());
        prop_assert_eq!(forward.score(), inst.score_values(&row).expect("valid"));
        prop_assert_eq!(Administration::from_values(&inst, &row).expect("valid"), forward);
    }

    #[test]
    fn serde_round_trip_is_lossless(
        (inst, row) in instrument_and_row(),
        session in proptest::option::of(0u32..500),
        client in proptest::option::of("[a-z0-9-]{1,12}"),
    ) {
        let mut b = Administration::builder(&inst);
        if let Some(s) = session { b = b.session(s); }
        if let Some(c) = client { b = b.client(c); }
        let adm = b.answers(inst.items().iter().zip(&row).filter_map(|(i, v)| Some((i.id().to_owned(), (*v)?)))).expect("valid").build().expect("valid");
        let json = serde_json::to_string(&adm).expect("serializes");
        // The instrument travels too: a custom one is not in the catalog.
        let inst_json = serde_json::to_string(adm.instrument()).expect("serializes");
        let back_inst: Instrument = serde_json::from_str(&inst_json).expect("instrument deserializes");
        prop_assert_eq!(&back_inst, adm.instrument());
        let mut registry = Registry::new();
        registry.register(back_inst).expect("registers");
        let record: AdministrationRecord = serde_json::from_str(&json).expect("deserializes");
        let back = registry.read(record).expect("validates");
        prop_assert_eq!(&back, &adm);
        prop_assert_eq!(back.score(), adm.score());
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
        let built = Administration::builder(&inst).answer("1", v).and_then(|b| b.build());
        prop_assert_eq!(decoded.is_ok(), inst.scale().accepts(v), "{}: {}", inst.id(), v);
        prop_assert_eq!(decoded.is_ok(), built.is_ok());
        let record: AdministrationRecord = serde_json::from_str(&json).expect("a record");
        let read = Registry::with_catalog().read(record);
        prop_assert_eq!(read.err().map(|e| e.kind().clone()), built.err().map(|e| e.kind().clone()));
    }

    #[test]
    fn any_number_is_accepted_or_refused_without_panic((inst, _) in instrument_and_row(), v in any::<f64>(), bits in any::<u64>()) {
        for v in [v, f64::from_bits(bits)] {
            let id = inst.items()[0].id().to_owned();
            match Administration::builder(&inst).answer(&id, v).and_then(|b| b.build()) {
                Ok(adm) => {
                    prop_assert!(inst.scale().accepts(v));
                    let stored = adm.value(&id).expect("answered");
                    // Only binary noise (1e-12 relative) is read as the step itself.
                    prop_assert!((stored - v).abs() <= 1e-12 * v.abs().max(inst.scale().step()), "{v} stored as {stored}");
                }
                Err(e) => {
                    prop_assert!(!inst.scale().accepts(v));
                    prop_assert_eq!(e.item(), Some(id.as_str()));
                }
            }
        }
    }

    #[test]
    fn any_text_is_accepted_or_refused_without_panic((inst, _) in instrument_and_row(), text in "\\PC{0,12}") {
        let id = inst.items()[0].id().to_owned();
        if let Err(e) = Administration::builder(&inst).answer_text(&id, &text) {
            prop_assert_eq!(e.item(), Some(id.as_str()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn batch_scores_equal_row_scores((inst, rows) in instrument_and_rows(1..20)) {
        let m = therapeutic_alliance::matrix::ResponseMatrix::from_rows(&inst, &rows).expect("valid rows");
        let batch = m.score();
        for (r, row) in rows.iter().enumerate() {
            let single = inst.score_values(row).expect("valid row");
            prop_assert_eq!(batch.scores(r), Some(single.clone()));
            for (sub, _) in single.subscales() {
                for metric in [Metric::Sum, Metric::Mean, Metric::Pomp] {
                    prop_assert_eq!(batch.value(r, sub.id(), metric), single.value(sub.id(), metric));
                }
            }
            prop_assert_eq!(batch.primary(r, "total"), single.primary("total"));
        }
    }

    #[test]
    fn merging_moments_at_any_split_equals_one_pass(
        (inst, rows) in instrument_and_rows(0..40),
        split in any::<prop::sample::Index>(),
    ) {
        use therapeutic_alliance::matrix::{Merge, Moments, ResponseMatrix};
        let m = ResponseMatrix::from_rows(&inst, &rows).expect("valid rows");
        let at = split.index(rows.len() + 1);
        let mut merged = m.moments_of(0..at).expect("range");
        merged.merge(&m.moments_of(at..rows.len()).expect("range")).expect("same instrument");
        prop_assert_eq!(&merged, &m.moments());
        // Chunks collected: the same.
        let chunks = [
            ResponseMatrix::from_rows(&inst, &rows[..at]).expect("valid rows"),
            ResponseMatrix::from_rows(&inst, &rows[at..]).expect("valid rows"),
        ];
        let collected: Moments = chunks.iter().collect();
        prop_assert_eq!(&collected, &m.moments());
        // Row order does not matter either.
        let mut reversed = rows.clone();
        reversed.reverse();
        let back = ResponseMatrix::from_rows(&inst, &reversed).expect("valid rows");
        prop_assert_eq!(back.moments(), m.moments());
    }
}

#[cfg(feature = "parallel")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn parallel_moments_equal_one_thread((inst, rows) in instrument_and_rows(1..4), copies in 17_000usize..35_000) {
        // Enough rows for several chunks on the thread pool.
        let many: Vec<Vec<Option<f64>>> = rows.iter().cycle().take(copies).cloned().collect();
        let m = therapeutic_alliance::matrix::ResponseMatrix::from_rows(&inst, &many).expect("valid rows");
        prop_assert_eq!(m.moments_parallel(), m.moments());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn icc_is_finite_or_a_typed_error(
        rows in proptest::collection::vec(proptest::collection::vec(prop_oneof![-1e6f64..1e6, (0i32..5).prop_map(f64::from), any::<f64>()], 3), 0..8),
    ) {
        match therapeutic_alliance::reliability::IccTable::analyze(&rows) {
            Ok(icc) => {
                for r in icc.forms() {
                    for v in [r.icc, r.f, r.df1, r.df2, r.p].into_iter().chain(r.lower).chain(r.upper) {
                        prop_assert!(v.is_finite(), "{r:?} from {rows:?}");
                    }
                }
            }
            Err(e) => prop_assert_eq!(e.code(), "invalid_table"),
        }
    }
}
