//! Python's `multiprocessing`, on threads: there are no processes, so
//! nothing is pickled and workers share memory.

mod pool;

pub use pool::{AsyncResult, Callback, ErrorCallback, IMapUnordered, Pool, PoolBuilder};

/// `multiprocessing.cpu_count()`: the machine's parallelism (on WASI, the
/// `PYRT_NUM_THREADS` environment variable, else 4).
pub fn cpu_count() -> usize {
    scheduler::default_parallelism()
}
