//! How the blocking calls of `threading`, `queue` and friends wait.
//!
//! A blocking call is a condition checked under the primitive's own lock;
//! when it does not hold, the caller's waker is registered in a [`Waiters`]
//! list under that same lock, and whoever changes the state wakes the list.
//! Checking and registering under one lock means no wake-up is lost.
//! Most primitives wake every waiter, so a waiter that timed out cannot
//! swallow a wake-up meant for another. `queue.Queue` wakes one
//! ([`Waiters::wake_one`], CPython's `notify()`), which is safe because
//! every waiter removes its waker when it stops waiting and one that times
//! out passes a wake-up it may have taken on (`queue/base.rs`).
//!
//! The wait itself is `pyrt_scheduler::block_on_until`, which blocks the way a
//! Python thread does: on one of our pool's workers it runs nothing else
//! meanwhile (the pool counts the worker as blocked; see the scheduler's
//! `blocking.rs`), elsewhere it parks the thread. So a call blocked on a
//! `Queue.get` holds its worker, exactly as in CPython, and a pool whose
//! every worker is blocked that way stays blocked unless it was built with
//! `starvation_rescue`. On a target without threads nobody could unpark a
//! parked caller, so there the caller borrows the pool's one worker slot
//! and runs its queued tasks (the scheduler's `borrow.rs`); a wait nothing
//! can satisfy is reported as a deadlock.

use scheduler::Instant;

use crate::exceptions::{PyException, PyResult};
use std::future::poll_fn;
use std::pin::pin;
use std::task::{Poll, Waker};

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

    /// Wakes (and forgets) the waiter registered first, if any: a caller
    /// using this must [`remove`](Self::remove) its waker whenever it stops
    /// waiting, so that the one woken is still waiting (`queue/base.rs`).
    pub(crate) fn wake_one(&mut self) {
        if !self.0.is_empty() {
            self.0.remove(0).wake();
        }
    }

    /// Forgets `waker` if it is registered (its thread no longer waits).
    pub(crate) fn remove(&mut self, waker: &Waker) {
        if let Some(i) = self.0.iter().position(|w| w.will_wake(waker)) {
            self.0.remove(i);
        }
    }

    /// Wakes (and forgets) every registered waiter.
    pub(crate) fn wake_all(&mut self) {
        for w in self.0.drain(..) {
            w.wake();
        }
    }
}

/// How long [`try_for_a_while`] retries before a blocking call registers.
#[cfg(not(loom))]
const TRY_FOR: std::time::Duration = std::time::Duration::from_micros(2);

/// Calls `attempt` until it succeeds, for [`TRY_FOR`] with rounds of CPU
/// pause hints between tries; false if it never did. What a blocking call
/// whose attempt takes no lock (`threading/permits.rs`, the ring of
/// `queue/base.rs`) does before it registers as a waiter: a short critical
/// section on another core usually ends meanwhile, and then nobody
/// registers (a registered waiter makes the other side take a lock to wake
/// it). The clock is read only after the first attempt failed. Under loom,
/// one attempt: spinning only multiplies the interleavings to explore.
pub(crate) fn try_for_a_while(mut attempt: impl FnMut() -> bool) -> bool {
    #[cfg(not(loom))]
    {
        let mut started: Option<Instant> = None;
        loop {
            if attempt() {
                return true;
            }
            if started.get_or_insert_with(Instant::now).elapsed() >= TRY_FOR {
                return false;
            }
            for _ in 0..64 {
                std::hint::spin_loop();
            }
        }
    }
    #[cfg(loom)]
    attempt()
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
    scheduler::block_on_until(pin!(fut), deadline)
}

/// Checks that CPython can convert the timeout `secs` to its clock (signed
/// 64-bit nanoseconds), as every blocking call that passes a timeout to a
/// lock does: `ValueError: Invalid value NaN (not a number)`, or
/// `OverflowError: timestamp out of range for platform time_t` beyond about
/// ±292 years (anything above [`TIMEOUT_MAX`](crate::threading::TIMEOUT_MAX)
/// in practice).
pub(crate) fn check_timeout_range(secs: f64) -> PyResult<()> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2**63 nanoseconds
    if secs.is_nan() {
        return Err(PyException::ValueError(
            "Invalid value NaN (not a number)".into(),
        ));
    }
    let ns = (secs * 1e9).ceil();
    if (-LIMIT..LIMIT).contains(&ns) {
        Ok(())
    } else {
        Err(PyException::OverflowError(
            "timestamp out of range for platform time_t".into(),
        ))
    }
}

/// [`check_timeout_range`]'s error for an optional timeout, if any.
pub(crate) fn timeout_range_error(secs: Option<f64>) -> Option<PyException> {
    secs.and_then(|t| check_timeout_range(t).err())
}

/// The deadline of a Python `timeout` in seconds (already validated).
pub(crate) fn deadline(timeout: Option<std::time::Duration>) -> Option<Instant> {
    scheduler::deadline_after(timeout)
}
