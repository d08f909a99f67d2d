//! # Coming from R clinicalsignificance
//!
//! `cs_combined(data, id, time, hamd, pre = 1, post = 4, reliability = 0.80, m_functional = 8,
//! sd_functional = 8, better_is = "lower", rci_method = "JT", cutoff_type = "c")` is
//!
//! ```text
//! ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.80, Better::Lower)?
//!     .functional(8.0, 8.0)?
//!     .cutoff(CutoffType::C)
//!     .analyze(table.change_rows(1, 4))?
//! ```
//!
//! ([`ReliableChangeOptions`](crate::change::ReliableChangeOptions), giving a
//! [`ReliableChange`](crate::change::ReliableChange)) over the long
//! [`SessionTable`](crate::change::SessionTable) of the data, or over one
//! [`ChangeRow`](crate::change::ChangeRow) per patient. Complete cases are analyzed and the
//! others reported as dropped. As in the package, the clinical mean and SD are the analyzed
//! sample's pre-test mean and SD unless given.
//!
//! ```
//! use therapeutic_alliance::Better;
//! use therapeutic_alliance::change::{ChangeCategory, CutoffType, RciMethod, ReliableChangeOptions, SessionTable};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let table = SessionTable::from_rows([
//!     ("p1", 1, Some(24.0)), ("p1", 4, Some(6.0)),
//!     ("p2", 1, Some(20.0)), ("p2", 4, Some(17.0)),
//!     ("p3", 1, Some(18.0)), ("p3", 4, Some(25.0)),
//! ])?;
//! let rci = ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.80, Better::Lower)?
//!     .functional(8.0, 8.0)?
//!     .cutoff(CutoffType::C)
//!     .analyze(table.change_rows(1, 4))?;
//! assert_eq!(rci.people[0].category, ChangeCategory::Recovered);
//! # Ok(())
//! # }
//! ```
//!
//! ## Where the crate differs, and the option that reproduces the package
//! - **Cutoff b** steps two *functional* SDs from the functional mean, as Jacobson and Truax
//!   (1991) define it; the package steps two clinical SDs.
//!   [`CutoffBSd::Clinical`](crate::change::CutoffBSd::Clinical) reproduces the package.
//! - **Hageman-Arrindell categories.** The package's per-person HA categories never say
//!   `harmed` (only its summary table counts harmed people);
//!   [`HaCategories`](crate::change::HaCategories) chooses between the crate's categories and
//!   the package's per-person ones (see its variants for exactly what each reproduces).
//!
//! On the package's `claus_2020` HAMD data every patient's RCI and category, the counts and the
//! cutoff agree with clinicalsignificance 2.1.0.9000 for all six methods, to 1e-9 relative
//! (`tests/rci_clinicalsignificance.rs`).
