//! The state word of a [`Future`](super::Future): its phase and flags in
//! one atomic, and every transition as one read-modify-write on it, in one
//! place (async-task's `state.rs` is the model).
//!
//! ```text
//!                 cancel()
//!   PENDING ----------------------------------> CANCELLED (+NOTIFIED)
//!      |  claim (a worker, a stuck waiter,            ^ final
//!      |  set_running_or_notify_cancel)               |
//!      v                                              |
//!   RUNNING --> COMPLETING --> FINISHED               |
//!      ^ set_result/set_exception on a Future() may also go
//!        PENDING --> COMPLETING directly              final
//! ```
//!
//! - Whoever moves the word out of `PENDING` owns the closure: the claimer
//!   runs it, `cancel` drops it.
//! - Whoever moves it into `COMPLETING` owns the outcome cell: it writes the
//!   outcome there and then publishes `FINISHED` (release); readers read
//!   the cell only after they saw `FINISHED` (acquire). So `done()` and
//!   `result()` on a finished future take no lock.
//! - `LISTENERS` says someone registered a callback or a waker on the
//!   future's listener list. A registrant sets it (under the list's lock)
//!   and learns from the same read-modify-write whether the future was
//!   already done; a finishing thread learns from its transition whether it
//!   must take the list. Both are read-modify-writes of this one word, so
//!   exactly one side handles every listener, and a future nobody waits on
//!   never touches the lock.
//! - `NOTIFIED` is CPython's `CANCELLED_AND_NOTIFIED`. `READING` marks the
//!   one thread cloning the finished outcome (`result()`, one
//!   compare-and-swap; a second thread cloning the same value at the same
//!   instant yields until the first is done, so `T` need not be `Sync`),
//!   and `TAKEN` lets `into_result` move the value out once no reader is
//!   left.

use crate::loom::{AtomicUsize, Ordering};

/// Queued (or a `Future()` not yet running).
pub(crate) const PENDING: usize = 0;
/// Claimed by whoever runs it.
pub(crate) const RUNNING: usize = 1;
/// The outcome is being written by the thread that completes it.
pub(crate) const COMPLETING: usize = 2;
/// Cancelled (final).
pub(crate) const CANCELLED: usize = 3;
/// Finished with a result or an exception (final).
pub(crate) const FINISHED: usize = 4;
const PHASE: usize = 0b111;
/// With `CANCELLED`: CPython's `CANCELLED_AND_NOTIFIED`.
pub(crate) const NOTIFIED: usize = 1 << 3;
/// The listener list may hold callbacks or wakers.
const LISTENERS: usize = 1 << 4;
/// `into_result` moved (or is moving) the value out of the outcome cell.
const TAKEN: usize = 1 << 5;
/// A thread is reading the outcome cell.
const READING: usize = 1 << 6;

/// One reading of the state word.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    /// `PENDING`, `RUNNING`, `COMPLETING`, `CANCELLED` or `FINISHED`.
    pub(crate) fn phase(self) -> usize {
        self.0 & PHASE
    }

    /// Cancelled or finished (`done()`).
    pub(crate) fn is_done(self) -> bool {
        matches!(self.phase(), CANCELLED | FINISHED)
    }

    /// Done as `wait`/`as_completed` see it: finished, or cancelled and
    /// notified.
    pub(crate) fn is_done_for_wait(self) -> bool {
        self.phase() == FINISHED || (self.phase() == CANCELLED && self.0 & NOTIFIED != 0)
    }

    pub(crate) fn notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }

    /// Whether a finishing thread must take the listener list.
    pub(crate) fn has_listeners(self) -> bool {
        self.0 & LISTENERS != 0
    }

    pub(crate) fn taken(self) -> bool {
        self.0 & TAKEN != 0
    }
}

/// The atomic state word.
pub(crate) struct State(AtomicUsize);

impl State {
    pub(crate) fn new() -> Self {
        State(AtomicUsize::new(PENDING))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Ordering::Acquire))
    }

    /// Moves `from` (one of `allowed`) to `to` plus `flags`, keeping the
    /// other flags. `Ok(old)` if this call made the move, `Err(now)` if
    /// the phase was not one of `allowed`.
    fn transition(&self, allowed: &[usize], to: usize) -> Result<Snapshot, Snapshot> {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if !allowed.contains(&(cur & PHASE)) {
                return Err(Snapshot(cur));
            }
            let new = (cur & !PHASE) | to;
            match self
                .0
                .compare_exchange_weak(cur, new, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(Snapshot(cur)),
                Err(actual) => cur = actual,
            }
        }
    }

    /// `PENDING` -> `RUNNING`: the caller now owns the closure.
    pub(crate) fn claim(&self) -> Result<Snapshot, Snapshot> {
        self.transition(&[PENDING], RUNNING)
    }

    /// `PENDING` -> `CANCELLED` (`notified`: also `NOTIFIED`): the caller
    /// now owns the closure, to drop it, and must notify the listeners.
    pub(crate) fn cancel(&self, notified: bool) -> Result<Snapshot, Snapshot> {
        let flags = if notified { NOTIFIED } else { 0 };
        self.transition(&[PENDING], CANCELLED | flags)
    }

    /// `PENDING`/`RUNNING` -> `COMPLETING`: the caller now owns the
    /// outcome cell and must call [`finish`](Self::finish).
    pub(crate) fn begin_completing(&self) -> Result<Snapshot, Snapshot> {
        self.transition(&[PENDING, RUNNING], COMPLETING)
    }

    /// `COMPLETING` -> `FINISHED`, publishing the outcome cell; returns the
    /// word before (its `LISTENERS` flag says whether to take the list).
    pub(crate) fn finish(&self) -> Snapshot {
        Snapshot(self.0.fetch_add(FINISHED - COMPLETING, Ordering::AcqRel))
    }

    /// Waits out a racing completer's `COMPLETING` (a few stores long).
    pub(crate) fn settled(&self) -> Snapshot {
        loop {
            let s = self.load();
            if s.phase() != COMPLETING {
                return s;
            }
            crate::loom::yield_now();
        }
    }

    /// Sets `LISTENERS` (call with the listener list locked); returns the
    /// word before: if it was already done, the caller must not register.
    pub(crate) fn mark_listeners(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(LISTENERS, Ordering::AcqRel))
    }

    /// Sets `NOTIFIED` (on a cancelled `Future()`); returns the word before.
    pub(crate) fn mark_notified(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(NOTIFIED, Ordering::AcqRel))
    }

    /// Becomes the reader of the finished outcome (yielding while another
    /// thread reads it); the word before tells whether the value was taken
    /// (then the reader must not read it). Pair with
    /// [`end_read`](Self::end_read).
    pub(crate) fn begin_read(&self) -> Snapshot {
        let mut cur = self.0.load(Ordering::Acquire);
        loop {
            if cur & READING != 0 {
                crate::loom::yield_now();
                cur = self.0.load(Ordering::Acquire);
                continue;
            }
            match self.0.compare_exchange_weak(
                cur,
                cur | READING,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Snapshot(cur),
                Err(actual) => cur = actual,
            }
        }
    }

    pub(crate) fn end_read(&self) {
        self.0.fetch_and(!READING, Ordering::Release);
    }

    /// Claims the value for `into_result`: `Err` if another caller took it.
    /// On `Ok` the caller waits for [`no_readers`](Self::no_readers), then
    /// moves the value out.
    pub(crate) fn take(&self) -> Result<(), ()> {
        let old = Snapshot(self.0.fetch_or(TAKEN, Ordering::AcqRel));
        if old.taken() {
            Err(())
        } else {
            Ok(())
        }
    }

    /// Waits until a reader that came before `take` is done cloning.
    pub(crate) fn no_readers(&self) {
        while self.load().0 & READING != 0 {
            crate::loom::yield_now();
        }
    }
}
