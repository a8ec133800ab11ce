//! The public face of a pool: [`ThreadPool`] and its [`ThreadPoolBuilder`].

use std::fmt;
use std::future::Future;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use crate::blocking::{Stuck, StuckWatch};
use crate::job::HeapJob;
use crate::registry::{Registry, RescueHandler, StartHandler, Starter};
use crate::spawner::{default_parallelism, threads_supported, DefaultSpawner, Spawner};
use crate::stats::PoolStats;
use crate::task::{self, Task};
use crate::wait;
use crate::worker::WorkerThread;
use crate::Instant;

/// A pool could not start any of its workers.
#[derive(Debug)]
pub struct BuildError {
    /// The spawner's error.
    pub source: io::Error,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "can't start new thread: {}", self.source)
    }
}

impl std::error::Error for BuildError {}

/// Configures and builds a [`ThreadPool`].
///
/// ```
/// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
///     .num_threads(2)
///     .thread_name_prefix("calc-")
///     .build()
///     .unwrap();
/// assert_eq!(pool.install(|| 20 + 22), 42);
/// ```
#[derive(Default)]
pub struct ThreadPoolBuilder {
    num_threads: Option<usize>,
    thread_name_prefix: Option<String>,
    stack_size: Option<usize>,
    spawner: Option<Arc<dyn Spawner>>,
    start_handler: Option<StartHandler>,
    lazy: bool,
    rescue: Option<(std::time::Duration, RescueHandler)>,
}

impl ThreadPoolBuilder {
    /// A builder with the defaults: one worker per CPU, the platform's
    /// [`DefaultSpawner`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of workers. `0` means no worker threads: tasks run on the
    /// threads that wait for them (the mode used where there are no threads).
    pub fn num_threads(mut self, n: usize) -> Self {
        self.num_threads = Some(n);
        self
    }

    /// Worker threads are named `{prefix}{index}` (default `"worker-"`).
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Stack size of each worker thread, in bytes.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// How worker threads are started (default [`DefaultSpawner`]).
    pub fn spawner(mut self, spawner: impl Spawner) -> Self {
        self.spawner = Some(Arc::new(spawner));
        self
    }

    /// Runs `handler(index)` on each worker before its first task.
    pub fn start_handler(mut self, handler: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.start_handler = Some(Arc::new(handler));
        self
    }

    /// Starts no worker at build time: each [`ThreadPool::start_worker`]
    /// (or [`PoolHandle::start_worker`]) starts the next one, up to
    /// `num_threads`, the way CPython's `ThreadPoolExecutor` starts a
    /// thread per `submit` while none is idle.
    pub fn lazy_start(mut self) -> Self {
        self.lazy = true;
        self
    }

    /// Beyond CPython, opt-in: when every worker has been blocked (parked
    /// in a [`block_on_until`](crate::block_on_until)-style wait) for
    /// `after` with tasks still queued, start one spare worker (at most one
    /// per `after`) and call `on_rescue` with its slot. Without it (the
    /// default) such a pool stays blocked, as CPython's would. See
    /// `blocking.rs`.
    pub fn starvation_rescue(
        mut self,
        after: std::time::Duration,
        on_rescue: impl Fn(usize) + Send + Sync + 'static,
    ) -> Self {
        self.rescue = Some((after, Arc::new(on_rescue)));
        self
    }

    /// Builds the pool and starts its workers (none with
    /// [`lazy_start`](Self::lazy_start)).
    ///
    /// If the spawner fails part-way, the pool keeps the workers that did
    /// start and remembers the error ([`ThreadPool::spawn_error`]); if no
    /// worker at all could start, this returns the error.
    pub fn build(self) -> Result<ThreadPool, BuildError> {
        let spawner: Arc<dyn Spawner> = match self.spawner {
            Some(s) => s,
            None if threads_supported() => Arc::new(DefaultSpawner::default()),
            None => {
                return Ok(ThreadPool::from_registry(
                    Arc::new(Registry::new(0, None, self.start_handler, None)),
                    None,
                ))
            }
        };
        let n = self.num_threads.unwrap_or_else(default_parallelism);
        let starter = Starter {
            spawner,
            prefix: self.thread_name_prefix.unwrap_or_else(|| "worker-".into()),
            stack_size: self.stack_size,
        };
        let registry = Arc::new(Registry::new(
            n,
            Some(starter),
            self.start_handler,
            self.rescue,
        ));
        if self.lazy {
            return Ok(ThreadPool::from_registry(registry, None));
        }
        let mut spawn_error = None;
        for _ in 0..n {
            if let Err(e) = registry.start_next_primary() {
                spawn_error = Some(e);
                break;
            }
        }
        match spawn_error {
            Some(source) if registry.started_primaries() == 0 => {
                registry.terminate();
                Err(BuildError { source })
            }
            e => Ok(ThreadPool::from_registry(registry, e)),
        }
    }
}

/// A work-stealing pool of workers. Dropping it asks the workers to exit
/// once the queued tasks are done (without waiting for them).
pub struct ThreadPool {
    registry: Arc<Registry>,
    spawn_error: Option<io::Error>,
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("num_threads", &self.num_threads())
            .finish_non_exhaustive()
    }
}

impl ThreadPool {
    /// A pool of `n` std-thread workers.
    pub fn new(n: usize) -> Result<ThreadPool, BuildError> {
        ThreadPoolBuilder::new().num_threads(n).build()
    }

    fn from_registry(registry: Arc<Registry>, spawn_error: Option<io::Error>) -> Self {
        ThreadPool {
            registry,
            spawn_error,
        }
    }

    /// Number of workers started so far (spares not counted).
    pub fn num_threads(&self) -> usize {
        self.registry.started_primaries()
    }

    /// Starts the next worker if fewer than the builder's `num_threads` run
    /// (see [`ThreadPoolBuilder::lazy_start`]): `Ok(true)` if one started,
    /// `Ok(false)` if all had, `Err` if the spawner failed.
    pub fn start_worker(&self) -> io::Result<bool> {
        self.registry.start_next_primary()
    }

    /// The error of the spawner if it failed to start some workers.
    pub fn spawn_error(&self) -> Option<&io::Error> {
        self.spawn_error.as_ref()
    }

    /// Whether the calling thread is one of this pool's workers.
    pub fn is_current(&self) -> bool {
        WorkerThread::with_current(|w| w.is_some_and(|w| Arc::ptr_eq(w.registry(), &self.registry)))
    }

    /// Runs a closure as a task, fire-and-forget. A panic in it is reported
    /// on stderr and the worker lives on.
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        task::spawn(&self.registry, async move { f() }).detach();
    }

    /// Runs a future as a task; the returned [`Task`] yields its output.
    pub fn spawn_future<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        task::spawn(&self.registry, future)
    }

    /// Runs `op` on a worker of this pool and returns its result; the caller
    /// blocks (it runs `op` itself if it is already a worker of this pool).
    /// A panic in `op` is resumed.
    pub fn install<OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        match self.try_install(op) {
            Some(r) => r,
            None => panic!("install: the pool shut down before running the task"),
        }
    }

    /// [`install`](Self::install), or `None` if the pool was shut down
    /// (its queued tasks cancelled) before `op` could start.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// assert_eq!(pool.try_install(|| 6 * 7), Some(42));
    /// ```
    pub fn try_install<OP, R>(&self, op: OP) -> Option<R>
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        if self.is_current() {
            return Some(op());
        }
        if self.registry.num_threads() == 0 {
            // No workers to hop onto: the caller is the pool (see inline.rs).
            return Some(crate::inline::run(&self.registry, op));
        }
        let future = async move { panic::catch_unwind(AssertUnwindSafe(op)) };
        // SAFETY: `op` may borrow from our stack; we block below until the
        // task has finished (or was dropped by a shutdown, which also drops
        // the future and its borrows) before returning.
        let (runnable, task) = unsafe { task::spawn_unchecked(&self.registry, future) };
        runnable.schedule();
        match self.block_on(task.fallible()) {
            Some(Ok(r)) => Some(r),
            Some(Err(p)) => panic::resume_unwind(p),
            None => None,
        }
    }

    /// [`crate::join`] on this pool.
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.install(move || crate::join(a, b))
    }

    /// [`crate::scope`] on this pool.
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&crate::Scope<'scope>) -> R + Send,
        R: Send,
    {
        self.install(move || crate::scope(op))
    }

    /// Blocks on `future` as [`crate::block_on`] does, except that the
    /// caller runs the pool's tasks itself if the pool has no worker
    /// threads.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match self.block_on_until(future.as_mut(), None) {
            Some(v) => v,
            None => unreachable!("no deadline"),
        }
    }

    /// [`block_on`](Self::block_on) with a deadline; `None` if it passed.
    pub fn block_on_until<F: Future + ?Sized>(
        &self,
        future: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        wait::wait_until(future, deadline, Some(&self.registry), wait::Mode::Park)
    }

    /// Counters of every worker and the injector's length.
    pub fn stats(&self) -> PoolStats {
        self.registry.stats()
    }

    /// Asks the workers to exit once the queues are empty; returns at once.
    pub fn shutdown(&self) {
        self.registry.terminate();
    }

    /// Drops every task queued from outside the pool (the injector); their
    /// `Task`s report cancellation. Tasks on workers' own deques belong to
    /// running work and are left alone. Returns how many were dropped.
    pub fn cancel_queued(&self) -> usize {
        self.registry.drain_injector()
    }

    /// Waits until every worker has exited (after [`shutdown`](Self::shutdown)).
    /// On a pool with no workers the caller runs the queued tasks itself.
    /// Called from one of this pool's own workers it waits for the *other*
    /// workers, instead of waiting for itself (it drains the queue itself
    /// once its current task returns). A wait that could only end with the
    /// caller's own exit (see [`try_wait_for_workers`](Self::try_wait_for_workers))
    /// returns at once.
    pub fn wait_for_workers(&self) {
        let _ = self.try_wait_for_workers();
    }

    /// [`wait_for_workers`](Self::wait_for_workers), refusing with
    /// [`WaitsForItself`](crate::WaitsForItself) the wait of a worker of
    /// another pool whose own pool this pool already waits for (directly or
    /// through other pools): its wait could only end with its own exit
    /// (`exit_wait.rs`).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// pool.shutdown();
    /// assert_eq!(pool.try_wait_for_workers(), Ok(()));
    /// ```
    pub fn try_wait_for_workers(&self) -> Result<(), crate::WaitsForItself> {
        if self.registry.num_threads() == 0 {
            // No workers: "the workers finish the queue" means we do.
            crate::wait::run_queued_inline(&self.registry);
        } else if self.is_current() {
            self.registry.wait_for_workers(1);
        } else {
            let waiter = WorkerThread::with_current(|w| w.map(|w| registry_id(w.registry())));
            let _entered = crate::exit_wait::enter(waiter, registry_id(&self.registry))?;
            self.registry.wait_for_workers(0);
        }
        Ok(())
    }

    /// Number of worker threads currently running.
    pub fn live_workers(&self) -> usize {
        self.registry.live_workers()
    }

    /// A cheap clonable handle to this pool (it does not shut the pool down
    /// when dropped).
    pub fn handle(&self) -> PoolHandle {
        PoolHandle {
            registry: self.registry.clone(),
        }
    }
}

/// A pool's identity for `exit_wait.rs`: its registry's address.
fn registry_id(registry: &Arc<Registry>) -> usize {
    Arc::as_ptr(registry) as usize
}

/// A clonable reference to a pool, for values (like futures) that must
/// find their pool again: to queue their job, to learn whether a waiter is
/// stuck, or to run a workerless pool's tasks while waiting.
#[derive(Clone)]
pub struct PoolHandle {
    registry: Arc<Registry>,
}

impl fmt::Debug for PoolHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolHandle").finish_non_exhaustive()
    }
}

impl PoolHandle {
    /// Whether the calling thread is one of this pool's workers.
    pub fn is_current(&self) -> bool {
        WorkerThread::with_current(|w| w.is_some_and(|w| Arc::ptr_eq(w.registry(), &self.registry)))
    }

    /// Whether the pool has no worker threads (tasks run on waiting threads).
    pub fn is_inline(&self) -> bool {
        self.registry.num_threads() == 0
    }

    /// Runs `op` on this thread as the pool's caller-side body, the way
    /// [`ThreadPool::install`] does for a pool with no workers: waits inside
    /// `op` run this pool's queued tasks. For a task claimed from outside
    /// the queue (a waiter running the call it waits for).
    pub fn run_inline<R>(&self, op: impl FnOnce() -> R) -> R {
        crate::inline::run(&self.registry, op)
    }

    /// Runs a future as a task on the pool.
    pub fn spawn_future<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        task::spawn(&self.registry, future)
    }

    /// Queues a [`HeapJob`] on the pool's FIFO queue (the injector), from
    /// any thread, a worker of the pool too: no allocation beyond the
    /// caller's `Arc`, and jobs start in the order they were queued.
    pub fn submit_job<J: HeapJob>(&self, job: Arc<J>) {
        self.registry.push_injected(crate::job::Job::heap(job));
    }

    /// See [`ThreadPool::start_worker`].
    pub fn start_worker(&self) -> io::Result<bool> {
        self.registry.start_next_primary()
    }

    /// Whether every worker of the pool has been started (always true for
    /// a pool that starts its workers at build time, and for one without
    /// workers).
    #[inline]
    pub fn all_started(&self) -> bool {
        self.registry.all_started()
    }

    /// Number of workers running now (spares included).
    pub fn live_workers(&self) -> usize {
        self.registry.live_workers()
    }

    /// For a worker of this pool waiting for one of the pool's queued jobs:
    /// whether every other worker is blocked (see [`Stuck`]). When it is
    /// not, `waker` is woken as soon as another worker blocks, so the
    /// waiter can ask again. `watch` belongs to the waiter (one per wait):
    /// it lets repeated calls skip the pool's lock while nothing changed.
    /// Always [`Stuck::No`] off the pool's workers.
    pub fn watch_stuck(&self, waker: &std::task::Waker, watch: &mut StuckWatch) -> Stuck {
        WorkerThread::with_current(|w| match w {
            Some(w) if Arc::ptr_eq(w.registry(), &self.registry) => {
                self.registry.watch_stuck(waker, watch, w.is_blocked())
            }
            _ => Stuck::No,
        })
    }

    /// See [`ThreadPool::block_on_until`].
    pub fn block_on_until<F: Future + ?Sized>(
        &self,
        future: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        wait::wait_until(future, deadline, Some(&self.registry), wait::Mode::Park)
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.registry.terminate();
    }
}

/// The global pool used by [`crate::join`], [`crate::scope`] and the
/// parallel loops when called from outside any pool. Created on first use
/// with [`default_parallelism`] workers.
pub fn global() -> &'static ThreadPool {
    static GLOBAL: OnceLock<ThreadPool> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        ThreadPoolBuilder::new()
            .thread_name_prefix("global-worker-")
            .build()
            .or_else(|_| ThreadPoolBuilder::new().num_threads(0).build())
            .expect("a pool without threads always builds")
    })
}

/// Number of workers of the current pool (the global pool outside any pool).
pub fn current_num_threads() -> usize {
    WorkerThread::with_current(|w| w.map(|w| w.registry().num_threads()))
        .unwrap_or_else(|| global().num_threads())
}

/// Index of the current worker in its pool, or `None` outside any pool.
pub fn current_worker_index() -> Option<usize> {
    WorkerThread::with_current(|w| w.map(|w| w.index()))
}
