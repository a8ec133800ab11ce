//! Submit 100k tiny tasks and collect every result: our
//! `ThreadPoolExecutor.submit` + `Future.result` next to rayon `spawn` + a
//! channel, tokio `spawn` + awaiting the handles, `threadpool` + a channel,
//! and a sequential loop.

use std::hint::black_box;

use benches::{criterion_config, workers};
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};

const N: u64 = 100_000;

fn submit_result(c: &mut Criterion) {
    let n = workers();
    let mut g = c.benchmark_group("submit_result_100k");

    let ex = ThreadPoolExecutor::new(Some(n as i64)).unwrap();
    g.bench_function("ours", |b| {
        b.iter(|| {
            let fs: Vec<Future<u64>> = (0..N)
                .map(|i| ex.submit(move || black_box(i)).unwrap())
                .collect();
            fs.iter().map(|f| f.result(None).unwrap()).sum::<u64>()
        })
    });

    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap();
    g.bench_function("rayon", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::unbounded();
            for i in 0..N {
                let tx = tx.clone();
                rayon.spawn(move || tx.send(black_box(i)).unwrap());
            }
            drop(tx);
            rx.iter().sum::<u64>()
        })
    });

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(n)
        .build()
        .unwrap();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            tokio.block_on(async {
                let hs: Vec<_> = (0..N)
                    .map(|i| tokio::spawn(async move { black_box(i) }))
                    .collect();
                let mut sum = 0;
                for h in hs {
                    sum += h.await.unwrap();
                }
                sum
            })
        })
    });

    let tp = threadpool::ThreadPool::new(n);
    g.bench_function("threadpool", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::unbounded();
            for i in 0..N {
                let tx = tx.clone();
                tp.execute(move || tx.send(black_box(i)).unwrap());
            }
            drop(tx);
            rx.iter().sum::<u64>()
        })
    });

    g.bench_function("sequential", |b| {
        b.iter(|| (0..N).map(black_box).sum::<u64>())
    });
    g.finish();
}

criterion_group! { name = benches; config = criterion_config(); targets = submit_result }
criterion_main!(benches);
