//! The iterator `map` returns: results in order from one future per chunk.
//!
//! As CPython's `Executor.map` generator: the results come in input order,
//! each waiting for its chunk's future within what is left of the
//! `timeout` (counted from the `map` call); an exception (of a call, or
//! `TimeoutError`) is yielded when its chunk is reached and ends the
//! iteration, and ending early — an exception, or dropping the iterator
//! after its first `next` — cancels the chunks still queued at the master.
//! With `continue_after_errors` (`Pool.imap` with one item per chunk) an
//! exception is yielded at its position and the iteration goes on.

use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::PyResult;
use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

/// The results of [`MpiPoolExecutor::map`](crate::MpiPoolExecutor::map),
/// in input order.
///
/// ```
/// use pyrt_mpi::{run_local, RemoteFn};
/// run_local(3, |registry| {
///     let _: RemoteFn<u32, u32> = registry.register("double", |x: u32| 2 * x);
/// }, |ex| {
///     let double = ex.function::<u32, u32>("double")?;
///     let out: Vec<u32> = ex.map(&double, 0..10, None, Some(3))?.collect::<Result<_, _>>()?;
///     assert_eq!(out, (0..10).map(|x| 2 * x).collect::<Vec<_>>());
///     Ok(())
/// })?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct MapIter<R> {
    chunks: VecDeque<Future<Vec<R>>>,
    current: std::vec::IntoIter<R>,
    deadline: Option<Instant>,
    continue_after_errors: bool,
    cancel_on_end: bool,
    started: bool,
}

impl<R> MapIter<R> {
    pub(crate) fn new(chunks: VecDeque<Future<Vec<R>>>, timeout: Option<Duration>) -> Self {
        MapIter {
            chunks,
            current: Vec::new().into_iter(),
            deadline: timeout.and_then(|t| Instant::now().checked_add(t)),
            continue_after_errors: false,
            cancel_on_end: true,
            started: false,
        }
    }

    /// `Pool.imap`: never cancel anything; with one item per chunk, keep
    /// going after an exception.
    pub(crate) fn for_pool(mut self, one_item_per_chunk: bool) -> Self {
        self.continue_after_errors = one_item_per_chunk;
        self.cancel_on_end = false;
        self
    }

    /// Stops: cancels the chunks not started (the generator's `finally`).
    fn end(&mut self) {
        for f in self.chunks.drain(..) {
            if self.cancel_on_end {
                f.cancel();
            }
        }
        self.current = Vec::new().into_iter();
    }
}

impl<R> Iterator for MapIter<R> {
    type Item = PyResult<R>;

    fn next(&mut self) -> Option<PyResult<R>> {
        self.started = true;
        loop {
            if let Some(v) = self.current.next() {
                return Some(Ok(v));
            }
            let chunk = self.chunks.pop_front()?;
            let timeout = self
                .deadline
                .map(|d| d.saturating_duration_since(Instant::now()));
            // `into_result` consumes its handle even on a timeout: keep one
            // to cancel (CPython's `_result_or_cancel`).
            match chunk.clone().into_result(timeout) {
                Ok(values) => self.current = values.into_iter(),
                Err(e) => {
                    if !self.continue_after_errors {
                        if self.cancel_on_end {
                            chunk.cancel();
                        }
                        self.end();
                    }
                    return Some(Err(e));
                }
            }
        }
    }
}

impl<R> Drop for MapIter<R> {
    fn drop(&mut self) {
        // A generator that never started has no `finally` to run.
        if self.started {
            self.end();
        }
    }
}

impl<R> fmt::Debug for MapIter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapIter")
            .field("chunks_left", &self.chunks.len())
            .finish_non_exhaustive()
    }
}
