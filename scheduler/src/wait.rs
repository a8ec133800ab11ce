//! Waiting: the one loop every blocking call of the scheduler goes through.
//!
//! A wait polls its future, and between polls it may do one of two things:
//!
//! - **Park** ([`Mode::Park`]): a Python-level wait — `Future.result()`,
//!   `Queue.get`, `Event.wait`, `asyncio.run`, `install` from outside. The
//!   thread does nothing else until the future is ready, as a Python thread
//!   would; on a worker, the pool counts it as blocked for the length of the
//!   wait (`blocking.rs`: stuck waiters and the opt-in starvation rescue).
//! - **Help** ([`Mode::Help`]): inside fork-join work (`scope`; `join` has
//!   its own loop in `join.rs`), where no Python call is in progress on the
//!   waiting stack, a worker runs tasks from the pool's deques while it
//!   waits — never calls from the injector, which is where executor calls
//!   wait (`worker.rs`).
//!
//! Either way it first spins briefly (completions often arrive within
//! microseconds), then blocks on a condition variable until the future's
//! waker fires or the deadline passes. A thread of a pool with no workers
//! at all (targets without threads; the pool's `install` or a wait for one
//! of its futures) runs that pool's queued tasks itself while it waits,
//! since nobody else ever would.

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

/// What a waiting thread may do between polls (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Nothing: a Python-level wait.
    Park,
    /// Run tasks from the pool's deques: a fork-join wait.
    Help,
}

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

/// Blocks the current thread on `future` the way a Python thread blocks:
/// see [`block_on_until`].
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let task = pool.spawn_future(async { 6 * 7 });
/// assert_eq!(pyrt_scheduler::block_on(task), 42);
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match block_on_until(future.as_mut(), None) {
        Some(v) => v,
        None => unreachable!("no deadline, no timeout"),
    }
}

/// Blocks on `future` until it is ready or `deadline` passes (`None` then;
/// the future is left as it was, so the caller may wait again).
///
/// This is how a Python thread waits on a lock, a queue, an event or a
/// future: on a worker it runs nothing else meanwhile (the pool counts it as
/// blocked), elsewhere it parks; only a thread of a pool with no workers runs
/// that pool's tasks, since nothing else could.
///
/// ```
/// use std::time::Duration;
/// let mut never = std::pin::pin!(std::future::pending::<()>());
/// let deadline = pyrt_scheduler::deadline_after(Some(Duration::from_millis(5)));
/// assert_eq!(pyrt_scheduler::block_on_until(never.as_mut(), deadline), None);
/// let mut ready = std::pin::pin!(async { 1 });
/// assert_eq!(pyrt_scheduler::block_on_until(ready.as_mut(), None), Some(1));
/// ```
pub fn block_on_until<F: Future + ?Sized>(
    future: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    wait_until(future, deadline, None, Mode::Park)
}

/// Runs `f`, which blocks in code that does not know the scheduler (a
/// rendezvous in another library, say), counting the calling worker as
/// blocked meanwhile, like a wait through [`block_on_until`] (stuck waiters
/// and the starvation rescue see it). Off the pool it just runs `f`.
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// pool.spawn(move || tx.send(6 * 7).unwrap());
/// // A std channel knows nothing of the pool: say that this blocks.
/// let v = pool.install(move || pyrt_scheduler::blocking(|| rx.recv().unwrap()));
/// assert_eq!(v, 42);
/// ```
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    let _blocked = BlockedGuard::enter();
    f()
}

/// Waits for `future` inside fork-join work, helping with the pool's
/// deques meanwhile ([`Mode::Help`]).
pub(crate) fn help_until<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match wait_until(future.as_mut(), None, None, Mode::Help) {
        Some(v) => v,
        None => unreachable!("no deadline"),
    }
}

/// Counts the calling worker as blocked for as long as it lives.
struct BlockedGuard {
    registry: Arc<Registry>,
}

impl BlockedGuard {
    /// `Some` if the caller is a worker not yet counted as blocked.
    fn enter() -> Option<BlockedGuard> {
        WorkerThread::with_current(|w| {
            let w = w?;
            if w.is_blocked() {
                return None;
            }
            w.set_blocked(true);
            w.registry().begin_blocked();
            Some(BlockedGuard {
                registry: w.registry().clone(),
            })
        })
    }
}

impl Drop for BlockedGuard {
    fn drop(&mut self) {
        WorkerThread::with_current(|w| {
            if let Some(w) = w {
                w.set_blocked(false);
            }
        });
        self.registry.end_blocked();
    }
}

/// The one waiting loop. `inline_pool` is a pool whose queued tasks this
/// thread may run when it is not a worker and the pool has no live workers.
pub(crate) fn wait_until<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
    inline_pool: Option<&Arc<Registry>>,
    mode: Mode,
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
    let mut blocked: Option<BlockedGuard> = None;
    let mut counted = false;
    // When this wait, blocked since then, may try a starvation rescue.
    let mut rescue_at: Option<Instant> = None;
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return Some(v);
        }
        // A Python-level wait that did not end at once counts as blocked
        // from now on, spinning or parked: the others learn at once that
        // this worker holds no queued work (stuck waiters, `blocking.rs`).
        if mode == Mode::Park && !counted {
            counted = true;
            blocked = BlockedGuard::enter();
            if let Some(g) = &blocked {
                let window = g.registry.blocked.rescue_after();
                rescue_at = window.and_then(|w| Instant::now().checked_add(w));
                continue;
            }
        }
        if help_once(inline_pool, mode) {
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
        let park_until = match (deadline, rescue_at) {
            (Some(d), Some(r)) => Some(d.min(r)),
            (d, r) => d.or(r),
        };
        let woken = signal.wait(park_until);
        if !woken && deadline.is_some_and(|d| Instant::now() >= d) {
            // Timed out: one last poll, the result may have just arrived.
            return match future.as_mut().poll(&mut cx) {
                Poll::Ready(v) => Some(v),
                Poll::Pending => None,
            };
        }
        // Blocked for a whole rescue window: maybe the pool is starved.
        if let (Some(g), Some(at)) = (&blocked, rescue_at) {
            let now = Instant::now();
            if now >= at {
                g.registry.rescue_if_starved();
                let window = g.registry.blocked.rescue_after();
                rescue_at = window.and_then(|w| now.checked_add(w));
            }
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
    while help_once(Some(registry), Mode::Park) {}
}

/// Runs one task instead of waiting idly, if the caller may (see the module
/// docs); false if it ran none.
fn help_once(inline_pool: Option<&Arc<Registry>>, mode: Mode) -> bool {
    let helped = WorkerThread::with_current(|w| {
        let w = w?;
        if mode == Mode::Park {
            return Some(false);
        }
        Some(match w.find_help() {
            Some(r) => {
                w.execute(r);
                true
            }
            None => false,
        })
    });
    if let Some(h) = helped {
        return h;
    }
    match inline_pool {
        Some(pool) if pool.live_workers() == 0 => loop {
            match pool.injector.steal() {
                Steal::Success(r) => {
                    // The task runs inside the pool's inline context, so its
                    // own waits (a `Queue.get`, a nested `result()`) run the
                    // pool's tasks too.
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
///
/// ```
/// use std::time::Duration;
/// assert!(pyrt_scheduler::deadline_after(None).is_none());
/// let d = pyrt_scheduler::deadline_after(Some(Duration::from_secs(1))).unwrap();
/// assert!(d > pyrt_scheduler::Instant::now());
/// ```
pub fn deadline_after(dur: Option<Duration>) -> Option<Instant> {
    dur.map(|d| Instant::now().checked_add(d).unwrap_or_else(far_future))
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}
