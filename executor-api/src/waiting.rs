//! How the blocking calls of `threading`, `queue` and friends wait.
//!
//! A blocking call is a condition checked under the primitive's own lock;
//! when it does not hold, the caller's waker is registered in a [`Waiters`]
//! list under that same lock, and whoever changes the state wakes the list.
//! The wait itself goes through `scheduler::block_on_until`: on one of our
//! pool's workers it keeps running queued tasks while it waits (so a task
//! blocked on a `Queue.get` can run the task that will feed it), elsewhere
//! it parks the thread. Checking and registering under one lock means no
//! wake-up is lost; waking every waiter (not one) means a waiter that timed
//! out cannot swallow a wake-up meant for another.
//!
//! One exception to helping: a thread that holds a `Lock` or `RLock` parks
//! instead. A task run by helping would run *inside* the holder's critical
//! section on the same stack: it could enter a held `RLock` (same thread, so
//! "reentrant") or block on a held `Lock` that the suspended holder beneath
//! it can never release. The count is per thread and approximate when a
//! `Lock` is released by another thread than the one that took it; it errs
//! on the side of parking, which is what CPython always does. On a target
//! without threads nobody could unpark it, so there the caller always helps
//! (and a wait nothing can satisfy is reported as a deadlock).

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

#[cfg(not(loom))]
thread_local! {
    /// Levels of `Lock`/`RLock` this thread holds.
    static HELD: Cell<usize> = const { Cell::new(0) };
}

// Per modelled thread under `--cfg loom` (all loom threads share one OS thread).
#[cfg(loom)]
loom::thread_local! {
    static HELD: Cell<usize> = Cell::new(0);
}

/// Records that this thread took `n` lock levels.
pub(crate) fn note_acquired(n: usize) {
    HELD.with(|h| h.set(h.get() + n));
}

/// Records that this thread gave back `n` lock levels.
pub(crate) fn note_released(n: usize) {
    HELD.with(|h| h.set(h.get().saturating_sub(n)));
}

/// Wakers of the callers blocked on one condition.
#[derive(Default)]
pub(crate) struct Waiters(Vec<Waker>);

impl Waiters {
    /// Adds `waker` unless an equivalent one is already there.
    pub(crate) fn register(&mut self, waker: &Waker) {
        if !self.0.iter().any(|w| w.will_wake(waker)) {
            self.0.push(waker.clone());
        }
    }

    /// Number of registered waiters.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Wakes (and forgets) every registered waiter.
    pub(crate) fn wake_all(&mut self) {
        for w in self.0.drain(..) {
            w.wake();
        }
    }
}

/// Calls `poll` until it returns `Some`, blocking in between, or until
/// `deadline` passes (`None`). `poll` must check its condition and, when it
/// does not hold, register the waker, both under the same lock.
pub(crate) fn block_until<T>(
    deadline: Option<Instant>,
    mut poll: impl FnMut(&Waker) -> Option<T>,
) -> Option<T> {
    let fut = poll_fn(|cx| match poll(cx.waker()) {
        Some(v) => Poll::Ready(v),
        None => Poll::Pending,
    });
    let fut = pin!(fut);
    // Without threads parking can never end: helping is the only way on.
    if HELD.with(|h| h.get()) > 0 && scheduler::threads_supported() {
        park_until(fut, deadline)
    } else {
        scheduler::block_on_until(fut, deadline)
    }
}

/// Wakes a parked thread.
struct Unparker(std::thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Waits for `fut` by parking this thread, never running other tasks.
fn park_until<F: Future + ?Sized>(
    mut fut: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    let waker = Waker::from(Arc::new(Unparker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        match deadline {
            None => std::thread::park(),
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    return match fut.as_mut().poll(&mut cx) {
                        Poll::Ready(v) => Some(v),
                        Poll::Pending => None,
                    };
                }
                std::thread::park_timeout(d - now);
            }
        }
    }
}

/// The deadline of a Python `timeout` in seconds (already validated).
pub(crate) fn deadline(timeout: Option<std::time::Duration>) -> Option<Instant> {
    scheduler::deadline_after(timeout)
}
