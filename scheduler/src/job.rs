//! What a deque holds: an `async-task` runnable, a [`HeapJob`], or a
//! `join`'s stack job.
//!
//! Most work is [`Runnable`]s (one allocation each, see `task.rs`). A
//! [`HeapJob`] is work that already lives in an `Arc` its owner needed
//! anyway — an executor `Future`'s core holds the closure and the result
//! slot — so queuing it costs no allocation at all (rayon-core's `HeapJob`
//! is the same idea); `submit` is then one allocation in total. The
//! second half of a `join` is different: it lives on the joining worker's
//! stack, because that worker does not return before the half has run — the
//! same design as rayon-core's `StackJob`/`JobRef`. Pushing it costs no
//! allocation, and in the common case (nobody stole it) the worker pops it
//! back and calls the closure directly.
//!
//! A stolen stack job is run by the thief, which stores the result, sets the
//! job's latch and wakes the owner (`Sleep::notify_worker`). The owner helps
//! with other work meanwhile and may sleep with the latch as its wake-up
//! condition; see `join.rs`.

use std::cell::UnsafeCell;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use crate::registry::Registry;
use crate::task::Runnable;

/// An entry of a worker's deque or of the injector: a pointer to the work
/// and the table that says how to run it or drop it unrun. Two words, like
/// rayon-core's `JobRef`, so that pushing one is two register stores (an
/// enum of the three kinds was three words, copied through the stack).
pub(crate) struct Job {
    ptr: NonNull<()>,
    vtable: &'static JobVtable,
}

/// How to run a [`Job`] of one kind, or drop it without running it.
struct JobVtable {
    /// Runs the job (takes ownership of `ptr`).
    run: unsafe fn(NonNull<()>),
    /// The job is dropped unrun (takes ownership of `ptr`).
    drop_unrun: unsafe fn(NonNull<()>),
}

// SAFETY: every kind of job is `Send` (runnables, `HeapJob: Send + Sync`,
// stack jobs whose closure and result are `Send`), and a `Job` is run or
// dropped by exactly one thread: the one that popped or stole it.
unsafe impl Send for Job {}

impl Job {
    /// An `async-task` task; dropping it unrun cancels the task.
    pub(crate) fn task(runnable: Runnable) -> Job {
        /// # Safety
        /// `ptr` comes from `Runnable::into_raw`, and is taken back once.
        unsafe fn run(ptr: NonNull<()>) {
            // SAFETY: by this function's contract.
            unsafe { Runnable::from_raw(ptr) }.run();
        }
        /// # Safety
        /// As for `run`.
        unsafe fn drop_unrun(ptr: NonNull<()>) {
            // SAFETY: by this function's contract.
            drop(unsafe { Runnable::from_raw(ptr) });
        }
        const VTABLE: JobVtable = JobVtable { run, drop_unrun };
        Job {
            ptr: runnable.into_raw(),
            vtable: &VTABLE,
        }
    }

    /// A [`HeapJob`]: the queue holds the `Arc` itself, no allocation more.
    pub(crate) fn heap<J: HeapJob>(job: Arc<J>) -> Job {
        let ptr = NonNull::new(Arc::into_raw(job) as *mut ()).expect("Arc is non-null");
        Job {
            ptr,
            vtable: &<J as HeapVtable>::VTABLE,
        }
    }

    /// The second half of a `join`, on its owner's stack.
    ///
    /// # Safety
    /// `job` must stay where it is until it was run and
    /// [`StackJob::is_done`] returned true, or until its owner popped this
    /// reference back itself.
    pub(crate) unsafe fn stack<F, R>(job: &StackJob<F, R>) -> Job
    where
        F: FnOnce() -> R + Send,
        R: Send,
    {
        Job {
            ptr: NonNull::from(job).cast(),
            vtable: &<StackJob<F, R> as StackVtable>::VTABLE,
        }
    }

    /// True if this is the reference to `job` that [`Job::stack`] made.
    pub(crate) fn is<F, R>(&self, job: &StackJob<F, R>) -> bool {
        std::ptr::eq(
            self.ptr.as_ptr() as *const (),
            job as *const StackJob<F, R> as *const (),
        )
    }

    /// Runs the job. A panic escapes only from a task (stack jobs catch
    /// theirs and hand it to their owner; heap jobs catch their own).
    pub(crate) fn run(self) {
        let job = ManuallyDrop::new(self);
        // SAFETY: `job` owns `ptr` (it came from one of the constructors
        // above, whose pointer the matching vtable expects) and is consumed
        // here, so the pointer is run exactly once and never dropped after.
        unsafe { (job.vtable.run)(job.ptr) }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: a `Job` that is dropped was never run (`run` consumes it
        // without dropping), so it still owns `ptr`.
        unsafe { (self.vtable.drop_unrun)(self.ptr) }
    }
}

/// Work queued by reference to an `Arc` its owner already holds.
///
/// Exactly one of [`run`](HeapJob::run) and [`cancel`](HeapJob::cancel) is
/// called for each time the job is queued: `cancel` when the queued entry is
/// dropped unrun (e.g. [`ThreadPool::cancel_queued`](crate::ThreadPool::cancel_queued)).
///
/// ```
/// use pyrt_scheduler::ext::HeapJob;
/// use std::sync::{mpsc, Arc, Mutex};
/// /// A job whose owner keeps the `Arc` too, to read its result.
/// struct Square {
///     input: u64,
///     output: Mutex<Option<u64>>,
///     done: Mutex<mpsc::Sender<()>>,
/// }
/// impl HeapJob for Square {
///     fn run(self: Arc<Self>) {
///         *self.output.lock().unwrap() = Some(self.input * self.input);
///         self.done.lock().unwrap().send(()).unwrap();
///     }
///     fn cancel(self: Arc<Self>) {}
/// }
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let (tx, rx) = mpsc::channel();
/// let job = Arc::new(Square { input: 7, output: Mutex::new(None), done: Mutex::new(tx) });
/// pool.handle().submit_job(job.clone());
/// rx.recv().unwrap();
/// assert_eq!(*job.output.lock().unwrap(), Some(49));
/// ```
pub trait HeapJob: Send + Sync + 'static {
    /// Runs the job on a worker (or on a waiting thread of a workerless pool).
    ///
    /// ```
    /// use pyrt_scheduler::ext::HeapJob;
    /// use std::sync::{mpsc, Arc, Mutex};
    /// struct Ping(Mutex<mpsc::Sender<&'static str>>);
    /// impl HeapJob for Ping {
    ///     fn run(self: Arc<Self>) { self.0.lock().unwrap().send("run").unwrap() }
    ///     fn cancel(self: Arc<Self>) { self.0.lock().unwrap().send("cancel").unwrap() }
    /// }
    /// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// pool.handle().submit_job(Arc::new(Ping(Mutex::new(tx))));
    /// assert_eq!(rx.recv().unwrap(), "run");
    /// ```
    fn run(self: Arc<Self>);
    /// The job was dropped from the queue without running.
    ///
    /// ```
    /// use pyrt_scheduler::ext::HeapJob;
    /// use std::sync::{mpsc, Arc, Mutex};
    /// struct Ping(Mutex<mpsc::Sender<&'static str>>);
    /// impl HeapJob for Ping {
    ///     fn run(self: Arc<Self>) { self.0.lock().unwrap().send("run").unwrap() }
    ///     fn cancel(self: Arc<Self>) { self.0.lock().unwrap().send("cancel").unwrap() }
    /// }
    /// // No worker has started: the job is still queued when it is cancelled.
    /// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).lazy_start().build().unwrap();
    /// let (tx, rx) = mpsc::channel();
    /// pool.handle().submit_job(Arc::new(Ping(Mutex::new(tx))));
    /// assert_eq!(pool.cancel_queued(), 1);
    /// assert_eq!(rx.recv().unwrap(), "cancel");
    /// ```
    fn cancel(self: Arc<Self>);
}

/// The vtable of heap jobs of type `J`.
trait HeapVtable {
    const VTABLE: JobVtable;
}

impl<J: HeapJob> HeapVtable for J {
    const VTABLE: JobVtable = JobVtable {
        run: heap_run::<J>,
        drop_unrun: heap_cancel::<J>,
    };
}

/// # Safety
/// `ptr` comes from `Arc::<J>::into_raw` in [`Job::heap`], taken back once.
unsafe fn heap_run<J: HeapJob>(ptr: NonNull<()>) {
    // SAFETY: by this function's contract.
    unsafe { Arc::from_raw(ptr.as_ptr() as *const J) }.run();
}

/// # Safety
/// As for [`heap_run`].
unsafe fn heap_cancel<J: HeapJob>(ptr: NonNull<()>) {
    // SAFETY: by this function's contract.
    unsafe { Arc::from_raw(ptr.as_ptr() as *const J) }.cancel();
}

/// The vtable of stack jobs of one closure type.
trait StackVtable {
    const VTABLE: JobVtable;
}

impl<F, R> StackVtable for StackJob<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    const VTABLE: JobVtable = JobVtable {
        run: StackJob::<F, R>::execute,
        // A stack job is never dropped unrun: it sits on its owner's deque,
        // which is not drained, until popped or stolen.
        drop_unrun: |_| {},
    };
}

/// A closure waiting on its owner's stack to be run by someone.
pub(crate) struct StackJob<F, R> {
    func: UnsafeCell<Option<F>>,
    result: UnsafeCell<Option<thread::Result<R>>>,
    done: AtomicBool,
    registry: *const Registry,
    owner: usize,
}

impl<F, R> StackJob<F, R>
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    /// A job for `func`, owned by worker `owner` of `registry`.
    pub(crate) fn new(func: F, registry: &Registry, owner: usize) -> Self {
        StackJob {
            func: UnsafeCell::new(Some(func)),
            result: UnsafeCell::new(None),
            done: AtomicBool::new(false),
            registry,
            owner,
        }
    }

    /// Runs the closure on the owner's thread, after popping the job back.
    pub(crate) fn run_inline(self) -> R {
        let func = self.func.into_inner().expect("stack job run once");
        func()
    }

    /// True once a thief has run the job and stored its result.
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// The stored result, after [`is_done`](Self::is_done) returned true.
    pub(crate) fn into_result(self) -> thread::Result<R> {
        self.result.into_inner().expect("stack job finished")
    }

    /// Run by a thief through [`Job::run`].
    ///
    /// # Safety
    /// `ptr` comes from [`Job::stack`] on a job that is still alive and was
    /// not run yet.
    unsafe fn execute(ptr: NonNull<()>) {
        // SAFETY: by this function's contract `ptr` is a live `StackJob<F, R>`.
        let this = unsafe { &*(ptr.as_ptr() as *const Self) };
        // SAFETY: only the single thread that popped or stole the reference
        // touches `func` and `result` before `done` is set.
        let func = unsafe { (*this.func.get()).take() }.expect("stack job run once");
        let result = panic::catch_unwind(AssertUnwindSafe(func));
        // SAFETY: as above; the owner reads `result` only after `done`.
        unsafe { *this.result.get() = Some(result) };
        // Copy what we need before `done`: once it is set the owner may
        // return and the job's memory is gone.
        let (registry, owner) = (this.registry, this.owner);
        this.done.store(true, Ordering::Release);
        // SAFETY: the thief is a worker of `registry`, which keeps it alive
        // for as long as the thief runs.
        unsafe { &*registry }.sleep.notify_worker(owner);
    }
}
