//! Factor structure: confirmatory factor analysis as lavaan's `cfa()` fits it, and omega
//! hierarchical as `psych::omega()` computes it.
//!
//! Is the alliance one thing or three? A [`Model`] written in lavaan's syntax (or made from an
//! instrument's subscales with [`Model::of_instrument`]) is fitted to [`Observations`] by
//! maximum likelihood ([`CfaOptions::analyze`]), giving lavaan's fit measures and parameter
//! table ([`CfaFit`]); nested models are compared with a chi-square difference test
//! ([`ChiSquareDifference`]). How much of a total score is one thing is omega hierarchical
//! ([`OmegaOptions::analyze`]): psych's minres, oblimin and Schmid-Leiman path, with its
//! general and group factors' shares ([`OmegaHierarchical`]).
//!
//! Checked against lavaan 0.6-14 on the Holzinger-Swineford data (`tests/structure_cfa.rs`),
//! against lavaan and psych 2.2.9 on held-out WAI-SR-shaped data (`tests/structure_heldout.rs`)
//! and against psych on the bfi (`tests/structure_omega.rs`).
//!
//! ```
//! use therapeutic_alliance::structure::{CfaOptions, Identification, Model, Observations};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let rows: Vec<Vec<Option<f64>>> = (0..120u32)
//!     .map(|i| {
//!         let f = f64::from((i * 37) % 11) - 5.0;
//!         (0..4u32).map(|j| Some(f * 0.8 + f64::from((i * (j + 2) * 7919) % 9) / 3.0)).collect()
//!     })
//!     .collect();
//! let data = Observations::from_rows(["q1", "q2", "q3", "q4"], &rows)?;
//! let fit = CfaOptions::default()
//!     .identification(Identification::StdLv)
//!     .analyze(&Model::parse("alliance =~ q1 + q2 + q3 + q4")?, &data)?;
//! assert_eq!(fit.fit.df, 2);
//! assert_eq!(fit.parameters[0].to_string(), format!("alliance =~ q1 {}", fit.parameters[0].est));
//! # Ok(())
//! # }
//! ```

mod cfa;
mod data;
mod omega;
mod sums;
mod syntax;

pub use cfa::{
    CfaFit, CfaOptions, CfaWarning, ChiSquareDifference, FactorCovariances, FitMeasures,
    Identification, Parameter,
};
pub use data::Observations;
pub(crate) use omega::omega_total_one_factor;
pub use omega::{OmegaGroup, OmegaHierarchical, OmegaOptions};
pub use syntax::{Model, Modifier, Operator};
