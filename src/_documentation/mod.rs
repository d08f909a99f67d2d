//! Guides: longer prose that belongs to no single type, each on a page of its own.
//!
//! - [`coming_from_psych`]: R psych's `scoreItems`, `alpha`, `splitHalf`, `omega` and `ICC`
//!   mapped onto [`Instrument`](crate::Instrument), [`matrix`](crate::matrix) and
//!   [`reliability`](crate::reliability), and where the results agree.
//! - [`coming_from_clinicalsignificance`]: reliable change and clinical significance
//!   (`cs_combined`) with [`change::ReliableChangeOptions`](crate::change::ReliableChangeOptions).
//! - [`coming_from_suddengains`]: `identify_sg`, `create_bysg`, `create_byperson` with
//!   [`change::SuddenOptions`](crate::change::SuddenOptions).
//! - [`coming_from_r_stats`]: per-client `lm`, paired `t.test` with effectsize's `cohens_d`,
//!   `cor.test`.
//! - [`defining_instruments`]: a clinic's own instrument as a JSON or TOML definition file,
//!   the versioned schema and the JSON Schema for editors.
//!
//! These modules hold documentation only: no types or functions.

pub mod coming_from_clinicalsignificance;
pub mod coming_from_psych;
pub mod coming_from_r_stats;
pub mod coming_from_suddengains;
pub mod defining_instruments;
