//! `threading.Lock`: a plain mutual-exclusion lock any thread may release.
//!
//! Why hand-written and not a std `Mutex`: a Python lock is released by
//! whichever thread calls `release()` (not by a guard of the thread that
//! took it), raises on a release of an unlocked lock, and takes timeouts.
//!
//! The lock is one atomic word with two bits, `LOCKED` and `WAITERS`.
//! Taking a free lock and releasing one nobody waits for are one atomic
//! operation each, with no other lock: `with lock:` around a short critical
//! section, the common Python use, costs no more than a std mutex (the
//! `lock` bench: 4 threads, 1M acquisitions, 3.7–4.6x faster than
//! `std::sync::Mutex` on a 2-vCPU machine, 0.7x pinned to one CPU). A
//! caller that finds it held first tries the word for a few microseconds
//! (`SPIN_FOR`: a short critical section on another core usually ends
//! meanwhile, and then nobody registers), then waits through
//! `waiting::block_until` (it spins a little more, then parks),
//! registered in a waker list under its own mutex:
//!
//! - **Waiter**: registers its waker under the list's mutex, then sets
//!   `WAITERS` (`fetch_or`); if the value it replaced had `LOCKED` clear,
//!   the lock was released meanwhile and it tries to take it again.
//! - **Release**: clears `LOCKED` (`fetch_and`); if the value it replaced
//!   had `WAITERS` set, it takes the list's mutex, clears `WAITERS`, bumps
//!   `wakeups` and wakes every waiter (CPython's lock wakes one; waking all
//!   costs a retry each, never a lost wake-up).
//!
//! Both read-modify-writes hit the same word, so one comes first: either
//! the release sees `WAITERS` (and, taking the mutex the waiter registered
//! under, finds its waker), or the waiter sees `LOCKED` clear. A waiter
//! that polls again (the wait spins before it parks) and finds `wakeups`
//! unchanged since it registered is still in the list, and only tries the
//! word, without the mutex. A woken waiter that lost the race re-registers.
//! `tests/loom_sync.rs` models both orders.

use crate::loom::IgnorePoison;
use crate::loom::{AtomicUsize, Mutex, Ordering};
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, check_timeout_range, deadline, Waiters};

/// The lock is held.
const LOCKED: usize = 1;
/// The waker list may hold someone waiting: a release must wake it.
const WAITERS: usize = 2;

/// How long a blocking `acquire` tries the word before it registers.
#[cfg(not(loom))]
const SPIN_FOR: std::time::Duration = std::time::Duration::from_micros(5);

/// `threading.Lock()`. Clones are the same lock. `{:?}` is CPython's
/// `repr()` without the address: `<unlocked _thread.lock object>`.
///
/// ```
/// use pyrt_executor::threading::Lock;
/// let lock = Lock::new();
/// assert!(lock.acquire(None, None)?);
/// assert!(!lock.acquire(Some(false), None)?);
/// lock.release()?;
/// {
///     let _held = lock.with()?; // `with lock:`
///     assert!(lock.locked());
/// }
/// assert!(!lock.locked());
/// assert_eq!(format!("{lock:?}"), "<unlocked _thread.lock object>");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Default)]
pub struct Lock {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// `LOCKED` and `WAITERS` (see the module docs).
    state: AtomicUsize,
    /// Bumped, under `waiters`, by every release that wakes the list.
    wakeups: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl std::fmt::Debug for Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.locked() { "locked" } else { "unlocked" };
        write!(f, "<{state} _thread.lock object>")
    }
}

/// Checks `acquire(blocking, timeout)`'s arguments as CPython's lock does;
/// returns the wait limit (`None`: forever) or `Some(None)` for non-blocking.
pub(crate) fn acquire_args(
    blocking: Option<bool>,
    timeout: Option<f64>,
    nonblocking_message: &str,
) -> PyResult<Option<Option<Duration>>> {
    let blocking = blocking.unwrap_or(true);
    // CPython converts the timeout first: a huge one is an OverflowError
    // even for a non-blocking call.
    if let Some(t) = timeout {
        check_timeout_range(t)?;
    }
    match timeout {
        Some(t) if !blocking && t != -1.0 => {
            Err(PyException::ValueError(nonblocking_message.into()))
        }
        _ if !blocking => Ok(None),
        None => Ok(Some(None)),
        Some(-1.0) => Ok(Some(None)),
        Some(t) if t < 0.0 => Err(PyException::ValueError(
            "timeout value must be positive".into(),
        )),
        Some(t) => Ok(Some(Some(Duration::from_secs_f64(t.min(1e9))))),
    }
}

impl Lock {
    /// `threading.Lock()`: an unlocked lock.
    ///
    /// ```
    /// let lock = pyrt_executor::threading::Lock::new();
    /// assert!(!lock.locked());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the lock if it is free; true if this call took it.
    fn try_take(&self) -> bool {
        let state = &self.inner.state;
        // Read first, so that callers spinning on a held lock do not take
        // its cache line from the holder.
        state.load(Ordering::Relaxed) & LOCKED == 0
            && state.fetch_or(LOCKED, Ordering::Acquire) & LOCKED == 0
    }

    /// Tries to take the lock for a few microseconds before a blocking
    /// `acquire` registers as a waiter: a short critical section on another
    /// core usually ends meanwhile, and a lock nobody is registered on is
    /// released without touching the waker list (std's mutex spins before
    /// it sleeps for the same reason).
    fn spin_take(&self) -> bool {
        #[cfg(not(loom))]
        {
            let mut started: Option<scheduler::Instant> = None;
            loop {
                if self.try_take() {
                    return true;
                }
                if started
                    .get_or_insert_with(scheduler::Instant::now)
                    .elapsed()
                    >= SPIN_FOR
                {
                    return false;
                }
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
            }
        }
        #[cfg(loom)]
        self.try_take()
    }

    /// One poll of a blocking `acquire`: takes the lock, or makes sure
    /// `waker` is registered to be woken by the next release. `registered`
    /// is the waker this caller registered and the `wakeups` count then.
    fn take_or_register(&self, waker: &Waker, registered: &mut Option<(Waker, usize)>) -> bool {
        let inner = &*self.inner;
        if self.try_take() {
            return true;
        }
        if let Some((mine, seen)) = registered {
            if mine.will_wake(waker) && inner.wakeups.load(Ordering::Acquire) == *seen {
                return false; // still in the list: no release woke it
            }
        }
        let mut list = inner.waiters.lock().ignore_poison();
        list.register(waker);
        // `wakeups` changes only under the mutex we hold.
        *registered = Some((waker.clone(), inner.wakeups.load(Ordering::Relaxed)));
        let before = inner.state.fetch_or(WAITERS, Ordering::SeqCst);
        drop(list);
        // Released since our first try: it may have seen no `WAITERS`.
        before & LOCKED == 0 && self.try_take()
    }

    /// Rust-side: `acquire(timeout=secs)` with a [`Duration`](std::time::Duration)
    /// (past [`TIMEOUT_MAX`](super::TIMEOUT_MAX) it waits that long).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Lock;
    /// let l = Lock::new();
    /// assert!(l.acquire_timeout(Duration::from_millis(10))?);
    /// assert!(!l.acquire_timeout(Duration::from_millis(10))?); // held: times out
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire_timeout(&self, timeout: std::time::Duration) -> PyResult<bool> {
        self.acquire(None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `acquire(blocking=True, timeout=-1)`: true if the lock was taken.
    /// `timeout=None` here is Python's `-1` (wait forever).
    ///
    /// ```
    /// let lock = pyrt_executor::threading::Lock::new();
    /// assert!(lock.acquire(None, None)?);
    /// assert!(!lock.acquire(Some(false), None)?); // lock.acquire(blocking=False)
    /// assert!(!lock.acquire(None, Some(0.01))?); // times out
    /// lock.release()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        let wait = acquire_args(
            blocking,
            timeout,
            "can't specify a timeout for a non-blocking call",
        )?;
        let taken = match wait {
            None => self.try_take(),
            Some(limit) => {
                let mut registered = None;
                self.spin_take()
                    || block_until(deadline(limit), |w| {
                        self.take_or_register(w, &mut registered).then_some(())
                    })
                    .is_some()
            }
        };
        Ok(taken)
    }

    /// `release()`: `RuntimeError: release unlocked lock` if not locked.
    ///
    /// ```
    /// let lock = pyrt_executor::threading::Lock::new();
    /// assert_eq!(lock.release().unwrap_err().to_string(), "RuntimeError: release unlocked lock");
    /// ```
    pub fn release(&self) -> PyResult<()> {
        let inner = &*self.inner;
        // Clearing a bit that is clear changes nothing: an unlocked lock
        // stays as it was, and the call raises.
        let before = inner.state.fetch_and(!LOCKED, Ordering::SeqCst);
        if before & LOCKED == 0 {
            return Err(PyException::RuntimeError("release unlocked lock".into()));
        }
        if before & WAITERS != 0 {
            let mut list = inner.waiters.lock().ignore_poison();
            inner.state.fetch_and(!WAITERS, Ordering::Relaxed);
            inner.wakeups.fetch_add(1, Ordering::Release);
            list.wake_all();
        }
        Ok(())
    }

    /// `locked()`.
    ///
    /// ```
    /// let lock = pyrt_executor::threading::Lock::new();
    /// lock.acquire(None, None)?;
    /// assert!(lock.locked());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn locked(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) & LOCKED != 0
    }

    /// How many callers are blocked in [`acquire`](Self::acquire) right now
    /// (for tests that wait until threads are blocked).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.inner.waiters.lock().ignore_poison().len()
    }

    /// `with lock:` — acquires, and releases when the guard is dropped.
    ///
    /// ```
    /// let lock = pyrt_executor::threading::Lock::new();
    /// {
    ///     let _held = lock.with()?; // with lock:
    ///     assert!(lock.locked());
    /// }
    /// assert!(!lock.locked());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with(&self) -> PyResult<LockGuard<'_>> {
        self.acquire(None, None)?;
        Ok(LockGuard { lock: self })
    }
}

/// Releases its [`Lock`] when dropped (the end of a `with` block).
///
/// ```
/// let lock = pyrt_executor::threading::Lock::new();
/// let guard: pyrt_executor::threading::LockGuard<'_> = lock.with()?;
/// drop(guard); // releases
/// assert!(!lock.locked());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.release();
    }
}
