//! A worker thread: its own deque, how it finds work, its main loop.
//!
//! Finding work, in order: pop the own deque (LIFO: the newest task, whose
//! data is still in cache), take the oldest task of the injector (the
//! pool's FIFO queue: executor calls and tasks from outside), then steal a
//! batch from other workers, starting at a random victim (thieves take the
//! oldest tasks: FIFO).
//!
//! The injector is read one task at a time, never in batches, so that a
//! call queued there is never moved into one worker's deque, where it would
//! wait behind that worker's current call instead of going to the next free
//! worker, and where a fork-join wait could run it on the stack of a call
//! in progress. A worker waiting for a stolen `join` half or a scope
//! helps with what is in the deques only ([`WorkerThread::find_help`]).

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Wake, Waker};

use crossbeam_deque::{Steal, Worker as Deque};

use crate::job::JobRef;
use crate::registry::Registry;
use crate::stats::WorkerCounters;
use crate::unwind;
use crate::wait_loop::{wait_loop, Policy};

#[cfg(not(loom))]
thread_local! {
    static CURRENT: Cell<*const WorkerThread> = const { Cell::new(std::ptr::null()) };
}

// Per modelled thread under loom (all loom threads share one OS thread).
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Cell<*const WorkerThread> = Cell::new(std::ptr::null());
}

/// The state a worker keeps on its own stack for its whole life.
pub(crate) struct WorkerThread {
    registry: Arc<Registry>,
    index: usize,
    deque: Deque<JobRef>,
    rng: Cell<u64>,
    /// Whether this worker is counted as blocked (`blocking.rs`).
    blocked: Cell<bool>,
    /// Whether this is the borrowed slot of a pool without threads,
    /// held by a waiting thread (`borrow.rs`).
    borrowed: bool,
    /// Wakes this worker from its bed in `sleep.rs`: what its waits with a
    /// policy that runs jobs register with the futures they wait on.
    waker: Waker,
    /// An address near the top of this thread's stack, and the stack's size
    /// if known: how deep the stack is used (see [`remaining_stack`]).
    stack_top: usize,
    stack_size: Option<usize>,
}

impl WorkerThread {
    pub(crate) fn new(
        registry: Arc<Registry>,
        index: usize,
        deque: Deque<JobRef>,
        stack_size: Option<usize>,
        borrowed: bool,
    ) -> Self {
        let waker = Waker::from(Arc::new(BedWaker {
            registry: Arc::downgrade(&registry),
            index,
        }));
        WorkerThread {
            registry,
            index,
            deque,
            // Any odd seed that differs per worker will do for victim choice.
            rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ ((index as u64 + 1) << 17) | 1),
            blocked: Cell::new(false),
            borrowed,
            waker,
            stack_top: stack_address(),
            stack_size,
        }
    }

    /// Whether this is a borrowed slot (`borrow.rs`).
    pub(crate) fn is_borrowed(&self) -> bool {
        self.borrowed
    }

    /// The waker that wakes this worker from its bed.
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Counts one sleep in this worker's stats.
    pub(crate) fn count_park(&self) {
        WorkerCounters::bump(&self.counters().parks, 1);
    }

    /// Whether this worker is counted as blocked.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.get()
    }

    /// Records that this worker is (or no longer is) counted as blocked.
    pub(crate) fn set_blocked(&self, blocked: bool) {
        self.blocked.set(blocked);
    }

    /// Bytes of stack left below the caller, if the stack's size is known.
    pub(crate) fn remaining_stack(&self) -> Option<usize> {
        let used = self.stack_top.saturating_sub(stack_address());
        self.stack_size.map(|size| size.saturating_sub(used))
    }

    pub(crate) fn set_current(worker: &WorkerThread) {
        CURRENT.with(|c| c.set(worker as *const WorkerThread));
    }

    pub(crate) fn clear_current() {
        CURRENT.with(|c| c.set(std::ptr::null()));
    }

    /// Calls `f` with the worker running on this thread, if any.
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&WorkerThread>) -> R) -> R {
        CURRENT.with(|c| {
            let ptr = c.get();
            // SAFETY: `CURRENT` is set by `main_loop` to a `WorkerThread` on
            // that thread's stack and cleared before it is dropped; only
            // this thread reads it, so the pointer is valid while `f` runs.
            f(unsafe { ptr.as_ref() })
        })
    }

    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    pub(crate) fn index(&self) -> usize {
        self.index
    }

    fn counters(&self) -> &WorkerCounters {
        self.registry.counters(self.index)
    }

    #[inline]
    pub(crate) fn push_local(&self, job: JobRef) {
        self.deque.push(job);
    }

    /// Pops the newest task of the own deque.
    #[inline]
    pub(crate) fn pop_local(&self) -> Option<JobRef> {
        self.deque.pop()
    }

    pub(crate) fn local_is_empty(&self) -> bool {
        self.deque.is_empty()
    }

    /// The worker's deque, back for its slot once the worker is done.
    pub(crate) fn into_deque(self) -> Deque<JobRef> {
        self.deque
    }

    fn next_random(&self) -> u64 {
        // xorshift64*: cheap and good enough to spread thieves over victims.
        let mut x = self.rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// One search of every queue; `None` if all were empty.
    pub(crate) fn find_work(&self) -> Option<JobRef> {
        if let Some(r) = self.deque.pop() {
            return Some(r);
        }
        loop {
            match self.registry.injector.steal() {
                Steal::Success(r) => return Some(r),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
        self.steal()
    }

    /// One search of the deques only (not the injector): what a worker
    /// waiting inside fork-join work may run on its stack.
    pub(crate) fn find_help(&self) -> Option<JobRef> {
        self.deque.pop().or_else(|| self.steal())
    }

    fn steal(&self) -> Option<JobRef> {
        // Primaries and the spare slots started so far (`blocking.rs`).
        let n = self.registry.slots_in_use();
        if n <= 1 {
            return None;
        }
        let start = (self.next_random() % n as u64) as usize;
        let counters = self.counters();
        loop {
            let mut retry = false;
            for k in 0..n {
                let victim = (start + k) % n;
                if victim == self.index {
                    continue;
                }
                let Some(stealer) = self.registry.stealer(victim) else {
                    continue;
                };
                WorkerCounters::bump(&counters.steal_attempts, 1);
                match stealer.steal_batch_and_pop(&self.deque) {
                    Steal::Success(r) => {
                        WorkerCounters::bump(&counters.stolen, 1 + self.deque.len() as u64);
                        return Some(r);
                    }
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    /// Runs one task; a panic escaping it is reported and the worker lives on.
    pub(crate) fn execute(&self, job: JobRef) {
        WorkerCounters::bump(&self.counters().executed, 1);
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| job.run())) {
            unwind::report("task", &payload);
        }
    }

    /// The main loop: run tasks until the pool terminates and no work is
    /// left, or, for a spare, until the pool no longer needs it. It is the
    /// one wait loop (`wait_loop.rs`) waiting for the pool's end.
    pub(crate) fn run(&self) {
        let registry = &self.registry;
        let end = std::future::poll_fn(|_: &mut Context<'_>| {
            if registry.is_terminating() && !registry.has_queued_work() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        let _ = wait_loop(std::pin::pin!(end), None, Policy::Drive, Some(self));
    }
}

/// The waker of a worker's bed: what a future a worker waits on with a
/// policy that runs jobs wakes it with (a weak reference: a waker left in
/// a queued future must not keep its pool alive).
struct BedWaker {
    registry: Weak<Registry>,
    index: usize,
}

impl Wake for BedWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(registry) = self.registry.upgrade() {
            registry.sleep.notify_worker(self.index);
        }
    }
}

/// The address of a local of the caller's frame: where the stack is now.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Bytes of stack left to the calling worker thread, if it is a worker and
/// its stack's size is known (stacks grow down on every target we run on).
///
/// ```
/// use pyrt_scheduler::ext::remaining_stack;
/// assert_eq!(remaining_stack(), None); // not a worker
/// let pool = pyrt_scheduler::ThreadPoolBuilder::new().num_threads(1).stack_size(1 << 20).build().unwrap();
/// let left = pool.install(remaining_stack).expect("a worker with a known stack");
/// assert!(left > 0 && left <= 1 << 20);
/// ```
pub fn remaining_stack() -> Option<usize> {
    WorkerThread::with_current(|w| w.and_then(WorkerThread::remaining_stack))
}
