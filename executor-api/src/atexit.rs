//! Python's `atexit`: functions [`run_main`](crate::run_main) calls when
//! the program ends, last registered first.
//!
//! A handler that raises (returns `Err`, or panics) is reported on stderr
//! as CPython does, `Exception ignored in atexit callback: <function>`
//! then the exception's last traceback line (we have no traceback and no
//! function repr; see `docs/python-mapping.md`), and the others still run.

use crate::loom::IgnorePoison;
use std::sync::Mutex;

use crate::exceptions::{call, PyResult};
use crate::IntoPyResult;

type Handler = Box<dyn FnOnce() -> PyResult<()> + Send>;

static HANDLERS: Mutex<Vec<Handler>> = Mutex::new(Vec::new());

/// `atexit.register(func, *args)`: `func` runs at exit (the arguments are
/// captured by the closure).
///
/// ```
/// pyrt_executor::atexit::register(|| println!("bye"));
/// ```
pub fn register<F, R>(func: F)
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<()> + 'static,
{
    HANDLERS
        .lock()
        .ignore_poison()
        .push(Box::new(move || call(func)));
}

/// What the interpreter does at exit: runs every handler, last registered
/// first, then forgets them all (as CPython, one registered while they run
/// is not run).
pub(crate) fn run_exitfuncs() {
    let handlers = std::mem::take(&mut *HANDLERS.lock().ignore_poison());
    for handler in handlers.into_iter().rev() {
        if let Err(e) = handler() {
            eprintln!("Exception ignored in atexit callback: <function>\n{e}");
        }
    }
    HANDLERS.lock().ignore_poison().clear();
}
