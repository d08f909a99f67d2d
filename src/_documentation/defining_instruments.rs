//! # Defining your own instrument
//!
//! A clinic's own form, a translation, or a variant of a catalog key is a definition file in JSON
//! or TOML, with the same fields in either: [`Instrument::from_json`](crate::Instrument::from_json) (and `Instrument::from_toml`,
//! feature `toml`) reads one and validates it exactly as [`InstrumentBuilder::build`](crate::InstrumentBuilder::build) does, with
//! the same typed errors and the field's [`Error::path`](crate::Error::path); text that is not a well-formed
//! definition is an [`ErrorKind::MalformedDefinition`](crate::ErrorKind::MalformedDefinition) with its line and column.
//! [`Instrument::to_json`](crate::Instrument::to_json) (and `to_toml`) writes one; every catalog instrument reads back
//! identical, with the same digest. `id`, `name`, `scale` and `items` are required; every other
//! field has the builder's default, and unknown fields are refused.
//!
//! The format is versioned: `schema_version` (today [`Instrument::SCHEMA_VERSION`](crate::Instrument::SCHEMA_VERSION), 1) is always
//! written and may be left out of a hand-written file, where it means 1. It is read first, and a
//! definition for a version this release does not read ([`Instrument::SCHEMA_VERSIONS_READ`](crate::Instrument::SCHEMA_VERSIONS_READ)) is
//! refused with an [`ErrorKind::UnsupportedSchemaVersion`](crate::ErrorKind::UnsupportedSchemaVersion) naming it. The JSON Schema (draft
//! 2020-12) of every field is [`Instrument::JSON_SCHEMA`](crate::Instrument::JSON_SCHEMA), `schema/instrument.schema.json` in the
//! repository; editors use it through the `"$schema"` key, which the crate accepts and ignores.
//!
//! A three-item check in German that a clinic wrote for itself (the wording is this crate's
//! example, not a published or validated instrument), with one reverse-keyed item and a flag for
//! a total below 10, `schema/examples/klinik-check.json`:
//!
//! ```json
#![doc = include_str!("../../schema/examples/klinik-check.json")]
//! ```
//!
//! The same in TOML, `schema/examples/klinik-check.toml`:
//!
//! ```toml
#![doc = include_str!("../../schema/examples/klinik-check.toml")]
//! ```
//!
//! ```
//! use therapeutic_alliance::{Component, Instrument};
//!
//! # #[cfg(feature = "serde")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let check = Instrument::from_json(&std::fs::read_to_string("schema/examples/klinik-check.json")?)?;
//! #[cfg(feature = "toml")] // reading TOML needs the `toml` feature
//! assert_eq!(
//!     Instrument::from_toml(&std::fs::read_to_string("schema/examples/klinik-check.toml")?)?,
//!     check
//! );
//! // ziele 3, vorgehen 3, verstanden 4: reversed, 1 + 5 - 4 = 2.
//! let scores = check.score_values(&[Some(3.0), Some(3.0), Some(4.0)])?;
//! assert_eq!(scores.primary(Component::Bond), Some(2.0));
//! assert_eq!(check.flags(&scores)?[0].message(), "Arbeitsbeziehung in der nächsten Sitzung ansprechen");
//!
//! // A definition for a later schema version is refused, naming the version.
//! let later = r#"{"schema_version": 2, "id": "klinik-check", "name": "Kurzcheck", "weights": {}}"#;
//! let err = Instrument::from_json(later).unwrap_err();
//! assert_eq!((err.code(), err.path()), ("unsupported_schema_version", Some("/schema_version")));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "serde"))]
//! # fn main() {}
//! ```
//!
