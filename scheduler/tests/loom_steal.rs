//! Loom model of "steal vs pop of the last task", as `join` uses it
//! (`join.rs`, `job.rs`): the owner pushes the second half onto its own
//! deque and wakes a sleeper, then pops it back; a thief searching at the
//! same time may steal it first, run it, set its latch and wake the owner
//! (`Sleep::notify_worker`), while the owner, finding its deque empty, waits
//! for that latch, sleeping when there is nothing else to do.
//!
//! What is real and what is a stand-in: the sleep protocol is the scheduler's
//! real `Sleep` (through the `#[cfg(loom)]` seam `pyrt_scheduler::loom_seam`).
//! crossbeam-deque is not loom-instrumented, so the deque is a stand-in with
//! the property our code relies on from it: `pop` and `steal` of the same
//! element are linearizable, so exactly one of them gets it (crossbeam
//! checks that of its own deque with its tests, miri and ThreadSanitizer).
//! Given that, the model proves our protocol around it: the half runs
//! exactly once, its result reaches the owner, the owner never sleeps
//! through the thief's wake-up, and the thief exits at shutdown.
#![cfg(loom)]

use std::collections::VecDeque;

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use pyrt_scheduler::loom_seam::Sleep;

fn model(f: impl Fn() + Sync + Send + 'static) {
    pyrt_scheduler::loom_seam::model(3, f)
}

/// Stand-in for a worker's crossbeam deque: LIFO `pop` for the owner,
/// FIFO `steal` for thieves, each operation atomic.
#[derive(Default)]
struct Deque(Mutex<VecDeque<u32>>);

impl Deque {
    fn push(&self, job: u32) {
        self.0.lock().unwrap().push_back(job);
    }
    fn pop(&self) -> Option<u32> {
        self.0.lock().unwrap().pop_back()
    }
    fn steal(&self) -> Option<u32> {
        self.0.lock().unwrap().pop_front()
    }
    fn is_empty(&self) -> bool {
        self.0.lock().unwrap().is_empty()
    }
}

/// The stack job of `job.rs`: run count, result, latch.
#[derive(Default)]
struct StackJob {
    runs: AtomicUsize,
    result: AtomicUsize,
    done: AtomicBool,
}

impl StackJob {
    fn run(&self) -> usize {
        self.runs.fetch_add(1, Ordering::Relaxed);
        7
    }
}

#[test]
fn steal_vs_pop_of_the_last_task_runs_it_once() {
    model(|| {
        let deque = Arc::new(Deque::default());
        let sleep = Arc::new(Sleep::new(2));
        let job = Arc::new(StackJob::default());
        let terminate = Arc::new(AtomicBool::new(false));

        // Worker 1: the thief (`worker.rs::run` reduced to stealing).
        let thief = {
            let (deque, sleep, job, terminate) =
                (deque.clone(), sleep.clone(), job.clone(), terminate.clone());
            thread::spawn(move || loop {
                if let Some(_j) = deque.steal() {
                    // `StackJob::execute`: result, then latch, then wake.
                    let r = job.run();
                    job.result.store(r, Ordering::Relaxed);
                    job.done.store(true, Ordering::Release);
                    sleep.notify_worker(0);
                    continue;
                }
                if terminate.load(Ordering::SeqCst) {
                    return;
                }
                sleep.sleep(1, || terminate.load(Ordering::SeqCst) || !deque.is_empty());
            })
        };

        // Worker 0: the owner (`join_on` + `wait_stolen`).
        deque.push(1);
        sleep.notify_one();
        let rb = match deque.pop() {
            Some(_j) => job.run(),
            None => {
                while !job.done.load(Ordering::Acquire) {
                    sleep.sleep(0, || job.done.load(Ordering::Acquire) || !deque.is_empty());
                }
                job.result.load(Ordering::Relaxed)
            }
        };
        assert_eq!(rb, 7);

        terminate.store(true, Ordering::SeqCst);
        sleep.notify_all();
        thief.join().unwrap();
        assert_eq!(job.runs.load(Ordering::Relaxed), 1);
    });
}
