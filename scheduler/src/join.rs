//! `join(a, b)`: run two closures, potentially in parallel.
//!
//! On a worker, `b` becomes a stack job (no allocation, see `job.rs`) pushed
//! onto the worker's own deque, and the worker runs `a` itself. Afterwards it
//! pops its deque: if `b` is still there (nobody stole it, the common case)
//! it calls `b` directly; if a thief took it, the worker helps with other
//! tasks until `b` finishes (the one wait loop with [`Policy::Help`],
//! `wait_loop.rs`). Called from outside any pool, `join` runs inside the
//! global pool.

use std::panic::{self, AssertUnwindSafe};
use std::task::Poll;

use crate::job::{JobRef, StackJob};
use crate::pool;
use crate::wait_loop::{wait_loop, Policy, Waited};
use crate::worker::WorkerThread;

/// Runs `a` and `b`, in parallel when a worker is free, and returns both
/// results. A panic in either is resumed after both have finished.
///
/// ```
/// let (x, y) = pyrt_scheduler::join(|| 1 + 1, || 2 * 3);
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
    let b_job = StackJob::new(b, worker.registry(), worker.index());
    // SAFETY: `b_job` stays on this stack frame until it was popped back
    // below or `wait_stolen` saw it done; `a`'s panic is caught first, so no
    // unwinding skips that wait.
    worker.push_local(unsafe { JobRef::stack(&b_job) });
    worker.registry().sleep.notify_one_local();

    let ra = panic::catch_unwind(AssertUnwindSafe(a));
    let rb = loop {
        match worker.pop_local() {
            // Nobody stole it (the common case): call it directly.
            Some(j) if j.is(&b_job) => {
                std::mem::forget(j); // the reference; the job is `b_job`
                break panic::catch_unwind(AssertUnwindSafe(|| b_job.run_popped()));
            }
            // Something `a` left behind (a spawned task): run it, look again.
            Some(other) => worker.execute(other),
            // Our deque is empty, so `b` was stolen.
            None => {
                wait_stolen(worker, &b_job);
                break b_job.into_result();
            }
        }
    };
    match (ra, rb) {
        (Ok(ra), Ok(rb)) => (ra, rb),
        (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
    }
}

/// Helps with the deques until the thief has run `job`; sleeps (woken by
/// the thief through `Sleep::notify_worker`, or by new work) when there is
/// nothing to help with.
fn wait_stolen<F, R>(worker: &WorkerThread, job: &StackJob<F, R>)
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    let mut done = std::future::poll_fn(|_| match job.is_done() {
        true => Poll::Ready(()),
        false => Poll::Pending,
    });
    // Only a main loop retires and only a target without threads (which
    // has no thieves) stalls, so this returns once the job is done.
    while !matches!(
        wait_loop(
            std::pin::Pin::new(&mut done),
            None,
            Policy::Help,
            Some(worker)
        ),
        Waited::Ready(())
    ) {}
}
