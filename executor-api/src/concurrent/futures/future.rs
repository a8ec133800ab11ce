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
//! The phase lives in one atomic word (`state.rs`: the transitions, who
//! owns what after each). Whoever moves a future out of `PENDING` owns its
//! closure: the worker that runs it, or `cancel`, which drops it. Every
//! transition into a final state wakes the waiters and runs the
//! done-callbacks exactly once. `done()`, `running()`, `cancelled()` and
//! `result()` on a finished future read the word (and the outcome it
//! publishes) without a lock; the one lock guards the listener list, and is
//! taken only by someone registering on an unfinished future and by the
//! thread that finishes a future somebody registered on.
//!
//! # Panics in user code
//!
//! User code that panics never leaves a transition half done: a panic in
//! the call is its `PanicException`; a captured value whose `Drop` panics
//! when a queued call is cancelled or failed unrun, and a result whose
//! `Drop` panics when `set_result` refuses it or when the last handle goes
//! away on a worker, are reported to `sys.unraisablehook`
//! ([`crate::sys::set_unraisablehook`], CPython's path for an exception in
//! `__del__`) after the transition completed, its waiters woke and its
//! callbacks ran; a callback that raises or panics is logged and the
//! others still run.
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
//! new one may start (`pyrt_scheduler::ext::Stuck`). Then nothing but the waiter could
//! ever run the call, so the waiter claims it and runs it on its own stack —
//! as a different Python thread (`threading/ident.rs`: its own ident,
//! `threading.local` values, `current_thread()` and lock ownership). If the
//! pool may still start a worker, it starts one instead. A chain of such
//! nested calls deeper than the worker's stack allows fails with CPython's
//! `RecursionError: maximum recursion depth exceeded` instead of
//! overflowing the stack. On a pool without worker threads (targets
//! without threads) the waiting thread borrows the pool's worker slot and
//! runs the queued calls in submission order until its own is done
//! (`pyrt_scheduler`'s `wait_loop.rs`), as nobody else could.

use std::cell::UnsafeCell;
use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use scheduler::ext::{PoolHandle, Stuck, StuckWatch};
use scheduler::Instant;

// The listener lock is loom's under `--cfg loom`, so `tests/loom_future.rs`
// model-checks this file's real state machine.
use super::state::{State, CANCELLED, COMPLETING, FINISHED, PENDING, RUNNING};
use crate::exceptions::{call, IntoPyResult, PyException, PyResult};
use crate::loom::{IgnorePoison, Mutex, MutexGuard};
use crate::threading::ident::{nested_depth, run_as_nested, NestedNames};
use crate::unraisable::{drop_or_report, write_unraisable};
use smallvec::SmallVec;

type Callback<T> = Box<dyn FnOnce(&Future<T>) -> PyResult<()> + Send>;

/// Who to tell when the future is done (guarded by `Header::listeners`).
/// Allocated by the first registration, so a future nobody waits on
/// carries one pointer for it; up to two wakers (the common case: one
/// `result()` waiter) live in that same allocation. Completion empties
/// the lists and leaves the box to be freed with the future.
struct Listeners<T> {
    callbacks: Vec<Callback<T>>,
    wakers: SmallVec<[Waker; 2]>,
}

// Not derived: that would ask for `T: Default`.
impl<T> Default for Listeners<T> {
    fn default() -> Self {
        Listeners {
            callbacks: Vec::new(),
            wakers: SmallVec::new(),
        }
    }
}

/// What every future has, whatever its closure.
pub(crate) struct Header<T> {
    /// The phase and flags (`state.rs`). A submitted future is `NOTIFIED`
    /// when cancelled (its executor will never run it); a `Future()` when
    /// `set_running_or_notify_cancel()` sees it cancelled: only then do
    /// `wait` and `as_completed` count a cancelled future as done.
    state: State,
    /// Written once, by the thread that moved `state` into `COMPLETING`;
    /// read by anyone after `state` says `FINISHED` (see `state.rs`);
    /// emptied by `into_result` once it set `TAKEN` and the readers left.
    outcome: UnsafeCell<Option<PyResult<T>>>,
    /// `None` until someone registers (see [`Listeners`]).
    listeners: Mutex<Option<Box<Listeners<T>>>>,
    /// The executor of a submitted future (`None` for `Future()`).
    origin: Option<Arc<Origin>>,
}

/// Where a submitted future came from: its executor's pool (to find out
/// whether a waiter is stuck), conditions and counters. One `Arc` per
/// executor, so a `submit` clones one shared reference count, not two.
///
/// Aligned to 128 bytes so that its fields, which every worker reads for
/// every call, sit apart from the `Arc`'s reference count, which every
/// `submit` and every freed future writes: on one cache line the two
/// made the line bounce between the submitting thread and the workers
/// (`perf annotate`: a third of `submit`'s own time was that clone).
#[repr(align(128))]
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
        // A compare-and-swap loop rather than `fetch_update`, which newer
        // toolchains deprecate (renamed `try_update`, unknown to the MSRV).
        let mut n = self.idle.load(Ordering::Acquire);
        while n > 0 {
            match self
                .idle
                .compare_exchange_weak(n, n - 1, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
        false
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
    fn shared(&self) -> &Header<T>;
    /// Runs the closure; only by the thread that moved the future out of
    /// PENDING into RUNNING. `None` if there was no closure.
    fn run_job(&self) -> Option<PyResult<T>>;
    /// Drops the closure; only by the thread that moved the future out of
    /// PENDING. A `Drop` that panicked is returned as its exception.
    fn drop_job(&self) -> Option<PyException>;
}

/// A future's core: the header and the closure (`FnCore` for a submitted
/// call, an empty closure for `Future()`).
struct FnCore<T, F> {
    shared: Header<T>,
    job: UnsafeCell<Option<F>>,
}

// SAFETY: `job` is only touched by the single thread that moved the future
// out of PENDING (one compare-and-swap decides it, see `state.rs`), so
// sharing the cell between threads never lets two of them access it. The
// outcome cell in `shared` is written only by the one thread that moved
// the state into COMPLETING, before it publishes FINISHED, and emptied only
// by the one `into_result` that set TAKEN, after the reader left; between
// those it is read by one thread at a time (the READING bit), so a `&T`
// is never shared between threads and `T: Send` suffices.
unsafe impl<T: Send, F: Send> Sync for FnCore<T, F> {}

impl<T, F, R> Core<T> for FnCore<T, F>
where
    T: Send,
    F: FnOnce() -> R + Send,
    R: IntoPyResult<T>,
{
    fn shared(&self) -> &Header<T> {
        &self.shared
    }

    fn run_job(&self) -> Option<PyResult<T>> {
        // SAFETY: called only by the thread that took the future out of
        // PENDING (the contract of `run_job`), the cell's only accessor.
        let f = unsafe { (*self.job.get()).take() }?;
        Some(call(f))
    }

    fn drop_job(&self) -> Option<PyException> {
        // SAFETY: as in `run_job`: the caller moved the future out of
        // PENDING, so it is the only thread that can reach the cell.
        let f = unsafe { (*self.job.get()).take() };
        call::<_, ()>(move || drop(f)).err()
    }
}

/// A submitted future is its own queue entry: the scheduler holds the same
/// `Arc` as the `Future` handles, so `submit` allocates once.
impl<T, F, R> scheduler::ext::HeapJob for FnCore<T, F>
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
        // If the caller dropped every handle, the result goes here: a
        // `Drop` that panics is reported, not thrown into the worker.
        drop_or_report(future, || "<Future state=finished>".to_string());
    }

    fn cancel(self: Arc<Self>) {
        Future {
            core: self as Arc<dyn Core<T>>,
        }
        .cancel();
    }

    /// The worker running the call died without unwinding (a Web Worker
    /// that trapped): the call can never finish, so its future raises.
    fn lost(self: Arc<Self>, message: &str) {
        let future = Future {
            core: self as Arc<dyn Core<T>>,
        };
        // Already finished (it died after publishing): nothing to do.
        let _ = future.set_exception(PyException::RuntimeError(format!(
            "the worker running this call died: {message}"
        )));
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
        match self.shared().state.load().phase() {
            PENDING => write!(f, "<Future state=pending>"),
            RUNNING | COMPLETING => write!(f, "<Future state=running>"),
            CANCELLED => write!(f, "<Future state=cancelled>"),
            _ => match self.read_outcome(|o| {
                o.and_then(|o| o.as_ref().err())
                    .map(|e| e.name().to_string())
            }) {
                Some(name) => write!(f, "<Future state=finished raised {name}>"),
                None => write!(
                    f,
                    "<Future state=finished returned {}>",
                    python_type_name::<T>()
                ),
            },
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
    m.lock().ignore_poison()
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

    fn make_core<F, R>(origin: Option<Arc<Origin>>, f: Option<F>) -> Arc<FnCore<T, F>>
    where
        F: FnOnce() -> R + Send + 'static,
        R: IntoPyResult<T> + 'static,
    {
        Arc::new(FnCore {
            shared: Header {
                state: State::new(),
                outcome: UnsafeCell::new(None),
                listeners: Mutex::new(None),
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

    fn shared(&self) -> &Header<T> {
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
        self.shared().state.load().is_done()
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
        matches!(self.shared().state.load().phase(), RUNNING | COMPLETING)
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
        self.shared().state.load().phase() == CANCELLED
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
        match self.cancel_pending() {
            Ok(()) => true,
            Err(phase) => phase == CANCELLED,
        }
    }

    /// Moves PENDING to CANCELLED and does what follows: drops the closure,
    /// wakes the waiters, runs the callbacks, reports a panicking `Drop`.
    /// `Err(phase)` if it was not pending.
    fn cancel_pending(&self) -> Result<(), usize> {
        let notified = self.shared().origin.is_some();
        let old = self
            .shared()
            .state
            .cancel(notified)
            .map_err(|now| now.phase())?;
        // We moved it out of PENDING: the closure is ours to drop.
        let panicked = self.core.drop_job();
        self.publish(old);
        self.report(panicked);
        Ok(())
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
        let state = &self.shared().state;
        match state.claim() {
            Ok(_) => Ok(true),
            Err(now) if now.phase() == CANCELLED => {
                if !state.mark_notified().notified() {
                    // `wait` may have registered after the cancel.
                    let listeners = lock(&self.shared().listeners)
                        .as_mut()
                        .map(|l| std::mem::take(&mut l.wakers));
                    listeners.into_iter().flatten().for_each(Waker::wake);
                }
                Ok(false)
            }
            Err(_) => Err(PyException::RuntimeError(
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
        let state = &self.shared().state;
        if state.begin_completing().is_err() {
            let name = if state.settled().phase() == CANCELLED {
                "CANCELLED"
            } else {
                "FINISHED"
            };
            let e = PyException::InvalidStateError(format!("{name}: {self:?}"));
            // The refused value is dropped here: a panicking `Drop` is
            // reported, the caller gets CPython's error.
            drop_or_report(outcome, || format!("{self:?}"));
            return Err(e);
        }
        // SAFETY: we moved the state into COMPLETING, so we are the only
        // thread that may touch the outcome cell until `finish` publishes
        // it (see `state.rs`); the cell held `None`, so nothing is dropped.
        unsafe { *self.shared().outcome.get() = Some(outcome) };
        let old = state.finish();
        self.publish(old);
        Ok(())
    }

    /// After a transition into a final state whose word before was `old`:
    /// takes the listeners if anyone registered, wakes, calls back.
    fn publish(&self, old: super::state::Snapshot) {
        if !old.has_listeners() {
            return;
        }
        // The lists are emptied, not the box freed: it was allocated by
        // whoever registered (usually the thread that submitted), and is
        // freed with the core by the last handle, most often on that same
        // thread. Freeing it here, on the worker, put a cross-thread free
        // in glibc's arena lock on every `result()` that had to wait.
        let (callbacks, wakers) = match lock(&self.shared().listeners).as_mut() {
            Some(l) => (
                std::mem::take(&mut l.callbacks),
                std::mem::take(&mut l.wakers),
            ),
            None => return,
        };
        for w in wakers {
            w.wake();
        }
        for cb in callbacks {
            self.invoke_callback(cb);
        }
    }

    /// Reports a panic of a closure's `Drop` (see the module docs).
    fn report(&self, panicked: Option<PyException>) {
        if let Some(e) = panicked {
            write_unraisable(e, Some(format!("{self:?}")));
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
        let state = &self.shared().state;
        if !state.load().is_done() {
            let mut listeners = lock(&self.shared().listeners);
            if !state.mark_listeners().is_done() {
                listeners.get_or_insert_default().callbacks.push(f);
                return;
            }
        }
        self.invoke_callback(f);
    }

    /// Moves PENDING to RUNNING and runs the closure; false if not pending.
    /// A submitted future obeys its executor's flags whoever runs it (a
    /// worker, or a stuck waiter running it nested).
    pub(crate) fn claim_and_run(&self) -> bool {
        self.claim_and_run_then(|| {})
    }

    /// [`claim_and_run`](Self::claim_and_run), calling `before_publish`
    /// exactly once: after the call returned and before its outcome is
    /// published (waiters woken, callbacks run), or at once if there is no
    /// call to run.
    fn claim_and_run_then(&self, before_publish: impl FnOnce()) -> bool {
        let flags = self.shared().origin.as_ref().map(|o| &*o.flags);
        if flags.is_some_and(|f| f.cancel_pending.load(Ordering::Acquire)) {
            before_publish();
            return self.cancel_pending().is_ok();
        }
        if self.shared().state.claim().is_err() {
            before_publish();
            return false;
        }
        let mut panicked = None;
        let outcome = match flags.and_then(|f| f.broken.get()) {
            Some(broken) => {
                panicked = self.core.drop_job();
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
        self.report(panicked);
        true
    }

    /// Waits until done or the deadline; true if done. See the module docs.
    fn wait_done(&self, deadline: Option<Instant>) -> bool {
        if self.done() {
            return true;
        }
        let Some(pool) = self.pool() else {
            return scheduler::block_on_until(
                Pin::new(&mut Done(self, Registered::default())),
                deadline,
            )
            .is_some();
        };
        loop {
            // A timed wait is no deadlock in CPython: it times out there.
            let mut waiter = Waiter {
                future: self,
                pool,
                may_run: deadline.is_none(),
                watch: StuckWatch::default(),
                registered: Registered::default(),
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
        if self.shared().state.claim().is_err() {
            return false;
        }
        let panicked = self.core.drop_job();
        let _ = self.complete(Err(e));
        self.report(panicked);
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
        lock(&self.shared().listeners)
            .as_ref()
            .map_or(0, |l| l.wakers.len())
    }

    /// Registers `waker` to be woken when the future is done; true if it
    /// already is.
    pub(crate) fn register(&self, waker: &Waker) -> bool {
        self.register_unless(waker, super::state::Snapshot::is_done)
    }

    /// Registers `waker` unless `done` holds for the state word, checked
    /// by the same read-modify-write that announces the listener (see
    /// `state.rs`); true if it held.
    fn register_unless(&self, waker: &Waker, done: fn(super::state::Snapshot) -> bool) -> bool {
        let state = &self.shared().state;
        if done(state.load()) {
            return true;
        }
        let mut listeners = lock(&self.shared().listeners);
        if done(state.mark_listeners()) {
            return true;
        }
        let wakers = &mut listeners.get_or_insert_default().wakers;
        if !wakers.iter().any(|w| w.will_wake(waker)) {
            wakers.push(waker.clone());
        }
        false
    }

    /// Done as `wait` and `as_completed` see it (CPython's `_state in
    /// [CANCELLED_AND_NOTIFIED, FINISHED]`): a `Future()` cancelled but not
    /// yet notified is not.
    pub(crate) fn done_for_wait(&self) -> bool {
        self.shared().state.load().is_done_for_wait()
    }

    /// [`register`](Self::register) for `wait` and `as_completed`: true if
    /// [`done_for_wait`](Self::done_for_wait).
    pub(crate) fn register_for_wait(&self, waker: &Waker) -> bool {
        self.register_unless(waker, super::state::Snapshot::is_done_for_wait)
    }

    /// Calls `f` with the outcome of a FINISHED future (`None` once
    /// `into_result` took the value), as its one reader, so that neither
    /// another reader nor `into_result` touches it meanwhile.
    fn read_outcome<R>(&self, f: impl FnOnce(Option<&PyResult<T>>) -> R) -> R {
        struct Reading<'a>(&'a State);
        impl Drop for Reading<'_> {
            fn drop(&mut self) {
                self.0.end_read();
            }
        }
        let state = &self.shared().state;
        let before = state.begin_read();
        let _reading = Reading(state);
        debug_assert_eq!(before.phase(), FINISHED);
        if before.taken() {
            return f(None);
        }
        // SAFETY: the state was FINISHED (acquire: the completer's write of
        // the cell happens before), we are its one reader (READING), and
        // TAKEN was unset when we became it, so `into_result` waits for us
        // before it moves the value out; nobody else writes the cell.
        f(unsafe { (*self.shared().outcome.get()).as_ref() })
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
        if self.cancelled() {
            return Err(PyException::cancelled());
        }
        self.read_outcome(|o| match o {
            Some(Err(e)) => Ok(Some(e.clone())),
            _ => Ok(None),
        })
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
        if self.cancelled() {
            return Err(PyException::cancelled());
        }
        // An exception stays for every handle; only a value moves.
        let raised = self.read_outcome(|o| match o {
            Some(Err(e)) => Some(e.clone()),
            Some(Ok(_)) => None,
            None => Some(moved_out()),
        });
        if let Some(e) = raised {
            return Err(e);
        }
        let state = &self.shared().state;
        if state.take().is_err() {
            return Err(moved_out());
        }
        state.no_readers();
        // SAFETY: we set TAKEN first and then waited for the reader that
        // came before it; later readers see TAKEN and leave the cell alone,
        // and no one else writes a FINISHED future's cell.
        match unsafe { (*self.shared().outcome.get()).take() } {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(e),
            None => Err(moved_out()),
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
    /// On a finished future it takes no lock: it reads the state word and
    /// clones the value (see `state.rs`).
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
        if let Some(done) = self.outcome() {
            return done;
        }
        if !self.wait_done(scheduler::deadline_after(timeout)) {
            return Err(PyException::timeout());
        }
        self.outcome().expect("done")
    }

    /// The outcome if done: `Some(Ok(v))`, `Some(Err(e))` (cancelled gives
    /// `CancelledError`), or `None` if not done yet.
    fn outcome(&self) -> Option<PyResult<T>> {
        match self.shared().state.load().phase() {
            CANCELLED => Some(Err(PyException::cancelled())),
            FINISHED => Some(self.read_outcome(|o| match o {
                Some(o) => o.clone(),
                None => Err(moved_out()),
            })),
            _ => None,
        }
    }
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
    /// What it last registered with the future.
    registered: Registered,
}

/// The waker a wait last registered on a future. A waker leaves the
/// future's list only when the future becomes done (`publish`, or a cancel
/// being notified), so a re-poll with the same waker only reads the state
/// word: a waiter spinning before it parks stays off the listener lock
/// that the worker completing the future takes.
#[derive(Default)]
struct Registered(Option<Waker>);

impl Registered {
    /// [`Future::register`], skipped if `waker` is the one registered last.
    fn register<T>(&mut self, future: &Future<T>, waker: &Waker) -> bool {
        if self.0.as_ref().is_some_and(|w| w.will_wake(waker)) {
            return future.shared().state.load().is_done();
        }
        if future.register(waker) {
            return true;
        }
        self.0 = Some(waker.clone());
        false
    }
}

impl<T> std::future::Future for Waiter<'_, T> {
    type Output = Option<Stuck>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Stuck>> {
        let this = &mut *self;
        if this.registered.register(this.future, cx.waker()) {
            return Poll::Ready(None);
        }
        if !self.may_run || self.future.shared().state.load().phase() != PENDING {
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
struct Done<'a, T>(&'a Future<T>, Registered);

impl<T> std::future::Future for Done<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        if this.1.register(this.0, cx.waker()) {
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
        // Polled by any executor: where the pool has no threads, the
        // poller runs its queue (our own waits do that already).
        if let Some(pool) = self.pool() {
            pool.drive_while(|| !self.done());
        }
        if self.register(cx.waker()) {
            Poll::Ready(self.outcome().expect("done"))
        } else {
            Poll::Pending
        }
    }
}
