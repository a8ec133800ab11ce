//! `multiprocessing.Process` on a thread, and `current_process()`.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

use crate::exceptions::{call, PyException, PyResult, SystemExitCode};
use crate::report::write_stderr;
use crate::threading::{get_ident, Thread};
use crate::IntoPyResult;

static COUNTER: AtomicU64 = AtomicU64::new(0);
/// `exitcode` not set yet.
const RUNNING: i32 = i32::MIN;

/// `multiprocessing.Process(target=..., args=..., name=None)`, run on a
/// thread; `args` are captured by the closure. Clones are the same process.
///
/// ```
/// use pyrt_executor::multiprocessing::Process;
/// use pyrt_executor::PyException;
/// let ok = Process::new(|| ());
/// assert_eq!(ok.exitcode(), None);
/// ok.start()?;
/// ok.join(None)?;
/// assert_eq!(ok.exitcode(), Some(0));
/// let bad = Process::new(|| -> Result<(), PyException> { Err(PyException::ValueError("x".into())) });
/// bad.start()?;
/// bad.join(None)?;
/// assert_eq!(bad.exitcode(), Some(1));
/// # Ok::<(), PyException>(())
/// ```
#[derive(Clone, Debug)]
pub struct Process {
    name: String,
    thread: Thread,
    started: Arc<AtomicBool>,
    daemon: Arc<AtomicBool>,
    exitcode: Arc<AtomicI32>,
}

thread_local! {
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The process running on this thread (its thread's ident), `None` in
    /// the main process.
    static CURRENT_PID: Cell<Option<u64>> = const { Cell::new(None) };
}

/// `multiprocessing.process._children`: the started processes, with the
/// process that started each.
static CHILDREN: Mutex<Vec<(Option<u64>, Process)>> = Mutex::new(Vec::new());

/// The exit code of a target's outcome, as `BaseProcess._bootstrap` makes
/// it: 0, `SystemExit`'s code (a message is printed, code 1), or 1 with the
/// exception printed for any other exception.
fn exitcode_of(name: &str, r: PyResult<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(PyException::SystemExit(code)) => {
            if let SystemExitCode::Message(m) = &code {
                write_stderr(&format!("{m}\n"));
            }
            // What the parent's `waitpid` sees of `os._exit(code)`.
            code.exit_status() & 0xff
        }
        Err(e) => {
            write_stderr(&format!("Process {name}:\n{e}\n"));
            1
        }
    }
}

impl Process {
    /// `Process(target=f)`, named `Process-N`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// p.start()?;
    /// p.join(None)?;
    /// assert_eq!(p.exitcode(), Some(0));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new<F, R>(target: F) -> Process
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
        Self::with_name(format!("Process-{n}"), target)
    }

    /// `Process(target=f, name=name)`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// assert_eq!(Process::with_name("loader", || ()).name(), "loader");
    /// ```
    pub fn with_name<F, R>(name: impl Into<String>, target: F) -> Process
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let name = name.into();
        let exitcode = Arc::new(AtomicI32::new(RUNNING));
        let (code, pname) = (exitcode.clone(), name.clone());
        // A daemon thread for `threading`: processes are joined by
        // `multiprocessing`'s own exit function, after the threads.
        let thread = Thread::builder()
            .name(name.clone())
            .daemon(Some(true))
            .build(move || {
                CURRENT.with(|c| *c.borrow_mut() = Some(pname.clone()));
                CURRENT_PID.with(|c| c.set(Some(get_ident())));
                let r: PyResult<()> = call(target);
                code.store(exitcode_of(&pname, r), Ordering::SeqCst);
            });
        Process {
            name,
            thread,
            started: Arc::new(AtomicBool::new(false)),
            daemon: Arc::new(AtomicBool::new(false)),
            exitcode,
        }
    }

    /// `name`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// assert!(Process::new(|| ()).name().starts_with("Process-"));
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `daemon`: whether exit leaves this process running instead of
    /// joining it.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// assert!(!p.daemon());
    /// p.set_daemon(true)?;
    /// assert!(p.daemon());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn daemon(&self) -> bool {
        self.daemon.load(Ordering::SeqCst)
    }

    /// Sets `daemon` (`p.daemon = flag`): `AssertionError: process has
    /// already started` after `start()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// p.set_daemon(true)?;
    /// assert!(p.daemon());
    /// p.start()?;
    /// assert_eq!(
    ///     p.set_daemon(false).unwrap_err().to_string(),
    ///     "AssertionError: process has already started"
    /// );
    /// # p.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_daemon(&self, daemon: bool) -> PyResult<()> {
        if self.started.load(Ordering::SeqCst) {
            return Err(PyException::AssertionError(
                "process has already started".into(),
            ));
        }
        self.daemon.store(daemon, Ordering::SeqCst);
        Ok(())
    }

    /// `start()`: `AssertionError: cannot start a process twice`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// p.start()?;
    /// assert!(p.start().is_err()); // a process can only be started once
    /// p.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn start(&self) -> PyResult<()> {
        if self.started.swap(true, Ordering::SeqCst) {
            return Err(PyException::AssertionError(
                "cannot start a process twice".into(),
            ));
        }
        register_exit_function();
        let parent = CURRENT_PID.with(Cell::get);
        children().push((parent, self.clone()));
        let started = self.thread.start();
        if started.is_err() {
            children().retain(|(_, p)| !self.same(p));
        }
        started
    }

    fn same(&self, other: &Process) -> bool {
        self.thread.ptr_eq(&other.thread)
    }

    /// `join(timeout=None)`: `AssertionError: can only join a started
    /// process` before `start()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// use pyrt_executor::PyException;
    /// let p = Process::new(|| -> Result<(), PyException> { Err(PyException::ValueError("x".into())) });
    /// p.start()?;
    /// p.join(None)?;
    /// assert_eq!(p.exitcode(), Some(1)); // the target raised
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn join(&self, timeout: Option<f64>) -> PyResult<()> {
        if !self.started.load(Ordering::SeqCst) {
            return Err(PyException::AssertionError(
                "can only join a started process".into(),
            ));
        }
        self.thread.join(timeout)
    }

    /// `is_alive()`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// assert!(!p.is_alive());
    /// p.start()?;
    /// p.join(None)?;
    /// assert!(!p.is_alive());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// `exitcode`: `None` while running, 0 on success, the code of a
    /// `SystemExit` ([`sys::exit`](crate::sys::exit); 1 for a message,
    /// printed to stderr), 1 if the target raised anything else or
    /// panicked.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// assert_eq!(p.exitcode(), None); // not started
    /// p.start()?;
    /// p.join(None)?;
    /// assert_eq!(p.exitcode(), Some(0));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn exitcode(&self) -> Option<i32> {
        Some(self.exitcode.load(Ordering::SeqCst)).filter(|&c| c != RUNNING)
    }

    /// `pid`: the id of the thread standing in for the process.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// assert_eq!(p.pid(), None);
    /// p.start()?;
    /// assert!(p.pid().is_some());
    /// p.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn pid(&self) -> Option<u64> {
        self.thread.ident()
    }

    /// `ident`: the same as [`pid`](Self::pid), as in Python.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Process;
    /// let p = Process::new(|| ());
    /// p.start()?;
    /// assert_eq!(p.ident(), p.pid());
    /// p.join(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn ident(&self) -> Option<u64> {
        self.pid()
    }
}

/// `p == q` / `p in active_children()`: identity (clones are the same
/// process).
impl PartialEq for Process {
    fn eq(&self, other: &Process) -> bool {
        self.same(other)
    }
}

impl Eq for Process {}

fn children() -> std::sync::MutexGuard<'static, Vec<(Option<u64>, Process)>> {
    CHILDREN.lock().unwrap_or_else(|p| p.into_inner())
}

/// `multiprocessing.active_children()`: the processes this process started
/// that are still running; finished ones are forgotten (CPython reaps
/// them).
///
/// ```
/// use pyrt_executor::multiprocessing::{active_children, Process};
/// use pyrt_executor::threading::Event;
/// let go = Event::new();
/// let go2 = go.clone();
/// let p = Process::new(move || { go2.wait(None); });
/// p.start()?;
/// assert_eq!(active_children().len(), 1);
/// go.set();
/// p.join(None)?;
/// assert!(active_children().is_empty());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn active_children() -> Vec<Process> {
    let me = CURRENT_PID.with(Cell::get);
    let mut all = children();
    all.retain(|(_, p)| p.is_alive());
    all.iter()
        .filter(|(parent, _)| *parent == me)
        .map(|(_, p)| p.clone())
        .collect()
}

/// `multiprocessing.util._exit_function`, registered with
/// [`atexit`](crate::atexit) when the first process starts (when CPython
/// imports `multiprocessing.util`): joins the non-daemon children. Daemon
/// children are not terminated (a thread cannot be); they end with the
/// program.
fn register_exit_function() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        crate::atexit::register(|| {
            for p in active_children() {
                if !p.daemon() {
                    p.join(None)?;
                }
            }
            Ok::<(), PyException>(())
        })
    });
}

/// What `multiprocessing.current_process()` tells about the caller.
///
/// ```
/// use pyrt_executor::multiprocessing::{current_process, Process};
/// let p = Process::with_name("worker", || assert_eq!(current_process().name, "worker"));
/// p.start()?;
/// p.join(None)?;
/// assert_eq!(p.exitcode(), Some(0));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// `name`: `MainProcess` outside any [`Process`].
    pub name: String,
}

/// `multiprocessing.current_process()`.
///
/// ```
/// assert_eq!(pyrt_executor::multiprocessing::current_process().name, "MainProcess");
/// ```
pub fn current_process() -> ProcessInfo {
    let name = CURRENT.with(|c| c.borrow().clone());
    ProcessInfo {
        name: name.unwrap_or_else(|| "MainProcess".into()),
    }
}
