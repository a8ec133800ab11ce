//! `concurrent.futures.wait` and `as_completed`.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use scheduler::Instant;

use super::future::Future;
use crate::exceptions::{PyException, PyResult};

/// When [`wait`] returns (`return_when`).
///
/// ```
/// use pyrt_executor::concurrent::futures::{wait, Future, FIRST_COMPLETED};
/// let a: Future<i32> = Future::new();
/// let b: Future<i32> = Future::new();
/// a.set_result(1)?;
/// let r = wait(&[a, b], None, Some(FIRST_COMPLETED));
/// assert_eq!((r.done.len(), r.not_done.len()), (1, 1));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReturnWhen {
    /// As soon as any future finishes or is cancelled.
    FirstCompleted,
    /// As soon as any future finishes by raising, or when all are done.
    FirstException,
    /// When all futures are done.
    AllCompleted,
}

/// `concurrent.futures.FIRST_COMPLETED`.
pub const FIRST_COMPLETED: ReturnWhen = ReturnWhen::FirstCompleted;
/// `concurrent.futures.FIRST_EXCEPTION`.
pub const FIRST_EXCEPTION: ReturnWhen = ReturnWhen::FirstException;
/// `concurrent.futures.ALL_COMPLETED`.
pub const ALL_COMPLETED: ReturnWhen = ReturnWhen::AllCompleted;

/// The named pair `wait` returns; each list keeps the input order.
///
/// ```
/// use pyrt_executor::concurrent::futures::{wait, Future};
/// use std::time::Duration;
/// let a: Future<i32> = Future::new();
/// let b: Future<i32> = Future::new();
/// b.set_result(2)?;
/// let r = wait(&[a.clone(), b.clone()], Some(Duration::from_millis(5)), None);
/// assert!(r.done[0].ptr_eq(&b) && r.not_done[0].ptr_eq(&a));
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct DoneAndNotDone<T> {
    /// Futures that finished or were cancelled.
    pub done: Vec<Future<T>>,
    /// The others.
    pub not_done: Vec<Future<T>>,
}

impl<T> fmt::Debug for DoneAndNotDone<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoneAndNotDone")
            .field("done", &self.done.len())
            .field("not_done", &self.not_done.len())
            .finish()
    }
}

fn raised<T>(f: &Future<T>) -> bool {
    !f.cancelled() && f.done() && matches!(f.exception(Some(Duration::ZERO)), Ok(Some(_)))
}

/// Done as CPython's `wait` and `as_completed` see it: finished, or
/// cancelled and notified (a `Future()` cancelled by hand is not until
/// `set_running_or_notify_cancel()`).
fn done<T>(f: &Future<T>) -> bool {
    f.done_for_wait()
}

fn condition_met<T>(fs: &[Future<T>], return_when: ReturnWhen) -> bool {
    match return_when {
        ReturnWhen::FirstCompleted => fs.is_empty() || fs.iter().any(done),
        ReturnWhen::FirstException => fs.iter().all(done) || fs.iter().any(raised),
        ReturnWhen::AllCompleted => fs.iter().all(done),
    }
}

/// Waits until every future in `fs` is registered with the current waker
/// or the condition holds.
struct Until<'a, T> {
    fs: &'a [Future<T>],
    return_when: ReturnWhen,
    /// The waker registered with every future of `fs` at the last poll. A
    /// waker stays in a future's list until the future is done as `wait`
    /// sees it, so a re-poll with the same one only checks the condition,
    /// and a wait spinning before it parks takes none of the futures'
    /// listener locks (which their completing workers take).
    registered: Option<Waker>,
}

impl<T> std::future::Future for Until<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if condition_met(self.fs, self.return_when) {
            return Poll::Ready(());
        }
        if self
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            return Poll::Pending;
        }
        for f in self.fs {
            f.register_for_wait(cx.waker());
        }
        self.registered = Some(cx.waker().clone());
        // A future may have finished while we registered.
        if condition_met(self.fs, self.return_when) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

fn block_until_condition<T>(fs: &[Future<T>], return_when: ReturnWhen, deadline: Option<Instant>) {
    let mut until = Until {
        fs,
        return_when,
        registered: None,
    };
    let _ = scheduler::block_on_until(Pin::new(&mut until), deadline);
}

/// The distinct futures of `fs` (CPython's `set(fs)`), first occurrences in
/// input order.
fn distinct<T>(fs: &[Future<T>]) -> Vec<Future<T>> {
    let mut out: Vec<Future<T>> = Vec::with_capacity(fs.len());
    for f in fs {
        if !out.iter().any(|g| g.ptr_eq(f)) {
            out.push(f.clone());
        }
    }
    out
}

/// `concurrent.futures.wait(fs, timeout=None, return_when=ALL_COMPLETED)`.
/// Never raises on timeout: returns what is done by then. As in CPython
/// (`fs = set(fs)`), a future listed twice is one future: it appears once
/// in the result.
///
/// ```
/// use pyrt_executor::concurrent::futures::{wait, ThreadPoolExecutor, ALL_COMPLETED};
/// let ex = ThreadPoolExecutor::new(Some(2))?;
/// let fs = vec![ex.submit(|| 1)?, ex.submit(|| 2)?];
/// let r = wait(&fs, None, Some(ALL_COMPLETED));
/// assert_eq!(r.done.len(), 2);
/// assert!(r.not_done.is_empty());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn wait<T>(
    fs: &[Future<T>],
    timeout: Option<Duration>,
    return_when: Option<ReturnWhen>,
) -> DoneAndNotDone<T> {
    let return_when = return_when.unwrap_or(ReturnWhen::AllCompleted);
    let fs = distinct(fs);
    block_until_condition(&fs, return_when, scheduler::deadline_after(timeout));
    let (done, not_done) = fs.into_iter().partition(done);
    DoneAndNotDone { done, not_done }
}

/// `concurrent.futures.as_completed(fs, timeout=None)`: yields each future
/// as it completes (those already done first, in input order). If the
/// timeout passes first it yields `TimeoutError: N (of M) futures
/// unfinished` and stops. A future listed twice is yielded once and counted
/// once in `N` and `M` (CPython makes a set of `fs`).
///
/// ```
/// use pyrt_executor::concurrent::futures::{as_completed, ThreadPoolExecutor};
/// let ex = ThreadPoolExecutor::new(Some(2))?;
/// let fs = vec![ex.submit(|| 1)?, ex.submit(|| 2)?];
/// let mut total = 0;
/// for f in as_completed(&fs, None) {
///     total += f?.result(None)?;
/// }
/// assert_eq!(total, 3);
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub fn as_completed<T>(fs: &[Future<T>], timeout: Option<Duration>) -> AsCompleted<T> {
    let pending = distinct(fs);
    AsCompleted {
        total: pending.len(),
        pending,
        deadline: scheduler::deadline_after(timeout),
        failed: false,
    }
}

/// The iterator returned by [`as_completed`].
///
/// ```
/// use pyrt_executor::concurrent::futures::{as_completed, Future};
/// let a: Future<i32> = Future::new();
/// a.set_result(1)?;
/// let mut it = as_completed(&[a], None);
/// assert_eq!(it.next().unwrap()?.result(None)?, 1);
/// assert!(it.next().is_none());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct AsCompleted<T> {
    pending: Vec<Future<T>>,
    total: usize,
    deadline: Option<Instant>,
    failed: bool,
}

impl<T> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl<T> Iterator for AsCompleted<T> {
    type Item = PyResult<Future<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pending.is_empty() || self.failed {
            return None;
        }
        if let Some(i) = self.pending.iter().position(done) {
            return Some(Ok(self.pending.remove(i)));
        }
        block_until_condition(&self.pending, ReturnWhen::FirstCompleted, self.deadline);
        match self.pending.iter().position(done) {
            Some(i) => Some(Ok(self.pending.remove(i))),
            None => {
                self.failed = true;
                Some(Err(PyException::TimeoutError(format!(
                    "{} (of {}) futures unfinished",
                    self.pending.len(),
                    self.total
                ))))
            }
        }
    }
}
