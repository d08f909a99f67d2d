//! The instrument builder and its validation.

use super::{
    Bands, Codes, Compiled, Instrument, Item, MissingRule, Provenance, ReliableChangeAmount,
    ScoringRule, Slot, Subscale, Threshold, TotalRule, digest,
};
use crate::components::Better;
use crate::components::{Component, Modality, Rater};
use crate::error::check_field;
use crate::error::{ErrorKind, Result};
use crate::ids::TextRule;
use crate::scale::ResponseScale;
use std::collections::HashMap;

/// Builds an [`Instrument`]; [`InstrumentBuilder::build`] validates.
///
/// Defaults: version `"1"`, [`Modality::General`], [`Rater::Client`], [`ScoringRule::Sum`],
/// [`MissingRule::default`] (3/4 of each subscale's items), [`TotalRule::SumOfSubscales`], no
/// citation, a user-defined [`Provenance`], no license note, no thresholds, higher scores better
/// ([`Better::Higher`]), no severity bands, no reliable-change amount, no codes.
///
/// With `serde`, a builder is the instrument's definition: an [`Instrument`] serializes to it and
/// deserializes from it, validating as [`build`](InstrumentBuilder::build) does. Its JSON form,
/// described by the crate's JSON Schema (`Instrument::JSON_SCHEMA`) and read with typed, located
/// errors by `Instrument::from_json` (or `from_toml`, the same fields in TOML):
///
/// ```json
/// {"schema_version": 1, "id": "clinic-trust", "name": "Clinic trust check", "version": "2",
///  "scale": {"kind": "likert", "min": 1, "max": 5},
///  "items": [{"id": "1"}, {"id": "2", "keying": "reversed"}, {"id": "3"}, {"id": "4"}],
///  "subscales": [{"id": "trust", "label": "Trust", "items": ["1", "2"]},
///                {"id": "bond", "label": "Bond", "component": "bond", "items": ["3", "4"]}],
///  "scoring": "mean", "missing": {"rule": "strict"}, "total": "sum_of_subscales"}
/// ```
///
/// ```
/// use therapeutic_alliance::{Instrument, Item, MissingRule, Rater, ResponseScale, ScoringRule, Subscale, TotalRule};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let pulse = Instrument::builder("pulse", "Session pulse", ResponseScale::likert(0, 4, [])?)
///     .rater(Rater::Therapist)
///     .scoring(ScoringRule::Mean)
///     .missing(MissingRule::strict())
///     .items(["1", "2", "3"])
///     .total(TotalRule::OverItems)
///     .build()?;
/// assert_eq!((pulse.rater(), pulse.subscales().len()), (Rater::Therapist, 0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(
        try_from = "super::definition::Definition",
        into = "super::definition::Definition"
    )
)]
pub struct InstrumentBuilder {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) version: String,
    pub(super) modality: Modality,
    pub(super) rater: Rater,
    pub(super) scale: ResponseScale,
    pub(super) items: Vec<Item>,
    pub(super) subscales: Vec<Subscale>,
    pub(super) scoring: ScoringRule,
    pub(super) missing: MissingRule,
    pub(super) total: TotalRule,
    pub(super) citation: Option<String>,
    pub(super) provenance: Provenance,
    pub(super) license: Option<String>,
    pub(super) thresholds: Vec<Threshold>,
    pub(super) better: Better,
    pub(super) bands: Vec<Bands>,
    pub(super) reliable_change: Option<ReliableChangeAmount>,
    pub(super) codes: Option<Codes>,
}

impl InstrumentBuilder {
    pub(super) fn new(id: String, name: String, scale: ResponseScale) -> Self {
        InstrumentBuilder {
            id,
            name,
            version: "1".to_owned(),
            modality: Modality::General,
            rater: Rater::Client,
            scale,
            items: Vec::new(),
            subscales: Vec::new(),
            scoring: ScoringRule::default(),
            missing: MissingRule::default(),
            total: TotalRule::default(),
            citation: None,
            provenance: Provenance::default(),
            license: None,
            thresholds: Vec::new(),
            better: Better::Higher,
            bands: Vec::new(),
            reliable_change: None,
            codes: None,
        }
    }

    /// Sets the version of the form or key. A changed definition must carry a new id or version:
    /// records name both, and a [`Registry`](crate::Registry) refuses a record whose definition
    /// differs from the one registered under them.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let strict = wai.to_builder().version("client form, strict").missing(therapeutic_alliance::MissingRule::strict()).build()?;
    /// assert_eq!(strict.version(), "client form, strict");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Sets the modality.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Modality, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1"]).total(TotalRule::OverItems)
    ///     .modality(Modality::Cbt)
    ///     .build()?;
    /// assert_eq!(inst.modality(), Modality::Cbt);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn modality(mut self, modality: Modality) -> Self {
        self.modality = modality;
        self
    }

    /// Sets the rater.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Rater, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1"]).total(TotalRule::OverItems)
    ///     .rater(Rater::Observer)
    ///     .build()?;
    /// assert_eq!(inst.rater(), Rater::Observer);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn rater(mut self, rater: Rater) -> Self {
        self.rater = rater;
        self
    }

    /// Adds one item (presentation order is the order added).
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1"))
    ///     .item(Item::new("2").reversed())
    ///     .total(TotalRule::OverItems)
    ///     .build()?;
    /// assert!(inst.items()[1].is_reversed());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn item(mut self, item: impl Into<Item>) -> Self {
        self.items.push(item.into());
        self
    }

    /// Adds several items: [`Item`]s, or plain ids for positively keyed items without wording.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items((1..=5).map(|n| n.to_string()))
    ///     .total(TotalRule::OverItems)
    ///     .build()?;
    /// assert_eq!(inst.items().len(), 5);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn items<I: Into<Item>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
        self.items.extend(items.into_iter().map(Into::into));
        self
    }

    /// Adds a subscale. Subscales are reported in the order added.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Instrument, ResponseScale, Subscale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// // A clinic's form where item 2 counts in both of its scales: no sum-of-subscales total.
    /// let form = Instrument::builder("clinic", "Clinic form", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1", "2", "3"])
    ///     .subscale(Subscale::new("trust", "Trust", ["1", "2"]))
    ///     .subscale(Subscale::for_component(Component::Bond, "Warmth", ["2", "3"]))
    ///     .total(TotalRule::OverItems)
    ///     .build()?;
    /// assert_eq!(form.score_values(&[Some(4.0), Some(2.0), Some(5.0)])?.primary(Component::Bond), Some(7.0));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn subscale(mut self, subscale: Subscale) -> Self {
        self.subscales.push(subscale);
        self
    }

    /// Adds several subscales.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Instrument, ResponseScale, Subscale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("gcb", "Three components", ResponseScale::likert(1, 5, [])?)
    ///     .items(["g", "c", "b"])
    ///     .subscales(Component::ALL.iter().zip(["g", "c", "b"]).map(|(&c, i)| Subscale::for_component(c, c.name(), [i])))
    ///     .build()?;
    /// assert_eq!(inst.subscales().len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn subscales(mut self, subscales: impl IntoIterator<Item = Subscale>) -> Self {
        self.subscales.extend(subscales);
        self
    }

    /// Sets the scoring rule.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, ResponseScale, ScoringRule, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1", "2"]).total(TotalRule::OverItems)
    ///     .scoring(ScoringRule::Mean)
    ///     .build()?;
    /// assert_eq!(inst.score_values(&[Some(2.0), Some(5.0)])?.primary("total"), Some(3.5));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn scoring(mut self, scoring: ScoringRule) -> Self {
        self.scoring = scoring;
        self
    }

    /// Sets the missing-item rule.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, MissingRule, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1", "2"]).total(TotalRule::OverItems)
    ///     .missing(MissingRule::strict())
    ///     .build()?;
    /// assert_eq!(inst.score_values(&[Some(2.0), None])?.primary("total"), None);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn missing(mut self, missing: MissingRule) -> Self {
        self.missing = missing;
        self
    }

    /// Sets how the total is formed (see [`TotalRule`]).
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, ResponseScale, Subscale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1", "2"])
    ///     .subscale(Subscale::new("a", "A", ["1"]))
    ///     .subscale(Subscale::new("b", "B", ["2"]))
    ///     .total(TotalRule::None)
    ///     .build()?;
    /// assert!(inst.score_values(&[Some(2.0), Some(3.0)])?.total().is_none());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn total(mut self, total: TotalRule) -> Self {
        self.total = total;
        self
    }

    /// Sets the citation of the published source.
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = therapeutic_alliance::catalog::require("wai-sr")?;
    /// let cited = wai.to_builder().version("local").citation("Clinic handbook (2026)").build()?;
    /// assert_eq!(cited.citation(), Some("Clinic handbook (2026)"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn citation(mut self, citation: impl Into<String>) -> Self {
        self.citation = Some(citation.into());
        self
    }

    /// Sets the provenance of the scoring key.
    ///
    /// ```
    /// use therapeutic_alliance::{Confidence, Instrument, Provenance, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1"]).total(TotalRule::OverItems)
    ///     .provenance(Provenance::new(Confidence::Secondary, "one vendor page"))
    ///     .build()?;
    /// assert_eq!(inst.provenance().confidence(), Confidence::Secondary);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn provenance(mut self, provenance: Provenance) -> Self {
        self.provenance = provenance;
        self
    }

    /// Sets the license note.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1"]).total(TotalRule::OverItems)
    ///     .license("CC BY 4.0")
    ///     .build()?;
    /// assert_eq!(inst.license(), Some("CC BY 4.0"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn license(mut self, license: impl Into<String>) -> Self {
        self.license = Some(license.into());
        self
    }

    /// Adds an interpretation threshold.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Comparison, Metric, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let watched = wai.to_builder()
    ///     .version("client form, bond alert")
    ///     .threshold(Threshold::new("bond", Metric::Mean, Comparison::Below, 3.0, "check in about the bond")?)
    ///     .build()?;
    /// let scores = watched.score_values(&[Some(4.0), Some(4.0), Some(2.0), Some(4.0), Some(2.0), Some(4.0),
    ///                                     Some(3.0), Some(4.0), Some(3.0), Some(4.0), Some(4.0), Some(4.0)])?;
    /// assert_eq!(scores.flags()[0].message(), "check in about the bond");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn threshold(mut self, threshold: Threshold) -> Self {
        self.thresholds.push(threshold);
        self
    }

    /// Removes every threshold (to replace a catalog default).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = therapeutic_alliance::catalog::require("srs")?;
    /// let quiet = srs.to_builder().version("3.0, no alert").clear_thresholds().build()?;
    /// assert!(quiet.thresholds().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn clear_thresholds(mut self) -> Self {
        self.thresholds.clear();
        self
    }

    /// Sets which direction of change is improvement: [`Better::Lower`] for symptom measures
    /// such as the PHQ-9, [`Better::Higher`] (the default) for alliance and well-being.
    ///
    /// ```
    /// use therapeutic_alliance::{Better, Instrument, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let distress = Instrument::builder("distress", "Distress", ResponseScale::likert(0, 10, [])?)
    ///     .items(["1"])
    ///     .total(TotalRule::OverItems)
    ///     .better(Better::Lower)
    ///     .build()?;
    /// assert_eq!(distress.better(), Better::Lower);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn better(mut self, better: Better) -> Self {
        self.better = better;
        self
    }

    /// Adds named bands of a score (severity bands).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Bands, Metric};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let banded = wai.to_builder()
    ///     .version("client form, banded")
    ///     .bands(Bands::new("bond", Metric::Mean, [(1.0, "weak"), (3.5, "good")])?)
    ///     .build()?;
    /// let scores = banded.score_values(&[Some(4.0); 12])?;
    /// assert_eq!(scores.band("bond"), Some("good"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn bands(mut self, bands: Bands) -> Self {
        self.bands.push(bands);
        self
    }

    /// Removes every set of bands (to replace a catalog default).
    ///
    /// ```
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = therapeutic_alliance::catalog::require("phq-9")?;
    /// let plain = phq9.to_builder().version("no bands").clear_bands().build()?;
    /// assert!(plain.bands().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn clear_bands(mut self) -> Self {
        self.bands.clear();
        self
    }

    /// Sets the smallest change that counts as reliable (replacing any set before).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Metric, ReliableChangeAmount};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let clinic = srs.to_builder()
    ///     .version("3.0, clinic")
    ///     .reliable_change(ReliableChangeAmount::new("total", Metric::Sum, 5.0)?.with_source("clinic audit"))
    ///     .build()?;
    /// assert_eq!(clinic.reliable_change().map(|rc| rc.points()), Some(5.0));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn reliable_change(mut self, reliable_change: ReliableChangeAmount) -> Self {
        self.reliable_change = Some(reliable_change);
        self
    }

    /// Sets the codes of the instrument, its total, items and answers in a code system.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Codes};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let coded = srs.to_builder()
    ///     .codes(Codes::new("https://clinic.example/codes").with_instrument("srs-3"))
    ///     .build()?;
    /// assert_eq!(coded.codes().and_then(|c| c.instrument()), Some("srs-3"));
    /// // Codes do not change scores, so the digest stays.
    /// assert_eq!(coded.digest(), srs.digest());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn codes(mut self, codes: Codes) -> Self {
        self.codes = Some(codes);
        self
    }

    /// Validates and builds the instrument.
    ///
    /// # Errors
    /// - [`ErrorKind::InvalidText`] for a malformed instrument id, version, name, item id,
    ///   subscale id or label, item text, citation or license;
    /// - [`ErrorKind::NoItems`] without items; [`ErrorKind::DuplicateItem`] when two items
    ///   share an id;
    /// - [`ErrorKind::DuplicateSubscale`], [`ErrorKind::ReservedSubscaleId`],
    ///   [`ErrorKind::EmptySubscale`], [`ErrorKind::SubscaleUnknownItem`],
    ///   [`ErrorKind::SubscaleRepeatsItem`], [`ErrorKind::ComponentTwice`] for a bad subscale;
    /// - [`ErrorKind::TotalNeedsPartition`] when a sum-of-subscales total has an item in no
    ///   subscale or in several;
    /// - [`ErrorKind::UnreachableMissingRule`] when a subscale (or an over-items total) has
    ///   fewer items than the missing-item rule requires;
    /// - [`ErrorKind::NotExact`] when a prorated total could not be computed exactly;
    /// - [`ErrorKind::UnknownTarget`] when a threshold reads a subscale or total the instrument
    ///   does not have; [`ErrorKind::ThresholdOutOfRange`] when its value lies outside its
    ///   score's range;
    /// - [`ErrorKind::UnknownTarget`] or [`ErrorKind::InvalidDefinition`] when bands or the
    ///   reliable-change amount read a score the instrument does not have or lie outside its
    ///   range; [`ErrorKind::InvalidDefinition`] when a code names an unknown item or an answer
    ///   not on the scale, or an item or answer has two codes.
    ///
    /// ```
    /// use therapeutic_alliance::{ErrorKind, Instrument, ResponseScale, TotalRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let err = Instrument::builder("dup", "Duplicate", ResponseScale::likert(1, 5, [])?)
    ///     .items(["1", "1"])
    ///     .total(TotalRule::OverItems)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::DuplicateItem { .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(self) -> Result<Instrument> {
        // Errors carry the field's path in the serialized definition (a JSON Pointer).
        check_field(TextRule::InstrumentId, "instrument id", &self.id).map_err(at("/id"))?;
        check_field(TextRule::Label, "instrument name", &self.name).map_err(at("/name"))?;
        check_field(TextRule::Id, "instrument version", &self.version).map_err(at("/version"))?;
        for (field, text) in [("citation", &self.citation), ("license", &self.license)] {
            if let Some(t) = text {
                check_field(TextRule::Label, field, t)
                    .map_err(|e| e.at_path(format!("/{field}")))?;
            }
        }
        check_field(TextRule::Label, "provenance note", self.provenance.note())
            .map_err(at("/provenance/note"))?;
        let instrument = || self.id.clone();
        if self.items.is_empty() {
            return Err(crate::Error::from(ErrorKind::NoItems {
                instrument: instrument(),
            })
            .at_path("/items"));
        }
        let mut index: HashMap<Box<str>, usize> = HashMap::with_capacity(self.items.len());
        for (i, item) in self.items.iter().enumerate() {
            let item_at = |field: &str| at(format!("/items/{i}/{field}"));
            check_field(TextRule::Id, "item id", item.id()).map_err(item_at("id"))?;
            if let Some(text) = item.text() {
                check_field(TextRule::Label, "item text", text).map_err(item_at("text"))?;
            }
            if index.insert(item.id().into(), i).is_some() {
                return Err(item_at("id")(
                    ErrorKind::DuplicateItem {
                        instrument: instrument(),
                        item: item.id().to_owned(),
                    }
                    .into(),
                ));
            }
        }
        let (subscales, components) = self.compile_subscales(&index)?;
        let k = self.items.len();
        if self.total == TotalRule::SumOfSubscales {
            let mut count = vec![0usize; k];
            for s in &subscales {
                for &i in s.iter() {
                    if let Some(c) = count.get_mut(i as usize) {
                        *c += 1;
                    }
                }
            }
            if let Some((item, &n)) = self.items.iter().zip(&count).find(|(_, n)| **n != 1) {
                return Err(crate::Error::from(ErrorKind::TotalNeedsPartition {
                    instrument: instrument(),
                    item: item.id().to_owned(),
                    subscales: n,
                })
                .at_path("/total"));
            }
        }
        let mut required = Vec::with_capacity(subscales.len());
        for (s, def) in subscales.iter().zip(&self.subscales) {
            required.push(self.reachable(def.id(), s.len()).map_err(at("/missing"))?);
        }
        let total_required = match self.total {
            TotalRule::OverItems => self.reachable("total", k).map_err(at("/missing"))?,
            _ => 0,
        };
        self.check_exact(&subscales, &required)
            .map_err(at("/total"))?;
        let compiled = Compiled {
            digest: digest::of(&self),
            index,
            subscales: subscales
                .into_iter()
                .zip(required)
                .map(|(items, required)| super::CompiledSubscale { items, required })
                .collect(),
            components,
            total_required,
            threshold_slots: Vec::new(),
            def: self,
        };
        let mut inst = Instrument(std::sync::Arc::new(compiled));
        let slots = inst.check_thresholds()?;
        inst.check_interpretation()?;
        if let Some(c) = std::sync::Arc::get_mut(&mut inst.0) {
            c.threshold_slots = slots;
        }
        Ok(inst)
    }

    /// Validates the subscales: item indices of each, and the subscale measuring each component.
    #[allow(clippy::type_complexity)]
    fn compile_subscales(
        &self,
        index: &HashMap<Box<str>, usize>,
    ) -> Result<(Vec<Box<[u32]>>, [Option<usize>; 3])> {
        let instrument = || self.id.clone();
        let mut out: Vec<Box<[u32]>> = Vec::with_capacity(self.subscales.len());
        let mut components: [Option<usize>; 3] = [None; 3];
        let mut seen_ids = std::collections::HashSet::with_capacity(self.subscales.len());
        for (si, s) in self.subscales.iter().enumerate() {
            let at = |field: &str| at(format!("/subscales/{si}/{field}"));
            check_field(TextRule::Id, "subscale id", s.id()).map_err(at("id"))?;
            check_field(TextRule::Label, "subscale label", s.label()).map_err(at("label"))?;
            let reserved = match s.id().parse::<Component>() {
                _ if s.id() == "total" => Some("is reserved for the total"),
                Ok(c) if s.component() != Some(c) => {
                    Some("names a component, so the subscale must measure that component")
                }
                _ => None,
            };
            if let Some(reason) = reserved {
                return Err(at("id")(
                    ErrorKind::ReservedSubscaleId {
                        instrument: instrument(),
                        subscale: s.id().to_owned(),
                        reason,
                    }
                    .into(),
                ));
            }
            if !seen_ids.insert(s.id()) {
                return Err(at("id")(
                    ErrorKind::DuplicateSubscale {
                        instrument: instrument(),
                        subscale: s.id().to_owned(),
                    }
                    .into(),
                ));
            }
            if s.items().is_empty() {
                return Err(at("items")(
                    ErrorKind::EmptySubscale {
                        instrument: instrument(),
                        subscale: s.id().to_owned(),
                    }
                    .into(),
                ));
            }
            let mut items = Vec::with_capacity(s.items().len());
            let mut in_this = std::collections::HashSet::with_capacity(s.items().len());
            for (j, id) in s.items().iter().enumerate() {
                let item_at = || at(&format!("items/{j}"));
                let &i = index.get(id.as_str()).ok_or_else(|| {
                    item_at()(
                        ErrorKind::SubscaleUnknownItem {
                            instrument: instrument(),
                            subscale: s.id().to_owned(),
                            item: id.clone(),
                            hint: id
                                .strip_prefix('-')
                                .filter(|rest| index.contains_key(*rest))
                                .map(|_| {
                                    "psych's \"-item\" keying is written Item::new(\"item\").reversed() here"
                                }),
                        }
                        .into(),
                    )
                })?;
                if !in_this.insert(i) {
                    return Err(item_at()(
                        ErrorKind::SubscaleRepeatsItem {
                            instrument: instrument(),
                            subscale: s.id().to_owned(),
                            item: id.clone(),
                        }
                        .into(),
                    ));
                }
                // Item counts are far below u32::MAX: a definition that large cannot be held.
                items.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
            if let Some(c) = s.component() {
                let slot = &mut components[component_index(c)];
                if let Some(first) = *slot {
                    return Err(at("component")(
                        ErrorKind::ComponentTwice {
                            instrument: instrument(),
                            component: c,
                            first: self
                                .subscales
                                .get(first)
                                .map_or_else(String::new, |f| f.id().to_owned()),
                            second: s.id().to_owned(),
                        }
                        .into(),
                    ));
                }
                *slot = Some(si);
            }
            out.push(items.into_boxed_slice());
        }
        Ok((out, components))
    }

    /// The items the missing-item rule requires of `items` items, if it can be met.
    fn reachable(&self, target: &str, items: usize) -> Result<usize> {
        let required = self.missing.required(items);
        if required > items {
            return Err(ErrorKind::UnreachableMissingRule {
                instrument: self.id.clone(),
                target: target.to_owned(),
                required,
                items,
            }
            .into());
        }
        Ok(required)
    }

    /// Checks that every prorated score fits exact `i128` arithmetic (see `scoring`): the
    /// denominator of a sum-of-subscales total is the least common multiple of the prorated
    /// subscales' answered counts, bounded by their product and by the lcm of every count they
    /// may take.
    fn check_exact(&self, subscales: &[Box<[u32]>], required: &[usize]) -> Result<()> {
        let k = self.items.len() as i128;
        let m = i128::from(
            self.scale
                .min_units()
                .unsigned_abs()
                .max(self.scale.max_units().unsigned_abs()),
        );
        let res = self.scale.resolution_units();
        // Worst case of the largest intermediate product, per unit of denominator.
        let per_den = k
            .checked_mul(2 * m + 1)
            .and_then(|v| v.checked_mul(100 * res))
            .and_then(|v| v.checked_mul(k));
        let fits = |den: i128| per_den.and_then(|p| p.checked_mul(den)).is_some();
        let prorated: Vec<(usize, usize)> = subscales
            .iter()
            .zip(required)
            .map(|(s, &r)| (r, s.len()))
            .filter(|&(r, n)| r < n)
            .collect();
        let den = if self.total != TotalRule::SumOfSubscales || prorated.len() <= 1 {
            Some(k.max(1))
        } else {
            let product = prorated
                .iter()
                .try_fold(1i128, |acc, &(_, n)| acc.checked_mul(n as i128));
            let lcm = prorated.iter().try_fold(1u128, |acc, &(r, n)| {
                (r.max(1)..n).try_fold(acc, |acc, a| crate::exact::lcm(acc, a as u128))
            });
            let lcm = lcm.and_then(|l| i128::try_from(l).ok());
            match (product, lcm) {
                (Some(p), Some(l)) => Some(p.min(l)),
                (p, l) => p.or(l),
            }
        };
        match den {
            Some(d) if fits(d) => Ok(()),
            _ => Err(ErrorKind::NotExact {
                instrument: self.id.clone(),
                subscales: prorated.len(),
            }
            .into()),
        }
    }
}

/// Locates an error at a field path of the serialized definition (a JSON Pointer).
fn at(path: impl Into<String>) -> impl FnOnce(crate::Error) -> crate::Error {
    let path = path.into();
    move |e| e.at_path(path)
}

/// Position of a component in [`Component::ALL`].
pub(super) fn component_index(c: Component) -> usize {
    match c {
        Component::Goals => 0,
        Component::Collaboration => 1,
        Component::Bond => 2,
    }
}

impl Instrument {
    /// Resolves every threshold's target and checks its value against the score's range.
    fn check_thresholds(&self) -> Result<Vec<Slot>> {
        let mut slots = Vec::with_capacity(self.thresholds().len());
        for (n, t) in self.thresholds().iter().enumerate() {
            let slot = self
                .slot(t.target())
                .map_err(|e| e.at_path(format!("/thresholds/{n}/target")))?;
            let range = self.slot_range(slot, t.metric());
            if t.value() < range.min() || t.value() > range.max() {
                return Err(crate::Error::from(ErrorKind::ThresholdOutOfRange {
                    instrument: self.id().to_owned(),
                    target: t.target().to_string(),
                    metric: t.metric(),
                    value: t.value(),
                    min: range.min(),
                    max: range.max(),
                })
                .at_path(format!("/thresholds/{n}/value")));
            }
            slots.push(slot);
        }
        Ok(slots)
    }
}

impl Instrument {
    /// Checks bands, the reliable-change amount and codes against the instrument.
    fn check_interpretation(&self) -> Result<()> {
        let def = &self.0.def;
        let out_of_range = |field: &'static str, what: String, slot: Slot, metric| {
            let range = self.slot_range(slot, metric);
            crate::Error::from(ErrorKind::InvalidDefinition {
                field,
                reason: format!(
                    "{what} is outside the range {} to {} of the {}",
                    crate::error::Num(range.min()),
                    crate::error::Num(range.max()),
                    metric.label()
                ),
            })
        };
        for (n, b) in def.bands.iter().enumerate() {
            let slot = self
                .slot(b.target())
                .map_err(|e| e.at_path(format!("/bands/{n}/target")))?;
            let range = self.slot_range(slot, b.metric());
            if let Some(bad) = b.bands().iter().find(|x| !range.contains(x.from())) {
                return Err(out_of_range(
                    "bands",
                    format!(
                        "band {:?} of {} starts at {}, which",
                        bad.label(),
                        b.target(),
                        crate::error::Num(bad.from())
                    ),
                    slot,
                    b.metric(),
                )
                .at_path(format!("/bands/{n}")));
            }
        }
        if let Some(rc) = &def.reliable_change {
            let slot = self
                .slot(rc.target())
                .map_err(|e| e.at_path("/reliable_change/target"))?;
            let range = self.slot_range(slot, rc.metric());
            if rc.points() > range.max() - range.min() {
                return Err(out_of_range(
                    "reliable_change",
                    format!(
                        "a change of {} on {}, wider than the score can move,",
                        crate::error::Num(rc.points()),
                        rc.target()
                    ),
                    slot,
                    rc.metric(),
                )
                .at_path("/reliable_change/points"));
            }
        }
        if let Some(codes) = &def.codes {
            codes
                .check(&def.id, |id| self.item_index(id).is_some(), &def.scale)
                .map_err(|e| e.at_path("/codes"))?;
        }
        Ok(())
    }
}

impl TryFrom<InstrumentBuilder> for Instrument {
    type Error = crate::Error;

    fn try_from(b: InstrumentBuilder) -> Result<Self> {
        b.build()
    }
}

impl From<Instrument> for InstrumentBuilder {
    fn from(i: Instrument) -> Self {
        i.to_builder()
    }
}
