//! The locks and atomics executor-api is built from, in one place.
//!
//! In a normal build these are the `std` types. Under `RUSTFLAGS="--cfg loom"`
//! they are loom's instrumented twins, so the real `Future`, executor,
//! `Queue`, `Lock`, `RLock`, `Condition`, `Semaphore` and `Event` are
//! model-checked by `tests/loom_*.rs` (the scheduler's `src/loom.rs` is the
//! same switch for the engine). Modules whose state loom must see import
//! `Mutex`, `RwLock` and atomics from here, never from `std::sync`.
//! [`HotMutex`] is the one lock that is not std's (see there why).
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

/// The lock of a short critical section that more threads than cores
/// fight over: `queue.Queue`'s one lock, taken by every `put` and `get`.
/// Natively it is parking_lot's `Mutex`, which after a short spin yields
/// the core before it parks, and whose unlock makes no system call unless
/// a thread is parked. std's futex mutex spins and then sleeps in the
/// kernel, and its unlock wakes a sleeper through the kernel each time the
/// lock was contended: with two producers and two consumers on two cores,
/// the lock holder was often the thread not running, and the 1M-item
/// `Queue(1024)` bench took ~1.8x the time it takes on this lock. It does
/// not poison (nothing to ignore). On wasm it is std's mutex (parking_lot
/// parks wasm threads only with its `nightly` feature, and panics
/// otherwise), and under loom loom's, both behind the same API.
#[cfg(not(any(loom, target_family = "wasm")))]
pub(crate) use parking_lot::{Mutex as HotMutex, MutexGuard as HotGuard};

/// [`Mutex`] behind parking_lot's API (`lock()` returns the guard).
#[cfg(any(loom, target_family = "wasm"))]
pub(crate) struct HotMutex<T>(Mutex<T>);

/// The guard of [`HotMutex`].
#[cfg(any(loom, target_family = "wasm"))]
pub(crate) type HotGuard<'a, T> = MutexGuard<'a, T>;

#[cfg(any(loom, target_family = "wasm"))]
impl<T> HotMutex<T> {
    pub(crate) fn new(value: T) -> Self {
        HotMutex(Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> HotGuard<'_, T> {
        self.0.lock().ignore_poison()
    }
}

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
