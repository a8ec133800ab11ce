//! `multiprocessing.Process` on a thread, and `current_process()`.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;

use crate::exceptions::{call, PyException, PyResult};
use crate::report::write_stderr;
use crate::threading::Thread;
use crate::IntoPyResult;

static COUNTER: AtomicU64 = AtomicU64::new(0);
/// `exitcode` not set yet.
const RUNNING: i32 = i32::MIN;

/// `multiprocessing.Process(target=..., args=..., name=None)`, run on a
/// thread; `args` are captured by the closure. Clones are the same process.
///
/// ```
/// use executor_api::multiprocessing::Process;
/// use executor_api::PyException;
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
    exitcode: Arc<AtomicI32>,
}

thread_local! {
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// What CPython's `Process._bootstrap` does with what the target raised:
/// writes `Process NAME:` and the exception (its last traceback line; we
/// have no frames) to stderr, exit code 1. A `SystemExit` ends the process
/// with its code: none is 0, an integer is itself, anything else is written
/// to stderr and is 1.
fn report_failure(name: &str, e: &PyException) -> i32 {
    // `PyException::SystemExit` is being added elsewhere; until then a
    // `SystemExit` is any exception of that class name, its message the code.
    if e.name() == "SystemExit" {
        let code = e.message();
        if code.is_empty() || code == "None" {
            return 0;
        }
        if let Ok(code) = code.parse::<i32>() {
            return code;
        }
        write_stderr(&format!("{code}\n"));
        return 1;
    }
    write_stderr(&format!("Process {name}:\n{e}\n"));
    1
}

impl Process {
    /// `Process(target=f)`, named `Process-N`.
    pub fn new<F, R>(target: F) -> Process
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
        Self::with_name(format!("Process-{n}"), target)
    }

    /// `Process(target=f, name=name)`.
    pub fn with_name<F, R>(name: impl Into<String>, target: F) -> Process
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<()> + 'static,
    {
        let name = name.into();
        let exitcode = Arc::new(AtomicI32::new(RUNNING));
        let (code, pname) = (exitcode.clone(), name.clone());
        let thread = Thread::builder().name(name.clone()).build(move || {
            CURRENT.with(|c| *c.borrow_mut() = Some(pname.clone()));
            let r: PyResult<()> = call(target);
            let exitcode = match &r {
                Ok(()) => 0,
                Err(e) => report_failure(&pname, e),
            };
            code.store(exitcode, Ordering::SeqCst);
        });
        Process {
            name,
            thread,
            started: Arc::new(AtomicBool::new(false)),
            exitcode,
        }
    }

    /// `name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `start()`: `AssertionError: cannot start a process twice`.
    pub fn start(&self) -> PyResult<()> {
        if self.started.swap(true, Ordering::SeqCst) {
            return Err(PyException::AssertionError(
                "cannot start a process twice".into(),
            ));
        }
        self.thread.start()
    }

    /// `join(timeout=None)`: `AssertionError: can only join a started
    /// process` before `start()`.
    pub fn join(&self, timeout: Option<f64>) -> PyResult<()> {
        if !self.started.load(Ordering::SeqCst) {
            return Err(PyException::AssertionError(
                "can only join a started process".into(),
            ));
        }
        self.thread.join(timeout)
    }

    /// `is_alive()`.
    pub fn is_alive(&self) -> bool {
        self.thread.is_alive()
    }

    /// `exitcode`: `None` while running, 0 on success, 1 if the target
    /// raised or panicked, a `SystemExit`'s code.
    pub fn exitcode(&self) -> Option<i32> {
        Some(self.exitcode.load(Ordering::SeqCst)).filter(|&c| c != RUNNING)
    }

    /// `pid`: the id of the thread standing in for the process.
    pub fn pid(&self) -> Option<u64> {
        self.thread.ident()
    }

    /// `ident`: the same as [`pid`](Self::pid), as in Python.
    pub fn ident(&self) -> Option<u64> {
        self.pid()
    }
}

/// What `multiprocessing.current_process()` tells about the caller.
///
/// ```
/// use executor_api::multiprocessing::{current_process, Process};
/// let p = Process::with_name("worker", || assert_eq!(current_process().name, "worker"));
/// p.start()?;
/// p.join(None)?;
/// assert_eq!(p.exitcode(), Some(0));
/// # Ok::<(), executor_api::PyException>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// `name`: `MainProcess` outside any [`Process`].
    pub name: String,
}

/// `multiprocessing.current_process()`.
///
/// ```
/// assert_eq!(executor_api::multiprocessing::current_process().name, "MainProcess");
/// ```
pub fn current_process() -> ProcessInfo {
    let name = CURRENT.with(|c| c.borrow().clone());
    ProcessInfo {
        name: name.unwrap_or_else(|| "MainProcess".into()),
    }
}
