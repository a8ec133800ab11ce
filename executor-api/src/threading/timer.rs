//! `threading.Timer`: call a function after a delay, unless cancelled.

use std::time::Duration;

use super::event::Event;
use super::thread::Thread;
use crate::exceptions::PyResult;
use crate::IntoPyResult;

/// `threading.Timer(interval, function)`: a thread that waits `interval`
/// seconds, then calls `function` unless [`cancel`](Self::cancel) came first.
///
/// ```
/// use executor_api::threading::{Event, Timer};
/// let fired = Event::new();
/// let f = fired.clone();
/// let t = Timer::new(0.01, move || f.set());
/// t.start()?;
/// t.join(None)?;
/// assert!(fired.is_set());
///
/// let never = Timer::new(3600.0, || -> () { panic!("cancelled timers do not fire") });
/// never.start()?;
/// never.cancel();
/// never.join(None)?;
/// # Ok::<(), executor_api::PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Timer {
    thread: Thread,
    finished: Event,
}

impl Timer {
    /// `Timer(interval, function, args=None, kwargs=None)`; arguments are
    /// captured by the closure.
    pub fn new<F, R>(interval: f64, function: F) -> Timer
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let finished = Event::new();
        let f2 = finished.clone();
        let wait = Duration::from_secs_f64(if interval > 0.0 {
            interval.min(1e9)
        } else {
            0.0
        });
        let thread = Thread::new(move || -> PyResult<()> {
            let cancelled = f2.wait(Some(wait.as_secs_f64()));
            let r = if cancelled {
                Ok(())
            } else {
                function().into_py_result()
            };
            f2.set();
            r
        });
        Timer { thread, finished }
    }

    /// `start()`.
    pub fn start(&self) -> PyResult<()> {
        self.thread.start()
    }

    /// `cancel()`: stops the timer if it is still waiting.
    pub fn cancel(&self) {
        self.finished.set();
    }

    /// `join(timeout=None)`.
    pub fn join(&self, timeout: Option<f64>) -> PyResult<()> {
        self.thread.join(timeout)
    }

    /// `is_alive()`.
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// The timer's thread object.
    pub fn thread(&self) -> &Thread {
        &self.thread
    }
}
