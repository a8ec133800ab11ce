//! Recursive fib(25): by nested `submit(...).result()` (peer: tokio
//! `spawn` + `.await`) and by our `join` (peer: rayon `join`).

use std::future::Future as StdFuture;
use std::pin::Pin;

use benches::{criterion_config, fib_seq, workers};
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};

const N: u32 = 25;

fn fib_submit(ex: &ThreadPoolExecutor, n: u32) -> u64 {
    if n < 2 {
        return n as u64;
    }
    let ex2 = ex.clone();
    let a: Future<u64> = ex.submit(move || fib_submit(&ex2, n - 1)).unwrap();
    let b = fib_submit(ex, n - 2);
    a.result(None).unwrap() + b
}

fn fib_tokio(n: u32) -> Pin<Box<dyn StdFuture<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            return n as u64;
        }
        let a = tokio::spawn(fib_tokio(n - 1));
        let b = fib_tokio(n - 2).await;
        a.await.unwrap() + b
    })
}

fn fib_join(n: u32) -> u64 {
    if n < 2 {
        return n as u64;
    }
    let (a, b) = scheduler::join(|| fib_join(n - 1), || fib_join(n - 2));
    a + b
}

fn fib_rayon(n: u32) -> u64 {
    if n < 2 {
        return n as u64;
    }
    let (a, b) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    a + b
}

fn fib(c: &mut Criterion) {
    let workers = workers();

    let mut g = c.benchmark_group("fib25_nested_submit");
    let ex = ThreadPoolExecutor::new(Some(workers as i64)).unwrap();
    g.bench_function("ours", |b| {
        b.iter(|| {
            let ex2 = ex.clone();
            ex.submit(move || fib_submit(&ex2, N))
                .unwrap()
                .result(None)
                .unwrap()
        })
    });
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap();
    g.bench_function("tokio", |b| b.iter(|| tokio.block_on(fib_tokio(N))));
    g.bench_function("sequential", |b| b.iter(|| fib_seq(N)));
    g.finish();

    let mut g = c.benchmark_group("fib25_join");
    let ours = scheduler::ThreadPool::new(workers).unwrap();
    g.bench_function("ours", |b| b.iter(|| ours.install(|| fib_join(N))));
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .unwrap();
    g.bench_function("rayon", |b| b.iter(|| rayon.install(|| fib_rayon(N))));
    g.bench_function("sequential", |b| b.iter(|| fib_seq(N)));
    g.finish();
}

criterion_group! { name = benches; config = criterion_config(); targets = fib }
criterion_main!(benches);
