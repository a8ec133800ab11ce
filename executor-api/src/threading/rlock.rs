//! `threading.RLock`: a lock its owner may take again; counts its depth.
//!
//! A count of at most one [`Permits`] (`permits.rs`, as under `Lock`) plus
//! the owner's `get_ident()` and the depth. Only the owner writes `owner` (its own ident, then 0 before it
//! releases the word) and `count`, so a thread that reads its own ident in
//! `owner` holds the lock, and a re-entrant acquire or an inner release is
//! a relaxed load and store, as in CPython's C `RLock`.

use crate::loom::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::ident::get_ident;
use super::lock::acquire_args;
use super::permits::Permits;
use crate::exceptions::{PyException, PyResult};

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
    inner: Arc<Inner>,
}

struct Inner {
    /// One permit when free, none when owned.
    word: Permits,
    /// `get_ident()` of the owner; 0 when free (see the module docs).
    owner: AtomicU64,
    /// The depth; written only by the owner.
    count: AtomicUsize,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            word: Permits::new(1),
            owner: AtomicU64::new(0),
            count: AtomicUsize::new(0),
        }
    }
}

impl std::fmt::Debug for RLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Read without the lock, as CPython's `repr` does.
        let (owner, count) = (self.owner(), self.count());
        let state = if count > 0 { "locked" } else { "unlocked" };
        write!(
            f,
            "<{state} _thread.RLock object owner={owner} count={count}>"
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

    fn owner(&self) -> u64 {
        self.inner.owner.load(Ordering::Relaxed)
    }

    fn count(&self) -> usize {
        self.inner.count.load(Ordering::Relaxed)
    }

    /// Marks the caller (`me`) the owner, `n` deep; it holds the word.
    fn own(&self, me: u64, n: usize) {
        self.inner.count.store(n, Ordering::Relaxed);
        self.inner.owner.store(me, Ordering::Relaxed);
    }

    /// Clears the owner and releases the word; the caller holds it.
    fn disown(&self) {
        self.inner.count.store(0, Ordering::Relaxed);
        self.inner.owner.store(0, Ordering::Relaxed);
        // The owner holds the permit: giving it back cannot pass the bound.
        let _ = self.inner.word.release(1, Some(1));
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
        if self.owner() == me {
            self.inner.count.store(self.count() + n, Ordering::Relaxed);
            return true;
        }
        let taken = match wait {
            None => self.inner.word.try_take(),
            Some(limit) => self.inner.word.take(limit),
        };
        if taken {
            self.own(me, n);
        }
        taken
    }

    /// `release()`: `RuntimeError: cannot release un-acquired lock` unless
    /// the calling thread owns it.
    ///
    /// ```
    /// let r = pyrt_executor::threading::RLock::new();
    /// assert_eq!(r.release().unwrap_err().to_string(), "RuntimeError: cannot release un-acquired lock");
    /// ```
    pub fn release(&self) -> PyResult<()> {
        if self.count() == 0 || self.owner() != get_ident() {
            return Err(PyException::RuntimeError(
                "cannot release un-acquired lock".into(),
            ));
        }
        let left = self.count() - 1;
        if left > 0 {
            self.inner.count.store(left, Ordering::Relaxed);
        } else {
            self.disown();
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
        self.owner() == get_ident() && self.count() > 0
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
        if self.owner() == get_ident() {
            self.count()
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
        if self.count() == 0 {
            return Err(PyException::RuntimeError(
                "cannot release un-acquired lock".into(),
            ));
        }
        let saved = (self.count(), self.owner());
        self.disown();
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
        self.inner.word.waiter_count()
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
