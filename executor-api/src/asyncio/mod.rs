//! The `asyncio` bridge: `run_in_executor`, `to_thread`, `wrap_future`,
//! `gather`, `sleep`, `wait_for`, `shield` and `run`, returning ordinary `std::future::Future`s.
//!
//! A [`Future`] of ours already
//! implements `std::future::Future` (output `PyResult<T>`), so the bridge is
//! thin: what Python hands to the event loop's executor we submit to a
//! [`ThreadPoolExecutor`], and the caller awaits the result from any async
//! runtime — `futures_lite::future::block_on`, tokio, or our own pool, which
//! runs futures as tasks too (`pyrt_scheduler::ThreadPool::spawn_future`).
//!
//! ```
//! use pyrt_executor::asyncio;
//! let total = asyncio::run(async {
//!     let a = asyncio::to_thread(|| 20u64);
//!     let b = asyncio::run_in_executor(None, || 22u64);
//!     let both = asyncio::gather(vec![a, b]).await;
//!     both.into_iter().map(|r| r.unwrap()).sum::<u64>()
//! });
//! assert_eq!(total, 42);
//! ```

mod gather;
mod timeouts;

use std::sync::OnceLock;

use crate::concurrent::futures::{Executor, Future, ThreadPoolExecutor};
use crate::exceptions::call;
use crate::{IntoPyResult, PyClass};

pub use gather::{gather, Gather};
pub use timeouts::{shield, sleep, wait_for, Sleep, WaitFor};

/// `asyncio.TimeoutError`: since Python 3.11 the builtin `TimeoutError`
/// (what [`wait_for`] raises).
///
/// ```
/// use pyrt_executor::asyncio;
/// use pyrt_executor::PyException;
/// assert!(PyException::TimeoutError(String::new()).is_instance_of(&asyncio::TimeoutError));
/// ```
#[allow(non_upper_case_globals)]
pub const TimeoutError: PyClass = PyClass::TimeoutError;

/// The loop's default executor (`loop.run_in_executor(None, ...)`): a
/// `ThreadPoolExecutor` with CPython's default size, made on first use.
///
/// ```
/// let ex = pyrt_executor::asyncio::default_executor();
/// assert!(ex.max_workers() >= 1);
/// assert_eq!(ex.submit(|| 1)?.result(None)?, 1);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn default_executor() -> &'static ThreadPoolExecutor {
    static DEFAULT: OnceLock<ThreadPoolExecutor> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        ThreadPoolExecutor::builder()
            .thread_name_prefix("asyncio")
            .build()
            .expect("the default executor starts")
    })
}

/// `loop.run_in_executor(executor, func, *args)`: submits `f` now to any
/// [`Executor`] (a `ThreadPoolExecutor`, a `ProcessPoolExecutor`) and
/// returns a future of its result, to be awaited. `None` uses
/// [`default_executor`]. For our executors that is the call's own future
/// (cancelling it while queued cancels the call); another [`Executor`]'s
/// job completes a future of its own. If the executor refuses (shut down),
/// the future holds that error.
///
/// ```
/// use pyrt_executor::asyncio::{run, run_in_executor};
/// use pyrt_executor::concurrent::futures::ProcessPoolExecutor;
/// let ex = ProcessPoolExecutor::new(Some(1))?;
/// assert_eq!(run(run_in_executor(Some(&ex), || 6 * 7))?, 42);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn run_in_executor<F, R, T>(executor: Option<&dyn Executor>, f: F) -> Future<T>
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<T> + 'static,
    T: Send + 'static,
{
    let ex: &dyn Executor = executor.unwrap_or_else(|| default_executor());
    if let Some(pool) = ex.thread_pool() {
        // One of ours: the call's own future, cancellable while queued.
        return pool.submit(f).unwrap_or_else(|e| {
            let failed = Future::new();
            let _ = failed.set_exception(e);
            failed
        });
    }
    let out = Future::new();
    let _ = out.set_running_or_notify_cancel();
    let target = out.clone();
    let job = Box::new(move || {
        let _ = match call(f) {
            Ok(v) => target.set_result(v),
            Err(e) => target.set_exception(e),
        };
    });
    if let Err(e) = ex.submit_job(job) {
        let _ = out.set_exception(e);
    }
    out
}

/// `asyncio.to_thread(func, *args)`: runs `f` on the default executor.
///
/// ```
/// use pyrt_executor::asyncio::{run, to_thread};
/// let v = run(async { to_thread(|| 6 * 7).await })?; // await asyncio.to_thread(f)
/// assert_eq!(v, 42);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn to_thread<F, R, T>(f: F) -> Future<T>
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<T> + 'static,
    T: Send + 'static,
{
    run_in_executor(None, f)
}

/// `asyncio.wrap_future(future)`: our futures are awaitable as they are.
///
/// ```
/// use pyrt_executor::asyncio::{run, wrap_future};
/// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
/// let ex = ThreadPoolExecutor::new(Some(1))?;
/// let f = wrap_future(ex.submit(|| "done")?);
/// assert_eq!(run(f)?, "done");
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn wrap_future<T>(future: Future<T>) -> Future<T> {
    future
}

/// `asyncio.run(coro)`: runs a future to completion on this thread, which
/// blocks meanwhile like a Python thread (on one of our workers it runs
/// nothing else).
///
/// ```
/// assert_eq!(pyrt_executor::asyncio::run(async { 1 + 1 }), 2);
/// ```
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    scheduler::block_on(future)
}
