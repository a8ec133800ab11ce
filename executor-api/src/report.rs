//! How the runtime reports an exception nobody can receive.
//!
//! CPython has three such paths, and so do we:
//!
//! - **`threading.excepthook`** for a thread whose target raised: see
//!   [`threading::set_excepthook`](crate::threading::set_excepthook).
//! - **`multiprocessing.Process`** writes `Process NAME:` and the traceback
//!   to stderr itself.
//! - **Loggers**: `concurrent.futures` logs a done-callback that raised
//!   (`exception calling callback for <Future ...>`, level error) and an
//!   initializer that raised (`Exception in initializer:`, level critical);
//!   `multiprocessing.Pool` reports a `callback=`/`error_callback=` that
//!   raised on the `multiprocessing` logger. One more record is ours alone:
//!   the warning (level warning, on `concurrent.futures`) of an executor's
//!   opt-in starvation rescue.
//!
//! The loggers go through the [`log`] crate, with the Python logger's name
//! as the record's target ([`FUTURES_LOGGER`], [`MULTIPROCESSING_LOGGER`])
//! and Python's `CRITICAL` mapped to [`log::Level::Error`] (the highest
//! `log` has). The record's message is what CPython's default `Formatter`
//! prints: the message, a newline, and the exception's last traceback line
//! (`ValueError: boom`); we have no traceback frames.
//!
//! Which way a record goes:
//!
//! - `log::max_level()` is `Off` (`log`'s default: no logger installed, or
//!   one installed without raising the level): the record goes to stderr as
//!   CPython's `logging.lastResort` prints it, the message and then the
//!   exception line.
//! - Otherwise the installed logger receives it and decides, as a Python
//!   handler would: to capture these, install a logger and set the maximum
//!   level to at least `Error`; to silence them, install one that drops
//!   records with these targets.
//!
//! No reporting path panics: stderr writes ignore their errors (a closed or
//! full stderr must not turn into a panic inside a finishing thread), and a
//! panicking logger or hook is caught.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use log::{Level, LevelFilter};

use crate::PyException;

/// The `log` target of the `concurrent.futures` logger.
pub const FUTURES_LOGGER: &str = "concurrent.futures";

/// The `log` target of the `multiprocessing` logger.
pub const MULTIPROCESSING_LOGGER: &str = "multiprocessing";

/// Writes `text` to stderr in one piece, ignoring every error.
pub(crate) fn write_stderr(text: &str) {
    let _ = catch_unwind(|| {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    });
}

/// Logs `message` with the exception `exc` on the Python logger `target`
/// (the module docs say where it goes).
pub(crate) fn log_exception(target: &'static str, level: Level, message: &str, exc: &PyException) {
    log_message(target, level, &format!("{message}\n{exc}"));
}

/// Logs `text` on the Python logger `target` (the module docs say where it
/// goes): e.g. the warning of a starvation rescue, which CPython has no
/// counterpart for (it deadlocks there).
pub(crate) fn log_message(target: &'static str, level: Level, text: &str) {
    if log::max_level() == LevelFilter::Off {
        write_stderr(&format!("{text}\n"));
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        log::log!(target: target, level, "{text}");
    }));
}
