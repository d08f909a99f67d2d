//! The byte-column kernels of the moments (sums, products, counts of one-byte cells) with
//! runtime CPU dispatch: AVX2 where the CPU has it, through `pulp` (every `unsafe` stays inside
//! that crate; this crate keeps `#![forbid(unsafe_code)]`), else portable code for the baseline
//! target. Both give the same integers: every result is an exact sum.
//!
//! The AVX2 products multiply 32 cells per instruction (`vpmaddubsw`, unsigned bytes times
//! signed bytes to pair sums in `i16` lanes, for cells of at most 127; wider spans widen to
//! `i16` first and use `vpmaddwd`), flushed to `u64` lanes before a lane can overflow.
//!
//! Setting the environment variable `THERAPEUTIC_ALLIANCE_SIMD=scalar` (read once per process)
//! forces the portable code, so the whole test suite can run on both paths on one machine.

use std::sync::OnceLock;

/// The environment variable that forces the portable kernels (value `scalar`).
const FORCE_VAR: &str = "THERAPEUTIC_ALLIANCE_SIMD";

/// Which kernels this process runs.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// Portable code for the baseline target.
    Scalar,
    /// AVX2 and the rest of x86-64-v3, found on this CPU at run time.
    #[cfg(target_arch = "x86_64")]
    Avx2(pulp::x86::V3),
}

/// Whether the environment asks for the portable kernels (read once).
fn forced_scalar() -> bool {
    static FORCED: OnceLock<bool> = OnceLock::new();
    *FORCED.get_or_init(|| std::env::var_os(FORCE_VAR).is_some_and(|v| v == "scalar"))
}

/// The kernels to run: one cached check per call (the callers pass whole blocks of rows).
#[inline]
fn path() -> Path {
    if forced_scalar() {
        return Path::Scalar;
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return Path::Avx2(simd);
    }
    Path::Scalar
}

/// The name of the kernels this process runs (`"avx2"` or `"scalar"`).
#[cfg(test)]
fn active() -> &'static str {
    match path() {
        Path::Scalar => "scalar",
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(_) => "avx2",
    }
}

/// How many cells of a block equal `c`.
pub(super) fn count_eq(block: &[u8], c: u8) -> u64 {
    match path() {
        Path::Scalar => scalar::count_eq(block, c),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::CountEq { simd, block, c }),
    }
}

/// Adds each category's count in a column block to `freq` (cells `>= freq.len()`, such as the
/// missing marker, are not counted).
pub(super) fn count_categories(block: &[u8], freq: &mut [u64]) {
    match path() {
        Path::Scalar => scalar::count_categories(block, freq),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::Categories { simd, block, freq }),
    }
}

/// The sum of a block's bytes.
pub(super) fn sum_u8(a: &[u8]) -> u64 {
    match path() {
        Path::Scalar => scalar::sum_u8(a),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::Sum { simd, a }),
    }
}

/// Sum of products of two byte columns (over the shorter's length) of cells of at most `span`
/// (at most 254).
pub(super) fn dot_u8(a: &[u8], b: &[u8], span: u64) -> u64 {
    match path() {
        Path::Scalar => scalar::dot_u8(a, b, span),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::Dot1 { simd, a, b, span }),
    }
}

/// Sums of products of one byte column with four others in one pass (over the shortest
/// length), cells of at most `span` (at most 254).
pub(super) fn dot4_u8(a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4] {
    match path() {
        Path::Scalar => scalar::dot4_u8(a, b, span),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::Dot4 { simd, a, b, span }),
    }
}

/// Appends each row's packed tally of a set of columns to `out`: `(sum << bits) | count` over
/// the row's answered cells (`u8::MAX` is missing), in one byte. Returns `false`, appending
/// nothing, where there is no vector kernel for the case (no AVX2, or cells above 15); the
/// caller then runs its portable loop. The caller guarantees that every packed tally fits a
/// byte (`(span x n) << bits | n` at most 255 for `n` columns of cells of at most `span`).
#[cfg_attr(not(target_arch = "x86_64"), allow(clippy::ptr_arg))]
pub(super) fn tallies_u8(cols: &[&[u8]], bits: u32, span: u64, out: &mut Vec<u8>) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Path::Avx2(simd) = path()
        && span <= 15
        && bits < 8
    {
        simd.vectorize(avx2::Tallies {
            simd,
            cols,
            bits,
            out,
        });
        return true;
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (cols, bits, span, out);
    false
}

/// Sums of products of every pair of columns `a[i]`, `b[j]` with `i <= j`, packed lower
/// triangle as [`super::moments::packed`] (cells of at most `span`): one dispatch for all.
pub(super) fn gram(a: &[&[u8]], b: &[&[u8]], span: u64) -> Vec<u64> {
    match path() {
        Path::Scalar => gram_with(Portable, a, b, span),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2(simd) => simd.vectorize(avx2::Gram { simd, a, b, span }),
    }
}

/// The products [`gram_with`] runs: inlined into the dispatch, with no closures in between.
trait Products: Copy {
    /// As [`dot4_u8`].
    fn dot4(self, a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4];
    /// As [`dot_u8`].
    fn dot1(self, a: &[u8], b: &[u8], span: u64) -> u64;
}

/// The portable products.
#[derive(Clone, Copy)]
struct Portable;

impl Products for Portable {
    #[inline(always)]
    fn dot4(self, a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4] {
        scalar::dot4_u8(a, b, span)
    }
    #[inline(always)]
    fn dot1(self, a: &[u8], b: &[u8], span: u64) -> u64 {
        scalar::dot_u8(a, b, span)
    }
}

/// The AVX2 products.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx2(pulp::x86::V3);

#[cfg(target_arch = "x86_64")]
impl Products for Avx2 {
    #[inline(always)]
    fn dot4(self, a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4] {
        avx2::dot(self.0, a, b, span)
    }
    #[inline(always)]
    fn dot1(self, a: &[u8], b: &[u8], span: u64) -> u64 {
        let [p] = avx2::dot(self.0, a, [b], span);
        p
    }
}

/// [`gram`] through the given products.
#[inline(always)]
fn gram_with(p: impl Products, a: &[&[u8]], b: &[&[u8]], span: u64) -> Vec<u64> {
    let k = a.len().min(b.len());
    let mut out = vec![0u64; k * (k + 1) / 2];
    for i in 0..k {
        let Some(&ai) = a.get(i) else { continue };
        let mut j = i;
        while j < k {
            if let (Some(&[c0, c1, c2, c3]), true) = (b.get(j..j + 4), j + 4 <= k) {
                let four = p.dot4(ai, [c0, c1, c2, c3], span);
                for (d, x) in four.iter().enumerate() {
                    if let Some(o) = out.get_mut(super::moments::packed(i, j + d)) {
                        *o = *x;
                    }
                }
                j += 4;
            } else {
                if let (Some(o), Some(bj)) = (out.get_mut(super::moments::packed(i, j)), b.get(j)) {
                    *o = p.dot1(ai, bj, span);
                }
                j += 1;
            }
        }
    }
    out
}

/// Portable kernels for the baseline target: what every CPU runs without AVX2.
pub(super) mod scalar {
    /// How many cells of a block equal `c`: byte counters over runs of 255 cells, which the
    /// compiler vectorizes (a wider counter per cell is several times slower).
    pub(in crate::matrix) fn count_eq(block: &[u8], c: u8) -> u64 {
        block
            .chunks(255)
            .map(|run| {
                u64::from(
                    run.iter()
                        .fold(0u8, |a, &x| a.wrapping_add(u8::from(x == c))),
                )
            })
            .sum()
    }

    /// Counts each category of a column block (cells `>= freq.len()` are not counted).
    pub(in crate::matrix) fn count_categories(block: &[u8], freq: &mut [u64]) {
        if freq.len() <= 16 {
            // One vectorized compare-and-count pass per category.
            for (c, f) in freq.iter_mut().enumerate() {
                *f += count_eq(block, c as u8);
            }
        } else {
            for &x in block {
                if let Some(f) = freq.get_mut(usize::from(x)) {
                    *f += 1;
                }
            }
        }
    }

    /// The sum of a block's bytes (at most 2^24 of them, so a `u32` holds it).
    pub(in crate::matrix) fn sum_u8(a: &[u8]) -> u64 {
        a.chunks(1 << 24)
            .map(|run| {
                u64::from(
                    run.iter()
                        .fold(0u32, |acc, &x| acc.wrapping_add(u32::from(x))),
                )
            })
            .sum()
    }

    /// Rows of 16 lanes a `u16` lane can take before it is flushed, for cells of at most `span`
    /// (each lane adds one product of at most `span²` per row of lanes).
    fn lane_steps(span: u64) -> usize {
        (u64::from(u16::MAX) / span.max(1).pow(2)).max(1) as usize
    }

    /// Sums of products of one byte column with four others in one pass, for cells of at most
    /// `span` (at most 254): products in 16 `u16` lanes per column, flushed to `u64` before a
    /// lane can overflow, so the compiler multiplies 8 or 16 cells per instruction.
    pub(in crate::matrix) fn dot4_u8(a: &[u8], b: [&[u8]; 4], span: u64) -> [u64; 4] {
        let n = b.iter().fold(a.len(), |n, c| n.min(c.len()));
        let (Some(a), Some(b0), Some(b1), Some(b2), Some(b3)) = (
            a.get(..n),
            b[0].get(..n),
            b[1].get(..n),
            b[2].get(..n),
            b[3].get(..n),
        ) else {
            return [0; 4];
        };
        let steps = lane_steps(span);
        let mut out = [0u64; 4];
        let mut rows = a
            .chunks_exact(16)
            .zip(b0.chunks_exact(16))
            .zip(b1.chunks_exact(16))
            .zip(b2.chunks_exact(16))
            .zip(b3.chunks_exact(16));
        loop {
            let mut acc = [[0u16; 16]; 4];
            let mut taken = 0;
            for ((((x, y0), y1), y2), y3) in rows.by_ref().take(steps) {
                taken += 1;
                for (d, y) in [y0, y1, y2, y3].into_iter().enumerate() {
                    if let Some(acc) = acc.get_mut(d) {
                        for ((s, &x), &y) in acc.iter_mut().zip(x).zip(y) {
                            *s = s.wrapping_add(u16::from(x).wrapping_mul(u16::from(y)));
                        }
                    }
                }
            }
            for (o, lanes) in out.iter_mut().zip(&acc) {
                *o += lanes.iter().map(|&l| u64::from(l)).sum::<u64>();
            }
            if taken < steps {
                break;
            }
        }
        let tail = n - n % 16;
        for (d, y) in [b0, b1, b2, b3].into_iter().enumerate() {
            if let (Some(o), Some(x), Some(y)) = (out.get_mut(d), a.get(tail..), y.get(tail..)) {
                *o += x
                    .iter()
                    .zip(y)
                    .map(|(&x, &y)| u64::from(x) * u64::from(y))
                    .sum::<u64>();
            }
        }
        out
    }

    /// Sum of products of two byte columns of cells of at most `span` (as [`dot4_u8`]).
    pub(in crate::matrix) fn dot_u8(a: &[u8], b: &[u8], span: u64) -> u64 {
        let n = a.len().min(b.len());
        let (Some(a), Some(b)) = (a.get(..n), b.get(..n)) else {
            return 0;
        };
        let steps = lane_steps(span);
        let mut out = 0u64;
        let mut rows = a.chunks_exact(16).zip(b.chunks_exact(16));
        loop {
            let mut acc = [0u16; 16];
            let mut taken = 0;
            for (x, y) in rows.by_ref().take(steps) {
                taken += 1;
                for ((s, &x), &y) in acc.iter_mut().zip(x).zip(y) {
                    *s = s.wrapping_add(u16::from(x).wrapping_mul(u16::from(y)));
                }
            }
            out += acc.iter().map(|&l| u64::from(l)).sum::<u64>();
            if taken < steps {
                break;
            }
        }
        let tail = n - n % 16;
        if let (Some(x), Some(y)) = (a.get(tail..), b.get(tail..)) {
            out += x
                .iter()
                .zip(y)
                .map(|(&x, &y)| u64::from(x) * u64::from(y))
                .sum::<u64>();
        }
        out
    }
}

/// AVX2 kernels: each is inlined into a `pulp` dispatch (`V3::vectorize`), so it is compiled
/// with the CPU features the token proves present.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::__m256i;
    use pulp::x86::V3;

    /// Kernel calls for `V3::vectorize`: each a struct whose `call` is inlined into the
    /// function compiled with the CPU features (a closure's call shim may stay out of line,
    /// compiling the kernel without them, one call per intrinsic).
    macro_rules! kernels {
        ($($(#[$m:meta])* $name:ident { $($f:ident: $t:ty),* $(,)? } -> $out:ty = $body:path;)*) => {
            $(
                $(#[$m])*
                pub(in crate::matrix) struct $name<'a> {
                    pub(in crate::matrix) simd: V3,
                    $(pub(in crate::matrix) $f: $t,)*
                }
                impl pulp::NullaryFnOnce for $name<'_> {
                    type Output = $out;
                    #[inline(always)]
                    fn call(self) -> $out {
                        $body(self.simd, $(self.$f),*)
                    }
                }
            )*
        };
    }

    kernels! {
        /// [`count_eq`].
        CountEq { block: &'a [u8], c: u8 } -> u64 = count_eq;
        /// [`count_categories`].
        Categories { block: &'a [u8], freq: &'a mut [u64] } -> () = count_categories;
        /// [`sum_u8`].
        Sum { a: &'a [u8] } -> u64 = sum_u8;
        /// [`dot`] of two columns.
        Dot1 { a: &'a [u8], b: &'a [u8], span: u64 } -> u64 = dot1;
        /// [`dot`] of one column with four.
        Dot4 { a: &'a [u8], b: [&'a [u8]; 4], span: u64 } -> [u64; 4] = dot::<4>;
        /// [`tallies_u8`].
        Tallies { cols: &'a [&'a [u8]], bits: u32, out: &'a mut Vec<u8> } -> () = tallies_u8;
        /// [`gram`].
        Gram { a: &'a [&'a [u8]], b: &'a [&'a [u8]], span: u64 } -> Vec<u64> = gram;
    }

    /// [`dot`] of two columns.
    #[inline(always)]
    fn dot1(simd: V3, a: &[u8], b: &[u8], span: u64) -> u64 {
        let [p] = dot(simd, a, [b], span);
        p
    }

    /// Every pair's products (as [`super::gram`]) in one dispatch.
    #[inline(always)]
    fn gram(simd: V3, a: &[&[u8]], b: &[&[u8]], span: u64) -> Vec<u64> {
        super::gram_with(super::Avx2(simd), a, b, span)
    }

    /// 32 bytes as one vector (an unaligned load).
    #[inline(always)]
    fn load(x: &[u8; 32]) -> __m256i {
        pulp::cast(*x)
    }

    /// The sum of four `u64` lanes.
    #[inline(always)]
    fn hsum64(x: __m256i) -> u64 {
        let l: [u64; 4] = pulp::cast(x);
        l.iter().fold(0u64, |a, &b| a.wrapping_add(b))
    }

    /// The sum of a block's bytes: `vpsadbw` against zero, 32 bytes to four `u64` lanes (two
    /// accumulators).
    #[inline(always)]
    pub(super) fn sum_u8(simd: V3, a: &[u8]) -> u64 {
        let zero = simd.avx._mm256_setzero_si256();
        let (vectors, tail) = pulp::as_arrays::<32, u8>(a);
        let (pairs, odd) = pulp::as_arrays::<2, [u8; 32]>(vectors);
        let sad = |x: &[u8; 32]| simd.avx2._mm256_sad_epu8(load(x), zero);
        let (mut s0, mut s1) = (zero, zero);
        for [x, y] in pairs {
            s0 = simd.avx2._mm256_add_epi64(s0, sad(x));
            s1 = simd.avx2._mm256_add_epi64(s1, sad(y));
        }
        for x in odd {
            s0 = simd.avx2._mm256_add_epi64(s0, sad(x));
        }
        hsum64(simd.avx2._mm256_add_epi64(s0, s1)) + tail.iter().map(|&x| u64::from(x)).sum::<u64>()
    }

    /// How many cells of a block equal `c`: `vpcmpeqb` (-1 where equal) subtracted into byte
    /// counters for at most 255 vectors, then summed by `vpsadbw`.
    #[inline(always)]
    pub(super) fn count_eq(simd: V3, block: &[u8], c: u8) -> u64 {
        let zero = simd.avx._mm256_setzero_si256();
        let target = simd.avx._mm256_set1_epi8(c as i8);
        let (vectors, tail) = pulp::as_arrays::<32, u8>(block);
        let mut total = zero;
        for run in vectors.chunks(255) {
            let mut n = zero;
            for x in run {
                n = simd
                    .avx2
                    ._mm256_sub_epi8(n, simd.avx2._mm256_cmpeq_epi8(load(x), target));
            }
            total = simd
                .avx2
                ._mm256_add_epi64(total, simd.avx2._mm256_sad_epu8(n, zero));
        }
        hsum64(total) + tail.iter().filter(|&&x| x == c).count() as u64
    }

    /// Each category's count in a block, added to `freq`: up to 16 categories, at most eight
    /// per pass over the block (one load, a compare per category); more categories one cell
    /// at a time.
    #[inline(always)]
    pub(super) fn count_categories(simd: V3, block: &[u8], freq: &mut [u64]) {
        if freq.len() > 16 {
            super::scalar::count_categories(block, freq);
            return;
        }
        let (vectors, tail) = pulp::as_arrays::<32, u8>(block);
        let groups = freq.len().div_ceil(8).max(1);
        let per = freq.len().div_ceil(groups);
        for (g, f) in freq.chunks_mut(per).enumerate() {
            let base = (g * per) as u8;
            match f.len() {
                1 => add_group::<1>(simd, vectors, base, f),
                2 => add_group::<2>(simd, vectors, base, f),
                3 => add_group::<3>(simd, vectors, base, f),
                4 => add_group::<4>(simd, vectors, base, f),
                5 => add_group::<5>(simd, vectors, base, f),
                6 => add_group::<6>(simd, vectors, base, f),
                7 => add_group::<7>(simd, vectors, base, f),
                _ => add_group::<8>(simd, vectors, base, f),
            }
            for (c, f) in (base..).zip(f.iter_mut()) {
                *f += tail.iter().filter(|&&x| x == c).count() as u64;
            }
        }
    }

    /// Adds the counts of categories `base..base + N` in `vectors` to `f` (its first `N`).
    #[inline(always)]
    fn add_group<const N: usize>(simd: V3, vectors: &[[u8; 32]], base: u8, f: &mut [u64]) {
        let zero = simd.avx._mm256_setzero_si256();
        let mut t = [zero; N];
        for (c, t) in (base..).zip(t.iter_mut()) {
            *t = simd.avx._mm256_set1_epi8(c as i8);
        }
        let mut total = [zero; N];
        for run in vectors.chunks(255) {
            let mut n = [zero; N];
            for x in run {
                let x = load(x);
                for (n, t) in n.iter_mut().zip(&t) {
                    *n = simd
                        .avx2
                        ._mm256_sub_epi8(*n, simd.avx2._mm256_cmpeq_epi8(x, *t));
                }
            }
            for (total, n) in total.iter_mut().zip(&n) {
                *total = simd
                    .avx2
                    ._mm256_add_epi64(*total, simd.avx2._mm256_sad_epu8(*n, zero));
            }
        }
        for (f, total) in f.iter_mut().zip(&total) {
            *f += hsum64(*total);
        }
    }

    /// [`super::tallies_u8`] for cells of at most 15: each cell looked up (`vpshufb`) in a
    /// table of its packed tally `(v << bits) + 1`, missing cells (made at least 0x80 by a
    /// saturating add) to 0, and the table entries added in bytes, 32 rows at a time.
    #[inline(always)]
    pub(super) fn tallies_u8(simd: V3, cols: &[&[u8]], bits: u32, out: &mut Vec<u8>) {
        let n = cols.iter().map(|c| c.len()).min().unwrap_or(0);
        let one = |v: u8| {
            if v == u8::MAX {
                0
            } else {
                (v << bits).wrapping_add(1)
            }
        };
        let mut table = [0u8; 32];
        for (v, t) in (0u8..).zip(table.iter_mut()) {
            *t = one(v % 16);
        }
        let table: __m256i = pulp::cast(table);
        let shift = simd.avx._mm256_set1_epi8(0x70);
        let vectors: Vec<&[[u8; 32]]> = cols
            .iter()
            .map(|c| pulp::as_arrays::<32, u8>(c.get(..n).unwrap_or_default()).0)
            .collect();
        let start = out.len();
        out.resize(start + n, 0);
        let Some(dst) = out.get_mut(start..) else {
            return;
        };
        let (dst, dst_tail) = pulp::as_arrays_mut::<32, u8>(dst);
        for (r, d) in dst.iter_mut().enumerate() {
            let mut acc = simd.avx._mm256_setzero_si256();
            for c in &vectors {
                if let Some(x) = c.get(r) {
                    // 0..=15 stay in the table's range; 255 (and anything above 15) sets the
                    // top bit, which `vpshufb` reads as zero.
                    let idx = simd.avx2._mm256_adds_epu8(load(x), shift);
                    acc = simd
                        .avx2
                        ._mm256_add_epi8(acc, simd.avx2._mm256_shuffle_epi8(table, idx));
                }
            }
            *d = pulp::cast(acc);
        }
        let done = n - dst_tail.len();
        for (i, d) in dst_tail.iter_mut().enumerate() {
            *d = cols.iter().fold(0u8, |acc, c| {
                acc.wrapping_add(c.get(done + i).map_or(0, |&v| one(v)))
            });
        }
    }

    /// Sums of products of column `a` with each column of `b` over the shortest length, cells
    /// of at most `span` (at most 254). Spans up to 127: `vpmaddubsw` (32 cells, pair sums of
    /// at most 2 x 127² in `i16` lanes), added in `i16` lanes while no lane can pass
    /// `i16::MAX`, then `vpmaddwd` by ones to `i32` and into `u64` lanes. Wider spans: cells
    /// widened to `i16` and `vpmaddwd` (16 cells, pair sums in `i32` lanes).
    #[inline(always)]
    pub(super) fn dot<const N: usize>(simd: V3, a: &[u8], b: [&[u8]; N], span: u64) -> [u64; N] {
        let n = b.iter().fold(a.len(), |n, c| n.min(c.len()));
        let Some(a) = a.get(..n) else {
            return [0; N];
        };
        let b = b.map(|c| c.get(..n).unwrap_or_default());
        let (av, a_tail) = pulp::as_arrays::<32, u8>(a);
        let bv = b.map(|c| pulp::as_arrays::<32, u8>(c).0);
        let mut out = [0u64; N];
        match (bv.as_slice(), out.as_mut_slice()) {
            (&[b0, b1, b2, b3], [o0, o1, o2, o3]) if span <= 127 => {
                [*o0, *o1, *o2, *o3] = dot4_narrow(simd, av, [b0, b1, b2, b3], span);
            }
            (&[b0], [o0]) if span <= 127 => *o0 = dot1_narrow(simd, av, b0, span),
            _ => out = dot_wide(simd, av, bv, span),
        }
        let tail = n - a_tail.len();
        for (o, c) in out.iter_mut().zip(&b) {
            if let Some(c) = c.get(tail..) {
                *o += a_tail
                    .iter()
                    .zip(c)
                    .map(|(&x, &y)| u64::from(x) * u64::from(y))
                    .sum::<u64>();
            }
        }
        out
    }

    /// Adds the `i32` lanes of `x` (each at most `u32::MAX`, as unsigned) into `u64` lanes.
    #[inline(always)]
    fn widen_add(simd: V3, acc: __m256i, x: __m256i) -> __m256i {
        let low = simd.avx._mm256_set1_epi64x(0xFFFF_FFFF);
        let lo = simd.avx2._mm256_and_si256(x, low);
        let hi = simd.avx2._mm256_srli_epi64::<32>(x);
        simd.avx2
            ._mm256_add_epi64(acc, simd.avx2._mm256_add_epi64(lo, hi))
    }

    /// `i16` steps of `vpmaddubsw` pair sums (each at most 2 x span²) before a lane could pass
    /// `i16::MAX`.
    #[inline(always)]
    fn narrow_steps(span: u64) -> usize {
        (i16::MAX as u64 / (2 * span.max(1).pow(2))).max(1) as usize
    }

    /// [`dot`] of one column with four, cells of at most 127 (vectors of the same count in
    /// each): one load of `a` for four `vpmaddubsw`.
    #[inline(always)]
    fn dot4_narrow(simd: V3, a: &[[u8; 32]], b: [&[[u8; 32]]; 4], span: u64) -> [u64; 4] {
        let zero = simd.avx._mm256_setzero_si256();
        let ones = simd.avx._mm256_set1_epi16(1);
        let steps = narrow_steps(span);
        let [b0, b1, b2, b3] = b;
        let mut wide = [zero; 4];
        let runs = a
            .chunks(steps)
            .zip(b0.chunks(steps))
            .zip(b1.chunks(steps))
            .zip(b2.chunks(steps))
            .zip(b3.chunks(steps));
        for ((((a, b0), b1), b2), b3) in runs {
            let (mut s0, mut s1, mut s2, mut s3) = (zero, zero, zero, zero);
            for ((((x, y0), y1), y2), y3) in a.iter().zip(b0).zip(b1).zip(b2).zip(b3) {
                let x = load(x);
                let p = |y: &[u8; 32]| simd.avx2._mm256_maddubs_epi16(x, load(y));
                s0 = simd.avx2._mm256_add_epi16(s0, p(y0));
                s1 = simd.avx2._mm256_add_epi16(s1, p(y1));
                s2 = simd.avx2._mm256_add_epi16(s2, p(y2));
                s3 = simd.avx2._mm256_add_epi16(s3, p(y3));
            }
            for (w, s) in wide.iter_mut().zip([s0, s1, s2, s3]) {
                *w = widen_add(simd, *w, simd.avx2._mm256_madd_epi16(s, ones));
            }
        }
        wide.map(hsum64)
    }

    /// [`dot`] of two columns, cells of at most 127 (vectors of the same count in each).
    #[inline(always)]
    fn dot1_narrow(simd: V3, a: &[[u8; 32]], b: &[[u8; 32]], span: u64) -> u64 {
        let zero = simd.avx._mm256_setzero_si256();
        let ones = simd.avx._mm256_set1_epi16(1);
        let steps = narrow_steps(span);
        let mut wide = zero;
        for (a, b) in a.chunks(steps).zip(b.chunks(steps)) {
            let mut s = zero;
            for (x, y) in a.iter().zip(b) {
                s = simd
                    .avx2
                    ._mm256_add_epi16(s, simd.avx2._mm256_maddubs_epi16(load(x), load(y)));
            }
            wide = widen_add(simd, wide, simd.avx2._mm256_madd_epi16(s, ones));
        }
        hsum64(wide)
    }

    /// [`dot`] for cells of 128 to 254 (correct for any span): bytes widened to `i16`,
    /// `vpmaddwd` to `i32` pair sums.
    #[inline(always)]
    fn dot_wide<const N: usize>(
        simd: V3,
        a: &[[u8; 32]],
        b: [&[[u8; 32]]; N],
        span: u64,
    ) -> [u64; N] {
        let zero = simd.avx._mm256_setzero_si256();
        // Each step adds four products of at most span² to an `i32` lane.
        let steps = (i32::MAX as u64 / (4 * span.max(1).pow(2))).max(1) as usize;
        let mut wide = [zero; N];
        let mut start = 0;
        for run in a.chunks(steps) {
            let end = start + run.len();
            let cols = b.map(|c| c.get(start..end).unwrap_or_default());
            let mut acc = [zero; N];
            for (r, x) in run.iter().enumerate() {
                let x = load(x);
                let (xl, xh) = (
                    simd.avx2._mm256_unpacklo_epi8(x, zero),
                    simd.avx2._mm256_unpackhi_epi8(x, zero),
                );
                for (acc, c) in acc.iter_mut().zip(&cols) {
                    if let Some(y) = c.get(r) {
                        let y = load(y);
                        let lo = simd
                            .avx2
                            ._mm256_madd_epi16(xl, simd.avx2._mm256_unpacklo_epi8(y, zero));
                        let hi = simd
                            .avx2
                            ._mm256_madd_epi16(xh, simd.avx2._mm256_unpackhi_epi8(y, zero));
                        *acc = simd
                            .avx2
                            ._mm256_add_epi32(*acc, simd.avx2._mm256_add_epi32(lo, hi));
                    }
                }
            }
            for (w, acc) in wide.iter_mut().zip(&acc) {
                *w = widen_add(simd, *w, *acc);
            }
            start = end;
        }
        wide.map(hsum64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Plain `u64` reference sums.
    fn dot_ref(a: &[u8], b: &[u8]) -> u64 {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| u64::from(x) * u64::from(y))
            .sum()
    }

    /// A column of `len` cells within `0..=span`, from a seed.
    fn column(len: usize, span: u8, seed: u64) -> Vec<u8> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s % (u64::from(span) + 1)) as u8
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The dispatched kernels (AVX2 on a CPU with it), the portable ones and plain sums
        /// agree exactly for every length (tails included), span and byte value.
        #[test]
        fn dispatched_equal_scalar(
            len in 0usize..200,
            span in 1u8..=254,
            seed in any::<u64>(),
            extreme in any::<bool>(),
        ) {
            let cols: Vec<Vec<u8>> = (0..5u64)
                .map(|d| {
                    if extreme && d % 2 == 0 {
                        vec![span; len]
                    } else {
                        column(len, span, seed.wrapping_add(d))
                    }
                })
                .collect();
            let a = &cols[0];
            let b = [&cols[1][..], &cols[2][..], &cols[3][..], &cols[4][..]];
            let span = u64::from(span);
            let want: Vec<u64> = b.iter().map(|c| dot_ref(a, c)).collect();
            prop_assert_eq!(dot4_u8(a, b, span).to_vec(), want.clone());
            prop_assert_eq!(scalar::dot4_u8(a, b, span).to_vec(), want.clone());
            prop_assert_eq!(dot_u8(a, b[1], span), want[1]);
            prop_assert_eq!(scalar::dot_u8(a, b[1], span), want[1]);
            prop_assert_eq!(dot_u8(a, a, span), dot_ref(a, a));
            let sum: u64 = a.iter().map(|&x| u64::from(x)).sum();
            prop_assert_eq!(sum_u8(a), sum);
            prop_assert_eq!(scalar::sum_u8(a), sum);
            for c in [0u8, 1, span as u8, 255] {
                let n = a.iter().filter(|&&x| x == c).count() as u64;
                prop_assert_eq!(count_eq(a, c), n);
                prop_assert_eq!(scalar::count_eq(a, c), n);
            }
            // Categories of the span (up to 16 vectorized, more one by one), missing cells
            // (255) among them, counted into existing totals.
            let mut with_missing = a.clone();
            for x in with_missing.iter_mut().step_by(7) {
                *x = 255;
            }
            let cats = (span as usize + 1).min(40);
            let mut want = vec![3u64; cats];
            for &x in &with_missing {
                if let Some(f) = want.get_mut(usize::from(x)) {
                    *f += 1;
                }
            }
            let mut got = vec![3u64; cats];
            count_categories(&with_missing, &mut got);
            prop_assert_eq!(&got, &want);
            let mut got = vec![3u64; cats];
            scalar::count_categories(&with_missing, &mut got);
            prop_assert_eq!(&got, &want);
            // Every pair of columns.
            let all: Vec<&[u8]> = cols.iter().map(|c| &c[..]).collect();
            let g = gram(&all, &all, span);
            for j in 0..all.len() {
                for i in 0..=j {
                    prop_assert_eq!(g[super::super::moments::packed(i, j)], dot_ref(all[i], all[j]));
                }
            }
            prop_assert_eq!(gram_with(Portable, &all, &all, span), g);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Packed row tallies (`(sum << bits) | count` in a byte) equal a plain row-by-row
        /// reference, for every length (tails included) and span up to 15, missing cells mixed
        /// in; without a vector kernel nothing is appended.
        #[test]
        fn tallies_equal_a_plain_reference(
            len in 0usize..200,
            n in 1usize..6,
            span in 1u8..=15,
            seed in any::<u64>(),
            missing in 0u64..4,
        ) {
            // The widest count field the sums leave room for, as `BatchScores` packs them.
            let bits_of = |x: u64| 64 - x.leading_zeros();
            let count_bits = bits_of(n as u64);
            prop_assume!(bits_of(u64::from(span) * n as u64) + count_bits <= 8);
            let cols: Vec<Vec<u8>> = (0..n as u64)
                .map(|d| {
                    let mut c = column(len, span, seed.wrapping_add(d));
                    for (r, x) in c.iter_mut().enumerate() {
                        if (r as u64 + d) % 4 < missing {
                            *x = u8::MAX;
                        }
                    }
                    c
                })
                .collect();
            let refs: Vec<&[u8]> = cols.iter().map(|c| &c[..]).collect();
            let want: Vec<u8> = (0..len)
                .map(|r| {
                    let (mut s, mut k) = (0u32, 0u32);
                    for c in &cols {
                        if c[r] != u8::MAX {
                            s += u32::from(c[r]);
                            k += 1;
                        }
                    }
                    ((s << count_bits) | k) as u8
                })
                .collect();
            let mut got = vec![7u8];
            if tallies_u8(&refs, count_bits, u64::from(span), &mut got) {
                prop_assert_eq!(got[0], 7);
                prop_assert_eq!(&got[1..], &want[..]);
            } else {
                prop_assert_eq!(got, vec![7u8]);
            }
        }
    }

    /// Batch scores over many rows (whole vectors and a tail) equal each row scored alone, for
    /// instruments whose tallies take a byte (the vector kernel) and wider ones.
    #[test]
    fn batch_scores_over_many_rows_equal_row_scores() {
        let ids = ["wai-sr", "srs", "arm-5", "wai-s", "phq-9", "gad-7"];
        for id in ids {
            let inst = crate::catalog::require(id).expect("in the catalog");
            let k = inst.items().len();
            let s = inst.scale();
            let (lo, hi) = (i64::from(s.min_units()), i64::from(s.max_units()));
            let mut state = 0x2545_F491_4F6C_DD1Du64;
            let rows: Vec<Vec<Option<f64>>> = (0..1_037)
                .map(|_| {
                    (0..k)
                        .map(|_| {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            let units = ((state >> 8) % (hi - lo + 1) as u64) as i64 + lo;
                            (!state.is_multiple_of(10)).then(|| s.value_of_units(units))
                        })
                        .collect()
                })
                .collect();
            let m = crate::matrix::ResponseMatrix::from_rows(&inst, &rows).expect("valid rows");
            let batch = m.score();
            for (r, row) in rows.iter().enumerate() {
                let single = inst.score_values(row).expect("valid row");
                assert_eq!(batch.scores(r), Some(single), "{id}, row {r}");
            }
        }
    }

    /// The largest cells over whole blocks: every lane flush at its limit.
    #[test]
    fn full_blocks_at_the_largest_cells() {
        for span in [1u8, 4, 6, 10, 63, 127, 128, 200, 254] {
            for len in [16_384usize, 16_384 + 31, 100_000] {
                let a = vec![span; len];
                let b = column(len, span, u64::from(span));
                let want = dot_ref(&a, &b);
                let s = u64::from(span);
                assert_eq!(dot_u8(&a, &b, s), want, "span {span}, len {len}");
                assert_eq!(dot_u8(&a, &a, s), dot_ref(&a, &a), "span {span}, len {len}");
                assert_eq!(dot4_u8(&a, [&b, &a, &b, &a], s)[1], dot_ref(&a, &a));
                assert_eq!(scalar::dot_u8(&a, &b, s), want, "span {span}, len {len}");
                assert_eq!(sum_u8(&a), u64::from(span) * len as u64);
                assert_eq!(count_eq(&a, span), len as u64);
            }
        }
    }

    /// Which kernels run here (printed with `--nocapture`), and the variable that forces the
    /// portable ones.
    #[test]
    fn active_path_is_named() {
        let name = active();
        assert!(name == "avx2" || name == "scalar");
        if forced_scalar() {
            assert_eq!(name, "scalar");
        }
        println!("kernels: {name}");
    }
}
