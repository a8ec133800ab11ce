//! `concurrent.futures.ProcessPoolExecutor`, for transpiled code that asked
//! for processes: the same executor on our workers (threads share memory, so
//! nothing is pickled and closures may capture anything `Send`).

use std::fmt;
use std::time::Duration;

use super::future::Future;
use super::thread_pool::{MapIter, ThreadPoolExecutor};
use crate::exceptions::{IntoPyResult, PyException, PyResult};

/// `ProcessPoolExecutor(max_workers=None, initializer=None, initargs=())`
/// on threads. `max_workers=None` means `os.cpu_count()`.
///
/// ```
/// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
/// # fn main() -> pyrt_executor::PyResult<()> {
/// let ex = ProcessPoolExecutor::new(Some(2))?;
/// let squares: Vec<u32> = ex
///     .map(|x: u32| x * x, 0..5u32, None, Some(2))?
///     .collect::<Result<_, _>>()?;
/// assert_eq!(squares, vec![0, 1, 4, 9, 16]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ProcessPoolExecutor {
    inner: ThreadPoolExecutor,
}

impl fmt::Debug for ProcessPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolExecutor")
            .field("max_workers", &self.inner.max_workers())
            .finish()
    }
}

fn cpu_count() -> usize {
    scheduler::default_parallelism()
}

fn broken(_: &str) -> PyException {
    PyException::BrokenProcessPool(
        "A process in the process pool was terminated abruptly while the future was running or pending."
            .into(),
    )
}

impl ProcessPoolExecutor {
    /// The thread pool that runs this executor's calls.
    pub(crate) fn as_thread_pool(&self) -> &ThreadPoolExecutor {
        &self.inner
    }

    /// `ProcessPoolExecutor(max_workers)`, a Python int;
    /// `ValueError: max_workers must be greater than 0` if 0 or less.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// let ex = ProcessPoolExecutor::new(Some(2))?;
    /// assert_eq!(ex.max_workers(), 2);
    /// let e = ProcessPoolExecutor::new(Some(0)).unwrap_err();
    /// assert_eq!(e.to_string(), "ValueError: max_workers must be greater than 0");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new(max_workers: Option<i64>) -> PyResult<Self> {
        Self::with_initializer(max_workers, None::<fn()>)
    }

    /// `ProcessPoolExecutor(max_workers, initializer)`; a failing
    /// initializer breaks the pool (`BrokenProcessPool`).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// let ex = ProcessPoolExecutor::with_initializer(Some(1), Some(|| ()))?;
    /// assert_eq!(ex.submit(|| 6 * 7)?.result(None)?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn with_initializer<R>(
        max_workers: Option<i64>,
        initializer: Option<impl Fn() -> R + Send + Sync + 'static>,
    ) -> PyResult<Self>
    where
        R: IntoPyResult<()>,
    {
        let mut b = ThreadPoolExecutor::builder()
            .max_workers(max_workers)
            .thread_name_prefix("ProcessPoolExecutor")
            .default_workers(cpu_count)
            .broken_as(broken);
        if let Some(init) = initializer {
            b = b.initializer(init);
        }
        Ok(ProcessPoolExecutor { inner: b.build()? })
    }

    /// See [`ThreadPoolExecutor::submit`].
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// let ex = ProcessPoolExecutor::new(Some(1))?;
    /// assert_eq!(ex.submit(|| 6 * 7)?.result(None)?, 42);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn submit<F, R, T>(&self, f: F) -> PyResult<Future<T>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
        T: Send + 'static,
    {
        self.inner.submit(f)
    }

    /// `map(fn, iterable, timeout=None, chunksize=1)`: ordered results.
    /// `chunksize` groups items into one task each, as CPython does.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// use pyrt_executor::PyResult;
    /// let ex = ProcessPoolExecutor::new(Some(2))?;
    /// let out: Vec<u32> = ex.map(|x: u32| x * x, 0..6u32, None, Some(2))?.collect::<PyResult<_>>()?;
    /// assert_eq!(out, [0, 1, 4, 9, 16, 25]);
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
        let chunksize = chunksize.unwrap_or(1);
        if chunksize < 1 {
            return Err(PyException::ValueError("chunksize must be >= 1.".into()));
        }
        if chunksize == 1 {
            return self.inner.map(f, iterable, timeout, None);
        }
        let chunksize = usize::try_from(chunksize).unwrap_or(usize::MAX);
        self.inner.map_chunked(f, iterable, timeout, chunksize)
    }

    /// See [`ThreadPoolExecutor::shutdown`].
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// let ex = ProcessPoolExecutor::new(Some(1))?;
    /// let f = ex.submit(|| 1)?;
    /// ex.shutdown(true, false);
    /// assert_eq!(f.result(None)?, 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        self.inner.shutdown(wait, cancel_futures)
    }

    /// `len(executor._processes)`: the workers (threads here) running now,
    /// started on demand as CPython's spawn context does; see
    /// [`ThreadPoolExecutor::live_threads`].
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// let ex = ProcessPoolExecutor::new(Some(4))?;
    /// ex.submit(|| 6 * 7)?.result(None)?;
    /// assert_eq!(ex.live_processes(), 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn live_processes(&self) -> usize {
        self.inner.live_threads()
    }

    /// The number of workers.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
    /// assert_eq!(ProcessPoolExecutor::new(Some(3))?.max_workers(), 3);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn max_workers(&self) -> usize {
        self.inner.max_workers()
    }
}
