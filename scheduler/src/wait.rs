//! Blocking on a future without starving the pool.
//!
//! A worker that waits for something (a join's stolen half, a `Future`'s
//! result) keeps running other queued tasks while it waits, and blocks only
//! when there are none. That is what makes a nested `submit(...).result()`
//! inside a task finish even on a pool of one worker: the awaited task is
//! either still queued (the waiter runs it) or running on another thread.
//!
//! A thread outside every pool spins briefly (completions often arrive within
//! microseconds) and then blocks on a condition variable until the future's
//! waker fires. For a pool with no workers at all (targets without threads)
//! the waiting thread runs that pool's queued tasks itself.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use crossbeam_deque::Steal;

use crate::loom::{lock, wait, wait_timeout, Condvar, Mutex};
use crate::registry::Registry;
use crate::worker::WorkerThread;
use crate::Instant;

/// Rounds a waiter re-polls before blocking (one under loom: spinning only
/// multiplies the interleavings a model has to explore).
const SPIN_ROUNDS: u32 = if cfg!(loom) { 1 } else { 100 };

/// A waker that unblocks one waiting thread.
#[derive(Default)]
struct Signal {
    woken: Mutex<bool>,
    cv: Condvar,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut woken = lock(&self.woken);
        *woken = true;
        self.cv.notify_one();
    }
}

impl Signal {
    /// Blocks until woken or `deadline`; returns false on timeout.
    fn wait(&self, deadline: Option<Instant>) -> bool {
        let mut woken = lock(&self.woken);
        while !*woken {
            match deadline {
                None => woken = wait(&self.cv, woken),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    let (g, _) = wait_timeout(&self.cv, woken, d - now);
                    woken = g;
                }
            }
        }
        *woken = false;
        true
    }
}

// Under loom, each modelled thread needs its own signal made in the current
// execution: loom's thread-locals give exactly that.
#[cfg(loom)]
use loom::thread_local;

thread_local! {
    // One signal per thread, reused by every wait on it. Nested waits (a
    // worker helping runs a task that waits too) share it: a wake-up meant
    // for the outer wait only makes the inner one re-poll, and the outer one
    // always re-polls after the helped task returns, so none is lost.
    static SIGNAL: Arc<Signal> = Arc::new(Signal::default());
}

/// Blocks the current thread on `future`, helping its pool if it is a worker.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match block_on_until(future.as_mut(), None) {
        Some(v) => v,
        None => unreachable!("no deadline, no timeout"),
    }
}

/// Like [`block_on`] with an optional deadline: `None` if it passed first
/// (the future is left as it was, so the caller may wait again).
pub fn block_on_until<F: Future + ?Sized>(
    future: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    wait_until(future, deadline, None, true)
}

/// Blocks on `future` the way a thread blocks on a lock, a queue or an
/// event: for conditions that other tasks may need arbitrary time (and
/// arbitrary tasks) to bring about.
///
/// On a worker, after a short spin, the worker tells its pool that it
/// blocks — the pool starts a spare worker if it needs one to keep its
/// width (`compensate.rs`) — and parks without running anything, as a
/// Python thread would. If no spare can be had, it helps instead when
/// `may_help` (and parks anyway when not: e.g. while it holds a lock a
/// helped task might want). Off the pool it waits like [`block_on_until`];
/// a thread of a pool without workers runs that pool's tasks while it waits
/// (nothing else could), whatever `may_help` says.
pub fn block_on_blocking<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
    may_help: bool,
) -> Option<F::Output> {
    let registry = WorkerThread::with_current(|w| w.map(|w| w.registry().clone()));
    let Some(registry) = registry else {
        let help = may_help || !crate::spawner::threads_supported();
        return wait_until(future, deadline, None, help);
    };
    // Short waits end here, without involving the pool.
    let waker = Waker::from(SIGNAL.with(Arc::clone));
    let mut cx = Context::from_waker(&waker);
    for _ in 0..SPIN_ROUNDS {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return Some(v);
        }
        std::hint::spin_loop();
    }
    if registry.begin_blocking() {
        struct Resumed<'a>(&'a Registry);
        impl Drop for Resumed<'_> {
            fn drop(&mut self) {
                self.0.end_blocking();
            }
        }
        let _resumed = Resumed(&registry);
        return wait_until(future, deadline, None, false);
    }
    wait_until(future, deadline, None, may_help)
}

/// The one waiting loop; `inline_pool` is a pool whose queued tasks this
/// thread may run when it is not a worker and the pool has no live workers.
/// Without `help` it never runs a task (a blocked worker with a spare).
pub(crate) fn wait_until<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
    inline_pool: Option<&Arc<Registry>>,
    help: bool,
) -> Option<F::Output> {
    // Inside a workerless pool's `install`, waits run that pool's tasks.
    let ambient = match inline_pool {
        Some(_) => None,
        None => crate::inline::current(),
    };
    let inline_pool = inline_pool.or(ambient.as_ref());
    let signal = SIGNAL.with(Arc::clone);
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut spins = 0;
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return Some(v);
        }
        if help && help_once(inline_pool) {
            continue;
        }
        if spins < SPIN_ROUNDS {
            spins += 1;
            if spins % 16 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
            continue;
        }
        if let Some(d) = deadline {
            if Instant::now() >= d {
                return None;
            }
        }
        if !crate::spawner::threads_supported() {
            // No thread exists that could ever wake this wait.
            return no_threads_wait(future, &mut cx, deadline);
        }
        if !signal.wait(deadline) {
            // Timed out: one last poll, the result may have just arrived.
            return match future.as_mut().poll(&mut cx) {
                Poll::Ready(v) => Some(v),
                Poll::Pending => None,
            };
        }
    }
}

/// A wait on a target without threads once nothing is left to run: only
/// the clock can change anything, so sleep out a deadline (Python's timeout
/// then expires as usual) or, with no deadline, fail loudly instead of
/// hanging forever the way a single-threaded deadlock would.
fn no_threads_wait<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    cx: &mut Context<'_>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    match deadline {
        Some(d) => {
            std::thread::sleep(d.saturating_duration_since(Instant::now()));
            match future.as_mut().poll(cx) {
                Poll::Ready(v) => Some(v),
                Poll::Pending => None,
            }
        }
        None => panic!(
            "deadlock: this target has no threads and the wait can never end \
             (no queued task is left that could satisfy it)"
        ),
    }
}

/// Runs every task queued on a pool with no workers, on this thread.
pub(crate) fn run_queued_inline(registry: &Arc<Registry>) {
    while help_once(Some(registry)) {}
}

/// Runs one queued task instead of waiting idly; false if there was none.
fn help_once(inline_pool: Option<&Arc<Registry>>) -> bool {
    let helped = WorkerThread::with_current(|w| match w {
        Some(w) => match w.find_work() {
            Some(r) => {
                w.execute(r);
                Some(true)
            }
            None => Some(false),
        },
        None => None,
    });
    if let Some(h) = helped {
        return h;
    }
    match inline_pool {
        Some(pool) if pool.live_workers() == 0 => loop {
            match pool.injector.steal() {
                Steal::Success(r) => {
                    // The task runs inside the pool's inline context, so its
                    // own waits (a `Queue.get`, a nested `result()`) help too.
                    crate::inline::run(pool, || r.run());
                    return true;
                }
                Steal::Retry => continue,
                Steal::Empty => return false,
            }
        },
        _ => false,
    }
}

/// Waits for `dur` at most; shorthand for a deadline of now + `dur`.
pub fn deadline_after(dur: Option<Duration>) -> Option<Instant> {
    dur.map(|d| Instant::now().checked_add(d).unwrap_or_else(far_future))
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}
