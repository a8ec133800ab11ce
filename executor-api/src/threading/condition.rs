//! `threading.Condition`: wait for a notification while releasing a lock.
//!
//! As in CPython, every waiter gets its own slot in a FIFO list; `notify(n)`
//! signals the first `n` slots. `wait` releases the lock completely (all
//! levels of an `RLock`), waits for its slot, and takes the lock back.

use std::collections::VecDeque;
use std::sync::Arc;
// loom's lock under `--cfg loom` (model-checked in `tests/loom_*.rs`).
#[cfg(loom)]
use loom::sync::{Mutex, MutexGuard};
use scheduler::Instant;
#[cfg(not(loom))]
use std::sync::{Mutex, MutexGuard};

use super::lock::Lock;
use super::rlock::RLock;
use crate::exceptions::{PyException, PyResult};
use crate::waiting::{block_until, timeout_range_error, Waiters};

/// The lock under a [`Condition`]: Python accepts a `Lock` or an `RLock`.
/// `{:?}` is the lock's own.
///
/// ```
/// use pyrt_executor::threading::{Condition, ConditionLock, Lock};
/// let lock = Lock::new();
/// let cond = Condition::new(Some(ConditionLock::Lock(lock.clone())));
/// let _held = cond.with()?;
/// assert!(lock.locked());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum ConditionLock {
    /// A `threading.Lock`.
    Lock(Lock),
    /// A `threading.RLock` (the default).
    RLock(RLock),
}

impl std::fmt::Debug for ConditionLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConditionLock::Lock(l) => l.fmt(f),
            ConditionLock::RLock(l) => l.fmt(f),
        }
    }
}

impl From<Lock> for ConditionLock {
    fn from(l: Lock) -> Self {
        ConditionLock::Lock(l)
    }
}

impl From<RLock> for ConditionLock {
    fn from(l: RLock) -> Self {
        ConditionLock::RLock(l)
    }
}

#[derive(Default)]
struct Slot {
    state: Mutex<(bool, Waiters)>,
}

impl Slot {
    fn signal(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.0 = true;
        st.1.wake_all();
    }
}

/// `threading.Condition(lock=None)`. Clones are the same condition. `{:?}`
/// is CPython's `repr()` (the lock's without its address, and the number
/// of waiters): `<Condition(<unlocked _thread.RLock object owner=0
/// count=0>, 0)>`.
///
/// ```
/// use pyrt_executor::threading::Condition;
/// let c = Condition::new(None);
/// let _held = c.with()?;
/// assert!(!c.wait(Some(0.01))?); // nobody notifies: times out
/// assert_eq!(c.wait_for(|| true, None)?, true);
/// drop(_held);
/// assert_eq!(format!("{c:?}"),
///            "<Condition(<unlocked _thread.RLock object owner=0 count=0>, 0)>");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone)]
pub struct Condition {
    lock: ConditionLock,
    waiters: Arc<Mutex<VecDeque<Arc<Slot>>>>,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<Condition({:?}, {})>", self.lock, self.slots().len())
    }
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Slot")
    }
}

/// Releases the condition's lock once when dropped.
///
/// ```
/// let cond = pyrt_executor::threading::Condition::new(None);
/// let held: pyrt_executor::threading::ConditionGuard<'_> = cond.with()?;
/// assert!(cond.is_owned());
/// drop(held);
/// assert!(!cond.is_owned());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug)]
pub struct ConditionGuard<'a> {
    cond: &'a Condition,
}

impl Drop for ConditionGuard<'_> {
    fn drop(&mut self) {
        let _ = self.cond.release();
    }
}

impl Condition {
    /// `Condition(lock=None)`: `None` makes a new `RLock`.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None); // an RLock underneath
    /// assert!(!cond.is_owned());
    /// ```
    pub fn new(lock: Option<ConditionLock>) -> Self {
        Condition {
            lock: lock.unwrap_or_else(|| ConditionLock::RLock(RLock::new())),
            waiters: Arc::default(),
        }
    }

    fn slots(&self) -> MutexGuard<'_, VecDeque<Arc<Slot>>> {
        self.waiters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `acquire(blocking=True, timeout=-1)` of the underlying lock.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// assert!(cond.acquire(None, None)?);
    /// assert!(cond.is_owned());
    /// cond.release()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire(&self, blocking: Option<bool>, timeout: Option<f64>) -> PyResult<bool> {
        match &self.lock {
            ConditionLock::Lock(l) => l.acquire(blocking, timeout),
            ConditionLock::RLock(l) => l.acquire(blocking, timeout),
        }
    }

    /// `release()` of the underlying lock.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// assert_eq!(cond.release().unwrap_err().to_string(), "RuntimeError: cannot release un-acquired lock");
    /// ```
    pub fn release(&self) -> PyResult<()> {
        match &self.lock {
            ConditionLock::Lock(l) => l.release(),
            ConditionLock::RLock(l) => l.release(),
        }
    }

    /// `with cond:`.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// let _held = cond.with()?; // with cond:
    /// cond.notify(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with(&self) -> PyResult<ConditionGuard<'_>> {
        self.acquire(None, None)?;
        Ok(ConditionGuard { cond: self })
    }

    /// `_is_owned()`: for an `RLock`, whether the calling thread owns it;
    /// for a plain `Lock` (as in CPython), whether anybody holds it.
    ///
    /// ```
    /// use pyrt_executor::threading::Condition;
    /// let c = Condition::new(None);
    /// assert!(!c.is_owned());
    /// let _held = c.with()?;
    /// assert!(c.is_owned());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn is_owned(&self) -> bool {
        match &self.lock {
            ConditionLock::Lock(l) => {
                if l.acquire(Some(false), None).unwrap_or(false) {
                    let _ = l.release();
                    false
                } else {
                    true
                }
            }
            ConditionLock::RLock(l) => l.is_owned(),
        }
    }

    /// `_release_save()`: releases the lock entirely (every level of an
    /// `RLock`) and returns what [`acquire_restore`](Self::acquire_restore)
    /// needs; the lock's `RuntimeError` if it is not held.
    ///
    /// ```
    /// use pyrt_executor::threading::Condition;
    /// let c = Condition::new(None);
    /// assert!(c.release_save().is_err());
    /// c.acquire(None, None)?;
    /// let saved = c.release_save()?;
    /// assert!(!c.is_owned());
    /// c.acquire_restore(saved);
    /// assert!(c.is_owned());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn release_save(&self) -> PyResult<(usize, u64)> {
        match &self.lock {
            ConditionLock::Lock(l) => l.release().map(|()| (1, 0)),
            ConditionLock::RLock(l) => l.release_save(),
        }
    }

    /// `_acquire_restore(saved)`: takes the lock back (blocking) as
    /// [`release_save`](Self::release_save) left it.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// cond.acquire(None, None)?;
    /// let saved = cond.release_save()?;
    /// assert!(!cond.is_owned());
    /// cond.acquire_restore(saved);
    /// assert!(cond.is_owned());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn acquire_restore(&self, saved: (usize, u64)) {
        match &self.lock {
            ConditionLock::Lock(l) => {
                let _ = l.acquire(None, None);
            }
            ConditionLock::RLock(l) => l.acquire_restore(saved),
        }
    }

    /// How many callers are blocked in [`wait`](Self::wait) right now
    /// (CPython's `len(cond._waiters)`; for tests).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.slots().len()
    }

    /// Rust-side: `wait(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Condition;
    /// let c = Condition::new(None);
    /// let _g = c.with()?;
    /// assert!(!c.wait_timeout(Duration::from_millis(10))?); // nobody notifies
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn wait_timeout(&self, timeout: std::time::Duration) -> PyResult<bool> {
        self.wait(Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `wait(timeout=None)`: true unless the timeout expired.
    /// `RuntimeError: cannot wait on un-acquired lock` without the lock;
    /// a timeout past [`TIMEOUT_MAX`](super::TIMEOUT_MAX) is an
    /// `OverflowError` (CPython passes it to a lock's `acquire`).
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// let e = cond.wait(None).unwrap_err();
    /// assert_eq!(e.to_string(), "RuntimeError: cannot wait on un-acquired lock");
    /// let _held = cond.with()?;
    /// assert!(!cond.wait(Some(0.01))?); // nobody notified: timed out
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn wait(&self, timeout: Option<f64>) -> PyResult<bool> {
        self.check_owned()?;
        if let Some(e) = timeout
            .filter(|t| *t > 0.0)
            .and_then(|t| timeout_range_error(Some(t)))
        {
            return Err(e);
        }
        self.wait_until(timeout.map(deadline_secs))
    }

    fn check_owned(&self) -> PyResult<()> {
        if self.is_owned() {
            Ok(())
        } else {
            Err(PyException::RuntimeError(
                "cannot wait on un-acquired lock".into(),
            ))
        }
    }

    fn wait_until(&self, deadline: Option<Instant>) -> PyResult<bool> {
        self.check_owned()?;
        let slot = Arc::new(Slot::default());
        self.slots().push_back(slot.clone());
        let saved = match self.release_save() {
            Ok(saved) => saved,
            Err(e) => {
                self.slots().retain(|s| !Arc::ptr_eq(s, &slot));
                return Err(e);
            }
        };
        let signalled = block_until(deadline, |w| {
            let mut st = slot.state.lock().unwrap_or_else(|p| p.into_inner());
            if st.0 {
                Some(())
            } else {
                st.1.register(w);
                None
            }
        })
        .is_some();
        if !signalled {
            self.slots().retain(|s| !Arc::ptr_eq(s, &slot));
        }
        self.acquire_restore(saved);
        Ok(signalled)
    }

    /// `wait_for(predicate, timeout=None)`: waits until `predicate()` is
    /// truthy or the timeout expires; returns the predicate's last value,
    /// whatever its type (a translated `cv.wait_for(lambda: items)` gets the
    /// items back). A timeout past [`TIMEOUT_MAX`](super::TIMEOUT_MAX) is an
    /// `OverflowError` once it has to wait.
    ///
    /// ```
    /// use pyrt_executor::threading::Condition;
    /// let c = Condition::new(None);
    /// let _held = c.with()?;
    /// assert_eq!(c.wait_for(|| vec![1, 2], None)?, vec![1, 2]);
    /// assert_eq!(c.wait_for(|| 0u32, Some(0.0))?, 0);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn wait_for<R: Truthy>(
        &self,
        mut predicate: impl FnMut() -> R,
        timeout: Option<f64>,
    ) -> PyResult<R> {
        let deadline = timeout.map(deadline_secs);
        let mut result = predicate();
        while !result.truthy() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            if let Some(e) = timeout
                .filter(|t| *t > 0.0)
                .and_then(|t| timeout_range_error(Some(t)))
            {
                return Err(e);
            }
            self.wait_until(deadline)?;
            result = predicate();
        }
        Ok(result)
    }

    /// `notify(n=1)`: wakes up to `n` waiters.
    /// `RuntimeError: cannot notify on un-acquired lock` without the lock.
    ///
    /// ```
    /// use pyrt_executor::threading::{Condition, Thread};
    /// use std::sync::{Arc, Mutex};
    /// let cond = Condition::new(None);
    /// let ready = Arc::new(Mutex::new(false));
    /// let (c, r) = (cond.clone(), ready.clone());
    /// let t = Thread::new(move || -> pyrt_executor::PyResult<()> {
    ///     let _held = c.with()?;
    ///     *r.lock().unwrap() = true;
    ///     c.notify(None)
    /// });
    /// let held = cond.with()?;
    /// t.start()?;
    /// assert!(cond.wait_for(|| *ready.lock().unwrap(), None)?);
    /// drop(held);
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn notify(&self, n: Option<usize>) -> PyResult<()> {
        if !self.is_owned() {
            return Err(PyException::RuntimeError(
                "cannot notify on un-acquired lock".into(),
            ));
        }
        let mut slots = self.slots();
        for _ in 0..n.unwrap_or(1) {
            match slots.pop_front() {
                Some(s) => s.signal(),
                None => break,
            }
        }
        Ok(())
    }

    /// `notify_all()`.
    ///
    /// ```
    /// let cond = pyrt_executor::threading::Condition::new(None);
    /// assert_eq!(cond.notify_all().unwrap_err().to_string(), "RuntimeError: cannot notify on un-acquired lock");
    /// let _held = cond.with()?;
    /// cond.notify_all()?; // nobody waits: nothing happens
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn notify_all(&self) -> PyResult<()> {
        self.notify(Some(usize::MAX))
    }
}

/// A deadline `secs` from now; negative waits are "already expired", as in
/// CPython's `Condition.wait`.
fn deadline_secs(secs: f64) -> Instant {
    let secs = if secs.is_nan() {
        0.0
    } else {
        secs.clamp(0.0, 1e9)
    };
    scheduler::deadline_after(Some(std::time::Duration::from_secs_f64(secs)))
        .unwrap_or_else(Instant::now)
}

/// Python's truthiness (`bool(x)`), for the value a
/// [`Condition::wait_for`] predicate returns: `false`, `0`, `0.0`, `None`
/// and empty containers or strings are false, everything else is true.
///
/// ```
/// use pyrt_executor::threading::Truthy;
/// assert!(!0.truthy() && 1.truthy());
/// assert!(!String::new().truthy() && "x".to_string().truthy());
/// assert!(!None::<i32>.truthy());
/// ```
pub trait Truthy {
    /// `bool(self)`.
    ///
    /// ```
    /// use pyrt_executor::threading::Truthy;
    /// assert!(vec![0].truthy()); // a non-empty list is true
    /// assert!(!Vec::<i32>::new().truthy());
    /// ```
    fn truthy(&self) -> bool;
}

impl Truthy for bool {
    fn truthy(&self) -> bool {
        *self
    }
}

impl Truthy for () {
    fn truthy(&self) -> bool {
        false
    }
}

macro_rules! truthy_numbers {
    ($($t:ty),*) => {$(
        impl Truthy for $t {
            fn truthy(&self) -> bool {
                *self != (0 as $t)
            }
        }
    )*};
}
truthy_numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

impl<T> Truthy for Option<T> {
    fn truthy(&self) -> bool {
        self.is_some()
    }
}

impl Truthy for str {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl Truthy for String {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Truthy for [T] {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Truthy for Vec<T> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Truthy for VecDeque<T> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<K, V, S> Truthy for std::collections::HashMap<K, V, S> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T, S> Truthy for std::collections::HashSet<T, S> {
    fn truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T: Truthy + ?Sized> Truthy for &T {
    fn truthy(&self) -> bool {
        (**self).truthy()
    }
}

impl<T: Truthy + ?Sized> Truthy for Box<T> {
    fn truthy(&self) -> bool {
        (**self).truthy()
    }
}
