use super::*;
use crate::{Component, Confidence, Keying, Modality, Part, Rater, ScaleKind};

#[test]
fn catalog_builds() {
    assert!(build().is_ok(), "{:?}", build().err());
    assert_eq!(all().len(), 12);
    let mut ids: Vec<_> = all().iter().map(|i| i.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12, "ids are unique");
}

/// (id, items, scale min, max, reversed item ids, [(part, item ids)]) from INSTRUMENTS.md.
type Key = (
    &'static str,
    usize,
    f64,
    f64,
    Vec<&'static str>,
    Vec<(Part, Vec<u32>)>,
);

fn published_keys() -> Vec<Key> {
    let g = Part::Component(Component::Goals);
    let c = Part::Component(Component::Collaboration);
    let b = Part::Component(Component::Bond);
    vec![
        (
            "wai-sr",
            12,
            1.0,
            5.0,
            vec![],
            vec![
                (c, vec![1, 2, 10, 12]),
                (b, vec![3, 5, 7, 9]),
                (g, vec![4, 6, 8, 11]),
            ],
        ),
        (
            "wai-s",
            12,
            1.0,
            7.0,
            vec!["4", "10"],
            vec![
                (c, vec![1, 2, 8, 12]),
                (b, vec![3, 5, 7, 9]),
                (g, vec![4, 6, 10, 11]),
            ],
        ),
        (
            "wai",
            36,
            1.0,
            7.0,
            vec![
                "7", "11", "15", "31", "33", "1", "20", "29", "3", "9", "10", "12", "27", "34",
            ],
            vec![
                (c, vec![2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35]),
                (b, vec![1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36]),
                (g, vec![3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34]),
            ],
        ),
        (
            "srs",
            4,
            0.0,
            10.0,
            vec![],
            vec![
                (b, vec![1]),
                (g, vec![2]),
                (c, vec![3]),
                (Part::Global, vec![4]),
            ],
        ),
        (
            "tasc-r",
            12,
            1.0,
            4.0,
            vec!["2", "5", "7", "8", "11"],
            vec![(Part::Global, (1..=12).collect())],
        ),
        (
            "arm-5",
            5,
            1.0,
            7.0,
            vec!["3"],
            vec![(Part::Global, (1..=5).collect())],
        ),
    ]
}

#[test]
fn published_keys_match_instruments_md() {
    for (id, n, lo, hi, reversed, parts) in published_keys() {
        let inst = require(id).expect("in catalog");
        assert_eq!(inst.items().len(), n, "{id}");
        assert_eq!((inst.scale().min(), inst.scale().max()), (lo, hi), "{id}");
        assert_eq!(inst.modality(), Modality::General);
        assert_eq!(inst.rater(), Rater::Client);
        for (i, item) in inst.items().iter().enumerate() {
            assert_eq!(item.id(), (i + 1).to_string(), "{id}: items are numbered");
            assert_eq!(item.text(), None, "{id}: no copyrighted wording ships");
            assert_eq!(
                item.is_reversed(),
                reversed.contains(&item.id()),
                "{id} item {}",
                item.id()
            );
        }
        for (part, numbers) in parts {
            let got: Vec<u32> = inst
                .items()
                .iter()
                .filter(|i| i.part() == part)
                .filter_map(|i| i.id().parse().ok())
                .collect();
            assert_eq!(got, numbers, "{id} {part}");
        }
        assert!(inst.licence().is_some_and(|l| l.contains("copyrighted")));
        assert!(inst.citation().is_some());
        assert_ne!(inst.provenance().confidence(), Confidence::Unconfirmed);
        assert_ne!(inst.provenance().confidence(), Confidence::Unvalidated);
    }
    assert_eq!(
        require("srs").expect("srs").scale().kind(),
        ScaleKind::VisualAnalogue
    );
    assert_eq!(
        require("wai-sr").expect("wai-sr").provenance().confidence(),
        Confidence::Confirmed
    );
}

#[test]
fn modality_forms_are_parallel_and_described() {
    for m in [Modality::Cbt, Modality::Psychodynamic, Modality::Humanistic] {
        let client = require(&format!("{m}-client")).expect("client form");
        let therapist = require(&format!("{m}-therapist")).expect("therapist form");
        assert_eq!(
            (client.rater(), therapist.rater()),
            (Rater::Client, Rater::Therapist)
        );
        for form in [&client, &therapist] {
            assert_eq!(form.modality(), m);
            assert_eq!(form.items().len(), 12);
            assert_eq!(form.provenance().confidence(), Confidence::Unvalidated);
            for c in Component::ALL {
                assert_eq!(form.part_items(c.into()), 4, "{} {c}", form.id());
            }
            assert!(form.items().iter().filter(|i| i.is_reversed()).count() >= 2);
            assert!(
                form.items()
                    .iter()
                    .all(|i| i.text().is_some_and(|t| t.ends_with('.')))
            );
        }
        for (a, b) in client.items().iter().zip(therapist.items()) {
            assert_eq!(
                (a.id(), a.part(), a.keying()),
                (b.id(), b.part(), b.keying())
            );
            assert_ne!(a.text(), b.text());
        }
        // Client wording speaks of "my therapist" or "I", therapist wording of "my client".
        assert!(
            therapist
                .items()
                .iter()
                .all(|i| i.text().is_some_and(|t| !t.contains("my therapist")))
        );
        assert!(
            client
                .items()
                .iter()
                .all(|i| i.text().is_some_and(|t| !t.contains("my client")))
        );
        let reversed: Vec<_> = client
            .items()
            .iter()
            .filter(|i| i.keying() == Keying::Reversed)
            .map(|i| i.id())
            .collect();
        assert_eq!(reversed, ["4", "8", "12"]);
    }
}
