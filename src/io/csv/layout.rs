//! How a CSV file of answers is laid out: which column holds what.

use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};
use crate::instruments::Instrument;

use super::map::ItemMap;
use super::read::Reader;
use super::write::AnswerWriter;

/// The three layouts of answers this module reads.
///
/// ```
/// use therapeutic_alliance::csv::{Format, Layout};
///
/// assert_eq!(Layout::long().format(), Format::Long);
/// assert_eq!("redcap".parse::<Format>().map(|f| f.to_string()).ok().as_deref(), Some("redcap"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// One row per administration, one column per item.
    Wide,
    /// One row per answer: id, session, item, value.
    Long,
    /// A REDCap export: wide, one row per record, event and repeat instance, holding every
    /// form's fields.
    Redcap,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: &'static [Format] = &[Format::Wide, Format::Long, Format::Redcap];

    /// The lowercase name: `wide`, `long` or `redcap`.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Format;
    ///
    /// assert_eq!(Format::Wide.name(), "wide");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Format::Wide => "wide",
            Format::Long => "long",
            Format::Redcap => "redcap",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// `wide`, `long` or `redcap`.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownName`] for any other text.
    fn from_str(s: &str) -> Result<Self> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                ErrorKind::UnknownName {
                    what: "CSV format",
                    value: s.to_owned(),
                    expected: &["wide", "long", "redcap"],
                    hint: None,
                }
                .into()
            })
    }
}

/// A column the layout names, by its header name: required (a header without it is an error)
/// or optional (read when the header has it). A `&str` or `String` converts to a required
/// column.
///
/// ```
/// use therapeutic_alliance::csv::Column;
///
/// let column: Column = "session".into();
/// assert!(column.is_required());
/// assert!(!Column::optional("date").is_required());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    name: String,
    required: bool,
}

impl Column {
    /// A column the header must have.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Column;
    ///
    /// assert_eq!(Column::required("client").name(), "client");
    /// ```
    pub fn required(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            required: true,
        }
    }

    /// A column read when the header has it.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Column;
    ///
    /// assert_eq!(Column::optional("date").name(), "date");
    /// ```
    pub fn optional(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            required: false,
        }
    }

    /// The header name.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Column;
    ///
    /// assert_eq!(Column::from("id").name(), "id");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the header must have it.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Column;
    ///
    /// assert!(Column::from(String::from("id")).is_required());
    /// ```
    pub fn is_required(&self) -> bool {
        self.required
    }
}

impl From<&str> for Column {
    fn from(name: &str) -> Self {
        Column::required(name)
    }
}

impl From<String> for Column {
    fn from(name: String) -> Self {
        Column::required(name)
    }
}

/// How much of what was read a [`Reader`] remembers to find an administration given twice:
/// the same id and session twice in a wide file ([`ErrorKind::RepeatedAdministration`]), the
/// same record, event and repeat instance twice in a REDCap export (the same), the rows of one
/// id and session apart in a long file read as a stream ([`ErrorKind::NotContiguous`]). Set it
/// with [`Layout::repeats`].
///
/// Rows without an id are not compared. The first reading of an administration is given; the
/// repeat is the error (in a long file, with every row of its run).
///
/// ```
/// use therapeutic_alliance::{catalog, csv::{Layout, RepeatCheck}};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let text = "id,session,1,2,3,4\na,1,9,9,9,9\nb,1,9,9,9,9\nc,1,9,9,9,9\na,1,5,5,5,5\n";
/// let layout = Layout::wide().session("session");
/// let every: Vec<_> = layout.reader(text.as_bytes(), &srs)?.map(|r| r.err().map(|e| e.error().code())).collect();
/// assert_eq!(every, [None, None, None, Some("repeated_administration")]);
/// // Only the two administrations before each one: `a` four rows apart is not seen.
/// let recent = layout.repeats(RepeatCheck::Recent).reader(text.as_bytes(), &srs)?;
/// assert_eq!(recent.filter(Result::is_err).count(), 0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RepeatCheck {
    /// Compare each administration with the two read before it, in memory that does not
    /// grow with the file (two 128-bit fingerprints): a long file of 1,000,000 rows and
    /// 250,000 administrations is read and scored in 3.3 MB (peak resident memory of the
    /// whole process, release build). Found: a wide or REDCap row that
    /// repeats one of the two administrations before it; a long file's administration whose
    /// rows come back right after one other administration's rows (`a a b a`). Not found: a
    /// repeat farther away (`a b c a`), which is then read as a second administration with the
    /// same id and session. The default for long files read as a stream, so that a file of
    /// any size fits.
    Recent,
    /// Compare each administration with every one read before: a 128-bit fingerprint of its
    /// id and session (REDCap: record, event and repeat instance) and its first row for each
    /// administration, in a hash table that doubles as it grows: up to about 100 bytes per
    /// administration at the peak of a growth (measured: 28.6 MB peak for a long file of
    /// 250,000 administrations, against 3.3 MB with [`RepeatCheck::Recent`]). Every repeat is
    /// found. The default for wide and REDCap files.
    Every,
}

/// A REDCap form's status, its `<form>_complete` field: 0 Incomplete, 1 Unverified, 2 Complete.
/// Read from the code or the label (any case), as REDCap exports either.
///
/// ```
/// use therapeutic_alliance::csv::RedcapStatus;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// assert_eq!("2".parse::<RedcapStatus>()?, RedcapStatus::Complete);
/// assert_eq!("unverified".parse::<RedcapStatus>()?.code(), 1);
/// assert_eq!("3".parse::<RedcapStatus>().unwrap_err().code(), "unknown_name");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RedcapStatus {
    /// 0: data entry started, not finished.
    Incomplete,
    /// 1: entered, awaiting verification.
    Unverified,
    /// 2: complete (a finished survey is marked complete).
    Complete,
}

impl RedcapStatus {
    /// Every status, by code.
    pub const ALL: &'static [RedcapStatus] = &[
        RedcapStatus::Incomplete,
        RedcapStatus::Unverified,
        RedcapStatus::Complete,
    ];

    /// REDCap's code: 0, 1 or 2.
    ///
    /// ```
    /// use therapeutic_alliance::csv::RedcapStatus;
    ///
    /// assert_eq!(RedcapStatus::Complete.code(), 2);
    /// ```
    pub fn code(self) -> u8 {
        match self {
            RedcapStatus::Incomplete => 0,
            RedcapStatus::Unverified => 1,
            RedcapStatus::Complete => 2,
        }
    }

    /// REDCap's label: `Incomplete`, `Unverified` or `Complete`.
    ///
    /// ```
    /// use therapeutic_alliance::csv::RedcapStatus;
    ///
    /// assert_eq!(RedcapStatus::Unverified.label(), "Unverified");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            RedcapStatus::Incomplete => "Incomplete",
            RedcapStatus::Unverified => "Unverified",
            RedcapStatus::Complete => "Complete",
        }
    }
}

impl fmt::Display for RedcapStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for RedcapStatus {
    type Err = Error;

    /// `0`, `1` or `2`, or the label in any case.
    ///
    /// # Errors
    /// [`ErrorKind::UnknownName`] for any other text.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        RedcapStatus::ALL
            .iter()
            .copied()
            .find(|st| s == st.code().to_string() || s.eq_ignore_ascii_case(st.label()))
            .ok_or_else(|| {
                ErrorKind::UnknownName {
                    what: "REDCap form status",
                    value: s.to_owned(),
                    expected: &["0", "1", "2", "Incomplete", "Unverified", "Complete"],
                    hint: None,
                }
                .into()
            })
    }
}

/// How a CSV file of answers is laid out: its [`Format`], which columns hold the id (the
/// client's), the session, the therapist and the date, which columns pass through, which
/// column holds which item, and which cells mean "no answer". A layout makes a [`Reader`] of
/// [`Row`](super::Row)s and an [`AnswerWriter`].
///
/// - [`Layout::wide`]: one row per administration; an `id` column; each other column an item,
///   named by item id (or through an [`ItemMap`]); any other column is an error unless named
///   as a pass-through column ([`Layout::keep`]) or [`Layout::ignore_other_columns`] is set.
/// - [`Layout::long`]: one row per answer, with `id`, `session`, `item` and `value` columns.
///   Read as a stream, the rows of one administration (one id and session) must come together;
///   see [`Layout::any_order`] for files that interleave them.
/// - [`Layout::redcap`]: a REDCap export of one form's fields; see there.
///
/// Cells are trimmed. An empty cell is always missing (no answer, no session, no date); so is a
/// cell equal to a token given to [`Layout::missing`] (e.g. `NA`), in answer, session, therapist
/// and date cells (not in id or pass-through cells, which are kept as written).
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::csv::Layout;
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let text = "client,visit,1,2,3,4\nc1,1,9,9,9,NA\nc1,2,9.5,9,9,9\n";
/// let layout = Layout::wide().id("client").session("visit").missing("NA");
/// let totals = layout
///     .reader(text.as_bytes(), &srs)?
///     .map(|row| Ok(row?.administration().score().primary("total")))
///     .collect::<Result<Vec<_>, therapeutic_alliance::Error>>()?;
/// // The SRS's four lines are its subscales: with one left blank there is no total.
/// assert_eq!(totals, [None, Some(36.5)]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub(super) format: Format,
    pub(super) id: Option<Column>,
    pub(super) session: Option<Column>,
    pub(super) therapist: Option<Column>,
    pub(super) date: Option<Column>,
    pub(super) keep: Vec<String>,
    pub(super) items: Option<ItemMap>,
    pub(super) missing: Vec<String>,
    pub(super) ignore_other: bool,
    pub(super) item_column: String,
    pub(super) value_column: String,
    pub(super) any_order: bool,
    pub(super) write_unanswered: bool,
    pub(super) form: String,
    pub(super) accept: Vec<RedcapStatus>,
    pub(super) check_status: bool,
    pub(super) repeats: Option<RepeatCheck>,
}

impl Layout {
    fn of(format: Format) -> Self {
        Layout {
            format,
            id: Some(Column::required("id")),
            session: None,
            therapist: None,
            date: None,
            keep: Vec::new(),
            items: None,
            missing: Vec::new(),
            ignore_other: false,
            item_column: "item".to_owned(),
            value_column: "value".to_owned(),
            any_order: false,
            write_unanswered: true,
            form: String::new(),
            accept: vec![RedcapStatus::Complete],
            check_status: true,
            repeats: None,
        }
    }

    /// The repeat check in force: the one set, or the format's default.
    pub(super) fn repeat_check(&self) -> RepeatCheck {
        self.repeats.unwrap_or(match self.format {
            Format::Long => RepeatCheck::Recent,
            _ => RepeatCheck::Every,
        })
    }

    /// One row per administration, one column per item: an `id` column (the client's id) and
    /// item columns named by item id; no session, therapist or date column until named.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let arm = catalog::require("arm-5")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4,5\np1,7,6,2,7,7\n".as_bytes(), &arm)?;
    /// let row = rows.next().ok_or("no row")??;
    /// assert_eq!((row.line(), row.administration().client()), (2, Some("p1")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn wide() -> Self {
        Layout::of(Format::Wide)
    }

    /// One row per answer: `id`, `session`, `item` and `value` columns (rename them with
    /// [`Layout::id`], [`Layout::session`], [`Layout::item_column`] and
    /// [`Layout::value_column`]); the rows of one id and session make one administration. An
    /// empty value is an unanswered item.
    ///
    /// Read as a stream (the default), the rows of one administration must be together, as
    /// they are in a file sorted by id and session: the reader holds one administration at a
    /// time, in memory that does not grow with the file. An id and session that come back
    /// right after one other administration's rows are an error
    /// ([`ErrorKind::NotContiguous`]) naming the row where they first began; one that comes
    /// back later is not seen, and is read as a second administration with the same id and
    /// session ([`RepeatCheck::Recent`]). `.repeats(RepeatCheck::Every)` finds every return,
    /// remembering a fingerprint of every administration (up to about 100 bytes each).
    /// [`Layout::any_order`] reads files in any order instead, holding the whole file.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,session,item,value\nc1,1,1,9\nc1,1,2,9\nc1,1,3,9\nc1,1,4,9\nc1,2,1,5\n";
    /// let rows: Vec<_> = Layout::long().reader(text.as_bytes(), &srs)?.collect::<Result<_, _>>()?;
    /// assert_eq!(rows.len(), 2);
    /// assert_eq!(rows[1].administration().session(), Some(2));
    /// assert_eq!(rows[1].administration().answered(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn long() -> Self {
        Layout {
            session: Some(Column::required("session")),
            ..Layout::of(Format::Long)
        }
    }

    /// A REDCap export (the "CSV / Microsoft Excel (raw data)" export, or labels) of the form
    /// named `form` (REDCap's instrument name, such as `wai_sr`).
    ///
    /// - The id is `record_id` (rename it with [`Layout::id`] if the project's first field
    ///   has another name).
    /// - `redcap_event_name`, `redcap_repeat_instrument` and `redcap_repeat_instance`, where
    ///   the header has them, pass through (before any [`Layout::keep`] columns) unless named
    ///   for another role (e.g. `.session("redcap_repeat_instance")`).
    /// - Columns map to items through an [`ItemMap`] of field names (REDCap field names cannot
    ///   be numbers); without one, a field named like an item id holds that item. Other
    ///   columns (other forms' fields) are ignored.
    /// - Rows are skipped, not errors, when their `redcap_repeat_instrument` names another
    ///   form, when every item cell is blank (a form not on that event, or another form's
    ///   repeat), or when the `<form>_complete` status is blank or not accepted. By default
    ///   only **Complete** (2) is accepted: an Incomplete form is unfinished and an
    ///   Unverified one awaits checking, and a score from either could be wrong without
    ///   warning. Accept more with [`Layout::accept`], or read forms without a status column
    ///   with [`Layout::any_status`]. [`Reader::skipped`] counts the rows skipped for each
    ///   reason.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{ItemMap, Layout, RedcapStatus}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let map = ItemMap::from_pairs((1..=4).map(|i| (format!("srs_{i}"), i.to_string())))?;
    /// let text = "record_id,redcap_event_name,age,srs_1,srs_2,srs_3,srs_4,srs_complete\n\
    ///             1,baseline_arm_1,34,,,,,\n\
    ///             1,week_1_arm_1,,9,9,9,9,2\n\
    ///             2,week_1_arm_1,,8,8,8,8,1\n";
    /// let layout = Layout::redcap("srs").items(map);
    /// let mut reader = layout.reader(text.as_bytes(), &srs)?;
    /// let rows: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
    /// assert_eq!(rows.len(), 1);
    /// assert_eq!(rows[0].kept(), ["week_1_arm_1"]);
    /// assert_eq!((reader.skipped().blank, reader.skipped().not_accepted), (1, 1));
    /// // Unverified too:
    /// let layout = layout.accept([RedcapStatus::Complete, RedcapStatus::Unverified]);
    /// assert_eq!(layout.reader(text.as_bytes(), &srs)?.count(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn redcap(form: impl Into<String>) -> Self {
        Layout {
            id: Some(Column::required("record_id")),
            ignore_other: true,
            form: form.into(),
            ..Layout::of(Format::Redcap)
        }
    }

    /// The format.
    ///
    /// ```
    /// use therapeutic_alliance::csv::{Format, Layout};
    ///
    /// assert_eq!(Layout::redcap("wai_sr").format(), Format::Redcap);
    /// ```
    pub fn format(&self) -> Format {
        self.format
    }

    /// The column holding the id of the client (the record), which becomes the
    /// administration's client id: `id` by default (`record_id` for REDCap). An empty cell is
    /// no id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Column, Layout}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::wide().id(Column::optional("client"));
    /// assert_eq!(layout.reader("1,2,3,4\n9,9,9,9\n".as_bytes(), &srs)?.count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn id(mut self, column: impl Into<Column>) -> Self {
        self.id = Some(column.into());
        self
    }

    /// No id column: administrations without a client id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// assert_eq!(Layout::wide().no_id().reader("1,2,3,4\n".as_bytes(), &srs)?.count(), 0);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn no_id(mut self) -> Self {
        self.id = None;
        self
    }

    /// The column holding the session number: a whole number from 0 (`3` or `3.0`). None by
    /// default (`session` for the long layout, where the id and session make the key of an
    /// administration).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().session("week").reader("id,week,1,2,3,4\na,4.0,9,9,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.and_then(|r| r.administration().session()), Some(4));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session(mut self, column: impl Into<Column>) -> Self {
        self.session = Some(column.into());
        self
    }

    /// No session column (for the long layout: administrations keyed by id alone).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,item,value\na,1,9\na,2,9\nb,1,8\n";
    /// assert_eq!(Layout::long().no_session().reader(text.as_bytes(), &srs)?.count(), 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn no_session(mut self) -> Self {
        self.session = None;
        self
    }

    /// The column holding the therapist's id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().therapist("t").reader("id,t,1,2,3,4\na,t-1,9,9,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.and_then(|r| r.administration().therapist().map(str::to_owned)).as_deref(), Some("t-1"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn therapist(mut self, column: impl Into<Column>) -> Self {
        self.therapist = Some(column.into());
        self
    }

    /// The column holding the session's date, written `YYYY-MM-DD`.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Column, Layout}};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::wide().date(Column::optional("date"));
    /// let mut rows = layout.reader("id,date,1,2,3,4\na,2026-02-30,9,9,9,9\n".as_bytes(), &srs)?;
    /// let err = rows.next().and_then(Result::err).ok_or("an error")?.into_error();
    /// assert_eq!((err.row(), err.column(), err.code()), (Some(2), Some("date"), "invalid_date"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn date(mut self, column: impl Into<Column>) -> Self {
        self.date = Some(column.into());
        self
    }

    /// Pass-through columns, in the order they are kept and written back (replacing any named
    /// before): each row's cells, as written, are in [`Row::kept`](super::Row::kept). For the
    /// long layout they are taken from each administration's first row.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().keep(["site", "arm"]).reader("arm,id,site,1,2,3,4\nB,a,Leeds,9,9,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.kept().to_vec()), Some(vec!["Leeds".to_owned(), "B".to_owned()]));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn keep<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.keep = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Which column (or, in the long layout, which item cell) holds which item. Without a map
    /// the header name (the item cell) is the item id; with one, the map decides.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{ItemMap, Layout}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let map = ItemMap::from_pairs([("goals", "2"), ("overall", "4"), ("bond", "1"), ("approach", "3")])?;
    /// let mut rows = Layout::wide().items(map).reader("id,bond,goals,approach,overall\na,9,8,7,6\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.administration().value("2")), Some(Some(8.0)));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn items(mut self, map: ItemMap) -> Self {
        self.items = Some(map);
        self
    }

    /// Adds a token that means "no answer" (as an empty cell does), such as `NA` as R writes
    /// it, or a REDCap missing-data code; compared with the trimmed cell, case-sensitively.
    /// A reader refuses an empty token.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::wide().missing("NA").missing("-99");
    /// let mut rows = layout.reader("id,1,2,3,4\na,9,NA,-99,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.administration().answered()), Some(2));
    /// assert_eq!(Layout::wide().missing(" ").reader("id\n".as_bytes(), &srs).unwrap_err().code(), "invalid_option");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn missing(mut self, token: impl Into<String>) -> Self {
        self.missing.push(token.into());
        self
    }

    /// Whether columns that are neither items nor named by the layout are ignored (`true`) or
    /// an error naming the column (`false`, the default, except for REDCap exports).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,age,1,2,3,4\n";
    /// assert_eq!(Layout::wide().reader(text.as_bytes(), &srs).unwrap_err().code(), "unknown_column");
    /// assert!(Layout::wide().ignore_other_columns(true).reader(text.as_bytes(), &srs).is_ok());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn ignore_other_columns(mut self, ignore: bool) -> Self {
        self.ignore_other = ignore;
        self
    }

    /// The long layout's column of item ids (`item` by default).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::long().item_column("question").value_column("answer");
    /// assert_eq!(layout.reader("id,session,question,answer\na,1,1,9\n".as_bytes(), &srs)?.count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn item_column(mut self, name: impl Into<String>) -> Self {
        self.item_column = name.into();
        self
    }

    /// The long layout's column of answers (`value` by default).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let err = Layout::long().value_column("answer").reader("id,session,item,value\n".as_bytes(), &srs).unwrap_err();
    /// assert_eq!(err.to_string(), "the header has no value column \"answer\"");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn value_column(mut self, name: impl Into<String>) -> Self {
        self.value_column = name.into();
        self
    }

    /// For the long layout: read rows in any order (`true`), grouping them by id and session
    /// in the order each administration first appears. The reader then reads the whole file
    /// before giving its first row, holding every answer in memory; the default (`false`)
    /// streams, holding one administration.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,session,item,value\na,1,1,9\nb,1,1,8\na,1,2,9\n";
    /// let streamed: Vec<_> = Layout::long().reader(text.as_bytes(), &srs)?.collect();
    /// assert_eq!(streamed[2].as_ref().map_err(|e| e.error().code()).err(), Some("not_contiguous"));
    /// let rows = Layout::long().any_order(true).reader(text.as_bytes(), &srs)?.collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(rows[0].administration().answered(), 2);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn any_order(mut self, any_order: bool) -> Self {
        self.any_order = any_order;
        self
    }

    /// How much the reader remembers to find an administration given twice (see
    /// [`RepeatCheck`]): by default every administration of a wide or REDCap file
    /// ([`RepeatCheck::Every`], memory growing with the number of administrations) and the
    /// two most recent of a long file read as a stream ([`RepeatCheck::Recent`], constant
    /// memory). A long file read in any order ([`Layout::any_order`]) merges the rows of an id
    /// and session wherever they are, so this does not apply to it.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Layout, RepeatCheck}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,session,item,value\na,1,1,9\nb,1,1,9\nc,1,1,9\na,1,2,9\n";
    /// let recent = Layout::long().reader(text.as_bytes(), &srs)?;
    /// assert_eq!(recent.filter(Result::is_err).count(), 0); // read as two administrations of a
    /// let every = Layout::long().repeats(RepeatCheck::Every).reader(text.as_bytes(), &srs)?;
    /// let codes: Vec<_> = every.filter_map(|r| Some(r.err()?.error().code())).collect();
    /// assert_eq!(codes, ["not_contiguous"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn repeats(mut self, check: RepeatCheck) -> Self {
        self.repeats = Some(check);
        self
    }

    /// For writing the long layout: whether an unanswered item gets a row with an empty value
    /// (`true`, the default, so that an administration with no answers still has rows and
    /// reads back as it was written) or no row.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Layout, Row}, Administration};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let adm = Administration::builder(&srs).client("a").session(1).answer("1", 9)?.build()?;
    /// let mut out = Layout::long().write_unanswered(false).writer(Vec::new(), &srs)?;
    /// out.write(&Row::from(adm))?;
    /// assert_eq!(String::from_utf8_lossy(&out.finish()?), "id,session,item,value\na,1,1,9\n");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn write_unanswered(mut self, write: bool) -> Self {
        self.write_unanswered = write;
        self
    }

    /// For REDCap exports: the form statuses whose rows are read (by default only
    /// [`RedcapStatus::Complete`]); rows with another status, or none, are skipped.
    ///
    /// ```
    /// use therapeutic_alliance::csv::{Layout, RedcapStatus};
    ///
    /// let layout = Layout::redcap("srs").accept(RedcapStatus::ALL.iter().copied());
    /// # let _ = layout;
    /// ```
    #[must_use]
    pub fn accept(mut self, statuses: impl IntoIterator<Item = RedcapStatus>) -> Self {
        self.accept = statuses.into_iter().collect();
        self.check_status = true;
        self
    }

    /// For REDCap exports: read every row whatever its form status, and need no
    /// `<form>_complete` column.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "record_id,1,2,3,4\n1,9,9,9,9\n";
    /// assert_eq!(Layout::redcap("srs").reader(text.as_bytes(), &srs).unwrap_err().to_string(),
    ///            "the header has no REDCap form status column \"srs_complete\"");
    /// assert_eq!(Layout::redcap("srs").any_status().reader(text.as_bytes(), &srs)?.count(), 1);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn any_status(mut self) -> Self {
        self.check_status = false;
        self
    }

    /// A reader of `input` laid out this way, for answers to `instrument`: it reads the header
    /// now and the rows as it is iterated.
    ///
    /// # Errors
    /// The header's errors, each naming the column: [`ErrorKind::MissingColumn`] for a
    /// required column the header lacks, [`ErrorKind::NoItemColumn`] for an item without a
    /// column (wide and REDCap), [`ErrorKind::DuplicateColumn`],
    /// [`ErrorKind::UnknownColumn`] (unless other columns are ignored),
    /// [`ErrorKind::ColumnConflict`] for a column named for two roles or a pass-through column
    /// that is an item, [`ErrorKind::UnknownItem`] for a mapped column whose item the
    /// instrument lacks; [`ErrorKind::InvalidOption`] for an empty missing-value token or
    /// column name; [`ErrorKind::Io`] and [`ErrorKind::NotUtf8`] from reading the header.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = catalog::require("wai-sr")?;
    /// let err = Layout::wide().reader("id,1,2,3,4,5,6,7,8,9,10,11\n".as_bytes(), &wai).unwrap_err();
    /// assert_eq!(err.to_string(), "the header has no column for item 12 of wai-sr");
    /// # Ok(())
    /// # }
    /// ```
    pub fn reader<R: Read>(&self, input: R, instrument: &Instrument) -> Result<Reader<R>> {
        Reader::new(self, input, instrument)
    }

    /// A writer of answers to `instrument` laid out this way (wide or long) onto `output`; it
    /// writes the header now. Its columns are the layout's id, session, therapist and date
    /// columns (those named, required or optional), the pass-through columns, and the items:
    /// one column per item (wide, named through the [`ItemMap`] if there is one), or an item
    /// and a value column (long).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOption`] for the REDCap layout (write a wide layout with the id
    /// `record_id` instead), or a column named twice; [`ErrorKind::Io`] if the header cannot
    /// be written.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let out = Layout::wide().session("session").writer(Vec::new(), &srs)?.finish()?;
    /// assert_eq!(out, b"id,session,1,2,3,4\n");
    /// # Ok(())
    /// # }
    /// ```
    pub fn writer<W: Write>(&self, output: W, instrument: &Instrument) -> Result<AnswerWriter<W>> {
        AnswerWriter::new(self, output, instrument)
    }

    /// The missing-value tokens, trimmed; an error for an empty one.
    pub(super) fn missing_tokens(&self) -> Result<Vec<String>> {
        self.missing
            .iter()
            .map(|t| {
                let token = t.trim();
                if token.is_empty() {
                    Err(ErrorKind::InvalidOption {
                        option: "missing-value token",
                        value: format!("{t:?}"),
                        reason: "must not be empty (empty cells are missing already)".to_owned(),
                    }
                    .into())
                } else {
                    Ok(token.to_owned())
                }
            })
            .collect()
    }

    /// The named columns with their roles, in a fixed order: id, session, therapist, date.
    pub(super) fn roles(&self) -> [(&'static str, Option<&Column>); 4] {
        [
            ("id", self.id.as_ref()),
            ("session", self.session.as_ref()),
            ("therapist", self.therapist.as_ref()),
            ("date", self.date.as_ref()),
        ]
    }
}
