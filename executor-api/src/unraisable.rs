//! `sys.unraisablehook`: where a panic in user code that nobody can receive
//! goes — a captured value whose `Drop` panics when a queued call is
//! cancelled (`cancel()`, `shutdown(cancel_futures=True)`), a result whose
//! `Drop` panics when the last handle of its future goes away on a worker.
//! CPython sends an exception raised by `__del__` the same way: it cannot
//! propagate, so `sys.unraisablehook` gets it and the program goes on.
//!
//! The default ([`default_unraisablehook`], Python's
//! `sys.__unraisablehook__`) prints CPython's text to stderr, minus the
//! traceback frames we do not have:
//!
//! ```text
//! Exception ignored in: <Future state=cancelled>
//! PanicException: boom
//! ```
//!
//! A hook that fails (returns `Err` or panics) is reported as CPython does:
//! `Exception ignored in sys.unraisablehook:` and then the hook's exception.

use std::sync::{Arc, RwLock};

use crate::exceptions::{call, PyException, PyResult};
use crate::loom::IgnorePoison;
use crate::report::write_stderr;
use crate::IntoPyResult;

/// The arguments of `sys.unraisablehook(unraisable)`.
///
/// ```
/// use pyrt_executor::sys::UnraisableHookArgs;
/// use pyrt_executor::PyException;
/// let a = UnraisableHookArgs::new(PyException::ValueError("x".into()), None, Some("<obj>".into()));
/// assert_eq!(a.exc_type, "ValueError");
/// ```
#[derive(Debug, Clone)]
pub struct UnraisableHookArgs {
    /// `exc_type`: the exception's class name (`exc_type.__name__`).
    pub exc_type: String,
    /// `exc_value`: the exception (a panic is `PanicException`).
    pub exc_value: PyException,
    /// `exc_traceback`: always `None`, we have no Python frames.
    pub exc_traceback: Option<()>,
    /// `err_msg`: `None` means CPython's `Exception ignored in`.
    pub err_msg: Option<String>,
    /// `object`: the repr of the object whose clean-up raised, if any.
    pub object: Option<String>,
}

impl UnraisableHookArgs {
    /// The arguments for `exc_value` raised while cleaning up `object`.
    ///
    /// ```
    /// use pyrt_executor::sys::UnraisableHookArgs;
    /// use pyrt_executor::PyException;
    /// let a = UnraisableHookArgs::new(PyException::RuntimeError("r".into()), Some("cleanup".into()), None);
    /// assert_eq!(a.err_msg.as_deref(), Some("cleanup"));
    /// ```
    pub fn new(exc_value: PyException, err_msg: Option<String>, object: Option<String>) -> Self {
        UnraisableHookArgs {
            exc_type: exc_value.name().to_string(),
            exc_value,
            exc_traceback: None,
            err_msg,
            object,
        }
    }
}

/// A `sys.unraisablehook` value: it may "raise" by returning `Err`.
pub type UnraisableHook = Arc<dyn Fn(&UnraisableHookArgs) -> PyResult<()> + Send + Sync>;

fn slot() -> &'static RwLock<Option<UnraisableHook>> {
    static HOOK: RwLock<Option<UnraisableHook>> = RwLock::new(None);
    &HOOK
}

/// `sys.unraisablehook = hook`; `set_unraisablehook(default_unraisablehook)`
/// restores the default (`sys.unraisablehook = sys.__unraisablehook__`).
///
/// ```
/// use pyrt_executor::sys::{default_unraisablehook, set_unraisablehook};
/// set_unraisablehook(|args| eprintln!("ignored: {}", args.exc_value));
/// set_unraisablehook(default_unraisablehook);
/// ```
pub fn set_unraisablehook<F, R>(hook: F)
where
    F: Fn(&UnraisableHookArgs) -> R + Send + Sync + 'static,
    R: IntoPyResult<()>,
{
    let hook: UnraisableHook = Arc::new(move |args| hook(args).into_py_result());
    *slot().write().ignore_poison() = Some(hook);
}

/// `sys.unraisablehook`: the hook now in place (call it as
/// `unraisablehook()(&args)`).
///
/// ```
/// use pyrt_executor::sys::{unraisablehook, UnraisableHookArgs};
/// use pyrt_executor::PyException;
/// let args = UnraisableHookArgs::new(PyException::ValueError("v".into()), None, None);
/// unraisablehook()(&args)?; // the default prints "Exception ignored in: None" and the line
/// # Ok::<(), PyException>(())
/// ```
pub fn unraisablehook() -> UnraisableHook {
    let current = slot().read().ignore_poison().clone();
    current.unwrap_or_else(|| {
        Arc::new(|args| {
            default_unraisablehook(args);
            Ok(())
        })
    })
}

/// `sys.__unraisablehook__`: prints `Exception ignored in: OBJECT` (or
/// `ERR_MSG: OBJECT`) and the exception's last traceback line to stderr.
///
/// ```
/// use pyrt_executor::sys::{default_unraisablehook, UnraisableHookArgs};
/// use pyrt_executor::PyException;
/// default_unraisablehook(&UnraisableHookArgs::new(PyException::ValueError("v".into()), None, Some("<x>".into())));
/// ```
pub fn default_unraisablehook(args: &UnraisableHookArgs) {
    let msg = args.err_msg.as_deref().unwrap_or("Exception ignored in");
    let head = match &args.object {
        Some(obj) => format!("{msg}: {obj}"),
        None if args.err_msg.is_some() => msg.to_string(),
        None => format!("{msg}: None"),
    };
    write_stderr(&format!("{head}\n{}\n", args.exc_value));
}

/// Hands `exc` to the hook (CPython's `PyErr_WriteUnraisable`); never panics.
pub(crate) fn write_unraisable(exc: PyException, object: Option<String>) {
    let args = UnraisableHookArgs::new(exc, None, object);
    if let Err(e) = call::<_, ()>(|| unraisablehook()(&args)) {
        write_stderr(&format!("Exception ignored in sys.unraisablehook:\n{e}\n"));
        default_unraisablehook(&args);
    }
}

/// Drops `value`; if its `Drop` panics, the panic goes to the hook as a
/// `PanicException` (with `object()` as the object) instead of unwinding
/// into the runtime. Returns whether the drop panicked.
pub(crate) fn drop_or_report<V>(value: V, object: impl FnOnce() -> String) -> bool {
    match call::<_, ()>(move || drop(value)) {
        Ok(()) => false,
        Err(e) => {
            write_unraisable(e, Some(object()));
            true
        }
    }
}
