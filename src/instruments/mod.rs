//! Questionnaire instruments: items, response scale, keying, rater, scoring and missing-item rules,
//! provenance and interpretation thresholds.

mod builder;
mod item;
mod provenance;
mod rules;
mod threshold;

pub use builder::InstrumentBuilder;
pub(crate) use builder::check_text_id;
pub use item::{Item, Keying};
pub use provenance::{Confidence, Provenance};
pub use rules::{MissingRule, ScoringRule};
pub use threshold::{Comparison, Flag, Metric, Threshold};

use crate::components::{Modality, Part, Rater, Target};
use crate::scale::ResponseScale;

/// A validated questionnaire instrument.
///
/// Get a published key or a modality form from the [`catalog`](crate::catalog), or define one with
/// [`Instrument::builder`]. Every `Instrument` has at least one item, unique item ids, thresholds
/// inside their score's range, and a missing-item rule every part can meet.
///
/// ```
/// use therapeutic_alliance::{Component, Instrument, Item, ResponseScale};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let scale = ResponseScale::likert(1, 5, [(1, "Never"), (5, "Always")])?;
/// let mini = Instrument::builder("mini", "Mini alliance check", scale)
///     .item(Item::new("1", Component::Goals))
///     .item(Item::new("2", Component::Collaboration))
///     .item(Item::new("3", Component::Bond).reversed())
///     .build()?;
/// assert_eq!(mini.items().len(), 3);
/// assert_eq!(mini.item_index("3"), Some(2));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "InstrumentBuilder", into = "InstrumentBuilder")
)]
pub struct Instrument {
    def: InstrumentBuilder,
    /// Number of items in each part, indexed by `Part::index`.
    part_items: [usize; 4],
}

impl Instrument {
    /// Starts defining an instrument with an id, a display name and a response scale.
    ///
    /// The id is lowercase ASCII letters, digits and `-` (e.g. `wai-sr`).
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("one", "One item", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .build()?;
    /// assert_eq!(inst.name(), "One item");
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(
        id: impl Into<String>,
        name: impl Into<String>,
        scale: ResponseScale,
    ) -> InstrumentBuilder {
        InstrumentBuilder {
            id: id.into(),
            name: name.into(),
            version: "1".to_owned(),
            modality: Modality::General,
            rater: Rater::Client,
            scale,
            parts: Vec::new(),
            items: Vec::new(),
            scoring: ScoringRule::default(),
            missing: MissingRule::default(),
            citation: None,
            provenance: Provenance::default(),
            licence: None,
            thresholds: Vec::new(),
        }
    }

    /// A builder holding this instrument's definition, to derive a variant (another cutoff, another
    /// missing-item rule).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Comparison, Metric, Target, Threshold};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::get("srs").ok_or("missing")?;
    /// let strict_34 = srs.to_builder()
    ///     .clear_thresholds()
    ///     .threshold(Threshold::new(Target::Total, Metric::Sum, Comparison::Below, 34.0, "discuss the relationship")?)
    ///     .build()?;
    /// assert_eq!(strict_34.thresholds()[0].value(), 34.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_builder(&self) -> InstrumentBuilder {
        self.def.clone()
    }

    /// The id used for lookup and in files (`wai-sr`).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.id(), "wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.def.id
    }

    /// The display name.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert!(wai.name().contains("WAI-SR"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// The version of the form or key.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.version(), "client form");
    /// # Ok(())
    /// # }
    /// ```
    pub fn version(&self) -> &str {
        &self.def.version
    }

    /// The therapy the wording was written for.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.modality(), therapeutic_alliance::Modality::General);
    /// # Ok(())
    /// # }
    /// ```
    pub fn modality(&self) -> Modality {
        self.def.modality
    }

    /// Who fills it in.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.rater(), therapeutic_alliance::Rater::Client);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rater(&self) -> Rater {
        self.def.rater
    }

    /// The response scale shared by all items.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!((wai.scale().min(), wai.scale().max()), (1.0, 5.0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scale(&self) -> &ResponseScale {
        &self.def.scale
    }

    /// The items in presentation order.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.items().len(), 12);
    /// # Ok(())
    /// # }
    /// ```
    pub fn items(&self) -> &[Item] {
        &self.def.items
    }

    /// The item with this id.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.item("4").map(|i| i.part()), Some(therapeutic_alliance::Component::Goals.into()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.def.items.iter().find(|i| i.id() == id)
    }

    /// Position of the item with this id in [`Instrument::items`].
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.item_index("4"), Some(3));
    /// assert_eq!(wai.item_index("13"), None);
    /// # Ok(())
    /// # }
    /// ```
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.def.items.iter().position(|i| i.id() == id)
    }

    /// Sum or mean.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.scoring(), therapeutic_alliance::ScoringRule::Sum);
    /// # Ok(())
    /// # }
    /// ```
    pub fn scoring(&self) -> ScoringRule {
        self.def.scoring
    }

    /// The missing-item rule.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.missing(), therapeutic_alliance::MissingRule::default());
    /// # Ok(())
    /// # }
    /// ```
    pub fn missing(&self) -> MissingRule {
        self.def.missing
    }

    /// The published source, if any.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert!(wai.citation().is_some_and(|c| c.contains("Hatcher")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn citation(&self) -> Option<&str> {
        self.def.citation.as_deref()
    }

    /// Where the scoring key comes from and how sure that is.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.provenance().confidence(), therapeutic_alliance::Confidence::Confirmed);
    /// # Ok(())
    /// # }
    /// ```
    pub fn provenance(&self) -> &Provenance {
        &self.def.provenance
    }

    /// Licence note: what may be shipped and where to obtain the form.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert!(wai.licence().is_some_and(|l| l.contains("copyrighted")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn licence(&self) -> Option<&str> {
        self.def.licence.as_deref()
    }

    /// The interpretation thresholds.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert!(wai.thresholds().is_empty());
    /// assert_eq!(catalog::require("srs")?.thresholds().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn thresholds(&self) -> &[Threshold] {
        &self.def.thresholds
    }

    /// The parts that have items, in canonical order (goals, collaboration, bond, global).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Part};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::get("srs").ok_or("missing")?;
    /// assert_eq!(srs.parts().count(), 4);
    /// let arm = catalog::get("arm-5").ok_or("missing")?;
    /// assert_eq!(arm.parts().collect::<Vec<_>>(), [Part::Global]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn parts(&self) -> impl Iterator<Item = Part> + '_ {
        Part::ALL
            .into_iter()
            .filter(|p| self.part_items[p.index()] > 0)
    }

    /// Number of items in a part (0 if the instrument does not score it).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::require("wai-sr")?;
    /// assert_eq!(wai.part_items(therapeutic_alliance::Component::Bond.into()), 4);
    /// assert_eq!(wai.part_items(therapeutic_alliance::Part::Global), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn part_items(&self, part: Part) -> usize {
        self.part_items[part.index()]
    }

    /// Lowest and highest possible score of a target in a metric.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let wai = catalog::get("wai-sr").ok_or("missing")?;
    /// assert_eq!(wai.range(Target::Total, Metric::Sum), Some((12.0, 60.0)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn range(&self, target: Target, metric: Metric) -> Option<(f64, f64)> {
        let items = match target {
            Target::Part(p) => self.part_items(p),
            Target::Total => self.def.items.len(),
        };
        if items == 0 {
            return None;
        }
        let (lo, hi) = (self.scale().min(), self.scale().max());
        Some(match metric {
            Metric::Sum => (lo * items as f64, hi * items as f64),
            Metric::Mean => (lo, hi),
            Metric::PercentOfMaximum => (0.0, 100.0),
        })
    }
}
