//! The exact, mergeable accumulator of item statistics.

use super::{Columns, MISSING_U8, MISSING_U32, ResponseMatrix};
use crate::error::{Error, Result};
use crate::instruments::Instrument;
use std::collections::BTreeMap;

#[path = "sparse.rs"]
mod sparse;

/// Rows per block: each block's columns stay in cache while every pair of them is multiplied,
/// and per-block sums of products of bytes fit `u32` (254 x 254 x 16,384 < 2^32).
const BLOCK: usize = 16_384;

/// Largest dense table of (answered, sum) groups kept per set and block (counters).
const DENSE_GROUPS: usize = 1 << 16;

/// Combines two partial results into the result of their union.
///
/// As in the `average` crate's `Merge`, merging the accumulators of two parts of the data gives
/// what accumulating the whole would give. Here accumulation is exact (integers), so the result
/// is the same bit for bit whatever the split, the order or the number of threads. Unlike
/// `average`'s, merging can fail, and each implementation names how in its [`Merge::Error`]:
/// accumulators of different instruments do not combine ([`Moments`] merge with the crate's
/// [`Error`]), while counts always add
/// (`TalkingTherapiesSummary` merges with [`Infallible`](std::convert::Infallible), so
/// `let Ok(()) = a.merge(&b);` needs no error handling).
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::matrix::{Merge, ResponseMatrix};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let wai = catalog::require("wai-sr")?;
/// let a = ResponseMatrix::from_rows(&wai, [[Some(4.0); 12]])?.moments();
/// let b = ResponseMatrix::from_rows(&wai, [[Some(2.0); 12]])?.moments();
/// let mut both = a.clone();
/// both.merge(&b)?;
/// assert_eq!(both.rows(), 2);
/// let srs = ResponseMatrix::from_rows(&catalog::require("srs")?, [[None; 4]])?.moments();
/// assert_eq!(both.merge(&srs).unwrap_err().code(), "instrument_mismatch");
/// # Ok(())
/// # }
/// ```
pub trait Merge {
    /// Why two cannot be combined: [`Infallible`](std::convert::Infallible) where merging
    /// cannot fail.
    type Error;

    /// Adds `other` into `self`.
    ///
    /// # Errors
    /// When the two cannot be combined (the implementation says which).
    fn merge(&mut self, other: &Self) -> std::result::Result<(), Self::Error>;
}

/// Sums over the rows where both items of a pair are answered, in keyed units offset by the
/// scale minimum: the pair's count, each item's sum and sum of squares, and the sum of products.
/// For `i == j`, the item's own count, sum and sum of squares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PairSums {
    pub(crate) n: u64,
    pub(crate) s_i: u128,
    pub(crate) s_j: u128,
    pub(crate) q_i: u128,
    pub(crate) q_j: u128,
    pub(crate) p: u128,
}

impl PairSums {
    fn add(&mut self, o: &PairSums) {
        self.n += o.n;
        self.s_i += o.s_i;
        self.s_j += o.s_j;
        self.q_i += o.q_i;
        self.q_j += o.q_j;
        self.p += o.p;
    }
}

/// The sums of one item set (a subscale, or all items) over its complete rows, and the person
/// scores of its incomplete rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SetSums {
    /// Item positions.
    pub(crate) items: Vec<usize>,
    /// Rows answered on every item of the set.
    pub(crate) complete: u64,
    /// Per set item: the sum over complete rows.
    pub(crate) sum: Vec<u128>,
    /// Packed lower triangle (set positions `a <= b` at `b (b + 1) / 2 + a`): sums of products
    /// over complete rows.
    pub(crate) cross: Vec<u128>,
    /// Rows with some but not all items answered, grouped by (answered, sum).
    pub(crate) partial: BTreeMap<(u32, u64), Group>,
}

/// The rows of a set that share an answered count and a sum (so a person score): how many, and
/// per set item how many of them answered it and the sum of those answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) rows: u64,
    pub(crate) item_n: Vec<u64>,
    pub(crate) item_sum: Vec<u128>,
}

impl Group {
    fn new(m: usize) -> Self {
        Group {
            rows: 0,
            item_n: vec![0; m],
            item_sum: vec![0; m],
        }
    }

    fn add(&mut self, o: &Group) {
        self.rows += o.rows;
        for (a, b) in self.item_n.iter_mut().zip(&o.item_n) {
            *a += b;
        }
        for (a, b) in self.item_sum.iter_mut().zip(&o.item_sum) {
            *a += b;
        }
    }
}

impl SetSums {
    fn new(items: Vec<usize>) -> Self {
        let m = items.len();
        SetSums {
            items,
            complete: 0,
            sum: vec![0; m],
            cross: vec![0; m * (m + 1) / 2],
            partial: BTreeMap::new(),
        }
    }

    fn add(&mut self, o: &SetSums) {
        self.complete += o.complete;
        for (a, b) in self.sum.iter_mut().zip(&o.sum) {
            *a += b;
        }
        for (a, b) in self.cross.iter_mut().zip(&o.cross) {
            *a += b;
        }
        let m = self.items.len();
        for (key, g) in &o.partial {
            self.partial
                .entry(*key)
                .or_insert_with(|| Group::new(m))
                .add(g);
        }
    }
}

/// Position of pair `i <= j` in a packed lower triangle.
pub(crate) fn packed(i: usize, j: usize) -> usize {
    let (i, j) = if i <= j { (i, j) } else { (j, i) };
    j * (j + 1) / 2 + i
}

/// The exact sums of a matrix's items, accumulated in one pass: for every pair of items the
/// pairwise-complete count, sums, sums of squares and sum of products; for every item set (each
/// subscale, and all items) the same over its complete rows and the person scores of its other
/// rows; and each item's response counts. Every reliability statistic is computed from these.
///
/// Integers throughout, so the result does not depend on row order, chunking or threads; merge
/// partial results with [`Merge`]. Memory does not grow with the rows: O(k²) sums for k items,
/// plus, per item set, one small record for each distinct (answered count, sum) among rows that
/// skip some of its items (at most (m + 1)(m x steps + 1) for m items on a scale of that many
/// steps; a handful in practice).
///
/// [`Extend`] and [`FromIterator`] take matrices (chunks of the data); a chunk of another
/// instrument is kept as an error that [`Moments::check`] and every statistic report.
///
/// ```
/// use therapeutic_alliance::catalog;
/// use therapeutic_alliance::matrix::{Moments, ResponseMatrix};
///
/// # fn main() -> Result<(), therapeutic_alliance::Error> {
/// let wai = catalog::require("wai-sr")?;
/// let chunks = [
///     ResponseMatrix::from_rows(&wai, [[Some(4.0); 12], [Some(3.0); 12]])?,
///     ResponseMatrix::from_rows(&wai, [[Some(5.0); 12]])?,
/// ];
/// let moments: Moments = chunks.iter().collect();
/// assert_eq!(moments.rows(), 3);
/// assert_eq!(moments.item_mean(0), Some(4.0));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    instrument: Option<Instrument>,
    rows: u64,
    k: usize,
    pairs: Vec<PairSums>,
    sets: Vec<SetSums>,
    /// Per item, the count of each category `0..=span` (narrow scales of at most 100 steps).
    freq: Option<Vec<Vec<u64>>>,
    error: Option<Error>,
}

impl Moments {
    /// Accumulators with nothing in them, for `instrument`: one set per subscale, then all items.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::Moments;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = Moments::new(&catalog::require("wai-sr")?);
    /// assert_eq!(m.rows(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(instrument: &Instrument) -> Self {
        let k = instrument.items().len();
        let mut sets: Vec<SetSums> = instrument
            .compiled()
            .subscales
            .iter()
            .map(|s| SetSums::new(s.items.iter().map(|&i| i as usize).collect()))
            .collect();
        sets.push(SetSums::new((0..k).collect()));
        let span = super::span_units(instrument);
        let freq = (span <= 100).then(|| vec![vec![0u64; span as usize + 1]; k]);
        Moments {
            instrument: Some(instrument.clone()),
            rows: 0,
            k,
            pairs: vec![PairSums::default(); k * (k + 1) / 2],
            sets,
            freq,
            error: None,
        }
    }

    /// The moments of rows `range` of a matrix (in range: checked by the caller).
    pub(super) fn of_rows(m: &ResponseMatrix, range: std::ops::Range<usize>) -> Self {
        let mut out = Moments::new(m.instrument());
        out.add_rows(m, range);
        out
    }

    /// Adds rows `range` of a matrix of the same instrument.
    fn add_rows(&mut self, m: &ResponseMatrix, range: std::ops::Range<usize>) {
        self.add_rows_with(m, range, sparse::TUPLES, sparse::MAX_ROWS);
    }

    /// [`Moments::add_rows`], the blocks with missing cells keeping tuple counts for sets of
    /// at most `tuples` answer tuples and handing their sums over every `max_rows` rows (tests
    /// use small ones to reach every path).
    fn add_rows_with(
        &mut self,
        m: &ResponseMatrix,
        range: std::ops::Range<usize>,
        tuples: usize,
        max_rows: u64,
    ) {
        // The sums of the blocks with missing cells (instruments of at most 16 items), handed
        // over at the end.
        let mut sparse = None;
        self.add_blocks(m, range, &mut sparse, tuples, max_rows);
        if let Some(s) = sparse {
            s.finish(&mut self.pairs, &mut self.sets);
        }
    }

    /// Adds rows `range` block by block, the blocks with missing cells into `sparse` (handed
    /// over every `max_rows` rows).
    fn add_blocks(
        &mut self,
        m: &ResponseMatrix,
        range: std::ops::Range<usize>,
        sparse: &mut Option<sparse::Sparse>,
        tuples: usize,
        max_rows: u64,
    ) {
        let mut start = range.start;
        while start < range.end {
            let end = (start + BLOCK).min(range.end);
            match m.columns() {
                Columns::Narrow(cols) => {
                    self.add_narrow_block(cols, start..end, sparse, tuples);
                }
                Columns::Wide(cols) => self.add_wide_block(cols, start..end),
            }
            if let Some(s) = sparse.take_if(|s: &mut sparse::Sparse| s.rows >= max_rows) {
                s.finish(&mut self.pairs, &mut self.sets);
            }
            start = end;
        }
    }

    /// An accumulator of chunks of `m`'s rows, in any order (for a thread of
    /// `ResponseMatrix::moments_parallel`): the blocks with missing cells share one set of
    /// sparse sums, handed over once by [`Accumulator::finish`].
    #[cfg(feature = "parallel")]
    pub(super) fn accumulator(m: &ResponseMatrix) -> Accumulator<'_> {
        Accumulator {
            matrix: m,
            moments: Moments::new(m.instrument()),
            sparse: None,
        }
    }

    /// Adds a block of at most [`BLOCK`] rows of narrow columns.
    fn add_narrow_block(
        &mut self,
        cols: &[Vec<u8>],
        rows: std::ops::Range<usize>,
        sparse: &mut Option<sparse::Sparse>,
        tuples: usize,
    ) {
        let len = rows.len();
        let span = self
            .instrument
            .as_ref()
            .map_or(0, |i| super::span_units(i).unsigned_abs());
        self.rows += len as u64;
        let blocks: Vec<&[u8]> = cols
            .iter()
            .map(|c| c.get(rows.clone()).unwrap_or_default())
            .collect();
        let missing: Vec<usize> = blocks
            .iter()
            .map(|b| count_eq(b, MISSING_U8) as usize)
            .collect();
        if let Some(freq) = self.freq.as_mut() {
            for (b, f) in blocks.iter().zip(freq.iter_mut()) {
                count_categories(b, f);
            }
        }
        if missing.iter().any(|&m| m > 0) && self.k <= sparse::LANES {
            sparse
                .get_or_insert_with(|| sparse::Sparse::new(self.k, span, &self.sets, tuples))
                .add_block(&blocks, &missing);
            return;
        }
        if missing.iter().any(|&m| m > 0) && self.k <= 64 {
            self.add_sparse_missing(&blocks, &missing, span);
            return;
        }
        // Values with missing as 0, and presence as 0/1: copies only for columns with missing.
        let masked: Vec<Option<Vec<u8>>> = blocks
            .iter()
            .zip(&missing)
            .map(|(b, &m)| {
                (m > 0).then(|| {
                    b.iter()
                        .map(|&x| if x == MISSING_U8 { 0 } else { x })
                        .collect()
                })
            })
            .collect();
        let v: Vec<&[u8]> = blocks
            .iter()
            .zip(&masked)
            .map(|(b, m)| m.as_deref().unwrap_or(b))
            .collect();
        let ones = vec![1u8; len];
        let flags: Vec<Option<Vec<u8>>> = blocks
            .iter()
            .zip(&missing)
            .map(|(b, &m)| (m > 0).then(|| b.iter().map(|&x| u8::from(x != MISSING_U8)).collect()))
            .collect();
        let present: Vec<&[u8]> = flags
            .iter()
            .map(|f| f.as_deref().unwrap_or(&ones))
            .collect();
        // The rows of each column where it is missing, for the pairwise corrections below.
        let missing_rows: Vec<Vec<u32>> = blocks
            .iter()
            .zip(&missing)
            .map(|(b, &m)| {
                if m == 0 {
                    return Vec::new();
                }
                b.iter()
                    .enumerate()
                    .filter(|&(_, &x)| x == MISSING_U8)
                    .map(|(r, _)| r as u32)
                    .collect()
            })
            .collect();
        // Item sums and sums of squares over each item's answered rows.
        let sums: Vec<u64> = v.iter().map(|c| sum_u8(c)).collect();
        let squares: Vec<u64> = v.iter().map(|c| dot_u8(c, c, span)).collect();
        // Pairwise sums; the products are kept for the complete-row sums of the sets. Over the
        // rows where both items are answered: item i's sum is its own sum less its answers in
        // the rows where j is missing (few, at realistic missingness), and so on.
        let mut products = vec![0u64; self.pairs.len()];
        for i in 0..self.k {
            products[packed(i, i)] = squares[i];
            // Four products per pass over column i: a quarter of its loads.
            let mut j = i + 1;
            while j < self.k {
                if let (Some(b), true) = (v.get(j..j + 4), j + 4 <= self.k) {
                    let four = dot4_u8(v[i], [b[0], b[1], b[2], b[3]], span);
                    for (d, p) in four.iter().enumerate() {
                        products[packed(i, j + d)] = *p;
                    }
                    j += 4;
                } else {
                    products[packed(i, j)] = dot_u8(v[i], v[j], span);
                    j += 1;
                }
            }
        }
        for j in 0..self.k {
            for i in 0..=j {
                let idx = packed(i, j);
                let p = products[idx];
                // Answers of `a` (sum, sum of squares, count) in the rows where `b` is missing.
                let lost = |a: usize, b: usize| -> (u64, u64, u64) {
                    let (mut s1, mut s2, mut n) = (0u64, 0u64, 0u64);
                    for &r in &missing_rows[b] {
                        let x = u64::from(v[a].get(r as usize).copied().unwrap_or(0));
                        let here = u64::from(present[a].get(r as usize).copied().unwrap_or(0));
                        s1 += x;
                        s2 += x * x;
                        n += here;
                    }
                    (s1, s2, n)
                };
                let (si_lost, qi_lost, i_in_missing_j) = lost(i, j);
                let (sj_lost, qj_lost, _) = lost(j, i);
                // Rows with both answered: all, less j's missing rows where i is answered, less
                // i's missing rows.
                let n = (len - missing[i]) as u64 - i_in_missing_j;
                let s = if i == j {
                    PairSums {
                        n: (len - missing[i]) as u64,
                        s_i: u128::from(sums[i]),
                        s_j: u128::from(sums[i]),
                        q_i: u128::from(squares[i]),
                        q_j: u128::from(squares[i]),
                        p: u128::from(p),
                    }
                } else {
                    PairSums {
                        n,
                        s_i: u128::from(sums[i] - si_lost),
                        s_j: u128::from(sums[j] - sj_lost),
                        q_i: u128::from(squares[i] - qi_lost),
                        q_j: u128::from(squares[j] - qj_lost),
                        p: u128::from(p),
                    }
                };
                if let Some(t) = self.pairs.get_mut(idx) {
                    t.add(&s);
                }
            }
        }
        for set in &mut self.sets {
            let all_present = set.items.iter().all(|&i| missing.get(i) == Some(&0));
            if all_present {
                set.complete += len as u64;
                for (a, &i) in set.items.iter().enumerate() {
                    if let Some(s) = set.sum.get_mut(a) {
                        *s += u128::from(sums[i]);
                    }
                    for (b, &j) in set.items.iter().enumerate().skip(a) {
                        if let Some(c) = set.cross.get_mut(packed(a, b)) {
                            *c += u128::from(products[packed(i, j)]);
                        }
                    }
                }
                continue;
            }
            // The rows complete on this set, and each row's answered count and sum.
            let mut answered = vec![0u32; len];
            let mut total = vec![0u32; len];
            for &i in &set.items {
                for ((a, t), (&p, &x)) in answered
                    .iter_mut()
                    .zip(total.iter_mut())
                    .zip(present[i].iter().zip(v[i]))
                {
                    *a += u32::from(p);
                    *t += u32::from(x);
                }
            }
            let full = set.items.len() as u32;
            let complete: Vec<u8> = answered.iter().map(|&a| u8::from(a == full)).collect();
            set.complete += count_eq(&complete, 1);
            let masked: Vec<Vec<u8>> = set
                .items
                .iter()
                .map(|&i| v[i].iter().zip(&complete).map(|(&x, &c)| x * c).collect())
                .collect();
            for (a, wa) in masked.iter().enumerate() {
                if let Some(s) = set.sum.get_mut(a) {
                    *s += u128::from(sum_u8(wa));
                }
                for (b, wb) in masked.iter().enumerate().skip(a) {
                    if let Some(c) = set.cross.get_mut(packed(a, b)) {
                        *c += u128::from(dot_u8(wa, wb, span));
                    }
                }
            }
            let m = set.items.len();
            let sums_per_answer = (span as usize) * m + 1;
            let groups = (m + 1) * sums_per_answer;
            let width = 1 + 2 * m;
            if groups * width <= DENSE_GROUPS {
                // Dense counters for the block, indexed by (answered, sum); flushed below.
                let mut dense = vec![0u64; groups * width];
                let mut slot = vec![usize::MAX; len];
                for (r, (&a, &t)) in answered.iter().zip(&total).enumerate() {
                    if a > 0 && a < full {
                        let g = (a as usize * sums_per_answer + t as usize) * width;
                        slot[r] = g;
                        if let Some(c) = dense.get_mut(g) {
                            *c += 1;
                        }
                    }
                }
                // Row by row, so each partial row updates one group's counters together.
                let cols: Vec<(&[u8], &[u8])> =
                    set.items.iter().map(|&i| (present[i], v[i])).collect();
                for (r, &g) in slot.iter().enumerate() {
                    if g == usize::MAX {
                        continue;
                    }
                    let Some(counters) = dense.get_mut(g + 1..g + width) else {
                        continue;
                    };
                    let (ns, xs) = counters.split_at_mut(m);
                    for ((n, x), (p, vals)) in ns.iter_mut().zip(xs.iter_mut()).zip(&cols) {
                        let here = u64::from(p.get(r).copied().unwrap_or(0));
                        *n += here;
                        *x += u64::from(vals.get(r).copied().unwrap_or(0));
                    }
                }
                for (g, counts) in dense.chunks(width).enumerate() {
                    let rows = counts.first().copied().unwrap_or(0);
                    if rows == 0 {
                        continue;
                    }
                    let key = ((g / sums_per_answer) as u32, (g % sums_per_answer) as u64);
                    let e = set.partial.entry(key).or_insert_with(|| Group::new(m));
                    e.rows += rows;
                    for (n, c) in e.item_n.iter_mut().zip(counts.iter().skip(1)) {
                        *n += c;
                    }
                    for (sum, c) in e.item_sum.iter_mut().zip(counts.iter().skip(1 + m)) {
                        *sum += u128::from(*c);
                    }
                }
                continue;
            }
            for (r, (&a, &t)) in answered.iter().zip(&total).enumerate() {
                if a > 0 && a < full {
                    let g = set
                        .partial
                        .entry((a, u64::from(t)))
                        .or_insert_with(|| Group::new(m));
                    g.rows += 1;
                    for ((n, sum), &i) in g.item_n.iter_mut().zip(&mut g.item_sum).zip(&set.items) {
                        if present[i].get(r) == Some(&1) {
                            *n += 1;
                            *sum += u128::from(v[i].get(r).copied().unwrap_or(0));
                        }
                    }
                }
            }
        }
    }

    /// Adds a block of at most [`BLOCK`] rows of narrow columns with missing cells (17 to 64
    /// items: fewer go through `sparse`; rows already counted). Each row's missing items are
    /// one bit pattern; the
    /// products run over the columns with missing cells as 0, and everything that depends on
    /// which cells are missing is read from the incomplete rows alone: the pairwise
    /// corrections (what item `i` adds in the rows where item `j` is missing), each set's
    /// incomplete-row sums and its person-score groups.
    #[inline(never)]
    fn add_sparse_missing(&mut self, blocks: &[&[u8]], missing: &[usize], span: u64) {
        let k = self.k;
        let len = blocks.first().map_or(0, |b| b.len());
        // Missing cells as 0, and each row's pattern of missing items.
        let mut pattern = vec![0u64; len];
        let masked: Vec<Option<Vec<u8>>> = blocks
            .iter()
            .zip(missing)
            .enumerate()
            .map(|(i, (b, &m))| {
                (m > 0).then(|| {
                    for (p, &x) in pattern.iter_mut().zip(b.iter()) {
                        *p |= u64::from(x == MISSING_U8) << i;
                    }
                    b.iter()
                        .map(|&x| x & 0u8.wrapping_sub(u8::from(x != MISSING_U8)))
                        .collect()
                })
            })
            .collect();
        let v: Vec<&[u8]> = blocks
            .iter()
            .zip(&masked)
            .map(|(b, m)| m.as_deref().unwrap_or(b))
            .collect();
        let sums: Vec<u64> = v.iter().map(|c| sum_u8(c)).collect();
        let squares: Vec<u64> = v.iter().map(|c| dot_u8(c, c, span)).collect();
        let products = gram(&v, &v, span);
        // The incomplete rows, one by one: corrections per (missing j, item i) at j * k + i.
        // Per-block sums fit u32 (see [`BLOCK`]).
        let mut corr_s = vec![0u32; k * k];
        let mut corr_q = vec![0u32; k * k];
        let mut corr_n = vec![0u32; k * k];
        let masks: Vec<u64> = self
            .sets
            .iter()
            .map(|s| s.items.iter().fold(0u64, |a, &i| a | (1u64 << i)))
            .collect();
        // Per set: rows incomplete on it, their sums per set item, and the person-score groups
        // (a dense table per block where small, indexed by (answered, sum)).
        let mut incomplete = vec![0u64; self.sets.len()];
        let mut inc_sum: Vec<Vec<u32>> = self.sets.iter().map(|s| vec![0; s.items.len()]).collect();
        let layout: Vec<(usize, usize, bool)> = self
            .sets
            .iter()
            .map(|s| {
                let m = s.items.len();
                let per = (span as usize) * m + 1;
                let width = 1 + 2 * m;
                (per, width, (m + 1) * per * width <= DENSE_GROUPS)
            })
            .collect();
        let mut dense: Vec<Vec<u32>> = layout
            .iter()
            .zip(&self.sets)
            .map(|(&(per, width, small), s)| {
                if small {
                    vec![0; (s.items.len() + 1) * per * width]
                } else {
                    Vec::new()
                }
            })
            .collect();
        // The incomplete rows' values, gathered column by column (reads in row order).
        let inc_rows: Vec<u32> = pattern
            .iter()
            .enumerate()
            .filter(|&(_, &p)| p != 0)
            .map(|(r, _)| r as u32)
            .collect();
        let mut rowbuf = vec![0u32; inc_rows.len() * k];
        for (i, col) in v.iter().enumerate() {
            for (cell, &r) in rowbuf.iter_mut().skip(i).step_by(k).zip(&inc_rows) {
                *cell = u32::from(col.get(r as usize).copied().unwrap_or(0));
            }
        }
        let whole: Vec<bool> = self
            .sets
            .iter()
            .map(|s| s.items.iter().copied().eq(0..k))
            .collect();
        let mut ms = vec![0u32; k];
        for (xs, &r) in rowbuf.chunks_exact(k.max(1)).zip(&inc_rows) {
            let p = pattern.get(r as usize).copied().unwrap_or(0);
            for (i, h) in ms.iter_mut().enumerate() {
                *h = 1 - ((p >> i) & 1) as u32;
            }
            let mut bits = p;
            while bits != 0 {
                let j = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let at = j * k..(j + 1) * k;
                if let (Some(cs), Some(cq), Some(cn)) = (
                    corr_s.get_mut(at.clone()),
                    corr_q.get_mut(at.clone()),
                    corr_n.get_mut(at),
                ) {
                    for ((((s, q), n), &x), &h) in cs
                        .iter_mut()
                        .zip(cq.iter_mut())
                        .zip(cn.iter_mut())
                        .zip(xs)
                        .zip(&ms)
                    {
                        *s += x;
                        *q += x * x;
                        *n += h;
                    }
                }
            }
            for (si, set) in self.sets.iter_mut().enumerate() {
                let off = p & masks.get(si).copied().unwrap_or(0);
                if off == 0 {
                    continue;
                }
                if let Some(c) = incomplete.get_mut(si) {
                    *c += 1;
                }
                let m = set.items.len();
                let all = whole.get(si).copied().unwrap_or(false);
                let mut t = 0u32;
                if let Some(acc) = inc_sum.get_mut(si) {
                    if all {
                        for (a, &x) in acc.iter_mut().zip(xs) {
                            *a += x;
                            t += x;
                        }
                    } else {
                        for (a, &i) in acc.iter_mut().zip(&set.items) {
                            let x = xs.get(i).copied().unwrap_or(0);
                            *a += x;
                            t += x;
                        }
                    }
                }
                let answered = m - off.count_ones() as usize;
                if answered == 0 {
                    continue;
                }
                let (per, width, small) = layout.get(si).copied().unwrap_or((0, 0, false));
                if small {
                    let g = (answered * per + t as usize) * width;
                    let Some(counters) = dense.get_mut(si).and_then(|d| d.get_mut(g..g + width))
                    else {
                        continue;
                    };
                    let (rows, rest) = counters.split_at_mut(1);
                    if let Some(c) = rows.first_mut() {
                        *c += 1;
                    }
                    let (ns, sums) = rest.split_at_mut(m);
                    if all {
                        for (n, &h) in ns.iter_mut().zip(&ms) {
                            *n += h;
                        }
                        for (s, &x) in sums.iter_mut().zip(xs) {
                            *s += x;
                        }
                    } else {
                        for ((n, s), &i) in ns.iter_mut().zip(sums.iter_mut()).zip(&set.items) {
                            *n += ms.get(i).copied().unwrap_or(0);
                            *s += xs.get(i).copied().unwrap_or(0);
                        }
                    }
                } else {
                    let g = set
                        .partial
                        .entry((answered as u32, u64::from(t)))
                        .or_insert_with(|| Group::new(m));
                    g.rows += 1;
                    for ((n, s), &i) in g.item_n.iter_mut().zip(&mut g.item_sum).zip(&set.items) {
                        *n += u64::from(ms.get(i).copied().unwrap_or(0));
                        *s += u128::from(xs.get(i).copied().unwrap_or(0));
                    }
                }
            }
        }
        // Pairs: what each item adds over all its answered rows, less what it adds in the
        // rows where the other item is missing.
        let at = |t: &[u32], j: usize, i: usize| u64::from(t.get(j * k + i).copied().unwrap_or(0));
        for j in 0..k {
            for i in 0..=j {
                let answered_i = (len - missing.get(i).copied().unwrap_or(0)) as u64;
                let answered_j = (len - missing.get(j).copied().unwrap_or(0)) as u64;
                let _ = answered_j;
                let s = PairSums {
                    n: answered_i - at(&corr_n, j, i),
                    s_i: u128::from(sums.get(i).copied().unwrap_or(0) - at(&corr_s, j, i)),
                    s_j: u128::from(sums.get(j).copied().unwrap_or(0) - at(&corr_s, i, j)),
                    q_i: u128::from(squares.get(i).copied().unwrap_or(0) - at(&corr_q, j, i)),
                    q_j: u128::from(squares.get(j).copied().unwrap_or(0) - at(&corr_q, i, j)),
                    p: u128::from(products.get(packed(i, j)).copied().unwrap_or(0)),
                };
                if let Some(t) = self.pairs.get_mut(packed(i, j)) {
                    t.add(&s);
                }
            }
        }
        // Sets: complete-row sums and products; groups flushed.
        for (si, set) in self.sets.iter_mut().enumerate() {
            let mask = masks.get(si).copied().unwrap_or(0);
            let inc = incomplete.get(si).copied().unwrap_or(0);
            set.complete += len as u64 - inc;
            if inc == 0 {
                for (a, &i) in set.items.iter().enumerate() {
                    if let Some(s) = set.sum.get_mut(a) {
                        *s += u128::from(sums.get(i).copied().unwrap_or(0));
                    }
                    for (b, &j) in set.items.iter().enumerate().skip(a) {
                        if let Some(c) = set.cross.get_mut(packed(a, b)) {
                            *c += u128::from(products.get(packed(i, j)).copied().unwrap_or(0));
                        }
                    }
                }
                continue;
            }
            for ((s, &i), &lost) in set
                .sum
                .iter_mut()
                .zip(&set.items)
                .zip(inc_sum.get(si).map_or(&[][..], |v| v.as_slice()))
            {
                *s += u128::from(sums.get(i).copied().unwrap_or(0) - u64::from(lost));
            }
            // Products over the complete rows: one side masked to them.
            let cols: Vec<&[u8]> = set
                .items
                .iter()
                .map(|&i| v.get(i).copied().unwrap_or_default())
                .collect();
            let cross = gram_where(&cols, pattern.iter().map(|&p| p & mask == 0), span);
            for (c, x) in set.cross.iter_mut().zip(&cross) {
                *c += u128::from(*x);
            }
            let (per, width, small) = layout.get(si).copied().unwrap_or((0, 0, false));
            if !small {
                continue;
            }
            let m = set.items.len();
            let Some(d) = dense.get(si) else { continue };
            for (g, counts) in d.chunks(width).enumerate() {
                let rows = counts.first().copied().unwrap_or(0);
                if rows == 0 {
                    continue;
                }
                let key = ((g / per) as u32, (g % per) as u64);
                let e = set.partial.entry(key).or_insert_with(|| Group::new(m));
                e.rows += u64::from(rows);
                for (n, c) in e.item_n.iter_mut().zip(counts.iter().skip(1)) {
                    *n += u64::from(*c);
                }
                for (sum, c) in e.item_sum.iter_mut().zip(counts.iter().skip(1 + m)) {
                    *sum += u128::from(*c);
                }
            }
        }
    }

    /// Adds a block of wide columns (scales of more than 254 steps), row by row.
    fn add_wide_block(&mut self, cols: &[Vec<u32>], rows: std::ops::Range<usize>) {
        let mut row: Vec<Option<u64>> = vec![None; self.k];
        for r in rows {
            for (cell, col) in row.iter_mut().zip(cols) {
                *cell = col
                    .get(r)
                    .and_then(|&x| (x != MISSING_U32).then_some(u64::from(x)));
            }
            self.add_row(&row);
        }
    }

    /// Adds one row of keyed offset cells.
    fn add_row(&mut self, row: &[Option<u64>]) {
        self.rows += 1;
        for j in 0..self.k {
            for i in 0..=j {
                if let (Some(Some(x)), Some(Some(y))) = (row.get(i), row.get(j)) {
                    let (x, y) = (u128::from(*x), u128::from(*y));
                    if let Some(t) = self.pairs.get_mut(packed(i, j)) {
                        t.add(&PairSums {
                            n: 1,
                            s_i: x,
                            s_j: y,
                            q_i: x * x,
                            q_j: y * y,
                            p: x * y,
                        });
                    }
                }
            }
        }
        for set in &mut self.sets {
            let vals: Vec<Option<u64>> = set
                .items
                .iter()
                .map(|&i| row.get(i).copied().flatten())
                .collect();
            let answered = vals.iter().flatten().count();
            if answered == set.items.len() {
                set.complete += 1;
                for (a, x) in vals.iter().enumerate() {
                    let x = u128::from(x.unwrap_or(0));
                    if let Some(s) = set.sum.get_mut(a) {
                        *s += x;
                    }
                    for (b, y) in vals.iter().enumerate().skip(a) {
                        if let Some(c) = set.cross.get_mut(packed(a, b)) {
                            *c += x * u128::from(y.unwrap_or(0));
                        }
                    }
                }
            } else if answered > 0 {
                let total: u64 = vals.iter().flatten().sum();
                let m = set.items.len();
                let g = set
                    .partial
                    .entry((answered as u32, total))
                    .or_insert_with(|| Group::new(m));
                g.rows += 1;
                for ((n, sum), x) in g.item_n.iter_mut().zip(&mut g.item_sum).zip(&vals) {
                    if let Some(x) = x {
                        *n += 1;
                        *sum += u128::from(*x);
                    }
                }
            }
        }
    }

    /// Number of rows accumulated.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let m = ResponseMatrix::from_rows(&catalog::require("srs")?, vec![[Some(5.0); 4]; 5])?;
    /// assert_eq!(m.moments().rows(), 5);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The instrument (`None` for the empty result of collecting no matrices).
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::{Moments, ResponseMatrix};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let none: Moments = std::iter::empty::<&ResponseMatrix>().collect();
    /// assert!(none.instrument().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn instrument(&self) -> Option<&Instrument> {
        self.instrument.as_ref()
    }

    /// Reports a chunk of another instrument given to [`Extend`] or [`FromIterator`].
    ///
    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`](crate::ErrorKind::InstrumentMismatch) naming the first such chunk's instrument.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::{Moments, ResponseMatrix};
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai = ResponseMatrix::from_rows(&catalog::require("wai-sr")?, [[Some(4.0); 12]])?;
    /// let srs = ResponseMatrix::from_rows(&catalog::require("srs")?, [[None; 4]])?;
    /// let mixed: Moments = [&wai, &srs].into_iter().collect();
    /// assert_eq!(mixed.check().unwrap_err().code(), "instrument_mismatch");
    /// # Ok(())
    /// # }
    /// ```
    pub fn check(&self) -> Result<()> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// The mean of an item's answers (keyed, in the scale's units), over the rows that answer
    /// it; `None` for an item without answers or out of range.
    ///
    /// ```
    /// use therapeutic_alliance::catalog;
    /// use therapeutic_alliance::matrix::ResponseMatrix;
    ///
    /// # fn main() -> Result<(), therapeutic_alliance::Error> {
    /// let wai_s = catalog::require("wai-s")?;
    /// let m = ResponseMatrix::from_rows(&wai_s, [[Some(2.0); 12], [Some(3.0); 12]])?;
    /// // Item 4 is reversed: keyed 6 and 5.
    /// assert_eq!(m.moments().item_mean(3), Some(5.5));
    /// # Ok(())
    /// # }
    /// ```
    pub fn item_mean(&self, item: usize) -> Option<f64> {
        let d = self.pairs.get(packed(item, item))?;
        let inst = self.instrument.as_ref()?;
        if d.n == 0 {
            return None;
        }
        let scale = inst.scale();
        let res = scale.resolution_units();
        // (sum + n lo) / (n res), exactly rounded.
        let num = i128::try_from(d.s_i).ok()? + i128::from(d.n) * i128::from(scale.min_units());
        Some(crate::exact::ratio(num, i128::from(d.n) * res))
    }

    /// The pairwise sums of items `i` and `j` (either order).
    pub(crate) fn pair(&self, i: usize, j: usize) -> Option<PairSums> {
        let p = *self.pairs.get(packed(i, j))?;
        Some(if i <= j {
            p
        } else {
            PairSums {
                s_i: p.s_j,
                s_j: p.s_i,
                q_i: p.q_j,
                q_j: p.q_i,
                ..p
            }
        })
    }

    /// The item sets: each subscale, then all items.
    pub(crate) fn sets(&self) -> &[SetSums] {
        &self.sets
    }

    /// Per item, the count of each category, when the scale has at most 101 steps.
    pub(crate) fn frequencies(&self) -> Option<&[Vec<u64>]> {
        self.freq.as_deref()
    }

    /// Adds a whole matrix, or records the mismatch.
    fn add_matrix(&mut self, m: &ResponseMatrix) {
        if self.error.is_some() {
            return;
        }
        match &self.instrument {
            None => *self = Moments::of_rows(m, 0..m.rows()),
            Some(inst) => match inst.check_same(m.instrument()) {
                Ok(()) => self.add_rows(m, 0..m.rows()),
                Err(e) => self.error = Some(e),
            },
        }
    }
}

/// See [`Moments::accumulator`].
#[cfg(feature = "parallel")]
pub(super) struct Accumulator<'m> {
    matrix: &'m ResponseMatrix,
    moments: Moments,
    sparse: Option<sparse::Sparse>,
}

#[cfg(feature = "parallel")]
impl Accumulator<'_> {
    /// Adds rows `range` of the matrix (in range: checked by the caller).
    pub(super) fn add(&mut self, range: std::ops::Range<usize>) {
        self.moments.add_blocks(
            self.matrix,
            range,
            &mut self.sparse,
            sparse::TUPLES,
            sparse::MAX_ROWS,
        );
    }

    /// The moments of every chunk added.
    pub(super) fn finish(self) -> Moments {
        let mut out = self.moments;
        if let Some(s) = self.sparse {
            s.finish(&mut out.pairs, &mut out.sets);
        }
        out
    }
}

impl Merge for Moments {
    type Error = Error;

    /// # Errors
    /// [`ErrorKind::InstrumentMismatch`](crate::ErrorKind::InstrumentMismatch) when the two are of different instruments; an error
    /// recorded in either is kept.
    fn merge(&mut self, other: &Self) -> Result<()> {
        let Some(theirs) = &other.instrument else {
            return Ok(());
        };
        let Some(mine) = &self.instrument else {
            *self = other.clone();
            return Ok(());
        };
        mine.check_same(theirs)?;
        if self.error.is_none() {
            self.error.clone_from(&other.error);
        }
        self.rows += other.rows;
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.add(b);
        }
        for (a, b) in self.sets.iter_mut().zip(&other.sets) {
            a.add(b);
        }
        if let (Some(a), Some(b)) = (self.freq.as_mut(), other.freq.as_ref()) {
            for (x, y) in a.iter_mut().zip(b) {
                for (p, q) in x.iter_mut().zip(y) {
                    *p += q;
                }
            }
        }
        Ok(())
    }
}

impl<'a> Extend<&'a ResponseMatrix> for Moments {
    /// Accumulates each matrix (a chunk of rows); a matrix of another instrument is recorded as
    /// an error ([`Moments::check`]) and nothing more is added.
    fn extend<I: IntoIterator<Item = &'a ResponseMatrix>>(&mut self, chunks: I) {
        for m in chunks {
            self.add_matrix(m);
        }
    }
}

impl<'a> FromIterator<&'a ResponseMatrix> for Moments {
    fn from_iter<I: IntoIterator<Item = &'a ResponseMatrix>>(chunks: I) -> Self {
        let mut out = Moments {
            instrument: None,
            rows: 0,
            k: 0,
            pairs: Vec::new(),
            sets: Vec::new(),
            freq: None,
            error: None,
        };
        out.extend(chunks);
        out
    }
}

/// How many cells of a block equal `c` (dispatched: AVX2 where the CPU has it).
fn count_eq(block: &[u8], c: u8) -> u64 {
    super::simd::count_eq(block, c)
}

/// Counts each category of a column block (missing cells are not counted).
fn count_categories(block: &[u8], freq: &mut [u64]) {
    super::simd::count_categories(block, freq);
}

fn sum_u8(a: &[u8]) -> u64 {
    super::simd::sum_u8(a)
}

/// Sums of products of one byte column with four others in one pass, for cells of at most
/// `span` (at most 254), exact (dispatched: AVX2 where the CPU has it).
fn dot4_u8(a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4] {
    super::simd::dot4_u8(a, b, span)
}

/// Sum of products of two byte columns of cells of at most `span` (as [`dot4_u8`]).
fn dot_u8(a: &[u8], b: &[u8], span: u64) -> u64 {
    super::simd::dot_u8(a, b, span)
}

/// [`gram`] of `cols` over the rows where `keep` is true (the others count 0): one side masked.
pub(super) fn gram_where(cols: &[&[u8]], keep: impl Iterator<Item = bool>, span: u64) -> Vec<u64> {
    let keep: Vec<u8> = keep.map(|k| 0u8.wrapping_sub(u8::from(k))).collect();
    let kept: Vec<Vec<u8>> = cols
        .iter()
        .map(|c| c.iter().zip(&keep).map(|(&x, &w)| x & w).collect())
        .collect();
    let kept: Vec<&[u8]> = kept.iter().map(Vec::as_slice).collect();
    gram(&kept, cols, span)
}

/// Sums of products of every pair of columns `a[i]`, `b[j]` with `i <= j`, packed lower
/// triangle (`a` and `b` of the same length, cells of at most `span`; one dispatch for all).
pub(crate) fn gram(a: &[&[u8]], b: &[&[u8]], span: u64) -> Vec<u64> {
    super::simd::gram(a, b, span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use proptest::prelude::*;

    /// The plain reference: every row through [`Moments::add_row`], and each category counted.
    fn reference(m: &ResponseMatrix) -> Moments {
        let mut out = Moments::new(m.instrument());
        let k = m.items();
        let mut row = vec![None; k];
        for r in 0..m.rows() {
            for (i, cell) in row.iter_mut().enumerate() {
                *cell = m.cell(r, i);
            }
            out.add_row(&row);
            if let Some(freq) = out.freq.as_mut() {
                for (f, cell) in freq.iter_mut().zip(&row) {
                    if let Some(c) = cell.and_then(|c| f.get_mut(c as usize)) {
                        *c += 1;
                    }
                }
            }
        }
        out
    }

    /// A matrix of `rows` pseudo-random rows, each cell missing with probability `missing` %.
    fn matrix(id: &str, rows: usize, missing: u64, seed: u64) -> ResponseMatrix {
        let inst = if id == "k16" {
            sixteen()
        } else {
            catalog::require(id).expect("catalog")
        };
        let scale = inst.scale();
        let (lo, span) = (scale.min_units(), span_of(&inst));
        let mut state = seed | 1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut m = ResponseMatrix::new(&inst);
        let mut units = vec![None; inst.items().len()];
        for _ in 0..rows {
            // Some rows share one level, so sums repeat and groups collect several rows.
            let level = next() % (span + 1);
            for u in &mut units {
                let x = next();
                *u = (x % 100 >= missing).then(|| {
                    let v = if x % 3 == 0 {
                        level
                    } else {
                        (x >> 8) % (span + 1)
                    };
                    lo + v as i32
                });
            }
            m.push_units(&units);
        }
        m
    }

    /// 16 items on a scale of 201 steps, with subscales of every kind the sparse path plans:
    /// 7 items (too many tuples: keyed by score, hashed), 1 item (tuple counts), 4 items out of
    /// order (keyed by score), and all items.
    fn sixteen() -> crate::instruments::Instrument {
        use crate::instruments::{Item, Subscale};
        use crate::scale::ResponseScale;
        let scale = ResponseScale::visual_analogue(0.0, 20.0, 1).expect("scale");
        let names = |items: &[u32]| items.iter().map(u32::to_string).collect::<Vec<_>>();
        crate::instruments::Instrument::builder("k16", "Sixteen", scale)
            .items((1..=16).map(|n| Item::new(n.to_string())))
            .subscale(Subscale::new(
                "seven",
                "Seven",
                names(&[1, 2, 3, 4, 5, 6, 7]),
            ))
            .subscale(Subscale::new("one", "One", names(&[9])))
            .subscale(Subscale::new("odd", "Odd", names(&[16, 3, 8, 12])))
            .subscale(Subscale::new(
                "all",
                "All",
                names(&(1..=16).collect::<Vec<_>>()),
            ))
            .total(crate::instruments::TotalRule::None)
            .build()
            .expect("instrument")
    }

    /// Moments through the sparse path with small limits: no tuple counts for sets of more
    /// than `tuples` tuples, sums handed over every block.
    fn with_limits(m: &ResponseMatrix, tuples: usize) -> Moments {
        let mut out = Moments::new(m.instrument());
        out.add_rows_with(m, 0..m.rows(), tuples, BLOCK as u64);
        out
    }

    fn span_of(inst: &crate::instruments::Instrument) -> u64 {
        super::super::span_units(inst).unsigned_abs()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The block kernel (sparse missing cells, masks, products) equals the row-by-row
        /// reference, and chunks merged equal one pass.
        #[test]
        fn kernel_equals_reference_and_chunks_merge(
            id in prop::sample::select(vec!["wai-sr", "arm-5", "srs", "wai", "k16", "wai-s", "phq-9"]),
            rows in 1usize..400,
            missing in prop::sample::select(vec![0u64, 1, 5, 20, 60, 100]),
            seed in any::<u64>(),
            cut in 0usize..400,
        ) {
            let m = matrix(id, rows, missing, seed);
            let fast = m.moments();
            prop_assert_eq!(&fast, &reference(&m));
            // Every set keyed by score instead of tuple counts: the same sums.
            prop_assert_eq!(&with_limits(&m, 0), &fast);
            let cut = cut.min(rows);
            let mut merged = m.moments_of(0..cut).expect("range");
            merged.merge(&m.moments_of(cut..rows).expect("range")).expect("same instrument");
            prop_assert_eq!(&merged, &fast);
        }
    }

    /// Across block boundaries, with missing cells and without; sums handed over after every
    /// block, or once; on every core.
    #[test]
    fn kernel_equals_reference_over_blocks() {
        for (id, missing, seed) in [
            ("wai-sr", 0, 7),
            ("wai-sr", 5, 11),
            ("wai-sr", 40, 13),
            ("k16", 5, 17),
            ("srs", 30, 19),
        ] {
            let m = matrix(id, BLOCK * 2 + 1_234, missing, seed);
            let fast = m.moments();
            assert_eq!(fast, reference(&m), "{id}, {missing}% missing");
            assert_eq!(with_limits(&m, 0), fast, "{id}, {missing}% missing, keyed");
            assert_eq!(
                with_limits(&m, sparse::TUPLES),
                fast,
                "{id}, {missing}% missing, handed over per block"
            );
            #[cfg(feature = "parallel")]
            assert_eq!(
                m.moments_parallel(),
                fast,
                "{id}, {missing}% missing, parallel"
            );
        }
    }
}
