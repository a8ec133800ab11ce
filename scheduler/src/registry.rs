//! The shared state of one pool: its queues, its sleepers, its counters.
//!
//! Workers and pool handles hold an `Arc<Registry>`. A task's schedule
//! function holds one too, so a task woken from anywhere finds its pool.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use crossbeam_deque::{Injector, Stealer, Worker as Deque};
use crossbeam_utils::CachePadded;

use crate::job::Job;
use crate::loom::{lock, wait, AtomicBool, Condvar, Mutex, Ordering};
use crate::sleep::Sleep;
use crate::stats::{PoolStats, WorkerCounters, WorkerStats};
use crate::task::Runnable;
use crate::unwind;
use crate::worker::WorkerThread;

/// Called on each worker thread before it runs its first task.
pub(crate) type StartHandler = Arc<dyn Fn(usize) + Send + Sync>;

pub(crate) struct Registry {
    pub(crate) injector: Injector<Job>,
    pub(crate) stealers: Vec<Stealer<Job>>,
    /// Each worker's own deque, waiting here until the worker takes it.
    deques: Vec<Mutex<Option<Deque<Job>>>>,
    pub(crate) sleep: Sleep,
    pub(crate) counters: Vec<CachePadded<WorkerCounters>>,
    terminate: AtomicBool,
    /// Workers started and not yet exited.
    live: Mutex<usize>,
    live_cv: Condvar,
    start_handler: Option<StartHandler>,
}

impl Registry {
    pub(crate) fn new(num_threads: usize, start_handler: Option<StartHandler>) -> Self {
        let deques: Vec<Deque<Job>> = (0..num_threads).map(|_| Deque::new_lifo()).collect();
        Registry {
            injector: Injector::new(),
            stealers: deques.iter().map(|d| d.stealer()).collect(),
            deques: deques.into_iter().map(|d| Mutex::new(Some(d))).collect(),
            sleep: Sleep::new(num_threads),
            counters: (0..num_threads).map(|_| CachePadded::default()).collect(),
            terminate: AtomicBool::new(false),
            live: Mutex::new(0),
            live_cv: Condvar::new(),
            start_handler,
        }
    }

    /// Number of worker slots (started or not).
    pub(crate) fn num_threads(&self) -> usize {
        self.stealers.len()
    }

    /// Queues a task: onto the current worker's own deque when called from a
    /// worker of this pool, else onto the injector; then wakes a sleeper.
    pub(crate) fn push(self: &Arc<Self>, runnable: Runnable) {
        self.push_job(Job::Task(runnable));
    }

    /// Queues `job`: on the current worker's deque if it is one of ours,
    /// else on the injector; then wakes a sleeper if needed.
    pub(crate) fn push_job(self: &Arc<Self>, job: Job) {
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
        }
        self.sleep.notify_one();
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
        let mut live = lock(&self.live);
        *live -= 1;
        self.live_cv.notify_all();
    }

    /// Number of workers running now.
    pub(crate) fn live_workers(&self) -> usize {
        *lock(&self.live)
    }

    /// Takes worker `index`'s deque (once).
    pub(crate) fn take_deque(&self, index: usize) -> Deque<Job> {
        lock(&self.deques[index])
            .take()
            .expect("each worker slot is started once")
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
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
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
            workers: self
                .counters
                .iter()
                .zip(&self.stealers)
                .map(|(c, s)| WorkerStats {
                    executed: c.executed.load(Ordering::Relaxed),
                    stolen: c.stolen.load(Ordering::Relaxed),
                    steal_attempts: c.steal_attempts.load(Ordering::Relaxed),
                    parks: c.parks.load(Ordering::Relaxed),
                    local_queue_len: s.len(),
                })
                .collect(),
            injector_len: self.injector.len(),
        }
    }

    /// The life of a worker thread: the function every spawner ends up calling.
    pub(crate) fn main_loop(self: Arc<Self>, index: usize) {
        let deque = self.take_deque(index);
        let worker = WorkerThread::new(self.clone(), index, deque);
        WorkerThread::set_current(&worker);
        if let Some(handler) = &self.start_handler {
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| handler(index))) {
                unwind::report("worker start handler", &payload);
            }
        }
        worker.run();
        WorkerThread::clear_current();
        drop(worker);
        self.worker_exited();
    }
}
