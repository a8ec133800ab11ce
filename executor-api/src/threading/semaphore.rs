//! `threading.Semaphore` and `threading.BoundedSemaphore`: a count of
//! [`Permits`] (one atomic word, `permits.rs`, as under `Lock`); this file
//! adds CPython's arguments, errors and `repr`. The count holds up to
//! 2**63 - 1 permits, where CPython's is unbounded: a `release(n)` past
//! that raises `OverflowError` (docs/python-mapping.md).

use std::sync::Arc;

use super::lock::acquire_args;
use super::permits::{Permits, Refused};
use crate::exceptions::{PyException, PyResult};
use crate::waiting::timeout_range_error;

/// `threading.Semaphore(value=1)`; with [`Semaphore::bounded`],
/// `threading.BoundedSemaphore`. Clones are the same semaphore. `{:?}` is
/// CPython's `repr()` without the address: `<threading.Semaphore: value=1>`,
/// `<threading.BoundedSemaphore: value=0/1>`.
///
/// ```
/// use pyrt_executor::threading::{BoundedSemaphore, Semaphore};
/// let s = Semaphore::new(Some(1))?;
/// assert!(s.acquire(None, None)?);
/// assert!(!s.acquire(Some(false), None)?);
/// s.release(None)?;
/// assert_eq!(format!("{s:?}"), "<threading.Semaphore: value=1>");
/// assert_eq!(Semaphore::new(Some(-1)).unwrap_err().to_string(),
///            "ValueError: semaphore initial value must be >= 0");
/// let b = BoundedSemaphore::new(Some(1))?;
/// assert_eq!(b.release(None).unwrap_err().to_string(),
///            "ValueError: Semaphore released too many times");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Arc<Permits>,
    /// `Some(initial)` for a bounded semaphore.
    bound: Option<u64>,
}

/// `threading.BoundedSemaphore(value=1)`: a [`Semaphore`] whose `release`
/// may not raise the value above its initial value.
///
/// ```
/// let s = pyrt_executor::threading::BoundedSemaphore::new(Some(1))?;
/// assert_eq!(s.release(None).unwrap_err().to_string(), "ValueError: Semaphore released too many times");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct BoundedSemaphore;

impl BoundedSemaphore {
    /// `BoundedSemaphore(value=1)`.
    ///
    /// ```
    /// let s = pyrt_executor::threading::BoundedSemaphore::new(Some(2))?;
    /// assert!(s.acquire(None, None)?);
    /// s.release(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(value: Option<i64>) -> PyResult<Semaphore> {
        Semaphore::bounded(value)
    }
}

impl std::fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = self.inner.value();
        match self.bound {
            None => write!(f, "<threading.Semaphore: value={value}>"),
            Some(bound) => write!(f, "<threading.BoundedSemaphore: value={value}/{bound}>"),
        }
    }
}

impl Semaphore {
    /// `Semaphore(value=1)`: `ValueError: semaphore initial value must be
    /// >= 0` for a negative value.
    ///
    /// ```
    /// use pyrt_executor::threading::Semaphore;
    /// let e = Semaphore::new(Some(-1)).unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: semaphore initial value must be >= 0");
    /// let s = Semaphore::new(None)?; // value=1
    /// assert!(s.acquire(Some(false), None)?);
    /// assert!(!s.acquire(Some(false), None)?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(value: Option<i64>) -> PyResult<Self> {
        let value = value.unwrap_or(1);
        if value < 0 {
            return Err(PyException::ValueError(
                "semaphore initial value must be >= 0".into(),
            ));
        }
        Ok(Semaphore {
            // An i64 is at most `MAX_PERMITS`.
            inner: Arc::new(Permits::new(value as u64)),
            bound: None,
        })
    }

    /// `BoundedSemaphore(value=1)`.
    ///
    /// ```
    /// let s = pyrt_executor::threading::Semaphore::bounded(Some(1))?;
    /// assert!(s.release(None).is_err());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn bounded(value: Option<i64>) -> PyResult<Self> {
        let mut s = Self::new(value)?;
        s.bound = Some(value.unwrap_or(1) as u64);
        Ok(s)
    }

    /// Rust-side: `acquire(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Semaphore;
    /// let s = Semaphore::new(Some(1))?;
    /// assert!(s.acquire_timeout(Duration::from_millis(10))?);
    /// assert!(!s.acquire_timeout(Duration::from_millis(10))?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire_timeout(&self, timeout: std::time::Duration) -> PyResult<bool> {
        self.acquire(None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `acquire(blocking=True, timeout=None)`: true if a unit was taken.
    ///
    /// ```
    /// let s = pyrt_executor::threading::Semaphore::new(Some(1))?;
    /// assert!(s.acquire(None, None)?);
    /// assert!(!s.acquire(None, Some(0.01))?); // times out
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        // CPython: a negative timeout on a semaphore means "do not wait".
        let timeout = timeout.map(|t| if t < 0.0 { 0.0 } else { t });
        if blocking == Some(false) && timeout.is_some() {
            return Err(PyException::ValueError(
                "can't specify timeout for non-blocking acquire".into(),
            ));
        }
        // CPython converts the timeout only when it has to wait.
        let too_large = timeout_range_error(timeout);
        let wait = acquire_args(blocking, timeout.filter(|_| too_large.is_none()), "")?;
        let permits = &*self.inner;
        Ok(match wait {
            None => permits.try_take(),
            Some(_) if too_large.is_some() => {
                permits.try_take() || return Err(too_large.expect("checked"))
            }
            Some(limit) => permits.take(limit),
        })
    }

    /// `release(n=1)`: `ValueError: n must be one or more` for 0; a bounded
    /// semaphore raises `ValueError: Semaphore released too many times`.
    ///
    /// ```
    /// let s = pyrt_executor::threading::Semaphore::new(Some(0))?;
    /// s.release(Some(2))?; // release(n=2)
    /// assert!(s.acquire(Some(false), None)? && s.acquire(Some(false), None)?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn release(&self, n: Option<usize>) -> PyResult<()> {
        let n = n.unwrap_or(1);
        if n < 1 {
            return Err(PyException::ValueError("n must be one or more".into()));
        }
        match self.inner.release(n as u64, self.bound) {
            Ok(()) => Ok(()),
            Err(Refused::OverBound) => Err(PyException::ValueError(
                "Semaphore released too many times".into(),
            )),
            // MAX_PERMITS, spelled out for the mapping's message check.
            Err(Refused::Overflow) => Err(PyException::OverflowError(
                "semaphore value cannot exceed 9223372036854775807".into(),
            )),
        }
    }

    /// How many callers are blocked in [`acquire`](Self::acquire) right now
    /// (for tests that wait until threads are blocked).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.inner.waiter_count()
    }

    /// `with sem:` — acquires, and releases when the guard is dropped.
    ///
    /// ```
    /// let s = pyrt_executor::threading::Semaphore::new(Some(1))?;
    /// {
    ///     let _slot = s.with()?;
    ///     assert!(!s.acquire(Some(false), None)?);
    /// }
    /// assert!(s.acquire(Some(false), None)?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with(&self) -> PyResult<SemaphoreGuard<'_>> {
        self.acquire(None, None)?;
        Ok(SemaphoreGuard { sem: self })
    }
}

/// Releases its [`Semaphore`] once when dropped.
///
/// ```
/// let s = pyrt_executor::threading::Semaphore::new(Some(1))?;
/// let slot: pyrt_executor::threading::SemaphoreGuard<'_> = s.with()?;
/// drop(slot);
/// assert!(s.acquire(Some(false), None)?);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct SemaphoreGuard<'a> {
    sem: &'a Semaphore,
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        let _ = self.sem.release(None);
    }
}
