//! Claim: a storm of `release()`s (with `n` of 1 to 5) from several threads
//! on a `Semaphore(0)` that many threads are blocked acquiring wakes exactly
//! as many acquires as were released, loses no release and wakes nobody
//! twice: every acquirer gets all its permits, and the count left over is
//! exactly the surplus. A `BoundedSemaphore(k)` hammered by acquire/release
//! pairs never lets more than `k` threads in, and its extra `release()`
//! raises `ValueError: Semaphore released too many times`. CPython: the
//! same (`release(n)` notifies `n` waiters under the condition).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use executor_api::threading::Semaphore;

const ACQUIRERS: usize = 8;
const PER_ACQUIRER: usize = 1_000;
const SURPLUS: usize = 37;

#[test]
fn a_release_storm_wakes_exactly_the_released_permits() {
    common::watchdog("semaphore release storm", || {
        let s = Arc::new(Semaphore::new(Some(0)).unwrap());
        let acquired = Arc::new(AtomicUsize::new(0));
        let acquirers: Vec<_> = (0..ACQUIRERS)
            .map(|_| {
                let (s, acquired) = (s.clone(), acquired.clone());
                std::thread::spawn(move || {
                    for _ in 0..PER_ACQUIRER {
                        assert!(s.acquire(None, None).unwrap());
                        acquired.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let total = ACQUIRERS * PER_ACQUIRER + SURPLUS;
        let releasers: Vec<_> = (0..4)
            .map(|r| {
                let s = s.clone();
                std::thread::spawn(move || {
                    // Releaser r releases its share of `total` in steps of 1..=5.
                    let mut left = total / 4 + usize::from(r < total % 4);
                    let mut k = r;
                    while left > 0 {
                        let n = (k % 5 + 1).min(left);
                        s.release(Some(n)).unwrap();
                        left -= n;
                        k += 1;
                    }
                })
            })
            .collect();
        for r in releasers {
            r.join().unwrap();
        }
        for a in acquirers {
            a.join().unwrap();
        }
        assert_eq!(acquired.load(Ordering::SeqCst), ACQUIRERS * PER_ACQUIRER);
        for _ in 0..SURPLUS {
            assert!(
                s.acquire(Some(false), None).unwrap(),
                "a surplus permit is left"
            );
        }
        assert!(!s.acquire(Some(false), None).unwrap(), "no permit invented");
        assert_eq!(s.waiter_count(), 0);
    });
}

#[test]
fn a_bounded_semaphore_never_admits_more_than_its_value() {
    common::watchdog("bounded semaphore storm", || {
        let s = Arc::new(Semaphore::bounded(Some(3)).unwrap());
        let inside = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let ts: Vec<_> = (0..8)
            .map(|_| {
                let (s, inside, peak) = (s.clone(), inside.clone(), peak.clone());
                std::thread::spawn(move || {
                    for _ in 0..2_000 {
                        assert!(s.acquire(None, None).unwrap());
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        s.release(None).unwrap();
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(
            s.release(None).unwrap_err().to_string(),
            "ValueError: Semaphore released too many times"
        );
    });
}
