//! The catalog against its own pages: each published instrument's key is parsed from the page
//! that documents it (`src/catalog/<id>.rs`, rendered as `catalog::<id>`) and compared with the
//! instrument the crate builds, so the documentation and the data cannot drift apart.

use super::*;
use crate::{Confidence, Keying, Modality, Rater, ScaleKind, ScoringRule, TotalRule};

#[test]
fn catalog_builds() {
    assert!(build().is_ok(), "{:?}", build().err());
    assert_eq!(all().len(), 15);
    let mut ids: Vec<_> = all().iter().map(|i| i.id()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 15, "ids are unique");
    for p in [
        ors::Population::Adult,
        ors::Population::Adolescent,
        ors::Population::Child,
    ] {
        let inst = ors::define(p).expect("ORS definitions are valid");
        assert_eq!(ors::for_population(p), inst);
        assert_eq!(inst.thresholds()[0].value(), p.cutoff());
    }
}

/// The outcome measures against their pages and INSTRUMENTS.md: severity bands, caseness,
/// reliable change, direction and every LOINC code.
#[test]
fn outcome_measures_match_their_pages() {
    for (id, page, items, max, caseness, rc, bands) in [
        (
            "phq-9",
            include_str!("phq_9.rs"),
            9,
            27.0,
            10.0,
            6.0,
            &["minimal", "mild", "moderate", "moderately severe", "severe"][..],
        ),
        (
            "gad-7",
            include_str!("gad_7.rs"),
            7,
            21.0,
            8.0,
            4.0,
            &["minimal", "mild", "moderate", "severe"][..],
        ),
    ] {
        let inst = require(id).expect("in catalog");
        let lines = doc_lines(page);
        assert_eq!(inst.items().len(), items, "{id}");
        assert_eq!(inst.better(), crate::Better::Lower, "{id}");
        assert_eq!(
            inst.range("total", crate::Metric::Sum).map(|r| r.max()),
            Some(max)
        );
        let t = &inst.thresholds()[0];
        assert_eq!(
            (t.value(), t.comparison()),
            (caseness, Comparison::AtOrAbove)
        );
        assert!(field(&lines, "Caseness").contains(&format!("at or above {caseness}")));
        assert_eq!(inst.reliable_change().map(|r| r.points()), Some(rc));
        assert!(field(&lines, "Reliable change").starts_with(&format!("{rc} points")));
        let b = &inst.bands()[0];
        let labels: Vec<_> = b.bands().iter().map(|x| x.label()).collect();
        assert_eq!(labels, bands, "{id}");
        // The page's bands "0-4 minimal, 5-9 mild, ..." give each band's start and end.
        let page_bands = field(&lines, "Severity bands");
        for (n, band) in b.bands().iter().enumerate() {
            let end = b.bands().get(n + 1).map_or(max, |next| next.from() - 1.0);
            assert!(
                page_bands.contains(&format!("{}-{} {}", band.from(), end, band.label())),
                "{id}: {page_bands}"
            );
        }
        // Every code on the page's LOINC line, and no other, is in the definition.
        let codes = inst.codes().expect("LOINC codes");
        let page_codes: String = lines
            .iter()
            .skip_while(|l| !l.starts_with("**LOINC:**"))
            .take_while(|l| !l.starts_with("**Confidence"))
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let mut defined: Vec<String> = codes
            .items()
            .map(|(_, c)| c.to_owned())
            .chain(codes.instrument().map(str::to_owned))
            .chain(codes.total().map(str::to_owned))
            .collect();
        for (value, code) in codes.answers() {
            assert!(page_codes.contains(code) || id == "gad-7", "{id}: {code}");
            assert_eq!(codes.answer(value), Some(code));
        }
        defined.sort();
        for c in &defined {
            assert!(page_codes.contains(c.as_str()), "{id}: {c} not on the page");
        }
        assert_eq!(codes.items().count(), items);
        let item_order: Vec<_> = codes.items().map(|(i, _)| i.to_owned()).collect();
        let numbered: Vec<_> = (1..=items).map(|n| n.to_string()).collect();
        assert_eq!(item_order, numbered);
    }
    let ors = require("ors").expect("in catalog");
    assert_eq!(ors.better(), crate::Better::Higher);
    assert_eq!(ors.reliable_change().map(|r| r.points()), Some(5.0));
    assert!(ors.codes().is_none());
}

/// The published pages, by instrument id.
const PAGES: [(&str, &str); 6] = [
    ("wai-sr", include_str!("wai_sr.rs")),
    ("wai-s", include_str!("wai_s.rs")),
    ("wai", include_str!("wai.rs")),
    ("srs", include_str!("srs.rs")),
    ("tasc-r", include_str!("tasc_r.rs")),
    ("arm-5", include_str!("arm_5.rs")),
];

/// The page's doc lines (`//! ` stripped).
fn doc_lines(page: &str) -> Vec<&str> {
    page.lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .collect()
}

/// The text after a `**Label:**` line start.
fn field<'a>(lines: &[&'a str], label: &str) -> &'a str {
    let prefix = format!("**{label}:**");
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(str::trim)
        .unwrap_or_else(|| panic!("page has no {label} line"))
}

/// Whole numbers in `s` before any parenthesis.
fn numbers(s: &str) -> Vec<u32> {
    s.split('(')
        .next()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

#[test]
fn published_keys_match_their_pages() {
    for (id, page) in PAGES {
        let inst = require(id).expect("in catalog");
        let lines = doc_lines(page);
        // Id and version.
        let id_line = field(&lines, "Id");
        assert!(
            id_line.starts_with(&format!("`{id}`, version `{}`", inst.version())),
            "{id}"
        );
        // Range.
        let range = numbers(field(&lines, "Response range"));
        assert_eq!(
            (inst.scale().min(), inst.scale().max()),
            (f64::from(range[0]), f64::from(range[1])),
            "{id}"
        );
        // Score: sum or mean.
        let score = field(&lines, "Score");
        let rule = if score.starts_with("mean") {
            ScoringRule::Mean
        } else {
            ScoringRule::Sum
        };
        assert_eq!(inst.scoring(), rule, "{id}");
        // Reversed items.
        let reversed = numbers(field(&lines, "Reversed items"));
        let got: Vec<u32> = inst
            .items()
            .iter()
            .filter(|i| i.is_reversed())
            .filter_map(|i| i.id().parse().ok())
            .collect();
        assert_eq!(got, reversed, "{id} reversed items");
        // Subscale table: | `id` | label | component | items |.
        let rows: Vec<Vec<&str>> = lines
            .iter()
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        assert_eq!(rows.len(), inst.subscales().len(), "{id} subscales");
        for (row, sub) in rows.iter().zip(inst.subscales()) {
            assert_eq!(row[0].trim_matches('`'), sub.id(), "{id}");
            assert_eq!(row[1], sub.label(), "{id}");
            assert_eq!(row[2], sub.component().map_or("", |c| c.name()), "{id}");
            let items: Vec<String> = numbers(row[3]).iter().map(u32::to_string).collect();
            assert_eq!(items, sub.items(), "{id} {}", sub.id());
        }
        // Every published key: numbered items, no wording, sum-of-subscales total.
        for (i, item) in inst.items().iter().enumerate() {
            assert_eq!(item.id(), (i + 1).to_string(), "{id}: items are numbered");
            assert_eq!(item.text(), None, "{id}: no copyrighted wording ships");
        }
        assert_eq!(inst.total_rule(), TotalRule::SumOfSubscales);
        assert_eq!(inst.modality(), Modality::General);
        assert!(inst.license().is_some_and(|l| l.contains("copyrighted")));
        assert!(inst.citation().is_some());
        let confidence = field(&lines, "Confidence");
        assert!(
            confidence.starts_with(inst.provenance().confidence().name())
                || (id == "srs" && confidence.contains("confirmed")),
            "{id}: {confidence}"
        );
        assert_ne!(inst.provenance().confidence(), Confidence::Unconfirmed);
        assert_ne!(inst.provenance().confidence(), Confidence::Unvalidated);
    }
    assert_eq!(
        require("srs").expect("srs").scale().kind(),
        ScaleKind::VisualAnalogue
    );
}

#[test]
fn modality_forms_are_parallel_and_match_their_page() {
    let lines = doc_lines(include_str!("modality.rs"));
    let rows: Vec<Vec<&str>> = lines
        .iter()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
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
            for (row, sub) in rows.iter().zip(form.subscales()) {
                assert_eq!(row[0].trim_matches('`'), sub.id());
                assert_eq!(row[1], sub.label());
                let items: Vec<String> = numbers(row[3]).iter().map(u32::to_string).collect();
                assert_eq!(items, sub.items());
            }
            assert!(
                form.items()
                    .iter()
                    .all(|i| i.text().is_some_and(|t| t.ends_with('.')))
            );
        }
        for (a, b) in client.items().iter().zip(therapist.items()) {
            assert_eq!((a.id(), a.keying()), (b.id(), b.keying()));
            assert_ne!(a.text(), b.text());
        }
        assert_eq!(client.subscales(), therapist.subscales());
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
        assert_eq!(
            numbers(field(&lines, "Reversed items")),
            [4, 8, 12],
            "page and forms agree"
        );
    }
}

/// Clinical texts (what a clinician reads in a flag, a band, a provenance note) hold no API
/// advice: how to change a definition belongs in the documentation (the `srs` and `wai_sr`
/// pages), not in words shown beside a client's score.
#[test]
fn clinical_texts_hold_no_api_advice() {
    const API: [&str; 11] = [
        "()",
        "::",
        "to_builder",
        "with_source",
        "clear_thresholds",
        "register",
        "registry",
        ".version",
        "new version",
        "replace it",
        "builder",
    ];
    for inst in all() {
        let mut texts: Vec<(String, &str)> = Vec::new();
        for t in inst.thresholds() {
            texts.push(("threshold message".into(), t.message()));
            texts.push(("threshold source".into(), t.source()));
        }
        for b in inst.bands() {
            for band in b.bands() {
                texts.push(("band".into(), band.label()));
            }
        }
        if let Some(rc) = inst.reliable_change() {
            texts.push(("reliable change source".into(), rc.source()));
        }
        texts.push(("provenance".into(), inst.provenance().note()));
        texts.push(("name".into(), inst.name()));
        for s in inst.subscales() {
            texts.push(("subscale label".into(), s.label()));
        }
        for item in inst.items() {
            if let Some(t) = item.text() {
                texts.push((format!("item {}", item.id()), t));
            }
        }
        for (what, text) in texts {
            let lower = text.to_lowercase();
            for api in API {
                assert!(
                    !lower.contains(api),
                    "{} {what}: {text:?} contains {api:?}",
                    inst.id()
                );
            }
        }
    }
}
