//! Workloads and settings shared by the criterion benchmarks in `benches/`.
//!
//! Every benchmark group measures our runtime next to its peers (rayon,
//! tokio, threadpool, smol, sequential code) in the same run, so the README's
//! table can show ratios that are fair on a shared, noisy machine.

#![deny(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

/// Workers for every pool in the benchmarks: all the machine's CPUs.
pub fn workers() -> usize {
    scheduler::default_parallelism()
}

/// Criterion settings that keep the whole suite to a few minutes.
pub fn criterion_config() -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

/// A CPU-bound unit of work of roughly a microsecond, scaled by `units`.
pub fn spin(units: u32, seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..units * 200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// The cost of item `i` of `n` in the skewed workload: the first 5 % cost
/// 100 times the rest.
pub fn skewed_units(i: usize, n: usize) -> u32 {
    if i < n / 20 {
        100
    } else {
        1
    }
}

/// Sequential Fibonacci, the leaf of the recursive benchmarks.
pub fn fib_seq(n: u32) -> u64 {
    if n < 2 {
        n as u64
    } else {
        fib_seq(n - 1) + fib_seq(n - 2)
    }
}
