//! Python's exceptions as one Rust error type, and their classes.
//!
//! [`PyException`] is a raised exception: a variant per Python class the API
//! raises, carrying the message; `Display` prints what Python's traceback
//! prints on its last line: `ValueError: max_workers must be greater than 0`,
//! or just `TimeoutError` when the message is empty. Matching on a variant
//! is `except ExactClass:`.
//!
//! [`PyClass`] is an exception class, in CPython 3.11's tree: every variant
//! knows its class ([`PyException::class`]), every class its base
//! ([`PyClass::base`]), up to `BaseException`. So a translated `except X:`
//! is one call, [`PyException::is_instance_of`] (`except (A, B):` is
//! [`PyException::is_instance_of_any`]), which catches subclasses as Python
//! does: `except RuntimeError:` catches `BrokenThreadPool`, `except
//! OSError:` catches `TimeoutError`, `except Exception:` does not catch
//! `SystemExit`, `KeyboardInterrupt` or a Rust panic (`PanicException`
//! derives from `BaseException`, as in PyO3).
//!
//! Classes a program defines (`class MyErr(ValueError)`, `class
//! Sub(MyErr)`) are [`PyClass::User`] values with a name, module and base;
//! an instance is [`PyException::Other`] (build it with
//! [`PyException::with_class`]), which is also how a builtin class without a
//! variant of its own (`raise LookupError("x")`) is raised.
//! [`PyException::with_class`] picks the dedicated variant when there is one,
//! so equal exceptions compare equal.
//!
//! Names that CPython reuses in several modules are distinct classes here
//! when they are distinct in CPython: `multiprocessing.TimeoutError` is
//! [`PyException::MpTimeoutError`] (a `ProcessError`, not an `OSError`),
//! while `concurrent.futures.TimeoutError` and `asyncio.TimeoutError` are
//! the builtin `TimeoutError` since 3.11.

mod class;
mod std_errors;
mod system_exit;

pub use class::{PyClass, UserClass};
pub use std_errors::io_error_class;
pub use system_exit::SystemExitCode;

use std::borrow::Cow;
use std::fmt;

/// `Result` with a Python exception as the error.
pub type PyResult<T> = Result<T, PyException>;

/// A raised Python exception: its class (the variant) and its message.
///
/// ```
/// use pyrt_executor::{PyClass, PyException};
/// let e = PyException::ValueError("max_workers must be greater than 0".into());
/// assert_eq!(e.to_string(), "ValueError: max_workers must be greater than 0");
/// assert_eq!(PyException::TimeoutError(String::new()).to_string(), "TimeoutError");
/// let broken = PyException::BrokenThreadPool("initializer failed".into());
/// assert!(broken.is_instance_of(&PyClass::RuntimeError)); // except RuntimeError:
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PyException {
    /// `ValueError`.
    ValueError(String),
    /// `TypeError`.
    TypeError(String),
    /// `RuntimeError`.
    RuntimeError(String),
    /// `NotImplementedError` (a `RuntimeError`).
    NotImplementedError(String),
    /// `RecursionError` (a `RuntimeError`).
    RecursionError(String),
    /// `TimeoutError`, an `OSError` (`concurrent.futures.TimeoutError` and
    /// `asyncio.TimeoutError` are this one since 3.11).
    TimeoutError(String),
    /// `concurrent.futures.CancelledError`.
    CancelledError(String),
    /// `concurrent.futures.InvalidStateError`.
    InvalidStateError(String),
    /// `concurrent.futures.BrokenExecutor` (a `RuntimeError`).
    BrokenExecutor(String),
    /// `concurrent.futures.thread.BrokenThreadPool` (a `BrokenExecutor`).
    BrokenThreadPool(String),
    /// `concurrent.futures.process.BrokenProcessPool` (a `BrokenExecutor`).
    BrokenProcessPool(String),
    /// `threading.BrokenBarrierError` (a `RuntimeError`).
    BrokenBarrierError(String),
    /// `queue.Empty` (also raised by `multiprocessing.Queue`).
    Empty(String),
    /// `queue.Full`.
    Full(String),
    /// `multiprocessing.ProcessError`.
    ProcessError(String),
    /// `multiprocessing.TimeoutError`: a `ProcessError`, not the builtin
    /// `TimeoutError`; its name is `TimeoutError` too.
    MpTimeoutError(String),
    /// `multiprocessing.BufferTooShort` (a `ProcessError`).
    BufferTooShort(String),
    /// `multiprocessing.AuthenticationError` (a `ProcessError`).
    AuthenticationError(String),
    /// `KeyError` (message is the key's repr).
    KeyError(String),
    /// `IndexError`.
    IndexError(String),
    /// `ZeroDivisionError`.
    ZeroDivisionError(String),
    /// `OverflowError`, e.g. CPython's `timeout value is too large`
    /// ([`PyException::timeout_too_large`]).
    OverflowError(String),
    /// `AssertionError`.
    AssertionError(String),
    /// `EOFError`.
    EOFError(String),
    /// `OSError`.
    OSError(String),
    /// `ConnectionError` (an `OSError`).
    ConnectionError(String),
    /// `BrokenPipeError` (a `ConnectionError`).
    BrokenPipeError(String),
    /// `AttributeError`.
    AttributeError(String),
    /// `KeyboardInterrupt` (a `BaseException`, not an `Exception`).
    KeyboardInterrupt(String),
    /// `SystemExit(code)` / `sys.exit(code)` (a `BaseException`, not an
    /// `Exception`). `Display` is `SystemExit: 3`, or `SystemExit` for
    /// [`SystemExitCode::None`].
    SystemExit(SystemExitCode),
    /// A Rust panic inside a task, carried as an exception (named after
    /// PyO3's `PanicException`, a `BaseException`); the message is the
    /// panic's.
    PanicException(String),
    /// An exception of any other class: a user-defined one, or a builtin
    /// without a variant of its own (`Exception`, `LookupError`, ...).
    /// Build it with [`PyException::with_class`] or [`PyException::new`].
    Other {
        /// The exception's class.
        class: PyClass,
        /// Its message (`str(e)`).
        message: String,
    },
}

impl PyException {
    /// The class (`type(e)`).
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// assert_eq!(PyException::KeyError("'k'".into()).class(), PyClass::KeyError);
    /// ```
    pub fn class(&self) -> PyClass {
        use PyException as E;
        match self {
            E::ValueError(_) => PyClass::ValueError,
            E::TypeError(_) => PyClass::TypeError,
            E::RuntimeError(_) => PyClass::RuntimeError,
            E::NotImplementedError(_) => PyClass::NotImplementedError,
            E::RecursionError(_) => PyClass::RecursionError,
            E::TimeoutError(_) => PyClass::TimeoutError,
            E::CancelledError(_) => PyClass::CancelledError,
            E::InvalidStateError(_) => PyClass::InvalidStateError,
            E::BrokenExecutor(_) => PyClass::BrokenExecutor,
            E::BrokenThreadPool(_) => PyClass::BrokenThreadPool,
            E::BrokenProcessPool(_) => PyClass::BrokenProcessPool,
            E::BrokenBarrierError(_) => PyClass::BrokenBarrierError,
            E::Empty(_) => PyClass::Empty,
            E::Full(_) => PyClass::Full,
            E::ProcessError(_) => PyClass::ProcessError,
            E::MpTimeoutError(_) => PyClass::MpTimeoutError,
            E::BufferTooShort(_) => PyClass::BufferTooShort,
            E::AuthenticationError(_) => PyClass::AuthenticationError,
            E::KeyError(_) => PyClass::KeyError,
            E::IndexError(_) => PyClass::IndexError,
            E::ZeroDivisionError(_) => PyClass::ZeroDivisionError,
            E::OverflowError(_) => PyClass::OverflowError,
            E::AssertionError(_) => PyClass::AssertionError,
            E::EOFError(_) => PyClass::EOFError,
            E::OSError(_) => PyClass::OSError,
            E::ConnectionError(_) => PyClass::ConnectionError,
            E::BrokenPipeError(_) => PyClass::BrokenPipeError,
            E::AttributeError(_) => PyClass::AttributeError,
            E::KeyboardInterrupt(_) => PyClass::KeyboardInterrupt,
            E::SystemExit(_) => PyClass::SystemExit,
            E::PanicException(_) => PyClass::PanicException,
            E::Other { class, .. } => class.clone(),
        }
    }

    /// `raise class(message)`: the dedicated variant when `class` has one
    /// (so `with_class(PyClass::ValueError, "x") == ValueError("x")`), else
    /// [`PyException::Other`]. For `SystemExit` an empty message is
    /// [`SystemExitCode::None`], any other a [`SystemExitCode::Message`].
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let my_err = PyClass::user("MyErr", PyClass::ValueError);
    /// let e = PyException::with_class(my_err, "bad");
    /// assert!(e.is_instance_of(&PyClass::ValueError));
    /// assert_eq!(e.to_string(), "MyErr: bad");
    /// ```
    pub fn with_class(class: PyClass, message: impl Into<String>) -> Self {
        let m = message.into();
        use PyException as E;
        match class {
            PyClass::ValueError => E::ValueError(m),
            PyClass::TypeError => E::TypeError(m),
            PyClass::RuntimeError => E::RuntimeError(m),
            PyClass::NotImplementedError => E::NotImplementedError(m),
            PyClass::RecursionError => E::RecursionError(m),
            PyClass::TimeoutError => E::TimeoutError(m),
            PyClass::CancelledError => E::CancelledError(m),
            PyClass::InvalidStateError => E::InvalidStateError(m),
            PyClass::BrokenExecutor => E::BrokenExecutor(m),
            PyClass::BrokenThreadPool => E::BrokenThreadPool(m),
            PyClass::BrokenProcessPool => E::BrokenProcessPool(m),
            PyClass::BrokenBarrierError => E::BrokenBarrierError(m),
            PyClass::Empty => E::Empty(m),
            PyClass::Full => E::Full(m),
            PyClass::ProcessError => E::ProcessError(m),
            PyClass::MpTimeoutError => E::MpTimeoutError(m),
            PyClass::BufferTooShort => E::BufferTooShort(m),
            PyClass::AuthenticationError => E::AuthenticationError(m),
            PyClass::KeyError => E::KeyError(m),
            PyClass::IndexError => E::IndexError(m),
            PyClass::ZeroDivisionError => E::ZeroDivisionError(m),
            PyClass::OverflowError => E::OverflowError(m),
            PyClass::AssertionError => E::AssertionError(m),
            PyClass::EOFError => E::EOFError(m),
            PyClass::OSError => E::OSError(m),
            PyClass::ConnectionError => E::ConnectionError(m),
            PyClass::BrokenPipeError => E::BrokenPipeError(m),
            PyClass::AttributeError => E::AttributeError(m),
            PyClass::KeyboardInterrupt => E::KeyboardInterrupt(m),
            PyClass::SystemExit if m.is_empty() => E::SystemExit(SystemExitCode::None),
            PyClass::SystemExit => E::SystemExit(SystemExitCode::Message(m)),
            PyClass::PanicException => E::PanicException(m),
            class => E::Other { class, message: m },
        }
    }

    /// An exception of a user-defined class `class <name>(Exception)`
    /// defined in `__main__`; for subclasses of other classes use
    /// [`PyClass::user`] and [`PyException::with_class`].
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let e = PyException::new("MyError", "went wrong");
    /// assert_eq!(e.to_string(), "MyError: went wrong");
    /// assert!(e.is_instance_of(&PyClass::Exception));
    /// ```
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        PyException::with_class(PyClass::user(name, PyClass::Exception), message)
    }

    /// `isinstance(e, class)`, i.e. whether `except class:` catches it.
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let e = PyException::BrokenThreadPool("broken".into());
    /// assert!(e.is_instance_of(&PyClass::RuntimeError)); // BrokenExecutor is a RuntimeError
    /// assert!(!e.is_instance_of(&PyClass::ValueError));
    /// ```
    pub fn is_instance_of(&self, class: &PyClass) -> bool {
        self.class().is_subclass_of(class)
    }

    /// `isinstance(e, (a, b, ...))`, i.e. whether `except (a, b, ...):`
    /// catches it.
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let e = PyException::Empty(String::new());
    /// assert!(e.is_instance_of_any(&[PyClass::Full, PyClass::Empty])); // except (Full, Empty):
    /// ```
    pub fn is_instance_of_any(&self, classes: &[PyClass]) -> bool {
        self.class().is_subclass_of_any(classes)
    }

    /// The Python class name (`type(e).__name__`), e.g. `"ValueError"`.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// assert_eq!(PyException::ValueError("x".into()).name(), "ValueError");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            PyException::Other { class, .. } => class.name(),
            e => e.class().builtin_name(),
        }
    }

    /// The message (`str(e)` in Python), possibly empty; for `SystemExit`
    /// the code (`"3"`, `"bye"`, or `""` for `None`).
    ///
    /// ```
    /// use pyrt_executor::{PyException, SystemExitCode};
    /// assert_eq!(PyException::ValueError("bad value".into()).message(), "bad value");
    /// assert_eq!(PyException::SystemExit(SystemExitCode::Int(3)).message(), "3");
    /// ```
    pub fn message(&self) -> Cow<'_, str> {
        use PyException as E;
        match self {
            E::ValueError(m)
            | E::TypeError(m)
            | E::RuntimeError(m)
            | E::NotImplementedError(m)
            | E::RecursionError(m)
            | E::TimeoutError(m)
            | E::CancelledError(m)
            | E::InvalidStateError(m)
            | E::BrokenExecutor(m)
            | E::BrokenThreadPool(m)
            | E::BrokenProcessPool(m)
            | E::BrokenBarrierError(m)
            | E::Empty(m)
            | E::Full(m)
            | E::ProcessError(m)
            | E::MpTimeoutError(m)
            | E::BufferTooShort(m)
            | E::AuthenticationError(m)
            | E::KeyError(m)
            | E::IndexError(m)
            | E::ZeroDivisionError(m)
            | E::OverflowError(m)
            | E::AssertionError(m)
            | E::EOFError(m)
            | E::OSError(m)
            | E::ConnectionError(m)
            | E::BrokenPipeError(m)
            | E::AttributeError(m)
            | E::KeyboardInterrupt(m)
            | E::PanicException(m)
            | E::Other { message: m, .. } => Cow::Borrowed(m),
            E::SystemExit(SystemExitCode::None) => Cow::Borrowed(""),
            E::SystemExit(SystemExitCode::Int(n)) => Cow::Owned(n.to_string()),
            E::SystemExit(SystemExitCode::Message(m)) => Cow::Borrowed(m),
        }
    }

    /// The exception a panic payload becomes.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// let e = PyException::from_panic(payload.as_ref());
    /// assert_eq!(e, PyException::PanicException("boom".into()));
    /// ```
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        if let Some(e) = payload.downcast_ref::<PyException>() {
            return e.clone();
        }
        PyException::PanicException(scheduler::ext::payload_message(payload))
    }

    /// `OverflowError: timeout value is too large`, CPython's error for a
    /// lock timeout beyond what it can wait for.
    ///
    /// ```
    /// use pyrt_executor::PyException;
    /// assert_eq!(PyException::timeout_too_large().to_string(), "OverflowError: timeout value is too large");
    /// ```
    pub fn timeout_too_large() -> Self {
        PyException::OverflowError("timeout value is too large".into())
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
/// use pyrt_executor::{IntoPyResult, PyException, PyResult};
/// assert_eq!(5u8.into_py_result(), Ok(5u8));
/// let raised: PyResult<u8> = Err(PyException::ValueError("bad".into()));
/// assert_eq!(IntoPyResult::<u8>::into_py_result(raised.clone()), raised);
/// ```
pub trait IntoPyResult<T> {
    /// Converts into a `PyResult`.
    ///
    /// ```
    /// use pyrt_executor::{IntoPyResult, PyException, PyResult};
    /// assert_eq!(IntoPyResult::<i32>::into_py_result(5), Ok(5));
    /// let raised: PyResult<i32> = Err(PyException::ValueError("v".into()));
    /// assert_eq!(raised.clone().into_py_result(), raised);
    /// ```
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
///
/// Inlined, with the panic path out of line: `Pool.map` calls this once
/// per item, and as a call of its own (with the closure's as another) it
/// took a third of the time of a map over tiny items.
#[inline(always)]
pub(crate) fn call<R, T>(f: impl FnOnce() -> R) -> PyResult<T>
where
    R: IntoPyResult<T>,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r.into_py_result(),
        Err(payload) => Err(panicked(payload)),
    }
}

/// The exception a caught panic becomes (the cold half of [`call`]).
#[cold]
#[inline(never)]
fn panicked(payload: Box<dyn std::any::Any + Send>) -> PyException {
    PyException::from_panic(payload.as_ref())
}

/// A Rust-side `Duration` timeout as the seconds the Python-facing methods
/// take, at most `threading.TIMEOUT_MAX` (so it never overflows).
pub(crate) fn duration_secs(timeout: std::time::Duration) -> f64 {
    timeout.as_secs_f64().min(crate::threading::TIMEOUT_MAX)
}

/// Checks a Python timeout argument: negative values are a `ValueError`.
pub(crate) fn check_timeout_secs(timeout: Option<f64>) -> PyResult<Option<std::time::Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t < 0.0 || t.is_nan() => Err(PyException::negative_timeout()),
        Some(t) => Ok(Some(std::time::Duration::from_secs_f64(t.min(1e9)))),
    }
}
