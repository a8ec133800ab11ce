//! Test seam for the loom models in `tests/loom_*.rs`; exists only under
//! `RUSTFLAGS="--cfg loom"`. It hands the models the scheduler's *real*
//! sleep protocol (`sleep.rs`) and blocked-worker bookkeeping (`blocking.rs`),
//! built on loom's instrumented `Mutex`,
//! `Condvar` and atomics through `loom.rs`, so what the models check is the
//! code the pool runs, not a copy of it.
#![allow(missing_docs, missing_debug_implementations)]

/// Runs a loom model with at most `bound` preemptions (unless
/// `LOOM_MAX_PREEMPTIONS` sets another): bounded preemptions keep every
/// model in seconds, and the races modelled need two or three context
/// switches at the wrong moments.
pub fn model(bound: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(bound);
    }
    b.check(f);
}

/// The sleep/wake state of a pool (wraps `sleep::Sleep` one to one).
pub struct Sleep(crate::sleep::Sleep);

impl Sleep {
    pub fn new(workers: usize) -> Self {
        Sleep(crate::sleep::Sleep::new(workers))
    }

    pub fn notify_one(&self) {
        self.0.notify_one()
    }

    pub fn notify_one_local(&self) {
        self.0.notify_one_local()
    }

    pub fn notify_all(&self) {
        self.0.notify_all()
    }

    pub fn notify_worker(&self, i: usize) {
        self.0.notify_worker(i)
    }

    /// Returns whether a wake-up meant for worker `i` was taken.
    pub fn sleep(&self, i: usize, should_stay_awake: impl FnOnce() -> bool) -> bool {
        self.0.sleep(i, should_stay_awake) != crate::sleep::Rested::Stayed
    }

    pub fn start_searching(&self) {
        self.0.start_searching()
    }

    pub fn stop_searching(&self, found: bool, more_queued: impl FnOnce() -> bool) {
        self.0.stop_searching(found, more_queued)
    }
}

/// A pool's blocked-worker and spare bookkeeping (wraps
/// `blocking::Blocked` one to one, with a rescue window).
pub struct Spares(crate::blocking::Blocked);

impl Spares {
    pub fn new(primaries: usize) -> Self {
        Spares(crate::blocking::Blocked::new(
            primaries,
            Some(std::time::Duration::from_secs(1)),
        ))
    }

    /// A worker blocks.
    pub fn block(&self) {
        self.0.block()
    }

    /// A starvation rescue takes a spare slot: `Some(slot)` to start.
    pub fn rescue(&self) -> Option<usize> {
        self.0.force_rescue()
    }

    pub fn unblock(&self, sleep: &Sleep) {
        self.0.unblock(&sleep.0)
    }

    pub fn superfluous(&self) -> bool {
        self.0.superfluous()
    }

    pub fn retire(&self, slot: usize) -> bool {
        self.0.retire(slot)
    }

    /// A waiter (a live worker, not blocked itself) of a pool of `live`
    /// workers, all started, asks whether it is stuck: `Some(true)` if so,
    /// `None` if not (its waker is registered).
    pub fn watch(
        &self,
        waker: &std::task::Waker,
        watch: &mut crate::blocking::StuckWatch,
        live: usize,
    ) -> Option<bool> {
        match self.0.watch(waker, watch, false, || live, true) {
            crate::blocking::Stuck::No => None,
            crate::blocking::Stuck::Yes => Some(true),
            crate::blocking::Stuck::CanStart => Some(false),
        }
    }
}
