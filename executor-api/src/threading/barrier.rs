//! `threading.Barrier`: `parties` threads wait for each other.

use crate::loom::IgnorePoison;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::exceptions::{call, PyException, PyResult};
use crate::waiting::{block_until, deadline, Waiters};

/// `action=` of a [`Barrier`]: runs once per generation, in the last thread.
pub type Action = Arc<dyn Fn() -> PyResult<()> + Send + Sync>;

/// `threading.Barrier(parties, action=None, timeout=None)`. Clones are the
/// same barrier. `{:?}` is CPython's `repr()` without the address:
/// `<threading.Barrier: waiters=0/2>`, `<threading.Barrier: broken>`.
///
/// ```
/// use pyrt_executor::threading::Barrier;
/// let b = Barrier::new(2, None, None);
/// let b2 = b.clone();
/// let t = std::thread::spawn(move || b2.wait(None));
/// let mine = b.wait(None)?;
/// let theirs = t.join().unwrap()?;
/// assert_eq!(mine + theirs, 1); // indices 0 and 1
/// assert_eq!(format!("{b:?}"), "<threading.Barrier: waiters=0/2>");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone)]
pub struct Barrier {
    inner: Arc<Inner>,
}

struct Inner {
    parties: usize,
    action: Option<Action>,
    timeout: Option<f64>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Threads waiting in the current generation.
    count: usize,
    /// Bumped when a generation is released or reset.
    generation: u64,
    /// The last generation released normally (its waiters return Ok).
    released: Option<u64>,
    broken: bool,
    waiters: Waiters,
}

impl std::fmt::Debug for Barrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.broken() {
            return f.write_str("<threading.Barrier: broken>");
        }
        write!(
            f,
            "<threading.Barrier: waiters={}/{}>",
            self.n_waiting(),
            self.inner.parties
        )
    }
}

fn broken() -> PyException {
    PyException::BrokenBarrierError(String::new())
}

impl Barrier {
    /// `Barrier(parties, action=None, timeout=None)`: `action` runs in the
    /// last thread to arrive, before the others are released; `timeout` is
    /// the default for [`wait`](Self::wait).
    ///
    /// ```
    /// let b = pyrt_executor::threading::Barrier::new(1, None, None);
    /// assert_eq!(b.parties(), 1);
    /// ```
    pub fn new(parties: usize, action: Option<Action>, timeout: Option<f64>) -> Self {
        Barrier {
            inner: Arc::new(Inner {
                parties,
                action,
                timeout,
                state: Mutex::new(State::default()),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().ignore_poison()
    }

    /// Rust-side: `wait(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Barrier;
    /// let b = Barrier::new(2, None, None);
    /// let e = b.wait_timeout(Duration::from_millis(10)).unwrap_err(); // nobody else came
    /// assert_eq!(e.to_string(), "BrokenBarrierError");
    /// ```
    pub fn wait_timeout(&self, timeout: std::time::Duration) -> PyResult<usize> {
        self.wait(Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `wait(timeout=None)`: returns this thread's arrival index
    /// (`0..parties`). Raises `BrokenBarrierError` if the barrier is or
    /// becomes broken (abort, reset, a failing action, a timeout).
    ///
    /// ```
    /// use pyrt_executor::threading::{Barrier, Thread};
    /// let b = Barrier::new(2, None, None);
    /// let b2 = b.clone();
    /// let t = Thread::new(move || b2.wait(None).map(drop));
    /// t.start()?;
    /// let index = b.wait(None)?; // 0 or 1: which party arrived
    /// assert!(index < 2);
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn wait(&self, timeout: Option<f64>) -> PyResult<usize> {
        let timeout = timeout.or(self.inner.timeout);
        let (index, generation) = {
            let mut st = self.state();
            if st.broken {
                return Err(broken());
            }
            let index = st.count;
            st.count += 1;
            if st.count >= self.inner.parties {
                drop(st);
                return self.release(index);
            }
            (index, st.generation)
        };
        let limit =
            timeout.map(|t| Duration::from_secs_f64(if t > 0.0 { t.min(1e9) } else { 0.0 }));
        let outcome = block_until(deadline(limit), |w| {
            let mut st = self.state();
            if st.generation != generation {
                return Some(st.released == Some(generation));
            }
            if st.broken {
                return Some(false);
            }
            st.waiters.register(w);
            None
        });
        match outcome {
            Some(true) => Ok(index),
            Some(false) => Err(broken()),
            None => {
                // Timed out: break the barrier for everyone, as CPython does.
                self.abort();
                Err(broken())
            }
        }
    }

    /// The last arrival: run the action, then release the generation.
    fn release(&self, index: usize) -> PyResult<usize> {
        if let Some(action) = &self.inner.action {
            if let Err(e) = call::<_, ()>(|| action()) {
                self.abort();
                return Err(e);
            }
        }
        let mut st = self.state();
        st.released = Some(st.generation);
        st.generation += 1;
        st.count = 0;
        st.waiters.wake_all();
        Ok(index)
    }

    /// `abort()`: breaks the barrier; current and later waits raise
    /// `BrokenBarrierError` until [`reset`](Self::reset).
    ///
    /// ```
    /// use pyrt_executor::{threading::Barrier, PyClass};
    /// let b = Barrier::new(2, None, None);
    /// b.abort();
    /// assert!(b.broken());
    /// assert!(b.wait(None).unwrap_err().is_instance_of(&PyClass::BrokenBarrierError));
    /// ```
    pub fn abort(&self) {
        let mut st = self.state();
        st.broken = true;
        st.waiters.wake_all();
    }

    /// `reset()`: back to the empty state; threads waiting now get
    /// `BrokenBarrierError`.
    ///
    /// ```
    /// let b = pyrt_executor::threading::Barrier::new(2, None, None);
    /// b.abort();
    /// b.reset();
    /// assert!(!b.broken());
    /// ```
    pub fn reset(&self) {
        let mut st = self.state();
        if st.count > 0 {
            st.generation += 1;
        }
        st.count = 0;
        st.broken = false;
        st.waiters.wake_all();
    }

    /// `parties`.
    ///
    /// ```
    /// assert_eq!(pyrt_executor::threading::Barrier::new(3, None, None).parties(), 3);
    /// ```
    pub fn parties(&self) -> usize {
        self.inner.parties
    }

    /// `n_waiting`: threads currently waiting.
    ///
    /// ```
    /// assert_eq!(pyrt_executor::threading::Barrier::new(2, None, None).n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        let st = self.state();
        if st.broken {
            0
        } else {
            st.count
        }
    }

    /// `broken`.
    ///
    /// ```
    /// let b = pyrt_executor::threading::Barrier::new(2, None, None);
    /// assert!(!b.broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.state().broken
    }
}
