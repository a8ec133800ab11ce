//! Tasks: `async-task` runnables, so closures and futures share the workers.
//!
//! A closure becomes a future that is ready on its first poll; a real future
//! that returns `Pending` is put back on a queue by its waker (the schedule
//! function below). Either way the task is one allocation, made by
//! `async-task`, holding the future, its output and the metadata.

use std::future::Future;
use std::sync::Arc;

use crate::registry::Registry;

/// A task ready to run (`async_task::Runnable`).
pub type Runnable = async_task::Runnable;

/// A handle to a task's output (`async_task::Task`); await it or detach it.
///
/// ```
/// let pool = pyrt_scheduler::ThreadPool::new(1).unwrap();
/// let task: pyrt_scheduler::Task<u32> = pool.spawn_future(async { 7 });
/// assert_eq!(pool.block_on(task), 7);
/// ```
pub type Task<T> = async_task::Task<T>;

fn schedule_fn(registry: Arc<Registry>) -> impl Fn(Runnable) + Send + Sync + 'static {
    move |runnable| registry.push(runnable)
}

/// Creates a task for `future` on `registry` and queues it.
pub(crate) fn spawn<F>(registry: &Arc<Registry>, future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (runnable, task) = async_task::spawn(future, schedule_fn(registry.clone()));
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
    // SAFETY: `schedule_fn` is Send + Sync + 'static; the future's borrows are
    // kept alive by the caller, as this function's contract requires.
    unsafe { async_task::spawn_unchecked(future, schedule_fn(registry.clone())) }
}
