//! Reading administrations from CSV: wide rows, long rows grouped, REDCap exports.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::iter::FusedIterator;

use crate::error::{Error, ErrorKind, Errors, Result};
use crate::instruments::Instrument;
use crate::responses::{Administration, AdministrationBuilder, Date};

use super::layout::{Column, Format, Layout, RedcapStatus};
use super::map::ItemMap;
use super::table::{Record, Table};

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
    line: u64,
    administration: Administration,
    kept: Vec<String>,
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
/// iterator of `Result<Row>`. It holds one row (for the long layout, one administration)
/// at a time, so a file of any size is read in little memory; [`Layout::any_order`] is the
/// exception.
///
/// Every error names its row (the line, counting the header as line 1), the record's id when
/// the row has one, and the column. A bad row does not stop the reader: it yields an error for
/// each bad cell (and no row), then goes on with the next row, so a caller can stop at the
/// first error or collect them all ([`Reader::collect_rows`]). An error reading the input
/// itself ([`ErrorKind::Io`]) is the last item.
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
/// assert_eq!(err.to_string(), "row 3 (id \"p02\"), column \"9\": item 9: value 9 is outside the response range 1 to 5");
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
    pending: VecDeque<Result<Row>>,
    skipped: Skipped,
    finished: bool,
}

/// A column found in the header: its position and name.
#[derive(Debug, Clone)]
struct Named {
    at: usize,
    name: String,
}

/// Where everything is in the header.
#[derive(Debug)]
struct Plan {
    format: Format,
    id: Option<Named>,
    session: Option<Named>,
    therapist: Option<Named>,
    date: Option<Named>,
    keep: Vec<Named>,
    missing: Vec<String>,
    /// Wide and REDCap: (column, item index, column name).
    items: Vec<(usize, usize, String)>,
    /// Long: the item and value columns and the map of item cells.
    item: Option<Named>,
    value: Option<Named>,
    map: Option<ItemMap>,
    /// REDCap: the status and repeat-instrument columns, the form and the statuses accepted.
    status: Option<Named>,
    repeat: Option<Named>,
    form: String,
    accept: Vec<RedcapStatus>,
}

#[derive(Debug)]
enum Mode {
    /// One administration per row (wide, REDCap).
    Rows,
    /// Long, streamed.
    Stream(Stream),
    /// Long, any order.
    Buffered(Buffered),
}

impl<R: Read> Reader<R> {
    pub(super) fn new(layout: &Layout, input: R, instrument: &Instrument) -> Result<Self> {
        let missing = layout.missing_tokens()?;
        check_names(layout)?;
        let table = Table::new(input)?;
        let plan = Plan::new(layout, &table, instrument, missing)?;
        let mode = match (layout.format, layout.any_order) {
            (Format::Long, false) => Mode::Stream(Stream::default()),
            (Format::Long, true) => Mode::Buffered(Buffered::default()),
            _ => Mode::Rows,
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
    /// [`Errors`] as the policy says, each located by row, id and column.
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
                    errors.push(e);
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
                pending.push_back(Err(e));
                *finished = true;
            }
            Ok(None) => {
                *finished = true;
                match mode {
                    Mode::Rows => {}
                    Mode::Stream(stream) => {
                        if let Some(group) = stream.current.take() {
                            pending.extend(group.finish(plan));
                        }
                    }
                    Mode::Buffered(buffered) => buffered.finish(plan, pending),
                }
            }
            Ok(Some(record)) => match mode {
                Mode::Rows => {
                    if let Some(result) = plan.wide_row(instrument, &record, skipped) {
                        pending.extend(result);
                    }
                }
                Mode::Stream(stream) => stream.line(plan, instrument, &record, pending),
                Mode::Buffered(buffered) => buffered.line(plan, instrument, &record),
            },
        }
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
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

/// Column names are not empty, and no column is named for two roles.
fn check_names(layout: &Layout) -> Result<()> {
    let mut named: Vec<(&str, &str)> = layout
        .roles()
        .into_iter()
        .filter_map(|(role, c)| c.map(|c| (role, c.name())))
        .collect();
    named.extend(layout.keep.iter().map(|k| ("pass-through", k.as_str())));
    if layout.format == Format::Long {
        named.push(("item", layout.item_column.as_str()));
        named.push(("value", layout.value_column.as_str()));
    }
    for (i, &(role, name)) in named.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(ErrorKind::InvalidOption {
                option: "column name",
                value: format!("{name:?}"),
                reason: format!("the {role} column needs a name"),
            }
            .into());
        }
        if let Some((other, _)) = named.iter().take(i).find(|(_, n)| *n == name) {
            let reason = if *other == role {
                format!("is named twice as a {role} column")
            } else {
                format!("is named as both the {other} and the {role} column")
            };
            return Err(ErrorKind::ColumnConflict {
                column: name.to_owned(),
                reason,
            }
            .into());
        }
    }
    Ok(())
}

/// The REDCap columns passed through when the header has them.
const REDCAP_KEPT: [&str; 3] = [
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
];

impl Plan {
    fn new<R: Read>(
        layout: &Layout,
        table: &Table<R>,
        instrument: &Instrument,
        missing: Vec<String>,
    ) -> Result<Self> {
        let line = table.header_line();
        let header = table.header();
        let find = |column: &Column, role: &'static str| -> Result<Option<Named>> {
            match table.position(column.name())? {
                Some(at) => Ok(Some(Named {
                    at,
                    name: column.name().to_owned(),
                })),
                None if column.is_required() => Err(ErrorKind::MissingColumn {
                    column: column.name().to_owned(),
                    role,
                }
                .into()),
                None => Ok(None),
            }
        };
        let find_role = |column: &Option<Column>, role| match column {
            Some(c) => find(c, role),
            None => Ok(None),
        };
        let id = find_role(&layout.id, "id")?;
        let session = find_role(&layout.session, "session")?;
        let therapist = find_role(&layout.therapist, "therapist")?;
        let date = find_role(&layout.date, "date")?;
        let mut used: Vec<usize> = [&id, &session, &therapist, &date]
            .into_iter()
            .flatten()
            .map(|n| n.at)
            .collect();

        let mut keep = Vec::new();
        let (mut status, mut repeat) = (None, None);
        if layout.format == Format::Redcap {
            if layout.check_status {
                let name = format!("{}_complete", layout.form);
                status = find(&Column::required(name), "REDCap form status")?;
            }
            for name in REDCAP_KEPT {
                let named = find(&Column::optional(name), "REDCap")?;
                if let Some(named) = named {
                    if name == "redcap_repeat_instrument" {
                        repeat = Some(named.clone());
                    }
                    if !used.contains(&named.at) && !layout.keep.iter().any(|k| k == name) {
                        keep.push(named);
                    }
                }
            }
        }
        for name in &layout.keep {
            let Some(named) = find(&Column::required(name.as_str()), "pass-through")? else {
                continue; // a required column is found or an error
            };
            let item = match &layout.items {
                Some(map) => map.item(name),
                None => Some(name.as_str()),
            };
            let wide = layout.format != Format::Long;
            if wide && item.is_some_and(|i| instrument.item_index(i).is_some()) {
                return Err(Error::from(ErrorKind::ColumnConflict {
                    column: name.clone(),
                    reason: format!(
                        "is an item of {}; pass-through columns are not items",
                        instrument.id()
                    ),
                })
                .at_row(line)
                .at_column(name.as_str()));
            }
            keep.push(named);
        }
        used.extend(keep.iter().map(|k| k.at));
        used.extend(status.iter().map(|s| s.at));

        let (mut item, mut value, mut items) = (None, None, Vec::new());
        if layout.format == Format::Long {
            item = find(&Column::required(layout.item_column.as_str()), "item")?;
            value = find(&Column::required(layout.value_column.as_str()), "value")?;
            used.extend(item.iter().chain(&value).map(|n| n.at));
            let other = (0..header.len()).find(|at| !used.contains(at));
            if !layout.ignore_other
                && let Some(at) = other
            {
                let name = header.get(at).map_or("", String::as_str);
                table.position(name)?;
                return Err(Error::from(ErrorKind::UnknownColumn {
                    instrument: instrument.id().to_owned(),
                    column: name.to_owned(),
                    position: at + 1,
                })
                .at_row(line)
                .at_column(name));
            }
        } else {
            items = item_columns(layout, table, instrument, &used)?;
        }
        Ok(Plan {
            format: layout.format,
            id,
            session,
            therapist,
            date,
            keep,
            missing,
            items,
            item,
            value,
            map: layout.items.clone(),
            status,
            repeat,
            form: layout.form.clone(),
            accept: layout.accept.clone(),
        })
    }

    /// Whether a cell means "no answer".
    fn is_missing(&self, text: &str) -> bool {
        text.is_empty() || self.missing.iter().any(|t| t == text)
    }

    /// The record's id as shown in messages: lossy, `None` when empty.
    fn shown_id(&self, record: &Record<'_>) -> Option<String> {
        let id = record.lossy(self.id.as_ref()?.at)?;
        (!id.is_empty()).then(|| id.into_owned())
    }

    /// The text of a named cell, or its error (with the record's id) pushed to `errors`.
    fn text<'r>(
        record: &Record<'r>,
        named: &Named,
        shown: Option<&str>,
        errors: &mut Vec<Error>,
    ) -> Option<&'r str> {
        match record.text(named.at) {
            Ok(text) => Some(text),
            Err(e) => {
                errors.push(with_record(e, shown));
                None
            }
        }
    }

    /// The id and session of a record; `None` (with the errors pushed) if either is unreadable.
    fn key(
        &self,
        record: &Record<'_>,
        shown: Option<&str>,
        errors: &mut Vec<Error>,
    ) -> Option<Key> {
        let before = errors.len();
        let key = self.key_parts(record, shown, errors);
        (errors.len() == before).then_some(key)
    }

    /// The id and session of a record, each `None` if missing or unreadable (its error pushed).
    fn key_parts(&self, record: &Record<'_>, shown: Option<&str>, errors: &mut Vec<Error>) -> Key {
        let client = match &self.id {
            Some(id) => Plan::text(record, id, shown, errors)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            None => None,
        };
        let session = match &self.session {
            Some(s) => match Plan::text(record, s, shown, errors) {
                Some(text) if self.is_missing(text) => None,
                Some(text) => match session_number(text) {
                    Some(n) => Some(n),
                    None => {
                        errors.push(locate(
                            ErrorKind::InvalidSession {
                                text: text.to_owned(),
                            }
                            .into(),
                            record.line(),
                            shown,
                            &s.name,
                        ));
                        None
                    }
                },
                None => None,
            },
            None => None,
        };
        Key { client, session }
    }

    /// A builder with the record's id, session, therapist and date, and its pass-through
    /// cells; bad cells pushed to `errors`.
    fn start(
        &self,
        instrument: &Instrument,
        record: &Record<'_>,
        key: &Key,
        shown: Option<&str>,
        errors: &mut Vec<Error>,
    ) -> (AdministrationBuilder, Vec<String>) {
        let mut builder = Administration::builder(instrument);
        if let Some(client) = &key.client {
            builder = builder.client(client.as_str());
        }
        if let Some(session) = key.session {
            builder = builder.session(session);
        }
        if let Some(t) = &self.therapist
            && let Some(text) = Plan::text(record, t, shown, errors)
            && !self.is_missing(text)
        {
            builder = builder.therapist(text);
        }
        if let Some(d) = &self.date
            && let Some(text) = Plan::text(record, d, shown, errors)
            && !self.is_missing(text)
        {
            match text.parse::<Date>() {
                Ok(date) => builder = builder.date(date),
                Err(e) => errors.push(locate(e, record.line(), shown, &d.name)),
            }
        }
        let kept = self
            .keep
            .iter()
            .map(|k| {
                Plan::text(record, k, shown, errors)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        (builder, kept)
    }

    /// Finishes an administration begun at `line`: its id checks, located at the column.
    fn build(
        &self,
        builder: AdministrationBuilder,
        kept: Vec<String>,
        line: u64,
        shown: Option<&str>,
    ) -> Result<Row> {
        match builder.build() {
            Ok(administration) => Ok(Row {
                line,
                administration,
                kept,
            }),
            Err(e) => {
                let column = match e.path() {
                    Some("/therapist") => self.therapist.as_ref(),
                    _ => self.id.as_ref(),
                };
                let e = with_record(e.at_row(line), shown);
                Err(match column {
                    Some(c) => e.at_column(c.name.as_str()),
                    None => e,
                })
            }
        }
    }

    /// One row of a wide file or REDCap export: its row, its errors, or nothing if skipped.
    fn wide_row(
        &self,
        instrument: &Instrument,
        record: &Record<'_>,
        skipped: &mut Skipped,
    ) -> Option<Vec<Result<Row>>> {
        let line = record.line();
        let shown = self.shown_id(record);
        let shown = shown.as_deref();
        if let Err(e) = record.check_width() {
            return Some(vec![Err(with_record(e, shown))]);
        }
        let mut errors = Vec::new();
        if self.format == Format::Redcap && self.redcap_skips(record, shown, skipped, &mut errors) {
            return (!errors.is_empty()).then(|| errors.into_iter().map(Err).collect());
        }
        // A bad id or session is reported with the row's other bad cells.
        let key = self.key_parts(record, shown, &mut errors);
        let (mut builder, kept) = self.start(instrument, record, &key, shown, &mut errors);
        for (at, index, name) in &self.items {
            let text = match record.text(*at) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(with_record(e, shown));
                    continue;
                }
            };
            if self.is_missing(text) {
                continue;
            }
            if let Err(e) = builder.set_text(*index, text) {
                errors.push(locate(e, line, shown, name));
            }
        }
        if !errors.is_empty() {
            return Some(errors.into_iter().map(Err).collect());
        }
        Some(vec![self.build(builder, kept, line, shown)])
    }

    /// Whether a REDCap row is skipped (counted in `skipped`), or unreadable (its error pushed).
    fn redcap_skips(
        &self,
        record: &Record<'_>,
        shown: Option<&str>,
        skipped: &mut Skipped,
        errors: &mut Vec<Error>,
    ) -> bool {
        if let Some(repeat) = &self.repeat {
            let form = record.lossy(repeat.at).unwrap_or_default();
            if !form.is_empty() && form != self.form.as_str() {
                skipped.other_form += 1;
                return true;
            }
        }
        let blank = self
            .items
            .iter()
            .all(|(at, _, _)| record.text(*at).is_ok_and(|text| self.is_missing(text)));
        if blank {
            skipped.blank += 1;
            return true;
        }
        let Some(status) = &self.status else {
            return false;
        };
        let Some(text) = Plan::text(record, status, shown, errors) else {
            return true;
        };
        if text.is_empty() {
            skipped.not_accepted += 1;
            return true;
        }
        match text.parse::<RedcapStatus>() {
            Ok(s) if self.accept.contains(&s) => false,
            Ok(_) => {
                skipped.not_accepted += 1;
                true
            }
            Err(e) => {
                errors.push(locate(e, record.line(), shown, &status.name));
                true
            }
        }
    }

    /// Records the answer of one long row in `builder`; errors pushed.
    fn long_answer(
        &self,
        instrument: &Instrument,
        builder: &mut AdministrationBuilder,
        record: &Record<'_>,
        shown: Option<&str>,
        errors: &mut Vec<Error>,
    ) {
        let (Some(item_col), Some(value_col)) = (&self.item, &self.value) else {
            return;
        };
        let Some(item_text) = Plan::text(record, item_col, shown, errors) else {
            return;
        };
        let Some(value) = Plan::text(record, value_col, shown, errors) else {
            return;
        };
        let item = match &self.map {
            Some(map) => map.item(item_text),
            None => Some(item_text),
        };
        let Some(index) = item.and_then(|i| instrument.item_index(i)) else {
            let e = ErrorKind::UnknownItem {
                instrument: instrument.id().to_owned(),
                item: item_text.to_owned(),
            };
            errors.push(locate(e.into(), record.line(), shown, &item_col.name));
            return;
        };
        if self.is_missing(value) {
            return;
        }
        if let Err(e) = builder.set_text(index, value) {
            let column = if matches!(e.kind(), ErrorKind::DuplicateAnswer { .. }) {
                &item_col.name
            } else {
                &value_col.name
            };
            errors.push(locate(e, record.line(), shown, column));
        }
    }
}

/// The item columns of a wide file or REDCap export: (column, item index, name).
fn item_columns<R: Read>(
    layout: &Layout,
    table: &Table<R>,
    instrument: &Instrument,
    used: &[usize],
) -> Result<Vec<(usize, usize, String)>> {
    let line = table.header_line();
    let mut items: Vec<(usize, usize, String)> = Vec::with_capacity(instrument.items().len());
    let mut holder: Vec<Option<usize>> = vec![None; instrument.items().len()];
    for (at, name) in table.header().iter().enumerate() {
        if used.contains(&at) {
            continue;
        }
        let at_header = |e: ErrorKind| Error::from(e).at_row(line).at_column(name.as_str());
        let (item, mapped) = match &layout.items {
            Some(map) => (map.item(name), true),
            None => (Some(name.as_str()), false),
        };
        match item.and_then(|i| Some((i, instrument.item_index(i)?))) {
            Some((item, index)) => {
                table.position(name)?;
                if let Some(Some(before)) = holder.get(index) {
                    let before = table.header().get(*before).map_or("", String::as_str);
                    return Err(at_header(ErrorKind::ColumnConflict {
                        column: name.clone(),
                        reason: format!("holds item {item}, as column {before:?} does"),
                    }));
                }
                if let Some(slot) = holder.get_mut(index) {
                    *slot = Some(at);
                }
                items.push((at, index, name.clone()));
            }
            None if layout.ignore_other => {}
            None => {
                table.position(name)?;
                return Err(match item {
                    Some(item) if mapped => at_header(ErrorKind::UnknownItem {
                        instrument: instrument.id().to_owned(),
                        item: item.to_owned(),
                    }),
                    _ => at_header(ErrorKind::UnknownColumn {
                        instrument: instrument.id().to_owned(),
                        column: name.clone(),
                        position: at + 1,
                    }),
                });
            }
        }
    }
    if let Some((item, _)) = instrument
        .items()
        .iter()
        .zip(&holder)
        .find(|(_, h)| h.is_none())
    {
        let field = layout.items.as_ref().and_then(|m| m.field(item.id()));
        return Err(match field {
            Some(field) => ErrorKind::MissingColumn {
                column: field.to_owned(),
                role: "item",
            },
            None => ErrorKind::NoItemColumn {
                instrument: instrument.id().to_owned(),
                item: item.id().to_owned(),
            },
        }
        .into());
    }
    Ok(items)
}

/// An error with the record's id added.
fn with_record(e: Error, shown: Option<&str>) -> Error {
    match shown {
        Some(id) => e.at_record(id),
        None => e,
    }
}

/// An error located at a row, the record's id and a column.
fn locate(e: Error, line: u64, shown: Option<&str>, column: &str) -> Error {
    with_record(e.at_row(line), shown).at_column(column)
}

/// A session number: a whole number from 0 to 4294967295, written as an integer (`3`) or with
/// no fraction (`3.0`, as some programs export integers).
pub(super) fn session_number(text: &str) -> Option<u32> {
    if let Ok(n) = text.parse::<u32>() {
        return Some(n);
    }
    let v = text.parse::<f64>().ok()?;
    // In range and whole, so the conversion is exact (-0.0 becomes 0).
    (v.is_finite() && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v))
        .then_some(v as u32)
}

/// The id and session of a long row: one administration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    client: Option<String>,
    session: Option<u32>,
}

impl Key {
    /// A 128-bit fingerprint (two SipHash runs with different salts).
    fn fingerprint(&self) -> u128 {
        let half = |salt: u64| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            self.hash(&mut h);
            h.finish()
        };
        (u128::from(half(0x5EED_0001)) << 64) | u128::from(half(0x5EED_0002))
    }
}

/// One administration of a long file being read.
#[derive(Debug)]
struct Group {
    key: Key,
    line: u64,
    shown: Option<String>,
    builder: AdministrationBuilder,
    kept: Vec<String>,
    /// Errors not yet given (buffered reading keeps them all).
    errors: Vec<Error>,
    failed: bool,
}

impl Group {
    fn start(plan: &Plan, instrument: &Instrument, record: &Record<'_>, key: Key) -> Self {
        let shown = plan.shown_id(record);
        let mut errors = Vec::new();
        let (builder, kept) = plan.start(instrument, record, &key, shown.as_deref(), &mut errors);
        Group {
            key,
            line: record.line(),
            shown,
            builder,
            kept,
            failed: !errors.is_empty(),
            errors,
        }
    }

    fn answer(&mut self, plan: &Plan, instrument: &Instrument, record: &Record<'_>) {
        let shown = plan.shown_id(record);
        let before = self.errors.len();
        plan.long_answer(
            instrument,
            &mut self.builder,
            record,
            shown.as_deref(),
            &mut self.errors,
        );
        self.failed |= self.errors.len() > before;
    }

    /// The administration, unless a row of it failed.
    fn finish(self, plan: &Plan) -> Option<Result<Row>> {
        if self.failed {
            return None;
        }
        Some(plan.build(self.builder, self.kept, self.line, self.shown.as_deref()))
    }
}

/// Long rows read as a stream: one administration at a time.
#[derive(Debug, Default)]
struct Stream {
    current: Option<Group>,
    /// Fingerprints of the administrations begun, with the row each began on.
    seen: HashMap<u128, u64>,
    /// An administration that came back, whose rows are passed over.
    passing: Option<Key>,
}

impl Stream {
    fn line(
        &mut self,
        plan: &Plan,
        instrument: &Instrument,
        record: &Record<'_>,
        pending: &mut VecDeque<Result<Row>>,
    ) {
        let shown = plan.shown_id(record);
        let shown = shown.as_deref();
        if let Err(e) = record.check_width() {
            pending.push_back(Err(with_record(e, shown)));
            return;
        }
        let mut errors = Vec::new();
        let Some(key) = plan.key(record, shown, &mut errors) else {
            pending.extend(errors.into_iter().map(Err));
            return;
        };
        if self.passing.as_ref() == Some(&key) {
            return;
        }
        if self.current.as_ref().is_none_or(|g| g.key != key) {
            if let Some(group) = self.current.take() {
                pending.extend(group.finish(plan));
            }
            let fingerprint = key.fingerprint();
            if let Some(&first_row) = self.seen.get(&fingerprint) {
                let e = ErrorKind::NotContiguous {
                    record: key.client.clone().unwrap_or_default(),
                    session: key.session,
                    first_row,
                };
                let column = plan.id.as_ref().or(plan.session.as_ref());
                let e = with_record(Error::from(e).at_row(record.line()), shown);
                pending.push_back(Err(match column {
                    Some(c) => e.at_column(c.name.as_str()),
                    None => e,
                }));
                self.passing = Some(key);
                return;
            }
            self.seen.insert(fingerprint, record.line());
            self.passing = None;
            self.current = Some(Group::start(plan, instrument, record, key));
        }
        if let Some(group) = self.current.as_mut() {
            group.answer(plan, instrument, record);
            pending.extend(group.errors.drain(..).map(Err));
        }
    }
}

/// Long rows read in any order: every administration held until the end.
#[derive(Debug, Default)]
struct Buffered {
    groups: Vec<Group>,
    index: HashMap<Key, usize>,
    /// What to give, in order: an administration (by index) or a row's error.
    order: Vec<std::result::Result<usize, Error>>,
}

impl Buffered {
    fn line(&mut self, plan: &Plan, instrument: &Instrument, record: &Record<'_>) {
        let shown = plan.shown_id(record);
        if let Err(e) = record.check_width() {
            self.order.push(Err(with_record(e, shown.as_deref())));
            return;
        }
        let mut errors = Vec::new();
        let Some(key) = plan.key(record, shown.as_deref(), &mut errors) else {
            self.order.extend(errors.into_iter().map(Err));
            return;
        };
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                let at = self.groups.len();
                self.index.insert(key.clone(), at);
                self.groups
                    .push(Group::start(plan, instrument, record, key));
                self.order.push(Ok(at));
                at
            }
        };
        if let Some(group) = self.groups.get_mut(at) {
            group.answer(plan, instrument, record);
        }
    }

    fn finish(&mut self, plan: &Plan, pending: &mut VecDeque<Result<Row>>) {
        let mut groups: Vec<Option<Group>> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(Some)
            .collect();
        for slot in std::mem::take(&mut self.order) {
            match slot {
                Err(e) => pending.push_back(Err(e)),
                Ok(at) => {
                    if let Some(mut group) = groups.get_mut(at).and_then(Option::take) {
                        pending.extend(group.errors.drain(..).map(Err));
                        pending.extend(group.finish(plan));
                    }
                }
            }
        }
        self.index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

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
                Err("row 2 (id \"a\"), column \"1\": item 1: value 11 is outside the response range 0 to 10".to_owned()),
                Err("row 2 (id \"a\"), column \"2\": item 2: \"x\" is not a number".to_owned()),
                Ok((3, Some("b".to_owned()), None, 4)),
                Err("row 4 (id \"c\"): 3 fields, but the header has 5".to_owned()),
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
            Err("row 3 (id \"b\"), column \"s\": \"3b\" is not a session number (a whole number from 0 to 4294967295)".to_owned())
        );
        // Every bad cell of the row.
        assert_eq!(
            got[2],
            Err("row 3 (id \"b\"), column \"d\": invalid date \"2026-02-30\": expected an existing calendar date written YYYY-MM-DD".to_owned())
        );
        // The id as shown in a message is escaped.
        assert_eq!(
            got[3],
            Err("row 4 (id \"c\\u{202e}\"), column \"id\": invalid client id \"c\\u{202e}\": contains the bidirectional control U+202E".to_owned())
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
                Err("row 5 (id \"a\"), column \"id\": the rows of id \"a\", session 1 are not together: they started at row 2 and another administration's rows came between (sort the file by id and session, or read it in any order with the buffered layout)".to_owned()),
                Err("row 7 (id \"b\"), column \"value\": item 1: \"x\" is not a number".to_owned()),
                Err("row 9 (id \"b\"), column \"item\": instrument srs has no item \"9\"".to_owned()),
            ]
        );
        let got = read(&Layout::long().any_order(true), text);
        assert_eq!(
            got,
            [
                Ok((2, Some("a".to_owned()), Some(1), 4)),
                Ok((4, Some("b".to_owned()), Some(1), 1)),
                Err("row 7 (id \"b\"), column \"value\": item 1: \"x\" is not a number".to_owned()),
                Err(
                    "row 9 (id \"b\"), column \"item\": instrument srs has no item \"9\""
                        .to_owned()
                ),
            ]
        );
        let got = read(&Layout::long(), "id,session,item,value\na,1,1,9\na,1,1,8\n");
        assert_eq!(
            got,
            [Err(
                "row 3 (id \"a\"), column \"item\": item 1 is answered more than once".to_owned()
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
                Err("row 7 (id \"2\"), column \"srs_complete\": unknown REDCap form status \"5\": expected 0, 1, 2, Incomplete, Unverified or Complete".to_owned()),
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
            .map(|r| r.map(|r| r.line()).map_err(|e| e.code()))
            .collect();
        // Row a, then the error; b's unfinished administration is not given.
        assert_eq!(got, [Ok(2), Err("io")]);
    }
}
