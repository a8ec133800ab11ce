//! `with lock: n += 1` from 4 threads (`threading.Thread`s, here std
//! threads), 1M acquisitions in all, on one `threading.Lock`, and the same
//! on one `threading.RLock` and one `threading.Semaphore(1)`. Peer, for scale: `std::sync::Mutex<u64>` with
//! the same threads (a Python lock cannot be a guard-released mutex: any
//! thread may release a `Lock`, and both take timeouts;
//! `executor-api/src/threading/permits.rs`).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;

use benches::criterion_config;
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::threading::{Lock, RLock, Semaphore};

const TOTAL: u64 = 1_000_000;
const THREADS: u64 = 4;

/// `with lock: n += 1` from [`THREADS`] threads, [`TOTAL`] times in all,
/// `with_lock` being the `with` statement.
fn hammer<L: Sync>(lock: &L, with_lock: impl Fn(&L, &dyn Fn()) + Sync) {
    // Read and written only under the lock: a relaxed load and store, not
    // an atomic increment, so the lock does the work.
    let n = AtomicU64::new(0);
    let bump = || n.store(n.load(Relaxed) + 1, Relaxed);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for _ in 0..TOTAL / THREADS {
                    with_lock(lock, &bump);
                }
            });
        }
    });
    assert_eq!(n.into_inner(), TOTAL);
}

fn std_mutex(c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    c.bench_function("std", |b| {
        b.iter(|| {
            hammer(&std::sync::Mutex::new(()), |m, body| {
                let _held = m.lock().unwrap();
                body();
            })
        })
    });
}

fn lock(c: &mut Criterion) {
    let mut g = c.benchmark_group("lock_contended_1m");
    g.bench_function("ours", |b| {
        b.iter(|| {
            hammer(&Lock::new(), |l, body| {
                let _held = l.with().unwrap();
                body();
            })
        })
    });
    std_mutex(&mut g);
    g.finish();

    let mut g = c.benchmark_group("rlock_contended_1m");
    g.bench_function("ours", |b| {
        b.iter(|| {
            hammer(&RLock::new(), |l, body| {
                let _held = l.with().unwrap();
                body();
            })
        })
    });
    std_mutex(&mut g);
    g.finish();

    let mut g = c.benchmark_group("semaphore_contended_1m");
    g.bench_function("ours", |b| {
        b.iter(|| {
            hammer(&Semaphore::new(Some(1)).unwrap(), |sem, body| {
                let _held = sem.with().unwrap();
                body();
            })
        })
    });
    std_mutex(&mut g);
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = lock
}
criterion_main!(benches);
