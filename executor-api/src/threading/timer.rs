//! `threading.Timer`: call a function after a delay, unless cancelled.

use std::sync::{Arc, Mutex, MutexGuard};

use super::event::Event;
use super::thread::Thread;
use crate::exceptions::PyResult;
use crate::IntoPyResult;

/// `threading.Timer(interval, function, args=None, kwargs=None)`: a thread
/// that waits `interval` seconds, then calls `function` unless
/// [`cancel`](Self::cancel) came first.
///
/// `args` and `kwargs` are values of any types `A` and `K` (a tuple, a
/// `Vec`, a `HashMap`, a struct; `()` for none), owned by the timer, each
/// timer its own (CPython's defaults are a fresh `[]` and `{}` per timer,
/// issue 17435). They can be changed through [`args`](Self::args) and
/// [`kwargs`](Self::kwargs) until the timer fires; the function gets a copy
/// of each, as `function(*args, **kwargs)` does.
///
/// ```
/// use pyrt_executor::threading::{Event, Timer};
/// let fired = Event::new();
/// let f = fired.clone();
/// let t = Timer::new(0.01, move || f.set());
/// t.start()?;
/// t.join(None)?;
/// assert!(fired.is_set());
/// assert!(t.finished().is_set());
///
/// let never = Timer::new(3600.0, || -> () { panic!("cancelled timers do not fire") });
/// never.start()?;
/// never.cancel();
/// never.join(None)?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Timer<A = (), K = ()> {
    thread: Thread,
    shared: Arc<Shared<A, K>>,
}

struct Shared<A, K> {
    interval: Mutex<f64>,
    finished: Event,
    args: Mutex<A>,
    kwargs: Mutex<K>,
}

impl<A, K> Clone for Timer<A, K> {
    fn clone(&self) -> Self {
        Timer {
            thread: self.thread.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<A, K> std::fmt::Debug for Timer<A, K> {
    /// CPython's `repr`: `<Timer(Thread-1, started 7)>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.thread.fmt(f)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Timer {
    /// `Timer(interval, function)`: no `args`/`kwargs` (a closure captures
    /// what it needs).
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let t = Timer::new(0.0, move || tx.send("fired").unwrap());
    /// t.start()?;
    /// t.join(None)?;
    /// assert_eq!(rx.recv().unwrap(), "fired");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new<F, R>(interval: f64, function: F) -> Timer
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        Timer::with_args(interval, move |(), ()| function(), (), ())
    }
}

impl<A, K> Timer<A, K>
where
    A: Clone + Send + 'static,
    K: Clone + Send + 'static,
{
    /// `Timer(interval, function, args, kwargs)`: `function(args, kwargs)`
    /// runs with copies of the values [`args`](Self::args) and
    /// [`kwargs`](Self::kwargs) hold when it fires.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::with_args(
    ///     0.0,
    ///     |args: Vec<i32>, kwargs: HashMap<String, i32>| assert_eq!((args.len(), kwargs.len()), (2, 1)),
    ///     vec![1],
    ///     HashMap::from([("k".to_string(), 2)]),
    /// );
    /// t.args().push(3); // before it fires: the call sees it
    /// assert_eq!(t.interval(), 0.0);
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with_args<F, R>(interval: f64, function: F, args: A, kwargs: K) -> Timer<A, K>
    where
        F: FnOnce(A, K) -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let shared = Arc::new(Shared {
            interval: Mutex::new(interval),
            finished: Event::new(),
            args: Mutex::new(args),
            kwargs: Mutex::new(kwargs),
        });
        let s = shared.clone();
        // CPython's `Timer.run`.
        let thread = Thread::builder()
            .class("Timer")
            .build(move || -> PyResult<()> {
                let interval = *lock(&s.interval);
                s.finished.wait(Some(interval));
                let r = if s.finished.is_set() {
                    Ok(())
                } else {
                    let args = lock(&s.args).clone();
                    let kwargs = lock(&s.kwargs).clone();
                    function(args, kwargs).into_py_result()
                };
                s.finished.set();
                r
            });
        Timer { thread, shared }
    }
}

impl<A, K> Timer<A, K> {
    /// `start()`.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(0.0, || ());
    /// t.start()?;
    /// t.join(None)?;
    /// assert!(t.finished().is_set());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn start(&self) -> PyResult<()> {
        self.thread.start()
    }

    /// `cancel()`: stops the timer if it is still waiting.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(3600.0, || -> () { unreachable!("cancelled") });
    /// t.start()?;
    /// t.cancel();
    /// t.join(None)?;
    /// assert!(t.finished().is_set());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn cancel(&self) {
        self.shared.finished.set();
    }

    /// `join(timeout=None)`.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(0.0, || ());
    /// t.start()?;
    /// t.join(None)?;
    /// assert!(!t.is_alive());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn join(&self, timeout: Option<f64>) -> PyResult<()> {
        self.thread.join(timeout)
    }

    /// `is_alive()`.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(3600.0, || ());
    /// assert!(!t.is_alive());
    /// t.start()?;
    /// assert!(t.is_alive());
    /// t.cancel();
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// The timer's thread object (`name`, `ident`, `daemon`, ...).
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(0.0, || ());
    /// assert!(t.thread().name().starts_with("Thread-"));
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// `interval`: the delay in seconds.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// assert_eq!(Timer::new(1.5, || ()).interval(), 1.5);
    /// ```
    pub fn interval(&self) -> f64 {
        *lock(&self.shared.interval)
    }

    /// `t.interval = secs`: takes effect if set before `start()`.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(3600.0, || ());
    /// t.set_interval(0.0); // before start(): takes effect
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_interval(&self, interval: f64) {
        *lock(&self.shared.interval) = interval;
    }

    /// `finished`: the [`Event`] set by `cancel()` and when the timer is done.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::new(3600.0, || ());
    /// assert!(!t.finished().is_set());
    /// t.cancel();
    /// assert!(t.finished().is_set());
    /// ```
    pub fn finished(&self) -> &Event {
        &self.shared.finished
    }

    /// `args`: the positional arguments, to read or change (`t.args.append(x)`
    /// is `t.args().push(x)`). Don't hold it while the timer may fire: the
    /// timer copies it then.
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// let t = Timer::with_args(0.0, |args: Vec<i32>, _: ()| assert_eq!(args, [1, 2]), vec![1], ());
    /// t.args().push(2); // t.args.append(2)
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn args(&self) -> MutexGuard<'_, A> {
        lock(&self.shared.args)
    }

    /// `kwargs`: the keyword arguments, as [`args`](Self::args).
    ///
    /// ```
    /// use pyrt_executor::threading::Timer;
    /// use std::collections::HashMap;
    /// let t = Timer::with_args(0.0, |_: (), kw: HashMap<&str, i32>| assert_eq!(kw["n"], 3), (), HashMap::new());
    /// t.kwargs().insert("n", 3);
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn kwargs(&self) -> MutexGuard<'_, K> {
        lock(&self.shared.kwargs)
    }
}
