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

/// Parks the thread that made it until another thread unparks it: std's
/// `thread::park` and `Thread::unpark` (a token; an unpark costs a system
/// call only if the thread is parked). Parks may also end spuriously.
#[cfg(not(loom))]
pub(crate) struct Parker(std::thread::Thread);

#[cfg(not(loom))]
impl Parker {
    /// A parker for the calling thread.
    pub(crate) fn for_current() -> Self {
        Parker(std::thread::current())
    }

    /// Makes the token available, waking the thread if it is parked.
    pub(crate) fn unpark(&self) {
        self.0.unpark()
    }

    /// Blocks until the token is available (then takes it), or `dur`
    /// passes. Only the thread that made this parker may call it.
    pub(crate) fn park(&self, dur: Option<std::time::Duration>) {
        match dur {
            None => std::thread::park(),
            Some(d) => std::thread::park_timeout(d),
        }
    }
}

/// The same token under loom, on a mutex and a condition variable: loom's
/// own `Thread::unpark` aborts the model when it reaches a thread blocked in
/// `JoinHandle::join` (tokio-rs/loom#249), which std allows and the models
/// do (a completer wakes a waiter that already returned and now joins it).
/// Time does not pass under loom: a timed park is a plain one.
#[cfg(loom)]
pub(crate) struct Parker {
    token: Mutex<bool>,
    cv: Condvar,
}

#[cfg(loom)]
impl Parker {
    pub(crate) fn for_current() -> Self {
        Parker {
            token: Mutex::new(false),
            cv: Condvar::new(),
        }
    }

    pub(crate) fn unpark(&self) {
        *lock(&self.token) = true;
        self.cv.notify_one();
    }

    pub(crate) fn park(&self, _dur: Option<std::time::Duration>) {
        let mut token = lock(&self.token);
        while !*token {
            token = wait(&self.cv, token);
        }
        *token = false;
    }
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
