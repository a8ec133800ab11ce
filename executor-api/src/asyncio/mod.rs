//! The `asyncio` bridge: `run_in_executor`, `to_thread`, `wrap_future`,
//! `gather` and `run`, returning ordinary `std::future::Future`s.
//!
//! A [`Future`] of ours already
//! implements `std::future::Future` (output `PyResult<T>`), so the bridge is
//! thin: what Python hands to the event loop's executor we submit to a
//! [`ThreadPoolExecutor`], and the caller awaits the result from any async
//! runtime — `futures_lite::future::block_on`, tokio, or our own pool, which
//! runs futures as tasks too (`scheduler::ThreadPool::spawn_future`).
//!
//! ```
//! use executor_api::asyncio;
//! let total = asyncio::run(async {
//!     let a = asyncio::to_thread(|| 20u64);
//!     let b = asyncio::run_in_executor(None, || 22u64);
//!     let both = asyncio::gather(vec![a, b]).await;
//!     both.into_iter().map(|r| r.unwrap()).sum::<u64>()
//! });
//! assert_eq!(total, 42);
//! ```

mod gather;

use std::sync::OnceLock;

use crate::concurrent::futures::{Future, ThreadPoolExecutor};
use crate::IntoPyResult;

pub use gather::{gather, Gather};

/// The loop's default executor (`loop.run_in_executor(None, ...)`): a
/// `ThreadPoolExecutor` with CPython's default size, made on first use.
pub fn default_executor() -> &'static ThreadPoolExecutor {
    static DEFAULT: OnceLock<ThreadPoolExecutor> = OnceLock::new();
    DEFAULT.get_or_init(|| {
        ThreadPoolExecutor::builder()
            .thread_name_prefix("asyncio")
            .build()
            .expect("the default executor starts")
    })
}

/// `loop.run_in_executor(executor, func, *args)`: submits `f` now and
/// returns its future, to be awaited. `None` uses [`default_executor`].
/// If the executor refuses (shut down), the future holds that error.
pub fn run_in_executor<F, R, T>(executor: Option<&ThreadPoolExecutor>, f: F) -> Future<T>
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<T> + 'static,
    T: Send + 'static,
{
    let ex = executor.unwrap_or_else(|| default_executor());
    match ex.submit(f) {
        Ok(fut) => fut,
        Err(e) => {
            let failed = Future::new();
            let _ = failed.set_exception(e);
            failed
        }
    }
}

/// `asyncio.to_thread(func, *args)`: runs `f` on the default executor.
pub fn to_thread<F, R, T>(f: F) -> Future<T>
where
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<T> + 'static,
    T: Send + 'static,
{
    run_in_executor(None, f)
}

/// `asyncio.wrap_future(future)`: our futures are awaitable as they are.
pub fn wrap_future<T>(future: Future<T>) -> Future<T> {
    future
}

/// `asyncio.run(coro)`: runs a future to completion on this thread, which
/// blocks meanwhile like a Python thread (on one of our workers it runs
/// nothing else).
pub fn run<F: std::future::Future>(future: F) -> F::Output {
    scheduler::block_on(future)
}
