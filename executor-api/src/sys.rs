//! Python's `sys.exit`: the exception a translated `sys.exit(code)` returns;
//! and `sys.unraisablehook` ([`set_unraisablehook`]), where a panic nobody can
//! receive (a `Drop` that panics) is reported.
//!
//! `sys.exit(n)` is `return Err(sys::exit(n))` in a function returning
//! [`PyResult`](crate::PyResult); in the main body run by
//! [`run_main`](crate::run_main) it ends the program with that status, in a
//! [`Process`](crate::multiprocessing::Process) target it is the process's
//! `exitcode`, and in a [`Thread`](crate::threading::Thread) it ends the
//! thread silently.

use crate::exceptions::{PyException, SystemExitCode};

/// `sys.exit(code)`: returns the `SystemExit` to raise (`return Err(..)`).
/// `code` is an integer, a message, `None`, or a [`SystemExitCode`].
///
/// ```
/// use pyrt_executor::{sys, PyException, PyResult, SystemExitCode};
/// fn leave() -> PyResult<()> {
///     return Err(sys::exit(3));
/// }
/// assert_eq!(leave(), Err(PyException::SystemExit(SystemExitCode::Int(3))));
/// assert_eq!(sys::exit(3).to_string(), "SystemExit: 3");
/// assert_eq!(sys::exit("bye").to_string(), "SystemExit: bye");
/// assert_eq!(sys::exit(None).to_string(), "SystemExit");
/// assert_eq!(sys::exit(()).to_string(), "SystemExit"); // `sys.exit()`
/// ```
pub fn exit(code: impl Into<SystemExitCode>) -> PyException {
    PyException::SystemExit(code.into())
}

impl From<()> for SystemExitCode {
    fn from(_: ()) -> Self {
        SystemExitCode::None
    }
}

impl From<i64> for SystemExitCode {
    fn from(n: i64) -> Self {
        SystemExitCode::Int(n)
    }
}

impl From<i32> for SystemExitCode {
    fn from(n: i32) -> Self {
        SystemExitCode::Int(n.into())
    }
}

impl From<Option<i64>> for SystemExitCode {
    fn from(n: Option<i64>) -> Self {
        n.map_or(SystemExitCode::None, SystemExitCode::Int)
    }
}

impl From<&str> for SystemExitCode {
    fn from(m: &str) -> Self {
        SystemExitCode::Message(m.into())
    }
}

impl From<String> for SystemExitCode {
    fn from(m: String) -> Self {
        SystemExitCode::Message(m)
    }
}

pub use crate::unraisable::{
    default_unraisablehook, set_unraisablehook, unraisablehook, UnraisableHook, UnraisableHookArgs,
};
