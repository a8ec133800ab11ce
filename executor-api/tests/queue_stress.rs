//! `queue.Queue` (`src/queue/base.rs`) under load:
//! many producers and consumers on tiny and large bounds, blocking calls,
//! timeouts, `task_done`/`join` and a `maxsize` changed while threads run.
//! Every test counts every item (none lost, duplicated or invented), checks
//! FIFO order where it is defined, and runs under a watchdog (a lost
//! wake-up shows as a hang).
// Needs real threads (not on `wasm32-wasip1`, which has none).
#![cfg(any(not(target_family = "wasm"), target_feature = "atomics"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use pyrt_executor::queue::{Queue, SimpleQueue};
use pyrt_executor::{PyException, PyResult};

/// Runs `body` on its own thread and fails the test if it takes longer
/// than two minutes (a hang), instead of hanging the suite.
fn watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(body()).unwrap());
    rx.recv_timeout(Duration::from_secs(120))
        .expect("hung: the watchdog fired")
}

/// `producers` threads put `per` items each (tagged by producer) into a
/// `Queue(maxsize)` with blocking `put`; `consumers` threads `get` until a
/// `None` each. Checks that every item came out exactly once, that each
/// consumer saw each producer's items in order (FIFO), and that `qsize`
/// never went above `maxsize`.
fn move_every_item(maxsize: isize, producers: usize, consumers: usize, per: usize) {
    watchdog(move || {
        let q: Queue<Option<(usize, usize)>> = Queue::new(Some(maxsize));
        let bound = if maxsize > 0 {
            maxsize as usize
        } else {
            usize::MAX
        };
        let got: Vec<Vec<(usize, usize)>> = std::thread::scope(|s| {
            let takers: Vec<_> = (0..consumers)
                .map(|_| {
                    let q = q.clone();
                    s.spawn(move || {
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
            let makers: Vec<_> = (0..producers)
                .map(|p| {
                    let q = q.clone();
                    s.spawn(move || {
                        for i in 0..per {
                            q.put(Some((p, i)), None, None).unwrap();
                            assert!(q.qsize() <= bound, "qsize above maxsize");
                        }
                    })
                })
                .collect();
            for m in makers {
                m.join().unwrap();
            }
            for _ in 0..consumers {
                q.put(None, None, None).unwrap();
            }
            q.join();
            takers.into_iter().map(|t| t.join().unwrap()).collect()
        });
        for mine in &got {
            for p in 0..producers {
                let order: Vec<usize> = mine.iter().filter(|x| x.0 == p).map(|x| x.1).collect();
                assert!(order.windows(2).all(|w| w[0] < w[1]), "FIFO per producer");
            }
        }
        let mut all: Vec<(usize, usize)> = got.into_iter().flatten().collect();
        all.sort_unstable();
        let expected: Vec<(usize, usize)> = (0..producers)
            .flat_map(|p| (0..per).map(move |i| (p, i)))
            .collect();
        assert_eq!(all, expected);
        assert_eq!(
            (q.qsize(), q.unfinished_tasks(), q.waiter_count()),
            (0, 0, 0)
        );
        assert!(q.empty());
    });
}

#[test]
fn maxsize_one_with_many_producers_and_consumers() {
    move_every_item(1, 4, 4, 5_000);
}

#[test]
fn maxsize_three_with_more_producers_than_consumers() {
    move_every_item(3, 6, 2, 3_000);
}

#[test]
fn large_bound_and_unbounded_queues() {
    move_every_item(1024, 2, 2, 50_000);
    move_every_item(0, 3, 3, 20_000);
    move_every_item(-5, 1, 4, 20_000);
}

/// A single consumer blocked on an empty queue is woken by every one of
/// many single puts (a lost wake-up hangs the watchdog).
#[test]
fn every_put_wakes_a_blocked_get() {
    watchdog(|| -> PyResult<()> {
        let q: Queue<usize> = Queue::new(Some(1));
        let back: Queue<usize> = Queue::new(Some(1));
        std::thread::scope(|s| {
            let (q2, back2) = (q.clone(), back.clone());
            s.spawn(move || -> PyResult<()> {
                for _ in 0..20_000 {
                    let x = q2.get(None, None)?;
                    back2.put(x + 1, None, None)?;
                }
                Ok(())
            });
            let mut x = 0;
            for _ in 0..20_000 {
                q.put(x, None, None)?;
                x = back.get(None, None)?;
            }
            assert_eq!(x, 20_000);
            Ok(())
        })
    })
    .unwrap();
}

/// Producers and consumers with short timeouts on `Queue(1)`: calls raise
/// only `Full`/`Empty`, every accepted item is got exactly once, and
/// consumers still blocked at the end (no timeout) are all woken by the
/// final items.
#[test]
fn timeouts_on_maxsize_one_lose_nothing() {
    watchdog(|| {
        let q: Queue<Option<usize>> = Queue::new(Some(1));
        let (put, got): (Vec<usize>, Vec<usize>) = std::thread::scope(|s| {
            let takers: Vec<_> = (0..3)
                .map(|c| {
                    let q = q.clone();
                    s.spawn(move || {
                        let mut got = Vec::new();
                        loop {
                            // Every other consumer waits without timeout.
                            let timeout = (c % 2 == 0).then_some(0.0002);
                            match q.get(None, timeout) {
                                Ok(Some(x)) => got.push(x),
                                Ok(None) => return got,
                                Err(PyException::Empty(_)) => {}
                                Err(e) => panic!("get raised {e}"),
                            }
                        }
                    })
                })
                .collect();
            let makers: Vec<_> = (0..3)
                .map(|p| {
                    let q = q.clone();
                    s.spawn(move || {
                        let mut mine = Vec::new();
                        for i in 0..3_000 {
                            let x = p * 10_000 + i;
                            match q.put(Some(x), None, Some(0.0002)) {
                                Ok(()) => mine.push(x),
                                Err(PyException::Full(_)) => {}
                                Err(e) => panic!("put raised {e}"),
                            }
                        }
                        mine
                    })
                })
                .collect();
            let put: Vec<usize> = makers.into_iter().flat_map(|m| m.join().unwrap()).collect();
            for _ in 0..3 {
                q.put(None, None, None).unwrap();
            }
            let got = takers.into_iter().flat_map(|t| t.join().unwrap()).collect();
            (put, got)
        });
        let (mut put, mut got) = (put, got);
        put.sort_unstable();
        got.sort_unstable();
        assert!(!put.is_empty());
        assert_eq!(got, put, "every accepted item got exactly once");
        assert_eq!((q.qsize(), q.waiter_count()), (0, 0));
    });
}

/// `join()` from several threads returns each time the work of a round
/// is done, and `task_done` past zero raises CPython's error.
#[test]
fn rounds_of_join_with_concurrent_task_done() {
    watchdog(|| -> PyResult<()> {
        let q: Queue<usize> = Queue::new(Some(4));
        let done = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| -> PyResult<()> {
            for _ in 0..3 {
                let (q, done) = (q.clone(), done.clone());
                s.spawn(move || loop {
                    let x = q.get(None, None).unwrap();
                    if x == usize::MAX {
                        q.task_done().unwrap();
                        return;
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                    q.task_done().unwrap();
                });
            }
            for round in 1..=200 {
                for i in 0..10 {
                    q.put(i, None, None)?;
                }
                let joiners: Vec<_> = (0..2)
                    .map(|_| {
                        let q = q.clone();
                        s.spawn(move || q.join())
                    })
                    .collect();
                q.join();
                for j in joiners {
                    j.join().unwrap();
                }
                assert_eq!(done.load(Ordering::SeqCst), round * 10);
            }
            for _ in 0..3 {
                q.put(usize::MAX, None, None)?;
            }
            Ok(())
        })?;
        q.join();
        assert_eq!(
            q.task_done().unwrap_err().to_string(),
            "ValueError: task_done() called too many times"
        );
        Ok(())
    })
    .unwrap();
}

/// A `maxsize` shrunk while producers run holds from the next `put` on:
/// `qsize` never goes above it once it is set (and producers blocked on
/// the larger size are not lost).
#[test]
fn shrinking_maxsize_under_load_is_respected() {
    watchdog(|| {
        let q: Queue<usize> = Queue::new(Some(64));
        let shrunk = Arc::new(AtomicUsize::new(0));
        let total = std::thread::scope(|s| {
            let makers: Vec<_> = (0..3)
                .map(|_| {
                    let q = q.clone();
                    s.spawn(move || {
                        for i in 0..5_000 {
                            q.put(i, None, None).unwrap();
                        }
                    })
                })
                .collect();
            let watcher = {
                let (q, shrunk) = (q.clone(), shrunk.clone());
                s.spawn(move || {
                    let mut sum = 0;
                    for n in 0..15_000 {
                        if n == 100 {
                            q.set_maxsize(2);
                            shrunk.store(1, Ordering::SeqCst);
                        }
                        sum += q.get(None, None).unwrap();
                        if shrunk.load(Ordering::SeqCst) == 1 {
                            // Puts that reserved their place before the
                            // shrink may still be in, never more than 64.
                            assert!(q.qsize() <= 64);
                        }
                    }
                    sum
                })
            };
            for m in makers {
                m.join().unwrap();
            }
            watcher.join().unwrap()
        });
        assert_eq!(total, 3 * (0..5_000).sum::<usize>());
        // Once drained, the shrunk size holds exactly.
        q.put_nowait(1).unwrap();
        q.put_nowait(2).unwrap();
        assert!(q.full());
        assert_eq!(q.put_nowait(3).unwrap_err().name(), "Full");
    });
}

/// `SimpleQueue` runs on the same store: many producers, blocking getters.
#[test]
fn simple_queue_with_blocking_getters() {
    watchdog(|| {
        let q: SimpleQueue<usize> = SimpleQueue::new();
        let sum: usize = std::thread::scope(|s| {
            let takers: Vec<_> = (0..3)
                .map(|_| {
                    let q = q.clone();
                    s.spawn(move || {
                        let mut sum = 0;
                        while let Ok(x) = q.get(None, None) {
                            if x == usize::MAX {
                                return sum;
                            }
                            sum += x;
                        }
                        unreachable!("a blocking get without timeout raised")
                    })
                })
                .collect();
            let makers: Vec<_> = (0..3)
                .map(|p| {
                    let q = q.clone();
                    s.spawn(move || {
                        for i in 0..10_000 {
                            q.put(p * 10_000 + i, None, None);
                        }
                    })
                })
                .collect();
            for m in makers {
                m.join().unwrap();
            }
            // One sentinel per consumer, after every item.
            for _ in 0..3 {
                q.put(usize::MAX, None, None);
            }
            takers.into_iter().map(|t| t.join().unwrap()).sum()
        });
        assert_eq!(sum, (0..30_000).sum::<usize>());
    });
}

/// A `maxsize` grown past the size the queue was made with (and a bound
/// given to an unbounded queue) holds exactly, and the order stays FIFO
/// across the switch, single-threaded and with threads.
#[test]
fn changed_maxsize_keeps_the_bound_and_the_order() -> PyResult<()> {
    let q: Queue<usize> = Queue::new(Some(2));
    q.put_nowait(0)?;
    q.put_nowait(1)?;
    q.set_maxsize(5);
    for i in 2..5 {
        q.put_nowait(i)?;
    }
    assert!(q.full());
    assert_eq!(q.put_nowait(5).unwrap_err().name(), "Full");
    assert_eq!(q.get_nowait()?, 0);
    q.put_nowait(5)?;
    let order: Vec<usize> = (0..5).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(order, [1, 2, 3, 4, 5]);
    assert!(q.empty());

    let u: Queue<usize> = Queue::new(None);
    u.put_nowait(0)?;
    u.set_maxsize(2);
    u.put_nowait(1)?;
    assert_eq!(u.put_nowait(2).unwrap_err().name(), "Full");
    assert_eq!((u.get_nowait()?, u.get_nowait()?), (0, 1));

    // Threads: grown while producers are blocked on the old size.
    let q: Queue<Option<(usize, usize)>> = Queue::new(Some(1));
    watchdog(move || {
        std::thread::scope(|s| {
            let makers: Vec<_> = (0..3)
                .map(|p| {
                    let q = q.clone();
                    s.spawn(move || {
                        for i in 0..3_000 {
                            q.put(Some((p, i)), None, None).unwrap();
                            assert!(q.qsize() <= 16);
                        }
                    })
                })
                .collect();
            let taker = {
                let q = q.clone();
                s.spawn(move || {
                    let mut last = [None; 3];
                    let mut n = 0;
                    while let Some((p, i)) = q.get(None, None).unwrap() {
                        assert!(last[p].is_none_or(|l| l < i), "FIFO per producer");
                        last[p] = Some(i);
                        n += 1;
                        if n == 500 {
                            q.set_maxsize(16);
                        }
                    }
                    n
                })
            };
            for m in makers {
                m.join().unwrap();
            }
            q.put(None, None, None).unwrap();
            assert_eq!(taker.join().unwrap(), 9_000);
        });
    });
    Ok(())
}
