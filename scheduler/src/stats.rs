//! Counters a pool keeps about its workers, read with `ThreadPool::stats`.

use crate::loom::{AtomicU64, Ordering};

/// Live counters of one worker (updated with relaxed atomics by the worker).
#[derive(Default)]
pub(crate) struct WorkerCounters {
    pub(crate) executed: AtomicU64,
    pub(crate) stolen: AtomicU64,
    pub(crate) steal_attempts: AtomicU64,
    pub(crate) parks: AtomicU64,
}

impl WorkerCounters {
    pub(crate) fn bump(counter: &AtomicU64, by: u64) {
        // Only the owning worker writes its counters: a load and a store are
        // enough and cheaper than a read-modify-write.
        counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
    }
}

/// A snapshot of one worker's counters.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// pool.block_on(pool.spawn_future(async {}));
/// let worker: pyrt_scheduler::WorkerStats = pool.stats().workers[0];
/// assert!(worker.executed >= 1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Tasks this worker ran.
    pub executed: u64,
    /// Tasks this worker took from other workers' deques.
    pub stolen: u64,
    /// Times it tried to steal from another worker (successful or not).
    pub steal_attempts: u64,
    /// Times it went to sleep.
    pub parks: u64,
    /// Tasks currently in its local deque.
    pub local_queue_len: usize,
}

/// A snapshot of a pool's counters.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
/// let _queued = pool.spawn_future(async {});
/// let stats = pool.stats();
/// assert_eq!(stats.injector_len, 1); // no worker has started yet
/// assert_eq!(stats.total_executed(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// One entry per worker, by index.
    pub workers: Vec<WorkerStats>,
    /// Tasks waiting in the injector (submitted from outside the pool).
    pub injector_len: usize,
}

impl PoolStats {
    /// Sum of `executed` over all workers.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// for _ in 0..3 {
    ///     pool.block_on(pool.spawn_future(async {}));
    /// }
    /// assert!(pool.stats().total_executed() >= 3);
    /// ```
    pub fn total_executed(&self) -> u64 {
        self.workers.iter().map(|w| w.executed).sum()
    }

    /// Sum of `stolen` over all workers.
    ///
    /// ```
    /// let stats = pyrt_scheduler::PoolStats::default();
    /// assert_eq!(stats.total_stolen(), 0);
    /// ```
    pub fn total_stolen(&self) -> u64 {
        self.workers.iter().map(|w| w.stolen).sum()
    }
}
