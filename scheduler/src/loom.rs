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

#[cfg(not(loom))]
pub(crate) use std::thread::{current, park, park_timeout, Thread};

#[cfg(loom)]
pub(crate) use loom::thread::{current, park, Thread};

/// Under loom time does not pass: a timed park is a plain park, which may
/// return spuriously anyway.
#[cfg(loom)]
pub(crate) fn park_timeout(_dur: std::time::Duration) {
    park()
}

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
