//! `threading.Lock`: a plain mutual-exclusion lock any thread may release.
//! Its state is a count of at most one [`Permits`] (one atomic word; see
//! `permits.rs`); this file adds CPython's arguments, errors and `repr`.

use std::sync::Arc;
use std::time::Duration;

use super::permits::Permits;
use crate::exceptions::{PyException, PyResult};
use crate::waiting::check_timeout_range;

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
#[derive(Clone)]
pub struct Lock {
    /// One permit when unlocked, none when locked.
    inner: Arc<Permits>,
}

impl Default for Lock {
    fn default() -> Self {
        Lock {
            inner: Arc::new(Permits::new(1)),
        }
    }
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
            None => self.inner.try_take(),
            Some(limit) => self.inner.take(limit),
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
        // An unlocked lock has its one permit: a second would pass the bound.
        self.inner
            .release(1, Some(1))
            .map_err(|_| PyException::RuntimeError("release unlocked lock".into()))
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
        self.inner.value() == 0
    }

    /// How many callers are blocked in [`acquire`](Self::acquire) right now
    /// (for tests that wait until threads are blocked).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.inner.waiter_count()
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
