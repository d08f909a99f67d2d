//! Scoring throughput: rows of WAI-SR and SRS answers, through the allocation-free row path and
//! through validated administrations.
//!
//! No speed claim is made from these numbers alone: a claim in the docs must state the ratio against
//! a peer (psych::scoreItems) on the same data.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use therapeutic_alliance::{Administration, catalog};

/// Deterministic pseudo-random rows with about 3% missing answers.
fn rows(items: usize, n: usize, lo: i64, hi: i64, r: f64) -> Vec<Vec<Option<f64>>> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|_| {
            (0..items)
                .map(|_| {
                    let x = next();
                    (x % 100 >= 3).then(|| (lo + (x >> 8) as i64 % (hi - lo + 1)) as f64 / r)
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let n = 10_000;
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(n as u64));

    let wai = catalog::require("wai-sr").expect("catalog");
    let wai_rows = rows(12, n, 1, 5, 1.0);
    group.bench_function("wai-sr rows (score_values)", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for row in &wai_rows {
                let s = wai.score_values(black_box(row)).expect("valid");
                total += s.primary("total").unwrap_or(0.0);
            }
            total
        })
    });
    group.bench_function("wai-sr administrations (build + score)", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for row in &wai_rows {
                let adm = Administration::from_values(&wai, black_box(row)).expect("valid");
                total += adm.score().primary("total").unwrap_or(0.0);
            }
            total
        })
    });

    let srs = catalog::require("srs").expect("catalog");
    let srs_rows = rows(4, n, 0, 100, 10.0);
    group.bench_function("srs rows (score_values)", |b| {
        b.iter(|| {
            srs.score_rows(black_box(&srs_rows))
                .filter_map(|s| s.ok()?.primary("total"))
                .sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
