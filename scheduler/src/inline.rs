//! Pools without threads (e.g. `wasm32-wasip1`): the caller runs the work.
//!
//! `install` on a pool with no workers runs its closure right on the
//! calling thread and records that pool here for the duration, so that
//! `scope`, `join` and the waits inside the closure use that pool's queue
//! (and run its tasks themselves) instead of trying to hop onto a worker —
//! which, with no workers, would recurse forever.

use std::cell::RefCell;
use std::sync::Arc;

use crate::registry::Registry;

thread_local! {
    static INLINE: RefCell<Option<Arc<Registry>>> = const { RefCell::new(None) };
}

/// The workerless pool whose `install` the calling thread is inside, if any.
pub(crate) fn current() -> Option<Arc<Registry>> {
    INLINE.with(|i| i.borrow().clone())
}

/// Runs `op` on this thread as the body of `registry`'s `install`.
pub(crate) fn run<R>(registry: &Arc<Registry>, op: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<Registry>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            INLINE.with(|i| *i.borrow_mut() = prev);
        }
    }
    let prev = INLINE.with(|i| i.borrow_mut().replace(registry.clone()));
    let _restore = Restore(prev);
    op()
}
