//! The `multiprocessing.Pool` face on the MPI executor, like
//! `mpi4py.util.pool.Pool`: `map`, `starmap`, `imap`, `imap_unordered`,
//! `apply`, `apply_async`, `close`, `join`, `terminate`, with CPython's
//! ordering and error rules.
//!
//! - `map` (and `starmap`, the same call here: a function of several
//!   parameters takes a tuple) runs every item even if some raise, then
//!   raises the first exception by position; its default `chunksize` is
//!   CPython's, `ceil(len / (4 × processes))`.
//! - `imap` yields in order; with one item per chunk a raising call
//!   yields its `Err` at its position and the iteration goes on, with
//!   bigger chunks the failing chunk ends it. `imap_unordered` yields as
//!   calls finish. Neither cancels anything.
//! - After `close`/`terminate`, every call is `ValueError: Pool not
//!   running`; `join` before `close` is `ValueError: Pool is still
//!   running`, after it waits for the pool's calls; `terminate` cancels
//!   the pool's calls still queued at the master; dropping the pool is
//!   `terminate()` (`with Pool() as p:`). The pool borrows its executor,
//!   which lives on (an MPI job has one executor: mpi4py's pool, too, is
//!   a face on one).

use crate::{MapIter, MpiPoolExecutor};
use pyrt_executor::concurrent::futures::Future;
use pyrt_executor::queue::SimpleQueue;
use pyrt_executor::{PyException, PyResult};
use pyrt_remote::RemoteFn;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Run,
    Close,
    Terminate,
}

/// `multiprocessing.Pool` on MPI ranks.
///
/// ```
/// use pyrt_mpi::{run_local, MpiPool, RemoteFn};
/// run_local(3, |r| { let _: RemoteFn<u64, u64> = r.register("sq", |x: u64| x * x); }, |ex| {
///     let sq = ex.function::<u64, u64>("sq")?;
///     let pool = MpiPool::new(ex);
///     assert_eq!(pool.map(&sq, 0..5, None)?, vec![0, 1, 4, 9, 16]);
///     assert_eq!(pool.apply_async(&sq, 7)?.get(None)?, 49);
///     Ok(())
/// })?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct MpiPool<'a> {
    ex: &'a MpiPoolExecutor,
    state: Mutex<State>,
    /// The pool's asynchronous calls not known to be done, for `join` and
    /// `terminate`.
    calls: Mutex<Vec<Box<dyn Tracked>>>,
}

/// A call of the pool, whatever its result type.
trait Tracked: Send {
    fn done(&self) -> bool;
    fn wait(&self);
    fn cancel(&self);
}

impl<T: Send + 'static> Tracked for Future<T> {
    fn done(&self) -> bool {
        Future::done(self)
    }
    fn wait(&self) {
        let _ = self.exception(None);
    }
    fn cancel(&self) {
        Future::cancel(self);
    }
}

impl<'a> MpiPool<'a> {
    /// A pool on the ranks of `ex`.
    pub fn new(ex: &'a MpiPoolExecutor) -> Self {
        MpiPool {
            ex,
            state: Mutex::new(State::Run),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn track<T: Send + 'static>(&self, f: &Future<T>) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        // Forget finished calls now and then, so the list stays short.
        if calls.len() >= 1024 && calls.len().is_power_of_two() {
            calls.retain(|c| !c.done());
        }
        calls.push(Box::new(f.clone()));
    }

    fn take_calls(&self) -> Vec<Box<dyn Tracked>> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// How many calls run at once (ranks × threads).
    pub fn processes(&self) -> usize {
        self.ex.max_workers()
    }

    fn state(&self) -> State {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check_running(&self) -> PyResult<()> {
        match self.state() {
            State::Run => Ok(()),
            _ => Err(PyException::ValueError("Pool not running".into())),
        }
    }

    /// `map(func, iterable, chunksize=None)`: the results in order, or
    /// the first exception by position once every call has finished.
    pub fn map<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<Vec<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        self.check_running()?;
        let items: Vec<A> = iterable.into_iter().collect();
        let chunksize = match chunksize {
            Some(n) if n < 1 => {
                return Err(PyException::ValueError(format!(
                    "Chunksize must be 1+, not {n}"
                )))
            }
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
            None => items.len().div_ceil(4 * self.processes().max(1)).max(1),
        };
        let mut out = Vec::with_capacity(items.len());
        let mut first_error = None;
        for chunk in self.ex.submit_chunks(f, items, chunksize)? {
            match chunk.into_result(None) {
                Ok(values) => out.extend(values),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// `starmap(func, iterable, chunksize=None)`: `map` of a function whose
    /// parameters are one tuple.
    pub fn starmap<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<Vec<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        self.map(f, iterable, chunksize)
    }

    /// `imap(func, iterable, chunksize=1)`: results in order as they come.
    pub fn imap<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<MapIter<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        self.check_running()?;
        let chunksize = imap_chunksize(chunksize)?;
        let chunks = self.ex.submit_chunks(f, iterable, chunksize)?;
        chunks.iter().for_each(|c| self.track(c));
        Ok(MapIter::new(chunks, None).for_pool(chunksize == 1))
    }

    /// `imap_unordered(func, iterable, chunksize=1)`: results as calls
    /// finish; a failed chunk yields its exception once.
    pub fn imap_unordered<A, R, I>(
        &self,
        f: &RemoteFn<A, R>,
        iterable: I,
        chunksize: Option<i64>,
    ) -> PyResult<IMapUnordered<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
        I: IntoIterator<Item = A>,
    {
        self.check_running()?;
        let chunksize = imap_chunksize(chunksize)?;
        let chunks = self.ex.submit_chunks(f, iterable, chunksize)?;
        let done = SimpleQueue::new();
        let left = chunks.len();
        for chunk in chunks {
            self.track(&chunk);
            let done = done.clone();
            chunk.add_done_callback(move |c: &Future<Vec<R>>| {
                done.put(c.clone().into_result(Some(Duration::ZERO)), None, None);
            });
        }
        Ok(IMapUnordered {
            done,
            left,
            current: Vec::new().into_iter(),
        })
    }

    /// `apply(func, args)`: runs one call and waits for it.
    pub fn apply<A, R>(&self, f: &RemoteFn<A, R>, arg: A) -> PyResult<R>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + Clone + 'static,
    {
        self.apply_async(f, arg)?.get(None)
    }

    /// `apply_async(func, args)`: the call's [`AsyncResult`].
    pub fn apply_async<A, R>(&self, f: &RemoteFn<A, R>, arg: A) -> PyResult<AsyncResult<R>>
    where
        A: Serialize + DeserializeOwned + 'static,
        R: Serialize + DeserializeOwned + Send + 'static,
    {
        self.check_running()?;
        let future = self.ex.submit(f, arg)?;
        self.track(&future);
        Ok(AsyncResult(future))
    }

    /// `close()`: no more calls; those accepted still run.
    pub fn close(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if *st == State::Run {
            *st = State::Close;
        }
    }

    /// `terminate()`: no more calls, and the pool's calls still queued at
    /// the master are cancelled (those running on a rank finish there:
    /// MPI ranks are not killed).
    pub fn terminate(&self) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = State::Terminate;
        for call in self.take_calls() {
            call.cancel();
        }
    }

    /// `join()`: after `close`/`terminate`, waits for the pool's calls;
    /// `ValueError: Pool is still running` before.
    pub fn join(&self) -> PyResult<()> {
        if self.state() == State::Run {
            return Err(PyException::ValueError("Pool is still running".into()));
        }
        for call in self.take_calls() {
            call.wait();
        }
        Ok(())
    }
}

impl Drop for MpiPool<'_> {
    /// `with Pool() as p:` ends with `terminate()`.
    fn drop(&mut self) {
        if self.state() != State::Terminate {
            self.terminate();
        }
    }
}

impl fmt::Debug for MpiPool<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<mpi pool state={:?} processes={}>",
            self.state(),
            self.processes()
        )
    }
}

fn imap_chunksize(chunksize: Option<i64>) -> PyResult<usize> {
    match chunksize.unwrap_or(1) {
        n if n < 1 => Err(PyException::ValueError(format!(
            "Chunksize must be 1+, not {n}"
        ))),
        n => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

/// `multiprocessing.pool.AsyncResult` of one MPI call.
///
/// ```
/// use pyrt_mpi::{run_local, MpiPool, RemoteFn};
/// run_local(2, |r| { let _: RemoteFn<i32, i32> = r.register("neg", |x: i32| -x); }, |ex| {
///     let pool = MpiPool::new(ex);
///     let r = pool.apply_async(&ex.function::<i32, i32>("neg")?, 4)?;
///     r.wait(None);
///     assert!(r.ready() && r.successful()?);
///     assert_eq!(r.get(None)?, -4);
///     Ok(())
/// })?;
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct AsyncResult<R>(Future<R>);

impl<R: Clone> AsyncResult<R> {
    /// `get(timeout=None)`: the value or the call's exception;
    /// `multiprocessing.TimeoutError` if not ready in time.
    pub fn get(&self, timeout: Option<Duration>) -> PyResult<R> {
        self.wait(timeout);
        if !self.ready() {
            return Err(PyException::MpTimeoutError(String::new()));
        }
        self.0.result(Some(Duration::ZERO))
    }

    /// `wait(timeout=None)`.
    pub fn wait(&self, timeout: Option<Duration>) {
        let _ = self.0.exception(timeout);
    }

    /// `ready()`.
    pub fn ready(&self) -> bool {
        self.0.done()
    }

    /// `successful()`: `ValueError` if not ready yet.
    pub fn successful(&self) -> PyResult<bool> {
        if !self.ready() {
            return Err(PyException::ValueError(
                "<multiprocessing.pool.ApplyResult object> not ready".into(),
            ));
        }
        Ok(matches!(self.0.exception(None), Ok(None)))
    }

    /// The underlying future (for `wait`/`as_completed`).
    pub fn future(&self) -> &Future<R> {
        &self.0
    }
}

impl<R> fmt::Debug for AsyncResult<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<multiprocessing.pool.ApplyResult object>")
    }
}

/// The iterator of [`MpiPool::imap_unordered`].
pub struct IMapUnordered<R> {
    done: SimpleQueue<PyResult<Vec<R>>>,
    left: usize,
    current: std::vec::IntoIter<R>,
}

impl<R: Send> Iterator for IMapUnordered<R> {
    type Item = PyResult<R>;

    fn next(&mut self) -> Option<PyResult<R>> {
        loop {
            if let Some(v) = self.current.next() {
                return Some(Ok(v));
            }
            if self.left == 0 {
                return None;
            }
            self.left -= 1;
            match self.done.get(None, None) {
                Ok(Ok(values)) => self.current = values.into_iter(),
                Ok(Err(e)) | Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl<R> fmt::Debug for IMapUnordered<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IMapUnordered")
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}
