//! `threading.excepthook`: what happens to an exception a thread's target
//! raised.
//!
//! The default ([`default_excepthook`], Python's `threading.__excepthook__`)
//! prints CPython's text to stderr, minus the traceback frames we do not
//! have:
//!
//! ```text
//! Exception in thread NAME:
//! ValueError: boom
//! ```
//!
//! `SystemExit` is silent. A hook that fails (returns `Err` or panics) is
//! reported as CPython does, `Exception in threading.excepthook:` and then
//! the hook's own exception.

use std::sync::{Arc, RwLock};

use super::ident::get_ident;
use super::thread::Thread;
use crate::exceptions::{call, PyException, PyResult};
use crate::report::write_stderr;
use crate::IntoPyResult;

/// The arguments of `threading.excepthook(args)`.
///
/// ```
/// use pyrt_executor::threading::ExceptHookArgs;
/// use pyrt_executor::PyException;
/// let args = ExceptHookArgs::new(PyException::ValueError("boom".into()), None);
/// assert_eq!(args.exc_type, "ValueError");
/// assert!(args.thread.is_none() && args.exc_traceback.is_none());
/// ```
#[derive(Debug, Clone)]
pub struct ExceptHookArgs {
    /// `exc_type`: the exception's class name (`args.exc_type.__name__`).
    pub exc_type: String,
    /// `exc_value`: the exception.
    pub exc_value: PyException,
    /// `exc_traceback`: always `None`, we have no Python frames.
    pub exc_traceback: Option<()>,
    /// `thread`: the thread that raised, or `None`.
    pub thread: Option<Thread>,
}

impl ExceptHookArgs {
    /// The arguments for `exc_value` raised in `thread`.
    ///
    /// ```
    /// use pyrt_executor::threading::{current_thread, ExceptHookArgs};
    /// use pyrt_executor::PyException;
    /// let args = ExceptHookArgs::new(PyException::KeyError("'k'".into()), Some(current_thread()));
    /// assert_eq!(args.exc_type, "KeyError");
    /// assert_eq!(args.thread.unwrap().name(), "MainThread");
    /// ```
    pub fn new(exc_value: PyException, thread: Option<Thread>) -> Self {
        ExceptHookArgs {
            exc_type: exc_value.name().to_string(),
            exc_value,
            exc_traceback: None,
            thread,
        }
    }
}

/// A `threading.excepthook` value: it may "raise" by returning `Err`.
pub type ExceptHook = Arc<dyn Fn(&ExceptHookArgs) -> PyResult<()> + Send + Sync>;

fn slot() -> &'static RwLock<Option<ExceptHook>> {
    static HOOK: RwLock<Option<ExceptHook>> = RwLock::new(None);
    &HOOK
}

/// `threading.excepthook = hook`; `set_excepthook(default_excepthook)`
/// restores the default (`threading.excepthook =
/// threading.__excepthook__`).
///
/// ```
/// use pyrt_executor::threading::{default_excepthook, set_excepthook, Thread};
/// use pyrt_executor::PyException;
/// set_excepthook(|args| println!("{} in {}", args.exc_value, args.thread.as_ref().unwrap().name()));
/// let t = Thread::builder().name("w").build(|| -> Result<(), PyException> {
///     Err(PyException::ValueError("boom".into()))
/// });
/// t.start()?;
/// t.join(None)?; // printed "ValueError: boom in w"
/// set_excepthook(default_excepthook);
/// # Ok::<(), PyException>(())
/// ```
pub fn set_excepthook<F, R>(hook: F)
where
    F: Fn(&ExceptHookArgs) -> R + Send + Sync + 'static,
    R: IntoPyResult<()>,
{
    let hook: ExceptHook = Arc::new(move |args| hook(args).into_py_result());
    *slot().write().unwrap_or_else(|p| p.into_inner()) = Some(hook);
}

/// `threading.excepthook`: the hook now in place (call it as
/// `excepthook()(&args)`).
///
/// ```
/// use pyrt_executor::threading::{excepthook, ExceptHookArgs};
/// use pyrt_executor::PyException;
/// let hook = excepthook(); // the default: prints to stderr
/// hook(&ExceptHookArgs::new(PyException::ValueError("shown".into()), None));
/// ```
pub fn excepthook() -> ExceptHook {
    let current = slot().read().unwrap_or_else(|p| p.into_inner()).clone();
    current.unwrap_or_else(|| {
        Arc::new(|args| {
            default_excepthook(args);
            Ok(())
        })
    })
}

/// `threading.__excepthook__`: prints `Exception in thread NAME:` and the
/// exception's last traceback line to stderr; `SystemExit` is ignored.
///
/// ```
/// use pyrt_executor::threading::{default_excepthook, ExceptHookArgs};
/// use pyrt_executor::PyException;
/// // Prints "Exception in thread ...:" and "ValueError: x" to stderr.
/// default_excepthook(&ExceptHookArgs::new(PyException::ValueError("x".into()), None));
/// ```
pub fn default_excepthook(args: &ExceptHookArgs) {
    if matches!(args.exc_value, PyException::SystemExit(_)) {
        return;
    }
    let name = match &args.thread {
        Some(t) => t.name(),
        None => get_ident().to_string(),
    };
    write_stderr(&format!(
        "Exception in thread {name}:\n{}\n",
        args.exc_value
    ));
}

/// Hands what `thread`'s target raised to the hook (CPython's
/// `_invoke_excepthook`); never panics.
pub(crate) fn invoke_excepthook(exc: PyException, thread: Option<Thread>) {
    let args = ExceptHookArgs::new(exc, thread);
    if let Err(e) = call::<_, ()>(|| excepthook()(&args)) {
        // CPython then calls `sys.excepthook`, which prints the hook's
        // exception.
        write_stderr(&format!("Exception in threading.excepthook:\n{e}\n"));
    }
}
