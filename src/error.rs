//! The crate's error type.

use crate::components::{Part, Target};

/// Result alias used throughout the crate.
///
/// ```
/// use therapeutic_alliance::{catalog, Result};
///
/// fn wai_items() -> Result<usize> {
///     Ok(catalog::require("wai-sr")?.items().len())
/// }
/// assert_eq!(wai_items().ok(), Some(12));
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when defining an instrument, recording answers or scoring.
///
/// Every variant names the offending instrument, item, value or field, so the message alone tells a
/// user what to fix. Messages are lowercase with no trailing period.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, Error};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::get("wai-sr").ok_or("wai-sr is in the catalog")?;
/// let err = Administration::builder(wai).answer("3", 9).unwrap_err();
/// assert!(matches!(err, Error::OutOfRange { .. }));
/// assert_eq!(err.to_string(), "item 3: value 9 is outside the response range 1 to 5");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An identifier or label is empty, has surrounding whitespace, or uses characters it may not.
    #[error("invalid {field} {value:?}: {rule}")]
    InvalidId {
        /// Which field: "instrument id", "item id", "client id", ...
        field: &'static str,
        /// The value given.
        value: String,
        /// What the value must look like.
        rule: &'static str,
    },
    /// A response scale whose maximum is not above its minimum.
    #[error("the response scale's maximum {max} must be above its minimum {min}")]
    EmptyScale {
        /// The minimum given.
        min: f64,
        /// The maximum given.
        max: f64,
    },
    /// A response scale bound that is not finite or not on the scale's step.
    #[error("the response scale bound {value} is not a finite multiple of the step {step}")]
    ScaleBound {
        /// The bound given.
        value: f64,
        /// The scale's step.
        step: f64,
    },
    /// A visual-analogue scale with more decimals than supported.
    #[error("a visual-analogue scale may have at most {max} decimals, not {decimals}")]
    TooManyDecimals {
        /// The decimals given.
        decimals: u8,
        /// The largest number supported.
        max: u8,
    },
    /// A Likert scale with more points than supported.
    #[error("a Likert scale may have at most {max} points, not {points}")]
    TooManyPoints {
        /// The number of points given.
        points: i64,
        /// The largest number supported.
        max: i64,
    },
    /// A labelled anchor outside the scale.
    #[error("anchor {value} ({label:?}) is outside the response range {min} to {max}")]
    AnchorOutOfRange {
        /// The anchor's value.
        value: i32,
        /// The anchor's label.
        label: String,
        /// The scale minimum.
        min: i32,
        /// The scale maximum.
        max: i32,
    },
    /// Two anchors for the same scale point.
    #[error("scale point {value} has more than one anchor label")]
    DuplicateAnchor {
        /// The scale point.
        value: i32,
    },
    /// An anchor with an empty label.
    #[error("anchor {value} has an empty label")]
    EmptyAnchorLabel {
        /// The scale point.
        value: i32,
    },
    /// An instrument defined without items.
    #[error("instrument {instrument} has no items")]
    NoItems {
        /// The instrument id.
        instrument: String,
    },
    /// Two items of one instrument share an id.
    #[error("instrument {instrument}: item id {item} is used more than once")]
    DuplicateItem {
        /// The instrument id.
        instrument: String,
        /// The repeated item id.
        item: String,
    },
    /// An item scores a part the instrument does not declare.
    #[error(
        "instrument {instrument}: item {item} scores {part}, which the instrument does not declare"
    )]
    UndeclaredPart {
        /// The instrument id.
        instrument: String,
        /// The item id.
        item: String,
        /// The undeclared part.
        part: Part,
    },
    /// A declared component (or global part), or one a threshold reads, has no items.
    #[error("instrument {instrument}: {part} has no items")]
    EmptyPart {
        /// The instrument id.
        instrument: String,
        /// The part without items.
        part: Part,
    },
    /// A threshold value outside the range its score can take.
    #[error(
        "instrument {instrument}: threshold {value} on the {target} {metric} is outside its range {min} to {max}"
    )]
    ThresholdOutOfRange {
        /// The instrument id.
        instrument: String,
        /// What the threshold applies to.
        target: Target,
        /// The score metric ("sum", "mean", "percent of maximum").
        metric: &'static str,
        /// The threshold value.
        value: f64,
        /// Lowest possible score.
        min: f64,
        /// Highest possible score.
        max: f64,
    },
    /// A missing-item rule that makes no sense (zero denominator, fraction above one, ...).
    #[error("invalid missing-item rule: {reason}")]
    InvalidMissingRule {
        /// What is wrong with it.
        reason: String,
    },
    /// A missing-item rule that asks for more answered items than a part has, so it could never be scored.
    #[error(
        "instrument {instrument}: the missing-item rule needs {required} answered items but {part} has only {items}"
    )]
    UnreachableMissingRule {
        /// The instrument id.
        instrument: String,
        /// The part concerned.
        part: Part,
        /// Items the rule requires.
        required: usize,
        /// Items the part has.
        items: usize,
    },
    /// An answer to an item the instrument does not have.
    #[error("instrument {instrument} has no item {item}")]
    UnknownItem {
        /// The instrument id.
        instrument: String,
        /// The unknown item id.
        item: String,
    },
    /// A second answer to the same item in one administration.
    #[error("item {item} is answered more than once")]
    DuplicateAnswer {
        /// The item id.
        item: String,
    },
    /// NaN or an infinite answer.
    #[error("item {item}: value {value} is not a finite number")]
    NotFinite {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
    },
    /// An answer outside the response scale.
    #[error("item {item}: value {value} is outside the response range {min} to {max}")]
    OutOfRange {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
        /// The scale minimum.
        min: f64,
        /// The scale maximum.
        max: f64,
    },
    /// An answer between the points of the scale (2.5 on a 1..5 Likert scale, 7.25 on a 0.1-step line).
    #[error("item {item}: value {value} is not a point of the response scale (step {step})")]
    OffStep {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
        /// The scale's step.
        step: f64,
    },
    /// A row of answers whose length does not match the instrument's item count.
    #[error("instrument {instrument} has {expected} items but {found} values were given")]
    WrongLength {
        /// The instrument id.
        instrument: String,
        /// The instrument's item count.
        expected: usize,
        /// The number of values given.
        found: usize,
    },
    /// An administration scored with, or recorded for, a different instrument.
    #[error("the administration is of instrument {found}, not {expected}")]
    InstrumentMismatch {
        /// The instrument expected.
        expected: String,
        /// The instrument found.
        found: String,
    },
    /// An instrument id that the catalog does not know.
    #[error("no instrument {id} in the catalog")]
    UnknownInstrument {
        /// The id asked for.
        id: String,
    },
    /// A calendar date that does not exist or is not written `YYYY-MM-DD`.
    #[error("invalid date {value:?}: expected an existing calendar date written YYYY-MM-DD")]
    InvalidDate {
        /// The text or numbers given.
        value: String,
    },
    /// A non-finite threshold value.
    #[error("threshold value {value} is not a finite number")]
    NonFiniteThreshold {
        /// The value given.
        value: f64,
    },
    /// An error in one row of a batch; `row` counts data rows from 1.
    #[error("row {row}: {source}")]
    AtRow {
        /// The data row, counted from 1.
        row: usize,
        /// What went wrong in it.
        source: Box<Error>,
    },
}

impl Error {
    /// Wraps this error with the (1-based) data row it happened in.
    ///
    /// ```
    /// use therapeutic_alliance::Error;
    ///
    /// let err = Error::DuplicateAnswer { item: "4".into() }.at_row(3);
    /// assert_eq!(err.to_string(), "row 3: item 4 is answered more than once");
    /// ```
    #[must_use]
    pub fn at_row(self, row: usize) -> Self {
        Error::AtRow {
            row,
            source: Box::new(self),
        }
    }
}
