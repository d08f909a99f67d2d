//! The moment kernel's path for blocks with missing cells, for instruments of at most
//! [`LANES`] items (a child of `moments`, whose sums it fills).
//!
//! Each row's missing items are one `u16` bit pattern. The products of every pair run over the
//! columns with missing cells as 0 (a row where either item is missing adds nothing), so they
//! are the pairwise-complete products as they stand. Everything that depends on which cells are
//! missing is read from the incomplete rows alone, gathered into compact columns (the rows
//! missing one item first):
//! - the rows missing one item, per (that item, row sum), and the rows missing more, per
//!   pattern: the rows, and per item the sum of the answers and of their squares, in 16 `u16`
//!   lanes flushed before they can overflow. The pairwise corrections (what item `i` adds in
//!   the rows where item `j` is missing) follow, and from the first table the all-items set's
//!   groups of rows missing one item;
//! - per set of all items, its incomplete rows missing more than one item per score (answered,
//!   sum): the rows, and per item the sum of the answers and how many miss it; its products
//!   over its complete rows are all rows' products less the incomplete rows' (one product pass
//!   over the compact columns);
//! - a small item set (few items on a short scale, such as a subscale of 4 five-point items):
//!   a count of each tuple of answers (missing as one more state) among its incomplete rows,
//!   from which its incomplete-row sums, products and person-score groups follow;
//! - any other set: a table of its incomplete rows per score, as for all items, and products
//!   over the compact rows incomplete on it.
//!
//! Sums are integers, so the result is the same bits as the row-by-row definition.

use super::{Group, PairSums, SetSums, gram, gram_where, packed, sum_u8};
use crate::matrix::MISSING_U8;
use std::collections::BTreeMap;

/// Instruments of at most this many items take this path: one lane per item.
pub(super) const LANES: usize = 16;

/// Largest count of answer tuples kept for an item set.
pub(super) const TUPLES: usize = 1 << 13;

/// Spare tuple counters (for the rows complete on a set).
const SPARE: usize = 8;

/// Incomplete rows transposed into lanes at a time (the buffer stays in L1).
const PART: usize = 256;

/// Rows accumulated before the sums are handed over (per-key `u32` counters cannot overflow).
pub(super) const MAX_ROWS: u64 = 1 << 31;

/// An unused slot of a [`Table`]'s index.
const EMPTY: u32 = u32::MAX;

/// Key spaces of at most this many keys have every entry made at once; of at most
/// [`DIRECT`], an index of slots; larger ones a hashed index.
const DENSE: usize = 1 << 10;

/// See [`DENSE`].
const DIRECT: usize = 1 << 13;

type Lanes = [u16; LANES];

/// The lanes of the rows that share a key since the last flush: per item the sum of the
/// answers, and a second sum (their squares, or how many miss the item).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Entry {
    s: Lanes,
    b: Lanes,
}

const ZERO: Entry = Entry {
    s: [0; LANES],
    b: [0; LANES],
};

/// An entry's flushed sums.
#[derive(Clone, Copy)]
struct Totals {
    rows: u64,
    s: [u64; LANES],
    b: [u64; LANES],
}

const NONE: Totals = Totals {
    rows: 0,
    s: [0; LANES],
    b: [0; LANES],
};

/// Where a key's entry is.
enum Index {
    /// Every key's entry made at once, at the key.
    Dense,
    /// One slot per key.
    Direct(Vec<u32>),
    /// Open addressing over (key, entry).
    Hash { slots: Vec<(u32, u32)>, shift: u32 },
}

/// Rows grouped by a key, each group's lanes in an [`Entry`] flushed to `u64` before they can
/// overflow.
struct Table {
    index: Index,
    keys: Vec<u32>,
    entries: Vec<Entry>,
    counts: Vec<u32>,
    totals: Vec<Totals>,
    /// Rows an entry's lanes take before they are flushed.
    limit: u32,
}

impl Table {
    /// A table of keys below `keys`, each row adding at most `per_row` to a lane.
    fn new(keys: usize, per_row: u64) -> Self {
        let limit = (u64::from(u16::MAX) / per_row.max(1)).max(1) as u32;
        if keys <= DENSE {
            return Table {
                index: Index::Dense,
                keys: (0..keys as u32).collect(),
                entries: vec![ZERO; keys],
                counts: vec![0; keys],
                totals: Vec::new(),
                limit,
            };
        }
        let index = if keys <= DIRECT {
            Index::Direct(vec![EMPTY; keys])
        } else {
            Index::Hash {
                slots: vec![(EMPTY, 0); 1 << 8],
                shift: 32 - 8,
            }
        };
        Table {
            index,
            keys: Vec::new(),
            entries: Vec::new(),
            counts: Vec::new(),
            totals: Vec::new(),
            limit,
        }
    }

    /// A new entry for `key`.
    fn push(&mut self, key: u32) -> u32 {
        let e = self.entries.len() as u32;
        self.keys.push(key);
        self.entries.push(ZERO);
        self.counts.push(0);
        e
    }

    /// The entry of `key`, made if new.
    #[inline(always)]
    fn entry(&mut self, key: u32) -> usize {
        match &self.index {
            Index::Dense => key as usize,
            Index::Direct(slots) => match slots.get(key as usize) {
                Some(&e) if e != EMPTY => e as usize,
                _ => self.insert(key, None),
            },
            Index::Hash { .. } => self.hashed(key),
        }
    }

    /// The entry of `key` in a hashed index, made if new.
    #[inline(never)]
    fn hashed(&mut self, key: u32) -> usize {
        let Index::Hash { slots, shift } = &self.index else {
            return self.insert(key, None);
        };
        let mask = slots.len() - 1;
        let mut h = (key.wrapping_mul(0x9E37_79B1) >> *shift) as usize;
        loop {
            match slots.get(h) {
                Some(&(k, e)) if k == key => return e as usize,
                Some(&(k, _)) if k != EMPTY => h = (h + 1) & mask,
                _ => return self.insert(key, Some(h)),
            }
        }
    }

    /// A new entry for `key`, at slot `h` of a hashed index.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, key: u32, h: Option<usize>) -> usize {
        let e = self.push(key);
        match &mut self.index {
            Index::Dense => {}
            Index::Direct(slots) => {
                if let Some(slot) = slots.get_mut(key as usize) {
                    *slot = e;
                }
            }
            Index::Hash { slots, shift } => {
                if let Some(slot) = h.and_then(|h| slots.get_mut(h)) {
                    *slot = (key, e);
                }
                if 2 * self.keys.len() >= slots.len() {
                    // Double the index.
                    let size = slots.len() * 2;
                    *slots = vec![(EMPTY, 0); size];
                    *shift -= 1;
                    for (e, &key) in self.keys.iter().enumerate() {
                        let mut h = (key.wrapping_mul(0x9E37_79B1) >> *shift) as usize;
                        while let Some(slot) = slots.get_mut(h) {
                            if slot.0 == EMPTY {
                                *slot = (key, e as u32);
                                break;
                            }
                            h = (h + 1) & (size - 1);
                        }
                    }
                }
            }
        }
        e as usize
    }

    /// Adds one row's lanes under `key`.
    #[inline(always)]
    fn add(&mut self, key: u32, s: &Lanes, b: &Lanes) {
        let e = self.entry(key);
        let (Some(entry), Some(count)) = (self.entries.get_mut(e), self.counts.get_mut(e)) else {
            return;
        };
        let (mut es, mut eb) = (entry.s, entry.b);
        for l in 0..LANES {
            es[l] = es[l].wrapping_add(s[l]);
            eb[l] = eb[l].wrapping_add(b[l]);
        }
        *entry = Entry { s: es, b: eb };
        *count += 1;
        if *count >= self.limit {
            self.flush_entry(e);
        }
    }

    /// Flushes entry `e`'s lanes.
    #[cold]
    #[inline(never)]
    fn flush_entry(&mut self, e: usize) {
        if self.totals.len() <= e {
            self.totals.resize(e + 1, NONE);
        }
        if let (Some(entry), Some(count), Some(t)) = (
            self.entries.get_mut(e),
            self.counts.get_mut(e),
            self.totals.get_mut(e),
        ) {
            flush(entry, count, t);
        }
    }

    /// Calls `f` with every key that has rows, and its sums.
    fn each(&self, mut f: impl FnMut(u32, &Totals)) {
        for (e, ((&key, entry), &count)) in self
            .keys
            .iter()
            .zip(&self.entries)
            .zip(&self.counts)
            .enumerate()
        {
            let mut t = self.totals.get(e).copied().unwrap_or(NONE);
            let mut entry = *entry;
            let mut count = count;
            flush(&mut entry, &mut count, &mut t);
            if t.rows > 0 {
                f(key, &t);
            }
        }
    }
}

fn flush(entry: &mut Entry, count: &mut u32, t: &mut Totals) {
    t.rows += u64::from(*count);
    for (a, b) in t.s.iter_mut().zip(&entry.s) {
        *a += u64::from(*b);
    }
    for (a, b) in t.b.iter_mut().zip(&entry.b) {
        *a += u64::from(*b);
    }
    *entry = ZERO;
    *count = 0;
}

/// How an item set's incomplete rows are summed.
enum Kind {
    /// Counts of the answer tuples of its incomplete rows (per item `0..=span`, or `span + 1`
    /// when missing), at `sum(state x base^position)`.
    Tuples { base: u16, counts: Vec<u32> },
    /// A table of its incomplete rows keyed by their score, `answered x per + sum` over the
    /// set, with per item the sum of the answers and how many rows miss it; products over the
    /// incomplete rows from the compact columns (`whole`: every incomplete row is one of them).
    Groups { table: Table, per: u32, whole: bool },
}

/// One item set's plan and its sums over the incomplete rows.
struct Plan {
    items: Vec<usize>,
    m: u32,
    mask: u16,
    kind: Kind,
    /// Per compact row, the key (tuple index, or the set's sum).
    keys: Vec<u16>,
    /// Products over its incomplete rows (packed over set positions), for `Groups`.
    cross: Vec<u64>,
}

impl Plan {
    /// The keys of a block's incomplete rows (`compact` columns, their `patterns`), their
    /// tuple counts, and their products where the plan needs them.
    #[inline(never)]
    fn add_block(&mut self, cv: &[&[u8]], inc_pattern: &[u16], span: u64) {
        let plan = self;
        let n = inc_pattern.len();
        let cols: Vec<&[u8]> = plan
            .items
            .iter()
            .map(|&i| cv.get(i).copied().unwrap_or_default())
            .collect();
        plan.keys.clear();
        plan.keys.resize(n, 0);
        match &mut plan.kind {
            Kind::Tuples { base, counts } => {
                let base = *base;
                let gone = span as u16 + 1;
                let mut weight = 1u16;
                for (&i, col) in plan.items.iter().zip(&cols) {
                    for ((key, &x), &p) in plan.keys.iter_mut().zip(col.iter()).zip(inc_pattern) {
                        let state = u16::from(x) + gone * ((p >> i) & 1);
                        *key = key.wrapping_add(state.wrapping_mul(weight));
                    }
                    weight = weight.wrapping_mul(base);
                }
                // Rows complete on the set count in the last counters, which are never read
                // (no branch per row; several, so no add waits on the one before).
                let spare = counts.len().saturating_sub(SPARE) as u16;
                for (r, (key, &p)) in plan.keys.iter_mut().zip(inc_pattern).enumerate() {
                    let on = 0u16.wrapping_sub(u16::from(p & plan.mask != 0));
                    *key = (*key & on) | ((spare + (r % SPARE) as u16) & !on);
                }
                for &key in &plan.keys {
                    if let Some(c) = counts.get_mut(usize::from(key)) {
                        *c += 1;
                    }
                }
            }
            Kind::Groups { whole, .. } => {
                let whole = *whole;
                for col in &cols {
                    for (key, &x) in plan.keys.iter_mut().zip(col.iter()) {
                        *key += u16::from(x);
                    }
                }
                let cross = if whole {
                    gram(&cols, &cols, span)
                } else {
                    gram_where(&cols, inc_pattern.iter().map(|&p| p & plan.mask != 0), span)
                };
                for (c, x) in plan.cross.iter_mut().zip(cross) {
                    *c += x;
                }
            }
        }
    }
}

/// The sums of the blocks with missing cells of one range of rows, handed to the moments by
/// [`Sparse::finish`].
pub(super) struct Sparse {
    k: usize,
    span: u64,
    /// Rows added.
    pub(super) rows: u64,
    answered: Vec<u64>,
    sums: Vec<u64>,
    /// Over all rows, missing as 0: packed `k x k`.
    products: Vec<u64>,
    /// The incomplete rows missing one item, keyed by the item and the sum over all items
    /// (`item x per + sum`), with the squares of the answers.
    single: Table,
    per: u32,
    /// The incomplete rows missing more, keyed by their pattern, with the squares.
    patterns: Table,
    plans: Vec<Plan>,
    // Per block, kept for their allocations.
    masked: Vec<Vec<u8>>,
    pattern: Vec<u16>,
    inc: Vec<u32>,
    inc_pattern: Vec<u16>,
    compact: Vec<Vec<u8>>,
    total: Vec<u16>,
    lanes: Vec<Lanes>,
}

impl Sparse {
    /// For `k <= LANES` items on a scale of `span <= 254` steps and these item sets; a set
    /// of `m` items other than all keeps tuple counts when `(span + 2)^m <= tuples`.
    pub(super) fn new(k: usize, span: u64, sets: &[SetSums], tuples: usize) -> Self {
        let base = span + 2;
        let plans = sets
            .iter()
            .map(|s| {
                let m = s.items.len();
                let mask = s
                    .items
                    .iter()
                    .fold(0u16, |a, &i| a | 1u16.checked_shl(i as u32).unwrap_or(0));
                let size = u32::try_from(m)
                    .ok()
                    .and_then(|m| base.checked_pow(m))
                    .filter(|&n| n <= tuples as u64);
                let whole = s.items.iter().copied().eq(0..k);
                let kind = match size {
                    Some(n) if !whole => Kind::Tuples {
                        base: base as u16,
                        counts: vec![0; n as usize + SPARE],
                    },
                    _ => {
                        let per = span as usize * m + 1;
                        Kind::Groups {
                            table: Table::new((m + 1) * per, span),
                            per: per as u32,
                            whole,
                        }
                    }
                };
                Plan {
                    items: s.items.clone(),
                    m: m as u32,
                    mask,
                    kind,
                    keys: Vec::new(),
                    cross: vec![0; m * (m + 1) / 2],
                }
            })
            .collect();
        Sparse {
            k,
            span,
            rows: 0,
            answered: vec![0; k],
            sums: vec![0; k],
            products: vec![0; k * (k + 1) / 2],
            single: Table::new(k * (span as usize * k + 1), span * span),
            per: (span as usize * k + 1) as u32,
            patterns: Table::new(1 << k, span * span),
            plans,
            masked: vec![Vec::new(); k],
            pattern: Vec::new(),
            inc: Vec::new(),
            inc_pattern: Vec::new(),
            compact: vec![Vec::new(); k],
            total: Vec::new(),
            lanes: vec![[0; LANES]; PART],
        }
    }

    /// Adds a block of columns (of at most `moments::BLOCK` rows) with `missing` cells per
    /// column.
    pub(super) fn add_block(&mut self, blocks: &[&[u8]], missing: &[usize]) {
        let Sparse {
            k: _,
            span,
            rows,
            answered,
            sums,
            products,
            single,
            per,
            patterns,
            plans,
            masked,
            pattern,
            inc,
            inc_pattern,
            compact,
            total,
            lanes,
        } = self;
        let span = *span;
        let len = blocks.first().map_or(0, |b| b.len());
        *rows += len as u64;
        // Missing cells as 0, and each row's pattern of missing items.
        mask_block(blocks, missing, masked, pattern);
        for (a, &m) in answered.iter_mut().zip(missing) {
            *a += (len - m) as u64;
        }
        let v: Vec<&[u8]> = blocks
            .iter()
            .zip(missing)
            .zip(masked.iter())
            .map(|((b, &m), buf)| if m == 0 { *b } else { buf.as_slice() })
            .collect();
        for (s, c) in sums.iter_mut().zip(&v) {
            *s += sum_u8(c);
        }
        for (p, x) in products.iter_mut().zip(gram(&v, &v, span)) {
            *p += x;
        }
        // The incomplete rows, their patterns and cells.
        let singles = gather(&v, pattern, inc, inc_pattern, compact);
        let cv: Vec<&[u8]> = compact.iter().map(Vec::as_slice).collect();
        total.clear();
        total.resize(inc.len(), 0);
        for c in &cv {
            for (t, &x) in total.iter_mut().zip(c.iter()) {
                *t += u16::from(x);
            }
        }
        // Each set's key per incomplete row, and its products over them where needed.
        for plan in plans.iter_mut() {
            plan.add_block(&cv, inc_pattern, span);
        }
        // Row by row, a few hundred at a time in lanes.
        rows_block(
            &Compact {
                cols: &cv,
                patterns: inc_pattern,
                total,
                singles,
            },
            &mut Tables {
                single,
                per: *per,
                patterns,
            },
            plans,
            lanes,
        );
    }

    /// Adds the sums into the moments' pairs and sets (those `new` was given).
    pub(super) fn finish(self, pairs: &mut [PairSums], sets: &mut [SetSums]) {
        let Sparse {
            k,
            span,
            rows,
            answered,
            sums,
            products,
            single,
            per: single_per,
            patterns,
            plans,
            ..
        } = self;
        // What item `i` adds in the rows where item `j` is missing, at `j * k + i`.
        let mut corr_s = vec![0u64; k * k];
        let mut corr_q = vec![0u64; k * k];
        let mut corr_n = vec![0u64; k * k];
        let mut correct = |p: u32, t: &Totals| {
            let mut bits = p;
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let at = j * k..(j + 1) * k;
                let (Some(cs), Some(cq), Some(cn)) = (
                    corr_s.get_mut(at.clone()),
                    corr_q.get_mut(at.clone()),
                    corr_n.get_mut(at),
                ) else {
                    continue;
                };
                for (i, ((s, q), n)) in cs.iter_mut().zip(cq).zip(cn).enumerate() {
                    *s += t.s.get(i).copied().unwrap_or(0);
                    *q += t.b.get(i).copied().unwrap_or(0);
                    *n += t.rows * u64::from(1 - ((p >> i) & 1));
                }
            }
        };
        single.each(|key, t| correct(1 << (key / single_per.max(1)), t));
        patterns.each(&mut correct);
        let at = |t: &[u64], j: usize, i: usize| t.get(j * k + i).copied().unwrap_or(0);
        let get = |t: &[u64], i: usize| t.get(i).copied().unwrap_or(0);
        for j in 0..k {
            for i in 0..=j {
                let s = PairSums {
                    n: get(&answered, i) - at(&corr_n, j, i),
                    s_i: u128::from(get(&sums, i) - at(&corr_s, j, i)),
                    s_j: u128::from(get(&sums, j) - at(&corr_s, i, j)),
                    q_i: u128::from(get(&products, packed(i, i)) - at(&corr_q, j, i)),
                    q_j: u128::from(get(&products, packed(j, j)) - at(&corr_q, i, j)),
                    p: u128::from(get(&products, packed(i, j))),
                };
                if let Some(t) = pairs.get_mut(packed(i, j)) {
                    t.add(&s);
                }
            }
        }
        for (plan, set) in plans.into_iter().zip(sets.iter_mut()) {
            let mut out = Incomplete::new(plan.items.len(), span);
            let cross = match plan.kind {
                Kind::Groups { table, per, whole } => {
                    out.groups_of(&table, per, &plan.items);
                    if whole {
                        out.singles(&single, single_per, &plan.items);
                    }
                    plan.cross
                }
                Kind::Tuples { base, counts } => {
                    let tuples = counts.len().saturating_sub(SPARE);
                    out.tuples(counts.get(..tuples).unwrap_or_default(), base, span)
                }
            };
            set.complete += rows - out.rows;
            for ((s, &i), &lost) in set.sum.iter_mut().zip(&plan.items).zip(&out.sum) {
                *s += u128::from(get(&sums, i) - lost);
            }
            for (b, &j) in plan.items.iter().enumerate() {
                for (a, &i) in plan.items.iter().enumerate().take(b + 1) {
                    let idx = packed(a, b);
                    if let Some(c) = set.cross.get_mut(idx) {
                        *c += u128::from(get(&products, packed(i, j)) - get(&cross, idx));
                    }
                }
            }
            out.flush_groups(&mut set.partial);
        }
    }
}

/// A block's incomplete rows, column by column.
struct Compact<'a> {
    cols: &'a [&'a [u8]],
    patterns: &'a [u16],
    /// Per row, the sum over all items.
    total: &'a [u16],
    /// Rows missing one item (the first ones).
    singles: usize,
}

/// The tables of the incomplete rows over all items.
struct Tables<'a> {
    /// Rows missing one item: keyed `missing item x per + sum`.
    single: &'a mut Table,
    per: u32,
    /// Rows missing more: keyed by pattern.
    patterns: &'a mut Table,
}

/// Puts rows `range` of compact columns into lanes, and calls `each` with each row's position
/// and lanes.
#[inline(always)]
fn in_lanes(
    cols: &[&[u8]],
    range: std::ops::Range<usize>,
    lanes: &mut [Lanes],
    mut each: impl FnMut(usize, &Lanes),
) {
    let mut start = range.start;
    while start < range.end {
        let end = (start + PART).min(range.end);
        for (i, c) in cols.iter().enumerate() {
            let Some(c) = c.get(start..end) else { continue };
            for (row, &x) in lanes.iter_mut().zip(c) {
                if let Some(cell) = row.get_mut(i) {
                    *cell = u16::from(x);
                }
            }
        }
        for (r, row) in lanes.iter().take(end - start).enumerate() {
            each(start + r, row);
        }
        start = end;
    }
}

/// The incomplete rows of a block, a few hundred at a time in lanes, into the tables over all
/// items and each plan's table of scores.
#[inline(never)]
fn rows_block(rows: &Compact<'_>, all: &mut Tables<'_>, plans: &mut [Plan], lanes: &mut [Lanes]) {
    let n = rows.patterns.len();
    let mut wholes: Vec<(&mut Table, u32, u32, &[u16])> = Vec::new();
    let mut parts: Vec<(&mut Table, u32, u16, u32, &[u16])> = Vec::new();
    for plan in plans.iter_mut() {
        if let Kind::Groups { table, per, whole } = &mut plan.kind {
            if *whole {
                wholes.push((table, *per, plan.m, plan.keys.as_slice()));
            } else {
                parts.push((table, *per, plan.mask, plan.m, plan.keys.as_slice()));
            }
        }
    }
    let squares = |row: &Lanes| -> Lanes {
        let mut q = [0u16; LANES];
        for l in 0..LANES {
            q[l] = row[l].wrapping_mul(row[l]);
        }
        q
    };
    let gone = |p: u16| -> Lanes {
        let mut g = [0u16; LANES];
        for (l, g) in g.iter_mut().enumerate() {
            *g = u16::from(p & (1 << l) != 0);
        }
        g
    };
    // Subsets of the items (rare: sets too large for tuple counts): every row on them.
    let mut parts_add = |r: usize, p: u16, row: &Lanes| {
        for (table, per, mask, m, keys) in parts.iter_mut() {
            let off = p & *mask;
            if off == 0 {
                continue;
            }
            let key = u32::from(keys.get(r).copied().unwrap_or(0));
            table.add((*m - off.count_ones()) * *per + key, row, &gone(p));
        }
    };
    // Rows missing one item: one add, keyed by the item and the sum.
    in_lanes(rows.cols, 0..rows.singles, lanes, |r, row| {
        let p = rows.patterns.get(r).copied().unwrap_or(0);
        let t = u32::from(rows.total.get(r).copied().unwrap_or(0));
        all.single
            .add(p.trailing_zeros() * all.per + t, row, &squares(row));
        parts_add(r, p, row);
    });
    // The others: by pattern, and by score for each set of all items.
    in_lanes(rows.cols, rows.singles..n, lanes, |r, row| {
        let p = rows.patterns.get(r).copied().unwrap_or(0);
        all.patterns.add(u32::from(p), row, &squares(row));
        let g = gone(p);
        for (table, per, m, keys) in wholes.iter_mut() {
            let key = u32::from(keys.get(r).copied().unwrap_or(0));
            table.add((*m - p.count_ones()) * *per + key, row, &g);
        }
        parts_add(r, p, row);
    });
}

/// Copies of the columns with missing cells, missing as 0, and each row's pattern of missing
/// items.
#[inline(never)]
fn mask_block(blocks: &[&[u8]], missing: &[usize], masked: &mut [Vec<u8>], pattern: &mut Vec<u16>) {
    let len = blocks.first().map_or(0, |b| b.len());
    pattern.clear();
    pattern.resize(len, 0);
    for (i, ((b, &m), buf)) in blocks
        .iter()
        .zip(missing)
        .zip(masked.iter_mut())
        .enumerate()
    {
        if m == 0 {
            continue;
        }
        buf.clear();
        buf.extend(
            b.iter()
                .map(|&x| x & 0u8.wrapping_sub(u8::from(x != MISSING_U8))),
        );
        for (p, &x) in pattern.iter_mut().zip(b.iter()) {
            *p |= u16::from(x == MISSING_U8) << i;
        }
    }
}

/// The incomplete rows (and their patterns) of a block, gathered column by column: the rows
/// missing one item (how many is returned), then the others.
#[inline(never)]
fn gather(
    v: &[&[u8]],
    pattern: &[u16],
    inc: &mut Vec<u32>,
    inc_pattern: &mut Vec<u16>,
    compact: &mut [Vec<u8>],
) -> usize {
    let len = pattern.len();
    inc.clear();
    inc.resize(len + 1, 0);
    inc_pattern.clear();
    inc_pattern.resize(len + 1, 0);
    // Rows missing one item first, then rows missing more.
    let mut n = 0;
    for (r, &p) in pattern.iter().enumerate() {
        if let (Some(a), Some(b)) = (inc.get_mut(n), inc_pattern.get_mut(n)) {
            *a = r as u32;
            *b = p;
        }
        n += usize::from(p.count_ones() == 1);
    }
    let singles = n;
    for (r, &p) in pattern.iter().enumerate() {
        if let (Some(a), Some(b)) = (inc.get_mut(n), inc_pattern.get_mut(n)) {
            *a = r as u32;
            *b = p;
        }
        n += usize::from(p & p.wrapping_sub(1) != 0);
    }
    inc.truncate(n);
    inc_pattern.truncate(n);
    for (c, col) in compact.iter_mut().zip(v) {
        c.clear();
        c.extend(
            inc.iter()
                .map(|&r| col.get(r as usize).copied().unwrap_or(0)),
        );
    }
    singles
}

/// One set's sums over its incomplete rows, and their person-score groups.
struct Incomplete {
    m: usize,
    rows: u64,
    sum: Vec<u64>,
    /// Per score `answered * per + sum`, where its counters are (or `u32::MAX`).
    per: usize,
    groups: Vec<u32>,
    /// Per group: rows, then per item the answered count, then per item the sum.
    counters: Vec<u64>,
}

impl Incomplete {
    fn new(m: usize, span: u64) -> Self {
        let per = span as usize * m + 1;
        Incomplete {
            m,
            rows: 0,
            sum: vec![0; m],
            per,
            groups: vec![u32::MAX; (m + 1) * per],
            counters: Vec::new(),
        }
    }

    /// The counters of the group of score `(answered, sum)`, made if new.
    fn group(&mut self, answered: usize, sum: usize) -> Option<&mut [u64]> {
        let width = 1 + 2 * self.m;
        let slot = self.groups.get_mut(answered * self.per + sum)?;
        if *slot == u32::MAX {
            *slot = (self.counters.len() / width) as u32;
            self.counters.resize(self.counters.len() + width, 0);
        }
        let at = *slot as usize * width;
        self.counters.get_mut(at..at + width)
    }

    /// From a table keyed by score (`answered x per + sum`).
    fn groups_of(&mut self, table: &Table, per: u32, items: &[usize]) {
        let m = self.m;
        table.each(|key, t| {
            let (answered, total) = ((key / per.max(1)) as usize, (key % per.max(1)) as usize);
            self.rows += t.rows;
            for (s, &i) in self.sum.iter_mut().zip(items) {
                *s += t.s.get(i).copied().unwrap_or(0);
            }
            if answered == 0 {
                return;
            }
            let Some(c) = self.group(answered, total) else {
                return;
            };
            let (head, rest) = c.split_at_mut(1);
            if let Some(h) = head.first_mut() {
                *h += t.rows;
            }
            let (ns, xs) = rest.split_at_mut(m);
            for ((n, x), &i) in ns.iter_mut().zip(xs.iter_mut()).zip(items) {
                *n += t.rows - t.b.get(i).copied().unwrap_or(0);
                *x += t.s.get(i).copied().unwrap_or(0);
            }
        });
    }

    /// From the table of the rows missing one item (`item x per + sum`), for a set of all items.
    fn singles(&mut self, table: &Table, per: u32, items: &[usize]) {
        let m = self.m;
        table.each(|key, t| {
            let (j, total) = ((key / per.max(1)) as usize, (key % per.max(1)) as usize);
            self.rows += t.rows;
            for (s, &i) in self.sum.iter_mut().zip(items) {
                *s += t.s.get(i).copied().unwrap_or(0);
            }
            if m < 2 {
                return;
            }
            let Some(c) = self.group(m - 1, total) else {
                return;
            };
            let (head, rest) = c.split_at_mut(1);
            if let Some(h) = head.first_mut() {
                *h += t.rows;
            }
            let (ns, xs) = rest.split_at_mut(m);
            for ((n, x), &i) in ns.iter_mut().zip(xs.iter_mut()).zip(items) {
                *n += t.rows * u64::from(i != j);
                *x += t.s.get(i).copied().unwrap_or(0);
            }
        });
    }

    /// From counts of answer tuples; returns the products over the incomplete rows.
    fn tuples(&mut self, counts: &[u32], base: u16, span: u64) -> Vec<u64> {
        let m = self.m;
        let base = usize::from(base.max(1));
        let mut cross = vec![0; m * (m + 1) / 2];
        let mut xs = vec![0u64; m];
        let mut here = vec![0u64; m];
        for (idx, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = u64::from(c);
            let mut rest = idx;
            for (x, h) in xs.iter_mut().zip(here.iter_mut()) {
                let state = (rest % base) as u64;
                rest /= base;
                *h = u64::from(state <= span);
                *x = state * *h;
            }
            self.rows += c;
            for (s, &x) in self.sum.iter_mut().zip(&xs) {
                *s += c * x;
            }
            for (b, &y) in xs.iter().enumerate() {
                for (a, &x) in xs.iter().enumerate().take(b + 1) {
                    if let Some(p) = cross.get_mut(packed(a, b)) {
                        *p += c * x * y;
                    }
                }
            }
            let answered = here.iter().sum::<u64>() as usize;
            if answered == 0 {
                continue;
            }
            let total = xs.iter().sum::<u64>() as usize;
            let Some(cs) = self.group(answered, total) else {
                continue;
            };
            let (head, rest) = cs.split_at_mut(1);
            if let Some(h) = head.first_mut() {
                *h += c;
            }
            let (ns, ss) = rest.split_at_mut(m);
            for (((n, s), &h), &x) in ns.iter_mut().zip(ss.iter_mut()).zip(&here).zip(&xs) {
                *n += c * h;
                *s += c * x;
            }
        }
        cross
    }

    /// Adds the groups into a set's person-score groups.
    fn flush_groups(&self, partial: &mut BTreeMap<(u32, u64), Group>) {
        let m = self.m;
        let width = 1 + 2 * m;
        for (g, &slot) in self.groups.iter().enumerate() {
            if slot == u32::MAX {
                continue;
            }
            let at = slot as usize * width;
            let Some(c) = self.counters.get(at..at + width) else {
                continue;
            };
            let rows = c.first().copied().unwrap_or(0);
            if rows == 0 {
                continue;
            }
            let key = ((g / self.per) as u32, (g % self.per) as u64);
            let e = partial.entry(key).or_insert_with(|| Group::new(m));
            e.rows += rows;
            for (n, x) in e.item_n.iter_mut().zip(c.iter().skip(1)) {
                *n += x;
            }
            for (s, x) in e.item_sum.iter_mut().zip(c.iter().skip(1 + m)) {
                *s += u128::from(*x);
            }
        }
    }
}
