//! The crate's error type: what went wrong ([`ErrorKind`]) and where ([`Error::row`],
//! [`Error::column`], [`Error::path`]); and [`Errors`], every error of one validation.
//!
//! No error carries a client's or therapist's id: errors end up in logs, tickets and
//! screenshots, and an id is health data. See [`Error`].

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
/// value or field) and, where known, its location: the data row, the column and the field path.
///
/// An error never names a client or a therapist: no client id, therapist id or REDCap
/// `record_id` is in its message, its fields or its location, and an invalid id is described
/// (which field, what is wrong with it), not quoted back. A reader that knows the id of the
/// row an error is about gives it beside the error, outside this type (the CSV reader's
/// [`RowError::record_id`](crate::csv::RowError::record_id)), so that a program decides
/// whether and where to show it.
///
/// The message is lowercase with no trailing period, prefixed by the location when there is
/// one, and complete in itself: only an I/O error ([`ErrorKind::Io`]) has a
/// [`source`](std::error::Error::source), the [`std::io::Error`], which its message does not
/// repeat (print the chain, as the `alliance` command does, to show both).
///
/// With the `serde` feature an error serializes as one JSON object whose keys are never
/// repeated: a stable machine-readable `code` (the snake_case name of the [`ErrorKind`]
/// variant, as [`Error::code`]), the kind's own fields beside it, the `message`, and the
/// location nested under `location` (left out when nothing is known, and each of its `row`,
/// `column` and `path` left out when unknown), so a web service can return it as it
/// is:
///
/// ```json
/// {"code": "out_of_range", "item": "9", "value": 9.0, "text": "9", "min": 1.0, "max": 5.0,
///  "message": "row 2, column \"9\": item 9: value 9 is outside the response range 1 to 5",
///  "location": {"row": 2, "column": "9", "path": "/answers/9"}}
/// ```
///
/// # Bounded text
///
/// An error is short whatever the input: every text it echoes (an id, a cell, a decimal, a
/// `linkId`, a column name, a name) has its control, line-break, invisible and bidirectional
/// characters written as `\u{..}` escapes and is cut at 80 characters and 320 bytes (then `…`);
/// an explanation that may quote input in turn (a `reason`) at 300 characters and 600 bytes; a
/// list of ids at 32 entries and 600 bytes. Text within these bounds is shown unchanged. So a
/// message is at most about 2 kB and its JSON about 5 kB even for a 5 MB cell (typically a few
/// hundred bytes). An invalid client or therapist id is not quoted at all
/// ([`ErrorKind::InvalidText`]).
///
/// ```
/// use therapeutic_alliance::{catalog, Administration};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let cell = "7".repeat(5_000_000);
/// let err = Administration::builder(&catalog::require("srs")?).answer_text("1", &cell).unwrap_err();
/// assert!(err.to_string().len() < 200, "{err}");
/// # Ok(())
/// # }
/// ```
///
/// The top-level keys `code`, `message`, `location` and `input_id` are reserved: no kind has a
/// field of these names. The library never writes `input_id`; a program that read the data may
/// add the id of the record under it (the `alliance` command does, with `--errors json`, from
/// [`RowError::record_id`](crate::csv::RowError::record_id)).
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
    /// the [`ErrorKind`] variant): the `code` of the serialized error (a unit test checks this
    /// for every variant).
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
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let twice = Administration::builder(&catalog::require("wai-sr")?).answer("4", 3)?.answer("4", 2);
    /// let err = twice.unwrap_err().at_row(7);
    /// assert_eq!(err.row(), Some(7));
    /// # Ok(())
    /// # }
    /// ```
    pub fn row(&self) -> Option<u64> {
        self.0.row
    }

    /// The column, if known.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let twice = Administration::builder(&catalog::require("wai-sr")?).answer("4", 3)?.answer("4", 2);
    /// let err = twice.unwrap_err().at_column("q4");
    /// assert_eq!(err.column(), Some("q4"));
    /// # Ok(())
    /// # }
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
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let twice = Administration::builder(&catalog::require("wai-sr")?).answer("4", 3)?.answer("4", 2);
    /// let err = twice.unwrap_err().at_row(3);
    /// assert_eq!(err.to_string(), "row 3: item 4 is answered more than once");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Self {
        self.0.row = Some(row);
        self
    }

    /// The same error located at a column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let twice = Administration::builder(&catalog::require("wai-sr")?).answer("4", 3)?.answer("4", 2);
    /// let err = twice.unwrap_err().at_column("q4");
    /// assert_eq!(err.to_string(), "column \"q4\": item 4 is answered more than once");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn at_column(mut self, column: impl Into<String>) -> Self {
        let mut column = column.into();
        crate::ids::bound_value(&mut column);
        self.0.column = Some(column);
        self
    }

    /// The same error located at a field path (a JSON Pointer such as `/answers/9`). The path is
    /// for programs; it is not part of the message.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, Administration};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let twice = Administration::builder(&catalog::require("wai-sr")?).answer("4", 3)?.answer("4", 2);
    /// let err = twice.unwrap_err().at_path("/items/4");
    /// assert_eq!(err.path(), Some("/items/4"));
    /// assert_eq!(err.to_string(), "item 4 is answered more than once");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        let mut path = path.into();
        crate::ids::bound_reason(&mut path);
        self.0.path = Some(path);
        self
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(Inner {
            kind: kind.bounded(),
            row: None,
            column: None,
            path: None,
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `row 3, column "9": `, as much of it as is known (never an id).
        match (self.0.row, &self.0.column) {
            (Some(row), Some(c)) => write!(f, "row {row}, column {c:?}: ")?,
            (Some(row), None) => write!(f, "row {row}: ")?,
            (None, Some(c)) => write!(f, "column {c:?}: ")?,
            (None, None) => {}
        }
        fmt::Display::fmt(&self.0.kind, f)
    }
}

/// Only an [`ErrorKind::Io`] has a source: its [`std::io::Error`], which the message does not
/// repeat.
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io { source, .. } => Some(source.get()),
            _ => None,
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            kind: &'a ErrorKind,
            message: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            location: Option<Location<'a>>,
        }
        #[derive(serde::Serialize)]
        struct Location<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            row: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            column: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            path: Option<&'a str>,
        }
        let location = Location {
            row: self.0.row,
            column: self.column(),
            path: self.path(),
        };
        let empty = location.row.is_none() && location.column.is_none() && location.path.is_none();
        Out {
            kind: &self.0.kind,
            message: self.to_string(),
            location: (!empty).then_some(location),
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

/// The [`std::io::Error`] of an [`ErrorKind::Io`], shared so that the kind stays [`Clone`].
///
/// It reads as the I/O error itself ([`Deref`](std::ops::Deref), [`AsRef`], the same
/// [`Display`](fmt::Display) and [`source`](std::error::Error::source)). Two are equal when they
/// have the same [`kind`](std::io::Error::kind) and message: an I/O error has no equality of its
/// own, and the operating system's code is part of the message.
///
/// ```
/// use therapeutic_alliance::IoError;
///
/// let a = IoError::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
/// assert_eq!(a.kind(), std::io::ErrorKind::BrokenPipe);
/// assert_eq!(a, a.clone());
/// assert_ne!(a, IoError::from(std::io::Error::other("disk full")));
/// ```
#[derive(Clone)]
pub struct IoError(std::sync::Arc<std::io::Error>);

impl IoError {
    /// The I/O error.
    pub fn get(&self) -> &std::io::Error {
        &self.0
    }
}

impl From<std::io::Error> for IoError {
    fn from(e: std::io::Error) -> Self {
        IoError(std::sync::Arc::new(e))
    }
}

impl std::ops::Deref for IoError {
    type Target = std::io::Error;

    fn deref(&self) -> &std::io::Error {
        &self.0
    }
}

impl AsRef<std::io::Error> for IoError {
    fn as_ref(&self) -> &std::io::Error {
        &self.0
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl fmt::Debug for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// `{"io_kind": "broken_pipe", "reason": "Broken pipe (os error 32)"}`: the kind in snake_case
/// and the message.
#[cfg(feature = "serde")]
impl serde::Serialize for IoError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut kind = String::new();
        for (i, c) in format!("{:?}", self.0.kind()).chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    kind.push('_');
                }
                kind.push(c.to_ascii_lowercase());
            } else {
                kind.push(c);
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("io_kind", &kind)?;
        m.serialize_entry("reason", &self.0.to_string())?;
        m.end()
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
/// The enum and each of its variants are `#[non_exhaustive]`: new kinds and new fields may come
/// in any release, so match a variant with `..` (its fields stay public to read). Errors are
/// made by the library's functions; a program cannot build a kind with a struct expression.
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
    ///
    /// A client or therapist id is health data: its error names the field and what is wrong
    /// (`invalid client id: it has a leading space`) and never quotes the text (`value` is
    /// `None`, and left out of the JSON). Other fields quote it (`invalid item id "a\u{200b}":
    /// contains the invisible character U+200B`).
    #[error("invalid {field}{}{problem}", Quoted(value))]
    #[non_exhaustive]
    InvalidText {
        /// Which field: "instrument id", "item id", "subscale label", "client id", ...
        field: &'static str,
        /// The text given, safe to show: control, invisible and bidirectional characters are
        /// written as `\u{..}` escapes and a long text is cut at 80 characters. `None` for a
        /// client or therapist id, which is never shown.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        value: Option<String>,
        /// What is wrong with it: `has surrounding whitespace`; for a field whose text is not
        /// shown, a sentence that locates the problem (`it contains the invisible character
        /// U+200B at character 2`).
        problem: String,
    },
    /// A name that is not in a closed vocabulary (a component, rater, metric, ...).
    #[error("unknown {what} {value:?}: expected {}{}", OneOf(expected), Hint(*hint))]
    #[non_exhaustive]
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
    #[non_exhaustive]
    EmptyScale {
        /// The minimum given.
        min: f64,
        /// The maximum given.
        max: f64,
    },
    /// A visual-analogue scale bound that is not finite or not on the scale's step.
    #[error("the response scale bound {} is not a finite multiple of the step {}", Num(*value), Num(*step))]
    #[non_exhaustive]
    ScaleBound {
        /// The bound given.
        value: f64,
        /// The scale's step.
        step: f64,
    },
    /// A response scale bound too large in magnitude for exact sums over millions of rows.
    #[error("the response scale bound {} is beyond the supported magnitude {} (in steps of the scale)", Num(*value), Num(*max))]
    #[non_exhaustive]
    BoundTooLarge {
        /// The bound given.
        value: f64,
        /// The largest magnitude supported, in units of the scale's step.
        max: f64,
    },
    /// A visual-analogue scale with more decimals than supported.
    #[error("a visual-analogue scale may have at most {max} decimals, not {decimals}")]
    #[non_exhaustive]
    TooManyDecimals {
        /// The decimals given.
        decimals: u8,
        /// The largest number supported.
        max: u8,
    },
    /// A Likert scale with more points than supported.
    #[error("a Likert scale may have at most {max} points, not {points}")]
    #[non_exhaustive]
    TooManyPoints {
        /// The number of points given.
        points: i64,
        /// The largest number supported.
        max: i64,
    },
    /// A labeled anchor outside the scale.
    #[error("anchor {value} ({label:?}) is outside the response range {min} to {max}")]
    #[non_exhaustive]
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
    #[non_exhaustive]
    DuplicateAnchor {
        /// The scale point.
        value: i32,
    },
    /// An instrument defined without items.
    #[error("instrument {instrument} has no items")]
    #[non_exhaustive]
    NoItems {
        /// The instrument id.
        instrument: String,
    },
    /// Two items of one instrument share an id.
    #[error("instrument {instrument}: item id {item} is used more than once")]
    #[non_exhaustive]
    DuplicateItem {
        /// The instrument id.
        instrument: String,
        /// The repeated item id.
        item: String,
    },
    /// Two subscales of one instrument share an id.
    #[error("instrument {instrument}: subscale id {subscale} is used more than once")]
    #[non_exhaustive]
    DuplicateSubscale {
        /// The instrument id.
        instrument: String,
        /// The repeated subscale id.
        subscale: String,
    },
    /// A subscale id that is reserved (`total`) or that names a component it does not measure.
    #[error("instrument {instrument}: subscale id {subscale:?} {reason}")]
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    NonFiniteThreshold {
        /// The value given.
        value: f64,
    },
    /// Severity bands, a reliable-change amount or codes that do not fit the instrument (bounds
    /// not increasing, an amount that is not positive, a code for an unknown item, ...).
    #[error("invalid {field}: {reason}")]
    #[non_exhaustive]
    InvalidDefinition {
        /// The part of the definition: `bands`, `reliable_change`, `codes`.
        field: &'static str,
        /// What is wrong, naming the value.
        reason: String,
    },
    /// A missing-item rule that makes no sense (zero denominator, fraction above one, ...).
    #[error("invalid missing-item rule: {reason}")]
    #[non_exhaustive]
    InvalidMissingRule {
        /// What is wrong with it.
        reason: String,
    },
    /// A missing-item rule that asks for more answered items than a subscale (or the total) has.
    #[error(
        "instrument {instrument}: the missing-item rule needs {required} answered items but {target} has only {items}"
    )]
    #[non_exhaustive]
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
    #[non_exhaustive]
    NotExact {
        /// The instrument id.
        instrument: String,
        /// Subscales that may be prorated.
        subscales: usize,
    },
    /// An answer to an item the instrument does not have.
    #[error("instrument {instrument} has no item {item:?}")]
    #[non_exhaustive]
    UnknownItem {
        /// The instrument id.
        instrument: String,
        /// The unknown item id.
        item: String,
    },
    /// A second answer to the same item in one administration.
    #[error("item {item} is answered more than once")]
    #[non_exhaustive]
    DuplicateAnswer {
        /// The item id.
        item: String,
    },
    /// An answer given as text that is not a number.
    #[error("item {item}: {text:?} is not a number")]
    #[non_exhaustive]
    NotANumber {
        /// The item id.
        item: String,
        /// The text given.
        text: String,
    },
    /// NaN or an infinite answer.
    #[error("item {item}: value {} is not a finite number", Given(*value, text))]
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    InstrumentMismatch {
        /// The instrument expected (id and version).
        expected: String,
        /// The instrument found (id and version).
        found: String,
    },
    /// An instrument id that the catalog or registry does not know.
    #[error("no instrument {id:?} is registered (registered: {})", List(known))]
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    RegistryConflict {
        /// The instrument id.
        id: String,
        /// The version.
        version: String,
    },
    /// A statistic asked of fewer items than it needs.
    #[error("{target} has {items} item(s); {statistic} needs at least {needed}")]
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    ZeroVariance {
        /// The item.
        item: String,
    },
    /// A variable that takes one value in every usable row, where a statistic needs it to vary
    /// (a constant pre-post difference has no d_z, a constant variable no correlation).
    #[error("{variable} has the same value in all {rows} usable rows, so {statistic} is undefined")]
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    InvalidSeries {
        /// The offending session, if it has a number.
        session: Option<u32>,
        /// What is wrong.
        reason: String,
    },
    /// Data for a rating table that is not a complete, finite table.
    #[error("{reason}")]
    #[non_exhaustive]
    InvalidTable {
        /// What is wrong, naming the row and column.
        reason: String,
    },
    /// An option or parameter outside the values it can take (a reliability above 1, a
    /// percentage above 100, a window of 0 sessions, ...).
    #[error("{option} {value}: {reason}")]
    #[non_exhaustive]
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
    #[non_exhaustive]
    InvalidDate {
        /// The text or numbers given.
        value: String,
    },
    /// A finite value too large or too small in magnitude for the change statistics to compute
    /// with in double precision (their squares and products would overflow or lose precision):
    /// outside 1e-100 to 1e100 in absolute value, and not 0. No questionnaire score comes near.
    #[error("{what}: {} is outside the magnitudes change statistics accept (0, or 1e-100 to 1e100 in absolute value)", Num(*value))]
    #[non_exhaustive]
    ExtremeValue {
        /// Which value: `row 3, x`, `score 2`, `session 4` (never a client's id).
        what: String,
        /// The value given.
        value: f64,
    },
    /// A score in a client's series of session scores (or a treatment start or end score) that
    /// is NaN or infinite.
    #[error("{score} is {}, not a finite number", Num(*value))]
    #[non_exhaustive]
    NotFiniteScore {
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
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
    #[non_exhaustive]
    ResponseStatus {
        /// The status given.
        status: String,
    },
    /// A FHIR `QuestionnaireResponse` that answers another questionnaire (or another version)
    /// than the instrument's.
    #[error("the response answers questionnaire {found:?}, not {expected:?}")]
    #[non_exhaustive]
    QuestionnaireMismatch {
        /// The response's `questionnaire` (`url|version`), or `none`.
        found: String,
        /// The questionnaire expected.
        expected: String,
    },
    /// A response item whose `linkId` is not an item of the instrument.
    #[error("linkId {link_id:?}: instrument {instrument} has no item with this linkId")]
    #[non_exhaustive]
    UnknownLinkId {
        /// The instrument id.
        instrument: String,
        /// The `linkId`.
        link_id: String,
    },
    /// A coded answer whose code is not one of the item's answer options (and carries no
    /// score of its own).
    #[error("linkId {link_id:?}: answer code {answer_code:?}{} is not an option of the item", system.as_ref().map_or_else(String::new, |s| format!(" of system {s:?}")))]
    #[non_exhaustive]
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
    #[non_exhaustive]
    MissingAnswer {
        /// The `linkId`.
        link_id: String,
    },
    /// An answer that cannot be read as a value of the item: several answers to a question
    /// that takes one, an answer type that is not read (`valueString`), an answer without a
    /// value.
    #[error("linkId {link_id:?}: {reason}")]
    #[non_exhaustive]
    InvalidAnswer {
        /// The `linkId`.
        link_id: String,
        /// What is wrong.
        reason: String,
    },
    /// A CSV header without a column the layout needs (the id, the session, a pass-through
    /// column, a long file's item or value column).
    #[error("the header has no {role} column {column:?}")]
    #[non_exhaustive]
    MissingColumn {
        /// The column name looked for.
        column: String,
        /// What the column holds: "id", "session", "item", "value", "pass-through", ...
        role: &'static str,
    },
    /// A wide CSV header without a column for one of the instrument's items.
    #[error("the header has no column for item {item} of {instrument}")]
    #[non_exhaustive]
    NoItemColumn {
        /// The instrument id.
        instrument: String,
        /// The item without a column.
        item: String,
    },
    /// A column name given twice in a CSV header.
    #[error("column {column:?} appears twice in the header")]
    #[non_exhaustive]
    DuplicateColumn {
        /// The column name.
        column: String,
    },
    /// A column of a wide CSV file that is neither an item nor a column the layout names.
    #[error(
        "column {position} ({column:?}) is neither an item of {instrument} nor a column the layout names (id, session, therapist, date or pass-through)"
    )]
    #[non_exhaustive]
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
    #[non_exhaustive]
    ColumnConflict {
        /// The column (or field) name.
        column: String,
        /// What it clashes with.
        reason: String,
    },
    /// CSV text that is not valid UTF-8.
    #[error("the {what} is not valid UTF-8")]
    #[non_exhaustive]
    NotUtf8 {
        /// What: "cell" or "column name".
        what: &'static str,
    },
    /// A CSV row with another number of fields than the header.
    #[error("{found} fields, but the header has {expected}")]
    #[non_exhaustive]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A session cell that is not a whole number from 0 to 4294967295.
    #[error("{text:?} is not a session number (a whole number from 0 to 4294967295)")]
    #[non_exhaustive]
    InvalidSession {
        /// The text given.
        text: String,
    },
    /// In a long CSV file read as a stream, an administration's rows that are not together:
    /// its id and session reappear after another administration's rows.
    #[error(
        "the rows of this id{} are not together: they started at row {first_row} and another administration's rows came between (sort the file by id and session, or read it in any order with the buffered layout)",
        session.map_or_else(String::new, |s| format!(" and session {s}"))
    )]
    #[non_exhaustive]
    NotContiguous {
        /// The session, if the rows have one.
        session: Option<u32>,
        /// The first row of the earlier run.
        first_row: u64,
    },
    /// A wide or REDCap row that repeats an administration read before: the same id and
    /// session (REDCap: the same record, event and repeat instance).
    #[error("the same {what} as row {first_row}: an administration is given once")]
    #[non_exhaustive]
    RepeatedAdministration {
        /// What is the same: `id`, `id and session`, `record, event and repeat instance`, ...
        what: &'static str,
        /// The row the administration was first read on.
        first_row: u64,
    },
    /// A REDCap `redcap_repeat_instance` cell that is not a whole number from 1.
    #[error("{text:?} is not a REDCap repeat instance (a whole number from 1 to 4294967295)")]
    #[non_exhaustive]
    InvalidRepeatInstance {
        /// The text given.
        text: String,
    },
    // --- The session monitor (issue 13): a resumable, idempotent monitor. ---
    /// A session the monitor has seen before, sent again with other answers (a retried
    /// request must carry the same answers; a corrected session is a new series).
    #[error("session {session} was observed before with other answers")]
    #[non_exhaustive]
    SessionConflict {
        /// The session number.
        session: u32,
    },
    /// A stored session-monitor state that does not hold together or does not fit the
    /// instrument (edited by hand or damaged): totals outside the instrument's range or off
    /// its grid, sessions, scores and the rupture tracker that disagree.
    #[error("the stored monitor state is inconsistent: {reason}")]
    #[non_exhaustive]
    InvalidMonitorState {
        /// What does not hold together.
        reason: String,
    },
    // --- end of the session monitor's variants. ---
    // --- structure (confirmatory factor analysis, omega hierarchical, bootstrap) ---
    /// A factor model written in lavaan's syntax that cannot be read.
    #[error("model syntax, line {line}: {reason}")]
    #[non_exhaustive]
    ModelSyntax {
        /// The line of the model text (from 1).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A factor model whose parameters the data cannot determine: more free parameters than
    /// variances and covariances, a factor without a scale (no fixed loading or variance), a
    /// singular information matrix, or a variable the model or the data do not know.
    #[error("the model is not identified: {reason}")]
    #[non_exhaustive]
    UnidentifiedModel {
        /// Why, naming the factor, variable or parameter.
        reason: String,
    },
    /// A covariance or correlation matrix that is not positive definite where it must be.
    #[error("the {what} is not positive definite")]
    #[non_exhaustive]
    NotPositiveDefinite {
        /// Which matrix: "sample covariance matrix", ...
        what: &'static str,
    },
    /// An iterative fit that did not converge.
    #[error("{what} did not converge in {iterations} iterations")]
    #[non_exhaustive]
    NotConverged {
        /// The analysis: "the confirmatory factor analysis", "the oblimin rotation", ...
        what: &'static str,
        /// Iterations run.
        iterations: u64,
    },
    /// Data for an analysis that do not fit together (a row of another length, a column named
    /// twice, a value that is not finite).
    #[error("{reason}")]
    #[non_exhaustive]
    InvalidData {
        /// What is wrong, naming the row and column.
        reason: String,
    },
    // --- end structure ---
    /// Data that cannot be read or written (an I/O error).
    ///
    /// The message names the action only; the [`std::io::Error`] is the error's
    /// [`source`](std::error::Error::source) (print the chain to show it, as the `alliance`
    /// command does). Serialized, the source gives the fields `io_kind` (the
    /// [`std::io::ErrorKind`] in snake_case, e.g. `broken_pipe`) and `reason` (its message).
    #[error("cannot {action} the CSV data")]
    #[non_exhaustive]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The I/O error: its [`kind`](std::io::Error::kind) tells a closed pipe from a full
        /// disk.
        #[cfg_attr(feature = "serde", serde(flatten))]
        source: IoError,
    },
}

/// ` "text": ` for a quoted value, `: ` for one not shown.
struct Quoted<'a>(&'a Option<String>);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => write!(f, " \"{v}\": "),
            None => f.write_str(": "),
        }
    }
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

/// Most entries of a list an error shows (registered ids, subscales).
const SHOWN_LIST: usize = 32;
/// Most bytes of the entries of a list an error shows.
const SHOWN_LIST_BYTES: usize = 600;

/// Bounds each text of a list as [`crate::ids::escaped`] does, and the list: at most 32
/// entries and 600 bytes, a cut list ending with the entry `…`.
fn bound_list(list: &mut Vec<String>) {
    let mut bytes = 0;
    let mut keep = list.len();
    for (n, entry) in list.iter_mut().enumerate() {
        crate::ids::bound_value(entry);
        bytes += entry.len();
        if n == SHOWN_LIST || bytes > SHOWN_LIST_BYTES {
            keep = n;
            break;
        }
    }
    if keep < list.len() {
        list.truncate(keep);
        list.push("…".to_owned());
    }
}

impl ErrorKind {
    /// The kind with every text it echoes bounded: a value (an id, a cell, a name) escaped and
    /// cut as [`crate::ids::escaped`] does (at most 80 characters and 320 bytes), an
    /// explanation (a `reason`, a composed description) escaped and cut at 300 characters and
    /// 600 bytes, a list at 32 entries and 600 bytes; and a client's or therapist's invalid id not kept at
    /// all. Text within these bounds is unchanged. Every error goes through here (in
    /// `From<ErrorKind> for Error`); the match lists every variant so that a new one is bounded
    /// too.
    fn bounded(mut self) -> Self {
        if let ErrorKind::InvalidText { field, value, .. } = &mut self
            && crate::ids::is_private(field)
        {
            *value = None;
        }
        let texts = self.texts();
        texts.values.into_iter().for_each(crate::ids::bound_value);
        texts.reasons.into_iter().for_each(crate::ids::bound_reason);
        texts.lists.into_iter().for_each(bound_list);
        self
    }

    /// Every text the kind holds, by how it is bounded. The match lists every variant (no
    /// wildcard), so a new variant must say where its texts go.
    fn texts(&mut self) -> Texts<'_> {
        use ErrorKind as K;
        let mut t = Texts::default();
        match self {
            K::InvalidText {
                value: v, problem, ..
            } => {
                if let Some(v) = v {
                    t.values.push(v);
                }
                t.reasons.push(problem);
            }
            K::UnknownName { value: v, .. }
            | K::InvalidDate { value: v }
            | K::UnsupportedSchemaVersion { found: v, .. }
            | K::ResponseStatus { status: v }
            | K::NoItems { instrument: v }
            | K::DuplicateAnswer { item: v }
            | K::ZeroVariance { item: v }
            | K::MissingAnswer { link_id: v }
            | K::DuplicateColumn { column: v }
            | K::InvalidSession { text: v }
            | K::InvalidRepeatInstance { text: v } => t.values.push(v),
            K::AnchorOutOfRange { label: r, .. }
            | K::InvalidDefinition { reason: r, .. }
            | K::InvalidMissingRule { reason: r }
            | K::InvalidSeries { reason: r, .. }
            | K::InvalidMonitorState { reason: r }
            | K::InvalidTable { reason: r }
            | K::NoVariation { variable: r, .. }
            | K::ExtremeValue { what: r, .. }
            | K::MalformedDefinition { reason: r, .. }
            | K::InvalidFhir { reason: r, .. } => t.reasons.push(r),
            K::DuplicateItem {
                instrument: a,
                item: b,
            }
            | K::DuplicateSubscale {
                instrument: a,
                subscale: b,
            }
            | K::ReservedSubscaleId {
                instrument: a,
                subscale: b,
                ..
            }
            | K::EmptySubscale {
                instrument: a,
                subscale: b,
            }
            | K::TotalNeedsPartition {
                instrument: a,
                item: b,
                ..
            }
            | K::ThresholdOutOfRange {
                instrument: a,
                target: b,
                ..
            }
            | K::UnreachableMissingRule {
                instrument: a,
                target: b,
                ..
            }
            | K::UnknownItem {
                instrument: a,
                item: b,
            }
            | K::RegistryConflict { id: a, version: b }
            | K::TooFewPairs {
                first: a,
                second: b,
                ..
            }
            | K::UnknownLinkId {
                instrument: a,
                link_id: b,
            }
            | K::NoItemColumn {
                instrument: a,
                item: b,
            }
            | K::UnknownColumn {
                instrument: a,
                column: b,
                ..
            } => {
                t.values.push(a);
                t.values.push(b);
            }
            K::NotExact { instrument: v, .. }
            | K::WrongLength { instrument: v, .. }
            | K::TooFewItems { target: v, .. }
            | K::TooFewRows { target: v, .. } => t.values.push(v),
            K::SubscaleUnknownItem {
                instrument,
                subscale,
                item,
                ..
            }
            | K::SubscaleRepeatsItem {
                instrument,
                subscale,
                item,
            }
            | K::ComponentTwice {
                instrument,
                first: subscale,
                second: item,
                ..
            } => {
                t.values.push(instrument);
                t.values.push(subscale);
                t.values.push(item);
            }
            K::UnknownTarget {
                instrument,
                target,
                known,
            } => {
                t.values.push(instrument);
                t.values.push(target);
                t.lists.push(known);
            }
            K::UnknownInstrument { id, known } => {
                t.values.push(id);
                t.lists.push(known);
            }
            K::UnknownVersion { id, version, known } => {
                t.values.push(id);
                t.values.push(version);
                t.lists.push(known);
            }
            K::AmbiguousVersion { id, versions } => {
                t.values.push(id);
                t.lists.push(versions);
            }
            K::InstrumentMismatch { expected, found }
            | K::QuestionnaireMismatch { found, expected } => {
                t.reasons.push(expected);
                t.reasons.push(found);
            }
            K::DefinitionMismatch {
                id,
                version,
                found,
                registered,
            } => {
                t.values.push(id);
                t.values.push(version);
                t.values.push(found);
                t.values.push(registered);
            }
            K::NotANumber { item, text } => {
                t.values.push(item);
                t.values.push(text);
            }
            K::NotFinite { item, text, .. }
            | K::OutOfRange { item, text, .. }
            | K::OffStep { item, text, .. } => {
                t.values.push(item);
                if let Some(text) = text {
                    t.values.push(text);
                }
            }
            K::InvalidOption {
                value: v,
                reason: r,
                ..
            } => {
                t.values.push(v);
                t.reasons.push(r);
            }
            K::NotFiniteScore { score, .. } => t.reasons.push(score),
            K::UnknownAnswerCode {
                link_id,
                system,
                answer_code,
            } => {
                t.values.push(link_id);
                t.values.push(answer_code);
                if let Some(system) = system {
                    t.reasons.push(system);
                }
            }
            K::InvalidAnswer { link_id, reason: r } => {
                t.values.push(link_id);
                t.reasons.push(r);
            }
            K::MissingColumn { column, .. } => t.values.push(column),
            K::ColumnConflict { column, reason: r } => {
                t.values.push(column);
                t.reasons.push(r);
            }
            K::EmptyScale { .. }
            | K::ScaleBound { .. }
            | K::BoundTooLarge { .. }
            | K::TooManyDecimals { .. }
            | K::TooManyPoints { .. }
            | K::DuplicateAnchor { .. }
            | K::NonFiniteThreshold { .. }
            | K::NotUtf8 { .. }
            | K::FieldCount { .. }
            | K::NotContiguous { .. }
            | K::RepeatedAdministration { .. }
            | K::SessionConflict { .. }
            | K::NotPositiveDefinite { .. }
            | K::NotConverged { .. }
            | K::Io { .. } => {}
            K::ModelSyntax { reason: r, .. }
            | K::UnidentifiedModel { reason: r }
            | K::InvalidData { reason: r } => t.reasons.push(r),
        }
        t
    }
}

/// The texts of a kind, by how they are bounded.
#[derive(Default)]
struct Texts<'a> {
    /// Values: ids, cells, names.
    values: Vec<&'a mut String>,
    /// Explanations and composed descriptions.
    reasons: Vec<&'a mut String>,
    /// Lists of ids.
    lists: Vec<&'a mut Vec<String>>,
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
            K::SessionConflict { .. } => "session_conflict",
            K::InvalidMonitorState { .. } => "invalid_monitor_state",
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
            K::RepeatedAdministration { .. } => "repeated_administration",
            K::InvalidRepeatInstance { .. } => "invalid_repeat_instance",
            K::Io { .. } => "io",
            K::ModelSyntax { .. } => "model_syntax",
            K::UnidentifiedModel { .. } => "unidentified_model",
            K::NotPositiveDefinite { .. } => "not_positive_definite",
            K::NotConverged { .. } => "not_converged",
            K::InvalidData { .. } => "invalid_data",
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

/// Checks `s` under `rule`; the error names `field` ("item id", "subscale label", ...) and quotes
/// the text, except for a [private](crate::ids::is_private) field, whose text it never shows.
pub(crate) fn check_field(rule: crate::ids::TextRule, field: &'static str, s: &str) -> Result<()> {
    crate::ids::check(rule, s).map_err(|p| p.error(field, s))
}

impl crate::ids::TextProblem {
    /// The crate error for this problem in `field`. The value is quoted with every refused
    /// character written as an escape (`\u{202e}`), so neither the message nor a program
    /// showing the error's value reorders or hides text; a long value is cut short. A
    /// [private](crate::ids::is_private) field's value is not quoted at all: the problem says what is wrong
    /// and where (`it has a leading space`, `it contains the invisible character U+200B at
    /// character 2`).
    pub(crate) fn error(self, field: &'static str, value: &str) -> Error {
        if crate::ids::is_private(field) {
            return ErrorKind::InvalidText {
                field,
                value: None,
                problem: self.describe_unquoted(value),
            }
            .into();
        }
        ErrorKind::InvalidText {
            field,
            // Cut here already (the error cuts it again, to the same text) so that a huge value is
            // not copied whole.
            value: Some(crate::ids::escaped(value)),
            problem: self.describe(),
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One instance of each [`ErrorKind`] variant. The macro also writes an exhaustive `match`
    /// without a wildcard over the variants it is given, so this does not compile unless the
    /// list names every variant (a variant listed twice is an unreachable pattern, refused by
    /// `-D warnings`).
    macro_rules! every_kind {
        ($($variant:ident $fields:tt),* $(,)?) => {
            fn every_kind() -> Vec<ErrorKind> {
                fn _listed(kind: &ErrorKind) {
                    match kind {
                        $(ErrorKind::$variant { .. } => {})*
                    }
                }
                vec![$(ErrorKind::$variant $fields),*]
            }
        };
    }

    every_kind! {
        InvalidText { field: "item id", value: Some("a b".into()), problem: "has spaces".into() },
        UnknownName { what: "rater", value: "patient".into(), expected: &["client", "therapist"], hint: Some("say client") },
        EmptyScale { min: 5.0, max: 1.0 },
        ScaleBound { value: 0.15, step: 0.1 },
        BoundTooLarge { value: 1e12, max: 1e9 },
        TooManyDecimals { decimals: 9, max: 6 },
        TooManyPoints { points: 1000, max: 255 },
        AnchorOutOfRange { value: 9, label: "always".into(), min: 1, max: 5 },
        DuplicateAnchor { value: 3 },
        NoItems { instrument: "x".into() },
        DuplicateItem { instrument: "x".into(), item: "1".into() },
        DuplicateSubscale { instrument: "x".into(), subscale: "goals".into() },
        ReservedSubscaleId { instrument: "x".into(), subscale: "total".into(), reason: "is reserved" },
        EmptySubscale { instrument: "x".into(), subscale: "goals".into() },
        SubscaleUnknownItem { instrument: "x".into(), subscale: "goals".into(), item: "-A1".into(), hint: Some("a hint") },
        SubscaleRepeatsItem { instrument: "x".into(), subscale: "goals".into(), item: "1".into() },
        ComponentTwice { instrument: "x".into(), component: Component::Bond, first: "a".into(), second: "b".into() },
        TotalNeedsPartition { instrument: "x".into(), item: "1".into(), subscales: 2 },
        UnknownTarget { instrument: "x".into(), target: "tasks".into(), known: vec!["goals".into(), "total".into()] },
        ThresholdOutOfRange { instrument: "x".into(), target: "total".into(), metric: Metric::Sum, value: 99.0, min: 0.0, max: 40.0 },
        NonFiniteThreshold { value: f64::NAN },
        InvalidDefinition { field: "bands", reason: "bounds not increasing".into() },
        InvalidMissingRule { reason: "zero denominator".into() },
        UnreachableMissingRule { instrument: "x".into(), target: "goals".into(), required: 5, items: 4 },
        NotExact { instrument: "x".into(), subscales: 40 },
        UnknownItem { instrument: "x".into(), item: "13".into() },
        DuplicateAnswer { item: "4".into() },
        NotANumber { item: "4".into(), text: "often".into() },
        NotFinite { item: "4".into(), value: f64::INFINITY, text: Some("1e400".into()) },
        OutOfRange { item: "4".into(), value: 9.0, text: Some("9".into()), min: 1.0, max: 5.0 },
        OffStep { item: "4".into(), value: 2.5, text: Some("2.5".into()), step: 1.0 },
        WrongLength { instrument: "x".into(), expected: 12, found: 11 },
        InstrumentMismatch { expected: "srs 3.0".into(), found: "wai-sr 1".into() },
        UnknownInstrument { id: "wai".into(), known: vec!["srs".into()] },
        UnknownVersion { id: "srs".into(), version: "9".into(), known: vec!["3.0".into()] },
        AmbiguousVersion { id: "srs".into(), versions: vec!["2".into(), "3".into()] },
        DefinitionMismatch { id: "srs".into(), version: "3".into(), found: "ab".into(), registered: "cd".into() },
        RegistryConflict { id: "srs".into(), version: "3".into() },
        TooFewItems { target: "goals".into(), items: 1, statistic: "alpha", needed: 2 },
        TooFewRows { target: "total".into(), rows: 1, statistic: "alpha", needed: 2 },
        ZeroVariance { item: "4".into() },
        NoVariation { variable: "x".into(), rows: 9, statistic: "a correlation" },
        TooFewPairs { first: "1".into(), second: "2".into(), rows: 1 },
        InvalidSeries { session: Some(3), reason: "sessions not increasing".into() },
        InvalidTable { reason: "row 2 is short".into() },
        InvalidOption { option: "reliability", value: "1.5".into(), reason: "must be at most 1".into() },
        InvalidDate { value: "2026-02-30".into() },
        ExtremeValue { what: "row 3, x".into(), value: 1e300 },
        NotFiniteScore { score: "score 3".into(), value: f64::NAN },
        MalformedDefinition { format: "JSON", line: Some(3), column: Some(14), reason: "expected `,`".into() },
        UnsupportedSchemaVersion { found: "2".into(), supported: &[1] },
        InvalidFhir { resource: "QuestionnaireResponse", reason: "no status".into() },
        ResponseStatus { status: "in-progress".into() },
        QuestionnaireMismatch { found: "a|1".into(), expected: "b|1".into() },
        UnknownLinkId { instrument: "x".into(), link_id: "q9".into() },
        UnknownAnswerCode { link_id: "q1".into(), system: Some("http://loinc.org".into()), answer_code: "LA1".into() },
        MissingAnswer { link_id: "q1".into() },
        InvalidAnswer { link_id: "q1".into(), reason: "two answers".into() },
        MissingColumn { column: "session".into(), role: "session" },
        NoItemColumn { instrument: "x".into(), item: "4".into() },
        DuplicateColumn { column: "q".into() },
        UnknownColumn { instrument: "x".into(), column: "note".into(), position: 7 },
        ColumnConflict { column: "id".into(), reason: "is also the id column".into() },
        NotUtf8 { what: "cell" },
        FieldCount { found: 3, expected: 4 },
        InvalidSession { text: "two".into() },
        NotContiguous { session: Some(2), first_row: 3 },
        RepeatedAdministration { what: "id and session", first_row: 3 },
        InvalidRepeatInstance { text: "x".into() },
        SessionConflict { session: 4 },
        InvalidMonitorState { reason: "a total of 1000".into() },
        Io { action: "read", source: std::io::Error::from(std::io::ErrorKind::BrokenPipe).into() },
        ModelSyntax { line: 2, reason: "operator ~ is not supported".into() },
        UnidentifiedModel { reason: "24 free parameters, 21 moments".into() },
        NotPositiveDefinite { what: "sample covariance matrix" },
        NotConverged { what: "the CFA", iterations: 1000 },
        InvalidData { reason: "row 3 has 4 values, not 5".into() },
    }

    /// Keys the library may not give a kind's field: the error's own keys, and `input_id`,
    /// which the `alliance` command adds.
    #[cfg(feature = "serde")]
    const RESERVED: [&str; 4] = ["code", "message", "location", "input_id"];

    /// A JSON text checked for a key repeated in any of its objects, with the keys of its top
    /// level (`serde_json::Value` would keep the last of two equal keys without a word).
    #[cfg(feature = "serde")]
    struct UniqueKeys(Vec<String>);

    #[cfg(feature = "serde")]
    impl<'de> serde::Deserialize<'de> for UniqueKeys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = UniqueKeys;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("any JSON value")
                }
                fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<UniqueKeys, A::Error> {
                    while a.next_element::<UniqueKeys>()?.is_some() {}
                    Ok(UniqueKeys(Vec::new()))
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut a: A,
                ) -> Result<UniqueKeys, A::Error> {
                    let mut keys: Vec<String> = Vec::new();
                    while let Some(key) = a.next_key::<String>()? {
                        if keys.contains(&key) {
                            return Err(serde::de::Error::custom(format!("key {key:?} repeated")));
                        }
                        a.next_value::<UniqueKeys>()?;
                        keys.push(key);
                    }
                    Ok(UniqueKeys(keys))
                }
            }
            d.deserialize_any(Visit)
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn the_key_checker_sees_a_repeated_key_at_any_level() {
        let keys = |json: &str| serde_json::from_str::<UniqueKeys>(json).map(|k| k.0);
        assert_eq!(
            keys(r#"{"a": 1, "b": {"a": [1, {"c": null}]}}"#).ok(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert!(keys(r#"{"a": 1, "a": 2}"#).is_err());
        assert!(keys(r#"{"a": 1, "b": {"c": 1, "c": 1}}"#).is_err());
        assert!(keys(r#"[{"x": true, "y": "x", "x": 0.5}]"#).is_err());
    }

    #[test]
    fn every_kind_lists_each_variant_once() {
        let kinds = every_kind();
        let mut codes: Vec<_> = kinds.iter().map(ErrorKind::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
        for kind in &kinds {
            assert!(!kind.to_string().is_empty(), "{kind:?}");
        }
    }

    /// Every kind, located at a row, a column and a path, serializes with no key
    /// repeated at any level, its `code` (the serde tag) equal to [`Error::code`], no field of
    /// the kind under a reserved key, and the location nested under `location`.
    #[cfg(feature = "serde")]
    #[test]
    fn every_kind_serializes_without_a_repeated_key() {
        for kind in every_kind() {
            let err = Error::from(kind.clone())
                .at_row(2)
                .at_column("9")
                .at_path("/answers/9");
            let text = serde_json::to_string(&err).expect("an error serializes");
            let top = match serde_json::from_str::<UniqueKeys>(&text) {
                Ok(keys) => keys.0,
                Err(e) => panic!("{}: {e} in {text}", err.code()),
            };
            let own = serde_json::from_str::<UniqueKeys>(
                &serde_json::to_string(&kind).expect("a kind serializes"),
            )
            .expect("a kind's keys are unique")
            .0;
            assert_eq!(own.first().map(String::as_str), Some("code"), "{text}");
            for field in &own[1..] {
                assert!(!RESERVED.contains(&field.as_str()), "{field:?} in {text}");
            }
            let mut expected = own.clone();
            expected.extend(["message".to_owned(), "location".to_owned()]);
            assert_eq!(top, expected, "{text}");
            let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(v["code"], err.code(), "{text}");
            assert_eq!(v["message"], err.to_string(), "{text}");
            assert_eq!(
                v["location"],
                serde_json::json!({"row": 2, "column": "9", "path": "/answers/9"}),
                "{text}"
            );
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn an_unlocated_error_has_no_location_and_a_partial_one_only_its_keys() {
        let err = Error::from(ErrorKind::DuplicateColumn { column: "q".into() });
        let v = serde_json::to_value(&err).expect("JSON");
        assert_eq!(
            v,
            serde_json::json!({"code": "duplicate_column", "column": "q",
                "message": "column \"q\" appears twice in the header"})
        );
        let v = serde_json::to_value(err.at_row(1).at_column("q")).expect("JSON");
        assert_eq!(v["location"], serde_json::json!({"row": 1, "column": "q"}));
    }

    #[test]
    fn an_io_error_is_the_source_and_not_in_the_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = Error::from(ErrorKind::Io {
            action: "read",
            source: io.into(),
        })
        .at_row(3);
        assert_eq!(err.to_string(), "row 3: cannot read the CSV data");
        let source = std::error::Error::source(&err).expect("a source");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(io.to_string(), "no such file");
        assert_eq!(err.clone(), err);
        #[cfg(feature = "serde")]
        {
            let v = serde_json::to_value(&err).expect("JSON");
            assert_eq!(
                v,
                serde_json::json!({"code": "io", "action": "read", "io_kind": "not_found",
                    "reason": "no such file", "message": "row 3: cannot read the CSV data",
                    "location": {"row": 3}})
            );
        }
    }

    /// About 5 MB mixing ASCII, another script, a line break, an invisible and a bidirectional
    /// character.
    fn huge() -> String {
        "a\u{202e}信\n\u{200b}b".repeat(5 * 1024 * 1024 / 12)
    }

    /// Longest message and JSON an error may have, whatever its input.
    const MAX_SHOWN: usize = 2048;
    #[cfg(feature = "serde")]
    const MAX_JSON: usize = 6144;

    /// Every string in a JSON value shorter than `min` bytes, with its key.
    #[cfg(feature = "serde")]
    fn short_strings(v: &serde_json::Value, key: &str, min: usize, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.len() < min => out.push(key.to_owned()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| short_strings(v, key, min, out)),
            serde_json::Value::Object(o) => {
                o.iter().for_each(|(k, v)| short_strings(v, k, min, out))
            }
            _ => {}
        }
    }

    /// Each kind with every text it holds made 5 MB (a list: 40 texts of 100 kB), located at a
    /// 5 MB column and path: its message and its JSON stay short. Independently of
    /// [`ErrorKind::texts`], the JSON of the filled kind shows that every text was filled, so a
    /// field the bounding misses fails here.
    #[test]
    fn every_text_is_bounded() {
        let big = huge();
        let mid = big.chars().take(60_000).collect::<String>();
        assert!(mid.len() >= 100_000);
        let mut longest = 0;
        #[cfg(feature = "serde")]
        let mut longest_json = 0;
        for mut kind in every_kind() {
            let texts = kind.texts();
            for v in texts.values.into_iter().chain(texts.reasons) {
                v.clone_from(&big);
            }
            for l in texts.lists {
                *l = vec![mid.clone(); 40];
            }
            #[cfg(feature = "serde")]
            {
                // Texts a kind holds that are the crate's own (`&'static str`, enums).
                let own = |code: &str, key: &str| {
                    matches!(
                        key,
                        "code"
                            | "field"
                            | "what"
                            | "expected"
                            | "hint"
                            | "role"
                            | "statistic"
                            | "option"
                            | "resource"
                            | "format"
                            | "action"
                            | "io_kind"
                            | "component"
                            | "metric"
                    ) || (key == "reason" && matches!(code, "reserved_subscale_id" | "io"))
                };
                let v = serde_json::to_value(&kind).expect("JSON");
                let mut short = Vec::new();
                short_strings(&v, "", 100_000, &mut short);
                let code = kind.code();
                short.retain(|key| !own(code, key));
                assert!(short.is_empty(), "{code}: {short:?} not filled");
            }
            let err = Error::from(kind)
                .at_row(2)
                .at_column(big.clone())
                .at_path(big.clone());
            let shown = err.to_string();
            assert!(shown.len() <= MAX_SHOWN, "{}: {}", err.code(), shown.len());
            assert!(!shown.contains(['\n', '\u{202e}', '\u{200b}']), "{shown}");
            longest = longest.max(shown.len());
            #[cfg(feature = "serde")]
            {
                let json = serde_json::to_string(&err).expect("JSON");
                assert!(json.len() <= MAX_JSON, "{}: {}", err.code(), json.len());
                longest_json = longest_json.max(json.len());
            }
        }
        // Measured: the longest message 1747 bytes, the longest JSON 4375.
        eprintln!("longest message {longest} bytes");
        #[cfg(feature = "serde")]
        eprintln!("longest JSON {longest_json} bytes");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for kind in every_kind() {
            let before = kind.to_string();
            let err = Error::from(kind.clone());
            assert_eq!(format!("{:?}", err.kind()), format!("{kind:?}"));
            assert_eq!(err.to_string(), before);
        }
        let long = "x".repeat(80);
        let cjk = "信".repeat(80);
        for text in [&long, &cjk] {
            let err = Error::from(ErrorKind::NotANumber {
                item: text.clone(),
                text: text.clone(),
            });
            assert_eq!(err.item(), Some(text.as_str()));
        }
        let longer = Error::from(ErrorKind::DuplicateAnswer {
            item: "x".repeat(81),
        });
        assert_eq!(longer.item(), Some(format!("{long}…").as_str()));
    }

    #[test]
    fn a_long_list_is_cut() {
        let err = Error::from(ErrorKind::UnknownInstrument {
            id: "x".into(),
            known: (0..100).map(|i| i.to_string()).collect(),
        });
        let ErrorKind::UnknownInstrument { known, .. } = err.kind() else {
            panic!("{err:?}");
        };
        assert_eq!(known.len(), 33);
        assert_eq!(known.last().map(String::as_str), Some("…"));
        assert!(err.to_string().ends_with("\"30\", \"31\", \"…\")"), "{err}");
    }

    proptest::proptest! {
        /// Any text, echoed: short and plain text unchanged, anything else at most 80
        /// characters and 320 bytes (and `…`), with no control, line-break, invisible or
        /// bidirectional character left; an error built on it stays short.
        #[test]
        fn any_text_is_bounded(
            text in proptest::string::string_regex("(.|\n|\r|\u{202e}|\u{200b}|\u{e0041}|[\u{0}-\u{1f}]){0,400}")
                .expect("a regex"),
            repeat in 1usize..2000,
        ) {
            let text = text.repeat(if text.chars().count() < 10 { repeat } else { 1 });
            let mut bounded = text.clone();
            crate::ids::bound_value(&mut bounded);
            let plain = text.chars().all(|c| {
                c == ' ' || crate::ids::check(crate::ids::TextRule::Label, &c.to_string()).is_ok()
            });
            let width: usize = text.chars().map(|c| c.len_utf8().max(c.escape_debug().len())).sum();
            if plain && text.chars().count() <= 80 && width <= 320 {
                proptest::prop_assert_eq!(&bounded, &text);
            }
            proptest::prop_assert!(bounded.len() <= 323, "{}", bounded.len());
            for c in bounded.chars() {
                proptest::prop_assert!(
                    c == '…' || crate::ids::check(crate::ids::TextRule::Label, &format!("a{c}a")).is_ok(),
                    "{:?} in {:?}", c, bounded
                );
            }
            let err = Error::from(ErrorKind::UnknownAnswerCode {
                link_id: text.clone(),
                system: Some(text.clone()),
                answer_code: text.clone(),
            }).at_column(text.clone());
            proptest::prop_assert!(err.to_string().len() <= MAX_SHOWN);
        }
    }

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
