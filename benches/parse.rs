//! The wide-CSV read path: 200,000 WAI-SR rows (3% unanswered cells) read and scored to CSV
//! through the score stream (plain rows parsed from bytes into answer units, chunks scored as
//! matrices), to JSON reports (into a `Vec`, and to `io::sink` for the text's making alone),
//! read into a response matrix, and, for comparison, read row by row through
//! `Layout::reader` and written with a `ScoreWriter` (each cell parsed as text into an
//! administration).

use std::hint::black_box;
use std::ops::ControlFlow;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use therapeutic_alliance::csv::{Layout, ScoreFormat, ScoreWriter};
use therapeutic_alliance::{Metric, catalog};

const ROWS: usize = 200_000;

/// `id,1..12` rows with answers 1..=5 and 3% empty cells, deterministic.
fn text(rows: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = b"id,1,2,3,4,5,6,7,8,9,10,11,12\n".to_vec();
    for r in 0..rows {
        out.extend_from_slice(format!("c{r:07}").as_bytes());
        for x in std::iter::repeat_with(&mut next).take(12) {
            let cell = [b',', b'1' + ((x >> 8) % 5) as u8];
            let answered = usize::from(x % 100 >= 3);
            out.extend_from_slice(&cell[..1 + answered]);
        }
        out.push(b'\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let wai = catalog::require("wai-sr").expect("catalog");
    let data = text(ROWS);
    let layout = Layout::wide();
    let mut group = c.benchmark_group("wide CSV, 200,000 WAI-SR rows");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("score stream to CSV (sum)", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(data.len());
            layout
                .score_stream(black_box(&data[..]), &wai)
                .expect("header")
                .metric(Metric::Sum)
                .write_to(&mut out, |_| ControlFlow::Continue(()))
                .expect("runs");
            out
        })
    });
    group.bench_function("score stream to JSON reports", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            layout
                .score_stream(black_box(&data[..]), &wai)
                .expect("header")
                .format(ScoreFormat::Json)
                .write_to(&mut out, |_| ControlFlow::Continue(()))
                .expect("runs");
            out.len()
        })
    });
    group.bench_function("score stream to JSON reports, to io::sink", |b| {
        b.iter(|| {
            let mut out = std::io::sink();
            layout
                .score_stream(black_box(&data[..]), &wai)
                .expect("header")
                .format(ScoreFormat::Json)
                .write_to(&mut out, |_| ControlFlow::Continue(()))
                .expect("runs")
        })
    });
    group.bench_function("read into a response matrix", |b| {
        b.iter(|| {
            layout
                .read_matrix(black_box(&data[..]), &wai)
                .expect("reads")
        })
    });
    group.bench_function("reader and score writer, row by row", |b| {
        b.iter(|| {
            let reader = layout.reader(black_box(&data[..]), &wai).expect("header");
            let mut out = ScoreWriter::for_reader(Vec::new(), &reader).metric(Metric::Sum);
            for row in reader {
                out.write(&row.expect("good row")).expect("writes");
            }
            out.finish().expect("finish")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
