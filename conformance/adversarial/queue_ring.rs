//! Claim: a bounded `Queue` keeps its items in a lock-free ring
//! (`executor-api/src/queue/ring.rs`) whose `put`, `get` and `task_done`
//! take no lock and wake a blocked caller without a fence; no wake-up is
//! lost, no item is lost or doubled, `unfinished_tasks` is exact (a
//! surplus `task_done()` raises `ValueError`, never passes), and `q.maxsize
//! = n` in mid-stream hands every item over in order. CPython: the same
//! (one mutex and three conditions).
//!
//! The probes make every operation wait: `Queue(1)` ping-pong, where each
//! side blocks on every item and is woken by the other's lock-free
//! operation (a lost wake-up hangs, and the watchdog reports it).

mod common;

use std::sync::Arc;

use executor_api::queue::Queue;
use executor_api::PyClass;

const ROUNDS: usize = 100_000;

#[test]
fn ping_pong_on_one_slot_queues_never_loses_a_wake_up() {
    common::watchdog("Queue(1) ping-pong", || {
        let there: Arc<Queue<usize>> = Arc::new(Queue::new(Some(1)));
        let back: Arc<Queue<usize>> = Arc::new(Queue::new(Some(1)));
        let echo = {
            let (there, back) = (there.clone(), back.clone());
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    let x = there.get(None, None).unwrap();
                    there.task_done().unwrap();
                    back.put(x + 1, None, None).unwrap();
                }
            })
        };
        for i in 0..ROUNDS {
            there.put(2 * i, None, None).unwrap();
            assert_eq!(back.get(None, None).unwrap(), 2 * i + 1);
        }
        echo.join().unwrap();
        there.join(); // every item had its task_done
        assert_eq!(
            (there.unfinished_tasks(), back.unfinished_tasks()),
            (0, ROUNDS)
        );
        assert_eq!(there.waiter_count() + back.waiter_count(), 0);
    });
}

#[test]
fn four_by_four_on_one_slot_counts_every_item_and_task() {
    common::watchdog("Queue(1) 4x4", || {
        let q: Arc<Queue<usize>> = Arc::new(Queue::new(Some(1)));
        let per = 5_000;
        let producers: Vec<_> = (0..4)
            .map(|p| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for i in 0..per {
                        q.put(p * per + i, None, None).unwrap();
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                let q = q.clone();
                std::thread::spawn(move || {
                    (0..per)
                        .map(|_| {
                            let x = q.get(None, None).unwrap();
                            q.task_done().unwrap();
                            x
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..4 * per).collect::<Vec<_>>());
        q.join();
        let e = q.task_done().unwrap_err();
        assert!(e.is_instance_of(&PyClass::ValueError));
        assert_eq!(
            e.to_string(),
            "ValueError: task_done() called too many times"
        );
        assert_eq!(
            (q.unfinished_tasks(), q.qsize(), q.waiter_count()),
            (0, 0, 0)
        );
    });
}

#[test]
fn surplus_task_done_racing_puts_is_refused_exactly() {
    common::watchdog("task_done vs put", || {
        // One thread puts n items; another calls task_done n times as fast
        // as it can, retrying on ValueError: it may pass only after a put,
        // so it never passes more than n times, and ends at exactly n.
        let n = 20_000;
        let q: Arc<Queue<usize>> = Arc::new(Queue::new(Some(64)));
        let marker = {
            let q = q.clone();
            std::thread::spawn(move || {
                let mut passed = 0;
                while passed < n {
                    match q.task_done() {
                        Ok(()) => passed += 1,
                        Err(e) => assert!(e.is_instance_of(&PyClass::ValueError)),
                    }
                }
                assert!(q.task_done().is_err());
            })
        };
        for i in 0..n {
            q.put(i, None, None).unwrap();
            q.get(None, None).unwrap();
        }
        marker.join().unwrap();
        assert_eq!(q.unfinished_tasks(), 0);
    });
}

#[test]
fn maxsize_change_in_mid_stream_hands_over_every_item_in_order() {
    common::watchdog("maxsize change mid-stream", || {
        let q: Arc<Queue<usize>> = Arc::new(Queue::new(Some(4)));
        let n = 20_000;
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..n {
                    q.put(i, None, None).unwrap();
                }
            })
        };
        let consumer = {
            let q = q.clone();
            std::thread::spawn(move || (0..n).map(|_| q.get(None, None).unwrap()).collect())
        };
        // Let both run on the ring, then close it under them.
        while q.unfinished_tasks() < n / 4 {
            std::thread::yield_now();
        }
        q.set_maxsize(3);
        let got: Vec<usize> = consumer.join().unwrap();
        producer.join().unwrap();
        assert_eq!(got, (0..n).collect::<Vec<_>>(), "one producer: FIFO order");
        assert_eq!((q.unfinished_tasks(), q.maxsize(), q.qsize()), (n, 3, 0));
    });
}
