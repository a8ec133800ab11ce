//! The executors that exit must finish: weak references to every live
//! executor, and the flag that stops new submissions
//! (`concurrent.futures.thread._python_exit` and its `_shutdown` global).

use crate::loom::IgnorePoison;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// CPython's `concurrent.futures.thread._shutdown`: set at exit, after which
/// every `submit` raises
/// `RuntimeError: cannot schedule new futures after interpreter shutdown`.
static INTERPRETER_SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Whether the program is exiting (no new futures may be scheduled).
pub(crate) fn interpreter_shutdown() -> bool {
    INTERPRETER_SHUTDOWN.load(Ordering::Acquire)
}

/// An executor as exit sees it.
trait ExitJoin: Send {
    /// `shutdown(wait=True)`, if the executor still exists.
    fn shutdown_at_exit(&self);
    /// Whether the executor is gone (dropped).
    fn is_gone(&self) -> bool;
}

struct Registered<T> {
    executor: Weak<T>,
    shutdown: fn(&T),
}

impl<T: Send + Sync> ExitJoin for Registered<T> {
    fn shutdown_at_exit(&self) {
        if let Some(executor) = self.executor.upgrade() {
            (self.shutdown)(&executor);
        }
    }

    fn is_gone(&self) -> bool {
        self.executor.strong_count() == 0
    }
}

static EXECUTORS: Mutex<Vec<Box<dyn ExitJoin>>> = Mutex::new(Vec::new());

/// Remembers an executor (weakly: this does not keep it alive) so that exit
/// calls `shutdown(executor)`, which must finish its queued work and join
/// its workers.
pub(crate) fn register_executor<T: Send + Sync + 'static>(executor: &Arc<T>, shutdown: fn(&T)) {
    let mut all = EXECUTORS.lock().ignore_poison();
    // Forget the executors that are gone, so the list does not grow.
    all.retain(|e| !e.is_gone());
    all.push(Box::new(Registered {
        executor: Arc::downgrade(executor),
        shutdown,
    }));
}

/// `_python_exit()`: no new submissions from now on, then every executor
/// that was never shut down runs its queued work and its workers are
/// joined, in the order they were made.
pub(crate) fn shutdown_all() {
    INTERPRETER_SHUTDOWN.store(true, Ordering::Release);
    let all = std::mem::take(&mut *EXECUTORS.lock().ignore_poison());
    for executor in &all {
        executor.shutdown_at_exit();
    }
}
