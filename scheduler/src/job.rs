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
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use crate::registry::Registry;
use crate::task::Runnable;

/// An entry of a worker's deque or of the injector.
pub(crate) enum Job {
    /// An `async-task` task.
    Task(Runnable),
    /// Work that owns its allocation (see [`HeapJob`]).
    Heap(HeapJobRef),
    /// The second half of a `join`, on its owner's stack.
    Stack(StackJobRef),
}

/// Work queued by reference to an `Arc` its owner already holds.
///
/// Exactly one of [`run`](HeapJob::run) and [`cancel`](HeapJob::cancel) is
/// called for each time the job is queued: `cancel` when the queued entry is
/// dropped unrun (e.g. [`ThreadPool::cancel_queued`](crate::ThreadPool::cancel_queued)).
pub trait HeapJob: Send + Sync + 'static {
    /// Runs the job on a worker (or on a waiting thread of a workerless pool).
    fn run(self: Arc<Self>);
    /// The job was dropped from the queue without running.
    fn cancel(self: Arc<Self>);
}

/// A queued [`HeapJob`]; dropping it unrun cancels the job.
pub(crate) struct HeapJobRef(Option<Arc<dyn HeapJob>>);

impl HeapJobRef {
    pub(crate) fn new(job: Arc<dyn HeapJob>) -> Self {
        HeapJobRef(Some(job))
    }
}

impl Drop for HeapJobRef {
    fn drop(&mut self) {
        if let Some(job) = self.0.take() {
            job.cancel();
        }
    }
}

impl Job {
    /// Runs the job. A panic escapes only from a `Task` (stack jobs catch
    /// theirs and hand it to their owner).
    pub(crate) fn run(self) {
        match self {
            Job::Task(r) => {
                r.run();
            }
            Job::Heap(mut h) => {
                if let Some(job) = h.0.take() {
                    job.run();
                }
            }
            // SAFETY: a `StackJobRef` in a queue points to a live `StackJob`
            // (its owner waits for the latch before the job goes out of
            // scope), and each reference is popped or stolen exactly once.
            Job::Stack(j) => unsafe { (j.execute)(j.ptr) },
        }
    }
}

/// A type-erased pointer to a [`StackJob`] and the function that runs it.
pub(crate) struct StackJobRef {
    ptr: *const (),
    execute: unsafe fn(*const ()),
}

// SAFETY: a `StackJob`'s closure and result are `Send`, and the job is run by
// exactly one thread (see `Job::run`); the pointer is only a handle to it.
unsafe impl Send for StackJobRef {}

impl StackJobRef {
    /// True if this reference points to `job`.
    pub(crate) fn is<F, R>(&self, job: &StackJob<F, R>) -> bool {
        std::ptr::eq(self.ptr, job as *const StackJob<F, R> as *const ())
    }
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

    /// A reference to push onto a deque.
    ///
    /// # Safety
    /// `self` must stay where it is until the job was run and
    /// [`is_done`](Self::is_done) returned true, or until the owner popped the
    /// reference back itself.
    pub(crate) unsafe fn as_job_ref(&self) -> StackJobRef {
        StackJobRef {
            ptr: self as *const Self as *const (),
            execute: Self::execute,
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
    /// `ptr` comes from [`as_job_ref`](Self::as_job_ref) on a job that is
    /// still alive and was not run yet.
    unsafe fn execute(ptr: *const ()) {
        // SAFETY: by this function's contract `ptr` is a live `StackJob<F, R>`.
        let this = unsafe { &*(ptr as *const Self) };
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
