//! Loom models of `queue.Queue`, `threading.Lock`, `Condition`, `RLock`,
//! `Semaphore` and `Event`: their real code (`queue/base.rs`, `threading/permits.rs`,
//! `condition.rs`, `rlock.rs`, `semaphore.rs`, `event.rs`), whose state
//! locks are loom's under `--cfg loom` (`src/loom.rs`), waiting through the real
//! `waiting::block_until` and `pyrt_scheduler::block_on_until`.
//!
//! A lost wake-up shows up as every modelled thread blocked, which loom
//! reports as a deadlock. Run with `scripts/test.sh loom`.
#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use pyrt_executor::queue::Queue;
use pyrt_executor::threading::{Condition, Event, Lock, RLock, Semaphore};

fn model(f: impl Fn() + Sync + Send + 'static) {
    pyrt_scheduler::loom_seam::model(2, f)
}

/// `Queue(maxsize=1)`: a producer putting two items (the second `put`
/// blocks until the consumer makes room), a consumer getting both and
/// calling `task_done` for each, and `join()` on a third thread: items
/// arrive once and in order, a blocked `put`/`get` is always woken, and
/// `join` returns only after both `task_done` calls.
#[test]
fn bounded_put_get_task_done_join() {
    model(|| {
        let q: Queue<u32> = Queue::new(Some(1));
        let processed = Arc::new(AtomicUsize::new(0));
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                q.put(1, None, None).unwrap();
                q.put(2, None, None).unwrap();
            })
        };
        let consumer = {
            let (q, processed) = (q.clone(), processed.clone());
            thread::spawn(move || {
                let mut got = Vec::new();
                for _ in 0..2 {
                    got.push(q.get(None, None).unwrap());
                    processed.fetch_add(1, Ordering::SeqCst);
                    q.task_done().unwrap();
                }
                got
            })
        };
        producer.join().unwrap();
        // Both items were put, so `join` waits for both `task_done`s.
        q.join();
        assert_eq!(processed.load(Ordering::SeqCst), 2);
        assert_eq!(consumer.join().unwrap(), vec![1, 2]);
        assert!(q.empty());
    });
}

/// Two blocked `get`s and two `put`s on a `Queue(maxsize)`: each `put`
/// wakes one waiter (CPython's `notify()`), never the same one twice, so
/// both getters return, whichever of them blocked first or got in without
/// blocking.
fn each_put_wakes_one_of_two_blocked_gets(maxsize: Option<isize>) {
    model(move || {
        let q: Queue<u32> = Queue::new(maxsize);
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || q.get(None, None).unwrap())
            })
            .collect();
        q.put(1, None, None).unwrap();
        q.put(2, None, None).unwrap();
        let mut got: Vec<u32> = getters.into_iter().map(|g| g.join().unwrap()).collect();
        got.sort();
        assert_eq!(got, vec![1, 2]);
        assert_eq!((q.waiter_count(), q.unfinished_tasks()), (0, 2));
    });
}

/// On an unbounded queue (the locked store).
#[test]
fn each_put_wakes_one_of_two_blocked_gets_unbounded() {
    each_put_wakes_one_of_two_blocked_gets(None);
}

/// On a bounded queue, which keeps its items in its lock-free ring
/// (`queue/ring.rs`): a `put` there takes no lock and wakes a blocked
/// `get` only if it sees one listed, and a `get` registers, then looks at
/// the ring again.
#[test]
fn each_ring_put_wakes_one_of_two_blocked_gets() {
    each_put_wakes_one_of_two_blocked_gets(Some(2));
}

/// `q.maxsize = 3` while a producer fills a `Queue(maxsize=1)`'s ring (its
/// second `put` may be blocked) and a consumer empties it: closing the
/// ring moves what it holds into the locked store; nothing is lost, order
/// holds, the blocked side is woken, and `unfinished_tasks` carries over.
#[test]
fn maxsize_change_retires_the_ring_under_load() {
    model(|| {
        let q: Queue<u32> = Queue::new(Some(1));
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                q.put(1, None, None).unwrap();
                q.put(2, None, None).unwrap();
            })
        };
        let consumer = {
            let q = q.clone();
            thread::spawn(move || {
                let first = q.get(None, None).unwrap();
                q.task_done().unwrap();
                (first, q.get(None, None).unwrap())
            })
        };
        q.set_maxsize(3);
        producer.join().unwrap();
        assert_eq!(consumer.join().unwrap(), (1, 2));
        assert_eq!((q.unfinished_tasks(), q.qsize(), q.maxsize()), (1, 0, 3));
        q.task_done().unwrap();
        assert!(q.task_done().is_err()); // ValueError: too many
    });
}

/// `Condition` notify vs wait: a waiter checking a predicate under the
/// condition's lock and waiting, a notifier setting it under the lock and
/// calling `notify()`. The waiter always wakes and sees the predicate,
/// whichever runs first (the waiter's slot is queued before the lock is
/// released, so a notify cannot slip between the check and the wait).
#[test]
fn condition_notify_vs_wait() {
    model(|| {
        let cond = Condition::new(Some(Lock::new().into()));
        let ready = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (cond, ready) = (cond.clone(), ready.clone());
            thread::spawn(move || {
                cond.acquire(None, None).unwrap();
                while !ready.load(Ordering::Relaxed) {
                    assert!(cond.wait(None).unwrap());
                }
                cond.release().unwrap();
            })
        };
        cond.acquire(None, None).unwrap();
        ready.store(true, Ordering::Relaxed);
        cond.notify(None).unwrap();
        cond.release().unwrap();
        waiter.join().unwrap();
    });
}

/// `Lock` (`threading/permits.rs`): two threads each take it twice and
/// release it; the critical sections never overlap (a plain load-then-store
/// increment would lose one otherwise), and a thread that found it held
/// and registered is always woken by the release, whether the release
/// comes before or after its `WAITERS` bit (the module docs' two orders).
#[test]
fn lock_is_exclusive_and_wakes_its_waiter() {
    model(|| {
        let lock = Lock::new();
        let count = Arc::new(AtomicUsize::new(0));
        let body = {
            let (lock, count) = (lock.clone(), count.clone());
            move || {
                for _ in 0..2 {
                    assert!(lock.acquire(None, None).unwrap());
                    let n = count.load(Ordering::SeqCst);
                    count.store(n + 1, Ordering::SeqCst);
                    lock.release().unwrap();
                }
            }
        };
        let other = thread::spawn(body.clone());
        body();
        other.join().unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 4);
        assert!(!lock.locked());
        assert_eq!(lock.waiter_count(), 0, "a waiter that left is still listed");
        assert_eq!(
            lock.release().unwrap_err().to_string(),
            "RuntimeError: release unlocked lock"
        );
    });
}

/// `Lock` released by another thread than the one that took it (Python
/// allows it): the main thread holds it, a second thread blocks in
/// `acquire`, and the main thread's `release` always wakes it.
#[test]
fn lock_released_by_another_thread_wakes_the_waiter() {
    model(|| {
        let lock = Lock::new();
        assert!(lock.acquire(None, None).unwrap());
        let waiter = {
            let lock = lock.clone();
            thread::spawn(move || {
                assert!(lock.acquire(None, None).unwrap());
                lock.release().unwrap();
            })
        };
        lock.release().unwrap();
        waiter.join().unwrap();
        assert!(!lock.locked());
    });
}

/// `RLock` (`threading/rlock.rs`): two threads each take it twice
/// (re-entrant) and release it twice; the critical sections never overlap
/// (a plain load-then-store increment would lose one otherwise) and the
/// thread that finds it held always wakes when it is released.
#[test]
fn rlock_is_reentrant_and_exclusive() {
    model(|| {
        let lock = RLock::new();
        let count = Arc::new(AtomicUsize::new(0));
        let body = {
            let (lock, count) = (lock.clone(), count.clone());
            move || {
                assert!(lock.acquire(None, None).unwrap());
                assert!(lock.acquire(None, None).unwrap());
                let n = count.load(Ordering::SeqCst);
                count.store(n + 1, Ordering::SeqCst);
                lock.release().unwrap();
                lock.release().unwrap();
            }
        };
        let other = thread::spawn(body.clone());
        body();
        other.join().unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 2);
        assert!(!lock.is_owned());
    });
}

/// `Semaphore(0)` (`threading/semaphore.rs`): an `acquire()` that blocks
/// is always woken by a `release()` from another thread, whichever runs
/// first, and exactly one permit moves.
#[test]
fn semaphore_release_wakes_a_blocked_acquire() {
    model(|| {
        let sem = Semaphore::new(Some(0)).unwrap();
        let taker = {
            let sem = sem.clone();
            thread::spawn(move || sem.acquire(None, None).unwrap())
        };
        sem.release(None).unwrap();
        assert!(taker.join().unwrap());
        assert!(
            !sem.acquire(Some(false), None).unwrap(),
            "the one permit was taken"
        );
    });
}

/// `Event` (`threading/event.rs`): `wait()` racing `set()` always returns
/// `True`, and a `clear()` after the wait returned does not undo it.
#[test]
fn event_set_vs_wait() {
    model(|| {
        let ev = Event::new();
        let waiter = {
            let ev = ev.clone();
            thread::spawn(move || ev.wait(None))
        };
        ev.set();
        assert!(waiter.join().unwrap());
        ev.clear();
        assert!(!ev.is_set());
    });
}
