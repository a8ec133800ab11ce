//! Loom models of the sleep protocol (`scheduler/src/sleep.rs`): the real
//! `Sleep` type, compiled against loom's `Mutex`, `Condvar`, atomics and
//! fences through the crate's `loom.rs` shim and reached through the
//! `#[cfg(loom)]` test seam `pyrt_scheduler::loom_seam`.
//!
//! A lost wake-up shows up as every modelled thread blocked, which loom
//! reports as a deadlock and fails the model. Loom explores every
//! interleaving (up to the preemption bound) and every value a relaxed or
//! acquire/release load may see; `fence(SeqCst)` is modelled exactly, and
//! `SeqCst` accesses are treated as `AcqRel` (weaker than the real thing, so
//! a model that passes here also holds on hardware).
//!
//! Run with `scripts/test.sh loom` (`RUSTFLAGS="--cfg loom"`).
#![cfg(loom)]

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::Arc;
use loom::thread;
use pyrt_scheduler::loom_seam::Sleep;

/// Bounded preemptions keep every model in seconds; 3 covers the races
/// below (each needs at most two context switches at the wrong moments).
fn model(f: impl Fn() + Sync + Send + 'static) {
    pyrt_scheduler::loom_seam::model(3, f)
}

/// A stand-in for a queue of tasks: a count. `push` is a release store, like
/// crossbeam-deque's push publishing its new back index; `take` is what a
/// worker's search does; `is_empty` is the sleeper's last search (S3).
struct Queue(AtomicUsize);

impl Queue {
    fn new() -> Self {
        Queue(AtomicUsize::new(0))
    }
    fn push(&self) {
        self.0.fetch_add(1, Ordering::Release);
    }
    fn take(&self) -> bool {
        let mut n = self.0.load(Ordering::Acquire);
        while n > 0 {
            match self
                .0
                .compare_exchange(n, n - 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(m) => n = m,
            }
        }
        false
    }
    fn is_empty(&self) -> bool {
        self.0.load(Ordering::Acquire) == 0
    }
}

/// A worker's main loop reduced to its skeleton (`worker.rs::run`): search,
/// else sleep with "work queued or terminating" as the last check. Returns
/// how many tasks it ran.
fn worker(i: usize, q: &Queue, sleep: &Sleep, terminate: &AtomicBool) -> usize {
    let mut ran = 0;
    loop {
        if q.take() {
            ran += 1;
            continue;
        }
        if terminate.load(Ordering::SeqCst) {
            if q.take() {
                ran += 1;
                continue;
            }
            return ran;
        }
        sleep.sleep(i, || terminate.load(Ordering::SeqCst) || !q.is_empty());
    }
}

/// Push vs a worker going to sleep: the task pushed while the worker's last
/// search runs is never stranded (the worker wakes or its search sees it),
/// and it runs exactly once.
#[test]
fn push_vs_worker_going_to_sleep() {
    model(|| {
        let q = Arc::new(Queue::new());
        let sleep = Arc::new(Sleep::new(1));
        let ran = Arc::new(AtomicUsize::new(0));
        let w = {
            let (q, sleep, ran) = (q.clone(), sleep.clone(), ran.clone());
            thread::spawn(move || {
                // Run until the one task ran (no terminate: only the push's
                // wake-up can end a sleep here).
                loop {
                    if q.take() {
                        ran.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    sleep.sleep(0, || !q.is_empty());
                }
            })
        };
        q.push();
        sleep.notify_one();
        w.join().unwrap();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    });
}

/// A `join` half pushed onto the pusher's own deque wakes a sleeper
/// without the fence (`sleep.rs`, "A push onto one's own deque"); a worker
/// falling asleep at that moment may miss it. When the pusher then blocks
/// instead of popping it back (`BlockedGuard::enter`), its fenced hand-off
/// makes sure the sleeper runs it: the pusher's join of the sleeper never
/// deadlocks.
#[test]
fn a_local_push_is_handed_on_when_its_pusher_blocks() {
    model(|| {
        let q = Arc::new(Queue::new());
        let sleep = Arc::new(Sleep::new(1));
        let w = {
            let (q, sleep) = (q.clone(), sleep.clone());
            thread::spawn(move || worker_blocked_by_its_first_task(0, &q, &sleep))
        };
        q.push();
        sleep.notify_one_local();
        // The pusher blocks: what its deque still holds is handed on.
        if !q.is_empty() {
            sleep.notify_one();
        }
        w.join().unwrap();
    });
}

/// The wake policy (`sleep.rs`, "Nobody woken while someone searches"): a
/// push that sees a searching worker wakes nobody. The searcher stops
/// searching before its S1 and searches once more after the fence, so the
/// task is never stranded: the searcher runs it, or the pusher saw it
/// asleep and woke it. The worker's loop as in `wait_loop.rs`
/// ([`worker_blocked_by_its_first_task`]).
#[test]
fn push_vs_searcher_going_to_sleep() {
    model(|| {
        let q = Arc::new(Queue::new());
        let sleep = Arc::new(Sleep::new(1));
        let w = {
            let (q, sleep) = (q.clone(), sleep.clone());
            thread::spawn(move || worker_blocked_by_its_first_task(0, &q, &sleep))
        };
        q.push();
        sleep.notify_one();
        w.join().unwrap();
        assert!(q.is_empty());
    });
}

/// Two workers, a push, then shutdown: the task runs exactly once and both
/// workers exit (no sleeper is left behind by a wake-up consumed by the
/// wrong worker, and terminate reaches every sleeper). Four modelled
/// threads are expensive, so this one explores two preemptions.
#[test]
fn push_to_two_sleepers_then_terminate() {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(2);
    b.check(|| {
        let q = Arc::new(Queue::new());
        let sleep = Arc::new(Sleep::new(2));
        let terminate = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (q, sleep, t) = (q.clone(), sleep.clone(), terminate.clone());
                thread::spawn(move || worker(i, &q, &sleep, &t))
            })
            .collect();
        q.push();
        sleep.notify_one();
        // Shutdown as `Registry::terminate` does it.
        terminate.store(true, Ordering::SeqCst);
        sleep.notify_all();
        let ran: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
        assert_eq!(ran, 1);
        assert!(q.is_empty());
    });
}

/// A `join` whose second half was stolen: the thief stores the result, sets
/// the job's latch (release) and calls `notify_worker(owner)`, while the
/// owner, finding nothing else to do, goes to sleep with the latch as its
/// last check (`join.rs`). The owner always wakes and sees the result.
#[test]
fn stolen_join_half_wakes_its_owner() {
    model(|| {
        let sleep = Arc::new(Sleep::new(2));
        let latch = Arc::new(AtomicBool::new(false));
        let result = Arc::new(AtomicUsize::new(0));
        let thief = {
            let (sleep, latch, result) = (sleep.clone(), latch.clone(), result.clone());
            thread::spawn(move || {
                result.store(42, Ordering::Relaxed);
                latch.store(true, Ordering::Release);
                sleep.notify_worker(0);
            })
        };
        // The owner (worker 0).
        while !latch.load(Ordering::Acquire) {
            sleep.sleep(0, || latch.load(Ordering::Acquire));
        }
        assert_eq!(result.load(Ordering::Relaxed), 42);
        thief.join().unwrap();
    });
}

/// Shutdown vs a worker going to sleep with nothing queued: the worker
/// always exits (terminate's write + `notify_all` vs the sleeper's S1–S3).
#[test]
fn terminate_vs_worker_going_to_sleep() {
    model(|| {
        let q = Arc::new(Queue::new());
        let sleep = Arc::new(Sleep::new(1));
        let terminate = Arc::new(AtomicBool::new(false));
        let w = {
            let (q, sleep, t) = (q.clone(), sleep.clone(), terminate.clone());
            thread::spawn(move || worker(0, &q, &sleep, &t))
        };
        terminate.store(true, Ordering::SeqCst);
        sleep.notify_all();
        assert_eq!(w.join().unwrap(), 0);
    });
}

/// The main loop of `wait_loop.rs` for a worker whose first task blocks it
/// for good (a call parked in `Queue.put`): search; after a miss count as
/// searching; stop searching before sleeping; leave a sleep searching (S5).
fn worker_blocked_by_its_first_task(i: usize, q: &Queue, sleep: &Sleep) {
    let mut searching = false;
    loop {
        if q.take() {
            if searching {
                sleep.stop_searching(true, || !q.is_empty());
            }
            return;
        }
        if !searching {
            searching = true;
            sleep.start_searching();
            continue;
        }
        sleep.stop_searching(false, || false);
        sleep.sleep(i, || !q.is_empty());
        sleep.start_searching();
    }
}

/// `n` workers that each run one task and then block for good, and `n`
/// pushes from outside: every task must start.
fn each_push_starts_a_task(n: usize) {
    let q = Arc::new(Queue::new());
    let sleep = Arc::new(Sleep::new(n));
    let workers: Vec<_> = (0..n)
        .map(|i| {
            let (q, sleep) = (q.clone(), sleep.clone());
            thread::spawn(move || worker_blocked_by_its_first_task(i, &q, &sleep))
        })
        .collect();
    for _ in 0..n {
        q.push();
        sleep.notify_one();
    }
    for w in workers {
        w.join().unwrap();
    }
    assert!(q.is_empty());
}

/// The race that hung a pipeline of a producer and a consumer call once in
/// ~40k runs: push 1 wakes nobody because a worker is searching; that
/// worker goes to sleep and its last search (S3) sees task 1 (or push 2
/// pops it from `idle`); it leaves to run task 1 and blocks in it. Task 2
/// must still start: the leaver searches again (S5) and, as the last
/// searcher with more queued, wakes the other sleeper.
#[test]
fn a_worker_leaving_its_sleep_hands_on_the_pushes_it_saw() {
    model(|| each_push_starts_a_task(2));
}

/// The hand-off must go on down the line: a searcher that saw three pushes
/// wakes a second worker for task 2, which runs it and blocks; the second
/// worker, searching since it woke (S5), wakes the third for task 3.
/// Three workers make the model large: two preemptions cover this race (one
/// to push while the first worker searches, one to let it find a task).
#[test]
fn a_woken_worker_hands_on_what_it_cannot_run() {
    pyrt_scheduler::loom_seam::model(2, || each_push_starts_a_task(3));
}
