//! `multiprocessing.pool`: `Pool` (and `ThreadPool`, the same) on our
//! workers (threads, not processes).
//!
//! `map` runs as one parallel loop with lazy binary splitting, so
//! `chunksize=None` adapts to the work (CPython's fixed chunks of
//! `len / (4 * processes)` cannot balance skewed items); an explicit
//! `chunksize` makes chunks of that size, as CPython does.

use crate::loom::IgnorePoison;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use super::imap::{IMap, IMapUnordered};
use crate::concurrent::futures::{Future, ThreadPoolExecutor};
use crate::exceptions::{call, IntoPyResult, PyException, PyResult};

/// `callback=` of the `*_async` methods: runs once with the result.
pub type Callback<T> = Box<dyn FnOnce(&T) + Send>;
/// `error_callback=` of the `*_async` methods: runs once with the error.
pub type ErrorCallback = Box<dyn FnOnce(&PyException) + Send>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Run,
    Close,
    Terminate,
}

/// Options of `Pool(processes=None, initializer=None, initargs=())`.
///
/// ```
/// use pyrt_executor::multiprocessing::Pool;
/// let pool = Pool::builder().processes(Some(2)).initializer(|| ()).build()?;
/// assert_eq!(pool.map(|x: u32| x + 1, [1, 2, 3], None)?, [2, 3, 4]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Default)]
pub struct PoolBuilder {
    processes: Option<i64>,
    maxtasksperchild: Option<i64>,
    initializer: Option<Arc<dyn Fn() -> PyResult<()> + Send + Sync>>,
}

impl fmt::Debug for PoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("processes", &self.processes)
            .finish_non_exhaustive()
    }
}

impl PoolBuilder {
    /// Number of workers; `None` means `os.cpu_count()`; below 1 is
    /// `ValueError: Number of processes must be at least 1` from `build`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let e = Pool::builder().processes(Some(0)).build().unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: Number of processes must be at least 1");
    /// assert_eq!(Pool::builder().processes(Some(3)).build()?.processes(), 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn processes(mut self, n: Option<i64>) -> Self {
        self.processes = n;
        self
    }

    /// `maxtasksperchild=`: below 1 is `ValueError: maxtasksperchild must
    /// be a positive int or None` from `build`. The workers are threads
    /// and are not replaced after that many tasks (a fresh thread would
    /// free nothing a process exit frees).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let e = Pool::builder().maxtasksperchild(Some(0)).build().unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: maxtasksperchild must be a positive int or None");
    /// let pool = Pool::builder().processes(Some(2)).maxtasksperchild(Some(1)).build()?;
    /// assert_eq!(pool.apply(|| 6 * 7)?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn maxtasksperchild(mut self, n: Option<i64>) -> Self {
        self.maxtasksperchild = n;
        self
    }

    /// Runs on each worker before its first task (`initargs` are captured).
    /// If it raises (an `Err` or a panic), the exception is reported
    /// (`Exception in initializer:` on the `concurrent.futures` logger) and
    /// the pool is broken: no task runs on a worker that was not
    /// initialized, and every call not finished yet, and every later one,
    /// fails with `BrokenProcessPool`. CPython's `ThreadPool` worker dies of
    /// the exception and the pool replaces it, again and again; with an
    /// initializer that always fails no task ever runs there and `map`
    /// waits forever, which is where we raise instead. (An initializer that
    /// fails only sometimes would get a working replacement in CPython;
    /// ours breaks the pool at the first failure.)
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::{PyClass, PyException};
    /// let pool = Pool::builder()
    ///     .processes(Some(2))
    ///     .initializer(|| Err::<(), _>(PyException::ValueError("no".into())))
    ///     .build()?;
    /// let e = pool.map(|x: u32| x, 0..10u32, None).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::BrokenProcessPool));
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn initializer<R>(mut self, f: impl Fn() -> R + Send + Sync + 'static) -> Self
    where
        R: IntoPyResult<()>,
    {
        self.initializer = Some(Arc::new(move || call(&f)));
        self
    }

    /// Starts the pool.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::builder().processes(Some(2)).build()?;
    /// assert_eq!(pool.apply(|| 6 * 7)?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn build(self) -> PyResult<Pool> {
        let processes = match self.processes {
            Some(n) if n < 1 => {
                return Err(PyException::ValueError(
                    "Number of processes must be at least 1".into(),
                ))
            }
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => super::cpu_count(),
        };
        if matches!(self.maxtasksperchild, Some(n) if n <= 0) {
            return Err(PyException::ValueError(
                "maxtasksperchild must be a positive int or None".into(),
            ));
        }
        let mut b = ThreadPoolExecutor::builder()
            .max_workers(Some(i64::try_from(processes).unwrap_or(i64::MAX)))
            .thread_name_prefix("ForkPoolWorker")
            .start_eagerly();
        let stop = Arc::new(Stop::default());
        if let Some(init) = self.initializer {
            let stop = stop.clone();
            b = b
                .initializer(move || {
                    let r = init();
                    if r.is_err() {
                        let _ = stop.broken.set(broken_pool());
                    }
                    r
                })
                .broken_as(|_| broken_pool());
        }
        Ok(Pool {
            exec: b.build()?,
            state: Mutex::new(State::Run),
            stop,
            processes,
        })
    }
}

/// `multiprocessing.pool.ThreadPool(processes=None)`: the same pool (ours
/// are always threads).
///
/// ```
/// use pyrt_executor::multiprocessing::pool::ThreadPool;
/// let pool = ThreadPool::new(Some(2))?;
/// assert_eq!(pool.map(|x: i32| x + 1, vec![1, 2], None)?, vec![2, 3]);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub type ThreadPool = Pool;

/// A pool of workers (`multiprocessing.Pool`). Dropping it is leaving the
/// `with` block: `terminate()`.
///
/// ```
/// use pyrt_executor::multiprocessing::Pool;
/// # fn main() -> pyrt_executor::PyResult<()> {
/// let pool = Pool::new(Some(2))?;
/// let out: Vec<u64> = pool.map(|x: u64| x * x, 0..1000u64, None)?;
/// assert_eq!(out[999], 998_001);
/// # Ok(()) }
/// ```
pub struct Pool {
    exec: ThreadPoolExecutor,
    state: Mutex<State>,
    /// What stops the items of a running `map`.
    stop: Arc<Stop>,
    processes: usize,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<multiprocessing.pool.Pool state={:?} pool_size={}>",
            *self.state.lock().ignore_poison(),
            self.processes
        )
    }
}

/// What stops the items of a running `map` that have not started yet.
#[derive(Default)]
struct Stop {
    /// Set by `terminate()`: they are skipped.
    terminated: AtomicBool,
    /// Set when an initializer failed: they fail with this.
    broken: OnceLock<PyException>,
}

/// The error of every call on a pool whose initializer failed.
fn broken_pool() -> PyException {
    PyException::BrokenProcessPool(
        "A worker initializer failed, the pool is not usable anymore".into(),
    )
}

/// Runs `f` over `items` as CPython's `Pool.map` does: every chunk runs,
/// even after one raised; a chunk stops at its first exception (CPython's
/// `mapstar` is `list(map(...))`), and the exception raised is the first
/// one to happen (`MapResult._set` keeps the first failure in completion
/// order; with one worker, or chunks finishing in order, that is the first
/// by position). Items not started when the pool is terminated are skipped
/// and the map raises `CancelledError` (CPython's result would never be
/// ready: `get()` would hang).
fn run_map<X, F, R, T>(
    items: Vec<X>,
    chunksize: Option<usize>,
    f: &F,
    stop: &Stop,
) -> PyResult<Vec<T>>
where
    X: Send,
    F: Fn(X) -> R + Sync,
    R: IntoPyResult<T>,
    T: Send,
{
    let first_error = Mutex::new(None::<PyException>);
    let fail = |e: PyException| {
        let mut first = first_error.lock().ignore_poison();
        first.get_or_insert(e);
    };
    let skipped = AtomicBool::new(false);
    let run = |x: X| -> PyResult<T> {
        if let Some(broken) = stop.broken.get() {
            // Never run on a worker whose initializer failed.
            return Err(broken.clone());
        }
        if stop.terminated.load(Ordering::Acquire) {
            skipped.store(true, Ordering::Relaxed);
            return Err(PyException::cancelled());
        }
        call(|| f(x))
    };
    let values: Vec<T> = match chunksize {
        // Every item runs; results are written in place when they fit.
        None => match scheduler::try_map_vec_all(items, None, run) {
            Ok(values) => values,
            Err(e) => {
                fail(e.error);
                Vec::new()
            }
        },
        Some(size) => {
            let mut items = items.into_iter().peekable();
            let mut chunks = Vec::new();
            while items.peek().is_some() {
                chunks.push(items.by_ref().take(size).collect::<Vec<X>>());
            }
            scheduler::map_vec(chunks, Some(1), |chunk| {
                chunk
                    .into_iter()
                    .map(&run)
                    .collect::<PyResult<Vec<T>>>()
                    .map_err(fail)
                    .unwrap_or_default()
            })
            .into_iter()
            .flatten()
            .collect()
        }
    };
    if skipped.into_inner() {
        return Err(PyException::cancelled());
    }
    match first_error.into_inner().ignore_poison() {
        Some(e) => Err(e),
        None => Ok(values),
    }
}

/// `chunksize` of `map`/`starmap` and their `_async` forms: CPython's
/// `_get_tasks` slices the iterable with `islice`, which refuses a negative
/// size; 0 is refused as `imap` does (CPython's `MapResult` would hang).
fn check_chunksize(chunksize: Option<i64>) -> PyResult<Option<usize>> {
    match chunksize {
        Some(n) if n < 0 => Err(PyException::ValueError(
            "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.".into(),
        )),
        Some(0) => Err(PyException::ValueError(
            "Chunksize must be 1+, not 0".into(),
        )),
        Some(n) => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        None => Ok(None),
    }
}

/// `chunksize` of `imap`/`imap_unordered` (default 1): `ValueError:
/// Chunksize must be 1+, not N` below 1, as in CPython.
fn check_imap_chunksize(chunksize: Option<i64>) -> PyResult<usize> {
    match chunksize.unwrap_or(1) {
        n if n < 1 => Err(PyException::ValueError(format!(
            "Chunksize must be 1+, not {n}"
        ))),
        n => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

impl Pool {
    /// `Pool(processes)`; `None` means `os.cpu_count()`; below 1 is
    /// `ValueError: Number of processes must be at least 1`.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(2))?; // Pool(2)
    /// assert_eq!(pool.processes(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(processes: Option<i64>) -> PyResult<Pool> {
        Self::builder().processes(processes).build()
    }

    /// A builder for the keyword options.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::builder().processes(Some(1)).build()?;
    /// assert_eq!(pool.apply(|| "hi")?, "hi");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// Number of workers.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// assert_eq!(Pool::new(Some(3))?.processes(), 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn processes(&self) -> usize {
        self.processes
    }

    /// `with pool:` (`Pool.__enter__`): `ValueError: Pool not running`
    /// once the pool was closed or terminated. Leaving the block is
    /// `terminate()` (dropping the pool does it too).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// {
    ///     let p = pool.enter()?;
    ///     assert_eq!(p.apply(|| 1)?, 1);
    ///     p.terminate(); // __exit__
    /// }
    /// assert_eq!(pool.enter().unwrap_err().to_string(), "ValueError: Pool not running");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn enter(&self) -> PyResult<&Pool> {
        self.check_running()?;
        Ok(self)
    }

    /// Submits `f` to the workers; a `close()`/`terminate()` that won the
    /// race against this call is `ValueError: Pool not running`, as the
    /// caller's own check would have said a moment later.
    fn submit<F, R, T>(&self, f: F) -> PyResult<Future<T>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Send + 'static,
    {
        self.exec.submit(f).map_err(|e| match self.check_running() {
            Err(not_running) => not_running,
            Ok(()) => e,
        })
    }

    fn check_running(&self) -> PyResult<()> {
        match *self.state.lock().ignore_poison() {
            State::Run => Ok(()),
            _ => Err(PyException::ValueError("Pool not running".into())),
        }
    }

    /// `map(func, iterable, chunksize=None)`: results in order. Every item
    /// runs even if some raise (a chunk of an explicit `chunksize` stops at
    /// its first exception, as in CPython); then the first exception to
    /// happen is raised (by position when the chunks finish in order, e.g.
    /// with one worker).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::{PyException, PyResult};
    /// let pool = Pool::new(Some(2))?;
    /// assert_eq!(pool.map(|x: u64| x * x, 0..5u64, None)?, [0, 1, 4, 9, 16]);
    /// // A raising call: the first exception is raised, after every item ran.
    /// let r: PyResult<Vec<u64>> =
    ///     pool.map(|x: u64| if x == 3 { Err(PyException::ValueError("3".into())) } else { Ok(x) }, 0..5u64, Some(1));
    /// let e = r.unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: 3");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn map<F, I, R, T>(&self, f: F, iterable: I, chunksize: Option<i64>) -> PyResult<Vec<T>>
    where
        F: Fn(I::Item) -> R + Sync,
        I: IntoIterator,
        I::Item: Send,
        R: IntoPyResult<T>,
        T: Send,
    {
        self.check_running()?;
        let chunksize = check_chunksize(chunksize)?;
        let items: Vec<I::Item> = iterable.into_iter().collect();
        let stop = &*self.stop;
        // `terminate()` racing this call may drop the loop before it starts.
        self.exec
            .try_install(|| run_map(items, chunksize, &f, stop))
            .unwrap_or_else(|| Err(PyException::cancelled()))
    }

    /// `map` over an iterable that may raise: an `Err` item is the
    /// iterable raising, and `map` raises it (nothing is run: CPython makes
    /// a list of an iterable without `__len__` first).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::PyException;
    /// let pool = Pool::new(Some(2))?;
    /// let items = (0..5).map(|i| if i == 3 { Err(PyException::ValueError("when".into())) } else { Ok(i) });
    /// let e = pool.try_map(|x: i32| x * x, items, Some(1)).unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: when");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn try_map<F, I, X, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<Vec<T>>
    where
        F: Fn(X) -> R + Sync,
        I: IntoIterator<Item = PyResult<X>>,
        X: Send,
        R: IntoPyResult<T>,
        T: Send,
    {
        self.check_running()?;
        check_chunksize(chunksize)?;
        let items = iterable.into_iter().collect::<PyResult<Vec<X>>>()?;
        self.map(f, items, chunksize)
    }

    /// `imap` over an iterable that may raise (an `Err` item): the results
    /// of the whole chunks before the error, then the error, which ends the
    /// iteration (the chunk being built when it was raised is lost, as in
    /// CPython). Lazy, as [`imap`](Self::imap).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::PyException;
    /// let pool = Pool::new(Some(2))?;
    /// let items = (0..20).map(|i| if i == 7 { Err(PyException::ValueError("when".into())) } else { Ok(i) });
    /// let out: Vec<_> = pool.try_imap(|x: i32| x * x, items, Some(2))?.collect();
    /// assert_eq!(out.len(), 7); // 6 results, then the error
    /// assert_eq!(out[6].as_ref().unwrap_err().to_string(), "ValueError: when");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn try_imap<F, I, X, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<IMap<T>>
    where
        F: Fn(X) -> R + Send + Sync + 'static,
        I: IntoIterator<Item = PyResult<X>>,
        I::IntoIter: Send + 'static,
        X: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.check_running()?;
        let chunksize = check_imap_chunksize(chunksize)?;
        Ok(IMap::new(
            self.exec.clone(),
            f,
            iterable.into_iter(),
            chunksize,
            self.read_ahead(),
        ))
    }

    /// `imap_unordered` over an iterable that may raise (an `Err` item):
    /// the results of the whole chunks before the error in completion
    /// order, then the error. Lazy, as [`imap`](Self::imap).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::PyResult;
    /// let pool = Pool::new(Some(2))?;
    /// let items = (1..=4).map(Ok);
    /// let mut out: Vec<i32> = pool.try_imap_unordered(|x: i32| x * 10, items, None)?.collect::<PyResult<_>>()?;
    /// out.sort();
    /// assert_eq!(out, [10, 20, 30, 40]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn try_imap_unordered<F, I, X, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<IMapUnordered<T>>
    where
        F: Fn(X) -> R + Send + Sync + 'static,
        I: IntoIterator<Item = PyResult<X>>,
        I::IntoIter: Send + 'static,
        X: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.check_running()?;
        let chunksize = check_imap_chunksize(chunksize)?;
        Ok(IMapUnordered::new(
            self.exec.clone(),
            f,
            iterable.into_iter(),
            chunksize,
            self.read_ahead(),
        ))
    }

    /// How many chunks `imap`/`imap_unordered` keep submitted ahead of the
    /// consumer (beyond CPython, whose feeder reads without bound).
    fn read_ahead(&self) -> usize {
        self.processes.saturating_mul(8).clamp(64, 4096)
    }

    /// `starmap(func, iterable, chunksize=None)`: `func` takes each item's
    /// tuple (Python unpacks it into arguments).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(2))?;
    /// // pool.starmap(pow, [(2, 3), (3, 2)])
    /// let out = pool.starmap(|(b, e): (u32, u32)| b.pow(e), [(2, 3), (3, 2)], None)?;
    /// assert_eq!(out, [8, 9]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn starmap<F, I, R, T>(&self, f: F, iterable: I, chunksize: Option<i64>) -> PyResult<Vec<T>>
    where
        F: Fn(I::Item) -> R + Sync,
        I: IntoIterator,
        I::Item: Send,
        R: IntoPyResult<T>,
        T: Send,
    {
        self.map(f, iterable, chunksize)
    }

    /// `apply(func, args=(), kwds={})`: runs `f` on a worker and waits.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::{PyException, PyResult};
    /// let pool = Pool::new(Some(1))?;
    /// assert_eq!(pool.apply(|| 6 * 7)?, 42);
    /// let r: PyResult<i32> = pool.apply(|| Err(PyException::KeyError("'k'".into())));
    /// let e = r.unwrap_err();
    /// assert_eq!(e.to_string(), "KeyError: 'k'");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn apply<F, R, T>(&self, f: F) -> PyResult<T>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.check_running()?;
        self.submit(f)?.result(None)
    }

    /// `apply_async(func, args=(), kwds={}, callback=None,
    /// error_callback=None)`. Callbacks run before `get()` returns.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use std::sync::mpsc;
    /// let pool = Pool::new(Some(1))?;
    /// let (tx, rx) = mpsc::channel();
    /// let r = pool.apply_async(|| 6 * 7, Some(Box::new(move |v: &i32| tx.send(*v).unwrap())), None)?;
    /// assert_eq!(r.get(None)?, 42);
    /// assert_eq!(rx.recv().unwrap(), 42); // the callback ran before get() returned
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn apply_async<F, R, T>(
        &self,
        f: F,
        callback: Option<Callback<T>>,
        error_callback: Option<ErrorCallback>,
    ) -> PyResult<AsyncResult<T>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.check_running()?;
        let inner = self.submit(f)?;
        Ok(AsyncResult::new(inner, callback, error_callback))
    }

    /// `map_async(func, iterable, chunksize=None, callback=None,
    /// error_callback=None)`: see [`map`](Self::map) for which exception
    /// `get()` raises.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(2))?;
    /// let r = pool.map_async(|x: i32| x + 1, vec![1, 2, 3], None, None, None)?;
    /// assert_eq!(r.get(None)?, [2, 3, 4]);
    /// assert!(r.successful()?);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn map_async<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
        callback: Option<Callback<Vec<T>>>,
        error_callback: Option<ErrorCallback>,
    ) -> PyResult<AsyncResult<Vec<T>>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.check_running()?;
        let chunksize = check_chunksize(chunksize)?;
        let items: Vec<I::Item> = iterable.into_iter().collect();
        let stop = self.stop.clone();
        let inner = self.submit(move || run_map(items, chunksize, &f, &stop))?;
        Ok(AsyncResult::new(inner, callback, error_callback))
    }

    /// `starmap_async(...)`: see [`starmap`](Self::starmap).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(2))?;
    /// let r = pool.starmap_async(|(a, b): (i32, i32)| a * b, vec![(1, 2), (3, 4)], None, None, None)?;
    /// assert_eq!(r.get(None)?, [2, 12]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn starmap_async<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
        callback: Option<Callback<Vec<T>>>,
        error_callback: Option<ErrorCallback>,
    ) -> PyResult<AsyncResult<Vec<T>>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.map_async(f, iterable, chunksize, callback, error_callback)
    }

    /// `imap(func, iterable, chunksize=1)`: results in order, as they come.
    /// A raising call yields its `Err` at its position; iteration goes on
    /// (with `chunksize > 1` a raising chunk ends it, as in CPython). Lazy:
    /// the input is read a bounded window of chunks ahead of the consumer,
    /// so an endless input works (see [`IMap`]).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::PyResult;
    /// let pool = Pool::new(Some(2))?;
    /// let out: Vec<i32> = pool.imap(|x: i32| x * 2, 0..4, None)?.collect::<PyResult<_>>()?;
    /// assert_eq!(out, [0, 2, 4, 6]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn imap<F, I, R, T>(&self, f: F, iterable: I, chunksize: Option<i64>) -> PyResult<IMap<T>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.try_imap(f, iterable.into_iter().map(Ok), chunksize)
    }

    /// `imap_unordered(func, iterable, chunksize=1)`: results in completion
    /// order. Lazy, as [`imap`](Self::imap).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// use pyrt_executor::PyResult;
    /// let pool = Pool::new(Some(2))?;
    /// let mut out: Vec<i32> = pool.imap_unordered(|x: i32| x * 2, 0..4, None)?.collect::<PyResult<_>>()?;
    /// out.sort();
    /// assert_eq!(out, [0, 2, 4, 6]);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn imap_unordered<F, I, R, T>(
        &self,
        f: F,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<IMapUnordered<T>>
    where
        F: Fn(I::Item) -> R + Send + Sync + 'static,
        I: IntoIterator,
        I::IntoIter: Send + 'static,
        I::Item: Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Clone + Send + 'static,
    {
        self.try_imap_unordered(f, iterable.into_iter().map(Ok), chunksize)
    }

    /// Per-worker counters of the underlying scheduler (not in Python).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(2))?;
    /// pool.map(|x: i32| x, 0..100, None)?;
    /// assert_eq!(pool.stats().workers.len(), 2);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn stats(&self) -> scheduler::PoolStats {
        self.exec.stats()
    }

    /// `close()`: no more tasks; the workers exit once the queued ones ran.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// let r = pool.apply_async(|| 1, None, None)?;
    /// pool.close();
    /// pool.join()?; // the queued call still runs
    /// assert_eq!(r.get(None)?, 1);
    /// assert_eq!(pool.apply(|| 2).unwrap_err().to_string(), "ValueError: Pool not running");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn close(&self) {
        let mut st = self.state.lock().ignore_poison();
        if *st == State::Run {
            *st = State::Close;
            self.exec.shutdown(false, false);
        }
    }

    /// `terminate()`: no more tasks; queued ones are dropped, and so are
    /// the items of a running `map`/`map_async` not started yet (its result
    /// raises `CancelledError`; CPython's would never be ready). Running
    /// calls finish (threads cannot be killed).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// pool.terminate();
    /// pool.join()?;
    /// assert_eq!(pool.apply(|| 1).unwrap_err().to_string(), "ValueError: Pool not running");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn terminate(&self) {
        *self.state.lock().ignore_poison() = State::Terminate;
        self.stop.terminated.store(true, Ordering::Release);
        self.exec.shutdown(false, true);
    }

    /// `join()`: waits for the workers to exit; `ValueError: Pool is still
    /// running` unless `close()` or `terminate()` was called;
    /// `RuntimeError: cannot join current thread` if the wait could only end
    /// with the caller's own exit (a worker of another pool that this pool's
    /// workers wait for already: see [`ThreadPoolExecutor::shutdown`]).
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// assert_eq!(pool.join().unwrap_err().to_string(), "ValueError: Pool is still running");
    /// pool.close();
    /// pool.join()?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn join(&self) -> PyResult<()> {
        if *self.state.lock().ignore_poison() == State::Run {
            return Err(PyException::ValueError("Pool is still running".into()));
        }
        // A join that could only end with the caller's own exit (two pools
        // joining each other from inside) raises instead of hanging.
        self.exec.try_shutdown(true, false)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// A `callback=`/`error_callback=` raised. CPython's result-handler thread
/// dies of it (the pool then hangs); we log it on the `multiprocessing`
/// logger ([`crate::report`]) and go on.
fn report_callback_failure(message: &str, e: &PyException) {
    crate::report::log_exception(
        crate::report::MULTIPROCESSING_LOGGER,
        log::Level::Error,
        message,
        e,
    );
}

/// The result of `apply_async`/`map_async` (`multiprocessing.pool.AsyncResult`).
///
/// ```
/// use pyrt_executor::multiprocessing::Pool;
/// let pool = Pool::new(Some(1))?;
/// let r = pool.apply_async(|| "done", None, None)?;
/// r.wait(None);
/// assert!(r.ready());
/// assert_eq!(r.get(None)?, "done");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct AsyncResult<T> {
    /// The call itself, on the pool.
    inner: Future<T>,
    /// Completed after the callbacks ran, so `get()` sees their effects.
    ready: Future<T>,
}

impl<T> fmt::Debug for AsyncResult<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<multiprocessing.pool.ApplyResult object>")
    }
}

impl<T: Clone + Send + 'static> AsyncResult<T> {
    fn new(
        inner: Future<T>,
        callback: Option<Callback<T>>,
        error_callback: Option<ErrorCallback>,
    ) -> Self {
        let ready = Future::new();
        let _ = ready.set_running_or_notify_cancel();
        let target = ready.clone();
        let pending = inner.clone();
        inner.add_done_callback(move |done| {
            let outcome = done.result(Some(Duration::ZERO));
            match &outcome {
                Ok(v) => {
                    if let Some(cb) = callback {
                        if let Err(e) = call(|| cb(v)) {
                            report_callback_failure("Exception in callback:", &e);
                        }
                    }
                }
                Err(e) => {
                    if let Some(cb) = error_callback {
                        if let Err(e) = call(|| cb(e)) {
                            report_callback_failure("Exception in error_callback:", &e);
                        }
                    }
                }
            }
            let _ = match outcome {
                Ok(v) => target.set_result(v),
                Err(e) => target.set_exception(e),
            };
        });
        AsyncResult {
            inner: pending,
            ready,
        }
    }

    /// Waits for the call on its pool first (so a pool without workers runs
    /// it here), then for the callbacks that complete `ready`.
    fn wait_ready(&self, timeout: Option<Duration>) {
        let deadline = scheduler::deadline_after(timeout);
        let _ = self.inner.exception(timeout);
        let left = deadline.map(|d| d.saturating_duration_since(scheduler::Instant::now()));
        let _ = self.ready.exception(left);
    }

    /// `get(timeout=None)`: the value, or the call's exception;
    /// `multiprocessing.TimeoutError` ([`PyException::MpTimeoutError`], not
    /// the builtin `TimeoutError`) if not ready in time.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::{AsyncResult, Pool};
    /// use pyrt_executor::PyException;
    /// let pool = Pool::new(Some(1))?;
    /// let r: AsyncResult<i32> = pool.apply_async(|| Err(PyException::ValueError("bad".into())), None, None)?;
    /// assert_eq!(r.get(None).unwrap_err().to_string(), "ValueError: bad");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn get(&self, timeout: Option<Duration>) -> PyResult<T> {
        self.wait_ready(timeout);
        if !self.ready() {
            return Err(PyException::MpTimeoutError(String::new()));
        }
        self.ready.result(Some(Duration::ZERO))
    }

    /// `wait(timeout=None)`: waits until ready or the timeout.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// let r = pool.apply_async(|| 1, None, None)?;
    /// r.wait(None);
    /// assert!(r.ready());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn wait(&self, timeout: Option<Duration>) {
        self.wait_ready(timeout);
    }

    /// `ready()`: whether the call completed.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::Pool;
    /// let pool = Pool::new(Some(1))?;
    /// let r = pool.apply_async(|| 1, None, None)?;
    /// r.get(None)?;
    /// assert!(r.ready());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn ready(&self) -> bool {
        self.ready.done()
    }

    /// `successful()`: whether it completed without raising; `ValueError`
    /// if it is not ready yet.
    ///
    /// ```
    /// use pyrt_executor::multiprocessing::{AsyncResult, Pool};
    /// use pyrt_executor::PyException;
    /// let pool = Pool::new(Some(1))?;
    /// let r: AsyncResult<i32> = pool.apply_async(|| Err(PyException::ValueError("x".into())), None, None)?;
    /// r.wait(None);
    /// assert!(!r.successful()?);
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn successful(&self) -> PyResult<bool> {
        if !self.ready() {
            return Err(PyException::ValueError(format!("{self:?} not ready")));
        }
        Ok(matches!(self.ready.exception(None), Ok(None)))
    }
}
