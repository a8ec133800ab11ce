//! Python's exceptions as one Rust error type.
//!
//! Each variant is named after the Python exception and carries its message;
//! `Display` prints what Python's traceback prints on its last line:
//! `ValueError: max_workers must be greater than 0`, or just `TimeoutError`
//! when the message is empty.

use std::fmt;

/// `Result` with a Python exception as the error.
pub type PyResult<T> = Result<T, PyException>;

/// A Python exception: its type (the variant) and its message.
///
/// ```
/// use executor_api::PyException;
/// let e = PyException::ValueError("max_workers must be greater than 0".into());
/// assert_eq!(e.to_string(), "ValueError: max_workers must be greater than 0");
/// assert_eq!(PyException::TimeoutError(String::new()).to_string(), "TimeoutError");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PyException {
    /// `ValueError`.
    ValueError(String),
    /// `TypeError`.
    TypeError(String),
    /// `RuntimeError`.
    RuntimeError(String),
    /// `TimeoutError` (`concurrent.futures.TimeoutError` is this one since 3.11).
    TimeoutError(String),
    /// `concurrent.futures.CancelledError`.
    CancelledError(String),
    /// `concurrent.futures.InvalidStateError`.
    InvalidStateError(String),
    /// `concurrent.futures.thread.BrokenThreadPool`.
    BrokenThreadPool(String),
    /// `concurrent.futures.process.BrokenProcessPool`.
    BrokenProcessPool(String),
    /// `threading.BrokenBarrierError`.
    BrokenBarrierError(String),
    /// `queue.Empty` (also raised by `multiprocessing.Queue`).
    Empty(String),
    /// `queue.Full`.
    Full(String),
    /// `KeyError` (message is the key's repr).
    KeyError(String),
    /// `IndexError`.
    IndexError(String),
    /// `ZeroDivisionError`.
    ZeroDivisionError(String),
    /// `AssertionError`.
    AssertionError(String),
    /// `EOFError`.
    EOFError(String),
    /// `OSError`.
    OSError(String),
    /// `AttributeError`.
    AttributeError(String),
    /// `SystemExit`: what `sys.exit(code)` raises.
    SystemExit(SystemExitCode),
    /// A Rust panic inside a task, carried as an exception (named after
    /// PyO3's `PanicException`); the message is the panic's.
    PanicException(String),
    /// Any other exception, e.g. a user-defined class: its name and message.
    Exception {
        /// The exception's class name.
        name: String,
        /// Its message (`str(e)`).
        message: String,
    },
}

/// The argument of `SystemExit` / `sys.exit(code)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SystemExitCode {
    /// `sys.exit()` or `sys.exit(None)`: status 0.
    None,
    /// `sys.exit(n)`: status `n`.
    Int(i64),
    /// `sys.exit("message")`: the message goes to stderr, status 1.
    Message(String),
}

impl SystemExitCode {
    /// The process exit status CPython gives this code: `None` is 0, an
    /// integer is itself (the operating system keeps its low byte), a
    /// message is 1.
    ///
    /// ```
    /// use executor_api::SystemExitCode;
    /// assert_eq!(SystemExitCode::None.exit_status(), 0);
    /// assert_eq!(SystemExitCode::Int(3).exit_status(), 3);
    /// assert_eq!(SystemExitCode::Message("bye".into()).exit_status(), 1);
    /// ```
    pub fn exit_status(&self) -> i32 {
        match self {
            SystemExitCode::None => 0,
            SystemExitCode::Int(n) => *n as i32,
            SystemExitCode::Message(_) => 1,
        }
    }

    /// `str(e)` of the `SystemExit`: empty for `None`.
    fn message(&self) -> &str {
        match self {
            SystemExitCode::None => "",
            SystemExitCode::Int(n) => crate::sys::int_text(*n),
            SystemExitCode::Message(m) => m,
        }
    }
}

impl PyException {
    /// The Python class name, e.g. `"ValueError"`.
    pub fn name(&self) -> &str {
        use PyException::*;
        match self {
            ValueError(_) => "ValueError",
            TypeError(_) => "TypeError",
            RuntimeError(_) => "RuntimeError",
            TimeoutError(_) => "TimeoutError",
            CancelledError(_) => "CancelledError",
            InvalidStateError(_) => "InvalidStateError",
            BrokenThreadPool(_) => "BrokenThreadPool",
            BrokenProcessPool(_) => "BrokenProcessPool",
            BrokenBarrierError(_) => "BrokenBarrierError",
            Empty(_) => "Empty",
            Full(_) => "Full",
            KeyError(_) => "KeyError",
            IndexError(_) => "IndexError",
            ZeroDivisionError(_) => "ZeroDivisionError",
            AssertionError(_) => "AssertionError",
            EOFError(_) => "EOFError",
            OSError(_) => "OSError",
            AttributeError(_) => "AttributeError",
            PanicException(_) => "PanicException",
            SystemExit(_) => "SystemExit",
            Exception { name, .. } => name,
        }
    }

    /// The message (`str(e)` in Python), possibly empty.
    pub fn message(&self) -> &str {
        use PyException::*;
        match self {
            ValueError(m)
            | TypeError(m)
            | RuntimeError(m)
            | TimeoutError(m)
            | CancelledError(m)
            | InvalidStateError(m)
            | BrokenThreadPool(m)
            | BrokenProcessPool(m)
            | BrokenBarrierError(m)
            | Empty(m)
            | Full(m)
            | KeyError(m)
            | IndexError(m)
            | ZeroDivisionError(m)
            | AssertionError(m)
            | EOFError(m)
            | OSError(m)
            | AttributeError(m)
            | PanicException(m) => m,
            Exception { message, .. } => message,
            SystemExit(code) => code.message(),
        }
    }

    /// A user-defined (or any other) exception class.
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        PyException::Exception {
            name: name.into(),
            message: message.into(),
        }
    }

    /// The exception a panic payload becomes.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        if let Some(e) = payload.downcast_ref::<PyException>() {
            return e.clone();
        }
        PyException::PanicException(scheduler::payload_message(payload))
    }

    pub(crate) fn timeout() -> Self {
        PyException::TimeoutError(String::new())
    }

    pub(crate) fn cancelled() -> Self {
        PyException::CancelledError(String::new())
    }

    pub(crate) fn negative_timeout() -> Self {
        PyException::ValueError("'timeout' must be a non-negative number".into())
    }
}

impl fmt::Display for PyException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message().is_empty() {
            f.write_str(self.name())
        } else {
            write!(f, "{}: {}", self.name(), self.message())
        }
    }
}

impl std::error::Error for PyException {}

/// What a task's closure may return: a plain value, or a `PyResult` whose
/// `Err` is the exception the task "raised" (re-raised by `result()`).
///
/// ```
/// use executor_api::{IntoPyResult, PyException, PyResult};
/// assert_eq!(5u8.into_py_result(), Ok(5u8));
/// let raised: PyResult<u8> = Err(PyException::ValueError("bad".into()));
/// assert_eq!(IntoPyResult::<u8>::into_py_result(raised.clone()), raised);
/// ```
pub trait IntoPyResult<T> {
    /// Converts into a `PyResult`.
    fn into_py_result(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for T {
    fn into_py_result(self) -> PyResult<T> {
        Ok(self)
    }
}

impl<T> IntoPyResult<T> for PyResult<T> {
    fn into_py_result(self) -> PyResult<T> {
        self
    }
}

/// Runs `f`, turning a panic into [`PyException::PanicException`] and an
/// `Err` return into that exception.
pub(crate) fn call<R, T>(f: impl FnOnce() -> R) -> PyResult<T>
where
    R: IntoPyResult<T>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r.into_py_result(),
        Err(payload) => Err(PyException::from_panic(payload.as_ref())),
    }
}

/// Checks a Python timeout argument: negative values are a `ValueError`.
pub(crate) fn check_timeout_secs(timeout: Option<f64>) -> PyResult<Option<std::time::Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t < 0.0 || t.is_nan() => Err(PyException::negative_timeout()),
        Some(t) => Ok(Some(std::time::Duration::from_secs_f64(t.min(1e9)))),
    }
}
