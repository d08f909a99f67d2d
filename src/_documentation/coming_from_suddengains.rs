//! # Coming from R suddengains
//!
//! `identify_sg(data, id_var_name = "id", sg_var_list = paste0("bdi_s", 1:12),
//! sg_crit1_cutoff = 7)` is
//! [`SuddenOptions`](crate::change::SuddenOptions)`::new(Better::Lower, 7.0)?.gains(&table)?`
//! over the [`SessionTable`](crate::change::SessionTable) of the data (a wide data frame such
//! as `sgdata` becomes one with [`SessionTable::from_wide`](crate::change::SessionTable::from_wide),
//! a missed session is `None`). Criterion 2 (25%) and criterion 3 (the critical t adjusted for
//! missed sessions) are on by default, as in the package.
//!
//! | suddengains | here |
//! |---|---|
//! | `identify_sg()` | [`SuddenOptions::gains`](crate::change::SuddenOptions::gains), or `analyze(SuddenKind::Gain, &table)` |
//! | `create_bysg()` | [`SuddenChanges::events`](crate::change::SuddenChanges::events) |
//! | `create_byperson(sg_select = "largest")` | [`SuddenChanges::by_client`](crate::change::SuddenChanges::by_client)`(SuddenPick::Largest)` |
//! | `define_crit1_cutoff()` | [`SuddenCutoff::from_reliability`](crate::change::SuddenCutoff::from_reliability) |
//!
//! ```
//! use therapeutic_alliance::Better;
//! use therapeutic_alliance::change::{SessionTable, SuddenOptions, SuddenPick};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let table = SessionTable::from_rows([
//!     ("p1", 1, Some(30.0)), ("p1", 2, Some(31.0)), ("p1", 3, Some(29.0)),
//!     ("p1", 4, Some(18.0)), ("p1", 5, Some(17.0)), ("p1", 6, Some(16.0)),
//! ])?;
//! let gains = SuddenOptions::new(Better::Lower, 7.0)?.gains(&table)?;
//! let largest = gains.by_client(SuddenPick::Largest);
//! assert_eq!(largest.len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! On the package's `sgdata` every interval's criteria, every gain and the per-person table
//! agree with suddengains 0.7.2 (`tests/sudden_gains.rs`).
//!
//! **Where the crate differs.** Sudden losses
//! ([`SuddenOptions::losses`](crate::change::SuddenOptions::losses)) apply criterion 2 as
//! written; the package's sign slip lets every loss pass it.
