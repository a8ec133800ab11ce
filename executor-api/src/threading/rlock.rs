//! `threading.RLock`: a lock its owner may take again; counts its depth.

use std::sync::{Arc, Mutex, MutexGuard};

use super::ident::get_ident;
use super::lock::acquire_args;
use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, deadline, Waiters};

/// `threading.RLock()`: reentrant; only the owning thread may release it.
/// Clones are the same lock. `{:?}` is CPython's `repr()` without the
/// address: `<locked _thread.RLock object owner=1 count=2>`.
///
/// ```
/// use pyrt_executor::threading::RLock;
/// let r = RLock::new();
/// assert!(r.acquire(None, None)?);
/// assert!(r.acquire(None, None)?); // again, same thread
/// r.release()?;
/// r.release()?;
/// assert_eq!(r.release().unwrap_err().to_string(),
///            "RuntimeError: cannot release un-acquired lock");
/// assert_eq!(format!("{r:?}"), "<unlocked _thread.RLock object owner=0 count=0>");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Default)]
pub struct RLock {
    inner: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    /// `get_ident()` of the owner; 0 when free.
    owner: u64,
    count: usize,
    waiters: Waiters,
}

impl std::fmt::Debug for RLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.state();
        let state = if st.count > 0 { "locked" } else { "unlocked" };
        write!(
            f,
            "<{state} _thread.RLock object owner={} count={}>",
            st.owner, st.count
        )
    }
}

impl RLock {
    /// `threading.RLock()`.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// assert!(!r.is_owned());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rust-side: `acquire(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::RLock;
    /// let r = RLock::new();
    /// assert!(r.acquire_timeout(Duration::from_millis(10))?);
    /// assert!(r.acquire_timeout(Duration::from_millis(10))?); // reentrant
    /// assert_eq!(r.recursion_count(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire_timeout(&self, timeout: std::time::Duration) -> PyResult<bool> {
        self.acquire(None, Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `acquire(blocking=True, timeout=-1)`; `None` timeout is Python's -1.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// assert!(r.acquire(None, None)? && r.acquire(None, None)?); // re-entrant
    /// assert_eq!(r.recursion_count(), 2);
    /// r.release()?;
    /// r.release()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        let wait = acquire_args(
            blocking,
            timeout,
            "can't specify a timeout for a non-blocking call",
        )?;
        Ok(self.acquire_n(1, wait))
    }

    /// Takes the lock `n` levels deep (used by `Condition` to restore).
    pub(crate) fn acquire_n(&self, n: usize, wait: Option<Option<std::time::Duration>>) -> bool {
        let me = get_ident();
        let try_take = |waker: Option<&std::task::Waker>| {
            let mut st = self.state();
            if st.count == 0 || st.owner == me {
                st.owner = me;
                st.count += n;
                return Some(());
            }
            if let Some(w) = waker {
                st.waiters.register(w);
            }
            None
        };
        match wait {
            None => try_take(None).is_some(),
            Some(limit) => block_until(deadline(limit), |w| try_take(Some(w))).is_some(),
        }
    }

    /// `release()`: `RuntimeError: cannot release un-acquired lock` unless
    /// the calling thread owns it.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// assert_eq!(r.release().unwrap_err().to_string(), "RuntimeError: cannot release un-acquired lock");
    /// ```
    pub fn release(&self) -> PyResult<()> {
        let mut st = self.state();
        if st.count == 0 || st.owner != get_ident() {
            return Err(PyException::RuntimeError(
                "cannot release un-acquired lock".into(),
            ));
        }
        st.count -= 1;
        if st.count == 0 {
            st.owner = 0;
            st.waiters.wake_all();
        }
        Ok(())
    }

    /// `_is_owned()`: true if the calling thread owns the lock.
    ///
    /// ```
    /// use pyrt_executor::threading::RLock;
    /// let r = RLock::new();
    /// assert!(!r.is_owned());
    /// r.acquire(None, None)?;
    /// assert!(r.is_owned());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn is_owned(&self) -> bool {
        let st = self.state();
        st.count > 0 && st.owner == get_ident()
    }

    /// `_recursion_count()`: how many times the calling thread holds the
    /// lock (0 if another thread owns it).
    ///
    /// ```
    /// use pyrt_executor::threading::RLock;
    /// let r = RLock::new();
    /// r.acquire(None, None)?;
    /// r.acquire(None, None)?;
    /// assert_eq!(r.recursion_count(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn recursion_count(&self) -> usize {
        let st = self.state();
        if st.owner == get_ident() {
            st.count
        } else {
            0
        }
    }

    /// `_release_save()`: releases every level at once and returns
    /// `(count, owner)` for [`acquire_restore`](Self::acquire_restore), as
    /// `Condition.wait` does; `RuntimeError: cannot release un-acquired
    /// lock` if the lock is not held.
    ///
    /// ```
    /// use pyrt_executor::threading::RLock;
    /// let r = RLock::new();
    /// assert!(r.release_save().is_err());
    /// r.acquire(None, None)?;
    /// r.acquire(None, None)?;
    /// let saved = r.release_save()?;
    /// assert_eq!(r.recursion_count(), 0);
    /// r.acquire_restore(saved);
    /// assert_eq!(r.recursion_count(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn release_save(&self) -> PyResult<(usize, u64)> {
        let mut st = self.state();
        if st.count == 0 {
            return Err(PyException::RuntimeError(
                "cannot release un-acquired lock".into(),
            ));
        }
        let saved = (st.count, st.owner);
        st.count = 0;
        st.owner = 0;
        st.waiters.wake_all();
        Ok(saved)
    }

    /// `_acquire_restore((count, owner))`: takes the lock back, blocking,
    /// `count` levels deep for the calling thread.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// r.acquire(None, None)?;
    /// r.acquire(None, None)?;
    /// let saved = r.release_save()?; // fully released
    /// assert!(!r.is_owned());
    /// r.acquire_restore(saved);
    /// assert_eq!(r.recursion_count(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire_restore(&self, saved: (usize, u64)) {
        self.acquire_n(saved.0, Some(None));
    }

    /// How many callers are blocked in [`acquire`](Self::acquire) right now
    /// (for tests that wait until threads are blocked).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.state().waiters.len()
    }

    /// `with rlock:` — acquires, and releases when the guard is dropped.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// let _outer = r.with()?;
    /// let _inner = r.with()?; // the owner may enter again
    /// assert_eq!(r.recursion_count(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with(&self) -> PyResult<RLockGuard<'_>> {
        self.acquire(None, None)?;
        Ok(RLockGuard { lock: self })
    }
}

/// Releases its [`RLock`] once when dropped.
///
/// ```
/// let r = pyrt_executor::threading::RLock::new();
/// let guard: pyrt_executor::threading::RLockGuard<'_> = r.with()?;
/// assert!(r.is_owned());
/// drop(guard);
/// assert!(!r.is_owned());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.release();
    }
}
