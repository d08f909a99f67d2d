//! Batch scoring and item moments from a response matrix, against the memory-speed floor: a
//! plain pass summing the same bytes.
//!
//! Data: 1,000,000 administrations of the WAI-SR (12 items, 1-5), complete and with 5% missing
//! cells, deterministic pseudo-random answers.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use therapeutic_alliance::catalog;
use therapeutic_alliance::matrix::{Merge, ResponseMatrix};

const ROWS: usize = 1_000_000;

/// Deterministic rows: answers 1..=5, `missing` percent of cells unanswered.
fn rows(n: usize, missing: u64) -> Vec<[Option<f64>; 12]> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            let mut row = [None; 12];
            for cell in &mut row {
                let x = next();
                if x % 100 >= missing {
                    *cell = Some(((x >> 8) % 5 + 1) as f64);
                }
            }
            row
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let wai = catalog::require("wai-sr").expect("catalog");
    let complete = ResponseMatrix::from_rows(&wai, rows(ROWS, 0)).expect("valid");
    let missing = ResponseMatrix::from_rows(&wai, rows(ROWS, 5)).expect("valid");
    // The same bytes as the matrix holds, column by column, for the floor.
    let bytes: Vec<Vec<u8>> = (0..12)
        .map(|i| {
            (0..ROWS)
                .map(|r| complete.value(r, i).unwrap_or(0.0) as u8)
                .collect()
        })
        .collect();

    let mut group = c.benchmark_group("matrix 1,000,000 x 12");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(20);
    group.bench_function("floor: sum every byte", |b| {
        b.iter(|| {
            black_box(&bytes)
                .iter()
                .map(|col| col.iter().map(|&x| u64::from(x)).sum::<u64>())
                .sum::<u64>()
        })
    });
    // The same floor compiled for AVX2 where the CPU has it (dispatched at run time as the
    // crate's kernels are), for an honest ratio to the dispatched kernels.
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        group.bench_function("floor, AVX2: sum every byte", |b| {
            b.iter(|| {
                let bytes = black_box(&bytes);
                simd.vectorize(
                    #[inline(always)]
                    || {
                        bytes
                            .iter()
                            .map(|col| col.iter().map(|&x| u64::from(x)).sum::<u64>())
                            .sum::<u64>()
                    },
                )
            })
        });
    }
    group.bench_function("batch scoring (every subscale and total sum)", |b| {
        b.iter(|| black_box(&complete).score())
    });
    group.bench_function("moments, complete", |b| {
        b.iter(|| black_box(&complete).moments())
    });
    group.bench_function("moments, 5% missing", |b| {
        b.iter(|| black_box(&missing).moments())
    });
    group.bench_function(
        "full reliability (alpha, item stats, split-half, omega), complete",
        |b| {
            b.iter(|| {
                black_box(&complete)
                    .moments()
                    .reliability("total")
                    .expect("reliable")
            })
        },
    );
    group.bench_function("full reliability, 5% missing", |b| {
        b.iter(|| {
            black_box(&missing)
                .moments()
                .reliability("total")
                .expect("reliable")
        })
    });
    // The analysis alone (alpha, item statistics, split-half, omega total from moments already
    // accumulated): a cost that does not grow with the rows.
    let moments = complete.moments();
    group.bench_function(
        "reliability from accumulated moments (no pass over rows)",
        |b| b.iter(|| black_box(&moments).reliability("total").expect("reliable")),
    );
    #[cfg(feature = "parallel")]
    group.bench_function("moments on all cores, complete", |b| {
        b.iter(|| black_box(&complete).moments_parallel())
    });
    #[cfg(feature = "parallel")]
    group.bench_function("moments on all cores, 5% missing", |b| {
        b.iter(|| black_box(&missing).moments_parallel())
    });
    group.bench_function("merge two halves' moments", |b| {
        let half = ROWS / 2;
        let (a, z) = (
            complete.moments_of(0..half).expect("range"),
            complete.moments_of(half..ROWS).expect("range"),
        );
        b.iter(|| {
            let mut m = a.clone();
            m.merge(black_box(&z)).expect("same instrument");
            m
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
