//! Claim: a `Queue(maxsize)` shared by many producers and consumers loses,
//! duplicates and invents no item, never holds more than `maxsize`, and
//! `join()` returns once every item had its `task_done()`. A short
//! `Queue(maxsize=2)` with `put(timeout=...)`/`get(timeout=...)` raises
//! only `queue.Full`/`queue.Empty`, and every item that a `put` accepted
//! is got exactly once. CPython: the same (one mutex, `not_full`,
//! `not_empty` and `all_tasks_done` conditions).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::queue::Queue;
use executor_api::PyException;

const PRODUCERS: usize = 6;
const CONSUMERS: usize = 6;
const ITEMS: usize = 5_000;

#[test]
fn many_producers_and_consumers_count_every_item() {
    common::watchdog("Queue(8) 6x6", || {
        let q: Arc<Queue<Option<usize>>> = Arc::new(Queue::new(Some(8)));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for i in 0..ITEMS {
                        q.put(Some(p * ITEMS + i), None, None).unwrap();
                        assert!(q.qsize() <= 8);
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let q = q.clone();
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Some(x) = q.get(None, None).unwrap() {
                        got.push(x);
                        q.task_done().unwrap();
                    }
                    q.task_done().unwrap();
                    got
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        for _ in 0..CONSUMERS {
            q.put(None, None, None).unwrap();
        }
        q.join();
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..PRODUCERS * ITEMS).collect::<Vec<_>>());
        assert_eq!(q.unfinished_tasks(), 0);
        assert!(q.empty());
    });
}

#[test]
fn timeouts_on_a_tiny_queue_lose_nothing() {
    common::watchdog("Queue(2) with timeouts", || {
        let q: Arc<Queue<usize>> = Arc::new(Queue::new(Some(2)));
        let accepted = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let (q, accepted) = (q.clone(), accepted.clone());
                std::thread::spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..2_000 {
                        match q.put(p * 10_000 + i, None, Some(0.0005)) {
                            Ok(()) => {
                                accepted.fetch_add(1, Ordering::SeqCst);
                                mine.push(p * 10_000 + i);
                            }
                            Err(PyException::Full(_)) => {}
                            Err(e) => panic!("put raised {e}"),
                        }
                    }
                    mine
                })
            })
            .collect();
        let done = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let (q, done) = (q.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        match q.get(None, Some(0.0005)) {
                            Ok(x) => got.push(x),
                            Err(PyException::Empty(_)) => {
                                if done.load(Ordering::SeqCst) == 1 && q.empty() {
                                    return got;
                                }
                            }
                            Err(e) => panic!("get raised {e}"),
                        }
                    }
                })
            })
            .collect();
        let mut put: Vec<usize> = producers
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect();
        done.store(1, Ordering::SeqCst);
        let mut got: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        put.sort_unstable();
        got.sort_unstable();
        assert_eq!(put.len(), accepted.load(Ordering::SeqCst));
        assert_eq!(got, put, "every accepted item got exactly once");
    });
}
