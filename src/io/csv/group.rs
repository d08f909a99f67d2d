//! Long files grouped into administrations: the rows of one id and session together, in a
//! stream (each administration contiguous, a returning one an error, as far as the layout's
//! [`RepeatCheck`] remembers) or in any order (held until the end); and the memory of
//! administrations read that finds a repeated one in wide and REDCap files too.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::error::{Error, ErrorKind};
use crate::instruments::Instrument;
use crate::responses::AdministrationBuilder;

use super::layout::RepeatCheck;
use super::plan::Plan;
use super::read::{Row, RowError};
use super::table::Record;

/// What the reader gives: a row, or an error with the id of its record beside it.
pub(super) type Item = std::result::Result<Row, RowError>;

/// The id and session of a long row: one administration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) client: Option<String>,
    pub(super) session: Option<u32>,
}

impl Key {
    /// A 128-bit fingerprint of the key and `more` (REDCap's event and repeat instance).
    pub(super) fn fingerprint(&self, more: &[&str]) -> u128 {
        fingerprint(self.client.as_deref(), self.session, more)
    }
}

/// The fingerprint of [`Key::fingerprint`] from the parts of a key (hashed as the key's fields
/// are: the client, then the session), without building the key.
pub(super) fn fingerprint(client: Option<&str>, session: Option<u32>, more: &[&str]) -> u128 {
    let mut h = Fingerprinter::default();
    client.hash(&mut h);
    session.hash(&mut h);
    more.hash(&mut h);
    h.finish128()
}

/// A 128-bit hash of what is written to it: two lanes of 64-bit multiply-fold mixing (as wyhash
/// mixes) with different constants, each word into both, finished with the length and a
/// final avalanche of each lane. Fast, and with 128 bits an accidental collision among the
/// administrations of any file is out of reach (about 10^-26 for a billion).
#[derive(Debug)]
struct Fingerprinter {
    a: u64,
    b: u64,
    len: u64,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter {
            a: 0x5EED_0001_9E37_79B9,
            b: 0x5EED_0002_C2B2_AE35,
            len: 0,
        }
    }
}

/// The 128-bit product of `x` and `k`, folded to 64 bits.
fn fold(x: u64, k: u64) -> u64 {
    let m = u128::from(x) * u128::from(k);
    (m as u64) ^ ((m >> 64) as u64)
}

impl Fingerprinter {
    fn word(&mut self, w: u64) {
        self.a = fold(self.a ^ w, 0xA076_1D64_78BD_642F);
        self.b = fold(self.b ^ w.rotate_left(32), 0xE703_7ED1_A0B4_28DB);
    }

    fn finish128(&self) -> u128 {
        let a = fold(self.a ^ self.len, 0x8EBC_6AF0_9C88_C6E3);
        let b = fold(self.b ^ self.len.rotate_left(17), 0x5899_65CC_7537_4CC3);
        let a = fold(a ^ (a >> 31), 0xD6E8_FEB8_6659_FD93);
        let b = fold(b ^ (b >> 29), 0x9E37_79B9_7F4A_7C15);
        (u128::from(a) << 64) | u128::from(b)
    }
}

impl Hasher for Fingerprinter {
    fn finish(&self) -> u64 {
        self.finish128() as u64
    }

    fn write(&mut self, bytes: &[u8]) {
        self.len = self.len.wrapping_add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in chunks.by_ref() {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(head) = w.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            // The remainder's length in the top byte keeps `ab` + `c` apart from `a` + `bc`.
            self.word(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
}

/// The administrations read so far, as far as a [`RepeatCheck`] remembers them.
#[derive(Debug)]
pub(super) enum Seen {
    /// The fingerprints of the two most recent administrations, with their first rows.
    Recent([Option<(u128, u64)>; 2]),
    /// The fingerprint of every administration (as two halves), with its first row.
    Every(HashMap<(u64, u64), u64, BuildHasherDefault<Prehashed>>),
}

/// The hasher of fingerprints, which are hashes already: the first half as it is.
#[derive(Debug, Default)]
pub(super) struct Prehashed {
    hash: u64,
    set: bool,
}

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.hash
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for (u64, u64) keys; a fold keeps it a hash.
        for &b in bytes {
            self.hash = self.hash.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, i: u64) {
        if !self.set {
            self.hash = i;
            self.set = true;
        }
    }
}

impl Seen {
    pub(super) fn new(check: RepeatCheck) -> Self {
        match check {
            RepeatCheck::Recent => Seen::Recent([None, None]),
            RepeatCheck::Every => Seen::Every(HashMap::default()),
        }
    }

    /// The first row of the administration `fingerprint` if it was seen (as far as this
    /// remembers); otherwise `None`, remembering it as begun at `line`.
    pub(super) fn check(&mut self, fingerprint: u128, line: u64) -> Option<u64> {
        match self {
            Seen::Recent(slots) => {
                if let Some((_, first)) = slots.iter().flatten().find(|(f, _)| *f == fingerprint) {
                    return Some(*first);
                }
                slots.swap(0, 1);
                slots[1] = Some((fingerprint, line));
                None
            }
            Seen::Every(map) => {
                let key = ((fingerprint >> 64) as u64, fingerprint as u64);
                match map.entry(key) {
                    std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(line);
                        None
                    }
                }
            }
        }
    }
}

/// One administration of a long file being read.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) key: Key,
    pub(super) line: u64,
    /// The record's id, given beside the errors.
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
        let (builder, kept) = plan.start(instrument, record, &key, &mut errors);
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
        let before = self.errors.len();
        plan.long_answer(instrument, &mut self.builder, record, &mut self.errors);
        self.failed |= self.errors.len() > before;
    }

    /// The errors not yet given, each with the id beside it.
    pub(super) fn drain_errors(&mut self) -> impl Iterator<Item = Item> + '_ {
        let shown = self.shown.as_deref();
        self.errors
            .drain(..)
            .map(move |e| Err(RowError::new(e, shown)))
    }

    /// The administration, unless a row of it failed.
    pub(super) fn finish(self, plan: &Plan) -> Option<Item> {
        if self.failed {
            return None;
        }
        let shown = self.shown;
        Some(
            plan.build(self.builder, self.kept, self.line)
                .map_err(|e| RowError::new(e, shown.as_deref())),
        )
    }
}

/// Long rows read as a stream: one administration at a time.
#[derive(Debug)]
pub(super) struct Stream {
    pub(super) current: Option<Group>,
    /// The administrations begun, as far as the layout's [`RepeatCheck`] remembers them.
    pub(super) seen: Seen,
    /// An administration that came back, whose rows are passed over.
    pub(super) passing: Option<Key>,
}

impl Stream {
    pub(super) fn new(check: RepeatCheck) -> Self {
        Stream {
            current: None,
            seen: Seen::new(check),
            passing: None,
        }
    }

    pub(super) fn line(
        &mut self,
        plan: &Plan,
        instrument: &Instrument,
        record: &Record<'_>,
        pending: &mut VecDeque<Item>,
    ) {
        let shown = plan.shown_id(record);
        let shown = shown.as_deref();
        if let Err(e) = record.check_width() {
            pending.push_back(Err(RowError::new(e, shown)));
            return;
        }
        let mut errors = Vec::new();
        let Some(key) = plan.key(record, &mut errors) else {
            pending.extend(errors.into_iter().map(|e| Err(RowError::new(e, shown))));
            return;
        };
        if self.passing.as_ref() == Some(&key) {
            return;
        }
        if self.current.as_ref().is_none_or(|g| g.key != key) {
            if let Some(group) = self.current.take() {
                pending.extend(group.finish(plan));
            }
            if let Some(first_row) = self.seen.check(key.fingerprint(&[]), record.line()) {
                let e = ErrorKind::NotContiguous {
                    session: key.session,
                    first_row,
                };
                let column = plan.id.as_ref().or(plan.session.as_ref());
                let e = Error::from(e).at_row(record.line());
                let e = match column {
                    Some(c) => e.at_column(c.name.as_str()),
                    None => e,
                };
                pending.push_back(Err(RowError::new(e, shown)));
                self.passing = Some(key);
                return;
            }
            self.passing = None;
            self.current = Some(Group::start(plan, instrument, record, key));
        }
        if let Some(group) = self.current.as_mut() {
            group.answer(plan, instrument, record);
            pending.extend(group.drain_errors());
        }
    }
}

/// Long rows read in any order: every administration held until the end.
#[derive(Debug, Default)]
pub(super) struct Buffered {
    pub(super) groups: Vec<Group>,
    pub(super) index: HashMap<Key, usize>,
    /// What to give, in order: an administration (by index) or a row's error.
    pub(super) order: Vec<std::result::Result<usize, RowError>>,
}

impl Buffered {
    pub(super) fn line(&mut self, plan: &Plan, instrument: &Instrument, record: &Record<'_>) {
        let shown = plan.shown_id(record);
        let shown = shown.as_deref();
        if let Err(e) = record.check_width() {
            self.order.push(Err(RowError::new(e, shown)));
            return;
        }
        let mut errors = Vec::new();
        let Some(key) = plan.key(record, &mut errors) else {
            self.order
                .extend(errors.into_iter().map(|e| Err(RowError::new(e, shown))));
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

    pub(super) fn finish(&mut self, plan: &Plan, pending: &mut VecDeque<Item>) {
        let mut groups: Vec<Option<Group>> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(Some)
            .collect();
        for slot in std::mem::take(&mut self.order) {
            match slot {
                Err(e) => pending.push_back(Err(e)),
                Ok(at) => {
                    if let Some(mut group) = groups.get_mut(at).and_then(Option::take) {
                        pending.extend(group.drain_errors());
                        pending.extend(group.finish(plan));
                    }
                }
            }
        }
        self.index.clear();
    }
}
