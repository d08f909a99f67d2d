//! Change statistics at the sizes a service or a trial meets: reliable change for 10,000 people,
//! sudden gains in 10,000 clients x 12 sessions, trajectories of the same, and the session
//! monitor over 1,000 clients x 12 sessions of the SRS.
//!
//! No peer timings: the R peers (clinicalsignificance, suddengains) are not installable on the
//! build machines (CRAN is not reachable), so the docs make no speed claim from these.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use therapeutic_alliance::change::{
    ChangeRow, MonitorOptions, RciMethod, ReliableChangeOptions, ScoreSeries, SessionMonitor,
    SessionTable, SuddenOptions, TrajectoryOptions,
};
use therapeutic_alliance::{Administration, Better, catalog};

/// Deterministic pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A whole score in `lo..=hi`.
    fn score(&mut self, lo: u64, hi: u64) -> f64 {
        (lo + self.next() % (hi - lo + 1)) as f64
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let n = 10_000;
    let mut group = c.benchmark_group("change");
    group.sample_size(20);

    let rows: Vec<ChangeRow> = (0..n)
        .map(|i| {
            let pre = rng.score(10, 40);
            ChangeRow::new(
                format!("p{i}"),
                Some(pre),
                Some((pre - rng.score(0, 20)).max(0.0)),
            )
        })
        .collect();
    let rci =
        ReliableChangeOptions::new(RciMethod::JacobsonTruax, 0.8, Better::Lower).expect("valid");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("reliable change, JT, 10k people", |b| {
        b.iter(|| rci.analyze(black_box(rows.clone())).expect("analyses"))
    });

    let series: Vec<ScoreSeries> = (0..n)
        .map(|i| {
            let scores: Vec<Option<f64>> = (0..12)
                .map(|_| (!rng.next().is_multiple_of(10)).then(|| rng.score(0, 63)))
                .collect();
            ScoreSeries::new(format!("c{i}"), scores).expect("finite")
        })
        .collect();
    let sudden = SuddenOptions::new(Better::Lower, 7.0).expect("valid");
    let wide =
        therapeutic_alliance::change::SessionTable::from_wide(series.clone()).expect("a table");
    group.bench_function("sudden gains, 10k clients x 12 sessions", |b| {
        b.iter(|| sudden.gains(black_box(&wide)).expect("an analysis"))
    });

    let table_rows: Vec<(String, u32, Option<f64>)> = series
        .iter()
        .flat_map(|s| {
            s.scores()
                .iter()
                .enumerate()
                .map(|(k, v)| (s.id().to_owned(), k as u32 + 1, *v))
                .collect::<Vec<_>>()
        })
        .collect();
    let table = SessionTable::from_rows(table_rows).expect("valid");
    let opts = TrajectoryOptions::default();
    group.bench_function("trajectories, 10k clients x 12 sessions", |b| {
        b.iter(|| black_box(&table).trajectories(&opts))
    });

    let srs = catalog::require("srs").expect("catalog");
    let clients = 1_000;
    let administrations: Vec<Vec<Administration>> = (0..clients)
        .map(|_| {
            (1..=12u32)
                .map(|s| {
                    let answers: Vec<(String, f64)> = (1..=4)
                        .map(|i| (i.to_string(), rng.score(60, 100) / 10.0))
                        .collect();
                    Administration::builder(&srs)
                        .session(s)
                        .answers(answers)
                        .and_then(|b| b.build())
                        .expect("valid")
                })
                .collect()
        })
        .collect();
    group.throughput(Throughput::Elements(clients as u64 * 12));
    group.bench_function("monitor, 1k clients x 12 SRS sessions", |b| {
        b.iter(|| {
            let mut events = 0usize;
            for sessions in &administrations {
                let mut monitor = SessionMonitor::new(&srs, MonitorOptions::default());
                for adm in sessions {
                    events += monitor.observe(adm).expect("in order").events.len();
                }
            }
            events
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
