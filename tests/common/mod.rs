//! Helpers shared by the integration tests: an independent oracle for correct rounding, and
//! random user-defined instruments.
// Each test file uses what it needs.
#![allow(dead_code)]

use num_rational::BigRational;
use num_traits::Signed;
use proptest::prelude::*;
use therapeutic_alliance::{
    Component, Instrument, Item, MissingRule, ResponseScale, ScoringRule, Subscale, TotalRule,
};

/// The exact rational of a finite double.
pub fn exact(f: f64) -> BigRational {
    BigRational::from_float(f).expect("finite")
}

/// Whether `f` is the double nearest `x` (ties to even): no neighbour of `f` is nearer.
pub fn correctly_rounded(f: f64, x: &BigRational) -> bool {
    let d = (exact(f) - x).abs();
    let up = (exact(f.next_up()) - x).abs();
    let down = (exact(f.next_down()) - x).abs();
    let even = f.to_bits().is_multiple_of(2);
    (d < up || (d == up && even)) && (d < down || (d == down && even))
}

/// A user-defined instrument: a Likert scale anywhere in -10..=10 or a line with 0-3 decimals,
/// 1-15 items with random keying, split into random subscales (some measuring a component), a
/// random missing-item rule and total rule. Overlapping subscales come with an over-items total.
pub fn custom_instrument() -> impl Strategy<Value = Instrument> {
    let scale = prop_oneof![
        (-10i32..10, 1i32..10).prop_map(|(lo, span)| ResponseScale::likert(lo, lo + span, [])),
        (-20i32..20, 1i32..40, 0u8..=3).prop_map(|(lo, span, d)| {
            ResponseScale::visual_analogue(f64::from(lo), f64::from(lo + span), d)
        }),
    ];
    // Per item: reversed?, which of up to 4 subscales, and whether it is also in an extra one.
    let items = proptest::collection::vec((any::<bool>(), 0usize..4, any::<bool>()), 1..15);
    let rule = prop_oneof![
        Just(MissingRule::strict()),
        (1u32..=4, 4u32..=5)
            .prop_map(|(n, d)| MissingRule::at_least_fraction(n, d).expect("valid")),
        Just(MissingRule::at_least_items(1).expect("valid")),
    ];
    let total = prop_oneof![
        Just(TotalRule::SumOfSubscales),
        Just(TotalRule::OverItems),
        Just(TotalRule::None)
    ];
    (scale, items, rule, total, any::<bool>(), any::<bool>()).prop_map(
        |(scale, items, rule, total, overlap, mean)| {
            let ids: Vec<String> = (0..items.len()).map(|i| format!("q{i}")).collect();
            let mut groups: Vec<Vec<String>> = vec![Vec::new(); 4];
            for (id, &(_, g, _)) in ids.iter().zip(&items) {
                groups[g].push(id.clone());
            }
            let mut subscales: Vec<Subscale> = groups
                .into_iter()
                .enumerate()
                .filter(|(_, g)| !g.is_empty())
                .map(|(n, g)| match Component::ALL.get(n) {
                    Some(&c) if n % 2 == 0 => Subscale::for_component(c, c.name(), g),
                    _ => Subscale::new(format!("s{n}"), format!("Scale {n}"), g),
                })
                .collect();
            let total = if overlap {
                let extra: Vec<String> = ids
                    .iter()
                    .zip(&items)
                    .filter(|(_, i)| i.2)
                    .map(|(id, _)| id.clone())
                    .collect();
                if !extra.is_empty() {
                    subscales.push(Subscale::new("extra", "Extra", extra));
                }
                if total == TotalRule::SumOfSubscales {
                    TotalRule::OverItems
                } else {
                    total
                }
            } else {
                total
            };
            Instrument::builder("custom", "Custom", scale.expect("valid scale"))
                .missing(rule)
                .scoring(if mean {
                    ScoringRule::Mean
                } else {
                    ScoringRule::Sum
                })
                .total(total)
                .items(ids.iter().zip(&items).map(|(id, &(rev, _, _))| {
                    let item = Item::new(id.clone());
                    if rev { item.reversed() } else { item }
                }))
                .subscales(subscales)
                .build()
                .expect("valid instrument")
        },
    )
}
