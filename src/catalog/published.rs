//! Scoring keys of published instruments (keys only: their wording is copyrighted).
//!
//! Keys and confidence levels follow the project's instrument notes; each instrument carries its
//! provenance as data.

use crate::Target;
use crate::components::{Component, Part};
use crate::error::Result;
use crate::instruments::{
    Comparison, Confidence, Instrument, Item, Metric, Provenance, ScoringRule, Threshold,
};
use crate::scale::ResponseScale;

const GOALS: Part = Part::Component(Component::Goals);
const COLLABORATION: Part = Part::Component(Component::Collaboration);
const BOND: Part = Part::Component(Component::Bond);

/// The three alliance components.
const BORDIN: [Part; 3] = [GOALS, COLLABORATION, BOND];

const KEY_ONLY: &str = "item wording is copyrighted and not shipped: items are identified by number; \
     obtain the form (and any licence its authors require) from its authors or publisher";

/// Items `"1"..="count"` in order, each in the part whose list holds its number, reversed where
/// listed. A number in no list goes to the global part.
fn numbered(count: u32, parts: &[(Part, &[u32])], reversed: &[u32]) -> Vec<Item> {
    (1..=count)
        .map(|n| {
            let part = parts
                .iter()
                .find(|(_, ns)| ns.contains(&n))
                .map_or(Part::Global, |(p, _)| *p);
            let item = Item::new(n.to_string(), part);
            if reversed.contains(&n) {
                item.reversed()
            } else {
                item
            }
        })
        .collect()
}

fn wai_seven_point() -> Result<ResponseScale> {
    ResponseScale::likert(1, 7, [(1, "Never"), (7, "Always")])
}

/// WAI-SR, client form (Hatcher & Gillaspy 2006).
pub(super) fn wai_sr() -> Result<Instrument> {
    let scale = ResponseScale::likert(
        1,
        5,
        [
            (1, "Seldom"),
            (2, "Sometimes"),
            (3, "Fairly often"),
            (4, "Very often"),
            (5, "Always"),
        ],
    )?;
    Instrument::builder(
        "wai-sr",
        "Working Alliance Inventory, short revised (WAI-SR)",
        scale,
    )
    .version("client form")
    .parts(BORDIN)
    .items(numbered(
        12,
        &[
            (COLLABORATION, &[1, 2, 10, 12]),
            (BOND, &[3, 5, 7, 9]),
            (GOALS, &[4, 6, 8, 11]),
        ],
        &[],
    ))
    .citation(
        "Hatcher, R. L., & Gillaspy, J. A. (2006). Development and validation of a revised short \
             version of the Working Alliance Inventory. Psychotherapy Research, 16(1), 12-25",
    )
    .provenance(Provenance::new(
        Confidence::Confirmed,
        "two independent vendor implementations agree on the key; no reversed items",
    ))
    .licence(KEY_ONLY)
    .build()
}

/// WAI-S, short form (Tracey & Kokotovic 1989).
pub(super) fn wai_s() -> Result<Instrument> {
    Instrument::builder(
        "wai-s",
        "Working Alliance Inventory, short form (WAI-S)",
        wai_seven_point()?,
    )
    .version("client form")
    .parts(BORDIN)
    .items(numbered(
        12,
        &[
            (COLLABORATION, &[1, 2, 8, 12]),
            (BOND, &[3, 5, 7, 9]),
            (GOALS, &[4, 6, 10, 11]),
        ],
        &[4, 10],
    ))
    .citation(
        "Tracey, T. J., & Kokotovic, A. M. (1989). Factor structure of the Working Alliance \
             Inventory. Psychological Assessment, 1(3), 207-210",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "derived from the WAI-36 key; items 4 and 10 reversed (8 - x)",
    ))
    .licence(KEY_ONLY)
    .build()
}

/// WAI, 36 items (Horvath & Greenberg 1989).
pub(super) fn wai() -> Result<Instrument> {
    Instrument::builder(
        "wai",
        "Working Alliance Inventory (WAI, 36 items)",
        wai_seven_point()?,
    )
    .version("client form")
    .parts(BORDIN)
    .items(numbered(
        36,
        &[
            (
                COLLABORATION,
                &[2, 4, 7, 11, 13, 15, 16, 18, 24, 31, 33, 35],
            ),
            (BOND, &[1, 5, 8, 17, 19, 20, 21, 23, 26, 28, 29, 36]),
            (GOALS, &[3, 6, 9, 10, 12, 14, 22, 25, 27, 30, 32, 34]),
        ],
        &[1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33, 34],
    ))
    .citation(
        "Horvath, A. O., & Greenberg, L. S. (1989). Development and validation of the Working \
             Alliance Inventory. Journal of Counseling Psychology, 36(2), 223-233",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one third-party implementation, consistent with the item wording",
    ))
    .licence(KEY_ONLY)
    .build()
}

/// SRS 3.0 (Duncan, Miller et al. 2003).
pub(super) fn srs() -> Result<Instrument> {
    let alert = Threshold::new(
        Target::Total,
        Metric::Sum,
        Comparison::AtOrBelow,
        36.0,
        "discuss the relationship",
    )?
    .with_source(
        "a measurement-based-care convention, not a validated cutoff: sources disagree on at-or-below \
         versus below 36, and one validation study found 34; replace it with to_builder()",
    );
    Instrument::builder("srs", "Session Rating Scale (SRS)", ResponseScale::visual_analogue(0.0, 10.0, 1)?)
        .version("3.0")
        .parts([GOALS, COLLABORATION, BOND, Part::Global])
        .items([
            Item::new("1", BOND),
            Item::new("2", GOALS),
            Item::new("3", COLLABORATION),
            Item::new("4", Part::Global),
        ])
        .citation(
            "Duncan, B. L., Miller, S. D., Sparks, J. A., Claud, D. A., Reynolds, L. R., Brown, J., \
             & Johnson, L. D. (2003). The Session Rating Scale: preliminary psychometric properties \
             of a \"working\" alliance measure. Journal of Brief Therapy, 3(1), 3-12",
        )
        .provenance(Provenance::new(
            Confidence::Confirmed,
            "format confirmed: four 10 cm lines scored 0-10 to one decimal (relationship -> bond, \
             goals and topics -> goals, approach or method -> collaboration, overall -> global); \
             the alert cutoff of 36 is secondary",
        ))
        .licence(KEY_ONLY)
        .threshold(alert)
        .build()
}

/// TASC-r, child form.
pub(super) fn tasc_r() -> Result<Instrument> {
    let scale = ResponseScale::likert(1, 4, [(1, "Not true"), (4, "Very much true")])?;
    Instrument::builder(
        "tasc-r",
        "Therapeutic Alliance Scale for Children, revised (TASC-r)",
        scale,
    )
    .version("child form")
    .parts([Part::Global])
    .items(numbered(12, &[], &[2, 5, 7, 8, 11]))
    .citation(
        "Therapeutic Alliance Scale for Children, revised; original TASC: Shirk, S. R., & Saiz, \
             C. C. (1992). Development and Psychopathology, 4(4), 713-728",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one secondary source; items 2, 5, 7, 8, 11 reversed; no component key is shipped, so \
             all items score the global part",
    ))
    .licence(KEY_ONLY)
    .build()
}

/// ARM-5 (Agnew Relationship Measure, 5 items).
pub(super) fn arm_5() -> Result<Instrument> {
    let scale = ResponseScale::likert(1, 7, [(1, "Strongly disagree"), (7, "Strongly agree")])?;
    Instrument::builder(
        "arm-5",
        "Agnew Relationship Measure, 5 items (ARM-5)",
        scale,
    )
    .version("client form")
    .scoring(ScoringRule::Mean)
    .parts([Part::Global])
    .items(numbered(5, &[], &[3]))
    .citation(
        "Cahill, J., Stiles, W. B., Barkham, M., et al. (2012). Two short forms of the Agnew \
             Relationship Measure: the ARM-5 and ARM-12. Psychotherapy Research, 22(3), 241-255",
    )
    .provenance(Provenance::new(
        Confidence::Secondary,
        "one secondary source; item 3 reversed; the score is the mean item score; no component \
             key is shipped, so all items score the global part",
    ))
    .licence(KEY_ONLY)
    .build()
}
