//! Python exception classes: CPython 3.11's tree of the builtin and standard
//! library exceptions the API raises, plus user-defined classes.

use std::sync::Arc;

/// A Python exception class: one of CPython's (a unit variant) or a class
/// defined by the program ([`PyClass::User`]).
///
/// Single inheritance, as for every exception class the API deals with: each
/// class but `BaseException` has exactly one base. `object` is left out of
/// bases and MRO.
///
/// ```
/// use pyrt_executor::PyClass;
/// assert!(PyClass::BrokenThreadPool.is_subclass_of(&PyClass::RuntimeError));
/// assert!(!PyClass::MpTimeoutError.is_subclass_of(&PyClass::OSError));
/// let my_err = PyClass::user("MyErr", PyClass::ValueError);
/// assert_eq!(my_err.base(), Some(PyClass::ValueError));
/// assert_eq!(my_err.name(), "MyErr");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PyClass {
    /// `BaseException`, the root.
    BaseException,
    /// `SystemExit` (BaseException).
    SystemExit,
    /// `KeyboardInterrupt` (BaseException).
    KeyboardInterrupt,
    /// `Exception` (BaseException).
    Exception,
    /// `ArithmeticError` (Exception).
    ArithmeticError,
    /// `OverflowError` (ArithmeticError).
    OverflowError,
    /// `ZeroDivisionError` (ArithmeticError).
    ZeroDivisionError,
    /// `AssertionError` (Exception).
    AssertionError,
    /// `AttributeError` (Exception).
    AttributeError,
    /// `EOFError` (Exception).
    EOFError,
    /// `LookupError` (Exception).
    LookupError,
    /// `IndexError` (LookupError).
    IndexError,
    /// `KeyError` (LookupError).
    KeyError,
    /// `OSError` (Exception).
    OSError,
    /// `ConnectionError` (OSError).
    ConnectionError,
    /// `BrokenPipeError` (ConnectionError).
    BrokenPipeError,
    /// `TimeoutError` (OSError); also `concurrent.futures.TimeoutError` and
    /// `asyncio.TimeoutError` since 3.11.
    TimeoutError,
    /// `FileNotFoundError` (OSError).
    FileNotFoundError,
    /// `FileExistsError` (OSError).
    FileExistsError,
    /// `PermissionError` (OSError).
    PermissionError,
    /// `IsADirectoryError` (OSError).
    IsADirectoryError,
    /// `NotADirectoryError` (OSError).
    NotADirectoryError,
    /// `InterruptedError` (OSError).
    InterruptedError,
    /// `BlockingIOError` (OSError).
    BlockingIOError,
    /// `ConnectionRefusedError` (ConnectionError).
    ConnectionRefusedError,
    /// `ConnectionResetError` (ConnectionError).
    ConnectionResetError,
    /// `ConnectionAbortedError` (ConnectionError).
    ConnectionAbortedError,
    /// `RuntimeError` (Exception).
    RuntimeError,
    /// `NotImplementedError` (RuntimeError).
    NotImplementedError,
    /// `RecursionError` (RuntimeError).
    RecursionError,
    /// `TypeError` (Exception).
    TypeError,
    /// `ValueError` (Exception).
    ValueError,
    /// `UnicodeError` (ValueError).
    UnicodeError,
    /// `UnicodeDecodeError` (UnicodeError).
    UnicodeDecodeError,
    /// `concurrent.futures.Error` (Exception), base of `CancelledError` and
    /// `InvalidStateError`; its name is `Error`.
    FuturesError,
    /// `concurrent.futures.CancelledError` (concurrent.futures.Error).
    CancelledError,
    /// `concurrent.futures.InvalidStateError` (concurrent.futures.Error).
    InvalidStateError,
    /// `concurrent.futures.BrokenExecutor` (RuntimeError).
    BrokenExecutor,
    /// `concurrent.futures.thread.BrokenThreadPool` (BrokenExecutor).
    BrokenThreadPool,
    /// `concurrent.futures.process.BrokenProcessPool` (BrokenExecutor).
    BrokenProcessPool,
    /// `threading.BrokenBarrierError` (RuntimeError).
    BrokenBarrierError,
    /// `queue.Empty` (Exception).
    Empty,
    /// `queue.Full` (Exception).
    Full,
    /// `multiprocessing.ProcessError` (Exception).
    ProcessError,
    /// `multiprocessing.TimeoutError` (ProcessError, not the builtin
    /// `TimeoutError`); its name is `TimeoutError`.
    MpTimeoutError,
    /// `multiprocessing.BufferTooShort` (ProcessError).
    BufferTooShort,
    /// `multiprocessing.AuthenticationError` (ProcessError).
    AuthenticationError,
    /// `PanicException`, a Rust panic carried as an exception. As in PyO3
    /// its base is `BaseException`, so `except Exception:` does not swallow
    /// a panic (a bug), while `except BaseException:` does.
    PanicException,
    /// A class the program defines, e.g. `class MyErr(ValueError)`.
    User(Arc<UserClass>),
}

/// A user-defined exception class: `class <name>(<base>)` in `<module>`.
///
/// Classes compare by value (name, module, base), i.e. by definition, not
/// by object identity as in Python.
///
/// ```
/// use pyrt_executor::exceptions::UserClass;
/// use pyrt_executor::PyClass;
/// let class = PyClass::user("MyErr", PyClass::ValueError); // class MyErr(ValueError)
/// let PyClass::User(user) = &class else { unreachable!() };
/// let user: &UserClass = user;
/// assert_eq!((user.name.as_str(), user.module.as_str()), ("MyErr", "__main__"));
/// assert_eq!(user.base, PyClass::ValueError);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserClass {
    /// The class name (`__qualname__`).
    pub name: String,
    /// The defining module (`__module__`), `"__main__"` for a script.
    pub module: String,
    /// The base class.
    pub base: PyClass,
}

impl PyClass {
    /// CPython's builtin and standard-library exception classes, every
    /// variant but [`PyClass::User`], bases before subclasses.
    pub const BUILTINS: &'static [PyClass] = &[
        PyClass::BaseException,
        PyClass::SystemExit,
        PyClass::KeyboardInterrupt,
        PyClass::Exception,
        PyClass::ArithmeticError,
        PyClass::OverflowError,
        PyClass::ZeroDivisionError,
        PyClass::AssertionError,
        PyClass::AttributeError,
        PyClass::EOFError,
        PyClass::LookupError,
        PyClass::IndexError,
        PyClass::KeyError,
        PyClass::OSError,
        PyClass::ConnectionError,
        PyClass::BrokenPipeError,
        PyClass::TimeoutError,
        PyClass::FileNotFoundError,
        PyClass::FileExistsError,
        PyClass::PermissionError,
        PyClass::IsADirectoryError,
        PyClass::NotADirectoryError,
        PyClass::InterruptedError,
        PyClass::BlockingIOError,
        PyClass::ConnectionRefusedError,
        PyClass::ConnectionResetError,
        PyClass::ConnectionAbortedError,
        PyClass::RuntimeError,
        PyClass::NotImplementedError,
        PyClass::RecursionError,
        PyClass::TypeError,
        PyClass::ValueError,
        PyClass::UnicodeError,
        PyClass::UnicodeDecodeError,
        PyClass::FuturesError,
        PyClass::CancelledError,
        PyClass::InvalidStateError,
        PyClass::BrokenExecutor,
        PyClass::BrokenThreadPool,
        PyClass::BrokenProcessPool,
        PyClass::BrokenBarrierError,
        PyClass::Empty,
        PyClass::Full,
        PyClass::ProcessError,
        PyClass::MpTimeoutError,
        PyClass::BufferTooShort,
        PyClass::AuthenticationError,
        PyClass::PanicException,
    ];

    /// A user class `class <name>(<base>)` defined in `__main__`.
    ///
    /// ```
    /// use pyrt_executor::{PyClass, PyException};
    /// let my_err = PyClass::user("MyErr", PyClass::ValueError);
    /// let e = PyException::with_class(my_err.clone(), "bad");
    /// assert!(e.is_instance_of(&my_err) && e.is_instance_of(&PyClass::ValueError));
    /// ```
    pub fn user(name: impl Into<String>, base: PyClass) -> PyClass {
        PyClass::user_in("__main__", name, base)
    }

    /// A user class `class <name>(<base>)` defined in module `module`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// let class = PyClass::user_in("app.errors", "Retry", PyClass::Exception);
    /// assert_eq!((class.module(), class.name()), ("app.errors", "Retry"));
    /// ```
    pub fn user_in(module: impl Into<String>, name: impl Into<String>, base: PyClass) -> PyClass {
        PyClass::User(Arc::new(UserClass {
            name: name.into(),
            module: module.into(),
            base,
        }))
    }

    /// The class name (`__qualname__`), e.g. `"BrokenThreadPool"`;
    /// `multiprocessing.TimeoutError` is `"TimeoutError"` too.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert_eq!(PyClass::BrokenThreadPool.name(), "BrokenThreadPool");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            PyClass::User(c) => &c.name,
            builtin => builtin.builtin_info().0,
        }
    }

    /// The defining module (`__module__`) as CPython 3.11 reports it, e.g.
    /// `"builtins"`, `"concurrent.futures.thread"`, `"_queue"` for
    /// `queue.Empty`; `"pyo3_runtime"` for `PanicException`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert_eq!(PyClass::ValueError.module(), "builtins");
    /// assert_eq!(PyClass::Empty.module(), "_queue");
    /// ```
    pub fn module(&self) -> &str {
        match self {
            PyClass::User(c) => &c.module,
            builtin => builtin.builtin_info().1,
        }
    }

    /// The base class (`__base__`); `None` for `BaseException`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert_eq!(PyClass::KeyError.base(), Some(PyClass::LookupError));
    /// assert_eq!(PyClass::BaseException.base(), None);
    /// ```
    pub fn base(&self) -> Option<PyClass> {
        match self {
            PyClass::User(c) => Some(c.base.clone()),
            builtin => builtin.builtin_info().2,
        }
    }

    /// The bases (`__bases__`, without `object`): empty or one class.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert_eq!(PyClass::TimeoutError.bases(), [PyClass::OSError]);
    /// ```
    pub fn bases(&self) -> Vec<PyClass> {
        self.base().into_iter().collect()
    }

    /// The method resolution order (`__mro__` without `object`): this
    /// class, its base, ..., `BaseException`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert_eq!(PyClass::ValueError.mro(), [PyClass::ValueError, PyClass::Exception, PyClass::BaseException]);
    /// ```
    pub fn mro(&self) -> Vec<PyClass> {
        std::iter::successors(Some(self.clone()), PyClass::base).collect()
    }

    /// `issubclass(self, other)`: `other` is this class or one of its
    /// ancestors.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert!(PyClass::BrokenPipeError.is_subclass_of(&PyClass::OSError));
    /// assert!(!PyClass::OSError.is_subclass_of(&PyClass::BrokenPipeError));
    /// ```
    pub fn is_subclass_of(&self, other: &PyClass) -> bool {
        std::iter::successors(Some(self.clone()), PyClass::base).any(|c| &c == other)
    }

    /// `issubclass(self, (a, b, ...))`.
    ///
    /// ```
    /// use pyrt_executor::PyClass;
    /// assert!(PyClass::ZeroDivisionError.is_subclass_of_any(&[PyClass::TypeError, PyClass::ArithmeticError]));
    /// ```
    pub fn is_subclass_of_any(&self, others: &[PyClass]) -> bool {
        others.iter().any(|o| self.is_subclass_of(o))
    }

    /// The name of a builtin class, `'static`; `""` for a user class.
    pub(super) fn builtin_name(&self) -> &'static str {
        match self {
            PyClass::User(_) => "",
            builtin => builtin.builtin_info().0,
        }
    }

    /// Name, module and base of a builtin class.
    fn builtin_info(&self) -> (&'static str, &'static str, Option<PyClass>) {
        use PyClass::*;
        const B: &str = "builtins";
        const CF: &str = "concurrent.futures._base";
        const MP: &str = "multiprocessing.context";
        match self {
            BaseException => ("BaseException", B, None),
            SystemExit => ("SystemExit", B, Some(BaseException)),
            KeyboardInterrupt => ("KeyboardInterrupt", B, Some(BaseException)),
            Exception => ("Exception", B, Some(BaseException)),
            ArithmeticError => ("ArithmeticError", B, Some(Exception)),
            OverflowError => ("OverflowError", B, Some(ArithmeticError)),
            ZeroDivisionError => ("ZeroDivisionError", B, Some(ArithmeticError)),
            AssertionError => ("AssertionError", B, Some(Exception)),
            AttributeError => ("AttributeError", B, Some(Exception)),
            EOFError => ("EOFError", B, Some(Exception)),
            LookupError => ("LookupError", B, Some(Exception)),
            IndexError => ("IndexError", B, Some(LookupError)),
            KeyError => ("KeyError", B, Some(LookupError)),
            OSError => ("OSError", B, Some(Exception)),
            ConnectionError => ("ConnectionError", B, Some(OSError)),
            BrokenPipeError => ("BrokenPipeError", B, Some(ConnectionError)),
            TimeoutError => ("TimeoutError", B, Some(OSError)),
            FileNotFoundError => ("FileNotFoundError", B, Some(OSError)),
            FileExistsError => ("FileExistsError", B, Some(OSError)),
            PermissionError => ("PermissionError", B, Some(OSError)),
            IsADirectoryError => ("IsADirectoryError", B, Some(OSError)),
            NotADirectoryError => ("NotADirectoryError", B, Some(OSError)),
            InterruptedError => ("InterruptedError", B, Some(OSError)),
            BlockingIOError => ("BlockingIOError", B, Some(OSError)),
            ConnectionRefusedError => ("ConnectionRefusedError", B, Some(ConnectionError)),
            ConnectionResetError => ("ConnectionResetError", B, Some(ConnectionError)),
            ConnectionAbortedError => ("ConnectionAbortedError", B, Some(ConnectionError)),
            RuntimeError => ("RuntimeError", B, Some(Exception)),
            NotImplementedError => ("NotImplementedError", B, Some(RuntimeError)),
            RecursionError => ("RecursionError", B, Some(RuntimeError)),
            TypeError => ("TypeError", B, Some(Exception)),
            ValueError => ("ValueError", B, Some(Exception)),
            UnicodeError => ("UnicodeError", B, Some(ValueError)),
            UnicodeDecodeError => ("UnicodeDecodeError", B, Some(UnicodeError)),
            FuturesError => ("Error", CF, Some(Exception)),
            CancelledError => ("CancelledError", CF, Some(FuturesError)),
            InvalidStateError => ("InvalidStateError", CF, Some(FuturesError)),
            BrokenExecutor => ("BrokenExecutor", CF, Some(RuntimeError)),
            BrokenThreadPool => (
                "BrokenThreadPool",
                "concurrent.futures.thread",
                Some(BrokenExecutor),
            ),
            BrokenProcessPool => (
                "BrokenProcessPool",
                "concurrent.futures.process",
                Some(BrokenExecutor),
            ),
            BrokenBarrierError => ("BrokenBarrierError", "threading", Some(RuntimeError)),
            Empty => ("Empty", "_queue", Some(Exception)),
            Full => ("Full", "queue", Some(Exception)),
            ProcessError => ("ProcessError", MP, Some(Exception)),
            MpTimeoutError => ("TimeoutError", MP, Some(ProcessError)),
            BufferTooShort => ("BufferTooShort", MP, Some(ProcessError)),
            AuthenticationError => ("AuthenticationError", MP, Some(ProcessError)),
            PanicException => ("PanicException", "pyo3_runtime", Some(BaseException)),
            User(_) => unreachable!("user classes carry their own name, module and base"),
        }
    }
}

impl std::fmt::Display for PyClass {
    /// Python's `repr` of the class: `<class 'concurrent.futures.thread.BrokenThreadPool'>`,
    /// `<class 'ValueError'>` for builtins.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.module() {
            "builtins" => write!(f, "<class '{}'>", self.name()),
            m => write!(f, "<class '{m}.{}'>", self.name()),
        }
    }
}
