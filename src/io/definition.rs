//! Instrument definitions as text: JSON, and TOML with the `toml` feature.
//!
//! A definition is read in two passes over the text. The first reads only `schema_version`, so a
//! definition written for another schema version is refused as such, before a field this release
//! does not know could be reported instead. The second reads the layout of that version (today
//! there is one, version 1); then the definition is validated as
//! [`InstrumentBuilder::build`](crate::InstrumentBuilder::build) validates, with the same typed
//! errors.

use crate::error::{Error, ErrorKind, Result};
use crate::instruments::Instrument;
use crate::instruments::definition::{CURRENT, Definition, READS, RawVersion};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The first pass: `schema_version` and nothing else (other fields are skipped unread).
#[derive(Deserialize)]
#[serde(expecting = "an instrument definition (a map of fields: id, name, scale, items, ...)")]
struct Probe {
    #[serde(default, deserialize_with = "given")]
    schema_version: Option<RawVersion>,
}

fn given<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<RawVersion>, D::Error> {
    RawVersion::deserialize(d).map(Some)
}

/// A text format definitions are written in.
trait Format {
    /// Reads a value, turning the reader's error into [`ErrorKind::MalformedDefinition`].
    fn parse<T: DeserializeOwned>(text: &str) -> Result<T>;
}

/// Reads a definition of any schema version this release reads.
fn load<F: Format>(text: &str) -> Result<Instrument> {
    // A byte-order mark, as some editors write, is not part of the definition.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let probe: Probe = F::parse(text)?;
    let version = match probe.schema_version {
        Some(raw) => raw.check()?.get(),
        // Hand-written definitions may leave it out: version 1, the first schema.
        None => 1,
    };
    let definition: Definition = match version {
        CURRENT => F::parse(text)?,
        // A later schema version keeps reading the older layouts here and migrates them, e.g.
        // `1 => F::parse::<DefinitionV1>(text)?.migrate()`.
        _ => {
            return Err(Error::from(ErrorKind::UnsupportedSchemaVersion {
                found: version.to_string(),
                supported: READS,
            })
            .at_path("/schema_version"));
        }
    };
    definition.into_builder()?.build()
}

struct Json;

impl Format for Json {
    fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| {
            let (line, column) = (e.line() as u64, e.column() as u64);
            let message = e.to_string();
            // serde_json ends its message with the location, which the kind holds on its own.
            let suffix = format!(" at line {line} column {column}");
            let reason = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
            ErrorKind::MalformedDefinition {
                format: "JSON",
                line: (line > 0).then_some(line),
                column: (line > 0).then_some(column),
                reason,
            }
            .into()
        })
    }
}

#[cfg(feature = "toml")]
struct Toml;

#[cfg(feature = "toml")]
impl Format for Toml {
    fn parse<T: DeserializeOwned>(text: &str) -> Result<T> {
        toml::from_str(text).map_err(|e| {
            let at = e.span().map(|span| line_column(text, span.start));
            ErrorKind::MalformedDefinition {
                format: "TOML",
                line: at.map(|(l, _)| l),
                column: at.map(|(_, c)| c),
                reason: e.message().trim_end().to_owned(),
            }
            .into()
        })
    }
}

/// The line and column (both from 1, the column in characters) of a byte offset.
#[cfg(feature = "toml")]
fn line_column(text: &str, offset: usize) -> (u64, u64) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(start..).map_or(0, |s| s.chars().count()) + 1;
    (line as u64, column as u64)
}

/// Failure to write a definition: not expected of a validated instrument, but reported rather
/// than hidden.
fn write_failed(format: &'static str, e: impl std::fmt::Display) -> Error {
    ErrorKind::MalformedDefinition {
        format,
        line: None,
        column: None,
        reason: format!("cannot be written: {e}"),
    }
    .into()
}

impl Instrument {
    /// The schema version of the definitions [`Instrument::to_json`] and `Instrument::to_toml`
    /// write (the `schema_version` field).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Instrument};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let json = catalog::require("srs")?.to_json()?;
    /// assert!(json.starts_with(&format!("{{\n  \"schema_version\": {},", Instrument::SCHEMA_VERSION)));
    /// # Ok(())
    /// # }
    /// ```
    pub const SCHEMA_VERSION: u32 = CURRENT;

    /// Every schema version this release reads, oldest first. A definition without
    /// `schema_version` is read as version 1.
    ///
    /// ```
    /// use therapeutic_alliance::Instrument;
    ///
    /// assert_eq!(Instrument::SCHEMA_VERSIONS_READ, [1]);
    /// ```
    pub const SCHEMA_VERSIONS_READ: &'static [u32] = READS;

    /// The JSON Schema (draft 2020-12) of instrument definitions, `schema/instrument.schema.json`
    /// in the repository: every field, its type, its allowed values and the constraints a schema
    /// can state; the checks it cannot (a subscale's items must exist, ...) are in its
    /// `description`s. Editors use it to complete and check a definition as it is written.
    ///
    /// ```
    /// let schema: serde_json::Value = serde_json::from_str(therapeutic_alliance::Instrument::JSON_SCHEMA)?;
    /// assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub const JSON_SCHEMA: &'static str = include_str!("../../schema/instrument.schema.json");

    /// Reads an instrument definition written in JSON (as [`Instrument::to_json`] writes it, or
    /// by hand), validating it as [`InstrumentBuilder::build`](crate::InstrumentBuilder::build)
    /// does.
    ///
    /// `schema_version` is read first; left out, it means 1.
    ///
    /// # Errors
    /// - [`ErrorKind::UnsupportedSchemaVersion`] for a `schema_version` this release does not
    ///   read (see [`Instrument::SCHEMA_VERSIONS_READ`]);
    /// - [`ErrorKind::MalformedDefinition`], with the line and column, for text that is not
    ///   JSON, a value of the wrong type, an unknown enum value, an unknown or missing field;
    /// - otherwise the error the builder gives for the same definition (a duplicate item, a
    ///   subscale listing an unknown item, a threshold outside its score's range, ...), and for
    ///   the response scale, missing-item rule, thresholds, bands and reliable-change amount the
    ///   error their constructors give, each with its field path ([`Error::path`]).
    ///
    /// ```
    /// use therapeutic_alliance::{ErrorKind, Instrument};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let check = Instrument::from_json(r#"{
    ///     "id": "pulse", "name": "Session pulse",
    ///     "scale": {"kind": "likert", "min": 0, "max": 4},
    ///     "items": [{"id": "1"}, {"id": "2", "keying": "reversed"}],
    ///     "total": "over_items"
    /// }"#)?;
    /// assert_eq!(check.score_values(&[Some(3.0), Some(1.0)])?.primary("total"), Some(6.0));
    ///
    /// let err = Instrument::from_json(r#"{"schema_version": 2, "id": "pulse"}"#).unwrap_err();
    /// assert!(matches!(err.kind(), ErrorKind::UnsupportedSchemaVersion { .. }));
    /// assert!(err.to_string().starts_with("unsupported schema_version 2: this release reads instrument definitions of schema version 1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_json(text: &str) -> Result<Instrument> {
        load::<Json>(text)
    }

    /// The definition as JSON: pretty-printed, `schema_version` first, ending in a newline.
    /// [`Instrument::from_json`] reads it back as an equal instrument with the same digest.
    ///
    /// # Errors
    /// [`ErrorKind::MalformedDefinition`] if it cannot be written; a validated instrument always
    /// can.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Instrument};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let back = Instrument::from_json(&wai.to_json()?)?;
    /// assert_eq!((&back, back.digest()), (&wai, wai.digest()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_json(&self) -> Result<String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| write_failed("JSON", e))?;
        text.push('\n');
        Ok(text)
    }

    /// Reads an instrument definition written in TOML, as [`Instrument::from_json`] reads JSON:
    /// the same fields, the same validation, the same errors (a malformed one with its line and
    /// column). TOML has no `null`; leave an optional field out instead.
    ///
    /// # Errors
    /// As [`Instrument::from_json`].
    ///
    /// ```
    /// use therapeutic_alliance::Instrument;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let check = Instrument::from_toml(r#"
    /// schema_version = 1
    /// id = "pulse"
    /// name = "Session pulse"
    /// total = "over_items"
    /// scale = { kind = "likert", min = 0, max = 4 }
    /// items = [{ id = "1" }, { id = "2", keying = "reversed" }]
    /// "#)?;
    /// assert_eq!(check.score_values(&[Some(3.0), Some(1.0)])?.primary("total"), Some(6.0));
    ///
    /// let err = Instrument::from_toml("id = \"pulse\"\nname = \"Pulse\"\ncolor = \"blue\"\n").unwrap_err();
    /// assert!(err.to_string().starts_with("not a valid instrument definition (TOML, line 3, column 1): unknown field `color`"), "{err}");
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Instrument> {
        load::<Toml>(text)
    }

    /// The definition as TOML, `schema_version` first. [`Instrument::from_toml`] reads it back
    /// as an equal instrument with the same digest.
    ///
    /// # Errors
    /// [`ErrorKind::MalformedDefinition`] if it cannot be written; a validated instrument always
    /// can.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Instrument};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let phq9 = catalog::require("phq-9")?;
    /// let text = phq9.to_toml()?;
    /// assert!(text.starts_with("schema_version = 1\nid = \"phq-9\"\n"));
    /// assert_eq!(Instrument::from_toml(&text)?, phq9);
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "toml")]
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| write_failed("TOML", e))
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "a = 1\nname = \"Vertrauen ü\"\nx";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        let x = text.rfind('x').unwrap_or(0);
        assert_eq!(line_column(text, x), (3, 1));
        let end = text.len() - 2;
        assert_eq!(line_column(text, end), (2, 21));
        assert_eq!(line_column(text, usize::MAX), (3, 2));
    }
}
