//! Python's `multiprocessing`, on threads: there are no processes, so
//! nothing is pickled and workers share memory.
//!
//! `Queue` and `JoinableQueue` are a [`crate::queue::Queue`] (same methods,
//! same `Empty`/`Full`) with `close`; `Process` runs its target on a thread; `Manager`'s
//! proxies are shared objects behind a lock.
//!
//! `multiprocessing.Event`, `Lock`, `RLock`, `Semaphore`,
//! `BoundedSemaphore`, `Condition`, `Barrier`: on threads they are
//! `threading`'s (CPython's `multiprocessing.dummy` does the same).
//!
//! ```
//! use pyrt_executor::multiprocessing::{Event, Lock, Semaphore};
//! let e = Event::new();
//! e.set();
//! assert!(e.wait(Some(0.0)));
//! let l = Lock::new();
//! assert!(l.acquire(None, None)?);
//! assert!(!l.acquire(Some(false), None)?);
//! let s = Semaphore::new(Some(0))?;
//! assert!(!s.acquire(Some(false), None)?);
//! # Ok::<(), pyrt_executor::PyException>(())
//! ```

mod connection;
mod imap;
mod managers;
pub mod pool;
mod process;
mod queues;
mod sharedctypes;

pub use connection::{Connection, Pipe};
pub use managers::{DictProxy, ListProxy, Manager, Namespace};
pub use pool::{AsyncResult, Callback, ErrorCallback, IMap, IMapUnordered, Pool, PoolBuilder};
pub use process::{active_children, current_process, Process, ProcessInfo};
pub use queues::{JoinableQueue, Queue};
pub use sharedctypes::{Array, RawArray, RawValue, Value};

// `multiprocessing.Event`, `Lock`, ...: `threading`'s, as on threads.
pub use crate::threading::{Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore};

/// `multiprocessing.cpu_count()`: the machine's parallelism (on WASI, the
/// `PYRT_NUM_THREADS` environment variable, else 4).
///
/// ```
/// assert!(pyrt_executor::multiprocessing::cpu_count() >= 1);
/// ```
pub fn cpu_count() -> usize {
    scheduler::default_parallelism()
}
