//! Questionnaire instruments: items, response scale, keying, subscales, rater, scoring,
//! missing-item and total rules, provenance and interpretation thresholds.

mod builder;
mod codes;
#[cfg(feature = "serde")]
pub(crate) mod definition;
mod digest;
mod interpretation;
mod item;
mod provenance;
mod rules;
mod subscale;
mod threshold;

pub use builder::InstrumentBuilder;
pub use codes::Codes;
pub use interpretation::{Band, Bands, ReliableChangeAmount};
pub use item::{Item, Keying};
pub use provenance::{Confidence, Provenance};
pub use rules::{MissingRule, ScoringRule, TotalRule};
pub use subscale::Subscale;
pub use threshold::{Comparison, Threshold};

use crate::components::Metric;
use crate::components::{Component, Modality, Rater, Target};
use crate::error::{ErrorKind, Result};
use crate::scale::ResponseScale;
use std::collections::HashMap;
use std::sync::Arc;

/// A validated questionnaire instrument.
///
/// Get a published key or a modality form from the [`catalog`](crate::catalog), or define one with
/// [`Instrument::builder`]. Every `Instrument` has at least one item, unique item and subscale
/// ids, subscales that list known items, thresholds that read a subscale or total it has inside
/// their score's range, and a missing-item rule every subscale can meet.
///
/// An `Instrument` is a cheap handle: cloning it shares the definition (like an `Arc`).
///
/// ```
/// use therapeutic_alliance::{Component, Instrument, Item, ResponseScale, Subscale};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let scale = ResponseScale::likert(1, 5, [(1, "Never"), (5, "Always")])?;
/// let mini = Instrument::builder("mini", "Mini alliance check", scale)
///     .items([Item::new("1"), Item::new("2"), Item::new("3").reversed()])
///     .subscales([
///         Subscale::for_component(Component::Goals, "Goals", ["1"]),
///         Subscale::for_component(Component::Collaboration, "Working together", ["2"]),
///         Subscale::for_component(Component::Bond, "Bond", ["3"]),
///     ])
///     .build()?;
/// assert_eq!(mini.item_index("3"), Some(2));
/// // Item 3 is reversed: 1 + 5 - 2 = 4.
/// assert_eq!(mini.score_values(&[Some(5.0), Some(4.0), Some(2.0)])?.primary("total"), Some(13.0));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "InstrumentBuilder", into = "InstrumentBuilder")
)]
pub struct Instrument(Arc<Compiled>);

impl std::fmt::Debug for Instrument {
    /// A summary (id, version, digest, counts): the full definition is [`Instrument::to_builder`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrument")
            .field("id", &self.id())
            .field("version", &self.version())
            .field("digest", &self.digest())
            .field("items", &self.items().len())
            .field("subscales", &self.subscales().len())
            .finish()
    }
}

/// A validated definition with what scoring needs precomputed.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) def: InstrumentBuilder,
    /// Item id -> position, so looking up an answer's item is constant time.
    pub(crate) index: HashMap<Box<str>, usize>,
    pub(crate) subscales: Box<[CompiledSubscale]>,
    /// The subscale measuring each component, indexed as `Component::ALL`.
    pub(crate) components: [Option<usize>; 3],
    /// Answered items an over-items total needs.
    pub(crate) total_required: usize,
    /// Where each threshold reads.
    pub(crate) threshold_slots: Vec<Slot>,
    /// Digest of everything that decides scores and flags.
    pub(crate) digest: String,
}

/// A subscale as item positions, with the answered items its missing-item rule needs.
#[derive(Debug)]
pub(crate) struct CompiledSubscale {
    pub(crate) items: Box<[u32]>,
    pub(crate) required: usize,
}

/// Where a target's score lives: a subscale by position, or the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Subscale(usize),
    Total,
}

impl PartialEq for Instrument {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.digest == other.0.digest && self.0.def == other.0.def)
    }
}

impl Instrument {
    /// Starts defining an instrument with an id, a display name and a response scale.
    ///
    /// The id is lowercase ASCII letters, digits and `-` (e.g. `wai-sr`).
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let one = Instrument::builder("one", "One item", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1"])
    ///     .total(TotalRule::OverItems)
    ///     .build()?;
    /// assert_eq!(one.name(), "One item");
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(
        id: impl Into<String>,
        name: impl Into<String>,
        scale: ResponseScale,
    ) -> InstrumentBuilder {
        InstrumentBuilder::new(id.into(), name.into(), scale)
    }

    /// A builder holding this instrument's definition, to derive a variant (another cutoff,
    /// another missing-item rule). Give the variant a new version or id: records name both.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Comparison, Metric, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let below_34 = srs.to_builder()
    ///     .version("3.0, cutoff 34")
    ///     .clear_thresholds()
    ///     .threshold(Threshold::new("total", Metric::Sum, Comparison::Below, 34.0, "discuss the relationship")?)
    ///     .build()?;
    /// assert_ne!(below_34.digest(), srs.digest());
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_builder(&self) -> InstrumentBuilder {
        self.0.def.clone()
    }

    /// The id used for lookup and in files (`wai-sr`).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(therapeutic_alliance::catalog::require("wai-sr")?.id(), "wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.0.def.id
    }

    /// The display name.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert!(therapeutic_alliance::catalog::require("wai-sr")?.name().contains("WAI-SR"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.0.def.name
    }

    /// The version of the form or key.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(therapeutic_alliance::catalog::require("srs")?.version(), "3.0");
    /// # Ok(())
    /// # }
    /// ```
    pub fn version(&self) -> &str {
        &self.0.def.version
    }

    /// A digest (16 hex digits, FNV-1a 64) of everything that decides scores and flags: the
    /// response scale's bounds and step, the items and their keying, the subscales, the scoring,
    /// missing-item and total rules, and the thresholds. Names, labels, wording, citation,
    /// provenance and license are not in it. Records carry it, so a record made with a changed
    /// definition is never read back as the registered one.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert_eq!(wai.digest().len(), 16);
    /// let cited = wai.to_builder().citation("Local copy of the key").build()?;
    /// assert_eq!(cited.digest(), wai.digest());
    /// let strict = wai.to_builder().missing(therapeutic_alliance::MissingRule::strict()).build()?;
    /// assert_ne!(strict.digest(), wai.digest());
    /// # Ok(())
    /// # }
    /// ```
    pub fn digest(&self) -> &str {
        &self.0.digest
    }

    /// The therapy the wording was written for.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let cbt = therapeutic_alliance::catalog::require("cbt-client")?;
    /// assert_eq!(cbt.modality(), therapeutic_alliance::Modality::Cbt);
    /// # Ok(())
    /// # }
    /// ```
    pub fn modality(&self) -> Modality {
        self.0.def.modality
    }

    /// Who fills it in.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let form = therapeutic_alliance::catalog::require("humanistic-therapist")?;
    /// assert_eq!(form.rater(), therapeutic_alliance::Rater::Therapist);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rater(&self) -> Rater {
        self.0.def.rater
    }

    /// The response scale shared by all items.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-s")?;
    /// assert_eq!((wai.scale().min(), wai.scale().max()), (1.0, 7.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scale(&self) -> &ResponseScale {
        &self.0.def.scale
    }

    /// The items in presentation order.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(therapeutic_alliance::catalog::require("wai")?.items().len(), 36);
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> &[Item] {
        &self.0.def.items
    }

    /// The item with this id (constant time).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-s")?;
    /// assert!(wai.item("10").is_some_and(|i| i.is_reversed()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().get(self.item_index(id)?)
    }

    /// Position of the item with this id in [`Instrument::items`] (constant time).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert_eq!((wai.item_index("4"), wai.item_index("13")), (Some(3), None));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.0.index.get(id).copied()
    }

    /// The subscales, in the order defined.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let ids: Vec<_> = wai.subscales().iter().map(|s| (s.id(), s.label())).collect();
    /// assert_eq!(ids, [("goals", "Goal"), ("collaboration", "Task"), ("bond", "Bond")]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscales(&self) -> &[Subscale] {
        &self.0.def.subscales
    }

    /// The subscale a target names: by id, or the one measuring a component; `None` for the
    /// total or a subscale the instrument does not have.
    ///
    /// ```
    /// use therapeutic_alliance::Component;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai")?;
    /// assert_eq!(wai.subscale(Component::Collaboration).map(|s| s.label()), Some("Task"));
    /// assert!(wai.subscale("trust").is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn subscale(&self, target: impl Into<Target>) -> Option<&Subscale> {
        match self.slot(&target.into()).ok()? {
            Slot::Subscale(i) => self.subscales().get(i),
            Slot::Total => None,
        }
    }

    /// Sum or mean: which metric is the primary score.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert_eq!(wai.scoring(), therapeutic_alliance::ScoringRule::Sum);
    /// # Ok(())
    /// # }
    /// ```
    pub fn scoring(&self) -> ScoringRule {
        self.0.def.scoring
    }

    /// The metric of the primary score: [`Metric::Sum`] or [`Metric::Mean`].
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let arm = therapeutic_alliance::catalog::require("arm-5")?;
    /// assert_eq!(arm.primary_metric(), therapeutic_alliance::Metric::Mean);
    /// # Ok(())
    /// # }
    /// ```
    pub fn primary_metric(&self) -> Metric {
        Metric::from(self.scoring())
    }

    /// The missing-item rule.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert_eq!(wai.missing().to_string(), "at least 3/4 of the items, prorated");
    /// # Ok(())
    /// # }
    /// ```
    pub fn missing(&self) -> MissingRule {
        self.0.def.missing
    }

    /// How the total is formed.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// assert_eq!(srs.total_rule(), therapeutic_alliance::TotalRule::SumOfSubscales);
    /// # Ok(())
    /// # }
    /// ```
    pub fn total_rule(&self) -> TotalRule {
        self.0.def.total
    }

    /// The published source, if any.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert!(wai.citation().is_some_and(|c| c.contains("Hatcher")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn citation(&self) -> Option<&str> {
        self.0.def.citation.as_deref()
    }

    /// Where the scoring key comes from and how sure that is.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let tasc = therapeutic_alliance::catalog::require("tasc-r")?;
    /// assert_eq!(tasc.provenance().confidence(), therapeutic_alliance::Confidence::Secondary);
    /// # Ok(())
    /// # }
    /// ```
    pub fn provenance(&self) -> &Provenance {
        &self.0.def.provenance
    }

    /// License note: what may be shipped and where to obtain the form.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// assert!(wai.license().is_some_and(|l| l.contains("copyrighted")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn license(&self) -> Option<&str> {
        self.0.def.license.as_deref()
    }

    /// The interpretation thresholds.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::catalog;
    /// assert!(catalog::require("wai-sr")?.thresholds().is_empty());
    /// assert_eq!(catalog::require("srs")?.thresholds().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn thresholds(&self) -> &[Threshold] {
        &self.0.def.thresholds
    }

    /// Which direction of change is improvement: lower on the PHQ-9 and GAD-7, higher on the
    /// alliance instruments and the ORS.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Better};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// assert_eq!(catalog::require("phq-9")?.better(), Better::Lower);
    /// assert_eq!(catalog::require("wai-sr")?.better(), Better::Higher);
    /// # Ok(())
    /// # }
    /// ```
    pub fn better(&self) -> crate::components::Better {
        self.0.def.better
    }

    /// The named bands of its scores (severity bands), if any.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let gad7 = therapeutic_alliance::catalog::require("gad-7")?;
    /// assert_eq!(gad7.bands()[0].classify(12.0), Some("moderate"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn bands(&self) -> &[Bands] {
        &self.0.def.bands
    }

    /// The smallest change that counts as reliable, if the instrument states one.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::catalog;
    /// assert_eq!(catalog::require("phq-9")?.reliable_change().map(|rc| rc.points()), Some(6.0));
    /// assert!(catalog::require("wai-sr")?.reliable_change().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn reliable_change(&self) -> Option<&ReliableChangeAmount> {
        self.0.def.reliable_change.as_ref()
    }

    /// Its codes in a terminology (LOINC for the PHQ-9 and GAD-7), if any.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// use therapeutic_alliance::catalog;
    /// assert_eq!(catalog::require("gad-7")?.codes().and_then(|c| c.instrument()), Some("69737-5"));
    /// assert!(catalog::require("srs")?.codes().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn codes(&self) -> Option<&Codes> {
        self.0.def.codes.as_ref()
    }

    /// The error for a row of answers that is not one per item.
    pub(crate) fn wrong_length(&self, found: usize) -> crate::error::Error {
        ErrorKind::WrongLength {
            instrument: self.id().to_owned(),
            expected: self.items().len(),
            found,
        }
        .into()
    }

    /// `id version`, as errors and reports name an instrument.
    pub(crate) fn label(&self) -> String {
        format!("{} (version {:?})", self.id(), self.version())
    }

    /// Refuses something that belongs to another instrument.
    pub(crate) fn check_same(&self, theirs: &Instrument) -> Result<()> {
        if self == theirs {
            Ok(())
        } else {
            Err(ErrorKind::InstrumentMismatch {
                expected: self.label(),
                found: theirs.label(),
            }
            .into())
        }
    }

    /// The compiled form, for scoring.
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.0
    }

    /// Where a target's score lives.
    pub(crate) fn slot(&self, target: &Target) -> Result<Slot> {
        let found = match target {
            Target::Total => (self.total_rule() != TotalRule::None).then_some(Slot::Total),
            Target::Component(c) => {
                self.0.components[builder::component_index(*c)].map(Slot::Subscale)
            }
            Target::Subscale(id) => self
                .subscales()
                .iter()
                .position(|s| s.id() == id)
                .map(Slot::Subscale),
        };
        found.ok_or_else(|| {
            ErrorKind::UnknownTarget {
                instrument: self.id().to_owned(),
                target: target.to_string(),
                known: self
                    .subscales()
                    .iter()
                    .map(|s| s.id().to_owned())
                    .chain((self.total_rule() != TotalRule::None).then(|| "total".to_owned()))
                    .collect(),
            }
            .into()
        })
    }

    /// The component a slot measures.
    pub(crate) fn slot_component(&self, slot: Slot) -> Option<Component> {
        match slot {
            Slot::Subscale(i) => self.subscales().get(i)?.component(),
            Slot::Total => None,
        }
    }
}
