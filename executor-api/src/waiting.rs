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

use std::future::poll_fn;
use std::pin::pin;
use std::task::{Poll, Waker};
use std::time::Instant;

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
    scheduler::block_on_until(fut, deadline)
}

/// The deadline of a Python `timeout` in seconds (already validated).
pub(crate) fn deadline(timeout: Option<std::time::Duration>) -> Option<Instant> {
    scheduler::deadline_after(timeout)
}
