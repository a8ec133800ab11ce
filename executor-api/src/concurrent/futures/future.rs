//! `concurrent.futures.Future`: the state machine of one result.
//!
//! ```text
//!            cancel()                  (callbacks run, waiters wake)
//!   PENDING ----------> CANCELLED -------------------------------.
//!      |                                                          v
//!      | a worker claims it (or a stuck waiter, nested)      done() == true
//!      v                                                          ^
//!   RUNNING ----------> FINISHED (result or exception) -----------'
//! ```
//!
//! Whoever moves a future out of `PENDING` (under its lock) owns its closure:
//! the worker that runs it, or `cancel`, which drops it. Every transition
//! into a final state wakes the waiters and runs the done-callbacks exactly
//! once.
//!
//! # Waiting, as CPython waits
//!
//! `result()` and `exception()` block the caller like a Python thread: a
//! worker that waits runs nothing else meanwhile (`pyrt_scheduler::block_on_until`
//! parks it), so an executor never has more calls in progress than
//! workers. One case differs, because CPython has no answer there but a
//! deadlock: a worker of the future's own pool waits, with no timeout, for
//! it while it is
//! still queued, and every other worker of the pool is blocked too and no
//! new one may start (`pyrt_scheduler::Stuck`). Then nothing but the waiter could
//! ever run the call, so the waiter claims it and runs it on its own stack —
//! as a different Python thread (`threading/ident.rs`: its own ident,
//! `threading.local` values, `current_thread()` and lock ownership). If the
//! pool may still start a worker, it starts one instead. A chain of such
//! nested calls deeper than the worker's stack allows fails with CPython's
//! `RecursionError: maximum recursion depth exceeded` instead of
//! overflowing the stack. On a pool without workers (targets without
//! threads) every wait runs the queued call itself, as nobody else could.

use std::cell::UnsafeCell;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
// The state lock is loom's under `--cfg loom`, so `tests/loom_future.rs`
// model-checks this file's real state machine.
#[cfg(loom)]
use loom::sync::{Mutex, MutexGuard};
#[cfg(not(loom))]
use std::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use scheduler::ext::{PoolHandle, Stuck, StuckWatch};
use scheduler::Instant;

use crate::exceptions::{call, IntoPyResult, PyException, PyResult};
use crate::threading::ident::{nested_depth, run_as_nested, NestedNames};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending,
    Running,
    Cancelled,
    Finished,
}

type Callback<T> = Box<dyn FnOnce(&Future<T>) -> PyResult<()> + Send>;

struct State<T> {
    phase: Phase,
    outcome: Option<PyResult<T>>,
    /// Set when [`Future::into_result`] moved the value out of `outcome`.
    taken: bool,
    /// CPython's `CANCELLED_AND_NOTIFIED` (with `phase == Cancelled`): only
    /// then do `wait` and `as_completed` count a cancelled future as done.
    /// A submitted future is notified when cancelled (its executor will
    /// never run it); a `Future()` when `set_running_or_notify_cancel()`
    /// sees it cancelled.
    notified: bool,
    callbacks: Vec<Callback<T>>,
    wakers: Vec<Waker>,
}

/// What every future has, whatever its closure.
pub(crate) struct Shared<T> {
    state: Mutex<State<T>>,
    /// The executor of a submitted future (`None` for `Future()`).
    origin: Option<Arc<Origin>>,
}

/// Where a submitted future came from: its executor's pool (to find out
/// whether a waiter is stuck), conditions and counters. One `Arc` per
/// executor, so a `submit` clones one shared reference count, not two.
pub(crate) struct Origin {
    pub(crate) pool: PoolHandle,
    pub(crate) flags: Arc<ExecFlags>,
    /// CPython's `_idle_semaphore`: released each time a worker finishes a
    /// work item, taken by a `submit` that then starts no new worker.
    pub(crate) idle: AtomicUsize,
    /// Names of the calls run nested on a stuck waiter.
    pub(crate) names: Arc<NestedNames>,
}

impl Origin {
    /// Takes one idle token if there is one (`_idle_semaphore.acquire(timeout=0)`).
    pub(crate) fn take_idle(&self) -> bool {
        self.idle
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// Stack a nested call needs left below the waiter, or it raises
/// `RecursionError` instead of running.
const NESTED_STACK_RESERVE: usize = 256 * 1024;
/// Where the stack size is unknown: CPython's default recursion limit,
/// counted in nested calls.
const NESTED_DEPTH_LIMIT: usize = 1000;

/// The executor-wide conditions a task checks before it runs.
#[derive(Default)]
pub(crate) struct ExecFlags {
    /// Set when an initializer failed: queued tasks fail with this.
    pub(crate) broken: OnceLock<PyException>,
    /// Set by `shutdown(cancel_futures=True)`: queued tasks are cancelled.
    pub(crate) cancel_pending: AtomicBool,
}

/// Type-erased access to a future's core (its closure type hidden).
trait Core<T>: Send + Sync {
    fn shared(&self) -> &Shared<T>;
    /// Runs the closure; only by the thread that moved the future out of
    /// PENDING into RUNNING. `None` if there was no closure.
    fn run_job(&self) -> Option<PyResult<T>>;
    /// Drops the closure; only by the thread that cancelled the future.
    fn drop_job(&self);
}

struct Job<T, F> {
    shared: Shared<T>,
    job: UnsafeCell<Option<F>>,
}

// SAFETY: `job` is only touched by the single thread that moved the future
// out of PENDING under the state lock (see the module docs), so sharing the
// cell between threads never lets two of them access it.
unsafe impl<T: Send, F: Send> Sync for Job<T, F> {}

impl<T, F, R> Core<T> for Job<T, F>
where
    T: Send,
    F: FnOnce() -> R + Send,
    R: IntoPyResult<T>,
{
    fn shared(&self) -> &Shared<T> {
        &self.shared
    }

    fn run_job(&self) -> Option<PyResult<T>> {
        // SAFETY: called only by the thread that took the future out of
        // PENDING (the contract of `run_job`), the cell's only accessor.
        let f = unsafe { (*self.job.get()).take() }?;
        Some(call(f))
    }

    fn drop_job(&self) {
        // SAFETY: as in `run_job`: the caller cancelled the future, so it is
        // the only thread that can reach the cell.
        drop(unsafe { (*self.job.get()).take() });
    }
}

/// A submitted future is its own queue entry: the scheduler holds the same
/// `Arc` as the `Future` handles, so `submit` allocates once.
impl<T, F, R> scheduler::ext::HeapJob for Job<T, F>
where
    T: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
    R: IntoPyResult<T> + 'static,
{
    fn run(self: Arc<Self>) {
        let future = Future {
            core: self as Arc<dyn Core<T>>,
        };
        // The worker is about to look for its next work item: its idle
        // token (CPython's `_idle_semaphore.release()`) is given before the
        // outcome is published, so a caller that saw `result()` return and
        // submits again finds the worker idle instead of starting another
        // (`test_idle_thread_reuse` counts the threads).
        let origin = &future.shared().origin;
        future.claim_and_run_then(|| {
            // Once every worker has started the tokens decide nothing more:
            // skip the shared counter (one contended write per call).
            if let Some(origin) = origin.as_ref().filter(|o| !o.pool.all_started()) {
                origin.idle.fetch_add(1, Ordering::AcqRel);
            }
        });
    }

    fn cancel(self: Arc<Self>) {
        Future {
            core: self as Arc<dyn Core<T>>,
        }
        .cancel();
    }
}

/// The result of work that may not have finished yet.
///
/// Cloning gives another handle to the same future.
///
/// ```
/// use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
/// let ex = ThreadPoolExecutor::new(Some(1))?;
/// let f: Future<u32> = ex.submit(|| 6 * 7)?;
/// assert_eq!(f.result(None)?, 42);
/// assert!(f.done() && !f.cancelled());
/// # Ok::<(), pyrt_executor::PyException>(())
/// ```
pub struct Future<T> {
    core: Arc<dyn Core<T>>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future {
            core: self.core.clone(),
        }
    }
}

/// CPython's `repr(future)` without the address:
/// `<Future state=pending>`, `<Future state=finished returned int>`,
/// `<Future state=finished raised ValueError>`. The returned type's name is
/// [`python_type_name`] of `T`.
impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = lock(&self.shared().state);
        let (phase, raised) = (st.phase, st.outcome.as_ref().and_then(|o| o.as_ref().err()));
        let raised = raised.map(|e| e.name().to_string());
        drop(st);
        match (phase, raised) {
            (Phase::Pending, _) => write!(f, "<Future state=pending>"),
            (Phase::Running, _) => write!(f, "<Future state=running>"),
            (Phase::Cancelled, _) => write!(f, "<Future state=cancelled>"),
            (Phase::Finished, Some(name)) => write!(f, "<Future state=finished raised {name}>"),
            (Phase::Finished, None) => write!(
                f,
                "<Future state=finished returned {}>",
                python_type_name::<T>()
            ),
        }
    }
}

/// The Python name of the type a Rust value of type `T` stands for
/// (`type(v).__name__`), as the transpiler maps them: integers are `int`,
/// floats `float`, `bool` `bool`, strings and `char` `str`, `()` `NoneType`,
/// tuples `tuple`, `Vec`/`VecDeque`/arrays/slices `list`, maps `dict`, sets
/// `set`; references, `Box`, `Arc`, `Rc` and `Option` (its `Some` case) are
/// their content's type; any other type is its own name without path or
/// generics (a struct `MyObject` is `MyObject`, as a Python class).
/// Used by `Future`'s repr (`state=finished returned int`).
///
/// ```
/// use pyrt_executor::concurrent::futures::python_type_name;
/// assert_eq!(python_type_name::<u64>(), "int");
/// assert_eq!(python_type_name::<Vec<String>>(), "list");
/// assert_eq!(python_type_name::<(i32, f64)>(), "tuple");
/// assert_eq!(python_type_name::<()>(), "NoneType");
/// struct MyObject;
/// assert_eq!(python_type_name::<MyObject>(), "MyObject");
/// ```
pub fn python_type_name<T: ?Sized>() -> String {
    python_name_of(std::any::type_name::<T>())
}

fn python_name_of(rust: &str) -> String {
    let rust = rust.trim();
    if let Some(rest) = rust.strip_prefix('&') {
        return python_name_of(rest.strip_prefix("mut ").unwrap_or(rest));
    }
    if rust == "()" {
        return "NoneType".into();
    }
    if rust.starts_with('(') {
        return "tuple".into();
    }
    if rust.starts_with('[') {
        return "list".into();
    }
    let (path, generics) = match rust.find('<') {
        Some(i) => (&rust[..i], rust[i + 1..].strip_suffix('>')),
        None => (rust, None),
    };
    let name = path.rsplit("::").next().unwrap_or(path);
    let name = match name {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" => "int",
        "f32" | "f64" => "float",
        "bool" => "bool",
        "str" | "String" | "char" | "Cow" => "str",
        "Vec" | "VecDeque" | "LinkedList" => "list",
        "HashMap" | "BTreeMap" => "dict",
        "HashSet" | "BTreeSet" => "set",
        "Box" | "Arc" | "Rc" | "Option" => {
            return match generics {
                Some(inner) => python_name_of(inner.split(',').next().unwrap_or(inner)),
                None => name.into(),
            }
        }
        other => other,
    };
    name.into()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Send + 'static> Default for Future<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> Future<T> {
    /// A pending future not tied to any task (Python's `Future()`), completed
    /// with [`set_result`](Self::set_result) or
    /// [`set_exception`](Self::set_exception).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// // A future no executor runs: its owner sets the outcome.
    /// let f: Future<&str> = Future::new();
    /// assert!(!f.done());
    /// f.set_result("ready")?;
    /// assert_eq!(f.result(None)?, "ready");
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn new() -> Self {
        Future {
            core: Future::make_core::<fn() -> T, T>(None, None),
        }
    }

    /// A future and the task body that completes it.
    /// A future for `f`, and the same allocation as the job that runs it
    /// (queue it with `PoolHandle::submit_job`).
    pub(crate) fn with_job<F, R>(
        origin: Arc<Origin>,
        f: F,
    ) -> (Self, Arc<impl scheduler::ext::HeapJob>)
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        let job = Future::make_core(Some(origin), Some(f));
        (Future { core: job.clone() }, job)
    }

    fn make_core<F, R>(origin: Option<Arc<Origin>>, f: Option<F>) -> Arc<Job<T, F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        Arc::new(Job {
            shared: Shared {
                state: Mutex::new(State {
                    phase: Phase::Pending,
                    outcome: None,
                    taken: false,
                    notified: false,
                    callbacks: Vec::new(),
                    wakers: Vec::new(),
                }),
                origin,
            },
            job: UnsafeCell::new(f),
        })
    }
}

impl<T> Future<T> {
    /// Whether both handles refer to the same future (Python's `is`).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<i32> = Future::new();
    /// assert!(f.ptr_eq(&f.clone()));
    /// assert!(!f.ptr_eq(&Future::new()));
    /// ```
    pub fn ptr_eq(&self, other: &Future<T>) -> bool {
        Arc::ptr_eq(&self.core, &other.core)
    }

    fn shared(&self) -> &Shared<T> {
        self.core.shared()
    }

    /// The pool of the executor it was submitted to.
    fn pool(&self) -> Option<&PoolHandle> {
        self.shared().origin.as_ref().map(|o| &o.pool)
    }

    /// True if the call was cancelled or finished running.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<i32> = Future::new();
    /// assert!(!f.done());
    /// f.set_result(1)?;
    /// assert!(f.done());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn done(&self) -> bool {
        matches!(
            lock(&self.shared().state).phase,
            Phase::Cancelled | Phase::Finished
        )
    }

    /// True if the call is currently running.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<i32> = Future::new();
    /// assert!(!f.running());
    /// assert!(f.set_running_or_notify_cancel()?);
    /// assert!(f.running());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn running(&self) -> bool {
        lock(&self.shared().state).phase == Phase::Running
    }

    /// True if the call was successfully cancelled.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<i32> = Future::new();
    /// assert!(f.cancel());
    /// assert!(f.cancelled() && f.done());
    /// ```
    pub fn cancelled(&self) -> bool {
        lock(&self.shared().state).phase == Phase::Cancelled
    }

    /// Cancels the call if it has not started; returns whether the future is
    /// now cancelled (false if it is running or finished).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// use pyrt_executor::PyClass;
    /// let pending: Future<i32> = Future::new();
    /// assert!(pending.cancel());
    /// assert!(pending.result(None).unwrap_err().is_instance_of(&PyClass::CancelledError));
    /// let finished: Future<i32> = Future::new();
    /// finished.set_result(1)?;
    /// assert!(!finished.cancel()); // too late
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn cancel(&self) -> bool {
        let mut st = lock(&self.shared().state);
        match st.phase {
            Phase::Running | Phase::Finished => false,
            Phase::Cancelled => true,
            Phase::Pending => {
                st.phase = Phase::Cancelled;
                st.notified = self.shared().origin.is_some();
                let (callbacks, wakers) = take_listeners(&mut st);
                drop(st);
                // We moved it out of PENDING: the closure is ours to drop.
                self.core.drop_job();
                self.notify(callbacks, wakers);
                true
            }
        }
    }

    /// Python's `set_running_or_notify_cancel()`: false if cancelled (and
    /// from now on `wait`/`as_completed` count it as done, CPython's
    /// `CANCELLED_AND_NOTIFIED`), else marks the future running. Err if it
    /// is already running or done.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<i32> = Future::new();
    /// f.cancel();
    /// assert!(!f.set_running_or_notify_cancel()?); // cancelled: don't run it
    /// let g: Future<i32> = Future::new();
    /// assert!(g.set_running_or_notify_cancel()?); // now running
    /// assert!(g.set_running_or_notify_cancel().is_err());
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_running_or_notify_cancel(&self) -> PyResult<bool> {
        let mut st = lock(&self.shared().state);
        match st.phase {
            Phase::Cancelled => {
                if !st.notified {
                    st.notified = true;
                    let wakers = std::mem::take(&mut st.wakers);
                    drop(st);
                    wakers.into_iter().for_each(Waker::wake);
                }
                Ok(false)
            }
            Phase::Pending => {
                st.phase = Phase::Running;
                Ok(true)
            }
            Phase::Running | Phase::Finished => Err(PyException::RuntimeError(
                "Future in unexpected state".into(),
            )),
        }
    }

    /// Completes the future with a value (for futures made by [`Future::new`]).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// use pyrt_executor::PyClass;
    /// let f: Future<i32> = Future::new();
    /// f.set_result(1)?;
    /// let e = f.set_result(2).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::InvalidStateError));
    /// assert_eq!(f.result(None)?, 1);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn set_result(&self, value: T) -> PyResult<()> {
        self.complete(Ok(value))
    }

    /// Completes the future with an exception.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// use pyrt_executor::PyException;
    /// let f: Future<i32> = Future::new();
    /// f.set_exception(PyException::ValueError("bad".into()))?;
    /// assert_eq!(f.result(None).unwrap_err().to_string(), "ValueError: bad");
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn set_exception(&self, exception: PyException) -> PyResult<()> {
        self.complete(Err(exception))
    }

    fn complete(&self, outcome: PyResult<T>) -> PyResult<()> {
        let mut st = lock(&self.shared().state);
        if matches!(st.phase, Phase::Cancelled | Phase::Finished) {
            let name = if st.phase == Phase::Cancelled {
                "CANCELLED"
            } else {
                "FINISHED"
            };
            // Unlock first: formatting `self` reads the state again.
            drop(st);
            return Err(PyException::InvalidStateError(format!("{name}: {self:?}")));
        }
        st.phase = Phase::Finished;
        st.outcome = Some(outcome);
        let (callbacks, wakers) = take_listeners(&mut st);
        drop(st);
        self.notify(callbacks, wakers);
        Ok(())
    }

    fn notify(&self, callbacks: Vec<Callback<T>>, wakers: Vec<Waker>) {
        for w in wakers {
            w.wake();
        }
        for cb in callbacks {
            self.invoke_callback(cb);
        }
    }

    fn invoke_callback(&self, cb: Callback<T>) {
        if let Err(e) = call::<_, ()>(|| cb(self)) {
            // CPython: `LOGGER.exception('exception calling callback for
            // %r', self)`, and goes on.
            crate::report::log_exception(
                crate::report::FUTURES_LOGGER,
                log::Level::Error,
                &format!("exception calling callback for {self:?}"),
                &e,
            );
        }
    }

    /// Attaches `f`, called with this future when it is done (at once if it
    /// already is). A callback that raises (returns `Err` or panics) is
    /// logged as CPython does ([`crate::report`]) and ignored.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// use std::sync::mpsc;
    /// let f: Future<i32> = Future::new();
    /// let (tx, rx) = mpsc::channel();
    /// f.add_done_callback(move |done: &Future<i32>| tx.send(done.result(None).unwrap()).unwrap());
    /// f.set_result(7)?;
    /// assert_eq!(rx.recv().unwrap(), 7);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn add_done_callback<R>(&self, f: impl FnOnce(&Future<T>) -> R + Send + 'static)
    where
        R: IntoPyResult<()>,
    {
        let f: Callback<T> = Box::new(move |fut| f(fut).into_py_result());
        let mut st = lock(&self.shared().state);
        if matches!(st.phase, Phase::Cancelled | Phase::Finished) {
            drop(st);
            self.invoke_callback(f);
        } else {
            st.callbacks.push(f);
        }
    }

    /// Runs the still-queued call now if its pool has no workers (nobody
    /// else ever would). Returns whether it ran.
    pub(crate) fn run_if_inline(&self) -> bool {
        match self.pool() {
            Some(p) if p.is_inline() => p.run_inline(|| self.claim_and_run()),
            _ => false,
        }
    }

    /// Moves PENDING to RUNNING and runs the closure; false if not pending.
    /// A submitted future obeys its executor's flags whoever runs it (a
    /// worker, or a waiter running it inline).
    pub(crate) fn claim_and_run(&self) -> bool {
        self.claim_and_run_then(|| {})
    }

    /// [`claim_and_run`](Self::claim_and_run), calling `before_publish`
    /// exactly once: after the call returned and before its outcome is
    /// published (waiters woken, callbacks run), or at once if there is no
    /// call to run.
    fn claim_and_run_then(&self, before_publish: impl FnOnce()) -> bool {
        let flags = self.shared().origin.as_ref().map(|o| &*o.flags);
        {
            let mut st = lock(&self.shared().state);
            if st.phase != Phase::Pending {
                drop(st);
                before_publish();
                return false;
            }
            if let Some(flags) = flags {
                if flags.cancel_pending.load(Ordering::Acquire) {
                    drop(st);
                    before_publish();
                    self.cancel();
                    return true;
                }
            }
            st.phase = Phase::Running;
        }
        let outcome = match flags.and_then(|f| f.broken.get()) {
            Some(broken) => {
                self.core.drop_job();
                Err(broken.clone())
            }
            None => match self.core.run_job() {
                Some(outcome) => outcome,
                None => {
                    before_publish();
                    return true;
                }
            },
        };
        before_publish();
        // We own the RUNNING future, so completing it cannot fail.
        let _ = self.complete(outcome);
        true
    }

    /// Waits until done or the deadline; true if done. See the module docs.
    fn wait_done(&self, deadline: Option<Instant>) -> bool {
        if self.done() {
            return true;
        }
        let Some(pool) = self.pool() else {
            return scheduler::block_on_until(Pin::new(&mut Done(self)), deadline).is_some();
        };
        if self.run_if_inline() {
            // A pool without workers: the call ran here (or was cancelled).
            return true;
        }
        loop {
            // A timed wait is no deadlock in CPython: it times out there.
            let mut waiter = Waiter {
                future: self,
                pool,
                may_run: deadline.is_none(),
                watch: StuckWatch::default(),
            };
            match pool.block_on_until(Pin::new(&mut waiter), deadline) {
                None => return false,
                Some(None) => return true,
                Some(Some(Stuck::No)) => {}
                Some(Some(Stuck::CanStart)) => match pool.start_worker() {
                    // A new worker will take the queue; wait on.
                    Ok(_) => {}
                    Err(_) => {
                        if self.run_nested() {
                            return true;
                        }
                    }
                },
                Some(Some(Stuck::Yes)) => {
                    if self.run_nested() {
                        return true;
                    }
                }
            }
        }
    }

    /// A stuck waiter runs the still-queued call on its own stack, as a
    /// different Python thread; false if someone else claimed it first.
    fn run_nested(&self) -> bool {
        let Some(origin) = &self.shared().origin else {
            return false;
        };
        let too_deep = match scheduler::ext::remaining_stack() {
            Some(left) => left < NESTED_STACK_RESERVE,
            None => nested_depth() >= NESTED_DEPTH_LIMIT,
        };
        if too_deep {
            return self.claim_and_fail(PyException::RecursionError(
                "maximum recursion depth exceeded".into(),
            ));
        }
        run_as_nested(&origin.names, || self.claim_and_run())
    }

    /// Moves PENDING to RUNNING and completes the future with `e` without
    /// running the closure; false if not pending.
    fn claim_and_fail(&self, e: PyException) -> bool {
        {
            let mut st = lock(&self.shared().state);
            if st.phase != Phase::Pending {
                return false;
            }
            st.phase = Phase::Running;
        }
        self.core.drop_job();
        let _ = self.complete(Err(e));
        true
    }

    /// How many waiters are registered on this pending future: threads
    /// blocked in `result()`/`exception()`, `wait`/`as_completed` calls and
    /// async pollers (beyond CPython, so a test can wait until a thread
    /// really waits instead of sleeping). A waiter that timed out stays
    /// counted until the future is done; a done future has none.
    ///
    /// ```
    /// use std::time::Duration;
    /// use pyrt_executor::concurrent::futures::Future;
    /// let f: Future<u32> = Future::new();
    /// assert_eq!(f.waiters(), 0);
    /// let g = f.clone();
    /// let t = std::thread::spawn(move || g.result(None));
    /// while f.waiters() == 0 {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// f.set_result(5)?;
    /// assert_eq!(t.join().unwrap()?, 5);
    /// assert_eq!(f.waiters(), 0);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn waiters(&self) -> usize {
        lock(&self.shared().state).wakers.len()
    }

    /// Registers `waker` to be woken when the future is done; true if it
    /// already is.
    pub(crate) fn register(&self, waker: &Waker) -> bool {
        let mut st = lock(&self.shared().state);
        if matches!(st.phase, Phase::Cancelled | Phase::Finished) {
            return true;
        }
        if !st.wakers.iter().any(|w| w.will_wake(waker)) {
            st.wakers.push(waker.clone());
        }
        false
    }

    /// Done as `wait` and `as_completed` see it (CPython's `_state in
    /// [CANCELLED_AND_NOTIFIED, FINISHED]`): a `Future()` cancelled but not
    /// yet notified is not.
    pub(crate) fn done_for_wait(&self) -> bool {
        let st = lock(&self.shared().state);
        st.phase == Phase::Finished || (st.phase == Phase::Cancelled && st.notified)
    }

    /// [`register`](Self::register) for `wait` and `as_completed`: true if
    /// [`done_for_wait`](Self::done_for_wait).
    pub(crate) fn register_for_wait(&self, waker: &Waker) -> bool {
        let mut st = lock(&self.shared().state);
        if st.phase == Phase::Finished || (st.phase == Phase::Cancelled && st.notified) {
            return true;
        }
        if !st.wakers.iter().any(|w| w.will_wake(waker)) {
            st.wakers.push(waker.clone());
        }
        false
    }

    /// The exception the call raised, `None` if it succeeded; waits up to
    /// `timeout`. `CancelledError` if cancelled, `TimeoutError` on timeout.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::Future;
    /// use pyrt_executor::{PyClass, PyException};
    /// use std::time::Duration;
    /// let f: Future<i32> = Future::new();
    /// let e = f.exception(Some(Duration::from_millis(5))).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::TimeoutError));
    /// f.set_exception(PyException::KeyError("'k'".into()))?;
    /// assert_eq!(f.exception(None)?, Some(PyException::KeyError("'k'".into())));
    /// # Ok::<(), PyException>(())
    /// ```
    pub fn exception(&self, timeout: Option<Duration>) -> PyResult<Option<PyException>> {
        if !self.wait_done(scheduler::deadline_after(timeout)) {
            return Err(PyException::timeout());
        }
        let st = lock(&self.shared().state);
        match (&st.phase, &st.outcome) {
            (Phase::Cancelled, _) => Err(PyException::cancelled()),
            (_, Some(Err(e))) => Ok(Some(e.clone())),
            _ => Ok(None),
        }
    }
}

impl<T> Future<T> {
    /// `result(timeout)` for a `T` that is not `Clone`: waits as
    /// [`result`](Self::result) does, then moves the value out of the future
    /// instead of cloning it. Errors are cloned, so every handle still sees
    /// them. After a successful `into_result`, `result()` on another handle
    /// of the same future raises `InvalidStateError` (the value is gone);
    /// `done()`, `exception()` and the repr are unchanged. On `TimeoutError`
    /// the handle is consumed: clone it first to wait again.
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::{Future, ThreadPoolExecutor};
    /// struct NotClone(u32);
    /// let ex = ThreadPoolExecutor::new(Some(1))?;
    /// let f: Future<NotClone> = ex.submit(|| NotClone(7))?;
    /// assert_eq!(f.into_result(None)?.0, 7);
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn into_result(self, timeout: Option<Duration>) -> PyResult<T> {
        if !self.wait_done(scheduler::deadline_after(timeout)) {
            return Err(PyException::timeout());
        }
        let mut st = lock(&self.shared().state);
        match st.phase {
            Phase::Cancelled => Err(PyException::cancelled()),
            _ => match st.outcome.take() {
                Some(Ok(v)) => {
                    st.taken = true;
                    Ok(v)
                }
                Some(Err(e)) => {
                    st.outcome = Some(Err(e.clone()));
                    Err(e)
                }
                None => Err(moved_out()),
            },
        }
    }
}

/// What `result()` raises once `into_result` took the value.
fn moved_out() -> PyException {
    PyException::InvalidStateError("the result was moved out by into_result()".into())
}

impl<T: Clone> Future<T> {
    /// The call's return value, waiting up to `timeout` (`None`: forever).
    /// Re-raises the call's exception; `CancelledError` if cancelled,
    /// `TimeoutError` on timeout. May be called again.
    ///
    /// Blocks like a Python thread; where CPython would deadlock (a worker
    /// waiting for a queued call of its own pool that no other worker can
    /// ever take), the call runs nested on the waiter (see the module docs).
    ///
    /// ```
    /// use pyrt_executor::concurrent::futures::ThreadPoolExecutor;
    /// use pyrt_executor::PyClass;
    /// use std::time::Duration;
    /// let ex = ThreadPoolExecutor::new(Some(2))?;
    /// let f = ex.submit(|| 6 * 7)?;
    /// assert_eq!(f.result(None)?, 42);
    /// assert_eq!(f.result(Some(Duration::from_secs(1)))?, 42); // may be called again
    /// let never: pyrt_executor::concurrent::futures::Future<i32> = Default::default();
    /// let e = never.result(Some(Duration::from_millis(5))).unwrap_err();
    /// assert!(e.is_instance_of(&PyClass::TimeoutError));
    /// # Ok::<(), pyrt_executor::PyException>(())
    /// ```
    pub fn result(&self, timeout: Option<Duration>) -> PyResult<T> {
        if !self.wait_done(scheduler::deadline_after(timeout)) {
            return Err(PyException::timeout());
        }
        self.outcome().expect("done")
    }

    /// The outcome if done: `Some(Ok(v))`, `Some(Err(e))` (cancelled gives
    /// `CancelledError`), or `None` if not done yet.
    fn outcome(&self) -> Option<PyResult<T>> {
        let st = lock(&self.shared().state);
        match st.phase {
            Phase::Cancelled => Some(Err(PyException::cancelled())),
            Phase::Finished => Some(st.outcome.clone().unwrap_or_else(|| Err(moved_out()))),
            _ => None,
        }
    }
}

fn take_listeners<T>(st: &mut State<T>) -> (Vec<Callback<T>>, Vec<Waker>) {
    (
        std::mem::take(&mut st.callbacks),
        std::mem::take(&mut st.wakers),
    )
}

/// The wait of `wait_done`: ready with `None` when the future is done, or
/// with `Some(stuck)` when the waiter, a worker of the future's pool, may
/// have to run the still-queued call itself (see the module docs).
struct Waiter<'a, T> {
    future: &'a Future<T>,
    pool: &'a PoolHandle,
    /// Whether the waiter may run the call (an untimed wait only).
    may_run: bool,
    /// What this waiter last registered with its pool (`watch_stuck`).
    watch: StuckWatch,
}

impl<T> std::future::Future for Waiter<'_, T> {
    type Output = Option<Stuck>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Stuck>> {
        if self.future.register(cx.waker()) {
            return Poll::Ready(None);
        }
        if !self.may_run || lock(&self.future.shared().state).phase != Phase::Pending {
            return Poll::Pending;
        }
        let this = &mut *self;
        match this.pool.watch_stuck(cx.waker(), &mut this.watch) {
            Stuck::No => Poll::Pending,
            stuck => Poll::Ready(Some(stuck)),
        }
    }
}

/// A future that is ready when the Python future is done.
struct Done<'a, T>(&'a Future<T>);

impl<T> std::future::Future for Done<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.register(cx.waker()) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// `.await` a future from async code: yields `result()`'s value.
impl<T: Clone> std::future::Future for Future<T> {
    type Output = PyResult<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<PyResult<T>> {
        // A pool without workers has nobody else to run the call: the
        // poller does (any executor's `block_on` then finishes).
        self.run_if_inline();
        if self.register(cx.waker()) {
            Poll::Ready(self.outcome().expect("done"))
        } else {
            Poll::Pending
        }
    }
}
