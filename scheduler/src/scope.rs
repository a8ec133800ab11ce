//! `scope(|s| ...)`: spawn tasks that may borrow from the caller's stack.
//!
//! Every task spawned on the scope finishes before `scope` returns; the
//! calling worker helps run the tasks in the pool's deques while it waits
//! (fork-join work, never the injector's executor calls: the one wait loop
//! with `Policy::Help`, `wait_loop.rs`). A panic in any task is resumed by
//! `scope` after all of them have finished.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::loom::{lock, Mutex};
use crate::pool;
use crate::registry::Registry;
use crate::task;
use crate::wait_loop::{self, Policy};
use crate::worker::WorkerThread;

/// A scope in which borrowing tasks can be spawned; see [`scope`].
///
/// ```
/// let mut words = vec![String::new(); 2];
/// pyrt_scheduler::scope(|s| {
///     for (i, w) in words.iter_mut().enumerate() {
///         s.spawn(move |_| *w = format!("task {i}"));
///     }
/// });
/// assert_eq!(words, ["task 0", "task 1"]);
/// ```
pub struct Scope<'scope> {
    registry: Arc<Registry>,
    /// What the tasks report to the owner, shared with each of them (see
    /// [`Tasks`]).
    tasks: Arc<Tasks>,
    _marker: PhantomData<&'scope mut &'scope ()>,
}

/// The count of a scope's unfinished tasks and their first panic. Every
/// task holds its own `Arc` of it, not a reference into the owner's stack
/// frame: the owner may return and free that frame the moment the last
/// task's count reaches zero, while that task is still inside
/// [`Tasks::task_done`] (its lock's release), and freeing memory that a
/// running function still borrows is undefined behaviour (miri's Tree
/// Borrows flags it; rayon's latches take raw pointers for the same
/// reason).
struct Tasks {
    state: Mutex<ScopeState>,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

struct ScopeState {
    pending: usize,
    waker: Option<Waker>,
}

/// A pointer to a scope that a task may carry to another thread.
struct ScopePtr<'scope>(*const Scope<'scope>);

// SAFETY: `Scope` is `Sync` (all its fields are); the pointer is only
// dereferenced while the scope is alive, which `scope` guarantees by waiting
// for `pending` to reach zero before returning (a task reports to `Tasks`
// through its own `Arc`, never through this pointer).
unsafe impl Send for ScopePtr<'_> {}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("pending", &lock(&self.tasks.state).pending)
            .finish_non_exhaustive()
    }
}

impl<'scope> Scope<'scope> {
    /// Spawns `f` as a task of this scope.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let count = AtomicUsize::new(0);
    /// pyrt_scheduler::scope(|s| {
    ///     // A task may spawn more tasks on the same scope.
    ///     s.spawn(|s| {
    ///         count.fetch_add(1, Ordering::SeqCst);
    ///         s.spawn(|_| {
    ///             count.fetch_add(1, Ordering::SeqCst);
    ///         });
    ///     });
    /// });
    /// assert_eq!(count.load(Ordering::SeqCst), 2);
    /// ```
    pub fn spawn<F>(&self, f: F)
    where
        F: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        lock(&self.tasks.state).pending += 1;
        let ptr = ScopePtr(self as *const Scope<'scope>);
        let tasks = self.tasks.clone();
        let future = async move {
            let ptr = ptr;
            // SAFETY: the scope outlives its pending tasks (see `ScopePtr`);
            // `scope` is not used after `f` returns.
            let scope = unsafe { &*ptr.0 };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| f(scope))) {
                lock(&tasks.panic).get_or_insert(p);
            }
            tasks.task_done();
        };
        // SAFETY: the future borrows data living for 'scope; `scope()` does
        // not return (nor unwind) before every spawned task has run
        // `task_done`, after which the task touches no borrowed data.
        let (runnable, task) = unsafe { task::spawn_unchecked(&self.registry, future) };
        task.detach();
        runnable.schedule();
    }

    fn wait_all(&self) {
        let mut all_done = AllDone(&self.tasks);
        let waited = wait_loop::wait(
            Pin::new(&mut all_done),
            None,
            Some(&self.registry),
            Policy::Help,
        );
        debug_assert!(waited.is_some(), "no deadline");
    }
}

impl Tasks {
    fn task_done(&self) {
        let waker = {
            let mut st = lock(&self.state);
            st.pending -= 1;
            if st.pending == 0 {
                st.waker.take()
            } else {
                None
            }
        };
        // The owner may return as soon as we released the lock above; this
        // task's own `Arc` keeps `self` alive until it is dropped.
        if let Some(w) = waker {
            w.wake();
        }
    }
}

struct AllDone<'a>(&'a Tasks);

impl Future for AllDone<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = lock(&self.0.state);
        if st.pending == 0 {
            Poll::Ready(())
        } else {
            st.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

/// Creates a scope, runs `op` in it, and waits for every task spawned in it.
///
/// ```
/// let mut parts = [0u64; 4];
/// pyrt_scheduler::scope(|s| {
///     for (i, p) in parts.iter_mut().enumerate() {
///         s.spawn(move |_| *p = (i as u64 + 1) * 10);
///     }
/// });
/// assert_eq!(parts, [10, 20, 30, 40]);
/// ```
pub fn scope<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    let registry = WorkerThread::with_current(|w| w.map(|w| w.registry().clone()));
    match registry {
        Some(registry) => scope_in(registry, op),
        None => pool::global().install(move || scope(op)),
    }
}

pub(crate) fn scope_in<'scope, OP, R>(registry: Arc<Registry>, op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R,
{
    let s = Scope {
        registry,
        tasks: Arc::new(Tasks {
            state: Mutex::new(ScopeState {
                pending: 0,
                waker: None,
            }),
            panic: Mutex::new(None),
        }),
        _marker: PhantomData,
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| op(&s)));
    s.wait_all();
    if let Some(p) = lock(&s.tasks.panic).take() {
        panic::resume_unwind(p);
    }
    match result {
        Ok(r) => r,
        Err(p) => panic::resume_unwind(p),
    }
}
