//! Loom model of the spare-worker bookkeeping of the starvation rescue
//! (`scheduler/src/blocking.rs`)
//! together with the real sleep protocol (`sleep.rs`), through the
//! `#[cfg(loom)]` seam `pyrt_scheduler::loom_seam`.
//!
//! The race: a spare decides whether to retire or to sleep while the worker
//! it stands in for resumes. If the spare read "still needed", went to sleep,
//! and the resuming worker's wake-up missed it, the spare would linger
//! asleep (an idle thread that should have exited); loom reports the
//! spare's thread blocked forever as a deadlock.
//!
//! The stuck-waiter protocol (`blocking.rs`, "Stuck waiters") is modelled
//! here too: a waiter that checks "is every other worker blocked?" while the
//! last other worker blocks must learn that it is stuck — either its check
//! sees the blocked count, or the blocking worker's wake-up reaches it —
//! or it would wait forever for a call only it can run.
//!
//! Run with `scripts/test.sh loom` (`RUSTFLAGS="--cfg loom"`).
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use pyrt_scheduler::loom_seam::{Sleep, Spares};

/// A waker that unparks the one thread waiting on it (loom's primitives).
#[derive(Default)]
struct Signal {
    woken: loom::sync::Mutex<bool>,
    cv: loom::sync::Condvar,
}

impl std::task::Wake for Signal {
    fn wake(self: std::sync::Arc<Self>) {
        *self.woken.lock().unwrap() = true;
        self.cv.notify_one();
    }
}

impl Signal {
    fn wait(&self) {
        let mut woken = self.woken.lock().unwrap();
        while !*woken {
            woken = self.cv.wait(woken).unwrap();
        }
        *woken = false;
    }
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    pyrt_scheduler::loom_seam::model(3, f)
}

/// A spare's loop with no work to find (`worker.rs::run`): retire if not
/// needed, else sleep with "no longer needed" among the last checks.
fn idle_spare(slot: usize, spares: &Spares, sleep: &Sleep) {
    loop {
        if spares.retire(slot) {
            return;
        }
        sleep.sleep(slot, || spares.superfluous());
    }
}

#[test]
fn a_spare_retires_when_the_worker_it_stands_in_for_resumes() {
    model(|| {
        // One primary (slot 0); its task blocks and a rescue starts a spare
        // in slot 1.
        let spares = Arc::new(Spares::new(1));
        let sleep = Arc::new(Sleep::new(2));
        spares.block();
        let slot = spares.rescue().expect("a spare is started");
        let spare = {
            let (spares, sleep) = (spares.clone(), sleep.clone());
            thread::spawn(move || idle_spare(slot, &spares, &sleep))
        };
        // The blocked worker resumes at any point of the spare's loop.
        spares.unblock(&sleep);
        spare.join().unwrap();
        assert!(!spares.superfluous());
    });
}

#[test]
fn two_blocked_workers_two_spares_both_retire() {
    model(|| {
        let spares = Arc::new(Spares::new(1));
        let sleep = Arc::new(Sleep::new(3));
        spares.block();
        let a = spares.rescue().expect("first spare");
        // The first spare runs the task that blocks next: a second rescue.
        spares.block();
        let b = spares.rescue().expect("second spare");
        let threads: Vec<_> = [a, b]
            .into_iter()
            .map(|slot| {
                let (spares, sleep) = (spares.clone(), sleep.clone());
                thread::spawn(move || idle_spare(slot, &spares, &sleep))
            })
            .collect();
        spares.unblock(&sleep);
        spares.unblock(&sleep);
        for t in threads {
            t.join().unwrap();
        }
    });
}

#[test]
fn a_waiter_learns_it_is_stuck_when_the_last_other_worker_blocks() {
    model(|| {
        // Two workers: this thread waits for a queued call; the other one
        // blocks at any moment of that wait.
        let spares = Arc::new(Spares::new(2));
        let other = {
            let spares = spares.clone();
            thread::spawn(move || spares.block())
        };
        let signal = std::sync::Arc::new(Signal::default());
        let waker = std::task::Waker::from(signal.clone());
        let mut seen = pyrt_scheduler::ext::StuckWatch::default();
        let stuck = loop {
            if let Some(s) = spares.watch(&waker, &mut seen, 2) {
                break s;
            }
            signal.wait();
        };
        assert!(stuck);
        other.join().unwrap();
    });
}
