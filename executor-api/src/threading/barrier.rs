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

/// CPython's `_state`: what the barrier is doing now.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Threads arrive (`0`).
    #[default]
    Filling,
    /// The last arrival runs the action; arrivals wait for it to finish
    /// (CPython runs the action under the barrier's lock, so nobody enters).
    Releasing,
    /// Released: the generation's waiters leave; arrivals wait until the
    /// last has left (`1`).
    Draining,
    /// `reset()` while threads waited: they leave with `BrokenBarrierError`;
    /// arrivals wait until the last has left (`-1`).
    Resetting,
    /// Aborted, timed out or the action failed (`-2`).
    Broken,
}

#[derive(Default)]
struct State {
    /// CPython's `_count`: threads inside `wait` (arrived, not yet left).
    count: usize,
    phase: Phase,
    waiters: Waiters,
}

impl State {
    /// CPython's `_exit`: the last thread out of a drained or reset
    /// generation opens the barrier for the next one.
    fn leave(&mut self) {
        self.count -= 1;
        if self.count == 0 && matches!(self.phase, Phase::Draining | Phase::Resetting) {
            self.phase = Phase::Filling;
            self.waiters.wake_all();
        }
    }

    /// CPython's `_break`.
    fn break_(&mut self) {
        self.phase = Phase::Broken;
        self.waiters.wake_all();
    }
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
    /// becomes broken (abort, reset, a failing action, a timeout). A thread
    /// arriving while the previous generation is still being released waits
    /// for that first (CPython's `_enter`), so a barrier can be reused for
    /// any number of generations by any number of threads.
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
        let limit =
            timeout.map(|t| Duration::from_secs_f64(if t > 0.0 { t.min(1e9) } else { 0.0 }));
        let deadline = deadline(limit);
        // `_enter`: block while the previous generation drains or resets
        // (untimed, as CPython's: draining always ends).
        let entered = block_until(None, |w| {
            let mut st = self.state();
            match st.phase {
                Phase::Filling => {
                    let index = st.count;
                    st.count += 1;
                    if st.count >= self.inner.parties {
                        // The last arrival: nobody enters until released.
                        st.phase = Phase::Releasing;
                    }
                    Some(Ok(index))
                }
                Phase::Broken => Some(Err(broken())),
                Phase::Releasing | Phase::Draining | Phase::Resetting => {
                    st.waiters.register(w);
                    None
                }
            }
        });
        // An untimed wait returns only once ready.
        let index = entered.unwrap_or_else(|| Err(broken()))?;
        let outcome = if index + 1 >= self.inner.parties {
            self.release()
        } else {
            self.wait_for_release(deadline)
        };
        self.state().leave();
        outcome.map(|()| index)
    }

    /// The last arrival: run the action, then release the generation
    /// (CPython's `_release`).
    fn release(&self) -> PyResult<()> {
        if let Some(action) = &self.inner.action {
            if let Err(e) = call::<_, ()>(|| action()) {
                self.state().break_();
                return Err(e);
            }
        }
        let mut st = self.state();
        if st.phase == Phase::Releasing {
            st.phase = Phase::Draining;
            st.waiters.wake_all();
            Ok(())
        } else {
            // Aborted or reset while the action ran.
            Err(broken())
        }
    }

    /// Waits until the generation is released or broken (CPython's `_wait`).
    fn wait_for_release(&self, deadline: Option<scheduler::Instant>) -> PyResult<()> {
        let outcome = block_until(deadline, |w| {
            let mut st = self.state();
            match st.phase {
                Phase::Filling | Phase::Releasing => {
                    st.waiters.register(w);
                    None
                }
                Phase::Draining => Some(Ok(())),
                Phase::Resetting | Phase::Broken => Some(Err(broken())),
            }
        });
        outcome.unwrap_or_else(|| {
            // Timed out: break the barrier for everyone, as CPython does.
            self.state().break_();
            Err(broken())
        })
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
        self.state().break_();
    }

    /// `reset()`: back to the empty state; threads waiting now get
    /// `BrokenBarrierError`, and threads arriving meanwhile wait until they
    /// have left.
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
            if matches!(st.phase, Phase::Filling | Phase::Releasing | Phase::Broken) {
                st.phase = Phase::Resetting;
            }
        } else {
            st.phase = Phase::Filling;
        }
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
        if st.phase == Phase::Filling {
            st.count
        } else {
            0
        }
    }

    /// `broken`.
    ///
    /// ```
    /// let b = pyrt_executor::threading::Barrier::new(2, None, None);
    /// assert!(!b.broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.state().phase == Phase::Broken
    }
}
