//! Calls that block: a producer and a consumer, each a task of a two-worker
//! pool, handing 10k items through a bounded queue of 64 (`queue.Queue`
//! between executor calls). Each side blocks in turn on a full or an empty
//! queue, the shape a Python program's pipeline has. Peer: the `threadpool`
//! crate's two threads with a std `sync_channel(64)`.

use benches::criterion_config;
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
use executor_api::queue::Queue;

const ITEMS: u64 = 10_000;

fn blocking(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue_pipeline_10k");

    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    g.bench_function("ours", |b| {
        b.iter(|| {
            let q: Queue<u64> = Queue::new(Some(64));
            let q2 = q.clone();
            let producer: Future<()> = ex
                .submit(move || -> executor_api::PyResult<()> {
                    for i in 0..ITEMS {
                        q2.put(i, None, None)?;
                    }
                    Ok(())
                })
                .unwrap();
            let consumer: Future<u64> = ex
                .submit(move || -> executor_api::PyResult<u64> {
                    let mut sum = 0;
                    for _ in 0..ITEMS {
                        sum += q.get(None, None)?;
                    }
                    Ok(sum)
                })
                .unwrap();
            producer.result(None).unwrap();
            consumer.result(None).unwrap()
        })
    });

    let tp = threadpool::ThreadPool::new(2);
    g.bench_function("threadpool", |b| {
        b.iter(|| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<u64>(64);
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            tp.execute(move || {
                for i in 0..ITEMS {
                    tx.send(i).unwrap();
                }
            });
            tp.execute(move || done_tx.send(rx.iter().sum::<u64>()).unwrap());
            done_rx.recv().unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = blocking
}
criterion_main!(benches);
