//! Sudden gains and sudden losses (Tang & DeRubeis 1999; Lutz et al. 2013), as the R package
//! suddengains 0.7.2 identifies them. The user-facing account, with the formulas, the treatment
//! of missed sessions and the deliberate differences from suddengains, is on [`SuddenOptions`].

mod criteria;
mod options;
mod results;
#[cfg(test)]
mod tests;

pub use options::{CriticalValue, SuddenCutoff, SuddenOptions};
pub use results::{
    SuddenByClient, SuddenChanges, SuddenClient, SuddenEvent, SuddenInterval, SuddenWindow,
};

use crate::vocab::vocabulary;

/// Whether an analysis looks for sudden gains (improvement) or sudden losses (worsening).
///
/// ```
/// use therapeutic_alliance::change::SuddenKind;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("loss".parse::<SuddenKind>()?, SuddenKind::Loss);
/// assert_eq!(SuddenKind::Gain.to_string(), "gain");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenKind {
    /// A sudden gain: a large improvement between two sessions.
    Gain,
    /// A sudden loss: a large worsening between two sessions.
    Loss,
}

vocabulary!(SuddenKind, "sudden change kind", None, [Gain => "gain", Loss => "loss"]);

/// One of the three sudden-gain criteria of Tang & DeRubeis (1999).
///
/// ```
/// use therapeutic_alliance::change::SuddenCriterion;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("mean_shift".parse::<SuddenCriterion>()?, SuddenCriterion::MeanShift);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenCriterion {
    /// Criterion 1: the shift is at least an absolute cutoff.
    Cutoff,
    /// Criterion 2: the shift is at least a fraction of the pre-gain score.
    Relative,
    /// Criterion 3: the mean of up to three sessions before differs from the mean of up to
    /// three sessions after by more than a critical t times the pooled standard deviation.
    MeanShift,
}

vocabulary!(SuddenCriterion, "sudden-gain criterion", None, [
    Cutoff => "cutoff",
    Relative => "relative",
    MeanShift => "mean_shift",
]);

/// Which of a client's several gains (or losses) represents the client in a one-row-per-client
/// table (suddengains' `multiple_sg_select`).
///
/// ```
/// use therapeutic_alliance::change::SuddenPick;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("largest".parse::<SuddenPick>()?, SuddenPick::Largest);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SuddenPick {
    /// The earliest.
    First,
    /// The latest.
    Last,
    /// The largest magnitude (the earliest of equals).
    Largest,
    /// The smallest magnitude (the earliest of equals).
    Smallest,
}

vocabulary!(SuddenPick, "selection", None, [
    First => "first",
    Last => "last",
    Largest => "largest",
    Smallest => "smallest",
]);
