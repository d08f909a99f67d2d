//! Guides: longer prose that belongs to no single type, each on a page of its own.
//!
//! - [`coming_from_psych`]: R psych's `scoreItems`, `alpha`, `splitHalf`, `omega` and `ICC`
//!   mapped onto [`Instrument`](crate::Instrument), [`matrix`](crate::matrix) and
//!   [`reliability`](crate::reliability), and where the results agree.
//! - [`defining_instruments`]: a clinic's own instrument as a JSON or TOML definition file,
//!   the versioned schema and the JSON Schema for editors.
//!
//! These modules hold documentation only: no types or functions.

pub mod coming_from_psych;
pub mod defining_instruments;
