//! `concurrent.futures.Executor`: what every executor offers, so that code
//! taking "any executor" (`loop.run_in_executor(executor, ...)`) can take a
//! [`ThreadPoolExecutor`] or a [`ProcessPoolExecutor`].

use super::{Future, ProcessPoolExecutor, ThreadPoolExecutor};
use crate::exceptions::PyResult;

/// A job handed to [`Executor::submit_job`]: it reports its own outcome
/// (e.g. by completing a [`Future`] of its own).
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// `concurrent.futures.Executor`, object-safe: `submit` of a job that
/// returns nothing (its future completes when the job ran). The typed
/// `submit` of each executor is built on the same queue.
///
/// ```
/// use pyrt_executor::concurrent::futures::{Executor, ProcessPoolExecutor, ThreadPoolExecutor};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// let ran = Arc::new(AtomicUsize::new(0));
/// let tp = ThreadPoolExecutor::new(Some(1))?;
/// let pp = ProcessPoolExecutor::new(Some(1))?;
/// let executors: [&dyn Executor; 2] = [&tp, &pp];
/// for ex in executors {
///     let ran = ran.clone();
///     ex.submit_job(Box::new(move || { ran.fetch_add(1, Ordering::SeqCst); }))?.result(None)?;
/// }
/// assert_eq!(ran.load(Ordering::SeqCst), 2);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub trait Executor: Send + Sync {
    /// `executor.submit(job)`: the errors of the executor's own `submit`
    /// (`RuntimeError: cannot schedule new futures after shutdown`, a
    /// broken pool).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::{Executor, ThreadPoolExecutor};
    /// let ex = ThreadPoolExecutor::new(Some(1))?;
    /// let exec: &dyn Executor = &ex;
    /// exec.submit_job(Box::new(|| ()))?.result(None)?;
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn submit_job(&self, job: Job) -> PyResult<Future<()>>;

    /// The thread pool behind this executor, if it is one of ours: calls
    /// for it are submitted directly, so their future is the executor's
    /// own (cancellable while queued, run by a waiter where nothing else
    /// can run it). `None` (the default) for other executors.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::{Executor, ProcessPoolExecutor};
    /// let ex = ProcessPoolExecutor::new(Some(1))?;
    /// assert!(Executor::thread_pool(&ex).is_some()); // ours: runs on a thread pool
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    fn thread_pool(&self) -> Option<&ThreadPoolExecutor> {
        None
    }
}

impl Executor for ThreadPoolExecutor {
    fn submit_job(&self, job: Job) -> PyResult<Future<()>> {
        self.submit(job)
    }

    fn thread_pool(&self) -> Option<&ThreadPoolExecutor> {
        Some(self)
    }
}

impl Executor for ProcessPoolExecutor {
    fn submit_job(&self, job: Job) -> PyResult<Future<()>> {
        self.submit(job)
    }

    fn thread_pool(&self) -> Option<&ThreadPoolExecutor> {
        Some(self.as_thread_pool())
    }
}
