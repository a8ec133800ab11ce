//! Python's `threading` module: real threads and the synchronization
//! primitives, whose blocking calls block like a Python thread's.
//!
//! Every primitive is a cheap handle (`Clone` gives the same object, as
//! Python shares references). Waits go through the crate's `waiting` module:
//! on one of our pool's workers a blocked `acquire`/`wait`/`join` holds the
//! worker and runs nothing else (the pool counts it as blocked), elsewhere
//! it parks the thread.
//!
//! Timeouts follow CPython: `Lock.acquire(timeout=-2)` is `ValueError:
//! timeout value must be positive`, a negative `Event.wait` timeout just does
//! not wait, and a timeout past [`TIMEOUT_MAX`] is an `OverflowError`.
//! `None` stands for Python's defaults (`-1` or `None`).

mod barrier;
mod condition;
mod event;
mod excepthook;
pub(crate) mod ident;
mod local;
mod lock;
mod permits;
mod rlock;
mod semaphore;
mod thread;
mod timer;

pub use barrier::{Action, Barrier};
pub use condition::{Condition, ConditionGuard, ConditionLock, Truthy};
pub use event::Event;
pub use excepthook::{default_excepthook, excepthook, set_excepthook, ExceptHook, ExceptHookArgs};
pub use ident::{get_ident, get_native_id};
pub use local::Local;
pub use lock::{Lock, LockGuard};
pub use rlock::{RLock, RLockGuard};
pub use semaphore::{BoundedSemaphore, Semaphore, SemaphoreGuard};
pub use thread::{
    active_count, current_thread, enumerate, main_thread, stack_size, Thread, ThreadBuilder,
};
pub(crate) use thread::{claim_main_thread, stop_main_and_join_threads};
pub use timer::Timer;

/// `threading.TIMEOUT_MAX`: the largest timeout CPython's locks accept on
/// Linux (`PY_TIMEOUT_MAX` microseconds, in seconds). A larger one raises
/// `OverflowError` from `Lock.acquire`, `RLock.acquire`, `Condition.wait`,
/// and from `Semaphore.acquire` and `Queue.get`/`put` when they have to wait.
pub const TIMEOUT_MAX: f64 = 9_223_372_036.0;
