//! `threading.Event`: a flag threads can wait for.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::waiting::{block_until, deadline, Waiters};

/// `threading.Event()`. Clones are the same event. `{:?}` is CPython's
/// `repr()` without the address: `<threading.Event: unset>`.
///
/// ```
/// use pyrt_executor::threading::Event;
/// let e = Event::new();
/// assert!(!e.wait(Some(0.01)));
/// let e2 = e.clone();
/// std::thread::spawn(move || e2.set());
/// assert!(e.wait(None));
/// assert!(e.is_set());
/// assert_eq!(format!("{e:?}"), "<threading.Event: set>");
/// ```
#[derive(Clone, Default)]
pub struct Event {
    inner: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    flag: bool,
    /// Counts `set()` calls: a waiter that saw it change was notified, even
    /// if `clear()` ran before it woke (CPython's waiters are notified
    /// through a `Condition`, gh-57711).
    sets: u64,
    waiters: Waiters,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.is_set() { "set" } else { "unset" };
        write!(f, "<threading.Event: {state}>")
    }
}

impl Event {
    /// `Event()`: initially unset.
    ///
    /// ```
    /// let e = pyrt_executor::threading::Event::new();
    /// assert!(!e.is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `is_set()`.
    ///
    /// ```
    /// let e = pyrt_executor::threading::Event::new();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state().flag
    }

    /// `set()`: wakes every waiter; each returns true even if `clear()`
    /// runs before it gets to.
    ///
    /// ```
    /// use pyrt_executor::threading::{Event, Thread};
    /// let e = Event::new();
    /// let e2 = e.clone();
    /// let t = Thread::new(move || e2.set());
    /// t.start()?;
    /// assert!(e.wait(None));
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set(&self) {
        let mut st = self.state();
        st.flag = true;
        st.sets = st.sets.wrapping_add(1);
        st.waiters.wake_all();
    }

    /// `clear()`.
    ///
    /// ```
    /// let e = pyrt_executor::threading::Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.state().flag = false;
    }

    /// How many callers are blocked in [`wait`](Self::wait) right now
    /// (CPython's `len(event._cond._waiters)`; for tests).
    #[doc(hidden)]
    pub fn waiter_count(&self) -> usize {
        self.state().waiters.len()
    }

    /// Rust-side: `wait(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Event;
    /// let e = Event::new();
    /// assert!(!e.wait_timeout(Duration::from_millis(10)));
    /// e.set();
    /// assert!(e.wait_timeout(Duration::from_millis(10)));
    /// ```
    pub fn wait_timeout(&self, timeout: std::time::Duration) -> bool {
        self.wait(Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `wait(timeout=None)`: the flag's value on return — false only if the
    /// timeout expired. A negative timeout does not wait (as in CPython).
    ///
    /// ```
    /// let e = pyrt_executor::threading::Event::new();
    /// assert!(!e.wait(Some(0.01))); // timed out
    /// e.set();
    /// assert!(e.wait(None));
    /// ```
    pub fn wait(&self, timeout: Option<f64>) -> bool {
        let limit =
            timeout.map(|t| Duration::from_secs_f64(if t > 0.0 { t.min(1e9) } else { 0.0 }));
        let mut seen = None;
        block_until(deadline(limit), |w| {
            let mut st = self.state();
            let sets = *seen.get_or_insert(st.sets);
            if st.flag || st.sets != sets {
                Some(())
            } else {
                st.waiters.register(w);
                None
            }
        })
        .is_some()
    }
}
