//! Long files grouped into administrations: the rows of one id and session together, in a
//! stream (each administration contiguous, a returning one an error) or in any order (held
//! until the end).

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use crate::error::{Error, ErrorKind, Result};
use crate::instruments::Instrument;
use crate::responses::AdministrationBuilder;

use super::plan::{Plan, with_record};
use super::read::Row;
use super::table::Record;

/// The id and session of a long row: one administration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) client: Option<String>,
    pub(super) session: Option<u32>,
}

impl Key {
    /// A 128-bit fingerprint (two SipHash runs with different salts).
    pub(super) fn fingerprint(&self) -> u128 {
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
pub(super) struct Group {
    pub(super) key: Key,
    pub(super) line: u64,
    pub(super) shown: Option<String>,
    pub(super) builder: AdministrationBuilder,
    pub(super) kept: Vec<String>,
    /// Errors not yet given (buffered reading keeps them all).
    pub(super) errors: Vec<Error>,
    pub(super) failed: bool,
}

impl Group {
    pub(super) fn start(
        plan: &Plan,
        instrument: &Instrument,
        record: &Record<'_>,
        key: Key,
    ) -> Self {
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

    pub(super) fn answer(&mut self, plan: &Plan, instrument: &Instrument, record: &Record<'_>) {
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
    pub(super) fn finish(self, plan: &Plan) -> Option<Result<Row>> {
        if self.failed {
            return None;
        }
        Some(plan.build(self.builder, self.kept, self.line, self.shown.as_deref()))
    }
}

/// Long rows read as a stream: one administration at a time.
#[derive(Debug, Default)]
pub(super) struct Stream {
    pub(super) current: Option<Group>,
    /// Fingerprints of the administrations begun, with the row each began on.
    pub(super) seen: HashMap<u128, u64>,
    /// An administration that came back, whose rows are passed over.
    pub(super) passing: Option<Key>,
}

impl Stream {
    pub(super) fn line(
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
pub(super) struct Buffered {
    pub(super) groups: Vec<Group>,
    pub(super) index: HashMap<Key, usize>,
    /// What to give, in order: an administration (by index) or a row's error.
    pub(super) order: Vec<std::result::Result<usize, Error>>,
}

impl Buffered {
    pub(super) fn line(&mut self, plan: &Plan, instrument: &Instrument, record: &Record<'_>) {
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

    pub(super) fn finish(&mut self, plan: &Plan, pending: &mut VecDeque<Result<Row>>) {
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
