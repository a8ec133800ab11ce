//! `concurrent.futures.ThreadPoolExecutor` on our work-stealing scheduler.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
// loom's locks under `--cfg loom` (model-checked in `tests/loom_*.rs`).
#[cfg(loom)]
use loom::sync::{Mutex, RwLock};
#[cfg(not(loom))]
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use scheduler::ThreadPoolBuilder;

use super::future::{ExecFlags, Future, Origin};
use super::start_gate::StartGate;
use crate::exceptions::{call, IntoPyResult, PyException, PyResult};

const BROKEN_MESSAGE: &str = "A thread initializer failed, the thread pool is not usable anymore";

type Initializer = Arc<dyn Fn() -> PyResult<()> + Send + Sync>;

/// Options of `ThreadPoolExecutor(max_workers=None, thread_name_prefix='',
/// initializer=None, initargs=())`; `initargs` are captured by the closure.
#[derive(Default)]
pub struct ThreadPoolExecutorBuilder {
    max_workers: Option<usize>,
    thread_name_prefix: Option<String>,
    initializer: Option<Initializer>,
    default_workers: Option<fn() -> usize>,
    broken_message: Option<fn(&str) -> PyException>,
    spawner: Option<Arc<dyn scheduler::Spawner>>,
    eager_start: bool,
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
    /// `max_workers`; `None` means `min(32, os.cpu_count() + 4)`.
    pub fn max_workers(mut self, n: Option<usize>) -> Self {
        self.max_workers = n;
        self
    }

    /// Worker threads are named `{prefix}_{index}`.
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name_prefix = Some(prefix.into());
        self
    }

    /// Runs on each worker thread before its first task. If it raises (an
    /// `Err`, or a panic) the executor is broken: pending and later futures
    /// fail with `BrokenThreadPool`.
    pub fn initializer<R>(mut self, f: impl Fn() -> R + Send + Sync + 'static) -> Self
    where
        R: IntoPyResult<()>,
    {
        self.initializer = Some(Arc::new(move || call(&f)));
        self
    }

    /// How worker threads are started (default: std threads); see
    /// [`scheduler::Spawner`]. If it fails for a worker, the executor keeps
    /// the workers it has and the next `submit` raises
    /// `RuntimeError: can't start new thread`; if no worker starts, `build`
    /// raises it.
    ///
    /// ```
    /// use executor_api::concurrent::futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(2))
    ///     .spawner(scheduler::StdSpawner)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(ex.submit(|| 1 + 1).unwrap().result(None).unwrap(), 2);
    /// ```
    pub fn spawner(mut self, spawner: impl scheduler::Spawner) -> Self {
        self.spawner = Some(Arc::new(spawner));
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

    /// Run the initializers at once instead of at the first `submit`
    /// (`multiprocessing.Pool` starts its workers in its constructor).
    pub(crate) fn start_eagerly(mut self) -> Self {
        self.eager_start = true;
        self
    }

    /// Creates the executor and starts its workers.
    pub fn build(self) -> PyResult<ThreadPoolExecutor> {
        let max_workers = match self.max_workers {
            Some(0) => {
                return Err(PyException::ValueError(
                    "max_workers must be greater than 0".into(),
                ))
            }
            Some(n) => n,
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
        let mut builder = ThreadPoolBuilder::new()
            .num_threads(if scheduler::threads_supported() {
                max_workers
            } else {
                0
            })
            .thread_name_prefix(format!("{prefix}_"));
        if let Some(spawner) = self.spawner {
            builder = builder.spawner(move |start| spawner.spawn(start));
        }
        let gate = Arc::new(StartGate::default());
        if self.eager_start {
            gate.open();
        }
        if let Some(init) = self.initializer {
            let flags = flags.clone();
            let gate = gate.clone();
            builder = builder.start_handler(move |_| {
                gate.wait();
                if let Err(e) = init() {
                    eprintln!("Exception in initializer:\n{e}");
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
            }),
            pool,
            flags,
            gate,
            shutdown: RwLock::new(false),
            max_workers,
            spawn_error_pending: AtomicBool::new(spawn_error.is_some()),
            spawn_error: Mutex::new(spawn_error),
        });
        // At exit, `_python_exit`: the queue is finished and the workers
        // joined; meanwhile `submit` raises "after interpreter shutdown",
        // then "after shutdown" (CPython's workers set `_shutdown` on exit).
        crate::exit::register_executor(&shared, |s| {
            drop(s.shutdown.write().unwrap_or_else(|p| p.into_inner()));
            s.gate.open();
            s.pool.shutdown();
            s.pool.wait_for_workers();
            s.shutdown(true, false);
        });
        Ok(ThreadPoolExecutor { shared })
    }
}

/// CPython's default: `min(32, os.cpu_count() + 4)`.
pub fn default_max_workers() -> usize {
    (scheduler::default_parallelism() + 4).min(32)
}

struct Shared {
    pool: scheduler::ThreadPool,
    /// What each submitted future keeps of its executor.
    origin: Arc<Origin>,
    flags: Arc<ExecFlags>,
    /// Holds the initializers back until the first `submit`.
    gate: Arc<StartGate>,
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
        // Dropping the last handle is leaving the `with` block.
        self.shutdown(true, false);
    }
}

impl Shared {
    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        {
            let mut down = self.shutdown.write().unwrap_or_else(|p| p.into_inner());
            *down = true;
            if cancel_futures {
                self.flags.cancel_pending.store(true, Ordering::Release);
                self.pool.cancel_queued();
            }
        }
        self.gate.open();
        self.pool.shutdown();
        if wait {
            self.pool.wait_for_workers();
        }
    }
}

/// A pool of worker threads running submitted calls
/// (`concurrent.futures.ThreadPoolExecutor`).
///
/// A cheap `Clone` handle: tasks may hold one to submit more work. Dropping
/// the last handle is leaving Python's `with` block: `shutdown(wait=True)`.
///
/// ```
/// use executor_api::concurrent::futures::{Future, ThreadPoolExecutor};
/// # fn main() -> executor_api::PyResult<()> {
/// let ex = ThreadPoolExecutor::new(Some(4))?;
/// let f: Future<u64> = ex.submit(move || 6 * 7)?;
/// assert_eq!(f.result(None)?, 42);
/// let out: Vec<u64> = ex.map(|x: u64| x + 1, 0..10u64, None)?.collect::<Result<_, _>>()?;
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
    /// `ThreadPoolExecutor(max_workers)`; `None` means
    /// `min(32, os.cpu_count() + 4)`. `ValueError` if 0.
    pub fn new(max_workers: Option<usize>) -> PyResult<Self> {
        Self::builder().max_workers(max_workers).build()
    }

    /// A builder for the keyword options.
    pub fn builder() -> ThreadPoolExecutorBuilder {
        ThreadPoolExecutorBuilder::default()
    }

    /// The number of workers (`_max_workers`).
    pub fn max_workers(&self) -> usize {
        self.shared.max_workers
    }

    /// Schedules `f()` and returns its future. `f` may return a plain value
    /// or a `PyResult` (whose `Err` is re-raised by `result()`); a panic
    /// becomes `PanicException`.
    pub fn submit<F, R, T>(&self, f: F) -> PyResult<Future<T>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Send + 'static,
    {
        let shared = &self.shared;
        let down = shared.shutdown.read().unwrap_or_else(|p| p.into_inner());
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
        shared.origin.pool.spawn_job(job);
        shared.gate.open();
        drop(down);
        if shared.spawn_error_pending.load(Ordering::Acquire) {
            let error = shared
                .spawn_error
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            shared.spawn_error_pending.store(false, Ordering::Release);
            if let Some(e) = error {
                return Err(e);
            }
        }
        Ok(future)
    }

    /// `Executor.map(fn, iterable, timeout=None)`: submits every call now and
    /// yields results in order. An exception is raised (yielded as `Err`)
    /// when its item is reached, ending the iteration; a `timeout` counts
    /// from this call.
    pub fn map<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        timeout: Option<Duration>,
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
            stop_on_error: true,
            started: false,
        })
    }

    /// `map` with items grouped `chunksize` at a time into one task each;
    /// results come out one by one, in order.
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
            // One task per chunk; each item's outcome is kept so an exception
            // surfaces exactly when its item is reached.
            let chunk_future: Future<Vec<PyResult<T>>> = self.submit(move || {
                let mut out = Vec::with_capacity(chunk.len());
                for item in chunk {
                    let r = call(|| f(item));
                    let failed = r.is_err();
                    out.push(r);
                    if failed {
                        break;
                    }
                }
                out
            })?;
            futures.push_back(chunk_future);
        }
        Ok(MapIter {
            source: Source::Chunks {
                chunks: futures,
                current: Vec::new().into_iter(),
            },
            deadline,
            stop_on_error: true,
            started: false,
        })
    }

    /// `shutdown(wait=True, cancel_futures=False)`: no new submissions;
    /// with `cancel_futures`, queued calls are cancelled; with `wait`, returns
    /// once every running and queued call is done. Called from one of the
    /// executor's own workers it does not wait for itself.
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        self.shared.shutdown(wait, cancel_futures);
    }

    /// Runs `op` on one of the executor's workers and waits for it (the
    /// parallel loops inside `op` then run on this executor's workers).
    pub(crate) fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        self.shared.pool.install(op)
    }

    /// Per-worker counters of the underlying scheduler.
    pub fn stats(&self) -> scheduler::PoolStats {
        self.shared.pool.stats()
    }
}

/// The iterator returned by [`ThreadPoolExecutor::map`].
pub struct MapIter<T> {
    source: Source<T>,
    deadline: Option<scheduler::Instant>,
    /// `Executor.map` ends at the first exception; `Pool.imap` with
    /// `chunksize=1` goes on.
    stop_on_error: bool,
    /// A generator never started has no `finally` to run when dropped.
    started: bool,
}

enum Source<T> {
    /// One future per item.
    Items(VecDeque<Future<T>>),
    /// One future per chunk of items (`chunksize > 1`).
    Chunks {
        chunks: VecDeque<Future<Vec<PyResult<T>>>>,
        current: std::vec::IntoIter<PyResult<T>>,
    },
}

impl<T> fmt::Debug for MapIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapIter").finish_non_exhaustive()
    }
}

impl<T> MapIter<T> {
    /// Keep yielding after an exception (`Pool.imap`'s behaviour).
    pub(crate) fn continue_after_errors(mut self) -> Self {
        self.stop_on_error = false;
        self
    }

    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(scheduler::Instant::now()))
    }

    /// Like the generator's `finally`: cancel what is left.
    fn cancel_rest(&mut self) {
        match &mut self.source {
            Source::Items(fs) => fs.drain(..).for_each(|f| {
                f.cancel();
            }),
            Source::Chunks { chunks, current } => {
                chunks.drain(..).for_each(|f| {
                    f.cancel();
                });
                *current = Vec::new().into_iter();
            }
        }
    }
}

impl<T: Clone> Iterator for MapIter<T> {
    type Item = PyResult<T>;

    fn next(&mut self) -> Option<PyResult<T>> {
        self.started = true;
        let timeout = self.remaining();
        let r = match &mut self.source {
            Source::Items(fs) => fs.pop_front()?.result(timeout),
            Source::Chunks { chunks, current } => loop {
                if let Some(r) = current.next() {
                    break r;
                }
                match chunks.pop_front()?.result(timeout) {
                    Ok(results) => *current = results.into_iter(),
                    Err(e) => break Err(e),
                }
            },
        };
        // A chunked `imap` is a generator over chunks in CPython: the
        // exception of a chunk ends it, so chunks always stop.
        let chunked = matches!(self.source, Source::Chunks { .. });
        if r.is_err() && (self.stop_on_error || chunked) {
            self.cancel_rest();
        }
        Some(r)
    }
}

impl<T> Drop for MapIter<T> {
    fn drop(&mut self) {
        // `ex.map(f, items)` discarded unread still runs every call.
        if self.started {
            self.cancel_rest();
        }
    }
}
