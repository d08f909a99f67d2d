//! The column plan: where the id, session, therapist, date, pass-through, item and value columns
//! are in a header, checked once, and how a record's cells become an administration.

use std::io::Read;

use crate::error::{Error, ErrorKind, Result};
use crate::instruments::Instrument;
use crate::responses::{Administration, AdministrationBuilder, Date};

use crate::error::check_field;
use crate::ids::TextRule;

use super::group::{Key, Seen};
use super::layout::{Column, Format, Layout, RedcapStatus};
use super::map::ItemMap;
use super::read::{Row, Skipped};
use super::table::{Record, Table};

/// A column found in the header: its position and name.
#[derive(Debug, Clone)]
pub(super) struct Named {
    pub(super) at: usize,
    pub(super) name: String,
}

/// A row of a wide file or REDCap export as read, before the repeat check.
#[derive(Debug)]
pub(super) enum WideRow {
    /// A REDCap row of another form, blank or of a status not accepted.
    Skipped,
    /// Every bad cell of the row.
    Failed(Vec<Error>),
    /// The row, and the fingerprint of its administration (if it has an id) to check.
    Read(Row, Option<u128>),
}

/// Where everything is in the header.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) format: Format,
    pub(super) id: Option<Named>,
    pub(super) session: Option<Named>,
    pub(super) therapist: Option<Named>,
    pub(super) date: Option<Named>,
    pub(super) keep: Vec<Named>,
    pub(super) missing: Vec<String>,
    /// Wide and REDCap: (column, item index, column name).
    pub(super) items: Vec<(usize, usize, String)>,
    /// Long: the item and value columns and the map of item cells.
    pub(super) item: Option<Named>,
    pub(super) value: Option<Named>,
    pub(super) map: Option<ItemMap>,
    /// REDCap: the status and repeat-instrument columns, the form and the statuses accepted.
    pub(super) status: Option<Named>,
    pub(super) repeat: Option<Named>,
    /// REDCap: the event and repeat-instance columns, where the header has them.
    pub(super) event: Option<Named>,
    pub(super) instance: Option<Named>,
    pub(super) form: String,
    pub(super) accept: Vec<RedcapStatus>,
}

/// Column names are not empty, and no column is named for two roles.
pub(super) fn check_names(layout: &Layout) -> Result<()> {
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
pub(super) const REDCAP_KEPT: [&str; 3] = [
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
];

impl Plan {
    pub(super) fn new<R: Read>(
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
        let (mut status, mut repeat, mut event, mut instance) = (None, None, None, None);
        if layout.format == Format::Redcap {
            if layout.check_status {
                let name = format!("{}_complete", layout.form);
                status = find(&Column::required(name), "REDCap form status")?;
            }
            for name in REDCAP_KEPT {
                let named = find(&Column::optional(name), "REDCap")?;
                if let Some(named) = named {
                    match name {
                        "redcap_repeat_instrument" => repeat = Some(named.clone()),
                        "redcap_event_name" => event = Some(named.clone()),
                        _ => instance = Some(named.clone()),
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
            event,
            instance,
            form: layout.form.clone(),
            accept: layout.accept.clone(),
        })
    }

    /// Whether a cell means "no answer".
    pub(super) fn is_missing(&self, text: &str) -> bool {
        text.is_empty() || self.missing.iter().any(|t| t == text)
    }

    /// The record's id, given beside its errors (never in them): lossy, `None` when empty.
    pub(super) fn shown_id(&self, record: &Record<'_>) -> Option<String> {
        let id = record.lossy(self.id.as_ref()?.at)?;
        (!id.is_empty()).then(|| id.into_owned())
    }

    /// The text of a named cell, or its error pushed to `errors`.
    pub(super) fn text<'r>(
        record: &Record<'r>,
        named: &Named,
        errors: &mut Vec<Error>,
    ) -> Option<&'r str> {
        match record.text(named.at) {
            Ok(text) => Some(text),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    }

    /// The id and session of a record; `None` (with the errors pushed) if either is unreadable.
    pub(super) fn key(&self, record: &Record<'_>, errors: &mut Vec<Error>) -> Option<Key> {
        let before = errors.len();
        let key = self.key_parts(record, errors);
        (errors.len() == before).then_some(key)
    }

    /// The id and session of a record, each `None` if missing or unreadable (its error pushed).
    pub(super) fn key_parts(&self, record: &Record<'_>, errors: &mut Vec<Error>) -> Key {
        let client = match &self.id {
            Some(id) => Plan::text(record, id, errors)
                .filter(|t| !t.is_empty())
                .and_then(|t| checked_id(t, "client id", record.line(), &id.name, errors))
                .map(str::to_owned),
            None => None,
        };
        // A REDCap repeat instance read as the session is checked as a repeat instance.
        let instance_session = self.instance.is_some()
            && self.instance.as_ref().map(|n| n.at) == self.session.as_ref().map(|n| n.at);
        let session = match &self.session {
            Some(s) => match Plan::text(record, s, errors) {
                Some(text) if self.is_missing(text) => None,
                Some(text) => match session_number(text) {
                    Some(n) => Some(n),
                    None if instance_session => None,
                    None => {
                        errors.push(locate(
                            ErrorKind::InvalidSession {
                                text: text.to_owned(),
                            }
                            .into(),
                            record.line(),
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
    pub(super) fn start(
        &self,
        instrument: &Instrument,
        record: &Record<'_>,
        key: &Key,
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
            && let Some(text) = Plan::text(record, t, errors)
            && !self.is_missing(text)
            && let Some(text) = checked_id(text, "therapist id", record.line(), &t.name, errors)
        {
            builder = builder.therapist(text);
        }
        if let Some(d) = &self.date
            && let Some(text) = Plan::text(record, d, errors)
            && !self.is_missing(text)
        {
            match text.parse::<Date>() {
                Ok(date) => builder = builder.date(date),
                Err(e) => errors.push(locate(e, record.line(), &d.name)),
            }
        }
        let kept = self
            .keep
            .iter()
            .map(|k| Plan::text(record, k, errors).unwrap_or_default().to_owned())
            .collect();
        (builder, kept)
    }

    /// Finishes an administration begun at `line`: its id checks, located at the column.
    pub(super) fn build(
        &self,
        builder: AdministrationBuilder,
        kept: Vec<String>,
        line: u64,
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
                let e = e.at_row(line);
                Err(match column {
                    Some(c) => e.at_column(c.name.as_str()),
                    None => e,
                })
            }
        }
    }

    /// One row of a wide file or REDCap export: its row, its errors, or nothing if skipped.
    pub(super) fn wide_row(
        &self,
        instrument: &Instrument,
        record: &Record<'_>,
        skipped: &mut Skipped,
        seen: &mut Seen,
    ) -> Option<Vec<Result<Row>>> {
        match self.read_wide(instrument, record, skipped) {
            WideRow::Skipped => None,
            WideRow::Failed(errors) => Some(errors.into_iter().map(Err).collect()),
            WideRow::Read(row, fingerprint) => {
                // The same administration read before: an error, the first kept.
                if let Some(first_row) = fingerprint.and_then(|f| seen.check(f, row.line)) {
                    return Some(vec![Err(self.repeated(row.line, first_row))]);
                }
                Some(vec![Ok(row)])
            }
        }
    }

    /// One row of a wide file or REDCap export, read but not yet checked against the
    /// administrations before it (the fingerprint to check, if the row has an id).
    pub(super) fn read_wide(
        &self,
        instrument: &Instrument,
        record: &Record<'_>,
        skipped: &mut Skipped,
    ) -> WideRow {
        let line = record.line();
        if let Err(e) = record.check_width() {
            return WideRow::Failed(vec![e]);
        }
        let mut errors = Vec::new();
        if self.format == Format::Redcap && self.redcap_skips(record, skipped, &mut errors) {
            return if errors.is_empty() {
                WideRow::Skipped
            } else {
                WideRow::Failed(errors)
            };
        }
        let instance = self.repeat_instance(record, &mut errors);
        // A bad id or session is reported with the row's other bad cells.
        let key = self.key_parts(record, &mut errors);
        let (mut builder, kept) = self.start(instrument, record, &key, &mut errors);
        for (at, index, name) in &self.items {
            let text = match record.text(*at) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if self.is_missing(text) {
                continue;
            }
            if let Err(e) = builder.set_text(*index, text) {
                errors.push(locate(e, line, name));
            }
        }
        if !errors.is_empty() {
            return WideRow::Failed(errors);
        }
        let fingerprint = key.client.is_some().then(|| {
            let event = self
                .event
                .as_ref()
                .and_then(|e| record.lossy(e.at))
                .unwrap_or_default();
            key.fingerprint(&[&event, &instance])
        });
        match self.build(builder, kept, line) {
            Ok(row) => WideRow::Read(row, fingerprint),
            Err(e) => WideRow::Failed(vec![e]),
        }
    }

    /// The error for a row at `line` repeating the administration first read at `first_row`.
    pub(super) fn repeated(&self, line: u64, first_row: u64) -> Error {
        let e = Error::from(ErrorKind::RepeatedAdministration {
            what: self.same(),
            first_row,
        })
        .at_row(line);
        match self.id.as_ref().map(|c| c.name.as_str()) {
            Some(c) => e.at_column(c),
            None => e,
        }
    }

    /// What makes a row of a wide file or REDCap export one administration, in words.
    fn same(&self) -> &'static str {
        let instance = self.instance.as_ref().map(|n| n.at);
        let session = self
            .session
            .as_ref()
            .is_some_and(|s| Some(s.at) != instance);
        if self.format != Format::Redcap {
            return if session { "id and session" } else { "id" };
        }
        match (session, self.event.is_some(), instance.is_some()) {
            (false, false, false) => "record",
            (false, false, true) => "record and repeat instance",
            (false, true, false) => "record and event",
            (false, true, true) => "record, event and repeat instance",
            (true, false, false) => "record and session",
            (true, false, true) => "record, session and repeat instance",
            (true, true, false) => "record, session and event",
            (true, true, true) => "record, session, event and repeat instance",
        }
    }

    /// The REDCap repeat instance of a row, as written (empty if none); a cell that is not a
    /// whole number from 1 is an error pushed to `errors`.
    fn repeat_instance(&self, record: &Record<'_>, errors: &mut Vec<Error>) -> String {
        let Some(named) = &self.instance else {
            return String::new();
        };
        let Some(text) = Plan::text(record, named, errors) else {
            return String::new();
        };
        if text.is_empty() {
            return String::new();
        }
        match repeat_instance(text) {
            Some(n) => n.to_string(),
            None => {
                let e = ErrorKind::InvalidRepeatInstance {
                    text: text.to_owned(),
                };
                errors.push(locate(e.into(), record.line(), &named.name));
                String::new()
            }
        }
    }

    /// Whether a REDCap row is skipped (counted in `skipped`), or unreadable (its error pushed).
    pub(super) fn redcap_skips(
        &self,
        record: &Record<'_>,
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
        let Some(text) = Plan::text(record, status, errors) else {
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
                errors.push(locate(e, record.line(), &status.name));
                true
            }
        }
    }

    /// Records the answer of one long row in `builder`; errors pushed.
    pub(super) fn long_answer(
        &self,
        instrument: &Instrument,
        builder: &mut AdministrationBuilder,
        record: &Record<'_>,
        errors: &mut Vec<Error>,
    ) {
        let (Some(item_col), Some(value_col)) = (&self.item, &self.value) else {
            return;
        };
        let Some(item_text) = Plan::text(record, item_col, errors) else {
            return;
        };
        let Some(value) = Plan::text(record, value_col, errors) else {
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
            errors.push(locate(e.into(), record.line(), &item_col.name));
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
            errors.push(locate(e, record.line(), column));
        }
    }
}

/// The item columns of a wide file or REDCap export: (column, item index, name).
pub(super) fn item_columns<R: Read>(
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

/// An error located at a row and a column.
pub(super) fn locate(e: Error, line: u64, column: &str) -> Error {
    e.at_row(line).at_column(column)
}

/// `text` if it is a valid id; otherwise `None`, with an error that names the column and what
/// is wrong, not the text (an id names a person: see [`ErrorKind::InvalidText`]).
fn checked_id<'t>(
    text: &'t str,
    field: &'static str,
    line: u64,
    column: &str,
    errors: &mut Vec<Error>,
) -> Option<&'t str> {
    match check_field(TextRule::Id, field, text) {
        Ok(()) => Some(text),
        Err(e) => {
            errors.push(locate(e, line, column));
            None
        }
    }
}

/// A REDCap repeat instance: a whole number from 1 to 4294967295, in digits only (`1`, not
/// `+1`, `1.0` or `-3`).
pub(super) fn repeat_instance(text: &str) -> Option<u32> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>().ok().filter(|&n| n >= 1)
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
