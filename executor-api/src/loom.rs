//! The locks and atomics executor-api is built from, in one place.
//!
//! In a normal build these are the `std` types. Under `RUSTFLAGS="--cfg loom"`
//! they are loom's instrumented twins, so the real `Future`, executor,
//! `Queue`, `Lock`, `RLock`, `Condition`, `Semaphore` and `Event` are
//! model-checked by `tests/loom_*.rs` (the scheduler's `src/loom.rs` is the
//! same switch for the engine). Modules whose state loom must see import
//! `Mutex`, `RwLock` and atomics from here, never from `std::sync`.
//!
//! [`IgnorePoison`] is the one way this crate takes a lock: none of our
//! critical sections leaves its data half-updated when user code panics
//! (user code never runs under one of our locks), so a poisoned lock still
//! guards good data and is used as it is.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Mutex, MutexGuard, RwLock,
};

#[cfg(loom)]
pub(crate) use ::loom::sync::{
    atomic::{AtomicUsize, Ordering},
    Mutex, MutexGuard, RwLock,
};

/// Lets a thread that lost a race run on (`std::thread::yield_now`, or
/// loom's, which lets the model schedule the other thread).
pub(crate) fn yield_now() {
    #[cfg(not(loom))]
    std::thread::yield_now();
    #[cfg(loom)]
    ::loom::thread::yield_now();
}

/// `lock()`, `read()`, `write()`, `Condvar::wait` and `into_inner()` without
/// poisoning: `m.lock().ignore_poison()` (see the module docs for why that
/// is sound here).
pub(crate) trait IgnorePoison<G> {
    /// The guard (or value), poisoned or not.
    fn ignore_poison(self) -> G;
}

impl<G> IgnorePoison<G> for Result<G, std::sync::PoisonError<G>> {
    fn ignore_poison(self) -> G {
        self.unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
