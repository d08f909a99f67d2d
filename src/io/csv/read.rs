//! The reader: administrations read from CSV one [`Row`] at a time, wide rows, long rows grouped
//! (see `group.rs`) and REDCap exports, by the column plan of the header (see `plan.rs`).

use std::collections::VecDeque;
use std::fmt;
use std::io::Read;
use std::iter::FusedIterator;

use crate::error::{Error, Errors, Result};
use crate::instruments::Instrument;
use crate::responses::Administration;

use super::group::{Buffered, Item, Seen, Stream};
use super::layout::{Format, Layout};
use super::plan::{Plan, check_names};
use super::table::Table;

/// What to do with a row that fails: stop at it, or collect it and go on.
///
/// ```
/// use therapeutic_alliance::{catalog, csv::{ErrorPolicy, Layout}};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// let text = "id,1,2,3,4\na,11,9,9,9\nb,9,9,9,9\nc,9,x,9,9\n";
/// let stop = Layout::wide().reader(text.as_bytes(), &srs)?.collect_rows(ErrorPolicy::Stop).unwrap_err();
/// assert_eq!(stop.len(), 1);
/// let all = Layout::wide().reader(text.as_bytes(), &srs)?.collect_rows(ErrorPolicy::Collect).unwrap_err();
/// assert_eq!(all.iter().map(|e| e.row()).collect::<Vec<_>>(), [Some(2), Some(4)]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ErrorPolicy {
    /// Stop at the first error (the default).
    #[default]
    Stop,
    /// Go on after a failed row, reporting every error at the end. (An error reading the input
    /// itself still ends it: nothing after it can be read.)
    Collect,
}

/// One administration read from CSV, with the line it starts on and its pass-through cells.
///
/// ```
/// use therapeutic_alliance::{catalog, csv::Layout};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let srs = catalog::require("srs")?;
/// for row in Layout::wide().keep(["site"]).reader("id,site,1,2,3,4\na,York,9,9,9,9\n".as_bytes(), &srs)? {
///     let row = row?;
///     assert_eq!((row.line(), row.kept()), (2, &["York".to_owned()][..]));
///     assert_eq!(row.administration().score().primary("total"), Some(36.0));
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub(super) line: u64,
    pub(super) administration: Administration,
    pub(super) kept: Vec<String>,
}

impl Row {
    /// A row of an administration that did not come from a file (line 0, no pass-through
    /// cells), for a writer; `Row::from(administration)` is the same.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Row, Administration};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let adm = Administration::builder(&catalog::require("srs")?).build()?;
    /// assert_eq!(Row::new(adm).line(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(administration: Administration) -> Self {
        Row {
            line: 0,
            administration,
            kept: Vec::new(),
        }
    }

    /// The same row with these pass-through cells (for a writer with pass-through columns).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Row, Administration};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let adm = Administration::builder(&catalog::require("srs")?).build()?;
    /// assert_eq!(Row::new(adm).with_kept(["York"]).kept(), ["York"]);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn with_kept<S: Into<String>>(mut self, kept: impl IntoIterator<Item = S>) -> Self {
        self.kept = kept.into_iter().map(Into::into).collect();
        self
    }

    /// The line the row starts on (for the long layout, the administration's first row),
    /// counting the header as line 1; 0 for a row not read from a file.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4\n\na,9,9,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.line()), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The administration.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4\na,9,,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.administration().answered()), Some(3));
    /// # Ok(())
    /// # }
    /// ```
    pub fn administration(&self) -> &Administration {
        &self.administration
    }

    /// The administration, by value.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let adms = Layout::wide().reader("id,1,2,3,4\na,9,9,9,9\n".as_bytes(), &srs)?
    ///     .map(|r| r.map(|r| r.into_administration()))
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(adms[0].client(), Some("a"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_administration(self) -> Administration {
        self.administration
    }

    /// The cells of the pass-through columns, as written (trimmed), in the order of
    /// [`Reader::kept_columns`].
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().keep(["note"]).reader("id,note,1,2,3,4\na,\" late, tired \",9,9,9,9\n".as_bytes(), &srs)?;
    /// assert_eq!(rows.next().transpose()?.map(|r| r.kept().to_vec()), Some(vec!["late, tired".to_owned()]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept(&self) -> &[String] {
        &self.kept
    }
}

impl From<Administration> for Row {
    fn from(administration: Administration) -> Self {
        Row::new(administration)
    }
}

/// A row that could not be read: the [`Error`] (located by row and column, never naming the
/// record's id) and, beside it, the id of the record on that row.
///
/// The id is health data, so it is kept out of the error: its message, its fields and its
/// serialized form (see [`Error`]). A program that wants to point its user at the record
/// adds it where it decides: in its own message, or as the key `input_id` beside the
/// serialized error, as the `alliance` command does. Displayed, a `RowError` is its error's
/// message; `?` turns it into the [`Error`] (dropping the id).
///
/// ```
/// use therapeutic_alliance::{catalog, csv::Layout};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let srs = catalog::require("srs")?;
/// let mut rows = Layout::wide().reader("id,1,2,3,4\nc-017,9,11,9,9\n".as_bytes(), &srs)?;
/// let err = rows.next().and_then(Result::err).ok_or("an error")?;
/// assert_eq!(err.to_string(), "row 2, column \"2\": item 2: value 11 is outside the response range 0 to 10");
/// assert_eq!(err.record_id(), Some("c-017"));
/// assert_eq!(err.error().code(), "out_of_range");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    error: Error,
    record_id: Option<String>,
}

impl RowError {
    pub(super) fn new(error: Error, record_id: Option<&str>) -> Self {
        RowError {
            error,
            record_id: record_id.map(str::to_owned),
        }
    }

    /// The error, which names the row and column but not the id.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4\nc-017,9,x,9,9\n".as_bytes(), &srs)?;
    /// let err = rows.next().and_then(Result::err).ok_or("an error")?;
    /// assert_eq!((err.error().row(), err.error().column()), (Some(2), Some("2")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error, by value (the id is dropped).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4\nc-017,9,x,9,9\n".as_bytes(), &srs)?;
    /// let err = rows.next().and_then(Result::err).ok_or("an error")?.into_error();
    /// assert_eq!(err.code(), "not_a_number");
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The id of the record on the error's row (the id cell as written, trimmed, with any
    /// invalid UTF-8 replaced by U+FFFD), if the layout has an id column and the cell is not
    /// empty; `None` for an error that is not about one row (reading the input failed). It
    /// is given even when the id itself is what is wrong with the row.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let text = "id,session,item,value\nc1,1,1,9\nc2,1,1,9\nc1,1,2,9\n";
    /// let err = Layout::long().reader(text.as_bytes(), &srs)?.find_map(Result::err).ok_or("an error")?;
    /// assert_eq!(err.error().code(), "not_contiguous");
    /// assert_eq!(err.record_id(), Some("c1"));
    /// assert!(!err.to_string().contains("c1"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn record_id(&self) -> Option<&str> {
        self.record_id.as_deref()
    }

    /// The error and the id, by value.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let srs = catalog::require("srs")?;
    /// let mut rows = Layout::wide().reader("id,1,2,3,4\np9,9,x,9,9\n".as_bytes(), &srs)?;
    /// let (err, id) = rows.next().and_then(Result::err).ok_or("an error")?.into_parts();
    /// assert_eq!((err.row(), id.as_deref()), (Some(2), Some("p9")));
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_parts(self) -> (Error, Option<String>) {
        (self.error, self.record_id)
    }
}

/// The error's message: no id.
impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

/// The error's source (an I/O error's [`std::io::Error`]).
impl std::error::Error for RowError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.error)
    }
}

impl From<RowError> for Error {
    fn from(e: RowError) -> Self {
        e.error
    }
}

impl From<RowError> for Errors {
    fn from(e: RowError) -> Self {
        Errors::from(e.error)
    }
}

/// Rows of a REDCap export that a [`Reader`] skipped (they are not errors), by reason.
///
/// ```
/// use therapeutic_alliance::csv::Skipped;
///
/// let skipped = Skipped { other_form: 1, blank: 2, not_accepted: 3 };
/// assert_eq!(skipped.total(), 6);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Skipped {
    /// Rows whose `redcap_repeat_instrument` names another form.
    pub other_form: u64,
    /// Rows whose item cells are all blank (or missing-value tokens).
    pub blank: u64,
    /// Rows whose form status is blank or not accepted.
    pub not_accepted: u64,
}

impl Skipped {
    /// All rows skipped.
    ///
    /// ```
    /// use therapeutic_alliance::csv::Skipped;
    ///
    /// assert_eq!(Skipped::default().total(), 0);
    /// ```
    pub fn total(&self) -> u64 {
        self.other_form + self.blank + self.not_accepted
    }
}

/// Reads administrations from CSV laid out as a [`Layout`] says, one [`Row`] at a time: an
/// iterator of `Result<Row, RowError>`. It holds one row (for the long layout, one
/// administration) at a time, so a file of any size is read in little memory; the
/// exceptions are [`Layout::any_order`], which holds the file, and the default check for
/// repeated administrations of wide and REDCap files, which remembers a fingerprint of each
/// ([`RepeatCheck::Every`](super::RepeatCheck::Every): up to about 100 bytes per
/// administration; [`RepeatCheck::Recent`](super::RepeatCheck::Recent) needs constant memory).
///
/// Every error names its row (the line, counting the header as line 1) and the column, never
/// the record's id, which is beside it ([`RowError::record_id`]). A bad row does not stop the
/// reader: it yields an error for each bad cell (and no row), then goes on with the next row,
/// so a caller can stop at the first error or collect them all ([`Reader::collect_rows`]).
/// An error reading the input itself ([`ErrorKind::Io`](crate::ErrorKind::Io)) is the last
/// item.
///
/// A row's errors: the answer's kinds ([`ErrorKind::NotANumber`](crate::ErrorKind::NotANumber),
/// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange), ...), an invalid client or
/// therapist id ([`ErrorKind::InvalidText`](crate::ErrorKind::InvalidText), its text not
/// shown), [`ErrorKind::InvalidSession`](crate::ErrorKind::InvalidSession),
/// [`ErrorKind::InvalidDate`](crate::ErrorKind::InvalidDate),
/// [`ErrorKind::FieldCount`](crate::ErrorKind::FieldCount),
/// [`ErrorKind::NotUtf8`](crate::ErrorKind::NotUtf8); in long files
/// [`ErrorKind::UnknownItem`](crate::ErrorKind::UnknownItem),
/// [`ErrorKind::DuplicateAnswer`](crate::ErrorKind::DuplicateAnswer) and
/// [`ErrorKind::NotContiguous`](crate::ErrorKind::NotContiguous); in wide and REDCap files
/// [`ErrorKind::RepeatedAdministration`](crate::ErrorKind::RepeatedAdministration); in REDCap
/// exports [`ErrorKind::InvalidRepeatInstance`](crate::ErrorKind::InvalidRepeatInstance) and an
/// unknown form status ([`ErrorKind::UnknownName`](crate::ErrorKind::UnknownName)).
///
/// ```
/// use therapeutic_alliance::{catalog, csv::Layout};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let wai = catalog::require("wai-sr")?;
/// let text = "id,1,2,3,4,5,6,7,8,9,10,11,12\n\
///             p01,4,4,5,3,5,4,4,3,5,4,4,4\n\
///             p02,4,4,5,3,5,4,4,3,9,4,4,4\n";
/// let mut reader = Layout::wide().reader(text.as_bytes(), &wai)?;
/// let first = reader.next().transpose()?.map(|r| r.administration().score().primary("total"));
/// assert_eq!(first, Some(Some(49.0)));
/// let err = reader.next().and_then(Result::err).ok_or("an error")?;
/// assert_eq!(err.to_string(), "row 3, column \"9\": item 9: value 9 is outside the response range 1 to 5");
/// assert!(reader.next().is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    table: Table<R>,
    instrument: Instrument,
    plan: Plan,
    mode: Mode,
    pending: VecDeque<Item>,
    skipped: Skipped,
    finished: bool,
}

#[derive(Debug)]
enum Mode {
    /// One administration per row (wide, REDCap), with those read so far.
    Rows(Seen),
    /// Long, streamed.
    Stream(Box<Stream>),
    /// Long, any order.
    Buffered(Buffered),
}

impl<R: Read> Reader<R> {
    pub(super) fn new(layout: &Layout, input: R, instrument: &Instrument) -> Result<Self> {
        let missing = layout.missing_tokens()?;
        check_names(layout)?;
        let table = Table::new(input)?;
        let plan = Plan::new(layout, &table, instrument, missing)?;
        let check = layout.repeat_check();
        let mode = match (layout.format, layout.any_order) {
            (Format::Long, false) => Mode::Stream(Box::new(Stream::new(check))),
            (Format::Long, true) => Mode::Buffered(Buffered::default()),
            _ => Mode::Rows(Seen::new(check)),
        };
        Ok(Reader {
            table,
            instrument: instrument.clone(),
            plan,
            mode,
            pending: VecDeque::new(),
            skipped: Skipped::default(),
            finished: false,
        })
    }

    /// The instrument the answers are read for.
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let reader = Layout::wide().reader("id,1,2,3,4\n".as_bytes(), &catalog::require("srs")?)?;
    /// assert_eq!(reader.instrument().id(), "srs");
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The names of the pass-through columns, in the order of [`Row::kept`] (for a REDCap
    /// export, the REDCap columns the header has come first).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "record_id,redcap_event_name,site,1,2,3,4\n";
    /// let reader = Layout::redcap("srs").any_status().keep(["site"]).reader(text.as_bytes(), &srs)?;
    /// assert_eq!(reader.kept_columns().collect::<Vec<_>>(), ["redcap_event_name", "site"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept_columns(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.plan.keep.iter().map(|k| k.name.as_str())
    }

    /// Whether the rows have session numbers (the layout's session column is in the header).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{Column, Layout}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let layout = Layout::wide().session(Column::optional("session"));
    /// assert!(!layout.reader("id,1,2,3,4\n".as_bytes(), &srs)?.has_session());
    /// # Ok(())
    /// # }
    /// ```
    pub fn has_session(&self) -> bool {
        self.plan.session.is_some()
    }

    /// Rows skipped so far (REDCap exports only: see [`Layout::redcap`]).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::Layout};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let srs = catalog::require("srs")?;
    /// let text = "record_id,redcap_repeat_instrument,1,2,3,4,srs_complete\n1,ors,,,,,\n1,,9,9,9,9,0\n";
    /// let mut reader = Layout::redcap("srs").reader(text.as_bytes(), &srs)?;
    /// assert_eq!(reader.by_ref().count(), 0);
    /// assert_eq!((reader.skipped().other_form, reader.skipped().not_accepted), (1, 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn skipped(&self) -> Skipped {
        self.skipped
    }

    /// Every row, or the errors: with [`ErrorPolicy::Stop`] the first error, with
    /// [`ErrorPolicy::Collect`] every error of every row (the good rows are then dropped; to
    /// keep them, iterate the reader instead). This holds every row in memory.
    ///
    /// # Errors
    /// [`Errors`] as the policy says, each located by row and column (the record ids, which
    /// are not in the errors, are not kept: iterate the reader for [`RowError::record_id`]).
    ///
    /// ```
    /// use therapeutic_alliance::{catalog, csv::{ErrorPolicy, Layout}};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Errors> {
    /// let srs = catalog::require("srs")?;
    /// let rows = Layout::wide().reader("id,1,2,3,4\na,9,9,9,9\n".as_bytes(), &srs)?.collect_rows(ErrorPolicy::Collect)?;
    /// assert_eq!(rows.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn collect_rows(self, policy: ErrorPolicy) -> Result<Vec<Row>, Errors> {
        let mut rows = Vec::new();
        let mut errors = Vec::new();
        for item in self {
            match item {
                Ok(row) => rows.push(row),
                Err(e) => {
                    errors.push(e.into_error());
                    if policy == ErrorPolicy::Stop {
                        break;
                    }
                }
            }
        }
        match Errors::from_vec(errors) {
            Some(errors) => Err(errors),
            None => Ok(rows),
        }
    }

    /// Reads one record (or the end), queueing what it gives.
    fn step(&mut self) {
        let Reader {
            table,
            instrument,
            plan,
            mode,
            pending,
            skipped,
            finished,
        } = self;
        match table.next_record() {
            Err(e) => {
                // What was read of an unfinished administration is not given.
                pending.push_back(Err(RowError::new(e, None)));
                *finished = true;
            }
            Ok(None) => {
                *finished = true;
                match mode {
                    Mode::Rows(_) => {}
                    Mode::Stream(stream) => {
                        if let Some(group) = stream.current.take() {
                            pending.extend(group.finish(plan));
                        }
                    }
                    Mode::Buffered(buffered) => buffered.finish(plan, pending),
                }
            }
            Ok(Some(record)) => match mode {
                Mode::Rows(seen) => {
                    if let Some(result) = plan.wide_row(instrument, &record, skipped, seen) {
                        let shown = plan.shown_id(&record);
                        pending.extend(
                            result
                                .into_iter()
                                .map(|r| r.map_err(|e| RowError::new(e, shown.as_deref()))),
                        );
                    }
                }
                Mode::Stream(stream) => stream.line(plan, instrument, &record, pending),
                Mode::Buffered(buffered) => buffered.line(plan, instrument, &record),
            },
        }
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = std::result::Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            self.step();
        }
    }
}

impl<R: Read> FusedIterator for Reader<R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::io::csv::layout::RedcapStatus;
    use crate::io::csv::map::ItemMap;
    use crate::io::csv::plan::session_number;

    fn srs() -> Instrument {
        catalog::require("srs").expect("srs is in the catalog")
    }

    /// A row as (line, client, session, answered), or an error's message.
    type Got = std::result::Result<(u64, Option<String>, Option<u32>, usize), String>;

    /// Every item of reading `text`.
    fn read(layout: &Layout, text: &str) -> Vec<Got> {
        layout
            .reader(text.as_bytes(), &srs())
            .expect("the header is good")
            .map(|r| {
                r.map(|r| {
                    let a = r.administration();
                    (
                        r.line(),
                        a.client().map(str::to_owned),
                        a.session(),
                        a.answered(),
                    )
                })
                .map_err(|e| e.to_string())
            })
            .collect()
    }

    fn header_error(layout: &Layout, text: &str) -> String {
        layout
            .reader(text.as_bytes(), &srs())
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_bad_row_reports_every_bad_cell_and_the_reader_goes_on() {
        let got = read(
            &Layout::wide(),
            "id,1,2,3,4\na,11,x,9,9\nb,9,9,9,9\nc,9,9\n",
        );
        assert_eq!(
            got,
            [
                Err(
                    "row 2, column \"1\": item 1: value 11 is outside the response range 0 to 10"
                        .to_owned()
                ),
                Err("row 2, column \"2\": item 2: \"x\" is not a number".to_owned()),
                Ok((3, Some("b".to_owned()), None, 4)),
                Err("row 4: 3 fields, but the header has 5".to_owned()),
            ]
        );
    }

    #[test]
    fn header_errors_name_the_column() {
        let wide = Layout::wide();
        assert_eq!(
            header_error(&wide, "client,1,2,3,4\n"),
            "the header has no id column \"id\""
        );
        assert_eq!(
            header_error(&wide, "id,1,2,3,4,note\n"),
            "row 1, column \"note\": column 6 (\"note\") is neither an item of srs nor a column the layout names (id, session, therapist, date or pass-through)"
        );
        assert_eq!(
            header_error(&wide, "id,1,2,3,4,2\n"),
            "row 1, column \"2\": column \"2\" appears twice in the header"
        );
        assert_eq!(
            header_error(&wide.clone().keep(["3"]), "id,1,2,3,4\n"),
            "row 1, column \"3\": column \"3\" is an item of srs; pass-through columns are not items"
        );
        assert_eq!(
            header_error(&wide.clone().session("id"), "id,1,2,3,4\n"),
            "column \"id\" is named as both the id and the session column"
        );
        assert_eq!(
            header_error(&wide.clone().keep(["site"]), "id,1,2,3,4\n"),
            "the header has no pass-through column \"site\""
        );
        let map =
            ItemMap::from_pairs([("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]).expect("map");
        assert_eq!(
            header_error(&wide.clone().items(map.clone()), "id,a,b,c\n"),
            "the header has no item column \"d\""
        );
        let five = ItemMap::from_pairs([("a", "1"), ("e", "5")]).expect("map");
        assert_eq!(
            header_error(&wide.clone().items(five), "id,e\n"),
            "row 1, column \"e\": instrument srs has no item \"5\""
        );
        assert_eq!(
            header_error(&Layout::long(), "id,session,item\n"),
            "the header has no value column \"value\""
        );
        assert_eq!(
            header_error(&Layout::long().item_column(" "), "id\n"),
            "column name \" \": the item column needs a name"
        );
    }

    #[test]
    fn sessions_dates_and_ids_are_checked_where_they_are() {
        let layout = Layout::wide()
            .session("s")
            .date("d")
            .therapist("t")
            .missing("NA");
        let got = read(
            &layout,
            "id,s,d,t,1,2,3,4\na,3.0,2026-01-05,NA,9,9,9,9\nb,3b,2026-02-30,t1,9,9,9,9\nc\u{202e},1,,t,9,9,9,9\n,NA,NA, ,,,,\n",
        );
        assert_eq!(got[0], Ok((2, Some("a".to_owned()), Some(3), 4)));
        assert_eq!(
            got[1],
            Err("row 3, column \"s\": \"3b\" is not a session number (a whole number from 0 to 4294967295)".to_owned())
        );
        // Every bad cell of the row.
        assert_eq!(
            got[2],
            Err("row 3, column \"d\": invalid date \"2026-02-30\": expected an existing calendar date written YYYY-MM-DD".to_owned())
        );
        // The id as shown in a message is escaped.
        assert_eq!(
            got[3],
            Err("row 4, column \"id\": invalid client id: it contains the bidirectional control U+202E at character 2".to_owned())
        );
        assert_eq!(got[4], Ok((5, None, None, 0)));
        assert_eq!(got.len(), 5);
        assert_eq!(session_number("4294967295"), Some(u32::MAX));
        assert_eq!(session_number("4294967296"), None);
        assert_eq!(session_number("-0"), Some(0));
        assert_eq!(session_number("2.5"), None);
    }

    #[test]
    fn long_rows_are_grouped_and_must_be_together() {
        let text = "id,session,item,value\n\
                    a,1,1,9\na,1,2,9\n\
                    b,1,1,8\n\
                    a,1,3,9\na,1,4,9\n\
                    b,2,1,x\nb,2,2,7\n\
                    b,3,9,7\nb,3,1,7\n";
        let got = read(&Layout::long(), text);
        assert_eq!(
            got,
            [
                Ok((2, Some("a".to_owned()), Some(1), 2)),
                Ok((4, Some("b".to_owned()), Some(1), 1)),
                Err("row 5, column \"id\": the rows of this id and session 1 are not together: they started at row 2 and another administration's rows came between (sort the file by id and session, or read it in any order with the buffered layout)".to_owned()),
                Err("row 7, column \"value\": item 1: \"x\" is not a number".to_owned()),
                Err("row 9, column \"item\": instrument srs has no item \"9\"".to_owned()),
            ]
        );
        let got = read(&Layout::long().any_order(true), text);
        assert_eq!(
            got,
            [
                Ok((2, Some("a".to_owned()), Some(1), 4)),
                Ok((4, Some("b".to_owned()), Some(1), 1)),
                Err("row 7, column \"value\": item 1: \"x\" is not a number".to_owned()),
                Err("row 9, column \"item\": instrument srs has no item \"9\"".to_owned()),
            ]
        );
        let got = read(&Layout::long(), "id,session,item,value\na,1,1,9\na,1,1,8\n");
        assert_eq!(
            got,
            [Err(
                "row 3, column \"item\": item 1 is answered more than once".to_owned()
            )]
        );
    }

    #[test]
    fn redcap_rows_of_other_forms_events_and_statuses_are_skipped() {
        let text = "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,1,2,3,4,srs_complete,ors_complete\n\
                    1,baseline_arm_1,,,,,,,,2\n\
                    1,week_1_arm_1,srs,1,9,9,9,9,2,\n\
                    1,week_1_arm_1,ors,1,,,,,,2\n\
                    1,week_1_arm_1,srs,2,9,9,9,9,Unverified,\n\
                    2,week_1_arm_1,srs,1,9,9,9,9,,\n\
                    2,week_1_arm_1,srs,2,9,9,9,9,5,\n";
        let mut reader = Layout::redcap("srs")
            .reader(text.as_bytes(), &srs())
            .expect("header");
        let got: Vec<_> = reader
            .by_ref()
            .map(|r| {
                r.map(|r| (r.line(), r.kept().to_vec()))
                    .map_err(|e| e.to_string())
            })
            .collect();
        assert_eq!(
            got,
            [
                Ok((3, vec!["week_1_arm_1".to_owned(), "srs".to_owned(), "1".to_owned()])),
                Err("row 7, column \"srs_complete\": unknown REDCap form status \"5\": expected 0, 1, 2, Incomplete, Unverified or Complete".to_owned()),
            ]
        );
        assert_eq!(
            reader.skipped(),
            Skipped {
                other_form: 1,
                blank: 1,
                not_accepted: 2
            }
        );
        // The repeat instance as the session: no longer passed through.
        let layout = Layout::redcap("srs")
            .session("redcap_repeat_instance")
            .accept([RedcapStatus::Complete, RedcapStatus::Unverified]);
        let mut reader = layout.reader(text.as_bytes(), &srs()).expect("header");
        assert_eq!(
            reader.kept_columns().collect::<Vec<_>>(),
            ["redcap_event_name", "redcap_repeat_instrument"]
        );
        let sessions: Vec<_> = reader
            .by_ref()
            .filter_map(|r| r.ok()?.administration().session())
            .collect();
        assert_eq!(sessions, [1, 2]);
    }

    #[test]
    fn an_io_error_ends_the_rows() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.0 += 1;
                match self.0 {
                    1 => {
                        let text = b"id,session,item,value\na,1,1,9\nb,1,1,9\nb,1,";
                        buf[..text.len()].copy_from_slice(text);
                        Ok(text.len())
                    }
                    _ => Err(std::io::Error::other("cable unplugged")),
                }
            }
        }
        let got: Vec<_> = Layout::long()
            .reader(Failing(0), &srs())
            .expect("header")
            .map(|r| r.map(|r| r.line()).map_err(|e| e.error().code()))
            .collect();
        // Row a, then the error; b's unfinished administration is not given.
        assert_eq!(got, [Ok(2), Err("io")]);
    }
}
