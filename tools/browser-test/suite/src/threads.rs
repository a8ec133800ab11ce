//! `std::thread::spawn` and `std::thread::scope` for the test files, on Web
//! Workers.
//!
//! std cannot start a thread on `wasm32-unknown-unknown`; our spawner can
//! (through the page's host). `build.rs` rewrites the test files' calls of
//! `std::thread::spawn(` and `std::thread::scope(` to these functions, which
//! have the same shape: a join handle whose `join` returns the closure's
//! value or its panic, and a scope that joins every thread it spawned before
//! it returns.

use std::any::Any;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex};

type Outcome<T> = Result<T, Box<dyn Any + Send + 'static>>;

/// Where a thread leaves its outcome for `join`.
struct Slot<T> {
    outcome: Mutex<Option<Outcome<T>>>,
    done: Condvar,
}

impl<T> Slot<T> {
    fn new() -> Arc<Self> {
        Arc::new(Slot {
            outcome: Mutex::new(None),
            done: Condvar::new(),
        })
    }

    fn fill(&self, outcome: Outcome<T>) {
        *self.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
        self.done.notify_all();
    }

    fn take(&self) -> Outcome<T> {
        let mut g = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(o) = g.take() {
                return o;
            }
            g = self.done.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Runs `f` on a new Web Worker and puts its outcome in `slot`.
fn start<T>(f: impl FnOnce() -> T + Send + 'static, slot: Arc<Slot<T>>)
where
    T: Send + 'static,
{
    scheduler::spawn_thread("test-thread", move || {
        slot.fill(panic::catch_unwind(AssertUnwindSafe(f)));
    })
    .expect("failed to spawn thread");
}

/// `std::thread::JoinHandle`'s `join`.
pub struct JoinHandle<T>(Arc<Slot<T>>);

impl<T> JoinHandle<T> {
    /// Waits for the thread; its value, or the payload of its panic.
    pub fn join(self) -> Outcome<T> {
        self.0.take()
    }
}

/// `std::thread::spawn`.
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Slot::new();
    start(f, slot.clone());
    JoinHandle(slot)
}

/// `std::thread::Scope`: threads that may borrow from the enclosing stack.
pub struct Scope<'scope, 'env: 'scope> {
    /// Threads spawned and not yet finished.
    running: Arc<(Mutex<usize>, Condvar)>,
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// `std::thread::ScopedJoinHandle`.
pub struct ScopedJoinHandle<'scope, T>(Arc<Slot<T>>, PhantomData<&'scope ()>);

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread; its value, or the payload of its panic.
    pub fn join(self) -> Outcome<T> {
        self.0.take()
    }
}

impl<'scope> Scope<'scope, '_> {
    /// `Scope::spawn`.
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let slot = Slot::new();
        let running = self.running.clone();
        *running.0.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        let s = slot.clone();
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            s.fill(panic::catch_unwind(AssertUnwindSafe(f)));
            drop(s);
            let mut n = running.0.lock().unwrap_or_else(|p| p.into_inner());
            *n -= 1;
            running.1.notify_all();
        });
        // SAFETY: `scope` does not return before `running` is back to zero,
        // i.e. before this closure has finished (its last act is the
        // decrement, after which it touches nothing borrowed). So whatever
        // it borrows for `'scope` outlives its use, as in std's own scope.
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe { std::mem::transmute(body) };
        scheduler::spawn_thread("test-scoped-thread", body).expect("failed to spawn thread");
        ScopedJoinHandle(slot, PhantomData)
    }
}

/// `std::thread::scope`: runs `f`, then waits for every thread it spawned.
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        running: Arc::new((Mutex::new(0), Condvar::new())),
        scope: PhantomData,
        env: PhantomData,
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| f(&scope)));
    let mut n = scope.running.0.lock().unwrap_or_else(|p| p.into_inner());
    while *n > 0 {
        n = scope.running.1.wait(n).unwrap_or_else(|p| p.into_inner());
    }
    drop(n);
    match result {
        Ok(v) => v,
        Err(payload) => panic::resume_unwind(payload),
    }
}
