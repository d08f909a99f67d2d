//! The serialized instrument definition: its layout, its schema version, and how it becomes an
//! [`InstrumentBuilder`] with typed, located errors.
//!
//! [`Definition`] is the layout of schema version 1, described by `schema/instrument.schema.json`.
//! An [`InstrumentBuilder`] (and so an [`Instrument`](super::Instrument)) serializes through it,
//! always writing `schema_version` first, and deserializes from it, where `schema_version` may be
//! left out and then means 1.
//!
//! The nested parts that validate themselves (the response scale, the missing-item rule,
//! thresholds, bands, the reliable-change amount) are held here in their unvalidated forms and
//! validated in [`Definition::into_builder`], so a loader keeps the crate's typed error and its
//! field path instead of a serde message. When a later schema version changes the layout, this
//! struct becomes that layout, the version-1 layout stays beside it with a migration into it, and
//! the text loaders (`io::definition`), which read `schema_version` before anything else, pick
//! the layout by version.

use super::{
    Bands, Codes, InstrumentBuilder, Item, MissingRule, Provenance, ReliableChangeAmount,
    ScoringRule, Subscale, Threshold, TotalRule,
};
use super::{
    interpretation::{BandsDef, ReliableChangeDef},
    rules::MissingRuleDef,
    threshold::ThresholdDef,
};
use crate::components::{Better, Modality, Rater};
use crate::error::{Error, ErrorKind, Result};
use crate::scale::{ResponseScale, serde_impl::ScaleDef};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The schema version this crate writes.
pub(crate) const CURRENT: u32 = 1;

/// Every schema version this crate reads, oldest first.
pub(crate) const READS: &[u32] = &[1];

/// The definition as it is written: the fields of [`InstrumentBuilder`] after `schema_version`.
#[derive(Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an instrument definition (a map of fields: id, name, scale, items, ...)"
)]
pub(crate) struct Definition {
    /// Where an editor finds the JSON Schema (`"$schema": "instrument.schema.json"`): accepted so
    /// a hand-written file can name it, ignored, and not written.
    #[serde(rename = "$schema", default, skip_serializing)]
    #[allow(dead_code)] // read to be accepted, then ignored
    editor_schema: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "given_version"
    )]
    schema_version: Option<SchemaVersion>,
    id: String,
    name: String,
    #[serde(default = "default_version")]
    version: String,
    #[serde(default = "default_modality")]
    modality: Modality,
    #[serde(default = "default_rater")]
    rater: Rater,
    scale: ScaleDef,
    items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    subscales: Vec<Subscale>,
    #[serde(default)]
    scoring: ScoringRule,
    #[serde(default = "default_missing")]
    missing: MissingRuleDef,
    #[serde(default)]
    total: TotalRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    citation: Option<String>,
    #[serde(default)]
    provenance: Provenance,
    /// Written `license`; `licence` (the spelling of earlier releases) is read as well.
    #[serde(default, alias = "licence", skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    thresholds: Vec<ThresholdDef>,
    #[serde(default = "default_better", skip_serializing_if = "is_higher")]
    better: Better,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    bands: Vec<BandsDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reliable_change: Option<ReliableChangeDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    codes: Option<Codes>,
}

/// A `schema_version` that is written is checked, `null` included; one left out is `None`.
fn given_version<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<SchemaVersion>, D::Error> {
    SchemaVersion::deserialize(d).map(Some)
}

fn default_version() -> String {
    "1".to_owned()
}
fn default_modality() -> Modality {
    Modality::General
}
fn default_rater() -> Rater {
    Rater::Client
}
fn default_missing() -> MissingRuleDef {
    MissingRule::default().into()
}
fn default_better() -> Better {
    Better::Higher
}
fn is_higher(b: &Better) -> bool {
    *b == Better::Higher
}

impl Definition {
    /// Validates the self-validating parts, each error located at its field, giving the builder
    /// (which [`InstrumentBuilder::build`] then validates as a whole).
    pub(crate) fn into_builder(self) -> Result<InstrumentBuilder> {
        // Every version this crate reads has this layout; `SchemaVersion` refused the others.
        let scale = ResponseScale::try_from(self.scale).map_err(|e| e.at_path("/scale"))?;
        let missing = MissingRule::try_from(self.missing).map_err(|e| e.at_path("/missing"))?;
        let thresholds = self
            .thresholds
            .into_iter()
            .enumerate()
            .map(|(n, t)| {
                Threshold::try_from(t).map_err(|e| {
                    let field = match e.kind() {
                        ErrorKind::NonFiniteThreshold { .. } => "/value",
                        ErrorKind::InvalidText {
                            field: "threshold source",
                            ..
                        } => "/source",
                        ErrorKind::InvalidText { .. } => "/message",
                        _ => "",
                    };
                    e.at_path(format!("/thresholds/{n}{field}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let bands = self
            .bands
            .into_iter()
            .enumerate()
            .map(|(n, b)| Bands::try_from(b).map_err(|e| e.at_path(format!("/bands/{n}"))))
            .collect::<Result<Vec<_>>>()?;
        let reliable_change = self
            .reliable_change
            .map(|r| {
                ReliableChangeAmount::try_from(r).map_err(|e| {
                    let field = match e.kind() {
                        ErrorKind::InvalidText { .. } => "/source",
                        _ => "/points",
                    };
                    e.at_path(format!("/reliable_change{field}"))
                })
            })
            .transpose()?;
        Ok(InstrumentBuilder {
            id: self.id,
            name: self.name,
            version: self.version,
            modality: self.modality,
            rater: self.rater,
            scale,
            items: self.items,
            subscales: self.subscales,
            scoring: self.scoring,
            missing,
            total: self.total,
            citation: self.citation,
            provenance: self.provenance,
            license: self.license,
            thresholds,
            better: self.better,
            bands,
            reliable_change,
            codes: self.codes,
        })
    }
}

impl From<InstrumentBuilder> for Definition {
    fn from(b: InstrumentBuilder) -> Self {
        Definition {
            editor_schema: None,
            schema_version: Some(SchemaVersion(CURRENT)),
            id: b.id,
            name: b.name,
            version: b.version,
            modality: b.modality,
            rater: b.rater,
            scale: b.scale.into(),
            items: b.items,
            subscales: b.subscales,
            scoring: b.scoring,
            missing: b.missing.into(),
            total: b.total,
            citation: b.citation,
            provenance: b.provenance,
            license: b.license,
            thresholds: b.thresholds.into_iter().map(Into::into).collect(),
            better: b.better,
            bands: b.bands.into_iter().map(Into::into).collect(),
            reliable_change: b.reliable_change.map(Into::into),
            codes: b.codes,
        }
    }
}

impl TryFrom<Definition> for InstrumentBuilder {
    type Error = Error;

    fn try_from(d: Definition) -> Result<Self> {
        d.into_builder()
    }
}

/// A schema version this crate reads. It deserializes only from one of [`READS`], so a
/// definition of another version is refused when its `schema_version` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SchemaVersion(u32);

impl Serialize for SchemaVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        RawVersion::deserialize(d)?
            .check()
            .map_err(serde::de::Error::custom)
    }
}

/// A `schema_version` as written, before it is checked: any number, text or boolean, so a
/// wrong one is refused by [`RawVersion::check`] with the crate's own error naming it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawVersion {
    /// A whole number.
    Integer(i128),
    /// Anything else, as it would be written in JSON (`1.5`, `"1"`, `true`).
    Other(String),
}

impl RawVersion {
    /// The version, if this crate reads it; else [`ErrorKind::UnsupportedSchemaVersion`] at
    /// `/schema_version`.
    pub(crate) fn check(&self) -> Result<SchemaVersion> {
        match *self {
            RawVersion::Integer(v) => {
                if let Some(&known) = READS.iter().find(|&&r| i128::from(r) == v) {
                    return Ok(SchemaVersion(known));
                }
            }
            RawVersion::Other(_) => {}
        }
        Err(Error::from(ErrorKind::UnsupportedSchemaVersion {
            found: self.to_string(),
            supported: READS,
        })
        .at_path("/schema_version"))
    }
}

impl SchemaVersion {
    /// The version number.
    pub(crate) fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for RawVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawVersion::Integer(v) => write!(f, "{v}"),
            RawVersion::Other(s) => f.write_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RawVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = RawVersion;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a schema version (an integer)")
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<RawVersion, E> {
                Ok(RawVersion::Integer(i128::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<RawVersion, E> {
                Ok(RawVersion::Integer(i128::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<RawVersion, E> {
                // Written as a decimal (`1.0`, `1.5`): not an integer, even when whole.
                let text = if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{v:.1}")
                } else {
                    crate::error::Num(v).to_string()
                };
                Ok(RawVersion::Other(text))
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<RawVersion, E> {
                Ok(RawVersion::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<RawVersion, E> {
                Ok(RawVersion::Other(format!("{:?}", crate::ids::escaped(v))))
            }
            fn visit_unit<E>(self) -> std::result::Result<RawVersion, E> {
                Ok(RawVersion::Other("null".to_owned()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use crate::instruments::Instrument;

    #[test]
    fn the_earlier_spelling_licence_is_read_as_license() -> crate::error::Result<()> {
        let text = r#"{"id": "x", "name": "X", "scale": {"kind": "likert", "min": 1, "max": 5},
            "items": [{"id": "1"}, {"id": "2"}], "total": "over_items", "licence": "CC0"}"#;
        let inst = Instrument::from_json(text)?;
        assert_eq!(inst.license(), Some("CC0"));
        assert!(inst.to_json()?.contains(r#""license""#));
        assert!(!inst.to_json()?.contains("licence"));
        Ok(())
    }
}
