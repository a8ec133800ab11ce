//! Parallel iterators (`scheduler::iter`) next to rayon's, on pools of the
//! same size, and next to sequential code: the rows of issue 16.

use std::hint::black_box;

use benches::{criterion_config, skewed_units, spin, workers};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rayon::prelude::*;
use scheduler::prelude::ParallelIterator as _;

fn pools() -> (scheduler::ThreadPool, rayon::ThreadPool) {
    let n = workers();
    (
        scheduler::ThreadPool::new(n).unwrap(),
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap(),
    )
}

fn random_u64(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect()
}

fn histogram_add(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

fn par_iter(c: &mut Criterion) {
    let (ours, theirs) = pools();

    let mut g = c.benchmark_group("par_sum_squares_10m");
    let n = 10_000_000u64;
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::IntoParallelIterator::into_par_iter(0..black_box(n))
                    .map(|x| x.wrapping_mul(x))
                    .sum::<u64>()
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::iter::IntoParallelIterator::into_par_iter(0..black_box(n))
                    .map(|x| x.wrapping_mul(x))
                    .sum::<u64>()
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| (0..black_box(n)).map(|x| x.wrapping_mul(x)).sum::<u64>())
    });
    g.finish();

    let mut g = c.benchmark_group("par_map_collect_1m");
    let v = random_u64(1_000_000, 1);
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::IntoParallelRefIterator::par_iter(&v)
                    .map(|x| x.rotate_left(7) ^ 0x55)
                    .collect::<Vec<u64>>()
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::iter::IntoParallelRefIterator::par_iter(&v)
                    .map(|x| x.rotate_left(7) ^ 0x55)
                    .collect::<Vec<u64>>()
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            v.iter()
                .map(|x| x.rotate_left(7) ^ 0x55)
                .collect::<Vec<u64>>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("par_filter_count_10m");
    let v = random_u64(10_000_000, 2);
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::IntoParallelRefIterator::par_iter(&v)
                    .filter(|x| **x % 3 == 0)
                    .count()
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::iter::IntoParallelRefIterator::par_iter(&v)
                    .filter(|x| **x % 3 == 0)
                    .count()
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| v.iter().filter(|x| **x % 3 == 0).count())
    });
    g.finish();

    let mut g = c.benchmark_group("par_chunks_4096_10m");
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::ParallelSlice::par_chunks(&v[..], 4096)
                    .map(|c| c.iter().fold(0u64, |a, &x| a ^ x.wrapping_mul(31)))
                    .reduce(|| 0, |a, b| a ^ b)
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::slice::ParallelSlice::par_chunks(&v[..], 4096)
                    .map(|c| c.iter().fold(0u64, |a, &x| a ^ x.wrapping_mul(31)))
                    .reduce(|| 0, |a, b| a ^ b)
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            v.chunks(4096)
                .map(|c| c.iter().fold(0u64, |a, &x| a ^ x.wrapping_mul(31)))
                .fold(0, |a, b| a ^ b)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("par_fold_histogram_10m");
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::IntoParallelRefIterator::par_iter(&v)
                    .fold(
                        || vec![0u64; 256],
                        |mut h, &x| {
                            h[(x & 255) as usize] += 1;
                            h
                        },
                    )
                    .reduce(|| vec![0u64; 256], histogram_add)
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::iter::IntoParallelRefIterator::par_iter(&v)
                    .fold(
                        || vec![0u64; 256],
                        |mut h, &x| {
                            h[(x & 255) as usize] += 1;
                            h
                        },
                    )
                    .reduce(|| vec![0u64; 256], histogram_add)
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            v.iter().fold(vec![0u64; 256], |mut h, &x| {
                h[(x & 255) as usize] += 1;
                h
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("par_sort_unstable_10m_u64");
    g.sample_size(10);
    g.bench_function("ours", |b| {
        b.iter_batched_ref(
            || v.clone(),
            |w| {
                ours.install(|| scheduler::prelude::ParallelSliceMut::par_sort_unstable(&mut w[..]))
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("rayon", |b| {
        b.iter_batched_ref(
            || v.clone(),
            |w| theirs.install(|| rayon::slice::ParallelSliceMut::par_sort_unstable(&mut w[..])),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("sequential", |b| {
        b.iter_batched_ref(|| v.clone(), |w| w.sort_unstable(), BatchSize::LargeInput)
    });
    g.finish();
    drop(v);

    let mut g = c.benchmark_group("par_sort_1m_strings");
    let words: Vec<String> = random_u64(1_000_000, 3)
        .iter()
        .map(|x| format!("{x:x}"))
        .collect();
    g.bench_function("ours", |b| {
        b.iter_batched_ref(
            || words.clone(),
            |w| ours.install(|| scheduler::prelude::ParallelSliceMut::par_sort(&mut w[..])),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("rayon", |b| {
        b.iter_batched_ref(
            || words.clone(),
            |w| theirs.install(|| rayon::slice::ParallelSliceMut::par_sort(&mut w[..])),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("sequential", |b| {
        b.iter_batched_ref(|| words.clone(), |w| w.sort(), BatchSize::LargeInput)
    });
    g.finish();
    drop(words);

    let mut g = c.benchmark_group("par_iter_skewed_10k");
    let n = 10_000usize;
    g.bench_function("ours", |b| {
        b.iter(|| {
            ours.install(|| {
                scheduler::prelude::IntoParallelIterator::into_par_iter(0..n)
                    .map(|i| spin(skewed_units(i, n), i as u64))
                    .collect::<Vec<u64>>()
            })
        })
    });
    g.bench_function("rayon", |b| {
        b.iter(|| {
            theirs.install(|| {
                rayon::iter::IntoParallelIterator::into_par_iter(0..n)
                    .map(|i| spin(skewed_units(i, n), i as u64))
                    .collect::<Vec<u64>>()
            })
        })
    });
    g.bench_function("sequential", |b| {
        b.iter(|| {
            (0..n)
                .map(|i| spin(skewed_units(i, n), i as u64))
                .collect::<Vec<u64>>()
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = criterion_config(); targets = par_iter }
criterion_main!(benches);
