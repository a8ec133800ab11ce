//! How a program ends: [`run_main`] runs the main body, then does what
//! CPython's interpreter shutdown does.
//!
//! CPython's order (`Py_FinalizeEx` after the `__main__` module ran):
//!
//! 1. the uncaught exception is reported: a `SystemExit` message, or the
//!    traceback of any other exception;
//! 2. `threading._shutdown()`: its atexit callbacks, i.e.
//!    `concurrent.futures`' `_python_exit` — no new futures
//!    (`RuntimeError: cannot schedule new futures after interpreter
//!    shutdown`), every executor that was never shut down runs its queued
//!    work and its workers are joined; then the main thread is marked
//!    stopped and every non-daemon `threading.Thread` is joined;
//! 3. the `atexit` handlers, last registered first; `multiprocessing`
//!    registers one when the first process starts, which joins the
//!    non-daemon processes still running;
//! 4. the process exits with the status.

mod executors;

pub(crate) use executors::{interpreter_shutdown, register_executor};

use std::io::Write;
use std::process::ExitCode;

use crate::exceptions::{call, PyException};
use crate::IntoPyResult;

/// Runs a translated program's main body on this thread (which becomes
/// `threading.main_thread()`), then ends it as CPython does: executors
/// that were never shut down finish their work, non-daemon threads are
/// joined, [`atexit`](crate::atexit) handlers run, and the exit status is
/// returned.
///
/// The status: 0 if `main` returns `Ok`; for `Err(SystemExit(code))`
/// ([`sys::exit`](crate::sys::exit)) the code's
/// [`exit_status`](crate::SystemExitCode::exit_status), a message being
/// printed to stderr; any other exception (or a panic) is printed to
/// stderr as the last line of CPython's traceback, e.g.
/// `ValueError: bad` (we have no traceback to print above it), and the
/// status is 1.
///
/// The translated `if __name__ == "__main__": main()` is:
///
/// ```no_run
/// use pyrt_executor::{run_main, sys, PyResult};
///
/// fn main_body() -> PyResult<()> {
///     println!("working");
///     return Err(sys::exit(3)); // sys.exit(3)
/// }
///
/// fn main() -> std::process::ExitCode {
///     run_main(main_body)
/// }
/// ```
///
/// Call it once, from `main`: without it a Rust program ends when `main`
/// returns, killing its threads and dropping queued executor work.
pub fn run_main<F, R>(main: F) -> ExitCode
where
    F: FnOnce() -> R,
    R: IntoPyResult<()>,
{
    crate::threading::claim_main_thread();
    let status = match call(main) {
        Ok(()) => 0,
        Err(PyException::SystemExit(code)) => {
            if let crate::SystemExitCode::Message(m) = &code {
                eprintln!("{m}");
            }
            code.exit_status()
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    };
    shutdown();
    let _ = std::io::stdout().flush();
    // The operating system keeps the low byte (`sys.exit(256)` is 0).
    ExitCode::from(status as u8)
}

/// Steps 2 and 3 of the module's list.
fn shutdown() {
    executors::shutdown_all();
    crate::threading::stop_main_and_join_threads();
    crate::atexit::run_exitfuncs();
}
