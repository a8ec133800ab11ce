//! The synchronization primitives the scheduler is built from, in one place.
//!
//! In a normal build these are the `std` types. Under `RUSTFLAGS="--cfg loom"`
//! they are loom's instrumented twins, so the scheduler's real code can be
//! model-checked (tokio's `loom` module is the model for this file). Code in
//! this crate imports `Mutex`, `Condvar`, atomics and `Arc` from here, never
//! from `std::sync` directly.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering},
    Condvar, Mutex, MutexGuard,
};

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering},
    Condvar, Mutex, MutexGuard,
};

/// Locks a mutex, ignoring poisoning: a panic while holding one of our locks
/// never leaves the protected data half-updated (every critical section is a
/// few plain assignments), so the data is still good.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Waits on a condition variable, ignoring poisoning (see [`lock`]).
pub(crate) fn wait<'a, T>(cv: &Condvar, g: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    match cv.wait(g) {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Waits on a condition variable for at most `dur`; returns the guard and
/// whether the wait timed out (see [`lock`] on poisoning).
#[cfg(not(loom))]
pub(crate) fn wait_timeout<'a, T>(
    cv: &Condvar,
    g: MutexGuard<'a, T>,
    dur: std::time::Duration,
) -> (MutexGuard<'a, T>, bool) {
    match cv.wait_timeout(g, dur) {
        Ok((g, r)) => (g, r.timed_out()),
        Err(poisoned) => {
            let (g, r) = poisoned.into_inner();
            (g, r.timed_out())
        }
    }
}

/// Under loom time does not pass: a timed wait is a plain wait that may also
/// return spuriously, which is all callers may assume anyway.
#[cfg(loom)]
pub(crate) fn wait_timeout<'a, T>(
    cv: &Condvar,
    g: MutexGuard<'a, T>,
    _dur: std::time::Duration,
) -> (MutexGuard<'a, T>, bool) {
    (wait(cv, g), false)
}
