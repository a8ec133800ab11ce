//! Parallel maps: `Pool.map` over 1M tiny items, over 10k heavy items, and
//! over skewed items (the first 5 % cost 100x the rest), next to rayon's
//! `par_iter` and a sequential loop.

use std::hint::black_box;

use benches::{criterion_config, skewed_units, spin, workers};
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::multiprocessing::Pool;
use rayon::prelude::*;

fn group(c: &mut Criterion, name: &str, n: usize, cost: fn(usize, usize) -> u64) {
    let workers = workers();
    let mut g = c.benchmark_group(name);
    let pool = Pool::new(Some(workers as i64)).unwrap();
    g.bench_function("ours", |b| {
        b.iter(|| {
            let out: Vec<u64> = pool.map(move |i: usize| cost(i, n), 0..n, None).unwrap();
            black_box(out)
        })
    });
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .unwrap();
    g.bench_function("rayon", |b| {
        b.iter(|| {
            let out: Vec<u64> =
                rayon.install(|| (0..n).into_par_iter().map(|i| cost(i, n)).collect());
            black_box(out)
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            let out: Vec<u64> = (0..n).map(|i| cost(i, n)).collect();
            black_box(out)
        })
    });
    g.finish();
}

fn maps(c: &mut Criterion) {
    group(c, "pool_map_1m_tiny", 1_000_000, |i, _| {
        black_box(i as u64).wrapping_mul(3) + 1
    });
    group(c, "map_10k_heavy", 10_000, |i, _| spin(10, i as u64));
    group(c, "map_10k_skewed", 10_000, |i, n| {
        spin(skewed_units(i, n), i as u64)
    });
}

criterion_group! { name = benches; config = criterion_config(); targets = maps }
criterion_main!(benches);
