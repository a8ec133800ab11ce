//! `with lock: n += 1` from 4 threads (`threading.Thread`s, here std
//! threads), 1M acquisitions in all, on one `threading.Lock`. Peer, for
//! scale: `std::sync::Mutex<u64>` with the same threads (a Python lock
//! cannot be a guard-released mutex: any thread may release it, and it
//! takes timeouts; `executor-api/src/threading/lock.rs`).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

use benches::criterion_config;
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::threading::Lock;

const TOTAL: u64 = 1_000_000;
const THREADS: u64 = 4;

fn lock(c: &mut Criterion) {
    let mut g = c.benchmark_group("lock_contended_1m");
    let per_thread = TOTAL / THREADS;

    g.bench_function("ours", |b| {
        b.iter(|| {
            let lock = Lock::new();
            // Read and written only under the lock: a relaxed load and
            // store, not an atomic increment, so the lock does the work.
            let n = AtomicU64::new(0);
            thread::scope(|s| {
                for _ in 0..THREADS {
                    s.spawn(|| {
                        for _ in 0..per_thread {
                            let _held = lock.with().unwrap();
                            n.store(n.load(Relaxed) + 1, Relaxed);
                        }
                    });
                }
            });
            assert_eq!(n.into_inner(), TOTAL);
        })
    });

    g.bench_function("std", |b| {
        b.iter(|| {
            let n = std::sync::Mutex::new(0u64);
            thread::scope(|s| {
                for _ in 0..THREADS {
                    s.spawn(|| {
                        for _ in 0..per_thread {
                            *n.lock().unwrap() += 1;
                        }
                    });
                }
            });
            assert_eq!(n.into_inner().unwrap(), TOTAL);
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = lock
}
criterion_main!(benches);
