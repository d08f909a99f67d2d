//! The crate's error type: what went wrong ([`ErrorKind`]) and where ([`Error::row`],
//! [`Error::record`], [`Error::column`], [`Error::path`]); and [`Errors`], every error of one
//! validation.

use crate::components::Component;
use crate::components::Metric;
use std::fmt;

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

/// An error: its [`kind`](Error::kind) (what went wrong, naming the offending instrument, item,
/// value or field) and, where known, its location: the data row, the id of the record on it, the
/// column and the field path.
///
/// The message is lowercase with no trailing period, prefixed by the location when there is
/// one, and printed once (an `Error` has no `source` chain to print it again). With the `serde`
/// feature an error serializes with a stable machine-readable `code`, its message, its location
/// and the kind's fields, so a web service can return it as it is:
///
/// ```json
/// {"code": "out_of_range", "message": "row 2, column \"9\": item 9: value 9 is outside the response range 1 to 5",
///  "row": 2, "column": "9", "item": "9", "value": 9.0, "text": "9", "min": 1.0, "max": 5.0}
/// ```
///
/// ```
/// use therapeutic_alliance::{catalog, Administration, ErrorKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let err = Administration::builder(&catalog::require("wai-sr")?).answer("3", 9).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::OutOfRange { .. }));
/// assert_eq!((err.code(), err.item()), ("out_of_range", Some("3")));
/// let err = err.at_row(2).at_column("3");
/// assert_eq!(err.to_string(), "row 2, column \"3\": item 3: value 9 is outside the response range 1 to 5");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<Inner>);

#[derive(Debug, Clone, PartialEq)]
struct Inner {
    kind: ErrorKind,
    row: Option<u64>,
    record: Option<String>,
    column: Option<String>,
    path: Option<String>,
}

impl Error {
    /// What went wrong.
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind, Rater};
    ///
    /// let err = Error::from("patient".parse::<Rater>().unwrap_err());
    /// assert!(matches!(err.kind(), ErrorKind::UnknownName { what: "rater", .. }));
    /// ```
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// A stable machine-readable code for the kind, e.g. `out_of_range` (the snake_case name of
    /// the [`ErrorKind`] variant).
    ///
    /// ```
    /// use therapeutic_alliance::Date;
    ///
    /// assert_eq!("2026-02-30".parse::<Date>().unwrap_err().code(), "invalid_date");
    /// ```
    pub fn code(&self) -> &'static str {
        self.0.kind.code()
    }

    /// The item the error is about, if it is about one (in a FHIR response, the item's
    /// `linkId`).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let err = Administration::builder(&catalog::require("srs")?).answer("2", 10.5).unwrap_err();
    /// assert_eq!(err.item(), Some("2"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item(&self) -> Option<&str> {
        self.0.kind.item()
    }

    /// The data row (counted as the caller counts: the `alliance` example counts CSV lines from
    /// 1 with the header as line 1), if known.
    ///
    /// ```
    /// use therapeutic_alliance::ErrorKind;
    ///
    /// let err = therapeutic_alliance::Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_row(7);
    /// assert_eq!(err.row(), Some(7));
    /// ```
    pub fn row(&self) -> Option<u64> {
        self.0.row
    }

    /// The id of the record the data row holds (a client id, a REDCap `record_id`), if known:
    /// shown after the row, so that a user finds the row by its id as well as its line.
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind};
    ///
    /// let err = Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_row(7).at_record("p02");
    /// assert_eq!(err.record(), Some("p02"));
    /// assert_eq!(err.to_string(), "row 7 (id \"p02\"): item 4 is answered more than once");
    /// ```
    pub fn record(&self) -> Option<&str> {
        self.0.record.as_deref()
    }

    /// The column, if known.
    ///
    /// ```
    /// use therapeutic_alliance::ErrorKind;
    ///
    /// let err = therapeutic_alliance::Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_column("q4");
    /// assert_eq!(err.column(), Some("q4"));
    /// ```
    pub fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }

    /// The field path in a structured document, as a JSON Pointer (RFC 6901), e.g. `/answers/9`.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, AdministrationRecord, Registry};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut record = AdministrationRecord::new("wai-sr");
    /// record.answers.push(("9".into(), Some(9.0.into())));
    /// let err = Registry::with_catalog().read(record).unwrap_err();
    /// assert_eq!(err.path(), Some("/answers/9"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The same error located at a data row.
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind};
    ///
    /// let err = Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_row(3);
    /// assert_eq!(err.to_string(), "row 3: item 4 is answered more than once");
    /// ```
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Self {
        self.0.row = Some(row);
        self
    }

    /// The same error located at the record with this id (see [`Error::record`]).
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind};
    ///
    /// let err = Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_record("c-017").at_column("4");
    /// assert_eq!(err.to_string(), "id \"c-017\", column \"4\": item 4 is answered more than once");
    /// ```
    #[must_use]
    pub fn at_record(mut self, id: impl Into<String>) -> Self {
        self.0.record = Some(id.into());
        self
    }

    /// The same error located at a column.
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind};
    ///
    /// let err = Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_column("q4");
    /// assert_eq!(err.to_string(), "column \"q4\": item 4 is answered more than once");
    /// ```
    #[must_use]
    pub fn at_column(mut self, column: impl Into<String>) -> Self {
        self.0.column = Some(column.into());
        self
    }

    /// The same error located at a field path (a JSON Pointer such as `/answers/9`). The path is
    /// for programs; it is not part of the message.
    ///
    /// ```
    /// use therapeutic_alliance::{Error, ErrorKind};
    ///
    /// let err = Error::from(ErrorKind::DuplicateAnswer { item: "4".into() }).at_path("/answers/4");
    /// assert_eq!(err.path(), Some("/answers/4"));
    /// assert_eq!(err.to_string(), "item 4 is answered more than once");
    /// ```
    #[must_use]
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.0.path = Some(path.into());
        self
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(Inner {
            kind,
            row: None,
            record: None,
            column: None,
            path: None,
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `row 3 (id "p02"), column "9": `, as much of it as is known.
        let row = match (self.0.row, &self.0.record) {
            (Some(r), Some(id)) => Some(format!("row {r} (id {id:?})")),
            (Some(r), None) => Some(format!("row {r}")),
            (None, Some(id)) => Some(format!("id {id:?}")),
            (None, None) => None,
        };
        match (row, &self.0.column) {
            (Some(row), Some(c)) => write!(f, "{row}, column {c:?}: ")?,
            (Some(row), None) => write!(f, "{row}: ")?,
            (None, Some(c)) => write!(f, "column {c:?}: ")?,
            (None, None) => {}
        }
        fmt::Display::fmt(&self.0.kind, f)
    }
}

impl std::error::Error for Error {}

#[cfg(feature = "serde")]
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            kind: &'a ErrorKind,
            message: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            row: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            record: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            path: Option<&'a str>,
        }
        Out {
            kind: &self.0.kind,
            message: self.to_string(),
            row: self.0.row,
            record: self.record(),
            column: self.column(),
            path: self.path(),
        }
        .serialize(s)
    }
}

/// Every error found by one validation (at least one), in the order found.
///
/// A form needs all its field errors at once, not the first:
/// [`AdministrationBuilder::all_answers`](crate::AdministrationBuilder::all_answers) and
/// [`Registry::read_all`](crate::Registry::read_all) report them this way. With `serde` it
/// serializes as an array of [`Error`]s.
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let b = Administration::builder(&catalog::require("wai-sr")?);
/// let errors = b.all_answers([("1", 4.0), ("2", 9.0), ("13", 3.0), ("4", 2.5)]).unwrap_err();
/// let items: Vec<_> = errors.iter().map(|e| e.item()).collect();
/// assert_eq!(items, [Some("2"), Some("13"), Some("4")]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    first: Error,
    rest: Vec<Error>,
}

impl Errors {
    /// Collects errors; `None` when there are none.
    pub(crate) fn from_vec(errors: Vec<Error>) -> Option<Self> {
        let mut it = errors.into_iter();
        let first = it.next()?;
        Some(Errors {
            first,
            rest: it.collect(),
        })
    }

    /// How many errors (at least one).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("srs")?);
    /// assert_eq!(b.all_answers([("1", 11.0), ("2", -1.0)]).unwrap_err().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    #[allow(clippy::len_without_is_empty)] // never empty
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// The errors in the order found.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("srs")?);
    /// let errors = b.all_answers([("1", 11.0)]).unwrap_err();
    /// assert_eq!(errors.iter().next().map(|e| e.code()), Some("out_of_range"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &Error> + '_ {
        std::iter::once(&self.first).chain(self.rest.iter())
    }

    /// The first error.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let b = Administration::builder(&catalog::require("srs")?);
    /// let errors = b.all_answers([("9", 1.0), ("1", 11.0)]).unwrap_err();
    /// assert_eq!(errors.first().code(), "unknown_item");
    /// # Ok(())
    /// # }
    /// ```
    pub fn first(&self) -> &Error {
        &self.first
    }

    /// The first error, by value.
    pub(crate) fn into_first(self) -> Error {
        self.first
    }
}

impl From<Error> for Errors {
    fn from(first: Error) -> Self {
        Errors {
            first,
            rest: Vec::new(),
        }
    }
}

impl From<Errors> for Vec<Error> {
    fn from(e: Errors) -> Self {
        e.into_iter().collect()
    }
}

impl IntoIterator for Errors {
    type Item = Error;
    type IntoIter = std::iter::Chain<std::iter::Once<Error>, std::vec::IntoIter<Error>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first).chain(self.rest)
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(e, f)?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

#[cfg(feature = "serde")]
impl serde::Serialize for Errors {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A number for a message: the shortest form that reads back as the same double, in scientific
/// notation when very large or very small (`1e300`, not three hundred digits).
pub(crate) struct Num(pub(crate) f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = v.abs();
        if v.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

/// A value as the user wrote it when it came as text, else the number.
struct Given<'a>(f64, &'a Option<String>);

impl fmt::Display for Given<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(text) => f.write_str(text),
            None => Num(self.0).fmt(f),
        }
    }
}

/// `a, b or c`.
struct OneOf<'a>(&'a [&'a str]);

impl fmt::Display for OneOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " or " } else { ", " })?;
            }
            f.write_str(s)?;
        }
        Ok(())
    }
}

/// `; hint` or nothing.
struct Hint(Option<&'static str>);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(h) => write!(f, " ({h})"),
            None => Ok(()),
        }
    }
}

/// A list of strings for a message: `a, b, c`.
struct List<'a>(&'a [String]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{s:?}")?;
        }
        Ok(())
    }
}

/// What went wrong: each variant names the offending instrument, item, value or field, so the
/// message alone tells a user what to fix.
///
/// ```
/// use therapeutic_alliance::{Component, ErrorKind, Instrument, Item, ResponseScale, Subscale};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let err = Instrument::builder("pair", "Pair", ResponseScale::likert(1, 5, [])?)
///     .items(["1", "2"].map(Item::new))
///     .subscale(Subscale::new("goals", "Goals", ["1", "3"]).measuring(Component::Goals))
///     .build()
///     .unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::SubscaleUnknownItem { .. }));
/// assert_eq!(err.to_string(), "instrument pair: subscale goals lists item \"3\", which the instrument does not have");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize),
    serde(tag = "code", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An id, version, name, label or message that is empty, has surrounding whitespace, or
    /// contains control, invisible or bidirectional characters.
    #[error("invalid {field} \"{value}\": {problem}")]
    InvalidText {
        /// Which field: "instrument id", "item id", "subscale label", "client id", ...
        field: &'static str,
        /// The text given, safe to show: control, invisible and bidirectional characters are
        /// written as `\u{..}` escapes and a long text is cut at 80 characters.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A name that is not in a closed vocabulary (a component, rater, metric, ...).
    #[error("unknown {what} {value:?}: expected {}{}", OneOf(expected), Hint(*hint))]
    UnknownName {
        /// What kind of name: "component", "rater", ...
        what: &'static str,
        /// The text given.
        value: String,
        /// The valid names.
        expected: &'static [&'static str],
        /// A hint for a likely confusion.
        hint: Option<&'static str>,
    },
    /// A response scale whose maximum is not above its minimum.
    #[error("the response scale's maximum {} must be above its minimum {}", Num(*max), Num(*min))]
    EmptyScale {
        /// The minimum given.
        min: f64,
        /// The maximum given.
        max: f64,
    },
    /// A visual-analogue scale bound that is not finite or not on the scale's step.
    #[error("the response scale bound {} is not a finite multiple of the step {}", Num(*value), Num(*step))]
    ScaleBound {
        /// The bound given.
        value: f64,
        /// The scale's step.
        step: f64,
    },
    /// A response scale bound too large in magnitude for exact sums over millions of rows.
    #[error("the response scale bound {} is beyond the supported magnitude {} (in steps of the scale)", Num(*value), Num(*max))]
    BoundTooLarge {
        /// The bound given.
        value: f64,
        /// The largest magnitude supported, in units of the scale's step.
        max: f64,
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
    /// Two subscales of one instrument share an id.
    #[error("instrument {instrument}: subscale id {subscale} is used more than once")]
    DuplicateSubscale {
        /// The instrument id.
        instrument: String,
        /// The repeated subscale id.
        subscale: String,
    },
    /// A subscale id that is reserved (`total`) or that names a component it does not measure.
    #[error("instrument {instrument}: subscale id {subscale:?} {reason}")]
    ReservedSubscaleId {
        /// The instrument id.
        instrument: String,
        /// The subscale id.
        subscale: String,
        /// Why it may not be used.
        reason: &'static str,
    },
    /// A subscale without items.
    #[error("instrument {instrument}: subscale {subscale} has no items")]
    EmptySubscale {
        /// The instrument id.
        instrument: String,
        /// The subscale id.
        subscale: String,
    },
    /// A subscale that lists an item the instrument does not have.
    #[error(
        "instrument {instrument}: subscale {subscale} lists item {item:?}, which the instrument does not have{}",
        Hint(*hint)
    )]
    SubscaleUnknownItem {
        /// The instrument id.
        instrument: String,
        /// The subscale id.
        subscale: String,
        /// The unknown item id.
        item: String,
        /// A hint for a likely confusion (psych's `-A1` notation for a reversed item).
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        hint: Option<&'static str>,
    },
    /// A subscale that lists an item twice.
    #[error("instrument {instrument}: subscale {subscale} lists item {item} more than once")]
    SubscaleRepeatsItem {
        /// The instrument id.
        instrument: String,
        /// The subscale id.
        subscale: String,
        /// The repeated item id.
        item: String,
    },
    /// Two subscales that claim to measure the same component.
    #[error("instrument {instrument}: subscales {first} and {second} both measure {component}")]
    ComponentTwice {
        /// The instrument id.
        instrument: String,
        /// The component.
        component: Component,
        /// The first subscale.
        first: String,
        /// The second subscale.
        second: String,
    },
    /// A total that sums subscale scores, on an instrument whose subscales do not split the items
    /// (an item in no subscale or in several).
    #[error(
        "instrument {instrument}: item {item} is in {subscales} subscales, but a total that sums subscale scores needs every item in exactly one (score the total over_items, or none)"
    )]
    TotalNeedsPartition {
        /// The instrument id.
        instrument: String,
        /// The item.
        item: String,
        /// How many subscales hold it.
        subscales: usize,
    },
    /// A threshold or lookup naming a subscale or total the instrument does not have.
    #[error("instrument {instrument} has no {} {target:?} (it has: {})", if target == "total" { "score" } else { "subscale" }, List(known))]
    UnknownTarget {
        /// The instrument id.
        instrument: String,
        /// The target as written.
        target: String,
        /// What it has: its subscale ids and `total` if it has a total.
        known: Vec<String>,
    },
    /// A threshold value outside the range its score can take.
    #[error("instrument {instrument}: threshold {} on the {target} {metric} is outside its range {} to {}", Num(*value), Num(*min), Num(*max))]
    ThresholdOutOfRange {
        /// The instrument id.
        instrument: String,
        /// What the threshold applies to.
        target: String,
        /// The score metric.
        metric: Metric,
        /// The threshold value.
        value: f64,
        /// Lowest possible score.
        min: f64,
        /// Highest possible score.
        max: f64,
    },
    /// A non-finite threshold value.
    #[error("threshold value {} is not a finite number", Num(*value))]
    NonFiniteThreshold {
        /// The value given.
        value: f64,
    },
    /// Severity bands, a reliable-change amount or codes that do not fit the instrument (bounds
    /// not increasing, an amount that is not positive, a code for an unknown item, ...).
    #[error("invalid {field}: {reason}")]
    InvalidDefinition {
        /// The part of the definition: `bands`, `reliable_change`, `codes`.
        field: &'static str,
        /// What is wrong, naming the value.
        reason: String,
    },
    /// A missing-item rule that makes no sense (zero denominator, fraction above one, ...).
    #[error("invalid missing-item rule: {reason}")]
    InvalidMissingRule {
        /// What is wrong with it.
        reason: String,
    },
    /// A missing-item rule that asks for more answered items than a subscale (or the total) has.
    #[error(
        "instrument {instrument}: the missing-item rule needs {required} answered items but {target} has only {items}"
    )]
    UnreachableMissingRule {
        /// The instrument id.
        instrument: String,
        /// The subscale or total concerned.
        target: String,
        /// Items the rule requires.
        required: usize,
        /// Items it has.
        items: usize,
    },
    /// An instrument whose prorated total could not be computed in exact integer arithmetic
    /// (many large subscales that may all be prorated at once).
    #[error(
        "instrument {instrument}: a total summing {subscales} prorated subscales cannot be computed exactly; score the total over_items or use a stricter missing-item rule"
    )]
    NotExact {
        /// The instrument id.
        instrument: String,
        /// Subscales that may be prorated.
        subscales: usize,
    },
    /// An answer to an item the instrument does not have.
    #[error("instrument {instrument} has no item {item:?}")]
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
    /// An answer given as text that is not a number.
    #[error("item {item}: {text:?} is not a number")]
    NotANumber {
        /// The item id.
        item: String,
        /// The text given.
        text: String,
    },
    /// NaN or an infinite answer.
    #[error("item {item}: value {} is not a finite number", Given(*value, text))]
    NotFinite {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
        /// The value as written, when it came as text.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        text: Option<String>,
    },
    /// An answer outside the response scale.
    #[error("item {item}: value {} is outside the response range {} to {}", Given(*value, text), Num(*min), Num(*max))]
    OutOfRange {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
        /// The value as written, when it came as text.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        text: Option<String>,
        /// The scale minimum.
        min: f64,
        /// The scale maximum.
        max: f64,
    },
    /// An answer between the points of the scale (2.5 on a 1..5 Likert scale, 7.25 on a 0.1-step line).
    #[error("item {item}: value {} is not a point of the response scale (step {})", Given(*value, text), Num(*step))]
    OffStep {
        /// The item id.
        item: String,
        /// The value given.
        value: f64,
        /// The value as written, when it came as text.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        text: Option<String>,
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
    /// Something of one instrument (an administration, scores) given where another's is needed.
    #[error("this belongs to instrument {found}, not {expected}")]
    InstrumentMismatch {
        /// The instrument expected (id and version).
        expected: String,
        /// The instrument found (id and version).
        found: String,
    },
    /// An instrument id that the catalog or registry does not know.
    #[error("no instrument {id:?} is registered (registered: {})", List(known))]
    UnknownInstrument {
        /// The id asked for.
        id: String,
        /// The ids registered.
        known: Vec<String>,
    },
    /// A version of a known instrument that is not registered.
    #[error(
        "instrument {id} has no version {version:?} registered (registered: {})",
        List(known)
    )]
    UnknownVersion {
        /// The instrument id.
        id: String,
        /// The version asked for.
        version: String,
        /// The versions registered.
        known: Vec<String>,
    },
    /// A record without a version, for an id registered in several versions.
    #[error(
        "instrument {id} is registered in several versions ({}); the record must name one",
        List(versions)
    )]
    AmbiguousVersion {
        /// The instrument id.
        id: String,
        /// The versions registered.
        versions: Vec<String>,
    },
    /// A record made with a different definition than the one registered under its id and version.
    #[error(
        "the record's instrument {id} version {version:?} has definition digest {found:?}, but the registered one has {registered:?}: a changed instrument must carry a new id or version"
    )]
    DefinitionMismatch {
        /// The instrument id.
        id: String,
        /// The version.
        version: String,
        /// The digest in the record.
        found: String,
        /// The digest of the registered definition.
        registered: String,
    },
    /// A second, different definition registered under an id and version already taken.
    #[error(
        "instrument {id} version {version:?} is already registered with a different definition: give the changed instrument a new id or version"
    )]
    RegistryConflict {
        /// The instrument id.
        id: String,
        /// The version.
        version: String,
    },
    /// A statistic asked of fewer items than it needs.
    #[error("{target} has {items} item(s); {statistic} needs at least {needed}")]
    TooFewItems {
        /// The item set (a subscale id or `total`).
        target: String,
        /// Items it has.
        items: usize,
        /// The statistic.
        statistic: &'static str,
        /// Items it needs.
        needed: usize,
    },
    /// A statistic asked of fewer usable rows than it needs.
    #[error("{target}: {rows} usable row(s); {statistic} needs at least {needed}")]
    TooFewRows {
        /// The item set or data.
        target: String,
        /// Usable rows.
        rows: u64,
        /// The statistic.
        statistic: &'static str,
        /// Rows it needs.
        needed: u64,
    },
    /// An item whose answers do not vary, so it has no correlation with anything.
    #[error("item {item} has no variance (every usable answer is the same)")]
    ZeroVariance {
        /// The item.
        item: String,
    },
    /// A variable that takes one value in every usable row, where a statistic needs it to vary
    /// (a constant pre-post difference has no d_z, a constant variable no correlation).
    #[error("{variable} has the same value in all {rows} usable rows, so {statistic} is undefined")]
    NoVariation {
        /// The variable: "x", "the post - pre difference", ...
        variable: String,
        /// Usable rows.
        rows: u64,
        /// The statistic.
        statistic: &'static str,
    },
    /// Two items answered together in fewer than two rows, so they have no covariance.
    #[error(
        "items {first} and {second} are answered together in {rows} row(s); a covariance needs at least 2"
    )]
    TooFewPairs {
        /// One item.
        first: String,
        /// The other.
        second: String,
        /// Rows answering both.
        rows: u64,
    },
    /// Administrations that do not form one client's series: no session number, sessions not
    /// strictly increasing, dates going backwards, another instrument or another client.
    #[error("{}{reason}", session.map_or_else(String::new, |s| format!("session {s}: ")))]
    InvalidSeries {
        /// The offending session, if it has a number.
        session: Option<u32>,
        /// What is wrong.
        reason: String,
    },
    /// Data for a rating table that is not a complete, finite table.
    #[error("{reason}")]
    InvalidTable {
        /// What is wrong, naming the row and column.
        reason: String,
    },
    /// An option or parameter outside the values it can take (a reliability above 1, a
    /// percentage above 100, a window of 0 sessions, ...).
    #[error("{option} {value}: {reason}")]
    InvalidOption {
        /// The option: "reliability", "cutoff", ...
        option: &'static str,
        /// The value given, as written.
        value: String,
        /// What it must be.
        reason: String,
    },
    /// A calendar date that does not exist or is not written `YYYY-MM-DD`.
    #[error("invalid date {value:?}: expected an existing calendar date written YYYY-MM-DD")]
    InvalidDate {
        /// The text or numbers given.
        value: String,
    },
    /// A finite value too large or too small in magnitude for the change statistics to compute
    /// with in double precision (their squares and products would overflow or lose precision):
    /// outside 1e-100 to 1e100 in absolute value, and not 0. No questionnaire score comes near.
    #[error("{what}: {} is outside the magnitudes change statistics accept (0, or 1e-100 to 1e100 in absolute value)", Num(*value))]
    ExtremeValue {
        /// Which value: `row 3, x`, `client 7, score 2`, `session 4`.
        what: String,
        /// The value given.
        value: f64,
    },
    /// A score in a client's series of session scores (or a treatment start or end score) that
    /// is NaN or infinite.
    #[error("client {client}: {score} is {}, not a finite number", Num(*value))]
    NotFiniteScore {
        /// The client id.
        client: String,
        /// Which score: `score 3` (the third of the series, counted from 1), `treatment start`
        /// or `treatment end`.
        score: String,
        /// The value given.
        value: f64,
    },
    /// An instrument definition text that is not well-formed: a syntax error, a value of the
    /// wrong type, a misspelt enum value, an unknown or missing field. What the definition says
    /// is checked afterwards, with the kinds the builder gives.
    #[error("not a valid instrument definition ({format}{}): {reason}", LineColumn(*line, *column))]
    MalformedDefinition {
        /// The format read: `JSON` or `TOML`.
        format: &'static str,
        /// The line of the problem, counted from 1, if known.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        line: Option<u64>,
        /// The column (character on the line) of the problem, counted from 1, if known.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        column: Option<u64>,
        /// What is wrong, as the format's reader says it.
        reason: String,
    },
    /// An instrument definition whose `schema_version` this release does not read: a newer
    /// version, or a value that is not an integer.
    #[error(
        "unsupported schema_version {found}: this release reads instrument definitions of schema version {}{}",
        Versions(supported),
        VersionHint(found, supported)
    )]
    UnsupportedSchemaVersion {
        /// The `schema_version` as written (`2`, `"1"`, `1.5`).
        found: String,
        /// The schema versions this release reads.
        supported: &'static [u32],
    },
    /// A FHIR resource (or decimal) that is not valid JSON of its kind: another
    /// `resourceType`, a missing required element, an element of the wrong type, a `null` or
    /// an empty array, an element given twice, a code outside its value set.
    #[error("invalid FHIR {resource}: {reason}")]
    InvalidFhir {
        /// What was read: `QuestionnaireResponse`, `Questionnaire`, `Observation`, `decimal`,
        /// or the setting: `canonical base`.
        resource: &'static str,
        /// What is wrong, with serde_json's line and column where it has them.
        reason: String,
    },
    /// A FHIR `QuestionnaireResponse` whose status is not `completed` or `amended`: an
    /// unfinished (`in-progress`, `stopped`) or withdrawn (`entered-in-error`) response is not
    /// scored.
    #[error(
        "questionnaire response status {status:?}: only completed or amended responses are read"
    )]
    ResponseStatus {
        /// The status given.
        status: String,
    },
    /// A FHIR `QuestionnaireResponse` that answers another questionnaire (or another version)
    /// than the instrument's.
    #[error("the response answers questionnaire {found:?}, not {expected:?}")]
    QuestionnaireMismatch {
        /// The response's `questionnaire` (`url|version`), or `none`.
        found: String,
        /// The questionnaire expected.
        expected: String,
    },
    /// A response item whose `linkId` is not an item of the instrument.
    #[error("linkId {link_id:?}: instrument {instrument} has no item with this linkId")]
    UnknownLinkId {
        /// The instrument id.
        instrument: String,
        /// The `linkId`.
        link_id: String,
    },
    /// A coded answer whose code is not one of the item's answer options (and carries no
    /// score of its own).
    #[error("linkId {link_id:?}: answer code {answer_code:?}{} is not an option of the item", system.as_ref().map_or_else(String::new, |s| format!(" of system {s:?}")))]
    UnknownAnswerCode {
        /// The `linkId`.
        link_id: String,
        /// The coding's system, if it has one.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        system: Option<String>,
        /// The coding's code (empty if it has none).
        answer_code: String,
    },
    /// A required item without an answer in a completed response.
    #[error("linkId {link_id:?}: the item is required but has no answer")]
    MissingAnswer {
        /// The `linkId`.
        link_id: String,
    },
    /// An answer that cannot be read as a value of the item: several answers to a question
    /// that takes one, an answer type that is not read (`valueString`), an answer without a
    /// value.
    #[error("linkId {link_id:?}: {reason}")]
    InvalidAnswer {
        /// The `linkId`.
        link_id: String,
        /// What is wrong.
        reason: String,
    },
    /// A CSV header without a column the layout needs (the id, the session, a pass-through
    /// column, a long file's item or value column).
    #[error("the header has no {role} column {column:?}")]
    MissingColumn {
        /// The column name looked for.
        column: String,
        /// What the column holds: "id", "session", "item", "value", "pass-through", ...
        role: &'static str,
    },
    /// A wide CSV header without a column for one of the instrument's items.
    #[error("the header has no column for item {item} of {instrument}")]
    NoItemColumn {
        /// The instrument id.
        instrument: String,
        /// The item without a column.
        item: String,
    },
    /// A column name given twice in a CSV header.
    #[error("column {column:?} appears twice in the header")]
    DuplicateColumn {
        /// The column name.
        column: String,
    },
    /// A column of a wide CSV file that is neither an item nor a column the layout names.
    #[error(
        "column {position} ({column:?}) is neither an item of {instrument} nor a column the layout names (id, session, therapist, date or pass-through)"
    )]
    UnknownColumn {
        /// The instrument id.
        instrument: String,
        /// The column name.
        column: String,
        /// Its position in the header, from 1.
        position: usize,
    },
    /// A column given two roles (the id and a pass-through column, two columns for one item,
    /// a pass-through column named like a score column, a field mapped twice).
    #[error("column {column:?} {reason}")]
    ColumnConflict {
        /// The column (or field) name.
        column: String,
        /// What it clashes with.
        reason: String,
    },
    /// CSV text that is not valid UTF-8.
    #[error("the {what} is not valid UTF-8")]
    NotUtf8 {
        /// What: "cell" or "column name".
        what: &'static str,
    },
    /// A CSV row with another number of fields than the header.
    #[error("{found} fields, but the header has {expected}")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A session cell that is not a whole number from 0 to 4294967295.
    #[error("{text:?} is not a session number (a whole number from 0 to 4294967295)")]
    InvalidSession {
        /// The text given.
        text: String,
    },
    /// In a long CSV file read as a stream, an administration's rows that are not together:
    /// its id and session reappear after another administration's rows.
    #[error(
        "the rows of id {record:?}{} are not together: they started at row {first_row} and another administration's rows came between (sort the file by id and session, or read it in any order with the buffered layout)",
        session.map_or_else(String::new, |s| format!(", session {s}"))
    )]
    NotContiguous {
        /// The id.
        record: String,
        /// The session, if the rows have one.
        session: Option<u32>,
        /// The first row of the earlier run.
        first_row: u64,
    },
    /// Data that cannot be read or written (an I/O error).
    #[error("cannot {action} the CSV data: {reason}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The operating system's description.
        reason: String,
        /// The kind of I/O error, so that a program can tell a closed pipe from a full disk.
        #[cfg_attr(feature = "serde", serde(skip))]
        io_kind: std::io::ErrorKind,
    },
}

/// `, line 3, column 14`, or as much of it as is known.
struct LineColumn(Option<u64>, Option<u64>);

impl fmt::Display for LineColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.0 {
            write!(f, ", line {line}")?;
            if let Some(column) = self.1 {
                write!(f, ", column {column}")?;
            }
        }
        Ok(())
    }
}

/// `1`, `1 and 2`, `1, 2 and 3`.
struct Versions<'a>(&'a [u32]);

impl fmt::Display for Versions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == n { " and " } else { ", " })?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// Why a schema version is not read: written by a newer release, or not an integer.
struct VersionHint<'a>(&'a str, &'a [u32]);

impl fmt::Display for VersionHint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.parse::<i128>() {
            Ok(v) if self.1.iter().all(|&r| i128::from(r) < v) => f.write_str(
                " (the definition is for a newer release of therapeutic-alliance: update the crate, or write it for a version this release reads)",
            ),
            Ok(_) => Ok(()),
            Err(_) => f.write_str(" (schema_version is an integer, such as 1)"),
        }
    }
}

impl ErrorKind {
    /// The stable machine-readable code (the serde tag).
    pub(crate) fn code(&self) -> &'static str {
        use ErrorKind as K;
        match self {
            K::InvalidText { .. } => "invalid_text",
            K::UnknownName { .. } => "unknown_name",
            K::EmptyScale { .. } => "empty_scale",
            K::ScaleBound { .. } => "scale_bound",
            K::BoundTooLarge { .. } => "bound_too_large",
            K::TooManyDecimals { .. } => "too_many_decimals",
            K::TooManyPoints { .. } => "too_many_points",
            K::AnchorOutOfRange { .. } => "anchor_out_of_range",
            K::DuplicateAnchor { .. } => "duplicate_anchor",
            K::NoItems { .. } => "no_items",
            K::DuplicateItem { .. } => "duplicate_item",
            K::DuplicateSubscale { .. } => "duplicate_subscale",
            K::ReservedSubscaleId { .. } => "reserved_subscale_id",
            K::EmptySubscale { .. } => "empty_subscale",
            K::SubscaleUnknownItem { .. } => "subscale_unknown_item",
            K::SubscaleRepeatsItem { .. } => "subscale_repeats_item",
            K::ComponentTwice { .. } => "component_twice",
            K::TotalNeedsPartition { .. } => "total_needs_partition",
            K::UnknownTarget { .. } => "unknown_target",
            K::ThresholdOutOfRange { .. } => "threshold_out_of_range",
            K::NonFiniteThreshold { .. } => "non_finite_threshold",
            K::InvalidDefinition { .. } => "invalid_definition",
            K::InvalidMissingRule { .. } => "invalid_missing_rule",
            K::UnreachableMissingRule { .. } => "unreachable_missing_rule",
            K::NotExact { .. } => "not_exact",
            K::UnknownItem { .. } => "unknown_item",
            K::DuplicateAnswer { .. } => "duplicate_answer",
            K::NotANumber { .. } => "not_a_number",
            K::NotFinite { .. } => "not_finite",
            K::OutOfRange { .. } => "out_of_range",
            K::OffStep { .. } => "off_step",
            K::WrongLength { .. } => "wrong_length",
            K::InstrumentMismatch { .. } => "instrument_mismatch",
            K::UnknownInstrument { .. } => "unknown_instrument",
            K::UnknownVersion { .. } => "unknown_version",
            K::AmbiguousVersion { .. } => "ambiguous_version",
            K::DefinitionMismatch { .. } => "definition_mismatch",
            K::RegistryConflict { .. } => "registry_conflict",
            K::InvalidDate { .. } => "invalid_date",
            K::TooFewItems { .. } => "too_few_items",
            K::TooFewRows { .. } => "too_few_rows",
            K::ZeroVariance { .. } => "zero_variance",
            K::NoVariation { .. } => "no_variation",
            K::TooFewPairs { .. } => "too_few_pairs",
            K::InvalidTable { .. } => "invalid_table",
            K::InvalidSeries { .. } => "invalid_series",
            K::InvalidOption { .. } => "invalid_option",
            K::NotFiniteScore { .. } => "not_finite_score",
            K::ExtremeValue { .. } => "extreme_value",
            K::MalformedDefinition { .. } => "malformed_definition",
            K::UnsupportedSchemaVersion { .. } => "unsupported_schema_version",
            K::InvalidFhir { .. } => "invalid_fhir",
            K::ResponseStatus { .. } => "response_status",
            K::QuestionnaireMismatch { .. } => "questionnaire_mismatch",
            K::UnknownLinkId { .. } => "unknown_link_id",
            K::UnknownAnswerCode { .. } => "unknown_answer_code",
            K::MissingAnswer { .. } => "missing_answer",
            K::InvalidAnswer { .. } => "invalid_answer",
            K::MissingColumn { .. } => "missing_column",
            K::NoItemColumn { .. } => "no_item_column",
            K::DuplicateColumn { .. } => "duplicate_column",
            K::UnknownColumn { .. } => "unknown_column",
            K::ColumnConflict { .. } => "column_conflict",
            K::NotUtf8 { .. } => "not_utf8",
            K::FieldCount { .. } => "field_count",
            K::InvalidSession { .. } => "invalid_session",
            K::NotContiguous { .. } => "not_contiguous",
            K::Io { .. } => "io",
        }
    }

    /// The item the error is about, if any.
    pub(crate) fn item(&self) -> Option<&str> {
        use ErrorKind as K;
        match self {
            K::DuplicateItem { item, .. }
            | K::SubscaleUnknownItem { item, .. }
            | K::SubscaleRepeatsItem { item, .. }
            | K::TotalNeedsPartition { item, .. }
            | K::UnknownItem { item, .. }
            | K::DuplicateAnswer { item }
            | K::NotANumber { item, .. }
            | K::NotFinite { item, .. }
            | K::OutOfRange { item, .. }
            | K::OffStep { item, .. }
            | K::ZeroVariance { item }
            | K::NoItemColumn { item, .. } => Some(item),
            K::UnknownLinkId { link_id, .. }
            | K::UnknownAnswerCode { link_id, .. }
            | K::MissingAnswer { link_id }
            | K::InvalidAnswer { link_id, .. } => Some(link_id),
            _ => None,
        }
    }
}

impl From<crate::vocab::UnknownName> for ErrorKind {
    fn from(e: crate::vocab::UnknownName) -> Self {
        ErrorKind::UnknownName {
            what: e.what,
            value: e.value,
            expected: e.expected,
            hint: e.hint,
        }
    }
}

impl From<crate::vocab::UnknownName> for Error {
    fn from(e: crate::vocab::UnknownName) -> Self {
        ErrorKind::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_compactly() {
        assert_eq!(Num(146.4).to_string(), "146.4");
        assert_eq!(Num(1e300).to_string(), "1e300");
        assert_eq!(Num(-2.5e-9).to_string(), "-2.5e-9");
        assert_eq!(Num(f64::INFINITY).to_string(), "inf");
        assert_eq!(Num(0.0).to_string(), "0");
        let e = ErrorKind::OutOfRange {
            item: "3".into(),
            value: f64::INFINITY,
            text: Some("1e400".into()),
            min: 1.0,
            max: 5.0,
        };
        assert_eq!(
            e.to_string(),
            "item 3: value 1e400 is outside the response range 1 to 5"
        );
    }

    #[test]
    fn location_prefixes_the_message_once() {
        let e = Error::from(ErrorKind::DuplicateAnswer { item: "2".into() })
            .at_row(4)
            .at_column("2");
        assert_eq!(
            e.to_string(),
            "row 4, column \"2\": item 2 is answered more than once"
        );
        assert!(std::error::Error::source(&e).is_none());
        assert_eq!(e.item(), Some("2"));
    }
}
