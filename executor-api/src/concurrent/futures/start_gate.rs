//! When a `ThreadPoolExecutor`'s workers run their initializer.
//!
//! CPython starts an executor's threads lazily, from `submit`, after the work
//! item is queued; a thread runs the `initializer` only then. So the first
//! `submit` of an executor whose initializer raises always succeeds, and its
//! future fails with `BrokenThreadPool`. Our workers exist from the start, so
//! they wait at this gate before the initializer until the first `submit`
//! (or `shutdown`, so that they can exit) opens it.

#[cfg(loom)]
use loom::sync::{Condvar, Mutex};
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(not(loom))]
use std::sync::{Condvar, Mutex};

#[derive(Default)]
pub(crate) struct StartGate {
    /// Fast path for `open`: one load per `submit` once open.
    opened: AtomicBool,
    open: Mutex<bool>,
    cv: Condvar,
}

impl StartGate {
    /// Lets every waiting (and future) worker through.
    pub(crate) fn open(&self) {
        if self.opened.load(Ordering::Acquire) {
            return;
        }
        *self.open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.opened.store(true, Ordering::Release);
        self.cv.notify_all();
    }

    /// Blocks the calling worker until the gate is open. A plain wait, not a
    /// helping one: a worker must not run tasks before its initializer.
    pub(crate) fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        while !*open {
            open = self.cv.wait(open).unwrap_or_else(|p| p.into_inner());
        }
    }
}
