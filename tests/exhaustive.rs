//! Every prorated score is exact: for each catalog instrument whose subscales have at most four
//! items (WAI-SR, WAI-S, the modality forms), every combination of each subscale's answered count
//! and keyed sum that the missing-item rule scores is realised as a row, and every subscale and
//! total score (sum, mean, percent of maximum) is checked to be the correctly rounded value of its
//! exact rational, computed independently here with arbitrary-precision rationals. Keys: the
//! catalog pages `catalog::wai_sr`, `catalog::wai_s` and `catalog::modality`.
#![cfg(feature = "serde")]

mod common;

use common::correctly_rounded;
use num_bigint::BigInt;
use num_rational::BigRational;
use therapeutic_alliance::{Instrument, Metric, catalog};

fn r(n: i64, d: i64) -> BigRational {
    BigRational::new(BigInt::from(n), BigInt::from(d))
}

/// One subscale state: answered count and keyed sum (in points; these scales have no decimals).
#[derive(Clone, Copy)]
struct State {
    answered: usize,
    sum: i64,
}

/// Every state the missing-item rule scores for a subscale of `n` items on `lo..=hi`.
fn states(n: usize, required: usize, lo: i64, hi: i64) -> Vec<State> {
    (required..=n)
        .flat_map(|a| {
            let a64 = a as i64;
            (a64 * lo..=a64 * hi).map(move |sum| State { answered: a, sum })
        })
        .collect()
}

/// Fills a row so that each subscale is in its state: keyed answers summing to `sum`, spread as
/// evenly as possible, un-keyed for reversed items; the rest unanswered.
fn realise(inst: &Instrument, chosen: &[State], row: &mut [Option<f64>]) {
    let (lo, hi) = (inst.scale().min() as i64, inst.scale().max() as i64);
    row.fill(None);
    for (sub, st) in inst.subscales().iter().zip(chosen) {
        let mut left = st.sum;
        for (k, id) in sub.items().iter().take(st.answered).enumerate() {
            let remaining = (st.answered - k) as i64;
            // The smallest value that still lets the others reach the sum.
            let keyed = (left - (remaining - 1) * hi).max(lo);
            left -= keyed;
            let i = inst.item_index(id).expect("item");
            let given = if inst.items()[i].is_reversed() {
                lo + hi - keyed
            } else {
                keyed
            };
            row[i] = Some(given as f64);
        }
    }
}

fn check(id: &str) -> usize {
    let inst = catalog::require(id).expect("catalog");
    let (lo, hi) = (inst.scale().min() as i64, inst.scale().max() as i64);
    let k = inst.items().len() as i64;
    let per: Vec<Vec<State>> = inst
        .subscales()
        .iter()
        .map(|s| {
            let n = s.items().len();
            states(n, inst.missing().required(n), lo, hi)
        })
        .collect();
    assert_eq!(per.len(), 3, "{id}: three subscales");
    let mut row = vec![None; inst.items().len()];
    let mut checked = 0;
    for &a in &per[0] {
        for &b in &per[1] {
            for &c in &per[2] {
                let chosen = [a, b, c];
                realise(&inst, &chosen, &mut row);
                let scores = inst.score_values(&row).expect("valid row");
                let mut total = r(0, 1);
                for (sub, st) in inst.subscales().iter().zip(&chosen) {
                    let n = sub.items().len() as i64;
                    let mean = r(st.sum, st.answered as i64);
                    total += &mean * BigInt::from(n);
                    let s = scores.score(sub.id()).expect("scored");
                    assert!(
                        correctly_rounded(s.mean().get(), &mean),
                        "{id} {}",
                        sub.id()
                    );
                }
                let t = scores.score("total").expect("total scored");
                let want = [
                    total.clone(),
                    &total / BigInt::from(k),
                    (&total / BigInt::from(k) - BigInt::from(lo)) * BigInt::from(100)
                        / BigInt::from(hi - lo),
                ];
                for (m, w) in [Metric::Sum, Metric::Mean, Metric::Pomp]
                    .into_iter()
                    .zip(&want)
                {
                    assert!(
                        correctly_rounded(t.get(m), w),
                        "{id} total {m} with {:?}: {} vs {w}",
                        chosen.map(|s| (s.answered, s.sum)),
                        t.get(m)
                    );
                }
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn every_prorated_wai_sr_total_is_exact() {
    // 30 states per subscale (3 of 4 answered: sums 3..15; 4 of 4: 4..20): 27,000 rows.
    assert_eq!(check("wai-sr"), 27_000);
}

#[test]
fn every_prorated_wai_s_total_is_exact() {
    // 44 states per subscale on 1..7: 85,184 rows.
    assert_eq!(check("wai-s"), 85_184);
}

#[test]
fn every_prorated_modality_form_total_is_exact() {
    assert_eq!(check("cbt-client"), 27_000);
}
