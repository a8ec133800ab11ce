//! Idle cost: the CPU time all threads of the process use during 100 ms in
//! which a pool, just after a burst of work, has nothing to do. The reported
//! "time" is that CPU time (lower is better), read from Linux's per-thread
//! `/proc/self/task/*/schedstat`; on other systems the group is skipped.

use std::time::Duration;

use benches::{criterion_config, spin, workers};
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::concurrent::futures::ThreadPoolExecutor;

const IDLE: Duration = Duration::from_millis(100);

/// Nanoseconds of CPU all threads of this process have used so far.
fn process_cpu_ns() -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        let text = std::fs::read_to_string(path).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Runs `burst`, then returns the CPU time used during the idle window.
fn idle_cpu(iters: u64, mut burst: impl FnMut()) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        burst();
        let before = process_cpu_ns().unwrap_or(0);
        std::thread::sleep(IDLE);
        let after = process_cpu_ns().unwrap_or(0);
        total += Duration::from_nanos(after.saturating_sub(before));
    }
    total
}

fn idle(c: &mut Criterion) {
    if process_cpu_ns().is_none() {
        eprintln!("idle: no /proc/self/task/*/schedstat here; skipped");
        return;
    }
    let n = workers();
    let mut g = c.benchmark_group("idle_cpu_100ms");
    g.sample_size(10).measurement_time(Duration::from_secs(3));

    let ex = ThreadPoolExecutor::new(Some(n as i64)).unwrap();
    g.bench_function("ours", |b| {
        b.iter_custom(|iters| {
            idle_cpu(iters, || {
                let fs: Vec<_> = (0..64u64)
                    .map(|i| ex.submit(move || spin(10, i)).unwrap())
                    .collect();
                fs.iter().for_each(|f| {
                    f.result(None).unwrap();
                });
            })
        })
    });

    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap();
    g.bench_function("rayon", |b| {
        b.iter_custom(|iters| {
            idle_cpu(iters, || {
                rayon.scope(|s| {
                    for i in 0..64u64 {
                        s.spawn(move |_| {
                            spin(10, i);
                        });
                    }
                })
            })
        })
    });

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(n)
        .build()
        .unwrap();
    g.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            idle_cpu(iters, || {
                tokio.block_on(async {
                    let hs: Vec<_> = (0..64u64)
                        .map(|i| tokio::spawn(async move { spin(10, i) }))
                        .collect();
                    for h in hs {
                        h.await.unwrap();
                    }
                })
            })
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = criterion_config(); targets = idle }
criterion_main!(benches);
