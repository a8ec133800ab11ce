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
use crate::wait_loop::{self, Policy};
use crate::worker::WorkerThread;
use crate::Instant;

/// A pool could not start any of its workers.
///
/// ```
/// use pyrt_scheduler::{ThreadPoolBuilder, WorkerStart};
/// use std::io;
/// let failing = |_: WorkerStart| -> io::Result<()> { Err(io::Error::other("no threads today")) };
/// let err = ThreadPoolBuilder::new().num_threads(1).spawner(failing).build().unwrap_err();
/// assert_eq!(err.to_string(), "can't start new thread: no threads today");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct BuildError {
    /// The spawner's error.
    pub source: io::Error,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "can't start new thread: {}", self.source)
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

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

impl fmt::Debug for ThreadPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolBuilder")
            .field("num_threads", &self.num_threads)
            .field("thread_name_prefix", &self.thread_name_prefix)
            .field("stack_size", &self.stack_size)
            .field("custom_spawner", &self.spawner.is_some())
            .field("start_handler", &self.start_handler.is_some())
            .field("lazy", &self.lazy)
            .field(
                "rescue_after",
                &self.rescue.as_ref().map(|(after, _)| after),
            )
            .finish()
    }
}

impl ThreadPoolBuilder {
    /// A builder with the defaults: one worker per CPU, the platform's
    /// [`DefaultSpawner`].
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    /// assert_eq!(pool.num_threads(), 1);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of workers. `0` means no worker threads: the threads that
    /// wait on the pool borrow its one worker slot and run its tasks (the
    /// mode used where there are no threads).
    ///
    /// ```
    /// // No worker threads: the waiting thread borrows the slot and runs the tasks.
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(0).build().unwrap();
    /// assert_eq!(pool.block_on(pool.spawn_future(async { 1 + 1 })), 2);
    /// ```
    pub fn num_threads(mut self, n: usize) -> Self {
        self.num_threads = Some(n);
        self
    }

    /// Worker threads are named `{prefix}{index}` (default `"worker-"`).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .thread_name_prefix("calc-")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(pyrt_scheduler::spawner::thread_name).as_deref(), Some("calc-0"));
    /// ```
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Stack size of each worker thread, in bytes.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .stack_size(4 << 20)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(|| 6 * 7), 42);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// How worker threads are started (default [`DefaultSpawner`]).
    ///
    /// ```
    /// use pyrt_scheduler::{ThreadPoolBuilder, WorkerStart};
    /// // A spawner is any `Fn(WorkerStart) -> io::Result<()>`: here, std threads.
    /// let pool = ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .spawner(|start: WorkerStart| std::thread::Builder::new().spawn(move || start.run()).map(drop))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(|| 6 * 7), 42);
    /// ```
    pub fn spawner(mut self, spawner: impl Spawner) -> Self {
        self.spawner = Some(Arc::new(spawner));
        self
    }

    /// Runs `handler(index)` on each worker before its first task.
    ///
    /// ```
    /// use std::sync::mpsc;
    /// let (tx, rx) = mpsc::channel();
    /// let tx = std::sync::Mutex::new(tx);
    /// let _pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .start_handler(move |index| tx.lock().unwrap().send(index).unwrap())
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rx.recv().unwrap(), 0);
    /// ```
    pub fn start_handler(mut self, handler: impl Fn(usize) + Send + Sync + 'static) -> Self {
        self.start_handler = Some(Arc::new(handler));
        self
    }

    /// Starts no worker at build time: each [`ThreadPool::start_worker`]
    /// (or [`PoolHandle::start_worker`]) starts the next one, up to
    /// `num_threads`, the way CPython's `ThreadPoolExecutor` starts a
    /// thread per `submit` while none is idle.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(2).lazy_start().build().unwrap();
    /// assert_eq!(pool.num_threads(), 0);
    /// assert!(pool.start_worker().unwrap());
    /// assert_eq!(pool.num_threads(), 1);
    /// ```
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
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new()
    ///     .num_threads(1)
    ///     .starvation_rescue(Duration::from_millis(50), |slot| eprintln!("spare worker {slot} started"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(pool.install(|| 6 * 7), 42);
    /// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    /// assert_eq!(pool.num_threads(), 2);
    /// ```
    pub fn build(self) -> Result<ThreadPool, BuildError> {
        let spawner: Arc<dyn Spawner> = match self.spawner {
            Some(s) => s,
            None if threads_supported() => Arc::new(DefaultSpawner::default()),
            None => return Ok(ThreadPool::workerless(None, self.start_handler)),
        };
        let n = self.num_threads.unwrap_or_else(default_parallelism);
        if n == 0 {
            return Ok(ThreadPool::workerless(None, self.start_handler));
        }
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
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
/// let (a, b) = pool.join(|| 1 + 1, || 2 + 2);
/// assert_eq!((a, b), (2, 4));
/// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// assert_eq!(pool.num_threads(), 2);
    /// ```
    pub fn new(n: usize) -> Result<ThreadPool, BuildError> {
        ThreadPoolBuilder::new().num_threads(n).build()
    }

    /// A pool without worker threads: its one slot is borrowed by the
    /// threads that wait on it (`borrow.rs`).
    fn workerless(starter: Option<Starter>, start_handler: Option<StartHandler>) -> Self {
        let registry = Arc::new(Registry::new(0, starter, start_handler, None));
        crate::borrow::register_workerless(&registry);
        ThreadPool::from_registry(registry, None)
    }

    fn from_registry(registry: Arc<Registry>, spawn_error: Option<io::Error>) -> Self {
        ThreadPool {
            registry,
            spawn_error,
        }
    }

    /// Number of workers started so far (spares not counted).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(3).unwrap();
    /// assert_eq!(pool.num_threads(), 3);
    /// ```
    pub fn num_threads(&self) -> usize {
        self.registry.started_primaries()
    }

    /// Starts the next worker if fewer than the builder's `num_threads` run
    /// (see [`ThreadPoolBuilder::lazy_start`]): `Ok(true)` if one started,
    /// `Ok(false)` if all had, `Err` if the spawner failed.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
    /// assert!(pool.start_worker().unwrap()); // the first worker starts
    /// assert!(!pool.start_worker().unwrap()); // all have
    /// ```
    pub fn start_worker(&self) -> io::Result<bool> {
        self.registry.start_next_primary()
    }

    /// The error of the spawner if it failed to start some workers.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// assert!(pool.spawn_error().is_none());
    /// ```
    pub fn spawn_error(&self) -> Option<&io::Error> {
        self.spawn_error.as_ref()
    }

    /// Whether the calling thread is one of this pool's workers.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// assert!(!pool.is_current());
    /// assert!(pool.install(|| pool.is_current()));
    /// ```
    pub fn is_current(&self) -> bool {
        WorkerThread::with_current(|w| w.is_some_and(|w| Arc::ptr_eq(w.registry(), &self.registry)))
    }

    /// Runs a closure as a task, fire-and-forget. A panic in it is reported
    /// on stderr and the worker lives on.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// pool.spawn(move || tx.send(6 * 7).unwrap());
    /// assert_eq!(rx.recv().unwrap(), 42);
    /// ```
    pub fn spawn(&self, f: impl FnOnce() + Send + 'static) {
        task::spawn(&self.registry, async move { f() }).detach();
    }

    /// Runs a future as a task; the returned [`Task`] yields its output.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let task = pool.spawn_future(async { 6 * 7 });
    /// assert_eq!(pool.block_on(task), 42);
    /// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// let data = vec![1, 2, 3];
    /// // `op` may borrow: `install` returns only once it has run.
    /// let sum: i32 = pool.install(|| data.iter().sum());
    /// assert_eq!(sum, 6);
    /// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// assert_eq!(pool.join(|| "left", || "right"), ("left", "right"));
    /// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// let mut halves = [0u64, 0];
    /// let (lo, hi) = halves.split_at_mut(1);
    /// pool.scope(|s| {
    ///     s.spawn(|_| lo[0] = (1..=50).sum());
    ///     s.spawn(|_| hi[0] = (51..=100).sum());
    /// });
    /// assert_eq!(halves[0] + halves[1], 5050);
    /// ```
    pub fn scope<'scope, OP, R>(&self, op: OP) -> R
    where
        OP: FnOnce(&crate::Scope<'scope>) -> R + Send,
        R: Send,
    {
        self.install(move || crate::scope(op))
    }

    /// Blocks on `future` as [`crate::block_on`] does, except that on a
    /// pool without worker threads the caller borrows the pool's worker
    /// slot and runs its tasks meanwhile (see `wait_loop.rs`).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// assert_eq!(pool.block_on(async { 6 * 7 }), 42);
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        match self.block_on_until(future.as_mut(), None) {
            Some(v) => v,
            None => unreachable!("no deadline"),
        }
    }

    /// [`block_on`](Self::block_on) with a deadline; `None` if it passed.
    ///
    /// ```
    /// use std::time::Duration;
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let mut never = std::pin::pin!(std::future::pending::<()>());
    /// let deadline = pyrt_scheduler::deadline_after(Some(Duration::from_millis(10)));
    /// assert_eq!(pool.block_on_until(never.as_mut(), deadline), None);
    /// ```
    pub fn block_on_until<F: Future + ?Sized>(
        &self,
        future: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        wait_loop::wait(future, deadline, Some(&self.registry), Policy::Park)
    }

    /// Counters of every worker and the injector's length.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// pool.block_on(pool.spawn_future(async {}));
    /// let stats = pool.stats();
    /// assert_eq!(stats.workers.len(), 2);
    /// assert!(stats.total_executed() >= 1);
    /// ```
    pub fn stats(&self) -> PoolStats {
        self.registry.stats()
    }

    /// Asks the workers to exit once the queues are empty; returns at once.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(2).unwrap();
    /// pool.shutdown();
    /// pool.wait_for_workers();
    /// assert_eq!(pool.live_workers(), 0);
    /// ```
    pub fn shutdown(&self) {
        self.registry.terminate();
    }

    /// Drops every task queued from outside the pool (the injector); their
    /// `Task`s report cancellation. Tasks on workers' own deques belong to
    /// running work and are left alone. Returns how many were dropped.
    ///
    /// ```
    /// // A lazily started pool has no worker yet: the task stays queued.
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
    /// let task = pool.spawn_future(async { 1 });
    /// assert_eq!(pool.cancel_queued(), 1);
    /// assert_eq!(pool.block_on(task.fallible()), None); // cancelled
    /// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let task = pool.spawn_future(async { 6 * 7 });
    /// pool.shutdown();
    /// pool.wait_for_workers(); // the queued task ran first
    /// assert_eq!(pool.block_on(task), 42);
    /// ```
    pub fn wait_for_workers(&self) {
        let _ = self.try_wait_for_workers();
    }

    /// [`wait_for_workers`](Self::wait_for_workers), refusing with
    /// [`WaitsForItself`](crate::ext::WaitsForItself) the wait of a worker of
    /// another pool whose own pool this pool already waits for (directly or
    /// through other pools): its wait could only end with its own exit
    /// (`exit_wait.rs`).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// pool.shutdown();
    /// assert_eq!(pool.try_wait_for_workers(), Ok(()));
    /// ```
    pub fn try_wait_for_workers(&self) -> Result<(), crate::ext::WaitsForItself> {
        if self.is_current() {
            self.registry.wait_for_workers(1);
            return Ok(());
        }
        let waiter = WorkerThread::with_current(|w| w.map(|w| registry_id(w.registry())));
        let _entered = crate::exit_wait::enter(waiter, registry_id(&self.registry))?;
        self.registry.wait_for_workers(0);
        if self.registry.is_workerless() {
            // "The workers finish the queue": the borrowed slot's do.
            let registry = &self.registry;
            self.block_on(std::future::poll_fn(|_| {
                if registry.has_queued_work() {
                    std::task::Poll::Pending
                } else {
                    std::task::Poll::Ready(())
                }
            }));
        }
        Ok(())
    }

    /// Number of worker threads currently running.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(2).lazy_start().build().unwrap();
    /// assert_eq!(pool.live_workers(), 0);
    /// ```
    pub fn live_workers(&self) -> usize {
        self.registry.live_workers()
    }

    /// A cheap clonable handle to this pool (it does not shut the pool down
    /// when dropped).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let handle = pool.handle();
    /// assert_eq!(pool.block_on(handle.spawn_future(async { 6 * 7 })), 42);
    /// ```
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
/// stuck, or to wait on the pool (borrowing its slot if it has no threads).
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let handle: pyrt_scheduler::ext::PoolHandle = pool.handle().clone();
/// assert!(!handle.is_current());
/// assert!(pool.install(|| handle.is_current()));
/// ```
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
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let handle = pool.handle();
    /// assert!(!handle.is_current());
    /// assert!(pool.install(|| handle.is_current()));
    /// ```
    pub fn is_current(&self) -> bool {
        WorkerThread::with_current(|w| w.is_some_and(|w| Arc::ptr_eq(w.registry(), &self.registry)))
    }

    /// For a poll by an executor that is not ours (`futures_lite`'s
    /// `block_on`, say) of something this pool completes: on a pool without
    /// threads, where nobody else ever runs the queue, the polling thread
    /// borrows the pool's worker slot and runs queued jobs, in order, while
    /// `pending()` holds and jobs are queued. On a pool with threads it does
    /// nothing (its workers run the queue).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(0).build().unwrap();
    /// let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    /// let r = ran.clone();
    /// pool.spawn(move || r.store(true, std::sync::atomic::Ordering::SeqCst));
    /// pool.handle().drive_while(|| !ran.load(std::sync::atomic::Ordering::SeqCst));
    /// assert!(ran.load(std::sync::atomic::Ordering::SeqCst));
    /// ```
    pub fn drive_while(&self, mut pending: impl FnMut() -> bool) {
        if !self.registry.is_workerless() {
            return;
        }
        let registry = &self.registry;
        let mut until = std::future::poll_fn(|_| {
            if pending() && registry.has_queued_work() {
                std::task::Poll::Pending
            } else {
                std::task::Poll::Ready(())
            }
        });
        let _ = self.block_on_until(Pin::new(&mut until), None);
    }

    /// Runs a future as a task on the pool.
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let task = pool.handle().spawn_future(async { 6 * 7 });
    /// assert_eq!(pool.block_on(task), 42);
    /// ```
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
    ///
    /// ```
    /// use pyrt_scheduler::ext::HeapJob;
    /// use std::sync::{mpsc, Arc, Mutex};
    /// struct Ping(Mutex<mpsc::Sender<bool>>);
    /// impl HeapJob for Ping {
    ///     fn run(self: Arc<Self>) { self.0.lock().unwrap().send(true).unwrap() }
    ///     fn cancel(self: Arc<Self>) { self.0.lock().unwrap().send(false).unwrap() }
    /// }
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// pool.handle().submit_job(Arc::new(Ping(Mutex::new(tx))));
    /// assert!(rx.recv().unwrap());
    /// ```
    pub fn submit_job<J: HeapJob>(&self, job: Arc<J>) {
        self.registry.push_injected(crate::job::JobRef::heap(job));
    }

    /// See [`ThreadPool::start_worker`].
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
    /// assert!(pool.handle().start_worker().unwrap());
    /// assert_eq!(pool.num_threads(), 1);
    /// ```
    pub fn start_worker(&self) -> io::Result<bool> {
        self.registry.start_next_primary()
    }

    /// Whether every worker of the pool has been started (always true for
    /// a pool that starts its workers at build time, and for one without
    /// workers).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
    /// let handle = pool.handle();
    /// assert!(!handle.all_started());
    /// handle.start_worker().unwrap();
    /// assert!(handle.all_started());
    /// ```
    #[inline]
    pub fn all_started(&self) -> bool {
        self.registry.all_started()
    }

    /// Number of workers running now (spares included).
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(2).lazy_start().build().unwrap();
    /// assert_eq!(pool.handle().live_workers(), 0);
    /// ```
    pub fn live_workers(&self) -> usize {
        self.registry.live_workers()
    }

    /// For a worker of this pool waiting for one of the pool's queued jobs:
    /// whether every other worker is blocked (see [`Stuck`]). When it is
    /// not, `waker` is woken as soon as another worker blocks, so the
    /// waiter can ask again. `watch` belongs to the waiter (one per wait):
    /// it lets repeated calls skip the pool's lock while nothing changed.
    /// Always [`Stuck::No`] off the pool's workers.
    ///
    /// ```
    /// use pyrt_scheduler::ext::{Stuck, StuckWatch};
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let mut watch = StuckWatch::default();
    /// // Off the pool's workers the answer is always `No`.
    /// assert_eq!(pool.handle().watch_stuck(std::task::Waker::noop(), &mut watch), Stuck::No);
    /// ```
    pub fn watch_stuck(&self, waker: &std::task::Waker, watch: &mut StuckWatch) -> Stuck {
        WorkerThread::with_current(|w| match w {
            // A borrowed slot (a pool without threads) is stuck at once:
            // no other worker exists, none may start.
            Some(w) if Arc::ptr_eq(w.registry(), &self.registry) => {
                self.registry.watch_stuck(waker, watch, w.is_blocked())
            }
            _ => Stuck::No,
        })
    }

    /// See [`ThreadPool::block_on_until`].
    ///
    /// ```
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let mut ready = std::pin::pin!(async { 6 * 7 });
    /// assert_eq!(pool.handle().block_on_until(ready.as_mut(), None), Some(42));
    /// ```
    pub fn block_on_until<F: Future + ?Sized>(
        &self,
        future: Pin<&mut F>,
        deadline: Option<Instant>,
    ) -> Option<F::Output> {
        wait_loop::wait(future, deadline, Some(&self.registry), Policy::Park)
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
///
/// ```
/// let pool = pyrt_scheduler::global();
/// assert!(pool.num_threads() >= 1);
/// assert_eq!(pool.install(|| 6 * 7), 42);
/// ```
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
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(3).unwrap();
/// assert_eq!(pool.install(pyrt_scheduler::current_num_threads), 3);
/// ```
pub fn current_num_threads() -> usize {
    WorkerThread::with_current(|w| w.map(|w| w.registry().num_threads()))
        .unwrap_or_else(|| global().num_threads())
}

/// Index of the current worker in its pool, or `None` outside any pool.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// assert_eq!(pyrt_scheduler::current_worker_index(), None);
/// assert_eq!(pool.install(pyrt_scheduler::current_worker_index), Some(0));
/// ```
pub fn current_worker_index() -> Option<usize> {
    WorkerThread::with_current(|w| w.map(|w| w.index()))
}
