//! One task submitted from outside the pool and waited for: the latency of
//! waking a pool, running a trivial task and waking the caller.

use std::hint::black_box;

use benches::{criterion_config, workers};
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::concurrent::futures::ThreadPoolExecutor;

fn round_trip(c: &mut Criterion) {
    let n = workers();
    let mut g = c.benchmark_group("round_trip");

    let ex = ThreadPoolExecutor::new(Some(n as i64)).unwrap();
    g.bench_function("ours", |b| {
        b.iter(|| ex.submit(|| black_box(1u64)).unwrap().result(None).unwrap())
    });

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(n)
        .build()
        .unwrap();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            let h = tokio.spawn(async { black_box(1u64) });
            tokio.block_on(h).unwrap()
        })
    });

    let tp = threadpool::ThreadPool::new(n);
    g.bench_function("threadpool", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            tp.execute(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });

    let smol_ex = std::sync::Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::unbounded::<()>();
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let ex = smol_ex.clone();
            let stopped = stopped.clone();
            std::thread::spawn(move || smol::block_on(ex.run(stopped.recv())))
        })
        .collect();
    g.bench_function("smol", |b| {
        b.iter(|| smol::block_on(smol_ex.spawn(async { black_box(1u64) })))
    });
    drop(stop);
    for t in threads {
        let _ = t.join();
    }

    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap();
    g.bench_function("rayon", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            rayon.spawn(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    g.finish();
}

criterion_group! { name = benches; config = criterion_config(); targets = round_trip }
criterion_main!(benches);
