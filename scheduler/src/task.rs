//! Tasks: `async-task` runnables, so closures and futures share the workers.
//!
//! A closure becomes a future that is ready on its first poll; a real future
//! that returns `Pending` is put back on a queue by its waker (the schedule
//! function below). Either way the task is one allocation, made by
//! `async-task`, holding the future, its output and the metadata.

use std::future::Future;
use std::sync::Arc;

use crate::registry::Registry;
use crate::worker::WorkerThread;

/// What every task carries besides its future.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let task = pool.spawn_future(async { 1 });
/// assert_eq!(task.metadata().origin, usize::MAX); // created outside the pool
/// assert_eq!(pool.block_on(task), 1);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct TaskMeta {
    /// Index of the worker that created the task, or `usize::MAX` if it was
    /// created outside the pool. Fork-join uses it to see whether a task
    /// migrated to another worker (was stolen).
    pub origin: usize,
}

/// A task ready to run (`async_task::Runnable` with our metadata).
pub type Runnable = async_task::Runnable<TaskMeta>;

/// A handle to a task's output (`async_task::Task`); await it or detach it.
pub type Task<T> = async_task::Task<T, TaskMeta>;

fn current_origin() -> usize {
    WorkerThread::with_current(|w| w.map_or(usize::MAX, |w| w.index()))
}

fn schedule_fn(registry: Arc<Registry>) -> impl Fn(Runnable) + Send + Sync + 'static {
    move |runnable| registry.push(runnable)
}

/// Creates a task for `future` on `registry` and queues it.
pub(crate) fn spawn<F>(registry: &Arc<Registry>, future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (runnable, task) = async_task::Builder::new()
        .metadata(TaskMeta {
            origin: current_origin(),
        })
        .spawn(|_| future, schedule_fn(registry.clone()));
    runnable.schedule();
    task
}

/// Like [`spawn`], for a future that borrows from the caller's stack.
/// Returns the runnable unqueued so the caller chooses where it goes.
///
/// # Safety
/// The caller must not let anything `future` borrows go out of scope before
/// the returned task has finished or been dropped after cancellation (i.e.
/// it waits for the task on every path, including unwinding).
pub(crate) unsafe fn spawn_unchecked<F>(
    registry: &Arc<Registry>,
    future: F,
) -> (Runnable, Task<F::Output>)
where
    F: Future + Send,
    F::Output: Send,
{
    let builder = async_task::Builder::new().metadata(TaskMeta {
        origin: current_origin(),
    });
    // SAFETY: `schedule_fn` is Send + Sync + 'static; the future's borrows are
    // kept alive by the caller, as this function's contract requires.
    unsafe { builder.spawn_unchecked(|_| future, schedule_fn(registry.clone())) }
}
