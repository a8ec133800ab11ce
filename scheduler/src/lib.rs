//! A work-stealing scheduler whose tasks are `async-task` runnables.
//!
//! Each worker owns a `crossbeam_deque::Worker` it pops LIFO; other workers
//! steal from it FIFO through its `Stealer`; tasks submitted from outside the
//! pool go to a shared `Injector`. Closures and futures are both tasks, so
//! they run on the same workers. Idle workers spin briefly, then sleep
//! without losing wake-ups.
//!
//! | concept | items |
//! |---|---|
//! | the pool and its builder | [`ThreadPool`], [`ThreadPoolBuilder`], [`global`], [`BuildError`] |
//! | tasks (closures and futures) | [`ThreadPool::spawn`], [`ThreadPool::spawn_future`], [`Task`] |
//! | waiting like a Python thread (the one wait loop parks; a worker counts as blocked; on a pool without threads the waiter borrows its worker slot) | [`block_on`], [`block_on_until`], [`blocking`], [`deadline_after`], [`Instant`] |
//! | fork-join (waits help from the deques) | [`join`], [`scope`], [`for_each_range`], [`map_vec`], [`try_map_vec`], [`try_map_vec_all`] and their [`MapError`] |
//! | parallel iterators and sorts, rayon-shaped (`use pyrt_scheduler::prelude::*`) | [`iter`]: [`prelude`], [`iter::ParallelIterator`], [`iter::ParallelSliceMut`] |
//! | how threads are started, per platform | [`spawner`]: [`Spawner`], [`WorkerStart`], [`DefaultSpawner`], [`spawn_thread`] |
//! | counters | [`ThreadPool::stats`]: [`PoolStats`], [`WorkerStats`] |
//! | building a runtime on top (what `pyrt-executor` uses) | [`ext`]: `HeapJob`, `PoolHandle`, `Stuck`, `payload_message` |
//!
//! How it works inside (the sleep/wake protocol and why no wake-up is
//! lost, blocked workers, the life of a task) is in the repository's
//! [`docs/ARCHITECTURE.md`](https://github.com/pyrt-dev/pyrt/blob/main/docs/ARCHITECTURE.md)
//! and the module docs of its source files.
//!
//! ```
//! let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
//! let task = pool.spawn_future(async { 6 * 7 });
//! assert_eq!(pool.block_on(task), 42);
//! let sum: u64 = pool.install(|| {
//!     let (a, b) = pyrt_scheduler::join(|| (1..=50u64).sum::<u64>(), || (51..=100u64).sum::<u64>());
//!     a + b
//! });
//! assert_eq!(sum, 5050);
//! ```

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]
// The browser build is nightly-only anyway (`-Z build-std`); its spawner
// waits and notifies on the board with `memory.atomic.wait32`/`notify`
// (`spawner/web_worker.rs`), still unstable in `core::arch::wasm32`.
#![cfg_attr(pyrt_web, feature(stdarch_wasm_atomic_wait))]
#![deny(unsafe_op_in_unsafe_fn)]

mod blocking;
mod borrow;
mod exit_wait;
pub mod ext;
pub mod iter;
mod job;
mod join;
mod loom;
#[cfg(loom)]
#[doc(hidden)]
pub mod loom_seam;
mod map_error;
mod parallel;
mod pool;
mod registry;
mod scope;
mod sleep;
pub mod spawner;
mod stats;
mod task;
mod unwind;
mod wait_loop;
mod worker;

pub use iter::prelude;
pub use join::join;
pub use map_error::MapError;
pub use parallel::{for_each_range, map_vec, try_map_vec, try_map_vec_all};
pub use pool::{
    current_num_threads, current_worker_index, global, BuildError, ThreadPool, ThreadPoolBuilder,
};
pub use scope::{scope, Scope};
pub use spawner::{
    default_parallelism, default_stack_size, spawn_thread, spawn_thread_with_stack_size,
    thread_name, threads_supported, DefaultSpawner, Spawner, StdSpawner, WorkerStart,
};
pub use stats::{PoolStats, WorkerStats};
pub use task::{Runnable, Task};
pub use wait_loop::{block_on, block_on_until, blocking, deadline_after};
/// The clock of deadlines and timeouts: `std::time::Instant`, except in a
/// browser, where std has no clock and `web_time` reads `performance.now()`.
pub use web_time::Instant;
