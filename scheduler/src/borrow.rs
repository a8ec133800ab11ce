//! A pool without threads has one worker slot that a waiting thread
//! borrows.
//!
//! A pool built with no worker threads (`wasm32-wasip1`, or
//! `num_threads(0)`) still has worker slot 0: its deque, its stealer, its
//! bed and counters, and nobody running it. A thread that waits on such a
//! pool (`wait_loop.rs`) takes the slot for the length of its wait: it
//! becomes that slot's worker ([`WorkerThread`] with `is_borrowed()`), so
//! `join`, `scope`, spawns and nested waits inside the tasks it runs work as
//! on any worker, and its wait drives the pool's queue in submission order
//! until its condition holds. When the wait ends, whatever is left in the
//! slot's deque goes to the injector and the slot is free again. tokio's
//! current-thread `block_on`, which takes the runtime's core for the length
//! of the call, is the model.
//!
//! One thread at a time holds the slot. The same thread may hold it again
//! in a nested wait (a task it runs waits on another pool without threads,
//! whose task waits on the first): it re-enters the worker of its outer
//! frame. Another thread that finds it taken waits until its own condition
//! holds or the slot is free ([`UntilSlotFree`]), then takes it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};

use crate::loom::{lock, AtomicBool, Mutex, Ordering};
use crate::registry::Registry;
use crate::wait_loop::{wait_loop, Policy, Waited};
use crate::worker::WorkerThread;
use crate::Instant;

/// Whether a pool's borrowable slot is taken, and who waits for it.
#[derive(Default)]
pub(crate) struct BorrowSlot {
    taken: AtomicBool,
    waiters: Mutex<Vec<Waker>>,
}

impl BorrowSlot {
    fn try_take(&self) -> bool {
        self.taken
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn release(&self) {
        self.taken.store(false, Ordering::Release);
        let waiters = std::mem::take(&mut *lock(&self.waiters));
        for w in waiters {
            w.wake();
        }
    }

    /// Leaves `waker` to be woken when the slot is released; false (and
    /// nothing left) if it is free already. The check is under the lock
    /// that [`release`](Self::release) takes after clearing the flag, so
    /// no release is missed.
    fn register_if_taken(&self, waker: &Waker) -> bool {
        let mut waiters = lock(&self.waiters);
        if !self.taken.load(Ordering::Acquire) {
            return false;
        }
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
        true
    }
}

thread_local! {
    /// The borrowed workers this thread holds, outermost first.
    static HELD: RefCell<Vec<*const WorkerThread>> = const { RefCell::new(Vec::new()) };
}

/// Every pool without threads, for waits that know no pool on a target
/// without threads ([`drive_any`]). A std lock: registered pools are not
/// part of any loom model.
static WORKERLESS: std::sync::Mutex<Vec<Weak<Registry>>> = std::sync::Mutex::new(Vec::new());

/// Records a new pool without threads.
pub(crate) fn register_workerless(registry: &Arc<Registry>) {
    let mut all = WORKERLESS.lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|r| r.strong_count() > 0);
    all.push(Arc::downgrade(registry));
}

/// As what the calling thread waits (see [`crate::wait_loop::wait`]).
pub(crate) enum Seat {
    /// As itself: its own worker if it is one, else a plain thread.
    Current,
    /// As the borrowed worker of a pool without threads.
    Borrowed(Borrowed),
    /// That pool's slot is held by another thread.
    Taken(Arc<Registry>),
}

impl Seat {
    /// How a thread waiting on `pool` (if known) waits.
    pub(crate) fn find(pool: Option<&Arc<Registry>>) -> Seat {
        let Some(pool) = pool.filter(|p| p.is_workerless()) else {
            return Seat::Current;
        };
        let mine =
            WorkerThread::with_current(|w| w.is_some_and(|w| Arc::ptr_eq(w.registry(), pool)));
        if mine {
            return Seat::Current;
        }
        Seat::borrow(pool)
    }

    fn borrow(pool: &Arc<Registry>) -> Seat {
        let held = HELD.with(|h| {
            h.borrow().iter().copied().find(|&w| {
                // SAFETY: the pointers in `HELD` are workers of enclosing
                // frames of this thread, removed before they are dropped.
                Arc::ptr_eq(unsafe { &*w }.registry(), pool)
            })
        });
        if let Some(w) = held {
            return Seat::Borrowed(Borrowed::Reentered(w));
        }
        if !pool.borrow.try_take() {
            return Seat::Taken(pool.clone());
        }
        let deque = pool.take_deque(0);
        let worker = Box::new(WorkerThread::new(pool.clone(), 0, deque, None, true));
        Seat::Borrowed(Borrowed::Owned(worker))
    }
}

/// A borrowed worker slot, held by this thread.
pub(crate) enum Borrowed {
    /// Taken now: released when [`run`](Self::run) returns.
    Owned(Box<WorkerThread>),
    /// Held by an enclosing frame of this thread.
    Reentered(*const WorkerThread),
}

impl Borrowed {
    /// Runs `f` as the slot's worker: the thread's current worker is that
    /// slot's until `f` returns (or unwinds).
    pub(crate) fn run<R>(self, f: impl FnOnce(&WorkerThread) -> R) -> R {
        let previous = WorkerThread::with_current(|w| w.map(|w| w as *const WorkerThread));
        struct Restore {
            previous: Option<*const WorkerThread>,
            owned: Option<Box<WorkerThread>>,
        }
        impl Drop for Restore {
            fn drop(&mut self) {
                match self.previous {
                    // SAFETY: the previous worker belongs to an enclosing
                    // frame of this thread, still alive.
                    Some(p) => WorkerThread::set_current(unsafe { &*p }),
                    None => WorkerThread::clear_current(),
                }
                if let Some(worker) = self.owned.take() {
                    HELD.with(|h| h.borrow_mut().pop());
                    release(*worker);
                }
            }
        }
        let (ptr, owned) = match self {
            Borrowed::Owned(w) => {
                let ptr: *const WorkerThread = &*w;
                HELD.with(|h| h.borrow_mut().push(ptr));
                (ptr, Some(w))
            }
            Borrowed::Reentered(ptr) => (ptr, None),
        };
        let _restore = Restore { previous, owned };
        // SAFETY: `ptr` is the boxed worker `_restore` owns (it outlives
        // `f`), or one held by an enclosing frame of this thread.
        let worker = unsafe { &*ptr };
        WorkerThread::set_current(worker);
        f(worker)
    }
}

/// Gives a borrowed slot back: jobs left in its deque go to the injector
/// (whoever waits next runs them), the deque goes back to the slot.
fn release(worker: WorkerThread) {
    let registry = worker.registry().clone();
    let mut left = false;
    while let Some(job) = worker.pop_local() {
        registry.injector.push(job);
        left = true;
    }
    registry.give_back_deque(0, worker.into_deque());
    registry.borrow.release();
    if left {
        registry.sleep.notify_one();
    }
}

/// A wait for `future` by a thread that found the slot of `registry` taken:
/// ready with `Some` when the future is, with `None` when the slot is free.
pub(crate) struct UntilSlotFree<'a, F: ?Sized> {
    future: Pin<&'a mut F>,
    registry: &'a Registry,
}

impl<'a, F: Future + ?Sized> UntilSlotFree<'a, F> {
    pub(crate) fn new(future: Pin<&'a mut F>, registry: &'a Registry) -> Self {
        UntilSlotFree { future, registry }
    }
}

impl<F: Future + ?Sized> Future for UntilSlotFree<'_, F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.future.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        if self.registry.borrow.register_if_taken(cx.waker()) {
            Poll::Pending
        } else {
            Poll::Ready(None)
        }
    }
}

/// On a target without threads, a wait that stalled: drives the queue of
/// any pool without threads that has queued work (oldest pool first) until
/// `future` is ready. `None` if no pool has work left: nothing ever will.
pub(crate) fn drive_any<F: Future + ?Sized>(
    mut future: Pin<&mut F>,
    deadline: Option<Instant>,
) -> Option<Waited<F::Output>> {
    loop {
        let next = {
            let all = WORKERLESS.lock().unwrap_or_else(|p| p.into_inner());
            all.iter()
                .filter_map(Weak::upgrade)
                .find(|r| r.has_queued_work())
        };
        let Seat::Borrowed(slot) = Seat::borrow(&next?) else {
            return None;
        };
        match slot.run(|w| wait_loop(future.as_mut(), deadline, Policy::Drive, Some(w))) {
            Waited::Stalled => continue,
            other => return Some(other),
        }
    }
}
