//! The shared state of one pool: its queues, its sleepers, its counters.
//!
//! Workers and pool handles hold an `Arc<Registry>`. A task's schedule
//! function holds one too, so a task woken from anywhere finds its pool.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use crossbeam_deque::{Injector, Stealer, Worker as Deque};
use crossbeam_utils::CachePadded;

use crate::blocking::Blocked;
use crate::borrow::BorrowSlot;
use crate::job::JobRef;
use crate::loom::{lock, wait, AtomicBool, AtomicUsize, Condvar, Mutex, Ordering};
use crate::sleep::Sleep;
use crate::spawner::{Spawner, WorkerStart};
use crate::stats::{PoolStats, WorkerCounters, WorkerStats};
use crate::task::Runnable;
use crate::unwind;
use crate::worker::WorkerThread;

/// Called on each worker thread before it runs its first task.
pub(crate) type StartHandler = Arc<dyn Fn(usize) + Send + Sync>;

/// Called with the slot of each spare a starvation rescue started.
pub(crate) type RescueHandler = Arc<dyn Fn(usize) + Send + Sync>;

/// How the pool starts its threads: the primaries at build time or on
/// demand, spares when a starvation rescue needs one (`blocking.rs`).
pub(crate) struct Starter {
    pub(crate) spawner: Arc<dyn Spawner>,
    /// Threads are named `{prefix}{slot}`.
    pub(crate) prefix: String,
    pub(crate) stack_size: Option<usize>,
}

pub(crate) struct Registry {
    pub(crate) injector: Injector<JobRef>,
    /// One per worker slot: the primaries (`0..num_threads`), then the spare
    /// slots, each set when a spare first starts there.
    stealers: Box<[OnceLock<Stealer<JobRef>>]>,
    /// Each slot's own deque, waiting here until its worker takes it (and
    /// back here when a spare retires).
    deques: Vec<Mutex<Option<Deque<JobRef>>>>,
    /// Slots `0..slots_in_use` have been started at least once.
    slots_in_use: AtomicUsize,
    primaries: usize,
    /// Primary slots `0..started` have been started (in order: a pool that
    /// starts its workers on demand takes the next slot each time).
    started: Mutex<usize>,
    /// Set once every primary has been started: `submit`'s fast path.
    all_started: AtomicBool,
    pub(crate) sleep: Sleep,
    /// One per slot, made on first use (`counters`): most slots of a huge
    /// pool never run.
    counters: Box<[OnceLock<Box<CachePadded<WorkerCounters>>>]>,
    pub(crate) blocked: Blocked,
    /// Slot 0 of a pool without threads, borrowed by waiting threads
    /// (`borrow.rs`).
    pub(crate) borrow: BorrowSlot,
    pub(crate) on_rescue: Option<RescueHandler>,
    starter: Option<Starter>,
    terminate: AtomicBool,
    /// Workers started and not yet exited.
    live: Mutex<usize>,
    live_cv: Condvar,
    start_handler: Option<StartHandler>,
}

impl Registry {
    pub(crate) fn new(
        num_threads: usize,
        starter: Option<Starter>,
        start_handler: Option<StartHandler>,
        rescue: Option<(std::time::Duration, RescueHandler)>,
    ) -> Self {
        let rescue_after = rescue.as_ref().map(|(d, _)| *d);
        // A pool without threads still has one slot: the borrowed one
        // (`borrow.rs`). A slot's deque is made when its worker first starts
        // (`take_deque`): a pool of `max_workers=10000` running one task
        // makes one, as CPython starts one thread.
        let slots = Blocked::slots(num_threads, rescue_after).max(1);
        let deques: Vec<Mutex<Option<Deque<JobRef>>>> =
            (0..slots).map(|_| Mutex::new(None)).collect();
        let stealers: Box<[OnceLock<Stealer<JobRef>>]> =
            (0..slots).map(|_| OnceLock::new()).collect();
        Registry {
            injector: Injector::new(),
            stealers,
            deques,
            slots_in_use: AtomicUsize::new(num_threads.max(1)),
            primaries: num_threads,
            started: Mutex::new(0),
            all_started: AtomicBool::new(num_threads == 0),
            sleep: Sleep::new(slots),
            counters: (0..slots).map(|_| OnceLock::new()).collect(),
            blocked: Blocked::new(num_threads, rescue_after),
            borrow: BorrowSlot::default(),
            on_rescue: rescue.map(|(_, h)| h),
            starter,
            terminate: AtomicBool::new(false),
            live: Mutex::new(0),
            live_cv: Condvar::new(),
            start_handler,
        }
    }

    /// Number of primary workers (the pool's size; spares come on top).
    pub(crate) fn num_threads(&self) -> usize {
        self.primaries
    }

    /// Whether `slot` is a spare's.
    pub(crate) fn is_spare(&self, slot: usize) -> bool {
        self.primaries > 0 && slot >= self.primaries
    }

    /// Whether the pool has no worker threads: its one slot is borrowed
    /// by the threads that wait on it (`borrow.rs`).
    pub(crate) fn is_workerless(&self) -> bool {
        self.primaries == 0
    }

    /// The stealers of every slot started so far (a spare slot that was
    /// never started has none).
    pub(crate) fn stealers(&self) -> impl Iterator<Item = (usize, &Stealer<JobRef>)> {
        let n = self.slots_in_use.load(Ordering::Acquire);
        self.stealers[..n]
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.get().map(|s| (i, s)))
    }

    /// Number of slots started so far (thieves look at these).
    pub(crate) fn slots_in_use(&self) -> usize {
        self.slots_in_use.load(Ordering::Acquire)
    }

    /// The stealer of `slot`, if it was ever started.
    pub(crate) fn stealer(&self, slot: usize) -> Option<&Stealer<JobRef>> {
        self.stealers.get(slot).and_then(OnceLock::get)
    }

    /// Starts the next primary worker, if fewer than `num_threads` were
    /// started: `Ok(true)` if one started, `Ok(false)` if all had.
    pub(crate) fn start_next_primary(self: &Arc<Self>) -> io::Result<bool> {
        let mut started = lock(&self.started);
        if *started >= self.primaries {
            return Ok(false);
        }
        self.start_worker(*started)?;
        *started += 1;
        if *started == self.primaries {
            self.all_started.store(true, Ordering::Release);
        }
        Ok(true)
    }

    /// Number of primary workers started so far.
    pub(crate) fn started_primaries(&self) -> usize {
        *lock(&self.started)
    }

    /// Whether every primary worker has been started.
    pub(crate) fn all_started(&self) -> bool {
        self.all_started.load(Ordering::Acquire)
    }

    /// Starts the worker of `slot` through the pool's spawner.
    pub(crate) fn start_worker(self: &Arc<Self>, slot: usize) -> io::Result<()> {
        let starter = self.starter.as_ref().ok_or_else(|| {
            io::Error::new(io::ErrorKind::Unsupported, "this pool has no spawner")
        })?;
        self.worker_starting();
        let reg = self.clone();
        let start = WorkerStart::new(
            slot,
            format!("{}{slot}", starter.prefix),
            starter.stack_size,
            Box::new(move || reg.main_loop(slot)),
        );
        match starter.spawner.spawn(start) {
            Ok(()) => {
                self.slots_in_use.fetch_max(slot + 1, Ordering::AcqRel);
                Ok(())
            }
            Err(e) => {
                self.worker_failed_to_start();
                Err(e)
            }
        }
    }

    /// Queues a task: onto the current worker's own deque when called from a
    /// worker of this pool, else onto the injector; then wakes a sleeper.
    pub(crate) fn push(self: &Arc<Self>, runnable: Runnable) {
        self.push_job(JobRef::task(runnable));
    }

    /// Queues `job`: on the current worker's deque if it is one of ours,
    /// else on the injector; then wakes a sleeper if needed.
    pub(crate) fn push_job(self: &Arc<Self>, job: JobRef) {
        let mut job = Some(job);
        WorkerThread::with_current(|w| {
            if let Some(w) = w {
                if std::ptr::eq(Arc::as_ptr(w.registry()), Arc::as_ptr(self)) {
                    w.push_local(job.take().expect("pushed once"));
                }
            }
        });
        if let Some(j) = job {
            self.injector.push(j);
            self.cancel_if_orphaned();
        }
        self.sleep.notify_one();
    }

    /// Queues `job` on the injector, whoever calls: the pool's one FIFO
    /// queue, so that calls start in submission order (as from CPython's
    /// one work queue) and never sit in a busy worker's own deque.
    pub(crate) fn push_injected(&self, job: JobRef) {
        self.injector.push(job);
        self.cancel_if_orphaned();
        self.sleep.notify_one();
    }

    /// After a push onto the injector, and after a worker exits: a pool
    /// that is shutting down with no worker left (the last one exited just
    /// before the push, or none ever started) would never run what its
    /// injector holds, so it is dropped instead and its `Task`s report
    /// cancellation: a waiter gets "cancelled", never a hang (`Pool.map`
    /// racing `terminate()`). Both sides read `live` under its lock after
    /// their own step (push; decrement), so at least one of them sees the
    /// other's. A pool without threads is left alone: its waiters drive it.
    fn cancel_if_orphaned(&self) {
        if self.is_terminating() && !self.is_workerless() && *lock(&self.live) == 0 {
            self.drain_injector();
        }
    }

    /// Marks a worker slot as started (called by the pool before spawning).
    pub(crate) fn worker_starting(&self) {
        *lock(&self.live) += 1;
    }

    /// Called when a worker's thread could not be started after all.
    pub(crate) fn worker_failed_to_start(&self) {
        self.worker_exited();
    }

    fn worker_exited(&self) {
        {
            let mut live = lock(&self.live);
            *live -= 1;
            self.live_cv.notify_all();
        }
        self.blocked.worker_exited();
        self.cancel_if_orphaned();
    }

    /// The worker of `slot` died without unwinding (a trapped Web Worker;
    /// see `spawner/web_worker.rs`): it counts as exited, what it left in
    /// its deque goes to the injector (its owner never touches it again),
    /// and, unless the pool is ending, a new worker takes the slot with a
    /// fresh deque. Thieves keep the old deque's stealer (a slot's stealer
    /// is set once), so the replacement's own deque is not stolen from: it
    /// runs what it pushes itself, and takes calls from the injector like
    /// every worker.
    fn worker_lost(self: &Arc<Self>, slot: usize) {
        if let Some(stealer) = self.stealer(slot) {
            loop {
                match stealer.steal() {
                    crossbeam_deque::Steal::Success(job) => self.injector.push(job),
                    crossbeam_deque::Steal::Empty => break,
                    crossbeam_deque::Steal::Retry => {}
                }
            }
        }
        *lock(&self.deques[slot]) = Some(Deque::new_lifo());
        self.worker_exited();
        if self.is_spare(slot) {
            self.blocked.slot_free(slot);
        } else if !self.is_terminating() {
            // A failed start leaves the pool with the workers it has.
            let _ = self.start_worker(slot);
        }
        self.sleep.notify_all();
    }

    /// Number of workers running now.
    pub(crate) fn live_workers(&self) -> usize {
        *lock(&self.live)
    }

    /// Slot `index`'s counters.
    pub(crate) fn counters(&self, index: usize) -> &WorkerCounters {
        self.counters[index].get_or_init(Box::default)
    }

    /// Takes slot `index`'s deque (made on the slot's first start).
    pub(crate) fn take_deque(&self, index: usize) -> Deque<JobRef> {
        let mut slot = lock(&self.deques[index]);
        if let Some(d) = slot.take() {
            return d;
        }
        let d = Deque::new_lifo();
        assert!(
            self.stealers[index].set(d.stealer()).is_ok(),
            "a slot runs one worker at a time"
        );
        d
    }

    pub(crate) fn is_terminating(&self) -> bool {
        self.terminate.load(Ordering::SeqCst)
    }

    /// Asks workers to exit once the queues are empty.
    pub(crate) fn terminate(&self) {
        self.terminate.store(true, Ordering::SeqCst);
        self.sleep.notify_all();
    }

    /// Blocks until at most `remaining` workers are still running.
    pub(crate) fn wait_for_workers(&self, remaining: usize) {
        let mut live = lock(&self.live);
        while *live > remaining {
            live = wait(&self.live_cv, live);
        }
    }

    /// Whether any queue holds a task.
    pub(crate) fn has_queued_work(&self) -> bool {
        self.has_injected_work() || self.has_deque_work()
    }

    /// Whether the injector (the pool's FIFO queue of calls) holds a task.
    pub(crate) fn has_injected_work(&self) -> bool {
        !self.injector.is_empty()
    }

    /// Whether some worker's deque holds a task (what fork-join waits run).
    pub(crate) fn has_deque_work(&self) -> bool {
        self.stealers().any(|(_, s)| !s.is_empty())
    }

    /// Puts slot `index`'s deque back, for its next worker.
    pub(crate) fn give_back_deque(&self, index: usize, deque: Deque<JobRef>) {
        *lock(&self.deques[index]) = Some(deque);
    }

    /// Drops every task waiting in the injector (their `Task`s are
    /// cancelled). Tasks on workers' own deques are left alone: they belong
    /// to running work (a `join`'s other half, a scope's tasks).
    pub(crate) fn drain_injector(&self) -> usize {
        let mut dropped = 0;
        loop {
            match self.injector.steal() {
                crossbeam_deque::Steal::Success(r) => {
                    drop(r);
                    dropped += 1;
                }
                crossbeam_deque::Steal::Retry => continue,
                crossbeam_deque::Steal::Empty => return dropped,
            }
        }
    }

    pub(crate) fn stats(&self) -> PoolStats {
        PoolStats {
            workers: (0..self.slots_in_use())
                .map(|i| {
                    let c = self.counters(i);
                    WorkerStats {
                        executed: c.executed.load(Ordering::Relaxed),
                        stolen: c.stolen.load(Ordering::Relaxed),
                        steal_attempts: c.steal_attempts.load(Ordering::Relaxed),
                        parks: c.parks.load(Ordering::Relaxed),
                        local_queue_len: self.stealer(i).map_or(0, Stealer::len),
                    }
                })
                .collect(),
            injector_len: self.injector.len(),
        }
    }

    /// The life of a worker thread: the function every spawner ends up calling.
    pub(crate) fn main_loop(self: Arc<Self>, index: usize) {
        let deque = self.take_deque(index);
        let stack_size = self.starter.as_ref().and_then(|s| s.stack_size);
        let stack_size = stack_size.or_else(crate::spawner::default_stack_size);
        let worker = WorkerThread::new(self.clone(), index, deque, stack_size, false);
        WorkerThread::set_current(&worker);
        if let Some(handler) = &self.start_handler {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| handler(index))) {
                unwind::report("worker start handler", &payload);
            }
        }
        // If this thread dies without unwinding (a Web Worker that traps),
        // the pool hears of it and replaces the worker.
        let lost = crate::spawner::losses_reported().then(|| {
            let reg = self.clone();
            crate::spawner::on_lost(move |_| reg.worker_lost(index))
        });
        worker.run();
        if let Some(lost) = lost {
            lost.done();
        }
        WorkerThread::clear_current();
        let deque = worker.into_deque();
        if self.is_spare(index) && !self.is_terminating() {
            // A retired spare: its slot (and deque, empty) may be reused.
            self.give_back_deque(index, deque);
            self.blocked.slot_free(index);
        }
        self.worker_exited();
    }
}
