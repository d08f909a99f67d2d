//! # The crate's modality forms: CBT, psychodynamic and humanistic
//!
//! **These are new, unvalidated item sets**, written from scratch for this crate. Nothing is known
//! about their reliability, factor structure or norms; use them for practice and research into
//! exactly those questions, not as a validated measure. They are released with the crate under
//! MIT OR Apache-2.0, wording included.
//!
//! **Ids:** `cbt-client`, `cbt-therapist`, `psychodynamic-client`, `psychodynamic-therapist`,
//! `humanistic-client`, `humanistic-therapist`; version `0.1`.
//! **Items:** 12, numbered 1-12, with wording. Item `n` of the client form and item `n` of the
//! therapist form ask the same thing from each side, so client-therapist agreement can be
//! analyzed item by item.
//! **Response range:** 1 to 5 (1 Never, 2 Rarely, 3 Sometimes, 4 Often, 5 Always).
//! **Reversed items:** 4, 8, 12 (scored 6 - x; one per component).
//! **Score:** sum. Subscales 4-20, total 12-60 (the sum of the three subscales).
//! **Missing items:** a subscale is prorated when at least 3 of its 4 items are answered.
//! **Flag:** total below 50% of maximum: "alliance below the scale midpoint: talk about the
//! relationship", a convention of this crate for an unvalidated item set, not a validated cutoff.
//! **Confidence:** unvalidated.
//!
//! | subscale | label | component | items |
//! |---|---|---|---|
//! | `goals` | Goals | goals | 1, 4, 7, 10 |
//! | `collaboration` | Collaboration | collaboration | 2, 5, 8, 11 |
//! | `bond` | Bond | bond | 3, 6, 9, 12 |
//!
//! ```
//! use therapeutic_alliance::{catalog::modality, Modality, Rater};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let form = modality::instrument(Modality::Psychodynamic, Rater::Therapist).ok_or("shipped")?;
//! assert_eq!(form.id(), "psychodynamic-therapist");
//! assert!(form.items()[0].text().is_some_and(|t| t.starts_with("My client")));
//! # Ok(())
//! # }
//! ```

use crate::components::Metric;
use crate::components::{Component, Modality, Rater};
use crate::error::Result;
use crate::instruments::{
    Comparison, Confidence, Instrument, Item, Provenance, Subscale, Threshold,
};
use crate::scale::ResponseScale;

/// The catalog's form for a modality and rater (client or therapist); `None` for
/// [`Modality::General`] or an observer.
///
/// ```
/// use therapeutic_alliance::{catalog::modality, Modality, Rater};
///
/// assert!(modality::instrument(Modality::Cbt, Rater::Client).is_some());
/// assert!(modality::instrument(Modality::Cbt, Rater::Observer).is_none());
/// ```
pub fn instrument(modality: Modality, rater: Rater) -> Option<Instrument> {
    super::get(&format!("{modality}-{rater}"))
}

/// One item's wording from both sides: (client, therapist).
type Pair = (&'static str, &'static str);

/// A modality's wording: per component, three positively keyed items and one reversed item.
struct Wording {
    modality: Modality,
    name: &'static str,
    goals: [Pair; 4],
    collaboration: [Pair; 4],
    bond: [Pair; 4],
}

/// Presentation order: (component, index in its wording). Index 3 is the reversed item, placed at
/// positions 4, 8 and 12.
const ORDER: [(Component, usize); 12] = [
    (Component::Goals, 0),
    (Component::Collaboration, 0),
    (Component::Bond, 0),
    (Component::Goals, 3),
    (Component::Collaboration, 1),
    (Component::Bond, 1),
    (Component::Goals, 1),
    (Component::Collaboration, 3),
    (Component::Bond, 2),
    (Component::Goals, 2),
    (Component::Collaboration, 2),
    (Component::Bond, 3),
];

const CBT: Wording = Wording {
    modality: Modality::Cbt,
    name: "CBT",
    goals: [
        (
            "My therapist and I agree on which thoughts and behaviors we are working to change.",
            "My client and I agree on which thoughts and behaviors we are working to change.",
        ),
        (
            "We have set clear, concrete goals for what I want to be different.",
            "We have set clear, concrete goals for what my client wants to be different.",
        ),
        (
            "We look together at how I am progressing towards my goals.",
            "We look together at how my client is progressing towards their goals.",
        ),
        (
            "I am unsure what we are trying to achieve in therapy.",
            "I am unsure what my client and I are trying to achieve in therapy.",
        ),
    ],
    collaboration: [
        (
            "We work together to test whether my thoughts fit the facts.",
            "We work together to test whether my client's thoughts fit the facts.",
        ),
        (
            "We plan together the practice I will do between sessions.",
            "We plan together the practice my client will do between sessions.",
        ),
        (
            "I understand how what we do in sessions will help me.",
            "My client understands how what we do in sessions will help them.",
        ),
        (
            "The practice between sessions feels imposed on me rather than agreed between us.",
            "The practice between sessions feels imposed on my client rather than agreed between us.",
        ),
    ],
    bond: [
        (
            "I feel that my therapist respects me.",
            "My client feels that I respect them.",
        ),
        (
            "I trust my therapist to be honest with me about how I am doing.",
            "My client trusts me to be honest with them about how they are doing.",
        ),
        (
            "I can tell my therapist when something in our work is not helping me.",
            "My client can tell me when something in our work is not helping them.",
        ),
        (
            "I feel judged by my therapist when I have not done my practice.",
            "My client feels judged by me when they have not done their practice.",
        ),
    ],
};

const PSYCHODYNAMIC: Wording = Wording {
    modality: Modality::Psychodynamic,
    name: "psychodynamic",
    goals: [
        (
            "My therapist and I agree that understanding my patterns in relationships is worth our work.",
            "My client and I agree that understanding their patterns in relationships is worth our work.",
        ),
        (
            "We share an understanding of what we hope I will come to see about myself.",
            "We share an understanding of what we hope my client will come to see about themselves.",
        ),
        (
            "I can see how exploring my past connects with the difficulties that brought me here.",
            "My client can see how exploring their past connects with the difficulties that brought them here.",
        ),
        (
            "I do not see the point of talking about my past.",
            "My client does not see the point of talking about their past.",
        ),
    ],
    collaboration: [
        (
            "We explore together how my past experiences shape my life now.",
            "We explore together how my client's past experiences shape their life now.",
        ),
        (
            "We look together at patterns that repeat in my relationships, including the one with my therapist.",
            "We look together at patterns that repeat in my client's relationships, including the one with me.",
        ),
        (
            "I can say whatever comes to mind in our sessions.",
            "My client can say whatever comes to mind in our sessions.",
        ),
        (
            "My therapist's interpretations feel handed to me rather than worked out together.",
            "My interpretations feel handed to my client rather than worked out together.",
        ),
    ],
    bond: [
        (
            "I feel safe enough with my therapist to talk about painful memories.",
            "My client feels safe enough with me to talk about painful memories.",
        ),
        (
            "I trust that our relationship can hold difficult feelings, including feelings about my therapist.",
            "My client trusts that our relationship can hold difficult feelings, including feelings about me.",
        ),
        (
            "My therapist stays with me when painful material comes up.",
            "I stay with my client when painful material comes up.",
        ),
        (
            "I hold back difficult feelings because I fear how my therapist would react.",
            "My client holds back difficult feelings because they fear how I would react.",
        ),
    ],
};

const HUMANISTIC: Wording = Wording {
    modality: Modality::Humanistic,
    name: "humanistic",
    goals: [
        (
            "The aims of our work are the ones I choose for myself.",
            "The aims of our work are the ones my client chooses for themselves.",
        ),
        (
            "My therapist and I share a sense of the direction in which I want to grow.",
            "My client and I share a sense of the direction in which they want to grow.",
        ),
        (
            "Our work helps me become more the person I want to be.",
            "Our work helps my client become more the person they want to be.",
        ),
        (
            "I feel my therapist has an idea of who I should become that is not mine.",
            "My client feels I have an idea of who they should become that is not theirs.",
        ),
    ],
    collaboration: [
        (
            "I decide what we focus on in our sessions.",
            "My client decides what we focus on in our sessions.",
        ),
        (
            "We explore my feelings together at a pace that suits me.",
            "We explore my client's feelings together at a pace that suits them.",
        ),
        (
            "My therapist follows my lead when I want to explore something.",
            "I follow my client's lead when they want to explore something.",
        ),
        (
            "Our sessions feel directed by my therapist rather than by me.",
            "Our sessions feel directed by me rather than by my client.",
        ),
    ],
    bond: [
        (
            "I feel understood by my therapist.",
            "My client feels understood by me.",
        ),
        (
            "I feel accepted by my therapist without judgement.",
            "My client feels accepted by me without judgement.",
        ),
        (
            "My therapist is genuine with me.",
            "I am genuine with my client.",
        ),
        (
            "I feel I have to hide parts of myself from my therapist.",
            "My client feels they have to hide parts of themselves from me.",
        ),
    ],
};

/// The crate's 5-point frequency scale.
fn frequency_scale() -> Result<ResponseScale> {
    ResponseScale::likert(
        1,
        5,
        [
            (1, "Never"),
            (2, "Rarely"),
            (3, "Sometimes"),
            (4, "Often"),
            (5, "Always"),
        ],
    )
}

fn form(w: &Wording, rater: Rater) -> Result<Instrument> {
    let items = ORDER.iter().enumerate().map(|(pos, &(component, i))| {
        let pairs = match component {
            Component::Goals => &w.goals,
            Component::Collaboration => &w.collaboration,
            Component::Bond => &w.bond,
        };
        // `i` comes from the constant ORDER table, always below 4.
        let (client, therapist) = pairs[i];
        let text = if rater == Rater::Therapist {
            therapist
        } else {
            client
        };
        let item = Item::new((pos + 1).to_string()).with_text(text);
        if i == 3 { item.reversed() } else { item }
    });
    let subscales = Component::ALL.iter().map(|&c| {
        let items = ORDER
            .iter()
            .enumerate()
            .filter(|(_, (component, _))| *component == c)
            .map(|(pos, _)| (pos + 1).to_string());
        let label = match c {
            Component::Goals => "Goals",
            Component::Collaboration => "Collaboration",
            Component::Bond => "Bond",
        };
        Subscale::for_component(c, label, items)
    });
    let threshold = Threshold::new(
        "total",
        Metric::Pomp,
        Comparison::Below,
        50.0,
        "alliance below the scale midpoint: talk about the relationship",
    )?
    .with_source("a convention of this crate for an unvalidated item set, not a validated cutoff");
    Instrument::builder(
        format!("{}-{}", w.modality, rater),
        format!("{} alliance form, {} version", w.name, rater),
        frequency_scale()?,
    )
    .version("0.1")
    .modality(w.modality)
    .rater(rater)
    .items(items)
    .subscales(subscales)
    .citation("written for the therapeutic-alliance crate (2026); not published or validated")
    .provenance(Provenance::new(
        Confidence::Unvalidated,
        "a new item set written for this crate; reliability, structure and norms are unknown",
    ))
    .license("MIT OR Apache-2.0, with the crate")
    .threshold(threshold)
    .build()
}

/// All six modality forms: client then therapist, for CBT, psychodynamic, humanistic.
pub(super) fn define() -> Result<Vec<Instrument>> {
    let mut out = Vec::with_capacity(6);
    for w in [&CBT, &PSYCHODYNAMIC, &HUMANISTIC] {
        out.push(form(w, Rater::Client)?);
        out.push(form(w, Rater::Therapist)?);
    }
    Ok(out)
}
