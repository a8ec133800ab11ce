//! `threading.Thread` and the module functions about threads.
//!
//! Python's threads are operating-system threads, and so are ours: a
//! `Thread` is a `std::thread` (not a pool task), so it may block for as
//! long as it likes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::event::Event;
use super::excepthook::invoke_excepthook;
use super::ident::{get_ident, get_native_id, main_native_id, MAIN_IDENT};
use crate::exceptions::{call, PyException, PyResult};

type Target = Box<dyn FnOnce() -> PyResult<()> + Send>;

/// `threading.Thread`. Clones are the same thread object.
///
/// ```
/// use pyrt_executor::threading::Thread;
/// let t = Thread::builder().name("worker").build(|| println!("hi"));
/// assert!(!t.is_alive());
/// t.start()?;
/// t.join(None)?;
/// assert_eq!(t.name(), "worker");
/// assert!(t.ident().is_some());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone)]
pub struct Thread {
    inner: Arc<Inner>,
}

struct Inner {
    /// The Python class, for `repr`: `Thread`, `Timer`, `_MainThread`,
    /// `_DummyThread`.
    class: &'static str,
    name: Mutex<String>,
    daemon: AtomicBool,
    target: Mutex<Option<Target>>,
    started: AtomicBool,
    finished: Event,
    ident: AtomicU64,
    native_id: AtomicU64,
    /// This thread's stack size in bytes (its builder's `stack_size`);
    /// `None` takes [`stack_size`]'s setting when it starts.
    stack_size: Option<usize>,
}

impl std::fmt::Debug for Thread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // CPython's `Thread.__repr__`: `<Thread(name, stopped daemon 7)>`.
        let mut status = if !self.inner.started.load(Ordering::SeqCst) {
            "initial".to_string()
        } else if self.is_alive() {
            "started".to_string()
        } else {
            "stopped".to_string()
        };
        if self.daemon() {
            status.push_str(" daemon");
        }
        if let Some(ident) = self.ident() {
            status.push_str(&format!(" {ident}"));
        }
        write!(f, "<{}({}, {status})>", self.inner.class, self.name())
    }
}

/// Keyword options of `Thread(group=None, target=None, name=None, args=(),
/// kwargs={}, *, daemon=None)`; `args` are captured by the target closure.
///
/// ```
/// use pyrt_executor::threading::Thread;
/// let t = Thread::builder().name("worker").daemon(Some(true)).build(|| ());
/// assert_eq!((t.name().as_str(), t.daemon()), ("worker", true));
/// ```
#[derive(Debug, Default)]
pub struct ThreadBuilder {
    class: Option<&'static str>,
    name: Option<String>,
    target_name: Option<String>,
    daemon: Option<bool>,
    stack_size: Option<usize>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Python's `_newname("Thread-%d")`.
fn new_name(prefix: &str) -> String {
    format!("{prefix}-{}", COUNTER.fetch_add(1, Ordering::Relaxed) + 1)
}

impl ThreadBuilder {
    /// `name=`: the thread's name (default `Thread-N`, also for an empty
    /// name, as in CPython).
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// assert_eq!(Thread::builder().name("loader").build(|| ()).name(), "loader");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The target function's `__name__`, which CPython appends to default
    /// names: `Thread-N (target)`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::builder().target_name("work").build(|| ());
    /// assert!(t.name().starts_with("Thread-") && t.name().ends_with(" (work)"));
    /// ```
    pub fn target_name(mut self, name: impl Into<String>) -> Self {
        self.target_name = Some(name.into());
        self
    }

    /// `daemon=`: `None` inherits the creating thread's flag. At exit
    /// [`run_main`](crate::run_main) joins every non-daemon thread; a
    /// daemon thread does not keep the program alive.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// assert!(Thread::builder().daemon(Some(true)).build(|| ()).daemon());
    /// ```
    pub fn daemon(mut self, daemon: Option<bool>) -> Self {
        self.daemon = daemon;
        self
    }

    /// The stack size of this thread in bytes, beyond CPython (whose only
    /// knob is the process-wide [`stack_size`]); without it the thread
    /// takes [`stack_size`]'s setting at `start()`. Below the platform's
    /// minimum the minimum is used; a size the operating system refuses
    /// makes `start()` raise `RuntimeError: can't start new thread`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// // Deep recursion wants more than the default stack.
    /// fn depth(n: u64) -> u64 { if n == 0 { 0 } else { 1 + depth(n - 1) } }
    /// let t = Thread::builder()
    ///     .stack_size(64 << 20)
    ///     .build(|| assert_eq!(depth(200_000), 200_000));
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// The Python class shown by `repr` (a `Thread` subclass: `Timer`).
    pub(crate) fn class(mut self, class: &'static str) -> Self {
        self.class = Some(class);
        self
    }

    /// Builds the thread object for `target` (not started yet).
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::builder().name("w").daemon(Some(false)).build(|| ());
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn build<F, R>(self, target: F) -> Thread
    where
        F: FnOnce() -> R + Send + 'static,
        R: crate::IntoPyResult<()> + 'static,
    {
        let name = self.name.filter(|n| !n.is_empty()).unwrap_or_else(|| {
            let n = new_name("Thread");
            match &self.target_name {
                Some(t) => format!("{n} ({t})"),
                None => n,
            }
        });
        let daemon = self.daemon.unwrap_or_else(|| current_thread().daemon());
        let class = self.class.unwrap_or("Thread");
        let target: Target = Box::new(move || call(target));
        Thread::from_parts(class, name, daemon, Some(target), self.stack_size)
    }
}

impl Thread {
    /// `Thread(target=f)` with default options.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let t = Thread::new(move || tx.send(6 * 7).unwrap()); // Thread(target=f)
    /// t.start()?;
    /// t.join(None)?;
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new<F, R>(target: F) -> Thread
    where
        F: FnOnce() -> R + Send + 'static,
        R: crate::IntoPyResult<()> + 'static,
    {
        Self::builder().build(target)
    }

    /// Options for `Thread(...)`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::builder().name("io").build(|| ());
    /// assert_eq!(t.name(), "io");
    /// ```
    pub fn builder() -> ThreadBuilder {
        ThreadBuilder::default()
    }

    fn from_parts(
        class: &'static str,
        name: String,
        daemon: bool,
        target: Option<Target>,
        stack_size: Option<usize>,
    ) -> Thread {
        Thread {
            inner: Arc::new(Inner {
                class,
                name: Mutex::new(name),
                daemon: AtomicBool::new(daemon),
                target: Mutex::new(target),
                started: AtomicBool::new(false),
                finished: Event::new(),
                ident: AtomicU64::new(0),
                native_id: AtomicU64::new(0),
                stack_size,
            }),
        }
    }

    /// A thread object for a thread we did not start (CPython's
    /// `_MainThread`/`_DummyThread`): already started, alive.
    fn for_running_thread(name: String, daemon: bool) -> Thread {
        let t = Thread::from_parts("_DummyThread", name, daemon, None, None);
        t.inner.started.store(true, Ordering::SeqCst);
        t.inner.ident.store(get_ident(), Ordering::SeqCst);
        t.inner.native_id.store(get_native_id(), Ordering::SeqCst);
        t
    }

    /// The thread object of a call run nested on a worker (see `ident.rs`):
    /// alive while the call runs, a daemon like the executor's workers.
    fn for_nested_call(name: String, ident: u64) -> Thread {
        let t = Thread::from_parts("Thread", name, true, None, None);
        t.inner.started.store(true, Ordering::SeqCst);
        t.inner.ident.store(ident, Ordering::SeqCst);
        t.inner.native_id.store(get_native_id(), Ordering::SeqCst);
        t
    }

    /// The call this object stands for has returned (`is_alive()` false).
    pub(crate) fn mark_finished(&self) {
        self.inner.finished.set();
    }

    fn name_lock(&self) -> MutexGuard<'_, String> {
        self.inner.name.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `name`.
    ///
    /// ```
    /// use pyrt_executor::threading::{current_thread, Thread};
    /// let t = Thread::builder().name("named").build(|| assert_eq!(current_thread().name(), "named"));
    /// t.start()?;
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn name(&self) -> String {
        self.name_lock().clone()
    }

    /// Whether both handles are the same thread object (Python's `is`).
    ///
    /// ```
    /// use pyrt_executor::threading::{current_thread, main_thread};
    /// assert!(current_thread().ptr_eq(&current_thread()));
    /// # let _ = main_thread();
    /// ```
    pub fn ptr_eq(&self, other: &Thread) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Sets `name`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.set_name("renamed");
    /// assert_eq!(t.name(), "renamed");
    /// ```
    pub fn set_name(&self, name: impl Into<String>) {
        *self.name_lock() = name.into();
    }

    /// `daemon`.
    ///
    /// ```
    /// use pyrt_executor::threading::{main_thread, Thread};
    /// assert!(!main_thread().daemon());
    /// assert!(!Thread::new(|| ()).daemon()); // inherited from the creating thread
    /// ```
    pub fn daemon(&self) -> bool {
        self.inner.daemon.load(Ordering::SeqCst)
    }

    /// Sets `daemon` (`t.daemon = flag`): `RuntimeError: cannot set daemon
    /// status of active thread` once started.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.set_daemon(true)?;
    /// assert!(t.daemon());
    /// t.start()?;
    /// assert_eq!(
    ///     t.set_daemon(false).unwrap_err().to_string(),
    ///     "RuntimeError: cannot set daemon status of active thread"
    /// );
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_daemon(&self, daemon: bool) -> PyResult<()> {
        if self.inner.started.load(Ordering::SeqCst) {
            return Err(PyException::RuntimeError(
                "cannot set daemon status of active thread".into(),
            ));
        }
        self.inner.daemon.store(daemon, Ordering::SeqCst);
        Ok(())
    }

    /// `ident`: `None` before `start()`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// assert_eq!(t.ident(), None);
    /// t.start()?;
    /// assert!(t.ident().is_some());
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn ident(&self) -> Option<u64> {
        Some(self.inner.ident.load(Ordering::SeqCst)).filter(|&i| i != 0)
    }

    /// `native_id`: `None` before `start()`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// assert_eq!(t.native_id(), None);
    /// t.start()?;
    /// t.join(None)?;
    /// assert!(t.native_id().is_some());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn native_id(&self) -> Option<u64> {
        Some(self.inner.native_id.load(Ordering::SeqCst)).filter(|&i| i != 0)
    }

    /// `is_alive()`: started and not finished.
    ///
    /// ```
    /// use pyrt_executor::threading::{Event, Thread};
    /// let go = Event::new();
    /// let g = go.clone();
    /// let t = Thread::new(move || drop(g.wait(None)));
    /// assert!(!t.is_alive());
    /// t.start()?;
    /// assert!(t.is_alive());
    /// go.set();
    /// t.join(None)?;
    /// assert!(!t.is_alive());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn is_alive(&self) -> bool {
        self.inner.started.load(Ordering::SeqCst) && !self.inner.finished.is_set()
    }

    /// `start()`: `RuntimeError: threads can only be started once`; an
    /// operating system refusal is `RuntimeError: can't start new thread`.
    ///
    /// ```
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.start()?;
    /// assert_eq!(t.start().unwrap_err().to_string(), "RuntimeError: threads can only be started once");
    /// t.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn start(&self) -> PyResult<()> {
        if self.inner.started.swap(true, Ordering::SeqCst) {
            return Err(PyException::RuntimeError(
                "threads can only be started once".into(),
            ));
        }
        let target = self
            .inner
            .target
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let me = self.clone();
        let started = Event::new();
        let started2 = started.clone();
        alive()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(self.clone());
        // A `std::thread` natively and on WASI, a Web Worker in a browser.
        let stack = self
            .inner
            .stack_size
            .or_else(|| Some(STACK_SIZE.load(Ordering::SeqCst) as usize).filter(|&s| s != 0));
        let spawned = scheduler::spawn_thread_with_stack_size(self.name(), stack, move || {
            me.inner.ident.store(get_ident(), Ordering::SeqCst);
            me.inner.native_id.store(get_native_id(), Ordering::SeqCst);
            CURRENT.with(|c| *c.borrow_mut() = Some(me.clone()));
            started2.set();
            // `join()` must return even if reporting fails.
            let _finish = FinishOnDrop(me.clone());
            // Dropped first: the thread's `threading.local` values go before
            // it counts as finished (CPython clears them with its state).
            let _locals = LocalsOnDrop;
            if let Some(target) = target {
                if let Err(e) = target() {
                    invoke_excepthook(e, Some(me.clone()));
                }
            }
        });
        match spawned {
            Ok(_) => {
                started.wait(None);
                Ok(())
            }
            Err(_) => {
                self.finish();
                Err(PyException::RuntimeError("can't start new thread".into()))
            }
        }
    }

    fn finish(&self) {
        alive()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|t| !Arc::ptr_eq(&t.inner, &self.inner));
        self.inner.finished.set();
    }

    /// Rust-side: `join(timeout=secs)` with a [`Duration`](std::time::Duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.start()?;
    /// t.join_timeout(Duration::from_secs(60))?;
    /// assert!(!t.is_alive());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn join_timeout(&self, timeout: std::time::Duration) -> PyResult<()> {
        self.join(Some(crate::exceptions::duration_secs(timeout)))
    }

    /// `join(timeout=None)`: waits for the thread to finish (check
    /// [`is_alive`](Self::is_alive) after a timeout, as in Python).
    ///
    /// ```
    /// use pyrt_executor::threading::{Event, Thread};
    /// let go = Event::new();
    /// let g = go.clone();
    /// let t = Thread::new(move || drop(g.wait(None)));
    /// t.start()?;
    /// t.join(Some(0.01))?; // timed out: still running
    /// assert!(t.is_alive());
    /// go.set();
    /// t.join(None)?;
    /// assert!(!t.is_alive());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn join(&self, timeout: Option<f64>) -> PyResult<()> {
        if !self.inner.started.load(Ordering::SeqCst) {
            return Err(PyException::RuntimeError(
                "cannot join thread before it is started".into(),
            ));
        }
        if self.ident() == Some(get_ident()) {
            return Err(PyException::RuntimeError(
                "cannot join current thread".into(),
            ));
        }
        self.inner.finished.wait(timeout);
        Ok(())
    }
}

/// The stack size of threads started from now on, 0 for the default.
static STACK_SIZE: AtomicU64 = AtomicU64::new(0);

/// CPython's `THREAD_STACK_MIN` on Linux (32 KiB).
const THREAD_STACK_MIN: i64 = 0x8000;

/// `threading.stack_size([size])`: the stack size of threads started
/// afterwards, in bytes (0: the platform's default), returning the previous
/// setting. `None` only reads it. As CPython: `ValueError: size must be 0
/// or a positive value` for a negative size, `ValueError: size not valid:
/// N bytes` below 32 KiB. Pool workers are not affected (their executor's
/// builder sets theirs).
///
/// ```
/// use pyrt_executor::threading::{stack_size, Thread};
/// assert_eq!(stack_size(None)?, 0);
/// assert_eq!(
///     stack_size(Some(1000)).unwrap_err().to_string(),
///     "ValueError: size not valid: 1000 bytes"
/// );
/// assert_eq!(stack_size(Some(262_144))?, 0);
/// let t = Thread::new(|| ());
/// t.start()?; // with a 256 KiB stack
/// t.join(None)?;
/// assert_eq!(stack_size(Some(0))?, 262_144);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn stack_size(size: Option<i64>) -> PyResult<u64> {
    let Some(size) = size else {
        return Ok(STACK_SIZE.load(Ordering::SeqCst));
    };
    if size < 0 {
        return Err(PyException::ValueError(
            "size must be 0 or a positive value".into(),
        ));
    }
    if size != 0 && size < THREAD_STACK_MIN {
        return Err(PyException::ValueError(format!(
            "size not valid: {size} bytes"
        )));
    }
    Ok(STACK_SIZE.swap(size as u64, Ordering::SeqCst))
}

/// Ends the thread's identity (drops its `threading.local` values) when
/// dropped, even while unwinding.
struct LocalsOnDrop;

impl Drop for LocalsOnDrop {
    fn drop(&mut self) {
        super::ident::run_thread_exit();
    }
}

/// Marks the thread finished when dropped, even while unwinding.
struct FinishOnDrop(Thread);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish();
    }
}

thread_local! {
    static CURRENT: std::cell::RefCell<Option<Thread>> = const { std::cell::RefCell::new(None) };
}

fn alive() -> &'static Mutex<Vec<Thread>> {
    static ALIVE: OnceLock<Mutex<Vec<Thread>>> = OnceLock::new();
    ALIVE.get_or_init(Mutex::default)
}

static MAIN: OnceLock<Thread> = OnceLock::new();

/// `threading.main_thread()`: the thread object of the program's main
/// thread, with its `ident` from the start, whichever thread asks first.
///
/// The main thread is the one running [`run_main`](crate::run_main); before
/// (or without) it, the std thread named `main`.
///
/// ```
/// use pyrt_executor::threading::main_thread;
/// let m = main_thread();
/// assert_eq!(m.name(), "MainThread");
/// assert!(m.ident().is_some());
/// ```
pub fn main_thread() -> Thread {
    MAIN.get_or_init(|| {
        let t = Thread::from_parts("_MainThread", "MainThread".into(), false, None, None);
        t.inner.started.store(true, Ordering::SeqCst);
        t.inner.ident.store(MAIN_IDENT, Ordering::SeqCst);
        t.inner.native_id.store(main_native_id(), Ordering::SeqCst);
        t
    })
    .clone()
}

/// [`run_main`](crate::run_main)'s thread becomes the main thread.
pub(crate) fn claim_main_thread() {
    let m = main_thread();
    m.inner.ident.store(get_ident(), Ordering::SeqCst);
    m.inner.native_id.store(get_native_id(), Ordering::SeqCst);
    CURRENT.with(|c| *c.borrow_mut() = Some(m));
}

/// The end of `threading._shutdown()`: the main thread is stopped (whoever
/// joins it returns), then every non-daemon thread is joined, including
/// those started meanwhile.
pub(crate) fn stop_main_and_join_threads() {
    main_thread().inner.finished.set();
    loop {
        let non_daemon: Vec<Thread> = alive()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|t| !t.daemon())
            .cloned()
            .collect();
        if non_daemon.is_empty() {
            break;
        }
        for t in non_daemon {
            t.inner.finished.wait(None);
        }
    }
}

/// `threading.current_thread()`. For a thread not started through
/// [`Thread`], a dummy object named after the std thread (our pool workers
/// are named like CPython's, e.g. `ThreadPoolExecutor-0_0`), or
/// `Dummy-N`; the main thread (see [`main_thread`]) is `MainThread`.
///
/// ```
/// use pyrt_executor::threading::{current_thread, Thread};
/// let t = Thread::builder().name("x").build(|| assert_eq!(current_thread().name(), "x"));
/// t.start()?;
/// t.join(None)?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn current_thread() -> Thread {
    // A call running nested on a worker is a thread of its own.
    if let Some(t) = super::ident::nested_thread(Thread::for_nested_call) {
        return t;
    }
    CURRENT.with(|c| {
        if let Some(t) = c.borrow().as_ref() {
            return t.clone();
        }
        let main = main_thread();
        let t = match scheduler::thread_name().as_deref() {
            _ if main.inner.ident.load(Ordering::SeqCst) == get_ident() => main,
            Some(name) => Thread::for_running_thread(name.to_string(), true),
            None => Thread::for_running_thread(new_name("Dummy"), true),
        };
        *c.borrow_mut() = Some(t.clone());
        t
    })
}

/// `threading.enumerate()`: the main thread and every started thread that
/// has not finished.
///
/// ```
/// use pyrt_executor::threading::{enumerate, main_thread};
/// assert!(enumerate().iter().any(|t| t.ptr_eq(&main_thread())));
/// ```
pub fn enumerate() -> Vec<Thread> {
    let mut all = vec![main_thread()];
    all.extend(
        alive()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned(),
    );
    all
}

/// `threading.active_count()`: `len(enumerate())`.
///
/// ```
/// assert!(pyrt_executor::threading::active_count() >= 1);
/// ```
pub fn active_count() -> usize {
    enumerate().len()
}
