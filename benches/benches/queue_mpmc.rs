//! `queue.Queue(maxsize=1024)` between threads: 2 producers and 2
//! consumers (`threading.Thread`s, here std threads) moving 1M items, each
//! side blocking on a full or an empty queue in turn. Peer:
//! `crossbeam_channel::bounded(1024)` with the same threads.

use std::thread;

use benches::criterion_config;
use criterion::{criterion_group, criterion_main, Criterion};
use executor_api::queue::Queue;

const ITEMS: u64 = 1_000_000;
const PRODUCERS: u64 = 2;
const CONSUMERS: u64 = 2;

fn queue_mpmc(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue_mpmc_1m");
    let per_producer = ITEMS / PRODUCERS;
    let per_consumer = ITEMS / CONSUMERS;
    let expected: u64 = (0..ITEMS).sum();

    g.bench_function("ours", |b| {
        b.iter(|| {
            let q: Queue<u64> = Queue::new(Some(1024));
            let sum: u64 = thread::scope(|s| {
                for p in 0..PRODUCERS {
                    let q = q.clone();
                    s.spawn(move || {
                        for i in 0..per_producer {
                            q.put(p * per_producer + i, None, None).unwrap();
                        }
                    });
                }
                let consumers: Vec<_> = (0..CONSUMERS)
                    .map(|_| {
                        let q = q.clone();
                        s.spawn(move || {
                            (0..per_consumer)
                                .map(|_| q.get(None, None).unwrap())
                                .sum::<u64>()
                        })
                    })
                    .collect();
                consumers.into_iter().map(|h| h.join().unwrap()).sum()
            });
            assert_eq!(sum, expected);
        })
    });

    g.bench_function("crossbeam", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded::<u64>(1024);
            let sum: u64 = thread::scope(|s| {
                for p in 0..PRODUCERS {
                    let tx = tx.clone();
                    s.spawn(move || {
                        for i in 0..per_producer {
                            tx.send(p * per_producer + i).unwrap();
                        }
                    });
                }
                let consumers: Vec<_> = (0..CONSUMERS)
                    .map(|_| {
                        let rx = rx.clone();
                        s.spawn(move || (0..per_consumer).map(|_| rx.recv().unwrap()).sum::<u64>())
                    })
                    .collect();
                consumers.into_iter().map(|h| h.join().unwrap()).sum()
            });
            assert_eq!(sum, expected);
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = criterion_config();
    targets = queue_mpmc
}
criterion_main!(benches);
