//! The instrument builder and its validation.

use super::{Instrument, Item, MissingRule, Provenance, ScoringRule, Threshold};
use crate::components::{Modality, Part, Rater, Target};
use crate::error::{Error, Result};
use crate::scale::ResponseScale;

/// Builds an [`Instrument`]; [`InstrumentBuilder::build`] validates.
///
/// Defaults: version `"1"`, [`Modality::General`], [`Rater::Client`], [`ScoringRule::Sum`],
/// [`MissingRule::default`] (3/4 of each part's items), no citation, a user-defined
/// [`Provenance`], no licence note, no thresholds.
///
/// ```
/// use therapeutic_alliance::{Instrument, Item, MissingRule, Part, Rater, ResponseScale, ScoringRule};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let inst = Instrument::builder("pulse", "Session pulse", ResponseScale::likert(0, 4, [])?)
///     .rater(Rater::Therapist)
///     .scoring(ScoringRule::Mean)
///     .missing(MissingRule::strict())
///     .items((1..=3).map(|i| Item::new(i.to_string(), Part::Global)))
///     .build()?;
/// assert_eq!(inst.rater(), Rater::Therapist);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(deny_unknown_fields)
)]
pub struct InstrumentBuilder {
    pub(super) id: String,
    pub(super) name: String,
    #[cfg_attr(feature = "serde", serde(default = "default_version"))]
    pub(super) version: String,
    #[cfg_attr(feature = "serde", serde(default = "default_modality"))]
    pub(super) modality: Modality,
    #[cfg_attr(feature = "serde", serde(default = "default_rater"))]
    pub(super) rater: Rater,
    pub(super) scale: ResponseScale,
    /// The parts the instrument declares it scores; empty = whatever parts its items have.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub(super) parts: Vec<Part>,
    pub(super) items: Vec<Item>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) scoring: ScoringRule,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) missing: MissingRule,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub(super) citation: Option<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) provenance: Provenance,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub(super) licence: Option<String>,
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub(super) thresholds: Vec<Threshold>,
}

#[cfg(feature = "serde")]
fn default_version() -> String {
    "1".to_owned()
}
#[cfg(feature = "serde")]
fn default_modality() -> Modality {
    Modality::General
}
#[cfg(feature = "serde")]
fn default_rater() -> Rater {
    Rater::Client
}
/// Whether `s` is a valid instrument id: lowercase ASCII letters, digits, `-`, not at either end.
fn check_instrument_id(s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidId {
            field: "instrument id",
            value: s.to_owned(),
            rule: "use lowercase ascii letters, digits and inner hyphens",
        })
    }
}

/// Checks an id or label given by a user: not empty, no surrounding whitespace, no control characters.
pub(crate) fn check_text_id(field: &'static str, s: &str) -> Result<()> {
    if s.is_empty() || s.trim() != s || s.chars().any(char::is_control) {
        return Err(Error::InvalidId {
            field,
            value: s.to_owned(),
            rule: "must be non-empty, without surrounding whitespace or control characters",
        });
    }
    Ok(())
}

impl InstrumentBuilder {
    /// Sets the version of the form or key.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .version("2")
    ///     .build()?;
    /// assert_eq!(inst.version(), "2");
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
    /// use therapeutic_alliance::{Instrument, Item, Modality, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
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
    /// use therapeutic_alliance::{Instrument, Item, Part, Rater, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
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

    /// Declares the parts the instrument scores, so that a declared component left without items,
    /// or an item in an undeclared part, is an error rather than a silently different instrument.
    /// Without a declaration the parts are those the items have.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Error, Instrument, Item, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [])?;
    /// let err = Instrument::builder("gcb", "Three components", scale)
    ///     .parts(Component::ALL)
    ///     .item(Item::new("1", Component::Goals))
    ///     .item(Item::new("2", Component::Bond))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "instrument gcb: collaboration has no items");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn parts<P: Into<Part>>(mut self, parts: impl IntoIterator<Item = P>) -> Self {
        self.parts = parts.into_iter().map(Into::into).collect();
        self
    }

    /// Adds one item (presentation order is the order added).
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .item(Item::new("2", Part::Global).reversed())
    ///     .build()?;
    /// assert!(inst.items()[1].is_reversed());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn item(mut self, item: Item) -> Self {
        self.items.push(item);
        self
    }

    /// Adds several items.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .items([Item::new("2", Part::Global), Item::new("3", Part::Global)])
    ///     .build()?;
    /// assert_eq!(inst.items().len(), 3);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn items(mut self, items: impl IntoIterator<Item = Item>) -> Self {
        self.items.extend(items);
        self
    }

    /// Sets the scoring rule.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale, ScoringRule};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .scoring(ScoringRule::Mean)
    ///     .build()?;
    /// assert_eq!(inst.scoring(), ScoringRule::Mean);
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
    /// use therapeutic_alliance::{Instrument, Item, MissingRule, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .missing(MissingRule::strict())
    ///     .build()?;
    /// assert!(inst.missing().is_strict());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn missing(mut self, missing: MissingRule) -> Self {
        self.missing = missing;
        self
    }

    /// Sets the citation of the published source.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .citation("Doe (2026)")
    ///     .build()?;
    /// assert_eq!(inst.citation(), Some("Doe (2026)"));
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
    /// use therapeutic_alliance::{Confidence, Instrument, Item, Part, Provenance, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
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

    /// Sets the licence note.
    ///
    /// ```
    /// use therapeutic_alliance::{Instrument, Item, Part, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .licence("CC BY 4.0")
    ///     .build()?;
    /// assert_eq!(inst.licence(), Some("CC BY 4.0"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn licence(mut self, licence: impl Into<String>) -> Self {
        self.licence = Some(licence.into());
        self
    }

    /// Adds an interpretation threshold.
    ///
    /// ```
    /// use therapeutic_alliance::{Comparison, Instrument, Item, Metric, Part, ResponseScale, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .threshold(Threshold::new(Target::Total, Metric::Mean, Comparison::Below, 2.0, "low")?)
    ///     .build()?;
    /// assert_eq!(inst.thresholds().len(), 1);
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
    /// use therapeutic_alliance::{Comparison, Instrument, Item, Metric, Part, ResponseScale, Target, Threshold};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let inst = Instrument::builder("x", "X", ResponseScale::likert(1, 5, [])?)
    ///     .item(Item::new("1", Part::Global))
    ///     .threshold(Threshold::new(Target::Total, Metric::Mean, Comparison::Below, 2.0, "low")?)
    ///     .clear_thresholds()
    ///     .build()?;
    /// assert!(inst.thresholds().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn clear_thresholds(mut self) -> Self {
        self.thresholds.clear();
        self
    }

    /// Validates and builds the instrument.
    ///
    /// # Errors
    /// - [`Error::InvalidId`] for a malformed instrument id, an empty name or a malformed item id;
    /// - [`Error::NoItems`] without items;
    /// - [`Error::DuplicateItem`] when two items share an id;
    /// - [`Error::EmptyPart`] when a declared part ([`InstrumentBuilder::parts`]) has no items;
    /// - [`Error::UndeclaredPart`] when an item scores a part that is not declared;
    /// - [`Error::UnreachableMissingRule`] when a part has fewer items than the missing-item rule requires;
    /// - [`Error::EmptyPart`] when a threshold reads a part without items;
    /// - [`Error::ThresholdOutOfRange`] when a threshold value lies outside its score's range.
    ///
    /// ```
    /// use therapeutic_alliance::{Component, Error, Instrument, Item, ResponseScale};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let scale = ResponseScale::likert(1, 5, [])?;
    /// let err = Instrument::builder("dup", "Duplicate", scale)
    ///     .item(Item::new("1", Component::Goals))
    ///     .item(Item::new("1", Component::Bond))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::DuplicateItem { .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn build(self) -> Result<Instrument> {
        check_instrument_id(&self.id)?;
        check_text_id("instrument name", &self.name)?;
        check_text_id("instrument version", &self.version)?;
        if self.items.is_empty() {
            return Err(Error::NoItems {
                instrument: self.id,
            });
        }
        let mut part_items = [0usize; 4];
        let mut seen = std::collections::HashSet::with_capacity(self.items.len());
        for item in &self.items {
            check_text_id("item id", item.id())?;
            if !seen.insert(item.id()) {
                return Err(Error::DuplicateItem {
                    instrument: self.id.clone(),
                    item: item.id().to_owned(),
                });
            }
            if !self.parts.is_empty() && !self.parts.contains(&item.part()) {
                return Err(Error::UndeclaredPart {
                    instrument: self.id.clone(),
                    item: item.id().to_owned(),
                    part: item.part(),
                });
            }
            part_items[item.part().index()] += 1;
        }
        if let Some(&part) = self.parts.iter().find(|p| part_items[p.index()] == 0) {
            return Err(Error::EmptyPart {
                instrument: self.id.clone(),
                part,
            });
        }
        for part in Part::ALL {
            let items = part_items[part.index()];
            let required = self.missing.required(items);
            if items > 0 && required > items {
                return Err(Error::UnreachableMissingRule {
                    instrument: self.id.clone(),
                    part,
                    required,
                    items,
                });
            }
        }
        let inst = Instrument {
            def: self,
            part_items,
        };
        for t in inst.thresholds() {
            let (min, max) = inst.range(t.target(), t.metric()).ok_or_else(|| {
                let part = match t.target() {
                    Target::Part(p) => p,
                    // The total always has items: an instrument without items was refused above.
                    Target::Total => Part::Global,
                };
                Error::EmptyPart {
                    instrument: inst.id().to_owned(),
                    part,
                }
            })?;
            if t.value() < min || t.value() > max {
                return Err(Error::ThresholdOutOfRange {
                    instrument: inst.id().to_owned(),
                    target: t.target(),
                    metric: t.metric().name(),
                    value: t.value(),
                    min,
                    max,
                });
            }
        }
        Ok(inst)
    }
}

impl TryFrom<InstrumentBuilder> for Instrument {
    type Error = Error;

    fn try_from(b: InstrumentBuilder) -> Result<Self> {
        b.build()
    }
}

impl From<Instrument> for InstrumentBuilder {
    fn from(i: Instrument) -> Self {
        i.def
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::Component;
    use crate::instruments::{Comparison, Metric};

    fn scale() -> ResponseScale {
        ResponseScale::likert(1, 5, []).expect("valid scale")
    }

    fn three() -> InstrumentBuilder {
        Instrument::builder("t", "Test", scale()).items([
            Item::new("1", Component::Goals),
            Item::new("2", Component::Collaboration),
            Item::new("3", Component::Bond),
        ])
    }

    #[test]
    fn builder_validates() {
        assert!(three().build().is_ok());
        assert!(matches!(
            Instrument::builder("t", "Test", scale()).build(),
            Err(Error::NoItems { .. })
        ));
        for bad in ["", "Wai", "wai_sr", "-x", "x-", "w i"] {
            assert!(
                matches!(
                    Instrument::builder(bad, "Test", scale())
                        .item(Item::new("1", Part::Global))
                        .build(),
                    Err(Error::InvalidId { .. })
                ),
                "{bad}"
            );
        }
        for bad in ["", " 1", "1 ", "a\nb"] {
            assert!(matches!(
                three().item(Item::new(bad, Part::Global)).build(),
                Err(Error::InvalidId {
                    field: "item id",
                    ..
                })
            ));
        }
        let err = three()
            .missing(MissingRule::at_least_items(2).expect("valid rule"))
            .build()
            .unwrap_err();
        assert!(matches!(
            err,
            Error::UnreachableMissingRule {
                required: 2,
                items: 1,
                ..
            }
        ));
    }

    #[test]
    fn declared_parts_must_match_the_items() {
        assert!(three().parts(Component::ALL).build().is_ok());
        assert!(matches!(
            three().parts(Part::ALL).build(),
            Err(Error::EmptyPart {
                part: Part::Global,
                ..
            })
        ));
        assert!(matches!(
            three().parts([Component::Goals, Component::Bond]).build(),
            Err(Error::UndeclaredPart { ref item, part: Part::Component(Component::Collaboration), .. }) if item == "2"
        ));
    }

    #[test]
    fn thresholds_are_checked_against_their_range() -> Result<()> {
        let t = |target: Target, metric, value| {
            Threshold::new(target, metric, Comparison::Below, value, "x")
        };
        assert!(
            three()
                .threshold(t(Target::Total, Metric::Sum, 3.0)?)
                .build()
                .is_ok()
        );
        assert!(matches!(
            three()
                .threshold(t(Target::Total, Metric::Sum, 15.5)?)
                .build(),
            Err(Error::ThresholdOutOfRange { .. })
        ));
        assert!(matches!(
            three()
                .threshold(t(Target::Part(Part::Global), Metric::Mean, 3.0)?)
                .build(),
            Err(Error::EmptyPart {
                part: Part::Global,
                ..
            })
        ));
        assert!(matches!(
            three()
                .threshold(t(Target::Total, Metric::PercentOfMaximum, 100.5)?)
                .build(),
            Err(Error::ThresholdOutOfRange { .. })
        ));
        assert!(
            Threshold::new(Target::Total, Metric::Sum, Comparison::Below, f64::NAN, "x").is_err()
        );
        Ok(())
    }
}
