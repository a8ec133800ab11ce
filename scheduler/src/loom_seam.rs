//! Test seam for the loom models in `tests/loom_*.rs`; exists only under
//! `RUSTFLAGS="--cfg loom"`. It hands the models the scheduler's *real*
//! sleep protocol (`sleep.rs`), built on loom's instrumented `Mutex`,
//! `Condvar` and atomics through `loom.rs`, so what the models check is the
//! code the pool runs, not a copy of it.
#![allow(missing_docs)]

/// The sleep/wake state of a pool (wraps `sleep::Sleep` one to one).
pub struct Sleep(crate::sleep::Sleep);

impl Sleep {
    pub fn new(workers: usize) -> Self {
        Sleep(crate::sleep::Sleep::new(workers))
    }

    pub fn notify_one(&self) {
        self.0.notify_one()
    }

    pub fn notify_all(&self) {
        self.0.notify_all()
    }

    pub fn notify_worker(&self, i: usize) {
        self.0.notify_worker(i)
    }

    pub fn sleep(&self, i: usize, should_stay_awake: impl FnOnce() -> bool) -> bool {
        self.0.sleep(i, should_stay_awake)
    }
}
