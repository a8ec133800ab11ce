//! `join(a, b)`: run two closures, potentially in parallel.
//!
//! On a worker, `b` becomes a task pushed onto the worker's own deque, and
//! the worker runs `a` itself. Afterwards it pops its deque: if `b` is still
//! there (nobody stole it, the common case) it runs `b` inline; if a thief
//! took it, the worker helps with other tasks until `b` finishes. Called from
//! outside any pool, `join` runs inside the global pool.

use std::panic::{self, AssertUnwindSafe};

use crate::pool;
use crate::task;
use crate::wait::block_on;
use crate::worker::WorkerThread;

/// Runs `a` and `b`, in parallel when a worker is free, and returns both
/// results. A panic in either is resumed after both have finished.
///
/// ```
/// let (x, y) = scheduler::join(|| 1 + 1, || 2 * 3);
/// assert_eq!((x, y), (2, 6));
/// ```
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let worker = WorkerThread::with_current(|w| w.map(|w| w as *const WorkerThread));
    match worker {
        // SAFETY: the pointer is this thread's current worker, which lives on
        // this thread's stack for as long as the thread runs tasks, i.e.
        // longer than this call.
        Some(w) => join_on(unsafe { &*w }, a, b),
        None => pool::global().install(move || join(a, b)),
    }
}

fn join_on<A, B, RA, RB>(worker: &WorkerThread, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let b_future = async move { panic::catch_unwind(AssertUnwindSafe(b)) };
    // SAFETY: `b` may borrow from our caller's stack. We do not return or
    // unwind before `b_task` has finished: `a`'s panic is caught, and
    // `wait_for` below returns only once the task completed.
    let (runnable, b_task) = unsafe { task::spawn_unchecked(worker.registry(), b_future) };
    worker.push_local(runnable);
    worker.registry().sleep.notify_one();

    let ra = panic::catch_unwind(AssertUnwindSafe(a));
    let rb = wait_for(worker, b_task);
    match (ra, rb) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
    }
}

/// Gets `b`'s result: run it inline if it is still on our deque, else help
/// until the thief has finished it.
fn wait_for<T>(worker: &WorkerThread, b_task: task::Task<T>) -> T {
    while !b_task.is_finished() {
        match worker.pop_local() {
            Some(r) => {
                let is_b = std::ptr::eq(r.metadata(), b_task.metadata());
                worker.execute(r);
                if is_b {
                    break;
                }
            }
            None => break,
        }
    }
    match block_on(b_task.fallible()) {
        Some(v) => v,
        None => panic!("join: the second closure was dropped by a pool shutdown"),
    }
}
