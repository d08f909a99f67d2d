//! # Coming from R psych
//!
//! How psych's scoring and reliability calls map onto this crate, and where the results agree.
//!
//! ## Scoring: `scoreItems`
//! `psych::scoreItems(keys, items, min, max, impute = "none")` scores each scale as the mean of
//! the answered (keyed) items. The same here: one subscale per key, [`ScoringRule::Mean`](crate::ScoringRule::Mean), and
//! [`MissingRule::at_least_items`](crate::MissingRule::at_least_items)`(1)` (score whatever is answered); a scale of all items is the
//! total taken [`TotalRule::OverItems`](crate::TotalRule::OverItems). Reversed items are keyed `min + max - x` on the scale's
//! own bounds, as psych does when given `min` and `max`. Unlike psych, keying belongs to the
//! item, not to the scale it is counted in.
//!
//! ```
//! use therapeutic_alliance::{Instrument, Item, MissingRule, ResponseScale, ScoringRule, Subscale, TotalRule};
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! // keys <- list(agree = c("-A1", "A2", "A3"), consc = c("C1", "-C4")); impute = "none"
//! let bfi = Instrument::builder("bfi-mini", "bfi, two scales", ResponseScale::likert(1, 6, [])?)
//!     .items([Item::new("A1").reversed(), Item::new("A2"), Item::new("A3"),
//!             Item::new("C1"), Item::new("C4").reversed()])
//!     .subscale(Subscale::new("agree", "Agreeableness", ["A1", "A2", "A3"]))
//!     .subscale(Subscale::new("consc", "Conscientiousness", ["C1", "C4"]))
//!     .scoring(ScoringRule::Mean)
//!     .missing(MissingRule::at_least_items(1)?)
//!     .total(TotalRule::OverItems) // a scale of all five items
//!     .build()?;
//! // A1 = 2 (keyed 5), A2 = 4, A3 missing; C1 = 5, C4 = 6 (keyed 1).
//! let s = bfi.score_values(&[Some(2.0), Some(4.0), None, Some(5.0), Some(6.0)])?;
//! assert_eq!(s.primary("agree"), Some(4.5));
//! assert_eq!(s.primary("consc"), Some(3.0));
//! assert_eq!(s.primary("total"), Some(3.75));
//! # Ok(())
//! # }
//! ```
//!
//! The crate's tests check this against psych 2.2.9's `scoreItems(impute = "none")` on all 2800
//! rows of the bfi data (agreement to 1e-9 relative).
//!
//! ## Reliability: `alpha`, `splitHalf`, `omega`, `ICC`
//!
//! `psych::alpha(x, keys)` is [`Moments::reliability`](crate::matrix::Moments::reliability) on a [`ResponseMatrix`](crate::matrix::ResponseMatrix) of the items
//! (keys are the items' keying, the scale's bounds those of the [`ResponseScale`](crate::ResponseScale)):
//!
//! ```
//! use therapeutic_alliance::{Instrument, Item, ResponseScale, TotalRule};
//! use therapeutic_alliance::matrix::ResponseMatrix;
//!
//! # fn main() -> Result<(), therapeutic_alliance::Error> {
//! let scale = Instrument::builder("agree", "Agreeableness", ResponseScale::likert(1, 6, [])?)
//!     .items([Item::new("A1").reversed(), Item::new("A2"), Item::new("A3")])
//!     .total(TotalRule::OverItems)
//!     .build()?;
//! let rows = [[2, 5, 6], [1, 6, 5], [4, 4, 4], [3, 5, 4], [1, 6, 6], [5, 2, 3]]
//!     .map(|r| r.map(|v| Some(f64::from(v))));
//! let rel = ResponseMatrix::from_rows(&scale, rows)?.moments().reliability("total")?;
//! // raw_alpha, std.alpha, G6(smc), average_r, S/N, ase, mean, sd, median_r, feldt, alpha.drop,
//! // item.stats and response.freq, as psych names them; plus split-half and omega total.
//! assert!(rel.raw_alpha > 0.8 && rel.item_stats[0].item == "A1-");
//! # Ok(())
//! # }
//! ```
//!
//! On the bfi agreeableness and conscientiousness scales every field agrees with psych 2.2.9
//! (`alpha` pairwise and listwise, `splitHalf(brute = TRUE)`, `omega(nfactors = 1)`) to 1e-9
//! relative, and `ICC(lmer = FALSE)` on Shrout and Fleiss's example likewise
//! (`tests/psych_reliability.rs`).
//!
//!
//! `psych::alpha(x, keys, use = "complete.obs")` is
//! [`ReliabilityOptions`](crate::reliability::ReliabilityOptions)`::default().missing(MissingData::Listwise).analyze(&moments, target)`;
//! `psych::ICC(x, lmer = FALSE)` is [`IccTable::analyze`](crate::reliability::IccTable::analyze)
//! on a complete table (targets in rows, raters in columns).
//!
//! `psych::omega(x, nfactors = k)` (omega hierarchical, omega total, alpha and `omega.group`)
//! is [`OmegaOptions`](crate::structure::OmegaOptions)`::new(k)?.analyze(&observations)`, on
//! [`Observations`](crate::structure::Observations) of the items: minres, varimax,
//! GPArotation's oblimin and Schmid-Leiman step for step, so it agrees with psych 2.2.9 to
//! 1e-12 (`tests/structure_omega.rs`). Bootstrap intervals of any of these statistics are in
//! [`bootstrap`](crate::bootstrap) (as `boot::boot.ci` computes percentile and BCa intervals);
//! lavaan's `cfa()` is [`CfaOptions`](crate::structure::CfaOptions).
//!
//! ## Where the crate differs from psych
//! - **Reversal bounds.** psych reverses on the range of the data (`max + min - x` over all
//!   items) unless given `min` and `max`; the crate always uses the response scale's own bounds.
//!   Declare the scale's bounds as psych sees them to reproduce it (for bfi both are 1 and 6).
//! - **An item without variance.** psych's `alpha` stops with an error and `scoreItems` drops
//!   the item; the crate returns [`ErrorKind::ZeroVariance`](crate::ErrorKind::ZeroVariance) for
//!   the statistics and keeps the item in person scores.
//! - **Keying** belongs to the item, not to the scale it is counted in.
