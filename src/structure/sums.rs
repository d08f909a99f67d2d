//! Exact integer sums of grid columns (item answers as byte codes, 0 in a missing cell): the
//! moments the listwise covariance and the pairwise correlations are computed from.
//!
//! The rows are cut into blocks; each block's sums of codes and of their products are exact
//! (the byte kernels of [`crate::matrix::moments`]: products in `u16` lanes flushed to `u64`),
//! so blocks accumulate in any order, on one core or many (with the `parallel` feature), to
//! the same integers. Centered sums are then exact too (`n Σxy - Σx Σy` in `i128`) and rounded
//! once to `f64`: no cancellation, whatever the data's mean.

use std::ops::Range;

use super::data::{Grid, TOP};
use crate::matrix::moments::{gram, packed};
use crate::stats::Matrix;

/// Rows per block: a block of every column stays in the cache.
const BLOCK: usize = 8192;

/// Rows of 16 a `u16` lane of [`column_sum`] takes before it is flushed.
const SUM_STEPS: usize = u16::MAX as usize / TOP as usize;

/// The sum of byte codes (each at most [`TOP`]): 16 `u16` lanes, flushed before they can
/// overflow, so the compiler adds 16 bytes per instruction.
fn column_sum(a: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut rows = a.chunks_exact(16);
    loop {
        let mut lanes = [0u16; 16];
        let mut taken = 0;
        for row in rows.by_ref().take(SUM_STEPS) {
            taken += 1;
            for (s, &x) in lanes.iter_mut().zip(row) {
                *s = s.wrapping_add(u16::from(x));
            }
        }
        total += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
        if taken < SUM_STEPS {
            break;
        }
    }
    total + rows.remainder().iter().map(|&x| u64::from(x)).sum::<u64>()
}

/// The listwise sums: over the rows complete on every column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Listwise {
    /// Complete rows.
    pub(crate) n: u64,
    /// Σx of each column.
    sums: Vec<u64>,
    /// Σxy of each pair `i <= j`, packed (the diagonal is Σx²).
    cross: Vec<u64>,
}

impl Listwise {
    fn zero(p: usize) -> Self {
        Listwise {
            n: 0,
            sums: vec![0; p],
            cross: vec![0; p * (p + 1) / 2],
        }
    }

    fn add(mut self, other: Listwise) -> Self {
        self.n += other.n;
        add(&mut self.sums, &other.sums);
        add(&mut self.cross, &other.cross);
        self
    }

    /// `n Σxy - Σx Σy` of columns `i` and `j`: `n²` times their covariance (divisor N), in
    /// codes.
    pub(crate) fn centered(&self, i: usize, j: usize) -> i128 {
        let get = |v: &[u64], k: usize| i128::from(v.get(k).copied().unwrap_or(0));
        i128::from(self.n) * get(&self.cross, packed(i, j))
            - get(&self.sums, i) * get(&self.sums, j)
    }
}

/// The pairwise sums: over every row (missing cells add 0), with what the rows missing one
/// column of a pair add to the other, to take away.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pairwise {
    p: usize,
    /// Missing cells of each column.
    missing: Vec<u64>,
    /// Rows.
    rows: u64,
    /// Σx of each column.
    sums: Vec<u64>,
    /// Σxy of each pair `i <= j`, packed (the diagonal is Σx²).
    cross: Vec<u64>,
    /// At `b * p + a`: Σx and Σx² of column `a` over the rows missing `b`.
    lost: Vec<[u64; 2]>,
    /// At `a * p + b`: the rows missing both `a` and `b`.
    both: Vec<u64>,
}

impl Pairwise {
    fn zero(p: usize) -> Self {
        Pairwise {
            p,
            missing: vec![0; p],
            rows: 0,
            sums: vec![0; p],
            cross: vec![0; p * (p + 1) / 2],
            lost: vec![[0; 2]; p * p],
            both: vec![0; p * p],
        }
    }

    fn add(mut self, other: Pairwise) -> Self {
        self.rows += other.rows;
        add(&mut self.missing, &other.missing);
        add(&mut self.sums, &other.sums);
        add(&mut self.cross, &other.cross);
        add(&mut self.both, &other.both);
        for (a, b) in self.lost.iter_mut().zip(&other.lost) {
            for (a, b) in a.iter_mut().zip(b) {
                *a += b;
            }
        }
        self
    }

    /// Count, Σx and Σx² of column `a` over the rows answering `a` and `b`.
    fn of_pair(&self, a: usize, b: usize) -> [u64; 3] {
        let at = |v: &[u64], k: usize| v.get(k).copied().unwrap_or(0);
        let [s, q] = self.lost.get(b * self.p + a).copied().unwrap_or([0; 2]);
        let (ma, mb) = (at(&self.missing, a), at(&self.missing, b));
        // Rows answering a less those missing b (and not a).
        let n = self.rows - ma - (mb - at(&self.both, a * self.p + b));
        [n, at(&self.sums, a) - s, at(&self.cross, packed(a, a)) - q]
    }

    /// The correlation matrix; `None` when a pair has fewer than two rows in common or a
    /// column does not vary over a pair's rows.
    pub(crate) fn correlations(&self) -> Option<Matrix> {
        let p = self.p;
        let mut r = Matrix::identity(p);
        for i in 0..p {
            for j in 0..i {
                let [n, sx, sxx] = self.of_pair(i, j);
                let [_, sy, syy] = self.of_pair(j, i);
                if n < 2 {
                    return None;
                }
                let n = i128::from(n);
                let (sx, sy) = (i128::from(sx), i128::from(sy));
                let vx = n * i128::from(sxx) - sx * sx;
                let vy = n * i128::from(syy) - sy * sy;
                if vx <= 0 || vy <= 0 {
                    return None;
                }
                let sxy = i128::from(self.cross.get(packed(i, j)).copied().unwrap_or(0));
                let c = n * sxy - sx * sy;
                let scale = match vx.checked_mul(vy) {
                    Some(v) => (v as f64).sqrt(),
                    None => (vx as f64).sqrt() * (vy as f64).sqrt(),
                };
                let v = c as f64 / scale;
                r.set(i, j, v);
                r.set(j, i, v);
            }
        }
        Some(r)
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    for (a, b) in a.iter_mut().zip(b) {
        *a += b;
    }
}

/// The largest code of the columns: the byte kernels' bound.
fn span(grids: &[&Grid]) -> u64 {
    grids.iter().map(|g| u64::from(g.top)).max().unwrap_or(0)
}

/// The codes of each column in `range`.
fn slices<'a>(grids: &[&'a Grid], range: &Range<usize>) -> Vec<&'a [u8]> {
    grids
        .iter()
        .map(|g| g.codes.get(range.clone()).unwrap_or(&[]))
        .collect()
}

/// The missing rows of `g` in `range` (a slice of its ascending list).
fn missing_in<'a>(g: &'a Grid, range: &Range<usize>) -> &'a [usize] {
    let from = g.missing.partition_point(|&r| r < range.start);
    let to = g.missing.partition_point(|&r| r < range.end);
    g.missing.get(from..to).unwrap_or(&[])
}

/// `f` of each block of `rows`, merged by `add` (exact, so in any order).
fn over_blocks<T: Send>(
    rows: usize,
    zero: T,
    f: impl Fn(Range<usize>) -> T + Sync,
    add: impl Fn(T, T) -> T,
) -> T {
    let blocks = rows.div_ceil(BLOCK);
    let range = |b: usize| b * BLOCK..rows.min((b + 1) * BLOCK);
    #[cfg(feature = "parallel")]
    if blocks > 1 {
        use rayon::prelude::*;
        let parts: Vec<T> = (0..blocks).into_par_iter().map(|b| f(range(b))).collect();
        return parts.into_iter().fold(zero, add);
    }
    (0..blocks).map(|b| f(range(b))).fold(zero, add)
}

/// The sums of `grids` (columns of `rows` codes) over the rows complete on all of them.
pub(crate) fn listwise(grids: &[&Grid], rows: usize) -> Listwise {
    over_blocks(
        rows,
        Listwise::zero(grids.len()),
        |range| listwise_block(grids, range),
        Listwise::add,
    )
}

/// [`listwise`] of the rows `range`.
fn listwise_block(grids: &[&Grid], range: Range<usize>) -> Listwise {
    let span = span(grids);
    let raw = slices(grids, &range);
    let mut keep = vec![1u8; range.len()];
    let mut incomplete = false;
    for g in grids {
        for &r in missing_in(g, &range) {
            if let Some(k) = keep.get_mut(r - range.start) {
                *k = 0;
                incomplete = true;
            }
        }
    }
    if !incomplete {
        return Listwise {
            n: range.len() as u64,
            sums: raw.iter().map(|c| column_sum(c)).collect(),
            cross: gram(&raw, &raw, span),
        };
    }
    // Codes times 1 on a complete row, 0 on another: each product with a masked code counts
    // the complete rows alone.
    let masked: Vec<Vec<u8>> = raw
        .iter()
        .map(|c| c.iter().zip(&keep).map(|(&x, &k)| x * k).collect())
        .collect();
    let masked: Vec<&[u8]> = masked.iter().map(Vec::as_slice).collect();
    Listwise {
        n: column_sum(&keep),
        sums: masked.iter().map(|c| column_sum(c)).collect(),
        cross: gram(&masked, &raw, span),
    }
}

/// The pairwise sums of `grids` (columns of `rows` codes).
pub(crate) fn pairwise(grids: &[&Grid], rows: usize) -> Pairwise {
    over_blocks(
        rows,
        Pairwise::zero(grids.len()),
        |range| pairwise_block(grids, range),
        Pairwise::add,
    )
}

/// [`pairwise`] of the rows `range`.
fn pairwise_block(grids: &[&Grid], range: Range<usize>) -> Pairwise {
    let p = grids.len();
    let raw = slices(grids, &range);
    let mut out = Pairwise::zero(p);
    out.rows = range.len() as u64;
    out.sums = raw.iter().map(|c| column_sum(c)).collect();
    out.cross = gram(&raw, &raw, span(grids));
    // The rows missing each column; those missing two or more (counted as they are met).
    let mut count = vec![0u8; range.len()];
    let mut several = Vec::new();
    let missing: Vec<&[usize]> = grids.iter().map(|g| missing_in(g, &range)).collect();
    for rows in &missing {
        for &r in *rows {
            if let Some(c) = count.get_mut(r - range.start) {
                if *c == 1 {
                    several.push(r - range.start);
                }
                *c = c.saturating_add(1);
            }
        }
    }
    // What each column adds over the rows missing `b` (a missing cell adds 0): a gather per
    // pair, summed in registers.
    for (b, rows) in missing.iter().enumerate() {
        if let Some(m) = out.missing.get_mut(b) {
            *m = rows.len() as u64;
        }
        if rows.is_empty() {
            continue;
        }
        let lost = out.lost.get_mut(b * p..(b + 1) * p).unwrap_or(&mut []);
        for (a, (l, col)) in lost.iter_mut().zip(&raw).enumerate() {
            if a == b {
                continue;
            }
            let (mut s, mut q) = (0u64, 0u64);
            for &r in *rows {
                let x = u64::from(col.get(r - range.start).copied().unwrap_or(0));
                s += x;
                q += x * x;
            }
            *l = [s, q];
        }
    }
    // Rows missing several columns: which pairs they miss together.
    if !several.is_empty() {
        let mut flags = vec![false; range.len() * p];
        for (b, rows) in missing.iter().enumerate() {
            for &r in *rows {
                if let Some(f) = flags.get_mut((r - range.start) * p + b) {
                    *f = true;
                }
            }
        }
        let mut cols = Vec::with_capacity(p);
        for &at in &several {
            cols.clear();
            let row = flags.get(at * p..(at + 1) * p).unwrap_or(&[]);
            cols.extend(row.iter().enumerate().filter_map(|(b, &m)| m.then_some(b)));
            for &a in &cols {
                for &b in &cols {
                    if let Some(n) = out.both.get_mut(a * p + b) {
                        *n += 1;
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::data::{Column, tests::simulated};
    use proptest::prelude::*;

    #[test]
    fn column_sums_are_exact() {
        for len in [
            0,
            1,
            15,
            16,
            17,
            16 * SUM_STEPS,
            16 * SUM_STEPS + 5,
            100_003,
        ] {
            let top: Vec<u8> = vec![TOP; len];
            assert_eq!(column_sum(&top), len as u64 * u64::from(TOP), "{len}");
            let mixed: Vec<u8> = (0..len).map(|i| (i * 7 % 255) as u8).collect();
            let plain: u64 = mixed.iter().map(|&x| u64::from(x)).sum();
            assert_eq!(column_sum(&mixed), plain, "{len}");
        }
    }

    fn grids(data: &crate::structure::Observations) -> Vec<&Grid> {
        (0..data.names().len())
            .filter_map(|j| match data.column(j) {
                Some(Column::Grid(g)) => Some(g),
                _ => None,
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Two halves merged are one pass, exactly.
        #[test]
        fn halves_merged_equal_one_pass(
            p in 1usize..7,
            rows in 1usize..400,
            levels in 1u64..9,
            missing in prop::sample::select(vec![0u64, 3, 30, 100]),
            seed in any::<u64>(),
            cut in 0usize..400,
        ) {
            let data = simulated(p, rows, (1, 1, levels), missing, seed);
            let g = grids(&data);
            prop_assert_eq!(g.len(), p);
            let cut = cut.min(rows);
            let merged = listwise_block(&g, 0..cut).add(listwise_block(&g, cut..rows));
            prop_assert_eq!(&merged, &listwise_block(&g, 0..rows));
            let merged = pairwise_block(&g, 0..cut).add(pairwise_block(&g, cut..rows));
            prop_assert_eq!(&merged, &pairwise_block(&g, 0..rows));
        }
    }

    /// Blocks (on every core with `parallel`) sum to one pass over every row.
    #[test]
    fn blocks_equal_one_pass() {
        for missing in [0, 3, 40] {
            let rows = 3 * BLOCK + 1_234;
            let data = simulated(12, rows, (1, 1, 4), missing, 99 + missing);
            let g = grids(&data);
            assert_eq!(
                listwise(&g, rows),
                listwise_block(&g, 0..rows),
                "{missing}%"
            );
            assert_eq!(
                pairwise(&g, rows),
                pairwise_block(&g, 0..rows),
                "{missing}%"
            );
        }
    }
}
