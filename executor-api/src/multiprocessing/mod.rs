//! Python's `multiprocessing`, on threads: there are no processes, so
//! nothing is pickled and workers share memory.
//!
//! `Queue` and `JoinableQueue` are a [`crate::queue::Queue`] (same methods,
//! same `Empty`/`Full`) with `close`; `Process` runs its target on a thread; `Manager`'s
//! proxies are shared objects behind a lock.

mod connection;
mod managers;
mod pool;
mod process;
mod queues;
mod sharedctypes;

pub use connection::{Connection, Pipe};
pub use managers::{DictProxy, ListProxy, Manager, Namespace};
pub use pool::{AsyncResult, Callback, ErrorCallback, IMapUnordered, Pool, PoolBuilder};
pub use process::{active_children, current_process, Process, ProcessInfo};
pub use queues::{JoinableQueue, Queue};
pub use sharedctypes::{Array, Value};

/// `multiprocessing.cpu_count()`: the machine's parallelism (on WASI, the
/// `PYRT_NUM_THREADS` environment variable, else 4).
pub fn cpu_count() -> usize {
    scheduler::default_parallelism()
}
