//! `scope(|s| ...)`: spawn tasks that may borrow from the caller's stack.
//!
//! Every task spawned on the scope finishes before `scope` returns; the
//! calling worker helps run the tasks in the pool's deques while it waits
//! (fork-join work, never the injector's executor calls; see `wait.rs`). A panic in any task
//! is resumed by `scope` after all of them have finished.

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
use crate::wait::help_until;
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
    /// Tasks spawned and not finished, plus the waker of the waiting owner.
    state: Mutex<ScopeState>,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    _marker: PhantomData<&'scope mut &'scope ()>,
}

struct ScopeState {
    pending: usize,
    waker: Option<Waker>,
}

/// A pointer to a scope that a task may carry to another thread.
struct ScopePtr<'scope>(*const Scope<'scope>);

// SAFETY: `Scope` is `Sync` (all its fields are); the pointer is only
// dereferenced while the scope is alive, which `scope` guarantees by waiting
// for `pending` to reach zero before returning.
unsafe impl Send for ScopePtr<'_> {}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("pending", &lock(&self.state).pending)
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
        lock(&self.state).pending += 1;
        let ptr = ScopePtr(self as *const Scope<'scope>);
        let future = async move {
            let ptr = ptr;
            // SAFETY: the scope outlives its pending tasks (see `ScopePtr`).
            let scope = unsafe { &*ptr.0 };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| f(scope))) {
                lock(&scope.panic).get_or_insert(p);
            }
            scope.task_done();
        };
        // SAFETY: the future borrows data living for 'scope; `scope()` does
        // not return (nor unwind) before every spawned task has run
        // `task_done`, after which the task touches no borrowed data.
        let (runnable, task) = unsafe { task::spawn_unchecked(&self.registry, future) };
        task.detach();
        runnable.schedule();
    }

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
        // The owner can only see `pending == 0` after we released the lock
        // above; from here on we must not touch `self`.
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn wait_all(&self) {
        help_until(AllDone(self));
    }
}

struct AllDone<'a, 'scope>(&'a Scope<'scope>);

impl Future for AllDone<'_, '_> {
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
        None => match crate::inline::current() {
            Some(registry) => scope_in(registry, op),
            None => pool::global().install(move || scope(op)),
        },
    }
}

pub(crate) fn scope_in<'scope, OP, R>(registry: Arc<Registry>, op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R,
{
    let s = Scope {
        registry,
        state: Mutex::new(ScopeState {
            pending: 0,
            waker: None,
        }),
        panic: Mutex::new(None),
        _marker: PhantomData,
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| op(&s)));
    s.wait_all();
    if let Some(p) = lock(&s.panic).take() {
        panic::resume_unwind(p);
    }
    match result {
        Ok(r) => r,
        Err(p) => panic::resume_unwind(p),
    }
}
