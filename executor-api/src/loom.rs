//! The locks and atomics executor-api is built from, in one place.
//!
//! In a normal build these are the `std` types. Under `RUSTFLAGS="--cfg loom"`
//! they are loom's instrumented twins, so the real `Future`, executor,
//! `Queue`, `Lock`, `RLock`, `Condition`, `Semaphore` and `Event` are
//! model-checked by `tests/loom_*.rs` (the scheduler's `src/loom.rs` is the
//! same switch for the engine). Modules whose state loom must see import
//! `Mutex`, `RwLock` and atomics from here, never from `std::sync`.
//! [`HotMutex`] is the one lock taken with a backoff before it sleeps (see there why).
//!
//! [`IgnorePoison`] is the one way this crate takes a lock: none of our
//! critical sections leaves its data half-updated when user code panics
//! (user code never runs under one of our locks), so a poisoned lock still
//! guards good data and is used as it is.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    Mutex, MutexGuard, RwLock,
};

#[cfg(loom)]
pub(crate) use ::loom::sync::{
    atomic::{fence, AtomicU64, AtomicUsize, Ordering},
    Mutex, MutexGuard, RwLock,
};

/// The lock of a short critical section that more threads than cores
/// fight over: `queue.Queue`'s one lock, taken by every `put` and `get`
/// of an unbounded, LIFO or priority queue (a bounded FIFO `Queue` takes it
/// only to wait and to wake: `queue/base.rs`).
/// It is std's [`Mutex`], taken by `try_lock` with pauses between tries,
/// then yields, and by a blocking `lock()` only after those. Why not
/// `lock()` at once: std's futex mutex spins briefly, then sleeps in the
/// kernel, and its unlock wakes the sleeper through the kernel; with two
/// producers and two consumers on two cores the holder was often a thread
/// that was not running, and the 1M-item `Queue(1024)` bench took ~4x
/// crossbeam's time. Why pause so long ([`PAUSE_FOR`], in rounds of
/// [`PAUSE_ROUND`] pause hints): most waits end within a few microseconds,
/// while the holder runs on the other core, and a yield (a system call
/// and often a context switch) costs more than that; few tries also take
/// the lock's cache line from its holder less often. On a 2-vCPU Xeon this
/// took the bench from ~110 ms to ~55 ms, against crossbeam's backoff
/// (at most ~130 pauses before it yields) and against shorter or
/// count-based spins (`README.md`, "Targets we meet and miss").
/// parking_lot's mutex, which spins and yields too, measured 1.3–2x
/// slower than crossbeam's backoff here, is not `RefUnwindSafe` (a public
/// queue type would lose it), and parks wasm threads only with its
/// `nightly` feature. The same code on every platform; under loom a plain
/// `lock()`, so that models stay small.
pub(crate) struct HotMutex<T>(Mutex<T>);

/// How long a contended [`HotMutex::lock`] pauses between tries before it
/// yields (see there why this long).
#[cfg(not(loom))]
const PAUSE_FOR: std::time::Duration = std::time::Duration::from_micros(20);

/// Pause hints between two tries of a contended [`HotMutex::lock`].
#[cfg(not(loom))]
const PAUSE_ROUND: u32 = 256;

/// Yields a contended [`HotMutex::lock`] makes after its pauses, before it
/// sleeps in std's `lock()`.
#[cfg(not(loom))]
const YIELDS: u32 = 50;

/// The guard of [`HotMutex`].
pub(crate) type HotGuard<'a, T> = MutexGuard<'a, T>;

impl<T> HotMutex<T> {
    pub(crate) fn new(value: T) -> Self {
        HotMutex(Mutex::new(value))
    }

    /// Takes the lock (poisoned or not: see the module docs).
    #[inline]
    pub(crate) fn lock(&self) -> HotGuard<'_, T> {
        #[cfg(not(loom))]
        {
            // Set at the first failed try: an uncontended lock reads no clock.
            let mut started: Option<scheduler::Instant> = None;
            let mut yields = 0;
            loop {
                match self.0.try_lock() {
                    Ok(guard) => return guard,
                    Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => {}
                }
                if started
                    .get_or_insert_with(scheduler::Instant::now)
                    .elapsed()
                    < PAUSE_FOR
                {
                    for _ in 0..PAUSE_ROUND {
                        std::hint::spin_loop();
                    }
                } else if yields < YIELDS {
                    yields += 1;
                    std::thread::yield_now();
                } else {
                    break;
                }
            }
        }
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
