//! Claim: `threading.Lock` (one atomic word; `executor-api/src/threading/permits.rs`)
//! is exclusive and wakes every waiter it should under a storm: 8 threads
//! taking it 10 000 times each, some with `acquire(timeout=...)` that may
//! give up, never overlap inside it and lose no increment; a lock released
//! by another thread than the one that took it (Python allows it) hands it
//! to a blocked `acquire` every time; and a storm leaves it unlocked, with
//! a further `release()` raising `RuntimeError: release unlocked lock`.
//! An `RLock` (the same word, plus owner and depth) under the same storm,
//! each holder taking it twice, is exclusive too, and a thread that does
//! not own it gets `RuntimeError: cannot release un-acquired lock` from
//! `release()` while another holds it, changing nothing. CPython: the same.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::threading::{Lock, RLock};

const THREADS: usize = 8;
const PER_THREAD: usize = 10_000;
const HANDOFFS: usize = 2_000;

/// Keeps the lock held for a couple of microseconds.
fn hold() {
    for _ in 0..200 {
        std::hint::spin_loop();
    }
}

#[test]
fn a_storm_of_acquires_never_overlaps_and_loses_nothing() {
    common::watchdog("lock storm", || {
        let lock = Lock::new();
        // A load-then-store increment: two threads inside at once lose one.
        let count = Arc::new(AtomicUsize::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let ts: Vec<_> = (0..THREADS)
            .map(|t| {
                let (lock, count, inside) = (lock.clone(), count.clone(), inside.clone());
                std::thread::spawn(move || {
                    let mut done = 0;
                    while done < PER_THREAD {
                        // Half the threads wait with a timeout short enough
                        // to expire under contention, and try again.
                        let timeout = (t % 2 == 1).then_some(0.000_002);
                        if !lock.acquire(None, timeout).unwrap() {
                            continue; // timed out: try again
                        }
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        let n = count.load(Ordering::Relaxed);
                        // Hold it long enough for waiters to register and
                        // for the timed ones to give up now and then (~2 µs
                        // of pause hints; a yield here would hand the core
                        // to the loaded run's spinners for a whole slice).
                        hold();
                        count.store(n + 1, Ordering::Relaxed);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        lock.release().unwrap();
                        done += 1;
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(count.load(Ordering::SeqCst), THREADS * PER_THREAD);
        assert!(!lock.locked());
        assert_eq!(lock.waiter_count(), 0, "a waiter that left is still listed");
        assert!(
            lock.acquire(Some(false), None).unwrap(),
            "free after the storm"
        );
        lock.release().unwrap();
        assert_eq!(
            lock.release().unwrap_err().to_string(),
            "RuntimeError: release unlocked lock"
        );
    });
}

#[test]
fn a_release_from_another_thread_always_hands_the_lock_on() {
    common::watchdog("lock hand-off", || {
        let lock = Lock::new();
        assert!(lock.acquire(None, None).unwrap());
        let taken = Arc::new(AtomicUsize::new(0));
        let taker = {
            let (lock, taken) = (lock.clone(), taken.clone());
            std::thread::spawn(move || {
                for _ in 0..HANDOFFS {
                    // Blocks until the releaser lets it through; then the
                    // lock is held again, for the releaser to release.
                    assert!(lock.acquire(None, None).unwrap());
                    taken.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        for i in 0..HANDOFFS {
            // The lock is held (by us at first, then by the taker's last
            // acquire): releasing it from this thread is legal.
            lock.release().unwrap();
            while taken.load(Ordering::SeqCst) == i {
                std::thread::yield_now();
            }
        }
        taker.join().unwrap();
        assert_eq!(taken.load(Ordering::SeqCst), HANDOFFS);
        assert!(lock.locked(), "the taker's last acquire holds it");
        assert_eq!(lock.waiter_count(), 0, "a waiter that left is still listed");
        lock.release().unwrap();
        assert!(!lock.locked());
    });
}

#[test]
fn a_storm_on_an_rlock_never_overlaps_and_refuses_strangers() {
    common::watchdog("rlock storm", || {
        let lock = RLock::new();
        let count = Arc::new(AtomicUsize::new(0));
        let inside = Arc::new(AtomicUsize::new(0));
        let ts: Vec<_> = (0..THREADS)
            .map(|t| {
                let (lock, count, inside) = (lock.clone(), count.clone(), inside.clone());
                std::thread::spawn(move || {
                    let mut done = 0;
                    while done < PER_THREAD / 4 {
                        let timeout = (t % 2 == 1).then_some(0.000_002);
                        if !lock.acquire(None, timeout).unwrap() {
                            // Not the owner: release must refuse and change
                            // nothing (whoever holds it keeps it).
                            let e = lock.release().unwrap_err();
                            assert_eq!(
                                e.to_string(),
                                "RuntimeError: cannot release un-acquired lock"
                            );
                            continue;
                        }
                        assert!(lock.acquire(None, None).unwrap(), "re-entrant");
                        assert_eq!(lock.recursion_count(), 2);
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                        let n = count.load(Ordering::Relaxed);
                        hold();
                        count.store(n + 1, Ordering::Relaxed);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        lock.release().unwrap();
                        assert!(lock.is_owned(), "one level left");
                        lock.release().unwrap();
                        done += 1;
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(count.load(Ordering::SeqCst), THREADS * (PER_THREAD / 4));
        assert!(!lock.is_owned());
        assert_eq!(lock.waiter_count(), 0, "a waiter that left is still listed");
        assert!(
            lock.acquire(Some(false), None).unwrap(),
            "free after the storm"
        );
        lock.release().unwrap();
        assert_eq!(
            lock.release().unwrap_err().to_string(),
            "RuntimeError: cannot release un-acquired lock"
        );
        assert_eq!(format!("{lock:?}").split(' ').next(), Some("<unlocked"));
    });
}
