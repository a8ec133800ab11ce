//! `concurrent.futures.ThreadPoolExecutor` on our work-stealing scheduler.
//!
//! The executor is a scheduler pool of `max_workers` workers that start as
//! CPython's threads do (`_adjust_thread_count`): a `submit` queues the call
//! on the pool's FIFO queue, then starts a new worker only if no idle token
//! is left (each finished work item leaves one, as CPython's
//! `_idle_semaphore`) and fewer than `max_workers` run. So the first call
//! runs on `{prefix}_0`, an idle worker is reused, and at most
//! `max_workers` calls are ever in progress: a worker blocked in a call
//! runs nothing else (`future.rs` has the one exception, where CPython
//! would deadlock). `starvation_rescue` is the opt-in way beyond that.

use crate::loom::IgnorePoison;
use crate::loom::{Mutex, RwLock};
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use scheduler::ThreadPoolBuilder;

use super::future::{ExecFlags, Future, Origin};
use crate::exceptions::{call, IntoPyResult, PyException, PyResult};
use crate::threading::ident::NestedNames;

const BROKEN_MESSAGE: &str = "A thread initializer failed, the thread pool is not usable anymore";

type Initializer = Arc<dyn Fn() -> PyResult<()> + Send + Sync>;

/// Options of `ThreadPoolExecutor(max_workers=None, thread_name_prefix='',
/// initializer=None, initargs=())`; `initargs` are captured by the closure.
///
/// ```
/// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
/// let ex = ThreadPoolExecutor::builder().max_workers(Some(2)).thread_name_prefix("calc").build()?;
/// assert_eq!(ex.submit(|| 6 * 7)?.result(None)?, 42);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Default)]
pub struct ThreadPoolExecutorBuilder {
    max_workers: Option<i64>,
    thread_name_prefix: Option<String>,
    initializer: Option<Initializer>,
    default_workers: Option<fn() -> usize>,
    broken_message: Option<fn(&str) -> PyException>,
    spawner: Option<Arc<dyn scheduler::Spawner>>,
    eager_start: bool,
    starvation_rescue: Option<Duration>,
    stack_size: Option<usize>,
}

impl fmt::Debug for ThreadPoolExecutorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutorBuilder")
            .field("max_workers", &self.max_workers)
            .field("thread_name_prefix", &self.thread_name_prefix)
            .finish_non_exhaustive()
    }
}

impl ThreadPoolExecutorBuilder {
    /// `max_workers`, a Python int; `None` means
    /// `min(32, os.cpu_count() + 4)`. `build` raises
    /// `ValueError: max_workers must be greater than 0` for 0 or less.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let e = ThreadPoolExecutor::builder().max_workers(Some(0)).build().unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: max_workers must be greater than 0");
    /// assert_eq!(ThreadPoolExecutor::builder().max_workers(Some(3)).build()?.max_workers(), 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn max_workers(mut self, n: Option<i64>) -> Self {
        self.max_workers = n;
        self
    }

    /// Worker threads are named `{prefix}_{index}`.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// use pyrt_executor::threading::current_thread;
    /// let ex = ThreadPoolExecutor::builder().max_workers(Some(1)).thread_name_prefix("calc").build()?;
    /// assert_eq!(ex.submit(|| current_thread().name())?.result(None)?, "calc_0");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Runs on each worker thread before its first task. If it raises (an
    /// `Err`, or a panic) the executor is broken: pending and later futures
    /// fail with `BrokenThreadPool`.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// use pyrt_executor::{PyClass, PyException};
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(1))
    ///     .initializer(|| Err::<(), _>(PyException::ValueError("no".into())))
    ///     .build()?;
    /// let e = ex.submit(|| 1)?.result(None).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::BrokenThreadPool));
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn initializer<R>(mut self, f: impl Fn() -> R + Send + Sync + 'static) -> Self
    where
        R: IntoPyResult<()>,
    {
        self.initializer = Some(Arc::new(move || call(&f)));
        self
    }

    /// How worker threads are started (default: std threads); see
    /// [`pyrt_scheduler::Spawner`]. If it fails for a worker, the executor keeps
    /// the workers it has and the next `submit` raises
    /// `RuntimeError: can't start new thread`; if no worker starts, `build`
    /// raises it.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(2))
    ///     .spawner(pyrt_scheduler::StdSpawner)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(ex.submit(|| 1 + 1).unwrap().result(None).unwrap(), 2);
    /// ```
    pub fn spawner(mut self, spawner: impl scheduler::Spawner) -> Self {
        self.spawner = Some(Arc::new(spawner));
        self
    }

    /// Beyond CPython, off by default: when every worker has been blocked
    /// for `after` with calls still queued — where CPython would deadlock,
    /// e.g. calls blocked on a `Queue` that only a queued call would feed —
    /// start one extra worker (at most one per `after`) and log a warning
    /// saying so. The extra worker leaves once nobody is blocked.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
    /// use pyrt_executor::queue::Queue;
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(1))
    ///     .starvation_rescue(Duration::from_millis(20))
    ///     .build()?;
    /// let q: Queue<u32> = Queue::new(None);
    /// let (q1, q2) = (q.clone(), q.clone());
    /// let consumer: Future<u32> = ex.submit(move || q1.get(None, None))?;
    /// let producer: Future<()> = ex.submit(move || q2.put(7, None, None))?; // queued behind it
    /// assert_eq!(consumer.result(None)?, 7);
    /// producer.result(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn starvation_rescue(mut self, after: Duration) -> Self {
        self.starvation_rescue = Some(after);
        self
    }

    /// The stack size of each worker thread in bytes, beyond CPython
    /// (whose workers take the process-wide `threading.stack_size()`;
    /// ours do not: this sets theirs). A call run nested on a waiting
    /// worker shares that worker's stack, so a deeper chain of them fits
    /// before `RecursionError`.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// fn depth(n: u64) -> u64 { if n == 0 { 0 } else { 1 + depth(n - 1) } }
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(1))
    ///     .stack_size(64 << 20)
    ///     .build()?;
    /// assert_eq!(ex.submit(|| depth(200_000))?.result(None)?, 200_000);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    pub(crate) fn default_workers(mut self, f: fn() -> usize) -> Self {
        self.default_workers = Some(f);
        self
    }

    pub(crate) fn broken_as(mut self, f: fn(&str) -> PyException) -> Self {
        self.broken_message = Some(f);
        self
    }

    /// Start every worker (and run the initializers) now instead of one per
    /// `submit` (`multiprocessing.Pool` starts its workers in its
    /// constructor).
    pub(crate) fn start_eagerly(mut self) -> Self {
        self.eager_start = true;
        self
    }

    /// Creates the executor (its workers start with the `submit`s that need
    /// them).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder().max_workers(Some(2)).build()?;
    /// assert_eq!(ex.max_workers(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn build(self) -> PyResult<ThreadPoolExecutor> {
        let max_workers = match self.max_workers {
            Some(n) if n <= 0 => {
                return Err(PyException::ValueError(
                    "max_workers must be greater than 0".into(),
                ))
            }
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => (self.default_workers.unwrap_or(default_max_workers))(),
        };
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let prefix = self.thread_name_prefix.unwrap_or_else(|| {
            format!(
                "ThreadPoolExecutor-{}",
                COUNTER.fetch_add(1, Ordering::Relaxed)
            )
        });
        let flags = Arc::new(ExecFlags::default());
        let broken_as = self
            .broken_message
            .unwrap_or(|m| PyException::BrokenThreadPool(m.into()));
        // Where there are no threads the pool has none either, whatever
        // `max_workers` says: a waiter borrows its one worker slot.
        let mut builder = ThreadPoolBuilder::new()
            .num_threads(max_workers)
            .thread_name_prefix(format!("{prefix}_"));
        if let Some(bytes) = self.stack_size {
            builder = builder.stack_size(bytes);
        }
        if let Some(spawner) = self.spawner {
            builder = builder.spawner(move |start| spawner.spawn(start));
        }
        if !self.eager_start {
            builder = builder.lazy_start();
        }
        if let Some(after) = self.starvation_rescue {
            let prefix = prefix.clone();
            builder = builder.starvation_rescue(after, move |_| warn_rescue(&prefix, after));
        }
        if let Some(init) = self.initializer {
            let flags = flags.clone();
            builder = builder.start_handler(move |_| {
                if let Err(e) = init() {
                    // CPython: `LOGGER.critical('Exception in initializer:', exc_info=True)`.
                    crate::report::log_exception(
                        crate::report::FUTURES_LOGGER,
                        log::Level::Error,
                        "Exception in initializer:",
                        &e,
                    );
                    let _ = flags.broken.set(broken_as(BROKEN_MESSAGE));
                }
            });
        }
        let pool = builder
            .build()
            .map_err(|_| PyException::RuntimeError("can't start new thread".into()))?;
        let spawn_error = pool
            .spawn_error()
            .map(|_| PyException::RuntimeError("can't start new thread".into()));
        let shared = Arc::new(Shared {
            origin: Arc::new(Origin {
                pool: pool.handle(),
                flags: flags.clone(),
                idle: AtomicUsize::new(0),
                names: Arc::new(NestedNames::new(prefix, max_workers)),
            }),
            pool,
            flags,
            shutdown: RwLock::new(false),
            max_workers,
            spawn_error_pending: AtomicBool::new(spawn_error.is_some()),
            spawn_error: Mutex::new(spawn_error),
        });
        // At exit, `_python_exit`: the queue is finished and the workers
        // joined; meanwhile `submit` raises "after interpreter shutdown",
        // then "after shutdown" (CPython's workers set `_shutdown` on exit).
        crate::exit::register_executor(&shared, |s| {
            drop(s.shutdown.write().ignore_poison());
            s.pool.shutdown();
            s.pool.wait_for_workers();
            let _ = s.shutdown(true, false);
        });
        Ok(ThreadPoolExecutor { shared })
    }
}

/// The warning of a starvation rescue, on the `concurrent.futures` logger
/// (CPython has no such message, since it deadlocks there).
fn warn_rescue(prefix: &str, after: Duration) {
    crate::report::log_message(
        crate::report::FUTURES_LOGGER,
        log::Level::Warn,
        &format!(
            "every worker of {prefix} was blocked for {after:?} with calls still queued; \
             started an extra worker (CPython would have deadlocked here)"
        ),
    );
}

/// CPython's default: `min(32, os.cpu_count() + 4)`.
///
/// ```
/// use pyrt_executor::concurrent::futures::{default_max_workers, ThreadPoolExecutor};
/// assert!(default_max_workers() <= 32); // min(32, os.cpu_count() + 4)
/// assert_eq!(ThreadPoolExecutor::new(None)?.max_workers(), default_max_workers());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn default_max_workers() -> usize {
    (scheduler::default_parallelism() + 4).min(32)
}

struct Shared {
    pool: scheduler::ThreadPool,
    /// What each submitted future keeps of its executor.
    origin: Arc<Origin>,
    flags: Arc<ExecFlags>,
    /// Set by `shutdown`. Every `submit` checks it and queues its job under
    /// the read lock, so `shutdown` (the writer) sees every submission that
    /// was accepted; concurrent submits do not exclude each other.
    shutdown: RwLock<bool>,
    max_workers: usize,
    /// Whether `spawn_error` holds an error, so `submit` need not lock it.
    spawn_error_pending: AtomicBool,
    /// A worker that could not be started: reported by the next `submit`,
    /// as CPython's `submit` raises when it fails to start a thread.
    spawn_error: Mutex<Option<PyException>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Dropping the last handle is leaving the `with` block (a wait that
        // could never end is skipped: a drop cannot raise).
        let _ = self.shutdown(true, false);
    }
}

impl Shared {
    /// `Err` only for a wait that could only end with the caller's own exit
    /// (see [`ThreadPoolExecutor::shutdown`]), which is not waited for.
    fn shutdown(&self, wait: bool, cancel_futures: bool) -> PyResult<()> {
        {
            let mut down = self.shutdown.write().ignore_poison();
            *down = true;
            if cancel_futures {
                self.flags.cancel_pending.store(true, Ordering::Release);
                self.pool.cancel_queued();
            }
        }
        self.pool.shutdown();
        if wait {
            self.pool
                .try_wait_for_workers()
                .map_err(|_| PyException::RuntimeError("cannot join current thread".into()))?;
        }
        Ok(())
    }
}

/// A pool of worker threads running submitted calls
/// (`concurrent.futures.ThreadPoolExecutor`).
///
/// A cheap `Clone` handle: tasks may hold one to submit more work. Dropping
/// the last handle is leaving Python's `with` block: `shutdown(wait=True)`.
///
/// ```
/// use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
/// # fn main() -> pyrt_executor::PyResult<()> {
/// let ex = ThreadPoolExecutor::new(Some(4))?;
/// let f: Future<u64> = ex.submit(move || 6 * 7)?;
/// assert_eq!(f.result(None)?, 42);
/// let out: Vec<u64> = ex.map(|x: u64| x + 1, 0..10u64, None, None)?.collect::<Result<_, _>>()?;
/// assert_eq!(out, (1..11).collect::<Vec<u64>>());
/// ex.shutdown(true, false);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ThreadPoolExecutor {
    shared: Arc<Shared>,
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutor")
            .field("max_workers", &self.shared.max_workers)
            .finish_non_exhaustive()
    }
}

impl ThreadPoolExecutor {
    /// `ThreadPoolExecutor(max_workers)`, a Python int; `None` means
    /// `min(32, os.cpu_count() + 4)`.
    /// `ValueError: max_workers must be greater than 0` if 0 or less.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// use pyrt_executor::PyClass;
    /// let e = ThreadPoolExecutor::new(Some(-3)).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::ValueError));
    /// assert_eq!(e.to_string(), "ValueError: max_workers must be greater than 0");
    /// ```
    pub fn new(max_workers: Option<i64>) -> PyResult<Self> {
        Self::builder().max_workers(max_workers).build()
    }

    /// A builder for the keyword options.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder().max_workers(Some(1)).build()?;
    /// assert_eq!(ex.submit(|| 1)?.result(None)?, 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn builder() -> ThreadPoolExecutorBuilder {
        ThreadPoolExecutorBuilder::default()
    }

    /// The number of workers (`_max_workers`).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// assert_eq!(ThreadPoolExecutor::new(Some(4))?.max_workers(), 4);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn max_workers(&self) -> usize {
        self.shared.max_workers
    }

    /// `len(executor._threads)`: the worker threads running now. They
    /// start lazily, one per `submit` while none is idle, up to
    /// `max_workers`, and are gone once `shutdown(wait=True)` returned
    /// (CPython's list keeps the joined threads).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(4))?;
    /// assert_eq!(ex.live_threads(), 0);
    /// ex.submit(|| 1)?.result(None)?;
    /// assert_eq!(ex.live_threads(), 1);
    /// ex.shutdown(true, false);
    /// assert_eq!(ex.live_threads(), 0);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn live_threads(&self) -> usize {
        self.shared.pool.live_workers()
    }

    /// Schedules `f()` and returns its future. `f` may return a plain value
    /// or a `PyResult` (whose `Err` is re-raised by `result()`); a panic
    /// becomes `PanicException`.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
    /// use pyrt_executor::PyException;
    /// let ex = ThreadPoolExecutor::new(Some(2))?;
    /// assert_eq!(ex.submit(|| 6 * 7)?.result(None)?, 42);
    /// let f: Future<i32> = ex.submit(|| Err(PyException::ValueError("bad".into())))?;
    /// assert_eq!(f.result(None).unwrap_err().to_string(), "ValueError: bad");
    /// ex.shutdown(true, false);
    /// let e = ex.submit(|| 1).unwrap_err();
    /// assert_eq!(e.to_string(), "RuntimeError: cannot schedule new futures after shutdown");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn submit<F, R, T>(&self, f: F) -> PyResult<Future<T>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Send + 'static,
    {
        let shared = &self.shared;
        let down = shared.shutdown.read().ignore_poison();
        if let Some(broken) = shared.flags.broken.get() {
            return Err(broken.clone());
        }
        if *down {
            return Err(PyException::RuntimeError(
                "cannot schedule new futures after shutdown".into(),
            ));
        }
        if crate::exit::interpreter_shutdown() {
            return Err(PyException::RuntimeError(
                "cannot schedule new futures after interpreter shutdown".into(),
            ));
        }
        let (future, job) = Future::with_job(shared.origin.clone(), f);
        let origin = &shared.origin;
        origin.pool.submit_job(job);
        // `_adjust_thread_count`: a new worker unless an idle one is left.
        let started =
            origin.pool.all_started() || origin.take_idle() || origin.pool.start_worker().is_ok();
        drop(down);
        if !started {
            // As CPython's: raised after the call was queued (the workers
            // that run will still take it).
            return Err(PyException::RuntimeError("can't start new thread".into()));
        }
        if shared.spawn_error_pending.load(Ordering::Acquire) {
            let error = shared.spawn_error.lock().ignore_poison().take();
            shared.spawn_error_pending.store(false, Ordering::Release);
            if let Some(e) = error {
                return Err(e);
            }
        }
        Ok(future)
    }

    /// `Executor.map(fn, iterable, timeout=None, chunksize=1)`: submits every call now and
    /// yields results in order. An exception is raised (yielded as `Err`)
    /// when its item is reached, ending the iteration; a `timeout` counts
    /// from this call. As CPython's generator does in its `finally`, the
    /// iteration ending early (an exception, a `TimeoutError`, or dropping
    /// the iterator after its first `next`) cancels the calls not started
    /// yet; dropping an iterator never advanced cancels nothing.
    /// `chunksize` is accepted and ignored, as by CPython's
    /// `ThreadPoolExecutor` (any int, even a negative one).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// use pyrt_executor::PyResult;
    /// let ex = ThreadPoolExecutor::new(Some(2))?;
    /// let out: Vec<i32> = ex.map(|x: i32| x * 10, 1..4, None, None)?.collect::<PyResult<_>>()?;
    /// assert_eq!(out, [10, 20, 30]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn map<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<T>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        let _ = chunksize;
        let deadline = scheduler::deadline_after(timeout);
        let f = Arc::new(f);
        let futures = iterable
            .into_iter()
            .map(|item| {
                let f = f.clone();
                self.submit(move || f(item))
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(MapIter {
            source: Source::Items(futures.into()),
            deadline,
            executor_map: true,
            started: false,
        })
    }

    /// `map` with items grouped `chunksize` at a time into one task each;
    /// results come out one by one, in order. As CPython's `_process_chunk`
    /// (a list comprehension), a chunk whose call raises loses all its
    /// results: the iteration raises when it reaches that chunk.
    pub(crate) fn map_chunked<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        timeout: Option<Duration>,
        chunksize: usize,
    ) -> PyResult<MapIter<T>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        let deadline = scheduler::deadline_after(timeout);
        let f = Arc::new(f);
        let mut items = iterable.into_iter().peekable();
        let mut futures = VecDeque::new();
        while items.peek().is_some() {
            let chunk: Vec<I::Item> = items.by_ref().take(chunksize).collect();
            let f = f.clone();
            let chunk_future: Future<Vec<T>> = self.submit(move || {
                chunk
                    .into_iter()
                    .map(|item| call(|| f(item)))
                    .collect::<PyResult<Vec<T>>>()
            })?;
            futures.push_back(chunk_future);
        }
        Ok(MapIter {
            source: Source::Chunks {
                chunks: futures,
                current: Vec::new().into_iter(),
            },
            deadline,
            executor_map: true,
            started: false,
        })
    }

    /// `shutdown(wait=True, cancel_futures=False)`: no new submissions;
    /// with `cancel_futures`, queued calls are cancelled; with `wait`, returns
    /// once every running and queued call is done. Called from one of the
    /// executor's own workers it does not wait for itself. Nor does it wait
    /// when the wait could only end with the caller's own exit: a worker of
    /// another executor that this one's workers are waiting for already
    /// (two executors shutting each other down from inside, or a longer
    /// ring) returns at once, so the other waits end (CPython hangs there;
    /// its `Thread.join` raises `RuntimeError: cannot join current thread`
    /// for the one such wait it detects, a thread joining itself).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(1))?;
    /// let f = ex.submit(|| 1)?;
    /// ex.shutdown(true, false); // waits for the queued call
    /// assert!(f.done());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        let _ = self.shared.shutdown(wait, cancel_futures);
    }

    /// [`shutdown`](Self::shutdown), raising `RuntimeError: cannot join
    /// current thread` for a wait that could only end with the caller's own
    /// exit (`Pool.join()` raises it).
    pub(crate) fn try_shutdown(&self, wait: bool, cancel_futures: bool) -> PyResult<()> {
        self.shared.shutdown(wait, cancel_futures)
    }

    /// Runs `op` on one of the executor's workers and waits for it (the
    /// parallel loops inside `op` then run on this executor's workers).
    /// `None` if the executor was shut down with its queue cancelled
    /// before `op` started.
    pub(crate) fn try_install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> Option<R> {
        self.shared.pool.try_install(op)
    }

    /// Per-worker counters of the underlying scheduler.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(2))?;
    /// ex.submit(|| ())?.result(None)?;
    /// assert!(ex.stats().total_executed() >= 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn stats(&self) -> scheduler::PoolStats {
        self.shared.pool.stats()
    }
}

/// The iterator returned by [`ThreadPoolExecutor::map`].
///
/// ```
/// use pyrt_executor::concurrent::futures::{MapIter, ThreadPoolExecutor};
/// use pyrt_executor::PyException;
/// let ex = ThreadPoolExecutor::new(Some(2))?;
/// let mut it: MapIter<i32> = ex.map(|x: i32| if x == 1 { Err(PyException::ValueError("one".into())) } else { Ok(x) }, 0..3, None, None)?;
/// assert_eq!(it.next().unwrap()?, 0);
/// assert_eq!(it.next().unwrap().unwrap_err().to_string(), "ValueError: one"); // raised at its position
/// # Ok::<(), PyException>(())
/// ```
pub struct MapIter<T> {
    source: Source<T>,
    deadline: Option<scheduler::Instant>,
    /// `Executor.map`: ends at the first exception and cancels the calls
    /// left when it ends early. `Pool.imap` cancels nothing and, with
    /// `chunksize=1`, goes on after an exception.
    executor_map: bool,
    /// Whether `next` ran: only a started generator runs its `finally`.
    started: bool,
}

enum Source<T> {
    /// One future per item.
    Items(VecDeque<Future<T>>),
    /// One future per chunk of items (`chunksize > 1`).
    Chunks {
        chunks: VecDeque<Future<Vec<T>>>,
        current: std::vec::IntoIter<T>,
    },
}

impl<T> fmt::Debug for MapIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapIter").finish_non_exhaustive()
    }
}

impl<T> MapIter<T> {
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(scheduler::Instant::now()))
    }

    /// Ends the iteration; for `Executor.map` this is the generator's
    /// `finally`: cancel what is left.
    fn end(&mut self) {
        let cancel = self.executor_map;
        match &mut self.source {
            Source::Items(fs) => fs.drain(..).for_each(|f| {
                if cancel {
                    f.cancel();
                }
            }),
            Source::Chunks { chunks, current } => {
                chunks.drain(..).for_each(|f| {
                    if cancel {
                        f.cancel();
                    }
                });
                *current = Vec::new().into_iter();
            }
        }
    }
}

/// CPython's `_result_or_cancel`: a future whose `result` raised (a
/// timeout) is cancelled too, if it has not started.
fn result_or_cancel<U: Clone>(
    f: Future<U>,
    timeout: Option<Duration>,
    cancel: bool,
) -> PyResult<U> {
    let r = f.result(timeout);
    if r.is_err() && cancel {
        f.cancel();
    }
    r
}

impl<T: Clone> Iterator for MapIter<T> {
    type Item = PyResult<T>;

    fn next(&mut self) -> Option<PyResult<T>> {
        self.started = true;
        let timeout = self.remaining();
        let cancel = self.executor_map;
        let r = match &mut self.source {
            Source::Items(fs) => result_or_cancel(fs.pop_front()?, timeout, cancel),
            Source::Chunks { chunks, current } => loop {
                if let Some(v) = current.next() {
                    break Ok(v);
                }
                match result_or_cancel(chunks.pop_front()?, timeout, cancel) {
                    Ok(results) => *current = results.into_iter(),
                    Err(e) => break Err(e),
                }
            },
        };
        // A chunked `imap` is a generator over chunks in CPython: the
        // exception of a chunk ends it, so chunks always stop.
        let chunked = matches!(self.source, Source::Chunks { .. });
        if r.is_err() && (self.executor_map || chunked) {
            self.end();
        }
        Some(r)
    }
}

impl<T> Drop for MapIter<T> {
    fn drop(&mut self) {
        // A generator that never started has no `finally` to run.
        if self.started {
            self.end();
        }
    }
}
